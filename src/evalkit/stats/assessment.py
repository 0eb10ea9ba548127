"""The SMART assessment path: placement test, module exams, final competency test.

Rules (defaults from the published model, configurable per program):

1. placement test: a score ≥ ``placement_pass`` (85) recognizes prior learning — the
   participant is certified without the course (exempted); one attempt only;
2. module exams: pass mark ``module_pass`` (70), at most ``max_module_attempts`` (5);
3. final competency test once every module is passed: pass mark ``final_pass`` (70), at most
   ``max_final_attempts`` (3); passing earns the certificate.

From an attempts table (participant, stage, module, attempt, score[, date]) it computes the
funnel (enrolled → exempted / took the course → passed all modules → certified), first-attempt
and eventual pass rates per module, the distribution of attempts, the certification rate and
the time to certificate, and lists every record that breaks a rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem, StatisticsError
from ._util import html_table


class AssessmentResult:
    """Result of :func:`assessment_path`.

    Attributes
    ----------
    funnel : DataFrame
        Indexed by stage (``enrolled, exempted, took_course, passed_all_modules,
        certified_by_final, certified``): ``n`` and ``pct_of_enrolled``.
    modules : DataFrame
        Indexed by module: ``n_takers, first_attempt_pass_rate, pass_rate, mean_attempts,
        max_attempts``.
    attempts : DataFrame
        Rows: modules and ``final``; columns: attempts needed to pass (1, 2, …) and
        ``not passed``; counts of participants.
    participants : DataFrame
        One row per participant: ``placement, exempted, modules_passed, all_modules_passed,
        final_attempts, certified, certified_on, days_to_certificate``.
    violations : DataFrame
        ``participant, stage, module, attempt, rule`` for each record that breaks a rule.
    certification_rate : float
        Certified (exempted or by the final test) / enrolled.
    time_to_certificate : dict
        ``median_days, mean_days, n`` from the placement test to the passed final (with dates).
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def summary(self) -> str:
        with pd.option_context("display.width", 140):
            return ("Funnel:\n" + self.funnel.to_string() + "\n\nModules:\n" + self.modules.round(3).to_string()
                    + f"\n\nCertification rate: {self.certification_rate:.3f}; "
                    f"violations: {len(self.violations)}")

    def _repr_html_(self):
        return html_table(self.funnel, "Assessment funnel") + html_table(self.modules, "Modules", 3)


REQUIRED = ["participant", "stage", "module", "attempt", "score"]


def participant_row(pid, placement, exempted: bool, passed_mod: dict, all_mods: bool, n_final: int,
                    certified_final: bool, cert_date, start, mods) -> dict:
    """One row of :attr:`AssessmentResult.participants` from a participant's findings
    (``passed_mod``: module → attempt that passed it, or None)."""
    return {"participant": pid, "placement": placement, "exempted": exempted,
            "modules_passed": sum(v is not None for v in passed_mod.values()),
            "all_modules_passed": all_mods and not exempted, "final_attempts": int(n_final),
            "certified": exempted or certified_final,
            "certified_on": cert_date if cert_date is not None else (start if exempted else None),
            "days_to_certificate": (cert_date - start).days if cert_date is not None and start is not None else np.nan,
            **{f"attempts_{m}": passed_mod.get(m) for m in mods}}


def assessment_path(attempts: pd.DataFrame, *, placement_pass: float = 85, module_pass: float = 70,
                    max_module_attempts: int = 5, final_pass: float = 70, max_final_attempts: int = 3,
                    modules=None) -> AssessmentResult:
    """Analyse an assessment path from its attempts table.

    Parameters
    ----------
    attempts : DataFrame
        Columns ``participant, stage`` (placement, module, final), ``module`` (module name for
        module exams), ``attempt`` (1, 2, …), ``score`` and optionally ``date``.
    modules : list, optional
        The course's modules (default: every module that appears).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame([("p1", "placement", "", 1, 90), ("p2", "placement", "", 1, 60),
    ...                   ("p2", "module", "M1", 1, 65), ("p2", "module", "M1", 2, 75),
    ...                   ("p2", "final", "", 1, 80)], columns=REQUIRED)
    >>> r = assessment_path(a)
    >>> r.funnel["n"].tolist(), r.certification_rate
    ([2, 1, 1, 1, 1, 2], 1.0)
    """
    missing = [c for c in REQUIRED if c not in attempts.columns]
    if missing:
        raise StatisticsError(Problem("unknown_items", column=", ".join(missing),
                                      params={"available": ", ".join(map(str, attempts.columns))}))
    a = attempts.copy()
    a["stage"] = a["stage"].astype(str).str.lower()
    a["module"] = a["module"].fillna("").astype(str)
    a = a.sort_values(["participant", "stage", "module", "attempt"], kind="stable").reset_index(drop=True)
    mods = list(modules) if modules is not None else sorted(m for m in a.loc[a.stage == "module", "module"].unique() if m)
    has_date = "date" in a.columns
    violations, rows = [], []
    # one participant's records are one run of the sorted table: read as plain lists, not as
    # a sub-frame per participant and stage (pandas' per-call cost was ~9 ms a participant)
    stage, module = a["stage"].tolist(), a["module"].tolist()
    score = a["score"].to_numpy(dtype=float, na_value=np.nan)
    attempt_num = a["attempt"].to_numpy(dtype=float, na_value=np.nan)
    attempt_val = a["attempt"].astype(object).tolist()  # the value itself, as a row of the table gives it
    codes, pids = pd.factorize(a["participant"], sort=True)
    bounds = np.flatnonzero(np.diff(codes)) + 1
    for pid, lo, hi in zip(pids, np.r_[0, bounds], np.r_[bounds, len(a)]):
        idx = range(lo, hi)
        pl = [i for i in idx if stage[i] == "placement"]
        placement = a["score"].iat[pl[0]] if pl else np.nan
        exempted = bool(pl) and bool(score[pl[0]] >= placement_pass)
        for i in pl[1:]:
            violations.append((pid, "placement", "", attempt_val[i], "placement test taken more than once"))
        passed_mod = {}
        by_module: dict[str, list[int]] = {}
        for i in idx:
            if stage[i] == "module":
                by_module.setdefault(module[i], []).append(i)
        for m in sorted(by_module):
            gm = by_module[m]
            for i in gm:
                if attempt_num[i] > max_module_attempts:
                    violations.append((pid, "module", m, attempt_val[i],
                                       f"attempt {int(attempt_num[i])} > maximum {max_module_attempts}"))
            ok = [attempt_num[i] for i in gm if score[i] >= module_pass and attempt_num[i] <= max_module_attempts]
            first = min(ok) if ok else None
            passed_mod[m] = int(first) if ok else None
            if ok:
                for i in gm:
                    if attempt_num[i] > first:
                        violations.append((pid, "module", m, attempt_val[i], "module exam retaken after it was passed"))
        fin = [i for i in idx if stage[i] == "final"]
        for i in fin:
            if attempt_num[i] > max_final_attempts:
                violations.append((pid, "final", "", attempt_val[i],
                                   f"attempt {int(attempt_num[i])} > maximum {max_final_attempts}"))
        fin_ok = [i for i in fin if score[i] >= final_pass and attempt_num[i] <= max_final_attempts]
        all_mods = all(passed_mod.get(m) is not None for m in mods) if mods else len(passed_mod) > 0
        certified_final = bool(fin_ok) and all_mods
        if fin and not all_mods:
            violations.append((pid, "final", "", int(np.nanmin(attempt_num[fin])),
                               "final test taken before every module was passed"))
        if exempted and len(pl) < hi - lo:
            violations.append((pid, "module/final", "", None, "exam taken after exemption by the placement test"))
        cert_date = None
        if certified_final:
            first_pass = min(attempt_num[i] for i in fin_ok)
            for i in fin:
                if attempt_num[i] > first_pass:
                    violations.append((pid, "final", "", attempt_val[i], "exam after certification"))
            if has_date:
                cert_date = pd.Timestamp(a["date"].iat[next(i for i in fin_ok if attempt_num[i] == first_pass)])
                dates = pd.to_datetime(a["date"].iloc[lo:hi])  # as the participant's own column
                for i, later in zip(idx, (dates > cert_date).tolist()):
                    if later and stage[i] == "module":
                        violations.append((pid, "module", module[i], attempt_val[i], "exam after certification"))
        start = pd.Timestamp(a["date"].iat[pl[0]]) if has_date and pl else None
        rows.append(participant_row(pid, placement, exempted, passed_mod, all_mods, len(fin), certified_final,
                                    cert_date, start, mods))
    if not rows:  # no attempt at all
        raise StatisticsError(Problem("too_few_rows", params={"n": 0}))
    parts = pd.DataFrame(rows).set_index("participant")
    n = len(parts)
    took = int((~parts.exempted).sum())
    counts = {"enrolled": n, "exempted": int(parts.exempted.sum()), "took_course": took,
              "passed_all_modules": int(parts.all_modules_passed.sum()),
              "certified_by_final": int((parts.certified & ~parts.exempted).sum()),
              "certified": int(parts.certified.sum())}
    funnel = pd.DataFrame({"n": counts}).assign(pct_of_enrolled=lambda f: 100 * f["n"] / n)
    funnel.index.name = "stage"
    mrows, dist = [], {}
    for m in mods:
        gm = a[(a.stage == "module") & (a.module == m)]
        per = gm.groupby("participant")
        first = ((gm.attempt == 1) & (gm.score >= module_pass)).groupby(gm["participant"]).any()
        need = parts[f"attempts_{m}"].reindex(per.size().index)
        mrows.append({"module": m, "n_takers": int(per.ngroups), "first_attempt_pass_rate": float(first.mean()),
                      "pass_rate": float(need.notna().mean()), "mean_attempts": float(per.attempt.max().mean()),
                      "max_attempts": int(per.attempt.max().max()) if per.ngroups else 0})
        dist[m] = need.fillna(0).astype(int).value_counts()
    fin = a[a.stage == "final"]
    if len(fin):
        fin_need = fin["attempt"].where(fin.score >= final_pass).groupby(fin["participant"]).min().fillna(0).astype(int)
        dist["final"] = fin_need.value_counts()
    attempts_tab = pd.DataFrame(dist).T.fillna(0).astype(int)
    attempts_tab = attempts_tab.reindex(columns=sorted(attempts_tab.columns, key=lambda c: (c == 0, c)))
    attempts_tab.columns = ["not passed" if c == 0 else int(c) for c in attempts_tab.columns]
    days = parts["days_to_certificate"].dropna()
    return AssessmentResult(
        funnel=funnel, modules=pd.DataFrame(mrows).set_index("module") if mrows else pd.DataFrame(),
        attempts=attempts_tab, participants=parts,
        violations=pd.DataFrame(violations, columns=["participant", "stage", "module", "attempt", "rule"]),
        certification_rate=counts["certified"] / n,
        time_to_certificate={"median_days": float(days.median()) if len(days) else np.nan,
                             "mean_days": float(days.mean()) if len(days) else np.nan, "n": int(len(days))},
        rules={"placement_pass": placement_pass, "module_pass": module_pass, "max_module_attempts": max_module_attempts,
               "final_pass": final_pass, "max_final_attempts": max_final_attempts})

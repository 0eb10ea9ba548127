"""The pandas implementation of :func:`evalkit.stats.assessment.assessment_path` as it was
before 2026-12-06 (one sub-frame per participant and stage), kept unchanged as the oracle
that the faster implementation must match on random attempt logs (test_assessment.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.errors import Problem, StatisticsError
from evalkit.stats.assessment import REQUIRED, AssessmentResult


def reference_assessment_path(attempts: pd.DataFrame, *, placement_pass: float = 85, module_pass: float = 70,
                              max_module_attempts: int = 5, final_pass: float = 70, max_final_attempts: int = 3,
                              modules=None) -> AssessmentResult:
    missing = [c for c in REQUIRED if c not in attempts.columns]
    if missing:
        raise StatisticsError(Problem("unknown_items", column=", ".join(missing),
                                      params={"available": ", ".join(map(str, attempts.columns))}))
    a = attempts.copy()
    a["stage"] = a["stage"].astype(str).str.lower()
    a["module"] = a["module"].fillna("").astype(str)
    a = a.sort_values(["participant", "stage", "module", "attempt"], kind="stable")
    mods = list(modules) if modules is not None else sorted(m for m in a.loc[a.stage == "module", "module"].unique() if m)
    has_date = "date" in a.columns
    violations, rows = [], []
    for pid, g in a.groupby("participant", sort=True):
        pl = g[g.stage == "placement"]
        placement = pl["score"].iloc[0] if len(pl) else np.nan
        exempted = bool(len(pl) and placement >= placement_pass)
        if len(pl) > 1:
            for _, r in pl.iloc[1:].iterrows():
                violations.append((pid, "placement", "", r.attempt, "placement test taken more than once"))
        passed_mod = {}
        for m, gm in g[g.stage == "module"].groupby("module"):
            over = gm[gm.attempt > max_module_attempts]
            for _, r in over.iterrows():
                violations.append((pid, "module", m, r.attempt, f"attempt {int(r.attempt)} > maximum {max_module_attempts}"))
            ok = gm[(gm.score >= module_pass) & (gm.attempt <= max_module_attempts)]
            passed_mod[m] = int(ok.attempt.min()) if len(ok) else None
            if len(ok):
                after = gm[gm.attempt > ok.attempt.min()]
                for _, r in after.iterrows():
                    violations.append((pid, "module", m, r.attempt, "module exam retaken after it was passed"))
        fin = g[g.stage == "final"]
        for _, r in fin[fin.attempt > max_final_attempts].iterrows():
            violations.append((pid, "final", "", r.attempt, f"attempt {int(r.attempt)} > maximum {max_final_attempts}"))
        fin_ok = fin[(fin.score >= final_pass) & (fin.attempt <= max_final_attempts)]
        all_mods = all(passed_mod.get(m) is not None for m in mods) if mods else len(passed_mod) > 0
        certified_final = bool(len(fin_ok)) and all_mods
        if len(fin) and not all_mods:
            violations.append((pid, "final", "", int(fin.attempt.min()), "final test taken before every module was passed"))
        if exempted and len(g[g.stage != "placement"]):
            violations.append((pid, "module/final", "", None, "exam taken after exemption by the placement test"))
        cert_date = None
        if certified_final:
            first_pass = fin_ok.attempt.min()
            later = fin[fin.attempt > first_pass]
            for _, r in later.iterrows():
                violations.append((pid, "final", "", r.attempt, "exam after certification"))
            if has_date:
                cert_date = pd.Timestamp(fin_ok.loc[fin_ok.attempt == first_pass, "date"].iloc[0])
                late = g[(pd.to_datetime(g["date"]) > cert_date) & (g.stage == "module")]
                for _, r in late.iterrows():
                    violations.append((pid, "module", r.module, r.attempt, "exam after certification"))
        start = pd.Timestamp(pl["date"].iloc[0]) if has_date and len(pl) else None
        rows.append({"participant": pid, "placement": placement, "exempted": exempted,
                     "modules_passed": sum(v is not None for v in passed_mod.values()),
                     "all_modules_passed": all_mods and not exempted, "final_attempts": int(len(fin)),
                     "certified": exempted or certified_final,
                     "certified_on": cert_date if cert_date is not None else (start if exempted else None),
                     "days_to_certificate": (cert_date - start).days if cert_date is not None and start is not None else np.nan,
                     **{f"attempts_{m}": passed_mod.get(m) for m in mods}})
    parts = pd.DataFrame(rows).set_index("participant")
    n = len(parts)
    if n == 0:
        raise StatisticsError(Problem("too_few_rows", params={"n": 0}))
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
        first = per.apply(lambda x: bool(((x.attempt == 1) & (x.score >= module_pass)).any()), include_groups=False)
        need = parts[f"attempts_{m}"].reindex(per.size().index)
        mrows.append({"module": m, "n_takers": int(per.ngroups), "first_attempt_pass_rate": float(first.mean()),
                      "pass_rate": float(need.notna().mean()), "mean_attempts": float(per.attempt.max().mean()),
                      "max_attempts": int(per.attempt.max().max())})
        dist[m] = need.fillna(0).astype(int).value_counts()
    fin = a[a.stage == "final"]
    if len(fin):
        fin_need = fin.groupby("participant").apply(
            lambda x: int(x.loc[x.score >= final_pass, "attempt"].min()) if (x.score >= final_pass).any() else 0,
            include_groups=False)
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

"""The per-participant part of :func:`evalkit.stats.assessment.assessment_path` as it was
before 2026-12-06 (one sub-frame per participant and stage, a lambda per participant for the
module and final tables), kept unchanged as the oracle that the faster implementation must
match on random attempt logs (test_assessment.py). The funnel and the module table's other
columns are computed from these by code the two implementations share, as is the assembly of
a participant's row (``participant_row``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.stats.assessment import participant_row


def reference_participants(attempts: pd.DataFrame, *, placement_pass: float = 85, module_pass: float = 70,
                           max_module_attempts: int = 5, final_pass: float = 70, max_final_attempts: int = 3,
                           modules=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(participants, violations)`` as the former implementation made them."""
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
        rows.append(participant_row(pid, placement, exempted, passed_mod, all_mods, len(fin), certified_final,
                                    cert_date, start, mods))
    return (pd.DataFrame(rows).set_index("participant") if rows else pd.DataFrame(),
            pd.DataFrame(violations, columns=["participant", "stage", "module", "attempt", "rule"]))


def _prepared(attempts):
    a = attempts.copy()
    a["stage"] = a["stage"].astype(str).str.lower()
    a["module"] = a["module"].fillna("").astype(str)
    return a.sort_values(["participant", "stage", "module", "attempt"], kind="stable")


def reference_first_attempt_pass_rate(attempts: pd.DataFrame, module: str, module_pass: float = 70) -> float:
    a = _prepared(attempts)
    per = a[(a.stage == "module") & (a.module == module)].groupby("participant")
    first = per.apply(lambda x: bool(((x.attempt == 1) & (x.score >= module_pass)).any()), include_groups=False)
    return float(first.mean())


def reference_final_attempts_needed(attempts: pd.DataFrame, final_pass: float = 70) -> pd.Series:
    """Participants by the attempt at which they passed the final test (0: not passed)."""
    a = _prepared(attempts)
    fin = a[a.stage == "final"]
    return fin.groupby("participant").apply(
        lambda x: int(x.loc[x.score >= final_pass, "attempt"].min()) if (x.score >= final_pass).any() else 0,
        include_groups=False).value_counts()

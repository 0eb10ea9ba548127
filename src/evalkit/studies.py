"""Published studies that students reproduce with evalkit.

``smart_training(folder)`` reads the figures published for the 2024 "SMART Training" article
(BPSDM Kemendagri; ``data/raw/studies/smart-training-2024/``, copied from ``../shared/studies/``)
and recomputes what can be recomputed: the cost comparison from its cost lines, and the survey
percentages as a diverging bar chart (the article gives only *Setuju* and *Sangat Setuju*).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .stats.costs import check_lines, compare_modes

PUBLISHED = {"classroom_total": 91_829_000, "online_total": 13_731_988, "participants": 30, "respondents": 518,
             "statements": 25}


@dataclass
class SmartStudy:
    survey: pd.DataFrame
    costs: pd.DataFrame
    comparison: pd.DataFrame
    line_checks: pd.DataFrame
    checks: pd.DataFrame  # what matches the article


def smart_training(folder) -> SmartStudy:
    """Load and recompute the SMART Training study (see module docstring)."""
    folder = Path(folder)
    survey = pd.read_csv(folder / "smart_training_survey.csv")
    costs = pd.read_csv(folder / "smart_training_costs.csv")
    survey["pct_other"] = 100 - survey["pct_setuju"] - survey["pct_sangat_setuju"]
    comparison = compare_modes(costs, participants=PUBLISHED["participants"],
                               modes={"classroom": "classroom_total_idr", "online": "online_total_idr"})
    lines = pd.concat([
        check_lines(costs, unit="unit_cost_idr", qty="classroom_qty", total="classroom_total_idr").assign(mode="classroom"),
        check_lines(costs, unit="unit_cost_idr", qty="online_qty", total="online_total_idr").assign(mode="online"),
    ])
    checks = pd.DataFrame([
        ("classroom total", PUBLISHED["classroom_total"], comparison.loc["classroom", "total"]),
        ("online total", PUBLISHED["online_total"], comparison.loc["online", "total"]),
        ("survey: agree + strongly agree ≤ 100 %", 100.0, float((survey.pct_setuju + survey.pct_sangat_setuju).max())),
    ], columns=["check", "published", "recomputed"])
    checks["matches"] = [abs(checks.loc[0, "published"] - checks.loc[0, "recomputed"]) < 0.5,
                         abs(checks.loc[1, "published"] - checks.loc[1, "recomputed"]) < 0.5,
                         checks.loc[2, "recomputed"] <= 100]
    return SmartStudy(survey=survey, costs=costs, comparison=comparison, line_checks=lines, checks=checks)

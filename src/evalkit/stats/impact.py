"""Reaction index (IKM), return on investment and the 20-JP rule.

* IKM — Indeks Kepuasan Masyarakat (PermenPANRB No. 14/2017): nine service elements scored
  1–4; ``index = Σ_i mean_i × 1/9`` (the exact weight 1/9 — the regulation's rounded 0.111
  would turn a perfect 4.00 into 99.9 instead of 100); ``converted = index × 25``. Grades on
  the converted value, rounded half-up to two decimals first: A 88.31–100.00 *Sangat Baik*,
  B 76.61–88.30 *Baik*, C 65.00–76.60 *Kurang Baik*, D 25.00–64.99 *Tidak Baik*.
* ROI (Phillips 2003): ``BCR = benefits / costs``; ``ROI % = (benefits − costs) / costs × 100``;
  with the period over which the benefits accrue (months), ``payback = costs / (benefits /
  period)`` months.
* 20 JP a year: every civil servant is entitled to at least 20 lesson hours of competency
  development a year (PP 11/2017 art. 203 (4)).
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ..errors import Problem, StatisticsError

IKM_GRADES = (("A", 88.31, "Sangat Baik", "very good"), ("B", 76.61, "Baik", "good"),
              ("C", 65.00, "Kurang Baik", "poor"), ("D", 25.00, "Tidak Baik", "very poor"))


def _round2(x: float) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def ikm_grade(converted: float) -> str:
    """Grade of a converted IKM value (25–100): ``"A"``, ``"B"``, ``"C"`` or ``"D"``.

    The value is rounded half-up to two decimals, then placed in the regulation's
    intervals (A 88.31–100.00, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99).

    Examples
    --------
    >>> ikm_grade(88.31), ikm_grade(88.30), ikm_grade(76.605), ikm_grade(64.99)
    ('A', 'B', 'B', 'D')
    """
    if converted is None or not np.isfinite(converted):
        raise StatisticsError(Problem("ikm_out_of_range", params={"value": converted}))
    v = _round2(converted)
    if v < 25.0 or v > 100.0:
        raise StatisticsError(Problem("ikm_out_of_range", params={"value": converted}))
    for grade, lo, _, _ in IKM_GRADES:
        if v >= lo:
            return grade
    return "D"


def ikm(responses: pd.DataFrame, *, items=None) -> dict:
    """Indeks Kepuasan Masyarakat from nine service elements scored 1–4.

    Parameters
    ----------
    responses : DataFrame
        One row per respondent, one column per service element (scores 1–4; missing allowed:
        an element's mean is over those who answered it).
    items : list of str, optional
        The nine element columns (default: every numeric column, which must be nine).

    Returns
    -------
    dict
        ``index`` (1–4), ``converted`` (25–100), ``grade`` (A–D), ``label`` (Sangat Baik …
        Tidak Baik), ``label_en``, ``element_means`` ({element: mean}), ``n`` (respondents).

    Examples
    --------
    >>> import pandas as pd
    >>> r = ikm(pd.DataFrame({f"U{i}": [4, 4, 4] for i in range(1, 10)}))
    >>> r["converted"], r["grade"], r["label"]
    (100.0, 'A', 'Sangat Baik')
    """
    if not isinstance(responses, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(responses).__name__}))
    if items is None:
        items = [c for c in responses.columns if pd.api.types.is_numeric_dtype(responses[c])]
    items = list(items)
    unknown = [i for i in items if i not in responses.columns]
    if unknown:
        raise StatisticsError(Problem("unknown_items", column=", ".join(map(str, unknown)),
                                      params={"available": ", ".join(map(str, responses.columns))}))
    if len(items) != 9:
        raise StatisticsError(Problem("ikm_nine_elements", params={"k": len(items)}))
    X = responses[items].apply(pd.to_numeric, errors="coerce")
    for i in items:
        bad_text = responses[i].notna() & X[i].isna()
        bad = bad_text | (X[i].notna() & ~X[i].isin([1, 2, 3, 4]))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise StatisticsError(Problem("ikm_score", column=str(i), row=row + 2,
                                          params={"value": responses[i].iloc[row]}))
    means = X.mean()
    if means.isna().any():
        raise StatisticsError(Problem("ikm_empty_element", column=str(means.index[means.isna()][0])))
    index = float(sum(means) / 9)
    converted = index * 25
    grade = ikm_grade(converted)
    _, _, label, label_en = next(g for g in IKM_GRADES if g[0] == grade)
    return {"index": index, "converted": converted, "grade": grade, "label": label, "label_en": label_en,
            "element_means": {str(k): float(v) for k, v in means.items()}, "n": int(X.notna().any(axis=1).sum())}


def roi(benefits: float, costs: float, *, period_months: float | None = None) -> dict:
    """Phillips' benefit–cost ratio and return on investment.

    Parameters
    ----------
    benefits : float
        Monetary benefits (after isolating the training's effect and adjusting for confidence).
    costs : float
        Fully loaded costs (> 0).
    period_months : float, optional
        Months over which ``benefits`` accrue (12 for first-year benefits); gives the payback period.

    Returns
    -------
    dict
        ``bcr``, ``roi_pct``, ``net_benefits`` and, with a period, ``payback_months``.

    Examples
    --------
    >>> r = roi(750_000, 425_000, period_months=12)
    >>> round(r["bcr"], 2), round(r["roi_pct"], 1), round(r["payback_months"], 1)
    (1.76, 76.5, 6.8)
    """
    for name, v in (("benefits", benefits), ("costs", costs)):
        if v is None or not np.isfinite(v):
            raise StatisticsError(Problem("not_a_number", column=name, params={"value": v}))
    if costs <= 0:
        raise StatisticsError(Problem("costs_not_positive", column="costs", params={"value": costs}))
    if benefits < 0:
        raise StatisticsError(Problem("negative_benefits", column="benefits", params={"value": benefits}))
    out = {"bcr": benefits / costs, "roi_pct": (benefits - costs) / costs * 100, "net_benefits": benefits - costs,
           "benefits": benefits, "costs": costs}
    if period_months is not None:
        if period_months <= 0:
            raise StatisticsError(Problem("bad_option", params={"name": "period_months", "value": period_months,
                                                                "choices": "> 0"}))
        monthly = benefits / period_months
        out["payback_months"] = costs / monthly if monthly > 0 else math.inf
        out["period_months"] = period_months
    return out


def phillips_benefits(estimates: pd.DataFrame, *, benefit: str = "benefit", contribution: str = "contribution",
                      confidence: str = "confidence") -> pd.DataFrame:
    """Monetary benefits of a training isolated and adjusted as Phillips' ROI Methodology
    prescribes for estimates (Phillips & Phillips, *Return on Investment Basics*, 2005; the
    participant/supervisor-estimate method of isolation).

    Each estimate of an annual improvement is multiplied by the share the estimator attributes
    to the training and by the estimator's confidence in the estimate:
    ``adjusted = benefit × contribution/100 × confidence/100`` (the confidence discount is the
    error-adjustment of Phillips' guiding principle 7, "adjust estimates for the potential
    error"). Participants without an estimate add nothing (guiding principle 6: no data, no
    improvement assumed) — the caller sums over all estimates, not an average × participants.

    Returns
    -------
    DataFrame
        The estimates with ``isolated = benefit × contribution/100`` and ``adjusted``.

    Examples
    --------
    >>> est = pd.DataFrame({"benefit": [36_000_000, 10_000_000], "contribution": [50, 60],
    ...                     "confidence": [80, 75]})
    >>> phillips_benefits(est)["adjusted"].tolist()  # 36m × .5 × .8; 10m × .6 × .75
    [14400000.0, 4500000.0]
    """
    for c in (benefit, contribution, confidence):
        if c not in estimates.columns:
            raise StatisticsError(Problem("unknown_items", column=c,
                                          params={"available": ", ".join(map(str, estimates.columns))}))
    out = estimates.copy()
    vals = {c: pd.to_numeric(out[c], errors="coerce") for c in (benefit, contribution, confidence)}
    for c, lo, hi in ((benefit, 0, np.inf), (contribution, 0, 100), (confidence, 0, 100)):
        bad = vals[c].isna() | (vals[c] < lo) | (vals[c] > hi)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise StatisticsError(Problem("out_of_range", column=c, row=row + 2,
                                          params={"value": out[c].iloc[row], "lo": lo, "hi": hi}))
    out["isolated"] = vals[benefit].astype(float) * vals[contribution] / 100
    out["adjusted"] = out["isolated"] * vals[confidence] / 100
    return out


def fully_loaded_costs(program_costs: float, *, participants: int | None = None, jp: float | None = None,
                       hourly_cost: float | None = None, jp_minutes: float = 45,
                       extra: dict[str, float] | None = None) -> dict[str, float]:
    """Fully loaded costs (Phillips): the program's cost lines, the participants' working
    time spent in training (``participants × JP × jp_minutes/60 × hourly_cost``; 1 JP = 45
    minutes by default, as in the civil service) and any other costs (needs assessment,
    evaluation). Returns each part and ``total``.

    >>> fully_loaded_costs(100_000_000, participants=30, jp=40, hourly_cost=60_000)["participant_time"]
    54000000.0
    """
    parts = {"program": float(program_costs)}
    if hourly_cost is not None and participants and jp:
        parts["participant_time"] = float(participants) * float(jp) * jp_minutes / 60 * float(hourly_cost)
    for k, v in (extra or {}).items():
        parts[str(k)] = float(v)
    if any(v < 0 for v in parts.values()):
        name = next(k for k, v in parts.items() if v < 0)
        raise StatisticsError(Problem("costs_not_positive", column=name, params={"value": parts[name]}))
    parts["total"] = sum(parts.values())
    return parts


def jp_compliance(ledger: pd.DataFrame, *, employee: str = "employee", year: str = "year", jp: str = "jp",
                  minimum: float = 20, employees=None) -> pd.DataFrame:
    """The 20-JP-a-year rule (PP 11/2017 art. 203) checked per employee and year.

    Parameters
    ----------
    ledger : DataFrame
        One row per training attended: employee, year, JP (and any other columns).
    minimum : float
        JP required per year.
    employees : sequence, optional
        The whole workforce. An employee with no training in a year has no row in a
        ledger; given the workforce, each such employee is listed for every year of the
        ledger with 0 JP (the most urgent case). Without it, only employees in the ledger
        that year are checked.

    Returns
    -------
    DataFrame
        One row per employee and year: ``employee, year, jp, trainings, compliant, shortfall``,
        sorted with the employees below the minimum first.

    Examples
    --------
    >>> import pandas as pd
    >>> led = pd.DataFrame({"employee": ["a", "a", "b"], "year": [2026] * 3, "jp": [12, 10, 16]})
    >>> jp_compliance(led)[["employee", "jp", "compliant"]].values.tolist()
    [['b', 16.0, False], ['a', 22.0, True]]
    >>> jp_compliance(led, employees=["a", "b", "c"])[["employee", "jp", "trainings"]].values.tolist()
    [['c', 0.0, 0], ['b', 16.0, 1], ['a', 22.0, 2]]
    """
    for c in (employee, year, jp):
        if c not in ledger.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, ledger.columns))}))
    hours = pd.to_numeric(ledger[jp], errors="coerce")
    if (hours.isna() & ledger[jp].notna()).any() or (hours < 0).any():
        row = int(np.flatnonzero(((hours.isna() & ledger[jp].notna()) | (hours < 0)).to_numpy())[0])
        raise StatisticsError(Problem("not_a_number", column=jp, row=row + 2, params={"value": ledger[jp].iloc[row]}))
    g = ledger.assign(_jp=hours.fillna(0)).groupby([employee, year], sort=True)
    out = pd.DataFrame({"jp": g["_jp"].sum().astype(float), "trainings": g.size()}).reset_index()
    out = out.rename(columns={employee: "employee", year: "year"})
    if employees is not None:
        grid = pd.MultiIndex.from_product([pd.unique(pd.Series(list(employees))), sorted(out["year"].unique())],
                                          names=["employee", "year"])
        out = (out.set_index(["employee", "year"]).reindex(grid.union(out.set_index(["employee", "year"]).index))
               .fillna({"jp": 0.0, "trainings": 0}).astype({"trainings": int}).reset_index())
    out["compliant"] = out["jp"] >= minimum
    out["shortfall"] = (minimum - out["jp"]).clip(lower=0)
    return out.sort_values(["compliant", "shortfall", "employee"], ascending=[True, False, True]).reset_index(drop=True)

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

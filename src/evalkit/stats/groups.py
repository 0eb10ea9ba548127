"""Before/after proportions and comparison groups.

* :func:`mcnemar` — McNemar's test for paired binary outcomes (passed/competent before
  and after). Default: χ² with continuity correction, ``(|b − c| − 1)² / (b + c)``, df = 1,
  as R's ``mcnemar.test``; ``exact=True``: two-sided exact binomial test of b against
  Binomial(b + c, ½) (statsmodels' default); ``correction=False``: ``(b − c)² / (b + c)``.
* :func:`compare_groups` — a trained group against a control group with baseline scores,
  estimated two ways (Vickers & Altman 2001): ANCOVA, ``post ~ pre + group`` (OLS), and the
  change-score (difference-in-differences) model, ``(post − pre) ~ group``. When baselines
  differ the two estimate different things; the table flags where they disagree in sign
  or in significance at α = .05.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import Problem, StatisticsError


def _bool_series(x, name):
    s = pd.Series(x)
    if s.isna().any():
        raise StatisticsError(Problem("missing_binary", column=name))
    if s.dtype == bool:
        return s
    vals = set(pd.unique(s))
    if vals <= {0, 1} or vals <= {0.0, 1.0}:
        return s.astype(bool)
    raise StatisticsError(Problem("not_binary", column=name, params={"values": ", ".join(map(str, sorted(vals, key=str)[:5]))}))


def mcnemar(before, after, *, exact: bool = False, correction: bool = True) -> dict:
    """McNemar's test of a change in a paired proportion (e.g. competent before vs after).

    Parameters
    ----------
    before, after : array-like of bool (or 0/1), equal length, aligned by position
    exact : bool
        Exact two-sided binomial test on the discordant pairs instead of χ².
    correction : bool
        Continuity correction of the χ² statistic (R's default).

    Returns
    -------
    dict
        ``statistic`` (χ², or b for the exact test), ``p_value``, ``df`` (1, or None),
        ``b`` (yes before, no after), ``c`` (no before, yes after), ``n``, ``table``
        (2×2 counts as a DataFrame) and ``method``.

    Examples
    --------
    The 2×2 table (794, 150 / 86, 570) as in R's ``mcnemar.test`` example:

    >>> before = [True] * 944 + [False] * 656
    >>> after = [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570
    >>> r = mcnemar(before, after)
    >>> round(r["statistic"], 3), f"{r['p_value']:.3e}"
    (16.818, '4.115e-05')
    """
    b0, a0 = _bool_series(before, "before"), _bool_series(after, "after")
    if len(b0) != len(a0):
        raise StatisticsError(Problem("unequal_lengths", params={"n_pre": len(b0), "n_post": len(a0)}))
    b0, a0 = b0.to_numpy(), a0.to_numpy()
    b = int((b0 & ~a0).sum())
    c = int((~b0 & a0).sum())
    table = pd.DataFrame([[int((b0 & a0).sum()), b], [c, int((~b0 & ~a0).sum())]],
                         index=pd.Index(["before: yes", "before: no"]), columns=["after: yes", "after: no"])
    out = {"b": b, "c": c, "n": len(b0), "table": table}
    if b + c == 0:
        out.update(statistic=math.nan, p_value=1.0, df=None if exact else 1,
                   method="no discordant pairs: no change to test")
        return out
    if exact:
        p = stats.binomtest(b, b + c, 0.5).pvalue
        out.update(statistic=float(b), p_value=float(p), df=None, method="exact binomial test on discordant pairs")
    else:
        num = (abs(b - c) - 1) ** 2 if correction else (b - c) ** 2
        chi2 = num / (b + c)
        out.update(statistic=float(chi2), p_value=float(stats.chi2.sf(chi2, 1)), df=1,
                   method="McNemar χ²" + (" with continuity correction (R default)" if correction else ""))
    return out


def compare_groups(df: pd.DataFrame, *, pre: str, post: str, group: str, control) -> pd.DataFrame:
    """Effect of each group against the control group, by ANCOVA and by change scores.

    Parameters
    ----------
    df : DataFrame
        One row per participant.
    pre, post, group : str
        Column names.
    control : value
        The value of ``group`` that marks the control (comparison) group.

    Returns
    -------
    DataFrame
        Indexed by each non-control group: ``n, n_control, ancova_effect, ancova_se,
        ancova_p, ancova_ci_low, ancova_ci_high, did_effect, did_se, did_p, did_ci_low,
        did_ci_high, baseline_diff, disagree`` (True where the two estimates differ in sign
        or in significance at .05) and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pre": [50, 52, 48, 55, 51, 49, 53, 50],
    ...                   "post": [60, 63, 57, 66, 52, 50, 55, 51],
    ...                   "g": ["T", "T", "T", "T", "C", "C", "C", "C"]})
    >>> # change: T (10 + 11 + 9 + 11)/4 = 10.25, C (1 + 1 + 2 + 1)/4 = 1.25
    >>> float(round(compare_groups(d, pre="pre", post="post", group="g", control="C").loc["T", "did_effect"], 2))
    9.0
    """
    import statsmodels.api as sm

    for c in (pre, post, group):
        if c not in df.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, df.columns))}))
    d = df[[pre, post, group]].dropna()
    for c in (pre, post):
        if not pd.api.types.is_numeric_dtype(d[c]):
            raise StatisticsError(Problem("non_numeric_item", column=c, params={"dtype": str(d[c].dtype)}))
    groups = [g for g in pd.unique(d[group]) if g != control]
    if control not in set(d[group]):
        raise StatisticsError(Problem("unknown_control", column=group, params={"control": control}))
    rows = []
    for g in groups:
        sub = d[d[group].isin([g, control])]
        x = (sub[group] == g).astype(float).to_numpy()
        n_g, n_c = int(x.sum()), int(len(x) - x.sum())
        if n_g < 2 or n_c < 2:
            raise StatisticsError(Problem("too_few_pairs", column=str(g), params={"n": min(n_g, n_c)}))
        y, x0 = sub[post].to_numpy(float), sub[pre].to_numpy(float)
        anc = sm.OLS(y, sm.add_constant(np.column_stack([x0, x]))).fit()
        did = sm.OLS(y - x0, sm.add_constant(x)).fit()
        a_ci, d_ci = anc.conf_int()[2], did.conf_int()[1]
        row = {"group": g, "n": n_g, "n_control": n_c,
               "ancova_effect": anc.params[2], "ancova_se": anc.bse[2], "ancova_p": anc.pvalues[2],
               "ancova_ci_low": a_ci[0], "ancova_ci_high": a_ci[1],
               "did_effect": did.params[1], "did_se": did.bse[1], "did_p": did.pvalues[1],
               "did_ci_low": d_ci[0], "did_ci_high": d_ci[1],
               "baseline_diff": x0[x == 1].mean() - x0[x == 0].mean()}
        sign = np.sign(row["ancova_effect"]) != np.sign(row["did_effect"])
        sig = (row["ancova_p"] < 0.05) != (row["did_p"] < 0.05)
        row["disagree"] = bool(sign or sig)
        row["note"] = ("the estimates differ in sign" if sign else
                       "one estimate is significant at .05 and the other is not" if sig else "")
        rows.append(row)
    return pd.DataFrame(rows).set_index("group")

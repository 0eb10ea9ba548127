"""Agreement between raters: intraclass correlations (Shrout & Fleiss 1979).

From the two-way ANOVA of an n targets × k raters table (complete rows): mean squares of
targets (MSB), raters (MSJ), residual (MSE) and within targets (MSW). Then

* ICC1  = (MSB − MSW) / (MSB + (k−1)·MSW)                  one-way random, single rater
* ICC2  = (MSB − MSE) / (MSB + (k−1)·MSE + k·(MSJ − MSE)/n)  two-way random, absolute agreement, ICC(A,1)
* ICC3  = (MSB − MSE) / (MSB + (k−1)·MSE)                  two-way mixed, consistency, ICC(C,1)
* ICC1k, ICC2k, ICC3k: the same for the mean of the k raters.

F tests and confidence intervals as R ``psych::ICC`` (McGraw & Wong 1996; for ICC2 the
Satterthwaite-type df ``v``). For alumni-versus-supervisor agreement on the job, ICC2 (absolute
agreement: do they give the *same* scores?) is the one to report; ICC3 asks only whether they
rank people alike.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import Problem, StatisticsError

TYPES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
DESCRIPTION = {
    "ICC1": "one-way random effects, single rater",
    "ICC2": "two-way random effects, absolute agreement, single rater — ICC(A,1)",
    "ICC3": "two-way mixed effects, consistency, single rater — ICC(C,1)",
    "ICC1k": "one-way random effects, mean of k raters",
    "ICC2k": "two-way random effects, absolute agreement, mean of k raters — ICC(A,k)",
    "ICC3k": "two-way mixed effects, consistency, mean of k raters — ICC(C,k)",
}


def icc(data: pd.DataFrame, *, targets: str, raters: str, ratings: str, ci: float = 0.95) -> pd.DataFrame:
    """Intraclass correlations of ratings in long format.

    Parameters
    ----------
    data : DataFrame
        One row per target × rater with the rating.
    targets, raters, ratings : str
        Column names (e.g. participant, rater type, score).
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        Indexed ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k``: ``estimate, F, df1, df2, p_value,
        ci_low, ci_high, description``; ``attrs`` holds ``n`` (targets with every rating) and ``k``.

    Examples
    --------
    Shrout & Fleiss (1979), 6 targets × 4 judges: ICC2 = .29, ICC3 = .71.

    >>> import pandas as pd
    >>> m = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> d = pd.DataFrame([(t, j, m[t][j]) for t in range(6) for j in range(4)], columns=["t", "j", "x"])
    >>> r = icc(d, targets="t", raters="j", ratings="x")
    >>> [round(float(v), 2) for v in r.loc[["ICC2", "ICC3"], "estimate"]]
    [0.29, 0.71]
    """
    for c in (targets, raters, ratings):
        if c not in data.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, data.columns))}))
    if data.duplicated([targets, raters]).any():
        raise StatisticsError(Problem("duplicate_ids_stats", column=f"{targets} × {raters}",
                                      params={"ids": ", ".join(map(str, data.loc[data.duplicated([targets, raters]), targets][:5]))}))
    wide = data.pivot(index=targets, columns=raters, values=ratings).apply(pd.to_numeric, errors="coerce").dropna()
    X = wide.to_numpy(float)
    n, k = X.shape
    if n < 2 or k < 2:
        raise StatisticsError(Problem("too_few_pairs", params={"n": n}))
    grand = X.mean()
    ssb = k * ((X.mean(axis=1) - grand) ** 2).sum()
    ssj = n * ((X.mean(axis=0) - grand) ** 2).sum()
    sst = ((X - grand) ** 2).sum()
    sse = sst - ssb - ssj
    msb, msj = ssb / (n - 1), ssj / (k - 1)
    mse = sse / ((n - 1) * (k - 1))
    msw = (ssj + sse) / (n * (k - 1))
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    icc3 = (msb - mse) / (msb + (k - 1) * mse)
    icc1k = (msb - msw) / msb
    icc2k = (msb - mse) / (msb + (msj - mse) / n)
    icc3k = (msb - mse) / msb
    a = 1 - ci
    f1, df1n, df1d = msb / msw, n - 1, n * (k - 1)
    f3, df3n, df3d = msb / mse, n - 1, (n - 1) * (k - 1)
    f1l, f1u = f1 / stats.f.ppf(1 - a / 2, df1n, df1d), f1 * stats.f.ppf(1 - a / 2, df1d, df1n)
    f3l, f3u = f3 / stats.f.ppf(1 - a / 2, df3n, df3d), f3 * stats.f.ppf(1 - a / 2, df3d, df3n)
    fj = msj / mse
    vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = (n - 1) * k ** 2 * icc2 ** 2 * fj ** 2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    fu2, fl2 = stats.f.ppf(1 - a / 2, n - 1, v), stats.f.ppf(1 - a / 2, v, n - 1)
    l2 = n * (msb - fu2 * mse) / (fu2 * (k * msj + (k * n - k - n) * mse) + n * msb)
    u2 = n * (fl2 * msb - mse) / (k * msj + (k * n - k - n) * mse + n * fl2 * msb)
    rows = {
        "ICC1": (icc1, f1, df1n, df1d, (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)),
        "ICC2": (icc2, f3, df3n, df3d, l2, u2),
        "ICC3": (icc3, f3, df3n, df3d, (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)),
        "ICC1k": (icc1k, f1, df1n, df1d, 1 - 1 / f1l, 1 - 1 / f1u),
        "ICC2k": (icc2k, f3, df3n, df3d, l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1))),
        "ICC3k": (icc3k, f3, df3n, df3d, 1 - 1 / f3l, 1 - 1 / f3u),
    }
    out = pd.DataFrame([{"type": t, "estimate": r[0], "F": r[1], "df1": r[2], "df2": r[3],
                         "p_value": float(stats.f.sf(r[1], r[2], r[3])) if np.isfinite(r[1]) else math.nan,
                         "ci_low": r[4], "ci_high": r[5], "description": DESCRIPTION[t]} for t, r in rows.items()])
    out = out.set_index("type")
    out.attrs.update(n=n, k=k)
    return out

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
from ._conventions import FrameResult, check_finite, note_dropped, word
from .result import apa_ci, apa_df, apa_num, apa_p

TYPES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
DESCRIPTION = {
    "ICC1": "one-way random effects, single rater",
    "ICC2": "two-way random effects, absolute agreement, single rater — ICC(A,1)",
    "ICC3": "two-way mixed effects, consistency, single rater — ICC(C,1)",
    "ICC1k": "one-way random effects, mean of k raters",
    "ICC2k": "two-way random effects, absolute agreement, mean of k raters — ICC(A,k)",
    "ICC3k": "two-way mixed effects, consistency, mean of k raters — ICC(C,k)",
}


class ICCResult(FrameResult):
    """Result of :func:`icc`; behaves like its ``table`` too (``res.loc["ICC2"]``,
    ``res.attrs["n"]``), as the DataFrame of earlier versions.

    Attributes
    ----------
    table : DataFrame
        Indexed ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k``: ``estimate, F, df1, df2, p_value,
        ci_low, ci_high, description``; ``attrs`` holds ``n`` and ``k``.
    n, k : int
        Targets with every rating; raters.
    n_dropped : int
        Targets left out because a rating was missing (``nan_policy="omit"``).
    ci : float
    notes : list of str
    """

    title = "Intraclass correlations (Shrout & Fleiss 1979)"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        r = self.table.loc["ICC2"]
        return f"<ICCResult n={self.n} k={self.k} ICC2={r.estimate:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]>"

    def apa(self, lang: str = "en", type: str = "ICC2") -> str:
        """E.g. ``ICC(A,1) = .29, 95% CI [.02, .76], F(5, 15) = 11.03, p < .001`` (default: ICC2,
        absolute agreement of single raters)."""
        r = self.table.loc[type]
        label = {"ICC1": "ICC(1)", "ICC2": "ICC(A,1)", "ICC3": "ICC(C,1)", "ICC1k": "ICC(k)",
                 "ICC2k": "ICC(A,k)", "ICC3k": "ICC(C,k)"}[type]
        return (f"{label} = {apa_num(r.estimate, 2, lang, leading_zero=False)}, "
                f"{apa_ci(r.ci_low, r.ci_high, 2, lang, self.ci, leading_zero=False)}, "
                f"F({apa_df(r.df1)}, {apa_df(r.df2)}) = {apa_num(r.F, 2, lang)}, {apa_p(r.p_value, lang)}")


def icc(data: pd.DataFrame, *, targets: str, raters: str, ratings: str, ci: float = 0.95,
        nan_policy: str = "omit") -> ICCResult:
    """Intraclass correlations of ratings in long format.

    Parameters
    ----------
    data : DataFrame
        One row per target × rater with the rating.
    targets, raters, ratings : str
        Column names (e.g. participant, rater type, score).
    ci : float
        Confidence level.
    nan_policy : {"omit", "raise"}
        A target without a rating from every rater (a missing row or a missing rating):
        ``"omit"`` leaves it out, counted in ``n_dropped`` and warned about
        (:class:`~evalkit.stats._conventions.DroppedRowsWarning`) — the complete-case
        analysis of psych ``ICC``; ``"raise"`` makes it an error (pingouin's default).

    Returns
    -------
    ICCResult
        ``.to_frame()`` indexed ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k``: ``estimate, F, df1,
        df2, p_value, ci_low, ci_high, description``; ``.n`` targets used, ``.k`` raters,
        ``.n_dropped``; ``.apa()``.

    Examples
    --------
    Shrout & Fleiss (1979), 6 targets × 4 judges: ICC2 = .29, ICC3 = .71.

    >>> import pandas as pd
    >>> m = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> d = pd.DataFrame([(t, j, m[t][j]) for t in range(6) for j in range(4)], columns=["t", "j", "x"])
    >>> r = icc(d, targets="t", raters="j", ratings="x")
    >>> [round(float(v), 2) for v in r.loc[["ICC2", "ICC3"], "estimate"]]
    [0.29, 0.71]
    >>> r.apa()
    'ICC(A,1) = .29, 95% CI [.02, .76], F(5, 15) = 11.03, p < .001'
    """
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    if nan_policy not in ("omit", "raise"):
        raise StatisticsError(Problem("bad_option", params={"name": "nan_policy", "value": nan_policy,
                                                            "choices": "omit, raise"}))
    for c in (targets, raters, ratings):
        if c not in data.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, data.columns))}))
    if data.duplicated([targets, raters]).any():
        raise StatisticsError(Problem("duplicate_ids_stats", column=f"{targets} × {raters}",
                                      params={"ids": ", ".join(map(str, data.loc[data.duplicated([targets, raters]), targets][:5]))}))
    vals = data[ratings]
    if not pd.api.types.is_numeric_dtype(vals) or pd.api.types.is_bool_dtype(vals):
        conv = pd.to_numeric(vals, errors="coerce")
        bad = vals[conv.isna() & vals.notna()]
        if len(bad):
            raise StatisticsError(Problem("non_numeric_scores", column=ratings,
                                          params={"value": bad.iloc[0], "id": data.loc[bad.index[0], targets]}))
        data = data.assign(**{ratings: conv})
    check_finite(data, [ratings])
    full = data.pivot(index=targets, columns=raters, values=ratings).astype(float)
    wide = full.dropna()
    n_dropped = len(full) - len(wide)
    notes = []
    if n_dropped and nan_policy == "raise":
        raise StatisticsError(Problem("nan_in_ratings", column=ratings, params={"n": n_dropped}))
    note = note_dropped(n_dropped, word("why_incomplete_targets", "en"))
    if note:
        notes.append(note)
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
    out.attrs.update(n=n, k=k, n_dropped=n_dropped)
    return ICCResult(table=out, n=n, k=k, n_dropped=n_dropped, ci=ci, notes=notes)

"""Item analysis for tests and the Indonesian "uji validitas".

Multiple-choice tests (:func:`item_analysis`), on items scored 0/1 (or raw answers with
an answer ``key``):

* difficulty index p = proportion correct; bands: *hard* p < .30, *moderate* .30 ≤ p ≤ .70,
  *easy* p > .70 (the usual classroom-test convention);
* discrimination D = p_upper − p_lower, with upper and lower groups the top and bottom
  27 % of respondents by total score (Kelley 1939); group size ``round(0.27·n)``, ties at
  the cut broken by the respondents' order in the data; bands after Ebel (1965):
  *very good* D ≥ .40, *good* .30–.39, *marginal* .20–.29 (revise), *poor* < .20 (drop or rewrite);
* point-biserial r of the item with the total (item included) and with the rest
  (item excluded, the corrected value);
* KR-20 (Kuder & Richardson 1937): ``k/(k−1)·(1 − Σ p_i q_i / σ²_X)`` with population
  variances; this is exactly Cronbach's α on 0/1 items.

Uji validitas (:func:`item_validity`) as Indonesian theses report it: the Pearson r of each
item with the total score against the critical r of a two-tailed test at ``alpha`` with
df = n − 2, ``r_crit = t/√(df + t²)``; an item is *valid* when r > r_crit. The corrected
item–rest r is given beside it: the plain item–total r counts the item in its own total,
so it is inflated, most of all in short scales; the corrected r is the defensible one.
Both use complete rows (the total needs every item).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import Problem, StatisticsError
from ._conventions import note_dropped
from ._util import html_table
from .result import Result, apa_ci, apa_num


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r, NaN when either variable is constant."""
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else math.nan


def _band(x, cuts):
    if x is None or not np.isfinite(x):
        return None
    out = cuts[0][1]
    for lo, name in cuts:
        if x >= lo:
            out = name
    return out


DIFFICULTY = [(-math.inf, "hard"), (0.30, "moderate"), (0.700000001, "easy")]
DISCRIMINATION = [(-math.inf, "poor"), (0.20, "marginal"), (0.30, "good"), (0.40, "very_good")]


def _score(data, items, key):
    if items is None:
        items = list(key) if key else list(data.columns)
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise StatisticsError(Problem("unknown_items", column=", ".join(map(str, missing)),
                                      params={"available": ", ".join(map(str, data.columns[:15]))}))
    if key:
        X = pd.DataFrame({i: np.where(data[i].isna(), np.nan,
                                      (data[i].astype(str).str.strip().str.upper()
                                       == str(key[i]).strip().upper()).astype(float))
                          for i in items}, index=data.index)
    else:
        X = data[items].apply(pd.to_numeric, errors="coerce")
        bad = [i for i in items if not set(pd.unique(X[i].dropna())) <= {0.0, 1.0}]
        if bad:
            raise StatisticsError(Problem("not_binary", column=bad[0],
                                          params={"values": ", ".join(map(str, pd.unique(data[bad[0]].dropna())[:5]))}))
    if len(items) < 2:
        raise StatisticsError(Problem("too_few_items", params={"k": len(items)}))
    return X


class ItemAnalysisResult(Result):
    """Result of :func:`item_analysis`.

    Attributes
    ----------
    items : DataFrame
        Indexed by item: ``n, difficulty, difficulty_band, p_upper, p_lower, discrimination,
        discrimination_band, point_biserial, point_biserial_rest, alpha_if_deleted``.
    kr20 : float
    n, k : int
        Complete rows used; items.
    group_size : int
        Size of the upper and of the lower group.
    kr20_ci_low, kr20_ci_high : float
        Feldt CI of KR-20 (KR-20 is α of the 0/1 items; Feldt, Woodruff & Salih 1987).
    n_dropped : int
        Rows left out for a missing answer (the total needs every item).
    """

    title = "Item analysis"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def to_frame(self) -> pd.DataFrame:
        """The item table (columns as in :attr:`items`)."""
        return self.items.copy()

    def apa(self, lang: str = "en") -> str:
        """E.g. ``KR-20 = .62, 95% CI [.40, .78] (Feldt), k = 20, n = 35``, with the number of
        items of poor discrimination (D < .20)."""
        poor = int((self.items["discrimination_band"] == "poor").sum())
        return (f"KR-20 = {apa_num(self.kr20, 2, lang, leading_zero=False)}, "
                f"{apa_ci(self.kr20_ci_low, self.kr20_ci_high, 2, lang, self.ci, leading_zero=False)} (Feldt), "
                f"k = {self.k}, n = {self.n}; D < {apa_num(0.2, 2, lang, leading_zero=False)}: {poor}")

    def __repr__(self):
        return f"<ItemAnalysisResult k={self.k} n={self.n} KR-20={self.kr20:.3f}>"

    def summary(self) -> str:
        with pd.option_context("display.width", 140, "display.max_columns", 20):
            return (f"Item analysis: k = {self.k}, n = {self.n} (upper/lower groups of {self.group_size}; "
                    f"dropped: {self.n_dropped}); KR-20 = {self.kr20:.4f} "
                    f"[{self.kr20_ci_low:.4f}, {self.kr20_ci_high:.4f}]\n\n{self.items.round(3).to_string()}"
                    f"\n\n{self.apa('en')}")

    def _repr_html_(self) -> str:
        import html as _html

        return (html_table(self.items, f"Item analysis (k = {self.k}, n = {self.n}, KR-20 = {self.kr20:.3f})")
                + f"<p class=\"evalkit-apa\">{_html.escape(self.apa('en'))}</p>")


def item_analysis(data: pd.DataFrame, items=None, *, key: dict | None = None,
                  group_fraction: float = 0.27, ci: float = 0.95) -> ItemAnalysisResult:
    """Classical item analysis of a test: difficulty, discrimination, point-biserial, KR-20.

    Parameters
    ----------
    data : DataFrame
        One row per test taker; items scored 0/1, or raw answers (``"A"``…) with ``key``.
    items : list of str, optional
        Default: the keys of ``key``, else every column.
    key : dict, optional
        ``{item: correct answer}``; answers are compared ignoring case and spaces.
    group_fraction : float
        Share of test takers in each of the upper and lower groups (Kelley's 27 %).
    ci : float
        Confidence level of KR-20's Feldt CI.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"q1": [1, 1, 1, 0, 1, 0], "q2": [1, 0, 1, 0, 0, 0], "q3": [1, 1, 0, 1, 0, 0]})
    >>> res = item_analysis(d)
    >>> res.items["difficulty"].round(3).tolist()
    [0.667, 0.333, 0.5]
    >>> res.apa()
    'KR-20 = .36, 95% CI [−1.70, .90] (Feldt), k = 3, n = 6; D < .20: 0'
    """
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    X = _score(data, items, key)
    n_all = len(X)
    X = X.dropna()
    n_dropped = n_all - len(X)
    n, k = X.shape
    if n < 3:
        raise StatisticsError(Problem("too_few_rows", params={"n": n}))
    A = X.to_numpy(float)
    total = A.sum(axis=1)
    p = A.mean(axis=0)
    g = max(1, int(round(group_fraction * n)))
    order = np.argsort(-total, kind="stable")
    upper, lower = A[order[:g]], A[order[-g:]]
    pu, pl = upper.mean(axis=0), lower.mean(axis=0)

    rpb = np.array([_pearson(A[:, j], total) for j in range(k)])
    rpb_rest = np.array([_pearson(A[:, j], total - A[:, j]) for j in range(k)])
    var_pop = total.var()
    kr20 = k / (k - 1) * (1 - (p * (1 - p)).sum() / var_pop) if var_pop > 0 else math.nan
    a_del = []
    for j in range(k):
        rest = np.delete(A, j, axis=1)
        t = rest.sum(axis=1)
        pj = rest.mean(axis=0)
        a_del.append((k - 1) / (k - 2) * (1 - (pj * (1 - pj)).sum() / t.var()) if k > 2 and t.var() > 0 else math.nan)
    disc = pu - pl
    table = pd.DataFrame({
        "n": n, "difficulty": p, "difficulty_band": [_band(x, DIFFICULTY) for x in p],
        "p_upper": pu, "p_lower": pl, "discrimination": disc,
        "discrimination_band": [_band(x, DISCRIMINATION) for x in disc],
        "point_biserial": rpb, "point_biserial_rest": rpb_rest, "alpha_if_deleted": a_del,
    }, index=pd.Index(list(X.columns), name="item"))
    from .reliability import feldt_ci

    lo, hi = feldt_ci(kr20, n, k, ci)
    notes = []
    note = note_dropped(n_dropped, "rows with a missing answer (the total needs every item)")
    if note:
        notes.append(note)
    return ItemAnalysisResult(items=table, kr20=kr20, n=n, k=k, group_size=g, kr20_ci_low=lo, kr20_ci_high=hi,
                              ci=ci, n_dropped=n_dropped, notes=notes)


def critical_r(n: int, alpha: float = 0.05) -> float:
    """Critical Pearson r of a two-tailed test with df = n − 2 (the "r tabel").

    Examples
    --------
    >>> round(critical_r(32), 4), round(critical_r(12), 4)
    (0.3494, 0.576)
    """
    df = n - 2
    if df < 1:
        return math.nan
    t = stats.t.ppf(1 - alpha / 2, df)
    return float(t / math.sqrt(df + t * t))


def item_validity(data: pd.DataFrame, items=None, *, reverse=(), scale=None, alpha: float = 0.05) -> pd.DataFrame:
    """Uji validitas: item–total r against the critical r, with the corrected item–rest r.

    Returns
    -------
    DataFrame
        Indexed by item: ``n, r_item_total, r_critical, valid, r_item_rest, valid_corrected``;
        ``attrs["note"]`` explains why the corrected r is preferred.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 4], "b": [2, 2, 3, 5, 5, 4], "c": [5, 1, 2, 2, 4, 1]})
    >>> v = item_validity(d)  # n = 6: r_crit = .811; item a's r = .792 falls just short
    >>> v["valid"].tolist()
    [False, True, False]
    """
    from .reliability import _prepare

    reverse = [reverse] if isinstance(reverse, str) else list(reverse or ())
    items, X, _, _ = _prepare(data, items, reverse, scale)
    X = X[~np.isnan(X).any(axis=1)]
    n = X.shape[0]
    if n < 3:
        raise StatisticsError(Problem("too_few_rows", params={"n": n}))
    total = X.sum(axis=1)
    rc = critical_r(n, alpha)

    rt = np.array([_pearson(X[:, j], total) for j in range(len(items))])
    rr = np.array([_pearson(X[:, j], total - X[:, j]) for j in range(len(items))])
    out = pd.DataFrame({"n": n, "r_item_total": rt, "r_critical": rc, "valid": rt > rc,
                        "r_item_rest": rr, "valid_corrected": rr > rc}, index=pd.Index(items, name="item"))
    out.attrs["note"] = ("valid = item–total r above the critical r (two-tailed, alpha = "
                         f"{alpha}, df = {n - 2}); the corrected item–rest r excludes the item from its "
                         "own total and is preferred, because the plain r is inflated by the item's "
                         "correlation with itself, most in short scales.")
    return out

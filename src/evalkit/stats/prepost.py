"""Paired pre/post comparison: tests, effect sizes, normalized gain, reliable change.

Differences are always ``post − pre``. Formulas and sources:

* paired t-test: ``t = M_d / (SD_d/√n)``, df = n − 1, CI of the mean difference
  ``M_d ± t_{1−q/2, n−1}·SD_d/√n`` (R ``t.test(paired = TRUE)``).
* Wilcoxon signed-rank, ``wilcoxon="approx"``: zero differences dropped, average ranks
  for ties, ``V`` = sum of positive ranks, normal approximation with tie-corrected
  variance and continuity correction (R ``wilcox.test(paired = TRUE, exact = FALSE)``).
  ``"exact"``: exact null distribution (R ``exact = TRUE``), available only without ties
  or zeros after dropping; otherwise the approximation is used and a note says so.
* Cohen's d_z = M_d/SD_d = t/√n; d_rm = d_z·√(2(1 − r)); d_av = M_d/((SD_pre + SD_post)/2)
  (Lakens 2013, eq. 8–10); ``d_av_rms`` = M_d/√((SD_pre² + SD_post²)/2) (the variant of
  pingouin and R ``effectsize``); g_z = d_z·J(n − 1) with the exact
  J(df) = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)) (Hedges 1981).
  CI of d_z: inversion of the noncentral t distribution with df = n − 1 and
  noncentrality d_z·√n (Cumming & Finch 2001); g_z's CI is that CI times J.
* normalized gain (Hake 1998): ``class_gain`` ⟨g⟩ = (M_post − M_pre)/(max − M_pre);
  ``mean_individual_gain``: mean of (post − pre)/(max − pre) over participants with
  pre < max (Bao 2006); ``normalized_change``: mean of Marx & Cummings' (2007) c —
  (post − pre)/(max − pre) if post > pre, (post − pre)/pre if post < pre, 0 if equal;
  participants at the ceiling on both tests or at the floor (0) on both are left out.
* reliable change (Jacobson & Truax 1991): RCI = diff / (√2·SD_pre·√(1 − r_xx)); a change
  is reliable when |RCI| > 1.96.
* matched-pairs rank-biserial correlation (Kerby 2014): r_rb = (R₊ − R₋)/(R₊ + R₋) over the
  ranks of |post − pre| with zeros dropped (R ``effectsize::rank_biserial(post, pre,
  paired = TRUE)``, pingouin ``wilcoxon(post, pre)["RBC"]``); CI by Fisher's z with
  SE = √((2n³ + 3n² + n)/6) / ((n² + n)/2), n = non-zero differences (as
  ``effectsize::rank_biserial(post − pre)``; its paired form counts the zero differences in n).
* CLES (common-language effect size, Vargha & Delaney 2000): P(post_i > pre_j) + ½·P(post_i =
  pre_j) over all n² pairs of a post and a pre score, as pingouin ``wilcoxon(post, pre)["CLES"]``
  (ignores the pairing; a CI is not computed).

Orientation and conventions (compare with other software):

* every difference and sign is **post − pre**: a gain is positive;
* ``V`` (Wilcoxon) is the sum of the ranks of the *positive* differences post − pre, R's
  ``wilcox.test(post, pre, paired = TRUE)$statistic``; SciPy and pingouin report
  min(R₊, R₋) for the two-sided test instead (R₊ for one-sided);
* ``d_z`` equals R ``effectsize::cohens_d(post, pre, paired = TRUE)`` (effectsize 0.8) and
  pingouin ``compute_effsize(post, pre, paired=True, eftype="cohen_dz")``;
* ``d_av_rms`` equals pingouin ``compute_effsize(post, pre, paired=True)`` (its default
  ``eftype="cohen"``, the "d_avg" of pingouin's documentation);
* ``alternative="greater"`` tests post > pre, ``"less"`` post < pre (R's ``alternative`` with
  ``x = post``); one-sided p values, and one-sided CIs for the mean difference, d_z, g_z and
  r_rb (as R ``t.test`` and ``effectsize``: the other bound is ±∞, or ±1 for r_rb); r_rb and
  CLES keep their post − pre orientation (pingouin flips both for ``"less"``; R does not).
"""
from __future__ import annotations

import math
import warnings as _w

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import Problem, StatisticsError
from ._conventions import check_finite, note_dropped
from ._util import html_table, warnings_html
from .result import Result, apa_ci, apa_df, apa_num, apa_p

ALTERNATIVES = ("two-sided", "greater", "less")


#: Hake's (1998) cut-offs of the normalized gain, the field's default; programs take theirs
#: from the ``hake`` band set of ``config/bands.yaml`` (evalkit.levels.learning passes them)
HAKE_CUTOFFS = (0.3, 0.7)


def hake_band(g: float, cutoffs: tuple[float, float] = HAKE_CUTOFFS) -> str:
    """Band of a normalized gain: ``"high"`` (g ≥ ``cutoffs[1]``), ``"medium"``
    (``cutoffs[0]`` ≤ g < ``cutoffs[1]``) or ``"low"`` (g < ``cutoffs[0]``). The default
    cut-offs are Hake's (1998): 0.3 and 0.7.

    Examples
    --------
    >>> hake_band(0.7), hake_band(0.3), hake_band(0.29)
    ('high', 'medium', 'low')
    >>> hake_band(0.65, cutoffs=(0.3, 0.6))
    'high'
    """
    if g is None or not np.isfinite(g):
        return "not computed"
    lo, hi = cutoffs
    if g >= hi:
        return "high"
    if g >= lo:
        return "medium"
    return "low"


def hedges_j(df: float) -> float:
    """Exact small-sample correction J(df) = Γ(df/2) / (√(df/2)·Γ((df−1)/2)).

    Examples
    --------
    >>> round(hedges_j(9), 6)
    0.913875
    """
    if df <= 1:
        return math.nan
    return math.exp(special.gammaln(df / 2) - math.log(math.sqrt(df / 2)) - special.gammaln((df - 1) / 2))


def _nct_ci(t: float, df: int, n: int, ci: float) -> tuple[float, float]:
    """CI of d = t/√n by inverting the noncentral t distribution."""
    q = (1 - ci) / 2

    def cdf(ncp):
        # P(T ≤ t | ncp) falls from 1 to 0 as ncp grows; SciPy returns NaN far in the
        # tails, where the limit is known. For a finite t, stats.nct.cdf(t, df, ncp) is
        # special.nctdtr(df, ncp, t) after ~70 µs of argument checks: called directly (the
        # same number), as brentq asks ~14 times per bound.
        v = special.nctdtr(df, ncp, t) if math.isfinite(t) else stats.nct.cdf(t, df, ncp)
        return v if np.isfinite(v) else (1.0 if ncp < t else 0.0)

    def solve(target):
        f = lambda ncp: cdf(ncp) - target  # noqa: E731
        width = 10 * math.sqrt(1 + t * t / (2 * df))
        lo, hi = t - width, t + width
        try:
            return optimize.brentq(f, lo, hi, xtol=1e-12)
        except ValueError:
            return math.nan

    return solve(1 - q) / math.sqrt(n), solve(q) / math.sqrt(n)


def wilcoxon_signed_rank(d: np.ndarray, method: str = "approx", alternative: str = "two-sided") -> dict:
    """Wilcoxon signed-rank test of paired differences ``d`` with R's conventions
    (``alternative="greater"``: the differences tend to be positive)."""
    d = np.asarray(d, float)
    nz = d[d != 0]
    n = len(nz)
    out = {"statistic": math.nan, "p_value": math.nan, "n_zero": int((d == 0).sum()), "method": ""}
    if n == 0:
        out["method"] = "not computed: every difference is zero"
        return out
    ranks = stats.rankdata(np.abs(nz))
    V = ranks[nz > 0].sum()
    out["statistic"] = float(V)
    ties = len(np.unique(np.abs(nz))) < n
    if method == "exact" and not ties and out["n_zero"] == 0:
        res = stats.wilcoxon(nz, method="exact", alternative=alternative)
        out["p_value"] = float(res.pvalue)
        out["method"] = "exact"
        return out
    _, counts = np.unique(ranks, return_counts=True)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - (counts ** 3 - counts).sum() / 48)
    z = V - n * (n + 1) / 4
    if sigma == 0:
        out["method"] = "not computed: no variance"
        return out
    if alternative == "two-sided":
        z = (z - np.sign(z) * 0.5) / sigma
        out["p_value"] = float(min(1.0, 2 * min(stats.norm.cdf(z), stats.norm.sf(z))))
    elif alternative == "greater":
        z = (z - 0.5) / sigma
        out["p_value"] = float(stats.norm.sf(z))
    else:
        z = (z + 0.5) / sigma
        out["p_value"] = float(stats.norm.cdf(z))
    out["z"] = float(z)
    out["method"] = "normal approximation, continuity correction, zeros dropped (R exact = FALSE)"
    if method == "exact":
        out["method"] += "; exact test not possible with ties or zero differences"
    return out


def _as_pairs(pre, post) -> tuple[pd.DataFrame, int, int]:
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series) and not (
        isinstance(pre.index, pd.RangeIndex) and isinstance(post.index, pd.RangeIndex)
    ):
        for name, s in (("pre", pre), ("post", post)):
            dup = s.index[s.index.duplicated()].unique().tolist()
            if dup:
                raise StatisticsError(Problem("duplicate_ids_stats", column=name,
                                              params={"ids": ", ".join(map(str, dup[:5]))}))
        common = pre.index.intersection(post.index, sort=False)
        unmatched = len(pre.index.symmetric_difference(post.index))
        df = pd.DataFrame({"pre": pre.loc[common], "post": post.loc[common]})
    else:
        a, b = np.asarray(pre), np.asarray(post)
        if a.shape != b.shape or a.ndim != 1:
            raise StatisticsError(Problem("unequal_lengths", params={"n_pre": a.size, "n_post": b.size}))
        idx = pre.index if isinstance(pre, pd.Series) else pd.RangeIndex(len(a))
        df = pd.DataFrame({"pre": a, "post": b}, index=idx)
        unmatched = 0
    for c in ("pre", "post"):
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]):
            conv = pd.to_numeric(df[c], errors="coerce")
            bad = df[c][conv.isna() & df[c].notna()]
            if len(bad):
                raise StatisticsError(Problem("non_numeric_scores", column=c,
                                              params={"value": bad.iloc[0], "id": bad.index[0]}))
            df[c] = conv
    df = df.astype(float)
    check_finite(df, ["pre", "post"])
    missing = int(df.isna().any(axis=1).sum())
    return df.dropna(), unmatched, missing


def _bound(x, lang, digits=2, leading_zero=True):
    if x is not None and np.isfinite(x):
        return apa_num(x, digits, lang, leading_zero=leading_zero)
    return "NA" if x is None or np.isnan(x) else ("∞" if x > 0 else "\u2212∞")


def _ci_text(lo, hi, lang, level, digits=2, leading_zero=True):
    """apa_ci, with ∞ for the open side of a one-sided interval."""
    if np.isfinite(lo) and np.isfinite(hi) or (np.isnan(lo) and np.isnan(hi)):
        return apa_ci(lo, hi, digits, lang, level, leading_zero=leading_zero)
    text = apa_ci(0, 0, digits, lang, level)
    head = text[:text.index("[")]
    sep = "; " if lang == "id" else ", "
    return f"{head}[{_bound(lo, lang, digits, leading_zero)}{sep}{_bound(hi, lang, digits, leading_zero)}]"


class PrePostResult(Result):
    """Result of :func:`prepost`.

    Attributes
    ----------
    tests : DataFrame
        Indexed ``paired_t``, ``wilcoxon``; columns ``statistic, df, p_value, ci_low,
        ci_high, method``. The t-test CI is that of the mean difference; Wilcoxon's
        ``statistic`` is R's V (sum of positive ranks).
    effect_sizes : DataFrame
        Indexed ``d_z, d_rm, d_av, d_av_rms, g_z``; columns ``estimate, ci_low, ci_high,
        ci_method, formula``.
    gain : dict or None
        With ``max_score``: ``class_gain, mean_individual_gain, normalized_change,
        n_excluded, band``.
    participants : DataFrame
        One row per matched participant: ``pre, post, diff, gain`` and, with
        ``reliability``, ``rci, change``.
    normality : dict
        Shapiro–Wilk test of the differences and the test it supports.
    n, n_unmatched, n_missing : int
        Pairs used; ids on one side only; pairs dropped for a missing score.
    n_dropped : int
        ``n_unmatched + n_missing`` (also warned about when called from outside evalkit).
    alternative : str
        ``"two-sided"``, ``"greater"`` (post > pre) or ``"less"``.
    """

    title = "Paired pre/post comparison"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per test and effect size: ``kind`` (test / effect size),
        ``statistic, df, p_value`` (tests), ``estimate, ci_low, ci_high`` (the mean difference
        post − pre for the t-test, the effect size otherwise), ``alternative, method``."""
        t = self.tests
        rows = []
        for name, r in t.iterrows():
            rows.append({"name": name, "kind": "test", "statistic": r.statistic, "df": r.df, "p_value": r.p_value,
                         "estimate": self.mean_diff if name == "paired_t" else math.nan,
                         "ci_low": r.ci_low, "ci_high": r.ci_high, "alternative": self.alternative,
                         "method": r.method})
        for name, r in self.effect_sizes.iterrows():
            rows.append({"name": name, "kind": "effect size", "statistic": math.nan, "df": math.nan,
                         "p_value": math.nan, "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                         "alternative": self.alternative, "method": f"{r.formula}; CI: {r.ci_method}"})
        return pd.DataFrame(rows).set_index("name")

    def apa(self, lang: str = "en", test: str = "t") -> str:
        """APA 7 sentence of the paired t-test with d_z (``test="t"``, default), e.g.
        ``t(33) = 6.36, p < .001, d_z = 1.09, 95% CI [0.66, 1.51]``, or of the Wilcoxon test
        with the rank-biserial r (``test="wilcoxon"``): ``V = 470, p < .001, r_rb = .90,
        95% CI [.79, .95]``. One-sided tests say so."""
        side = "" if self.alternative == "two-sided" else f" ({self.alternative})"
        if test == "wilcoxon":
            w, e = self.tests.loc["wilcoxon"], self.effect_sizes.loc["rank_biserial"]
            return (f"V = {apa_num(w.statistic, 1 if w.statistic % 1 else 0, lang)}, {apa_p(w.p_value, lang)}{side}, "
                    f"r_rb = {apa_num(e.estimate, 2, lang, leading_zero=False)}, "
                    f"{_ci_text(e.ci_low, e.ci_high, lang, self.ci, leading_zero=False)}")
        tt, e = self.tests.loc["paired_t"], self.effect_sizes.loc["d_z"]
        return (f"t({apa_df(tt.df)}) = {apa_num(tt.statistic, 2, lang)}, {apa_p(tt.p_value, lang)}{side}, "
                f"d_z = {apa_num(e.estimate, 2, lang)}, {_ci_text(e.ci_low, e.ci_high, lang, self.ci)}")

    def __repr__(self):
        t = self.tests.loc["paired_t"]
        return (f"<PrePostResult n={self.n} mean_diff={self.mean_diff:.3f} t={t.statistic:.3f} "
                f"p={t.p_value:.4g} d_z={self.effect_sizes.loc['d_z', 'estimate']:.3f}>")

    def summary(self) -> str:
        with pd.option_context("display.width", 140, "display.max_columns", 20):
            parts = [
                f"Pre/post comparison: n = {self.n} pairs (unmatched ids: {self.n_unmatched}, "
                f"missing scores: {self.n_missing})",
                f"pre M = {self.pre_mean:.3f} (SD {self.pre_sd:.3f}); post M = {self.post_mean:.3f} "
                f"(SD {self.post_sd:.3f}); r(pre, post) = {self.r:.3f}; differences post − pre; "
                f"alternative: {self.alternative}",
                "", self.tests.round(6).to_string(), "", self.effect_sizes.round(4).to_string()]
            if self.gain:
                g = self.gain
                parts += ["", f"class gain <g> = {g['class_gain']:.3f} ({g['band']}); mean individual gain = "
                          f"{g['mean_individual_gain']:.3f}; normalized change c = {g['normalized_change']:.3f} "
                          f"(excluded: {g['n_excluded']})"]
            nm = self.normality
            parts += ["", f"Shapiro–Wilk on differences: W = {nm['W']:.4f}, p = {nm['p_value']:.4g} → {nm['recommended']}"]
        parts += ["", self.apa("en"), self.apa("en", test="wilcoxon")]
        if self.notes:
            parts += ["", "Notes:"] + [f"  - {x}" for x in self.notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        import html as _html

        return (html_table(self.tests, f"Pre/post tests (n = {self.n}, {self.alternative})", 4)
                + html_table(self.effect_sizes, "Effect sizes", 4)
                + (html_table(pd.DataFrame([self.gain]), "Normalized gain", 4) if self.gain else "")
                + f"<p class=\"evalkit-apa\">{_html.escape(self.apa('en'))}</p>"
                + warnings_html(self.notes))


def _boot_d(x, y, n_boot, seed, ci):
    """Percentile-bootstrap CIs of d_rm, d_av and d_av_rms, resampling participants (pairs)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    out = {k: [] for k in ("d_rm", "d_av", "d_av_rms")}
    chunk = max(1, 2_000_000 // max(n, 1))
    done = 0
    with np.errstate(all="ignore"):
        while done < n_boot:
            b = min(chunk, n_boot - done)
            idx = rng.integers(0, n, (b, n))
            xb, yb = x[idx], y[idx]
            d = yb - xb
            md, sdd = d.mean(1), d.std(1, ddof=1)
            s1, s2 = xb.std(1, ddof=1), yb.std(1, ddof=1)
            xc, yc = xb - xb.mean(1, keepdims=True), yb - yb.mean(1, keepdims=True)
            r = (xc * yc).sum(1) / np.sqrt((xc ** 2).sum(1) * (yc ** 2).sum(1))
            out["d_rm"].append(md / sdd * np.sqrt(2 * (1 - r)))
            out["d_av"].append(md / ((s1 + s2) / 2))
            out["d_av_rms"].append(md / np.sqrt((s1 ** 2 + s2 ** 2) / 2))
            done += b
    q = (1 - ci) / 2
    res = {}
    for k, parts in out.items():
        v = np.concatenate(parts)
        v = v[np.isfinite(v)]
        res[k] = tuple(np.quantile(v, [q, 1 - q])) if len(v) >= n_boot // 2 else (math.nan, math.nan)
    return res


def _one_sided(lo, hi, alternative, lower=-math.inf, upper=math.inf):
    """Open the side of an interval that a one-sided alternative does not bound."""
    if alternative == "greater":
        return lo, upper
    if alternative == "less":
        return lower, hi
    return lo, hi


def rank_biserial(d, ci: float = 0.95, alternative: str = "two-sided") -> tuple[float, float, float]:
    """Matched-pairs rank-biserial r of differences ``d`` with its Fisher-z CI (Kerby 2014;
    R ``effectsize::rank_biserial(paired = TRUE)``), zeros dropped.

    Examples
    --------
    >>> r, lo, hi = rank_biserial([1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4])
    >>> round(r, 4)
    1.0
    """
    d = np.asarray(d, float)
    nz = d[d != 0]
    n = len(nz)
    if n == 0:
        return math.nan, math.nan, math.nan
    rk = stats.rankdata(np.abs(nz))
    r = float((rk[nz > 0].sum() - rk[nz < 0].sum()) / rk.sum())
    se = math.sqrt((2 * n ** 3 + 3 * n ** 2 + n) / 6) / ((n ** 2 + n) / 2)
    level = ci if alternative == "two-sided" else 2 * ci - 1
    z = stats.norm.ppf(1 - (1 - level) / 2)
    zr = math.atanh(max(-1.0, min(1.0, r)) * (1 - 1e-15))
    lo, hi = math.tanh(zr - z * se), math.tanh(zr + z * se)
    lo, hi = _one_sided(lo, hi, alternative, -1.0, 1.0)
    return r, lo, hi


def cles(pre, post) -> float:
    """Common-language effect size P(post_i > pre_j) + ½ P(post_i = pre_j) over all n² pairs
    (Vargha & Delaney 2000; pingouin ``wilcoxon(post, pre)["CLES"]``).

    Examples
    --------
    >>> cles([1, 2, 3], [2, 3, 4])
    0.7777777777777778
    """
    x, y = np.sort(np.asarray(pre, float)), np.asarray(post, float)
    below = np.searchsorted(x, y, side="left")
    at_or_below = np.searchsorted(x, y, side="right")
    return float((below + 0.5 * (at_or_below - below)).sum() / (len(x) * len(y)))


def prepost(pre=None, post=None, *, data=None, max_score=None, reliability=None, ci=0.95,
            alternative="two-sided", wilcoxon="approx", n_boot=2000, seed=None,
            gain_cutoffs: tuple[float, float] = HAKE_CUTOFFS) -> PrePostResult:
    """Compare paired pre- and post-test scores.

    Parameters
    ----------
    pre, post : str, or Series indexed by participant id, or equal-length arrays
        With ``data``: the column names. Otherwise Series are aligned by id (ids on one side
        only are left out and counted in ``n_unmatched``) and arrays by position.
    data : DataFrame, optional
        One row per participant (``prepost(data=df, pre="pre", post="post")``, as pingouin and
        seaborn); rows are paired within the row.
    max_score : float, optional
        Maximum possible score; enables the normalized gains.
    reliability : float, optional
        Reliability of the test (e.g. KR-20), for the Jacobson–Truax reliable change index.
    ci : float
        Confidence level.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the t and Wilcoxon tests, about post − pre (``"greater"``: post > pre),
        as R ``t.test(post, pre, paired = TRUE, alternative = ...)``; one-sided CIs then (see
        the module docstring).
    wilcoxon : {"approx", "exact"}
        Convention of the signed-rank test (see module docstring).
    n_boot, seed : int
        Percentile bootstrap (resampling participants) for the CIs of d_rm, d_av and
        d_av_rms, which have no exact interval; ``n_boot=0`` skips it.

    gain_cutoffs : (float, float)
        Cut-offs of the normalized gain's band (default Hake 1998: 0.3, 0.7; evalkit's levels
        pass the ``hake`` band set of ``config/bands.yaml``).
    Returns
    -------
    PrePostResult
        ``.tests`` (``paired_t``, ``wilcoxon``), ``.effect_sizes`` (``d_z, d_rm, d_av,
        d_av_rms, g_z, rank_biserial, cles``), ``.to_frame()``, ``.summary()``, ``.apa()``.

    Notes
    -----
    Which d is which elsewhere: ``d_z`` = R ``effectsize::cohens_d(post, pre, paired = TRUE)``
    = pingouin ``compute_effsize(post, pre, paired=True, eftype="cohen_dz")``; ``d_av_rms`` =
    pingouin ``compute_effsize(post, pre, paired=True)`` (default ``eftype="cohen"``). Signs
    are post − pre; ``V`` is R's (sum of the positive ranks of post − pre), not SciPy's or
    pingouin's two-sided ``W = min(R₊, R₋)``.

    Examples
    --------
    R's ``sleep`` data (group 1 as pre, group 2 as post):

    >>> pre = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> post = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> res = prepost(pre, post)
    >>> round(float(res.tests.loc["paired_t", "statistic"]), 4), round(float(res.effect_sizes.loc["d_z", "estimate"]), 4)
    (4.0621, 1.2846)
    >>> res.apa()
    't(9) = 4.06, p = .003, d_z = 1.28, 95% CI [0.41, 2.12]'

    The same from a DataFrame, one-sided:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"pre": pre, "post": post})
    >>> r1 = prepost(data=df, pre="pre", post="post", alternative="greater")
    >>> round(float(r1.tests.loc["paired_t", "p_value"]), 5)
    0.00142
    """
    if wilcoxon not in ("approx", "exact"):
        raise StatisticsError(Problem("bad_option", params={"name": "wilcoxon", "value": wilcoxon,
                                                            "choices": "approx, exact"}))
    if alternative not in ALTERNATIVES:
        raise StatisticsError(Problem("bad_option", params={"name": "alternative", "value": alternative,
                                                            "choices": ", ".join(ALTERNATIVES)}))
    if not 0 < ci < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "ci", "value": ci, "choices": "0 < ci < 1"}))
    if reliability is not None and not 0 < reliability < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "reliability", "value": reliability,
                                                            "choices": "0 < reliability < 1"}))
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
        for c in (pre, post):
            if not isinstance(c, str) or c not in data.columns:
                raise StatisticsError(Problem("unknown_items", column=str(c),
                                              params={"available": ", ".join(map(str, data.columns))}))
        if pd.api.types.is_float_dtype(data[pre]) or pd.api.types.is_float_dtype(data[post]):
            check_finite(data, [c for c in (pre, post) if pd.api.types.is_float_dtype(data[c])])
        pre, post = data[pre].to_numpy(), data[post].to_numpy()
        df, n_unmatched, n_missing = _as_pairs(pre, post)
        df.index = data.index[df.index.to_numpy()] if len(df) else df.index
    else:
        if pre is None or post is None:
            raise StatisticsError(Problem("too_few_pairs", params={"n": 0}))
        df, n_unmatched, n_missing = _as_pairs(pre, post)
    n = len(df)
    if n < 2:
        raise StatisticsError(Problem("too_few_pairs", params={"n": n}))
    if max_score is not None:
        for c in ("pre", "post"):
            over = df[c][(df[c] > max_score) | (df[c] < 0)]
            if len(over):
                raise StatisticsError(Problem("score_above_max", column=c,
                                              params={"value": over.iloc[0], "id": over.index[0], "max": max_score}))
    notes = []
    why = [w for w, k in ((f"{n_missing} pair(s) with a missing score", n_missing),
                          (f"{n_unmatched} id(s) on one side only", n_unmatched)) if k]
    dropped = note_dropped(n_missing + n_unmatched, "; ".join(why))
    if dropped:
        notes.append(dropped)
    x, y = df["pre"].to_numpy(), df["post"].to_numpy()
    d = y - x
    md, sdd = d.mean(), d.std(ddof=1)
    sd_pre, sd_post = x.std(ddof=1), y.std(ddof=1)
    with np.errstate(all="ignore"), _w.catch_warnings():
        _w.simplefilter("ignore")
        # symmetric in (x, y) to the last bit, so that swapping pre and post flips every d exactly
        xc, yc = x - x.mean(), y - y.mean()
        r = float(np.clip((xc * yc).sum() / math.sqrt((xc * xc).sum() * (yc * yc).sum()), -1, 1)) \
            if sd_pre > 0 and sd_post > 0 else math.nan
    # two-sided intervals at this level give the one-sided bound at level ci
    level = ci if alternative == "two-sided" else 2 * ci - 1
    q = (1 - level) / 2
    se = sdd / math.sqrt(n)
    tcrit = stats.t.ppf(1 - q, n - 1)
    if sdd > 0:
        t = md / se
        p = {"two-sided": 2 * stats.t.sf(abs(t), n - 1), "greater": stats.t.sf(t, n - 1),
             "less": stats.t.cdf(t, n - 1)}[alternative]
    else:
        t = p = math.nan
        notes.append("all differences are equal: the t-test and d_z are undefined")
    w = wilcoxon_signed_rank(d, wilcoxon, alternative)
    t_lo, t_hi = _one_sided(md - tcrit * se, md + tcrit * se, alternative)
    side = "" if alternative == "two-sided" else f"; one-sided ({alternative}: post {'>' if alternative == 'greater' else '<'} pre)"
    tests = pd.DataFrame({
        "statistic": [t, w["statistic"]],
        "df": [n - 1, math.nan],
        "p_value": [p, w["p_value"]],
        "ci_low": [t_lo, math.nan],
        "ci_high": [t_hi, math.nan],
        "method": ["Student's paired t-test; CI of the mean difference (post − pre)" + side,
                   "Wilcoxon signed-rank V (sum of positive ranks of post − pre): " + w["method"] + side],
    }, index=pd.Index(["paired_t", "wilcoxon"], name="test"))
    if w["n_zero"]:
        notes.append(f"Wilcoxon: {w['n_zero']} zero difference(s) dropped")

    boot = _boot_d(x, y, n_boot, seed, level) if n_boot and n >= 3 and sdd > 0 else {}
    nan2 = (math.nan, math.nan)
    J = hedges_j(n - 1)
    dz = md / sdd if sdd > 0 else math.nan
    dz_lo, dz_hi = _nct_ci(t, n - 1, n, level) if np.isfinite(t) else (math.nan, math.nan)
    dz_lo, dz_hi = _one_sided(dz_lo, dz_hi, alternative)
    drm = dz * math.sqrt(2 * (1 - r)) if np.isfinite(r) else math.nan
    dav = md / ((sd_pre + sd_post) / 2) if sd_pre + sd_post > 0 else math.nan
    dav_rms = md / math.sqrt((sd_pre ** 2 + sd_post ** 2) / 2) if sd_pre + sd_post > 0 else math.nan
    bci = {k: _one_sided(*boot.get(k, nan2), alternative) for k in ("d_rm", "d_av", "d_av_rms")}
    rb, rb_lo, rb_hi = rank_biserial(d, ci, alternative)
    cl = cles(x, y)
    eff = pd.DataFrame({
        "estimate": [dz, drm, dav, dav_rms, dz * J, rb, cl],
        "ci_low": [dz_lo, bci["d_rm"][0], bci["d_av"][0], bci["d_av_rms"][0], dz_lo * J, rb_lo, math.nan],
        "ci_high": [dz_hi, bci["d_rm"][1], bci["d_av"][1], bci["d_av_rms"][1], dz_hi * J, rb_hi, math.nan],
        "ci_method": ["noncentral t"] + [f"percentile bootstrap ({n_boot})" if boot else "none"] * 3
                     + ["noncentral t × J", "Fisher z (effectsize)", "none"],
        "formula": ["M_diff / SD_diff (Cohen's d_z; Lakens 2013 eq. 6; = R effectsize cohens_d(paired = TRUE))",
                    "d_z·√(2(1−r)) (repeated-measures d; Lakens 2013 eq. 9)",
                    "M_diff / ((SD_pre + SD_post)/2) (Lakens 2013 eq. 10, Cumming)",
                    "M_diff / √((SD_pre² + SD_post²)/2) (= pingouin compute_effsize(paired=True))",
                    "d_z·J(n−1), exact Hedges J",
                    "(R₊ − R₋)/(R₊ + R₋) of post − pre, zeros dropped (Kerby 2014)",
                    "P(post > pre) + ½P(post = pre) over all n² pairs (Vargha & Delaney 2000, pingouin)"],
    }, index=pd.Index(["d_z", "d_rm", "d_av", "d_av_rms", "g_z", "rank_biserial", "cles"], name="effect_size"))

    parts = df.copy()
    parts["diff"] = d
    gain = None
    if max_score is not None:
        gain = normalized_gains(x, y, max_score, gain_cutoffs)
        with np.errstate(all="ignore"):
            parts["gain"] = np.where(x < max_score, (y - x) / (max_score - x), np.nan)
    if reliability is not None:
        s_diff = math.sqrt(2) * sd_pre * math.sqrt(1 - reliability)
        parts["rci"] = d / s_diff if s_diff > 0 else np.nan
        parts["change"] = np.select([parts["rci"] > 1.96, parts["rci"] < -1.96],
                                    ["improved", "deteriorated"], "unchanged")
    if n >= 3 and sdd > 0:
        W, pw = stats.shapiro(d)
    else:
        W, pw = math.nan, math.nan
    rec = ("paired t-test (differences compatible with normality)" if not pw < 0.05
           else "Wilcoxon signed-rank (differences depart from normality, Shapiro–Wilk p < .05)")
    if n >= 30 and pw < 0.05:
        rec += "; with n ≥ 30 the t-test is usually robust too"
    normality = {"test": "Shapiro–Wilk on post − pre", "W": W, "p_value": pw, "recommended": rec}
    return PrePostResult(
        tests=tests, effect_sizes=eff, gain=gain, participants=parts, normality=normality,
        n=n, n_unmatched=n_unmatched, n_missing=n_missing, n_dropped=n_missing + n_unmatched,
        pre_mean=x.mean(), post_mean=y.mean(), alternative=alternative,
        pre_sd=sd_pre, post_sd=sd_post, mean_diff=md, sd_diff=sdd, r=r, ci=ci, notes=notes,
        max_score=max_score,
    )


def normalized_gains(pre, post, max_score: float, cutoffs: tuple[float, float] = HAKE_CUTOFFS) -> dict:
    """Hake's class gain, the mean individual gain and Marx & Cummings' normalized change.

    Examples
    --------
    >>> g = normalized_gains([40, 50, 100], [70, 50, 100], 100)
    >>> round(g["class_gain"], 4), g["n_excluded"]
    (0.2727, 1)
    """
    x, y = np.asarray(pre, float), np.asarray(post, float)
    m_pre, m_post = x.mean(), y.mean()
    class_gain = (m_post - m_pre) / (max_score - m_pre) if m_pre < max_score else math.nan
    below = x < max_score
    mig = float(np.mean((y[below] - x[below]) / (max_score - x[below]))) if below.any() else math.nan
    excl = ((x == max_score) & (y == max_score)) | ((x == 0) & (y == 0))
    c = np.zeros(len(x))
    up, down = y > x, y < x
    with np.errstate(all="ignore"):
        c[up] = (y[up] - x[up]) / (max_score - x[up])
        c[down] = (y[down] - x[down]) / x[down]
    keep = ~excl
    return {
        "class_gain": float(class_gain),
        "mean_individual_gain": mig,
        "normalized_change": float(c[keep].mean()) if keep.any() else math.nan,
        "n_excluded": int(excl.sum()),
        "band": hake_band(class_gain, cutoffs),
        "hake_band": hake_band(class_gain, cutoffs),
    }

"""Before/after proportions and comparison groups.

* :func:`mcnemar` — McNemar's test for paired binary outcomes (passed/competent before
  and after). The result holds every variant: χ² with continuity correction,
  ``(|b − c| − 1)² / (b + c)``, df = 1 (R ``mcnemar.test``, the default ``statistic`` and
  ``p_value``); without it, ``(b − c)² / (b + c)`` (``correction=False``); and the two-sided
  exact binomial test of b against Binomial(b + c, ½) (statsmodels' default, ``exact=True``).
  Effect size: the matched-pairs odds ratio c/b (odds of improving rather than declining)
  with the exact conditional CI, Clopper–Pearson on c/(b + c) transformed by p/(1 − p)
  (R ``binom.test``; Fleiss, Levin & Paik 2003, §13.2).
* :func:`compare_groups` — treatment groups against a control group with baseline scores,
  in **one joint model** over all groups (as R ``lm(post ~ pre + group)``, pingouin's
  ``ancova`` and SPSS): ANCOVA ``post ~ pre + C(group, Treatment(control))`` by OLS, and the
  change-score (difference-in-differences) model ``(post − pre) ~ C(group, Treatment(control))``
  (Vickers & Altman 2001). When baselines differ the two estimate different things; the table
  flags where they disagree in sign or in significance at α = .05.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import Problem, StatisticsError
from ._conventions import FrameResult, check_finite, note_dropped, word
from .result import Result, apa_ci, apa_df, apa_num, apa_p


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


# --------------------------------------------------------------------------- McNemar

class McNemarResult(Result):
    """Result of :func:`mcnemar`; also readable as the dict it used to be (``res["p_value"]``).

    Attributes
    ----------
    statistic, p_value, df, method
        Of the variant asked for (default: χ² with continuity correction, as R).
    chi2_corrected, p_corrected : float
        χ² with continuity correction and its p (df = 1).
    chi2_uncorrected, p_uncorrected : float
        χ² without the correction and its p.
    p_exact : float
        Two-sided exact binomial p on the discordant pairs.
    b, c, n : int
        Yes before and no after; no before and yes after; pairs.
    odds_ratio, or_ci_low, or_ci_high : float
        Matched-pairs odds ratio c/b with its exact conditional CI.
    table : DataFrame
        The 2×2 counts.
    """

    title = "McNemar test of paired proportions"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    # dict-like access of the former return value
    _KEYS = ("statistic", "p_value", "df", "b", "c", "n", "table", "method", "p_exact",
             "chi2_corrected", "p_corrected", "chi2_uncorrected", "p_uncorrected",
             "odds_ratio", "or_ci_low", "or_ci_high", "ci")

    def __getitem__(self, key):
        if key not in self._KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key):
        return key in self._KEYS

    def get(self, key, default=None):
        return getattr(self, key) if key in self._KEYS else default

    def keys(self):
        return list(self._KEYS)

    def __repr__(self):
        return (f"<McNemarResult b={self.b} c={self.c} statistic={self.statistic:.4g} "
                f"p={self.p_value:.4g} ({self.method})>")

    def to_frame(self) -> pd.DataFrame:
        """Columns ``statistic, df, p_value, estimate, ci_low, ci_high, method``; rows
        ``chi2_corrected``, ``chi2_uncorrected``, ``exact_binomial`` (the tests) and
        ``odds_ratio`` (c/b, exact CI)."""
        nan = math.nan
        rows = [
            ("chi2_corrected", self.chi2_corrected, 1, self.p_corrected, nan, nan, nan,
             "McNemar χ² with continuity correction (R mcnemar.test default)"),
            ("chi2_uncorrected", self.chi2_uncorrected, 1, self.p_uncorrected, nan, nan, nan,
             "McNemar χ² without continuity correction"),
            ("exact_binomial", float(self.b), nan, self.p_exact, nan, nan, nan,
             "exact two-sided binomial test of b on b + c discordant pairs"),
            ("odds_ratio", nan, nan, nan, self.odds_ratio, self.or_ci_low, self.or_ci_high,
             f"matched-pairs odds ratio c/b, exact conditional {self.ci:.0%} CI (Clopper–Pearson)"),
        ]
        return pd.DataFrame(rows, columns=["test", "statistic", "df", "p_value", "estimate", "ci_low",
                                           "ci_high", "method"]).set_index("test")

    def apa(self, lang: str = "en") -> str:
        """E.g. ``χ²(1) = 16.82, p < .001, OR = 0.57, 95% CI [0.43, 0.75]`` (exact: ``b = 150,
        binomial p …``)."""
        es = f"OR = {apa_num(self.odds_ratio, 2, lang)}, {apa_ci(self.or_ci_low, self.or_ci_high, 2, lang, self.ci)}"
        if self.df is None:
            return f"b = {self.b}, c = {self.c}, {apa_p(self.p_value, lang)} (exact), {es}"
        return f"χ²({apa_df(1)}) = {apa_num(self.statistic, 2, lang)}, {apa_p(self.p_value, lang)}, {es}"

    def summary(self) -> str:
        return (f"{self.title}\n{'=' * 60}\n{self.table.to_string()}\n\n"
                + super().summary().split("\n", 2)[2])


def mcnemar(before, after, *, exact: bool = False, correction: bool = True, ci: float = 0.95) -> McNemarResult:
    """McNemar's test of a change in a paired proportion (e.g. competent before vs after).

    Parameters
    ----------
    before, after : array-like of bool (or 0/1), equal length, aligned by position
    exact : bool
        Report the exact two-sided binomial test on the discordant pairs as ``statistic`` /
        ``p_value`` instead of χ² (every variant is in the result anyway).
    correction : bool
        Continuity correction of the χ² statistic (R's default).
    ci : float
        Confidence level of the odds ratio's CI.

    Returns
    -------
    McNemarResult
        With ``statistic`` (χ², or b for the exact test), ``p_value``, ``df`` (1, or None),
        ``p_exact``, ``p_corrected``, ``p_uncorrected``, ``b``, ``c``, ``n``, ``odds_ratio``
        (c/b) with ``or_ci_low``/``or_ci_high``, ``table`` and ``method``; ``res["p_value"]``
        works as with the dict of earlier versions.

    Examples
    --------
    The 2×2 table (794, 150 / 86, 570) as in R's ``mcnemar.test`` example:

    >>> before = [True] * 944 + [False] * 656
    >>> after = [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570
    >>> r = mcnemar(before, after)
    >>> round(r["statistic"], 3), f"{r['p_value']:.3e}", f"{r.p_exact:.3e}"
    (16.818, '4.115e-05', '3.716e-05')
    >>> r.apa()
    'χ²(1) = 16.82, p < .001, OR = 0.57, 95% CI [0.43, 0.75]'
    """
    b0, a0 = _bool_series(before, "before"), _bool_series(after, "after")
    if len(b0) != len(a0):
        raise StatisticsError(Problem("unequal_lengths", params={"n_pre": len(b0), "n_post": len(a0)}))
    b0, a0 = b0.to_numpy(), a0.to_numpy()
    b = int((b0 & ~a0).sum())
    c = int((~b0 & a0).sum())
    table = pd.DataFrame([[int((b0 & a0).sum()), b], [c, int((~b0 & ~a0).sum())]],
                         index=pd.Index(["before: yes", "before: no"]), columns=["after: yes", "after: no"])
    out = dict(b=b, c=c, n=len(b0), table=table, ci=ci)
    if b + c == 0:
        nan = math.nan
        out.update(statistic=nan, p_value=1.0, df=None if exact else 1, p_exact=1.0,
                   chi2_corrected=nan, p_corrected=1.0, chi2_uncorrected=nan, p_uncorrected=1.0,
                   odds_ratio=nan, or_ci_low=nan, or_ci_high=nan,
                   method="no discordant pairs: no change to test")
        return McNemarResult(**out)
    chi_c = (abs(b - c) - 1) ** 2 / (b + c)
    chi_u = (b - c) ** 2 / (b + c)
    p_exact = float(stats.binomtest(b, b + c, 0.5).pvalue)
    lo, hi = stats.binomtest(c, b + c, 0.5).proportion_ci(ci, method="exact")
    odds = (lambda p: p / (1 - p) if p < 1 else math.inf)
    out.update(p_exact=p_exact, chi2_corrected=float(chi_c), p_corrected=float(stats.chi2.sf(chi_c, 1)),
               chi2_uncorrected=float(chi_u), p_uncorrected=float(stats.chi2.sf(chi_u, 1)),
               odds_ratio=c / b if b else math.inf, or_ci_low=odds(lo), or_ci_high=odds(hi))
    if exact:
        out.update(statistic=float(b), p_value=p_exact, df=None, method="exact binomial test on discordant pairs")
    elif correction:
        out.update(statistic=out["chi2_corrected"], p_value=out["p_corrected"], df=1,
                   method="McNemar χ² with continuity correction (R default)")
    else:
        out.update(statistic=out["chi2_uncorrected"], p_value=out["p_uncorrected"], df=1, method="McNemar χ²")
    return McNemarResult(**out)


# --------------------------------------------------------------------------- comparison groups

def _nct_d_ci(d: float, df: float, scale: float, ci: float) -> tuple[float, float]:
    """CI of a standardized difference d = t / scale by inverting the noncentral t."""
    from .prepost import _nct_ci

    if not np.isfinite(d):
        return math.nan, math.nan
    lo, hi = _nct_ci(d * scale, df, 1, ci)
    return lo / scale, hi / scale


def _eta2_ci(F: float, df1: float, df2: float, ci: float) -> tuple[float, float]:
    """Two-sided CI of partial η² from the noncentral F distribution (Steiger 2004): the
    noncentrality bounds λ give η² = λ / (λ + df2), as R ``effectsize::F_to_eta2``."""
    if not np.isfinite(F):
        return math.nan, math.nan
    q = (1 - ci) / 2

    def ncp(target):
        f = lambda lam: stats.ncf.cdf(F, df1, df2, lam) - target  # noqa: E731
        if f(0) < 0:
            return 0.0
        hi = max(10.0, 5 * F * df1)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0, hi, xtol=1e-12)

    lams = ncp(1 - q), ncp(q)
    return tuple(lam / (lam + df2) for lam in lams)


def _ols(y: np.ndarray, X: np.ndarray, ci: float) -> dict:
    """OLS estimates, SEs, t, p and CIs (statsmodels ``OLS``, nonrobust covariance)."""
    import statsmodels.api as sm

    fit = sm.OLS(y, X).fit()
    return {"fit": fit, "params": fit.params, "bse": fit.bse, "t": fit.tvalues, "p": fit.pvalues,
            "ci": fit.conf_int(1 - ci), "rss": float(fit.ssr), "df_resid": float(fit.df_resid)}


def _nested_f(small: dict, big: dict) -> dict:
    df1 = small["df_resid"] - big["df_resid"]
    df2 = big["df_resid"]
    F = ((small["rss"] - big["rss"]) / df1) / (big["rss"] / df2) if big["rss"] > 0 else math.nan
    p = float(stats.f.sf(F, df1, df2)) if np.isfinite(F) else math.nan
    return {"F": float(F), "df1": int(df1), "df2": int(df2), "p_value": p,
            "ss_effect": small["rss"] - big["rss"], "ss_residual": big["rss"]}


class GroupComparisonResult(FrameResult):
    """Result of :func:`compare_groups`; behaves like its per-group ``table`` too
    (``res.loc["CBT", "ancova_effect"]`` as with the DataFrame of earlier versions).

    Attributes
    ----------
    table : DataFrame
        Indexed by each non-control group (the rows of :meth:`to_frame`): ``n, n_control,
        ancova_effect, ancova_se, ancova_t, ancova_df, ancova_p, ancova_ci_low,
        ancova_ci_high`` (coefficient of the group in the joint ANCOVA), ``did_effect,
        did_se, did_t, did_df, did_p, did_ci_low, did_ci_high`` (same in the joint
        change-score model), ``baseline_diff`` (mean pre of the group − of the control),
        ``cohen_d, cohen_d_ci_low, cohen_d_ci_high, hedges_g, hedges_g_ci_low,
        hedges_g_ci_high`` (post-test, group vs control, pooled SD of the two groups,
        noncentral-t CI; g = d·J(n₁ + n₂ − 2) with the exact J, as R ``effectsize``),
        ``disagree`` and ``note``.
    omnibus : dict
        F test of group in the ANCOVA (nested models ``post ~ pre`` vs ``post ~ pre +
        group``, the type-II F for group): ``F, df1, df2, p_value, partial_eta2,
        partial_eta2_ci_low, partial_eta2_ci_high``.
    change_omnibus : dict
        F test of group in the change-score model.
    slopes : dict
        Homogeneity of regression slopes: ``post ~ pre + group`` vs ``post ~ pre * group``;
        ``F, df1, df2, p_value``.
    adjusted_means : DataFrame
        Indexed by group (control first): ``n, mean_pre, mean_post, adjusted_mean, se,
        ci_low, ci_high`` — predictions of the ANCOVA at the mean pretest of all
        participants used (estimated marginal means).
    model : DataFrame
        Every term of the ANCOVA: ``estimate, se, t, p_value, ci_low, ci_high``.
    n, n_dropped : int
        Participants used; rows dropped for a missing pre, post or group.
    notes : list of str
    """

    title = "Joint ANCOVA and change-score analysis"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        o = self.omnibus
        return (f"<GroupComparisonResult n={self.n} groups={len(self.table) + 1} F={o['F']:.3f} "
                f"p={o['p_value']:.4g} partial_eta2={o['partial_eta2']:.3f}>")

    def apa(self, lang: str = "en") -> str:
        """The omnibus F with partial η² and its CI, then each group's adjusted difference:
        ``F(2, 68) = 7.87, p < .001, η²p = .19, 95% CI [.04, .34]; CBT vs Cont: adjusted
        difference = 4.10, 95% CI [0.32, 7.88], t(68) = 2.16, p = .034, g = 0.66, 95% CI …``."""
        o = self.omnibus
        parts = [f"F({apa_df(o['df1'])}, {apa_df(o['df2'])}) = {apa_num(o['F'], 2, lang)}, {apa_p(o['p_value'], lang)}, "
                 f"η²p = {apa_num(o['partial_eta2'], 2, lang, leading_zero=False)}, "
                 f"{apa_ci(o['partial_eta2_ci_low'], o['partial_eta2_ci_high'], 2, lang, self.ci, leading_zero=False)}"]
        for g, r in self.table.iterrows():
            parts.append(
                f"{g} {word('versus', lang)} {self.control}: {word('adjusted_difference', lang)} = "
                f"{apa_num(r.ancova_effect, 2, lang)}, {apa_ci(r.ancova_ci_low, r.ancova_ci_high, 2, lang, self.ci)}, "
                f"t({apa_df(r.ancova_df)}) = {apa_num(r.ancova_t, 2, lang)}, {apa_p(r.ancova_p, lang)}, "
                f"g = {apa_num(r.hedges_g, 2, lang)}, {apa_ci(r.hedges_g_ci_low, r.hedges_g_ci_high, 2, lang, self.ci)}")
        return "; ".join(parts)

    def summary(self) -> str:
        o, s, c = self.omnibus, self.slopes, self.change_omnibus
        with pd.option_context("display.width", 160, "display.max_columns", 30,
                               "display.float_format", lambda v: f"{v:.4f}"):
            rule = "=" * 78
            parts = [self.title, rule,
                     f"Model:  {self.post} ~ {self.pre} + C({self.group}, Treatment({self.control!r}))   (OLS)",
                     f"n = {self.n} (dropped: {self.n_dropped}), residual df = {int(self.model_df_resid)}", rule,
                     self.model.to_string(), "-" * 78,
                     f"Group (omnibus): F({o['df1']}, {o['df2']}) = {o['F']:.4f}, p = {o['p_value']:.4g}, "
                     f"partial eta² = {o['partial_eta2']:.4f} [{o['partial_eta2_ci_low']:.4f}, {o['partial_eta2_ci_high']:.4f}]",
                     f"Homogeneity of slopes ({self.pre} × group): F({s['df1']}, {s['df2']}) = {s['F']:.4f}, "
                     f"p = {s['p_value']:.4g}",
                     f"Change score ({self.post} − {self.pre}) ~ group: F({c['df1']}, {c['df2']}) = {c['F']:.4f}, "
                     f"p = {c['p_value']:.4g}", "-" * 78,
                     f"Adjusted means at mean {self.pre} = {self.mean_pre:.4f}:", self.adjusted_means.to_string(),
                     "-" * 78, "Each group vs control:",
                     self.table.drop(columns=["note"]).T.to_string(), rule, self.apa("en")]
        if self.notes:
            parts += ["", "Notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        from ._util import html_table, warnings_html
        import html as _html

        return (html_table(self.table, f"{self.title} (n = {self.n}; control: {self.control})", 4)
                + html_table(self.adjusted_means, f"Adjusted means at mean {self.pre}", 4)
                + f"<p class=\"evalkit-apa\">{_html.escape(self.apa('en'))}</p>"
                + warnings_html(self.notes))


def compare_groups(data: pd.DataFrame, *, pre: str, post: str, group: str, control,
                   ci: float = 0.95) -> GroupComparisonResult:
    """Each group against the control group in one joint ANCOVA and one change-score model.

    Models (all groups at once, treatment contrasts against ``control``; OLS with the
    classical covariance, as R ``lm``):

    * ANCOVA: ``post ~ pre + C(group, Treatment(control))``. The coefficient of each group is
      its adjusted difference from the control at equal pretest (``ancova_*``), with SE, t
      (residual df = n − 1 − number of groups), p and CI. The omnibus F test of group
      compares ``post ~ pre`` with the model (= the type-II F of group; partial
      η² = SS_group / (SS_group + SS_residual), CI by noncentral F, Steiger 2004).
      Adjusted (estimated marginal) means: predictions at the mean pretest.
      Homogeneity of slopes: the F test of the ``pre × group`` interaction.
    * change score: ``(post − pre) ~ C(group, Treatment(control))`` (``did_*``): the
      difference in mean gains, with the SE of the pooled residual variance of all groups.

    Vickers & Altman (2001): ANCOVA is the more powerful and, in randomized groups, the
    unbiased analysis; with baselines that differ systematically the two answer different
    questions, so both are given and ``disagree`` flags groups where they differ in sign or
    in significance at .05 (with a note).

    Effect sizes for independent groups on the post-test (``cohen_d``, ``hedges_g``): mean
    difference over the pooled SD of the group and the control, CI from the noncentral t
    with df = n₁ + n₂ − 2; g = d·J with the exact J (Hedges 1981), CI of g = CI of d × J
    (as R ``effectsize::cohens_d`` / ``hedges_g``).

    Parameters
    ----------
    data : DataFrame
        One row per participant. Rows with a missing pre, post or group are dropped,
        counted in ``n_dropped`` and warned about (:class:`DroppedRowsWarning`).
    pre, post, group : str
        Column names.
    control : value
        The value of ``group`` that marks the control (comparison) group.
    ci : float
        Confidence level.

    Returns
    -------
    GroupComparisonResult
        ``.table`` / ``.to_frame()`` indexed by each non-control group with the columns of
        earlier versions (``n, n_control, ancova_effect, ancova_se, ancova_p, ancova_ci_low,
        ancova_ci_high, did_effect, did_se, did_p, did_ci_low, did_ci_high, baseline_diff,
        disagree, note``) and more; ``.omnibus``, ``.adjusted_means``, ``.slopes``,
        ``.change_omnibus``, ``.model``.

    Examples
    --------
    MASS ``anorexia`` (Cont, CBT, FT); R ``lm(Postwt ~ Prewt + Treat)`` with Cont as reference
    gives 4.097 (SE 1.893) for CBT and 8.660 (SE 2.193) for FT:

    >>> import pandas as pd
    >>> d = pd.read_csv("tests/reference/data/anorexia.csv")
    >>> res = compare_groups(d, pre="Prewt", post="Postwt", group="Treat", control="Cont")
    >>> res.to_frame()[["ancova_effect", "ancova_se"]].round(3).to_dict("index")
    {'CBT': {'ancova_effect': 4.097, 'ancova_se': 1.893}, 'FT': {'ancova_effect': 8.66, 'ancova_se': 2.193}}
    >>> res.apa()  # doctest: +ELLIPSIS
    'F(2, 68) = 7.87, p < .001, η²p = .19, 95% CI [.04, .34]; CBT vs Cont: adjusted difference = 4.10, ...'
    """
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    for c in (pre, post, group):
        if c not in data.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, data.columns))}))
    d = data[[pre, post, group]]
    for c in (pre, post):
        if not pd.api.types.is_numeric_dtype(d[c]) or pd.api.types.is_bool_dtype(d[c]):
            raise StatisticsError(Problem("non_numeric_item", column=c, params={"dtype": str(d[c].dtype)}))
    check_finite(d, [pre, post])
    keep = d.notna().all(axis=1)
    n_dropped = int((~keep).sum())
    notes = []
    note = note_dropped(n_dropped, word("why_missing", "en", columns=f"{pre}, {post}, {group}"))
    if note:
        notes.append(note)
    d = d[keep]
    if control not in set(d[group]):
        raise StatisticsError(Problem("unknown_control", column=group, params={"control": control}))
    levels = list(pd.unique(d[group]))
    try:
        levels = sorted(levels)  # R's factor order
    except TypeError:
        pass
    groups = [g for g in levels if g != control]
    if not groups:
        raise StatisticsError(Problem("too_few_pairs", column=group, params={"n": 0}))
    counts = d[group].value_counts()
    for g in [control, *groups]:
        if counts[g] < 2:
            raise StatisticsError(Problem("too_few_pairs", column=str(g), params={"n": int(counts[g])}))
    y = d[post].to_numpy(float)
    x0 = d[pre].to_numpy(float)
    gv = d[group].to_numpy()
    n = len(y)
    D = np.column_stack([(gv == g).astype(float) for g in groups])
    one = np.ones((n, 1))
    X = np.column_stack([one, x0, D])
    if not x0.std() > 0 or np.linalg.matrix_rank(X) < X.shape[1]:
        other = "a constant" if not x0.std() > 0 else group
        raise StatisticsError(Problem("constant_pretest", column=pre, params={"other": other}))
    if n - X.shape[1] < 1:
        raise StatisticsError(Problem("too_few_pairs", params={"n": n}))
    anc = _ols(y, X, ci)
    base = _ols(y, np.column_stack([one, x0]), ci)
    XI = np.column_stack([X, D * x0[:, None]])
    slopes = _nested_f(anc, _ols(y, XI, ci)) if n - XI.shape[1] >= 1 and np.linalg.matrix_rank(XI) == XI.shape[1] \
        else {"F": math.nan, "df1": len(groups), "df2": n - XI.shape[1], "p_value": math.nan}
    chg = _ols(y - x0, np.column_stack([one, D]), ci)
    chg0 = _ols(y - x0, one, ci)
    omni = _nested_f(base, anc)
    omni["partial_eta2"] = omni["ss_effect"] / (omni["ss_effect"] + omni["ss_residual"])
    omni["partial_eta2_ci_low"], omni["partial_eta2_ci_high"] = _eta2_ci(omni["F"], omni["df1"], omni["df2"], ci)
    change_omni = _nested_f(chg0, chg)

    # adjusted means: predictions at the mean pretest, with their SEs
    mean_pre = float(x0.mean())
    cov = anc["fit"].cov_params()
    tcrit = stats.t.ppf(1 - (1 - ci) / 2, anc["df_resid"])
    am = []
    for g in [control, *groups]:
        xr = np.concatenate([[1.0, mean_pre], [1.0 if g == h else 0.0 for h in groups]])
        est = float(xr @ anc["params"])
        se = float(math.sqrt(xr @ cov @ xr))
        am.append({"group": g, "n": int(counts[g]), "mean_pre": float(x0[gv == g].mean()),
                   "mean_post": float(y[gv == g].mean()), "adjusted_mean": est, "se": se,
                   "ci_low": est - tcrit * se, "ci_high": est + tcrit * se})
    adjusted = pd.DataFrame(am).set_index("group")

    from .prepost import hedges_j

    rows = []
    yc = y[gv == control]
    for j, g in enumerate(groups):
        a_i, c_i = 2 + j, 1 + j
        yg = y[gv == g]
        n1, n2 = len(yg), len(yc)
        sp = math.sqrt(((n1 - 1) * yg.var(ddof=1) + (n2 - 1) * yc.var(ddof=1)) / (n1 + n2 - 2))
        dd = (yg.mean() - yc.mean()) / sp if sp > 0 else math.nan
        d_lo, d_hi = _nct_d_ci(dd, n1 + n2 - 2, math.sqrt(n1 * n2 / (n1 + n2)), ci)
        J = hedges_j(n1 + n2 - 2)
        row = {"group": g, "n": n1, "n_control": n2,
               "ancova_effect": anc["params"][a_i], "ancova_se": anc["bse"][a_i], "ancova_t": anc["t"][a_i],
               "ancova_df": anc["df_resid"], "ancova_p": anc["p"][a_i],
               "ancova_ci_low": anc["ci"][a_i][0], "ancova_ci_high": anc["ci"][a_i][1],
               "did_effect": chg["params"][c_i], "did_se": chg["bse"][c_i], "did_t": chg["t"][c_i],
               "did_df": chg["df_resid"], "did_p": chg["p"][c_i],
               "did_ci_low": chg["ci"][c_i][0], "did_ci_high": chg["ci"][c_i][1],
               "baseline_diff": x0[gv == g].mean() - x0[gv == control].mean(),
               "cohen_d": dd, "cohen_d_ci_low": d_lo, "cohen_d_ci_high": d_hi,
               "hedges_g": dd * J, "hedges_g_ci_low": d_lo * J, "hedges_g_ci_high": d_hi * J}
        sign = np.sign(row["ancova_effect"]) != np.sign(row["did_effect"])
        sig = (row["ancova_p"] < 0.05) != (row["did_p"] < 0.05)
        row["disagree"] = bool(sign or sig)
        row["note"] = ("the estimates differ in sign" if sign else
                       "one estimate is significant at .05 and the other is not" if sig else "")
        rows.append(row)
    table = pd.DataFrame(rows).set_index("group")
    if table["disagree"].any():
        notes.append(word("disagree", "en", groups=", ".join(map(str, table.index[table["disagree"]]))))
    if np.isfinite(slopes["p_value"]) and slopes["p_value"] < 0.05:
        notes.append(word("slopes_differ", "en", p=f"{slopes['p_value']:.3f}"))
    names = ["Intercept", pre] + [f"C({group}, Treatment({control!r}))[T.{g}]" for g in groups]
    model = pd.DataFrame({"estimate": anc["params"], "se": anc["bse"], "t": anc["t"], "p_value": anc["p"],
                          "ci_low": anc["ci"][:, 0], "ci_high": anc["ci"][:, 1]},
                         index=pd.Index(names, name="term"))
    return GroupComparisonResult(
        table=table, omnibus=omni, change_omnibus=change_omni, slopes=slopes, adjusted_means=adjusted,
        model=model, model_df_resid=anc["df_resid"], n=n, n_dropped=n_dropped, notes=notes, ci=ci,
        control=control, pre=pre, post=post, group=group, mean_pre=mean_pre, pre_slope=float(anc["params"][1]))

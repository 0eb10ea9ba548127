"""Several cohorts (angkatan) of one training: a table per cohort and a mixed model.

The mixed models have a random intercept per cohort, fitted by REML with statsmodels'
``MixedLM`` (as R ``lme4::lmer`` by default):

* ``change``: (post − pre) ~ 1 + (1 | cohort): the average gain over cohorts, with its
  standard error honest about cohorts differing;
* ``ancova``: post ~ pre + (1 | cohort).

The intraclass correlation of the change, ICC = τ² / (τ² + σ²), says how much of the
variation in gains lies between cohorts rather than between participants.
"""
from __future__ import annotations

import math
import warnings as _w

import pandas as pd

import numpy as np

from ..errors import Problem, StatisticsError
from ._conventions import check_finite, note_dropped
from ._util import html_table
from .prepost import prepost
from .result import Result, apa_ci, apa_num, apa_p


class CohortResult(Result):
    """Result of :func:`compare_cohorts`.

    Attributes
    ----------
    table : DataFrame
        Indexed by cohort: ``n, pre_mean, post_mean, mean_diff, ci_low, ci_high, t, p_value,
        d_z, class_gain, hake_band``.
    models : DataFrame
        Indexed ``change`` and ``ancova``: ``term, estimate, se, z, p_value, ci_low, ci_high,
        cohort_var, residual_var, icc, n, n_cohorts, converged``.
    n_dropped : int
        Rows left out for a missing pre, post or cohort.
    """

    title = "Cohorts: random-intercept models (REML)"

    def __init__(self, table, models, n_dropped=0, notes=None):
        self.table = table
        self.models = models
        self.n_dropped = n_dropped
        self.notes = notes or []
        self.ci = 0.95

    def to_frame(self) -> pd.DataFrame:
        """The two models (rows ``change``, ``ancova``; columns as :attr:`models`)."""
        return self.models.copy()

    def apa(self, lang: str = "en") -> str:
        """The average gain over cohorts: ``b = 7.9, 95% CI [4.1, 11.7], z = 4.07, p < .001,
        ICC = .28 (J cohorts, n = N)``."""
        m = self.models.loc["change"]
        return (f"b = {apa_num(m.estimate, 2, lang)}, {apa_ci(m.ci_low, m.ci_high, 2, lang)}, "
                f"z = {apa_num(m.z, 2, lang)}, {apa_p(m.p_value, lang)}, "
                f"ICC = {apa_num(m.icc, 2, lang, leading_zero=False)} ({int(m.n_cohorts)} cohorts, n = {int(m.n)})")

    def summary(self) -> str:
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            return ("Per cohort:\n" + self.table.round(3).to_string() +
                    "\n\nRandom-intercept models (REML):\n" + self.models.round(4).to_string())

    def _repr_html_(self):
        return html_table(self.table, "Per cohort") + html_table(self.models, "Random-intercept models (REML)")


def compare_cohorts(data: pd.DataFrame, *, pre: str, post: str, cohort: str, max_score=None) -> CohortResult:
    """Pre/post results per cohort and random-intercept models across cohorts.

    Parameters
    ----------
    data : DataFrame
        One row per participant, with ``pre``, ``post`` and ``cohort`` columns.
    max_score : float, optional
        Enables the class normalized gain per cohort.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"cohort": np.repeat(["A", "B", "C"], 20), "pre": rng.normal(50, 10, 60)})
    >>> d["post"] = d["pre"] + np.repeat([10.0, 12.0, 3.0], 20) + rng.normal(0, 5, 60)
    >>> res = compare_cohorts(d, pre="pre", post="post", cohort="cohort")
    >>> list(res.table.index), int(res.models.loc["change", "n_cohorts"])
    (['A', 'B', 'C'], 3)
    """
    import statsmodels.formula.api as smf

    for c in (pre, post, cohort):
        if c not in data.columns:
            raise StatisticsError(Problem("unknown_items", column=c, params={"available": ", ".join(map(str, data.columns))}))
    d = data[[pre, post, cohort]]
    for c in (pre, post):
        if not pd.api.types.is_numeric_dtype(d[c]) or pd.api.types.is_bool_dtype(d[c]):
            raise StatisticsError(Problem("non_numeric_item", column=c, params={"dtype": str(d[c].dtype)}))
    check_finite(d, [pre, post])
    n_all = len(d)
    d = d.dropna().rename(columns={pre: "pre", post: "post", cohort: "cohort"})
    notes = []
    note = note_dropped(n_all - len(d), f"missing values in {pre}, {post}, {cohort}")
    if note:
        notes.append(note)
    if len(d) and not d["pre"].std() > 0:
        raise StatisticsError(Problem("constant_pretest", column=pre, params={"other": "a constant"}))
    if len(d) > 2 and abs(np.corrcoef(d["pre"], d["post"])[0, 1]) > 1 - 1e-12:
        raise StatisticsError(Problem("constant_pretest", column=pre, params={"other": post}))
    if d["cohort"].nunique() < 2:
        raise StatisticsError(Problem("too_few_cohorts", column=cohort, params={"n": d["cohort"].nunique()}))
    rows = []
    for name, g in d.groupby("cohort", sort=True):
        r = prepost(g["pre"].to_numpy(), g["post"].to_numpy(), max_score=max_score)
        t = r.tests.loc["paired_t"]
        rows.append({"cohort": name, "n": r.n, "pre_mean": r.pre_mean, "post_mean": r.post_mean,
                     "mean_diff": r.mean_diff, "ci_low": t.ci_low, "ci_high": t.ci_high, "t": t.statistic,
                     "p_value": t.p_value, "d_z": r.effect_sizes.loc["d_z", "estimate"],
                     "class_gain": (r.gain or {}).get("class_gain", math.nan),
                     "hake_band": (r.gain or {}).get("band")})
    table = pd.DataFrame(rows).set_index("cohort")
    d = d.assign(change=d["post"] - d["pre"])
    models = []
    for name, formula, term in (("change", "change ~ 1", "Intercept"), ("ancova", "post ~ pre", "pre")):
        with _w.catch_warnings(record=True) as caught:
            _w.simplefilter("always")
            try:
                fit = smf.mixedlm(formula, d, groups=d["cohort"]).fit(reml=True)
            except (np.linalg.LinAlgError, ValueError) as e:
                raise StatisticsError(Problem("constant_pretest", column=pre,
                                              params={"other": f"{cohort} ({type(e).__name__})"})) from None
        tau2 = float(fit.cov_re.iloc[0, 0])
        sigma2 = float(fit.scale)
        ci = fit.conf_int().loc[term]
        models.append({"model": name, "term": term, "estimate": fit.params[term], "se": fit.bse[term],
                       "z": fit.tvalues[term], "p_value": fit.pvalues[term], "ci_low": ci[0], "ci_high": ci[1],
                       "cohort_var": tau2, "residual_var": sigma2, "icc": tau2 / (tau2 + sigma2),
                       "n": len(d), "n_cohorts": d["cohort"].nunique(),
                       "converged": bool(fit.converged) and not any("boundary" in str(w.message).lower()
                                                                    for w in caught)})
    return CohortResult(table, pd.DataFrame(models).set_index("model"), n_all - len(d), notes)

"""Chain of evidence: do participants who liked the training more also learn more, and those
who learned more also change more on the job? Correlations between the levels, per participant.

Pearson's r with the Fisher-z confidence interval ``tanh(atanh r ± z_{1−q/2}/√(n − 3))`` and
the t test ``t = r√((n − 2)/(1 − r²))`` on n − 2 df (as R's ``cor.test``), and Spearman's ρ
with its p value from the same t approximation (R ``cor.test(method = "spearman", exact =
FALSE)``). Pairs use the participants measured at both levels (pairwise complete).

What it cannot say — written into every result: a correlation across participants is not the
effect of the training (Alliger & Janak 1989 found the Kirkpatrick levels only weakly related);
a weak link does not mean a level failed, and a strong one does not prove one level causes the
next.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import Problem, StatisticsError

CAVEAT = "chain.caveat"  # translation key of the caveat every report shows with the table


def correlate_levels(data: pd.DataFrame, columns=None, *, ci: float = 0.95) -> pd.DataFrame:
    """Correlations between every pair of ``columns`` (default: every numeric column).

    Parameters
    ----------
    data : DataFrame
        One row per participant, one column per level's score (e.g. ``reaction``,
        ``learning``, ``behaviour``); missing where a participant was not measured.
    columns : list of str, optional
    ci : float
        Confidence level of the interval for r.

    Returns
    -------
    DataFrame
        One row per pair: ``x, y, n, r, ci_low, ci_high, p_value, rho, rho_p_value``
        (Pearson r with Fisher-z CI and t-test p; Spearman ρ). NaN where fewer than 4 pairs
        or a column does not vary.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"reaction": [3.1, 3.8, 4.2, 2.9, 4.5, 3.6],
    ...                   "learning": [10, 14, 15, 8, 20, 11]})
    >>> r = correlate_levels(d).iloc[0]
    >>> r["x"], r["y"], int(r["n"]), round(float(r["r"]), 4)
    ('reaction', 'learning', 6, 0.9585)
    """
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    cols = list(columns) if columns is not None else [c for c in data.columns
                                                       if pd.api.types.is_numeric_dtype(data[c])]
    unknown = [c for c in cols if c not in data.columns]
    if unknown:
        raise StatisticsError(Problem("unknown_items", column=", ".join(map(str, unknown)),
                                      params={"available": ", ".join(map(str, data.columns))}))
    if len(cols) < 2:
        raise StatisticsError(Problem("too_few_items", params={"k": len(cols)}))
    z = stats.norm.ppf(1 - (1 - ci) / 2)
    rows = []
    for i, x in enumerate(cols):
        for y in cols[i + 1:]:
            pair = data[[x, y]].apply(pd.to_numeric, errors="coerce").dropna()
            n = len(pair)
            row = {"x": x, "y": y, "n": n, "r": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                   "p_value": math.nan, "rho": math.nan, "rho_p_value": math.nan}
            if n >= 4 and pair[x].std() > 0 and pair[y].std() > 0:
                r = float(np.corrcoef(pair[x], pair[y])[0, 1])
                row.update(r=r, p_value=_t_p(r, n))
                zr = math.atanh(max(min(r, 1 - 1e-15), -1 + 1e-15))
                row.update(ci_low=math.tanh(zr - z / math.sqrt(n - 3)), ci_high=math.tanh(zr + z / math.sqrt(n - 3)))
                rho = float(pair[x].rank().corr(pair[y].rank()))
                row.update(rho=rho, rho_p_value=_t_p(rho, n))
            rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["caveat"] = CAVEAT
    return out


def _t_p(r: float, n: int) -> float:
    if abs(r) >= 1:
        return 0.0
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), n - 2))

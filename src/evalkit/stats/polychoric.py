"""Polychoric correlations, for ordinal α and ω of Likert items.

Two-step estimator (Olsson 1979), as R ``polycor::polychor(ML = FALSE)``: each item's
thresholds come from its own marginal proportions (pairwise-complete data), then the
correlation ρ maximizes the likelihood of the pair's contingency table under a bivariate
normal with those thresholds. No correction is added to empty cells (psych's
``polychoric`` adds 0.5 to them and uses thresholds pooled over items, so its values
differ slightly).

The bivariate normal CDF uses Owen's (1956) T function:
Φ₂(h, k; ρ) = ½Φ(h) + ½Φ(k) − T(h, a_h) − T(k, a_k) − β, with
a_h = (k − ρh)/(h√(1−ρ²)), a_k = (h − ρk)/(k√(1−ρ²)), β = ½ when hk < 0 (or hk = 0 and
h + k < 0), else 0.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special

BIG = 40.0  # stands for ±∞ thresholds: Φ(40) = 1 in double precision


def bvn_cdf(h, k, rho):
    """P(X ≤ h, Y ≤ k) for a standard bivariate normal with correlation ``rho`` (vectorized).

    Examples
    --------
    >>> round(float(bvn_cdf(0.0, 0.0, 0.5)), 12)  # 1/4 + asin(.5)/(2π) = 1/3
    0.333333333333
    """
    h = np.asarray(h, float)
    k = np.asarray(k, float)
    h = np.where(h == 0, 1e-15, h)
    k = np.where(k == 0, 1e-15, k)
    s = math.sqrt(1 - rho * rho)
    ah = (k - rho * h) / (h * s)
    ak = (h - rho * k) / (k * s)
    beta = np.where(h * k < 0, 0.5, 0.0)
    return 0.5 * special.ndtr(h) + 0.5 * special.ndtr(k) - special.owens_t(h, ah) - special.owens_t(k, ak) - beta


def _thresholds(counts: np.ndarray) -> np.ndarray:
    cum = np.cumsum(counts)[:-1] / counts.sum()
    return np.concatenate([[-BIG], special.ndtri(cum), [BIG]])


def polychoric_pair(x, y) -> float:
    """Two-step polychoric correlation of two ordinal variables (pairwise complete)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok], y[ok]
    xv, xi = np.unique(x, return_inverse=True)
    yv, yi = np.unique(y, return_inverse=True)
    if len(xv) < 2 or len(yv) < 2:
        return math.nan
    table = np.zeros((len(xv), len(yv)))
    np.add.at(table, (xi, yi), 1)
    a = _thresholds(table.sum(axis=1))
    b = _thresholds(table.sum(axis=0))
    A, B = np.meshgrid(a, b, indexing="ij")

    def negll(rho):
        F = bvn_cdf(A, B, rho)
        P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
        P = np.clip(P, 1e-300, None)
        return -(table * np.log(P)).sum()

    res = optimize.minimize_scalar(negll, bounds=(-0.9999, 0.9999), method="bounded",
                                   options={"xatol": 1e-10, "maxiter": 500})
    return float(res.x)


def polychoric(data: pd.DataFrame, items=None) -> pd.DataFrame:
    """Matrix of two-step polychoric correlations of ordinal items.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, integer-coded ordinal items (missing allowed, pairwise).
    items : list of str, optional

    Returns
    -------
    DataFrame
        Symmetric correlation matrix indexed and labelled by item.
    """
    items = list(items or data.columns)
    X = data[items].to_numpy(float)
    k = len(items)
    R = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            R[i, j] = R[j, i] = polychoric_pair(X[:, i], X[:, j])
    return pd.DataFrame(R, index=items, columns=items)

"""Instrument validation: KMO, Bartlett, parallel analysis, EFA and CFA.

Written with numpy/scipy and checked against R (``tests/reference/make_factor_reference.R``:
psych 2.2.9 with GPArotation 2022.10.2, lavaan 0.6-14). No factor-analysis library is used:
factor_analyzer (GPL-2.0) fails with current scikit-learn, and semopy's RMSEA (N − 1), CFI (not
clipped) and missing SRMR differ from lavaan.

Exploratory side (R psych conventions)
--------------------------------------
Correlations are pairwise-complete by default and ``n`` is the number of rows, as psych does
with raw data (``missing="listwise"`` uses complete rows only).

* :func:`kmo` — Kaiser–Meyer–Olkin measure of sampling adequacy (psych ``KMO``): with ``R``
  the correlations and ``Q`` the anti-image (partial) correlations ``−(R⁻¹)_ij/√((R⁻¹)_ii (R⁻¹)_jj)``,
  ``MSA = Σ_{i≠j} r_ij² / (Σ_{i≠j} r_ij² + Σ_{i≠j} q_ij²)``, per item over its column. Labels
  by Kaiser (1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre,
  ≥ .50 miserable, below unacceptable.
* :func:`bartlett` — Bartlett's (1951) test of sphericity (psych ``cortest.bartlett``):
  ``χ² = −ln|R| · (n − 1 − (2p + 5)/6)``, ``df = p(p − 1)/2``.
* :func:`parallel_analysis` — Horn (1965) as psych ``fa.parallel`` (``fa="both"``): observed
  eigenvalues of ``R`` (components) and of ``R`` with the one-factor minres communalities on its
  diagonal (factors) against the 95th percentile of the same eigenvalues of ``n_iter``
  correlation matrices of normal random data of the same size; the suggested number is the count
  of leading observed eigenvalues above it.
* :func:`efa` — psych ``fa()``: ``minres`` minimizes the residual sum of squares of the
  off-diagonal correlations over the uniquenesses ψ (Harman; psych ``fit.residuals``), i.e.
  the sum of squares of ``R − diag ψ − ΛΛ'`` with Λ from the leading eigenpairs of ``R − diag ψ``
  (gradient ``−2 diag(R − diag ψ − ΛΛ')``); ``ml`` minimizes the concentrated ML discrepancy
  ``Σ_{k>m} (e_k − ln e_k − 1)`` of the eigenvalues ``e`` of ``ψ^{−½} R ψ^{−½}`` (Jöreskog 1967,
  R ``factanal``/psych ``FAfn``, gradient ``diag(ΛΛ' + diag ψ − R)/ψ²``); both with ψ in
  [0.005, 1] from the start ``1 − smc``, minimized by L-BFGS-B with psych's settings
  (``parscale`` 0.01, ``factr`` 1e7, 5 corrections, 100 iterations) so that the solution is
  psych's own, also where psych stops slightly short of the exact optimum (minres: up to ~1e-5
  in a loading).
  ``pa`` is psych's iterated principal axis (SMCs as start, stop when the sum of communalities
  changes by ≤ 0.001, at most 50 iterations). Rotations: ``oblimin`` = GPArotation
  ``oblimin`` (quartimin, γ = 0, **no** Kaiser normalization, which is how psych calls it;
  gradient projection, ε = 1e-5), ``varimax`` = ``stats::varimax`` (Kaiser normalized,
  ε = 1e-5, which psych uses for ``"varimax"``), ``promax`` = psych ``kaiser(…, "Promax")``:
  Kaiser-normalized rows, varimax, then Hendrickson & White (1964) with m = 4. After rotation
  each factor's sign makes its loadings sum positive and the factors are ordered by the
  variance they account for (``diag(Φ Λ'Λ)``), as psych does. Communalities are ``diag(ΛΛ')``
  of the unrotated solution. Fit (psych ``fa.stats``, for every method, as psych reports it):
  ``F = tr(Σ̂⁻¹R) − ln|Σ̂⁻¹R| − p``, ``χ² = F · (n − 1 − (2p + 5)/6 − 2m/3)`` (Bartlett's
  correction), ``df = p(p−1)/2 − pm + m(m−1)/2``, ``TLI = (M₀ − M_m)/(M₀ − 1/ν)``,
  ``RMSEA = √max(χ²/(df·n) − 1/(n − 1), 0)`` with psych's 90 % interval.

Confirmatory side (lavaan conventions)
--------------------------------------
:func:`cfa` fits ``Σ = ΛΦΛ' + Θ`` by maximum likelihood as lavaan ``cfa(model, data,
std.lv = FALSE)``: listwise deletion, sample covariance ``S`` divided by N, the first loading of
each factor fixed to 1, factor (co)variances free. ``F_ML = ln|Σ| + tr(SΣ⁻¹) − ln|S| − p`` is
minimized by Fisher scoring, finished with Newton steps on the observed Hessian (from a
per-factor principal-axis start, then lavaan-like simple starts and BFGS if that fails);
``χ² = N · F_ML``; baseline ``χ²_b = N(Σ ln s_ii − ln|S|)`` on
``p(p−1)/2`` df; ``CFI = 1 − max(χ² − df, 0)/max(χ² − df, χ²_b − df_b, 0)`` (Bentler 1990),
``TLI = (χ²_b/df_b − χ²/df)/(χ²_b/df_b − 1)`` (not clipped, as lavaan),
``RMSEA = √max((χ² − df)/(N·df), 0)`` (N, not N − 1) with the 90 % interval from the
non-central χ² (Steiger 1990); ``SRMR`` = lavaan ``srmr`` (Bentler):
``√(mean over i ≤ j of ((s_ij − σ̂_ij)/√(s_ii s_jj))²)``. Standard errors from the expected
information ``(N/2) tr(Σ⁻¹Σ_a Σ⁻¹Σ_b)``; the standardized solution (``std.all``: latent and
observed variances 1, observed variances model-implied) (a residual covariance becomes the
residual correlation ``θ_ij/√(θ_ii θ_jj)``) has delta-method SEs from a numerical Jacobian, as
lavaan ``standardizedSolution()``. ω per factor (McDonald 1999) from the
**standardized** solution of the factor's own items: ``(Σλ*)² / ((Σλ*)² + Σθ*)``; ``omega_unstd``
is the same from the unstandardized loadings and residual variances (``ψ(Σλ)²/(ψ(Σλ)² + Σθ)``,
the reliability of the raw sum score, as :func:`evalkit.reliability` reports ω_total).

:func:`validate_instrument` bundles them for a report appendix, with the cut-offs named
(Hu & Bentler 1999: CFI ≥ .95, TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08; Kaiser 1974: KMO ≥ .60).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._config import load_config
from ..errors import Problem, StatisticsError
from ._conventions import item_columns
from .result import Result, apa_ci, apa_df, apa_num, apa_p

__all__ = ["kmo", "bartlett", "parallel_analysis", "efa", "cfa", "validate_instrument",
           "KMOResult", "BartlettResult", "ParallelResult", "EFAResult", "CFAResult",
           "InstrumentValidation", "parse_model", "HU_BENTLER"]

PSI_MIN = 0.005  # lower bound of a uniqueness, as psych and factanal
METHODS = ("minres", "ml", "pa")
ROTATIONS = ("oblimin", "promax", "varimax", None)
#: Hu & Bentler (1999) cut-offs for continuous indicators with ML
HU_BENTLER = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06), "srmr": ("<=", 0.08)}
KMO_MIN = 0.60


def _text(key: str, lang: str, **params) -> str:
    """A sentence pattern from the translation table's ``factor`` section (configuration)."""
    entry = load_config("translations").get("factor", {}).get(key)
    if not entry:
        return key
    pattern = entry.get(lang) or entry.get("en") or key
    return pattern.format(**params) if params else pattern


# --------------------------------------------------------------------------- input checks

def _prepare(data, items=None, *, missing: str = "pairwise", min_items: int = 3):
    """Checked item matrix: (items, X with NaN for missing answers, rows used)."""
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    if missing not in ("pairwise", "listwise"):
        raise StatisticsError(Problem("bad_option", params={"name": "missing", "value": missing,
                                                            "choices": "pairwise, listwise"}))
    items = item_columns(data, items)
    if len(items) < min_items:
        raise StatisticsError(Problem("factor_too_few_items", params={"k": len(items), "min": min_items}))
    X = data[items].to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(X)
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise StatisticsError(Problem("factor_non_finite", column=str(items[c]), row=int(r) + 2,
                                      params={"value": X[r, c]}))
    if missing == "listwise":
        X = X[~np.isnan(X).any(axis=1)]
    n_rows = X.shape[0]
    n_complete = int((~np.isnan(X).any(axis=1)).sum())
    for j, name in enumerate(items):
        col = X[:, j][~np.isnan(X[:, j])]
        if col.size >= 2 and np.all(col == col[0]):
            raise StatisticsError(Problem("factor_constant_item", column=str(name), params={"value": f"{col[0]:g}"}))
    k = len(items)
    n_check = n_complete if missing == "listwise" else n_rows
    if n_check <= k:
        raise StatisticsError(Problem("factor_too_few_rows", params={"n": n_check, "k": k}))
    return items, X


def _correlation(X: np.ndarray, items: list[str]) -> np.ndarray:
    """Pearson correlations, pairwise-complete (R ``cor(use="pairwise")``); an error names a
    pair with fewer than 3 joint answers or an item without variance among them."""
    if not np.isnan(X).any():
        R = np.corrcoef(X, rowvar=False)
    else:
        R = pd.DataFrame(X).corr(min_periods=3).to_numpy()
        if np.isnan(R).any():
            i, j = np.argwhere(np.isnan(R))[0]
            raise StatisticsError(Problem("factor_pairwise_empty", column=f"{items[i]} × {items[j]}"))
    R = (R + R.T) / 2
    np.fill_diagonal(R, 1.0)
    return R


def _check_positive_definite(R: np.ndarray, items: list[str]) -> None:
    w, V = np.linalg.eigh(R)
    if w[0] <= 1e-10 * max(1.0, w[-1]):
        v = V[:, 0]
        involved = [items[i] for i in np.argsort(-np.abs(v)) if abs(v[i]) > 0.1][:6]
        raise StatisticsError(Problem("factor_singular", column=", ".join(map(str, involved)),
                                      params={"eigenvalue": f"{w[0]:.3g}"}))


def _smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 − 1/(R⁻¹)_ii`` clipped to [0, 1] (psych ``smc``)."""
    s = 1 - 1 / np.diag(np.linalg.pinv(R))
    return np.clip(s, 0.0, 1.0)


# --------------------------------------------------------------------------- KMO, Bartlett

KMO_LABELS = ((0.90, "marvelous"), (0.80, "meritorious"), (0.70, "middling"), (0.60, "mediocre"),
              (0.50, "miserable"), (-math.inf, "unacceptable"))


def kmo_label(value: float) -> str:
    """Kaiser's (1974) word for a KMO/MSA value.

    Examples
    --------
    >>> kmo_label(0.752), kmo_label(0.93), kmo_label(0.42)
    ('middling', 'marvelous', 'unacceptable')
    """
    for bound, word in KMO_LABELS:
        if value >= bound:
            return word
    return "unacceptable"  # pragma: no cover - NaN


@dataclass
class KMOResult(Result):
    """Kaiser–Meyer–Olkin measure of sampling adequacy: ``.overall``, ``.items`` (MSA per item),
    ``.label`` / ``.item_labels`` (Kaiser 1974)."""

    overall: float
    items: pd.Series
    n: int
    missing: str = "pairwise"
    title: str = "Kaiser–Meyer–Olkin measure of sampling adequacy (psych KMO)"

    @property
    def label(self) -> str:
        return kmo_label(self.overall)

    @property
    def item_labels(self) -> pd.Series:
        return self.items.map(kmo_label)

    def to_frame(self) -> pd.DataFrame:
        rows = [{"item": i, "msa": v, "label": kmo_label(v)} for i, v in self.items.items()]
        rows.append({"item": "overall", "msa": self.overall, "label": self.label})
        return pd.DataFrame(rows).set_index("item")

    def apa(self, lang: str = "en") -> str:
        lo, hi = float(self.items.min()), float(self.items.max())
        return _text("kmo_apa", lang, kmo=apa_num(self.overall, 2, lang, leading_zero=False),
                     label=_text(f"kmo_{self.label}", lang),
                     lo=apa_num(lo, 2, lang, leading_zero=False), hi=apa_num(hi, 2, lang, leading_zero=False))


def _kmo_from_r(R: np.ndarray) -> tuple[float, np.ndarray]:
    try:
        Q = np.linalg.inv(R)
    except np.linalg.LinAlgError:  # pragma: no cover - _check_positive_definite comes first
        Q = R.copy()
    d = np.sqrt(np.diag(Q))
    Q = Q / np.outer(d, d)
    np.fill_diagonal(Q, 0.0)
    r = R.copy()
    np.fill_diagonal(r, 0.0)
    r2, q2 = (r ** 2).sum(axis=0), (Q ** 2).sum(axis=0)
    return float(r2.sum() / (r2.sum() + q2.sum())), r2 / (r2 + q2)


def kmo(data: pd.DataFrame, items=None, *, missing: str = "pairwise") -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, overall and per item (psych ``KMO``).

    ``MSA = Σ_{i≠j} r_ij² / (Σ_{i≠j} r_ij² + Σ_{i≠j} q_ij²)`` with ``q_ij`` the partial
    (anti-image) correlations ``−(R⁻¹)_ij / √((R⁻¹)_ii (R⁻¹)_jj)``; an item's MSA sums over its
    column only (Kaiser 1970; Kaiser & Rice 1974). Labels by Kaiser (1974).

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one numeric column per item.
    items : list of str, optional
        Columns to use (default all).
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations (psych's default) or complete rows only.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ np.full((1, 5), 0.7) + rng.normal(scale=0.7, size=(300, 5)),
    ...                   columns=[f"q{i}" for i in range(1, 6)])
    >>> res = kmo(df)
    >>> round(res.overall, 3), res.label
    (0.84, 'meritorious')
    >>> list(res.items.index)
    ['q1', 'q2', 'q3', 'q4', 'q5']
    """
    items, X = _prepare(data, items, missing=missing, min_items=2)
    R = _correlation(X, items)
    _check_positive_definite(R, items)
    overall, msa = _kmo_from_r(R)
    return KMOResult(overall, pd.Series(msa, index=items, name="msa"), X.shape[0], missing)


@dataclass
class BartlettResult(Result):
    """Bartlett's test of sphericity: ``.statistic`` (χ²), ``.df``, ``.pvalue``, ``.n``."""

    statistic: float
    df: int
    pvalue: float
    n: int
    p: int
    title: str = "Bartlett's test of sphericity (psych cortest.bartlett)"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"chisq": self.statistic, "df": self.df, "pvalue": self.pvalue,
                              "n": self.n, "items": self.p}])

    def apa(self, lang: str = "en") -> str:
        return _text("bartlett_apa", lang, df=apa_df(self.df, lang), chisq=apa_num(self.statistic, 2, lang),
                     p=apa_p(self.pvalue, lang))


def _bartlett_from_r(R: np.ndarray, n: int) -> tuple[float, int, float]:
    p = R.shape[0]
    sign, logdet = np.linalg.slogdet(R)
    stat = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return float(stat), df, float(stats.chi2.sf(stat, df))


def bartlett(data: pd.DataFrame, items=None, *, missing: str = "pairwise") -> BartlettResult:
    """Bartlett's (1951) test that the items' correlation matrix is an identity matrix.

    ``χ² = −ln|R| · (n − 1 − (2p + 5)/6)`` on ``p(p − 1)/2`` df, with ``R`` the (pairwise)
    correlations and ``n`` the number of rows (psych ``cortest.bartlett`` given raw data).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ np.full((1, 5), 0.7) + rng.normal(scale=0.7, size=(300, 5)),
    ...                   columns=[f"q{i}" for i in range(1, 6)])
    >>> res = bartlett(df)
    >>> res.df, res.pvalue < 0.001
    (10, True)
    """
    items, X = _prepare(data, items, missing=missing, min_items=2)
    R = _correlation(X, items)
    _check_positive_definite(R, items)
    stat, df, p = _bartlett_from_r(R, X.shape[0])
    return BartlettResult(stat, df, p, X.shape[0], len(items))


# --------------------------------------------------------------------------- extraction

def _top_loadings(M: np.ndarray, nf: int) -> np.ndarray:
    w, V = np.linalg.eigh(M)
    w, V = w[::-1][:nf], V[:, ::-1][:, :nf]
    return V * np.sqrt(np.maximum(w, 0.0))


def _minres_objective(psi, R, nf):
    """psych ``fit.residuals`` (minres): the sum of squared lower-triangle residuals of ``R``
    with ``1 − ψ`` on its diagonal, and psych's gradient ``FAgr.minres``:
    ``diag(ΛΛ' + diag ψ − R)`` with Λ from ``R − diag ψ`` (zero where the two agree, at the
    minres solution)."""
    eps = np.finfo(float).eps
    S = R.copy()
    np.fill_diagonal(S, 1 - psi)
    w, V = np.linalg.eigh(S)
    w, V = w[::-1], V[:, ::-1]
    w = np.where(w < eps, 100 * eps, w)
    L = V[:, :nf] * np.sqrt(w[:nf])
    resid = (S - L @ L.T)[np.tril_indices(len(psi), -1)]
    f = float((resid ** 2).sum())
    L2 = _top_loadings(R - np.diag(psi), nf)
    return f, np.diag(L2 @ L2.T) + psi - np.diag(R)


def _ml_objective(psi, R, nf):
    sc = 1 / np.sqrt(psi)
    w, V = np.linalg.eigh(R * np.outer(sc, sc))
    w, V = w[::-1], V[:, ::-1]
    e = w[nf:]
    f = -float(np.sum(np.log(e) - e) - nf + R.shape[0])
    L = (V[:, :nf] * np.sqrt(np.maximum(w[:nf] - 1, 0.0))) * np.sqrt(psi)[:, None]
    g = np.diag(L @ L.T + np.diag(psi) - R) / psi ** 2
    return f, g


def _extract(R: np.ndarray, nf: int, method: str):
    """Unrotated loadings (p × nf), communalities as psych reports them, iterations, converged."""
    p = R.shape[0]
    smc = _smc(R)
    upper = max(float(smc.max()), 1.0)
    if method == "pa":
        rm = R.copy()
        np.fill_diagonal(rm, smc)
        comm = float(np.trace(rm))
        err, it = comm, 1
        while err > 0.001:
            w, V = np.linalg.eigh(rm)
            w, V = w[::-1][:nf], V[:, ::-1][:, :nf]
            if np.any(w < 0):
                raise StatisticsError(Problem("efa_not_converged", params={"method": method, "iterations": it}))
            L = V * np.sqrt(w)
            new = (L ** 2).sum(axis=1)
            comm1 = float(new.sum())
            np.fill_diagonal(rm, new)
            err = abs(comm - comm1)
            comm = comm1
            it += 1
            if it > 50:
                break
        return L, it - 1, True
    # psych's optim() call: L-BFGS-B on ψ/0.01 (parscale), factr = 1e7, pgtol = 0, lmm = 5,
    # maxit = 100; scipy's L-BFGS-B then takes the same steps, so the solution (and χ²) is
    # psych's to rounding, including where psych stops short of the exact optimum
    start = np.diag(R) - smc
    fun = _minres_objective if method == "minres" else _ml_objective
    ps = 0.01

    def scaled(x):
        f, g = fun(x * ps, R, nf)
        return f, g * ps

    res = optimize.minimize(scaled, start / ps, jac=True, method="L-BFGS-B",
                            bounds=[(PSI_MIN / ps, upper / ps)] * p,
                            options={"ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxiter": 100,
                                     "maxcor": 5})
    psi = res.x * ps
    if method == "minres":
        L = _top_loadings(R - np.diag(psi), nf)
    else:
        sc = 1 / np.sqrt(psi)
        w, V = np.linalg.eigh(R * np.outer(sc, sc))
        w, V = w[::-1][:nf], V[:, ::-1][:, :nf]
        L = (V * np.sqrt(np.maximum(w - 1, 0.0))) * np.sqrt(psi)[:, None]
    # projected gradient: a coordinate at a bound counts as converged when it pushes outward
    g = res.jac / ps
    free = ~(((psi <= PSI_MIN + 1e-10) & (g > 0)) | ((psi >= upper - 1e-10) & (g < 0)))
    converged = bool(res.success or np.max(np.abs(g[free]), initial=0.0) < 1e-4)
    return L, int(res.nit), converged


# --------------------------------------------------------------------------- rotations

def _varimax(x: np.ndarray, normalize: bool = True, eps: float = 1e-5):
    """R ``stats::varimax`` (Kaiser normalized; the same stopping rule)."""
    nc = x.shape[1]
    if nc < 2:
        return x, np.eye(nc)
    if normalize:
        sc = np.sqrt((x ** 2).sum(axis=1))
        x = x / sc[:, None]
    p = x.shape[0]
    TT = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ TT
        B = x.T @ (z ** 3 - z * ((z ** 2).sum(axis=0) / p))
        u, s, vt = np.linalg.svd(B)
        TT = u @ vt
        dpast, d = d, float(s.sum())
        if d < dpast * (1 + eps):
            break
    z = x @ TT
    if normalize:
        z = z * sc[:, None]
    return z, TT


def _quartimin(L: np.ndarray):
    X = (L ** 2) @ (1 - np.eye(L.shape[1]))
    return float((L ** 2 * X).sum() / 4), L * X


def _oblimin(A: np.ndarray, eps: float = 1e-5, maxit: int = 1000):
    """GPArotation ``GPFoblq`` with ``vgQ.oblimin`` (γ = 0), identity start, no normalization."""
    k = A.shape[1]
    T = np.eye(k)
    al = 1.0
    L = A @ np.linalg.inv(T).T
    f, Gq = _quartimin(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    s = math.inf
    for _ in range(maxit + 1):
        Gp = G - T * (T * G).sum(axis=0)
        s = math.sqrt(float((Gp ** 2).sum()))
        if s < eps:
            break
        al *= 2
        for _i in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X ** 2).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = _quartimin(L)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2
        T, f = Tt, ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    return L, T.T @ T, s < eps


def _promax(x: np.ndarray, m: int = 4):
    """psych ``kaiser(x, rotate="Promax")``: Kaiser-normalized rows, psych ``Promax`` (varimax,
    target ``x|x|^(m−1)``, least squares, columns rescaled), loadings rescaled back."""
    h = np.sqrt((x ** 2).sum(axis=1))
    w = x / h[:, None]
    v, rot = _varimax(w)
    Q = v * np.abs(v) ** (m - 1)
    U = np.linalg.lstsq(v, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U * np.sqrt(d)
    z = v @ U
    U = rot @ U
    ui = np.linalg.inv(U)
    return z * h[:, None], ui @ ui.T


def _cor_smooth(R: np.ndarray) -> np.ndarray:
    """psych ``cor.smooth``: eigenvalues below machine epsilon raised, rescaled to a correlation."""
    w, V = np.linalg.eigh(R)
    eps = np.finfo(float).eps
    if w.min() >= eps:
        return R
    w = np.where(w < eps, 100 * eps, w)
    w = w * len(w) / w.sum()
    M = (V * w) @ V.T
    d = np.sqrt(np.diag(M))
    return M / np.outer(d, d)


def _rmsea_ci_psych(chisq, df, n, alpha=0.1):
    tail = alpha / 2
    hi_bound = max(n, chisq) + 2 * n

    def root(target):
        f = lambda x: stats.ncx2.cdf(chisq, df, x) - target if x > 0 else stats.chi2.cdf(chisq, df) - target
        try:
            return optimize.brentq(f, 0.0, hi_bound, xtol=1e-12)
        except ValueError:  # pragma: no cover - no sign change
            return math.nan

    up = 0.0
    if stats.chi2.cdf(chisq, df) > tail:
        up = math.sqrt(root(tail) / (n - 1) / df)
    lo = 0.0
    if stats.chi2.cdf(chisq, df) > 1 - tail:
        lo = math.sqrt(root(1 - tail) / (n - 1) / df)
    return lo, up


def _fa_stats(R: np.ndarray, L: np.ndarray, phi, n: int) -> dict:
    """psych ``fa.stats``: objective, Bartlett-corrected χ², df, p, TLI, RMSEA (90 % CI)."""
    p, nf = L.shape
    model = L @ (phi if phi is not None else np.eye(nf)) @ L.T
    dof = p * (p - 1) / 2 - p * nf + nf * (nf - 1) / 2
    np.fill_diagonal(model, np.diag(R))
    model = _cor_smooth(model)
    r = _cor_smooth(R)
    mr = np.linalg.solve(model, r)
    sign, logdet = np.linalg.slogdet(mr)
    obj = float(np.trace(mr) - logdet - p)
    nm = (n - 1) - (2 * p + 5) / 6 - 2 * nf / 3
    chisq = obj * nm
    chisq = max(chisq, 0.0)
    pval = float(stats.chi2.sf(chisq, dof)) if dof > 0 else math.nan
    F0 = float(np.trace(r) - np.linalg.slogdet(r)[1] - p)
    Mm = obj / dof if dof != 0 else math.nan
    M0 = F0 * 2 / (p * (p - 1))
    tli = (M0 - Mm) / (M0 - 1 / nm)
    out = {"objective": obj, "chisq": chisq, "df": dof, "pvalue": pval, "tli": tli,
           "rmsea": math.nan, "rmsea_ci_lower": math.nan, "rmsea_ci_upper": math.nan,
           "null_chisq": F0 * ((n - 1) - (2 * p + 5) / 6), "null_df": p * (p - 1) / 2, "n": n}
    if dof > 0:
        out["rmsea"] = math.sqrt(max(chisq / (dof * n) - 1 / (n - 1), 0.0))
        lo, up = _rmsea_ci_psych(chisq, dof, n)
        out["rmsea_ci_lower"], out["rmsea_ci_upper"] = lo, up
    return out


# --------------------------------------------------------------------------- EFA

@dataclass
class EFAResult(Result):
    """An exploratory factor solution (psych ``fa()`` conventions).

    ``.loadings`` (items × ``F1``…``Fk``, rotated, pattern for oblique rotations),
    ``.communalities``, ``.uniquenesses`` (Series), ``.variance`` (psych ``Vaccounted``: rows
    ``SS loadings``, ``Proportion Var``, ``Cumulative Var``, ``Proportion Explained``,
    ``Cumulative Proportion``), ``.phi`` (factor correlations, oblique rotations only),
    ``.structure``, ``.fit`` (psych ``fa.stats``: ``chisq``, ``df``, ``pvalue``, ``tli``,
    ``rmsea`` and CI, ``objective``), ``.eigenvalues`` (of the correlation matrix).
    """

    loadings: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    phi: pd.DataFrame | None
    fit: dict
    eigenvalues: pd.Series
    method: str
    rotation: str | None
    n: int
    missing: str
    iterations: int
    notes: list[str] = field(default_factory=list)
    title: str = "Exploratory factor analysis"

    @property
    def n_factors(self) -> int:
        return self.loadings.shape[1]

    @property
    def structure(self) -> pd.DataFrame:
        if self.phi is None:
            return self.loadings.copy()
        return self.loadings @ self.phi

    @property
    def complexity(self) -> pd.Series:
        """Hofmann's (1978) item complexity ``(Σλ²)²/Σλ⁴`` (psych ``com``)."""
        L = self.loadings.to_numpy()
        return pd.Series((L ** 2).sum(1) ** 2 / (L ** 4).sum(1), index=self.loadings.index, name="complexity")

    @property
    def variant(self) -> str:
        rot = self.rotation or "none"
        return f"{self.method} extraction, {rot} rotation (psych fa, {self.missing} correlations)"

    def to_frame(self) -> pd.DataFrame:
        out = self.loadings.copy()
        out["h2"] = self.communalities
        out["u2"] = self.uniquenesses
        out["com"] = self.complexity
        return out

    def summary(self) -> str:
        base = super().summary()
        with pd.option_context("display.float_format", lambda v: f"{v:.4f}"):
            parts = [base, "", f"Variant: {self.variant}", "", self.variance.to_string()]
            if self.phi is not None:
                parts += ["", "Factor correlations (Φ):", self.phi.to_string()]
        return "\n".join(parts)

    def apa(self, lang: str = "en") -> str:
        cum = float(self.variance.loc["SS loadings"].sum() / len(self.loadings))
        rot = self.rotation or "none"
        s = _text("efa_apa", lang, method=self.method, rotation=_text(f"rotation_{rot}", lang),
                  k=self.n_factors, pct=apa_num(100 * cum, 1, lang))
        f = self.fit
        if f.get("df", 0) > 0 and math.isfinite(f.get("rmsea", math.nan)):
            s += "; " + _text("efa_fit_apa", lang, df=apa_df(f["df"], lang), chisq=apa_num(f["chisq"], 2, lang),
                              p=apa_p(f["pvalue"], lang),
                              rmsea=apa_num(f["rmsea"], 3, lang, leading_zero=False),
                              tli=apa_num(f["tli"], 3, lang, leading_zero=False))
        return s


def _check_method(method, rotation):
    if method not in METHODS:
        raise StatisticsError(Problem("bad_option", params={"name": "method", "value": method,
                                                            "choices": ", ".join(METHODS)}))
    if isinstance(rotation, str) and rotation.lower() == "none":
        rotation = None
    if rotation not in ROTATIONS:
        raise StatisticsError(Problem("bad_option", params={"name": "rotation", "value": rotation,
                                                            "choices": "oblimin, promax, varimax, None"}))
    return rotation


def _efa_core(R: np.ndarray, n: int, nf: int, method: str, rotation):
    L, iterations, converged = _extract(R, nf, method)
    if nf > 1:
        sgn = np.sign(L.sum(axis=0))
        sgn[sgn == 0] = 1
        L = L * sgn
    elif L.sum() < 0:
        L = -L
    communality = (L ** 2).sum(axis=1)
    uniqueness = np.diag(R) - communality
    phi = None
    rot_ok = True
    if rotation is not None and nf > 1:
        if rotation == "varimax":
            L, _ = _varimax(L)
        elif rotation == "promax":
            L, phi = _promax(L)
        else:
            L, phi, rot_ok = _oblimin(L)
    sgn = np.sign(L.sum(axis=0))
    sgn[sgn == 0] = 1
    L = L * sgn
    if phi is not None:
        phi = phi * np.outer(sgn, sgn)
    if nf > 1:
        ev = np.diag(phi @ L.T @ L) if phi is not None else (L ** 2).sum(axis=0)
        order = np.argsort(-ev, kind="stable")
        L = L[:, order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]
    return L, phi, communality, uniqueness, iterations, converged, rot_ok


def efa(data: pd.DataFrame, n_factors: int = 1, method: str = "minres", rotation: str | None = "oblimin",
        *, items=None, missing: str = "pairwise") -> EFAResult:
    """Exploratory factor analysis as R psych ``fa()`` (formulas in the module docstring).

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one numeric column per item.
    n_factors : int
        Number of factors (1 … p − 1).
    method : {"minres", "ml", "pa"}
        Minimum residual (psych's default), maximum likelihood, iterated principal axis.
    rotation : {"oblimin", "promax", "varimax", None}
        ``oblimin`` (psych's default: GPArotation quartimin, no Kaiser normalization),
        ``promax`` (psych ``kaiser(…, "Promax")``, m = 4), ``varimax`` (``stats::varimax``,
        Kaiser normalized) or none.
    items : list of str, optional
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations with n = all rows (psych) or complete rows only.

    Returns
    -------
    EFAResult
        Columns ``F1``…``Fk`` (psych names them ``MR1``, ``ML1``, ``PA1``…); factors signed so
        that their loadings sum positive and ordered by the variance they account for.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> F = rng.normal(size=(500, 2))
    >>> lam = np.array([[.8, 0], [.7, 0], [.6, 0], [0, .8], [0, .7], [0, .6]])
    >>> df = pd.DataFrame(F @ lam.T + rng.normal(scale=.6, size=(500, 6)), columns=list("abcdef"))
    >>> res = efa(df, n_factors=2, method="ml", rotation="varimax")
    >>> res.loadings.round(1).abs().to_numpy().argmax(axis=1).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> list(res.variance.index)[:2]
    ['SS loadings', 'Proportion Var']
    """
    rotation = _check_method(method, rotation)
    items, X = _prepare(data, items, missing=missing)
    p = len(items)
    if not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < p:
        raise StatisticsError(Problem("factor_too_many_factors", params={"n_factors": n_factors, "k": p,
                                                                         "max": p - 1}))
    nf = int(n_factors)
    R = _correlation(X, items)
    _check_positive_definite(R, items)
    n = X.shape[0]
    L, phi, comm, uniq, iterations, converged, rot_ok = _efa_core(R, n, nf, method, rotation)
    cols = [f"F{i}" for i in range(1, nf + 1)]
    notes = []
    if not converged:  # psych reports such a solution too (with its warnings): so do we, with a note
        notes.append(f"the {method} extraction stopped before converging ({iterations} L-BFGS-B iterations)")
    if np.any(comm > 1 + 1e-9):
        notes.append("ultra-Heywood case: communality above 1 for "
                     + ", ".join(str(items[i]) for i in np.flatnonzero(comm > 1 + 1e-9)))
    if not rot_ok:
        notes.append("the oblimin rotation did not converge in 1000 iterations (GPArotation's limit)")
    heywood = [items[i] for i in np.flatnonzero((comm >= 1 - PSI_MIN - 1e-6) & (comm <= 1 + 1e-9))]
    if heywood:
        notes.append("Heywood case: communality at its bound (≥ .995) for " + ", ".join(map(str, heywood)))
    dof = p * (p - 1) / 2 - p * nf + nf * (nf - 1) / 2
    if dof < 0:
        notes.append(f"more factors than the data can identify (df = {dof:g})")
    vx = np.diag(phi @ L.T @ L) if phi is not None else (L ** 2).sum(axis=0)
    vtotal = float(np.sum(comm + uniq))
    rows = {"SS loadings": vx, "Proportion Var": vx / vtotal}
    if nf > 1:
        rows["Cumulative Var"] = np.cumsum(vx / vtotal)
        rows["Proportion Explained"] = vx / vx.sum()
        rows["Cumulative Proportion"] = np.cumsum(vx / vx.sum())
    variance = pd.DataFrame(rows, index=cols).T
    fit = _fa_stats(R, L, phi, n)
    ev = np.linalg.eigvalsh(R)[::-1]
    return EFAResult(
        loadings=pd.DataFrame(L, index=items, columns=cols),
        communalities=pd.Series(comm, index=items, name="communality"),
        uniquenesses=pd.Series(uniq, index=items, name="uniqueness"),
        variance=variance,
        phi=None if phi is None else pd.DataFrame(phi, index=cols, columns=cols),
        fit=fit, eigenvalues=pd.Series(ev, index=range(1, p + 1), name="eigenvalue"),
        method=method, rotation=rotation, n=n, missing=missing, iterations=iterations, notes=notes)


# --------------------------------------------------------------------------- parallel analysis

def _fa_values(R: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``R`` with the one-factor minres communalities on the diagonal (psych)."""
    L, _, _ = _extract(R, 1, "minres")
    M = R.copy()
    np.fill_diagonal(M, (L ** 2).sum(axis=1))
    return np.linalg.eigvalsh(M)[::-1]


@dataclass
class ParallelResult(Result):
    """Horn's parallel analysis: ``.scree`` (observed and simulated eigenvalues),
    ``.n_factors`` / ``.n_components`` (suggested), ``.kaiser`` (eigenvalues > 1), ``.rule``."""

    scree: pd.DataFrame
    n_factors: int
    n_components: int
    kaiser: int
    n_iter: int
    quantile: float
    seed: Any
    n: int
    title: str = "Parallel analysis (Horn 1965; psych fa.parallel)"

    @property
    def suggested(self) -> int:
        return self.n_factors

    @property
    def rule(self) -> str:
        return (f"Horn's parallel analysis: factor eigenvalues (one-factor minres communalities) above the "
                f"{self.quantile:.0%} quantile of {self.n_iter} simulated normal data sets of the same size")

    def to_frame(self) -> pd.DataFrame:
        return self.scree.copy()

    def apa(self, lang: str = "en") -> str:
        return _text("parallel_apa", lang, n_iter=self.n_iter, q=f"{self.quantile * 100:g}",
                     k=self.n_factors, c=self.n_components, kaiser=self.kaiser)


def parallel_analysis(data: pd.DataFrame, n_iter: int = 20, seed=None, *, items=None,
                      quantile: float = 0.95, missing: str = "pairwise") -> ParallelResult:
    """Horn's (1965) parallel analysis with the scree values, as psych ``fa.parallel`` (``fa="both"``).

    Observed: eigenvalues of the correlation matrix (``pc``) and of the reduced matrix with the
    one-factor minres communalities on the diagonal (``fa``, psych's ``fa.values``). Simulated:
    the same for ``n_iter`` data sets of independent standard normal variables with the data's
    n and p (numpy ``default_rng(seed)``). Suggested numbers: leading observed eigenvalues that
    exceed the ``quantile`` of the simulated ones (psych's ``fa.test``/``pc.test``); ``kaiser``
    counts component eigenvalues above 1 (Kaiser 1960), reported for comparison only.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> F = rng.normal(size=(400, 2))
    >>> lam = np.array([[.8, 0], [.7, 0], [.6, 0], [0, .8], [0, .7], [0, .6]])
    >>> df = pd.DataFrame(F @ lam.T + rng.normal(scale=.6, size=(400, 6)), columns=list("abcdef"))
    >>> res = parallel_analysis(df, n_iter=10, seed=1)
    >>> res.n_factors, res.n_components
    (2, 2)
    >>> list(res.scree.columns)
    ['pc', 'pc_sim_mean', 'pc_sim_quantile', 'fa', 'fa_sim_mean', 'fa_sim_quantile']
    """
    items, X = _prepare(data, items, missing=missing)
    if not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "n_iter", "value": n_iter,
                                                            "choices": "an integer ≥ 1"}))
    if not 0 < quantile < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "quantile", "value": quantile,
                                                            "choices": "0 < quantile < 1"}))
    R = _correlation(X, items)
    _check_positive_definite(R, items)
    n, p = X.shape
    pc = np.linalg.eigvalsh(R)[::-1]
    fa = _fa_values(R)
    rng = np.random.default_rng(seed)
    sim_pc, sim_fa = np.empty((n_iter, p)), np.empty((n_iter, p))
    for b in range(n_iter):
        Rs = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        sim_pc[b] = np.linalg.eigvalsh(Rs)[::-1]
        sim_fa[b] = _fa_values(Rs)
    # R's quantile type 7 is numpy's default "linear"
    q_pc, q_fa = np.quantile(sim_pc, quantile, axis=0), np.quantile(sim_fa, quantile, axis=0)

    def leading(obs, ref):
        below = np.flatnonzero(~(obs > ref))
        return int(below[0]) if below.size else len(obs)

    scree = pd.DataFrame({"pc": pc, "pc_sim_mean": sim_pc.mean(0), "pc_sim_quantile": q_pc,
                          "fa": fa, "fa_sim_mean": sim_fa.mean(0), "fa_sim_quantile": q_fa},
                         index=pd.RangeIndex(1, p + 1, name="number"))
    return ParallelResult(scree, leading(fa, q_fa), leading(pc, q_pc), int((pc > 1).sum()),
                          int(n_iter), quantile, seed, n)


# --------------------------------------------------------------------------- lavaan model syntax

_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"


@dataclass
class Model:
    """A parsed measurement model: factors with their indicators, and extra ``~~`` terms."""

    factors: dict[str, list[tuple[str, float | None]]]  # item, fixed value or None (free)
    covariances: list[tuple[str, str, float | None]]

    @property
    def observed(self) -> list[str]:
        seen: list[str] = []
        for inds in self.factors.values():
            for item, _ in inds:
                if item not in seen and item not in self.factors:
                    seen.append(item)
        return seen


def parse_model(model: str) -> Model:
    """Parse the measurement part of lavaan's model syntax.

    Supported: ``f =~ x1 + x2 + x3`` (first loading fixed to 1 unless premultiplied),
    premultipliers ``0.5*x2`` (fixed) and ``NA*x1`` (free), ``x1 ~~ x2`` (a free residual
    covariance), ``f1 ~~ 0*f2`` (a fixed factor covariance), ``x1 ~~ 0.3*x1`` (a fixed residual
    variance); lines separated by newlines or ``;``, ``#`` comments. Other operators (``~``,
    ``:=``, ``|``, labels) are refused with an error naming the line.

    Examples
    --------
    >>> m = parse_model("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6  # verbal")
    >>> list(m.factors), m.observed
    (['visual', 'textual'], ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'])
    >>> m.factors["visual"][0]
    ('x1', 1.0)
    """
    if not isinstance(model, str) or not model.strip():
        raise StatisticsError(Problem("cfa_syntax", params={"line": str(model), "reason": "empty model"}))
    factors: dict[str, list[tuple[str, float | None]]] = {}
    covs: list[tuple[str, str, float | None]] = []
    term_re = re.compile(rf"^\s*(?:(NA|[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)\s*\*\s*)?({_NAME})\s*$")
    for raw in re.split(r"[\n;]", model):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=~" in line:
            lhs, rhs = line.split("=~", 1)
            lhs = lhs.strip()
            if not re.fullmatch(_NAME, lhs):
                raise StatisticsError(Problem("cfa_syntax", params={"line": line, "reason": "latent name"}))
            inds = factors.setdefault(lhs, [])
            for term in rhs.split("+"):
                m = term_re.match(term)
                if not m:
                    raise StatisticsError(Problem("cfa_syntax", params={"line": line, "reason": term.strip() or "+"}))
                mod, name = m.groups()
                if any(name == i for i, _ in inds):
                    raise StatisticsError(Problem("cfa_syntax", params={"line": line, "reason": f"{name} twice"}))
                value = None if mod == "NA" else (float(mod) if mod is not None else None)
                if mod is None and not inds:
                    value = 1.0  # lavaan's marker: first indicator's loading fixed to 1
                inds.append((name, value))
        elif "~~" in line:
            lhs, rhs = (s.strip() for s in line.split("~~", 1))
            m = term_re.match(rhs)
            if not re.fullmatch(_NAME, lhs) or not m:
                raise StatisticsError(Problem("cfa_syntax", params={"line": line, "reason": "~~"}))
            mod, name = m.groups()
            covs.append((lhs, name, None if mod in (None, "NA") else float(mod)))
        else:
            raise StatisticsError(Problem("cfa_syntax", params={"line": line, "reason": "only =~ and ~~ are supported"}))
    if not factors:
        raise StatisticsError(Problem("cfa_syntax", params={"line": model.strip().splitlines()[0],
                                                            "reason": "no =~ line"}))
    for f, inds in factors.items():
        if any(i in factors for i, _ in inds):
            raise StatisticsError(Problem("cfa_syntax", params={"line": f"{f} =~ …", "reason": "higher-order factor"}))
    for a, b, _ in covs:
        obs = {i for inds in factors.values() for i, _ in inds}
        for name in (a, b):
            if name not in factors and name not in obs:
                raise StatisticsError(Problem("cfa_syntax", params={"line": f"{a} ~~ {b}",
                                                                    "reason": f"{name} is not in the model"}))
        if (a in factors) != (b in factors):
            raise StatisticsError(Problem("cfa_syntax", params={"line": f"{a} ~~ {b}",
                                                                "reason": "latent with observed"}))
    return Model(factors, covs)


# --------------------------------------------------------------------------- CFA estimation

@dataclass
class _Param:
    lhs: str
    op: str
    rhs: str
    matrix: str  # "L", "T", "P"
    i: int
    j: int
    free: bool
    value: float


def _build_params(model: Model, obs: list[str]) -> list[_Param]:
    """Parameter table in lavaan's ``parameterEstimates()`` order."""
    fac = list(model.factors)
    pos = {v: k for k, v in enumerate(obs)}
    fpos = {v: k for k, v in enumerate(fac)}
    params: list[_Param] = []
    for f, inds in model.factors.items():
        for item, value in inds:
            params.append(_Param(f, "=~", item, "L", pos[item], fpos[f], value is None,
                                 1.0 if value is None else value))
    user = set()
    for a, b, value in model.covariances:
        if a in fpos:
            i, j, mat = fpos[a], fpos[b], "P"
        else:
            i, j, mat = pos[a], pos[b], "T"
        key = (mat, max(i, j), min(i, j))
        if key in user:
            raise StatisticsError(Problem("cfa_syntax", params={"line": f"{a} ~~ {b}", "reason": "twice"}))
        user.add(key)
        params.append(_Param(a, "~~", b, mat, max(i, j), min(i, j), value is None,
                             0.0 if value is None else value))
    for v in obs:
        if ("T", pos[v], pos[v]) not in user:
            params.append(_Param(v, "~~", v, "T", pos[v], pos[v], True, 0.0))
    for f in fac:
        if ("P", fpos[f], fpos[f]) not in user:
            params.append(_Param(f, "~~", f, "P", fpos[f], fpos[f], True, 0.0))
    for a in range(len(fac)):
        for b in range(a + 1, len(fac)):
            if ("P", b, a) not in user:
                params.append(_Param(fac[a], "~~", fac[b], "P", b, a, True, 0.0))
    return params


class _Structure:
    """Σ(θ) = ΛΦΛ' + Θ and its derivatives for a parameter table."""

    def __init__(self, params: list[_Param], p: int, m: int):
        self.params, self.p, self.m = params, p, m
        self.free = [k for k, q in enumerate(params) if q.free]
        self.L0, self.T0, self.P0 = np.zeros((p, m)), np.zeros((p, p)), np.zeros((m, m))
        for q in params:
            if not q.free:
                self._put(self.L0, self.T0, self.P0, q, q.value)

    @staticmethod
    def _put(L, T, P, q, value):
        if q.matrix == "L":
            L[q.i, q.j] = value
        elif q.matrix == "T":
            T[q.i, q.j] = T[q.j, q.i] = value
        else:
            P[q.i, q.j] = P[q.j, q.i] = value

    def matrices(self, theta):
        L, T, P = self.L0.copy(), self.T0.copy(), self.P0.copy()
        for k, v in zip(self.free, theta):
            self._put(L, T, P, self.params[k], v)
        return L, T, P

    def sigma(self, theta):
        L, T, P = self.matrices(theta)
        return L @ P @ L.T + T

    def derivatives(self, theta):
        """∂Σ/∂θ_a for every free parameter: array (n_free, p, p)."""
        L, T, P = self.matrices(theta)
        out = np.zeros((len(self.free), self.p, self.p))
        LP = L @ P
        for a, k in enumerate(self.free):
            q = self.params[k]
            if q.matrix == "L":
                D = np.zeros((self.p, self.p))
                D[q.i, :] += LP[:, q.j]
                D[:, q.i] += LP[:, q.j]
                out[a] = D
            elif q.matrix == "T":
                out[a, q.i, q.j] = out[a, q.j, q.i] = 1.0
            else:
                E = np.zeros((self.m, self.m))
                E[q.i, q.j] = E[q.j, q.i] = 1.0
                out[a] = L @ E @ L.T
        return out


def _start_values_blocks(st: _Structure, S: np.ndarray) -> np.ndarray | None:
    """Start from a one-factor principal-axis fit to each factor's own items (SMCs on the
    diagonal of their correlations): ``λ_j = l_j s_j / (l_r s_r)`` with ``r`` the marker,
    ``φ = (l_r s_r)²``, residual variances ``s_jj − λ_j²φ`` (at least s_jj/10), factor
    covariances 0. None when a marker barely loads on its own factor."""
    theta = np.zeros(len(st.free))
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    lam, phi = {}, {}
    for j in range(st.m):
        own = [q for q in st.params if q.matrix == "L" and q.j == j]
        idx = [q.i for q in own]
        marker = next((q for q in own if not q.free and q.value != 0), None)
        if marker is None or len(idx) < 2:
            return None
        Rj = R[np.ix_(idx, idx)]
        if len(idx) == 2:
            l = np.sqrt(np.abs(Rj[0, 1])) * np.array([1.0, np.sign(Rj[0, 1]) or 1.0])
        else:
            M = Rj.copy()
            np.fill_diagonal(M, _smc(Rj))
            w, V = np.linalg.eigh(M)
            l = V[:, -1] * math.sqrt(max(w[-1], 1e-6))
        r = idx.index(marker.i)
        if abs(l[r]) < 0.1:
            return None
        scale = l[r] * sd[marker.i] / marker.value
        phi[j] = scale ** 2
        for q, lj in zip(own, l):
            lam[(q.i, j)] = lj * sd[q.i] / scale
    for a, k in enumerate(st.free):
        q = st.params[k]
        if q.matrix == "L":
            theta[a] = lam[(q.i, q.j)]
        elif q.matrix == "P":
            theta[a] = phi[q.i] if q.i == q.j else 0.0
        elif q.i == q.j:
            common = sum(lam[(i, j)] ** 2 * phi[j] for (i, j) in lam if i == q.i)
            theta[a] = max(S[q.i, q.i] - common, S[q.i, q.i] / 10)
    return theta


def _start_values(st: _Structure, S: np.ndarray) -> np.ndarray:
    """Start: residual variances s_jj/2, factor variance from the marker's covariance with the
    other indicators (s_rj s_rk / s_jk averaged, else s_rr/2), loadings s_jr/φ, covariances 0."""
    theta = np.zeros(len(st.free))
    params = st.params
    phi = {}
    markers = {}
    for q in params:
        if q.matrix == "L" and not q.free and q.value != 0:
            markers.setdefault(q.j, (q.i, q.value))
    for j in range(st.m):
        if j not in markers:
            phi[j] = 1.0
            continue
        r, lam_r = markers[j]
        others = [q.i for q in params if q.matrix == "L" and q.j == j and q.i != r]
        est = []
        for a in range(len(others)):
            for b in range(a + 1, len(others)):
                ja, jb = others[a], others[b]
                if abs(S[ja, jb]) > 1e-12:
                    est.append(S[r, ja] * S[r, jb] / S[ja, jb])
        val = float(np.median(est)) / lam_r ** 2 if est else S[r, r] / 2 / lam_r ** 2
        if not (0.05 * S[r, r] < val * lam_r ** 2 < 0.95 * S[r, r]):
            val = S[r, r] / 2 / lam_r ** 2
        phi[j] = val
    for a, k in enumerate(st.free):
        q = params[k]
        if q.matrix == "T":
            theta[a] = S[q.i, q.i] / 2 if q.i == q.j else 0.0
        elif q.matrix == "P":
            theta[a] = phi[q.i] if q.i == q.j else 0.0
        else:
            r = markers.get(q.j, (None, 1.0))[0]
            theta[a] = S[q.i, r] / (phi[q.j] * markers[q.j][1]) if r is not None else math.sqrt(S[q.i, q.i] / 2)
    return theta


def _f_ml(Sigma, S, logdet_S, p):
    """``F_ML``; infinite unless Σ is positive definite (a determinant > 0 is not enough: two
    negative eigenvalues have one too)."""
    try:
        C = np.linalg.cholesky(Sigma)
    except np.linalg.LinAlgError:
        return math.inf
    logdet = 2 * float(np.sum(np.log(np.diag(C))))
    Ci = np.linalg.inv(C)
    return float(logdet + np.sum((Ci @ S) * Ci) - logdet_S - p)


def _gradient(st: _Structure, S: np.ndarray, theta: np.ndarray, info: bool = True):
    """``∂F/∂θ_a = tr(W Σ_a)`` with ``W = Σ⁻¹(Σ − S)Σ⁻¹``, and (``info``) the Fisher
    information ``tr(Σ⁻¹Σ_a Σ⁻¹Σ_b)`` (twice the expected Hessian of F)."""
    Sigma = st.sigma(theta)
    Si = np.linalg.inv(Sigma)
    D = st.derivatives(theta)
    W = Si @ (Sigma - S) @ Si
    g = np.einsum("ij,aij->a", W, D)
    if not info:
        return g, None
    A = np.einsum("ij,ajk->aik", Si, D)
    return g, np.einsum("aij,bji->ab", A, A)


def _observed_hessian(st: _Structure, S: np.ndarray, theta: np.ndarray):
    """The Hessian of F_ML at θ, in closed form; None where Σ is singular.

    With Σ_a = ∂Σ/∂θ_a, Σ_ab = ∂²Σ/∂θ_a∂θ_b and W = Σ⁻¹(Σ − S)Σ⁻¹ (so that ∂F/∂θ_a =
    tr(W Σ_a), :func:`_gradient`), differentiating once more (matrix calculus, e.g. Magnus &
    Neudecker 2019, ch. 9; W = Σ⁻¹ − M with M = Σ⁻¹SΣ⁻¹):

    ∂²F/∂θ_a∂θ_b = −tr(Σ⁻¹Σ_aΣ⁻¹Σ_b) + tr(Σ⁻¹Σ_a MΣ_b) + tr(MΣ_aΣ⁻¹Σ_b) + tr(W Σ_ab).

    For Σ = ΛΦΛ' + Θ the second derivatives are nonzero only for two loadings and for a
    loading and a factor (co)variance: tr(W Σ_ab) = 2 W_ik Φ_jl for λ_ij, λ_kl, and
    2 (WΛE)_ij for λ_ij and φ_kl, E = ∂Φ/∂φ_kl (symmetric). Tested against central differences
    of the analytic gradient."""
    L, T, P = st.matrices(theta)
    try:
        Si = np.linalg.inv(L @ P @ L.T + T)
    except np.linalg.LinAlgError:
        return None
    D = st.derivatives(theta)
    M = Si @ S @ Si
    W = Si - M
    A = np.einsum("ij,ajk->aik", Si, D)  # Σ⁻¹Σ_a
    B = np.einsum("ij,ajk->aik", M, D)  # MΣ_a
    AB = np.einsum("aij,bji->ab", A, B)  # tr(Σ⁻¹Σ_a MΣ_b)
    H = AB + AB.T - np.einsum("aij,bji->ab", A, A)
    WL = W @ L
    free = [st.params[k] for k in st.free]
    for a, qa in enumerate(free):
        if qa.matrix != "L":
            continue
        i, j = qa.i, qa.j
        for b, qb in enumerate(free):
            if qb.matrix == "L":  # each pair of loadings is met twice, as (a, b) and (b, a)
                H[a, b] += 2 * W[i, qb.i] * P[j, qb.j]
            elif qb.matrix == "P":
                k, m = qb.i, qb.j
                v = 2 * ((WL[i, m] if j == k else 0.0) + (WL[i, k] if j == m and k != m else 0.0))
                H[a, b] += v
                H[b, a] += v
    return H


GTOL = 1e-9  # convergence: largest |∂F/∂θ|


def _fit_ml(st: _Structure, S: np.ndarray, theta: np.ndarray, max_iter: int):
    """Minimize F_ML: Fisher scoring, then Newton steps on the observed Hessian (where it is
    positive definite) once Fisher scoring slows down (a badly fitting model converges only
    linearly under the expected information); step halving keeps Σ positive definite and F
    decreasing. Returns θ, F, iterations, converged."""
    p = S.shape[0]
    logdet_S = np.linalg.slogdet(S)[1]
    F = _f_ml(st.sigma(theta), S, logdet_S, p)
    if not math.isfinite(F):
        theta = theta.copy()
        for a, k in enumerate(st.free):  # start with uncorrelated factors, larger residuals
            q = st.params[k]
            if q.op == "~~" and q.i != q.j:
                theta[a] = 0.0
        F = _f_ml(st.sigma(theta), S, logdet_S, p)
    newton = False
    newton_steps = 0
    g_prev = math.inf
    history = []
    for it in range(1, max_iter + 1):
        g, info = _gradient(st, S, theta)
        gmax = float(np.max(np.abs(g)))
        if gmax < GTOL:
            return theta, F, it, True
        history.append(F)
        # give up on a run away (estimates without bound, F creeping down an improper valley)
        if np.max(np.abs(theta)) > 1e4 or (it > 60 and history[-40] - F < 1e-10 * max(1.0, abs(F))
                                            and gmax > 1e-6):
            return theta, F, it, False
        if it > 5 and gmax > 0.5 * g_prev:
            newton = True  # Fisher scoring has become linear
        g_prev = gmax
        if newton:
            newton_steps += 1
            if newton_steps > 60:  # Newton converges fast or not at all
                return theta, F, it, False
        H = _observed_hessian(st, S, theta) if newton else None
        step = None
        if H is not None:
            try:
                np.linalg.cholesky(H)
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                step = None
        if step is None:
            try:
                step = np.linalg.solve(info / 2, g)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(info / 2, g, rcond=None)[0]
        t = 1.0
        for _ in range(50):
            cand = theta - t * step
            Fc = _f_ml(st.sigma(cand), S, logdet_S, p)
            if Fc <= F + 1e-14 * max(1.0, abs(F)):
                break
            t /= 2
        else:
            return theta, F, it, gmax < 1e-6
        if abs(F - Fc) <= 1e-16 * max(1.0, abs(F)) and np.max(np.abs(t * step)) < 1e-13:
            return cand, Fc, it, gmax < 1e-6
        theta, F = cand, Fc
    return theta, F, max_iter, False


def _bfgs(st: _Structure, S: np.ndarray, theta: np.ndarray, max_iter: int):
    """scipy BFGS on F_ML with the analytic gradient (Σ outside the positive-definite cone
    counts as a very large F); the end point, or None."""
    p = S.shape[0]
    logdet_S = np.linalg.slogdet(S)[1]

    def fun(t):
        F = _f_ml(st.sigma(t), S, logdet_S, p)
        if not math.isfinite(F):
            return 1e10, np.zeros_like(t)
        return F, _gradient(st, S, t, False)[0]

    with np.errstate(all="ignore"):
        res = optimize.minimize(fun, theta, jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": 1e-9})
    return res.x if np.all(np.isfinite(res.x)) else None


def _rmsea_ci_lavaan(chisq, df, N):
    """lavaan's 90 % RMSEA interval: λ with P(χ²_df(λ) ≤ X²) = .95 / .05, RMSEA = √(λ/(N·df))."""
    if df < 1:
        return 0.0, 0.0

    def cdf(lam):
        return stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)

    if cdf(0.0) - 0.95 < 0:
        lo = 0.0
    else:
        lo = optimize.brentq(lambda x: cdf(x) - 0.95, 0.0, chisq, xtol=1e-12)
    n_r = max(N, chisq * 4)
    if cdf(n_r) - 0.05 > 0 or cdf(0.0) - 0.05 < 0:
        up = 0.0
    else:
        up = optimize.brentq(lambda x: cdf(x) - 0.05, 0.0, n_r, xtol=1e-12)
    return math.sqrt(lo / (N * df)), math.sqrt(up / (N * df))


@dataclass
class CFAResult(Result):
    """A confirmatory factor analysis fitted by ML as lavaan ``cfa(std.lv = FALSE)``.

    ``.fit`` (``chisq``, ``df``, ``pvalue``, ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_lower``,
    ``rmsea_ci_upper``, ``srmr``, ``baseline_chisq``, ``baseline_df``, ``npar``, ``n``,
    ``logl``), ``.loadings`` (``factor``, ``item``, ``est``, ``std_all``, ``se``, ``z``,
    ``pvalue`` of ``est``, then ``std_se``, ``std_z``, ``std_pvalue`` of ``std_all``),
    ``.params`` (every parameter, lavaan ``parameterEstimates()`` order), ``.omega`` (per factor),
    ``.sigma`` (model-implied covariances), ``.notes`` (improper solutions).
    """

    model: str
    fit: dict
    loadings: pd.DataFrame
    params: pd.DataFrame
    omega: pd.DataFrame
    sigma: pd.DataFrame
    n: int
    iterations: int
    notes: list[str] = field(default_factory=list)
    title: str = "Confirmatory factor analysis (ML, lavaan conventions)"

    variant = "ML, N-based χ² and RMSEA, expected-information SEs, marker loadings fixed to 1 (lavaan cfa)"

    def to_frame(self) -> pd.DataFrame:
        return self.loadings.copy()

    def fit_table(self, cutoffs: dict | None = None) -> pd.DataFrame:
        """The fit indices with their cut-offs (Hu & Bentler 1999 by default) and pass/fail."""
        cutoffs = HU_BENTLER if cutoffs is None else cutoffs
        rows = [{"index": "chisq", "value": self.fit["chisq"], "cutoff": None, "pass": None},
                {"index": "df", "value": float(self.fit["df"]), "cutoff": None, "pass": None},
                {"index": "pvalue", "value": self.fit["pvalue"], "cutoff": None, "pass": None}]
        for key in ("cfi", "tli", "rmsea", "srmr"):
            op, bound = cutoffs.get(key, (None, None))
            value = self.fit[key]
            ok = None if op is None else bool(value >= bound if op == ">=" else value <= bound)
            rows.append({"index": key, "value": value, "cutoff": None if op is None else f"{op} {bound:g}",
                         "pass": ok})
        rows.insert(6, {"index": "rmsea_ci_lower", "value": self.fit["rmsea_ci_lower"], "cutoff": None, "pass": None})
        rows.insert(7, {"index": "rmsea_ci_upper", "value": self.fit["rmsea_ci_upper"], "cutoff": None, "pass": None})
        return pd.DataFrame(rows).set_index("index")

    def summary(self) -> str:
        base = super().summary()
        with pd.option_context("display.float_format", lambda v: f"{v:.4f}"):
            return "\n".join([base, "", f"Variant: {self.variant}", "", self.fit_table().to_string(),
                              "", self.omega.to_string()])

    def apa(self, lang: str = "en") -> str:
        f = self.fit
        lz = dict(leading_zero=False)
        return _text("cfa_apa", lang, df=apa_df(f["df"], lang), chisq=apa_num(f["chisq"], 2, lang),
                     p=apa_p(f["pvalue"], lang), cfi=apa_num(f["cfi"], 3, lang, **lz),
                     tli=apa_num(f["tli"], 3, lang, **lz), rmsea=apa_num(f["rmsea"], 3, lang, **lz),
                     ci=apa_ci(f["rmsea_ci_lower"], f["rmsea_ci_upper"], 3, lang, level=0.90, **lz),
                     srmr=apa_num(f["srmr"], 3, lang, **lz))


def _prepare_cfa(data, obs):
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    unknown = [v for v in obs if v not in data.columns]
    if unknown:
        raise StatisticsError(Problem("unknown_items", column=", ".join(map(str, unknown)),
                                      params={"available": ", ".join(map(str, data.columns[:15]))}))
    return _prepare(data, obs, missing="listwise", min_items=1)


def _identification(model: Model, st: _Structure, p: int):
    for f, inds in model.factors.items():
        if len(inds) == 1:
            item = inds[0][0]
            fixed_resid = any(q.op == "~~" and q.lhs == item and q.rhs == item and not q.free for q in st.params)
            fixed_var = any(q.op == "~~" and q.lhs == f and q.rhs == f and not q.free for q in st.params)
            if not (fixed_resid or (fixed_var and inds[0][1] is not None)):
                raise StatisticsError(Problem("cfa_single_indicator", column=f, params={"factor": f, "item": item}))
        if all(v is None for _, v in inds) and not any(
                q.op == "~~" and q.lhs == f and q.rhs == f and not q.free for q in st.params):
            raise StatisticsError(Problem("cfa_no_scale", column=f, params={"factor": f}))
    npar, moments = len(st.free), p * (p + 1) // 2
    if npar > moments:
        raise StatisticsError(Problem("cfa_negative_df", params={"npar": npar, "moments": moments}))


def _proper(st: _Structure, theta: np.ndarray) -> bool:
    """No negative variance and a positive semi-definite factor covariance matrix."""
    L, T, P = st.matrices(theta)
    return bool(np.all(np.diag(T) >= 0) and np.linalg.eigvalsh(P)[0] >= -1e-12)


def _local_identification(st: _Structure, theta: np.ndarray):
    D = st.derivatives(theta)
    iu = np.triu_indices(st.p)
    J = np.stack([d[iu] for d in D], axis=1)
    s = np.linalg.svd(J, compute_uv=False)
    rank = int((s > s[0] * 1e-9).sum()) if s.size else 0
    if rank < len(st.free):
        _, _, vt = np.linalg.svd(J)
        null = vt[-1]
        names = [f"{st.params[st.free[a]].lhs}{st.params[st.free[a]].op}{st.params[st.free[a]].rhs}"
                 for a in np.argsort(-np.abs(null)) if abs(null[a]) > 0.05][:6]
        raise StatisticsError(Problem("cfa_not_identified", column=", ".join(names),
                                      params={"rank": rank, "npar": len(st.free)}))


def _free_value(st: _Structure, theta: np.ndarray, matrix: str, i: int) -> float:
    """The current value of the diagonal element ``i`` of ``matrix`` (free or fixed)."""
    L, T, P = st.matrices(theta)
    return float((T if matrix == "T" else P)[i, i])


def _standardized(st: _Structure, theta: np.ndarray) -> np.ndarray:
    """std.all of every parameter (fixed ones included), lavaan's ``standardizedSolution``."""
    L, T, P = st.matrices(theta)
    Sigma = L @ P @ L.T + T
    sd_o = np.sqrt(np.diag(Sigma))
    sd_f = np.sqrt(np.abs(np.diag(P))) * np.where(np.diag(P) < 0, np.nan, 1.0)
    out = np.empty(len(st.params))
    for k, q in enumerate(st.params):
        if q.matrix == "L":
            out[k] = L[q.i, q.j] * sd_f[q.j] / sd_o[q.i]
        elif q.matrix == "T" and q.i == q.j:
            out[k] = T[q.i, q.i] / Sigma[q.i, q.i]
        elif q.matrix == "T":  # lavaan: a residual covariance becomes the residual correlation
            out[k] = T[q.i, q.j] / math.sqrt(T[q.i, q.i] * T[q.j, q.j])
        else:
            out[k] = P[q.i, q.j] / (sd_f[q.i] * sd_f[q.j])
    return out


def cfa(data: pd.DataFrame, model: str, *, max_iter: int = 500) -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as lavaan ``cfa(model, data)``.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; rows with a missing answer on a model item are dropped
        (lavaan's default listwise deletion).
    model : str
        lavaan syntax, e.g. ``"visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6"``
        (see :func:`parse_model`). The first loading of each factor is fixed to 1
        (``std.lv = FALSE``), factor variances and covariances are free.
    max_iter : int
        Fisher-scoring iterations before the estimation counts as not converged.

    Returns
    -------
    CFAResult
        Formulas in the module docstring. An improper solution (a negative variance, factor
        correlations outside ±1) is reported in ``.notes``, as lavaan warns.

    Raises
    ------
    StatisticsError
        ``cfa_syntax``, ``cfa_single_indicator``, ``cfa_no_scale``, ``cfa_negative_df`` (more
        free parameters than moments), ``cfa_not_identified`` (rank-deficient Jacobian),
        ``cfa_not_converged``, and the item checks shared with :func:`efa`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> F = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], size=400)
    >>> lam = np.array([[1, 0], [.8, 0], [.7, 0], [0, 1], [0, .9], [0, .6]])
    >>> df = pd.DataFrame(F @ lam.T + rng.normal(scale=.7, size=(400, 6)), columns=list("abcdef"))
    >>> res = cfa(df, "f1 =~ a + b + c\\nf2 =~ d + e + f")
    >>> res.fit["df"], res.fit["cfi"] > .95
    (8, True)
    >>> res.loadings[["factor", "item"]].values.tolist()[:2]
    [['f1', 'a'], ['f1', 'b']]
    """
    parsed = parse_model(model)
    obs = parsed.observed
    items, X = _prepare_cfa(data, obs)
    N, p = X.shape
    fac = list(parsed.factors)
    params = _build_params(parsed, obs)
    st = _Structure(params, p, len(fac))
    _identification(parsed, st, p)
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "max_iter", "value": max_iter,
                                                            "choices": "an integer ≥ 1"}))
    mean = X.mean(axis=0)
    Xc = X - mean
    S = Xc.T @ Xc / N
    _check_positive_definite(S / np.sqrt(np.outer(np.diag(S), np.diag(S))), items)
    theta0 = _start_values(st, S)
    # local identification at a generic point: the start with every free covariance nonzero
    # (at the start itself they are 0, which can hide what the factor covariances identify)
    generic = theta0.copy()
    for a, k in enumerate(st.free):
        q = st.params[k]
        if q.op == "~~" and q.i != q.j:
            if q.matrix == "T":
                generic[a] = 0.2 * math.sqrt(S[q.i, q.i] * S[q.j, q.j])
            else:
                generic[a] = 0.2 * math.sqrt(abs(_free_value(st, theta0, "P", q.i) * _free_value(st, theta0, "P", q.j)))
    _local_identification(st, generic)
    # two starts (per-factor principal axis, then the marker-covariance start): the lowest F
    # that converged wins; a second start is tried only when the first one fails or is improper
    fits = []
    for start in (_start_values_blocks(st, S), theta0):
        if start is None:
            continue
        fit = _fit_ml(st, S, start, max_iter)
        if not fit[3]:  # BFGS from the same start (nlminb-like), polished by Newton steps
            x = _bfgs(st, S, start, min(20 * max_iter, 3000))
            if x is not None:
                polished = _fit_ml(st, S, x, max_iter)
                if polished[3]:
                    fit = (polished[0], polished[1], fit[2] + polished[2], True)
        fits.append(fit)
        if fit[3] and _proper(st, fit[0]):
            break
    good = [f for f in fits if f[3]]
    if not good:
        raise StatisticsError(Problem("cfa_not_converged", params={"iterations": max_iter}))
    theta, F, iterations, ok = min(good, key=lambda f: f[1])
    _local_identification(st, theta)
    Sigma = st.sigma(theta)
    Si = np.linalg.inv(Sigma)
    D = st.derivatives(theta)
    A = np.einsum("ij,ajk->aik", Si, D)
    H = np.einsum("aij,bji->ab", A, A)
    vcov = np.linalg.inv(N / 2 * H)
    se_free = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    npar = len(st.free)
    df = p * (p + 1) // 2 - npar
    chisq = N * F
    pval = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    base = N * float(np.sum(np.log(np.diag(S))) - np.linalg.slogdet(S)[1])
    base_df = p * (p - 1) // 2
    num = max(chisq - df, 0.0)
    den = max(chisq - df, base - base_df, 0.0)
    cfi = 1.0 if den == 0 else 1 - num / den
    tli = ((base / base_df) - (chisq / df)) / ((base / base_df) - 1) if df > 0 else 1.0
    rmsea = math.sqrt(max((chisq - df) / (N * df), 0.0)) if df > 0 else 0.0
    lo, up = _rmsea_ci_lavaan(chisq, df, N)
    sd = np.sqrt(np.diag(S))
    resid = (S - Sigma) / np.outer(sd, sd)
    srmr = math.sqrt(float(np.mean(resid[np.triu_indices(p)] ** 2)))
    logl = -N / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(Sigma)[1] + np.trace(Si @ S))
    fit = {"chisq": float(chisq), "df": int(df), "pvalue": pval, "cfi": float(cfi), "tli": float(tli),
           "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": up, "srmr": srmr,
           "baseline_chisq": base, "baseline_df": base_df, "npar": npar, "n": int(N), "logl": float(logl)}

    # standardized solution and its delta-method SEs (central differences)
    std = _standardized(st, theta)
    J = np.empty((len(params), npar))
    for a in range(npar):
        h = 1e-6 * max(1.0, abs(theta[a]))
        tp, tm = theta.copy(), theta.copy()
        tp[a] += h
        tm[a] -= h
        J[:, a] = (_standardized(st, tp) - _standardized(st, tm)) / (2 * h)
    std_var = np.einsum("ka,ab,kb->k", J, vcov, J)
    std_se = np.sqrt(np.maximum(std_var, 0.0))
    fixed_std = std_var < 1e-20  # e.g. a factor variance: std.all is 1 by definition
    est = np.empty(len(params))
    se = np.zeros(len(params))
    L_, T_, P_ = st.matrices(theta)
    for k, q in enumerate(params):
        M = L_ if q.matrix == "L" else T_ if q.matrix == "T" else P_
        est[k] = M[q.i, q.j]
    for a, k in enumerate(st.free):
        se[k] = se_free[a]
    free_mask = np.array([q.free for q in params])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free_mask, est / se, np.nan)
        std_z = np.where(~fixed_std, std / std_se, np.nan)
    pv = np.where(free_mask, 2 * stats.norm.sf(np.abs(z)), np.nan)
    std_p = np.where(~fixed_std, 2 * stats.norm.sf(np.abs(std_z)), np.nan)
    table = pd.DataFrame({"lhs": [q.lhs for q in params], "op": [q.op for q in params],
                          "rhs": [q.rhs for q in params], "free": free_mask, "est": est, "se": se, "z": z,
                          "pvalue": pv, "std_all": std, "std_se": np.where(fixed_std, 0.0, std_se),
                          "std_z": std_z, "std_pvalue": std_p})
    lo_tab = table[table.op == "=~"].rename(columns={"lhs": "factor", "rhs": "item"})
    loadings = lo_tab[["factor", "item", "est", "std_all", "se", "z", "pvalue", "std_se", "std_z",
                       "std_pvalue"]].reset_index(drop=True)

    # ω per factor from the factor's own items (McDonald 1999)
    omega_rows = []
    for f in fac:
        own = lo_tab[lo_tab.factor == f]
        th = table[(table.op == "~~") & (table.lhs == table.rhs) & table.lhs.isin(own["item"])]
        th = th.set_index("lhs").loc[own["item"]]
        phi_f = float(table[(table.op == "~~") & (table.lhs == f) & (table.rhs == f)]["est"].iloc[0])
        s_std = own["std_all"].sum()
        s_raw = own["est"].sum()
        omega_rows.append({"factor": f, "items": len(own),
                           "omega": s_std ** 2 / (s_std ** 2 + th["std_all"].sum()),
                           "omega_unstd": phi_f * s_raw ** 2 / (phi_f * s_raw ** 2 + th["est"].sum())})
    omega = pd.DataFrame(omega_rows).set_index("factor")

    notes = []
    neg = table[(table.op == "~~") & (table.lhs == table.rhs) & (table.est < 0)]
    if len(neg):
        notes.append("improper solution: negative variance of " + ", ".join(neg.lhs))
    if len(fac) > 1 and np.linalg.eigvalsh(P_)[0] < 0:
        notes.append("improper solution: the factor covariance matrix is not positive definite")
    return CFAResult(model=model, fit=fit, loadings=loadings, params=table, omega=omega,
                     sigma=pd.DataFrame(Sigma, index=items, columns=items), n=int(N),
                     iterations=iterations, notes=notes)


# --------------------------------------------------------------------------- report helper

@dataclass
class InstrumentValidation(Result):
    """What a report appendix shows for ``validate: efa`` or ``validate: cfa``.

    ``.method``, ``.kmo``, ``.bartlett``, ``.parallel`` and ``.efa`` (efa) or ``.cfa`` (cfa),
    ``.model`` (the lavaan syntax built from the scales), ``.checks`` (criterion, value, cut-off,
    source, pass), ``.cutoffs`` (the cut-offs as text with their source).
    """

    method: str
    scales: dict
    kmo: KMOResult
    bartlett: BartlettResult
    checks: pd.DataFrame
    parallel: ParallelResult | None = None
    efa: EFAResult | None = None
    cfa: CFAResult | None = None
    model: str | None = None
    notes: list[str] = field(default_factory=list)
    title: str = "Instrument validation"

    @property
    def cutoffs(self) -> str:
        if self.method == "cfa":
            return "CFI ≥ .95, TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08 (Hu & Bentler 1999); KMO ≥ .60 (Kaiser 1974)"
        return "KMO ≥ .60 (Kaiser 1974); Bartlett's test p < .05"

    @property
    def fit_table(self) -> pd.DataFrame | None:
        return None if self.cfa is None else self.cfa.fit_table()

    @property
    def solution(self) -> pd.DataFrame:
        return self.cfa.loadings if self.cfa is not None else self.efa.to_frame()

    def to_frame(self) -> pd.DataFrame:
        return self.checks.copy()

    def apa(self, lang: str = "en") -> str:
        parts = [self.kmo.apa(lang), self.bartlett.apa(lang)]
        if self.parallel is not None:
            parts.append(self.parallel.apa(lang))
        parts.append((self.cfa or self.efa).apa(lang))
        return "; ".join(parts)


def _check_row(name, value, op, bound, source):
    ok = bool(value >= bound if op == ">=" else value <= bound if op == "<=" else value < bound)
    return {"criterion": name, "value": float(value), "cutoff": f"{op} {bound:g}", "source": source, "pass": ok}


def validate_instrument(data: pd.DataFrame, scales: dict[str, list[str]], method: str = "cfa", *,
                        n_factors: int | None = None, seed: int = 20190101, n_iter: int = 20) -> InstrumentValidation:
    """Construct validity of an instrument for a report appendix (format-neutral).

    ``method="cfa"``: the lavaan model ``scale =~ item1 + item2 …`` (one line per scale; a
    single-item scale is left out, with a note) is fitted by :func:`cfa` and judged by Hu & Bentler's (1999) cut-offs (CFI ≥ .95, TLI ≥ .95,
    RMSEA ≤ .06, SRMR ≤ .08), with KMO (≥ .60, Kaiser 1974) and Bartlett's test (p < .05) of the
    same items. ``method="efa"``: KMO, Bartlett, parallel analysis (seeded, so a report is
    reproducible) and :func:`efa` (minres, oblimin) with ``n_factors`` factors — by default the
    number of scales, or the parallel-analysis suggestion when there is a single scale list.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> F = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], size=400)
    >>> lam = np.array([[1, 0], [.8, 0], [.7, 0], [0, 1], [0, .9], [0, .6]])
    >>> df = pd.DataFrame(F @ lam.T + rng.normal(scale=.7, size=(400, 6)), columns=list("abcdef"))
    >>> v = validate_instrument(df, {"f1": ["a", "b", "c"], "f2": ["d", "e", "f"]}, "cfa")
    >>> v.model
    'f1 =~ a + b + c\\nf2 =~ d + e + f'
    >>> v.checks["criterion"].tolist()
    ['KMO', 'Bartlett p', 'CFI', 'TLI', 'RMSEA', 'SRMR']
    """
    if method not in ("efa", "cfa"):
        raise StatisticsError(Problem("bad_option", params={"name": "validate", "value": method,
                                                            "choices": "efa, cfa"}))
    if not isinstance(scales, dict) or not scales:
        raise StatisticsError(Problem("factor_too_few_items", params={"k": 0, "min": 3}))
    items: list[str] = []
    for scale_items in scales.values():
        for i in scale_items:
            if i not in items:
                items.append(i)
    k = kmo(data, items, missing="listwise" if method == "cfa" else "pairwise")
    b = bartlett(data, items, missing="listwise" if method == "cfa" else "pairwise")
    rows = [_check_row("KMO", k.overall, ">=", KMO_MIN, "Kaiser 1974"),
            _check_row("Bartlett p", b.pvalue, "<", 0.05, "Bartlett 1951")]
    if method == "cfa":
        single = [name for name, its in scales.items() if len(its) < 2]
        kept = {name: its for name, its in scales.items() if len(its) >= 2}
        if not kept:  # nothing to fit: the named error of cfa()
            kept = scales
            single = []
        model = "\n".join(f"{name} =~ " + " + ".join(its) for name, its in kept.items())
        res = cfa(data, model)
        notes = [f"scale {name} has a single item and is left out of the CFA" for name in single]
        for key, label in (("cfi", "CFI"), ("tli", "TLI"), ("rmsea", "RMSEA"), ("srmr", "SRMR")):
            op, bound = HU_BENTLER[key]
            rows.append(_check_row(label, res.fit[key], op, bound, "Hu & Bentler 1999"))
        return InstrumentValidation("cfa", dict(scales), k, b, pd.DataFrame(rows), cfa=res, model=model,
                                    notes=notes + list(res.notes))
    pa = parallel_analysis(data, n_iter=n_iter, seed=seed, items=items)
    if n_factors is None:
        n_factors = len(scales) if len(scales) > 1 else max(1, pa.n_factors)
    n_factors = min(int(n_factors), len(items) - 1)
    res = efa(data, n_factors=n_factors, method="minres", rotation="oblimin" if n_factors > 1 else None,
              items=items)
    notes = list(res.notes)
    if pa.n_factors != n_factors:
        notes.append(f"parallel analysis suggests {pa.n_factors} factor(s); {n_factors} extracted")
    return InstrumentValidation("efa", dict(scales), k, b, pd.DataFrame(rows), parallel=pa, efa=res, notes=notes)

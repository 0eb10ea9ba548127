"""Internal-consistency reliability and item analysis.

Everything is computed from **one** item covariance matrix ``C`` (pairwise- or
listwise-complete), as R's psych ``alpha()`` does, so the if-item-deleted statistics
come from sub-sums of ``C`` (and ω-if-deleted from sub-matrices of it), never from the
data again. With complete data the data are read five times in all: minimum, maximum,
the cross-product ``XᵀX`` with the column sums (BLAS), an int8 copy for the response
frequencies and its check; see ``benchmarks/bench_reliability.py``.

Formulas (k items, ``ΣC`` the sum of all entries of ``C``, ``R = cov2cor(C)``):

* Cronbach's α (psych ``raw_alpha``): ``k/(k−1) · (1 − tr C / ΣC)`` (Cronbach 1951).
* standardized α (psych ``std.alpha``): ``k/(k−1) · (1 − k / ΣR)``.
* Guttman's λ2: ``λ1 + √(k/(k−1) · Σ_{i≠j} c_ij²) / ΣC`` with ``λ1 = 1 − tr C/ΣC`` (Guttman 1945).
* Guttman's λ6 (psych ``G6(smc)``): ``1 − (k − Σ smc_i) / ΣR``, ``smc_i = 1 − 1/(R⁻¹)_ii``.
* split-half: Spearman–Brown ``2r/(1+r)`` of the correlation between the sums of the
  odd- and even-positioned items (1st, 3rd, … vs 2nd, 4th, …), complete rows only.
* McDonald's ω_total: ``(Σλ)² / ((Σλ)² + Σθ)`` from a one-factor model fitted by
  maximum likelihood to ``C`` (loadings λ and residual variances θ in the metric of
  ``C``), as lavaan/JASP report it (McDonald 1999). ML is scale-free, so the fit is
  done on ``R`` and rescaled by the item SDs: Fisher scoring on (λ, ψ) (all k
  ω-if-deleted refits advance together from the full scale's solution), and where
  that reaches no interior optimum (a Heywood case) Jöreskog's concentrated likelihood
  with uniquenesses held at ≥ 0.005, as R's ``factanal`` (lavaan would report the
  improper, negative-variance solution instead; a warning names the items).
* average_r / median_r: mean / median of the off-diagonal entries of ``R``.

Confidence intervals for α:

* ``"feldt"`` (Feldt, Woodruff & Salih 1987):
  ``[1 − (1−α)·F_{1−q/2}(n−1, (n−1)(k−1)),  1 − (1−α)·F_{q/2}(n−1, (n−1)(k−1))]``;
* ``"duhachek"`` (Duhachek & Iacobucci 2004): ``α ± z·ase`` with psych's
  ``ase = √(Q/n)``, ``Q = 2k²/((k−1)² (ΣC)³) · (ΣC·(tr C² + (tr C)²) − 2·tr C·Σ(C²))``;
* ``"bootstrap"``: percentile interval of ``n_boot`` resamples of respondents
  (seeded); it gives *every* coefficient a CI;
* ``"bca"``: the bias-corrected and accelerated interval of the same resamples (Efron
  1987), acceleration from the jackknife, as R's ``boot.ci(type = "bca")``; see
  :func:`bootstrap_interval`. Resamples are drawn in fixed chunks from child seeds of
  ``numpy.random.SeedSequence(seed)``; with complete data each chunk's covariance
  matrices are one matrix product (row counts × the table of cross-products) and every
  coefficient, ω's ML fit included, is computed for the whole chunk at once.
"""
from __future__ import annotations

import contextlib
import math
import re
import threading
import warnings as _w
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import Problem, StatisticsError
from ._conventions import check_finite_array, item_columns, note_dropped
from ._util import html_table, warnings_html
from .result import Result, apa_ci, apa_num

HEYWOOD = 0.0051  # a standardized uniqueness at the fit's lower bound (0.005): a Heywood case

COEFFICIENTS = ("alpha", "std_alpha", "lambda2", "lambda6", "split_half", "omega_total",
                "average_r", "median_r")

LABELS = {
    "alpha": "Cronbach's α (raw, covariance)",
    "std_alpha": "standardized α (correlations)",
    "lambda2": "Guttman's λ2",
    "lambda6": "Guttman's λ6 (smc)",
    "split_half": "split-half (odd/even, Spearman–Brown)",
    "omega_total": "McDonald's ω_total (1-factor ML, covariance metric)",
    "average_r": "average inter-item r",
    "median_r": "median inter-item r",
    "ordinal_alpha": "ordinal α (polychoric r; Zumbo et al. 2007) — latent responses, not the sum score",
    "ordinal_omega": "ordinal ω_total (1-factor ML on polychoric r) — latent responses, not the sum score",
}


# --------------------------------------------------------------------------- core formulas

#: a variance of a sum of items taken from sums of C's entries counts as none at all below this
#: many roundings (float eps) of the magnitudes those entries were computed from
NOISE_ULPS = 64


def _no_variance(v, magnitude):
    """Whether ``v``, the variance of a sum of items computed by summing (and subtracting)
    entries of a covariance matrix, is no more than rounding noise: a sum without variance
    (mirrored items, ``a`` beside ``6 − a``) comes out as ±1e-13 instead of 0, and every
    coefficient divided by it as ±1e15. ``magnitude``: the sum of the absolute values the
    entries involved were computed from (:func:`_cov_complete`'s ``E``; ``|C|`` for a centred C)."""
    return ~(v > NOISE_ULPS * np.finfo(float).eps * magnitude)


def _alpha(C: np.ndarray) -> float:
    k = C.shape[0]
    tot = C.sum()
    if k < 2 or tot <= 0:
        return math.nan
    return k / (k - 1) * (1 - np.trace(C) / tot)


def _cov2cor(C: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


def _smc(R: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(R)
    return 1 - 1 / np.diag(inv)


PSI_MIN = 0.005  # lower bound of a standardized uniqueness, as R's factanal
#: cells of the answer table from which the response frequencies are counted on a second thread
#: (and the covariance's product is split between the two threads, :func:`_cov_complete`)
FREQUENCIES_THREAD_CELLS = 200_000

_blas_controller = None
_blas_lock = threading.Lock()
_blas_users = 0  # calls of reliability() inside the limit now (from any thread)
_blas_limiter = None  # the limit they share; lifted when the last of them leaves


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS limited to one thread of its own while ``reliability()`` runs its two threads.

    A product as tall and narrow as ``XᵀX`` of 200,000 × 40 gains nothing from OpenBLAS's own
    threads (its threads split the 40 × 40 result), and while they are on, calls from two of
    this process's threads queue for them; with one BLAS thread each call runs in its caller's
    thread, so the two halves of the product run side by side (threadpoolctl, as
    scikit-learn does). The limit is the process's: calls from several threads at once share
    one, set by the first to come and lifted by the last to leave (one limit each would lift
    in the wrong order and leave BLAS at one thread). What it cannot help: a BLAS thread that
    an earlier threaded call left spinning (OpenBLAS's spin for ~0.1 s after each job) still
    holds one of the two cores — right after ``numpy.cov``, ``reliability()`` on 200,000 × 40
    takes the 52–55 ms of one thread; with BLAS idle, 37–38 ms."""
    global _blas_controller, _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            try:
                if _blas_controller is None:
                    from threadpoolctl import ThreadpoolController
                    _blas_controller = ThreadpoolController()
                _blas_limiter = _blas_controller.limit(limits=1, user_api="blas")
            except Exception:  # noqa: BLE001 - no threadpoolctl, or a BLAS it cannot drive: run as is
                _blas_limiter = None
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def _fisher_one_factor(R: np.ndarray, lam: np.ndarray, psi: np.ndarray, *, tol: float = 1e-11,
                       max_iter: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-factor ML fits to a stack of correlation matrices by Fisher scoring.

    ``R``: (B, p, p); ``lam``, ``psi``: (B, p) starting values. Minimizes the ML discrepancy
    ``F = log|Σ| + tr(R Σ⁻¹)`` over θ = (λ, ψ) with ``Σ = λλ' + diag(ψ)``: gradient
    ``∂F/∂θ_a = tr(G Σ_a)``, ``G = A − A R A``, ``A = Σ⁻¹`` (Woodbury), and the expected
    Hessian ``tr(A Σ_a A Σ_b)``, which for one factor is ``2[(Aλ)_i(Aλ)_j + A_ij λ'Aλ]``
    (λλ), ``2 A_ij (Aλ)_j`` (λψ) and ``A_ij²`` (ψψ) (Jöreskog 1969; Lee & Jennrich 1979).
    All fits of the stack advance together (one batched solve per iteration), which is what
    makes the k omega-if-deleted refits cheap. Returns λ, ψ and a mask of the fits that
    converged (gradient below ``tol``) to an interior solution (every ψ ≥ ``PSI_MIN``);
    the caller refits the others with the bounded optimizer.
    """
    B, p, _ = R.shape
    lam, psi = lam.astype(float).copy(), psi.astype(float).copy()
    active = np.ones(B, dtype=bool)
    done = np.zeros(B, dtype=bool)
    eye = np.eye(p, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        L, P, S = lam[idx], psi[idx], R[idx]
        if np.any(P <= 0):
            bad = idx[(P <= 0).any(axis=1)]
            active[bad] = False
            continue
        dl = L / P
        A = -dl[:, :, None] * dl[:, None, :] / (1 + (L * dl).sum(axis=1))[:, None, None]
        A[:, eye] += 1 / P
        G = A - A @ S @ A
        Al = np.einsum("bij,bj->bi", A, L)
        lAl = (L * Al).sum(axis=1)
        g = np.concatenate([2 * np.einsum("bij,bj->bi", G, L), G[:, eye]], axis=1)
        conv = np.abs(g).max(axis=1) < tol
        if conv.any():
            done[idx[conv]] = True
            active[idx[conv]] = False
            keep = ~conv
            if not keep.any():
                break
            idx, L, P, A, Al, lAl, g = idx[keep], L[keep], P[keep], A[keep], Al[keep], lAl[keep], g[keep]
        H = np.empty((idx.size, 2 * p, 2 * p))
        H[:, :p, :p] = 2 * (Al[:, :, None] * Al[:, None, :] + A * lAl[:, None, None])
        H[:, :p, p:] = 2 * A * Al[:, None, :]
        H[:, p:, :p] = np.swapaxes(H[:, :p, p:], 1, 2)
        H[:, p:, p:] = A ** 2
        try:
            step = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            active[idx] = False
            break
        lam[idx] -= step[:, :p]
        psi[idx] -= step[:, p:]
    ok = done & (psi >= PSI_MIN).all(axis=1)
    flip = lam.sum(axis=1) < 0
    lam[flip] = -lam[flip]
    return lam, psi, ok


def _ml_gradient(S: np.ndarray, L: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Gradient of the one-factor ML discrepancy at (λ, ψ) for a stack of matrices ``S``
    (B, p, p): ``[2Gλ, diag G]``, ``G = A − A S A`` (as in :func:`_fisher_one_factor`), in
    O(p²) per fit: with ``D = diag(1/ψ)``, ``v = λ/ψ``, ``c = λ'v``, Woodbury's
    ``A = D − v v'/(1+c)`` turns every product with A into a scaled vector, so only ``S v``
    and ``S (Aλ)`` touch S, and ``diag(A S A)_i = d_i² S_ii − 2 d_i v_i (S v)_i/(1+c)
    + v_i² (v'S v)/(1+c)²``."""
    d = 1 / P
    v = L * d
    c1 = 1 + (L * v).sum(axis=1, keepdims=True)

    def A(x):  # A x for a stack of vectors
        return d * x - v * ((v * x).sum(axis=1, keepdims=True) / c1)

    Al = A(L)
    SAl = np.einsum("bij,bj->bi", S, Al)
    Gl = Al - A(SAl)
    Sv = np.einsum("bij,bj->bi", S, v)
    vSv = (v * Sv).sum(axis=1, keepdims=True)
    diagA = d - v * v / c1
    diagS = np.diagonal(S, axis1=1, axis2=2)
    diagASA = d * d * diagS - 2 * d * v * Sv / c1 + v * v * vSv / c1 ** 2
    return np.concatenate([2 * Gl, diagA - diagASA], axis=1)


def _chord_one_factor(R: np.ndarray, lam0: np.ndarray, psi0: np.ndarray, *, tol: float = 1e-11,
                      max_iter: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-factor ML fits to a stack of correlation matrices that all lie near one another
    (bootstrap resamples, leave-one-out samples), all started at the same (λ0, ψ0) (the full
    sample's solution): Newton steps with one Jacobian for the whole stack — the gradient's
    Jacobian (the observed Hessian) at (λ0, ψ0) and the stack's mean matrix, by central
    differences. Each fit ends where its own gradient is below ``tol``, i.e. at its own ML
    optimum, as Fisher scoring would; only the path is cheaper (no solve per fit). Returns λ,
    ψ and the mask of fits that converged to an interior solution; the caller refits the rest."""
    B, p, _ = R.shape
    S0 = R.mean(axis=0)[None]
    th0 = np.concatenate([lam0, psi0])
    h = 1e-6
    J = np.empty((2 * p, 2 * p))
    for a in range(2 * p):
        e = np.zeros(2 * p)
        e[a] = h
        up, dn = th0 + e, th0 - e
        J[:, a] = (_ml_gradient(S0, up[None, :p], up[None, p:]) - _ml_gradient(S0, dn[None, :p], dn[None, p:]))[0] / (2 * h)
    lam = np.repeat(lam0[None].astype(float), B, axis=0)
    psi = np.repeat(psi0[None].astype(float), B, axis=0)
    done = np.zeros(B, dtype=bool)
    try:
        Jinv = np.linalg.inv(J)
    except np.linalg.LinAlgError:
        return lam, psi, done
    active = np.ones(B, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        bad = ~(psi[idx] > 0).all(axis=1) | ~np.isfinite(lam[idx]).all(axis=1)
        if bad.any():
            active[idx[bad]] = False
            idx = idx[~bad]
        g = _ml_gradient(R[idx], lam[idx], psi[idx])
        conv = np.abs(g).max(axis=1) < tol
        done[idx[conv]] = True
        active[idx[conv]] = False
        idx, g = idx[~conv], g[~conv]
        step = g @ Jinv.T
        lam[idx] -= step[:, :p]
        psi[idx] -= step[:, p:]
    ok = done & (psi >= PSI_MIN).all(axis=1)
    flip = lam.sum(axis=1) < 0
    lam[flip] = -lam[flip]
    return lam, psi, ok


def _one_factor_ml(R: np.ndarray, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Standardized loadings and uniquenesses of a one-factor ML fit to correlation matrix R.

    First by Fisher scoring (:func:`_fisher_one_factor`) from the leading principal
    component; where that does not reach an interior optimum (a Heywood case), by
    minimizing the concentrated ML discrepancy over the uniquenesses ψ within
    [0.005, 1] (Jöreskog 1967; the algorithm of R's ``factanal``), the loadings following
    in closed form from the leading eigenvector of ψ^{-1/2} R ψ^{-1/2}. ``start``
    warm-starts ψ for the bounded optimizer. Both reach the same optimum (tested).
    """
    e, v = np.linalg.eigh(R)
    lam0 = v[:, -1] * math.sqrt(max(e[-1], 0))
    lam0 = lam0 * np.sign(lam0.sum() or 1)
    psi0 = np.clip(1 - lam0 ** 2, 0.2, 1)
    lam, psi, ok = _fisher_one_factor(R[None], lam0[None] * 0.9, psi0[None])
    if ok[0]:
        return lam[0], 1 - lam[0] ** 2
    return _one_factor_bounded(R, start)


def _one_factor_bounded(R: np.ndarray, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The bounded concentrated-likelihood fit of :func:`_one_factor_ml` (L-BFGS-B)."""
    p = R.shape[0]

    def parts(psi):
        sc = 1 / np.sqrt(psi)
        e, v = np.linalg.eigh(R * np.outer(sc, sc))
        return e[::-1], v[:, ::-1]

    def fun_grad(psi):
        e, v = parts(psi)
        rest = e[1:]
        f = -(np.sum(np.log(rest) - rest) - 1 + p)
        load = np.sqrt(psi) * v[:, 0] * math.sqrt(max(e[0] - 1, 0))
        g = load * load + psi - np.diag(R)  # diagonal of ΛΛ' + Ψ − R
        return f, g / psi ** 2

    if start is None:
        start = (1 - 0.5 / p) / np.diag(np.linalg.inv(R))
    res = optimize.minimize(fun_grad, np.clip(start, PSI_MIN, 1), jac=True, method="L-BFGS-B",
                            bounds=[(PSI_MIN, 1.0)] * p, options={"ftol": 1e-12, "gtol": 1e-10, "maxiter": 2000})
    psi = res.x
    e, v = parts(psi)
    lam = np.sqrt(psi) * v[:, 0] * math.sqrt(max(e[0] - 1, 0))
    if lam.sum() < 0:
        lam = -lam
    return lam, 1 - lam ** 2


def _omega_from(lam_std: np.ndarray, psi_std: np.ndarray, sd: np.ndarray) -> float:
    """ω_total in the covariance metric: (Σλ)² / ((Σλ)² + Σθ), λ = λ_std·sd, θ = ψ_std·sd²."""
    s = (lam_std * sd).sum() ** 2
    return s / (s + (psi_std * sd ** 2).sum())


def _omega(C: np.ndarray, return_fit: bool = False):
    """ω_total of C; with ``return_fit`` also the standardized loadings and uniquenesses."""
    sd = np.sqrt(np.diag(C))
    lam_std, psi_std = _one_factor_ml(_cov2cor(C))
    w = _omega_from(lam_std, psi_std, sd)
    return (w, lam_std, psi_std) if return_fit else w


def _omega_if_deleted(C: np.ndarray, lam: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """ω_total of each k−1-item scale: k one-factor ML refits to the sub-matrices of the one
    correlation matrix, all advanced together by Fisher scoring from the full scale's
    solution; a refit that ends at a bound (a Heywood case) is redone by the bounded
    optimizer. Returns the k values and, per deleted item, the indices (in the full scale)
    of the items whose uniqueness sits at the bound."""
    k = C.shape[0]
    sd = np.sqrt(np.diag(C))
    R = _cov2cor(C)
    keep = np.array([[i for i in range(k) if i != j] for j in range(k)])
    Rs = R[keep[:, :, None], keep[:, None, :]]
    lam_d, _, ok = _fisher_one_factor(Rs, lam[keep], psi[keep])
    out = np.empty(k)
    heywood: list[list[int]] = []
    for j in range(k):
        if ok[j]:
            lj, pj = lam_d[j], 1 - lam_d[j] ** 2
        else:
            lj, pj = _one_factor_bounded(Rs[j], psi[keep[j]])
        out[j] = _omega_from(lj, pj, sd[keep[j]])
        heywood.append([int(i) for i in keep[j][pj <= HEYWOOD]])
    return out, heywood


def _split_half_from_cov(C: np.ndarray) -> float:
    """Split-half from the covariance matrix of complete data (same value as from the sums)."""
    o, e = np.arange(0, C.shape[0], 2), np.arange(1, C.shape[0], 2)
    va, vb, cab = C[np.ix_(o, o)].sum(), C[np.ix_(e, e)].sum(), C[np.ix_(o, e)].sum()
    if va <= 0 or vb <= 0:
        return math.nan
    r = cab / math.sqrt(va * vb)
    return 2 * r / (1 + r)


def _split_half(X: np.ndarray) -> float:
    Xc = X[~np.isnan(X).any(axis=1)]
    if Xc.shape[0] < 3 or X.shape[1] < 2:
        return math.nan
    a, b = Xc[:, 0::2].sum(axis=1), Xc[:, 1::2].sum(axis=1)
    if a.std() == 0 or b.std() == 0:
        return math.nan
    r = np.corrcoef(a, b)[0, 1]
    return 2 * r / (1 + r)


def _coefficients(C: np.ndarray, X: np.ndarray | None, warn: list[str] | None = None, *,
                  complete: bool = False, state: dict | None = None,
                  magnitude: np.ndarray | None = None) -> dict[str, float]:
    """Every coefficient from C (and X for the split-half with missing data).
    ``complete``: X has no missing values, so the split-half follows from C.
    ``magnitude``: what C's entries were computed from (:func:`_cov_complete`'s ``E``; default
    ``|C|``): a total variance within its rounding noise is no variance (:func:`_no_variance`).
    ``state`` receives the ω fit's uniquenesses (to warm-start the if-deleted refits)."""
    k = C.shape[0]
    tot, tr = C.sum(), np.trace(C)
    out = dict.fromkeys(COEFFICIENTS, math.nan)
    if k < 2:
        return out
    if not np.all(np.isfinite(C)):
        if warn is not None:
            warn.append("pairs_missing")
        return out
    if _no_variance(tot, (np.abs(C) if magnitude is None else magnitude).sum()):
        if warn is not None:
            warn.append("total_variance")
        return out
    out["alpha"] = _alpha(C)
    R = _cov2cor(C)
    sumR = R.sum()
    out["std_alpha"] = k / (k - 1) * (1 - k / sumR)
    off2 = (C ** 2).sum() - (np.diag(C) ** 2).sum()
    out["lambda2"] = (1 - tr / tot) + math.sqrt(k / (k - 1) * off2) / tot
    offd = R[np.triu_indices(k, 1)]
    out["average_r"] = (sumR - k) / (k * (k - 1))
    out["median_r"] = float(np.median(offd))
    singular = not np.linalg.cond(R) <= 1e12
    try:
        if singular:
            raise np.linalg.LinAlgError("singular")
        out["lambda6"] = 1 - (k - _smc(R).sum()) / sumR
    except np.linalg.LinAlgError:
        if warn is not None:
            warn.append("lambda6_singular")
    try:
        if k >= 3 and not singular:
            with _w.catch_warnings():
                _w.simplefilter("ignore")
                out["omega_total"], lam, psi = _omega(C, return_fit=True)
                if state is not None:
                    state["lam"], state["psi"] = lam, psi
                if warn is not None and np.any(psi <= HEYWOOD):
                    warn.append(("heywood", [j for j in range(k) if psi[j] <= HEYWOOD]))
        elif warn is not None:
            warn.append("omega_singular" if k >= 3 else "omega_k2")
    except (np.linalg.LinAlgError, ValueError):
        if warn is not None:
            warn.append("omega_singular")
    if complete:
        out["split_half"] = _split_half_from_cov(C)
    elif X is not None:
        out["split_half"] = _split_half(X)
    # pairwise-complete covariances need not form a proper (positive semi-definite) matrix;
    # a coefficient above 1 is then an artefact, not a reliability
    impossible = [c for c, v in out.items() if np.isfinite(v) and v > 1 + 1e-12]
    if impossible:
        for c in impossible:
            out[c] = math.nan
        if warn is not None:
            warn.append(("impossible", impossible))
    return out


def _gram(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column sums and ``XᵀX`` (one BLAS ``syrk``)."""
    return np.ones(X.shape[0]) @ X, X.T @ X


def _cov_complete(X: np.ndarray, pool: ThreadPoolExecutor | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Covariance matrix (ddof 1) of data without missing values in one BLAS pass, the column
    power sums ``s1 = Σx``, ``s2 = Σx²`` (exact for integer answers), and ``E``, the magnitude
    each entry of C was computed from (its rounding error is of the order eps·E; see
    :func:`_no_variance`).

    ``C = (XᵀX − n·m mᵀ)/(n − 1)``, ``m = s1/n``, so ``E = |C| + n/(n − 1)·|m mᵀ|``. With a
    ``pool`` (one worker thread), ``s1`` and ``XᵀX`` are summed over the two halves of the rows,
    one on each thread (for integer answers the same sums exactly; otherwise within the rounding
    that ``E`` accounts for). The product
    form loses about ``eps·(m_j² + c_jj)/c_jj`` of relative precision per item, so where a mean
    is large next to its SD (m² > 10⁴·var, or a zero variance) the centred two-pass
    ``numpy.cov`` is used (``E = |C|``)."""
    n = X.shape[0]
    if pool is None:
        s1, G = _gram(X)
    else:
        h = n // 2  # a fixed split: the same sums whatever the timing
        second = pool.submit(_gram, X[h:])
        s1, G = _gram(X[:h])
        s1b, Gb = second.result()
        s1, G = s1 + s1b, G + Gb
    s2 = np.diag(G).copy()
    m = s1 / n
    C = (G - n * np.outer(m, m)) / (n - 1)
    if not np.all(m * m <= 1e4 * np.diag(C)):
        C = np.cov(X, rowvar=False, ddof=1)
        return C, s1, s2, np.abs(C)
    return C, s1, s2, np.abs(C) + np.abs(np.outer(m, m)) * (n / (n - 1))


def _cov(X: np.ndarray, missing: str) -> np.ndarray:
    if missing == "listwise" or not np.isnan(X).any():
        Xc = X[~np.isnan(X).any(axis=1)] if missing == "listwise" else X
        return np.cov(Xc, rowvar=False, ddof=1)
    return pd.DataFrame(X).cov(min_periods=2).to_numpy()


def feldt_ci(alpha: float, n: int, k: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) CI of α, as psych ``alpha.ci`` and pingouin.

    Examples
    --------
    >>> [round(float(x), 4) for x in feldt_ci(0.8, 100, 10)]  # psych::alpha.ci(0.8, 100, 10)
    [0.736, 0.8537]
    """
    if not np.isfinite(alpha) or n < 2 or k < 2:
        return math.nan, math.nan
    q = 1 - ci
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (1 - (1 - alpha) * stats.f.ppf(1 - q / 2, df1, df2),
            1 - (1 - alpha) * stats.f.ppf(q / 2, df1, df2))


def duhachek_ase(C: np.ndarray, n: int) -> float:
    """Asymptotic standard error of α (Duhachek & Iacobucci 2004; psych's ``ase``)."""
    k = C.shape[0]
    tot, tr = C.sum(), np.trace(C)
    CC = C @ C
    Q = (2 * k ** 2 / ((k - 1) ** 2 * tot ** 3)) * (tot * (np.trace(CC) + tr ** 2) - 2 * tr * CC.sum())
    return math.sqrt(Q / n) if Q >= 0 else math.nan


# --------------------------------------------------------------------------- result object

class WarningList(list):
    """Plain-language warnings: English text (the list's items), plus ``codes`` — the
    translation key and parameters of each — so that reports show them in either language."""

    def __init__(self):
        super().__init__()
        self.codes: list[tuple[str, dict]] = []

    def add(self, key: str, **params) -> None:
        from .._text import t

        self.codes.append((key, params))
        self.append(t(f"rel_warn.{key}", "en", **params))

    def render(self, lang: str) -> list[str]:
        from .._text import t

        return [t(f"rel_warn.{k}", lang, **p) for k, p in self.codes]


class ReliabilityResult(Result):
    """Result of :func:`reliability`.

    Attributes
    ----------
    coefficients : DataFrame
        Indexed by coefficient (``alpha, std_alpha, lambda2, lambda6, split_half,
        omega_total, average_r, median_r``); columns ``estimate, ci_low, ci_high,
        ci_method, label``.
    items : DataFrame
        Indexed by item: ``n, mean, sd, r_total, r_rest, alpha_if_deleted,
        omega_if_deleted, reversed``, ``r_total`` = psych ``raw.r`` (r with the mean
        of the items answered, the item included), ``r_rest`` = psych
        ``r.drop``; means and SDs after reverse keying.
    frequencies : DataFrame
        Proportion of each response value per item, plus ``miss`` (share missing), as psych.
    alpha : float
    n : int
        Rows used (pairwise: rows with at least one answer; listwise: complete rows).
    k : int
        Items used (after dropping zero-variance items).
    warnings : list of str
        Plain-language warnings (negative α, items with negative item–rest r, dropped items…).
    notes : list of str
        How the result was computed (missing data, scale range, CI method).
    n_dropped : int
        Rows left out (pairwise: rows without any answer; listwise: incomplete rows).
    """

    title = "Reliability"

    def to_frame(self) -> pd.DataFrame:
        """The coefficients: indexed by coefficient, columns ``estimate, ci_low, ci_high,
        ci_method, label``."""
        return self.coefficients.copy()

    def apa(self, lang: str = "en") -> str:
        """E.g. ``Cronbach's α = .76, 95% CI [.72, .80] (Feldt), ω_total = .77 (k = 5, n = 300)``."""
        a = self.coefficients.loc["alpha"]
        om = self.coefficients.loc["omega_total", "estimate"]
        method = a.ci_method.split(" (")[0]
        return (f"Cronbach's α = {apa_num(a.estimate, 2, lang, leading_zero=False)}, "
                f"{apa_ci(a.ci_low, a.ci_high, 2, lang, self.ci, leading_zero=False)} ({method}), "
                f"ω_total = {apa_num(om, 2, lang, leading_zero=False)} (k = {self.k}, n = {self.n})")

    def __init__(self, coefficients, items, frequencies, n, k, warnings, notes, ci, missing, n_dropped=0):
        self.coefficients = coefficients
        self.items = items
        self.frequencies = frequencies
        self.n = n
        self.k = k
        self.warnings = warnings
        self.notes = notes
        self.ci = ci
        self.missing = missing
        self.n_dropped = n_dropped

    @property
    def alpha(self) -> float:
        return float(self.coefficients.loc["alpha", "estimate"])

    def __repr__(self):
        a = self.coefficients.loc["alpha"]
        return (f"<ReliabilityResult k={self.k} n={self.n} alpha={a.estimate:.3f} "
                f"[{a.ci_low:.3f}, {a.ci_high:.3f}]>")

    def summary(self) -> str:
        """A plain-text report: scale table, item table, warnings and notes."""
        pd_opts = ("display.width", 120, "display.max_columns", 20)
        with pd.option_context(*pd_opts):
            coef = self.coefficients[["estimate", "ci_low", "ci_high", "ci_method"]].round(4)
            items = self.items.round(3)
            parts = [f"Reliability: k = {self.k} items, n = {self.n} respondents ({self.missing} missing-data handling)",
                     "", coef.to_string(), "", items.to_string()]
        if self.warnings:
            parts += ["", "Warnings:"] + [f"  - {w}" for w in self.warnings]
        if self.notes:
            parts += ["", "Notes:"] + [f"  - {w}" for w in self.notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        coef = self.coefficients[["estimate", "ci_low", "ci_high", "ci_method", "label"]]
        import html as _html

        return (html_table(coef, f"Reliability (k = {self.k}, n = {self.n})")
                + f"<p class=\"evalkit-apa\">{_html.escape(self.apa('en'))}</p>"
                + html_table(self.items, "Item statistics")
                + warnings_html(self.warnings + self.notes))


# --------------------------------------------------------------------------- public API

def _prepare(data, items, reverse, scale):
    items = item_columns(data, items, numeric_default=True)
    bad_rev = [r for r in reverse if r not in items]
    if bad_rev:
        raise StatisticsError(Problem("unknown_reverse", column=", ".join(map(str, bad_rev))))
    if len(items) < 2:
        raise StatisticsError(Problem("too_few_items", params={"k": len(items)}))
    X = data[items].to_numpy(dtype=float, na_value=np.nan)  # may be a view: never modified in place
    # one pass each for the observed range; a NaN minimum means missing answers
    obs_lo = X.min() if X.size else math.nan
    has_nan = bool(np.isnan(obs_lo))
    if has_nan:
        with _w.catch_warnings():  # all-NaN data: NaN bounds; too few rows is raised later
            _w.simplefilter("ignore")
            obs_lo, obs_hi = (np.nanmin(X), np.nanmax(X)) if X.size else (math.nan, math.nan)
    else:
        obs_hi = X.max()
    if np.isinf(obs_lo) or np.isinf(obs_hi):  # the range already read says whether an inf is there
        check_finite_array(X, items, data.index)
    notes = []
    if scale is None:
        lo, hi = obs_lo, obs_hi
        if reverse:
            notes.append(f"scale range not given: reverse keying used the observed range {lo:g}–{hi:g} "
                         "(pass scale=(min, max) for the nominal range)")
    else:
        lo, hi = scale
        if lo >= hi:
            raise StatisticsError(Problem("bad_scale", params={"scale": scale}))
        if obs_lo < lo or obs_hi > hi:
            j = int(np.argwhere((X < lo) | (X > hi))[0][1])
            raise StatisticsError(Problem("outside_scale", column=str(items[j]), params={"lo": lo, "hi": hi}))
    if reverse:
        X = X.copy()
        for r in reverse:
            j = items.index(r)
            X[:, j] = (lo + hi) - X[:, j]
    return items, X, notes, Scan(float(lo), float(hi), has_nan)


class Scan(NamedTuple):
    """What the one scan of the data found: bounds that hold every value, also after
    reverse keying (the nominal scale if given, else the observed range), and whether any
    answer is missing."""
    lo: float
    hi: float
    has_nan: bool


_ID_NAME = re.compile(r"^(subj(ect)?s?|id|ids|.*[_ ]id|id[_ ].*|participants?|respondents?|responden|"
                      r"peserta|nip|nik|person|persons|students?|siswa|rater|raters|penilai)$", re.IGNORECASE)


def _long_format_suspect(data: pd.DataFrame, items) -> dict | None:
    """The (subject, item, score) columns of a frame that looks like long-format data, or None.

    A frame looks long when two of its columns, at least one of which would be read as an
    item, have repeated values and identify the rows together in a (nearly) complete
    crossing — one row per subject × item — and a third, numeric column holds the scores.
    Only narrow frames (≤ 4 columns) are examined: long data have three or four columns.
    """
    if data.shape[1] > 4 or len(data) < 4:
        return None
    cols = list(data.columns)
    used = set(items) if items is not None else {c for c in cols if pd.api.types.is_numeric_dtype(data[c])}
    nun = {c: data[c].nunique(dropna=True) for c in cols}
    n = len(data)
    for a in cols:
        for b in cols:
            if a == b or not (a in used or b in used):
                continue
            na, nb = nun[a], nun[b]
            if not (2 <= nb <= na < n):  # a: more levels (subjects), b: fewer (items)
                continue
            if na * nb * 0.8 > n or data.duplicated([a, b]).any():
                continue
            rest = [c for c in cols if c not in (a, b) and pd.api.types.is_numeric_dtype(data[c])]
            if not rest:
                continue
            # a text item column or id-like names make the crossing telling; between numeric
            # columns without such names (a small wide frame can cross by chance) the crossing
            # must be complete and balanced: every subject × every item once, n ≥ 12
            named = (not pd.api.types.is_numeric_dtype(data[b]) or bool(_ID_NAME.match(str(a)))
                     or str(b).lower().startswith(("item", "butir", "question", "soal", "pertanyaan")))
            balanced = (na * nb == n and n >= 12 and data[a].value_counts().nunique() == 1
                        and data[b].value_counts().nunique() == 1)
            if named or balanced:
                return {"subject": str(a), "item": str(b), "score": str(rest[0])}
    return None


def _from_long(data, items, scores, subject):
    """Pivot long data (one row per subject × item) to the wide layout."""
    for c in (items, scores, subject):
        if not isinstance(c, str) or c not in data.columns:
            raise StatisticsError(Problem("unknown_items", column=str(c),
                                          params={"available": ", ".join(map(str, data.columns[:15]))}))
    dup = data.duplicated([subject, items])
    if dup.any():
        first = data.loc[dup].iloc[0]
        raise StatisticsError(Problem("bad_long_data", column=f"{subject} × {items}", params={
            "what": f"more than one score for {subject} = {first[subject]}, {items} = {first[items]}"}))
    if not pd.api.types.is_numeric_dtype(data[scores]) or pd.api.types.is_bool_dtype(data[scores]):
        raise StatisticsError(Problem("non_numeric_item", column=str(scores), params={"dtype": str(data[scores].dtype)}))
    order = list(pd.unique(data[items]))
    wide = data.pivot(index=subject, columns=items, values=scores)
    wide = wide[order]
    wide.columns = [str(c) for c in wide.columns]
    return wide.astype(float)


def reliability(data: pd.DataFrame, items=None, *, scores=None, subject=None, reverse=(), scale=None,
                missing="pairwise", ci=0.95, ci_method="feldt", n_boot=2000, seed=None,
                omega_if_deleted=True, ordinal=False, workers=1) -> ReliabilityResult:
    """Reliability of a scale: α, standardized α, λ2, λ6, split-half, ω_total, inter-item r,
    with confidence intervals and a full item analysis.

    Parameters
    ----------
    data : DataFrame
        Wide data, one row per respondent; or long data (one row per respondent × item)
        with ``items``, ``scores`` and ``subject`` naming its columns, as pingouin's
        ``cronbach_alpha``. A frame that *looks* long (two columns crossing into one row
        per subject × item, and a score column) passed as wide is refused with a
        ``long_format`` error that shows the long call: the subject id is never read as
        an item; so is a column named like an id (``subject``, ``id``, ``peserta``…).
    items : list of str, or str with long data, optional
        Wide: columns to use (default: every numeric column). Long: the column naming the item.
    scores, subject : str, optional
        Long data only: the columns of the scores and of the respondent ids; the data are
        pivoted to one row per subject (a missing subject × item is a missing answer).
    reverse : sequence of str
        Reverse-keyed items, reflected on the nominal scale as ``(min + max) − x``.
    scale : (min, max), optional
        Nominal range of the items (default: the observed min and max over all items,
        with a note in the result).
    missing : {"pairwise", "listwise"}
        ``"pairwise"``: one covariance matrix from pairwise-complete observations (psych,
        pingouin); ``"listwise"``: complete rows only.
    ci : float
        Confidence level.
    ci_method : {"feldt", "duhachek", "bootstrap", "bca"}
        CI of α. ``"bootstrap"`` (percentile) and ``"bca"`` (bias-corrected and accelerated,
        jackknife acceleration) resample respondents ``n_boot`` times (``seed``) and also give
        a CI for every other coefficient (ω_total included), as R's ``boot.ci``.
    n_boot, seed : int
        Bootstrap resamples and seed (``ci_method="bootstrap"`` or ``"bca"``).
    workers : int
        Threads for the bootstrap; the resamples come in fixed seeded chunks, so the CIs of a
        seed are the same whatever ``workers`` is.
    omega_if_deleted : bool
        Refit the one-factor model without each item (k ML fits, warm-started); the
        costliest part for long scales.
    ordinal : bool
        Also compute ordinal α and ω from two-step polychoric correlations (rows
        ``ordinal_alpha``, ``ordinal_omega``; matrix in ``.polychoric``). They describe the
        reliability of the latent continuous responses assumed behind Likert answers, not
        of the observed sum score that reports use; their use is debated (Chalmers 2018),
        so they are labelled and never replace α.

    Returns
    -------
    ReliabilityResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=300)), 1, 5) for i in range(5)})
    >>> res = reliability(df, scale=(1, 5))
    >>> round(res.alpha, 3), res.k, res.n
    (0.76, 5, 300)
    >>> res.apa()
    "Cronbach's α = .76, 95% CI [.71, .80] (Feldt), ω_total = .76 (k = 5, n = 300)"

    The same data in long format (pingouin's layout):

    >>> long = df.rename_axis("Subj").reset_index().melt(id_vars="Subj", var_name="Items", value_name="Scores")
    >>> round(reliability(data=long, items="Items", scores="Scores", subject="Subj", scale=(1, 5)).alpha, 3)
    0.76
    """
    if missing not in ("pairwise", "listwise"):
        raise StatisticsError(Problem("bad_option", params={"name": "missing", "value": missing,
                                                            "choices": "pairwise, listwise"}))
    if ci_method not in ("feldt", "duhachek", "bootstrap", "bca"):
        raise StatisticsError(Problem("bad_option", params={"name": "ci_method", "value": ci_method,
                                                            "choices": "feldt, duhachek, bootstrap, bca"}))
    if not 0 < ci < 1:
        raise StatisticsError(Problem("bad_option", params={"name": "ci", "value": ci, "choices": "0 < ci < 1"}))
    reverse = [reverse] if isinstance(reverse, str) else list(reverse or ())
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    long_note = None
    if scores is not None or subject is not None:
        if scores is None or subject is None or not isinstance(items, str):
            raise StatisticsError(Problem("bad_long_data", params={
                "what": "give items=, scores= and subject= (three column names) together"}))
        data = _from_long(data, items, scores, subject)
        long_note = (f"long data pivoted: one row per {subject} ({data.shape[0]}), one column per "
                     f"{items} ({data.shape[1]})")
        items = list(data.columns)
    else:
        if isinstance(items, str):
            items = [items]
        suspect = _long_format_suspect(data, items)
        if suspect:
            raise StatisticsError(Problem("long_format", column=suspect["subject"], params=suspect))
        if items is None:
            ids = [c for c in data.columns if isinstance(c, str) and _ID_NAME.match(c)
                   and pd.api.types.is_numeric_dtype(data[c].dtype)]
            if ids:
                raise StatisticsError(Problem("id_as_item", column=str(ids[0])))
    n_rows = len(data)
    items, X, notes, scan = _prepare(data, items, reverse, scale)
    if long_note:
        notes.insert(0, long_note)
    warnings = WarningList()

    # rows used
    complete = not scan.has_nan
    if not complete:
        rows = ~np.isnan(X).any(axis=1) if missing == "listwise" else ~np.isnan(X).all(axis=1)
        X = X[rows]
        complete = not np.isnan(X).any()
    n = int(X.shape[0])
    if n < 3:
        raise StatisticsError(Problem("too_few_rows", params={"n": n}))

    # a large table (not a report's scales, where starting a thread costs more than it saves)
    # uses a second thread: for half of the covariance's product, then for the response
    # frequencies while this one fits the factor models (NumPy and BLAS release the GIL)
    with contextlib.ExitStack() as stack:
        pool = None
        if X.size >= FREQUENCIES_THREAD_CELLS:
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=1))
            stack.enter_context(_one_blas_thread())
        # one covariance matrix; zero-variance items are dropped (and named) from it
        with np.errstate(all="ignore"), _w.catch_warnings():
            _w.simplefilter("ignore")
            if complete:
                C, s1, s2, E = _cov_complete(X, pool)
            else:
                C, s1, s2 = _cov(X, missing), None, None
                E = np.abs(C)
        var = np.diag(C)
        answered = np.full(len(items), n) if complete else (~np.isnan(X)).sum(axis=0)
        sparse = [items[j] for j in range(len(items)) if answered[j] < 2]
        zero = [items[j] for j in range(len(items)) if answered[j] >= 2 and not var[j] > 0]
        if sparse:
            warnings.add("dropped_sparse", items=", ".join(map(str, sparse)))
        if zero:
            warnings.add("dropped_zero", items=", ".join(map(str, zero)))
        if sparse or zero:
            keep = [j for j in range(len(items)) if var[j] > 0 and answered[j] >= 2]
            X = X[:, keep]
            C, E = C[np.ix_(keep, keep)], E[np.ix_(keep, keep)]
            if complete:
                s1, s2 = s1[keep], s2[keep]
            items = [items[j] for j in keep]
        k = len(items)
        if missing == "pairwise" and not complete:
            notes.append("missing answers: covariances from pairwise-complete observations (as psych); "
                         "split-half on complete rows")
        elif missing == "listwise":
            notes.append(f"listwise deletion: {n} complete rows used")

        # the response frequencies need only X, the factor models only C
        flags: list[str] = []
        fit: dict = {}
        count = partial(_frequencies, X, items, (scan.lo, scan.hi), sums=None if s1 is None else (s1, s2))
        freq_job = pool.submit(count) if pool else None
        est = _coefficients(C, X, flags, complete=complete, state=fit, magnitude=E)
        items_df = _item_table(X, C, items, reverse, means=None if s1 is None else s1 / n, fit=fit or None,
                               omega=omega_if_deleted and "pairs_missing" not in flags, flags=flags,
                               magnitude=E)
        freq = freq_job.result() if pool else count()
    if k < 2:
        warnings.add("too_few_items")
    if "lambda6_singular" in flags:
        warnings.add("lambda6_singular")
    if "omega_singular" in flags:
        warnings.add("omega_singular")
    for f in flags:
        if isinstance(f, tuple) and f[0] == "heywood":
            warnings.add("heywood", what="ω_total", items=", ".join(str(items[j]) for j in f[1]))
        if isinstance(f, tuple) and f[0] == "impossible":
            warnings.add("impossible", coefficients=", ".join(f[1]))
        if isinstance(f, tuple) and f[0] == "heywood_deleted":
            warnings.add("heywood", what=f"ω (− {items[f[1]]})", items=", ".join(str(items[j]) for j in f[2]))
    if "pairs_missing" in flags:
        warnings.add("pairs_missing")
    if "total_variance" in flags:
        warnings.add("total_variance")
    if "omega_k2" in flags:
        warnings.add("omega_k2")
    if np.isfinite(est["alpha"]) and est["alpha"] < 0:
        warnings.add("negative_alpha", alpha=f"{est['alpha']:.3f}")

    # confidence intervals
    lo = dict.fromkeys(COEFFICIENTS, math.nan)
    hi = dict.fromkeys(COEFFICIENTS, math.nan)
    method = dict.fromkeys(COEFFICIENTS, "none")
    if k >= 2:
        if ci_method == "feldt":
            lo["alpha"], hi["alpha"] = feldt_ci(est["alpha"], n, k, ci)
            method["alpha"] = "Feldt"
        elif ci_method == "duhachek":
            z = stats.norm.ppf(1 - (1 - ci) / 2)
            ase = duhachek_ase(C, n)
            lo["alpha"], hi["alpha"] = est["alpha"] - z * ase, est["alpha"] + z * ase
            method["alpha"] = "Duhachek (asymptotic)"
        else:
            start = (fit["lam"], fit["psi"]) if fit else None
            boots = _bootstrap(X, missing, n_boot, seed, complete=complete, start=start, workers=workers)
            jack = _jackknife(X, missing, complete=complete, start=start, workers=workers) \
                if ci_method == "bca" else None
            kind = "percentile" if ci_method == "bootstrap" else "bca"
            label = "percentile bootstrap" if kind == "percentile" else "BCa bootstrap"
            for c in COEFFICIENTS:
                col = boots[c]
                if np.isfinite(col).sum() >= max(20, n_boot // 10) and np.isfinite(est[c]):
                    lo[c], hi[c] = bootstrap_interval(est[c], col, ci, method=kind,
                                                      jack=None if jack is None else jack[c])
                    if np.isfinite(lo[c]):
                        method[c] = f"{label} ({n_boot})"
    names = list(COEFFICIENTS)
    poly = None
    if ordinal and k >= 2:
        poly, o_est = _ordinal(X, items, warnings)
        for c, v in o_est.items():
            names.append(c)
            est[c], lo[c], hi[c], method[c] = v, math.nan, math.nan, "none"
    coefficients = pd.DataFrame({
        "estimate": [est[c] for c in names],
        "ci_low": [lo[c] for c in names],
        "ci_high": [hi[c] for c in names],
        "ci_method": [method[c] for c in names],
        "label": [LABELS[c] for c in names],
    }, index=pd.Index(names, name="coefficient"))

    neg = items_df.index[items_df["r_rest"] < 0].tolist()
    if neg:
        warnings.add("negative_rest", items=", ".join(map(str, neg)))
    notes.append(f"CI level {ci:.0%}; α CI method: {method['alpha']}")
    n_dropped = n_rows - n
    dropped = note_dropped(n_dropped, "rows without any answer" if missing == "pairwise"
                             else "rows with a missing answer (listwise)")
    if dropped:
        notes.append(dropped)
    result = ReliabilityResult(coefficients, items_df, freq, n, k, warnings, notes, ci, missing, n_dropped)
    result.polychoric = poly
    return result


def _ordinal(X, items, warnings) -> tuple[pd.DataFrame, dict]:
    """Ordinal α and ω from the polychoric matrix (non-positive-definite matrices are
    smoothed by raising negative eigenvalues, with a warning)."""
    from .polychoric import polychoric

    P = polychoric(pd.DataFrame(X, columns=items))
    R = P.to_numpy()
    k = len(items)
    if not np.all(np.isfinite(R)):
        warnings.add("polychoric_failed")
        return P, {"ordinal_alpha": math.nan, "ordinal_omega": math.nan}
    e, v = np.linalg.eigh(R)
    if e.min() <= 0:
        e = np.clip(e, 1e-6, None)
        R = v @ np.diag(e) @ v.T
        d = np.sqrt(np.diag(R))
        R = R / np.outer(d, d)
        warnings.add("polychoric_smoothed")
    o_alpha = k / (k - 1) * (1 - k / P.to_numpy().sum())
    o_omega = math.nan
    if k >= 3:
        with _w.catch_warnings():
            _w.simplefilter("ignore")
            o_omega, _, psi = _omega(R, return_fit=True)
        if np.any(psi <= HEYWOOD):
            warnings.add("heywood", what="ordinal ω", items=", ".join(str(items[j]) for j in range(k) if psi[j] <= HEYWOOD))
    return P, {"ordinal_alpha": o_alpha, "ordinal_omega": o_omega}


def _item_table(X, C, items, reverse, *, means=None, fit=None, omega=True, flags=None,
                magnitude=None) -> pd.DataFrame:
    """Item statistics from C: everything if-deleted comes from sub-sums of C, and
    ω-if-deleted refits start together from the full scale's solution. ``means``: the item
    means of complete data (``s1/n`` of :func:`_cov_complete`); None when answers are missing.
    ``magnitude``: what C's entries were computed from (``E`` of :func:`_cov_complete`; default
    ``|C|``), for the noise below which a rest's variance is none (:func:`_no_variance`).
    ``flags`` receives ``("heywood_deleted", j, [items at the bound])`` per Heywood refit."""
    k = len(items)
    with np.errstate(all="ignore"), _w.catch_warnings():
        _w.simplefilter("ignore")
        tot, tr = C.sum(), np.trace(C)
        c1 = C.sum(axis=1)
        d = np.diag(C)
        if means is not None:
            n_i = np.full(k, X.shape[0])
            mean = means
            r_total = c1 / np.sqrt(d * tot)  # equals psych raw.r without missing data
        else:
            n_i = (~np.isnan(X)).sum(axis=0)
            mean = np.nanmean(X, axis=0)
            r_total = _r_with_total(X)
        sd = np.sqrt(d)  # diag of the (pairwise) covariance = each item's own variance
        # the variance of the total without the item, by subtraction; where the rest has no
        # variance (within the noise of the rest's block of C and of the subtraction itself)
        # it is undefined, as the scale's own alpha is (``_coefficients``)
        rest_var = tot - 2 * c1 + d
        E = np.abs(C) if magnitude is None else magnitude
        noise_of = E.sum() - 2 * E.sum(axis=1) + np.diag(E) + np.abs(tot) + 2 * np.abs(c1) + np.abs(d)
        rest_var = np.where(_no_variance(rest_var, noise_of), np.nan, rest_var)
        r_rest = (c1 - d) / np.sqrt(d * rest_var)
        a_del = (k - 1) / (k - 2) * (1 - (tr - d) / rest_var) if k > 2 else np.full(k, np.nan)
    o_del = np.full(k, np.nan)
    if k > 3 and omega and fit is not None:
        try:
            with np.errstate(all="ignore"), _w.catch_warnings():
                _w.simplefilter("ignore")
                o_del, heywood = _omega_if_deleted(C, fit["lam"], fit["psi"])
            if flags is not None:
                flags.extend(("heywood_deleted", j, h) for j, h in enumerate(heywood) if h)
        except (np.linalg.LinAlgError, ValueError):
            pass
    return pd.DataFrame({
        "n": n_i, "mean": mean, "sd": sd, "r_total": r_total, "r_rest": r_rest,
        "alpha_if_deleted": a_del, "omega_if_deleted": o_del,
        "reversed": [i in reverse for i in items],
    }, index=pd.Index(items, name="item"))


def _r_with_total(X: np.ndarray) -> np.ndarray:
    """psych's ``raw.r``: Pearson r of each item with the respondent's mean over the items
    answered (``rowMeans(x, na.rm = TRUE)``), pairwise-complete. Without missing data this
    is the ordinary item–total correlation."""
    total = np.nanmean(X, axis=1)
    out = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        ok = ~np.isnan(X[:, j]) & ~np.isnan(total)
        a, b = X[ok, j], total[ok]
        sa, sb = a.std(), b.std()
        out[j] = ((a - a.mean()) * (b - b.mean())).mean() / (sa * sb) if sa > 0 and sb > 0 else np.nan
    return out


def _int8_counts(X: np.ndarray, vals: np.ndarray) -> np.ndarray | None:
    """How many answers of each column of ``X`` equal each of ``vals`` (k × len(vals)), or
    ``None`` when an answer is not a whole number. ``X``'s values lie within int8. Each column is
    cast to int8 once, compared with its float values (whole numbers) and then counted in int8;
    a table whose columns are contiguous (a DataFrame's block) is gone through a column at a
    time, so that every pass over a column runs in the cache (200,000 × 40: 19 → 9 ms)."""
    n, k = X.shape
    counts = np.zeros((k, len(vals)))
    if X.strides[0] == X.itemsize:
        xi = np.empty(n, dtype=np.int8)
        for j in range(k):
            col = X[:, j]
            np.copyto(xi, col, casting="unsafe")
            if not np.array_equal(xi, col):
                return None
            for c, v in enumerate(vals):  # an int8 scalar keeps the comparison in int8
                counts[j, c] = np.count_nonzero(xi == np.int8(v))
        return counts
    Xi = X.astype(np.int8)
    if not (Xi == X).all():
        return None
    for c, v in enumerate(vals):
        counts[:, c] = (Xi == np.int8(v)).sum(axis=0, dtype=np.int32)
    return counts


def _frequencies(X, items, bounds, max_cat=10, *, sums=None) -> pd.DataFrame:
    """Share of each response value per item and ``miss``, as psych's ``response.freq``
    (only when there are at most ``max_cat`` distinct values). ``bounds``: (min, max) that
    hold every value.

    Complete data (``sums``: the exact column sums ``Σx`` and ``Σx²`` of
    :func:`_cov_complete`) with integer answers (checked on an int8 copy) take a short cut:
    the first m − 3 of the m scale points are counted, one int8 comparison each, and the
    last three follow exactly from n, Σx and Σx² (a 3×3 Vandermonde system on the points
    a − 1, a, a + 1: ``c₊ = (t₂ + t₁)/2``, ``c₋ = (t₂ − t₁)/2``, ``c₀ = r₀ − t₂`` with
    ``t₁ = Σc·u``, ``t₂ = Σc·u²``, u = x − a over the uncounted answers)."""
    lo, hi = bounds
    n, k = X.shape
    complete = sums is not None
    if (complete and lo == math.floor(lo) and hi == math.floor(hi) and -128 <= lo and hi <= 127
            and hi - lo < max_cat):
        vals = np.arange(int(lo), int(hi) + 1)
        counts = _int8_counts(X, vals[:-3])
        if counts is not None:
            counts = np.concatenate([counts, np.zeros((k, min(3, len(vals))))], axis=1)
            if len(vals) >= 3:
                a = float(vals[-2])
                r0 = n - counts.sum(axis=1)
                r1 = sums[0] - counts @ vals
                r2 = sums[1] - counts @ (vals.astype(float) ** 2)
                t1 = r1 - a * r0
                t2 = r2 - 2 * a * r1 + a * a * r0
                counts[:, -3:] = np.column_stack([(t2 - t1) / 2, r0 - t2, (t2 + t1) / 2])
            elif len(vals) == 2:  # e.g. a 0/1 item: Σx = n·lo + c_hi
                counts[:, 1] = sums[0] - vals[0] * n
                counts[:, 0] = n - counts[:, 1]
            else:
                counts[:, 0] = n
            counts = np.rint(counts).astype(np.int64)
            present = counts.sum(axis=0) > 0
            return _freq_table(counts[:, present], vals[present], items, n)
    obs_all = X if complete else X[~np.isnan(X)]
    if obs_all.size == 0:
        return pd.DataFrame(index=pd.Index(items, name="item"))
    lo, hi = obs_all.min(), obs_all.max()
    integral = hi - lo <= 1000 and np.array_equal(obs_all, np.round(obs_all))
    if integral:
        counts = np.stack([np.bincount((X[:, j][~np.isnan(X[:, j])] - lo).astype(np.int64),
                                       minlength=int(hi - lo) + 1) for j in range(k)])
        present = counts.sum(axis=0) > 0
        vals = np.arange(lo, hi + 1)[present]
        counts = counts[:, present]
    else:
        vals = np.unique(obs_all)
        if len(vals) > max_cat:
            return pd.DataFrame(index=pd.Index(items, name="item"))
        counts = np.stack([[(X[:, j] == v).sum() for v in vals] for j in range(k)])
    if len(vals) > max_cat:
        return pd.DataFrame(index=pd.Index(items, name="item"))
    return _freq_table(counts, vals, items, n)


def _freq_table(counts, vals, items, n) -> pd.DataFrame:
    answered = counts.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        props = counts / answered
    out = pd.DataFrame(props, index=pd.Index(items, name="item"), columns=[f"{v:g}" for v in vals])
    out["miss"] = 1 - answered[:, 0] / n
    return out


BOOT_CHUNK = 250  # resamples per chunk; fixed, so a seed gives the same CIs whatever the worker count
_PAIRS_MAX = 64 * 2 ** 20  # bytes of the n × k(k+1)/2 cross-product table used for complete data


def _boot_index_chunks(n: int, n_boot: int, seed):
    """The resample indices, chunk by chunk: chunk ``c`` (``BOOT_CHUNK`` resamples of n rows,
    the last one shorter) draws from ``default_rng(SeedSequence(seed).spawn(chunks)[c])``.
    The chunking depends only on ``n_boot``, never on the number of workers."""
    sizes = [min(BOOT_CHUNK, n_boot - s) for s in range(0, n_boot, BOOT_CHUNK)]
    seqs = np.random.SeedSequence(seed).spawn(len(sizes))
    return [(seq, size) for seq, size in zip(seqs, sizes)]


def _pair_table(X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(data, pairs)`` for :func:`_boot_covs`: the data and the table of products ``x_i x_j``
    of each row (i ≤ j, n × k(k+1)/2, C-contiguous), or None when the table would exceed
    :data:`_PAIRS_MAX`. Integer answers whose sums stay below 2^24 (any Likert survey short of
    millions of rows) are kept as they are in float32, where every sum of the resample's
    counts × products is then exact; other data are centred on their means in float64."""
    n, k = X.shape
    if n * k * (k + 1) // 2 * 8 > _PAIRS_MAX:
        return None
    iu = np.triu_indices(k)
    m = X.mean(axis=0)
    var = X.var(axis=0)
    exact = (np.all(X == np.rint(X)) and n * float(np.max(X * X)) < 2 ** 24
             and np.all(m * m <= 1e4 * var))  # the uncentred sums lose nothing to cancellation
    data = X.astype(np.float32) if exact else X - m
    return data, np.ascontiguousarray(data[:, iu[0]] * data[:, iu[1]])


def _boot_covs(Xc: np.ndarray, idx: np.ndarray, pairs: np.ndarray | None) -> np.ndarray:
    """Covariance matrices (ddof 1) of the resamples ``Xc[idx[b]]`` of complete data ``Xc``
    (centred on the full sample's means, or exact small integers; see :func:`_pair_table`).

    With the table ``pairs`` (n × k(k+1)/2, the products ``x_i x_j`` of each row, i ≤ j)
    every resample's cross-products are one matrix product ``W @ pairs``, ``W`` the
    resamples' row counts; without it, one ``XbᵀXb`` per resample. In either case
    ``C = (G − s sᵀ/n)/(n − 1)`` in float64 from the cross-products G and column sums s."""
    b, n = idx.shape
    k = Xc.shape[1]
    iu = np.triu_indices(k)
    if pairs is not None:
        W = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        W = W.astype(pairs.dtype)
        s1 = (W @ Xc).astype(float)
        G = np.empty((b, k, k))
        up = (W @ pairs).astype(float)
        G[:, iu[0], iu[1]] = up
        G[:, iu[1], iu[0]] = up
    else:
        G = np.empty((b, k, k))
        s1 = np.empty((b, k))
        Xd = Xc.astype(float)
        for r in range(b):
            Xb = Xd[idx[r]]
            G[r] = Xb.T @ Xb
            s1[r] = Xb.sum(axis=0)
    return (G - s1[:, :, None] * s1[:, None, :] / n) / (n - 1)


def _jackknife_covs(Xc: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Covariance matrices of the leave-one-out samples (row ``i`` of ``rows`` left out) of
    complete centred data, by down-dating ``G = XᵀX`` and the column sums ``s``: with
    ``m = n − 1`` and ``u = x_i − s/n``, ``C_(i) = (G − s s'/m + (n/m) s s'/n² − (n/m) u u')/(m − 1)``
    (equal to ``((G − x_i x_i') − (s − x_i)(s − x_i)'/m)/(m − 1)``)."""
    n = Xc.shape[0]
    m = n - 1
    G = Xc.T @ Xc
    s = Xc.sum(axis=0)
    c = n / m
    base = (G - np.outer(s, s) / m + c * np.outer(s, s) / n ** 2) / (m - 1)
    u = Xc[rows] - s / n
    out = np.einsum("bi,bj->bij", u * (-c / (m - 1)), u)
    out += base
    return out


def _coefficients_batch(Cs: np.ndarray, start: tuple | None = None) -> dict[str, np.ndarray]:
    """:func:`_coefficients` of complete data for a stack of covariance matrices (B, k, k),
    vectorised: the same formulas and the same rules (a coefficient above 1 or from a
    singular R is missing), ω from one batched run of Newton steps from ``start`` = (λ, ψ)
    (the full sample's standardized solution; :func:`_chord_one_factor`, then Fisher scoring
    for any that did not converge), or without ``start`` one batched Fisher-scoring run from
    each R's leading principal component; fits that reach no interior optimum are redone
    one by one as :func:`_one_factor_ml` does. A matrix with a missing entry or an item
    without variance gives missing values (as a resample the loop skips)."""
    B, k, _ = Cs.shape
    out = {c: np.full(B, np.nan) for c in COEFFICIENTS}
    with np.errstate(all="ignore"):
        d = np.diagonal(Cs, axis1=1, axis2=2)
        tot = Cs.sum(axis=(1, 2))
        valid = (np.isfinite(Cs).all(axis=(1, 2)) & (d > 0).all(axis=1)
                 & ~_no_variance(tot, np.abs(Cs).sum(axis=(1, 2))))
        if k < 2 or not valid.any():
            return out
        v = np.flatnonzero(valid)
        C, d, tot = Cs[v], d[v], tot[v]
        tr = d.sum(axis=1)
        sd = np.sqrt(d)
        R = C / (sd[:, :, None] * sd[:, None, :])
        sumR = R.sum(axis=(1, 2))
        res = {"alpha": k / (k - 1) * (1 - tr / tot), "std_alpha": k / (k - 1) * (1 - k / sumR)}
        off2 = (C ** 2).sum(axis=(1, 2)) - (d ** 2).sum(axis=1)
        res["lambda2"] = (1 - tr / tot) + np.sqrt(k / (k - 1) * off2) / tot
        iu = np.triu_indices(k, 1)
        res["average_r"] = (sumR - k) / (k * (k - 1))
        res["median_r"] = np.median(R[:, iu[0], iu[1]], axis=1)
        ev = np.abs(np.linalg.eigvalsh(R))  # R symmetric: its 2-norm condition number from eigenvalues
        singular = ~(ev.max(axis=1) / ev.min(axis=1) <= 1e12)
        lam6 = np.full(v.size, np.nan)
        omega = np.full(v.size, np.nan)
        ns = np.flatnonzero(~singular)
        if ns.size:
            Rn = R[ns]
            lam6[ns] = 1 - (k - (1 - 1 / np.diagonal(np.linalg.inv(Rn), axis1=1, axis2=2)).sum(axis=1)) / sumR[ns]
            if k >= 3:
                if start is None:
                    e, vec = np.linalg.eigh(Rn)
                    l0 = vec[:, :, -1] * np.sqrt(np.clip(e[:, -1], 0, None))[:, None]
                    l0 = l0 * np.where(l0.sum(axis=1) < 0, -1.0, 1.0)[:, None]
                    lam0, psi0 = 0.9 * l0, np.clip(1 - l0 ** 2, 0.2, 1)
                with _w.catch_warnings():
                    _w.simplefilter("ignore")
                    if start is None:
                        lam, _, ok = _fisher_one_factor(Rn, lam0, psi0)
                    else:
                        lam, _, ok = _chord_one_factor(Rn, np.asarray(start[0], float), np.asarray(start[1], float))
                        redo = np.flatnonzero(~ok)
                        if redo.size:  # far from the start: Fisher scoring from it
                            lam[redo], _, ok[redo] = _fisher_one_factor(
                                Rn[redo], np.repeat(start[0][None], redo.size, 0), np.repeat(start[1][None], redo.size, 0))
                    sdn = sd[ns]
                    num = ((lam * sdn).sum(axis=1)) ** 2  # _omega_from, for the whole stack
                    omega[ns] = np.where(ok, num / (num + ((1 - lam ** 2) * sdn ** 2).sum(axis=1)), np.nan)
                    for j in np.flatnonzero(~ok):
                        try:
                            lj, pj = _one_factor_ml(Rn[j])
                            omega[ns[j]] = _omega_from(lj, pj, sdn[j])
                        except (np.linalg.LinAlgError, ValueError):
                            pass
        res["lambda6"], res["omega_total"] = lam6, omega
        o, e_ = np.arange(0, k, 2), np.arange(1, k, 2)
        va = C[:, o][:, :, o].sum(axis=(1, 2))
        vb = C[:, e_][:, :, e_].sum(axis=(1, 2))
        cab = C[:, o][:, :, e_].sum(axis=(1, 2))
        r = cab / np.sqrt(va * vb)
        res["split_half"] = np.where((va > 0) & (vb > 0), 2 * r / (1 + r), np.nan)
        for c in COEFFICIENTS:
            val = res[c]
            val = np.where(np.isfinite(val) & (val > 1 + 1e-12), np.nan, val)
            out[c][v] = val
    return out


def _coefficients_loop(X: np.ndarray, missing: str, idx: np.ndarray) -> dict[str, np.ndarray]:
    """The replicates one resample at a time (data with missing answers: pairwise covariances)."""
    res = {c: np.full(len(idx), np.nan) for c in COEFFICIENTS}
    with np.errstate(all="ignore"), _w.catch_warnings():
        _w.simplefilter("ignore")
        for b, rows in enumerate(idx):
            Xb = X[rows]
            try:
                Cb = _cov(Xb, missing)
                if not np.all(np.isfinite(Cb)) or np.any(np.diag(Cb) <= 0):
                    continue
                est = _coefficients(Cb, Xb)
            except (np.linalg.LinAlgError, ValueError):
                continue
            for c in COEFFICIENTS:
                res[c][b] = est[c]
    return res


def _replicates(X: np.ndarray, missing: str, idx: np.ndarray, complete: bool, start) -> dict[str, np.ndarray]:
    """Every coefficient of each resample ``X[idx[b]]``."""
    if not complete:
        return _coefficients_loop(X, missing, idx)
    table = _pair_table(X)
    Xc, pairs = table if table is not None else (X - X.mean(axis=0), None)
    return _coefficients_batch(_boot_covs(Xc, idx, pairs), start)


def _bootstrap(X, missing, n_boot, seed, *, complete=None, start=None, workers: int = 1) -> dict[str, np.ndarray]:
    """``n_boot`` bootstrap replicates of every coefficient, resampling respondents.

    Resamples come in fixed chunks (:func:`_boot_index_chunks`), each from its own child
    seed of ``SeedSequence(seed)``; ``workers`` threads compute chunks side by side (NumPy
    releases the GIL), so the replicates do not depend on ``workers``. With complete data
    each chunk's covariance matrices come from one matrix product and the coefficients
    from :func:`_coefficients_batch`; with missing answers, one resample at a time."""
    n = X.shape[0]
    if complete is None:
        complete = not np.isnan(X).any()
    chunks = _boot_index_chunks(n, n_boot, seed)
    Xc, pairs = X, None
    if complete:
        table = _pair_table(X)
        Xc, pairs = table if table is not None else (X - X.mean(axis=0), None)

    def run(chunk):
        seq, size = chunk
        idx = np.random.default_rng(seq).integers(0, n, (size, n))
        if complete:
            return _coefficients_batch(_boot_covs(Xc, idx, pairs), start)
        return _coefficients_loop(X, missing, idx)

    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(c) for c in chunks]
    return {c: np.concatenate([p[c] for p in parts]) for c in COEFFICIENTS}


def _jackknife(X, missing, *, complete, start=None, workers: int = 1) -> dict[str, np.ndarray]:
    """Leave-one-out values of every coefficient (n of them), for the BCa acceleration."""
    n = X.shape[0]
    if not complete:
        idx = np.array([np.delete(np.arange(n), i) for i in range(n)])
        return _coefficients_loop(X, missing, idx)
    Xc = X - X.mean(axis=0)
    step = max(1, min(n, 2 ** 22 // max(1, X.shape[1] ** 2)))
    blocks = [np.arange(s, min(n, s + step)) for s in range(0, n, step)]

    def run(rows):
        return _coefficients_batch(_jackknife_covs(Xc, rows), start)

    if workers > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, blocks))
    else:
        parts = [run(b) for b in blocks]
    return {c: np.concatenate([p[c] for p in parts]) for c in COEFFICIENTS}


def _norm_inter(t: np.ndarray, probs) -> np.ndarray:
    """Quantiles of the replicates ``t`` at ``probs`` as R's ``boot`` takes them (its
    ``norm.inter``): the ``(R+1)·p``-th order statistic, interpolated on the normal
    quantile scale between neighbours (Davison & Hinkley 1997, eq. 5.8); the extreme order
    statistics beyond the ends.

    Examples
    --------
    >>> float(_norm_inter(np.arange(1.0, 100.0), [0.5])[0])  # (R+1)·p = 50: the 50th value
    50.0
    """
    t = np.sort(np.asarray(t, dtype=float)[np.isfinite(t)])
    R = t.size
    out = []
    for p in np.atleast_1d(probs):
        rk = (R + 1) * p
        k = int(math.trunc(rk))
        if k <= 0:
            out.append(t[0])
        elif k >= R:
            out.append(t[-1])
        elif k == rk:
            out.append(t[k - 1])
        else:
            z, z1, z2 = stats.norm.ppf([p, k / (R + 1), (k + 1) / (R + 1)])
            out.append(t[k - 1] + (z - z1) / (z2 - z1) * (t[k] - t[k - 1]))
    return np.array(out)


def bootstrap_interval(t0: float, t: np.ndarray, ci: float = 0.95, *, method: str = "percentile",
                       jack: np.ndarray | None = None) -> tuple[float, float]:
    """Percentile or BCa bootstrap interval from the replicates ``t`` of an estimate ``t0``,
    as R's ``boot.ci(type = "perc" / "bca")``.

    * percentile: the ``(1 ± ci)/2`` quantiles of ``t`` (:func:`_norm_inter`);
    * BCa (Efron 1987; Davison & Hinkley 1997, §5.3.2): the quantiles at
      ``Φ(z0 + (z0 + z_q)/(1 − a·(z0 + z_q)))``, with bias correction
      ``z0 = Φ⁻¹(#{t* < t0}/R)`` and acceleration ``a = Σ L³ / (6 (Σ L²)^{3/2})`` from the
      jackknife influence values ``L_i = (n − 1)(t0 − θ_(i))`` of the leave-one-out
      estimates ``jack``, as R's ``empinf(type = "jack")`` (which centres on ``t0``; Efron's
      1987 formula centres on the mean of the θ_(i), a difference of order 1/n).

    Missing replicates or jackknife values are left out; an interval that cannot be formed
    (z0 or a not finite) is (nan, nan).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.exponential(size=50)
    >>> t = np.array([rng.choice(x, 50).mean() for _ in range(999)])
    >>> jack = np.array([np.delete(x, i).mean() for i in range(50)])
    >>> lo, hi = bootstrap_interval(x.mean(), t, method="bca", jack=jack)
    >>> bool(lo < x.mean() < hi)
    True
    """
    t = np.asarray(t, dtype=float)
    t = t[np.isfinite(t)]
    if t.size == 0 or not np.isfinite(t0):
        return math.nan, math.nan
    probs = np.array([(1 - ci) / 2, (1 + ci) / 2])
    if method == "bca":
        if jack is None:
            raise ValueError("BCa needs the jackknife values")
        jack = np.asarray(jack, dtype=float)
        jack = jack[np.isfinite(jack)]
        z0 = stats.norm.ppf(np.mean(t < t0))
        L = (jack.size - 1) * (t0 - jack) if jack.size > 1 else np.zeros(1)
        with np.errstate(all="ignore"):
            a = (L ** 3).sum() / (6 * (L ** 2).sum() ** 1.5)
        if not (np.isfinite(z0) and np.isfinite(a)):
            return math.nan, math.nan
        zq = stats.norm.ppf(probs)
        probs = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    elif method != "percentile":
        raise ValueError(f"unknown bootstrap interval {method!r}")
    lo, hi = _norm_inter(t, probs)
    return float(lo), float(hi)


def scale_scores(df: pd.DataFrame, items: list[str], reverse: list[str], scale: tuple[float, float],
                 min_answered: float = 0.5) -> pd.Series:
    """Each respondent's scale score: the mean of the items answered after reverse keying
    ``(min + max) − x``; missing where fewer than ``min_answered`` of the items were answered."""
    X = df[items].astype(float).copy()
    for r in reverse:
        X[r] = scale[0] + scale[1] - X[r]
    answered = X.notna().sum(axis=1)
    score = X.mean(axis=1)
    score[(answered == 0) | (answered < math.ceil(min_answered * len(items)))] = np.nan
    return score


def reliability_table(data: pd.DataFrame, scales: dict, **kwargs) -> pd.DataFrame:
    """Reliability of many scales in one call: a paper's Table 1.

    Parameters
    ----------
    data : DataFrame
        Wide data, one row per respondent.
    scales : dict
        ``{scale name: [items]}`` or ``{scale name: {"items": [...], "reverse": [...]}}``.
    **kwargs
        Passed to :func:`reliability` (``scale``, ``missing``, ``ci``, ``ci_method`` …).

    Returns
    -------
    DataFrame
        Indexed by scale: ``k, n, mean, sd`` (of the scale score, the mean of the items
        answered after reverse keying), ``alpha, alpha_ci_low, alpha_ci_high, std_alpha,
        omega_total, lambda2, average_r, warnings``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(200, 2))
    >>> df = pd.DataFrame({f"{s}{i}": np.clip(np.round(3 + f[:, j] + rng.normal(size=200)), 1, 5)
    ...                    for j, s in enumerate("ab") for i in range(4)})
    >>> t = reliability_table(df, {"A": ["a0", "a1", "a2", "a3"], "B": ["b0", "b1", "b2", "b3"]}, scale=(1, 5))
    >>> list(t.index), int(t.loc["A", "k"])
    (['A', 'B'], 4)
    """
    rows = []
    for name, spec in scales.items():
        items = spec["items"] if isinstance(spec, dict) else list(spec)
        rev = spec.get("reverse", []) if isinstance(spec, dict) else []
        res = reliability(data, items, reverse=rev, **{k: v for k, v in kwargs.items() if k != "omega_if_deleted"},
                          omega_if_deleted=False)
        rng = kwargs.get("scale") or (float(np.nanmin(data[items].to_numpy(float))),
                                      float(np.nanmax(data[items].to_numpy(float))))
        score = scale_scores(data, items, rev, rng, min_answered=0)
        c = res.coefficients
        rows.append({"scale": name, "k": res.k, "n": res.n, "mean": score.mean(), "sd": score.std(ddof=1),
                     "alpha": c.loc["alpha", "estimate"], "alpha_ci_low": c.loc["alpha", "ci_low"],
                     "alpha_ci_high": c.loc["alpha", "ci_high"], "std_alpha": c.loc["std_alpha", "estimate"],
                     "omega_total": c.loc["omega_total", "estimate"], "lambda2": c.loc["lambda2", "estimate"],
                     "average_r": c.loc["average_r", "estimate"], "warnings": "; ".join(res.warnings)})
    return pd.DataFrame(rows).set_index("scale")

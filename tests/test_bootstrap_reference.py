"""Bootstrap CIs of α and ω (percentile and BCa) against R's boot (tests/reference/
make_bootstrap_reference.R): the same resample indices give the same replicates, the same
jackknife influence values and the same intervals; seeds and worker counts."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import evalkit
from conftest import ROOT
from evalkit.errors import StatisticsError
from evalkit.stats import reliability as rl

REF = json.loads((ROOT / "tests" / "reference" / "bootstrap_reference.json").read_text())
DATA = pd.read_csv(ROOT / "tests" / "reference" / "data" / "bootstrap_likert.csv")
X = DATA.to_numpy(float)
IDX = np.array(REF["indices"]) - 1  # boot.array(indices = TRUE) is 1-based
NAMES = {"alpha": "alpha", "omega_total": "omega"}


@pytest.fixture(scope="module")
def full():
    return evalkit.reliability(DATA, scale=(1, 5))


@pytest.fixture(scope="module")
def start():
    _, lam, psi = rl._omega(np.cov(X, rowvar=False), return_fit=True)
    return lam, psi


@pytest.mark.parametrize("use_start", [False, True])
def test_replicates_from_boots_indices_match_r(use_start, start):
    rep = rl._replicates(X, "pairwise", IDX, True, start if use_start else None)
    assert np.abs(rep["alpha"] - np.array(REF["t"]["alpha"])).max() < 1e-12
    # R's omega: factanal (L-BFGS-B, factr = 1e3), ours the exact ML optimum
    assert np.abs(rep["omega_total"] - np.array(REF["t"]["omega"])).max() < 1e-6


def test_estimates_and_jackknife_influence_match_r(full, start):
    n = len(X)
    jack = rl._jackknife(X, "pairwise", complete=True, start=start)
    for c, r in NAMES.items():
        t0 = full.coefficients.loc[c, "estimate"]
        assert t0 == pytest.approx(REF["t0"][r], abs=1e-8)
        L = (n - 1) * (t0 - jack[c])  # empinf(type = "jack")
        assert np.abs(L - np.array(REF["jack_L"][r])).max() < (1e-10 if c == "alpha" else 1e-5)


@pytest.mark.parametrize("method,rname", [("percentile", "percentile"), ("bca", "bca")])
def test_intervals_from_rs_replicates_match_boot_ci(method, rname, full, start):
    jack = rl._jackknife(X, "pairwise", complete=True, start=start)
    for c, r in NAMES.items():
        t0 = full.coefficients.loc[c, "estimate"]
        lo, hi = rl.bootstrap_interval(t0, np.array(REF["t"][r]), 0.95, method=method, jack=jack[c])
        ref_lo, ref_hi = REF["ci"][r][rname]
        assert lo == pytest.approx(ref_lo, abs=1e-8) and hi == pytest.approx(ref_hi, abs=1e-8)


def test_batched_coefficients_equal_the_one_at_a_time_loop(start):
    loop = rl._coefficients_loop(X, "pairwise", IDX[:60])
    batch = rl._replicates(X, "pairwise", IDX[:60], True, start)
    for c in rl.COEFFICIENTS:
        np.testing.assert_allclose(batch[c], loop[c], rtol=0, atol=1e-10, equal_nan=True, err_msg=c)


def test_jackknife_covariances_are_the_leave_one_out_covariances():
    Xc = X - X.mean(axis=0)
    J = rl._jackknife_covs(Xc, np.arange(len(X)))
    for i in (0, 17, len(X) - 1):
        np.testing.assert_allclose(J[i], np.cov(np.delete(X, i, axis=0), rowvar=False), atol=1e-13)


def test_same_cis_for_the_same_seed_whatever_the_worker_count():
    a = evalkit.reliability(DATA, scale=(1, 5), ci_method="bca", n_boot=700, seed=11, workers=1)
    b = evalkit.reliability(DATA, scale=(1, 5), ci_method="bca", n_boot=700, seed=11, workers=3)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    c = evalkit.reliability(DATA, scale=(1, 5), ci_method="bca", n_boot=700, seed=12, workers=1)
    assert not np.allclose(a.coefficients["ci_low"], c.coefficients["ci_low"])
    co = a.coefficients
    assert co.loc["alpha", "ci_method"] == "BCa bootstrap (700)"
    assert co.loc["omega_total", "ci_low"] < co.loc["omega_total", "estimate"] < co.loc["omega_total", "ci_high"]


def test_bca_with_missing_answers_goes_one_resample_at_a_time():
    Xm = DATA.copy().astype(float)
    Xm.iloc[3, 2] = np.nan
    Xm.iloc[10, 0] = np.nan
    res = evalkit.reliability(Xm, scale=(1, 5), ci_method="bca", n_boot=200, seed=3)
    co = res.coefficients
    assert co.loc["alpha", "ci_low"] < co.loc["alpha", "estimate"] < co.loc["alpha", "ci_high"]
    assert co.loc["alpha", "ci_method"] == "BCa bootstrap (200)"


def test_bca_reduces_to_percentile_without_bias_or_acceleration():
    t = np.linspace(-1, 1, 1000)  # symmetric replicates around t0 = 0, symmetric jackknife
    jack = np.array([-0.01, 0.01])
    assert rl.bootstrap_interval(0.0, t, method="bca", jack=jack) == pytest.approx(
        rl.bootstrap_interval(0.0, t, method="percentile"))


def test_unknown_ci_method_is_a_statistics_error():
    with pytest.raises(StatisticsError):
        evalkit.reliability(DATA, ci_method="bcaa")


def test_non_integer_data_take_the_centred_float64_path(start):
    Xf = X + np.random.default_rng(0).normal(0, 0.3, X.shape) + 100.0  # not integers, large means
    assert rl._pair_table(Xf)[0].dtype == np.float64
    assert rl._pair_table(X)[0].dtype == np.float32  # small integers: exact sums in float32
    loop = rl._coefficients_loop(Xf, "pairwise", IDX[:40])
    batch = rl._replicates(Xf, "pairwise", IDX[:40], True, None)
    for c in rl.COEFFICIENTS:
        np.testing.assert_allclose(batch[c], loop[c], rtol=0, atol=1e-9, equal_nan=True, err_msg=c)

"""The fast paths of reliability() against the slow, obvious computations they replace:
Fisher scoring against the bounded L-BFGS-B fit, the one-pass covariance against
numpy.cov, and the counted-plus-derived response frequencies against plain counting."""
import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.stats import reliability as rel

ROOT_DATA = "tests/reference/data"


def _corr_cases():
    bfi = pd.read_csv(f"{ROOT_DATA}/bfi_ac.csv")
    hs = pd.read_csv(f"{ROOT_DATA}/holzinger_swineford.csv")
    rng = np.random.default_rng(3)
    f = rng.normal(size=(500, 1))
    sim = f @ rng.uniform(0.3, 0.9, size=(1, 12)) + rng.normal(size=(500, 12))
    return {"bfi_A": bfi[[f"A{i}" for i in range(1, 6)]].corr().to_numpy(),
            "bfi_C": bfi[[f"C{i}" for i in range(1, 6)]].corr().to_numpy(),
            "holzinger": hs.corr().to_numpy(),
            "simulated_12": np.corrcoef(sim, rowvar=False)}


@pytest.mark.parametrize("name", ["bfi_A", "bfi_C", "holzinger", "simulated_12"])
def test_fisher_scoring_reaches_the_bounded_optimum(name):
    R = _corr_cases()[name]
    lam_f, psi_f = rel._one_factor_ml(R)
    lam_b, psi_b = rel._one_factor_bounded(R)
    np.testing.assert_allclose(lam_f, lam_b, atol=1e-6)
    np.testing.assert_allclose(psi_f, psi_b, atol=1e-6)
    # and every if-deleted refit equals a bounded fit of the sub-matrix
    C = R * 2.0  # any covariance metric: omega is scale-free
    omegas, heywood = rel._omega_if_deleted(C, lam_f, psi_f)
    for j in range(R.shape[0]):
        keep = [i for i in range(R.shape[0]) if i != j]
        lj, pj = rel._one_factor_bounded(R[np.ix_(keep, keep)])
        assert omegas[j] == pytest.approx(rel._omega_from(lj, pj, np.sqrt(np.diag(C))[keep]), abs=1e-8)
        assert heywood[j] == []


def test_heywood_case_falls_back_to_the_bound():
    # a just-identified 3-item model whose exact solution needs a negative uniqueness
    R = np.array([[1, 0.9, 0.5], [0.9, 1, 0.4], [0.5, 0.4, 1.0]])
    e, v = np.linalg.eigh(R)
    lam0 = np.abs(v[:, -1]) * np.sqrt(e[-1])
    _, psi, ok = rel._fisher_one_factor(R[None], lam0[None], (1 - lam0 ** 2)[None])
    assert not ok[0] and psi[0].min() < rel.PSI_MIN
    lam, psi = rel._one_factor_ml(R)
    assert psi.min() <= rel.HEYWOOD  # held at the bound, flagged as a Heywood case
    np.testing.assert_allclose(lam, rel._one_factor_bounded(R)[0], atol=1e-9)


@pytest.mark.parametrize("shift", [0.0, 1e6])
def test_one_pass_covariance_equals_numpy_cov(shift):
    rng = np.random.default_rng(5)
    X = np.asfortranarray(rng.integers(1, 6, size=(2000, 7)).astype(float) + shift)
    C, s1, s2, _ = rel._cov_complete(X)
    np.testing.assert_allclose(C, np.cov(X, rowvar=False), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(s1, X.sum(axis=0))
    np.testing.assert_array_equal(s2, (X ** 2).sum(axis=0))


class _RecordingPool:
    """A one-worker pool that records what it is handed (and runs it on its thread)."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor
        self.pool, self.handed = ThreadPoolExecutor(max_workers=1), []

    def submit(self, fn, *args):
        self.handed.extend(args)
        return self.pool.submit(fn, *args)


@pytest.mark.parametrize("shift", [0.0, 1e6])
@pytest.mark.parametrize("n", [2000, 2001])
def test_covariance_split_between_two_threads_is_the_same(shift, n):
    """With a pool, the bottom half of the rows' product runs on the pool's thread and the two
    halves are summed: for whole-number answers exactly the sums of one product; otherwise
    within rounding of numpy.cov."""
    rng = np.random.default_rng(n)
    X = np.asfortranarray(rng.integers(1, 6, size=(n, 7)).astype(float) + shift)
    pool = _RecordingPool()
    try:
        got = rel._cov_complete(X, pool)
    finally:
        pool.pool.shutdown()
    assert len(pool.handed) == 1 and pool.handed[0].shape == (n - n // 2, 7)
    np.testing.assert_array_equal(pool.handed[0], X[n // 2:])
    for a, b in zip(got, rel._cov_complete(X)):
        np.testing.assert_array_equal(a, b)
    Y = np.asfortranarray(rng.normal(size=(n, 7)) * 3 + 1)
    pool = _RecordingPool()
    try:
        C, s1, s2, _ = rel._cov_complete(Y, pool)
    finally:
        pool.pool.shutdown()
    np.testing.assert_allclose(C, np.cov(Y, rowvar=False), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s1, Y.sum(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s2, (Y ** 2).sum(axis=0), rtol=1e-12)


def test_blas_has_one_thread_while_the_two_threads_run_and_its_own_again_after():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return sorted(i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert before and max(before) == 2
        with rel._one_blas_thread():
            assert set(blas_threads()) == {1}
        assert blas_threads() == before
        rng = np.random.default_rng(2)
        x = pd.DataFrame(rng.integers(1, 6, size=(30_000, 8)).astype(float), columns=[f"q{i}" for i in range(8)])
        assert x.size >= rel.FREQUENCIES_THREAD_CELLS
        evalkit.reliability(x)
        assert blas_threads() == before


def test_overlapping_calls_share_one_blas_limit_that_the_last_one_lifts():
    """Calls from several threads at once: BLAS stays at one thread until the last has left,
    then is back to what it was (one limit each would be lifted in the wrong order)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from concurrent.futures import ThreadPoolExecutor

    def blas_threads():
        return sorted(i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")

    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        first, second = rel._one_blas_thread(), rel._one_blas_thread()
        first.__enter__()
        second.__enter__()
        assert set(blas_threads()) == {1}
        first.__exit__(None, None, None)  # the first leaves while the second is still inside
        assert set(blas_threads()) == {1}
        second.__exit__(None, None, None)
        assert blas_threads() == before
        rng = np.random.default_rng(6)
        tables = [pd.DataFrame(rng.integers(1, 6, size=(30_000, 8)).astype(float),
                               columns=[f"q{i}" for i in range(8)]) for _ in range(4)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(evalkit.reliability, tables))
        assert blas_threads() == before
        for x, res in zip(tables, results):
            pd.testing.assert_frame_equal(res.coefficients, evalkit.reliability(x).coefficients, check_exact=True)


def test_reliability_runs_without_threadpoolctl(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    monkeypatch.setattr(rel, "_blas_controller", None)
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.integers(1, 6, size=(30_000, 8)).astype(float), columns=[f"q{i}" for i in range(8)])
    got = evalkit.reliability(x)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(got.coefficients, evalkit.reliability(x).coefficients, check_exact=True)


def _counted(df: pd.DataFrame) -> pd.DataFrame:
    """Plain counting with pandas, psych's response.freq layout."""
    vals = sorted(pd.unique(df.to_numpy().ravel()))
    out = pd.DataFrame({f"{v:g}": [(df[c] == v).mean() for c in df] for v in vals}, index=df.columns)
    out["miss"] = 0.0
    return out


@pytest.mark.parametrize("lo,hi", [(0, 1), (1, 3), (1, 4), (1, 5), (1, 7), (0, 9), (-3, 3), (120, 127)])
def test_response_frequencies_equal_plain_counts(lo, hi):
    rng = np.random.default_rng(hi - lo)
    f = rng.normal(size=(3000, 1))
    X = np.clip(np.rint((lo + hi) / 2 + (hi - lo) / 4 * (f + rng.normal(size=(3000, 6)))), lo, hi) + 0.0  # no -0
    df = pd.DataFrame(X, columns=[f"q{i}" for i in range(6)])
    res = evalkit.reliability(df, scale=(lo, hi), reverse=["q2"])
    keyed = df.assign(q2=lo + hi - df["q2"])
    got = res.frequencies
    want = _counted(keyed)
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), atol=1e-15)


@pytest.mark.parametrize("lo,hi", [(1, 5), (-3, 3), (120, 127)])
def test_int8_counts_are_the_same_in_either_layout(lo, hi):
    """The response counts a column at a time (a DataFrame's block: columns contiguous) and over
    the whole table (rows contiguous) are plain counting; an answer that is not a whole number,
    in any column, gives no counts in either layout."""
    rng = np.random.default_rng(hi)
    X = rng.integers(lo, hi + 1, size=(500, 7)).astype(float)
    vals = np.arange(lo, hi + 1)
    want = np.array([[(X[:, j] == v).sum() for v in vals] for j in range(7)], dtype=float)
    for layout in (np.asfortranarray(X), np.ascontiguousarray(X)):
        np.testing.assert_array_equal(rel._int8_counts(layout, vals), want)
    for j in (0, 6):
        bad = X.copy()
        bad[123, j] += 0.5
        assert rel._int8_counts(np.asfortranarray(bad), vals) is None
        assert rel._int8_counts(np.ascontiguousarray(bad), vals) is None


def test_non_integer_answers_are_not_counted_as_integers():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3.5] * 50, "b": [2, 2, 3, 5, 4, 4] * 50, "c": [1, 3, 3, 4, 5, 4] * 50})
    got = evalkit.reliability(df).frequencies
    assert "3.5" in got.columns
    assert got.loc["a", "3.5"] == pytest.approx(1 / 6)


@pytest.mark.parametrize("missing", [False, True])
def test_frequencies_inline_and_on_a_thread_are_the_same_result(monkeypatch, missing):
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.integers(1, 6, size=(300, 7)).astype(float), columns=[f"q{i}" for i in range(7)])
    if missing:
        x = x.mask(rng.random(x.shape) < 0.05)
    assert x.size < rel.FREQUENCIES_THREAD_CELLS  # counted inline by default
    inline = evalkit.reliability(x, scale=(1, 5))
    monkeypatch.setattr(rel, "FREQUENCIES_THREAD_CELLS", 0)  # every table on the second thread
    threaded = evalkit.reliability(x, scale=(1, 5))
    pd.testing.assert_frame_equal(inline.frequencies, threaded.frequencies)
    pd.testing.assert_frame_equal(inline.items, threaded.items)
    pd.testing.assert_frame_equal(inline.coefficients, threaded.coefficients)


def test_alpha_if_deleted_is_undefined_where_the_rest_has_no_variance():
    """Found by hypothesis (test_properties): without i1 the three rows' totals are 7, 7, 7; the
    sub-sum of the covariance matrix gave rounding noise instead of 0 and alpha-if-deleted 1.3e15."""
    df = pd.DataFrame({"i0": [3.0, 2, 5], "i1": [1.0, 3, 1], "i2": [2.0, 1, 1], "i3": [2.0, 4, 1]})
    res = evalkit.reliability(df, scale=(1, 5), omega_if_deleted=False)
    sub = evalkit.reliability(df.drop(columns="i1"), scale=(1, 5), omega_if_deleted=False)
    assert np.isnan(sub.alpha)
    assert np.isnan(res.items.loc["i1", "alpha_if_deleted"]) and np.isnan(res.items.loc["i1", "r_rest"])
    for item in ("i0", "i2", "i3"):  # the others are defined, and equal the scale without them
        other = evalkit.reliability(df.drop(columns=item), scale=(1, 5), omega_if_deleted=False)
        assert res.items.loc[item, "alpha_if_deleted"] == pytest.approx(other.alpha, rel=1e-9)


def test_alpha_if_deleted_undefined_for_a_rest_without_variance_in_a_large_sample():
    """The reviewer's case: mirrored items (a, 6 − a; c, 6 − c) make the rest of the scale constant
    without the near-constant item j; the covariances' products (Σxy − n·m·m) leave noise far
    above eps·|tot|, which must still be recognised as no variance."""
    bad = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        a, c = rng.integers(1, 6, 1000).astype(float), rng.integers(1, 6, 1000).astype(float)
        j = np.ones(1000)
        j[rng.choice(1000, 1 + seed % 5, replace=False)] = 2.0
        df = pd.DataFrame({"j": j, "a": a, "a_r": 6 - a, "c": c, "c_r": 6 - c})
        res = evalkit.reliability(df, scale=(1, 5), omega_if_deleted=False)
        row = res.items.loc["j"]
        bad += not (np.isnan(row["alpha_if_deleted"]) and np.isnan(row["r_rest"]))
        for item in ("a", "c"):  # the other rests have variance: defined, equal to the scale without them
            other = evalkit.reliability(df.drop(columns=item), scale=(1, 5), omega_if_deleted=False)
            assert res.items.loc[item, "alpha_if_deleted"] == pytest.approx(other.alpha, rel=1e-9, abs=1e-12)
    assert bad == 0


@pytest.mark.parametrize("k", [2, 4])
def test_a_scale_whose_total_has_no_variance_has_no_alpha(k):
    """Mirrored items (a beside 6 − a, unreversed) make the total constant; C's product form
    leaves rounding noise in its sum, which gave alpha = −4.5e15. Like a total variance of 0,
    it is no variance: no coefficient, and the total-variance warning."""
    rng = np.random.default_rng(1)  # a seed whose noise is positive for both k (a finite alpha before)
    a, c = rng.integers(1, 6, 1000).astype(float), rng.integers(1, 6, 1000).astype(float)
    cols = {"a": a, "a_r": 6 - a, "c": c, "c_r": 6 - c}
    df = pd.DataFrame(dict(list(cols.items())[:k]))
    res = evalkit.reliability(df, scale=(1, 5), omega_if_deleted=False)
    assert np.isnan(res.alpha)
    assert any("variance of the total score is not positive" in w for w in res.warnings)

"""evalkit batch: parallel rendering, skip unchanged, --force, failures isolated, interrupted runs."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import MINI, ROOT

pytestmark = pytest.mark.e2e
EVALKIT = [sys.executable, "-m", "evalkit.cli"]


def _raw(tmp_path, names=("a-one", "b-two", "c-three")):
    raw = tmp_path / "raw"
    for n in names:
        shutil.copytree(MINI, raw / n)
    return raw


def _batch(raw, out, *extra):
    return subprocess.run([*EVALKIT, "batch", str(raw), "--out", str(out), *map(str, extra)],
                          capture_output=True, text=True, cwd=ROOT)


def test_parallel_batch_then_skip_then_change_then_force(tmp_path):
    names = ("a-one", "b-two")  # two programs for two workers: each step renders every program once at most
    raw, out = _raw(tmp_path, names), tmp_path / "out"
    r = _batch(raw, out, "--workers", 2)
    assert r.returncode == 0, r.stderr
    assert "2 rendered, 0 unchanged" in r.stdout
    for n in names:
        assert json.loads((out / n / "metrics.json").read_text())["render_hash"]
        assert (out / "_logs" / f"{n}.log").read_text().strip().endswith("s")
    assert (out / "index.html").exists()
    first = {n: (out / n / "report.html").stat().st_mtime_ns for n in names}
    r = _batch(raw, out, "--workers", 2)
    assert "0 rendered, 2 unchanged" in r.stdout
    assert {n: (out / n / "report.html").stat().st_mtime_ns for n in names} == first  # not written again
    (raw / "b-two" / "tes.csv").write_text((raw / "b-two" / "tes.csv").read_text().replace("55,78", "55,79"))
    r = _batch(raw, out)
    assert "1 rendered, 1 unchanged" in r.stdout
    assert (out / "a-one" / "report.html").stat().st_mtime_ns == first["a-one"]
    assert (out / "b-two" / "report.html").stat().st_mtime_ns != first["b-two"]
    r = _batch(raw, out, "--force")
    assert "2 rendered, 0 unchanged" in r.stdout
    r = _batch(raw, out, "--lang", "en")  # other parameters: a new hash
    assert "2 rendered" in r.stdout


def test_failed_program_does_not_stop_the_others(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "out"
    (raw / "b-two" / "tes.csv").unlink()
    r = _batch(raw, out, "--workers", 2)
    assert r.returncode == 1
    assert "2 rendered" in r.stdout and "1 failed" in r.stdout and "FAILED b-two" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
    assert (out / "a-one" / "report.html").exists() and (out / "c-three" / "report.html").exists()
    assert not (out / "b-two").exists()
    assert "tes.csv" in (out / "_logs" / "b-two.log").read_text()


def test_interrupted_batch_leaves_no_complete_looking_report(tmp_path):
    raw, out = _raw(tmp_path, [f"p-{i}" for i in range(3)]), tmp_path / "out"
    proc = subprocess.Popen([*EVALKIT, "batch", str(raw), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "p-0" / "report.html").exists():
        time.sleep(0.2)
    import os

    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for d in out.iterdir():
        if d.is_dir() and not d.name.startswith(("_", ".")):
            # a visible report folder is always complete
            assert {"report.html", "report.ipynb", "metrics.json"} <= {p.name for p in d.iterdir()}, d
    r = _batch(raw, out)
    assert r.returncode == 0
    assert "0 failed" in r.stdout
    for i in range(3):
        assert (out / f"p-{i}" / "report.html").exists()


@pytest.fixture
def dask_cluster():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_batch_on_a_dask_cluster_renders_skips_and_isolates_failures(tmp_path, dask_cluster):
    assert dask_cluster.startswith("tcp://127.0.0.1:")
    raw, out = _raw(tmp_path), tmp_path / "out"
    (raw / "c-three" / "tes.csv").unlink()
    r = _batch(raw, out, "--scheduler", dask_cluster)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2 rendered, 0 unchanged (skipped), 1 failed" in r.stdout
    assert "FAILED c-three" in r.stdout and "Traceback" not in r.stdout + r.stderr
    for n in ("a-one", "b-two"):
        assert json.loads((out / n / "metrics.json").read_text())["render_hash"]
        assert (out / "_logs" / f"{n}.log").exists()
    assert (out / "index.html").exists()
    r = _batch(raw, out, "--scheduler", dask_cluster)  # the same hash decides on the cluster too
    assert "0 rendered, 2 unchanged" in r.stdout


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a free port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _batch(_raw(tmp_path, ["a-one"]), tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{port}",
               "--scheduler-timeout", 2)
    assert r.returncode == 1
    assert f"tcp://127.0.0.1:{port}" in r.stderr and "cannot be reached" in r.stderr
    assert "dask-scheduler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out" / "a-one").exists()


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "inf"])
def test_scheduler_timeout_must_be_a_positive_number(tmp_path, bad):
    r = _batch(_raw(tmp_path, ["a-one"]), tmp_path / "out", "--scheduler", "tcp://127.0.0.1:1",
               "--scheduler-timeout", bad)
    assert r.returncode == 2
    assert "--scheduler-timeout" in r.stderr and "greater than 0" in r.stderr and "Traceback" not in r.stderr


def test_figure_helpers_only_while_a_core_is_free():
    from evalkit.report.batch import figure_helpers_pay

    assert figure_helpers_pay(1, cores=2) and figure_helpers_pay(3, cores=4)
    assert not figure_helpers_pay(2, cores=2) and not figure_helpers_pay(4, cores=2)


def _flags(args):
    """Stands in for a worker's render: which helper flag it was given."""
    from pathlib import Path

    return {"program": Path(args[0]).name, "status": "rendered", "seconds": 0.0, "helper": args[-1]}


@pytest.mark.parametrize("cores, workers, programs, helper", [(2, 2, 3, False), (2, 4, 3, False), (8, 2, 3, True),
                                                              (2, 2, 1, True), (2, 1, 3, True)])
def test_batch_gives_kernels_a_figure_helper_only_with_a_core_to_spare(tmp_path, monkeypatch, cores, workers,
                                                                        programs, helper):
    from evalkit.report import batch

    monkeypatch.setattr(batch, "usable_cores", lambda: cores)
    monkeypatch.setattr(batch, "_render_one", _flags)
    names = ("a-one", "b-two", "c-three")[:programs]
    res = batch.run_batch(_raw(tmp_path, names), tmp_path / "out", workers=workers, progress=False)
    assert [r["helper"] for r in res.results] == [helper] * programs


def test_batch_workers_filling_the_cores_draw_figures_in_their_kernels(tmp_path, monkeypatch):
    """Two workers on two cores: the kernels have no figure helper (nothing in its log), the
    reports are whole, and the caller's environment is left alone."""
    import os

    from evalkit.report import batch, kernels
    from evalkit.report.figure_server import SWITCH

    if not kernels.enabled():
        pytest.skip("fork kernels (and their figure helpers) are Linux only")
    monkeypatch.setattr(batch, "usable_cores", lambda: 2)
    monkeypatch.delenv(SWITCH, raising=False)
    log = tmp_path / "helper.log"
    monkeypatch.setenv("EVALKIT_FIGURE_LOG", str(log))
    res = batch.run_batch(_raw(tmp_path, ("a-one", "b-two")), tmp_path / "out", workers=2, progress=False)
    assert [r["status"] for r in res.results] == ["rendered", "rendered"]
    assert list((tmp_path / "out" / "a-one" / "figures").glob("*.png"))
    assert not log.exists(), f"a helper drew: {log.read_text()}"
    assert SWITCH not in os.environ

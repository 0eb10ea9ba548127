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
    raw, out = _raw(tmp_path), tmp_path / "out"
    r = _batch(raw, out, "--workers", 2)
    assert r.returncode == 0, r.stderr
    assert "3 rendered, 0 unchanged" in r.stdout
    for n in ("a-one", "b-two", "c-three"):
        assert json.loads((out / n / "metrics.json").read_text())["render_hash"]
        assert (out / "_logs" / f"{n}.log").read_text().strip().endswith("s")
    assert (out / "index.html").exists()
    r = _batch(raw, out, "--workers", 2)
    assert "0 rendered, 3 unchanged" in r.stdout
    (raw / "b-two" / "tes.csv").write_text((raw / "b-two" / "tes.csv").read_text().replace("55,78", "55,79"))
    r = _batch(raw, out)
    assert "1 rendered, 2 unchanged" in r.stdout
    r = _batch(raw, out, "--force")
    assert "3 rendered, 0 unchanged" in r.stdout
    r = _batch(raw, out, "--lang", "en")  # other parameters: a new hash
    assert "3 rendered" in r.stdout


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
    raw, out = _raw(tmp_path, [f"p-{i}" for i in range(4)]), tmp_path / "out"
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
    for i in range(4):
        assert (out / f"p-{i}" / "report.html").exists()

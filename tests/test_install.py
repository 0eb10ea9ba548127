"""Installable (issue #13): the built wheel in a fresh venv, run from an empty folder with no
checkout on the path, writes the samples and renders their reports."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig

import pytest

from conftest import ROOT


@pytest.mark.e2e
def test_wheel_in_a_fresh_venv_renders_reports_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, capture_output=True)
    venv = tmp_path / "venv"
    # a venv without its own pip (ensurepip costs ~6 s of CPU), filled by the project's pip
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    whl = next(wheels.glob("evalkit-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index",
                    str(whl)], check=True)
    # the scientific stack comes from the project's venv; evalkit itself only from the wheel
    # (the editable install's finder is a .pth file, which PYTHONPATH entries do not run)
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"], "EVALKIT_KEY": "install-test-key"}
    work = tmp_path / "empty"
    work.mkdir()
    found = subprocess.run([str(py), "-c", "import evalkit, sys; print(evalkit.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(venv) in found and str(ROOT / "src") not in found
    evalkit_bin = str(venv / "bin" / "evalkit")
    subprocess.run([evalkit_bin, "samples", "raw"], cwd=work, env=env, check=True, capture_output=True)
    out = subprocess.run([evalkit_bin, "report", "raw/mot-2026-angkatan-1", "--out", "reports", "--lang", "en"],
                         cwd=work, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    rep = work / "reports" / "mot-2026-angkatan-1"
    assert (rep / "report.html").stat().st_size > 10_000
    assert json.loads((rep / "metrics.json").read_text())["level1"]["n_respondents"] > 0

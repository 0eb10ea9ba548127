"""Project set-up: pyproject.toml and environment.yml agree; the layout users expect exists."""
from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


CONDA_NAMES = {"python-zlib-ng": "zlib-ng"}  # conda-forge name -> PyPI name


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in py["dependencies"]} | {_name(r) for r in py["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {CONDA_NAMES.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted, f"only in environment.yml: {conda - wanted}; only in pyproject: {wanted - conda}"


def test_layout():
    for p in ["notebooks", "src/evalkit", "data/raw", "data/processed", "reports", "tests", "environment.yml",
              "pyproject.toml", "Makefile", "README.md", "CHANGELOG.md", "docs", "benchmarks", ".ci/run",
              "docs/program-format.md"]:
        assert (ROOT / p).exists(), p


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_quick_start_is_make_report_and_make_test():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    assert [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith("bash")] == [
        "make report", "make test"]


def test_packaged_notebooks_are_the_project_notebooks():
    """evalkit report and evalkit dashboard execute these; an installed wheel uses the copies
    inside the package (src/evalkit/notebooks/), a checkout its notebooks/: they must agree."""
    for name in ("program_report.ipynb", "institution_dashboard.ipynb", "workbench.ipynb"):
        packaged = ROOT / "src" / "evalkit" / "notebooks" / name
        assert packaged.read_bytes() == (ROOT / "notebooks" / name).read_bytes(), (
            f"copy notebooks/{name} to src/evalkit/notebooks/{name} (or back)")


def test_wheel_contains_templates_config_and_notebooks(tmp_path):
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "-q", "-w", str(tmp_path)], check=True, capture_output=True)
    whl = next(tmp_path.glob("evalkit-*.whl"))
    names = set(zipfile.ZipFile(whl).namelist())
    for need in ("evalkit/notebooks/program_report.ipynb", "evalkit/notebooks/institution_dashboard.ipynb",
                 "evalkit/config/translations.yaml", "evalkit/config/limits.yaml", "evalkit/config/verdict.yaml"):
        assert need in names, need
    assert any(n.startswith("evalkit/templates/") for n in names)

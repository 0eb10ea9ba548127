"""Project set-up: pyproject.toml and environment.yml agree; the layout users expect exists."""
from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in py["dependencies"]} | {_name(r) for r in py["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
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

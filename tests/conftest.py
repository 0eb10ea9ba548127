"""Shared fixtures. Tests never touch the project's own reports/ or data/processed/."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "programs" / "mini-program"
#: the sample program folders (data/raw/studies/ holds published figures, not programs)
PROGRAMS = sorted(p for p in RAW.iterdir() if (p / "program.yaml").exists())
REFERENCE = json.loads((Path(__file__).parent / "reference" / "reference.json").read_text())

# a fixed key for the tests' pseudonyms; never the project's own key
os.environ.setdefault("EVALKIT_KEY", "evalkit-test-key")


def tree_checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def mini_copy(tmp_path) -> Path:
    """A writable copy of the mini fixture program, as tmp/raw/mini-program."""
    dst = tmp_path / "raw" / "mini-program"
    shutil.copytree(MINI, dst)
    return dst


@pytest.fixture
def reference():
    return REFERENCE


#: Debian's chromium, driven by Playwright through its executable path (``make browser`` installs it)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_or_skip() -> str:
    """The chromium executable; skip the calling test module when it is missing, unless CI
    requires the browser tests (``EVALKIT_REQUIRE_BROWSER=1``: then a missing chromium fails)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if os.environ.get("EVALKIT_REQUIRE_BROWSER") == "1":
        raise RuntimeError("EVALKIT_REQUIRE_BROWSER=1 but Debian's chromium is not installed (make browser)")
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, one per test module (the module skips without it)."""
    from playwright.sync_api import sync_playwright

    exe = chromium_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()

"""Shared fixtures. Tests never touch the project's own reports/ or data/processed/."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

# pytest keeps each test module with its assertions rewritten in __pycache__, unless bytecode
# writing is off (PYTHONDONTWRITEBYTECODE, as on CI machines): then every worker of every run
# rewrites and compiles all ~50 test modules again (2–3 s of each worker's collection). This
# turns it back on for this process only, so the rewritten modules are cached as pytest does by
# default (gitignored); the processes the tests start keep the environment as it is.
sys.dont_write_bytecode = False

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "programs" / "mini-program"
#: the sample program folders (data/raw/studies/ holds published figures, not programs)
PROGRAMS = sorted(p for p in RAW.iterdir() if (p / "program.yaml").exists())
REFERENCE = json.loads((Path(__file__).parent / "reference" / "reference.json").read_text())

# a fixed key for the tests' pseudonyms; never the project's own key
os.environ.setdefault("EVALKIT_KEY", "evalkit-test-key")


#: the slowest test files, slowest first (seconds of work each, `--durations` of a full run,
#: 2026-12-02). With ``--dist loadfile --no-loadscope-reorder`` (``make test``) pytest-xdist hands
#: out whole files in collection order, one more each time a worker is free: long files first,
#: then the many short ones fill the gaps, so no long file starts last and runs alone at the end
#: (longest-processing-time-first scheduling). Files not listed keep their order, after these.
SLOW_FILES = ("test_batch.py",            # ~117 s: ten reports through `evalkit batch`
              "test_report_e2e.py",       # ~109 s: renders the sample reports (`sample_reports`)
              "test_install.py",          # ~30 s: a wheel in a fresh venv
              "test_workbench_browser.py",  # ~29 s
              "test_hostile_outputs.py",  # ~24 s
              "test_new.py",              # ~23 s
              "test_one_document.py",     # ~20 s (waits for `sample_reports`)
              "test_kernels.py",          # ~15 s
              "test_browser.py",          # ~14 s
              "test_figure_server.py",    # ~11 s
              "test_store.py", "test_messy_exports.py", "test_agree_share.py", "test_levels.py",
              # the two nbval notebooks (~5 s each: a kernel of their own) ran last, after every
              # short file, and left one worker alone for their last seconds
              "paper_template.ipynb", "program_report.ipynb", "test_factor_reference.py", "test_ingest.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


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


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """Every sample program rendered once per test run through the CLI, in Indonesian
    (``out/<program>``) and English (``out/en/<program>``), with the processed tables and the
    institution dashboard: ``(out, processed, checksums of data/raw/ before)``.

    Shared by the pytest-xdist workers of the run (the first to need it renders it under a
    file lock; the others wait for it), so that the read-only tests of several modules do not
    render the same eight reports again. Tests that change an output render their own."""
    import fcntl
    import subprocess
    import sys

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one run's folder
    shared = root / "sample-reports"
    done = shared / "DONE"
    with open(root / "sample-reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if shared.exists():
                shutil.rmtree(shared)
            out, processed = shared / "reports", shared / "processed"
            before = tree_checksums(RAW)
            evalkit = [sys.executable, "-m", "evalkit.cli"]
            # the two languages side by side (each its own process and kernels: the workers
            # waiting for this fixture would otherwise leave a core idle), each with its own
            # processed tables: the English run's are the ones returned (and the dashboard's),
            # the Indonesian run's lie beside them in processed-id/
            runs = [["report", RAW, "--out", out, "--processed", shared / "processed-id", "--format", "html,docx,xlsx"],
                    ["report", RAW, "--out", out / "en", "--lang", "en", "--processed", processed,
                     "--format", "html,docx,xlsx"]]
            procs = [subprocess.Popen([*evalkit, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, cwd=ROOT) for args in runs]
            for proc in procs:
                _, err = proc.communicate()
                assert proc.returncode == 0, err
            r = subprocess.run([*evalkit, "dashboard", "--processed", str(processed), "--ledger",
                                str(RAW / "institution" / "jp_ledger.csv"), "--out", str(out), "--lang", "en"],
                               capture_output=True, text=True, cwd=ROOT)
            assert r.returncode == 0, r.stderr
            (shared / "before.json").write_text(json.dumps(before))
            done.write_text("ok\n")
    return shared / "reports", shared / "processed", json.loads((shared / "before.json").read_text())

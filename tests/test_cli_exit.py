"""The ``evalkit`` command ends without the interpreter's shutdown, and loses nothing by it."""
from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = r"""
import atexit, sys, tempfile, threading, time, pathlib
from evalkit.cli import exit_now
marker = pathlib.Path(sys.argv[1])
folder = tempfile.TemporaryDirectory(prefix="evalkit-exit-")  # removed by its exit handler
(pathlib.Path(folder.name) / "x").write_text("x")
(marker.parent / "folder").write_text(folder.name)
atexit.register(lambda: marker.write_text("handlers ran"))
if sys.argv[2] == "thread":
    def late():
        time.sleep(0.3)
        (marker.parent / "thread").write_text("finished")
    threading.Thread(target=late).start()  # not a daemon: a normal exit waits for it
sys.stdout.write("no newline, still buffered")
sys.stderr.write("to stderr")
exit_now(int(sys.argv[3]))
"""


@pytest.mark.parametrize("status", [0, 3])
@pytest.mark.parametrize("thread", ["none", "thread"])
def test_exit_now_keeps_status_output_handlers_and_threads(tmp_path, status, thread):
    marker = tmp_path / "marker"
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(marker), thread, str(status)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == status
    assert r.stdout == "no newline, still buffered" and r.stderr == "to stderr"
    assert marker.read_text() == "handlers ran"
    from pathlib import Path

    assert not Path((tmp_path / "folder").read_text()).exists()  # the temporary folder is gone
    if thread == "thread":
        assert (tmp_path / "thread").read_text() == "finished"


def test_console_script_is_run():
    """The installed ``evalkit`` command calls :func:`evalkit.cli.run` (main, then exit_now)."""
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="console_scripts") if e.name == "evalkit"]
    assert ep.value == "evalkit.cli:run"

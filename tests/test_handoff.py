"""The program evalkit report validated is handed to the kernel only while its files are unchanged."""

import os
import shutil
from pathlib import Path

from evalkit.ingest.handoff import load_handoff, remove_handoff, write_handoff
from evalkit.ingest.program import load_program

MINI = Path(__file__).parent / "fixtures" / "programs" / "mini-program"


def test_handoff_is_used_while_unchanged_and_refused_after_a_change(tmp_path):
    folder = tmp_path / "mini-program"
    shutil.copytree(MINI, folder)
    program = load_program(folder)
    path, private = write_handoff(program, folder)
    try:
        assert oct(private.stat().st_mode & 0o777) == "0o700"
        got = load_handoff(path, folder)
        assert got is not None and got.program_id == program.program_id
        assert got.level2.equals(program.level2)
        assert load_handoff(path, MINI) is None  # another folder
        assert load_handoff(None, folder) is None
        f = next(p for p in sorted(folder.iterdir()) if p.suffix == ".csv")
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # same size, touched
        assert load_handoff(path, folder) is None
    finally:
        remove_handoff(private)
    assert not private.exists()
    assert load_handoff(path, folder) is None  # gone: read the folder again


def test_report_kernel_uses_the_handoff_and_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from evalkit.report.render import render_report

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    final = render_report(MINI, tmp_path / "out")
    nb = (final / "report.ipynb").read_text(encoding="utf-8")
    assert "handoff = " in nb
    assert not list((tmp_path / "tmp").glob("evalkit-handoff-*"))  # removed after the render
    assert not list(final.rglob("*.pickle"))

"""Uploads and renders for the workbench, kept apart from the widgets so they can be tested.

* :func:`check_upload` — size limit and file type of an uploaded export (an evalkit error
  with a plain message past the limit), its name sanitised;
* :func:`grid_from_bytes` — an uploaded export read in memory (uploads are written only into
  the new program folder, by :func:`evalkit.scaffold.new_program`);
* :class:`RenderJob` — ``evalkit report`` in a subprocess, with its progress read from the
  notebook papermill saves after every cell.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path


from ..errors import Problem, ValidationError
from ..scaffold.create import SUFFIXES, grid_from_bytes, sanitize_filename  # noqa: F401 (re-exported)
from .server import DEFAULT_UPLOAD_MB


def upload_limit_mb() -> float:
    """``EVALKIT_UPLOAD_LIMIT_MB`` or :data:`~evalkit.workbench.server.DEFAULT_UPLOAD_MB`."""
    try:
        return float(os.environ.get("EVALKIT_UPLOAD_LIMIT_MB", DEFAULT_UPLOAD_MB))
    except ValueError:
        return DEFAULT_UPLOAD_MB


def check_upload(name: str, size: int, limit_mb: float | None = None) -> str:
    """The sanitised file name of an upload, or a :class:`ValidationError` (too large, wrong type).

    Examples
    --------
    >>> check_upload("../Evaluasi (1).csv", 2048)
    'Evaluasi_1.csv'
    >>> check_upload("big.csv", 30 * 2**20, limit_mb=8)
    Traceback (most recent call last):
    ...
    evalkit.errors.ValidationError: file big.csv is 30.0 MB, over the upload limit of 8 MB
        How to fix: Upload a smaller file (e.g. only the sheet needed) or raise the limit with EVALKIT_UPLOAD_LIMIT_MB.
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    safe = sanitize_filename(name)
    if size > limit * 2**20:
        raise ValidationError(Problem("upload_too_large", params={"name": safe, "size": f"{size / 2**20:.1f}",
                                                                  "limit": f"{limit:g}"}))
    if Path(safe).suffix.lower() not in SUFFIXES:
        raise ValidationError(Problem("upload_bad_type", params={"name": safe}))
    return safe


def code_cells(notebook: Path) -> int:
    nb = json.loads(Path(notebook).read_text("utf-8"))
    return sum(1 for c in nb.get("cells", []) if c.get("cell_type") == "code")


def executed_cells(notebook: Path) -> int:
    """Code cells papermill has finished in a notebook it is writing (0 while unreadable)."""
    try:
        nb = json.loads(Path(notebook).read_text("utf-8"))
    except (OSError, ValueError):
        return 0
    done = 0
    for c in nb.get("cells", []):
        if c.get("cell_type") == "code":
            status = c.get("metadata", {}).get("papermill", {}).get("status")
            if status == "completed" or (status is None and c.get("execution_count")):
                done += 1
    return done


class RenderJob:
    """``evalkit report PROGRAM --out OUT --format html,docx,xlsx`` in a subprocess.

    ``progress`` (0–1) follows the executed cells of the notebook papermill is writing in the
    report's staging folder; ``done``, ``returncode`` and ``output`` (the command's text)
    tell how it ended. ``on_update`` is called from the job's thread at every change.
    """

    def __init__(self, program: Path, out: Path, *, lang: str | None = None, formats: str = "html,docx,xlsx",
                 on_update=None, poll: float = 0.5):
        self.program = Path(program)
        self.out = Path(out)
        self.lang = lang
        self.formats = formats
        self.on_update = on_update or (lambda job: None)
        self.poll = poll
        self.progress = 0.0
        self.stage = "start"
        self.done = False
        self.returncode: int | None = None
        self.output = ""
        self.started = time.monotonic()
        self._thread: threading.Thread | None = None
        from ..report.render import notebook_path

        try:
            self.total = max(code_cells(notebook_path()), 1)
        except OSError:
            self.total = 1

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "evalkit.cli", "report", str(self.program), "--out", str(self.out),
               "--format", self.formats]
        return cmd + (["--lang", self.lang] if self.lang else [])

    def start(self) -> RenderJob:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> RenderJob:
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report_dir(self) -> Path:
        return self.out / self.program.name

    def _staging_notebook(self) -> Path | None:
        found = sorted(self.out.glob(f".{self.program.name}.*.partial/report.ipynb"),
                       key=lambda p: p.stat().st_mtime if p.exists() else 0)
        return found[-1] if found else None

    def _run(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=os.getcwd())
        chunks: list[str] = []
        reader = threading.Thread(target=lambda: chunks.extend(proc.stdout), daemon=True)
        reader.start()
        self.stage = "validate"
        self.on_update(self)
        while proc.poll() is None:
            nb = self._staging_notebook()
            if nb is not None:
                self.stage = "execute"
                self.progress = min(executed_cells(nb) / self.total, 0.99)
            self.on_update(self)
            time.sleep(self.poll)
        reader.join(5)
        self.output = "".join(chunks)
        self.returncode = proc.returncode
        self.progress = 1.0 if proc.returncode == 0 else self.progress
        self.stage = "done" if proc.returncode == 0 else "failed"
        self.done = True
        self.on_update(self)

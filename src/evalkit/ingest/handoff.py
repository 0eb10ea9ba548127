"""Hand a validated program from ``evalkit report`` to the notebook's kernel.

``evalkit report`` reads and validates the program before it starts a kernel (so that a bad
file is an error before anything runs); the report notebook then needs the same
:class:`~evalkit.ingest.program.ProgramData`. Reading it twice cost about a second per report.
The parent writes the object it validated to a private temporary folder (``0700``) and passes
the file to the notebook as its ``handoff`` parameter; the kernel uses it only if

* the file names the same program folder, and
* every file of that folder still has the size and modification time it had when the parent
  read it, and the evalkit version is the same,

otherwise the kernel reads the folder again (:func:`load_handoff` returns ``None``). The file
lives only while the report renders and never in ``reports/`` or ``data/processed/``. It is a
pickle, so it is loaded only from the path the caller passes explicitly (never looked up).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path

from .. import atomic


def _fingerprint(folder: Path) -> tuple:
    """(evalkit version, folder, every file's relative path, size and mtime), sorted."""
    from .. import __version__

    files = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            files.append((str(p.relative_to(folder)), st.st_size, st.st_mtime_ns))
    return (__version__, str(folder), tuple(files))


def write_handoff(program, folder) -> tuple[Path, Path]:
    """Write ``program`` for the kernel; returns ``(file, private_dir)`` (remove the dir after)."""
    private = Path(tempfile.mkdtemp(prefix="evalkit-handoff-"))  # mode 0700
    path = private / "program.pickle"
    payload = {"fingerprint": _fingerprint(Path(folder).resolve()), "program": program}
    atomic.write_bytes(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    return path, private


def load_handoff(path, folder):
    """The handed-off program if it is still that of ``folder``, else ``None``."""
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(payload, dict) or payload.get("fingerprint") != _fingerprint(Path(folder).resolve()):
        return None
    return payload.get("program")


def remove_handoff(private_dir) -> None:
    shutil.rmtree(private_dir, ignore_errors=True)

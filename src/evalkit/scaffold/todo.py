"""The ``# TODO`` lines that ``evalkit new`` leaves in ``program.yaml`` for a person to decide.

:func:`find_todos` returns one :class:`~evalkit.errors.Problem` (``todo_left``) per TODO line,
with the line number as its row, so that ``evalkit validate`` can list them beside the
loader's problems.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem

TODO_RE = re.compile(r"#\s*TODO\b[:\s]*(.*)$")


def find_todos(program: str | Path) -> list[Problem]:
    """TODO comments of ``program.yaml`` (a program folder or the file itself).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "program.yaml").write_text("name: x\\n# TODO: the institution\\ninstitution: TODO\\n")
    >>> [(p.key, p.row, p.params["text"]) for p in find_todos(d)]
    [('todo_left', 2, 'the institution')]
    """
    path = Path(program)
    if path.is_dir():
        path = path / "program.yaml"
    if not path.is_file():
        return []
    out = []
    for i, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        m = TODO_RE.search(line)
        if m and not _inside_string(line, m.start()):
            out.append(Problem("todo_left", file=path.name, row=i, params={"text": m.group(1).strip() or "TODO"}))
    return out


def _inside_string(line: str, pos: int) -> bool:
    """Whether position ``pos`` is inside a quoted YAML scalar (a '#' in a question's text)."""
    quote = None
    i = 0
    while i < pos:
        ch = line[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if quote is None and ch in "\"'":
            quote = ch
        elif ch == quote:
            quote = None
        i += 1
    return quote is not None

"""A program folder is a sandbox; its files are checked against limits before they are read.

Program folders and exports come from many hands, so ingest treats them as untrusted:

* :func:`safe_file` resolves a path named in ``program.yaml`` and refuses anything that
  leaves the program folder, any symbolic link on the way (file or sub-folder, also
  ``program.yaml`` itself) and anything that is not a regular file (``/dev/zero``, a FIFO).
* :func:`check_file_size`, :func:`check_csv_header` and :func:`check_xlsx` apply the limits
  of ``config/limits.yaml`` *before* a parser sees the file: size on disk, number of columns
  of a CSV, the real extent of every XLSX sheet (cells and declared ``<dimension>``) and its
  unpacked size (zip bombs). :func:`check_yaml_text` bounds ``program.yaml``'s size, nesting
  and aliases so that the YAML parser cannot recurse or expand without bound.

Every refusal is a :class:`~evalkit.errors.ValidationError` naming the file and the limit,
with the environment variable that raises it (``EVALKIT_LIMIT_<NAME>``).
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

from .._config import load_config
from ..errors import Problem, ValidationError


def limit(name: str) -> float:
    """The limit ``name`` of ``config/limits.yaml``, or ``EVALKIT_LIMIT_<NAME>`` if set."""
    env = os.environ.get(f"EVALKIT_LIMIT_{name.upper()}")
    if env:
        try:
            return float(env)
        except ValueError:
            pass
    return float(load_config("limits")[name])


def _too_big(rel: str, name: str, value, lim) -> ValidationError:
    return ValidationError(Problem("limit_exceeded", file=rel, params={
        "what": name, "value": f"{value:,.0f}" if isinstance(value, (int, float)) else str(value),
        "limit": f"{lim:,.0f}", "env": f"EVALKIT_LIMIT_{name.upper()}"}))


def safe_file(folder: Path, rel: str) -> Path:
    """The file ``rel`` inside ``folder``, checked: no component is a symbolic link, the
    resolved path stays inside the folder, and it is a regular file.

    Raises
    ------
    ValidationError
        ``missing_file``, ``outside_folder`` (a symlink, ``..`` or an absolute path) or
        ``not_regular_file``.
    """
    base = Path(folder).resolve()
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts:
        raise ValidationError(Problem("outside_folder", file=rel))
    cur = base
    for part in p.parts:
        cur = cur / part
        if cur.is_symlink():
            raise ValidationError(Problem("outside_folder", file=rel))
    try:
        st = os.stat(cur, follow_symlinks=False)
    except FileNotFoundError:
        raise ValidationError(Problem("missing_file", file=rel)) from None
    except OSError as exc:
        raise ValidationError(Problem("not_regular_file", file=rel, params={"detail": exc.strerror or ""})) from None
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(Problem("not_regular_file", file=rel, params={"detail": ""}))
    resolved = cur.resolve()
    if base not in resolved.parents:
        raise ValidationError(Problem("outside_folder", file=rel))
    return resolved


def check_file_size(path: Path, rel: str) -> int:
    size = path.stat().st_size
    lim = limit("max_file_mb") * 1024 * 1024
    if size > lim:
        raise _too_big(rel, "max_file_mb", size / 1024 / 1024, limit("max_file_mb"))
    return size


def check_csv_header(path: Path, rel: str) -> None:
    """The header line must end within ``max_header_kb`` and hold at most ``max_columns``
    fields (counted by the most frequent delimiter, quotes ignored)."""
    cap = int(limit("max_header_kb") * 1024)
    with open(path, "rb") as fh:
        head = fh.read(cap + 1)
    first = head.split(b"\n", 1)[0]
    fields = 1 + max(first.count(d) for d in (b",", b";", b"\t", b"|"))
    if fields > limit("max_columns"):
        raise _too_big(rel, "max_columns", fields if len(first) <= cap else f"> {fields:,}", limit("max_columns"))
    if len(first) > cap:
        raise _too_big(rel, "max_header_kb", f"> {cap // 1024:,}", limit("max_header_kb"))


_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')
_DIM = re.compile(rb'<dimension\b[^>]*\bref="(?:[A-Z]+\d+:)?([A-Z]{1,3})(\d+)"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_xlsx(path: Path, rel: str) -> None:
    """Refuse an XLSX whose parts unpack beyond ``xlsx_max_uncompressed_mb`` or with a
    compression ratio above ``xlsx_max_ratio``, or a sheet whose cells (or declared
    dimension) reach beyond ``max_rows`` × ``max_columns``. The sheets are scanned as bytes,
    so the check costs one pass over the unpacked XML and no spreadsheet parser."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(Problem("unreadable_xlsx", file=rel, params={"detail": str(exc) or "not a zip file"})) from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        lim_mb = limit("xlsx_max_uncompressed_mb")
        if total > lim_mb * 1024 * 1024:
            raise _too_big(rel, "xlsx_max_uncompressed_mb", total / 1024 / 1024, lim_mb)
        ratio = limit("xlsx_max_ratio")
        for i in infos:
            if i.file_size > 1024 * 1024 and i.file_size > ratio * max(i.compress_size, 1):
                raise _too_big(rel, "xlsx_max_ratio", i.file_size / max(i.compress_size, 1), ratio)
        max_rows, max_cols = limit("max_rows"), limit("max_columns")
        for i in infos:
            if not (i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")):
                continue
            rows = cols = 0
            tail = b""
            with zf.open(i) as fh:
                while chunk := fh.read(1 << 20):
                    buf = tail + chunk
                    for rx in (_DIM, _REF):
                        for m in rx.finditer(buf):
                            cols = max(cols, _col_number(m.group(1)))
                            rows = max(rows, int(m.group(2)))
                    tail = buf[-64:]
                    if rows > max_rows + 1 or cols > max_cols:
                        break
            if rows > max_rows + 1:
                raise _too_big(rel, "max_rows", rows, max_rows)
            if cols > max_cols:
                raise _too_big(rel, "max_columns", cols, max_cols)


def check_yaml_text(text: str, rel: str) -> None:
    """``program.yaml`` within ``yaml_max_kb``, ``yaml_max_depth`` and ``yaml_max_aliases``,
    checked on the parser's event stream (which does not recurse) before it is composed."""
    import yaml

    if len(text.encode("utf-8", "ignore")) > limit("yaml_max_kb") * 1024:
        raise _too_big(rel, "yaml_max_kb", len(text) / 1024, limit("yaml_max_kb"))
    depth = aliases = 0
    max_depth, max_aliases = limit("yaml_max_depth"), limit("yaml_max_aliases")
    # libyaml's parser where PyYAML has it (the same events, several times faster); a
    # document it rejects is parsed again by PyYAML's own, whose error the user then reads
    try:
        events = list(yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError:
        events = yaml.parse(text, Loader=yaml.SafeLoader)
    for ev in events:
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                raise _too_big(rel, "yaml_max_depth", depth, max_depth)
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(ev, yaml.AliasEvent):
            aliases += 1
            if aliases > max_aliases:
                raise _too_big(rel, "yaml_max_aliases", aliases, max_aliases)

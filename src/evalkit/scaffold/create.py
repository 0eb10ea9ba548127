"""``evalkit new``: a new program folder from the exports, with an inferred ``program.yaml``.

The exports are copied (never moved, never overwriting anything) into a folder that must not
exist yet or be empty; the folder is assembled beside its final place and renamed into it, so
a failure leaves nothing half-written. On a terminal the uncertain choices are asked; with
``yes=True`` (``--yes``) or without a terminal the inferences are taken as they are.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from ..i18n import t
from ..ingest.readers import _encoding, _sniff_delimiter
from ..ingest.spec import check_program_id
from .infer import Plan, candidate_label_sets, ev_text, infer_program
from .todo import find_todos
from .writer import render_program_yaml

ROLES = ("level1", "level2", "level3", "costs", "level4")
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".sav")


def sanitize_filename(name: str, *, default: str = "data.csv") -> str:
    """A safe file name for an uploaded or copied export: no folders, ASCII letters, digits,
    ``.``, ``-`` and ``_`` only, at most 80 characters, a known suffix kept in lower case.

    Examples
    --------
    >>> sanitize_filename("../../Evaluasi Penyelenggaraan (Jawaban).CSV")
    'Evaluasi_Penyelenggaraan_Jawaban.csv'
    >>> sanitize_filename("..")
    'data.csv'
    """
    base = str(name).replace("\\", "/").split("/")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base.lstrip("."), ""
    suffix = "." + suffix.lower() if suffix else ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:70]
    if not stem:
        return default
    if suffix not in SUFFIXES:
        suffix = re.sub(r"[^a-z0-9.]", "", suffix)[:8]
    return stem + suffix


@dataclass
class NewProgram:
    """What :func:`new_program` did: the folder, the plan, the validation result."""

    folder: Path
    plan: Plan
    copied: dict[str, str] = field(default_factory=dict)     # source → file in the folder
    problems: list[Problem] = field(default_factory=list)   # from load_program (empty: valid)
    todos: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)          # roles loaded
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_new_folder(folder: Path) -> Path:
    """The folder for a new program: a valid program id whose folder is absent or empty."""
    folder = Path(folder)
    check_program_id(folder.name)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ValidationError(Problem("program_exists", file=str(folder)))
    return folder


def destination_names(inputs: dict[str, Path]) -> dict[str, str]:
    """``{role: file name in the program folder}``: sanitised, a role prefix on a clash."""
    names: dict[str, str] = {}
    for role, src in inputs.items():
        name = sanitize_filename(Path(src).name)
        if name in names.values() or name == "program.yaml":
            name = f"{role}_{name}"
        names[role] = name
    return names


def plan_program(folder: Path, inputs: dict[str, str | Path], meta: dict | None = None, *,
                 lang: str = "id") -> Plan:
    """Infer the plan for a new program (nothing is written)."""
    folder = check_new_folder(Path(folder))
    files = {}
    for role, p in inputs.items():
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if p is None:
            continue
        p = Path(p)
        if not p.is_file():
            raise ValidationError(Problem("input_not_found", file=str(p), params={"role": role}))
        files[role] = p
    meta = {k: v for k, v in (meta or {}).items() if v not in (None, "")}
    return infer_program(folder.name, files, meta, names=destination_names(files), lang=lang)


def confirm(plan: Plan, ask: Callable[[str], str]) -> Plan:
    """Ask about the uncertain choices of ``plan`` (``ask`` is :func:`input` on a terminal):
    missing name and institution, an uncertain label set, items placed in a scale by position,
    and every reverse-keyed candidate (confirmed ones are written under ``reverse:``)."""
    lang = plan.lang
    for key in ("name", "institution"):
        if not plan.meta.get(key):
            ans = ask(t("scaffold.ask_meta", lang, what=t(f"scaffold.what_{key}", lang))).strip()
            if ans:
                plan.meta[key] = ans
    l1 = plan.level1
    if l1 is None:
        return plan
    if l1.labels and l1.labels_uncertain:
        sets = candidate_label_sets()
        ans = ask(t("scaffold.ask_label_set", lang, name=l1.labels, evidence=ev_text(l1.labels_evidence, lang),
                    choices=", ".join(sets))).strip()
        if ans in sets and ans != l1.labels:
            from ..ingest.spec import builtin_label_sets

            l1.labels = ans
            l1.label_map = None if ans in builtin_label_sets() else dict(sets[ans])
            vals = sets[ans].values()
            l1.scale_range = (int(min(vals)), int(max(vals)))
        l1.labels_uncertain = False
    for col in l1.by_role("item"):
        if col.uncertain:
            ans = ask(t("scaffold.ask_scale", lang, text=col.header, scale=col.scale)).strip()
            if ans:
                from .infer import slug

                col.scale = slug(ans)
                plan.scale_labels.setdefault(col.scale, {"id": ans, "en": ans})
            col.uncertain = False
    renumber(plan)
    for col in l1.by_role("item"):
        if col.reverse_reason:
            why = ", ".join(ev_text(r, lang) for r in col.reverse_reason)
            ans = ask(t("scaffold.ask_reverse", lang, item=col.item, text=col.header, why=why)).strip().lower()
            col.reverse_confirmed = ans in ("y", "ya", "yes", "j")
            col.reverse_declined = not col.reverse_confirmed
    return plan


def renumber(plan: Plan) -> None:
    """Item ids ``<scale>_<n>`` again after scales were changed (order of the form)."""
    if plan.level1 is None:
        return
    counters: dict[str, int] = {}
    for col in plan.level1.by_role("item"):
        counters[col.scale] = counters.get(col.scale, 0) + 1
        col.item = f"{col.scale}_{counters[col.scale]}"


def _copy_export(src: Path | bytes, dst: Path, header_row: int) -> str | None:
    """Copy one export (a file, or an upload's bytes) to ``dst``, never overwriting; a CSV with
    title rows above its header is written from the header on (the title rows are not data),
    with the untouched original beside it. Returns the original's name when one was kept."""
    with open(dst, "xb") as fout:
        if isinstance(src, (bytes, bytearray)):
            fout.write(src)
        else:
            with open(src, "rb") as fin:
                shutil.copyfileobj(fin, fout)
    if header_row <= 1 or dst.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    original = dst.with_name(dst.stem + ".original" + dst.suffix)
    os.rename(dst, original)
    enc = _encoding(original)
    text = original.read_text(enc)
    delim = "\t" if dst.suffix.lower() == ".tsv" else _sniff_delimiter(text[:20000])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delim, lineterminator="\n").writerows(rows[header_row - 1:])
    with open(dst, "x", encoding="utf-8", newline="") as fout:
        fout.write(buf.getvalue())
    return original.name


def grid_from_bytes(name: str, content: bytes) -> pd.DataFrame:
    """An uploaded export as :func:`evalkit.scaffold.infer.read_grid` reads a file, from memory."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from ..ingest.readers import _cell_text
        from ..ingest.safety import check_xlsx

        check_xlsx(io.BytesIO(content), name)  # unpacked size and sheet extent before parsing

        grid = pd.read_excel(io.BytesIO(content), header=None, dtype=object).map(_cell_text)
    else:
        from ..ingest.readers import _sniff_delimiter

        for enc in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = content.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        delim = "\t" if suffix == ".tsv" else _sniff_delimiter(text[:20000])
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return grid.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v))
                    else (str(v).strip() or np.nan))


def plan_uploads(folder: Path, uploads: dict[str, tuple[str, bytes]], meta: dict | None = None, *,
                 lang: str = "id") -> Plan:
    """The plan for uploaded exports ``{role: (file name, content)}``, read in memory (the
    workbench: nothing is written before :func:`new_program` creates the folder)."""
    folder = check_new_folder(Path(folder))
    names = destination_names({r: Path(sanitize_filename(n)) for r, (n, _) in uploads.items()})
    grids = {r: grid_from_bytes(names[r], c) for r, (_, c) in uploads.items()}
    meta = {k: v for k, v in (meta or {}).items() if v not in (None, "")}
    return infer_program(folder.name, {r: Path(names[r]) for r in uploads}, meta, names=names, lang=lang,
                         grids=grids)


def new_program(folder: str | Path, inputs: dict[str, str | Path] | None = None, meta: dict | None = None, *,
                plan: Plan | None = None, yes: bool = True, ask: Callable[[str], str] | None = None,
                lang: str = "id", contents: dict[str, bytes] | None = None) -> NewProgram:
    """Create ``folder`` (``data/raw/<program-id>``) from the exports and validate it.

    Parameters
    ----------
    folder : path
        The new program folder; it must not exist or must be empty (nothing is overwritten).
    inputs : dict
        ``{role: path}``, roles ``level1``, ``level2``, ``costs``, ``level4``.
    meta : dict, optional
        ``name``, ``institution``, ``cohort``, ``jp`` …
    plan : Plan, optional
        A plan already inferred (and perhaps edited, as the workbench's mapping form does);
        ``inputs`` then only says where the files are.
    yes : bool
        Take the inferences without asking (``--yes``; also when there is no terminal).
    ask : callable, optional
        Asks a question and returns the answer (default :func:`input`), used when ``yes`` is False.
    lang : {"id", "en"}
        Language of the comments in program.yaml and of ``language:``.
    contents : dict, optional
        ``{role: bytes}`` of uploaded exports (with ``plan`` from :func:`plan_uploads`).

    Returns
    -------
    NewProgram
        ``problems`` empty when ``evalkit validate`` accepts the folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.datasets import sample_program
    >>> src = sample_program("pkp-2026-angkatan-1")
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> res = new_program(root / "demo-2026", {"level1": src / "evaluasi_penyelenggaraan.csv",
    ...                   "level2": src / "nilai_tes.csv"}, {"name": "Demo", "institution": "BPSDM"})
    >>> res.ok, sorted(res.inputs)
    (True, ['level1', 'level2'])
    """
    folder = Path(folder)
    inputs = {r: Path(p) for r, p in (inputs or {}).items() if p is not None}
    if plan is None:
        plan = plan_program(folder, inputs, meta, lang=lang)
    else:
        check_new_folder(folder)
        if meta:
            plan.meta.update({k: v for k, v in meta.items() if v not in (None, "")})
    if not yes:
        confirm(plan, ask or input)
    result = NewProgram(folder=folder, plan=plan)
    text = render_program_yaml(plan)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".new", dir=folder.parent))
    try:
        for role, fp in plan.files.items():
            src = (contents or {}).get(role)
            src = Path(inputs.get(role, fp.source)) if src is None else src
            original = _copy_export(src, stage / fp.file, fp.header_row)
            label = fp.source.name if isinstance(src, (bytes, bytearray)) else str(src)
            result.copied[label] = fp.file
            result.messages.append(t("scaffold.copied", lang, src=label, dst=folder / fp.file))
            if original:
                result.messages.append(t("scaffold.title_stripped", lang, file=fp.file, n=fp.header_row - 1,
                                         original=original))
        with open(stage / "program.yaml", "x", encoding="utf-8") as f:
            f.write(text)
        os.chmod(stage, 0o755)
        check_new_folder(folder)  # still absent or empty (another process may have been quicker)
        if folder.exists():
            folder.rmdir()  # empty: replaced by the assembled folder
        os.rename(stage, folder)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    result.messages.append(t("scaffold.wrote", lang, path=folder / "program.yaml"))
    pending = [c.item for c in (plan.level1.by_role("item") if plan.level1 else [])
               if c.reverse_reason and not c.reverse_confirmed and not c.reverse_declined]
    if pending:
        result.messages.append(t("scaffold.reverse_pending", lang, n=len(pending), items=", ".join(pending)))
    validate_new(result)
    return result


def validate_new(result: NewProgram) -> NewProgram:
    """Run the loader over the new folder (as ``evalkit validate`` does) and list the TODOs."""
    from ..errors import EvalkitError
    from ..ingest import load_program

    try:
        data = load_program(result.folder)
        result.inputs = sorted(data.inputs)
        result.inputs = [r for r in ("roster", "level1", "instructors", "level2", "level3", "level4", "costs",
                                     "level5") if getattr(data, r, None) is not None]
        result.problems = []
    except EvalkitError as exc:
        result.problems = list(exc.problems)
    result.todos = find_todos(result.folder)
    return result

"""Load one program folder: validate everything, pseudonymize, return typed tables."""
from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..errors import Problem, ValidationError
from . import validate as V
from .cleaning import clean_cells, drop_total_rows, forget, missing_codes, total_rows
from .linkage import dedupe, find_timestamp, linkage_summary, resolve_lossy
from .privacy import Masker
from .pseudonymize import get_key, prefetch_pseudonyms, pseudonym, pseudonymize_series
from .readers import Table, read_table, release_arrow_memory
from .safety import safe_file
from .spec import ProgramSpec, check_program_id, parse_spec

LEVEL4_COLUMNS = ["indicator", "unit", "direction", "baseline", "target", "realisation"]
LOGIC_LEVELS = ("input", "activity", "output", "outcome", "impact")
LOGIC_ALIASES = {"masukan": "input", "kegiatan": "activity", "keluaran": "output", "hasil": "outcome",
                 "dampak": "impact", "activities": "activity", "inputs": "input", "outputs": "output",
                 "outcomes": "outcome"}
DIRECTIONS = {"higher": "higher", "naik": "higher", "lebih tinggi": "higher", "up": "higher",
              "lower": "lower", "turun": "lower", "lebih rendah": "lower", "down": "lower"}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class ProgramData:
    """A validated, pseudonymized program, ready for :mod:`evalkit.stats`.

    Attributes
    ----------
    program_id : str
        The folder name.
    spec : ProgramSpec
        The parsed ``program.yaml``.
    inputs : dict
        ``{file relative to the program folder: SHA-256}`` of every input read.
    level1 : DataFrame or None
        One row per respondent: ``respondent``, ``participant`` (pseudonym or missing),
        then one float column per item of the Level 1 instrument (raw scores, before
        any reverse keying).
    level1_comments : DataFrame or None
        ``respondent, question, comment`` with NIPs and roster names masked.
    level2 : DataFrame or None
        ``participant, pre, post`` (scores; missing where a test was not taken).
    level3 : DataFrame or None
        ``participant, rater, time`` then one float column per item.
    level4 : DataFrame or None
        ``indicator, unit, direction, baseline, target, realisation`` and any extra columns.
    costs : DataFrame or None
        ``item, category, amount`` and any extra columns (``mode``, ``unit_cost``, ``quantity``).
    assessment : DataFrame or None
        ``participant, stage, module, attempt, score`` (one row per exam attempt).
    test_items : DataFrame or None
        ``participant`` and one 0/1 column per test item (scored with the answer key;
        an unanswered item scores 0).
    roster : DataFrame or None
        ``participant`` and the roster's non-personal columns.
    """

    program_id: str
    folder: Path
    spec: ProgramSpec
    inputs: dict[str, str] = field(default_factory=dict)
    roster: pd.DataFrame | None = None
    level1: pd.DataFrame | None = None
    level1_comments: pd.DataFrame | None = None
    instructors: pd.DataFrame | None = None
    level2: pd.DataFrame | None = None
    level3: pd.DataFrame | None = None
    level4: pd.DataFrame | None = None
    costs: pd.DataFrame | None = None
    costs_alternative: pd.DataFrame | None = None
    assessment: pd.DataFrame | None = None
    test_items: pd.DataFrame | None = None
    level5: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    #: what the named input rules did (:class:`~evalkit.errors.Problem` of severity
    #: ``warning`` or ``info``): resubmissions dropped, total rows excluded, ids linked by name …
    warnings: list[Problem] = field(default_factory=list)
    #: cells taken as missing: ``file, column, code, n``
    missing: pd.DataFrame | None = None
    #: one row per joined pair of files (:func:`evalkit.ingest.linkage.linkage_summary`)
    linkage: pd.DataFrame | None = None

    TABLES = ("roster", "level1", "level1_comments", "instructors", "level2", "level3", "level4", "costs",
              "costs_alternative", "assessment", "test_items", "level5")

    def roster_size(self) -> int | None:
        """Participants: ``participants`` in program.yaml, else the roster's rows."""
        return self.spec.participants or (len(self.roster) if self.roster is not None else None)

    def participant_flow(self) -> dict[str, int | None]:
        """Participants at each step: ``enrolled`` (roster or ``participants``), ``survey``
        (Level 1 responses kept), ``pre``, ``post`` (scores present) and ``pairs`` (both)."""
        l2 = self.level2
        return {
            "enrolled": self.roster_size(),
            "survey": None if self.level1 is None else int(len(self.level1)),
            "pre": None if l2 is None else int(l2["pre"].notna().sum()),
            "post": None if l2 is None else int(l2["post"].notna().sum()),
            "pairs": None if l2 is None else int((l2["pre"].notna() & l2["post"].notna()).sum()),
        }

    def levels_measured(self) -> dict[int, bool]:
        return {1: self.level1 is not None, 2: self.level2 is not None,
                3: self.level3 is not None, 4: self.level4 is not None}

    def program_row(self) -> pd.DataFrame:
        """One row describing the program (``program.parquet``): ``program_id, name,
        institution, cohort, year, start_date, end_date, jp, delivery_mode, participants``
        (participants: :meth:`roster_size`)."""
        s = self.spec
        n = self.roster_size()
        return pd.DataFrame([{
            "program_id": self.program_id, "name": s.name, "institution": s.institution, "cohort": s.cohort,
            "year": s.year if s.year is not None else (s.start_date.year if s.start_date else None),
            "start_date": s.start_date, "end_date": s.end_date, "jp": s.jp, "delivery_mode": s.delivery_mode,
            "participants": n}]).astype({"year": "Int64", "participants": "Int64", "jp": "float64"})

    def write_processed(self, out_dir: Path) -> Path:
        """Write the tidy, pseudonymized tables to ``out_dir/<program_id>/`` as Parquet,
        with ``program.parquet`` (:meth:`program_row`) and ``program.json`` (the spec and the
        input checksums). Each file is written atomically. Cross-program questions are asked
        of these files through :func:`evalkit.store.connect`."""
        out = Path(out_dir) / check_program_id(self.program_id)
        out.mkdir(parents=True, exist_ok=True)
        for name in self.TABLES:
            df = getattr(self, name)
            if df is None:
                (out / f"{name}.parquet").unlink(missing_ok=True)
                continue
            with atomic.atomic_path(out / f"{name}.parquet") as tmp:
                df.to_parquet(tmp, index=False)
        with atomic.atomic_path(out / "program.parquet") as tmp:
            self.program_row().to_parquet(tmp, index=False)
        meta = {"program_id": self.program_id, "spec": self.spec.model_dump(mode="json"),
                "inputs": self.inputs, "notes": self.notes,
                "warnings": [{"key": w.key, "severity": w.severity, "file": w.file, "column": w.column, "row": w.row,
                              "params": {k: str(v) for k, v in w.params.items()}} for w in self.warnings],
                "linkage": [] if self.linkage is None else self.linkage.to_dict("records"),
                "participant_flow": self.participant_flow()}
        atomic.write_text(out / "program.json", json.dumps(meta, indent=2, ensure_ascii=False))
        return out


def find_programs(path: Path) -> list[Path]:
    """``path`` itself if it holds ``program.yaml``, else its sub-folders that do (sorted)."""
    path = Path(path)
    if (path / "program.yaml").exists():
        return [path]
    if not path.is_dir():
        raise ValidationError(Problem("not_a_program_folder", file=str(path)))
    found = sorted(p for p in path.iterdir() if p.is_dir() and (p / "program.yaml").exists())
    if not found:
        raise ValidationError(Problem("no_programs", file=str(path)))
    return found


def load_program(folder: str | Path) -> ProgramData:
    """Validate a program folder and return its pseudonymized tables.

    Every file named in ``program.yaml`` is read and checked; all problems of the
    folder are collected and raised together as one :class:`~evalkit.errors.ValidationError`
    naming file, column and row. Nothing is written anywhere.

    Parameters
    ----------
    folder : path
        ``data/raw/<program-id>/``.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> prog = load_program(sample_program("pkp-2026-angkatan-1"))
    >>> list(prog.level2.columns)
    ['participant', 'pre', 'post']
    """
    folder = Path(folder)
    pid = check_program_id(folder.name)
    if not folder.is_dir():
        raise ValidationError(Problem("not_a_program_folder", file=str(folder)))
    spec = parse_spec(folder / "program.yaml")
    data = ProgramData(pid, folder, spec)
    # the input manifest's SHA-256 of each file, on a second thread while the files are read and
    # checked (hashlib releases the GIL over large buffers: 0.24 s of a 313 MB file off the path)
    hasher = ThreadPoolExecutor(max_workers=1)
    started: list = []  # HMAC jobs of large id columns (prefetch_pseudonyms)
    try:
        digests = {"program.yaml": hasher.submit(sha256, folder / "program.yaml")}
        _load_tables(folder, spec, data, hasher, digests, started)
        for name, job in digests.items():  # in the order the files are named
            data.inputs[name] = job.result()
    finally:
        hasher.shutdown(wait=True, cancel_futures=True)
        for _, job in started:  # a job never asked for (an error stopped ingest) stops its process now
            job.close()
    return data


def _load_tables(folder: Path, spec, data: ProgramData, hasher, digests: dict, started: list) -> None:
    key = get_key(folder)
    problems: list[Problem] = []
    notices: list[Problem] = []
    missing_rows: list[dict] = []
    tables: dict[str, Table] = {}
    for role, fs in spec.file_specs().items():
        expected = [fs.id_column] if fs.id_column else None
        try:
            path = safe_file(folder, fs.file)
            table = read_table(path, fs.file, sheet=fs.sheet, expected=expected, answers=_answer_headers(spec, fs))
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if fs.file not in digests:  # a file two roles read is hashed once
            digests[fs.file] = hasher.submit(sha256, path)
        table.decimal = fs.decimal
        if fs.id_column and fs.id_column in table.df.columns:  # a large id column's HMACs start now
            job = prefetch_pseudonyms(table.df[fs.id_column], key, table.encodings)
            if job is not None:
                table.prefetched[fs.id_column] = job
                started.append(job)
        tables[role] = _clean(spec, role, fs, table, notices, missing_rows)  # keeps the jobs (Table.take)
    linked = _link_ids(spec, tables, problems, notices)
    names: set[str] = set()
    for role, table in tables.items():
        for c in name_columns(getattr(spec, role), table):
            if c in table.df.columns:
                names |= {str(v).strip() for v in table.df[c].dropna()}
    other_ids: set[str] = set()  # identifiers that are not NIP-shaped (e.g. "P-017") are masked verbatim
    for role, table in tables.items():
        col = getattr(spec, role).id_column
        if col and col in table.df.columns:
            vals = table.df[col].dropna().astype(str)
            vals = vals[~vals.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)]  # plain NIPs: digits
            other_ids |= {v for v in vals if not v.isdigit() and len(v) >= 4}
    masker = Masker(names, other_ids)
    checkers = {"roster": _roster, "level1": _level1, "instructors": _instructors, "level2": _level2,
                "level3": _level3, "level4": _level4, "costs": _costs, "costs_alternative": _costs,
                "assessment": _assessment, "test_items": _test_items, "level5": _level5}
    for role in list(tables):
        table = tables.pop(role)  # each file's text is released once its checker is done with it
        result = checkers[role](spec, getattr(spec, role), table, problems, key, masker)
        del table
        release_arrow_memory()
        if isinstance(result, tuple):
            result, data.level1_comments = result
        setattr(data, role, result)
    if problems:
        raise ValidationError(problems)
    for name in ProgramData.TABLES:  # personal data out of every free-text cell
        df = getattr(data, name)
        if df is not None and name != "level1_comments":
            keep = {"participant", "respondent", "instructor"}
            setattr(data, name, masker.frame(df, [c for c in df.columns if c not in keep]))
    data.spec = _mask_spec(spec, masker)
    data.warnings = notices
    data.missing = pd.DataFrame(missing_rows, columns=["file", "column", "code", "n"])
    data.linkage = _linkage(data, spec, key, linked)
    _cross_checks(data)


_NAME_HEADER = re.compile(r"^(nama|name|nama lengkap|nama peserta|nama pegawai|nama asn|full name|"
                          r"nama alumni|nama atasan|atasan langsung|nama penilai)$")


#: a file section's columns that identify a row rather than answer a question
_KEY_COLUMNS = ("id_column", "rater_column", "time_column", "instructor_column", "subject_column", "timestamp_column")


def _answer_headers(spec, fs):
    """The test of a header that :func:`~evalkit.ingest.readers.read_table` reads as a column
    of answers (a ``Categorical``): the items of the file's instrument, as named or as mapped by
    ``columns:``, compared as :func:`~evalkit.ingest.validate.norm` compares them; never an id,
    rater, time, instructor, subject, timestamp, name or comment column. ``None`` for a file
    without an instrument."""
    instrument = getattr(fs, "instrument", None)
    if not instrument or instrument not in spec.instruments:
        return None
    items = set(_items_for(spec, instrument))
    keys = {V.norm(c) for a in _KEY_COLUMNS if (c := getattr(fs, a, None))}
    keys |= {V.norm(c) for c in [*getattr(fs, "name_columns", []), *getattr(fs, "comment_columns", [])]}
    mapped = {V.norm(h): t for h, t in fs.columns.items()}
    wanted = ({V.norm(i) for i in items} - set(mapped)) | {h for h, t in mapped.items() if t in items}
    wanted -= keys | {V.norm(t) for t in mapped.values() if t not in items}
    return lambda header: V.norm(header) in wanted


def name_columns(fs, table: Table) -> list[str]:
    """The declared ``name_columns`` and any header that plainly names people (``Nama``,
    ``Nama Lengkap``, ``Atasan Langsung`` …): their values are masked everywhere and used to
    link rounded ids by name."""
    found = [c for c in table.df.columns if _NAME_HEADER.match(V.norm(c)) and c not in fs.name_columns]
    return list(fs.name_columns) + found


#: the evalkit column each file role's total rows are recognised by: (label columns, columns
#: that are empty on a total row); files with an id column use the id column instead
_TOTAL_KEYS = {"costs": (["item"], ["category"]), "costs_alternative": (["item"], ["category"]),
               "level4": (["indicator"], ["target"])}


def _header(table: Table, fs, name: str) -> str | None:
    """The file's header that ``fs.columns`` maps to evalkit's ``name`` (or ``name`` itself)."""
    for header, target in fs.columns.items():
        if target == name:
            name = header
            break
    by = {V.norm(c): c for c in table.df.columns}
    return name if name in table.df.columns else by.get(V.norm(name))


def _clean(spec, role, fs, table: Table, notices: list[Problem], missing_rows: list[dict]) -> Table:
    """The named input rules (:mod:`evalkit.ingest.cleaning`): missing-value codes, total
    rows, formula text. What each did goes into ``notices`` and ``missing_rows``."""
    skip = {c for c in [fs.id_column, *fs.name_columns] if c}
    counts, formulas = clean_cells(table, missing_codes(spec, fs), skip)
    for col, per in counts.items():
        for code, n in per.items():
            missing_rows.append({"file": table.file, "column": col, "code": code, "n": n})
            notices.append(Problem("missing_codes", file=table.file, column=col, params={"n": n, "code": code},
                                   severity="info"))
    id_col = fs.id_column if fs.id_column and fs.id_column in table.df.columns else None
    labels, empties = _TOTAL_KEYS.get(role, ([], []))
    label_cols = [h for n in labels if (h := _header(table, fs, n))]
    empty_cols = [h for n in empties if (h := _header(table, fs, n))]
    if id_col or label_cols:
        mask = total_rows(table, id_column=id_col, label_columns=label_cols, empty_columns=[] if id_col else empty_cols)
        amount = _header(table, fs, "amount") if role in ("costs", "costs_alternative") else None
        table, notes = drop_total_rows(table, mask, amount_column=amount)
        notices.extend(notes)
    notices.extend(formulas)
    return table


#: columns that, with the id, make a row unique in each file role (resubmission rule)
_UNIQUE_WITH = {"level3": ("rater_column", "time_column"), "instructors": ("instructor_column", "subject_column")}


def _link_ids(spec, tables: dict[str, Table], problems: list[Problem], notices: list[Problem]) -> dict[str, set[str]]:
    """Canonical ids in every table (rounded Excel numbers linked by name), then the
    resubmission rule per file (:mod:`evalkit.ingest.linkage`). Returns, per file role, the
    canonical ids that were linked by name."""
    id_cols = {r: getattr(spec, r).id_column for r in tables if getattr(spec, r).id_column}
    name_cols = {r: name_columns(getattr(spec, r), t) for r, t in tables.items()}
    canon, linked, link_problems = resolve_lossy(tables, id_cols, name_cols)
    for p in link_problems:
        (notices if p.severity != "error" else problems).append(p)
    for role, ids in canon.items():
        table = tables[role]
        col = id_cols[role]
        orig = table.df[col]
        table.df[col] = ids.where(ids.notna(), orig)  # an unresolved rounded id stays as typed (already an error)
        fs = getattr(spec, role)
        ts = find_timestamp(table, fs.timestamp_column)
        policy = fs.duplicates or ("keep_last" if role == "level1" and ts else "error")
        if policy == "error":
            continue
        key = ids
        for attr in _UNIQUE_WITH.get(role, ()):
            c = getattr(fs, attr, None)
            if c and c in table.df.columns:
                key = key.where(key.isna(), key.astype(str) + "\x1f" + table.df[c].map(V.norm).astype(str))
        keep, dropped = dedupe(table, key, policy, ts)
        if not keep.all():
            tables[role] = table.take(keep)
            notices.extend(dropped)
    return linked


def _linkage(data: ProgramData, spec, key: bytes, linked_ids: dict[str, set[str]]) -> pd.DataFrame:
    by_role = {r: {pseudonym(i, key) for i in ids} for r, ids in linked_ids.items()}

    def linked(*roles):
        return set().union(*(by_role.get(r, set()) for r in roles))

    def ids(df, mask=None):
        if df is None or "participant" not in df.columns:
            return None
        s = df["participant"] if mask is None else df.loc[mask, "participant"]
        return set(s.dropna())

    def fname(role, suffix=""):
        fs = getattr(spec, role)
        return f"{fs.file}{suffix}"

    pairs = []
    l2, roster = data.level2, ids(data.roster)
    pre = ids(l2, l2["pre"].notna()) if l2 is not None else None
    post = ids(l2, l2["post"].notna()) if l2 is not None else None
    scores = ids(l2, l2["pre"].notna() | l2["post"].notna()) if l2 is not None else None
    # a file's participants are gathered only where a pair needs them: a Level 1 survey on its
    # own (a million respondents) is linked to nothing, and its ids are never collected
    wanted = scores is not None or roster is not None
    l1 = ids(data.level1) if wanted else None
    l3 = ids(data.level3) if wanted else None
    if l1 and scores is not None:
        pairs.append((fname("level1"), fname("level2"), l1, scores, linked("level1", "level2")))
    if pre is not None:
        pairs.append((fname("level2", " (pre)"), fname("level2", " (post)"), pre, post, linked("level2")))
    if l3 is not None and scores is not None:
        pairs.append((fname("level3"), fname("level2"), l3, scores, linked("level3", "level2")))
    if roster is not None:
        for role, s in (("level1", l1), ("level2", scores), ("level3", l3)):
            if s:
                pairs.append((fname("roster"), fname(role), roster, s, linked("roster", role)))
    return linkage_summary(pairs)


def _mask_spec(spec: ProgramSpec, masker: Masker) -> ProgramSpec:
    """program.yaml's free text with NIPs and participants' names masked."""
    upd = {k: masker(getattr(spec, k)) for k in ("name", "institution", "cohort", "description")
           if isinstance(getattr(spec, k), str)}
    if spec.level5 is not None:
        l5 = spec.level5
        upd["level5"] = l5.model_copy(update={
            "intangibles": [masker(t) for t in l5.intangibles],
            "isolation_note": masker(l5.isolation_note) if l5.isolation_note else l5.isolation_note,
            "extra_costs": {masker(k): v for k, v in l5.extra_costs.items()}})
    return spec.model_copy(update=upd)


# --- one checker per file role ------------------------------------------------------


def _roster(spec, fs, table, problems, key, masker):
    """The roster: ``participant`` and only the columns declared in ``profile`` (under
    evalkit's field names) and ``keep``; every other column is dropped."""
    wanted = list(fs.profile.values()) + list(fs.keep)
    df = V.resolve_columns(table, fs.columns, ([fs.id_column] if fs.id_column else []) + wanted, problems)
    if not fs.id_column:
        problems.append(Problem("roster_needs_id", file=table.file))
        return None
    V.check_ids(df, table, fs.id_column, problems)
    out = pd.DataFrame({"participant": _pseudonymize_id(table, df, fs.id_column, key)}, index=df.index)
    for field_name, header in fs.profile.items():
        if header in df.columns:
            out[field_name] = df[header]
    for header in fs.keep:
        if header in df.columns and header not in out.columns:
            out[header] = df[header]
    return out.reset_index(drop=True)


def _pseudonymize_id(table: Table, df: pd.DataFrame, column: str, key: bytes) -> pd.Series:
    """The pseudonyms of ``df``'s id column, with the table's cached encodings and the HMACs
    started when the file was read (:func:`~evalkit.ingest.pseudonymize.prefetch_pseudonyms`)."""
    return pseudonymize_series(df[column], key, cache=table.encodings, prefetched=table.prefetched.get(column))


def _items_for(spec: ProgramSpec, instrument: str) -> list[str]:
    return spec.instruments[instrument].items()


def _likert_block(spec, instrument, df, table, problems, keep=()) -> pd.DataFrame:
    """The instrument's items of ``df`` as scores (one float block). Each item's text column is
    dropped from ``df`` once it is scored (except the columns in ``keep``), and ``table`` is
    pointed at ``df``: a million rows of answers as text (~18 bytes a cell) are then released
    column by column while the scores fill in, instead of being held beside them."""
    ins = spec.instruments[instrument]
    labels = spec.label_map(instrument)
    present = [item for item in ins.items() if item in df.columns]
    table.df = df  # the file's own frame (the columns as named in it) is no longer needed
    # one float block, filled column by column (Fortran order: each column contiguous, and
    # pandas keeps it as its block without the consolidation copy of a dict of columns)
    block = np.empty((len(df), len(present)), order="F")
    for j, item in enumerate(present):
        V.map_likert(df, table, item, labels, ins.scale, problems, out=block[:, j])
        if item not in keep:
            forget(table.encodings, df[item])  # the cache holds the column too
            del df[item]
            release_arrow_memory()
    return pd.DataFrame(block, index=df.index, columns=present, copy=False)


def _level1(spec, fs, table, problems, key, masker):
    items = _items_for(spec, fs.instrument)
    needed = items + ([fs.id_column] if fs.id_column else []) + fs.comment_columns
    df = V.resolve_columns(table, fs.columns, needed, problems)
    if fs.id_column:
        V.check_ids(df, table, fs.id_column, problems)
    scores = _likert_block(spec, fs.instrument, df, table, problems,
                           keep={fs.id_column, *fs.comment_columns} - {None})
    out = pd.DataFrame({"respondent": V.respondent_ids(len(df)).array}, index=df.index)
    out["participant"] = (_pseudonymize_id(table, df, fs.id_column, key) if fs.id_column and fs.id_column in df
                          else pd.Series([None] * len(df), index=df.index, dtype=object))
    out = pd.concat([out, scores], axis=1)
    empty = (pd.Series(np.isnan(scores.to_numpy()).all(axis=1), index=df.index) if len(scores.columns)
             else pd.Series(False, index=df.index))
    if empty.any():
        out = out[~empty]
    comments = []
    for c in fs.comment_columns:
        if c not in df.columns:
            continue
        for i, text in df[c].items():
            if isinstance(text, str) and text.strip():
                comments.append({"respondent": out["respondent"].get(i, f"R{i + 1:04d}"),
                                 "question": c, "comment": masker(text)})
    return out.reset_index(drop=True), pd.DataFrame(comments, columns=["respondent", "question", "comment"])


INSTRUCTOR_CODE = re.compile(r"^[A-Za-z]{1,6}[-_ .]?\d{1,4}$")


def _instructors(spec, fs, table, problems, key, masker):
    """Instructor ratings: ``instructor`` (the code as given, or a pseudonym ``I-…`` for names
    and NIPs), ``subject`` (if named), ``participant`` (if an id column is named), item scores."""
    items = _items_for(spec, fs.instrument)
    needed = items + [fs.instructor_column] + [c for c in (fs.id_column, fs.subject_column) if c]
    df = V.resolve_columns(table, fs.columns, needed, problems)
    if fs.instructor_column not in df.columns:
        return None
    who = df[fs.instructor_column]
    V._capped(problems, [Problem("missing_value", file=table.file, column=fs.instructor_column, row=table.row_of(i))
                         for i in np.flatnonzero(who.isna().to_numpy())])
    codes = who.astype("string").str.strip()
    is_code = codes.str.fullmatch(INSTRUCTOR_CODE.pattern).fillna(False).astype(bool)
    named = pseudonymize_series(codes.where(~is_code), key).map(lambda v: None if v is None else "I-" + v[2:])
    out = pd.DataFrame({"instructor": codes.where(is_code, named)}, index=df.index)
    if fs.subject_column and fs.subject_column in df.columns:
        out["subject"] = df[fs.subject_column]
    if fs.id_column and fs.id_column in df.columns:
        out["participant"] = _pseudonymize_id(table, df, fs.id_column, key)
    out = pd.concat([out, _likert_block(spec, fs.instrument, df, table, problems,
                                        keep={fs.instructor_column, fs.subject_column, fs.id_column} - {None})],
                    axis=1)
    return out.reset_index(drop=True)


def _level2(spec, fs, table, problems, key, masker):
    if not fs.id_column:
        problems.append(Problem("level2_needs_id", file=table.file))
        return None
    df = V.resolve_columns(table, fs.columns, [fs.id_column, fs.pre, fs.post], problems)
    if not {fs.id_column, fs.pre, fs.post} <= set(df.columns):
        return None
    V.check_ids(df, table, fs.id_column, problems)
    out = pd.DataFrame({
        "participant": _pseudonymize_id(table, df, fs.id_column, key),
        "pre": V.to_numeric(df, table, fs.pre, problems, lo=0, hi=fs.max_score),
        "post": V.to_numeric(df, table, fs.post, problems, lo=0, hi=fs.max_score),
    })
    return out.reset_index(drop=True)


def _level3(spec, fs, table, problems, key, masker):
    items = _items_for(spec, fs.instrument)
    if not fs.id_column:
        problems.append(Problem("level3_needs_id", file=table.file))
        return None
    df = V.resolve_columns(table, fs.columns, [fs.id_column, fs.rater_column, fs.time_column] + items, problems)
    if not {fs.id_column, fs.rater_column, fs.time_column} <= set(df.columns):
        return None
    times = {V.norm(fs.before): "before", V.norm(fs.after): "after"}
    t = df[fs.time_column].map(lambda v: times.get(V.norm(v)) if isinstance(v, str) else None)
    bad = [Problem("bad_time", file=table.file, column=fs.time_column, row=table.row_of(i),
                   params={"value": df[fs.time_column].iloc[i], "before": fs.before, "after": fs.after})
           for i in np.flatnonzero(t.isna().to_numpy())]
    V._capped(problems, bad)
    rater = df[fs.rater_column].map(lambda v: V.norm(v) if isinstance(v, str) else None)
    V._capped(problems, [Problem("missing_value", file=table.file, column=fs.rater_column, row=table.row_of(i))
                         for i in np.flatnonzero(rater.isna().to_numpy())])
    tmp = df.assign(_rater=rater, _time=t)
    V.check_ids(tmp, table, fs.id_column, problems, unique_within=["_rater", "_time"])
    scores = _likert_block(spec, fs.instrument, df, table, problems,
                           keep={fs.id_column, fs.rater_column, fs.time_column})
    out = pd.concat([pd.DataFrame({"participant": _pseudonymize_id(table, df, fs.id_column, key),
                                   "rater": rater, "time": t}), scores], axis=1)
    return out.reset_index(drop=True)


def _level4(spec, fs, table, problems, key, masker):
    df = V.resolve_columns(table, fs.columns, LEVEL4_COLUMNS, problems)
    if not set(LEVEL4_COLUMNS) <= set(df.columns):
        return None
    out = df.copy()
    d = df["direction"].map(lambda v: DIRECTIONS.get(V.norm(v)) if isinstance(v, str) else None)
    V._capped(problems, [Problem("bad_direction", file=table.file, column="direction", row=table.row_of(i),
                                 params={"value": df["direction"].iloc[i]})
                         for i in np.flatnonzero(d.isna().to_numpy())])
    out["direction"] = d
    for c in ("baseline", "target", "realisation"):
        out[c] = V.to_numeric(df, table, c, problems, money=False, required=(c != "realisation"))
    zero = np.flatnonzero(((out["target"] - out["baseline"]) == 0).to_numpy())
    V._capped(problems, [Problem("target_equals_baseline", file=table.file, column="target", row=table.row_of(i))
                         for i in zero])
    V._capped(problems, [Problem("target_zero", file=table.file, column="target", row=table.row_of(i))
                         for i in np.flatnonzero((out["target"] == 0).to_numpy())])
    if "logic_level" in df.columns:
        lv = df["logic_level"].map(lambda v: V.norm(v) if isinstance(v, str) else None)
        lv = lv.map(lambda v: LOGIC_ALIASES.get(v, v))
        bad = lv.notna() & ~lv.isin(LOGIC_LEVELS)
        V._capped(problems, [Problem("bad_logic_level", file=table.file, column="logic_level", row=table.row_of(i),
                                     params={"value": df["logic_level"].iloc[i], "known": ", ".join(LOGIC_LEVELS)})
                             for i in np.flatnonzero(bad.to_numpy())])
        out["logic_level"] = lv
    return out.reset_index(drop=True)


def _level5(spec, fs, table, problems, key, masker):
    """Benefit estimates: ``participant`` (pseudonym, if an id column is named), ``benefit``
    (Rp per year, ≥ 0), ``contribution`` and ``confidence`` (0–100 %)."""
    needed = [fs.benefit] + [c for c in (fs.contribution, fs.confidence) if c and fs.isolation.endswith("estimate")]
    if fs.id_column:
        needed.append(fs.id_column)
    df = V.resolve_columns(table, fs.columns, needed, problems)
    if not set(needed) <= set(df.columns):
        return None
    out = pd.DataFrame(index=df.index)
    if fs.id_column:
        V.check_ids(df, table, fs.id_column, problems)
        out["participant"] = _pseudonymize_id(table, df, fs.id_column, key)
    out["benefit"] = V.to_numeric(df, table, fs.benefit, problems, lo=0, money=True, required=True)
    for name, col in (("contribution", fs.contribution), ("confidence", fs.confidence)):
        if col and col in df.columns:
            out[name] = V.to_numeric(df, table, col, problems, lo=0, hi=100, required=True)
        else:
            out[name] = 100.0
    return out.reset_index(drop=True)


def _costs(spec, fs, table, problems, key, masker):
    df = V.resolve_columns(table, fs.columns, ["item", "category"], problems)
    if not {"item", "category"} <= set(df.columns):
        return None
    out = df.copy()
    if "amount" in df.columns:
        out["amount"] = V.to_numeric(df, table, "amount", problems, lo=0, money=True, required=True)
    elif {"unit_cost", "quantity"} <= set(df.columns):
        out["unit_cost"] = V.to_numeric(df, table, "unit_cost", problems, lo=0, money=True, required=True)
        out["quantity"] = V.to_numeric(df, table, "quantity", problems, lo=0, required=True)
        out["amount"] = out["unit_cost"] * out["quantity"]
    else:
        problems.append(Problem("costs_need_amount", file=table.file))
        return None
    return out.reset_index(drop=True)


STAGES = {"placement": "placement", "penempatan": "placement", "module": "module", "modul": "module",
          "final": "final", "akhir": "final", "uji kompetensi": "final"}


def _assessment(spec, fs, table, problems, key, masker):
    if not fs.id_column:
        problems.append(Problem("needs_id", file=table.file, params={"section": "assessment"}))
        return None
    cols = [fs.id_column, "stage", "module", "attempt", "score"]
    df = V.resolve_columns(table, fs.columns, cols, problems)
    if not set(cols) <= set(df.columns):
        return None
    stage = df["stage"].map(lambda v: STAGES.get(V.norm(v)) if isinstance(v, str) else None)
    V._capped(problems, [Problem("bad_stage", file=table.file, column="stage", row=table.row_of(i),
                                 params={"value": df["stage"].iloc[i]})
                         for i in np.flatnonzero(stage.isna().to_numpy())])
    out = pd.DataFrame({
        "participant": _pseudonymize_id(table, df, fs.id_column, key),
        "stage": stage,
        "module": df["module"].fillna("").astype(str),
        "attempt": V.to_numeric(df, table, "attempt", problems, lo=1, required=True),
        "score": V.to_numeric(df, table, "score", problems, lo=0, hi=fs.max_score, required=True),
    })
    if "date" in df.columns:
        dates = pd.to_datetime(df["date"], errors="coerce", dayfirst=False, format="mixed")
        V._capped(problems, [Problem("bad_date", file=table.file, column="date", row=table.row_of(i),
                                     params={"value": df["date"].iloc[i]})
                             for i in np.flatnonzero((dates.isna() & df["date"].notna()).to_numpy())])
        out["date"] = dates
    V.check_ids(df.assign(stage=stage), table, fs.id_column, problems, unique_within=["stage", "module", "attempt"])
    return out.reset_index(drop=True)


def _test_items(spec, fs, table, problems, key, masker):
    if not fs.id_column:
        problems.append(Problem("needs_id", file=table.file, params={"section": "test_items"}))
        return None
    items = fs.item_list()
    needed = items + ([fs.id_column] if fs.id_column else [])
    df = V.resolve_columns(table, fs.columns, needed, problems)
    V.check_ids(df, table, fs.id_column, problems)
    out = pd.DataFrame({"participant": _pseudonymize_id(table, df, fs.id_column, key) if fs.id_column in df
                        else pd.Series([None] * len(df), index=df.index, dtype=object)})
    for item in items:
        if item not in df.columns:
            continue
        col = df[item]
        if fs.key:
            answer = col.map(lambda v: V.norm(v).upper() if isinstance(v, str) else None)
            out[item] = (answer == str(fs.key[item]).strip().upper()).astype(float).to_numpy()
        else:
            vals = V.to_numeric(df, table, item, problems, lo=0, hi=1)
            bad = np.flatnonzero(~vals.dropna().isin([0.0, 1.0]).to_numpy())
            V._capped(problems, [Problem("not_binary", file=table.file, column=item,
                                         row=table.row_of(vals.dropna().index[i]), params={"values": "0/1"})
                                 for i in bad])
            out[item] = vals.fillna(0.0).to_numpy()
    return out.reset_index(drop=True)


def _cross_checks(data: ProgramData) -> None:
    """Facts worth a note (not errors): unmatched ids between files, roster size."""
    if data.level2 is not None and data.roster is not None:
        extra = set(data.level2["participant"]) - set(data.roster["participant"])
        if extra:
            data.notes.append(f"level2: {len(extra)} participant id(s) are not on the roster")

"""Link one person across the files of a program: canonical ids, lossy Excel numbers linked
by name, resubmissions, and the linkage summary.

Rules
-----
1. Every id column is rewritten to its canonical form (:func:`evalkit.ingest.nip.parse_id`),
   in memory (``data/raw/`` is never written), before anything is pseudonymized: one person
   has one pseudonym whichever way the NIP was typed.
2. An id that an Excel number has rounded (fewer than 18 significant digits survive) is
   linked to the participant whose exact NIP (from any file of the program) agrees with the
   surviving digits **and** whose name matches (:func:`evalkit.ingest.nip.names_match`);
   each such link is an ``info`` line. Without exactly one such participant it is an error
   naming file, column and row: a join is never made on a corrupted key.
3. Resubmissions (:func:`dedupe`): rows of one file with the same canonical id. A survey
   with a timestamp column keeps the latest submission by default (``duplicates:
   keep_last``); ``keep_first`` keeps the earliest; ``error`` reports them. Every dropped
   row is a ``warning``. Score sheets keep ``error``.
4. :func:`linkage_summary`: for each pair of joined files, how many participants are in
   both, only in one, only in the other, and how many of the matches came through rule 2.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .nip import ParsedId, agrees, names_match, parse_id, plain_nip_duplicates, plain_nip_numbers
from .readers import Table

TIMESTAMP_HEADERS = ("timestamp", "stempel waktu", "cap waktu", "waktu pengisian", "tanggal pengisian",
                     "submitted at", "waktu")


def _plain_nip(s: pd.Series) -> np.ndarray:
    """Mask of the cells that are exactly 18 ASCII digits (vectorised; parse_id leaves them as they are)."""
    if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
        return np.zeros(len(s), dtype=bool)
    return s.str.fullmatch(r"[0-9]{18}").fillna(False).to_numpy(dtype=bool)


class _ParsedIds(Sequence):
    """The parsed id of every row, as :func:`parse_id` gives it, made on access for the plain
    18-digit cells (a million-row column needs no million objects up front)."""

    def __init__(self, values: np.ndarray, plain: np.ndarray, other: dict):
        self._values, self._plain, self._other = values, plain, other

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._plain[i]:
            v = self._values.iloc[i] if isinstance(self._values, pd.Series) else self._values[i]
            return ParsedId(str(v))
        return self._other.get(i if i >= 0 else i + len(self))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def others(self):
        """``(row, parsed id)`` of the cells that are not plain 18-digit NIPs (empty ones left out)."""
        return sorted(self._other.items())


def canonical_ids(table: Table, column: str) -> tuple[pd.Series, list]:
    """``(canonical ids as text with NaN for lossy/empty, parsed ids)`` of one id column.

    The common cell, exactly 18 ASCII digits, is its own canonical form: found by one
    vectorised match; :func:`parse_id` runs only on the other cells (once per distinct value)."""
    col = table.df[column]
    numbers = plain_nip_numbers(col, table.encodings)
    if numbers is not None:  # only plain NIPs (and empty cells): the column itself
        return col, _ParsedIds(col, numbers >= 0, {})
    plain = _plain_nip(col)
    values = col.to_numpy(dtype=object)
    canon = np.full(len(values), np.nan, dtype=object)
    canon[plain] = values[plain]
    other: dict = {}
    cache: dict = {}
    for i in np.flatnonzero(~plain):
        v = values[i]
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            continue
        key = (type(v), v)
        if key not in cache:
            cache[key] = parse_id(v)
        p = other[int(i)] = cache[key]
        if p is not None and not p.lossy:
            canon[i] = p.canonical
    return pd.Series(canon, index=table.df.index, dtype=object), _ParsedIds(values, plain, other)


def resolve_lossy(tables: dict[str, Table], id_cols: dict[str, str], name_cols: dict[str, list[str]]
                  ) -> tuple[dict[str, pd.Series], dict[str, set[str]], list[Problem]]:
    """Canonical id columns of every table (rules 1–2).

    Returns ``({role: canonical id Series}, {role: ids linked by name}, problems)``; the
    problems are ``info`` lines for links made and errors for rounded ids that could not be
    linked.
    """
    canon: dict[str, pd.Series] = {}
    parsed: dict[str, list] = {}
    for role, table in tables.items():
        col = id_cols.get(role)
        if not col or col not in table.df.columns:
            continue
        canon[role], parsed[role] = canonical_ids(table, col)
    problems: list[Problem] = []
    linked: dict[str, set[str]] = {}
    if not any(p is not None and p.lossy for plist in parsed.values()
               for _, p in (plist.others() if isinstance(plist, _ParsedIds) else enumerate(plist))):
        return canon, linked, problems  # no rounded id: nothing to link by name
    registry: dict[str, set[str]] = {}  # exact id → names written beside it anywhere
    for role in canon:
        table = tables[role]
        names = _names(table, name_cols.get(role, []))
        for i, c in canon[role].items():
            if isinstance(c, str):
                registry.setdefault(c, set())
                if names is not None and isinstance(names.iloc[i], str):
                    registry[c].add(names.iloc[i])
    exact = [c for c in registry if c.isdigit() and len(c) == 18]
    for role, plist in parsed.items():
        table = tables[role]
        col = id_cols[role]
        names = _names(table, name_cols.get(role, []))
        for i, p in (plist.others() if isinstance(plist, _ParsedIds) else enumerate(plist)):
            if p is None or not p.lossy:
                continue
            name = names.iloc[i] if names is not None else None
            cands = [c for c in exact if agrees(p, c)]
            by_name = [c for c in cands if isinstance(name, str) and any(names_match(name, n) for n in registry[c])]
            if len(by_name) == 1:
                canon[role].iloc[i] = by_name[0]
                linked.setdefault(role, set()).add(by_name[0])
                problems.append(Problem("id_linked_by_name", file=table.file, column=col, row=table.row_of(i),
                                        params={"value": table.df[col].iloc[i], "digits": p.digits}, severity="info"))
            else:
                why = ("no_name" if not isinstance(name, str) else "ambiguous" if len(by_name) > 1
                       else "no_candidate" if not cands else "name_differs")
                problems.append(Problem("id_rounded", file=table.file, column=col, row=table.row_of(i),
                                        params={"value": table.df[col].iloc[i], "digits": p.digits, "why": why,
                                                "candidates": len(cands)}))
    return canon, linked, problems


def _names(table: Table, cols: list[str]) -> pd.Series | None:
    for c in cols:
        if c in table.df.columns:
            return table.df[c]
    return None


def find_timestamp(table: Table, declared: str | None) -> str | None:
    if declared and declared in table.df.columns:
        return declared
    by = {re.sub(r"\s+", " ", str(c)).strip().lower(): c for c in table.df.columns}
    return next((by[h] for h in TIMESTAMP_HEADERS if h in by), None)


def parse_timestamps(s: pd.Series) -> pd.Series:
    """Google Forms timestamps (``2026/05/29 01:19:06 PM GMT+7``, ``29/05/2026 13:19:06``) and
    ISO dates → datetimes (NaT where unparsable)."""
    codes, uniq = pd.factorize(s)  # each distinct timestamp is parsed once
    txt = pd.Series(uniq, dtype=object).astype("string").str.replace(
        r"\s*(GMT|UTC)[+-]?\d{0,2}(:?\d{2})?\s*$", "", regex=True)
    out = pd.to_datetime(txt, errors="coerce", format="mixed", dayfirst=False)
    # a day-first date (29/05/2026) fails month-first parsing: try those again day-first
    retry = out.isna() & txt.notna()
    if retry.any():
        out = out.where(~retry, pd.to_datetime(txt.where(retry), errors="coerce", format="mixed", dayfirst=True))
    vals = np.append(out.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))  # code −1: missing
    return pd.Series(vals[codes], index=s.index, name=s.name)


def dedupe(table: Table, ids: pd.Series, policy: str, timestamp: str | None) -> tuple[np.ndarray, list[Problem]]:
    """Rows to keep under ``policy`` (rule 3) and a warning per dropped row. ``error`` keeps
    every row (the duplicates are then reported by validation)."""
    keep = np.ones(len(ids), dtype=bool)
    if policy == "error":
        return keep, []
    present = ids.notna().to_numpy()
    dup = plain_nip_duplicates(ids, table.encodings)  # plain NIPs: duplicates found on their numbers
    if not (dup.any() if dup is not None else ids[present].duplicated().any()):
        return keep, []
    order = np.arange(len(ids))
    if timestamp:
        ts = parse_timestamps(table.df[timestamp])
        key = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        key = np.where(ts.isna().to_numpy(), np.iinfo(np.int64).min, key)
    else:
        key = order
    frame = pd.DataFrame({"id": ids.to_numpy(), "key": key, "pos": order})[present]
    frame = frame.sort_values(["id", "key", "pos"], kind="stable")
    chosen = frame.groupby("id", sort=False)["pos"].transform("last" if policy == "keep_last" else "first")
    dropped = frame.loc[frame["pos"] != chosen, ["pos"]].assign(kept=chosen[frame["pos"] != chosen])
    problems = []
    for pos, kept in zip(dropped["pos"], dropped["kept"]):
        keep[pos] = False
        problems.append(Problem("duplicate_submission_dropped", file=table.file, row=table.row_of(pos),
                                params={"kept_row": table.row_of(kept), "policy": policy,
                                        "by": timestamp or "row order"}, severity="warning"))
    problems.sort(key=lambda p: p.row or 0)
    return keep, problems


def linkage_summary(pairs: list[tuple[str, str, set, set, set]]) -> pd.DataFrame:
    """One row per joined pair of files: ``left, right, matched, only_left, only_right,
    matched_by_name`` (``matched_by_name``: matches whose id on either side was linked by
    name, rule 2). ``pairs`` holds ``(left name, right name, left ids, right ids, ids linked
    by name in either file)``."""
    rows = []
    for left, right, a, b, linked in pairs:
        both = a & b
        rows.append({"left": left, "right": right, "matched": len(both), "only_left": len(a - b),
                     "only_right": len(b - a), "matched_by_name": len(both & linked)})
    return pd.DataFrame(rows, columns=["left", "right", "matched", "only_left", "only_right", "matched_by_name"])

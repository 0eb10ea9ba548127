"""The workforce's JP ledger: training hours per employee and year (PP 11/2017 art. 203).

Not a program's data but the institute's: ``data/raw/institution/jp_ledger.csv`` (or .xlsx,
.sav) with one row per training attended — ``NIP, Tahun, Pelatihan, JP`` (the English
headers ``employee, year, training, jp`` work too; a ``Nama`` column is dropped). NIPs are
pseudonymized with the project key, so an employee gets the same pseudonym as in every
program roster. :func:`write_ledger` stores it as ``data/processed/institution/jp_ledger.parquet``,
which :mod:`evalkit.store` serves as the ``jp_ledger`` view.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from .. import atomic
from ..errors import Problem, ValidationError
from .pseudonymize import get_key, pseudonymize_series
from .readers import read_table
from .validate import check_ids, resolve_columns, to_numeric

COLUMNS = {"nip": "employee", "tahun": "year", "pelatihan": "training", "jp": "jp",
           "employee": "employee", "year": "year", "training": "training"}
PERSONAL = ("nama", "name", "nama lengkap")


def load_jp_ledger(path, *, key: bytes | None = None) -> pd.DataFrame:
    """Read, check and pseudonymize a JP ledger.

    Returns
    -------
    DataFrame
        ``employee`` (pseudonym), ``year`` (int), ``training`` (str), ``jp`` (float), one row
        per training attended.

    Raises
    ------
    ValidationError
        Every problem at once, with file, column and row: missing columns, missing or
        duplicated entries (same employee, year and training twice), years or JP that are
        not numbers, negative JP.
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(Problem("missing_ledger", file=str(path)))
    table = read_table(path, path.name)
    df = table.df.rename(columns={c: COLUMNS[str(c).strip().lower()] for c in table.df.columns
                                  if str(c).strip().lower() in COLUMNS})
    table = dataclasses.replace(table, df=df.drop(columns=[c for c in df.columns
                                                           if str(c).strip().lower() in PERSONAL]))
    problems: list[Problem] = []
    df = resolve_columns(table, {}, ["employee", "year", "training", "jp"], problems)
    if problems:
        raise ValidationError(problems)
    check_ids(df, table, "employee", problems, unique_within=["year", "training"])
    year = to_numeric(df, table, "year", problems, lo=1950, hi=2100, required=True)
    jp = to_numeric(df, table, "jp", problems, lo=0, required=True)
    if problems:
        raise ValidationError(problems)
    out = pd.DataFrame({
        "employee": pseudonymize_series(df["employee"], key or get_key(path.parent)),
        "year": year.astype(np.int64), "training": df["training"].astype("string"), "jp": jp.astype(float)})
    return out


def write_ledger(ledger: pd.DataFrame, processed_dir) -> Path:
    """Store the pseudonymized ledger as ``<processed>/institution/jp_ledger.parquet`` (atomic)."""
    out = Path(processed_dir) / "institution" / "jp_ledger.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(out) as tmp:
        ledger.to_parquet(tmp, index=False)
    return out

"""Cross-program questions over ``data/processed/``: an embedded DuckDB view per table.

Step 4 of the data path (``data/raw`` → validation → ``data/processed`` → **store** →
dashboard). It only reads: every program's folder in ``data/processed/`` holds Parquet
tables written by :meth:`evalkit.ingest.ProgramData.write_processed` (pseudonymized) and, once
its report was rendered, ``metrics.parquet`` (the report's headline figures, one row per
figure). :func:`connect` makes one view per table name over all programs, each with a
``program_id`` column, so that a question about every cohort is one SQL query:

* ``programs`` — one row per program (name, institution, cohort, year, dates, JP, delivery
  mode, participants);
* ``metrics`` — ``program_id, metric, value, text`` (``metric`` is the dotted path in
  ``metrics.json``, e.g. ``level1.overall_mean``; numbers in ``value``, words in ``text``);
* ``roster, level1, level1_comments, level2, level3, level4, costs, assessment, test_items,
  level5`` — the program tables (columns differ between programs: missing ones are NULL);
* ``jp_ledger`` — the workforce's training hours (``data/processed/institution/``), if any.

Example (after ``make report`` has filled ``data/processed/``)::

    from evalkit import store
    con = store.connect("data/processed")
    con.sql("SELECT p.year, p.delivery_mode, sum(c.amount) / sum(p.participants) AS per_participant "
            "FROM costs c JOIN programs p USING (program_id) GROUP BY ALL").df()
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .errors import Problem, ValidationError
from .ingest.program import ProgramData

PROGRAM_TABLES = ProgramData.TABLES
VIEWS = ("programs", "metrics", *PROGRAM_TABLES)
INSTITUTION = "institution"  # data/processed/institution/: tables about the workforce, not one program


def connect(processed_dir="data/processed", database: str = ":memory:"):
    """A DuckDB connection with one view per table over every program in ``processed_dir``.

    Views exist only for tables that some program has; ``con.sql("SHOW TABLES")`` lists them.

    Raises
    ------
    ValidationError
        ``processed_dir`` does not exist or holds no processed program.
    """
    import duckdb

    root = Path(processed_dir).resolve()
    if not root.is_dir() or not any(root.glob("*/program.parquet")):
        raise ValidationError(Problem("no_processed", file=str(processed_dir)))
    con = duckdb.connect(database)
    pid = r"regexp_extract(filename, '([^/\\]+)[/\\][^/\\]+\.parquet$', 1)"
    for view in VIEWS:
        file = "program" if view == "programs" else view
        pattern = root / "*" / f"{file}.parquet"
        if not any(p.parent.name != INSTITUTION for p in root.glob(f"*/{file}.parquet")):
            continue
        src = f"read_parquet('{_sql_path(pattern)}', union_by_name = true, filename = true)"
        if view == "programs":
            con.sql(f"CREATE VIEW programs AS SELECT * EXCLUDE (filename) FROM {src}")
        else:
            con.sql(f"CREATE VIEW {view} AS SELECT {pid} AS program_id, * EXCLUDE (filename) FROM {src} "
                    f"WHERE {pid} <> '{INSTITUTION}'")
    ledger = root / INSTITUTION / "jp_ledger.parquet"
    if ledger.exists():
        con.sql(f"CREATE VIEW jp_ledger AS SELECT * FROM read_parquet('{_sql_path(ledger)}')")
    return con


def query(sql: str, processed_dir="data/processed") -> pd.DataFrame:
    """Run one SQL query against :func:`connect`'s views and return a DataFrame."""
    con = connect(processed_dir)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


def flatten_metrics(metrics: dict, program_id: str | None = None) -> pd.DataFrame:
    """``metrics.json`` as a long table: ``program_id, metric, value, text``.

    Nested keys are joined with dots; lists (input checksums) and the parameters are left
    out; booleans become 1/0; numbers go to ``value`` and anything else to ``text``.

    >>> flatten_metrics({"program_id": "x", "level1": {"overall_mean": 3.9, "overall_band": "good"}})
      program_id               metric  value  text
    0          x           program_id    NaN     x
    1          x  level1.overall_mean    3.9   NaN
    2          x  level1.overall_band    NaN  good
    """
    pid = program_id or metrics.get("program_id")
    rows = []

    def walk(d, prefix):
        for k, v in d.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, key + ".")
            elif isinstance(v, list) or key in ("parameters",):
                continue
            elif isinstance(v, bool):
                rows.append((pid, key, float(v), None))
            elif isinstance(v, (int, float)) and v is not None:
                rows.append((pid, key, float(v) if math.isfinite(v) else math.nan, None))
            else:
                rows.append((pid, key, math.nan, None if v is None else str(v)))

    walk({k: v for k, v in metrics.items() if k not in ("parameters", "inputs")}, "")
    return pd.DataFrame(rows, columns=["program_id", "metric", "value", "text"])


def write_metrics(metrics_json: Path, processed_dir: Path, program_id: str) -> Path:
    """Store a rendered report's ``metrics.json`` as ``<processed>/<id>/metrics.parquet``."""
    from . import atomic

    df = flatten_metrics(json.loads(Path(metrics_json).read_text(encoding="utf-8")), program_id)
    out = Path(processed_dir) / program_id / "metrics.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(out) as tmp:
        df.to_parquet(tmp, index=False)
    return out

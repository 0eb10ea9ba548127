"""evalkit.store (DuckDB views over data/processed) and the JP ledger ingest."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conftest import MINI, RAW, ROOT
from evalkit import store
from evalkit.errors import ValidationError
from evalkit.ingest import load_program
from evalkit.ingest.ledger import load_jp_ledger, write_ledger


@pytest.fixture
def processed(tmp_path):
    out = tmp_path / "processed"
    for pid in ("pkp-2026-angkatan-1", "smart-2026-angkatan-1"):
        load_program(RAW / pid).write_processed(out)
    return out


def test_views_union_programs_with_different_tables(processed):
    con = store.connect(processed)
    views = set(con.sql("SELECT table_name FROM information_schema.tables").df()["table_name"])
    assert {"programs", "costs", "level1", "level2", "level3", "assessment"} <= views
    progs = con.sql("SELECT program_id, delivery_mode, participants, year FROM programs ORDER BY 1").df()
    assert progs.values.tolist() == [["pkp-2026-angkatan-1", "blended", 36, 2026],
                                     ["smart-2026-angkatan-1", "online", 40, 2026]]
    # level3 exists only for the PKP program; assessment only for SMART: each row says whose it is
    assert con.sql("SELECT DISTINCT program_id FROM level3").df()["program_id"].tolist() == ["pkp-2026-angkatan-1"]
    totals = con.sql("SELECT program_id, sum(amount) AS total FROM costs GROUP BY 1 ORDER BY 1").df()
    for pid, total in zip(totals["program_id"], totals["total"]):
        lines = pd.read_csv(RAW / pid / "biaya.csv")  # amount, or unit cost × quantity
        want = lines["amount"].sum() if "amount" in lines else (lines["unit_cost"] * lines["quantity"]).sum()
        assert total == pytest.approx(want)


def test_metrics_are_flattened_and_queryable(processed, tmp_path):
    m = {"program_id": "pkp-2026-angkatan-1", "parameters": {"lang": "id"}, "inputs": [{"path": "x"}],
         "level1": {"overall_mean": 3.5, "overall_band": "good", "scales": {"materi": {"alpha": 0.8}}},
         "levels_measured": {"level3": False}}
    (tmp_path / "metrics.json").write_text(__import__("json").dumps(m))
    store.write_metrics(tmp_path / "metrics.json", processed, "pkp-2026-angkatan-1")
    got = store.query("SELECT metric, value, text FROM metrics ORDER BY metric", processed)
    assert got["metric"].tolist() == ["level1.overall_band", "level1.overall_mean", "level1.scales.materi.alpha",
                                      "levels_measured.level3", "program_id"]
    assert got.set_index("metric").loc["level1.overall_mean", "value"] == 3.5
    assert got.set_index("metric").loc["levels_measured.level3", "value"] == 0.0
    assert got.set_index("metric").loc["level1.overall_band", "text"] == "good"


def test_no_processed_programs_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationError) as e:
        store.connect(tmp_path)
    assert "no processed program" in str(e.value) and "evalkit report" in str(e.value)


def test_ledger_is_pseudonymized_and_joins_the_rosters(processed):
    led = load_jp_ledger(RAW / "institution" / "jp_ledger.csv")
    assert list(led.columns) == ["employee", "year", "training", "jp"]
    raw = pd.read_csv(RAW / "institution" / "jp_ledger.csv", dtype=str)
    assert not set(raw["NIP"]) & set(led["employee"]) and "Nama" not in led.columns
    write_ledger(led, processed)
    con = store.connect(processed)
    # a participant has the same pseudonym in the roster and in the ledger
    joined = con.sql("SELECT count(DISTINCT r.participant) AS n FROM roster r JOIN jp_ledger l "
                     "ON r.participant = l.employee WHERE r.program_id = 'pkp-2026-angkatan-1'").df()["n"].iloc[0]
    assert joined == 36
    # no program view sees the institution folder as a program
    assert "institution" not in con.sql("SELECT program_id FROM programs").df()["program_id"].tolist()


@pytest.mark.parametrize("content,expect", [
    ("NIP,Tahun,Pelatihan,JP\n198001012005011001,2026,Webinar,abc\n", ["'JP'", "row 2", "abc"]),
    ("NIP,Tahun,Pelatihan,JP\n198001012005011001,2026,Webinar,-4\n", ["'JP'", "row 2"]),
    ("NIP,Tahun,Pelatihan\n198001012005011001,2026,Webinar\n", ["'jp'", "not found"]),
    ("NIP,Tahun,Pelatihan,JP\n198001012005011001,2026,Webinar,4\n198001012005011001,2026,Webinar,4\n",
     ["row 3", "row 2"]),
    ("NIP,Tahun,Pelatihan,JP\n198001012005011001,dua ribu,Webinar,4\n", ["'year'", "row 2"]),
])
def test_bad_ledger_names_file_column_row(tmp_path, content, expect):
    (tmp_path / "jp_ledger.csv").write_text(content)
    with pytest.raises(ValidationError) as e:
        load_jp_ledger(tmp_path / "jp_ledger.csv")
    text = str(e.value)
    assert "jp_ledger.csv" in text
    for s in expect:
        assert s.lower() in text.lower(), (s, text)


def test_dashboard_cli_missing_ledger_and_processed(tmp_path):
    r = subprocess.run([sys.executable, "-m", "evalkit.cli", "dashboard", "--processed", str(tmp_path),
                        "--ledger", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out"), "--lang", "en"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "nope.csv" in r.stderr and "JP ledger" in r.stderr
    r = subprocess.run([sys.executable, "-m", "evalkit.cli", "dashboard", "--processed", str(tmp_path / "empty"),
                        "--out", str(tmp_path / "out"), "--lang", "en"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1 and "no processed program" in r.stderr and "Traceback" not in r.stderr
    assert MINI.exists()

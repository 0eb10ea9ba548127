"""The committed sample programs are exactly what the seeded generator makes."""
from __future__ import annotations

import pandas as pd

from conftest import RAW
from evalkit.datasets import SAMPLES, make_sample_programs


def test_committed_samples_are_reproducible(tmp_path):
    make_sample_programs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*SAMPLES, "institution"])
    for prog in tmp_path.iterdir():
        committed = RAW / prog.name
        assert sorted(p.name for p in prog.iterdir()) == sorted(p.name for p in committed.iterdir())
        for f in prog.iterdir():
            if f.suffix == ".xlsx":  # zip metadata carries a timestamp: compare the cells
                a = pd.read_excel(f, header=None, dtype=str)
                b = pd.read_excel(committed / f.name, header=None, dtype=str)
                pd.testing.assert_frame_equal(a, b)
            else:
                assert f.read_bytes() == (committed / f.name).read_bytes(), f"{prog.name}/{f.name}"


def test_sample_sizes_are_realistic():
    for pid in SAMPLES:
        roster = pd.read_csv(RAW / pid / "peserta.csv", dtype=str)
        assert 30 <= len(roster) <= 40
        assert roster["NIP"].str.fullmatch(r"\d{18}").all()
        assert roster["NIP"].is_unique

"""Level 4 progress (both directions) and cost figures, hand-checked on the sample program; the
Level 4 error paths."""
from __future__ import annotations

import pytest

from evalkit.errors import ValidationError
from evalkit.evaluation import evaluate
from evalkit.ingest import load_program


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_program("data/raw/pkp-2026-angkatan-1"))


def test_level4_progress_both_directions(ev):
    l4 = ev.level4.set_index("indicator")
    up = l4.loc["Indeks kepuasan layanan unit kerja alumni"]  # higher is better: 78.2 → target 82.0, got 82.8
    assert up["progress_pct"] == pytest.approx((82.8 - 78.2) / (82.0 - 78.2) * 100)
    assert up["target_met"]
    down = l4.loc["Rata-rata waktu penyelesaian layanan perizinan"]  # lower is better: 9 → target 6, got 6.6
    assert down["progress_pct"] == pytest.approx(80.0)
    assert not down["target_met"]


def test_level4_achievement_and_bands(ev):
    """Capaian as LAKIP tables compute it, banded by Permendagri 86/2017, hand-checked."""
    l4 = ev.level4.set_index("indicator")
    up = l4.loc["Indeks kepuasan layanan unit kerja alumni"]
    assert up["achievement_pct"] == pytest.approx(82.8 / 82.0 * 100)  # 100.98 %
    assert up["achievement_band"] == "very_high"
    down = l4.loc["Rata-rata waktu penyelesaian layanan perizinan"]
    assert down["achievement_pct"] == pytest.approx((2 - 6.6 / 6.0) * 100)  # 90 %: high (76–90)
    assert down["achievement_band"] == "high"
    audit = l4.loc["Jumlah temuan audit berulang"]  # lower: 9 against 8 → (2 − 9/8) × 100 = 87.5 %
    assert audit["achievement_pct"] == pytest.approx(87.5) and audit["achievement_band"] == "high"
    assert ev.level4.attrs["band_set"] == "achievement"
    assert list(l4["logic_level"]) == ["outcome", "outcome", "output", "impact"]


def test_costs_hand_checked(ev):
    c = ev.costs
    # 300,000×120 + 185,000×1,080 + 250,000×720 + 250,000×36 + 9,500,000 + 1,500,000×36 + 65,000×36
    total = 36_000_000 + 199_800_000 + 180_000_000 + 9_000_000 + 9_500_000 + 54_000_000 + 2_340_000
    assert c["total"] == total == 490_640_000
    assert c["per_participant"] == pytest.approx(total / 36)
    assert c["per_jp"] == pytest.approx(total / 300)
    assert c["per_certified"] == pytest.approx(total / c["certified"])


@pytest.mark.parametrize("row, key", [
    ("Waktu layanan,hari,lower,9,9,7", "target_equals_baseline"),
    ("Waktu layanan,hari,sideways,9,6,7", "bad_direction"),
    ("Waktu layanan,hari,lower,sembilan,6,7", "not_a_number"),
    ("Temuan audit,temuan,lower,14,0,3", "target_zero"),
])
def test_level4_bad_rows(mini_copy, row, key):
    (mini_copy / "indikator.csv").write_text("indicator,unit,direction,baseline,target,realisation\n" + row + "\n")
    (mini_copy / "program.yaml").write_text((mini_copy / "program.yaml").read_text() + "level4:\n  file: indikator.csv\n")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert p.key == key and p.file == "indikator.csv" and p.row == 2


def test_level4_unknown_logic_level_is_named(mini_copy):
    (mini_copy / "indikator.csv").write_text("indicator,unit,direction,baseline,target,realisation,logic_level\n"
                                             "Waktu layanan,hari,lower,9,6,7,Hasil\nIndeks,indeks,higher,70,80,79,tujuan\n")
    (mini_copy / "program.yaml").write_text((mini_copy / "program.yaml").read_text() + "level4:\n  file: indikator.csv\n")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    (p,) = err.value.problems  # 'Hasil' is the Indonesian name of outcome; 'tujuan' is unknown
    assert p.key == "bad_logic_level" and p.row == 3 and p.column == "logic_level"
    assert "tujuan" in str(err.value) and "outcome" in str(err.value)

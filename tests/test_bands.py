"""Band sets: ordered, no overlaps, every label translated, boundaries as configured."""
from __future__ import annotations

import math

import pytest

from evalkit import i18n
from evalkit.bands import band, band_sets
from evalkit.errors import ValidationError


@pytest.mark.parametrize("name", sorted(band_sets()))
def test_band_set_is_ordered_and_translated(name):
    bands = band_sets()[name]["bands"]
    mins = [float(b["min"]) for b in bands]
    assert mins == sorted(mins) and len(set(mins)) == len(mins), "bands must not overlap"
    for b in bands:
        assert i18n.has(f"band.{b['key']}"), b["key"]


@pytest.mark.parametrize("value, name, expected", [
    (1.80, "likert5", "very_poor"), (1.81, "likert5", "poor"), (3.40, "likert5", "fair"),
    (3.41, "likert5", "good"), (4.20, "likert5", "good"), (4.21, "likert5", "very_good"),
    (0.6999, "alpha", "questionable"), (0.7, "alpha", "acceptable"), (0.9, "alpha", "excellent"),
    (-0.3, "alpha", "unacceptable"), (0.19, "cohen_d", "negligible"), (0.8, "cohen_d", "large"),
    (0.29, "hake", "low"), (0.3, "hake", "medium"), (0.7, "hake", "high"),
])
def test_boundaries(value, name, expected):
    assert band(value, name) == expected


def test_missing_value_and_unknown_set():
    assert band(math.nan, "alpha") is None
    with pytest.raises(ValidationError, match="unknown band set"):
        band(1.0, "nope")


@pytest.mark.parametrize("value, name, expected", [
    (50.99, "achievement", "very_low"), (51, "achievement", "low"), (65.9, "achievement", "low"),
    (66, "achievement", "medium"), (76, "achievement", "high"), (90.99, "achievement", "high"),
    (91, "achievement", "very_high"), (130, "achievement", "very_high"),
    (89.99, "achievement3", "not_reached"), (90, "achievement3", "nearly_reached"), (100, "achievement3", "reached"),
    (1.75, "likert4", "poor"), (1.76, "likert4", "fair"), (3.26, "likert4", "very_good"),
    (3.99, "likert5_quartile", "good"), (4.0, "likert5_quartile", "very_good"),
])
def test_new_band_set_boundaries(value, name, expected):
    assert band(value, name) == expected


def test_ikm_index_bands_agree_with_the_ikm_grades():
    """PermenPANRB 14/2017 gives the same categories on the 1–4 index and on the 25–100
    conversion (reported to 2 decimals): the band set and ikm_grade() must never disagree."""
    from evalkit import ikm_grade

    grade = {"very_good": "A", "good": "B", "less_good": "C", "not_good": "D"}
    for c in range(2_500, 10_001):  # every converted value 25.00 … 100.00
        converted = c / 100
        assert grade[band(converted / 25, "ikm_index")] == ikm_grade(converted), converted


def test_program_chooses_band_sets_and_bad_choices_are_named(tmp_path):
    import shutil

    import yaml

    from conftest import RAW
    from evalkit.evaluation import evaluate
    from evalkit.ingest import load_program

    prog = tmp_path / "pkp-2026-angkatan-1"
    shutil.copytree(RAW / prog.name, prog)
    spec = yaml.safe_load((prog / "program.yaml").read_text(encoding="utf-8"))
    spec["bands"] = {"reaction": "likert5_quartile", "achievement": "achievement3"}
    (prog / "program.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    ev = evaluate(load_program(prog))
    assert ev.level1.band_set == "likert5_quartile"
    assert ev.level1.overall_band == band(ev.level1.overall_mean, "likert5_quartile")
    assert ev.level4.attrs["band_set"] == "achievement3"
    assert set(ev.level4["achievement_band"]) <= {"reached", "nearly_reached", "not_reached"}
    for bands, message in [({"reaction": "nope"}, "'nope' is not a known band set"),
                           ({"reaction": "achievement"}, "not for reaction"),
                           ({"reaction": "likert4"}, "is for a 1–4 scale"),
                           ({"speed": "likert5"}, "unknown purpose")]:
        spec["bands"] = bands
        (prog / "program.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ValidationError) as e:
            load_program(prog)
        assert "program.yaml" in str(e.value) and message in str(e.value), str(e.value)


def test_level2_gain_band_reads_the_hake_cutoffs_from_config(monkeypatch):
    """Cut-offs live in config/bands.yaml only: changing them there changes Level 2's band."""
    import copy

    import evalkit.bands as bands_mod
    from evalkit import evaluate, load_program
    from evalkit.datasets import sample_program

    prog = load_program(sample_program("pkp-2026-angkatan-1"))
    g = evaluate(prog).level2.prepost.gain
    assert g["band"] == "medium" and 0.3 <= g["class_gain"] < 0.7
    changed = copy.deepcopy(bands_mod.band_sets())
    changed["hake"]["bands"][1]["min"] = 0.2
    changed["hake"]["bands"][2]["min"] = g["class_gain"] - 0.01
    monkeypatch.setattr(bands_mod, "band_sets", lambda: changed)
    assert evaluate(prog).level2.prepost.gain["band"] == "high"

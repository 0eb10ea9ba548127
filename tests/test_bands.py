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

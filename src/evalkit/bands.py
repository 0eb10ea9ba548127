"""Interpretation bands from versioned configuration (``config/bands.yaml``).

Bands are data, not code: agencies use different boundaries, so a band set is
chosen by name and its boundaries are tested, not hard-wired.
"""
from __future__ import annotations

import math


from ._config import load_config
from .errors import Problem, ValidationError


def band_sets() -> dict:
    return load_config("bands")["band_sets"]


def band(value: float, band_set: str) -> str | None:
    """Key of the band ``value`` falls in (``None`` for a missing value).

    Examples
    --------
    >>> band(4.21, "likert5"), band(4.2, "likert5"), band(0.7, "alpha")
    ('very_good', 'good', 'acceptable')
    """
    sets = band_sets()
    if band_set not in sets:
        raise ValidationError(Problem("unknown_band_set", params={"name": band_set, "known": ", ".join(sets)}))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    found = None
    for b in sets[band_set]["bands"]:
        if value >= float(b["min"]) - 1e-12:
            found = b["key"]
    return found

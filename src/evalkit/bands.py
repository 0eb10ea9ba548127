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


PURPOSES = ("reaction", "achievement")
DEFAULTS = {("reaction", (1.0, 5.0)): "likert5", ("reaction", (1.0, 4.0)): "likert4", ("achievement", None): "achievement"}


def check_choice(purpose: str, name: str, scale=None) -> str | None:
    """Why a program may not use band set ``name`` for ``purpose`` (None when it may)."""
    sets = band_sets()
    if purpose not in PURPOSES:
        return f"bands.{purpose}: unknown purpose (use one of: {', '.join(PURPOSES)})"
    if name not in sets:
        known = [k for k, v in sets.items() if v.get("purpose") == purpose]
        return f"bands.{purpose} '{name}' is not a known band set (known for {purpose}: {', '.join(known)})"
    bs = sets[name]
    if bs.get("purpose") != purpose:
        return f"bands.{purpose} '{name}' is a band set for {bs.get('purpose') or 'statistics'}, not for {purpose}"
    if scale is not None and bs.get("scale") and tuple(map(float, bs["scale"])) != tuple(map(float, scale)):
        return (f"bands.{purpose} '{name}' is for a {bs['scale'][0]}–{bs['scale'][1]} scale, but the instrument's "
                f"scale is {scale[0]}–{scale[1]}")
    return None


def band_set_for(purpose: str, chosen: dict | None = None, scale=None, kind: str = "likert") -> str | None:
    """The band set a program uses for ``purpose``: its own choice (``bands:`` in
    ``program.yaml``), else the default for the scale (likert5 for 1–5, likert4 for 1–4,
    ikm_index for an IKM instrument; ``achievement`` for Level 4); None when no set fits
    (then no band is shown).

    >>> band_set_for("reaction", {}, (1, 5)), band_set_for("reaction", {"reaction": "likert5_quartile"}, (1, 5))
    ('likert5', 'likert5_quartile')
    >>> band_set_for("reaction", {}, (0, 10)) is None
    True
    """
    if chosen and chosen.get(purpose):
        return chosen[purpose]
    if purpose == "reaction" and kind == "ikm":
        return "ikm_index"
    key = (purpose, None if scale is None else tuple(map(float, scale)))
    return DEFAULTS.get(key) or DEFAULTS.get((purpose, None))

"""Level 4 — results: organisational indicators with baseline, target and realisation; the
progress from baseline toward target and the achievement of the target (LAKIP/SAKIP), banded;
the logic model and the performance tree are drawn from the same table by the report.

Reads ``level4:`` of program.yaml (schema :class:`~evalkit.ingest.spec.Level4Spec`); bands from
``config/bands.yaml`` (purpose ``achievement``). Rendered by ``report/sections/level4.py``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..bands import band, band_set_for
from ..ingest.program import ProgramData
from ..ingest.spec import Level4Spec

#: the program.yaml sections this level reads
SECTIONS = ("level4",)
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"level4": Level4Spec}


def evaluate_level4(p: ProgramData) -> pd.DataFrame:
    """Progress of each indicator from baseline toward target:
    ``(realisation − baseline)/(target − baseline) × 100``; it reads the same for
    higher-is-better and lower-is-better indicators (100 % = target reached). Also the
    achievement of the target as LAKIP tables report it (``achievement_pct``:
    ``realisation/target × 100``, or ``(2 − realisation/target) × 100`` when lower is better)
    with its band (``achievement_band``; band set ``achievement``, Permendagri 86/2017, unless
    the program chooses another under ``bands:``)."""
    df = p.level4.copy()
    df["progress_pct"] = (df["realisation"] - df["baseline"]) / (df["target"] - df["baseline"]) * 100
    df["target_met"] = df["progress_pct"] >= 100
    # capaian kinerja (achievement % of target): realisation/target × 100 when higher is better,
    # (2 − realisation/target) × 100 when lower is better (the usual LAKIP/SAKIP formulas)
    ratio = df["realisation"] / df["target"]
    df["achievement_pct"] = np.where(df["direction"] == "lower", 2 - ratio, ratio) * 100
    bset = band_set_for("achievement", p.spec.bands)
    df["achievement_band"] = [band(v, bset) for v in df["achievement_pct"]]
    df.attrs["band_set"] = bset
    return df



def evaluate(program: ProgramData) -> pd.DataFrame | None:
    """Level 4 of ``program`` (``None`` when it has no indicators)."""
    return None if program.level4 is None else evaluate_level4(program)

"""Construct validity of the program's instruments (``validate: efa`` or ``validate: cfa`` on an
instrument in program.yaml): KMO and Bartlett, then either an exploratory factor analysis or a
confirmatory model with one factor per scale (:func:`evalkit.stats.factor.validate_instrument`,
checked against psych and lavaan). The report shows the result in its appendix.

The data of an instrument are the answers it collected: the Level 1 survey, the instructor
ratings, or the Level 3 ratings *after* the training (one row per participant and rater).
Reverse-keyed items are reflected on the nominal scale first, ``(min + max) − x``, so that every
loading of a well-keyed item is positive.
"""
from __future__ import annotations

import pandas as pd

from ..errors import EvalkitError
from ..ingest.program import ProgramData
from ..ingest.spec import Instrument

#: the program.yaml sections this unit reads
SECTIONS = ("instruments",)
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"instruments": Instrument}


def instrument_data(p: ProgramData, name: str) -> pd.DataFrame | None:
    """The item answers of instrument ``name`` (reverse-keyed items reflected), or ``None``."""
    ins = p.spec.instruments[name]
    frames = []
    if p.spec.level1 is not None and p.spec.level1.instrument == name and p.level1 is not None:
        frames.append(p.level1)
    if p.spec.instructors is not None and p.spec.instructors.instrument == name and p.instructors is not None:
        frames.append(p.instructors)
    if p.spec.level3 is not None and p.spec.level3.instrument == name and p.level3 is not None:
        frames.append(p.level3[p.level3["time"] == "after"])
    if not frames:
        return None
    items = [i for i in ins.items() if all(i in f.columns for f in frames)]
    df = pd.concat([f[items] for f in frames], ignore_index=True).astype(float)
    lo, hi = ins.scale
    for sub in ins.scales.values():
        for r in sub.reverse:
            if r in df.columns:
                df[r] = lo + hi - df[r]
    return df


def evaluate(p: ProgramData, seed: int = 2026) -> dict:
    """``{instrument: InstrumentValidation or the error that prevented it}`` for every
    instrument with ``validate:``; a model that cannot be fitted (too few respondents, not
    identified, no convergence) is reported as such, not hidden."""
    from ..stats.factor import validate_instrument

    out = {}
    for name, ins in p.spec.instruments.items():
        if not ins.validation:
            continue
        df = instrument_data(p, name)
        if df is None:
            continue
        scales = {s: [i for i in sub.items if i in df.columns] for s, sub in ins.scales.items()}
        scales = {s: its for s, its in scales.items() if its}
        try:
            out[name] = validate_instrument(df.dropna(), scales, ins.validation, seed=seed)
        except EvalkitError as exc:
            out[name] = exc
    return out

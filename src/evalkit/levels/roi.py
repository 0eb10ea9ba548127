"""Level 5 — return on investment (Phillips): isolated and confidence-adjusted benefits
against fully loaded costs; BCR, ROI % and payback; intangibles listed, not converted.

Reads ``level5:`` of program.yaml (schema :class:`~evalkit.ingest.spec.Level5Spec`). Rendered
by ``report/sections/level5.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..ingest.program import ProgramData
from ..ingest.spec import Level5Spec

#: the program.yaml sections this level reads
SECTIONS = ("level5",)
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"level5": Level5Spec}


@dataclass
class Level5Result:
    """Phillips ROI of one program (see :func:`evaluate_level5`)."""

    isolation: str
    isolation_note: str | None
    estimates: pd.DataFrame
    participants: int | None
    benefits_raw: float
    benefits_isolated: float
    benefits_adjusted: float
    costs: dict[str, float]
    roi: dict
    intangibles: list[str]
    period_months: float

    @property
    def n_estimates(self) -> int:
        return len(self.estimates)


def evaluate_level5(p: ProgramData, costs: dict) -> Level5Result:
    """Phillips ROI from the program's benefit estimates and its fully loaded costs.

    Benefits: the sum over all estimates of ``benefit × contribution/100 × confidence/100``
    (:func:`~evalkit.stats.impact.phillips_benefits`; participants without an estimate add
    nothing). Costs: the cost lines plus the participants' working time and the extra costs
    of program.yaml (:func:`~evalkit.stats.impact.fully_loaded_costs`). ROI, BCR and payback
    over ``period_months`` (first-year benefits by default): :func:`~evalkit.stats.impact.roi`.
    """
    from ..stats.impact import fully_loaded_costs, phillips_benefits, roi

    fs = p.spec.level5
    est = phillips_benefits(p.level5)
    n = p.roster_size()
    loaded = fully_loaded_costs(costs["total"], participants=n, jp=p.spec.jp, hourly_cost=fs.hourly_cost,
                                jp_minutes=fs.jp_minutes, extra=fs.extra_costs)
    adjusted = float(est["adjusted"].sum())
    return Level5Result(isolation=fs.isolation, isolation_note=fs.isolation_note, estimates=est, participants=n,
                        benefits_raw=float(est["benefit"].sum()), benefits_isolated=float(est["isolated"].sum()),
                        benefits_adjusted=adjusted, costs=loaded,
                        roi=roi(adjusted, loaded["total"], period_months=fs.period_months),
                        intangibles=list(fs.intangibles), period_months=fs.period_months)



def evaluate(program: ProgramData, costs: dict | None) -> Level5Result | None:
    """Level 5 of ``program`` (``None`` without benefit estimates)."""
    if program.level5 is None or costs is None:
        return None
    return evaluate_level5(program, costs)

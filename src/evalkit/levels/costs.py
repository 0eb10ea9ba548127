"""Costs: total, per participant, per JP, per certified graduate, by category, and the same
course priced in another delivery mode (classroom vs online/SMART).

Reads ``costs:`` of program.yaml (schema :class:`~evalkit.ingest.spec.CostsSpec`). Rendered by
``report/sections/costs.py``.
"""
from __future__ import annotations

import pandas as pd

from ..ingest.program import ProgramData
from ..ingest.spec import CostsSpec

#: the program.yaml sections this level reads
SECTIONS = ("costs",)
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"costs": CostsSpec}


def evaluate_costs(p: ProgramData, level2) -> dict:
    """Direct costs of the program (the cost lines; Level 5 adds the participants' time and
    extra costs for the *fully loaded* cost): ``direct_total`` (= ``total``) Σ amount;
    ``per_participant`` = direct_total / participants; ``per_delivery_jp`` = direct_total / JP
    (the cost of one JP of the course); ``per_participant_jp`` = direct_total / (participants ×
    JP) (the cost of one JP of one participant's learning, as the institution dashboard sums
    it); ``per_certified`` = direct_total / participants who reached the pass mark (or were
    certified by the assessment path); ``by_category``; ``modes`` (another delivery mode)."""
    total = float(p.costs["amount"].sum())
    n = p.roster_size()
    jp = p.spec.jp
    out = {"total": total, "direct_total": total, "participants": n,
           "per_participant": total / n if n else None,
           # two different quantities, named by what they divide by (docs/metrics.md):
           "per_jp": total / jp if jp else None,                    # = per_delivery_jp (kept for old readers)
           "per_delivery_jp": total / jp if jp else None,           # direct cost / JP of the course
           "per_participant_jp": total / (n * jp) if n and jp else None,  # direct cost / (participants × JP)
           "by_category": {k: float(v) for k, v in p.costs.groupby("category")["amount"].sum().items()}}
    if p.costs_alternative is not None:
        out["modes"] = _mode_comparison(p, total, n)
    if level2 is not None and level2.pass_mark is not None:
        certified = int((p.level2["post"] >= level2.pass_mark).sum())
        out["certified"] = certified
        out["per_certified"] = total / certified if certified else None
        gain = level2.prepost.mean_diff
        out["per_point_gain_per_participant"] = total / n / gain if n and gain and gain > 0 else None
    return out


def _mode_comparison(p: ProgramData, total: float, n: int | None) -> pd.DataFrame:
    """The program's own delivery mode against the same course priced in another mode
    (:func:`~evalkit.stats.costs.compare_modes`; savings measured against classroom delivery
    when it is one of the two, else against the program's own mode)."""
    from ..stats.costs import compare_modes

    alt = p.spec.costs_alternative
    own = p.spec.delivery_mode
    lines = pd.DataFrame({own: list(p.costs["amount"]) + [0.0] * len(p.costs_alternative),
                          alt.mode: [0.0] * len(p.costs) + list(p.costs_alternative["amount"])})
    baseline = "classroom" if "classroom" in (own, alt.mode) else own
    return compare_modes(lines, participants={own: n, alt.mode: alt.participants or n},
                         modes={own: own, alt.mode: alt.mode}, baseline=baseline)



def evaluate(program: ProgramData, level2=None, assessment=None) -> dict | None:
    """The cost figures of ``program`` (``None`` without a cost sheet). ``certified``: those who
    passed the post-test (``level2``) or, with an assessment path, were certified by it."""
    if program.costs is None:
        return None
    out = evaluate_costs(program, level2)
    if assessment is not None:  # certified = exempted + passed the final test
        cert = int(assessment.funnel.loc["certified", "n"])
        out["certified"] = cert
        out["per_certified"] = out["total"] / cert if cert else None
    return out

"""The chain of evidence: each identified participant's score per level (reaction, learning,
behaviour) and the correlations between levels (:func:`~evalkit.stats.chain.correlate_levels`).
Rendered by ``report/sections/costs.py`` (chain part).
"""
from __future__ import annotations

import pandas as pd

from ..stats.reliability import scale_scores


def participant_scores(ev) -> pd.DataFrame | None:
    """One row per participant with the score of each level measured on identified people:
    ``reaction`` (overall Level 1 score), ``learning`` (post − pre, points), ``behaviour``
    (Level 3 change after − before of the mean over all items, raters combined with the
    Level 3 weights). None when fewer than two levels can be linked."""
    p = ev.program
    parts = []
    if ev.level1 is not None and ev.level1.respondents is not None and "participant" in ev.level1.respondents:
        r = ev.level1.respondents.dropna(subset=["participant"])
        parts.append(r.groupby("participant")["reaction"].mean())
    if p.level2 is not None:
        parts.append((p.level2.set_index("participant")["post"] - p.level2.set_index("participant")["pre"])
                     .rename("learning"))
    if ev.level3 is not None:
        ins = p.spec.instruments[p.spec.level3.instrument]
        items = [i for i in ins.items() if i in p.level3.columns]
        d = p.level3.assign(score=scale_scores(p.level3, items, [r for s in ins.scales.values() for r in s.reverse],
                                               ins.scale))
        wide = d.pivot_table(index=["participant", "rater"], columns="time", values="score", aggfunc="mean")
        if {"before", "after"} <= set(wide.columns):
            change = (wide["after"] - wide["before"]).unstack("rater")
            w = {rt: ev.level3.weights[rt] for rt in change.columns if rt in ev.level3.weights}
            if w:
                num = sum(change[rt].fillna(0) * wt for rt, wt in w.items())
                den = sum(change[rt].notna() * wt for rt, wt in w.items())
                parts.append((num / den.where(den > 0)).rename("behaviour"))
    if len(parts) < 2:
        return None
    out = pd.concat(parts, axis=1)
    out.index.name = "participant"
    return out.reset_index()


def evaluate(ev) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``(participant scores, correlations)`` of an evaluation, or ``(None, None)``."""
    from ..stats.chain import correlate_levels

    scores = participant_scores(ev)
    if scores is None:
        return None, None
    cols = [c for c in ("reaction", "learning", "behaviour") if c in scores]
    return scores, correlate_levels(scores, cols)

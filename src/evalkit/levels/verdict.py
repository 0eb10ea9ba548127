"""The verdict: did the training work? A status per level, an overall judgement, the strength
of the evidence, and the conclusions and recommendations that follow from the findings.

Every rule is stated here and every threshold comes from ``config/verdict.yaml`` (overridable
per program under ``verdict:`` in program.yaml); ``docs/metrics.md`` documents both.

Status per level (``met``, ``partly_met``, ``not_met``, ``not_measured``)
-------------------------------------------------------------------------
Level 1
    ``met`` when the overall mean reaches ``level1.min_band`` of the program's reaction band set
    ("baik"), ``partly_met`` one band below, else ``not_met``.
Level 2
    ``met`` when the paired t-test of post − pre is significant (``alpha``) with a positive mean
    difference, d_z ≥ ``min_d_z``, and — where defined — the post-test pass rate ≥
    ``min_pass_rate_post`` and Hake's class gain ≥ ``min_class_gain``; ``partly_met`` when the
    gain is significant but a target is missed; ``not_met`` when it is not significant.
Level 3
    On the ratings of ``level3.rater`` (the supervisors) when present, else every rater group:
    the share of aspects whose rating rose significantly (``alpha``); ``met`` from
    ``min_share_improved``, ``partly_met`` above 0, ``not_met`` at 0.
Level 4
    The share of indicators that reached their target (progress from baseline ≥ 100 %): ``met``
    from ``min_share_met``, ``partly_met`` above 0, ``not_met`` at 0.
Level 5
    ``met`` when ROI % > ``min_roi_pct``, else ``not_met``.

Overall (``effective``, ``partly_effective``, ``not_effective``, ``insufficient_evidence``)
-------------------------------------------------------------------------------------------
Learning (Level 2) and behaviour (Level 3) decide; Levels 1, 4 and 5 qualify.

* neither Level 2 nor Level 3 measured → ``insufficient_evidence``;
* every measured one of Levels 2 and 3 ``met``, and no measured level ``not_met`` → ``effective``;
* Level 2 ``not_met`` and Level 3 ``not_met`` or not measured, or Level 3 ``not_met`` with
  Level 2 not measured → ``not_effective``;
* otherwise → ``partly_effective``.

Evidence (``strong``, ``moderate``, ``weak``)
---------------------------------------------
The design bounds it: a single group measured before and after is at most ``moderate``; a
comparison group or several cohorts (``verdict.design``) can be ``strong``. One step down each
when Levels 3 and 4 were both not measured, and when the survey's response rate or the share
of pre/post pairs among enrolled participants is below ``evidence.min_response_rate``.
"""
from __future__ import annotations

import math

from .._config import load_config
from ..bands import band_sets

STATUSES = ("met", "partly_met", "not_met", "not_measured")
OVERALL = ("effective", "partly_effective", "not_effective", "insufficient_evidence")
EVIDENCE = ("strong", "moderate", "weak")


def criteria(spec) -> dict:
    """The criteria in force for a program: ``config/verdict.yaml`` with its overrides."""
    base = {k: dict(v) if isinstance(v, dict) else v for k, v in load_config("verdict").items()}
    over = getattr(spec, "verdict", None)
    if over is not None:
        for k in ("level1", "level2", "level3", "level4", "level5", "evidence"):
            base.setdefault(k, {}).update(getattr(over, k) or {})
        base["design"] = over.design
    else:
        base["design"] = "single_group"
    return base


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _level(status: str, criterion: str, reason: str, **params) -> dict:
    return {"status": status, "criterion": criterion, "reason": reason,
            "params": {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                       for k, v in params.items()}}


def level1(ev, c) -> dict:
    l1 = ev.level1
    if l1 is None:
        return _level("not_measured", "l1_band", "l1_not_measured")
    bset = l1.band_set
    if not bset or l1.overall_band is None:
        return _level("not_measured", "l1_band", "l1_no_band", mean=l1.overall_mean)
    keys = [b["key"] for b in band_sets()[bset]["bands"]]
    want = c["min_band"] if c["min_band"] in keys else keys[len(keys) // 2]
    got, need = keys.index(l1.overall_band), keys.index(want)
    status = "met" if got >= need else "partly_met" if got == need - 1 else "not_met"
    return _level(status, "l1_band", f"l1_{status}", mean=l1.overall_mean, band=l1.overall_band, min_band=want)


def level2(ev, c) -> dict:
    l2 = ev.level2
    if l2 is None:
        return _level("not_measured", "l2_gain", "l2_not_measured")
    r = l2.prepost
    t = r.tests.loc["paired_t"]
    dz = float(r.effect_sizes.loc["d_z", "estimate"])
    p = float(t.p_value)
    significant = _finite(p) and p < c["alpha"] and r.mean_diff > 0
    misses = []
    if not (_finite(dz) and dz >= c["min_d_z"]):
        misses.append("d_z")
    if l2.pass_rate_post is not None and l2.pass_rate_post < c["min_pass_rate_post"]:
        misses.append("pass_rate")
    g = (r.gain or {}).get("class_gain")
    if _finite(g) and g < c["min_class_gain"]:
        misses.append("class_gain")
    status = "not_met" if not significant else "met" if not misses else "partly_met"
    return _level(status, "l2_gain", f"l2_{status}", p=p, d_z=dz, mean_diff=r.mean_diff, alpha=c["alpha"],
                  min_d_z=c["min_d_z"], pass_rate_post=l2.pass_rate_post, min_pass_rate_post=c["min_pass_rate_post"],
                  class_gain=g, min_class_gain=c["min_class_gain"], missed=", ".join(misses) or "–")


def level3(ev, c) -> dict:
    l3 = ev.level3
    if l3 is None:
        return _level("not_measured", "l3_change", "l3_not_measured")
    tab = l3.table
    raters = list(tab.index.get_level_values("rater").unique())
    rater = c["rater"] if c["rater"] in raters else None
    sub = tab.xs(rater, level="rater") if rater else tab
    improved = int(((sub["diff"] > 0) & (sub["p_value"] < c["alpha"])).sum())
    n = int(len(sub))
    share = improved / n if n else 0.0
    status = "met" if share >= c["min_share_improved"] else "partly_met" if improved else "not_met"
    return _level(status, "l3_change", f"l3_{status}", improved=improved, aspects=n, share=share,
                  rater=rater or "all", min_share=c["min_share_improved"], alpha=c["alpha"])


def level4(ev, c) -> dict:
    l4 = ev.level4
    if l4 is None or not len(l4):
        return _level("not_measured", "l4_targets", "l4_not_measured")
    met = int(l4["target_met"].sum())
    n = int(len(l4))
    share = met / n
    status = "met" if share >= c["min_share_met"] else "partly_met" if met else "not_met"
    return _level(status, "l4_targets", f"l4_{status}", met=met, indicators=n, share=share,
                  min_share=c["min_share_met"])


def level5(ev, c) -> dict:
    l5 = ev.level5
    if l5 is None:
        return _level("not_measured", "l5_roi", "l5_not_measured")
    roi = l5.roi["roi_pct"]
    status = "met" if _finite(roi) and roi > c["min_roi_pct"] else "not_met"
    return _level(status, "l5_roi", f"l5_{status}", roi_pct=roi, min_roi_pct=c["min_roi_pct"])


def overall(levels: dict[int, dict]) -> tuple[str, str]:
    """``(overall, rule key)`` from the level statuses (module docstring)."""
    s2, s3 = levels[2]["status"], levels[3]["status"]
    if s2 == "not_measured" and s3 == "not_measured":
        return "insufficient_evidence", "overall_no_l2_l3"
    measured = [lv["status"] for lv in levels.values() if lv["status"] != "not_measured"]
    core = [s for s in (s2, s3) if s != "not_measured"]
    if all(s == "met" for s in core) and "not_met" not in measured:
        return "effective", "overall_effective"
    if (s2 == "not_met" and s3 in ("not_met", "not_measured")) or (s3 == "not_met" and s2 == "not_measured"):
        return "not_effective", "overall_not_effective"
    return "partly_effective", "overall_partly"


def evidence(ev, levels: dict[int, dict], c: dict) -> tuple[str, list[str]]:
    """``(evidence strength, reasons)`` (module docstring)."""
    order = list(EVIDENCE)
    rank = 0 if c.get("design") in ("comparison_group", "multiple_cohorts") else 1
    reasons = ["design_" + c.get("design", "single_group")]
    if levels[3]["status"] == "not_measured" and levels[4]["status"] == "not_measured":
        rank += 1
        reasons.append("no_l3_l4")
    flow = ev.program.participant_flow()
    enrolled = flow.get("enrolled")
    low = []
    if enrolled:
        for k in ("survey", "pairs"):
            v = flow.get(k)
            if v is not None and v / enrolled < c["evidence"]["min_response_rate"]:
                low.append(k)
    if low:
        rank += 1
        reasons.append("low_response_" + "_".join(low))
    return order[min(rank, len(order) - 1)], reasons


def recommendations(ev, levels: dict[int, dict]) -> list[dict]:
    """Recommendations, each tied to the finding it comes from (``key``, ``params``, ``finding``):
    first the decision the verdict supports (run again as it is, with the changes below, not in
    this form, or measure more before deciding), then the weakest Level 1 dimension and its lowest item, a missed Level 2 target, aspects without
    change, indicators short of target, a negative ROI, the cheaper delivery mode per certified
    graduate."""
    out: list[dict] = [{"key": f"rec_decision_{overall(levels)[0]}", "finding": "overall", "params": {}}]
    l1 = ev.level1
    if l1 is not None and l1.scales:
        weakest = min(l1.scales.values(), key=lambda s: s.mean)
        item = None
        if weakest.items:
            df = ev.program.level1
            lo, hi = l1.scale_range
            means = {i: (lo + hi - df[i]).mean() if i in weakest.reverse else df[i].mean() for i in weakest.items}
            item = min(means, key=means.get)
        # the question as the respondents read it (the export's header mapped to the item), else the item id
        fs = ev.program.spec.level1
        question = {v: k for k, v in (fs.columns or {}).items()}.get(item, item) if fs is not None else item
        out.append({"key": "rec_l1_weakest", "finding": "level1",
                    "params": {"scale": weakest.name, "label": weakest.label, "mean": weakest.mean, "item": question,
                               "band": weakest.band}})
    s2 = levels[2]
    if s2["status"] in ("partly_met", "not_met"):
        out.append({"key": f"rec_l2_{s2['status']}", "finding": "level2", "params": dict(s2["params"])})
    if ev.level2 is not None and ev.level2.items is not None:
        it = ev.level2.items.items
        poor = it.index[it["discrimination_band"] == "poor"].tolist()
        if poor:
            out.append({"key": "rec_l2_poor_items", "finding": "level2_items", "params": {"items": ", ".join(poor),
                                                                                         "n": len(poor)}})
    s3 = levels[3]
    if s3["status"] in ("partly_met", "not_met") and ev.level3 is not None:
        tab = ev.level3.table
        rater = s3["params"].get("rater")
        sub = tab.xs(rater, level="rater") if rater and rater != "all" else tab.droplevel("rater")
        flat = sub.index[~((sub["diff"] > 0) & (sub["p_value"] < 0.05))].unique().tolist()
        ins = ev.program.spec.instruments[ev.program.spec.level3.instrument]
        labels = [ins.scales[a].label if a in ins.scales and ins.scales[a].label else {"id": a, "en": a} for a in flat]
        out.append({"key": "rec_l3_aspects", "finding": "level3",
                    "params": {"aspects": {lang: ", ".join(lb.get(lang) or lb.get("en") or "" for lb in labels)
                                           for lang in ("id", "en")}, "n": len(flat)}})
    if ev.level4 is not None and len(ev.level4):
        short = ev.level4.loc[~ev.level4["target_met"], "indicator"].tolist()
        if short:
            out.append({"key": "rec_l4_short", "finding": "level4",
                        "params": {"indicators": "; ".join(map(str, short)), "n": len(short)}})
    if ev.level5 is not None and levels[5]["status"] == "not_met":
        out.append({"key": "rec_l5_negative", "finding": "level5", "params": {"roi_pct": ev.level5.roi["roi_pct"]}})
    c = ev.costs or {}
    modes = c.get("modes")
    if modes is not None and "per_participant" in getattr(modes, "columns", []):
        own = ev.program.spec.delivery_mode
        cheapest = modes["per_participant"].idxmin()
        if cheapest != own:
            out.append({"key": "rec_costs_mode", "finding": "costs",
                        "params": {"mode": cheapest, "own": own,
                                   "per_participant": float(modes.loc[cheapest, "per_participant"]),
                                   "own_per_participant": float(modes.loc[own, "per_participant"])}})
    jp = ev.program.spec.jp
    if jp is not None and jp < 20:
        out.append({"key": "rec_jp_short", "finding": "jp", "params": {"jp": jp, "required": 20}})
    return out


def conclusions(levels: dict[int, dict], result: str, strength: str) -> list[dict]:
    """One conclusion per measured level and one overall (``key``, ``params``, ``finding``)."""
    out = [{"key": f"concl_{result}", "finding": "overall", "params": {"evidence": strength}}]
    for n, lv in levels.items():
        if lv["status"] != "not_measured":
            out.append({"key": lv["reason"], "finding": f"level{n}", "params": dict(lv["params"])})
    return out


def evaluate(ev) -> dict:
    """The verdict of one :class:`~evalkit.evaluation.ProgramEvaluation`: ``overall``,
    ``evidence``, ``evidence_reasons``, ``rule``, ``levels`` (``{1: {status, criterion, reason,
    params}, …}``), ``criteria`` (the thresholds used), ``conclusions`` and ``recommendations``.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> from evalkit import load_program, evaluate as run
    >>> v = run(load_program(sample_program("pkp-2026-angkatan-2"))).verdict
    >>> v["overall"], v["levels"][2]["status"]
    ('not_effective', 'not_met')
    """
    c = criteria(ev.program.spec)
    levels = {1: level1(ev, c["level1"]), 2: level2(ev, c["level2"]), 3: level3(ev, c["level3"]),
              4: level4(ev, c["level4"]), 5: level5(ev, c["level5"])}
    result, rule = overall(levels)
    strength, why = evidence(ev, levels, c)
    return {"overall": result, "rule": rule, "evidence": strength, "evidence_reasons": why, "levels": levels,
            "criteria": c, "conclusions": conclusions(levels, result, strength),
            "recommendations": recommendations(ev, levels)}

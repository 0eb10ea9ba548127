"""Level 2 — learning: pre/post tests (paired t, Wilcoxon, effect sizes, normalized gain,
pass rates and McNemar's test of competence before/after), the post-test's item analysis and,
for programs with an assessment path (SMART), the funnel of placement, module and final exams.

Reads ``level2:``, ``test_items:`` and ``assessment:`` of program.yaml (schemas
:class:`~evalkit.ingest.spec.Level2Spec`, :class:`~evalkit.ingest.spec.TestItemsSpec`,
:class:`~evalkit.ingest.spec.AssessmentSpec`). Rendered by ``report/sections/level2.py``.
"""
from __future__ import annotations

from dataclasses import dataclass


from ..ingest.program import ProgramData
from ..ingest.spec import AssessmentSpec, Level2Spec, TestItemsSpec
from ..stats.assessment import AssessmentResult, assessment_path
from ..stats.groups import mcnemar
from ..stats.items import ItemAnalysisResult, item_analysis
from ..stats.prepost import PrePostResult, prepost

#: the program.yaml sections this level reads
SECTIONS = ("level2", "test_items", "assessment")
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"level2": Level2Spec, "test_items": TestItemsSpec, "assessment": AssessmentSpec}


def hake_cutoffs() -> tuple[float, float]:
    """The normalized gain's band cut-offs from the ``hake`` band set of ``config/bands.yaml``."""
    from ..bands import band_sets

    mins = [float(b["min"]) for b in band_sets()["hake"]["bands"] if float(b["min"]) > float("-inf")]
    return mins[0], mins[1]


@dataclass
class Level2Result:
    prepost: PrePostResult
    max_score: float
    pass_mark: float | None
    pass_rate_pre: float | None
    pass_rate_post: float | None
    n_roster: int
    items: ItemAnalysisResult | None = None  # analysis of the test's items (KR-20, p, D)
    mcnemar: dict | None = None  # competent (≥ pass mark) before vs after, matched pairs


def evaluate_level2(p: ProgramData, seed: int | None = 2026) -> Level2Result:
    fs = p.spec.level2
    df = p.level2.set_index("participant")
    res = prepost(df["pre"], df["post"], max_score=fs.max_score, reliability=fs.reliability, seed=seed,
                  gain_cutoffs=hake_cutoffs())
    pr_pre = pr_post = None
    if fs.pass_mark is not None:
        pr_pre = float((df["pre"].dropna() >= fs.pass_mark).mean())
        pr_post = float((df["post"].dropna() >= fs.pass_mark).mean())
    mc = None
    if fs.pass_mark is not None:
        pairs = df[["pre", "post"]].dropna()
        mc = mcnemar(pairs["pre"] >= fs.pass_mark, pairs["post"] >= fs.pass_mark)
    items = None
    if p.test_items is not None:
        cols = [c for c in p.spec.test_items.item_list() if c in p.test_items.columns]
        items = item_analysis(p.test_items, cols)
    return Level2Result(prepost=res, max_score=fs.max_score, pass_mark=fs.pass_mark,
                        pass_rate_pre=pr_pre, pass_rate_post=pr_post, n_roster=len(df), items=items,
                        mcnemar=mc)



def evaluate_assessment(p: ProgramData) -> AssessmentResult | None:
    """The assessment path (SMART funnel) with the program's pass marks and attempt limits."""
    if p.assessment is None:
        return None
    sp = p.spec.assessment
    return assessment_path(p.assessment, placement_pass=sp.placement_pass, module_pass=sp.module_pass,
                           max_module_attempts=sp.max_module_attempts, final_pass=sp.final_pass,
                           max_final_attempts=sp.max_final_attempts)


def evaluate(program: ProgramData, *, seed: int | None = 2026) -> Level2Result | None:
    """Level 2 of ``program`` (``None`` when it has no pre/post scores)."""
    if program.level2 is None:
        return None
    return evaluate_level2(program, seed=seed)

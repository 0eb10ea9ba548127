"""One program's evaluation: the thin orchestrator that runs the levels a program has.

:func:`evaluate` takes a validated :class:`~evalkit.ingest.ProgramData`, runs each analysis
unit of :mod:`evalkit.levels` for which the program has data (reaction, learning, behaviour,
results, roi, costs, chain of evidence), then the verdict (:mod:`evalkit.levels.verdict`), and
returns a :class:`ProgramEvaluation`; the report renders it and ``metrics.json`` is its
:meth:`ProgramEvaluation.metrics`. Nothing here reads raw files or formats anything.

The result classes and per-level functions are importable from here as before
(``evalkit.evaluation.evaluate_level2`` …); their home is the level's module.
"""
from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .ingest.program import ProgramData
from .levels import behaviour, chain, costs as costs_level, instruments, learning, reaction, results, roi, verdict
from .levels.behaviour import Level3Result, _level3_weights, evaluate_level3  # noqa: F401
from .levels.chain import participant_scores  # noqa: F401
from .levels.costs import _mode_comparison, evaluate_costs  # noqa: F401
from .levels.learning import Level2Result, evaluate_level2  # noqa: F401
from .levels.reaction import Level1Result, ScaleResult, _distribution, evaluate_instructors, evaluate_level1  # noqa: F401
from .levels.results import evaluate_level4  # noqa: F401
from .levels.roi import Level5Result, evaluate_level5  # noqa: F401
from .stats.assessment import AssessmentResult


@dataclass
class ProgramEvaluation:
    """Everything computed for one program. ``None`` for a level without data."""

    program: ProgramData
    level1: Level1Result | None = None
    level2: Level2Result | None = None
    level3: Level3Result | None = None
    level4: pd.DataFrame | None = None
    costs: dict | None = None
    assessment: AssessmentResult | None = None
    level5: Level5Result | None = None
    #: per-instructor results (:func:`evaluate_instructors`), when the program rates instructors
    instructors: pd.DataFrame | None = None
    #: per-participant scores of the levels (``participant, reaction, learning, behaviour``)
    #: and their correlations (:func:`~evalkit.stats.chain.correlate_levels`), when ≥ 2 levels
    #: were measured on identified participants
    participant_scores: pd.DataFrame | None = None
    chain: pd.DataFrame | None = None
    parameters: dict = field(default_factory=dict)
    #: the verdict per level and overall (:func:`evalkit.levels.verdict.evaluate`)
    verdict: dict | None = None
    #: construct validity of the instruments with ``validate:`` (:mod:`evalkit.levels.instruments`):
    #: ``{instrument: InstrumentValidation}``, or the evalkit error that prevented the analysis
    instrument_validation: dict = field(default_factory=dict)

    @property
    def measured(self) -> dict[int, bool]:
        return {1: self.level1 is not None, 2: self.level2 is not None,
                3: self.level3 is not None, 4: self.level4 is not None, 5: self.level5 is not None}

    def metrics(self) -> dict:
        """The content of ``metrics.json`` (documented in ``docs/metrics.md``)."""
        p = self.program
        m: dict = {
            "program_id": p.program_id,
            "program_name": p.spec.name,
            "institution": p.spec.institution,
            "cohort": p.spec.cohort,
            "evalkit_version": __version__,
            "git_commit": git_commit(),
            "parameters": self.parameters,
            "inputs": [{"path": k, "sha256": v} for k, v in sorted(p.inputs.items())],
            "levels_measured": {f"level{k}": v for k, v in self.measured.items()},
            "participant_flow": p.participant_flow(),
            "linkage": [] if p.linkage is None else [
                {k: (int(v) if isinstance(v, (int, np.integer)) else v) for k, v in r.items()}
                for r in p.linkage.to_dict("records")],
            "input_warnings": [{"key": w.key, "severity": w.severity, "file": w.file, "column": w.column,
                                "row": w.row} for w in p.warnings],
        }
        if self.verdict is not None:
            m["verdict"] = verdict_metrics(self.verdict)
        if self.instrument_validation:
            m["instrument_validation"] = {name: _validation_metrics(v) for name, v in self.instrument_validation.items()}
        if self.level1 is not None:
            l1 = self.level1
            m["level1"] = {
                "n_respondents": l1.n_respondents,
                "overall_mean": _f(l1.overall_mean),
                "overall_band": l1.overall_band,
                "scales": {
                    name: {"k": len(s.items), "n": s.n, "mean": _f(s.mean), "sd": _f(s.sd), "band": s.band,
                           "agree_share": _f(s.agree_share),
                           "alpha": _f(s.reliability.alpha) if s.reliability else None,
                           "alpha_ci": [_f(s.reliability.coefficients.loc["alpha", "ci_low"]),
                                        _f(s.reliability.coefficients.loc["alpha", "ci_high"])]
                           if s.reliability else None,
                           "alpha_ci_method": "Feldt",
                           "omega_total": _f(s.reliability.coefficients.loc["omega_total", "estimate"])
                           if s.reliability else None}
                    for name, s in l1.scales.items()},
            }
            if l1.ikm is not None:
                m["level1"]["ikm"] = {k: (_f(v) if isinstance(v, float) else v) for k, v in l1.ikm.items()}
        if self.level2 is not None:
            r = self.level2.prepost
            t = r.tests.loc["paired_t"]
            g = r.gain or {}
            m["level2"] = {
                "n_pairs": r.n, "n_unmatched": r.n_unmatched, "n_missing": r.n_missing,
                "pre_mean": _f(r.pre_mean), "post_mean": _f(r.post_mean),
                "pre_sd": _f(r.pre_sd), "post_sd": _f(r.post_sd),
                "mean_diff": _f(r.mean_diff), "t": _f(t.statistic), "df": int(t["df"]), "p_value": _f(t.p_value),
                "mean_diff_ci": [_f(t.ci_low), _f(t.ci_high)],
                "d_z": _f(r.effect_sizes.loc["d_z", "estimate"]),
                "d_z_ci": [_f(r.effect_sizes.loc["d_z", "ci_low"]), _f(r.effect_sizes.loc["d_z", "ci_high"])],
                "class_gain": _f(g.get("class_gain")), "hake_band": g.get("band"),
                "mean_individual_gain": _f(g.get("mean_individual_gain")),
                "max_score": self.level2.max_score, "pass_mark": self.level2.pass_mark,
                "pass_rate_pre": _f(self.level2.pass_rate_pre), "pass_rate_post": _f(self.level2.pass_rate_post),
                "wilcoxon_p_value": _f(r.tests.loc["wilcoxon", "p_value"]),
            }
            if self.level2.mcnemar is not None:
                mc = self.level2.mcnemar
                m["level2"]["mcnemar"] = {"b": mc["b"], "c": mc["c"], "statistic": _f(mc["statistic"]),
                                          "p_value": _f(mc["p_value"]), "method": mc["method"]}
            if self.level2.items is not None:
                it = self.level2.items
                m["level2"]["test_items"] = {
                    "k": it.k, "n": it.n, "kr20": _f(it.kr20),
                    "poor_items": it.items.index[it.items["discrimination_band"] == "poor"].tolist()}
        if self.level3 is not None:
            l3 = self.level3
            m["level3_agreement"] = ({f"{a}|{t}": {k: _f(v) for k, v in r.items()}
                                      for (a, t), r in l3.agreement.iterrows()} if l3.agreement is not None else None)
            m["level3_combined"] = {"weights": l3.weights, "aspects": {a: {k: _f(v) for k, v in r.items()}
                                                                      for a, r in l3.combined.iterrows()}}
            m["level3"] = {"n_participants": self.level3.n_participants,
                           "aspects": {f"{a}|{rt}": {k: _f(v) for k, v in row.items() if k in
                                                     ("before", "after", "diff", "d_z", "p_value", "alpha")}
                                       for (a, rt), row in self.level3.table.iterrows()}}
        if self.level4 is not None:
            m["level4"] = {"band_set": self.level4.attrs.get("band_set"),
                           "targets_met": int(self.level4["target_met"].sum()), "indicators_n": len(self.level4),
                           "indicators": [{"indicator": r["indicator"], "progress_pct": _f(r["progress_pct"]),
                                           "achievement_pct": _f(r["achievement_pct"]),
                                           "achievement_band": r["achievement_band"]}
                                          for _, r in self.level4.iterrows()]}
        if self.instructors is not None:
            m["instructors"] = [{k: (_f(v) if isinstance(v, (float, np.floating)) else
                                     (bool(v) if isinstance(v, (bool, np.bool_)) else v)) for k, v in row.items()}
                                for row in self.instructors.to_dict("records")]
        if self.chain is not None:
            m["chain"] = [{k: (_f(v) if k not in ("x", "y") else v) for k, v in row.items()}
                          for row in self.chain.to_dict("records")]
        if self.level5 is not None:
            l5 = self.level5
            m["level5"] = {"isolation": l5.isolation, "n_estimates": l5.n_estimates, "participants": l5.participants,
                           "benefits_raw": l5.benefits_raw, "benefits_isolated": l5.benefits_isolated,
                           "benefits_adjusted": l5.benefits_adjusted, "period_months": l5.period_months,
                           "costs": {k: _f(v) for k, v in l5.costs.items()},
                           "fully_loaded_total": _f(l5.costs["total"]),
                           "bcr": _f(l5.roi["bcr"]), "roi_pct": _f(l5.roi["roi_pct"]),
                           "payback_months": _f(l5.roi.get("payback_months")), "intangibles": l5.intangibles}
        if self.assessment is not None:
            a = self.assessment
            m["assessment"] = {"funnel": {k: int(v) for k, v in a.funnel["n"].items()},
                               "certification_rate": _f(a.certification_rate),
                               "median_days_to_certificate": _f(a.time_to_certificate["median_days"]),
                               "first_attempt_pass_rate": {k: _f(v) for k, v in
                                                           a.modules["first_attempt_pass_rate"].items()},
                               "violations": int(len(a.violations))}
        if self.costs is not None:
            m["costs"] = {k: _f(v) if isinstance(v, (int, float)) else v for k, v in self.costs.items()
                          if k != "modes"}
            if "modes" in self.costs:
                m["costs"]["modes"] = {mode: {k: _f(v) for k, v in row.items()}
                                       for mode, row in self.costs["modes"].iterrows()}
        return m


def verdict_metrics(v: dict) -> dict:
    """``metrics.json``'s ``verdict``: ``overall``, ``evidence`` and per level ``status``,
    ``criterion``, ``reason`` (in words, ``{"id": …, "en": …}``) and the figures behind it;
    ``conclusions`` and ``recommendations`` in both languages (docs/metrics.md)."""
    from .i18n import verdict_words

    words = {lang: verdict_words(v, lang) for lang in ("id", "en")}

    def clean(params):
        return {k: (_f(x) if isinstance(x, (int, float, np.floating)) and not isinstance(x, bool) else x)
                for k, x in params.items()}

    return {
        "overall": v["overall"], "evidence": v["evidence"], "rule": v["rule"],
        "evidence_reasons": v["evidence_reasons"],
        "headline": {lang: w["headline"] for lang, w in words.items()},
        "levels": {f"level{n}": {"status": lv["status"], "criterion": lv["criterion"],
                                 "criterion_text": {lang: w["levels"][n]["criterion_text"] for lang, w in words.items()},
                                 "reason": {lang: w["levels"][n]["reason_text"] for lang, w in words.items()},
                                 "figures": clean(lv["params"])}
                   for n, lv in v["levels"].items()},
        "criteria": {k: c for k, c in v["criteria"].items()},
        "conclusions": {lang: w["conclusions_text"] for lang, w in words.items()},
        "recommendations": [{"key": r["key"], "finding": r["finding"],
                             "text": {lang: words[lang]["recommendations_text"][i] for lang in words}}
                            for i, r in enumerate(v["recommendations"])],
    }


def _validation_metrics(v) -> dict:
    """One instrument's construct validity for metrics.json: ``method``, ``kmo``, ``bartlett``
    (statistic, df, p), ``fit`` (cfa: chisq, df, pvalue, cfi, tli, rmsea + CI, srmr), ``checks``
    (criterion, value, cut-off, pass), or ``error`` (the key of what prevented it)."""
    from .errors import EvalkitError

    if isinstance(v, EvalkitError):
        return {"error": v.problems[0].key}
    out = {"method": v.method, "kmo": _f(v.kmo.overall),
           "bartlett": {"statistic": _f(v.bartlett.statistic), "df": _f(v.bartlett.df), "pvalue": _f(v.bartlett.pvalue)},
           "checks": [{k: (_f(x) if isinstance(x, (float, np.floating)) else
                           bool(x) if isinstance(x, (bool, np.bool_)) else x) for k, x in r.items()}
                      for r in v.checks.to_dict("records")]}
    if v.cfa is not None:
        out["fit"] = {k: _f(x) for k, x in dict(v.cfa.fit).items()}
    return out


def _f(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


_COMMITS: dict[Path, str | None] = {}


def git_commit(cwd: Path | None = None) -> str | None:
    """The commit of the evalkit checkout (``None`` outside git), with ``-dirty`` if changed.

    Asked of git once per process and folder (a report asks four times: ``metrics.json``, the
    methods, the colophon; a batch's kernels inherit the answer from their fork server): the
    code a process runs is the code it imported when it started, whatever is checked out later."""
    here = cwd or Path(__file__).resolve().parent
    if here not in _COMMITS:
        _COMMITS[here] = _ask_git(here)
    return _COMMITS[here]


def _ask_git(here: Path) -> str | None:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5).stdout.strip()
        if not sha:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def evaluate(program: ProgramData, *, seed: int | None = 2026, ci_method: str = "feldt",
             parameters: dict | None = None) -> ProgramEvaluation:
    """Evaluate every level for which ``program`` has data.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> from evalkit.ingest import load_program
    >>> ev = evaluate(load_program(sample_program("mot-2026-angkatan-1")))
    >>> ev.measured
    {1: True, 2: True, 3: False, 4: False, 5: False}
    """
    ev = ProgramEvaluation(program=program, parameters=dict(parameters or {}))
    ev.level1 = reaction.evaluate(program, ci_method=ci_method, seed=seed)
    if program.instructors is not None:
        ev.instructors = evaluate_instructors(program)
    ev.level2 = learning.evaluate(program, seed=seed)
    ev.level3 = behaviour.evaluate(program)
    ev.level4 = results.evaluate(program)
    ev.assessment = learning.evaluate_assessment(program)
    ev.costs = costs_level.evaluate(program, ev.level2, ev.assessment)
    ev.level5 = roi.evaluate(program, ev.costs)
    ev.participant_scores, ev.chain = chain.evaluate(ev)
    ev.instrument_validation = instruments.evaluate(program, seed=seed if seed is not None else 2026)
    ev.verdict = verdict.evaluate(ev)
    return ev

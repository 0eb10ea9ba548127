"""One program's evaluation: every level it has data for, as results and metrics.

:func:`evaluate` takes a validated :class:`~evalkit.ingest.ProgramData` and returns a
:class:`ProgramEvaluation`; the report notebook displays it and ``metrics.json`` is
its :meth:`ProgramEvaluation.metrics`. Nothing here reads raw files.
"""
from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .bands import band, band_set_for
from .ingest.program import ProgramData
from .errors import StatisticsError
from .stats.agreement import icc
from .stats.assessment import AssessmentResult, assessment_path
from .stats.groups import mcnemar
from .stats.items import ItemAnalysisResult, item_analysis, item_validity
from .stats.prepost import PrePostResult, prepost
from .stats.reliability import ReliabilityResult, reliability, scale_scores


@dataclass
class ScaleResult:
    """Level 1 (or Level 3) result for one scale."""

    name: str
    label: dict
    items: list[str]
    reverse: list[str]
    n: int
    mean: float
    sd: float
    band: str | None
    reliability: ReliabilityResult | None
    distribution: pd.DataFrame  # item x response value counts (raw answers), plus 'missing'
    validity: pd.DataFrame | None = None  # uji validitas (item–total r vs critical r)


@dataclass
class Level1Result:
    n_respondents: int
    scales: dict[str, ScaleResult]
    overall_mean: float
    overall_band: str | None
    comments: pd.DataFrame | None
    scale_range: tuple[float, float]
    #: the band set of the means (config/bands.yaml), or None when no set fits the scale
    band_set: str | None = None
    #: each respondent's overall score (mean of the scale scores), with ``participant`` when known
    respondents: pd.DataFrame | None = None
    #: the IKM (:func:`~evalkit.stats.impact.ikm`) when the instrument is the 9-element one
    ikm: dict | None = None

    def table(self) -> pd.DataFrame:
        rows = []
        for s in self.scales.values():
            rel = s.reliability
            a = rel.coefficients.loc["alpha"] if rel is not None else None
            rows.append({"scale": s.name, "k": len(s.items), "n": s.n, "mean": s.mean, "sd": s.sd,
                         "band": s.band, "alpha": a.estimate if a is not None else np.nan,
                         "alpha_ci_low": a.ci_low if a is not None else np.nan,
                         "alpha_ci_high": a.ci_high if a is not None else np.nan,
                         "omega_total": rel.coefficients.loc["omega_total", "estimate"] if rel else np.nan})
        return pd.DataFrame(rows).set_index("scale")


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


@dataclass
class Level3Result:
    table: pd.DataFrame  # aspect x rater: before, after, diff, d_z, p, alpha (after)
    n_participants: int
    agreement: pd.DataFrame | None = None  # aspect x time: ICC(A,1) alumni vs supervisor, CI, n
    combined: pd.DataFrame | None = None   # aspect: weighted before, after, change
    weights: dict | None = None

    def improved(self, rater: str = "atasan", alpha: float = 0.05) -> tuple[int, int]:
        """``(aspects that rose significantly, aspects)`` by ``rater``'s ratings (all rows if that
        rater is absent)."""
        tab = self.table
        sub = tab.xs(rater, level="rater") if rater in tab.index.get_level_values("rater") else tab
        return int(((sub["diff"] > 0) & (sub["p_value"] < alpha)).sum()), len(sub)


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
        }
        if self.level1 is not None:
            l1 = self.level1
            m["level1"] = {
                "n_respondents": l1.n_respondents,
                "overall_mean": _f(l1.overall_mean),
                "overall_band": l1.overall_band,
                "scales": {
                    name: {"k": len(s.items), "n": s.n, "mean": _f(s.mean), "sd": _f(s.sd), "band": s.band,
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


def _f(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def git_commit(cwd: Path | None = None) -> str | None:
    """The commit of the evalkit checkout (``None`` outside git), with ``-dirty`` if changed."""
    here = cwd or Path(__file__).resolve().parent
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


def _distribution(df: pd.DataFrame, items: list[str], scale: tuple[float, float]) -> pd.DataFrame:
    values = np.arange(int(scale[0]), int(scale[1]) + 1)
    rows = {}
    for i in items:
        s = df[i]
        counts = s.value_counts().reindex(values, fill_value=0)
        rows[i] = list(counts.to_numpy()) + [int(s.isna().sum())]
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*map(int, values), "missing"])


def evaluate_level1(p: ProgramData, ci_method: str = "feldt", seed: int | None = None) -> Level1Result:
    fs = p.spec.level1
    ins = p.spec.instruments[fs.instrument]
    df = p.level1
    bset = band_set_for("reaction", p.spec.bands, ins.scale, ins.kind)
    scales = {}
    all_scores = []
    for name, sub in ins.scales.items():
        items = [i for i in sub.items if i in df.columns]
        score = scale_scores(df, items, sub.reverse, ins.scale)
        all_scores.append(score)
        rel = val = None
        if len(items) >= 2:
            rel = reliability(df, items, reverse=sub.reverse, scale=ins.scale, ci_method=ci_method, seed=seed)
            val = item_validity(df, items, reverse=sub.reverse, scale=ins.scale)
        mean = float(score.mean())
        scales[name] = ScaleResult(
            name=name, label=sub.label or {"id": name, "en": name}, items=items, reverse=list(sub.reverse),
            n=int(score.notna().sum()), mean=mean, sd=float(score.std(ddof=1)),
            band=band(mean, bset) if bset else None,
            reliability=rel, distribution=_distribution(df, items, ins.scale), validity=val)
    overall = pd.concat(all_scores, axis=1).mean(axis=1)
    om = float(overall.mean())
    resp = pd.DataFrame({"reaction": overall})
    if "participant" in df.columns:
        resp.insert(0, "participant", df["participant"])
    ikm_result = None
    if ins.kind == "ikm":
        from .stats.impact import ikm

        ikm_result = ikm(df, items=ins.items())
    return Level1Result(n_respondents=len(df), scales=scales, overall_mean=om,
                        overall_band=band(om, bset) if bset else None,
                        comments=p.level1_comments, scale_range=tuple(ins.scale), band_set=bset, respondents=resp,
                        ikm=ikm_result)


def evaluate_level2(p: ProgramData, seed: int | None = 2026) -> Level2Result:
    fs = p.spec.level2
    df = p.level2.set_index("participant")
    res = prepost(df["pre"], df["post"], max_score=fs.max_score, reliability=fs.reliability, seed=seed)
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


def evaluate_level3(p: ProgramData) -> Level3Result:
    fs = p.spec.level3
    ins = p.spec.instruments[fs.instrument]
    df = p.level3
    rows = []
    scored = {}  # aspect → the ratings with the aspect's scale score
    for aspect, sub in ins.scales.items():
        items = [i for i in sub.items if i in df.columns]
        d = df.assign(score=scale_scores(df, items, sub.reverse, ins.scale))
        scored[aspect] = d
        for rater, g in d.groupby("rater", sort=True):
            wide = g.pivot_table(index="participant", columns="time", values="score", aggfunc="first")
            if not {"before", "after"} <= set(wide.columns):
                continue
            pair = wide.dropna(subset=["before", "after"])
            row = {"aspect": aspect, "rater": rater, "n": len(pair), "before": pair["before"].mean(),
                   "after": pair["after"].mean(), "diff": np.nan, "d_z": np.nan, "p_value": np.nan}
            if len(pair) >= 2:
                r = prepost(pair["before"], pair["after"])
                row.update(diff=r.mean_diff, d_z=r.effect_sizes.loc["d_z", "estimate"],
                           p_value=r.tests.loc["paired_t", "p_value"])
            after = g[g["time"] == "after"]
            row["alpha"] = (reliability(after, items, reverse=sub.reverse, scale=ins.scale,
                                        omega_if_deleted=False).alpha if len(items) >= 2 else np.nan)
            rows.append(row)
    table = pd.DataFrame(rows).set_index(["aspect", "rater"])
    weights = _level3_weights(fs.weights, table.index.get_level_values("rater").unique())
    agree, comb = [], []
    for aspect, d in scored.items():
        if {"alumni", "atasan"} <= set(d["rater"]):
            for time in ("before", "after"):
                g = d[(d["time"] == time) & d["rater"].isin(["alumni", "atasan"])].dropna(subset=["score"])
                try:
                    res = icc(g, targets="participant", raters="rater", ratings="score")
                except StatisticsError:  # too few complete pairs: no agreement figure for this aspect
                    continue
                r = res.loc["ICC2"]
                agree.append({"aspect": aspect, "time": time, "icc2": r.estimate, "ci_low": r.ci_low,
                              "ci_high": r.ci_high, "n": res.attrs["n"]})
        row = {"aspect": aspect}
        for time in ("before", "after"):
            means = {rt: table.loc[(aspect, rt), time] for rt in weights if (aspect, rt) in table.index}
            total_w = sum(weights[rt] for rt in means)
            row[time] = sum(weights[rt] * m for rt, m in means.items()) / total_w if total_w else np.nan
        row["change"] = row["after"] - row["before"]
        comb.append(row)
    return Level3Result(table=table, n_participants=int(df["participant"].nunique()),
                        agreement=pd.DataFrame(agree).set_index(["aspect", "time"]) if agree else None,
                        combined=pd.DataFrame(comb).set_index("aspect"), weights=weights)


def _level3_weights(program_weights, raters) -> dict:
    """Rater weights of the combined score: the program's, else config/level3.yaml, for the raters present."""
    from ._config import load_config

    if program_weights:
        w = {str(k).lower(): float(v) for k, v in program_weights.items()}
    else:
        w = load_config("level3")["weights"]
    return {r: float(w[r]) for r in raters if r in w and w[r] > 0}


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


def evaluate_costs(p: ProgramData, level2: Level2Result | None) -> dict:
    total = float(p.costs["amount"].sum())
    n = p.roster_size()
    out = {"total": total, "participants": n,
           "per_participant": total / n if n else None,
           "per_jp": total / p.spec.jp if p.spec.jp else None,
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


def evaluate_level5(p: ProgramData, costs: dict) -> Level5Result:
    """Phillips ROI from the program's benefit estimates and its fully loaded costs.

    Benefits: the sum over all estimates of ``benefit × contribution/100 × confidence/100``
    (:func:`~evalkit.stats.impact.phillips_benefits`; participants without an estimate add
    nothing). Costs: the cost lines plus the participants' working time and the extra costs
    of program.yaml (:func:`~evalkit.stats.impact.fully_loaded_costs`). ROI, BCR and payback
    over ``period_months`` (first-year benefits by default): :func:`~evalkit.stats.impact.roi`.
    """
    from .stats.impact import fully_loaded_costs, phillips_benefits, roi

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


def _mode_comparison(p: ProgramData, total: float, n: int | None) -> pd.DataFrame:
    """The program's own delivery mode against the same course priced in another mode
    (:func:`~evalkit.stats.costs.compare_modes`; savings measured against classroom delivery
    when it is one of the two, else against the program's own mode)."""
    from .stats.costs import compare_modes

    alt = p.spec.costs_alternative
    own = p.spec.delivery_mode
    lines = pd.DataFrame({own: list(p.costs["amount"]) + [0.0] * len(p.costs_alternative),
                          alt.mode: [0.0] * len(p.costs) + list(p.costs_alternative["amount"])})
    baseline = "classroom" if "classroom" in (own, alt.mode) else own
    return compare_modes(lines, participants={own: n, alt.mode: alt.participants or n},
                         modes={own: own, alt.mode: alt.mode}, baseline=baseline)


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
    if program.level1 is not None:
        ev.level1 = evaluate_level1(program, ci_method=ci_method, seed=seed)
    if program.instructors is not None:
        ev.instructors = evaluate_instructors(program)
    if program.level2 is not None:
        ev.level2 = evaluate_level2(program, seed=seed)
    if program.level3 is not None:
        ev.level3 = evaluate_level3(program)
    if program.level4 is not None:
        ev.level4 = evaluate_level4(program)
    if program.assessment is not None:
        sp = program.spec.assessment
        ev.assessment = assessment_path(program.assessment, placement_pass=sp.placement_pass,
                                        module_pass=sp.module_pass, max_module_attempts=sp.max_module_attempts,
                                        final_pass=sp.final_pass, max_final_attempts=sp.max_final_attempts)
    if program.costs is not None:
        ev.costs = evaluate_costs(program, ev.level2)
        if ev.assessment is not None:  # certified = exempted + passed the final test
            cert = int(ev.assessment.funnel.loc["certified", "n"])
            ev.costs["certified"] = cert
            ev.costs["per_certified"] = ev.costs["total"] / cert if cert else None
    if program.level5 is not None:
        ev.level5 = evaluate_level5(program, ev.costs)
    ev.participant_scores = participant_scores(ev)
    if ev.participant_scores is not None:
        from .stats.chain import correlate_levels

        cols = [c for c in ("reaction", "learning", "behaviour") if c in ev.participant_scores]
        ev.chain = correlate_levels(ev.participant_scores, cols)
    return ev


def evaluate_instructors(p: ProgramData) -> pd.DataFrame:
    """One row per instructor: ``instructor, n`` (ratings), one column per scale of the
    instrument (mean of its scale scores), ``mean`` (over the scales), ``sd``, ``ci_low``,
    ``ci_high`` (t interval of the mean over ratings), ``band`` and ``few`` (fewer ratings
    than ``min_ratings``: shown, but not to be compared). Sorted by mean, highest first."""
    from scipy import stats as st

    fs = p.spec.instructors
    ins = p.spec.instruments[fs.instrument]
    df = p.instructors
    bset = band_set_for("reaction", p.spec.bands, ins.scale, ins.kind)
    per_scale = {name: scale_scores(df, [i for i in sub.items if i in df.columns], sub.reverse, ins.scale)
                 for name, sub in ins.scales.items()}
    scores = pd.DataFrame(per_scale).assign(overall=lambda d: d.mean(axis=1), instructor=df["instructor"])
    rows = []
    for who, g in scores.groupby("instructor", sort=False):
        x = g["overall"].dropna()
        n, m, sd = len(x), float(x.mean()) if len(x) else np.nan, float(x.std(ddof=1)) if len(x) > 1 else np.nan
        half = st.t.ppf(0.975, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        row = {"instructor": who, "n": n, **{k: float(g[k].mean()) for k in per_scale},
               "mean": m, "sd": sd, "ci_low": m - half, "ci_high": m + half,
               "band": band(m, bset) if bset and n else None, "few": n < fs.min_ratings}
        if "subject" in df.columns:
            row["subjects"] = ", ".join(sorted(df.loc[g.index, "subject"].dropna().astype(str).unique()))
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["few", "mean"], ascending=[True, False]).reset_index(drop=True)
    out.attrs["scales"] = list(per_scale)
    return out


def participant_scores(ev: ProgramEvaluation) -> pd.DataFrame | None:
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

"""Level 1 — reaction (Kirkpatrick): satisfaction per dimension of the Level 1 instrument
(materi, pengajar/widyaiswara, penyelenggaraan, sarana …), its reliability and item validity,
the IKM of PermenPANRB 14/2017 when the instrument is the nine-element one, and the ratings
of each instructor.

Reads ``level1:`` and ``instructors:`` of program.yaml (schemas
:class:`~evalkit.ingest.spec.Level1Spec`, :class:`~evalkit.ingest.spec.InstructorsSpec` and the
instrument's :class:`~evalkit.ingest.spec.Instrument`); bands from ``config/bands.yaml``
(purpose ``reaction``). Nothing here formats or displays: the report's
``report/sections/level1.py`` renders :class:`Level1Result`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bands import band, band_set_for
from ..ingest.program import ProgramData
from ..ingest.spec import Level1Spec, InstructorsSpec
from ..stats.items import item_validity
from ..stats.reliability import ReliabilityResult, reliability, scale_scores

#: the program.yaml sections this level reads
SECTIONS = ("level1", "instructors")
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"level1": Level1Spec, "instructors": InstructorsSpec}


def agree_point(scale) -> float | None:
    """The agreement point of an answer range from ``config/likert.yaml`` (``agree_from``)."""
    from .._config import load_config

    key = f"{scale[0]:g}-{scale[1]:g}"
    v = load_config("likert").get("agree_from", {}).get(key)
    return None if v is None else float(v)


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
    #: share of respondents whose scale score is at least the agreement point of the answer
    #: range (config/likert.yaml ``agree_from``: 4 on 1–5) — the *persentase setuju*; None when
    #: the range has no agreement point
    agree_share: float | None = None


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
    #: share of respondents whose overall score reaches the agreement point (see ScaleResult.agree_share)
    overall_agree_share: float | None = None

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
        point = agree_point(ins.scale)
        answered = score.dropna()
        share = float((answered >= point).mean()) if point is not None and len(answered) else None
        scales[name] = ScaleResult(
            name=name, label=sub.label or {"id": name, "en": name}, items=items, reverse=list(sub.reverse),
            n=int(score.notna().sum()), mean=mean, sd=float(score.std(ddof=1)),
            band=band(mean, bset) if bset else None,
            reliability=rel, distribution=_distribution(df, items, ins.scale), validity=val, agree_share=share)
    overall = pd.concat(all_scores, axis=1).mean(axis=1)
    om = float(overall.mean())
    resp = pd.DataFrame({"reaction": overall})
    if "participant" in df.columns:
        resp.insert(0, "participant", df["participant"])
    ikm_result = None
    if ins.kind == "ikm":
        from ..stats.impact import ikm

        ikm_result = ikm(df, items=ins.items())
    point = agree_point(ins.scale)
    answered = overall.dropna()
    overall_share = float((answered >= point).mean()) if point is not None and len(answered) else None
    return Level1Result(n_respondents=len(df), scales=scales, overall_mean=om, overall_agree_share=overall_share,
                        overall_band=band(om, bset) if bset else None,
                        comments=p.level1_comments, scale_range=tuple(ins.scale), band_set=bset, respondents=resp,
                        ikm=ikm_result)


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




def evaluate(program: ProgramData, *, ci_method: str = "feldt", seed: int | None = None) -> Level1Result | None:
    """Level 1 of ``program`` (``None`` when it has no Level 1 data)."""
    if program.level1 is None:
        return None
    return evaluate_level1(program, ci_method=ci_method, seed=seed)

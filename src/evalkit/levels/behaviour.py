"""Level 3 — behaviour on the job: alumni and supervisor ratings before and months after the
training, per aspect (e.g. the five work-behaviour aspects of PP 30/2019 or the BerAKHLAK core
values), with paired tests, reliability, rater agreement (ICC) and the weighted combined score.

Reads ``level3:`` of program.yaml (schema :class:`~evalkit.ingest.spec.Level3Spec`); rater
weights from the program or ``config/level3.yaml``. Rendered by ``report/sections/level3.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import StatisticsError
from ..ingest.program import ProgramData
from ..ingest.spec import Level3Spec
from ..stats.agreement import icc
from ..stats.prepost import prepost
from ..stats.reliability import reliability, scale_scores

#: the program.yaml sections this level reads
SECTIONS = ("level3",)
#: the typed schema of each section (pydantic; it validates program.yaml when ingest reads it
#: and documents every key — the schemas live in ingest/spec.py because ingest, a lower layer,
#: validates the whole file before any level runs)
SCHEMA = {"level3": Level3Spec}


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
            pair = _before_after(g)
            if pair is None:
                continue
            row = {"aspect": aspect, "rater": rater, "n": len(pair), "before": pair["before"].mean(),
                   "after": pair["after"].mean(), "diff": np.nan, "d_z": np.nan, "p_value": np.nan}
            if len(pair) >= 2:
                # only diff, d_z and the t test are kept: no bootstrap; the pairs are aligned already
                r = prepost(pair["before"].to_numpy(), pair["after"].to_numpy(), n_boot=0)
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


def _before_after(g: pd.DataFrame) -> pd.DataFrame | None:
    """One rater's scale scores as ``before`` and ``after`` columns, one row per participant
    rated at both times (participants sorted), each time's first rating with a score — what
    ``g.pivot_table(index="participant", columns="time", values="score", aggfunc="first")``
    followed by ``dropna(subset=["before", "after"])`` gives, read in one pass over the rows
    (ten of these a report; a few dozen rows each). ``None`` when one of the two times has no
    score at all."""
    first: dict = {"before": {}, "after": {}}
    for who, time, score in zip(g["participant"].to_numpy(object), g["time"].to_numpy(object),
                                g["score"].to_numpy(float)):
        if score != score or who is None or pd.isna(who):  # no score, or nobody
            continue
        side = first.get(time) if isinstance(time, str) else None
        if side is not None and who not in side:
            side[who] = score
    if not first["before"] or not first["after"]:
        return None
    both = sorted(first["before"].keys() & first["after"].keys())
    return pd.DataFrame({t: np.array([first[t][w] for w in both], dtype=float) for t in ("before", "after")},
                        index=pd.Index(both, dtype=object))


def _level3_weights(program_weights, raters) -> dict:
    """Rater weights of the combined score: the program's, else config/level3.yaml, for the raters present."""
    from .._config import load_config

    if program_weights:
        w = {str(k).lower(): float(v) for k, v in program_weights.items()}
    else:
        w = load_config("level3")["weights"]
    return {r: float(w[r]) for r in raters if r in w and w[r] > 0}




def evaluate(program: ProgramData) -> Level3Result | None:
    """Level 3 of ``program`` (``None`` when it has no behaviour ratings)."""
    return None if program.level3 is None else evaluate_level3(program)

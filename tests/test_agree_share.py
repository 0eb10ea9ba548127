"""Level 1 agreement share (persentase setuju), the ARCHITECTURE.md walkthrough's example:
recomputed here with plain pandas from the raw survey export and program.yaml."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from conftest import RAW
from evalkit import evaluate, load_program

LABELS = {"sangat tidak setuju": 1, "tidak setuju": 2, "ragu-ragu": 3, "netral": 3, "setuju": 4, "sangat setuju": 5}


@pytest.mark.parametrize("pid", ["pkp-2026-angkatan-1", "pkp-2026-angkatan-2"])
def test_agree_share_matches_a_hand_computation(pid):
    folder = RAW / pid
    spec = yaml.safe_load((folder / "program.yaml").read_text(encoding="utf-8"))
    raw = pd.read_csv(folder / spec["level1"]["file"], dtype=str)
    raw = raw.rename(columns=spec["level1"]["columns"])
    scored = raw.apply(lambda c: c.str.strip().str.lower().map(LABELS) if c.name in
                       sum((s["items"] for s in spec["instruments"]["reaksi"]["scales"].values()), []) else c)
    ev = evaluate(load_program(folder))
    for name, s in spec["instruments"]["reaksi"]["scales"].items():
        items = scored[s["items"]].astype(float).copy()
        for r in s.get("reverse", []):
            items[r] = 6 - items[r]
        # scale score: mean of the answered items, for respondents who answered at least half
        enough = items.notna().sum(axis=1) >= len(s["items"]) / 2
        score = items[enough].mean(axis=1)
        assert ev.level1.scales[name].agree_share == pytest.approx(float((score >= 4).mean()), abs=1e-12)


def test_agree_share_in_metrics():
    m = evaluate(load_program(RAW / "mot-2026-angkatan-1")).metrics()
    shares = [s["agree_share"] for s in m["level1"]["scales"].values()]
    assert all(0 <= x <= 1 for x in shares)


def test_agree_share_is_shown_in_the_level1_table():
    from evalkit.report.sections import ProgramReport

    folder = RAW / "pkp-2026-angkatan-1"
    rep = ProgramReport.from_folder(folder, lang="en")
    rep.level1()
    tab = next(t for t in rep.tables() if any(c.label == "% agree" for c in t.columns))
    j = [c.label for c in tab.columns].index("% agree")
    shares = [row[j] for row in tab.rows]
    want = [s.agree_share for s in rep.evaluation.level1.scales.values()]
    assert shares[:len(want)] == want  # one row per dimension (an overall row follows)

"""The verdict (issue #14): per-level status from the configured criteria, the overall rule,
the strength of the evidence, recommendations tied to findings, and metrics.json's words.
Each expected status is recomputed here from the level results with the documented rule."""
from __future__ import annotations

import pytest

from conftest import RAW
from evalkit import evaluate, load_program
from evalkit.levels import verdict as V


@pytest.fixture(scope="module")
def evs():
    return {p.name: evaluate(load_program(p)) for p in sorted(RAW.iterdir()) if (p / "program.yaml").exists()}


def test_samples_judged_as_their_data_say(evs):
    assert evs["pkp-2026-angkatan-1"].verdict["overall"] in ("effective", "partly_effective")
    assert evs["pkp-2026-angkatan-2"].verdict["overall"] in ("not_effective", "insufficient_evidence")
    for ev in evs.values():
        assert ev.verdict["evidence"] in ("strong", "moderate", "weak")


def test_level2_status_follows_the_documented_rule(evs):
    c = V.criteria(None)["level2"]
    for ev in evs.values():
        r = ev.level2.prepost
        p = r.tests.loc["paired_t", "p_value"]
        dz = r.effect_sizes.loc["d_z", "estimate"]
        sig = p < c["alpha"] and r.mean_diff > 0
        targets = [dz >= c["min_d_z"]]
        if ev.level2.pass_rate_post is not None:
            targets.append(ev.level2.pass_rate_post >= c["min_pass_rate_post"])
        if r.gain:
            targets.append(r.gain["class_gain"] >= c["min_class_gain"])
        want = "not_met" if not sig else "met" if all(targets) else "partly_met"
        assert ev.verdict["levels"][2]["status"] == want


def test_level3_uses_supervisor_ratings(evs):
    ev = evs["pkp-2026-angkatan-1"]
    sub = ev.level3.table.xs("atasan", level="rater")
    up = int(((sub["diff"] > 0) & (sub["p_value"] < 0.05)).sum())
    lv = ev.verdict["levels"][3]
    assert lv["params"]["improved"] == up and lv["params"]["rater"] == "atasan"
    assert lv["status"] == ("met" if up / len(sub) >= 0.5 else "partly_met" if up else "not_met")


def test_evidence_single_group_is_at_most_moderate_and_missing_levels_weaken(evs):
    assert evs["pkp-2026-angkatan-1"].verdict["evidence"] == "moderate"
    mot = evs["mot-2026-angkatan-1"].verdict  # no Level 3 or 4
    assert mot["evidence"] == "weak" and "no_l3_l4" in mot["evidence_reasons"]


@pytest.mark.parametrize("levels, expected", [
    ({2: "met", 3: "met"}, "effective"),
    ({2: "met", 3: "not_measured"}, "effective"),
    ({2: "not_met", 3: "not_met"}, "not_effective"),
    ({2: "not_met", 3: "not_measured"}, "not_effective"),
    ({2: "not_measured", 3: "not_met"}, "not_effective"),
    ({2: "met", 3: "not_met"}, "partly_effective"),
    ({2: "partly_met", 3: "met"}, "partly_effective"),
    ({2: "met", 3: "met", 4: "not_met"}, "partly_effective"),
    ({2: "not_measured", 3: "not_measured"}, "insufficient_evidence"),
])
def test_overall_rule(levels, expected):
    full = {n: {"status": levels.get(n, "not_measured")} for n in range(1, 6)}
    assert V.overall(full)[0] == expected


def test_program_overrides_a_criterion(tmp_path, evs):
    import shutil

    src = RAW / "pkp-2026-angkatan-1"
    dst = tmp_path / "raw" / src.name
    shutil.copytree(src, dst)
    with open(dst / "program.yaml", "a", encoding="utf-8") as fh:
        fh.write("verdict:\n  level2: {min_pass_rate_post: 0.4}\n  design: comparison_group\n")
    v = evaluate(load_program(dst)).verdict
    assert v["criteria"]["level2"]["min_pass_rate_post"] == 0.4
    assert v["levels"][2]["status"] == "met"  # pass rate 50 % now clears the bar
    assert v["evidence"] == "strong"


def test_recommendations_are_tied_to_findings(evs):
    recs = evs["pkp-2026-angkatan-2"].verdict["recommendations"]
    keys = {r["key"] for r in recs}
    assert {"rec_l1_weakest", "rec_l2_not_met", "rec_l3_aspects", "rec_l4_short"} <= keys
    weakest = next(r for r in recs if r["key"] == "rec_l1_weakest")["params"]
    l1 = evs["pkp-2026-angkatan-2"].level1
    assert weakest["scale"] == min(l1.scales.values(), key=lambda s: s.mean).name


def test_metrics_verdict_in_both_languages(evs):
    m = evs["pkp-2026-angkatan-2"].metrics()["verdict"]
    assert m["overall"] == "not_effective"
    assert set(m["levels"]) == {f"level{i}" for i in range(1, 6)}
    for lv in m["levels"].values():
        assert lv["status"] in V.STATUSES and lv["reason"]["id"] and lv["reason"]["en"]
    assert m["headline"]["id"].startswith("Pelatihan ini dinilai tidak efektif")
    assert "0,50" in m["levels"]["level2"]["reason"]["id"] and "0.50" in m["levels"]["level2"]["reason"]["en"]

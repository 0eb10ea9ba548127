"""assessment_path(): funnel, rates and rule violations on hand-built attempt logs."""
from __future__ import annotations

import pandas as pd
import pytest

import evalkit
from evalkit.errors import StatisticsError

COLS = ["participant", "stage", "module", "attempt", "score", "date"]


def log(rows):
    return pd.DataFrame(rows, columns=COLS)


@pytest.fixture
def attempts():
    return log([
        ("exempt", "placement", "", 1, 88, "2026-04-06"),
        ("fast", "placement", "", 1, 60, "2026-04-06"),
        ("fast", "module", "M1", 1, 75, "2026-04-08"),
        ("fast", "module", "M2", 1, 80, "2026-04-10"),
        ("fast", "final", "", 1, 90, "2026-04-16"),
        ("slow", "placement", "", 1, 50, "2026-04-06"),
        ("slow", "module", "M1", 1, 60, "2026-04-08"),
        ("slow", "module", "M1", 2, 72, "2026-04-12"),
        ("slow", "module", "M2", 1, 65, "2026-04-14"),
        ("slow", "module", "M2", 2, 69, "2026-04-15"),
        ("slow", "module", "M2", 3, 71, "2026-04-18"),
        ("slow", "final", "", 1, 60, "2026-04-20"),
        ("slow", "final", "", 2, 74, "2026-04-26"),
        ("stuck", "placement", "", 1, 40, "2026-04-06"),
        ("stuck", "module", "M1", 1, 71, "2026-04-09"),
        ("stuck", "module", "M2", 1, 50, "2026-04-11"),
        ("stuck", "module", "M2", 2, 55, "2026-04-13"),
    ])


def test_funnel_and_rates(attempts):
    r = evalkit.assessment_path(attempts)
    assert r.funnel["n"].to_dict() == {"enrolled": 4, "exempted": 1, "took_course": 3, "passed_all_modules": 2,
                                       "certified_by_final": 2, "certified": 3}
    assert r.certification_rate == 0.75
    assert r.modules.loc["M1", "first_attempt_pass_rate"] == pytest.approx(2 / 3)
    assert r.modules.loc["M2", "first_attempt_pass_rate"] == pytest.approx(1 / 3)
    assert r.modules.loc["M2", "pass_rate"] == pytest.approx(2 / 3)
    nonzero = lambda row: {k: v for k, v in row.to_dict().items() if v}  # noqa: E731
    assert nonzero(r.attempts.loc["M1"]) == {1: 2, 2: 1}
    assert nonzero(r.attempts.loc["M2"]) == {1: 1, 3: 1, "not passed": 1}
    assert nonzero(r.attempts.loc["final"]) == {1: 1, 2: 1}
    assert list(r.attempts.columns) == [1, 2, 3, "not passed"]
    # days from placement (6 Apr) to the passed final: fast 10, slow 20
    assert r.time_to_certificate == {"median_days": 15.0, "mean_days": 15.0, "n": 2}
    assert r.violations.empty


@pytest.mark.parametrize("extra, rule", [
    ([("stuck", "module", "M2", 3, 50, "2026-04-14"), ("stuck", "module", "M2", 4, 50, "2026-04-15"),
      ("stuck", "module", "M2", 5, 55, "2026-04-16"), ("stuck", "module", "M2", 6, 80, "2026-04-17")],
     "attempt 6 > maximum 5"),
    ([("fast", "final", "", 2, 95, "2026-04-20")], "exam after certification"),
    ([("fast", "module", "M1", 2, 95, "2026-04-20")], "module exam retaken after it was passed"),
    ([("stuck", "final", "", 1, 80, "2026-04-20")], "final test taken before every module was passed"),
    ([("exempt", "module", "M1", 1, 80, "2026-04-20")], "exam taken after exemption"),
    ([("slow", "final", "", 3, 50, "2026-04-27"), ("slow", "final", "", 4, 80, "2026-04-28")], "attempt 4 > maximum 3"),
])
def test_rule_violations_are_flagged(attempts, extra, rule):
    r = evalkit.assessment_path(pd.concat([attempts, log(extra)], ignore_index=True))
    assert r.violations["rule"].str.contains(rule, regex=False).any(), r.violations


def test_sixth_attempt_does_not_count_as_a_pass(attempts):
    extra = log([("stuck", "module", "M2", a, 50, "2026-04-20") for a in (3, 4, 5)]
                + [("stuck", "module", "M2", 6, 90, "2026-04-25")])
    r = evalkit.assessment_path(pd.concat([attempts, extra], ignore_index=True))
    assert not r.participants.loc["stuck", "all_modules_passed"]


def test_configurable_pass_marks(attempts):
    r = evalkit.assessment_path(attempts, placement_pass=95)
    assert r.funnel.loc["exempted", "n"] == 0


def test_no_attempt_at_all_is_a_clear_error():
    with pytest.raises(StatisticsError, match=r"too few .*\(0\)") as err:
        evalkit.assessment_path(log([]))
    assert [p.key for p in err.value.problems] == ["too_few_rows"]


def test_missing_columns():
    with pytest.raises(StatisticsError, match="stage"):
        evalkit.assessment_path(pd.DataFrame({"participant": ["a"], "score": [1]}))


def test_sample_smart_program():
    from evalkit.ingest import load_program

    d = load_program("data/raw/smart-2026-angkatan-1")
    r = evalkit.assessment_path(d.assessment)
    placement = d.assessment[d.assessment.stage == "placement"]
    assert r.funnel.loc["enrolled", "n"] == 40
    assert r.funnel.loc["exempted", "n"] == int((placement.score >= 85).sum())
    assert r.violations.empty


def _random_log(rng, n_people, dates):
    """An attempt log with every kind of record: exemptions, repeated placements, failed and
    retaken modules, too many attempts, finals before the modules, exams after the certificate,
    a module nobody passed, shuffled rows."""
    rows = []
    for p in range(n_people):
        pid = f"P{rng.integers(0, 10 * n_people):04d}"  # ids repeat now and then: one participant's rows grow
        day = 0
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            rows.append((pid, rng.choice(["placement", "Placement"]), None if rng.random() < .5 else "", 1,
                         int(rng.integers(30, 101)), day))
        for m in ("M1", "M2", "M3")[:rng.integers(0, 4)]:
            for k in range(1, rng.integers(1, 8)):
                day += int(rng.integers(0, 4))
                rows.append((pid, "module", m, k, int(rng.integers(40, 101)), day))
        for k in range(1, rng.integers(0, 6)):
            day += int(rng.integers(-2, 5))
            rows.append((pid, "FINAL" if rng.random() < .2 else "final", "", k, int(rng.integers(40, 101)), day))
    df = pd.DataFrame(rows, columns=COLS).sample(frac=1, random_state=int(rng.integers(0, 2**31)))
    start = pd.Timestamp("2026-03-01")
    df["date"] = [str((start + pd.Timedelta(days=int(d))).date()) for d in df["date"]] if dates else None
    return df if dates else df.drop(columns="date")


@pytest.mark.parametrize("seed", range(12))
def test_same_results_as_the_pandas_implementation_on_random_logs(seed):
    """Participants (every column and type) and violations (in their order, with their values'
    types), and the per-participant figures of the module and final tables, equal those of the
    former per-participant pandas implementation, kept in tests/_assessment_reference.py."""
    import numpy as np

    from _assessment_reference import (reference_final_attempts_needed, reference_first_attempt_pass_rate,
                                       reference_participants)

    rng = np.random.default_rng(seed)
    log_ = _random_log(rng, int(rng.integers(1, 40)), dates=seed % 3 != 0)
    kw = [{}, {"placement_pass": 90, "module_pass": 65, "max_module_attempts": 3, "final_pass": 75,
               "max_final_attempts": 2}, {"modules": ["M2", "M1"]}][seed % 3]
    if not (log_["stage"].str.lower() == "module").any() and "modules" not in kw:
        kw["modules"] = ["M1"]
    parts, violations = reference_participants(log_, **kw)
    if parts.empty:  # every drawn participant without a record: no attempt at all
        with pytest.raises(StatisticsError) as err:
            evalkit.assessment_path(log_, **kw)
        assert [p.key for p in err.value.problems] == ["too_few_rows"]
        return
    got = evalkit.assessment_path(log_, **kw)
    pd.testing.assert_frame_equal(got.participants, parts)
    pd.testing.assert_frame_equal(got.violations, violations)
    assert [list(map(type, r)) for r in got.violations.itertuples(index=False)] == \
        [list(map(type, r)) for r in violations.itertuples(index=False)]
    for m in got.modules.index:
        assert got.modules.loc[m, "first_attempt_pass_rate"] == pytest.approx(
            reference_first_attempt_pass_rate(log_, m, kw.get("module_pass", 70)), nan_ok=True)
    if "final" in got.attempts.index:
        want = reference_final_attempts_needed(log_, kw.get("final_pass", 70))
        row = got.attempts.loc["final"].rename({"not passed": 0})
        assert row[row > 0].to_dict() == want.to_dict()


def test_a_listed_module_nobody_took_has_no_rates(attempts):
    """A module of the course that no record mentions: 0 takers, no rates (the former
    implementation stopped with a TypeError), and nobody passed every module."""
    r = evalkit.assessment_path(attempts, modules=["M1", "M2", "M3"])
    m3 = r.modules.loc["M3"]
    assert m3["n_takers"] == 0 and m3["max_attempts"] == 0
    assert m3[["first_attempt_pass_rate", "pass_rate", "mean_attempts"]].isna().all()
    assert r.funnel.loc["passed_all_modules", "n"] == 0

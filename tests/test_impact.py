"""ikm(), ikm_grade(), roi(), jp_compliance(): regulation boundaries and hand-checked values."""
from __future__ import annotations

import pandas as pd
import pytest

import evalkit
from evalkit.errors import StatisticsError


@pytest.mark.parametrize("value, grade", [
    (100.0, "A"), (88.31, "A"), (88.30, "B"), (88.305, "A"), (88.3049, "B"), (76.61, "B"), (76.60, "C"),
    (65.00, "C"), (64.99, "D"), (64.995, "C"), (25.0, "D")])
def test_ikm_grade_boundaries(value, grade):
    assert evalkit.ikm_grade(value) == grade


@pytest.mark.parametrize("value", [24.99, 100.01, float("nan")])
def test_ikm_grade_out_of_range(value):
    with pytest.raises(StatisticsError):
        evalkit.ikm_grade(value)


def elements(values_per_element):
    return pd.DataFrame({f"U{i + 1}": v for i, v in enumerate(values_per_element)})


def test_ikm_perfect_is_100_not_99_9():
    r = evalkit.ikm(elements([[4, 4, 4, 4]] * 9))
    assert r["index"] == 4.0 and r["converted"] == 100.0 and r["grade"] == "A"
    assert 4 * 0.111 * 9 * 25 == pytest.approx(99.9)  # what the rounded weight would give


def test_ikm_hand_checked():
    # element means 3, 3.5, 2.5, 3, 3, 4, 2, 3, 3.5 → sum 27.5; index 27.5/9; converted 76.39 → C
    cols = [[3, 3], [3, 4], [2, 3], [3, 3], [3, 3], [4, 4], [2, 2], [3, 3], [3, 4]]
    r = evalkit.ikm(elements(cols))
    assert r["index"] == pytest.approx(27.5 / 9)
    assert r["converted"] == pytest.approx(27.5 / 9 * 25)
    assert (r["grade"], r["label"]) == ("C", "Kurang Baik")
    assert r["element_means"]["U3"] == 2.5 and r["n"] == 2


def test_ikm_missing_answers_use_element_means():
    d = elements([[4, 2]] * 9)
    d.loc[0, "U1"] = None
    assert evalkit.ikm(d)["element_means"]["U1"] == 2.0


@pytest.mark.parametrize("mutate, key", [
    (lambda d: d.drop(columns="U9"), "ikm_nine_elements"),
    (lambda d: d.assign(U2=[5, 3]), "ikm_score"),
    (lambda d: d.assign(U2=[0, 3]), "ikm_score"),
])
def test_ikm_bad_input(mutate, key):
    with pytest.raises(StatisticsError) as err:
        evalkit.ikm(mutate(elements([[3, 4]] * 9)))
    assert err.value.problems[0].key == key


def test_ikm_text_score_names_row_and_column():
    d = elements([[3, 4]] * 9).astype(object)
    d.loc[1, "U4"] = "baik"
    with pytest.raises(StatisticsError) as err:
        evalkit.ikm(d, items=[f"U{i}" for i in range(1, 10)])
    p = err.value.problems[0]
    assert (p.key, p.column, p.row) == ("ikm_score", "U4", 3)


def test_roi_phillips_example():
    # Phillips: benefits 750,000, costs 425,000 → BCR 1.76, ROI 76 %
    r = evalkit.roi(750_000, 425_000)
    assert round(r["bcr"], 2) == 1.76 and round(r["roi_pct"]) == 76
    assert r["roi_pct"] == pytest.approx((750_000 - 425_000) / 425_000 * 100)
    assert "payback_months" not in r
    r12 = evalkit.roi(750_000, 425_000, period_months=12)
    assert r12["payback_months"] == pytest.approx(425_000 / (750_000 / 12))


@pytest.mark.parametrize("b, c", [(100, 0), (100, -5), (-1, 10), (float("nan"), 10)])
def test_roi_bad_input(b, c):
    with pytest.raises(StatisticsError):
        evalkit.roi(b, c)


def test_jp_compliance():
    led = pd.DataFrame({"employee": ["a", "a", "b", "c", "c", "c"], "year": [2026] * 5 + [2025],
                        "jp": [12, 8, 16, 20, 0, 30], "training": list("uvwxyz")})
    out = evalkit.jp_compliance(led)
    rows = {(r.employee, r.year): (r.jp, r.compliant, r.shortfall) for r in out.itertuples()}
    assert rows[("a", 2026)] == (20.0, True, 0.0)
    assert rows[("b", 2026)] == (16.0, False, 4.0)
    assert rows[("c", 2026)] == (20.0, True, 0.0)
    assert out.iloc[0]["employee"] == "b"  # those below 20 JP first


def test_compare_modes_with_participants_per_mode():
    import pandas as pd

    from evalkit.stats.costs import compare_modes

    lines = pd.DataFrame({"kelas": [600.0, 300.0], "daring": [100.0, 0.0]})
    out = compare_modes(lines, participants={"classroom": 30, "online": 50},
                        modes={"classroom": "kelas", "online": "daring"})
    assert out.loc["online", "saving_pct"] == pytest.approx(800 / 900 * 100)
    assert out.loc["online", "per_participant"] == 2.0 and out.loc["classroom", "per_participant"] == 30.0
    assert out.loc["online", "saving_per_participant_pct"] == pytest.approx(28 / 30 * 100)
    with pytest.raises(StatisticsError, match="participants"):
        compare_modes(lines, participants={"classroom": 30}, modes={"classroom": "kelas", "online": "daring"})


def test_phillips_benefits_and_loaded_costs_errors():
    import pandas as pd

    from evalkit import fully_loaded_costs, phillips_benefits

    with pytest.raises(StatisticsError) as e:
        phillips_benefits(pd.DataFrame({"benefit": [1e6, 2e6], "contribution": [50, 140], "confidence": [80, 80]}))
    assert e.value.problems[0].column == "contribution" and e.value.problems[0].row == 3
    with pytest.raises(StatisticsError, match="costs"):
        fully_loaded_costs(100.0, extra={"evaluation": -5.0})
    parts = fully_loaded_costs(1_000_000, participants=20, jp=10, hourly_cost=50_000, jp_minutes=60,
                               extra={"needs assessment": 250_000})
    assert parts == {"program": 1_000_000, "participant_time": 10_000_000, "needs assessment": 250_000,
                     "total": 11_250_000}

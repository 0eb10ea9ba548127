"""Level 4 progress (both directions) and cost figures, hand-checked on the sample program; the
Level 4 error paths."""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit.errors import ValidationError
from evalkit.evaluation import evaluate
from evalkit.ingest import load_program


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_program("data/raw/pkp-2026-angkatan-1"))


def test_level4_progress_both_directions(ev):
    l4 = ev.level4.set_index("indicator")
    up = l4.loc["Indeks kepuasan layanan unit kerja alumni"]  # higher is better: 78.2 → target 82.0, got 82.8
    assert up["progress_pct"] == pytest.approx((82.8 - 78.2) / (82.0 - 78.2) * 100)
    assert up["target_met"]
    down = l4.loc["Rata-rata waktu penyelesaian layanan perizinan"]  # lower is better: 9 → target 6, got 6.6
    assert down["progress_pct"] == pytest.approx(80.0)
    assert not down["target_met"]


def test_level4_achievement_and_bands(ev):
    """Capaian as LAKIP tables compute it, banded by Permendagri 86/2017, hand-checked."""
    l4 = ev.level4.set_index("indicator")
    up = l4.loc["Indeks kepuasan layanan unit kerja alumni"]
    assert up["achievement_pct"] == pytest.approx(82.8 / 82.0 * 100)  # 100.98 %
    assert up["achievement_band"] == "very_high"
    down = l4.loc["Rata-rata waktu penyelesaian layanan perizinan"]
    assert down["achievement_pct"] == pytest.approx((2 - 6.6 / 6.0) * 100)  # 90 %: high (76–90)
    assert down["achievement_band"] == "high"
    audit = l4.loc["Jumlah temuan audit berulang"]  # lower: 9 against 8 → (2 − 9/8) × 100 = 87.5 %
    assert audit["achievement_pct"] == pytest.approx(87.5) and audit["achievement_band"] == "high"
    assert ev.level4.attrs["band_set"] == "achievement"
    assert list(l4["logic_level"]) == ["outcome", "outcome", "output", "impact"]


def test_costs_hand_checked(ev):
    c = ev.costs
    # 300,000×120 + 185,000×1,080 + 250,000×720 + 250,000×36 + 9,500,000 + 1,500,000×36 + 65,000×36
    total = 36_000_000 + 199_800_000 + 180_000_000 + 9_000_000 + 9_500_000 + 54_000_000 + 2_340_000
    assert c["total"] == total == 490_640_000
    assert c["per_participant"] == pytest.approx(total / 36)
    assert c["per_jp"] == pytest.approx(total / 300)
    assert c["per_certified"] == pytest.approx(total / c["certified"])


@pytest.mark.parametrize("row, key", [
    ("Waktu layanan,hari,lower,9,9,7", "target_equals_baseline"),
    ("Waktu layanan,hari,sideways,9,6,7", "bad_direction"),
    ("Waktu layanan,hari,lower,sembilan,6,7", "not_a_number"),
    ("Temuan audit,temuan,lower,14,0,3", "target_zero"),
])
def test_level4_bad_rows(mini_copy, row, key):
    (mini_copy / "indikator.csv").write_text("indicator,unit,direction,baseline,target,realisation\n" + row + "\n")
    (mini_copy / "program.yaml").write_text((mini_copy / "program.yaml").read_text() + "level4:\n  file: indikator.csv\n")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert p.key == key and p.file == "indikator.csv" and p.row == 2


def test_level4_unknown_logic_level_is_named(mini_copy):
    (mini_copy / "indikator.csv").write_text("indicator,unit,direction,baseline,target,realisation,logic_level\n"
                                             "Waktu layanan,hari,lower,9,6,7,Hasil\nIndeks,indeks,higher,70,80,79,tujuan\n")
    (mini_copy / "program.yaml").write_text((mini_copy / "program.yaml").read_text() + "level4:\n  file: indikator.csv\n")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    (p,) = err.value.problems  # 'Hasil' is the Indonesian name of outcome; 'tujuan' is unknown
    assert p.key == "bad_logic_level" and p.row == 3 and p.column == "logic_level"
    assert "tujuan" in str(err.value) and "outcome" in str(err.value)


def test_level5_roi_hand_checked(ev):
    """Phillips ROI of the sample program, recomputed from the raw estimates and cost lines."""
    import pandas as pd

    raw = pd.read_csv("data/raw/pkp-2026-angkatan-1/manfaat_roi.csv")
    adjusted = (raw["Manfaat per tahun (Rp)"] * raw["Kontribusi pelatihan (%)"] / 100
                * raw["Keyakinan (%)"] / 100).sum()
    l5 = ev.level5
    assert l5.n_estimates == len(raw) and l5.participants == 36
    assert l5.benefits_raw == raw["Manfaat per tahun (Rp)"].sum()
    assert l5.benefits_adjusted == pytest.approx(adjusted)
    # cost lines + 36 participants × 300 JP × 45/60 h × Rp 62,500 + Rp 18,000,000
    assert l5.costs["participant_time"] == 36 * 300 * 0.75 * 62_500 == 506_250_000
    assert l5.costs["total"] == 490_640_000 + 506_250_000 + 18_000_000
    assert l5.roi["roi_pct"] == pytest.approx((adjusted - l5.costs["total"]) / l5.costs["total"] * 100)
    assert l5.roi["bcr"] == pytest.approx(adjusted / l5.costs["total"])
    assert l5.roi["payback_months"] == pytest.approx(l5.costs["total"] / (adjusted / 12))
    assert ev.measured[5] and len(l5.intangibles) == 3
    m = ev.metrics()["level5"]
    assert m["roi_pct"] == pytest.approx(l5.roi["roi_pct"]) and m["isolation"] == "participant_estimate"


def test_weak_cohort_has_negative_roi():
    weak = evaluate(load_program("data/raw/pkp-2026-angkatan-2"))
    assert weak.level5.roi["roi_pct"] < 0


@pytest.mark.parametrize("extra, csv, message", [
    ("level5:\n  file: manfaat.csv\n  id_column: NIP\n  isolation: participant_estimate\n",
     "NIP,benefit,contribution,confidence\n{nip},5000000,120,80\n", ["manfaat.csv", "'contribution'", "row 2"]),
    ("level5:\n  file: manfaat.csv\n  isolation: control_group\n",
     "benefit\n5000000\n", ["program.yaml", "isolation_note"]),
    ("level5:\n  file: manfaat.csv\n  isolation: guess\n", "benefit\n5\n", ["program.yaml", "isolation"]),
])
def test_level5_bad_input_is_named(mini_copy, extra, csv, message):
    import pandas as pd

    nip = pd.read_csv(mini_copy / "tes.csv", dtype=str).iloc[0, 0]
    (mini_copy / "manfaat.csv").write_text(csv.format(nip=nip))
    text = (mini_copy / "program.yaml").read_text()
    if "costs:" not in text:
        text += "costs:\n  file: biaya.csv\n"
        (mini_copy / "biaya.csv").write_text("item,category,amount\nKonsumsi,konsumsi,1000000\n")
    (mini_copy / "program.yaml").write_text(text + extra)
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    for s in message:
        assert s in str(err.value), (s, str(err.value))


def test_level5_needs_costs(mini_copy):
    text = (mini_copy / "program.yaml").read_text()
    assert "costs:" not in text
    (mini_copy / "manfaat.csv").write_text("benefit,contribution,confidence\n5000000,50,80\n")
    (mini_copy / "program.yaml").write_text(text + "level5:\n  file: manfaat.csv\n  isolation: participant_estimate\n")
    with pytest.raises(ValidationError, match="needs the program's cost lines"):
        load_program(mini_copy)


def test_delivery_mode_comparison_reproduces_the_published_totals():
    """SMART sample: online cost lines against the published classroom costing of the same course
    (Rp 91,829,000 for 30 participants vs Rp 13,731,988 online: a saving of 85.0 %)."""
    smart = evaluate(load_program("data/raw/smart-2026-angkatan-1"))
    md = smart.costs["modes"]
    assert md.loc["classroom", "total"] == 91_829_000 and md.loc["online", "total"] == 13_731_988
    assert md.loc["online", "saving_pct"] == pytest.approx((91_829_000 - 13_731_988) / 91_829_000 * 100)
    assert round(md.loc["online", "saving_pct"], 1) == 85.0
    assert md.loc["classroom", "per_participant"] == pytest.approx(91_829_000 / 30)
    assert md.loc["online", "per_participant"] == pytest.approx(13_731_988 / 40)
    assert md.loc["online", "saving_per_participant_pct"] == pytest.approx(
        (91_829_000 / 30 - 13_731_988 / 40) / (91_829_000 / 30) * 100)
    assert smart.metrics()["costs"]["modes"]["online"]["total"] == 13_731_988


def test_alternative_in_the_programs_own_mode_is_refused(mini_copy):
    (mini_copy / "biaya.csv").write_text("item,category,amount\nKonsumsi,konsumsi,1000000\n")
    (mini_copy / "program.yaml").write_text((mini_copy / "program.yaml").read_text() + (
        "costs:\n  file: biaya.csv\n  alternative: {file: biaya.csv, mode: classroom}\n"))
    with pytest.raises(ValidationError, match="is the program's own delivery_mode"):
        load_program(mini_copy)


def test_chain_of_evidence_scores_per_participant(ev):
    """Learning = post − pre of the same participant; reaction = the respondent's overall score;
    the correlations are those of correlate_levels() on these columns."""
    import pandas as pd

    from evalkit.stats.chain import correlate_levels

    sc = ev.participant_scores.set_index("participant")
    l2 = ev.program.level2.set_index("participant")
    both = l2.dropna(subset=["pre", "post"]).index
    assert sc.loc[both, "learning"].tolist() == (l2.loc[both, "post"] - l2.loc[both, "pre"]).tolist()
    resp = ev.level1.respondents.set_index("participant")["reaction"]
    assert sc.loc[resp.index, "reaction"].tolist() == pytest.approx(resp.tolist())
    pd.testing.assert_frame_equal(ev.chain, correlate_levels(ev.participant_scores,
                                                             ["reaction", "learning", "behaviour"]))
    assert ev.chain["n"].max() <= 36 and set(ev.metrics()["chain"][0]) >= {"x", "y", "n", "r", "p_value"}


@pytest.mark.parametrize("builtin, n_aspects", [("berakhlak", 7), ("pp30_2019", 5)])
def test_ready_made_behaviour_instruments(mini_copy, builtin, n_aspects):
    """A program rates behaviour with a ready-made instrument by naming it; items come from
    config/instruments.yaml (BerAKHLAK: SE MenPANRB 20/2021; PP 30/2019 aspects)."""
    import numpy as np
    import pandas as pd

    from evalkit.ingest.spec import builtin_instruments

    ins = builtin_instruments()[builtin]
    items = [i for sc in ins["scales"].values() for i in sc["items"]]
    nips = pd.read_csv(mini_copy / "tes.csv", dtype=str)["NIP"]
    labels = ["Sangat Kurang", "Kurang", "Cukup", "Baik", "Sangat Baik"]
    rng = np.random.default_rng(5)
    rows = []
    for nip in nips:
        level = rng.integers(1, 4)
        for rater in ("Alumni", "Atasan"):
            for time, lift in (("Sebelum", 0), ("Sesudah", 1)):
                rows.append([nip, rater, time] + [labels[min(4, level + lift + rng.integers(0, 2) - 1)] for _ in items])
    pd.DataFrame(rows, columns=["NIP", "Penilai", "Waktu", *items]).to_csv(mini_copy / "perilaku.csv", index=False)
    text = (mini_copy / "program.yaml").read_text().replace(
        "instruments:\n", f"instruments:\n  perilaku:\n    builtin: {builtin}\n", 1)
    text += ("level3:\n  file: perilaku.csv\n  instrument: perilaku\n  id_column: NIP\n  rater_column: Penilai\n"
             "  time_column: Waktu\n  before: Sebelum\n  after: Sesudah\n")
    (mini_copy / "program.yaml").write_text(text)
    ev = evaluate(load_program(mini_copy))
    aspects = ev.level3.table.index.get_level_values("aspect").unique().tolist()
    assert aspects == list(ins["scales"]) and len(aspects) == n_aspects
    assert (ev.level3.table["diff"] > 0).all()  # every rating was lifted after the training
    spec = ev.program.spec.instruments["perilaku"]
    first = next(iter(ins["scales"].values()))
    assert spec.scales[next(iter(ins["scales"]))].item_text == first["items"]


def test_unknown_builtin_instrument_is_named(mini_copy):
    text = (mini_copy / "program.yaml").read_text().replace("instruments:\n", "instruments:\n  x:\n    builtin: akhlak\n", 1)
    (mini_copy / "program.yaml").write_text(text)
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    assert "program.yaml" in str(err.value) and "'akhlak' is unknown" in str(err.value) and "berakhlak" in str(err.value)


def test_ikm_instrument_gives_the_ikm_section(mini_copy):
    """Level 1 on the 9-element IKM questionnaire (builtin: ikm): each element's own answer
    words map to 1–4; the IKM equals ikm() on the mapped scores, banded with ikm_index."""
    import numpy as np
    import pandas as pd

    from evalkit import ikm
    from evalkit.report.sections import ProgramReport

    words = {"U1": ["Tidak Sesuai", "Kurang Sesuai", "Sesuai", "Sangat Sesuai"],
             "U2": ["Tidak Mudah", "Kurang Mudah", "Mudah", "Sangat Mudah"],
             "U3": ["Tidak Cepat", "Kurang Cepat", "Cepat", "Sangat Cepat"],
             "U4": ["Sangat Mahal", "Cukup Mahal", "Murah", "Gratis"],
             "U5": ["Tidak Sesuai", "Kurang Sesuai", "Sesuai", "Sangat Sesuai"],
             "U6": ["Tidak Kompeten", "Kurang Kompeten", "Kompeten", "Sangat Kompeten"],
             "U7": ["Tidak Sopan dan Ramah", "Kurang Sopan dan Ramah", "Sopan dan Ramah", "Sangat Sopan dan Ramah"],
             "U8": ["Tidak Ada", "Ada tetapi Tidak Berfungsi", "Berfungsi Kurang Maksimal", "Dikelola dengan Baik"],
             "U9": ["Buruk", "Cukup", "Baik", "Sangat Baik"]}
    nips = pd.read_csv(mini_copy / "tes.csv", dtype=str)["NIP"]
    rng = np.random.default_rng(9)
    scores = pd.DataFrame({u: rng.choice([2, 3, 3, 4, 4], len(nips)) for u in words})
    answers = pd.DataFrame({"NIP": nips, **{u: [words[u][v - 1] for v in scores[u]] for u in words}})
    answers.to_csv(mini_copy / "skm.csv", index=False)
    text = (mini_copy / "program.yaml").read_text()
    text = text.replace("instruments:\n", "instruments:\n  skm:\n    builtin: ikm\n", 1)
    text = text.replace("level1:\n  file: reaksi.csv\n  instrument: reaksi\n", "level1:\n  file: skm.csv\n  instrument: skm\n")
    text = text.replace("  comment_columns: [Saran]\n", "")
    (mini_copy / "program.yaml").write_text(text)
    ev = evaluate(load_program(mini_copy))
    want = ikm(scores)
    assert ev.level1.ikm["converted"] == pytest.approx(want["converted"], abs=1e-12)
    assert ev.level1.ikm["grade"] == want["grade"] and ev.level1.band_set == "ikm_index"
    assert ev.metrics()["level1"]["ikm"]["grade"] == want["grade"]
    rep = ProgramReport(ev, "en")
    rep.level1()
    titles = [b[1] for b in rep.blocks if b[0] == "table"]
    assert any("IKM by service element" in t for t in titles)
    table = next(b[2] for b in rep.blocks if b[0] == "table" and "IKM" in b[1])
    assert table.iloc[3, 0] == "U4 Fees/charges"


def test_ikm_instrument_must_have_nine_elements_on_1_to_4(mini_copy):
    text = (mini_copy / "program.yaml").read_text().replace(
        "instruments:\n", "instruments:\n  skm:\n    builtin: ikm\n    scale: [1, 5]\n", 1)
    (mini_copy / "program.yaml").write_text(text)
    with pytest.raises(ValidationError, match="9 elements on a 1–4 scale"):
        load_program(mini_copy)


def test_instructor_results_hand_checked(ev):
    import numpy as np
    import pandas as pd
    from scipy import stats

    raw = pd.read_csv("data/raw/pkp-2026-angkatan-1/evaluasi_widyaiswara.csv")
    words = {"Sangat Tidak Setuju": 1, "Tidak Setuju": 2, "Ragu-ragu": 3, "Setuju": 4, "Sangat Setuju": 5}
    x = raw.iloc[:, 3:].replace(words).astype(float)
    overall = (x.iloc[:, :4].mean(axis=1) + x.iloc[:, 4]) / 2  # two scales: teaching (4 items), punctuality
    d = ev.instructors.set_index("instructor")
    for code, g in overall.groupby(raw["Widyaiswara"]):
        assert d.loc[code, "n"] == len(g)
        assert d.loc[code, "mean"] == pytest.approx(g.mean())
        lo, hi = stats.t.interval(0.95, len(g) - 1, loc=g.mean(), scale=g.std(ddof=1) / np.sqrt(len(g)))
        assert (d.loc[code, "ci_low"], d.loc[code, "ci_high"]) == pytest.approx((lo, hi))
    assert d.loc["NS-01", "few"] and list(d.index)[-1] == "NS-01"  # too few ratings: listed last
    assert list(d.index[:-1]) == list(d["mean"].iloc[:-1].sort_values(ascending=False).index)


def test_instructor_names_are_pseudonymized(mini_copy):
    import pandas as pd

    from evalkit.report.sections import ProgramReport

    nips = pd.read_csv(mini_copy / "tes.csv", dtype=str)["NIP"]
    rows = [[nip, who, "Setuju", "Sangat Setuju"] for nip in nips for who in ("Dr. Siti Rahmawati", "WI-07")]
    pd.DataFrame(rows, columns=["NIP", "Pengajar", "q1", "q2"]).to_csv(mini_copy / "wi.csv", index=False)
    text = (mini_copy / "program.yaml").read_text().replace(
        "instruments:\n", "instruments:\n  wi:\n    labels: setuju5\n    scales:\n      ajar: {items: [q1, q2]}\n", 1)
    text += "instructors:\n  file: wi.csv\n  instrument: wi\n  id_column: NIP\n  instructor_column: Pengajar\n"
    (mini_copy / "program.yaml").write_text(text)
    ev = evaluate(load_program(mini_copy))
    who = set(ev.instructors["instructor"])
    assert "WI-07" in who and "Dr. Siti Rahmawati" not in who
    assert any(w.startswith("I-") for w in who)
    rep = ProgramReport(ev, "en")
    rep.instructors()
    assert "Rahmawati" not in str(rep.blocks)


def test_level3_before_after_pairs_are_the_pivot_tables():
    """Level 3's pairing of one rater's ratings (``_before_after``) gives exactly what the
    pivot table it replaces gave: first rated score per participant and time, participants at
    both times only, sorted; ``None`` when one time has no score — on random frames with
    missing scores, ids and times and repeated ratings."""
    import numpy as np

    from evalkit.levels.behaviour import _before_after

    rng = np.random.default_rng(5)
    both = 0
    for _ in range(300):
        rows = [{"participant": rng.choice([f"P-{j}" for j in range(6)] + [None]), "time": t,
                 "score": rng.choice([np.nan, 1.0, 2.5, 3.0, 4.0])}
                for _ in range(rng.integers(0, 12)) for t in rng.choice(["before", "after", "before", None],
                                                                         size=rng.integers(0, 4))]
        g = pd.DataFrame(rows, columns=["participant", "time", "score"]).astype({"score": float})
        wide = (g.pivot_table(index="participant", columns="time", values="score", aggfunc="first")
                if len(g) else pd.DataFrame())
        got = _before_after(g)
        if not {"before", "after"} <= set(wide.columns):
            assert got is None
            continue
        want = wide.dropna(subset=["before", "after"])
        both += len(want) > 0
        assert got.index.tolist() == want.index.tolist()
        assert got["before"].tolist() == want["before"].tolist() and got["after"].tolist() == want["after"].tolist()
    assert both > 50  # the comparison saw many non-empty pairings

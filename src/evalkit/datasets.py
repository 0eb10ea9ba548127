"""Seeded generator of realistic sample programs.

``make_sample_programs(folder)`` writes the sample programs committed under
``data/raw/`` (``make samples`` regenerates them; a test checks that the committed
files are exactly what the generator makes). Every name and NIP is fake.

How the data are generated (see also ``docs/sample-data.md``):

* **Participants**: Indonesian first and family names drawn from fixed lists; an
  18-digit NIP built like a real one (birth date YYYYMMDD, appointment YYYYMM,
  gender digit, 3-digit sequence) from random but plausible dates.
* **Level 1 reaction** (Google Forms export: ``Timestamp``, NIP, name, question text as
  headers, Likert answers as text labels): each respondent has a latent satisfaction
  θ ~ N(0, 1); an item's answer is ``round(μ + λ·θ + ε)`` clipped to 1–5, with item
  mean μ ≈ 3.6–4.3, loading λ ≈ 0.6–0.9 and ε ~ N(0, 0.6). Reverse-keyed items are
  reflected (6 − x). About 2 % of answers are left blank.
* **Level 2 learning**: pre ~ N(μ_pre, 11²); post = pre + gain with gain ~ N(μ_gain, 8²),
  rounded and clipped to 0–100; two participants miss the post-test. The cohort
  ``pkp-2026-angkatan-2`` is the one where training did little (μ_gain = 2).
* **Level 3 behaviour**: alumni and supervisors rate PP 30/2019's five work-behaviour
  aspects (two items each) before and six months after the training, latent change
  per participant correlated with the participant's Level 2 gain.
* **Level 4 results**: organisational indicators with baseline, target and realisation,
  both directions (higher/lower is better).
* **Costs**: cost lines by category; the SMART program uses the published online
  cost lines of ``../shared/studies/smart_training_costs.csv``.
* **SMART assessment path**: placement test (≥ 85 exempts), module exams (pass 70,
  ≤ 5 attempts), final competency test (≤ 3 attempts), as an attempts table.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

FIRST_M = ["Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Kurniawan", "Lukman",
           "Muhammad", "Nanang", "Rizky", "Slamet", "Teguh", "Wahyu", "Yusuf", "Bambang", "Dimas", "Arif",
           "Hadi", "Gilang", "Rudi", "Taufik", "Yoga"]
FIRST_F = ["Ani", "Dewi", "Endang", "Fitri", "Indah", "Kartika", "Lestari", "Maya", "Nur", "Putri",
           "Ratna", "Sari", "Siti", "Tri", "Wulan", "Yuni", "Rina", "Dian", "Ayu", "Novi", "Retno",
           "Sri", "Mega", "Intan", "Laila"]
FAMILY = ["Santoso", "Wibowo", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Setiawan",
          "Wijaya", "Rahmawati", "Lubis", "Siregar", "Nasution", "Harahap", "Simanjuntak", "Sinaga",
          "Pangaribuan", "Wahyudi", "Purnomo", "Susanto", "Handayani", "Firmansyah", "Maulana",
          "Permana", "Gunawan", "Syahputra", "Tanjung", "Daulay", "Manurung", "Utami"]
POSITIONS = ["Kepala Seksi", "Kepala Subbagian", "Kepala Subbidang", "Pengawas", "Kepala UPT"]
UNITS = ["Dinas Pendidikan", "Dinas Kesehatan", "BAPPEDA", "Dinas PUPR", "BKPSDM", "Dinas Sosial",
         "Dinas Perhubungan", "Inspektorat", "Sekretariat Daerah", "Dinas Kominfo"]

LABELS5 = {1: "Sangat Tidak Setuju", 2: "Tidak Setuju", 3: "Ragu-ragu", 4: "Setuju", 5: "Sangat Setuju"}
BAIK5 = {1: "Sangat Kurang", 2: "Kurang", 3: "Cukup", 4: "Baik", 5: "Sangat Baik"}

# Level 1 instrument: (item id, question text as it stands in the Google Form, reverse-keyed?)
REACTION_ITEMS = {
    "materi": [
        ("materi_1", "Materi pelatihan sesuai dengan kebutuhan pekerjaan saya", False),
        ("materi_2", "Materi disusun secara sistematis dan mudah dipahami", False),
        ("materi_3", "Materi terlalu teoritis dan sulit diterapkan di tempat kerja", True),
        ("materi_4", "Bahan ajar yang dibagikan bermanfaat", False),
    ],
    "pengajar": [
        ("pengajar_1", "Widyaiswara menguasai materi yang disampaikan", False),
        ("pengajar_2", "Widyaiswara menyampaikan materi dengan jelas", False),
        ("pengajar_3", "Widyaiswara memberi kesempatan bertanya dan berdiskusi", False),
        ("pengajar_4", "Widyaiswara tepat waktu", False),
    ],
    "penyelenggaraan": [
        ("penyelenggaraan_1", "Jadwal pelatihan dilaksanakan sesuai rencana", False),
        ("penyelenggaraan_2", "Panitia melayani peserta dengan baik", False),
        ("penyelenggaraan_3", "Informasi tentang pelatihan disampaikan dengan jelas", False),
        ("penyelenggaraan_4", "Administrasi pelatihan berjalan lancar", False),
    ],
    "sarana": [
        ("sarana_1", "Ruang kelas atau platform daring nyaman digunakan", False),
        ("sarana_2", "Peralatan pembelajaran berfungsi dengan baik", False),
        ("sarana_3", "Fasilitas pendukung sering tidak tersedia saat dibutuhkan", True),
    ],
}
SCALE_LABELS = {
    "materi": {"id": "Materi", "en": "Materials"},
    "pengajar": {"id": "Pengajar (widyaiswara)", "en": "Instructors (widyaiswara)"},
    "penyelenggaraan": {"id": "Penyelenggaraan", "en": "Organisation"},
    "sarana": {"id": "Sarana dan prasarana", "en": "Facilities"},
}
BEHAVIOUR_ASPECTS = {
    "orientasi_pelayanan": {"id": "Orientasi pelayanan", "en": "Service orientation"},
    "komitmen": {"id": "Komitmen", "en": "Commitment"},
    "inisiatif_kerja": {"id": "Inisiatif kerja", "en": "Work initiative"},
    "kerja_sama": {"id": "Kerja sama", "en": "Cooperation"},
    "kepemimpinan": {"id": "Kepemimpinan", "en": "Leadership"},
}
COMMENTS = [
    "Materi sangat bermanfaat untuk tugas sehari-hari.",
    "Waktu diskusi perlu ditambah.",
    "Koneksi internet di asrama kurang stabil.",
    "Terima kasih kepada widyaiswara atas bimbingannya.",
    "Studi lapangan sebaiknya lebih lama.",
    "Jadwal terlalu padat di minggu kedua.",
    "Bahan tayang sebaiknya dibagikan sebelum sesi.",
]

# The online cost lines published for the SMART model (one course, 30 participants;
# ../shared/studies/smart_training_costs.csv), total Rp 13,731,988.
SMART_ONLINE_COSTS = [
    ("ATK (persiapan & pelaksanaan)", "atk", "online", 800000),
    ("Biaya rapat (persiapan)", "rapat", "online", 1035000),
    ("Belanja jasa profesi pengajar luar", "pengajar", "online", 4500000),
    ("Belanja jasa profesi pengajar dalam", "pengajar", "online", 3000000),
    ("Tahap evaluasi (ATK)", "atk", "online", 800000),
    ("Tahap evaluasi (rapat)", "rapat", "online", 1035000),
    ("Sewa link zoom utk 1 thn/300 org", "platform", "online", 2561988),
]

#: the classroom version of the same SMART course, as published (Rp 91,829,000 for 30 participants);
#: data/raw/studies/smart-training-2024/smart_training_costs.csv holds the source table
SMART_CLASSROOM_COSTS = [
    ("ATK (persiapan & pelaksanaan)", "atk", 9500000, 1), ("Biaya rapat (persiapan)", "rapat", 1035000, 1),
    ("Konsumsi peserta (3x makan + 2x snack)", "konsumsi", 185000, 240),
    ("Konsumsi pengajar (1 makan 1 snack)", "konsumsi", 69000, 10), ("Obat-obatan", "lain", 1500000, 1),
    ("Komputer supplies pelaksanaan", "atk", 3000000, 1), ("Cetak blangko STTPL", "administrasi", 65000, 30),
    ("Bahan ajar (copy) bagi peserta", "bahan", 100000, 30), ("Training kit bagi peserta", "bahan", 150000, 30),
    ("Belanja jasa profesi pengajar luar", "pengajar", 300000, 40),
    ("Belanja jasa profesi pengajar dalam", "pengajar", 200000, 30), ("Tahap evaluasi (ATK)", "atk", 1719000, 1),
    ("Tahap evaluasi (rapat)", "rapat", 1035000, 1), ("Transport jasa profesi", "pengajar", 150000, 10),
]

SAMPLES = {
    "pkp-2026-angkatan-1": dict(kind="leadership", n=36, seed=11, gain=17.0, pre=54.0, cohort="Angkatan I",
                                start="2026-02-09", end="2026-05-29", jp=300, mode="blended"),
    "pkp-2026-angkatan-2": dict(kind="leadership", n=32, seed=12, gain=2.0, pre=56.0, cohort="Angkatan II",
                                start="2026-06-08", end="2026-09-25", jp=300, mode="blended"),
    "mot-2026-angkatan-1": dict(kind="mot", n=30, seed=21, gain=14.0, pre=58.0, cohort="Angkatan I",
                                start="2026-03-16", end="2026-03-27", jp=90, mode="classroom"),
    "smart-2026-angkatan-1": dict(kind="smart", n=40, seed=31, gain=16.0, pre=62.0, cohort="Angkatan I",
                                  start="2026-04-06", end="2026-05-15", jp=40, mode="online"),
}


def _people(rng: np.random.Generator, n: int) -> pd.DataFrame:
    rows, seen = [], set()
    while len(rows) < n:
        female = rng.random() < 0.45
        first = rng.choice(FIRST_F if female else FIRST_M)
        name = f"{first} {rng.choice(FAMILY)}"
        birth = dt.date(1972, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 22)))
        appt_year = birth.year + int(rng.integers(23, 31))
        appt_month = int(rng.choice([1, 3, 4, 12]))
        nip = f"{birth:%Y%m%d}{appt_year}{appt_month:02d}{2 if female else 1}{int(rng.integers(1, 999)):03d}"
        if nip in seen or name in {r['Nama'] for r in rows}:
            continue
        seen.add(nip)
        rows.append({"NIP": nip, "Nama": name, "Jenis Kelamin": "P" if female else "L",
                     "Jabatan": rng.choice(POSITIONS), "Unit Kerja": rng.choice(UNITS)})
    return pd.DataFrame(rows)


def _likert(rng, theta, mu, lam, reverse, labels, missing=0.02, top=5):
    x = np.clip(np.rint(mu + lam * theta + rng.normal(0, 0.6, len(theta))), 1, top).astype(int)
    if reverse:
        x = (top + 1) - x
    out = pd.Series([labels[v] for v in x], dtype=object)
    out[rng.random(len(theta)) < missing] = ""
    return out


def _timestamps(rng, day: str, n: int) -> list[str]:
    base = dt.datetime.fromisoformat(day) + dt.timedelta(hours=13)
    secs = np.sort(rng.integers(0, 4 * 3600, n))
    return [(base + dt.timedelta(seconds=int(s))).strftime("%Y/%m/%d %I:%M:%S %p GMT+7") for s in secs]


def _reaction(rng, people: pd.DataFrame, end: str, quality: float) -> pd.DataFrame:
    n = len(people)
    theta = rng.normal(0, 1, n)
    df = pd.DataFrame({"Timestamp": _timestamps(rng, end, n), "NIP": people["NIP"].to_numpy(),
                       "Nama Lengkap": people["Nama"].to_numpy()})
    for scale, items in REACTION_ITEMS.items():
        specific = rng.normal(0, 0.5, n)
        for _item, text, rev in items:
            mu = quality + rng.uniform(-0.3, 0.3) - (0.3 if scale == "sarana" else 0)
            df[text] = _likert(rng, theta + specific, mu, rng.uniform(0.6, 0.9), rev, LABELS5)
    comments = []
    for i in range(n):
        if rng.random() < 0.35:
            c = str(rng.choice(COMMENTS))
            if rng.random() < 0.15:  # people write names into comments: they must be masked
                c = f"Terima kasih Bapak/Ibu pengajar. Salam dari {people['Nama'].iloc[i]}."
            comments.append(c)
        else:
            comments.append("")
    df["Saran dan masukan"] = comments
    return df


def _tests(rng, people, pre_mu, gain_mu) -> pd.DataFrame:
    n = len(people)
    pre = np.clip(np.rint(rng.normal(pre_mu, 11, n)), 5, 100)
    gain = rng.normal(gain_mu, 8, n)
    post = np.clip(np.rint(pre + gain), 0, 100)
    df = pd.DataFrame({"NIP": people["NIP"], "Nama": people["Nama"],
                       "Nilai Pre-test": pre.astype(int).astype(str), "Nilai Post-test": post.astype(int).astype(str)})
    miss = rng.choice(n, 2, replace=False)
    df.loc[miss, "Nilai Post-test"] = ""
    return df, gain


def _behaviour(rng, people, gains, effect) -> pd.DataFrame:
    rows = []
    n = len(people)
    base = rng.normal(0, 1, n)
    change = effect * (0.5 + 0.04 * (gains - gains.mean())) + rng.normal(0, 0.3, n)
    for rater, bias in (("Alumni", 0.25), ("Atasan", 0.0)):
        for time, shift in (("Sebelum", 0.0), ("Sesudah", 1.0)):
            theta = base + shift * change + rng.normal(0, 0.35, n)
            rec = {"NIP": people["NIP"].to_numpy(), "Penilai": rater, "Waktu": time}
            for aspect in BEHAVIOUR_ASPECTS:
                for j in (1, 2):
                    rec[f"{aspect}_{j}"] = _likert(rng, theta, 3.2 + bias, 0.8, False, BAIK5, missing=0.01).to_numpy()
            rows.append(pd.DataFrame(rec))
    return pd.concat(rows, ignore_index=True)


def _indicators(kind: str, effect: float) -> pd.DataFrame:
    rows = [
        ("Indeks kepuasan layanan unit kerja alumni", "indeks", "higher", 78.2, 82.0, 78.2 + 4.6 * effect,
         "Meningkatnya kualitas pelayanan publik", "outcome"),
        ("Rata-rata waktu penyelesaian layanan perizinan", "hari", "lower", 9.0, 6.0, 9.0 - 2.4 * effect,
         "Meningkatnya kualitas pelayanan publik", "outcome"),
        ("Persentase proyek perubahan yang berjalan", "%", "higher", 0.0, 80.0, 86.0 * effect,
         "Meningkatnya kompetensi manajerial aparatur", "output"),
        ("Jumlah temuan audit berulang", "temuan", "lower", 14.0, 8.0, 14.0 - 5.0 * effect,
         "Meningkatnya akuntabilitas kinerja", "impact"),
    ]
    return pd.DataFrame(rows, columns=["indicator", "unit", "direction", "baseline", "target", "realisation",
                                       "strategic_goal", "logic_level"]).round(1)


def _costs(kind: str, n: int) -> pd.DataFrame:
    if kind == "smart":
        return pd.DataFrame(SMART_ONLINE_COSTS, columns=["item", "category", "mode", "amount"])
    lines = [("Honorarium widyaiswara", "pengajar", 300000, 120 if kind == "leadership" else 60),
             ("Konsumsi peserta", "konsumsi", 185000, n * (30 if kind == "leadership" else 10)),
             ("Akomodasi peserta (asrama)", "akomodasi", 250000, n * (20 if kind == "leadership" else 9)),
             ("Bahan ajar dan training kit", "bahan", 250000, n),
             ("ATK penyelenggaraan", "atk", 9500000, 1),
             ("Studi lapangan", "kegiatan", 1500000, n if kind == "leadership" else 0),
             ("Cetak sertifikat (STTPL)", "administrasi", 65000, n)]
    return pd.DataFrame([(a, b, "classroom", c, q) for a, b, c, q in lines if q > 0],
                        columns=["item", "category", "mode", "unit_cost", "quantity"])


def _attempts(rng, people, placement, start: str) -> pd.DataFrame:
    """SMART assessment path: placement (≥85 exempt), 4 module exams (pass 70, ≤5 tries),
    final (≤3 tries); each attempt dated 1–5 days after the previous one."""
    rows = []
    day0 = dt.date.fromisoformat(start)
    for i, nip in enumerate(people["NIP"]):
        day = day0
        rows.append((nip, "placement", "", 1, int(placement[i]), day.isoformat()))
        if placement[i] >= 85:
            continue
        ability = rng.normal(0, 1)
        dropped = rng.random() < 0.08
        for m in range(1, 5):
            for a in range(1, 6):
                day += dt.timedelta(days=int(rng.integers(1, 6)))
                score = int(np.clip(np.rint(68 + 8 * ability + 6 * a + rng.normal(0, 7)), 0, 100))
                rows.append((nip, "module", f"M{m}", a, score, day.isoformat()))
                if score >= 70:
                    break
            if dropped and m == 2:
                break
        if dropped:
            continue
        for a in range(1, 4):
            day += dt.timedelta(days=int(rng.integers(1, 6)))
            score = int(np.clip(np.rint(70 + 9 * ability + 5 * a + rng.normal(0, 6)), 0, 100))
            rows.append((nip, "final", "", a, score, day.isoformat()))
            if score >= 70:
                break
    return pd.DataFrame(rows, columns=["NIP", "stage", "module", "attempt", "score", "date"])


TEST_KEY_LETTERS = "ABCDE"


def _test_answers(rng, people, post: pd.Series, n_items: int = 25):
    """Post-test answer sheets (letters A–E) consistent with each participant's post-test
    score: ability θ from the score, item difficulties spread over the scale, a 2PL-like
    chance of a correct answer with 20 % guessing; item S13 has a wrong key in practice
    (nearly random answers), so the item analysis has something to flag."""
    key = {f"S{j + 1:02d}": TEST_KEY_LETTERS[int(rng.integers(0, 5))] for j in range(n_items)}
    score = pd.to_numeric(post, errors="coerce").to_numpy()
    theta = (np.nan_to_num(score, nan=50.0) - 60) / 15
    b = np.linspace(-1.0, 2.2, n_items)
    rows = {"NIP": people["NIP"].to_numpy()}
    for j, (item, correct) in enumerate(key.items()):
        disc = 0.15 if item == "S13" else 1.6
        p = 0.2 + 0.8 / (1 + np.exp(-disc * (theta - b[j])))
        right = rng.random(len(theta)) < p
        wrong = [c for c in TEST_KEY_LETTERS if c != correct]
        answers = np.where(right, correct, rng.choice(wrong, len(theta)))
        answers = answers.astype(object)
        answers[rng.random(len(theta)) < 0.01] = ""
        rows[item] = answers
    df = pd.DataFrame(rows)
    return df[~np.isnan(score)].reset_index(drop=True), key


def _program_yaml(pid: str, cfg: dict, files: dict) -> dict:
    kind = cfg["kind"]
    names = {"leadership": "Pelatihan Kepemimpinan Pengawas (PKP)",
             "mot": "Pelatihan Management of Training (MOT)",
             "smart": "SMART Training: Pelatihan Mandiri Daring Analis Kebijakan"}
    scales = {s: {"items": [i for i, _, _ in items], "reverse": [i for i, _, r in items if r],
                  "label": SCALE_LABELS[s]} for s, items in REACTION_ITEMS.items()}
    y = {
        "name": names[kind],
        "institution": "BPSDM Provinsi Contoh" if kind != "smart" else "BPSDM Kementerian Contoh",
        "cohort": cfg["cohort"], "year": 2026,
        "start_date": dt.date.fromisoformat(cfg["start"]), "end_date": dt.date.fromisoformat(cfg["end"]),
        "jp": cfg["jp"], "delivery_mode": cfg["mode"], "participants": cfg["n"], "language": "id",
        "description": "Sample program generated by evalkit.datasets (fake people, fake data).",
        # the first PKP cohort also shows the reaction questionnaire's construct validity (CFA)
        "instruments": {"reaksi": {"labels": "setuju5", **({"validate": "cfa"} if pid == "pkp-2026-angkatan-1" else {}),
                                   "scale": [1, 5], "scales": scales}},
        "roster": {"file": files["roster"], "id_column": "NIP", "name_columns": ["Nama"],
                   "profile": {"sex": "Jenis Kelamin", "position": "Jabatan", "unit": "Unit Kerja"}},
        "level1": {"file": files["level1"], "instrument": "reaksi", "id_column": "NIP",
                   "name_columns": ["Nama Lengkap"], "timestamp_column": "Timestamp",
                   "comment_columns": ["Saran dan masukan"],
                   "columns": {text: item for items in REACTION_ITEMS.values() for item, text, _ in items}},
        "level2": {"file": files["level2"], "id_column": "NIP", "name_columns": ["Nama"],
                   "pre": "Nilai Pre-test", "post": "Nilai Post-test", "max_score": 100, "pass_mark": 70},
    }
    if kind == "smart":
        y["level2"].update({"pre": "placement", "post": "final"})
        y["level2"]["name_columns"] = []
    if "level3" in files:
        # the ready-made PP 30/2019 instrument (config/instruments.yaml): the five aspects
        # of BEHAVIOUR_ASPECTS, two items each, named as _behaviour() writes them
        y["instruments"]["perilaku_kerja"] = {"builtin": "pp30_2019"}
        y["level3"] = {"file": files["level3"], "instrument": "perilaku_kerja", "id_column": "NIP",
                       "rater_column": "Penilai", "time_column": "Waktu", "before": "Sebelum", "after": "Sesudah"}
    if "level4" in files:
        y["level4"] = {"file": files["level4"]}
    if "costs" in files:
        y["costs"] = {"file": files["costs"]}
    if "costs_alternative" in files:
        y["costs"]["alternative"] = {"file": files["costs_alternative"], "mode": "classroom", "participants": 30}
    if "assessment" in files:
        y["assessment"] = {"file": files["assessment"], "id_column": "NIP"}
    if "test_items" in files:
        y["test_items"] = {"file": files["test_items"], "id_column": "NIP", "test": "post",
                           "key": files["test_key"]}
    if "instructors" in files:
        y["instruments"]["widyaiswara"] = {
            "labels": "setuju5", "scale": [1, 5],
            "scales": {"pengajaran": {"items": list(INSTRUCTOR_ITEMS)[:4],
                                      "label": {"id": "Pengajaran", "en": "Teaching"}},
                       "disiplin": {"items": ["waktu"], "label": {"id": "Ketepatan waktu", "en": "Punctuality"}}}}
        y["instructors"] = {"file": files["instructors"], "instrument": "widyaiswara", "id_column": "NIP",
                            "instructor_column": "Widyaiswara", "subject_column": "Mata Pelatihan",
                            "columns": {text: item for item, text in INSTRUCTOR_ITEMS.items()}}
    if "level5" in files:
        y["level5"] = {"file": files["level5"], "id_column": "NIP", "name_columns": ["Nama"],
                       "isolation": "participant_estimate",
                       "benefit": "Manfaat per tahun (Rp)", "contribution": "Kontribusi pelatihan (%)",
                       "confidence": "Keyakinan (%)", "period_months": 12, "hourly_cost": 62500,
                       "extra_costs": {"Analisis kebutuhan dan evaluasi": 18000000},
                       "intangibles": ["Kepercayaan diri memimpin rapat koordinasi",
                                       "Jejaring kerja antar-perangkat daerah",
                                       "Budaya kerja berorientasi pelayanan di unit alumni"]}
    return y


INSTRUCTOR_ITEMS = {"penguasaan_materi": "Penguasaan materi", "sistematika": "Sistematika penyajian",
                    "metode": "Penggunaan metode dan media", "interaksi": "Interaksi dengan peserta",
                    "waktu": "Ketepatan waktu"}
INSTRUCTORS = [("WI-01", "Kepemimpinan Pancasila", 0.4), ("WI-02", "Manajemen Kinerja", 0.1),
               ("WI-03", "Inovasi Pelayanan Publik", -0.5), ("WI-04", "Proyek Perubahan", 0.25),
               ("NS-01", "Kuliah Umum", 0.6)]


def _instructor_ratings(seed: int, people: pd.DataFrame) -> pd.DataFrame:
    """Each respondent rates the instructors of the sessions attended (setuju5 labels); the
    guest speaker NS-01 is rated by only four (too few to compare). Separate generator."""
    rng = np.random.default_rng(seed + 700)
    labels = ["Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju"]
    rows = []
    for k, nip in enumerate(people["NIP"]):
        for code, subject, quality in INSTRUCTORS:
            if code == "NS-01" and k >= 4:
                continue
            base = 3.9 + quality + rng.normal(0, 0.35)
            rows.append([nip, code, subject] + [labels[int(np.clip(np.rint(base + rng.normal(0, 0.6)), 1, 5)) - 1]
                                                 for _ in INSTRUCTOR_ITEMS])
    return pd.DataFrame(rows, columns=["NIP", "Widyaiswara", "Mata Pelatihan", *INSTRUCTOR_ITEMS.values()])


def _benefits(seed: int, people: pd.DataFrame, effect: float) -> pd.DataFrame:
    """Phillips-style estimates from about two thirds of the alumni, a year after the training:
    annual monetary benefit (Rp), the share they attribute to the training, their confidence.
    A separate generator, so that the other files do not change with it."""
    rng = np.random.default_rng(seed + 500)
    who = people[rng.random(len(people)) < 0.68]
    n = len(who)
    base = 120_000_000 if effect > 0.5 else 8_000_000
    benefit = np.round(rng.lognormal(np.log(base), 0.6, n) / 50_000) * 50_000
    return pd.DataFrame({"NIP": who["NIP"].to_numpy(), "Nama": who["Nama"].to_numpy(),
                         "Manfaat per tahun (Rp)": benefit.astype(int),
                         "Kontribusi pelatihan (%)": rng.choice([20, 30, 40, 50, 60, 70, 80], n),
                         "Keyakinan (%)": rng.choice([50, 60, 70, 75, 80, 90], n)})


def _write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8", **kw) -> None:
    path.write_bytes(df.to_csv(index=False, lineterminator="\n", **kw).encode(encoding))


def make_program(pid: str, folder: Path, **cfg) -> Path:
    """Write one sample program to ``folder/pid``."""
    rng = np.random.default_rng(cfg["seed"])
    out = Path(folder) / pid
    out.mkdir(parents=True, exist_ok=True)
    kind, n = cfg["kind"], cfg["n"]
    people = _people(rng, n)
    files = {"roster": "peserta.csv", "level1": "evaluasi_penyelenggaraan.csv", "level2": "nilai_tes.csv"}
    _write_csv(people, out / files["roster"])
    quality = 4.1 if cfg["gain"] > 5 else 3.6
    reaction = _reaction(rng, people, cfg["end"], quality)
    respondents = rng.random(n) < 0.94  # a few participants never fill in the form
    reaction = reaction[respondents].reset_index(drop=True)
    if kind == "mot":
        # Level 1 arrives as an Excel file with a title row above the header
        files["level1"] = "evaluasi_penyelenggaraan.xlsx"
        with pd.ExcelWriter(out / files["level1"], engine="openpyxl") as xw:
            pd.DataFrame([["Rekap Evaluasi Penyelenggaraan Pelatihan MOT Angkatan I"]]).to_excel(
                xw, index=False, header=False, startrow=0)
            reaction.to_excel(xw, index=False, startrow=2)
    else:
        _write_csv(reaction, out / files["level1"])
    tests, gains = _tests(rng, people, cfg["pre"], cfg["gain"])
    if kind == "mot":
        # Indonesian Excel CSV: semicolon-delimited, Windows-1252
        _write_csv(tests, out / files["level2"], sep=";", encoding="cp1252")
    elif kind == "smart":
        placement = tests["Nilai Pre-test"].astype(float).to_numpy()
        attempts = _attempts(rng, people, placement, cfg["start"])
        files["assessment"] = "percobaan_ujian.csv"
        _write_csv(attempts, out / files["assessment"])
        best_final = attempts[attempts.stage == "final"].groupby("NIP")["score"].max()
        t2 = pd.DataFrame({"NIP": people["NIP"], "placement": placement.astype(int).astype(str)})
        t2["final"] = t2["NIP"].map(best_final).map(lambda v: "" if pd.isna(v) else str(int(v)))
        tests = t2
        _write_csv(tests, out / files["level2"])
    else:
        _write_csv(tests, out / files["level2"])
    if kind == "leadership":
        effect = 1.0 if cfg["gain"] > 5 else 0.1
        files["level3"] = "penilaian_perilaku.csv"
        _write_csv(_behaviour(rng, people, gains, effect), out / files["level3"])
        files["level4"] = "indikator_kinerja.csv"
        _write_csv(_indicators(kind, effect), out / files["level4"])
        files["level5"] = "manfaat_roi.csv"
        _write_csv(_benefits(cfg["seed"], people, effect), out / files["level5"])
        files["instructors"] = "evaluasi_widyaiswara.csv"
        _write_csv(_instructor_ratings(cfg["seed"], people[respondents]), out / files["instructors"])
    files["costs"] = "biaya.csv"
    _write_csv(_costs(kind, n), out / files["costs"])
    if kind == "smart":
        files["costs_alternative"] = "biaya_klasikal.csv"
        _write_csv(pd.DataFrame([(a, b, "classroom", c, q) for a, b, c, q in SMART_CLASSROOM_COSTS],
                                columns=["item", "category", "mode", "unit_cost", "quantity"]),
                   out / files["costs_alternative"])
    if kind in ("leadership", "mot"):
        answers, test_key = _test_answers(rng, people, tests["Nilai Post-test"])
        files["test_items"] = "jawaban_post_test.csv"
        files["test_key"] = test_key
        _write_csv(answers, out / files["test_items"])
    spec = _program_yaml(pid, cfg, files)
    header = (f"# Sample program generated by `evalkit samples` (evalkit.datasets, seed {cfg['seed']}).\n"
              "# All names and NIPs are fake. Format: docs/program-format.md\n")
    (out / "program.yaml").write_text(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100),
                                      encoding="utf-8")
    return out


def make_sample_programs(folder: str | Path, only: list[str] | None = None) -> list[Path]:
    """Write every sample program (or those in ``only``) under ``folder``, and the
    institute's JP ledger (``institution/jp_ledger.csv``) when all programs are written."""
    out = [make_program(pid, Path(folder), **cfg) for pid, cfg in SAMPLES.items() if not only or pid in only]
    if not only:
        out.append(make_jp_ledger(Path(folder) / "institution"))
    return out


LEDGER_TRAININGS = [("Webinar Manajemen ASN", 2), ("E-learning Anti Korupsi", 10), ("Bimtek Pengadaan Barang/Jasa", 24),
                    ("Webinar Literasi Digital", 3), ("Pelatihan Pelayanan Prima", 18), ("Coaching Kinerja", 4),
                    ("E-learning Moderasi Beragama", 8), ("Workshop SAKIP", 16), ("Seminar Kebijakan Publik", 4)]


def make_jp_ledger(folder: Path, seed: int = 7, others: int = 140) -> Path:
    """The institute's JP ledger for 2025–2026 (``jp_ledger.csv``: NIP, Nama, Tahun, Pelatihan,
    JP): the sample programs' participants (the program counts for its year) and ``others``
    employees, each with a few short trainings a year, so that some fall below 20 JP."""
    rng = np.random.default_rng(seed)
    staff = [(_people(np.random.default_rng(cfg["seed"]), cfg["n"]), pid, cfg) for pid, cfg in SAMPLES.items()]
    workforce = pd.concat([p for p, _, _ in staff] + [_people(rng, others)], ignore_index=True)
    workforce = workforce.drop_duplicates("NIP").reset_index(drop=True)
    rows = []
    for cfg_people, _, cfg in staff:
        year = int(cfg["start"][:4])
        name = {"leadership": "Pelatihan Kepemimpinan Pengawas", "mot": "Pelatihan Management of Training",
                "smart": "Pelatihan SMART"}[cfg["kind"]]
        for nip, nama in zip(cfg_people["NIP"], cfg_people["Nama"]):
            rows.append((nip, nama, year, f"{name} {cfg['cohort']}", cfg["jp"]))
    for nip, nama in zip(workforce["NIP"], workforce["Nama"]):
        for year in (2025, 2026):
            for t in rng.choice(len(LEDGER_TRAININGS), size=int(rng.integers(0, 5)), replace=False):
                title, jp = LEDGER_TRAININGS[int(t)]
                rows.append((nip, nama, year, title, jp))
    ledger = pd.DataFrame(rows, columns=["NIP", "Nama", "Tahun", "Pelatihan", "JP"])
    ledger = ledger.sort_values(["Tahun", "NIP", "Pelatihan"], kind="stable").reset_index(drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(ledger, folder / "jp_ledger.csv")
    return folder / "jp_ledger.csv"


def sample_program(pid: str = "pkp-2026-angkatan-1", folder: str | Path | None = None) -> Path:
    """Generate one sample program (into a temporary folder by default) and return its path.

    Examples
    --------
    >>> p = sample_program("mot-2026-angkatan-1")
    >>> (p / "program.yaml").exists()
    True
    """
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="evalkit-sample-"))
    return make_program(pid, folder, **SAMPLES[pid])

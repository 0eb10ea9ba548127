"""Infer a program's mapping from the exports evaluators have (Google Forms CSV, Excel sheets).

:func:`infer_file` reads one export as a grid of text, finds the header row below any title
rows and classifies every column (id, name, e-mail, timestamp, Likert item, comment, pre/post
score, cost or indicator column) with the evidence for each choice. :func:`infer_program`
combines the files into a :class:`Plan` that :mod:`evalkit.scaffold.writer` turns into a
commented ``program.yaml``. Nothing here writes a file.

Heuristics (each is written as evidence beside its key, never applied silently):

* **Label set**: the distinct answers of all Likert columns of a file, matched (case and
  spacing ignored, as the loader matches them) against the built-in sets of
  ``config/likert.yaml`` and the extra sets of :data:`EXTRA_LABEL_SETS`; of the sets that hold
  every answer, the one with the fewest scale points unseen wins (so no neutral answer seen
  → the 4-point set, flagged as uncertain). Numbers 1–5 (1–7) give ``labels`` none and
  ``scale: [1, 5]`` (``[1, 7]``).
* **Scales**: Google Forms grid headers ``Group [item]`` give one scale per group; otherwise
  the Level 1 dimensions are recognised from their Indonesian words (:data:`DIMENSIONS`, the
  earliest word in the header wins); a header without one joins the scale of the item before
  it (forms are written section by section), flagged as uncertain.
* **Reverse-keyed candidates**: negative wording (:data:`NEGATIVE_WORDS`) or a negative
  corrected item–rest correlation (Pearson correlation of the item with the sum of the other
  items of its scale, pairwise complete; Nunnally & Bernstein 1994, ch. 8) — only listed.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..ingest.readers import _encoding, _sniff_delimiter, parse_numbers
from ..ingest.spec import builtin_label_sets
from ..ingest.validate import norm

#: missing-value codes the loader treats as missing by default (issue 12)
DEFAULT_MISSING = ("-", "–", "—", "th", "t/h", "tidak hadir", "n/a", "#n/a", "na")
#: further codes people type for "no answer"; found ones are written to ``missing_values:``
EXTRA_MISSING = ("?", "x", "tt", "tidak tahu", "tidak menjawab", "tidak diisi", "kosong", "tidak ada jawaban",
                 "belum diisi", "n.a.", "none", "null", "99", "999", "9999")
#: labels of total or footer rows (excluded by the loader, listed in a comment)
TOTAL_ROW = re.compile(r"^(jumlah|total|grand total|sub ?total|rata-rata|rata rata|rerata|average|mean|sum)\b")

#: label sets beyond the built-in ones (written inline under ``label_sets:`` when chosen)
EXTRA_LABEL_SETS: dict[str, dict[str, float]] = {
    "setuju7": {"Sangat Tidak Setuju": 1, "Tidak Setuju": 2, "Agak Tidak Setuju": 3, "Netral": 4,
                "Agak Setuju": 5, "Setuju": 6, "Sangat Setuju": 7},
    "puas4": {"Sangat Tidak Puas": 1, "Tidak Puas": 2, "Puas": 3, "Sangat Puas": 4},
    "puas7": {"Sangat Tidak Puas": 1, "Tidak Puas": 2, "Agak Tidak Puas": 3, "Netral": 4, "Agak Puas": 5,
              "Puas": 6, "Sangat Puas": 7},
    "setuju4_kurang": {"Tidak Setuju": 1, "Kurang Setuju": 2, "Setuju": 3, "Sangat Setuju": 4},
    "puas4_kurang": {"Tidak Puas": 1, "Kurang Puas": 2, "Puas": 3, "Sangat Puas": 4},
    "puas5_kurang": {"Sangat Tidak Puas": 1, "Tidak Puas": 2, "Kurang Puas": 3, "Puas": 4, "Sangat Puas": 5},
    "baik4_cukup": {"Kurang Baik": 1, "Cukup Baik": 2, "Baik": 3, "Sangat Baik": 4},
    "baik5_cukup": {"Tidak Baik": 1, "Kurang Baik": 2, "Cukup Baik": 3, "Baik": 4, "Sangat Baik": 5},
    "buruk_baik5": {"Sangat Buruk": 1, "Buruk": 2, "Cukup": 3, "Baik": 4, "Sangat Baik": 5},
    "buruk_baik4": {"Sangat Buruk": 1, "Buruk": 2, "Baik": 3, "Sangat Baik": 4},
}
#: the built-in sets considered (ikm4 mixes nine elements' words and is chosen with builtin: ikm)
BUILTIN_CANDIDATES = ("setuju5", "setuju4", "puas5", "baik4", "baik5")

#: Level 1 dimensions: scale id, display names, the words that name it in a question
DIMENSIONS = {
    "materi": ({"id": "Materi", "en": "Materials"},
               ("materi", "bahan ajar", "modul", "kurikulum", "substansi", "bahan bacaan")),
    "pengajar": ({"id": "Pengajar (widyaiswara)", "en": "Instructors (widyaiswara)"},
                 ("widyaiswara", "pengajar", "pengajaran", "fasilitator", "narasumber", "instruktur", "pelatih", "coach",
                  "mentor", "penceramah")),
    "penyelenggaraan": ({"id": "Penyelenggaraan", "en": "Organisation"},
                        ("penyelenggaraan", "penyelenggara", "panitia", "jadwal", "administrasi", "informasi",
                         "pelayanan", "layanan", "konsumsi", "akomodasi", "waktu pelaksanaan")),
    "sarana": ({"id": "Sarana dan prasarana", "en": "Facilities"},
               ("sarana", "prasarana", "fasilitas", "ruang", "kelas", "peralatan", "platform", "internet",
                "koneksi", "jaringan", "asrama", "perlengkapan", "lms", "zoom")),
}
#: negative wording (Indonesian) that marks a reverse-keyed candidate
NEGATIVE_WORDS = ("tidak", "kurang", "terlalu", "sulit", "sering terputus", "terputus", "lambat", "membosankan",
                  "membingungkan", "bingung", "buruk", "jarang", "kesulitan", "belum", "berbelit", "rusak",
                  "sempit", "bising", "panas", "terlambat", "mengganggu")

HEADER_PATTERNS = {
    "timestamp": r"^(timestamp|cap waktu|stempel waktu|waktu pengisian|tanggal pengisian|waktu|tanggal|date|time)\b",
    "id": r"(^|\b)(nip|nrp|nomor induk pegawai|no\.? induk|nomor induk|id peserta|nik)\b",
    "email": r"(e-?mail|surel|alamat (e-?mail|surel))",
    "phone": r"\b(no\.? ?hp|hp|wa|whatsapp|telepon|telp|phone|ponsel)\b",
    "name": r"^(nama|name)\b|\bnama (lengkap|peserta)\b",
    "comment": r"(saran|masukan|komentar|kesan|pesan|harapan|catatan|usul|kritik|tanggapan|pendapat|comment)",
    "pre": r"(\bpre\b|pre-? ?test|pretest|tes awal|test awal|nilai awal|\bawal\b|sebelum|placement|penempatan)",
    "post": r"(\bpost\b|post-? ?test|posttest|tes akhir|test akhir|nilai akhir|\bakhir\b|sesudah|setelah|\bfinal\b)",
}
COST_PATTERNS = {
    "item": r"^(item|uraian|rincian|komponen|nama (item|komponen|barang)|keterangan|deskripsi|description)\b",
    "category": r"^(kategori|category|jenis|kelompok|akun|pos)\b",
    "unit_cost": r"(harga satuan|biaya satuan|unit cost|unit_cost|satuan \(rp\)|harga)",
    "quantity": r"^(volume|vol|qty|quantity|kuantitas|banyaknya|jumlah (satuan|unit|orang|hari)|frekuensi)\b",
    "amount": r"(amount|jumlah|total|biaya|nilai|anggaran|rp)",
    "mode": r"^(mode|moda|delivery)\b",
}
INDICATOR_PATTERNS = {
    "strategic_goal": r"(sasaran strategis|tujuan strategis|strategic|tujuan)",
    "logic_level": r"(logic|level logika|tingkat logika|tingkat|jenjang)",
    "indicator": r"^(indikator|indicator|nama indikator)",
    "unit": r"^(satuan|unit)\b",
    "direction": r"^(arah|direction|polaritas|polarity)",
    "baseline": r"(baseline|kondisi awal|nilai awal|awal|sebelum)",
    "target": r"^(target|sasaran)\b",
    "realisation": r"(realisasi|realisation|realization|capaian|actual)",
}

DATE_RE = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}([ T]\d{1,2}[:.]\d{2}.*)?$")


def ev(key: str, **params) -> tuple:
    """Evidence for an inference: translation key ``scaffold.ev_<key>`` and its parameters."""
    return (key, params)


def ev_text(evidence: tuple, lang: str = "en") -> str:
    """The evidence in words (``lang``)."""
    from ..i18n import t

    if not evidence:
        return ""
    key, params = evidence
    return t(f"scaffold.ev_{key}", lang, **params)


@dataclass
class Column:
    """One column of an export and what it was inferred to be.

    ``role`` is one of ``id, name, email, timestamp, item, comment, pre, post, cost:<name>,
    indicator:<name>, ignore``; ``item`` and ``scale`` are set for Likert items.
    """

    header: str
    role: str
    evidence: tuple = ()            # (translation key, params): see :func:`ev`
    uncertain: bool = False
    item: str | None = None
    scale: str | None = None
    reverse_reason: list | None = None  # why it is a reverse-keyed candidate: evidence tuples (None: not one)
    values: list[str] = field(default_factory=list)  # distinct answers (first few), for the form
    reverse_confirmed: bool = False  # the user confirmed it as reverse-keyed
    reverse_declined: bool = False   # the user said it is not


@dataclass
class FilePlan:
    """What was found in one export."""

    role: str                       # level1 | level2 | costs | level4
    source: Path
    file: str                       # its name inside the program folder
    header_row: int = 1             # 1-based row of the header in the export
    title_rows: list[str] = field(default_factory=list)
    n_rows: int = 0                 # data rows (total rows excluded)
    columns: list[Column] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)   # spreadsheet row numbers
    missing_codes: dict[str, int] = field(default_factory=dict)   # code → cells
    repeated_ids: int = 0           # rows whose (canonical) id appeared before
    ids_with_spaces: int = 0
    ids_with_apostrophe: int = 0
    labels: str | None = None       # label set name
    label_map: dict[str, float] | None = None   # set only for a set not built in
    scale_range: tuple[int, int] | None = None
    labels_evidence: tuple = ()
    labels_uncertain: bool = False
    unknown_answers: dict[str, str] = field(default_factory=dict)   # answer → nearest label
    max_score: float | None = None
    todos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_role(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def first(self, role: str) -> str | None:
        cols = self.by_role(role)
        return cols[0].header if cols else None


@dataclass
class Plan:
    """Everything :func:`evalkit.scaffold.writer.render_program_yaml` needs."""

    program_id: str
    meta: dict
    files: dict[str, FilePlan]
    scale_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    lang: str = "id"

    @property
    def level1(self) -> FilePlan | None:
        return self.files.get("level1")


# --- reading --------------------------------------------------------------------------


def read_grid(path: Path, sheet=None) -> pd.DataFrame:
    """A CSV or XLSX export as a grid of stripped text (no header; empty cells are NaN).

    CSV rows of different lengths (title rows above the header) are padded; quoted newlines
    stay inside their cell.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from ..ingest.readers import _cell_text

        grid = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        grid = grid.map(_cell_text)
    elif suffix == ".sav":
        import pyreadstat

        df, _ = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
        grid = pd.concat([pd.DataFrame([list(df.columns)]), pd.DataFrame(df.astype(object).to_numpy())],
                         ignore_index=True)
    else:
        enc = _encoding(path)
        text = path.read_text(enc)
        delim = _sniff_delimiter(text[:20000]) if suffix != ".tsv" else "\t"
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    grid = grid.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v))
                    else (str(v).strip() or np.nan))
    return grid


def find_header_row(grid: pd.DataFrame) -> int:
    """0-based position of the header: the first of the top 15 rows that is nearly as wide as
    the widest row and holds mostly text that is not a number."""
    width = grid.notna().sum(axis=1)
    full = width.max()
    for i in range(min(len(grid), 15)):
        cells = grid.iloc[i].dropna().astype(str)
        if len(cells) >= max(1, 0.8 * full):
            nums, _ = parse_numbers(cells.reset_index(drop=True))
            if nums.notna().mean() < 0.5:
                return i
    return 0


def canonical_id(v) -> str | None:
    """An id as the loader will compare it: spaces, dots, hyphens and a leading apostrophe
    removed, a spreadsheet's trailing ``.0`` dropped.

    Examples
    --------
    >>> canonical_id("19960204 202506 1 002"), canonical_id("'199602042025061002")
    ('199602042025061002', '199602042025061002')
    """
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v).strip().lstrip("'’`")
    s = re.sub(r"\.0+$", "", s)
    return re.sub(r"[\s.\-]", "", s) or None


def slug(text: str, maxlen: int = 30) -> str:
    """A short identifier from a question's text: ``"Materi pelatihan"`` → ``materi_pelatihan``.

    Examples
    --------
    >>> slug("Penyelenggaraan & Panitia!")
    'penyelenggaraan_panitia'
    """
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")
    s = s[:maxlen].rstrip("_")
    if not s or s[0].isdigit():
        s = "q_" + s
    return s


# --- label sets -------------------------------------------------------------------------


def candidate_label_sets() -> dict[str, dict[str, float]]:
    """Built-in sets (by name) and :data:`EXTRA_LABEL_SETS`, in order of preference."""
    b = builtin_label_sets()
    out = {k: b[k] for k in BUILTIN_CANDIDATES if k in b}
    out.update(EXTRA_LABEL_SETS)
    return out


def _all_label_keys() -> set[str]:
    return {norm(k) for s in candidate_label_sets().values() for k in s}


def choose_label_set(answers: set[str]) -> tuple[str | None, str, bool, int]:
    """The label set for a set of normalized answers: ``(name, evidence, uncertain, points)``.

    Of the sets that hold every answer, the one with the fewest scale points not seen wins
    (ties: order of :func:`candidate_label_sets`); uncertain when another set also holds them all.

    Examples
    --------
    >>> choose_label_set({"setuju", "sangat setuju", "ragu-ragu", "tidak setuju"})[0]
    'setuju5'
    >>> choose_label_set({"setuju", "sangat setuju", "puas", "cukup puas"})[0]  # a mixed form
    'setuju5_puas5'
    >>> name, _, uncertain, _ = choose_label_set({"setuju", "sangat setuju", "tidak setuju"})
    >>> name, uncertain
    ('setuju4', True)
    """
    fits = []
    for name, labels in candidate_label_sets().items():
        lookup = {norm(k): v for k, v in labels.items()}
        if answers and answers <= set(lookup):
            points = sorted(set(lookup.values()))
            seen = {lookup[a] for a in answers}
            fits.append((len(points) - len(seen), name, len(points)))
    if not fits:
        return _union_of_two(answers)
    fits.sort(key=lambda x: x[0])  # stable: keeps the order of preference among ties
    unseen, name, points = fits[0]
    others = [f[1] for f in fits[1:]]
    return name, ", ".join(others), bool(others) and unseen > 0, points


def _union_of_two(answers: set[str]) -> tuple[str | None, str, bool, int]:
    """Two sets on the same range that together hold every answer (a form mixing agreement and
    satisfaction questions): registered as ``<a>+<b>`` in :data:`UNIONS`."""
    sets = candidate_label_sets()
    best = None
    names = list(sets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            la = {norm(k): v for k, v in sets[a].items()}
            lb = {norm(k): v for k, v in sets[b].items()}
            if (min(la.values()), max(la.values())) != (min(lb.values()), max(lb.values())):
                continue
            if any(la[k] != lb[k] for k in set(la) & set(lb)):
                continue
            both = {**la, **lb}
            if answers and answers <= set(both):
                unseen = len(set(both.values())) - len({both[x] for x in answers})
                if best is None or unseen < best[0]:
                    best = (unseen, a, b)
    if best is None:
        return None, "", True, 0
    _, a, b = best
    name = f"{a}_{b}"
    UNIONS[name] = {**sets[a], **{k: v for k, v in sets[b].items() if norm(k) not in {norm(x) for x in sets[a]}}}
    return name, "", True, len(set(UNIONS[name].values()))


#: label sets made of two sets for one form (written inline under ``label_sets:``)
UNIONS: dict[str, dict[str, float]] = {}


# --- one file -----------------------------------------------------------------------------


def _values(s: pd.Series) -> pd.Series:
    return s.dropna().astype(str)


def _is_missing_code(v: str) -> bool:
    return norm(v) in DEFAULT_MISSING or norm(v) in EXTRA_MISSING


def _is_total_row(row: pd.Series) -> bool:
    """A total or footer row: its first filled cell is a short total label (``JUMLAH``,
    ``Total``, ``Rata-rata:``) and every other filled cell is a number."""
    cells = [str(v) for v in row.dropna()]
    if not cells:
        return False
    label = norm(cells[0])
    if not TOTAL_ROW.match(label) or len(label.split()) > 3:
        return False
    nums, _ = parse_numbers(pd.Series(cells[1:], dtype=object), money=True)
    return bool(nums.notna().all())


def infer_file(path: Path, role: str, *, file: str | None = None, lang: str = "id",
               grid: pd.DataFrame | None = None) -> FilePlan:
    """Read one export and classify its columns for ``role`` (level1, level2, costs, level4).

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> fp = infer_file(sample_program("pkp-2026-angkatan-1") / "nilai_tes.csv", "level2")
    >>> fp.first("id"), fp.first("pre"), fp.first("post")
    ('NIP', 'Nilai Pre-test', 'Nilai Post-test')
    """
    path = Path(path)
    grid = read_grid(path) if grid is None else grid
    fp = FilePlan(role=role, source=path, file=file or path.name)
    if grid.empty:
        fp.todos.append("empty")
        return fp
    hdr = find_header_row(grid)
    fp.header_row = hdr + 1
    fp.title_rows = [" ".join(grid.iloc[i].dropna().astype(str)) for i in range(hdr)]
    headers = [str(v) if not pd.isna(v) else f"column_{j + 1}" for j, v in enumerate(grid.iloc[hdr])]
    body = grid.iloc[hdr + 1:].reset_index(drop=True)
    body.columns = range(len(headers))
    body = body.dropna(how="all")
    # total / footer rows: a total label in one of the first three cells
    totals = body.apply(_is_total_row, axis=1).astype(bool) if len(body) else pd.Series(dtype=bool)
    fp.total_rows = [hdr + 2 + int(i) for i in body.index[totals]]
    body = body[~totals]
    fp.n_rows = len(body)
    df = pd.DataFrame({h: body[j].to_numpy() for j, h in enumerate(headers)})
    if role == "level1":
        _classify_survey(fp, df)
    elif role == "level2":
        _classify_scores(fp, df)
    elif role == "costs":
        _classify_named(fp, df, COST_PATTERNS, "cost")
    elif role == "level4":
        _classify_named(fp, df, INDICATOR_PATTERNS, "indicator")
    elif role == "level3":
        _person_columns(fp, df)
        fp.todos.append("level3")
    else:
        raise ValueError(f"unknown role {role!r}")
    return fp


def _person_columns(fp: FilePlan, df: pd.DataFrame) -> set[str]:
    """id, name, e-mail, phone and timestamp columns; returns the headers used."""
    used: set[str] = set()
    for h in df.columns:
        lh = norm(h)
        vals = _values(df[h])
        canon = vals.map(canonical_id)
        nip_share = canon.str.fullmatch(r"\d{18}").mean() if len(vals) else 0.0
        if re.search(HEADER_PATTERNS["id"], lh) or nip_share >= 0.5:
            if fp.first("id") is None and (nip_share >= 0.5 or re.search(HEADER_PATTERNS["id"], lh)):
                fp.columns.append(Column(h, "id", evidence=ev("nip", share=f"{nip_share:.0%}"), uncertain=nip_share < 0.5))
                fp.ids_with_spaces = int(vals.str.contains(r"\s").sum())
                fp.ids_with_apostrophe = int(vals.str.startswith("'").sum())
                fp.repeated_ids = int(canon.duplicated().sum())
                used.add(h)
                continue
            if nip_share >= 0.5:  # another column of NIPs (a supervisor's): personal, dropped
                fp.columns.append(Column(h, "name", evidence=ev("nip", share=f"{nip_share:.0%}")))
                used.add(h)
                continue
        if re.search(HEADER_PATTERNS["email"], lh) or (len(vals) and vals.str.contains(r"^\S+@\S+\.\S+$").mean() >= .5):
            fp.columns.append(Column(h, "email", evidence=ev("email")))
            used.add(h)
        elif re.search(HEADER_PATTERNS["phone"], lh):
            fp.columns.append(Column(h, "name", evidence=ev("phone")))
            used.add(h)
        elif re.search(HEADER_PATTERNS["name"], lh):
            fp.columns.append(Column(h, "name", evidence=ev("name")))
            used.add(h)
        elif re.search(HEADER_PATTERNS["timestamp"], lh) or (len(vals) and vals.str.match(DATE_RE).mean() >= .8):
            if fp.first("timestamp") is None:
                share = vals.str.match(DATE_RE).mean() if len(vals) else 0.0
                fp.columns.append(Column(h, "timestamp", evidence=ev("timestamp", share=f"{share:.0%}")))
                used.add(h)
    return used


def _classify_survey(fp: FilePlan, df: pd.DataFrame) -> None:
    used = _person_columns(fp, df)
    keys = _all_label_keys()
    likert: list[str] = []
    numeric_likert: list[str] = []
    for h in df.columns:
        if h in used:
            continue
        vals = _values(df[h])
        if not len(vals):
            fp.columns.append(Column(h, "ignore", evidence=ev("empty")))
            continue
        normed = vals.map(norm)
        answers = normed[~normed.map(_is_missing_code)]
        distinct = set(answers)
        nums, _ = parse_numbers(answers.reset_index(drop=True))
        in_labels = answers.isin(keys).mean() if len(answers) else 0.0
        small_ints = (len(answers) > 0 and nums.notna().all() and (nums == nums.round()).all()
                      and nums.min() >= 0 and nums.max() <= 7 and len(distinct) <= 8)
        if in_labels >= 0.8 and len(distinct) <= 8:
            likert.append(h)
        elif small_ints and not re.search(HEADER_PATTERNS["comment"], norm(h)):
            numeric_likert.append(h)
        elif re.search(HEADER_PATTERNS["comment"], norm(h)) or (vals.str.len().mean() > 15 and len(set(vals)) > 1):
            fp.columns.append(Column(h, "comment", evidence=ev("comment", n=len(set(vals)))))
        else:
            fp.columns.append(Column(h, "ignore", evidence=ev("other", n=len(set(vals))),
                                     uncertain=True, values=sorted(set(vals))[:8]))
    items = likert or numeric_likert
    if likert and numeric_likert:
        fp.notes.append("numeric_and_labels")
    if not items:
        fp.todos.append("no_items")
        return
    # the label set from every answer of every item
    answers: set[str] = set()
    missing: dict[str, int] = {}
    for h in items:
        for v in _values(df[h]):
            if _is_missing_code(v):
                missing[v] = missing.get(v, 0) + 1
            else:
                answers.add(norm(v))
    fp.missing_codes = missing
    if likert:
        known = answers & keys
        unknown = answers - keys
        name, others, uncertain, points = choose_label_set(known)
        sets = {**candidate_label_sets(), **UNIONS}
        fp.labels = name
        fp.labels_uncertain = uncertain
        if name is not None:
            lookup = {norm(k): v for k, v in sets[name].items()}
            lo, hi = int(min(lookup.values())), int(max(lookup.values()))
            fp.scale_range = (lo, hi)
            if name in EXTRA_LABEL_SETS or name in UNIONS:
                fp.label_map = dict(sets[name])
            fp.labels_evidence = (ev("labels_also", n=len(known), name=name, others=others) if others
                                  else ev("labels", n=len(known), name=name))
            import difflib

            for u in sorted(unknown):
                near = difflib.get_close_matches(u, list(lookup), n=1, cutoff=0.6)
                orig = {norm(k): k for k in sets[name]}
                fp.unknown_answers[u] = orig[near[0]] if near else "–"
        else:
            fp.todos.append("no_label_set")
    else:
        nums = pd.concat([parse_numbers(_values(df[h]).reset_index(drop=True))[0] for h in items])
        hi = 7 if nums.max() > 5 else 5
        lo = 0 if nums.min() == 0 else 1
        fp.scale_range = (lo, hi)
        fp.labels = None
        fp.labels_uncertain = nums.max() < hi or nums.min() > lo
        fp.labels_evidence = ev("numeric_scale", seen=f"{nums.min():g}–{nums.max():g}", lo=lo, hi=hi)
    _group_items(fp, df, items)
    _reverse_candidates(fp, df)


def _dimension(header: str) -> str | None:
    text = norm(header)
    best = None
    for dim, (_, words) in DIMENSIONS.items():
        for w in words:
            m = re.search(rf"\b{re.escape(w)}(nya)?\b", text)  # a whole word ("pelatih" is not "pelatihan")
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), dim, w)
    return None if best is None else best[1] + "\0" + best[2]


GRID_RE = re.compile(r"^(.*\S)\s*\[(.+)\]\s*$")


def _group_items(fp: FilePlan, df: pd.DataFrame, items: list[str]) -> None:
    grids = {h: GRID_RE.match(h) for h in items}
    counters: dict[str, int] = {}
    prev_scale = None
    pending: list[Column] = []
    first_words: dict[str, int] = {}
    for h in items:
        w = norm(GRID_RE.sub(r"\1", h)).split(" ")[0]
        first_words[w] = first_words.get(w, 0) + 1
    for h in items:
        g = grids[h]
        uncertain = False
        if g:
            scale = slug(g.group(1))
            evidence = ev("grid", group=g.group(1))
            dim = _dimension(g.group(1))
            if dim:
                scale = dim.split("\0")[0]
                evidence = ev("grid_dim", group=g.group(1), word=dim.split("\0")[1])
        elif (dim := _dimension(h)):
            scale, word = dim.split("\0")
            evidence = ev("dimension", word=word, scale=scale)
        elif first_words.get(w := norm(h).split(" ")[0], 0) >= 2 and len(w) >= 3:
            scale = slug(w)
            evidence = ev("prefix", word=w, n=first_words[w])
        elif prev_scale is not None:
            scale = prev_scale
            evidence = ev("position", scale=scale)
            uncertain = True
        else:
            scale = None
            evidence = ev("no_dimension")
            uncertain = True
        col = Column(h, "item", evidence=evidence, uncertain=uncertain, scale=scale,
                     values=sorted(set(_values(df[h])))[:8])
        if scale is None:
            pending.append(col)
        else:
            prev_scale = scale
        fp.columns.append(col)
    for col in pending:  # questions before any recognised one: the first scale found, or "umum"
        col.scale = next((c.scale for c in fp.columns if c.role == "item" and c.scale), "umum")
    # item ids in the order of the form
    for col in fp.by_role("item"):
        counters[col.scale] = counters.get(col.scale, 0) + 1
        col.item = f"{col.scale}_{counters[col.scale]}"


def item_scores(fp: FilePlan, df: pd.DataFrame) -> pd.DataFrame:
    """The items as numbers (label set or numbers; anything else missing)."""
    sets = {**candidate_label_sets(), **UNIONS}
    if fp.label_map:
        sets[fp.labels] = fp.label_map
    lookup = {norm(k): float(v) for k, v in sets[fp.labels].items()} if fp.labels in sets else {}
    out = {}
    for col in fp.by_role("item"):
        raw = df[col.header]
        nums, _ = parse_numbers(raw.astype("string"))
        mapped = raw.map(lambda v: lookup.get(norm(v)) if isinstance(v, str) else None).astype(float)
        out[col.item] = mapped.fillna(nums)
    return pd.DataFrame(out)


def item_rest(scores: pd.DataFrame) -> pd.Series:
    """Corrected item–rest correlation of each column with the sum of the other columns
    (Pearson, pairwise complete; rows with a missing item are left out of that item's sum).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 3, 5, 4], "c": [1, 3, 2, 4, 5],
    ...                    "d": [5, 4, 4, 2, 1]})
    >>> item_rest(df).round(2).tolist()
    [0.85, 0.64, 0.48, -0.98]
    """
    out = {}
    for c in scores.columns:
        rest = scores.drop(columns=c).sum(axis=1, min_count=scores.shape[1] - 1)
        pair = pd.concat([scores[c], rest], axis=1).dropna()
        if len(pair) < 3 or pair.iloc[:, 0].std() == 0 or pair.iloc[:, 1].std() == 0:
            out[c] = np.nan
        else:
            out[c] = float(np.corrcoef(pair.iloc[:, 0], pair.iloc[:, 1])[0, 1])
    return pd.Series(out, dtype=float)


def _negative_words(header: str) -> list[str]:
    text = norm(GRID_RE.sub(r"\2", header))
    words = [w for w in NEGATIVE_WORDS if re.search(rf"\b{re.escape(w)}\b", text)]
    return [w for w in words if not any(w != o and w in o for o in words)]


def _reverse_candidates(fp: FilePlan, df: pd.DataFrame) -> None:
    """Negative wording, and a negative item–rest correlation computed with the negatively
    worded items of the scale reflected ((min + max) − x) in the rest, so that one reversed
    item does not drag its positive neighbours below zero."""
    scores = item_scores(fp, df)
    lo, hi = fp.scale_range or (1, 5)
    by_scale: dict[str, list[Column]] = {}
    for c in fp.by_role("item"):
        by_scale.setdefault(c.scale, []).append(c)
    for members in by_scale.values():
        worded = {m.item: _negative_words(m.header) for m in members}
        ids = [m.item for m in members]
        reflected = scores[ids].copy()
        for i in ids:
            if worded[i]:
                reflected[i] = lo + hi - reflected[i]
        for m in members:
            reasons = []
            if worded[m.item]:
                reasons.append(ev("rv_words", words=", ".join(f"'{w}'" for w in worded[m.item])))
            rv = np.nan
            if len(members) >= 3:
                rv = item_rest(pd.concat([scores[[m.item]], reflected.drop(columns=m.item)], axis=1))[m.item]
            if not np.isnan(rv) and (rv < 0 or worded[m.item]):
                reasons.append(ev("rv_r", r=f"{rv:.2f}"))
            if worded[m.item] or (not np.isnan(rv) and rv < 0):
                m.reverse_reason = reasons


def _classify_scores(fp: FilePlan, df: pd.DataFrame) -> None:
    used = _person_columns(fp, df)
    numeric = {}
    for h in df.columns:
        if h in used:
            continue
        vals = _values(df[h])
        vals = vals[~vals.map(_is_missing_code)]
        nums, bad = parse_numbers(vals.reset_index(drop=True))
        if len(vals) and nums.notna().mean() >= 0.8:
            numeric[h] = nums
    scores = [h for h in numeric if not re.fullmatch(r"(no|no\.|nomor|urut|#)", norm(h))]
    found = {}
    for key in ("pre", "post"):
        hit = [h for h in numeric if re.search(HEADER_PATTERNS[key], norm(h))
               and not (key == "pre" and re.search(HEADER_PATTERNS["post"], norm(h)))]
        if hit:
            found[key] = (hit[0], False)
    if not found and len(scores) == 2:  # two score columns, no telling names: in their order
        found = {"pre": (scores[0], True), "post": (scores[1], True)}
    for key in ("pre", "post"):
        if key in found:
            h, unsure = found[key]
            dec = int(_values(df[h]).str.contains(r"^\d+,\d+$").sum())
            rng = {"lo": f"{numeric[h].min():g}", "hi": f"{numeric[h].max():g}"}
            fp.columns.append(Column(h, key, evidence=ev("scores_dec", dec=dec, **rng) if dec else ev("scores", **rng),
                                     uncertain=unsure))
        else:
            fp.todos.append(f"no_{key}")
    for h in df.columns:
        if h not in used and h not in (fp.first("pre"), fp.first("post")):
            fp.columns.append(Column(h, "ignore", evidence=ev("not_needed")))
    scores = [numeric[h] for h in (fp.first("pre"), fp.first("post")) if h]
    if scores:
        top = max(float(s.max()) for s in scores)
        fp.max_score = 100.0 if top <= 100 else float(np.ceil(top))
        if top > 100:
            fp.todos.append("max_score")
    if fp.first("id") is None:
        fp.todos.append("no_id")
    for h in df.columns:
        if h in used or h in numeric:
            continue
        vals = _values(df[h])
        codes = vals[vals.map(_is_missing_code)]
        for v in codes:
            fp.missing_codes[v] = fp.missing_codes.get(v, 0) + 1
    for h in (fp.first("pre"), fp.first("post")):
        if h:
            for v in _values(df[h]):
                if _is_missing_code(v):
                    fp.missing_codes[v] = fp.missing_codes.get(v, 0) + 1


def _classify_named(fp: FilePlan, df: pd.DataFrame, patterns: dict[str, str], kind: str) -> None:
    taken: set[str] = set()
    for h in df.columns:
        lh = norm(h)
        vals = _values(df[h])
        target = None
        if lh in patterns and lh not in taken:
            target = lh
        else:
            for name, pat in patterns.items():
                if name in taken or not re.search(pat, lh):
                    continue
                if kind == "cost" and name in ("amount", "quantity"):
                    nums, _ = parse_numbers(vals.reset_index(drop=True), money=True)
                    median = float(nums.median()) if nums.notna().any() else 0.0
                    if name == "amount" and median < 1000 and re.match(r"^jumlah\b", lh):
                        continue  # small numbers under "jumlah": a quantity
                target = name
                break
        if target is None:
            fp.columns.append(Column(h, "ignore", evidence=ev("extra_column")))
        else:
            taken.add(target)
            fp.columns.append(Column(h, f"{kind}:{target}",
                                     evidence=ev("same_name") if norm(h) == target else ev("header", header=h)))
    need = (["item", "category"] + (["amount"] if "amount" in taken or not {"unit_cost", "quantity"} <= taken
                                    else [])) if kind == "cost" else \
        ["indicator", "unit", "direction", "baseline", "target", "realisation"]
    for n in need:
        if n not in taken:
            fp.todos.append(f"no_{kind}_{n}")


# --- the program ---------------------------------------------------------------------------


def infer_program(program_id: str, files: dict[str, Path], meta: dict | None = None, *,
                  names: dict[str, str] | None = None, lang: str = "id",
                  grids: dict[str, pd.DataFrame] | None = None) -> Plan:
    """Infer a whole program from its exports.

    Parameters
    ----------
    program_id : str
        The folder name (``pkp-2026-angkatan-1``).
    files : dict
        ``{role: path}`` with roles ``level1``, ``level2``, ``costs``, ``level4``.
    meta : dict, optional
        ``name``, ``institution``, ``cohort``, ``jp`` … as given by the user.
    names : dict, optional
        ``{role: file name inside the program folder}`` (default: the source's name).
    grids : dict, optional
        ``{role: grid}`` already read (uploads read in memory), instead of reading ``files``.
    """
    names = names or {}
    grids = grids or {}
    plans = {role: infer_file(Path(p), role, file=names.get(role), lang=lang, grid=grids.get(role))
             for role, p in files.items()}
    labels = {}
    if "level1" in plans:
        for c in plans["level1"].by_role("item"):
            if c.scale in DIMENSIONS:
                labels[c.scale] = dict(DIMENSIONS[c.scale][0])
            else:
                g = GRID_RE.match(c.header)
                text = g.group(1) if g else c.scale.replace("_", " ").capitalize()
                labels.setdefault(c.scale, {"id": text, "en": text})
    return Plan(program_id=program_id, meta=dict(meta or {}), files=plans, scale_labels=labels, lang=lang)

"""Write a :class:`~evalkit.scaffold.infer.Plan` as a complete, commented ``program.yaml``.

Every inferred key carries its evidence as a comment (in the program's language, from the
translation table); what could not be decided is a ``# TODO`` line, which
:func:`evalkit.scaffold.todo.find_todos` (and so ``evalkit validate``) reports. Strings are
written as JSON strings, which are valid YAML double-quoted scalars, so a question text with
colons, quotes or ``#`` survives unchanged.
"""
from __future__ import annotations

import datetime as dt
import json

from ..i18n import t
from ..ingest.spec import Level1Spec, Level2Spec, ProgramSpec
from .infer import DEFAULT_MISSING, FilePlan, Plan, ev_text

COMMENT_COL = 44


def q(s) -> str:
    """A YAML scalar for any string: a JSON string (double-quoted YAML), plain for simple ids.

    Examples
    --------
    >>> q("materi_1"), q('Saran: "apa saja"')
    ('materi_1', '"Saran: \\\\"apa saja\\\\""')
    """
    s = str(s)
    import re

    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", s) and s.lower() not in ("yes", "no", "true", "false", "null",
                                                                           "on", "off", "y", "n", "todo"):
        return s
    return json.dumps(s, ensure_ascii=False)


def supports(model, key: str) -> bool:
    """Whether the loader's ``program.yaml`` model knows ``key`` (keys of issue 12 land in turn)."""
    return key in model.model_fields


class _Lines:
    def __init__(self, lang: str):
        self.lang = lang
        self.out: list[str] = []

    def add(self, text: str, comment: str | None = None) -> None:
        if comment:
            comment = " ".join(str(comment).split())
            pad = max(COMMENT_COL - len(text), 2)
            text = f"{text}{' ' * pad}# {comment}"
        self.out.append(text)

    def comment(self, text: str, indent: int = 0) -> None:
        self.out.append(" " * indent + "# " + " ".join(str(text).splitlines()))

    def todo(self, text: str, indent: int = 0) -> None:
        self.out.append(" " * indent + "# TODO: " + " ".join(str(text).split()))

    def blank(self) -> None:
        self.out.append("")


def _mark(col_or_flag, lang) -> str:
    unsure = col_or_flag if isinstance(col_or_flag, bool) else col_or_flag.uncertain
    return (" " + t("scaffold.check", lang)) if unsure else ""


def render_program_yaml(plan: Plan) -> str:
    """The text of ``program.yaml`` for ``plan``.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> from evalkit.scaffold.infer import infer_program
    >>> folder = sample_program("pkp-2026-angkatan-1")
    >>> plan = infer_program("demo", {"level1": folder / "evaluasi_penyelenggaraan.csv"},
    ...                      {"name": "Demo", "institution": "BPSDM"})
    >>> text = render_program_yaml(plan)
    >>> import yaml
    >>> spec = yaml.safe_load(text)
    >>> sorted(spec["instruments"]["reaksi"]["scales"])
    ['materi', 'pengajar', 'penyelenggaraan', 'sarana']
    """
    L = _Lines(plan.lang)
    lang = plan.lang
    meta = plan.meta
    sources = ", ".join(fp.source.name for fp in plan.files.values())
    L.comment(t("scaffold.head_written", lang, date=dt.date.today().isoformat(), files=sources))
    L.comment(t("scaffold.head_check", lang, program=plan.program_id))
    L.comment(t("scaffold.head_format", lang))
    L.blank()
    for key in ("name", "institution"):
        if meta.get(key):
            L.add(f"{key}: {q(meta[key])}")
        else:
            L.todo(t(f"scaffold.todo_{key}", lang))
            L.add(f"{key}: {q(plan.program_id if key == 'name' else 'TODO')}")
    for key in ("cohort", "year", "start_date", "end_date", "jp", "delivery_mode", "participants"):
        v = meta.get(key)
        if v not in (None, ""):
            L.add(f"{key}: {_number(v) if key in ('year', 'jp', 'participants') else q(v)}")
        elif key in ("cohort", "jp"):
            L.comment(f"{key}: …  — " + t(f"scaffold.optional_{key}", lang))
    L.add(f"language: {lang}")
    _missing_values(L, plan)
    l1 = plan.level1
    if l1 is not None:
        _instrument(L, plan, l1)
    for role in ("level1", "level2", "level3", "costs", "level4"):
        fp = plan.files.get(role)
        if fp is not None:
            L.blank()
            {"level1": _level1, "level2": _level2, "level3": _level3, "costs": _costs,
             "level4": _level4}[role](L, plan, fp)
    return "\n".join(L.out) + "\n"


def _number(v) -> str:
    """``300.0`` → ``300``; other numbers as they are."""
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return q(v)


def _missing_values(L: _Lines, plan: Plan) -> None:
    lang = plan.lang
    found: dict[str, int] = {}
    for fp in plan.files.values():
        for code, n in fp.missing_codes.items():
            found[code] = found.get(code, 0) + n
    extra = sorted(c for c in found if c.strip().lower() not in DEFAULT_MISSING)
    defaults = ", ".join(f"'{c}'" for c in sorted(set(found) - set(extra))) or "–"
    L.blank()
    if extra and supports(ProgramSpec, "missing_values"):
        L.add("missing_values: [" + ", ".join(q(c) for c in extra) + "]",
              t("scaffold.missing_found", lang, codes=", ".join(f"'{c}' ({found[c]}×)" for c in extra)))
    elif extra:
        L.todo(t("scaffold.missing_unsupported", lang, codes=", ".join(f"'{c}'" for c in extra)))
    else:
        L.comment("missing_values: []  — " + t("scaffold.missing_defaults", lang, found=defaults))
    totals = [(fp.file, fp.total_rows) for fp in plan.files.values() if fp.total_rows]
    for file, rows in totals:
        L.comment(t("scaffold.total_rows", lang, file=file, rows=", ".join(map(str, rows))))


def _instrument(L: _Lines, plan: Plan, fp: FilePlan) -> None:
    lang = plan.lang
    items = fp.by_role("item")
    if fp.label_map:
        L.blank()
        L.add("label_sets:")
        L.add(f"  {fp.labels}:", t("scaffold.label_set_inline", lang))
        for k, v in fp.label_map.items():
            L.add(f"    {q(k)}: {v:g}")
    L.blank()
    L.add("instruments:")
    L.add("  reaksi:", t("scaffold.instrument", lang, n=len(items), file=fp.file))
    if "no_label_set" in fp.todos:
        L.todo(t("scaffold.todo_labels", lang), 4)
    if fp.labels:
        L.add(f"    labels: {fp.labels}", ev_text(fp.labels_evidence, lang) + _mark(fp.labels_uncertain, lang))
    elif fp.scale_range:
        L.comment(t("scaffold.numeric_answers", lang), 4)
    if fp.scale_range:
        lo, hi = fp.scale_range
        L.add(f"    scale: [{lo}, {hi}]", ev_text(fp.labels_evidence, lang) if not fp.labels else
              t("scaffold.scale_of_set", lang, name=fp.labels))
    for ans, near in fp.unknown_answers.items():
        L.todo(t("scaffold.todo_unknown_answer", lang, value=ans, suggestion=near), 4)
    L.add("    scales:")
    scales: dict[str, list] = {}
    for c in items:
        scales.setdefault(c.scale, []).append(c)
    for scale, members in scales.items():
        L.add(f"      {q(scale)}:", ev_text(members[0].evidence, lang))
        L.add("        items: [" + ", ".join(q(m.item) for m in members) + "]")
        confirmed = [m for m in members if getattr(m, "reverse_confirmed", False)]
        cands = [m for m in members if m.reverse_reason and not m.reverse_confirmed and not m.reverse_declined]
        declined = [m.item for m in members if m.reverse_reason and m.reverse_declined]
        rev = "        reverse: [" + ", ".join(q(m.item) for m in confirmed) + "]"
        if declined and not cands:
            L.add(rev, t("scaffold.reverse_declined", lang, items=", ".join(declined)))
        elif cands:
            why = "; ".join(f"{m.item} ({', '.join(ev_text(r, lang) for r in m.reverse_reason)})" for m in cands)
            L.add(rev, t("scaffold.reverse_candidates", lang, items=why))
        elif confirmed:
            L.add(rev, t("scaffold.reverse_confirmed", lang))
        else:
            L.add(rev, t("scaffold.reverse_none", lang))
        lab = plan.scale_labels.get(scale, {"id": scale, "en": scale})
        L.add(f"        label: {{id: {q(lab.get('id', scale))}, en: {q(lab.get('en', scale))}}}")


def _person_keys(L: _Lines, plan: Plan, fp: FilePlan, *, id_required: bool) -> None:
    lang = plan.lang
    idc = fp.by_role("id")
    if idc:
        c = idc[0]
        extra = []
        if fp.ids_with_spaces:
            extra.append(t("scaffold.ids_spaces", lang, n=fp.ids_with_spaces))
        if fp.ids_with_apostrophe:
            extra.append(t("scaffold.ids_apostrophe", lang, n=fp.ids_with_apostrophe))
        L.add(f"  id_column: {q(c.header)}", "; ".join([ev_text(c.evidence, lang)] + extra) + _mark(c, lang))
    elif id_required:
        L.todo(t("scaffold.todo_id", lang), 2)
        L.add("  id_column: TODO")
    else:
        L.comment(t("scaffold.no_id", lang), 2)
    personal = fp.by_role("name") + fp.by_role("email")
    if personal:
        L.add("  name_columns: [" + ", ".join(q(c.header) for c in personal) + "]", t("scaffold.names_dropped", lang))


def _level1(L: _Lines, plan: Plan, fp: FilePlan) -> None:
    lang = plan.lang
    L.add("level1:", t("scaffold.level1", lang, n=fp.n_rows))
    L.add(f"  file: {q(fp.file)}", _title_note(fp, lang))
    L.add("  instrument: reaksi")
    _person_keys(L, plan, fp, id_required=False)
    ts = fp.by_role("timestamp")
    if ts:
        L.add(f"  timestamp_column: {q(ts[0].header)}", ev_text(ts[0].evidence, lang))
    if fp.repeated_ids and fp.first("id"):
        if ts and supports(Level1Spec, "duplicates"):
            L.add("  duplicates: keep_last", t("scaffold.dup_keep_last", lang, n=fp.repeated_ids, column=ts[0].header))
            if supports(Level1Spec, "timestamp"):
                L.add(f"  timestamp: {q(ts[0].header)}")
        elif ts:
            L.todo(t("scaffold.dup_unsupported", lang, n=fp.repeated_ids, column=ts[0].header), 2)
        else:
            L.todo(t("scaffold.dup_no_timestamp", lang, n=fp.repeated_ids), 2)
    comments = fp.by_role("comment")
    if comments:
        L.add("  comment_columns: [" + ", ".join(q(c.header) for c in comments) + "]",
              ev_text(comments[0].evidence, lang))
    items = fp.by_role("item")
    if items:
        L.add("  columns:", t("scaffold.columns", lang))
        for c in items:
            L.add(f"    {q(c.header)}: {q(c.item)}", ev_text(c.evidence, lang) + _mark(c, lang))
    _ignored(L, plan, fp)


def _ignored(L: _Lines, plan: Plan, fp: FilePlan) -> None:
    for c in fp.by_role("ignore"):
        text = t("scaffold.ignored", plan.lang, column=c.header, why=ev_text(c.evidence, plan.lang))
        if c.uncertain:
            L.todo(text, 2)
        else:
            L.comment(text, 2)


def _title_note(fp: FilePlan, lang: str) -> str | None:
    if fp.header_row > 1:
        return t("scaffold.title_rows", lang, n=fp.header_row - 1, row=fp.header_row)
    return None


def _level2(L: _Lines, plan: Plan, fp: FilePlan) -> None:
    lang = plan.lang
    L.add("level2:", t("scaffold.level2", lang, n=fp.n_rows))
    L.add(f"  file: {q(fp.file)}", _title_note(fp, lang))
    _person_keys(L, plan, fp, id_required=True)
    for key in ("pre", "post"):
        cols = fp.by_role(key)
        if cols:
            c = cols[0]
            L.add(f"  {key}: {q(c.header)}", ev_text(c.evidence, lang) + _mark(c, lang))
        else:
            L.todo(t(f"scaffold.todo_{key}", lang), 2)
            L.add(f"  {key}: TODO")
    if fp.max_score is not None:
        if "max_score" in fp.todos:
            L.todo(t("scaffold.todo_max_score", lang), 2)
        L.add(f"  max_score: {fp.max_score:g}", t("scaffold.max_score", lang))
    L.comment("pass_mark: 70  — " + t("scaffold.pass_mark", lang), 2)
    if fp.repeated_ids and supports(Level2Spec, "duplicates"):
        L.todo(t("scaffold.dup_scores", lang, n=fp.repeated_ids), 2)
    _ignored(L, plan, fp)


def _named(L: _Lines, plan: Plan, fp: FilePlan, kind: str, head: str) -> None:
    lang = plan.lang
    L.add(f"{head}:")
    L.add(f"  file: {q(fp.file)}", _title_note(fp, lang))
    mapped = [c for c in fp.columns if c.role.startswith(kind + ":") and c.header != c.role.split(":")[1]]
    if mapped:
        L.add("  columns:", t("scaffold.columns", lang))
        for c in mapped:
            L.add(f"    {q(c.header)}: {c.role.split(':')[1]}", ev_text(c.evidence, lang))
    for todo in fp.todos:
        if todo.startswith(f"no_{kind}_"):
            L.todo(t("scaffold.todo_column", lang, column=todo.removeprefix(f"no_{kind}_")), 2)
    for c in fp.by_role("ignore"):
        L.comment(t("scaffold.ignored", lang, column=c.header, why=ev_text(c.evidence, lang)), 2)


def _costs(L, plan, fp):
    _named(L, plan, fp, "cost", "costs")


def _level4(L, plan, fp):
    _named(L, plan, fp, "indicator", "level4")


def _level3(L, plan, fp):
    """Behaviour ratings need an instrument (a built-in one, e.g. PP 30/2019) and the rater and
    time columns: the block is written commented out, with a TODO."""
    lang = plan.lang
    L.todo(t("scaffold.todo_level3", lang, file=fp.file))
    L.comment("level3:")
    L.comment(f"  file: {q(fp.file)}")
    L.comment("  instrument: perilaku_kerja      # instruments: {perilaku_kerja: {builtin: pp30_2019}}")
    idc = fp.first("id")
    L.comment(f"  id_column: {q(idc) if idc else 'NIP'}")
    L.comment("  rater_column: Penilai")
    L.comment("  time_column: Waktu")
    L.comment("  before: Sebelum")
    L.comment("  after: Sesudah")

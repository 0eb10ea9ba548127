"""The workbench's interface: ipywidgets that Voilà shows as a web page.

One page, top to bottom: the language; **a new program** from uploaded exports (the same
inference as ``evalkit new``, shown as an editable mapping form); **an existing program** to
open; then the current program's validation problems in plain language, the report rendered
by ``evalkit report`` in a subprocess (with progress), its preview and downloads (HTML, DOCX,
XLSX). Every word comes from the ``workbench`` section of the translation table.

Widgets carry CSS classes ``ek-…`` (``ek-upload-level1``, ``ek-role-3``, ``ek-render`` …) so
that the browser test can find them.
"""
from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import ipywidgets as W

from ..errors import EvalkitError
from ..i18n import t
from ..scaffold.create import check_new_folder, new_program, plan_uploads, renumber
from ..scaffold.infer import EXTRA_LABEL_SETS, Plan, candidate_label_sets, ev, ev_text, slug
from ..scaffold.todo import find_todos
from .files import RenderJob, check_upload, upload_limit_mb

UPLOAD_ROLES = ("level1", "level2", "costs", "level4")
ROLE_CHOICES = ("item", "comment", "id", "name", "timestamp", "ignore")
DOWNLOADS = (("html", "report.html", "text/html"),
             ("docx", "report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             ("xlsx", "report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


def _cls(widget, *names):
    for n in names:
        widget.add_class(n)
    return widget


def list_programs(raw: Path) -> list[str]:
    """Program ids under ``raw`` (folders holding program.yaml), sorted."""
    raw = Path(raw)
    if not raw.is_dir():
        return []
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and (p / "program.yaml").is_file())


def problems_html(problems, lang: str) -> str:
    """Problems as a list in plain language (message, where, how to fix)."""
    items = "".join(f"<li>{html.escape(p.message(lang)).replace(chr(10), '<br>')}</li>" for p in problems)
    return f"<ol class='ek-problems'>{items}</ol>"


class Workbench:
    """The workbench for one folder of programs (``raw``) and one folder of reports (``out``)."""

    def __init__(self, raw="data/raw", out="reports", *, lang: str = "id", limit_mb: float | None = None):
        self.raw = Path(raw).resolve()
        self.out = Path(out).resolve()
        self.lang = lang if lang in ("id", "en") else "id"
        self.limit_mb = upload_limit_mb() if limit_mb is None else limit_mb
        self.plan: Plan | None = None
        self.uploads: dict[str, tuple[str, bytes]] = {}
        self.program: Path | None = None
        self.job: RenderJob | None = None
        self._texts: list[tuple[object, str, str]] = []
        self._build()

    @classmethod
    def from_env(cls) -> Workbench:
        """Settings from the environment the server passes (see :mod:`evalkit.workbench.server`)."""
        return cls(os.environ.get("EVALKIT_WORKBENCH_RAW", "data/raw"), os.environ.get("EVALKIT_WORKBENCH_OUT", "reports"),
                   lang=os.environ.get("EVALKIT_WORKBENCH_LANG", "id"))

    # --- words ----------------------------------------------------------------------------

    def tr(self, key: str, **params) -> str:
        return t(f"workbench.{key}", self.lang, **params)

    def _text(self, widget, attr: str, key: str):
        """Register a translated attribute; set now and again when the language changes."""
        self._texts.append((widget, attr, key))
        setattr(widget, attr, self.tr(key))
        return widget

    def _heading(self, key: str, cls: str):
        w = W.HTML()
        self._texts.append((w, "value", key))
        w.value = f"<h3>{html.escape(self.tr(key))}</h3>"
        return _cls(w, cls)

    def _relabel(self, change=None) -> None:
        if change is not None:
            self.lang = change["new"]
        for w, attr, key in self._texts:
            text = self.tr(key)
            setattr(w, attr, f"<h3>{html.escape(text)}</h3>" if isinstance(w, W.HTML) else text)
        self.role_labels = [(self.tr(f"role_{r}"), r) for r in ROLE_CHOICES]
        if self.plan is not None:
            self._show_mapping()
        if self.program is not None:
            self._show_program(self.program)

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.role_labels = [(self.tr(f"role_{r}"), r) for r in ROLE_CHOICES]
        self.lang_toggle = _cls(W.ToggleButtons(options=[("Bahasa Indonesia", "id"), ("English", "en")],
                                                value=self.lang), "ek-lang")
        self.lang_toggle.observe(self._relabel, names="value")
        title = self._heading("title", "ek-title")
        # a new program
        self.pid = _cls(W.Text(placeholder="pkp-2026-angkatan-1"), "ek-program-id")
        self._text(self.pid, "description", "program_id")
        self.name = self._text(_cls(W.Text(), "ek-name"), "description", "name")
        self.institution = self._text(_cls(W.Text(), "ek-institution"), "description", "institution")
        self.cohort = self._text(_cls(W.Text(), "ek-cohort"), "description", "cohort")
        for w in (self.pid, self.name, self.institution, self.cohort):
            w.style.description_width = "12em"
            w.layout.width = "36em"
        self.upload_widgets = {}
        rows = []
        for role in UPLOAD_ROLES:
            up = _cls(W.FileUpload(accept=".csv,.tsv,.txt,.xlsx,.xls,.sav", multiple=False), f"ek-upload-{role}")
            self._text(up, "description", f"upload_{role}")
            up.layout.width = "22em"
            up.observe(lambda ch, role=role: self._on_upload(role, ch), names="value")
            self.upload_widgets[role] = up
            rows.append(up)
        self.upload_info = _cls(W.HTML(), "ek-upload-info")
        self.infer_btn = self._text(_cls(W.Button(button_style="info", icon="magic"), "ek-infer"), "description",
                                    "infer")
        self.infer_btn.layout.width = "22em"
        self.infer_btn.on_click(self._on_infer)
        self.mapping = _cls(W.VBox(), "ek-mapping")
        self.create_btn = self._text(_cls(W.Button(button_style="success", icon="check", disabled=True), "ek-create"),
                                     "description", "create")
        self.create_btn.layout.width = "22em"
        self.create_btn.on_click(self._on_create)
        self.message = _cls(W.HTML(), "ek-message")
        new_box = W.VBox([self._heading("new_program", "ek-h-new"), self.pid, self.name, self.institution,
                          self.cohort, W.HBox(rows[:2]), W.HBox(rows[2:]), self.upload_info, self.infer_btn,
                          self.mapping, self.create_btn, self.message])
        # an existing program
        self.programs = _cls(W.Dropdown(options=list_programs(self.raw)), "ek-programs")
        self.open_btn = self._text(_cls(W.Button(icon="folder-open"), "ek-open"), "description", "open")
        self.open_btn.on_click(self._on_open)
        open_box = W.VBox([self._heading("open_program", "ek-h-open"), W.HBox([self.programs, self.open_btn])])
        # the current program
        self.current = _cls(W.HTML(), "ek-current")
        self.validation = _cls(W.HTML(), "ek-validation")
        self.render_btn = self._text(_cls(W.Button(button_style="primary", icon="file", disabled=True), "ek-render"),
                                     "description", "render")
        self.render_btn.layout.width = "22em"
        self.render_btn.on_click(self._on_render)
        self.progress = _cls(W.FloatProgress(value=0, min=0, max=1), "ek-progress")
        self.progress_text = _cls(W.HTML(), "ek-progress-text")
        self.downloads = _cls(W.HTML(), "ek-downloads")
        self.preview = _cls(W.HTML(), "ek-preview")
        program_box = W.VBox([self._heading("current_program", "ek-h-current"), self.current, self.validation,
                              self.render_btn, W.HBox([self.progress, self.progress_text]), self.downloads,
                              self.preview])
        self.widget = _cls(W.VBox([self.lang_toggle, title, new_box, open_box, program_box]), "ek-workbench")

    def show(self):
        from IPython.display import display

        display(self.widget)
        return self

    # --- a new program ---------------------------------------------------------------------

    def _on_upload(self, role: str, change) -> None:
        value = change["new"]
        if not value:
            return
        f = value[0]
        try:
            name = check_upload(f["name"], int(f["size"]), self.limit_mb)
        except EvalkitError as exc:
            self.uploads.pop(role, None)
            self.upload_info.value = f"<div class='ek-error'>{html.escape(exc.render(self.lang))}</div>"
            return
        self.uploads[role] = (name, bytes(f["content"]))
        self.upload_info.value = "<br>".join(
            html.escape(self.tr("uploaded", role=self.tr(f"upload_{r}"), file=n, size=f"{len(c) / 1024:.0f}"))
            for r, (n, c) in self.uploads.items())

    def _folder(self) -> Path:
        return self.raw / self.pid.value.strip()

    def _meta(self) -> dict:
        return {"name": self.name.value.strip(), "institution": self.institution.value.strip(),
                "cohort": self.cohort.value.strip()}

    def _on_infer(self, _=None) -> None:
        self.message.value = ""
        if not self.uploads:
            self.message.value = f"<div class='ek-error'>{html.escape(self.tr('need_upload'))}</div>"
            return
        try:
            self.plan = plan_uploads(self._folder(), self.uploads, self._meta(), lang=self.lang)
        except EvalkitError as exc:
            self.plan = None
            self.mapping.children = ()
            self.create_btn.disabled = True
            self.message.value = f"<div class='ek-error'>{html.escape(exc.render(self.lang))}</div>"
            return
        self._show_mapping()
        self.create_btn.disabled = False

    def _show_mapping(self) -> None:
        """The mapping form: label set, one row per Level 1 column, the Level 2 columns."""
        plan = self.plan
        rows: list = [W.HTML(f"<h4>{html.escape(self.tr('mapping'))}</h4>"
                             f"<p>{html.escape(self.tr('mapping_help'))}</p>")]
        self.role_w, self.scale_w, self.reverse_w = [], [], []
        l1 = plan.level1
        if l1 is not None:
            sets = list(candidate_label_sets())
            if l1.labels and l1.labels not in sets:
                sets.append(l1.labels)  # a set made for this form (two sets together)
            opts = [(self.tr("numbers"), "")] + [(s, s) for s in sets]
            self.labels_w = _cls(W.Dropdown(options=opts, value=l1.labels or ""), "ek-labels")
            self.labels_w.description = self.tr("label_set")
            self.labels_w.style.description_width = "12em"
            ev = ev_text(l1.labels_evidence, self.lang)
            rows.append(W.HBox([self.labels_w, W.HTML(f"<span class='ek-evidence'>{html.escape(ev)}</span>")]))
            for i, col in enumerate(l1.columns):
                head = W.HTML(f"<span title='{html.escape(col.header)}'>{html.escape(col.header[:70])}</span>")
                head.layout.width = "30em"
                head.layout.flex = "0 0 30em"
                role = _cls(W.Dropdown(options=self.role_labels, value=col.role if col.role in ROLE_CHOICES
                                       else "name"), f"ek-role-{i}")
                role.layout.width = "14em"
                role.layout.flex = "0 0 14em"
                scale = _cls(W.Text(value=col.scale or ""), f"ek-scale-{i}")
                scale.layout.width = "12em"
                scale.layout.flex = "0 0 12em"
                scale.disabled = col.role != "item"
                rev = _cls(W.Checkbox(value=col.reverse_confirmed, indent=False, disabled=col.role != "item"),
                           f"ek-reverse-{i}")
                role.observe(lambda ch, s=scale, r=rev: (setattr(s, "disabled", ch["new"] != "item"),
                                                         setattr(r, "disabled", ch["new"] != "item")), names="value")
                rev.description = self.tr("reverse")
                rev.layout.width = "9em"
                rev.layout.flex = "0 0 9em"
                notes = ev_text(col.evidence, self.lang)
                if col.reverse_reason:
                    notes += " — " + self.tr("reverse_candidate", why=", ".join(
                        ev_text(r, self.lang) for r in col.reverse_reason))
                mark = " ⚠" if col.uncertain else ""
                info = W.HTML(f"<span class='ek-evidence'>{html.escape(notes + mark)}</span>")
                info.layout.flex = "1 1 auto"
                self.role_w.append(role)
                self.scale_w.append(scale)
                self.reverse_w.append(rev)
                rows.append(_cls(W.HBox([head, role, scale, rev, info]), "ek-map-row"))
        l2 = plan.files.get("level2")
        self.l2_w = {}
        if l2 is not None:
            headers = [c.header for c in l2.columns]
            rows.append(W.HTML(f"<h4>{html.escape(self.tr('level2'))}</h4>"))
            for key in ("id", "pre", "post"):
                cur = l2.first(key)
                dd = _cls(W.Dropdown(options=[("—", "")] + [(h, h) for h in headers], value=cur or ""),
                          f"ek-l2-{key}")
                dd.description = self.tr(f"l2_{key}")
                dd.style.description_width = "12em"
                self.l2_w[key] = dd
                rows.append(dd)
        for role, fp in plan.files.items():
            if role not in ("level1", "level2"):
                rows.append(W.HTML(html.escape(self.tr("other_file", file=fp.file, role=self.tr(f"upload_{role}")))))
        self.mapping.children = tuple(rows)

    def apply_form(self) -> Plan:
        """Put the form's choices into the plan (roles, scales, reverse keying, label set, Level 2)."""
        plan = self.plan
        l1 = plan.level1
        if l1 is not None:
            name = self.labels_w.value or None
            if name != l1.labels:
                sets = candidate_label_sets()
                name = name if name in sets else None
                l1.labels = name
                l1.label_map = dict(EXTRA_LABEL_SETS[name]) if name in EXTRA_LABEL_SETS else None
                if name:
                    vals = sets[name].values()
                    l1.scale_range = (int(min(vals)), int(max(vals)))
                l1.unknown_answers = {}
            l1.labels_uncertain = False
            for col, role, scale, rev in zip(l1.columns, self.role_w, self.scale_w, self.reverse_w):
                col.role = role.value
                if col.role == "item":
                    text = scale.value.strip() or "umum"
                    new = slug(text)
                    if new != col.scale:
                        plan.scale_labels.setdefault(new, {"id": text, "en": text})
                        col.evidence = ev("user")
                    col.scale = new
                    col.reverse_confirmed = bool(rev.value)
                    col.uncertain = False
                else:
                    col.item, col.scale, col.reverse_confirmed = None, None, False
            renumber(plan)
        l2 = plan.files.get("level2")
        if l2 is not None:
            for key, dd in self.l2_w.items():
                for col in l2.columns:
                    if col.role == key:
                        col.role = "ignore"
                for col in l2.columns:
                    if dd.value and col.header == dd.value:
                        col.role = key
                l2.todos = [x for x in l2.todos if x != f"no_{key}" or not dd.value]
        plan.meta.update({k: v for k, v in self._meta().items() if v})
        return plan

    def _on_create(self, _=None) -> None:
        if self.plan is None:
            return
        self.apply_form()
        try:
            check_new_folder(self._folder())
            res = new_program(self._folder(), plan=self.plan, contents={r: c for r, (_, c) in self.uploads.items()},
                              lang=self.lang)
        except EvalkitError as exc:
            self.message.value = f"<div class='ek-error'>{html.escape(exc.render(self.lang))}</div>"
            return
        try:
            shown = res.folder.resolve().relative_to(self.raw.parent.parent)
        except ValueError:
            shown = res.folder
        self.message.value = (f"<div class='ek-ok'>{html.escape(self.tr('created', folder=str(shown)))}</div>"
                              f"<details class='ek-yaml'><summary>program.yaml</summary><pre>"
                              f"{html.escape((res.folder / 'program.yaml').read_text('utf-8'))}</pre></details>")
        self.programs.options = list_programs(self.raw)
        self.programs.value = res.folder.name
        self.create_btn.disabled = True
        self._show_program(res.folder)

    # --- an existing program ---------------------------------------------------------------

    def _on_open(self, _=None) -> None:
        if self.programs.value:
            self._show_program(self.raw / self.programs.value)

    def _show_program(self, folder: Path) -> None:
        """Validate ``folder`` and show the result in plain language."""
        from ..ingest import load_program

        self.program = Path(folder)
        self.current.value = f"<b class='ek-current-id'>{html.escape(self.program.name)}</b>"
        try:
            load_program(self.program)
            problems = []
        except EvalkitError as exc:
            problems = exc.problems
        todos = find_todos(self.program)
        if problems:
            text = f"<div class='ek-error'>{html.escape(self.tr('invalid', n=len(problems)))}</div>"
            text += problems_html(problems, self.lang)
        else:
            text = f"<div class='ek-ok ek-valid'>{html.escape(self.tr('valid'))}</div>"
        if todos:
            text += f"<div class='ek-todo'>{html.escape(self.tr('todos', n=len(todos)))}</div>"
            text += problems_html(todos, self.lang)
        self.validation.value = text
        self.render_btn.disabled = bool(problems)
        self._show_outputs()

    # --- the report ------------------------------------------------------------------------

    def _on_render(self, _=None) -> None:
        if self.program is None or (self.job is not None and not self.job.done):
            return
        self.render_btn.disabled = True
        self.progress.value = 0
        self.progress.bar_style = ""
        self.preview.value = ""
        self.downloads.value = ""
        self.job = RenderJob(self.program, self.out, lang=self.lang, on_update=self._on_progress).start()

    def _on_progress(self, job: RenderJob) -> None:
        self.progress.value = job.progress
        secs = f"{job.elapsed():.0f}"
        self.progress_text.value = html.escape(self.tr(f"stage_{job.stage}", pct=f"{job.progress:.0%}", secs=secs))
        if job.done:
            self.render_btn.disabled = False
            if job.returncode == 0:
                self.progress.bar_style = "success"
                self._show_outputs()
            else:
                self.progress.bar_style = "danger"
                self.preview.value = f"<pre class='ek-error'>{html.escape(job.output[-4000:])}</pre>"

    def _show_outputs(self) -> None:
        """Download links and the preview of the program's last report, if there is one."""
        if self.program is None:
            return
        folder = self.out / self.program.name
        if not (folder / "report.html").is_file():
            self.downloads.value = ""
            self.preview.value = ""
            return
        links = []
        for kind, fname, mime in DOWNLOADS:
            p = folder / fname
            if p.is_file():
                data = base64.b64encode(p.read_bytes()).decode("ascii")
                links.append(f"<a class='ek-download ek-download-{kind}' download='{self.program.name}-{fname}' "
                             f"href='data:{mime};base64,{data}'>⬇ {html.escape(self.tr('download_' + kind))}</a>")
        self.downloads.value = (f"<div class='ek-links'>{' &nbsp; '.join(links)}</div>")
        page = (folder / "report.html").read_text("utf-8")
        self.preview.value = (f"<h4>{html.escape(self.tr('preview'))}</h4><iframe class='ek-preview-frame' "
                              f"style='width:100%;height:700px;border:1px solid #ccc' "
                              f"srcdoc=\"{html.escape(page, quote=True)}\"></iframe>")

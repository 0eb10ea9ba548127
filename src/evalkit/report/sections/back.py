"""The back of the report: conclusions, recommendations, limitations, appendix,
approval (signature) block, colophon — and writing the documents."""
from __future__ import annotations

import json
from pathlib import Path

from ... import __version__, atomic
from ...i18n import fmt_p
from ..blocks import md_code
from .base import resolve_path


def _json_value(v):
    """Values json cannot write: missing (pd.NA, NaT) → null, NumPy scalars → numbers, dates → ISO."""
    import numpy as np
    import pandas as pd

    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


class BackSection:
    def _items_text(self, items, kind: str) -> list[str]:
        """Conclusions/recommendations of the verdict (``key``, ``params``, ``finding``) in words,
        each with the finding it comes from."""
        out = []
        for it in items or []:
            if not isinstance(it, dict):
                out.append(self.esc(it))
                continue
            text = self._vtext(it.get("key"), it.get("params"), kind)
            finding = it.get("finding")
            if finding and finding != "overall":
                text += " " + self.t("doc.based_on", finding=self._finding(finding))
            out.append(text)
        return out

    def _finding(self, f) -> str:
        m = __import__("re").fullmatch(r"level(\d)(_items)?", str(f))
        if m:
            return self.t(f"level.{m.group(1)}") + (f" ({self.t('test.heading')})" if m.group(2) else "")
        return {"costs": self.t("costs.heading"), "jp": self.t("title.jp")}.get(str(f), self.esc(f))

    def _verdict_list(self, name: str):
        ev = self.evaluation
        items = getattr(ev, name, None)
        if items is None:
            items = (getattr(ev, "verdict", None) or {}).get(name)
        return items

    def _level_reasons(self) -> list[str]:
        v = getattr(self.evaluation, "verdict", None) or {}
        out = []
        for lvl, d in sorted((v.get("levels") or {}).items(), key=lambda kv: int(kv[0])):
            if d and d.get("reason") and d.get("status") != "not_measured":
                out.append(f"**{self.t(f'level.{int(lvl)}')}:** {self._vtext(d['reason'], d.get('params'))}")
        return out

    def conclusions(self):
        """*Kesimpulan*: the verdict in words, then each level's finding."""
        self.heading(2, self.t("doc.conclusions_heading"), page_break=True)
        items = self._items_text(self._verdict_list("conclusions"), "concl") or self._level_reasons()
        if not items:  # no verdict yet: the summary's findings per level
            items = self._summary_lines()
        self.bullets(items)

    def _summary_lines(self) -> list[str]:
        from ..blocks import Bullets, Heading

        seen, out = False, []
        for b in self.blocks:
            if isinstance(b, Heading):
                if seen:
                    break
                seen = b.text == self.t("summary.heading")
            elif seen and isinstance(b, Bullets):
                out += b.items
        return out

    def recommendations(self):
        """*Rekomendasi*, each tied to the finding it comes from."""
        self.heading(2, self.t("doc.recommendations_heading"))
        items = self._items_text(self._verdict_list("recommendations"), "rec")
        if items:
            self.bullets(items)
        else:
            self.para(self.t("doc.recommendations_none"))

    def limitations(self):
        """*Keterbatasan*: design, missing data, non-response, what the evidence cannot show."""
        ev = self.evaluation
        self.heading(2, self.t("doc.limitations_heading"))
        lines = [self.t("doc.limit_design")]
        if ev.level2:
            r = ev.level2.prepost
            if r.n_missing + r.n_unmatched:
                lines.append(self.t("doc.limit_missing", n=r.n_missing + r.n_unmatched, total=r.n + r.n_missing + r.n_unmatched))
        n = self.program.roster_size()
        if ev.level1 and n:
            rate = ev.level1.n_respondents / n
            if rate < 1:
                lines.append(self.t("doc.limit_nonresponse", rate=self.pct(min(rate, 1))))
        missing = [self.t(f"level.{i}") for i, m in ev.measured.items() if not m and i <= 4]
        if missing:
            lines.append(self.t("doc.limit_levels", levels="; ".join(missing)))
        if ev.level5 is not None:
            lines.append(self.t("doc.limit_roi"))
        lines.append(self.t("doc.limit_cannot"))
        self.bullets(lines)

    def appendix(self):
        """*Lampiran*: item tables, the instrument, reliability details, the statistical methods."""
        ev = self.evaluation
        self.heading(2, self.t("doc.appendix_heading"), page_break=True)
        if ev.level1:
            self.heading(3, self.t("doc.appendix_items"))
            self._item_table(ev.level1)
            self._instrument(ev.level1)
        if ev.level2 and ev.level2.items is not None:
            self._test_items(ev.level2.items)
        self.methods()

    def _instrument(self, l1):
        from ..blocks import Column

        spec = self.program.spec
        ins = spec.instruments[spec.level1.instrument]
        header = {item: text for text, item in spec.level1.columns.items()}
        rows = []
        for sname, s in l1.scales.items():
            texts = ins.scales[sname].item_text if sname in ins.scales else {}
            for item in s.items:
                words = (texts.get(item) or {}).get(self.lang) or header.get(item) or ""
                rows.append([item, s.label.get(self.lang, s.name), words, self.t("doc.yes_word") if item in s.reverse else ""])
        if rows:
            cols = [Column(self.t("items.item")), Column(self.t("items.scale")), Column(self.t("doc.item_text")),
                    Column(self.t("doc.reversed"))]
            self.table("instrument", self.t("doc.instrument_table"), cols, rows)

    def methods(self):
        """A citable methods-and-results paragraph per analysis, then the data handling."""
        ev = self.evaluation
        paras = []
        if ev.level1:
            l1 = ev.level1
            alphas = [s.reliability.alpha for s in l1.scales.values() if s.reliability is not None]
            rev = [i for s in l1.scales.values() for i in s.reverse]
            paras.append(self.t("methods.l1", n=l1.n_respondents, k=sum(len(s.items) for s in l1.scales.values()),
                                lo=self.num(l1.scale_range[0], 0), hi=self.num(l1.scale_range[1], 0),
                                reversed=", ".join(self.esc(r) for r in rev) or "–",
                                amin=self.coef(min(alphas)) if alphas else "–",
                                amax=self.coef(max(alphas)) if alphas else "–"))
        if ev.level2:
            r = ev.level2.prepost
            tt, es = r.tests.loc["paired_t"], r.effect_sizes.loc["d_z"]
            paras.append(self.t("methods.l2", n=r.n, pre=self.num(r.pre_mean), sdpre=self.num(r.pre_sd),
                                post=self.num(r.post_mean), sdpost=self.num(r.post_sd), df=int(tt["df"]),
                                t=self.num(tt.statistic), p=fmt_p(tt.p_value, self.lang), dz=self.num(es.estimate),
                                dzci=self.ci(es.ci_low, es.ci_high), g=self.coef((r.gain or {}).get("class_gain"))))
        paras.append(self.t("methods.text", version=__version__))
        self.heading(3, self.t("methods.heading"))
        self.para("\n\n".join(paras))

    def signature(self, place: str | None = None):
        """*Pengesahan*: prepared by / approved by, with name, NIP, place and date left to sign."""
        import datetime as dt

        self.heading(2, self.t("doc.signature_heading"), page_break=True)
        self.para(self.t("doc.signature_text", institution=self.esc(self.program.spec.institution)))
        year = (self.program.spec.end_date or dt.date.today()).year
        self.signature_block(self.t("doc.place_date", year=year), [self.t("doc.prepared_by"), self.t("doc.approved_by")],
                       self.t("doc.name"), self.t("doc.nip"))

    def colophon(self):
        """Version, commit, inputs with checksums, parameters, time and the command to re-run."""
        import datetime as dt

        from ...evaluation import git_commit
        from ...ingest.pseudonymize import project_root

        m = self.evaluation.metrics()
        folder = self.program.folder.resolve()
        root = project_root(Path(__file__).parent)
        shown = folder.relative_to(root) if root in folder.parents else folder
        formats = m["parameters"].get("formats") or "html"
        seed = m["parameters"].get("seed")
        command = f"evalkit report {shown} --out reports --lang {self.lang}" + (
            f" --seed {seed}" if seed is not None else "") + (f" --format {formats}" if formats != "html" else "")
        params = ", ".join(f"{k} = {v}" for k, v in m["parameters"].items() if k != "program_dir")
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.heading(2, self.t("colophon.heading"))
        self.para(self.t("colophon.text", version=__version__, commit=git_commit() or "–", time=now,
                         params=self.esc(params) or "–", command=command.replace("`", "'")))  # inside a code span: no escapes
        self.para(self.t("colophon.inputs"))
        self.bullets([f"{md_code(i['path'])} — `{i['sha256']}`" for i in m["inputs"]])

    # -- documents -----------------------------------------------------------------------
    def document_title(self) -> str:
        s = self.program.spec
        return f"{self.t('doc.report_title')}: {s.name} — {s.cohort or self.program.program_id}"

    def write_documents(self, output_dir, formats="html") -> None:
        """Write ``metrics.json``, ``report.html`` and, as ``formats`` asks (``"html,docx,xlsx"``),
        ``report.docx`` and ``report.xlsx`` into ``output_dir`` — all from :attr:`blocks`.
        Returns nothing (the cell shows nothing)."""
        if not output_dir:
            return
        from ..writers.docx import write_docx
        from ..writers.xlsx import write_xlsx

        self.write_metrics(output_dir)
        out = resolve_path(output_dir)
        wanted = {f.strip().lower() for f in str(formats or "").split(",") if f.strip()} | {"html"}
        s = self.program.spec
        title = self.document_title()
        if "xlsx" in wanted:  # no images: written while the figure helper finishes the figures
            meta = {self.t("title.program_id"): self.program.program_id, self.t("title.institution"): s.institution,
                    self.t("title.cohort"): s.cohort or "–", "evalkit": __version__}
            write_xlsx(self.blocks, out / "report.xlsx", title=title, lang=self.lang, meta=meta)
        self._resolve_figures()  # the figure helper's PNGs, before the documents that show them
        atomic.write_text(out / "report.html", self.html(title))
        if "docx" in wanted:
            write_docx(self.blocks, out / "report.docx", title=title, lang=self.lang)

    def write_metrics(self, output_dir) -> None:
        """Write ``metrics.json`` into ``output_dir`` (atomically); nothing when ``output_dir`` is None."""
        if not output_dir:
            return
        path = resolve_path(output_dir) / "metrics.json"
        atomic.write_text(path, json.dumps(self.evaluation.metrics(), indent=2, ensure_ascii=False, default=_json_value))


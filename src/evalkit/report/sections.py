"""What the program report shows, section by section.

The notebook ``notebooks/program_report.ipynb`` calls one method per section; each
method displays headings, plain-language text, tables and figures built from a
:class:`~evalkit.evaluation.ProgramEvaluation`. Every word comes from the translation
table, every number is formatted for the report's language.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import __version__, atomic
from ..bands import band, band_sets
from ..evaluation import ProgramEvaluation, evaluate
from ..i18n import check_lang, fmt_coef, fmt_date, fmt_num, fmt_p, fmt_rp, t
from ..ingest import load_program
from . import figures


def _display(obj):
    from IPython.display import display

    display(obj)


def _md(text: str):
    from IPython.display import Markdown

    _display(Markdown(text))


def _html(text: str):
    from IPython.display import HTML

    _display(HTML(text))


def resolve_path(path: str | Path, root: Path | None = None) -> Path:
    """A path from a notebook parameter: absolute as given, else relative to the project
    root (papermill and nbval start kernels in different folders)."""
    from ..ingest.pseudonymize import project_root

    p = Path(path)
    return p if p.is_absolute() else (root or project_root(Path(__file__).parent)) / p


def _status(value: float, strong: float, moderate: float) -> str:
    """Scorecard status of a headline: strong from ``strong`` up, moderate from ``moderate``."""
    return "strong" if value >= strong else "moderate" if value >= moderate else "weak"


class ReportDocument:
    """What every evalkit document shares: the language, numbered APA tables and figures
    (saved as PNG 300 dpi + SVG + alt text under ``figures_dir``), and a record of every
    block shown (``blocks``) from which the Word and Excel exports are built."""

    def __init__(self, lang: str, figures_dir=None):
        self.lang = check_lang(lang)
        self._table_no = 0
        self._figure_no = 0
        self.figures_dir = Path(figures_dir) if figures_dir else None
        #: every block shown, in order: ("heading", level, text), ("markdown", text),
        #: ("table", title, DataFrame, note), ("figure", name, png bytes, alt text, title)
        self.blocks: list[tuple] = []
        figures.set_theme()

    # -- helpers -------------------------------------------------------------------------
    def t(self, key, **kw):
        return t(key, self.lang, **kw)

    def num(self, x, digits=2):
        return fmt_num(x, self.lang, digits)

    def coef(self, x, digits=2):
        return fmt_coef(x, self.lang, digits)

    def ci(self, lo, hi, digits=2, coef=False):
        f = self.coef if coef else self.num
        sep = "; " if self.lang == "id" else ", "
        return f"95% CI [{f(lo, digits)}{sep}{f(hi, digits)}]"

    def band(self, key):
        return self.t(f"band.{key}") if key else "–"

    def _md(self, text: str):
        """Show markdown; headings (lines starting with #) are recorded as headings."""
        para = []
        for line in text.split("\n"):
            m = re.match(r"^(#{1,4})\s+(.*)$", line)
            if m:
                if para:
                    self.blocks.append(("markdown", "\n".join(para).strip()))
                    para = []
                self.blocks.append(("heading", len(m.group(1)), m.group(2)))
            else:
                para.append(line)
        if "\n".join(para).strip():
            self.blocks.append(("markdown", "\n".join(para).strip()))
        _md(text)

    def _table(self, df: pd.DataFrame, title_key: str, note: str | None = None, **kw):
        self._table_no += 1
        title = self.t(title_key, n=self._table_no, **kw)
        self.blocks.append(("table", title, df, note))
        body = df.to_html(index=False, border=0, classes="evalkit-table", escape=True)
        note_html = f"<p class='evalkit-note'><em>{html.escape(note)}</em></p>" if note else ""
        _html(f"<div class='evalkit-apa'><p class='evalkit-caption'><strong>{html.escape(title)}</strong></p>"
              f"{body}{note_html}</div>")

    def _figure(self, fig, name: str, alt: str):
        """Show a figure with alt text; save it as PNG (300 dpi) and SVG under figures/.

        Rendering dominates a report's time, so each raster is drawn once: with a figures
        folder the 300-dpi PNG is both the file and the inline image (shown at half its pixel
        width, i.e. at 150 dpi, and sharp when printed); without one, a 150-dpi PNG."""
        self._figure_no += 1
        fig.tight_layout()
        stem = f"fig{self._figure_no:02d}-{name}"
        dpi = 300 if self.figures_dir is not None else 150
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        png = buf.getvalue()
        width = int(round(fig.get_figwidth() * 150))
        title = fig.axes[0].get_title() if fig.axes else name
        self.blocks.append(("figure", stem, png, alt, title))
        if self.figures_dir is not None:
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(self.figures_dir / f"{stem}.png", png)
            with atomic.atomic_path(self.figures_dir / f"{stem}.svg") as tmp:
                fig.savefig(tmp, format="svg", metadata={"Title": title, "Description": alt, "Date": None})
            atomic.write_text(self.figures_dir / f"{stem}.txt", alt + "\n")
        b64 = base64.b64encode(png).decode("ascii")
        _html(f"<figure class='evalkit-figure'><img src='data:image/png;base64,{b64}' alt='{html.escape(alt, quote=True)}' "
              f"width='{width}' style='max-width:100%;height:auto'/></figure>")
        plt.close(fig)

    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        """Every APA table shown so far, as ``(title, DataFrame)`` pairs (formatted as in the report)."""
        return [(b[1], b[2]) for b in self.blocks if b[0] == "table"]


class ProgramReport(ReportDocument):
    """Displays one program's evaluation in a notebook, in Indonesian or English.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> rep = ProgramReport.from_folder(sample_program("mot-2026-angkatan-1"), lang="en")
    >>> rep.lang, rep.evaluation.measured[2]
    ('en', True)
    """

    def __init__(self, evaluation: ProgramEvaluation, lang: str | None = None, figures_dir=None):
        self.evaluation = evaluation
        self.program = evaluation.program
        super().__init__(lang or self.program.spec.language, figures_dir)

    @classmethod
    def from_folder(cls, program_dir, *, lang: str | None = None, seed: int = 2026, parameters: dict | None = None,
                    output_dir=None):
        program = load_program(resolve_path(program_dir))
        ev = evaluate(program, seed=seed, parameters=parameters)
        rep = cls(ev, lang, figures_dir=resolve_path(output_dir) / "figures" if output_dir else None)
        ev.parameters["lang"] = rep.lang
        return rep

    # -- sections ------------------------------------------------------------------------
    def title(self):
        s = self.program.spec
        dates = "–"
        if s.start_date:
            dates = fmt_date(s.start_date, self.lang) + (f" – {fmt_date(s.end_date, self.lang)}" if s.end_date else "")
        rows = [(self.t("title.institution"), s.institution), (self.t("title.cohort"), s.cohort or "–"),
                (self.t("title.dates"), dates), (self.t("title.jp"), self.num(s.jp, 0) if s.jp else "–"),
                (self.t("title.mode"), self.t(f"mode.{s.delivery_mode}")),
                (self.t("title.participants"), str(s.participants) if s.participants is not None else "–"),
                (self.t("title.program_id"), self.program.program_id)]
        self._md(f"# {self.t('title.report')}\n\n## {s.name}\n\n" + "\n".join(f"- **{k}:** {v}" for k, v in rows))

    def scorecard(self):
        """The program on one table and one figure: each level's headline, its status, and what
        was not measured."""
        ev = self.evaluation
        rows = []
        nm = self.t("scorecard.not_measured")
        if ev.level1:
            b = ev.level1.overall_band
            st = "strong" if b in ("very_good",) else "moderate" if b in ("good",) else "weak"
            rows.append(("1", self.t("scorecard.l1"), f"{self.num(ev.level1.overall_mean)} ({self.band(b)})", st))
        else:
            rows.append(("1", self.t("scorecard.l1"), nm, "not_measured"))
        if ev.level2:
            r = ev.level2.prepost
            dz = r.effect_sizes.loc["d_z", "estimate"]
            p = r.tests.loc["paired_t", "p_value"]
            dzb = band(abs(dz), "cohen_d") if dz == dz else None
            st = "weak" if not (p < 0.05 and dz > 0) or dzb in ("negligible", "small") else (
                "strong" if dzb == "large" else "moderate")
            g = (r.gain or {}).get("class_gain")
            rows.append(("2", self.t("scorecard.l2"), f"d_z = {self.num(dz)}; ⟨g⟩ = {self.coef(g)}", st))
        else:
            rows.append(("2", self.t("scorecard.l2"), nm, "not_measured"))
        if ev.level3:
            up, n_aspects = ev.level3.improved()
            share = up / n_aspects if n_aspects else 0
            rows.append(("3", self.t("scorecard.l3"), f"{up} / {n_aspects}", _status(share, 0.6, 0.3)))
        else:
            rows.append(("3", self.t("scorecard.l3"), nm, "not_measured"))
        if ev.level4 is not None:
            met, n = int(ev.level4["target_met"].sum()), len(ev.level4)
            share = met / n if n else 0
            rows.append(("4", self.t("scorecard.l4"), f"{met} / {n}", _status(share, 0.75, 0.4)))
        else:
            rows.append(("4", self.t("scorecard.l4"), nm, "not_measured"))
        if ev.level5 is not None:
            r = ev.level5.roi
            rows.append(("5", self.t("scorecard.l5"), f"{self.num(r['roi_pct'], 0)}% (BCR {self.num(r['bcr'])})",
                         _status(r["roi_pct"], 100, 0)))
        else:
            rows.append(("5", self.t("scorecard.l5"), nm, "not_measured"))
        if ev.costs and ev.costs.get("per_participant"):
            rows.append(("Rp", self.t("scorecard.costs"), fmt_rp(ev.costs["per_participant"], self.lang), "info"))
        status_text = {k: self.t(f"scorecard.{k}") for k in ("strong", "moderate", "weak", "not_measured", "info")}
        df = pd.DataFrame(rows, columns=["level", "measure", "value", "status"])
        shown = pd.DataFrame({self.t("scorecard.level"): df["level"], self.t("scorecard.measure"): df["measure"],
                              self.t("scorecard.value"): df["value"],
                              self.t("scorecard.status"): df["status"].map(status_text)})
        self._md(f"## {self.t('scorecard.heading')}")
        self._table(shown, "scorecard.table_title")
        fig, ax = plt.subplots(figsize=(9, 0.7 * len(df) + 0.6))
        figures.scorecard_plot(df.assign(label=[f"{a} · {b}" if a != "Rp" else b for a, b in zip(df.level, df.measure)]),
                               status_text=status_text, ax=ax, lang=self.lang)
        self._figure(fig, "scorecard", self.t("scorecard.alt", items="; ".join(
            f"{m}: {v} ({status_text[s]})" for m, v, s in zip(df.measure, df.value, df.status))))

    def contents(self):
        """Table of contents: links to the sections this report has."""
        from urllib.parse import quote

        ev = self.evaluation
        heads = [self.t("summary.heading"), self.t("scorecard.heading")] + [self.t(f"level.{i}") for i in (1, 2, 3, 4)]
        if ev.level5 is not None:
            heads.append(self.t("level.5"))
        if ev.chain is not None:
            heads.append(self.t("chain.heading"))
        if ev.costs:
            heads.append(self.t("costs.heading"))
        heads += [self.t("methods.heading"), self.t("colophon.heading")]
        links = [f"- [{h}](#{quote(h.replace(' ', '-'), safe='()-')})" for h in heads]
        self._md(f"**{self.t('toc.heading')}**\n\n" + "\n".join(links))

    def colophon(self):
        """Version, commit, inputs with checksums, parameters, time and the command to re-run."""
        import datetime as dt

        from ..evaluation import git_commit
        from ..ingest.pseudonymize import project_root

        m = self.evaluation.metrics()
        folder = self.program.folder.resolve()
        root = project_root(Path(__file__).parent)
        shown = folder.relative_to(root) if root in folder.parents else folder
        lang = self.lang
        formats = m["parameters"].get("formats") or "html"
        command = f"evalkit report {shown} --out reports --lang {lang}" + (
            f" --format {formats}" if formats != "html" else "")
        params = ", ".join(f"{k} = {v}" for k, v in m["parameters"].items() if k != "program_dir")
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        text = self.t("colophon.text", version=__version__, commit=git_commit() or "–", time=now,
                      params=params or "–", command=command)
        inputs = "\n".join(f"- `{i['path']}` — `{i['sha256']}`" for i in m["inputs"])
        self._md(f"## {self.t('colophon.heading')}\n\n{text}\n\n{self.t('colophon.inputs')}\n\n{inputs}")

    def write_documents(self, output_dir, formats="html") -> None:
        """Write ``metrics.json`` and, as ``formats`` asks (``"html,docx,xlsx"``), ``report.docx``
        and ``report.xlsx`` into ``output_dir``. The HTML is exported by ``evalkit report``
        from the executed notebook. Returns nothing (the cell shows nothing)."""
        if not output_dir:
            return
        from .export import write_docx, write_xlsx

        self.write_metrics(output_dir)
        out = resolve_path(output_dir)
        wanted = {f.strip().lower() for f in str(formats or "").split(",") if f.strip()}
        s = self.program.spec
        title = f"{self.t('title.report')}: {s.name} — {s.cohort or self.program.program_id}"
        if "docx" in wanted:
            write_docx(self.blocks, out / "report.docx", title=title, lang=self.lang)
        if "xlsx" in wanted:
            meta = {self.t("title.program_id"): self.program.program_id, self.t("title.institution"): s.institution,
                    "evalkit": __version__}
            write_xlsx(self.blocks, out / "report.xlsx", title=title, lang=self.lang, meta=meta)

    def summary(self):
        ev = self.evaluation
        lines = []
        if ev.level1:
            l1 = ev.level1
            lines.append(self.t("summary.l1", mean=self.num(l1.overall_mean), max=self.num(l1.scale_range[1], 0),
                                band=self.band(l1.overall_band), n=l1.n_respondents))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.1")))
        if ev.level2:
            r = ev.level2.prepost
            p = r.tests.loc["paired_t", "p_value"]
            sig = self.t("summary.significant" if p < 0.05 else "summary.not_significant", p=fmt_p(p, self.lang))
            dz = r.effect_sizes.loc["d_z", "estimate"]
            g = (r.gain or {}).get("class_gain")
            key = "summary.l2" if r.mean_diff > 0 and g is not None else "summary.l2_down"
            lines.append(self.t(key, pre=self.num(r.pre_mean, 1), post=self.num(r.post_mean, 1), sig=sig,
                                dz=self.num(dz), dzband=self.band(band(abs(dz), "cohen_d")),
                                g=self.coef(g), gband=self.band((r.gain or {}).get("band"))))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.2")))
        if ev.level3:
            n_up, n_aspects = ev.level3.improved()
            lines.append(self.t("summary.l3", n_up=n_up, n_aspects=n_aspects))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.3")))
        if ev.level4 is not None:
            lines.append(self.t("summary.l4", n_met=int(ev.level4["target_met"].sum()), n=len(ev.level4)))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.4")))
        if ev.costs:
            lines.append(self.t("summary.costs", total=fmt_rp(ev.costs["total"], self.lang),
                                per=fmt_rp(ev.costs["per_participant"], self.lang) if ev.costs["per_participant"] else "–"))
        self._md(f"## {self.t('summary.heading')}\n\n" + "\n".join(f"- {x}" for x in lines))

    def _not_measured(self, level: int):
        self._md(f"## {self.t(f'level.{level}')}\n\n{self.t('level.not_measured', level=self.t(f'level.{level}'))}")

    def level1(self):
        l1 = self.evaluation.level1
        if l1 is None:
            return self._not_measured(1)
        lo, hi = l1.scale_range
        self._md(f"## {self.t('level.1')}\n\n" + self.t("l1.intro", lo=self.num(lo, 0), hi=self.num(hi, 0), n=l1.n_respondents))
        rows = []
        texts = []
        for s in l1.scales.values():
            name = s.label.get(self.lang, s.name)
            rel = s.reliability
            a = rel.coefficients.loc["alpha"] if rel is not None else None
            alpha_txt = (f"{self.coef(a.estimate)} [{self.coef(a.ci_low)}; {self.coef(a.ci_high)}]"
                         if self.lang == "id" else f"{self.coef(a.estimate)} [{self.coef(a.ci_low)}, {self.coef(a.ci_high)}]") if a is not None else "–"
            rows.append({self.t("table.scale"): name, self.t("table.k"): len(s.items), self.t("table.n"): s.n,
                         self.t("table.mean"): self.num(s.mean), self.t("table.sd"): self.num(s.sd),
                         self.t("table.band"): self.band(s.band), self.t("table.alpha"): alpha_txt,
                         self.t("table.omega"): self.coef(rel.coefficients.loc["omega_total", "estimate"]) if rel else "–"})
            if a is not None:
                texts.append(self.t("l1.scale_text", scale=name, mean=self.num(s.mean), sd=self.num(s.sd),
                                    band=self.band(s.band), alpha=self.coef(a.estimate),
                                    ci=self.ci(a.ci_low, a.ci_high, coef=True),
                                    aband=self.band(band(a.estimate, "alpha"))))
                for w in rel.warnings.render(self.lang):
                    texts.append(self.t("l1.warning", scale=name, text=w))
        rows.append({self.t("table.scale"): self.t("table.overall"), self.t("table.k"): sum(len(s.items) for s in l1.scales.values()),
                     self.t("table.n"): l1.n_respondents, self.t("table.mean"): self.num(l1.overall_mean),
                     self.t("table.sd"): "", self.t("table.band"): self.band(l1.overall_band),
                     self.t("table.alpha"): "", self.t("table.omega"): ""})
        self._table(pd.DataFrame(rows), "l1.table_title",
                    note=self.t("l1.table_note", lo=self.num(lo, 0), hi=self.num(hi, 0)))
        rev = [i for s in l1.scales.values() for i in s.reverse]
        if rev:
            texts.append(self.t("l1.reversed_note", items=", ".join(rev)))
        self._md("\n\n".join(texts))
        if l1.ikm is not None:
            self._ikm(l1)
        self._item_table(l1)
        df = self.program.level1
        labels = self._answer_labels()
        for s in l1.scales.values():
            fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(s.items) + 1.6))
            figures.likert_bars(df, s.items, scale=l1.scale_range, labels=labels, ax=ax, lang=self.lang,
                                item_labels=self._item_labels())
            name = s.label.get(self.lang, s.name)
            ax.set_title(self.t("fig.likert_title", scale=name), pad=26)
            d = s.distribution.drop(columns="missing")
            agree = d[[c for c in d.columns if c > (l1.scale_range[0] + l1.scale_range[1]) / 2]].sum(axis=1)
            share = agree / d.sum(axis=1).where(d.sum(axis=1) > 0)
            self._figure(fig, f"likert-{s.name}", self.t(
                "alt.likert", scale=name, k=len(s.items), lo=f"{self.num(100 * share.min(), 0)}%",
                hi=f"{self.num(100 * share.max(), 0)}%"))

    def instructors(self):
        """Per-instructor results: mean per scale and overall with its 95% CI, band, and a
        dot plot; instructors with too few ratings are marked, not ranked."""
        d = self.evaluation.instructors
        if d is None:
            return
        ins = self.program.spec.instruments[self.program.spec.instructors.instrument]
        labels = {k: v.label.get(self.lang, k) for k, v in ins.scales.items()}
        self._md(f"### {self.t('instr.heading')}\n\n" + self.t("instr.intro", k=len(d), n=int(d["n"].sum())))
        shown = pd.DataFrame({self.t("instr.instructor"): d["instructor"], "n": d["n"].astype(int)})
        if "subjects" in d:
            shown[self.t("instr.subjects")] = d["subjects"]
        for k in d.attrs["scales"]:
            shown[labels[k]] = [self.num(v) for v in d[k]]
        shown[self.t("table.mean")] = [self.num(v) for v in d["mean"]]
        shown["95% CI"] = [self.ci(lo, hi).replace("95% CI ", "") for lo, hi in zip(d["ci_low"], d["ci_high"])]
        shown[self.t("table.band")] = [self.band(b) + (" *" if few else "") for b, few in zip(d["band"], d["few"])]
        self._table(shown, "instr.table_title",
                    note=self.t("instr.note", min=self.program.spec.instructors.min_ratings))
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(d) + 1.4))
        figures.mean_ci_plot(d, label="instructor", ax=ax, lang=self.lang, scale=tuple(ins.scale))
        ax.set_title(self.t("instr.heading"))
        self._figure(fig, "instructors", self.t("instr.alt", items="; ".join(
            f"{w}: {self.num(m)}" for w, m in zip(d["instructor"], d["mean"]))))

    def _ikm(self, l1):
        """The IKM of PermenPANRB 14/2017: each element's mean, the index, its conversion and grade."""
        r = l1.ikm
        ins = self.program.spec.instruments[self.program.spec.level1.instrument]
        text = {i: t.get(self.lang, i) for sc in ins.scales.values() for i, t in sc.item_text.items()}
        rows = [(f"{e} {text.get(e, '')}".strip(), self.num(m)) for e, m in r["element_means"].items()]
        rows += [(self.t("ikm.index"), self.num(r["index"], 4)), (self.t("ikm.converted"), self.num(r["converted"])),
                 (self.t("ikm.grade"), f"{r['grade']} ({r['label'] if self.lang == 'id' else r['label_en']})")]
        self._md(f"### {self.t('ikm.heading')}\n\n" + self.t(
            "ikm.text", n=r["n"], converted=self.num(r["converted"]), grade=r["grade"],
            label=r["label"] if self.lang == "id" else r["label_en"]))
        self._table(pd.DataFrame(rows, columns=[self.t("ikm.element"), self.t("table.mean")]), "ikm.table_title",
                    note=self.t("ikm.note"))

    def _item_table(self, l1):
        """Item statistics with the Indonesian 'uji validitas' beside the corrected r."""
        rows, weak = [], []
        yes, no = self.t("items.valid_yes"), self.t("items.valid_no")
        for s in l1.scales.values():
            if s.reliability is None:
                continue
            it, v = s.reliability.items, s.validity
            for item in it.index:
                rows.append({self.t("items.item"): item, self.t("items.scale"): s.label.get(self.lang, s.name),
                             self.t("table.mean"): self.num(it.loc[item, "mean"]), self.t("table.sd"): self.num(it.loc[item, "sd"]),
                             self.t("items.r_rest"): self.coef(it.loc[item, "r_rest"]),
                             self.t("items.alpha_if_deleted"): self.coef(it.loc[item, "alpha_if_deleted"]),
                             self.t("items.r_total"): self.coef(v.loc[item, "r_item_total"]),
                             self.t("items.r_crit"): self.coef(v.loc[item, "r_critical"], 3),
                             self.t("items.valid"): yes if v.loc[item, "valid"] else no})
                if not v.loc[item, "valid_corrected"]:
                    weak.append(item)
        if not rows:
            return
        self._table(pd.DataFrame(rows), "items.table_title", note=self.t("items.table_note"))
        self._md(self.t("items.weak", items=", ".join(weak)) if weak else self.t("items.all_fine"))

    def _test_items(self, it):
        tab = it.items
        poor = tab.index[tab["discrimination_band"] == "poor"].tolist()
        counts = tab["difficulty_band"].value_counts()
        self._md(f"### {self.t('test.heading')}\n\n" + self.t(
            "test.text", k=it.k, n=it.n, kr20=self.coef(it.kr20), band=self.band(band(it.kr20, "alpha")),
            p=self.coef(tab["difficulty"].mean()), easy=int(counts.get("easy", 0)),
            moderate=int(counts.get("moderate", 0)), hard=int(counts.get("hard", 0)), poor=len(poor),
            poor_list=self.t("test.poor_list", items=", ".join(poor)) if poor else ""))
        rows = [{self.t("items.item"): i, self.t("test.difficulty"): self.coef(r["difficulty"]),
                 self.t("test.difficulty_band"): self.band(r["difficulty_band"]),
                 self.t("test.discrimination"): self.coef(r["discrimination"]),
                 self.t("test.discrimination_band"): self.band(r["discrimination_band"]),
                 self.t("test.r_pbis"): self.coef(r["point_biserial_rest"])} for i, r in tab.iterrows()]
        self._table(pd.DataFrame(rows), "test.table_title", note=self.t("test.table_note"))

    def _answer_labels(self):
        spec = self.program.spec
        lm = spec.label_map(spec.level1.instrument)
        if not lm:
            return None
        by_value = {}
        for label, v in lm.items():
            by_value.setdefault(v, label)
        lo, hi = spec.instruments[spec.level1.instrument].scale
        return [by_value.get(float(v), str(v)) for v in range(int(lo), int(hi) + 1)]

    def _item_labels(self):
        cols = self.program.spec.level1.columns
        return {item: (text if len(text) <= 48 else text[:46] + "…") for text, item in cols.items()}

    def comments(self):
        c = self.evaluation.level1.comments if self.evaluation.level1 else None
        if self.evaluation.level1 is None:
            return
        self._md(f"### {self.t('l1.comments')}")
        if c is None or c.empty:
            self._md(self.t("l1.no_comments"))
            return
        self._md("\n".join(f"- {x}" for x in c["comment"]))

    def level2(self):
        l2 = self.evaluation.level2
        if l2 is None:
            return self._not_measured(2)
        r = l2.prepost
        excl = self.t("l2.excluded", n=r.n_missing + r.n_unmatched) if r.n_missing + r.n_unmatched else ""
        self._md(f"## {self.t('level.2')}\n\n" + self.t("l2.intro", max=self.num(l2.max_score, 0), n=r.n, excluded=excl))
        tt = r.tests.loc["paired_t"]
        es = r.effect_sizes.loc["d_z"]
        g = r.gain or {}
        rows = [
            (f"{self.t('l2.pre')} — {self.t('l2.mean_sd')}", f"{self.num(r.pre_mean)} ({self.num(r.pre_sd)})"),
            (f"{self.t('l2.post')} — {self.t('l2.mean_sd')}", f"{self.num(r.post_mean)} ({self.num(r.post_sd)})"),
            (self.t("l2.mean_diff"), f"{self.num(r.mean_diff)} {self.ci(tt.ci_low, tt.ci_high).removeprefix('95% CI ')}"),
            (self.t("l2.t_test"), f"t({int(tt['df'])}) = {self.num(tt.statistic)}, {fmt_p(tt.p_value, self.lang)}"),
            (self.t("l2.wilcoxon"), f"V = {self.num(r.tests.loc['wilcoxon', 'statistic'], 1)}, "
                                    f"{fmt_p(r.tests.loc['wilcoxon', 'p_value'], self.lang)}"),
            (self.t("l2.d_z"), f"{self.num(es.estimate)} {self.ci(es.ci_low, es.ci_high).removeprefix('95% CI ')}"),
            (self.t("l2.class_gain"), f"{self.coef(g.get('class_gain'))} ({self.band(g.get('band'))})"),
        ]
        if l2.pass_mark is not None:
            rows.append((self.t("l2.pass_rate", mark=self.num(l2.pass_mark, 0)),
                         f"{self.num(100 * l2.pass_rate_pre, 0)}% → {self.num(100 * l2.pass_rate_post, 0)}%"))
        self._table(pd.DataFrame(rows, columns=[self.t("l2.statistic"), self.t("l2.value")]), "l2.table_title",
                    note=self.t("l2.table_note"))
        sig = tt.p_value < 0.05
        ttext = self.t("l2.ttext_sig" if sig else "l2.ttext_ns", df=int(tt["df"]), t=self.num(tt.statistic),
                       p=fmt_p(tt.p_value, self.lang))
        dzband = band(abs(es.estimate), "cohen_d")
        key = "l2.text_up" if sig and r.mean_diff > 0 and dzband not in ("negligible",) else "l2.text_flat"
        text = [self.t(key, pre=self.num(r.pre_mean, 1), post=self.num(r.post_mean, 1), diff=self.num(r.mean_diff, 1),
                       ci=self.ci(tt.ci_low, tt.ci_high, 1), ttext=ttext, dz=self.num(es.estimate),
                       dzci=self.ci(es.ci_low, es.ci_high), dzband=self.band(dzband),
                       g=self.coef(g.get("class_gain")), gband=self.band(g.get("band")))]
        if l2.pass_mark is not None:
            text.append(self.t("l2.pass_text", mark=self.num(l2.pass_mark, 0),
                               pre=f"{self.num(100 * l2.pass_rate_pre, 0)}%", post=f"{self.num(100 * l2.pass_rate_post, 0)}%"))
        nm = r.normality
        text.append(self.t("l2.normality", w=self.num(nm["W"], 3), p=fmt_p(nm["p_value"], self.lang),
                           v=self.num(r.tests.loc["wilcoxon", "statistic"], 1),
                           wp=fmt_p(r.tests.loc["wilcoxon", "p_value"], self.lang)))
        mc = l2.mcnemar
        if mc is not None:
            text.append(self.t("mcnemar.none") if mc["b"] + mc["c"] == 0 else self.t(
                "mcnemar.text", mark=self.num(l2.pass_mark, 0), b=mc["b"], c=mc["c"],
                chi2=self.num(mc["statistic"]), p=fmt_p(mc["p_value"], self.lang)))
        self._md("\n\n".join(text))
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
        figures.prepost_plot(r.participants, ax=axes[0], lang=self.lang, max_score=l2.max_score)
        axes[0].set_title(self.t("fig.prepost_title"), fontsize="medium")
        if "gain" in r.participants:
            figures.gain_hist(r.participants, ax=axes[1], lang=self.lang)
            axes[1].set_title(self.t("fig.gain_title"), fontsize="medium")
        else:
            axes[1].set_visible(False)
        self._figure(fig, "prepost", self.t("alt.prepost", n=r.n, pre=self.num(r.pre_mean, 1),
                                            post=self.num(r.post_mean, 1), g=self.coef(g.get("class_gain"))))
        if l2.items is not None:
            self._test_items(l2.items)

    def assessment(self):
        a = self.evaluation.assessment
        if a is None:
            return
        r = a.rules
        f = a.funnel["n"]
        days = a.time_to_certificate["median_days"]
        self._md(f"### {self.t('assessment.heading')}\n\n" + self.t(
            "assessment.intro", placement=self.num(r["placement_pass"], 0), module=self.num(r["module_pass"], 0),
            max_module=r["max_module_attempts"], final=self.num(r["final_pass"], 0), max_final=r["max_final_attempts"],
            n=int(f["enrolled"]), cert=int(f["certified"]), rate=f"{self.num(100 * a.certification_rate, 0)}%",
            days=self.num(days, 0) if days == days else "–"))
        fig, ax = plt.subplots(figsize=(8, 3.4))
        figures.funnel_plot(a.funnel, labels={k: self.t(f"assessment.stage_{k}") for k in a.funnel.index},
                            ax=ax, lang=self.lang)
        ax.set_title(self.t("assessment.funnel_title"))
        self._figure(fig, "funnel", self.t("alt.funnel", stages="; ".join(
            f"{self.t(f'assessment.stage_{k}')} {int(v)}" for k, v in a.funnel["n"].items())))
        if len(a.modules):
            rows = [{self.t("assessment.module"): m, self.t("assessment.takers"): int(r_["n_takers"]),
                     self.t("assessment.first_pass"): f"{self.num(100 * r_['first_attempt_pass_rate'], 0)}%",
                     self.t("assessment.pass_rate"): f"{self.num(100 * r_['pass_rate'], 0)}%",
                     self.t("assessment.mean_attempts"): self.num(r_["mean_attempts"])}
                    for m, r_ in a.modules.iterrows()]
            self._table(pd.DataFrame(rows), "assessment.modules_title")
        if len(a.violations):
            items = [f"{v.participant} {v.stage} {v.module} #{v.attempt}: {v.rule}" for v in a.violations.itertuples()]
            self._md(self.t("assessment.violations", n=len(items), list="; ".join(items[:20])))
        else:
            self._md(self.t("assessment.no_violations"))

    def level3(self):
        l3 = self.evaluation.level3
        if l3 is None:
            return self._not_measured(3)
        spec = self.program.spec
        ins = spec.instruments[spec.level3.instrument]
        self._md(f"## {self.t('level.3')}\n\n" + self.t("l3.intro", n=l3.n_participants, lo=self.num(ins.scale[0], 0),
                                                  hi=self.num(ins.scale[1], 0)))
        rows = []
        for (aspect, rater), r in l3.table.iterrows():
            label = ins.scales[aspect].label.get(self.lang, aspect) if aspect in ins.scales else aspect
            rater_txt = self.t(f"l3.{rater}") if rater in ("alumni", "atasan") else rater
            rows.append({self.t("l3.aspect"): label, self.t("l3.rater"): rater_txt, "n": int(r["n"]),
                         self.t("l3.before"): self.num(r["before"]), self.t("l3.after"): self.num(r["after"]),
                         self.t("l3.diff"): self.num(r["diff"]), "d_z": self.num(r["d_z"]),
                         self.t("l3.alpha"): self.coef(r["alpha"]),
                         "p": fmt_p(r["p_value"], self.lang).removeprefix("p = ").removeprefix("p ")})
        self._table(pd.DataFrame(rows), "l3.table_title")
        comb, agr = l3.combined, l3.agreement
        if comb is not None:
            sep = "; " if self.lang == "id" else ", "

            def icc_txt(aspect, time):
                if agr is None or (aspect, time) not in agr.index:
                    return "–"
                r_ = agr.loc[(aspect, time)]
                return f"{self.coef(r_['icc2'])} [{self.coef(r_['ci_low'])}{sep}{self.coef(r_['ci_high'])}]"

            rows = [{self.t("l3.aspect"): ins.scales[a].label.get(self.lang, a) if a in ins.scales else a,
                     self.t("l3.icc_before"): icc_txt(a, "before"), self.t("l3.icc_after"): icc_txt(a, "after"),
                     self.t("l3.combined_before"): self.num(r_["before"]), self.t("l3.combined_after"): self.num(r_["after"]),
                     self.t("l3.combined_change"): self.num(r_["change"])} for a, r_ in comb.iterrows()]
            weights = ", ".join(f"{self.t(f'l3.{k}') if k in ('alumni', 'atasan') else k} {self.num(v)}"
                                for k, v in (l3.weights or {}).items())
            self._table(pd.DataFrame(rows), "l3.agreement_title", note=self.t("l3.agreement_note", weights=weights))

    def level4(self):
        l4 = self.evaluation.level4
        if l4 is None:
            return self._not_measured(4)
        self._md(f"## {self.t('level.4')}\n\n" + self.t("l4.intro"))
        rows = [{self.t("l4.indicator"): r["indicator"], self.t("l4.unit"): r["unit"],
                 self.t("l4.direction"): self.t(f"l4.{r['direction']}"), self.t("l4.baseline"): self.num(r["baseline"], 1),
                 self.t("l4.target"): self.num(r["target"], 1), self.t("l4.realisation"): self.num(r["realisation"], 1),
                 self.t("l4.progress"): f"{self.num(r['progress_pct'], 0)}%",
                 self.t("l4.achievement"): f"{self.num(r['achievement_pct'], 0)}%",
                 self.t("l4.band"): self.band(r["achievement_band"])} for _, r in l4.iterrows()]
        source = band_sets()[l4.attrs["band_set"]]["source"] if l4.attrs.get("band_set") else "–"
        self._table(pd.DataFrame(rows), "l4.table_title", note=self.t("l4.band_note", source=source))
        fig, ax = plt.subplots(figsize=(8, 0.55 * len(l4) + 1.4))
        figures.achievement_bars(l4, ax=ax, lang=self.lang)
        ax.set_title(self.t("fig.level4_title"))
        self._figure(fig, "level4", self.t("alt.level4", n=len(l4), items="; ".join(
            f"{r['indicator']} {self.num(r['progress_pct'], 0)}%" for _, r in l4.iterrows())))
        self._logic_model(l4)

    def _logic_model(self, l4: pd.DataFrame):
        """Logic model and performance tree, when the indicators say where they belong."""
        has_level = "logic_level" in l4 and l4["logic_level"].notna().any()
        has_goal = "strategic_goal" in l4 and l4["strategic_goal"].notna().any()
        if not (has_level or has_goal):
            return
        self._md(f"### {self.t('l4.logic_heading')}\n\n" + self.t("l4.logic_intro"))
        shown = pd.DataFrame({
            self.t("l4.indicator"): l4["indicator"],
            self.t("l4.logic_level"): [self.t(f"logic.{v}") if isinstance(v, str) else "–"
                                       for v in l4.get("logic_level", [None] * len(l4))],
            self.t("l4.goal"): l4.get("strategic_goal", pd.Series(["–"] * len(l4))).fillna("–"),
            self.t("l4.achievement"): [f"{self.num(v, 0)}%" for v in l4["achievement_pct"]]})
        self._table(shown, "l4.logic_table")
        if has_level:
            # the program itself is the activity, its costs and hours the input
            spec, c = self.program.spec, self.evaluation.costs or {}
            inputs = " · ".join(x for x in [fmt_rp(c["total"], self.lang) if c.get("total") else None,
                                            f"{self.num(spec.jp, 0)} JP" if spec.jp else None] if x)
            n = self.program.roster_size()
            chain = pd.concat([pd.DataFrame([
                {"indicator": inputs, "logic_level": "input"},
                {"indicator": spec.name + (f" ({self.t('l4.n_participants', n=n)})" if n else ""),
                 "logic_level": "activity"}]).loc[lambda d: d["indicator"] != ""], l4], ignore_index=True)
            fig, ax = plt.subplots(figsize=(11, 1.1 * max(chain["logic_level"].value_counts().max(), 1) + 1.6))
            figures.logic_model(chain, ax=ax, lang=self.lang)
            self._figure(fig, "logic-model", self.t("l4.logic_alt", items="; ".join(
                f"{self.t('logic.' + str(r['logic_level'])) if isinstance(r['logic_level'], str) else '–'}: "
                f"{r['indicator']}" for _, r in l4.iterrows())))
        if has_goal:
            fig, ax = plt.subplots(figsize=(11, 0.75 * len(l4) + 1.2))
            figures.performance_tree(l4, root=self.program.spec.name, ax=ax, lang=self.lang)
            self._figure(fig, "performance-tree", self.t("l4.tree_alt", items="; ".join(
                f"{r['strategic_goal']} ← {r['indicator']}" for _, r in l4.iterrows())))

    def chain(self):
        """Chain of evidence: correlations between the levels per participant, with the caveat."""
        ch = self.evaluation.chain
        if ch is None:
            return
        self._md(f"## {self.t('chain.heading')}\n\n" + self.t("chain.intro"))
        name = {c: self.t(f"chain.{c}") for c in ("reaction", "learning", "behaviour")}
        shown = pd.DataFrame({
            self.t("chain.pair"): [f"{name[x]} ↔ {name[y]}" for x, y in zip(ch["x"], ch["y"])],
            "n": ch["n"].astype(int),
            "r": [self.coef(v) for v in ch["r"]],
            "95% CI": [self.ci(lo, hi, coef=True).replace("95% CI ", "") for lo, hi in zip(ch["ci_low"], ch["ci_high"])],
            "p": [fmt_p(v, self.lang) for v in ch["p_value"]],
            "ρ (Spearman)": [self.coef(v) for v in ch["rho"]]})
        self._table(shown, "chain.table_title", note=self.t("chain.caveat"))

    def level5(self):
        """Phillips ROI: benefits isolated and adjusted, fully loaded costs, ROI/BCR/payback,
        intangibles. Shown only when the program has benefit estimates."""
        l5 = self.evaluation.level5
        if l5 is None:
            return
        rp = lambda v: fmt_rp(v, self.lang)  # noqa: E731
        spec = self.program.spec
        self._md(f"## {self.t('level.5')}\n\n" + self.t("l5.intro", method=self.t(f"l5.{l5.isolation}")))
        rows = [(self.t("l5.estimates", n=l5.participants or "–"), str(l5.n_estimates)),
                (self.t("l5.raw"), rp(l5.benefits_raw)), (self.t("l5.isolated"), rp(l5.benefits_isolated)),
                (self.t("l5.adjusted"), rp(l5.benefits_adjusted))]
        self._table(pd.DataFrame(rows, columns=[self.t("l2.statistic"), self.t("costs.amount")]), "l5.benefits_table",
                    note=self.t("l5.method_note", note=l5.isolation_note) if l5.isolation_note else None)
        crow = [(self.t("l5.program"), rp(l5.costs["program"]))]
        if "participant_time" in l5.costs:
            crow.append((self.t("l5.participant_time", n=l5.participants, jp=self.num(spec.jp, 0), minutes=self.num(spec.level5.jp_minutes, 0),
                                wage=self.num(spec.level5.hourly_cost, 0)), rp(l5.costs["participant_time"])))
        crow += [(k, rp(v)) for k, v in l5.costs.items() if k not in ("program", "participant_time", "total")]
        crow.append((self.t("l5.total"), rp(l5.costs["total"])))
        self._table(pd.DataFrame(crow, columns=[self.t("l2.statistic"), self.t("costs.amount")]), "l5.costs_table",
                    note=None if "participant_time" in l5.costs else self.t("l5.no_time"))
        r = l5.roi
        rrow = [(self.t("l5.bcr"), self.num(r["bcr"])), (self.t("l5.roi"), f"{self.num(r['roi_pct'], 1)}%")]
        if r.get("payback_months") is not None:
            rrow.append((self.t("l5.payback"), self.t("l5.months", n=self.num(r["payback_months"], 1))))
        self._table(pd.DataFrame(rrow, columns=[self.t("l2.statistic"), self.t("scorecard.value")]), "l5.roi_table",
                    note=self.t("l5.note", months=self.num(l5.period_months, 0)))
        fig, ax = plt.subplots(figsize=(8, 2.6))
        labels = [self.t("l5.raw"), self.t("l5.isolated"), self.t("l5.adjusted"), self.t("l5.total")]
        vals = [l5.benefits_raw, l5.benefits_isolated, l5.benefits_adjusted, l5.costs["total"]]
        y = list(range(len(vals)))[::-1]
        ax.barh(y, [v / 1e6 for v in vals], color=["#c6dbef", "#6baed6", "#2166ac", "#ef8a62"])
        for yi, v in zip(y, vals):
            ax.text(v / 1e6, yi, " " + rp(v), va="center", fontsize="small")
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize="small")
        ax.set_xlim(0, max(vals) / 1e6 * 1.4)
        ax.set_xlabel(self.t("fig.million_rp"))
        ax.set_title(self.t("level.5"))
        self._figure(fig, "level5", self.t("l5.alt", raw=rp(l5.benefits_raw), iso=rp(l5.benefits_isolated),
                                           adj=rp(l5.benefits_adjusted), cost=rp(l5.costs["total"])))
        if l5.intangibles:
            self._md(f"**{self.t('l5.intangibles')}**\n\n" + "\n".join(f"- {i}" for i in l5.intangibles))

    def costs(self):
        c = self.evaluation.costs
        if c is None:
            return
        self._md(f"## {self.t('costs.heading')}")
        rows = [(self.t("costs.total"), fmt_rp(c["total"], self.lang))]
        if c.get("per_participant"):
            rows.append((self.t("costs.per_participant"), fmt_rp(c["per_participant"], self.lang)))
        if c.get("per_jp"):
            rows.append((self.t("costs.per_jp"), fmt_rp(c["per_jp"], self.lang)))
        if c.get("per_certified"):
            rows.append((self.t("costs.per_certified"), fmt_rp(c["per_certified"], self.lang)))
        rows += [(f"{self.t('costs.category')}: {k}", fmt_rp(v, self.lang)) for k, v in c["by_category"].items()]
        self._table(pd.DataFrame(rows, columns=[self.t("l2.statistic"), self.t("costs.amount")]), "costs.table_title")
        if "modes" in c:
            md = c["modes"]
            base = md.index[(md["saving"] == 0)][0]
            md = pd.concat([md.loc[[base]], md.drop(index=base)])  # the baseline first
            shown = pd.DataFrame({
                self.t("title.mode"): [self.t(f"mode.{m}") for m in md.index],
                self.t("costs.lines"): md["n_lines"].astype(int),
                self.t("title.participants"): md["participants"].astype(int),
                self.t("costs.total"): [fmt_rp(v, self.lang) for v in md["total"]],
                self.t("costs.per_participant"): [fmt_rp(v, self.lang) for v in md["per_participant"]],
                self.t("costs.saving_total"): [f"{self.num(v, 1)}%" for v in md["saving_pct"]],
                self.t("costs.saving_pp"): [f"{self.num(v, 1)}%" for v in md["saving_per_participant_pct"]]}
            ).reset_index(drop=True)
            self._table(shown, "costs.modes_title", note=self.t("costs.modes_note", base=self.t(f"mode.{base}")))

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
                                reversed=", ".join(rev) or "–", amin=self.coef(min(alphas)) if alphas else "–",
                                amax=self.coef(max(alphas)) if alphas else "–"))
        if ev.level2:
            r = ev.level2.prepost
            tt, es = r.tests.loc["paired_t"], r.effect_sizes.loc["d_z"]
            paras.append(self.t("methods.l2", n=r.n, pre=self.num(r.pre_mean), sdpre=self.num(r.pre_sd),
                                post=self.num(r.post_mean), sdpost=self.num(r.post_sd), df=int(tt["df"]),
                                t=self.num(tt.statistic), p=fmt_p(tt.p_value, self.lang), dz=self.num(es.estimate),
                                dzci=self.ci(es.ci_low, es.ci_high), g=self.coef((r.gain or {}).get("class_gain"))))
        paras.append(self.t("methods.text", version=__version__))
        self._md(f"## {self.t('methods.heading')}\n\n" + "\n\n".join(paras))

    def write_metrics(self, output_dir) -> None:
        """Write ``metrics.json`` into ``output_dir`` (atomically); nothing when ``output_dir`` is None.
        Returns nothing, so the notebook cell shows nothing in the report."""
        if not output_dir:
            return
        path = resolve_path(output_dir) / "metrics.json"
        atomic.write_text(path, json.dumps(self.evaluation.metrics(), indent=2, ensure_ascii=False))

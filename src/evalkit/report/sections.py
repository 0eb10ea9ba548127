"""What the program report shows, section by section.

The notebook ``notebooks/program_report.ipynb`` calls one method per section; each
method displays headings, plain-language text, tables and figures built from a
:class:`~evalkit.evaluation.ProgramEvaluation`. Every word comes from the translation
table, every number is formatted for the report's language.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .. import __version__, atomic
from ..bands import band
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


class ProgramReport:
    """Displays one program's evaluation in a notebook, in Indonesian or English.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> rep = ProgramReport.from_folder(sample_program("mot-2026-angkatan-1"), lang="en")
    >>> rep.lang, rep.evaluation.measured[2]
    ('en', True)
    """

    def __init__(self, evaluation: ProgramEvaluation, lang: str | None = None):
        self.evaluation = evaluation
        self.program = evaluation.program
        self.lang = check_lang(lang or self.program.spec.language)
        self._table_no = 0
        figures.set_theme()

    @classmethod
    def from_folder(cls, program_dir, *, lang: str | None = None, seed: int = 2026, parameters: dict | None = None):
        program = load_program(resolve_path(program_dir))
        ev = evaluate(program, seed=seed, parameters=parameters)
        return cls(ev, lang)

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

    def _table(self, df: pd.DataFrame, title_key: str, note: str | None = None, **kw):
        self._table_no += 1
        title = self.t(title_key, n=self._table_no, **kw)
        body = df.to_html(index=False, border=0, classes="evalkit-table", escape=True)
        note_html = f"<p class='evalkit-note'><em>{html.escape(note)}</em></p>" if note else ""
        _html(f"<div class='evalkit-apa'><p class='evalkit-caption'><strong>{html.escape(title)}</strong></p>"
              f"{body}{note_html}</div>")

    def _figure(self, fig):
        fig.tight_layout()
        _display(fig)
        plt.close(fig)

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
        _md(f"# {self.t('title.report')}\n\n## {s.name}\n\n" + "\n".join(f"- **{k}:** {v}" for k, v in rows))

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
            tab = ev.level3.table
            sup = tab.xs("atasan", level="rater") if "atasan" in tab.index.get_level_values("rater") else tab
            n_up = int(((sup["diff"] > 0) & (sup["p_value"] < 0.05)).sum())
            lines.append(self.t("summary.l3", n_up=n_up, n_aspects=len(sup)))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.3")))
        if ev.level4 is not None:
            lines.append(self.t("summary.l4", n_met=int(ev.level4["target_met"].sum()), n=len(ev.level4)))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.4")))
        if ev.costs:
            lines.append(self.t("summary.costs", total=fmt_rp(ev.costs["total"], self.lang),
                                per=fmt_rp(ev.costs["per_participant"], self.lang) if ev.costs["per_participant"] else "–"))
        _md(f"## {self.t('summary.heading')}\n\n" + "\n".join(f"- {x}" for x in lines))

    def _not_measured(self, level: int):
        _md(f"## {self.t(f'level.{level}')}\n\n{self.t('level.not_measured', level=self.t(f'level.{level}'))}")

    def level1(self):
        l1 = self.evaluation.level1
        if l1 is None:
            return self._not_measured(1)
        lo, hi = l1.scale_range
        _md(f"## {self.t('level.1')}\n\n" + self.t("l1.intro", lo=self.num(lo, 0), hi=self.num(hi, 0), n=l1.n_respondents))
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
                for w in rel.warnings:
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
        _md("\n\n".join(texts))
        self._item_table(l1)
        df = self.program.level1
        labels = self._answer_labels()
        for s in l1.scales.values():
            fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(s.items) + 1.6))
            figures.likert_bars(df, s.items, scale=l1.scale_range, labels=labels, ax=ax, lang=self.lang,
                                item_labels=self._item_labels())
            ax.set_title(self.t("fig.likert_title", scale=s.label.get(self.lang, s.name)), pad=26)
            self._figure(fig)

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
        _md(self.t("items.weak", items=", ".join(weak)) if weak else self.t("items.all_fine"))

    def _test_items(self, it):
        tab = it.items
        poor = tab.index[tab["discrimination_band"] == "poor"].tolist()
        counts = tab["difficulty_band"].value_counts()
        _md(f"### {self.t('test.heading')}\n\n" + self.t(
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
        _md(f"### {self.t('l1.comments')}")
        if c is None or c.empty:
            _md(self.t("l1.no_comments"))
            return
        _md("\n".join(f"- {x}" for x in c["comment"]))

    def level2(self):
        l2 = self.evaluation.level2
        if l2 is None:
            return self._not_measured(2)
        r = l2.prepost
        excl = self.t("l2.excluded", n=r.n_missing + r.n_unmatched) if r.n_missing + r.n_unmatched else ""
        _md(f"## {self.t('level.2')}\n\n" + self.t("l2.intro", max=self.num(l2.max_score, 0), n=r.n, excluded=excl))
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
        _md("\n\n".join(text))
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
        figures.prepost_plot(r.participants, ax=axes[0], lang=self.lang, max_score=l2.max_score)
        axes[0].set_title(self.t("fig.prepost_title"), fontsize="medium")
        if "gain" in r.participants:
            figures.gain_hist(r.participants, ax=axes[1], lang=self.lang)
            axes[1].set_title(self.t("fig.gain_title"), fontsize="medium")
        else:
            axes[1].set_visible(False)
        self._figure(fig)
        if l2.items is not None:
            self._test_items(l2.items)

    def assessment(self):
        a = self.evaluation.assessment
        if a is None:
            return
        r = a.rules
        f = a.funnel["n"]
        days = a.time_to_certificate["median_days"]
        _md(f"### {self.t('assessment.heading')}\n\n" + self.t(
            "assessment.intro", placement=self.num(r["placement_pass"], 0), module=self.num(r["module_pass"], 0),
            max_module=r["max_module_attempts"], final=self.num(r["final_pass"], 0), max_final=r["max_final_attempts"],
            n=int(f["enrolled"]), cert=int(f["certified"]), rate=f"{self.num(100 * a.certification_rate, 0)}%",
            days=self.num(days, 0) if days == days else "–"))
        fig, ax = plt.subplots(figsize=(8, 3.4))
        figures.funnel_plot(a.funnel, labels={k: self.t(f"assessment.stage_{k}") for k in a.funnel.index},
                            ax=ax, lang=self.lang)
        ax.set_title(self.t("assessment.funnel_title"))
        self._figure(fig)
        if len(a.modules):
            rows = [{self.t("assessment.module"): m, self.t("assessment.takers"): int(r_["n_takers"]),
                     self.t("assessment.first_pass"): f"{self.num(100 * r_['first_attempt_pass_rate'], 0)}%",
                     self.t("assessment.pass_rate"): f"{self.num(100 * r_['pass_rate'], 0)}%",
                     self.t("assessment.mean_attempts"): self.num(r_["mean_attempts"])}
                    for m, r_ in a.modules.iterrows()]
            self._table(pd.DataFrame(rows), "assessment.modules_title")
        if len(a.violations):
            items = [f"{v.participant} {v.stage} {v.module} #{v.attempt}: {v.rule}" for v in a.violations.itertuples()]
            _md(self.t("assessment.violations", n=len(items), list="; ".join(items[:20])))
        else:
            _md(self.t("assessment.no_violations"))

    def level3(self):
        l3 = self.evaluation.level3
        if l3 is None:
            return self._not_measured(3)
        spec = self.program.spec
        ins = spec.instruments[spec.level3.instrument]
        _md(f"## {self.t('level.3')}\n\n" + self.t("l3.intro", n=l3.n_participants, lo=self.num(ins.scale[0], 0),
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

    def level4(self):
        l4 = self.evaluation.level4
        if l4 is None:
            return self._not_measured(4)
        _md(f"## {self.t('level.4')}\n\n" + self.t("l4.intro"))
        rows = [{self.t("l4.indicator"): r["indicator"], self.t("l4.unit"): r["unit"],
                 self.t("l4.direction"): self.t(f"l4.{r['direction']}"), self.t("l4.baseline"): self.num(r["baseline"], 1),
                 self.t("l4.target"): self.num(r["target"], 1), self.t("l4.realisation"): self.num(r["realisation"], 1),
                 self.t("l4.progress"): f"{self.num(r['progress_pct'], 0)}%"} for _, r in l4.iterrows()]
        self._table(pd.DataFrame(rows), "l4.table_title")

    def costs(self):
        c = self.evaluation.costs
        if c is None:
            return
        _md(f"## {self.t('costs.heading')}")
        rows = [(self.t("costs.total"), fmt_rp(c["total"], self.lang))]
        if c.get("per_participant"):
            rows.append((self.t("costs.per_participant"), fmt_rp(c["per_participant"], self.lang)))
        if c.get("per_jp"):
            rows.append((self.t("costs.per_jp"), fmt_rp(c["per_jp"], self.lang)))
        if c.get("per_certified"):
            rows.append((self.t("costs.per_certified"), fmt_rp(c["per_certified"], self.lang)))
        rows += [(f"{self.t('costs.category')}: {k}", fmt_rp(v, self.lang)) for k, v in c["by_category"].items()]
        self._table(pd.DataFrame(rows, columns=[self.t("l2.statistic"), self.t("costs.amount")]), "costs.table_title")

    def methods(self):
        _md(f"## {self.t('methods.heading')}\n\n" + self.t("methods.text", version=__version__))

    def write_metrics(self, output_dir) -> None:
        """Write ``metrics.json`` into ``output_dir`` (atomically); nothing when ``output_dir`` is None.
        Returns nothing, so the notebook cell shows nothing in the report."""
        if not output_dir:
            return
        path = resolve_path(output_dir) / "metrics.json"
        atomic.write_text(path, json.dumps(self.evaluation.metrics(), indent=2, ensure_ascii=False))

"""Level 1 — Reaction: dimensions with reliability, IKM, instructors, item validity, comments."""
from __future__ import annotations

from ...bands import band
from ...i18n import has
from ...levels.reaction import agree_point
from .. import figures
from ..blocks import Column, V


class Level1Section:
    def level1(self):
        l1 = self.evaluation.level1
        if l1 is None:
            return self._not_measured(1)
        lo, hi = l1.scale_range
        self.heading(2, self.t("level.1"), page_break=True)
        self.para(self.t("l1.intro", lo=self.num(lo, 0), hi=self.num(hi, 0), n=l1.n_respondents))
        cols = [Column(self.t("table.scale")), Column(self.t("table.k"), "int"), Column(self.t("table.n"), "int"),
                Column(self.t("table.mean"), "number"), Column(self.t("table.sd"), "number"),
                Column(self.t("table.band")), Column(self.t("table.agree_share"), "percent", 0),
                Column(self.t("table.alpha"), "coef"), Column("95% CI (α)", "ci_coef"),
                Column(self.t("table.omega"), "coef")]
        rows, texts = [], []
        for s in l1.scales.values():
            name = s.label.get(self.lang, s.name)
            rel = s.reliability
            a = rel.coefficients.loc["alpha"] if rel is not None else None
            rows.append([name, len(s.items), s.n, s.mean, s.sd, self.band(s.band), s.agree_share,
                         a.estimate if a is not None else None, (a.ci_low, a.ci_high) if a is not None else None,
                         rel.coefficients.loc["omega_total", "estimate"] if rel is not None else None])
            if a is not None:
                texts.append(self.t("l1.scale_text", scale=self.esc(name), mean=self.num(s.mean), sd=self.num(s.sd),
                                    band=self.band(s.band), alpha=self.coef(a.estimate),
                                    ci=self.ci(a.ci_low, a.ci_high, coef=True),
                                    aband=self.band(band(a.estimate, "alpha"))))
                # each warning once; Heywood cases of the ω-if-deleted refits in one sentence
                codes = list(getattr(rel.warnings, "codes", []))
                rendered = rel.warnings.render(self.lang)
                refits = [p["what"] for (k, p) in codes if k == "heywood" and str(p.get("what", "")).startswith("ω (")]
                for (k, p), w in zip(codes or [(None, {})] * len(rendered), rendered):
                    if k == "heywood" and str(p.get("what", "")).startswith("ω ("):
                        continue
                    texts.append(self.t("l1.warning", scale=self.esc(name), text=self.esc(w)))
                if refits:
                    texts.append(self.t("l1.warning", scale=self.esc(name), text=self.t(
                        "l1.heywood_refits", what=self.esc(", ".join(refits)))))
        rows.append([self.t("table.overall"), sum(len(s.items) for s in l1.scales.values()), l1.n_respondents,
                     l1.overall_mean, None, self.band(l1.overall_band), l1.overall_agree_share, None, None, None])
        point = agree_point(l1.scale_range)
        self._table(cols, rows, "l1.table_title", note=self.t("l1.table_note", lo=self.num(lo, 0), hi=self.num(hi, 0),
                                                             agree=self.num(point, 0) if point is not None else "–"),
                    name="level1")
        rev = [i for s in l1.scales.values() for i in s.reverse]
        if rev:
            texts.append(self.t("l1.reversed_note", items=", ".join(self.esc(i) for i in rev)))
        self.para("\n\n".join(texts))
        if l1.ikm is not None:
            self._ikm(l1)
        df = self.program.level1
        labels = self._answer_labels()
        for s in l1.scales.values():
            fig, ax = figures.plt.subplots(figsize=(8.5, 0.5 * len(s.items) + 1.6))
            marked = {i: f"{t} {self.t('fig.reversed_mark')}" if i in s.reverse else t
                      for i, t in {**{i: i for i in s.items}, **self._item_labels()}.items()}
            figures.likert_bars(df, s.items, scale=l1.scale_range, labels=labels, ax=ax, lang=self.lang,
                                item_labels=marked)
            name = s.label.get(self.lang, s.name)
            title = self.t("fig.likert_title", scale=name)
            ax.set_title(title, pad=26)
            d = s.distribution.drop(columns="missing")
            agree = d[[c for c in d.columns if c > (l1.scale_range[0] + l1.scale_range[1]) / 2]].sum(axis=1)
            share = agree / d.sum(axis=1).where(d.sum(axis=1) > 0)
            self.figure(fig, f"likert-{s.name}", self.t(
                "alt.likert", scale=name, k=len(s.items), lo=self.pct(share.min()), hi=self.pct(share.max())),
                title=title)

    def instructors(self):
        """Per-instructor results: mean per scale and overall with its 95% CI, band, dot plot;
        instructors with too few ratings are marked, not ranked."""
        d = self.evaluation.instructors
        if d is None:
            return
        ins = self.program.spec.instruments[self.program.spec.instructors.instrument]
        labels = {k: v.label.get(self.lang, k) for k, v in ins.scales.items()}
        self.heading(3, self.t("instr.heading"))
        self.para(self.t("instr.intro", k=len(d), n=int(d["n"].sum())))
        cols = [Column(self.t("instr.instructor")), Column("n", "int")]
        has_subj = "subjects" in d
        if has_subj:
            cols.append(Column(self.t("instr.subjects")))
        cols += [Column(labels[k], "number") for k in d.attrs["scales"]]
        cols += [Column(self.t("table.mean"), "number"), Column("95% CI", "ci"), Column(self.t("table.band"))]
        rows = []
        for _, r in d.iterrows():
            row = [r["instructor"], int(r["n"])] + ([r["subjects"]] if has_subj else [])
            row += [r[k] for k in d.attrs["scales"]]
            row += [r["mean"], (r["ci_low"], r["ci_high"]), self.band(r["band"]) + (" *" if r["few"] else "")]
            rows.append(row)
        self._table(cols, rows, "instr.table_title", note=self.t("instr.note", min=self.program.spec.instructors.min_ratings),
                    name="instructors")
        fig, ax = figures.plt.subplots(figsize=(8, 0.45 * len(d) + 1.4))
        figures.mean_ci_plot(d, label="instructor", ax=ax, lang=self.lang, scale=tuple(ins.scale))
        ax.set_title(self.t("instr.heading"))
        self.figure(fig, "instructors", self.t("instr.alt", items="; ".join(
            f"{w}: {self.num(m)}" for w, m in zip(d["instructor"], d["mean"]))))

    def _ikm(self, l1):
        """The IKM of PermenPANRB 14/2017: each element's mean, the index, its conversion and grade."""
        r = l1.ikm
        ins = self.program.spec.instruments[self.program.spec.level1.instrument]
        text = {i: t.get(self.lang, i) for sc in ins.scales.values() for i, t in sc.item_text.items()}
        label = r["label"] if self.lang == "id" else r["label_en"]
        rows = [[f"{e} {text.get(e, '')}".strip(), V(m, "number", 2)] for e, m in r["element_means"].items()]
        rows += [[self.t("ikm.index"), V(r["index"], "number", 4)], [self.t("ikm.converted"), V(r["converted"], "number", 2)],
                 [self.t("ikm.grade"), V(f"{r['grade']} ({label})", "text")]]
        self.heading(3, self.t("ikm.heading"))
        self.para(self.t("ikm.text", n=r["n"], converted=self.num(r["converted"]), grade=r["grade"], label=label))
        self._table([Column(self.t("ikm.element")), Column(self.t("table.mean"), "number")], rows, "ikm.table_title",
                    note=self.t("ikm.note"), name="ikm")

    def _item_table(self, l1):
        """Item statistics with the Indonesian 'uji validitas' beside the corrected r."""
        rows, weak = [], []
        yes, no = self.t("items.valid_yes"), self.t("items.valid_no")
        for s in l1.scales.values():
            if s.reliability is None:
                continue
            it, v = s.reliability.items, s.validity
            for item in it.index:
                rows.append([item, s.label.get(self.lang, s.name), it.loc[item, "mean"], it.loc[item, "sd"],
                             it.loc[item, "r_rest"], it.loc[item, "alpha_if_deleted"], v.loc[item, "r_item_total"],
                             v.loc[item, "r_critical"], yes if v.loc[item, "valid_corrected"] else no])
                if not v.loc[item, "valid_corrected"]:
                    weak.append(item)
        if not rows:
            return
        cols = [Column(self.t("items.item")), Column(self.t("items.scale")), Column(self.t("table.mean"), "number"),
                Column(self.t("table.sd"), "number"), Column(self.t("items.r_rest"), "coef"),
                Column(self.t("items.alpha_if_deleted"), "coef"), Column(self.t("items.r_total"), "coef"),
                Column(self.t("items.r_crit"), "coef", 3), Column(self.t("items.valid"))]
        self._table(cols, rows, "items.table_title", note=self.t("items.table_note"), name="items")
        self.para(self.t("items.weak", items=", ".join(self.esc(w) for w in weak)) if weak else self.t("items.all_fine"))

    def _answer_labels(self):
        spec = self.program.spec
        lm = spec.label_map(spec.level1.instrument)
        if not lm:
            return None
        by_value = {}
        for label, v in lm.items():
            by_value.setdefault(v, label)
        lo, hi = spec.instruments[spec.level1.instrument].scale
        return [self._answer_word(by_value.get(float(v), str(v))) for v in range(int(lo), int(hi) + 1)]

    def _answer_word(self, label: str) -> str:
        """An answer word in the report's language: the built-in label sets' words are in the
        translation table (``answer.*``; "Sangat Setuju" → "Strongly agree" in English); a
        program's own words are shown as its questionnaire wrote them."""
        import re

        key = "answer." + re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")
        return self.t(key) if has(key) else label

    def _item_labels(self):
        """Each item's questionnaire text as its Likert bar's label: wrapped to two lines of at
        most 44 characters, cut with "…" only beyond that (one 48-character line cut most
        statements of a real questionnaire in the middle)."""
        cols = self.program.spec.level1.columns
        return {item: item_label(text) for text, item in cols.items()}

    def comments(self):
        if self.evaluation.level1 is None:
            return
        c = self.evaluation.level1.comments
        self.heading(3, self.t("l1.comments"))
        if c is None or c.empty:
            self.para(self.t("l1.no_comments"))
            return
        self.bullets([self.esc(x) for x in c["comment"]])


def item_label(text: str, width: int = 44) -> str:
    """A questionnaire statement as a Likert bar's label (:func:`figures.wrap_label`)."""
    return figures.wrap_label(text, width)

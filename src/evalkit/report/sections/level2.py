"""Level 2 — Learning: pre/post test, test items, assessment path (SMART)."""
from __future__ import annotations

from ...bands import band
from ...i18n import fmt_p, has
from .. import figures
from ..blocks import Column, V


class Level2Section:
    def _disc_band(self, key):
        """Ebel's discrimination bands in the words of the table's note (``buruk`` for poor)."""
        return self.t(f"test.disc_{key}") if has(f"test.disc_{key}") else self.band(key)

    def level2(self):
        l2 = self.evaluation.level2
        if l2 is None:
            return self._not_measured(2)
        r = l2.prepost
        excl = self.t("l2.excluded", n=r.n_missing + r.n_unmatched) if r.n_missing + r.n_unmatched else ""
        self.heading(2, self.t("level.2"), page_break=True)
        self.para(self.t("l2.intro", max=self.num(l2.max_score, 0), n=r.n, excluded=excl))
        tt = r.tests.loc["paired_t"]
        es = r.effect_sizes.loc["d_z"]
        wx = r.tests.loc["wilcoxon"]
        g = r.gain or {}
        cols = [Column(self.t("l2.statistic")), Column(self.t("l2.value"), "number"), Column("95% CI", "ci"),
                Column(self.t("doc.interpretation"))]
        rows = [
            [f"{self.t('l2.pre')} — {self.t('table.mean')}", r.pre_mean, None, ""],
            [f"{self.t('l2.pre')} — SD", r.pre_sd, None, ""],
            [f"{self.t('l2.post')} — {self.t('table.mean')}", r.post_mean, None, ""],
            [f"{self.t('l2.post')} — SD", r.post_sd, None, ""],
            [self.t("l2.mean_diff"), r.mean_diff, (tt.ci_low, tt.ci_high), ""],
            [f"{self.t('l2.t_test')}: t", tt.statistic, None, f"df = {int(tt['df'])}"],
            [f"{self.t('l2.t_test')}: p", V(tt.p_value, "p"), None, ""],
            [f"{self.t('l2.wilcoxon')}: V", V(wx.statistic, "number", 1), None, ""],
            [f"{self.t('l2.wilcoxon')}: p", V(wx.p_value, "p"), None, ""],
            [self.t("l2.d_z"), es.estimate, (es.ci_low, es.ci_high), self.band(band(abs(es.estimate), "cohen_d"))],
            [self.t("l2.class_gain"), V(g.get("class_gain"), "coef"), None, self.band(g.get("band"))],
        ]
        if l2.pass_mark is not None:
            mark = self.num(l2.pass_mark, 0)
            rows.append([f"{self.t('l2.pass_rate', mark=mark)} — {self.t('l2.pre')}", V(l2.pass_rate_pre, "percent", 0), None, ""])
            rows.append([f"{self.t('l2.pass_rate', mark=mark)} — {self.t('l2.post')}", V(l2.pass_rate_post, "percent", 0), None, ""])
        self._table(cols, rows, "l2.table_title", note=self.t("l2.table_note"), name="level2")
        sig = tt.p_value < self._alpha()
        ttext = self.t("l2.ttext_sig" if sig else "l2.ttext_ns", df=int(tt["df"]), t=self.num(tt.statistic),
                       p=fmt_p(tt.p_value, self.lang))
        dzband = band(abs(es.estimate), "cohen_d")
        key = "l2.text_up" if sig and r.mean_diff > 0 and dzband not in ("negligible",) else "l2.text_flat"
        text = [self.t(key, pre=self.num(r.pre_mean, 1), post=self.num(r.post_mean, 1), diff=self.num(r.mean_diff, 1),
                       ci=self.ci(tt.ci_low, tt.ci_high, 1), ttext=ttext, dz=self.num(es.estimate),
                       dzci=self.ci(es.ci_low, es.ci_high), dzband=self.band(dzband),
                       g=self.coef(g.get("class_gain")), gband=self.band(g.get("band")))]
        if l2.pass_mark is not None:
            text.append(self.t("l2.pass_text", mark=self.num(l2.pass_mark, 0), pre=self.pct(l2.pass_rate_pre),
                               post=self.pct(l2.pass_rate_post)))
        nm = r.normality
        text.append(self.t("l2.normality", w=self.num(nm["W"], 3), p=fmt_p(nm["p_value"], self.lang),
                           v=self.num(wx.statistic, 1), wp=fmt_p(wx.p_value, self.lang)))
        mc = l2.mcnemar
        if mc is not None:
            text.append(self.t("mcnemar.none") if mc["b"] + mc["c"] == 0 else self.t(
                "mcnemar.text", mark=self.num(l2.pass_mark, 0), b=mc["b"], c=mc["c"],
                chi2=self.num(mc["statistic"]), p=fmt_p(mc["p_value"], self.lang)))
        self.para("\n\n".join(text))
        fig, axes = figures.plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1, 1.3]})
        figures.prepost_plot(r.participants, ax=axes[0], lang=self.lang, max_score=l2.max_score)
        axes[0].set_title(self.t("fig.prepost_title"), fontsize="medium")
        if "gain" in r.participants:
            figures.gain_hist(r.participants, ax=axes[1], lang=self.lang)
            axes[1].set_title(self.t("fig.gain_title"), fontsize="medium")
        else:
            axes[1].set_visible(False)
        self.figure(fig, "prepost", self.t("alt.prepost", n=r.n, pre=self.num(r.pre_mean, 1),
                                           post=self.num(r.post_mean, 1), g=self.coef(g.get("class_gain"))),
                    title=self.t("fig.prepost_title"))

    def _test_items(self, it):
        tab = it.items
        poor = tab.index[tab["discrimination_band"] == "poor"].tolist()
        counts = tab["difficulty_band"].value_counts()
        self.heading(3, self.t("test.heading"))
        self.para(self.t(
            "test.text", k=it.k, n=it.n, kr20=self.coef(it.kr20), band=self.band(band(it.kr20, "alpha")),
            p=self.coef(tab["difficulty"].mean()), easy=int(counts.get("easy", 0)),
            moderate=int(counts.get("moderate", 0)), hard=int(counts.get("hard", 0)), poor=len(poor),
            poor_list=self.t("test.poor_list", items=", ".join(self.esc(p) for p in poor)) if poor else ""))
        cols = [Column(self.t("items.item")), Column(self.t("test.difficulty"), "coef"),
                Column(self.t("test.difficulty_band")), Column(self.t("test.discrimination"), "coef"),
                Column(self.t("test.discrimination_band")), Column(self.t("test.r_pbis"), "coef")]
        rows = [[i, r["difficulty"], self.band(r["difficulty_band"]), r["discrimination"],
                 self._disc_band(r["discrimination_band"]), r["point_biserial_rest"]] for i, r in tab.iterrows()]
        self._table(cols, rows, "test.table_title", note=self.t("test.table_note"), name="test_items")

    def assessment(self):
        a = self.evaluation.assessment
        if a is None:
            return
        r = a.rules
        f = a.funnel["n"]
        days = a.time_to_certificate["median_days"]
        self.heading(3, self.t("assessment.heading"))
        self.para(self.t(
            "assessment.intro", placement=self.num(r["placement_pass"], 0), module=self.num(r["module_pass"], 0),
            max_module=r["max_module_attempts"], final=self.num(r["final_pass"], 0), max_final=r["max_final_attempts"],
            n=int(f["enrolled"]), cert=int(f["certified"]), rate=self.pct(a.certification_rate),
            days=self.num(days, 0) if days == days else "–"))
        fig, ax = figures.plt.subplots(figsize=(8, 3.4))
        figures.funnel_plot(a.funnel, labels={k: self.t(f"assessment.stage_{k}") for k in a.funnel.index},
                            ax=ax, lang=self.lang)
        ax.set_title(self.t("assessment.funnel_title"))
        self.figure(fig, "funnel", self.t("alt.funnel", stages="; ".join(
            f"{self.t(f'assessment.stage_{k}')} {int(v)}" for k, v in a.funnel["n"].items())))
        if len(a.modules):
            cols = [Column(self.t("assessment.module")), Column(self.t("assessment.takers"), "int"),
                    Column(self.t("assessment.first_pass"), "percent", 0), Column(self.t("assessment.pass_rate"), "percent", 0),
                    Column(self.t("assessment.mean_attempts"), "number")]
            rows = [[m, int(r_["n_takers"]), r_["first_attempt_pass_rate"], r_["pass_rate"], r_["mean_attempts"]]
                    for m, r_ in a.modules.iterrows()]
            self._table(cols, rows, "assessment.modules_title", name="modules")
        if len(a.violations):
            items = [f"{v.participant} {v.stage} {v.module} #{v.attempt}: {v.rule}" for v in a.violations.itertuples()]
            self.para(self.t("assessment.violations", n=len(items), list="; ".join(self.esc(i) for i in items[:20])))
        else:
            self.para(self.t("assessment.no_violations"))

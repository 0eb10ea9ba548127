"""Level 3 — Behaviour: change per aspect and rater, alumni–supervisor agreement."""
from __future__ import annotations

from ..blocks import Column


class Level3Section:
    def l3_raters(self) -> str:
        """The rater groups that actually rated, in words ("alumni sendiri dan atasan mereka",
        "atasan mereka"): the report names only the groups the data has."""
        l3 = self.evaluation.level3
        groups = list(dict.fromkeys(l3.table.index.get_level_values("rater"))) if l3 is not None else []
        words = [self.t(f"l3.raters_{g}") if g in ("alumni", "atasan") else str(g) for g in groups]
        return self.t("l3.raters_and").join(words) if words else "–"

    def level3(self):
        l3 = self.evaluation.level3
        if l3 is None:
            return self._not_measured(3)
        spec = self.program.spec
        ins = spec.instruments[spec.level3.instrument]
        self.heading(2, self.t("level.3"), page_break=True)
        self.para(self.t("l3.intro", raters=self.l3_raters(), n=l3.n_participants, lo=self.num(ins.scale[0], 0),
                         hi=self.num(ins.scale[1], 0)))

        def label(aspect):
            return ins.scales[aspect].label.get(self.lang, aspect) if aspect in ins.scales else aspect

        def rater_txt(rater):
            return self.t(f"l3.{rater}") if rater in ("alumni", "atasan") else rater

        cols = [Column(self.t("l3.aspect")), Column(self.t("l3.rater")), Column("n", "int"),
                Column(self.t("l3.before"), "number"), Column(self.t("l3.after"), "number"),
                Column(self.t("l3.diff"), "number"), Column("d_z", "number"), Column(self.t("l3.alpha"), "coef"),
                Column("p", "p")]
        rows = [[label(aspect), rater_txt(rater), int(r["n"]), r["before"], r["after"], r["diff"], r["d_z"], r["alpha"],
                 r["p_value"]] for (aspect, rater), r in l3.table.iterrows()]
        self._table(cols, rows, "l3.table_title", name="level3")
        comb, agr = l3.combined, l3.agreement
        several = l3.table.index.get_level_values("rater").nunique() > 1
        if comb is not None and several:  # agreement and a combined score need two rater groups
            def icc(aspect, time):
                if agr is None or (aspect, time) not in agr.index:
                    return None, None
                r_ = agr.loc[(aspect, time)]
                return r_["icc2"], (r_["ci_low"], r_["ci_high"])

            cols = [Column(self.t("l3.aspect")), Column(self.t("l3.icc_before"), "coef"),
                    Column(f"95% CI ({self.t('l3.before').lower()})", "ci_coef"),
                    Column(self.t("l3.icc_after"), "coef"), Column(f"95% CI ({self.t('l3.after').lower()})", "ci_coef"),
                    Column(self.t("l3.combined_before"), "number"), Column(self.t("l3.combined_after"), "number"),
                    Column(self.t("l3.combined_change"), "number")]
            rows = [[label(a), *icc(a, "before"), *icc(a, "after"), r_["before"], r_["after"], r_["change"]]
                    for a, r_ in comb.iterrows()]
            weights = ", ".join(f"{rater_txt(k)} {self.num(v)}" for k, v in (l3.weights or {}).items())
            self._table(cols, rows, "l3.agreement_title", note=self.t("l3.agreement_note", weights=weights),
                        name="level3_agreement")

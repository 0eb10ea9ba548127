"""Costs: direct cost of delivery, per participant, per participant-JP, delivery modes."""
from __future__ import annotations

from ..blocks import Column


class CostsSection:
    def costs(self):
        c = self.evaluation.costs
        if c is None:
            return
        self.heading(2, self.t("costs.heading"), page_break=True)
        cols = [Column(self.t("l2.statistic")), Column(self.t("costs.amount"), "money")]
        rows = [[self.t("report_labels.direct_total"), c.get("direct_total", c["total"])]]
        for key in ("per_participant", "per_delivery_jp", "per_participant_jp", "per_certified"):
            if key == "per_delivery_jp" and key not in c and c.get("per_jp"):
                rows.append([self.t("report_labels.per_delivery_jp"), c["per_jp"]])
            elif c.get(key):
                rows.append([self.t(f"report_labels.{key}"), c[key]])
        rows += [[f"{self.t('costs.category')}: {k}", v] for k, v in c["by_category"].items()]
        note = "report_labels.costs_note" if self.evaluation.level5 is not None else "report_labels.costs_note_direct"
        self._table(cols, rows, "costs.table_title", name="costs", note=self.t(note))
        if "modes" in c:
            md = c["modes"]
            base = md.index[(md["saving"] == 0)][0]
            md = md.loc[[base] + [i for i in md.index if i != base]]  # the baseline first
            cols = [Column(self.t("title.mode")), Column(self.t("costs.lines"), "int"),
                    Column(self.t("title.participants"), "int"), Column(self.t("costs.total"), "money"),
                    Column(self.t("costs.per_participant"), "money"), Column(self.t("costs.saving_total"), "percent", 1),
                    Column(self.t("costs.saving_pp"), "percent", 1)]
            rows = [[self.t(f"mode.{m}"), int(r["n_lines"]), int(r["participants"]), r["total"], r["per_participant"],
                     r["saving_pct"] / 100, r["saving_per_participant_pct"] / 100] for m, r in md.iterrows()]
            self._table(cols, rows, "costs.modes_title", note=self.t("costs.modes_note", base=self.t(f"mode.{base}")),
                        name="cost_modes")

    def chain(self):
        """Chain of evidence: correlations between the levels per participant, with the caveat."""
        ch = self.evaluation.chain
        if ch is None:
            return
        self.heading(2, self.t("chain.heading"))
        self.para(self.t("chain.intro"))
        name = {c: self.t(f"chain.{c}") for c in ("reaction", "learning", "behaviour")}
        cols = [Column(self.t("chain.pair")), Column("n", "int"), Column("r", "coef"), Column("95% CI", "ci_coef"),
                Column("p", "p"), Column("ρ (Spearman)", "coef")]
        rows = [[f"{name[x]} ↔ {name[y]}", int(n), r, (lo, hi), p, rho] for x, y, n, r, lo, hi, p, rho in
                zip(ch["x"], ch["y"], ch["n"], ch["r"], ch["ci_low"], ch["ci_high"], ch["p_value"], ch["rho"])]
        self._table(cols, rows, "chain.table_title", note=self.t("chain.caveat"), name="chain")

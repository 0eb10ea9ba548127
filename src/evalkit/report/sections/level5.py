"""Level 5 — ROI (Phillips): benefits isolated and adjusted, fully loaded costs, ROI."""
from __future__ import annotations

from .. import figures
from ..blocks import Column, V


class Level5Section:
    def level5(self):
        """Shown only when the program has benefit estimates."""
        l5 = self.evaluation.level5
        if l5 is None:
            return
        spec = self.program.spec
        self.heading(2, self.t("level.5"), page_break=True)
        self.para(self.t("l5.intro", method=self.t(f"l5.{l5.isolation}")))
        cols = [Column(self.t("l2.statistic")), Column(self.t("costs.amount"), "money")]
        rows = [[self.t("l5.estimates", n=l5.participants or "–"), V(l5.n_estimates, "int")],
                [self.t("l5.raw"), l5.benefits_raw], [self.t("l5.isolated"), l5.benefits_isolated],
                [self.t("l5.adjusted"), l5.benefits_adjusted]]
        self._table(cols, rows, "l5.benefits_table", name="level5_benefits",
                    note=self.t("l5.method_note", note=self.esc(l5.isolation_note)) if l5.isolation_note else None)
        crow = [[self.t("l5.program"), l5.costs["program"]]]
        if "participant_time" in l5.costs:
            crow.append([self.t("l5.participant_time", n=l5.participants, jp=self.num(spec.jp, 0),
                                minutes=self.num(spec.level5.jp_minutes, 0), wage=self.num(spec.level5.hourly_cost, 0)),
                         l5.costs["participant_time"]])
        crow += [[k, v] for k, v in l5.costs.items() if k not in ("program", "participant_time", "total")]
        crow.append([self.t("l5.total"), l5.costs["total"]])
        self._table(cols, crow, "l5.costs_table", name="level5_costs",
                    note=None if "participant_time" in l5.costs else self.t("l5.no_time"))
        r = l5.roi
        rrow = [[self.t("l5.bcr"), V(r["bcr"], "number")], [self.t("l5.roi"), V(r["roi_pct"] / 100, "percent", 1)]]
        if r.get("payback_months") is not None:
            rrow.append([self.t("doc.payback_months"), V(r["payback_months"], "number", 1)])
        self._table([Column(self.t("l2.statistic")), Column(self.t("scorecard.value"), "number")], rrow,
                    "l5.roi_table", note=self.t("l5.note", months=self.num(l5.period_months, 0)), name="level5_roi")
        fig, ax = figures.plt.subplots(figsize=(8, 2.6))
        labels = [self.t("l5.raw"), self.t("l5.isolated"), self.t("l5.adjusted"), self.t("l5.total")]
        vals = [l5.benefits_raw, l5.benefits_isolated, l5.benefits_adjusted, l5.costs["total"]]
        y = list(range(len(vals)))[::-1]
        ax.barh(y, [v / 1e6 for v in vals], color=["#c6dbef", "#6baed6", "#2166ac", "#ef8a62"])
        for yi, v in zip(y, vals):
            ax.text(v / 1e6, yi, " " + self.rp(v), va="center", fontsize="small", bbox=figures.VALUE_BOX)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize="small")
        ax.set_xlim(0, max(vals) / 1e6 * 1.4)
        ax.set_xlabel(self.t("fig.million_rp"))
        ax.set_title(self.t("level.5"))
        self.figure(fig, "level5", self.t("l5.alt", raw=self.rp(l5.benefits_raw), iso=self.rp(l5.benefits_isolated),
                                          adj=self.rp(l5.benefits_adjusted), cost=self.rp(l5.costs["total"])),
                    title=self.t("doc.level5_fig"))
        if l5.intangibles:
            self.para(f"**{self.t('l5.intangibles')}**")
            self.bullets([self.esc(i) for i in l5.intangibles])

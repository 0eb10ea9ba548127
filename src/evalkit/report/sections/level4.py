"""Level 4 — Results: indicators against target, logic model, performance tree."""
from __future__ import annotations

import pandas as pd

from ...bands import band_sets
from .. import figures
from ..blocks import Column


class Level4Section:
    def level4(self):
        l4 = self.evaluation.level4
        if l4 is None:
            return self._not_measured(4)
        self.heading(2, self.t("level.4"), page_break=True)
        self.para(self.t("l4.intro"))
        cols = [Column(self.t("l4.indicator")), Column(self.t("l4.unit")), Column(self.t("l4.direction")),
                Column(self.t("l4.baseline"), "number", 1), Column(self.t("l4.target"), "number", 1),
                Column(self.t("l4.realisation"), "number", 1), Column(self.t("report_labels.progress"), "percent", 0),
                Column(self.t("report_labels.achievement"), "percent", 0), Column(self.t("l4.band"))]
        rows = [[r["indicator"], r["unit"], self.t(f"l4.{r['direction']}"), r["baseline"], r["target"], r["realisation"],
                 r["progress_pct"] / 100, r["achievement_pct"] / 100, self.band(r["achievement_band"])]
                for _, r in l4.iterrows()]
        source = band_sets()[l4.attrs["band_set"]]["source"] if l4.attrs.get("band_set") else "–"
        self._table(cols, rows, "l4.table_title", note=self.t("report_labels.level4_note", source=source), name="level4")
        fig, ax = figures.plt.subplots(figsize=(8, 0.55 * len(l4) + 1.4))
        figures.achievement_bars(l4, ax=ax, lang=self.lang)
        ax.set_title(self.t("fig.level4_title"))
        self.figure(fig, "level4", title=self.t("report_labels.level4_fig"), alt=self.t("alt.level4", n=len(l4), items="; ".join(
            f"{r['indicator']} {self.num(r['progress_pct'], 0)}%" for _, r in l4.iterrows())))
        self._logic_model(l4)

    def _logic_model(self, l4: pd.DataFrame):
        """Logic model and performance tree, when the indicators say where they belong."""
        has_level = "logic_level" in l4 and l4["logic_level"].notna().any()
        has_goal = "strategic_goal" in l4 and l4["strategic_goal"].notna().any()
        if not (has_level or has_goal):
            return
        self.heading(3, self.t("l4.logic_heading"))
        self.para(self.t("l4.logic_intro"))
        levels = l4["logic_level"] if "logic_level" in l4 else pd.Series([None] * len(l4))
        goals = l4["strategic_goal"] if "strategic_goal" in l4 else pd.Series([None] * len(l4))
        cols = [Column(self.t("l4.indicator")), Column(self.t("l4.logic_level")), Column(self.t("l4.goal")),
                Column(self.t("report_labels.achievement"), "percent", 0)]
        rows = [[ind, self.t(f"logic.{lv}") if isinstance(lv, str) else "–", gl if isinstance(gl, str) else "–", a / 100]
                for ind, lv, gl, a in zip(l4["indicator"], levels, goals, l4["achievement_pct"])]
        self._table(cols, rows, "l4.logic_table", name="logic_model")
        if has_level:
            # the program itself is the activity, its costs and hours the input
            spec, c = self.program.spec, self.evaluation.costs or {}
            inputs = " · ".join(x for x in [self.rp(c["total"]) if c.get("total") else None,
                                            f"{self.num(spec.jp, 0)} JP" if spec.jp else None] if x)
            n = self.program.roster_size()
            chain = pd.concat([pd.DataFrame([
                {"indicator": inputs, "logic_level": "input"},
                {"indicator": spec.name + (f" ({self.t('l4.n_participants', n=n)})" if n else ""),
                 "logic_level": "activity"}]).loc[lambda d: d["indicator"] != ""], l4], ignore_index=True)
            fig, ax = figures.plt.subplots(figsize=(11, 1.1 * max(chain["logic_level"].value_counts().max(), 1) + 1.6))
            figures.logic_model(chain, ax=ax, lang=self.lang)
            self.figure(fig, "logic-model", self.t("l4.logic_alt", items="; ".join(
                f"{self.t('logic.' + str(r['logic_level'])) if isinstance(r['logic_level'], str) else '–'}: "
                f"{r['indicator']}" for _, r in l4.iterrows())), title=self.t("l4.logic_fig"))
        if has_goal:
            fig, ax = figures.plt.subplots(figsize=(11, 0.75 * len(l4) + 1.2))
            figures.performance_tree(l4, root=self.program.spec.name, ax=ax, lang=self.lang)
            self.figure(fig, "performance-tree", self.t("l4.tree_alt", items="; ".join(
                f"{r['strategic_goal']} ← {r['indicator']}" for _, r in l4.iterrows())), title=self.t("l4.tree_fig"))

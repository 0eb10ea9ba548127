"""The front of the report: cover, contents, executive summary with the verdict,
scorecard, introduction, methodology and participant profile."""
from __future__ import annotations

import pandas as pd

from ..._config import load_config
from ...bands import band
from ...i18n import fmt_date, fmt_p, has
from .. import figures
from ..blocks import Column, V, anchor, md_code


def scorecard_cutoffs() -> dict:
    """The scorecard's cut-offs (``config/report.yaml``, ``scorecard``)."""
    return load_config("report")["scorecard"]


class FrontSection:
    def _alpha(self) -> float:
        """The significance level: the verdict's (``config/verdict.yaml``, per program), else
        the scorecard's (``config/report.yaml``) — one level for every sentence of the report."""
        v = getattr(self.evaluation, "verdict", None) or {}
        return ((v.get("criteria") or {}).get("level2") or {}).get("alpha", scorecard_cutoffs()["level2"]["alpha"])

    def _tr(self, prefix: str, key) -> str:
        """``prefix.key`` from the translation table, else the key itself."""
        return self.t(f"{prefix}.{key}") if has(f"{prefix}.{key}") else str(key)

    def title(self):
        """Cover: the report's kind, the program's identity (name, institution, cohort, dates,
        JP, delivery mode, participants)."""
        s = self.program.spec
        dates = "–"
        if s.start_date:
            dates = fmt_date(s.start_date, self.lang) + (f" – {fmt_date(s.end_date, self.lang)}" if s.end_date else "")
        self.heading(1, self.t("doc.report_title"))
        self.heading(2, s.name, subtitle=True)
        self.pairs([(self.t("title.institution"), s.institution), (self.t("title.cohort"), s.cohort or "–"),
                    (self.t("title.dates"), dates), (self.t("title.jp"), self.num(s.jp, 0) if s.jp else "–"),
                    (self.t("title.mode"), self.t(f"mode.{s.delivery_mode}")),
                    (self.t("title.participants"), str(self.program.roster_size() or "–")),
                    (self.t("title.program_id"), self.program.program_id)])

    def _section_headings(self) -> list[str]:
        ev = self.evaluation
        heads = [self.t("summary.heading"), self.t("doc.intro_heading"), self.t("doc.method_heading"),
                 self.t("doc.profile_heading")] + [self.t(f"level.{i}") for i in (1, 2, 3, 4)]
        if ev.level5 is not None:
            heads.append(self.t("level.5"))
        if ev.chain is not None:
            heads.append(self.t("chain.heading"))
        if ev.costs:
            heads.append(self.t("costs.heading"))
        heads += [self.t(f"doc.{k}_heading") for k in ("conclusions", "recommendations", "limitations", "appendix",
                                                      "signature")]
        return heads

    def contents(self):
        """Table of contents: links to the sections this report has (a TOC field in Word)."""
        self.heading(2, self.t("toc.heading"), toc=True, page_break=True)
        self.bullets([f"[{self.esc(h)}](#{anchor(h)})" for h in self._section_headings()])

    # -- executive summary ---------------------------------------------------------------
    # -- the verdict's keys in words -------------------------------------------------------
    def _vparam(self, name: str, v):
        """A verdict parameter as the reader sees it (percentages, bands, p, rupiah …)."""
        if isinstance(v, dict):
            return self.esc(v.get(self.lang) or v.get("en") or next(iter(v.values()), ""))
        if v is None or (isinstance(v, float) and v != v):
            return "–"
        if name == "p":
            return fmt_p(v, self.lang)
        if name in ("band", "min_band"):
            return self.band(v)
        if name == "evidence":
            return self._tr("verdict.evidence", v)
        if name in ("mode", "own"):
            return self.t(f"mode.{v}")
        if name == "rater":
            return self.t(f"l3.{v}") if v in ("alumni", "atasan") else self._tr("verdict.rater", v)
        if name == "missed":
            return ", ".join(self._tr("verdict.missed", w.strip()) for w in str(v).split(","))
        if isinstance(v, bool):
            return self.t("doc.yes_word") if v else "–"
        if isinstance(v, (int, float)):
            if "per_participant" in name or name.endswith("cost"):
                return self.rp(v)
            if name in ("roi_pct", "min_roi_pct"):
                return self.num(v, 1)
            if "share" in name or "rate" in name:
                return self.pct(v)
            if float(v).is_integer() and name not in ("mean", "d_z", "mean_diff", "class_gain", "min_d_z"):
                return str(int(v))
            return self.coef(v) if "class_gain" in name or name == "alpha" else self.num(v)
        return self.esc(v)

    def _vtext(self, key, params=None, kind: str = "reason") -> str:
        """A verdict key in words: ``verdict.<kind>.<key>`` (criterion, reason, concl, rec,
        evidence_reason), else ``report_verdict.<key>``, else the key."""
        p = {k: self._vparam(k, v) for k, v in (params or {}).items()}
        for full in (f"verdict.{kind}.{key}", f"verdict.reason.{key}", f"report_verdict.{key}"):
            if key and has(full):
                try:
                    return self.t(full, **p)
                except (KeyError, IndexError, ValueError):
                    continue
        return self.esc(key or "")

    def verdict(self):
        """The verdict block: overall with the strength of evidence and why, then each level's
        status, criterion and reason — when the evaluation carries a verdict."""
        v = getattr(self.evaluation, "verdict", None)
        if not v:
            return
        lines = [self.t("doc.verdict_overall", overall=self._tr("verdict.overall", v.get("overall")),
                        evidence=self._tr("verdict.evidence", v.get("evidence")))]
        if v.get("rule") and has(f"verdict.rule.{v['rule']}"):
            lines.append(self.t(f"verdict.rule.{v['rule']}"))
        if v.get("evidence_reasons"):
            lines.append(self.t("report_verdict.evidence_reasons",
                                reasons="; ".join(self._vtext(r, kind="evidence_reason") for r in v["evidence_reasons"])))
        for lvl, d in sorted((v.get("levels") or {}).items(), key=lambda kv: int(kv[0])):
            d = d or {}
            if d.get("status") == "not_measured":
                text = self._vtext(d.get("reason"), d.get("params"))
            else:
                text = f"{self._vtext(d.get('reason'), d.get('params'))} " + self.t(
                    "report_verdict.criterion", text=self._vtext(d.get("criterion"), {
                        **((v.get("criteria") or {}).get(f"level{int(lvl)}") or {}), **(d.get("params") or {})},
                        "criterion"))
            lines.append(self.t("doc.verdict_level", level=self.t(f"level.{int(lvl)}"),
                                status=self._tr("verdict.status", d.get("status")), text=text))
        decision = next((r for r in v.get("recommendations") or [] if str(r.get("key", "")).startswith("rec_decision_")),
                        None)
        if decision is not None:  # what the head of the institute is asked to decide
            lines.append(self.t("doc.verdict_decision", text=self._vtext(decision["key"], decision.get("params"), "rec")))
        self.callout("verdict", self._tr("verdict", "title") if has("verdict.title") else self.t("doc.verdict_title"),
                     [ln for ln in lines if ln])

    def summary(self):
        ev = self.evaluation
        self.heading(2, self.t("summary.heading"), page_break=True)
        self.verdict()
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
            sig = self.t("summary.significant" if p < self._alpha() else "summary.not_significant",
                         p=fmt_p(p, self.lang))
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
            raters = ev.level3.table.index.get_level_values("rater")
            who = self.t("l3.raters_atasan") if "atasan" in set(raters) else self.l3_raters()
            lines.append(self.t("summary.l3", raters=who, n_up=n_up, n_aspects=n_aspects))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.3")))
        if ev.level4 is not None:
            lines.append(self.t("summary.l4", n_met=int(ev.level4["target_met"].sum()), n=len(ev.level4)))
        else:
            lines.append(self.t("summary.not_measured", level=self.t("level.4")))
        if ev.costs:
            lines.append(self.t("summary.costs", total=self.rp(ev.costs["total"]),
                                per=self.rp(ev.costs["per_participant"]) if ev.costs["per_participant"] else "–"))
        self.bullets(lines)

    def scorecard(self):
        """The program on one table and one figure: each level's headline, its status, and what
        was not measured. Cut-offs from ``config/report.yaml``."""
        ev = self.evaluation
        # one judgement per level: the scorecard's status is the verdict's (levels/verdict.py)
        status = {n: lv["status"] for n, lv in (ev.verdict or {}).get("levels", {}).items()}
        rows = []  # (level, measure, value cell, status, detail)
        if ev.level1:
            b = ev.level1.overall_band
            rows.append(("1", self.t("scorecard.l1"), V(ev.level1.overall_mean, "number"), status.get(1, "not_measured"),
                         f"{self.num(ev.level1.overall_mean)} ({self.band(b)})"))
        else:
            rows.append(("1", self.t("scorecard.l1"), None, "not_measured", None))
        if ev.level2:
            r = ev.level2.prepost
            dz = r.effect_sizes.loc["d_z", "estimate"]
            g = (r.gain or {}).get("class_gain")
            passed = (f"; {self.t('scorecard.pass_rate')} {self.pct(ev.level2.pass_rate_post)}"
                      if ev.level2.pass_rate_post is not None else "")
            rows.append(("2", self.t("scorecard.l2"), V(dz, "number", prefix="d_z = "), status.get(2, "not_measured"),
                         f"d_z = {self.num(dz)}; ⟨g⟩ = {self.coef(g)}{passed}"))
        else:
            rows.append(("2", self.t("scorecard.l2"), None, "not_measured", None))
        if ev.level3:
            p3 = ev.verdict["levels"][3]["params"] if ev.verdict else {}
            up, n_aspects = int(p3.get("improved", 0)), int(p3.get("aspects", 0))
            share = up / n_aspects if n_aspects else 0
            rows.append(("3", self.t("scorecard.l3"), V(share, "percent", 0), status.get(3, "not_measured"),
                         f"{up} / {n_aspects}"))
        else:
            rows.append(("3", self.t("scorecard.l3"), None, "not_measured", None))
        if ev.level4 is not None:
            met, n = int(ev.level4["target_met"].sum()), len(ev.level4)
            share = met / n if n else 0
            rows.append(("4", self.t("scorecard.l4"), V(share, "percent", 0), status.get(4, "not_measured"),
                         f"{met} / {n}"))
        else:
            rows.append(("4", self.t("scorecard.l4"), None, "not_measured", None))
        if ev.level5 is not None:
            r = ev.level5.roi
            rows.append(("5", self.t("scorecard.l5"), V(r["roi_pct"] / 100, "percent", 0), status.get(5, "not_measured"),
                         f"{self.num(r['roi_pct'], 0)}% (BCR {self.num(r['bcr'])})"))
        else:
            rows.append(("5", self.t("scorecard.l5"), None, "not_measured", None))
        if ev.costs and ev.costs.get("per_participant"):
            rows.append(("Rp", self.t("scorecard.costs"), V(ev.costs["per_participant"], "money"), "info",
                         self.rp(ev.costs["per_participant"])))
        status_text = {**{k: self.t(f"verdict.status.{k}") for k in ("met", "partly_met", "not_met", "not_measured")},
                       "info": self.t("scorecard.info")}
        self.heading(2, self.t("scorecard.heading"))
        cols = [Column(self.t("scorecard.level")), Column(self.t("scorecard.measure")),
                Column(self.t("scorecard.value"), "number"), Column(self.t("doc.detail")),
                Column(self.t("scorecard.status"))]
        self._table(cols, [[lv, m, v, d or "–", status_text[s]] for lv, m, v, s, d in rows], "scorecard.table_title",
                    name="scorecard")
        df = pd.DataFrame([(lv, m, d or status_text["not_measured"], s) for lv, m, v, s, d in rows],
                          columns=["level", "measure", "value", "status"])
        fig, ax = figures.plt.subplots(figsize=(9, 0.7 * len(df) + 0.6))
        figures.scorecard_plot(df.assign(label=[f"{a} · {b}" if a != "Rp" else b for a, b in zip(df.level, df.measure)]),
                               status_text=status_text, ax=ax, lang=self.lang)
        self.figure(fig, "scorecard", self.t("scorecard.alt", items="; ".join(
            f"{m}: {v} ({status_text[s]})" for m, v, s in zip(df.measure, df.value, df.status))),
            title=self.t("scorecard.heading"))

    # -- introduction, methodology, profile ----------------------------------------------
    def introduction(self):
        """*Pendahuluan*: background and the objectives of the evaluation."""
        s, ev = self.program.spec, self.evaluation
        self.heading(2, self.t("doc.intro_heading"), page_break=True)
        self.heading(3, self.t("doc.background_heading"))
        self.para(self.esc(s.description) if s.description else self.t(
            "doc.background_default", name=self.esc(s.name), institution=self.esc(s.institution),
            cohort=self.esc(s.cohort or self.program.program_id), jp=self.num(s.jp, 0) if s.jp else "–",
            mode=self.t(f"mode.{s.delivery_mode}")))
        self.heading(3, self.t("doc.objectives_heading"))
        measured = [self.t(f"level.{i}") for i, m in ev.measured.items() if m]
        self.para(self.t("doc.objectives_text"))
        self.bullets([self.t(f"doc.objective_l{i}", **({"raters": self.l3_raters()} if i == 3 else {}))
                      for i, m in ev.measured.items() if m and has(f"doc.objective_l{i}")])
        missing = [self.t(f"level.{i}") for i, m in ev.measured.items() if not m]
        if missing:
            self.para(self.t("doc.objectives_missing", levels="; ".join(missing)))
        return measured

    def methodology(self):
        """*Metodologi*: design, instruments with their reliability, data collection, participant flow."""
        ev, spec = self.evaluation, self.program.spec
        self.heading(2, self.t("doc.method_heading"), page_break=True)
        self.heading(3, self.t("doc.design_heading"))
        self.para(self.t("doc.design_text") + (" " + self.t("doc.design_l3", raters=self.l3_raters()) if ev.level3 else "") +
                  (" " + self.t("doc.design_l4") if ev.level4 is not None else ""))
        self.heading(3, self.t("doc.instruments_heading"))
        rows = []
        if ev.level1:
            l1 = ev.level1
            alphas = [s.reliability.alpha for s in l1.scales.values() if s.reliability is not None]
            rows.append([self.t("level.1"), spec.level1.instrument, sum(len(s.items) for s in l1.scales.values()),
                         f"{self.num(l1.scale_range[0], 0)}–{self.num(l1.scale_range[1], 0)}",
                         V(min(alphas), "coef") if alphas else None, V(max(alphas), "coef") if alphas else None])
        if ev.level2:
            it = ev.level2.items
            rows.append([self.t("level.2"), self.t("doc.test_instrument", max=self.num(ev.level2.max_score, 0)),
                         it.k if it is not None else None, f"0–{self.num(ev.level2.max_score, 0)}",
                         V(it.kr20, "coef") if it is not None else None, V(it.kr20, "coef") if it is not None else None])
        if ev.level3:
            ins = spec.instruments[spec.level3.instrument]
            al = [a for a in ev.level3.table["alpha"] if a == a]
            rows.append([self.t("level.3"), spec.level3.instrument, sum(len(s.items) for s in ins.scales.values()),
                         f"{self.num(ins.scale[0], 0)}–{self.num(ins.scale[1], 0)}",
                         V(min(al), "coef") if al else None, V(max(al), "coef") if al else None])
        if rows:
            cols = [Column(self.t("doc.level")), Column(self.t("doc.instrument")), Column(self.t("table.k"), "int"),
                    Column(self.t("doc.scale_range")), Column(self.t("doc.rel_min"), "coef"),
                    Column(self.t("doc.rel_max"), "coef")]
            self.table("instruments", self.t("doc.instruments_table"), cols, rows, note=self.t("doc.instruments_note"))
        self.heading(3, self.t("doc.collection_heading"))
        m = ev.metrics()
        self.para(self.t("doc.collection_text", n=len(m.get("inputs", []))))
        self.bullets([md_code(i["path"]) for i in m.get("inputs", [])])
        self.heading(3, self.t("doc.flow_heading"))
        self._flow_table()
        self.para(self.t("doc.analysis_text"))

    def _flow(self) -> list[tuple[str, int | None]]:
        ev = self.evaluation
        pf = self.program.participant_flow()
        flow = [(self.t("doc.flow_roster"), self.program.roster_size())]
        if ev.level1:
            flow.append((self.t("doc.flow_l1"), ev.level1.n_respondents))
        if ev.level2:
            flow.append((self.t("doc.flow_pre"), pf["pre"]))
            flow.append((self.t("doc.flow_post"), pf["post"]))
            flow.append((self.t("doc.flow_l2"), ev.level2.prepost.n))
        if ev.assessment is not None:
            flow.append((self.t("doc.flow_certified"), int(ev.assessment.funnel["n"]["certified"])))
        if ev.level3:
            flow.append((self.t("doc.flow_l3"), ev.level3.n_participants))
        return flow

    def _flow_table(self):
        flow = self._flow()
        base = flow[0][1]
        cols = [Column(self.t("doc.stage")), Column("n", "int"), Column(self.t("doc.share_roster"), "percent", 0)]
        rows = [[k, n, (n / base) if base and n is not None else None] for k, n in flow]
        self.table("flow", self.t("doc.flow_table"), cols, rows, note=self.t("doc.flow_note"))
        self._linkage_table()

    def _linkage_table(self):
        """How the files were joined (ingest's linkage summary) and what the input rules did."""
        lk = self.program.linkage
        if lk is not None and len(lk):
            cols = [Column(self.t("doc.linkage_pair")),
                    Column(self.t("doc.linkage_matched"), "int"), Column(self.t("doc.linkage_only_left"), "int"),
                    Column(self.t("doc.linkage_only_right"), "int"), Column(self.t("doc.linkage_by_name"), "int")]
            rows = [[f"{r.left} ↔ {r.right}", int(r.matched), int(r.only_left), int(r.only_right),
                     int(r.matched_by_name)] for r in lk.itertuples()]
            self.table("linkage", self.t("doc.linkage_table"), cols, rows, note=self.t("doc.linkage_note"))
        counts: dict[str, int] = {}
        for w in self.program.warnings:
            counts[w.key] = counts.get(w.key, 0) + (int(w.params.get("n", 1)) if w.key == "missing_codes" else 1)
        rules = [self.t(f"doc.rule_{k}", n=n) for k, n in counts.items() if has(f"doc.rule_{k}")]
        if rules:
            self.para(self.t("doc.input_rules", rules="; ".join(rules)))

    def profile(self):
        """*Profil peserta*: counts by sex, rank/golongan, unit, age band where the data has them
        (``ProgramEvaluation.profile``), and response rates."""
        ev = self.evaluation
        self.heading(2, self.t("doc.profile_heading"))
        prof = getattr(ev, "profile", None)
        if isinstance(prof, pd.DataFrame) and not prof.empty:
            self.table("profile", self.t("doc.profile_table"), *self._frame_table(prof), note=None)
        elif not self._roster_profile():
            self.para(self.t("doc.profile_none"))
        rows = []
        n = self.program.roster_size()
        for k, v in self._flow()[1:]:
            rows.append([k, v, (v / n) if n and v is not None else None])
        if rows:
            cols = [Column(self.t("doc.instrument")), Column(self.t("doc.responses"), "int"),
                    Column(self.t("doc.response_rate"), "percent", 0)]
            self.table("response", self.t("doc.response_table"), cols, rows,
                       note=self.t("doc.response_note", n=n if n is not None else "–"))

    def _roster_profile(self) -> bool:
        """Counts by sex, rank, position, unit, age band … from the roster's declared profile
        columns (``roster.profile`` in program.yaml); False when there are none."""
        roster = self.program.roster
        if roster is None:
            return False
        cols = [c for c in roster.columns if c != "participant" and roster[c].notna().any()]
        if not cols:
            return False
        n = len(roster)
        rows = []
        for c in cols:
            counts = roster[c].fillna("–").astype(str).value_counts()
            for i, (cat, k) in enumerate(counts.items()):
                shown = self._tr("report_labels.sex", cat) if c == "sex" else cat
                rows.append([self._tr("report_labels.profile_var", c) if i == 0 else "", shown, int(k), k / n])
        cols_ = [Column(self.t("report_labels.profile_characteristic")), Column(self.t("report_labels.profile_category")),
                 Column("n", "int"), Column(self.t("report_labels.profile_share"), "percent", 0)]
        self.table("profile", self.t("doc.profile_table"), cols_, rows)
        return True

    def _frame_table(self, df: pd.DataFrame):
        """A tidy frame as typed columns: integers as counts, ``share``/``pct``/``rate`` as
        percentages (0–1), other numbers as numbers, the rest as text."""
        cols, kinds = [], []
        for c in df.columns:
            s = df[c]
            name = str(c)
            if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
                kind = "text"
            elif any(w in name.lower() for w in ("share", "pct", "rate", "prop", "persen")):
                kind = "percent"
            elif pd.api.types.is_integer_dtype(s) or (s.dropna() % 1 == 0).all():
                kind = "int"
            else:
                kind = "number"
            label = self._tr("doc.col", name)
            cols.append(Column(label, kind, 0 if kind == "percent" else 2))
            kinds.append(kind)
        rows = []
        for rec in df.itertuples(index=False):
            row = []
            for v, kind in zip(rec, kinds):
                if kind == "percent" and v is not None and v == v and float(v) > 1:
                    v = float(v) / 100
                row.append(v if kind != "text" else (self._tr("doc.val", v) if isinstance(v, str) else v))
            rows.append(row)
        return cols, rows

"""The institution dashboard, section by section: every program of an institute side by side.

``notebooks/institution_dashboard.ipynb`` calls one method per section. All figures come
from ``data/processed/`` through the DuckDB views of :mod:`evalkit.store` (one SQL query per
question), never from the raw files: the processed tables are already pseudonymized.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import store
from ..i18n import fmt_rp
from ..stats.impact import jp_compliance
from .blocks import Column
from .sections import ReportDocument, resolve_path

#: headline metrics shown per program (``metrics.metric`` → translation key, kind)
HEADLINES = [("level1.overall_mean", "dash.l1", "num"), ("level2.pre_mean", "dash.pre", "num"),
             ("level2.post_mean", "dash.post", "num"), ("level2.d_z", "dash.d_z", "num"),
             ("level2.class_gain", "dash.gain", "coef"), ("level2.pass_rate_post", "dash.pass_post", "pct"),
             ("costs.per_participant", "dash.cost_pp", "rp")]


class InstitutionDashboard(ReportDocument):
    """All programs of an institute from ``data/processed/``.

    Parameters
    ----------
    processed_dir : path
        ``data/processed`` (relative paths are resolved from the project root).
    lang : {"id", "en"}
    figures_dir : path, optional
        Where figures are saved (PNG, SVG, alt text).
    minimum_jp : float
        The yearly JP minimum (PP 11/2017 art. 203: 20).

    Examples
    --------
    In a notebook, after ``make report`` has filled ``data/processed/``::

        dash = InstitutionDashboard("data/processed", lang="en")
        dash.programs()
        dash.sql("SELECT program_id, value FROM metrics WHERE metric = 'level2.d_z'")
    """

    def __init__(self, processed_dir="data/processed", lang: str = "id", figures_dir=None, minimum_jp: float = 20):
        super().__init__(lang, figures_dir)
        self.processed_dir = resolve_path(processed_dir)
        self.con = store.connect(self.processed_dir)
        self.minimum_jp = minimum_jp
        self.views = set(self.con.sql("SELECT table_name FROM information_schema.tables").df()["table_name"])
        self._programs: pd.DataFrame | None = None

    def sql(self, query: str) -> pd.DataFrame:
        return self.con.sql(query).df()

    # -- data ----------------------------------------------------------------------------
    def program_table(self) -> pd.DataFrame:
        """``programs`` with the headline metrics as columns (one row per program); queried once
        and shared by the sections that show it."""
        if self._programs is None:
            progs = self.sql("SELECT * FROM programs ORDER BY year, program_id")
            if "metrics" in self.views:
                wanted = ", ".join(f"'{m}'" for m, _, _ in HEADLINES)
                long = self.sql(f"SELECT program_id, metric, value FROM metrics WHERE metric IN ({wanted})")
                wide = long.pivot_table(index="program_id", columns="metric", values="value", aggfunc="first")
                progs = progs.merge(wide, left_on="program_id", right_index=True, how="left")
            self._programs = progs
        return self._programs.copy()

    def costs_by_mode(self) -> pd.DataFrame:
        """Cost per participant and per JP by delivery mode of the program: ``delivery_mode,
        programs, participants, total, per_participant, per_jp`` (totals over programs, so a
        large cohort weighs more than a small one)."""
        if "costs" not in self.views:
            return pd.DataFrame()
        return self.sql("""
            WITH per_program AS (
                SELECT p.program_id, p.delivery_mode, any_value(p.participants) AS participants,
                       any_value(p.jp) AS jp, sum(c.amount) AS total
                FROM costs c JOIN programs p USING (program_id) GROUP BY ALL)
            SELECT delivery_mode, count(*) AS programs, sum(participants) AS participants, sum(total) AS total,
                   sum(total) / sum(participants) AS per_participant,
                   sum(total) / sum(participants * jp) AS per_jp
            FROM per_program GROUP BY delivery_mode ORDER BY per_participant DESC""")

    def compliance(self) -> pd.DataFrame:
        """:func:`~evalkit.jp_compliance` over the ``jp_ledger`` view; every employee seen in any
        year counts in every year (0 JP where the ledger has no training for them)."""
        if "jp_ledger" not in self.views:
            return pd.DataFrame()
        ledger = self.sql("SELECT employee, year, training, jp FROM jp_ledger")
        return jp_compliance(ledger, minimum=self.minimum_jp, employees=ledger["employee"].unique())

    # -- sections ------------------------------------------------------------------------
    def title(self):
        progs = self.sql("SELECT DISTINCT institution FROM programs ORDER BY 1")["institution"].tolist()
        n = int(self.sql("SELECT count(*) AS n FROM programs")["n"].iloc[0])
        self.heading(1, self.t("dash.title"))
        self.para(f"**{', '.join(self.esc(p) for p in progs)}** — {self.t('dash.intro', n=n)}")

    def programs(self):
        """All programs side by side: description and headline figure of each level."""
        df = self.program_table()
        self.heading(2, self.t("dash.programs_heading"))
        cols = [Column(self.t("index.program")), Column(self.t("index.cohort")), Column(self.t("dash.year")),
                Column(self.t("title.mode")), Column(self.t("title.participants"), "int")]
        shown = [m for m in HEADLINES if m[0] in df.columns]
        kinds = {"num": ("number", 2), "coef": ("coef", 2), "pct": ("percent", 0), "rp": ("money", 0)}
        cols += [Column(self.t(key), *kinds[kind]) for _, key, kind in shown]
        rows = []
        for _, r in df.iterrows():
            rows.append([r["name"], r["cohort"] if isinstance(r["cohort"], str) else "–",
                         "–" if pd.isna(r["year"]) else str(int(r["year"])), self.t(f"mode.{r['delivery_mode']}"),
                         None if pd.isna(r["participants"]) else int(r["participants"])]
                        + [None if pd.isna(r[m]) else float(r[m]) for m, _, _ in shown])
        self._table(cols, rows, "dash.programs_table", note=self.t("dash.programs_note"), name="programs")

    def cohorts(self):
        """Cohorts over the years: reaction index and normalized gain per program and cohort."""
        df = self.program_table()
        if not {"level1.overall_mean", "level2.class_gain"} & set(df.columns):
            return
        self.heading(2, self.t("dash.cohorts_heading"))
        df = df.sort_values(["year", "start_date", "program_id"])
        label = [f"{c or p} ({y})" if pd.notna(y) else (c or p)
                 for p, c, y in zip(df["program_id"], df["cohort"], df["year"])]
        family = df["name"]
        fig, axes = plt.subplots(1, 2, figsize=(11, 0.5 * len(df) + 2.2), sharey=True)
        for ax, (metric, key, lim) in zip(axes, [("level1.overall_mean", "dash.l1", (1, 5)),
                                                 ("level2.class_gain", "dash.gain", (0, 1))]):
            values = df.get(metric, pd.Series(np.nan, index=df.index)).to_numpy(float)
            y = np.arange(len(df))[::-1]
            colors = pd.factorize(family)[0]
            palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
            ax.barh(y, np.nan_to_num(values), color=[palette[c % len(palette)] for c in colors])
            for yi, v in zip(y, values):
                ax.text((0 if np.isnan(v) else v) + 0.01 * (lim[1] - lim[0]), yi,
                        "–" if np.isnan(v) else self.num(v), va="center", fontsize="small")
            ax.set_xlim(*lim)
            ax.set_title(self.t(key))
            ax.set_yticks(y)
            ax.set_yticklabels([f"{f} — {lab}" for f, lab in zip(family, label)], fontsize="small")
        self.figure(fig, "cohorts", self.t("dash.cohorts_alt", items="; ".join(
            f"{f} {lab}: {self._fmt(a, 'num')}, {self._fmt(g, 'coef')}" for f, lab, a, g in
            zip(family, label, df.get("level1.overall_mean", [np.nan] * len(df)),
                df.get("level2.class_gain", [np.nan] * len(df))))), title=self.t("dash.cohorts_heading"))

    def costs(self):
        """Cost per participant and per participant-JP by delivery mode."""
        by_mode = self.costs_by_mode()
        if by_mode.empty:
            return
        self.heading(2, self.t("dash.costs_heading"))
        modes = [self.t(f"mode.{m}") for m in by_mode["delivery_mode"]]
        cols = [Column(self.t("title.mode")), Column(self.t("dash.n_programs"), "int"),
                Column(self.t("title.participants"), "int"), Column(self.t("costs.total"), "money"),
                Column(self.t("costs.per_participant"), "money"), Column(self.t("report_labels.per_participant_jp"), "money")]
        rows = [[m, int(r["programs"]), int(r["participants"]), r["total"], r["per_participant"], r["per_jp"]]
                for m, (_, r) in zip(modes, by_mode.iterrows())]
        self._table(cols, rows, "dash.costs_table", note=self.t("dash.costs_note"), name="costs_by_mode")
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(by_mode) + 1.4))
        y = np.arange(len(by_mode))[::-1]
        ax.barh(y, by_mode["per_participant"] / 1e6, color="#2166ac")
        for yi, v in zip(y, by_mode["per_participant"]):
            ax.text(v / 1e6, yi, " " + fmt_rp(v, self.lang), va="center", fontsize="small")
        ax.set_yticks(y)
        ax.set_yticklabels(modes)
        ax.set_xlabel(self.t("dash.million_rp"))
        ax.set_xlim(0, by_mode["per_participant"].max() / 1e6 * 1.45)
        ax.set_title(self.t("costs.per_participant"))
        self.figure(fig, "costs-by-mode", self.t("dash.costs_alt", items="; ".join(
            f"{m}: {fmt_rp(v, self.lang)}" for m, v in zip(modes, by_mode["per_participant"]))))

    def jp(self, top: int = 15):
        """The 20-JP rule over the workforce: compliance per year and who falls shortest."""
        comp = self.compliance()
        self.heading(2, self.t("dash.jp_heading", minimum=self.num(self.minimum_jp, 0)))
        if comp.empty:
            self.para(self.t("dash.jp_missing"))
            return
        per_year = comp.groupby("year").agg(employees=("employee", "size"), compliant=("compliant", "sum"),
                                            mean_jp=("jp", "mean")).reset_index()
        per_year["share"] = per_year["compliant"] / per_year["employees"]
        cols = [Column(self.t("dash.year")), Column(self.t("dash.employees"), "int"),
                Column(self.t("dash.compliant"), "int"), Column(self.t("dash.compliant") + " (%)", "percent", 0),
                Column(self.t("dash.below"), "int"), Column(self.t("dash.mean_jp"), "number", 1)]
        rows = [[str(int(r["year"])), int(r["employees"]), int(r["compliant"]), r["share"],
                 int(r["employees"] - r["compliant"]), r["mean_jp"]] for _, r in per_year.iterrows()]
        self._table(cols, rows, "dash.jp_table", note=self.t("dash.jp_note", minimum=self.num(self.minimum_jp, 0)),
                    name="jp")
        latest = int(per_year["year"].max())
        below = comp[(comp["year"] == latest) & ~comp["compliant"]].head(top)
        cols = [Column(self.t("dash.employee")), Column(self.t("dash.trainings"), "int"), Column("JP", "number", 0),
                Column(self.t("dash.shortfall"), "number", 0)]
        rows = [[r["employee"], int(r["trainings"]), r["jp"], r["shortfall"]] for _, r in below.iterrows()]
        self._table(cols, rows, "dash.below_table", note=self.t("dash.below_note", year=latest, top=top), name="jp_below")

    def write_html(self, output_dir) -> None:
        """Write ``institution_dashboard.html`` into ``output_dir`` from the blocks shown
        (the HTML writer: escaped, no script, CSP)."""
        if not output_dir:
            return
        from .. import atomic

        atomic.write_text(resolve_path(output_dir) / "institution_dashboard.html", self.html(self.t("dash.title")))

    def _fmt(self, v, kind: str) -> str:
        if pd.isna(v):
            return "–"
        if kind == "rp":
            return fmt_rp(v, self.lang)
        if kind == "pct":
            return f"{self.num(100 * v, 0)}%"
        if kind == "coef":
            return self.coef(v)
        return self.num(v)


def render_dashboard(processed_dir, out_dir, *, lang: str = "id", notebook=None) -> Path:
    """Execute ``notebooks/institution_dashboard.ipynb`` with papermill and write
    ``<out_dir>/institution_dashboard.html`` (+ ``.ipynb``) atomically."""
    import nbformat
    import papermill as pm

    from .. import atomic
    from ..ingest.pseudonymize import project_root
    from .render import KERNEL_ARGS, notebook_path

    root = project_root(Path(__file__).parent)
    nb_in = Path(notebook) if notebook else notebook_path(root, "institution_dashboard.ipynb")
    from .render import guard_not_in_raw

    out_dir = Path(out_dir).resolve()
    guard_not_in_raw(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    store.connect(processed_dir).close()  # a clear error before a kernel starts
    stage = atomic.staging_dir(out_dir / "_dashboard")
    try:
        pm.execute_notebook(str(nb_in), str(stage / "institution_dashboard.ipynb"), cwd=str(root),
                            parameters={"processed_dir": str(Path(processed_dir).resolve()), "lang": lang,
                                        "output_dir": str(stage)},
                            progress_bar=False, log_output=False, extra_arguments=KERNEL_ARGS)
        if not (stage / "institution_dashboard.html").exists():  # an older notebook without write_html
            from ..i18n import t
            from .render import export_html

            nb = nbformat.read(stage / "institution_dashboard.ipynb", as_version=4)
            atomic.write_text(stage / "institution_dashboard.html", export_html(nb, t("dash.title", lang)))
        atomic.write_bytes(out_dir / "institution_dashboard.html", (stage / "institution_dashboard.html").read_bytes())
        atomic.write_bytes(out_dir / "institution_dashboard.ipynb", (stage / "institution_dashboard.ipynb").read_bytes())
        return out_dir / "institution_dashboard.html"
    finally:
        import shutil

        shutil.rmtree(stage, ignore_errors=True)

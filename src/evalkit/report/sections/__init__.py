"""What the program report shows, section by section: evaluation → document blocks.

One module per part of the report, each a mixin of :class:`ProgramReport`:

``front``   cover, contents, executive summary with the verdict, scorecard, introduction,
            methodology, participant profile
``level1``  Level 1 — reaction (dimensions, IKM, instructors, item validity, comments)
``level2``  Level 2 — learning (pre/post, test items, assessment path)
``level3``  Level 3 — behaviour
``level4``  Level 4 — results (indicators, logic model, performance tree)
``level5``  Level 5 — ROI
``costs``   costs and delivery modes; chain of evidence
``back``    conclusions, recommendations, limitations, appendix, approval, colophon; writing
            ``report.html``/``.docx``/``.xlsx`` from the one block list
``base``    :class:`ReportDocument`: the block list, numbering, figures

The notebook ``notebooks/program_report.ipynb`` calls one method per section, one line each,
in one cell per part of the report (every cell is a round trip between papermill and the
kernel — messages, status, hooks — about 10 ms of CPU a cell in a batch); every
word comes from the translation table, every number is a typed cell formatted per
language in one place (:func:`evalkit.report.blocks.format_value`).
"""
from __future__ import annotations

from ...evaluation import ProgramEvaluation, evaluate
from ...ingest import load_program
from .back import BackSection
from .base import ReportDocument, resolve_path
from .costs import CostsSection
from .front import FrontSection, scorecard_cutoffs
from .level1 import Level1Section
from .level2 import Level2Section
from .level3 import Level3Section
from .level4 import Level4Section
from .level5 import Level5Section

__all__ = ["ProgramReport", "ReportDocument", "resolve_path", "scorecard_cutoffs"]


class ProgramReport(FrontSection, Level1Section, Level2Section, Level3Section, Level4Section, Level5Section,
                    CostsSection, BackSection, ReportDocument):
    """Displays one program's evaluation in a notebook, in Indonesian or English, and writes
    the same blocks as ``report.html``, ``report.docx`` and ``report.xlsx``.

    Examples
    --------
    >>> from evalkit.datasets import sample_program
    >>> rep = ProgramReport.from_folder(sample_program("mot-2026-angkatan-1"), lang="en")
    >>> rep.lang, rep.evaluation.measured[2]
    ('en', True)
    >>> rep.level2(); [b.caption for b in rep.tables()][:1]
    ['Table 1. Pre-test and post-test scores']
    """

    def __init__(self, evaluation: ProgramEvaluation, lang: str | None = None, figures_dir=None):
        self.evaluation = evaluation
        self.program = evaluation.program
        super().__init__(lang or self.program.spec.language, figures_dir)

    @classmethod
    def from_folder(cls, program_dir, *, lang: str | None = None, seed: int = 2026, parameters: dict | None = None,
                    output_dir=None, handoff=None):
        """Read, validate and evaluate ``program_dir``.

        ``handoff``: the file :func:`evalkit.report.render.render_report` passes with the program
        it has just validated (:mod:`evalkit.ingest.handoff`); used only while every file of the
        folder is unchanged, else the folder is read again."""
        from ...ingest.handoff import load_handoff

        folder = resolve_path(program_dir)
        program = load_handoff(handoff, folder) or load_program(folder)
        ev = evaluate(program, seed=seed, parameters=parameters)
        rep = cls(ev, lang, figures_dir=resolve_path(output_dir) / "figures" if output_dir else None)
        ev.parameters["lang"] = rep.lang
        return rep

    def _not_measured(self, level: int):
        self.heading(2, self.t(f"level.{level}"))  # a sentence: no page of its own
        self.para(self.t("level.not_measured", level=self.t(f"level.{level}")))

    def all_sections(self):
        """Every section in the order of a *Laporan Evaluasi Pasca Pelatihan* (what the
        notebook runs, cell by cell)."""
        for name in ("title", "contents", "summary", "scorecard", "introduction", "methodology", "profile",
                     "level1", "instructors", "comments", "level2", "assessment", "level3", "level4", "level5",
                     "chain", "costs", "conclusions", "recommendations", "limitations", "appendix", "signature",
                     "colophon"):
            getattr(self, name)()
        return self

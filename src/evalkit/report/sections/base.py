"""What every evalkit document shares: the block list and how a block is shown.

A section renderer calls :meth:`ReportDocument.heading`, :meth:`~ReportDocument.para`,
:meth:`~ReportDocument.table`, :meth:`~ReportDocument.figure` …; each call appends one
block (:mod:`evalkit.report.blocks`) to :attr:`ReportDocument.blocks` and, in a notebook,
shows it at once through the HTML writer — so the notebook, ``report.html``,
``report.docx`` and ``report.xlsx`` render the same list.
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt

from ...i18n import check_lang, fmt_coef, fmt_num, fmt_rp, t
from .. import figures
from ..blocks import (Bullets, Callout, Column, Figure, Heading, KeyValues, PageBreak, Paragraph, Signature, Table,
                      anchor, md_escape)


def resolve_path(path: str | Path, root: Path | None = None) -> Path:
    """A path from a notebook parameter: absolute as given, else relative to the project
    root (papermill and nbval start kernels in different folders)."""
    from ...ingest.pseudonymize import project_root

    p = Path(path)
    return p if p.is_absolute() else (root or project_root(Path(__file__).parent)) / p


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


#: HTML of the blocks a section has shown, displayed as one output when the section ends
_SHOWN: list[str] = []
_SECTION_DEPTH = [0]  # >0 while a section method runs (sections call one another)


def _show(block, lang: str) -> None:
    """Display one block in the running notebook (nothing outside IPython). Inside a section
    method the block's HTML waits for the section's end, and the section's blocks are one
    output (:func:`_flush_shown`): each output is a message from the kernel that papermill
    receives, checks and stores, ~1 ms of CPU, and a report shows about a hundred blocks."""
    if not _in_notebook():
        return
    from ..writers.html import render_block

    _SHOWN.append(render_block(block, lang))
    if not _SECTION_DEPTH[0]:
        _flush_shown()


def _flush_shown() -> None:
    """Display the blocks waiting to be shown, in their order, as one HTML output."""
    if not _SHOWN:
        return
    from IPython.display import HTML, display

    html = "".join(_SHOWN)
    _SHOWN.clear()
    display(HTML(html))


def _section(fn):
    """A section method: drawn under the evalkit theme (:func:`evalkit.report.figures.themed`),
    its blocks shown as one output when it ends — also when it fails, before the error."""
    import functools

    drawn = figures.themed(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        _SECTION_DEPTH[0] += 1
        try:
            return drawn(*args, **kw)
        finally:
            _SECTION_DEPTH[0] -= 1
            if not _SECTION_DEPTH[0]:
                _flush_shown()

    return wrapper


def _show_pending(block):
    """In a notebook, the caption of a figure being drawn, as a display that
    :meth:`ReportDocument._resolve_figures` updates with the figure; else ``None``."""
    if not _in_notebook():
        return None
    from html import escape

    from IPython.display import HTML, display

    _flush_shown()  # the blocks before it first
    return display(HTML(f'<p class="evalkit-figure-pending">{escape(block.caption)} …</p>'), display_id=True)


#: methods that draw nothing (not wrapped in the plotting theme)
_PLAIN = {"t", "num", "coef", "rp", "pct", "ci", "band", "esc", "add", "heading", "para", "bullets", "callout", "pairs",
          "signature_block", "page_break", "table", "figure", "tables", "html", "from_folder", "sql",
          "write_documents", "write_metrics", "write_html", "document_title", "program_table", "costs_by_mode",
          "compliance"}


def _draw_copy(copy: dict | None, job: dict):
    """``render_figure`` of a figure taken back from the helper's queue, from the job as the
    helper would have received it (``None`` when it could not be unpickled or drawn: the kernel
    then draws its own figure object, as when the helper fails). The copy is closed whatever
    happens, so that the notebook's inline backend never shows it."""
    import matplotlib

    from ..figure_server import render_figure

    if copy is None:
        return None
    try:
        with matplotlib.rc_context(copy["rc"]):
            return render_figure(copy["fig"], **job)
    except Exception:  # noqa: BLE001 - the kernel's own figure is drawn instead
        return None
    finally:
        plt.close(copy["fig"])


class ReportDocument:
    """The language, numbered tables and figures (figures also saved as PNG 300 dpi + SVG +
    alt text under ``figures_dir``) and the list of blocks shown (:attr:`blocks`)."""

    def __init__(self, lang: str, figures_dir=None):
        self.lang = check_lang(lang)
        self._table_no = 0
        self._figure_no = 0
        self.figures_dir = Path(figures_dir) if figures_dir else None
        #: every block shown, in order (the one document every writer renders)
        self.blocks: list = []
        self._pending: list = []  # figures the figure helper is drawing (figure_server)

    def __init_subclass__(cls, **kw):
        """Every public section method of a document draws under the evalkit theme
        (:func:`evalkit.report.figures.theme`; the global matplotlib state is not touched) and
        shows its blocks in the notebook as one output when it ends (:func:`_section`)."""
        super().__init_subclass__(**kw)
        done: set[str] = set()
        for klass in cls.__mro__:  # the first definition in the MRO is the one that counts
            if klass in (ReportDocument, object):
                continue
            for name, fn in list(vars(klass).items()):
                if name in done or name.startswith("_") or name in _PLAIN or not callable(fn):
                    continue
                done.add(name)
                if not getattr(fn, "_themed", False):
                    wrapped = _section(fn)
                    wrapped._themed = True
                    setattr(cls, name, wrapped)

    # -- words and numbers ---------------------------------------------------------------
    def t(self, key, **kw):
        return t(key, self.lang, **kw)

    def num(self, x, digits=2):
        return fmt_num(x, self.lang, digits)

    def coef(self, x, digits=2):
        return fmt_coef(x, self.lang, digits)

    def rp(self, x):
        return fmt_rp(x, self.lang)

    def pct(self, x, digits=0):
        """A proportion 0–1 as a percentage."""
        return "–" if x is None or x != x else f"{fmt_num(100 * x, self.lang, digits)}%"

    def ci(self, lo, hi, digits=2, coef=False):
        f = self.coef if coef else self.num
        sep = "; " if self.lang == "id" else ", "
        return f"95% CI [{f(lo, digits)}{sep}{f(hi, digits)}]"

    def band(self, key):
        return self.t(f"band.{key}") if key else "–"

    @staticmethod
    def esc(text) -> str:
        """User text for a Markdown paragraph (:func:`~evalkit.report.blocks.md_escape`)."""
        return md_escape(text)

    # -- blocks --------------------------------------------------------------------------
    def add(self, block):
        self.blocks.append(block)
        _show(block, self.lang)
        return block

    def heading(self, level: int, text: str, *, page_break: bool = False, toc: bool = False, subtitle: bool = False):
        return self.add(Heading(level, str(text), anchor(str(text)), page_break=page_break, toc=toc,
                                subtitle=subtitle))

    def para(self, text: str):
        if text and str(text).strip():
            return self.add(Paragraph(str(text)))

    def bullets(self, items):
        items = [str(i) for i in items if str(i).strip()]
        if items:
            return self.add(Bullets(items))

    def callout(self, kind: str, title: str, lines):
        return self.add(Callout(kind, title, list(lines)))

    def pairs(self, pairs):
        return self.add(KeyValues([(str(k), "–" if v is None else str(v)) for k, v in pairs]))

    def signature_block(self, place_date: str, roles, name_label: str, id_label: str):
        return self.add(Signature(place_date, list(roles), name_label, id_label))

    def page_break(self):
        return self.add(PageBreak())

    def _md(self, text: str):
        """Restricted Markdown with ``#`` headings and ``- `` bullet lines, as blocks."""
        para: list[str] = []

        def flush():
            chunk = "\n".join(para).strip()
            para.clear()
            if not chunk:
                return
            for piece in re.split(r"\n\s*\n", chunk):
                lines = [ln for ln in piece.split("\n") if ln.strip()]
                if lines and all(ln.lstrip().startswith("- ") for ln in lines):
                    self.bullets([ln.lstrip()[2:] for ln in lines])
                elif lines:
                    self.para("\n".join(lines))

        for line in text.split("\n"):
            m = re.match(r"^(#{1,4})\s+(.*)$", line)
            if m:
                flush()
                self.heading(len(m.group(1)), m.group(2))
            else:
                para.append(line)
        flush()

    def _prefix(self, kind: str, n: int) -> str:
        return self.t(f"doc.{kind}_prefix", n=n)

    def table(self, name: str, title: str, columns: list[Column], rows: list[list], note: str | None = None):
        """A numbered table; ``title`` is the caption's words (the number is added here)."""
        self._table_no += 1
        title = re.sub(r"^(Tabel|Table)\s+\d+\.\s*", "", str(title))
        return self.add(Table(self._table_no, self._prefix("table", self._table_no), title, list(columns),
                              [list(r) for r in rows], note, name, self.lang))

    def _table(self, columns, rows, title_key: str, note: str | None = None, name: str = "table", **kw):
        """A table titled by a translation key of the form ``"Tabel {n}. …"``."""
        return self.table(name, self.t(title_key, n=self._table_no + 1, **kw), columns, rows, note)

    def figure(self, fig, name: str, alt: str, title: str | None = None):
        """A numbered figure with alt text; saved as PNG (300 dpi) and SVG under figures/.

        The 300-dpi PNG is both the file and the embedded image (shown at 150-dpi size);
        without a figures folder a 150-dpi PNG. Laid out and saved by
        :func:`evalkit.report.figure_server.render_figure` — in the kernel's figure helper
        when there is one (the section goes on meanwhile; :meth:`_resolve_figures` waits for
        it before any document is written), else here. In an Indonesian report, axes showing
        matplotlib's default numbers get a decimal comma (:func:`figures.decimal_comma`)."""
        from ..figure_server import FigureClient, render_figure

        if self.lang == "id":
            figures.decimal_comma(fig)
        self._figure_no += 1
        stem = f"fig{self._figure_no:02d}-{name}"
        dpi = 300 if self.figures_dir is not None else 150
        if title is None:
            title = (fig.axes[0].get_title() if fig.axes else "") or name
        block = Figure(self._figure_no, self._prefix("figure", self._figure_no), title, stem, b"", alt, 0)
        job = dict(dpi=dpi, stem=stem, title=title, alt=alt, figures_dir=self.figures_dir)
        client = FigureClient.get() if self.figures_dir is not None else None
        pending = None
        if client is not None:
            rc = {k: v for k, v in plt.rcParams.items() if not k.startswith("backend")}
            pending = client.submit(fig, rc=rc, **job)
        if pending is None:
            block.png, block.width_px = render_figure(fig, **job)
            plt.close(fig)
            return self.add(block)
        self.blocks.append(block)
        self._pending.append((block, pending, fig, rc, job, _show_pending(block)))
        return block

    def _resolve_figures(self) -> None:
        """Wait for every figure sent to the figure helper, drawing here those it has not
        started yet (both cores draw) and any it could not draw; replace each caption shown
        meanwhile in the notebook by the figure."""
        import matplotlib

        from ..figure_server import log_figure, render_figure

        while self._pending:
            stolen = self._pending[-1][1].client.steal()
            n = None if stolen is None else stolen[0]
            i = 0 if n is None else next(i for i, item in enumerate(self._pending) if item[1].n == n)
            block, pending, fig, rc, job, handle = self._pending.pop(i)
            got = None
            if stolen is not None:  # taken back from the queue: drawn here from the bytes sent
                got = _draw_copy(stolen[1], job)
            else:
                got = pending.result()
            if got is None:  # the helper could not draw it, or its copy could not be drawn here
                log_figure("kernel-redrew:" + job["stem"])
                with matplotlib.rc_context(rc):
                    got = render_figure(fig, **job)
            block.png, block.width_px = got
            plt.close(fig)
            if handle is not None:
                from IPython.display import HTML

                from ..writers.html import render_block

                handle.update(HTML(render_block(block, self.lang)))

    def tables(self) -> list[Table]:
        """Every table shown so far."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def html(self, title: str) -> str:
        """The whole document as one HTML file (no script, printable)."""
        self._resolve_figures()
        from ..writers.html import render_document

        return render_document(self.blocks, lang=self.lang, title=title)

"""Render a program's report: papermill executes the notebook, nbconvert exports HTML.

Output folder ``<out>/<program-id>/``:

``report.ipynb``   the executed notebook
``report.html``    the report without code cells, images embedded, one file
``metrics.json``   headline numbers (``docs/metrics.md``)

Everything is built in a temporary folder beside it and swapped in only when all
three files exist, so a failed or interrupted run never leaves a report that looks
complete; the previous complete report (if any) stays until the new one replaces it.
A failed run leaves its partly executed notebook and an ``error.txt`` under
``<out>/_failed/<program-id>/``.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat

from .. import atomic
from ..errors import Problem, ReportError
from ..ingest import check_program_id, load_program
from ..ingest.pseudonymize import project_root

NOTEBOOK = Path("notebooks") / "program_report.ipynb"

REPORT_CSS = """
<style>
body { max-width: 60rem; margin: 0 auto; }
.evalkit-apa { margin: 1.2em 0; }
.evalkit-caption { margin-bottom: .3em; }
table.evalkit-table { border-collapse: collapse; border-top: 2px solid #333; border-bottom: 2px solid #333; }
table.evalkit-table th { border-bottom: 1px solid #333; text-align: left; padding: .3em .8em; }
table.evalkit-table td { padding: .25em .8em; text-align: right; }
table.evalkit-table td:first-child, table.evalkit-table th:first-child { text-align: left; }
.evalkit-note { font-size: .9em; color: #333; }
@media print {
  body { max-width: none; font-size: 11pt; }
  h2 { page-break-before: auto; page-break-after: avoid; }
  table, img, .evalkit-apa { page-break-inside: avoid; }
  .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
}
</style>
"""


#: kernel options for report notebooks: quiet, and no IPython history database (nothing to
#: recall in a batch, and parallel kernels would otherwise contend for one SQLite file)
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]

def notebook_path(root: Path | None = None) -> Path:
    return (root or project_root(Path(__file__).parent)) / NOTEBOOK


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Code-free, single-file HTML of an executed notebook (stderr outputs and cells
    tagged ``remove_cell`` left out; images are embedded as data URIs)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell", "parameters", "injected-parameters"}
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=c, template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # The template loads require.js, MathJax and mermaid from a CDN; the report needs
    # none of them (no widgets, LaTeX or diagrams in markdown) and must open offline,
    # so every script that references an external address goes.
    body = re.sub(r"<script\b[^>]*>[\s\S]*?</script>",
                  lambda m: "" if re.search(r"https?://", m.group(0)) else m.group(0), body)
    return body.replace("</head>", REPORT_CSS + "</head>", 1)


def _guard_output(out_dir: Path, program_dir: Path) -> None:
    raw = program_dir.resolve().parent
    o = out_dir.resolve()
    if o == raw or raw in o.parents or o == program_dir.resolve() or program_dir.resolve() in o.parents:
        raise ReportError(Problem("inside_raw", file=str(out_dir)))


FORMATS = ("html", "docx", "xlsx")


def parse_formats(formats) -> list[str]:
    """``"html,docx"`` or a list → checked list of formats (html always included)."""
    items = formats.split(",") if isinstance(formats, str) else list(formats or [])
    wanted = [f.strip().lower() for f in items if f and f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise ReportError(Problem("bad_option", params={"name": "format", "value": ",".join(bad),
                                                        "choices": ", ".join(FORMATS)}))
    return ["html"] + [f for f in FORMATS[1:] if f in wanted]


def render_report(program_dir, out_dir, *, lang: str | None = None, seed: int = 2026,
                  processed_dir=None, notebook=None, kernel_name: str | None = None,
                  formats="html", render_hash: str | None = None, kernel_manager_class=None) -> Path:
    """Validate one program and render its report into ``out_dir/<program-id>/``.

    Parameters
    ----------
    program_dir : path
        ``data/raw/<program-id>/``.
    out_dir : path
        Folder of reports (e.g. ``reports/``).
    lang : {"id", "en"}, optional
        Report language (default: ``language`` in ``program.yaml``).
    seed : int
        Seed for anything random (bootstrap CIs).
    processed_dir : path, optional
        Where to write the pseudonymized tidy tables (``data/processed/``).
    notebook : path, optional
        Template notebook (default ``notebooks/program_report.ipynb`` of the project).
    formats : str or list
        ``"html"`` (always), plus ``"docx"`` and/or ``"xlsx"``.
    render_hash : str, optional
        Stored in ``metrics.json`` so that ``evalkit batch`` can skip unchanged programs.
    kernel_manager_class : type, optional
        jupyter_client kernel manager for the notebook's kernel (``evalkit batch`` passes
        :class:`evalkit.report.kernels.ForkKernelManager`); default: papermill's.

    Returns
    -------
    Path of the finished report folder.

    Raises
    ------
    ValidationError
        The program folder does not follow the format; nothing is rendered.
    ReportError
        The notebook failed (the failed notebook is kept under ``_failed/``).
    """
    import papermill as pm

    program_dir = Path(program_dir).resolve()
    pid = check_program_id(program_dir.name)
    fmts = parse_formats(formats)
    out_dir = Path(out_dir).resolve()
    _guard_output(out_dir, program_dir)
    program = load_program(program_dir)  # validate before starting a kernel
    if processed_dir is not None:
        program.write_processed(Path(processed_dir))
    root = project_root(Path(__file__).parent)
    nb_in = Path(notebook) if notebook else notebook_path(root)
    final = out_dir / pid
    stage = atomic.staging_dir(final)
    params = {"program_dir": str(program_dir), "lang": lang, "seed": seed, "output_dir": str(stage),
              "formats": ",".join(fmts)}
    try:
        try:
            extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}
            pm.execute_notebook(str(nb_in), str(stage / "report.ipynb"), parameters=params, cwd=str(root),
                                progress_bar=False, kernel_name=kernel_name, log_output=False,
                                extra_arguments=KERNEL_ARGS, **extra)
        except pm.PapermillExecutionError as exc:
            failed = out_dir / "_failed" / pid
            if failed.exists():
                shutil.rmtree(failed)
            failed.mkdir(parents=True)
            if (stage / "report.ipynb").exists():
                shutil.move(str(stage / "report.ipynb"), failed / "report.ipynb")
            detail = f"{exc.ename}: {exc.evalue}"
            (failed / "error.txt").write_text(f"program: {pid}\ncell: {exc.exec_count}\n{detail}\n\n{''.join(exc.traceback or [])}",
                                              encoding="utf-8")
            raise ReportError(Problem("notebook_failed", params={"program": pid, "cell": exc.exec_count,
                                                                 "detail": detail, "saved": str(failed)})) from None
        nb = nbformat.read(stage / "report.ipynb", as_version=4)
        title = f"{program.spec.name} — {program.spec.cohort or pid}"
        atomic.write_text(stage / "report.html", export_html(nb, title))
        expected = ["metrics.json"] + [f"report.{f}" for f in fmts if f != "html"]
        missing = [f for f in expected if not (stage / f).exists()]
        if missing:
            raise ReportError(Problem("notebook_failed", params={
                "program": pid, "cell": "write_documents", "detail": f"not written: {', '.join(missing)}",
                "saved": str(stage)}))
        if render_hash:
            m = json.loads((stage / "metrics.json").read_text(encoding="utf-8"))
            m["render_hash"] = render_hash
            atomic.write_text(stage / "metrics.json", json.dumps(m, indent=2, ensure_ascii=False))
        atomic.replace_dir(stage, final)
        shutil.rmtree(out_dir / "_failed" / pid, ignore_errors=True)
        if processed_dir is not None:  # the headline figures, for cross-program queries (evalkit.store)
            from ..store import write_metrics

            write_metrics(final / "metrics.json", Path(processed_dir), pid)
        return final
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)

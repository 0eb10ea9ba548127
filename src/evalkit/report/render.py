"""Render a program's report: papermill executes the notebook, whose last cell writes
every document from the one block list (:mod:`evalkit.report.writers`).

Output folder ``<out>/<program-id>/``:

``report.ipynb``   the executed notebook (outputs are the writer's escaped HTML)
``report.html``    the report from its own template (no code, no script, images embedded, one file)
``metrics.json``   headline numbers (``docs/metrics.md``)
``report.docx`` / ``report.xlsx``   on request, from the same blocks

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

from . import _lazy_imports  # noqa: F401  (before nbformat: defers jsonschema's rfc3987_syntax, ~1 s)
import nbformat  # noqa: E402

from .. import atomic
from ..errors import Problem, ReportError
from ..ingest import check_program_id, load_program
from ..ingest.pseudonymize import project_root

#: kernel options for report notebooks: quiet, and no IPython history database (nothing to
#: recall in a batch, and parallel kernels would otherwise contend for one SQLite file)
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]

def notebook_path(root: Path | None = None, name: str = "program_report.ipynb") -> Path:
    """The template notebook ``name``: the project's ``notebooks/<name>`` when evalkit runs from
    a checkout (so a project can adapt its template), else the copy shipped inside the package
    (``evalkit/notebooks/<name>``, so an installed wheel renders reports anywhere).
    ``tests/test_packaging.py`` keeps the two copies identical."""
    from importlib import resources

    p = (root or project_root(Path(__file__).parent)) / "notebooks" / name
    if p.is_file():
        return p
    return Path(str(resources.files("evalkit").joinpath(f"notebooks/{name}")))


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Code-free, single-file HTML of an executed notebook (stderr outputs and cells
    tagged ``remove_cell`` left out; images embedded), for notebooks that do not write
    their own document (e.g. ``notebooks/studies``). nbconvert's lab template ships
    inline scripts (require.js, MathJax, mermaid, widget state); every ``<script>`` is
    removed and a Content-Security-Policy that forbids script is added, so nothing in an
    output can run."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from .writers.html import CSP, css

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
    c.HTMLExporter.sanitize_html = True
    exporter = HTMLExporter(config=c, template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = re.sub(r"<script\b[^>]*>[\s\S]*?</script\s*>", "", body, flags=re.I)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return body.replace("<head>", "<head>\n" + meta, 1).replace("</head>", f"<style>{css()}</style></head>", 1)


def guard_not_in_raw(path: Path, program_dir: Path | None = None, raw_dir: Path | None = None) -> None:
    """Refuse a folder evalkit would write into (``--out``, ``--processed``, the dashboard's
    output) that is, or lies inside, raw data (symlinks resolved): the program folder, the
    folder of program folders beside it, ``raw_dir``, any folder holding a ``program.yaml``,
    and any ``raw`` folder of program folders. Raises :class:`~evalkit.errors.ReportError`
    ``inside_raw``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> raw = pathlib.Path(tempfile.mkdtemp()) / "data" / "raw"
    >>> (raw / "p-1").mkdir(parents=True); _ = (raw / "p-1" / "program.yaml").write_text("name: x")
    >>> guard_not_in_raw(raw.parent / "processed")
    >>> guard_not_in_raw(raw / "processed")
    Traceback (most recent call last):
    ...
    evalkit.errors.ReportError: ...
    """
    o = Path(path).resolve()
    roots = []
    if program_dir is not None:
        p = Path(program_dir).resolve()
        roots += [p, p.parent]
    if raw_dir is not None:
        roots.append(Path(raw_dir).resolve())
    for r in roots:
        if o == r or r in o.parents:
            raise ReportError(Problem("inside_raw", file=str(path)))
    for a in [o, *o.parents]:
        if not a.is_dir():
            continue
        if (a / "program.yaml").exists():
            raise ReportError(Problem("inside_raw", file=str(path)))
        if a.name == "raw":
            try:
                programs = any((c / "program.yaml").exists() for c in a.iterdir() if c.is_dir())
            except OSError:
                programs = False
            if programs:
                raise ReportError(Problem("inside_raw", file=str(path)))


def _guard_output(out_dir: Path, program_dir: Path) -> None:
    guard_not_in_raw(out_dir, program_dir)


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
        jupyter_client kernel manager for the notebook's kernel. Default: on Linux
        :class:`evalkit.report.kernels.ForkKernelManager` (a fresh kernel forked from a warm
        server, with its figure helper; ``EVALKIT_FORK_KERNELS=0`` turns it off), elsewhere
        papermill's.

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
    from . import kernels

    if kernel_manager_class is None and kernels.enabled():
        kernels.ForkServer.prestart()  # its imports run beside the validation below
        kernel_manager_class = kernels.ForkKernelManager
    import papermill as pm

    program_dir = Path(program_dir).resolve()
    pid = check_program_id(program_dir.name)
    fmts = parse_formats(formats)
    out_dir = Path(out_dir).resolve()
    _guard_output(out_dir, program_dir)
    if processed_dir is not None:
        guard_not_in_raw(Path(processed_dir), program_dir)
    program = load_program(program_dir)  # validate before starting a kernel
    if processed_dir is not None:
        program.write_processed(Path(processed_dir))
    root = project_root(Path(__file__).parent)
    nb_in = Path(notebook) if notebook else notebook_path(root)
    final = out_dir / pid
    stage = atomic.staging_dir(final)
    from ..ingest.handoff import remove_handoff, write_handoff

    handoff, handoff_dir = write_handoff(program, program_dir)  # the kernel need not read it again
    params = {"program_dir": str(program_dir), "lang": lang, "seed": seed, "output_dir": str(stage),
              "formats": ",".join(fmts), "handoff": str(handoff)}
    try:
        try:
            extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}
            from .kernels import register_engine  # the notebook written once, not around every cell

            pm.execute_notebook(str(nb_in), str(stage / "report.ipynb"), parameters=params, cwd=str(root),
                                progress_bar=False, kernel_name=kernel_name, log_output=False,
                                extra_arguments=KERNEL_ARGS, engine_name=register_engine(), **extra)
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
        expected = ["metrics.json"] + [f"report.{f}" for f in fmts]
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
        remove_handoff(handoff_dir)
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)

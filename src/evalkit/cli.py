"""The ``evalkit`` command line.

``evalkit report PATH --out DIR``    render one program, or every program in a folder
``evalkit batch PATH --out DIR``     render many programs in parallel (or on a Dask cluster)
``evalkit dashboard --out DIR``      the institution dashboard over data/processed/
``evalkit validate PATH``            check program folders and list every problem
``evalkit samples DIR``              (re)generate the sample programs
``evalkit new data/raw/ID --level1 F``  a new program folder from exports, program.yaml inferred
``evalkit workbench``                the web workbench (Voila, 127.0.0.1 with a token)

Errors are printed as plain messages (file, column, row, how to fix), never as a
traceback; the exit code is 0 when everything succeeded, 1 when any program failed,
2 for a usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import EvalkitError


def _processed_default(path: Path) -> Path | None:
    """``data/processed`` beside ``data/raw`` when PATH lives in a project's ``data/raw``."""
    p = path.resolve()
    for d in (p, *p.parents):
        if d.name == "raw" and d.parent.name == "data":
            return d.parent / "processed"
    return None


def cmd_report(args) -> int:
    from .report import kernels

    kernels.ForkServer.prestart()  # the kernel's imports run beside ours and the validation (Linux)
    from .ingest import find_programs
    from .report.index import build_index
    from .report.render import parse_formats, render_report

    manager = kernels.ForkKernelManager if kernels.enabled() else None
    formats = parse_formats(args.format)
    programs = find_programs(Path(args.path))
    processed = Path(args.processed) if args.processed else _processed_default(Path(args.path))
    failed = []
    for prog in programs:
        print(f"[evalkit] {prog.name}: rendering …", flush=True)
        try:
            out = render_report(prog, args.out, lang=args.lang, seed=args.seed, processed_dir=processed,
                                notebook=args.notebook, formats=formats, kernel_manager_class=manager)
            print(f"[evalkit] {prog.name}: done → {out}", flush=True)
        except EvalkitError as exc:
            failed.append(prog.name)
            print(f"[evalkit] {prog.name}: FAILED\n{exc.render(args.lang or 'en')}", file=sys.stderr, flush=True)
    if Path(args.out).is_dir():
        index = build_index(Path(args.out), lang=args.lang or "id")
        print(f"[evalkit] index → {index}")
    print(f"[evalkit] {len(programs) - len(failed)} of {len(programs)} program(s) rendered"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def cmd_batch(args) -> int:
    from .report.batch import run_batch

    processed = Path(args.processed) if args.processed else _processed_default(Path(args.path))
    res = run_batch(args.path, args.out, workers=args.workers, lang=args.lang, seed=args.seed, formats=args.format,
                    force=args.force, processed=processed, notebook=args.notebook, scheduler=args.scheduler,
                    scheduler_timeout=args.scheduler_timeout)
    print(res.summary())
    return 1 if res.failed else 0


def cmd_dashboard(args) -> int:
    from .ingest.ledger import load_jp_ledger, write_ledger
    from .report.dashboard import render_dashboard

    from .report.render import guard_not_in_raw

    processed = Path(args.processed)
    ledger = Path(args.ledger) if args.ledger else processed.resolve().parent / "raw" / "institution" / "jp_ledger.csv"
    if args.ledger or ledger.exists():
        guard_not_in_raw(processed)  # the ledger's pseudonymized table is written there
        write_ledger(load_jp_ledger(ledger), processed)
        print(f"[evalkit] JP ledger {ledger} → {processed / 'institution' / 'jp_ledger.parquet'} (pseudonymized)")
    out = render_dashboard(processed, args.out, lang=args.lang)
    print(f"[evalkit] dashboard → {out}")
    return 0


def cmd_validate(args) -> int:
    from .ingest import find_programs, load_program

    bad = 0
    for prog in find_programs(Path(args.path)):
        try:
            data = load_program(prog)
            print(f"{prog.name}: OK ({', '.join(sorted(data.inputs))})")
            summary = validation_summary(data, args.lang)
            if summary:
                print(summary)
            _print_todos(prog, args.lang)
        except EvalkitError as exc:
            bad += 1
            print(f"{prog.name}:\n{exc.render(args.lang)}", file=sys.stderr)
    return 1 if bad else 0


def validation_summary(data, lang: str = "en") -> str:
    """What ``evalkit validate`` prints for a valid program: the rules' warnings and notes,
    the participant flow, the linkage of joined files and the missing-value codes used."""
    from .i18n import t

    lines = []
    for w in data.warnings:
        label = t("validate.warning" if w.severity == "warning" else "validate.note", lang)
        lines.append(f"  {label}: {w.message(lang, fix=w.severity == 'warning')}")
    flow = {k: v for k, v in data.participant_flow().items() if v is not None}
    if flow:
        lines.append(f"  {t('validate.flow', lang)}: " + " → ".join(f"{t('validate.flow_' + k, lang)} {v}"
                                                               for k, v in flow.items()))
    if data.linkage is not None and len(data.linkage):
        lines.append(f"  {t('validate.linkage', lang)}:")
        for r in data.linkage.itertuples():
            lines.append("    " + t("validate.linkage_row", lang, left=r.left, right=r.right, matched=r.matched,
                                    only_left=r.only_left, only_right=r.only_right, by_name=r.matched_by_name))
    if data.missing is not None and len(data.missing):
        lines.append(f"  {t('validate.missing', lang)}:")
        for r in data.missing.itertuples():
            lines.append(f"    {r.file}, '{r.column}': {r.n} × '{r.code}'")
    return "\n".join(lines)


def _print_todos(prog: Path, lang: str) -> None:
    """The ``# TODO`` lines ``evalkit new`` left in program.yaml (listed; not errors)."""
    from .i18n import t
    from .scaffold.todo import find_todos

    todos = find_todos(prog)
    if todos:
        print(t("scaffold.todos_left", lang, n=len(todos)))
        for p in todos:
            print("  " + p.message(lang).replace("\n", "\n  "))


def cmd_new(args) -> int:
    from .i18n import t
    from .scaffold import new_program

    inputs = {"level1": args.level1, "level2": args.level2, "level3": args.level3, "costs": args.costs,
              "level4": args.indicators}
    if not any(inputs.values()):
        print("evalkit new: give at least one export (--level1, --level2, --costs or --indicators)", file=sys.stderr)
        return 2
    meta = {"name": args.name, "institution": args.institution, "cohort": args.cohort, "jp": args.jp}
    interactive = not args.yes and sys.stdin.isatty() and sys.stdout.isatty()
    res = new_program(args.folder, inputs, meta, yes=not interactive, lang=args.lang)
    for m in res.messages:
        print(m)
    lang = args.lang
    if res.ok:
        print(t("scaffold.valid", lang, roles=", ".join(res.inputs)))
    else:
        from .errors import ValidationError

        print(t("scaffold.invalid", lang, folder=args.folder), file=sys.stderr)
        print(ValidationError(res.problems).render(lang), file=sys.stderr)
    _print_todos(res.folder, lang)
    cmd = f"evalkit report {args.folder} --out reports" if res.ok else f"evalkit validate {args.folder}"
    print(t("scaffold.next", lang, command=cmd))
    return 0 if res.ok else 1


def cmd_workbench(args) -> int:
    from .workbench.server import serve

    return serve(raw=args.raw, out=args.out, port=args.port, open_browser=not args.no_browser,
                 upload_limit_mb=args.upload_limit_mb, lang=args.lang)


def cmd_samples(args) -> int:
    from .datasets import make_sample_programs

    for p in make_sample_programs(Path(args.dir), only=args.only or None):
        print(f"wrote {p}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="evalkit", description="Training-impact evaluation reports.")
    ap.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="render program reports")
    r.add_argument("path", help="a program folder (data/raw/<id>) or a folder of programs (data/raw)")
    r.add_argument("--out", required=True, help="folder of reports, e.g. reports/")
    r.add_argument("--lang", choices=["id", "en"], default=None, help="report language (default: program.yaml)")
    r.add_argument("--seed", type=int, default=2026)
    r.add_argument("--format", default="html", help="outputs besides report.ipynb: html (always), docx, xlsx, "
                   "comma-separated, e.g. html,docx,xlsx")
    r.add_argument("--processed", default=None, help="where to write pseudonymized tables (default: data/processed)")
    r.add_argument("--notebook", default=None, help="template notebook (default: notebooks/program_report.ipynb)")
    r.set_defaults(func=cmd_report)
    b = sub.add_parser("batch", help="render many programs in parallel, skipping unchanged ones")
    b.add_argument("path", help="a folder of programs (data/raw)")
    b.add_argument("--out", required=True)
    b.add_argument("--workers", type=int, default=1, help="parallel worker processes")
    b.add_argument("--force", action="store_true", help="render even programs whose inputs have not changed")
    b.add_argument("--lang", choices=["id", "en"], default=None)
    b.add_argument("--seed", type=int, default=2026)
    b.add_argument("--format", default="html")
    b.add_argument("--processed", default=None)
    b.add_argument("--notebook", default=None)
    b.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on a Dask distributed cluster (workers need the same paths)")
    b.add_argument("--scheduler-timeout", type=_positive_seconds, default=10.0, metavar="SECONDS",
                   help="how long to wait for the Dask scheduler to answer (default: 10)")
    b.set_defaults(func=cmd_batch)
    d = sub.add_parser("dashboard", help="render the institution dashboard (all programs) from data/processed")
    d.add_argument("--processed", default="data/processed", help="processed tables (written by evalkit report)")
    d.add_argument("--ledger", default=None, help="the workforce's JP ledger (default: "
                   "data/raw/institution/jp_ledger.csv beside the processed folder, if present)")
    d.add_argument("--out", required=True, help="folder of reports, e.g. reports/")
    d.add_argument("--lang", choices=["id", "en"], default="id")
    d.set_defaults(func=cmd_dashboard)
    v = sub.add_parser("validate", help="check program folders and list every problem")
    v.add_argument("path")
    v.add_argument("--lang", choices=["id", "en"], default="en")
    v.set_defaults(func=cmd_validate)
    n = sub.add_parser("new", help="a new program folder from exports, with an inferred program.yaml")
    n.add_argument("folder", help="the new program folder, data/raw/<program-id> (must not exist or be empty)")
    n.add_argument("--level1", help="Level 1 reaction survey export (Google Forms CSV, XLSX)")
    n.add_argument("--level2", help="pre/post test score sheet")
    n.add_argument("--level3", help="Level 3 behaviour ratings (copied; program.yaml gets a TODO to map them)")
    n.add_argument("--costs", help="cost lines")
    n.add_argument("--indicators", help="Level 4 indicators")
    n.add_argument("--name", help="the training's full name")
    n.add_argument("--institution")
    n.add_argument("--cohort")
    n.add_argument("--jp", type=float, help="lesson hours (jam pelajaran)")
    n.add_argument("--lang", choices=["id", "en"], default="id", help="language of program.yaml's comments")
    n.add_argument("--yes", "-y", action="store_true", help="take every inference without asking")
    n.set_defaults(func=cmd_new)
    w = sub.add_parser("workbench", help="the web workbench (Voila) on http://127.0.0.1, with a token")
    w.add_argument("--raw", default="data/raw", help="folder of programs (new ones are created here)")
    w.add_argument("--out", default="reports", help="folder of reports")
    w.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    w.add_argument("--no-browser", action="store_true", help="do not open a browser")
    w.add_argument("--upload-limit-mb", type=float, default=None, help="largest upload (default 20 MB)")
    w.add_argument("--lang", choices=["id", "en"], default="id")
    w.set_defaults(func=cmd_workbench)
    s = sub.add_parser("samples", help="(re)generate the sample programs")
    s.add_argument("dir")
    s.add_argument("--only", nargs="*")
    s.set_defaults(func=cmd_samples)
    return ap


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds greater than 0, got {text!r}")
    return value


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EvalkitError as exc:
        print(exc.render(getattr(args, "lang", None) or "en"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError, OSError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, RuntimeError) as exc:
        # a bug or an input no rule foresaw: say so plainly, keep the details in a log file
        return _internal_error(exc, getattr(args, "lang", None) or "en")


def _internal_error(exc: BaseException, lang: str) -> int:
    """Print a plain message for an unexpected error (no traceback on screen) and write the
    traceback to a log file the user can attach to a bug report."""
    import tempfile
    import traceback

    from .i18n import t

    fd, log = tempfile.mkstemp(prefix="evalkit-error-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    print(t("errors.internal", lang, kind=type(exc).__name__, detail=str(exc)[:300], log=log), file=sys.stderr)
    print(f"    {t('where.how_to_fix', lang)}: {t('fix.internal', lang, log=log)}", file=sys.stderr)
    return 1


def run() -> None:
    """The ``evalkit`` command: :func:`main`, then :func:`exit_now` with its status."""
    exit_now(main())


def exit_now(status: int) -> None:
    """End the process with ``status`` once a command is done, without the interpreter's
    own shutdown.

    That shutdown frees every object of pandas, Arrow, matplotlib, … one by one: 0.25–0.35 s
    at the end of each ``evalkit report``, after its last file was written. Everything a
    normal exit does that matters still happens, in the same order: the exit handlers run
    (logging is flushed, temporary folders are removed) and standard output and error are
    flushed. Where a thread that is not a daemon is still running (its work would be cut
    short), or this Python has no way to run the exit handlers, the exit is the usual one."""
    import atexit
    import threading

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if run_handlers is None or others:
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(status if isinstance(status, int) else 1)


if __name__ == "__main__":
    run()

"""Render many programs: parallel processes, skip what has not changed, keep going on failure.

``evalkit batch data/raw --out reports --workers N``

* Each program is rendered in its own worker process (papermill's in-process API, one kernel
  per notebook), as papermill's maintainers recommend for parallel runs. On Linux each kernel
  is forked from a warm fork server (:mod:`evalkit.report.kernels`): a fresh process per
  notebook that starts without re-importing pandas, SciPy, matplotlib and evalkit.
* A program is skipped when its ``metrics.json`` carries the same ``render_hash``: SHA-256 over
  the program's input files, the parameters (language, seed, formats), the evalkit version
  and the template notebook. ``--force`` renders it anyway.
* A kernel's figure helper (:mod:`evalkit.report.figure_server`) draws figures on a free
  core while the kernel goes on. When the workers already fill every core the machine gives
  this process, there is no free core: the helper would only add work (each figure pickled,
  sent and rebuilt in the helper), so the workers' kernels draw their figures themselves
  (``EVALKIT_FIGURE_HELPER=0`` for them; a value the user set is kept). Same figures, bytes
  for bytes, either way.
* One log per program under ``<out>/_logs/<id>.log``; a failed program is reported and the
  others go on; a kernel that fails to start is retried (only that failure is retried).
* Outputs are atomic (see :mod:`evalkit.report.render`): an interrupted batch leaves no report
  that looks complete, and the next run finishes the job.
* ``--scheduler tcp://HOST:PORT`` sends the same jobs to a Dask distributed cluster instead of
  local processes. Every worker must see the same paths (shared storage: the program folders,
  the output folder, the template notebook and the pseudonymization key) and have evalkit
  installed; a worker that dies fails its program, not the batch.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import EvalkitError, Problem, ReportError
from ..ingest import check_program_id, find_programs
from ..ingest.pseudonymize import project_root
from .figure_server import SWITCH

KERNEL_START_ERRORS = ("Kernel didn't respond", "Kernel died before replying", "kernel_info_reply")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it, else the count)."""
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def figure_helpers_pay(workers: int, cores: int | None = None) -> bool:
    """Whether each worker's kernel should have a figure helper: only while a core is left
    for it (``workers < cores``; see the module docstring)."""
    return workers < (usable_cores() if cores is None else cores)


def render_hash(program_dir: Path, *, lang, seed, formats, notebook=None) -> str:
    """Hash of everything a report depends on (see module docstring)."""
    from .render import notebook_path

    h = hashlib.sha256()
    h.update(f"evalkit {__version__}\nlang {lang}\nseed {seed}\nformats {','.join(formats)}\n".encode())
    nb = Path(notebook) if notebook else notebook_path(project_root(Path(__file__).parent))
    h.update(hashlib.sha256(nb.read_bytes()).digest())
    for f in sorted(p for p in Path(program_dir).rglob("*") if p.is_file()):
        h.update(str(f.relative_to(program_dir)).encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _up_to_date(out: Path, pid: str, digest: str, formats) -> bool:
    folder = out / pid
    m = folder / "metrics.json"
    if not m.exists():
        return False
    try:
        ok = json.loads(m.read_text()).get("render_hash") == digest
    except (json.JSONDecodeError, OSError):
        return False
    return ok and all((folder / f"report.{f}").exists() for f in formats)


def _render_one(args) -> dict:
    """Worker: render one program, log to its file, retry a kernel-start failure once."""
    from . import kernels
    from .render import render_report

    program_dir, out, lang, seed, formats, processed, notebook, digest, retries, helper = args
    if not helper:
        import os

        os.environ.setdefault(SWITCH, "0")  # this worker's kernels are launched with its environment
    kernels.ForkServer.prestart()  # its imports run beside this worker's validation of the program
    kernel_manager = kernels.ForkKernelManager if kernels.enabled() else None
    pid = Path(program_dir).name
    log = Path(out) / "_logs" / f"{pid}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    attempt = 0
    with open(log, "w", encoding="utf-8") as fh:
        while True:
            attempt += 1
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} rendering {pid} (attempt {attempt})\n")
            fh.flush()
            try:
                render_report(program_dir, out, lang=lang, seed=seed, processed_dir=processed, notebook=notebook,
                              formats=formats, render_hash=digest, kernel_manager_class=kernel_manager)
                fh.write(f"done in {time.time() - started:.1f} s\n")
                return {"program": pid, "status": "rendered", "seconds": time.time() - started, "log": str(log)}
            except EvalkitError as exc:
                fh.write(exc.render(lang or "en") + "\n")
                return {"program": pid, "status": "failed", "seconds": time.time() - started,
                        "error": exc.render(lang or "en"), "log": str(log)}
            except Exception as exc:  # a kernel that did not start, or a bug: logged, never fatal to the batch
                text = "".join(traceback.format_exception(exc))
                fh.write(text + "\n")
                if attempt <= retries and any(s in str(exc) for s in KERNEL_START_ERRORS):
                    fh.write("kernel failed to start: retrying\n")
                    continue
                return {"program": pid, "status": "failed", "seconds": time.time() - started,
                        "error": f"{type(exc).__name__}: {exc}", "log": str(log)}


@dataclass
class BatchResult:
    results: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if r["status"] == "failed"]

    def summary(self) -> str:
        counts = {s: sum(r["status"] == s for r in self.results) for s in ("rendered", "skipped", "failed")}
        text = (f"{len(self.results)} program(s): {counts['rendered']} rendered, {counts['skipped']} unchanged "
                f"(skipped), {counts['failed']} failed, in {self.seconds:.1f} s")
        for r in self.failed:
            text += f"\n  FAILED {r['program']}: {r['error'].splitlines()[0]} (log: {r['log']})"
        return text


def run_batch(path, out, *, workers: int = 1, lang=None, seed: int = 2026, formats="html", force: bool = False,
              processed=None, notebook=None, retries: int = 1, progress: bool = True,
              scheduler: str | None = None, scheduler_timeout: float = 10.0) -> BatchResult:
    """Render every program under ``path`` into ``out`` (see module docstring).

    ``scheduler``: address of a Dask distributed scheduler (``tcp://HOST:PORT``); the jobs go
    to its workers instead of ``workers`` local processes. ``scheduler_timeout``: seconds to
    wait for that scheduler to answer before the batch stops with a clear error."""
    from .index import build_index
    from .render import parse_formats

    fmts = parse_formats(formats)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    programs = find_programs(Path(path))
    for p in programs:
        check_program_id(p.name)
    t0 = time.time()
    results, jobs = [], []
    for p in programs:
        digest = render_hash(p, lang=lang, seed=seed, formats=fmts, notebook=notebook)
        if not force and _up_to_date(out, p.name, digest, fmts):
            results.append({"program": p.name, "status": "skipped", "seconds": 0.0})
            continue
        jobs.append((str(p.resolve()), str(out), lang, seed, fmts,
                     None if processed is None else str(Path(processed).resolve()),
                     None if notebook is None else str(Path(notebook).resolve()), digest, retries))
    pool = not scheduler and workers > 1 and len(jobs) > 1
    helper = not pool or figure_helpers_pay(min(workers, len(jobs)))
    jobs = [(*job, helper) for job in jobs]
    bar = None
    if progress and jobs:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="program", desc="evalkit batch")
    if scheduler and jobs:
        for res in _run_on_dask(scheduler, jobs, timeout=scheduler_timeout):
            results.append(res)
            if bar:
                bar.update(1)
    elif workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            results.append(_render_one(job))
            if bar:
                bar.update(1)
    else:
        with cf.ProcessPoolExecutor(max_workers=workers) as pool:
            for res in pool.map(_render_one, jobs):
                results.append(res)
                if bar:
                    bar.update(1)
    if bar:
        bar.close()
    build_index(out, lang=lang or "id")
    return BatchResult(results=sorted(results, key=lambda r: r["program"]), seconds=time.time() - t0)


def _run_on_dask(address: str, jobs: list[tuple], timeout: float = 10.0):
    """Yield each job's result as a Dask distributed cluster finishes it."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - a dependency of evalkit
        raise ReportError(Problem("dask_missing", params={"error": str(exc)})) from None
    try:
        client = Client(address, timeout=f"{float(timeout)}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ReportError(Problem("scheduler_unreachable", params={"address": address, "error": str(exc)})) from None
    try:
        futures = {client.submit(_render_one, job, pure=False, key=f"evalkit-{Path(job[0]).name}-{job[7][:12]}"): job
                   for job in jobs}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # the worker died or could not run the job: that program fails
                job = futures[fut]
                yield {"program": Path(job[0]).name, "status": "failed", "seconds": 0.0,
                       "error": f"Dask worker: {type(exc).__name__}: {exc}",
                       "log": str(Path(job[1]) / "_logs" / f"{Path(job[0]).name}.log")}
    finally:
        client.close()

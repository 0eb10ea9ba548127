"""Every speed goal of issue #18 in one run, side by side, as ``what · measured · goal · PASS/FAIL``.

Run by ``make bench``. Each row is measured here and now, against its baseline in the same
run where it has one (ratios, interleaved repeats, medians), because the machine's cores are
shared and absolute times drift. Nothing is asserted; the table is the result.

Rows (goals on 2 cores):

* ``evalkit report`` of one sample program from a fresh process (cold) ≤ 5 s; the second
  program in the same process (warm fork server, as the workbench or ``evalkit report DIR``
  would) ≤ 2 s (the median of six: two processes, each rendering three programs after its
  first); and the cached figure: ``evalkit batch`` over an unchanged program (its
  ``render_hash`` — inputs, program.yaml, evalkit version, template — matches: skipped).
* ``evalkit batch --workers 2`` of 100 programs ≥ 5× the papermill command-line loop on the
  same programs; marginal ≤ 1 s per program (slope between 25 and 100 programs). The loop is
  run on ``--loop-sample`` of the 100 (each program is its own papermill process, so its cost
  is linear) and scaled to 100, to keep ``make bench`` under 15 minutes.
* bootstrap CIs (α and ω, percentile and BCa) on 10,000 × 40 with 2,000 resamples ≤ 5 s,
  and the same CIs for the same seed with 1 and 2 workers.
* ingest + validation + pseudonymization (``load_program``) of a 1,000,000 × 25 Google Forms
  CSV with a NIP column ≤ 2× a plain ``pyarrow.csv.read_csv`` of the same file (each in a
  fresh process, interleaved, medians of 3); peak memory ≤ 1 GB (the process's ru_maxrss).
* ``reliability()`` on 200,000 × 40 ≤ 2× ``numpy.cov`` (interleaved, medians of 9).
* the test suite as ``make test`` runs it ≤ 180 s (``--skip suite`` to leave it out).

    .venv/bin/python benchmarks/bench_all.py [--skip report batch bootstrap ingest reliability suite]
                                              [--programs 100] [--loop-sample 10]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PY = sys.executable
ENV = {**os.environ, "EVALKIT_KEY": os.environ.get("EVALKIT_KEY", "benchmark-key")}
SAMPLE = ROOT / "data" / "raw" / "pkp-2026-angkatan-1"

sys.path.insert(0, str(BENCH))
from bench_batch import make_programs, papermill_loop  # noqa: E402  (the batch benchmark's own)
SAMPLE2 = ROOT / "data" / "raw" / "pkp-2026-angkatan-2"
ROWS: list[tuple[str, str, str, bool | None]] = []


def row(what: str, measured: str, goal: str, ok: bool | None) -> None:
    ROWS.append((what, measured, goal, ok))
    verdict = "—" if ok is None else ("PASS" if ok else "FAIL")
    print(f"  → {what}: {measured} (goal {goal}) {verdict}", flush=True)


def run(cmd, **kw) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr[-1500:]}")
    return time.perf_counter() - t


def python(code: str, *args) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    r = subprocess.run([PY, "-c", code, *map(str, args)], capture_output=True, text=True, env=ENV, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report

WARM = r"""
import json, sys, time
from evalkit.report import kernels
from evalkit.report.render import render_report
kernels.ForkServer.prestart()
out = sys.argv[1]
manager = kernels.ForkKernelManager if kernels.enabled() else None
t = time.perf_counter(); render_report(sys.argv[2], out, kernel_manager_class=manager); first = time.perf_counter() - t
warm = []  # the next programs, as the workbench or `evalkit report DIR` renders them: 2, 1, 2
for program in (sys.argv[3], sys.argv[2], sys.argv[3]):
    t = time.perf_counter(); render_report(program, out, kernel_manager_class=manager); warm.append(time.perf_counter() - t)
print(json.dumps({"first": first, "warm": warm}))
"""


def bench_report(tmp: Path) -> None:
    print("== evalkit report of one program (pkp-2026-angkatan-1)", flush=True)
    cold = []
    for i in range(3):
        cold.append(run([str(BIN / "evalkit"), "report", str(SAMPLE), "--out", str(tmp / f"cold{i}")], cwd=ROOT))
    t_cold = statistics.median(cold)
    row("evalkit report, one program, fresh process (cold)", f"{t_cold:.1f} s (median of 3: "
        + ", ".join(f"{c:.1f}" for c in cold) + ")", "≤ 5 s", t_cold <= 5)
    # two processes, each rendering three programs after its first: the median of the six
    warm = [w for i in range(2) for w in python(WARM, tmp / f"warm{i}", SAMPLE, SAMPLE2)["warm"]]
    t_warm = statistics.median(warm)
    row("second program in the same process (warm fork server)", f"{t_warm:.2f} s (median of {len(warm)}: "
        + ", ".join(f"{w:.2f}" for w in warm) + ")", "≤ 2 s", t_warm <= 2)
    raw = tmp / "cache_raw"
    raw.mkdir()
    shutil.copytree(SAMPLE, raw / SAMPLE.name)
    out = tmp / "cache_out"
    batch = [str(BIN / "evalkit"), "batch", str(raw), "--out", str(out)]
    t_render = run(batch, cwd=ROOT)
    t_cached = run(batch, cwd=ROOT)
    row("cached: evalkit batch over the unchanged program (render_hash matches: skipped)",
        f"{t_cached:.1f} s (rendered: {t_render:.1f} s)", "printed beside the cold figure", None)


# --------------------------------------------------------------------------- batch

def bench_batch(tmp: Path, n: int, sample: int, workers: int = 2) -> None:
    print(f"== evalkit batch --workers {workers} of {n} programs vs the papermill CLI loop", flush=True)
    raw = tmp / "raw"
    raw.mkdir()
    progs = make_programs(raw, n)
    loop = tmp / "loop"
    chosen = progs[:sample]  # round-robin over the sample programs, like the 100
    t_loop_sample = run(["bash", "-c", papermill_loop(chosen, loop)], cwd=ROOT)
    t_loop = t_loop_sample / len(chosen) * n

    def batch(folder, out):
        return run([str(BIN / "evalkit"), "batch", str(folder), "--out", str(out), "--workers", str(workers),
                    "--force"], cwd=ROOT)

    t_batch = batch(raw, tmp / "out")
    small = max(1, n // 4)  # the slope between n/4 and n programs: the marginal cost of one more
    half = tmp / "raw_small"
    half.mkdir()
    for p in progs[:small]:
        shutil.copytree(p, half / p.name)
    t_half = batch(half, tmp / "out_small")
    ratio = t_loop / t_batch
    row(f"batch of {n} programs, --workers {workers}, vs papermill CLI loop",
        f"{ratio:.2f}× (batch {t_batch:.0f} s; loop {t_loop_sample:.0f} s for {len(chosen)} programs "
        f"→ {t_loop:.0f} s for {n})", "≥ 5×", ratio >= 5)
    marginal = (t_batch - t_half) / (n - small)
    row("batch marginal time per program", f"{marginal:.2f} s ({small} programs: {t_half:.0f} s, {n}: {t_batch:.0f} s)",
        "≤ 1 s", marginal <= 1)


# --------------------------------------------------------------------------- bootstrap

BOOT = r"""
import json, time, numpy as np, pandas as pd
import evalkit
rng = np.random.default_rng(2026)
n, k = 10_000, 40
f = rng.normal(size=(n, 1))
df = pd.DataFrame(np.clip(np.rint(3 + 0.7 * f + rng.normal(size=(n, k))), 1, 5), columns=[f"q{i+1}" for i in range(k)])
evalkit.reliability(df.iloc[:500], scale=(1, 5), ci_method="bca", n_boot=50, seed=1)  # first-call costs
out, times = {}, {}
for rep in range(3):  # interleaved repeats, medians
    for m in ("bootstrap", "bca"):
        for w in (1, 2):
            t = time.perf_counter()
            r = evalkit.reliability(df, scale=(1, 5), ci_method=m, n_boot=2000, seed=7, workers=w)
            times.setdefault(f"{m}_{w}", []).append(time.perf_counter() - t)
            out[f"{m}_{w}_ci"] = r.coefficients[["ci_low", "ci_high"]].to_numpy().tolist()
out.update({k: sorted(v)[1] for k, v in times.items()})
print(json.dumps(out))
"""


def bench_bootstrap() -> None:
    print("== bootstrap CIs of α and ω, 10,000 × 40, 2,000 resamples", flush=True)
    r = python(BOOT)
    for m, name in (("bootstrap", "percentile"), ("bca", "BCa")):
        t2, t1 = r[f"{m}_2"], r[f"{m}_1"]
        same = r[f"{m}_2_ci"] == r[f"{m}_1_ci"]
        row(f"bootstrap {name} CIs of every coefficient (α, ω …)", f"{t1:.2f} s with workers=1 (default), "
            f"{t2:.2f} s with 2 (medians of 3); same CIs with 1 and 2 workers: {'yes' if same else 'NO'}",
            "≤ 5 s, same CIs", min(t1, t2) <= 5 and same)


# --------------------------------------------------------------------------- ingest

ARROW = r"""
import json, resource, sys, time
import pyarrow.csv as pc
t = time.perf_counter(); pc.read_csv(sys.argv[1]); d = time.perf_counter() - t
print(json.dumps({"s": d, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
LOAD = r"""
import json, resource, sys, time
from evalkit.ingest import load_program
t = time.perf_counter(); p = load_program(sys.argv[1]); d = time.perf_counter() - t
assert p.level1["participant"].str.startswith("P-").all()
print(json.dumps({"s": d, "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": len(p.level1)}))
"""


def bench_ingest(tmp: Path, n: int = 1_000_000) -> None:
    print(f"== ingest of a {n:,} × 25 Google Forms CSV (NIP column pseudonymized) vs pyarrow.csv.read_csv",
          flush=True)
    subprocess.run([PY, str(BENCH / "bench_survey.py"), "--make", str(tmp), str(n)], check=True, env=ENV)
    prog = tmp / "survei-nasional"
    arrow, load, mem = [], [], []
    for _ in range(3):
        arrow.append(python(ARROW, prog / "reaksi.csv")["s"])
        r = python(LOAD, prog)
        load.append(r["s"])
        mem.append(r["mb"])
    ta, tl = statistics.median(arrow), statistics.median(load)
    row("ingest+validation+pseudonymization / pyarrow.csv.read_csv", f"{tl / ta:.2f}× (load_program {tl:.2f} s, "
        f"read_csv {ta:.2f} s, medians of 3, interleaved)", "≤ 2×", tl / ta <= 2)
    row("ingest peak memory", f"{max(mem):.0f} MB", "≤ 1 GB (1024 MB)", max(mem) <= 1024)


# --------------------------------------------------------------------------- reliability

RELIABILITY = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import evalkit
from bench_reliability import make_data
df = make_data(200_000, 40); X = df.to_numpy()
evalkit.reliability(df)
covs, rels = [], []
for _ in range(9):
    t = time.perf_counter(); np.cov(X, rowvar=False); covs.append(time.perf_counter() - t)
    t = time.perf_counter(); evalkit.reliability(df); rels.append(time.perf_counter() - t)
print(json.dumps({"cov": statistics.median(covs), "rel": statistics.median(rels)}))
"""


def bench_reliability() -> None:
    print("== reliability() on 200,000 × 40 vs numpy.cov", flush=True)
    r = python(RELIABILITY, BENCH)
    ratio = r["rel"] / r["cov"]
    row("reliability() / numpy.cov, 200,000 × 40", f"{ratio:.2f}× ({r['rel']:.3f} s vs {r['cov']:.3f} s, "
        "medians of 9, interleaved)", "≤ 2×", ratio <= 2)


# --------------------------------------------------------------------------- test suite

def bench_suite() -> None:
    print("== the test suite, as make test runs it", flush=True)
    cmd = [PY, "-m", "pytest", "-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder", "-q", "--durations=10",
           "-p", "no:cacheprovider", "tests", "src/evalkit", "--ignore=src/evalkit/notebooks", "--doctest-modules",
           "--nbval-lax", "notebooks/program_report.ipynb", "notebooks/paper_template.ipynb"]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=ENV)
    secs = time.perf_counter() - t
    tail = [ln for ln in r.stdout.strip().splitlines() if ln.strip()]
    summary = tail[-1] if tail else "(no output)"
    print("\n".join(tail[-16:]))
    row("make test (pytest -n auto --dist loadfile --no-loadscope-reorder)", f"{secs:.0f} s — {summary.strip('= ')}", "≤ 180 s, all kept",
        secs <= 180 and r.returncode == 0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip", nargs="*", default=[],
                    choices=["report", "batch", "bootstrap", "ingest", "reliability", "suite"])
    ap.add_argument("--programs", type=int, default=100)
    ap.add_argument("--loop-sample", type=int, default=10)
    args = ap.parse_args()
    t0 = time.perf_counter()
    print(f"evalkit benchmarks (issue #18): {os.cpu_count()} CPU cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    steps = [("reliability", bench_reliability), ("bootstrap", bench_bootstrap),
             ("ingest", lambda: bench_ingest(Path(tempfile.mkdtemp(prefix="evalkit-bench-ingest-")))),
             ("report", lambda: bench_report(Path(tempfile.mkdtemp(prefix="evalkit-bench-report-")))),
             ("batch", lambda: bench_batch(Path(tempfile.mkdtemp(prefix="evalkit-bench-batch-")), args.programs,
                                           args.loop_sample)),
             ("suite", bench_suite)]
    for name, fn in steps:
        if name in args.skip:
            continue
        try:
            fn()
        except Exception as exc:  # one failing measurement must not hide the others
            row(name, f"could not be measured: {type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}",
                "—", False)
    for d in Path(tempfile.gettempdir()).glob("evalkit-bench-*"):
        shutil.rmtree(d, ignore_errors=True)
    width = max(len(w) for w, *_ in ROWS) if ROWS else 10
    print(f"\nsummary ({time.perf_counter() - t0:.0f} s, peak RSS of this driver "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    print(f"{'what':<{width}}  {'PASS/FAIL':<9}  goal · measured")
    for what, measured, goal, ok in ROWS:
        verdict = "—" if ok is None else ("PASS" if ok else "FAIL")
        print(f"{what:<{width}}  {verdict:<9}  {goal} · {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

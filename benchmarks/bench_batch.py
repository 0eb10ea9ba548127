"""Benchmark: rendering many programs with `evalkit batch` against the papermill command
line run once per program in a shell loop, on the same notebook and the same programs.

Goals (issue #7): with --workers 2 on a 2-core machine, at least 3× the throughput of the
papermill loop, and at most 3 s of marginal time per program (the slope between a batch of
N/2 and a batch of N programs). Prints the figures of this one run; asserts nothing.

    .venv/bin/python benchmarks/bench_batch.py [--programs 20] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCES = sorted(p for p in (ROOT / "data" / "raw").iterdir() if (p / "program.yaml").exists())


def make_programs(folder: Path, n: int) -> list[Path]:
    """n program folders: the sample programs, copied round-robin under new ids."""
    out = []
    for i in range(n):
        src = SOURCES[i % len(SOURCES)]
        dst = folder / f"p{i:03d}-{src.name}"
        shutil.copytree(src, dst)
        out.append(dst)
    return out


def papermill_loop(progs: list[Path], loop: Path) -> str:
    """The baseline: a shell script running the papermill command line once per program."""
    return "set -e\n" + "".join(
        f"mkdir -p {loop / p.name}\n{BIN / 'papermill'} --no-progress-bar -k python3 "
        f"{ROOT / 'notebooks' / 'program_report.ipynb'} {loop / p.name / 'report.ipynb'} "
        f"-p program_dir {p} -p output_dir {loop / p.name}\n" for p in progs)


def timed(cmd, **kw) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"benchmark command failed ({cmd[0]}): {r.stderr[-2000:]}")
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    n, half = args.programs, args.programs // 2
    env = {**os.environ, "EVALKIT_KEY": os.environ.get("EVALKIT_KEY", "benchmark-key")}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        raw = d / "raw"
        raw.mkdir()
        progs = make_programs(raw, n)
        print(f"{n} programs (copies of {len(SOURCES)} sample programs), {os.cpu_count()} CPU cores")

        # (a) the papermill command line, once per program, in a shell loop
        loop = d / "loop"
        loop.mkdir()
        t_loop = timed(["bash", "-c", papermill_loop(progs, loop)], cwd=ROOT, env=env)

        # (b) evalkit batch, all programs, then half of them (for the marginal cost)
        def batch(folder, out):
            return timed([str(BIN / "evalkit"), "batch", str(folder), "--out", str(out), "--workers",
                          str(args.workers), "--force"], cwd=ROOT, env=env)

        t_batch = batch(raw, d / "out")
        raw_half = d / "raw_half"
        raw_half.mkdir()
        for p in progs[:half]:
            shutil.copytree(p, raw_half / p.name)
        t_half = batch(raw_half, d / "out_half")

    print(f"papermill CLI loop: {t_loop:.1f} s ({t_loop / n:.2f} s per program)")
    print(f"evalkit batch --workers {args.workers}: {t_batch:.1f} s ({t_batch / n:.2f} s per program; "
          "also writes HTML, processed tables and the index)")
    print(f"throughput ratio batch / loop: {t_loop / t_batch:.2f}× (goal ≥ 3)")
    print(f"evalkit batch, {half} programs: {t_half:.1f} s → marginal {(t_batch - t_half) / (n - half):.2f} s "
          "per program (goal ≤ 3)")


if __name__ == "__main__":
    main()

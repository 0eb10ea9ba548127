"""Benchmark: full reliability() with default options on 200,000 respondents × 40
five-point items, against (a) one bare NumPy covariance computation of the same matrix
and (b) R psych's alpha() on the same data, if Rscript with psych is installed.

Goals (issue #3): reliability() ≤ 2× the bare covariance, and ≥ 5× faster than psych.
Prints the figures measured in this one run; it asserts nothing.

    .venv/bin/python benchmarks/bench_reliability.py [--n 200000] [--k 40] [--no-r]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import evalkit


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def make_data(n, k, seed=2026):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    X = np.clip(np.rint(3 + 0.8 * f + rng.normal(size=(n, k))), 1, 5)
    return pd.DataFrame(X, columns=[f"q{i + 1}" for i in range(k)])


def time_psych(df) -> float | None:
    if not shutil.which("Rscript"):
        return None
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.csv"
        df.astype(int).to_csv(path, index=False)
        code = (f"suppressPackageStartupMessages(library(psych)); x <- read.csv('{path}'); "
                "t <- system.time(a <- alpha(x, check.keys = FALSE, warnings = FALSE))[['elapsed']]; "
                "cat(t, a$total$raw_alpha, '\\n')")
        r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True)
        if r.returncode != 0:
            return None
        secs, alpha = map(float, r.stdout.split())
        print(f"psych alpha(): {secs:.3f} s (raw_alpha {alpha:.6f})")
        return secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--k", type=int, default=40)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    df = make_data(args.n, args.k)
    X = df.to_numpy()
    print(f"data: {args.n:,} respondents × {args.k} items (5-point), no missing answers")
    evalkit.reliability(df)  # warm-up: imports and first-call costs are not the steady state
    # interleaved, so that both see the same machine state; medians of 9
    covs, rels = [], []
    for _ in range(9):
        covs.append(timed(lambda: np.cov(X, rowvar=False), 1))
        rels.append(timed(lambda: evalkit.reliability(df), 1))
    t_cov, t_rel = statistics.median(covs), statistics.median(rels)
    res = evalkit.reliability(df)
    print(f"numpy.cov: {t_cov:.3f} s (median of 9)")
    print(f"evalkit.reliability(): {t_rel:.3f} s (median of 9, interleaved with numpy.cov), alpha {res.alpha:.6f}")
    print(f"ratio reliability / cov: {t_rel / t_cov:.2f} (goal ≤ 2)")
    t_nomega = timed(lambda: evalkit.reliability(df, omega_if_deleted=False), 3)
    print(f"without omega-if-deleted: {t_nomega:.3f} s, ratio to cov {t_nomega / t_cov:.2f}")
    t_psych = None if args.no_r else time_psych(df)
    if t_psych:
        print(f"ratio psych / evalkit: {t_psych / t_rel:.1f}× faster (goal ≥ 5)")
    else:
        print("psych not timed (Rscript with psych not available, or --no-r)")


if __name__ == "__main__":
    main()

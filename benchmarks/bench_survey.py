"""Benchmark: a reaction survey of N respondents × 25 Likert items (text labels, CSV as Google
Forms exports it) through ingest, validation, Likert mapping, pseudonymization (of the NIP column) and
reliability(). Goal (issue #7): 1,000,000 rows in ≤ 30 s and ≤ 2 GB peak memory.

Each size runs in a fresh process so that its peak memory (ru_maxrss) is its own.

    .venv/bin/python benchmarks/bench_survey.py [--sizes 10000 100000 1000000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju"]


def nips(n: int) -> list[str]:
    """n distinct, well-formed 18-digit NIPs (birth date 19YYMMDD, TMT 2005-01, gender 1, serial)."""
    out = []
    for i in range(n):
        serial, rest = i % 1000, i // 1000
        dd, rest = rest % 28 + 1, rest // 28
        mm, yy = rest % 12 + 1, 60 + (rest // 12) % 40
        out.append(f"19{yy:02d}{mm:02d}{dd:02d}2005011{serial:03d}")
    return out


def make_program(folder: Path, n: int, k: int = 25, seed: int = 1) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    prog = folder / "survei-nasional"
    prog.mkdir(parents=True)
    theta = rng.normal(size=(n, 1))
    X = np.clip(np.rint(3.6 + 0.8 * theta + rng.normal(0, 0.8, (n, k))), 1, 5).astype(int)
    labels = np.array(LABELS, dtype=object)[X - 1]
    df = pd.DataFrame(labels, columns=[f"q{i + 1}" for i in range(k)])
    df.insert(0, "NIP", nips(n))
    df.insert(0, "Timestamp", "2026/11/01 10:00:00 AM GMT+7")
    df.to_csv(prog / "reaksi.csv", index=False)
    items = [f"q{i + 1}" for i in range(k)]
    (prog / "program.yaml").write_text(json.dumps({
        "name": "Survei nasional", "institution": "LAN", "language": "id",
        "instruments": {"reaksi": {"labels": "setuju5", "scale": [1, 5], "scales": {"semua": {"items": items}}}},
        "level1": {"file": "reaksi.csv", "instrument": "reaksi", "id_column": "NIP"}}))
    return prog


def run_one(prog: Path, n: int) -> dict:
    """Measure one size on a program made beforehand by another process."""
    import evalkit
    from evalkit.ingest import load_program

    t = time.perf_counter()
    data = load_program(prog)
    t_ingest = time.perf_counter() - t
    t = time.perf_counter()
    res = evalkit.reliability(data.level1, [f"q{i + 1}" for i in range(25)], scale=(1, 5))
    t_rel = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "ingest_s": t_ingest, "reliability_s": t_rel,
            "total_s": t_ingest + t_rel, "peak_mb": peak_mb, "alpha": res.alpha}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--make", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        make_program(Path(args.make[0]), int(args.make[1]))
        return
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), int(args.one[1]))))
        return
    print("respondents × 25 items: ingest+validation+Likert+pseudonymization, reliability(), peak memory")
    base = None
    for n in args.sizes:
        d = tempfile.mkdtemp(prefix="evalkit-bench-")
        subprocess.run([sys.executable, __file__, "--make", d, str(n)], check=True)
        out = subprocess.run([sys.executable, __file__, "--one", str(Path(d) / "survei-nasional"), str(n)],
                             capture_output=True, text=True)
        import shutil

        shutil.rmtree(d, ignore_errors=True)
        if out.returncode != 0:
            print(f"{n:>9,}: failed\n{out.stderr[-2000:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r
        print(f"{n:>9,}: ingest {r['ingest_s']:6.2f} s, reliability {r['reliability_s']:5.2f} s, "
              f"total {r['total_s']:6.2f} s ({r['total_s'] / base['total_s'] * base['n'] / n:4.2f}× per row vs "
              f"{base['n']:,}), peak {r['peak_mb']:7.0f} MB, alpha {r['alpha']:.4f}")
    print("goal at 1,000,000 rows: total ≤ 30 s and peak ≤ 2,048 MB")


if __name__ == "__main__":
    main()

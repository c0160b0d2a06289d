"""Run every benchmark side by side with its reference and print one Markdown table.

    python -m benchmarks.run            # the full suite (about 4 to 5 minutes on 2 cores)
    python -m benchmarks.run --quick    # smaller sizes, fewer repeats (about a minute)
    python -m benchmarks.run --only 2,3 # some rows only (5 includes 5d; 5d alone: --only 5d)
    python -m benchmarks.run --threads 1  # torch on one thread (steadier on a busy machine)

The table is also written to benchmarks/results/latest.md (git-ignored). A row whose benchmark fails
reports the error instead of stopping the others.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` as well as `python -m benchmarks.run`
    sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    bench_app,
    bench_live,
    bench_memory,
    bench_read,
    bench_real,
    bench_replay,
    bench_sweep,
    bench_trace,
    bench_train,
    bench_windows,
)
from benchmarks.common import Row, machine, markdown_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.md"


Bench = Callable[[], "list[Row] | Row"]


def suite(quick: bool) -> dict[str, list[Bench]]:
    """Benchmarks by row number; each returns its row(s), and a failure costs only its own rows."""
    if quick:
        return {
            "1": [lambda: bench_windows.bench_windows(rows=2_000_000, prefix_rows=50_000, repeats=5, naive_limit=5e8)],
            "2": [lambda: bench_train.bench_train(n_windows=5_000, repeats=2, clip_row=False, budget=30)],
            "3": [lambda: bench_trace.bench_trace(repeats=10)],
            "4": [lambda: bench_read.bench_read(rows=200_000, repeats=2)],
            "5": [
                lambda: bench_app.bench_first_page(repeats=1),
                lambda: bench_app.bench_slider_apptest(moves=4),
                lambda: bench_app.bench_slider_browser(moves=3),
            ],
            "5d": [lambda: bench_app.bench_first_visit(later=1)],
            "6": [lambda: bench_memory.bench_memory(rows=200_000, train_seconds=3)],
            "7": [lambda: bench_replay.bench_replay(epochs=(100,), largest_epochs=(3,))],
            "8": [lambda: bench_live.bench_whatif(edits=4), lambda: bench_live.bench_rerun_while_training(reruns=3)],
            "9": [lambda: bench_sweep.bench_sweep(repeats=1)],  # shorter runs would measure process start
            "10": [lambda: bench_sweep.bench_devices(n_windows=1024, epochs=1)],
            "11": [lambda: bench_real.bench_real(seeds=(0,))],
        }
    return {
        "1": [lambda: bench_windows.bench_windows()],
        "2": [lambda: bench_train.bench_train(n_windows=20_000, repeats=5, budget=60)],
        "3": [lambda: bench_trace.bench_trace(repeats=30)],
        "4": [lambda: bench_read.bench_read(rows=1_000_000, repeats=5)],
        "5": [
            lambda: bench_app.bench_first_page(repeats=3),
            lambda: bench_app.bench_slider_apptest(moves=8),
            lambda: bench_app.bench_slider_browser(moves=6),
        ],
        "5d": [lambda: bench_app.bench_first_visit(later=4)],
        "6": [lambda: bench_memory.bench_memory(rows=1_000_000, train_seconds=5)],
        "7": [lambda: bench_replay.bench_replay()],
        "8": [lambda: bench_live.bench_whatif(), lambda: bench_live.bench_rerun_while_training()],
        "9": [lambda: bench_sweep.bench_sweep()],
        "10": [lambda: bench_sweep.bench_devices()],
        "11": [lambda: bench_real.bench_real(seeds=(0, 1, 2))],
    }


MEMORY_ONLY = {"6", "7", "11"}  # rows a busy CPU does not disturb (11 measures accuracy, not time)


def _selects(token: str, key: str) -> bool:
    """``--only 5`` picks row 5 and its lettered rows (5d); ``--only 5d`` picks that one alone."""
    return key == token or (key.startswith(token) and key[len(token) :].isalpha())


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--only", default="", help="comma-separated row numbers, e.g. 2,3")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the Markdown table")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (default: torch's own choice, as the app runs)"
    )
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    groups = suite(args.quick)
    asked = [g.strip() for g in args.only.split(",") if g.strip()]
    chosen = [key for key in groups if not asked or any(_selects(token, key) for token in asked)]
    unknown = sorted(token for token in asked if not any(_selects(token, key) for key in groups))
    if unknown:
        parser.error(f"no row {', '.join(unknown)}; rows are {', '.join(groups)}")

    started = time.perf_counter()
    rows: list[Row] = []
    for number in chosen:
        for bench in groups[number]:
            started_at, load, cores = time.perf_counter(), os.getloadavg()[0], os.cpu_count() or 1
            try:
                result = bench()
            except Exception as err:  # one broken benchmark must not hide the others
                last = traceback.format_exc().strip().splitlines()[-3:]
                result = Row(f"{number}. (error)", "error", "–", None, "–", False, [f"{err!r}: {' / '.join(last)}"])
            new_rows = result if isinstance(result, list) else [result]
            load = max(load, os.getloadavg()[0])
            if load > cores and number not in MEMORY_ONLY:  # say so beside the figures it disturbed
                new_rows[0].notes.append(
                    f"The machine was busy during this row (load average up to {load:.1f} on {cores} cores): the "
                    "absolute figures are slower than this machine can do; the interleaved ratios hold better."
                )
            rows += new_rows
            for row in new_rows:
                print(f"[{time.perf_counter() - started_at:5.1f} s] {row.name}: {row.measured} vs {row.reference}",
                      file=sys.stderr, flush=True)  # fmt: skip
    table = markdown_table(rows, machine(), time.perf_counter() - started, args.quick)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table)
    print(f"written to {args.out}", file=sys.stderr)
    return table


if __name__ == "__main__":
    main()

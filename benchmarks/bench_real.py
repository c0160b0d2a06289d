"""Row 11: default settings against the naive forecast on the twelve real public series.

For each series, the app's default pipeline (detected columns, the default window settings with the auto target
transform, ``ModelConfig()``, ``TrainConfig()``) is trained with seeds 0, 1 and 2, and scored on the test
split: the ratio of the model's MASE to the naive forecast's (below 1 beats repeating the last value).
Every series is reported, losses included.

Two settings follow the data here as the app makes them follow it: the window and horizon are the app's
default for the series (``window_fit.settings_for_series``, as the Windows page and ``python -m lstmlab
fit`` choose them), and a series with more than ``MANY_WINDOWS`` training windows samples that many per
epoch (the Train page's "windows per epoch").
"""

from __future__ import annotations

import statistics
import time
from importlib import resources
from pathlib import Path

from benchmarks.common import Row

ROOT = Path(__file__).resolve().parents[1]
SERIES = (
    *(f"lstmlab/samples/{name}" for name in ("airline-passengers.csv", "daily-min-temperatures.csv", "pollution.csv")),
    *(f"tests/data/{name}" for name in (
        "daily-total-female-births.csv", "monthly-car-sales.csv", "monthly-mean-temp.csv", "monthly-robberies.csv",
        "monthly-shampoo-sales.csv", "monthly-sunspots.csv", "monthly-writing-paper-sales.csv",
        "monthly_champagne_sales.csv", "yearly-water-usage.csv",
    )),
)  # fmt: skip
MANY_WINDOWS = 8192
TARGET_SHARE, TARGET_WORST = 0.75, 1.3


def score_series(path: Path, seed: int) -> dict:
    """Test MASE of the model and of naive for one series and seed, with the settings used."""
    from lstmlab.config import ModelConfig, TrainConfig
    from lstmlab.data import read_table
    from lstmlab.pipeline import build_run, score_run, train_run
    from lstmlab.prepare import infer_spec, prepare_series
    from lstmlab.window_fit import settings_for_series

    table = read_table(path.read_bytes(), path.name)
    series = prepare_series(table, infer_spec(table))
    window = settings_for_series(series.length, series.time).config  # the app's and the CLI's default
    train = TrainConfig(seed=seed, max_windows=MANY_WINDOWS if series.length > 2 * MANY_WINDOWS else 0)
    trained = train_run(build_run(series, window, ModelConfig(), train))
    metrics = score_run(trained, series)
    test = metrics[metrics.split == "test"].set_index("forecast")
    return {
        "rows": series.length,
        "window": window.window,
        "test windows": len(trained.splits["test"]),
        "transform": str(trained.run.scaler.target_transform),
        "ratio": float(test.loc["model", "MASE"] / test.loc["naive", "MASE"]),
        "drift ratio": float(test.loc["drift", "MASE"] / test.loc["naive", "MASE"]),
        "epochs": trained.run.history.epochs_run,
    }


def bench_real(seeds: tuple[int, ...] = (0, 1, 2), series: tuple[str, ...] = SERIES, progress=None) -> Row:
    """The row; ``progress(line)`` hears each series' line as it is measured."""
    name = "11. default settings vs naive on real series (test MASE model / naive)"
    started, lines, ratios = time.perf_counter(), [], []
    for relative in series:
        path = ROOT / relative
        if not path.exists():  # an installed lstmlab keeps its samples beside the package
            path = Path(str(resources.files("lstmlab").joinpath("samples", Path(relative).name)))
        runs = [score_series(path, seed) for seed in seeds]
        first = runs[0]
        spread = [r["ratio"] for r in runs]
        ratios.append(first["ratio"])
        lines.append(
            f"{path.name}: {first['rows']:,} rows, window {first['window']}, {first['test windows']} test windows, "
            f"{first['transform']}: ratio {first['ratio']:.3f} (seed {seeds[0]}), seeds {seeds[0]}-{seeds[-1]} "
            f"{min(spread):.3f}-{max(spread):.3f} (median {statistics.median(spread):.3f}); drift/naive "
            f"{first['drift ratio']:.3f}"
        )
        if progress:
            progress(lines[-1])
    wins = sum(r < 1 for r in ratios)
    worst = max(ratios)
    passed = wins >= TARGET_SHARE * len(ratios) and worst <= TARGET_WORST
    took = f"Seed {seeds[0]} decides the count; {time.perf_counter() - started:.0f} s for {len(series)} series × "
    took += f"{len(seeds)} seeds."
    return Row(
        name,
        f"{wins}/{len(ratios)} below 1, worst {worst:.2f}×",
        "naive (the window's last value)",
        worst,
        f"≥ {TARGET_SHARE:.0%} below 1, none above {TARGET_WORST:g}×",
        passed,
        [*lines, took],
    )


if __name__ == "__main__":
    import sys

    row = bench_real(progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"{row.name}: {row.measured} (target {row.target}: {'met' if row.passed else 'missed'})")
    for note in row.notes:
        print(f"- {note}")

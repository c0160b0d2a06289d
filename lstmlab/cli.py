"""The app's pipeline from the shell: ``python -m lstmlab fit FILE [options]``.

Reads the file as the Data page does, takes the app's defaults for every setting not given, trains as
the Train page does (progress bar on stderr) and prints the Predictions page's metrics table (every
split, every forecast) on stdout, or one JSON object with ``--json``. A file it cannot use exits with
status 2 and the message the app shows. Names from the file reach the terminal through ``visible``: a header
holding escape sequences or bidi marks is written out, never obeyed; the JSON keeps them exact (escaped by JSON).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, replace
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from lstmlab.column_policies import column_roles
from lstmlab.config import DataSpec, ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.data import DataError, read_table
from lstmlab.metrics import METRIC_COLUMNS
from lstmlab.pipeline import build_run, score_run, train_run
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.safetext import visible
from lstmlab.train import EpochReport
from lstmlab.window_fit import settings_for_series

TRANSFORMS = {"auto": Transform.AUTO, "levels": Transform.LEVELS, "difference": Transform.DIFFERENCE,
              "window": Transform.WINDOW}  # fmt: skip
BAR_WIDTH = 30


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m lstmlab", description="LSTM Lab's pipeline from the shell.")
    commands = parse.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="train a model on a table with the app's defaults and print its metrics")
    fit.add_argument("file", type=Path, help="a CSV, TSV or Parquet table")
    fit.add_argument("--target", nargs="+", metavar="COL", help="target column(s) (default: the app's)")
    fit.add_argument("--features", nargs="+", metavar="COL", help="feature column(s) (default: every numeric one)")
    fit.add_argument("--time", nargs="+", metavar="COL", help="time column(s) (default: detected)")
    defaults, train = WindowConfig(), TrainConfig()
    fit.add_argument("--window", type=int, metavar="N",
                     help="steps in (default: the app's, fitted to the series' length and season)")  # fmt: skip
    fit.add_argument("--horizon", type=int, default=defaults.horizon, metavar="N", help="steps ahead (%(default)s)")
    fit.add_argument("--transform", choices=list(TRANSFORMS), default="auto", help="what the model learns (auto)")
    fit.add_argument("--epochs", type=int, default=train.epochs, metavar="N", help="at most (%(default)s)")
    fit.add_argument("--seed", type=int, default=train.seed, metavar="N", help="(%(default)s)")
    fit.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return parse


def data_spec(table, target, features, time) -> DataSpec:
    """The Data page's detected choices, with the columns given on the command line instead."""
    spec = infer_spec(table)
    if time:
        roles = column_roles(table, tuple(time))
        detected = roles.numeric or roles.counters
        spec = replace(spec, time_columns=tuple(time), features=detected, targets=detected[:1])
    if features:
        spec = replace(spec, features=tuple(features), targets=spec.targets if target else tuple(features[:1]))
    if target:
        spec = replace(spec, targets=tuple(target))
    return spec


def window_config(series, window: int | None, horizon: int, transform: Transform) -> WindowConfig:
    """The given window, or the app's default for this series (``settings_for_series``, as the Windows page)."""
    base = WindowConfig(horizon=horizon, transform=transform)
    if window is not None:
        return replace(base, window=window)
    fit = settings_for_series(series.length, series.time, base=base)
    if fit.too_short:
        raise DataError(fit.message)
    return fit.config


def progress_bar(stream: TextIO):
    """``on_epoch`` and ``on_step`` callbacks drawing one self-overwriting line on ``stream``."""

    def draw(done: float, text: str) -> None:
        filled = round(BAR_WIDTH * min(max(done, 0.0), 1.0))
        stream.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}\x1b[K")
        stream.flush()

    def on_step(epoch: int, batch: int, n_batches: int) -> None:
        draw((epoch - 1 + batch / n_batches) / epochs[0], f"epoch {epoch}, batch {batch}/{n_batches}")

    def on_epoch(report: EpochReport) -> None:
        epochs[0] = report.epochs
        val = f"{report.val_loss:.4g}" if report.val_loss is not None else "-"
        draw(report.epoch / report.epochs, f"epoch {report.epoch}/{report.epochs} train {report.train_loss:.4g} "
             f"val {val}")  # fmt: skip

    epochs = [1]
    return on_epoch, on_step


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple):
        return list(value)
    return value


def report(series, trained, metrics) -> dict[str, Any]:
    """The JSON object: rows, targets, settings (the transform resolved, with why) and the metrics rows."""
    run = trained.run
    settings = {
        "time": list(run.data_spec.time_columns),
        "features": list(run.data_spec.features),
        **{k: _plain(v) for k, v in asdict(run.window_config).items()},
        "transform_used": _plain(run.scaler.target_transform),
        "transform_reason": run.scaler.reason,
        **{k: _plain(v) for k, v in asdict(run.model_config).items()},
        **{k: _plain(v) for k, v in asdict(run.train_config).items()},
        "epochs_run": run.history.epochs_run,
    }
    rows = [
        {"target": row["target"], "split": row["split"], "forecast": row["forecast"], "windows": int(row["windows"]),
         **{c.replace(" %", ""): _plain(float(row[c])) for c in METRIC_COLUMNS}}
        for row in metrics.to_dict("records")
    ]  # fmt: skip
    return {"rows": series.length, "targets": list(run.target_names), "settings": settings, "metrics": rows}


def fit_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        err.write(f"{visible(args.file)}: cannot be read ({visible(error.strerror or error)}).\n")
        return 2
    try:
        table = read_table(data, args.file.name)
        spec = data_spec(table, args.target, args.features, args.time)
        series = prepare_series(table, spec)
        window = window_config(series, args.window, args.horizon, TRANSFORMS[args.transform])
        train = TrainConfig(epochs=args.epochs, seed=args.seed)
        trained = build_run(series, window, ModelConfig(), train, spec, (args.file.name, ""))
        if len(trained.splits["train"]) == 0:
            raise DataError("there are no training windows: use a shorter window or horizon, or more data.")
    except ValueError as error:  # DataError, and settings the series cannot take
        err.write(f"{visible(args.file.name)}: {_message(error)}\n")
        return 2
    on_epoch, on_step = progress_bar(err)
    train_run(trained, on_epoch=on_epoch, on_step=on_step)
    err.write(f"\n{trained.run.history.stopped}\n" if trained.run.history.stopped else "\n")
    metrics = score_run(trained, series)
    if args.json:
        out.write(json.dumps(report(series, trained, metrics), allow_nan=False) + "\n")
    else:
        scaler = trained.run.scaler
        why = scaler.reason or f"transform: {scaler.target_transform}"
        targets = ", ".join(map(visible, series.target_names))
        out.write(f"{visible(args.file.name)}: {series.length:,} rows, targets {targets}; {why}\n")
        table = metrics.drop(columns="MAPE zeros skipped").assign(target=metrics["target"].map(visible))
        out.write(table.to_string(index=False, float_format="{:.4g}".format))
        out.write("\n")
    return 0


def _message(error: Exception) -> str:
    """A library message for the terminal: its lines kept, any control character in them written out."""
    return "\n".join(visible(line, None) for line in str(error).split("\n"))


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (2 for a file or settings it cannot use)."""
    args = parser().parse_args(argv)
    return fit_command(args, out or sys.stdout, err or sys.stderr)

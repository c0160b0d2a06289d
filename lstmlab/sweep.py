"""Window sweep: one short run per window size (and hidden size), in parallel on the machine's cores.

``run_sweep`` plans the settings, skips those whose window leaves a split empty (with the reason),
and trains the rest (``lstmlab.sweep_run``) in a process pool (``lstmlab.sweep_pool``) or one after
another in the caller's process. On CUDA the runs train on the device. Progress reaches
``on_progress`` in the caller's thread; setting ``stop`` ends the sweep: runs not started are left
out, runs in flight stop after their current epoch, finished runs are kept. A run whose loss turns
non-finite is marked diverged and the sweep goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd
import torch

from lstmlab.baselines import detect_season
from lstmlab.config import ModelConfig, TrainConfig, WindowConfig
from lstmlab.sweep_pool import machine_cores, pool_size, run_in_pool
from lstmlab.sweep_run import Progress, Setting, Status, SweepContext, SweepRun, train_setting
from lstmlab.train import resolve_device
from lstmlab.windows import SPLITS, count_windows, split_bounds


@dataclass
class SweepResult:
    runs: list[SweepRun]
    workers: int  # processes in the pool; 0 when the runs went one after another in the caller's process
    threads_per_worker: int
    device: str
    season: int
    seconds: float

    def table(self) -> pd.DataFrame:
        """One row per setting: status, reason, model and baseline MASE on validation and test."""
        rows = []
        for run in self.runs:
            epochs = run.history.epochs_run if run.history else 0
            rows.append({"window": run.setting.window, "hidden": run.setting.h_size, "status": str(run.status),
                         **{f"{k} MASE": v for k, v in run.metrics.items()}, "epochs": epochs,
                         "reason": run.reason})  # fmt: skip
        return pd.DataFrame(rows)


def settings_for(windows: Sequence[int], h_sizes: Sequence[int] | None, base: ModelConfig) -> list[Setting]:
    return [Setting(int(w), int(h)) for w in windows for h in (h_sizes or [base.h_size])]


def why_skipped(length: int, window: WindowConfig) -> str:
    """The reason a window cannot work on a series of ``length`` rows, or "" when it can."""
    if window.window < 1:
        return f"window {window.window} is below 1."
    if min(window.val_fraction, window.test_fraction) < 0 or window.val_fraction + window.test_fraction >= 1:
        return "validation and test fractions must be at least 0 and add up to less than 1."
    bounds = split_bounds(length, window)
    for name in SPLITS:
        start, stop = bounds[name]
        if count_windows(stop - start, window.window, window.horizon, window.stride) == 0:
            return (f"window {window.window} + horizon {window.horizon} leaves the {name} split "
                    f"({stop - start} rows) without a window.")  # fmt: skip
    return ""


def run_sweep(
    values: np.ndarray,
    targets: Sequence[int],
    window: WindowConfig,
    model: ModelConfig,
    train: TrainConfig,
    windows: Sequence[int],
    h_sizes: Sequence[int] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    workers: int | None = None,
    season: int | None = None,
    target: int = 0,
) -> SweepResult:
    """Train one run per window size (× hidden size) on ``values`` (T, F, original units).

    The other settings come from ``window``, ``model`` and ``train``. ``workers``: None sizes the pool to
    the machine, 0 trains one run after another in this process. ``season`` defaults to the training
    split's autocorrelation season (the seasonal naive baseline's). MASE is for target column ``target``.
    """
    started = time.perf_counter()
    values = np.asarray(values)
    targets = tuple(int(t) for t in targets)
    if values.ndim != 2 or not targets:
        raise ValueError("values must be a (time, feature) array and targets a non-empty list of columns.")
    device = resolve_device(train.device)
    train = replace(train, device=str(device))
    if season is None:
        start, stop_row = split_bounds(len(values), window)["train"]
        season = detect_season(None, np.asarray(values[start:stop_row, targets[target]], dtype=np.float64))
    ctx = SweepContext(values, targets, window, model, train, int(season), target)
    settings = settings_for(windows, h_sizes, model)
    runs: list[SweepRun | None] = [None] * len(settings)
    notify = on_progress or (lambda p: None)
    todo = []
    for i, setting in enumerate(settings):
        reason = why_skipped(len(values), replace(window, window=setting.window))
        if reason:
            runs[i] = SweepRun(setting, Status.SKIPPED, reason)
            notify(Progress(i, setting, run=runs[i]))
        else:
            todo.append(i)
    stop = stop or threading.Event()
    n_workers = pool_size(len(todo)) if workers is None else workers
    threads = max(1, machine_cores() // max(n_workers, 1))
    if n_workers == 0 or not todo:

        def report(i: int, epoch: int, epochs: int, val_loss: float | None) -> None:
            notify(Progress(i, settings[i], epoch, epochs, val_loss))

        for i in todo:
            if stop.is_set():
                runs[i] = SweepRun(settings[i], Status.NOT_RUN, "the sweep was stopped first.")
            else:
                runs[i] = _guarded(partial(train_setting, ctx, i, settings[i], report, stop.is_set), settings[i])
            notify(Progress(i, settings[i], run=runs[i]))
    else:
        run_in_pool(ctx, settings, todo, runs, notify, stop, n_workers, threads)
    return SweepResult(runs, n_workers, threads if n_workers else torch.get_num_threads(), str(device), int(season),
                       time.perf_counter() - started)  # fmt: skip


def _guarded(job: Callable[[], SweepRun], setting: Setting) -> SweepRun:
    try:
        return job()
    except (ValueError, RuntimeError) as error:  # a bad setting or an out-of-memory device: this run only
        return SweepRun(setting, Status.FAILED, str(error))

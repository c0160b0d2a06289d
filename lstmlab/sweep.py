"""Window sweep: one short run per window size (and hidden size), in parallel on the machine's cores.

Runs go to a process pool sized to the machine (``pool_size``), each worker with ``cores // workers``
torch threads so the total stays at the core count; workers start from a forkserver that has imported
torch once. On CUDA the workers train on the device. Progress comes back per epoch through a queue
and reaches ``on_progress`` in the caller's thread; setting ``stop`` ends the sweep: runs not started
are left out, runs in flight stop after their current epoch, finished runs are kept. A setting whose
window leaves a split empty is skipped with the reason; a run whose loss turns non-finite is marked
diverged and the sweep goes on.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial

import numpy as np
import pandas as pd
import torch

from lstmlab.baselines import detect_season, naive_forecast, seasonal_naive_forecast, target_steps
from lstmlab.config import ModelConfig, TrainConfig, WindowConfig
from lstmlab.metrics import mase
from lstmlab.model import SimpleRNN, predict
from lstmlab.train import History, fit, resolve_device
from lstmlab.windows import SPLITS, count_windows, scale_series, split_bounds, window_splits

DIVERGED_PREFIX = "The training loss became"  # how lstmlab.train.fit words a non-finite loss


class Status(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    DIVERGED = "diverged"
    STOPPED = "stopped"  # stopped mid-run: the weights of its best epoch so far are kept
    NOT_RUN = "not run"  # the sweep was stopped before it started
    FAILED = "failed"


@dataclass(frozen=True)
class Setting:
    window: int
    h_size: int


@dataclass
class SweepRun:
    """One setting's outcome; ``state`` holds the trained weights so the run can be opened."""

    setting: Setting
    status: Status
    reason: str = ""
    metrics: dict[str, float] = field(default_factory=dict)  # "model val", "naive test", ... MASE
    history: History | None = None
    state: dict[str, np.ndarray] | None = None
    window_config: WindowConfig | None = None
    model_config: ModelConfig | None = None

    def model(self, n_features: int, output_size: int) -> SimpleRNN:
        """The trained model, rebuilt from its weights."""
        if self.state is None:
            raise ValueError(f"the run for window {self.setting.window} has no weights ({self.status}).")
        model = SimpleRNN.from_config(n_features, self.setting.window, output_size, self.model_config)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in self.state.items()})
        return model.eval()


@dataclass(frozen=True)
class Progress:
    """What ``on_progress`` sees: an epoch of one run (``run`` None), or a run's final outcome."""

    index: int
    setting: Setting
    epoch: int = 0
    epochs: int = 0
    val_loss: float | None = None
    run: SweepRun | None = None


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


@dataclass(frozen=True)
class _Context:
    """Everything a run needs besides its setting: sent to each worker once."""

    values: np.ndarray  # (T, F) original units
    targets: tuple[int, ...]
    window: WindowConfig
    model: ModelConfig
    train: TrainConfig
    season: int
    target: int  # which target column the MASE is reported for


def pool_size(n_runs: int, cores: int | None = None) -> int:
    """Workers for ``n_runs``: one per core, never more than runs."""
    cores = cores or machine_cores()
    return max(1, min(n_runs, cores))


def machine_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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


def _mase_by_split(ctx: _Context, window: WindowConfig, model: SimpleRNN | None, splits: dict) -> dict[str, float]:
    """MASE of the model (if given) and both baselines on validation and test, in original units."""
    targets = np.asarray(ctx.values[:, list(ctx.targets)], dtype=np.float64)  # (T, K)
    start, stop = split_bounds(len(ctx.values), window)["train"]
    train = targets[start:stop, ctx.target]
    out = {}
    for split, short in (("validation", "val"), ("test", "test")):
        rows, h = splits[split].target_rows, window.horizon
        actual = target_steps(targets, rows, h)[..., ctx.target]
        forecasts = {"naive": naive_forecast(targets, rows, h), "seasonal naive": seasonal_naive_forecast(
            targets, rows, h, ctx.season)}  # fmt: skip
        if model is not None:
            scaled = predict(model, splits[split].x, h).numpy().astype(np.float64)
            forecasts["model"] = splits["scaler"].inverse(scaled, ctx.targets, splits[split].last)
        for name, predicted in forecasts.items():
            out[f"{name} {short}"] = mase(actual, predicted[..., ctx.target], train)
    return out


def _train_one(ctx: _Context, index: int, setting: Setting, report: Callable, stopping: Callable) -> SweepRun:
    """Train and score one setting; ``report(index, epoch, epochs, val_loss)``, ``stopping()`` → bool."""
    window = replace(ctx.window, window=setting.window)
    model_config = replace(ctx.model, h_size=setting.h_size)
    scaled = scale_series(ctx.values, ctx.targets, window)
    splits = {**window_splits(scaled, window), "scaler": scaled.scaler}
    model = SimpleRNN.from_config(ctx.values.shape[1], setting.window, window.horizon * len(ctx.targets),
                                  model_config, seed=ctx.train.seed)  # fmt: skip

    def on_epoch(r: object) -> bool:
        report(index, r.epoch, r.epochs, r.val_loss)
        return stopping()

    val = (splits["validation"].x, splits["validation"].y)
    history = fit(model, splits["train"].x, splits["train"].y, ctx.train, on_epoch=on_epoch, val=val)
    metrics = _mase_by_split(ctx, window, model.cpu(), splits)
    status, reason = Status.DONE, history.stopped
    if history.stopped.startswith(DIVERGED_PREFIX) or not math.isfinite(metrics["model val"]):
        status = Status.DIVERGED
    elif history.stopped.startswith("Stopped by the user"):
        status = Status.STOPPED
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    return SweepRun(setting, status, reason, metrics, history, state, window, model_config)


# ---- the pool's workers: each process gets its context, queue and stop flag once, at start ----------
_worker: dict[str, object] = {}  # process-local, filled by _init_worker in each worker process only


def _init_worker(ctx: _Context, progress: object, stop: object, threads: int) -> None:
    torch.set_num_threads(threads)
    _worker.update(ctx=ctx, progress=progress, stop=stop)


def _pool_job(index: int, setting: Setting) -> SweepRun:
    progress, stop = _worker["progress"], _worker["stop"]
    try:
        return _train_one(_worker["ctx"], index, setting, lambda *a: progress.put(a), stop.is_set)
    finally:
        progress.put((index, 0, 0, None))  # epoch 0: this run's last report (the queue keeps their order)


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """An empty ``__main__`` while worker processes start.

    forkserver and spawn workers re-import the parent's ``__main__`` by its path. Under Streamlit that is
    the app script (and after an AppTest, a page), which must not run again in a worker.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _start_context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["lstmlab.sweep"])  # torch imported once, in the server
        return ctx
    return mp.get_context("spawn")


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
    ctx = _Context(values, targets, window, model, train, int(season), target)
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
                runs[i] = _guarded(partial(_train_one, ctx, i, settings[i], report, stop.is_set), settings[i])
            notify(Progress(i, settings[i], run=runs[i]))
    else:
        _run_pool(ctx, settings, todo, runs, notify, stop, n_workers, threads)
    return SweepResult(runs, n_workers, threads if n_workers else torch.get_num_threads(), str(device), int(season),
                       time.perf_counter() - started)  # fmt: skip


def _guarded(job: Callable[[], SweepRun], setting: Setting) -> SweepRun:
    try:
        return job()
    except (ValueError, RuntimeError) as error:  # a bad setting or an out-of-memory device: this run only
        return SweepRun(setting, Status.FAILED, str(error))


def _run_pool(ctx: _Context, settings: list[Setting], todo: list[int], runs: list, notify: Callable,
              stop: threading.Event, n_workers: int, threads: int) -> None:
    """Submit every runnable setting to a pool and collect outcomes and progress until done or stopped."""
    with _plain_main():  # workers start (and import the parent's __main__) while these run
        start = _start_context()
        progress, stop_flag = start.Queue(), start.Event()
        pool = ProcessPoolExecutor(n_workers, mp_context=start, initializer=_init_worker,
                                   initargs=(ctx, progress, stop_flag, threads))  # fmt: skip
        futures: dict[Future, int] = {pool.submit(_pool_job, i, settings[i]): i for i in todo}
    with pool:
        pending, finished, closed = set(futures), {}, set()
        while pending or finished:
            if stop.is_set() and not stop_flag.is_set():
                stop_flag.set()  # runs in flight end after their current epoch
                for future in pending:
                    future.cancel()
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            closed |= _drain(progress, settings, notify)
            finished.update({future: time.perf_counter() for future in done})
            for future, since in list(finished.items()):
                i = futures[future]
                # A run's outcome is passed on after its last epoch report, which travels by the queue.
                if i in closed or future.cancelled() or future.exception() or time.perf_counter() - since > 5:
                    runs[i] = _outcome(future, settings[i])
                    if stop.is_set() and runs[i].status is Status.FAILED:  # torn down by the user's Stop
                        runs[i] = SweepRun(settings[i], Status.STOPPED, f"stopped ({runs[i].reason})")
                    notify(Progress(i, settings[i], run=runs[i]))
                    del finished[future]


def _outcome(future: Future, setting: Setting) -> SweepRun:
    if future.cancelled():
        return SweepRun(setting, Status.NOT_RUN, "the sweep was stopped first.")
    try:
        return future.result()
    except BrokenProcessPool:
        return SweepRun(setting, Status.FAILED, "its worker process ended unexpectedly (out of memory?).")
    except Exception as error:  # the worker's own error, re-raised here: this run fails, the sweep goes on
        return SweepRun(setting, Status.FAILED, f"{type(error).__name__}: {error}")


def _drain(progress: object, settings: list[Setting], notify: Callable) -> set[int]:
    """Pass on the epoch reports waiting in the queue; the runs whose last report came."""
    closed = set()
    while True:
        try:
            i, epoch, epochs, val_loss = progress.get_nowait()
        except queue.Empty:
            return closed
        if epoch == 0:
            closed.add(i)
        else:
            notify(Progress(i, settings[i], epoch, epochs, val_loss))

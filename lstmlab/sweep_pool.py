"""Running a sweep's settings in a process pool sized to the machine, with progress and stop.

Runs go to a process pool sized to the machine (``pool_size``), each worker with ``cores // workers``
torch threads so the total stays at the core count; workers start from a forkserver that has imported
torch once. Progress comes back per epoch through a queue and reaches ``notify`` in the caller's
thread; setting ``stop`` ends the runs not started as soon as the pool hands them over, and runs in
flight after their current epoch. A worker that fails or dies fails its run only.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import torch

from lstmlab.sweep_run import Progress, Setting, Status, SweepContext, SweepRun, train_setting


def pool_size(n_runs: int, cores: int | None = None) -> int:
    """Workers for ``n_runs``: one per core, never more than runs."""
    cores = cores or machine_cores()
    return max(1, min(n_runs, cores))


def machine_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---- the pool's workers: each process gets its context, queue and stop flag once, at start ----------
_worker: dict[str, object] = {}  # process-local, filled by _init_worker in each worker process only


def _init_worker(ctx: SweepContext, progress: object, stop: object, threads: int) -> None:
    torch.set_num_threads(threads)
    _worker.update(ctx=ctx, progress=progress, stop=stop)


def _pool_job(index: int, setting: Setting) -> SweepRun:
    progress, stop = _worker["progress"], _worker["stop"]
    try:
        if stop.is_set():  # queued when Stop came: the pool hands it over only to have it end at once
            return SweepRun(setting, Status.NOT_RUN, "the sweep was stopped first.")
        return train_setting(_worker["ctx"], index, setting, lambda *a: progress.put(a), stop.is_set)
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
        ctx.set_forkserver_preload(["lstmlab.sweep_pool"])  # torch imported once, in the server
        return ctx
    return mp.get_context("spawn")


def run_in_pool(ctx: SweepContext, settings: list[Setting], todo: list[int], runs: list, notify: Callable,
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
                # Runs in flight end after their current epoch, queued ones at once. No future is cancelled
                # here: Python 3.11's pool, breaking after a cancel, fails setting a cancelled future and
                # leaves every other one pending for good.
                stop_flag.set()
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

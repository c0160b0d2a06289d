"""Training off the caller's thread: one daemon worker per ``start_fit`` call, read safely from pages.

The worker runs ``lstmlab.train.fit`` and is the only code that changes the model's weights. Readers
(a page rerun, a fragment) see what the worker published under a lock at each epoch boundary: the last
``EpochReport`` and a CPU copy of that epoch's weights. A stop is checked between batches (through
``fit``'s ``on_step``) and between epochs; a stop inside an epoch throws that epoch away, leaving the
model exactly as a stop at the end of the previous epoch would have. Nobody tells a web app that a tab
was closed, so the worker also stops itself when nobody has called ``touch()`` for a while.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import torch
from torch import nn

from lstmlab.config import TrainConfig
from lstmlab.replay import Replay, cpu_state
from lstmlab.train import EpochReport, History, fit

HEARTBEAT_SECONDS = 120.0  # a hidden browser tab may run its refresh timer only once a minute
_numbers = count(1)


class _Stopped(Exception):
    """Raised from ``on_step`` to leave ``fit`` in the middle of an epoch."""


@dataclass(frozen=True)
class WeightsSnapshot:
    """The model's weights at the end of ``epoch`` (0: before training), on the CPU; read-only."""

    epoch: int
    state: dict[str, torch.Tensor]


def _frozen_report(report: EpochReport) -> EpochReport:
    """The report with a copy of its history, which ``fit`` keeps changing after the callback."""
    history = dataclasses.replace(
        report.history, train_loss=list(report.history.train_loss), val_loss=list(report.history.val_loss)
    )
    return dataclasses.replace(report, history=history)


class Training:
    """A ``fit`` running in its own daemon thread; every public method may be called from any thread."""

    def __init__(
        self,
        model: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        config: TrainConfig,
        val: tuple[torch.Tensor, torch.Tensor] | None = None,
        heartbeat_seconds: float | None = HEARTBEAT_SECONDS,
        replay: Replay | None = None,
        on_epoch: Callable[[EpochReport], bool | None] | None = None,
        on_step: Callable[[int, int, int], None] | None = None,
    ) -> None:
        self.config = config
        self.heartbeat_seconds = heartbeat_seconds
        self._model, self._replay, self._on_epoch, self._on_step = model, replay, on_epoch, on_step
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._why_stopped = ""
        self._touched = time.monotonic()
        self._started = time.perf_counter()
        self._latest: EpochReport | None = None
        self._template = copy.deepcopy(model).cpu().eval()  # for readers' model copies; never trained
        self._template.zero_grad(set_to_none=True)  # a copy of the weights, not of old gradients
        self._snapshot = WeightsSnapshot(0, self._template.state_dict())  # shares the template's tensors
        self._best = self._snapshot  # the weights fit would keep if it were stopped now
        self._history: History | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(x, y, val), name=f"lstmlab-training-{next(_numbers)}", daemon=True
        )
        self._thread.start()

    # --- what readers call ----------------------------------------------------------------------

    @property
    def latest(self) -> EpochReport | None:
        """The last finished epoch's report (its history a copy), or None before the first."""
        with self._lock:
            return self._latest

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        """True once a stop was asked for (by ``stop``, the heartbeat or ``on_epoch``)."""
        return self._stop.is_set()

    @property
    def error(self) -> BaseException | None:
        """What the worker raised, once it has ended; None when it finished or stopped normally."""
        return self._error if self.done else None

    @property
    def thread_name(self) -> str:
        return self._thread.name

    def touch(self) -> None:
        """Say that someone is still watching; call it on every page rerun."""
        with self._lock:
            self._touched = time.monotonic()

    def stop(self) -> None:
        """Ask the worker to stop at its next batch or epoch boundary; returns at once."""
        self._request_stop("user")

    def snapshot(self) -> WeightsSnapshot:
        """The weights of the last finished epoch (epoch 0: the initial weights): consistent, on the CPU."""
        with self._lock:
            return self._snapshot

    def snapshot_model(self) -> nn.Module:
        """A CPU copy of the model holding ``snapshot()``'s weights, in eval mode: free to use anywhere."""
        model = copy.deepcopy(self._template)
        model.load_state_dict(self.snapshot().state)
        return model

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end (at most ``timeout`` seconds); True when it has."""
        self._thread.join(timeout)
        return self.done

    def result(self, timeout: float | None = None) -> History:
        """The ``History``, once the worker has ended; re-raises what the worker raised."""
        if not self.join(timeout):
            raise TimeoutError(f"training is still running after {timeout} s.")
        if self._error is not None:
            raise self._error
        assert self._history is not None
        return self._history

    # --- the worker ----------------------------------------------------------------------------

    def _request_stop(self, why: str) -> None:
        with self._lock:
            if not self._stop.is_set():
                self._why_stopped = why
                self._stop.set()

    def _should_stop(self) -> bool:
        if self.heartbeat_seconds is not None:
            with self._lock:
                idle = time.monotonic() - self._touched
            if idle > self.heartbeat_seconds:
                self._request_stop("heartbeat")
        return self._stop.is_set()

    def _epoch_done(self, report: EpochReport) -> bool:
        state = cpu_state(self._model)  # read by the worker itself, so never half an optimizer step
        snapshot = WeightsSnapshot(report.epoch, state)
        with self._lock:
            self._latest = _frozen_report(report)
            self._snapshot = snapshot
            if report.history.best_epoch == report.epoch:
                self._best = snapshot
        if self._replay is not None:
            self._replay.record(report.epoch, state)  # the same tensors: no second copy
        if self._on_epoch is not None and self._on_epoch(report):
            self._request_stop("user")
        return self._should_stop()

    def _step(self, epoch: int, batch: int, n_batches: int) -> None:
        if self._on_step is not None:
            self._on_step(epoch, batch, n_batches)
        if self._should_stop():
            raise _Stopped

    def _run(self, x: torch.Tensor, y: torch.Tensor, val: tuple[torch.Tensor, torch.Tensor] | None) -> None:
        try:
            try:
                history = fit(self._model, x, y, self.config, self._epoch_done, val, self._step)
            except _Stopped:
                history = self._discard_partial_epoch()
            if self._why_stopped == "heartbeat" and history.stopped:
                history.stopped = (
                    f"Stopped after {history.epochs_run} epochs: no page asked about this training for "
                    f"{self.heartbeat_seconds:g} s (the tab was probably closed)."
                )
            self._history = history
        except BaseException as err:  # handed to whoever calls result()
            self._error = err
            self._restore_best()  # an error inside an epoch must not leave half an optimizer step behind

    def _restore_best(self) -> None:
        with self._lock:
            best = self._best
        self._model.load_state_dict(best.state)
        self._model.eval()

    def _discard_partial_epoch(self) -> History:
        """After a stop inside an epoch: the weights and history ``fit`` keeps when stopped after the last one."""
        latest = self.latest
        self._restore_best()
        device = str(next(self._model.parameters()).device)
        history = History(device=device) if latest is None else _frozen_report(latest).history
        history.stopped = f"Stopped by the user during epoch {history.epochs_run + 1}; that epoch was discarded."
        history.seconds = time.perf_counter() - self._started  # speed stays that of the finished epochs
        return history


def start_fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig | None = None,
    val: tuple[torch.Tensor, torch.Tensor] | None = None,
    *,
    heartbeat_seconds: float | None = HEARTBEAT_SECONDS,
    replay: Replay | None = None,
    on_epoch: Callable[[EpochReport], bool | None] | None = None,
    on_step: Callable[[int, int, int], None] | None = None,
) -> Training:
    """Start ``fit(model, x, y, config, val=val)`` in a new daemon thread and return its handle at once.

    From then on only the worker changes ``model``; read it through ``Training.snapshot()`` or
    ``snapshot_model()``. ``replay`` records every epoch's weights. ``on_epoch`` and ``on_step`` run in
    the worker thread (``on_epoch`` returning True stops, as in ``fit``). With ``heartbeat_seconds``,
    the worker stops itself when ``touch()`` was not called for that long (None: never).
    """
    return Training(model, x, y, config or TrainConfig(), val, heartbeat_seconds, replay, on_epoch, on_step)

"""A trained run: the model with everything needed to rebuild its data, and the runs table."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

import pandas as pd

from lstmlab.config import DataSpec, ModelConfig, TrainConfig, WindowConfig
from lstmlab.devices import model_device, release_device_memory
from lstmlab.model import SimpleRNN
from lstmlab.safetext import visible
from lstmlab.train import History, resolve_device
from lstmlab.windows import Scaler


@dataclass
class Run:
    """One training run, kept in the user's session (never in a cache shared between users)."""

    number: int
    source_name: str
    source_digest: str
    data_spec: DataSpec
    window_config: WindowConfig
    model_config: ModelConfig
    train_config: TrainConfig
    columns: tuple[str, ...]  # the series' columns, in the model's feature order
    targets: tuple[int, ...]  # indices into columns
    scaler: Scaler
    model: SimpleRNN
    history: History

    @classmethod
    def create(
        cls,
        *,
        number: int,
        source_name: str,
        source_digest: str,
        data_spec: DataSpec,
        window_config: WindowConfig,
        model_config: ModelConfig,
        train_config: TrainConfig,
        columns: tuple[str, ...],
        targets: tuple[int, ...],
        scaler: Scaler,
        model: SimpleRNN,
        history: History | None = None,
    ) -> Run:
        """A run by keyword, checked: the model must read ``columns`` and predict horizon × ``targets``.

        Without ``history`` (a run about to train) it gets an empty one naming the device it trains on.
        """
        columns, targets = tuple(columns), tuple(int(t) for t in targets)
        if len(columns) != model.n_features:
            raise ValueError(f"the model reads {model.n_features} features, but {len(columns)} columns were given.")
        if not targets or not all(0 <= t < len(columns) for t in targets):
            raise ValueError(f"targets must index the {len(columns)} columns, got {list(targets)}.")
        if model.output_size != window_config.horizon * len(targets):
            raise ValueError(
                f"the model predicts {model.output_size} values, not horizon × targets = "
                f"{window_config.horizon} × {len(targets)}."
            )
        if history is None:
            history = History(device=str(resolve_device(train_config.device)))
        return cls(number, source_name, source_digest, data_spec, window_config, model_config, train_config,
                   columns, targets, scaler, model, history)  # fmt: skip

    @property
    def label(self) -> str:
        """Plain text naming the run; the file's name shown as ``visible`` text (a Markdown sink still wants
        ``safetext.md_text``)."""
        return (
            f"Run {self.number}: H={self.model_config.h_size}, {self.history.epochs_run} epochs on "
            f"{visible(self.source_name)}"
        )

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(self.columns[i] for i in self.targets)


@dataclass
class RunAtEpoch(Run):
    """A run with the weights of one epoch in place of its own: mid-training (its last finished epoch) or replayed."""

    epoch: int = 0
    total_epochs: int = 0
    training: bool = False  # True: the epoch is the latest one of a training still running

    @property
    def label(self) -> str:
        when = "training…" if self.training else "replayed"
        return (f"Run {self.number}: H={self.model_config.h_size}, epoch {self.epoch} of {self.total_epochs}, "
                f"{when} on {visible(self.source_name)}")  # fmt: skip

    @classmethod
    def of(cls, run: Run, model: SimpleRNN, epoch: int, total_epochs: int, training: bool = False) -> RunAtEpoch:
        """``run`` holding ``model`` (the weights of ``epoch``); ``run`` itself is not changed."""
        fields = {**vars(run), "model": model, "epoch": epoch, "total_epochs": total_epochs, "training": training}
        return cls(**fields)


class Interruption(Enum):
    """Why a run ended before its last epoch, as the runs table says it."""

    STOPPED = "Stopped by the user during epoch {epoch}; the weights are those of that moment."
    LEFT_PAGE = "Interrupted during epoch {epoch} (the page was left); the weights are those of that moment."


def end_interrupted(run: Run, why: Interruption) -> Run:
    """Close a run cut off mid-training: say why in its history, and leave its model ready to predict."""
    run.history.stopped = why.value.format(epoch=run.history.epochs_run + 1)
    run.model.eval()
    return run


def next_run_number(runs: Iterable[Run]) -> int:
    """One more than the highest number so far, so numbers stay unique in a session (1 for the first)."""
    return max((run.number for run in runs), default=0) + 1


# The runs table's columns: few and short, so that the table fits the page.
RUNS_SHOWN = ("run", "data", "window", "model", "lr · batch · loss", "best / epochs", "best val loss", "time", "note")
RUNS_DATA = ("device", "windows/s")  # numbers for scripts and comparisons, not shown in the page's table


def loss_texts(losses: Sequence[float | None], digits: int = 4) -> list[str]:
    """Losses as text with ``digits`` significant digits, more (up to 10) where two different losses would
    read the same; scientific below 0.001, so a small loss never rounds to "0.0001". None or not finite: "–"."""
    finite = [v for v in losses if v is not None and math.isfinite(v)]

    def text(v: float | None, d: int) -> str:
        if v is None or not math.isfinite(v):
            return "–"
        return f"{v:.{d - 1}e}" if v != 0 and abs(v) < 1e-3 else f"{v:.{d}g}"

    for d in range(digits, 11):
        if len({text(v, d) for v in finite}) == len(set(finite)):
            break
    return [text(v, d) for v in losses]


def describe_runs(runs: list[Run]) -> pd.DataFrame:
    """The runs table, one row per run, columns ``RUNS_SHOWN`` then ``RUNS_DATA``.

    Shown: data and targets (as ``visible`` text: no character hidden, long names shortened), settings
    folded into short texts (window → horizon; H × layers, init; learning rate · batch · loss), the best
    epoch of those run, the best validation loss as text that tells the runs apart (``loss_texts``),
    seconds and device, and why training ended early."""
    rows = []
    losses = loss_texts([run.history.best_loss for run in runs])
    for run, best in zip(runs, losses, strict=True):
        w, m, t = run.window_config, run.model_config, run.train_config
        rows.append(
            {
                "run": run.number,
                "data": f"{visible(run.source_name)}: {', '.join(map(visible, run.target_names))}",
                "window": f"{w.window} → {w.horizon}" + (f", stride {w.stride}" if w.stride != 1 else ""),
                "model": f"{m.cell.name} H {m.h_size} × {m.n_layers}" + (" bi" if m.bidirectional else "")
                + f", {m.init}",
                "lr · batch · loss": f"{t.lr:g} · {t.batch_size} · {t.loss}",
                "best / epochs": f"{run.history.best_epoch} / {run.history.epochs_run}",
                "best val loss": best,
                "time": f"{run.history.seconds:.1f} s, {run.history.device}",
                "note": run.history.stopped,
                "device": run.history.device,
                "windows/s": round(run.history.windows_per_second),
            }
        )
    return pd.DataFrame(rows, columns=[*RUNS_SHOWN, *RUNS_DATA])


def keep_on_cpu(run: Run) -> Run:
    """Move a finished run's weights to the CPU and hand its device memory back: a session keeps every run,
    and work that wants the GPU later gets a copy there (``lstmlab.devices.on_device``)."""
    device = model_device(run.model)
    run.model.cpu()
    release_device_memory(device)
    return run

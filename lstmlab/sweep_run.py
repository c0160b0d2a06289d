"""One setting of a window sweep: what it is, what it reports, and how it is trained and scored.

``train_setting`` trains one (window, hidden size) on the series in a ``SweepContext`` and scores it
with MASE against the naive and seasonal naive baselines, in original units, on validation and test.
It runs alike in a pool worker (``lstmlab.sweep_pool``) or in the caller's process; a run whose loss
turns non-finite is marked diverged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import torch

from lstmlab.baselines import naive_forecast, seasonal_naive_forecast, target_steps
from lstmlab.config import ModelConfig, TrainConfig, WindowConfig
from lstmlab.metrics import mase
from lstmlab.model import SimpleRNN, predict
from lstmlab.train import History, fit
from lstmlab.windows import scale_series, split_bounds, window_splits

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


@dataclass(frozen=True)
class SweepContext:
    """Everything a run needs besides its setting: sent to each worker once."""

    values: np.ndarray  # (T, F) original units
    targets: tuple[int, ...]
    window: WindowConfig
    model: ModelConfig
    train: TrainConfig
    season: int
    target: int  # which target column the MASE is reported for


def _mase_by_split(ctx: SweepContext, window: WindowConfig, model: SimpleRNN | None, splits: dict) -> dict[str, float]:
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


def train_setting(ctx: SweepContext, index: int, setting: Setting, report: Callable, stopping: Callable) -> SweepRun:
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

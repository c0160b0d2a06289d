"""Training: Adam on windowed data, early stopping on validation, progress through a callback.

The data moves to the device once, as a strided view of the series (not the N × window copy), and
batches are gathered there. A loss that turns NaN or infinite stops training and restores the weights
of the last finished epoch.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from lstmlab.config import Loss, TrainConfig
from lstmlab.devices import (  # noqa: F401 - the device helpers' historical home
    available_devices,
    describe_device,
    model_device,
    resolve_device,
    to_device,
)
from lstmlab.optim import make_optimizer

if TYPE_CHECKING:
    from lstmlab.background import Training

STEP_REPORT_SECONDS = 0.5


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0  # 1-based; 0 when no epoch finished
    best_loss: float = math.inf
    stopped: str = ""  # why training ended before the last epoch, in words
    seconds: float = 0.0
    windows_per_second: float = 0.0
    device: str = "cpu"

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)


@dataclass(frozen=True)
class EpochReport:
    """What the progress callback sees after each epoch."""

    epoch: int  # 1-based
    epochs: int
    train_loss: float
    val_loss: float | None
    windows_per_second: float  # this epoch's training speed
    history: History  # the live history, every finished epoch so far


def _loss_fn(loss: Loss) -> nn.Module:
    return nn.L1Loss() if loss is Loss.MAE else nn.MSELoss()


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss: Loss, batch_size: int = 1024) -> float:
    """Mean loss over all windows, batched on the model's device, without gradients."""
    fn, total, device = _loss_fn(loss), 0.0, model_device(model)
    model.eval()
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            xb = x[start : start + batch_size].to(device, torch.float32)
            yb = y[start : start + batch_size].to(device, torch.float32)
            pred = model(xb).reshape(xb.shape[0], -1)  # (B, H*K)
            total += fn(pred, yb.reshape(xb.shape[0], -1)).item() * xb.shape[0]
    model.train()
    return total / max(x.shape[0], 1)


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig | None = None,
    on_epoch: Callable[[EpochReport], bool | None] | None = None,
    val: tuple[torch.Tensor, torch.Tensor] | None = None,
    on_step: Callable[[int, int, int], None] | None = None,
) -> History:
    """Train ``model`` on windows x (N, W, F) → y (N, H, K); returns the loss history.

    ``on_epoch`` is called after every epoch; returning True stops training (the best weights so
    far are kept). With ``val`` and ``config.patience`` > 0, training stops early and the weights
    with the best validation loss are restored. ``on_step(epoch, batch, n_batches)`` is called at most
    every ``STEP_REPORT_SECONDS`` inside an epoch, so a long epoch still shows progress (and, in the
    app, can be interrupted).
    """
    config = config or TrainConfig()
    if x.shape[0] == 0:
        raise ValueError("there are no training windows: use a shorter window or a larger training split.")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x has {x.shape[0]} windows but y has {y.shape[0]}.")
    generator = torch.Generator().manual_seed(config.seed)  # local: other sessions' random state is theirs
    device = resolve_device(config.device)
    model.to(device).train()
    x, y = to_device(x.float(), device), y.float().to(device)  # once, not batch by batch
    if val is not None and val[0].shape[0]:
        val = (to_device(val[0].float(), device), val[1].float().to(device))
    else:
        val = None
    loss_fn = _loss_fn(config.loss)
    draw_states = getattr(model, "initial_states", None)  # the tutorial's random states, from our generator
    optimizer = make_optimizer(model.parameters(), config)  # torch's update code, without torch._dynamo (~73 MB)
    history = History(device=str(device))
    good_state = copy.deepcopy(model.state_dict())  # weights of the last finished epoch
    best_state, stale = good_state, 0
    n, started = x.shape[0], time.perf_counter()
    # A long series can sample a fresh random subset of its windows each epoch.
    per_epoch = min(n, config.max_windows) if config.max_windows > 0 else n
    n_batches, last_report = math.ceil(per_epoch / config.batch_size), started

    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=generator)[:per_epoch].to(device)
        total = torch.zeros((), device=device)
        for batch, start in enumerate(range(0, per_epoch, config.batch_size)):
            if on_step and time.perf_counter() - last_report > STEP_REPORT_SECONDS:
                on_step(epoch, batch, n_batches)
                last_report = time.perf_counter()
            idx = order[start : start + config.batch_size]
            xb, yb = x[idx], y[idx]  # (B, W, F), (B, H, K): gathered on the device
            pred = (model(xb, draw_states(idx.shape[0], generator)) if draw_states else model(xb)).reshape(
                idx.shape[0], -1
            )  # (B, H*K)
            loss = loss_fn(pred, yb.reshape(idx.shape[0], -1))
            optimizer.zero_grad()
            loss.backward()
            if config.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimizer.step()
            total += loss.detach() * idx.shape[0]
        train_loss = total.item() / per_epoch  # one sync per epoch
        speed = per_epoch / (time.perf_counter() - epoch_start)
        if not math.isfinite(train_loss):
            model.load_state_dict(good_state)
            history.stopped = (
                f"The training loss became {train_loss} in epoch {epoch}; stopped and kept the "
                "weights of the last good epoch. Try a lower learning rate or gradient clipping."
            )
            break
        good_state = copy.deepcopy(model.state_dict())
        val_loss = evaluate(model, *val, config.loss) if val is not None else None
        history.train_loss.append(train_loss)
        history.val_loss.append(val_loss if val_loss is not None else math.nan)
        score = val_loss if val_loss is not None and math.isfinite(val_loss) else train_loss
        if score < history.best_loss:
            history.best_loss, history.best_epoch, best_state, stale = score, epoch, good_state, 0
        else:
            stale += 1
        history.seconds = time.perf_counter() - started
        history.windows_per_second = per_epoch * epoch / history.seconds
        report = EpochReport(epoch, config.epochs, train_loss, val_loss, speed, history)
        if on_epoch and on_epoch(report):
            history.stopped = f"Stopped by the user after epoch {epoch}."
            break
        if val is not None and config.patience and stale >= config.patience:
            history.stopped = f"Early stop: no better validation loss for {config.patience} epochs."
            break

    if history.best_epoch:
        model.load_state_dict(best_state)
    history.seconds = time.perf_counter() - started
    history.windows_per_second = per_epoch * history.epochs_run / history.seconds
    model.eval()
    return history


def start_fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig | None = None,
    val: tuple[torch.Tensor, torch.Tensor] | None = None,
    **options: Any,
) -> Training:
    """``fit`` in a background thread; returns its ``Training`` handle at once (see ``lstmlab.background``)."""
    from lstmlab.background import start_fit as start  # here, not at the top: background imports this module

    return start(model, x, y, config, val, **options)

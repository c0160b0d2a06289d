"""Row 2: training throughput (windows per second) of ``lstmlab.train.fit`` against a hand-written loop.

Both train the same SimpleLSTM (same initial weights) on the same windows with the same batch size,
optimizer (Adam: ``fit`` calls torch's functional ``torch.optim.adam.adam``, the loop builds
``torch.optim.Adam``), loss (MSE) and clipping setting, one epoch per call, shuffled each epoch. Calls are
interleaved (fit, loop, fit, loop, ...) after a warm-up and the medians compared. The hand-written loop
gets its windows as one contiguous tensor already on the device, as a tutorial would have them.
"""

from __future__ import annotations

import copy
import os
import time

import numpy as np
import torch
from torch import nn

from benchmarks.common import Row, interleaved, median
from lstmlab.config import Loss, TrainConfig
from lstmlab.model import SimpleLSTM
from lstmlab.train import available_devices, fit
from lstmlab.windows import make_windows

TARGET = 0.95


def synthetic_windows(n_windows: int, features: int = 8, window: int = 48, seed: int = 0):
    """Windows X (N, W, F) (a view) and y (N, 1, 1) cut from a seeded noisy multi-sine series."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_windows + window, dtype=np.float32)[:, None]  # (T, 1)
    periods = rng.uniform(5, 200, size=features).astype(np.float32)  # (F,)
    values = np.sin(2 * np.pi * t / periods) + 0.1 * rng.standard_normal((t.shape[0], features), dtype=np.float32)
    return make_windows(values.astype(np.float32), window)


def hand_loop(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int, batch_size: int, lr: float, clip: float
) -> None:
    """The minimal PyTorch training loop: shuffle, gather a batch, forward, MSE, backward, (clip), Adam."""
    device = x.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    n = x.shape[0]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, device=device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            pred = model(x[idx]).reshape(idx.shape[0], -1)  # (B, 1)
            loss = loss_fn(pred, y[idx].reshape(idx.shape[0], -1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def compare(
    device: str,
    n_windows: int = 20_000,
    batch_size: int = 256,
    h_size: int = 64,
    clip: float = 0.0,
    repeats: int = 3,
    warmup: int = 1,
    lr: float = 1e-3,
    budget: float | None = None,
) -> dict[str, float]:
    """Median windows/s of fit and of the hand-written loop on ``device``, one epoch per call."""
    x, y = synthetic_windows(n_windows)
    features, window = x.shape[2], x.shape[1]
    torch.manual_seed(0)
    start_model = SimpleLSTM(features, window, 1, h_size)
    config = TrainConfig(lr=lr, batch_size=batch_size, epochs=1, loss=Loss.MSE, clip=clip, patience=0, device=device)
    x_dev, y_dev = x.contiguous().to(device), y.contiguous().to(device)  # the tutorial's ready tensors

    def run_fit() -> None:
        fit(copy.deepcopy(start_model), x, y, config)
        _sync(device)

    def run_loop() -> None:
        hand_loop(copy.deepcopy(start_model).to(device), x_dev, y_dev, 1, batch_size, lr, clip)
        _sync(device)

    # On one torch thread all the work runs on this thread, so its CPU time is immune to other load.
    clock = time.thread_time if device == "cpu" and torch.get_num_threads() == 1 else time.perf_counter
    times = interleaved({"fit": run_fit, "loop": run_loop}, repeats=repeats, warmup=warmup, budget=budget, clock=clock)
    fit_speed, loop_speed = n_windows / median(times["fit"]), n_windows / median(times["loop"])
    return {
        "fit": fit_speed,
        "loop": loop_speed,
        "ratio": fit_speed / loop_speed,
        "repeats": len(times["fit"]),
        "clock": "thread CPU time, 1 torch thread" if clock is time.thread_time else "wall time",
    }


def bench_train(
    n_windows: int = 20_000,
    repeats: int = 3,
    clip_row: bool = True,
    devices: list[str] | None = None,
    budget: float | None = 60.0,
    steady: bool | None = None,
) -> list[Row]:
    """One row per device (and clipping setting); each pair stops repeating after ``budget`` seconds.

    ``steady`` times CPU rows on one torch thread in this thread's CPU time; by default only when the
    machine is busy (load average above the core count), where torch's threads stall each other and
    wall-clock ratios swing by a factor of two either way.
    """
    rows = []
    settings = [0.0, *([TrainConfig().clip] if clip_row else [])]
    threads = torch.get_num_threads()
    for device in devices or available_devices():
        for clip in settings:
            load = os.getloadavg()[0]
            one_thread = device == "cpu" and (steady if steady is not None else load > (os.cpu_count() or 1))
            torch.set_num_threads(1 if one_thread else threads)
            try:
                result = compare(device, n_windows=n_windows, clip=clip, repeats=repeats, budget=budget)
            finally:
                torch.set_num_threads(threads)
            clipping = "no clipping" if clip == 0 else f"clip {clip:g} (app default)"
            notes = [
                f"SimpleLSTM H=64, 1 layer, 8 features, window 48, {n_windows:,} windows, batch 256, Adam (fit: "
                f"torch's functional adam; loop: torch.optim.Adam), MSE, "
                f"{clipping}; one epoch per call, median of {result['repeats']} interleaved calls after a warm-up "
                f"({result['clock']}). "
                "Both sides pay for a fresh model copy and a new optimizer per call."
            ]
            if one_thread and steady is None:
                notes.append(
                    f"Load average {load:.1f} on {os.cpu_count()} cores when this row began: timed on one torch "
                    "thread in thread CPU time, which other work on the machine barely moves."
                )
            rows.append(
                Row(
                    f"2. fit vs hand-written loop, {device}, {clipping}",
                    f"{result['fit']:,.0f} windows/s",
                    f"{result['loop']:,.0f} windows/s",
                    result["ratio"],
                    f"≥ {TARGET}",
                    result["ratio"] >= TARGET,
                    notes,
                )
            )
    return rows


if __name__ == "__main__":
    start = time.perf_counter()
    for row in bench_train():
        print(row)
    print(f"{time.perf_counter() - start:.1f} s")

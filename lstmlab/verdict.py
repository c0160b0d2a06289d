"""Why a model loses to a baseline, in numbers, and the settings that address it, as data a page can offer.

``explain`` measures what usually makes a windowed LSTM lose on a split:

- targets outside the training range (a tanh network on scaled levels cannot reach them);
- residuals that drift across the split (the level moved and the model did not follow);
- too few windows to judge (a handful of errors differs by chance);
- under-fitting, read from the loss curves (still improving at the epoch limit, or a training loss
  close to what predicting the average would cost).

Each finding that has a remedy comes with a ``Retry``: the replacement settings and a label, so a page
can train the new run with one click.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from lstmlab.config import ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.windows import SplitWindows, split_bounds

MAX_OUTSIDE_SHARE = 0.1  # more targets than this outside the training range: levels cannot reach them
MAX_RESIDUAL_DRIFT = 1.0  # residual trend over the split, in MAEs
MIN_WINDOWS = 20  # fewer windows than this: the comparison is chance as much as skill
UNDERFIT_LOSS_SHARE = 0.5  # best training loss above half the targets' own variance (MSE): under-fitted


@dataclass(frozen=True)
class Finding:
    """One measured reason, with its number and a sentence."""

    name: str  # "outside training range", "residual trend", "few windows", "still improving", "under-fitted"
    value: float
    sentence: str


@dataclass(frozen=True)
class Retry:
    """Replacement settings for a new run, with the label a button shows and the finding it answers."""

    label: str
    window_config: WindowConfig
    model_config: ModelConfig
    train_config: TrainConfig
    answers: str  # the Finding.name it addresses


@dataclass(frozen=True)
class Explanation:
    beats: bool | None  # the model beats every baseline on the split (None: not measurable)
    summary: str
    findings: tuple[Finding, ...]
    retries: tuple[Retry, ...]


def _other_relative(transform: Transform) -> tuple[Transform, str]:
    if transform is Transform.WINDOW:
        return Transform.DIFFERENCE, "Retrain with first differences as targets"
    return Transform.WINDOW, "Retrain with window-relative targets"


def _outside(actual: np.ndarray, train: np.ndarray, split: str, run, retries: list) -> Finding | None:
    outside = float(np.mean((actual < train.min()) | (actual > train.max())))
    if outside <= MAX_OUTSIDE_SHARE:
        return None
    levels = run.scaler.target_transform is Transform.LEVELS
    if levels:
        retries.append(Retry("Retrain with window-relative targets",
                             replace(run.window_config, transform=Transform.WINDOW), run.model_config,
                             run.train_config, "outside training range"))  # fmt: skip
    why = ": scaled levels there are out of a tanh network's reach." if levels else "."
    return Finding("outside training range", outside, f"{outside:.0%} of the {split} targets lie outside the "
                   f"training range [{train.min():.4g}, {train.max():.4g}]{why}")  # fmt: skip


def _residual_trend(residuals: np.ndarray, model_mae: float, split: str, run, retries: list) -> Finding | None:
    n = len(residuals)
    if n < 3 or not model_mae > 0:
        return None
    slope = float(np.polyfit(np.arange(n, dtype=np.float64), residuals, 1)[0])
    moved = slope * (n - 1)
    if abs(moved) <= MAX_RESIDUAL_DRIFT * model_mae:
        return None
    other, label = _other_relative(run.scaler.target_transform)
    if not any(r.window_config.transform is other for r in retries):
        retries.append(Retry(label, replace(run.window_config, transform=other), run.model_config, run.train_config,
                             "residual trend"))  # fmt: skip
    return Finding("residual trend", moved / model_mae, f"The residuals drift by {moved:.4g} across the {split} "
                   f"split ({abs(moved) / model_mae:.1f}× the model's MAE): the level moved and the forecasts did not "
                   "follow.")  # fmt: skip


def _few_windows(n: int, rows_in_split: int, split: str, run, retries: list) -> Finding | None:
    if n >= MIN_WINDOWS:
        return None
    wc = run.window_config
    window = min(wc.window // 2, rows_in_split - wc.horizon - MIN_WINDOWS + 1)
    if 2 <= window < wc.window:
        retries.append(Retry(f"Retrain with window {window}", replace(wc, window=window), run.model_config,
                             run.train_config, "few windows"))  # fmt: skip
    return Finding("few windows", float(n), f"Only {n} {split} window(s): with so few errors the comparison is as "
                   "much chance as skill.")  # fmt: skip


def _fitting(run, train_y: np.ndarray, retries: list) -> list[Finding]:
    """Under-fitting read from the loss curves of the run's History."""
    history, tc, found = run.history, run.train_config, []
    if history.epochs_run and history.epochs_run >= tc.epochs and history.best_epoch >= history.epochs_run - 1:
        found.append(Finding("still improving", float(history.epochs_run), "The validation loss was still falling "
                             f"at the last of {tc.epochs} epochs: training stopped too soon."))  # fmt: skip
        retries.append(Retry(f"Retrain for {2 * tc.epochs} epochs", run.window_config, run.model_config,
                             replace(tc, epochs=2 * tc.epochs), "still improving"))  # fmt: skip
    variance = float(np.var(train_y)) if train_y.size > 1 else 0.0
    if history.train_loss and variance > 0 and tc.loss.name == "MSE":
        share = min(history.train_loss) / variance
        if share > UNDERFIT_LOSS_SHARE:
            found.append(Finding("under-fitted", share, f"The best training loss is {share:.0%} of the training "
                                 "targets' variance: the model learned little more than their average."))  # fmt: skip
            if not found[:-1]:
                patience = 3 * max(tc.patience, 1)
                retries.append(Retry("Retrain with more patience", run.window_config, run.model_config,
                                     replace(tc, patience=patience, epochs=max(tc.epochs, 3 * patience)),
                                     "under-fitted"))  # fmt: skip
    return found


def explain(
    run, values: np.ndarray, splits: dict[str, SplitWindows], metrics: pd.DataFrame,
    table: dict[str, dict[str, np.ndarray]], split: str = "test", target: int = 0,
) -> Explanation:  # fmt: skip
    """Findings and retries for ``run`` on ``split``, target ``target`` (0..K-1).

    ``metrics`` is ``evaluate_run``'s table for that target and ``table`` the ``forecasts`` it came from,
    both in original units. Retries are offered only when the model loses to a baseline.
    """
    mae_by = metrics[metrics.split == split].set_index("forecast")["MAE"]
    if len(mae_by) < 2 or not np.isfinite(mae_by.iloc[0]):
        return Explanation(None, f"The {split} split has no windows to judge the model on.", (), ())
    model_mae, best = float(mae_by.iloc[0]), mae_by.iloc[1:].idxmin()
    beats = bool(model_mae < mae_by[best])
    summary = (f"{split.capitalize()} MAE: model {model_mae:.4g}, best baseline ({best}) {mae_by[best]:.4g}: "
               + ("the model beats every baseline." if beats else "the model does not beat it."))  # fmt: skip
    bounds = split_bounds(len(values), run.window_config)
    train = np.asarray(values[slice(*bounds["train"]), run.targets[target]], dtype=np.float64)
    actual = table[split]["actual"][..., target]  # (N, H)
    residuals = actual[:, 0] - table[split]["model"][:, 0, target]  # (N,) first step ahead
    retries: list[Retry] = []
    findings = [
        _outside(actual, train, split, run, retries),
        _residual_trend(residuals, model_mae, split, run, retries),
        _few_windows(len(actual), bounds[split][1] - bounds[split][0], split, run, retries),
        *_fitting(run, splits["train"].y[..., target].numpy(), retries),
    ]
    found = tuple(f for f in findings if f is not None)
    return Explanation(beats, summary, found, () if beats else tuple(retries))

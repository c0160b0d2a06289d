"""Typed, frozen settings for every stage, and the enums the pages offer as choices."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Choice(StrEnum):
    """An option a user picks from a select box; its value is the label shown."""


class MissingPolicy(Choice):
    DROP = "drop rows"
    FFILL = "forward-fill"
    INTERPOLATE = "interpolate"


class CategoricalPolicy(Choice):
    ONE_HOT = "one-hot encode"
    DROP = "drop"


class Scaling(Choice):
    NONE = "none"
    STANDARD = "standard"
    MINMAX = "min-max"


class Transform(Choice):
    """What the model learns for the target columns; every forecast is turned back into original units."""

    AUTO = "auto"  # chosen from the training and validation splits, with the reason stated
    LEVELS = "levels"  # the scaled values themselves
    DIFFERENCE = "first differences"  # each step's change, scaled by the training split's spread of changes
    WINDOW = "window-relative"  # each window minus its own last value, scaled by that spread


class InitState(Choice):
    ZEROS = "zeros"
    RANDOM = "random (tutorial)"


class Summary(Choice):
    """How the last-step summary is read from a (possibly bidirectional) LSTM."""

    H_N = "h_n (correct)"
    TUTORIAL = "output[:, -1] (tutorial)"


class Loss(Choice):
    MSE = "MSE"
    MAE = "MAE"


@dataclass(frozen=True)
class DataSpec:
    """Which columns of a table become the series, and how its gaps are filled."""

    time_columns: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    categorical: CategoricalPolicy = CategoricalPolicy.ONE_HOT
    missing: MissingPolicy = MissingPolicy.INTERPOLATE


@dataclass(frozen=True)
class WindowConfig:
    window: int = 12
    horizon: int = 1
    stride: int = 1
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    scaling: Scaling = Scaling.MINMAX  # on trending series (airline) it extrapolates better than standard
    transform: Transform = Transform.AUTO  # model files saved before it existed load as LEVELS


@dataclass(frozen=True)
class ModelConfig:
    h_size: int = 64
    n_layers: int = 1
    bidirectional: bool = False
    init: InitState = InitState.ZEROS
    summary: Summary = Summary.H_N


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 1e-2
    batch_size: int = 64
    epochs: int = 100
    loss: Loss = Loss.MSE
    clip: float = 1.0  # max gradient norm; 0 turns clipping off
    patience: int = 10  # epochs without a better validation loss; 0 turns early stopping off
    seed: int = 0
    device: str = "auto"  # "auto", "cpu", "cuda", "cuda:1", "mps"
    max_windows: int = 0  # windows sampled per epoch; 0 uses them all

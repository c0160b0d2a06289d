"""Typed, frozen settings for every stage, and the enums the pages offer as choices."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_NAME_CHARS = 10_000  # the longest column or file name a run keeps: a model file refuses longer text


class Choice(StrEnum):
    """An option a user picks from a select box; its value is the label shown."""


class MissingPolicy(Choice):
    DROP = "drop rows"
    FFILL = "forward-fill"
    INTERPOLATE = "interpolate"


class CategoricalPolicy(Choice):
    ONE_HOT = "one-hot encode"
    DROP = "drop"


class DuplicatePolicy(Choice):
    """How rows that share a timestamp become one row (or stay apart, in file order)."""

    FIRST = "keep the first"
    LAST = "keep the last"
    MEAN = "mean"
    SUM = "sum"
    KEEP = "keep row order"


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


class Cell(Choice):
    """The recurrent cell: the tutorial's LSTM, or the simpler cells it is compared with."""

    LSTM = "LSTM"
    GRU = "GRU"
    RNN = "RNN (tanh)"


class Summary(Choice):
    """How the last-step summary is read from a (possibly bidirectional) LSTM."""

    H_N = "h_n (correct)"
    TUTORIAL = "output[:, -1] (tutorial)"


class Loss(Choice):
    MSE = "MSE"
    MAE = "MAE"


class Optimizer(Choice):
    """Torch's optimizers, run through their functional forms (``lstmlab.optim``)."""

    ADAM = "Adam"
    ADAMW = "AdamW (decoupled weight decay)"
    SGD = "SGD with momentum"


@dataclass(frozen=True)
class DataSpec:
    """Which columns of a table become the series, and how its gaps are filled."""

    time_columns: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    categorical: CategoricalPolicy = CategoricalPolicy.ONE_HOT
    missing: MissingPolicy = MissingPolicy.INTERPOLATE
    duplicates: DuplicatePolicy = DuplicatePolicy.FIRST  # rows sharing a timestamp


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
    cell: Cell = Cell.LSTM


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
    optimizer: Optimizer = Optimizer.ADAM
    weight_decay: float = 1e-2  # AdamW's only (torch's default); Adam and SGD decay nothing
    momentum: float = 0.9  # SGD's only


class AttributionMethod(Choice):
    GRADIENT_X_INPUT = "gradient × input"
    INTEGRATED_GRADIENTS = "integrated gradients"


@dataclass(frozen=True)
class InspectSelection:
    """What the Inspect page shows: which window, output, layer, direction, step and unit."""

    split: str = "test"  # "train", "validation" or "test"
    sample: int = 0  # window index within the split
    output: int = 0  # index into horizon × targets
    layer: int = 0
    direction: int = 0  # 0 forward, 1 backward
    step: int = -1  # time step of the cell shown; -1 is the window's last
    unit: int = 0
    state: str = "h"  # h, c or a gate name (see lstmlab.cell_trace.cell_states)
    threshold: float = 0.5  # the unit-path threshold
    method: AttributionMethod = AttributionMethod.GRADIENT_X_INPUT

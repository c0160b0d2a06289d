"""Runs side by side: what each cell costs in parameters and how far back its gradient reaches.

The gradient reaching step t of the window, |d prediction / d x_t|, is read as "steps back" from the
last step: a plain RNN's falls off geometrically (the vanishing gradient the LSTM was built against),
an LSTM's and a GRU's can stay up. Measured on the learner's own windows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from lstmlab.attribution import step_gradient_norm
from lstmlab.model import GATE_COUNT, SimpleRNN, States, count_parameters, parameter_formula
from lstmlab.runs import Run


def gradient_reach(model: SimpleRNN, x: torch.Tensor, target: int = 0, states: States = None) -> np.ndarray:
    """Mean |d prediction / d x_t| over the windows x (B, W, F), by steps back: (W,), [0] the last step."""
    norms = step_gradient_norm(model, x, target, states)  # (B, W)
    return norms.mean(dim=0).flip(0).cpu().numpy().astype(np.float64)


def gradient_reach_table(
    models: Mapping[str, SimpleRNN], x: torch.Tensor | Mapping[str, torch.Tensor], target: int = 0
) -> pd.DataFrame:
    """One row per run and step back: the mean gradient norm, and its share of the last step's.

    ``x`` is the same windows for every run, or one tensor per run (each scaled by its own run's scaler).
    Random initial states (the tutorial's mode) are drawn once per run from a fixed seed.
    """
    rows = []
    for name, model in models.items():
        windows = x[name] if isinstance(x, Mapping) else x
        states = model.initial_states(windows.shape[0], generator=torch.Generator().manual_seed(0))
        reach = gradient_reach(model, windows, target, states)
        last = reach[0] if reach[0] > 0 else np.nan
        for back, value in enumerate(reach):
            rows.append({"run": name, "cell": model.cell.name, "steps back": back, "gradient norm": value,
                         "relative to the last step": value / last})  # fmt: skip
    return pd.DataFrame(rows)


def parameter_table(models: Mapping[str, SimpleRNN]) -> pd.DataFrame:
    """Per run: the cell, its weight matrices per layer (4, 3 or 1), the count by the formula and counted."""
    rows = []
    for name, model in models.items():
        parts = parameter_formula(model.cell, model.n_features, model.h_size, model.n_layers, model.bidirectional,
                                  model.output_size)  # fmt: skip
        rows.append({
            "run": name,
            "cell": model.cell.name,
            "matrices per layer": GATE_COUNT[model.cell],
            "formula": f"{GATE_COUNT[model.cell]} × (H·(F+H) + 2H) per layer and direction, + Linear",
            "recurrent (formula)": sum(v for k, v in parts.items() if k != "linear"),
            "linear (formula)": parts["linear"],
            "parameters (counted)": count_parameters(model),
        })  # fmt: skip
    return pd.DataFrame(rows)


def comparable(runs: Sequence[Run]) -> str | None:
    """Why these runs cannot be compared window for window, or None when they can."""
    if len(runs) < 2:
        return "pick at least two runs to compare."
    first = runs[0]
    for run in runs[1:]:
        if run.source_digest != first.source_digest or run.data_spec != first.data_spec:
            return f"run {run.number} was trained on other data than run {first.number}."
        if run.window_config != first.window_config:
            return f"run {run.number} cuts other windows than run {first.number} (window settings differ)."
    return None

"""What a cell trace shows in aggregate: how often the sigmoid gates saturate, and which units are on.

``gate_saturation`` and ``unit_saturation`` count gate values near 0 and 1 per layer, direction, gate
(and unit); ``find_units`` picks, LSTMVis-style, the units that stay on over a time range, and
``suggest_threshold`` proposes the level they must stay above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from lstmlab.cell_trace import CellTrace


def _sigmoid_gates(trace: CellTrace) -> tuple[str, ...]:
    if not trace.sigmoid_gates:
        raise ValueError(
            f"a plain {trace.kind.name} has no gates to saturate: its only activation is tanh(a). "
            "Gate saturation applies to the LSTM (i, f, o) and the GRU (r, z)."
        )
    return trace.sigmoid_gates


def _share(mask: torch.Tensor) -> float:
    """The share of True values, counted exactly on any device (MPS has no float64)."""
    return mask.sum().item() / max(mask.numel(), 1)


def gate_saturation(trace: CellTrace, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Share of gate values below ``low`` and above ``high``, per layer, direction and sigmoid gate."""
    rows = []
    n_layers, d = trace.shape[:2]
    for layer in range(n_layers):
        for direction in range(d):
            for gate in _sigmoid_gates(trace):
                v = trace.gates[gate][layer, direction]
                rows.append(
                    {
                        "layer": layer,
                        "direction": "backward" if direction else "forward",
                        "gate": gate,
                        f"share < {low}": _share(v < low),
                        f"share > {high}": _share(v > high),
                    }
                )
    return pd.DataFrame(rows)


def unit_saturation(trace: CellTrace, low: float = 0.1, high: float = 0.9) -> dict[str, np.ndarray]:
    """Per unit: for each sigmoid gate, (L, D, H, 2) shares of time below ``low`` / above ``high``."""
    out = {}
    for gate in _sigmoid_gates(trace):
        v = trace.gates[gate]  # (L, D, B, W, H)
        count = v.shape[2] * v.shape[3]  # B × W values per unit
        # Integer counts, divided on the CPU in float64: exact, and MPS has no float64.
        left = (v < low).sum(dim=(2, 3)).cpu().double() / count
        right = (v > high).sum(dim=(2, 3)).cpu().double() / count
        out[gate] = torch.stack([left, right], dim=-1).numpy()
    return out


def find_units(values: np.ndarray, start: int, stop: int, threshold: float) -> np.ndarray:
    """LSTMVis-style selection: units whose value is ≥ ``threshold`` at every step in [start, stop].

    ``values`` is (W, H) for one sample. Units are ranked by how much more they are on inside the
    range than outside it (units that are on everywhere come last).
    """
    values = np.asarray(values)
    if not 0 <= start <= stop < values.shape[0]:
        raise ValueError(f"time range [{start}, {stop}] must lie in 0..{values.shape[0] - 1}.")
    inside = values[start : stop + 1]
    on = np.flatnonzero((inside >= threshold).all(axis=0))
    mask = np.ones(values.shape[0], dtype=bool)
    mask[start : stop + 1] = False
    outside = values[mask].mean(axis=0) if mask.any() else np.zeros(values.shape[1])
    score = inside.mean(axis=0) - outside
    return on[np.argsort(-score[on], kind="stable")]


def suggest_threshold(values: np.ndarray, start: int, stop: int, share: float = 0.1) -> float:
    """A threshold that ``find_units`` passes for about ``share`` of the units over [start, stop]."""
    lowest = np.asarray(values)[start : stop + 1].min(axis=0)  # (H,) each unit's weakest step in the range
    return round(float(np.floor(np.quantile(lowest, 1 - share) * 100)) / 100, 2)

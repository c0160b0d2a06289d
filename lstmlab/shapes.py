"""The shape trace: every stage from series to predictions, with shapes read from forward hooks.

Nothing is typed in by hand: the hooks record what the modules really return as the model runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lstmlab.config import Cell, Summary
from lstmlab.model import SimpleRNN


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline, with the shape of the tensor actually seen there."""

    name: str
    shape: tuple[int, ...]
    description: str
    sample: np.ndarray  # a few real values from the tensor
    params: tuple[tuple[str, tuple[int, ...]], ...] = ()  # parameters applied at this stage


def _sample(t: torch.Tensor | np.ndarray, n: int = 6) -> np.ndarray:
    """The first few entries along each of the last two axes (first index elsewhere)."""
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    while a.ndim > 2:
        a = a[0]
    return a[:n, :n] if a.ndim == 2 else a[:n]


def _params(module: torch.nn.Module) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple((name, tuple(p.shape)) for name, p in module.named_parameters())


def trace_shapes(
    model: SimpleRNN,
    x: torch.Tensor,
    series: np.ndarray | None = None,
    scaled: np.ndarray | None = None,
    horizon: int = 1,
    states: object = None,
) -> list[Stage]:
    """Run ``model`` on windows ``x`` (B, W, F) and record each stage's real shape via forward hooks.

    ``series`` and ``scaled`` (T, F) are the raw and scaled series the windows were cut from, if known.
    """
    seen: dict[str, object] = {}
    hooks = [
        model.register_forward_pre_hook(lambda m, args: seen.__setitem__("input", args[0])),
        model.rnn.register_forward_hook(lambda m, args, out: seen.__setitem__("rnn", out)),
        model.linear.register_forward_hook(lambda m, args, out: seen.update(summary=args[0], linear=out)),
        model.register_forward_hook(lambda m, args, out: seen.__setitem__("model", out)),
    ]
    try:
        with torch.no_grad():
            model(x.to(next(model.parameters()).device), states)
    finally:
        for hook in hooks:
            hook.remove()
    output, final = seen["rnn"]  # (B, W, D*H); (h_n, c_n) for an LSTM, h_n otherwise, (L*D, B, H)
    lstm = model.cell is Cell.LSTM
    h_n, c_n = final if lstm else (final, None)
    d, n_layers, hidden = model.directions, model.n_layers, model.h_size
    name = model.cell.name
    stages = []
    if series is not None:
        stages.append(
            Stage(
                "series",
                tuple(series.shape),
                "The prepared series: T rows (time steps) × F features, in original units.",
                _sample(series),
            )
        )
    if scaled is not None:
        stages.append(
            Stage(
                "scaled",
                tuple(scaled.shape),
                "The same series scaled column by column with a scaler fitted on the training rows only.",
                _sample(scaled),
            )
        )
    inp = seen["input"]
    stages.append(
        Stage(
            "windows",
            tuple(inp.shape),
            f"A batch of B windows, each {inp.shape[1]} consecutive "
            f"scaled rows: strided views of the scaled series, fed to nn.{type(model.rnn).__name__} (batch_first).",
            _sample(inp[0]),
        )
    )
    stages.append(
        Stage(
            f"{name} output",
            tuple(output.shape),
            f"h_t of the top layer at every step, "
            f"{'forward and backward joined' if d == 2 else 'one direction'}: "
            f"(B, window, {d} × {hidden}). One cell's weights are applied at each step.",
            _sample(output[0]),
            _params(model.rnn),
        )
    )
    stages.append(
        Stage(
            "h_n",
            tuple(h_n.shape),
            f"The final hidden state of each of the {n_layers} layer(s) "
            f"× {d} direction(s): (layers × directions, B, H)."
            + (" The backward direction's final state is at the window's first step." if d == 2 else ""),
            _sample(h_n[:, 0]),
        )
    )
    if c_n is not None:  # only the LSTM keeps a cell state
        stages.append(
            Stage("c_n", tuple(c_n.shape), "The final cell state (the memory), same layout as h_n.", _sample(c_n[:, 0]))
        )
    summary = seen["summary"]
    how = "output[:, -1] (tutorial)" if model.summary is Summary.TUTORIAL or d == 1 else "h_n of the top layer"
    stages.append(
        Stage(
            "summary",
            tuple(summary.shape),
            f"The last-step summary fed to the Linear layer, read as {how}: (B, directions × H).",
            _sample(summary),
        )
    )
    lin = seen["linear"]
    stages.append(
        Stage(
            "Linear",
            tuple(lin.shape),
            "Linear maps the summary to horizon × targets numbers.",
            _sample(lin),
            _params(model.linear),
        )
    )
    out = seen["model"]
    stages.append(
        Stage(
            "model output",
            tuple(out.shape),
            "forward() unsqueezes to (B, 1, output_size), as the tutorial's model does.",
            _sample(out[:, 0]),
        )
    )
    pred = out.reshape(out.shape[0], horizon, -1)  # (B, horizon, K)
    stages.append(
        Stage(
            "predictions",
            tuple(pred.shape),
            "Reshaped to (B, horizon, targets); the scaler's inverse turns them back into original units.",
            _sample(pred[:, :, 0]),
        )
    )
    return stages

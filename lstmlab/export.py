"""A short, runnable Python script that rebuilds a run's data pipeline and model with ``lstmlab``.

Names from the user's file (the file's own, its columns) are data: they enter the script only as Python
literals written by ``repr``, never inside its docstring or comments, so no name can end a string and add code.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace
from enum import Enum
from numbers import Integral, Real
from typing import Any

from lstmlab.runs import Run

TEMPLATE = '''"""Rebuild LSTM Lab run {number} and score it on the test split.

Usage: python {stem}.py [DATA_FILE] [WEIGHTS_FILE]
Needs the lstmlab package importable (run it from the LSTM Lab folder), the data the model was trained
on (DATA below holds its name) and its weights ({stem}.safetensors, from the Predictions page).
"""

import sys
from pathlib import Path

import numpy as np
from safetensors.torch import load_file

from lstmlab.config import (
    {imports},
)
from lstmlab.data import read_table
from lstmlab.metrics import mae, mape, mase, rmse
from lstmlab.model import SimpleRNN, predict
from lstmlab.prepare import prepare_series
from lstmlab.safetext import visible
from lstmlab.windows import scale_series, window_splits

DATA = Path(sys.argv[1] if len(sys.argv) > 1 else {source})
WEIGHTS = Path(sys.argv[2] if len(sys.argv) > 2 else "{stem}.safetensors")

SPEC = {spec}
WINDOWS = {windows}
MODEL = {model}
# How the weights were trained; lstmlab.train.fit(model, x, y, TRAIN) trains a model the same way.
TRAIN = {train}

series = prepare_series(read_table(DATA.read_bytes(), DATA.name), SPEC)
scaled = scale_series(series.values, series.targets, WINDOWS)  # scaler and target transform, from the training rows
test = window_splits(scaled, WINDOWS)["test"]

model = SimpleRNN.from_config(len(series.columns), WINDOWS.window, WINDOWS.horizon * len(series.targets), MODEL)
model.load_state_dict(load_file(WEIGHTS))  # MODEL.cell says which cell: LSTM, GRU or RNN

targets = np.asarray(series.values, dtype=np.float64)[:, list(series.targets)]  # (T, K), original units
# back in original units: levels unscaled, or changes added to each window's last value (test.last)
predicted = scaled.scaler.inverse(predict(model, test.x, WINDOWS.horizon), series.targets, test.last)  # (N, H, K)
actual = targets[test.target_rows[:, None] + np.arange(WINDOWS.horizon)]  # (N, H, K)
train = targets[slice(*scaled.bounds["train"])]
for k, target in enumerate(series.columns[t] for t in series.targets):
    a, p = actual[..., k], predicted[..., k]
    print(f"{{visible(target)}}: {{len(test)}} test windows, test MAE {{mae(a, p):.6f}}, RMSE {{rmse(a, p):.6f}}, "
          f"MAPE {{mape(a, p)[0]:.3f}}%, MASE {{mase(a, p, train[:, k]):.4f}}")
'''


def _literal(value: Any) -> str:
    """``value`` as Python source that evaluates back to it: a name can only ever be a string literal."""
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        items = [_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, str):
        return repr(str(value))  # str(): a numpy str_ would write np.str_(...), code rather than a literal
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, Integral):
        return repr(int(value))
    if isinstance(value, Real) and math.isfinite(value):
        return repr(float(value))
    raise TypeError(f"a setting of type {type(value).__name__} has no literal in the exported script.")


def _constructor(config: Any) -> str:
    args = [f"{f.name}={_literal(getattr(config, f.name))}" for f in fields(config)]
    one_line = f"{type(config).__name__}({', '.join(args)})"
    if len(one_line) <= 100:
        return one_line
    return f"{type(config).__name__}(\n" + "".join(f"    {arg},\n" for arg in args) + ")"


def file_stem(run: Run) -> str:
    """The base name of the run's downloads: ``lstmlab_run3`` → .safetensors, .json, .py."""
    return f"lstmlab_run{int(run.number)}"


def make_script(run: Run) -> str:
    """Python source that rebuilds ``run``'s pipeline and model and prints its test metrics."""
    # the transform the run trained with, resolved: "auto" could choose otherwise in a later version
    windows = replace(run.window_config, transform=run.scaler.target_transform)
    configs = (run.data_spec, windows, run.model_config, run.train_config)
    names = {type(c).__name__ for c in configs}
    names |= {
        type(getattr(c, f.name)).__name__ for c in configs for f in fields(c) if isinstance(getattr(c, f.name), Enum)
    }
    return TEMPLATE.format(
        number=int(run.number),
        stem=file_stem(run),
        source=_literal(run.source_name),
        imports=", ".join(sorted(names)),
        spec=_constructor(run.data_spec),
        windows=_constructor(windows),
        model=_constructor(run.model_config),
        train=_constructor(run.train_config),
    )

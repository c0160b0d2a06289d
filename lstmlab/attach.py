"""A saved model on the current data: the columns must match, and the data is scaled as in its training.

A model trained in this session scales its data with the scaler fitted on that data. A model loaded onto
other data (same columns, other values) must keep its own scaler: refitting would feed it numbers on a
scale it never saw.
"""

from __future__ import annotations

import numpy as np

from lstmlab.errors import ModelFileError
from lstmlab.persist import LoadedModel
from lstmlab.prepare import PreparedSeries
from lstmlab.runs import Run
from lstmlab.safetext import visible
from lstmlab.windows import ScaledSeries, Scaler, count_windows, scale_series


def check_columns(loaded: LoadedModel, columns: tuple[str, ...], targets: tuple[int, ...]) -> None:
    """Refuse data whose columns or targets differ from the ones the model was trained on."""
    expected = loaded.config["columns"]
    if tuple(columns) != expected:
        raise ModelFileError(
            f"the model was trained on columns {_listed(expected)}, but the current data, prepared the same way, "
            f"has {_listed(columns)}. Load the data it was trained on."
        )
    if tuple(targets) != loaded.config["targets"]:
        raise ModelFileError("the model's target columns differ from the current data's.")


def _listed(names) -> str:
    """Column names (from the model's JSON or the data) for a plain-text message: ``['a', 'b']``, each visible."""
    return "[" + ", ".join(f"'{visible(name)}'" for name in names) + "]"


def scale_like(values: np.ndarray, run: Run) -> ScaledSeries:
    """``values`` scaled with the run's own scaler (not one refitted on this data), split as the run was."""
    fitted = scale_series(values, run.targets, run.window_config)
    return ScaledSeries(run.scaler.transform(values), run.scaler, fitted.bounds, fitted.targets, values)


def attach_model(
    loaded: LoadedModel, series: PreparedSeries, *, number: int, source_name: str, source_digest: str
) -> Run:
    """The loaded model as run ``number`` on ``series`` (prepared with the model's own ``DataSpec``).

    Raises ``ModelFileError`` when the columns or targets differ, and ``ValueError`` when the series
    cannot be split as the model's was, or no split holds one of its windows.
    """
    check_columns(loaded, series.columns, series.targets)
    run = loaded.as_run(number, source_name, source_digest)
    config = run.window_config
    bounds = scale_like(series.values, run).bounds  # raises when the splits cannot be made
    if not any(count_windows(stop - start, config.window, config.horizon, config.stride) for start, stop in
               bounds.values()):
        raise ValueError(
            f"Its {series.length:,} rows hold no window of {config.window} steps and {config.horizon} ahead "
            "in any split."
        )
    return run


def same_scaler(a: Scaler, b: Scaler) -> bool:
    """Exactly the same scaling (a scaler read back from JSON equals the one saved: floats round-trip)."""
    return a.kind is b.kind and np.array_equal(a.shift, b.shift) and np.array_equal(a.scale, b.scale)


def scaled_for_run(values: np.ndarray, fitted: ScaledSeries, run: Run) -> tuple[ScaledSeries, bool]:
    """The series as ``run``'s model must see it, and whether that meant rescaling.

    ``fitted`` is ``values`` scaled under the run's window settings by a scaler fitted on them; it is used
    as is when that scaler is the run's own, else the values are scaled with the run's scaler.
    """
    if same_scaler(fitted.scaler, run.scaler):
        return fitted, False
    return scale_like(values, run), True

"""A saved model attached to data: columns checked, windows checked, and the model's own scaler kept."""

import numpy as np
import pandas as pd
import pytest

from lstmlab.attach import attach_model, same_scaler, scaled_for_run
from lstmlab.config import DataSpec, ModelConfig, TrainConfig, WindowConfig
from lstmlab.errors import ModelFileError
from lstmlab.model import SimpleLSTM
from lstmlab.persist import load_model, save_model
from lstmlab.prepare import prepare_series
from lstmlab.runs import Run
from lstmlab.windows import scale_series

SPEC = DataSpec(features=("a", "b", "c"), targets=("a", "c"))
WINDOW = WindowConfig(window=6, horizon=2)


def table(rows: int = 80, factor: float = 1.0, columns=("a", "b", "c")) -> pd.DataFrame:
    values = np.random.default_rng(4).normal(size=(rows, len(columns))).cumsum(axis=0) * 5 + 20
    return pd.DataFrame(values * factor, columns=list(columns))


@pytest.fixture(scope="module")
def saved():
    series = prepare_series(table(), SPEC)
    scaled = scale_series(series.values, series.targets, WINDOW)
    model = SimpleLSTM.from_config(3, 6, 4, ModelConfig(h_size=4), seed=0)
    run = Run.create(number=1, source_name="train.csv", source_digest="d1", data_spec=SPEC, window_config=WINDOW,
                     model_config=ModelConfig(h_size=4), train_config=TrainConfig(device="cpu"),
                     columns=series.columns, targets=series.targets, scaler=scaled.scaler, model=model)
    return run, series, scaled, load_model(*save_model(run))


def test_attach_model_makes_a_run_on_the_given_data(saved):
    run, *_, loaded = saved
    other = prepare_series(table(factor=2.0), SPEC)
    attached = attach_model(loaded, other, number=7, source_name="other.csv", source_digest="d2")
    assert (attached.number, attached.source_name, attached.source_digest) == (7, "other.csv", "d2")
    assert attached.columns == run.columns and attached.targets == run.targets and attached.window_config == WINDOW
    assert same_scaler(attached.scaler, run.scaler)  # the model's own scaler, not one fitted on "other"
    for name, weight in run.model.state_dict().items():
        assert np.array_equal(attached.model.state_dict()[name].numpy(), weight.numpy()), name


def test_attach_model_refuses_other_columns_and_too_short_data(saved):
    *_, loaded = saved
    renamed = prepare_series(table(columns=("a", "b", "x")), DataSpec(features=("a", "b", "x"), targets=("a", "x")))
    with pytest.raises(ModelFileError, match="trained on columns"):
        attach_model(loaded, renamed, number=2, source_name="x.csv", source_digest="d3")
    short = prepare_series(table(rows=9), SPEC)
    with pytest.raises(ValueError, match="window") as info:
        attach_model(loaded, short, number=2, source_name="short.csv", source_digest="d4")
    assert not isinstance(info.value, ModelFileError)  # the page words the two cases differently


def test_scaled_for_run_keeps_the_fitted_series_of_the_training_data(saved):
    run, series, scaled, loaded = saved
    assert scaled_for_run(series.values, scaled, run) == (scaled, False)
    back = loaded.as_run(2, "train.csv", "d1")  # read back from JSON: the floats are the same
    got, rescaled = scaled_for_run(series.values, scaled, back)
    assert got is scaled and not rescaled


def test_scaled_for_run_rescales_other_data_with_the_runs_scaler(saved):
    run, *_ = saved
    values = prepare_series(table(factor=3.0), SPEC).values
    fitted = scale_series(values, run.targets, WINDOW)
    got, rescaled = scaled_for_run(values, fitted, run)
    assert rescaled and got.scaler is run.scaler and got.bounds == fitted.bounds
    expected = (values.astype(np.float64) - run.scaler.shift) / run.scaler.scale
    np.testing.assert_allclose(got.values, expected, rtol=1e-5, atol=1e-6)


def test_same_scaler_is_exact(saved):
    run, *_ = saved
    nudged = type(run.scaler)(run.scaler.kind, np.nextafter(run.scaler.shift, np.inf), run.scaler.scale)
    assert same_scaler(run.scaler, run.scaler) and not same_scaler(run.scaler, nudged)

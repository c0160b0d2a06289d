"""The Inspect page's computations: one window traced and checked against nn.LSTM, predictions un-scaled."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

import lstmlab.figures.cells
from lstmlab import cell_trace, inspection
from lstmlab import trace as lt
from lstmlab.config import InitState, ModelConfig, Summary, TrainConfig, Transform, WindowConfig
from lstmlab.inspection import (
    TRACE_TOLERANCE,
    cell_states,
    inspect_window,
    layer_inputs,
    output_labels,
    summary_stage,
    traced_indices,
)
from lstmlab.metrics import model_predictions
from lstmlab.model import SimpleLSTM
from lstmlab.shapes import trace_shapes
from lstmlab.windows import scale_series, window_splits

TARGETS, HORIZON, WINDOW = (0, 2), 2, 7


@pytest.fixture(scope="module")
def data():
    values = np.random.default_rng(1).normal(size=(90, 3)).cumsum(axis=0).astype(np.float32) * 10 + 50  # (T, F)
    config = WindowConfig(window=WINDOW, horizon=HORIZON, transform=Transform.LEVELS)  # the scaler's formula below
    scaled = scale_series(values, TARGETS, config)
    return values, scaled, window_splits(scaled, config)


def model_for(bidirectional=False, n_layers=1, init=InitState.ZEROS) -> SimpleLSTM:
    config = ModelConfig(h_size=5, n_layers=n_layers, bidirectional=bidirectional, init=init)
    return SimpleLSTM.from_config(3, WINDOW, HORIZON * len(TARGETS), config, seed=2).eval()


@pytest.mark.parametrize(("bidirectional", "n_layers", "init"), [(False, 1, InitState.ZEROS),
                                                                 (True, 2, InitState.RANDOM)])
def test_inspect_window_against_the_model_nn_lstm_and_the_raw_values(data, bidirectional, n_layers, init):
    values, scaled, splits = data
    model, windows, n = model_for(bidirectional, n_layers, init), splits["train"], 9
    seen = inspect_window(model, windows, n, scaled.scaler, TARGETS, HORIZON, seed=3, batch=10)
    states = lt.seeded_states(model, 1, 3)
    with torch.no_grad():
        scaled_pred = model(windows.x[n : n + 1], states).numpy().reshape(HORIZON, len(TARGETS))
        output, _ = model.lstm(windows.x[n : n + 1], states)  # (1, W, D*H)
    cols = list(TARGETS)
    np.testing.assert_allclose(seen.prediction, scaled_pred * scaled.scaler.scale[cols] + scaled.scaler.shift[cols],
                               rtol=1e-6)
    row = int(windows.target_rows[n])  # the actual values come straight from the unscaled series
    np.testing.assert_allclose(seen.actual, values[row : row + HORIZON][:, cols], rtol=1e-5)
    np.testing.assert_allclose(seen.sample.output.numpy(), output.numpy(), atol=1e-6)
    assert seen.sample.h.device.type == "cpu" and seen.sample.shape == (n_layers, 1 + bidirectional, 1, WINDOW, 5)
    assert seen.batch.shape[2] == len(seen.indices) == 10
    np.testing.assert_array_equal(seen.batch.x[0].numpy(), windows.x[seen.indices].numpy())
    assert seen.max_abs_diff < TRACE_TOLERANCE and seen.matches and seen.tolerance == TRACE_TOLERANCE
    assert (seen.states is None) == (init is InitState.ZEROS)
    again = inspect_window(model, windows, n, scaled.scaler, TARGETS, HORIZON, seed=3, batch=10)
    np.testing.assert_array_equal(again.prediction, seen.prediction)  # seeded: reruns agree in random mode


def test_the_tolerance_decides_the_check(data):
    _, scaled, splits = data
    seen = inspect_window(model_for(), splits["test"], 0, scaled.scaler, TARGETS, HORIZON, seed=0, tolerance=0.0)
    assert seen.tolerance == 0.0 and not seen.matches  # a difference is never below zero
    with pytest.raises(IndexError, match="not in this split"):
        inspect_window(model_for(), splits["test"], len(splits["test"]), scaled.scaler, TARGETS, HORIZON, seed=0)


@pytest.mark.parametrize(("count", "batch"), [(1000, 256), (300, 256), (5, 256), (1, 3), (0, 4)])
def test_traced_indices_spread_evenly(count, batch):
    got = traced_indices(count, batch)
    expected = sorted({round(k * (count - 1) / (batch - 1)) for k in range(batch)}) if count > batch else range(count)
    np.testing.assert_array_equal(got, np.asarray(list(expected), dtype=int))
    if count:
        assert got[0] == 0 and got[-1] == count - 1 and len(got) == min(count, batch)


def test_output_labels_follow_the_models_output_order():
    labels = output_labels(3, ("a", "b"))
    grid = np.arange(6).reshape(3, 2)  # the model's outputs reshaped (horizon, K), as the page reads them
    for s in range(3):
        for k, name in enumerate("ab"):
            assert labels[grid[s, k]] == f"step {s + 1} · {name}"


@pytest.mark.parametrize(("bidirectional", "summary", "stage"), [(True, Summary.H_N, "h_n"),
                                                                 (True, Summary.TUTORIAL, "LSTM output"),
                                                                 (False, Summary.H_N, "LSTM output")])
def test_summary_stage_is_a_stage_of_the_pipeline(data, bidirectional, summary, stage):
    _, scaled, splits = data
    assert summary_stage(ModelConfig(bidirectional=bidirectional, summary=summary)) == stage
    model = model_for(bidirectional)
    stages = trace_shapes(model, splits["train"].x[:4], scaled.values, scaled.values, HORIZON)
    assert stage in {s.name for s in stages}


def test_layer_inputs_and_cell_states_match_the_weights_and_the_trace(data):
    _, _, splits = data
    model = model_for(bidirectional=True, n_layers=2)
    assert layer_inputs(("a", "b", "c"), 0, 2, 5) == ["a", "b", "c"]
    above = layer_inputs(("a", "b", "c"), 1, 2, 5)
    assert len(above) == model.lstm.weight_ih_l1.shape[1] == 10 and above[0] == "h0"
    trace = lt.trace_cells(model, splits["train"].x[:3])
    states = cell_states(trace, 1, 1, sample=2)
    assert set(states) == set(cell_trace.STATES)
    for name, value in states.items():
        np.testing.assert_array_equal(value, getattr(trace, name)[1, 1, 2].numpy())
        assert value.shape == (WINDOW, 5)


def test_gate_terms_keeps_its_old_import_path():
    assert lstmlab.figures.cells.gate_terms is inspection.gate_terms


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
def test_inspect_window_is_in_original_units_for_every_transform(data, transform):
    """The prediction is the app's (metrics.model_predictions) for that window, the actual the raw series."""
    values = data[0]
    config = WindowConfig(window=WINDOW, horizon=HORIZON, transform=transform)
    scaled = scale_series(values, TARGETS, config)
    splits = window_splits(scaled, config)
    model, windows, n = model_for(), splits["validation"], 4
    run = SimpleNamespace(model=model, scaler=scaled.scaler, targets=TARGETS, window_config=config,
                          train_config=TrainConfig(device="cpu"))
    seen = inspect_window(model, windows, n, scaled.scaler, TARGETS, HORIZON, seed=3, batch=10)
    expected = model_predictions(run, {"validation": windows})["validation"][n]  # (horizon, K)
    np.testing.assert_allclose(seen.prediction, expected, rtol=1e-6)
    row = int(windows.target_rows[n])
    np.testing.assert_allclose(seen.actual, values[row : row + HORIZON][:, list(TARGETS)], rtol=1e-5)
    np.testing.assert_array_equal(seen.last, values[row - 1, list(TARGETS)])

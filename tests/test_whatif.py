"""What-if edits: an edit at step t changes exactly the cells from t on; bad grids change nothing."""

import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from lstmlab import whatif
from lstmlab.cell_trace import GATES
from lstmlab.config import InitState, ModelConfig, Scaling, TrainConfig, Transform, WindowConfig
from lstmlab.metrics import model_predictions
from lstmlab.model import SimpleLSTM
from lstmlab.trace import seeded_states
from lstmlab.whatif import Edit, ValueRange
from lstmlab.windows import scale_series, window_splits

WINDOW = 12
COLUMNS = ("load", "temperature")


def series() -> np.ndarray:
    """A small seeded two-feature series (T, F)."""
    rng = np.random.default_rng(3)
    t = np.arange(240, dtype=np.float64)
    return np.stack([50 + 20 * np.sin(t / 7) + rng.normal(0, 2, t.size), 10 + 5 * np.cos(t / 13)], axis=1)


@pytest.fixture
def run():
    """The series scaled and windowed as the app does (levels: the tests below check the scaler's formula)."""
    values = series()
    config = WindowConfig(window=WINDOW, horizon=2, scaling=Scaling.MINMAX, transform=Transform.LEVELS)
    scaled = scale_series(values, (0,), config)
    splits = window_splits(scaled, config)
    start, stop = scaled.bounds["train"]
    return values, scaled, splits, ValueRange.of(values[start:stop])


def model_for(n_layers: int = 2, bidirectional: bool = False, init: InitState = InitState.ZEROS) -> SimpleLSTM:
    config = ModelConfig(h_size=8, n_layers=n_layers, bidirectional=bidirectional, init=init)
    return SimpleLSTM.from_config(2, WINDOW, 2, config, seed=1)


def window_of(run, n: int = 5) -> np.ndarray:
    values, _, splits, _ = run
    return whatif.original_window(values, int(splits["test"].target_rows[n]), WINDOW)


def test_the_original_window_rescales_to_the_window_the_model_was_trained_on(run):
    _, scaled, splits, _ = run
    original = window_of(run)
    assert original.shape == (WINDOW, 2) and original.dtype == np.float64
    assert np.array_equal(scaled.scaler.transform(original), splits["test"].x[5].numpy())


@pytest.mark.parametrize("t", [0, 4, WINDOW - 1])
@pytest.mark.parametrize("edit", [Edit.SPIKE, Edit.LEVEL_SHIFT])
def test_an_edit_at_step_t_changes_exactly_the_cells_from_t_on(run, t, edit):
    _, scaled, splits, _ = run
    model = model_for(n_layers=2)
    original = window_of(run)
    edited = whatif.apply_edit(edit, original, t=t, feature=0, size=whatif.suggested_size(scaled.scaler, 0))
    expected = original.copy()
    if edit is Edit.SPIKE:
        expected[t, 0] += 0.5 * scaled.scaler.scale[0]
    else:
        expected[t:, 0] += 0.5 * scaled.scaler.scale[0]
    assert np.array_equal(edited, expected) and not np.array_equal(edited, original)
    result = whatif.what_if(model, scaled.scaler, original, edited, (0,))
    before = np.arange(WINDOW) < t
    assert np.array_equal(result.unchanged_steps(), np.broadcast_to(before, (2, 1, WINDOW)))
    for name in ("h", "c", *GATES):
        a, b = getattr(result.original, name), getattr(result.edited, name)  # (L, D, 1, W, H)
        assert torch.equal(a[..., :t, :], b[..., :t, :]), name
    # The edited trace is the model's own LSTM on the rescaled edited window, and that input is exactly it.
    assert torch.equal(result.edited_input[0], torch.from_numpy(scaled.scaler.transform(edited)))
    np.testing.assert_allclose(
        result.edited_input[0].numpy(), (edited - scaled.scaler.shift) / scaled.scaler.scale, rtol=1e-6, atol=1e-6
    )
    assert result.edited.max_abs_diff(model) < 1e-5
    with torch.no_grad():
        out, (h_n, c_n) = model.lstm(result.edited_input)  # nn.LSTM itself, zero initial states
    assert (out[0] - result.edited.h[-1, 0, 0]).abs().max().item() < 1e-5
    assert (h_n[-1, 0] - result.edited.h[-1, 0, 0, -1]).abs().max().item() < 1e-5
    assert (c_n[-1, 0] - result.edited.c[-1, 0, 0, -1]).abs().max().item() < 1e-5
    # The untouched trace is the one Inspect shows for the stored window.
    assert torch.equal(result.original_input[0], splits["test"].x[5])


def test_predictions_are_the_models_in_original_units(run):
    _, scaled, _, _ = run
    model = model_for(n_layers=1, init=InitState.RANDOM)
    original = window_of(run)
    edited = whatif.reverse(original)
    states = seeded_states(model, 1, seed=4)
    result = whatif.what_if(model, scaled.scaler, original, edited, (0,), states)
    pairs = ((result.original_input, result.original_prediction), (result.edited_input, result.edited_prediction))
    for x, got in pairs:
        with torch.no_grad():
            pred = model(x, states).reshape(2, 1).numpy().astype(np.float64)  # (horizon, K) scaled
        np.testing.assert_array_equal(got, pred * scaled.scaler.scale[0] + scaled.scaler.shift[0])
    assert got.shape == (2, 1)
    assert result.original.max_abs_diff(model) < 1e-5 and result.edited.max_abs_diff(model) < 1e-5


def test_bidirectional_edit_leaves_the_forward_past_and_the_backward_future(run):
    _, scaled, _, _ = run
    model, t = model_for(n_layers=1, bidirectional=True), 6
    original = window_of(run)
    result = whatif.what_if(model, scaled.scaler, original, whatif.spike(original, t, 1, 3.0), (0,))
    same = result.unchanged_steps()[0]  # (D, W)
    assert np.array_equal(same[0], np.arange(WINDOW) < t)  # forward: untouched before t
    assert np.array_equal(same[1], np.arange(WINDOW) > t)  # backward: untouched after t
    assert result.edited.max_abs_diff(model) < 1e-5


def test_the_one_click_edits(run):
    values, _, splits, _ = run
    window = window_of(run)
    zeroed = whatif.apply_edit(Edit.ZERO, window, feature=1)
    assert np.all(zeroed[:, 1] == 0) and np.array_equal(zeroed[:, 0], window[:, 0])
    assert np.array_equal(whatif.apply_edit(Edit.REVERSE, window), window[::-1])
    other = whatif.original_window(values, int(splits["train"].target_rows[0]), WINDOW)
    assert np.array_equal(whatif.apply_edit(Edit.COPY, window, other=other), values[:WINDOW])
    assert np.array_equal(window, window_of(run))  # edits return new arrays
    with pytest.raises(ValueError, match=r"step t must be in 0\.\.11"):
        whatif.spike(window, WINDOW, 0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        whatif.apply_edit(Edit.SPIKE, window, t=1, size=float("nan"))
    with pytest.raises(ValueError, match="shape"):
        whatif.copy_window(window, window[:-1])


BAD_CELLS = {
    "text": ("abc", "'abc' is not a number"),
    "empty text": ("  ", "is empty"),
    "empty": (None, "is empty"),
    "NaN": (np.nan, "is empty or NaN"),
    "NaN text": ("nan", "is empty or NaN"),
    "inf": (np.inf, "is infinite"),
    "-inf": (-np.inf, "is infinite"),
    "inf text": ("-inf", "is infinite"),
    "boolean": (True, "True is not a number"),
    "float32 overflow": (1e39, "too large for the model"),
}


@pytest.mark.parametrize("kind", list(BAD_CELLS))
def test_a_bad_cell_gives_a_message_and_changes_nothing(run, kind):
    _, scaled, _, value_range = run
    window = window_of(run)
    frame = whatif.window_frame(window, COLUMNS).astype(object)
    cell, why = BAD_CELLS[kind]
    frame.iloc[3, 1] = cell
    check = whatif.read_grid(frame, window, scaled.scaler, value_range)
    assert not check.ok and np.array_equal(check.values, window)
    assert check.problems[0].startswith("Step 3, temperature: ") and why in check.problems[0]
    assert check.message.startswith("Nothing was changed: Step 3, temperature")


def test_a_good_grid_is_taken_and_far_values_are_flagged(run):
    _, scaled, _, value_range = run
    window = window_of(run)
    frame = whatif.window_frame(window, COLUMNS).astype(object)
    far = float(value_range.high[0] + 5 * (value_range.high[0] - value_range.low[0]))
    frame.iloc[2, 0], frame.iloc[7, 1] = f" {far!r} ", "12.5"  # typed text, with spaces
    check = whatif.read_grid(frame, window, scaled.scaler, value_range)
    expected = window.copy()
    expected[2, 0], expected[7, 1] = far, 12.5
    assert check.ok and check.message == "" and np.array_equal(check.values, expected)
    assert [(f.step, f.feature, f.value) for f in check.flags] == [(2, "load", far)]
    assert check.flags[0].scaled == pytest.approx((far - scaled.scaler.shift[0]) / scaled.scaler.scale[0])
    assert check.flags[0].scaled == pytest.approx(6.0)  # min-max: 5 ranges above the top of the range
    assert "far outside the training range" in check.flags[0].message
    result = whatif.what_if(model_for(), scaled.scaler, window, check.values, (0,))
    assert np.isfinite(result.edited_prediction).all()  # accepted, saturating, never an exception


def test_a_grid_of_another_shape_or_many_bad_cells_is_refused(run):
    _, scaled, _, value_range = run
    window = window_of(run)
    short = whatif.window_frame(window[:-1], COLUMNS)
    check = whatif.read_grid(short, window, scaled.scaler, value_range)
    assert not check.ok and np.array_equal(check.values, window) and "12 rows and 2 columns" in check.message
    frame = whatif.window_frame(window, COLUMNS).astype(object)
    frame.iloc[:, 0] = "x"
    check = whatif.read_grid(frame, window, scaled.scaler, value_range)
    assert len(check.problems) == WINDOW and check.message.endswith(f"… and {WINDOW - whatif.MAX_MESSAGES} more.")


def test_window_frame_round_trips_through_csv(run):
    window = window_of(run)
    frame = whatif.window_frame(window, COLUMNS, labels=[f"t{k}" for k in range(WINDOW)])
    back = pd.read_csv(io.StringIO(frame.to_csv()), index_col="step")
    np.testing.assert_array_equal(back.to_numpy(), window)
    assert list(back.columns) == list(COLUMNS)


def by_hand(transform: Transform, scaler, window: np.ndarray, before: np.ndarray | None) -> np.ndarray:
    """The model input of one (W, F) window in original units, from the transforms' definitions: (W, F)."""
    x = (window - scaler.shift) / scaler.scale
    if transform is Transform.WINDOW:
        x[:, 0] = (window[:, 0] - window[-1, 0]) / scaler.scale[0]
    if transform is Transform.DIFFERENCE:
        x[:, 0] = np.diff(window[:, 0], prepend=window[0, 0] if before is None else before[0]) / scaler.scale[0]
    return x


def in_original_units(transform: Transform, scaler, pred: np.ndarray, last: float) -> np.ndarray:
    """(horizon, 1) scaled outputs back in original units, from the transforms' definitions."""
    if transform is Transform.LEVELS:
        return pred * scaler.scale[0] + scaler.shift[0]
    changes = pred * scaler.scale[0]
    return last + (np.cumsum(changes, axis=0) if transform is Transform.DIFFERENCE else changes)


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
@pytest.mark.parametrize(("split", "n"), [("test", 5), ("train", 0)])
def test_the_untouched_window_is_the_apps_for_every_transform(transform, split, n):
    """The untouched input is the split's window bitwise, its prediction the app's (model_predictions); the
    edited one is rebuilt the same way from its own values, and turned back from its own last value."""
    values = series()
    config = WindowConfig(window=WINDOW, horizon=2, scaling=Scaling.MINMAX, transform=transform)
    scaled = scale_series(values, (0,), config)
    splits = window_splits(scaled, config)
    model, windows = model_for(n_layers=1), splits[split]
    target_row = int(windows.target_rows[n])
    original = whatif.original_window(values, target_row, WINDOW)
    before = whatif.row_before(values, target_row, WINDOW)
    assert (before is None) == (target_row == WINDOW)  # the train split's window 0 starts the series
    edited = whatif.spike(original, 0, 0, 30.0)
    result = whatif.what_if(model, scaled.scaler, original, edited, (0,), before=before)
    assert torch.equal(result.original_input[0], windows.x[n])
    run = SimpleNamespace(model=model, scaler=scaled.scaler, targets=(0,), window_config=config,
                          train_config=TrainConfig(device="cpu"))
    np.testing.assert_allclose(result.original_prediction, model_predictions(run, {split: windows})[split][n],
                               rtol=1e-6)
    np.testing.assert_allclose(result.edited_input[0].numpy(), by_hand(transform, scaled.scaler, edited, before),
                               rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        pred = model(result.edited_input).reshape(2, 1).numpy().astype(np.float64)  # (horizon, K) scaled
    np.testing.assert_allclose(result.edited_prediction,
                               in_original_units(transform, scaled.scaler, pred, edited[-1, 0]), rtol=1e-6)
    assert not np.allclose(result.edited_prediction, result.original_prediction)

"""The tutorial's errata, checked against the model run directly."""

import numpy as np
import pytest
import torch

from lstmlab.config import Scaling, Summary, Transform
from lstmlab.errata import bidirectional_summary, random_initial_states, weight_reuse
from lstmlab.model import SimpleLSTM
from lstmlab.windows import Scaler

F, W, H = 3, 6, 5
SCALER = Scaler(Scaling.STANDARD, np.array([100.0, 0.0, 0.0]), np.array([20.0, 1.0, 1.0]))


def _model(layers=1, bidirectional=False, summary=Summary.H_N, horizon=1) -> SimpleLSTM:
    torch.manual_seed(0)
    return SimpleLSTM(F, W, horizon, H, layers, bidirectional, summary=summary).eval()


@pytest.fixture
def x() -> torch.Tensor:
    return torch.randn(8, W, F, generator=torch.Generator().manual_seed(1))


def test_random_states_two_calls_disagree_zeros_agree(x):
    model = _model(2, True, horizon=2)
    result = random_initial_states(model, x, SCALER, [0], horizon=2, seed=4)
    assert result.tutorial[0].shape == (8, 2, 1)
    assert result.tutorial_gap.max() > 0.01 and result.zeros_gap.max() == 0
    gen = torch.Generator().manual_seed(4)  # the same draws, replayed by hand
    shape = (4, 8, H)
    first = (torch.randn(shape, generator=gen), torch.randn(shape, generator=gen))
    with torch.no_grad():
        expected = model(x, first).reshape(8, 2, 1).numpy() * 20 + 100  # original units
        zeros = model(x).reshape(8, 2, 1).numpy() * 20 + 100
    np.testing.assert_allclose(result.tutorial[0], expected, rtol=1e-5)
    np.testing.assert_allclose(result.zeros[0], zeros, rtol=1e-5)


def test_bidirectional_tutorial_summary_sees_one_backward_step(x):
    result = bidirectional_summary(_model(1, True), x, SCALER, [0])
    assert result.backward_steps_tutorial == 1 and result.backward_steps_corrected == W
    assert result.backward_change_tutorial == 0  # only x[:, -1] reaches it
    assert result.backward_change_corrected > 1e-3
    with torch.no_grad():
        tutorial = _model(1, True, Summary.TUTORIAL)(x)[:, 0].numpy() * 20 + 100
        corrected = _model(1, True, Summary.H_N)(x)[:, 0].numpy() * 20 + 100
    np.testing.assert_allclose(result.tutorial[:, 0], tutorial, rtol=1e-5)
    np.testing.assert_allclose(result.corrected[:, 0], corrected, rtol=1e-5)
    assert result.gap.max() > 0


def test_deeper_bidirectional_reacts_through_the_layer_below(x):
    result = bidirectional_summary(_model(2, True), x, SCALER, [0])
    assert result.backward_change_tutorial > 0  # the forward half below has seen the whole window


def test_one_direction_summaries_agree(x):
    result = bidirectional_summary(_model(2, False), x, SCALER, [0])
    assert result.gap.max() == 0 and result.backward_steps_tutorial == W


@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, True)])
def test_one_cell_reused_window_times(x, layers, bidirectional):
    model = _model(layers, bidirectional)
    result = weight_reuse(model, x)
    assert result.window == W and len(result.weight_ids) == W
    assert set(result.weight_ids) == {id(model.lstm.weight_ih_l0)} == {result.weight_id}
    d = 2 if bidirectional else 1
    per_layer = [4 * H * (n_in + H) + 8 * H for n_in in [F] + [d * H] * (layers - 1)]  # W_ih, W_hh, 2 biases
    assert result.lstm_parameters == d * sum(per_layer)
    assert result.if_one_cell_per_step == W * result.lstm_parameters
    assert result.same_count_at_double_window
    assert result.max_abs_diff < 1e-5


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
def test_errata_predictions_are_in_original_units_for_every_transform(x, transform):
    """Both errata turn outputs back from each window's last value (``last``), as the app's predictions do."""
    rows = np.random.default_rng(2).normal(0, 1, size=(80, F)).cumsum(axis=0) * 10 + 100
    scaler = Scaler.fit(Scaling.MINMAX, rows, [0], transform)
    last = rows[-8:, :1]  # (B, K) each window's last target value, original units
    model = _model(1, True, horizon=2)
    with torch.no_grad():
        changes = model(x).reshape(8, 2, 1).numpy().astype(np.float64) * scaler.scale[0]  # zero states
    expected = {Transform.LEVELS: changes + scaler.shift[0], Transform.WINDOW: last[:, None] + changes,
                Transform.DIFFERENCE: last[:, None] + np.cumsum(changes, axis=1)}[transform]  # (B, 2, 1)
    rs = random_initial_states(model, x, scaler, [0], horizon=2, seed=4, last=last)
    np.testing.assert_allclose(rs.zeros[0], expected, rtol=1e-6)
    bd = bidirectional_summary(model, x, scaler, [0], horizon=2, last=last)
    np.testing.assert_allclose(bd.corrected, expected, rtol=1e-6)

"""SimpleLSTM's shapes, summaries and initial states, checked against nn.LSTM itself."""

import itertools

import pytest
import torch

from lstmlab.config import InitState, Summary
from lstmlab.model import SimpleLSTM, count_parameters, predict


def test_the_tutorials_own_example():
    model = SimpleLSTM(n_features=23, window_size=6, output_size=1, h_size=256)
    assert model(torch.rand(100, 6, 23)).shape == (100, 1, 1)


@pytest.mark.parametrize(("layers", "bidirectional", "horizon"), itertools.product([1, 2, 3], [False, True], [1, 4]))
def test_shapes_for_every_combination(layers, bidirectional, horizon):
    torch.manual_seed(0)
    targets = 2
    model = SimpleLSTM(3, 7, horizon * targets, 5, layers, bidirectional)
    x = torch.randn(4, 7, 3)
    assert model(x).shape == (4, 1, horizon * targets)
    assert predict(model, x, horizon).shape == (4, horizon, targets)
    directions = 2 if bidirectional else 1
    output, (h_n, c_n) = model.lstm(x)
    assert output.shape == (4, 7, directions * 5)
    assert h_n.shape == c_n.shape == (layers * directions, 4, 5)
    assert model.linear.in_features == directions * 5


@pytest.mark.parametrize("layers", [1, 2])
def test_bidirectional_summary_is_h_n(layers):
    torch.manual_seed(1)
    model = SimpleLSTM(2, 6, 1, 4, layers, bidirectional=True)
    x = torch.randn(3, 6, 2)
    output, (h_n, _) = model.lstm(x)
    summary = model.summarize(output, h_n)
    # forward direction: its last step; backward direction: its first step (it ran right to left)
    torch.testing.assert_close(summary[:, :4], output[:, -1, :4])
    torch.testing.assert_close(summary[:, 4:], output[:, 0, 4:])
    torch.testing.assert_close(summary, torch.cat([h_n[-2], h_n[-1]], dim=-1))
    expected = model.linear(torch.cat([h_n[-2], h_n[-1]], dim=-1)).unsqueeze(1)
    torch.testing.assert_close(model(x), expected)


def test_tutorial_summary_reads_output_at_the_last_step():
    torch.manual_seed(2)
    model = SimpleLSTM(2, 6, 1, 4, bidirectional=True, summary=Summary.TUTORIAL)
    x = torch.randn(3, 6, 2)
    output, (h_n, _) = model.lstm(x)
    torch.testing.assert_close(model.summarize(output, h_n), output[:, -1])
    # the backward half differs from its full-window state: it has seen one step only
    assert not torch.allclose(output[:, -1, 4:], h_n[-1])


def test_unidirectional_last_step_equals_h_n():
    torch.manual_seed(3)
    model = SimpleLSTM(2, 5, 1, 4, n_layers=2)
    output, (h_n, _) = model.lstm(torch.randn(3, 5, 2))
    torch.testing.assert_close(model.summarize(output, h_n), h_n[-1])


def test_zero_initial_states_are_deterministic_and_random_ones_are_not():
    torch.manual_seed(4)
    model = SimpleLSTM(2, 5, 1, 4)
    x = torch.randn(3, 5, 2)
    torch.testing.assert_close(model(x), model(x))
    model.init = InitState.RANDOM
    assert not torch.allclose(model(x), model(x))
    h0, c0 = model.initial_states(3)
    assert h0.shape == c0.shape == (1, 3, 4)


def test_states_follow_the_model_device():
    model = SimpleLSTM(2, 5, 1, 4, init=InitState.RANDOM, device="cpu")
    h0, _ = model.initial_states(2)
    assert h0.device == model.linear.weight.device


def test_parameter_count_matches_the_lstm_formula():
    model = SimpleLSTM(3, 5, 2, 8)
    lstm = 4 * 8 * (3 + 8) + 2 * 4 * 8
    assert count_parameters(model) == lstm + 8 * 2 + 2


def test_wrong_input_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="expected input"):
        SimpleLSTM(3, 5, 1, 4)(torch.randn(2, 5, 4))


@pytest.mark.parametrize("n", [0, 1, 1023, 1024, 2500])
def test_predict_in_batches_equals_one_forward(n):
    torch.manual_seed(0)
    model = SimpleLSTM(3, 5, 2 * 2, 8).eval()  # horizon 2, two targets
    x = torch.randn(n + 5, 3).unfold(0, 5, 1).transpose(1, 2)[:n]  # (n, 5, 3), a strided view as in the app
    got = predict(model, x, horizon=2)
    assert got.shape == (n, 2, 2)
    if n:
        with torch.no_grad():
            torch.testing.assert_close(got, model(x.contiguous()).reshape(n, 2, 2), rtol=1e-5, atol=1e-6)

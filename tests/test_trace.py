"""trace_cells against nn.LSTM itself and a numpy cell; the shape trace against the real module outputs."""

import numpy as np
import pytest
import torch

import lstmlab.trace
from lstmlab.cell_trace import GATES
from lstmlab.config import InitState, Summary
from lstmlab.inspection import gate_terms
from lstmlab.model import SimpleLSTM
from lstmlab.shapes import trace_shapes
from lstmlab.trace import seeded_states, trace_cells
from lstmlab.trace_stats import find_units, gate_saturation, suggest_threshold, unit_saturation

F, W, H = 3, 7, 5


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _model(layers=1, bidirectional=False, init=InitState.ZEROS, dtype=torch.float32, seed=0, **kw) -> SimpleLSTM:
    torch.manual_seed(seed)
    return SimpleLSTM(F, W, 2, H, layers, bidirectional, init=init, **kw).to(dtype).eval()


@pytest.mark.parametrize("batch", [1, 9])
@pytest.mark.parametrize("init", list(InitState))
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_trace_matches_nn_lstm(layers, bidirectional, init, batch):
    model = _model(layers, bidirectional, init)
    x = torch.randn(batch, W, F, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(2)
    states = model.initial_states(batch)  # None for zeros; drawn once for random
    trace = trace_cells(model, x, states)
    with torch.no_grad():
        out, (h_n, c_n) = model.lstm(x, states)
    d = 2 if bidirectional else 1
    assert trace.h.shape == trace.c.shape == trace.i.shape == trace.o.shape == (layers, d, batch, W, H)
    assert torch.allclose(trace.output, out, rtol=0, atol=1e-5)
    assert torch.allclose(trace.h_n, h_n, rtol=0, atol=1e-5)
    assert torch.allclose(trace.c_n, c_n, rtol=0, atol=1e-5)
    assert trace.max_abs_diff(model) < 1e-5
    if init is InitState.RANDOM:
        assert trace.h0.abs().sum() > 0  # the random states really were used


def test_random_states_drawn_once_and_replayed():
    model = _model(2, True, InitState.RANDOM)
    x = torch.randn(4, W, F)
    trace = trace_cells(model, x)  # draws its own states
    assert trace.h0.abs().sum() > 0
    assert trace.max_abs_diff(model) < 1e-5  # the check replays those same states
    with torch.no_grad():
        fresh, _ = model.lstm(x, model.initial_states(4))
    assert (fresh - trace.output).abs().max() > 1e-3  # other states, other output


def test_gates_match_numpy_cell_in_pytorch_order():
    """i, f, g, o recomputed in float64 numpy from the cell's own inputs and the module's weights."""
    model = _model(2, True, InitState.RANDOM, dtype=torch.float64)
    trace = trace_cells(model, torch.randn(3, W, F, dtype=torch.float64))
    for layer, direction, b, t in [(0, 0, 0, 0), (0, 1, 1, 0), (1, 0, 2, W - 1), (1, 1, 0, W - 1), (1, 1, 2, 3)]:
        cell = trace.cell(layer, direction, b, t)
        sfx = f"_l{layer}" + ("_reverse" if direction else "")
        p = {n: getattr(model.lstm, n + sfx).detach().numpy() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        z = p["weight_ih"] @ cell.x + p["weight_hh"] @ cell.h_prev + p["bias_ih"] + p["bias_hh"]
        zi, zf, zg, zo = np.split(z, 4)
        i, f, g, o = _sigmoid(zi), _sigmoid(zf), np.tanh(zg), _sigmoid(zo)
        np.testing.assert_allclose(cell.i, i, atol=1e-12)
        np.testing.assert_allclose(cell.f, f, atol=1e-12)
        np.testing.assert_allclose(cell.g, g, atol=1e-12)
        np.testing.assert_allclose(cell.o, o, atol=1e-12)
        np.testing.assert_allclose(cell.c, f * cell.c_prev + i * g, atol=1e-12)
        np.testing.assert_allclose(cell.h, o * np.tanh(cell.c), atol=1e-12)
        terms = gate_terms(model, layer, direction, cell)
        np.testing.assert_allclose(_sigmoid(terms["f"].sum(axis=0)), cell.f, atol=1e-12)
        assert set(terms) == set(GATES)


def test_previous_states_follow_each_direction():
    model = _model(1, True, InitState.RANDOM)
    trace = trace_cells(model, torch.randn(2, W, F))
    h_prev = trace.h_prev  # (L, D, B, W, H)
    assert torch.equal(h_prev[0, 0, :, 0], trace.h0[0, 0])  # forward starts from h_0
    assert torch.equal(h_prev[0, 0, :, 3], trace.h[0, 0, :, 2])
    assert torch.equal(h_prev[0, 1, :, W - 1], trace.h0[0, 1])  # backward starts at the last step
    assert torch.equal(h_prev[0, 1, :, 3], trace.h[0, 1, :, 4])
    assert np.array_equal(trace.cell(0, 1, 1, 3).c_prev, trace.c[0, 1, 1, 4].numpy())
    assert np.array_equal(trace.cell(0, 0, 1, 0).c_prev, trace.c0[0, 0, 1].numpy())


def test_layer_inputs_are_the_layer_below():
    model = _model(3, True)
    x = torch.randn(2, W, F)
    trace = trace_cells(model, x)
    assert torch.equal(trace.x[0], x)
    assert trace.x[1].shape == trace.x[2].shape == (2, W, 2 * H)
    assert torch.equal(trace.x[2][..., :H], trace.h[1, 0])
    assert torch.equal(trace.x[2][..., H:], trace.h[1, 1])


@pytest.mark.parametrize(
    ("layers", "bidirectional", "summary", "horizon"),
    [(1, False, Summary.H_N, 1), (2, True, Summary.H_N, 2), (3, True, Summary.TUTORIAL, 1)],
)
def test_shape_trace_reads_real_outputs(layers, bidirectional, summary, horizon):
    torch.manual_seed(0)
    model = SimpleLSTM(F, W, 2 * horizon, H, layers, bidirectional, summary=summary).eval()
    series = np.random.default_rng(0).normal(size=(40, F)).astype(np.float32)
    x = torch.randn(6, W, F)
    stages = {s.name: s for s in trace_shapes(model, x, series, series * 2, horizon)}
    assert list(stages)[:3] == ["series", "scaled", "windows"]
    with torch.no_grad():
        out, (h_n, c_n) = model.lstm(x)
        summ = model.summarize(out, h_n)
        pred = model(x)
    assert stages["series"].shape == stages["scaled"].shape == (40, F)
    assert stages["windows"].shape == tuple(x.shape)
    assert stages["LSTM output"].shape == tuple(out.shape)
    assert stages["h_n"].shape == tuple(h_n.shape) == (layers * model.directions, 6, H)
    assert stages["c_n"].shape == tuple(c_n.shape)
    assert stages["summary"].shape == tuple(summ.shape)
    assert stages["Linear"].shape == (6, 2 * horizon)
    assert stages["model output"].shape == tuple(pred.shape) == (6, 1, 2 * horizon)
    assert stages["predictions"].shape == (6, horizon, 2)
    np.testing.assert_array_equal(stages["LSTM output"].sample, out[0, :6, :6].numpy())
    np.testing.assert_array_equal(stages["summary"].sample, summ[:6, :6].numpy())
    assert dict(stages["LSTM output"].params) == {n: tuple(p.shape) for n, p in model.lstm.named_parameters()}
    assert dict(stages["Linear"].params) == {"weight": (2 * horizon, model.directions * H), "bias": (2 * horizon,)}
    assert not model._forward_hooks and not model._forward_pre_hooks and not model.lstm._forward_hooks


def test_shape_trace_without_series_starts_at_windows():
    stages = trace_shapes(_model(), torch.randn(2, W, F))
    assert stages[0].name == "windows" and stages[0].shape == (2, W, F)


def test_saturation_matches_numpy_count():
    model = _model(2, True, init=InitState.RANDOM)
    with torch.no_grad():  # large weights so that gates do saturate
        for p in model.lstm.parameters():
            p.mul_(6)
    trace = trace_cells(model, torch.randn(16, W, F))
    table = gate_saturation(trace)
    per_unit = unit_saturation(trace)
    assert len(table) == 2 * 2 * 3
    for _, row in table.iterrows():
        layer, direction = row["layer"], 0 if row["direction"] == "forward" else 1
        v = getattr(trace, row["gate"])[layer, direction].numpy()
        assert row["share < 0.1"] == pytest.approx(np.count_nonzero(v < 0.1) / v.size)
        assert row["share > 0.9"] == pytest.approx(np.count_nonzero(v > 0.9) / v.size)
        unit = 3
        np.testing.assert_allclose(
            per_unit[row["gate"]][layer, direction, unit], [np.mean(v[..., unit] < 0.1), np.mean(v[..., unit] > 0.9)]
        )
    assert table["share < 0.1"].max() > 0.05  # the test data does exercise saturation


def test_saturation_keeps_its_old_import_path():
    assert lstmlab.trace.gate_saturation is gate_saturation and lstmlab.trace.unit_saturation is unit_saturation


def test_find_units_selects_and_ranks():
    values = np.zeros((10, 4))
    values[3:6, 0] = 0.9  # on exactly in the range
    values[:, 1] = 0.8  # on everywhere: least specific
    values[3:6, 2] = 0.9
    values[4, 2] = 0.1  # dips inside the range: not selected
    values[3:6, 3] = 0.7
    assert find_units(values, 3, 5, 0.6).tolist() == [0, 3, 1]
    assert find_units(values, 3, 5, 0.85).tolist() == [0]
    assert find_units(values, 0, 9, 0.5).tolist() == [1]
    with pytest.raises(ValueError):
        find_units(values, 5, 3, 0.5)
    threshold = suggest_threshold(values, 3, 5, share=0.25)
    assert find_units(values, 3, 5, threshold).tolist() == [0]


def test_seeded_states_repeat_and_leave_global_rng_alone():
    model = _model(1, True, InitState.RANDOM)
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    a, b = seeded_states(model, 3, seed=7), seeded_states(model, 3, seed=7)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.equal(torch.rand(1), before)
    assert seeded_states(_model(), 3) is None  # zeros mode

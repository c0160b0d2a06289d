"""The cell family: LSTM, GRU and tanh RNN in the tutorial's shape, traced step by step against torch."""

import itertools

import numpy as np
import pytest
import torch

from lstmlab import cell_trace, trace_stats
from lstmlab import trace as lt
from lstmlab.cell_trace import CELL_GATES, CELL_SIGMOID_GATES
from lstmlab.config import Cell, InitState, ModelConfig
from lstmlab.model import SimpleLSTM, SimpleRNN, count_parameters, parameter_formula, predict

CELLS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
COMBINATIONS = list(itertools.product(CELLS, [1, 2, 3], [False, True]))


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


@pytest.mark.parametrize(("cell", "layers", "bidirectional"), COMBINATIONS)
def test_shapes_trace_and_parameters_for_every_combination(cell, layers, bidirectional):
    torch.manual_seed(0)
    features, window, hidden, horizon, targets = 3, 6, 5, 2, 2
    model = SimpleRNN(features, window, horizon * targets, hidden, layers, bidirectional, cell=cell)
    d = 2 if bidirectional else 1
    assert type(model.rnn) is CELLS[cell] and model.rnn.num_layers == layers and model.rnn.batch_first
    assert model.linear.in_features == d * hidden and model.linear.out_features == horizon * targets
    x = torch.randn(4, window, features)
    assert model(x).shape == (4, 1, horizon * targets)
    assert predict(model, x, horizon).shape == (4, horizon, targets)

    trace = lt.trace_cells(model, x)
    assert trace.h.shape == (layers, d, 4, window, hidden)  # the same layout for every cell
    assert trace.max_abs_diff(model) < 1e-5
    with torch.no_grad():  # and directly against the module's output and final states
        output, final = model.rnn(x)
    h_n = final[0] if cell == "lstm" else final
    torch.testing.assert_close(trace.output, output, atol=1e-5, rtol=0)
    torch.testing.assert_close(trace.h_n, h_n, atol=1e-5, rtol=0)
    # the model's prediction from the traced h_n equals its forward
    torch.testing.assert_close(model.linear(model.summarize(trace.output, trace.h_n)).unsqueeze(1), model(x))
    assert set(trace.gates) == set(CELL_GATES[model.cell])
    assert all(g.shape == (layers, d, 4, window, hidden) for g in trace.gates.values())
    if cell == "lstm":
        torch.testing.assert_close(trace.c_n, final[1], atol=1e-5, rtol=0)
    else:
        assert trace.c is None and trace.c0 is None

    # parameters: per layer and direction, gates × (H × inputs + H × H + 2H); then the Linear layer
    gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    expected = sum(
        d * gates * (hidden * ((features if layer == 0 else d * hidden) + hidden) + 2 * hidden)
        for layer in range(layers)
    ) + (d * hidden + 1) * horizon * targets
    assert count_parameters(model) == expected == sum(parameter_formula(cell, features, hidden, layers,
                                                                        bidirectional, horizon * targets).values())


def test_gru_gates_against_numpy():
    """Layer 0, forward direction: PyTorch's GRU equations written out in numpy, step by step."""
    torch.manual_seed(1)
    model = SimpleRNN(2, 5, 1, 4, 2, True, cell="gru")
    x = torch.randn(3, 5, 2)
    trace = lt.trace_cells(model, x)
    p = {n: getattr(model.rnn, n + "_l0").detach().numpy().astype(np.float64)
         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    h = np.zeros((3, 4))
    for t in range(5):
        gi = x[:, t].numpy() @ p["weight_ih"].T + p["bias_ih"]
        gh = h @ p["weight_hh"].T + p["bias_hh"]
        r = _sigmoid(gi[:, :4] + gh[:, :4])
        z = _sigmoid(gi[:, 4:8] + gh[:, 4:8])
        n = np.tanh(gi[:, 8:] + r * gh[:, 8:])
        h = (1 - z) * n + z * h
        for name, value in (("r", r), ("z", z), ("n", n)):
            np.testing.assert_allclose(trace.gates[name][0, 0, :, t].numpy(), value, atol=1e-6)
        np.testing.assert_allclose(trace.h[0, 0, :, t].numpy(), h, atol=1e-6)
    assert trace.r is trace.gates["r"]
    with pytest.raises(AttributeError, match="a GRU has no 'c'"):
        _ = trace.c_n
    with pytest.raises(AttributeError, match="a GRU has no 'f'"):
        _ = trace.f


def test_rnn_pre_activation_against_numpy():
    torch.manual_seed(2)
    model = SimpleRNN(2, 4, 1, 3, cell="rnn", bidirectional=True)
    x = torch.randn(2, 4, 2)
    trace = lt.trace_cells(model, x)
    p = {n: getattr(model.rnn, n + "_l0_reverse").detach().numpy().astype(np.float64)
         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    h = np.zeros((2, 3))
    for t in reversed(range(4)):  # the backward direction runs right to left
        a = x[:, t].numpy() @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
        h = np.tanh(a)
        np.testing.assert_allclose(trace.a[0, 1, :, t].numpy(), a, atol=1e-6)
        np.testing.assert_allclose(trace.h[0, 1, :, t].numpy(), h, atol=1e-6)
    one = trace.cell(0, 1, 0, 3)  # the backward cell at the last step received h0
    np.testing.assert_array_equal(one.h_prev, np.zeros(3))
    assert one.c is None and set(one.gates) == {"a"}
    with pytest.raises(ValueError, match="no gates to saturate"):
        trace_stats.gate_saturation(trace)


@pytest.mark.parametrize("cell", list(Cell))
def test_random_initial_states_are_replayed(cell):
    torch.manual_seed(3)
    model = SimpleRNN(2, 5, 1, 4, 2, True, cell=cell, init=InitState.RANDOM)
    x = torch.randn(3, 5, 2)
    states = lt.seeded_states(model, 3, seed=7)
    assert isinstance(states, tuple) == (cell is Cell.LSTM)
    trace = lt.trace_cells(model, x, states)
    assert trace.max_abs_diff(model) < 1e-5
    torch.testing.assert_close(model.linear(model.summarize(trace.output, trace.h_n)).unsqueeze(1), model(x, states))
    assert not torch.equal(trace.h0, torch.zeros_like(trace.h0))


@pytest.mark.parametrize("cell", [Cell.GRU, Cell.LSTM])
def test_saturation_uses_the_cells_sigmoid_gates(cell):
    torch.manual_seed(4)
    model = SimpleRNN(2, 5, 1, 4, cell=cell)
    trace = lt.trace_cells(model, torch.randn(6, 5, 2))
    table = trace_stats.gate_saturation(trace)
    assert list(table.gate) == list(CELL_SIGMOID_GATES[cell])
    per_unit = trace_stats.unit_saturation(trace)
    from lstmlab.figures.inspect import saturation_figure

    titles = [a.text for a in saturation_figure(per_unit).layout.annotations][: len(per_unit)]
    assert titles == {Cell.LSTM: ["input gate i", "forget gate f", "output gate o"],
                      Cell.GRU: ["reset gate r", "update gate z"]}[cell]
    for gate, shares in per_unit.items():
        v = trace.gates[gate].numpy()
        np.testing.assert_allclose(shares[..., 1], (v > 0.9).mean(axis=(2, 3)))


def test_cell_names_and_the_tutorials_model():
    assert [SimpleRNN(1, 2, 1, 2, cell=name).cell for name in ("lstm", "GRU", "RNN (tanh)")] == list(Cell)
    with pytest.raises(ValueError, match="cell must be one of"):
        SimpleRNN(1, 2, 1, 2, cell="transformer")
    lstm = SimpleLSTM(2, 3, 1, 4)
    assert isinstance(lstm, SimpleRNN) and lstm.cell is Cell.LSTM and lstm.lstm is lstm.rnn
    assert SimpleRNN.from_config(2, 3, 1, ModelConfig(h_size=4, cell=Cell.GRU), seed=0).cell is Cell.GRU
    with pytest.raises(ValueError, match=r"SimpleRNN\.from_config"):
        SimpleLSTM.from_config(2, 3, 1, ModelConfig(cell=Cell.RNN))
    with pytest.raises(AttributeError):
        _ = SimpleRNN(1, 2, 1, 2, cell="gru").lstm
    # the same seed gives the same LSTM weights through either name
    a = SimpleLSTM.from_config(2, 3, 1, ModelConfig(h_size=4), seed=5)
    b = SimpleRNN.from_config(2, 3, 1, ModelConfig(h_size=4), seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


@pytest.mark.parametrize("cell", list(Cell))
def test_gate_terms_rebuild_each_gate_and_the_figures_draw(cell):
    from lstmlab import explain
    from lstmlab.figures import cells as fc
    from lstmlab.inspection import cell_states, gate_terms, summary_stage

    torch.manual_seed(5)
    model = SimpleRNN(2, 4, 1, 3, 2, True, cell=cell)
    trace = lt.trace_cells(model, torch.randn(2, 4, 2))
    one = trace.cell(1, 1, 1, 2)
    terms = gate_terms(model, 1, 1, one)
    if cell is Cell.GRU:
        for gate in ("r", "z"):
            np.testing.assert_allclose(_sigmoid(terms[gate].sum(axis=0)), one.gates[gate], atol=1e-6)
        wx, wh, b_in, b_hn = terms["n"]
        np.testing.assert_allclose(np.tanh(wx + b_in + one.r * (wh + b_hn)), one.n, atol=1e-6)
        np.testing.assert_allclose((1 - one.z) * one.n + one.z * one.h_prev, one.h, atol=1e-6)
    elif cell is Cell.RNN:
        np.testing.assert_allclose(terms["a"].sum(axis=0), one.a, atol=1e-5)
    else:
        np.testing.assert_allclose(np.tanh(terms["g"].sum(axis=0)), one.g, atol=1e-6)
    lines = explain.cell_equations(one, terms, 0)
    assert lines[-1].startswith("h_t") and lines[-1].endswith(explain._fmt(one.h[0]))
    assert len(lines) == {Cell.LSTM: 6, Cell.GRU: 4, Cell.RNN: 2}[cell]
    table = explain.cell_table(one, [0, 2])
    assert list(table.columns)[1:] == ["h_{t-1}", *(["c_{t-1}"] if cell is Cell.LSTM else []), *CELL_GATES[cell],
                                       *(["c_t"] if cell is Cell.LSTM else []), "h_t"]
    names = cell_trace.cell_states(cell)
    states = cell_states(trace, 1, 1, 0)
    assert list(states) == list(names) and all(v.shape == (4, 3) for v in states.values())
    heat = fc.state_heatmaps(states)
    assert [t.name for t in heat.data] == list(names)
    assert summary_stage(ModelConfig(cell=cell)) == f"{cell.name} output"
    bars = fc.cell_figure(one, [0, 1], ["a", "b"])
    assert [t.name.split(" · ")[0] for t in bars.data][1 : 1 + len(one.gates)] == list(CELL_GATES[cell])


@pytest.mark.parametrize("cell", [Cell.GRU, Cell.RNN])
def test_errata_and_attribution_for_the_other_cells(cell):
    from lstmlab import attribution, errata
    from lstmlab.config import Scaling
    from lstmlab.shapes import trace_shapes
    from lstmlab.windows import Scaler

    torch.manual_seed(6)
    model = SimpleRNN(2, 5, 2, 4, 2, True, cell=cell).eval()
    x = torch.randn(3, 5, 2)
    scaler = Scaler(Scaling.NONE, np.zeros(2), np.ones(2))
    reuse = errata.weight_reuse(model, x)
    assert reuse.max_abs_diff < 1e-5 and set(reuse.weight_ids) == {id(model.rnn.weight_ih_l0)}
    assert reuse.lstm_parameters == count_parameters(model.rnn) and reuse.same_count_at_double_window
    rs = errata.random_initial_states(model, x, scaler, [0, 1])
    assert rs.tutorial_gap.max() > 0 and rs.zeros_gap.max() == 0
    np.testing.assert_allclose(rs.zeros[0][:, 0], model(x)[:, 0].detach().numpy(), atol=1e-6)
    one_layer = SimpleRNN(2, 5, 2, 4, 1, True, cell=cell)  # with one layer, only x[:, -1] reaches output[:, -1]
    bd = errata.bidirectional_summary(one_layer, x, scaler, [0, 1])
    assert bd.backward_change_tutorial == 0 and bd.backward_change_corrected > 0
    from lstmlab.narrate import linear_step

    step = linear_step(model, x[:1], scaler, [0, 1], ["a", "b"], output=1)
    assert step.scaled == pytest.approx(model(x[:1])[0, 0, 1].item(), abs=1e-6)
    stages = {s.name: s for s in trace_shapes(model, x)}
    assert f"{cell.name} output" in stages and "c_n" not in stages and stages["h_n"].shape == (4, 3, 4)
    # integrated gradients: completeness, sum ≈ f(x) - f(0), with random initial states too
    model.init = InitState.RANDOM
    states = lt.seeded_states(model, 3, seed=1)
    ig = attribution.integrated_gradients(model, x, target=1, steps=256, states=states)
    with torch.no_grad():
        gap = model(x, states)[:, 0, 1] - model(torch.zeros_like(x), states)[:, 0, 1]
    np.testing.assert_allclose(ig.sum(dim=(1, 2)).numpy(), gap.numpy(), atol=2e-3)
    grad = attribution.gradients(model, x, target=1, states=states)
    eps, bumped = 1e-2, x.clone()
    bumped[0, 2, 1] += eps
    with torch.no_grad():
        slope = (model(bumped, states)[0, 0, 1] - model(x, states)[0, 0, 1]) / eps
    assert grad[0, 2, 1].item() == pytest.approx(slope.item(), abs=2e-3)


def test_gradient_reach_against_autograd_per_step():
    from lstmlab.compare import gradient_reach, gradient_reach_table, parameter_table

    torch.manual_seed(7)
    models = {c.name: SimpleRNN(2, 6, 1, 4, cell=c) for c in Cell}
    x = torch.randn(5, 6, 2)
    for model in models.values():
        reach = gradient_reach(model, x)
        expected = np.zeros(6)
        for b in range(5):  # one window at a time, through torch.autograd.functional.jacobian
            jac = torch.autograd.functional.jacobian(lambda w, m=model: m(w[None])[0, 0, 0], x[b])  # (W, F)
            expected += jac.norm(dim=-1).numpy() / 5
        np.testing.assert_allclose(reach, expected[::-1], rtol=1e-5, atol=1e-8)
    table = gradient_reach_table(models, x)
    assert len(table) == 3 * 6 and list(table.groupby("run")["steps back"].max()) == [5, 5, 5]
    assert (table[table["steps back"] == 0]["relative to the last step"] == 1).all()
    params = parameter_table(models).set_index("cell")
    assert list(params["matrices per layer"]) == [4, 3, 1]
    assert (params["recurrent (formula)"] + params["linear (formula)"] == params["parameters (counted)"]).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")
@pytest.mark.parametrize("cell", list(Cell))
def test_trace_on_cuda_matches_the_module(cell):
    torch.manual_seed(8)
    model = SimpleRNN(3, 12, 1, 16, 2, True, cell=cell, device="cuda")
    x = torch.randn(32, 12, 3)
    trace = lt.trace_cells(model, x)
    assert trace.h.is_cuda and trace.max_abs_diff(model) < 1e-5
    cpu = lt.trace_cells(model.cpu(), x)
    torch.testing.assert_close(trace.h.cpu(), cpu.h, atol=1e-5, rtol=0)


def test_comparable_runs_share_data_and_windows():
    from lstmlab.compare import comparable
    from lstmlab.config import DataSpec, Scaling, TrainConfig, WindowConfig
    from lstmlab.runs import Run
    from lstmlab.train import History
    from lstmlab.windows import Scaler

    def run(number, cell, digest="d", window=12):
        model = SimpleRNN(1, window, 1, 4, cell=cell)
        return Run(number, "a.csv", digest, DataSpec(), WindowConfig(window=window), ModelConfig(h_size=4, cell=cell),
                   TrainConfig(), ("y",), (0,), Scaler(Scaling.NONE, np.zeros(1), np.ones(1)), model, History())

    runs = [run(1, Cell.LSTM), run(2, Cell.GRU), run(3, Cell.RNN)]
    assert comparable(runs) is None
    assert comparable(runs[:1]) == "pick at least two runs to compare."
    assert "other data" in comparable([*runs, run(4, Cell.GRU, digest="e")])
    assert "other windows" in comparable([runs[0], run(5, Cell.GRU, window=6)])

"""The guided tour's numbers against independent references (nn.LSTM itself, numpy, the raw series), in both
languages, on the built-in airline series with a small seeded model."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources

import numpy as np
import pytest
import torch
from torch import nn

from lstmlab import errata, tour, tour_steps
from lstmlab.config import InitState, ModelConfig, TrainConfig, Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.metrics import model_predictions
from lstmlab.model import SimpleLSTM, count_parameters
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.runs import Run
from lstmlab.tour_text import LANGUAGES, STEP_KEYS, TEXTS, fields
from lstmlab.trace import trace_cells
from lstmlab.train import fit
from lstmlab.windows import count_windows, describe_shapes, scale_series, window_splits

LANGS = list(LANGUAGES)


def make_context(window: int = 4, trained: bool = True, transform: Transform = Transform.AUTO,
                 **model) -> tour_steps.TourContext:
    name = "airline-passengers.csv"
    table = read_table(resources.files("lstmlab").joinpath("samples", name).read_bytes(), name)
    spec = infer_spec(table)
    series = prepare_series(table, spec)
    config = WindowConfig(window=window, transform=transform)
    scaled = scale_series(series.values, series.targets, config)
    splits = window_splits(scaled, config)
    model_config = ModelConfig(h_size=8, **model)
    if not trained:
        return tour_steps.TourContext(name, series, scaled, config, splits, model_config)
    train_config = TrainConfig(epochs=2, batch_size=16, seed=3, device="cpu")  # as the app keeps runs: on the CPU
    net = SimpleLSTM.from_config(len(series.columns), window, len(series.targets), model_config, seed=3)
    run = Run.create(number=1, source_name=name, source_digest="d", data_spec=spec, window_config=config,
                     model_config=model_config, train_config=train_config, columns=series.columns,
                     targets=series.targets, scaler=scaled.scaler, model=net)
    run.history = fit(net, splits["train"].x, splits["train"].y, train_config)
    return tour_steps.TourContext(name, series, scaled, config, splits, model_config, run, sample=5, t=2)


@pytest.fixture(scope="module")
def context() -> tour_steps.TourContext:
    return make_context()


def step(context, key: str, language: str = "en") -> tour.TourStep:
    return tour.tour_step(STEP_KEYS.index(key), context, language)


def prefix_state(model: SimpleLSTM, x: torch.Tensor, t: int) -> tuple[np.ndarray, np.ndarray]:
    """(h, c) after steps 0..t-1 of layer 0, forward, from nn.LSTM itself (zeros before step 0)."""
    if t == 0:
        zeros = np.zeros(model.h_size)
        return zeros, zeros
    with torch.no_grad():
        _, (h, c) = model.lstm(x[:, :t])
    return h[0, 0].numpy(), c[0, 0].numpy()


def test_languages_have_the_same_keys_and_fields():
    en, zh = TEXTS["en"], TEXTS["zh"]
    assert en.keys() == zh.keys()
    assert en["words"].keys() == zh["words"].keys()
    for key, template in en.items():
        if isinstance(template, str):
            assert fields(template) == fields(zh[key]), key
    for key in STEP_KEYS:
        assert f"{key}.title" in en and f"{key}.body" in en


@pytest.mark.parametrize("language", LANGS)
def test_every_step_fills_every_field(context, language):
    for index, key in enumerate(STEP_KEYS):
        shown = tour.tour_step(index, context, language)
        assert shown.key == key and not shown.needs_run
        assert "{" not in shown.body and "}" not in shown.body, (key, shown.body)
        assert shown.link.startswith("pages/") and shown.link_label == TEXTS[language][f"link.{shown.link[6:-3]}"]
    assert tour.step_titles(language)[0].startswith("1. ")


def test_the_tensor_step_states_the_window_count(context):
    shown = step(context, "tensor")
    t_train = context.scaled.bounds["train"][1]
    reference = len(range(0, t_train - 4 - 1 + 1, 1))  # window starts that leave room for the target
    n = shown.numbers["N_train"]
    assert n == reference == count_windows(t_train, 4, 1, 1) == len(context.splits["train"])
    assert n == describe_shapes(context.scaled, context.config)[0]["N"]
    assert f"[{n:,}, 4, 1]" in shown.body and f"N = {n:,}" in shown.body
    assert shown.numbers["N_test"] == len(context.splits["test"]) and shown.numbers["T"] == 144
    assert list(shown.table["N"]) == [len(context.splits[s]) for s in ("train", "validation", "test")]


def test_the_parameter_count_does_not_change_with_the_window(context):
    shown = step(context, "one_cell")
    lstm = nn.LSTM(1, 8, batch_first=True)  # the reference: PyTorch's own module, no window anywhere
    expected = sum(p.numel() for p in lstm.parameters())
    twice = SimpleLSTM(1, 8, 1, 8)
    assert shown.numbers["lstm_W"] == shown.numbers["lstm_2W"] == expected == count_parameters(twice.lstm)
    assert shown.numbers["lstm_W"] == count_parameters(context.run.model.lstm)
    assert shown.numbers["total_W"] == count_parameters(context.run.model) == expected + 8 + 1
    assert shown.numbers["layer0"] == expected and shown.numbers["per_step"] == 4 * expected
    assert f"**{expected:,}**" in shown.body and shown.table["count"].sum() == count_parameters(context.run.model)


def test_h_joined_with_x_holds_the_real_vectors(context):
    shown = step(context, "concat")
    model, x = context.run.model, context.x  # (1, W, F)
    h_prev, _ = prefix_state(model, x, 2)
    table = shown.table.set_index("entry")["value"]
    assert np.allclose(table.iloc[:4], h_prev[:4], atol=1e-6)
    assert table["Passengers"] == pytest.approx(float(x[0, 2, 0]))
    assert shown.numbers["HF"] == 9 and shown.numbers["t"] == 2 and shown.numbers["gap"] < 1e-9
    assert shown.numbers["when"] == str(context.series.time[int(context.windows.target_rows[5]) - 4 + 2].date())


def test_the_gates_are_the_cell_own_numbers(context):
    shown = step(context, "gates")
    model, x, t = context.run.model, context.x, 2
    h_prev, c_prev = prefix_state(model, x, t)
    lstm = model.lstm
    z = (lstm.weight_ih_l0.detach().double().numpy() @ x[0, t].double().numpy()
         + lstm.weight_hh_l0.detach().double().numpy() @ h_prev + (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy())
    i, f, g, o = np.split(z, 4)  # PyTorch's order
    sig = 1 / (1 + np.exp(-np.array([i, f, o])))
    reference = {"i": sig[0], "f": sig[1], "g": np.tanh(g), "o": sig[2]}
    names = {"i": "input gate i", "f": "forget gate f", "g": "cell candidate g", "o": "output gate o"}
    for gate, name in names.items():
        assert shown.numbers[gate] == pytest.approx(reference[gate][0], abs=1e-5)
        assert np.allclose(shown.table[name], reference[gate][:8], atol=1e-5)
    traced = trace_cells(model, x).cell(0, 0, 0, t)  # and the library's own trace
    assert all(np.array_equal(shown.table[names[g]], getattr(traced, g)[:8]) for g in names)
    c = reference["f"] * c_prev + reference["i"] * reference["g"]
    assert shown.numbers["c"] == pytest.approx(c[0], abs=1e-5)
    assert f"i = {shown.numbers['i']:.3f}" in shown.body and len(shown.equations) == 6


def test_h_and_c_are_handed_on_unchanged(context):
    shown = step(context, "handover")
    h3, c3 = prefix_state(context.run.model, context.x, 3)  # after steps 0..2: what step 3 starts from
    assert (shown.numbers["t0"], shown.numbers["t1"]) == (2, 3) and shown.numbers["gap"] == 0
    assert np.allclose(shown.table["h (t=2)"], h3, atol=1e-6) and np.allclose(shown.table["c (t=2)"], c3, atol=1e-6)
    assert np.allclose(shown.table["h_prev (t=3)"], h3, atol=1e-6)
    last = step(replace(context, t=3), "handover")  # the last step hands nothing on: the pair before it
    assert (last.numbers["t0"], last.numbers["t1"]) == (2, 3)


def test_a_one_step_window_hands_on_the_initial_states():
    shown = step(make_context(window=1), "handover", "zh")
    assert shown.numbers["t0"] == -1 and "h0" in shown.body and np.allclose(shown.table["h (t=-1)"], 0)


def test_outputs_stack_to_batch_window_hidden(context):
    shown = step(context, "stacking")
    batch = min(16, len(context.windows))
    with torch.no_grad():
        out, _ = context.run.model.lstm(context.windows.x[:batch])
    assert shown.numbers["batch"] == str(tuple(out.shape)) == f"({batch}, 4, 8)"
    assert shown.numbers["window"] == "(4, 8)" and shown.numbers["gap"] < 1e-5


def test_the_linear_step_gives_the_model_output(context):
    shown = step(context, "linear")
    with torch.no_grad():
        scaled = float(context.run.model(context.x)[0, 0, 0])
    assert shown.numbers["scaled"] == pytest.approx(scaled, abs=1e-5)
    expected = model_predictions(context.run, {"x": context.windows})["x"][context.index, 0, 0]  # original units
    assert shown.numbers["original"] == pytest.approx(expected, rel=1e-5)
    assert shown.numbers["S"] == 8 and len(shown.equations) == 3


def test_the_prediction_is_set_against_the_raw_series(context):
    shown = step(context, "truth")
    row = int(context.windows.target_rows[5])
    assert shown.numbers["true"] == pytest.approx(float(context.series.values[row, 0]), rel=1e-5)
    assert shown.numbers["pred"] == pytest.approx(step(context, "linear").numbers["original"], rel=1e-6)
    assert shown.numbers["N"] == shown.numbers["N_mae"] == len(context.windows)
    assert shown.figure is not None and len(shown.figure.data) == 3


def test_the_errata_are_measured_live(context):
    shown = step(context, "errata")
    run = context.run
    few = context.windows.x[:64]
    rs = errata.random_initial_states(run.model, few, run.scaler, run.targets, 1, run.train_config.seed,
                                      context.windows.last[:64])
    assert shown.numbers["gap_random"] == pytest.approx(float(rs.tutorial_gap.max()))
    assert shown.numbers["gap_random"] > 0  # two random starts do not give the same prediction
    assert shown.numbers["gap_zeros"] == 0 and shown.numbers["gap_bidir"] == 0 and shown.numbers["same"] == "yes"
    assert "index_select" in shown.body and "`h_n`" in shown.body


def test_a_bidirectional_two_layer_random_start_run():
    context = make_context(window=6, bidirectional=True, n_layers=2, init=InitState.RANDOM)
    for language in LANGS:
        for index in range(len(STEP_KEYS)):
            shown = tour.tour_step(index, context, language)
            assert "{" not in shown.body
    stacked = step(context, "stacking").numbers
    assert stacked["batch"].endswith(", 6, 16)") and stacked["D"] == 2
    bidir = step(context, "errata").numbers
    assert (bidir["steps_tutorial"], bidir["steps_corrected"]) == (1, 6) and bidir["gap_bidir"] > 0
    lstm = nn.LSTM(1, 8, num_layers=2, bidirectional=True)
    assert step(context, "one_cell").numbers["lstm_W"] == sum(p.numel() for p in lstm.parameters())


@pytest.mark.parametrize("language", LANGS)
def test_before_training_the_data_steps_show_and_the_rest_say_train_first(language):
    context = make_context(trained=False)
    shown = [tour.tour_step(k, context, language) for k in range(len(STEP_KEYS))]
    assert not shown[0].needs_run and not shown[1].needs_run
    assert shown[0].numbers["N_train"] == len(context.splits["train"])
    assert shown[1].numbers["lstm_W"] == sum(p.numel() for p in nn.LSTM(1, 8).parameters())
    for later in shown[2:]:
        assert later.needs_run and later.link == "pages/train.py" and later.body == TEXTS[language]["needs_run"]


@pytest.fixture(scope="module", params=[Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
def transformed(request) -> tour_steps.TourContext:
    return make_context(transform=request.param)


def test_the_prediction_steps_are_in_original_units_for_every_transform(transformed):
    """Linear, truth and errata steps against the app's predictions (metrics.model_predictions) and the raw series."""
    c = transformed
    assert c.run.scaler.target_transform is c.config.transform
    every = model_predictions(c.run, {"x": c.windows})["x"]  # (N, 1, K) original units
    assert step(c, "linear").numbers["original"] == pytest.approx(every[c.index, 0, 0], rel=1e-5)
    truth = step(c, "truth").numbers
    assert truth["pred"] == pytest.approx(every[c.index, 0, 0], rel=1e-5)
    actual = c.series.values[c.windows.target_rows, 0]  # (N,) every window's next value, raw
    assert truth["true"] == pytest.approx(actual[c.index], rel=1e-5)
    assert truth["mae"] == pytest.approx(np.abs(every[:, 0, 0] - actual).mean(), rel=1e-4)
    errata_numbers = step(c, "errata").numbers
    with torch.no_grad():  # zero states twice: the same prediction; random ones differ, in original units
        scaled = c.run.model(c.windows.x[:64]).numpy().astype(np.float64)
    rs = errata.random_initial_states(c.run.model, c.windows.x[:64], c.run.scaler, c.run.targets, 1,
                                      c.run.train_config.seed, c.windows.last[:64])
    np.testing.assert_allclose(rs.zeros[0], every[:64], rtol=1e-5)
    np.testing.assert_allclose(rs.zeros[0], c.run.scaler.inverse(scaled, c.run.targets, c.windows.last[:64]),
                               rtol=1e-6)
    assert errata_numbers["gap_random"] == pytest.approx(float(rs.tutorial_gap.max()))

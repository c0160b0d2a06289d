"""Names from a hostile file through the Inspect, What-if, Predictions and Tour text and figures: every name reads
back as written (``visible``), no Markdown link, image or HTML comes from one, no LaTeX command runs from one, and
no Plotly text holds a tag a name brought in."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from lstmlab import explain, narrate, tour, tour_steps
from lstmlab.attach import check_columns
from lstmlab.config import ModelConfig, TrainConfig, WindowConfig
from lstmlab.errata import Bidirectional, RandomStates
from lstmlab.errors import ModelFileError
from lstmlab.figures import cells as fc
from lstmlab.figures import inspect as fi
from lstmlab.figures import predict as fp
from lstmlab.figures import whatif as fw
from lstmlab.figures.axes import explanations
from lstmlab.figures.tour import forecast_figure
from lstmlab.metrics import forecasts
from lstmlab.model import SimpleLSTM
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.runs import Run
from lstmlab.safetext import md_text, visible
from lstmlab.tour_text import LANGUAGES, STEP_KEYS, TEXTS
from lstmlab.trace import trace_cells
from lstmlab.train import fit
from lstmlab.whatif import ValueRange, check_window, read_grid, window_frame
from lstmlab.windows import Scaler, scale_series, window_splits
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES, hostile_frame
from tests.hostile_checks import (
    LATEX_COMMANDS,
    assert_no_tags_from_names,
    assert_plain_markdown,
    assert_shown_as_written,
    markdown_read,
)

NAMES = [name for name in HOSTILE_NAMES if name]  # a column with no name at all is no feature name


# ---------------------------------------------------------------------------------------------------- text builders


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_errata_texts_name_the_target_as_written(name):
    gap = np.array([[[0.5]]])
    states = RandomStates((gap, gap + 1), (gap, gap))
    assert_plain_markdown(explain.random_states_text(states, name), [name])
    for both in (False, True):
        bd = Bidirectional(both, 1, 4, gap, gap + 1, 1, 4, 0.1, 0.0)
        assert_plain_markdown(explain.bidirectional_text(bd, name), [name])


def test_missing_text_names_columns_visibly_and_reads_back_as_markdown():
    counts = pd.Series({name: k + 1 for k, name in enumerate(HOSTILE_NAMES)})
    text = explain.missing_text(counts)  # plain text: a page shows it with md_text
    listed = ", ".join(f"{visible(name)}: {k + 1}" for k, name in enumerate(HOSTILE_NAMES))
    assert text == f"Missing values as read: {listed}."
    assert_plain_markdown(md_text(text))
    assert markdown_read(md_text(text))[0] == text


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_prediction_equation_runs_no_latex_command_from_a_name(name):
    step = narrate.LinearStep(np.ones(2), np.ones(2), 0.5, 2.5, 10.0, 1.0, name, 1)
    line = narrate.prediction_equations(step)[2]
    assert not any(command in line for command in (*LATEX_COMMANDS, r"\frac", r"\(", r"\N"))
    inside = re.match(r"\\hat y_\{\\text\{(.*)\}\} = ", line).group(1)
    assert "$" not in inside.replace(r"\$", "") and "\n" not in inside
    assert not re.search(r"(?<!\\)[{}]", inside.replace(r"\textbackslash{}", "").replace(r"\textasciitilde{}", "")
                         .replace(r"\textasciicircum{}", ""))  # every brace of the name escaped: \text{} stays shut


def test_whatif_messages_name_features_visibly():
    columns = HOSTILE_NAMES[11:13]  # a right-to-left override; a zero-width space and a bell
    scaler = Scaler("standard", np.zeros(2), np.ones(2))
    flagged = check_window(np.array([[0.0, 1e6]]), np.zeros((1, 2)), scaler, ValueRange(np.zeros(2), np.ones(2)),
                           columns)
    assert visible(columns[1]) in flagged.flags[0].message and columns[1] not in flagged.flags[0].message
    refused = read_grid(window_frame(np.zeros((1, 2)), columns).astype(object).map(lambda v: "x"), np.zeros((1, 2)),
                        scaler, ValueRange(np.zeros(2), np.ones(2)))
    assert all(visible(name) in refused.message for name in columns)
    assert not any(ch in refused.message for ch in "\u202e\u200b\ufeff\x07\x00")


def test_a_model_file_with_hostile_column_names_is_refused_in_visible_text():
    class Loaded:
        def __init__(self) -> None:
            self.config = {"columns": tuple(HOSTILE_NAMES[11:14]), "targets": (0,)}

    with pytest.raises(ModelFileError, match="trained on columns") as info:
        check_columns(Loaded(), ("a",), (0,))
    message = str(info.value)
    assert all(visible(name) in message for name in HOSTILE_NAMES[11:14])
    assert not any(ch in message for ch in "\u202e\u200b\ufeff\x07\x00\n")


# ------------------------------------------------------------------------------------------- a run on hostile names


@pytest.fixture(scope="module")
def hostile_context() -> tour_steps.TourContext:
    """A trained run on the hostile series, two hostile targets, the window picked in the test split."""
    table = hostile_frame()
    spec = replace(infer_spec(table), targets=(HOSTILE_NAMES[1], HOSTILE_NAMES[0]))
    series = prepare_series(table, spec)
    config = WindowConfig(window=4, horizon=2)
    scaled = scale_series(series.values, series.targets, config)
    splits = window_splits(scaled, config)
    model_config = ModelConfig(h_size=8)
    train_config = TrainConfig(epochs=1, batch_size=16, seed=3, device="cpu")
    net = SimpleLSTM.from_config(len(series.columns), config.window, config.horizon * len(series.targets),
                                 model_config, seed=3)
    run = Run.create(number=1, source_name=HOSTILE_FILE, source_digest="d", data_spec=spec, window_config=config,
                     model_config=model_config, train_config=train_config, columns=series.columns,
                     targets=series.targets, scaler=scaled.scaler, model=net)
    run.history = fit(net, splits["train"].x, splits["train"].y, train_config)
    return tour_steps.TourContext(HOSTILE_FILE, series, scaled, config, splits, model_config, run, sample=1, t=2)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_tour_step_shows_the_names_as_written(hostile_context, language):
    c = hostile_context
    target = c.run.target_names[0]
    expected = {"tensor": [HOSTILE_FILE, *c.series.columns[:8], *c.series.target_names], "linear": [target],
                "truth": [target], "errata": [target]}
    for index, key in enumerate(STEP_KEYS):
        step = tour.tour_step(index, c, language)
        assert_plain_markdown(step.body, expected.get(key, ()))
        for line in step.equations:
            assert not any(command in line for command in LATEX_COMMANDS), line
        if step.figure is not None:
            assert_no_tags_from_names(step.figure)
        if key == "tensor":
            assert step.numbers["name"] == HOSTILE_FILE and step.numbers["targets"] == c.series.target_names
        if key == "concat":
            assert list(step.table.iloc[-4:, 0]) == [visible(name) for name in c.series.columns[:4]]


def test_tour_forecast_figure_names_the_target_as_written(hostile_context):
    fig = tour.tour_step(STEP_KEYS.index("truth"), hostile_context, "en").figure
    assert_no_tags_from_names(fig)
    assert_shown_as_written([fig.layout.yaxis.title.text], [hostile_context.run.target_names[0]])
    labels = ["<b>t0</b>", "%{x}", "t\u202e2"]
    fig = forecast_figure(labels, np.ones(3), ["<a href='x'>f</a>"], np.ones(1), np.ones(1), "<i>y</i>",
                          TEXTS["en"]["words"])
    assert_no_tags_from_names(fig)
    assert_shown_as_written(fig.data[0].x, labels)
    assert_shown_as_written(fig.data[1].x, ["<a href='x'>f</a>"])


def test_inspect_figures_show_feature_names_as_written(hostile_context):
    c = hostile_context
    columns, rng = list(c.series.columns), np.random.default_rng(0)
    fig = fi.attribution_figure(rng.normal(size=(4, len(columns))), columns, f"gradient for step 1 · {columns[1]}")
    assert_no_tags_from_names(fig)
    assert_shown_as_written(fig.layout.yaxis.ticktext, columns)
    assert_shown_as_written(fig.data[0].customdata[:, 0], columns)
    assert html.unescape(fig.layout.title.text) == visible(f"gradient for step 1 · {columns[1]}")

    cell = trace_cells(c.run.model, c.x).cell(0, 0, 0, 2)
    fig = fc.cell_figure(cell, range(8), columns)
    assert_no_tags_from_names(fig)
    assert_shown_as_written(fig.layout.yaxis.ticktext, columns)
    assert_shown_as_written(fig.data[0].customdata, columns)

    labels = ["<b>t</b>", "%{y}", "a\u202eb", '<a href="x">t</a>']
    h = rng.normal(size=(4, 8))
    fig = fi.chain_figure(h, h, rng.normal(size=(4, 3)), 2, labels=labels)
    assert_no_tags_from_names(fig)
    assert_shown_as_written(next(t for t in fig.data if t.name.startswith("▲ below")).hovertext, labels)

    gap, target = rng.normal(size=(6, 1, 1)), HOSTILE_NAMES[1]
    for tutorial in ((gap, gap + 1), (gap, gap + 1e-9)):  # apart, and drawn on top of each other (a note)
        fig = fi.random_states_figure(RandomStates(tutorial, (gap, gap)), target)
        assert_no_tags_from_names(fig)
        assert_shown_as_written([fig.layout.yaxis.title.text], [target])
        notes = explanations(fig)  # the lines drawn on top of each other, the target's unit named
        assert len(notes) == (tutorial[1][0, 0, 0] - gap[0, 0, 0] < 1) and all("evil&lt;/a&gt;" in n for n in notes)

    states = {k: rng.normal(size=(4, 8)) for k in ("h", "c", "i", "f", "g", "o")}
    assert_no_tags_from_names(fc.state_heatmaps(states, "<b>x</b> %{z}"))


def test_whatif_and_prediction_figures_name_the_target_as_written(hostile_context):
    c, name = hostile_context, hostile_context.run.target_names[0]
    labels = ["<b>t</b>", "%{y}", "a\u202eb", '<a href="x">t</a>']
    fig = fw.window_prediction_figure(np.ones(4), np.ones(4), np.ones(2), np.ones(2), labels, name, 1)
    assert_no_tags_from_names(fig)
    assert_shown_as_written(fig.layout.xaxis.ticktext[:4], labels)
    assert html.unescape(fig.layout.title.text).startswith(visible(name))

    values, splits = c.series.values, c.splits
    table = forecasts(c.run, values, splits, 12)
    x = np.asarray(c.series.time)
    for k, target in enumerate(c.run.target_names):
        for fig in (fp.predictions_figure(x, values[:, c.run.targets[k]], table, splits, k, 2, target),
                    fp.residuals_figure(x, table, splits, k, 1, target),
                    fp.fan_figure(x, values[:, c.run.targets[k]], table["test"], splits["test"].target_rows, [0], k,
                                  target)):
            assert_no_tags_from_names(fig)
            assert html.unescape(fig.layout.title.text).startswith(visible(target) + ": ")
    fig = fp.predictions_figure(x, values[:, 0], table, splits, 0, 1, name)
    assert_shown_as_written([fig.layout.yaxis.title.text], [name])


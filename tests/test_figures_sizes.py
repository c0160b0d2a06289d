"""Every figure built at window 4 / 1 feature, window 52 / the 13 pollution columns, window 200 / 50 features,
from a small seeded model and its trace: every feature named, heights growing with rows, colour bars of a sane
length, value labels only where they fit, dates in the series' resolution, empty-looking charts explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from lstmlab import errata
from lstmlab.config import Scaling
from lstmlab.figures import cells as fc
from lstmlab.figures import data as fd
from lstmlab.figures import inspect as fi
from lstmlab.figures import predict as fp
from lstmlab.figures import train as ft
from lstmlab.figures import windows as fw
from lstmlab.figures.axes import ASSUMED_WIDTH, CHAR_PX, EXPLANATION, explanations
from lstmlab.model import SimpleLSTM
from lstmlab.prepare import PreparedSeries
from lstmlab.trace import trace_cells
from lstmlab.trace_stats import unit_saturation
from lstmlab.windows import Scaler, SplitWindows

from .conftest import SAMPLES

POLLUTION = (SAMPLES / "pollution.csv").read_text().splitlines()[0].split(",")  # the table's 13 columns
SIZES = {"small": (4, ["passengers"]), "pollution": (52, POLLUTION), "large": (200, [f"sensor {k}" for k in range(50)])}
H = 6


@pytest.fixture(scope="module", params=list(SIZES))
def case(request):
    """A seeded model, one window (1, W, F), its trace, and the names, at one of the three sizes."""
    window, names = SIZES[request.param]
    torch.manual_seed(0)
    model = SimpleLSTM(len(names), window, 1, H).eval()
    x = torch.randn(3, window, len(names), generator=torch.Generator().manual_seed(1))
    return dict(size=request.param, window=window, names=names, model=model, x=x, trace=trace_cells(model, x))


def _plot_px(fig) -> float:
    m = fig.layout.margin
    return fig.layout.height - m.t - m.b


def _assert_colorbar_sane(fig, bar, share: float = 1.0):
    """At least 120 px long, and no more ticks than one per 40 px."""
    length = bar.len * share * _plot_px(fig) if bar.lenmode != "pixels" else bar.len
    assert length >= 120, length
    assert bar.nticks is not None and bar.nticks <= max(3, length // 40 + 1)


def _feature_axis(axis, names):
    assert axis.tickmode == "array"
    assert list(axis.tickvals) == list(range(len(names)))
    assert list(axis.ticktext) == list(names)


def _ticks_fit(axis, width=ASSUMED_WIDTH):
    """Explicit, evenly spaced ticks whose labels fit side by side in ``width`` px."""
    vals, text = list(axis.tickvals), list(axis.ticktext)
    assert len(vals) == len(text) >= 1
    assert len(set(np.diff(vals))) <= 1  # evenly spaced
    assert len(text) * CHAR_PX * (max(map(len, text)) + 2) <= width


def test_window_grid(case):
    w, names = case["window"], case["names"]
    steps = pd.date_range("1949-01-01", periods=w, freq="MS")
    scaled = case["x"][0].numpy()
    fig = fw.plot_window_grid(scaled, scaled * 100 + 400, names, steps)
    _feature_axis(fig.layout.yaxis, names)
    _ticks_fit(fig.layout.xaxis)
    assert fig.layout.xaxis.ticktext[:1] == ("Jan 1949",)  # months, not "1949-01-01 00:00:00"
    shows_text = fig.data[0].texttemplate is not None
    assert shows_text == (w == 4)  # 4 cells across have room for "432.1"; 52 and 200 do not
    _assert_colorbar_sane(fig, fig.data[0].colorbar)
    assert fig.layout.height >= 22 * len(names)


def test_window_grid_heights_grow_with_features():
    heights = [fw.plot_window_grid(np.zeros((8, f)), np.zeros((8, f)), [f"c{k}" for k in range(f)], range(8))
               .layout.height for f in (1, 13, 50)]
    assert heights[0] < heights[1] < heights[2]


def test_window_grid_reads_old_string_stamps_at_their_resolution():
    stamps = [str(t) for t in pd.date_range("1958-03-29", periods=5, freq="D")]  # "1958-03-29 00:00:00"
    fig = fw.plot_window_grid(np.zeros((5, 1)), np.zeros((5, 1)), ["temp"], stamps)
    assert fig.layout.xaxis.ticktext[0] == "1958-03-29"


@pytest.mark.parametrize(("freq", "fmt"), [("MS", "%b %Y"), ("D", "%Y-%m-%d"), ("W", "%Y-%m-%d"),
                                           ("h", "%Y-%m-%d %H:%M"), ("YS", "%Y")])
def test_date_ticks_in_the_series_resolution(freq, fmt):
    time = pd.date_range("2010-01-01", periods=300, freq=freq)
    values = np.sin(np.arange(300.0))
    fig = fw.plot_window_on_series(time, values, "pm2.5", 100, 52, 1, {"train": (0, 300)})
    assert fig.layout.xaxis.tickformat == fmt and fig.layout.xaxis.tickangle == 0
    width = len(time[0].strftime(fmt)) + 3
    assert fig.layout.xaxis.nticks * CHAR_PX * width <= ASSUMED_WIDTH
    series = PreparedSeries(values=values[:, None].astype(np.float32), columns=("pm2.5",), targets=(0,), time=time)
    assert fd.plot_series(series, ["pm2.5"]).layout.xaxis.tickformat == fmt
    splits = {"test": SplitWindows(torch.zeros(10, 4, 1), torch.zeros(10, 1, 1), np.arange(200, 210))}
    table = {"test": {"model": np.ones((10, 1, 1)), "actual": np.ones((10, 1, 1))}}
    assert fp.predictions_figure(time.values, values, table, splits).layout.xaxis.tickformat == fmt
    assert fp.residuals_figure(time.values, table, splits).layout.xaxis.tickformat == fmt


def test_split_span_is_the_splits_first_and_last_time_and_opens_the_predictions_chart_there():
    monthly = pd.date_range("1949-01-01", periods=144, freq="MS").values
    bounds = {"train": (0, 100), "validation": (100, 122), "test": (122, 144)}
    assert fp.split_span(monthly, bounds) == ["1959-03-01 00:00:00", "1960-12-01 00:00:00"]
    assert fp.split_span(monthly, bounds, "validation") == ["1957-05-01 00:00:00", "1959-02-01 00:00:00"]
    assert fp.split_span(np.arange(144), bounds) == [122.0, 143.0]  # a row-number axis
    assert fp.split_span(monthly, {**bounds, "test": (144, 144)}) is None  # no test rows: nothing to zoom on
    splits = {"test": SplitWindows(torch.zeros(10, 4, 1), torch.zeros(10, 1, 1), np.arange(130, 140))}
    table = {"test": {"model": np.ones((10, 1, 1)), "actual": np.ones((10, 1, 1))}}
    zoomed = fp.predictions_figure(monthly, np.arange(144.0), table, splits, x_range=fp.split_span(monthly, bounds))
    assert list(zoomed.layout.xaxis.range) == ["1959-03-01 00:00:00", "1960-12-01 00:00:00"]
    assert fp.predictions_figure(monthly, np.arange(144.0), table, splits).layout.xaxis.range is None


def test_rows_have_no_date_format():
    fig = fw.plot_window_on_series(pd.RangeIndex(300), np.zeros(300), "y", 10, 4, 1, {"train": (0, 300)})
    assert fig.layout.xaxis.tickformat is None


def test_batch_views(case):
    names, batch = case["names"], case["x"].numpy()
    cube = fw.plot_batch_cube(batch, names, 5)
    assert list(cube.layout.scene.yaxis.ticktext) == names and list(cube.layout.scene.yaxis.tickvals) == list(
        range(len(names)))
    slices = fw.plot_batch_slices(batch, names[-1], len(names) - 1, 5)
    _ticks_fit(slices.layout.xaxis)
    assert slices.layout.yaxis.tickvals[0] == 5  # window numbers, not row positions
    _assert_colorbar_sane(slices, slices.data[0].colorbar)


def test_batch_slices_grow_with_windows():
    one, many = (fw.plot_batch_slices(np.zeros((b, 12, 1)), "y", 0, 0).layout.height for b in (1, 32))
    assert many > one


def test_attribution_names_every_feature(case):
    names, w = case["names"], case["window"]
    fig = fi.attribution_figure(np.random.default_rng(0).normal(size=(w, len(names))), names, "gradient × input")
    _feature_axis(fig.layout.yaxis, names)
    _ticks_fit(fig.layout.xaxis)
    _assert_colorbar_sane(fig, fig.data[0].colorbar)
    assert fig.layout.height - fig.layout.margin.t - fig.layout.margin.b >= 22 * len(names)


def test_cell_figure_names_every_feature(case):
    tr, names = case["trace"], case["names"]
    cell = tr.cell(0, 0, 0, case["window"] - 1)
    fig = fc.cell_figure(cell, range(H), names)
    _feature_axis(fig.layout.yaxis, names)
    np.testing.assert_array_equal(fig.data[0].x, cell.x)
    gate_names = {t.name for t in fig.data[1:5]}
    assert gate_names == {"i · input gate", "f · forget gate", "g · cell candidate", "o · output gate"}
    assert list(fig.layout.xaxis2.tickvals) == list(range(H))  # units named on the gate panel


def test_cell_figure_grows_with_inputs():
    trs = []
    for f in (1, 13, 50):
        torch.manual_seed(0)
        model = SimpleLSTM(f, 4, 1, H).eval()
        trs.append(fc.cell_figure(trace_cells(model, torch.randn(1, 4, f)).cell(0, 0, 0, 3), range(H),
                                  [f"c{k}" for k in range(f)]).layout.height)
    assert trs[0] < trs[1] < trs[2]


def test_state_heatmaps(case):
    tr = case["trace"]
    states = {k: getattr(tr, k)[0, 0, 0].numpy() for k in ("h", "c", "i", "f", "g", "o")}
    fig = fc.state_heatmaps(states, "sample 0")
    titles = [a.text for a in fig.layout.annotations]
    assert {"i · input gate", "f · forget gate", "g · cell candidate", "o · output gate"} <= set(titles)
    for name in ("coloraxis", "coloraxis2", "coloraxis3"):
        _assert_colorbar_sane(fig, fig.layout[name].colorbar, share=1.0)
    _ticks_fit(fig.layout.xaxis, 190)


def test_chain_shows_ends_and_a_labelled_gap(case):
    tr, w = case["trace"], case["window"]
    h, c = tr.h[0, 0, 0].numpy(), tr.c[0, 0, 0].numpy()
    selected = w // 2
    fig = fi.chain_figure(h, c, tr.x[0][0].numpy(), selected)
    cells = next(t for t in fig.data if t.name.startswith("cell"))
    shown = [int(v) for v in fig.layout.xaxis.ticktext]
    gaps = [a for a in fig.layout.annotations if "more" in (a.text or "")]
    hidden = sum(int(a.text.split("<br>")[1].split()[0]) for a in gaps)
    assert len(shown) + hidden == w and selected in shown
    if w == 4:
        assert shown == [0, 1, 2, 3] and not gaps
    else:
        assert len(shown) == 2 * fi.CHAIN_EDGE + 1 and len(gaps) == 2  # the picked cell sits between two gaps
        assert shown[:4] == [0, 1, 2, 3] and shown[-1] == w - 1
    assert len(cells.x) == len(shown)
    # the end labels sit outside the cells and inside the drawn range
    ends = {a.text: a for a in fig.layout.annotations if a.text in ("h₀, c₀", "h_n, c_n")}
    lo, hi = fig.layout.xaxis.range
    assert ends["h₀, c₀"].x < min(cells.x) - 0.5 and ends["h₀, c₀"].xanchor == "right" and lo < ends["h₀, c₀"].x
    assert ends["h_n, c_n"].x > max(cells.x) + 0.5 and ends["h_n, c_n"].xanchor == "left" and ends["h_n, c_n"].x < hi
    names = " ".join(t.name for t in fig.data)
    assert "x_t" in names and "goes in" in names and "h_t comes out" in names


def test_chain_steps():
    assert fi.chain_steps(11, 3) == list(range(11))
    assert fi.chain_steps(52, 51) == [0, 1, 2, 3, None, 48, 49, 50, 51]
    assert fi.chain_steps(52, 4) == [0, 1, 2, 3, 4, None, 48, 49, 50, 51]


def test_saturation_explains_an_empty_chart(case):
    quiet = unit_saturation(case["trace"], low=0.0, high=1.0)  # nothing is below 0 or above 1
    fig = fi.saturation_figure(quiet, 0.0, 1.0)
    notes = explanations(fig)
    assert len(notes) == 1 and "No gate saturates" in notes[0] and "middle range" in notes[0]
    assert [a.text for a in fig.layout.annotations[:3]] == ["input gate i", "forget gate f", "output gate o"]
    busy = unit_saturation(case["trace"], low=0.6, high=0.4)  # every value counts
    assert not explanations(fi.saturation_figure(busy, 0.6, 0.4))


def test_explanation_sits_above_the_plot_area(case):
    fig = fi.saturation_figure(unit_saturation(case["trace"], 0.0, 1.0), 0.0, 1.0)
    note = next(a for a in fig.layout.annotations if a.name == EXPLANATION)
    assert note.yref == "paper" and note.y == 1 and note.yanchor == "bottom" and note.yshift > 0
    lines = note.text.count("<br>") + 1
    assert fig.layout.margin.t >= note.yshift + 20 * lines  # the top margin holds the note


def _random_states(model, x, seed=0):
    scaler = Scaler(Scaling.NONE, np.zeros(1), np.ones(1))
    return errata.random_initial_states(model, x, scaler, [0], 1, seed)


def test_errata_shows_the_difference_and_says_when_it_is_zero(case):
    rs = _random_states(case["model"], case["x"])
    fig = fi.random_states_figure(rs, "passengers")
    diff = next(t for t in fig.data if t.name == "call 1 − call 2 (tutorial)")
    np.testing.assert_allclose(diff.y, rs.tutorial[0][:, 0, 0] - rs.tutorial[1][:, 0, 0])
    same = errata.RandomStates((rs.zeros[0], rs.zeros[0].copy()), rs.zeros)
    notes = explanations(fi.random_states_figure(same, "passengers"))
    assert len(notes) == 1 and "difference is zero" in notes[0]
    if np.abs(rs.tutorial_gap).max() > 1e-2:  # visibly different calls need no note
        assert not explanations(fig)


def test_unit_paths_explain_finding_nothing(case):
    values = case["trace"].h[0, 0, 0].numpy()  # (W, H)
    w = case["window"]
    fig = fc.unit_paths_figure(values, np.array([], dtype=int), 0, w - 1, 2.0, "h")
    notes = explanations(fig)
    best = values.min(axis=0).max()
    assert len(notes) == 1 and f"{best:.3g}" in notes[0]
    assert not explanations(fc.unit_paths_figure(values, np.array([0]), 0, w - 1, -2.0, "h"))


def test_loss_axis_has_readable_ticks():
    losses = list(np.geomspace(5, 1e-4, 40))
    fig = ft.plot_losses(losses, losses[::-1])
    y = fig.layout.yaxis
    assert list(y.ticktext) == ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1"]
    np.testing.assert_allclose(y.tickvals, [1e-4, 1e-3, 1e-2, 1e-1, 1])
    narrow = ft.plot_losses([0.012, 0.008, 0.0045], [])
    assert list(narrow.layout.yaxis.ticktext) == ["5×10⁻³", "10⁻²"]  # mantissas only within two decades


def test_missing_bars_name_every_column():
    counts = pd.Series(np.arange(50), index=[f"sensor {k}" for k in range(50)])
    fig = fd.plot_missing(counts)
    assert list(fig.layout.xaxis.tickvals) == list(fig.layout.xaxis.ticktext) == list(counts.index)
    assert list(fig.data[0].x) == list(counts.index)
    assert fig.layout.xaxis.tickangle == -90 and fig.data[0].text is None
    few = fd.plot_missing(pd.Series([0, 3], index=["a", "b"]))
    assert few.layout.xaxis.tickangle == 0 and list(few.data[0].text) == ["0", "3"]


def test_gradient_bars_and_zero_attribution(case):
    w, names = case["window"], case["names"]
    fig = fi.gradient_magnitude_figure(np.geomspace(1e-5, 1, w))
    _ticks_fit(fig.layout.xaxis)
    assert fig.layout.yaxis.type == "log" and not explanations(fig)
    assert explanations(fi.gradient_magnitude_figure(np.zeros(w)))
    flat = fi.attribution_figure(np.zeros((w, len(names))), names, "gradient × input")
    assert "Every attribution is zero" in explanations(flat)[0]


def test_pipeline_shows_the_real_shapes(case):
    from lstmlab.shapes import trace_shapes

    model, x = case["model"], case["x"]
    fig = fi.pipeline_figure(trace_shapes(model, x), "LSTM output")
    text = " ".join(fig.data[0].text)
    w, f = case["window"], len(case["names"])
    assert f"(3, {w}, {f})" in text and f"(3, {w}, {H})" in text
    from lstmlab.narrate import traced_batch_note

    noted = fi.pipeline_figure(trace_shapes(model, x), "LSTM output", batch_note=traced_batch_note(3, 64))
    note = next(a for a in noted.layout.annotations if (a.text or "").startswith("B = 3"))
    assert "batches of 64" in note.text and note.y < 0 and note.yanchor == "top"  # under the boxes' row


def test_state_heatmaps_grow_with_units():
    def height(units):
        return fc.state_heatmaps({k: np.zeros((12, units)) for k in ("h", "c", "i", "f", "g", "o")}).layout.height

    assert height(4) < height(128) <= height(256)

"""The Windows page driven by widget key: tensor shapes from the formula, the window views, bad settings."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import Transform, WindowConfig
from lstmlab.window_fit import fit_window_config, settings_for_series
from tests.app_support import open_app
from tests.conftest import ROOT
from tests.hostile_checks import rendered

POLLUTION = "Beijing PM2.5 pollution (hourly, 2010-2014)"


@pytest.fixture
def windows() -> AppTest:
    at = open_app()
    at.switch_page("pages/windows.py").run()
    assert not at.exception
    return at


def shapes(at: AppTest) -> dict[str, dict]:
    table = next(df.value for df in at.dataframe if "formula" in df.value.columns)
    return {row["split"]: row for row in table.to_dict("records")}


def chart_keys(at: AppTest) -> set[str]:
    return {chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")}


def test_default_shapes_on_airline(windows):
    # 144 rows, 15 % validation and test: 22 rows each, 100 for training
    rows = shapes(windows)
    assert [rows[s]["rows T"] for s in ("train", "validation", "test")] == [100, 22, 22]
    assert rows["train"]["X"] == "[88, 12, 1]" and rows["train"]["y"] == "[88, 1, 1]"
    assert rows["test"]["formula"] == "(22 - 12 - 1) // 1 + 1 = 10"
    assert {"window_on_series", "window_grid", "batch_cube", "batch_slices"} <= chart_keys(windows)


@pytest.mark.parametrize(("window", "horizon", "stride"), [(6, 1, 1), (10, 3, 2), (24, 6, 4)])
def test_shapes_follow_the_formula(windows, window, horizon, stride):
    windows.number_input(key="window").set_value(window)
    windows.number_input(key="horizon").set_value(horizon)
    windows.number_input(key="stride").set_value(stride).run()
    assert not windows.exception
    for split, rows in shapes(windows).items():
        n = (rows["rows T"] - window - horizon) // stride + 1
        assert rows["N"] == max(n, 0), split
        assert rows["X"] == f"[{rows['N']}, {window}, 1]" and rows["y"] == f"[{rows['N']}, {horizon}, 1]"


def test_the_window_slider_moves_the_highlighted_window(windows):
    windows.slider(key="window_index").set_value(20).run()
    grid = next(c for c in windows.get("plotly_chart") if c.proto.id.endswith("window_grid"))
    # window 20 of the training split starts at row 20: 1950-09 (airline starts 1949-01), labelled by month
    spec = json.loads(grid.proto.spec)
    assert spec["layout"]["xaxis"]["ticktext"][0] == "Sep 1950"
    assert not windows.exception


def test_a_window_longer_than_the_splits_warns_and_keeps_working(windows):
    windows.number_input(key="window").set_value(30).run()  # longer than the 22-row validation split
    assert not windows.exception
    assert any("No windows fit in the validation and test split" in w.value for w in windows.warning)
    assert shapes(windows)["train"]["X"] == "[70, 30, 1]"


def test_a_window_longer_than_every_split_is_an_error_not_a_traceback(windows):
    windows.number_input(key="window").set_value(120).run()
    assert not windows.exception
    assert windows.error and "No split has a single window" in windows.error[0].value


def test_validation_and_test_shares_change_the_splits(windows):
    windows.slider(key="val_fraction").set_value(0.25)
    windows.slider(key="test_fraction").set_value(0.25).run()
    assert [r["rows T"] for r in shapes(windows).values()] == [72, 36, 36]


def test_scaling_is_fitted_on_the_training_rows(windows):
    windows.selectbox(key="transform").set_value(Transform.LEVELS)  # auto scales a trend's targets by its changes
    windows.selectbox(key="scaling").set_value("standard").run()
    scaler = next(df.value for df in windows.dataframe if "Passengers" in df.value.columns)
    import numpy as np

    passengers = np.loadtxt(ROOT / "lstmlab/samples/airline-passengers.csv", delimiter=",", skiprows=1,
                            usecols=1)
    assert scaler.loc["shift", "Passengers"] == pytest.approx(passengers[:100].mean())
    assert scaler.loc["scale", "Passengers"] == pytest.approx(passengers[:100].std())


def test_settings_survive_a_page_switch(windows):
    windows.number_input(key="window").set_value(7).run()
    windows.switch_page("pages/data.py").run()
    windows.switch_page("pages/windows.py").run()
    assert windows.number_input(key="window").value == 7
    assert shapes(windows)["train"]["X"] == "[93, 7, 1]"


def test_multivariate_pollution_shapes(windows):
    windows.switch_page("pages/data.py").run()
    windows.selectbox(key="sample").set_value(POLLUTION).run()
    windows.switch_page("pages/windows.py").run()
    assert not windows.exception
    # 43,800 rows; 11 features (7 numeric + 4 one-hot wind directions); 30,660 training rows; a new series gets
    # its own default window: two days of hourly steps
    assert windows.number_input(key="window").value == 48
    assert shapes(windows)["train"]["X"] == f"[{30660 - 48}, 48, 11]"
    windows.selectbox(key="slice_feature").set_value("cbwd=NW").run()
    assert not windows.exception


def test_settings_too_long_for_a_new_short_series_are_lowered_with_a_warning(windows):
    windows.number_input(key="window").set_value(30).run()
    windows.switch_page("pages/data.py").run()
    short = "t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(20))
    windows.file_uploader(key="upload").set_value(("short.csv", short.encode(), "text/csv")).run()
    windows.switch_page("pages/windows.py").run()
    assert not windows.exception
    fit = fit_window_config(20, WindowConfig(window=30))
    assert [rendered(w.value) for w in windows.warning] == [fit.message] and "Lowered" in fit.message
    assert windows.number_input(key="window").value == fit.config.window < 30


def test_a_remembered_window_too_long_for_a_new_series_is_lowered_with_the_message():
    at = open_app()
    quarterly = pd.DataFrame({"year": np.repeat(np.arange(1990, 2003), 4)[:51],
                              "quarter": np.tile([1, 2, 3, 4], 13)[:51], "gdp": np.linspace(100, 200, 51)})  # fmt: skip
    at.file_uploader(key="upload").set_value(("gdp.csv", quarterly.to_csv(index=False).encode(), "text/csv")).run()
    at.session_state["window_config"] = WindowConfig(window=52)  # chosen for the previous, longer series
    at.switch_page("pages/windows.py").run()
    assert not at.exception, at.exception
    expected = fit_window_config(51, WindowConfig(window=52), season=4)
    assert expected.config.window < 52 and "Lowered" in expected.message
    assert [rendered(w.value) for w in at.warning] == [expected.message]
    assert at.number_input(key="window").value == expected.config.window
    rows = shapes(at)
    assert all(rows[s]["N"] > 0 for s in ("train", "validation", "test"))
    assert rows["train"]["X"] == f"[{rows['train']['N']}, {expected.config.window}, 1]"


def test_a_series_too_short_for_any_split_says_so_and_offers_the_largest_settings():
    at = open_app()
    tiny = pd.DataFrame({"value": np.arange(8.0) ** 1.5})
    at.file_uploader(key="upload").set_value(("tiny.csv", tiny.to_csv(index=False).encode(), "text/csv")).run()
    at.switch_page("pages/windows.py").run()
    assert not at.exception, at.exception
    fit = settings_for_series(8, pd.RangeIndex(8))
    assert fit.too_short and next(rendered(e.value) for e in at.error) == fit.message
    at.button(key="window_fit_offer").click().run()
    assert not at.exception, at.exception
    assert at.session_state["window_config"].window == fit.config.window
    assert all(row["N"] > 0 for name, row in shapes(at).items() if row["rows T"])


def array(values) -> np.ndarray:
    """A trace's values from the chart's JSON (plotly writes numpy arrays as base64 ``bdata``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(np.float64)
    return np.asarray(values, dtype=np.float64)


def transform_traces(at: AppTest) -> list[np.ndarray]:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("window_transform"))
    return [array(trace["y"]) for trace in json.loads(chart.proto.spec)["data"]]


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.DIFFERENCE, Transform.WINDOW])
def test_the_transform_select_changes_what_the_model_learns(windows, transform):
    windows.selectbox(key="transform").set_value(transform).run()  # window 0 of the training split: rows 0-12
    assert not windows.exception, windows.exception
    assert windows.session_state["window_config"].transform is transform
    scaler = list(windows.session_state["_memo"]["scaled"].values())[-1].scaler
    assert scaler.target_transform is transform
    passengers = np.loadtxt(ROOT / "lstmlab/samples/airline-passengers.csv", delimiter=",", skiprows=1, usecols=1)
    window_in, target_in, window_out, target_out = transform_traces(windows)
    assert np.array_equal(np.r_[window_in, target_in], passengers[:13])  # before: the data itself
    after = np.r_[window_out, target_out]  # (13,) what the model learns
    if transform is Transform.LEVELS:  # min-max on the 100 training rows
        low, high = passengers[:100].min(), passengers[:100].max()
        np.testing.assert_allclose(after, (passengers[:13] - low) / (high - low), rtol=1e-5)
    elif transform is Transform.DIFFERENCE:  # each step's change over one scale
        np.testing.assert_allclose(after[1:] * scaler.scale[0], np.diff(passengers[:13]), rtol=1e-4)
    else:  # each window minus its own last value over one scale
        np.testing.assert_allclose(after * scaler.scale[0], passengers[:13] - passengers[11], rtol=1e-4, atol=1e-3)
    assert shapes(windows)["train"]["X"] == "[88, 12, 1]"  # the shapes table stays exact


def test_auto_states_its_reason(windows):
    assert windows.selectbox(key="transform").value is Transform.AUTO
    scaler = list(windows.session_state["_memo"]["scaled"].values())[-1].scaler
    assert scaler.reason and any(scaler.reason in rendered(m.value) for m in windows.markdown)

"""The Windows page driven by widget key: tensor shapes from the formula, the window views, bad settings."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import open_app
from tests.conftest import ROOT

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
    # 43,800 rows; 11 features (7 numeric + 4 one-hot wind directions); 30,660 training rows
    assert shapes(windows)["train"]["X"] == "[30648, 12, 11]"
    windows.selectbox(key="slice_feature").set_value("cbwd=NW").run()
    assert not windows.exception


def test_settings_too_long_for_a_new_short_series_are_lowered_with_a_warning(windows):
    windows.number_input(key="window").set_value(30).run()
    windows.switch_page("pages/data.py").run()
    short = "t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(20))
    windows.file_uploader(key="upload").set_value(("short.csv", short.encode(), "text/csv")).run()
    windows.switch_page("pages/windows.py").run()
    assert not windows.exception
    assert any("window lowered to 19" in w.value for w in windows.warning)
    assert windows.number_input(key="window").value == 19

"""AppTest: train on the built-in airline series, then the Predictions page with metrics, charts and files."""

import io
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from lstmlab.config import Transform, WindowConfig
from lstmlab.data import read_table
from lstmlab.persist import save_model, write_bundle
from lstmlab.prepare import prepare_series
from lstmlab.windows import split_bounds
from tests.app_support import finish_training, open_app, train_session
from tests.conftest import SAMPLES
from tests.hostile_checks import markdown_read

PAGE = "pages/predictions.py"


@pytest.fixture(scope="module")
def at(trained_session):
    trained_session.switch_page(PAGE).run()
    assert not trained_session.exception, trained_session.exception
    return trained_session


def test_without_a_run_the_page_points_to_training():
    at = open_app()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "No trained model yet" in at.info[0].value
    assert at.get("page_link") and at.file_uploader(key="model_upload")


def test_metrics_for_the_model_and_both_baselines(at):
    metrics = next(df.value for df in at.dataframe if "forecast" in df.value.columns)
    assert list(metrics.forecast.unique()) == ["model", "naive", "drift", "seasonal naive (m=12)"]
    assert list(metrics.split.unique()) == ["train", "validation", "test"]
    assert metrics[["MAE", "RMSE", "MAPE %", "MASE"]].notna().all().all()
    naive_test = metrics[(metrics.split == "test") & (metrics.forecast == "naive")].iloc[0]
    assert naive_test["MAE"] == pytest.approx(50.5)  # airline test split, window 12: hand-checked baseline
    assert at.number_input(key="season").value == 12  # monthly axis → 12
    assert len(at.get("plotly_chart")) == 2  # predictions and residuals; no fan for horizon 1
    assert at.success or at.warning


def test_season_change_updates_the_seasonal_baseline(at):
    at.number_input(key="season").set_value(6).run()
    assert not at.exception
    metrics = next(df.value for df in at.dataframe if "forecast" in df.value.columns)
    assert "seasonal naive (m=6)" in set(metrics.forecast)
    at.number_input(key="season").set_value(12).run()


def test_results_come_first_and_the_chart_opens_on_the_test_split(at):
    assert [s.value for s in at.subheader] == ["Downloads", "Load a saved model"]  # the uploader below results
    run = at.session_state["runs"][-1]
    series = prepare_series(read_table((SAMPLES / "airline-passengers.csv").read_bytes(), "a.csv"), run.data_spec)
    start, stop = split_bounds(len(series.time), run.window_config)["test"]
    assert 0 < stop - start < len(series.time) / 4  # a sliver of the whole series
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("pred_chart"))
    expected = [str(series.time[start]), str(series.time[stop - 1])]  # e.g. "1958-09-01 00:00:00"
    assert json.loads(chart.proto.spec)["layout"]["xaxis"]["range"] == expected
    assert any("Zoomed on the test split" in c.value for c in at.caption)


def test_downloads_are_offered(at):
    keys = {button.key for button in at.get("download_button")}
    assert keys == {"download_csv", "download_model", "download_config", "download_script"}
    for key in keys:
        at.download_button(key=key).click().run()
        assert not at.exception


def test_a_saved_model_loads_back_and_a_pickle_is_refused(at, tmp_path):
    run = at.session_state["runs"][-1]
    weights, config = save_model(run)
    at.file_uploader(key="model_upload").set_value(
        [("m.safetensors", weights, "application/octet-stream"), ("m.json", config, "application/json")]
    ).run()
    assert not at.exception
    assert len(at.session_state["runs"]) == 2 and any("Loaded as run 2" in s.value for s in at.success)
    at.run()  # the same upload is not loaded twice
    assert len(at.session_state["runs"]) == 2

    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w').write('x')",))

    at.file_uploader(key="model_upload").set_value(
        [("m.safetensors", pickle.dumps(Payload()), "application/octet-stream"), ("m.json", config, "application/json")]
    ).run()
    assert not at.exception and not marker.exists()
    assert any("only safetensors files are accepted" in markdown_read(e.value)[0] for e in at.error)

    other = json.loads(config)
    other["columns"] = ["Temp"]
    at.file_uploader(key="model_upload").set_value(
        ("m.zip", write_bundle(weights, json.dumps(other).encode()), "application/zip")
    ).run()
    assert not at.exception
    assert any("trained on columns ['Temp']" in markdown_read(e.value)[0] for e in at.error)  # as read
    assert len(at.session_state["runs"]) == 2


def test_multi_step_fan():
    at = train_session(WindowConfig(window=12, horizon=3)).switch_page(PAGE).run()
    assert not at.exception
    assert at.multiselect(key="pred_origins").value
    assert len(at.get("plotly_chart")) == 3
    at.slider(key="pred_step").set_value(3).run()
    assert not at.exception


def test_a_model_loaded_on_other_data_keeps_its_own_scaler(at):
    run = at.session_state["runs"][0]
    weights, config = save_model(run)
    fresh = open_app()
    original = (SAMPLES / "airline-passengers.csv").read_text().splitlines()
    doubled = [original[0]] + [f"{line.split(',')[0]},{2 * int(line.split(',')[1])}" for line in original[1:]]
    fresh.switch_page("pages/data.py").run()
    fresh.file_uploader(key="upload").set_value(("airline2.csv", "\n".join(doubled).encode(), "text/csv")).run()
    fresh.switch_page(PAGE).run()
    fresh.file_uploader(key="model_upload").set_value(
        [("m.safetensors", weights, "application/octet-stream"), ("m.json", config, "application/json")]
    ).run()
    assert not fresh.exception, fresh.exception
    assert any("scaled with the model's own scaler" in c.value for c in fresh.caption)
    assert fresh.session_state["runs"][0].source_name == "airline2.csv"
    metrics = next(df.value for df in fresh.dataframe if "forecast" in df.value.columns)
    naive_test = metrics[(metrics.split == "test") & (metrics.forecast == "naive")].iloc[0]
    assert naive_test["MAE"] == pytest.approx(2 * 50.5)  # the baselines follow the new data


def test_charts_keep_at_most_ten_thousand_points_per_trace():
    import numpy as np

    from lstmlab.explain import time_label
    from lstmlab.figures.predict import fan_figure, predictions_figure, residuals_figure
    from lstmlab.metrics import forecasts
    from tests.test_metrics import make_run

    t = np.arange(30_000)
    values = np.stack([np.sin(t / 50), np.cos(t / 7)], axis=1).astype(np.float32)
    run, _, splits = make_run(values, window=6, horizon=2)
    table = forecasts(run, values, splits, 24)
    x = np.datetime64("2020-01-01T00") + t.astype("timedelta64[h]")
    for fig in (predictions_figure(x, values[:, 0], table, splits), residuals_figure(x, table, splits)):
        lengths = [len(trace.x) for trace in fig.data]
        assert 9_990 <= max(lengths) <= 10_000 and len(lengths) >= 3
    fan = fan_figure(x, values[:, 0], table["test"], splits["test"].target_rows, [0, 5])
    assert len(fan.data) == 1 + 2 * 2 and len(fan.data[1].x) == 3  # actual, then model + seasonal per origin
    assert time_label(x[0]) == "2020-01-01" and time_label(x[1]) == "2020-01-01 01:00"


def test_a_model_for_other_columns_is_refused_with_a_way_out(at):
    weights, config = save_model(at.session_state["runs"][0])
    fresh = open_app()
    fresh.switch_page("pages/data.py").run()
    fresh.selectbox(key="sample").set_value("Melbourne daily minimum temperature (1981-1990)").run()
    fresh.switch_page(PAGE).run()
    fresh.file_uploader(key="model_upload").set_value(
        ("model.zip", write_bundle(weights, config), "application/zip")
    ).run()
    assert not fresh.exception, fresh.exception
    message = markdown_read(fresh.error[0].value)[0]  # the text a reader sees
    assert "does not fit" in message and "airline-passengers.csv" in message and "Passengers" in message
    assert not fresh.session_state["runs"]
    assert "No trained model yet" in fresh.info[0].value


def trending_csv(rows: int = 120) -> bytes:
    """A monthly series rising steadily with small seeded noise: its test values lie above the training range."""
    rng = np.random.default_rng(0)
    month = pd.date_range("2000-01-01", periods=rows, freq="MS")
    value = 100 + 2.0 * np.arange(rows) + rng.normal(0, 1.0, rows)
    return pd.DataFrame({"month": month, "value": value.round(3)}).to_csv(index=False).encode()


def test_a_losing_trending_run_explains_why_and_its_retry_is_recorded():
    at = open_app()
    at.file_uploader(key="upload").set_value(("trend.csv", trending_csv(), "text/csv")).run()
    at.session_state["window_config"] = WindowConfig(transform=Transform.LEVELS)  # levels cannot follow the trend
    at.switch_page("pages/train.py").run()
    at.select_slider(key="h_size").set_value(16)
    at.number_input(key="epochs").set_value(5)
    at.button(key="train_start").click().run()
    finish_training(at)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    metrics = next(df.value for df in at.dataframe if "forecast" in df.value.columns)
    test = metrics[metrics.split == "test"].set_index("forecast")["MAE"]
    assert test["model"] > test.drop("model").min()  # it loses
    assert any("does not beat" in w.value for w in at.warning)
    # an independent count of the test targets outside the training range (numpy on the file's values)
    values = pd.read_csv(io.BytesIO(trending_csv()))["value"].to_numpy()
    bounds = split_bounds(len(values), at.session_state["runs"][0].window_config)
    train, targets = values[slice(*bounds["train"])], values[bounds["test"][0] + 12 : bounds["test"][1]]
    outside = np.mean((targets < train.min()) | (targets > train.max()))
    findings = " ".join(m.value for m in at.markdown)
    assert f"**outside training range** ({outside:.3g})" in findings and f"{outside:.0%}" in findings
    retry = at.button(key="retry_0")
    assert retry.label == "Retrain with window-relative targets"
    retry.click().run()
    assert not at.exception, at.exception
    assert any("training in the background" in i.value for i in at.info)
    finish_training(at)
    kept = at.session_state["runs"]
    assert [r.number for r in kept] == [1, 2] and kept[1].window_config.transform is Transform.WINDOW
    assert kept[1].train_config == kept[0].train_config and kept[1].window_config.window == 12

"""The Data page driven by widget key in AppTest: samples, real uploads, bad uploads, remembered choices."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lstmlab.config import DuplicatePolicy
from pages.common.state import SAMPLES
from tests.app_support import first_run_in_a_fresh_process, open_app
from tests.conftest import MORE_FILES, ROOT, real_file
from tests.hostile_checks import rendered

POLLUTION = "Beijing PM2.5 pollution (hourly, 2010-2014)"
# rows the page reports under the detected defaults (interpolation drops pollution's 24 leading NA rows)
ROWS = {"airline-passengers.csv": "144", "daily-min-temperatures.csv": "3,650", "pollution.csv": "43,800"}
ROWS |= {name: f"{rows:,}" for name, (rows, _) in MORE_FILES.items()}  # every row kept, whatever its time axis


@pytest.fixture
def app() -> AppTest:
    return open_app()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_keys(at: AppTest) -> list[str]:
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()


def test_opens_on_the_airline_sample(app):
    assert app.selectbox(key="sample").value == next(iter(SAMPLES))
    assert metrics(app)["Rows"] == "144" and metrics(app)["Time step"] == "monthly"
    assert app.multiselect(key="time_columns").value == ["Month"]
    assert app.multiselect(key="features").value == ["Passengers"]
    assert "data_chart" in chart_keys(app)
    assert app.session_state.spec.targets == ("Passengers",)


def test_the_table_preview_is_sent_only_when_opened(app):
    assert [e.label for e in app.expander] == ["The table as read (first 100 rows)"]
    assert len(app.dataframe) == 1  # the summary only
    app.selectbox(key="sample").set_value(POLLUTION).run()
    app.session_state["data_preview_open"] = True  # what clicking the expander does
    app.run()
    preview = app.dataframe[1].value
    expected = pd.read_csv(ROOT / "lstmlab" / "samples" / "pollution.csv", nrows=100)
    assert preview.shape == (100, 13) and list(preview.columns) == list(expected.columns)
    assert preview["pm2.5"].isna().sum() == expected["pm2.5"].isna().sum() == 24  # as read, before gap filling
    assert preview["TEMP"].tolist() == expected["TEMP"].tolist()


def test_plotly_is_requested_on_a_sessions_first_run_only(app):
    assert app.session_state.plotly_requested
    # the request chart is gone once the page has run; the first run also carries warmup.py's charts
    assert [key for key in chart_keys(app) if not key.startswith("warmup_")] == ["data_chart"]
    app.switch_page("pages/windows.py").run()
    assert "plotly_request" not in chart_keys(app)


def test_switching_samples(app):
    app.selectbox(key="sample").set_value(POLLUTION).run()
    assert not app.exception
    assert metrics(app)["Rows"] == "43,800" and metrics(app)["Time step"] == "every 1 hour"
    assert app.multiselect(key="time_columns").value == ["year", "month", "day", "hour"]
    assert "No" not in app.multiselect(key="features").value
    assert "One-hot encoded cbwd into 4 columns" in rendered(app.info[0].value)
    assert any("10,000 of 43,800 points" in c.value for c in app.caption)  # the chart is downsampled, and says so
    assert "missing_chart" in chart_keys(app)
    app.selectbox(key="sample").set_value(next(iter(SAMPLES))).run()
    assert metrics(app)["Rows"] == "144"


@pytest.mark.parametrize("name", list(ROWS))
def test_upload_each_real_file(app, name):
    upload(app, name, real_file(name).read_bytes())
    assert not app.exception and not app.error
    assert app.session_state.source.name == name and not app.session_state.source.builtin
    assert metrics(app)["Rows"] == ROWS[name]
    assert app.selectbox(key="sample").value is None  # the upload is in use, not a sample
    assert "data_chart" in chart_keys(app)


def test_the_session_keeps_the_uploaded_bytes_streamlit_stores_not_a_copy(app):
    # The widget's value is a deep copy each run; holding it beside Streamlit's own doubles a large upload's memory.
    data = real_file("monthly-car-sales.csv").read_bytes()
    upload(app, "cars.csv", data)
    assert app.session_state.source.name == "cars.csv" and app.session_state.source.data is data


@pytest.mark.parametrize(
    "name, data",
    [
        ("garbage.csv", bytes(range(256)) * 16),
        ("empty.csv", b""),
        ("header.csv", b"a,b,c\n"),
        ("text.csv", b"name,city\nann,paris\n"),
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n"),
        ("dup.csv", b"a,a\n1,2\n"),
        ("cut.parquet", b"PAR1" + bytes(50)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_bad_upload_shows_an_error_and_keeps_the_data(app, name, data):
    app.selectbox(key="sample").set_value(POLLUTION).run()
    before = metrics(app)
    upload(app, name, data)
    assert not app.exception
    assert len(app.error) == 1 and rendered(app.error[0].value).endswith("\nStill using pollution.csv.")
    assert metrics(app) == before and app.session_state.source.name == "pollution.csv"
    assert "data_chart" in chart_keys(app)
    app.multiselect(key="targets").set_value(["TEMP"]).run()  # the old data stays usable
    assert not app.exception and app.session_state.spec.targets == ("TEMP",)


def test_upload_then_sample_then_a_new_upload(app):
    frame = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=50, freq="D").astype(str), "y": range(50)})
    tsv = frame.to_csv(sep="\t", index=False).encode()
    upload(app, "series.tsv", tsv)
    assert metrics(app)["Rows"] == "50" and metrics(app)["Time step"] == "every 1 day"
    app.selectbox(key="sample").set_value(POLLUTION).run()  # the file stays in the uploader but is not reused
    assert app.session_state.source.name == "pollution.csv"
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    upload(app, "series.parquet", buffer.getvalue())
    assert app.session_state.source.name == "series.parquet" and metrics(app)["Rows"] == "50"


def test_policies_and_choices_reach_the_series(app):
    app.selectbox(key="sample").set_value(POLLUTION).run()
    app.selectbox(key="missing").set_value("drop rows").run()
    assert metrics(app)["Rows"] == "41,757"
    assert "Dropped 2,067 rows with missing values." in rendered(app.info[0].value)
    app.selectbox(key="categorical").set_value("drop").run()
    app.multiselect(key="features").set_value(["pm2.5", "TEMP"]).run()
    spec = app.session_state.spec
    assert spec.features == ("pm2.5", "TEMP") and spec.categorical.value == "drop"
    assert list(app.dataframe[0].value.index) == ["pm2.5", "TEMP"]  # the per-column summary
    app.multiselect(key="time_columns").set_value([]).run()
    assert metrics(app)["Time axis"] == "row order"


def test_invalid_choice_shows_an_error_and_keeps_the_last_good_spec(app):
    good = app.session_state.spec
    app.multiselect(key="targets").set_value([]).run()
    assert not app.exception
    assert "at least one target" in app.error[0].value
    assert app.session_state.spec == good


def test_choices_survive_a_page_switch(app):
    app.selectbox(key="sample").set_value(POLLUTION).run()
    app.multiselect(key="features").set_value(["pm2.5", "DEWP"]).run()
    app.selectbox(key="missing").set_value("forward-fill").run()
    app.switch_page("pages/windows.py").run()
    assert not app.exception
    app.switch_page("pages/data.py").run()
    assert not app.exception
    assert app.multiselect(key="features").value == ["pm2.5", "DEWP"]
    assert app.selectbox(key="missing").value.value == "forward-fill"
    assert app.selectbox(key="sample").value == POLLUTION


def test_an_upload_too_large_offers_its_recent_rows(app, monkeypatch):
    from lstmlab import data as data_module

    monkeypatch.setattr(data_module, "MAX_CELLS", 400)
    rows = "".join(f"2020-01-{1 + i // 24:02d} {i % 24:02d}:00,{i}\n" for i in range(300))
    upload(app, "hourly.csv", ("time,value\n" + rows).encode())
    assert not app.exception
    assert "more than the 400 cells" in app.error[0].value and "Still using" in app.error[0].value
    app.button(key="use_recent").click().run()
    assert not app.exception and not app.error
    assert app.session_state.source.name == "hourly.csv (last 180 rows)"
    assert metrics(app)["Rows"] == "180"


def duplicated_table() -> pd.DataFrame:
    """60 monthly timestamps, 20 of them twice (the second row differs), seeded."""
    rng = np.random.default_rng(0)
    months = pd.date_range("2000-01-01", periods=60, freq="MS")
    stamps = np.concatenate([months, months[::3]])
    return pd.DataFrame({"date": stamps, "value": rng.normal(100, 10, len(stamps)).round(3)})


@pytest.mark.parametrize(
    ("policy", "combine"),
    [(DuplicatePolicy.FIRST, "first"), (DuplicatePolicy.LAST, "last"), (DuplicatePolicy.MEAN, "mean"),
     (DuplicatePolicy.SUM, "sum"), (DuplicatePolicy.KEEP, None)],
)  # fmt: skip
def test_duplicate_timestamps_are_combined_as_chosen(app, policy, combine):
    table = duplicated_table()
    upload(app, "dupes.csv", table.to_csv(index=False).encode())
    app.selectbox(key="duplicates").set_value(policy).run()
    assert not app.exception, app.exception
    assert app.session_state.spec.duplicates is policy
    expected = table["value"] if combine is None else table.groupby("date")["value"].agg(combine)
    assert metrics(app)["Rows"] == f"{len(expected):,}"
    summary = app.dataframe[0].value
    assert summary.loc["value", "mean"] == pytest.approx(expected.mean(), rel=1e-6)  # float32 values
    assert summary.loc["value", "max"] == pytest.approx(expected.max(), rel=1e-6)
    boxes = [w.value for w in app.warning] + [i.value for i in app.info]
    if combine is not None:  # 20 of 80 rows touched: a warning with its numbers, not an info line
        assert any("20" in text for text in (w.value for w in app.warning)), boxes


def test_the_first_page_does_not_import_torch():
    """torch (2-5 s, about 150 MB) loads with the first page that needs it, not with Data; the early import of
    pages/common/preload.py is switched off here, as on a memory-limited server."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "print('torch' in sys.modules, len(at.get('plotly_chart')))\n"
    )
    torch_loaded, charts = first_run_in_a_fresh_process(code)
    assert torch_loaded == "False" and int(charts) >= 1

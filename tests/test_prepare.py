"""prepare: time axis, column roles and gap policies, checked against numpy and pandas done by hand."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lstmlab.column_policies import column_roles, missing_counts, numeric_columns
from lstmlab.config import MAX_NAME_CHARS, CategoricalPolicy, DataSpec, MissingPolicy
from lstmlab.data import DataError, read_table
from lstmlab.figures.common import MAX_POINTS
from lstmlab.figures.data import plot_missing, plot_series
from lstmlab.prepare import (
    PreparedSeries,
    describe_time,
    detect_time_columns,
    infer_spec,
    plot_columns,
    prepare_series,
    summarize,
)
from tests.conftest import ROOT

POLLUTION_FEATURES = ("pm2.5", "DEWP", "TEMP", "PRES", "Iws", "Is", "Ir")


def load(folder, name: str) -> pd.DataFrame:
    return read_table((folder / name).read_bytes(), name)


@pytest.fixture(scope="module")
def pollution(samples) -> pd.DataFrame:
    return load(samples, "pollution.csv")


def test_detects_each_real_time_axis(samples, pollution):
    assert detect_time_columns(load(samples, "airline-passengers.csv")) == ("Month",)
    assert detect_time_columns(load(samples, "daily-min-temperatures.csv")) == ("Date",)
    assert detect_time_columns(pollution) == ("year", "month", "day", "hour")


def test_detects_synthetic_time_columns():
    stamps = pd.date_range("2022-03-01", periods=6, freq="15min")
    assert detect_time_columns(pd.DataFrame({"v": range(6), "at": stamps})) == ("at",)  # datetime dtype
    iso = pd.DataFrame({"x": range(6), "ts": stamps.strftime("%Y-%m-%dT%H:%M:%S+01:00")})
    assert detect_time_columns(iso) == ("ts",)
    weekdays = pd.DataFrame({"day name": ["Mon", "Tue", "Wed", "Mon", "Tue", "Wed"], "v": range(6)})
    assert detect_time_columns(weekdays) == ()  # few distinct labels: a category, not a time axis
    assert detect_time_columns(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})) == ()
    parts = pd.DataFrame({"Year": [2020] * 4, "Month": [1] * 4, "Day": [1] * 4, "Hour": [0, 0, 1, 1], "v": 1.0})
    parts["Minute"] = [0, 30, 0, 30]
    assert detect_time_columns(parts) == ("Year", "Month", "Day", "Hour", "Minute")
    assert detect_time_columns(pd.DataFrame({"year": [2000, 2001, 2002], "v": [1.0, 2.0, 3.0]})) == ("year",)


def test_infer_spec_on_pollution(pollution):
    spec = infer_spec(pollution)
    assert spec.time_columns == ("year", "month", "day", "hour")
    assert spec.features == POLLUTION_FEATURES
    assert spec.targets == ("pm2.5",)
    assert spec.categorical is CategoricalPolicy.ONE_HOT and spec.missing is MissingPolicy.INTERPOLATE
    roles = column_roles(pollution, spec.time_columns)
    assert roles.counters == ("No",) and roles.categorical == ("cbwd",) and roles.numeric == POLLUTION_FEATURES


def test_counters_by_name_and_by_step():
    df = pd.DataFrame(
        {
            "Unnamed: 0": [7, 3, 9, 1],  # a saved pandas index, shuffled
            "k": [10, 11, 12, 13],  # +1 each row
            "v": [1.0, 2.0, 4.0, 5.0],
            "id2": [1, 1, 2, 2],
        }
    )
    roles = column_roles(df)
    assert roles.counters == ("Unnamed: 0", "k")
    assert roles.numeric == ("v", "id2")
    assert infer_spec(df).features == ("v", "id2")
    assert infer_spec(pd.DataFrame({"n": [1, 2, 3, 4]})).features == ("n",)  # only a counter: still a series


def test_pollution_time_axis_from_date_parts(pollution):
    spec = DataSpec(("year", "month", "day", "hour"), ("DEWP",), ("DEWP",))
    series = prepare_series(pollution, spec)
    assert series.length == 43824
    assert series.frequency == "h"
    assert series.time[0] == pd.Timestamp("2010-01-01 00:00") and series.time[-1] == pd.Timestamp("2014-12-31 23:00")
    assert np.array_equal(series.values[:, 0], pollution["DEWP"].to_numpy(np.float32))
    about = describe_time(series)
    assert about["rows"] == 43824 and about["frequency"] == "h" and about["step"] == "every 1 hour"


def test_interpolate_matches_numpy_interp_in_time():
    time = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-04", "2020-01-05", "2020-01-09", "2020-01-10"])
    v = np.array([np.nan, 1.0, np.nan, 4.0, np.nan, np.nan])
    df = pd.DataFrame({"date": time.strftime("%Y-%m-%d"), "v": v})
    series = prepare_series(df, DataSpec(("date",), ("v",), ("v",), missing=MissingPolicy.INTERPOLATE))
    x = time.asi8.astype(float)
    known = ~np.isnan(v)
    expected = np.interp(x[1:], x[known], v[known])  # the first row has nothing before it: dropped
    np.testing.assert_allclose(series.values[:, 0], expected, rtol=1e-6)
    assert expected[1] == pytest.approx(1 + 3 * 2 / 3)  # two days into a three-day gap
    assert series.length == 5 and any("first 1 rows" in n for n in series.notes)


def test_pollution_policies_against_pandas(pollution):
    spec = infer_spec(pollution)
    stamps = pd.to_datetime(pollution[["year", "month", "day", "hour"]])
    pm = pd.Series(pollution["pm2.5"].to_numpy(), index=stamps)
    interpolated = prepare_series(pollution, spec)
    reference = pm.interpolate(method="time").iloc[24:]
    assert interpolated.length == 43824 - 24
    np.testing.assert_allclose(interpolated.values[:, 0], reference.to_numpy(np.float32), rtol=1e-6)
    filled = prepare_series(pollution, DataSpec(**{**spec.__dict__, "missing": MissingPolicy.FFILL}))
    np.testing.assert_array_equal(filled.values[:, 0], pm.ffill().iloc[24:].to_numpy(np.float32))
    dropped = prepare_series(pollution, DataSpec(**{**spec.__dict__, "missing": MissingPolicy.DROP}))
    assert dropped.length == len(pollution.dropna()) == 43824 - 2067
    assert "Dropped 2,067 rows with missing values. That is 4.7% of the 43,824 rows." in dropped.notes
    assert dropped.warnings == ()  # under 5% of the rows: an info line
    assert dropped.frequency is None  # gaps: the steps are no longer regular, and a note says so
    assert any("not all equal" in n for n in dropped.notes)
    assert interpolated.missing[0] == 2067 and dropped.missing[0] == 2067


def test_one_hot_counts_match_value_counts(pollution):
    spec = DataSpec(("year", "month", "day", "hour"), ("DEWP",), ("DEWP",), CategoricalPolicy.ONE_HOT)
    series = prepare_series(pollution, spec)
    assert series.columns == ("DEWP", "cbwd=NE", "cbwd=NW", "cbwd=SE", "cbwd=cv")
    counts = pollution["cbwd"].value_counts()
    for j, name in enumerate(series.columns[1:], start=1):
        assert series.values[:, j].sum() == counts[name.split("=")[1]]
    np.testing.assert_array_equal(series.values[:, 1:].sum(1), 1.0)  # exactly one label per row
    assert any(n.startswith("One-hot encoded cbwd into 4 columns: cbwd=NE") for n in series.notes)
    dropped = prepare_series(pollution, DataSpec(**{**spec.__dict__, "categorical": CategoricalPolicy.DROP}))
    assert dropped.columns == ("DEWP",)
    assert any("cbwd" in n and "drop" in n for n in dropped.notes)
    assert any(n.startswith("Left out No") for n in dropped.notes)


def test_sorted_and_duplicate_timestamps_are_reported():
    df = pd.DataFrame(
        {"t": ["2020-01-03", "2020-01-01", "2020-01-02", "2020-01-01", "2020-01-04"], "v": [3.0, 1.0, 2.0, 9.0, 4.0]}
    )
    series = prepare_series(df, DataSpec(("t",), ("v",), ("v",)))
    np.testing.assert_array_equal(series.values[:, 0], [1.0, 2.0, 3.0, 4.0])  # the first 2020-01-01 in file order
    assert list(series.time.strftime("%d")) == ["01", "02", "03", "04"]
    assert series.frequency == "D"
    assert "Sorted by time (the rows were not in time order)." in series.notes
    dup = next(n for n in series.notes if n.startswith("1 duplicate timestamps (kept the first of each)"))
    assert "2 rows share 1 timestamp, so 1 rows were removed" in dup and "20% of the 5 rows" in dup
    assert series.warnings == (dup,)  # 1 row of 5 is more than a few percent


def test_unreadable_times_dropped_or_refused():
    df = pd.DataFrame({"t": ["2020-01-01", "soon", "2020-01-03", "2020-01-04"], "v": [1.0, 2.0, 3.0, 4.0]})
    series = prepare_series(df, DataSpec(("t",), ("v",), ("v",)))
    assert series.length == 3 and any("could not be read" in n for n in series.notes)
    assert series.warnings == ("Dropped 1 row(s) whose time could not be read. That is 25% of the 4 rows.",)
    garbage = pd.DataFrame({"t": ["a", "b", "c", "2020-01-01"], "v": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(DataError, match="not dates"):
        prepare_series(garbage, DataSpec(("t",), ("v",), ("v",)))


def test_infinities_constant_columns_and_added_target():
    df = pd.DataFrame({"a": [1.0, np.inf, 3.0, 4.0], "c": 5.0, "b": [2.0, 4.0, 6.0, 8.0]})
    series = prepare_series(df, DataSpec((), ("a", "c"), ("b",)))
    assert series.columns == ("a", "c", "b") and series.targets == (2,)
    np.testing.assert_allclose(series.values[:, 0], [1.0, 2.0, 3.0, 4.0])  # inf became a gap, then interpolated
    assert isinstance(series.time, pd.RangeIndex) and series.frequency is None
    notes = " ".join(series.notes)
    assert "1 infinite value(s) in a treated as missing" in notes
    assert "Column c is constant" in notes and "Added the target b" in notes


@pytest.mark.parametrize(
    "spec, words",
    [
        (DataSpec((), (), ("v",), CategoricalPolicy.DROP), "No feature"),
        (DataSpec((), ("v",), ()), "at least one target"),
        (DataSpec((), ("v",), ("kind",)), "holds no numbers"),
        (DataSpec((), ("v",), ("empty",)), "holds no numbers"),
        (DataSpec((), ("nope",), ("v",)), "not in this table"),
        (DataSpec(("v",), ("v",), ("v",)), "holds numbers, not dates"),
        (DataSpec(("kind", "v"), ("v",), ("v",)), "date parts"),
        (DataSpec((), ("note",), ("v",)), "too many different values"),
    ],
)
def test_spec_errors(spec, words):
    df = pd.DataFrame(
        {"v": [1.0, 2.0, 3.0], "kind": ["a", "b", "a"], "empty": np.nan, "note": [f"text {i}" for i in range(3)]}
    )
    df = pd.concat([df] * 10, ignore_index=True)
    df["note"] = [f"free text {i}" for i in range(len(df))]
    with pytest.raises(DataError, match=words):
        prepare_series(df, spec)


def test_too_few_rows_left():
    df = pd.DataFrame({"v": [1.0, np.nan, np.nan]})
    with pytest.raises(DataError, match="at least 2"):
        prepare_series(df, DataSpec((), ("v",), ("v",), missing=MissingPolicy.DROP))


def test_summary_and_missing_counts_against_numpy(samples, pollution):
    series = prepare_series(pollution, infer_spec(pollution))
    table = summarize(series)
    assert list(table.index) == list(series.columns)
    values = series.values.astype(np.float64)
    np.testing.assert_allclose(table["mean"], values.mean(0))
    np.testing.assert_allclose(table["std"], values.std(0, ddof=1))
    np.testing.assert_allclose(table["max"], values.max(0))
    assert table.loc["pm2.5", "role"] == "target" and table.loc["pm2.5", "missing before"] == 2067
    counts = missing_counts(pollution)
    assert counts["pm2.5"] == 2067 and counts.drop("pm2.5").sum() == 0
    airline = prepare_series(
        load(samples, "airline-passengers.csv"), infer_spec(load(samples, "airline-passengers.csv"))
    )
    about = describe_time(airline)
    assert (about["rows"], about["frequency"], about["step"]) == (144, "MS", "monthly")
    assert about["start"] == pd.Timestamp("1949-01-01") and about["end"] == pd.Timestamp("1960-12-01")


def test_daily_temperatures_gaps_are_reported(samples):
    df = load(samples, "daily-min-temperatures.csv")
    series = prepare_series(df, infer_spec(df))
    assert series.length == 3650 and series.frequency is None  # 1984-12-31 and 1988-12-31 are absent
    assert describe_time(series)["step"] == "irregular, mostly 1 day"
    assert any("3,647 of 3,649 are 1 day" in n for n in series.notes)


def test_prepared_series_contract():
    df = read_table(b"1,2\n2,4\n3,7\n", "raw.csv")  # headerless: the reader's note must reach the user
    series = prepare_series(df, infer_spec(df))
    assert isinstance(series, PreparedSeries)
    assert series.values.dtype == np.float32 and series.values.flags.c_contiguous
    assert series.values.shape == (series.length, len(series.columns)) == (3, 1)
    assert series.columns == ("column 2",)  # column 1 counts 1, 2, 3: a row counter
    assert any("read as data" in n for n in series.notes)


def test_reading_and_preparing_do_not_import_torch():
    code = (
        "import sys, lstmlab.data, lstmlab.prepare, lstmlab.figures.data, lstmlab.explain, lstmlab.errors; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_series_figure_downsamples_and_keeps_extremes(pollution):
    series = prepare_series(pollution, infer_spec(pollution))
    fig = plot_series(series, ["pm2.5", "PRES"])
    assert [trace.name for trace in fig.data] == ["pm2.5", "PRES"]
    for trace, j in zip(fig.data, (0, 3), strict=True):
        assert len(trace.y) <= MAX_POINTS
        assert max(trace.y) == series.values[:, j].max() and min(trace.y) == series.values[:, j].min()
        assert trace.yaxis != fig.data[0].yaxis or j == 0  # one panel per column: each keeps its own scale
    many = plot_series(series, series.columns)  # 11 columns: one panel, each scaled to 0..1
    assert len(many.data) == 11 and all(min(t.y) >= 0 and max(t.y) == 1 for t in many.data)
    np.testing.assert_allclose(max(many.data[0].customdata), series.values[:, 0].max())  # hover: real value


def test_missing_figure_counts(pollution):
    fig = plot_missing(missing_counts(pollution))
    assert dict(zip(fig.data[0].x, fig.data[0].y, strict=True))["pm2.5"] == 2067


def test_numeric_and_plot_columns_on_the_shipped_pollution_sample(samples):
    table = read_table((samples / "pollution.csv").read_bytes(), "pollution.csv")
    assert numeric_columns(table) == list(table.select_dtypes("number").columns)
    assert "cbwd" not in numeric_columns(table)
    spec = DataSpec(("year", "month", "day", "hour"), ("pm2.5", "DEWP", "TEMP", "PRES", "Iws"), ("TEMP", "Iws"))
    series = prepare_series(table, spec)
    assert plot_columns(series) == ["TEMP", "Iws", "pm2.5", "DEWP"]  # targets first, then the rest in order
    assert plot_columns(series, most=10) == ["TEMP", "Iws", "pm2.5", "DEWP", "PRES", *series.columns[5:]]


def test_a_name_longer_than_a_model_file_keeps_is_refused_with_its_length():
    longest, too_long = "a" * MAX_NAME_CHARS, "b" * (MAX_NAME_CHARS + 1)
    table = pd.DataFrame({longest: [1.0, 2.0, 3.0], too_long: [4.0, 5.0, 6.0]})
    assert prepare_series(table, DataSpec(features=(longest,), targets=(longest,))).columns == (longest,)
    with pytest.raises(DataError, match=f"{MAX_NAME_CHARS + 1:,} characters; a run keeps names of at most 10,000"):
        prepare_series(table, DataSpec(features=(longest, too_long), targets=(longest,)))

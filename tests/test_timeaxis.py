"""The time axis from the columns people have: date parts, period text, numbers; duplicate timestamps;
the season a time axis implies. Every parsed axis is checked against dates built independently."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmlab.config import DataSpec, DuplicatePolicy
from lstmlab.data import DataError, read_table
from lstmlab.notes import Severity
from lstmlab.prepare import describe_time, detect_time_columns, infer_spec, prepare_series
from lstmlab.timeaxis import season_from_time
from tests.conftest import ROOT, SAMPLES

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]  # fmt: skip


def values(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=n).round(3)


def prepared(df: pd.DataFrame, time_columns: tuple[str, ...] | None = None, **spec):
    """The series under the detected spec, or with these time columns; checks detection agrees."""
    detected = infer_spec(df)
    if time_columns is not None:
        detected = DataSpec(time_columns, detected.features, detected.targets)
    return prepare_series(df, DataSpec(**{**detected.__dict__, **spec})), detected


# --- Date parts spread over columns ---------------------------------------------------------------------


@pytest.mark.parametrize("year_name, quarter_name, as_text", [("year", "quarter", False), ("Year", "Qtr", True)])
def test_year_and_quarter(year_name, quarter_name, as_text):
    periods = pd.period_range("1959Q1", periods=203, freq="Q")
    quarter = [f"Q{q}" for q in periods.quarter] if as_text else periods.quarter
    df = pd.DataFrame({year_name: periods.year, quarter_name: quarter, "gdp": values(203)})
    series, spec = prepared(df)
    assert spec.time_columns == (year_name, quarter_name) and spec.targets == ("gdp",)
    assert series.length == 203 and not series.warnings
    assert series.time.equals(pd.DatetimeIndex(periods.to_timestamp()))  # pandas' own quarter starts
    np.testing.assert_array_equal(series.values[:, series.columns.index("gdp")], df["gdp"].to_numpy(np.float32))
    assert describe_time(series)["step"] == "quarterly"
    assert season_from_time(series.time) == 4


@pytest.mark.parametrize(
    "month_of", [lambda m: m, lambda m: MONTH_NAMES[m - 1][:3], lambda m: MONTH_NAMES[m - 1].upper()]
)
def test_year_and_month_as_numbers_or_names(month_of):
    stamps = pd.date_range("1998-07-01", periods=40, freq="MS")
    df = pd.DataFrame({"sales": values(40), "Month": [month_of(m) for m in stamps.month], "YEAR": stamps.year})
    series, spec = prepared(df)
    assert spec.time_columns == ("YEAR", "Month") and spec.targets == ("sales",)
    assert series.time.equals(stamps) and series.length == 40 and series.frequency == "MS"
    assert season_from_time(series.time) == 12


def test_year_and_iso_week_against_fromisocalendar():
    stamps = pd.date_range("2014-12-29", periods=300, freq="W-MON")  # crosses the 53-week years 2015 and 2020
    iso = stamps.isocalendar()
    df = pd.DataFrame({"year": iso.year.to_numpy(), "week": iso.week.to_numpy(), "co2": values(300)})
    series, spec = prepared(df)
    assert spec.time_columns == ("year", "week")
    expected = [pd.Timestamp(dt.date.fromisocalendar(int(y), int(w), 1)) for y, w in zip(df.year, df.week, strict=True)]
    assert list(series.time) == expected and series.length == 300
    assert season_from_time(series.time) == 52
    bad = df.assign(year=2019, week=list(range(1, 54)) + [1] * 247).iloc[:53]  # 2019 has 52 ISO weeks
    series = prepare_series(bad, DataSpec(("year", "week"), ("co2",), ("co2",)))
    assert series.length == 52 and any(
        n.startswith("Dropped 1 row(s) whose time could not be read") for n in series.notes
    )


@pytest.mark.parametrize("doy_name", ["doy", "dayofyear", "Day of year", "day_of_year"])
def test_year_and_day_of_year(doy_name):
    stamps = pd.date_range("2019-12-20", "2021-01-10", freq="D")  # through leap day 2020-02-29 and day 366
    df = pd.DataFrame({"year": stamps.year, doy_name: stamps.dayofyear, "births": values(len(stamps))})
    series, spec = prepared(df)
    assert spec.time_columns == ("year", doy_name)
    assert series.time.equals(stamps) and series.frequency == "D"
    assert season_from_time(series.time) == 7
    hours = pd.date_range("2021-03-01", periods=50, freq="h")
    df = pd.DataFrame({"yr": hours.year, "doy": hours.dayofyear, "hr": hours.hour, "load": values(50)})
    assert prepared(df)[0].time.equals(hours)


def test_year_month_day_down_to_seconds():
    stamps = pd.date_range("2022-03-01 23:59:50", periods=30, freq="s")
    parts = {p: getattr(stamps, p) for p in ("year", "month", "day", "hour", "minute", "second")}
    series, spec = prepared(pd.DataFrame({**parts, "v": values(30)}))
    assert spec.time_columns == tuple(parts) and series.time.equals(stamps)


def test_picked_parts_in_any_order_and_unnamed_parts_guessed():
    periods = pd.period_range("2001Q3", periods=30, freq="Q")
    df = pd.DataFrame({"Jahr": periods.year, "Quartal": periods.quarter, "v": values(30)})
    assert detect_time_columns(df) == ()  # names say nothing: not detected...
    series = prepare_series(df, DataSpec(("Quartal", "Jahr"), ("v",), ("v",)))  # ...but read when picked
    assert series.time.equals(pd.DatetimeIndex(periods.to_timestamp()))
    assert series.notes[0] == "Time axis from Jahr (year), Quartal (quarter)."
    with pytest.raises(DataError, match="year \\+ quarter"):
        prepare_series(df.assign(day=1), DataSpec(("Jahr", "day"), ("v",), ("v",)))


# --- One column ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["{y}Q{q}", "{y}-Q{q}", "{y} Q{q}", "Q{q} {y}", "{y}q{q}"])
def test_quarter_text(form):
    periods = pd.period_range("1959Q1", periods=24, freq="Q")
    df = pd.DataFrame({"quarter": [form.format(y=p.year, q=p.quarter) for p in periods], "v": values(24)})
    series, spec = prepared(df)
    assert spec.time_columns == ("quarter",)
    assert series.time.equals(pd.DatetimeIndex(periods.to_timestamp())) and series.length == 24


@pytest.mark.parametrize("form", ["%Y-%m", "%b %Y", "%B %Y", "%Y %b", "%m/%Y", "%YM%m"])
def test_month_text(form):
    stamps = [dt.datetime(1949 + k // 12, k % 12 + 1, 1) for k in range(30)]
    df = pd.DataFrame({"when": [s.strftime(form) for s in stamps], "v": values(30)})
    series, _ = prepared(df)
    assert list(series.time) == stamps and series.frequency == "MS"


def test_year_digit_month_text_as_in_the_shampoo_file():
    labels = [f"{y}-{m:02d}" for y in range(1, 4) for m in range(1, 13)]  # 1-01 ... 3-12
    series, _ = prepared(pd.DataFrame({"Month": labels, "Sales": values(36)}))
    assert list(series.time) == [pd.Timestamp(year=y, month=m, day=1) for y in range(1, 4) for m in range(1, 13)]
    assert series.frequency == "MS" and series.notes[0] == "Time axis from Month (read as year-month)."


def test_plain_years_as_text_or_numbers_and_yyyymm_numbers():
    years = list(range(1871, 1971))
    for column in ([str(y) for y in years], years):
        series, _ = prepared(pd.DataFrame({"Year": column, "flow": values(100)}))
        assert list(series.time) == [pd.Timestamp(year=y, month=1, day=1) for y in years]
        assert describe_time(series)["step"] == "yearly" and season_from_time(series.time) is None
    stamps = pd.date_range("1990-01-01", periods=60, freq="MS")
    series, spec = prepared(pd.DataFrame({"period": stamps.year * 100 + stamps.month, "v": values(60)}))
    assert spec.time_columns == ("period",) and series.time.equals(stamps)
    days = pd.date_range("2020-02-20", periods=20, freq="D")
    numbers = pd.DataFrame({"date": days.year * 10_000 + days.month * 100 + days.day, "v": values(20)})
    assert prepared(numbers)[0].time.equals(days)


def test_weekly_text_and_a_numbers_column_refused():
    stamps = pd.date_range("2020-01-06", periods=20, freq="W-MON")
    iso = stamps.isocalendar()
    df = pd.DataFrame({"wk": [f"{y}-W{w:02d}" for y, w in zip(iso.year, iso.week, strict=True)], "v": values(20)})
    assert prepared(df)[0].time.equals(stamps)
    with pytest.raises(DataError, match="holds numbers, not dates"):
        prepare_series(pd.DataFrame({"v": [1.5, 2.5, 3.5] * 5}), DataSpec(("v",), ("v",), ("v",)))


# --- The twelve real files -------------------------------------------------------------------------------

REAL = {  # file: (rows kept, time columns, frequency, first, last)
    "airline-passengers.csv": (144, ("Month",), "MS", "1949-01", "1960-12"),
    "daily-min-temperatures.csv": (3650, ("Date",), None, "1981-01-01", "1990-12-31"),  # two days missing
    "pollution.csv": (43824, ("year", "month", "day", "hour"), "h", "2010-01-01", "2014-12-31 23:00"),
    "daily-total-female-births.csv": (365, ("Date",), "D", "1959-01-01", "1959-12-31"),
    "monthly-car-sales.csv": (108, ("Month",), "MS", "1960-01", "1968-12"),
    "monthly-mean-temp.csv": (240, ("Month",), "MS", "1920-01", "1939-12"),
    "monthly-robberies.csv": (118, ("Month",), "MS", "1966-01", "1975-10"),
    "monthly-shampoo-sales.csv": (36, ("Month",), "MS", "0001-01", "0003-12"),
    "monthly-sunspots.csv": (2820, ("Month",), "MS", "1749-01", "1983-12"),
    "monthly-writing-paper-sales.csv": (147, ("Month",), "MS", "0001-01", "0013-03"),
    "monthly_champagne_sales.csv": (105, ("Month",), "MS", "1964-01", "1972-09"),
    "yearly-water-usage.csv": (79, ("Year",), "YS-JAN", "1885", "1963"),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_each_real_file_keeps_every_row(name):
    path = SAMPLES / name if (SAMPLES / name).exists() else ROOT / "tests" / "data" / name
    df = read_table(path.read_bytes(), name)
    rows, columns, frequency, first, last = REAL[name]
    spec = infer_spec(df)
    complete = tuple(c for c in spec.features if df[c].notna().all())  # pollution: pm2.5 starts with gaps
    spec = DataSpec(**{**spec.__dict__, "features": complete, "targets": complete[:1]})
    series = prepare_series(df, spec)
    assert spec.time_columns == columns and len(df) == series.length == rows
    assert series.frequency == frequency and series.time.is_monotonic_increasing and series.time.is_unique
    assert (series.time[0], series.time[-1]) == (pd.Timestamp(first), pd.Timestamp(last))
    assert not series.warnings


# --- Duplicate timestamps --------------------------------------------------------------------------------


@pytest.fixture
def repeated() -> pd.DataFrame:
    """40 rows over 25 days, out of order, with a label column: some days twice or three times."""
    rng = np.random.default_rng(3)
    days = pd.date_range("2021-01-01", periods=25, freq="D")
    picks = np.concatenate([np.arange(25), rng.choice(25, 15)])
    rng.shuffle(picks)
    return pd.DataFrame(
        {
            "date": days[picks].strftime("%Y-%m-%d"),
            "a": rng.normal(size=40),
            "b": rng.integers(0, 9, 40),
            "kind": rng.choice(["x", "y"], 40),
        }
    )


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
def test_duplicates_combined_as_chosen(repeated, policy):
    series = prepare_series(repeated, DataSpec(("date",), ("a", "b"), ("a",), duplicates=policy))
    table = repeated.assign(date=pd.to_datetime(repeated["date"])).sort_values("date", kind="stable")
    groups = table.groupby("date")[["a", "b"]]
    expected = {
        DuplicatePolicy.MEAN: groups.mean(),
        DuplicatePolicy.SUM: groups.sum(),
        DuplicatePolicy.FIRST: table.drop_duplicates("date", keep="first").set_index("date")[["a", "b"]],
        DuplicatePolicy.LAST: table.drop_duplicates("date", keep="last").set_index("date")[["a", "b"]],
        DuplicatePolicy.KEEP: table.set_index("date")[["a", "b"]],
    }[policy]
    assert list(series.time) == list(expected.index)
    np.testing.assert_allclose(series.values[:, :2], expected.to_numpy(np.float32), rtol=1e-6)
    removed = len(table) - table["date"].nunique()
    shared = int(table["date"].duplicated(keep=False).sum())
    note = next(n for n in series.notes if "duplicate timestamps" in n)
    assert note.startswith(f"{removed} duplicate timestamps")
    assert f"{shared} rows share {table['date'].nunique() - (len(table) - shared)} timestamps" in note
    if policy is DuplicatePolicy.KEEP:
        assert series.length == 40 and not series.warnings
    else:
        assert series.length == 25 and f"{removed} rows were removed" in note
        assert series.warnings == (note,) and f"{100 * removed / 40:.0f}% of the 40 rows" in note
        assert [m.severity for m in series.messages if m.text == note] == [Severity.WARNING]
    assert series.columns[-2:] == ("kind=x", "kind=y")  # labels still one-hot encoded, one label a row
    assert set(series.values[:, -2:].sum(1)) == {1.0}


def test_year_only_on_quarterly_data_warns_with_the_numbers():
    periods = pd.period_range("1959Q1", periods=203, freq="Q")
    df = pd.DataFrame({"year": periods.year, "quarter": periods.quarter, "cpi": values(203)})
    series = prepare_series(df, DataSpec(("year",), ("cpi",), ("cpi",), duplicates=DuplicatePolicy.MEAN))
    assert series.length == 51
    np.testing.assert_allclose(series.values[:, 0], df.groupby("year")["cpi"].mean().to_numpy(np.float32), rtol=1e-6)
    (warning,) = series.warnings
    assert warning.startswith("152 duplicate timestamps (numbers averaged") and "75% of the 203 rows" in warning


def test_a_few_duplicates_are_an_info_line():
    days = pd.date_range("2020-01-01", periods=100, freq="D").strftime("%Y-%m-%d").tolist()
    df = pd.DataFrame({"date": days + days[:2], "v": values(102)})
    series = prepare_series(df, DataSpec(("date",), ("v",), ("v",)))
    assert series.length == 100 and series.warnings == ()
    assert any(n.startswith("2 duplicate timestamps (kept the first of each)") for n in series.notes)


# --- Default target and season ---------------------------------------------------------------------------


def test_default_target_is_no_time_part_counter_or_constant():
    stamps = pd.date_range("2000-01-01", periods=24, freq="MS")
    df = pd.DataFrame(
        {
            "No": range(1, 25),
            "Date": stamps.strftime("%Y-%m-%d"),
            "month": stamps.month,
            "flag": 1.0,
            "quarter": stamps.quarter,
            "sales": values(24),
        }
    )
    spec = infer_spec(df)
    assert spec.time_columns == ("Date",) and spec.targets == ("sales",)
    assert "month" in spec.features and "No" not in spec.features


@pytest.mark.parametrize(
    "freq, season",
    [("QS", 4), ("QE", 4), ("MS", 12), ("ME", 12), ("W-SUN", 52), ("D", 7), ("h", 24), ("15min", 4), ("YS", None)],
)
def test_season_from_time(freq, season):
    stamps = pd.date_range("2003-01-01", periods=60, freq=freq)
    assert season_from_time(stamps) == season
    assert season_from_time(stamps.delete([5, 17, 30])) == season  # gaps do not change the typical step


def test_no_season_without_a_time_axis():
    assert season_from_time(pd.RangeIndex(100)) is None
    assert season_from_time(pd.DatetimeIndex(["2020-01-01", "2020-01-02"])) is None
    assert season_from_time(pd.date_range("2020-01-01", periods=10, freq="2D")) is None  # 3.5 steps a week


FORMS = {  # freq: how the stamps are written as columns
    "QS": lambda t: {"year": t.year, "quarter": [f"Q{q}" for q in t.quarter]},
    "MS": lambda t: {"year": t.year, "month": t.strftime("%b")},
    "W-MON": lambda t: {"year": t.isocalendar().year.to_numpy(), "week": t.isocalendar().week.to_numpy()},
    "D": lambda t: {"year": t.year, "doy": t.dayofyear},
    "h": lambda t: {"year": t.year, "month": t.month, "day": t.day, "hour": t.hour},
}


@settings(max_examples=60, deadline=None)
@given(
    freq=st.sampled_from(sorted(FORMS)),
    start=st.dates(dt.date(1800, 1, 1), dt.date(2200, 1, 1)),
    rows=st.integers(3, 300),
    shuffle_seed=st.integers(0, 2**32 - 1),
)
def test_any_date_parts_round_trip_in_any_row_order(freq, start, rows, shuffle_seed):
    stamps = pd.date_range(start, periods=rows, freq=freq)
    df = pd.DataFrame({**FORMS[freq](stamps), "v": np.arange(rows, dtype=float)})
    df = df.sample(frac=1.0, random_state=np.random.RandomState(shuffle_seed % 2**32))  # file order ≠ time order
    series, _ = prepared(df)
    assert series.time.equals(stamps) and series.length == rows
    np.testing.assert_array_equal(series.values[:, series.columns.index("v")], np.arange(rows))

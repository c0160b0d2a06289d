"""The app layer: one user's state across pages, and the caches that keep reruns cheap.

Everything a user loads or trains lives in ``st.session_state`` (one browser session). Parsing and
scaling are ``st.cache_data`` keyed on the content's digest and the settings, so a slider move never
re-reads the file. Windows are views made on every rerun: instant, and never pickled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import pandas as pd
import streamlit as st

from lstmlab.config import DataSpec, WindowConfig

SAMPLES = {
    "Airline passengers (monthly, 1949-1960)": "airline-passengers.csv",
    "Beijing PM2.5 pollution (hourly, 2010-2014)": "pollution.csv",
    "Melbourne daily minimum temperature (1981-1990)": "daily-min-temperatures.csv",
}
DEFAULT_SAMPLE = next(iter(SAMPLES))


@dataclass(frozen=True)
class Source:
    """The bytes of the table the user is working on, and where they came from."""

    name: str
    data: bytes
    digest: str
    builtin: bool = False


def make_source(name: str, data: bytes, builtin: bool = False) -> Source:
    return Source(name, data, hashlib.sha256(data).hexdigest(), builtin)


def sample_source(label: str) -> Source:
    filename = SAMPLES[label]
    data = resources.files("lstmlab").joinpath("samples", filename).read_bytes()
    return make_source(filename, data, builtin=True)


def current_source() -> Source:
    if "source" not in st.session_state:
        st.session_state.source = sample_source(DEFAULT_SAMPLE)
    return st.session_state.source


def set_source(source: Source) -> None:
    """Switch the session to new data; settings made for the old table no longer apply."""
    st.session_state.source = source
    st.session_state.pop("spec", None)


@st.cache_data(max_entries=4, show_spinner="Reading the table…")
def _read_table(digest: str, _data: bytes, name: str) -> pd.DataFrame:
    from lstmlab.data import read_table

    return read_table(_data, name)


def load_table(source: Source) -> pd.DataFrame:
    """The parsed table (raises ``DataError`` for input that cannot be used)."""
    return _read_table(source.digest, source.data, source.name)


def current_spec(table: pd.DataFrame) -> DataSpec:
    """The user's column choices, or the detected defaults for a new table."""
    if "spec" not in st.session_state:
        from lstmlab.prepare import infer_spec

        st.session_state.spec = infer_spec(table)
    return st.session_state.spec


@st.cache_data(max_entries=4, show_spinner="Preparing the series…")
def _prepare_series(digest: str, _table: pd.DataFrame, spec: DataSpec):
    from lstmlab.prepare import prepare_series

    return prepare_series(_table, spec)


def load_series(source: Source, spec: DataSpec):
    """The ``PreparedSeries`` (values, columns, time axis) for the source under ``spec``."""
    return _prepare_series(source.digest, load_table(source), spec)


def current_window_config() -> WindowConfig:
    return st.session_state.get("window_config", WindowConfig())


@st.cache_data(max_entries=4, show_spinner="Scaling…")
def _scale_series(digest: str, spec: DataSpec, _series, config: WindowConfig):
    from lstmlab.windows import scale_series

    return scale_series(_series.values, _series.targets, config)


def load_scaled(source: Source, spec: DataSpec, config: WindowConfig):
    """The series scaled by a scaler fitted on the training split (``ScaledSeries``)."""
    return _scale_series(source.digest, spec, load_series(source, spec), config)


def runs() -> list:
    """This session's training runs (``lstmlab.runs.Run``), oldest first."""
    return st.session_state.setdefault("runs", [])


def add_run(run, source: Source) -> None:
    """Keep a finished run and the data it was trained on; it becomes the active run."""
    runs().append(run)
    st.session_state.setdefault("run_sources", {})[run.source_digest] = source
    st.session_state.active_run = run.number


def active_run():
    """The run the Inspect and Predictions pages show, or None before any training."""
    by_number = {run.number: run for run in runs()}
    if not by_number:
        return None
    return by_number.get(st.session_state.get("active_run"), runs()[-1])


def run_data(run):
    """(PreparedSeries, ScaledSeries, windows by split) exactly as the run was trained on."""
    from lstmlab.windows import window_splits

    source = st.session_state.run_sources[run.source_digest]
    series = load_series(source, run.data_spec)
    scaled = load_scaled(source, run.data_spec, run.window_config)
    return series, scaled, window_splits(scaled, run.window_config)


def seed_widgets(defaults: dict) -> None:
    """Give widgets their remembered values; Streamlit forgets a page's widgets when the user leaves it."""
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def load_current_series():
    """(Source, DataSpec, PreparedSeries) for the session's data, or None after showing why not."""
    from lstmlab.data import DataError

    source = current_source()
    try:
        table = load_table(source)
        spec = current_spec(table)
        return source, spec, load_series(source, spec)
    except DataError as err:
        st.error(f"{source.name}: {err}")
        st.page_link("pages/data.py", label="Fix it on the Data page", icon=":material/table:")
        return None

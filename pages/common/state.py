"""The app layer: one user's state across pages, and the caches that keep reruns cheap.

Everything a user loads or trains lives in ``st.session_state`` (one browser session). Parsing,
preparing and scaling are memoised per session, keyed on the content's digest and the settings, so a
slider move never re-reads the file. Windows are views made on every rerun: instant, and never copied.
"""

from __future__ import annotations

import ctypes
import hashlib
import threading
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import streamlit as st

from lstmlab.config import DataSpec, WindowConfig

if TYPE_CHECKING:  # pandas loads with the page that reads a table, after the first chart is on its way
    import pandas as pd

SAMPLES = {
    "Airline passengers (monthly, 1949-1960)": "airline-passengers.csv",
    "Beijing PM2.5 pollution (hourly, 2010-2014)": "pollution.csv",
    "Melbourne daily minimum temperature (1981-1990)": "daily-min-temperatures.csv",
}
DEFAULT_SAMPLE = next(iter(SAMPLES))
# Held while the first session imports pandas and while a session sends its Plotly request: plotly reads
# sys.modules and fails on a module another thread is still importing (pandas, or numpy under it).
FIRST_IMPORTS = threading.Lock()
SPEC_WIDGETS = ("time_columns", "features", "targets", "categorical", "missing", "duplicates", "plot_columns")


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
    for key in ("spec", *SPEC_WIDGETS):
        st.session_state.pop(key, None)


def check_upload(upload) -> Source | None:
    """A new upload as a Source once it reads and prepares; None for no upload, one already seen, or bad input.

    Bad input keeps the old data: its message is kept in ``data_upload_error`` (file id, message, rows
    that would fit) for the Data page to show.
    """
    if upload is None or upload.file_id == st.session_state.get("data_upload_id"):
        return None
    st.session_state.data_upload_id = upload.file_id
    return _validated(make_source(upload.name, upload_bytes(upload)), upload.file_id)


def upload_bytes(upload) -> bytes:
    """An upload's bytes as Streamlit stores them, not a copy.

    The widget's value is a deep copy made on every run: ``getvalue()`` returns that copy (72 MB per
    million rows), which the session would otherwise hold beside Streamlit's own for as long as it lasts.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    try:  # Streamlit's file store is not public API: a copy is the fallback
        stored = ctx.uploaded_file_mgr.get_files(ctx.session_id, [upload.file_id])
    except (AttributeError, TypeError):
        stored = []
    return stored[0].data if stored else upload.getvalue()


def _validated(candidate: Source, file_id: str) -> Source | None:
    from lstmlab.errors import DataError
    from lstmlab.prepare import infer_spec

    try:  # validate before switching; memoised, so the switch costs nothing more
        load_series(candidate, infer_spec(load_table(candidate)))
    except DataError as err:
        st.session_state.data_upload_error = (file_id, str(err), getattr(err, "fits_rows", 0))
        return None
    return candidate


def use_recent_rows(rows: int) -> None:
    """Switch to the last ``rows`` rows of an upload too large to hold whole (a button's callback)."""
    from lstmlab.data import keep_last_rows

    upload = st.session_state.upload
    name = f"{upload.name} (last {rows:,} rows)"
    candidate = _validated(make_source(name, keep_last_rows(upload_bytes(upload), rows)), upload.file_id)
    if candidate is None:  # still too large: no second offer
        st.session_state.data_upload_error = (*st.session_state.data_upload_error[:2], 0)
        return
    set_source(candidate)
    st.session_state.sample = st.session_state.data_upload_error = None


def memo(stage: str, key: tuple, compute, message: str, keep: int = 2):
    """This session's result of ``stage`` for ``key`` (content digest and settings), computed once.

    Unlike ``st.cache_data``, which pickles every hit into a fresh copy (70 MB per rerun for a
    million-row table), the session keeps the objects themselves: the ``keep`` latest per stage (two,
    so the current data and a run trained on other data do not evict each other).
    """
    results = st.session_state.setdefault("_memo", {}).setdefault(stage, {})
    if key in results:
        results[key] = results.pop(key)  # most recently used last
    else:
        while len(results) >= keep:
            results.pop(next(iter(results)))  # free the oldest before computing the new one
        with st.spinner(message):
            results[key] = compute()
    return results[key]


def load_table(source: Source) -> pd.DataFrame:
    """The parsed table (raises ``DataError`` for input that cannot be used)."""
    from lstmlab.data import read_table

    def read():
        try:
            return read_table(source.data, source.name)
        finally:  # the reader's freed buffers (100 MB per million rows) go back before the series is prepared
            release_memory()

    return memo("table", (source.digest,), read, "Reading the table…")


def current_spec(table: pd.DataFrame) -> DataSpec:
    """The user's column choices, or the detected defaults for a new table."""
    if "spec" not in st.session_state:
        from lstmlab.prepare import infer_spec

        st.session_state.spec = infer_spec(table)
    return st.session_state.spec


def load_series(source: Source, spec: DataSpec):
    """The ``PreparedSeries`` (values, columns, time axis) for the source under ``spec``."""
    from lstmlab.prepare import prepare_series

    def prepare():  # the table is read only when the series is not memoised yet
        return prepare_series(load_table(source), spec)

    return memo("series", (source.digest, spec), prepare, "Preparing the series…")


def current_window_config() -> WindowConfig:
    return st.session_state.get("window_config", WindowConfig())


WINDOW_WIDGETS = ("window", "horizon", "stride", "val_fraction", "test_fraction")  # the settings a fit may change


def window_config_for(source: Source, spec: DataSpec, series):
    """The window settings for this series, re-fitted once each time the series changes; the ``WindowFit``.

    Settings the user chose (a config other than the last fit's) are kept while every split has windows and
    lowered otherwise (``settings_for_series``); a new series with none gets its own defaults. When the
    series is too short for any setting, the settings are left as they were and the fit offers the largest.
    """
    from lstmlab.window_fit import settings_for_series

    ss, key = st.session_state, (source.digest, spec)
    if ss.get("window_fit_key") != key:
        previous = ss.get("window_fit")
        chosen = ss.get("window_config")
        fitted = None if previous is None else (previous.config.window, previous.config.horizon)
        remembered = chosen if chosen is not None and (chosen.window, chosen.horizon) != fitted else None
        fit = settings_for_series(series.length, series.time, remembered, base=chosen)
        ss.window_fit_key, ss.window_fit = key, fit
        ss.window_fit_lowered = remembered is not None and bool(fit.message)  # a user's setting did not fit
        if not fit.too_short:
            apply_window_config(fit.config)
    return ss.window_fit


def series_window_config(source: Source, spec: DataSpec, series) -> WindowConfig:
    """The window settings in use for this series (``window_config_for`` first, so every page agrees)."""
    window_config_for(source, spec, series)
    return current_window_config()


def apply_window_config(config: WindowConfig) -> None:
    """Use ``config`` from now on, on every page and in the Windows page's widgets (a button's callback too)."""
    from dataclasses import asdict

    st.session_state.window_config = config
    for name, value in asdict(config).items():
        if name in WINDOW_WIDGETS:
            st.session_state[name] = value


def load_scaled(source: Source, spec: DataSpec, config: WindowConfig):
    """The series scaled by a scaler fitted on the training split (``ScaledSeries``)."""
    from lstmlab.windows import scale_series

    series = load_series(source, spec)
    return memo(
        "scaled", (source.digest, spec, config), lambda: scale_series(series.values, series.targets, config), "Scaling…"
    )


def seed_widgets(defaults: dict) -> None:
    """Give widgets their remembered values; Streamlit forgets a page's widgets when the user leaves it."""
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def forget_table() -> None:
    """Let the parsed table go (about 90 MB for a million rows); the Data page reads it again if needed."""
    if st.session_state.get("_memo", {}).pop("table", None):
        release_memory()  # now, before the page imports torch, not at the end of the run


def load_current_series():
    """(Source, DataSpec, PreparedSeries) for the session's data, or None after showing why not.

    Pages past the Data page need only the series: the parsed table is let go (the Data page reads it
    again when the user returns), which frees a million-row table's 90 MB for windowing and training.
    """
    from lstmlab.errors import DataError

    source = current_source()
    try:
        spec = st.session_state.get("spec") or current_spec(load_table(source))
        series = load_series(source, spec)
        forget_table()
        return source, spec, series
    except DataError as err:
        from lstmlab.safetext import md, md_text

        st.error(f"{md(source.name)}: {md_text(err)}")
        st.page_link("pages/data.py", label="Fix it on the Data page", icon=":material/table:")
        return None


def request_plotly():
    """On a session's first run, send the browser an invisible Plotly chart before any page work.

    The browser fetches and compiles Plotly.js (over a second on a small machine) only when a first
    chart arrives; asking for it now overlaps that with the script's start (imports, reading the data)
    instead of following it. Returns the placeholder to clear once the page has run, or None.
    """
    if st.session_state.get("plotly_requested"):
        return None
    import plotly.graph_objects as go

    st.session_state.plotly_requested = True
    placeholder = st.sidebar.empty()  # out of the way: the page itself does not shift
    hidden = {"visible": False}
    layout = {"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "xaxis": hidden, "yaxis": hidden}
    with FIRST_IMPORTS:
        placeholder.plotly_chart(go.Figure(layout=layout), key="plotly_request", config={"staticPlot": True})
    return placeholder


def release_memory() -> None:
    """Give freed heap back to the OS after a run: glibc keeps it otherwise, and Cloud counts it."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, Windows): nothing to do
        return
    libc.malloc_trim(0)

"""Data page: pick a table, its time axis, columns and gap policy, and see the series the model gets."""

import streamlit as st

from lstmlab.column_policies import missing_counts, numeric_columns
from lstmlab.errors import DataError
from lstmlab.explain import time_metrics
from lstmlab.figures.common import MAX_POINTS, is_downsampled
from lstmlab.figures.data import plot_series
from lstmlab.prepare import plot_columns, summarize
from lstmlab.safetext import md, md_text
from pages.common import controls, journey, notes_view, state, training
from pages.common.names import name_labels, shown_frame


def data_page() -> None:
    ss = st.session_state
    journey.header("Data")
    st.caption("A time series table: the time axis, the columns the model reads (features) and predicts (targets).")
    source = state.current_source()
    if "sample" not in ss:  # the widget is forgotten on other pages: show the sample in use, if any
        ss.sample = next((k for k, v in state.SAMPLES.items() if source.builtin and v == source.name), None)
    pick, drop = st.columns(2)
    upload = drop.file_uploader(
        "…or upload a table (CSV, TSV or Parquet)", type=["csv", "tsv", "txt", "parquet"], key="upload"
    )
    if new := state.check_upload(upload):
        ss.sample = None  # the select box comes below, so it may still be set in this run
    label = pick.selectbox("Built-in sample", list(state.SAMPLES), key="sample", placeholder="(your upload)")
    if new is None and label is not None and not (source.builtin and source.name == state.SAMPLES[label]):
        new = state.sample_source(label)
    if new is not None:
        state.set_source(source := new)
    error = ss.get("data_upload_error")
    if upload is not None and error and error[0] == upload.file_id:
        st.error(f"{md_text(error[1])}\n\nStill using **{md(source.name)}**.")
        if error[2]:
            st.button(f"Use the most recent {error[2]:,} rows", key="use_recent", on_click=state.use_recent_rows,
                      args=(error[2],))
    try:
        table = state.load_table(source)
    except DataError as err:  # data that read before cannot fail now; still, never a traceback
        st.error(md_text(err))
        return
    spec, numeric, counts = state.current_spec(table), numeric_columns(table), missing_counts(table)
    st.markdown(f"**{md(source.name)}** · {len(table):,} rows × {table.shape[1]} columns")
    for note in table.attrs.get("notes", ()):
        st.caption(md_text(note))
    new_spec = controls.read_data_spec(table, spec, numeric, counts)
    try:
        series = state.load_series(source, new_spec)
    except DataError as err:
        st.error(md_text(err))
        return
    ss.spec = new_spec  # only a spec that works is kept for the other pages
    notes_view.show_messages(series.messages)

    st.subheader("Summary")
    for column, (label, value, about) in zip(st.columns(4), time_metrics(series), strict=False):
        column.metric(label, value, help=about)  # a day only: the full stamp (in the help) would not fit
    st.dataframe(shown_frame(summarize(series)), key="data_summary")
    state.seed_widgets({"plot_columns": plot_columns(series)})
    if shown := st.multiselect("Columns to plot", list(series.columns), key="plot_columns",
                               format_func=name_labels(series.columns)):
        st.plotly_chart(plot_series(series, shown), key="data_chart", width="stretch")
        if is_downsampled(series.length):
            st.caption(f"Showing {MAX_POINTS:,} of {series.length:,} points per line (MinMaxLTTB keeps the shape "
                       "and the extremes); the statistics use every row.")
    preview = st.expander("The table as read (first 100 rows)", key="data_preview_open", on_change="rerun")
    if preview.open:  # only sent when opened: the grid is the heaviest part of the page in the browser
        preview.dataframe(shown_frame(table.head(100)), key="data_preview")
    journey.show_next("Data")


data_page()
training.sidebar_progress()  # every page: the background training's progress and Stop

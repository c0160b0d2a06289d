"""Data page: pick a table, its time axis, columns and gap policy, and see the series the model gets."""

import pandas as pd
import streamlit as st

from lstmlab.config import CategoricalPolicy, DataSpec, MissingPolicy
from lstmlab.data import DataError, keep_last_rows
from lstmlab.figures.common import MAX_POINTS, is_downsampled
from lstmlab.figures.data import plot_missing, plot_series
from lstmlab.prepare import column_roles, describe_time, infer_spec, missing_counts, summarize
from pages import shared

SPEC_KEYS = ("time_columns", "features", "targets", "categorical", "missing", "plot_columns")


def use_recent_rows(rows: int) -> None:
    """Switch to the last ``rows`` rows of an upload too large to hold whole."""
    upload = st.session_state.upload
    candidate = shared.make_source(f"{upload.name} (last {rows:,} rows)", keep_last_rows(upload.getvalue(), rows))
    try:
        shared.load_series(candidate, infer_spec(shared.load_table(candidate)))
    except DataError as err:
        st.session_state.data_upload_error = (upload.file_id, str(err), 0)
        return
    shared.set_source(candidate)
    for key in SPEC_KEYS:
        st.session_state.pop(key, None)
    st.session_state.sample = st.session_state.data_upload_error = None


def data_page() -> None:
    ss = st.session_state
    st.title("Data")
    st.caption("A time series table: the time axis, the columns the model reads (features) and predicts (targets).")
    source = shared.current_source()
    if "sample" not in ss:  # the widget is forgotten on other pages: show the sample in use, if any
        ss.sample = next((k for k, v in shared.SAMPLES.items() if source.builtin and v == source.name), None)
    pick, drop = st.columns(2)
    upload = drop.file_uploader(
        "…or upload a table (CSV, TSV or Parquet)", type=["csv", "tsv", "txt", "parquet"], key="upload"
    )
    new = None
    if upload is not None and upload.file_id != ss.get("data_upload_id"):
        ss.data_upload_id = upload.file_id
        candidate = shared.make_source(upload.name, upload.getvalue())
        try:  # validate before switching: bad input keeps the old data
            shared.load_series(candidate, infer_spec(shared.load_table(candidate)))  # cached: no extra cost later
        except DataError as err:
            ss.data_upload_error = (upload.file_id, str(err), getattr(err, "fits_rows", 0))
        else:
            new = candidate
            ss.sample = None  # the select box comes below, so it may still be set in this run
    label = pick.selectbox("Built-in sample", list(shared.SAMPLES), key="sample", placeholder="(your upload)")
    if new is None and label is not None and not (source.builtin and source.name == shared.SAMPLES[label]):
        new = shared.sample_source(label)
    if new is not None:  # new data: the column choices made for the old table no longer apply
        shared.set_source(new)
        for key in SPEC_KEYS:
            ss.pop(key, None)
        source = new
    error = ss.get("data_upload_error")
    if upload is not None and error and error[0] == upload.file_id:
        st.error(f"{error[1]}\n\nStill using **{source.name}**.")
        if error[2]:
            st.button(f"Use the most recent {error[2]:,} rows", key="use_recent", on_click=use_recent_rows,
                      args=(error[2],))
    try:
        table = shared.load_table(source)
    except DataError as err:  # data that read before cannot fail now; still, never a traceback
        st.error(str(err))
        return
    spec = shared.current_spec(table)
    st.markdown(f"**{source.name}** · {len(table):,} rows × {table.shape[1]} columns")
    for note in table.attrs.get("notes", ()):
        st.caption(note)

    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c].dtype)]
    categorical = column_roles(table, spec.time_columns).categorical
    shared.seed_widgets(
        {
            "time_columns": list(spec.time_columns),
            "features": [c for c in spec.features if c in numeric],
            "targets": list(spec.targets),
            "categorical": spec.categorical,
            "missing": spec.missing,
        }
    )
    left, right = st.columns(2)
    time_columns = left.multiselect(
        "Time column(s)", list(table.columns), key="time_columns", placeholder="none: use the row order",
        help="One date/time column, or date parts (year, month, day, hour). Rows are sorted by time.",
    )  # fmt: skip
    features = left.multiselect("Features (the model's inputs)", numeric, key="features")
    targets = left.multiselect("Target(s) to predict", numeric, key="targets")
    what = ", ".join(categorical) if categorical else "none in this table"
    category = right.selectbox(
        "Categorical columns", list(CategoricalPolicy), key="categorical", format_func=str,
        help=f"Text columns with few distinct values ({what}): one-hot encode them as features, or drop them.",
    )  # fmt: skip
    gaps = right.selectbox(
        "Missing values", list(MissingPolicy), key="missing", format_func=str,
        help="Rows with gaps are dropped, or gaps take the previous value, or a straight line between neighbours.",
    )  # fmt: skip
    counts = missing_counts(table)
    if counts.any():
        listed = ", ".join(f"{name}: {n:,}" for name, n in counts[counts > 0].items())
        right.caption(f"Missing values as read: {listed}.")
        with right.expander("Missing values per column"):
            st.plotly_chart(plot_missing(counts), key="missing_chart", width="stretch")
    else:
        right.caption("No missing values in this table.")

    new_spec = DataSpec(tuple(time_columns), tuple(features), tuple(targets), category, gaps)
    try:
        series = shared.load_series(source, new_spec)
    except DataError as err:
        st.error(str(err))
        return
    ss.spec = new_spec  # only a spec that works is kept for the other pages
    if series.notes:
        st.info("\n".join(f"- {note}" for note in series.notes))

    st.subheader("Summary")
    about = describe_time(series)
    rows, start, end, freq = st.columns(4)
    rows.metric("Rows", f"{series.length:,}")
    if about["span"] is not None:
        for column, label, when in ((start, "From", about["start"]), (end, "To", about["end"])):
            column.metric(label, f"{when:%Y-%m-%d}", help=str(when))  # the full stamp would not fit
        freq.metric("Time step", about["step"], help=f"pandas frequency: {about['frequency'] or 'none (irregular)'}")
    else:
        start.metric("Time axis", "row order", help="No time column: the rows are taken in file order.")
    st.dataframe(summarize(series), key="data_summary")

    targets_first = [series.columns[i] for i in series.targets]
    others = [c for c in series.columns if c not in targets_first]
    shared.seed_widgets({"plot_columns": (targets_first + others)[:4]})
    shown = st.multiselect("Columns to plot", list(series.columns), key="plot_columns")
    if shown:
        st.plotly_chart(plot_series(series, shown), key="data_chart", width="stretch")
        if is_downsampled(series.length):
            st.caption(
                f"Showing {MAX_POINTS:,} of {series.length:,} points per line (MinMaxLTTB keeps the shape "
                "and the extremes); the statistics use every row."
            )
    preview = st.expander("The table as read (first 100 rows)", key="data_preview_open", on_change="rerun")
    if preview.open:  # only sent when opened: the grid is the heaviest part of the page in the browser
        preview.dataframe(table.head(100), key="data_preview")


data_page()

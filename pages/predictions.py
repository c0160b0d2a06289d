"""Predictions page: the chosen run's forecasts against the actual series and two baselines, and downloads."""

import numpy as np
import streamlit as st

from lstmlab.explain import time_label
from lstmlab.figures.predict import fan_figure, predictions_figure, residuals_figure, split_span
from lstmlab.metrics import METRIC_COLUMNS, evaluate_run, forecast_origins, forecasts
from lstmlab.pipeline import season_for
from lstmlab.safetext import md_text
from pages.common import journey, model_files, replay_view, runs, training, verdict_view
from pages.common.names import name_labels


def predictions_page() -> None:
    journey.header("Predictions")
    model_files.load_uploaded_model()
    run = replay_view.shown_run("pred")  # mid-training: the last finished epoch
    if run is None:
        st.info("No trained model yet: train one first, or load a saved model below.")
        st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
        model_files.model_uploader()
        return
    try:
        data = runs.run_data(run)
    except ValueError as err:
        st.error(md_text(f"The data of {run.label} cannot be rebuilt: {err}"))
        return
    series, scaled, splits = data.series, data.scaled, data.splits
    if data.rescaled:
        st.caption("This data differs from the model's training data: it is scaled with the model's own scaler.")
    horizon, names, x = run.window_config.horizon, run.target_names, np.asarray(series.time)
    st.caption(f"**{md_text(run.label)}** · window {run.window_config.window}, horizon {horizon} · original units.")
    predictions = runs.run_predictions(run, splits)  # the model runs once per run, not per rerun

    slots = iter(st.columns(3))  # target (when several), season, step (when horizon > 1)
    target_label = name_labels(names)  # shown as written, names that look alike kept apart
    k = (next(slots).selectbox("Target", range(len(names)), format_func=lambda j: target_label(names[j]),
                               key="pred_target")
         if len(names) > 1 else 0)  # fmt: skip
    column = series.values[:, run.targets[k]]
    detected = season_for(series, run, k)  # the time axis' season, else the training autocorrelation (as the CLI)
    season = int(next(slots).number_input(
        "Season (steps), for seasonal naive", 1, max(series.length - 1, 1), detected, key="season",
        help=f"Detected from the time axis, else the training split's autocorrelation: {detected}.",
    ))  # fmt: skip
    step = next(slots).slider("Steps ahead shown", 1, horizon, 1, key="pred_step") if horizon > 1 else 1
    table = forecasts(run, series.values, splits, season, predictions)
    metrics = evaluate_run(run, series.values, splits, season, target=k, table=table)
    number_format = {c: st.column_config.NumberColumn(format="%.4g") for c in METRIC_COLUMNS}
    st.dataframe(metrics, hide_index=True, key="pred_metrics", column_config=number_format)
    verdict_view.show(run, series.values, splits, metrics, table, k)
    skipped = int(metrics[metrics.forecast == "model"]["MAPE zeros skipped"].sum())
    st.caption(
        "MASE divides by the training split's one-step naive MAE: below 1 beats it. The baselines use the same "
        "windows; seasonal naive reads the series before the window when the season is longer than the window."
        + (f" MAPE left out {skipped:,} zero actual values." if skipped else "")
    )
    zoom = split_span(x, scaled.bounds, "test")
    st.plotly_chart(predictions_figure(x, column, table, splits, k, step, names[k], zoom), key="pred_chart",
                    width="stretch")
    if zoom is not None:
        st.caption("Zoomed on the test split, the windows the model never trained on: double-click the chart for "
                   "the whole series.")
    st.plotly_chart(residuals_figure(x, table, splits, k, step, names[k]), key="pred_residuals", width="stretch")
    if horizon > 1:
        split = "test" if len(splits["test"]) else "validation"
        rows = splits[split].target_rows
        options, first_picks = forecast_origins(len(rows), horizon)
        picked = st.multiselect(f"Forecast origins ({split} split; the last known time)", options, first_picks,
                                key="pred_origins", format_func=lambda n: time_label(x[rows[n] - 1]))
        if picked:
            fan = fan_figure(x, column, table[split], rows, picked, k, names[k])
            st.plotly_chart(fan, key="pred_fan", width="stretch")

    model_files.show_downloads(run, table, splits, series.time)
    model_files.model_uploader()
    journey.show_next("Predictions")


predictions_page()
training.sidebar_progress()  # every page: the background training's progress and Stop

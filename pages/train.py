"""Train page: the tutorial's SimpleLSTM trained live on the windows, every run kept for comparison."""

import streamlit as st

from lstmlab.figures.train import plot_losses
from lstmlab.model import SimpleRNN, count_parameters
from lstmlab.runs import RUNS_SHOWN, Run, describe_runs, next_run_number
from lstmlab.safetext import md, md_text
from lstmlab.windows import window_splits
from pages.common import controls, journey, runs, state, training


def train_page() -> None:
    journey.header("Train")
    loaded = state.load_current_series()
    if loaded is None:
        return
    source, spec, series = loaded
    window_config = state.series_window_config(source, spec, series)  # fitted to the series, as on Windows
    try:
        scaled = state.load_scaled(source, spec, window_config)
        splits = window_splits(scaled, window_config)
    except ValueError as err:
        st.error(md_text(f"{err} Change the window on the Windows page."))
        return
    n_targets = len(series.targets)
    st.caption(
        f"**{md(source.name)}**: {len(splits['train']):,} training and {len(splits['validation']):,} "
        f"validation windows of [{window_config.window}, {len(series.columns)}], predicting "
        f"{window_config.horizon} step(s) of {n_targets} target(s). Change them on the Windows page."
    )
    model_config, train_config = controls.read_settings()
    output_size = window_config.horizon * n_targets
    model = SimpleRNN.from_config(
        len(series.columns), window_config.window, output_size, model_config, seed=train_config.seed
    )
    with st.expander(f"The model: {count_parameters(model):,} parameters"):
        st.code(str(model), language="text")
    start_col, stop_col = st.columns(2)
    start = start_col.button(
        "Start training", key="train_start", type="primary", width="stretch", disabled=len(splits["train"]) == 0
    )
    if start and not training.refuse_second():
        run = Run.create(
            number=next_run_number(runs.runs()), source_name=source.name, source_digest=source.digest,
            data_spec=spec, window_config=window_config, model_config=model_config, train_config=train_config,
            columns=series.columns, targets=series.targets, scaler=scaled.scaler, model=model,
        )  # fmt: skip
        training.start(run, source, splits)
    stop_col.button("Stop", key="train_stop", on_click=training.stop, width="stretch",
                    disabled=training.running() is None)  # keeps the run as of its finished epochs
    if training.running() is not None:
        st.info("Training in the background: follow it in the sidebar, from any page.")
    training.show_note()

    kept = runs.runs()
    if not kept:
        st.info("No run yet: press Start training.")
        return
    st.subheader("Runs")
    st.dataframe(describe_runs(kept), hide_index=True, key="runs_table", column_config=runs.runs_table_config(),
                 column_order=RUNS_SHOWN)
    numbers = [run.number for run in kept]
    chosen = runs.active_run()
    st.session_state.active_run_pick = chosen.number  # a new run becomes the pick
    st.selectbox(
        "Run used by the Inspect and Predictions pages",
        numbers,
        key="active_run_pick",
        format_func=lambda n: next(run.label for run in kept if run.number == n),
        on_change=lambda: st.session_state.update(active_run=st.session_state.active_run_pick),
    )
    st.plotly_chart(
        plot_losses(chosen.history.train_loss, chosen.history.val_loss, chosen.history.best_epoch), key="loss_chart"
    )
    journey.show_next("Train")


train_page()
training.sidebar_progress()  # every page: the background training's progress and Stop

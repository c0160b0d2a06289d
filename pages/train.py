"""Train page: the tutorial's SimpleLSTM trained live on the windows, every run kept for comparison."""

import streamlit as st

from lstmlab.figures.train import plot_losses
from lstmlab.model import SimpleLSTM, count_parameters
from lstmlab.runs import RUNS_SHOWN, Interruption, Run, describe_runs, next_run_number
from lstmlab.train import EpochReport, fit
from lstmlab.windows import window_splits
from pages.common import controls, journey, runs, state


def train(run: Run, source: state.Source, splits: dict) -> None:
    """Fit with a live progress bar and loss chart; the run is kept in the session as it trains."""
    progress, chart = st.progress(0.0, text="Starting…"), st.empty()
    epochs = run.train_config.epochs
    st.session_state.training = (run, source)  # Stop, or a closed tab, keeps what was trained so far

    def on_step(epoch: int, batch: int, n_batches: int) -> None:
        progress.progress((epoch - 1 + batch / n_batches) / epochs, text=f"Epoch {epoch}/{epochs}, batch {batch}")

    def on_epoch(report: EpochReport) -> None:
        run.history = report.history
        val = f"{report.val_loss:.4g}" if report.val_loss is not None else "–"
        progress.progress(
            report.epoch / epochs,
            text=(
                f"Epoch {report.epoch}/{epochs} · train loss {report.train_loss:.4g} · validation loss {val}"
                f" · {report.windows_per_second:,.0f} windows/s"
            ),
        )
        chart.plotly_chart(
            plot_losses(run.history.train_loss, run.history.val_loss, total_epochs=epochs),
            key=f"loss_live_{report.epoch}",
        )

    train_split, val_split = splits["train"], splits["validation"]
    run.history = fit(
        run.model,
        train_split.x,
        train_split.y,
        run.train_config,
        on_epoch=on_epoch,
        val=(val_split.x, val_split.y),
        on_step=on_step,
    )
    st.session_state.pop("training", None)
    runs.add_run(run, source)
    progress.empty()
    chart.empty()
    best = run.history.best_loss
    (st.warning if "loss became" in run.history.stopped else st.success)(
        f"{run.label}: best validation loss {best:.4g} at epoch {run.history.best_epoch}. {run.history.stopped}"
    )


def train_page() -> None:
    journey.header("Train")
    loaded = state.load_current_series()
    if loaded is None:
        return
    source, spec, series = loaded
    window_config = state.current_window_config()
    try:
        scaled = state.load_scaled(source, spec, window_config)
        splits = window_splits(scaled, window_config)
    except ValueError as err:
        st.error(f"{err} Change the window on the Windows page.")
        return
    n_targets = len(series.targets)
    st.caption(
        f"**{source.name}**: {len(splits['train']):,} training and {len(splits['validation']):,} "
        f"validation windows of [{window_config.window}, {len(series.columns)}], predicting "
        f"{window_config.horizon} step(s) of {n_targets} target(s). Change them on the Windows page."
    )
    model_config, train_config = controls.read_settings()
    output_size = window_config.horizon * n_targets
    model = SimpleLSTM.from_config(
        len(series.columns), window_config.window, output_size, model_config, seed=train_config.seed
    )
    with st.expander(f"The model: {count_parameters(model):,} parameters"):
        st.code(str(model), language="text")
    start_col, stop_col = st.columns(2)
    start = start_col.button(
        "Start training", key="train_start", type="primary", width="stretch", disabled=len(splits["train"]) == 0
    )
    stop_col.button("Stop", key="train_stop", on_click=runs.keep_interrupted, args=(Interruption.STOPPED,),
                    width="stretch")  # runs first in the rerun that cuts training off
    if start:
        run = Run.create(
            number=next_run_number(runs.runs()), source_name=source.name, source_digest=source.digest,
            data_spec=spec, window_config=window_config, model_config=model_config, train_config=train_config,
            columns=series.columns, targets=series.targets, scaler=scaled.scaler, model=model,
        )  # fmt: skip
        train(run, source, splits)

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

"""Train page: the tutorial's SimpleLSTM trained live on the windows, every run kept for comparison."""

from dataclasses import asdict

import streamlit as st

from lstmlab.config import InitState, Loss, ModelConfig, Summary, TrainConfig
from lstmlab.figures.train import plot_losses
from lstmlab.model import SimpleLSTM, count_parameters
from lstmlab.runs import Run, describe_runs
from lstmlab.train import EpochReport, History, available_devices, describe_device, fit, resolve_device
from lstmlab.windows import window_splits
from pages import shared

HIDDEN_SIZES = [4, 8, 16, 32, 64, 128, 256]
BATCH_SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]


def read_settings() -> tuple[ModelConfig, TrainConfig]:
    model_defaults = asdict(st.session_state.get("model_config", ModelConfig()))
    train_defaults = asdict(st.session_state.get("train_config", TrainConfig(device=available_devices()[0])))
    shared.seed_widgets({**model_defaults, **train_defaults})
    model_col, train_col = st.columns(2)
    with model_col:
        st.markdown("**Model**")
        h_size = st.select_slider("Hidden size H", HIDDEN_SIZES, key="h_size")
        n_layers = st.number_input("Layers", 1, 4, key="n_layers")
        bidirectional = st.checkbox("Bidirectional", key="bidirectional")
        init = st.selectbox("Initial states", list(InitState), key="init", format_func=str)
        summary = st.selectbox(
            "Last-step summary",
            list(Summary),
            key="summary",
            format_func=str,
            disabled=not bidirectional,
            help="Matters only for a bidirectional LSTM.",
        )
        device = st.selectbox("Device", available_devices(), key="device")
        st.caption(f"Training on {describe_device(resolve_device(device))}.")
    with train_col:
        st.markdown("**Training**")
        lr = st.number_input("Learning rate", 1e-5, 1.0, key="lr", format="%.4f", step=1e-3)
        batch_size = st.select_slider("Batch size", BATCH_SIZES, key="batch_size")
        epochs = st.number_input("Epochs", 1, 1000, key="epochs")
        loss = st.selectbox("Loss", list(Loss), key="loss", format_func=str)
        clip = st.number_input("Gradient clipping (max norm, 0 = off)", 0.0, 100.0, key="clip")
        patience = st.number_input("Early-stopping patience (0 = off)", 0, 1000, key="patience")
        seed = st.number_input("Seed", 0, 2**31 - 1, key="seed")
    model_config = ModelConfig(int(h_size), int(n_layers), bool(bidirectional), InitState(init), Summary(summary))
    train_config = TrainConfig(
        float(lr), int(batch_size), int(epochs), Loss(loss), float(clip), int(patience), int(seed), device
    )
    st.session_state.model_config, st.session_state.train_config = model_config, train_config
    return model_config, train_config


def stop_training() -> None:
    """Stop's callback runs first in the next rerun, after the training run was interrupted."""
    if checkpoint := st.session_state.pop("training", None):
        run, source = checkpoint
        run.history.stopped = f"Stopped by the user during epoch {run.history.epochs_run + 1}."
        run.model.eval()
        shared.add_run(run, source)


def train(run: Run, source: shared.Source, splits: dict) -> None:
    """Fit with a live progress bar and loss chart; the run is kept in the session as it trains."""
    progress, chart = st.progress(0.0, text="Starting…"), st.empty()
    config, history = run.train_config, run.history
    st.session_state.training = (run, source)  # Stop, or a closed tab, keeps what was trained so far

    def on_step(epoch: int, batch: int, n_batches: int) -> None:
        progress.progress(
            (epoch - 1 + batch / n_batches) / config.epochs,
            text=f"Epoch {epoch}/{config.epochs}, batch {batch}/{n_batches}",
        )

    def on_epoch(report: EpochReport) -> None:
        history.train_loss.append(report.train_loss)
        history.val_loss.append(report.val_loss if report.val_loss is not None else float("nan"))
        val = f"{report.val_loss:.4g}" if report.val_loss is not None else "–"
        progress.progress(
            report.epoch / report.epochs,
            text=(
                f"Epoch {report.epoch}/{report.epochs} · train loss {report.train_loss:.4g} · validation loss {val}"
                f" · {report.windows_per_second:,.0f} windows/s"
            ),
        )
        chart.plotly_chart(
            plot_losses(history.train_loss, history.val_loss, total_epochs=report.epochs),
            key=f"loss_live_{report.epoch}",
        )

    train_split, val_split = splits["train"], splits["validation"]
    result = fit(
        run.model,
        train_split.x,
        train_split.y,
        config,
        on_epoch=on_epoch,
        val=(val_split.x, val_split.y),
        on_step=on_step,
    )
    st.session_state.pop("training", None)
    run.history = result
    shared.add_run(run, source)
    progress.empty()
    chart.empty()
    (st.warning if "loss became" in result.stopped else st.success)(
        f"{run.label}: best validation loss {result.best_loss:.4g} at epoch {result.best_epoch}. {result.stopped}"
    )


def train_page() -> None:
    st.title("Train")
    loaded = shared.load_current_series()
    if loaded is None:
        return
    source, spec, series = loaded
    window_config = shared.current_window_config()
    try:
        scaled = shared.load_scaled(source, spec, window_config)
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
    model_config, train_config = read_settings()
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
    stop_col.button("Stop", key="train_stop", on_click=stop_training, width="stretch")
    if start:
        number = max((run.number for run in shared.runs()), default=0) + 1
        run = Run(
            number,
            source.name,
            source.digest,
            spec,
            window_config,
            model_config,
            train_config,
            series.columns,
            series.targets,
            scaled.scaler,
            model,
            History(device=str(resolve_device(train_config.device))),
        )
        train(run, source, splits)

    runs = shared.runs()
    if not runs:
        st.info("No run yet: press Start training.")
        return
    st.subheader("Runs")
    st.dataframe(describe_runs(runs), hide_index=True, key="runs_table")
    numbers = [run.number for run in runs]
    chosen = shared.active_run()
    st.session_state.active_run_pick = chosen.number  # a new run becomes the pick
    st.selectbox(
        "Run used by the Inspect and Predictions pages",
        numbers,
        key="active_run_pick",
        format_func=lambda n: next(run.label for run in runs if run.number == n),
        on_change=lambda: st.session_state.update(active_run=st.session_state.active_run_pick),
    )
    st.plotly_chart(
        plot_losses(chosen.history.train_loss, chosen.history.val_loss, chosen.history.best_epoch), key="loss_chart"
    )


train_page()

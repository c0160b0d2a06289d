"""The Compare page's runs side by side: one window's predictions, parameter counts, curves, metrics, gradient reach.

Render helpers only: the numbers come from ``lstmlab.compare`` and ``lstmlab.metrics``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from lstmlab import explain
from lstmlab.baselines import default_season
from lstmlab.compare import comparable, gradient_reach_table, parameter_table
from lstmlab.figures import compare as fc
from lstmlab.metrics import evaluate_run
from lstmlab.safetext import md_text
from pages.common import controls, runs

if TYPE_CHECKING:
    from lstmlab.runs import Run

MOST_RUNS = 3
REACH_WINDOWS = 64  # test windows averaged for the gradient reach


def pick_runs(kept: list[Run]) -> list[Run]:
    """Two or three kept runs (the latest by default) picked by number."""
    by_number = {run.number: run for run in kept}
    st.session_state.setdefault("compare_runs", [run.number for run in kept[-MOST_RUNS:]])
    st.session_state.compare_runs = [n for n in st.session_state.compare_runs if n in by_number]
    picked = st.multiselect("Runs compared (two or three)", list(by_number), key="compare_runs",
                            max_selections=MOST_RUNS, format_func=lambda n: f"{by_number[n].label} · "
                            f"{by_number[n].model_config.cell.name}")  # fmt: skip
    return [by_number[n] for n in picked]


def window_view(chosen: list[Run], data: dict, predicted: dict, split: str) -> None:
    """One window of ``split`` and each run's prediction for it, in the data's units (first target)."""
    first = data[chosen[0].number]
    windows = first.splits[split]
    last = len(windows) - 1
    controls.forget_above("compare_sample", last)
    n = int(st.number_input(f"Window of the {split} split (0 to {last})", 0, last, 0, key="compare_sample"))
    run, series = chosen[0], first.series
    row, w, h = int(windows.target_rows[n]), run.window_config.window, run.window_config.horizon
    column = series.values[:, run.targets[0]]
    labels = explain.window_labels(series.time, row, w)
    ahead = [explain.time_label(series.time[r]) for r in range(row, min(row + h, series.length))]
    predictions = {f"run {r.number} ({r.model_config.cell.name})":
                   predicted[r.number][split][n, : len(ahead), 0] for r in chosen}
    fig = fc.window_predictions_figure(labels, column[row - w: row], ahead, column[row: row + len(ahead)],
                                       predictions, run.target_names[0])
    st.plotly_chart(fig, key="compare_window", width="stretch")


def metrics_table(chosen: list[Run], data: dict, predicted: dict, split: str) -> pd.DataFrame:
    """The ``split`` metrics of each run's model, then the baselines once (they do not depend on the model)."""
    run, series = chosen[0], data[chosen[0].number].series
    start, stop = data[run.number].scaled.bounds["train"]
    season = default_season(series.frequency, series.values[start:stop, run.targets[0]], series.time, series.length)
    rows = []
    for k, r in enumerate(chosen):
        table = evaluate_run(r, series.values, data[r.number].splits, season,
                             predictions=predicted[r.number])
        table = table[table["split"] == split]
        model = table[table["forecast"] == "model"].assign(forecast=f"run {r.number} ({r.model_config.cell.name})")
        rows += [model] if k else [model, table[table["forecast"] != "model"]]
    metrics = pd.concat(rows, ignore_index=True)
    return pd.concat([metrics[metrics["forecast"].str.startswith("run ")],
                      metrics[~metrics["forecast"].str.startswith("run ")]], ignore_index=True)


def side_by_side(kept: list[Run]) -> None:
    """Pick runs; when they share their windows, show them side by side on the same window."""
    if len(kept) < 2:
        st.info("Train at least two runs on the same windows (say an LSTM, a GRU and an RNN: the Cell select on "
                "the Train page) to set them side by side here.")
        return
    chosen = pick_runs(kept)
    if (why := comparable(chosen)) is not None:
        st.warning(md_text(f"These runs cannot be compared window for window: {why}"))
        return
    try:
        data = {run.number: runs.run_data(run) for run in chosen}
    except ValueError as err:
        st.error(md_text(f"The runs' data cannot be rebuilt: {err}"))
        return
    splits = data[chosen[0].number].splits
    split = next((s for s in ("test", "validation", "train") if len(splits[s])), "train")
    predicted = {run.number: runs.run_predictions(run, data[run.number].splits) for run in chosen}  # original units
    window_view(chosen, data, predicted, split)
    models = {f"run {run.number}": run.model for run in chosen}
    st.markdown("**Parameters**: an LSTM has 4 weight matrices per layer (i, f, g, o), a GRU 3 (r, z, n), a plain "
                "RNN 1; each matrix is H·(F+H) weights and 2H biases.")
    st.dataframe(parameter_table(models), hide_index=True, key="compare_parameters")
    st.markdown(f"**Training curves** and **{split} metrics** (original units):")
    st.plotly_chart(fc.curves_figure({name: (run.history.train_loss, run.history.val_loss)
                                      for name, run in zip(models, chosen, strict=True)}),
                    key="compare_curves", width="stretch")
    st.dataframe(metrics_table(chosen, data, predicted, split), hide_index=True, key="compare_metrics")
    st.markdown(f"**How far back the gradient reaches**: |∂ prediction / ∂ x_t| averaged over up to {REACH_WINDOWS} "
                f"{split} windows, as a share of the last step's. A plain RNN's falls off step after step (the "
                "vanishing gradient the LSTM's cell state was built against); measured here on your data.")
    reach = gradient_reach_table(models, {f"run {r.number}": data[r.number].splits[split].x[:REACH_WINDOWS]
                                          for r in chosen})
    st.plotly_chart(fc.reach_figure(reach), key="compare_reach", width="stretch")
    with st.expander("The reach as a table"):
        st.dataframe(reach, hide_index=True, key="compare_reach_table")

"""What-if page: edit one window and watch the prediction, the states, the gates and the attribution answer."""

import streamlit as st

from lstmlab import explain
from lstmlab.inspection import output_labels
from lstmlab.safetext import md, md_text
from lstmlab.whatif import ValueRange, original_window, row_before, what_if, window_frame
from pages.common import controls, journey, replay_view, runs, training
from pages.common import whatif_view as wv
from pages.common.names import name_labels


def whatif_page() -> None:
    journey.header("What if")
    run = replay_view.shown_run("whatif")  # mid-training: the last finished epoch
    if run is None:
        st.info("Nothing to edit yet: train a model first, then change a window here and watch the cells answer.")
        st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
        return
    try:
        series, scaled, splits, _ = runs.run_data(run)
    except ValueError as err:
        st.error(md_text(f"The data of {run.label} cannot be rebuilt: {err}"))
        return
    window, horizon = run.window_config.window, run.window_config.horizon
    top = st.columns(3)
    split = top[0].selectbox("Split", [name for name, w in splits.items() if len(w)], key="whatif_split")
    windows = splits[split]
    controls.forget_above("whatif_sample", len(windows) - 1)
    n = int(top[1].number_input(f"Window (0 to {len(windows) - 1})", 0, len(windows) - 1, key="whatif_sample"))
    outputs = output_labels(horizon, run.target_names)
    target = outputs.index(top[2].selectbox("Output explained", outputs, key="whatif_target",
                                            format_func=name_labels(outputs)))  # as written, kept apart
    target_row = int(windows.target_rows[n])
    labels = explain.window_labels(series.time, target_row, window)
    start, stop = scaled.bounds["train"]
    value_range = ValueRange.of(series.values[start:stop])
    ed = wv.editing((run.number, getattr(run, "epoch", None), split, n),
                    original_window(series.values, target_row, window))  # (W, F) original units
    st.caption(f"**{md_text(run.label)}** · window {md(labels[0])} → {md(labels[-1])} · original units. Edit the grid "
               "or apply a one-click edit: everything below is traced again at once, the untouched window ghosted.")

    def other(m: int):
        return original_window(series.values, int(windows.target_rows[m]), window)

    wv.one_click(ed, list(run.columns), other, run.scaler, value_range, len(windows))
    if ed.message:
        st.error(md_text(ed.message))
    for flag in ed.flags[:5]:
        st.warning(md_text(flag.message))
    left, right = st.columns([3, 2])
    with left:
        wv.edit_grid(ed, list(run.columns), labels, run.scaler, value_range)
    states = wv.initial_states(run)
    result = what_if(run.model, run.scaler, ed.original, ed.values, run.targets, states,
                     row_before(series.values, target_row, window))
    with right:
        k = target % len(run.targets)
        before, after = result.original_prediction[target // len(run.targets), k], \
            result.edited_prediction[target // len(run.targets), k]
        st.metric(f"Prediction, {md(outputs[target])}", f"{after:.4g}", f"{after - before:+.4g} vs untouched",
                  delta_color="off")
        changed = ed.first_changed
        st.markdown("The window is **untouched**." if changed is None else
                    f"Edited from step **{changed}** ({md(labels[changed])}) on: the cells before it are exactly as "
                    "before, the ones from there on answer the edit.")
        st.download_button("Download the edited window (CSV)", window_frame(ed.values, run.columns, labels).to_csv(),
                           file_name=f"run{run.number}_{split}_window{n}_edited.csv", mime="text/csv",
                           key="whatif_download", on_click="ignore")
    wv.show_answer(run, ed, result, labels, target, states)
    journey.show_next("What if")


whatif_page()
training.sidebar_progress()  # every page: the background training's progress and Stop

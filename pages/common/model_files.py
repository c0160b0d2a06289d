"""The Predictions page's model files: the downloads of a run (predictions, weights, config, script) and the
uploader that turns a saved model back into a run on the current data."""

import numpy as np
import streamlit as st

from lstmlab.attach import attach_model
from lstmlab.errors import ModelFileError
from lstmlab.export import file_stem, make_script
from lstmlab.metrics import predictions_table
from lstmlab.persist import load_model, pick_model_files, save_model
from lstmlab.runs import Run, next_run_number
from lstmlab.safetext import md, md_text, visible
from pages.common import runs, state


def model_uploader() -> None:
    """The uploader for a saved model, below the results; ``load_uploaded_model`` reads it on the next run."""
    st.subheader("Load a saved model")
    st.file_uploader(
        "Its .safetensors and .json together, or a .zip of both: it becomes a new run on the current data",
        type=["safetensors", "json", "zip"],
        accept_multiple_files=True,
        key="model_upload",
    )


def load_uploaded_model() -> None:
    """Turn an uploaded safetensors + JSON pair into a run on the current data, once per upload.

    Runs at the top of the page, before the results, so they show the loaded model in the same run."""
    files = st.session_state.get("model_upload")
    upload = tuple(sorted(f.file_id for f in files or ()))
    if not files or upload in st.session_state.setdefault("loaded_uploads", set()):
        return
    source = state.current_source()
    try:
        loaded = load_model(*pick_model_files([(f.name, f.getvalue()) for f in files]))
        series = state.load_series(source, loaded.config["data"])
        run = attach_model(loaded, series, number=next_run_number(runs.runs()), source_name=source.name,
                           source_digest=source.digest)
    except ModelFileError as err:
        st.error(md_text(f"Model not loaded: {err}"))
        return
    except ValueError as err:  # DataError and window errors: the current data does not fit the model
        st.error(md_text(
            f"Model not loaded: the current data ({visible(source.name)}) does not fit it. {err} Open the data it "
            f"was trained on ({visible(loaded.config['source']['name'])}) on the Data page, then load the model again."
        ))
        return
    runs.add_run(run, source)
    st.session_state.loaded_uploads.add(upload)
    st.success(f"Loaded as run {run.number} on {md(source.name)} (trained on {md(loaded.config['source']['name'])}).")


def show_downloads(run: Run, table: dict[str, dict[str, np.ndarray]], splits: dict, time: np.ndarray) -> None:
    """The run's four downloads in a row, and how to use the script."""
    st.subheader("Downloads")
    stem, (weights, config) = file_stem(run), save_model(run)
    files = {
        "download_csv": (
            "Predictions (CSV)",
            f"{stem}_predictions.csv",
            "text/csv",
            lambda: predictions_table(table, splits, time, run.target_names).to_csv(index=False, float_format="%.6g"),
        ),
        "download_model": ("Model weights", f"{stem}.safetensors", "application/octet-stream", weights),
        "download_config": ("Model config", f"{stem}.json", "application/json", config),
        "download_script": ("Python script", f"{stem}.py", "text/x-python", make_script(run)),
    }
    for column, (key, (label, name, mime, data)) in zip(st.columns(4), files.items(), strict=True):
        column.download_button(label, data, file_name=name, mime=mime, key=key, on_click="ignore")
    st.caption(
        f"The script rebuilds this pipeline and model: put it beside {md(run.source_name)} and "
        f"{md(stem + '.safetensors')}, "
        "and run it with lstmlab importable. Load the two model files back with the uploader below."
    )

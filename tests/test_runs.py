"""Runs: the keyword factory, the positional form older code uses, interrupted runs and run numbers."""

import dataclasses

import numpy as np
import pytest

from lstmlab.config import DataSpec, ModelConfig, Scaling, TrainConfig, WindowConfig
from lstmlab.model import SimpleLSTM
from lstmlab.runs import (
    RUNS_DATA,
    RUNS_SHOWN,
    Interruption,
    Run,
    RunAtEpoch,
    describe_runs,
    end_interrupted,
    loss_texts,
    next_run_number,
)
from lstmlab.safetext import SHORT, visible
from lstmlab.train import History, resolve_device
from lstmlab.windows import Scaler

FIELDS = ["number", "source_name", "source_digest", "data_spec", "window_config", "model_config", "train_config",
          "columns", "targets", "scaler", "model", "history"]


def parts(horizon=2, targets=(0, 2), n_features=3):
    window = WindowConfig(window=5, horizon=horizon)
    model = SimpleLSTM.from_config(n_features, 5, horizon * len(targets), ModelConfig(h_size=4), seed=0)
    scaler = Scaler(Scaling.NONE, np.zeros(n_features), np.ones(n_features))
    return dict(number=3, source_name="s.csv", source_digest="abc", data_spec=DataSpec(), window_config=window,
                model_config=ModelConfig(h_size=4), train_config=TrainConfig(epochs=2, device="cpu"),
                columns=("a", "b", "c"), targets=targets, scaler=scaler, model=model)


def test_field_order_is_unchanged_and_positional_runs_still_work():
    assert [f.name for f in dataclasses.fields(Run)] == FIELDS
    p = parts()
    run = Run(*p.values(), History())  # the twelve positional arguments of older code
    assert run.number == 3 and run.target_names == ("a", "c") and run.history.epochs_run == 0


def test_create_by_keyword_matches_the_positional_run():
    p, history = parts(), History(train_loss=[1.0, 0.5], device="cpu")
    made, positional = Run.create(**p, history=history), Run(*p.values(), history)
    for name in FIELDS:
        assert getattr(made, name) is getattr(positional, name) or getattr(made, name) == getattr(positional, name)
    assert describe_runs([made]).equals(describe_runs([positional]))


def test_create_gives_a_new_run_an_empty_history_on_its_device():
    run = Run.create(**parts())
    assert run.history == History(device=str(resolve_device("cpu")))
    with pytest.raises(TypeError):
        Run.create(*parts().values())  # keywords only


@pytest.mark.parametrize(
    ("change", "words"),
    [({"columns": ("a", "b")}, "reads 3 features"), ({"targets": (0, 3)}, "targets must index"),
     ({"targets": ()}, "targets must index"), ({"window_config": WindowConfig(window=5, horizon=3)}, "horizon")],
)
def test_create_refuses_parts_that_do_not_fit_the_model(change, words):
    with pytest.raises(ValueError, match=words):
        Run.create(**{**parts(), **change})


@pytest.mark.parametrize("why", list(Interruption))
def test_end_interrupted_says_which_epoch_and_readies_the_model(why):
    run = Run.create(**parts(), history=History(train_loss=[0.3, 0.2], device="cpu"))
    run.model.train()
    assert end_interrupted(run, why) is run
    assert not run.model.training
    assert "during epoch 3" in run.history.stopped  # two finished, the third cut off
    assert ("Stopped by the user" if why is Interruption.STOPPED else "the page was left") in run.history.stopped


def test_next_run_number():
    assert next_run_number([]) == 1
    runs = [Run.create(**{**parts(), "number": n}) for n in (1, 5, 3)]
    assert next_run_number(runs) == 6


def test_loss_texts_keep_four_significant_digits_and_go_scientific_when_small():
    assert loss_texts([0.5, 12.3456, 0.0123456]) == ["0.5", "12.35", "0.01235"]
    assert loss_texts([1.234567e-4, 9.87654e-7]) == ["1.235e-04", "9.877e-07"]  # never "0.0001"
    assert loss_texts([None, float("inf"), float("nan"), 0.0]) == ["–", "–", "–", "0"]


def test_loss_texts_add_digits_until_different_losses_read_differently():
    losses = [0.0012341, 0.0012344, 0.0012341]  # both "0.001234" at four digits
    texts = loss_texts(losses)
    assert texts[0] != texts[1] and texts[0] == texts[2]  # equal losses stay equal
    assert [float(t) for t in texts] == pytest.approx(losses, rel=1e-5)  # the texts still read as the numbers
    assert texts[:2] == ["0.0012341", "0.0012344"] and loss_texts([0.0012341]) == ["0.001234"]


def test_runs_table_columns_fold_the_settings():
    history = History(train_loss=[1.0, 0.5], val_loss=[0.2, 1.234567e-4], best_loss=1.234567e-4, best_epoch=2,
                      device="cpu", seconds=3.21)
    table = describe_runs([Run.create(**parts(), history=history)])
    assert tuple(table.columns) == RUNS_SHOWN + RUNS_DATA
    row = table.iloc[0]
    assert row["data"] == "s.csv: a, c" and row["window"] == "5 → 2" and row["model"] == "LSTM H 4 × 1, zeros"
    assert row["lr · batch · loss"] == "0.01 · 64 · MSE"
    assert row["best val loss"] == "1.235e-04" and row["best / epochs"] == "2 / 2" and row["time"] == "3.2 s, cpu"


def test_labels_and_the_runs_table_show_names_with_no_character_hidden():
    """The file and column names a run carries are plain text: invisible characters written out, long ones cut."""
    source, bidi, long = "\u202egpj.csv", "a\u202eb", "x" * 10_000
    run = Run.create(**{**parts(), "source_name": source, "columns": (bidi, "b", long)})
    assert run.label == f"Run 3: H=4, 0 epochs on {visible(source)}" and "\u202e" not in run.label
    at_epoch = RunAtEpoch.of(run, run.model, 1, 2)
    assert at_epoch.label.endswith(f"replayed on {visible(source)}") and "\u202e" not in at_epoch.label
    row = describe_runs([run]).iloc[0]
    assert row["data"] == f"\\u202egpj.csv: a\\u202eb, {visible(long)}"
    assert len(visible(long)) == SHORT and "…" in row["data"]
    assert run.target_names == (bidi, long)  # the run keeps the raw names: only what is shown changes

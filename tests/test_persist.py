"""Model files: a faithful round trip, and hostile or broken files refused before anything runs."""

import dataclasses
import io
import json
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from lstmlab.attach import check_columns, scale_like
from lstmlab.config import (
    Cell,
    DataSpec,
    DuplicatePolicy,
    InitState,
    ModelConfig,
    Optimizer,
    Scaling,
    TrainConfig,
    Transform,
    WindowConfig,
)
from lstmlab.metrics import model_predictions
from lstmlab.model import SimpleLSTM, SimpleRNN, predict
from lstmlab.model_format import FORMAT_VERSION, MAX_TEXT_CHARS, expected_shapes
from lstmlab.persist import ModelFileError, load_model, read_bundle, save_model, write_bundle
from lstmlab.runs import Run
from lstmlab.safetext import SHORT
from lstmlab.train import fit
from lstmlab.windows import scale_series, window_splits
from tests.hostile import HOSTILE_FILE, HOSTILE_NAMES


def make_run(bidirectional=True, n_layers=2, horizon=3, targets=(0, 2), cell=Cell.LSTM, transform=Transform.AUTO,
             values=None):
    rng = np.random.default_rng(0)
    values = (rng.normal(size=(120, 3)).cumsum(axis=0)).astype(np.float32) if values is None else values
    window = WindowConfig(window=7, horizon=horizon, scaling=Scaling.MINMAX, transform=transform)
    scaled = scale_series(values, targets, window)
    splits = window_splits(scaled, window)
    model_config = ModelConfig(h_size=6, n_layers=n_layers, bidirectional=bidirectional, cell=cell)
    train_config = TrainConfig(epochs=2, seed=3, device="cpu")  # bit for bit; GPU files: test_accelerators
    model = SimpleRNN.from_config(3, 7, horizon * len(targets), model_config)
    history = fit(
        model, splits["train"].x, splits["train"].y, train_config, val=(splits["validation"].x, splits["validation"].y)
    )
    spec = DataSpec(time_columns=("date",), features=("a", "b", "c"), targets=("a", "c"))
    run = Run.create(
        number=4, source_name="data.csv", source_digest="d1g35t", data_spec=spec, window_config=window,
        model_config=model_config, train_config=train_config, columns=("a", "b", "c"), targets=targets,
        scaler=scaled.scaler, model=model, history=history,
    )
    return run, splits


@pytest.fixture(scope="module")
def saved():
    run, splits = make_run()
    return run, splits, *save_model(run)


def test_round_trip_gives_identical_predictions(saved):
    run, splits, weights, config = saved
    loaded = load_model(weights, config)
    x = splits["test"].x
    trained_on = next(run.model.parameters()).device  # a GPU where the machine has one: compare like with like
    assert torch.equal(predict(run.model, x, 3), predict(loaded.model.to(trained_on), x, 3))
    loaded.model.cpu()
    fresh = SimpleLSTM.from_config(3, 7, 6, run.model_config)  # the weights really came from the file
    assert not torch.equal(predict(fresh, x, 3), predict(loaded.model, x, 3))
    back = loaded.as_run(9, "other.csv", "abc")
    assert (back.number, back.source_name, back.target_names) == (9, "other.csv", ("a", "c"))
    assert (back.data_spec, back.window_config, back.model_config, back.train_config) == (
        run.data_spec,
        run.window_config,
        run.model_config,
        run.train_config,
    )
    assert back.columns == run.columns and back.targets == run.targets
    np.testing.assert_array_equal(back.scaler.shift, run.scaler.shift)
    np.testing.assert_array_equal(back.scaler.scale, run.scaler.scale)
    assert back.scaler.kind is Scaling.MINMAX
    assert back.history.train_loss == run.history.train_loss and back.history.best_epoch == run.history.best_epoch
    assert loaded.config["source"] == {"name": "data.csv", "digest": "d1g35t"}


def test_the_optimizer_and_its_settings_round_trip(saved):
    run, _, weights, _ = saved
    sgd = dataclasses.replace(run.train_config, optimizer=Optimizer.SGD, momentum=0.5, weight_decay=0.25)
    config = save_model(dataclasses.replace(run, train_config=sgd))[1]
    assert json.loads(config)["train"]["optimizer"] == "SGD"
    assert load_model(weights, config).config["train"] == sgd


def test_a_file_written_before_the_optimizer_choice_loads_with_adam(saved):
    run, _, new_weights, config = saved
    weights = _as_lstm_names(new_weights)  # versions 1 and 2 name the LSTM's weights lstm.*
    old = json.loads(config)
    old["format_version"] = 1  # as the app wrote it before the optimizer choice
    del old["model"]["cell"]
    for key in ("optimizer", "weight_decay", "momentum"):
        del old["train"][key]
    loaded = load_model(weights, json.dumps(old).encode()).config["train"]
    assert loaded == dataclasses.replace(run.train_config, optimizer=Optimizer.ADAM, weight_decay=1e-2, momentum=0.9)
    assert loaded == run.train_config  # the run was trained with the defaults


@pytest.mark.parametrize("cell", list(Cell))
@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (1, True), (3, False), (2, True)])
def test_expected_shapes_match_the_model(layers, bidirectional, cell):
    config = ModelConfig(h_size=5, n_layers=layers, bidirectional=bidirectional, init=InitState.RANDOM, cell=cell)
    model = SimpleRNN.from_config(4, 3, 2, config)
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == expected_shapes(config, 4, 2)


@pytest.mark.parametrize("cell", [Cell.GRU, Cell.RNN])
def test_gru_and_rnn_round_trip(cell):
    run, splits = make_run(cell=cell)
    weights, config = save_model(run)
    assert json.loads(config)["model"]["cell"] == cell.name and json.loads(config)["format_version"] == FORMAT_VERSION
    loaded = load_model(weights, config)
    assert loaded.model.cell is cell and isinstance(loaded.model.rnn, type(run.model.rnn))
    assert loaded.config["model"] == run.model_config
    x = splits["test"].x
    assert torch.equal(predict(run.model, x, 3), predict(loaded.model, x, 3))
    lstm_config = _edit(config, "model.cell", "LSTM")  # the same weights cannot pass for another cell
    with pytest.raises(ModelFileError, match="the model needs"):
        load_model(weights, lstm_config)


def test_a_file_saved_before_the_cell_family_still_loads():
    """tests/models/v1_lstm.*: format 1, no cell field, weights named lstm.*, written by the earlier code."""
    folder = Path(__file__).parent / "models"
    weights, config = (folder / "v1_lstm.safetensors").read_bytes(), (folder / "v1_lstm.json").read_bytes()
    assert "cell" not in json.loads(config)["model"] and json.loads(config)["format_version"] == 1
    loaded = load_model(weights, config)
    assert loaded.model.cell is Cell.LSTM and loaded.config["model"].cell is Cell.LSTM
    _, splits = make_run(transform=Transform.LEVELS)  # the series and windows it was trained on
    expected = np.load(folder / "v1_lstm_test_predictions.npy")
    np.testing.assert_array_equal(predict(loaded.model, splits["test"].x, 3).numpy(), expected)
    # its old state_dict also loads straight into a SimpleLSTM (as an old exported script does)
    old = SimpleLSTM(3, 7, 6, 6, 2, True)
    old.load_state_dict(load_safetensors(weights))
    np.testing.assert_array_equal(predict(old, splits["test"].x, 3).numpy(), expected)
    with pytest.raises(ModelFileError, match="missing"):  # a format 3 file does not take lstm.* names
        load_model(weights, _edit(config, "format_version", 3).replace(b'"summary"', b'"cell": "LSTM", "summary"'))


class Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def test_a_pickle_that_runs_code_is_refused_and_never_runs(saved, tmp_path):
    _, _, _, config = saved
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Payload(control)))  # the payload is live: unpickling runs it
    assert control.exists()
    marker = tmp_path / "marker"
    hostile = pickle.dumps(Payload(marker))
    buffer = io.BytesIO()
    torch.save({"lstm.weight_ih_l0": Payload(marker)}, buffer)  # what torch.save would hand us
    for weights in (hostile, buffer.getvalue()):
        with pytest.raises(ModelFileError, match="only safetensors files are accepted"):
            load_model(weights, config)
    with pytest.raises(ModelFileError, match="JSON"):
        load_model(hostile, hostile)
    with pytest.raises(ModelFileError):
        load_model(*read_bundle(write_bundle(hostile, config)))
    assert not marker.exists()


def test_truncated_weights_are_refused(saved):
    _, _, weights, config = saved
    for cut, words in ((weights[:5], "too short"), (weights[:40], "truncated"), (weights[:-8], "truncated")):
        with pytest.raises(ModelFileError, match=words):
            load_model(cut, config)
    with pytest.raises(ModelFileError, match="padded"):
        load_model(weights + b"\0" * 8, config)


def test_a_header_claiming_gigabytes_is_refused(saved):
    _, _, weights, config = saved
    bomb = struct.pack("<Q", 5 << 30) + weights[8:]
    with pytest.raises(ModelFileError, match="header claims 5,368,709,120 bytes"):
        load_model(bomb, config)


def _tensors(run):
    return {k: v.detach().clone() for k, v in run.model.state_dict().items()}


def test_wrong_shapes_names_dtypes_and_values_are_refused(saved):
    run, _, _, config = saved
    other = SimpleLSTM.from_config(3, 7, 6, ModelConfig(h_size=7, n_layers=2, bidirectional=True))
    with pytest.raises(ModelFileError, match=r"has shape \[28, 3\], the model needs \[24, 3\]"):
        load_model(save_safetensors({k: v.contiguous() for k, v in other.state_dict().items()}), config)
    renamed = _tensors(run)
    renamed["rnn.w"] = renamed.pop("rnn.weight_ih_l0")
    with pytest.raises(ModelFileError, match=r"missing \['rnn.weight_ih_l0'\], unexpected \['rnn.w'\]"):
        load_model(save_safetensors(renamed), config)
    doubled = {k: v.double() for k, v in _tensors(run).items()}
    with pytest.raises(ModelFileError, match="float32"):
        load_model(save_safetensors(doubled), config)
    poisoned = _tensors(run)
    poisoned["linear.bias"][0] = float("nan")
    with pytest.raises(ModelFileError, match="NaN"):
        load_model(save_safetensors(poisoned), config)


def _edit(config: bytes, path: str, value) -> bytes:
    data = json.loads(config)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("model.h_size", "6", "model.h_size must be an integer"),
        ("model.h_size", True, "model.h_size must be an integer"),
        ("model.h_size", 6.5, "model.h_size must be an integer"),
        ("model.h_size", 10**9, "between 1 and 4,096"),
        ("model.bidirectional", "yes", "true or false"),
        ("model.init", "EVAL", "must be one of"),
        ("shape.n_features", 4, "n_features"),
        ("shape.output_size", 5, "output_size"),
        ("window.val_fraction", "0.1", "finite number"),
        ("window.horizon", 0, "at least 1"),
        ("window.test_fraction", 0.9, "fractions"),
        ("data.features", "a", "list of texts"),
        ("columns", {"a": 1}, "list of texts"),
        ("targets", [0, 9], "targets"),
        ("targets", [0, 0], "targets"),
        ("scaler.scale", [1, -1, 1], "positive"),
        ("scaler.shift", [1, 2], "one value per column"),
        ("scaler.kind", 3, "must be one of"),
        ("train.lr", None, "finite number"),
        ("train.optimizer", "RMSPROP", "train.optimizer must be one of"),
        ("train.weight_decay", "0.1", "train.weight_decay must be a finite number"),
        ("history.train_loss", "low", "list of numbers"),
        ("source", "x", "source"),
        ("format_version", 5, "not supported"),
        ("format_version", True, "not supported"),
        ("model.cell", "LSTM2", "must be one of"),
        ("model.cell", KeyError, "exactly the keys"),  # only a version-1 or 2 file may lack it
        ("data.duplicates", KeyError, "exactly the keys"),  # only a version-1 file may lack it
        ("format", "pytorch", "LSTM Lab model file"),
        ("train.seed", KeyError, "exactly the keys"),
        ("model.dropout", 0.5, "exactly the keys"),
        ("extra", 1, "exactly the keys"),
    ],
)
def test_config_with_wrong_types_or_values_is_refused(saved, path, value, words):
    _, _, weights, config = saved
    with pytest.raises(ModelFileError, match=words):
        load_model(weights, _edit(config, path, value))


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe{", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'{"format": NaN}', "NaN is not allowed"),
        (b"{" * 100_000, "not valid JSON"),
        (b" " * (2 << 20), "at most 1,048,576"),
    ],
    ids=["empty", "utf-16", "array", "NaN", "deep", "2 MB"],
)
def test_config_that_is_not_a_json_object_is_refused(saved, config, words):
    with pytest.raises(ModelFileError, match=words):
        load_model(saved[2], config)


def test_a_config_describing_a_huge_model_is_refused_before_building_it(saved):
    _, _, weights, config = saved
    huge = json.loads(config)
    huge["model"].update(h_size=4096, n_layers=16)
    with pytest.raises(ModelFileError, match="at most 1,073,741,824 are accepted"):
        load_model(weights, json.dumps(huge).encode())


def test_bundle_round_trip_and_refusals(saved):
    _, _, weights, config = saved
    assert read_bundle(write_bundle(weights, config)) == (weights, config)
    with pytest.raises(ModelFileError, match="not a readable zip"):
        read_bundle(b"not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("a.safetensors", "b.json", "c.py"):
            archive.writestr(name, b"x")
    with pytest.raises(ModelFileError, match=r"exactly one \.safetensors file and one \.json"):
        read_bundle(buffer.getvalue())


def test_check_columns_and_scale_like(saved):
    run, _, weights, config = saved
    loaded = load_model(weights, config)
    check_columns(loaded, ("a", "b", "c"), (0, 2))
    with pytest.raises(ModelFileError, match="trained on columns"):
        check_columns(loaded, ("a", "b", "x"), (0, 2))
    with pytest.raises(ModelFileError, match="target"):
        check_columns(loaded, ("a", "b", "c"), (0, 1))
    values = np.random.default_rng(5).normal(size=(60, 3)).astype(np.float32) * 100
    scaled = scale_like(values, run)  # the run's scaler, not one fitted on this data
    np.testing.assert_allclose(scaled.values, (values - run.scaler.shift) / run.scaler.scale, rtol=1e-5)
    assert scaled.bounds == scale_series(values, run.targets, run.window_config).bounds


def _as_lstm_names(weights: bytes) -> bytes:
    """The same tensors named as versions 1 and 2 named them (lstm.*, before the cell family)."""
    return save_safetensors({k.replace("rnn.", "lstm.", 1): v for k, v in load_safetensors(weights).items()})


def test_a_version_1_file_loads_with_the_settings_added_since_at_their_defaults(saved):
    _, splits, new_weights, config = saved
    weights = _as_lstm_names(new_weights)
    old = json.loads(_edit(_edit(config, "data.duplicates", KeyError), "model.cell", KeyError))
    old["format_version"] = 1  # as the app wrote it before duplicate policies and cells existed
    loaded = load_model(weights, json.dumps(old).encode())
    assert loaded.config["model"].cell is Cell.LSTM
    assert loaded.config["data"].duplicates is DuplicatePolicy.FIRST  # what the app did then
    x = splits["test"].x
    assert torch.equal(predict(loaded.model, x, 3), predict(load_model(new_weights, config).model, x, 3))
    version_2 = json.loads(_edit(config, "model.cell", KeyError))
    version_2["format_version"] = 2  # duplicate policies, no cell yet: an LSTM with lstm.* weights
    assert torch.equal(predict(load_model(weights, json.dumps(version_2).encode()).model, x, 3),
                       predict(loaded.model, x, 3))
    with pytest.raises(ModelFileError, match="missing"):  # version 3 names the weights rnn.*
        load_model(weights, config)
    old["train"].pop("seed")  # a setting version 1 already had is still required
    with pytest.raises(ModelFileError, match="exactly the keys"):
        load_model(weights, json.dumps(old).encode())


@pytest.mark.parametrize("transform", [Transform.DIFFERENCE, Transform.WINDOW])
def test_a_transformed_run_reloads_with_its_transform_and_the_same_forecasts(transform):
    values = (np.random.default_rng(1).normal(size=(120, 3)).cumsum(axis=0) + 40).astype(np.float32)
    run, splits = make_run(n_layers=1, transform=transform, values=values)
    weights, config = save_model(run)
    assert json.loads(config)["scaler"]["transform"] == transform.name
    back = load_model(weights, config).as_run(2, "data.csv", "d1g35t")
    assert back.scaler.target_transform is transform and back.scaler.changed == (0, 2)
    rebuilt = window_splits(scale_like(values, back), back.window_config)
    expected, got = model_predictions(run, splits), model_predictions(back, rebuilt)
    for split in expected:
        np.testing.assert_array_equal(got[split], expected[split])  # original units, from each window's last value


def test_a_file_saved_before_transforms_loads_as_levels(saved):
    values = (np.random.default_rng(1).normal(size=(120, 3)).cumsum(axis=0) + 40).astype(np.float32)
    run, splits = make_run(n_layers=1, transform=Transform.LEVELS, values=values)
    weights, config = save_model(run)
    old = json.loads(config)
    old["format_version"] = 3  # as the app wrote it before target transforms
    del old["window"]["transform"]
    for key in ("transform", "changed", "reason"):
        del old["scaler"][key]
    back = load_model(weights, json.dumps(old).encode()).as_run(2, "data.csv", "d1g35t")
    assert back.window_config.transform is Transform.LEVELS and back.scaler.target_transform is Transform.LEVELS
    expected, got = model_predictions(run, splits), model_predictions(back, splits)
    np.testing.assert_array_equal(got["test"], expected["test"])


def test_an_unresolved_or_inconsistent_transform_is_refused(saved):
    _, _, weights, config = saved
    for change, words in ((("transform", "AUTO"), "resolved"), (("changed", [1]), "changed")):
        bad = json.loads(config)
        bad["scaler"]["transform"] = "WINDOW"
        bad["scaler"]["changed"] = bad["targets"]
        bad["scaler"][change[0]] = change[1]
        with pytest.raises(ModelFileError, match=words):
            load_model(weights, json.dumps(bad).encode())


# ---- names in a model file are data: bounded strings, shown visibly in messages --------------------------------


def test_hostile_names_round_trip_exactly_as_data(saved):
    run = saved[0]
    spec = DataSpec(time_columns=(HOSTILE_NAMES[0],), features=tuple(HOSTILE_NAMES), targets=tuple(HOSTILE_NAMES[::-1]))
    columns = ('"""\nopen("pwned", "w").write("x")\n"""', "zero\u200bwidth\ufeff\x07bell", "x" * MAX_TEXT_CHARS)
    hostile = dataclasses.replace(run, source_name=HOSTILE_FILE, data_spec=spec, columns=columns)
    assert set(columns) <= set(HOSTILE_NAMES)  # the corpus' own names: a breakout, controls, the longest
    config = load_model(*save_model(hostile)).config
    assert (config["data"], config["columns"], config["source"]["name"]) == (spec, columns, HOSTILE_FILE)


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("columns", [1, "b", "c"], r"config\.columns\[0\] must be text, got 1\."),
        ("columns", ["a", None, "c"], r"config\.columns\[1\] must be text, got None"),
        ("columns", ["a", ["b"], "c"], r"config\.columns\[1\] must be text, got \['b'\]"),
        ("data.targets", [{"name": "a"}], r"config\.data\.targets\[0\] must be text"),
        ("data.time_columns", "date", "must be a list of texts"),
        ("source.name", 7, r"config\.source\.name must be text, got 7"),
        ("source.name", "n" * (MAX_TEXT_CHARS + 1), r"config\.source\.name is 10,001 characters long; at most 10,000"),
        ("columns", ["a", "b" * 300_000, "c"], r"config\.columns\[1\] is 300,000 characters long"),
        ("data.features", ["f" * 20_000], r"config\.data\.features\[0\] is 20,000 characters long"),
        ("scaler.reason", "r" * 20_000, "20,000 characters long"),
    ],
    ids=range(10),
)
def test_names_that_are_not_bounded_strings_are_refused(saved, path, value, words):
    _, _, weights, config = saved
    with pytest.raises(ModelFileError, match=words) as refused:
        load_model(weights, _edit(config, path, value))
    assert len(str(refused.value)) < 2 * SHORT + 200  # a message, whatever the file holds


@pytest.mark.parametrize("value", [{"\u202eevil" + "k" * 100_000: 1}, "\x1b[2J" * 50_000, [["\u202e" * 100_000]]],
                         ids=["object", "string", "nested list"])  # fmt: skip
def test_refusals_show_the_files_values_visibly_and_briefly(saved, value):
    _, _, weights, config = saved
    with pytest.raises(ModelFileError) as refused:
        load_model(weights, _edit(config, "columns", value))
    message = str(refused.value)
    assert len(message) < 2 * SHORT + 200
    assert message.isprintable() and "…" in message  # controls and bidi marks written out, the rest shortened


def test_a_zip_of_hostile_names_is_refused_with_the_names_visible():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("\u202eevil.json", "a\x1b[2J.safetensors", "x" * 5000 + ".json"):
            archive.writestr(name, b"x")
    with pytest.raises(ModelFileError, match="exactly one") as refused:
        read_bundle(buffer.getvalue())
    assert str(refused.value).isprintable() and "\\u202eevil" in str(refused.value)
    assert len(str(refused.value)) < 2 * SHORT + 200

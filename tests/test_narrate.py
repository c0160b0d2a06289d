"""lstmlab.narrate: the Linear step's numbers against the model itself, the words around them, and a
find-units threshold that finds something."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstmlab import narrate
from lstmlab.config import Scaling, Summary, Transform
from lstmlab.model import SimpleLSTM
from lstmlab.trace import trace_cells
from lstmlab.trace_stats import find_units
from lstmlab.windows import Scaler

F, W, H = 3, 9, 5


def _model(bidirectional=False, summary=Summary.H_N, outputs=4, hidden=H, layers=1) -> SimpleLSTM:
    torch.manual_seed(0)
    return SimpleLSTM(F, W, outputs, hidden, layers, bidirectional, summary=summary).eval()


def _scaler() -> Scaler:
    rows = np.random.default_rng(0).normal(300, 50, size=(100, F))
    return Scaler.fit(Scaling.MINMAX, rows)


@pytest.mark.parametrize(("bidirectional", "summary", "layers"),
                         [(False, Summary.H_N, 1), (True, Summary.H_N, 2), (True, Summary.TUTORIAL, 1)])
@pytest.mark.parametrize("output", [0, 3])
def test_linear_step_is_the_models_prediction(bidirectional, summary, layers, output):
    model, scaler = _model(bidirectional, summary, layers=layers), _scaler()
    x = torch.randn(1, W, F, generator=torch.Generator().manual_seed(3))
    targets, names = (2, 0), ("TEMP", "pm2.5")  # horizon 2 × K 2 = 4 outputs, step-major
    step = narrate.linear_step(model, x, scaler, targets, names, output)
    with torch.no_grad():
        pred = model(x)  # (1, 1, 4)
        out, (h_n, _) = model.lstm(x)
    assert step.scaled == pytest.approx(float(pred[0, 0, output]), abs=1e-5)
    unscaled = scaler.inverse(pred.reshape(2, 2), targets)  # (horizon, K) in original units
    assert step.original == pytest.approx(float(unscaled[output // 2, output % 2]), rel=1e-5)
    assert step.name == names[output % 2] and step.step == output // 2 + 1
    expected = out[0, -1] if summary is Summary.TUTORIAL or not bidirectional else torch.cat([h_n[-2, 0], h_n[-1, 0]])
    np.testing.assert_allclose(step.summary, expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(step.weight, model.linear.weight[output].detach().numpy(), atol=0)


def test_equations_carry_the_real_numbers():
    model = _model(hidden=64, outputs=1)
    x = torch.randn(1, W, F, generator=torch.Generator().manual_seed(4))
    step = narrate.linear_step(model, x, _scaler(), (0,), ("passengers",))
    lines = narrate.prediction_equations(step, shown=3)
    assert "other 61 terms" in lines[1] and lines[1].endswith(f"= {step.scaled:.4g}")
    assert lines[2].endswith(f"= {step.original:.4g}") and r"\text{passengers}" in lines[2]
    terms = step.weight * step.summary
    top = np.argsort(-np.abs(terms))[:3]
    for j in top:  # the three largest terms are the ones written out
        assert f"{step.weight[j]:.4g}" in lines[1] and f"{abs(step.summary[j]):.4g}" in lines[1]
    assert np.sum(terms) + step.bias == pytest.approx(step.scaled)


def test_equation_names_are_safe_latex():
    step = narrate.LinearStep(np.ones(2), np.ones(2), 0.5, 2.5, 10.0, 1.0, "pm2.5_% raw", 2)
    lines = narrate.prediction_equations(step)
    assert r"pm2.5\_\% raw" in lines[2] and "t+2" in lines[0]
    assert "other" not in lines[1]  # two terms, both written out
    assert lines[2].endswith("= 26")


def test_gates_named_with_their_jobs():
    lines = narrate.gate_lines()
    assert [line.split("**")[1] for line in lines] == ["input gate", "forget gate", "cell candidate", "output gate"]
    assert narrate.gate_label("f") == "forget gate f"


def test_summary_text_for_each_kind():
    assert "last time step" in narrate.summary_text(_model())
    assert "both having read the whole window" in narrate.summary_text(_model(True, Summary.H_N))
    assert "only the last step" in narrate.summary_text(_model(True, Summary.TUTORIAL))


def test_traced_batch_text():
    text = narrate.traced_batch_text(256, "validation", 1546, 64)
    assert "B = 256" in text and "256 of its 1,546 windows" in text and "batches of 64" in text
    assert "every window of the test" in narrate.traced_batch_text(22, "test", 22, 64)


@pytest.mark.parametrize("seed", range(4))
def test_default_threshold_finds_units_in_a_real_trace(seed):
    torch.manual_seed(seed)
    model = SimpleLSTM(F, 52, 1, 16).eval()
    h = trace_cells(model, torch.randn(1, 52, F)).h[0, 0, 0].numpy()  # (W, H), float32
    lo, hi = 48, 51
    threshold = narrate.find_units_threshold(h, lo, hi)
    found = find_units(h, lo, hi, threshold)
    assert 1 <= len(found) <= 16
    assert set(found) == set(np.flatnonzero(h[lo : hi + 1].min(axis=0) >= threshold))  # numpy reference


def test_default_threshold_with_one_unit_and_flat_values():
    assert len(find_units(np.full((5, 1), 0.123456, dtype=np.float32), 0, 4,
                          narrate.find_units_threshold(np.full((5, 1), 0.123456, dtype=np.float32), 0, 4))) == 1
    values = -np.abs(np.random.default_rng(0).normal(size=(10, 7)))  # all negative
    assert len(find_units(values, 2, 6, narrate.find_units_threshold(values, 2, 6))) >= 1


@pytest.mark.parametrize("bidirectional", [False, True])
def test_stage_axes_name_every_row_and_column(bidirectional):
    from lstmlab.shapes import trace_shapes

    torch.manual_seed(0)
    model = SimpleLSTM(F, W, 2 * 2, H, 2, bidirectional).eval()  # horizon 2 × 2 targets
    series = np.random.default_rng(0).normal(size=(40, F)).astype(np.float32)
    stages = {s.name: s for s in trace_shapes(model, torch.randn(8, W, F), series, series, 2)}
    features, outputs = ["a", "b", "c"], ["step 1 · a", "step 1 · c", "step 2 · a", "step 2 · c"]
    d = 2 if bidirectional else 1
    for stage in stages.values():
        rows, cols = narrate.stage_axes(stage, features, outputs, H, d)
        assert (len(rows), len(cols)) == np.atleast_2d(stage.sample).shape, stage.name
    assert narrate.stage_axes(stages["windows"], features, outputs, H, d) == (
        [f"t={t}" for t in range(6)], features)
    rows, cols = narrate.stage_axes(stages["h_n"], features, outputs, H, d)
    assert rows == (["layer 0 fwd", "layer 0 bwd", "layer 1 fwd", "layer 1 bwd"] if bidirectional
                    else ["layer 0", "layer 1"])
    assert cols == [f"unit {j}" for j in range(H)]
    summary_cols = narrate.stage_axes(stages["summary"], features, outputs, H, d)[1]
    assert summary_cols[-1] == ("bwd unit 0" if bidirectional else "unit 4")  # H = 5: column 5 is the backward half
    assert narrate.stage_axes(stages["Linear"], features, outputs, H, d)[1] == outputs


@pytest.mark.parametrize("transform", [Transform.LEVELS, Transform.WINDOW, Transform.DIFFERENCE])
@pytest.mark.parametrize("output", [0, 1, 3])
def test_linear_step_is_in_original_units_for_every_transform(transform, output):
    """The Linear step's original-unit number is Scaler.inverse of the whole output from the window's last value."""
    rows = np.random.default_rng(5).normal(300, 50, size=(100, F)).cumsum(axis=0)
    targets, names = (2, 0), ("TEMP", "pm2.5")
    scaler = Scaler.fit(Scaling.MINMAX, rows, targets, transform)
    model, last = _model(), rows[-1, list(targets)]  # (K,) the window's last target values
    x = torch.randn(1, W, F, generator=torch.Generator().manual_seed(3))
    step = narrate.linear_step(model, x, scaler, targets, names, output, last=last)
    with torch.no_grad():
        pred = model(x).reshape(2, 2).numpy().astype(np.float64)  # (horizon, K) scaled
    cols = list(targets)
    expected = {  # by hand from the transforms' definitions, (horizon, K)
        Transform.LEVELS: pred * scaler.scale[cols] + scaler.shift[cols],
        Transform.WINDOW: last + pred * scaler.scale[cols],
        Transform.DIFFERENCE: last + np.cumsum(pred * scaler.scale[cols], axis=0),
    }[transform]
    assert step.original == pytest.approx(float(expected[output // 2, output % 2]), rel=1e-6)
    assert step.original == pytest.approx(float(scaler.inverse(pred[None], targets, last[None])[0, output // 2,
                                                                                                 output % 2]), rel=1e-6)
    line = narrate.prediction_equations(step)[2]
    assert line.endswith(f"= {step.original:.4g}") and ("last value" in line) == (transform is not Transform.LEVELS)
    if transform is not Transform.LEVELS:
        with pytest.raises(ValueError, match="last value"):
            narrate.linear_step(model, x, scaler, targets, names, output)

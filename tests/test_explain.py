"""The words and tables the pages show, checked against the numbers they describe."""

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from lstmlab import cell_trace, explain
from lstmlab import trace as lt
from lstmlab.config import DataSpec, Scaling
from lstmlab.data import read_table
from lstmlab.inspection import gate_terms
from lstmlab.model import SimpleLSTM
from lstmlab.prepare import prepare_series
from lstmlab.windows import Scaler


def _check(diff, tolerance, device="cpu", precision="full fp32", kernel=None) -> SimpleNamespace:
    return SimpleNamespace(max_abs_diff=diff, tolerance=tolerance, device=device, precision=precision,
                           kernel_diff=kernel)


def test_trace_check_text_flags_only_a_difference_at_or_above_the_tolerance():
    fine = explain.trace_check_text(_check(3.2e-7, 1e-5), 256, "train")
    assert fine.endswith("= 3.20e-07 (tolerance 1e-05)") and "256 train windows" in fine and "look into it" not in fine
    assert "on cpu vs nn.LSTM in full fp32" in fine
    assert explain.trace_check_text(_check(2e-5, 1e-5), 10, "test").endswith(
        "= 2.00e-05 (tolerance 1e-05) (above 1e-05: look into it)")
    assert "above 0.001" in explain.trace_check_text(_check(1e-3, 1e-3), 1, "test")


def test_trace_check_text_names_a_reduced_precision_kernel():
    text = explain.trace_check_text(_check(2e-7, 1e-5, "cuda:0", "TF32 (cuDNN's default)", 3.1e-4), 256, "test")
    assert "on cuda:0" in text and "computes in TF32 (cuDNN's default)" in text and "by 3.10e-04" in text
    assert "look into it" not in text


def test_missing_text_against_pandas():
    frame = pd.DataFrame({"a": [1.0, np.nan, np.nan], "b": [1, 2, 3], "c": ["x", None, "y"]})
    counts = frame.isna().sum()
    assert explain.missing_text(counts) == "Missing values as read: a: 2, c: 1."
    assert explain.missing_text(frame[["b"]].isna().sum()) == "No missing values in this table."


def test_time_metrics_of_the_airline_sample_and_of_a_row_order_series(samples):
    table = read_table((samples / "airline-passengers.csv").read_bytes(), "airline-passengers.csv")
    raw = pd.read_csv(samples / "airline-passengers.csv")
    series = prepare_series(table, DataSpec(("Month",), ("Passengers",), ("Passengers",)))
    labels, values, helps = zip(*explain.time_metrics(series), strict=True)
    assert labels == ("Rows", "From", "To", "Time step")
    assert values[:3] == (f"{len(raw):,}", f"{raw.Month.iloc[0]}-01", f"{raw.Month.iloc[-1]}-01")
    assert values[3] == "monthly" and "MS" in helps[3]
    row_order = prepare_series(table, DataSpec((), ("Passengers",), ("Passengers",)))
    assert [m[:2] for m in explain.time_metrics(row_order)] == [("Rows", "144"), ("Time axis", "row order")]


def test_labels_of_times():
    days, hours = pd.date_range("2021-03-01", periods=5, freq="D"), pd.date_range("2021-03-01", periods=5, freq="h")
    assert explain.window_labels(days, 4, 2) == ["2021-03-03", "2021-03-04"]
    assert explain.window_labels(hours, 2, 2) == ["2021-03-01 00:00", "2021-03-01 01:00"]
    assert explain.window_labels(pd.RangeIndex(9), 9, 3) == ["6", "7", "8"]
    assert explain.time_label(np.datetime64("2020-01-01")) == "2020-01-01"
    assert explain.time_label(pd.Timestamp("2020-01-01 01:00")) == "2020-01-01 01:00" and explain.time_label(7) == "7"


def test_scaler_table():
    scaler = Scaler(Scaling.STANDARD, np.array([1.5, -2.0]), np.array([0.5, 3.0]))
    table = explain.scaler_table(scaler, ("a", "b"))
    assert list(table.index) == ["a", "b"] and table.loc["b", "scale"] == 3.0 and table.loc["a", "shift"] == 1.5


def test_cell_equations_hold_the_cells_numbers():
    torch.manual_seed(0)
    model = SimpleLSTM(2, 4, 1, 3).eval()
    trace = lt.trace_cells(model, torch.randn(1, 4, 2))
    cell, unit = trace.cell(0, 0, 0, 2), 1
    lstm = model.lstm
    with torch.no_grad():  # the pre-activations straight from nn.LSTM's weights, (4, H) in gate order i, f, g, o
        pre = (lstm.weight_ih_l0 @ torch.from_numpy(cell.x) + lstm.weight_hh_l0 @ torch.from_numpy(cell.h_prev)
               + lstm.bias_ih_l0 + lstm.bias_hh_l0).reshape(4, -1)[:, unit].numpy()
    lines = explain.cell_equations(cell, gate_terms(model, 0, 0, cell), unit)
    assert len(lines) == 6
    for k, (line, gate) in enumerate(zip(lines, cell_trace.GATES, strict=False)):
        printed_pre = float(re.search(r"\((-?[0-9.e+-]+)\) = -?[0-9.e+-]+$", line).group(1))
        assert printed_pre == pytest.approx(pre[k], abs=6e-4)  # printed to three decimals
        assert float(line.rsplit("= ", 1)[1]) == pytest.approx(getattr(cell, gate)[unit], abs=6e-4)
    assert float(lines[4].rsplit("= ", 1)[1]) == pytest.approx(cell.c[unit], abs=6e-4)
    assert float(lines[5].rsplit("= ", 1)[1]) == pytest.approx(cell.h[unit], abs=6e-4)
    table = explain.cell_table(cell, [0, 2])
    assert list(table.unit) == [0, 2] and table.loc[1, "c_t"] == pytest.approx(cell.c[2])


def test_explain_names_the_gates_in_the_traces_order():
    assert explain.GATES == cell_trace.GATES


def test_shape_text_and_weight_reuse_text():
    assert explain.shape_text((3, 12, 1)) == "(3, 12, 1)"
    assert "applied 12 times" in explain.weight_reuse_text(12)

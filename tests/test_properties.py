"""Properties over generated inputs: the reading pipeline raises only DataError, windowing is exact or refuses.

Reading is checked as the Data page runs it (read_table, then prepare_series on the detected defaults),
on arbitrary bytes, on damaged copies of valid files, and on generated tables. Windowing is checked
against numpy's sliding_window_view.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmlab.data import DataError, read_table
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.windows import make_windows

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.sampled_from(["x.csv", "x.tsv", "x.txt", "x.parquet", "x"])


def pipeline(data: bytes, name: str) -> None:
    """What the Data page does with an upload; anything but DataError escapes and fails the test."""
    try:
        table = read_table(data, name)
        series = prepare_series(table, infer_spec(table))
    except DataError as err:
        assert str(err).strip()  # a message, never an empty one
        return
    assert series.values.dtype == np.float32 and series.values.ndim == 2 and series.length >= 2
    assert np.isfinite(series.values).all()
    assert len(series.time) == series.length and len(series.columns) == series.values.shape[1]
    assert series.targets and all(0 <= t < len(series.columns) for t in series.targets)


@FAST
@given(raw=st.binary(max_size=2000), name=NAMES)
def test_arbitrary_bytes(raw, name):
    pipeline(raw, name)


def _parquet() -> bytes:
    buffer = io.BytesIO()
    frame = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=30, freq="h"), "y": np.arange(30.0) ** 0.5})
    frame.assign(kind=["a", "b", "c"] * 10).to_parquet(buffer, index=False)
    return buffer.getvalue()


VALID = [
    b"date,value,kind\n"
    + b"".join(b"2024-01-%02d,%d.5,%s\n" % (d, d * 3 % 7, b"ab"[d % 2 : d % 2 + 1]) for d in range(1, 29)),
    b"year;month;day;pm;TEMP\n" + b"".join(b"2020;%d;%d;%d,5;NA\n" % (1 + d // 28, 1 + d % 28, d) for d in range(40)),
    "t\ty\n".encode("utf-16") + "".join(f"{i}\t{i * i}\n" for i in range(20)).encode("utf-16-le"),
    _parquet(),
]


@st.composite
def damaged(draw) -> tuple[bytes, str]:
    """A valid file with a few edits: cut, bytes flipped, inserted or deleted, a line repeated."""
    index = draw(st.integers(0, len(VALID) - 1))
    data = bytearray(VALID[index])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        edit = draw(st.sampled_from(["cut", "flip", "insert", "delete", "repeat"]))
        if edit == "cut":
            data = data[:at]
        elif edit == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from([b",", b";", b'"', b"\n", b"\x00", b"NaN", b"inf", b"1e999", b"\xff"]))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif edit == "repeat":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            line = bytes(data[start : end + 1]) if end >= 0 else b""
            data[start:start] = line * draw(st.integers(1, 3))
    name = "x.parquet" if index == 3 and draw(st.booleans()) else "x.csv"
    return bytes(data), name


@FAST
@given(case=damaged())
def test_damaged_valid_files(case):
    pipeline(*case)


CELLS = st.sampled_from(
    ["1", "-2.5", "3,5", "1e999", "-inf", "NaN", "", "NA", "?", "x", "é", '"q"', '"a,b"', "2024-01-31",
     "31/01/2024", "2024-02-30", "12:00", "True", "0", "1.234,5", "1,234.5", " 7 "]
)  # fmt: skip


@FAST
@given(
    header=st.lists(st.sampled_from(["date", "y", "x", "No", "year", "month", "day", "hour", "", "cat"]), max_size=5),
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=0, max_size=12),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
)
def test_generated_tables(header, rows, sep, encoding):
    text = "\n".join(sep.join(row) for row in [header, *rows] if row is not None)
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return
    pipeline(raw, "t.csv")


# --- windowing ---------------------------------------------------------------------------------

WHOLE = st.one_of(st.integers(-3, 40), st.sampled_from([True, 2.0, None, "3"]))


@settings(max_examples=300, deadline=None)
@given(
    length=st.integers(0, 40),
    n_features=st.integers(1, 4),
    window=WHOLE,
    horizon=WHOLE,
    stride=WHOLE,
    targets=st.lists(st.integers(-5, 5), max_size=3),
    as_tensor=st.booleans(),
)
def test_make_windows_is_exact_or_refuses(length, n_features, window, horizon, stride, targets, as_tensor):
    values = np.arange(length * n_features, dtype=np.float32).reshape(length, n_features) * 0.5  # (T, F)
    series = torch.from_numpy(values) if as_tensor else values
    try:
        x, y = make_windows(series, window, horizon, stride, targets)
    except ValueError as err:
        assert str(err)
        valid = all(type(v) is int and v >= 1 for v in (window, horizon, stride))
        in_range = targets and all(-n_features <= t < n_features for t in targets)
        assert not (valid and in_range and window + horizon <= length), f"refused valid arguments: {err}"
        return
    n = (length - window - horizon) // stride + 1
    assert x.shape == (n, window, n_features) and y.shape == (n, horizon, len(targets))
    # reference: numpy's own windows, the window starting every stride rows
    starts = np.arange(n) * stride
    windows = np.lib.stride_tricks.sliding_window_view(values, window, axis=0).transpose(0, 2, 1)  # (·, W, F)
    np.testing.assert_array_equal(x.numpy(), windows[starts])
    future = np.stack([values[s + window : s + window + horizon][:, targets] for s in starts])
    np.testing.assert_array_equal(y.numpy(), future)
    assert np.shares_memory(x.numpy(), values)  # a view, not a copy


@pytest.mark.parametrize("shape", [(10,), (2, 3, 4), (0, 3), (5, 0)])
def test_make_windows_refuses_other_shapes(shape):
    with pytest.raises(ValueError):
        make_windows(np.zeros(shape, dtype=np.float32), 2)

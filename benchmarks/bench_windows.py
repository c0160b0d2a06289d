"""Row 1: windowing a long (T, F) float32 series with ``make_windows`` against copying the windows out.

The naive reference materialises every window (``sliding_window_view(...).copy()``, the fastest copy
numpy offers) plus the targets. At 10 M rows that copy would need about 15 GB, so it is timed on a
prefix and scaled by the window count; the table says so.
"""

from __future__ import annotations

import gc
import time

import numpy as np
import torch

from benchmarks.common import (
    Row,
    fmt_bytes,
    fmt_seconds,
    interleaved,
    median,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
)
from lstmlab.windows import count_windows, make_windows

NAIVE_LIMIT_BYTES = 10e9  # above this, the naive copy is measured on a prefix and extrapolated


def naive_windows(values: np.ndarray, window: int, horizon: int = 1, targets: tuple[int, ...] = (0,)):
    """Every window copied out, (N, W, F), and the targets (N, H, K): what make_windows avoids."""
    n = count_windows(values.shape[0], window, horizon)
    x = np.lib.stride_tricks.sliding_window_view(values[: n - 1 + window], window, axis=0)  # (N, F, W) view
    x = x.transpose(0, 2, 1).copy()  # (N, W, F), materialised
    future = values[window : n - 1 + window + horizon][:, list(targets)]  # (·, K)
    y = np.lib.stride_tricks.sliding_window_view(future, horizon, axis=0).transpose(0, 2, 1).copy()  # (N, H, K)
    return x, y


def _extra_bytes(outputs: tuple[torch.Tensor, ...], values: np.ndarray) -> int:
    """Bytes of the outputs' storages that are not ``values``' own memory (an exact count)."""
    base = values.ctypes.data
    seen, extra = set(), 0
    for t in outputs:
        storage = t.untyped_storage()
        if storage.data_ptr() in seen:
            continue
        seen.add(storage.data_ptr())
        if not base <= storage.data_ptr() < base + values.nbytes:
            extra += storage.nbytes()
    return extra


def _peak_extra(fn) -> tuple[int, object]:
    """Peak resident memory above the starting point while ``fn`` runs (the result is kept alive)."""
    gc.collect()
    reset_peak_rss()
    before = rss_bytes()
    result = fn()
    return max(peak_rss_bytes() - before, 0), result


def bench_windows(
    rows: int = 10_000_000,
    features: int = 8,
    window: int = 48,
    prefix_rows: int = 100_000,
    repeats: int = 20,
    naive_limit: float = NAIVE_LIMIT_BYTES,
) -> list[Row]:
    """Time and extra memory of make_windows on ``rows`` × ``features``, against the naive copy."""
    values = np.random.default_rng(0).standard_normal((rows, features), dtype=np.float32)  # (T, F)
    n = count_windows(rows, window)

    times = interleaved({"view": lambda: make_windows(values, window)}, repeats=repeats, warmup=2, collect=False)
    t_view = median(times["view"])
    x_only = interleaved(
        {"x": lambda: torch.as_tensor(values)[: n - 1 + window].unfold(0, window, 1).transpose(1, 2)},
        repeats=repeats,
        collect=False,
    )
    peak_view, (x, y) = _peak_extra(lambda: make_windows(values, window))
    exact_view = _extra_bytes((x, y), values)
    assert np.shares_memory(x.numpy(), values), "make_windows no longer returns a view"
    del x, y

    naive_full_bytes = n * window * features * 4 + n * 4  # X plus y (horizon 1, one target)
    prefix = rows if naive_full_bytes <= naive_limit else min(prefix_rows, rows)
    head = values[:prefix]
    n_prefix = count_windows(prefix, window)
    times = interleaved({"naive": lambda: naive_windows(head, window)}, repeats=3, warmup=1)
    t_naive_prefix = median(times["naive"])
    peak_naive, copied = _peak_extra(lambda: naive_windows(head, window))
    exact_naive_prefix = sum(a.nbytes for a in copied)
    del copied
    scale = n / n_prefix
    t_naive = t_naive_prefix * scale
    mem_naive = exact_naive_prefix * scale
    extrapolated = prefix < rows
    how = (
        f"naive copy measured on the first {prefix:,} rows ({n_prefix:,} windows: {fmt_seconds(t_naive_prefix)}, "
        f"{fmt_bytes(exact_naive_prefix)}, peak RSS +{fmt_bytes(peak_naive)}) and scaled by the window count "
        f"×{scale:.0f}, since the full copy would need {fmt_bytes(naive_full_bytes)}"
        if extrapolated
        else "naive copy measured on the whole series"
    )
    label = (
        f"{rows / 1e6:g}M × {features}, window {window}" if rows >= 1e6 else f"{rows:,} × {features}, window {window}"
    )
    star = " (extrapolated)" if extrapolated else ""
    notes = [
        f"make_windows on {label}: median of {repeats} calls. Extra memory is exact (bytes of output storage "
        f"not shared with the input; peak RSS rise {fmt_bytes(peak_view)}). "
        + (
            "X and y are both views of the series. "
            if exact_view == 0
            else f"X alone is a view ({fmt_seconds(median(x_only['x']))}, 0 B); the rest is y, a copy of the "
            f"target columns ({fmt_bytes(exact_view)}). "
        )
        + f"The {how}."
    ]
    return [
        Row(
            f"1a. windowing {label}: time",
            fmt_seconds(t_view),
            f"{fmt_seconds(t_naive)} copy{star}",
            t_view / t_naive,
            "< 1 ms",
            t_view < 1e-3,
            notes,
        ),
        Row(
            f"1b. windowing {label}: extra memory",
            fmt_bytes(exact_view),
            f"{fmt_bytes(mem_naive)} copy{star}",
            exact_view / mem_naive,
            "< 1 MB",
            exact_view < 1e6,
        ),
    ]


if __name__ == "__main__":
    start = time.perf_counter()
    for row in bench_windows():
        print(row)
    print(f"{time.perf_counter() - start:.1f} s")

"""Row 3: ``lstmlab.trace.trace_cells`` (every cell's gates, step by step) against one ``nn.LSTM`` forward."""

from __future__ import annotations

import time

import torch

from benchmarks.common import Row, fmt_seconds, interleaved, median, not_available
from lstmlab.model import SimpleLSTM

TARGET = 3.0


def bench_trace(batch: int = 256, window: int = 48, features: int = 8, h_size: int = 64, repeats: int = 30) -> Row:
    name = f"3. trace_cells vs nn.LSTM forward, {batch} × {window} × {features}, H={h_size}"
    try:
        from lstmlab.trace import trace_cells
    except ImportError as err:  # the module is written separately; the suite must not crash without it
        return not_available(name, f"≤ {TARGET:g}×", f"lstmlab.trace could not be imported ({err}).")
    torch.manual_seed(0)
    model = SimpleLSTM(features, window, 1, h_size).eval()
    x = torch.randn(batch, window, features)  # (B, W, F)

    def forward() -> None:
        with torch.no_grad():
            model.lstm(x)

    times = interleaved(
        {"trace": lambda: trace_cells(model, x), "lstm": forward}, repeats=repeats, warmup=3, collect=False
    )
    t_trace, t_lstm = median(times["trace"]), median(times["lstm"])
    return Row(
        name,
        fmt_seconds(t_trace),
        f"{fmt_seconds(t_lstm)} nn.LSTM",
        t_trace / t_lstm,
        f"≤ {TARGET:g}×",
        t_trace / t_lstm <= TARGET,
        [f"trace_cells vs model.lstm(x) under no_grad, 1 layer, one direction: median of {repeats} interleaved calls."],
    )


if __name__ == "__main__":
    start = time.perf_counter()
    print(bench_trace())
    print(f"{time.perf_counter() - start:.1f} s")

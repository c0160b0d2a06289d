"""Row 9: a window sweep in the process pool against the same runs one after another; row 10: training
throughput of every device present, for each cell.

Row 9 trains 8 window sizes on airline (lstmlab/samples) with ``lstmlab.sweep.run_sweep``: once in the
pool sized to the machine's cores, once one after another in this process (as training them one by one
on the Train page would, torch on its default threads) and once one after another on a single torch
thread, interleaved after a warm-up round that also starts the pool's forkserver.
"""

from __future__ import annotations

import time
from importlib import resources

import torch

from benchmarks.common import Row, fmt_seconds, interleaved, median
from lstmlab.config import Cell, ModelConfig, TrainConfig, WindowConfig
from lstmlab.data import read_table
from lstmlab.model import SimpleRNN
from lstmlab.prepare import infer_spec, prepare_series
from lstmlab.sweep import run_sweep
from lstmlab.sweep_pool import machine_cores, pool_size
from lstmlab.train import available_devices, describe_device, fit, resolve_device

SWEEP_TARGET = 0.7
WINDOWS = (3, 4, 6, 8, 10, 12, 15, 18)


def _one_thread(job: callable) -> callable:
    def run() -> object:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return job()
        finally:
            torch.set_num_threads(threads)

    return run


def bench_sweep(epochs: int = 150, h_size: int = 32, repeats: int = 2, windows: tuple[int, ...] = WINDOWS) -> Row:
    data = resources.files("lstmlab").joinpath("samples", "airline-passengers.csv").read_bytes()
    table = read_table(data, "airline-passengers.csv")
    series = prepare_series(table, infer_spec(table))
    model, train = ModelConfig(h_size=h_size), TrainConfig(epochs=epochs, patience=0, device="cpu")
    workers = pool_size(len(windows))

    def sweep(n: int | None) -> callable:
        def run() -> object:
            result = run_sweep(series.values, series.targets, WindowConfig(), model, train, list(windows),
                               workers=n, season=12)  # fmt: skip
            if any(str(r.status) != "done" for r in result.runs):
                raise RuntimeError(f"a sweep run did not finish: {result.table()[['window', 'status', 'reason']]}")
            return result

        return run

    started = time.perf_counter()
    sweep(None)()  # the first pool also starts the forkserver (torch imported once, there)
    cold = time.perf_counter() - started
    times = interleaved({"pool": sweep(None), "serial": sweep(0), "serial, 1 thread": _one_thread(sweep(0))},
                        repeats=repeats, warmup=0)  # fmt: skip
    pool, serial, single = (median(times[k]) for k in ("pool", "serial", "serial, 1 thread"))
    best = min(serial, single)  # the stricter reference: a busy machine can stall torch's threads badly
    threads = max(1, machine_cores() // workers)
    return Row(
        f"9. window sweep, {len(windows)} windows on airline: pool of {workers} vs one after another",
        fmt_seconds(pool),
        f"{fmt_seconds(best)} one after another",
        pool / best,
        f"≤ {SWEEP_TARGET:g}×",
        pool / best <= SWEEP_TARGET,
        [
            f"Pool of {workers} worker processes × {threads} torch thread(s) on {machine_cores()} cores; windows "
            f"{list(windows)}, LSTM H={h_size}, {epochs} epochs each, batch 64, CPU. Medians of {repeats} "
            f"interleaved sweeps. The reference is the faster of the same 8 runs one after another in this "
            f"process on torch's {torch.get_num_threads()} thread(s) ({fmt_seconds(serial)}) and on 1 thread "
            f"({fmt_seconds(single)}). The very first sweep, which also starts the forkserver (importing torch "
            f"once): {fmt_seconds(cold)}.",
        ],
    )


def bench_devices(n_windows: int = 4096, window: int = 48, features: int = 8, h_size: int = 64, epochs: int = 2,
                  devices: list[str] | None = None) -> list[Row]:  # fmt: skip
    """Windows/s of ``fit`` per device and cell, against the CPU; one row per device."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n_windows, window, features, generator=gen)  # (N, W, F)
    y = torch.randn(n_windows, 1, 1, generator=gen)
    speeds: dict[str, dict[str, float]] = {}
    for device in devices or available_devices():
        speeds[device] = {}
        for cell in Cell:
            model = SimpleRNN.from_config(features, window, 1, ModelConfig(h_size=h_size, cell=cell), seed=0)
            config = TrainConfig(epochs=epochs + 1, batch_size=256, patience=0, device=device)
            ends: list[float] = []
            fit(model, x, y, config, on_epoch=lambda r, ends=ends: ends.append(time.perf_counter()))
            # the first epoch warms up kernels and caches: timed from its end to the last epoch's
            speeds[device][cell.name] = n_windows * epochs / (ends[-1] - ends[0])
    cpu = speeds.get("cpu")
    rows = []
    for device, by_cell in speeds.items():
        name = describe_device(resolve_device(device))
        ratio = by_cell["LSTM"] / cpu["LSTM"] if cpu else None
        rows.append(Row(
            f"10. fit throughput on {name}",
            ", ".join(f"{c} {v:,.0f}" for c, v in by_cell.items()) + " windows/s",
            f"cpu LSTM {cpu['LSTM']:,.0f} windows/s" if cpu else "–",
            ratio,
            "–",
            None,
            [f"{n_windows:,} windows of {window} × {features}, H={h_size}, batch 256, Adam, MSE, clip 1; mean over "
             f"{epochs} epochs after a warm-up epoch. Ratio: this device's LSTM windows/s over the CPU's."],
        ))  # fmt: skip
    return rows


if __name__ == "__main__":
    start = time.perf_counter()
    print(bench_sweep())
    for row in bench_devices():
        print(row)
    print(f"{time.perf_counter() - start:.1f} s")

"""Row 4: ``lstmlab.data.read_table`` on a generated 1,000,000-row CSV against plain ``pandas.read_csv``.

Both parse the same bytes, already in memory (the app receives an upload as bytes). The file has an
hourly time column and seven numeric columns, like a sensor log. ``read_table`` reads it with pyarrow's
multithreaded reader; the reference is what a user would write, ``pandas.read_csv`` with its defaults
(the C engine, one thread).
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import Row, fmt_bytes, fmt_seconds, interleaved, median, not_available

TARGET = 0.8


def write_csv(path: Path, rows: int = 1_000_000, columns: int = 8, seed: int = 0) -> Path:
    """A seeded CSV: an hourly ``time`` column and ``columns - 1`` noisy sine columns, 4 decimals."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv  # writes a million rows in about a second (pandas' to_csv: ten)

    rng = np.random.default_rng(seed)
    t = np.arange(rows, dtype=np.float64)[:, None]  # (T, 1)
    periods = rng.uniform(24, 24 * 365, size=columns - 1)
    values = np.round(10 * np.sin(2 * np.pi * t / periods) + rng.standard_normal((rows, columns - 1)), 4)
    time_axis = np.datetime64("2000-01-01T00:00:00", "s") + np.arange(rows) * np.timedelta64(1, "h")
    table = pa.table({"time": time_axis, **{f"sensor_{i}": values[:, i - 1] for i in range(1, columns)}})
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="none"))
    return path


def bench_read(rows: int = 1_000_000, columns: int = 8, repeats: int = 3, workdir: Path | None = None) -> Row:
    name = f"4. read_table vs pandas.read_csv, {rows:,} × {columns} CSV"
    try:
        from lstmlab.data import read_table
    except ImportError as err:  # the module is written separately; the suite must not crash without it
        return not_available(name, f"≤ {TARGET:g}×", f"lstmlab.data could not be imported ({err}).")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        data = write_csv(Path(tmp) / "big.csv", rows, columns).read_bytes()
    times = interleaved(
        {
            "read_table": lambda: read_table(data, "big.csv"),
            "pandas": lambda: pd.read_csv(io.BytesIO(data)),
        },
        repeats=repeats,
        warmup=1,
    )
    t_app, t_pandas = median(times["read_table"]), median(times["pandas"])
    frame = read_table(data, "big.csv")
    assert frame.shape == (rows, columns), frame.shape
    return Row(
        name,
        fmt_seconds(t_app),
        f"{fmt_seconds(t_pandas)} read_csv",
        t_app / t_pandas,
        f"≤ {TARGET:g}×",
        t_app / t_pandas <= TARGET,
        [
            f"The CSV ({fmt_bytes(len(data))}: a text time column and {columns - 1} numeric columns) parsed from "
            f"bytes in memory by both; median of {repeats} interleaved calls after a warm-up. read_table parses "
            "with pyarrow's multithreaded reader (all cores), then checks every column as the C engine would "
            "type it; pandas.read_csv with its defaults uses the C engine on one thread."
        ],
    )


if __name__ == "__main__":
    start = time.perf_counter()
    print(bench_read())
    print(f"{time.perf_counter() - start:.1f} s")

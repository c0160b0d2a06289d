"""Shared pieces of the benchmark suite: result rows, interleaved timing, memory probes, the machine.

Every row is measured side by side with its reference in the same run, repeats interleaved (A, B, A,
B, ...) after a warm-up, and reported as medians.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One line of the results table."""

    name: str
    measured: str  # the absolute figure, with its unit
    reference: str  # the reference's figure, with what it is
    ratio: float | None  # measured / reference (None where there is nothing to compare)
    target: str
    passed: bool | None  # None: not measured, or no target
    notes: list[str] = field(default_factory=list)


def not_available(name: str, target: str, why: str) -> Row:
    return Row(name, "not available", "–", None, target, None, [why])


def interleaved(
    candidates: dict[str, Callable[[], object]],
    repeats: int,
    warmup: int = 1,
    collect: bool = True,
    budget: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds per call of each candidate, called in turn (A, B, A, B, ...) after ``warmup`` rounds.

    ``collect`` runs the garbage collector before every call (costly beside calls of a few ms). With
    ``budget`` (seconds), rounds stop early once it is spent, after at least two measured rounds, so a
    busy machine does not stretch the suite without end; the lists say how many rounds ran. ``clock``
    is wall time by default; ``time.thread_time`` counts only this thread's CPU, which other load on the
    machine barely moves (meaningful when all the work runs on the calling thread).
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    gc.collect()
    started = time.perf_counter()
    for round_ in range(warmup + repeats):
        if budget is not None and round_ >= warmup + 2 and time.perf_counter() - started > budget:
            break
        for name, fn in candidates.items():
            if collect:
                gc.collect()
            start = clock()
            fn()
            elapsed = clock() - start
            if round_ >= warmup:
                times[name].append(elapsed)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- Memory ----------------------------------------------------------------------------------------


def _status_kib(field_name: str, pid: int | str = "self") -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/<pid>/status in KiB (0 where /proc is missing)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_bytes(pid: int | str = "self") -> int:
    return _status_kib("VmRSS", pid) * 1024


def peak_rss_bytes(pid: int | str = "self") -> int:
    """The process's resident-memory high-water mark (VmHWM)."""
    return _status_kib("VmHWM", pid) * 1024


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat), 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0.0


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5); False where refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --- Formatting --------------------------------------------------------------------------------------


def fmt_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    if ratio != 0 and (abs(ratio) < 0.01 or abs(ratio) >= 1000):
        return f"{ratio:.1e}"
    return f"{ratio:.3g}"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    import numpy as np
    import pandas as pd
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    devices = ["cpu"] + [f"cuda:{i} ({torch.cuda.get_device_name(i)})" for i in range(torch.cuda.device_count())]
    if torch.backends.mps.is_available():
        devices.append("mps")
    try:
        import streamlit

        st_version = streamlit.__version__
    except ImportError:
        st_version = "not installed"
    try:
        load = "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "load average unknown"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores (torch threads: {torch.get_num_threads()})",
        "memory": f"{fmt_bytes(memory)}; {load} (1, 5, 15 min) at the end",
        "devices": ", ".join(devices),
        "software": (
            f"Python {platform.python_version()}, torch {torch.__version__}, numpy {np.__version__}, "
            f"pandas {pd.__version__}, streamlit {st_version}"
        ),
        "OS": platform.platform(),
    }


def markdown_table(rows: list[Row], info: dict[str, str], seconds: float, quick: bool) -> str:
    """The results as Markdown: the table, its notes, and the machine."""
    lines = [
        "| row | measured | reference | ratio | target | pass/fail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    notes: list[str] = []
    for row in rows:
        verdict = {True: "pass", False: "**fail**", None: "–"}[row.passed]
        marks = ""
        for note in row.notes:
            notes.append(note)
            marks += f" [{len(notes)}]"
        lines.append(
            f"| {row.name}{marks} | {row.measured} | {row.reference} | {fmt_ratio(row.ratio)} | {row.target} "
            f"| {verdict} |"
        )
    lines.append("")
    lines += [f"{i}. {note}" for i, note in enumerate(notes, 1)]
    lines.append("")
    mode = "quick pass (`--quick`)" if quick else "full run"
    lines.append(f"Machine ({mode}, {seconds:.0f} s in all, {time.strftime('%Y-%m-%d %H:%M')}):")
    lines += [f"- {key}: {value}" for key, value in info.items()]
    return "\n".join(lines) + "\n"

"""Row 6: the streamlit process's peak resident memory through a 1,000,000-row journey.

Chromium uploads a generated CSV, opens the Windows page, then the Train page, starts one epoch and
stops it after a few seconds. The peak (VmHWM, from /proc) is read after each stage, against the
process's memory after the first page. The Predictions page (the model on every window) follows; its
peak is reported beside the row, outside the issue's journey.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.bench_read import write_csv
from benchmarks.browser import ROOT, Server, browser_missing, chromium, new_page, settle
from benchmarks.common import Row, fmt_bytes, fmt_seconds, not_available, peak_rss_bytes, rss_bytes

MEMORY_TARGET = 690e6  # bytes: the smallest Streamlit Community Cloud tier
BEYOND = "(then the Predictions page)"  # measured, outside the journey the target is for


def _journey(browser, server: Server, csv_path: Path, rows: int, train_seconds: float) -> list[tuple[str, int, float]]:
    """Drive Data → upload → Windows → Train (start, stop); (stage, VmHWM after it, seconds) each."""
    stages = []

    def mark(stage: str, started: float) -> None:
        stages.append((stage, peak_rss_bytes(server.process.pid), time.perf_counter() - started))

    started = time.perf_counter()
    page = new_page(browser)
    page.goto(server.url)
    settle(page)
    mark("first Data page", started)
    first_rss = rss_bytes(server.process.pid)
    stages.append(("(resident after the first page)", first_rss, 0.0))

    started = time.perf_counter()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
    page.get_by_test_id("stFileChipName").filter(has_text=csv_path.name).wait_for(timeout=120_000)
    read = page.get_by_text(f"{rows:,} rows").or_(page.get_by_test_id("stAlertContentError"))
    read.first.wait_for(timeout=300_000)  # the chip shows before the upload is read
    if page.get_by_test_id("stAlertContentError").count():
        raise RuntimeError("upload refused: " + page.get_by_test_id("stAlertContentError").first.inner_text()[:300])
    settle(page, timeout=300_000)
    mark("upload + Data page", started)

    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Windows").click()
    page.get_by_role("heading", name="Windows").first.wait_for()
    settle(page, timeout=300_000)
    page.get_by_text(f"T = {rows:,} rows").first.wait_for(timeout=10_000)  # the uploaded series, not a sample
    mark("Windows page", started)

    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train").first.wait_for()
    settle(page, timeout=300_000)
    epochs = page.locator(".st-key-epochs input")  # Streamlit marks a keyed widget's box st-key-<key>
    epochs.fill("1")
    epochs.press("Enter")
    settle(page)
    page.locator(".st-key-train_start button").click()
    page.get_by_test_id("stProgress").first.wait_for(timeout=120_000)
    page.wait_for_timeout(train_seconds * 1e3)
    page.locator(".st-key-train_stop button").click()  # not the header's own "Stop" while running
    settle(page, timeout=300_000)
    mark(f"Train: start, {train_seconds:g} s, stop", started)

    started = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Predictions").click()
    page.locator(".st-key-pred_chart .main-svg").first.wait_for(timeout=300_000)
    settle(page, timeout=300_000)
    mark(BEYOND, started)
    page.close()
    return stages


def bench_memory(rows: int = 1_000_000, train_seconds: float = 5.0, workdir: Path | None = None) -> Row:
    name = f"6. peak server memory, {rows:,}-row journey"
    target = f"< {MEMORY_TARGET / 1e6:.0f} MB"
    if why := browser_missing():
        return not_available(name, target, why)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, chromium() as browser:
        tmp = Path(tmp)
        csv_path = write_csv(tmp / f"sensors_{rows}.csv", rows)
        csv_bytes = csv_path.stat().st_size
        # As on Community Cloud's 690 MB tier, where the memory limit turns the early torch import off
        server = Server(ROOT / "app.py", tmp / "server.log", env={"LSTMLAB_PRELOAD": "0"})
        try:
            server.wait_healthy()
            stages = _journey(browser, server, csv_path, rows, train_seconds)
            stages.append(("(resident at the end)", rss_bytes(server.process.pid), 0.0))
        except Exception as err:  # report how far it got instead of losing the whole table
            log = (tmp / "server.log").read_text()[-600:]
            return Row(name, "failed", "–", None, target, False, [f"the journey failed: {err}. Server log: {log}"])
        finally:
            server.stop()
    peak = max(hwm for stage, hwm, _ in stages if not stage.startswith("("))
    beyond = next(hwm for stage, hwm, _ in stages if stage == BEYOND)
    floor = next(rss for stage, rss, _ in stages if stage.startswith("(resident after"))
    trail = "; ".join(
        f"{stage}: {fmt_bytes(value)}" + (f" in {fmt_seconds(seconds)}" if seconds else "")
        for stage, value, seconds in stages
    )
    return Row(
        name,
        fmt_bytes(peak),
        f"{fmt_bytes(floor)} after the first page",
        peak / floor,
        target,
        peak < MEMORY_TARGET,
        [
            f"VmHWM (peak resident set) of the streamlit process, read from /proc after each stage of a chromium "
            f"journey on a generated {rows:,}-row CSV ({fmt_bytes(csv_bytes)}, time + 7 numbers; "
            f"default window settings, 1 epoch stopped after {train_seconds:g} s). Peak after each stage: {trail}.",
            f"Opening the Predictions page next (the model on all {rows:,} windows, metrics, charts) takes the peak "
            f"to {fmt_bytes(beyond)}, {'under' if beyond < MEMORY_TARGET else 'over'} the target.",
        ],
    )


if __name__ == "__main__":
    start = time.perf_counter()
    print(bench_memory())
    print(f"{time.perf_counter() - start:.1f} s")

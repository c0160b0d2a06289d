"""Row 8: live exploration on the server (AppTest), each against an unchanged rerun of the same page.

- 8a/8b: a what-if edit (Apply a spike, its size alternating so every click changes the window) on the
  What if page, window 48 on pollution.csv, for the default model (H=64, 1 layer) and the largest the
  Train page offers (H=256, 4 layers, bidirectional), against ``at.run()`` with nothing changed;
  interleaved, medians.
- 8c: another session's What-if rerun while one session trains in the background (a thread of the
  same process, as under ``streamlit run``), against the same rerun with no training running: idle,
  training and idle blocks, the idle ones pooled.
"""

from __future__ import annotations

import sys
import time

from benchmarks.browser import ROOT
from benchmarks.common import Row, fmt_seconds, median, not_available

SAMPLE = "pollution.csv"
WINDOW = 48
EDIT_TARGET = 0.3  # seconds, for the default model
RATIO_TARGET = 1.5


def _session(model: dict, epochs: int = 1, max_windows: int = 2_000, sample: str = SAMPLE):
    """An AppTest session on ``sample``, window 48, that trained ``model`` (h_size, n_layers, bidirectional)."""
    from streamlit.testing.v1 import AppTest

    from benchmarks.bench_app import _sample_label
    from lstmlab.config import WindowConfig

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the pages import `pages.common`
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.selectbox(key="sample").set_value(_sample_label(sample)).run()
    at.session_state["window_config"] = WindowConfig(window=WINDOW)
    at.switch_page("pages/train.py").run()
    at.select_slider(key="h_size").set_value(model["h_size"])
    at.number_input(key="n_layers").set_value(model["n_layers"])
    at.checkbox(key="bidirectional").set_value(model["bidirectional"])
    at.number_input(key="epochs").set_value(epochs)
    at.number_input(key="max_windows").set_value(max_windows)
    at.button(key="train_start").click().run()
    return at


def _finish(at) -> None:
    if "background" in at.session_state:  # AppTest's session state has no .get
        at.session_state["background"].training.join()
    at.run()


def _edit_rerun(at, edits: int) -> tuple[float, float]:
    """Medians of (an edit's rerun, an unchanged rerun), interleaved, on the What if page."""
    at.switch_page("pages/whatif.py").run()
    at.number_input(key="whatif_t").set_value(WINDOW // 2)
    for _ in range(3):  # warm-up: the first reruns of a fresh session pay for allocations and lazy imports
        at.button(key="whatif_apply").click().run()
        at.run()
    edit_times, plain_times = [], []
    for k in range(edits):
        at.number_input(key="whatif_size").set_value(10.0 if k % 2 else -10.0)
        start = time.perf_counter()
        at.button(key="whatif_apply").click().run()
        edit_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        at.run()
        plain_times.append(time.perf_counter() - start)
    if at.exception:
        raise RuntimeError(at.exception[0].value[:300])
    return median(edit_times), median(plain_times)


MODELS = (
    ("default model (H=64, 1 layer)", {"h_size": 64, "n_layers": 1, "bidirectional": False}),
    ("largest model (H=256, 4 layers, bidir.)", {"h_size": 256, "n_layers": 4, "bidirectional": True}),
)


def bench_whatif(edits: int = 8, models: tuple = MODELS, sample: str = SAMPLE) -> list[Row]:
    """Rows 8a and 8b (``models``: both by default; the first alone, on a small ``sample``, in the tests)."""
    rows = []
    for letter, (label, model) in zip("ab", models, strict=False):
        name = f"8{letter}. what-if edit rerun, {label} (server, AppTest)"
        target = f"≤ {RATIO_TARGET:g}× and < {EDIT_TARGET * 1e3:.0f} ms" if letter == "a" else f"≤ {RATIO_TARGET:g}×"
        try:
            at = _session(model, sample=sample)
            _finish(at)
            edit, plain = _edit_rerun(at, edits)
        except Exception as err:  # one model that cannot be measured must not hide the other
            rows.append(not_available(name, target, f"{err!r}"[:300]))
            continue
        ok = edit / plain <= RATIO_TARGET and (letter != "a" or edit < EDIT_TARGET)
        rows.append(Row(name, fmt_seconds(edit), f"{fmt_seconds(plain)} unchanged rerun", edit / plain, target, ok, [
            f"{sample}, window {WINDOW}, trained 1 epoch on 2,000 windows (the weights do not change the cost); "
            f"{edits} spikes at step {WINDOW // 2} (Apply, size ±10 alternating) each followed by an `at.run()` "
            "with nothing changed; medians. Both reruns trace both windows, predict and attribute: the edit adds "
            "its check and a fresh grid."]))  # fmt: skip
    return rows


def bench_rerun_while_training(reruns: int = 6, sample: str = SAMPLE) -> Row:
    """Row 8c."""
    name = "8c. another session's page rerun while one trains in the background (server, AppTest)"
    target = f"≤ {RATIO_TARGET:g}×"
    try:
        viewer = _session(MODELS[0][1], sample=sample)
        _finish(viewer)
        viewer.switch_page("pages/whatif.py").run()

        def block() -> list[float]:
            times = []
            for _ in range(reruns):
                start = time.perf_counter()
                viewer.run()
                times.append(time.perf_counter() - start)
            return times

        block()  # warm-up
        idle = block()
        trainer = _session(MODELS[0][1], epochs=1000, max_windows=0, sample=sample)  # trains until stopped
        worker = trainer.session_state["background"].training
        while worker.latest is None and not worker.done:  # past the first epoch: training for real
            time.sleep(0.1)
        busy = block()
        worker.stop()
        worker.join()
        idle += block()
    except Exception as err:
        return not_available(name, target, f"{err!r}"[:300])
    with_training, without = median(busy), median(idle)
    ratio = with_training / without
    return Row(name, fmt_seconds(with_training), f"{fmt_seconds(without)} no training", ratio, target,
               ratio <= RATIO_TARGET, [
                   f"Session B reruns the What if page (default model, {sample}, window {WINDOW}) {reruns} times with "
                   f"no training, {reruns} times while session A trains the default model on every window in a "
                   f"background thread of the same process, then {reruns} more with no training; medians, the idle "
                   "blocks pooled. Training competes for the same cores (torch's threads) and the GIL."])  # fmt: skip


if __name__ == "__main__":
    for row in [*bench_whatif(edits=4), bench_rerun_while_training(reruns=4)]:
        print(row)

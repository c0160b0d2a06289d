"""Row 7: training replay's memory, per epoch and in total, for the default model and the largest the Train page offers.

Every epoch's weights are recorded into a ``Replay`` with the app's budget exactly as training would
(a CPU copy of the ``state_dict`` each epoch), for the default number of epochs and the most the Train
page allows. The bytes it holds are counted from the tensors and checked against the process's
resident-memory growth.
"""

from __future__ import annotations

import gc
import time

from benchmarks.common import Row, fmt_bytes, rss_bytes

FEATURES = 7  # the million-row journey's sensors (bench_memory: time + 7 numbers)
WINDOW = 48
MOST_EPOCHS = 1000  # the Train page's epochs input goes up to 1000


def largest_model_config():
    """The biggest model pages/controls.py lets a learner build: H = 256, 4 layers, bidirectional."""
    from lstmlab.config import ModelConfig

    return ModelConfig(h_size=256, n_layers=4, bidirectional=True)


def replay_memory(model_config, epochs: int, budget: int, features: int = FEATURES) -> dict[str, float]:
    """Record ``epochs`` epochs of a fresh model's weights; bytes per epoch, held, kept epochs, RSS growth."""
    import torch

    from lstmlab.model import SimpleLSTM
    from lstmlab.replay import Replay, cpu_state, state_bytes

    model = SimpleLSTM.from_config(features, WINDOW, 1, model_config, seed=0)
    gc.collect()
    before = rss_bytes()
    replay = Replay(model, budget)
    started = time.perf_counter()
    with torch.no_grad():
        for epoch in range(1, epochs + 1):
            model.linear.bias.add_(1.0)  # a training step stand-in: every epoch's weights differ
            replay.record(epoch, cpu_state(model))
    seconds = time.perf_counter() - started
    gc.collect()
    grown = rss_bytes() - before
    result = {
        "per_epoch": state_bytes(model),
        "held": replay.nbytes,
        "kept": len(replay.epochs),
        "stride": replay.stride,
        "rss_growth": grown,
        "record_seconds": seconds / epochs,
    }
    del replay
    return result


def bench_replay(
    epochs: tuple[int, ...] = (100, MOST_EPOCHS), largest_epochs: tuple[int, ...] = (100,), budget: int | None = None
) -> list[Row]:
    """Rows 7a (default model) and 7b (largest); the largest keeps first + last only, so fewer epochs tell all."""
    from lstmlab.config import ModelConfig, TrainConfig
    from lstmlab.replay import REPLAY_BUDGET_BYTES

    budget = REPLAY_BUDGET_BYTES if budget is None else budget
    default_epochs = TrainConfig().epochs
    rows = []
    models = (
        ("default model (H=64, 1 layer)", ModelConfig(), epochs),
        ("largest model (H=256, 4 layers, bidir.)", largest_model_config(), largest_epochs),
    )
    for letter, (label, config, counts) in zip("ab", models, strict=True):
        runs = {n: replay_memory(config, n, budget) for n in counts}
        first = runs[counts[0]]
        per_epoch, floor = first["per_epoch"], 2 * first["per_epoch"]
        allowed = max(budget, floor)  # first and last stay even when the two alone exceed the budget
        worst = max(run["held"] for run in runs.values())
        detail = "; ".join(
            f"{n} epochs: {fmt_bytes(run['held'])} held, {run['kept']} kept (every {run['stride']}), process grew "
            f"{fmt_bytes(run['rss_growth'])}, {run['record_seconds'] * 1e3:.2f} ms per epoch to copy"
            for n, run in runs.items()
        )
        notes = [
            f"{label}, {FEATURES} features, window {WINDOW}: {fmt_bytes(per_epoch)} per epoch "
            f"(float32 state_dict). {detail}. Default training is {default_epochs} epochs; the Train page allows "
            f"up to {MOST_EPOCHS}."
        ]
        if floor > budget:
            notes.append(
                f"Two epochs of this model ({fmt_bytes(floor)}) exceed the {fmt_bytes(budget)} budget, so the replay "
                "keeps only the first and the last; fit itself already holds about four more copies of the weights "
                "(the last good and the best epoch, Adam's two moments) while it trains."
            )
        rows.append(
            Row(
                f"7{letter}. replay memory, {label}",
                f"{fmt_bytes(per_epoch)}/epoch, {fmt_bytes(worst)} held at most",
                f"budget {fmt_bytes(budget)}",
                worst / budget,
                "≤ budget (or first + last)",
                worst <= allowed,
                notes,
            )
        )
    return rows


if __name__ == "__main__":
    for row in bench_replay():
        print(row)

"""A trained run: the model with everything needed to rebuild its data, and the runs table."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd

from lstmlab.config import DataSpec, ModelConfig, TrainConfig, WindowConfig
from lstmlab.model import SimpleRNN, count_parameters
from lstmlab.train import History
from lstmlab.windows import Scaler


@dataclass
class Run:
    """One training run, kept in the user's session (never in a cache shared between users)."""

    number: int
    source_name: str
    source_digest: str
    data_spec: DataSpec
    window_config: WindowConfig
    model_config: ModelConfig
    train_config: TrainConfig
    columns: tuple[str, ...]  # the series' columns, in the model's feature order
    targets: tuple[int, ...]  # indices into columns
    scaler: Scaler
    model: SimpleRNN
    history: History

    @property
    def label(self) -> str:
        return (
            f"Run {self.number}: H={self.model_config.h_size}, {self.history.epochs_run} epochs on {self.source_name}"
        )

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(self.columns[i] for i in self.targets)


def describe_runs(runs: list[Run]) -> pd.DataFrame:
    """The runs table: settings, best validation loss, time and device, one row per run."""
    rows = []
    for run in runs:
        best = run.history.best_loss
        rows.append(
            {
                "run": run.number,
                "data": run.source_name,
                "targets": ", ".join(run.target_names),
                **{k: v for k, v in asdict(run.window_config).items() if k in ("window", "horizon", "stride")},
                "cell": run.model_config.cell.name,
                "hidden": run.model_config.h_size,
                "layers": run.model_config.n_layers,
                "bidirectional": run.model_config.bidirectional,
                "init": str(run.model_config.init),
                "lr": run.train_config.lr,
                "batch": run.train_config.batch_size,
                "loss": str(run.train_config.loss),
                "epochs": run.history.epochs_run,
                "best val loss": best if math.isfinite(best) else None,
                "best epoch": run.history.best_epoch,
                "seconds": round(run.history.seconds, 2),
                "windows/s": round(run.history.windows_per_second),
                "device": run.history.device,
                "params": count_parameters(run.model),
                "note": run.history.stopped,
            }
        )
    return pd.DataFrame(rows)

"""Training replay: the weights of every epoch, thinned evenly once they outgrow a memory budget.

Each recorded epoch is a CPU copy of the model's ``state_dict``. Past the budget the recorder keeps
every ``stride``-th epoch counted from the first (the stride doubling each time the budget is hit)
plus the latest one, so what survives is evenly spaced and always starts at the first epoch and ends
at the last. The first and the last are kept even when the two alone exceed the budget.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

import torch
from torch import nn

# 16 MB: the million-row journey peaks at ~652 MB against the 690 MB tier, and this is under half of the
# 38 MB left. The default model (H=64, 7 features) is 75 kB an epoch: 100 epochs fit unthinned (7.5 MB).
REPLAY_BUDGET_BYTES = 16_000_000


def cpu_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """A CPU copy of the model's ``state_dict``, sharing no memory with the model."""
    return {name: value.detach().to("cpu", copy=True) for name, value in model.state_dict().items()}


def state_bytes(state: dict[str, torch.Tensor] | nn.Module) -> int:
    """Bytes the tensors of a ``state_dict`` (or of a model's) occupy."""
    tensors = state.state_dict().values() if isinstance(state, nn.Module) else state.values()
    return sum(t.numel() * t.element_size() for t in tensors)


class Replay:
    """Epoch → weights, thread-safe: the training worker records while pages read.

    ``Replay(model)`` records the model's current weights as ``start_epoch`` (0: before training)
    and keeps a CPU copy of the model to rebuild any recorded epoch from.
    """

    def __init__(self, model: nn.Module, budget_bytes: int = REPLAY_BUDGET_BYTES, start_epoch: int = 0) -> None:
        if budget_bytes < 0:
            raise ValueError(f"the replay budget must be at least 0 bytes, got {budget_bytes}.")
        self.budget_bytes = int(budget_bytes)
        self._template = copy.deepcopy(model).cpu().eval()
        self._template.zero_grad(set_to_none=True)  # a copy of the weights, not of old gradients
        self._lock = threading.Lock()
        self._states: dict[int, dict[str, torch.Tensor]] = {}  # epoch → state, oldest first
        self._sizes: dict[int, int] = {}
        self._stride = 1
        self.record(start_epoch, self._template.state_dict())  # shared: the template is never changed

    @property
    def epochs(self) -> list[int]:
        """The recorded epochs still kept, ascending."""
        with self._lock:
            return list(self._states)

    @property
    def nbytes(self) -> int:
        """Bytes of weights held now."""
        with self._lock:
            return sum(self._sizes.values())

    @property
    def stride(self) -> int:
        """Epochs between two kept ones (1 until the budget was first hit)."""
        with self._lock:
            return self._stride

    def record(self, epoch: int, state: dict[str, torch.Tensor]) -> None:
        """Keep ``state`` (a CPU copy nobody changes later) as the weights at the end of ``epoch``."""
        with self._lock:
            kept = list(self._states)
            if kept and epoch <= kept[-1]:
                raise ValueError(f"epoch {epoch} recorded after epoch {kept[-1]}: epochs must increase.")
            if len(kept) >= 2 and (kept[-1] - kept[0]) % self._stride:
                self._drop(kept[-1])  # it was kept only for being the latest
            self._states[epoch] = state
            self._sizes[epoch] = state_bytes(state)
            self._thin()

    def recorder(self, model: nn.Module) -> Callable[[object], None]:
        """An ``on_epoch`` callback for ``fit`` that records ``model``'s weights after every epoch."""

        def on_epoch(report: object) -> None:
            self.record(report.epoch, cpu_state(model))

        return on_epoch

    def state(self, epoch: int) -> dict[str, torch.Tensor]:
        """The weights kept for ``epoch`` (read-only: the same tensors every time)."""
        with self._lock:
            if epoch not in self._states:
                raise KeyError(f"epoch {epoch} is not kept; kept epochs: {list(self._states)}.")
            return self._states[epoch]

    def nearest(self, epoch: int) -> int:
        """The kept epoch closest to ``epoch`` (the earlier one on a tie)."""
        return min(self.epochs, key=lambda kept: (abs(kept - epoch), kept))

    def load(self, epoch: int) -> nn.Module:
        """A new CPU model, in eval mode, holding the weights kept for ``epoch``."""
        model = copy.deepcopy(self._template)
        model.load_state_dict(self.state(epoch))
        return model

    def _drop(self, epoch: int) -> None:
        del self._states[epoch], self._sizes[epoch]

    def _thin(self) -> None:
        """Double the stride until the kept epochs fit the budget (first and last always stay)."""
        while sum(self._sizes.values()) > self.budget_bytes and len(self._states) > 2:
            self._stride *= 2
            kept = list(self._states)
            first = kept[0]
            for epoch in kept[1:-1]:
                if (epoch - first) % self._stride:
                    self._drop(epoch)

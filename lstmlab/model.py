"""The tutorial's SimpleLSTM (nn.LSTM, take the last time step, Linear), with its errors fixed, and its
GRU and plain tanh RNN siblings of the same shape (``SimpleRNN``).

Each fix is an option so the Inspect page can run the tutorial's behaviour beside the correct one:

- initial states: zeros by default; ``InitState.RANDOM`` draws fresh ``torch.randn`` states on every
  call, as the tutorial does, so two calls on the same input disagree;
- the last step is selected with plain indexing, which works on any device (the tutorial builds a CPU
  index tensor for ``index_select``);
- bidirectional: the tutorial reads ``output[:, -1]``, where the backward direction has seen one step
  only. ``Summary.H_N`` joins the forward direction's last step with the backward direction's first
  step, which is exactly the top layer's ``h_n``.

Initial states follow torch's modules: ``(h_0, c_0)`` for an LSTM, ``h_0`` alone for a GRU or an RNN,
each (layers × directions, B, H).
"""

from __future__ import annotations

import torch
from torch import nn

from lstmlab.config import Cell, InitState, ModelConfig, Summary

# Weight matrices per cell: an LSTM has 4 (i, f, g, o), a GRU 3 (r, z, n), a plain RNN 1.
GATE_COUNT = {Cell.LSTM: 4, Cell.GRU: 3, Cell.RNN: 1}
MODULES = {Cell.LSTM: nn.LSTM, Cell.GRU: nn.GRU, Cell.RNN: nn.RNN}
States = tuple[torch.Tensor, torch.Tensor] | torch.Tensor | None


def as_cell(cell: Cell | str) -> Cell:
    """``Cell.GRU``, "GRU", "gru" or the label "RNN (tanh)" → the Cell; anything else is refused."""
    if isinstance(cell, Cell):
        return cell
    text = str(cell)
    for member in Cell:
        if text.upper() == member.name or text == member.value:
            return member
    raise ValueError(f"cell must be one of {[m.name.lower() for m in Cell]}, got {cell!r}.")


class SimpleRNN(nn.Module):
    """``(B, window, F)`` in, ``(B, 1, output_size)`` out: recurrent layer → last step → Linear."""

    def __init__(
        self,
        n_features: int,
        window_size: int,
        output_size: int,
        h_size: int,
        n_layers: int = 1,
        bidirectional: bool = False,
        cell: Cell | str = Cell.LSTM,
        device: torch.device | str | None = None,
        init: InitState = InitState.ZEROS,
        summary: Summary = Summary.H_N,
    ) -> None:
        super().__init__()
        for name, value in (
            ("n_features", n_features),
            ("window_size", window_size),
            ("output_size", output_size),
            ("h_size", h_size),
            ("n_layers", n_layers),
        ):
            if int(value) < 1:
                raise ValueError(f"{name} must be at least 1, got {value}.")
        self.cell = as_cell(cell)
        self.n_features = n_features
        self.window_size = window_size
        self.output_size = output_size
        self.h_size = h_size
        self.n_layers = n_layers
        self.directions = 2 if bidirectional else 1
        self.init = InitState(init)
        self.summary = Summary(summary)
        self.rnn = MODULES[self.cell](
            input_size=n_features,
            hidden_size=h_size,
            num_layers=n_layers,
            bidirectional=bidirectional,
            batch_first=True,
        )
        self.linear = nn.Linear(h_size * self.directions, output_size)
        # Files saved before the cell family name the LSTM's weights lstm.*: read them as rnn.*.
        self.register_load_state_dict_pre_hook(_rename_lstm_keys)
        if device is not None:
            self.to(device)

    @classmethod
    def from_config(
        cls, n_features: int, window_size: int, output_size: int, config: ModelConfig, seed: int | None = None
    ) -> SimpleRNN:
        """Build from a ``ModelConfig`` (its cell included); with ``seed``, the initial weights depend on it alone.

        An LSTM config builds the tutorial's ``SimpleLSTM``.
        """
        if Cell(config.cell) is Cell.LSTM:
            return SimpleLSTM.from_config(n_features, window_size, output_size, config, seed)
        model = SimpleRNN(
            n_features,
            window_size,
            output_size,
            config.h_size,
            config.n_layers,
            config.bidirectional,
            cell=config.cell,
            init=config.init,
            summary=config.summary,
        )
        if seed is not None:
            init_weights(model, torch.Generator().manual_seed(seed))
        return model

    @property
    def lstm(self) -> nn.LSTM:
        """The tutorial's name for the recurrent module, kept for LSTM models."""
        if self.cell is not Cell.LSTM:
            raise AttributeError(f"a {self.cell.name} model has no .lstm; its recurrent module is .rnn.")
        return self.rnn

    @property
    def bidirectional(self) -> bool:
        return self.directions == 2

    @property
    def gates(self) -> int:
        """Weight matrices per layer and direction: 4 (LSTM), 3 (GRU) or 1 (RNN)."""
        return GATE_COUNT[self.cell]

    def initial_states(self, batch_size: int, generator: torch.Generator | None = None) -> States:
        """(h_0, c_0) for an LSTM, h_0 for a GRU or RNN, each (layers × directions, B, H); None for zeros.

        With a (CPU) ``generator`` the draws depend on it alone, the same on every device.
        """
        if self.init is InitState.ZEROS:
            return None
        weight = self.linear.weight
        shape = (self.n_layers * self.directions, batch_size, self.h_size)
        n_states = 2 if self.cell is Cell.LSTM else 1
        if generator is not None:
            draws = tuple(torch.randn(shape, generator=generator, dtype=weight.dtype).to(weight.device)
                          for _ in range(n_states))  # fmt: skip
        else:
            draws = tuple(torch.randn(shape, device=weight.device, dtype=weight.dtype) for _ in range(n_states))
        return draws if n_states == 2 else draws[0]

    def summarize(self, output: torch.Tensor, h_n: torch.Tensor) -> torch.Tensor:
        """The (B, directions × H) vector fed to the Linear layer."""
        if self.summary is Summary.TUTORIAL or self.directions == 1:
            return output[:, -1]  # (B, D*H); for one direction this equals h_n[-1]
        # h_n: (layers*D, B, H); the top layer's forward and backward final states.
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)

    def run_cells(self, x: torch.Tensor, states: States = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The recurrent module alone: output (B, W, D*H) and h_n (L*D, B, H), for any cell."""
        output, final = self.rnn(x, states)
        return output, final[0] if self.cell is Cell.LSTM else final

    def forward(self, x: torch.Tensor, states: States = None) -> torch.Tensor:
        if x.ndim != 3 or x.shape[-1] != self.n_features:
            raise ValueError(f"expected input (batch, window, {self.n_features}), got {tuple(x.shape)}.")
        if states is None:
            states = self.initial_states(x.shape[0])
        output, h_n = self.run_cells(x, states)  # (B, W, D*H), (L*D, B, H)
        last = self.summarize(output, h_n)  # (B, D*H)
        return self.linear(last).unsqueeze(1)  # (B, 1, output_size)


def _rename_lstm_keys(module: SimpleRNN, state_dict: dict, prefix: str, *args: object) -> None:
    if module.cell is not Cell.LSTM:
        return
    old = prefix + "lstm."
    for key in [k for k in state_dict if k.startswith(old)]:
        state_dict[prefix + "rnn." + key[len(old) :]] = state_dict.pop(key)


class SimpleLSTM(SimpleRNN):
    """The tutorial's model: a ``SimpleRNN`` whose cell is the LSTM."""

    def __init__(
        self,
        n_features: int,
        window_size: int,
        output_size: int,
        h_size: int,
        n_layers: int = 1,
        bidirectional: bool = False,
        device: torch.device | str | None = None,
        init: InitState = InitState.ZEROS,
        summary: Summary = Summary.H_N,
    ) -> None:
        super().__init__(
            n_features, window_size, output_size, h_size, n_layers, bidirectional, Cell.LSTM, device, init, summary
        )

    @classmethod
    def from_config(
        cls, n_features: int, window_size: int, output_size: int, config: ModelConfig, seed: int | None = None
    ) -> SimpleLSTM:
        """Build from a ``ModelConfig`` whose cell is the LSTM (``SimpleRNN.from_config`` builds any cell)."""
        if config.cell is not Cell.LSTM:
            raise ValueError(f"SimpleLSTM is the LSTM cell; build a {config.cell.name} with SimpleRNN.from_config.")
        model = cls(n_features, window_size, output_size, config.h_size, config.n_layers, config.bidirectional,
                    init=config.init, summary=config.summary)  # fmt: skip
        if seed is not None:
            init_weights(model, torch.Generator().manual_seed(seed))
        return model


def init_weights(model: nn.Module, generator: torch.Generator) -> None:
    """Redraw every weight as torch's defaults do, from a local generator (no global RNG is touched).

    Recurrent layers: U(-1/sqrt(H), 1/sqrt(H)); Linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
    weight and bias (what kaiming_uniform_ with a=sqrt(5) gives).
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.RNNBase):
                bound = module.hidden_size**-0.5
                params = list(module.parameters())
            elif isinstance(module, nn.Linear):
                bound = module.in_features**-0.5
                params = list(module.parameters())
            else:
                continue
            for p in params:
                cpu = torch.empty(p.shape, dtype=p.dtype).uniform_(-bound, bound, generator=generator)
                p.copy_(cpu)


def count_parameters(model: nn.Module) -> int:
    """All trainable numbers of ``model`` (see ``parameter_formula`` for where they come from)."""
    return sum(p.numel() for p in model.parameters())


def predict(model: SimpleRNN, x: torch.Tensor, horizon: int, batch_size: int = 1024) -> torch.Tensor:
    """Predictions (N, horizon, targets) for windows x (N, W, F), batched, on the model's device, on CPU out."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    # One output tensor filled in place: a small result kept per batch would pin the heap under each
    # batch's transient buffers, and a million windows grew the process by 270 MB that way.
    out = torch.empty(x.shape[0], model.output_size)  # (N, H*K)
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            batch = x[start : start + batch_size].to(device, torch.float32)
            out[start : start + batch.shape[0]] = model(batch).reshape(batch.shape[0], -1).cpu()
    model.train(was_training)
    return out.reshape(x.shape[0], horizon, model.output_size // horizon)  # (N, H, K)


def parameter_formula(
    cell: Cell | str, n_features: int, h_size: int, n_layers: int, bidirectional: bool, output_size: int
) -> dict[str, int]:
    """The parameter count by part, from the cell's equations: gates × (H·(F_l + H) + 2H) per layer and
    direction (F_l the layer's input width), then the Linear layer's (D·H + 1) × outputs."""
    gates, d = GATE_COUNT[as_cell(cell)], 2 if bidirectional else 1
    parts = {}
    for layer in range(n_layers):
        inputs = n_features if layer == 0 else d * h_size
        parts[f"layer {layer}"] = d * gates * (h_size * (inputs + h_size) + 2 * h_size)
    parts["linear"] = (d * h_size + 1) * output_size
    return parts

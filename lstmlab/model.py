"""The tutorial's SimpleLSTM (nn.LSTM, take the last time step, Linear), with its errors fixed.

Each fix is an option so the Inspect page can run the tutorial's behaviour beside the correct one:

- initial states: zeros by default; ``InitState.RANDOM`` draws fresh ``torch.randn`` states on every
  call, as the tutorial does, so two calls on the same input disagree;
- the last step is selected with plain indexing, which works on any device (the tutorial builds a CPU
  index tensor for ``index_select``);
- bidirectional: the tutorial reads ``output[:, -1]``, where the backward direction has seen one step
  only. ``Summary.H_N`` joins the forward direction's last step with the backward direction's first
  step, which is exactly the top layer's ``h_n``.
"""

from __future__ import annotations

import torch
from torch import nn

from lstmlab.config import InitState, ModelConfig, Summary


class SimpleLSTM(nn.Module):
    """``(B, window, F)`` in, ``(B, 1, output_size)`` out, as in the tutorial."""

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
        self.n_features = n_features
        self.window_size = window_size
        self.output_size = output_size
        self.h_size = h_size
        self.n_layers = n_layers
        self.directions = 2 if bidirectional else 1
        self.init = InitState(init)
        self.summary = Summary(summary)
        self.lstm = nn.LSTM(
            input_size=n_features,
            hidden_size=h_size,
            num_layers=n_layers,
            bidirectional=bidirectional,
            batch_first=True,
        )
        self.linear = nn.Linear(h_size * self.directions, output_size)
        if device is not None:
            self.to(device)

    @classmethod
    def from_config(
        cls, n_features: int, window_size: int, output_size: int, config: ModelConfig, seed: int | None = None
    ) -> SimpleLSTM:
        """Build from a ``ModelConfig``; with ``seed``, the initial weights depend on it alone."""
        model = cls(
            n_features,
            window_size,
            output_size,
            config.h_size,
            config.n_layers,
            config.bidirectional,
            init=config.init,
            summary=config.summary,
        )
        if seed is not None:
            init_weights(model, torch.Generator().manual_seed(seed))
        return model

    @property
    def bidirectional(self) -> bool:
        return self.directions == 2

    def initial_states(
        self, batch_size: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(h_0, c_0) of shape (layers × directions, B, H), or None for nn.LSTM's zeros.

        With a (CPU) ``generator`` the draws depend on it alone, the same on every device.
        """
        if self.init is InitState.ZEROS:
            return None
        weight = self.linear.weight
        shape = (self.n_layers * self.directions, batch_size, self.h_size)
        if generator is not None:
            draw = (torch.randn(shape, generator=generator, dtype=weight.dtype) for _ in range(2))
            return tuple(s.to(weight.device) for s in draw)
        return (
            torch.randn(shape, device=weight.device, dtype=weight.dtype),
            torch.randn(shape, device=weight.device, dtype=weight.dtype),
        )

    def summarize(self, output: torch.Tensor, h_n: torch.Tensor) -> torch.Tensor:
        """The (B, directions × H) vector fed to the Linear layer."""
        if self.summary is Summary.TUTORIAL or self.directions == 1:
            return output[:, -1]  # (B, D*H); for one direction this equals h_n[-1]
        # h_n: (layers*D, B, H); the top layer's forward and backward final states.
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)

    def forward(self, x: torch.Tensor, states: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        if x.ndim != 3 or x.shape[-1] != self.n_features:
            raise ValueError(f"expected input (batch, window, {self.n_features}), got {tuple(x.shape)}.")
        if states is None:
            states = self.initial_states(x.shape[0])
        output, (h_n, _) = self.lstm(x, states)  # (B, W, D*H), (L*D, B, H)
        last = self.summarize(output, h_n)  # (B, D*H)
        return self.linear(last).unsqueeze(1)  # (B, 1, output_size)


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
    return sum(p.numel() for p in model.parameters())


def predict(model: SimpleLSTM, x: torch.Tensor, horizon: int, batch_size: int = 1024) -> torch.Tensor:
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

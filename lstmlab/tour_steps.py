"""The tour's nine steps as numbers: each computed on the learner's own series and run.

A step is a function from a ``TourContext`` (the series, its windows and settings, the trained run if
any, the picked window and time step) and the language's words for table headers to ``Numbers``: the
values its text is filled with, the text variant, and the LaTeX lines, table and figure shown beside
it. ``lstmlab.tour`` puts them into words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from lstmlab import errata
from lstmlab.cell_trace import CellTrace
from lstmlab.config import ModelConfig, WindowConfig
from lstmlab.explain import cell_equations, window_labels
from lstmlab.figures.inspect import chain_figure
from lstmlab.figures.tour import forecast_figure
from lstmlab.inspection import gate_terms, traced_indices
from lstmlab.model import SimpleLSTM, count_parameters
from lstmlab.narrate import linear_step, prediction_equations
from lstmlab.prepare import PreparedSeries
from lstmlab.runs import Run
from lstmlab.safetext import visible
from lstmlab.trace import seeded_states, trace_cells
from lstmlab.windows import ScaledSeries, SplitWindows, describe_shapes

SHOWN = 8  # units or values listed in a step's table
FEW = 64  # windows the errata are measured on (the tutorial's batch size)
MAE_WINDOWS = 1024  # windows the prediction step's mean error is measured on, at most


@dataclass(frozen=True)
class TourContext:
    """What the tour is computed on: the learner's series, windows and settings, and their run if any."""

    source_name: str
    series: PreparedSeries
    scaled: ScaledSeries
    config: WindowConfig
    splits: dict[str, SplitWindows]
    model_config: ModelConfig  # the run's, or the Train page's settings before any training
    run: Run | None = None
    sample: int = 0  # the picked window, in ``split``
    t: int | None = None  # the picked time step; None: the last

    @property
    def split(self) -> str:
        """The split the picked window comes from: test, else validation, else train (the first with windows)."""
        return next((s for s in ("test", "validation", "train") if len(self.splits[s])), "train")

    @property
    def windows(self) -> SplitWindows:
        return self.splits[self.split]

    @property
    def index(self) -> int:
        return min(max(self.sample, 0), max(len(self.windows) - 1, 0))

    @property
    def step(self) -> int:
        w = self.config.window
        return w - 1 if self.t is None else min(max(self.t, 0), w - 1)

    @property
    def x(self) -> torch.Tensor:
        return self.windows.x[self.index : self.index + 1]  # (1, W, F)

    def last(self, index: int | slice | np.ndarray) -> np.ndarray | None:
        """The picked split's last target values (original units) of the windows at ``index``: (K,) or (N, K)."""
        return None if self.windows.last is None else self.windows.last[index]

    def states(self, batch: int = 1) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The run's initial states for ``batch`` windows, drawn from its seed (as the Inspect page does)."""
        return seeded_states(self.run.model, batch, self.run.train_config.seed)

    def trace(self) -> CellTrace:
        return trace_cells(self.run.model, self.x, self.states())

    def labels(self) -> list[str]:
        """The picked window's time labels, one per step."""
        return window_labels(self.series.time, int(self.windows.target_rows[self.index]), self.config.window)


@dataclass(frozen=True)
class Numbers:
    """What a step function computes: its numbers, the body text's key, and what it shows beside the text."""

    values: dict
    page: str
    variant: str = "body"
    equations: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None


def _vec(values: np.ndarray, n: int = 4) -> str:
    """The first ``n`` values of a vector as text: "[0.12, -0.5, …]"."""
    shown = ", ".join(f"{v:.3g}" for v in np.asarray(values)[:n])
    return f"[{shown}{', …' if len(values) > n else ''}]"


def tensor_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    rows = describe_shapes(c.scaled, c.config)  # per split: rows T, N and the formula
    by = {r["split"]: r for r in rows}
    train = by["train"]
    w, h, s, f = c.config.window, c.config.horizon, c.config.stride, len(c.series.columns)
    values = dict(name=c.source_name, T=c.series.length, F=f, features=tuple(c.series.columns), W=w, horizon=h,
                  stride=s, K=len(c.series.targets), targets=tuple(c.series.target_names), T_train=train["rows T"],
                  N_train=train["N"], N_val=by["validation"]["N"], N_test=by["test"]["N"])
    equations = (r"N = \left\lfloor \frac{T - W - \text{horizon}}{\text{stride}} \right\rfloor + 1",
                 rf"N_{{\text{{train}}}} = \left\lfloor \frac{{{train['rows T']} - {w} - {h}}}{{{s}}} \right\rfloor"
                 rf" + 1 = {train['N']}",
                 rf"X_{{\text{{train}}}}: [N, W, F] = [{train['N']},\ {w},\ {f}]")
    table = pd.DataFrame(rows).rename(columns={"split": words["split"], "formula": words["formula"]})
    table[words["split"]] = [words[r["split"]] for r in rows]
    return Numbers(values, "windows", equations=equations, table=table)


def lstm_parameters(n_features: int, window: int, outputs: int, config: ModelConfig) -> tuple[int, int]:
    """(nn.LSTM's parameters, the whole model's) for a model built for ``window`` steps."""
    model = SimpleLSTM.from_config(n_features, window, outputs, config)
    return count_parameters(model.lstm), count_parameters(model)


def one_cell_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    f, w, mc = len(c.series.columns), c.config.window, c.model_config
    outputs = c.config.horizon * len(c.series.targets)
    lstm_w, total_w = lstm_parameters(f, w, outputs, mc)
    lstm_2w, total_2w = lstm_parameters(f, 2 * w, outputs, mc)
    hid, d = mc.h_size, 2 if mc.bidirectional else 1
    layer0 = 4 * hid * (f + hid) + 8 * hid  # W_ih (4H, F), W_hh (4H, H), two biases (4H,)
    values = dict(W=w, W2=2 * w, H=hid, F=f, L=mc.n_layers, D=d, lstm_W=lstm_w, lstm_2W=lstm_2w, total_W=total_w,
                  total_2W=total_2w, layer0=layer0, per_step=w * lstm_w)
    equations = (rf"4H(F + H) + 8H = 4 \cdot {hid} \cdot ({f} + {hid}) + 8 \cdot {hid} = {layer0:,}",)
    model = c.run.model if c.run is not None else SimpleLSTM.from_config(f, w, outputs, mc)
    table = pd.DataFrame([{words["parameter"]: n, words["shape"]: str(tuple(p.shape)), words["count"]: p.numel()}
                          for n, p in model.named_parameters()])
    variant = "body" if c.run is not None else "body_settings"
    return Numbers(values, "train", variant=variant, equations=equations, table=table)


def concat_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    cell = c.trace().cell(0, 0, 0, c.step)
    joined = np.concatenate([cell.h_prev, cell.x])  # (H + F,): [h_{t-1}, x_t]
    hid, f = len(cell.h_prev), len(cell.x)
    lstm = c.run.model.lstm
    stacked = torch.cat([lstm.weight_hh_l0, lstm.weight_ih_l0], dim=1).detach().double().numpy()  # (4H, H + F)
    z = stacked @ joined.astype(np.float64)  # (4H,) both weight products at once, biases aside
    terms = gate_terms(c.run.model, 0, 0, cell)  # {gate: (3, H)}: W_i x, W_h h, bias
    split_sum = np.concatenate([terms[g][0] + terms[g][1] for g in ("i", "f", "g", "o")])
    features = [visible(name) for name in c.series.columns[: SHOWN // 2]]  # table cells are plain text
    names = [f"h_(t-1)[{j}]" for j in range(min(hid, SHOWN // 2))] + features
    first = np.concatenate([cell.h_prev[: SHOWN // 2], cell.x[: SHOWN // 2]])
    table = pd.DataFrame({words["entry"]: names, words["value"]: first})
    values = dict(t=c.step, when=c.labels()[c.step], H=hid, F=f, HF=hid + f, H4=4 * hid, h_prev=_vec(cell.h_prev),
                  x=_vec(cell.x), joined=_vec(joined, 6), gap=float(np.abs(z - split_sum).max()))
    equations = (r"z_t = W\,[h_{t-1};\ x_t] + b,\quad W = [W_{hh}\ W_{ih}]: "
                 rf"({4 * hid}, {hid + f}),\ [h_{{t-1}}; x_t]: ({hid + f},),\ z_t: ({4 * hid},)",)
    return Numbers(values, "inspect", equations=equations, table=table)


def gates_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    cell = c.trace().cell(0, 0, 0, c.step)
    units = list(range(min(len(cell.h), SHOWN)))
    table = pd.DataFrame({words["unit"]: units, **{words[f"gate_{g}"]: getattr(cell, g)[units] for g in "ifgo"},
                          "c_t": cell.c[units], "h_t": cell.h[units]})
    values = dict(t=c.step, when=c.labels()[c.step], **{g: float(getattr(cell, g)[0]) for g in "ifgo"},
                  c_prev=float(cell.c_prev[0]), c=float(cell.c[0]), h=float(cell.h[0]))
    equations = tuple(cell_equations(cell, gate_terms(c.run.model, 0, 0, cell), 0))
    return Numbers(values, "inspect", equations=equations, table=table)


def handover_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    tr, w = c.trace(), c.config.window
    t0 = min(c.step, w - 2)  # the hand-over from t0 to t0 + 1; t0 = -1: the initial state into step 0
    after = tr.cell(0, 0, 0, t0 + 1)
    h_out = tr.h0[0, 0, 0].numpy() if t0 < 0 else tr.h[0, 0, 0, t0].numpy()  # (H,)
    c_out = tr.c0[0, 0, 0].numpy() if t0 < 0 else tr.c[0, 0, 0, t0].numpy()
    units = list(range(min(len(h_out), SHOWN)))
    table = pd.DataFrame({words["unit"]: units, f"h (t={t0})": h_out[units],
                          f"h_prev (t={t0 + 1})": after.h_prev[units], f"c (t={t0})": c_out[units],
                          f"c_prev (t={t0 + 1})": after.c_prev[units]})
    gap = float(max(np.abs(h_out - after.h_prev).max(), np.abs(c_out - after.c_prev).max()))
    values = dict(t0=t0, t1=t0 + 1, W=w, h=_vec(h_out), c=_vec(c_out), gap=gap, h_next=_vec(after.h))
    figure = chain_figure(tr.h[0, 0, 0].numpy(), tr.c[0, 0, 0].numpy(), tr.x[0][0].numpy(), t0 + 1, False,
                          c.labels())
    return Numbers(values, "inspect", variant="body" if t0 >= 0 else "body_first", table=table, figure=figure)


def stacking_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    model, tr = c.run.model, c.trace()
    batch = min(c.run.train_config.batch_size, len(c.windows))
    xb = c.windows.x[:batch]  # (B, W, F)
    with torch.no_grad():
        out_one, _ = model.lstm(c.x, c.states())  # (1, W, D*H)
        out_batch, _ = model.lstm(xb, c.states(batch))  # (B, W, D*H)
    d, hid, w = model.directions, model.h_size, c.config.window
    gap = float((tr.output - out_one).abs().max())  # the stacked per-step h against nn.LSTM's output
    values = dict(H=hid, D=d, DH=d * hid, W=w, B=batch, B_train=c.run.train_config.batch_size, L=model.n_layers,
                  t=c.step, gap=gap, one=str((1, d * hid)), window=str(tuple(out_one.shape[1:])),
                  batch=str(tuple(out_batch.shape)))
    equations = (rf"h_t: (1, {d * hid}) \;\xrightarrow{{\text{{stack }} t = 0..{w - 1}}}\; ({w}, {d * hid})"
                 rf"\;\xrightarrow{{\text{{stack }} {batch} \text{{ windows}}}}\; ({batch}, {w}, {d * hid})",)
    return Numbers(values, "inspect", variant="body" if d == 1 else "body_bidirectional", equations=equations)


def linear_numbers(c: TourContext, words: Mapping[str, str]) -> Numbers:
    run = c.run
    step = linear_step(run.model, c.x, run.scaler, run.targets, run.target_names, 0, c.states(), c.last(c.index))
    values = dict(S=len(step.summary), outputs=run.model.output_size, scaled=step.scaled, original=step.original,
                  target=step.name, bias=step.bias, D=run.model.directions, H=run.model.h_size)
    variant = "body" if run.model.directions == 1 else "body_bidirectional"
    return Numbers(values, "inspect", variant=variant, equations=tuple(prediction_equations(step)))


def truth_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    run, windows, horizon = c.run, c.windows, c.config.horizon
    spread = traced_indices(len(windows), MAE_WINDOWS)  # every window of a short split, else evenly spread
    with torch.no_grad():
        one = run.model(c.x, c.states()).reshape(1, horizon, -1)  # (1, horizon, K), scaled
        many = run.model(windows.x[spread], c.states(len(spread))).reshape(len(spread), horizon, -1)
    last, last_many = c.last(c.index), c.last(spread)  # (K,), (N, K) original units
    predicted = run.scaler.inverse(one[0], run.targets, last)  # (horizon, K), original units
    actual = run.scaler.inverse(windows.y[c.index], run.targets, last)
    errors = run.scaler.inverse(many, run.targets, last_many) - run.scaler.inverse(windows.y[spread], run.targets,
                                                                                    last_many)
    pred, true = float(predicted[0, 0]), float(actual[0, 0])
    values = dict(pred=pred, true=true, error=pred - true, split=words[c.split], N=len(windows), n=c.index,
                  mae=float(np.abs(errors[:, 0, 0]).mean()), N_mae=len(spread), name=run.target_names[0])
    stop, w, target = int(windows.target_rows[c.index]), c.config.window, run.targets[0]
    future = window_labels(c.series.time, stop + horizon, horizon)
    figure = forecast_figure(c.labels(), c.series.values[stop - w : stop, target], future, predicted[:, 0],
                             actual[:, 0], run.target_names[0], words)
    return Numbers(values, "predictions", figure=figure)


def errata_step(c: TourContext, words: Mapping[str, str]) -> Numbers:
    run, few = c.run, c.windows.x[:FEW]
    horizon, seed = c.config.horizon, run.train_config.seed
    last = c.last(slice(0, FEW))  # (B, K) original units
    rs = errata.random_initial_states(run.model, few, run.scaler, run.targets, horizon, seed, last)
    bd = errata.bidirectional_summary(run.model, few, run.scaler, run.targets, horizon, seed, last)
    with torch.no_grad():
        output, _ = run.model.lstm(few)  # (B, W, D*H)
        index = torch.tensor([c.config.window - 1])  # the tutorial's index tensor, made on the CPU
        picked = torch.index_select(output, 1, index.to(output.device))[:, 0]  # (B, D*H)
    same = bool(torch.equal(picked, output[:, -1]))
    values = dict(B=len(few), gap_random=float(rs.tutorial_gap.max()), gap_zeros=float(rs.zeros_gap.max()),
                  gap_bidir=float(bd.gap.max()), steps_tutorial=bd.backward_steps_tutorial,
                  steps_corrected=bd.backward_steps_corrected, W=c.config.window, same=words["yes" if same else "no"],
                  init=words[str(run.model_config.init)], name=run.target_names[0])
    variant = "body" if bd.bidirectional else "body_one_direction"
    table = pd.DataFrame([
        {words["mistake"]: words["err_random"], words["difference"]: values["gap_random"]},
        {words["mistake"]: words["err_zeros"], words["difference"]: values["gap_zeros"]},
        {words["mistake"]: words["err_bidir"], words["difference"]: values["gap_bidir"]},
    ])
    return Numbers(values, "inspect", variant=variant, table=table)


STEPS: dict[str, Callable[[TourContext, Mapping[str, str]], Numbers]] = {
    "tensor": tensor_step, "one_cell": one_cell_step, "concat": concat_step, "gates": gates_step,
    "handover": handover_step, "stacking": stacking_step, "linear": linear_numbers, "truth": truth_step,
    "errata": errata_step,
}

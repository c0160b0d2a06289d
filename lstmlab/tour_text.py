# ruff: noqa: E501  (ruff counts each Chinese character as two columns: these lines are short to read)
"""The tour's words, in English and in simplified Chinese: one template per step, filled by ``lstmlab.tour``.

Templates use ``str.format`` fields (``{N_train:,}``); both languages have the same keys and the same
fields, so a number computed once appears in either. The Chinese is written for this app, not translated
word for word, and keeps the code names (``h_n``, ``output[:, -1]``) as they are in PyTorch.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

LANGUAGES = {"en": "English", "zh": "中文"}
STEP_KEYS = ("tensor", "one_cell", "concat", "gates", "handover", "stacking", "linear", "truth", "errata")

EN = {
    "page_title": "Tour",
    "intro": "The tutorial's argument, step by step, on your own data and model: every number below is computed "
             "now, from the series and the run named here.",
    "language": "Language · 语言",
    "picker": "Step",
    "previous": "Previous",
    "next": "Next",
    "sample": "Window shown (0 to {last})",
    "time_step": "Time step t",
    "on_run": "**{name}** · {run} · window {n} of the {split} split",
    "on_data": "**{name}** · no trained model yet: steps 3 to 9 need one",
    "needs_run": "This step runs your trained model on one of your windows, and there is none yet. Train a model "
                 "on the Train page (a few epochs are enough), then come back: the tour keeps your place.",
    "no_windows": "No split has a single window with these settings: shorten the window or the horizon on the "
                  "Windows page.",
    "link.windows": "Go deeper: the Windows page",
    "link.train": "Go deeper: the Train page",
    "link.inspect": "Go deeper: the Inspect page",
    "link.predictions": "Go deeper: the Predictions page",
    "tensor.title": "The table becomes a [batch, window, feature] tensor",
    "tensor.body": "Your table **{name}** has T = {T:,} rows and F = {F} feature column(s) ({features}); the model "
                   "predicts {K} target(s) ({targets}). An LSTM does not read a table: it reads windows. Slide a "
                   "window of W = {W} rows down the series, {stride} row(s) at a time, and keep the {horizon} "
                   "row(s) after each window as its answer. The training split has {T_train:,} rows, so it gives "
                   "N = {N_train:,} windows, and the input tensor is **[N, W, F] = [{N_train:,}, {W}, {F}]**: "
                   "batch, window, feature. Validation gives {N_val:,} windows and test {N_test:,}; each split is "
                   "windowed on its own, so no window reaches into the next split.",
    "one_cell.title": "One cell, applied W times with the same weights",
    "one_cell.body": "The tutorial draws one box per time step, which makes it look as if there were W = {W} "
                     "cells. There is one cell per layer and direction. It is applied {W} times, once per step, "
                     "always with the same weights. The proof is the count: your nn.LSTM has **{lstm_W:,}** "
                     "parameters at W = {W}, and a model built for W = {W2} has **{lstm_2W:,}**, exactly the same. "
                     "The whole model, Linear layer included, has {total_W:,} parameters either way ({total_2W:,} at "
                     "{W2}). If each step had its own cell, this window alone would need {per_step:,}. With H = {H} "
                     "hidden units and F = {F} inputs, layer 0 has 4H(F + H) + 8H = {layer0:,} parameters: four "
                     "gates, each with an input matrix, a recurrent matrix and two bias vectors.",
    "one_cell.body_settings": "The tutorial draws one box per time step, which makes it look as if there were "
                              "W = {W} cells. There is one cell per layer and direction, applied {W} times with the "
                              "same weights. The count shows it, here for the model the Train page's settings would "
                              "build (H = {H}, {L} layer(s)): **{lstm_W:,}** LSTM parameters at W = {W}, and "
                              "**{lstm_2W:,}** at W = {W2}, the same. The whole model has {total_W:,} ({total_2W:,} "
                              "at {W2}). A cell per step would need {per_step:,}. Layer 0 alone: 4H(F + H) + 8H = "
                              "{layer0:,}.",
    "concat.title": "h(t−1) joined with x(t)",
    "concat.body": "At step t = {t} ({when}) the cell reads two vectors: what it remembers, the hidden state "
                   "h(t−1) = {h_prev} with H = {H} values, and the new row of the window, x(t) = {x} with F = {F} "
                   "values. Joined end to end they make one vector of H + F = {HF} values, {joined}. Every gate "
                   "multiplies this joined vector by its own rows of one weight matrix of shape ({H4}, {HF}), which "
                   "PyTorch keeps in two pieces, weight_hh (for h) and weight_ih (for x). Multiplying the joined "
                   "vector once gives the same numbers as the two pieces separately (largest difference "
                   "{gap:.2g}).",
    "gates.title": "The four gates, with this window's numbers",
    "gates.body": "From the joined vector each unit computes four gates:\n\n"
                  "- **input gate i**: how much of the new candidate is written into the cell (0 nothing, 1 all);\n"
                  "- **forget gate f**: how much of the old cell state c(t−1) is kept (0 forgotten, 1 kept whole);\n"
                  "- **cell candidate g**: the new content proposed for the cell, between −1 and 1;\n"
                  "- **output gate o**: how much of the cell, squashed by tanh, goes out as h(t).\n\n"
                  "At t = {t} ({when}), unit 0 has i = {i:.3f}, f = {f:.3f}, g = {g:.3f}, o = {o:.3f}. So the "
                  "cell keeps f · c(t−1) = {f:.3f} × ({c_prev:.3f}) of its old state, adds i · g, and becomes "
                  "c(t) = {c:.3f}; the unit hands on h(t) = o · tanh(c(t)) = {h:.3f}. The equations below put in "
                  "each term; the table lists the first units.",
    "handover.title": "h and c handed on to the next step",
    "handover.body": "What one step produces is exactly what the next step starts from. At t = {t0} the cell "
                     "ends with h = {h} and c = {c}; at t = {t1} the same cell starts from h(t−1) and c(t−1), and "
                     "the table shows they are those values (largest difference {gap:.2g}). From them step {t1} "
                     "makes h = {h_next}. This chain of hand-overs, {W} steps long, is the only way anything from "
                     "early in the window reaches the prediction; the figure shows the chain with step {t1} "
                     "picked.",
    "handover.body_first": "What one step produces is exactly what the next step starts from. The first step has "
                           "no earlier step: it starts from the initial states h0 = {h} and c0 = {c}, and the "
                           "table shows step 0 received them (largest difference {gap:.2g}); it makes "
                           "h = {h_next}. With a window of one step there is no further hand-over.",
    "stacking.title": "The outputs stack: (1, H) → (W, H) → (B, W, H)",
    "stacking.body": "Each step gives one hidden state per window, a vector of H = {H}: for one window it is "
                     "(1, {H}). nn.LSTM keeps every step's h, so for your window of W = {W} steps its output is "
                     "{window}; for a batch of B = {B} windows (training used batches of {B_train}) it is **{batch}**, the tutorial's "
                     "(batch, window, n_hidden). The stacked step-by-step values equal nn.LSTM's own output "
                     "(largest difference {gap:.2g}). With {L} layer(s), this is the top layer's h.",
    "stacking.body_bidirectional": "Each step gives one hidden state per window and direction; a bidirectional "
                                   "LSTM joins the two, so one step is {one} (2 × H = {DH}). Stacked over the W = "
                                   "{W} steps of your window it is {window}; over a batch of B = {B} windows (training used {B_train}) it is "
                                   "**{batch}**. The stacked step-by-step values equal nn.LSTM's output (largest "
                                   "difference {gap:.2g}). With {L} layer(s), this is the top layer's h.",
    "linear.title": "The last step goes into the Linear layer",
    "linear.body": "Of the whole (B, W, H) output the model keeps one row per window: the last step's h, "
                   "`output[:, -1]`, {S} numbers (for one direction it equals the top layer's `h_n`). That is "
                   "everything the model remembers of the window. The Linear layer turns it into {outputs} "
                   "output(s): each is a weighted sum of the {S} numbers plus a bias ({bias:.4g}). For {target} it "
                   "gives {scaled:.4g} in scaled units, {original:.4g} in the data's units once the scaling is "
                   "undone; the three largest terms are written out below.",
    "linear.body_bidirectional": "A bidirectional model keeps one vector of {S} numbers per window: the forward "
                                 "half after the last step and the backward half, which reads the window from the "
                                 "end (see step 9 for which step it should be taken at). The Linear layer turns it "
                                 "into {outputs} output(s), a weighted sum plus a bias ({bias:.4g}): for {target} "
                                 "{scaled:.4g} scaled, {original:.4g} in the data's units.",
    "truth.title": "The prediction against the truth",
    "truth.body": "For window {n} of the {split} split the model predicts **{pred:.4g}** {name}; the value that "
                  "really followed is **{true:.4g}**, an error of {error:+.4g}. One window says little: over "
                  "{N_mae:,} of the split's {N:,} windows (evenly spread) the mean absolute error is {mae:.4g}. The Predictions "
                  "page puts this against two baselines that need no model.",
    "errata.title": "The tutorial's own mistakes, measured on your model",
    "errata.body": "**Random initial states.** The tutorial starts each call from fresh `torch.randn` states, so "
                   "the same window gets a different prediction every time: on {B} of your windows two calls differ "
                   "by up to **{gap_random:.4g}** {name}. Zero states give the same answer twice (difference "
                   "{gap_zeros:.2g}). The longer the window, the more of a random start the cell has forgotten by "
                   "the last step. This run starts from: {init}.\n\n"
                   "**The bidirectional last step.** The tutorial reads `output[:, -1]`. In a bidirectional LSTM "
                   "the backward half of that row has run {steps_tutorial} step(s), not {steps_corrected}; `h_n` "
                   "holds it after the whole window. On these windows the two choices' predictions differ by up to "
                   "{gap_bidir:.4g} {name}.\n\n"
                   "**The CPU index.** To pick the last step the tutorial calls `index_select` with an index tensor "
                   "made on the CPU. That works while everything is on the CPU (here it picks the same numbers as "
                   "`output[:, -1]`: {same}), but on a GPU the output lives on the device and the index does not, "
                   "and PyTorch stops with a device-mismatch error. This app indexes with `output[:, -1]`, which "
                   "works on any device.",
    "errata.body_one_direction": "**Random initial states.** The tutorial starts each call from fresh "
                                 "`torch.randn` states, so the same window gets a different prediction every time: "
                                 "on {B} of your windows two calls differ by up to **{gap_random:.4g}** {name}. Zero "
                                 "states give the same answer twice (difference {gap_zeros:.2g}). The longer the "
                                 "window, the more of a random start the cell has forgotten by the last step. This "
                                 "run starts from: {init}.\n\n"
                                 "**The bidirectional last step.** The tutorial reads `output[:, -1]`. Your model "
                                 "runs one direction, so that row is `h_n` and the predictions agree (difference "
                                 "{gap_bidir:.4g}). In a bidirectional model the backward half of `output[:, -1]` "
                                 "would have run 1 step instead of {W}: train one with Bidirectional ticked to see "
                                 "it.\n\n"
                                 "**The CPU index.** To pick the last step the tutorial calls `index_select` with "
                                 "an index tensor made on the CPU. That works while everything is on the CPU (here "
                                 "it picks the same numbers as `output[:, -1]`: {same}), but on a GPU the output "
                                 "lives on the device and the index does not, and PyTorch stops with a "
                                 "device-mismatch error. This app indexes with `output[:, -1]`, which works on any "
                                 "device.",
    "words": {
        "split": "split", "formula": "formula", "parameter": "parameter", "shape": "shape", "count": "count",
        "entry": "entry", "value": "value", "unit": "unit", "gate_i": "input gate i", "gate_f": "forget gate f",
        "gate_g": "cell candidate g", "gate_o": "output gate o", "train": "training", "validation": "validation",
        "test": "test", "yes": "yes", "no": "no", "mistake": "what is compared", "difference": "largest difference",
        "err_random": "two calls, random initial states (tutorial)", "err_zeros": "two calls, zero initial states",
        "err_bidir": "output[:, -1] against h_n", "history": "the window (input)", "predicted": "predicted",
        "actual": "actual", "time": "time", "zeros": "zeros (the default here)",
        "random (tutorial)": "random, as in the tutorial",
    },
}

ZH = {
    "page_title": "导览",
    "intro": "按教程的思路一步步走，但用的是你自己的数据和模型：下面每个数字都是此刻根据这里写明的序列和训练结果现算出来的。",
    "language": "Language · 语言",
    "picker": "步骤",
    "previous": "上一步",
    "next": "下一步",
    "sample": "展示的窗口（0 到 {last}）",
    "time_step": "时间步 t",
    "on_run": "**{name}** · {run} · {split}集中的第 {n} 个窗口",
    "on_data": "**{name}** · 还没有训练好的模型：第 3 到第 9 步需要它",
    "needs_run": "这一步要把你训练好的模型用在你的一个窗口上，但目前还没有模型。请先到“训练”页训练一个（几个 epoch 就够），"
                 "再回到这里：导览会记住你看到哪一步。",
    "no_windows": "按当前设置，没有任何一个数据集划分能切出哪怕一个窗口：请到“窗口”页把窗口或预测步长调短。",
    "link.windows": "深入了解：窗口页",
    "link.train": "深入了解：训练页",
    "link.inspect": "深入了解：检视页",
    "link.predictions": "深入了解：预测页",
    "tensor.title": "表格变成 [batch, window, feature] 张量",
    "tensor.body": "你的表格 **{name}** 有 T = {T:,} 行、F = {F} 个特征列（{features}），模型要预测 {K} 个目标"
                   "（{targets}）。LSTM 读的不是表格，而是窗口：让长度 W = {W} 行的窗口沿序列向下滑动，每次移动 {stride} "
                   "行，并把每个窗口之后的 {horizon} 行作为它的答案。训练集有 {T_train:,} 行，因此得到 N = {N_train:,} "
                   "个窗口，输入张量就是 **[N, W, F] = [{N_train:,}, {W}, {F}]**，即 batch、window、feature。验证集得到 "
                   "{N_val:,} 个窗口，测试集 {N_test:,} 个；每个划分各自切窗口，所以没有窗口会跨进下一个划分。",
    "one_cell.title": "同一个单元，用同一组权重执行 W 次",
    "one_cell.body": "教程为每个时间步画一个方框，看上去像是有 W = {W} 个单元。其实每一层、每个方向只有一个单元，它在每个时间步"
                     "各执行一次，共 {W} 次，用的始终是同一组权重。参数个数就是证据：W = {W} 时你的 nn.LSTM 有 "
                     "**{lstm_W:,}** 个参数，为 W = {W2} 构建的模型有 **{lstm_2W:,}** 个，一个不差。连同线性层，整个模型"
                     "无论哪种窗口都是 {total_W:,} 个参数（W = {W2} 时 {total_2W:,} 个）。假如每个时间步都有自己的单元，"
                     "光这个窗口就需要 {per_step:,} 个。隐藏单元数 H = {H}、输入数 F = {F} 时，第 0 层有 4H(F + H) + 8H = "
                     "{layer0:,} 个参数：四个门，每个门有一个输入矩阵、一个循环矩阵和两个偏置向量。",
    "one_cell.body_settings": "教程为每个时间步画一个方框，看上去像是有 W = {W} 个单元。其实每一层、每个方向只有一个单元，"
                              "用同一组权重执行 {W} 次。参数个数可以证明这一点，这里用的是“训练”页当前设置会构建的模型"
                              "（H = {H}，{L} 层）：W = {W} 时 LSTM 有 **{lstm_W:,}** 个参数，W = {W2} 时有 "
                              "**{lstm_2W:,}** 个，完全相同。整个模型有 {total_W:,} 个（W = {W2} 时 {total_2W:,} 个）。"
                              "若每个时间步一个单元，则需要 {per_step:,} 个。仅第 0 层：4H(F + H) + 8H = {layer0:,}。",
    "concat.title": "h(t−1) 与 x(t) 拼接",
    "concat.body": "在第 t = {t} 步（{when}），单元读入两个向量：一个是它记住的东西，即隐藏状态 h(t−1) = {h_prev}，共 H = {H} "
                   "个值；另一个是窗口中新的一行 x(t) = {x}，共 F = {F} 个值。两者首尾相接，得到一个 H + F = {HF} 维的"
                   "向量 {joined}。每个门都用同一个形状为 ({H4}, {HF}) 的权重矩阵中属于自己的那几行去乘这个拼接向量；"
                   "PyTorch 把这个矩阵分成两块保存：weight_hh（乘 h）和 weight_ih（乘 x）。对拼接向量乘一次，与两块分别"
                   "相乘再相加，结果相同（最大差异 {gap:.2g}）。",
    "gates.title": "四个门，以及这个窗口的具体数值",
    "gates.body": "每个单元由拼接向量算出四个门：\n\n"
                  "- **输入门 i**：新的候选内容有多少写入细胞状态（0 一点不写，1 全部写入）；\n"
                  "- **遗忘门 f**：旧的细胞状态 c(t−1) 保留多少（0 全部忘掉，1 完整保留）；\n"
                  "- **候选值 g**：提议写入细胞的新内容，取值在 −1 和 1 之间；\n"
                  "- **输出门 o**：细胞状态经 tanh 压缩后，有多少作为 h(t) 输出。\n\n"
                  "在 t = {t}（{when}），第 0 个单元的 i = {i:.3f}，f = {f:.3f}，g = {g:.3f}，o = {o:.3f}。于是细胞保留"
                  "旧状态的 f · c(t−1) = {f:.3f} × ({c_prev:.3f})，再加上 i · g，得到 c(t) = {c:.3f}；这个单元向下传递 "
                  "h(t) = o · tanh(c(t)) = {h:.3f}。下面的公式代入了每一项，表格列出前几个单元。",
    "handover.title": "h 和 c 传给下一步",
    "handover.body": "一步的产出正是下一步的起点。在 t = {t0}，单元结束时 h = {h}、c = {c}；在 t = {t1}，同一个单元从 "
                     "h(t−1) 和 c(t−1) 出发，表格显示它们正是上面这些值（最大差异 {gap:.2g}）。第 {t1} 步由此算出 "
                     "h = {h_next}。窗口开头的信息只能沿着这条长 {W} 步的传递链到达预测；图中标出了第 {t1} 步。",
    "handover.body_first": "一步的产出正是下一步的起点。第一步之前没有别的步：它从初始状态 h0 = {h}、c0 = {c} 出发，表格"
                           "显示第 0 步收到的正是它们（最大差异 {gap:.2g}），并算出 h = {h_next}。窗口只有一步时，不再有"
                           "后续的传递。",
    "stacking.title": "输出逐层堆叠：(1, H) → (W, H) → (B, W, H)",
    "stacking.body": "每一步为每个窗口给出一个隐藏状态，即 H = {H} 维的向量：对一个窗口来说是 (1, {H})。nn.LSTM 保留"
                     "每一步的 h，所以对你这个 W = {W} 步的窗口，输出是 {window}；对一个 B = {B} 个窗口的批次（训练时每批 {B_train} "
                     "个），输出是 **{batch}**，也就是教程里的 (batch, window, n_hidden)。逐步算出再堆起来的值与 "
                     "nn.LSTM 自己的输出一致（最大差异 {gap:.2g}）。模型有 {L} 层时，这里是最上面一层的 h。",
    "stacking.body_bidirectional": "每一步为每个窗口、每个方向给出一个隐藏状态；双向 LSTM 把两个方向拼在一起，所以一步是 "
                                   "{one}（2 × H = {DH}）。在你这个窗口的 W = {W} 步上堆叠得到 {window}；在 B = {B} "
                                   "个窗口的批次（训练时每批 {B_train} 个）上得到 **{batch}**。逐步算出再堆起来的值与 nn.LSTM 的输出一致（最大差异 "
                                   "{gap:.2g}）。模型有 {L} 层时，这里是最上面一层的 h。",
    "linear.title": "最后一步送入线性层",
    "linear.body": "在整个 (B, W, H) 输出中，模型对每个窗口只保留一行：最后一步的 h，即 `output[:, -1]`，共 {S} 个数"
                   "（单向时它等于最上层的 `h_n`）。模型对这个窗口记住的全部内容就是它。线性层把它变成 {outputs} 个输出："
                   "每个输出是这 {S} 个数的加权和再加上偏置（{bias:.4g}）。对 {target}，缩放后的值是 {scaled:.4g}，"
                   "撤销缩放后回到数据本身的单位是 {original:.4g}；下面写出了贡献最大的三项。",
    "linear.body_bidirectional": "双向模型为每个窗口保留一个 {S} 维向量：前向一半取最后一步之后的状态，后向一半从窗口末尾"
                                 "往前读（应在哪一步取它，见第 9 步）。线性层把它变成 {outputs} 个输出，即加权和再加偏置"
                                 "（{bias:.4g}）：对 {target}，缩放后是 {scaled:.4g}，数据单位下是 {original:.4g}。",
    "truth.title": "预测与真实值对照",
    "truth.body": "对{split}集的第 {n} 个窗口，模型预测 {name} 为 **{pred:.4g}**；实际紧随其后的值是 **{true:.4g}**，"
                  "误差 {error:+.4g}。单个窗口说明不了多少：在该划分 {N:,} 个窗口中均匀选取的 {N_mae:,} 个上，平均绝对误差是 "
                  "{mae:.4g}。“预测”页会把它与两个不需要模型的基线方法对比。",
    "errata.title": "教程自身的错误，在你的模型上实测",
    "errata.body": "**随机初始状态。** 教程每次调用都从新的 `torch.randn` 状态开始，所以同一个窗口每次得到的预测都不同："
                   "在你的 {B} 个窗口上，两次调用最多相差 **{gap_random:.4g}**（{name}）。零初始状态两次给出同样的结果"
                   "（差异 {gap_zeros:.2g}）。窗口越长，到最后一步时单元对随机起点忘得越多。本次训练的初始状态：{init}。\n\n"
                   "**双向模型的最后一步。** 教程读取 `output[:, -1]`。在双向 LSTM 中，这一行的后向一半只运行了 "
                   "{steps_tutorial} 步，而不是 {steps_corrected} 步；`h_n` 保存的才是它读完整个窗口后的状态。在这些"
                   "窗口上，两种取法的预测最多相差 {gap_bidir:.4g}（{name}）。\n\n"
                   "**CPU 上的索引。** 为了取最后一步，教程用一个在 CPU 上创建的索引张量调用 `index_select`。只要一切都"
                   "在 CPU 上，这样做没有问题（这里它取到的数与 `output[:, -1]` 相同：{same}）；但在 GPU 上，输出在显卡上"
                   "而索引不在，PyTorch 会报设备不一致的错误并停止。本应用改用 `output[:, -1]` 索引，在任何设备上都能运行。",
    "errata.body_one_direction": "**随机初始状态。** 教程每次调用都从新的 `torch.randn` 状态开始，所以同一个窗口每次得到的"
                                 "预测都不同：在你的 {B} 个窗口上，两次调用最多相差 **{gap_random:.4g}**（{name}）。零初始"
                                 "状态两次给出同样的结果（差异 {gap_zeros:.2g}）。窗口越长，到最后一步时单元对随机起点忘得越多。本次训练的初始状态：{init}。\n\n"
                                 "**双向模型的最后一步。** 教程读取 `output[:, -1]`。你的模型是单向的，这一行就是 `h_n`，"
                                 "两种取法的预测一致（差异 {gap_bidir:.4g}）。在双向模型中，`output[:, -1]` 的后向一半只"
                                 "运行 1 步而不是 {W} 步：勾选“Bidirectional”训练一个模型就能看到。\n\n"
                                 "**CPU 上的索引。** 为了取最后一步，教程用一个在 CPU 上创建的索引张量调用 `index_select`。"
                                 "只要一切都在 CPU 上，这样做没有问题（这里它取到的数与 `output[:, -1]` 相同：{same}）；但"
                                 "在 GPU 上，输出在显卡上而索引不在，PyTorch 会报设备不一致的错误并停止。本应用改用 "
                                 "`output[:, -1]` 索引，在任何设备上都能运行。",
    "words": {
        "split": "划分", "formula": "公式", "parameter": "参数", "shape": "形状", "count": "个数", "entry": "分量",
        "value": "值", "unit": "单元", "gate_i": "输入门 i", "gate_f": "遗忘门 f", "gate_g": "候选值 g",
        "gate_o": "输出门 o", "train": "训练", "validation": "验证", "test": "测试", "yes": "是", "no": "否",
        "mistake": "比较的内容", "difference": "最大差异", "err_random": "两次调用，随机初始状态（教程）",
        "err_zeros": "两次调用，零初始状态", "err_bidir": "output[:, -1] 与 h_n", "history": "窗口（输入）",
        "predicted": "预测值", "actual": "真实值", "time": "时间", "zeros": "全零（本应用的默认）",
        "random (tutorial)": "随机（和教程一样）",
    },
}

TEXTS: dict[str, dict] = {"en": EN, "zh": ZH}


def fields(template: str) -> set[str]:
    """The names of a template's ``str.format`` fields."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def fill(template: str, values: Mapping[str, object]) -> str:
    """The template with its fields filled (a missing value raises ``KeyError``: a step forgot a number)."""
    return template.format(**values)

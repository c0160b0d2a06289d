"""The What-if figures: the untouched values ghosted under the edited ones, exactly as given, the edit shaded."""

import numpy as np

from lstmlab.cell_trace import GATES
from lstmlab.figures import whatif as fw


def test_window_and_prediction_are_drawn_as_given_after_the_window():
    original = np.array([1.0, 2.0, 3.0, 4.0])
    edited = original.copy()
    edited[2] = 9.0
    fig = fw.window_prediction_figure(original, edited, np.array([5.0, 6.0]), np.array([7.0, 8.0]),
                                      ["a", "b", "c", "d"], "y", first_changed=2)
    untouched, changed, pred_before, pred_after = fig.data
    assert list(untouched.y) == [1, 2, 3, 4] and list(changed.y) == [1, 2, 9, 4]
    assert list(pred_before.x) == [4, 5] and list(pred_after.y) == [7, 8]  # the steps after the window
    assert untouched.line.dash == "dash" and "120,120,120" in untouched.line.color  # ghosted
    assert list(fig.layout.xaxis.ticktext) == ["a", "b", "c", "d", "+1", "+2"]
    (shade,) = fig.layout.shapes
    assert (shade.x0, shade.x1) == (1.5, 3.5)  # from the edited step to the window's end


def test_untouched_window_has_no_shading():
    fig = fw.window_prediction_figure(np.ones(3), np.ones(3), np.ones(1), np.ones(1), ["a", "b", "c"], "y")
    assert not fig.layout.shapes


def test_states_show_one_unit_before_and_after():
    rng = np.random.default_rng(0)
    before = {"h": rng.standard_normal((5, 3)), "c": rng.standard_normal((5, 3))}  # (W, H)
    after = {k: v + 1 for k, v in before.items()}
    fig = fw.states_figure(before, after, unit=2, first_changed=1)
    h0, h1, c0, c1 = fig.data
    assert np.array_equal(h0.y, before["h"][:, 2]) and np.array_equal(h1.y, after["h"][:, 2])
    assert np.array_equal(c0.y, before["c"][:, 2]) and np.array_equal(c1.y, after["c"][:, 2])
    assert len(fig.layout.shapes) == 2  # one shaded span per panel


def test_gates_show_the_chosen_units_of_all_four_gates():
    before = {g: np.linspace(0, 1, 20) for g in GATES}  # (H,)
    after = {g: np.linspace(1, 0, 20) for g in GATES}
    fig = fw.gates_figure(before, after, range(4, 8))
    assert len(fig.data) == 8 and all(list(bar.x) == [4, 5, 6, 7] for bar in fig.data)
    assert np.allclose(fig.data[1].y, after["i"][4:8]) and fig.layout.barmode == "group"

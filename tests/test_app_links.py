"""Shareable links in the app: settings → URL → a fresh session with the same settings; hostile links warn."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lstmlab.config import Cell, Optimizer
from tests.app_support import APP
from tests.hostile_checks import rendered


def fresh(params: dict[str, str]) -> AppTest:
    """A new session opened on a link: the app's first run with these query parameters."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_link_round_trip_reopens_the_same_settings():
    link = {"src": "sample:daily-min-temperatures.csv", "window.window": "30", "window.horizon": "2",
            "model.cell": "GRU", "model.h_size": "32", "model.n_layers": "2", "train.epochs": "7",
            "train.optimizer": "SGD", "train.lr": "0.05", "inspect.layer": "1"}
    at = fresh(link)
    assert not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="sample").value.startswith("Melbourne")
    written = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    for key, value in link.items():
        assert written[key] == value, key  # the app writes the same settings back into the address
    again = fresh(written)  # the written link, opened in another session
    again.switch_page("pages/windows.py").run()
    assert (again.number_input(key="window").value, again.number_input(key="horizon").value) == (30, 2)
    again.switch_page("pages/train.py").run()
    assert again.selectbox(key="cell").value == Cell.GRU
    assert again.select_slider(key="h_size").value == 32
    assert again.number_input(key="n_layers").value == 2
    assert again.number_input(key="epochs").value == 7
    assert again.selectbox(key="optimizer").value == Optimizer.SGD
    assert again.number_input(key="lr").value == 0.05
    assert again.session_state["inspect_layer"] == 1


def test_a_hostile_link_falls_back_to_defaults_with_warnings():
    at = fresh({"src": "sample:../../etc/passwd", "window.window": "-3", "model.h_size": "5",
                "model.cell": "TRANSFORMER", "train.lr": "nan", "train.device": "cuda:7", "bogus": "1" * 50,
                "window.val_fraction": "0.6", "data.targets": "[[["})
    warnings = " ".join(rendered(w.value) for w in at.warning)
    for part in ("data source", "window.window", "model.cell", "train.lr", "bogus", "h_size = 5", "data.targets"):
        assert part in warnings, part
    assert at.selectbox(key="sample").value.startswith("Airline")
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="h_size").value == 64 and at.selectbox(key="cell").value == Cell.LSTM


def test_a_link_to_an_upload_asks_for_the_file():
    at = fresh({"src": "upload:my-sales.csv", "window.window": "6"})
    assert any("my-sales.csv" in rendered(i.value) for i in at.info)
    assert at.session_state["window_config"].window == 6

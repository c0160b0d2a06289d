"""The screenshot command's settings name what the app offers: its samples, a window each series can take."""

from importlib import resources

from benchmarks.screenshots import SIZES
from lstmlab.data import read_table
from pages.common.state import SAMPLES


def test_each_size_uses_a_builtin_sample_with_room_for_its_window():
    assert {size.window for size in SIZES.values()} == {4, 52}
    for size in SIZES.values():
        name = SAMPLES[size.sample]  # the Data page's label for the file
        table = read_table(resources.files("lstmlab").joinpath("samples", name).read_bytes(), name)
        assert len(table) > 3 * size.window
    pollution = SIZES["window52"].sample
    assert SAMPLES[pollution] == "pollution.csv"
    assert read_table(resources.files("lstmlab").joinpath("samples", "pollution.csv").read_bytes(),
                      "pollution.csv").shape[1] == 13  # the 13-column table of the issue

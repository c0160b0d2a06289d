"""One home for the library's errors; the modules that raise them and older imports name the same classes."""

import pytest

from lstmlab import data, errors, model_format, persist, prepare, timeaxis


def test_every_module_raises_the_classes_of_lstmlab_errors():
    assert data.DataError is prepare.DataError is timeaxis.DataError is errors.DataError
    assert data.TooLargeError is errors.TooLargeError
    assert persist.ModelFileError is model_format.ModelFileError is errors.ModelFileError
    assert issubclass(errors.TooLargeError, errors.DataError)
    assert issubclass(errors.DataError, ValueError) and issubclass(errors.ModelFileError, ValueError)


def test_the_readers_errors_are_caught_by_the_shared_class():
    with pytest.raises(errors.DataError, match="is empty"):
        data.read_table(b"", "empty.csv")
    with pytest.raises(errors.ModelFileError, match="too short"):
        model_format.check_weights(b"abc", {})
    assert errors.TooLargeError("too big", fits_rows=45).fits_rows == 45

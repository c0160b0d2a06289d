"""The errors the library raises for input a user can fix: each message says what is wrong and what to do."""

from __future__ import annotations


class DataError(ValueError):
    """Input that cannot be used; the message says what is wrong and what to do."""


class TooLargeError(DataError):
    """A table too large to hold; ``fits_rows`` recent rows would fit (0 when that cannot help)."""

    def __init__(self, message: str, fits_rows: int = 0) -> None:
        super().__init__(message)
        self.fits_rows = fits_rows


class ModelFileError(ValueError):
    """A model file that cannot be used, with the reason in words."""

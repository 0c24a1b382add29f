"""Vectorised window arithmetic over many series stored back to back in one flat array.

The tidy table holds one series per (source, region), sorted by date and daily without gaps.
:class:`Series` records where each series starts, so that shifts and rolling sums run over the
whole array at once, never across the border between two series, with no per-region loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Series", "to_floats"]

Floats = npt.NDArray[np.float64]


def to_floats(values: Any) -> Floats:
    """Numbers (nullable integers included) as a float array, missing values as NaN.

    >>> to_floats(pd.array([1, None], dtype="Int64")).tolist()
    [1.0, nan]
    """
    series = pd.Series(values).astype("Float64")
    return np.asarray(
        series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )


@dataclass(frozen=True)
class Series:
    """Where each series of a flat array starts: ``pos`` is the day number within its series
    (0 on its first day) and ``remaining`` the number of days that follow it in the series."""

    pos: npt.NDArray[np.int64]
    remaining: npt.NDArray[np.int64]

    @classmethod
    def from_keys(cls, keys: npt.ArrayLike) -> Series:
        """Series from a key per row (rows of one series consecutive, in date order).

        >>> s = Series.from_keys(["a", "a", "a", "b", "b"])
        >>> s.pos.tolist(), s.remaining.tolist()
        ([0, 1, 2, 0, 1], [2, 1, 0, 1, 0])
        """
        keys = np.asarray(keys)
        n = len(keys)
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty)
        start = np.ones(n, dtype=bool)
        start[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(start)
        lengths = np.diff(np.append(starts, n))
        first = np.repeat(starts, lengths)
        pos = np.arange(n, dtype=np.int64) - first
        remaining = np.repeat(lengths, lengths) - pos - 1
        return cls(pos, remaining.astype(np.int64))

    @classmethod
    def single(cls, n: int) -> Series:
        """One series of ``n`` days."""
        return cls.from_keys(np.zeros(n, dtype=np.int8))

    def shift(self, values: Floats, days: int) -> Floats:
        """The value ``days`` earlier in the same series (later for negative ``days``); NaN
        where that day is outside the series.

        >>> s = Series.from_keys([0, 0, 0, 1, 1])
        >>> s.shift(np.array([1.0, 2, 3, 4, 5]), 1).tolist()
        [nan, 1.0, 2.0, nan, 4.0]
        >>> s.shift(np.array([1.0, 2, 3, 4, 5]), -1).tolist()
        [2.0, 3.0, nan, 5.0, nan]
        """
        out = np.full(len(values), np.nan)
        if days == 0:
            return values.astype(np.float64, copy=True)
        if days > 0:
            out[days:] = values[:-days]
            out[self.pos < days] = np.nan
        else:
            out[:days] = values[-days:]
            out[self.remaining < -days] = np.nan
        return out

    def rolling_sum(self, values: Floats, window: int) -> Floats:
        """Sum of the ``window`` days ending on each day; NaN without a full window or when a
        day in it is missing.

        >>> s = Series.from_keys([0, 0, 0, 1, 1, 1])
        >>> s.rolling_sum(np.array([1.0, 2, 3, 4, np.nan, 6]), 2).tolist()
        [nan, 3.0, 5.0, nan, nan, nan]
        """
        sums = np.full(len(values), np.nan)
        if len(values) >= window:
            # Each window summed on its own (a NaN in it gives NaN): exact, and a series'
            # values never depend on the series stored before it.
            windows = np.lib.stride_tricks.sliding_window_view(values, window)
            sums[window - 1 :] = windows.sum(axis=1)
        sums[self.pos < window - 1] = np.nan
        return sums

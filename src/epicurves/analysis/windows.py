"""Vectorised window arithmetic over many series stored back to back in one flat array.

The tidy table holds one series per (source, region), sorted by date and daily without gaps.
:class:`Series` records where each series starts, so that shifts and rolling sums run over the
whole array at once, never across the border between two series, with no per-region loop.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..lazy import np, npt, pd

__all__ = ["Series", "series_starts", "to_floats", "window_sums"]

#: An array of floats (a string: numpy.typing is for the type checker, not imported to run).
Floats: TypeAlias = "npt.NDArray[np.float64]"


def to_floats(values: Any) -> Floats:
    """Numbers (nullable integers included) as a float array, missing values as NaN.

    >>> to_floats(pd.array([1, None], dtype="Int64")).tolist()
    [1.0, nan]
    """
    series = pd.Series(values).astype("Float64")
    return np.asarray(
        series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )


def series_starts(
    frame: pd.DataFrame,
) -> tuple[npt.NDArray[np.intp], list[tuple[str, str]], bool]:
    """Where each run of rows of one (``source``, ``region_id``) starts, its key, and whether
    the rows are in (source, region, date) order with each date once, as the store and
    :func:`~epicurves.compute_metrics` give them (then sorting them changes nothing)."""
    source = pd.factorize(frame["source"])[0]
    region = pd.factorize(frame["region_id"])[0]
    new = np.ones(len(frame), dtype=bool)
    new[1:] = (source[1:] != source[:-1]) | (region[1:] != region[:-1])
    starts = np.flatnonzero(new)
    keys = [
        (str(s), str(r))
        for s, r in zip(
            frame["source"].iloc[starts].tolist(),
            frame["region_id"].iloc[starts].tolist(),
            strict=True,
        )
    ]
    dates = frame["date"].to_numpy()
    steps = dates[1:][~new[1:]] - dates[:-1][~new[1:]]
    ordered = (
        not (source < 0).any()
        and not (region < 0).any()
        and all(a < b for a, b in itertools.pairwise(keys))
        and bool(np.all(steps > np.timedelta64(0)))
    )
    return starts, keys, ordered


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

    def lagged_sum(self, values: Floats, weights: Floats) -> Floats:
        """``sum(weights[lag] * values[day - lag])`` over the lags from 1 whose weight is
        positive and whose day lies in the same series (a missing value counts as 0), added
        lag after lag: what adding up ``weights[lag] * nan_to_num(shift(values, lag))`` gives,
        to the last bit, without an array a lag.

        >>> s = Series.from_keys([0, 0, 0, 1, 1])
        >>> s.lagged_sum(np.array([1.0, 2, np.nan, 4, 5]), np.array([0, 1.0, 10])).tolist()
        [0.0, 1.0, 12.0, 0.0, 4.0]
        """
        values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
        n = len(values)
        out = np.zeros(n)
        part = np.empty(n)
        # the days less than the longest lag into their series: where a lag may cross into
        # the series stored before
        early = np.flatnonzero(self.pos < len(weights) - 1)
        early_pos = self.pos[early]
        for lag in range(1, min(len(weights), n)):
            if not weights[lag] > 0:
                continue
            lagged = part[: n - lag]
            np.multiply(values[:-lag], weights[lag], out=lagged)
            crossing = early[early_pos < lag]
            lagged[crossing[crossing >= lag] - lag] = 0.0
            out[lag:] += lagged
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
            sums[window - 1 :] = window_sums(values, window)
        sums[self.pos < window - 1] = np.nan
        return sums


#: numpy sums fewer values than this one after the other (from 0.0); more, pairwise.
_SEQUENTIAL = 8


def window_sums(values: Floats, window: int) -> Floats:
    """The sum of each ``window`` consecutive values, bit for bit as numpy sums a window:
    for a short window, one shifted addition per day over the whole array (each window's
    values added in order, from 0.0, as numpy does), not a sum per window."""
    if window >= _SEQUENTIAL:
        sums: Floats = np.lib.stride_tricks.sliding_window_view(values, window).sum(
            axis=1
        )
        return sums
    count = len(values) - window + 1
    out: Floats = values[:count] + 0.0
    for day in range(1, window):
        out += values[day : day + count]
    return out

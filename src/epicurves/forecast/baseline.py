"""The forecast hubs' baseline, computed exactly and for every series at once.

CDC's COVID-19 Forecast Hub and FluSight score every model against the same baseline
(``epipredict::cdc_baseline_forecaster``, REFERENCE G): the newest value carried forward, with
an uncertainty that grows with the horizon.

- **Horizon -1** (the newest week): every quantile is the newest value.
- **Horizon h ≥ 0**, ``a = h + 1`` weeks after the newest: the newest value plus the sum of ``a``
  independent draws from the series' one-week differences over its whole history,
  *symmetrised* (each difference and its negative). As the hubs' layer does it: the first week
  is cut at 0 before the others are added, the sum is shifted so that its median is the newest
  value again, and cut at 0 (:func:`_propagated`).

The hubs draw those sums by Monte Carlo (100,000 samples of the differences' quantile function,
shuffled and added once per further week). Here the sum's distribution is computed instead: the
quantile function of the differences (R's type 7, as ``quantile()``) is sampled at
:data:`POINTS` probabilities, put on a grid of :data:`BINS` bins per series, and convolved with
itself by FFT; the quantiles of the sum are read off its cumulative distribution. The result is
deterministic and within the hubs' own Monte Carlo error of their forecasts
(``tests/forecast/test_baseline.py`` checks every reference date, location and horizon of the
COVID-19 hub's file).
"""

from __future__ import annotations

from ..lazy import np
from .levels import HORIZONS, LEVELS

__all__ = ["BINS", "POINTS", "baseline", "differences"]

#: Probabilities at which the differences' quantile function is sampled.
POINTS = 2048
#: Grid bins over the range of one draw (the sum of ``a`` draws spans ``a`` times as many).
BINS = 1024


def differences(history: np.ndarray) -> np.ndarray:
    """The one-week differences of each series (rows of ``history``), symmetrised, sorted, NaN
    last: shape ``(S, 2 (T - 1))``. A difference next to a missing week is missing.

    >>> differences(np.array([[1.0, 3.0, np.nan, 4.0, 2.0]]))
    array([[-2., -2.,  2.,  2., nan, nan, nan, nan]])
    """
    steps = np.diff(history, axis=1)
    return np.sort(np.concatenate([steps, -steps], axis=1), axis=1)


def _type7(
    sorted_values: np.ndarray, counts: np.ndarray, probs: np.ndarray
) -> np.ndarray:
    """R's type-7 quantiles of each row's first ``counts`` values at ``probs``: (S, P)."""
    position = probs[None, :] * (counts[:, None] - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, np.maximum(counts[:, None] - 1, 0))
    fraction = position - low
    below = np.take_along_axis(sorted_values, low, axis=1)
    above = np.take_along_axis(sorted_values, high, axis=1)
    out: np.ndarray = below + fraction * (above - below)
    return out


def _grid_pmf(values: np.ndarray, low: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Each row's equally likely ``values`` as a distribution on the grid ``low + k · step``
    (k < :data:`BINS`), each value split between its two nearest grid points (so its mean
    is kept): (S, BINS)."""
    count, points = values.shape
    where = (values - low[:, None]) / step[:, None]
    left = np.clip(np.floor(where).astype(np.int64), 0, BINS - 2)
    share = np.clip(where - left, 0.0, 1.0)
    flat = (left + np.arange(count)[:, None] * BINS).ravel()
    size = count * BINS
    pmf = np.bincount(flat, (1 - share).ravel(), minlength=size)
    pmf += np.bincount(flat + 1, share.ravel(), minlength=size)
    out: np.ndarray = pmf.reshape(count, BINS) / points
    return out


def _quantiles(pmf: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles at ``probs`` of each row's distribution on grid points 0, 1, 2, … (in grid
    units): each point's mass spread evenly around it, the cumulative distribution
    interpolated linearly. (S, len(probs))."""
    mass = np.clip(pmf, 0.0, None)
    mass /= mass.sum(axis=1, keepdims=True)
    centred = np.cumsum(mass, axis=1) - mass / 2  # the distribution at each grid point
    count, size = centred.shape
    # one search for every row: row i's values shifted by 2i stay sorted end to end
    shift = 2.0 * np.arange(count)[:, None]
    found = np.searchsorted((centred + shift).ravel(), (probs[None, :] + shift).ravel())
    k = np.clip(
        found.reshape(count, -1) - size * np.arange(count)[:, None], 1, size - 1
    )
    c0 = np.take_along_axis(centred, k - 1, axis=1)
    c1 = np.take_along_axis(centred, k, axis=1)
    share = np.clip((probs[None, :] - c0) / np.maximum(c1 - c0, 1e-300), 0, 1)
    out: np.ndarray = k - 1 + share
    return out


def _propagated(draws: np.ndarray, newest: np.ndarray, aheads: int) -> np.ndarray:
    """The baseline's quantiles ``aheads`` = 2 … weeks ahead (S, aheads, L; the first left
    NaN, computed exactly by the caller), from the differences' quantile function sampled at
    equally likely ``draws`` (S, P) and each series' ``newest`` value.

    As the hubs' ``layer_cdc_flatline_quantiles`` (symmetrised, non-negative): one week ahead
    is ``max(0, newest + e1)``; ``a`` weeks ahead, ``R_a = max(0, newest + e1) + e2 + … + e_a``
    shifted so that its median is ``newest``, then cut at 0.
    """
    count = draws.shape[0]
    out = np.full((count, aheads, len(LEVELS)), np.nan)
    low = draws.min(axis=1)
    step = np.maximum(draws.max(axis=1) - low, 1e-9) / (BINS - 1)
    size = 1 << int(np.ceil(np.log2(aheads * (BINS - 1) + 1)))
    # the first week, cut at 0, on the grid of newest + e (its values never fall below it)
    first = np.fft.rfft(
        _grid_pmf(np.maximum(newest[:, None] + draws, 0.0), newest + low, step),
        n=size,
        axis=1,
    )
    each = np.fft.rfft(_grid_pmf(draws, low, step), n=size, axis=1)
    probs = np.concatenate([LEVELS, [0.5]])
    for a in range(2, aheads + 1):
        pmf = np.fft.irfft(first * each ** (a - 1), n=size, axis=1)
        grid = _quantiles(pmf[:, : a * (BINS - 1) + 1], probs)
        # grid point k of R_a is newest + a · low + k · step
        spread = (grid[:, :-1] - grid[:, -1:]) * step[:, None]
        out[:, a - 1, :] = np.maximum(newest[:, None] + spread, 0.0)
    return out


def baseline(
    history: np.ndarray, *, releases: bool = True, seed: int = 0
) -> np.ndarray:
    """The hubs' baseline forecast of each series: quantiles at :data:`~.levels.LEVELS` for the
    horizons -1 … 3, shape ``(S, 5, 23)``.

    ``history``: weekly values (S series x T weeks, oldest first, NaN where unknown); the last
    column is the newest week (horizon -1). Assumes nothing about the trend (the median stays
    at the newest value) and that next week's change is like any past week's change, up or
    down. A series with no known difference (fewer than two consecutive known weeks) gets all
    quantiles at its newest value; one whose newest week is unknown gets NaN. ``releases`` and
    ``seed`` are accepted for the common model signature: the computation is exact.

    >>> y = np.array([[10.0, 12, 11, 15, 14]])
    >>> forecast = baseline(y)
    >>> forecast[0, 0, [0, 11, 22]].tolist(), forecast[0, 1, [0, 11, 22]].round(2).tolist()
    ([14.0, 14.0, 14.0], [10.14, 14.0, 17.86])
    """
    del releases, seed
    history = np.asarray(history, dtype=np.float64)
    newest = history[:, -1]
    aheads = len(HORIZONS) - 1
    out = np.repeat(newest[:, None, None], len(HORIZONS), axis=1)
    out = np.repeat(out, len(LEVELS), axis=2)
    steps = differences(history)
    known = np.isfinite(steps).sum(axis=1)
    # no known difference, or none but 0: the newest value at every level
    spread = (
        (known > 0)
        & np.isfinite(newest)
        & (np.nanmax(np.abs(steps), axis=1, initial=0) > 0)
    )
    if spread.any():
        rows = steps[spread]
        rows, counts = np.nan_to_num(rows), known[spread]
        probs = (np.arange(POINTS) + 0.5) / POINTS
        last = newest[spread]
        ahead = _propagated(_type7(rows, counts, probs), last, aheads)
        # one week ahead: exact
        ahead[:, 0, :] = np.maximum(last[:, None] + _type7(rows, counts, LEVELS), 0.0)
        out[spread, 1:, :] = ahead
    return np.maximum.accumulate(out, axis=2)

"""Forecasting models that beat the hubs' baseline: a damped trend with empirical error quantiles.

Every model is a pure function ``model(history, *, releases, seed=0, fallback=None)`` of an
array of weekly counts, shape ``(series, weeks)``, oldest to newest, NaN where unknown; the
last column is the newest week published by the cutoff (horizon -1). It returns the quantiles
at :data:`~epicurves.forecast.levels.LEVELS` for :data:`~epicurves.forecast.levels.HORIZONS`,
shape ``(series, 5, 23)``: monotone along the last axis, never negative, finite, and the same
bytes for the same inputs (no model draws random numbers; ``seed`` is accepted for the
common interface).

The models share one point forecast on the scale ``(1 + y) ** 0.25`` (which steadies the
noise of small counts, as in UMass' pooled AR models): the newest value (carried forward
over holes) plus a growth, the mean weekly change over the last ``k`` weeks, damped by
``phi`` per further week. Their spread is **empirical**: the same rule is replayed at every
past week of the series' history, and the quantiles of its errors ``a`` weeks ahead,
centred on their median, are added to today's point forecast ``a`` weeks ahead.

- :func:`local_trend` takes those error quantiles per series.
- :func:`pooled_trend` pools the errors of all series passed together (pass one target per
  call, e.g. the 52 US states), each scaled by its series' mean absolute error.
- :func:`pooled_growth` is :func:`pooled_trend` with a more persistent growth.
- :func:`ensemble` combines forecasts quantile by quantile.

Where a series is too short to have errors (see each model's fallback rule) it gets the
``fallback`` forecast, which callers set to the hubs' baseline.

>>> rng = np.random.default_rng(0)
>>> y = rng.poisson(100 * np.exp(0.05 * np.arange(60)), size=(3, 60)).astype(float)
>>> f = ensemble([m(y, releases=False) for m in MODELS.values()])
>>> f.shape, bool((np.diff(f, axis=-1) >= 0).all()), bool(f[0, 4, MEDIAN] > y[0, -1])
((3, 5, 23), True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .levels import HORIZONS, LEVELS, MEDIAN

__all__ = [
    "ENSEMBLE_RULE",
    "GROWTH",
    "LOCAL",
    "MODELS",
    "NOWCAST_SHIFT",
    "NOWCAST_SPREAD",
    "POOLED",
    "TrendParams",
    "ensemble",
    "flat_fallback",
    "local_trend",
    "pooled_growth",
    "pooled_trend",
]

#: Weeks ahead of the newest week for each horizon (-1 -> 0, ..., 3 -> 4).
AHEADS = HORIZONS + 1

# The normal quantiles at LEVELS (scipy-free; from scipy.stats.norm.ppf(LEVELS)).
_Z = np.array(
    [-2.32634787, -1.95996398, -1.64485363, -1.28155157, -1.03643339, -0.84162123,
     -0.67448975, -0.52440051, -0.38532047, -0.25334710, -0.12566135, 0.0,
     0.12566135, 0.25334710, 0.38532047, 0.52440051, 0.67448975, 0.84162123,
     1.03643339, 1.28155157, 1.64485363, 1.95996398, 2.32634787]
)  # fmt: skip


@dataclass(frozen=True)
class TrendParams:
    """The knobs of the damped-trend models.

    ``k``: weeks over which the growth is measured; ``phi``: its damping per further week;
    ``window``: how many past weeks' errors make the spread; ``inflate``: a factor on the
    spread; ``min_errors``: the fewest past errors (per horizon) a series needs, else it
    gets the fallback; ``power``: the modelling scale, ``(1 + y) ** power`` (0 means
    ``log(1 + y)``).
    """

    k: int = 2
    phi: float = 0.5
    window: int = 52
    inflate: float = 1.0
    min_errors: int = 12
    power: float = 0.25


# Tuned by grid search on the tuning period only (chosen 2026-12-05), mean relative WIS over
# horizons 0-3 and four targets: US COVID admissions R 2024-11-23..2025-06-28, US flu
# admissions R 2022-10-01..2025-06-28, German cases (DE + 16 states) and deaths (DE)
# R 2020-05-02..2021-06-26. See /work/fc/research/REPORT.md (not shipped).
#: :func:`local_trend`'s parameters.
LOCAL = TrendParams(k=2, phi=0.5, window=104, inflate=1.0, min_errors=12, power=0.25)
#: :func:`pooled_trend`'s parameters.
POOLED = TrendParams(k=2, phi=0.5, window=26, inflate=1.0, min_errors=12, power=0.25)
#: :func:`pooled_growth`'s parameters: a more persistent growth (phi 0.75) than POOLED.
GROWTH = TrendParams(k=2, phi=0.75, window=52, inflate=1.0, min_errors=12, power=0.25)
#: Sources with releases: the newest week is raised by this much on the log(1 + y) scale:
#: the median revision of its first publication (US COVID, releases 2024-11-20..2025-06-25).
NOWCAST_SHIFT = 0.09
#: The nowcast's spread on the log(1 + y) scale (IQR / 1.349 of the same revisions).
NOWCAST_SPREAD = 0.13
#: How :func:`ensemble` combines: "median" (won on the tuning period) or "mean".
ENSEMBLE_RULE = "median"


def _ffill(x: np.ndarray) -> np.ndarray:
    """``x`` (S, T) with each NaN replaced by the newest value before it (leading NaN stay)."""
    idx = np.where(np.isnan(x), 0, np.arange(x.shape[1]))
    np.maximum.accumulate(idx, axis=1, out=idx)
    return np.take_along_axis(x, idx, axis=1)


def _nanquantiles(a: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Quantiles (linear interpolation) of ``a`` along its last axis ignoring NaN: (..., L).

    NaN where a row has no value. Vectorised: one sort, no loop over rows.
    """
    srt = np.sort(a, axis=-1)  # NaN sort last
    n = (~np.isnan(a)).sum(axis=-1)[..., None]
    pos = levels * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    vlo = np.take_along_axis(srt, lo, axis=-1)
    vhi = np.take_along_axis(srt, hi, axis=-1)
    out = vlo + frac * (vhi - vlo)
    return np.where(n > 0, out, np.nan)


def _damping(phi: float) -> np.ndarray:
    """Cumulative damped steps for aheads 0..4: sum of phi**i, i = 1..a."""
    return np.array([sum(phi**i for i in range(1, a + 1)) for a in AHEADS])


def _fwd(y: np.ndarray, power: float) -> np.ndarray:
    """The modelling scale: log(1 + y) for power 0, else (1 + y) ** power."""
    return np.log1p(y) if power == 0 else (1.0 + y) ** power


def _back(x: np.ndarray, power: float) -> np.ndarray:
    """Inverse of :func:`_fwd` (values below the scale's zero map to 0)."""
    if power == 0:
        return np.asarray(np.expm1(x))
    return np.asarray(np.maximum(x, 1.0) ** (1.0 / power) - 1.0)


def _paths(
    history: np.ndarray, releases: bool, p: TrendParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The point forecast on the modelling scale, and the same rule's past errors.

    Returns ``pred`` (S, 5) today's point forecast per horizon, ``err`` (S, 4, window) the
    errors of aheads 1..4 at the newest ``window`` past origins that have a known target,
    and ``ok`` (S,) whether the series has enough of them.
    """
    y = np.maximum(history, 0.0)
    x = _fwd(y, p.power)
    xf = _ffill(x)
    S, T = x.shape
    now = xf.copy()
    if releases:
        newest = _ffill(y)[:, -1]
        now[:, -1] = _fwd((1.0 + newest) * np.exp(NOWCAST_SHIFT) - 1.0, p.power)
    k = p.k
    level, growth = now, np.full((S, T), np.nan)
    if k < T:
        growth[:, k:] = (now[:, k:] - now[:, :-k]) / k
    damp = _damping(p.phi)
    pred = level[:, -1:] + growth[:, -1:] * damp  # (S, 5)
    # Replay at past origins t: errors a weeks ahead, for the newest `window` usable origins.
    w = p.window
    err = np.full((S, 4, w), np.nan)
    for a in range(1, 5):
        last = T - 1 - a  # newest origin whose target (t + a) is in the history
        first = max(k, last - w + 1)
        if last < first:
            continue
        t = np.arange(first, last + 1)
        past = level[:, t] + growth[:, t] * damp[a]
        err[:, a - 1, w - len(t) :] = x[:, t + a] - past
    n = (~np.isnan(err)).sum(axis=-1).min(axis=1)
    ok = (n >= p.min_errors) & ~np.isnan(pred).any(axis=1)
    return pred, err, ok


def _centre(q: np.ndarray, factor: float) -> np.ndarray:
    """Error quantiles ``q`` (..., 23) moved to a zero median and widened by ``factor``.

    Centring (the median forecast is the point forecast, no correction for the past errors'
    bias) won on the tuning period for every target.
    """
    return np.asarray(factor * (q - q[..., MEDIAN : MEDIAN + 1]))


def _assemble(
    history: np.ndarray,
    releases: bool,
    pred: np.ndarray,
    qerr: np.ndarray,
    ok: np.ndarray,
    fallback: np.ndarray | None,
    power: float,
) -> np.ndarray:
    """Quantiles (S, 5, 23) from log-scale point forecasts and error quantiles (S, 4, 23)."""
    S = history.shape[0]
    out = np.empty((S, len(HORIZONS), len(LEVELS)))
    out[:, 1:] = _back(pred[:, 1:, None] + qerr, power)
    newest = _ffill(np.maximum(history, 0.0))[:, -1]
    if releases:
        out[:, 0] = np.expm1(
            np.log1p(newest[:, None]) + NOWCAST_SHIFT + NOWCAST_SPREAD * _Z
        )
    else:
        out[:, 0] = newest[:, None]
    out = np.maximum.accumulate(np.maximum(np.nan_to_num(out), 0.0), axis=-1)
    if fallback is None:
        fallback = flat_fallback(history)
    return np.where(ok[:, None, None], out, fallback).astype(np.float64)


def local_trend(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    params: TrendParams = LOCAL,
) -> np.ndarray:
    """Damped trend, spread from the quantiles of the series' own past errors.

    Assumes the weekly change of ``(1 + y) ** power`` persists, damped, and that the next
    weeks' errors look like the errors of the same rule over the series' last
    ``params.window`` weeks. Fallback: a series with fewer than ``params.min_errors`` past errors at some
    horizon (about ``k + 4 + min_errors`` weeks of data), or no value yet, gets ``fallback``
    (the baseline's forecast; :func:`flat_fallback` if None).

    >>> y = np.vstack([np.full(30, 50.0), np.arange(30.0) * 10]) + np.arange(30) % 3
    >>> f = local_trend(y, releases=False)
    >>> f[:, 2, MEDIAN].round(1).tolist()
    [52.8, 300.6]
    """
    del seed
    pred, err, ok = _paths(history, releases, params)
    qerr = _centre(_nanquantiles(err, LEVELS), params.inflate)
    return _assemble(history, releases, pred, qerr, ok, fallback, params.power)


def pooled_trend(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    params: TrendParams = POOLED,
) -> np.ndarray:
    """Damped trend, spread from the errors of all series pooled, scaled per series.

    Assumes the series passed together share the shape of their error distribution a
    weeks ahead (so pass one target per call), and differ in its scale: each series' errors
    are divided by its mean absolute error (per horizon, over the last ``params.window``
    weeks), pooled, and their quantiles multiplied back. Fallback: as :func:`local_trend`,
    with ``params.min_errors`` errors per horizon.

    >>> y = np.vstack([np.full(30, 50.0), np.arange(30.0) * 10]) + np.arange(30) % 3
    >>> f = pooled_trend(y, releases=False)
    >>> bool(f[1, 2, MEDIAN] > y[1, -1] > f[1, 2, 0])
    True
    """
    del seed
    pred, err, ok = _paths(history, releases, params)
    n = np.maximum((~np.isnan(err)).sum(axis=-1), 1)
    scale = np.nansum(np.abs(err), axis=-1) / n  # mean absolute error, (S, 4)
    scale = np.where(ok[:, None], np.maximum(scale, 1e-3), np.nan)
    z = err / scale[..., None]  # (S, 4, w); NaN for series without enough errors
    pooled = _nanquantiles(np.moveaxis(z, 0, 1).reshape(4, -1), LEVELS)  # (4, 23)
    qerr = _centre(scale[..., None] * pooled, params.inflate)
    return _assemble(history, releases, pred, qerr, ok, fallback, params.power)


def pooled_growth(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`pooled_trend` with a more persistent growth (:data:`GROWTH`: phi 0.75).

    Same assumptions and fallback rule as :func:`pooled_trend`; it follows a wave further.

    >>> y = np.vstack([np.full(30, 50.0), np.arange(30.0) * 10]) + np.arange(30) % 3
    >>> bool(pooled_growth(y, releases=False)[1, 4, MEDIAN] > local_trend(y, releases=False)[1, 4, MEDIAN])
    True
    """
    return pooled_trend(
        history, releases=releases, seed=seed, fallback=fallback, params=GROWTH
    )


def flat_fallback(history: np.ndarray) -> np.ndarray:
    """A quick stand-in for the hubs' baseline, used when no ``fallback`` is given.

    Median flat at the newest value; spread from the quantiles of the symmetrised one-week
    differences, widened by the square root of the weeks ahead (the baseline sums shuffled
    copies instead); never below 0.

    >>> flat_fallback(np.array([[1.0, 3.0, 2.0, 4.0]]))[0, :, MEDIAN].tolist()
    [4.0, 4.0, 4.0, 4.0, 4.0]
    """
    h = np.maximum(history, 0.0)
    d = np.diff(h, axis=1) if h.shape[1] > 1 else np.zeros((h.shape[0], 1))
    q = np.nan_to_num(_nanquantiles(np.concatenate([d, -d], axis=1), LEVELS))
    newest = np.nan_to_num(_ffill(h)[:, -1])
    out = newest[:, None, None] + np.sqrt(AHEADS)[None, :, None] * q[:, None, :]
    out[:, 0] = newest[:, None]
    return np.maximum.accumulate(np.maximum(out, 0.0), axis=-1)


def ensemble(forecasts: Sequence[np.ndarray], rule: str = ENSEMBLE_RULE) -> np.ndarray:
    """Combine forecasts (each (S, 5, 23)) quantile by quantile: their mean or median.

    The median (as CDC's hubs combine) won narrowly on the tuning period
    (:data:`ENSEMBLE_RULE`); with two models the two rules agree.

    >>> a, b = np.zeros((1, 5, 23)), np.ones((1, 5, 23))
    >>> float(ensemble([a, b, 3 * b])[0, 0, 0]), float(ensemble([a, b, 3 * b], "mean")[0, 0, 0])
    (1.0, 1.3333333333333333)
    """
    stack = np.stack([np.asarray(f, dtype=np.float64) for f in forecasts])
    comb = np.median(stack, axis=0) if rule == "median" else stack.mean(axis=0)
    return np.maximum.accumulate(np.maximum(comb, 0.0), axis=-1)


Model = Callable[..., np.ndarray]
#: Every model by name.
MODELS: dict[str, Model] = {
    "local_trend": local_trend,
    "pooled_trend": pooled_trend,
    "pooled_growth": pooled_growth,
}

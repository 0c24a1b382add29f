"""Forecasting models that beat the hubs' baseline: growth rules with empirical error quantiles.

Every model is a pure function ``model(history, *, releases, seed=0, fallback=None,
covariate=None)`` of an array of weekly counts, shape ``(series, weeks)``, oldest to newest,
NaN where unknown; the last column is the newest week published by the cutoff (horizon -1).
``covariate``, if given, is a leading indicator aligned with ``history`` (same rows and
weeks): the share of emergency visits for US admissions, the cases for deaths. A model
returns the quantiles at :data:`~epicurves.forecast.levels.LEVELS` for
:data:`~epicurves.forecast.levels.HORIZONS`, shape ``(series, 5, 23)``: monotone along the
last axis, never negative, finite, and the same bytes for the same inputs (no model draws
random numbers; ``seed`` is accepted for the common interface).

Each model makes a point forecast of the growth, and takes its spread **empirically**: the
same rule is replayed at every past week of the history, and the quantiles of its errors
``a`` weeks ahead on the scale ``(1 + y) ** 0.25`` (which steadies the noise of small
counts, as in UMass' pooled AR models), centred on their median, are added to today's point
forecast ``a`` weeks ahead.

- :func:`local_trend`, :func:`pooled_trend`, :func:`pooled_growth` (round 1): the newest
  value plus the mean weekly change over the last ``k`` weeks, damped by ``phi`` per further
  week; errors per series, or pooled over the series passed together (pass one target per
  call, e.g. the 52 US states), each scaled by its series' mean absolute error.
- :func:`lead_regression` (round 2; :func:`lead_short`, :func:`lead_long`,
  :func:`lead_level`): the growth of ``log(1 + y)`` from a ridge regression pooled over the
  series on their recent growths, the covariate's, and the level; errors pooled.
- :func:`ensemble` combines forecasts quantile by quantile (:data:`MODELS` are its members).

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

from ..lazy import np
from .levels import HORIZONS, LEVELS, MEDIAN

__all__ = [
    "ENSEMBLE_INFLATE",
    "ENSEMBLE_RULE",
    "GROWTH",
    "LEVEL",
    "LOCAL",
    "LONG",
    "MODELS",
    "NOWCAST_SHIFT",
    "NOWCAST_SPREAD",
    "POOLED",
    "SHORT",
    "LeadParams",
    "TrendParams",
    "ensemble",
    "flat_fallback",
    "lead_level",
    "lead_long",
    "lead_regression",
    "lead_short",
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
# R 2020-05-02..2021-06-26. The choices and their evidence: docs/explanations/forecast-choices.md.
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
#: How :func:`ensemble` combines: "mean" (won on the tuning period, round 2) or "median".
ENSEMBLE_RULE = "mean"
#: :func:`ensemble` widens the combination by this factor: 1 (no widening) was as good as
#: 1.1 on the tuning period and keeps US COVID's intervals from growing still wider.
ENSEMBLE_INFLATE = 1.0


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
    covariate: np.ndarray | None = None,
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
    del seed, covariate
    pred, err, ok = _paths(history, releases, params)
    qerr = _centre(_nanquantiles(err, LEVELS), params.inflate)
    return _assemble(history, releases, pred, qerr, ok, fallback, params.power)


def pooled_trend(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
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
    del seed, covariate
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
    covariate: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`pooled_trend` with a more persistent growth (:data:`GROWTH`: phi 0.75).

    Same assumptions and fallback rule as :func:`pooled_trend`; it follows a wave further.
    The covariate is not used.

    >>> y = np.vstack([np.full(30, 50.0), np.arange(30.0) * 10]) + np.arange(30) % 3
    >>> bool(pooled_growth(y, releases=False)[1, 4, MEDIAN] > local_trend(y, releases=False)[1, 4, MEDIAN])
    True
    """
    del covariate
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


@dataclass(frozen=True)
class LeadParams:
    """The knobs of :func:`lead_regression`.

    ``lags``: the series' own weekly log growths used as predictors; ``cov_lags``: the
    covariate's; ``level``: if not 0, the newest log level minus its mean over the last
    ``level`` weeks is a predictor too (a season's rise turns back); ``common``: lags of the
    mean weekly growth of all series passed together (a shared wave); ``ridge``: the shrinkage
    of the coefficients, relative to their scale; ``count``: a week with ``y`` counts weighs
    ``y / (y + count)`` in the fit (small, noisy counts weigh less); ``window``, ``inflate``,
    ``min_errors``, ``power`` as in :class:`TrendParams`.
    """

    lags: int = 1
    cov_lags: int = 1
    level: int = 0
    common: int = 0
    ridge: float = 0.03
    count: float = 20.0
    window: int = 104
    inflate: float = 1.0
    min_errors: int = 6
    power: float = 0.25


# Chosen on the tuning period only (2026-12-05; docs/explanations/forecast-choices.md):
# reference dates up to 2025-06-28 (US) and 2021-06-26 (Germany), as in the first round.
#: :func:`lead_short`: last week's growth and the covariate's.
SHORT = LeadParams(lags=1, cov_lags=1)
#: :func:`lead_long`: last week's growth and the covariate's over its last three weeks.
LONG = LeadParams(lags=1, cov_lags=3)
#: :func:`lead_level`: two weeks' growth, the covariate's three, the level's distance from
#: its two-year mean, and last week's mean growth of all series.
LEVEL = LeadParams(lags=2, cov_lags=3, level=104, common=1)


def _growths(x: np.ndarray, lags: int) -> np.ndarray:
    """(S, T, lags): at week t, ``x[t - j] - x[t - j - 1]`` for j < ``lags`` (NaN before)."""
    S, T = x.shape
    step = np.full((S, T), np.nan)
    step[:, 1:] = np.diff(x, axis=1)
    out = np.full((S, T, lags), np.nan)
    for j in range(lags):
        out[:, j:, j] = step[:, : T - j]
    return out


def _distance(x: np.ndarray, weeks: int) -> np.ndarray:
    """(S, T, 1): ``x[t]`` minus the mean of its known values over the ``weeks`` up to t."""
    known = np.isfinite(x)
    total = np.pad(np.cumsum(np.where(known, x, 0.0), axis=1), ((0, 0), (1, 0)))
    count = np.pad(np.cumsum(known, axis=1), ((0, 0), (1, 0)))
    hi = np.arange(1, x.shape[1] + 1)
    lo = np.maximum(hi - weeks, 0)
    mean = (total[:, hi] - total[:, lo]) / np.maximum(count[:, hi] - count[:, lo], 1)
    return np.asarray(x - mean)[..., None]


def _log_covariate(covariate: np.ndarray) -> np.ndarray:
    """log(c + floor), carried forward over holes; the floor is 5 % of the series' median
    positive value (1 for a series without one)."""
    c = np.maximum(covariate, 0.0)
    median = _nanquantiles(np.where(c > 0, c, np.nan), np.array([0.5]))[:, 0]
    floor = np.where(np.isfinite(median), 0.05 * median, 1.0)
    return np.asarray(np.log(_ffill(c) + floor[:, None]))


def lead_regression(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
    params: LeadParams = SHORT,
) -> np.ndarray:
    """Growth predicted by a regression pooled over the series, led by a covariate.

    Assumes the growth of ``log(1 + y)`` over the next ``a`` weeks is, in every series passed
    together, the same linear function of the series' recent weekly growths and the
    covariate's (a leading indicator: the share of emergency visits moves about a week
    before admissions, cases before deaths); ``params.level`` adds the level's distance from
    its mean. One ridge regression per ``a``, pooled, is fitted on the last ``params.window``
    weeks of what ``history`` and ``covariate`` know; the spread comes from its errors on the
    scale ``(1 + y) ** power``, pooled as :func:`pooled_trend` pools them. The predicted
    growth over ``a`` weeks stays within the 1st to 99th percentile of the growths over ``a``
    weeks the fit saw. A covariate that
    is None or all unknown is left out; unknown weeks of it leave those weeks out of the fit
    (and its growth at 0 today). Fallback: a series with fewer than ``params.min_errors``
    past errors at some horizon, or no value yet, gets ``fallback``.

    >>> t = np.arange(40.0)
    >>> y = np.vstack([np.full(40, 100.0), 100 * np.exp(0.1 * t)]) + t % 2
    >>> f = lead_regression(y, releases=False, covariate=np.exp(0.1 * t) + 0 * y)
    >>> bool(f[1, 4, MEDIAN] > f[1, 1, MEDIAN] > y[1, -1] > f[0, 4, MEDIAN])
    True
    """
    del seed
    p = params
    history = np.asarray(history, dtype=np.float64)
    y = np.maximum(history, 0.0)
    filled = _ffill(y)
    logs = np.log1p(filled)
    if releases:
        logs[:, -1] += NOWCAST_SHIFT
    S, T = logs.shape
    parts = [_growths(logs, p.lags)]
    if covariate is not None:
        covariate = np.asarray(covariate, dtype=np.float64)
        if covariate.shape != history.shape:
            msg = f"covariate has shape {covariate.shape}: expected {history.shape}, as history"
            raise ValueError(msg)
        if np.isfinite(covariate).any():
            parts.append(_growths(_log_covariate(covariate), p.cov_lags))
    if p.common:
        g = _growths(logs, p.common)
        n = np.isfinite(g).sum(axis=0)
        mean = np.where(n > 0, np.nansum(g, axis=0) / np.maximum(n, 1), np.nan)
        parts.append(np.broadcast_to(mean, g.shape))
    if p.level:
        parts.append(_distance(np.where(np.isfinite(history), logs, np.nan), p.level))
    X = np.concatenate(parts, axis=2)  # (S, T, P): the predictors at each week
    P = X.shape[2]
    weight = np.nan_to_num(filled / (filled + p.count)) if p.count > 0 else 1.0 + 0 * y
    known = np.log1p(y)  # NaN where unknown
    pred = np.repeat(logs[:, -1:], len(HORIZONS), axis=1)
    err = np.full((S, 4, p.window), np.nan)
    for a in range(1, 5):
        t = np.arange(
            max(0, T - a - p.window), T - a
        )  # origins whose week t + a is known
        if not len(t):
            continue
        Xa = X[:, t]
        z = known[:, t + a] - logs[:, t]
        ok = np.isfinite(z) & np.isfinite(Xa).all(axis=-1)
        w = np.where(ok, np.nan_to_num(weight[:, t]), 0.0)
        Xa0 = np.where(ok[..., None], Xa, 0.0)
        A = np.einsum("snp,snq,sn->pq", Xa0, Xa0, w)
        b = np.einsum("snp,sn,sn->p", Xa0, np.where(ok, z, 0.0), w)
        n = max(float(w.sum()), 1.0)
        shrink = p.ridge * (np.trace(A) / P + 1e-12 * n)
        beta = np.linalg.solve(A + shrink * np.eye(P), b)
        # within the rises and falls of a weeks the fit saw (but their 1 % most extreme,
        # mostly reporting artefacts): a few series early in a wave, or a week of a large
        # negative correction, gave fits that extrapolated to 10^5 times the counts
        seen = z[ok]
        lo, hi = np.quantile(seen, [0.01, 0.99]) if seen.size else (0.0, 0.0)
        pred[:, a] = logs[:, -1] + np.clip(np.nan_to_num(X[:, -1]) @ beta, lo, hi)
        past = logs[:, t] + np.clip(np.nan_to_num(Xa) @ beta, lo, hi)
        e = _fwd(y[:, t + a], p.power) - _fwd(np.expm1(past), p.power)
        err[:, a - 1, p.window - len(t) :] = np.where(ok, e, np.nan)
    count = (~np.isnan(err)).sum(axis=-1)
    ok_series = (count.min(axis=1) >= p.min_errors) & np.isfinite(pred).all(axis=1)
    scale = np.nansum(np.abs(err), axis=-1) / np.maximum(count, 1)  # (S, 4)
    scale = np.where(ok_series[:, None], np.maximum(scale, 1e-3), np.nan)
    z = np.moveaxis(err / scale[..., None], 0, 1).reshape(4, -1)
    qerr = _centre(scale[..., None] * _nanquantiles(z, LEVELS), p.inflate)
    point = _fwd(np.expm1(pred), p.power)
    return _assemble(history, releases, point, qerr, ok_series, fallback, p.power)


def lead_short(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`lead_regression` with :data:`SHORT`: last week's growth, the covariate's.

    >>> y = 50 + np.arange(40.0)[None, :] % 3
    >>> lead_short(y, releases=False).shape
    (1, 5, 23)
    """
    return lead_regression(
        history, releases=releases, seed=seed, fallback=fallback,
        covariate=covariate, params=SHORT,
    )  # fmt: skip


def lead_long(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`lead_regression` with :data:`LONG`: the covariate's last three weeks.

    >>> y = 50 + np.arange(40.0)[None, :] % 3
    >>> lead_long(y, releases=False).shape
    (1, 5, 23)
    """
    return lead_regression(
        history, releases=releases, seed=seed, fallback=fallback,
        covariate=covariate, params=LONG,
    )  # fmt: skip


def lead_level(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
    covariate: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`lead_regression` with :data:`LEVEL`: growths, the level's distance from its
    two-year mean (a high level tends to fall: a season turning), the series' mean growth.

    >>> y = 50 + np.arange(40.0)[None, :] % 3
    >>> lead_level(y, releases=False).shape
    (1, 5, 23)
    """
    return lead_regression(
        history, releases=releases, seed=seed, fallback=fallback,
        covariate=covariate, params=LEVEL,
    )  # fmt: skip


def ensemble(
    forecasts: Sequence[np.ndarray],
    rule: str = ENSEMBLE_RULE,
    inflate: float = ENSEMBLE_INFLATE,
) -> np.ndarray:
    """Combine forecasts (each (S, 5, 23)) quantile by quantile: their mean or median.

    Then every quantile's distance from the median is multiplied by ``inflate`` on the
    fourth-root scale (never below 0). The plain mean of the members (:data:`ENSEMBLE_RULE`,
    :data:`ENSEMBLE_INFLATE`) won on the tuning period: averaging members whose medians
    differ already widens the intervals.

    >>> a, b = np.zeros((1, 5, 23)), np.ones((1, 5, 23))
    >>> float(ensemble([a, b, 3 * b], "median")[0, 0, 0]), float(ensemble([a, b, 3 * b], "mean", 1.0)[0, 0, 0])
    (1.0, 1.3333333333333333)
    """
    stack = np.stack([np.asarray(f, dtype=np.float64) for f in forecasts])
    comb = np.median(stack, axis=0) if rule == "median" else stack.mean(axis=0)
    comb = np.maximum(comb, 0.0)
    if inflate != 1.0:
        root = comb**0.25
        mid = root[..., MEDIAN : MEDIAN + 1]
        comb = np.maximum(mid + inflate * (root - mid), 0.0) ** 4
    return np.maximum.accumulate(comb, axis=-1)


Model = Callable[..., "np.ndarray"]
#: Every model by name.
MODELS: dict[str, Model] = {
    "pooled_growth": pooled_growth,
    "lead_short": lead_short,
    "lead_long": lead_long,
    "lead_level": lead_level,
}

"""Scores of quantile forecasts as the forecast hubs compute them: WIS, its parts, coverage.

The **weighted interval score** (Bracher et al. 2021, PLOS Comp Biol) of quantiles at
symmetric levels, with median ``m`` and the central ``(1 - alpha_k)`` intervals
``[l_k, u_k]`` formed by the level pairs ``(alpha_k / 2, 1 - alpha_k / 2)``:

``WIS = (|y - m| / 2 + sum_k (alpha_k / 2) * IS_k) / (K + 1/2)``, with
``IS_k = (u_k - l_k) + (2 / alpha_k) * ((l_k - y)+ + (y - u_k)+)``.

With the hubs' 23 levels, K = 11 (alpha = 0.02, 0.05, 0.1, 0.2, ..., 0.9). The WIS equals
twice the mean pinball (quantile) loss over the levels. It splits, as R's ``scoringutils``
splits it, into **dispersion** (the weighted interval widths; the median adds none),
**overprediction** (what ``y`` below the lower bounds, and below the median, adds) and
**underprediction** (``y`` above the upper bounds and the median); the three sum to the WIS.

>>> q = np.linspace(80.0, 120.0, 23)  # a forecast with median 100
>>> parts = interval_parts(q, 130.0)
>>> round(float(parts.wis), 4), float(parts.overprediction)
(22.2877, 0.0)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..lazy import np, npt, pd
from . import levels as hub

__all__ = [
    "FORECAST_KEYS",
    "SCORE_COLUMNS",
    "TRUTH_KEYS",
    "WIS",
    "absolute_error",
    "covered",
    "from_sums",
    "interval_parts",
    "quarter",
    "relative_wis",
    "score",
    "score_sums",
]

#: An array of floats (a string: numpy.typing is for the type checker, not imported to run).
Floats: TypeAlias = "npt.NDArray[np.float64]"

#: The columns naming one forecast in the hubs' model-output table (besides extra keys).
FORECAST_KEYS = (
    "model",
    "region_id",
    "target",
    "reference_date",
    "horizon",
    "target_end_date",
)
#: The columns naming one observed outcome.
TRUTH_KEYS = ("region_id", "target", "target_end_date")
#: The columns :func:`score` adds to the keys of each forecast.
SCORE_COLUMNS = (
    "observed",
    "wis",
    "dispersion",
    "overprediction",
    "underprediction",
    "ae_median",
    "covered_50",
    "covered_95",
)
#: Quantile levels closer than this are the same level (``0.1`` read as ``0.1000000001``).
LEVEL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class WIS:
    """The weighted interval score and its three parts, arrays of one shape;
    ``wis == dispersion + overprediction + underprediction``."""

    wis: Floats
    dispersion: Floats
    overprediction: Floats
    underprediction: Floats


def _floats(values: Any) -> Floats:
    """``values`` as a float array (nullable numbers' missing values as NaN)."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        values = (
            pd.Series(values).astype("Float64").to_numpy(np.float64, na_value=np.nan)
        )
    return np.asarray(values, dtype=np.float64)


def _check_levels(levels: npt.ArrayLike | None) -> Floats:
    """``levels`` as floats, or a ValueError unless they are increasing, inside (0, 1),
    include 0.5 and pair up symmetrically around it (``levels[i] + levels[-1 - i] == 1``).
    The hubs' :data:`~epicurves.forecast.LEVELS` (``levels`` None) are checked once, on
    first use: a backtest scores each reference date's forecasts with them, three calls a
    model (30 µs each; 21,000 calls, 0.6 s, in a backtest of a few regions)."""
    if levels is None or levels is hub.LEVELS:
        return _hub_levels()
    return _checked(levels)


def _checked(levels: npt.ArrayLike) -> Floats:
    values = _floats(levels)
    if values.ndim != 1 or values.size == 0:
        msg = f"quantile levels of shape {values.shape}: expected a non-empty 1-D array"
        raise ValueError(msg)
    problem = None
    if not (np.all(values > 0) and np.all(values < 1)):
        problem = "not all strictly between 0 and 1"
    elif np.any(np.diff(values) <= 0):
        problem = "not strictly increasing"
    elif not np.allclose(values + values[::-1], 1.0, rtol=0, atol=LEVEL_TOLERANCE):
        problem = "not symmetric around 0.5 (each level l needs 1 - l)"
    elif abs(values[values.size // 2] - 0.5) > LEVEL_TOLERANCE:
        problem = "without the median 0.5"
    if problem is not None:
        msg = f"quantile levels {values.tolist()}: {problem}"
        raise ValueError(msg)
    return values


@functools.cache
def _hub_levels() -> Floats:
    """:data:`~epicurves.forecast.LEVELS`, checked once; read-only, as every caller shares it."""
    levels = _checked(hub.LEVELS).copy()
    levels.flags.writeable = False
    return levels


def _quantiles(quantiles: npt.ArrayLike, levels: Floats) -> Floats:
    """``quantiles`` as floats of shape ``(..., len(levels))``, or a ValueError."""
    q = _floats(quantiles)
    if q.ndim == 0 or q.shape[-1] != levels.size:
        msg = (
            f"quantiles of shape {q.shape}: expected (..., {levels.size}), "
            f"one value per level"
        )
        raise ValueError(msg)
    return q


def _observations(observed: npt.ArrayLike, q: Floats) -> Floats:
    """``observed`` as floats of a shape that broadcasts with ``q[..., 0]``."""
    y = _floats(observed)
    try:
        np.broadcast_shapes(y.shape, q.shape[:-1])
    except ValueError:
        msg = (
            f"observations of shape {y.shape} do not match forecasts of shape "
            f"{q.shape[:-1]} (quantiles of shape {q.shape})"
        )
        raise ValueError(msg) from None
    return y


def interval_parts(
    quantiles: npt.ArrayLike,
    observed: npt.ArrayLike,
    levels: npt.ArrayLike | None = None,
) -> WIS:
    """The weighted interval score of quantile forecasts, and its parts, as the hubs define it.

    ``quantiles`` has shape ``(..., L)``, the values at ``levels`` (None: the hubs' 23,
    :data:`~epicurves.forecast.LEVELS`) along its last axis; ``observed`` has shape
    ``(...)`` (or broadcasts to it). Any symmetric level set containing 0.5 works; others
    are a ValueError. A missing (NaN) observation or quantile gives NaN scores. Crossing
    quantiles are scored as given (the hubs reject them on submission): the WIS stays twice
    the mean pinball loss, but the dispersion of a crossed interval is negative.

    >>> levels = [0.1, 0.25, 0.5, 0.75, 0.9]
    >>> parts = interval_parts([2.0, 4.0, 5.0, 7.0, 10.0], [3.0, np.nan], levels)
    >>> parts.wis.round(2).tolist(), parts.overprediction.round(2).tolist()
    ([1.42, nan], [0.8, nan])
    """
    grid = _check_levels(levels)
    q = _quantiles(quantiles, grid)
    y = _observations(observed, q)[..., np.newaxis]
    k = grid.size // 2
    weight = grid[:k]  # alpha_k / 2: the lower level of each central interval
    lower = q[..., :k]
    upper = q[..., ::-1][..., :k]  # the upper bound of the same interval, in step
    median = q[..., k]
    y0 = y[..., 0]
    # (alpha/2) * (2/alpha) = 1: outside an interval, the distance counts in full.
    # np.maximum propagates NaN, so a missing observation or quantile gives NaN.
    dispersion = (weight * (upper - lower)).sum(axis=-1)
    over = np.maximum(lower - y, 0.0).sum(axis=-1) + 0.5 * np.maximum(median - y0, 0.0)
    under = np.maximum(y - upper, 0.0).sum(axis=-1) + 0.5 * np.maximum(y0 - median, 0.0)
    scale = 1.0 / (k + 0.5)
    # The widths do not depend on y: copied to its shape, NaN where y is missing.
    shape = np.broadcast_shapes(q.shape[:-1], y0.shape)
    dispersion = np.where(np.isnan(y0), np.nan, dispersion * scale)
    dispersion = np.array(np.broadcast_to(dispersion, shape), dtype=np.float64)
    over = np.array(np.broadcast_to(over * scale, shape), dtype=np.float64)
    under = np.array(np.broadcast_to(under * scale, shape), dtype=np.float64)
    return WIS(
        wis=np.asarray(dispersion + over + under, dtype=np.float64),
        dispersion=dispersion,
        overprediction=over,
        underprediction=under,
    )


def absolute_error(median: npt.ArrayLike, observed: npt.ArrayLike) -> Floats:
    """``|observed - median|``; NaN where either is missing.

    >>> absolute_error([10.0, 10.0], [7.0, np.nan]).tolist()
    [3.0, nan]
    """
    return np.asarray(np.abs(_floats(observed) - _floats(median)), dtype=np.float64)


def covered(
    quantiles: npt.ArrayLike,
    observed: npt.ArrayLike,
    width: float,
    levels: npt.ArrayLike | None = None,
) -> Floats:
    """Whether ``observed`` lies in the central ``width`` interval, bounds included.

    ``width`` 0.5 is the interval from level 0.25 to 0.75, 0.95 from 0.025 to 0.975; its
    two levels must be in ``levels`` (None: the hubs' 23). The result is a **float**
    array: 1.0 inside, 0.0 outside, and NaN where the observation (or a bound) is missing,
    so that a missing outcome is never counted as a miss: ``np.nanmean`` of it is the
    coverage.

    >>> q = np.linspace(0.0, 22.0, 23)  # level 0.25 at 6, 0.75 at 16
    >>> covered(q, [6.0, 16.0, 17.0, np.nan], 0.5).tolist()
    [1.0, 1.0, 0.0, nan]
    """
    grid = _check_levels(levels)
    q = _quantiles(quantiles, grid)
    y = _observations(observed, q)
    bounds = []
    for level in ((1 - width) / 2, (1 + width) / 2):
        where = np.flatnonzero(np.abs(grid - level) <= LEVEL_TOLERANCE)
        if where.size == 0:
            msg = (
                f"a central {width:g} interval needs the level {level:g}, not among "
                f"the levels {grid.tolist()}"
            )
            raise ValueError(msg)
        bounds.append(q[..., where[0]])
    lower, upper = bounds
    inside = ((lower <= y) & (y <= upper)).astype(np.float64)
    missing = np.isnan(y) | np.isnan(lower) | np.isnan(upper)
    return np.asarray(np.where(missing, np.nan, inside), dtype=np.float64)


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """A ValueError naming the columns of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{name} lack the columns {missing}: expected at least {list(columns)}"
        raise ValueError(msg)


def _level_index(ids: pd.Series, levels: Floats) -> npt.NDArray[np.intp]:
    """The index in ``levels`` of each ``output_type_id`` (numbers or their text), -1 for
    one that is not a level."""
    values = _floats(pd.to_numeric(ids, errors="coerce"))
    pos = np.clip(np.searchsorted(levels, values), 1, levels.size - 1)
    left = np.abs(values - levels[pos - 1])
    nearest = np.where(left <= np.abs(values - levels[pos]), pos - 1, pos)
    known = np.abs(values - levels[nearest]) <= LEVEL_TOLERANCE  # False for NaN
    return np.asarray(np.where(known, nearest, -1), dtype=np.intp)


def _describe(keys: pd.DataFrame, row: int, what: str = "forecast") -> str:
    """The key values of row ``row`` of ``keys``, for an error message."""
    values = {
        c: v.item() if isinstance(v, np.generic) else v
        for c, v in keys.iloc[row].items()
    }
    return f"{what} " + ", ".join(
        f"{c}={v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else f"{c}={v!r}"
        for c, v in values.items()
    )


def _to_days(values: pd.Series) -> pd.Series:
    """Dates (text or timestamps) as days, so that hub CSVs and frames join."""
    return pd.to_datetime(values).dt.normalize()


def score(forecasts: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Every quantile forecast scored against its observed outcome, one row per forecast.

    ``forecasts`` is the hubs' long "model output" table: one row per quantile, with the
    :data:`FORECAST_KEYS`, ``output_type_id`` (the level, a number or its text) and
    ``value``. Rows whose ``output_type`` (where that column exists) is not ``quantile``
    are ignored; any other column is a key of the forecast, kept in the result. Each
    forecast needs a finite value at each of the 23 :data:`~epicurves.forecast.LEVELS`,
    once: otherwise (or for an unknown level) a ValueError names the forecast.

    ``truth`` has the :data:`TRUTH_KEYS` and ``observed``, one row per outcome. Forecasts
    without an observed outcome (no row, or NaN) are left out. Dates come back as days
    (``datetime64``), rows sorted by their keys, with the :data:`SCORE_COLUMNS`:
    ``observed``, ``wis`` and its parts (:func:`interval_parts`), ``ae_median`` (the
    absolute error of the median) and ``covered_50``/``covered_95`` (booleans, bounds
    included).

    >>> from epicurves.forecast import LEVELS
    >>> forecasts = pd.DataFrame({"model": "flat", "region_id": "US", "target": "hosp",
    ...     "reference_date": "2025-07-05", "horizon": 0, "target_end_date": "2025-07-05",
    ...     "output_type_id": LEVELS, "value": np.linspace(80.0, 120.0, 23)})
    >>> truth = pd.DataFrame({"region_id": ["US"], "target": ["hosp"],
    ...     "target_end_date": ["2025-07-05"], "observed": [130.0]})
    >>> score(forecasts, truth)[["model", "wis", "ae_median", "covered_95"]].round(2)
      model    wis  ae_median  covered_95
    0  flat  22.29       30.0       False
    """
    _require(forecasts, (*FORECAST_KEYS, "output_type_id", "value"), "forecasts")
    _require(truth, (*TRUTH_KEYS, "observed"), "truth")
    frame = forecasts
    if "output_type" in frame.columns:
        frame = frame[frame["output_type"] == "quantile"]
    not_keys = {*FORECAST_KEYS, "output_type", "output_type_id", "value"}
    keys = [*FORECAST_KEYS, *(c for c in frame.columns if c not in not_keys)]
    frame = frame.assign(
        reference_date=_to_days(frame["reference_date"]),
        target_end_date=_to_days(frame["target_end_date"]),
    )
    grid = _hub_levels()
    size = grid.size
    forecast = frame.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    n = int(forecast.max()) + 1 if forecast.size else 0
    first = np.unique(forecast, return_index=True)[1]  # the first row of each forecast
    key_frame = frame[keys].iloc[first].reset_index(drop=True)

    level = _level_index(frame["output_type_id"], grid)
    if (level < 0).any():
        row = int(np.argmax(level < 0))
        msg = (
            f"{_describe(key_frame, forecast[row])}: output_type_id "
            f"{frame['output_type_id'].iloc[row]!r} is not one of the {size} quantile "
            f"levels {grid.tolist()}"
        )
        raise ValueError(msg)
    value = _floats(frame["value"])
    given = np.isfinite(value)
    counts = np.bincount(
        forecast[given] * size + level[given], minlength=n * size
    ).reshape(n, size)
    wrong = (counts != 1).any(axis=1)
    if wrong.any():
        bad = int(np.argmax(wrong))
        missing, twice = grid[counts[bad] == 0], grid[counts[bad] > 1]
        problems = []
        if missing.size:
            problems.append(f"no finite value at the levels {missing.tolist()}")
        if twice.size:
            problems.append(f"more than one value at the levels {twice.tolist()}")
        msg = (
            f"{_describe(key_frame, bad)}: {' and '.join(problems)} "
            f"(expected one value at each of the {size} levels)"
        )
        raise ValueError(msg)
    quantiles = np.empty((n, size))
    quantiles[forecast[given], level[given]] = value[given]

    outcomes = truth[[*TRUTH_KEYS, "observed"]].assign(
        target_end_date=_to_days(truth["target_end_date"]),
        observed=_floats(truth["observed"]),
    )
    twice_observed = outcomes.duplicated(list(TRUTH_KEYS))
    if twice_observed.any():
        row = int(np.argmax(twice_observed.to_numpy()))
        outcome = _describe(outcomes[list(TRUTH_KEYS)], row, "the outcome")
        msg = f"truth has more than one row for {outcome}"
        raise ValueError(msg)
    scored = key_frame.merge(outcomes, on=list(TRUTH_KEYS), how="left")
    observed = scored["observed"].to_numpy(np.float64)
    keep = ~np.isnan(observed)
    q, y = quantiles[keep], observed[keep]
    parts = interval_parts(q, y, grid)
    result: pd.DataFrame = (
        scored[keep]
        .reset_index(drop=True)
        .assign(
            wis=parts.wis,
            dispersion=parts.dispersion,
            overprediction=parts.overprediction,
            underprediction=parts.underprediction,
            ae_median=absolute_error(q[:, size // 2], y),
            covered_50=covered(q, y, 0.5, grid) == 1.0,
            covered_95=covered(q, y, 0.95, grid) == 1.0,
        )
    )
    return result


def _row_keys(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray | None:
    """One integer per row, equal exactly where the row's ``columns`` are (missing equal to
    missing, as a merge matches them); None where their combinations would not fit."""
    combined = np.zeros(len(frame), dtype=np.int64)
    span = 1
    for column in columns:
        codes, uniques = pd.factorize(frame[column])
        size = len(uniques) + 1  # and -1, a missing value
        span *= size
        if span >= 2**62:
            return None
        combined = combined * size + (codes + 1)
    return combined


def _baseline_rows(
    scores: pd.DataFrame, keys: Sequence[str], is_base: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Which rows of ``scores`` the baseline forecast too (the same ``keys``), and the row
    of the baseline's forecast for each of them: an inner merge of ``scores`` with the
    baseline's rows, computed on integer keys (millions of rows in a backtest). None where
    the baseline's rows are not one per forecast (then merged)."""
    combined = _row_keys(scores, keys)
    if combined is None:
        return None
    base = pd.Index(combined[is_base])
    if not base.is_unique:
        return None
    position = base.get_indexer(combined)
    matched = position >= 0
    return matched, np.flatnonzero(is_base)[position[matched]]


def relative_wis(
    scores: pd.DataFrame,
    by: Sequence[str] = ("target", "horizon"),
    baseline: str = "baseline",
    *,
    unique: bool = False,
) -> pd.DataFrame:
    """Each model's mean scores and its WIS relative to the baseline's, per group ``by``.

    ``scores`` is :func:`score`'s table (models' forecasts together). Every model is
    compared with ``baseline`` on the forecasts **both** made (the same keys but
    ``model``: region, target, reference date, horizon, ...); a forecast the baseline
    lacks is left out, for every column. Per group and model: ``n`` (the forecasts
    compared), the mean ``wis``, the baseline's mean WIS on the same forecasts
    (``baseline_wis``), ``relative_wis`` = the sum of the model's WIS over the sum of the
    baseline's (the ratio of mean scores on that common set: below 1 beats the
    baseline; 1.0 for the baseline itself), the mean absolute error of the median
    ``ae_median`` and the share of outcomes in the 50 % and 95 % intervals
    (``coverage_50``, ``coverage_95``). A forecast there twice is an error naming it;
    ``unique=True`` skips that check, for scores known to hold each forecast once (a
    backtest's own: the check is a second of the daily run on millions of rows), and pairs
    the forecasts with the baseline's on integer keys rather than by a merge (the same
    table).

    The table is :func:`from_sums` of :func:`score_sums`: summed by quarter of the reference
    date first, so that a stored backtest's summaries, kept as sums per quarter, are the
    same numbers to the last bit.

    This is what the hubs' "relative WIS against the baseline" is for one model and the
    baseline. Their reports over many models scale the geometric mean of pairwise ratios
    (Cramer et al. 2022) instead; the two agree when every model forecasts the same set.

    >>> keys = {"region_id": "US", "target": "hosp", "horizon": 0}
    >>> scores = pd.DataFrame([
    ...     {**keys, "model": "baseline", "reference_date": "2025-07-05", "wis": 4.0},
    ...     {**keys, "model": "m", "reference_date": "2025-07-05", "wis": 3.0},
    ...     {**keys, "model": "m", "reference_date": "2025-07-12", "wis": 9.0},
    ... ]).assign(ae_median=1.0, covered_50=True, covered_95=True)
    >>> relative_wis(scores)[["model", "n", "wis", "relative_wis"]]
          model  n  wis  relative_wis
    0  baseline  1  4.0          1.00
    1         m  1  3.0          0.75
    """
    models = scores["model"].unique().tolist() if "model" in scores else []
    if "model" in scores and baseline not in models:
        msg = f"no forecasts of the baseline {baseline!r}: the models are {models}"
        raise ValueError(msg)
    return from_sums(score_sums(scores, by, baseline, unique=unique), by)


#: The sums :func:`score_sums` keeps per group, model and quarter (``n``: how many).
SUMS = ("n", "wis", "baseline_wis", "ae_median", "covered_50", "covered_95")
#: The column of :func:`score_sums` naming the quarter of the reference date (:func:`quarter`).
QUARTER = "quarter"


def quarter(dates: Any) -> np.ndarray:
    """The quarter of each date, as a number (1970's first: 0), from its month alone.

    >>> quarter(pd.to_datetime(["1970-03-31", "2026-08-22"])).tolist()
    [0, 226]
    """
    months = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[M]")
    out: np.ndarray = months.astype(np.int64) // 3
    return out


def score_sums(
    scores: pd.DataFrame,
    by: Sequence[str] = ("target", "horizon"),
    baseline: str = "baseline",
    *,
    unique: bool = False,
) -> pd.DataFrame:
    """What :func:`relative_wis`' means are made of, per group ``by``, model and quarter of
    the reference date (``quarter``: :func:`quarter`; 0 without dates in that column): the
    forecasts compared with the baseline's (``n``) and the sums of :data:`SUMS` over them
    (the model's and the baseline's WIS, the median's absolute errors, the outcomes inside
    the 50 % and 95 % intervals). The sums of several tables' quarters add up: a stored
    backtest keeps them per quarter and adds them up with :func:`from_sums`."""
    groups = [*by, "model"]
    needed = ["model", "wis", "ae_median", "covered_50", "covered_95", *by]
    _require(scores, needed, "scores")
    keys = [c for c in scores.columns if c not in {*SCORE_COLUMNS, "model"}]
    if not set(by) <= set(keys):
        msg = f"relative_wis by {list(by)}: expected key columns among {keys}"
        raise ValueError(msg)
    twice = pd.Series(False) if unique else scores.duplicated([*keys, "model"])
    if twice.any():
        row = int(np.argmax(twice.to_numpy()))
        msg = (
            f"scores hold a forecast twice: {_describe(scores[['model', *keys]], row)}"
        )
        raise ValueError(msg)
    is_base = (scores["model"] == baseline).to_numpy(dtype=bool)
    found = _baseline_rows(scores, keys, is_base) if unique else None
    values = ["wis", "ae_median", "covered_50", "covered_95"]
    dated = (
        ["reference_date"]
        if "reference_date" in scores
        and pd.api.types.is_datetime64_dtype(scores["reference_date"])
        else []
    )
    if found is None:
        base = scores.loc[is_base, [*keys, "wis"]]
        common = scores.merge(base.rename(columns={"wis": "baseline_wis"}), on=keys)
        common = common[list(dict.fromkeys([*groups, *values, "baseline_wis", *dated]))]
    else:  # what the merge gives, in its order (the scores'), without merging
        matched, at = found
        common = scores.loc[matched, list(dict.fromkeys([*groups, *values, *dated]))]
        common = common.assign(baseline_wis=scores["wis"].to_numpy()[at])
    within = (
        quarter(common["reference_date"].to_numpy())
        if dated
        else np.zeros(len(common), dtype=np.int64)
    )
    table = (
        common.assign(**{QUARTER: within})
        .groupby([*groups, QUARTER], sort=True, dropna=False)
        .agg(
            n=("wis", "size"),
            wis=("wis", "sum"),
            baseline_wis=("baseline_wis", "sum"),
            ae_median=("ae_median", "sum"),
            covered_50=("covered_50", "sum"),
            covered_95=("covered_95", "sum"),
        )
        .reset_index()
    )
    return table.astype({"n": np.int64, "covered_50": np.int64, "covered_95": np.int64})


def from_sums(
    sums: pd.DataFrame, by: Sequence[str] = ("target", "horizon")
) -> pd.DataFrame:
    """:func:`relative_wis`' table from :func:`score_sums`' (one table's, or several tables'
    one after the other): each group's and model's sums added up in the order of their
    quarters (by NumPy, on each group's rows alone: the same sums give the same bits however
    the rows came), then divided."""
    groups = [*by, "model"]
    order = [*groups, QUARTER] if QUARTER in sums else groups
    ordered = sums.sort_values(order, kind="stable", ignore_index=True)
    codes = ordered.groupby(groups, sort=False, dropna=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, np.diff(codes) != 0]) if len(codes) else codes
    total = {
        c: np.add.reduceat(ordered[c].to_numpy(dtype=np.float64), starts)
        if len(starts)
        else np.zeros(0)
        for c in SUMS
    }
    n = total["n"].astype(np.int64)
    table = ordered.loc[starts, groups].reset_index(drop=True)
    # as pandas divides: a baseline's WIS of 0 gives inf or NaN, without a warning
    with np.errstate(divide="ignore", invalid="ignore"):
        return table.assign(
            n=n,
            wis=total["wis"] / n,
            baseline_wis=total["baseline_wis"] / n,
            relative_wis=total["wis"] / total["baseline_wis"],
            ae_median=total["ae_median"] / n,
            coverage_50=total["covered_50"] / n,
            coverage_95=total["covered_95"] / n,
        )

"""Forecasts of every series of a target at one or many reference dates, and their scores.

Vectorised over series: at each reference date, every series with enough history is forecast
at once by every model (:data:`MODELS`), from what was known then
(:meth:`~epicurves.forecast.series.Series.known_at`). A backtest does that at every reference
date of every series and scores each forecast against the data as known now.

Which reference dates a series has: those at which it has :data:`MIN_WEEKS` known weeks or more
by the week ending R - 7, and lacks at most :data:`MAX_CARRIED` of its newest weeks; a live
series up to the newest (the week after its last week), a frozen one up to the last whose
horizon 0 it has data for (frozen series are backtested, not forecast beyond their end).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import UsageError
from ..lazy import np, pd
from ..sources.geo import us_code_by_fips
from . import models as _models
from .baseline import baseline
from .levels import HORIZONS, LEVELS, MEDIAN, cutoff
from .scoring import SCORE_COLUMNS, covered, interval_parts
from .series import Series

__all__ = [
    "BACKTEST_COLUMNS",
    "FORECAST_COLUMNS",
    "MIN_WEEKS",
    "MODELS",
    "Batch",
    "Inputs",
    "Model",
    "batches",
    "forecast_every",
    "horizons_of",
    "hub_frame",
    "inputs_at",
    "model_names",
    "newest_reference_date",
    "reference_dates",
    "reference_span",
    "restrict",
    "scores_frame",
    "sorted_scores",
]

#: The fewest known weeks a series needs by R - 7 to be forecast at R.
MIN_WEEKS = 3
#: The most newest weeks a series may lack at R (its source late with a release) and still be
#: forecast, from its last known value carried forward: one (a holiday week); with more, no
#: forecast is made (CDC published nothing from 2025-09-24 to 2025-11-19, and the hubs paused).
MAX_CARRIED = 1

Model = Callable[..., "np.ndarray"]
"""``model(history, *, releases, seed, fallback) -> (S, 5, 23)``: see :mod:`.models`."""


def _baseline(
    history: np.ndarray,
    *,
    releases: bool,
    seed: int = 0,
    fallback: np.ndarray | None = None,
) -> np.ndarray:
    return fallback if fallback is not None else baseline(history)


#: The models, by name: the hubs' baseline and the models of :mod:`.models`
#: (``ensemble`` combines all but the baseline, :func:`~.models.ensemble`).
MODELS: dict[str, Model] = {"baseline": _baseline, **_models.MODELS}


def model_names(names: Sequence[str] | None = None) -> list[str]:
    """The models asked for (default all, the ensemble last), or a one-line error."""
    every = [*MODELS, "ensemble"] if _members() else list(MODELS)
    if not names:
        return every
    unknown = [n for n in names if n not in every]
    if unknown:
        msg = f"unknown model {unknown[0]!r}: expected one of {', '.join(every)}"
        raise UsageError(msg)
    return list(dict.fromkeys(names))


def _members() -> list[str]:
    """The models the ensemble combines: every one but the baseline."""
    return [n for n in MODELS if n != "baseline"]


def horizons_of(series: Series) -> np.ndarray:
    """The horizons forecast for a target: -1 … 3 for a source with releases, else 0 … 3."""
    return HORIZONS if series.target.realtime == "releases" else HORIZONS[1:]


def reference_dates(series: Series, *, scored: bool = False) -> pd.DatetimeIndex:
    """Every reference date at which at least one series of ``series`` is forecast; with
    ``scored``, only those whose forecasts have an outcome in the data now (the newest of a
    target without releases has none: its horizon 0 is the week after the data's last), as a
    backtest that keeps no forecasts makes only those."""
    if not len(series.weeks):
        return pd.DatetimeIndex([])
    start = series.weeks[0] + pd.Timedelta(days=7 * MIN_WEEKS)
    if (
        series.releases
    ):  # not before the first release can be used (R - 3 on or after it)
        first = min(series.releases) + pd.Timedelta(days=3)
        start = max(start, first + pd.Timedelta(days=(5 - first.day_of_week) % 7))
    end = series.weeks[-1] + pd.Timedelta(days=7)
    if scored:  # the week of the nearest horizon in the data
        end = series.weeks[-1] - pd.Timedelta(days=7 * int(horizons_of(series).min()))
    return pd.date_range(start, end, freq="7D")


def reference_span(series: Series) -> str:
    """The first and last of :func:`reference_dates`, as the errors say them."""
    dates = reference_dates(series)
    return f"{dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if len(dates) else "none"


def newest_reference_date(series: Series, rows: np.ndarray) -> pd.Timestamp:
    """The newest reference date of the series ``rows``: the Saturday after their last week."""
    last = int(series.last[rows].max())
    return pd.Timestamp(series.weeks[last]) + pd.Timedelta(days=7)


def _rows_at(series: Series, history: np.ndarray, week: int) -> np.ndarray:
    """The series forecast at the reference date whose R - 7 is week ``week``."""
    enough = np.isfinite(history).sum(axis=1) >= MIN_WEEKS
    end = np.where(series.live, series.last, series.last - 1)
    return np.flatnonzero(enough & (week <= end) & (week >= series.first))


@dataclass
class Batch:
    """The forecasts of every model at one reference date, for some series of a target."""

    reference_date: pd.Timestamp
    rows: np.ndarray
    """The series forecast (indices into :attr:`Series.regions`)."""
    horizons: np.ndarray
    quantiles: dict[str, np.ndarray]
    """By model: (rows, horizons, levels)."""
    carried: np.ndarray
    """Per row, how many newest weeks were carried forward (not yet published)."""


def _covariate_at(covariate: Series, reference_date: pd.Timestamp) -> np.ndarray:
    """What was known of a covariate at ``reference_date``; all missing before its first
    release (CDC's ED visits have releases from 2025-06-18 only: the models then go without)."""
    if covariate.releases and min(covariate.releases) > cutoff(reference_date):
        end = reference_date - pd.Timedelta(days=7)
        width = int((end - covariate.weeks[0]).days // 7) + 1
        return np.full((len(covariate.regions), width), np.nan)
    return covariate.known_at(reference_date)[0]


@dataclass
class Inputs:
    """What the models see at a reference date: every series forecast then (pooled models
    learn from all of them), its known weeks, how many of them were carried forward, and its
    covariate's known weeks. A forecast is a function of these (with the models and seed)."""

    reference_date: pd.Timestamp
    every: np.ndarray
    """The series forecast then (indices into :attr:`Series.regions`)."""
    known: np.ndarray
    carried: np.ndarray
    covariate: np.ndarray | None

    def digest(self, series: Series, models: Sequence[str], seed: int) -> str:
        """A digest of everything a forecast at this date is made of: the same digest, the
        same forecasts (kept ones are used again only then: :mod:`.pending`)."""
        made = hashlib.sha256()
        ids = np.asarray(series.regions, dtype=object)[self.every]
        head = [series.target.name, f"{series.weeks[0]:%Y-%m-%d}", *models, str(seed)]
        made.update("\0".join([*head, *map(str, ids)]).encode())
        made.update(np.int64(self.known.shape[1]).tobytes())
        for part in (self.known, self.carried, self.covariate):
            if part is not None:
                made.update(np.ascontiguousarray(part).tobytes())
        return made.hexdigest()[:24]


def inputs_at(series: Series, reference_date: pd.Timestamp) -> Inputs:
    """The :class:`Inputs` of a forecast of ``series`` at ``reference_date``."""
    history, carried = series.known_at(reference_date)
    week = history.shape[1] - 1
    every = _rows_at(series, history, week)
    every = every[carried[every] <= MAX_CARRIED]
    covariate = None
    if series.covariate is not None:  # what was known of it then, same weeks
        covariate = _covariate_at(series.covariate, reference_date)[every]
    return Inputs(reference_date, every, history[every], carried[every], covariate)


def forecast_every(
    series: Series, inputs: Inputs, models: Sequence[str], *, seed: int = 0
) -> Batch:
    """Every model's forecasts of every series forecast at the inputs' date."""
    horizons = horizons_of(series)
    keep = np.searchsorted(HORIZONS, horizons)
    if not len(inputs.every):
        return _empty(series, inputs.reference_date, models)
    known = inputs.known
    releases = series.target.realtime == "releases"
    base = baseline(known)
    made = {"baseline": base}
    extra: dict[str, np.ndarray] = {}
    if inputs.covariate is not None:
        extra["covariate"] = inputs.covariate
    for name in _members():
        if name in models or "ensemble" in models:
            made[name] = MODELS[name](
                known, releases=releases, seed=seed, fallback=base, **extra
            )
    if "ensemble" in models:
        made["ensemble"] = _models.ensemble([made[n] for n in _members()])
    out = {n: made[n][:, keep, :] for n in models}
    return Batch(inputs.reference_date, inputs.every, horizons, out, inputs.carried)


def restrict(
    batch: Batch, rows: np.ndarray | None, models: Sequence[str] | None = None
) -> Batch:
    """``batch``'s forecasts of those of the series ``rows`` it has (default all), by the
    ``models`` (default all it has)."""
    pick = np.arange(len(batch.rows))
    if rows is not None:
        pick = np.searchsorted(batch.rows, np.intersect1d(batch.rows, rows))
    names = list(batch.quantiles) if models is None else list(models)
    return Batch(
        batch.reference_date,
        batch.rows[pick],
        batch.horizons,
        {n: batch.quantiles[n][pick] for n in names},
        batch.carried[pick],
    )


def forecast_rows(
    series: Series,
    reference_date: pd.Timestamp,
    models: Sequence[str],
    rows: np.ndarray | None = None,
    *,
    seed: int = 0,
) -> Batch:
    """Every model's forecasts at ``reference_date`` of the series ``rows`` (default: every
    one forecast then). The models always see every series forecast at that date (pooled
    models learn from all of them), so a series' forecast is the same whichever are asked."""
    inputs = inputs_at(series, reference_date)
    if rows is not None and not np.isin(inputs.every, rows).any():  # none to forecast
        return _empty(series, reference_date, models)
    return restrict(forecast_every(series, inputs, models, seed=seed), rows)


def _empty(
    series: Series, reference_date: pd.Timestamp, models: Sequence[str]
) -> Batch:
    """A batch without forecasts."""
    horizons = horizons_of(series)
    none = np.empty(0, dtype=np.int64)
    shape = (0, len(horizons), len(LEVELS))
    return Batch(
        reference_date, none, horizons, {n: np.empty(shape) for n in models}, none
    )


def batches(
    series: Series,
    models: Sequence[str],
    dates: Sequence[pd.Timestamp] | None = None,
    rows: np.ndarray | None = None,
    *,
    seed: int = 0,
) -> Iterator[Batch]:
    """The forecasts at each reference date (default: all of :func:`reference_dates`)."""
    for day in reference_dates(series) if dates is None else dates:
        batch = forecast_rows(series, pd.Timestamp(day), models, rows, seed=seed)
        if len(batch.rows):
            yield batch


#: The columns of a forecast file (``epicurves forecast``, :func:`~epicurves.make_forecasts`): the
#: hubs' model output, then the region id and the model. A contract: later versions add columns.
#:
#: >>> FORECAST_COLUMNS[:4], FORECAST_COLUMNS[-2:]
#: (('reference_date', 'location', 'horizon', 'target'), ('region_id', 'model'))
FORECAST_COLUMNS: tuple[str, ...] = (
    "reference_date",
    "location",
    "horizon",
    "target",
    "target_end_date",
    "output_type",
    "output_type_id",
    "value",
    "region_id",
    "model",
)


def _locations(series: Series, rows: np.ndarray) -> np.ndarray:
    ids: np.ndarray = np.asarray(series.regions, dtype=object)[rows]
    if not series.target.hub:
        return ids
    fips = {region: code for code, region in us_code_by_fips().items()} | {"US": "US"}
    return np.array([fips.get(r, r) for r in ids], dtype=object)


def hub_frame(series: Series, found: Sequence[Batch]) -> pd.DataFrame:
    """The forecasts in the hubs' model-output format (:data:`FORECAST_COLUMNS`), one row per
    model, reference date, series, horizon and level."""
    parts = []
    levels = len(LEVELS)
    for batch in found:
        n, h = len(batch.rows), len(batch.horizons)
        if not n:
            continue
        regions = np.asarray(series.regions, dtype=object)[batch.rows]
        locations = _locations(series, batch.rows)
        horizon = np.tile(np.repeat(batch.horizons, levels), n)
        ends = batch.reference_date + pd.to_timedelta(7 * horizon, unit="D")
        for model, q in batch.quantiles.items():
            parts.append(
                pd.DataFrame(
                    {
                        "reference_date": batch.reference_date,
                        "location": np.repeat(locations, h * levels),
                        "horizon": horizon,
                        "target": series.target.name,
                        "target_end_date": ends,
                        "output_type": "quantile",
                        "output_type_id": np.tile(LEVELS, n * h),
                        "value": q.reshape(-1),
                        "region_id": np.repeat(regions, h * levels),
                        "model": model,
                    }
                )
            )
    if not parts:
        return pd.DataFrame({c: [] for c in FORECAST_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(FORECAST_COLUMNS)]


#: The columns of a backtest's scores (:func:`~epicurves.backtest`,
#: :func:`~epicurves.load_scores`): the forecast, its period (``tuning`` or ``evaluation``),
#: the outcome and its scores.
#:
#: >>> BACKTEST_COLUMNS[6:9], BACKTEST_COLUMNS[-2:]
#: (('period', 'observed', 'wis'), ('covered_50', 'covered_95'))
BACKTEST_COLUMNS: tuple[str, ...] = (
    "model", "target", "region_id", "reference_date", "horizon", "target_end_date", "period",
    *SCORE_COLUMNS,
)  # fmt: skip


def scores_frame(series: Series, found: Sequence[Batch]) -> pd.DataFrame:
    """The score of every forecast whose outcome is known now (:data:`BACKTEST_COLUMNS`);
    ``period`` is ``tuning`` up to the target's last tuning date, then ``evaluation``.
    Built as columns of arrays, one frame at the end (millions of rows in a backtest)."""
    columns: dict[str, list[np.ndarray]] = {c: [] for c in BACKTEST_COLUMNS}
    tuning_until = pd.Timestamp(series.target.tuning_until or "1900-01-01")
    models: list[str] = []
    for batch in found:
        n, h = len(batch.rows), len(batch.horizons)
        if not n:
            continue
        ends = batch.reference_date + pd.to_timedelta(7 * batch.horizons, unit="D")
        weeks = series.weeks.get_indexer(ends)
        observed = np.full((n, h), np.nan)
        inside = weeks >= 0
        observed[:, inside] = series.values[np.ix_(batch.rows, weeks[inside])]
        where = np.nonzero(np.isfinite(observed))
        count = len(where[0])
        if not count:
            continue
        tuning = batch.reference_date <= tuning_until
        for model, q in batch.quantiles.items():
            if model not in models:
                models.append(model)
            parts = interval_parts(q, observed)
            add = columns.__getitem__
            add("model").append(np.full(count, models.index(model)))
            add("region_id").append(batch.rows[where[0]])
            add("reference_date").append(
                np.full(count, batch.reference_date.to_datetime64())
            )
            add("horizon").append(batch.horizons[where[1]])
            add("target_end_date").append(ends.to_numpy()[where[1]])
            add("period").append(np.full(count, 0 if tuning else 1))
            add("observed").append(observed[where])
            for name in ("wis", "dispersion", "overprediction", "underprediction"):
                add(name).append(getattr(parts, name)[where])
            add("ae_median").append(np.abs(q[:, :, MEDIAN] - observed)[where])
            add("covered_50").append(covered(q, observed, 0.5)[where] == 1.0)
            add("covered_95").append(covered(q, observed, 0.95)[where] == 1.0)
    if not columns["wis"]:
        return compact_empty()
    data = {c: np.concatenate(v) for c, v in columns.items() if v}
    size = len(data["wis"])
    frame = pd.DataFrame(
        {
            "model": pd.Categorical.from_codes(data["model"], pd.Index(models)),
            "target": pd.Categorical.from_codes(
                np.zeros(size, dtype=np.int64), pd.Index([series.target.name])
            ),
            "region_id": pd.Categorical.from_codes(
                data["region_id"], pd.Index(series.regions)
            ),
            **{c: data[c] for c in ("reference_date", "horizon", "target_end_date")},
            "period": pd.Categorical.from_codes(
                data["period"], pd.Index(["tuning", "evaluation"])
            ),
            **{c: data[c] for c in BACKTEST_COLUMNS[7:]},
        }
    )
    return compact(frame[list(BACKTEST_COLUMNS)])


#: The text columns of a scores table, kept as categories (millions of rows, few values).
CATEGORIES = ("model", "target", "region_id", "period")


def compact(scores: pd.DataFrame) -> pd.DataFrame:
    """``scores`` with its text columns as categories of sorted values (whatever their order
    of arrival, the same frame gives the same categories) and its horizon an integer."""
    return concat_scores([scores])


def concat_scores(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Scores tables one after the other, their text columns categories of the sorted union
    of their values (no column becomes millions of Python strings on the way)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return compact_empty()
    parts = [f.copy(deep=False) for f in frames]  # columns are replaced, not changed
    for column in CATEGORIES:
        values: set[str] = set()
        for part in parts:
            if not isinstance(part[column].dtype, pd.CategoricalDtype):
                part[column] = part[column].astype(str).astype("category")
            part[column] = part[column].cat.rename_categories(
                [str(c) for c in part[column].cat.categories]
            )
            values.update(part[column].cat.categories)
        # plain Python strings: categories of Arrow strings box every value they give out
        every = pd.Index(sorted(values), dtype=object)
        for part in parts:
            part[column] = part[column].cat.set_categories(every)
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"horizon": "int64", "covered_50": bool, "covered_95": bool})


def sorted_scores(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Scores tables joined (:func:`concat_scores`) and sorted stably by the first six of
    :data:`BACKTEST_COLUMNS`; ``parts`` is emptied once they are joined, so that they can go
    before the sorted copy is made (a backtest's largest target is hundreds of MiB)."""
    joined = concat_scores(parts)
    parts.clear()
    keys = list(BACKTEST_COLUMNS[:6])
    return joined.sort_values(keys, kind="stable", ignore_index=True)


def compact_empty() -> pd.DataFrame:
    """An empty scores table with the columns' types."""
    types = dict.fromkeys(BACKTEST_COLUMNS, "float64") | {
        "reference_date": "datetime64[ns]",
        "target_end_date": "datetime64[ns]",
        "horizon": "int64",
        "covered_50": "bool",
        "covered_95": "bool",
    }
    empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in types.items()})
    for column in CATEGORIES:
        empty[column] = pd.Categorical([], categories=pd.Index([], dtype=object))
    return empty[list(BACKTEST_COLUMNS)]

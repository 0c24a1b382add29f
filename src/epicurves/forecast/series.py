"""The weekly series epicurves forecasts, read from the store, and what was known of each when.

A **target** is one kind of weekly series (:data:`FORECAST_TARGETS`): weekly cases or deaths of every
region (sums over MMWR weeks of the daily observations), US weekly hospital admissions for
COVID-19 and influenza (CDC), RKI's weekly hospitalisations. A :class:`Series` holds every
series of one target as a matrix (series x weeks, dated by the Saturday ending each week) and
answers what a forecaster knew at a reference date R (:meth:`Series.known_at`), by the rule of
:mod:`epicurves.forecast.levels`: what was published by R - 3.

- A source with releases (``cdc-covid``): the newest release on or before R - 3; in a week
  without one, the one before, as a real forecaster would have had it.
- A source of fixed values (RKI's hospitalisations as first reported on each day): those values
  up to the week ending R - 7. Scored against the values updated since.
- Any other source: its current data cut at the week ending R - 7. Where the source revises its
  past (RKI's cases by reporting date, CDC's influenza file, of which only the latest release is
  kept), this is more than was known then: scores are optimistic, and say so.

Weekly values of daily series are sums over complete weeks (all seven days present).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..lazy import np, pd
from ..model import SIGNAL_KEY, pick_shown
from ..releases import view
from ..sources import get_source
from ..store import Snapshot
from ..store.history import VALUES
from .levels import cutoff

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "COVARIATES",
    "FORECAST_TARGETS",
    "NoSeriesError",
    "Series",
    "Target",
    "load_series",
    "target",
    "week_end",
    "weekly_sums",
]


class NoSeriesError(UsageError):
    """The store has no series of a target (its source is not stored, or has too little)."""


@dataclass(frozen=True)
class Target:
    """One kind of weekly series a forecast is made of."""

    name: str
    """The hub target name (``wk inc covid hosp``), or one in the hubs' style (``wk inc case``)."""
    label: str
    """In words, for pages and messages: ``weekly cases``."""
    column: str = ""
    """The daily observations' column summed per week (``new_cases``); empty for a signal."""
    source: str = ""
    """The source of a signal target."""
    signal: str = ""
    """The signal (``admissions``)."""
    estimate: str = "measured"
    """The estimate forecast from (``fixed``: as first reported)."""
    scored: str = ""
    """The estimate scored against, if another (``updated``); default: the same."""
    tuning_until: str = ""
    """The last reference date whose scores may guide model choices (``YYYY-MM-DD``); every
    later one is evaluation."""
    hub: bool = False
    """Its locations are the hub's (two-digit FIPS codes and ``US``), not region ids."""
    covariate: str = ""
    """A series the models may learn from besides its own (a key of :data:`COVARIATES`)."""

    @property
    def realtime(self) -> str:
        """How the data a forecast uses compare with what was known at the time: ``releases``
        (exactly), ``fixed`` (exactly: values as first reported) or ``final`` (the current
        data cut at the week: optimistic where the source revises)."""
        if self.estimate == "fixed":
            return "fixed"
        if self.source and get_source(self.source).releases:
            return "releases"
        return "final"


#: Every target of the forecasts, by name: cases and deaths of every region, CDC's hospital
#: admissions (the hubs' own target names), RKI's hospitalisations.
#:
#: >>> list(FORECAST_TARGETS)[:3]
#: ['wk inc case', 'wk inc death', 'wk inc covid hosp']
#: >>> FORECAST_TARGETS["wk inc covid hosp"].realtime, FORECAST_TARGETS["wk inc case"].realtime
#: ('releases', 'final')
FORECAST_TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("wk inc case", "weekly cases", column="new_cases", tuning_until="2021-06-26"),
        Target(
            "wk inc death",
            "weekly deaths",
            column="new_deaths",
            tuning_until="2021-06-26",
            covariate="cases",
        ),
        Target(
            "wk inc covid hosp",
            "weekly COVID-19 hospital admissions",
            source="cdc-covid",
            signal="admissions",
            tuning_until="2025-06-28",
            hub=True,
            covariate="ed-covid",
        ),
        Target(
            "wk inc flu hosp",
            "weekly influenza hospital admissions",
            source="cdc-flu",
            signal="admissions",
            tuning_until="2025-06-28",
            hub=True,
            covariate="ed-flu",
        ),
        Target(
            "wk inc hosp",
            "weekly COVID-19 hospitalisations (RKI)",
            source="rki-hospitalisation",
            signal="hospitalisation-cases",
            estimate="fixed",
            scored="updated",
            tuning_until="2021-06-26",
        ),
    )
}  # fmt: skip


#: Series that move ahead of a target's, given to the models with it (same regions, weeks and
#: no-peeking rule): the share of emergency-department visits due to the disease (CDC's
#: NSSP) for hospital admissions, weekly cases for deaths.
COVARIATES: dict[str, Target] = {
    "ed-covid": Target("ed covid", "COVID-19 share of ED visits", source="cdc-covid", signal="ed-share"),
    "ed-flu": Target("ed flu", "influenza share of ED visits", source="cdc-flu", signal="ed-share"),
    "cases": Target("cases", "weekly cases", column="new_cases"),
}  # fmt: skip


def target(name: str) -> Target:
    """The target called ``name``, or a one-line :class:`UsageError` listing them."""
    try:
        return FORECAST_TARGETS[name]
    except KeyError:
        msg = f"unknown target {name!r}: expected one of {', '.join(map(repr, FORECAST_TARGETS))}"
        raise UsageError(msg) from None


def week_end(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """The Saturday ending the MMWR week (Sunday to Saturday) of each date.

    >>> week_end(pd.to_datetime(pd.Series(["2025-07-06", "2025-07-12", "2025-07-13"]))).astype(str).tolist()
    ['2025-07-12', '2025-07-12', '2025-07-19']
    """
    days = np.asarray(dates, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday: Monday is 0
    out: np.ndarray = days + ((5 - weekday) % 7).astype("timedelta64[D]")
    return out


def weekly_sums(daily: pd.DataFrame, column: str) -> pd.DataFrame:
    """``region_id, week, value``: the sums of ``column`` over each region's complete MMWR
    weeks (all seven days present; a missing value in a week leaves that week out).

    >>> days = pd.DataFrame({"region_id": "DE", "date": pd.date_range("2025-07-06", periods=10),
    ...                      "new_cases": 1.0})
    >>> weekly_sums(days, "new_cases").astype({"week": str}).values.tolist()
    [['DE', '2025-07-12', 7.0]]
    """
    codes, regions = pd.factorize(daily["region_id"].astype(str), sort=True)
    values = daily[column].to_numpy(dtype=np.float64, na_value=np.nan)
    [out] = _weekly(codes, np.asarray(regions, dtype=object), daily["date"], values)
    return out


def _weekly(
    codes: np.ndarray, regions: np.ndarray, dates: Any, *columns: np.ndarray
) -> list[pd.DataFrame]:
    """:func:`weekly_sums` of each of ``columns`` (values of rows given as region codes into
    ``regions``, and dates): counted with ``bincount``, sorted by region then week (sums of
    whole counts are exact in any order)."""
    if not len(codes):
        empty = pd.DataFrame(
            {"region_id": pd.Series([], dtype=object),
             "week": pd.Series([], dtype="datetime64[ns]"), "value": []}
        )  # fmt: skip
        return [empty.copy() for _ in columns]
    ends = week_end(dates).astype(np.int64)
    first = int(ends.min())
    week = (ends - first) // 7
    weeks = int(week.max()) + 1
    key = codes.astype(np.int64) * weeks + week
    length = len(regions) * weeks
    size = np.bincount(key, minlength=length)
    out = []
    for values in columns:
        known = ~np.isnan(values)
        count = np.bincount(key, weights=known, minlength=length)
        total = np.bincount(key, weights=np.where(known, values, 0.0), minlength=length)
        whole = np.flatnonzero((size == 7) & (count == 7))
        days = (first + 7 * (whole % weeks)).astype("datetime64[D]")
        out.append(
            pd.DataFrame(
                {
                    "region_id": regions[whole // weeks],
                    "week": days.astype("datetime64[ns]"),
                    "value": total[whole],
                }
            )
        )
    return out


@dataclass
class Series:
    """Every series of one target: the current values, and what was known when.

    ``values[i, j]`` is series ``regions[i]``'s value in the week ending ``weeks[j]`` as known
    now (the values scored against); NaN where there is none."""

    target: Target
    regions: list[str]
    weeks: pd.DatetimeIndex
    values: np.ndarray
    sources: list[str]
    """The source of each series."""
    live: np.ndarray
    """Whether each series' source still publishes (a frozen series is backtested only)."""
    first: np.ndarray
    """Index of each series' first week with a value (``len(weeks)``: none)."""
    last: np.ndarray
    """Index of each series' last week with a value (-1: none)."""
    realtime_values: np.ndarray | None = None
    """For a target of fixed values: each week's value as first reported (else None)."""
    releases: dict[pd.Timestamp, np.ndarray] = field(default_factory=dict)
    """For a source with releases: the matrix of each release, by its date."""
    covariate: Series | None = None
    """The covariate's series over the same regions and weeks (:attr:`Target.covariate`)."""

    def known_at(self, reference_date: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """What a forecaster knew at ``reference_date``: a matrix (series x weeks up to the
        week ending R - 7, the last column) and, per series, how many of its newest weeks were
        not yet published and were carried forward from its last known value (0 mostly; 1 in
        a week a release came late)."""
        end = reference_date - pd.Timedelta(days=7)
        stop = int(self.weeks.searchsorted(end, side="right"))
        if self.releases:
            day = cutoff(reference_date)
            known = [r for r in self.releases if r <= day]
            if not known:
                first = min(self.releases)
                msg = (
                    f"{self.target.name}: no release of {self.sources[0]} on or before "
                    f"{day:%Y-%m-%d}: its first release is {first:%Y-%m-%d}"
                )
                raise UsageError(msg)
            matrix = self.releases[max(known)][:, :stop]
        elif self.realtime_values is not None:
            matrix = self.realtime_values[:, :stop]
        else:
            matrix = self.values[:, :stop]
        width = len(self.weeks[:stop])
        if width < int((end - self.weeks[0]).days // 7) + 1:
            pad = int((end - self.weeks[0]).days // 7) + 1 - width
            matrix = np.pad(matrix, ((0, 0), (0, pad)), constant_values=np.nan)
        return _carried(matrix)

    def index(self, regions: Iterable[str]) -> np.ndarray:
        """The rows of the given region ids (an unknown one: a one-line error)."""
        position = {r: i for i, r in enumerate(self.regions)}
        rows = []
        for region in regions:
            if region not in position:
                msg = (
                    f"no {self.target.label} for region {region!r} "
                    f"(target {self.target.name!r} covers {len(self.regions)} regions)"
                )
                raise UsageError(msg)
            rows.append(position[region])
        return np.array(rows, dtype=np.int64)


def _carried(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``matrix`` with each row's trailing missing weeks filled with its last known value,
    and how many were filled per row."""
    known = np.isfinite(matrix)
    width = matrix.shape[1]
    if width == 0:
        return matrix, np.zeros(matrix.shape[0], dtype=np.int64)
    last = width - 1 - np.argmax(known[:, ::-1], axis=1)
    last[~known.any(axis=1)] = -1
    lag = (width - 1 - last).astype(np.int64)
    if not (lag > 0).any():
        return matrix, np.zeros_like(lag)
    out = matrix.copy()
    for row in np.flatnonzero((lag > 0) & (last >= 0)):
        out[row, last[row] + 1 :] = matrix[row, last[row]]
    lag[last < 0] = 0
    return out, lag


def _matrix(
    frame: pd.DataFrame, regions: Sequence[str], weeks: pd.DatetimeIndex
) -> np.ndarray:
    """``region_id, week, value`` rows as a matrix over ``regions`` x ``weeks``."""
    out = np.full((len(regions), len(weeks)), np.nan)
    if frame.empty:
        return out
    rows = pd.Index(regions).get_indexer(pd.Index(frame["region_id"].astype(str)))
    cols = weeks.get_indexer(pd.DatetimeIndex(frame["week"]))
    ok = (rows >= 0) & (cols >= 0)
    out[rows[ok], cols[ok]] = frame["value"].to_numpy(dtype=np.float64)[ok]
    return out


def _bounds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    known = np.isfinite(values)
    width = values.shape[1]
    first = np.where(known.any(axis=1), np.argmax(known, axis=1), width)
    last = np.where(
        known.any(axis=1), width - 1 - np.argmax(known[:, ::-1], axis=1), -1
    )
    return first, last


def _signal_rows(
    frame: pd.DataFrame, t: Target, estimate: str, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """``region_id, week, value`` (and the ``extra`` columns) of the rows of ``t``'s signal,
    ``estimate`` and all ages, each dated by the Saturday ending its week."""
    rows = frame[
        (frame["signal"].astype(str) == t.signal)
        & (frame["estimate"].astype(str) == estimate)
        & (frame["age_group"].astype(str) == "00+")
    ]
    out = rows[["region_id", "date", "value", *extra]].rename(columns={"date": "week"})
    if get_source(t.source).interval_days == 1:  # a daily 7-day value: its Saturday's
        dates = pd.to_datetime(out["week"])
        out = out[dates.dt.day_of_week.to_numpy() == 5]
    else:
        out = out.assign(week=week_end(out["week"]))
    return out.assign(region_id=out["region_id"].astype(str))


#: The weekly sums last made from a store generation's observations, by (store, generation,
#: shown sources, column): the targets of one backtest (cases, deaths, and cases again as the
#: deaths' covariate) read the observations once.
_WEEKLY: dict[tuple[str, int, tuple[tuple[str, str], ...], str], pd.DataFrame] = {}


def _weekly_of(snapshot: Snapshot, table: pd.DataFrame, column: str) -> pd.DataFrame:
    """``region_id, week, value``: the weekly sums of ``column`` of each region's shown
    source (``table``: one row per region, its shown source)."""
    shown = tuple(sorted(zip(table["region_id"], table["source"], strict=True)))
    key = (str(snapshot.store.root), snapshot.generation, shown, column)
    if key not in _WEEKLY:
        if any(k[:3] != key[:3] for k in _WEEKLY):
            _WEEKLY.clear()  # another generation's
        sources = sorted(set(table["source"]) & set(snapshot.sources()))
        # the few columns summed, as Arrow reads them (no nullable pandas types)
        daily = snapshot.load_columns(
            "observations", ["source", "region_id", "date", *_SUMMED], sources
        )
        if daily.num_rows:
            codes, regions = _codes(daily["region_id"])
            from_codes, names = _codes(daily["source"])
            # each region from its shown source only (a region may come from several)
            source_of = dict(zip(table["region_id"], table["source"], strict=True))
            index = {str(n): i for i, n in enumerate(names)}
            shown_code = np.array(
                [index.get(source_of.get(str(r), ""), -1) for r in regions],
                dtype=np.int64,
            )
            mine = shown_code[codes] == from_codes
            dates = daily["date"].to_numpy()[mine]
            values = [_floats(daily[name])[mine] for name in _SUMMED]
            sums = _weekly(codes[mine], regions, dates, *values)
        else:
            nothing = np.zeros(0, dtype=np.int64)
            sums = _weekly(nothing, nothing, nothing, *(nothing for _ in _SUMMED))
        for name, frame in zip(_SUMMED, sums, strict=True):
            _WEEKLY[(*key[:3], name)] = frame
    return _WEEKLY[key]


#: The observations' columns whose weekly sums are targets or covariates.
_SUMMED = ("new_cases", "new_deaths")


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Each value's code into the column's distinct values, sorted (as ``pd.factorize(...,
    sort=True)``, without making a Python string of each row)."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    names = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(names)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[encoded.indices.to_numpy()], names[order]


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A column's values as floats, NaN where missing."""
    return np.asarray(column.to_numpy(), dtype=np.float64)


def _rows_of(
    snapshot: Snapshot, t: Target, table: pd.DataFrame, estimate: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """``region_id, week, value`` of a target (its ``estimate`` for a signal), and the
    source of each region."""
    if t.column:
        source_of = dict(zip(table["region_id"], table["source"], strict=True))
        return _weekly_of(snapshot, table, t.column), source_of
    if t.source not in snapshot.sources():
        msg = f"target {t.name!r} needs source {t.source}: run `epicurves update`"
        raise NoSeriesError(msg)
    signals = snapshot.load_signals([t.source], signals=[t.signal])
    frame = _signal_rows(signals, t, estimate)
    return frame, dict.fromkeys(frame["region_id"].unique(), t.source)


def _filled(
    snapshot: Snapshot,
    t: Target,
    frame: pd.DataFrame,
    ids: list[str],
    weeks: pd.DatetimeIndex,
    table: pd.DataFrame,
    sources: list[str],
    live: np.ndarray,
) -> Series:
    """The series of ``t`` over ``ids`` x ``weeks``, with its releases or first-reported
    values where its source has them."""
    values = _matrix(frame, ids, weeks)
    first, last = _bounds(values)
    series = Series(t, ids, weeks, values, sources, live, first, last)
    if t.scored:
        fixed, _ = _rows_of(snapshot, t, table, t.estimate)
        series.realtime_values = _matrix(fixed, ids, weeks)
    elif t.realtime == "releases":
        history = snapshot.load_history(t.source, signals=[t.signal])
        series.releases = release_matrices(history, t, ids, weeks)
    return series


def release_matrices(
    history: pd.DataFrame, t: Target, ids: Sequence[str], weeks: pd.DatetimeIndex
) -> dict[pd.Timestamp, np.ndarray]:
    """The matrix of ``t`` over ``ids`` x ``weeks`` in each release of ``history`` (a
    source's rows each release changed, tombstones included: :mod:`epicurves.releases`):
    what each release's :func:`~epicurves.releases.view` holds, made in one pass, each
    release's matrix the one before with the release's rows written over it. The signal,
    estimate and age are key columns, so the rows of ``t`` in a release's view are the view
    of ``t``'s rows. Where two keys share a cell (two pathogens, or two dates of one week),
    which one shows depends on which keys a release holds: each view is then made whole."""
    days = np.unique(history["release"].dropna().to_numpy("datetime64[s]"))
    # each row's key: its cell, pathogen and day (a weekly cell holds any day of its week)
    dated = history.assign(day=history["date"])
    rows = _signal_rows(dated, t, t.estimate, ["release", "pathogen", "day"])
    cell_rows = pd.Index(ids).get_indexer(pd.Index(rows["region_id"]))
    cols = weeks.get_indexer(pd.DatetimeIndex(rows["week"]))
    ok = (cell_rows >= 0) & (cols >= 0)
    keys = rows.loc[ok, ["region_id", "week", "pathogen", "day"]].astype(str)
    cells = rows.loc[ok, ["region_id", "week"]].astype(str)
    if len(keys.drop_duplicates()) != len(cells.drop_duplicates()):
        return each_view(history, t, ids, weeks)
    stamps = rows["release"].to_numpy("datetime64[s]")[ok]
    order = np.argsort(stamps, kind="stable")
    at = np.searchsorted(days, stamps[order])  # each row's release, as an index of days
    r, c = cell_rows[ok][order], cols[ok][order]
    v = rows["value"].to_numpy(np.float64, na_value=np.nan)[ok][order]
    bounds = np.searchsorted(at, np.arange(len(days) + 1))
    current = np.full((len(ids), len(weeks)), np.nan)
    out = {}
    for i, day in enumerate(days):
        part = slice(bounds[i], bounds[i + 1])
        # a tombstone's missing value clears its cell
        current[r[part], c[part]] = v[part]
        out[pd.Timestamp(day)] = current.copy()
    return out


def each_view(
    history: pd.DataFrame, t: Target, ids: Sequence[str], weeks: pd.DatetimeIndex
) -> dict[pd.Timestamp, np.ndarray]:
    """:func:`release_matrices` the long way: each release's view made whole, its rows of
    ``t`` put in a matrix (a view's rows are sorted by key: of two keys in one cell, the
    greater shows)."""
    out = {}
    for day in np.unique(history["release"].dropna().to_numpy("datetime64[s]")):
        release = view(history, pd.Timestamp(day), list(SIGNAL_KEY), values=VALUES)
        out[pd.Timestamp(day)] = _matrix(
            _signal_rows(release, t, t.estimate), ids, weeks
        )
    return out


def load_series(
    snapshot: Snapshot,
    name: str,
    precedence: Sequence[str],
    regions: Sequence[str] | None = None,
) -> Series:
    """Every series of the target ``name`` in ``snapshot`` (only those ``regions`` if given),
    with its releases or first-reported values where the source has them, and its
    covariate's series over the same regions and weeks (:attr:`Target.covariate`)."""
    t = target(name)
    table = pick_shown(snapshot.load_regions(), precedence)
    live_sources = {s: get_source(s).live for s in snapshot.sources()}
    frame, source_of = _rows_of(snapshot, t, table, t.scored or t.estimate)
    ids = sorted(frame["region_id"].unique())
    if regions is not None:
        missing = [r for r in regions if r not in set(ids)]
        if missing:
            msg = f"no {t.label} for region {missing[0]!r} (target {t.name!r})"
            raise UsageError(msg)
        ids = list(dict.fromkeys(regions))
        frame = frame[frame["region_id"].isin(ids)]
    if frame.empty:
        msg = f"no {t.label} in the store (target {t.name!r}): run `epicurves update`"
        raise NoSeriesError(msg)
    start = frame["week"].min()
    extra = None
    if t.covariate:
        c = COVARIATES[t.covariate]
        try:
            extra, _ = _rows_of(snapshot, c, table, c.estimate)
        except NoSeriesError:
            extra = None
        if extra is not None and not extra.empty:
            extra = extra[extra["region_id"].isin(ids)]
            start = min(start, extra["week"].min())  # the covariate's longer past too
    weeks = pd.date_range(start, frame["week"].max(), freq="7D")
    sources = [source_of[r] for r in ids]
    live = np.array([live_sources.get(s, False) for s in sources])
    series = _filled(snapshot, t, frame, ids, weeks, table, sources, live)
    if t.covariate and extra is not None:
        c = COVARIATES[t.covariate]
        series.covariate = _filled(snapshot, c, extra, ids, weeks, table, sources, live)
    return series

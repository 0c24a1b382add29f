"""Forecasts, backtests and scores of the series in the store: the functions behind
``epicurves forecast``, ``epicurves backtest`` and ``epicurves scores``.

A backtest's scores are kept in ``HOME/forecasts/`` (:mod:`.stored`: a file per quarter of the
reference date) with the store generation, a digest of what each target's series are made of
and the series themselves; the next backtest redoes only the reference dates whose forecasts
or scores the data that changed can reach (a new week: the last few; a revised one: from three
weeks before it; a new release: from the first date that may use it), reads and writes only
the quarters they are in, and does not even read a target whose data (and the forecasting
code) did not change. The newest forecasts are kept too (:mod:`.pending`): redone dates whose
forecasts' data did not change are scored from them, not forecast again (:mod:`.work`).
``epicurves run`` keeps a stored backtest current.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..catalog import reading
from ..config import Settings
from ..errors import UsageError
from ..executor import make_executor
from ..lazy import np, pd
from ..locks import acquire, writing
from ..store import Snapshot
from . import engine, pending, stored, summary
from .levels import check_reference_date
from .series import FORECAST_TARGETS, NoSeriesError, Series, load_series, target
from .work import SERIES, Piece, plan, work

__all__ = [
    "BacktestReport",
    "backtest",
    "forecast_targets",
    "load_scores",
    "refresh_backtest",
    "scores",
]

#: Reference dates per piece of work spread over processes or a Dask cluster.
CHUNK = 24

Progress = Callable[[int, int], None]
"""``progress(done, total)``: pieces of a backtest done, of how many."""


def forecast_targets(names: Sequence[str] | None = None) -> list[str]:
    """The targets asked for (default: all), each checked."""
    return [target(n).name for n in names] if names else list(FORECAST_TARGETS)


def _each_series(
    snapshot: Snapshot,
    names: list[str],
    precedence: Sequence[str],
    regions: Sequence[str] | None,
    explicit: bool,
) -> Iterator[Series]:
    """The series of each target the store has data for (a target named explicitly that it
    lacks: an error; with ``regions``, the targets that have them)."""
    for name in names:
        try:
            series = load_series(snapshot, name, precedence)
            if regions is not None:
                series.index(regions)  # each region must have one
        except NoSeriesError:
            if explicit:
                raise
            continue
        except UsageError:
            if explicit or regions is None:
                raise
            continue
        yield series


def make_forecasts(
    targets: Sequence[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    reference_date: str | pd.Timestamp | None = None,
    regions: Sequence[str] | None = None,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecasts in the hubs' model-output format (:data:`~.engine.FORECAST_COLUMNS`) of every live
    series of the ``targets`` (default all), by the ``models`` (default ``ensemble``), at
    ``reference_date`` (a Saturday; default: each target's newest, the Saturday after its last
    week). Frozen series are not forecast: backtest them (:func:`backtest`).

    >>> hub = make_forecasts(["wk inc covid hosp"], regions=["US-CA"])
    >>> hub[["reference_date", "location", "horizon", "output_type_id"]].iloc[[0, 11]]
       reference_date location  horizon  output_type_id
    0      2021-03-13       06       -1            0.01
    11     2021-03-13       06       -1            0.50
    """
    names = forecast_targets(targets)
    chosen = engine.model_names(models or ["ensemble"])
    day = None if reference_date is None else check_reference_date(reference_date)
    frames = []
    outside: list[str] = []  # the live targets whose reference dates do not hold `day`
    with reading(settings, snapshot) as (settings, pinned):
        if regions is not None and not pinned.holds_any(regions):
            raise UsageError(_nothing_to_forecast(regions))  # before any series is read
        for series in _each_series(
            pinned, names, settings.precedence, regions, bool(targets)
        ):
            rows = np.flatnonzero(series.live)
            if regions is not None:
                rows = series.index(regions)
                frozen = [series.regions[r] for r in rows if not series.live[r]]
                if frozen and targets:
                    msg = (
                        f"{frozen[0]}: its {series.target.label} come from "
                        f"{series.sources[series.regions.index(frozen[0])]}, which no longer "
                        "publishes: only live series are forecast (run `epicurves backtest`)"
                    )
                    raise UsageError(msg)
                rows = rows[series.live[rows]]
            if not len(rows):
                continue
            at = day or engine.newest_reference_date(series, rows)
            if not _in_data(series, at, explicit=bool(targets)):
                if day is not None:  # (without one: too short a series for its first)
                    outside.append(
                        f"{series.target.name!r} ({engine.reference_span(series)})"
                    )
                continue
            batch = engine.forecast_rows(series, at, chosen, rows, seed=seed)
            if regions is not None and targets and len(batch.rows) < len(rows):
                short = sorted(set(rows) - set(batch.rows))[0]
                msg = (
                    f"{series.regions[short]}: too short a series of {series.target.label} "
                    f"at {at:%Y-%m-%d} (needs {engine.MIN_WEEKS} known weeks by R - 7)"
                )
                raise UsageError(msg)
            frames.append(engine.hub_frame(series, [batch]))
    if not frames and outside:
        msg = (
            f"reference date {day:%Y-%m-%d} is outside the data of every live target: "
            + "; ".join(outside)
        )
        raise UsageError(msg)
    if not frames:
        raise UsageError(_nothing_to_forecast(regions))
    return pd.concat(frames, ignore_index=True)


def _nothing_to_forecast(regions: Sequence[str] | None) -> str:
    what = f" of {', '.join(regions)}" if regions else ""
    return (
        f"no live weekly series{what} to forecast in the store "
        "(frozen series are backtested: `epicurves backtest`)"
    )


def _in_data(series: Series, day: pd.Timestamp, *, explicit: bool) -> bool:
    """Whether ``day`` is one of the target's reference dates (if not, and the target was
    asked for: a one-line error naming its range)."""
    dates = engine.reference_dates(series)
    if len(dates) and dates[0] <= day <= dates[-1]:
        return True
    if explicit:
        msg = (
            f"reference date {day:%Y-%m-%d} is outside the data of "
            f"{series.target.name!r}: its reference dates are {engine.reference_span(series)}"
        )
        raise UsageError(msg)
    return False


@dataclass
class BacktestReport:
    """What a backtest did: its scores, and how much it made anew.

    >>> report = backtest(["wk inc covid hosp"])
    >>> report.series, report.redone, len(report.scores) > 0
    ({'wk inc covid hosp': 4}, {'wk inc covid hosp': 4}, True)
    """

    scores: pd.DataFrame
    """Every scored forecast (:data:`~.engine.BACKTEST_COLUMNS`)."""
    forecasts: pd.DataFrame | None
    """Every forecast made, in the hubs' format (only when asked for)."""
    redone: dict[str, int]
    """Per target, how many series were redone: forecast anew, or their kept forecasts scored
    anew (the others' scores were kept)."""
    series: dict[str, int]
    """Per target, how many series it has."""


def backtest(
    targets: Sequence[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    regions: Sequence[str] | None = None,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    forecasts: bool = False,
    seed: int = 0,
    progress: Progress | None = None,
) -> BacktestReport:
    """Forecasts at every reference date of every series of the ``targets`` (default all) by
    every model (default all), scored against the data as known now. A full backtest (no
    ``models``, ``start``, ``end`` or ``regions``) is kept with the store and redone only for
    series that changed; ``scheduler`` spreads it over a Dask cluster (same result);
    ``forecasts`` also returns every forecast made, in the hubs' format (only then is a date
    none of whose outcomes is known yet forecast: :func:`~.engine.reference_dates`'
    ``scored``). ``progress`` is called with the pieces of work done and their number: first
    with none, then after each.

    >>> report = backtest(["wk inc covid hosp"], regions=["US-CA"], models=["baseline"])
    >>> report.scores[["region_id", "reference_date", "horizon", "wis"]]
      region_id reference_date  horizon  wis
    0     US-CA     2021-03-13       -1  0.0
    """
    names = forecast_targets(targets)
    chosen = engine.model_names(models)
    first = None if start is None else check_reference_date(start)
    last = None if end is None else check_reference_date(end)
    whole = models is None and start is None and end is None and regions is None
    whole = whole and not forecasts
    if whole:
        settings = settings or Settings.from_env()
    with _writer(settings if whole else None):
        return _backtest(
            names, chosen, first, last, whole, regions, settings, snapshot,
            scheduler, workers, forecasts, seed, explicit=bool(targets),
            progress=progress,
        )  # fmt: skip


def refresh_backtest(
    settings: Settings,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BacktestReport:
    """The stored backtest brought up to date, as the daily run does it: only what new data
    reach is forecast anew, and a target whose forecasts did not change is neither read nor
    written. The report counts the series; it has no scores (:func:`load_scores` reads them).
    """
    names = forecast_targets()
    with _writer(settings):
        return _backtest(
            names, engine.model_names(), None, None, True, None, settings, None,
            scheduler, workers, False, 0, explicit=False, collect=False,
            progress=progress,
        )  # fmt: skip


@contextlib.contextmanager
def _writer(settings: Settings | None) -> Iterator[None]:
    """The lock of the stored backtest's writer, when ``settings`` is given."""
    if settings is None:
        yield
        return
    with writing(settings.home):
        lock = acquire(
            settings.home / "forecasts.lock", holder="another backtest", timeout=600.0
        )
    try:
        yield
    finally:
        lock.release()


def _backtest(
    names: list[str],
    chosen: list[str],
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
    whole: bool,
    regions: Sequence[str] | None,
    settings: Settings | None,
    snapshot: Snapshot | None,
    scheduler: str | None,
    workers: int | None,
    forecasts: bool,
    seed: int,
    *,
    explicit: bool,
    collect: bool = True,
    progress: Progress | None = None,
) -> BacktestReport:
    """:func:`backtest`; without ``collect``, the stored scores of a target that needs no new
    forecast are neither read nor written (the daily run), and the report has no scores."""
    found: dict[str, list[pd.DataFrame]] = {}
    found_forecasts: list[pd.DataFrame] = []
    redone: dict[str, int] = {}
    counts: dict[str, int] = {}
    kept: dict[str, pd.DataFrame] = {}  # stored scores that stay (read when collected)
    earlier: dict[str, pd.DataFrame] = {}  # the stored scores of the quarters redone
    # per redone target, the quarters that stay as stored
    stay: dict[str, list[int]] = {}
    before: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}  # and their sums
    loaded: dict[str, Series] = {}
    # per target, the forecasts of the dates kept (pending) made or found valid this time
    current: dict[str, pending.Kept] = {}
    keep: dict[str, pd.DatetimeIndex] = {}
    with reading(settings, snapshot) as (settings, pinned):
        folder = settings.home / "forecasts"
        meta = stored.read_meta(folder) if whole else {}
        code = stored.code_fingerprint()
        same = meta.get("store") == pinned.store_id and meta.get("code") == code
        # made by other code, or from another store: made again
        stored_targets = meta.get("targets", {}) if same else {}
        # the targets not asked for this time stay as they were stored
        others = {k: v for k, v in stored_targets.items() if k not in names}
        fresh_meta: dict[str, Any] = {"targets": others}
        pieces: list[Piece] = []
        states: dict[str, dict[str, Any]] = {}
        for name in names:
            digest = (
                stored.signature(pinned, name, settings.precedence) if whole else ""
            )
            entry = stored_targets.get(name, {})
            quarters = stored.stored_quarters(entry)
            if whole and entry.get("signature") == digest:
                every = stored.read_scores(folder, name, quarters) if collect else None
                if not collect or every is not None:  # nothing it is made of changed
                    if every is not None:
                        kept[name] = every
                    fresh_meta["targets"][name] = entry
                    redone[name], counts[name] = 0, int(entry.get("series", 0))
                    continue
            try:
                [series] = _each_series(
                    pinned, [name], settings.precedence, regions, explicit
                )
            except ValueError:  # no series of the target (not asked for by name)
                continue
            counts[name] = len(series.regions)
            since = _since_all(series, regions)
            dates = engine.reference_dates(series, scored=not forecasts)
            stay[name] = []
            if whole and entry:
                state = stored.read_state(folder, name)
                since = stored.since(series, state)
                if state is not None and np.isnat(since).all() and not collect:
                    # nothing to forecast anew: its scores stay as stored
                    states[name] = stored.series_state(series)
                    fresh_meta["targets"][name] = {
                        "signature": digest,
                        "series": counts[name],
                        "quarters": quarters,
                        "summary": entry.get("summary", ""),  # its files stay
                    }
                    redone[name] = 0
                    continue
                gone = state is None or bool(
                    set(state["regions"]) - set(series.regions)
                )
                again = stored.quarters_to_redo(quarters, since, gone=gone)
                stay[name] = [q for q in quarters if q not in again]
                old = stored.read_scores(folder, name, again)
                kept_scores = (
                    stored.read_scores(folder, name, stay[name]) if collect else None
                )
                card = stored.read_sums(folder, name, "card")
                record = stored.read_sums(folder, name, "record")
                if (
                    old is None
                    or card is None
                    or record is None
                    or (collect and kept_scores is None)
                ):  # a file is missing: everything is made again
                    since, stay[name] = _since_all(series, None), []
                else:
                    before[name] = (card, record)
                    still = stored.still_valid(old, series, since)
                    if still.any():
                        earlier[name] = old.loc[still]
                    if kept_scores is not None:
                        kept[name] = kept_scores
            if whole:
                states[name] = stored.series_state(series)
                fresh_meta["targets"][name] = {
                    "signature": digest,
                    "series": counts[name],
                }
            redone[name] = int((~np.isnat(since)).sum())
            found[name] = []
            key = (
                str(pinned.store.root),
                pinned.generation,
                name,
                tuple(settings.precedence),
            )
            SERIES[key] = series  # for the work done in this process
            loaded[name] = series
            # the newest dates' forecasts are kept, and used again while their inputs hold
            keep[name] = pending.kept_dates(series) if whole else dates[:0]
            usable = (
                functools.partial(
                    pending.usable, folder, name, series, models=chosen, seed=seed
                )
                if entry  # (made by this code from this store)
                else _none_kept
            )
            reused, jobs = plan(series, since, dates, (first, last), usable, keep[name])
            current[name] = reused.kept
            found[name].extend(reused.scores)
            for chosen_dates, rows in jobs:
                for i in range(0, len(chosen_dates), CHUNK):
                    part = chosen_dates[i : i + CHUNK]
                    pieces.append(
                        Piece(
                            str(pinned.store.root), pinned.manifest, name,
                            tuple(settings.precedence), chosen, part, rows, seed,
                            forecasts, tuple(d for d in part if d in keep[name]),
                        )
                    )  # fmt: skip
        executor = make_executor(len(pieces) * 8, scheduler=scheduler, workers=workers)
        if progress is not None:
            progress(0, len(pieces))
        fresh: dict[str, pending.Kept] = {name: {} for name in current}
        try:
            for count, done in enumerate(executor.map_unordered(work, pieces), 1):
                if progress is not None:
                    progress(count, len(pieces))
                found[done.target].append(done.scores)
                if done.forecasts is not None:
                    found_forecasts.append(done.forecasts)
                for made_from, batch in done.kept:
                    fresh[done.target][batch.reference_date] = (made_from, batch)
        finally:
            executor.close()
            SERIES.clear()
        for name, made in fresh.items():
            if whole:  # written first: each is used again only if its digest holds
                pending.write(folder, name, made, keep[name])
            current[name].update(made)

        def finish(name: str) -> tuple[pd.DataFrame, stored.Target | None]:
            """A target's scores made anew (with those still valid of the quarters redone),
            in order; and, for the stored backtest, its quarters and their sums."""
            first = [earlier.pop(name)] if name in earlier else []
            frame = engine.sorted_scores([*first, *found.pop(name)])
            if not whole:
                return frame, None
            return frame, stored.target_files(frame, stay[name], before.get(name))

        # A thread per target: pandas leaves the GIL for much of its sorting, joining and
        # grouping, and the largest target's bookkeeping is seconds of a daily run.
        targets = list(found)
        threads = max(1, min(len(targets), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            finished = dict(zip(targets, pool.map(finish, targets), strict=True))
        by_target = {name: frame for name, (frame, _) in finished.items()}
        if whole:
            fresh_meta["store"] = pinned.store_id
            fresh_meta["generation"] = pinned.generation
            fresh_meta["code"] = code
            written = {n: t for n, (_, t) in finished.items() if t is not None}
            shown = {
                name: summary.shown(
                    loaded[name],
                    t.card_sums,
                    t.record_sums,
                    seed=seed,
                    made={day: batch for day, (_, batch) in current[name].items()},
                )
                for name, t in written.items()
            }
            stored.write(folder, written, fresh_meta, states, shown)
            del written  # the quarters' copies of the scores
        del finished
    result = engine.compact_empty()
    if collect:
        pairs = ((kept.pop(n, None), by_target.pop(n, None)) for n in names)
        result = engine.sorted_scores(
            [f for pair in pairs for f in pair if f is not None]
        )
    made_all = None
    if forecasts:
        keys = ["model", "target", "region_id", "reference_date", "horizon",
                "output_type_id"]  # fmt: skip
        made_all = (
            pd.concat(found_forecasts, ignore_index=True).sort_values(
                keys, kind="stable", ignore_index=True
            )
            if found_forecasts
            else pd.DataFrame({c: [] for c in engine.FORECAST_COLUMNS})
        )
    return BacktestReport(result, made_all, redone, counts)


def _none_kept(day: pd.Timestamp) -> None:
    """No kept forecast (:func:`.pending.usable` for a backtest that has none to read)."""


def _since_all(series: Series, regions: Sequence[str] | None) -> np.ndarray:
    """Every reference date of the series asked for (all, or those of ``regions``)."""
    since = np.full(len(series.regions), np.datetime64("NaT"), dtype="datetime64[ns]")
    dates = engine.reference_dates(series)
    rows = np.arange(len(series.regions)) if regions is None else series.index(regions)
    if len(dates):
        since[rows] = dates[0].to_datetime64()
    return since


def load_scores(
    targets: Sequence[str] | None = None,
    *,
    regions: Sequence[str] | None = None,
    period: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The score of every forecast of the backtest (:data:`~.engine.BACKTEST_COLUMNS`), brought
    up to date first (only series that changed are forecast again); only those ``regions``
    and ``period`` if given.

    >>> table = load_scores(["wk inc covid hosp"], regions=["US-CA"])
    >>> table[["model", "reference_date", "horizon", "observed", "covered_95"]].head(2)
          model reference_date  horizon  observed  covered_95
    0  baseline     2021-03-13       -1     650.0        True
    1  ensemble     2021-03-13       -1     650.0        True
    """
    if period not in (None, "tuning", "evaluation"):
        msg = f"unknown period {period!r}: expected tuning or evaluation"
        raise UsageError(msg)
    frame = backtest(targets, settings=settings).scores
    if regions is not None:
        missing = [r for r in regions if r not in set(frame["region_id"])]
        if missing:
            msg = f"no forecast scores for region {missing[0]!r}"
            raise UsageError(msg)
        frame = frame[frame["region_id"].isin(list(regions))]
    if period is not None:
        frame = frame[frame["period"] == period]
    return frame.reset_index(drop=True)


def scores(
    targets: Sequence[str] | None = None,
    *,
    regions: Sequence[str] | None = None,
    period: str | None = None,
    by: Sequence[str] = ("target", "period", "horizon"),
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The scorecard: per ``by`` group and model, the number of forecasts, mean WIS, relative
    WIS against the baseline on the same forecasts, mean absolute error of the median, and
    the 50 % and 95 % intervals' coverage.

    >>> card = scores(["wk inc covid hosp"], regions=["US-CA"])
    >>> list(card.columns[:5])
    ['target', 'period', 'horizon', 'model', 'n']
    """
    from .scoring import relative_wis

    frame = load_scores(targets, regions=regions, period=period, settings=settings)
    return relative_wis(frame, by=tuple(by))

"""The work of a backtest: per target, which series to forecast at which reference dates, and
which kept forecasts to score instead (:func:`plan`); and one piece of it, run in a worker
process or on a Dask cluster (:func:`work`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..lazy import np, pd
from ..store import Snapshot, Store
from . import engine, pending
from .series import Series, load_series

__all__ = ["SERIES", "Done", "Piece", "Reused", "plan", "work"]


@dataclass(frozen=True)
class Piece:
    """One piece of a backtest, small to send: the worker reads the series itself (once per
    worker process) from the pinned store generation the caller holds."""

    store: str
    manifest: dict[str, Any]
    target: str
    precedence: tuple[str, ...]
    models: list[str]
    dates: list[pd.Timestamp]
    rows: np.ndarray
    seed: int
    keep: bool
    """Whether to return the forecasts made, in the hubs' format."""
    kept: tuple[pd.Timestamp, ...] = ()
    """The dates whose forecasts of every series are returned too, to be kept
    (:mod:`.pending`)."""

    @property
    def key(self) -> tuple[str, int, str, tuple[str, ...]]:
        return (
            self.store,
            int(self.manifest.get("generation", 0)),
            self.target,
            self.precedence,
        )


class Done(NamedTuple):
    """What a piece gives back: its target, its scores, its forecasts in the hubs' format
    (when asked for) and the forecasts to keep, with their inputs' digests."""

    target: str
    scores: pd.DataFrame
    forecasts: pd.DataFrame | None
    kept: list[tuple[str, engine.Batch]]


#: The series a worker process read, by :attr:`Piece.key` (the caller's are put here too).
SERIES: dict[tuple[str, int, str, tuple[str, ...]], Series] = {}


def _series_of(piece: Piece) -> Series:
    if piece.key not in SERIES:
        store = Store(Path(piece.store))
        snapshot = Snapshot(store, piece.manifest, None)  # the caller holds the pin
        if len(SERIES) >= 4:
            SERIES.clear()
        SERIES[piece.key] = load_series(snapshot, piece.target, piece.precedence)
    return SERIES[piece.key]


def work(piece: Piece) -> Done:
    """One piece of a backtest (module-level: pickled to a worker process or to Dask)."""
    series = _series_of(piece)
    found, kept = [], []
    for day in piece.dates:
        inputs = engine.inputs_at(series, pd.Timestamp(day))
        keep = day in piece.kept
        if not keep and not np.isin(inputs.every, piece.rows).any():
            continue
        every = engine.forecast_every(series, inputs, piece.models, seed=piece.seed)
        if keep:
            kept.append((inputs.digest(series, piece.models, piece.seed), every))
        batch = engine.restrict(every, piece.rows)
        if len(batch.rows):
            found.append(batch)
    made = engine.hub_frame(series, found) if piece.keep else None
    return Done(piece.target, engine.scores_frame(series, found), made, kept)


@dataclass
class Reused:
    """The kept forecasts found valid, and their scores (:func:`plan`)."""

    kept: pending.Kept = field(default_factory=dict)
    scores: list[pd.DataFrame] = field(default_factory=list)


def plan(
    series: Series,
    since: np.ndarray,
    dates: pd.DatetimeIndex,
    span: tuple[pd.Timestamp | None, pd.Timestamp | None],
    usable: Callable[[pd.Timestamp], tuple[str, engine.Batch] | None],
    keep: pd.DatetimeIndex,
) -> tuple[Reused, list[tuple[list[pd.Timestamp], np.ndarray]]]:
    """A target's work: each reference date (of ``dates``, within ``span``) for the series
    whose ``since`` is on or before it, scored from the forecasts kept at the dates to
    ``keep`` that still hold (``usable``: :func:`.pending.usable`), or to forecast: each date
    once, as (dates, series) pairs (a date's forecast is made for every series at once:
    series whose data changed at different weeks share it). The newest of the dates to
    ``keep`` is forecast even when none of its outcomes is known (its forecasts are kept, and
    shown on the site)."""
    first, last = span
    reused = Reused()
    stale: set[pd.Timestamp] = set()  # none kept, or made from other data

    def valid(day: pd.Timestamp) -> bool:
        """Whether ``day``'s kept forecasts hold (each date checked once)."""
        if day in keep and day not in reused.kept and day not in stale:
            found = usable(day)
            if found is None:
                stale.add(day)
            else:
                reused.kept[day] = found
        return day in reused.kept

    jobs = []
    changed = ~np.isnat(since)
    starts = np.unique(since[changed])
    # between one series' first date and the next's, the same series: one job
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        rows = np.flatnonzero(changed & (since <= start))
        chosen = [
            d
            for d in dates
            if d >= pd.Timestamp(start)
            and (end is None or d < pd.Timestamp(end))
            and (first is None or d >= first)
            and (last is None or d <= last)
        ]
        for d in [d for d in chosen if valid(d)]:
            batch = engine.restrict(reused.kept[d][1], rows)
            reused.scores.append(engine.scores_frame(series, [batch]))
        todo = [d for d in chosen if d not in reused.kept]
        if todo:
            jobs.append((todo, rows))
    newest = keep[-1:]
    if len(newest) and newest[0] not in dates and not valid(newest[0]):
        jobs.append(([newest[0]], np.empty(0, dtype=np.int64)))
    return reused, jobs

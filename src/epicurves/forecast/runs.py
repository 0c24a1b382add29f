"""Forecasts, backtests and scores of the series in the store: the functions behind
``epicurves forecast``, ``epicurves backtest`` and ``epicurves scores``.

A backtest's scores are kept in ``HOME/forecasts/`` with the store generation and a digest of
every series they were made from; the next backtest redoes only the series whose data (or the
forecasting code) changed since.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from ..errors import EmptyStoreError, UsageError
from ..executor import make_executor
from ..files import write_atomic
from ..store import Snapshot, Store
from . import engine
from .levels import check_reference_date
from .series import TARGETS, NoSeriesError, Series, load_series, target

__all__ = [
    "BacktestReport",
    "backtest",
    "forecast",
    "forecast_targets",
    "load_scores",
    "scores",
]

#: Reference dates per piece of work spread over processes or a Dask cluster.
CHUNK = 24


def forecast_targets(names: Sequence[str] | None = None) -> list[str]:
    """The targets asked for (default: all), each checked."""
    return [target(n).name for n in names] if names else list(TARGETS)


@contextlib.contextmanager
def _snapshot(
    settings: Settings | None, snapshot: Snapshot | None
) -> Iterator[tuple[Settings, Snapshot]]:
    settings = settings or Settings.from_env()
    with contextlib.ExitStack() as stack:
        if snapshot is None:
            snapshot = stack.enter_context(Store(settings.store_dir).snapshot())
        if not snapshot.sources():
            raise EmptyStoreError(settings.store_dir)
        yield settings, snapshot


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
            yield load_series(snapshot, name, precedence, regions)
        except NoSeriesError:
            if explicit:
                raise
        except UsageError:
            if explicit or regions is None:
                raise


def forecast(
    targets: Sequence[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    reference_date: str | pd.Timestamp | None = None,
    regions: Sequence[str] | None = None,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecasts in the hubs' model-output format (:data:`~.engine.HUB_COLUMNS`) of every live
    series of the ``targets`` (default all), by the ``models`` (default ``ensemble``), at
    ``reference_date`` (a Saturday; default: each target's newest, the Saturday after its last
    week). Frozen series are not forecast: backtest them (:func:`backtest`).

    >>> hub = forecast(["wk inc covid hosp"], regions=["US-CA"])
    >>> hub[["reference_date", "location", "horizon", "output_type_id"]].iloc[[0, 11]]
       reference_date location  horizon  output_type_id
    0      2021-03-13       06       -1            0.01
    11     2021-03-13       06       -1            0.50
    """
    names = forecast_targets(targets)
    chosen = engine.model_names(models or ["ensemble"])
    day = None if reference_date is None else check_reference_date(reference_date)
    frames = []
    with _snapshot(settings, snapshot) as (settings, pinned):
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
            at = day or _newest(series, rows)
            if not _in_data(series, at, explicit=bool(targets)):
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
    if not frames:
        what = f" of {', '.join(regions)}" if regions else ""
        msg = (
            f"no live weekly series{what} to forecast in the store "
            "(frozen series are backtested: `epicurves backtest`)"
        )
        raise UsageError(msg)
    return pd.concat(frames, ignore_index=True)


def _newest(series: Series, rows: np.ndarray) -> pd.Timestamp:
    """The newest reference date of the series ``rows``: the Saturday after their last week."""
    last = int(series.last[rows].max())
    return pd.Timestamp(series.weeks[last]) + pd.Timedelta(days=7)


def _in_data(series: Series, day: pd.Timestamp, *, explicit: bool) -> bool:
    """Whether ``day`` is one of the target's reference dates (if not, and the target was
    asked for: a one-line error naming its range)."""
    dates = engine.reference_dates(series)
    if len(dates) and dates[0] <= day <= dates[-1]:
        return True
    if explicit:
        span = f"{dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if len(dates) else "none"
        msg = (
            f"reference date {day:%Y-%m-%d} is outside the data of "
            f"{series.target.name!r}: its reference dates are {span}"
        )
        raise UsageError(msg)
    return False


@dataclass
class BacktestReport:
    """What a backtest did: its scores, and how much it made anew."""

    scores: pd.DataFrame
    """Every scored forecast (:data:`~.engine.SCORE_COLUMNS`)."""
    forecasts: pd.DataFrame | None
    """Every forecast made, in the hubs' format (only when asked for)."""
    redone: dict[str, int]
    """Per target, how many series were forecast anew (the others' scores were kept)."""
    series: dict[str, int]
    """Per target, how many series it has."""


def _code_fingerprint() -> str:
    """A hash of the forecasting code: stored scores made by other code are made again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _digests(series: Series) -> dict[str, str]:
    """A digest of what each series' forecasts and scores depend on."""
    out = {}
    parts = [series.values]
    if series.realtime_values is not None:
        parts.append(series.realtime_values)
    parts.extend(series.releases[r] for r in sorted(series.releases))
    stamp = ",".join(f"{w:%Y-%m-%d}" for w in series.weeks[:1]).encode()
    stamp += str(sorted(series.releases)).encode() + str(len(series.weeks)).encode()
    for i, region in enumerate(series.regions):
        digest = hashlib.sha256(stamp + bytes([bool(series.live[i])]))
        for part in parts:
            digest.update(np.ascontiguousarray(part[i]).tobytes())
        out[region] = digest.hexdigest()[:16]
    return out


def _work(
    item: tuple[Series, list[str], list[pd.Timestamp], np.ndarray | None, int, bool],
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One piece of a backtest (module-level: run in a worker process or on Dask)."""
    series, models, dates, rows, seed, keep = item
    found = list(engine.batches(series, models, dates, rows, seed=seed))
    made = engine.hub_frame(series, found) if keep else None
    return engine.scores_frame(series, found), made


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
) -> BacktestReport:
    """Forecasts at every reference date of every series of the ``targets`` (default all) by
    every model (default all), scored against the data as known now. A full backtest (no
    ``models``, ``start``, ``end`` or ``regions``) is kept with the store and redone only for
    series that changed; ``scheduler`` spreads it over a Dask cluster (same result);
    ``forecasts`` also returns every forecast made, in the hubs' format.

    >>> report = backtest(["wk inc covid hosp"], regions=["US-CA"], models=["baseline"])
    >>> report.scores[["region_id", "reference_date", "horizon", "wis"]].head(2)
      region_id reference_date  horizon         wis
    0     US-CA     2021-03-13       -1  109.000000
    1     US-CA     2021-03-13        0  139.708333
    """
    names = forecast_targets(targets)
    chosen = engine.model_names(models)
    first = None if start is None else check_reference_date(start)
    last = None if end is None else check_reference_date(end)
    whole = models is None and start is None and end is None and regions is None
    all_scores, all_forecasts = [], []
    redone: dict[str, int] = {}
    counts: dict[str, int] = {}
    with _snapshot(settings, snapshot) as (settings, pinned):
        folder = settings.home / "forecasts"
        meta = _read_meta(folder) if whole and not forecasts else {}
        code = _code_fingerprint()
        fresh_meta: dict[str, Any] = {"code": code, "targets": {}}
        work = []
        kept: dict[str, pd.DataFrame] = {}
        for series in _each_series(
            pinned, names, settings.precedence, regions, bool(targets)
        ):
            name = series.target.name
            counts[name] = len(series.regions)
            digests = _digests(series)
            rows: np.ndarray | None = None
            if regions is not None:
                rows = series.index(regions)
            old = meta.get("targets", {}).get(name, {}).get("digests", {})
            if meta.get("code") == code and old:
                same = [r for r, d in digests.items() if old.get(r) == d]
                stored = _read_scores(folder, name)
                if stored is not None:
                    kept[name] = stored[stored["region_id"].isin(same)]
                    rows = np.flatnonzero([r not in set(same) for r in series.regions])
            fresh_meta["targets"][name] = {"digests": digests}
            redone[name] = len(series.regions) if rows is None else len(rows)
            if rows is not None and not len(rows):
                continue
            dates = list(engine.reference_dates(series))
            dates = [
                d
                for d in dates
                if (first is None or d >= first) and (last is None or d <= last)
            ]
            for i in range(0, len(dates), CHUNK):
                work.append(
                    (series, chosen, dates[i : i + CHUNK], rows, seed, forecasts)
                )
        executor = make_executor(len(work) * 8, scheduler=scheduler, workers=workers)
        try:
            for scored, made in executor.map_unordered(_work, work):
                all_scores.append(scored)
                if made is not None:
                    all_forecasts.append(made)
        finally:
            executor.close()
        result = pd.concat([*kept.values(), *all_scores], ignore_index=True)
        result = _sorted(result.astype({"horizon": "int64"}), engine.SCORE_COLUMNS[:6])
        if whole and not forecasts:
            fresh_meta["store"] = pinned.store_id
            fresh_meta["generation"] = pinned.generation
            _write(folder, result, fresh_meta)
    made_all = None
    if forecasts:
        made_all = _sorted(
            pd.concat(all_forecasts, ignore_index=True)
            if all_forecasts
            else engine.hub_frame(series, []),
            [
                "model",
                "target",
                "region_id",
                "reference_date",
                "horizon",
                "output_type_id",
            ],
        )
    return BacktestReport(result, made_all, redone, counts)


def _sorted(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    return frame.sort_values(list(keys), kind="stable", ignore_index=True)


def _slug(name: str) -> str:
    return name.replace(" ", "-")


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def _read_scores(folder: Path, name: str) -> pd.DataFrame | None:
    try:
        return pd.read_parquet(folder / f"scores-{_slug(name)}.parquet")
    except (OSError, ValueError):
        return None


def _write(folder: Path, scores: pd.DataFrame, meta: dict[str, Any]) -> None:
    """The scores of each target, then the metadata naming their digests (last: a killed
    write leaves metadata that does not match, and the next backtest redoes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in scores.groupby("target", sort=True):
        buffer = io.BytesIO()
        part.reset_index(drop=True).to_parquet(buffer, index=False)
        write_atomic(folder / f"scores-{_slug(str(name))}.parquet", buffer.getvalue())
    write_atomic(folder / "meta.json", json.dumps(meta, indent=1, sort_keys=True))


def load_scores(
    targets: Sequence[str] | None = None,
    *,
    regions: Sequence[str] | None = None,
    period: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The score of every forecast of the backtest (:data:`~.engine.SCORE_COLUMNS`), brought
    up to date first (only series that changed are forecast again)."""
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

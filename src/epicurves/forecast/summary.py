"""What the site shows of the forecasts, kept with the stored backtest: each live series'
current forecast, each series' track record and the scorecard.

A backtest that stores its scores (:func:`epicurves.backtest` without options, and the daily
run) also stores, per target it redid: ``current-<target>.parquet`` (the ensemble's forecast of
every live series at its newest reference date, in the hubs' format), ``record-<target>.parquet``
(per series, how its past forecasts did: :func:`records`) and ``card-<target>.parquet`` (the
scorecard, :func:`scorecard`: what ``epicurves scores`` prints). The site reads these small
files (:func:`load_summary`) and never the millions of scores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..categories import text_ordered
from ..config import Settings
from ..lazy import np, pd
from .scoring import QUARTER, SUMS, from_sums, quarter, score_sums
from .series import FORECAST_TARGETS, Series

if TYPE_CHECKING:
    from . import engine

__all__ = [
    "RECORD_MODEL",
    "ForecastSummary",
    "card_sums",
    "current",
    "has_backtest",
    "load_summary",
    "read_meta",
    "record_sums",
    "records",
    "records_from",
    "scorecard",
    "scorecard_from",
    "shown",
    "slug",
    "summary_digest",
]

#: The model whose forecasts the site shows and whose track record it gives.
RECORD_MODEL = "ensemble"
#: The columns of :func:`records`.
RECORD_COLUMNS = (
    "target", "region_id", "n", "coverage_50", "coverage_95", "relative_wis",
    "first_reference_date", "last_reference_date",
)  # fmt: skip
RECORD_DATES = ("first_reference_date", "last_reference_date")


def current(
    series: Series,
    *,
    seed: int = 0,
    made: Mapping[pd.Timestamp, engine.Batch] | None = None,
) -> pd.DataFrame:
    """The ensemble's forecast of every live series of ``series`` at the newest reference date
    (the Saturday after the newest week of any of them), in the hubs' format; none when no
    live series can be forecast then (a series whose data stop earlier is left out). Taken
    from ``made`` (every model's forecasts of every series, by date) when it has that date."""
    # The models (and NumPy): imported by who forecasts, not by who reads a summary.
    from . import engine

    rows = np.flatnonzero(series.live & (series.last >= 0))
    if not len(rows):
        return engine.hub_frame(series, [])
    at = pd.Timestamp(series.weeks[int(series.last[rows].max())]) + pd.Timedelta(days=7)
    dates = engine.reference_dates(series)
    if not len(dates) or at > dates[-1]:
        return engine.hub_frame(series, [])
    rows = rows[series.last[rows] == series.last[rows].max()]  # up to date
    kept = (made or {}).get(at)
    if kept is not None and RECORD_MODEL in kept.quantiles:
        batch = engine.restrict(kept, rows, [RECORD_MODEL])
    else:
        batch = engine.forecast_rows(series, at, [RECORD_MODEL], rows, seed=seed)
    return engine.hub_frame(series, [batch])


def records(scores: pd.DataFrame) -> pd.DataFrame:
    """Per target and series, how the ensemble's past forecasts did, every horizon and period
    together: ``n`` forecasts scored, the share of outcomes inside the 50 % and 95 %
    intervals, and the WIS relative to the baseline's on the same forecasts (below 1: errors
    smaller than the baseline's). ``scores``: a backtest's own, each forecast once."""
    return records_from(record_sums(scores))


def record_sums(scores: pd.DataFrame) -> pd.DataFrame:
    """What :func:`records` is made of, per target, series and quarter of the reference date:
    :func:`~.scoring.score_sums` of the ensemble against the baseline, with the first and
    last reference date of the ensemble's forecasts (``n`` 0 where none was compared). The
    sums of a backtest's quarters, one table after the other, give its :func:`records_from`.
    """
    wanted = scores["model"].isin([RECORD_MODEL, "baseline"]).to_numpy(dtype=bool)
    # the scores score_sums reads, not their parts (millions of rows in a backtest)
    unused = {"observed", "dispersion", "overprediction", "underprediction"}
    pair = scores.loc[wanted, [c for c in scores.columns if c not in unused]]
    by = ["target", "region_id", QUARTER]
    if not len(pair) or not (pair["model"] == RECORD_MODEL).any():
        return pd.DataFrame({c: [] for c in [*by, *SUMS, *RECORD_DATES]})
    texts = ("model", "target", "region_id")
    pair = pair.assign(**{c: _in_text_order(pair[c]) for c in texts})
    sums = score_sums(pair, by=("target", "region_id"), unique=True)
    sums = sums[(sums["model"] == RECORD_MODEL).to_numpy(dtype=bool)].drop(
        columns="model"
    )
    mine = pair[(pair["model"] == RECORD_MODEL).to_numpy(dtype=bool)]
    dated = mine.assign(**{QUARTER: quarter(mine["reference_date"].to_numpy())})
    dates = (
        dated.groupby(by, sort=True)["reference_date"]
        .agg(first_reference_date="min", last_reference_date="max")
        .reset_index()
    )
    sums = sums.astype(dict.fromkeys(texts[1:], str))
    dates = dates.astype(dict.fromkeys(texts[1:], str))
    out = dates.merge(sums, on=by, how="left")
    out[list(SUMS)] = out[list(SUMS)].fillna(0)
    counts = dict.fromkeys(("n", "covered_50", "covered_95"), np.int64)
    return out[[*by, *SUMS, *RECORD_DATES]].astype(counts)


def records_from(sums: pd.DataFrame) -> pd.DataFrame:
    """:func:`records` from :func:`record_sums` (of one table, or of several one after the
    other): a series none of whose forecasts was compared with the baseline's is left out."""
    if not len(sums):
        return pd.DataFrame({c: [] for c in RECORD_COLUMNS})
    by = ["target", "region_id"]
    compared = sums[(sums["n"] > 0).to_numpy(dtype=bool)]
    card = from_sums(compared.assign(model=RECORD_MODEL), by=by)
    dates = (
        sums.groupby(by, sort=True)
        .agg(
            first_reference_date=("first_reference_date", "min"),
            last_reference_date=("last_reference_date", "max"),
        )
        .reset_index()
    )
    out = card.merge(dates, on=by, how="left")
    return out[list(RECORD_COLUMNS)].reset_index(drop=True)


def _in_text_order(column: pd.Series) -> pd.Series:
    """``column`` grouped as its text would be, cheaply: a categorical with its categories
    as text in text order (made text once grouped), rather than millions of strings."""
    values = column.array
    if not isinstance(values, pd.Categorical):
        return column.astype(str)
    return pd.Series(text_ordered(values), index=column.index)


#: The groups of the scorecard (:func:`scorecard`).
CARD_BY = ("target", "period", "horizon")


def scorecard(scores: pd.DataFrame) -> pd.DataFrame:
    """Per target, period and horizon, every model's scores: :func:`epicurves.scores`'
    table. ``scores``: a backtest's own, each forecast once."""
    return scorecard_from(card_sums(scores))


def card_sums(scores: pd.DataFrame) -> pd.DataFrame:
    """What :func:`scorecard` is made of, per quarter of the reference date
    (:func:`~.scoring.score_sums`, its text columns as text)."""
    if not len(scores):
        return pd.DataFrame()
    sums = score_sums(scores, by=CARD_BY, unique=True)
    return sums.astype(dict.fromkeys(("target", "period", "model"), str))


def scorecard_from(sums: pd.DataFrame) -> pd.DataFrame:
    """:func:`scorecard` from :func:`card_sums` (of one table, or several one after the
    other)."""
    if not len(sums):
        return pd.DataFrame()
    return from_sums(sums, by=CARD_BY)


def shown(
    series: Series,
    card_sums: pd.DataFrame,
    record_sums: pd.DataFrame,
    *,
    seed: int = 0,
    made: Mapping[pd.Timestamp, engine.Batch] | None = None,
) -> dict[str, pd.DataFrame]:
    """What the site shows of a target (kept with its stored backtest): the ``current``
    forecasts of ``series`` (from ``made`` where it has them: :func:`current`), the track
    records (``record``) and the scorecard (``card``) from the sums of every quarter of its
    scores."""
    return {
        "current": current(series, seed=seed, made=made),
        "record": records_from(record_sums),
        "card": scorecard_from(card_sums),
    }


@dataclass(frozen=True)
class ForecastSummary:
    """What the stored backtest says for the site (:func:`load_summary`)."""

    current: pd.DataFrame
    """Every live series' current ensemble forecast (the hubs' format)."""
    records: pd.DataFrame
    """Each series' track record (:func:`records`)."""
    card: pd.DataFrame
    """The scorecard (:func:`scorecard`), every target."""
    digest: str
    """Changes whenever any of them does (a digest of their contents, kept in the stored
    backtest's metadata): not when a daily run forecast nothing anew."""

    @property
    def empty(self) -> bool:
        return not len(self.records) and not len(self.current)


def slug(name: str) -> str:
    """A target's name in file names: ``wk-inc-case``."""
    return name.replace(" ", "-")


def has_backtest(settings: Settings) -> bool:
    """Whether the home holds a stored backtest (which the daily run then keeps current)."""
    return (settings.home / "forecasts" / "meta.json").is_file()


def read_meta(folder: Path) -> dict[str, Any]:
    """The stored backtest's metadata (:mod:`.stored`); empty without one."""
    try:
        return dict(json.loads((folder / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def _read(folder: Path, prefix: str) -> pd.DataFrame:
    parts = []
    for name in FORECAST_TARGETS:
        path = folder / f"{prefix}-{slug(name)}.parquet"
        if path.is_file():
            parts.append(pd.read_parquet(path))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _digest(meta: dict[str, Any]) -> str:
    shown = {n: t.get("summary", "") for n, t in meta.get("targets", {}).items()}
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:16]


def summary_digest(settings: Settings | None = None) -> str:
    """:attr:`ForecastSummary.digest` of the stored backtest, from its metadata alone (a
    build that finds it unchanged reads none of the summaries); ``""`` without a backtest."""
    settings = settings or Settings.from_env()
    meta = read_meta(settings.home / "forecasts")
    return _digest(meta) if meta else ""


def load_summary(settings: Settings | None = None) -> ForecastSummary:
    """The stored backtest's current forecasts, track records and scorecard, as stored (not
    brought up to date: the daily run does that); empty when the home has no backtest."""
    settings = settings or Settings.from_env()
    folder = settings.home / "forecasts"
    meta = read_meta(folder)
    if not meta:
        empty = pd.DataFrame()
        return ForecastSummary(empty, empty, empty, "")
    return ForecastSummary(
        _read(folder, "current"), _read(folder, "record"), _read(folder, "card"),
        _digest(meta),
    )  # fmt: skip

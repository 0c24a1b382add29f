"""The stored backtest: its files in ``HOME/forecasts/``, and what changed since it was made.

Per target: ``scores-<target>/<quarter>.parquet`` (every scored forecast, a file per quarter of
the reference date: a new week rewrites the newest quarter alone), ``cardsums-<target>.parquet``
and ``recordsums-<target>.parquet`` (the sums per quarter the scorecard and the track records
are made of: :func:`.summary.card_sums`, :func:`.summary.record_sums`), ``series-<target>.npz``
(the series the forecasts were made from), what the site shows of them (:mod:`.summary`), the
newest forecasts themselves (``pending-<target>/``: :mod:`.pending`), and ``meta.json`` naming
the store, its generation and, per target, a digest of everything in the store its series are
made of (with the forecasting code), its quarters and a digest of what the site shows.
:func:`since` compares a target's series now with the stored ones and says, per series, from
which reference date its forecasts or scores may differ; :func:`quarters_to_redo` which stored
quarters that reaches.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..lazy import np, pd
from ..store import Snapshot
from . import engine, summary
from .scoring import QUARTER, quarter
from .series import COVARIATES, FORECAST_TARGETS, Series
from .summary import read_meta, slug

__all__ = [
    "Target",
    "by_quarter",
    "code_fingerprint",
    "first_change",
    "quarter_name",
    "quarters_to_redo",
    "read_meta",
    "read_scores",
    "read_state",
    "read_sums",
    "series_state",
    "signature",
    "since",
    "slug",
    "still_valid",
    "stored_quarters",
    "target_files",
    "write",
]


@functools.cache
def code_fingerprint() -> str:
    """A hash of the forecasting code: stored scores made by other code are made again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def signature(snapshot: Snapshot, series_target: str, precedence: Sequence[str]) -> str:
    """A digest of everything in the store a target's series (and its covariate's) are made
    of, with the forecasting code: when it is as stored with the scores, the target is not
    even read again."""
    t = FORECAST_TARGETS[series_target]
    wanted = [t, COVARIATES[t.covariate]] if t.covariate else [t]
    meta, digests, signals = (
        snapshot.meta(),
        snapshot.digests(),
        snapshot.signal_digests(),
    )
    signal_sources = {x.source for x in wanted if x.source}
    observed = set(digests) if any(x.column for x in wanted) else set()
    sources = sorted(signal_sources | observed)
    digest = hashlib.sha256(f"{code_fingerprint()}{list(precedence)}".encode())
    for source in sources:
        entry = {
            "digests": digests.get(source),
            "signals": signals.get(source) if source in signal_sources else None,
            "releases": list(meta[source].releases) if source in meta else None,
        }
        digest.update(json.dumps(entry, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def first_change(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Per row, the first week (column) where ``new`` differs from ``old`` (which may have
    fewer weeks); ``new``'s width where none does."""
    width = new.shape[1]
    same = np.zeros(new.shape, dtype=bool)
    shared = min(old.shape[1], width)
    a, b = old[:, :shared], new[:, :shared]
    same[:, :shared] = (a == b) | (np.isnan(a) & np.isnan(b))
    differs = ~same
    out: np.ndarray = np.where(differs.any(axis=1), np.argmax(differs, axis=1), width)
    return out


def since(series: Series, old: dict[str, Any] | None) -> np.ndarray:
    """Per series, the first reference date whose forecast or score may differ from the
    stored ones (NaT: none). A forecast at R depends on the data up to R - 7 (or the release
    of R - 3) and its covariate's, its scores on the weeks up to R + 21."""
    count = len(series.regions)
    start = engine.reference_dates(series)
    everything = np.full(
        count, start[0] if len(start) else pd.NaT, dtype="datetime64[ns]"
    )
    if old is None or pd.Timestamp(old["start"]) != series.weeks[0]:
        return everything
    where = {r: i for i, r in enumerate(old["regions"])}
    rows = np.array([where.get(r, -1) for r in series.regions])
    out = everything.copy()
    known = rows >= 0
    if not known.any():
        return out
    weeks = series.weeks
    pick = rows[known]
    changed = first_change(old["values"][pick], series.values[known])
    since = np.full(known.sum(), np.datetime64("NaT"), dtype="datetime64[ns]")
    hit = changed < len(weeks)
    since[hit] = (weeks[changed[hit]] - pd.Timedelta(days=21)).to_numpy()
    # what the forecasts see besides the values: the values as first reported, and the
    # covariate's (a change at week W reaches the forecasts from W + 7 on); a covariate with
    # releases is read as each release had it, like the target's own from the same source:
    # a new release reaches them both (below)
    covariate = series.covariate
    if covariate is not None and covariate.releases:
        covariate = None
    for now, before in (
        (series.realtime_values, old.get("realtime")),
        (None if covariate is None else covariate.values, old.get("covariate")),
    ):
        if now is None or before is None:
            continue
        fixed = first_change(before[pick], now[known])
        hit = fixed < len(weeks)
        later = (
            weeks[np.minimum(fixed, len(weeks) - 1)] + pd.Timedelta(days=7)
        ).to_numpy()
        since = np.where(hit & (np.isnat(since) | (later < since)), later, since)
    fresh = [
        d for d in series.releases if d.strftime("%Y-%m-%d") not in set(old["releases"])
    ]
    if fresh:
        day = min(fresh) + pd.Timedelta(days=3)
        day += pd.Timedelta(days=(5 - day.day_of_week) % 7)
        first = day.to_datetime64().astype("datetime64[ns]")
        since = np.where(np.isnat(since) | (first < since), first, since)
    out[known] = since
    return out


def series_state(series: Series) -> dict[str, Any]:
    """What :func:`since` compares the next time."""
    return {
        "start": series.weeks[0],
        "regions": list(series.regions),
        "values": series.values,
        "realtime": series.realtime_values,
        "releases": [d.strftime("%Y-%m-%d") for d in sorted(series.releases)],
        "covariate": None if series.covariate is None else series.covariate.values,
    }


def quarter_name(number: int) -> str:
    """A quarter's file name: ``2026q3`` (:func:`~.scoring.quarter` 226)."""
    return f"{number // 4 + 1970}q{number % 4 + 1}"


def stored_quarters(entry: dict[str, Any]) -> list[int]:
    """The quarters a target's metadata says are stored."""
    return [int(q) for q in entry.get("quarters", [])]


def quarters_to_redo(
    quarters: Sequence[int], since: np.ndarray, *, gone: bool
) -> list[int]:
    """The stored ``quarters`` whose scores :func:`since`'s dates reach: from the quarter of
    the earliest of them on (none if none); all of them where a series is ``gone`` (its
    scores are in every quarter)."""
    if gone:
        return list(quarters)
    dates = since[~np.isnat(since)]
    if not len(dates):
        return []
    first = int(quarter(dates.min(keepdims=True))[0])
    return [q for q in quarters if q >= first]


def read_scores(
    folder: Path, name: str, quarters: Sequence[int]
) -> pd.DataFrame | None:
    """The stored scores of a target's ``quarters``, one after the other (None when one
    cannot be read: the backtest then redoes the target)."""
    frames = []
    for number in quarters:
        path = folder / f"scores-{slug(name)}" / f"{quarter_name(number)}.parquet"
        try:
            frames.append(pd.read_parquet(path))
        except (OSError, ValueError):
            return None
    return engine.concat_scores(frames)


def read_sums(folder: Path, name: str, kind: str) -> pd.DataFrame | None:
    """A target's stored sums of ``kind`` (``card`` or ``record``), every quarter."""
    try:
        return pd.read_parquet(folder / f"{kind}sums-{slug(name)}.parquet")
    except (OSError, ValueError):
        return None


def by_quarter(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """``frame``'s rows by quarter of the reference date, each in ``frame``'s order."""
    if not len(frame):
        return {}
    numbers = quarter(frame["reference_date"].to_numpy())
    order = np.argsort(numbers, kind="stable")
    cuts = np.flatnonzero(np.diff(numbers[order])) + 1
    return {
        int(numbers[rows[0]]): frame.take(rows).reset_index(drop=True)
        for rows in np.split(order, cuts)
    }


@dataclass
class Target:
    """What a backtest writes of one target: the scores of the quarters it ``made``, the
    sums of every quarter, and the quarters stored in the end (the files of others go)."""

    made: dict[int, pd.DataFrame]
    card_sums: pd.DataFrame
    record_sums: pd.DataFrame
    quarters: list[int]


def still_valid(earlier: pd.DataFrame, series: Series, since: np.ndarray) -> np.ndarray:
    """Which stored scores still hold: of a current region, before its first changed date."""
    column = earlier["region_id"]
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(str).astype("category")
    # by the categories' codes: the table has millions of rows and a few thousand regions
    names = column.cat.categories
    if not len(names):
        return np.zeros(len(earlier), dtype=bool)
    cut = pd.Series(since, index=series.regions).reindex(names).to_numpy()
    current = names.isin(series.regions)  # none of a gone region
    codes = column.cat.codes.to_numpy()
    at = np.maximum(codes, 0)
    mine = cut[at]
    dates = earlier["reference_date"].to_numpy(dtype="datetime64[ns]")
    valid: np.ndarray = (codes >= 0) & current[at] & (np.isnat(mine) | (dates < mine))
    return valid


def target_files(
    frame: pd.DataFrame,
    stay: Sequence[int],
    before: tuple[pd.DataFrame, pd.DataFrame] | None,
) -> Target:
    """What a backtest writes of a target: its scores made anew (``frame``, in order) by
    quarter, and the sums of every quarter — of those made anew computed, of those that
    ``stay`` as stored the stored ones (``before``: the card's and the records' sums). A
    quarter stored before that has no score now is not among its quarters: :func:`write`
    removes its file."""
    made = by_quarter(frame)
    # the sums of every quarter made, in one pass: a quarter's rows are in the same order
    # as in a table of that quarter alone, so its sums are the same
    card = _per_quarter(summary.card_sums(frame))
    record = _per_quarter(summary.record_sums(frame))
    for sums, kept in zip((card, record), before or (), strict=False):
        if QUARTER not in kept:  # no sums stored: no score
            continue
        numbers = kept[QUARTER].to_numpy()
        for q in stay:
            sums[q] = kept[numbers == q]
    quarters = sorted({*stay, *made})
    return Target(
        made,
        _in_order(card, quarters),
        _in_order(record, quarters),
        quarters,
    )


def _per_quarter(sums: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """The rows of each quarter of :func:`.summary.card_sums`' or ``record_sums``' table."""
    if QUARTER not in sums:
        return {}
    numbers = sums[QUARTER].to_numpy()
    return {int(q): sums[numbers == q] for q in np.unique(numbers)}


def _in_order(sums: dict[int, pd.DataFrame], quarters: list[int]) -> pd.DataFrame:
    """The sums of the ``quarters``, one after the other in their order."""
    frames = [sums[q] for q in quarters if q in sums and len(sums[q])]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_state(folder: Path, name: str) -> dict[str, Any] | None:
    try:
        # from the bytes: a damaged file leaves no file open
        raw = io.BytesIO((folder / f"series-{slug(name)}.npz").read_bytes())
        with np.load(raw, allow_pickle=False) as data:
            realtime, covariate = data["realtime"], data["covariate"]
            return {
                "start": pd.Timestamp(str(data["start"])),
                "regions": data["regions"].tolist(),
                "values": data["values"],
                "realtime": realtime if realtime.size else None,
                "releases": data["releases"].tolist(),
                "covariate": covariate if covariate.size else None,
            }
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # (a damaged file: the target is made again)


def write(
    folder: Path,
    targets: dict[str, Target],
    meta: dict[str, Any],
    states: dict[str, dict[str, Any]],
    summaries: dict[str, dict[str, pd.DataFrame]] | None = None,
) -> None:
    """The quarters and sums of the ``targets``, the series of those in ``states`` and the
    summaries (:mod:`.summary`: ``{"current": frame, "record": ..., "card": ...}``) of those in
    ``summaries`` (the others' files stay), then the metadata naming them (last, and removed
    first: a killed write leaves no metadata, and the next backtest redoes everything); a
    target's files of quarters it no longer has are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)
    tables: list[tuple[Path, pd.DataFrame]] = []
    for name, target in targets.items():
        place = folder / f"scores-{slug(name)}"
        place.mkdir(exist_ok=True)
        for number, frame in target.made.items():
            tables.append((place / f"{quarter_name(number)}.parquet", frame))
        tables.append((folder / f"cardsums-{slug(name)}.parquet", target.card_sums))
        tables.append((folder / f"recordsums-{slug(name)}.parquet", target.record_sums))
        meta["targets"][name]["quarters"] = target.quarters
    for name, kinds in (summaries or {}).items():
        digest = hashlib.sha256()
        for kind, frame in sorted(kinds.items()):
            tables.append((folder / f"{kind}-{slug(name)}.parquet", frame))
            digest.update(
                kind.encode() + pd.util.hash_pandas_object(frame).to_numpy().tobytes()
            )
        # what the site shows of the target: its pages are rewritten when this changes
        meta["targets"][name]["summary"] = digest.hexdigest()[:16]
    for path, part in tables:
        buffer = io.BytesIO()
        part.reset_index(drop=True).to_parquet(buffer, index=False)
        write_atomic(path, buffer.getvalue())
    for name, target in targets.items():
        keep = {f"{quarter_name(q)}.parquet" for q in target.quarters}
        for path in (folder / f"scores-{slug(name)}").iterdir():
            # a quarter with no score now, of earlier code, or of a killed write
            if path.name not in keep:
                path.unlink(missing_ok=True)
        # the whole table in one file, as earlier versions stored it
        (folder / f"scores-{slug(name)}.parquet").unlink(missing_ok=True)
    for name, state in states.items():
        buffer = io.BytesIO()
        realtime = state["realtime"]
        np.savez(
            buffer,
            start=np.array(f"{state['start']:%Y-%m-%d}"),
            regions=np.array(state["regions"], dtype=str),
            values=state["values"],
            realtime=np.empty(0) if realtime is None else realtime,
            releases=np.array(state["releases"], dtype=str),
            covariate=np.empty(0) if state["covariate"] is None else state["covariate"],
        )
        write_atomic(folder / f"series-{slug(name)}.npz", buffer.getvalue())
    write_atomic(folder / "meta.json", json.dumps(meta, indent=1, sort_keys=True))

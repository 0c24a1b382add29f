"""The stored backtest: its files in ``HOME/forecasts/``, and what changed since it was made.

Per target: ``scores-<target>.parquet`` (every scored forecast), ``series-<target>.npz`` (the
series the forecasts were made from), what the site shows of them (:mod:`.summary`), and
``meta.json`` naming the store, its generation and, per target, a digest of everything in the
store its series are made of (with the forecasting code) and one of what the site shows. :func:`since` compares a target's series now with the stored ones and says, per series,
from which reference date its forecasts or scores may differ.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..files import write_atomic
from ..store import Snapshot
from . import engine
from .series import COVARIATES, FORECAST_TARGETS, Series

__all__ = [
    "code_fingerprint",
    "first_change",
    "read_meta",
    "read_scores",
    "read_state",
    "series_state",
    "signature",
    "since",
    "slug",
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
    of R - 3), its scores on the weeks up to R + 21."""
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
    if series.realtime_values is not None and old.get("realtime") is not None:
        fixed = first_change(old["realtime"][pick], series.realtime_values[known])
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


def slug(name: str) -> str:
    return name.replace(" ", "-")


def read_meta(folder: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / "meta.json").read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def read_scores(folder: Path, name: str) -> pd.DataFrame | None:
    try:
        return pd.read_parquet(folder / f"scores-{slug(name)}.parquet")
    except (OSError, ValueError):
        return None


def read_state(folder: Path, name: str) -> dict[str, Any] | None:
    try:
        with np.load(folder / f"series-{slug(name)}.npz", allow_pickle=False) as data:
            realtime, covariate = data["realtime"], data["covariate"]
            return {
                "start": pd.Timestamp(str(data["start"])),
                "regions": data["regions"].tolist(),
                "values": data["values"],
                "realtime": realtime if realtime.size else None,
                "releases": data["releases"].tolist(),
                "covariate": covariate if covariate.size else None,
            }
    except (OSError, ValueError, KeyError):
        return None


def write(
    folder: Path,
    scores: dict[str, pd.DataFrame],
    meta: dict[str, Any],
    states: dict[str, dict[str, Any]],
    summaries: dict[str, dict[str, pd.DataFrame]] | None = None,
) -> None:
    """The scores of the targets in ``scores``, the series of those in ``states`` and the
    summaries (:mod:`.summary`: ``{"current": frame, "record": ..., "card": ...}``) of those in
    ``summaries`` (the others' files stay), then the metadata naming them (last, and removed
    first: a killed write leaves no metadata, and the next backtest redoes everything)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)
    tables = [(f"scores-{slug(n)}", part) for n, part in scores.items()]
    for name, kinds in (summaries or {}).items():
        digest = hashlib.sha256()
        for kind, frame in sorted(kinds.items()):
            tables.append((f"{kind}-{slug(name)}", frame))
            digest.update(
                kind.encode() + pd.util.hash_pandas_object(frame).values.tobytes()
            )
        # what the site shows of the target: its pages are rewritten when this changes
        meta["targets"][name]["summary"] = digest.hexdigest()[:16]
    for stem, part in tables:
        buffer = io.BytesIO()
        part.reset_index(drop=True).to_parquet(buffer, index=False)
        write_atomic(folder / f"{stem}.parquet", buffer.getvalue())
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

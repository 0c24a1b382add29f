"""The newest forecasts a stored backtest keeps, to score them when their outcomes arrive.

A backtest stores scores; a forecast whose outcomes are not all known yet has only some of
them. When the next week arrives, its forecast must be scored again: kept here, it is read
instead of made again. Each is kept with a digest of everything it was made from
(:meth:`.engine.Inputs.digest`: every series' known weeks at its reference date, the models,
the seed) and used only when the data give the same digest now, so a kept forecast is always
the one the models would make again. The forecasting code is the stored backtest's
(:func:`.stored.code_fingerprint`): made by other code, nothing kept is read.

``HOME/forecasts/pending-<target>/<reference date>.npz``: the forecasts of every series
forecast at the :data:`KEPT` newest reference dates, by every model.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import write_atomic
from . import engine
from .series import Series
from .summary import slug

__all__ = ["KEPT", "Kept", "kept_dates", "read", "usable", "write"]

#: How many of the newest reference dates keep their forecasts: the newest (no outcome known
#: yet), the three before it (horizons 1-3 still to come), and two more, scored again when a
#: source revises its newest weeks.
KEPT = 6

Kept = dict[pd.Timestamp, tuple[str, engine.Batch]]
"""Forecasts by reference date, each with the digest of its inputs; a batch's rows are those
of the series when it was made (:func:`usable` gives them for the series now)."""


def kept_dates(series: Series) -> pd.DatetimeIndex:
    """The reference dates whose forecasts are kept: the :data:`KEPT` newest."""
    return engine.reference_dates(series)[-KEPT:]


def _folder(folder: Path, name: str) -> Path:
    return folder / f"pending-{slug(name)}"


def read(folder: Path, name: str, dates: Iterable[pd.Timestamp]) -> Kept:
    """The kept forecasts of a target at those of ``dates`` that have one (a file that cannot
    be read is left out: its forecasts are made again)."""
    found: Kept = {}
    for day in dates:
        path = _folder(folder, name) / f"{day:%Y-%m-%d}.npz"
        try:
            # from the bytes: a damaged file leaves no file open
            with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as data:
                models = data["models"].tolist()
                quantiles = {
                    m: q for m, q in zip(models, data["quantiles"], strict=True)
                }
                batch = engine.Batch(
                    pd.Timestamp(day),
                    data["rows"],
                    data["horizons"],
                    quantiles,
                    data["carried"],
                )
                found[pd.Timestamp(day)] = (str(data["digest"]), batch)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            continue  # (a damaged file: its forecasts are made again)
    return found


def usable(
    kept: Kept,
    series: Series,
    day: pd.Timestamp,
    models: Sequence[str],
    *,
    seed: int,
) -> tuple[str, engine.Batch] | None:
    """The kept forecasts at ``day`` with their digest, as :func:`.engine.forecast_every`
    would make them now from ``series``; None when none is kept or the data they were made
    from changed."""
    if day not in kept:
        return None
    digest, batch = kept[day]
    inputs = engine.inputs_at(series, day)
    if (
        inputs.digest(series, models, seed) != digest
        or set(batch.quantiles) != set(models)
        or len(batch.rows) != len(inputs.every)  # (the digest names them: never)
    ):
        return None
    return digest, engine.Batch(
        day, inputs.every, batch.horizons, batch.quantiles, inputs.carried
    )


def write(folder: Path, name: str, made: Kept, dates: pd.DatetimeIndex) -> None:
    """The forecasts ``made`` at the ``dates`` to keep (:func:`kept_dates`), and no others: the
    files of other dates are removed."""
    place = _folder(folder, name)
    place.mkdir(parents=True, exist_ok=True)
    wanted = {f"{d:%Y-%m-%d}.npz" for d in dates}
    for day, (digest, batch) in made.items():
        if f"{day:%Y-%m-%d}.npz" not in wanted:
            continue
        models = list(batch.quantiles)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            digest=np.array(digest),
            models=np.array(models, dtype=str),
            rows=batch.rows,
            horizons=batch.horizons,
            carried=batch.carried,
            quantiles=np.stack([batch.quantiles[m] for m in models]),
        )
        write_atomic(place / f"{day:%Y-%m-%d}.npz", buffer.getvalue())
    for path in place.iterdir():
        if path.name not in wanted:
            path.unlink(missing_ok=True)

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
from collections.abc import Sequence
from pathlib import Path

from ..files import write_atomic
from ..lazy import np, pd
from . import engine
from .series import Series
from .summary import slug

__all__ = ["KEPT", "Kept", "kept_dates", "usable", "write"]

#: How many of the newest reference dates keep their forecasts: the newest (no outcome known
#: yet), the three before it (horizons 1-3 still to come), and two more, scored again when a
#: source revises its newest weeks.
KEPT = 6

Kept = dict["pd.Timestamp", tuple[str, engine.Batch]]
"""Forecasts by reference date, each with the digest of its inputs."""


def kept_dates(series: Series) -> pd.DatetimeIndex:
    """The reference dates whose forecasts are kept: the :data:`KEPT` newest."""
    return engine.reference_dates(series)[-KEPT:]


def _folder(folder: Path, name: str) -> Path:
    return folder / f"pending-{slug(name)}"


def _file(day: pd.Timestamp) -> str:
    return f"{day:%Y-%m-%d}.npz"


def usable(
    folder: Path,
    name: str,
    series: Series,
    day: pd.Timestamp,
    models: Sequence[str],
    *,
    seed: int,
) -> tuple[str, engine.Batch] | None:
    """The forecasts of target ``name`` kept at ``day``, with their digest, as
    :func:`.engine.forecast_every` would make them now from ``series``; None when none is
    kept, the data they were made from changed, or the file cannot be read (they are then
    made again). Their values are read only when the digest holds."""
    path = _folder(folder, name) / _file(day)
    if not path.is_file():
        return None
    inputs = engine.inputs_at(series, day)
    digest = inputs.digest(series, models, seed)
    try:  # the file opened here: a damaged one is closed all the same
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            names = data["models"].tolist()
            if str(data["digest"]) != digest or set(names) != set(models):
                return None
            quantiles = data["quantiles"]
            if quantiles.shape[1] != len(inputs.every):  # (the digest names them)
                return None
            by_model = dict(zip(names, quantiles, strict=True))
            horizons = data["horizons"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return digest, engine.Batch(day, inputs.every, horizons, by_model, inputs.carried)


def write(folder: Path, name: str, made: Kept, dates: pd.DatetimeIndex) -> None:
    """The forecasts ``made`` at the ``dates`` to keep (:func:`kept_dates`), and no others: the
    files of other dates are removed."""
    place = _folder(folder, name)
    place.mkdir(parents=True, exist_ok=True)
    wanted = {_file(d) for d in dates}
    for day, (digest, batch) in made.items():
        if _file(day) not in wanted:
            continue
        models = list(batch.quantiles)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            digest=np.array(digest),
            models=np.array(models, dtype=str),
            horizons=batch.horizons,
            quantiles=np.stack([batch.quantiles[m] for m in models]),
        )
        write_atomic(place / _file(day), buffer.getvalue())
    for path in place.iterdir():
        if path.name not in wanted:
            path.unlink(missing_ok=True)

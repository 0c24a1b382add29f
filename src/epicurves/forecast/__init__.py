"""Forecasts of weekly series, made as the forecast hubs make them, and their scores.

Pure and vectorised over all series at once: no file, no store, no site. See
:mod:`epicurves.forecast.levels` for the conventions (levels, horizons, reference dates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import levels
from .levels import MEDIAN, check_reference_date, cutoff, target_end

if TYPE_CHECKING:
    from .levels import HORIZONS, LEVELS

__all__ = [
    "HORIZONS",
    "LEVELS",
    "MEDIAN",
    "check_reference_date",
    "cutoff",
    "target_end",
]


def __getattr__(name: str) -> Any:
    """:data:`LEVELS` and :data:`HORIZONS` from :mod:`.levels`, which makes them on first
    read (importing NumPy then); kept here too, so that later reads are plain ones."""
    if name in ("LEVELS", "HORIZONS"):
        value = globals()[name] = getattr(levels, name)
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

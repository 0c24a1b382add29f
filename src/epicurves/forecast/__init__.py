"""Forecasts of weekly series, made as the forecast hubs make them, and their scores.

Pure and vectorised over all series at once: no file, no store, no site. See
:mod:`epicurves.forecast.levels` for the conventions (levels, horizons, reference dates).
"""

from __future__ import annotations

from .levels import HORIZONS, LEVELS, MEDIAN, check_reference_date, cutoff, target_end

__all__ = [
    "HORIZONS",
    "LEVELS",
    "MEDIAN",
    "check_reference_date",
    "cutoff",
    "target_end",
]

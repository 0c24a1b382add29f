"""Analysis: pure, vectorised metrics over the tidy table, for all regions at once; no I/O."""

from __future__ import annotations

from .cori import CoriOptions, discrete_serial_interval
from .metrics import (
    METRIC_COLUMNS,
    compute_metrics,
    doubling_time,
    growth_rate,
    incidence_7d,
    r_cori,
    r_rki,
    summarize,
    week_change_pct,
)

__all__ = [
    "METRIC_COLUMNS",
    "CoriOptions",
    "compute_metrics",
    "discrete_serial_interval",
    "doubling_time",
    "growth_rate",
    "incidence_7d",
    "r_cori",
    "r_rki",
    "summarize",
    "week_change_pct",
]

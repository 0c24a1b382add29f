"""Analysis: pure, vectorised metrics over the tidy table, for all regions at once; no I/O."""

from __future__ import annotations

from .cori import CoriOptions, discrete_serial_interval
from .metrics import (
    TREND_THRESHOLD_PCT,
    compute_metrics,
    doubling_time,
    growth_rate,
    incidence_7d,
    r_cori,
    r_rki,
    summarize,
    week_change_pct,
)
from .registry import METRIC_COLUMNS, METRICS, Metric, metric
from .signals import (
    incidence_per_100k,
    signal_changes,
    signal_trends,
)

__all__ = [
    "METRICS",
    "METRIC_COLUMNS",
    "TREND_THRESHOLD_PCT",
    "CoriOptions",
    "Metric",
    "compute_metrics",
    "discrete_serial_interval",
    "doubling_time",
    "growth_rate",
    "incidence_7d",
    "incidence_per_100k",
    "metric",
    "r_cori",
    "r_rki",
    "signal_changes",
    "signal_trends",
    "summarize",
    "week_change_pct",
]

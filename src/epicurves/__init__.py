"""epicurves: epidemic curves from public data, as a tidy local store, for notebooks and sites.

The public Python API. A notebook needs nothing else::

    import epicurves
    epicurves.update(epicurves.Settings.from_env(mirror="../shared/data"))
    regions = epicurves.load_regions(kind="country")
    daily = epicurves.load_observations(["DE", "FR"], start="2021-01-01")
    metrics = epicurves.load_metrics(["DE", "FR"])          # + incidence_7d, r_rki, r_cori ...
    table = epicurves.load_summary(kind="country")          # one row per region
    signals = epicurves.load_signals(["DE"], ["wastewater"])  # surveillance signals
    rt = epicurves.r_cori(metrics.query("region_id == 'DE'").set_index("date")["new_cases"])
"""

from __future__ import annotations

from .access import ensure_data, upstream_copy
from .analysis import (
    METRIC_COLUMNS,
    METRICS,
    CoriOptions,
    Metric,
    compute_metrics,
    discrete_serial_interval,
    doubling_time,
    growth_rate,
    incidence_7d,
    incidence_per_100k,
    r_cori,
    r_rki,
    signal_changes,
    signal_trends,
    summarize,
    week_change_pct,
)
from .catalog import (
    SIGNAL_EXPORT_COLUMNS,
    load_metrics,
    load_observations,
    load_regions,
    load_signals,
    load_summary,
)
from .changes import ChangeSet
from .charts import plot_region, plot_signals
from .config import SETTINGS, Settings
from .errors import (
    BuildError,
    EmptyStoreError,
    EpicurvesError,
    FetchError,
    LockError,
    NotInMirrorError,
    ParseError,
    SourceError,
    StoreError,
    UnknownRegionError,
    UsageError,
    ValidationError,
)
from .export import EXPORT_COLUMNS, load_export
from .forecast.engine import BACKTEST_COLUMNS, FORECAST_COLUMNS
from .forecast.runs import (
    BacktestReport,
    backtest,
    load_scores,
    make_forecasts,
    scores,
)
from .forecast.series import FORECAST_TARGETS
from .headline import headline
from .info import StoreInfo, store_info
from .model import KINDS, OBSERVATION_COLUMNS, REGION_COLUMNS, SIGNAL_COLUMNS
from .pipeline import SourceReport, UpdateReport, update
from .reference import reference_data
from .sources import SOURCES, Signal, Source, UpstreamFile, get_source
from .store import Snapshot, SourceMeta, Store
from .userdata import read_observations

__all__ = [
    "BACKTEST_COLUMNS",
    "EXPORT_COLUMNS",
    "FORECAST_COLUMNS",
    "FORECAST_TARGETS",
    "KINDS",
    "METRICS",
    "METRIC_COLUMNS",
    "OBSERVATION_COLUMNS",
    "REGION_COLUMNS",
    "SETTINGS",
    "SIGNAL_COLUMNS",
    "SIGNAL_EXPORT_COLUMNS",
    "SOURCES",
    "BacktestReport",
    "BuildError",
    "ChangeSet",
    "CoriOptions",
    "EmptyStoreError",
    "EpicurvesError",
    "FetchError",
    "LockError",
    "Metric",
    "NotInMirrorError",
    "ParseError",
    "Settings",
    "Signal",
    "Snapshot",
    "Source",
    "SourceError",
    "SourceMeta",
    "SourceReport",
    "Store",
    "StoreError",
    "StoreInfo",
    "UnknownRegionError",
    "UpdateReport",
    "UpstreamFile",
    "UsageError",
    "ValidationError",
    "backtest",
    "compute_metrics",
    "discrete_serial_interval",
    "doubling_time",
    "ensure_data",
    "get_source",
    "growth_rate",
    "headline",
    "incidence_7d",
    "incidence_per_100k",
    "load_export",
    "load_metrics",
    "load_observations",
    "load_regions",
    "load_scores",
    "load_signals",
    "load_summary",
    "make_forecasts",
    "plot_region",
    "plot_signals",
    "r_cori",
    "r_rki",
    "read_observations",
    "reference_data",
    "scores",
    "signal_changes",
    "signal_trends",
    "store_info",
    "summarize",
    "update",
    "upstream_copy",
    "week_change_pct",
]

__version__ = "0.1.0"

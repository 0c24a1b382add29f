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

import importlib
from typing import TYPE_CHECKING, Any

# Each public name is imported from its module when first read (PEP 562), so that
# `import epicurves` and the command line start without the modules (and pandas) they do not
# use: tests/test_api.py checks that these imports, _HOMES and __all__ agree.
if TYPE_CHECKING:
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
    from .info import StoreInfo, store_info
    from .model import KINDS, OBSERVATION_COLUMNS, REGION_COLUMNS, SIGNAL_COLUMNS
    from .pipeline import SourceReport, UpdateReport, update
    from .reference import reference_data
    from .sources import SOURCES, Signal, Source, UpstreamFile, get_source
    from .store import Snapshot, SourceMeta, Store
    from .userdata import read_observations

# A public name that is also a module's name is imported now: importing the module later would
# otherwise make the package's attribute the module.
from .headline import headline

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


#: The module of each public name but :func:`headline` (``__getattr__`` imports it on first read).
_HOMES: dict[str, str] = {
    name: module
    for module, names in {
        "access": "ensure_data upstream_copy",
        "analysis": (
            "METRIC_COLUMNS METRICS CoriOptions Metric compute_metrics "
            "discrete_serial_interval doubling_time growth_rate incidence_7d "
            "incidence_per_100k r_cori r_rki signal_changes signal_trends summarize "
            "week_change_pct"
        ),
        "catalog": (
            "SIGNAL_EXPORT_COLUMNS load_metrics load_observations load_regions "
            "load_signals load_summary"
        ),
        "changes": "ChangeSet",
        "charts": "plot_region plot_signals",
        "config": "SETTINGS Settings",
        "errors": (
            "BuildError EmptyStoreError EpicurvesError FetchError LockError "
            "NotInMirrorError ParseError SourceError StoreError UnknownRegionError "
            "UsageError ValidationError"
        ),
        "export": "EXPORT_COLUMNS load_export",
        "forecast.engine": "BACKTEST_COLUMNS FORECAST_COLUMNS",
        "forecast.runs": "BacktestReport backtest load_scores make_forecasts scores",
        "forecast.series": "FORECAST_TARGETS",
        "info": "StoreInfo store_info",
        "model": "KINDS OBSERVATION_COLUMNS REGION_COLUMNS SIGNAL_COLUMNS",
        "pipeline": "SourceReport UpdateReport update",
        "reference": "reference_data",
        "sources": "SOURCES Signal Source UpstreamFile get_source",
        "store": "Snapshot SourceMeta Store",
        "userdata": "read_observations",
    }.items()
    for name in names.split()
}


def __getattr__(name: str) -> Any:
    try:
        module = _HOMES[name]
    except KeyError:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg) from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

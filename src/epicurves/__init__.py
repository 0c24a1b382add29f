"""epicurves: epidemic curves from public data, as a tidy local store, for notebooks and sites.

The public Python API. A notebook needs nothing else::

    import epicurves
    epicurves.update(epicurves.Settings.from_env(mirror="../shared/data"))
    regions = epicurves.load_regions(kind="country")
    daily = epicurves.load_observations(["DE", "FR"], start="2021-01-01")
"""

from __future__ import annotations

from .catalog import load_observations, load_regions
from .config import SETTINGS, Settings
from .errors import (
    EpicurvesError,
    FetchError,
    LockError,
    NotInMirrorError,
    ParseError,
    SourceError,
    StoreError,
    UsageError,
    ValidationError,
)
from .model import KINDS, OBSERVATION_COLUMNS, REGION_COLUMNS
from .pipeline import SourceReport, UpdateReport, update
from .sources import SOURCES, Source, UpstreamFile, get_source
from .store import SourceMeta, Store

__all__ = [
    "KINDS",
    "OBSERVATION_COLUMNS",
    "REGION_COLUMNS",
    "SETTINGS",
    "SOURCES",
    "EpicurvesError",
    "FetchError",
    "LockError",
    "NotInMirrorError",
    "ParseError",
    "Settings",
    "Source",
    "SourceError",
    "SourceMeta",
    "SourceReport",
    "Store",
    "StoreError",
    "UpdateReport",
    "UpstreamFile",
    "UsageError",
    "ValidationError",
    "get_source",
    "load_observations",
    "load_regions",
    "update",
]

__version__ = "0.1.0"

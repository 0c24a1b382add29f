"""The registry of upstream sources: one module each, all behind :class:`~.base.Source`."""

from __future__ import annotations

from ..errors import UsageError
from .base import Source, SourceData, UpstreamFile
from .germany import GERMANY
from .jhu import JHU, JHU_US
from .nyt import NYT
from .rki import RKI, RKI_DISTRICTS, RKI_STATES

__all__ = ["SOURCES", "Source", "SourceData", "UpstreamFile", "get_source"]

#: Every known source by name, in the order ``epicurves info`` lists them.
SOURCES: dict[str, Source] = {
    s.name: s for s in (JHU, JHU_US, NYT, RKI, RKI_STATES, RKI_DISTRICTS, GERMANY)
}


def get_source(name: str) -> Source:
    """The source called ``name``; the error lists the valid names.

    >>> get_source("jhu").name
    'jhu'
    """
    try:
        return SOURCES[name]
    except KeyError:
        msg = f"unknown source {name!r}: expected one of {', '.join(SOURCES)}"
        raise UsageError(msg) from None

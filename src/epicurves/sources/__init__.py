"""The registry of upstream sources: one module each, all behind :class:`~.base.Source`."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..errors import UsageError
from .amelag import RKI_WASTEWATER
from .base import Signal, Source, SourceData, UpstreamFile
from .cdc import CDC_COVID, CDC_FLU
from .deaths import RKI_DEATHS_WEEKLY
from .ecdc import ECDC_ERVISS
from .germany import GERMANY
from .hospitalisation import RKI_HOSPITALISATION, RKI_HOSPITALISATION_2020
from .jhu import JHU, JHU_US
from .nowcast import RKI_NOWCAST
from .nyt import NYT
from .rki import RKI, RKI_DISTRICTS, RKI_STATES
from .sari import RKI_SARI

__all__ = [
    "SOURCES",
    "Signal",
    "Source",
    "SourceData",
    "UpstreamFile",
    "aliases_of",
    "get_source",
    "parser_fingerprint",
]

#: Every known source by name, in the order ``epicurves info`` lists them.
#:
#: >>> list(SOURCES)[:4]
#: ['jhu', 'jhu-us', 'nyt', 'rki']
#: >>> [s.name for s in SOURCES["rki-wastewater"].signals]
#: ['wastewater', 'wastewater-sites', 'wastewater-coverage']
SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        JHU,
        JHU_US,
        NYT,
        RKI,
        RKI_STATES,
        RKI_DISTRICTS,
        GERMANY,
        RKI_WASTEWATER,
        RKI_HOSPITALISATION,
        RKI_HOSPITALISATION_2020,
        RKI_SARI,
        RKI_DEATHS_WEEKLY,
        RKI_NOWCAST,
        CDC_COVID,
        CDC_FLU,
        ECDC_ERVISS,
    )
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


def aliases_of(source: str, name: str) -> tuple[str, ...]:
    """The other spellings of region ``name`` (its display name) in source ``source``: the
    upstream spelling first, then other names people search for; ``()`` if it has none.
    An unknown source is a :class:`~epicurves.errors.UsageError`, as in :func:`get_source`.

    >>> aliases_of("jhu", "South Korea"), aliases_of("jhu", "Germany")
    (('Korea, South',), ())
    """
    return get_source(source).aliases.get(name, ())


@functools.cache
def parser_fingerprint(name: str) -> str:
    """A hash of the code that turns source ``name``'s files into stored tables: every module
    of this package (the sources import each other's names and readers), the schema and
    daily values of :mod:`epicurves.model`, the validation of :mod:`epicurves.rules` and the
    history of releases of :mod:`epicurves.releases`. The store keeps it with the
    source's data, and an update parses unchanged files again when it differs, so that a new
    version's fixes and names reach data stored by an older one.

    >>> len(parser_fingerprint("jhu")), parser_fingerprint("jhu") == parser_fingerprint("nyt")
    (16, False)
    """
    get_source(name)
    here = Path(__file__).parent
    digest = hashlib.sha256(name.encode())
    core = [here.parent / f"{m}.py" for m in ("model", "rules", "releases")]
    for path in [*sorted(here.glob("*.py")), *core]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

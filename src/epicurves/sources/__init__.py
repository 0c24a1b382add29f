"""The registry of upstream sources: one module each, all behind :class:`~.base.Source`."""

from __future__ import annotations

import functools
import hashlib
import inspect
from pathlib import Path

from ..errors import UsageError
from .base import Source, SourceData, UpstreamFile
from .germany import GERMANY
from .jhu import JHU, JHU_US
from .nyt import NYT
from .rki import RKI, RKI_DISTRICTS, RKI_STATES

__all__ = [
    "SOURCES",
    "Source",
    "SourceData",
    "UpstreamFile",
    "aliases_of",
    "get_source",
    "parser_fingerprint",
]

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
    """A hash of the code that parses source ``name``: its module and the shared modules of
    this package (readers, names, validation). The store keeps it with the source's data, and
    an update parses unchanged files again when it differs, so that a new version's fixes and
    names reach data stored by an older one.

    >>> len(parser_fingerprint("jhu")), parser_fingerprint("jhu") == parser_fingerprint("nyt")
    (16, False)
    """
    source = get_source(name)
    module = inspect.getsourcefile(source.parse_files)
    here = Path(__file__).parent
    files = sorted({Path(module) if module else here / "base.py", *here.glob("*.py")})
    digest = hashlib.sha256(name.encode())
    own = Path(module) if module else None
    for path in files:
        # every source's own module counts for itself only
        if path.name in _OWN_MODULES and path != own:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


#: Modules that hold one or a few sources (the others are shared by all).
_OWN_MODULES = frozenset({"germany.py", "jhu.py", "nyt.py", "rki.py"})

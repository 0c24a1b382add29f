"""Getting at the data from a notebook: :func:`ensure_data` fills an empty store on first use,
:func:`upstream_copy` finds the upstream file a store's data were read from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .config import Settings
from .errors import StoreError, UsageError
from .pipeline import update
from .sources import get_source
from .store import Store

__all__ = ["ensure_data", "upstream_copy"]


def ensure_data(
    settings: Settings | None = None, *, echo: Callable[[str], None] = print
) -> Settings:
    """The settings of a store that holds data: ``settings`` (default
    :meth:`Settings.from_env`), after filling the store when it is empty.

    A notebook's first cell, so that it runs on a fresh machine, on JupyterHub or on Binder:
    with data stored it does nothing and says nothing; with an empty store it says so through
    ``echo``, fetches every default source (from ``settings.mirror`` when set, else from the
    upstream URLs) and says what it stored. A source that fails is named; the others are kept.
    Sharing a store read-only (``EPICURVES_HOME`` on a JupyterHub) works: a store with data is
    only read.

    >>> ensure_data().store_dir.name  # the store holds data: says nothing
    'store'
    """
    settings = Settings.from_env() if settings is None else settings
    if Store(settings.store_dir).sources():
        return settings
    if settings.mirror is not None and not settings.mirror.is_dir():
        msg = f"the mirror {settings.mirror} (EPICURVES_MIRROR) is not a folder"
        raise UsageError(msg)
    origin = (
        f"the local mirror {settings.mirror}"
        if settings.mirror is not None
        else "the upstream URLs (a few minutes)"
    )
    echo(f"The store in {settings.store_dir} is empty: filling it from {origin}.")
    report = update(settings)
    stored = [s for s in report.sources if s.status in ("updated", "unchanged")]
    for item in report.sources:
        if item.status in ("skipped", "failed"):
            echo(f"{item.source} {item.status}: {item.message}")
    if not stored:
        where = settings.mirror if settings.mirror is not None else "the upstream URLs"
        msg = f"nothing stored from {where}: every source was skipped or failed (see above)"
        raise StoreError(msg)
    echo(
        f"Stored {sum(s.rows for s in stored):,} rows from {len(stored)} sources "
        f"(store generation {report.generation})."
    )
    return settings


def upstream_copy(source: str, name: str, settings: Settings | None = None) -> Path:
    """The local copy of the upstream file ``name`` of ``source`` that the store's data were
    read from: the last good download (``settings.downloads_dir``) or the mirror's file,
    whichever has the SHA-256 the store recorded. For a recipe that checks the store against
    a column epicurves does not keep (RKI's published incidence).

    A source or file that does not exist, a source not stored yet, or no copy with the
    recorded SHA-256 (the mirror changed since the update) is a one-line error.

    >>> upstream_copy("nyt", "us-states.csv").read_text().splitlines()[0]
    'date,state,fips,cases,deaths'
    """
    from .fetch import file_sha256, find_in_mirror

    settings = Settings.from_env() if settings is None else settings
    found = get_source(source)
    file = next((f for f in found.files if f.name == name), None)
    if file is None:
        names = ", ".join(f.name for f in found.files)
        msg = f"{source} has no upstream file {name!r}; its files are: {names}"
        raise UsageError(msg)
    meta = Store(settings.store_dir).meta().get(source)
    record = None if meta is None else meta.files.get(name)
    if record is None:
        msg = f"{source}: {name} is not stored yet: run `epicurves update`"
        raise StoreError(msg)
    candidates = [Path(record["url"]), settings.downloads_dir / file.folder / file.name]
    if settings.mirror is not None:
        candidates.append(find_in_mirror(settings.mirror, file) or settings.mirror)
    for path in candidates:
        if path.is_file() and file_sha256(path) == record["sha256"]:
            return path
    msg = (
        f"{source}: no local copy of {name} with the SHA-256 stored on the last update "
        f"(looked in {', '.join(str(c) for c in candidates)}): run `epicurves update`"
    )
    raise StoreError(msg)

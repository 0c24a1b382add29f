"""The on-disk store: immutable Parquet tables tied together by numbered, atomically switched generations.

Layout under ``<home>/store/``::

    manifest.json                          the current generation: its number and, per source,
                                           its table files, metadata and per-region digests
    generations/<n>.json                   a copy of generation n's manifest, kept while it is
                                           current or a reader has it pinned
    pins/<n>.lock                          readers of generation n hold a shared lock on it
    checked.json                           when each source was last checked (any outcome)
    <source>-<token>.observations.parquet  source, region_id, date, cases, deaths, new_*, flags
    <source>-<token>.regions.parquet       region_id, name, kind, parent, population, source
    <source>-<token>.signals.parquet       the source's signals (sources that declare any):
                                           source, region_id, signal, pathogen, ..., estimate

**Writing.** An update stages each changed source's tables under fresh names
(:meth:`Store.stage`), then commits them all at once (:meth:`Store.commit`): the new generation's
file is written, then ``manifest.json`` is replaced with ``os.replace``. Readers see the old
generation or the new one, never a mix; a failed or rejected update leaves the last good data in
place. Writing happens under the update lock (:func:`epicurves.pipeline.update`).

**Reading.** A reader pins one generation for the whole read (:meth:`Store.snapshot`): it takes a
shared lock on ``pins/<n>.lock`` (a :class:`filelock.ReadWriteLock`), then checks that the
generation's file still exists, and reads only the files that generation names. Every
``load_*`` method of :class:`Store` pins for its own call. Making the pin is the only write a
reader attempts: one without the right to write in ``pins/`` (a store shared read-only, say on
JupyterHub) reads unpinned, and writes nothing.

**Removing old generations.** After each commit (and at the start of each update) every
generation that is neither current nor pinned is removed: its file first, then its pin, then every
table file that no remaining generation names. A reader that pinned a generation a moment too late
finds its file gone and reads the current generation instead.

The package: :mod:`.meta` (what is known of a source's stored data, and the digests that tell
a change), :mod:`.tables` (the Parquet files: written once, read filtered), :mod:`.pins`
(readers' shared locks on generations), :mod:`.snapshot` (one pinned generation, read) and
:mod:`.generations` (:class:`Store`: the manifest, staging and committing, removing old
generations).
"""

from __future__ import annotations

from .generations import Store
from .meta import SourceMeta, StagedSource, region_digests, signal_digests
from .snapshot import Snapshot
from .tables import read_observations, read_regions, read_signals

__all__ = [
    "Snapshot",
    "SourceMeta",
    "StagedSource",
    "Store",
    "read_observations",
    "read_regions",
    "read_signals",
    "region_digests",
    "signal_digests",
]

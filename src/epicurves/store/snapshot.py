"""One generation of the store, pinned for reading: its sources, metadata, digests and tables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from .meta import SourceMeta
from .pins import release
from .tables import read_columns, read_observations, read_regions, read_signals

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from filelock import ReadWriteLock

    from .generations import Store

__all__ = ["Snapshot"]


class Snapshot:
    """One generation of the store, pinned until :meth:`~Snapshot.close` (use it as a context manager).

    Every read through a snapshot sees exactly that generation, even while an update commits
    newer ones: their files stay until the last reader of the generation is gone.

    Pass it to the ``load_*`` functions so that several reads see the same data:

    >>> with Store(Settings.from_env().store_dir).snapshot() as snapshot:
    ...     regions = load_regions(snapshot=snapshot)
    ...     daily = load_observations(["DE"], snapshot=snapshot)
    >>> "rki" in snapshot.sources(), len(daily)
    (True, 12)
    """

    def __init__(
        self, store: Store, manifest: dict[str, Any], pin: ReadWriteLock | None
    ) -> None:
        self.store = store
        self.manifest = manifest
        self._pin = pin

    @property
    def generation(self) -> int:
        """The number of the pinned generation (0: an empty store)."""
        return int(self.manifest.get("generation", 0))

    @property
    def store_id(self) -> str:
        """The store's identity: numbers of generations compare only within one store (a
        store removed and made again starts at 1 again)."""
        return str(self.manifest.get("store", ""))

    def close(self) -> None:
        """Release the pin: the generation may be removed once it is no longer current."""
        if self._pin is not None:
            release(self._pin)
            self._pin = None

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # -- what the generation holds ---------------------------------------------------------------
    def sources(self) -> list[str]:
        """Names of the sources with stored data."""
        return list(self.manifest["sources"])

    def meta(self) -> dict[str, SourceMeta]:
        """The metadata record of every stored source."""
        return {
            name: SourceMeta.from_dict(entry["meta"])
            for name, entry in self.manifest["sources"].items()
        }

    def digests(self) -> dict[str, dict[str, str]]:
        """Source -> region id -> content digest of the region's stored series (a region
        without observations has none; a source stored by epicurves 0.1 is left out)."""
        return {
            name: dict(entry["digests"])
            for name, entry in self.manifest["sources"].items()
            if "digests" in entry
        }

    def signal_digests(self) -> dict[str, dict[str, str]]:
        """Source -> region id -> content digest of the region's signals, for the sources
        that provide signals."""
        return {
            name: dict(entry.get("signal_digests", {}))
            for name, entry in self.manifest["sources"].items()
            if "signals" in entry
        }

    def holds_any(self, regions: Iterable[str]) -> bool:
        """Whether any of ``regions`` has observations or signals stored (True where a source
        stored by epicurves 0.1, without the regions' digests, cannot tell)."""
        wanted = set(regions)
        for entry in self.manifest["sources"].values():
            if "digests" not in entry:
                return True
            for held in (entry["digests"], entry.get("signal_digests", {})):
                if not wanted.isdisjoint(held):
                    return True
        return False

    def files(self, table: str, sources: Iterable[str] | None = None) -> list[Path]:
        """The ``observations``, ``regions`` or ``signals`` files of the given sources
        (default all; only sources that provide signals have a ``signals`` file)."""
        entries = self.manifest["sources"]
        names = (
            list(entries) if sources is None else [s for s in sources if s in entries]
        )
        names = [n for n in names if table in entries[n]]
        paths = [self.store.root / entries[name][table] for name in names]
        missing = [p for p in paths if not p.exists()]
        if missing:
            msg = f"store file {missing[0]} is missing; run `epicurves update` again"
            if self._pin is None and self.store.generation() != self.generation:
                # Read without a pin (a store shared read-only): an update replaced it.
                msg = (
                    f"store file {missing[0]} is gone: an update replaced generation "
                    f"{self.generation} during this read, which could not pin it (no "
                    f"right to write in {self.store.root / 'pins'}); read again"
                )
            raise StoreError(msg)
        return paths

    def history_files(self, source: str) -> list[Path]:
        """The files of the history of a source with releases, oldest first (none for
        another source)."""
        entry = self.manifest["sources"].get(source, {})
        paths = [self.store.root / name for name in entry.get("releases", ())]
        for path in paths:
            if not path.exists():
                msg = f"store file {path} is missing; run `epicurves update` again"
                raise StoreError(msg)
        return paths

    def load_history(
        self,
        source: str,
        *,
        regions: Sequence[str] | None = None,
        signals: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The history of a source's releases (:mod:`epicurves.releases`), only those regions
        and signals if given: the rows each release changed, tombstones included."""
        return read_signals(
            self.history_files(source), regions=regions, signals=signals
        )

    def load_regions(self, sources: Iterable[str] | None = None) -> pd.DataFrame:
        """The regions table of the given sources (default all), one row per (source, region)."""
        return read_regions(self.files("regions", sources))

    def load_observations(
        self,
        sources: Iterable[str] | None = None,
        *,
        regions: Sequence[str] | None = None,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """Observations of the given sources (default all), filtered while reading."""
        return read_observations(
            self.files("observations", sources), regions=regions, start=start, end=end
        )

    def load_columns(
        self, table: str, columns: Sequence[str], sources: Iterable[str] | None = None
    ) -> pa.Table:
        """The ``columns`` of every row of ``table`` (``observations``…) of the given sources
        (default all), unconverted (:func:`~epicurves.store.tables.read_columns`)."""
        return read_columns(self.files(table, sources), columns)

    def load_signals(
        self,
        sources: Iterable[str] | None = None,
        *,
        regions: Sequence[str] | None = None,
        signals: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Signals of the given sources (default all), only those regions and signals if given."""
        return read_signals(
            self.files("signals", sources), regions=regions, signals=signals
        )

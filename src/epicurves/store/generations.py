"""The store folder and its generations: the manifest, staging and committing a source's tables, recording checks, removing what no generation needs."""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from ..files import write_atomic
from .meta import SourceMeta, StagedSource, region_digests, signal_digests
from .pins import GONE, exclusive, pin, release
from .snapshot import Snapshot
from .tables import write_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHECKED", "FORMAT", "MANIFEST", "Store"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHECKED = "checked.json"
FORMAT = 2
#: How often a reader retries when generations are switched under it.
PIN_ATTEMPTS = 20


def _write_json(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON, flushed to the disk first: a reader or a power
    cut finds the old file or the new one."""
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True), durable=True)


class Store:
    """The Parquet store in ``root``; reading never needs the update lock, writing happens under it.

    >>> store = Store(Settings.from_env().store_dir)
    >>> "rki" in store.sources(), store.meta()["rki"].vintage
    (True, '2021-03-12')
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def _generations(self) -> Path:
        return self.root / "generations"

    @property
    def _pins(self) -> Path:
        return self.root / "pins"

    # -- reading ---------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The current manifest; an empty one (generation 0) if nothing was stored yet."""
        path = self.root / MANIFEST
        if not path.exists():
            return {"format": FORMAT, "generation": 0, "sources": {}}
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            msg = (
                f"store manifest {path} is unreadable ({type(exc).__name__}); "
                f"remove {self.root} and run `epicurves update`"
            )
            raise StoreError(msg) from exc
        if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
            msg = (
                f"store manifest {path} is not an epicurves manifest; "
                f"remove {self.root} and run `epicurves update`"
            )
            raise StoreError(msg)
        if data.get("format") == 1:
            # Written by epicurves 0.1: one generation, no digests.
            return {"format": FORMAT, "generation": 0, "sources": data["sources"]}
        if data.get("format") != FORMAT:
            msg = f"store {self.root} has format {data.get('format')!r}, this epicurves reads {FORMAT}"
            raise StoreError(msg)
        return data

    def generation(self) -> int:
        """The number of the current generation (0: nothing stored yet)."""
        return int(self.manifest().get("generation", 0))

    def snapshot(self, timeout: float = 60.0) -> Snapshot:
        """Pin the current generation for reading; close the snapshot when done.

        A reader that may not write in the store's ``pins`` folder (a store shared read-only,
        say on JupyterHub) reads without a pin: should the generation be removed during its
        read, the read fails with a :class:`StoreError` and can be repeated.
        """
        for _ in range(PIN_ATTEMPTS):
            manifest = self.manifest()
            generation = int(manifest.get("generation", 0))
            if generation == 0:
                return Snapshot(self, manifest, None)
            held = pin(self._pins, generation, timeout)
            if held is None:  # no pin can be made here: read unpinned
                return Snapshot(self, manifest, None)
            if (
                held == GONE
            ):  # the pin was removed while we waited: that generation is gone
                continue
            assert not isinstance(held, str)
            if (self._generations / f"{generation}.json").is_file():
                return Snapshot(self, manifest, held)
            # Removed between reading the manifest and pinning it: read the current one.
            release(held)
        msg = f"the store {self.root} changed {PIN_ATTEMPTS} times while being read; try again"
        raise StoreError(msg)

    def sources(self) -> list[str]:
        """Names of the sources with stored data."""
        return list(self.manifest()["sources"])

    def meta(self) -> dict[str, SourceMeta]:
        """The metadata record of every stored source."""
        with self.snapshot() as snapshot:
            return snapshot.meta()

    def load_regions(self, sources: Iterable[str] | None = None) -> pd.DataFrame:
        """The regions table of the given sources (default all), one row per (source, region)."""
        with self.snapshot() as snapshot:
            return snapshot.load_regions(sources)

    def load_observations(
        self,
        sources: Iterable[str] | None = None,
        *,
        regions: Sequence[str] | None = None,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """Observations of the given sources (default all), filtered while reading."""
        with self.snapshot() as snapshot:
            return snapshot.load_observations(
                sources, regions=regions, start=start, end=end
            )

    def checked(self) -> dict[str, dict[str, str]]:
        """Source -> ``checked_at`` (ISO 8601, UTC), ``status`` and ``message`` of its last check."""
        path = self.root / CHECKED
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    # -- writing (under the update lock) ---------------------------------------------------------
    def stage(
        self,
        meta: SourceMeta,
        observations: pd.DataFrame,
        regions: pd.DataFrame,
        signals: pd.DataFrame | None = None,
        *,
        history: pd.DataFrame | None = None,
        reuse: Sequence[str] = (),
    ) -> StagedSource:
        """Write a source's new tables under fresh names; nothing reads them until :meth:`commit`.

        ``signals`` (a source that provides signals) is written as a third table. A source
        with releases keeps its history in files that never change: ``reuse`` names the
        stored ones kept, ``history`` (if not None) the rows of a new one, written after them.
        """
        from ..model import OBSERVATION_COLUMNS, REGION_COLUMNS, SIGNAL_COLUMNS

        self.root.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:12]
        tables = [
            ("observations", observations, OBSERVATION_COLUMNS),
            ("regions", regions, REGION_COLUMNS),
        ]
        if signals is not None:
            tables.append(("signals", signals, SIGNAL_COLUMNS))
        if history is not None:
            tables.append(("history", history, SIGNAL_COLUMNS))
        names = {
            table: f"{meta.source}-{token}.{table}.parquet" for table, _, _ in tables
        }
        written: list[Path] = []
        try:
            for table, frame, columns in tables:
                path = self.root / names[table]
                written.append(path)
                write_table(path, frame, list(columns))
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return StagedSource(
            meta,
            names,
            region_digests(observations),
            {} if signals is None else signal_digests(signals),
            releases=(*reuse, *([names["history"]] if history is not None else [])),
        )

    def discard(self, staged: Iterable[StagedSource]) -> None:
        """Remove the files of staged sources that will not be committed."""
        for item in staged:
            for name in item.files.values():
                (self.root / name).unlink(missing_ok=True)

    def commit(
        self, staged: Sequence[StagedSource], *, remove: Sequence[str] = ()
    ) -> int:
        """Make one new generation holding the staged sources (and without ``remove``).

        Sources not named keep their current tables. Returns the new generation's number.
        """
        manifest = self.manifest()
        previous = manifest["sources"]
        sources = {k: v for k, v in previous.items() if k not in remove}
        for item in staged:
            meta = item.meta
            if not meta.changed_at:
                old = previous.get(meta.source)
                same = (
                    old is not None
                    and old.get("digests") == item.digests
                    and old.get("signal_digests", {}) == item.signal_digests
                )
                changed = SourceMeta.from_dict(old["meta"]).changed_at if same else ""
                meta = replace(meta, changed_at=changed or meta.updated_at)
            sources[meta.source] = {
                k: v for k, v in item.files.items() if k != "history"
            } | {
                "meta": meta.to_dict(),
                "digests": item.digests,
            }
            if item.releases:
                sources[meta.source]["releases"] = list(item.releases)
            if "signals" in item.files:
                sources[meta.source]["signal_digests"] = item.signal_digests
        generation = int(manifest.get("generation", 0)) + 1
        store_id = manifest.get("store") or uuid.uuid4().hex
        new = {
            "format": FORMAT,
            "store": store_id,
            "generation": generation,
            "sources": sources,
        }
        try:
            self._generations.mkdir(parents=True, exist_ok=True)
            _write_json(self._generations / f"{generation}.json", new)
            _write_json(self.root / MANIFEST, new)
        except BaseException:
            (self._generations / f"{generation}.json").unlink(missing_ok=True)
            self.discard(staged)
            raise
        # Committed: from here on, nothing may undo it. Old generations go if they can.
        try:
            self.collect_garbage()
        except Exception as exc:  # a pin we may not open, say: the files stay for later
            log.warning("store %s: old generations kept (%s)", self.root, exc)
        return generation

    def write(
        self,
        meta: SourceMeta,
        observations: pd.DataFrame,
        regions: pd.DataFrame,
        signals: pd.DataFrame | None = None,
    ) -> int:
        """Store one source's new tables in a new generation (stage, then commit)."""
        staged = self.stage(meta, observations, regions, signals)
        return self.commit([staged])

    def remove(self, source: str) -> None:
        """Forget a source's data (in a new generation)."""
        if source in self.manifest()["sources"]:
            self.commit([], remove=[source])

    def record_checks(self, checks: Mapping[str, Mapping[str, str]]) -> None:
        """Record when sources were checked, outside the generations (a check changes no data).

        Each source's fields are updated; fields a check does not give (``checked_at`` after a
        failed one) keep their last value.
        """
        data = self.checked()
        for name, record in checks.items():
            data[name] = {**data.get(name, {}), **record}
        self.root.mkdir(parents=True, exist_ok=True)
        _write_json(self.root / CHECKED, data)

    def clean_temporary(self) -> None:
        """Remove temporary files a killed update left (call it under the update lock): in
        the store's folders every dotfile is one (:mod:`epicurves.files`)."""
        for folder in (self.root, self._generations):
            if folder.is_dir():
                for path in folder.glob(".*"):
                    if path.is_file():
                        path.unlink(missing_ok=True)

    def collect_garbage(self) -> None:
        """Remove generations no reader pins (but the current one), then unreferenced tables.

        Call it under the update lock.
        """
        current = int(self.manifest().get("generation", 0))
        kept: list[dict[str, Any]] = [self.manifest()]
        if self._generations.is_dir():
            for path in sorted(self._generations.glob("*.json")):
                if path.stem.startswith(".") or not path.stem.isdigit():
                    continue
                number = int(path.stem)
                if number == current or not self._remove_generation(number, path):
                    with contextlib.suppress(OSError, ValueError):
                        kept.append(json.loads(path.read_text("utf-8")))
        names = {
            entry[table]
            for manifest in kept
            for entry in manifest.get("sources", {}).values()
            for table in ("observations", "regions", "signals")
            if table in entry
        } | {
            name
            for manifest in kept
            for entry in manifest.get("sources", {}).values()
            for name in entry.get("releases", ())
        }
        for path in self.root.glob("*.parquet"):
            if path.name not in names:
                path.unlink(missing_ok=True)
        if self._pins.is_dir():
            live = {f"{m.get('generation', 0)}.lock" for m in kept}
            for pin in self._pins.glob("*.lock"):
                if pin.name not in live and self._free(pin):
                    pin.unlink(missing_ok=True)

    def _free(self, pin_path: Path) -> bool:
        """Whether no reader holds ``pin_path`` (checked by taking it exclusively, at once).

        A pin that cannot be opened (another user's, or damaged) counts as held: its
        generation is kept, which is always safe.
        """
        with exclusive(pin_path) as free:
            return free

    def _remove_generation(self, number: int, path: Path) -> bool:
        """Remove an old generation's file unless a reader pins it; True if removed.

        The pin is taken exclusively even if no reader made it yet (taking it makes it): a
        reader pinning the generation at the same moment then either waits and finds the
        file gone, or holds the pin first and keeps the generation.
        """
        try:
            self._pins.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        pin_path = self._pins / f"{number}.lock"
        with exclusive(pin_path) as free:
            if free:
                path.unlink(missing_ok=True)  # a reader pinning it from now on retries
        if free:
            pin_path.unlink(missing_ok=True)
        return free

    def generations(self) -> Iterator[int]:
        """The numbers of the generations still on disk (current and pinned ones)."""
        if self._generations.is_dir():
            for path in sorted(self._generations.glob("*.json")):
                if path.stem.isdigit():
                    yield int(path.stem)

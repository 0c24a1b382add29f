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
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import ReadWriteLock, Timeout

from .errors import StoreError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Snapshot",
    "SourceMeta",
    "StagedSource",
    "Store",
    "region_digests",
    "signal_digests",
]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHECKED = "checked.json"
FORMAT = 2
#: Rows per Parquet row group: a read filtered by region skips the groups it does not need.
ROW_GROUP_ROWS = 65_536
#: How often a reader retries when generations are switched under it.
PIN_ATTEMPTS = 20


@dataclass
class SourceMeta:
    """What is known about one source's stored data."""

    source: str
    files: dict[str, dict[str, str]]
    """Upstream file name -> ``url`` (where it came from), ``sha256``, ``retrieved_at``."""
    updated_at: str
    """When this data was stored (ISO 8601, UTC)."""
    first_date: str
    vintage: str
    """The last date with data: how current the source is."""
    rows: int
    regions: int
    notes: list[str] = field(default_factory=list)
    changed_at: str = ""
    """When the data (not only the files' bytes) last changed (ISO 8601, UTC)."""
    signals: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Signal name -> ``first_date``, ``vintage`` (its last date), ``rows`` and ``regions``,
    for sources that provide signals."""
    parser: str = ""
    """Fingerprint of the code that parsed the files (:func:`epicurves.sources.parser_fingerprint`):
    when it differs, the next update parses the same files again (new names, fixes)."""

    @property
    def content_hash(self) -> str:
        """One hash of all the source's upstream files (their SHA-256s, combined)."""
        joined = "".join(f"{k}:{v['sha256']};" for k, v in sorted(self.files.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, including the combined content hash."""
        return asdict(self) | {"content_hash": self.content_hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceMeta:
        """Inverse of :meth:`to_dict`."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        meta = cls(**fields)
        if not meta.changed_at:
            meta.changed_at = meta.updated_at
        return meta


def region_digests(observations: pd.DataFrame) -> dict[str, str]:
    """A content digest of each region's stored series (dates, cumulative cases and deaths).

    The daily values and flags follow from these, so equal digests mean equal data. The digest
    hashes the raw numbers (missing as a sentinel), so it does not depend on library versions.
    ``observations`` is one source's table, sorted by region and date as the store keeps it.
    """
    import numpy as np

    if observations.empty:
        return {}
    region = observations["region_id"].astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, region[1:] != region[:-1]])
    ends = np.r_[starts[1:], len(region)]
    missing = np.iinfo(np.int64).min
    columns = [
        observations["date"].to_numpy().astype("datetime64[s]").astype(np.int64),
        *(
            observations[c].to_numpy(dtype=np.int64, na_value=missing)
            for c in ("cases", "deaths")
        ),
    ]
    block = np.ascontiguousarray(np.column_stack(columns))
    out: dict[str, str] = {}
    for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
        digest = hashlib.blake2b(block[begin:end].tobytes(), digest_size=8)
        out[str(region[begin])] = digest.hexdigest()
    return out


def signal_digests(signals: pd.DataFrame) -> dict[str, str]:
    """A content digest of each region's stored signals (every column but ``source``).

    ``signals`` is one source's table sorted by region (as :func:`epicurves.model.tidy_signals`
    leaves it). Like :func:`region_digests`, it hashes raw numbers and text, independent of
    library versions.
    """
    import numpy as np
    import pandas as pd

    if signals.empty:
        return {}
    region = signals["region_id"].astype(str).to_numpy()
    starts = np.flatnonzero(np.r_[True, region[1:] != region[:-1]])
    ends = np.r_[starts[1:], len(region)]
    numbers = np.ascontiguousarray(
        np.column_stack(
            [
                signals["date"].to_numpy().astype("datetime64[s]").astype(np.int64),
                *(_float_bits(signals[c]) for c in ("value", "lo", "hi")),
            ]
        )
    )
    columns = ("signal", "pathogen", "resolution", "unit", "age_group", "estimate")
    coded = [pd.factorize(signals[c]) for c in columns]
    out: dict[str, str] = {}
    for begin, end in zip(starts.tolist(), ends.tolist(), strict=True):
        digest = hashlib.blake2b(numbers[begin:end].tobytes(), digest_size=8)
        for codes, uniques in coded:
            # codes local to the region, in the order of their labels: a region's digest
            # does not depend on the labels of the other regions
            used, local = np.unique(codes[begin:end], return_inverse=True)
            labels = [str(uniques[c]) if c >= 0 else "\x00" for c in used.tolist()]
            rank = np.argsort(np.argsort(np.array(labels, dtype=object)))
            digest.update("\x1e".join(sorted(labels)).encode() + b"\x1d")
            digest.update(rank[local].astype(np.int64).tobytes())
        out[str(region[begin])] = digest.hexdigest()
    return out


def _float_bits(values: pd.Series) -> Any:
    """Floats as int64 bit patterns for hashing: every missing value (any NaN) the same
    sentinel and -0.0 as 0.0, so equal data hash alike."""
    import numpy as np

    floats = (
        values.to_numpy(dtype="float64", na_value=np.nan) + 0.0
    )  # -0.0 + 0.0 is 0.0
    bits = floats.view(np.int64).copy()
    bits[np.isnan(floats)] = np.iinfo(np.int64).min
    return bits


@dataclass(frozen=True)
class StagedSource:
    """A source's new tables, written under fresh names but not yet part of a generation."""

    meta: SourceMeta
    files: dict[str, str]
    """``observations`` and ``regions`` -> file name in the store folder."""
    digests: dict[str, str]
    """Region id -> content digest of its series (:func:`region_digests`)."""
    signal_digests: dict[str, str] = field(default_factory=dict)
    """Region id -> content digest of its signals (:func:`signal_digests`)."""


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_json(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a temporary file beside it and ``os.replace``."""
    handle, name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=".json", dir=path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o644)  # mkstemp makes it private: readers may be other users
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


class Snapshot:
    """One generation of the store, pinned until :meth:`close` (use it as a context manager).

    Every read through a snapshot sees exactly that generation, even while an update commits
    newer ones: their files stay until the last reader of the generation is gone.
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
            self._pin.release(force=True)
            self._pin.close()
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


def read_regions(files: Sequence[Path]) -> pd.DataFrame:
    """The regions tables in ``files`` as one frame with the model's dtypes."""
    import pyarrow.dataset as ds

    from .model import REGION_COLUMNS, empty_regions

    if not files:
        return empty_regions()
    table = ds.dataset([str(f) for f in files], format="parquet").to_table()
    frame: pd.DataFrame = table.to_pandas().astype(REGION_COLUMNS)
    return frame[list(REGION_COLUMNS)]


def read_observations(
    files: Sequence[Path],
    *,
    regions: Sequence[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Observations in ``files``, only the given regions and dates (inclusive) if given.

    Only the row groups whose statistics say they may hold a wanted region are read (the
    store's files are sorted by region), so a reader of a few regions holds only their rows.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .model import OBSERVATION_COLUMNS, empty_observations

    if not files:
        return empty_observations()
    wanted = None if regions is None else sorted({str(r) for r in regions})
    tables = []
    for path in files:
        parquet = pq.ParquetFile(path)
        table = parquet.read_row_groups(_row_groups(parquet, wanted))
        keep = None
        if wanted is not None:
            values = pa.array(wanted, type=table.schema.field("region_id").type)
            keep = pc.is_in(table["region_id"], value_set=values)
        for bound, compare in ((start, pc.greater_equal), (end, pc.less_equal)):
            if bound is not None:
                day = pd.Timestamp(bound).to_datetime64().astype("datetime64[s]")
                term = compare(
                    table["date"], pa.scalar(day).cast(table.schema.field("date").type)
                )
                keep = term if keep is None else pc.and_(keep, term)
        tables.append(table if keep is None else table.filter(keep))
    table = pa.concat_tables(tables, promote_options="default")
    frame: pd.DataFrame = table.to_pandas().astype(OBSERVATION_COLUMNS)
    return frame[list(OBSERVATION_COLUMNS)]


def read_signals(
    files: Sequence[Path],
    *,
    regions: Sequence[str] | None = None,
    signals: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The signals tables in ``files`` as one frame, only the given regions and signals if given."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .model import SIGNAL_COLUMNS, empty_signals

    if not files:
        return empty_signals()
    terms = [
        pc.field(column).isin(sorted({str(w) for w in wanted}))
        for column, wanted in (("region_id", regions), ("signal", signals))
        if wanted is not None
    ]
    where = None
    for term in terms:
        where = term if where is None else where & term
    # the filter skips the row groups whose statistics rule them out (files sorted by region)
    tables = [pq.read_table(path, filters=where) for path in files]
    table = pa.concat_tables(tables, promote_options="default")
    frame: pd.DataFrame = table.to_pandas().astype(SIGNAL_COLUMNS)
    return frame[list(SIGNAL_COLUMNS)]


def _row_groups(parquet: Any, wanted: Sequence[str] | None) -> list[int]:
    """The row groups of a Parquet file that may hold one of the ``wanted`` regions (sorted),
    by their statistics; every group if ``wanted`` is None or a group has no statistics."""
    metadata = parquet.metadata
    count = metadata.num_row_groups
    if wanted is None:
        return list(range(count))
    column = metadata.schema.to_arrow_schema().get_field_index("region_id")
    groups = []
    for number in range(count):
        stats = metadata.row_group(number).column(column).statistics
        if stats is None or not stats.has_min_max:
            groups.append(number)
            continue
        first = bisect.bisect_left(wanted, stats.min)
        if first < len(wanted) and wanted[first] <= stats.max:
            groups.append(number)
    return groups


class Store:
    """The Parquet store in ``root``; reading never needs the update lock, writing happens under it."""

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
            try:
                self._pins.mkdir(parents=True, exist_ok=True)
                pin = ReadWriteLock(
                    self._pins / f"{generation}.lock", is_singleton=False
                )
            except (OSError, ValueError, sqlite3.Error):
                # No right to write there (a read-only store), or another user's pin: no pin.
                return Snapshot(self, manifest, None)
            try:
                pin.acquire_read(timeout=timeout)
            except (ValueError, sqlite3.Error):  # a damaged pin: read without one
                pin.close()
                return Snapshot(self, manifest, None)
            except OSError:
                # The pin was removed while we waited: that generation is gone.
                pin.close()
                continue
            except Timeout as exc:
                pin.close()
                msg = (
                    f"could not pin store generation {generation} within {timeout:g} s"
                )
                raise StoreError(msg) from exc
            if (self._generations / f"{generation}.json").is_file():
                return Snapshot(self, manifest, pin)
            # Removed between reading the manifest and pinning it: read the current one.
            pin.release(force=True)
            pin.close()
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
    ) -> StagedSource:
        """Write a source's new tables under fresh names; nothing reads them until :meth:`commit`.

        ``signals`` (a source that provides signals) is written as a third table.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .model import OBSERVATION_COLUMNS, REGION_COLUMNS, SIGNAL_COLUMNS

        self.root.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:12]
        tables = [
            ("observations", observations, OBSERVATION_COLUMNS),
            ("regions", regions, REGION_COLUMNS),
        ]
        if signals is not None:
            tables.append(("signals", signals, SIGNAL_COLUMNS))
        names = {
            table: f"{meta.source}-{token}.{table}.parquet" for table, _, _ in tables
        }
        written: list[Path] = []
        try:
            for table, frame, columns in tables:
                path = self.root / names[table]
                written.append(path)
                arrow = pa.Table.from_pandas(frame[list(columns)], preserve_index=False)
                pq.write_table(
                    arrow, path, compression="zstd", row_group_size=ROW_GROUP_ROWS
                )
                _fsync(path)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return StagedSource(
            meta,
            names,
            region_digests(observations),
            {} if signals is None else signal_digests(signals),
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
            sources[meta.source] = item.files | {
                "meta": meta.to_dict(),
                "digests": item.digests,
            }
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
        """Remove temporary files a killed update left (call it under the update lock)."""
        if self.root.is_dir():
            for folder in (self.root, self._generations):
                for path in folder.glob(".*.json"):
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
        with self._exclusive(pin_path) as free:
            return free

    @contextlib.contextmanager
    def _exclusive(self, pin_path: Path) -> Iterator[bool]:
        """Hold ``pin_path`` exclusively while the block runs, if no reader holds it; the
        block is told whether it got it."""
        try:
            pin = ReadWriteLock(pin_path, is_singleton=False)
        except (OSError, ValueError, sqlite3.Error):
            yield False
            return
        try:
            pin.acquire_write(blocking=False)
        except (Timeout, OSError, ValueError, sqlite3.Error):
            pin.close()
            yield False
            return
        try:
            yield True
        finally:
            pin.release(force=True)
            pin.close()

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
        with self._exclusive(pin_path) as free:
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

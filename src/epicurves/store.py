"""The on-disk store: Parquet tables per source, tied together by one atomically replaced manifest.

Layout under ``<home>/store/``::

    manifest.json                              which files hold each source's current data
    <source>-<token>.observations.parquet      source, region_id, date, cases, deaths, new_*, flags
    <source>-<token>.regions.parquet          region_id, name, kind, parent, population, source

An update writes a source's new tables under fresh names, then replaces ``manifest.json`` with
``os.replace``: readers see either the old data or the new, never a mix, and a failed or rejected
update leaves the last good data in place. Files no manifest names are removed afterwards.
Read as one tidy table, the observations of all sources have the columns of
:data:`~epicurves.model.OBSERVATION_COLUMNS`.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .errors import StoreError
from .model import (
    OBSERVATION_COLUMNS,
    REGION_COLUMNS,
    empty_observations,
    empty_regions,
)

__all__ = ["SourceMeta", "Store"]

MANIFEST = "manifest.json"
FORMAT = 1


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

    @property
    def content_hash(self) -> str:
        """One hash of all the source's upstream files (their SHA-256s, combined)."""
        import hashlib

        joined = "".join(f"{k}:{v['sha256']};" for k, v in sorted(self.files.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, including the combined content hash."""
        return asdict(self) | {"content_hash": self.content_hash}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceMeta:
        """Inverse of :meth:`to_dict`."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**fields)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


class Store:
    """The Parquet store in ``root``; reading never needs a lock, writing happens under one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading -------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        """The current manifest; an empty one if nothing was stored yet."""
        path = self.root / MANIFEST
        if not path.exists():
            return {"format": FORMAT, "sources": {}}
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
        if data.get("format") != FORMAT:
            msg = f"store {self.root} has format {data.get('format')!r}, this epicurves reads {FORMAT}"
            raise StoreError(msg)
        return data

    def sources(self) -> list[str]:
        """Names of the sources with stored data."""
        return list(self.manifest()["sources"])

    def meta(self) -> dict[str, SourceMeta]:
        """The metadata record of every stored source."""
        return {
            name: SourceMeta.from_dict(entry["meta"])
            for name, entry in self.manifest()["sources"].items()
        }

    def _files(self, table: str, sources: Iterable[str] | None) -> list[Path]:
        entries = self.manifest()["sources"]
        names = (
            list(entries) if sources is None else [s for s in sources if s in entries]
        )
        paths = [self.root / entries[name][table] for name in names]
        missing = [p for p in paths if not p.exists()]
        if missing:
            msg = f"store file {missing[0]} is missing; run `epicurves update` again"
            raise StoreError(msg)
        return paths

    def load_regions(self, sources: Iterable[str] | None = None) -> pd.DataFrame:
        """The regions table of the given sources (default all), one row per (source, region)."""
        files = self._files("regions", sources)
        if not files:
            return empty_regions()
        table = ds.dataset([str(f) for f in files], format="parquet").to_table()
        frame: pd.DataFrame = table.to_pandas().astype(REGION_COLUMNS)
        return frame[list(REGION_COLUMNS)]

    def load_observations(
        self,
        sources: Iterable[str] | None = None,
        *,
        regions: Sequence[str] | None = None,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """Observations of the given sources (default all), filtered while reading."""
        files = self._files("observations", sources)
        if not files:
            return empty_observations()
        dataset = ds.dataset([str(f) for f in files], format="parquet")
        condition = None
        if regions is not None:
            condition = ds.field("region_id").isin(list(regions))
        for bound, op in ((start, "ge"), (end, "le")):
            if bound is not None:
                value = pa.scalar(
                    pd.Timestamp(bound).to_datetime64().astype("datetime64[s]")
                )
                term = (
                    ds.field("date") >= value
                    if op == "ge"
                    else ds.field("date") <= value
                )
                condition = term if condition is None else condition & term
        table = dataset.to_table(filter=condition)
        frame: pd.DataFrame = table.to_pandas().astype(OBSERVATION_COLUMNS)
        return frame[list(OBSERVATION_COLUMNS)]

    # -- writing -------------------------------------------------------------------------------
    def write(
        self, meta: SourceMeta, observations: pd.DataFrame, regions: pd.DataFrame
    ) -> None:
        """Store a source's new tables atomically; the old ones stay until the manifest flips."""
        self.root.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:12]
        names = {
            "observations": f"{meta.source}-{token}.observations.parquet",
            "regions": f"{meta.source}-{token}.regions.parquet",
        }
        written: list[Path] = []
        try:
            for table, frame, columns in (
                ("observations", observations, OBSERVATION_COLUMNS),
                ("regions", regions, REGION_COLUMNS),
            ):
                path = self.root / names[table]
                arrow = pa.Table.from_pandas(frame[list(columns)], preserve_index=False)
                pq.write_table(arrow, path, compression="zstd")
                _fsync(path)
                written.append(path)
            manifest = self.manifest()
            manifest["sources"][meta.source] = names | {"meta": meta.to_dict()}
            self._write_manifest(manifest)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        self.collect_garbage()

    def remove(self, source: str) -> None:
        """Forget a source's data."""
        manifest = self.manifest()
        if manifest["sources"].pop(source, None) is not None:
            self._write_manifest(manifest)
            self.collect_garbage()

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        handle, name = tempfile.mkstemp(
            prefix=".manifest.", suffix=".json", dir=self.root
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(manifest, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(name, self.root / MANIFEST)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise

    def clean_temporary(self) -> None:
        """Remove temporary manifests a killed update left (call it under the update lock)."""
        if self.root.is_dir():
            for path in self.root.glob(".manifest.*.json"):
                path.unlink(missing_ok=True)

    def collect_garbage(self) -> None:
        """Remove table files that the manifest no longer names."""
        keep = {
            entry[table]
            for entry in self.manifest()["sources"].values()
            for table in ("observations", "regions")
        }
        for path in self.root.glob("*.parquet"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

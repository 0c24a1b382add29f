"""What the store holds, for people: sources, signals, freshness, shown regions and notes, as frames (``epicurves info`` renders them).

:func:`store_info` reads one pinned generation and returns a :class:`StoreInfo`; it prints
nothing, so a notebook can show the same tables as the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .config import Settings
from .errors import UnknownRegionError
from .freshness import cadence, freshness
from .lazy import pd
from .model import pick_shown
from .sources import SOURCES
from .store import Store

__all__ = ["StoreInfo", "store_info"]

#: Columns of :attr:`StoreInfo.sources`.
SOURCE_COLUMNS = (
    "source", "publishes", "first date", "vintage", "rows", "regions", "checked (UTC)",
    "changed (UTC)",
)  # fmt: skip
#: Columns of :attr:`StoreInfo.signals`.
SIGNAL_COLUMNS = (
    "signal", "source", "resolution", "unit", "first date", "vintage", "values", "regions",
)  # fmt: skip
#: Columns of :attr:`StoreInfo.shown`.
SHOWN_COLUMNS = ("kind", "shown from", "regions")


@dataclass
class StoreInfo:
    """What :func:`store_info` found, every table as text ready to show (empty cells ``""``).

    >>> info = store_info()
    >>> info.empty, info.precedence[:2]
    (False, ('rki', 'rki-states'))
    >>> stored = info.sources.query("source in ['jhu', 'nyt', 'rki']")
    >>> stored[["source", "publishes", "first date", "rows", "regions"]]
      source publishes  first date rows regions
    0    jhu    frozen  2021-03-01  132      11
    2    nyt    frozen  2021-03-01   52       5
    3    rki     daily  2021-03-01   12       1
    """

    store_dir: Path
    generation: int
    precedence: tuple[str, ...]
    sources: pd.DataFrame
    """One row per known source (:data:`SOURCE_COLUMNS`); a source not stored says so in
    ``vintage``, a stale one has ``(stale)`` after its vintage."""
    signals: pd.DataFrame
    """One row per declared signal (:data:`SIGNAL_COLUMNS`)."""
    warnings: list[str]
    """Staleness and failed-check warnings."""
    descriptions: list[tuple[str, str, str]]
    """(source, description, licence) of every known source."""
    empty: bool
    """Nothing is stored yet."""
    shown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    """How many regions of each kind are shown from which source (:data:`SHOWN_COLUMNS`)."""
    region: list[str] = field(default_factory=list)
    """For the region asked about: one line per source that has it, the shown one marked."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(source, note): the rows each source skipped or kept specially."""


def _time(value: str) -> str:
    """An ISO 8601 time to the minute, as people read it."""
    return value[:16].replace("T", " ")


def store_info(
    settings: Settings | None = None,
    *,
    region: str | None = None,
    now: datetime | None = None,
) -> StoreInfo:
    """What the store holds: sources with their cadence, dates, row counts, and when each was
    last checked and changed; the signals; warnings about stale sources; which source is
    shown for how many regions; with ``region``, which sources have that region and which is
    shown; and the notes of each source. A ``region`` the store does not have is an
    :class:`~epicurves.UnknownRegionError` (an empty store has none to check).

    >>> info = store_info(region="DE")
    >>> for line in info.region:
    ...     print(line)
    DE (Germany): germany, vintage 2021-03-12 - also stored
    DE (Germany): jhu, vintage 2021-03-12 - also stored
    DE (Germany): rki, vintage 2021-03-12 - shown
    >>> info.signals[["signal", "source", "resolution", "unit"]].head(2)
                 signal          source resolution             unit
    0        wastewater  rki-wastewater       week  genome copies/L
    1  wastewater-sites  rki-wastewater       week           plants
    """
    settings = settings or Settings.from_env()
    store = Store(settings.store_dir)
    with store.snapshot() as snapshot:
        meta = snapshot.meta()
        regions = snapshot.load_regions()
    if region is not None and meta and region not in set(regions["region_id"]):
        raise UnknownRegionError(region)
    fresh = {
        f.source: f for f in freshness(meta, store.checked(), now or datetime.now(UTC))
    }
    source_rows = []
    signal_rows = []
    for name, source in SOURCES.items():
        m = meta.get(name)
        if m is None:
            source_rows.append(
                (name, cadence(source), "", "not stored", "", "", "", "")
            )
        else:
            f = fresh[name]
            source_rows.append((
                name, cadence(source), m.first_date,
                m.vintage + (" (stale)" if f.stale else ""), f"{m.rows:,}",
                f"{m.regions:,}", _time(f.checked_at), _time(f.changed_at),
            ))  # fmt: skip
        for signal in source.signals:
            stored = None if m is None else m.signals.get(signal.name)
            unit = " or ".join(signal.units)  # ERVISS's rates: a unit per country
            if stored is None:
                signal_rows.append((
                    signal.name, name, signal.resolution, unit, "", "not stored", "", "",
                ))  # fmt: skip
                continue
            stale = name in fresh and fresh[name].stale
            signal_rows.append((
                signal.name, name, signal.resolution, unit, stored["first_date"],
                stored["vintage"] + (" (stale)" if stale else ""), f"{stored['rows']:,}",
                f"{stored['regions']:,}",
            ))  # fmt: skip
    info = StoreInfo(
        store_dir=settings.store_dir,
        generation=snapshot.generation,
        precedence=settings.precedence,
        sources=pd.DataFrame(source_rows, columns=list(SOURCE_COLUMNS)),
        signals=pd.DataFrame(signal_rows, columns=list(SIGNAL_COLUMNS)),
        warnings=[w for f in fresh.values() for w in f.warnings],
        descriptions=[(n, s.description, s.licence) for n, s in SOURCES.items()],
        empty=not meta,
    )
    if not meta:
        return info
    shown = pick_shown(regions, settings.precedence)
    counts = shown.groupby(["kind", "source"]).size().reset_index(name="n")
    info.shown = pd.DataFrame(
        {
            "kind": counts["kind"].astype(str),
            "shown from": counts["source"].astype(str),
            "regions": [f"{n:,}" for n in counts["n"]],
        },
        columns=list(SHOWN_COLUMNS),
    )
    if region is not None:
        chosen = shown.loc[shown["region_id"] == region, "source"].iloc[0]
        for row in regions[regions["region_id"] == region].itertuples(index=False):
            mark = "shown" if row.source == chosen else "also stored"
            info.region.append(
                f"{region} ({row.name}): {row.source}, vintage "
                f"{meta[str(row.source)].vintage} - {mark}"
            )
    info.notes = [(name, note) for name, m in meta.items() for note in m.notes]
    return info

"""The work a build gives its executor: the regions cut into chunks of about the same number of rows (each a :class:`~.render.ChunkJob`), and the map pages (:class:`MapJob`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..analysis import CoriOptions
from ..changes import RegionState
from .graph import SIGNAL_SCRIPT, Hierarchy, Plan
from .maps import MAPS, map_page
from .relations import region_job
from .render import ChunkJob, RegionJob
from .signalmaps import signal_map_page

__all__ = [
    "CHUNKS_PER_WORKER",
    "CHUNK_REGIONS",
    "CHUNK_ROWS",
    "MapJob",
    "chunk_jobs",
    "chunks",
    "render_map",
]

#: Rows (region-days) per chunk of work, at most: enough to amortise what every chunk does once
#: (reading the store, setting up the frames), few enough to stay in the processor's caches and
#: to keep a worker's memory small (~130,000 rows: ~300 MB).
CHUNK_ROWS = 130_000
#: Regions per chunk, at most.
CHUNK_REGIONS = 128
#: Chunks per worker at least, where there are enough regions: for balance.
CHUNKS_PER_WORKER = 4


def chunk_jobs(
    states: Mapping[str, RegionState],
    plan: Plan,
    *,
    observations: Mapping[str, str],
    signals: Mapping[str, Collection[str] | None],
    days: Mapping[str, float],
    workers: int,
    common: Mapping[str, Any],
    out: str,
    old: str | None,
    charts: Mapping[str, list[dict[str, Any]]] | None = None,
    newest: Mapping[str, str] | None = None,
) -> list[ChunkJob]:
    """The regions ``plan`` renders, with what their pages say of other regions, cut into
    chunks (:func:`chunks`). ``observations`` maps each source to its observations file,
    ``signals`` each signals file of the pinned store generation to the regions it holds
    signals of (None: not known), so that a chunk reads those of its regions only; ``days``
    is the mean length of a region's series per source; ``out`` the new generation's folder
    and ``old`` the published one; ``charts`` the signal charts a region's page may reuse
    (when its signal data script is not rewritten); ``newest`` the newest date of each signal
    in its source (``source/signal``), from which the provisional weeks count."""
    hierarchy = Hierarchy(states)
    ordered = sorted(plan.regions, key=lambda r: (states[r].source, r))
    charts = charts or {}

    def job_of(region_id: str) -> RegionJob:
        job = region_job(
            region_id, states, hierarchy, tuple(sorted(plan.regions[region_id]))
        )
        reuse = (
            job.signals
            and region_id in charts
            and SIGNAL_SCRIPT not in plan.regions[region_id]
        )
        return replace(
            job,
            signal_charts=tuple(charts[region_id]) if reuse else None,
            signals_only=region_id in plan.signals_only,
        )

    regions = [job_of(r) for r in ordered]
    cori = CoriOptions()
    parts = chunks(regions, days, workers)
    # The longest first, so that the workers finish together: those that write signal data
    # scripts, then by rows.
    parts.sort(
        key=lambda part: (
            -sum(SIGNAL_SCRIPT in j.files for j in part),
            -sum(days.get(j.source, 1.0) for j in part),
        )
    )
    return [
        ChunkJob(
            {s: observations[s] for s in sorted({j.source for j in part})},
            part,
            common,
            cori,
            out,
            old,
            signals=tuple(
                path
                for path, held in signals.items()
                if any(
                    j.signals and (held is None or j.region_id in held) for j in part
                )
            ),
            newest=dict(newest or {}),
        )
        for part in parts
    ]


def chunks(
    regions: list[RegionJob], days: Mapping[str, float], workers: int
) -> list[tuple[RegionJob, ...]]:
    """Cut the regions (in order) into chunks of about the same number of rows: at most
    :data:`CHUNK_ROWS` and :data:`CHUNK_REGIONS`, and :data:`CHUNKS_PER_WORKER` a worker."""
    rows = [days.get(r.source, 1.0) for r in regions]
    target = min(CHUNK_ROWS, sum(rows) / (CHUNKS_PER_WORKER * workers))
    chunks: list[tuple[RegionJob, ...]] = []
    part: list[RegionJob] = []
    size = 0.0
    for region, length in zip(regions, rows, strict=True):
        if part and (size + length > target or len(part) == CHUNK_REGIONS):
            chunks.append(tuple(part))
            part, size = [], 0.0
        part.append(region)
        size += length
    if part:
        chunks.append(tuple(part))
    return chunks


@dataclass(frozen=True)
class MapJob:
    """A map page to render (:func:`render_map`): everything it needs, passed explicitly."""

    name: str
    """The map's name in :data:`~.maps.MAPS`."""
    states: Mapping[str, RegionState]
    common: Mapping[str, Any]
    out: str
    """The new generation's folder: the regions' files this build wrote."""
    old: str | None
    """The published generation: the other regions' files."""

    @property
    def path(self) -> str:
        """The map page's path in the site."""
        return next(m.path for m in MAPS if m.name == self.name)


def render_map(job: MapJob) -> tuple[str, bytes]:
    """A map page (its path and bytes), from the regions' ``data/<id>.inc.js`` files (a map of
    a signal: ``data/<id>.sig.js``) of the site being built: the new generation's, else the
    published one's."""
    spec = next(m for m in MAPS if m.name == job.name)

    def read(path: str) -> str | None:
        for folder in (job.out, job.old):
            if folder is not None and (Path(folder) / path).is_file():
                return (Path(folder) / path).read_text("utf-8")
        return None

    made = signal_map_page if spec.chart else map_page
    return spec.path, made(spec, job.states, read, job.common)

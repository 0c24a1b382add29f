"""Cutting the regions a build renders into chunks of work: neighbouring regions of about the same number of rows, each a :class:`~.render.ChunkJob` an executor runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..analysis import CoriOptions
from ..changes import RegionState
from .graph import Hierarchy, Plan
from .relations import region_job
from .render import ChunkJob, RegionJob

__all__ = ["CHUNKS_PER_WORKER", "CHUNK_REGIONS", "CHUNK_ROWS", "chunk_jobs", "chunks"]

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
    signals: Sequence[str],
    days: Mapping[str, float],
    workers: int,
    common: Mapping[str, Any],
    out: str,
    old: str | None,
) -> list[ChunkJob]:
    """The regions ``plan`` renders, with what their pages say of other regions, cut into
    chunks (:func:`chunks`). ``observations`` maps each source to its observations file and
    ``signals`` lists the signals files of the pinned store generation; ``days`` is the mean
    length of a region's series per source; ``out`` the new generation's folder and ``old``
    the published one."""
    hierarchy = Hierarchy(states)
    ordered = sorted(plan.regions, key=lambda r: (states[r].source, r))
    regions = [
        region_job(r, states, hierarchy, tuple(sorted(plan.regions[r])))
        for r in ordered
    ]
    cori = CoriOptions()
    return [
        ChunkJob(
            {s: observations[s] for s in sorted({j.source for j in part})},
            part,
            common,
            cori,
            out,
            old,
            signals=tuple(signals) if any(j.signals for j in part) else (),
        )
        for part in chunks(regions, days, workers)
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

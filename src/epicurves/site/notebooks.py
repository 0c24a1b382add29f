"""Region notebooks outside a site build (``epicurves notebook``): the same bytes the build
writes to ``notebooks/<id>.ipynb``, from the same relations (its peers are the page's)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..changes import region_states
from ..config import Settings
from ..errors import EmptyStoreError, UnknownRegionError, UsageError
from ..notebooks import region_notebook
from ..sources import SOURCES
from ..store import Store
from .graph import Hierarchy
from .relations import region_job

__all__ = ["region_notebooks"]


def region_notebooks(
    settings: Settings, regions: Iterable[str] | None = None
) -> Iterator[tuple[str, str]]:
    """``(region_id, notebook JSON)`` for the regions (default: every region with a page), as
    the site build writes them. An unknown region, or one without data, is a
    :class:`UsageError` before anything is made."""
    with Store(settings.store_dir).snapshot() as snapshot:
        states = region_states(
            snapshot.load_regions(),
            snapshot.digests(),
            settings.precedence,
            snapshot.signal_digests(),
        )
    if not states:
        raise EmptyStoreError(settings.store_dir)
    wanted = (
        sorted(r for r, s in states.items() if s.observed)
        if regions is None
        else list(dict.fromkeys(regions))
    )
    for region_id in wanted:
        state = states.get(region_id)
        if state is None:
            raise UnknownRegionError(region_id)
        if not state.observed:
            msg = f"region {region_id!r} has no observations, hence no page and no notebook"
            raise UsageError(msg)
    hierarchy = Hierarchy(states)
    for region_id in wanted:
        job = region_job(region_id, states, hierarchy, ())
        source = SOURCES[job.source]
        peers = [p["region_id"] for p in job.page["peers"]]
        yield (
            region_id,
            region_notebook(region_id, job.name, source.name, source.licence, peers),
        )

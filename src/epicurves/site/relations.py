"""What a region's page (and its notebook) says of other regions: breadcrumbs, parts, peers, predecessors and successor, and its source.

Shared by the site build and ``epicurves notebook``, so that a notebook compares its region
with the same peers as the region's page.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..changes import RegionState
from ..sources import SOURCES
from ..succession import successor
from .graph import Hierarchy
from .pages import region_href
from .render import RegionJob

__all__ = ["MAX_PEERS", "region_job"]

#: Peers drawn on a region's comparison chart.
MAX_PEERS = 7


def region_job(
    region_id: str,
    states: Mapping[str, RegionState],
    hierarchy: Hierarchy,
    files: tuple[str, ...],
) -> RegionJob:
    """What a region's page says of other regions, from the graph's relations."""
    state = states[region_id]
    source = SOURCES[state.source]
    named = [(r, states[r].name) for r in hierarchy.ancestors(region_id)]
    children = [
        {"name": states[c].name, "href": region_href(c), "historic": states[c].historic}
        for c in hierarchy.children(region_id)
    ]
    candidates = hierarchy.peers(region_id)
    if state.kind != "country" and state.parent:
        # The parent, then the five siblings closest in population (by name on a tie).
        population = state.population or 0
        siblings = sorted(
            (s for s in candidates if s != state.parent),
            key=lambda s: abs((states[s].population or 0) - population),
        )
        candidates = [p for p in candidates if p == state.parent] + siblings[:5]
    peers = [{"region_id": p, "name": states[p].name} for p in candidates[:MAX_PEERS]]
    succession = successor(region_id)
    covering = hierarchy.successor(region_id)
    titles = {"country": "States", "state": "Districts"}
    page = {
        "ancestors": list(reversed(named)),
        "children": children,
        "children_title": titles.get(state.kind, "Parts"),
        "peers": peers,
        "predecessors": [
            {"name": states[p].name, "href": region_href(p), "region_id": p}
            for p in hierarchy.predecessors(region_id)
        ],
        "successor": None
        if succession is None
        else {
            "region_id": succession.successor,
            "name": states[covering[0]].name if covering else succession.successor,
            "href": region_href(covering[0]) if covering else None,
            "since": succession.since,
            "reason": succession.reason,
        },
        "others": [s for s in state.sources if s != state.source],
        "source": {
            "name": source.name,
            "homepage": source.homepage,
            "description": source.description,
            "licence": source.licence,
            "live": source.live,
        },
    }
    return RegionJob(
        region_id, state.source, state.name, state.kind, state.parent, state.population,
        files, page, signals=bool(state.signals),
    )  # fmt: skip

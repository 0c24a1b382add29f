"""Deciding what a build writes: pure functions from the published site's state, the store's regions and what changed, to a plan and the reason for it.

A build starts from the published site when it can (:func:`starting_point`): not when asked for
a full build, when there is no earlier build, or when the code, templates or settings changed
(the fingerprint, :mod:`.fingerprint`). It then writes what the dependency graph (:mod:`.graph`)
says the changes touch (:func:`plan_build`), and the incidence tables again when their
highlighting threshold changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from ..changes import ChangeSet, RegionState, diff
from ..store.meta import SourceMeta
from .collections import COLLECTIONS, THRESHOLD_PAGES
from .graph import PAGE, Plan, plan
from .publish import BuildState

__all__ = [
    "DEFAULT_THRESHOLD",
    "newest_dates",
    "plan_build",
    "provisional_moved",
    "reuses_states",
    "starting_point",
]

#: The 7-day incidence per 100,000 at or above which the incidence tables highlight a row,
#: when no build has set another.
DEFAULT_THRESHOLD = 50.0


def starting_point(
    published: BuildState | None, *, full: bool, fingerprint: str
) -> tuple[BuildState | None, str]:
    """The state to build on (None: a full build) and, for a full build, why.

    >>> starting_point(None, full=False, fingerprint="f")
    (None, 'no earlier build to start from')
    """
    if full:
        return None, "asked for (--full)"
    if published is None:
        return None, "no earlier build to start from"
    if published.fingerprint != fingerprint:
        return None, "the code, templates or settings changed"
    return published, ""


def reuses_states(previous: BuildState | None, store_id: str, generation: int) -> bool:
    """Whether the site was built from this very store generation: then the regions' states
    are the published ones, and reading the store's regions is saved."""
    return (
        previous is not None
        and previous.store_id == store_id
        and previous.store_generation == generation
    )


def newest_dates(meta: Mapping[str, SourceMeta]) -> dict[str, str]:
    """The newest date of each signal in its source (``source/signal``), from the store's
    metadata: where the provisional weeks count from (:func:`.signals.provisional_now`)."""
    return {
        f"{source}/{name}": str(info["vintage"])
        for source, m in meta.items()
        for name, info in m.signals.items()
        if info.get("vintage")
    }


def provisional_moved(
    previous: BuildState,
    newest: Mapping[str, str],
    digests: Mapping[str, Mapping[str, str]],
) -> frozenset[str]:
    """The regions whose pages and maps count their provisional weeks from a newest date
    that moved since the build ``previous`` (``newest``: ``source/signal`` -> date; a new
    release of a source moves it for every region of the source, changed or not):
    ``digests``' regions of the sources one of whose signals moved; every region with signals
    where ``previous`` did not record the dates.

    >>> before = BuildState(1, "f", "s", 1, {}, newest={"cdc/a": "2026-08-15"})
    >>> sorted(provisional_moved(before, {"cdc/a": "2026-08-22"}, {"cdc": {"US": "d"}}))
    ['US']
    >>> provisional_moved(before, {"cdc/a": "2026-08-15"}, {"cdc": {"US": "d"}})
    frozenset()
    >>> sorted(provisional_moved(BuildState(1, "f", "s", 1, {}), {}, {"cdc": {"US": "d"}}))
    ['US']
    """
    if previous.newest is None:
        return frozenset(r for held in digests.values() for r in held)
    sources = {
        key.split("/", 1)[0]
        for key in newest.keys() | previous.newest.keys()
        if newest.get(key) != previous.newest.get(key)
    }
    return frozenset(r for s in sources for r in digests.get(s, {}))


def plan_build(
    previous: BuildState | None,
    states: Mapping[str, RegionState],
    changes: ChangeSet | None,
    *,
    store_id: str,
    generation: int,
    threshold: float,
    provisional: Collection[str] = (),
) -> tuple[Plan, str]:
    """What to write, and the reason to report for an incremental build (a full build keeps
    the reason :func:`starting_point` gave: empty here).

    ``changes`` is what an update just changed; it is used when it starts from the store
    generation the site was built from (same store), else the changes are found by comparing
    the site's regions with ``states``. A threshold other than the site's rewrites the pages
    with incidence tables too. The pages of the regions in ``provisional``
    (:func:`provisional_moved`) and the maps of signals that show them are rewritten too (a
    page changed in nothing else: its signal parts alone, :attr:`.Plan.signals_only`).
    """
    if previous is None:
        return plan(None, states, ChangeSet(generation, generation), COLLECTIONS), ""
    if reuses_states(previous, store_id, generation):
        changes = ChangeSet(generation, generation)
    elif not (
        previous.store_id == store_id
        and changes is not None
        and changes.base == previous.store_generation
        and changes.generation == generation
    ):
        changes = diff(
            previous.regions,
            states,
            base=previous.store_generation,
            generation=generation,
        )
    changes = changes or ChangeSet(generation, generation)
    planned = plan(previous.regions, states, changes, COLLECTIONS)
    reason = changes.describe()
    again = sorted(
        r
        for r in provisional
        if r in states and states[r].signals and PAGE not in planned.regions.get(r, ())
    )
    if again:
        regions = dict(planned.regions)
        for region_id in again:
            regions[region_id] = regions.get(region_id, frozenset()) | {PAGE}
        maps = {
            c.path
            for c in COLLECTIONS
            if c.kinds is not None
            and "signals" in c.kinds
            and any(c.select(states[r]) for r in again)
        }
        planned = replace(
            planned,
            regions=regions,
            collections=planned.collections | maps,
            signals_only=planned.signals_only
            | {r for r in again if r not in planned.regions},
        )
        count = f"{len(again)} region{'s' if len(again) > 1 else ''}"
        reason += ("; " if reason else "") + f"provisional weeks of {count}"
    if previous.threshold != threshold:
        planned = replace(planned, collections=planned.collections | THRESHOLD_PAGES)
        reason += f"; threshold {previous.threshold:g} -> {threshold:g}"
    return planned, reason

"""Deciding what a build writes: pure functions from the published site's state, the store's regions and what changed, to a plan and the reason for it.

A build starts from the published site when it can (:func:`starting_point`): not when asked for
a full build, when there is no earlier build, or when the code, templates or settings changed
(the fingerprint, :mod:`.fingerprint`). It then writes what the dependency graph (:mod:`.graph`)
says the changes touch (:func:`plan_build`), and the incidence tables again when their
highlighting threshold changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..changes import ChangeSet, RegionState, diff
from .collections import COLLECTIONS, THRESHOLD_PAGES
from .graph import Plan, plan
from .publish import BuildState

__all__ = ["DEFAULT_THRESHOLD", "plan_build", "reuses_states", "starting_point"]

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


def plan_build(
    previous: BuildState | None,
    states: Mapping[str, RegionState],
    changes: ChangeSet | None,
    *,
    store_id: str,
    generation: int,
    threshold: float,
) -> tuple[Plan, str]:
    """What to write, and the reason to report for an incremental build (a full build keeps
    the reason :func:`starting_point` gave: empty here).

    ``changes`` is what an update just changed; it is used when it starts from the store
    generation the site was built from (same store), else the changes are found by comparing
    the site's regions with ``states``. A threshold other than the site's rewrites the pages
    with incidence tables too.
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
    if previous.threshold != threshold:
        tables = planned.collections | THRESHOLD_PAGES
        planned = Plan(
            planned.full, planned.regions, tables, planned.delete, planned.removed
        )
        reason += f"; threshold {previous.threshold:g} -> {threshold:g}"
    return planned, reason

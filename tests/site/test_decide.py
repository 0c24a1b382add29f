"""Deciding what a build writes: pure functions of the published state, the regions and the changes."""

from __future__ import annotations

from epicurves.changes import ChangeSet, RegionState
from epicurves.site.collections import THRESHOLD_PAGES
from epicurves.site.decide import (
    plan_build,
    provisional_moved,
    reuses_states,
    starting_point,
)
from epicurves.site.graph import PAGE, SIGNAL_SCRIPT
from epicurves.site.publish import BuildState

A = RegionState("s", "d1", "A", "country", None, 10, ("s",))
B = RegionState("s", "d2", "B", "country", None, 20, ("s",))


def _state(**changes: object) -> BuildState:
    base = {
        "generation": 3, "fingerprint": "f", "store_id": "st", "store_generation": 7,
        "assets": {}, "regions": {"A": A, "B": B}, "threshold": 50.0,
    }  # fmt: skip
    return BuildState(**(base | changes))  # type: ignore[arg-type]


def test_a_full_build_when_asked_without_a_site_or_with_other_code() -> None:
    published = _state()
    assert starting_point(published, full=True, fingerprint="f") == (
        None, "asked for (--full)",
    )  # fmt: skip
    assert starting_point(None, full=False, fingerprint="f")[1] == (
        "no earlier build to start from"
    )
    assert starting_point(published, full=False, fingerprint="g") == (
        None, "the code, templates or settings changed",
    )  # fmt: skip
    assert starting_point(published, full=False, fingerprint="f") == (published, "")


def test_the_published_regions_are_reused_for_the_same_generation_only() -> None:
    assert reuses_states(_state(), "st", 7)
    assert not reuses_states(_state(), "st", 8)
    assert not reuses_states(
        _state(), "other", 7
    )  # a store made anew counts from 1 again
    assert not reuses_states(None, "st", 7)


def test_nothing_changed_plans_the_timed_files_only() -> None:
    plan, reason = plan_build(
        _state(), {"A": A, "B": B}, None, store_id="st", generation=7, threshold=50.0
    )
    assert plan.files() == {"index.html", "status.json"} and not plan.full
    assert reason == "no region changed"


def test_a_changed_region_is_found_without_a_change_set() -> None:
    changed = {"A": A, "B": RegionState("s", "d3", "B", "country", None, 20, ("s",))}
    plan, reason = plan_build(
        _state(), changed, None, store_id="st", generation=8, threshold=50.0
    )
    assert set(plan.regions) == {"B"} and "1 region" in reason


def test_a_given_change_set_is_trusted_when_it_starts_where_the_site_did() -> None:
    changes = ChangeSet(7, 8, {"A": frozenset({"data"})})
    plan, _ = plan_build(
        _state(), {"A": A, "B": B}, changes, store_id="st", generation=8, threshold=50.0
    )
    assert set(plan.regions) == {"A"}  # the regions' states alone show no change


def test_a_new_threshold_rewrites_the_incidence_tables() -> None:
    plan, reason = plan_build(
        _state(), {"A": A, "B": B}, None, store_id="st", generation=7, threshold=75.0
    )
    assert plan.collections == THRESHOLD_PAGES and not plan.regions
    assert reason.endswith("threshold 50 -> 75")


def test_a_full_build_plans_everything() -> None:
    plan, reason = plan_build(
        None, {"A": A}, None, store_id="st", generation=1, threshold=50.0
    )
    assert plan.full and set(plan.regions) == {"A"} and reason == ""


#: US states with signals (the US admissions map shows them), and their parent.
CA = RegionState("cdc", "d4", "California", "state", "US", 39, ("cdc",), signals="s1")
NY = RegionState("cdc", "d5", "New York", "state", "US", 19, ("cdc",), signals="s2")
US = RegionState(
    "cdc", "d6", "United States", "country", None, 330, ("cdc",), signals="s3"
)
USA = {"US": US, "US-CA": CA, "US-NY": NY}


def test_a_change_of_signals_alone_keeps_the_rest_of_the_page() -> None:
    new = USA | {"US-CA": RegionState(**(vars(CA) | {"signals": "s9"}))}
    changes = ChangeSet(7, 8, {"US-CA": frozenset({"signals"})})
    plan, _ = plan_build(
        _state(regions=USA), new, changes, store_id="st", generation=8, threshold=50.0
    )
    assert plan.regions == {"US-CA": frozenset({PAGE, SIGNAL_SCRIPT})}
    assert plan.signals_only == {"US-CA"}
    assert "maps/us-admissions/index.html" in plan.collections
    assert "us/index.html" not in plan.collections  # the tables show cases only
    # a new day of cases too, or a renamed parent the page names: the whole page
    both = ChangeSet(7, 8, {"US-CA": frozenset({"signals", "data"})})
    plan, _ = plan_build(
        _state(regions=USA), new, both, store_id="st", generation=8, threshold=50.0
    )
    assert not plan.signals_only and "us/index.html" in plan.collections
    renamed = new | {"US": RegionState(**(vars(US) | {"name": "USA"}))}
    changes = ChangeSet(
        7, 8, {"US-CA": frozenset({"signals"}), "US": frozenset({"name"})}
    )
    plan, _ = plan_build(
        _state(regions=USA),
        renamed,
        changes,
        store_id="st",
        generation=8,
        threshold=50.0,
    )
    assert "US-CA" not in plan.signals_only and PAGE in plan.regions["US-CA"]


def test_a_moved_newest_date_rewrites_the_pages_of_the_source_s_regions() -> None:
    before = _state(regions=USA, newest={"cdc/admissions": "2026-08-15"})
    held = {"cdc": {"US": "a", "US-CA": "b", "US-NY": "c"}, "rki": {"DE": "d"}}
    assert not provisional_moved(before, {"cdc/admissions": "2026-08-15"}, held)
    moved = provisional_moved(before, {"cdc/admissions": "2026-08-22"}, held)
    assert moved == {"US", "US-CA", "US-NY"}
    assert provisional_moved(_state(), {}, held) == {"US", "US-CA", "US-NY", "DE"}
    # California's signals changed; New York's and the US's did not, but their pages count
    # their provisional weeks from the new date: their signal parts are rendered again
    new = USA | {"US-CA": RegionState(**(vars(CA) | {"signals": "s9"}))}
    changes = ChangeSet(7, 8, {"US-CA": frozenset({"signals"})})
    plan, reason = plan_build(
        before, new, changes, store_id="st", generation=8, threshold=50.0,
        provisional=moved,
    )  # fmt: skip
    assert plan.regions == {
        "US-CA": frozenset({PAGE, SIGNAL_SCRIPT}),
        "US": frozenset({PAGE}),
        "US-NY": frozenset({PAGE}),
    }
    assert plan.signals_only == {"US", "US-CA", "US-NY"}
    assert reason == "1 region changed (signals 1); provisional weeks of 2 regions"
    # nothing else changed: the pages and the map all the same
    plan, reason = plan_build(
        before,
        USA,
        None,
        store_id="st",
        generation=7,
        threshold=50.0,
        provisional=moved,
    )
    assert set(plan.regions) == {"US", "US-CA", "US-NY"}
    assert "maps/us-admissions/index.html" in plan.collections
    assert reason == "no region changed; provisional weeks of 3 regions"

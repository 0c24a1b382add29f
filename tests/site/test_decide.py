"""Deciding what a build writes: pure functions of the published state, the regions and the changes."""

from __future__ import annotations

from epicurves.changes import ChangeSet, RegionState
from epicurves.site.collections import THRESHOLD_PAGES
from epicurves.site.decide import plan_build, reuses_states, starting_point
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

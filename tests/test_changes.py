"""Change sets and the site's dependency graph: pure functions, tested on hand-made regions."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from conftest import DISTRICT_DAY_FILES
from epicurves.changes import UNKNOWN, ChangeSet, RegionState, diff, region_states
from epicurves.site.collections import COLLECTIONS
from epicurves.site.graph import ALWAYS, Hierarchy, plan

PAGE, DATA, INC, NOTEBOOK = (
    "region/{id}/index.html",
    "data/{id}.js",
    "data/{id}.inc.js",
    "notebooks/{id}.ipynb",
)


def state(
    name: str,
    kind: str,
    parent: str | None,
    population: int | None = 100,
    *,
    source: str = "rki-districts",
    digest: str = "d0",
    historic: bool = False,
) -> RegionState:
    return RegionState(
        source, digest, name, kind, parent, population, (source,), historic
    )


#: Germany with two states; Bavaria with three districts; Berlin with a historic borough;
#: two countries for the country peers.
REGIONS: dict[str, RegionState] = {
    "DE": state("Germany", "country", None, 83_000_000, source="rki"),
    "FR": state("France", "country", None, 67_000_000, source="jhu"),
    "US": state("US", "country", None, 330_000_000, source="jhu"),
    "DE-BY": state("Bayern", "state", "DE", 13_000_000, source="rki-states"),
    "DE-BE": state("Berlin", "state", "DE", 3_700_000, source="rki-states"),
    "DE-09162": state("SK München", "district", "DE-BY", 1_500_000),
    "DE-09175": state("LK Ebersberg", "district", "DE-BY", 145_000),
    "DE-09184": state("LK München", "district", "DE-BY", 350_000),
    "DE-11000": state("SK Berlin", "district", "DE-BE", 3_700_000),
    "DE-11001": state(
        "Berlin Mitte", "district", "DE-11000", 380_000, source="germany", historic=True
    ),
    "US-CA": state("California", "state", "US", 39_000_000, source="nyt"),
}


def changed(
    regions: dict[str, RegionState], **updates: RegionState
) -> dict[str, RegionState]:
    return {**regions, **{k.replace("_", "-"): v for k, v in updates.items()}}


def files(p: object) -> set[str]:
    return p.files() - set(ALWAYS)  # type: ignore[attr-defined]


# -- diff ---------------------------------------------------------------------------------------


def test_no_change_is_an_empty_change_set() -> None:
    changes = diff(REGIONS, dict(REGIONS), base=4, generation=5)
    assert not changes and changes.regions == {}
    assert changes.describe() == "no region changed"


@pytest.mark.parametrize(
    ("field", "value", "kinds"),
    [
        ("digest", "d1", {"data"}),
        ("name", "Landeshauptstadt München", {"name"}),
        ("population", 1_600_000, {"population"}),
        ("parent", "DE-BE", {"parent"}),
        ("kind", "other", {"kind"}),
        ("sources", ("germany", "rki-districts"), {"sources"}),
    ],
)
def test_each_kind_of_change_is_named(
    field: str, value: object, kinds: set[str]
) -> None:
    new = changed(REGIONS, DE_09162=replace(REGIONS["DE-09162"], **{field: value}))
    assert diff(REGIONS, new).regions == {"DE-09162": frozenset(kinds)}


def test_another_shown_source_changes_source_and_data() -> None:
    other = replace(REGIONS["DE-09162"], source="germany", digest="g")
    assert diff(REGIONS, changed(REGIONS, DE_09162=other)).regions == {
        "DE-09162": frozenset({"source", "data"})
    }


def test_added_and_removed_regions() -> None:
    new = {k: v for k, v in REGIONS.items() if k != "FR"}
    new["IT"] = state("Italy", "country", None, source="jhu")
    changes = diff(REGIONS, new)
    assert changes.regions == {"FR": frozenset({"removed"}), "IT": frozenset({"added"})}
    assert changes.removed == {"FR"} and changes.data == {"FR", "IT"}


def test_a_region_with_an_unknown_digest_counts_as_changed() -> None:
    """Stored by epicurves 0.1: no digest, so nothing can be assumed unchanged."""
    old = {"DE": replace(REGIONS["DE"], digest=UNKNOWN)}
    assert diff(old, dict(old)).regions == {"DE": frozenset({"data"})}


def test_a_region_without_observations_is_unchanged_while_it_stays_so() -> None:
    empty = {"DE": replace(REGIONS["DE"], digest="")}
    assert not diff(empty, dict(empty))


def test_region_states_pick_the_shown_source_and_list_the_others() -> None:
    regions = pd.DataFrame(
        {
            "region_id": ["DE", "DE", "DE-11001"],
            "name": ["Germany", "Germany (JHU)", "Berlin Mitte"],
            "kind": ["country", "country", "district"],
            "parent": [pd.NA, pd.NA, "DE-11000"],
            "population": [83_000_000, pd.NA, 380_000],
            "source": ["jhu", "rki", "germany"],
        }
    ).astype({"population": "Int64"})
    digests = {"rki": {"DE": "r"}, "jhu": {"DE": "j"}, "germany": {"DE-11001": "g"}}
    states = region_states(regions, digests, ["rki", "jhu", "germany"])
    assert states["DE"] == RegionState(
        "rki", "r", "Germany (JHU)", "country", None, None, ("jhu", "rki"), False
    )
    assert states["DE-11001"].historic and states["DE-11001"].parent == "DE-11000"


# -- the graph: what a change touches ------------------------------------------------------------


def test_one_districts_new_day_touches_its_files_and_the_tables_it_is_in() -> None:
    new = changed(REGIONS, DE_09175=replace(REGIONS["DE-09175"], digest="d1"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert not p.full
    assert dict(p.regions) == {"DE-09175": frozenset({PAGE, DATA, INC})}
    assert files(p) == DISTRICT_DAY_FILES
    assert not p.delete


def test_a_new_national_day_touches_germany_and_the_country_tables() -> None:
    new = changed(REGIONS, DE=replace(REGIONS["DE"], digest="d1"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert files(p) == {
        "region/DE/index.html",
        "data/DE.js",
        "data/DE.inc.js",
        "regions/index.html",
        "countries/index.html",
        "maps/index.html",
    }


def test_a_renamed_district_touches_every_page_that_names_it() -> None:
    """Its own files (its data files name it), its parent's list of parts, the pages that may
    draw it as a peer, the tables, the compare page and the districts map."""
    new = changed(REGIONS, DE_09175=replace(REGIONS["DE-09175"], name="Ebersberg"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert dict(p.regions) == {
        "DE-09175": frozenset({PAGE, DATA, INC, NOTEBOOK}),
        "DE-BY": frozenset({PAGE}),
        # the pages that may draw it as a peer; their notebooks name their peers
        "DE-09162": frozenset({PAGE, NOTEBOOK}),
        "DE-09184": frozenset({PAGE, NOTEBOOK}),
    }
    assert set(p.collections) == {
        "regions/index.html",
        "germany/index.html",
        "compare/index.html",
        "maps/districts/index.html",
    }


def test_a_renamed_state_touches_its_descendants_breadcrumbs() -> None:
    new = changed(REGIONS, DE_BY=replace(REGIONS["DE-BY"], name="Freistaat Bayern"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    pages = {r for r, patterns in p.regions.items() if PAGE in patterns}
    # itself, Germany (its parts), Berlin (its sibling: a peer), its districts (breadcrumbs, peer)
    assert pages == {"DE-BY", "DE", "DE-BE", "DE-09162", "DE-09175", "DE-09184"}


def test_a_moved_region_touches_its_old_and_its_new_parent() -> None:
    new = changed(REGIONS, DE_09175=replace(REGIONS["DE-09175"], parent="DE-BE"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert {"DE-BY", "DE-BE"} <= {r for r, f in p.regions.items() if PAGE in f}


def test_a_removed_region_deletes_its_files_and_updates_what_listed_it() -> None:
    new = {k: v for k, v in REGIONS.items() if k != "DE-09184"}
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert p.removed == {"DE-09184"}
    assert set(p.delete) == {
        "region/DE-09184/index.html",
        "data/DE-09184.js",
        "data/DE-09184.inc.js",
        "notebooks/DE-09184.ipynb",
    }
    assert "DE-09184" not in p.regions
    assert PAGE in p.regions["DE-BY"]
    assert "germany/index.html" in p.collections


def test_only_regions_with_signals_have_a_signal_file() -> None:
    sig = "data/{id}.sig.js"
    new = changed(REGIONS, DE=replace(REGIONS["DE"], signals="s1"))
    gained = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    # the page and the signal script; the case data scripts do not change
    assert dict(gained.regions)["DE"] == frozenset({PAGE, sig})
    assert not gained.delete
    full = plan(None, new, diff({}, new), COLLECTIONS)
    assert sig in full.regions["DE"]
    assert all(sig not in patterns for r, patterns in full.regions.items() if r != "DE")
    # new signals rewrite the file; a region without signals any more has it deleted
    again = changed(new, DE=replace(new["DE"], signals="s2"))
    assert sig in plan(new, again, diff(new, again), COLLECTIONS).regions["DE"]
    # a new day of cases (or a new name) of a region with signals leaves its script alone
    day = changed(new, DE=replace(new["DE"], digest="d9", name="Deutschland"))
    assert sig not in plan(new, day, diff(new, day), COLLECTIONS).regions["DE"]
    lost = plan(new, REGIONS, diff(new, REGIONS), COLLECTIONS)
    assert set(lost.delete) == {"data/DE.sig.js"}
    assert sig not in lost.regions["DE"]
    gone = {k: v for k, v in new.items() if k != "DE"}
    assert "data/DE.sig.js" in plan(new, gone, diff(new, gone), COLLECTIONS).delete


def test_a_region_becoming_historic_leaves_the_tables() -> None:
    new = changed(REGIONS, DE_09184=replace(REGIONS["DE-09184"], historic=True))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert {"regions/index.html", "germany/index.html"} <= set(p.collections)


def test_a_historic_region_is_not_a_peer() -> None:
    hierarchy = Hierarchy(REGIONS)
    assert hierarchy.children("DE-11000") == ["DE-11001"]
    assert "DE-11001" not in hierarchy.peers("DE-11000")
    assert hierarchy.successor("DE-11001") == ["DE-11000"]
    assert hierarchy.predecessors("DE-11000") == ["DE-11001"]
    assert hierarchy.peers("DE") == ["US"]  # OSCOVIDA's country peers that are here
    assert hierarchy.ancestors("DE-09162") == ["DE-BY", "DE"]


def test_a_full_build_writes_everything() -> None:
    p = plan(None, REGIONS, ChangeSet(0, 1), COLLECTIONS)
    assert p.full
    assert set(p.regions) == set(REGIONS)
    assert set(p.collections) == {c.path for c in COLLECTIONS}
    assert len(files(p)) == 4 * len(REGIONS) + len(COLLECTIONS)


def test_nothing_changed_writes_only_home_and_status() -> None:
    p = plan(REGIONS, REGIONS, ChangeSet(3, 3), COLLECTIONS)
    assert p.files() == set(ALWAYS) == {"index.html", "status.json"}


def test_a_new_population_rewrites_the_numbers_per_100k() -> None:
    """Incidence and deaths per 100k follow the population: the page and data files change."""
    new = changed(REGIONS, DE_09175=replace(REGIONS["DE-09175"], population=150_000))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert p.regions["DE-09175"] >= {PAGE, DATA, INC}


def test_a_renamed_country_touches_the_tables_that_name_it_beside_its_states() -> None:
    """The US table shows "US" beside each state: renaming the country rewrites it."""
    new = changed(REGIONS, US=replace(REGIONS["US"], name="United States"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert {"us/index.html", "countries/index.html"} <= set(p.collections)
    assert "germany/index.html" not in p.collections


def test_a_states_new_day_touches_its_map_and_no_other() -> None:
    new = changed(REGIONS, DE_BY=replace(REGIONS["DE-BY"], digest="d1"))
    p = plan(REGIONS, new, diff(REGIONS, new), COLLECTIONS)
    assert "maps/germany/index.html" in p.collections
    assert not {
        "maps/index.html",
        "maps/us/index.html",
        "maps/districts/index.html",
    } & set(p.collections)


def test_a_region_left_without_data_leaves_the_compare_page() -> None:
    new = changed(REGIONS, DE_09175=replace(REGIONS["DE-09175"], digest=""))
    changes = diff(REGIONS, new)
    assert changes.regions["DE-09175"] == frozenset({"data", "empty"})
    assert "compare/index.html" in plan(REGIONS, new, changes, COLLECTIONS).collections

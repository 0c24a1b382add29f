"""The US hospital admissions map: its data from the states' signal scripts, its notes, when the build rewrites it, and the home page's wording around it."""

from __future__ import annotations

import json
from pathlib import Path

from epicurves.changes import ChangeSet, RegionState
from epicurves.site import assets, maps, signalmaps
from epicurves.site.collections import COLLECTIONS, in_sentence, percent_unit
from epicurves.site.graph import plan

US_MAP = next(m for m in maps.MAPS if m.chart)
PATH = "maps/us-admissions/index.html"


def _state(name: str, signals: str = "s1", digest: str = "d1") -> RegionState:
    return RegionState(
        "nyt", digest, name, "state", "US", 1_000_000, ("nyt",), False, signals
    )


def _script(region_id: str, series: list[dict[str, object]]) -> str:
    """A signal data script as the site writes it (``data/<id>.sig.js``)."""
    body = json.dumps({"region_id": region_id, "series": series})
    return (
        f'(self.EPICURVES_DATA=self.EPICURVES_DATA||{{}})["{region_id}.sig"]={body};\n'
    )


def _series(signal: str, pathogen: str, start: str, values: list[float | None]) -> dict:
    return {
        "signal": signal, "pathogen": pathogen, "age_group": "00+", "estimate": "measured",
        "start": start, "step": 7, "v": values,
    }  # fmt: skip


#: California: COVID-19 for four weeks (a hole in the third), influenza for two; counts too,
#: which the map never shows. New York: COVID-19 from the second week. Puerto Rico: off the
#: map. Texas: no signals at all.
SCRIPTS = {
    "data/US-CA.sig.js": _script("US-CA", [
        _series("admissions-rate", "SARS-CoV-2", "2026-01-03", [1.5, 2.5, None, 4.25]),
        _series("admissions", "SARS-CoV-2", "2026-01-03", [600, 1000, None, 1700]),
        _series("admissions-rate", "Influenza", "2026-01-10", [9.0, 17.0]),
        _series("ed-share", "SARS-CoV-2", "2026-01-03", [0.02, 0.03]),
    ]),
    "data/US-NY.sig.js": _script("US-NY", [
        _series("admissions-rate", "SARS-CoV-2", "2026-01-10", [0.25, 0.5, 0.75]),
    ]),
    "data/US-PR.sig.js": _script("US-PR", [
        _series("admissions-rate", "SARS-CoV-2", "2026-01-03", [3.0, 3.5, 4.0, 4.5]),
    ]),
}  # fmt: skip
STATES = {
    "US-CA": _state("California"),
    "US-NY": _state("New York"),
    "US-PR": _state("Puerto Rico"),
    "US-TX": _state("Texas", signals=""),
    "DE-BY": RegionState("rki", "d", "Bayern", "state", "DE", 1, ("rki",), False, "s"),
}


def _data() -> dict:
    return signalmaps.signal_map_data(US_MAP, STATES, SCRIPTS.get)


def test_the_map_has_a_layer_per_disease_each_on_its_own_weeks() -> None:
    data = _data()
    assert data["map"] == "us"  # drawn with the US map's item: the same geometry
    assert [layer["label"] for layer in data["layers"]] == ["COVID-19", "influenza"]
    covid, flu = data["layers"]
    assert covid["source"] == "cdc-covid" and flu["source"] == "cdc-flu"
    assert covid["dates"] == ["2026-01-03", "2026-01-10", "2026-01-17", "2026-01-24"]
    assert covid["dates"][covid["default"]] == "2026-01-24"  # most states' latest week
    assert covid["regions"]["US-CA"] == {
        "from": 0,
        "values": [1.5, 2.5, None, 4.25],
        "last": "2026-01-24",
    }
    assert covid["regions"]["US-NY"]["from"] == 1
    assert flu["dates"] == ["2026-01-10", "2026-01-17"]
    assert flu["dates"][flu["default"]] == "2026-01-17"
    assert set(flu["regions"]) == {"US-CA"}
    assert covid["provisional"] == flu["provisional"] == 3
    # per 100 000 only: the counts of the same series are never on the map
    assert max(v for v in covid["regions"]["US-CA"]["values"] if v) < 100
    assert data["measure"] == "Hospital admissions per 100 000 per week"


def test_every_state_links_to_its_page_and_puerto_rico_is_listed_off_the_map() -> None:
    data = _data()
    shapes = {r["id"] for r in maps.geometry("us")["regions"]}
    assert len(shapes) == 51  # the 50 states and DC
    assert set(data["regions"]) == shapes | {"US-PR"}
    assert "DE-BY" not in data["regions"]
    assert data["off_map"] == ["US-PR"]
    assert data["regions"]["US-CA"] == {
        "name": "California",
        "href": "region/US-CA/index.html",
    }
    assert data["regions"]["US-TX"]["href"] == "region/US-TX/index.html"
    assert data["regions"]["US-WY"] == {"name": "Wyoming", "href": ""}  # no region here


def test_a_grey_state_says_why() -> None:
    covid = _data()["layers"][0]
    notes = {
        (region_id, position): signalmaps.signal_note(covid, region_id, position)
        for region_id in ("US-CA", "US-NY", "US-TX")
        for position in range(4)
    }
    assert notes["US-TX", 3] == "no data: cdc-covid gives none for it"
    assert notes["US-NY", 0].endswith("its data start with the week ending 2026-01-10")
    assert notes["US-CA", 2] == "not reported for this week"
    assert notes["US-CA", 0] == ""
    assert notes["US-CA", 3].startswith("provisional")  # the newest 3 weeks
    assert notes["US-CA", 1].startswith("provisional")


def test_the_page_colours_by_the_layer_and_lists_puerto_rico() -> None:
    common = {"assets": {**assets.asset_names()}, "version": "0", "nav": []}
    html = signalmaps.signal_map_page(US_MAP, STATES, SCRIPTS.get, common).decode()
    assert 'id="map-layer"' in html and 'value="Influenza"' in html
    assert "map-us-" in html  # the US map's drawing
    assert 'id="map-off"' in html and 'data-region="US-PR">4.5<' in html
    assert "The newest 3 weeks of each state are provisional" in html
    assert 'href="https://github.com/CDCgov/covid19-forecast-hub">cdc-covid</a>' in html
    assert "0.5\N{EN DASH}1" in html  # the legend's classes per 100 000


def test_every_map_draws_with_an_item_the_site_makes() -> None:
    """A map that shares another's drawing has the same geometry file."""
    for spec in maps.MAPS:
        assert spec.item in assets.MAP_FILES, spec.name
        assert assets.MAP_FILES[spec.item] == spec.geometry, spec.name


def test_only_a_change_of_the_us_signals_rewrites_the_map() -> None:
    old = dict(STATES)
    day = {**old, "US-CA": _state("California", digest="d2")}
    changes = ChangeSet(1, 2, {"US-CA": frozenset({"data"})})
    touched = plan(old, day, changes, COLLECTIONS).collections
    assert PATH not in touched and "maps/us/index.html" in touched
    signals = {**old, "US-CA": _state("California", signals="s2")}
    changes = ChangeSet(1, 2, {"US-CA": frozenset({"signals"})})
    touched = plan(old, signals, changes, COLLECTIONS).collections
    assert PATH in touched and "maps/us/index.html" not in touched
    renamed = {**old, "US-NY": _state("New York State")}
    changes = ChangeSet(1, 2, {"US-NY": frozenset({"name"})})
    assert PATH in plan(old, renamed, changes, COLLECTIONS).collections
    german = ChangeSet(1, 2, {"DE-BY": frozenset({"signals"})})
    assert PATH not in plan(old, old, german, COLLECTIONS).collections


def test_the_home_page_says_the_united_states_and_units_agree() -> None:
    assert in_sentence("United States") == "the United States"
    assert in_sentence("Germany") == "Germany"
    assert percent_unit("share of ED visits") == "% of ED visits"


def test_the_module_stays_small() -> None:
    assert len(Path(maps.__file__).read_text("utf-8").splitlines()) < 600


def test_the_built_site_has_the_map_with_the_fixture_states(
    signal_site: tuple[object, Path],
) -> None:
    """Built from the fixture mirror (CDC's hubs: California, New York, Puerto Rico): the
    page colours the states with data on each disease's latest week, links each to its
    page, lists Puerto Rico below the map, and every map's tabs and the home page link it."""
    _, site = signal_site
    html = (site / PATH).read_text("utf-8")
    config = json.loads(
        html.split('id="map-config" type="application/json">')[1].split("<")[0]
    )
    covid, flu = config["layers"]
    for layer in (covid, flu):
        assert layer["dates"][layer["default"]] == "2021-03-06"
        coloured = {
            r for r, e in layer["regions"].items()
            if 0 <= layer["default"] - e["from"] < len(e["values"])
            and e["values"][layer["default"] - e["from"]] is not None
        }  # fmt: skip
        assert {"US-CA", "US-NY"} <= coloured, layer["key"]
    # the fixture's rates: California's 650 admissions of 2021-03-06 per 100 000
    assert 0 < covid["regions"]["US-CA"]["values"][-1] < 10
    assert flu["regions"]["US-CA"]["values"][-1] == 0.38
    for region_id in ("US-CA", "US-NY", "US-PR"):
        href = config["regions"][region_id]["href"]
        assert href == f"region/{region_id}/index.html"
        assert (site / href).is_file()
        assert f'<a href="../../{href}">' in html
    assert config["off_map"] == ["US-PR"]
    assert '<p id="map-off">Not on the map' in html and "Puerto Rico</a>: <span" in html
    assert "no data: cdc-covid gives none for it" in html  # Texas, say: grey, and why
    assert "provisional" in html and "cdc-flu" in html
    for other in maps.MAPS:  # the maps' tabs
        tabs = (site / other.path).read_text("utf-8")
        assert f'href="{other.root}{PATH}"' in tabs, other.name
    home = (site / "index.html").read_text("utf-8")
    assert 'href="maps/us-admissions/index.html" id="us-admissions-map"' in home
    assert "in the United States:" in home and "in United States" not in home
    assert "share of ED visits" not in home and "% of ED visits" in home


def test_the_charts_link_maps_that_exist() -> None:
    from epicurves.charts.spec import SIGNAL_CHARTS

    linked = {c.map for c in SIGNAL_CHARTS if c.map}
    assert linked == {"us-admissions", "europe"}
    assert linked <= {m.name for m in maps.MAPS}

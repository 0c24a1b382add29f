"""What goes through shapely: cutting polygons at the antimeridian, snapping a GeoJSON
coverage's vertices, and the round trip to and from shapely geometries."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from .constants import Point, PolygonRings, Ring
from .rings import Stats, densify, edges, rounded, unwrap


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

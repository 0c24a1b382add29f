"""TopoJSON: arcs decoded and simplified (Douglas-Peucker), stitched into rings, and a
geometry's polygons projected, simplified and rounded."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .constants import Point, PolygonRings, Ring, Topology
from .projections import Frame
from .rings import Stats, crosses, unwrap
from .shapes import cut_antimeridian


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

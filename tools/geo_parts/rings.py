"""Rings as lists of points: longitudes unwrapped, rounding to the output's decimals,
edges, area, antimeridian crossings and densifying, and the rounding's statistics."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .constants import DECIMALS, Point, Ring


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

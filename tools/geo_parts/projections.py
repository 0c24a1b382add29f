"""The maps' projections (Equal Earth, us-atlas's Albers USA flipped, Mercator for the
German districts) and the frames that apply them to a topology's coordinates."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .constants import (
    DE_LAT0,
    DE_LON0,
    DE_UNITS_PER_DEGREE,
    US_HEIGHT,
    WORLD_WIDTH,
    Point,
    Ring,
)
from .rings import rounded

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

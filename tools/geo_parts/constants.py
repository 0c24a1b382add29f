"""The maps' tolerances, projection parameters and id fixes, and the coordinate types the
parts share."""

from __future__ import annotations

from typing import Any

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

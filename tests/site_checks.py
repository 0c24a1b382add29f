"""What several test modules of tests/site/ share: the fixture site's map pages (the browser
tests open each), and for the daily loop on the fixture mirror the sources it updates, its fixed
clock, a site's files by inode and bytes, and one district's new day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from epicurves.site.publish import MARKER

# -- the browser tests ----------------------------------------------------------------------
#: The fixture site's map pages: each region's link, opened from a file, axe-core, the policy.
MAP_PAGES = (
    "maps/index.html",
    "maps/us/index.html",
    "maps/germany/index.html",
    "maps/districts/index.html",
)


# -- the daily loop (test_incremental, test_daily_run) ----------------------------------------
#: The default sources: what a plain ``epicurves run`` updates.
SOURCES = [
    "jhu", "nyt", "rki", "rki-states", "rki-districts", "germany",
    "rki-wastewater", "rki-hospitalisation", "rki-hospitalisation-2020", "rki-sari",
    "rki-deaths-weekly", "rki-nowcast", "cdc-covid", "cdc-flu", "ecdc-erviss",
]  # fmt: skip
NOW = datetime(2021, 3, 13, 6, 0, tzinfo=UTC)
#: The two files that hold the build time; every other file is a function of the store.
TIMED = {"index.html", "status.json"}


def tree(site: Path) -> dict[str, tuple[int, bytes]]:
    """Every file of the published site (through the link): its inode and its bytes."""
    folder = site.resolve()
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MARKER:
            out[path.relative_to(folder).as_posix()] = (
                path.stat().st_ino,
                path.read_bytes(),
            )
    return out


def rewritten(
    before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]
) -> set[str]:
    """The files of ``after`` that are not hard links to the same file of ``before``."""
    return {p for p, (inode, _) in after.items() if before.get(p, (None,))[0] != inode}


def same_bytes(a: Path, b: Path) -> None:
    """Two sites hold the same files with the same bytes, the timed two aside."""
    left = {p: data for p, (_, data) in tree(a).items() if p not in TIMED}
    right = {p: data for p, (_, data) in tree(b).items() if p not in TIMED}
    assert sorted(left) == sorted(right)
    differ = [p for p in left if left[p] != right[p]]
    assert not differ, differ[:10]


def add_district_day(mirror: Path) -> None:
    """RKI's district file gains 2021-03-13 for LK Ebersberg (09175) only."""
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")

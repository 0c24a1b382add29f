"""The fixture mirror in tests/data itself: every source's declared files, upstream byte
quirks kept, and every source updating from it."""

from __future__ import annotations

from pathlib import Path

import epicurves
from conftest import CASE_SOURCES, EU_SOURCES, SIGNAL_SOURCES, US_SOURCES
from epicurves import Settings

#: Every source (tests/sources/test_signal_sources.py tests the signal sources, issue 11).
ALL = (*CASE_SOURCES, *SIGNAL_SOURCES, *US_SOURCES, *EU_SOURCES)


# ---------------------------------------------------------------------------- the mirror itself


def test_fixture_mirror_holds_every_declared_file(fixtures: Path) -> None:
    missing = [
        f"{f.folder}/{f.name}"
        for name in ALL
        for f in epicurves.get_source(name).files
        if not (fixtures / f.folder / f.name).is_file()
    ]
    assert missing == []
    assert set(epicurves.SOURCES) == set(ALL)


def test_fixture_files_keep_upstream_byte_quirks(fixtures: Path) -> None:
    lookup = (fixtures / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv").read_bytes()
    assert lookup.count(b"\r\n") == lookup.count(b"\n")  # CRLF, like upstream
    names = (fixtures / "rki" / "RKI_Corona_Landkreise.csv").read_bytes()
    assert names.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like upstream
    header = names[3:].split(b"\n", 1)[0].decode()
    assert len(header.split(",")) == 47
    assert not (fixtures / "nyt" / "us-states.csv").read_bytes().endswith(b"\n")


def test_every_source_updates_from_the_fixture_mirror(settings: Settings) -> None:
    report = epicurves.update(settings, list(ALL))
    assert [(s.source, s.status, s.message) for s in report.sources] == [
        (name, "updated", "") for name in ALL
    ]
    # Every kind of region occurs in the fixtures.
    regions = epicurves.load_regions(all_sources=True, settings=settings)
    assert set(regions["kind"]) == {"country", "state", "district", "other"}

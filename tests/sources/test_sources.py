"""Parser tests: each source read from the tiny fixture mirror in tests/data, one test per quirk.

Every expected number is worked out by hand from the fixture files (the rules are in the
comments next to each test and in tests/data/README.md), never computed by the code under test.
The fixture dates are 2021-03-01 ... 2021-03-12 (day k = 0 ... 11) unless a test says otherwise.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import epicurves
from conftest import CASE_SOURCES, EU_SOURCES, SIGNAL_SOURCES, US_SOURCES
from epicurves import Settings
from epicurves.model import add_daily
from epicurves.sources import SourceData, get_source
from epicurves.sources.readers import read_typed
from epicurves.sources.rki import _cases_typed

#: Every source (tests/sources/test_signal_sources.py tests the signal sources, issue 11).
ALL = (*CASE_SOURCES, *SIGNAL_SOURCES, *US_SOURCES, *EU_SOURCES)
FIRST = pd.Timestamp("2021-03-01")
LAST = pd.Timestamp("2021-03-12")


def parse(name: str, fixtures: Path) -> SourceData:
    """Parse source ``name`` from the fixture mirror through its public interface."""
    source = epicurves.get_source(name)
    return source.parse({f.name: fixtures / f.folder / f.name for f in source.files})


def region(data: SourceData, region_id: str) -> dict[str, Any]:
    """The regions-table row of ``region_id`` as a dict (exactly one row expected)."""
    rows = data.regions[data.regions["region_id"] == region_id]
    assert len(rows) == 1, f"{region_id}: {len(rows)} rows in the regions table"
    row: dict[str, Any] = rows.iloc[0].to_dict()
    return row


def facts(data: SourceData, region_id: str) -> tuple[str, str, str | None, int | None]:
    """Name, kind, parent and population of ``region_id`` (``None`` where missing)."""
    row = region(data, region_id)
    parent, population = row["parent"], row["population"]
    return (
        row["name"],
        row["kind"],
        None if pd.isna(parent) else parent,
        None if pd.isna(population) else int(population),
    )


def series(frame: pd.DataFrame, region_id: str, column: str) -> list[Any]:
    """The values of ``column`` for ``region_id``, in date order (``None`` for missing)."""
    rows = frame[frame["region_id"] == region_id].sort_values("date")
    return [None if pd.isna(v) else int(v) for v in rows[column]]


def dates(
    frame: pd.DataFrame, region_id: str
) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    """First date, last date and number of rows of ``region_id``."""
    d = frame.loc[frame["region_id"] == region_id, "date"]
    return pd.Timestamp(d.min()), pd.Timestamp(d.max()), len(d)


def value(frame: pd.DataFrame, region_id: str, date: str, column: str) -> Any:
    """One cell: ``column`` of ``region_id`` on ``date`` (``None`` when missing)."""
    rows = frame[
        (frame["region_id"] == region_id) & (frame["date"] == pd.Timestamp(date))
    ]
    assert len(rows) == 1, f"{region_id} {date}: {len(rows)} rows"
    v = rows.iloc[0][column]
    return None if pd.isna(v) else (v if isinstance(v, str) else int(v))


def stored(settings: Settings, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Update ``name`` from the fixture mirror and load what was stored for it."""
    report = epicurves.update(settings, [name])
    assert [(s.source, s.status, s.message) for s in report.sources] == [
        (name, "updated", "")
    ]
    obs = epicurves.load_observations(all_sources=True, settings=settings)
    regions = epicurves.load_regions(all_sources=True, settings=settings)
    return obs[obs["source"] == name], regions[regions["source"] == name]


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


# ---------------------------------------------------------------------------- JHU global


def test_jhu_country_sums_main_row_and_its_provinces(fixtures: Path) -> None:
    # Denmark = main row (200 + k) + Faroe Islands (1) + Greenland (2).
    data = parse("jhu", fixtures)
    assert series(data.observations, "DK", "cases") == [203 + k for k in range(12)]
    assert series(data.observations, "DK", "deaths") == [5] * 12
    # Population of all three rows: 5,837,213 + 48,865 + 56,772.
    assert facts(data, "DK") == ("Denmark", "country", None, 5_942_850)
    assert "FO" not in set(data.regions["region_id"])
    assert "GL" not in set(data.regions["region_id"])


def test_jhu_country_with_only_province_rows(fixtures: Path) -> None:
    # Australia = New South Wales (100 + k) + Victoria (20); deaths 1 + 2.
    data = parse("jhu", fixtures)
    assert series(data.observations, "AU", "cases") == [120 + k for k in range(12)]
    assert series(data.observations, "AU", "deaths") == [3] * 12
    # Population is the sum of the provinces present (8,118,000 + 6,629,900), not the
    # country row of the lookup table (25,459,700).
    assert int(region(data, "AU")["population"]) == 14_747_900


def test_jhu_quoted_country_name_with_comma(fixtures: Path) -> None:
    """The quoted name with a comma is read whole; the region gets the name people use, and
    JHU's spelling stays as an alias."""
    data = parse("jhu", fixtures)
    assert facts(data, "KR") == ("South Korea", "country", None, 51_269_183)
    assert "Korea, South" in get_source("jhu").aliases["South Korea"]
    assert value(data.observations, "KR", "2021-03-01", "cases") == 90_000
    assert value(data.observations, "KR", "2021-03-12", "cases") == 91_100


def test_jhu_taiwan_star_is_taiwan(fixtures: Path) -> None:
    data = parse("jhu", fixtures)
    assert facts(data, "TW") == ("Taiwan", "country", None, 23_816_775)
    assert series(data.observations, "TW", "cases") == [990] * 12


@pytest.mark.parametrize(
    ("region_id", "name", "cases", "deaths"),
    [
        ("JHU-DIAMOND-PRINCESS", "Diamond Princess", 712, 13),
        ("JHU-MS-ZAANDAM", "MS Zaandam", 9, 2),
        ("JHU-SUMMER-OLYMPICS-2020", "Summer Olympics 2020", 865, 0),
    ],
)
def test_jhu_ships_and_olympics_are_kept_as_other(
    fixtures: Path, region_id: str, name: str, cases: int, deaths: int
) -> None:
    data = parse("jhu", fixtures)
    assert facts(data, region_id) == (name, "other", None, None)
    assert series(data.observations, region_id, "cases") == [cases] * 12
    assert series(data.observations, region_id, "deaths") == [deaths] * 12
    assert any(name in note and region_id in note for note in data.notes)


def test_jhu_country_without_population(fixtures: Path) -> None:
    data = parse("jhu", fixtures)
    assert facts(data, "AQ") == ("Antarctica", "country", None, None)
    assert series(data.observations, "AQ", "cases") == [11] * 12
    assert any("Antarctica" in n and "no population" in n for n in data.notes)


def test_jhu_row_missing_from_the_lookup_table_still_counts(fixtures: Path) -> None:
    # Canada = Alberta (1000 + 10k) + its Diamond Princess row (0) + Ontario (2000)
    # + Repatriated Travellers (5, a row the UID table does not list).
    data = parse("jhu", fixtures)
    assert series(data.observations, "CA", "cases") == [
        3005 + 10 * k for k in range(12)
    ]
    assert series(data.observations, "CA", "deaths") == [30] * 12
    # Population: Alberta 4,442,879 + Ontario 14,826,276; the rows without one add nothing.
    assert int(region(data, "CA")["population"]) == 19_269_155


def test_jhu_country_missing_from_lookup_is_skipped_with_a_note(fixtures: Path) -> None:
    # The fixture lookup table has no "Winter Olympics 2022" row, so the row is dropped.
    data = parse("jhu", fixtures)
    assert "JHU-WINTER-OLYMPICS-2022" not in set(data.regions["region_id"])
    assert "JHU-WINTER-OLYMPICS-2022" not in set(data.observations["region_id"])
    assert any("Winter Olympics 2022" in n and "skipped" in n for n in data.notes)


def test_jhu_region_list(fixtures: Path) -> None:
    data = parse("jhu", fixtures)
    assert sorted(data.regions["region_id"]) == [
        "AQ", "AU", "CA", "DE", "DK", "JHU-DIAMOND-PRINCESS", "JHU-MS-ZAANDAM",
        "JHU-SUMMER-OLYMPICS-2020", "KR", "TW", "US",
    ]  # fmt: skip
    assert dates(data.observations, "DK") == (FIRST, LAST, 12)


def test_jhu_correction_is_kept_and_flagged(settings: Settings) -> None:
    # Germany: 1000, 1100, 1200, 1300, then 1250 (a correction), then +100 a day.
    obs, _ = stored(settings, "jhu")
    assert series(obs, "DE", "cases")[3:6] == [1300, 1250, 1350]
    assert series(obs, "DE", "new_cases") == [1000, 100, 100, 100, -50] + [100] * 7
    assert value(obs, "DE", "2021-03-05", "flags") == "cases-decrease"
    flagged = obs[obs["flags"] != ""]
    assert list(zip(flagged["region_id"], flagged["date"], strict=True)) == [
        ("DE", pd.Timestamp("2021-03-05"))
    ]
    # Deaths 10 + k: the first day counts from zero, then one a day.
    assert series(obs, "DE", "new_deaths") == [10] + [1] * 11


def test_jhu_first_day_counts_from_zero(settings: Settings) -> None:
    obs, regions = stored(settings, "jhu")
    assert series(obs, "DK", "new_cases") == [203] + [1] * 11
    assert series(obs, "DK", "new_deaths") == [5] + [0] * 11
    assert set(regions["source"]) == {"jhu"}


# ---------------------------------------------------------------------------- JHU US


def test_jhu_us_counties_summed_per_state(fixtures: Path) -> None:
    # California = Alameda (100 + k) + Los Angeles (1000 + 10k) + Out of CA (0)
    # + Unassigned (5); deaths 1 + 10.
    data = parse("jhu-us", fixtures)
    assert series(data.observations, "US-CA", "cases") == [
        1105 + 11 * k for k in range(12)
    ]
    assert series(data.observations, "US-CA", "deaths") == [11] * 12
    # Population column of the deaths file: 1,671,329 + 10,039,107 + 0 + 0.
    assert facts(data, "US-CA") == ("California", "state", "US", 11_710_436)
    assert series(data.observations, "US-NY", "cases") == [
        200 + 2 * k for k in range(12)
    ]
    assert int(region(data, "US-NY")["population"]) == 1_628_706


def test_jhu_us_territories_are_states(fixtures: Path) -> None:
    data = parse("jhu-us", fixtures)
    assert sorted(data.regions["region_id"]) == ["US-AS", "US-CA", "US-NY", "US-PR"]
    assert facts(data, "US-PR") == ("Puerto Rico", "state", "US", 17_363)
    assert series(data.observations, "US-AS", "cases") == [0] * 12
    assert int(region(data, "US-AS")["population"]) == 55_641


def test_jhu_us_ships_are_skipped_with_notes(fixtures: Path) -> None:
    data = parse("jhu-us", fixtures)
    for ship in ("Diamond Princess", "Grand Princess"):
        for file in (
            "time_series_covid19_confirmed_US.csv",
            "time_series_covid19_deaths_US.csv",
        ):
            assert any(file in n and ship in n and "skipped" in n for n in data.notes)
    # Grand Princess has 103 cases: none of them may leak into a state.
    day = data.observations[data.observations["date"] == LAST]
    assert int(day["cases"].sum()) == 1226 + 222 + 3 + 0


# ---------------------------------------------------------------------------- NYT


def test_nyt_states_start_on_different_dates(fixtures: Path) -> None:
    data = parse("nyt", fixtures)
    obs = data.observations
    assert dates(obs, "US-CA") == (FIRST, LAST, 12)
    assert dates(obs, "US-WA") == (pd.Timestamp("2021-03-04"), LAST, 9)
    assert dates(obs, "US-PR") == (pd.Timestamp("2021-03-06"), LAST, 7)
    assert series(obs, "US-WA", "cases") == list(range(30, 39))
    assert series(obs, "US-CA", "cases") == [1000 + 10 * k for k in range(12)]
    assert series(obs, "US-CA", "deaths") == [100 + k for k in range(12)]


def test_nyt_ids_names_and_populations(fixtures: Path) -> None:
    data = parse("nyt", fixtures)
    assert sorted(data.regions["region_id"]) == [
        "US",
        "US-CA",
        "US-NY",
        "US-PR",
        "US-WA",
    ]
    assert facts(data, "US-CA") == ("California", "state", "US", 39_512_223)
    # a territory
    assert facts(data, "US-PR") == ("Puerto Rico", "state", "US", 3_193_694)
    assert int(region(data, "US-WA")["population"]) == 7_614_893


def test_nyt_national_total_is_the_sum_of_the_states(fixtures: Path) -> None:
    data = parse("nyt", fixtures)
    obs = data.observations
    # CA 1000 + 10k, NY 500 + 5k, WA 30 + (k - 3) from day 3, PR 7 from day 5; "Unknown" never.
    assert value(obs, "US", "2021-03-01", "cases") == 1500
    assert value(obs, "US", "2021-03-04", "cases") == 1030 + 515 + 30
    assert value(obs, "US", "2021-03-06", "cases") == 1050 + 525 + 32 + 7
    assert value(obs, "US", "2021-03-12", "cases") == 1110 + 555 + 38 + 7
    assert value(obs, "US", "2021-03-12", "deaths") == 111 + 48 + 3 + 0
    # Population: 39,512,223 + 19,453,561 + 7,614,893 + 3,193,694
    assert facts(data, "US") == ("United States", "country", None, 69_774_371)


def test_nyt_unknown_fips_is_skipped_with_a_note(fixtures: Path) -> None:
    data = parse("nyt", fixtures)
    assert not data.observations["region_id"].str.contains("99").any()
    assert data.notes == [
        "us-states.csv: skipped rows of 'Unknown' (fips '99'): not a known state or territory"
    ]


def test_nyt_deaths_correction_is_flagged(settings: Settings) -> None:
    # New York deaths: 50 up to 2021-03-06, then 48.
    obs, _ = stored(settings, "nyt")
    assert series(obs, "US-NY", "new_deaths") == [50, 0, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0]
    assert value(obs, "US-NY", "2021-03-07", "flags") == "deaths-decrease"
    assert value(obs, "US-NY", "2021-03-08", "flags") == ""
    # Washington's first day counts from zero.
    assert series(obs, "US-WA", "new_cases") == [30] + [1] * 8


# ---------------------------------------------------------------------------- germany (jgehrcke)


def test_germany_district_ids_names_parents(fixtures: Path) -> None:
    data = parse("germany", fixtures)
    assert facts(data, "DE-09162") == ("SK München", "district", "DE-BY", 1_484_226)
    assert series(data.observations, "DE-09162", "cases") == [
        1000 + 100 * k for k in range(12)
    ]
    assert region(data, "DE-01001")["parent"] == "DE-SH"  # leading zero restored
    # ags.json names it "Berlin" like the state: it is named as RKI names the district
    assert facts(data, "DE-11000")[:3] == ("SK Berlin", "district", "DE-BE")
    for borough in ("DE-11001", "DE-11002"):
        assert region(data, borough)["parent"] == "DE-11000"


def test_germany_boroughs_sum_to_berlin(fixtures: Path) -> None:
    data = parse("germany", fixtures)
    obs = data.observations
    mitte = series(obs, "DE-11001", "cases")  # 300 + 3k
    xberg = series(obs, "DE-11002", "cases")  # 200 + 2k
    berlin = series(obs, "DE-11000", "cases")  # 500 + 5k
    assert berlin == [500 + 5 * k for k in range(12)]
    assert [a + b for a, b in zip(mitte, xberg, strict=True)] == berlin
    # The state is Berlin as a whole, boroughs not counted twice.
    assert series(obs, "DE-BE", "cases") == berlin
    assert int(region(data, "DE-BE")["population"]) == 3_669_491


def test_germany_states_and_country_are_sums(fixtures: Path) -> None:
    data = parse("germany", fixtures)
    obs = data.observations
    # SH: 1001 (10 + k) + 1002 (20); BY: 9162 (1000 + 100k) + 9175 (50 + k).
    assert series(obs, "DE-SH", "cases") == [30 + k for k in range(12)]
    assert series(obs, "DE-BY", "cases") == [1050 + 101 * k for k in range(12)]
    assert series(obs, "DE", "cases") == [1580 + 107 * k for k in range(12)]
    # The file's own sum_cases column agrees (1580 on the first row, 2757 on the last).
    assert (series(obs, "DE", "cases")[0], series(obs, "DE", "cases")[-1]) == (
        1580,
        2757,
    )
    assert int(region(data, "DE-SH")["population"]) == 90_164 + 246_794
    assert int(region(data, "DE-BY")["population"]) == 1_484_226 + 143_649
    assert facts(data, "DE") == ("Germany", "country", None, 5_634_324)
    assert dates(obs, "DE") == (FIRST, LAST, 12)


def test_germany_has_no_deaths_and_they_stay_missing(fixtures: Path) -> None:
    data = parse("germany", fixtures)
    assert data.observations["deaths"].isna().all()


def test_germany_ags_entry_without_data_is_noted(fixtures: Path) -> None:
    data = parse("germany", fixtures)
    assert "DE-01003" not in set(data.regions["region_id"])
    assert data.notes == ["ags.json: no case data for AGS 01003 (skipped)"]


def test_germany_missing_deaths_stored_as_na_not_zero(settings: Settings) -> None:
    obs, _ = stored(settings, "germany")
    assert obs["deaths"].isna().all()
    assert obs["new_deaths"].isna().all()
    assert series(obs, "DE-BY", "new_cases") == [1050] + [101] * 11


# ---------------------------------------------------------------------------- RKI Germany


def test_rki_national_uses_all_ages_only(fixtures: Path) -> None:
    # 00+ has 100,000 + 10,000k; the six age groups add up to 99 % of that.
    data = parse("rki", fixtures)
    assert series(data.observations, "DE", "cases") == [
        100_000 + 10_000 * k for k in range(12)
    ]
    assert facts(data, "DE") == ("Germany", "country", None, 84_358_845)
    assert data.notes == []


def test_rki_deaths_have_their_own_date_range(fixtures: Path) -> None:
    # Deaths start on 2021-03-04 (30, then +2 a day); cases on 2021-03-01.
    data = parse("rki", fixtures)
    obs = data.observations
    assert dates(obs, "DE") == (FIRST, LAST, 12)
    assert series(obs, "DE", "deaths") == [None, None, None] + [
        30 + 2 * i for i in range(9)
    ]


def test_rki_national_missing_deaths_stay_missing(settings: Settings) -> None:
    obs, _ = stored(settings, "rki")
    assert series(obs, "DE", "deaths")[:4] == [None, None, None, 30]
    assert series(obs, "DE", "new_deaths")[:3] == [None, None, None]
    assert series(obs, "DE", "new_deaths")[4:] == [2] * 8
    assert series(obs, "DE", "new_cases") == [100_000] + [10_000] * 11
    assert set(obs["flags"]) == {""}


def test_rki_states(fixtures: Path) -> None:
    # 00+ rows: Hamburg 10,000 + 1,000k; Bayern 50,000 + 5,000k; Berlin 20,000 + 2,000k.
    data = parse("rki-states", fixtures)
    assert sorted(data.regions["region_id"]) == ["DE-BE", "DE-BY", "DE-HH"]
    obs = data.observations
    assert series(obs, "DE-HH", "cases") == [10_000 + 1_000 * k for k in range(12)]
    assert series(obs, "DE-BY", "cases")[-1] == 105_000
    assert series(obs, "DE-BE", "cases")[0] == 20_000
    assert obs["deaths"].isna().all()
    assert facts(data, "DE-BY") == ("Bavaria", "state", "DE", 13_369_393)
    assert int(region(data, "DE-HH")["population"]) == 1_892_122


def test_rki_districts_ids_names_parents(fixtures: Path) -> None:
    data = parse("rki-districts", fixtures)
    assert sorted(data.regions["region_id"]) == [
        "DE-09162", "DE-09175", "DE-11000", "DE-16077", "DE-17000", "DE-unknown",
    ]  # fmt: skip
    assert facts(data, "DE-09162") == ("SK München", "district", "DE-BY", 1_512_491)
    assert series(data.observations, "DE-09162", "cases") == [
        2_000 + 200 * k for k in range(12)
    ]
    assert region(data, "DE-09175")["name"] == "LK Ebersberg"
    assert data.observations["deaths"].isna().all()


def test_rki_districts_berlin_as_a_whole(fixtures: Path) -> None:
    # RKI's names table lists only the boroughs; 11000 is named "SK Berlin".
    data = parse("rki-districts", fixtures)
    assert facts(data, "DE-11000") == ("SK Berlin", "district", "DE-BE", 3_755_251)
    assert series(data.observations, "DE-11000", "cases")[-1] == 42_000


@pytest.mark.parametrize(
    ("rki_id", "region_id", "cases"),
    [("u", "DE-unknown", [10 + k for k in range(12)]), ("17000", "DE-17000", [3] * 12)],
)
def test_rki_districts_special_ids_are_other(
    fixtures: Path, rki_id: str, region_id: str, cases: list[int]
) -> None:
    data = parse("rki-districts", fixtures)
    # Bevoelkerung 0 is no population
    assert facts(data, region_id)[1:] == ("other", "DE", None)
    assert series(data.observations, region_id, "cases") == cases
    assert any(f"Landkreis_id {rki_id!r}" in n and region_id in n for n in data.notes)


def test_rki_districts_missing_name_is_noted(fixtures: Path) -> None:
    data = parse("rki-districts", fixtures)
    assert facts(data, "DE-16077") == ("AGS 16077", "district", "DE-TH", 88_356)
    assert "DE-16077: no name in RKI_Corona_Landkreise.csv" in data.notes


# ---------------------------------------------------------------------------- RKI: typed and careful reads

#: The file each RKI source reads its cases from, and the column of its region key.
RKI_CASES = {
    "rki": ("COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv", None),
    "rki-states": (
        "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv",
        "Bundesland_id",
    ),
    "rki-districts": ("COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv", "Landkreis_id"),
}
COUNTS = ["Faelle_gesamt", "Bevoelkerung"]


def tidy(data: SourceData, name: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """What the pipeline keeps of a parse: observations with daily values, regions, notes."""
    return add_daily(data.observations.assign(source=name)), data.regions, data.notes


def rewrite(path: Path, change: Any) -> None:
    """Replace the file's lines (header first, no line ending) with ``change(lines)``."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("rki", ("DE", 100_000, 84_358_845)),
        ("rki-states", ("02", 10_000, 1_892_122)),
        ("rki-districts", ("09162", 2_000, 1_512_491)),
    ],
)
def test_rki_fixture_takes_the_typed_read(
    fixtures: Path, name: str, first: tuple[str, int, int]
) -> None:
    # The rows of all ages, sorted by key and date: the first is the first key's first day.
    file, key = RKI_CASES[name]
    rows = _cases_typed(fixtures / "rki" / file, key)
    assert rows is not None
    assert len(rows) == 12 * rows["key"].nunique()
    assert tuple(rows.iloc[0][["key", "cases", "population"]]) == first
    assert rows["date"].iloc[0] == FIRST
    assert rows.dtypes.astype(str).tolist() == [
        "category",
        "datetime64[s]",
        "Int64",
        "Int64",
    ]


def _as_float(lines: list[str]) -> list[str]:
    # Line 3 (a 00+ row in every RKI fixture) with its Faelle_gesamt written as "N.0".
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("Faelle_gesamt")] += ".0"
    return [*lines[:2], ",".join(cells), *lines[3:]]


@pytest.mark.parametrize("name", list(RKI_CASES))
def test_rki_careful_read_gives_what_the_typed_read_gives(
    fixtures: Path, mirror: Path, name: str
) -> None:
    # "2000.0" is a count to the careful read, not to Arrow: the parser falls back to the
    # careful read, which must give exactly the same tables.
    file, key = RKI_CASES[name]
    rewrite(mirror / "rki" / file, _as_float)
    assert _cases_typed(mirror / "rki" / file, key) is None
    typed, careful = tidy(parse(name, fixtures), name), tidy(parse(name, mirror), name)
    pd.testing.assert_frame_equal(careful[0], typed[0])
    pd.testing.assert_frame_equal(careful[1], typed[1])
    assert careful[2] == typed[2]


def _shuffled(seed: int) -> Any:
    return lambda lines: [
        lines[0],
        *random.Random(seed).sample(lines[1:], len(lines) - 1),
    ]


@pytest.mark.parametrize("name", ["rki-states", "rki-districts"])
@pytest.mark.parametrize("seed", [0, 1])
def test_rki_rows_in_any_order(
    fixtures: Path, mirror: Path, name: str, seed: int
) -> None:
    file, key = RKI_CASES[name]
    rewrite(mirror / "rki" / file, _shuffled(seed))
    assert _cases_typed(mirror / "rki" / file, key) is not None
    shuffled = tidy(parse(name, mirror), name)
    ordered = tidy(parse(name, fixtures), name)
    pd.testing.assert_frame_equal(shuffled[0], ordered[0])
    pd.testing.assert_frame_equal(shuffled[1], ordered[1])
    assert shuffled[2] == ordered[2]
    if name == "rki-districts":
        assert series(shuffled[0], "DE-09162", "cases") == [
            2_000 + 200 * k for k in range(12)
        ]
        assert series(shuffled[0], "DE-09162", "new_cases") == [2_000] + [200] * 11


GOOD = b"Meldedatum,Landkreis_id,Bevoelkerung,Faelle_gesamt\n2021-03-01,09162,1512491,2000\n"


def read_good_columns(path: Path) -> pd.DataFrame | None:
    return read_typed(path, text=["Meldedatum", "Landkreis_id"], counts=COUNTS)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (GOOD.replace(b",2000", b",0x10"), "Arrow reads 0x10 as 16, pandas does not"),
        (GOOD.replace(b",2000", b",2000.0"), "a whole number written as a float"),
        (GOOD.replace(b"1512491", b"1512491\xff"), "not UTF-8"),
        (GOOD.replace(b"09162", b"09162\xc3\xa4"), "UTF-8, but not ASCII"),
        (GOOD.split(b"\n")[0] + b"\n", "no data rows"),
        (b"", "empty"),
        (b"<!DOCTYPE html>\n<html></html>\n", "an HTML page"),
        (GOOD.replace(b"Landkreis_id", b"Meldedatum"), "a name written twice"),
        (GOOD.replace(b"Landkreis_id", b'"Landkreis_id"'), "a quoted name"),
        (GOOD.replace(b"Landkreis_id", b" Landkreis_id"), "a name with a space"),
        (GOOD.replace(b",2000", b""), "a short row"),
        (GOOD.replace(b"2000", b"9007199254740993"), "beyond 2**53"),
        (gzip.compress(GOOD, mtime=0)[:-12], "truncated gzip"),
    ],
    ids=lambda value: value if isinstance(value, str) else "file",
)
def test_read_typed_gives_up_rather_than_guess(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert read_good_columns(path) is None, reason


@pytest.mark.parametrize(
    "content",
    [
        GOOD,
        GOOD.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + GOOD,
        gzip.compress(GOOD, mtime=0),
    ],
    ids=["plain", "crlf", "bom", "gzip"],
)
def test_read_typed_reads_every_plain_variant(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    frame = read_good_columns(path)
    assert frame is not None
    row = frame[["Meldedatum", "Landkreis_id", "Bevoelkerung", "Faelle_gesamt"]]
    assert row.astype(str).to_numpy().tolist() == [
        ["2021-03-01", "09162", "1512491", "2000"]
    ]


def test_read_typed_empty_count_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(GOOD.replace(b",2000", b","))
    frame = read_good_columns(path)
    assert frame is not None
    assert frame["Faelle_gesamt"].isna().all()
    assert frame["Bevoelkerung"].tolist() == [1_512_491]

"""Parser tests of JHU (global and US) and NYT, read from the tiny fixture mirror in
tests/data, one test per quirk.

Every expected number is worked out by hand from the fixture files (the rules are in the
comments next to each test and in tests/data/README.md), never computed by the code under test.
The fixture dates are 2021-03-01 ... 2021-03-12 (day k = 0 ... 11) unless a test says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from epicurves import Settings
from epicurves.sources import get_source
from parse_checks import FIRST, LAST, dates, facts, parse, region, series, stored, value

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

"""Parser tests of germany (jgehrcke) and the RKI sources, read from the tiny fixture mirror
in tests/data, one test per quirk.

Every expected number is worked out by hand from the fixture files (the rules are in the
comments next to each test and in tests/data/README.md), never computed by the code under test.
The fixture dates are 2021-03-01 ... 2021-03-12 (day k = 0 ... 11) unless a test says otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from epicurves import Settings
from parse_checks import FIRST, LAST, dates, facts, parse, region, series, stored

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

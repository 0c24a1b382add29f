"""ERVISS's files checked against themselves and against the parser on the real files in ../shared/data (skipped where absent).

Measured on the copies of SOURCES.md (EU-ECDC/Respiratory_viruses_weekly_data@ce60e35, 2021-W25
to 2026-W18): positivity is round(100 x detections / tests, 1) on all 7,285 rows that have all
three, no value is negative, each country's ILI and ARI values fit the unit its README gives
(REFERENCE.md F), and the source keeps 28, 16 and 15 countries. The raw files are read here
with plain pandas, never through the parser under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from epicurves import Settings, get_source, load_signals, update
from epicurves.model import tidy_signals
from epicurves.rules import validate_signals
from source_files import mirror_paths

pytestmark = pytest.mark.realdata

NAME = "ecdc-erviss"
ILI, SARI, VIRO = (
    "ILIARIRates.csv",
    "SARIRates.csv",
    "SARITestsDetectionsPositivity.csv",
)
#: REFERENCE.md F and ERVISS's README: the unit of the ILI and ARI rates, where it is not
#: per 100,000 population.
CONSULTATIONS = {
    "Cyprus": "per 100 consultations",
    "Luxembourg": "per 100 consultations",
    "Malta": "per 100 consultations",
    "Finland": "per 100,000 consultations",
}
POPULATION = "per 100,000 population"


@pytest.fixture(scope="module")
def paths(shared_data: Path) -> dict[str, Path]:
    """The source's real files (compressed or not); skipped where one is absent."""
    return mirror_paths(shared_data, NAME, skip=True)


@pytest.fixture(scope="module")
def raw(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    """The three files as they are, values as numbers."""
    return {
        name: pd.read_csv(path, keep_default_na=False) for name, path in paths.items()
    }


@pytest.fixture(scope="module")
def signals(paths: dict[str, Path]) -> pd.DataFrame:
    source = get_source(NAME)
    data = source.parse(paths)
    assert data.signals is not None
    frame = tidy_signals(data.signals, NAME, source.signals)
    validate_signals(frame, NAME, source.signals)
    return frame


# -- the files against themselves ------------------------------------------------------------


def test_positivity_is_detections_over_tests_on_every_row_with_all_three(
    raw: dict[str, pd.DataFrame],
) -> None:
    table = raw[VIRO]
    totals = table[table["pathogentype"] == table["pathogen"]]
    wide = totals.pivot_table(
        index=["countryname", "yearweek", "pathogen"],
        columns="indicator",
        values="value",
        aggfunc="first",
    )
    complete = wide.dropna()
    assert len(complete) == 7285
    expected = np.round(100 * complete["detections"] / complete["tests"], 1)
    assert (complete["positivity"] == expected).all()
    # where there is no positivity, nothing was tested (226 rows, tests 0)
    missing = wide[wide["positivity"].isna()]
    assert len(missing) == 226 and (missing["tests"] == 0).all()
    assert (wide["detections"] <= wide["tests"]).all()


def test_every_value_is_a_number_at_least_zero(raw: dict[str, pd.DataFrame]) -> None:
    for name, table in raw.items():
        assert pd.api.types.is_float_dtype(
            table["value"]
        ) or pd.api.types.is_integer_dtype(table["value"]), name
        assert (table["value"] >= 0).all(), name
    counts = raw[VIRO][raw[VIRO]["indicator"] != "positivity"]["value"]
    assert (counts == counts.round()).all()


def test_each_country_s_values_fit_the_unit_its_readme_gives(
    raw: dict[str, pd.DataFrame],
) -> None:
    """A share of consultations is at most all of them: the four countries of other units
    stay within it, and every country per 100,000 population has a week above 100 of ILI or
    ARI (no share of consultations could be): measured 207.8 (Iceland) and up."""
    table = raw[ILI]
    top = table.groupby("countryname")["value"].max()
    assert top[["Cyprus", "Luxembourg", "Malta"]].max() <= 100
    assert top["Finland"] <= 100_000
    per_population = top.drop(list(CONSULTATIONS))
    assert len(per_population) == 24 and per_population.min() > 100
    # SARI rates are per population everywhere: Malta's (per 100 consultations in primary
    # care) reach 178.4 for ages 0-4
    assert raw[SARI].query("countryname == 'Malta'")["value"].max() > 100


# -- the parser's signals against the files --------------------------------------------------


def test_each_country_s_unit_is_stored_as_reference_f_says(
    signals: pd.DataFrame,
) -> None:
    rates = signals[signals["signal"].isin(["ili-rate", "ari-rate"])]
    units = rates.groupby("region_id", observed=True)["unit"].unique()
    assert len(units) == 28 and all(len(u) == 1 for u in units)
    ids = {"Cyprus": "CY", "Luxembourg": "LU", "Malta": "MT", "Finland": "FI"}
    expected = {ids.get(c, c): u for c, u in CONSULTATIONS.items()}
    found = {r: str(u[0]) for r, u in units.items()}
    assert {r: u for r, u in found.items() if u != POPULATION} == expected
    sari = signals[signals["signal"] == "sari-rate"]
    assert set(sari["unit"]) == {POPULATION}


def test_countries_rows_and_dates(signals: pd.DataFrame) -> None:
    by_file = {
        ILI: ["ili-rate", "ari-rate"],
        SARI: ["sari-rate"],
        VIRO: ["sari-tests", "sari-detections", "sari-positivity"],
    }
    countries = {
        f: signals.loc[signals["signal"].isin(s), "region_id"].nunique()
        for f, s in by_file.items()
    }
    assert countries == {ILI: 28, SARI: 16, VIRO: 15}
    assert signals.groupby("signal").size().to_dict() == {
        "ari-rate": 16999,
        "ili-rate": 23131,
        "sari-detections": 6749,
        "sari-positivity": 6523,
        "sari-rate": 11362,
        "sari-tests": 6749,
    }
    assert len(signals) == 71513
    assert str(signals["date"].min().date()) == "2021-06-21"  # 2021-W25
    assert str(signals["date"].max().date()) == "2026-04-27"  # 2026-W18
    assert set(signals["date"].dt.day_of_week) == {0}
    assert (signals["value"] >= 0).all()


def test_the_outliers_flagged_by_country(signals: pd.DataFrame) -> None:
    """Finland's 100,000 per 100,000 consultations (ARI, three age groups in 2026-W08, 15-64
    in 2025-W02 and 2026-W02) and its ILI in the same weeks; Slovakia's ARI of children of
    55,273 and 46,940 per 100,000; an isolated week each in Romania and Slovenia."""
    flagged = signals[signals["estimate"] == "outlier"]
    assert flagged.groupby("region_id").size().to_dict() == {
        "FI": 10, "RO": 1, "SI": 1, "SK": 2,
    }  # fmt: skip
    assert set(flagged["signal"]) == {"ili-rate", "ari-rate"}
    finland = flagged[
        (flagged["region_id"] == "FI") & (flagged["signal"] == "ari-rate")
    ]
    assert set(finland["value"]) == {100000.0}
    assert sorted(flagged.loc[flagged["region_id"] == "SK", "value"]) == [
        46940.2,
        55273.0,
    ]


def test_eu_eea_and_subtypes_are_left_out(paths: dict[str, Path]) -> None:
    data = get_source(NAME).parse(paths)
    assert data.notes[1:] == [
        f"{VIRO}: 3,777 rows of EU/EEA left out: ECDC's aggregate of the reporting "
        "countries, not a country",
        f"{VIRO}: 4,478 rows of influenza and RSV types and subtypes left out: the "
        "totals per pathogen are kept",
    ]


def test_a_week_of_each_file_reads_back_from_the_store(
    shared_data: Path, tmp_path: Path, raw: dict[str, pd.DataFrame]
) -> None:
    """What ``epicurves signals --region FR --signal ili-rate`` gives is the file's values:
    France's ILI week 2026-W10, Spain's SARI rates and Ireland's positivity of 2026-W10."""
    settings = Settings(home=tmp_path / "home", mirror=shared_data)
    (item,) = update(settings, [NAME]).sources
    assert item.status == "updated" and item.rows == 71513
    monday = pd.Timestamp("2026-03-02")
    ages = {
        "total": "00+",
        "0-4": "00-04",
        "5-14": "05-14",
        "15-64": "15-64",
        "65+": "65+",
    }
    for region, country, signal, file, query in (
        ("FR", "France", "ili-rate", ILI, "indicator == 'ILIconsultationrate'"),
        ("ES", "Spain", "sari-rate", SARI, "indicator == 'SARIrate'"),
        ("IE", "Ireland", "sari-positivity", VIRO,
         "indicator == 'positivity' and pathogentype == pathogen"),
    ):  # fmt: skip
        got = load_signals([region], [signal], settings=settings)
        got = got[got["date"] == monday]
        rows = raw[file].query(f"countryname == '{country}' and yearweek == '2026-W10'")
        rows = rows.query(query)
        key = "pathogen" if file == VIRO else "age"
        want = {
            (r if file == VIRO else ages[r]): v
            for r, v in zip(rows[key], rows["value"], strict=True)
        }
        column = "pathogen" if file == VIRO else "age_group"
        assert len(want) >= 3
        assert dict(zip(got[column], got["value"], strict=True)) == want, region

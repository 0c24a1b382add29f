"""RKI's surveillance signals (issue 11): wastewater, hospitalisation, SARI, weekly deaths, nowcast.

Each source parses its fixture and the real files in ../shared/data, the pipeline stores its
signals and ``load_signals`` reads them back; a broken file fails the source with a one-line
ParseError naming the file, the line and the column, and keeps the last good signals.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import CASE_SOURCES, EU_SOURCES, SIGNAL_SOURCES, US_SOURCES
from epicurves import Settings, get_source, load_signals
from epicurves.errors import ParseError
from epicurves.sources import SOURCES
from source_files import (
    BROKEN_FILES,
    Bad,
    assert_refused,
    cell,
    drop_column,
    mirror_paths,
    repeat,
    rows_where,
    stored_signals,
)

STATES = [
    "DE-SH", "DE-HH", "DE-NI", "DE-HB", "DE-NW", "DE-HE", "DE-RP", "DE-BW",
    "DE-BY", "DE-SL", "DE-BE", "DE-BB", "DE-MV", "DE-SN", "DE-ST", "DE-TH",
]  # fmt: skip
AGES = ["00+", "00-04", "05-14", "15-34", "35-59", "60-79", "80+"]


# -- the declarations ------------------------------------------------------------------------


def test_registered_after_the_case_sources_and_fetched_by_default() -> None:
    names = list(SOURCES)
    after = names[len(CASE_SOURCES) :]
    assert after == [*SIGNAL_SOURCES, *US_SOURCES, *EU_SOURCES]
    for name in SIGNAL_SOURCES:
        source = SOURCES[name]
        assert source.default
        assert source.signals
        assert source.licence.startswith("CC BY 4.0, Robert Koch-Institut")
        assert source.homepage.startswith("https://github.com/robert-koch-institut/")
        for f in source.files:
            assert f.folder == "rki"
            assert f.url.startswith(
                "https://raw.githubusercontent.com/robert-koch-institut/"
            )
            assert f.url.endswith("/main/" + f.name)
        for signal in source.signals:
            assert signal.title and signal.description and signal.caveats
            for text in (signal.description, signal.caveats):
                assert 1 <= text.count(". ") + 1 <= 4, text  # a few sentences


def test_live_and_interval() -> None:
    expected = {
        "rki-wastewater": (True, 7),
        "rki-hospitalisation": (True, 1),
        "rki-hospitalisation-2020": (False, None),
        "rki-sari": (True, 7),
        "rki-deaths-weekly": (True, 7),
        "rki-nowcast": (False, None),
    }
    assert {
        n: (SOURCES[n].live, SOURCES[n].interval_days) for n in expected
    } == expected


def test_signal_names_units_and_estimates_follow_the_contract() -> None:
    declared = {
        s.name: (s.resolution, s.unit, s.estimates)
        for name in SIGNAL_SOURCES
        for s in SOURCES[name].signals
    }
    assert declared == {
        "wastewater": (
            "week",
            "genome copies/L",
            ("measured", "normalised", "smoothed"),
        ),
        "wastewater-sites": ("week", "plants", ("measured",)),
        "wastewater-coverage": ("week", "% of population", ("measured",)),
        "hospitalisation": (
            "day",
            "per 100,000 in 7 days",
            ("fixed", "updated", "nowcast"),
        ),
        "hospitalisation-cases": (
            "day",
            "persons in 7 days",
            ("fixed", "updated", "nowcast"),
        ),
        "hospitalisation-2020": ("day", "per 100,000 in 7 days", ("updated",)),
        "hospitalisation-2020-cases": ("day", "persons in 7 days", ("updated",)),
        "sari": ("week", "per 100,000 per week", ("measured",)),
        "deaths-weekly": ("week", "deaths per week", ("measured",)),
        "nowcast": ("day", "persons per day", ("nowcast", "smoothed")),
        "r-7day": ("day", "dimensionless", ("nowcast",)),
    }


# -- the fixtures ----------------------------------------------------------------------------


def test_wastewater_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-wastewater")
    assert set(frame["region_id"]) == {"DE"} and set(frame["age_group"]) == {"00+"}
    assert set(frame["pathogen"]) == {"SARS-CoV-2", "Influenza A", "RSV A/B"}
    assert sorted(frame["date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2021-03-03",
        "2021-03-10",
    ]
    sars = rows_where(frame, signal="wastewater", pathogen="SARS-CoV-2")
    smoothed = rows_where(sars, estimate="smoothed")
    assert smoothed[["value", "lo", "hi"]].values.tolist() == [
        [105000.0, 90000.0, 120000.0],
        [118000.0, 101000.0, 135000.0],
    ]
    assert rows_where(sars, estimate="measured")["value"].tolist() == [
        100000.0,
        120000.0,
    ]
    assert rows_where(sars, estimate="measured")["lo"].isna().all()
    assert rows_where(sars, estimate="normalised")["value"].tolist() == [
        110000.5,
        130000.5,
    ]
    # NA loads of Influenza A on 03-10: no row, the smoothed curve is there
    flu = rows_where(frame, signal="wastewater", pathogen="Influenza A")
    assert flu.groupby("estimate").size().to_dict() == {
        "measured": 1,
        "normalised": 1,
        "smoothed": 2,
    }
    sites = rows_where(frame, signal="wastewater-sites", pathogen="SARS-CoV-2")
    assert sites["value"].tolist() == [120.0, 125.0]
    coverage = rows_where(frame, signal="wastewater-coverage", pathogen="SARS-CoV-2")
    assert coverage["value"].tolist() == pytest.approx([25.0, 26.0])
    assert len(frame) == 6 * 5 - 2


def test_hospitalisation_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-hospitalisation")
    assert sorted(frame["region_id"].unique()) == ["DE", "DE-BE", "DE-BY"]
    assert set(frame["pathogen"]) == {"SARS-CoV-2"} and set(frame["age_group"]) == {
        "00+"
    }
    by = rows_where(frame, signal="hospitalisation-cases", region_id="DE-BY")
    fixed = rows_where(by, estimate="fixed")
    assert fixed["date"].dt.strftime("%m-%d").tolist() == [
        f"03-{d:02d}" for d in range(6, 13)
    ]
    assert fixed["value"].tolist() == [500.0 + 10 * k for k in range(5, 12)]
    nowcast = rows_where(by, estimate="nowcast")  # NA on the newest 3 days, as upstream
    assert nowcast["date"].max() == pd.Timestamp("2021-03-09")
    assert (nowcast["lo"] < nowcast["value"]).all() and (
        nowcast["value"] < nowcast["hi"]
    ).all()
    assert rows_where(
        frame, signal="hospitalisation", region_id="DE", estimate="updated"
    )["value"].iloc[-1] == pytest.approx(4.9)
    assert len(frame) == 2 * 3 * (7 + 7 + 4)


def test_hospitalisation_2020_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-hospitalisation-2020")
    assert sorted(frame["region_id"].unique()) == ["DE", "DE-BY"]
    assert sorted(frame["age_group"].unique()) == sorted(AGES)
    assert set(frame["estimate"]) == {"updated"}
    cases = rows_where(
        frame, signal="hospitalisation-2020-cases", region_id="DE", age_group="00+"
    )
    assert cases["value"].tolist() == [4900.0, 5000.0, 5100.0]
    parts = frame[
        (frame["signal"] == "hospitalisation-2020-cases")
        & (frame["region_id"] == "DE")
        & (frame["age_group"] != "00+")
    ]
    assert parts.groupby("date")["value"].sum().tolist() == [4900.0, 5000.0, 5100.0]
    assert len(frame) == 2 * 2 * 7 * 3


def test_sari_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-sari")
    assert set(frame["region_id"]) == {"DE"} and set(frame["signal"]) == {"sari"}
    all_ages = rows_where(frame, age_group="00+")
    # ISO weeks 2021-W09 and W10, dated by their Mondays
    assert all_ages["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-03-01",
        "2021-03-08",
    ]
    assert all_ages["value"].tolist() == [6.7, 6.0]
    assert sorted(frame["age_group"].unique()) == ["00+", "60-79", "80+"]


def test_deaths_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-deaths-weekly")
    assert sorted(frame["region_id"].unique()) == ["DE", "DE-BE", "DE-BY", "DE-HH"]
    states = frame[frame["region_id"] != "DE"]
    assert set(states["age_group"]) == {"00+"}
    assert rows_where(states, region_id="DE-BY")["value"].tolist() == [300.0, 250.0]
    de = frame[frame["region_id"] == "DE"]
    assert sorted(de["age_group"].unique()) == sorted(AGES)
    assert rows_where(de, age_group="00+")["value"].tolist() == [1856.0, 1423.0]
    assert rows_where(de, age_group="00+")["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-03-01",
        "2021-03-08",
    ]
    assert len(frame) == 3 * 2 + 7 * 2


def test_nowcast_fixture(fixtures: Path) -> None:
    frame = stored_signals(fixtures, "rki-nowcast")
    assert set(frame["region_id"]) == {"DE"} and set(frame["age_group"]) == {"00+"}
    assert set(frame["pathogen"]) == {"SARS-CoV-2"}
    nowcast = rows_where(frame, signal="nowcast", estimate="nowcast")
    assert len(nowcast) == 21
    assert nowcast[["value", "lo", "hi"]].iloc[0].tolist() == [7012.0, 6902.0, 7134.0]
    smoothed = rows_where(frame, signal="nowcast", estimate="smoothed")
    # each day averaged with the 3 before (the first 3 with days before the file)
    mean4 = nowcast["value"].rolling(4).mean()
    assert ((smoothed["value"] - mean4).iloc[3:].abs() <= 0.5).all()
    r = rows_where(frame, signal="r-7day")
    assert set(r["estimate"]) == {"nowcast"} and set(r["unit"]) == {"dimensionless"}
    # empty R cells (the first 4 days, the last) give no row; ".99" is 0.99
    assert r["date"].dt.strftime("%m-%d").tolist() == [
        *(f"02-{d}" for d in range(24, 29)),
        *(f"03-{d:02d}" for d in range(1, 12)),
    ]
    assert r["value"].iloc[-4:].tolist() == [0.99, 0.93, 0.88, 0.84]
    assert r[["lo", "hi"]].iloc[-1].tolist() == [0.8, 0.88]
    assert len(frame) == 21 + 21 + 16


# -- the real files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    rows: int
    regions: int
    first: str
    last: str
    counts: dict[tuple[str, str], int]
    """Rows by (signal, estimate)."""
    pathogens: tuple[str, ...] = ("SARS-CoV-2",)


WASTEWATER_PATHOGENS = (
    "Influenza A", "Influenza A+B", "Influenza B", "RSV A", "RSV A+B", "RSV A/B",
    "RSV B", "SARS-CoV-2",
)  # fmt: skip
REAL = {
    "rki-wastewater": Expected(
        5790, 1, "2022-02-02", "2026-07-15",
        {("wastewater", "measured"): 1158, ("wastewater", "normalised"): 1158,
         ("wastewater", "smoothed"): 1158, ("wastewater-sites", "measured"): 1158,
         ("wastewater-coverage", "measured"): 1158},
        WASTEWATER_PATHOGENS,
    ),
    "rki-hospitalisation": Expected(
        135388, 17, "2023-01-02", "2026-08-21",
        {(s, e): 22576 if e != "nowcast" else 22542
         for s in ("hospitalisation", "hospitalisation-cases")
         for e in ("fixed", "updated", "nowcast")},
    ),
    "rki-hospitalisation-2020": Expected(
        211344, 17, "2020-03-01", "2022-08-05",
        {("hospitalisation-2020", "updated"): 105672,
         ("hospitalisation-2020-cases", "updated"): 105672},
    ),
    "rki-sari": Expected(723, 1, "2020-03-02", "2024-10-07", {("sari", "measured"): 723}),
    "rki-deaths-weekly": Expected(
        7728, 17, "2020-03-09", "2026-08-10", {("deaths-weekly", "measured"): 7728}
    ),
    "rki-nowcast": Expected(
        3604, 1, "2020-03-02", "2023-06-17",
        {("nowcast", "nowcast"): 1203, ("nowcast", "smoothed"): 1203,
         ("r-7day", "nowcast"): 1198},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SIGNAL_SOURCES)
def test_real_files_parse(shared_data: Path, name: str) -> None:
    frame = stored_signals(shared_data, name)
    expected = REAL[name]
    assert len(frame) == expected.rows
    assert frame["region_id"].nunique() == expected.regions
    assert str(frame["date"].min().date()) == expected.first
    assert str(frame["date"].max().date()) == expected.last
    counts = frame.groupby(["signal", "estimate"]).size()
    assert {k: int(v) for k, v in counts.items()} == expected.counts
    assert tuple(sorted(frame["pathogen"].unique())) == expected.pathogens
    if expected.regions == 17:
        assert sorted(frame["region_id"].unique()) == sorted(["DE", *STATES])


def test_real_wastewater_is_weekly_on_wednesdays(shared_data: Path) -> None:
    frame = stored_signals(shared_data, "rki-wastewater")
    assert set(frame["date"].dt.day_of_week) == {2}
    sars = rows_where(
        frame, signal="wastewater", pathogen="SARS-CoV-2", estimate="measured"
    )
    assert len(sars) == 233
    assert set(sars["date"].diff().dropna()) == {pd.Timedelta(days=7)}
    coverage = frame[frame["signal"] == "wastewater-coverage"]["value"]
    assert coverage.min() > 0 and coverage.max() <= 100


def test_real_weekly_files_are_dated_by_monday(shared_data: Path) -> None:
    for name, weeks in (("rki-sari", 241), ("rki-deaths-weekly", 336)):
        frame = stored_signals(shared_data, name)
        assert set(frame["date"].dt.day_of_week) == {0}
        assert frame["date"].nunique() == weeks
        # ISO week 2020-W53 is the week of Monday 2020-12-28
        assert pd.Timestamp("2020-12-28") in set(frame["date"])


def test_real_nowcast_interval_holds(shared_data: Path) -> None:
    """``lo <= value <= hi`` on every real nowcast row (validate_signals checks it; here the
    rows are counted): none is outside, 34 rows per signal have no nowcast (NA)."""
    frame = stored_signals(shared_data, "rki-hospitalisation")
    nowcast = frame[frame["estimate"] == "nowcast"]
    assert nowcast[["lo", "hi"]].notna().all().all()
    assert (
        (nowcast["lo"] <= nowcast["value"]) & (nowcast["value"] <= nowcast["hi"])
    ).all()
    smoothed = stored_signals(shared_data, "rki-wastewater").query(
        "estimate == 'smoothed'"
    )
    assert (
        (smoothed["lo"] <= smoothed["value"]) & (smoothed["value"] <= smoothed["hi"])
    ).all()


def test_real_nowcast_and_r_intervals_hold(shared_data: Path) -> None:
    """RKI's nowcast file: every row has its interval and ``lo <= value <= hi`` (none
    outside); R's interval is as narrow as its value on many rows at two decimals."""
    frame = stored_signals(shared_data, "rki-nowcast")
    assert frame[["lo", "hi"]].notna().all().all()
    assert ((frame["lo"] <= frame["value"]) & (frame["value"] <= frame["hi"])).all()
    r = rows_where(frame, signal="r-7day")
    assert ((r["lo"] == r["value"]).sum(), (r["hi"] == r["value"]).sum()) == (559, 533)
    assert r["value"].min() == 0.63 and r["value"].max() == 3.22
    # no R on the first 4 days and the last: no row
    assert str(r["date"].min().date()) == "2020-03-06"
    assert str(r["date"].max().date()) == "2023-06-16"
    cases = rows_where(frame, signal="nowcast", estimate="nowcast")
    assert cases["date"].diff().dropna().eq(pd.Timedelta(days=1)).all()


def test_update_stores_and_loads_the_real_signals(
    shared_data: Path, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", mirror=shared_data)
    report = epicurves.update(settings, list(SIGNAL_SOURCES))
    assert {s.source: s.status for s in report.sources} == dict.fromkeys(
        SIGNAL_SOURCES, "updated"
    )
    loaded = load_signals(settings=settings)
    by_source = loaded.groupby("source", observed=True).size().to_dict()
    assert by_source == {n: REAL[n].rows for n in SIGNAL_SOURCES}
    # every row carries its own source's and signal's vintage (the sources' vintages differ)
    vintages = loaded.groupby(["source", "signal"], observed=True)["vintage"].unique()
    meta = epicurves.Store(settings.store_dir).meta()
    assert {k: list(v) for k, v in vintages.items()} == {
        (source, name): [info["vintage"]]
        for source in SIGNAL_SOURCES
        for name, info in meta[source].signals.items()
    }
    deaths = load_signals(["DE-BY"], ["deaths-weekly"], settings=settings)
    assert len(deaths) == 336 and set(deaths["unit"]) == {"deaths per week"}
    assert set(deaths["vintage"].astype(str)) == {"2026-08-10"}


def test_update_from_the_fixture_mirror(settings: Settings) -> None:
    report = epicurves.update(settings, list(SIGNAL_SOURCES))
    assert {s.status for s in report.sources} == {"updated"}
    loaded = load_signals(settings=settings)
    assert set(loaded["source"]) == set(SIGNAL_SOURCES)
    sari = load_signals(["DE"], ["sari"], settings=settings)
    assert sari["resolution"].unique().tolist() == ["week"]
    assert sari["value"].sum() == pytest.approx(12.6 + 20.8 + 6.7 + 11.2 + 18.4 + 6.0)


# -- bad input --------------------------------------------------------------------------------


TAB = "\t"
AMELAG = "amelag_aggregierte_kurve.tsv"
ADJ = "Aktuell_Deutschland_adjustierte-COVID-19-Hospitalisierungen.csv"
H2020 = "Aktuell_Deutschland_COVID-19-Hospitalisierungen.csv"
SARI = "COVID-SARI-Hospitalisierungsinzidenz.tsv"
BL = "COVID-19-Todesfaelle_Bundeslaender.csv"
AG = "COVID-19-Todesfaelle_Altersgruppen.csv"
NOW = "Nowcast_R_aktuell.csv"
W, H, S, D = "rki-wastewater", "rki-hospitalisation", "rki-sari", "rki-deaths-weekly"
N = "rki-nowcast"
BAD = [
    # AMELAG
    Bad("amelag-missing-column", W, AMELAG, drop_column("vorhersage", TAB), None, None, ("missing column 'vorhersage'",)),
    Bad("amelag-not-a-number", W, AMELAG, cell(3, "viruslast", "12x", TAB), 3, "viruslast", ("not a number", "'12x'")),
    Bad("amelag-decimal-comma", W, AMELAG, cell(4, "vorhersage", "5001,5", TAB), 4, "vorhersage", ("not a number",)),
    Bad("amelag-negative", W, AMELAG, cell(5, "obere_schranke", "-1", TAB), 5, "obere_schranke", ("negative value", "'-1'")),
    Bad("amelag-infinite", W, AMELAG, cell(5, "viruslast", "inf", TAB), 5, "viruslast", ("not a number",)),
    Bad("amelag-sites-not-whole", W, AMELAG, cell(2, "n", "8.5", TAB), 2, "n", ("not a count",)),
    Bad("amelag-not-a-date", W, AMELAG, cell(6, "datum", "2021-02-30", TAB), 6, "datum", ("not a date",)),
    Bad("amelag-not-a-wednesday", W, AMELAG, cell(6, "datum", "2021-03-04", TAB), 6, "datum", ("Thursday", "Wednesday")),
    Bad("amelag-unknown-typ", W, AMELAG, cell(7, "typ", "Norovirus", TAB), 7, "typ", ("unknown typ 'Norovirus'",)),
    Bad("amelag-duplicate", W, AMELAG, repeat(3), 4, None, ("duplicate row", "repeats line 3")),
    Bad("amelag-commas", W, AMELAG, lambda ls: [x.replace(TAB, ",") for x in ls], None, None, ("missing column",)),
    # adjusted hospitalisation
    Bad("hosp-missing-column", H, ADJ, drop_column("OG_PI_adjustierte_7T_Hospitalisierung_Inzidenz"), None, None, ("missing column",)),
    Bad("hosp-not-a-count", H, ADJ, cell(5, "fixierte_7T_Hospitalisierung_Faelle", "1.5"), 5, "fixierte_7T_Hospitalisierung_Faelle", ("not a count", "'1.5'")),
    Bad("hosp-na-in-fixed", H, ADJ, cell(5, "aktualisierte_7T_Hospitalisierung_Faelle", "NA"), 5, "aktualisierte_7T_Hospitalisierung_Faelle", ("'NA'",)),
    Bad("hosp-na-in-fixed-incidence", H, ADJ, cell(6, "fixierte_7T_Hospitalisierung_Inzidenz", "NA"), 6, "fixierte_7T_Hospitalisierung_Inzidenz", ("missing value",)),
    Bad("hosp-negative-nowcast", H, ADJ, cell(12, "PS_adjustierte_7T_Hospitalisierung_Inzidenz", "-0.5"), 12, "PS_adjustierte_7T_Hospitalisierung_Inzidenz", ("negative value", "'-0.5'")),
    Bad("hosp-not-a-date", H, ADJ, cell(8, "Datum", "11.03.2021"), 8, "Datum", ("not a date",)),
    Bad("hosp-unknown-state", H, ADJ, cell(3, "Bundesland_Id", "17"), 3, "Bundesland_Id", ("unknown Bundesland_Id '17'",)),
    Bad("hosp-unknown-age", H, ADJ, cell(3, "Altersgruppe", "00-04"), 3, "Altersgruppe", ("unknown Altersgruppe",)),
    Bad("hosp-duplicate", H, ADJ, repeat(9), 10, None, ("duplicate row", "repeats line 9")),
    Bad("hosp-gap", H, ADJ, lambda ls: [x for n, x in enumerate(ls) if n not in (7, 8, 9)], 5, "Datum", ("gap", "2021-03-09 is followed by 2021-03-11")),
    Bad("hosp-2020-unknown-age", "rki-hospitalisation-2020", H2020, cell(4, "Altersgruppe", "90+"), 4, "Altersgruppe", ("unknown Altersgruppe '90+'",)),
    Bad("hosp-2020-not-a-number", "rki-hospitalisation-2020", H2020, cell(4, "7T_Hospitalisierung_Inzidenz", "n/a"), 4, "7T_Hospitalisierung_Inzidenz", ("not a number",)),
    # SARI
    Bad("sari-not-a-week", S, SARI, cell(3, "date", "2021-09", TAB), 3, "date", ("not an ISO week", "2021-W09")),
    Bad("sari-week-54", S, SARI, cell(3, "date", "2021-W54", TAB), 3, "date", ("not an ISO week",)),
    Bad("sari-week-53-of-a-52-week-year", S, SARI, cell(3, "date", "2021-W53", TAB), 3, "date", ("not an ISO week",)),
    Bad("sari-unknown-age", S, SARI, cell(2, "agegroup", "00-59", TAB), 2, "agegroup", ("unknown agegroup",)),
    Bad("sari-empty-value", S, SARI, cell(4, "sari_covid19_incidence", "", TAB), 4, "sari_covid19_incidence", ("missing value",)),
    Bad("sari-duplicate", S, SARI, repeat(2), 3, None, ("duplicate row",)),
    # deaths
    Bad("deaths-states-not-a-week", D, BL, cell(2, "Datum", "2021-03-01"), 2, "Datum", ("not an ISO week",)),
    Bad("deaths-states-national-id", D, BL, cell(2, "Region_Id", "00"), 2, "Region_Id", ("unknown Region_Id '00'",)),
    Bad("deaths-states-negative", D, BL, cell(3, "Todesfaelle", "-5"), 3, "Todesfaelle", ("-5",)),
    Bad("deaths-states-duplicate", D, BL, repeat(4), 5, None, ("duplicate row",)),
    Bad("deaths-states-missing-column", D, BL, drop_column("Region_Id"), None, None, ("missing column 'Region_Id'",)),
    Bad("deaths-ages-unknown", D, AG, cell(2, "Altersgruppe", "A00-A04"), 2, "Altersgruppe", ("unknown Altersgruppe",)),
    Bad("deaths-ages-not-a-count", D, AG, cell(3, "Todesfaelle", "1.856"), 3, "Todesfaelle", ("not a count",)),
    Bad("deaths-ages-duplicate", D, AG, repeat(8), 9, None, ("duplicate row",)),
    # nowcast and R
    Bad("nowcast-missing-column", N, NOW, drop_column("OG_PI_7_Tage_R_Wert"), None, None, ("missing column 'OG_PI_7_Tage_R_Wert'",)),
    Bad("nowcast-not-a-count", N, NOW, cell(3, "PS_COVID_Faelle", "6843.5"), 3, "PS_COVID_Faelle", ("not a count", "'6843.5'")),
    Bad("nowcast-empty-count", N, NOW, cell(4, "UG_PI_COVID_Faelle_ma4", ""), 4, "UG_PI_COVID_Faelle_ma4", ("empty cell",)),
    Bad("nowcast-na-count", N, NOW, cell(5, "OG_PI_COVID_Faelle", "NA"), 5, "OG_PI_COVID_Faelle", ("not a count", "'NA'")),
    Bad("nowcast-r-decimal-comma", N, NOW, cell(8, "PS_7_Tage_R_Wert", '"1,05"'), 8, "PS_7_Tage_R_Wert", ("not a number", "'1,05'")),
    Bad("nowcast-r-negative", N, NOW, cell(9, "UG_PI_7_Tage_R_Wert", "-.1"), 9, "UG_PI_7_Tage_R_Wert", ("negative value", "'-.1'")),
    Bad("nowcast-r-not-a-number", N, NOW, cell(20, "OG_PI_7_Tage_R_Wert", "1.o2"), 20, "OG_PI_7_Tage_R_Wert", ("not a number",)),
    Bad("nowcast-not-a-date", N, NOW, cell(6, "Datum", "2021-02-30"), 6, "Datum", ("not a date", "2021-03-31")),
    Bad("nowcast-german-date", N, NOW, cell(6, "Datum", "25.02.2021"), 6, "Datum", ("not a date",)),
    Bad("nowcast-duplicate", N, NOW, repeat(6), 7, "Datum", ("duplicate row", "repeats line 6")),
    Bad("nowcast-gap", N, NOW, lambda ls: [x for n, x in enumerate(ls) if n != 10], 11, "Datum", ("gap", "2021-02-28 is followed by 2021-03-02")),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_input_names_file_line_and_column(mirror: Path, bad: Bad) -> None:
    assert_refused(mirror, "rki", bad)


WHOLE_FILE = BROKEN_FILES


@pytest.mark.parametrize("source", SIGNAL_SOURCES)
@pytest.mark.parametrize(
    ("kind", "change", "word"), WHOLE_FILE, ids=[w[0] for w in WHOLE_FILE]
)
def test_broken_files_are_refused(
    mirror: Path, source: str, kind: str, change: Callable[[bytes], bytes], word: str
) -> None:
    for f in get_source(source).files:
        path = mirror / "rki" / f.name
        original = path.read_bytes()
        path.write_bytes(change(original))
        with pytest.raises(ParseError) as info:
            get_source(source).parse(mirror_paths(mirror, source))
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"{source}: {f.name}: "), (
            message
        )
        assert word in message, message
        path.write_bytes(original)


@pytest.mark.parametrize("source", SIGNAL_SOURCES)
def test_truncated_gzip_is_refused(mirror: Path, source: str) -> None:
    f = get_source(source).files[0]
    path = mirror / "rki" / f.name
    packed = gzip.compress(path.read_bytes())
    path.unlink()
    path.with_name(f.name + ".gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(
        ParseError, match=rf"^{source}: {f.name}: corrupt or truncated gzip"
    ):
        get_source(source).parse(mirror_paths(mirror, source))


@pytest.mark.parametrize("source", SIGNAL_SOURCES)
def test_gzip_crlf_and_bom_read_alike(mirror: Path, source: str) -> None:
    clean = stored_signals(mirror, source)
    for f in get_source(source).files:
        path = mirror / "rki" / f.name
        text = path.read_bytes()
        path.unlink()
        changed = b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n")
        path.with_name(f.name + ".gz").write_bytes(gzip.compress(changed))
    pd.testing.assert_frame_equal(stored_signals(mirror, source), clean)


def test_rows_in_any_order_and_columns_by_name(mirror: Path) -> None:
    clean = stored_signals(mirror, "rki-hospitalisation")
    path = mirror / "rki" / ADJ
    lines = path.read_text("utf-8").rstrip("\n").split("\n")
    table = [line.split(",") for line in [lines[0], *reversed(lines[1:])]]
    order = list(reversed(range(len(table[0]))))
    path.write_text(
        "\n".join(",".join(r[i] for i in order) for r in table) + "\n", "utf-8"
    )
    pd.testing.assert_frame_equal(stored_signals(mirror, "rki-hospitalisation"), clean)


def test_a_nowcast_outside_its_interval_fails_validation(settings: Settings) -> None:
    """validate_signals refuses ``lo > value``: the update fails naming the file."""
    assert settings.mirror is not None
    path = settings.mirror / "rki" / ADJ
    lines = path.read_text("utf-8").rstrip("\n").split("\n")
    lines = cell(12, "UG_PI_adjustierte_7T_Hospitalisierung_Faelle", "99999")(lines)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (item,) = epicurves.update(settings, ["rki-hospitalisation"]).sources
    assert item.status == "failed"
    assert "outside its interval" in item.message and ADJ in item.message
    assert "\n" not in item.message


@pytest.mark.parametrize("source", SIGNAL_SOURCES)
def test_a_failed_update_keeps_the_last_good_signals(
    settings: Settings, source: str
) -> None:
    (item,) = epicurves.update(settings, [source]).sources
    assert item.status == "updated"
    before = load_signals(settings=settings)
    assert settings.mirror is not None
    f = get_source(source).files[-1]
    path = settings.mirror / "rki" / f.name
    lines = path.read_text("utf-8").rstrip("\n").split("\n")
    sep = TAB if f.name.endswith(".tsv") else ","
    header = lines[0].split(sep)
    cells = lines[1].split(sep)
    cells[
        len(header) - 1 if "typ" in header else header.index(_value_column(header))
    ] = "12x"
    lines[1] = sep.join(cells)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    (item,) = epicurves.update(settings, [source]).sources
    assert item.status == "failed"
    assert item.message.startswith(f"{source}: {f.name}: line 2, column ")
    pd.testing.assert_frame_equal(load_signals(settings=settings), before)


def _value_column(header: list[str]) -> str:
    for name in (
        "Todesfaelle",
        "sari_covid19_incidence",
        "7T_Hospitalisierung_Faelle",
        "PS_COVID_Faelle",
    ):
        if name in header:
            return name
    return "fixierte_7T_Hospitalisierung_Faelle"


def test_number_reader_keeps_na_missing(mirror: Path) -> None:
    frame = stored_signals(mirror, "rki-hospitalisation")
    newest = frame[frame["date"] == frame["date"].max()]
    assert set(newest["estimate"]) == {"fixed", "updated"}
    assert np.isnan(
        frame.loc[frame["estimate"] != "nowcast", ["lo", "hi"]].to_numpy()
    ).all()

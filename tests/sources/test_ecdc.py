"""ECDC's ERVISS (issue 22): the source's declaration, its fixtures parsed, and every bad input refused in one line naming the source, the file, the line and the column.

The fixtures (tests/data/ecdc, see tests/data/README.md): ILI and ARI rates of Finland (per
100,000 consultations; ARI 15-64 over 11 weeks from 2020-W53, with 100,000 in 2021-W06),
France and Germany (per 100,000 population) and Malta (per 100 consultations); SARI rates of
Germany, Malta (102.4 for ages 0-4: per population, where its ILI rate is per 100
consultations) and Spain; SARI tests, detections and positivity of Germany (with influenza and
RSV subtypes, and no influenza test in 2021-W10), Spain and EU/EEA. Every expected number
below is read off those files by hand.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import epicurves
from epicurves import Settings, get_source, load_signals, store_info
from epicurves.errors import ParseError
from epicurves.sources import SOURCES
from epicurves.sources.ecdc import COUNTRIES, outliers
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

NAME = "ecdc-erviss"
ILI = "ILIARIRates.csv"
SARI = "SARIRates.csv"
VIRO = "SARITestsDetectionsPositivity.csv"
POP, CONS, CONS_K = (
    "per 100,000 population",
    "per 100 consultations",
    "per 100,000 consultations",
)


def _sets(frame: pd.DataFrame, key: str, column: str) -> dict[str, set[str]]:
    """The values of ``column`` of each ``key``."""
    pairs = frame[[key, column]].drop_duplicates().astype(str)
    out: dict[str, set[str]] = {}
    for k, v in pairs.itertuples(index=False):
        out.setdefault(k, set()).add(v)
    return out


# -- the declaration ------------------------------------------------------------------------


def test_registered_last_live_weekly_and_fetched_by_default() -> None:
    source = SOURCES[NAME]
    assert list(SOURCES)[-1] == NAME
    assert source.default and source.live and not source.releases
    assert (source.interval_days, source.date_offset_days, source.delay_days) == (
        7,
        6,
        5,
    )
    assert "ECDC" in source.licence and "EUPL-1.2" in source.licence
    assert "erviss.org" in source.licence
    raw = "https://raw.githubusercontent.com/EU-ECDC/Respiratory_viruses_weekly_data/main/data/"
    assert [(f.folder, f.name, f.url) for f in source.files] == [
        ("ecdc", name, raw + name) for name in (ILI, SARI, VIRO)
    ]


def test_signals_follow_the_contract() -> None:
    declared = {
        s.name: (s.unit, s.other_units, s.pathogens, s.estimates, s.provisional_weeks)
        for s in SOURCES[NAME].signals
    }
    rates = ("measured", "outlier")
    pathogens = ("SARS-CoV-2", "Influenza", "RSV")
    assert declared == {
        "ili-rate": (POP, (CONS, CONS_K), ("any",), rates, 0),
        "ari-rate": (POP, (CONS, CONS_K), ("any",), rates, 0),
        "sari-rate": (POP, (), ("any",), rates, 5),
        "sari-tests": ("tests per week", (), pathogens, ("measured",), 3),
        "sari-detections": ("detections per week", (), pathogens, ("measured",), 5),
        "sari-positivity": ("% of tests", (), pathogens, ("measured",), 4),
    }
    for signal in SOURCES[NAME].signals:
        assert signal.resolution == "week" and signal.title and signal.caveats
        assert "Monday" in signal.description


def test_signal_names_are_the_source_s_own() -> None:
    """The site finds a signal's declaration by its name: no other source declares these."""
    mine = {s.name for s in SOURCES[NAME].signals}
    others = {s.name for n, src in SOURCES.items() if n != NAME for s in src.signals}
    assert mine & others == set()


def test_the_unit_table_is_erviss_readme() -> None:
    """Per 100,000 population but Cyprus, Luxembourg, Malta (per 100 consultations) and
    Finland (per 100,000 consultations); ids as JHU's (ISO 3166-1 alpha-2)."""
    units = {i: u for i, u in COUNTRIES.values()}
    assert len(units) == 30
    assert {i for i, u in units.items() if u != POP} == {"CY", "LU", "MT", "FI"}
    assert units["FI"] == CONS_K and units["MT"] == units["CY"] == units["LU"] == CONS
    assert COUNTRIES["Greece"][0] == "GR" and COUNTRIES["Czechia"][0] == "CZ"


# -- the fixtures -----------------------------------------------------------------------------


def test_fixture_rows_by_signal_and_estimate(fixtures: Path) -> None:
    frame = stored_signals(fixtures, NAME)
    counts = frame.groupby(["signal", "estimate"]).size().to_dict()
    assert counts == {
        ("ili-rate", "measured"): 4 + 4 + 2,  # DE, FR, MT
        ("ari-rate", "measured"): 2 + 10 + 2,  # FI total, FI 15-64 but one, FR
        ("ari-rate", "outlier"): 1,
        ("sari-rate", "measured"): 4 + 4 + 2,  # DE, MT, ES
        ("sari-tests", "measured"): 6 + 3,  # DE two weeks, ES one
        ("sari-detections", "measured"): 6 + 3,
        ("sari-positivity", "measured"): 5 + 3,  # none of DE's 0 influenza tests
    }
    assert sorted(frame["region_id"].unique()) == ["DE", "ES", "FI", "FR", "MT"]
    assert set(frame["date"].dt.day_of_week) == {0}  # Mondays


def test_iso_weeks_are_dated_by_their_monday(fixtures: Path) -> None:
    series = rows_where(
        stored_signals(fixtures, NAME), region_id="FI", age_group="15-64"
    )
    assert series["date"].dt.strftime("%Y-%m-%d").tolist()[:3] == [
        "2020-12-28",  # 2020-W53: 2020 has 53 ISO weeks
        "2021-01-04",
        "2021-01-11",
    ]
    assert series["date"].iloc[-1] == pd.Timestamp("2021-03-08")  # 2021-W10


def test_units_travel_with_every_value(fixtures: Path) -> None:
    frame = stored_signals(fixtures, NAME)
    rates = frame[frame["signal"].isin(["ili-rate", "ari-rate"])]
    assert _sets(rates, "region_id", "unit") == {
        "DE": {POP},
        "FI": {CONS_K},
        "FR": {POP},
        "MT": {CONS},
    }
    # Malta's SARI rate is per population: 102.4 for ages 0-4 is no share of consultations
    malta = rows_where(frame, region_id="MT", signal="sari-rate", age_group="00-04")
    assert malta[["value", "unit"]].values.tolist() == [[96.8, POP], [102.4, POP]]
    units = _sets(frame, "signal", "unit")
    assert units["sari-positivity"] == {"% of tests"}
    assert units["sari-tests"] == {"tests per week"}


def test_ages_are_spelled_as_rki_spells_them(fixtures: Path) -> None:
    frame = stored_signals(fixtures, NAME)
    assert sorted(frame["age_group"].unique()) == [
        "00+",
        "00-04",
        "05-14",
        "15-64",
        "65+",
    ]
    assert rows_where(frame, region_id="FR", signal="ili-rate", age_group="00-04")[
        "value"
    ].tolist() == [300.1, 350.0]
    assert set(frame.loc[frame["signal"].str.startswith("sari-"), "pathogen"]) == {
        "any", "SARS-CoV-2", "Influenza", "RSV",
    }  # fmt: skip


def test_a_spike_is_kept_and_flagged_not_dropped(fixtures: Path) -> None:
    frame = stored_signals(fixtures, NAME)
    flagged = frame[frame["estimate"] == "outlier"]
    assert flagged[["region_id", "signal", "age_group", "value"]].values.tolist() == [
        ["FI", "ari-rate", "15-64", 100000.0]
    ]
    assert flagged["date"].tolist() == [pd.Timestamp("2021-02-08")]  # 2021-W06
    measured = rows_where(frame, region_id="FI", age_group="15-64", estimate="measured")
    assert len(measured) == 10 and pd.Timestamp("2021-02-08") not in set(
        measured["date"]
    )


def test_virology_keeps_each_pathogen_s_total(fixtures: Path) -> None:
    frame = stored_signals(fixtures, NAME)
    de = rows_where(
        frame, region_id="DE", pathogen="Influenza", signal="sari-detections"
    )
    assert de["value"].tolist() == [25.0, 0.0]  # the total, not its subtypes (10+12+3)
    positivity = rows_where(frame, region_id="ES", signal="sari-positivity")
    assert dict(zip(positivity["pathogen"], positivity["value"], strict=True)) == {
        "Influenza": 12.5, "RSV": 16.7, "SARS-CoV-2": 33.3,
    }  # fmt: skip
    # no positivity where nothing was tested (Germany's influenza in 2021-W10)
    flu = rows_where(
        frame, region_id="DE", pathogen="Influenza", signal="sari-positivity"
    )
    assert flu["date"].tolist() == [pd.Timestamp("2021-03-01")]


def test_eu_eea_and_subtypes_are_left_out_with_notes(fixtures: Path) -> None:
    data = get_source(NAME).parse(mirror_paths(fixtures, NAME))
    assert data.signals is not None and "EU/EEA" not in set(data.signals["region_id"])
    assert data.notes == [
        f"{ILI}: 1 value flagged as an outlier, kept with estimate outlier: FI 1",
        f"{VIRO}: 9 rows of EU/EEA left out: ECDC's aggregate of the reporting "
        "countries, not a country",
        f"{VIRO}: 5 rows of influenza and RSV types and subtypes left out: the totals "
        "per pathogen are kept",
    ]


def test_gzip_crlf_bom_and_row_order_read_alike(mirror: Path) -> None:
    clean = stored_signals(mirror, NAME)
    for f in get_source(NAME).files:
        path = mirror / "ecdc" / f.name
        lines = path.read_bytes().rstrip(b"\n").split(b"\n")
        text = b"\r\n".join([lines[0], *reversed(lines[1:])]) + b"\r\n"
        path.unlink()
        path.with_name(f.name + ".gz").write_bytes(
            gzip.compress(b"\xef\xbb\xbf" + text)
        )
    pd.testing.assert_frame_equal(stored_signals(mirror, NAME), clean)


# -- the outlier rule -------------------------------------------------------------------------


def _flags(values: list[float], series: list[int] | None = None) -> list[int]:
    n = len(values)
    codes = np.zeros(n, dtype=int) if series is None else np.array(series)
    weeks = np.arange(n).astype("datetime64[W]")
    return np.flatnonzero(outliers(codes, weeks, np.array(values, float))).tolist()


def test_a_seasonal_peak_is_not_an_outlier() -> None:
    # a winter wave, 20 to 900 and back (45 times its base): no value 8 times the level
    wave = [20, 25, 40, 80, 160, 320, 600, 900, 700, 400, 200, 90, 40, 25, 20, 20]
    assert _flags(wave) == []


def test_a_one_week_spike_is_flagged_at_either_end_and_inside() -> None:
    base = [100.0] * 12  # its level: 100 everywhere
    assert _flags([801.0, *base[1:]]) == [0]
    assert _flags([800.0, *base[1:]]) == []  # not above 8 times
    assert _flags([*base[:5], 801.0, *base[6:]]) == [5]
    assert _flags([*base[:5], 800.0, *base[6:]]) == []  # not above 8 times
    assert _flags([*base[:-1], 5000.0]) == [11]


def test_series_are_judged_apart_and_zeros_flag_nothing() -> None:
    # series 1 is ten times series 0: neither is an outlier of the other
    values = [10.0] * 6 + [100.0] * 6
    assert _flags(values, [0] * 6 + [1] * 6) == []
    assert _flags(values) == []  # one series: its 75th percentile is 100
    # a series mostly zeros has no level to judge against
    assert _flags([0, 0, 0, 0, 0, 0, 0, 4.1, 0, 0]) == []


# -- bad input --------------------------------------------------------------------------------


BAD = [
    Bad("missing-value-column", NAME, ILI, drop_column("value"), None, None, ("missing column 'value'",)),
    Bad("missing-country-column", NAME, VIRO, drop_column("countryname"), None, None, ("missing column 'countryname'",)),
    Bad("week-53-of-a-52-week-year", NAME, ILI, cell(3, "yearweek", "2021-W53"), 3, "yearweek", ("not an ISO week", "2021 has no week 53", "'2021-W53'")),
    Bad("week-without-w", NAME, SARI, cell(4, "yearweek", "2021-09"), 4, "yearweek", ("not an ISO week", "2021-W09")),
    Bad("week-54", NAME, VIRO, cell(11, "yearweek", "2021-W54"), 11, "yearweek", ("not an ISO week",)),
    Bad("unknown-country", NAME, ILI, cell(16, "countryname", "Atlantis"), 16, "countryname", ("unknown country 'Atlantis'", "EU/EEA")),
    Bad("unknown-country-sari", NAME, SARI, cell(6, "countryname", "Malta (EU)"), 6, "countryname", ("unknown country",)),
    Bad("country-code-for-name", NAME, VIRO, cell(2, "countryname", "EL"), 2, "countryname", ("unknown country 'EL'",)),
    Bad("empty-country", NAME, ILI, cell(5, "countryname", ""), 5, "countryname", ("empty cell",)),
    Bad("negative-rate", NAME, ILI, cell(19, "value", "-12.4"), 19, "value", ("negative value", "'-12.4'")),
    Bad("negative-sari-rate", NAME, SARI, cell(10, "value", "-1"), 10, "value", ("negative value",)),
    Bad("not-a-number", NAME, ILI, cell(7, "value", "6000x"), 7, "value", ("not a number", "'6000x'")),
    Bad("decimal-comma", NAME, ILI, cell(7, "value", "6,0"), None, None, ("not a readable CSV table", "line 7")),
    Bad("empty-value", NAME, SARI, cell(3, "value", ""), 3, "value", ("missing value",)),
    Bad("positivity-above-100", NAME, VIRO, cell(31, "value", "150"), 31, "value", ("positivity 150 is above 100 %",)),
    Bad("positivity-not-detections-over-tests", NAME, VIRO, cell(20, "value", "13.5"), 20, "value", ("positivity 13.5 is not 100 x 25 detections / 200 tests", "12.5 (rounded to one decimal)")),
    Bad("positivity-as-a-proportion", NAME, VIRO, cell(37, "value", "0.167"), 37, "value", ("positivity 0.167 is not",)),
    Bad("positivity-of-no-tests", NAME, VIRO, lambda ls: [*ls[:11], ls[10].replace("detections,total,0", "positivity,total,0"), *ls[11:]], 12, "value", ("a positivity of 0 tests",)),
    Bad("more-detections-than-tests", NAME, VIRO, cell(36, "value", "7"), 36, "value", ("7 detections of 6 tests", "line 38")),
    Bad("fractional-tests", NAME, VIRO, cell(21, "value", "200.5"), 21, "value", ("not a count", "'200.5'")),
    Bad("duplicate-row", NAME, ILI, repeat(17), 18, None, ("duplicate row", "repeats line 17")),
    Bad("duplicate-row-other-value", NAME, SARI, repeat(5, "13"), 6, None, ("duplicate row", "repeats line 5")),
    Bad("duplicate-total-other-subtype", NAME, VIRO, lambda ls: [*ls, ls[19].replace(",total,positivity", ",all,positivity")], 42, None, ("duplicate row", "repeats line 20")),
    Bad("malta-per-population", NAME, ILI, cell(25, "value", "250.3"), 25, "value", ("Malta's ILIconsultationrate 250.3 is more than per 100 consultations allows", "changed Malta's unit", "at most 100")),
    Bad("finland-above-all-consultations", NAME, ILI, cell(8, "value", "100000.1"), 8, "value", ("more than per 100,000 consultations allows",)),
    Bad("france-above-its-population", NAME, ILI, cell(16, "value", "150000"), 16, "value", ("per 100,000 population",)),
    Bad("unknown-indicator", NAME, ILI, cell(2, "indicator", "SARIrate"), 2, "indicator", ("unknown indicator 'SARIrate'",)),
    Bad("unknown-age", NAME, SARI, cell(2, "age", "65-79"), 2, "age", ("unknown age '65-79'", "0-4")),
    Bad("unknown-pathogen", NAME, VIRO, cell(13, "pathogen", "hMPV"), 13, "pathogen", ("unknown pathogen 'hMPV'",)),
    Bad("virology-age-group", NAME, VIRO, cell(14, "age", "65+"), 14, "age", ("unknown age '65+'",)),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_input_names_file_line_and_column(mirror: Path, bad: Bad) -> None:
    assert_refused(mirror, "ecdc", bad)


WHOLE_FILE = [
    *BROKEN_FILES,
    ("truncated-gzip", lambda b: gzip.compress(b)[: len(gzip.compress(b)) // 2], "corrupt or truncated gzip"),
]  # fmt: skip


@pytest.mark.parametrize("file", [ILI, SARI, VIRO])
@pytest.mark.parametrize(
    ("kind", "change", "word"), WHOLE_FILE, ids=[w[0] for w in WHOLE_FILE]
)
def test_broken_files_are_refused(
    mirror: Path, file: str, kind: str, change: Callable[[bytes], bytes], word: str
) -> None:
    path = mirror / "ecdc" / file
    path.write_bytes(change(path.read_bytes()))
    with pytest.raises(ParseError) as info:
        get_source(NAME).parse(mirror_paths(mirror, NAME))
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{NAME}: {file}: "), message
    assert word in message, message


def test_eu_eea_in_a_file_of_rates_is_left_out_too(mirror: Path) -> None:
    """ERVISS has no EU/EEA rates now; if it adds them, they are left out with a note."""
    path = mirror / "ecdc" / ILI
    text = path.read_text("utf-8")
    path.write_text(text + text.splitlines()[-1].replace("Malta", "EU/EEA") + "\n")
    data = get_source(NAME).parse(mirror_paths(mirror, NAME))
    assert data.signals is not None and len(data.signals) == 61
    assert data.notes[0].startswith(f"{ILI}: 1 row of EU/EEA left out")


# -- through the store ------------------------------------------------------------------------


def test_update_stores_the_signals_with_their_units_and_notes(
    settings: Settings,
) -> None:
    (item,) = epicurves.update(settings, [NAME]).sources
    assert (item.status, item.rows, item.regions) == ("updated", 61, 5)
    malta = load_signals(["MT"], ["ili-rate"], settings=settings)
    assert malta[["date", "value", "unit", "source"]].values.tolist() == [
        [pd.Timestamp("2021-03-01"), 2.5, CONS, NAME],
        [pd.Timestamp("2021-03-08"), 3.1, CONS, NAME],
    ]
    notes = [n for s, n in store_info(settings).notes if s == NAME]
    assert len(notes) == 3 and any("EU/EEA" in n for n in notes)
    info = store_info(settings).signals.set_index("signal")
    assert info.loc["ili-rate", "unit"] == f"{POP} or {CONS} or {CONS_K}"


def test_a_failed_update_keeps_the_last_good_signals(settings: Settings) -> None:
    (item,) = epicurves.update(settings, [NAME]).sources
    assert item.status == "updated"
    before = load_signals(settings=settings)
    assert settings.mirror is not None
    path = settings.mirror / "ecdc" / VIRO
    lines = path.read_text("utf-8").split("\n")
    path.write_text("\n".join(cell(40, "value", "101")(lines)), "utf-8")
    (item,) = epicurves.update(settings, [NAME]).sources
    assert item.status == "failed"
    assert item.message.startswith(f"{NAME}: {VIRO}: line 40, column 'value': ")
    pd.testing.assert_frame_equal(load_signals(settings=settings), before)

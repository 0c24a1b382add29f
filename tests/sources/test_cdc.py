"""CDC's hubs (issue 21): cdc-covid's releases as a history and cdc-flu's current files, parsed from the fixtures, and every bad input refused with one line.

The fixtures (tests/data/cdc-covid, tests/data/cdc-flu; see tests/data/README.md): three
releases (Wednesdays 2021-02-24, 03-03, 03-10) of the weeks ending Saturdays 2021-02-20, 02-27
and 03-06, for US, California, New York and Puerto Rico. A bad file fails the parser with a
:class:`ParseError` naming the source, the file, the Parquet row (``row N``) or CSV line
(``line N``), the column and what was expected.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import epicurves
from conftest import FIXTURES
from epicurves import Settings, get_source
from epicurves.errors import ParseError
from epicurves.releases import releases_of, view
from epicurves.sources import SOURCES
from epicurves.sources.signalrows import SIGNAL_LAYOUT
from source_files import Bad, assert_refused, cell, drop_column, mirror_paths, repeat

COVID, FLU = "cdc-covid", "cdc-flu"
SERIES = "time-series.parquet"
ADM = "target-hospital-admissions.csv"
ED = "target-ed-visits-prop.csv"
LOC = "locations.csv"
#: FluSight's populations of the fixture's locations (the real ones).
POPULATION = {"US": 340110988, "US-CA": 39431263, "US-NY": 19867248, "US-PR": 3203295}
KEY = ["region_id", "signal", "pathogen", "age_group", "estimate", "date"]


def _make_fixture() -> ModuleType:
    """tests/data/cdc-covid/make_fixture.py, imported by path: the fixture's rows."""
    path = FIXTURES / "cdc-covid" / "make_fixture.py"
    spec = importlib.util.spec_from_file_location("cdc_covid_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURE = _make_fixture()


def _parse(folder: Path, name: str) -> pd.DataFrame:
    data = get_source(name).parse(mirror_paths(folder, name))
    assert data.observations.empty and data.regions.empty
    assert data.signals is not None
    assert list(data.signals.columns) == list(SIGNAL_LAYOUT)
    return data.signals


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in key and release order, text as text: what does not depend on the order
    of the file's rows."""
    out = frame.astype({"region_id": str, "signal": str})
    return out.sort_values([*KEY, "release"]).reset_index(drop=True)


def _series(frame: pd.DataFrame, region: str, signal: str, week: str) -> list[object]:
    """(release, value) of one key of the history, oldest release first."""
    rows = frame[
        (frame["region_id"] == region)
        & (frame["signal"] == signal)
        & (frame["date"] == pd.Timestamp(week))
    ].sort_values("release")
    return [
        (r.strftime("%m-%d"), None if np.isnan(v) else v)
        for r, v in zip(rows["release"], rows["value"], strict=True)
    ]


# -- the declarations ------------------------------------------------------------------------


def test_registered_after_the_rki_sources_and_fetched_by_default() -> None:
    names = list(SOURCES)
    assert names[-3:] == [COVID, FLU, "ecdc-erviss"]  # then Europe (issue 22)
    assert names.index("rki-nowcast") < names.index(COVID)
    for name in (COVID, FLU):
        source = SOURCES[name]
        assert source.default and source.live
        assert (source.interval_days, source.date_offset_days) == (7, 0)
        assert source.licence.startswith("Public domain (US government work")
        for signal in source.signals:
            assert signal.description and signal.caveats
    assert SOURCES[COVID].releases and not SOURCES[FLU].releases


def test_the_rates_divide_by_flusights_populations_in_both_sources() -> None:
    """Both read cdc-flu/locations.csv; the covid hub's own locations.csv is not declared."""
    for name in (COVID, FLU):
        locations = [f for f in SOURCES[name].files if f.name == LOC]
        assert [(f.folder, f.url.split("/")[3]) for f in locations] == [
            ("cdc-flu", "cdcepi")
        ]
    assert [f.folder for f in SOURCES[COVID].files] == ["cdc-covid", "cdc-flu"]


def test_signals_are_named_alike_and_told_apart_by_pathogen() -> None:
    declared = {
        name: [
            (s.name, s.title, s.unit, s.resolution, s.pathogens, s.estimates,
             s.provisional_weeks)
            for s in SOURCES[name].signals
        ]
        for name in (COVID, FLU)
    }  # fmt: skip
    assert declared[COVID] == [
        ("admissions", "Hospital admissions per week", "admissions per week", "week",
         ("SARS-CoV-2",), ("measured",), 3),
        ("admissions-rate", "Hospital admissions per 100 000 per week",
         "per 100,000 per week", "week", ("SARS-CoV-2",), ("measured",), 3),
        ("ed-share", "Share of emergency-department visits", "share of ED visits", "week",
         ("SARS-CoV-2",), ("measured",), 1),
    ]  # fmt: skip
    flu = [(*s[:4], ("Influenza",), *s[5:]) for s in declared[COVID]]
    assert declared[FLU] == flu
    for source in (COVID, FLU):
        for signal in SOURCES[source].signals:
            # titles are per signal name, shared by both sources
            assert not any(
                w in signal.title.lower() for w in ("covid", "influenza", "flu")
            )


# -- cdc-covid: the history of the releases ----------------------------------------------------


def test_covid_history_holds_each_release_s_changes(fixtures: Path) -> None:
    frame = _parse(fixtures, COVID)
    assert frame["release"].dtype == "datetime64[s]"
    assert frame["release"].notna().all()
    assert sorted(frame["region_id"].unique()) == ["US", "US-CA", "US-NY", "US-PR"]
    assert set(frame["pathogen"]) == {"SARS-CoV-2"}
    assert set(frame["age_group"]) == {"00+"} and set(frame["estimate"]) == {"measured"}
    assert frame.groupby("signal").size().to_dict() == {
        "admissions": 20, "admissions-rate": 20, "ed-share": 10,
    }  # fmt: skip
    # revised from 800 to 812, then back to 800: each a change from the release before
    assert _series(frame, "US-CA", "admissions", "2021-02-20") == [
        ("02-24", 800.0), ("03-03", 812.0), ("03-10", 800.0),
    ]  # fmt: skip
    # unchanged in three releases: stored once
    assert _series(frame, "US-NY", "admissions", "2021-02-20") == [("02-24", 500.0)]
    # Puerto Rico's week of 02-27 is gone from the last release: a tombstone
    assert _series(frame, "US-PR", "admissions", "2021-02-27") == [
        ("03-03", 15.0), ("03-10", None),
    ]  # fmt: skip
    assert _series(frame, "US-PR", "admissions-rate", "2021-02-27")[1] == (
        "03-10",
        None,
    )
    # ED shares arrive with the second release, as proportions; no Puerto Rico
    shares = frame[frame["signal"] == "ed-share"]
    assert str(shares["release"].min().date()) == "2021-03-03"
    assert "US-PR" not in set(shares["region_id"])
    assert _series(frame, "US-NY", "ed-share", "2021-02-27") == [
        ("03-03", 0.016), ("03-10", 0.0165),
    ]  # fmt: skip


def test_covid_rates_are_admissions_per_100k_of_flusight_s_population(
    fixtures: Path,
) -> None:
    frame = _parse(fixtures, COVID)
    key = ["region_id", "date", "release"]
    counts = frame[frame["signal"] == "admissions"].set_index(key)["value"]
    rates = frame[frame["signal"] == "admissions-rate"].set_index(key)["value"]
    population = counts.index.get_level_values("region_id").map(POPULATION)
    expected = counts / population.to_numpy() * 100_000
    pd.testing.assert_series_equal(rates.sort_index(), expected.sort_index())
    assert rates.loc[
        ("US-CA", pd.Timestamp("2021-02-20"), pd.Timestamp("2021-02-24"))
    ] == (pytest.approx(800 / 39431263 * 100_000, rel=1e-15))


def test_covid_history_gives_back_every_release_of_the_file(fixtures: Path) -> None:
    history = _parse(fixtures, COVID)
    published = pd.read_parquet(fixtures / "cdc-covid" / SERIES)
    published["release"] = pd.to_datetime(published["as_of"]).astype("datetime64[s]")
    assert [str(r.date()) for r in releases_of(history)] == [
        "2021-02-24", "2021-03-03", "2021-03-10",
    ]  # fmt: skip
    ids = {"06": "US-CA", "36": "US-NY", "72": "US-PR", "US": "US"}
    signals = {
        "wk inc covid hosp": "admissions",
        "wk inc covid prop ed visits": "ed-share",
    }
    for release in releases_of(history):
        seen = view(history, release, KEY)
        seen = seen[seen["signal"] != "admissions-rate"]
        rows = published[published["release"] == release]
        expected = pd.DataFrame(
            {
                "region_id": rows["location"].map(ids),
                "signal": rows["target"].map(signals),
                "date": pd.to_datetime(rows["target_end_date"]).astype("datetime64[s]"),
                "value": rows["observation"],
            }
        ).sort_values(["region_id", "signal", "date"])
        got = seen[["region_id", "signal", "date", "value"]].astype(
            {"region_id": str, "signal": str}
        )
        pd.testing.assert_frame_equal(
            got.sort_values(["region_id", "signal", "date"]).reset_index(drop=True),
            expected.astype({"region_id": str, "signal": str}).reset_index(drop=True),
        )
        assert set(seen["release"]) == {release}


def test_covid_reads_a_gzipped_parquet_and_rows_in_any_order(mirror: Path) -> None:
    clean = _tidy(_parse(mirror, COVID))
    path = mirror / "cdc-covid" / SERIES
    reordered = FIXTURE.table(list(reversed(FIXTURE.rows())))
    pq.write_table(reordered, path)
    pd.testing.assert_frame_equal(_tidy(_parse(mirror, COVID)), clean)
    packed = gzip.compress(path.read_bytes())
    path.unlink()
    path.with_name(SERIES + ".gz").write_bytes(packed)
    pd.testing.assert_frame_equal(_tidy(_parse(mirror, COVID)), clean)


# -- cdc-flu: the current files ----------------------------------------------------------------


def test_flu_fixture(fixtures: Path) -> None:
    frame = _parse(fixtures, FLU)
    assert frame["release"].isna().all() and frame["release"].dtype == "datetime64[s]"
    assert set(frame["pathogen"]) == {"Influenza"}
    assert frame.groupby("signal").size().to_dict() == {
        "admissions": 11, "admissions-rate": 11, "ed-share": 9,
    }  # fmt: skip

    def one(region: str, signal: str) -> pd.DataFrame:
        rows = frame[(frame["region_id"] == region) & (frame["signal"] == signal)]
        return rows.sort_values("date")

    # Puerto Rico's NA of 02-27: missing, no row (not zero)
    assert one("US-PR", "admissions")["date"].dt.strftime("%m-%d").tolist() == [
        "02-20", "03-06",
    ]  # fmt: skip
    assert one("US-CA", "admissions")["value"].tolist() == [180.0, 170.0, 150.0]
    rate = one("US", "admissions-rate")["value"].tolist()
    assert rate == pytest.approx([310 / 340110988 * 1e5, 285 / 340110988 * 1e5,
                                  260 / 340110988 * 1e5], rel=1e-15)  # fmt: skip
    assert one("US-NY", "ed-share")["value"].tolist() == [0.0262, 0.0245, 0.0231]
    assert set(frame["date"].dt.day_of_week) == {5}  # Saturdays


@pytest.mark.parametrize("empty", ["NA,NA", ","])
def test_flu_empty_values_stay_missing_with_a_note(mirror: Path, empty: str) -> None:
    path = mirror / "cdc-flu" / ADM
    lines = path.read_text("utf-8").split("\n")
    lines[10] = lines[10].rsplit(",", 2)[0] + "," + empty  # 02-20 California
    path.write_text("\n".join(lines), "utf-8")
    data = get_source(FLU).parse(mirror_paths(mirror, FLU))
    assert data.signals is not None
    ca = data.signals[(data.signals["region_id"] == "US-CA")]
    assert len(ca) == 2 * 2 + 3
    assert data.notes == [
        f"{ADM}: 2 rows without a value (NA) left out: missing, not zero"
    ]


def test_flu_gzip_crlf_and_bom_read_alike(mirror: Path) -> None:
    clean = _parse(mirror, FLU)
    for name in (ADM, ED, LOC):
        path = mirror / "cdc-flu" / name
        text = path.read_bytes().replace(b"\r\n", b"\n")
        path.unlink()
        changed = b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n")
        path.with_name(name + ".gz").write_bytes(gzip.compress(changed))
    pd.testing.assert_frame_equal(_parse(mirror, FLU), clean)


# -- bad input ---------------------------------------------------------------------------------

Cells = list[list[object]]
W1, W2, W3 = FIXTURE.W1, FIXTURE.W2, FIXTURE.W3
R1, R2, R3 = FIXTURE.R1, FIXTURE.R2, FIXTURE.R3
HOSP, PROP = FIXTURE.HOSP, FIXTURE.ED


def row_of(target: str, location: str, week: date, release: date) -> int:
    """The fixture's 1-based Parquet row of a key."""
    for n, (w, _, loc, r, t) in enumerate(FIXTURE.rows(), 1):
        if (t, loc, w, r) == (target, location, week, release):
            return n
    raise AssertionError((target, location, week, release))


def setting(row: int, column: int, value: object) -> Callable[[Cells], Cells]:
    """Set cell ``column`` (0 target_end_date, 1 observation, 2 location, 3 as_of, 4 target)
    of Parquet row ``row``."""

    def change(cells: Cells) -> Cells:
        cells[row - 1][column] = value
        return cells

    return change


def releases_moved(release: date, to: date) -> Callable[[Cells], Cells]:
    def change(cells: Cells) -> Cells:
        for c in cells:
            if c[3] == release:
                c[3] = to
        return cells

    return change


def table_changed(change: Callable[[pa.Table], pa.Table]) -> Callable[[Path], None]:
    """Rewrite the mirror's Parquet file as ``change`` makes the fixture's table."""
    return lambda path: pq.write_table(change(FIXTURE.table()), path)


def cells_changed(change: Callable[[Cells], Cells]) -> Callable[[Path], None]:
    """Rewrite the mirror's Parquet file with ``change`` made to the fixture's rows."""

    def write(path: Path) -> None:
        cells = change([list(r) for r in FIXTURE.rows()])
        pq.write_table(FIXTURE.table([tuple(c) for c in cells]), path)

    return write


def raw(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(change(path.read_bytes()))

    return write


def weeks_moved(days: int) -> Callable[[pa.Table], pa.Table]:
    """Every ``target_end_date`` ``days`` later (date32 reaches far beyond Python's dates)."""

    def change(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("target_end_date")
        moved = pc.add(table.column(i).cast(pa.int32()), pa.scalar(days, pa.int32()))
        moved = moved.cast(pa.date32())
        return table.set_column(i, "target_end_date", moved)

    return change


def strings(table: pa.Table, column: str) -> pa.Table:
    """``column`` written as text (``2021-02-20``) instead of dates."""
    i = table.schema.get_field_index(column)
    return table.set_column(i, column, table.column(column).cast(pa.string()))


@dataclass(frozen=True)
class BadParquet:
    id: str
    change: Callable[[Path], None]
    row: int | None
    column: str | None
    words: tuple[str, ...] = ()


FIRST_HOSP = row_of(HOSP, "06", W1, R1)
BAD_PARQUET = [
    BadParquet("missing-column", table_changed(lambda t: t.drop_columns(["observation"])),
               None, None, ("missing column 'observation'",)),
    BadParquet("renamed-column", table_changed(lambda t: t.rename_columns(
        ["date", "observation", "location", "as_of", "target"])), None, None,
        ("missing column 'target_end_date'", "found date")),
    BadParquet("text-column-renamed", table_changed(lambda t: t.rename_columns(
        ["target_end_date", "observation", "fips", "as_of", "target"])), None, None,
        ("missing column 'location'", "found target_end_date, observation, fips")),
    BadParquet("weeks-in-the-year-275811", table_changed(weeks_moved(7 * 14_285_714)), 1,
               "as_of", ("release 2021-03-03 is not after its week 275811-11-02", "'2021-03-03'")),
    BadParquet("dates-as-text", table_changed(lambda t: strings(t, "as_of")), None, "as_of",
               ("holds string", "expected a date")),
    BadParquet("half-the-file", raw(lambda b: b[: len(b) // 2]), None, None,
               ("truncated Parquet file",)),
    BadParquet("corrupt-inside", raw(lambda b: b"PAR1" + b"\x07" * 300 + b"PAR1"), None, None,
               ("not a readable Parquet file",)),
    BadParquet("csv-as-parquet", raw(lambda b: b"target_end_date,observation\n2021-02-20,1\n"),
               None, None, ("not a Parquet file",)),
    BadParquet("html-page", raw(lambda b: b"<!DOCTYPE html>\n<html><body>502</body></html>\n"),
               None, None, ("HTML",)),
    BadParquet("empty-file", raw(lambda b: b""), None, None, ("empty",)),
    BadParquet("no-rows", table_changed(lambda t: t.slice(0, 0)), None, None, ("no data rows",)),
    BadParquet("release-on-its-week", cells_changed(releases_moved(R1, W1)), FIRST_HOSP,
               "as_of", ("release 2021-02-20 is not after its week 2021-02-20",
                         "'2021-02-20'")),
    BadParquet("release-before-its-week", cells_changed(releases_moved(R1, date(2021, 2, 18))),
               FIRST_HOSP, "as_of", ("release 2021-02-18 is not after its week 2021-02-20",)),
    BadParquet("release-in-the-future", cells_changed(releases_moved(R3, date(2101, 3, 9))),
               row_of(PROP, "06", W1, R3), "as_of", ("release 2101-03-09 is in the future",)),
    BadParquet("duplicate-key", cells_changed(lambda c: [*c, [*c[FIRST_HOSP - 1][:1], 801.0,
               *c[FIRST_HOSP - 1][2:]]]), len(FIXTURE.rows()) + 1, None,
               ("duplicate row", f"repeats row {FIRST_HOSP}")),
    BadParquet("negative-admissions", cells_changed(setting(row_of(HOSP, "06", W1, R2), 1, -3.0)),
               row_of(HOSP, "06", W1, R2), "observation", ("not a count", "'-3.0'")),
    BadParquet("fractional-admissions", cells_changed(setting(row_of(HOSP, "US", W2, R3), 1, 12.5)),
               row_of(HOSP, "US", W2, R3), "observation", ("not a count", "'12.5'")),
    BadParquet("nan-admissions", cells_changed(setting(row_of(HOSP, "36", W3, R3), 1, float("nan"))),
               row_of(HOSP, "36", W3, R3), "observation", ("not a count", "'nan'")),
    BadParquet("share-above-one", cells_changed(setting(row_of(PROP, "US", W2, R2), 1, 1.2)),
               row_of(PROP, "US", W2, R2), "observation",
               ("not a proportion", "from 0 to 1", "'1.2'")),
    BadParquet("share-negative", cells_changed(setting(row_of(PROP, "36", W3, R3), 1, -0.01)),
               row_of(PROP, "36", W3, R3), "observation", ("not a proportion",)),
    BadParquet("unknown-fips", cells_changed(setting(row_of(HOSP, "72", W2, R2), 2, "99")),
               row_of(HOSP, "72", W2, R2), "location", ("unknown FIPS code '99'", "06")),
    BadParquet("fips-without-zero", cells_changed(setting(row_of(HOSP, "06", W3, R3), 2, "6")),
               row_of(HOSP, "06", W3, R3), "location", ("unknown FIPS code '6'",)),
    BadParquet("state-abbreviation", cells_changed(setting(row_of(PROP, "06", W1, R2), 2, "CA")),
               row_of(PROP, "06", W1, R2), "location", ("unknown FIPS code 'CA'",)),
    BadParquet("a-friday", cells_changed(setting(row_of(HOSP, "36", W2, R2), 0, date(2021, 2, 26))),
               row_of(HOSP, "36", W2, R2), "target_end_date",
               ("2021-02-26 is a Friday", "expected the Saturday that ends the week", "'2021-02-26'")),
    BadParquet("unknown-target", cells_changed(setting(row_of(HOSP, "US", W1, R1), 4,
               "wk inc covid deaths")), row_of(HOSP, "US", W1, R1), "target",
               ("unknown target 'wk inc covid deaths'", "wk inc covid hosp")),
    BadParquet("empty-location", table_changed(lambda t: t.set_column(
        2, "location", pa.array([None, *t.column("location").to_pylist()[1:]], pa.string()))),
        1, "location", ("empty cell",)),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD_PARQUET, ids=[b.id for b in BAD_PARQUET])
def test_bad_parquet_names_file_row_and_column(mirror: Path, bad: BadParquet) -> None:
    path = mirror / "cdc-covid" / SERIES
    bad.change(path)
    with pytest.raises(ParseError) as info:
        get_source(COVID).parse(mirror_paths(mirror, COVID))
    error = info.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{COVID}: {SERIES}: "), message
    assert (error.row, error.column) == (bad.row, bad.column), message
    if bad.row is not None:
        assert f"{SERIES}: row {bad.row}" in message and "line" not in message
    if bad.column is not None:
        assert f"column {bad.column!r}" in message
    for word in bad.words:
        assert word in message, message


def test_truncated_gzip_of_the_parquet_is_refused(mirror: Path) -> None:
    path = mirror / "cdc-covid" / SERIES
    packed = gzip.compress(path.read_bytes())
    path.unlink()
    path.with_name(SERIES + ".gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(
        ParseError, match=rf"^{COVID}: {SERIES}: corrupt or truncated gzip"
    ):
        get_source(COVID).parse(mirror_paths(mirror, COVID))


def test_a_location_without_population_is_refused_in_the_data_file(
    mirror: Path,
) -> None:
    """California's row gone from locations.csv: its first admissions row is named (the
    ED shares need no population)."""
    path = mirror / "cdc-flu" / LOC
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(line for line in lines if b'"06"' not in line))
    with pytest.raises(ParseError) as info:
        get_source(COVID).parse(mirror_paths(mirror, COVID))
    message = str(info.value)
    assert message.startswith(
        f"{COVID}: {SERIES}: row {FIRST_HOSP}, column 'location': "
    )
    assert (
        "no population for US-CA: not in locations.csv" in message and "'06'" in message
    )
    with pytest.raises(ParseError) as info:
        get_source(FLU).parse(mirror_paths(mirror, FLU))
    assert str(info.value).startswith(
        f"{FLU}: {ADM}: line 3, column 'location': no population"
    )


# -- bad CSV input (cdc-flu; locations.csv for both) ------------------------------------------


def rename(column: str, to: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [lines[0].replace(f'"{column}"', f'"{to}"'), *lines[1:]]


BAD = [
    Bad("flu-missing-rate", FLU, ADM, drop_column("weekly_rate"), None, None, ("missing column 'weekly_rate'",)),
    Bad("flu-renamed-rate", FLU, ADM, rename("weekly_rate", "rate"), None, None, ("missing column 'weekly_rate'", "found date, location, location_name, value, rate")),
    Bad("flu-renamed-location", FLU, ED, rename("location", "fips"), None, None, ("missing column 'location'",)),
    Bad("flu-duplicate-week", FLU, ADM, repeat(3), 4, None, ("duplicate row (location=06, date=2021-03-06) repeats line 3",)),
    Bad("flu-duplicate-week-other-value", FLU, ADM, lambda ls: [*ls, ls[3].replace(",260,", ",261,")], 14, None, ("duplicate row", "repeats line 4")),
    Bad("flu-ed-duplicate", FLU, ED, repeat(5), 6, None, ("duplicate row", "repeats line 5")),
    Bad("flu-negative", FLU, ADM, cell(6, "value", "-5"), 6, "value", ("not a count", "'-5'")),
    Bad("flu-fractional", FLU, ADM, cell(7, "value", "12.5"), 7, "value", ("not a count", "'12.5'")),
    Bad("flu-rate-not-value-per-100k", FLU, ADM, cell(2, "weekly_rate", "0.4531"), 2, "weekly_rate", ("not the value per 100,000 people", "0.453006878456", "'0.4531'")),
    Bad("flu-rate-without-value", FLU, ADM, cell(9, "weekly_rate", "0.1"), 9, "weekly_rate", ("a rate without a value",)),
    Bad("flu-value-without-rate", FLU, ADM, cell(9, "value", "4"), 9, "weekly_rate", ("not the value per 100,000 people",)),
    Bad("flu-share-above-one", FLU, ED, cell(3, "value", "1.2"), 3, "value", ("not a proportion", "'1.2'")),
    Bad("flu-share-percent", FLU, ED, cell(4, "value", "2.31"), 4, "value", ("not a proportion",)),
    Bad("flu-share-negative", FLU, ED, cell(4, "value", "-0.01"), 4, "value", ("negative value",)),
    Bad("flu-unknown-fips", FLU, ADM, cell(5, "location", '"99"'), 5, "location", ("unknown FIPS code '99'",)),
    Bad("flu-fips-without-zero", FLU, ADM, cell(3, "location", '"6"'), 3, "location", ("unknown FIPS code '6'",)),
    Bad("flu-ed-unknown-fips", FLU, ED, cell(10, "location", '"72x"'), 10, "location", ("unknown FIPS code '72x'",)),
    Bad("flu-a-friday", FLU, ADM, cell(8, "date", "2021-02-26"), 8, "date", ("2021-02-26 is a Friday", "the Saturday that ends the week")),
    Bad("flu-ed-a-sunday", FLU, ED, cell(2, "date", "2021-03-07"), 2, "date", ("is a Sunday",)),
    Bad("flu-not-a-date", FLU, ADM, cell(8, "date", "03/06/2021"), 8, "date", ("not a date",)),
    Bad("locations-duplicate", FLU, LOC, repeat(3), 4, "location", ("duplicate row", "repeats line 3")),
    Bad("locations-zero-population", FLU, LOC, cell(4, "population", "0"), 4, "population", ("not a count", ">= 1")),
    Bad("locations-unknown-fips", FLU, LOC, cell(5, "location", '"7"'), 5, "location", ("unknown FIPS code '7'",)),
    Bad("locations-missing-population", COVID, LOC, drop_column("population"), None, None, ("missing column 'population'",)),
    Bad("locations-empty-population", COVID, LOC, cell(2, "population", ""), 2, "population", ("empty cell",)),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_csv_names_file_line_and_column(mirror: Path, bad: Bad) -> None:
    assert_refused(mirror, "cdc-flu", bad)


# -- through the store ---------------------------------------------------------------------


def test_update_stores_the_latest_release_and_every_release(settings: Settings) -> None:
    """The store keeps the history: the latest view by default, any release ``as_of``."""
    report = epicurves.update(settings, [COVID, FLU])
    assert {s.source: s.status for s in report.sources} == {
        COVID: "updated",
        FLU: "updated",
    }
    latest = epicurves.load_signals(["US-CA"], ["admissions"], settings=settings)
    covid = latest[latest["source"] == COVID].sort_values("date")
    assert covid["value"].tolist() == [800.0, 760.0, 650.0]
    assert set(covid["release"].astype(str)) == {"2021-03-10"}
    flu = latest[latest["source"] == FLU].sort_values("date")
    assert (
        flu["value"].tolist() == [180.0, 170.0, 150.0] and flu["release"].isna().all()
    )
    before = epicurves.load_signals(["US-CA"], ["admissions"], settings=settings,
                                    as_of="2021-03-05")  # fmt: skip
    covid = before[before["source"] == COVID].sort_values("date")
    assert covid["value"].tolist() == [812.0, 700.0]
    assert set(covid["release"].astype(str)) == {"2021-03-03"}

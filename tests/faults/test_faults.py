"""Fault injection (issue 10): bad upstream files, broken servers, full and read-only disks.

Each input in :data:`INPUTS` is applied to the sources it names, one test case per (input,
source), on a copy of a store filled from the clean fixtures. The outcome is either a
**refusal** — the source fails with one line naming the source and the file (and the line and
column where known), and the store's files, the exports and the site stay byte-identical — or a
documented **tolerance**: ``same`` (the store holds exactly what the clean file gives) or
``kept`` (the data are stored as published, as the README says, checked by the input's check).
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from conftest import shared_folder
from epicurves import EpicurvesError, Settings, load_observations, load_regions
from epicurves.site.build import build_site
from epicurves.sources import SOURCES

from . import inputs as I
from .cases import FIXTURES, Frames, Input, snapshot

pytestmark = pytest.mark.faults

#: The build time of both sites compared (the home page shows it).
NOW = datetime(2021, 3, 13, 6, 0, tzinfo=UTC)
ALL = I.CSV_SOURCES
LONG = ("nyt", "rki", "rki-states", "rki-districts", "germany")  # a row per date


def _mine(settings: Settings, source: str) -> Frames:
    obs = load_observations(all_sources=True, settings=settings)
    regions = load_regions(all_sources=True, settings=settings)
    return obs[obs["source"] == source], regions[regions["source"] == source]


def _flagged(settings: Settings, source: str, clean: Frames) -> None:
    """The decrease is stored, and flagged: one more flagged day than the clean file gives."""
    obs, _ = _mine(settings, source)
    flagged = lambda o: int(o["flags"].fillna("").str.contains("cases-decrease").sum())  # noqa: E731
    assert flagged(obs) > flagged(clean[0])


def _name_kept(settings: Settings, source: str, clean: Frames) -> None:
    _, regions = _mine(settings, source)
    assert I.ATTACK in set(regions["name"]) and I.ATTACK not in set(clean[1]["name"])


def _population_missing(settings: Settings, source: str, clean: Frames) -> None:
    """More regions without population than the clean file gives (the one changed; in RKI's
    files the population of each day's row, so a state's or Germany's own)."""
    _, regions = _mine(settings, source)
    assert regions["population"].isna().sum() > clean[1]["population"].isna().sum()


def _populations_known(settings: Settings, source: str, clean: Frames) -> None:
    """A county's 0 (or none) is summed into its state: every state keeps a population, and
    the county's state has less than the clean file gives."""
    _, regions = _mine(settings, source)
    states = regions[regions["kind"] == "state"].set_index("region_id")["population"]
    before = clean[1][clean[1]["kind"] == "state"].set_index("region_id")["population"]
    assert len(states) and states.notna().all()
    assert (states < before.reindex(states.index)).sum() == 1


def _not_an_id(settings: Settings, source: str, clean: Frames) -> None:
    """A column that is not an AGS code is left out (with a note), never made a region."""
    _, regions = _mine(settings, source)
    assert sorted(regions["region_id"]) == sorted(clean[1]["region_id"])


INPUTS: list[Input] = [
    Input("truncated-gzip", I.truncated_gzip, ALL, words=("gzip",)),
    Input("gzip-of-garbage", I.gzip_of_garbage, ALL),
    Input("cut-mid-line", I.raw(I.cut_mid_line), ALL),
    Input("html-page", I.raw(I.html_page), ALL, words=("HTML",)),
    Input("empty-file", I.raw(lambda b: b""), ALL, words=("empty",)),
    Input("header-only", I.raw(lambda b: b.split(b"\n")[0] + b"\n"), ALL),
    Input("utf8-bom", I.raw(lambda b: b"\xef\xbb\xbf" + b), ALL, "same",
          "a BOM is how Excel writes UTF-8; it says nothing about the data"),
    Input("crlf", I.raw(I.crlf), ALL, "same", "line endings are not data (upstream uses both)"),
    Input("latin1-bytes", I.latin1_name, ("jhu", "jhu-us", "nyt", "rki-districts", "germany"),
          words=("UTF-8",)),
    Input("semicolon-delimiter", I.rewritten(delimiter=";"), ALL),
    Input("quoted-numbers", I.rewritten(quoting=csv.QUOTE_ALL), ALL, "same",
          "quoting is CSV syntax: \"12\" is the cell 12"),
    Input("thousands-separator", I.table(I.thousands), ALL, words=("expected a whole number",)),
    Input("renamed-column", I.table(I.renamed_column), ALL, words=("missing column",)),
    Input("missing-column", I.table(I.missing_column), ALL, words=("missing column",)),
    Input("extra-column", I.table(I.extra_column), ALL,
          {s: "same" for s in LONG},
          "columns are read by name; upstream adds columns now and then"),
    Input("reordered-columns", I.table(I.reordered_columns), ALL,
          {s: "same" for s in (*LONG, "jhu")},
          "columns are read by name"),
    Input("duplicate-row", I.table(I.duplicate_row), ALL),
    Input("duplicate-date-other-values", I.table(I.duplicate_date_other_values), ALL),
    Input("rows-out-of-order", I.table(I.rows_reversed), ALL, "same",
          "rows are keyed by region and date, not by position"),
    Input("impossible-date", I.table(I.set_date(I.impossible_date)), ALL, words=("not a date",)),
    Input("dates-in-the-future", I.table(I.future), LONG, words=("2101",)),
    Input("date-format-change", I.table(I.set_date(I.other_format)), ALL),
    Input("non-numeric-cell", I.table(I.set_cell("12x")), ALL, words=("'12x'",)),
    Input("negative-count", I.table(I.set_cell("-5")), ALL, words=("-5",)),
    Input("cumulative-going-down", I.table(I.going_down), tuple(s for s in ALL if s != "jhu-us"),
          "kept", "README: a decrease is kept as published and flagged cases-decrease "
          "(jhu-us: a county's decrease is summed into its state, not a decrease of it)",
          check=_flagged),
    Input("gap-of-three-days", I.table(I.gap), ALL),
    Input("unknown-region-code", I.table(I.new_series("97")), tuple(s for s in ALL if s != "rki"),
          {"jhu": "same", "nyt": "same"},
          "README: a name/FIPS not in the lookup is skipped with a note (rki has one region)"),
    Input("population-zero", I.population("0"), ("jhu", "nyt", "germany"), words=("0",)),
    Input("population-zero-rki", I.population("0"), ("rki", "rki-states", "rki-districts"),
          "kept", "0 is RKI's own code for unknown (its unknown-district rows): stored as missing",
          check=_population_missing),
    Input("population-zero-county", I.population("0"), ("jhu-us",), "kept",
          "JHU's own county rows (Unassigned, Out of ...) have 0: summed into the state",
          check=_populations_known),
    Input("population-negative", I.population("-100"), ALL, words=("-100",)),
    Input("population-missing", I.population(""), tuple(s for s in ALL if s != "jhu-us"), "kept",
          "README: missing stays missing; per-capita values stay empty",
          check=_population_missing),
    Input("population-missing-county", I.population(""), ("jhu-us",), "kept",
          "JHU's own county rows may have none: a state's population is the sum of its known counties'",
          check=_populations_known),
    Input("script-quotes-rtl-name", I.attacked_name, ("germany",), "kept",
          "a name is text: stored as published, escaped by the site (test_attacked_name_in_site)",
          check=_name_kept),
    *(Input(f"unsafe-id-{n}", I.unsafe_id(v), ("jhu", "rki-districts", "germany"),
            {"germany": "kept"},
            "germany's columns are AGS codes: another column is left out with a note",
            check=_not_an_id)
      for n, v in (("dotdot", "../x"), ("slash", "a/b"), ("space", "a b"))),
    Input("file-of-100-mb", I.huge_file, ("nyt",)),
]  # fmt: skip


# -- the clean store, made once and copied per test -------------------------------------------


@dataclass
class Base:
    home: Path
    frames: tuple[pd.DataFrame, pd.DataFrame]
    site: Path


def _frames(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        load_observations(all_sources=True, settings=settings),
        load_regions(all_sources=True, settings=settings),
    )


def _site_files(site: Path) -> dict[str, bytes]:
    """The site's files, but ``status.json`` (build time) and the home page's notices of failed
    updates (by design: the site says which source kept its last good data)."""
    files = {
        str(p.relative_to(site)): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != "status.json"
    }
    # the warnings section lists each failed update ("kept the last good data")
    files["index.html"] = re.sub(
        rb'<section class="warnings".*?</section>\n',
        b"",
        files["index.html"],
        flags=re.S,
    )
    return files


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    """Every source stored from the clean fixtures and a site built from them, once a test
    run (the tests work on copies)."""

    def make(root: Path) -> None:
        settings = Settings(home=root / "home", mirror=FIXTURES)
        report = epicurves.update(settings, list(ALL))
        assert {s.status for s in report.sources} == {"updated"}, report.sources
        build_site(settings, root / "site", workers=1, now=NOW)

    root = shared_folder(tmp_path_factory, "faults-base", make)
    settings = Settings(home=root / "home", mirror=FIXTURES)
    return Base(root / "home", _frames(settings), root / "site")


@pytest.fixture
def env(base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(base.home, tmp_path / "home")
    shutil.copytree(FIXTURES, tmp_path / "mirror")
    return Settings(home=tmp_path / "home", mirror=tmp_path / "mirror")


def _source_frames(
    settings: Settings, source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    obs, regions = _frames(settings)
    pick = lambda f: f[f["source"] == source].reset_index(drop=True)  # noqa: E731
    return pick(obs), pick(regions)


def assert_refused(
    settings: Settings,
    before: dict[str, bytes],
    frames: tuple[pd.DataFrame, pd.DataFrame],
    run: Callable[[], epicurves.UpdateReport],
    source: str,
    file: str,
    words: tuple[str, ...] = (),
) -> str:
    """The update fails ``source`` (or raises) with one line naming it and ``file``; the store
    is as before."""
    try:
        report = run()
    except EpicurvesError as exc:
        message = str(exc)
    else:
        (item,) = report.sources
        assert item.status == "failed", item
        message = item.message
    assert "\n" not in message, message
    # every refusal names the source, then the file (a rule of the tidy model: the files)
    assert message.startswith(f"{source}: "), message
    assert file in message, message
    for word in words:
        assert word in message, message
    assert snapshot(settings) == before
    after = _frames(settings)
    pd.testing.assert_frame_equal(after[0], frames[0])
    pd.testing.assert_frame_equal(after[1], frames[1])
    return message


# -- bad files in the mirror -------------------------------------------------------------------


def _cases() -> list[object]:
    return list(_each_case())


def _each_case() -> Iterator[object]:
    for item in INPUTS:
        for source in item.sources:
            yield pytest.param(item, source, id=f"{item.name}-{source}")


@pytest.mark.parametrize(("item", "source"), _cases())
def test_bad_input(env: Settings, base: Base, item: Input, source: str) -> None:
    target = I.TARGETS[source]
    before = snapshot(env)
    clean = _source_frames(env, source)
    assert env.mirror is not None
    item.mutate(env.mirror, target)
    outcome = item.outcome_for(source)
    run = lambda: epicurves.update(env, [source])  # noqa: E731
    if outcome == "refuse":
        # the file named: the main file, or the one the input changed
        names = [f.name for f in SOURCES[source].files]
        report_text = assert_refused(
            env, before, base.frames, run, source, "", item.words
        )
        assert any(f"{source}: {n}" in report_text for n in names), report_text
        return
    report = run()
    (result,) = report.sources
    assert result.status in ("updated", "unchanged"), result.message
    if outcome == "same":
        after = _source_frames(env, source)
        pd.testing.assert_frame_equal(after[0], clean[0])
        pd.testing.assert_frame_equal(after[1], clean[1])
    else:
        assert item.check is not None
        item.check(env, source, clean)


def test_refusals_leave_exports_and_site_byte_identical(
    base: Base, tmp_path: Path
) -> None:
    """Every refused mirror input, one after the other on one store; then an export and a build:
    the same bytes as the clean store's."""
    home, mirror = tmp_path / "home", tmp_path / "mirror"
    shutil.copytree(base.home, home)
    settings = Settings(home=home, mirror=mirror)
    refused = 0
    for item in INPUTS:
        for source in item.sources:
            if item.outcome_for(source) != "refuse" or item.name == "file-of-100-mb":
                continue
            shutil.rmtree(mirror, ignore_errors=True)
            shutil.copytree(FIXTURES, mirror)
            item.mutate(mirror, I.TARGETS[source])
            (result,) = epicurves.update(settings, [source]).sources
            assert result.status == "failed", (item.name, source)
            refused += 1
    assert refused > 90
    clean = Settings(home=base.home, mirror=FIXTURES)
    for fmt in ("csv", "json"):
        from click.testing import CliRunner

        from epicurves.cli import cli

        outs = []
        for s in (clean, settings):
            out = tmp_path / f"export-{len(outs)}.{fmt}"
            res = CliRunner().invoke(
                cli,
                ["--home", str(s.home), "export", "--all-sources", "--out", str(out)],
            )
            assert res.exit_code == 0, res.output
            outs.append(out.read_bytes())
        assert outs[0] == outs[1]
    build_site(settings, tmp_path / "site", workers=1, now=NOW)
    assert _site_files(tmp_path / "site") == _site_files(base.site)


def test_a_quoted_line_break_in_the_last_record_is_not_a_cut(tmp_path: Path) -> None:
    """The cut-mid-line check finds the last record as CSV does: a line break inside quotes
    belongs to the cell."""
    from epicurves.sources import get_source

    text = (
        (FIXTURES / "nyt" / "us-states.csv").read_text("utf-8").rstrip("\n").split("\n")
    )
    rows = [
        text[0] + ",note",
        *(r + "," for r in text[1:-1]),
        text[-1] + ',"revised\nsee notes"',
    ]
    path = tmp_path / "us-states.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    lookup = FIXTURES / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv"
    data = get_source("nyt").parse(
        {"us-states.csv": path, "UID_ISO_FIPS_LookUp_Table.csv": lookup}
    )
    assert len(data.observations) > 0


def test_a_column_written_twice_is_refused(tmp_path: Path) -> None:
    from epicurves.errors import ParseError
    from epicurves.sources import get_source

    lines = (
        (FIXTURES / "nyt" / "us-states.csv").read_text("utf-8").rstrip("\n").split("\n")
    )
    rows = [lines[0] + ",cases", *(r + ",999999" for r in lines[1:])]
    path = tmp_path / "us-states.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    lookup = FIXTURES / "jhu" / "UID_ISO_FIPS_LookUp_Table.csv"
    with pytest.raises(
        ParseError, match=r"nyt: us-states.csv: column 'cases' is in the header twice"
    ):
        get_source("nyt").parse(
            {"us-states.csv": path, "UID_ISO_FIPS_LookUp_Table.csv": lookup}
        )


# -- CDC's hubs (issue 21): cdc-covid's releases and cdc-flu, on a store holding both --------
# The inputs above are made for cumulative counts; these are made for weekly signals and
# releases. A refusal leaves the store's files and the stored signals as they were; a
# tolerance's check gets the source's clean signals as ``clean[0]``.

CDC = I.CDC_SOURCES
COVID, FLU = CDC
SERIES = I.CDC_TARGETS[COVID].file


def _cdc_signals(settings: Settings, source: str) -> pd.DataFrame:
    signals = epicurves.load_signals(settings=settings)
    return signals[signals["source"] == source].reset_index(drop=True)


def _release_kept(settings: Settings, source: str, clean: Frames) -> None:
    """The release dropped upstream stays readable: as of the day after it, its values."""
    before = clean[0]
    assert set(before["release"].astype(str)) == {I.CDC_RELEASES[-1]}
    as_of = epicurves.load_signals(settings=settings, as_of="2021-03-04")
    as_of = as_of[as_of["source"] == source]
    assert set(as_of["release"].astype(str)) == {I.CDC_RELEASES[1]}
    ca = as_of[(as_of["region_id"] == "US-CA") & (as_of["signal"] == "admissions")]
    assert ca.sort_values("date")["value"].tolist() == [812.0, 700.0]
    pd.testing.assert_frame_equal(_cdc_signals(settings, source), before)


def _value_missing(settings: Settings, source: str, clean: Frames) -> None:
    """An empty value is missing, not zero: its row and its rate's are gone, no other."""
    after = _cdc_signals(settings, source)
    assert len(after) == len(clean[0]) - 2
    gone = (
        clean[0].merge(after, how="left", indicator=True).query("_merge == 'left_only'")
    )
    assert set(gone["region_id"]) == {"US-NY"} and set(gone["signal"]) == {
        "admissions", "admissions-rate",
    }  # fmt: skip


H, E = "hosp", "ed"
CDC_INPUTS: list[Input] = [
    # the file: cut, replaced, compressed
    Input("cdc-parquet-cut-in-half", I.cdc_bytes(SERIES, lambda b: b[: len(b) // 2]), (COVID,),
          words=("truncated Parquet",)),
    Input("cdc-html-page-as-parquet", I.cdc_bytes(SERIES, I.html_page), (COVID,), words=("HTML",)),
    Input("cdc-empty-parquet", I.cdc_bytes(SERIES, lambda b: b""), (COVID,), words=("empty",)),
    Input("cdc-parquet-truncated-gzip", I.cdc_truncated_gzip(SERIES), (COVID,), words=("gzip",)),
    Input("cdc-flu-truncated-gzip", I.cdc_truncated_gzip(I.CDC_TARGETS[FLU].file), (FLU,),
          words=("gzip",)),
    Input("cdc-flu-ed-html-page", I.cdc_bytes(I.FLU_ED, I.html_page), (FLU,), words=("HTML",)),
    Input("cdc-parquet-gzipped", I.parquet(lambda t: t), (COVID,), "same",
          "a Parquet file is read the same whether or not the mirror holds it gzipped"),
    # columns
    Input("cdc-missing-observation", I.parquet(lambda t: t.drop_columns(["observation"])),
          (COVID,), words=("missing column 'observation'",)),
    Input("cdc-target-end-date-renamed", I.parquet(lambda t: t.rename_columns(
        ["date" if n == "target_end_date" else n for n in t.column_names])), (COVID,),
          words=("missing column 'target_end_date'",)),
    Input("cdc-flu-weekly-rate-renamed", I.flu_table(I.CDC_TARGETS[FLU].file,
          lambda rows: I.renamed_column(rows, I.CDC_TARGETS[FLU])),
          (FLU,), words=("missing column 'weekly_rate'",)),
    # releases
    Input("cdc-release-before-its-newest-week", I.covid_release_moved(I.CDC_RELEASES[0],
          "2021-02-19"), (COVID,), words=("release 2021-02-19 is not after its week",)),
    Input("cdc-release-in-the-future", I.covid_release_moved(I.CDC_RELEASES[2], "2101-03-09"),
          (COVID,), words=("release 2101-03-09 is in the future",)),
    Input("cdc-duplicate-key-in-a-release", I.parquet_rows(I.covid_duplicate_key), (COVID,),
          words=("duplicate row", "as_of=2021-03-03")),
    Input("cdc-rows-out-of-order", I.parquet_rows(lambda c: list(reversed(c))), (COVID,),
          "same", "rows are keyed by target, location, week and release, not by position"),
    Input("cdc-release-dropped-upstream", I.parquet_rows(I.covid_release_dropped), (COVID,),
          "kept", "README: a release stored once is kept when upstream drops it",
          check=_release_kept),
    Input("cdc-flu-duplicate-week", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_duplicate_other_value), (FLU,), words=("duplicate row", "repeats line 2")),
    # cells
    Input("cdc-negative-admissions", I.covid_cell(H, "06", "observation", -3.0), (COVID,),
          words=("not a count", "-3")),
    Input("cdc-fractional-admissions", I.covid_cell(H, "US", "observation", 1170.5), (COVID,),
          words=("not a count", "1170.5")),
    Input("cdc-share-above-one", I.covid_cell(E, "36", "observation", 1.2), (COVID,),
          words=("not a proportion", "1.2")),
    Input("cdc-unknown-fips", I.covid_cell(H, "72", "location", "99"), (COVID,),
          words=("unknown FIPS code '99'",)),
    Input("cdc-fips-without-zero", I.covid_cell(E, "06", "location", "6"), (COVID,),
          words=("unknown FIPS code '6'",)),
    Input("cdc-week-on-a-friday", I.covid_cell(H, "36", "target_end_date", datetime(2021, 2, 26).date()),
          (COVID,), words=("2021-02-26 is a Friday",)),
    Input("cdc-unknown-target", I.covid_cell(H, "US", "target", "wk inc covid deaths"),
          (COVID,), words=("unknown target 'wk inc covid deaths'",)),
    Input("cdc-flu-negative-admissions", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_cell("value", "-5")), (FLU,), words=("not a count", "-5")),
    Input("cdc-flu-fractional-admissions", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_cell("value", "100.5")), (FLU,), words=("not a count", "100.5")),
    Input("cdc-flu-share-above-one", I.flu_table(I.FLU_ED, I.flu_cell("value", "1.2")), (FLU,),
          words=("not a proportion", "1.2")),
    Input("cdc-flu-unknown-fips", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_cell("location", "99")), (FLU,), words=("unknown FIPS code '99'",)),
    Input("cdc-flu-fips-without-zero", I.flu_table(I.FLU_ED, I.flu_cell("location", "6", "06")),
          (FLU,), words=("unknown FIPS code '6'",)),
    Input("cdc-flu-week-on-a-friday", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_cell("date", "2021-02-26")), (FLU,), words=("2021-02-26 is a Friday",)),
    Input("cdc-flu-rate-not-value-per-100k", I.flu_table(I.CDC_TARGETS[FLU].file,
          I.flu_cell("weekly_rate", "0.51")), (FLU,),
          words=("not the value per 100,000 people", "'0.51'")),
    Input("cdc-flu-empty-value", I.flu_table(I.CDC_TARGETS[FLU].file,
          lambda rows: I.flu_cell("weekly_rate", "")(rows) or I.flu_cell("value", "")(rows)),
          (FLU,), "kept", "README: an empty value is missing, not zero (FluSight writes NA)",
          check=_value_missing),
    # a stored release published again with another value (update --force would accept it)
    Input("cdc-release-published-again-changed", I.covid_cell(H, "36", "observation", 501.0,
          release=I.CDC_RELEASES[0]), (COVID,),
          words=(f"release {I.CDC_RELEASES[0]} was published again with other values",
                 "US-NY", "now 501", "--force")),
    # populations
    Input("cdc-location-not-in-locations-csv", I.location_removed("06"), CDC,
          words=("no population for US-CA",)),
]  # fmt: skip


@dataclass
class CdcBase:
    home: Path
    signals: dict[str, pd.DataFrame]


@pytest.fixture(scope="session")
def cdc_base(tmp_path_factory: pytest.TempPathFactory) -> CdcBase:
    root = tmp_path_factory.mktemp("faults-cdc")
    settings = Settings(home=root / "home", mirror=FIXTURES)
    report = epicurves.update(settings, list(CDC))
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    return CdcBase(root / "home", {s: _cdc_signals(settings, s) for s in CDC})


@pytest.fixture
def cdc_env(
    cdc_base: CdcBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(cdc_base.home, tmp_path / "home")
    shutil.copytree(FIXTURES, tmp_path / "mirror")
    return Settings(home=tmp_path / "home", mirror=tmp_path / "mirror")


def _cdc_cases() -> list[object]:
    return [
        pytest.param(item, source, id=f"{item.name}-{source}")
        for item in CDC_INPUTS
        for source in item.sources
    ]


@pytest.mark.parametrize(("item", "source"), _cdc_cases())
def test_bad_cdc_input(
    cdc_env: Settings, cdc_base: CdcBase, item: Input, source: str
) -> None:
    before = snapshot(cdc_env)
    clean = cdc_base.signals[source]
    assert cdc_env.mirror is not None
    item.mutate(cdc_env.mirror, I.CDC_TARGETS[source])
    outcome = item.outcome_for(source)
    report = epicurves.update(cdc_env, [source])
    (result,) = report.sources
    if outcome == "refuse":
        message = result.message
        assert result.status == "failed", result
        assert "\n" not in message, message
        names = [f.name for f in SOURCES[source].files]
        assert any(message.startswith(f"{source}: {n}: ") for n in names), message
        for word in item.words:
            assert word in message, message
        assert snapshot(cdc_env) == before
        pd.testing.assert_frame_equal(_cdc_signals(cdc_env, source), clean)
        return
    assert result.status in ("updated", "unchanged"), result.message
    if outcome == "same":
        pd.testing.assert_frame_equal(_cdc_signals(cdc_env, source), clean)
    else:
        assert item.check is not None
        item.check(cdc_env, source, (clean, pd.DataFrame()))

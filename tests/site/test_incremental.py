"""The daily loop on the fixture mirror: incremental builds, the no-change run, determinism,
failed builds, the run lock, quiet output, and the same bytes from every executor."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from filelock import FileLock

import epicurves
from conftest import DISTRICT_DAY_FILES, FIXTURES
from epicurves import BuildError, Settings
from epicurves.cli import cli
from epicurves.executor import ProcessExecutor
from epicurves.site import payload
from epicurves.site.build import build_site
from epicurves.site.collections import THRESHOLD_PAGES
from epicurves.site.publish import MARKER, SiteFolder
from epicurves.site.signals import decode_signals

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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home filled from the fixture mirror and a site built from it (copied per test)."""
    base = tmp_path_factory.mktemp("daily")
    shutil.copytree(FIXTURES, base / "mirror")
    settings = Settings(home=base / "home", mirror=base / "mirror")
    report = epicurves.update(settings, SOURCES)
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    build_site(settings, base / "site", now=NOW)
    return base


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    """A copy of :func:`built` this test may change: settings and the site's path."""
    base = tmp_path / "work"
    shutil.copytree(built, base, symlinks=True)
    yield Settings(home=base / "home", mirror=base / "mirror"), base / "site"


def add_district_day(mirror: Path) -> None:
    """RKI's district file gains 2021-03-13 for LK Ebersberg (09175) only."""
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")


@pytest.mark.slow
def test_the_site_is_a_link_to_a_generation_folder(work: tuple[Settings, Path]) -> None:
    settings, site = work
    assert site.is_symlink()
    first = site.resolve()
    assert first.parent.name == ".site.generations"
    for _ in range(3):
        build_site(settings, site, full=True, now=NOW)
    kept = sorted(p.name for p in first.parent.iterdir() if p.is_dir())
    assert kept == ["000003", "000004"]  # the published one and the one before
    assert site.resolve().name == "000004"
    # Nothing to rebuild: the home page and status.json are replaced in place.
    report = build_site(settings, site, now=NOW)
    assert report.generation == 4 and report.files_written == 2
    assert site.resolve().name == "000004"


@pytest.mark.slow
def test_new_parsing_code_parses_unchanged_files_again(
    work: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data stored by an older version (other names, say) are parsed again by the next
    update, even though upstream's files did not change; what did not change stays."""
    from epicurves import pipeline

    settings, _ = work
    again = epicurves.update(settings, SOURCES)
    assert {s.status for s in again.sources} == {"unchanged"}
    real = pipeline.parser_fingerprint
    monkeypatch.setattr(
        pipeline,
        "parser_fingerprint",
        lambda name: real(name) if name != "jhu" else "older",
    )
    report = epicurves.update(settings, SOURCES)
    statuses = {s.source: s.status for s in report.sources}
    assert statuses["jhu"] == "updated"
    assert {v for k, v in statuses.items() if k != "jhu"} == {"unchanged"}
    assert not report.changes.regions  # the same parser output: no region changed
    monkeypatch.undo()
    # stored with the "older" fingerprint: the real code parses it again, once
    assert {s.source: s.status for s in epicurves.update(settings, SOURCES).sources}[
        "jhu"
    ] == "updated"
    assert {s.status for s in epicurves.update(settings, SOURCES).sources} == {
        "unchanged"
    }


def test_one_district_s_new_day_rewrites_exactly_what_the_graph_names(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    before = tree(site)
    add_district_day(settings.mirror)  # type: ignore[arg-type]
    report = epicurves.update(settings, SOURCES)
    assert [s.source for s in report.sources if s.status == "updated"] == [
        "rki-districts"
    ]
    assert dict(report.changes.regions) == {"DE-09175": frozenset({"data"})}

    built = build_site(settings, site, changes=report.changes, now=NOW)

    assert not built.full and built.reason == "1 region changed (data 1)"
    after = tree(site)
    assert rewritten(before, after) == DISTRICT_DAY_FILES | TIMED
    assert sorted(after) == sorted(before)
    assert (
        payload.decode(after["data/DE-09175.js"][1].decode())[1]["vintage"]
        == "2021-03-13"
    )


@pytest.mark.slow
def test_an_incremental_build_equals_a_full_build_of_the_same_store(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    add_district_day(settings.mirror)  # type: ignore[arg-type]
    epicurves.update(settings, SOURCES)
    assert not build_site(settings, site, now=NOW).full  # finds the changes itself
    full = build_site(settings, site.parent / "full", full=True, now=NOW)
    assert full.full
    same_bytes(site, site.parent / "full")


def _folders(site: Path) -> list[str]:
    folder = site.resolve()
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()
    )


@pytest.mark.slow
def test_the_build_after_next_recycles_the_folder_before_and_equals_a_full_build(
    work: tuple[Settings, Path],
) -> None:
    """An incremental build takes the folder of the generation before the published one,
    relinks the files the published one's build changed, and replaces (never writes into)
    the files it writes: the published generation keeps its files and their bytes, and the
    new one equals a site built anew, files and folders, a removed region's folder gone."""
    settings, site = work
    generations = site.resolve().parent
    path = settings.mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"  # type: ignore[operator]
    days = [
        "2021-03-13,09175,145000,220,10,70,48.3",
        "2021-03-14,09175,145000,230,10,70,50.5",
        # another district: Ebersberg's files of the 14th come from the published site
        "2021-03-13,16077,88356,110,5,35,41.0",
    ]
    for number, day in enumerate([*days, None], start=2):
        if day is None:
            epicurves.Store(settings.store_dir).remove("germany")
        else:
            with path.open("a", encoding="utf-8") as out:
                out.write(day + "\n")
            epicurves.update(settings, SOURCES)
        older = generations / f"{number - 2:06d}"
        older_inode = older.stat().st_ino if number > 2 else None
        published = tree(site)
        report = build_site(settings, site, now=NOW)
        assert not report.full and report.generation == number
        # the published generation is as it was, every file the same inode and bytes
        assert tree(generations / f"{number - 1:06d}") == published
        if older_inode is not None:  # the first incremental build has none to recycle
            assert site.resolve().stat().st_ino == older_inode
        assert report.files_total == len(tree(site))
    assert "region/DE-11001" not in _folders(site)  # a borough: only germany had it
    build_site(settings, site.parent / "full", full=True, now=NOW)
    same_bytes(site, site.parent / "full")
    assert _folders(site) == _folders(site.parent / "full")


def test_the_same_store_gives_the_same_bytes(work: tuple[Settings, Path]) -> None:
    settings, site = work
    later = datetime(2024, 1, 1, tzinfo=UTC)
    build_site(settings, site.parent / "again", full=True, now=later)
    same_bytes(site, site.parent / "again")
    home = (site.parent / "again" / "index.html").read_text("utf-8")
    assert "2024-01-01 00:00 UTC" in home  # the build time is on the home page only


def test_a_run_with_nothing_new_rewrites_only_the_home_page_and_status(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    manifest = (settings.store_dir / "manifest.json").read_bytes()
    before = tree(site)
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(settings.home),
            "run",
            "--mirror",
            str(settings.mirror),
            "--out",
            str(site),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no region changed" in result.output
    assert (settings.store_dir / "manifest.json").read_bytes() == manifest
    assert rewritten(before, tree(site)) == TIMED


def test_removed_regions_lose_their_files(work: tuple[Settings, Path]) -> None:
    settings, site = work
    epicurves.Store(settings.store_dir).remove("germany")
    report = build_site(settings, site, now=NOW)
    assert not report.full
    files = tree(site)
    assert "region/DE-11001/index.html" not in files  # a borough: only germany had it
    assert "data/DE-11001.json" not in files
    assert "region/DE-09162/index.html" in files  # rki-districts has München


def test_other_settings_force_a_full_build(work: tuple[Settings, Path]) -> None:
    settings, site = work
    other = replace(settings, precedence=("germany", *settings.precedence))
    report = build_site(other, site, now=NOW)
    assert report.full and "settings changed" in report.reason


def test_a_new_threshold_rewrites_the_incidence_tables_only(
    work: tuple[Settings, Path],
) -> None:
    """The threshold is not in the fingerprint: `build --threshold 75` then `run` (which
    keeps the site's threshold) rebuild no region."""
    settings, site = work
    before = tree(site)
    report = build_site(settings, site, threshold=75.0, now=NOW)
    assert not report.full and "threshold 50 -> 75" in report.reason
    assert report.region_pages == 0
    assert THRESHOLD_PAGES <= rewritten(before, tree(site)) <= TIMED | THRESHOLD_PAGES
    assert "of 75 or more per 100 000" in (site / "countries/index.html").read_text()
    again = build_site(settings, site, now=NOW)  # no threshold given: the site's
    assert again.files_written <= len(TIMED) and "threshold" not in again.reason
    assert SiteFolder(site).state().threshold == 75.0  # type: ignore[union-attr]


def test_a_failed_build_keeps_the_last_good_site(work: tuple[Settings, Path]) -> None:
    settings, site = work
    before = tree(site)
    published = site.resolve()
    damaged = next(settings.store_dir.glob("rki-districts-*.observations.parquet"))
    damaged.write_bytes(b"PAR1 not parquet at all")

    with pytest.raises(BuildError, match=r"the last good site .* is kept") as caught:
        build_site(settings, site, full=True, now=NOW)

    assert caught.value.kept == 1
    assert site.resolve() == published
    assert tree(site) == before
    assert not [p for p in published.parent.iterdir() if ".tmp" in p.name]
    result = CliRunner().invoke(
        cli, ["--home", str(settings.home), "build", "--full", "--out", str(site)]
    )
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("Error: the build failed (")
        and "is kept" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_second_run_is_refused_while_the_first_holds_the_lock(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    before = tree(site)
    lock = FileLock(str(settings.home / "run.lock"))
    with lock.acquire(timeout=0):
        result = CliRunner().invoke(
            cli, ["--home", str(settings.home), "run", "--mirror", str(settings.mirror),
                  "--out", str(site)],
        )  # fmt: skip
    assert result.exit_code == 3
    assert "another `epicurves run` holds" in result.stderr
    assert tree(site) == before


def test_quiet_prints_only_problems(work: tuple[Settings, Path]) -> None:
    settings, site = work
    add_district_day(settings.mirror)  # type: ignore[arg-type]
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "run", "--quiet", "--mirror", str(settings.mirror),
         "--out", str(site)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    # The fixture data end in March 2021: the live RKI sources are stale, and say so.
    # the live sources, stale on the fixtures' dates
    live = ("Warning: rki", "Warning: cdc", "Warning: ecdc")
    assert lines and all(line.startswith(live) for line in lines), lines


def test_quiet_names_a_failed_source_and_exits_1(work: tuple[Settings, Path]) -> None:
    settings, site = work
    (settings.mirror / "nyt" / "us-states.csv").write_text("<html>gone</html>")  # type: ignore[operator]
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "run", "-q", "--mirror", str(settings.mirror),
         "--out", str(site)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Error: nyt: us-states.csv" in result.stderr
    assert "kept the last good data" in result.stderr


def test_home_and_status_say_how_current_each_source_is(
    work: tuple[Settings, Path],
) -> None:
    import json

    settings, site = work
    status = json.loads((site / "status.json").read_text("utf-8"))
    assert not status["warnings"]  # built the day after the fixtures' last day
    build_site(settings, site, now=datetime(2021, 3, 20, tzinfo=UTC))
    status = json.loads((site / "status.json").read_text("utf-8"))
    by_name = {s["source"]: s for s in status["sources"]}
    assert by_name["rki"]["live"] and by_name["rki"]["stale"]
    assert by_name["rki"]["age_days"] == 8
    assert not by_name["jhu"]["live"] and not by_name["jhu"]["stale"]
    assert by_name["rki"]["checked_at"] and by_name["rki"]["vintage"] == "2021-03-12"
    assert any("rki-districts" in w for w in status["warnings"])
    home = (site / "index.html").read_text("utf-8")
    assert "(stale)" in home and "frozen" in home and "live, daily" in home


def test_historic_regions_are_marked_and_left_out_of_tables(
    work: tuple[Settings, Path],
) -> None:
    _, site = work
    page = (site / "region" / "DE-11001" / "index.html").read_text("utf-8")
    assert "Historic region." in page and "region/DE-11000/index.html" in page
    germany = (site / "germany" / "index.html").read_text("utf-8")
    tables, _, historic = germany.partition("<h2>Historic regions</h2>")
    assert "DE-11001" not in tables and "DE-11001" in historic
    berlin = (site / "region" / "DE-11000" / "index.html").read_text("utf-8")
    assert "Historic regions it covers" in berlin


def test_a_plain_site_folder_of_epicurves_0_1_is_replaced_by_the_link(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    old = site.parent / "old-site"
    old.mkdir()
    (old / MARKER).write_text(
        "built by epicurves; `epicurves build` replaces this folder\n"
    )
    (old / "index.html").write_text("old")
    build_site(settings, old, now=NOW)
    assert old.is_symlink() and (old / "region" / "DE" / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_every_executor_builds_the_same_bytes(
    work: tuple[Settings, Path], engine: str
) -> None:
    settings, site = work
    if engine == "dask":
        pytest.importorskip(
            "distributed", reason="Dask is the optional extra epicurves[dask]"
        )
        from epicurves.executor import DaskExecutor

        executor: epicurves.executor.Executor = DaskExecutor("local", workers=2)
    else:
        executor = ProcessExecutor(2, preload=["epicurves.site.render"])
    try:
        report = build_site(
            settings, site.parent / engine, full=True, executor=executor, now=NOW
        )
    finally:
        executor.close()
    assert report.executor == engine
    same_bytes(site, site.parent / engine)


def test_inline_is_used_for_little_work() -> None:
    from epicurves.executor import MIN_ITEMS_FOR_POOL, InlineExecutor, make_executor

    assert isinstance(make_executor(MIN_ITEMS_FOR_POOL - 1, workers=2), InlineExecutor)
    assert isinstance(make_executor(10_000, workers=1), InlineExecutor)
    pool = make_executor(MIN_ITEMS_FOR_POOL, workers=2)
    try:
        assert pool.name == "processes" and pool.workers == 2
    finally:
        pool.close()
    assert os.cpu_count()


@pytest.mark.slow
def test_a_store_made_anew_is_not_mistaken_for_the_one_the_site_shows(
    work: tuple[Settings, Path],
) -> None:
    """Generations restart at 1 in a new store: the build must not take the site as up to
    date because the numbers match."""
    settings, site = work
    shutil.rmtree(settings.store_dir)
    add_district_day(settings.mirror)  # type: ignore[arg-type]
    report = epicurves.update(settings, SOURCES)
    assert report.generation == 1  # the same number the site was built from
    built = build_site(settings, site, changes=report.changes, now=NOW)
    assert not built.full and built.reason == "1 region changed (data 1)"
    build_site(settings, site.parent / "full", full=True, now=NOW)
    same_bytes(site, site.parent / "full")


def test_a_region_left_without_observations_loses_its_files(
    work: tuple[Settings, Path],
) -> None:
    """A source may list a region it has no rows for: its files go, as in a full build."""
    from epicurves.store import SourceMeta

    settings, site = work
    store = epicurves.Store(settings.store_dir)
    obs = store.load_observations(["germany"])
    regions = store.load_regions(["germany"])
    kept = obs[obs["region_id"] != "DE-01002"]  # Kiel, only in the germany table
    meta = store.meta()["germany"]
    store.write(SourceMeta(**{**meta.__dict__, "changed_at": ""}), kept, regions)
    build_site(settings, site, now=NOW)
    files = tree(site)
    assert "region/DE-01002/index.html" not in files
    assert "data/DE-01002.csv" not in files
    for path, (_, data) in files.items():  # no page links to it any more
        assert b"DE-01002/" not in data and b"data/DE-01002" not in data, path
    build_site(settings, site.parent / "full", full=True, now=NOW)
    same_bytes(site, site.parent / "full")


@pytest.mark.slow
def test_without_symbolic_links_the_site_is_a_plain_folder_swapped_by_renames(
    work: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where links cannot be made (Windows without the privilege), builds still work, and
    incrementally."""
    settings, _ = work

    def refused(*args: object, **kwargs: object) -> None:
        msg = "symbolic links are not allowed here"
        raise OSError(msg)

    monkeypatch.setattr(os, "symlink", refused)
    plain = settings.home.parent / "plain"
    build_site(settings, plain, now=NOW)
    assert plain.is_dir() and not plain.is_symlink()
    before = tree(plain)
    add_district_day(settings.mirror)  # type: ignore[arg-type]
    epicurves.update(settings, SOURCES)
    report = build_site(settings, plain, now=NOW)
    assert not report.full and report.reason == "1 region changed (data 1)"
    assert "region/DE-09175/index.html" in rewritten(before, tree(plain))
    build_site(settings, settings.home.parent / "full", full=True, now=NOW)
    same_bytes(plain, settings.home.parent / "full")


def test_a_state_s_new_case_day_keeps_its_signal_script(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    before = tree(site)
    assert "data/DE-HH.sig.js" in before
    path = settings.mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv"  # type: ignore[operator]
    with path.open("a", encoding="utf-8") as out:
        out.write("2021-03-13,02,00+,1892122,22000,1000,7000,370\n")
    report = epicurves.update(settings, SOURCES)
    assert dict(report.changes.regions) == {"DE-HH": frozenset({"data"})}
    build_site(settings, site, changes=report.changes, now=NOW)
    after = tree(site)
    changed = rewritten(before, after)
    assert "region/DE-HH/index.html" in changed and "data/DE-HH.js" in changed
    assert "data/DE-HH.sig.js" not in changed  # its signals did not change: linked
    assert "Surveillance signals" in after["region/DE-HH/index.html"][1].decode()


def test_a_revised_week_of_signals_rewrites_the_region_s_signal_script(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    before = tree(site)
    path = settings.mirror / "rki" / "COVID-19-Todesfaelle_Bundeslaender.csv"  # type: ignore[operator]
    text = path.read_text("utf-8")
    assert "2021-W10,Hamburg,02,30,1372" in text
    path.write_text(
        text.replace("2021-W10,Hamburg,02,30,1372", "2021-W10,Hamburg,02,31,1373")
    )
    report = epicurves.update(settings, SOURCES)
    assert dict(report.changes.regions) == {"DE-HH": frozenset({"signals"})}
    build_site(settings, site, changes=report.changes, now=NOW)
    after = tree(site)
    changed = rewritten(before, after) - TIMED
    # only the signal script: the page (same charts, dates and texts) and the case data
    # scripts come out byte for byte the same and stay linked
    assert changed == {"data/DE-HH.sig.js"}, changed
    _, series = decode_signals(after["data/DE-HH.sig.js"][1].decode())
    (deaths,) = [x for x in series if x["signal"] == "deaths-weekly"]
    assert deaths["values"][deaths["dates"].index("2021-03-08")] == 31


def add_covid_release(mirror: Path) -> None:
    """cdc-covid's file gains the release of 2021-03-17: the release of 03-10 again, plus the
    week ending 2021-03-13 of the US and California (admissions), and California's 02-27
    revised. New York's and Puerto Rico's values stay as they were."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = mirror / "cdc-covid" / "time-series.parquet"
    table = pq.read_table(path)
    last = table.filter(pc.equal(table["as_of"], pc.max(table["as_of"]))).to_pylist()
    new = [dict(row, as_of=datetime(2021, 3, 17).date()) for row in last]
    for row in new:
        revised = (row["location"], str(row["target_end_date"])) == ("06", "2021-02-27")
        if revised and row["target"].endswith("hosp"):
            row["observation"] += 5
    for location, value in (("06", 640.0), ("US", 1050.0)):
        new.append({
            "target_end_date": datetime(2021, 3, 13).date(), "observation": value,
            "location": location, "as_of": datetime(2021, 3, 17).date(),
            "target": "wk inc covid hosp",
        })  # fmt: skip
    pq.write_table(
        pa.concat_tables([table, pa.Table.from_pylist(new, schema=table.schema)]), path
    )


@pytest.mark.slow
def test_a_new_release_is_stored_alone_and_rewrites_the_pages_it_changes(
    work: tuple[Settings, Path],
) -> None:
    settings, site = work
    before = tree(site)
    add_covid_release(settings.mirror)  # type: ignore[arg-type]
    report = epicurves.update(settings, SOURCES)
    assert [s.source for s in report.sources if s.status == "updated"] == ["cdc-covid"]
    assert dict(report.changes.regions) == {
        "US": frozenset({"signals"}), "US-CA": frozenset({"signals"}),
    }  # fmt: skip
    store = epicurves.Store(settings.store_dir)
    entry = store.manifest()["sources"]["cdc-covid"]
    newest = pd.read_parquet(settings.store_dir / entry["releases"][-1])
    assert len(entry["releases"]) == 2
    assert set(newest["release"].dt.strftime("%Y-%m-%d")) == {"2021-03-17"}
    assert set(newest["region_id"]) == {"US", "US-CA"}

    built = build_site(settings, site, changes=report.changes, now=NOW)

    assert not built.full and built.reason == "2 regions changed (signals 2)"
    changed = rewritten(before, tree(site))
    assert {"region/US-CA/index.html", "data/US-CA.sig.js", "data/US.sig.js"} <= changed
    assert not {p for p in changed if "US-NY" in p or "US-PR" in p}
    assert not {p for p in changed if p.startswith(("region/DE", "data/DE"))}

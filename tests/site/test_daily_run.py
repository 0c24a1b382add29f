"""The daily run on the fixture mirror around the build: the published site a link to its
generation (or a plain folder where links cannot be made), the no-change run, failed builds, the
run lock, quiet output, what the home page and status say, and the same bytes from the same
store and from every executor."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

import epicurves
from epicurves import BuildError, Settings
from epicurves.cli import cli
from epicurves.executor import ProcessExecutor
from epicurves.site.build import build_site
from epicurves.site.publish import MARKER
from site_checks import (
    NOW,
    SOURCES,
    TIMED,
    add_district_day,
    rewritten,
    same_bytes,
    tree,
)


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


def test_run_starts_the_pool_only_for_a_build_that_will_use_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the update parses, ``run`` starts the pool's fork server once the sources with
    new files held as many regions as a pool is started for: not for a day of the national
    file alone (a build of one page, inline), at once for a source new to the store or
    ``--full``, and only once."""
    from epicurves.cli import site as site_cli

    epicurves.update(settings, ["rki", "rki-districts", "jhu"])
    held = {
        name: m.regions
        for name, m in epicurves.Store(settings.store_dir).meta().items()
    }
    assert held == {"rki": 1, "rki-districts": 6, "jhu": 11}
    started: list[str] = []
    monkeypatch.setattr(
        "epicurves.executor.warm_up", lambda preload: started.append("pool")
    )
    monkeypatch.setattr("epicurves.site.assets.prewarm", lambda cache: False)
    monkeypatch.setattr("epicurves.executor.MIN_ITEMS_FOR_POOL", 7)

    warm = site_cli._WarmUp(True, settings)
    warm("rki")
    assert started == []  # 1 region
    warm("rki-districts")
    assert started == ["pool"]  # 1 + 6
    warm("jhu")
    assert started == ["pool"]  # started once
    site_cli._WarmUp(True, settings)("rki-districts")
    assert started == ["pool"]  # 6 alone
    site_cli._WarmUp(True, settings)("nyt")  # new to the store
    site_cli._WarmUp(True, settings, full=True)("rki")
    # no pool (a Dask scheduler, one core): never
    site_cli._WarmUp(False, settings, full=True)("jhu")
    assert started == ["pool"] * 3


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

"""Incremental builds on the fixture mirror: what a new day, a removed region, other settings,
a new threshold or revised signals rewrite, and that the result equals a full build of the same
store; an update parses unchanged files again when the parsing code changed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import epicurves
from conftest import DISTRICT_DAY_FILES
from epicurves import Settings
from epicurves.site import payload, render
from epicurves.site.build import build_site
from epicurves.site.collections import THRESHOLD_PAGES
from epicurves.site.publish import SiteFolder
from epicurves.site.signals import decode_signals
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
    work: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, site = work
    before = tree(site)
    cases: list[str] = []  # the regions whose cases the build reads
    real = render._case_files

    def recording(job: render.ChunkJob, regions: tuple[render.RegionJob, ...]) -> Any:
        cases.extend(r.region_id for r in regions)
        return real(job, regions)

    monkeypatch.setattr(render, "_case_files", recording)
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

    # New York's and Puerto Rico's signals did not change, but the newest week of CDC's
    # admissions moved: their pages count their provisional weeks from it again
    assert not built.full and built.reason == (
        "2 regions changed (signals 2); provisional weeks of 2 regions"
    )
    after = tree(site)
    changed = rewritten(before, after)
    assert {"region/US-CA/index.html", "data/US-CA.sig.js", "data/US.sig.js"} <= changed
    assert {"region/US-NY/index.html", "region/US-PR/index.html"} <= changed
    assert not {p for p in changed if p.startswith(("data/US-NY", "data/US-PR"))}
    assert not {p for p in changed if p.startswith(("region/DE", "data/DE"))}
    # the four pages: the published ones with their signal parts rendered again, their cases
    # not read; the same bytes as a full build's (New York's marks two weeks provisional now)
    assert not {"US", "US-CA", "US-NY", "US-PR"} & set(cases), cases
    assert (
        "provisional: the newest 2 weeks"
        in after["region/US-NY/index.html"][1].decode()
    )
    build_site(settings, site.parent / "full", full=True, now=NOW)
    same_bytes(site, site.parent / "full")

"""A source with releases through `update` and `load_signals(as_of=...)`: the fixture of
cdc-covid (three releases), a new release stored alone, a re-published release refused (and
forced), a release gone upstream kept, reading as of any date."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import epicurves
from epicurves.cli import cli
from epicurves.config import Settings
from epicurves.pipeline import update
from epicurves.store import Store

SOURCE = "cdc-covid"
FILE = Path("cdc-covid") / "time-series.parquet"


def _rewrite(mirror: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite the fixture's Parquet file through ``change`` (an Arrow table -> table)."""
    path = mirror / FILE
    pq.write_table(change(pq.read_table(path)), path)


def _without_release(day: str):  # type: ignore[no-untyped-def]
    stamp = pd.Timestamp(day).date()
    return lambda table: table.filter(pc.not_equal(table["as_of"], stamp))


def _update(settings: Settings, force: bool = False):  # type: ignore[no-untyped-def]
    report = update(settings, [SOURCE, "cdc-flu", "nyt"], force=force)
    return {s.source: s for s in report.sources}


def _manifest(settings: Settings) -> dict:
    return json.loads((settings.store_dir / "manifest.json").read_text("utf-8"))


def _history_rows(settings: Settings, name: str) -> pd.DataFrame:
    return pd.read_parquet(settings.store_dir / name)


def test_a_new_release_is_stored_alone_and_every_release_reads_back(
    settings: Settings, mirror: Path
) -> None:
    full = pq.read_table(mirror / FILE).to_pandas()
    _rewrite(mirror, _without_release("2021-03-10"))
    assert _update(settings)[SOURCE].status == "updated"
    first = _manifest(settings)["sources"][SOURCE]["releases"]
    assert len(first) == 1
    pq.write_table(
        pq.read_table(Path(__file__).parents[1] / "data" / FILE), mirror / FILE
    )
    assert _update(settings)[SOURCE].status == "updated"
    entry = _manifest(settings)["sources"][SOURCE]
    assert entry["releases"][0] == first[0] and len(entry["releases"]) == 2
    new = _history_rows(settings, entry["releases"][1])
    assert set(new["release"].dt.strftime("%Y-%m-%d")) == {"2021-03-10"}
    # the first file is kept by the garbage collection (it is still listed)
    Store(settings.store_dir).collect_garbage()
    assert (settings.store_dir / first[0]).exists()
    meta = Store(settings.store_dir).meta()[SOURCE]
    assert meta.releases == ["2021-02-24", "2021-03-03", "2021-03-10"]
    for release in meta.releases:
        got = epicurves.load_signals(
            ["US-CA", "US-NY", "US-PR", "US"], ["admissions"], settings=settings,
            as_of=release,
        )  # fmt: skip
        got = got.loc[got["source"] == SOURCE]
        want = full.loc[
            (full["as_of"].astype(str) == release)
            & (full["target"] == "wk inc covid hosp")
        ]
        assert len(got) == len(want)
        assert sorted(got["value"]) == sorted(want["observation"])
        assert set(got["release"].dt.strftime("%Y-%m-%d")) == {release}


def test_as_of_a_day_between_releases_reads_the_one_before(settings: Settings) -> None:
    _update(settings)
    between = epicurves.load_signals(
        ["US-CA"], ["admissions"], settings=settings, as_of="2021-03-09"
    )
    covid = between.loc[between["source"] == SOURCE]
    assert set(covid["release"].dt.strftime("%Y-%m-%d")) == {"2021-03-03"}
    # the revised value of that release, and the vintage known then
    assert covid.loc[covid["date"] == "2021-02-20", "value"].tolist() == [812.0]
    assert set(covid["vintage"]) == {"2021-02-27"}
    # a source without releases is cut at the date, its release empty
    flu = between.loc[between["source"] == "cdc-flu"]
    assert flu["release"].isna().all() and (flu["date"] <= "2021-03-09").all()
    latest = epicurves.load_signals(["US-CA"], ["admissions"], settings=settings)
    assert set(latest.loc[latest["source"] == SOURCE, "release"].astype(str)) == {
        "2021-03-10"
    }
    with pytest.raises(epicurves.UsageError, match="its first release is 2021-02-24"):
        epicurves.load_signals(["US-CA"], settings=settings, as_of="2021-02-23")
    with pytest.raises(epicurves.UsageError, match="expected a date"):
        epicurves.load_signals(["US-CA"], settings=settings, as_of="soon")


def test_a_release_published_again_with_other_values_is_refused_then_forced(
    settings: Settings, mirror: Path
) -> None:
    _update(settings)
    before = _manifest(settings)
    signals_before = epicurves.load_signals(settings=settings)

    def revise(table):  # type: ignore[no-untyped-def]
        frame = table.to_pandas()
        row = (
            (frame["as_of"].astype(str) == "2021-02-24")
            & (frame["location"] == "36")
            & (frame["target"] == "wk inc covid hosp")
        )
        frame.loc[row, "observation"] = 501.0
        return type(table).from_pandas(frame, schema=table.schema)

    _rewrite(mirror, revise)
    refused = _update(settings)[SOURCE]
    assert refused.status == "failed"
    assert "\n" not in refused.message
    assert "release 2021-02-24 was published again with other values" in refused.message
    assert "US-NY" in refused.message and "stored 500, now 501" in refused.message
    assert "time-series.parquet" in refused.message and "--force" in refused.message
    assert _manifest(settings)["sources"][SOURCE] == before["sources"][SOURCE]
    pd.testing.assert_frame_equal(
        epicurves.load_signals(settings=settings), signals_before
    )

    forced = _update(settings, force=True)[SOURCE]
    assert forced.status == "updated"
    meta = Store(settings.store_dir).meta()[SOURCE]
    assert [r["release"] for r in meta.replaced] == ["2021-02-24"]
    assert "US-NY" in meta.replaced[0]["difference"]
    old = epicurves.load_signals(
        ["US-NY"], ["admissions"], settings=settings, as_of="2021-02-24"
    )
    assert old.loc[old["source"] == SOURCE, "value"].tolist() == [501.0]


def test_a_release_gone_from_the_file_is_kept(settings: Settings, mirror: Path) -> None:
    _update(settings)
    _rewrite(mirror, _without_release("2021-03-03"))
    report = _update(settings)[SOURCE]
    assert report.status == "updated"
    assert any("no longer in the file, kept" in n for n in report.notes)
    meta = Store(settings.store_dir).meta()[SOURCE]
    assert meta.releases == ["2021-02-24", "2021-03-03", "2021-03-10"]
    kept = epicurves.load_signals(
        ["US-CA"], ["admissions"], settings=settings, as_of="2021-03-03"
    )
    kept = kept.loc[kept["source"] == SOURCE]
    assert kept.loc[kept["date"] == "2021-02-20", "value"].tolist() == [812.0]


def test_the_signals_command_reads_as_of_a_date(settings: Settings) -> None:
    _update(settings)
    result = CliRunner().invoke(
        cli,
        [
            "signals",
            "--region",
            "US-CA",
            "--signal",
            "admissions",
            "--as-of",
            "2021-03-03",
        ],
        env={"EPICURVES_HOME": str(settings.home)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(",source,vintage,release")
    covid = [line for line in lines[1:] if ",cdc-covid," in line]
    assert covid and all(line.endswith(",2021-03-03") for line in covid)
    bad = CliRunner().invoke(
        cli, ["signals", "--as-of", "2021-02-01"],
        env={"EPICURVES_HOME": str(settings.home)},
    )  # fmt: skip
    assert bad.exit_code != 0
    assert "cdc-covid has no release on or before 2021-02-01" in bad.output


def _add_release(mirror: Path, day: str, revise_ca: float = 0.0) -> None:
    """A new release ``day``: the newest one again, California's first week revised by
    ``revise_ca`` admissions."""
    import datetime as dt

    import pyarrow as pa

    table = pq.read_table(mirror / FILE)
    newest = table.filter(pc.equal(table["as_of"], pc.max(table["as_of"]))).to_pylist()
    rows = [dict(r, as_of=dt.date.fromisoformat(day)) for r in newest]
    for row in rows:
        first = (row["location"], str(row["target_end_date"])) == ("06", "2021-02-20")
        if first and row["target"].endswith("hosp"):
            row["observation"] += revise_ca
    pq.write_table(
        pa.concat_tables([table, pa.Table.from_pylist(rows, schema=table.schema)]),
        mirror / FILE,
    )


def test_a_new_population_table_is_not_a_release_published_again(
    settings: Settings, mirror: Path
) -> None:
    _update(settings)
    # FluSight revises California's population, and a new release comes out the same week
    path = mirror / "cdc-flu" / "locations.csv"
    text = path.read_text("utf-8")
    path.write_text(text.replace(",39431263,", ",38431263,"), "utf-8", newline="")
    assert path.read_text("utf-8") != text
    _add_release(mirror, "2021-03-17")
    report = _update(settings)[SOURCE]
    assert report.status == "updated", report.message
    assert any("derived values (admissions-rate)" in n for n in report.notes)
    meta = Store(settings.store_dir).meta()[SOURCE]
    assert meta.replaced == [] and meta.releases[-1] == "2021-03-17"
    # the rates of every release follow the new table: admissions / population
    for release in meta.releases:
        got = epicurves.load_signals(["US-CA"], settings=settings, as_of=release)
        got = got[got["source"] == SOURCE].set_index(["signal", "date"])["value"]
        ratio = got["admissions-rate"] / got["admissions"]
        assert ratio.nunique() == 1, release


def test_a_release_older_than_the_newest_stored_one_is_added(
    settings: Settings, mirror: Path
) -> None:
    full = pq.read_table(mirror / FILE)
    _rewrite(mirror, _without_release("2021-03-03"))
    _update(settings)
    pq.write_table(full, mirror / FILE)
    report = _update(settings)[SOURCE]
    assert report.status == "updated"
    assert any("not stored before, added (2021-03-03)" in n for n in report.notes)
    meta = Store(settings.store_dir).meta()[SOURCE]
    assert meta.releases == ["2021-02-24", "2021-03-03", "2021-03-10"]
    then = epicurves.load_signals(
        ["US-CA"], ["admissions"], settings=settings, as_of="2021-03-03"
    )
    then = then[then["source"] == SOURCE]
    assert then.sort_values("date")["value"].tolist() == [812.0, 700.0]


def test_a_forced_update_records_every_release_it_replaces(
    settings: Settings, mirror: Path
) -> None:
    _update(settings)

    def revise(table):  # type: ignore[no-untyped-def]
        frame = table.to_pandas()
        for release, location in (("2021-02-24", "36"), ("2021-03-10", "06")):
            row = (
                (frame["as_of"].astype(str) == release)
                & (frame["location"] == location)
                & (frame["target"] == "wk inc covid hosp")
                & (frame["target_end_date"].astype(str) == "2021-02-20")
            )
            frame.loc[row, "observation"] += 1
        return type(table).from_pandas(frame, schema=table.schema)

    _rewrite(mirror, revise)
    assert _update(settings)[SOURCE].status == "failed"
    assert _update(settings, force=True)[SOURCE].status == "updated"
    replaced = Store(settings.store_dir).meta()[SOURCE].replaced
    # 2021-03-03 restated New York's old value: its view is the stored one, not replaced
    assert [r["release"] for r in replaced] == ["2021-02-24", "2021-03-10"]
    assert "US-NY" in replaced[0]["difference"] and "US-CA" in replaced[1]["difference"]


def test_the_release_column_is_the_release_read_whatever_the_selection(
    settings: Settings, mirror: Path
) -> None:
    # a release that changed admissions only: the ED shares' rows date from the one before
    _update(settings)
    _add_release(mirror, "2021-03-17", revise_ca=3)
    _update(settings)
    for signals in (["ed-share"], ["admissions", "ed-share"]):
        got = epicurves.load_signals(
            ["US-CA"], signals, settings=settings, as_of="2021-03-17"
        )
        got = got[got["source"] == SOURCE]
        assert set(got["release"].astype(str)) == {"2021-03-17"}, signals


@pytest.mark.parametrize(
    "as_of", ["01/22/2025", "2025-1-22", "today", "2025-02-30", 20250122, ""]
)
def test_as_of_is_a_date_or_one_line_error(settings: Settings, as_of: object) -> None:
    _update(settings)
    with pytest.raises(epicurves.UsageError, match="expected a date, YYYY-MM-DD"):
        epicurves.load_signals(settings=settings, as_of=as_of)  # type: ignore[arg-type]


def test_as_of_takes_dates_and_datetimes(settings: Settings) -> None:
    import datetime as dt

    _update(settings)
    for day in (dt.date(2021, 3, 9), dt.datetime(2021, 3, 9, 23, tzinfo=dt.UTC)):
        got = epicurves.load_signals(["US-CA"], settings=settings, as_of=day)
        covid = got[got["source"] == SOURCE]
        assert set(covid["release"].astype(str)) == {"2021-03-03"}

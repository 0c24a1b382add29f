"""The Parquet store and the update around it: round trips, atomic writes, garbage, the lock, skipping."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from filelock import FileLock

import epicurves
from epicurves import LockError, Settings, StoreError
from epicurves.model import OBSERVATION_COLUMNS, REGION_COLUMNS, add_daily
from epicurves.store import SourceMeta, Store

# -- tiny tables -------------------------------------------------------------------------------


def observations(
    source: str = "s", regions: tuple[str, ...] = ("A", "B"), days: int = 4
) -> pd.DataFrame:
    """Cumulative counts of ``days`` days from 2020-03-01; region B has no deaths on day one."""
    dates = pd.date_range("2020-03-01", periods=days, freq="D")
    rows = []
    for k, region in enumerate(regions):
        for i, day in enumerate(dates):
            deaths = pd.NA if (region == "B" and i == 0) else i
            rows.append(
                {
                    "source": source,
                    "region_id": region,
                    "date": day,
                    "cases": 10 * (k + 1) + i,
                    "deaths": deaths,
                }
            )
    frame = pd.DataFrame(rows)
    frame["deaths"] = frame["deaths"].astype("Int64")
    return add_daily(frame)


def regions_of(
    source: str = "s", regions: tuple[str, ...] = ("A", "B")
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "region_id": list(regions),
            "name": [f"Region {r}" for r in regions],
            "kind": "country",
            "parent": pd.NA,
            "population": [
                1000 * (i + 1) if i % 2 == 0 else pd.NA for i in range(len(regions))
            ],
            "source": source,
        }
    )
    return frame.astype(REGION_COLUMNS)


def meta_for(
    obs: pd.DataFrame, regions: pd.DataFrame, source: str = "s", sha: str = "0"
) -> SourceMeta:
    return SourceMeta(
        source=source,
        files={
            "f.csv": {
                "url": "https://example.org/f.csv",
                "sha256": sha * 64,
                "retrieved_at": "2024-01-01T00:00:00+00:00",
            }
        },
        updated_at="2024-01-01T00:00:00+00:00",
        first_date=str(obs["date"].min().date()),
        vintage=str(obs["date"].max().date()),
        rows=len(obs),
        regions=len(regions),
        notes=["a note"],
    )


def write(
    store: Store,
    source: str = "s",
    regions: tuple[str, ...] = ("A", "B"),
    days: int = 4,
    sha: str = "0",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    obs, reg = observations(source, regions, days), regions_of(source, regions)
    store.write(meta_for(obs, reg, source, sha), obs, reg)
    return obs, reg


def listing(root: Path) -> dict[str, bytes]:
    """Every file of the store with its bytes; readers' pins are not data and are left out."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parent.name != "pins"
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


# -- reading back ------------------------------------------------------------------------------


def test_round_trip_keeps_values_and_dtypes(store: Store) -> None:
    obs, reg = write(store)

    back = store.load_observations()
    assert {c: str(t) for c, t in back.dtypes.items()} == {
        c: str(pd.Series(dtype=t).dtype) for c, t in OBSERVATION_COLUMNS.items()
    }
    assert str(back["date"].dtype) == "datetime64[s]"
    assert back["deaths"].isna().sum() == 1  # <NA> stays missing, not 0
    pd.testing.assert_frame_equal(back, obs)
    pd.testing.assert_frame_equal(store.load_regions(), reg)
    assert store.load_regions()["population"].isna().tolist() == [False, True]


def test_meta_round_trip(store: Store) -> None:
    obs, reg = write(store)
    meta = store.meta()["s"]
    expected = meta_for(obs, reg)
    assert meta == dataclasses.replace(expected, changed_at=expected.updated_at)
    assert store.manifest()["sources"]["s"]["meta"]["content_hash"] == meta.content_hash
    assert store.sources() == ["s"]


def test_filters(store: Store) -> None:
    obs, _ = write(store, days=5)
    write(store, source="t", regions=("A", "C"), days=3)

    only_a = store.load_observations(regions=["A"])
    assert set(only_a["region_id"]) == {"A"}
    assert set(only_a["source"]) == {"s", "t"}
    window = store.load_observations(
        ["s"], start="2020-03-02", end=pd.Timestamp("2020-03-04")
    )
    assert window["date"].min() == pd.Timestamp("2020-03-02")
    assert window["date"].max() == pd.Timestamp("2020-03-04")
    assert len(window) == 2 * 3
    both = store.load_observations(["s"], regions=["B"], start="2020-03-04")
    expected = obs[
        (obs["region_id"] == "B") & (obs["date"] >= "2020-03-04")
    ].reset_index(drop=True)
    pd.testing.assert_frame_equal(both, expected)
    assert store.load_observations(regions=["nowhere"]).empty
    assert list(
        store.load_observations(regions=["nowhere"]).dtypes.astype(str)
    ) == list(store.load_observations().dtypes.astype(str))


def test_empty_store_reads_as_empty_tables(store: Store) -> None:
    assert store.sources() == []
    assert store.load_observations().empty
    assert list(store.load_observations().columns) == list(OBSERVATION_COLUMNS)
    assert list(store.load_regions().columns) == list(REGION_COLUMNS)


# -- writing atomically ------------------------------------------------------------------------


def test_failed_write_leaves_the_old_data_and_manifest(store: Store) -> None:
    obs, reg = write(store)
    before = listing(store.root)
    new_obs, new_reg = observations(days=6), regions_of()
    # pyarrow cannot store a Python object in an integer column
    new_reg["population"] = pd.Series([object(), 5], dtype=object)

    with pytest.raises(pa.ArrowException):
        store.write(meta_for(new_obs, new_reg, sha="1"), new_obs, new_reg)

    # no new parquet, no temporary manifest, the same manifest
    assert listing(store.root) == before
    pd.testing.assert_frame_equal(store.load_observations(), obs)
    pd.testing.assert_frame_equal(store.load_regions(), reg)


def test_a_new_version_replaces_the_old_files(store: Store) -> None:
    write(store)
    old = sorted(p.name for p in store.root.glob("*.parquet"))
    obs, _ = write(store, days=6, sha="1")

    new = sorted(p.name for p in store.root.glob("*.parquet"))
    assert len(new) == 2
    assert not set(old) & set(new)
    assert (
        sorted(store.manifest()["sources"]["s"][t] for t in ("observations", "regions"))
        == new
    )
    pd.testing.assert_frame_equal(store.load_observations(), obs)
    assert sorted(listing(store.root)) == sorted(
        [*new, "manifest.json", "generations/2.json"]
    )


def test_garbage_collection_removes_only_unreferenced_tables(store: Store) -> None:
    write(store)
    write(store, source="t", regions=("C",))
    kept = sorted(p.name for p in store.root.glob("*.parquet"))
    stray = store.root / "s-0123456789ab.observations.parquet"
    stray.write_bytes(b"left over by a crash")
    other = store.root / "notes.txt"
    other.write_text("not ours")

    store.collect_garbage()

    assert sorted(p.name for p in store.root.glob("*.parquet")) == kept
    assert other.exists()


def test_remove_forgets_a_source(store: Store) -> None:
    write(store)
    obs_t, _ = write(store, source="t", regions=("C",))
    store.remove("s")
    assert store.sources() == ["t"]
    assert len(list(store.root.glob("*.parquet"))) == 2
    pd.testing.assert_frame_equal(store.load_observations(), obs_t)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b'{"format": 1, "sources": {', id="truncated"),
        pytest.param(b'{"format": 99, "sources": {}}', id="other-format"),
        pytest.param(
            b"\xff\xfe{}",
            id="not-utf8",
        ),
        pytest.param(
            b"[]",
            id="not-an-object",
        ),
    ],
)
def test_unreadable_manifest_is_a_store_error(store: Store, content: bytes) -> None:
    write(store)
    (store.root / "manifest.json").write_bytes(content)
    with pytest.raises(StoreError, match=r"manifest\.json|format") as caught:
        store.load_observations()
    assert "\n" not in str(caught.value)
    with pytest.raises(StoreError):
        store.meta()


def test_missing_table_file_is_a_store_error(store: Store) -> None:
    write(store)
    next(store.root.glob("*.observations.parquet")).unlink()
    with pytest.raises(StoreError, match="is missing"):
        store.load_observations()


def test_unreadable_store_through_the_catalog(settings: Settings) -> None:
    epicurves.update(settings, ["nyt"])
    (settings.store_dir / "manifest.json").write_text("{oops", "utf-8")
    with pytest.raises(StoreError, match="unreadable"):
        epicurves.load_observations(settings=settings)
    # The whole update stops: no source can be stored beside a manifest nobody can read.
    with pytest.raises(StoreError, match="unreadable"):
        epicurves.update(settings, ["nyt"], force=True)


# -- the update lock ---------------------------------------------------------------------------


def test_update_waits_for_the_lock_and_gives_up(settings: Settings, home: Path) -> None:
    home.mkdir(parents=True)
    steps: list[tuple[str, str]] = []
    with FileLock(str(home / "update.lock")), pytest.raises(LockError) as caught:
        epicurves.update(
            settings,
            ["nyt"],
            lock_timeout=0.2,
            progress=lambda s, p: steps.append((s, p)),
        )
    assert isinstance(caught.value, StoreError)
    assert "update.lock" in str(caught.value)
    assert steps == [("", "waiting for another epicurves update to finish")]
    assert not settings.store_dir.exists() or not list(settings.store_dir.iterdir())

    report = epicurves.update(settings, ["nyt"], lock_timeout=0.2)
    assert [s.status for s in report.sources] == ["updated"]


def test_concurrent_update_proceeds_when_the_lock_is_released(
    settings: Settings, home: Path
) -> None:
    home.mkdir(parents=True)
    holder = FileLock(str(home / "update.lock"))
    holder.acquire()
    waiting = threading.Event()
    result: list[object] = []

    def progress(source: str, step: str) -> None:
        if not source and step.startswith("waiting"):
            waiting.set()

    def run() -> None:
        try:
            result.append(
                epicurves.update(settings, ["nyt"], lock_timeout=60, progress=progress)
            )
        except BaseException as exc:  # pragma: no cover - reported below
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert waiting.wait(timeout=30), "the update did not wait for the lock"
        # nothing happened while the lock was held
        assert not settings.store_dir.exists()
    finally:
        holder.release()
        thread.join(timeout=60)
    (report,) = result
    assert isinstance(report, epicurves.UpdateReport), report
    assert [s.status for s in report.sources] == ["updated"]


# -- unchanged, forced, skipped ----------------------------------------------------------------


def _steps() -> tuple[list[str], epicurves.pipeline.Progress]:
    seen: list[str] = []
    return seen, lambda source, step: seen.append(f"{source} {step}".strip())


def test_unchanged_files_are_not_parsed_again(settings: Settings) -> None:
    first = epicurves.update(settings, ["nyt"])
    assert [s.status for s in first.sources] == ["updated"]
    manifest = (settings.store_dir / "manifest.json").read_bytes()

    seen, progress = _steps()
    again = epicurves.update(settings, ["nyt"], progress=progress)

    (result,) = again.sources
    assert result.status == "unchanged"
    assert (result.rows, result.regions, result.vintage) == (
        first.sources[0].rows,
        first.sources[0].regions,
        first.sources[0].vintage,
    )
    assert "nyt parse" not in seen
    assert again.changed == []
    assert (settings.store_dir / "manifest.json").read_bytes() == manifest


def test_force_parses_and_stores_again(settings: Settings) -> None:
    epicurves.update(settings, ["nyt"])
    before = epicurves.load_observations(all_sources=True, settings=settings)
    old = {p.name for p in settings.store_dir.glob("*.parquet")}

    seen, progress = _steps()
    forced = epicurves.update(settings, ["nyt"], force=True, progress=progress)

    assert [s.status for s in forced.sources] == ["updated"]
    assert forced.changed == ["nyt"]
    assert "nyt parse" in seen and "nyt store" in seen
    new = {p.name for p in settings.store_dir.glob("*.parquet")}
    assert len(new) == 2 and not old & new
    pd.testing.assert_frame_equal(
        epicurves.load_observations(all_sources=True, settings=settings), before
    )


def test_a_changed_file_is_parsed_again(settings: Settings, mirror: Path) -> None:
    epicurves.update(settings, ["nyt"])
    states = next((mirror / "nyt").glob("us-states.csv*"))
    if states.suffix == ".gz":
        pytest.skip("the fixture is gzip-compressed; appending would corrupt it")
    states.write_bytes(states.read_bytes() + b"\n")
    report = epicurves.update(settings, ["nyt"])
    assert [s.status for s in report.sources] == ["updated"]


def test_default_source_absent_from_the_mirror_is_skipped(
    settings: Settings, mirror: Path
) -> None:
    shutil.rmtree(mirror / "nyt")

    report = epicurves.update(settings)

    status = {s.source: s for s in report.sources}
    assert status["nyt"].status == "skipped"
    assert "us-states.csv" in status["nyt"].message
    assert "jhu-us" not in status  # not a default source
    assert report.failed == []
    assert {s for s, r in status.items() if r.status == "updated"} == set(status) - {
        "nyt"
    }
    assert "nyt" not in Store(settings.store_dir).sources()


def test_named_source_absent_from_the_mirror_fails(
    settings: Settings, mirror: Path
) -> None:
    shutil.rmtree(mirror / "nyt")

    report = epicurves.update(settings, ["nyt", "rki"])

    nyt, rki = report.sources
    assert nyt.status == "failed"
    assert nyt.message.startswith("nyt: us-states.csv: not in the mirror")
    assert "\n" not in nyt.message
    assert rki.status == "updated"
    assert report.failed == [nyt]


def test_unknown_source_is_a_usage_error(settings: Settings) -> None:
    with pytest.raises(epicurves.UsageError, match="expected one of jhu"):
        epicurves.update(settings, ["nope"])


def test_an_empty_iterable_of_names_means_the_defaults(
    settings: Settings, mirror: Path
) -> None:
    shutil.rmtree(mirror / "nyt")
    report = epicurves.update(settings, iter([]))
    status = {s.source: s.status for s in report.sources}
    assert status["nyt"] == "skipped"


def test_a_truncated_upstream_file_does_not_replace_good_data(
    settings: Settings, mirror: Path
) -> None:
    """A file cut short (rows lost, an earlier last date) is refused; --force stores it."""
    assert [s.status for s in epicurves.update(settings, ["nyt"]).sources] == [
        "updated"
    ]
    before = epicurves.load_observations(settings=settings, all_sources=True)
    path = mirror / "nyt" / "us-states.csv"
    lines = path.read_text("utf-8").splitlines()
    path.write_text("\n".join(lines[: len(lines) // 3]) + "\n", "utf-8")
    (report,) = epicurves.update(settings, ["nyt"]).sources
    assert report.status == "failed"
    assert (
        "look truncated or rolled back" in report.message
        and "--force" in report.message
    )
    pd.testing.assert_frame_equal(
        epicurves.load_observations(settings=settings, all_sources=True), before
    )
    (forced,) = epicurves.update(settings, ["nyt"], force=True).sources
    assert forced.status == "updated"


# -- generations: one commit per update, pinned readers ---------------------------------------


def test_an_update_commits_one_generation_for_every_changed_source(
    settings: Settings,
) -> None:
    report = epicurves.update(settings, ["jhu", "nyt", "rki"])
    store = Store(settings.store_dir)
    assert report.generation == store.generation() == 1
    assert sorted(store.sources()) == ["jhu", "nyt", "rki"]
    assert list(store.generations()) == [1]
    assert report.changes.base == 0 and "DE" in report.changes.regions
    again = epicurves.update(settings, ["jhu", "nyt", "rki"])
    assert again.generation == 1 and not again.changes  # nothing new: no new generation


def test_a_snapshot_keeps_its_generation_while_updates_commit(store: Store) -> None:
    obs, _ = write(store)
    with store.snapshot() as pinned:
        for days in (5, 6, 7):
            write(store, days=days, sha=str(days))
        assert store.generation() == 4
        # pinned: its files are still there, and it reads exactly what it pinned
        pd.testing.assert_frame_equal(pinned.load_observations(), obs)
        assert sorted(store.generations()) == [1, 4]
    write(
        store, days=8, sha="8"
    )  # the pin is gone: generation 1 goes with the next commit
    assert list(store.generations()) == [5]
    assert len(list(store.root.glob("*.parquet"))) == 2


@pytest.mark.slow
def test_reads_during_concurrent_commits_each_see_one_generation(store: Store) -> None:
    """A writer commits two sources together, over and over, with series of a new length
    each time; readers must never see the sources of two different commits."""
    write(store)
    write(store, source="t", regions=("C",))
    done = threading.Event()
    errors: list[BaseException] = []
    reads: list[int] = []

    def writer() -> None:
        try:
            for k in range(25):
                days = 4 + k % 5
                staged = [
                    store.stage(meta_for(o, r, name, str(k % 10)), o, r)
                    for name, ids in (("s", ("A", "B")), ("t", ("C",)))
                    for o, r in [(observations(name, ids, days), regions_of(name, ids))]
                ]
                store.commit(staged)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                frame = store.load_observations()
                lengths = frame.groupby(["source", "region_id"]).size()
                assert lengths.nunique() == 1, lengths.to_dict()
                reads.append(len(frame))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer),
        *(threading.Thread(target=reader) for _ in range(2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert len(reads) > 5
    assert store.generation() == 27
    # a generation pinned during the last commit stays until the next clean-up
    store.collect_garbage()
    assert list(store.generations()) == [27]


def test_a_store_of_epicurves_0_1_is_read_then_parsed_again(settings: Settings) -> None:
    """Format 1 had no generations and no digests: readable as is; the next update parses
    every source again (for the digests) and writes format 2."""
    import json

    epicurves.update(settings, ["nyt"])
    path = settings.store_dir / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    for entry in manifest["sources"].values():
        del entry["digests"]
    path.write_text(json.dumps({"format": 1, "sources": manifest["sources"]}), "utf-8")
    shutil.rmtree(settings.store_dir / "generations")

    assert not epicurves.load_observations(settings=settings).empty
    (nyt,) = epicurves.update(settings, ["nyt"]).sources
    assert nyt.status == "updated"
    assert json.loads(path.read_text("utf-8"))["format"] == 2


def test_region_digests_follow_the_data_not_the_dtypes() -> None:
    from epicurves.store import region_digests

    obs = observations()
    digests = region_digests(obs)
    assert sorted(digests) == ["A", "B"] and digests["A"] != digests["B"]
    same = obs.astype({"cases": "float64"}).astype({"cases": "Int64"})
    assert region_digests(same) == digests
    revised = obs.copy()
    revised.loc[revised.index[1], "cases"] += 1
    assert region_digests(revised)["A"] != digests["A"]
    assert region_digests(revised)["B"] == digests["B"]


def test_checks_are_recorded_outside_the_generations(settings: Settings) -> None:
    epicurves.update(settings, ["nyt"])
    store = Store(settings.store_dir)
    first = store.checked()["nyt"]
    assert first["status"] == "updated" and first["checked_at"]
    epicurves.update(settings, ["nyt"])
    second = store.checked()["nyt"]
    assert second["status"] == "unchanged"
    assert store.generation() == 1
    shutil.rmtree(settings.mirror / "nyt")  # type: ignore[operator]
    epicurves.update(settings, ["nyt"])
    failed = store.checked()["nyt"]
    assert failed["status"] == "failed" and "not in the mirror" in failed["message"]
    # the last check that reached the source stays
    assert failed["checked_at"] == second["checked_at"]


def test_a_store_whose_pins_cannot_be_written_is_read_without_a_pin(
    store: Store,
) -> None:
    """Users of a shared store (JupyterHub) may not write in it: they read unpinned. Here the
    pins folder cannot be made because a file has its name (what a read-only store does to a
    reader, whoever runs the test)."""
    obs, _ = write(store)
    shutil.rmtree(store.root / "pins", ignore_errors=True)
    (store.root / "pins").write_text("not a folder")
    with store.snapshot() as snapshot:
        assert snapshot.generation == 1
        pd.testing.assert_frame_equal(snapshot.load_observations(), obs)


def test_an_interruption_after_the_commit_keeps_the_committed_generation_whole(
    settings: Settings, mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the change set is worked out, after the manifest was replaced: the new
    generation's files must stay (they are the store's now)."""
    epicurves.update(settings, ["nyt"])
    states = mirror / "nyt" / "us-states.csv"
    states.write_bytes(states.read_bytes() + b"\n")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(epicurves.pipeline, "diff", interrupted)
    with pytest.raises(KeyboardInterrupt):
        epicurves.update(settings, ["nyt"])
    store = Store(settings.store_dir)
    assert store.generation() == 2
    with store.snapshot() as snapshot:
        for table in ("observations", "regions"):
            assert all(p.exists() for p in snapshot.files(table))
        assert not snapshot.load_observations().empty


def test_a_pin_the_update_cannot_open_keeps_its_generation(store: Store) -> None:
    """Another user's pin, or a damaged one: the update commits, and the old generation
    stays (its files too) rather than failing or being removed under a reader."""
    write(store)
    (store.root / "pins").mkdir(exist_ok=True)
    (store.root / "pins" / "1.lock").write_bytes(b"not an SQLite database at all")
    write(store, days=6, sha="1")
    assert store.generation() == 2
    assert sorted(store.generations()) == [1, 2]
    old = json.loads((store.root / "generations" / "1.json").read_text("utf-8"))
    assert (store.root / old["sources"]["s"]["observations"]).exists()

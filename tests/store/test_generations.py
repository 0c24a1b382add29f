"""Generations: one commit per update, snapshots pinned to theirs while updates commit, pins
that cannot be written or opened, format-1 stores, region digests, checks recorded apart."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from epicurves import Settings
from epicurves.store import Store
from store_checks import meta_for, observations, regions_of, write

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

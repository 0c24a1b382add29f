"""The Parquet store's files: round trips, filters, atomic writes, garbage collection, and
unreadable manifests or tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import epicurves
from epicurves import Settings, StoreError
from epicurves.model import OBSERVATION_COLUMNS, REGION_COLUMNS
from epicurves.store import Store
from store_checks import meta_for, observations, regions_of, write


def listing(root: Path) -> dict[str, bytes]:
    """Every file of the store with its bytes; readers' pins are not data and are left out."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parent.name != "pins"
    }


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

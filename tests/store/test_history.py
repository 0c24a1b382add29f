"""Releases kept as what changed (epicurves.releases) and merged in the store (store.history):
every release read back exactly, a re-published release refused, new releases appended alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from epicurves.errors import ValidationError
from epicurves.model import SIGNAL_COLUMNS, SIGNAL_KEY
from epicurves.releases import changes, compare, releases_of, restrict, view
from epicurves.store.history import VALUES, merge_history

KEY = list(SIGNAL_KEY)


def _release_rows(release: str, values: dict[tuple[str, str], float]) -> pd.DataFrame:
    """One whole release: (region, week) -> value."""
    rows = [
        {
            "source": "s",
            "region_id": region,
            "signal": "admissions",
            "pathogen": "SARS-CoV-2",
            "resolution": "week",
            "date": pd.Timestamp(week),
            "value": value,
            "lo": np.nan,
            "hi": np.nan,
            "unit": "per week",
            "age_group": "00+",
            "estimate": "measured",
            "release": pd.Timestamp(release),
        }
        for (region, week), value in values.items()
    ]
    return pd.DataFrame(rows).astype(SIGNAL_COLUMNS)


def _random_releases(seed: int, count: int = 12) -> pd.DataFrame:
    """Whole releases with revisions, values returning to earlier ones, weeks appearing and
    rows disappearing."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-06", periods=count + 4, freq="7D")
    regions = ["US", "US-CA", "US-NY"]
    state: dict[tuple[str, str], float] = {}
    releases = []
    for i in range(count):
        day = weeks[i + 3] + pd.Timedelta(days=4)
        for region in regions:
            if rng.random() < 0.9:
                state[(region, str(weeks[i + 3].date()))] = float(rng.integers(0, 5))
        for cell in list(state):
            roll = rng.random()
            if roll < 0.2:
                state[cell] = float(rng.integers(0, 5))
            elif roll < 0.23:
                del state[cell]
        releases.append(_release_rows(str(day.date()), dict(state)))
    return pd.concat(releases, ignore_index=True)


@pytest.mark.parametrize("seed", range(8))
def test_every_release_is_read_back_exactly(seed):
    whole = _random_releases(seed)
    history = changes(whole, KEY, values=VALUES)
    assert len(history) < len(whole)
    for release in releases_of(whole):
        got = view(history, release, KEY, values=VALUES)
        want = whole.loc[whole["release"] == release].sort_values(
            KEY, ignore_index=True
        )
        pd.testing.assert_frame_equal(got, want)


def test_a_value_back_to_an_earlier_one_and_a_gone_row_are_stored():
    whole = pd.concat(
        [
            _release_rows(
                "2024-02-07", {("US", "2024-02-03"): 1.0, ("US-CA", "2024-02-03"): 5.0}
            ),
            _release_rows("2024-02-14", {("US", "2024-02-03"): 2.0}),
            _release_rows("2024-02-21", {("US", "2024-02-03"): 1.0}),
        ],
        ignore_index=True,
    )
    history = changes(whole, KEY, values=VALUES)
    rows = [
        (r.region_id, f"{r.release:%m-%d}", None if np.isnan(r.value) else r.value)
        for r in history.itertuples()
    ]
    assert rows == [
        ("US", "02-07", 1.0), ("US", "02-14", 2.0), ("US", "02-21", 1.0),
        ("US-CA", "02-07", 5.0), ("US-CA", "02-14", None),
    ]  # fmt: skip


def test_compare_finds_the_first_changed_release_and_ignores_missing_ones():
    whole = _random_releases(3)
    stored = changes(whole, KEY, values=VALUES)
    assert compare(stored, stored, KEY, values=VALUES) is None
    releases = releases_of(whole)
    # a release dropped from the newer file is not a difference
    fewer = changes(whole.loc[whole["release"] != releases[5]], KEY, values=VALUES)
    assert compare(stored, fewer, KEY, values=VALUES) is None
    # a value changed in release 7 is
    edited = whole.copy()
    row = edited.index[edited["release"] == releases[7]][0]
    edited.loc[row, "value"] += 10
    found = compare(stored, changes(edited, KEY, values=VALUES), KEY, values=VALUES)
    assert found is not None and found.release == releases[7]
    assert found.row["region_id"] == edited.loc[row, "region_id"]
    assert found.new[0] == found.stored[0] + 10


def test_restrict_gives_the_views_at_the_chosen_releases():
    whole = _random_releases(5)
    history = changes(whole, KEY, values=VALUES)
    chosen = releases_of(whole)[2::3]
    short = restrict(history, chosen, KEY, values=VALUES)
    for release in chosen:
        pd.testing.assert_frame_equal(
            view(short, release, KEY, values=VALUES),
            view(history, release, KEY, values=VALUES),
        )


def _merge(stored, names, new, **kwargs):
    options = {"source": "s", "files": "f.parquet", "force": False, "same_bytes": False}
    return merge_history(stored, names, new, **(options | kwargs))


def test_a_new_release_is_appended_alone_and_the_stored_files_reused():
    whole = _random_releases(1)
    releases = releases_of(whole)
    stored = changes(whole.loc[whole["release"] < releases[-1]], KEY, values=VALUES)
    merged = _merge(
        stored, ("a.parquet", "b.parquet"), changes(whole, KEY, values=VALUES)
    )
    assert merged.reuse == ("a.parquet", "b.parquet")
    assert set(merged.history["release"]) == {releases[-1]}
    together = pd.concat([stored, merged.history], ignore_index=True)
    for release in releases:
        want = whole.loc[whole["release"] == release].sort_values(
            KEY, ignore_index=True
        )
        pd.testing.assert_frame_equal(view(together, release, KEY, values=VALUES), want)
    latest = whole.loc[whole["release"] == releases[-1]].sort_values(
        KEY, ignore_index=True
    )
    pd.testing.assert_frame_equal(merged.latest, latest)
    assert merged.releases == [f"{r:%Y-%m-%d}" for r in releases]


def test_new_releases_after_a_dropped_newest_one_start_from_the_stored_view():
    whole = _random_releases(2)
    releases = releases_of(whole)
    stored = changes(whole.loc[whole["release"] <= releases[8]], KEY, values=VALUES)
    # the new file lost release 8 (kept) and brings 9 to 11
    new = changes(whole.loc[whole["release"] != releases[8]], KEY, values=VALUES)
    merged = _merge(stored, ("a",), new)
    together = pd.concat([stored, merged.history], ignore_index=True)
    for release in releases:
        want = whole.loc[whole["release"] == release].sort_values(
            KEY, ignore_index=True
        )
        pd.testing.assert_frame_equal(view(together, release, KEY, values=VALUES), want)
    assert any("no longer in the file, kept" in n for n in merged.notes)


def test_a_release_published_again_with_other_values_is_refused_then_forced():
    whole = _random_releases(4)
    releases = releases_of(whole)
    stored = changes(whole, KEY, values=VALUES)
    edited = whole.copy()
    row = edited.index[edited["release"] == releases[6]][-1]
    edited.loc[row, "value"] += 1
    new = changes(edited, KEY, values=VALUES)
    with pytest.raises(ValidationError) as caught:
        _merge(stored, ("a",), new)
    message = str(caught.value)
    assert message.startswith("s: f.parquet: release ")
    assert (
        f"release {releases[6]:%Y-%m-%d} was published again with other values"
        in message
    )
    assert edited.loc[row, "region_id"] in message and "--force" in message
    assert "\n" not in message
    forced = _merge(stored, ("a",), new, force=True)
    assert (
        forced.reuse == ()
        and forced.replaced[0]["release"] == f"{releases[6]:%Y-%m-%d}"
    )
    pd.testing.assert_frame_equal(
        view(forced.history, releases[6], KEY, values=VALUES),
        edited.loc[edited["release"] == releases[6]].sort_values(
            KEY, ignore_index=True
        ),
    )
    # the same upstream bytes parsed by other code: rebuilt, not refused, not "replaced"
    rebuilt = _merge(stored, ("a",), new, same_bytes=True)
    assert rebuilt.replaced == [] and any("parsed again" in n for n in rebuilt.notes)


def test_an_older_file_keeps_the_newest_stored_release():
    whole = _random_releases(6)
    releases = releases_of(whole)
    stored = changes(whole, KEY, values=VALUES)
    older = changes(whole.loc[whole["release"] < releases[-2]], KEY, values=VALUES)
    merged = _merge(stored, ("a",), older)
    assert merged.history is None and merged.reuse == ("a",)
    pd.testing.assert_frame_equal(
        merged.latest, view(stored, releases[-1], KEY, values=VALUES)
    )

"""The update around the store: its lock, unchanged files not parsed again, --force, sources
absent from the mirror skipped or failed, truncated files refused."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

import epicurves
from epicurves import LockError, Settings, StoreError
from epicurves.store import Store

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

"""How current each source is: stale live sources, unchecked ones, failed updates; frozen ones never stale."""

from __future__ import annotations

from datetime import UTC, datetime

from epicurves.freshness import freshness
from epicurves.store import SourceMeta

NOW = datetime(2026, 8, 25, 6, 0, tzinfo=UTC)


def meta(source: str, vintage: str) -> SourceMeta:
    return SourceMeta(
        source=source,
        files={},
        updated_at="2026-08-22T06:00:00+00:00",
        first_date="2020-01-03",
        vintage=vintage,
        rows=1,
        regions=1,
        changed_at="2026-08-22T06:00:00+00:00",
    )


def checked(at: str, status: str = "unchanged", message: str = "") -> dict[str, str]:
    return {"checked_at": at, "status": status, "message": message, "attempted_at": at}


def one(name: str, vintage: str, record: dict[str, str] | None = None) -> object:
    (item,) = freshness(
        {name: meta(name, vintage)}, {name: record} if record else {}, NOW
    )
    return item


def test_a_daily_source_is_stale_after_two_days() -> None:
    fresh = one("rki", "2026-08-23", checked("2026-08-25T05:00:00+00:00"))
    assert not fresh.stale and fresh.age_days == 2 and fresh.warnings == ()  # type: ignore[attr-defined]
    stale = one("rki", "2026-08-22", checked("2026-08-25T05:00:00+00:00"))
    assert stale.stale and stale.age_days == 3  # type: ignore[attr-defined]
    (warning,) = stale.warnings  # type: ignore[attr-defined]
    assert warning == (
        "rki: the newest data are of 2026-08-22, 3 days old; it publishes daily "
        "(stale after 2 days)"
    )


def test_a_frozen_source_is_never_stale() -> None:
    item = one("jhu", "2023-03-09", checked("2026-08-25T05:00:00+00:00"))
    assert not item.stale and item.warnings == () and not item.live  # type: ignore[attr-defined]


def test_a_live_source_no_update_reached_is_warned_about() -> None:
    item = one("rki-states", "2026-08-24", checked("2026-08-20T06:00:00+00:00"))
    (warning,) = item.warnings  # type: ignore[attr-defined]
    assert warning.startswith(
        "rki-states: not checked since 2026-08-20 06:00 UTC (5 days)"
    )


def test_a_failed_update_is_warned_about() -> None:
    record = checked(
        "2026-08-25T05:00:00+00:00", "failed", "nyt: us-states.csv: truncated"
    )
    item = one("nyt", "2023-03-23", record)
    assert item.warnings == (
        "nyt: the last update failed: nyt: us-states.csv: truncated",
    )  # type: ignore[attr-defined]
    assert item.last_status == "failed"  # type: ignore[attr-defined]


def test_sources_not_stored_are_left_out_in_registry_order() -> None:
    stored = {"rki": meta("rki", "2026-08-24"), "jhu": meta("jhu", "2023-03-09")}
    assert [f.source for f in freshness(stored, {}, NOW)] == ["jhu", "rki"]

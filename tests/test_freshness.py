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


def test_a_weekly_source_counts_its_release_delay_and_not_its_pauses() -> None:
    from datetime import date

    from epicurves.freshness import is_stale
    from epicurves.sources import SOURCES

    covid, flu = SOURCES["cdc-covid"], SOURCES["cdc-flu"]
    # a week ending Saturday 2026-08-08 is due on Wednesday 08-12: stale after 14 + 4 days
    assert not is_stale(covid, date(2026, 8, 8), date(2026, 8, 26))
    assert is_stale(covid, date(2026, 8, 8), date(2026, 8, 27))
    # the hub's pause between seasons (no release 2025-09-24 to 11-19) is not staleness
    assert not is_stale(covid, date(2025, 9, 20), date(2025, 11, 19))
    # FluSight's files end in June: stale in December, not during the summer pause
    assert not is_stale(flu, date(2026, 6, 27), date(2026, 11, 1))
    assert is_stale(flu, date(2026, 6, 27), date(2026, 12, 5))
    # on 2026-08-25: the week of 06-27 is not stale (its last 52 days are the pause)...
    assert one("cdc-flu", "2026-06-27").warnings == ()  # type: ignore[attr-defined]
    # ... the week of 06-13 is: 73 days, of which 21 outside the pause
    assert one("cdc-flu", "2026-06-13").warnings == (  # type: ignore[attr-defined]
        "cdc-flu: the newest data are of 2026-06-13, 73 days old; it publishes weekly, "
        "4 days after (stale after 18 days outside its pauses)",
    )

"""How current each source is: last checked, last changed, and a warning when a live source is stale.

Each source declares whether it is live and how often it publishes (``Source.live``,
``Source.interval_days``). A live source is **stale** when its newest data are older than twice
that interval, and it is **unchecked** when no update reached it for twice that interval; both
are warned about. Frozen sources (JHU, NYT, the jgehrcke table) are never stale: their data end
where their publisher stopped. Pure functions of the store's metadata and the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .sources import SOURCES, Source
from .store import SourceMeta

__all__ = [
    "Freshness",
    "cadence",
    "freshness",
    "is_stale",
    "paused_days",
    "region_status",
    "stale_after",
]


@dataclass(frozen=True)
class Freshness:
    """How current one stored source is, at one moment."""

    source: str
    live: bool
    interval_days: int | None
    first_date: str
    vintage: str
    """The newest date with data."""
    checked_at: str
    """When an update last reached the source (ISO 8601, UTC; empty: never recorded)."""
    changed_at: str
    """When its data last changed."""
    last_status: str
    """How the last update of it went: ``updated``, ``unchanged``, ``failed``, ``skipped``."""
    age_days: int
    """Days from the last day the newest data cover to now (:func:`data_age`)."""
    stale: bool
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self) | {"warnings": list(self.warnings)}


def cadence(source: Source) -> str:
    """How often a source publishes, for people.

    >>> from epicurves.sources import SOURCES
    >>> cadence(SOURCES["rki"]), cadence(SOURCES["jhu"])
    ('daily', 'frozen')
    """
    if not source.live or not source.interval_days:
        return "frozen"
    days = source.interval_days
    return {1: "daily", 7: "weekly"}.get(days, f"every {days} days")


def data_age(source: Source, vintage: date, now: date) -> int:
    """Days from the last day the data of ``vintage`` cover (see
    :attr:`~epicurves.sources.Source.date_offset_days`) to ``now``; 0 while that period
    is still going on.

    >>> from epicurves.sources import SOURCES
    >>> data_age(SOURCES["rki-deaths-weekly"], date(2026, 8, 10), date(2026, 8, 20))
    4
    """
    return max((now - vintage).days - source.date_offset_days, 0)


def _period(source: Source, vintage: str) -> str:
    """How people read a source's last date: a day, or a week dated by its first day.

    >>> from epicurves.sources import SOURCES
    >>> _period(SOURCES["rki"], "2026-08-22"), _period(SOURCES["rki-sari"], "2024-10-07")
    ('2026-08-22', 'the week of 2024-10-07 to 2024-10-13')
    """
    if not source.date_offset_days:
        return vintage
    end = date.fromisoformat(vintage) + timedelta(days=source.date_offset_days)
    return f"the week of {vintage} to {end.isoformat()}"


def paused_days(source: Source, start: date, end: date) -> int:
    """How many days after ``start`` up to ``end`` fall in the source's yearly pauses
    (:attr:`~epicurves.sources.Source.pauses`).

    >>> from dataclasses import replace
    >>> from epicurves.sources import SOURCES
    >>> s = replace(SOURCES["rki-sari"], pauses=(("12-20", "01-05"),))
    >>> paused_days(s, date(2025, 12, 1), date(2026, 1, 31))
    17
    """
    if not source.pauses or end <= start:
        return 0
    total = 0
    for year in range(start.year - 1, end.year + 1):
        for first, last in source.pauses:
            begin = date.fromisoformat(f"{year}-{first}")
            finish = date.fromisoformat(f"{year}-{last}")
            if finish < begin:  # over the new year
                finish = date.fromisoformat(f"{year + 1}-{last}")
            low, high = max(begin, start + timedelta(days=1)), min(finish, end)
            total += max((high - low).days + 1, 0)
    return total


def stale_after(source: Source) -> int:
    """Days of data age (pauses not counted) after which a live source is stale: twice its
    interval, plus its usual publication delay.

    >>> from epicurves.sources import SOURCES
    >>> stale_after(SOURCES["rki"]), stale_after(SOURCES["rki-sari"])
    (2, 14)
    """
    return 2 * (source.interval_days or 0) + source.delay_days


def is_stale(source: Source, vintage: date, now: date) -> bool:
    """Whether data of a live source ending with ``vintage`` are older than
    :func:`stale_after` on ``now``, not counting the days of its yearly pauses (never for a
    frozen source).

    >>> from epicurves.sources import SOURCES
    >>> is_stale(SOURCES["rki"], date(2026, 8, 20), date(2026, 8, 23))
    True
    >>> is_stale(SOURCES["rki-deaths-weekly"], date(2026, 8, 10), date(2026, 8, 29))
    False
    """
    if not source.live or not source.interval_days:
        return False
    end = vintage + timedelta(days=source.date_offset_days)
    age = data_age(source, vintage, now) - paused_days(source, end, now)
    return age > stale_after(source)


def freshness(
    meta: Mapping[str, SourceMeta],
    checked: Mapping[str, Mapping[str, str]],
    now: datetime,
) -> list[Freshness]:
    """The freshness of every stored source, in the registry's order.

    ``checked`` is :meth:`epicurves.Store.checked`; ``now`` is timezone-aware.
    """
    out = []
    for name, source in SOURCES.items():
        if name not in meta:
            continue
        m = meta[name]
        record = checked.get(name, {})
        checked_at = record.get("checked_at", "")
        age = data_age(source, date.fromisoformat(m.vintage), now.date())
        warnings: list[str] = []
        stale = is_stale(source, date.fromisoformat(m.vintage), now.date())
        if source.live and source.interval_days:
            limit = 2 * source.interval_days
            if stale:
                warnings.append(
                    f"{name}: the newest data are of {_period(source, m.vintage)}, "
                    f"{age} days old; it publishes {cadence(source)}"
                    + (f", {source.delay_days} days after" if source.delay_days else "")
                    + f" (stale after {stale_after(source)} days"
                    + (" outside its pauses" if source.pauses else "")
                    + ")"
                )
            if checked_at:
                since = (
                    now - datetime.fromisoformat(checked_at)
                ).total_seconds() / 86400
                if since > limit:
                    warnings.append(
                        f"{name}: not checked since {checked_at[:16].replace('T', ' ')} UTC "
                        f"({since:.0f} days): is `epicurves run` still scheduled?"
                    )
        if record.get("status") == "failed":
            warnings.append(
                f"{name}: the last update failed: {record.get('message', '')}"
            )
        out.append(
            Freshness(
                source=name,
                live=source.live,
                interval_days=source.interval_days,
                first_date=m.first_date,
                vintage=m.vintage,
                checked_at=checked_at,
                changed_at=m.changed_at,
                last_status=record.get("status", ""),
                age_days=age,
                stale=stale,
                warnings=tuple(warnings),
            )
        )
    return out


def region_status(source: str, historic: bool) -> str:
    """How current a region's numbers are, by one rule everywhere (maps, home page, tables):
    ``historic`` (the region ended, :mod:`epicurves.succession`), ``frozen`` (its source no
    longer publishes) or ``live``.

    >>> region_status("rki", False), region_status("jhu", False), region_status("rki", True)
    ('live', 'frozen', 'historic')
    """
    if historic:
        return "historic"
    known = SOURCES.get(source)
    return "live" if known is not None and known.live else "frozen"

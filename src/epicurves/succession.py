"""Regions that ended, and what covers them now: one explicit table, one rule for every page.

Some regions of the frozen sources no longer exist in the live ones: Eisenach (``DE-16056``)
was merged into the Wartburgkreis (``DE-16063``) on 1 July 2021, and RKI's current files count
its cases there; RKI reports Berlin as one district (``DE-11000``), while the ``germany`` table
OSCOVIDA used also has its twelve boroughs (``DE-11001`` ... ``DE-11012``).

The rule: a region listed here is **historic**. Its page stays, marked, with a link to its
successor; it is left out of current tables, sums, counts and rankings, where it would count
cases twice (its successor's series already holds them).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SUCCESSIONS", "Succession", "successor"]


@dataclass(frozen=True)
class Succession:
    """A region that ended, the region that covers it now, since when and why."""

    region_id: str
    successor: str
    since: str | None
    """The first day the successor covers it (``YYYY-MM-DD``), if there is one such day."""
    reason: str


_BERLIN = (
    "RKI reports Berlin as one district; the borough series come from the germany table"
)

#: Every historic region, by id.
SUCCESSIONS: dict[str, Succession] = {
    s.region_id: s
    for s in (
        Succession(
            "DE-16056",
            "DE-16063",
            "2021-07-01",
            "Eisenach was merged into the Wartburgkreis; RKI counts its cases there",
        ),
        *(
            Succession(f"DE-110{n:02d}", "DE-11000", None, _BERLIN)
            for n in range(1, 13)
        ),
    )
}


def successor(region_id: str) -> Succession | None:
    """The succession of a historic region, ``None`` for a current one.

    >>> successor("DE-16056").successor, successor("DE-09162")
    ('DE-16063', None)
    """
    return SUCCESSIONS.get(region_id)

"""The headline of a region: the numbers its page and its notebook lead with, from one summary row.

The region page's headline and the notebook's first output are made here, from one row of
:func:`epicurves.summarize` (or :func:`epicurves.load_summary`), so that both say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .formatting import NO_VALUE, fmt_date, fmt_int, fmt_num, is_missing
from .lazy import pd

__all__ = ["headline"]


def headline(summary: Mapping[str, Any] | pd.Series) -> dict[str, str]:
    """The headline numbers of a region, label to text, as its page shows them, from one row
    of :func:`epicurves.summarize` or :func:`epicurves.load_summary`.

    >>> row = {"total_cases": 1234, "total_deaths": None, "new_cases_last_week": 70,
    ...        "incidence_7d": 7.04, "week_change_pct": -12.4, "r_cori": 0.93,
    ...        "r_cori_lo": 0.9, "r_cori_hi": 0.961, "r_cori_date": "2021-03-15"}
    >>> text = headline(row)
    >>> text["total cases"], text["7-day incidence per 100k"], text["week-on-week change"]
    ('1,234', '7.0', '-12 %')
    >>> text["total deaths"] == NO_VALUE, text["R (Cori), 2021-03-15"].split(" (")[0]
    (True, '0.93')
    """
    r_text = fmt_num(summary["r_cori"], 2)
    if r_text and not is_missing(summary["r_cori_lo"]):
        low, high = fmt_num(summary["r_cori_lo"], 2), fmt_num(summary["r_cori_hi"], 2)
        r_text += f" ({low}\N{EN DASH}{high})"
    pairs = [
        ("total cases", fmt_int(summary["total_cases"])),
        ("total deaths", fmt_int(summary["total_deaths"])),
        ("new cases last week", fmt_int(summary["new_cases_last_week"])),
        ("7-day incidence per 100k", fmt_num(summary["incidence_7d"])),
        (
            "week-on-week change",
            fmt_num(summary["week_change_pct"], 0, " %", sign=True),
        ),
        (f"R (Cori), {fmt_date(summary['r_cori_date']) or 'n/a'}", r_text),
    ]
    return {label: value or NO_VALUE for label, value in pairs}

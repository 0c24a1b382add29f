"""Numbers for people: rounding and the headline of a region, shared by its page and notebook.

The region page's headline and the notebook's first output are made here, from one row of
:func:`epicurves.summarize` (or :func:`epicurves.load_summary`), so that both say the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["NO_VALUE", "fmt_int", "fmt_num", "headline"]

#: What a missing number reads as.
NO_VALUE = "\N{EN DASH}"


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def fmt_int(value: Any) -> str:
    """A count with thousands separators; empty when missing.

    >>> fmt_int(1234567.0), fmt_int(None)
    ('1,234,567', '')
    """
    return "" if _missing(value) else f"{round(float(value)):,}"


def fmt_num(value: Any, decimals: int = 1, suffix: str = "", sign: bool = False) -> str:
    """A number rounded for people; empty when missing.

    >>> fmt_num(12.345), fmt_num(-3.21, 0, " %", sign=True), fmt_num(float("nan"))
    ('12.3', '-3 %', '')
    """
    if _missing(value) or math.isinf(float(value)):
        return ""
    text = f"{float(value):{'+' if sign else ''},.{decimals}f}"
    return text + suffix


def _date(value: Any) -> str:
    if _missing(value):
        return ""
    return (
        pd.Timestamp(value).strftime("%Y-%m-%d")
        if not isinstance(value, str)
        else value
    )


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
    if r_text and not _missing(summary["r_cori_lo"]):
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
        (f"R (Cori), {_date(summary['r_cori_date']) or 'n/a'}", r_text),
    ]
    return {label: value or NO_VALUE for label, value in pairs}

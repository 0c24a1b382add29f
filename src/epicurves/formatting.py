"""Numbers for people: what a missing value is and reads as, counts and rounded numbers, table cells.

The site's pages, the region notebooks' headline and the command line's tables all format
numbers here, so that each says the same of the same value.
"""

from __future__ import annotations

import math
from typing import Any

from .lazy import np, pd

__all__ = ["NO_VALUE", "fmt_cell", "fmt_date", "fmt_int", "fmt_num", "is_missing"]

#: What a missing number reads as where a page or a headline must say something.
NO_VALUE = "\N{EN DASH}"


def is_missing(value: Any) -> bool:
    """Whether ``value`` is missing: None, NaN, ``pd.NA`` or ``NaT`` (text never is).

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NA), is_missing("")
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str | int):  # bool too
        return False
    if isinstance(value, float):  # NumPy's float64 too
        return math.isnan(value)
    return bool(pd.isna(value))  # pandas' and NumPy's own missing values


def fmt_int(value: Any) -> str:
    """A count with thousands separators; empty when missing.

    >>> fmt_int(1234567.0), fmt_int(None)
    ('1,234,567', '')
    """
    return "" if is_missing(value) else f"{round(float(value)):,}"


def fmt_num(value: Any, decimals: int = 1, suffix: str = "", sign: bool = False) -> str:
    """A number rounded for people; empty when missing (or infinite).

    >>> fmt_num(12.345), fmt_num(-3.21, 0, " %", sign=True), fmt_num(float("nan"))
    ('12.3', '-3 %', '')
    """
    if is_missing(value) or math.isinf(float(value)):
        return ""
    text = f"{float(value):{'+' if sign else ''},.{decimals}f}"
    return text + suffix


def fmt_date(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` (text is kept as it is); empty when missing.

    >>> fmt_date(pd.Timestamp("2021-03-15 00:00")), fmt_date("2021-03-15"), fmt_date(None)
    ('2021-03-15', '2021-03-15', '')
    """
    if is_missing(value):
        return ""
    return value if isinstance(value, str) else pd.Timestamp(value).strftime("%Y-%m-%d")


def fmt_cell(value: Any) -> str:
    """A value in a terminal table: counts with separators, other numbers to two decimals
    (whole numbers from 100 without), text as it is; empty when missing.

    >>> fmt_cell(1234), fmt_cell(1234.0), fmt_cell(0.5), fmt_cell(np.int64(7)), fmt_cell(None)
    ('1,234', '1,234', '0.50', '7', '')
    """
    if is_missing(value):
        return ""
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float):
        return (
            f"{value:,.0f}"
            if value.is_integer() and abs(value) >= 100
            else f"{value:,.2f}"
        )
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)

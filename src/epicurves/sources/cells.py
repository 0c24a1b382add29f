"""Cells of parsed upstream tables: text columns converted to counts, numbers, dates and weeks, and the checks of rows and series, each error naming the line, the column and the value.

Every converter takes a frame as :func:`~.readers.read_csv` gave it (its index gives the file
lines) and the :class:`~.readers.FileRef` its errors name. The checks of typed values (FIPS
codes, weekdays, whole counts, proportions) also take a frame read by
:func:`~.readers.read_parquet`, and then name its data rows.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from ..lazy import np, pd
from .geo import us_code_by_fips
from .readers import ROW, FileRef, cell_error, day_text, line_of, row_error

__all__ = [
    "MAX_COUNT",
    "SATURDAY",
    "consecutive_days",
    "count_column",
    "daily_order",
    "date_column",
    "date_columns",
    "duplicated_rows",
    "fips_regions",
    "integer_column",
    "known_values",
    "missing_counts",
    "number_column",
    "on_weekday",
    "proportions",
    "repeated",
    "sum_known",
    "to_dates",
    "week_column",
    "whole_counts",
    "wide_counts",
]

#: Counts at or above this are refused: beyond it a float64 no longer holds every whole
#: number (and no epidemic count comes near it).
MAX_COUNT = 2.0**53


def sum_known(values: Iterable[Any], *, require_all: bool = False) -> Any:
    """The sum of the known values (a population from its parts); ``<NA>`` if none is known.

    With ``require_all``, one missing value makes the sum missing too.

    >>> sum_known([1, pd.NA, 2]), sum_known([1, pd.NA], require_all=True), sum_known([])
    (3, <NA>, <NA>)
    """
    items = list(values)
    known = [int(v) for v in items if pd.notna(v)]
    if not known or (require_all and len(known) < len(items)):
        return pd.NA
    return sum(known)


def missing_counts(n: int) -> pd.arrays.IntegerArray:
    """``n`` missing counts (``<NA>``, dtype ``Int64``), made at once rather than cell by cell.

    >>> missing_counts(2).tolist()
    [<NA>, <NA>]
    """
    return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))


def repeated(labels: Sequence[str], n: int) -> pd.Categorical:
    """Each label ``n`` times in a row, as a categorical: a wide table's column names in long
    form, without a string per row.

    >>> repeated(["a", "b", "a"], 2).tolist()
    ['a', 'a', 'b', 'b', 'a', 'a']
    """
    codes, uniques = pd.factorize(pd.Index(labels))
    return pd.Categorical.from_codes(np.repeat(codes, n), uniques)


def integer_column(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    allow_missing: bool = False,
    minimum: int | None = 0,
) -> pd.Series:
    """Convert a text column of ``frame`` (as read by :func:`read_csv`) to nullable integers.

    The error names the file line (header = line 1), the column and the offending value.
    Whole numbers written as ``12.0`` are accepted; anything else is not.
    """
    text = frame[column]
    numbers = pd.to_numeric(text.str.strip(), errors="coerce")
    bad = numbers.isna() & text.notna()
    bad |= numbers.notna() & (numbers != numbers.round())
    if not allow_missing:
        bad |= text.isna()
    if minimum is not None:
        bad |= numbers.lt(minimum).fillna(False)
    bad |= numbers.abs().ge(MAX_COUNT).fillna(False)  # also inf, 1e400
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        expected = "a whole number" + (f" >= {minimum}" if minimum is not None else "")
        msg = "not a count" if pd.notna(text.iloc[pos]) else "empty cell"
        raise cell_error(frame, pos, column, ref, msg, expected)
    return numbers.astype("Int64")


def _example_date(fmt: str) -> str:
    """How 31 March 2021 looks in ``fmt``, without zero padding where upstream has none.

    >>> _example_date("%m/%d/%y"), _example_date("%Y-%m-%d")
    ('3/31/21', '2021-03-31')
    """
    text = pd.Timestamp("2021-03-31").strftime(fmt)
    return text.lstrip("0") if fmt.startswith("%m/") else text


def to_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Text in format ``fmt`` as midnight dates (``datetime64[s]``); ``NaT`` where it is not one."""
    dates = pd.to_datetime(values, format=fmt, errors="coerce")
    return dates.dt.normalize().astype("datetime64[s]")


def date_column(
    frame: pd.DataFrame, column: str, ref: FileRef, *, fmt: str
) -> pd.Series:
    """Parse a text column of dates in format ``fmt``, naming the first line that does not fit."""
    dates = to_dates(frame[column], fmt)
    bad = dates.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        expected = f"a date like {_example_date(fmt)}"
        raise cell_error(frame, pos, column, ref, "not a date", expected)
    return dates


def date_columns(
    columns: Sequence[str], ref: FileRef, *, fmt: str, first: int
) -> pd.DatetimeIndex:
    """Parse the date header of a wide table (columns ``first`` onwards) and check it is daily.

    The error names the offending column; a missing day is reported as a gap between two columns.
    """
    names = list(columns[first:])
    if not names:
        msg = "no date columns"
        raise ref.error(msg, expected=f"date columns after column {first}")
    dates = pd.to_datetime(pd.Series(names), format=fmt, errors="coerce")
    if dates.isna().any():
        pos = int(dates.isna().to_numpy().nonzero()[0][0])
        msg = "header is not a date"
        raise ref.error(
            msg,
            row=1,
            column=names[pos],
            expected=f"a date like {_example_date(fmt)}",
        )
    step = dates.diff().iloc[1:]
    wrong = step.ne(pd.Timedelta(days=1))
    if wrong.any():
        pos = int(wrong.to_numpy().nonzero()[0][0]) + 1
        msg = (
            f"date columns are not consecutive days: {names[pos - 1]!r} is followed by "
            f"{names[pos]!r}"
        )
        raise ref.error(msg, row=1, column=names[pos])
    return pd.DatetimeIndex(dates.astype("datetime64[s]"))


def wide_counts(
    frame: pd.DataFrame, date_names: Sequence[str], ref: FileRef
) -> pd.DataFrame:
    """The date columns of a wide table as one float block (NaN = missing), checked as counts.

    The error names the line and column of the first cell that is not a whole number >= 0.
    """
    columns = [frame[c] for c in date_names]  # column by column: a wide frame has many
    if all(pd.api.types.is_numeric_dtype(c.dtype) for c in columns):
        values = np.column_stack(  # fast path: pandas read numbers
            [c.to_numpy(dtype="float64", na_value=np.nan) for c in columns]
        )
        present = ~np.isnan(values)
    else:
        text = [c.astype("string") for c in columns]
        values = np.column_stack(
            [
                pd.to_numeric(t.str.strip(), errors="coerce").to_numpy(
                    dtype="float64", na_value=np.nan
                )
                for t in text
            ]
        )
        present = np.column_stack([t.notna().to_numpy() for t in text])
    with np.errstate(invalid="ignore"):
        bad = (
            (np.isnan(values) & present)
            | (values != np.round(values)) & present
            | (values < 0)
            | (values >= MAX_COUNT)
        )
    if bad.any():
        rows, cols = bad.nonzero()
        r, c = int(rows[0]), int(cols[0])
        msg = "not a count"
        raise ref.error(
            msg,
            row=line_of(frame, r),
            column=str(date_names[c]),
            expected=f"a whole number >= 0 and below {MAX_COUNT:.0e}",
            value=str(columns[c].iat[r]),
        )
    return pd.DataFrame(values, index=frame.index, columns=list(date_names))


def duplicated_rows(frame: pd.DataFrame, keys: Sequence[str], ref: FileRef) -> None:
    """Raise a :class:`ParseError` naming the first line (or Parquet row) whose ``keys``
    repeat an earlier one."""
    dup = _duplicated(frame, keys)
    if dup.any():
        pos = int(dup.nonzero()[0][0])
        key = ", ".join(f"{k}={_text(frame[k].iloc[pos])}" for k in keys)
        same = (frame[list(keys)] == frame[list(keys)].iloc[pos]).all(axis=1)
        first = int(np.flatnonzero(same.to_numpy())[0])
        place = "row" if frame.index.name == ROW else "line"
        msg = f"duplicate row ({key}) repeats {place} {line_of(frame, first)}"
        raise row_error(
            frame,
            pos,
            ref,
            msg,
            column=keys[0] if len(keys) == 1 else None,
            expected=f"one row per {', '.join(keys)}",
        )


def _duplicated(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Where a row repeats the ``keys`` of an earlier row; keys that are all categoricals and
    dates (a large Parquet file) as one integer per row, which hashes much faster.

    >>> frame = pd.DataFrame({"a": pd.Categorical(["x", "y", "x"]),
    ...     "d": pd.to_datetime(["2021-03-06"] * 3)})
    >>> _duplicated(frame, ["a", "d"]).tolist(), _duplicated(frame, ["d"]).tolist()
    ([False, False, True], [False, True, True])
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    room = 1
    for key in keys:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy(np.int64) + 1
        elif pd.api.types.is_datetime64_dtype(column.dtype):
            codes = pd.factorize(column)[0].astype(np.int64) + 1  # NaT: 0
        else:
            return frame.duplicated(list(keys)).to_numpy()
        span = int(codes.max(initial=0)) + 1
        if room > (1 << 62) // span:
            return frame.duplicated(list(keys)).to_numpy()
        combined = combined * span + codes
        room *= span
    return pd.Series(combined).duplicated().to_numpy()


def _text(value: Any) -> str:
    """A value for a message: dates as ``YYYY-MM-DD``."""
    if isinstance(value, pd.Timestamp):
        return day_text(value)
    return str(value)


def consecutive_days(
    frame: pd.DataFrame, key: str | None, date: str, ref: FileRef
) -> None:
    """Raise a :class:`ParseError` at the first line where a series skips a day.

    ``frame`` holds parsed dates in column ``date`` (one series per value of ``key``, or one
    series if ``key`` is None) and the index :func:`read_csv` gave it, for line numbers.
    """
    order = frame.sort_values([*([key] if key else []), date], kind="stable")
    step = order[date].diff()
    same = (
        order[key].eq(order[key].shift()).fillna(False).to_numpy(dtype=bool)
        if key
        else np.arange(len(order)) > 0
    )
    wrong = same & step.ne(pd.Timedelta(days=1)).to_numpy(dtype=bool)
    if wrong.any():
        pos = int(np.flatnonzero(wrong)[0])
        before, after = order[date].iloc[pos - 1].date(), order[date].iloc[pos].date()
        who = f" of {key} {order[key].iloc[pos]}" if key else ""
        msg = f"gap in the daily dates{who}: {before} is followed by {after}, not consecutive"
        raise ref.error(
            msg, row=line_of(order, pos), column=date, expected="one row per day"
        )


def daily_order(groups: np.ndarray, days: np.ndarray) -> np.ndarray | None:
    """Row positions sorted by group, then day, if each group holds consecutive days once each.

    ``groups`` are codes ``0 ... k-1``, ``days`` day numbers. Gives ``None`` for a repeated or a
    missing day (callers then find and name the offending line the slow way). Runs in linear
    time: each row's place in the sorted order is computed, not searched for.

    >>> daily_order(np.array([1, 0, 1, 0]), np.array([7, 7, 6, 6])).tolist()
    [3, 1, 2, 0]
    >>> daily_order(np.array([0, 0, 0]), np.array([1, 3, 2])).tolist(), daily_order(
    ...     np.array([0, 0]), np.array([1, 3])
    ... )
    ([0, 2, 1], None)
    """
    n_groups = int(groups.max()) + 1
    first = np.full(n_groups, np.iinfo(np.int64).max)
    last = np.full(n_groups, np.iinfo(np.int64).min)
    np.minimum.at(first, groups, days)
    np.maximum.at(last, groups, days)
    count = np.bincount(groups, minlength=n_groups)
    span = np.zeros_like(count)
    used = count > 0
    span[used] = last[used] - first[used] + 1
    if not np.array_equal(count, span):
        return None
    place = (np.cumsum(span) - span - first)[groups]  # where a group's first day goes
    place += days
    order = np.full(len(days), -1, dtype=np.intp)
    order[place] = np.arange(len(days))
    return None if (order < 0).any() else order


def _missing(text: pd.Series) -> pd.Series:
    """Where a cell is missing as RKI writes it: ``NA`` (or empty)."""
    return text.isna() | text.str.strip().eq("NA").fillna(False).astype(bool)


def number_column(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    allow_missing: bool = False,
    scale: float = 1.0,
) -> pd.Series:
    """A text column as finite numbers >= 0 (float, NaN where ``NA`` and ``allow_missing``),
    times ``scale``; the error names the line, the column and the value.

    ``1,5`` (a decimal comma), ``inf`` and ``NaN`` are refused: upstream writes ``1.5`` and
    ``NA``.
    """
    text = frame[column]
    missing = _missing(text)
    numbers = pd.to_numeric(text.str.strip().mask(missing), errors="coerce").astype(
        "float64"
    )
    values = numbers.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~missing.to_numpy(dtype=bool) & ~(np.isfinite(values) & (values >= 0))
    if not allow_missing:
        bad |= missing.to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = text.iloc[pos]
        if pd.isna(value) or missing.iloc[pos]:
            msg = "missing value"
        elif values[pos] < 0:
            msg = "negative value"
        else:
            msg = "not a number"
        expected = "a number >= 0" + (" or NA" if allow_missing else "")
        raise cell_error(frame, pos, column, ref, msg, expected)
    return pd.Series(values * scale, index=frame.index)


def count_column(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    allow_missing: bool = False,
) -> pd.Series:
    """A text column of whole numbers >= 0 as floats (NaN where ``NA`` and ``allow_missing``),
    checked by :func:`~.base.integer_column`."""
    text = frame[column]
    if allow_missing:
        text = text.mask(_missing(text))
    counts = integer_column(
        frame.assign(**{column: text}),
        column,
        ref,
        allow_missing=allow_missing,
    )
    return pd.Series(
        counts.to_numpy(dtype="float64", na_value=np.nan), index=frame.index
    )


_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def _monday(text: object) -> pd.Timestamp | None:
    """The Monday of ISO week ``YYYY-Www``, or ``None`` if ``text`` is not one.

    >>> _monday("2020-W53"), _monday("2021-W53"), _monday("2021-w01")
    (Timestamp('2020-12-28 00:00:00'), None, None)
    """
    match = _WEEK.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if match is None:
        return None
    try:
        day = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    return pd.Timestamp(day)


def week_column(frame: pd.DataFrame, column: str, ref: FileRef) -> pd.Series:
    """A text column of ISO weeks (``2021-W09``) as the Monday of each week
    (``datetime64[s]``); the error names the first line that is not one."""
    text = frame[column]
    mondays = {v: _monday(v) for v in text.dropna().unique()}
    dates = text.map(mondays)
    bad = dates.isna().to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        expected = "an ISO week like 2021-W09 (YYYY-Www, week 01 ... 52 or 53)"
        found = _WEEK.fullmatch(str(text.iloc[pos]).strip())
        msg = "not an ISO week" + (  # 2021-W53: a week 53 of a year of 52 weeks
            f": {found[1]} has no week {found[2]}" if found and found[2] == "53" else ""
        )
        raise cell_error(frame, pos, column, ref, msg, expected)
    return pd.to_datetime(dates).astype("datetime64[s]")


def known_values(
    frame: pd.DataFrame,
    column: str,
    allowed: Sequence[str],
    ref: FileRef,
) -> pd.Series:
    """A text column, stripped, whose every value is one of ``allowed``; the error names the
    first line with another. A categorical stays one (stripped category by category)."""
    text = frame[column]
    labels = (
        text.cat.categories if isinstance(text.dtype, pd.CategoricalDtype) else None
    )
    if labels is not None and labels.str.strip().is_unique:
        text = text.cat.rename_categories(list(labels.str.strip()))
    else:
        text = text.str.strip()
    bad = ~text.isin(allowed).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = frame[column].iloc[pos]
        msg = f"unknown {column} {value!r}" if pd.notna(value) else "empty cell"
        expected = f"one of {', '.join(allowed)}"
        raise cell_error(frame, pos, column, ref, msg, expected)
    return text


# -- checks of typed values: US states, weeks, counts, proportions -------------------------

#: ``pd.Timestamp.day_of_week`` of a Saturday, the day that ends an MMWR (CDC) week.
SATURDAY = 5


def fips_regions(frame: pd.DataFrame, column: str, ref: FileRef) -> pd.Series:
    """A column of two-digit US state FIPS codes (``06``) and ``US`` as region ids (``US-CA``,
    ``US``), a categorical; the error names the first row with another code (``6``, ``99``).

    >>> frame = pd.DataFrame({"location": ["06", "US", "72", "06"]})
    >>> fips_regions(frame, "location", FileRef("s", "f.csv")).tolist()
    ['US-CA', 'US', 'US-PR', 'US-CA']
    """
    values = frame[column]
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    ids = us_code_by_fips() | {"US": "US"}
    found = [ids.get(str(c)) for c in values.cat.categories]
    codes = values.cat.codes.to_numpy()
    known = np.array([r is not None for r in found] + [False])  # code -1: empty cell
    bad = ~known[codes]
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = frame[column].iloc[pos]
        msg = f"unknown FIPS code {value!r}" if pd.notna(value) else "empty cell"
        expected = "a two-digit state FIPS code like 06, or US"
        raise cell_error(frame, pos, column, ref, msg, expected)
    labels = pd.Index([r or f"?{n}" for n, r in enumerate(found)])
    regions = pd.Series(pd.Categorical.from_codes(codes, labels), index=frame.index)
    # a category no row uses may be unknown: dropped (only then: it takes a pass)
    return regions if known[:-1].all() else regions.cat.remove_unused_categories()


def on_weekday(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    weekday: int,
    *,
    dates: pd.Series | None = None,
    expected: str | None = None,
) -> pd.Series:
    """The dates of ``column`` (typed, or ``dates`` parsed from its text), checked to be each
    on ``weekday`` (0 Monday ... 6 Sunday); the error names the first row on another day.

    >>> frame = pd.DataFrame({"week": pd.to_datetime(["2021-03-06", "2021-03-05"])})
    >>> on_weekday(frame, "week", FileRef("s", "f.csv"), SATURDAY)
    Traceback (most recent call last):
    ...
    epicurves.errors.ParseError: s: f.csv: line 3, column 'week': 2021-03-05 is a Friday: \
expected a Saturday, found '2021-03-05'
    """
    days = frame[column] if dates is None else dates
    # 1970-01-01, day 0, was a Thursday (3)
    number = (days.to_numpy("datetime64[D]").view(np.int64) + 3) % 7
    other = number != weekday
    if other.any():
        pos = int(np.flatnonzero(other)[0])
        msg = f"{day_text(days.iloc[pos])} is a {calendar.day_name[number[pos]]}"
        expected = expected or f"a {calendar.day_name[weekday]}"
        raise cell_error(frame, pos, column, ref, msg, expected)
    return days


def _refuse_numbers(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    ok: Callable[[np.ndarray], np.ndarray],
    values: pd.Series | None,
    where: pd.Series | np.ndarray | None,
    message: str,
    expected: str,
) -> None:
    """Raise ``message`` at the first row (``where``) whose number is not ``ok``, naming its
    cell as written (or, typed, its number)."""
    numbers = (frame[column] if values is None else values).to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~ok(numbers) & (True if where is None else np.asarray(where, dtype=bool))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        written = frame[column].iloc[pos]
        value = written if isinstance(written, str) else str(numbers[pos])
        raise row_error(
            frame, pos, ref, message, column=column, expected=expected, value=value
        )


def whole_counts(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    values: pd.Series | None = None,
    where: pd.Series | np.ndarray | None = None,
) -> None:
    """Check that the numbers of ``column`` (or ``values`` read from its text) are counts:
    whole, >= 0 and below :data:`MAX_COUNT` (NaN is not one), on the rows ``where`` (all if
    ``None``). The error names the first row with another.

    >>> frame = pd.DataFrame({"n": [3.0, 2.5]}, index=pd.RangeIndex(1, 3, name="row"))
    >>> whole_counts(frame, "n", FileRef("s", "f.parquet"))
    Traceback (most recent call last):
    ...
    epicurves.errors.ParseError: s: f.parquet: row 2, column 'n': not a count: ... '2.5'
    """
    _refuse_numbers(
        frame, column, ref, lambda n: (n >= 0) & (n < MAX_COUNT) & (n == np.round(n)),
        values, where, "not a count", "a whole number >= 0",
    )  # fmt: skip


def proportions(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    values: pd.Series | None = None,
    where: pd.Series | np.ndarray | None = None,
) -> None:
    """Check that the numbers of ``column`` (or ``values`` read from its text) are
    proportions from 0 to 1 (shares, not percentages) or missing (NaN), on the rows
    ``where`` (all if ``None``). The error names the first row with another.

    >>> frame = pd.DataFrame({"share": ["0.0102", "1.2"]})
    >>> proportions(frame, "share", FileRef("s", "f.csv"), values=pd.to_numeric(frame["share"]))
    Traceback (most recent call last):
    ...
    epicurves.errors.ParseError: s: f.csv: line 3, column 'share': not a proportion: ... '1.2'
    """
    _refuse_numbers(
        frame, column, ref, lambda n: np.isnan(n) | ((n >= 0) & (n <= 1)),
        values, where, "not a proportion", "a number from 0 to 1",
    )  # fmt: skip

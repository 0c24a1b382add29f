"""The declared interface every source module fills in, and the careful file readers they share.

A source says what it is (``name``, ``description``, ``licence``, ``homepage``), which upstream
files it needs (:class:`UpstreamFile`: mirror folder, file name, real URL) and how to turn those
files into tidy tables (``parse``). Adding a source is one new module plus one line in
``sources/__init__.py``.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParseError

__all__ = [
    "Source",
    "SourceData",
    "UpstreamFile",
    "consecutive_days",
    "date_column",
    "date_columns",
    "duplicated_rows",
    "integer_column",
    "open_text",
    "read_csv",
    "sum_known",
    "wide_counts",
]


@dataclass(frozen=True)
class UpstreamFile:
    """One file a source reads: where it lives upstream and in a mirror folder."""

    folder: str
    """Sub-folder of a mirror (``DIR/<folder>/<name>`` or ``<name>.gz``)."""
    name: str
    """The upstream file name."""
    url: str
    """The real upstream URL."""


@dataclass
class SourceData:
    """What parsing a source gives: tidy cumulative observations, regions, and notes.

    ``observations`` has ``region_id, date, cases, deaths`` (the pipeline adds the rest);
    ``regions`` has ``region_id, name, kind, parent, population``; ``notes`` lists rows that
    were skipped or treated specially, each with its reason.
    """

    observations: pd.DataFrame
    regions: pd.DataFrame
    notes: list[str] = field(default_factory=list)


Parser = Callable[[Mapping[str, Path], "Source"], SourceData]


@dataclass(frozen=True)
class Source:
    """An upstream data source behind the one interface the pipeline knows."""

    name: str
    description: str
    licence: str
    homepage: str
    files: tuple[UpstreamFile, ...]
    parse_files: Parser
    default: bool = True
    """Fetched by a plain ``epicurves update``; others only when named with ``--source``."""
    live: bool = True
    """Still published upstream; ``False``: frozen, its files no longer change."""
    interval_days: int | None = 1
    """How often a live source publishes new data (1: daily, 7: weekly); its data are stale
    when older than twice this. ``None`` for a frozen source."""

    def __post_init__(self) -> None:
        if self.live != (self.interval_days is not None and self.interval_days > 0):
            msg = (
                f"source {self.name}: a live source needs interval_days > 0, "
                "a frozen one interval_days=None"
            )
            raise ValueError(msg)

    def parse(self, paths: Mapping[str, Path]) -> SourceData:
        """Parse the files (keyed by upstream file name) into tidy tables."""
        return self.parse_files(paths, self)

    def error(self, file: str, message: str, **context: object) -> ParseError:
        """A :class:`ParseError` naming this source and ``file``."""
        return ParseError(message, source=self.name, file=file, **context)  # type: ignore[arg-type]


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


def open_text(path: Path, source: Source, file: str) -> str:
    """Read a whole upstream file as text, gunzipping it if it is gzip, and check its shape.

    Raises :class:`ParseError` for a truncated or corrupt gzip, an empty file, a file that is
    not UTF-8, and an HTML page where data were expected (what a proxy or an error page gives).
    """
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            msg = f"corrupt or truncated gzip ({exc})"
            raise source.error(file, msg) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text (byte {exc.start})"
        raise source.error(file, msg) from exc
    head = text.lstrip()[:200].lower()
    if not head:
        msg = "the file is empty: expected a header line and data"
        raise source.error(file, msg)
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")):
        msg = "got an HTML/XML page instead of data (an error page or a changed URL?)"
        raise source.error(file, msg)
    return text


def read_csv(
    path: Path,
    source: Source,
    file: str,
    *,
    required: Sequence[str],
    text: str | None = None,
    text_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read an upstream CSV, checking the required columns.

    Every column is kept as text (or only ``text_columns``, the rest left for pandas to infer, the
    fast path for wide tables of numbers), so that each parser converts values with errors that
    name the line and column; empty cells become ``<NA>``.
    """
    if text is None:
        text = open_text(path, source, file)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype="string"
            if text_columns is None
            else dict.fromkeys(text_columns, "string"),
            keep_default_na=False,
            na_values=[""],
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = f"not a readable CSV table ({str(exc).strip().splitlines()[-1]})"
        raise source.error(file, msg) from exc
    except pd.errors.EmptyDataError as exc:
        msg = "no header line: expected a CSV table"
        raise source.error(file, msg) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = (
            f"missing column {missing[0]!r}: expected columns {', '.join(required)}; "
            f"found {', '.join(frame.columns[:12])}"
            + (" ..." if len(frame.columns) > 12 else "")
        )
        raise source.error(file, msg)
    if frame.empty:
        msg = "no data rows: expected at least one row after the header"
        raise source.error(file, msg)
    return frame


def line_of(frame: pd.DataFrame, pos: int) -> int:
    """The file line of the row at position ``pos``: frames keep the index :func:`read_csv`
    gave them (row 0 is line 2, after the header), also after rows were filtered out."""
    return int(frame.index[pos]) + 2


def integer_column(
    frame: pd.DataFrame,
    column: str,
    source: Source,
    file: str,
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
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        expected = "a whole number" + (f" >= {minimum}" if minimum is not None else "")
        value = text.iloc[pos]
        msg = "not a count" if pd.notna(value) else "empty cell"
        raise source.error(
            file,
            msg,
            row=line_of(frame, pos),
            column=column,
            expected=expected,
            value=None if pd.isna(value) else str(value),
        )
    return numbers.astype("Int64")


def _example_date(fmt: str) -> str:
    """How 31 March 2021 looks in ``fmt``, without zero padding where upstream has none.

    >>> _example_date("%m/%d/%y"), _example_date("%Y-%m-%d")
    ('3/31/21', '2021-03-31')
    """
    text = pd.Timestamp("2021-03-31").strftime(fmt)
    return text.lstrip("0") if fmt.startswith("%m/") else text


def date_column(
    frame: pd.DataFrame, column: str, source: Source, file: str, *, fmt: str
) -> pd.Series:
    """Parse a text column of dates in format ``fmt``, naming the first line that does not fit."""
    dates = pd.to_datetime(frame[column], format=fmt, errors="coerce")
    bad = dates.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        value = frame[column].iloc[pos]
        raise source.error(
            file,
            "not a date",
            row=line_of(frame, pos),
            column=column,
            expected=f"a date like {_example_date(fmt)}",
            value=None if pd.isna(value) else str(value),
        )
    return dates.dt.normalize().astype("datetime64[s]")


def date_columns(
    columns: Sequence[str], source: Source, file: str, *, fmt: str, first: int
) -> pd.DatetimeIndex:
    """Parse the date header of a wide table (columns ``first`` onwards) and check it is daily.

    The error names the offending column; a missing day is reported as a gap between two columns.
    """
    names = list(columns[first:])
    if not names:
        msg = "no date columns"
        raise source.error(file, msg, expected=f"date columns after column {first}")
    dates = pd.to_datetime(pd.Series(names), format=fmt, errors="coerce")
    if dates.isna().any():
        pos = int(dates.isna().to_numpy().nonzero()[0][0])
        raise source.error(
            file,
            "header is not a date",
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
        raise source.error(file, msg, row=1, column=names[pos])
    return pd.DatetimeIndex(dates.astype("datetime64[s]"))


def wide_counts(
    frame: pd.DataFrame, date_names: Sequence[str], source: Source, file: str
) -> pd.DataFrame:
    """The date columns of a wide table as one float block (NaN = missing), checked as counts.

    The error names the line and column of the first cell that is not a whole number >= 0.
    """
    block = frame[list(date_names)]
    if all(pd.api.types.is_numeric_dtype(t) for t in block.dtypes):
        values = block.to_numpy(
            dtype="float64", na_value=np.nan
        )  # fast path: pandas read numbers
        present = ~np.isnan(values)
    else:
        text = block.astype("string")
        values = np.column_stack(
            [
                pd.to_numeric(text[c].str.strip(), errors="coerce").to_numpy(
                    dtype="float64", na_value=np.nan
                )
                for c in text.columns
            ]
        )
        present = text.notna().to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (
            (np.isnan(values) & present)
            | (values != np.round(values)) & present
            | (values < 0)
        )
    if bad.any():
        rows, cols = bad.nonzero()
        r, c = int(rows[0]), int(cols[0])
        raise source.error(
            file,
            "not a count",
            row=line_of(frame, r),
            column=str(date_names[c]),
            expected="a whole number >= 0",
            value=str(block.iat[r, c]),
        )
    return pd.DataFrame(values, index=frame.index, columns=list(date_names))


def duplicated_rows(
    frame: pd.DataFrame, keys: Sequence[str], source: Source, file: str
) -> None:
    """Raise a :class:`ParseError` naming the first line whose ``keys`` repeat an earlier line."""
    dup = frame.duplicated(list(keys))
    if dup.any():
        pos = int(dup.to_numpy().nonzero()[0][0])
        key = ", ".join(f"{k}={_text(frame[k].iloc[pos])}" for k in keys)
        same = (frame[list(keys)] == frame[list(keys)].iloc[pos]).all(axis=1)
        first = int(np.flatnonzero(same.to_numpy())[0])
        msg = f"duplicate row ({key}) repeats line {line_of(frame, first)}"
        raise source.error(
            file,
            msg,
            row=line_of(frame, pos),
            column=keys[0] if len(keys) == 1 else None,
            expected=f"one row per {', '.join(keys)}",
        )


def _text(value: Any) -> str:
    """A value for a message: dates as ``YYYY-MM-DD``."""
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value)


def consecutive_days(
    frame: pd.DataFrame, key: str | None, date: str, source: Source, file: str
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
        raise source.error(
            file, msg, row=line_of(order, pos), column=date, expected="one row per day"
        )

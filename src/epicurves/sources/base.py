"""The declared interface every source module fills in, and the file readers they share.

A source says what it is (``name``, ``description``, ``licence``, ``homepage``), which upstream
files it needs (:class:`UpstreamFile`: mirror folder, file name, real URL) and how to turn those
files into tidy tables (``parse``). Adding a source is one new module plus one line in
``sources/__init__.py``.

Two ways to read a file: :func:`read_typed`, one typed pass with Arrow for large, well-formed
files, which gives ``None`` (never an error) at the first thing it does not expect; and the careful
text path (:func:`read_csv` and the column converters), whose errors name the line and column. A
parser tries the first and falls back to the second, so both accept and refuse the same files.

Region names: a source shows each region under one display name, the name people use (each
source module says which convention it follows), and keeps the upstream spelling and a few other
spellings people search for as :attr:`Source.aliases`, made with :func:`display_aliases`.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..errors import ParseError

__all__ = [
    "SIGNAL_LAYOUT",
    "Signal",
    "Source",
    "SourceData",
    "UpstreamFile",
    "cell_error",
    "consecutive_days",
    "count_column",
    "daily_order",
    "date_column",
    "date_columns",
    "display_aliases",
    "duplicated_rows",
    "integer_column",
    "known_values",
    "missing_counts",
    "no_cases",
    "number_column",
    "open_text",
    "read_csv",
    "read_typed",
    "repeated",
    "signal_rows",
    "signals_data",
    "sum_known",
    "to_dates",
    "week_column",
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


@dataclass(frozen=True)
class Signal:
    """A surveillance signal a source provides: one measure of a pathogen at one time
    resolution (wastewater viral load, hospitalisation incidence, weekly deaths, ...).

    Its rows (see :data:`epicurves.model.SIGNAL_COLUMNS`) give each value with its region,
    pathogen, age group, date and what the value is (``estimate``: ``measured``,
    ``smoothed``, ``fixed``, ``updated``, ``nowcast``, ...), with an interval where the
    source gives one. The declaration says what is the same for every row.
    """

    name: str
    """What ``--signal`` selects, e.g. ``wastewater``."""
    title: str
    """A short label for charts and tables."""
    unit: str
    resolution: str
    """``day`` or ``week``: weekly data are stored as weeks, dated as the source dates them."""
    pathogens: tuple[str, ...]
    estimates: tuple[str, ...]
    description: str
    """What it measures, for people."""
    caveats: str = ""
    """Its delay and what to keep in mind reading it."""

    def __post_init__(self) -> None:
        if self.resolution not in ("day", "week"):
            msg = f"signal {self.name}: resolution must be day or week, not {self.resolution!r}"
            raise ValueError(msg)


@dataclass
class SourceData:
    """What parsing a source gives: tidy cumulative observations, regions, signals and notes.

    ``observations`` has ``region_id, date, cases, deaths`` (the pipeline adds the rest);
    ``regions`` has ``region_id, name, kind, parent, population``; ``signals`` (sources that
    declare :attr:`Source.signals`) has ``region_id, signal, pathogen, age_group, estimate,
    date, value, lo, hi`` (the pipeline adds ``source``, ``resolution`` and ``unit`` from the
    declaration); ``notes`` lists rows that were skipped or treated specially, each with
    its reason. A source of signals only gives empty observations and regions.
    """

    observations: pd.DataFrame
    regions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    signals: pd.DataFrame | None = None


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
    signals: tuple[Signal, ...] = ()
    """The surveillance signals it provides (a source may give signals and no observations)."""
    date_offset_days: int = 0
    """Days from the dates of its data to the last day they cover: 6 for weeks dated by their
    Monday (their data run to the Sunday), 0 for days and for weeks dated by their last day.
    How old its data are is counted from that last day."""
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    """Other spellings of a region's name, by its display name: the upstream spelling first
    (where the display name differs from it), then other names people search for. Regions
    whose name has no other spelling are not listed; read-only. See :func:`display_aliases`."""

    def __post_init__(self) -> None:
        if self.live != (self.interval_days is not None and self.interval_days > 0):
            msg = (
                f"source {self.name}: a live source needs interval_days > 0, "
                "a frozen one interval_days=None"
            )
            raise ValueError(msg)
        problem = _alias_problem(self.aliases)
        if problem:
            msg = f"source {self.name}: {problem}"
            raise ValueError(msg)
        names = [s.name for s in self.signals]
        if len(set(names)) != len(names):
            msg = f"source {self.name}: a signal is declared twice in {names}"
            raise ValueError(msg)
        # read-only, whatever mapping was given: sources are shared by the whole process
        object.__setattr__(self, "aliases", MappingProxyType(dict(self.aliases)))

    def parse(self, paths: Mapping[str, Path]) -> SourceData:
        """Parse the files (keyed by upstream file name) into tidy tables."""
        return self.parse_files(paths, self)

    def signal(self, name: str) -> Signal | None:
        """The declared signal called ``name``, or ``None``."""
        return next((s for s in self.signals if s.name == name), None)

    def error(self, file: str, message: str, **context: object) -> ParseError:
        """A :class:`ParseError` naming this source and ``file``."""
        return ParseError(message, source=self.name, file=file, **context)  # type: ignore[arg-type]


def display_aliases(
    renamed: Mapping[str, str], *also: Mapping[str, Sequence[str]]
) -> Mapping[str, tuple[str, ...]]:
    """Aliases by display name, read-only: each display name's upstream spellings (the keys of
    ``renamed``, upstream spelling -> display name), then its spellings in ``also``, each once.

    >>> dict(display_aliases({"US": "United States"}, {"United States": ["USA", "US"]}))
    {'United States': ('US', 'USA')}
    """
    out: dict[str, list[str]] = {}
    for upstream, display in renamed.items():
        if upstream != display:
            out.setdefault(display, []).append(upstream)
    for extra in also:
        for display, names in extra.items():
            out.setdefault(display, []).extend(names)
    return MappingProxyType(
        {
            d: tuple(n for n in dict.fromkeys(names) if n != d)
            for d, names in out.items()
        }
    )


def _alias_problem(aliases: Mapping[str, tuple[str, ...]]) -> str | None:
    """What is wrong with a source's aliases, else ``None``: each must be a tuple of non-empty
    names, none a display name itself, none listed for two regions (search would be ambiguous)."""
    owner: dict[str, str] = {}
    for display, names in aliases.items():
        if not isinstance(names, tuple) or not all(
            isinstance(n, str) and n.strip() for n in names
        ):
            return f"aliases of {display!r} must be a tuple of non-empty names, not {names!r}"
        for alias in names:
            if alias in aliases:
                return f"alias {alias!r} of {display!r} is itself a display name"
            if owner.setdefault(alias, display) != display:
                return (
                    f"alias {alias!r} is given to both {owner[alias]!r} and {display!r}"
                )
    return None


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


_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


def open_text(path: Path, source: Source, file: str) -> str:
    """Read a whole upstream file as text, gunzipping it if it is gzip, and check its shape.

    Raises :class:`ParseError` for a truncated or corrupt gzip, an empty file, a file that is
    not UTF-8, and an HTML page where data were expected (what a proxy or an error page gives).
    """
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
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
    problem = _shape_problem(text)
    if problem:
        raise source.error(file, problem)
    return text


def _shape_problem(text: str) -> str | None:
    """Why decoded text cannot be a data file (empty, or an HTML/XML page), else ``None``."""
    head = text.lstrip()[:200].lower()
    if not head:
        return "the file is empty: expected a header line and data"
    if head.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")):
        return "got an HTML/XML page instead of data (an error page or a changed URL?)"
    return None


def _open_binary(path: Path) -> io.BufferedIOBase:
    """The file's bytes as a stream, gunzipped on the fly if it is gzip."""
    with path.open("rb") as handle:
        magic = handle.read(2)
    return gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")


def _header_names(path: Path) -> list[str] | None:
    """The names in the header line, if the careful path would read the file's start alike:
    UTF-8 text that is not an HTML page, each name written once and without quotes."""
    limit = 1 << 16
    try:
        with _open_binary(path) as handle:
            line = handle.readline(limit)
        text = line.removeprefix(_BOM).rstrip(b"\r\n").decode("utf-8")
    except (EOFError, OSError, zlib.error, UnicodeDecodeError):
        return None
    names = text.split(",")
    if (
        len(line) >= limit
        or '"' in text
        or _shape_problem(text)
        or len({n.strip() for n in names}) != len(names)
    ):
        return None
    return names


class _PlainStream:
    """A binary stream for Arrow that notes whether the data after the header line (checked
    by :func:`_header_names`) are plain: ASCII, hence UTF-8, also in the columns Arrow skips;
    and without ``0x``, as Arrow reads ``0x10`` as 16 and pandas does not."""

    def __init__(self, handle: io.BufferedIOBase) -> None:
        self._handle = handle
        self._in_header = True
        self._last = b""
        self.plain = True
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        body = chunk
        if self._in_header:
            end = chunk.find(b"\n")
            self._in_header = end < 0
            body = b"" if end < 0 else chunk[end + 1 :]
        split_hex = self._last == b"0" and body[:1] in (b"x", b"X")
        self.plain = self.plain and not (
            split_hex or not body.isascii() or b"0x" in body or b"0X" in body
        )
        self._last = body[-1:] or self._last
        return chunk

    def close(self) -> None:
        self.closed = True


def read_typed(
    path: Path,
    *,
    text: Sequence[str] = (),
    counts: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> pd.DataFrame | None:
    """Read only the named columns of a well-formed CSV file in one typed pass, or ``None``.

    ``text`` columns come back as categoricals of the cells as written (empty cells missing),
    ``counts`` as ``Int64`` (empty cells ``<NA>``), ``optional`` text columns only if the file
    has them. Made for files of a million rows: the file is streamed once, never held whole,
    and Arrow types the cells as it goes. It gives ``None``, never an error, where the
    careful path (:func:`read_csv` and the converters) might refuse the file or read it
    otherwise: corrupt gzip, not ASCII, an HTML page, a header that does not name each column
    once, a cell Arrow cannot type, no data rows, ``0x`` in the data, a count beyond 2**53.
    """
    names = _header_names(path)
    if names is None or not {*text, *counts} <= set(names):
        return None
    text = [*text, *(c for c in optional if c in names and c not in text)]
    table = _arrow_csv(path, text, counts)
    if table is None or table.num_rows == 0:
        return None
    columns: dict[str, Any] = {c: _categorical(table.column(c)) for c in text}
    columns |= {c: _integers(table.column(c)) for c in counts}
    if any(v is None for v in columns.values()):
        return None
    return pd.DataFrame(columns, copy=False)


def _arrow_csv(
    path: Path, text: Sequence[str], counts: Sequence[str]
) -> pa.Table | None:
    """The ``text`` (dictionary-encoded) and ``counts`` (int64) columns of a plain CSV file."""
    types = {c: pa.dictionary(pa.int32(), pa.string()) for c in text}
    types |= dict.fromkeys(counts, pa.int64())
    options = pa_csv.ConvertOptions(
        column_types=types,
        include_columns=list(types),
        null_values=[""],
        strings_can_be_null=True,
    )
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    try:
        with _open_binary(path) as handle:
            stream = _PlainStream(handle)
            table = pa_csv.read_csv(
                pa.PythonFile(stream, mode="r"),
                read_options=pa_csv.ReadOptions(use_threads=False),
                parse_options=parse,
                convert_options=options,
                memory_pool=pa.system_memory_pool(),
            )
    except (pa.ArrowException, ValueError, EOFError, OSError, zlib.error):
        return None
    return table if stream.plain else None


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded Arrow column as a pandas categorical (missing: code -1)."""
    array = column.combine_chunks(memory_pool=pa.system_memory_pool())
    codes = array.indices.fill_null(-1) if array.null_count else array.indices
    return pd.Categorical.from_codes(
        codes.to_numpy(), pd.Index(array.dictionary.to_pylist())
    )


def _integers(column: pa.ChunkedArray) -> pd.arrays.IntegerArray | None:
    """An int64 Arrow column as a pandas ``Int64`` array; ``None`` if a value is beyond
    2**53, where the careful path's numbers may be floats that lose the last digits."""
    values = (column.fill_null(0) if column.null_count else column).to_numpy()
    if len(values) and (values.max() >= 2**53 or values.min() <= -(2**53)):
        return None
    return pd.arrays.IntegerArray(values, column.is_null().to_numpy())


def read_csv(
    path: Path,
    source: Source,
    file: str,
    *,
    required: Sequence[str],
    text: str | None = None,
    text_columns: Sequence[str] | None = None,
    sep: str = ",",
) -> pd.DataFrame:
    """Read an upstream CSV (or, with ``sep="\\t"``, TSV), checking the required columns.

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
            sep=sep,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        kind = "CSV" if sep == "," else "tab-separated"
        msg = f"not a readable {kind} table ({str(exc).strip().splitlines()[-1]})"
        raise source.error(file, msg) from exc
    except pd.errors.EmptyDataError as exc:
        msg = "no header line: expected a CSV table"
        raise source.error(file, msg) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first cells of lines longer than the header as an index
        msg = "a line has more fields than the header: expected one field per column"
        raise source.error(file, msg, expected=f"{len(frame.columns)} fields")
    names = [str(c).strip() for c in frame.columns]
    # pandas renames a repeated name (a, a.1): look at the header as written
    with contextlib.suppress(csv.Error, StopIteration):
        written = [
            n.strip()
            for n in next(
                csv.reader(
                    [text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")],
                    delimiter=sep,
                )
            )
        ]
        if len(written) == len(names):
            names = [
                w if w == n or n.startswith(w + ".") else n
                for w, n in zip(written, names, strict=True)
            ]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = f"column {twice[0]!r} is in the header twice: expected each column once"
        raise source.error(file, msg)
    frame.columns = [str(c).strip() for c in frame.columns]
    short = _short_last_line(text, sep)
    if short is not None:
        line, found, expected = short
        msg = (
            f"the last line has {found} of the header's {expected} fields: the file ends "
            "mid-line (a download cut short?)"
        )
        raise source.error(file, msg, row=line, expected=f"{expected} fields")
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


def _short_last_line(text: str, sep: str = ",") -> tuple[int, int, int] | None:
    r"""(line number, fields, fields of the header) of a last line with fewer fields than the
    header: what a file cut off in the middle of its last line looks like. (A cut inside the
    last cell leaves a shorter value, which no reader can tell from data.)

    >>> _short_last_line("a,b,c\n1,2,3\n4,5"), _short_last_line("a,b\n1,2\n")
    ((3, 2, 3), None)
    >>> _short_last_line('a,b,c\n1,2,3\n4,5,"six\nlines"\n')  # a quoted line break

    """
    body = text.rstrip("\r\n")
    first = body.find("\n")
    if first < 0:
        return None
    start = body.rfind("\n") + 1
    # a line break inside a quoted cell is not the start of the last record: step back
    # to a line break after an even number of quotes
    while start > first + 1 and body.count('"', 0, start) % 2:
        start = body.rfind("\n", 0, start - 1) + 1
    if start <= first:
        return None
    try:
        header = next(csv.reader([body[:first].rstrip("\r")], delimiter=sep), [])
        last = next(csv.reader([body[start:].rstrip("\r")], delimiter=sep), [])
    except (
        csv.Error
    ):  # a stray line break inside: the readers' checks deal with the cells
        return None
    if len(last) < len(header):
        return body.count("\n", 0, start) + 1, len(last), len(header)
    return None


def line_of(frame: pd.DataFrame, pos: int) -> int:
    """The file line of the row at position ``pos``: frames keep the index :func:`read_csv`
    gave them (row 0 is line 2, after the header), also after rows were filtered out."""
    return int(frame.index[pos]) + 2


def cell_error(
    frame: pd.DataFrame,
    pos: int,
    column: str,
    source: Source,
    file: str,
    message: str,
    expected: str,
) -> ParseError:
    """The one-line error for the cell of row ``pos`` (position) of ``column``: the file line,
    the column, what was expected and the value as written (if any)."""
    value = frame[column].iloc[pos]
    return source.error(
        file,
        message,
        row=line_of(frame, pos),
        column=column,
        expected=expected,
        value=None if pd.isna(value) else str(value),
    )


#: Counts at or above this are refused: beyond it a float64 no longer holds every whole
#: number (and no epidemic count comes near it).
MAX_COUNT = 2.0**53


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
    bad |= numbers.abs().ge(MAX_COUNT).fillna(False)  # also inf, 1e400
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        expected = "a whole number" + (f" >= {minimum}" if minimum is not None else "")
        msg = "not a count" if pd.notna(text.iloc[pos]) else "empty cell"
        raise cell_error(frame, pos, column, source, file, msg, expected)
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
    frame: pd.DataFrame, column: str, source: Source, file: str, *, fmt: str
) -> pd.Series:
    """Parse a text column of dates in format ``fmt``, naming the first line that does not fit."""
    dates = to_dates(frame[column], fmt)
    bad = dates.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        expected = f"a date like {_example_date(fmt)}"
        raise cell_error(frame, pos, column, source, file, "not a date", expected)
    return dates


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
        raise source.error(
            file,
            "not a count",
            row=line_of(frame, r),
            column=str(date_names[c]),
            expected=f"a whole number >= 0 and below {MAX_COUNT:.0e}",
            value=str(columns[c].iat[r]),
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


#: The columns of a parser's signal rows (:attr:`SourceData.signals`).
SIGNAL_LAYOUT: tuple[str, ...] = (
    "region_id", "signal", "pathogen", "age_group", "estimate", "date", "value", "lo", "hi",
)  # fmt: skip


# -- readers of the sources of signals ----------------------------------------------------------


def no_cases() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The empty observations and regions of a source of signals only."""
    return (
        pd.DataFrame(columns=["region_id", "date", "cases", "deaths"]),
        pd.DataFrame(columns=["region_id", "name", "kind", "parent", "population"]),
    )


def _missing(text: pd.Series) -> pd.Series:
    """Where a cell is missing as RKI writes it: ``NA`` (or empty)."""
    return text.isna() | text.str.strip().eq("NA").fillna(False).astype(bool)


def number_column(
    frame: pd.DataFrame,
    column: str,
    source: Source,
    file: str,
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
        raise cell_error(frame, pos, column, source, file, msg, expected)
    return pd.Series(values * scale, index=frame.index)


def count_column(
    frame: pd.DataFrame,
    column: str,
    source: Source,
    file: str,
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
        source,
        file,
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


def week_column(
    frame: pd.DataFrame, column: str, source: Source, file: str
) -> pd.Series:
    """A text column of ISO weeks (``2021-W09``) as the Monday of each week
    (``datetime64[s]``); the error names the first line that is not one."""
    text = frame[column]
    mondays = {v: _monday(v) for v in text.dropna().unique()}
    dates = text.map(mondays)
    bad = dates.isna().to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        expected = "an ISO week like 2021-W09 (YYYY-Www, week 01 ... 52 or 53)"
        raise cell_error(frame, pos, column, source, file, "not an ISO week", expected)
    return pd.to_datetime(dates).astype("datetime64[s]")


def known_values(
    frame: pd.DataFrame,
    column: str,
    allowed: Sequence[str],
    source: Source,
    file: str,
) -> pd.Series:
    """A text column, stripped, whose every value is one of ``allowed``; the error names the
    first line with another."""
    text = frame[column].str.strip()
    bad = ~text.isin(allowed).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        value = frame[column].iloc[pos]
        msg = f"unknown {column} {value!r}" if pd.notna(value) else "empty cell"
        expected = f"one of {', '.join(allowed)}"
        raise cell_error(frame, pos, column, source, file, msg, expected)
    return text


def signal_rows(
    frame: pd.DataFrame,
    *,
    region_id: pd.Series | str,
    signal: str,
    pathogen: pd.Series | str,
    age_group: pd.Series | str,
    estimate: str,
    date: pd.Series,
    value: pd.Series,
    lo: pd.Series | None = None,
    hi: pd.Series | None = None,
) -> pd.DataFrame:
    """One estimate of one signal for every row of ``frame``, in the parser's signal layout."""
    nan = pd.Series(np.nan, index=frame.index)
    return pd.DataFrame(
        {
            "region_id": region_id,
            "signal": signal,
            "pathogen": pathogen,
            "age_group": age_group,
            "estimate": estimate,
            "date": date,
            "value": value,
            "lo": nan if lo is None else lo,
            "hi": nan if hi is None else hi,
        },
        index=frame.index,
    )


def signals_data(
    parts: Sequence[pd.DataFrame], notes: list[str] | None = None
) -> SourceData:
    """The :class:`~.base.SourceData` of a source of signals only."""
    observations, regions = no_cases()
    frame = pd.concat(parts, ignore_index=True)[list(SIGNAL_LAYOUT)]
    return SourceData(observations, regions, notes or [], signals=frame)

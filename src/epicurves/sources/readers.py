"""Reading upstream files: whole text with its shape checked, CSV tables cell by cell, and a typed Arrow pass for large files.

Two ways to read a file: :func:`read_typed`, one typed pass with Arrow for large, well-formed
files, which gives ``None`` (never an error) at the first thing it does not expect; and the careful
text path (:func:`read_csv` and the converters of :mod:`.cells`), whose errors name the line and
column. A parser tries the first and falls back to the second, so both accept and refuse the same
files. Every reader takes a :class:`FileRef`, the file as its errors name it: a source's upstream
file, or a user's own (:func:`epicurves.read_observations`).

Parquet files (:func:`read_parquet`) are read typed by Arrow. They have no lines: a frame read
from one has its index named :data:`ROW`, the 1-based data row, and errors name ``row N``
where a text file's name ``line N`` (:func:`line_of`, :func:`row_error`).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..lazy import np, pa, pa_csv, pd, pq

__all__ = [
    "PARQUET_KINDS",
    "ROW",
    "FileRef",
    "cell_error",
    "day_text",
    "line_of",
    "open_text",
    "read_csv",
    "read_parquet",
    "read_typed",
    "row_error",
]

#: The index name of a frame read from a Parquet file: its values are 1-based data rows.
ROW = "row"


@dataclass(frozen=True)
class FileRef:
    """A file being read, as errors name it: ``source`` (a source's name, or ``user`` for a
    user's own file) and ``name`` (the upstream file name, or the file's name)."""

    source: str
    name: str

    def error(self, message: str, **context: Any) -> ParseError:
        """A :class:`~epicurves.ParseError` naming the source and the file; ``context`` gives
        ``row``, ``column``, ``expected`` and ``value`` where known."""
        return ParseError(message, source=self.source, file=self.name, **context)


_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


def _gunzipped(path: Path, ref: FileRef) -> bytes:
    """The bytes of an upstream file, gunzipped if it is gzip (a mirror's ``.gz``, or a
    server's); a corrupt or truncated gzip is a :class:`ParseError`."""
    raw = path.read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            msg = f"corrupt or truncated gzip ({exc})"
            raise ref.error(msg) from exc
    return raw


def open_text(path: Path, ref: FileRef) -> str:
    """Read a whole upstream file as text, gunzipping it if it is gzip, and check its shape.

    Raises :class:`ParseError` for a truncated or corrupt gzip, an empty file, a file that is
    not UTF-8, and an HTML page where data were expected (what a proxy or an error page gives).
    """
    raw = _gunzipped(path, ref)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text (byte {exc.start})"
        raise ref.error(msg) from exc
    problem = _shape_problem(text)
    if problem:
        raise ref.error(problem)
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
    ref: FileRef,
    *,
    required: Sequence[str],
    text: str | None = None,
    text_columns: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
    sep: str = ",",
) -> pd.DataFrame:
    """Read an upstream CSV (or, with ``sep="\\t"``, TSV), checking the required columns.

    Every column is kept as text (or only ``text_columns``, the rest left for pandas to infer, the
    fast path for wide tables of numbers), so that each parser converts values with errors that
    name the line and column; empty cells become ``<NA>``. ``categorical`` columns (of few
    distinct values) are read as categoricals of their cells as written, not a string a row.
    """
    if text is None:
        text = open_text(path, ref)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=defaultdict(lambda: "string", dict.fromkeys(categorical, "category"))
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
        raise ref.error(msg) from exc
    except pd.errors.EmptyDataError as exc:
        msg = "no header line: expected a CSV table"
        raise ref.error(msg) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes the first cells of lines longer than the header as an index
        msg = "a line has more fields than the header: expected one field per column"
        raise ref.error(msg, expected=f"{len(frame.columns)} fields")
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
        raise ref.error(msg)
    frame.columns = [str(c).strip() for c in frame.columns]
    short = _short_last_line(text, sep)
    if short is not None:
        line, found, expected = short
        msg = (
            f"the last line has {found} of the header's {expected} fields: the file ends "
            "mid-line (a download cut short?)"
        )
        raise ref.error(msg, row=line, expected=f"{expected} fields")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = (
            f"missing column {missing[0]!r}: expected columns {', '.join(required)}; "
            f"found {', '.join(frame.columns[:12])}"
            + (" ..." if len(frame.columns) > 12 else "")
        )
        raise ref.error(msg)
    if frame.empty:
        msg = "no data rows: expected at least one row after the header"
        raise ref.error(msg)
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
    gave them (row 0 is line 2, after the header), also after rows were filtered out. For a
    frame read by :func:`read_parquet` (index named :data:`ROW`), its 1-based data row."""
    if frame.index.name == ROW:
        return int(frame.index[pos])
    return int(frame.index[pos]) + 2


def row_error(
    frame: pd.DataFrame,
    pos: int,
    ref: FileRef,
    message: str,
    *,
    column: str | None = None,
    expected: str | None = None,
    value: object = None,
) -> ParseError:
    """The one-line error for the row at position ``pos`` of ``frame``: ``line N`` of a text
    file, ``row N`` of a Parquet file (the error's ``row`` is N either way), then the column,
    what was expected and the value found.

    >>> frame = pd.DataFrame({"n": [1, -2]}, index=pd.RangeIndex(1, 3, name=ROW))
    >>> print(row_error(frame, 1, FileRef("s", "f.parquet"), "negative", column="n"))
    s: f.parquet: row 2, column 'n': negative
    >>> print(row_error(frame.reset_index(drop=True), 1, FileRef("s", "f.csv"), "negative"))
    s: f.csv: line 3: negative
    """
    unit = "row" if frame.index.name == ROW else "line"
    return ref.error(
        message, row=line_of(frame, pos), column=column, expected=expected, value=value,
        unit=unit,
    )  # fmt: skip


def day_text(value: Any) -> str:
    """A date as ``YYYY-MM-DD``, also one far outside Python's dates (a corrupt file's).

    >>> day_text(pd.Timestamp("2021-03-06")), day_text(np.datetime64(10**13, "s"))
    ('2021-03-06', '318857-05-20')
    """
    return str(np.datetime_as_string(np.datetime64(value, "D")))


def cell_error(
    frame: pd.DataFrame,
    pos: int,
    column: str,
    ref: FileRef,
    message: str,
    expected: str,
) -> ParseError:
    """The one-line error for the cell of row ``pos`` (position) of ``column``: the file line
    (or Parquet row), the column, what was expected and the value as written (if any; a date
    as ``YYYY-MM-DD``)."""
    value = frame[column].iloc[pos]
    if isinstance(value, pd.Timestamp):
        value = day_text(value)
    return row_error(
        frame,
        pos,
        ref,
        message,
        column=column,
        expected=expected,
        value=None if pd.isna(value) else str(value),
    )


# -- Parquet ----------------------------------------------------------------------------------

#: The kinds of column :func:`read_parquet` reads, as its errors say what was expected.
PARQUET_KINDS: dict[str, str] = {
    "text": "text (a string)",
    "number": "a number (an integer or a floating-point number)",
    "date": "a date (date32 or date64)",
}
_PARQUET_MAGIC = b"PAR1"


def _parquet_kind(kind: str, type_: pa.DataType) -> bool:
    """Whether an Arrow column of ``type_`` can be read as ``kind``."""
    if kind == "text":
        if pa.types.is_dictionary(type_):
            type_ = type_.value_type
        return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))
    if kind == "number":
        return bool(pa.types.is_integer(type_) or pa.types.is_floating(type_))
    return bool(pa.types.is_date(type_))


def _parquet_bytes(path: Path, ref: FileRef) -> bytes:
    """The bytes of a Parquet file (gunzipped if it is gzip), with its shape checked: not
    empty, not an HTML page, ``PAR1`` at both ends (a cut download lacks the end)."""
    raw = _gunzipped(path, ref)
    if not raw.strip():
        msg = "the file is empty: expected a Parquet file"
        raise ref.error(msg)
    problem = _shape_problem(raw[:200].decode("utf-8", "replace"))
    if problem:
        raise ref.error(problem)
    if raw[:4] != _PARQUET_MAGIC:
        msg = "not a Parquet file: it does not start with PAR1"
        raise ref.error(msg)
    if raw[-4:] != _PARQUET_MAGIC or len(raw) < 12:
        msg = (
            "truncated Parquet file: it does not end with PAR1 (a download cut short?)"
        )
        raise ref.error(msg)
    return raw


def _unreadable(ref: FileRef, exc: Exception, column: str | None = None) -> ParseError:
    """The error of a Parquet file Arrow cannot read, with the first line of Arrow's reason."""
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return ref.error(f"not a readable Parquet file ({reason})", column=column)


def _parquet_values(values: pa.ChunkedArray, kind: str) -> Any:
    """A column read by :func:`read_parquet` as pandas holds it."""
    if kind == "text":
        if not pa.types.is_dictionary(values.type):
            values = values.dictionary_encode()
        return _categorical(values.unify_dictionaries())
    if kind == "number":
        return values.cast(pa.float64(), safe=False).to_numpy()
    return values.cast(pa.timestamp("s")).to_numpy().astype("datetime64[s]")


def read_parquet(
    path: Path,
    ref: FileRef,
    *,
    required: Mapping[str, str],
    nullable: Sequence[str] = (),
) -> pd.DataFrame:
    """Read the ``required`` columns of an upstream Parquet file (or its gzip), each of the
    kind it names (:data:`PARQUET_KINDS`): ``text`` as a categorical (strings are read
    dictionary-encoded, never as a string per row), ``number`` as float64, ``date`` as
    midnight ``datetime64[s]``. Other columns are not read.

    The frame's index is the 1-based data row, named :data:`ROW`, so that the converters and
    checks of :mod:`.cells` name ``row N``. Raises :class:`ParseError` for an empty, cut or
    corrupt file, an HTML page, a required column missing or of another type, no data rows,
    and an empty cell in a column not ``nullable``.
    """
    raw = _parquet_bytes(path, ref)
    text = [c for c, kind in required.items() if kind == "text"]
    try:
        schema = pq.ParquetFile(pa.BufferReader(raw)).schema_arrow
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _unreadable(ref, exc) from exc
    names = list(schema.names)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = f"column {twice[0]!r} is in the file twice: expected each column once"
        raise ref.error(msg)
    missing = [c for c in required if c not in names]
    if missing:
        msg = (
            f"missing column {missing[0]!r}: expected columns {', '.join(required)}; "
            f"found {', '.join(names[:12])}" + (" ..." if len(names) > 12 else "")
        )
        raise ref.error(msg)
    for column, kind in required.items():
        type_ = schema.field(column).type
        if not _parquet_kind(kind, type_):
            msg = f"holds {type_}"
            raise ref.error(msg, column=column, expected=PARQUET_KINDS[kind])
    try:
        file = pq.ParquetFile(pa.BufferReader(raw), read_dictionary=text)
        table = file.read(columns=list(required))
    except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
        raise _unreadable(ref, exc) from exc
    if table.num_rows == 0:
        msg = "no data rows: expected at least one row"
        raise ref.error(msg)
    columns: dict[str, Any] = {}
    for column, kind in required.items():
        values = table.column(column)
        if values.null_count and column not in nullable:
            pos = int(
                np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0]
            )
            msg = "empty cell"
            raise ref.error(
                msg,
                row=pos + 1,
                column=column,
                expected=PARQUET_KINDS[kind],
                unit="row",
            )
        try:
            columns[column] = _parquet_values(values, kind)
        except (pa.ArrowException, ValueError) as exc:  # corrupt pages: bad UTF-8 ...
            raise _unreadable(ref, exc, column) from exc
    return pd.DataFrame(
        columns, index=pd.RangeIndex(1, table.num_rows + 1, name=ROW), copy=False
    )

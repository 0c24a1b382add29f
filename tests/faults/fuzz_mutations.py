"""The fuzzer's mutations, as hypothesis strategies: what a broken download or a changed upstream format does to a file.

Lines deleted, repeated, swapped, joined or cut; cells deleted, repeated, swapped or replaced
by one of the :data:`TOKENS`; a column swapped or dropped; a digit changed; the header renamed;
random bytes inserted; the file cut, gzip-compressed or cut after compressing; or the whole file
replaced by random bytes. :func:`broken_input` breaks one file of a clean input of
:mod:`fuzz_bases`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

from hypothesis import note
from hypothesis import strategies as st

from .fuzz_bases import bases

# -- mutations -------------------------------------------------------------------------------
#: Cell values that break parsers: quoting, separators, encodings, numbers, dates, markup.
TOKENS: tuple[bytes, ...] = (
    b"",
    b" ",
    b'"',
    b'""',
    b'"a,b"',
    b'"unterminated',
    b",",
    b",,",
    b";",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xef\xbb\xbf",  # BOM
    b"\xff\xfe",
    b"\xe4",  # latin-1 ä: not UTF-8
    "ä".encode(),
    "München".encode(),
    "\u2028".encode(),
    "\U0001f600".encode(),
    b"\\",
    b"'",
    b"#",
    b"*",
    b"-1",
    b"-0",
    b"+5",
    b"0",
    b"00",
    b"0.5",
    b"2.0",
    b"1e3",
    b"1E400",
    b"0x10",
    b"1_000",
    b"1,000",
    b" 7 ",
    b"NaN",
    b"nan",
    b"inf",
    b"-inf",
    b"NA",
    b"N/A",
    b"null",
    b"None",
    b"True",
    b"9007199254740993",
    b"18446744073709551616",
    b"9" * 30,
    b"9" * 400,
    b"2021-02-30",
    b"2021-13-01",
    b"0000-00-00",
    b"99999-01-01",
    b"1677-09-21",
    b"2262-04-12",
    b"2021-03-01T17:00:00+0000",
    b"2021-03-01 ",
    b"2/30/21",
    b"13/1/21",
    b"1/1/1900",
    b"3/13/21",
    b"2020-W11",
    b"00+",
    b"00-04",
    b"u",
    b"17000",
    b"11000",
    b"09162",
    b"99",
    b"00",
    b"US",
    b"DE",
    b"Korea, South",
    b"Taiwan*",
    b"<html><body>error</body></html>",
    b"<!DOCTYPE html>",
    b"{",
    b"}",
    b"[]",
    b'"population": -1',
    b'"population": 1.5',
    b'"population": "12"',
    b'"name": null',
    b": {}",
    b'{"1": 2}',
)

Lines = list[bytes]


def _eol(line: bytes) -> tuple[bytes, bytes]:
    body = line.rstrip(b"\r\n")
    return body, line[len(body) :]


def _index(draw: st.DrawFn, lines: Lines, header: bool = True) -> int:
    """A line's index, the header now and then (``header``)."""
    low = 0 if header or len(lines) < 2 else 1
    return draw(st.integers(low, len(lines) - 1))


def _cells(line: bytes) -> tuple[list[bytes], bytes]:
    body, eol = _eol(line)
    return body.split(b","), eol


def _join(cells: list[bytes], eol: bytes) -> bytes:
    return b",".join(cells) + eol


def m_delete_line(draw: st.DrawFn, lines: Lines) -> Lines:
    i = _index(draw, lines)
    return lines[:i] + lines[i + 1 :]


def m_duplicate_line(draw: st.DrawFn, lines: Lines) -> Lines:
    i, j = _index(draw, lines), _index(draw, lines)
    line = lines[i] if lines[i].endswith(b"\n") else lines[i] + b"\n"
    return [*lines[:j], line, *lines[j:]]


def m_swap_lines(draw: st.DrawFn, lines: Lines) -> Lines:
    i, j = _index(draw, lines), _index(draw, lines)
    out = list(lines)
    bi, ei = _eol(out[i])
    bj, ej = _eol(out[j])
    out[i], out[j] = bj + ei, bi + ej
    return out


def m_join_lines(draw: st.DrawFn, lines: Lines) -> Lines:
    if len(lines) < 2:
        return lines
    i = draw(st.integers(0, len(lines) - 2))
    return [*lines[:i], _eol(lines[i])[0] + lines[i + 1], *lines[i + 2 :]]


def m_truncate(draw: st.DrawFn, lines: Lines) -> Lines:
    """Cut the file in a line (as a download cut short)."""
    i = _index(draw, lines)
    pos = draw(st.integers(0, len(lines[i])))
    return [*lines[:i], lines[i][:pos]]


def m_keep_header(draw: st.DrawFn, lines: Lines) -> Lines:
    n = draw(st.integers(0, min(2, len(lines))))
    return lines[:n]


def _cell_edit(
    edit: Callable[[st.DrawFn, list[bytes]], list[bytes]], header: bool = True
) -> Callable[[st.DrawFn, Lines], Lines]:
    def mutate(draw: st.DrawFn, lines: Lines) -> Lines:
        i = _index(draw, lines, header=header)
        cells, eol = _cells(lines[i])
        out = list(lines)
        out[i] = _join(edit(draw, cells), eol)
        return out

    mutate.__name__ = edit.__name__
    return mutate


def _cell(draw: st.DrawFn, cells: list[bytes]) -> int:
    return draw(st.integers(0, len(cells) - 1))


def delete_cell(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    c = _cell(draw, cells)
    return cells[:c] + cells[c + 1 :]


def duplicate_cell(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    c = _cell(draw, cells)
    return cells[: c + 1] + cells[c:]


def swap_cells(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    a, b = _cell(draw, cells), _cell(draw, cells)
    out = list(cells)
    out[a], out[b] = out[b], out[a]
    return out


def set_cell(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    c = _cell(draw, cells)
    out = list(cells)
    out[c] = draw(st.sampled_from(TOKENS))
    return out


def wrap_cell(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    """Quote a cell, pad it with spaces, or add a token before or after it."""
    c = _cell(draw, cells)
    out = list(cells)
    how = draw(st.sampled_from(["quote", "pad", "prefix", "suffix"]))
    if how == "quote":
        out[c] = b'"' + out[c] + b'"'
    elif how == "pad":
        out[c] = b" " + out[c] + b"  "
    elif how == "prefix":
        out[c] = draw(st.sampled_from(TOKENS)) + out[c]
    else:
        out[c] = out[c] + draw(st.sampled_from(TOKENS))
    return out


def change_digit(draw: st.DrawFn, cells: list[bytes]) -> list[bytes]:
    c = _cell(draw, cells)
    cell = cells[c]
    digits = [k for k, b in enumerate(cell) if 48 <= b <= 57]
    if not digits:
        return cells
    k = draw(st.sampled_from(digits))
    new = draw(st.sampled_from(b"0123456789-.e"))
    out = list(cells)
    out[c] = cell[:k] + bytes([new]) + cell[k + 1 :]
    return out


def m_column(draw: st.DrawFn, lines: Lines) -> Lines:
    """Swap two columns, or drop or repeat one, in every line (the header included)."""
    table = [_cells(line) for line in lines]
    width = max(len(cells) for cells, _ in table)
    a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
    how = draw(st.sampled_from(["swap", "drop", "repeat"]))
    out = []
    for cells, eol in table:
        cells = list(cells)
        if how == "swap" and max(a, b) < len(cells):
            cells[a], cells[b] = cells[b], cells[a]
        elif how == "drop" and a < len(cells):
            del cells[a]
        elif how == "repeat" and a < len(cells):
            cells.insert(b, cells[a])
        out.append(_join(cells, eol))
    return out


def m_header(draw: st.DrawFn, lines: Lines) -> Lines:
    """Rename a header cell: another case, spaces, a token, another column's name."""
    cells, eol = _cells(lines[0])
    c = _cell(draw, cells)
    how = draw(st.sampled_from(["upper", "lower", "space", "token", "other"]))
    cells = list(cells)
    if how == "upper":
        cells[c] = cells[c].upper()
    elif how == "lower":
        cells[c] = cells[c].lower()
    elif how == "space":
        cells[c] = b" " + cells[c] + b" "
    elif how == "token":
        cells[c] = draw(st.sampled_from(TOKENS))
    else:
        cells[c] = cells[_cell(draw, cells)]
    return [_join(cells, eol), *lines[1:]]


def m_separator(draw: st.DrawFn, lines: Lines) -> Lines:
    """A line (or the whole file) with another separator."""
    sep = draw(st.sampled_from([b";", b"\t", b"|", b", "]))
    if draw(st.booleans()):
        return [line.replace(b",", sep) for line in lines]
    i = _index(draw, lines)
    out = list(lines)
    out[i] = out[i].replace(b",", sep)
    return out


def m_insert_bytes(draw: st.DrawFn, lines: Lines) -> Lines:
    """Random bytes, or a token, at a random place in a line."""
    i = _index(draw, lines)
    pos = draw(st.integers(0, len(lines[i])))
    junk = draw(st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from(TOKENS)))
    out = list(lines)
    out[i] = lines[i][:pos] + junk + lines[i][pos:]
    return out


def m_flip_byte(draw: st.DrawFn, lines: Lines) -> Lines:
    i = _index(draw, lines)
    if not lines[i]:
        return lines
    pos = draw(st.integers(0, len(lines[i]) - 1))
    out = list(lines)
    out[i] = lines[i][:pos] + bytes([draw(st.integers(0, 255))]) + lines[i][pos + 1 :]
    return out


def m_line_endings(draw: st.DrawFn, lines: Lines) -> Lines:
    eol = draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"]))
    return [_eol(line)[0] + (eol if _eol(line)[1] else b"") for line in lines]


MUTATIONS: tuple[Callable[[st.DrawFn, Lines], Lines], ...] = (
    m_delete_line,
    m_duplicate_line,
    m_swap_lines,
    m_join_lines,
    m_truncate,
    m_keep_header,
    _cell_edit(delete_cell),
    _cell_edit(duplicate_cell),
    _cell_edit(swap_cells),
    _cell_edit(set_cell),
    _cell_edit(set_cell, header=False),
    _cell_edit(set_cell, header=False),
    _cell_edit(wrap_cell),
    _cell_edit(change_digit, header=False),
    _cell_edit(change_digit, header=False),
    m_column,
    m_header,
    m_separator,
    m_insert_bytes,
    m_flip_byte,
    m_line_endings,
)


def _finish(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes as written: plain (mostly), with a BOM, gzip-compressed, or cut gzip."""
    how = draw(st.sampled_from(["plain"] * 6 + ["bom", "gzip", "cut-gzip", "bad-gzip"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "plain":
        return data
    packed = gzip.compress(data, mtime=0)
    if how == "gzip":
        return packed
    if how == "cut-gzip":
        return packed[: draw(st.integers(0, len(packed) - 1))]
    pos = draw(st.integers(10, len(packed) - 1))
    return packed[:pos] + bytes([packed[pos] ^ 0xFF]) + packed[pos + 1 :]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after one to four mutations."""
    lines = base.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        mutation = draw(st.sampled_from(MUTATIONS))
        lines = mutation(draw, lines)
    return _finish(draw, b"".join(lines))


@st.composite
def random_file(draw: st.DrawFn, base: bytes) -> bytes:
    """Random bytes, or random bytes after the clean header line."""
    junk = draw(st.binary(max_size=200))
    if draw(st.booleans()):
        return base.splitlines(keepends=True)[0] + junk
    return junk


def broken_input(
    data: st.DataObject, name: str
) -> tuple[str, str, bytes, dict[str, bytes]]:
    """(base, broken file, its bytes, every file's bytes) of source ``name``: one file of a
    clean input broken."""
    choices = bases(name)
    base = data.draw(st.sampled_from(sorted(choices)), label="base")
    files = dict(choices[base])
    file = data.draw(st.sampled_from(sorted(files)), label="file")
    clean = files[file]
    content = data.draw(
        st.one_of(mutated(clean), mutated(clean), random_file(clean)), label="content"
    )
    files[file] = content
    note(f"reproducer: ({name!r}, {base!r}, {file!r}, {content!r})")
    return base, file, content, files

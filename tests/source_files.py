"""What the tests of the sources share: a source's files in a mirror folder, its signals as the store keeps them, one series of them, and bad inputs made by changing a file's lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from epicurves import get_source
from epicurves.errors import ParseError
from epicurves.fetch import find_in_mirror
from epicurves.model import tidy_signals
from epicurves.rules import validate_signals


def mirror_paths(folder: Path, name: str, *, skip: bool = False) -> dict[str, Path]:
    """Each file of source ``name`` in the mirror ``folder`` (plain or ``.gz``, as the fetcher
    finds it: :func:`epicurves.fetch.find_in_mirror`). With ``skip``, the test is skipped
    where one is absent (the real files); else a missing file's ``.gz`` path is given, for
    the parser to refuse."""
    out = {}
    for f in get_source(name).files:
        found = find_in_mirror(folder, f)
        out[f.name] = found or folder / f.folder / (f.name + ".gz")
    missing = [p.name for p in out.values() if not p.is_file()]
    if skip and missing:
        pytest.skip(f"{', '.join(missing)} not in {folder}")
    return out


def stored_signals(folder: Path, name: str) -> pd.DataFrame:
    """The signals of source ``name`` parsed from ``folder``, as the store keeps them (tidy
    and validated); the source gives no case counts."""
    source = get_source(name)
    data = source.parse(mirror_paths(folder, name))
    assert data.observations.empty and data.regions.empty
    assert data.signals is not None
    frame = tidy_signals(data.signals, name, source.signals)
    validate_signals(frame, name, source.signals)
    return frame


def rows_where(frame: pd.DataFrame, **where: str) -> pd.DataFrame:
    """The rows of ``frame`` whose columns have the values ``where`` gives, by date."""
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return frame.sort_values("date").reset_index(drop=True)


# -- bad input: a file changed line by line, refused in one line naming file, line, column ------
@dataclass(frozen=True)
class Bad:
    """A bad input: ``change`` rewrites the lines of ``file`` (the header is line 1, index 0),
    and the parse of ``source`` must fail naming ``line`` and ``column`` (None: not named),
    with each of ``words`` in its message."""

    id: str
    source: str
    file: str
    change: Callable[[list[str]], list[str]]
    line: int | None
    column: str | None
    words: tuple[str, ...] = ()


def _header(lines: list[str], sep: str) -> list[str]:
    return [h.strip('"') for h in lines[0].split(sep)]


def cell(
    line: int, column: str, value: str, sep: str = ","
) -> Callable[[list[str]], list[str]]:
    """Set the cell of ``column`` on file line ``line`` to ``value``."""

    def change(lines: list[str]) -> list[str]:
        cells = lines[line - 1].split(sep)
        cells[_header(lines, sep).index(column)] = value
        lines[line - 1] = sep.join(cells)
        return lines

    return change


def drop_column(column: str, sep: str = ",") -> Callable[[list[str]], list[str]]:
    """The file without ``column``."""

    def change(lines: list[str]) -> list[str]:
        i = _header(lines, sep).index(column)
        return [
            sep.join(c for n, c in enumerate(line.split(sep)) if n != i)
            for line in lines
        ]

    return change


def repeat(line: int, value: str | None = None) -> Callable[[list[str]], list[str]]:
    """Line ``line`` again right after it (with another last value)."""

    def change(lines: list[str]) -> list[str]:
        copy = lines[line - 1]
        if value is not None:
            copy = copy.rsplit(",", 1)[0] + "," + value
        return [*lines[:line], copy, *lines[line:]]

    return change


def assert_refused(
    mirror: Path, folder: str, bad: Bad, *, column_text: bool = True
) -> None:
    """Apply ``bad`` to its file in ``mirror/folder`` (keeping its line ends) and check the
    parse refuses it in one line: source, file, line and column as ``bad`` says (the column
    named in the text too, with ``column_text``), and its words."""
    path = mirror / folder / bad.file
    data = path.read_bytes()
    eol = "\r\n" if b"\r\n" in data else "\n"
    lines = data.decode("utf-8").rstrip(eol).split(eol)
    path.write_text(eol.join(bad.change(lines)) + eol, "utf-8")
    with pytest.raises(ParseError) as info:
        get_source(bad.source).parse(mirror_paths(mirror, bad.source))
    error = info.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{bad.source}: {bad.file}: "), message
    assert (error.row, error.column) == (bad.line, bad.column), message
    if bad.line is not None:
        assert f"line {bad.line}" in message
    if bad.column is not None and column_text:
        assert f"column {bad.column!r}" in message
    for word in bad.words:
        assert word in message, message


#: Whole files broken as downloads break them: (id, change of the file's bytes, a word the
#: refusal says).
BROKEN_FILES: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("empty", lambda b: b"", "empty"),
    ("html", lambda b: b"<!DOCTYPE html><html><body>502</body></html>\n", "HTML"),
    ("header-only", lambda b: b.split(b"\n")[0] + b"\n", "no data rows"),
    (
        "cut-mid-line",
        lambda b: b.rstrip(b"\n")[: b.rstrip(b"\n").rfind(b"\n") + 12],
        "ends mid-line",
    ),
]

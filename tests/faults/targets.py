"""The files the fault suite breaks: each source's main data file, its layout, and a mirror's files read and written.

:data:`TARGETS` says, per CSV source, which file is its main data file and how it is laid out;
the helpers below read and write the files of a fixture mirror and find the rows and cells a
parser reads. The bad inputs made with them are in :mod:`csv_inputs` and :mod:`signal_inputs`;
:mod:`inputs` gathers them all.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from epicurves import UpstreamFile, get_source
from epicurves.fetch import find_in_mirror

Table = list[list[str]]


@dataclass(frozen=True)
class Target:
    """The main data file of a source and its layout, for breaking it."""

    source: str
    file: str
    layout: str
    """``long`` (a row per region and date), ``columns`` (a column per date), ``rows`` (a row per date)."""
    required: str
    """A column the parser requires."""
    renamed: str
    """A plausible new name of ``required`` (as when upstream renames a column)."""
    date: str | None = None
    """The date column (``long`` and ``rows``)."""
    count: str | None = None
    """A count column (``long``)."""
    key: str | None = None
    """The column telling one region's series from another's (``long``)."""
    only: dict[str, str] = field(default_factory=dict)
    """Rows the parser keeps (others are ignored): column -> value, where the column exists."""
    last_key: str | None = None
    """The last non-date column (``columns``): date columns follow it."""
    population: str | None = None
    """The population column of a ``long`` file."""


RKI_ALL = {"Altersgruppe": "00+"}
TARGETS = {
    t.source: t
    for t in (
        Target("jhu", "time_series_covid19_confirmed_global.csv", "columns",
               "Country/Region", "Country_Region", last_key="Long"),
        Target("jhu-us", "time_series_covid19_confirmed_US.csv", "columns",
               "Province_State", "Province/State", last_key="Combined_Key"),
        Target("nyt", "us-states.csv", "long", "cases", "confirmed",
               date="date", count="cases", key="fips"),
        Target("rki", "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv", "long",
               "Faelle_gesamt", "Faelle_Gesamt", date="Meldedatum", count="Faelle_gesamt",
               only=RKI_ALL, population="Bevoelkerung"),
        Target("rki-states", "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv", "long",
               "Bundesland_id", "BundeslandId", date="Meldedatum", count="Faelle_gesamt",
               key="Bundesland_id", only=RKI_ALL, population="Bevoelkerung"),
        Target("rki-districts", "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv", "long",
               "Meldedatum", "Datum", date="Meldedatum", count="Faelle_gesamt",
               key="Landkreis_id", only=RKI_ALL, population="Bevoelkerung"),
        Target("germany", "cases-rki-by-ags.csv", "rows", "time_iso8601", "time",
               date="time_iso8601"),
    )
}  # fmt: skip
CSV_SOURCES = tuple(TARGETS)


# -- reading and writing a mirror's files -------------------------------------------------------


def upstream_file(source: str, name: str | None = None) -> UpstreamFile:
    """The declared file ``name`` of ``source`` (its main data file by default)."""
    name = name or TARGETS[source].file
    (file,) = [f for f in get_source(source).files if f.name == name]
    return file


def path_of(mirror: Path, source: str, name: str | None = None) -> Path:
    file = upstream_file(source, name)
    path = find_in_mirror(mirror, file)
    assert path is not None, f"the mirror lacks {file.name} of {source}"
    return path


def read_bytes(mirror: Path, source: str, name: str | None = None) -> bytes:
    raw = path_of(mirror, source, name).read_bytes()
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def write_bytes(
    mirror: Path, source: str, data: bytes, name: str | None = None
) -> None:
    """Replace the file in the mirror, compressed again if the mirror holds it as ``.gz``."""
    path = path_of(mirror, source, name)
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def read_table(mirror: Path, source: str, name: str | None = None) -> Table:
    text = read_bytes(mirror, source, name).decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def to_bytes(table: Table, **options: object) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", **options).writerows(table)  # type: ignore[arg-type]
    return out.getvalue().encode()


def write_table(
    mirror: Path, source: str, table: Table, name: str | None = None
) -> None:
    write_bytes(mirror, source, to_bytes(table), name)


def kept(table: Table, t: Target) -> list[int]:
    """Indexes of the data rows the parser keeps (0 is the header)."""
    header = table[0]
    rows = list(range(1, len(table)))
    for column, value in t.only.items():
        if column in header:
            i = header.index(column)
            rows = [n for n in rows if table[n][i].strip() == value]
    assert rows, f"{t.file}: no data rows the parser keeps"
    return rows


def series_rows(table: Table, t: Target) -> list[list[int]]:
    """The kept rows of each region's series (``long``), in the order of the file."""
    key = table[0].index(t.key) if t.key else None
    groups: dict[str, list[int]] = {}
    for n in kept(table, t):
        groups.setdefault("" if key is None else table[n][key], []).append(n)
    return list(groups.values())


def by_date(table: Table, t: Target, rows: list[int]) -> list[int]:
    """``rows`` in the order of their dates."""
    assert t.date is not None
    day = table[0].index(t.date)
    return sorted(rows, key=lambda n: table[n][day])


def series(table: Table, t: Target) -> list[int]:
    """Indexes of the kept rows of the first region with the most days, by date."""
    return by_date(table, t, max(series_rows(table, t), key=len))


def date_cols(table: Table, t: Target) -> list[int]:
    """Indexes of the date columns of a ``columns`` table."""
    assert t.last_key is not None
    first = table[0].index(t.last_key) + 1
    if "Population" in table[0]:
        first = max(first, table[0].index("Population") + 1)
    return list(range(first, len(table[0])))


def count_cell(table: Table, t: Target) -> tuple[int, int]:
    """(row, column) of a count cell the parser reads: in the middle of a series."""
    if t.layout == "long":
        assert t.count is not None
        rows = series(table, t)
        return rows[len(rows) // 2], table[0].index(t.count)
    if t.layout == "columns":
        cols = date_cols(table, t)
        return len(table) // 2, cols[len(cols) // 2]
    return len(table) // 2, table[0].index("9162")


#: A bad input: it takes the mirror and the target and rewrites a file.
Mutation = Callable[[Path, Target], None]

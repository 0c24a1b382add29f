"""The bad inputs of the weekly-signal sources: CDC's hubs (issue 21) and ECDC's ERVISS (issue 22)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .targets import (
    Mutation,
    Table,
    Target,
    path_of,
    read_bytes,
    read_table,
    to_bytes,
    write_bytes,
)

# -- CDC's hubs (issue 21): cdc-covid's Parquet file of releases, cdc-flu's CSV files -----------
#: Their main data files. Kept apart from :data:`TARGETS`: the generic inputs of csv_inputs.py
#: are made for cumulative counts with populations and daily dates, which these weekly signals
#: do not have.
CDC_TARGETS = {
    t.source: t
    for t in (
        Target("cdc-covid", "time-series.parquet", "long", "target_end_date", "date",
               date="target_end_date", count="observation", key="location"),
        Target("cdc-flu", "target-hospital-admissions.csv", "long", "weekly_rate", "rate",
               date="date", count="value", key="location"),
    )
}  # fmt: skip
CDC_SOURCES = tuple(CDC_TARGETS)
FLU_ED = "target-ed-visits-prop.csv"
CDC_LOCATIONS = "locations.csv"
#: The fixture's weeks (Saturdays) and releases (Wednesdays), as in tests/data/cdc-covid.
CDC_RELEASES = ("2021-02-24", "2021-03-03", "2021-03-10")
Cells = list[dict[str, object]]


def cdc_bytes(name: str, change: Callable[[bytes], bytes]) -> Mutation:
    """Rewrite the bytes of file ``name`` of the target's source."""

    def mutate(mirror: Path, t: Target) -> None:
        write_bytes(mirror, t.source, change(read_bytes(mirror, t.source, name)), name)

    return mutate


def cdc_truncated_gzip(name: str) -> Mutation:
    """File ``name`` gzip-compressed and cut in half."""

    def mutate(mirror: Path, t: Target) -> None:
        path = path_of(mirror, t.source, name)
        packed = gzip.compress(read_bytes(mirror, t.source, name))
        path.unlink()
        path.with_name(path.name + ".gz").write_bytes(packed[: len(packed) // 2])

    return mutate


def parquet(change: Callable[[pa.Table], pa.Table]) -> Mutation:
    """Rewrite cdc-covid's Parquet file as ``change`` makes its Arrow table."""

    def mutate(mirror: Path, t: Target) -> None:
        path = path_of(mirror, t.source, t.file)
        table_ = pq.read_table(pa.BufferReader(read_bytes(mirror, t.source, t.file)))
        out = io.BytesIO()
        pq.write_table(change(table_), out)
        path.write_bytes(
            gzip.compress(out.getvalue())
            if path.name.endswith(".gz")
            else out.getvalue()
        )

    return mutate


def parquet_rows(change: Callable[[Cells], Cells | None]) -> Mutation:
    """Rewrite cdc-covid's Parquet rows (dicts of the columns, dates as ``datetime.date``)."""

    def rewrite(table_: pa.Table) -> pa.Table:
        cells = table_.to_pylist()
        out = change(cells)
        return pa.Table.from_pylist(cells if out is None else out, schema=table_.schema)

    return parquet(rewrite)


def _is(cell: dict[str, object], target: str, location: str, release: str) -> bool:
    """Whether a Parquet row is of ``target`` (``hosp`` or ``ed``), ``location`` and the
    release dated ``release``."""
    return (
        str(cell["target"]).endswith("hosp" if target == "hosp" else "ed visits")
        and cell["location"] == location
        and str(cell["as_of"]) == release
    )


def covid_cell(
    target: str,
    location: str,
    column: str,
    value: object,
    release: str = CDC_RELEASES[1],
) -> Mutation:
    """Set ``column`` of the newest week's row of ``target`` and ``location`` in ``release``."""

    def change(cells: Cells) -> None:
        rows = [c for c in cells if _is(c, target, location, release)]
        assert rows, (target, location, release)
        max(rows, key=lambda c: str(c["target_end_date"]))[column] = value

    return parquet_rows(change)


def covid_release_moved(release: str, to: str) -> Mutation:
    """Every row of ``release`` dated ``to`` instead."""

    def change(cells: Cells) -> None:
        for c in cells:
            if str(c["as_of"]) == release:
                c["as_of"] = date.fromisoformat(to)

    return parquet_rows(change)


def covid_duplicate_key(cells: Cells) -> Cells:
    """A second row for an admissions key of a release, with another value."""
    first = next(c for c in cells if _is(c, "hosp", "06", CDC_RELEASES[1]))
    return [*cells, {**first, "observation": float(first["observation"]) + 7}]  # type: ignore[arg-type]


def covid_release_dropped(cells: Cells) -> Cells:
    """The middle release gone from the file (upstream rewrote its history)."""
    return [c for c in cells if str(c["as_of"]) != CDC_RELEASES[1]]


def flu_table(name: str, change: Callable[[Table], Table | None]) -> Mutation:
    """Rewrite the rows of cdc-flu's file ``name`` (the header is row 0)."""

    def mutate(mirror: Path, t: Target) -> None:
        rows = read_table(mirror, "cdc-flu", name)
        out = change(rows)
        write_bytes(mirror, "cdc-flu", to_bytes(rows if out is None else out), name)

    return mutate


def flu_cell(
    column: str, value: str, location: str = "36", week: str = "2021-02-27"
) -> Callable[[Table], None]:
    """Set ``column`` of the row of ``location`` and ``week`` of a cdc-flu file."""

    def change(rows: Table) -> None:
        header = rows[0]
        (row,) = [
            r
            for r in rows[1:]
            if r[header.index("location")] == location
            and r[header.index("date")] == week
        ]
        row[header.index(column)] = value

    return change


def flu_duplicate_other_value(rows: Table) -> None:
    """A second row of a location and week, with another value (and its rate)."""
    header = rows[0]
    copy = list(rows[1])
    copy[header.index("value")] = str(int(copy[header.index("value")]) + 7)
    rows.append(copy)


def location_removed(location: str) -> Mutation:
    """A location's row gone from FluSight's locations.csv (both sources read it)."""

    def mutate(mirror: Path, t: Target) -> None:
        rows = read_table(mirror, "cdc-flu", CDC_LOCATIONS)
        i = rows[0].index("location")
        kept_rows = [r for r in rows if r[i] != location]
        data = to_bytes(kept_rows).replace(b"\n", b"\r\n")  # CRLF, as upstream
        write_bytes(mirror, "cdc-flu", data, CDC_LOCATIONS)

    return mutate


# -- ECDC's ERVISS (issue 22): three CSV files of weekly signals ---------------------------------
#: Its main data file (ILI and ARI rates); the inputs below name the file they change (whole
#: files are broken with ``cdc_bytes`` and ``cdc_truncated_gzip``, which take any source's).
ECDC_TARGET = Target("ecdc-erviss", "ILIARIRates.csv", "long", "value", "rate",
                     date="yearweek", count="value", key="countryname")  # fmt: skip
ECDC_ILI, ECDC_SARI = "ILIARIRates.csv", "SARIRates.csv"
ECDC_VIRO = "SARITestsDetectionsPositivity.csv"


def ecdc_table(name: str, change: Callable[[Table], Table | None]) -> Mutation:
    """Rewrite the rows of ERVISS's file ``name`` (the header is row 0)."""

    def mutate(mirror: Path, t: Target) -> None:
        rows = read_table(mirror, t.source, name)
        out = change(rows)
        write_bytes(mirror, t.source, to_bytes(rows if out is None else out), name)

    return mutate


def ecdc_rows(rows: Table, **where: str) -> list[list[str]]:
    """The rows of an ERVISS table whose cells are ``where`` (column -> value)."""
    header = rows[0]
    found = [
        r for r in rows[1:] if all(r[header.index(c)] == v for c, v in where.items())
    ]
    assert found, where
    return found


def ecdc_cell(
    column: str, value: Callable[[str], str] | str, **where: str
) -> Callable[[Table], None]:
    """Set ``column`` of every row matching ``where`` to ``value`` (or ``value(cell)``)."""

    def change(rows: Table) -> None:
        i = rows[0].index(column)
        for row in ecdc_rows(rows, **where):
            row[i] = value(row[i]) if callable(value) else value

    return change


def ecdc_repeated(value: str, **where: str) -> Callable[[Table], None]:
    """The first row matching ``where`` once more at the end, with another value."""

    def change(rows: Table) -> None:
        copy = list(ecdc_rows(rows, **where)[0])
        copy[rows[0].index("value")] = value
        rows.append(copy)

    return change

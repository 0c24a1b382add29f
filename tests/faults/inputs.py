"""The bad inputs of the fault-injection suite: each rewrites one file of a fixture mirror.

Every input is made from the fixture files in ``tests/data`` (never from network data) at test
time. :data:`TARGETS` says, per source, which file is its main data file and how it is laid out,
so that one generic mutation (a BOM, ``;`` as delimiter, a gap of three days) can be applied to
every CSV source. ``tests/test_pipeline.py`` breaks the same files through the same targets and
file helpers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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


# -- the mutations: each takes the mirror and the target and rewrites a file -------------------

Mutation = Callable[[Path, Target], None]


def raw(change: Callable[[bytes], bytes]) -> Mutation:
    def mutate(mirror: Path, t: Target) -> None:
        write_bytes(mirror, t.source, change(read_bytes(mirror, t.source)))

    return mutate


def table(change: Callable[[Table, Target], Table | None]) -> Mutation:
    def mutate(mirror: Path, t: Target) -> None:
        rows = read_table(mirror, t.source)
        out = change(rows, t)
        write_table(mirror, t.source, rows if out is None else out)

    return mutate


def truncated_gzip(mirror: Path, t: Target) -> None:
    path = path_of(mirror, t.source)
    packed = gzip.compress(read_bytes(mirror, t.source))
    path.unlink()
    path.with_name(path.name + ".gz").write_bytes(packed[: len(packed) // 2])


def gzip_of_garbage(mirror: Path, t: Target) -> None:
    path = path_of(mirror, t.source)
    garbage = random.Random(1).randbytes(5000)
    path.unlink()
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(garbage))


def cut_mid_line(data: bytes) -> bytes:
    """The file cut off in the middle of its last line (at a comma-free point of a cell)."""
    body = data.rstrip(b"\n")
    start = body.rfind(b"\n") + 1
    return body[: start + (len(body) - start) // 2]


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def rewritten(**options: object) -> Mutation:
    """The same table written with other CSV options (delimiter, quoting)."""

    def mutate(mirror: Path, t: Target) -> None:
        write_bytes(mirror, t.source, to_bytes(read_table(mirror, t.source), **options))

    return mutate


def set_cell(value: str) -> Callable[[Table, Target], None]:
    def change(rows: Table, t: Target) -> None:
        r, c = count_cell(rows, t)
        rows[r][c] = value(rows[r][c]) if callable(value) else value  # type: ignore[operator]

    return change


def thousands(rows: Table, t: Target) -> None:
    r, c = count_cell(rows, t)
    rows[r][c] = f"{int(rows[r][c]) + 1000:,}"


def renamed_column(rows: Table, t: Target) -> None:
    rows[0][rows[0].index(t.required)] = t.renamed


def missing_column(rows: Table, t: Target) -> Table:
    i = rows[0].index(t.required)
    return [r[:i] + r[i + 1 :] for r in rows]


def extra_column(rows: Table, t: Target) -> Table:
    if t.layout == "columns":  # before the dates, where upstream added columns before
        i = rows[0].index(t.last_key) + 1  # type: ignore[arg-type]
        return [
            r[:i] + (["Note"] if n == 0 else ["x"]) + r[i:] for n, r in enumerate(rows)
        ]
    return [r + (["Note"] if n == 0 else ["x"]) for n, r in enumerate(rows)]


def reordered_columns(rows: Table, t: Target) -> Table:
    """Swap two columns the parser reads (by name): the first two, or two districts."""
    i, j = (
        (0, 1) if t.layout != "rows" else (rows[0].index("1001"), rows[0].index("9162"))
    )
    if t.layout == "columns":
        i, j = rows[0].index(t.last_key) - 1, rows[0].index(t.last_key)  # type: ignore[arg-type]
    out = []
    for r in rows:
        r = list(r)
        r[i], r[j] = r[j], r[i]
        out.append(r)
    return out


def duplicate_row(rows: Table, t: Target) -> None:
    n = count_cell(rows, t)[0]
    rows.insert(n + 1, list(rows[n]))


def duplicate_date_other_values(rows: Table, t: Target) -> None:
    if t.layout == "columns":
        cols = date_cols(rows, t)
        rows[0][cols[2]] = rows[0][cols[1]]
        return
    r, c = count_cell(rows, t)
    copy = list(rows[r])
    copy[c] = str(int(copy[c]) + 7)
    rows.insert(r + 1, copy)


def rows_reversed(rows: Table, t: Target) -> Table:
    return [rows[0], *reversed(rows[1:])]


def set_date(value: Callable[[str], str]) -> Callable[[Table, Target], None]:
    """Change the date of one row (``long``, ``rows``) or one date column (``columns``)."""

    def change(rows: Table, t: Target) -> None:
        if t.layout == "columns":
            i = date_cols(rows, t)[-1]
            rows[0][i] = value(rows[0][i])
            return
        r = series(rows, t)[-2] if t.layout == "long" else len(rows) - 2
        i = rows[0].index(t.date)  # type: ignore[arg-type]
        rows[r][i] = value(rows[r][i])

    return change


def impossible_date(text: str) -> str:
    return "2/30/21" if "/" in text else "2021-02-30" + text[10:]


def other_format(text: str) -> str:
    if "/" in text:  # 3/11/21 -> 2021-03-11
        m, d, y = text.split("/")
        return f"20{y}-{int(m):02d}-{int(d):02d}"
    return f"{text[5:7]}/{text[8:10]}/{text[:4]}" + text[10:]


def future(rows: Table, t: Target) -> None:
    """Every date moved 80 years ahead: a whole file of data from the future."""
    i = rows[0].index(t.date)  # type: ignore[arg-type]
    for r in rows[1:]:
        r[i] = "2101" + r[i][4:]


def gap(rows: Table, t: Target) -> Table:
    """Three days in a row missing from one series."""
    if t.layout == "columns":
        cols = set(date_cols(rows, t)[3:6])
        return [[c for i, c in enumerate(r) if i not in cols] for r in rows]
    if t.layout == "rows":
        return rows[:3] + rows[6:]
    drop = set(series(rows, t)[3:6])
    return [r for n, r in enumerate(rows) if n not in drop]


def going_down(rows: Table, t: Target) -> None:
    """A cumulative count lower than the day before (a correction)."""
    r, c = count_cell(rows, t)
    rows[r][c] = "0"


def new_series(key: str) -> Callable[[Table, Target], Table | None]:
    """A copy of one region's series under another key (``long``), a new column (``rows``), or
    a new row (``columns``)."""

    def change(rows: Table, t: Target) -> Table | None:
        if t.layout == "rows":
            i = rows[0].index("1002")
            return [
                r[: i + 1] + ([key] if n == 0 else [r[i]]) + r[i + 1 :]
                for n, r in enumerate(rows)
            ]
        if t.layout == "columns":
            i = rows[0].index(t.required)
            copy = list(rows[-1])
            copy[i] = key
            rows.append(copy)
            return None
        k = rows[0].index(t.key)  # type: ignore[arg-type]
        for n in series(rows, t):
            copy = list(rows[n])
            copy[k] = key
            rows.append(copy)
        return None

    return change


def huge_file(mirror: Path, t: Target) -> None:
    """About 100 MB: the header, then one valid-looking row again and again."""
    rows = read_table(mirror, t.source)
    line = to_bytes([rows[kept(rows, t)[0]]])
    head = to_bytes([rows[0]])
    path = path_of(mirror, t.source)
    with path.open("wb") as out:
        out.write(head)
        block = line * ((1 << 20) // len(line))
        for _ in range(100):
            out.write(block)


def html_page(data: bytes) -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n"


def latin1_name(mirror: Path, t: Target) -> None:
    """A name with a non-ASCII letter, written in Latin-1 instead of UTF-8."""
    if t.source in ("rki-districts", "germany"):
        name = (
            "RKI_Corona_Landkreise.csv" if t.source == "rki-districts" else "ags.json"
        )
        text = read_bytes(mirror, t.source, name).decode("utf-8-sig")
        assert "ü" in text
        write_bytes(mirror, t.source, text.encode("latin-1"), name)
        return
    column = {"jhu": "Province/State", "jhu-us": "Admin2", "nyt": "state"}[t.source]
    rows = read_table(mirror, t.source)
    i = rows[0].index(column)
    r = count_cell(rows, t)[0]
    rows[r][i] = rows[r][i] + "é"
    write_bytes(mirror, t.source, to_bytes(rows).decode().encode("latin-1"))


# -- populations and names: where each source takes them from -----------------------------------


def population(value: str) -> Mutation:
    """Set one region's population to ``value`` (``""``: missing)."""

    def mutate(mirror: Path, t: Target) -> None:
        if t.source == "germany":
            name = "ags.json"
            data = json.loads(read_bytes(mirror, "germany", name))
            data["9162"]["population"] = int(value) if value else None
            write_bytes(mirror, "germany", json.dumps(data).encode(), name)
            return
        if t.source in ("jhu", "nyt", "jhu-us"):
            name = {"jhu": "UID_ISO_FIPS_LookUp_Table.csv", "nyt": "UID_ISO_FIPS_LookUp_Table.csv",
                    "jhu-us": "time_series_covid19_deaths_US.csv"}[t.source]  # fmt: skip
            match = {
                "jhu": "Germany",
                "nyt": "California, US",
                "jhu-us": "Alameda, California, US",
            }[t.source]
            rows = read_table(mirror, t.source, name)
            key = rows[0].index("Combined_Key")
            pop = rows[0].index("Population")
            for r in rows[1:]:
                if r[key] == match:
                    r[pop] = value
            write_bytes(mirror, t.source, to_bytes(rows), name)
            return
        rows = read_table(mirror, t.source)
        i = rows[0].index(t.population)  # type: ignore[arg-type]
        for n in kept(rows, t):
            rows[n][i] = value
        write_table(mirror, t.source, rows)

    return mutate


ATTACK = '<script>alert("x")</script>\'"&\u202eevil\u05d0\u05d1'


def attacked_name(mirror: Path, t: Target) -> None:
    """München called ``<script>...`` with quotes and right-to-left characters."""
    if t.source == "germany":
        data = json.loads(read_bytes(mirror, "germany", "ags.json"))
        data["9162"]["name"] = ATTACK
        write_bytes(mirror, "germany", json.dumps(data).encode(), "ags.json")
        return
    name = "RKI_Corona_Landkreise.csv"
    rows = read_table(mirror, t.source, name)
    i = rows[0].index("GEN")
    for r in rows[1:]:
        if r[i] == "München":
            r[i] = ATTACK
    write_bytes(mirror, t.source, to_bytes(rows), name)


def unsafe_id(value: str) -> Mutation:
    """A region id that is not a safe file name: the id upstream gives a region."""

    def mutate(mirror: Path, t: Target) -> None:
        if t.source == "jhu":
            name = "UID_ISO_FIPS_LookUp_Table.csv"
            rows = read_table(mirror, "jhu", name)
            iso2, key = rows[0].index("iso2"), rows[0].index("Combined_Key")
            for r in rows[1:]:
                if r[key] == "Germany":
                    r[iso2] = value
            write_bytes(mirror, "jhu", to_bytes(rows), name)
            return
        table(new_series(value))(mirror, t)

    return mutate


# -- CDC's hubs (issue 21): cdc-covid's Parquet file of releases, cdc-flu's CSV files -----------
#: Their main data files. Kept apart from :data:`TARGETS`: the generic inputs above are made for
#: cumulative counts with populations and daily dates, which these weekly signals do not have.
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

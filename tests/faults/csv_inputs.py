"""The generic bad inputs of the CSV sources of :data:`~targets.TARGETS`: each rewrites one file of a mirror.

One mutation (a BOM, ``;`` as delimiter, a gap of three days) applies to every CSV source
through its target's layout; populations, names and region ids are broken where each source
takes them from.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

from .targets import (
    Mutation,
    Table,
    Target,
    count_cell,
    date_cols,
    kept,
    path_of,
    read_bytes,
    read_table,
    series,
    to_bytes,
    write_bytes,
    write_table,
)

# -- the mutations: each takes the mirror and the target and rewrites a file -------------------


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

"""The RKI sources' typed read (Arrow) and its careful fallback, which must give the same
tables, and read_typed giving up rather than guessing."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from epicurves.model import add_daily
from epicurves.sources import SourceData
from epicurves.sources.readers import read_typed
from epicurves.sources.rki import _cases_typed
from parse_checks import FIRST, parse, series

# ---------------------------------------------------------------------------- RKI: typed and careful reads

#: The file each RKI source reads its cases from, and the column of its region key.
RKI_CASES = {
    "rki": ("COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv", None),
    "rki-states": (
        "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv",
        "Bundesland_id",
    ),
    "rki-districts": ("COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv", "Landkreis_id"),
}
COUNTS = ["Faelle_gesamt", "Bevoelkerung"]


def tidy(data: SourceData, name: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """What the pipeline keeps of a parse: observations with daily values, regions, notes."""
    return add_daily(data.observations.assign(source=name)), data.regions, data.notes


def rewrite(path: Path, change: Any) -> None:
    """Replace the file's lines (header first, no line ending) with ``change(lines)``."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("rki", ("DE", 100_000, 84_358_845)),
        ("rki-states", ("02", 10_000, 1_892_122)),
        ("rki-districts", ("09162", 2_000, 1_512_491)),
    ],
)
def test_rki_fixture_takes_the_typed_read(
    fixtures: Path, name: str, first: tuple[str, int, int]
) -> None:
    # The rows of all ages, sorted by key and date: the first is the first key's first day.
    file, key = RKI_CASES[name]
    rows = _cases_typed(fixtures / "rki" / file, key)
    assert rows is not None
    assert len(rows) == 12 * rows["key"].nunique()
    assert tuple(rows.iloc[0][["key", "cases", "population"]]) == first
    assert rows["date"].iloc[0] == FIRST
    assert rows.dtypes.astype(str).tolist() == [
        "category",
        "datetime64[s]",
        "Int64",
        "Int64",
    ]


def _as_float(lines: list[str]) -> list[str]:
    # Line 3 (a 00+ row in every RKI fixture) with its Faelle_gesamt written as "N.0".
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("Faelle_gesamt")] += ".0"
    return [*lines[:2], ",".join(cells), *lines[3:]]


@pytest.mark.parametrize("name", list(RKI_CASES))
def test_rki_careful_read_gives_what_the_typed_read_gives(
    fixtures: Path, mirror: Path, name: str
) -> None:
    # "2000.0" is a count to the careful read, not to Arrow: the parser falls back to the
    # careful read, which must give exactly the same tables.
    file, key = RKI_CASES[name]
    rewrite(mirror / "rki" / file, _as_float)
    assert _cases_typed(mirror / "rki" / file, key) is None
    typed, careful = tidy(parse(name, fixtures), name), tidy(parse(name, mirror), name)
    pd.testing.assert_frame_equal(careful[0], typed[0])
    pd.testing.assert_frame_equal(careful[1], typed[1])
    assert careful[2] == typed[2]


def _shuffled(seed: int) -> Any:
    return lambda lines: [
        lines[0],
        *random.Random(seed).sample(lines[1:], len(lines) - 1),
    ]


@pytest.mark.parametrize("name", ["rki-states", "rki-districts"])
@pytest.mark.parametrize("seed", [0, 1])
def test_rki_rows_in_any_order(
    fixtures: Path, mirror: Path, name: str, seed: int
) -> None:
    file, key = RKI_CASES[name]
    rewrite(mirror / "rki" / file, _shuffled(seed))
    assert _cases_typed(mirror / "rki" / file, key) is not None
    shuffled = tidy(parse(name, mirror), name)
    ordered = tidy(parse(name, fixtures), name)
    pd.testing.assert_frame_equal(shuffled[0], ordered[0])
    pd.testing.assert_frame_equal(shuffled[1], ordered[1])
    assert shuffled[2] == ordered[2]
    if name == "rki-districts":
        assert series(shuffled[0], "DE-09162", "cases") == [
            2_000 + 200 * k for k in range(12)
        ]
        assert series(shuffled[0], "DE-09162", "new_cases") == [2_000] + [200] * 11


GOOD = b"Meldedatum,Landkreis_id,Bevoelkerung,Faelle_gesamt\n2021-03-01,09162,1512491,2000\n"


def read_good_columns(path: Path) -> pd.DataFrame | None:
    return read_typed(path, text=["Meldedatum", "Landkreis_id"], counts=COUNTS)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (GOOD.replace(b",2000", b",0x10"), "Arrow reads 0x10 as 16, pandas does not"),
        (GOOD.replace(b",2000", b",2000.0"), "a whole number written as a float"),
        (GOOD.replace(b"1512491", b"1512491\xff"), "not UTF-8"),
        (GOOD.replace(b"09162", b"09162\xc3\xa4"), "UTF-8, but not ASCII"),
        (GOOD.split(b"\n")[0] + b"\n", "no data rows"),
        (b"", "empty"),
        (b"<!DOCTYPE html>\n<html></html>\n", "an HTML page"),
        (GOOD.replace(b"Landkreis_id", b"Meldedatum"), "a name written twice"),
        (GOOD.replace(b"Landkreis_id", b'"Landkreis_id"'), "a quoted name"),
        (GOOD.replace(b"Landkreis_id", b" Landkreis_id"), "a name with a space"),
        (GOOD.replace(b",2000", b""), "a short row"),
        (GOOD.replace(b"2000", b"9007199254740993"), "beyond 2**53"),
        (gzip.compress(GOOD, mtime=0)[:-12], "truncated gzip"),
    ],
    ids=lambda value: value if isinstance(value, str) else "file",
)
def test_read_typed_gives_up_rather_than_guess(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    assert read_good_columns(path) is None, reason


@pytest.mark.parametrize(
    "content",
    [
        GOOD,
        GOOD.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + GOOD,
        gzip.compress(GOOD, mtime=0),
    ],
    ids=["plain", "crlf", "bom", "gzip"],
)
def test_read_typed_reads_every_plain_variant(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    frame = read_good_columns(path)
    assert frame is not None
    row = frame[["Meldedatum", "Landkreis_id", "Bevoelkerung", "Faelle_gesamt"]]
    assert row.astype(str).to_numpy().tolist() == [
        ["2021-03-01", "09162", "1512491", "2000"]
    ]


def test_read_typed_empty_count_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(GOOD.replace(b",2000", b","))
    frame = read_good_columns(path)
    assert frame is not None
    assert frame["Faelle_gesamt"].isna().all()
    assert frame["Bevoelkerung"].tolist() == [1_512_491]

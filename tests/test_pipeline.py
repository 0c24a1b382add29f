"""Broken upstream files: each fails its source with a one-line message and keeps the last good store."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import epicurves
from epicurves import Settings, get_source, load_observations, load_regions
from epicurves.cli import cli, main
from epicurves.fetch import find_in_mirror
from faults.inputs import (
    TARGETS,
    Table,
    Target,
    by_date,
    date_cols,
    kept,
    path_of,
    read_bytes,
    read_table,
    series_rows,
    upstream_file,
    write_bytes,
    write_table,
)


@dataclass
class Expect:
    """What the failure message must say besides the source and the file."""

    words: tuple[str, ...] = ()
    line: int | None = None
    column: str | None = None


# -- choosing what to break --------------------------------------------------------------------


def series_lines(table: Table, target: Target) -> list[int]:
    """Indexes of the kept rows of one region's series with at least three days, by date."""
    for lines in series_rows(table, target):
        if len(lines) >= 3:
            return by_date(table, target, lines)
    pytest.fail(f"{target.file}: no series of three days or more to make a gap in")


def region_columns(table: Table) -> list[int]:
    """Indexes of the district (AGS) columns of a ``rows`` table."""
    return [i for i, name in enumerate(table[0]) if name.strip().isdigit()]


# -- the breakages: each changes the mirror's copy and says what the message must name ---------


def truncated_gzip(mirror: Path, target: Target) -> Expect:
    path = path_of(mirror, target.source)
    packed = gzip.compress(read_bytes(mirror, target.source))
    path.unlink()
    gz = path if path.name.endswith(".gz") else path.with_name(path.name + ".gz")
    gz.write_bytes(packed[: len(packed) // 2])
    assert find_in_mirror(mirror, upstream_file(target.source)) == gz
    return Expect(words=("gzip",))


def html_page(mirror: Path, target: Target) -> Expect:
    page = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>Bad Gateway</body></html>\n"
    write_bytes(mirror, target.source, page)
    return Expect(words=("HTML",))


def empty_file(mirror: Path, target: Target) -> Expect:
    write_bytes(mirror, target.source, b"")
    return Expect(words=("empty",))


def renamed_column(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    table[0][table[0].index(target.required)] = target.renamed
    write_table(mirror, target.source, table)
    return Expect(
        words=("missing column", "expected", target.renamed), column=target.required
    )


def missing_column(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    i = table[0].index(target.required)
    write_table(mirror, target.source, [row[:i] + row[i + 1 :] for row in table])
    return Expect(words=("missing column", "expected"), column=target.required)


def repeated_row(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    n = kept(table, target)[0]
    table.insert(n + 1, list(table[n]))
    write_table(mirror, target.source, table)
    column = target.date if target.layout == "rows" else None
    return Expect(
        words=("expected",) if target.layout != "rows" else (),
        line=n + 2,
        column=column,
    )


def non_numeric_cell(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    n = kept(table, target)[-1]
    if target.layout == "long":
        assert target.count is not None
        i = table[0].index(target.count)
    elif target.layout == "columns":
        i = date_cols(table, target)[-1]
    else:
        i = region_columns(table)[0]
    table[n][i] = "12x"
    write_table(mirror, target.source, table)
    return Expect(
        words=("expected a whole number", "'12x'"), line=n + 1, column=table[0][i]
    )


def gap_in_dates(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    if target.layout == "columns":
        dates = date_cols(table, target)
        assert len(dates) >= 3, f"{target.file}: fewer than three date columns"
        i = dates[1]
        after = table[0][i + 1]
        write_table(mirror, target.source, [row[:i] + row[i + 1 :] for row in table])
        return Expect(words=("consecutive",), line=1, column=after)
    if target.layout == "rows":
        assert len(table) >= 4, f"{target.file}: fewer than three days"
        del table[2]
        write_table(mirror, target.source, table)
        return Expect(words=("consecutive",), line=3, column=target.date)
    lines = series_lines(table, target)
    middle = len(lines) // 2
    removed, following = lines[middle], lines[middle + 1]
    del table[removed]
    write_table(mirror, target.source, table)
    # The row after the gap moved up by one line if it came after the removed one.
    line = following + (0 if following > removed else 1)
    return Expect(words=("gap",), line=line, column=target.date)


def unparsable_date(mirror: Path, target: Target) -> Expect:
    table = read_table(mirror, target.source)
    if target.layout == "columns":
        i = date_cols(table, target)[1]
        table[0][i] = "2/30/20"
        write_table(mirror, target.source, table)
        return Expect(
            words=("not a date", "expected a date like"), line=1, column="2/30/20"
        )
    assert target.date is not None
    n = kept(table, target)[-1]
    i = table[0].index(target.date)
    table[n][i] = "2020-02-30" + table[n][i][10:]
    write_table(mirror, target.source, table)
    return Expect(
        words=("not a date", "expected a date like"), line=n + 1, column=target.date
    )


BREAKAGES: dict[str, Callable[[Path, Target], Expect]] = {
    "truncated-gzip": truncated_gzip,
    "html-page": html_page,
    "empty-file": empty_file,
    "renamed-column": renamed_column,
    "missing-column": missing_column,
    "repeated-row": repeated_row,
    "non-numeric-cell": non_numeric_cell,
    "gap-in-dates": gap_in_dates,
    "unparsable-date": unparsable_date,
}

#: Combinations where src/ falls short of the rule: (reason, the exceptions it raises).
KNOWN_FAULTS: dict[tuple[str, str], tuple[str, tuple[type[BaseException], ...]]] = {}


def _cases() -> list[object]:
    cases = []
    for source in TARGETS:
        for breakage in BREAKAGES:
            fault = KNOWN_FAULTS.get((source, breakage))
            marks = (
                [pytest.mark.xfail(strict=True, reason=fault[0], raises=fault[1])]
                if fault
                else []
            )
            cases.append(
                pytest.param(source, breakage, marks=marks, id=f"{source}-{breakage}")
            )
    return cases


# -- the store before and after ----------------------------------------------------------------


#: Store files an update writes whatever its outcome: when each source was last checked, and
#: the readers' pins (``load_*`` takes one).
NOT_DATA = ("checked.json", "pins")


def snapshot(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, bytes]]:
    """The observations and regions as users load them, and every data file of the store."""
    root = settings.store_dir
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in NOT_DATA
    }
    return (
        load_observations(all_sources=True, settings=settings),
        load_regions(all_sources=True, settings=settings),
        files,
    )


def assert_intact(
    settings: Settings, before: tuple[pd.DataFrame, pd.DataFrame, dict[str, bytes]]
) -> None:
    after = snapshot(settings)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    assert sorted(after[2]) == sorted(before[2]), "stray or missing files in the store"
    assert after[2] == before[2]


def assert_names(message: str, target: Target, expect: Expect) -> None:
    assert "\n" not in message, message
    assert message.startswith(f"{target.source}: "), message
    assert target.file in message, message
    for word in expect.words:
        assert word in message, message
    if expect.line is not None:
        assert f"line {expect.line}," in message or f"line {expect.line}:" in message, (
            message
        )
    if expect.column is not None:
        assert repr(expect.column) in message, message


def _line_counts_only_kept_rows(mirror: Path, target: Target, breakage: str) -> bool:
    """Whether the file has rows the parser drops before the row a breakage changes."""
    if not target.only or breakage not in ("non-numeric-cell", "unparsable-date"):
        return False
    table = read_table(mirror, target.source)
    rows = kept(table, target)
    return rows[-1] != len(rows)


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "breakage"), _cases())
def test_broken_file_fails_and_keeps_the_store(
    settings: Settings,
    mirror: Path,
    source: str,
    breakage: str,
    request: pytest.FixtureRequest,
) -> None:
    target = TARGETS[source]
    first = epicurves.update(settings, [source])
    assert [s.status for s in first.sources] == ["updated"], first.sources[0].message
    before = snapshot(settings)

    expect = BREAKAGES[breakage](mirror, target)
    report = epicurves.update(settings, [source])

    (result,) = report.sources
    assert result.status == "failed", result
    assert report.failed == [result]
    assert "kept the last good data" in result.message
    assert_names(result.message, target, expect)
    assert_intact(settings, before)


@pytest.mark.parametrize("source", list(TARGETS))
def test_a_good_gzip_variant_is_read(
    settings: Settings, mirror: Path, source: str
) -> None:
    """The control for ``truncated-gzip``: the same file gzipped whole parses to the same data."""
    epicurves.update(settings, [source])
    before = snapshot(settings)[:2]
    path = path_of(mirror, source)
    packed = gzip.compress(read_bytes(mirror, source))
    path.unlink()
    path.with_name(path.name.removesuffix(".gz") + ".gz").write_bytes(packed)

    report = epicurves.update(settings, [source])

    assert [s.status for s in report.sources] == ["updated"], report.sources[0].message
    after = snapshot(settings)[:2]
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_breaking_one_source_leaves_the_others(
    settings: Settings, mirror: Path
) -> None:
    first = epicurves.update(settings, ["nyt", "rki"])
    assert [s.status for s in first.sources] == ["updated", "updated"]
    before = snapshot(settings)
    html_page(mirror, TARGETS["nyt"])
    report = epicurves.update(settings, ["nyt", "rki"])
    assert [s.status for s in report.sources] == ["failed", "unchanged"]
    assert_intact(settings, before)


def test_first_update_of_a_broken_file_stores_nothing(
    settings: Settings, mirror: Path
) -> None:
    expect = non_numeric_cell(mirror, TARGETS["nyt"])
    report = epicurves.update(settings, ["nyt"])
    (result,) = report.sources
    assert result.status == "failed"
    assert result.message.endswith("(nothing stored for this source)")
    assert_names(result.message, TARGETS["nyt"], expect)
    assert not list(settings.store_dir.glob("*.parquet"))


# -- cells the typed read of RKI's large files leaves to the careful read -------------------------

#: A cell of the district fixture (line, column), what to write there, and the whole message:
#: the message the careful read gave before there was a typed read, which now hands it these.
RKI_CELLS = [
    pytest.param(
        8, "Faelle_gesamt", b"-5",
        "line 8, column 'Faelle_gesamt': not a count: expected a whole number >= 0, found '-5'",
        id="negative-count",
    ),
    pytest.param(
        8, "Faelle_gesamt", b"0x10",
        "line 8, column 'Faelle_gesamt': not a count: expected a whole number >= 0, found '0x10'",
        id="hex-count",
    ),
    pytest.param(
        8, "Faelle_gesamt", b"",
        "line 8, column 'Faelle_gesamt': empty cell: expected a whole number >= 0",
        id="empty-count",
    ),
    pytest.param(
        8, "Meldedatum", b"2021-02-30",
        "line 8, column 'Meldedatum': not a date: expected a date like 2021-03-31, found '2021-02-30'",
        id="impossible-date",
    ),
    pytest.param(
        8, "Landkreis_id", b" 09162",
        "line 14, column 'Meldedatum': gap in the daily dates of Landkreis_id 09162: "
        "2021-03-01 is followed by 2021-03-03, not consecutive: expected one row per day",
        id="id-with-space",
    ),
    pytest.param(
        8, "Inzidenz_7-Tage", b"92.6\xff",
        "not UTF-8 text (byte 353)",
        id="not-utf8-in-an-unread-column",
    ),
]  # fmt: skip


def _parse(mirror: Path, name: str) -> object:
    """Parse source ``name`` from ``mirror`` (its errors are what the tests look at)."""
    source = get_source(name)
    return source.parse({f.name: find_in_mirror(mirror, f) for f in source.files})


@pytest.mark.parametrize(("line", "column", "value", "message"), RKI_CELLS)
def test_rki_districts_cell_the_typed_read_leaves_to_the_careful_read(
    mirror: Path, line: int, column: str, value: bytes, message: str
) -> None:
    target = TARGETS["rki-districts"]
    lines = read_bytes(mirror, target.source).split(b"\n")
    cells = lines[line - 1].split(b",")
    cells[lines[0].decode().split(",").index(column)] = value
    lines[line - 1] = b",".join(cells)
    write_bytes(mirror, target.source, b"\n".join(lines))

    with pytest.raises(epicurves.ParseError) as caught:
        _parse(mirror, target.source)

    assert str(caught.value) == f"{target.source}: {target.file}: {message}"


def test_rki_districts_unordered_file_names_the_repeated_line(mirror: Path) -> None:
    # Rows in reverse order, the row of line 10 (11000 on 2021-03-02) repeated at the end:
    # the careful read names the lines of the file as it is.
    target = TARGETS["rki-districts"]
    table = read_table(mirror, target.source)
    write_table(mirror, target.source, [table[0], *reversed(table[1:]), table[9]])

    with pytest.raises(epicurves.ParseError) as caught:
        _parse(mirror, target.source)

    assert str(caught.value) == (
        f"{target.source}: {target.file}: line 74: duplicate row (Landkreis_id=11000, "
        "Meldedatum=2021-03-02) repeats line 65: expected one row per Landkreis_id, "
        "Meldedatum"
    )


# -- the command line --------------------------------------------------------------------------

CLI_CASES = [
    pytest.param("nyt", "non-numeric-cell", id="nyt-non-numeric-cell"),
    pytest.param("jhu", "truncated-gzip", id="jhu-truncated-gzip"),
    pytest.param("germany", "html-page", id="germany-html-page"),
    pytest.param("rki-districts", "missing-column", id="rki-districts-missing-column"),
]


def _update_args(settings: Settings, source: str, *extra: str) -> list[str]:
    return [
        *extra,
        "--home",
        str(settings.home),
        "update",
        "--mirror",
        str(settings.mirror),
        "--source",
        source,
    ]


@pytest.mark.parametrize(("source", "breakage"), CLI_CASES)
def test_cli_failed_update_is_one_error_line(
    settings: Settings, mirror: Path, source: str, breakage: str
) -> None:
    runner = CliRunner()
    good = runner.invoke(cli, _update_args(settings, source), catch_exceptions=False)
    assert good.exit_code == 0, good.output
    before = snapshot(settings)
    target = TARGETS[source]
    expect = BREAKAGES[breakage](mirror, target)

    result = runner.invoke(cli, _update_args(settings, source), catch_exceptions=False)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("Error: ")
    assert_names(errors[0].removeprefix("Error: "), target, expect)
    assert "Traceback" not in result.output
    assert "failed" in result.stdout
    assert_intact(settings, before)


def test_main_failed_update(
    settings: Settings, mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as good:
        main(_update_args(settings, "nyt"))
    assert good.value.code in (None, 0)
    expect = non_numeric_cell(mirror, TARGETS["nyt"])
    capsys.readouterr()

    with pytest.raises(SystemExit) as bad:
        main(_update_args(settings, "nyt"))

    assert bad.value.code == 1
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("Error: ")
    assert_names(err.strip().removeprefix("Error: "), TARGETS["nyt"], expect)
    assert "Traceback" not in out + err


def test_debug_shows_the_traceback_of_a_failed_update(
    settings: Settings, mirror: Path
) -> None:
    runner = CliRunner()
    runner.invoke(cli, _update_args(settings, "nyt"), catch_exceptions=False)
    non_numeric_cell(mirror, TARGETS["nyt"])
    result = runner.invoke(cli, _update_args(settings, "nyt", "--debug"))
    assert result.exit_code == 1
    assert (
        isinstance(result.exception, epicurves.ParseError)
        or "Traceback" in result.output
    )


def _break_manifest(settings: Settings) -> None:
    epicurves.update(settings, ["nyt"])
    manifest = settings.store_dir / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:40])


def test_cli_unreadable_store_is_one_error_line(settings: Settings) -> None:
    _break_manifest(settings)
    result = CliRunner().invoke(cli, ["--home", str(settings.home), "info"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("Error: store manifest ")
    assert "manifest.json" in errors[0]
    assert "Traceback" not in result.output


def test_cli_debug_lets_the_error_through(settings: Settings) -> None:
    _break_manifest(settings)
    result = CliRunner().invoke(cli, ["--debug", "--home", str(settings.home), "info"])
    assert result.exit_code == 1
    assert isinstance(result.exception, epicurves.StoreError)


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPICURVES_")}
    return subprocess.run(
        [sys.executable, "-m", "epicurves", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_python_m_error_and_debug_traceback(settings: Settings) -> None:
    _break_manifest(settings)

    plain = _python_m("--home", str(settings.home), "info")
    assert plain.returncode == 1
    assert plain.stderr.splitlines() == [plain.stderr.strip()]
    assert plain.stderr.startswith("Error: store manifest ")
    assert "Traceback" not in plain.stdout + plain.stderr

    debug = _python_m("--debug", "--home", str(settings.home), "info")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert (
        debug.stderr.rstrip()
        .splitlines()[-1]
        .startswith("epicurves.errors.StoreError: ")
    )


def test_cli_missing_mirror_folder_is_one_error_line(
    home: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-mirror"
    result = CliRunner().invoke(
        cli, ["--home", str(home), "update", "--mirror", str(missing)]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: mirror folder {missing} does not exist"
    ]
    assert "Traceback" not in result.output

"""The command line through click's runner: update, regions, export, info, and one-line errors."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from conftest import CASE_SOURCES, FIXTURES, python
from epicurves.cli import cli
from epicurves.export import EXPORT_COLUMNS

CONTRACT = "region_id,name,kind,source,date,cases,deaths,new_cases,new_deaths"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def export(out: Path, *args: str, env: dict[str, str] | None = None) -> Path:
    """``epicurves export --out OUT ARGS``, which must succeed: the file it wrote."""
    result = run("export", "--out", str(out), *args, env=env)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def stored(home: Path, mirror: Path) -> Path:
    """A home whose store holds every source of the fixture mirror."""
    args = ["update", "--mirror", str(mirror)] + [
        a for s in CASE_SOURCES for a in ("--source", s)
    ]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return home


def test_update_reports_each_source(home: Path, mirror: Path) -> None:
    result = run("update", "--mirror", str(mirror))
    assert result.exit_code == 0, result.output
    for name in ("jhu", "nyt", "rki", "germany"):
        assert name in result.stdout
    assert "updated" in result.stdout
    again = run("update", "--mirror", str(mirror))
    assert "unchanged" in again.stdout
    assert "updated" not in again.stdout


def test_mirror_from_environment(home: Path, mirror: Path) -> None:
    result = run("update", "--source", "rki", env={"EPICURVES_MIRROR": str(mirror)})
    assert result.exit_code == 0, result.output
    assert "rki" in result.stdout


def test_regions_formats(stored: Path) -> None:
    csv = run("regions", "--kind", "state", "--format", "csv")
    assert csv.exit_code == 0
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert list(frame.columns) == [
        "region_id",
        "name",
        "kind",
        "parent",
        "population",
        "source",
    ]
    assert set(frame["kind"]) == {"state"}
    assert {"US-CA", "DE-BY"} <= set(frame["region_id"])
    data = json.loads(run("regions", "--kind", "country", "--format", "json").stdout)
    assert {"DE", "US"} <= {r["region_id"] for r in data}
    table = run("regions", "--kind", "district")
    assert table.exit_code == 0
    assert "DE-09162" in table.stdout


def test_export_csv_contract(stored: Path, tmp_path: Path) -> None:
    out = export(tmp_path / "out.csv", "--region", "DE", "--region", "US-CA")
    header = out.read_text("utf-8").splitlines()[0]
    assert header.startswith(CONTRACT)
    assert header.split(",") == list(EXPORT_COLUMNS)
    frame = pd.read_csv(out)
    assert set(frame["region_id"]) == {"DE", "US-CA"}
    assert (
        frame.groupby("region_id")["source"].nunique().max() == 1
    )  # only the shown source
    assert set(frame.loc[frame["region_id"] == "DE", "source"]) == {"rki"}


def test_export_all_sources_adds_the_others(stored: Path, tmp_path: Path) -> None:
    out = export(tmp_path / "all.csv", "--region", "DE", "--all-sources")
    sources = set(pd.read_csv(out)["source"])
    assert {"rki", "jhu", "germany"} <= sources


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_export_other_formats(stored: Path, tmp_path: Path, fmt: str) -> None:
    out = export(tmp_path / f"out.{fmt}", "--region", "DE")
    frame = (
        pd.read_parquet(out)
        if fmt == "parquet"
        else pd.DataFrame(json.loads(out.read_text()))
    )
    assert list(frame.columns) == list(EXPORT_COLUMNS)
    assert set(frame["region_id"]) == {"DE"}


def test_export_missing_stays_missing(stored: Path, tmp_path: Path) -> None:
    out = export(tmp_path / "out.json", "--region", "DE-BY", "--format", "json")
    rows = json.loads(out.read_text())
    assert all(
        r["deaths"] is None for r in rows
    )  # RKI states have no deaths: null, not 0


def test_info_shows_sources_and_precedence(stored: Path) -> None:
    result = run("info", "--region", "DE")
    assert result.exit_code == 0, result.output
    assert str(stored) in result.stdout.replace("\n", "")
    assert "rki" in result.stdout and "vintage" in result.stdout
    assert "DE (Germany): rki" in result.stdout and "shown" in result.stdout
    assert "also stored" in result.stdout


def test_precedence_is_configurable(stored: Path, tmp_path: Path) -> None:
    env = {"EPICURVES_PRECEDENCE": "germany,jhu"}
    out = export(tmp_path / "out.csv", "--region", "DE", env=env)
    assert set(pd.read_csv(out)["source"]) == {"germany"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["update", "--source", "nope"], "unknown source 'nope': expected one of jhu"),
        (["export", "--out", "x.csv", "--region", "XX"], "unknown region 'XX'"),
        (["regions"], "is empty: run `epicurves update` first"),
        (
            ["update", "--mirror", "/does/not/exist"],
            "mirror folder /does/not/exist does not exist",
        ),
    ],
)
def test_errors_are_one_line(home: Path, args: list[str], expected: str) -> None:
    if args[0] == "export":
        run("update", "--mirror", str(FIXTURES), "--source", "rki")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(home: Path) -> None:
    result = CliRunner().invoke(cli, ["--debug", "update", "--source", "nope"])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "UsageError"


def test_export_has_the_metric_columns(stored: Path, tmp_path: Path) -> None:
    out = export(tmp_path / "m.csv", "--region", "DE", "--start", "2021-03-10")
    frame = pd.read_csv(out)
    for column in ("incidence_7d", "r_rki", "r_cori", "r_cori_lo", "r_cori_hi",
                   "doubling_time_days", "week_change_pct", "flags"):  # fmt: skip
        assert column in frame.columns
    # Metrics come from the whole series: the 7-day sum on 03-10 is complete although the
    # export starts that day.
    assert frame["date"].min() == "2021-03-10"
    assert frame["incidence_7d"].notna().iloc[0]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_summary(stored: Path, fmt: str) -> None:
    result = run("summary", "--kind", "country", "--format", fmt)
    assert result.exit_code == 0, result.output
    frame = (
        pd.read_csv(io.StringIO(result.stdout))
        if fmt == "csv"
        else pd.DataFrame(json.loads(result.stdout))
    )
    assert {
        "region_id",
        "total_cases",
        "new_cases_last_week",
        "incidence_7d",
        "trend",
        "r_rki",
    } <= set(frame.columns)
    assert frame["region_id"].is_unique
    assert set(frame["kind"]) == {"country"}
    weekly = frame["new_cases_last_week"].dropna()
    assert weekly.is_monotonic_decreasing
    assert run("summary").exit_code == 0


@pytest.mark.slow
def test_run_updates_and_builds_the_site(
    home: Path, mirror: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = run("run", "--mirror", str(mirror), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()
    assert (out / "region" / "DE" / "index.html").is_file()
    assert "built" in result.stderr and "regions" in result.stderr
    again = run("build", "--out", str(out))  # rebuilding replaces the site in place
    assert again.exit_code == 0, again.output
    assert (out / "index.html").is_file()
    # `run` takes the threshold `build` takes; neither rebuilds a region for it, and a
    # command without --threshold keeps the site's
    other = run("run", "--mirror", str(mirror), "--out", str(out), "--threshold", "75")
    assert other.exit_code == 0, other.output
    assert "threshold 50 -> 75" in other.stderr and " 0 regions' pages" in other.stderr
    assert "of 75 or more per 100 000" in (out / "countries/index.html").read_text()
    same = run("build", "--out", str(out))
    assert "threshold" not in same.stderr and " 0 regions' pages" in same.stderr
    assert "of 75 or more per 100 000" in (out / "countries/index.html").read_text()


#: A second ``run`` in a new interpreter: its output, then the heavy modules it imported.
_RUN_AGAIN = """
import sys
from epicurves.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print(" ".join(m for m in ("numpy", "pandas", "pyarrow", "bokeh") if m in sys.modules))
"""


@pytest.mark.slow
def test_a_run_with_nothing_new_imports_neither_pandas_nor_arrow(
    home: Path, mirror: Path, tmp_path: Path
) -> None:
    """It compares digests and rewrites the home page from the site's state (lazy.py); nor
    NumPy (the forecasts' levels are made on first read, the models imported to forecast)."""
    args = ["run", "--mirror", str(mirror), "--out", str(tmp_path / "site")]
    assert run(*args).exit_code == 0
    again = python(_RUN_AGAIN, *args)
    assert "no region changed" in again.stderr
    assert again.stdout.splitlines()[-1] == ""


def test_build_without_data_is_one_line(home: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--out", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert (
        result.stderr.startswith("Error: ")
        and "run `epicurves update` first" in result.stderr
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["export", "--out", "x.xlsx"], "name a .csv, .json or .parquet file"),
        (
            [
                "export",
                "--out",
                "x.csv",
                "--start",
                "2022-01-01",
                "--end",
                "2021-01-01",
            ],
            "is after --end",
        ),
        (["info", "--region", "ZZ"], "unknown region 'ZZ'"),
    ],
)
def test_more_one_line_errors(stored: Path, args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and expected in result.stderr
    assert result.stdout == ""


def test_export_to_a_folder_is_refused(stored: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--out", str(tmp_path), "--format", "csv"]
    )
    assert result.exit_code == 1 and "is a folder" in result.stderr


def test_unknown_source_in_the_precedence_is_refused(home: Path) -> None:
    result = CliRunner().invoke(
        cli, ["regions"], env={"EPICURVES_PRECEDENCE": "rki,bogus"}
    )
    assert result.exit_code == 1
    assert "EPICURVES_PRECEDENCE names 'bogus'" in result.stderr


def test_a_mirror_without_any_file_fails(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["update", "--mirror", str(empty)])
    assert result.exit_code == 1
    assert "no file of any source was found in the mirror" in result.stderr


def test_serve_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path), "--port", "99999"])
    assert result.exit_code == 2 and "99999" in result.output


def test_build_does_not_replace_a_folder_of_other_files(
    stored: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious")
    result = CliRunner().invoke(cli, ["build", "--out", str(folder)])
    assert result.exit_code == 1 and "not an epicurves site" in result.stderr
    assert (folder / "thesis.tex").read_text() == "precious"


#: Runs the script's entry point for ``--version`` (with Arrow imported before it or not); as it
#: exits, prints the Arrow allocator of its own process and of a process it starts.
_ALLOCATORS = """
import os, subprocess, sys
{first}
from epicurves import cli
child = [sys.executable, "-c", "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"]
leave = os._exit
def report(code):
    import pyarrow as pa
    own = pa.default_memory_pool().backend_name
    started = subprocess.run(child, capture_output=True, text=True, check=True).stdout.strip()
    print(own, started, flush=True)
    leave(code)
os._exit = report
sys.argv = ["epicurves", "--version"]
cli.script()
"""


@pytest.mark.parametrize("first", ["import pyarrow", ""])
@pytest.mark.parametrize(
    ("environment", "expected"),
    [(None, "system system"), ("mimalloc", "mimalloc mimalloc")],
)
def test_the_script_gives_arrow_the_c_allocator_unless_told_otherwise(
    environment: str | None, expected: str, first: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if environment is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = environment
    done = python(_ALLOCATORS.format(first=first), env=env)
    assert done.stdout.splitlines()[-1] == expected

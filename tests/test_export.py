"""The export contract: its columns pinned as a literal list, the frame, and whole-file writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import epicurves
from epicurves import EXPORT_COLUMNS, Settings, UsageError
from epicurves.export import file_format, load_export, table_bytes, write_table

#: ``epicurves export``'s columns as the documentation promises them: later versions may add
#: columns at the end and never rename or reorder these.
CONTRACT = [
    "region_id", "name", "kind", "source", "date", "cases", "deaths", "new_cases",
    "new_deaths", "flags", "parent", "population", "incidence_7d", "r_rki", "r_cori",
    "r_cori_lo", "r_cori_hi", "doubling_time_days", "week_change_pct", "new_cases_7d_sum",
    "new_deaths_7d_sum", "new_cases_7d_mean", "new_deaths_7d_mean",
    "new_cases_7d_mean_centred", "new_deaths_7d_mean_centred", "deaths_7d_per_100k",
    "growth_factor_7d", "growth_rate_per_day", "r_cori_provisional", "cfr_pct",
    "deaths_growth_factor_7d", "deaths_doubling_time_days", "deaths_r_rki",
]  # fmt: skip


def test_the_columns_are_the_contract() -> None:
    assert list(EXPORT_COLUMNS) == CONTRACT
    assert set(EXPORT_COLUMNS) >= set(epicurves.METRIC_COLUMNS)


def test_load_export_is_what_the_command_writes(
    settings: Settings, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from epicurves.cli import cli

    epicurves.update(settings, ["rki", "jhu"])
    frame = load_export(["DE"], "2021-03-01", "2021-03-10", settings=settings)
    assert list(frame.columns) == CONTRACT
    assert frame["date"].tolist()[0] == "2021-03-01" and len(frame) == 10
    out = tmp_path / "de.csv"
    args = ["--home", str(settings.home), "export", "--out", str(out), "--region", "DE"]
    result = CliRunner().invoke(
        cli, [*args, "--start", "2021-03-01", "--end", "2021-03-10"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == table_bytes(frame, "csv")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2021-03-10", "2021-03-01", "--start 2021-03-10 is after --end 2021-03-01"),
        ("2021-13-01", None, "--start '2021-13-01': expected a date like 2021-03-31"),
        (None, "soon", "--end 'soon': expected a date like 2021-03-31"),
    ],
)
def test_bad_dates_are_refused_before_reading(
    home: Path, start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        load_export(start=start, end=end, settings=Settings(home=home))


def test_file_format_from_the_name_or_the_option() -> None:
    assert [file_format(n) for n in ("a.csv", "b.JSON", "c.parquet", "-")] == [
        "csv", "json", "parquet", "csv",
    ]  # fmt: skip
    assert file_format("a.txt", "json") == "json"
    with pytest.raises(UsageError, match=r"name a \.csv, \.json or \.parquet file"):
        file_format("a.txt")


def test_write_table_replaces_the_file_whole(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, None], "b": ["x", "y"]}, dtype="object")
    target = tmp_path / "t.json"
    target.write_text("old")
    write_table(frame, target)
    assert target.read_text() == '[{"a": 1, "b": "x"}, {"a": null, "b": "y"}]'
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]  # no temporary left
    write_table(frame, tmp_path / "t.parquet")
    assert pd.read_parquet(tmp_path / "t.parquet")["b"].tolist() == ["x", "y"]
    with pytest.raises(UsageError, match="is a folder"):
        write_table(frame, tmp_path)

"""Every release of CDC's real file kept: read back as of a date exactly as the file gives that
release, in at most 1 MB on disk."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import epicurves
from epicurves.cli import cli
from epicurves.config import Settings
from epicurves.pipeline import update
from epicurves.sources.geo import us_code_by_fips
from epicurves.store import Store

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(f"real upstream data not found at {SHARED_DATA}")
    settings = Settings(home=tmp_path_factory.mktemp("cdc-real"), mirror=SHARED_DATA)
    report = update(settings, ["cdc-covid", "cdc-flu", "nyt"])
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    return settings


def _file_release(release: str, target: str) -> pd.DataFrame:
    from tests.conftest import SHARED_DATA

    frame = pq.read_table(SHARED_DATA / "cdc-covid" / "time-series.parquet").to_pandas()
    frame = frame.loc[
        (frame["as_of"].astype(str) == release) & (frame["target"] == target)
    ]
    ids = us_code_by_fips()
    return frame.assign(
        region_id=frame["location"].map(lambda f: "US" if f == "US" else ids[f]),
        date=pd.to_datetime(frame["target_end_date"]),
    )


def test_every_release_is_kept_in_one_megabyte(real: Settings) -> None:
    store = Store(real.store_dir)
    meta = store.meta()["cdc-covid"]
    assert len(meta.releases) == 84
    assert (meta.releases[0], meta.releases[-1]) == ("2024-11-20", "2026-08-19")
    entry = store.manifest()["sources"]["cdc-covid"]
    files = [entry["signals"], *entry["releases"]]
    size = sum((real.store_dir / name).stat().st_size for name in files)
    assert size <= 1_000_000, f"{size:,} bytes"


def test_as_of_a_day_without_a_release_reads_the_release_before(real: Settings) -> None:
    frame = epicurves.load_signals(
        ["US-CA"], ["admissions"], settings=real, as_of="2025-01-22"
    )
    covid = frame.loc[frame["source"] == "cdc-covid"]
    assert set(covid["release"].dt.strftime("%Y-%m-%d")) == {"2025-01-15"}


@pytest.mark.parametrize(
    ("signal", "target", "release"),
    [
        ("admissions", "wk inc covid hosp", "2025-01-15"),
        ("ed-share", "wk inc covid prop ed visits", "2025-06-18"),
    ],
)
def test_the_signals_command_as_of_a_release_equals_the_file(
    real: Settings, signal: str, target: str, release: str
) -> None:
    result = CliRunner().invoke(
        cli,
        ["signals", "--region", "US-CA", "--signal", signal, "--as-of", release],
        env={"EPICURVES_HOME": str(real.home)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(StringIO(result.stdout), parse_dates=["date"])
    got = got.loc[got["source"] == "cdc-covid"].sort_values("date", ignore_index=True)
    want = _file_release(release, target)
    want = want.loc[want["region_id"] == "US-CA"].sort_values("date", ignore_index=True)
    assert len(got) == len(want) > 0
    assert (got["date"].to_numpy() == want["date"].to_numpy()).all()
    assert (got["value"].to_numpy() == want["observation"].to_numpy()).all()
    assert set(got["release"]) == {release}


def test_every_location_of_a_release_equals_the_file(real: Settings) -> None:
    got = epicurves.load_signals(
        signals=["admissions"], settings=real, as_of="2025-08-20"
    )
    got = got.loc[got["source"] == "cdc-covid"]
    want = _file_release("2025-08-20", "wk inc covid hosp")
    merged = got.merge(want, on=["region_id", "date"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["value"] == merged["observation"]).all()

"""The real upstream files in ../shared/data: every source there ingests, with the published totals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from epicurves import Settings, load_observations, load_regions, update

pytestmark = pytest.mark.realdata


# Session-scoped, not module-scoped: a worker of pytest-xdist that runs this module's tests
# apart (another module's test between them) would otherwise update twice (seconds).
@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from conftest import SHARED_DATA

    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )
    settings = Settings(home=tmp_path_factory.mktemp("home"), mirror=SHARED_DATA)
    report = update(settings)
    status = {s.source: s.status for s in report.sources}
    assert status == {
        "jhu": "updated",
        "nyt": "updated",
        "rki": "updated",
        "rki-states": "skipped",  # too large to be held in ../shared/data
        "rki-districts": "skipped",
        "germany": "updated",
        "rki-wastewater": "updated",
        "rki-hospitalisation": "updated",
        "rki-hospitalisation-2020": "updated",
        "rki-sari": "updated",
        "rki-deaths-weekly": "updated",
        "rki-nowcast": "updated",
        "cdc-covid": "updated",
        "cdc-flu": "updated",
        "ecdc-erviss": "updated",
    }, [s.message for s in report.sources]
    return settings


def test_region_counts(real_settings: Settings) -> None:
    regions = load_regions(settings=real_settings)
    counts = regions["kind"].value_counts().to_dict()
    assert counts == {"district": 413, "country": 197, "state": 72, "other": 4}
    shown = dict(zip(regions["region_id"], regions["source"], strict=True))
    assert (
        shown["DE"] == "rki"
    )  # the live official file wins over JHU and the district sum
    assert shown["US"] == "jhu"
    assert shown["US-CA"] == "nyt"
    assert shown["DE-09162"] == "germany"
    assert regions.set_index("region_id").loc["DE-09162", "name"] == "SK München"


def test_jhu_totals_match_sources_md(real_settings: Settings) -> None:
    last = load_observations(
        start="2023-03-09", end="2023-03-09", all_sources=True, settings=real_settings
    )
    jhu = last[last["source"] == "jhu"].set_index("region_id")
    # SOURCES.md: 6,881,802 deaths worldwide in the last column (Germany 168,935; US 1,123,836).
    assert jhu["deaths"].sum() == 6_881_802
    assert jhu.loc["DE", "deaths"] == 168_935
    assert jhu.loc["US", "deaths"] == 1_123_836


def test_nyt_sum_matches_sources_md(real_settings: Settings) -> None:
    frame = load_observations(
        ["US"], start="2023-03-23", all_sources=True, settings=real_settings
    )
    us = frame[frame["source"] == "nyt"].iloc[-1]
    assert (us["cases"], us["deaths"]) == (103_910_034, 1_135_343)


def test_rki_national_matches_the_file(
    real_settings: Settings, shared_data: Path
) -> None:
    raw = pd.read_csv(
        shared_data / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv.gz"
    )
    raw = raw[raw["Altersgruppe"] == "00+"].set_index("Meldedatum")
    de = load_observations(["DE"], settings=real_settings).set_index("date")
    assert len(de) == len(raw) == 2424
    assert (de["cases"].to_numpy() == raw["Faelle_gesamt"].to_numpy()).all()
    # Daily cases by reporting date are the differences of Faelle_gesamt: RKI's Faelle_neu.
    assert (
        de["new_cases"].iloc[1:].to_numpy()
        == raw["Faelle_gesamt"].diff().iloc[1:].to_numpy()
    ).all()
    assert de["deaths"].first_valid_index() == pd.Timestamp("2020-03-09")
    assert de.loc[:"2020-03-08", "deaths"].isna().all()  # missing, not zero


def test_second_update_is_unchanged(real_settings: Settings) -> None:
    report = update(real_settings)
    assert {s.status for s in report.sources} == {"unchanged", "skipped"}

"""What the store holds, as frames: sources, signals, shown regions, a region's sources, notes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import epicurves
from epicurves import Settings, UnknownRegionError, store_info


def test_an_empty_store_says_so_and_lists_every_source(home: Path) -> None:
    info = store_info(Settings(home=home))
    assert info.empty and info.generation == 0
    assert list(info.sources["source"]) == list(epicurves.SOURCES)
    assert set(info.sources["vintage"]) == {"not stored"}
    assert info.shown.empty and info.region == [] and info.notes == []
    assert len(info.signals) == sum(len(s.signals) for s in epicurves.SOURCES.values())


def test_a_filled_store_s_tables(settings: Settings) -> None:
    epicurves.update(settings, ["rki", "jhu", "rki-wastewater"])
    info = store_info(settings, region="DE", now=datetime(2021, 3, 20, tzinfo=UTC))
    rows = info.sources.set_index("source")
    assert (
        rows.loc["rki", "publishes"] == "daily"
        and rows.loc["jhu", "publishes"] == "frozen"
    )
    assert rows.loc["nyt", "vintage"] == "not stored"
    assert (
        rows.loc["rki", "rows"]
        == f"{epicurves.Store(settings.store_dir).meta()['rki'].rows:,}"
    )
    shown = info.shown.set_index(["kind", "shown from"])["regions"]
    assert shown[("country", "rki")] == "1"
    assert info.region[0].startswith("DE (Germany): jhu, vintage ")
    assert any(line.endswith("- shown") and ": rki," in line for line in info.region)
    wastewater = info.signals.set_index("signal").loc["wastewater"]
    assert wastewater["source"] == "rki-wastewater" and wastewater["values"] != ""


def test_an_unknown_region_is_one_error(settings: Settings) -> None:
    epicurves.update(settings, ["rki"])
    with pytest.raises(UnknownRegionError, match="unknown region 'XX'") as caught:
        store_info(settings, region="XX")
    assert caught.value.region_id == "XX"

"""Europe on the site: the Europe map of ERVISS's consultation rates (one layer for ILI, one for ARI, only the rates per 100 000 people coloured), its geometry, and the home page's "Europe today" rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from epicurves.changes import RegionState
from epicurves.site import maps, signalmaps
from epicurves.site.europe import EUROPE_COLUMNS, europe_rows, week_label
from epicurves.sources import get_source

EUROPE = next(m for m in maps.MAPS if m.name == "europe")
PER_POPULATION = maps.EUROPE_UNIT


def _state(name: str, signals: str = "s1") -> RegionState:
    return RegionState(
        "jhu", "d1", name, "country", None, 1_000_000, ("jhu",), False, signals
    )


def _script(region_id: str, series: list[dict[str, object]]) -> str:
    body = json.dumps({"region_id": region_id, "series": series})
    return (
        f'(self.EPICURVES_DATA=self.EPICURVES_DATA||{{}})["{region_id}.sig"]={body};\n'
    )


def _series(
    signal: str, start: str, values: list[float | None], unit: str, age: str = "00+"
) -> dict[str, object]:
    return {
        "signal": signal, "pathogen": "any", "age_group": age, "estimate": "measured",
        "start": start, "step": 7, "unit": unit, "v": values,
    }  # fmt: skip


#: France: ILI and ARI per 100 000 people (and an age group, which the map never shows);
#: Malta: ILI per 100 consultations; the US: signals, but not in Europe's view.
SCRIPTS = {
    "data/FR.sig.js": _script("FR", [
        _series("ili-rate", "2026-04-06", [50.0, 60.0, 70.0], PER_POPULATION),
        _series("ili-rate", "2026-04-06", [500.0, 600.0, 700.0], PER_POPULATION, "00-04"),
        _series("ari-rate", "2026-04-13", [900.0, 1000.0], PER_POPULATION),
    ]),
    "data/MT.sig.js": _script("MT", [
        _series("ili-rate", "2026-04-06", [1.5, 1.7, 1.9], "per 100 consultations"),
    ]),
    "data/US.sig.js": _script("US", [
        _series("ili-rate", "2026-04-06", [5.0, 6.0, 7.0], PER_POPULATION),
    ]),
}  # fmt: skip
STATES = {"FR": _state("France"), "MT": _state("Malta"), "US": _state("United States")}


def test_the_europe_map_has_a_layer_each_for_ili_and_ari() -> None:
    data = signalmaps.signal_map_data(EUROPE, STATES, SCRIPTS.get)
    assert data["map"] == "europe"
    assert [layer["key"] for layer in data["layers"]] == ["ili-rate", "ari-rate"]
    ili, ari = data["layers"]
    assert ili["source"] == "ecdc-erviss"
    assert ili["dates"] == ["2026-04-06", "2026-04-13", "2026-04-20"]
    # all ages only; France's value per 100 000 people is coloured
    assert ili["regions"]["FR"]["values"] == [50.0, 60.0, 70.0]
    assert ari["regions"]["FR"] == {
        "from": 0,
        "values": [900.0, 1000.0],
        "last": "2026-04-20",
    }
    # Malta's rate per 100 consultations is not: grey, saying why
    assert "MT" not in ili["regions"]
    assert ili["excluded"] == {
        "MT": "not comparable: its rate is per 100 consultations"
    }
    assert signalmaps.signal_note(ili, "MT", 0) == ili["excluded"]["MT"]
    # the US is outside Europe's view: not on this map, nor in its table
    assert "US" not in data["regions"] and "US" not in data["off_map"]
    # as provisional as the source says its newest weeks are
    declared = get_source("ecdc-erviss").signal("ili-rate")
    assert ili["provisional"] == declared.provisional_weeks


def test_the_europe_geometry_is_the_world_s_in_view() -> None:
    europe = maps.geometry("europe")
    ids = {r["id"] for r in europe["regions"]}
    assert {"FR", "DE", "MT", "CY", "IS", "FI", "PT"} <= ids
    assert not {"US", "AU", "BR", "CN", "ZA"} & ids
    assert europe["bounds"] == list(EUROPE.bounds)
    assert len(ids) < len(maps.geometry("world")["regions"]) / 2


def _rows() -> pd.DataFrame:
    def row(
        region: str,
        signal: str,
        pathogen: str,
        date: str,
        value: float,
        unit: str,
        age: str = "00+",
        estimate: str = "measured",
    ) -> dict[str, object]:
        return {"source": "ecdc-erviss", "region_id": region, "signal": signal,
                "pathogen": pathogen, "age_group": age, "estimate": estimate,
                "date": pd.Timestamp(date), "value": value, "unit": unit}  # fmt: skip

    return pd.DataFrame([
        row("FR", "ili-rate", "any", "2026-04-20", 70.0, PER_POPULATION),
        row("FR", "ili-rate", "any", "2026-04-27", 72.5, PER_POPULATION),
        row("FR", "ili-rate", "any", "2026-04-27", 999.0, PER_POPULATION, age="00-04"),
        row("FR", "sari-positivity", "RSV", "2026-04-27", 4.2, "%"),
        row("FR", "sari-positivity", "SARS-CoV-2", "2026-04-27", 10.0, "%"),
        # Malta stopped weeks ago: stale; an outlier is never the latest value
        row("MT", "ili-rate", "any", "2026-03-02", 1.9, "per 100 consultations"),
        row("MT", "ili-rate", "any", "2026-03-09", 80.0, "per 100 consultations",
            estimate="outlier"),
    ])  # fmt: skip


def test_europe_today_gives_each_value_its_own_week_unit_and_staleness() -> None:
    rows = europe_rows(_rows(), {"FR": "France", "MT": "Malta"})
    assert [r["name"] for r in rows] == ["France", "Malta"]
    france, malta = rows
    assert set(france["cells"]) == {key for key, *_ in EUROPE_COLUMNS}
    assert france["cells"]["ili"] == {
        "value": "72.5", "unit": PER_POPULATION, "week": "2026-W18",
        "date": "2026-04-27", "stale": False,
    }  # fmt: skip
    assert france["cells"]["pos-rsv"]["value"] == "4.2"
    assert france["cells"]["pos-rsv"]["unit"] == "%"
    assert france["cells"]["ari"] is None and france["cells"]["pos-influenza"] is None
    assert malta["cells"]["ili"]["value"] == "1.9"
    assert malta["cells"]["ili"]["unit"] == "per 100 consultations"
    assert malta["cells"]["ili"]["stale"] is True  # 8 weeks behind France's newest
    assert france["href"] == "region/FR/index.html#surveillance"


def test_europe_today_is_empty_without_erviss() -> None:
    assert europe_rows(pd.DataFrame(), {}) == []
    other = _rows().assign(source="rki-sari")
    assert europe_rows(other, {}) == []


def test_week_labels_are_iso_weeks() -> None:
    days = pd.to_datetime(["2020-12-28", "2021-01-04", "2026-04-27"])
    assert [week_label(d) for d in days] == ["2020-W53", "2021-W01", "2026-W18"]
    assert np.all(days.day_of_week == 0)  # ERVISS's weeks are stored as their Monday


def _sari(region: str, last: str, weeks: int = 8) -> pd.DataFrame:
    """A country's SARI rate (all ages) for ``weeks`` weeks up to the Monday ``last``."""
    days = pd.date_range(end=pd.Timestamp(last), periods=weeks, freq="7D")
    return pd.DataFrame({
        "source": "ecdc-erviss", "region_id": region, "signal": "sari-rate",
        "pathogen": "any", "age_group": "00+", "estimate": "measured", "date": days,
        "value": np.arange(1.0, weeks + 1), "lo": np.nan, "hi": np.nan,
        "unit": PER_POPULATION, "resolution": "week",
    })  # fmt: skip


def test_provisional_weeks_count_from_the_source_s_newest_week() -> None:
    """A country up to date has the weeks its source declares shaded; one two weeks behind,
    two fewer; one that stopped reporting in 2024, none, and its text says nothing of them."""
    from epicurves.site.signals import page_config, signal_files

    declared = get_source("ecdc-erviss").signal("sari-rate").provisional_weeks
    frames = [
        _sari("FR", "2026-04-27"),
        _sari("ES", "2026-04-13"),
        _sari("HR", "2024-06-24"),
    ]
    files = signal_files(
        pd.concat(frames, ignore_index=True),
        newest={"ecdc-erviss/sari-rate": "2026-04-27"},
    )

    def chart(region: str) -> dict[str, object]:
        return next(c for c in files[region].charts if c["anchor"] == "sig-sari-rate")

    assert chart("FR")["provisionalSpan"] == declared
    assert chart("ES")["provisionalSpan"] == declared - 2
    assert chart("HR")["provisionalSpan"] == 0
    assert "Shaded" in str(chart("FR")["summary"])
    assert "Shaded" not in str(chart("HR")["summary"])
    # the page's script reads the region's own count
    config = page_config(files["HR"].charts)
    assert (
        next(c for c in config if c["anchor"] == "sig-sari-rate")["provisionalSpan"]
        == 0
    )


def test_a_map_region_behind_the_newest_week_has_fewer_provisional_weeks() -> None:
    """On a map of a signal, a region whose last week is behind the others' has its own,
    smaller count of provisional weeks (none when far behind): its notes say so."""
    us_map = next(m for m in maps.MAPS if m.name == "us-admissions")
    scripts = {
        "data/US-CA.sig.js": _script("US-CA", [
            {**_series("admissions-rate", "2026-01-03", [1.0, 2.0, 3.0, 4.0, 5.0], ""),
             "pathogen": "SARS-CoV-2"},
        ]),
        "data/US-NY.sig.js": _script("US-NY", [
            {**_series("admissions-rate", "2026-01-03", [1.0, 2.0], ""),
             "pathogen": "SARS-CoV-2"},
        ]),
    }  # fmt: skip
    states = {
        r: RegionState("nyt", "d", r, "state", "US", 1, ("nyt",), False, "s")
        for r in ("US-CA", "US-NY")
    }
    covid = signalmaps.signal_map_data(us_map, states, scripts.get)["layers"][0]
    assert covid["provisional"] == 3
    assert "provisional" not in covid["regions"]["US-CA"]
    assert covid["regions"]["US-NY"]["provisional"] == 0  # three weeks behind
    assert signalmaps.signal_note(covid, "US-NY", 1) == ""
    assert signalmaps.signal_note(covid, "US-CA", 4).startswith("provisional")

"""The surveillance signals on the built site: each region's signal script decodes to the stored
values, the sections and charts of Germany, its states, the US and Europe, an unchanged store,
escaped upstream text, and the "today" rows of the home page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from conftest import ATTACK as EVIL
from conftest import check_internal_links
from epicurves.site.build import build_site

SIGNAL_REGIONS = ("DE", *(f"DE-{s}" for s in (
    "SH", "HH", "NI", "HB", "NW", "HE", "RP", "BW", "BY", "SL", "BE", "BB", "MV", "SN", "ST", "TH",
)))  # fmt: skip


def _check_signal_scripts(settings: epicurves.Settings, site: Path) -> set[str]:
    """Every signal data script decodes back to the stored values of the charted signals,
    at the kept precision; returns the regions that have one."""
    from epicurves.site import signals as site_signals

    charted = {c.signal: c for c in site_signals.SIGNAL_CHARTS}
    charted |= {c.counts: c for c in site_signals.SIGNAL_CHARTS if c.counts}
    stored = epicurves.load_signals(settings=settings)
    stored = stored[stored["signal"].isin(list(charted))]
    # the columns as lists: walking Arrow's strings row by row took seconds on the real data
    stored = stored[
        [e in charted[s].estimates and (not charted[s].ages or a in charted[s].ages)
         for s, e, a in zip(*(stored[c].tolist() for c in ("signal", "estimate", "age_group")), strict=True)]
    ]  # fmt: skip
    # the values as the scripts keep them (None where missing), each signal at once
    kept = {}
    for column in ("value", "lo", "hi"):
        values = stored[column].to_numpy(dtype=float).copy()
        for signal in stored["signal"].unique():
            rows = (stored["signal"] == signal).to_numpy()
            values[rows] = site_signals.kept_values(values[rows], str(signal))
        kept[column] = [None if v != v else v for v in values.tolist()]  # NaN: None
    keys = list(zip(
        *(stored[c].astype(str).tolist() for c in ("region_id", "signal", "pathogen", "age_group", "estimate")),
        stored["date"].dt.strftime("%Y-%m-%d").tolist(),
        strict=True,
    ))  # fmt: skip
    expected_of: dict[str, dict[tuple[str, ...], tuple[float | None, ...]]] = {}
    for key, value, lo, hi in zip(
        keys, kept["value"], kept["lo"], kept["hi"], strict=True
    ):
        expected_of.setdefault(key[0], {})[key[1:]] = (value, lo, hi)
    have = set()
    for path in site.glob("data/*.sig.js"):
        region = path.name.removesuffix(".sig.js")
        have.add(region)
        key, series = site_signals.decode_signals(path.read_text("utf-8"))
        assert key == f"{region}.sig"
        got = {}
        for s in series:
            for date, value, lo, hi in zip(
                s["dates"], s["values"], s.get("lo", [None] * len(s["dates"])),
                s.get("hi", [None] * len(s["dates"])), strict=True,
            ):  # fmt: skip
                if value is not None:
                    got[(s["signal"], s["pathogen"], s["age_group"], s["estimate"], date)] = (value, lo, hi)  # fmt: skip
        expected = expected_of.get(region, {})
        assert got == expected, region
    return have


def test_signal_sections_and_scripts(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = signal_site
    have = _check_signal_scripts(settings, site)
    assert "DE" in have
    for region in have:
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        assert 'id="surveillance"' in text, region
        assert f'src="../../data/{region}.sig.js"' in text
        assert 'id="signals-config" type="application/json"' in text
    # pages of regions without signals have no section and no signal script
    text = (site / "region/DK/index.html").read_text("utf-8")
    assert "surveillance" not in text and not (site / "data/DK.sig.js").exists()
    de = (site / "region/DE/index.html").read_text("utf-8")
    for anchor in ("sig-wastewater", "sig-hospitalisation", "sig-deaths-weekly"):
        assert f'id="{anchor}"' in de, anchor
    home = (site / "index.html").read_text("utf-8")
    assert "Germany today" in home
    assert 'href="region/DE/index.html#sig-' in home
    assert check_internal_links(site) > 500


def test_an_unchanged_store_rewrites_no_signal_file(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    settings, site = signal_site
    report = build_site(settings, site)
    assert report.files_written <= 2  # the home page and status.json
    assert (site / "data/DE.sig.js").is_file()


def test_signal_scripts_escape_upstream_text() -> None:
    import pandas as pd

    from epicurves.site import signals as site_signals

    frame = pd.DataFrame({
        "region_id": "DE", "signal": "wastewater", "pathogen": EVIL, "age_group": "00+",
        "estimate": ["measured", "smoothed"], "date": pd.Timestamp("2024-01-03"),
        "value": [1234.5, 0.0312], "lo": [float("nan"), 0.01], "hi": [float("nan"), 0.05],
        "unit": "genome copies/L", "resolution": "week", "source": "rki-wastewater",
    })  # fmt: skip
    files = site_signals.signal_files(frame)
    text = files["DE"].data
    assert "<" not in text and ">" not in text and "&" not in text.split("=", 1)[1]
    _, series = site_signals.decode_signals(text)
    assert {s["pathogen"] for s in series} == {EVIL}
    assert [s["values"] for s in series] == [[1230.0], [0.0312]]
    assert series[1]["lo"] == [0.01]


@pytest.mark.realdata
def test_real_site_signal_sections(real_site: tuple[epicurves.Settings, Path]) -> None:
    settings, site = real_site
    have = _check_signal_scripts(settings, site)
    german = {r for r in have if r.startswith("DE")}
    assert german == set(SIGNAL_REGIONS)
    # CDC's hubs: the US, the 50 states, DC and Puerto Rico
    assert {"US", "US-CA", "US-NY", "US-DC", "US-PR"} <= have - german
    us = {r for r in have if r == "US" or r.startswith("US-")}
    assert len(us) == 53
    # ECDC's ERVISS: 27 European countries besides Germany (EU/EEA is no region)
    europe = have - german - us
    assert {"FR", "ES", "IT", "MT", "CY", "FI"} <= europe and len(europe) == 27, europe
    for region in SIGNAL_REGIONS:
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        assert 'id="surveillance"' in text, region
        assert 'id="sig-hospitalisation"' in text and 'id="sig-deaths-weekly"' in text
    de = (site / "region/DE/index.html").read_text("utf-8")
    for anchor in ("sig-wastewater", "sig-hospitalisation-2020", "sig-sari"):
        assert f'id="{anchor}"' in de
    assert "2024-10-07" in de  # SARI ends with 2024-W41 (its Monday)
    home = (site / "index.html").read_text("utf-8")
    assert "Germany today" in home and "stale" in home
    assert "United States today" in home
    # the US page's data script stays small: two charts, weekly values
    assert (site / "data/US.sig.js").stat().st_size < 20_000


def test_us_pages_draw_admissions_and_ed_shares_by_disease(
    signal_site: tuple[epicurves.Settings, Path],
) -> None:
    """The US page and a state's have the two charts by disease, with their per 100 000 /
    counts and scale options, a text alternative naming both diseases and saying which weeks
    are provisional; the home page has "United States today" and says which countries are
    live and which sources are frozen."""
    _, site = signal_site
    from epicurves.sources import SOURCES

    if "cdc-flu" not in SOURCES or not (site / "data/US.sig.js").is_file():
        pytest.skip("the CDC sources or their fixtures are not there yet")
    for region in ("US", "US-CA"):
        text = (site / f"region/{region}/index.html").read_text("utf-8")
        for anchor in ("sig-admissions", "sig-ed-share"):
            assert f'id="{anchor}"' in text, (region, anchor)
            # its text, then its forecasts in words (filled by the page)
            described_by = f'aria-describedby="text-{anchor} forecast-{anchor}"'
            assert described_by in text and f'id="forecast-{anchor}"' in text
        assert 'id="per-sig-admissions"' in text and 'id="scale-sig-admissions"' in text
        assert 'id="scale-sig-ed-share"' not in text
        assert (
            "COVID-19 and influenza: hospital admissions per 100 000 per week" in text
        )
        described = re.search(r'id="text-sig-admissions"[^>]*>([^<]*)<', text)
        assert described is not None
        assert "COVID-19:" in described[1] and "influenza:" in described[1]
        assert (
            "provisional" in described[1] and "week ending 2021-03-06" in described[1]
        )
        assert "cdc-covid" in text and "cdc-flu" in text
        assert "What RKI measures" not in text
        # the admissions chart links the map of every state (the ED chart has none)
        assert text.count('maps/us-admissions/index.html">All states on a map') == 1
    home = (site / "index.html").read_text("utf-8")
    assert "United States today" in home
    assert 'href="region/US/index.html#sig-admissions"' in home
    assert "week ending 2021-03-06" in home and "provisional" in home
    live = re.search(r'id="live-countries">(.*?)</p>', home)
    assert live is not None
    assert "cdc-covid, cdc-flu" in live[1] and "rki" in live[1]
    frozen = live[1].split("Frozen")[1]
    for name in (s.name for s in SOURCES.values() if not s.live):
        if f"{name}" in home:
            assert name in frozen
    assert "jhu" in frozen and "cdc" not in frozen


def test_us_today_rows_are_each_diseases_latest_week() -> None:
    import datetime as dt

    from epicurves.site.today import us_today

    def row(signal: str, pathogen: str, day: str, value: float) -> dict:
        return {
            "region_id": "US", "signal": signal, "pathogen": pathogen, "age_group": "00+",
            "estimate": "measured", "unit": "u", "date": pd.Timestamp(day), "value": value,
            "week_change_pct": 12.0, "trend": "rising",
        }  # fmt: skip

    trends = pd.DataFrame([
        row("admissions-rate", "SARS-CoV-2", "2026-08-15", 0.649),
        row("admissions-rate", "Influenza", "2026-06-27", 0.214),
        row("admissions", "SARS-CoV-2", "2026-08-15", 2100),  # counts: on the chart only
        row("ed-share", "SARS-CoV-2", "2026-08-15", 0.0037),
        row("ed-share", "Influenza", "2026-06-27", 0.001),
    ])  # fmt: skip
    vintages = {
        "cdc-covid/admissions-rate": "2026-08-15", "cdc-flu/admissions-rate": "2026-06-27",
        "cdc-covid/ed-share": "2026-08-15", "cdc-flu/ed-share": "2026-06-27",
    }  # fmt: skip
    rows = us_today(trends, dt.date(2026, 8, 20), vintages)
    got = [
        (r["signal"], r["pathogen"], r["date"], r["value"], r["stale"]) for r in rows
    ]
    # on 2026-08-20 FluSight's June weeks fall in its summer pause: not stale
    assert got == [
        ("admissions-rate", "COVID-19", "2026-08-15", "0.649", False),
        ("admissions-rate", "influenza", "2026-06-27", "0.214", False),
        ("ed-share", "COVID-19", "2026-08-15", "0.37 %", False),
        ("ed-share", "influenza", "2026-06-27", "0.1 %", False),
    ]
    # in December both are (the mirror's files end in the summer)
    late = us_today(trends, dt.date(2026, 12, 5), vintages)
    assert [r["stale"] for r in late] == [True] * 4
    assert all(r["provisional"] and r["resolution"] == "week" for r in rows)
    assert {r["source"] for r in rows} == {"cdc-covid", "cdc-flu"}
    assert rows[0]["href"] == "region/US/index.html#sig-admissions"
    assert rows[2]["href"] == "region/US/index.html#sig-ed-share"


def test_germany_today_judges_staleness_on_each_signals_vintage() -> None:
    import datetime as dt

    from epicurves.site.today import germany_today

    def row(signal: str, estimate: str, day: str, pathogen: str = "SARS-CoV-2") -> dict:
        return {
            "region_id": "DE", "signal": signal, "pathogen": pathogen, "age_group": "00+",
            "estimate": estimate, "unit": "u", "date": pd.Timestamp(day), "value": 1.0,
            "week_change_pct": 12.0, "trend": "rising",
        }  # fmt: skip

    trends = pd.DataFrame(
        [
            row(
                "hospitalisation", "nowcast", "2026-08-19"
            ),  # the nowcast ends 2 days early
            row("deaths-weekly", "measured", "2026-08-10"),  # the Monday of 2026-W33
            row("sari", "measured", "2024-10-07"),
            row("hospitalisation-2020", "updated", "2022-08-05"),  # ended: not "today"
            row("wastewater", "smoothed", "2026-08-19"),
            row("wastewater", "smoothed", "2026-08-19", pathogen="Influenza A"),
        ]
    )
    vintages = {
        "hospitalisation": "2026-08-21",
        "deaths-weekly": "2026-08-10",
        "sari": "2024-10-07",
        "wastewater": "2026-08-19",
    }
    today = germany_today(trends, dt.date(2026, 8, 23), vintages)
    stale = {(t["signal"], t["pathogen"]): t["stale"] for t in today}
    assert stale == {
        ("wastewater", "SARS-CoV-2"): False,
        ("hospitalisation", "SARS-CoV-2"): False,  # data of 08-21, 2 days old: current
        ("deaths-weekly", "SARS-CoV-2"): False,
        ("sari", "SARS-CoV-2"): True,
    }
    assert today[0]["pathogen"] == "SARS-CoV-2" and today[0]["by_pathogen"]
    # a wastewater value resting on fewer than 10 plants says so
    sites = pd.DataFrame(
        [
            {**row("wastewater-sites", "measured", "2026-08-19"), "value": 9.0},
            {
                **row("wastewater-sites", "measured", "2026-08-19", "Influenza A"),
                "value": 40.0,
            },
        ]
    )
    few = germany_today(pd.concat([trends, sites]), dt.date(2026, 8, 23), vintages)
    ww = next(t for t in few if t["signal"] == "wastewater")
    assert ww["few_plants"] == 9
    assert all(t["few_plants"] is None for t in few if t["signal"] != "wastewater")
    # a weekly signal dated by its Monday is current until 2 weeks after that week's Sunday
    later = germany_today(trends, dt.date(2026, 8, 30), vintages)
    assert not next(t for t in later if t["signal"] == "deaths-weekly")["stale"]
    much_later = germany_today(trends, dt.date(2026, 9, 1), vintages)
    assert next(t for t in much_later if t["signal"] == "deaths-weekly")["stale"]

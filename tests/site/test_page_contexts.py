"""What the pages are made of, without a build: the rows of the incidence and summary tables,
the biggest rises, the contrast of the charts' and maps' colours, and the data scripts."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ATTACK as EVIL
from epicurves.site import pages, payload


def test_incidence_rows_highlighted_above_threshold() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["A", "B"], "name": ["A", "B"], "kind": "district",
                            "parent": "DE-BY", "population": [1000, 1000],
                            "new_cases_last_week": [1, 0], "incidence_7d": [50.0, 49.9]})  # fmt: skip
    rows = pages.incidence_table(summary, {"DE-BY": "Bayern"}, threshold=50)
    assert [r["highlight"] for r in rows] == [True, False]
    assert rows[0]["context"] == "Bayern"
    assert rows[0]["cells"][2]["text"] == "50.0"


def test_summary_rows_link_and_format() -> None:
    import pandas as pd

    summary = pd.DataFrame({"region_id": ["DE-BY"], "name": [EVIL], "kind": "state", "parent": "DE",
                            "total_cases": [1234567], "total_deaths": [pd.NA], "new_cases_last_week": [700.0],
                            "incidence_7d": [5.33], "week_change_pct": [-12.4], "r_rki": [0.91],
                            "r_cori": [float("nan")]})  # fmt: skip
    (row,) = pages.summary_table(
        summary, {"DE-BY": [1.0, 2.0, float("nan"), 4.0]}, {"DE": "Germany"}
    )
    assert row["href"] == "region/DE-BY/index.html"
    assert row["name"] == EVIL  # plain text here: the template escapes it
    assert row["context"] == "Germany"
    texts = [c["text"] for c in row["cells"]]
    assert texts == [
        "1,234,567",
        "",
        "700",
        "5.3",
        "-12 %",
        "0.91",
    ]  # R falls back to RKI's
    assert row["cells"][1]["order"] == "-1e300"  # missing sorts last
    assert row["spark"].count(",") == 3  # three known weeks drawn


def test_biggest_rises_rank_live_regions_first_and_mark_frozen_ones() -> None:
    from epicurves.changes import RegionState
    from epicurves.site.collections import SiteView, _rises

    def summary(region: str, change: float, last: str) -> dict[str, object]:
        return {"region_id": region, "name": region, "new_cases_last_week": 500,
                "week_change_pct": change, "last_date": last}  # fmt: skip

    states = {
        "FR": RegionState("jhu", "d", "FR", "country", None, 1, ("jhu",)),
        "DE-BY": RegionState(
            "rki-states", "d", "DE-BY", "state", "DE", 1, ("rki-states",)
        ),
        "DE-BE": RegionState(
            "rki-states", "d", "DE-BE", "state", "DE", 1, ("rki-states",)
        ),
    }
    view = SiteView(
        states,
        {
            "FR": summary("FR", 300.0, "2023-03-09"),
            "DE-BY": summary("DE-BY", 5.0, "2026-08-22"),
            "DE-BE": summary("DE-BE", 20.0, "2026-08-22"),
        },
        {},
    )
    rises = _rises(view)
    assert [(r["name"], r["status"]) for r in rises] == [
        ("DE-BE", "live"), ("DE-BY", "live"), ("FR", "frozen")
    ]  # fmt: skip


@pytest.mark.slow  # over a second alone; the full command runs it
def test_chart_and_map_colours_have_3_to_1_contrast() -> None:
    """Lines of the charts, the incidence levels, compare's lines and the map's classes are
    graphics people must see: WCAG AA asks 3:1 against the chart's background."""
    from epicurves.charts import spec
    from epicurves.charts.layouts.region import chart_item
    from epicurves.charts.layouts.signals import signal_items
    from epicurves.site import maps

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    background = spec.COLOURS["background"]
    text = json.dumps(chart_item()) + json.dumps(signal_items())
    lines = set(
        re.findall(
            r'"line_color":\s*(?:\{"type":"value","value":)?"(#[0-9a-fA-F]{6})"', text
        )
    )
    assert len(lines) >= 5
    colours = {
        *lines,
        *(c for _, c in spec.LEVEL_COLOURS),
        *maps.MAP_COLOURS,
        spec.MAP_NO_DATA,
        *spec.COMPARE_COLOURS,
    }
    low = {
        c: round(contrast(c, background), 2)
        for c in colours
        if contrast(c, background) < 3
    }
    assert low == {}


def test_data_scripts_round_trip_any_pattern_of_missing_values() -> None:
    """Regions with leading, trailing and inner gaps, series without any value, negative
    fractions: decoding a data script gives back the rounded metrics, for every region."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    frames, regions = [], []
    for number, days in enumerate((1, 9, 30, 2, 17)):
        region = f"R{number}"
        dates = pd.date_range("2021-01-01", periods=days, freq="D") + pd.Timedelta(
            days=number
        )
        frame = pd.DataFrame(
            {"source": "s", "region_id": region, "date": dates, "flags": ""}
        )
        for column in ("cases", "deaths", *payload.SERIES):
            values = rng.normal(0, 3, days)
            values[rng.random(days) < 0.4] = np.nan
            if column == "r_rki" and number in (1, 3):
                values[:] = np.nan  # a series without any value
            frame[column] = values
        frames.append(frame)
        regions.append({"region_id": region, "name": f"<{region}>", "kind": "country",
                        "parent": None, "population": 1000, "source": "s"})  # fmt: skip
    metrics = pd.concat(frames, ignore_index=True)
    files = payload.region_files(metrics, pd.DataFrame(regions), provisional_days=3)
    for frame in frames:
        region = str(frame["region_id"].iloc[0])
        _, data = payload.decode(files[region].data)
        _, inc = payload.decode(files[region].inc)
        assert data["name"] == inc["name"] == f"<{region}>"
        series = data["series"] | inc["series"]
        for name, decimals in payload.SERIES.items():
            expected = np.round(
                frame[name].to_numpy(), 0 if decimals is None else decimals
            )
            got = series.get(name)
            if np.isnan(expected).all():
                assert got is None, (region, name)
                continue
            assert got is not None and len(got) == len(frame), (region, name)
            got_array = np.array([np.nan if v is None else v for v in got], dtype=float)
            assert np.array_equal(np.isnan(got_array), np.isnan(expected)), (
                region,
                name,
            )
            assert np.allclose(
                got_array[~np.isnan(got_array)], expected[~np.isnan(expected)]
            )
        # fractions are written without their leading zero: .5, -.25
        assert not re.search(r"[\[,]-?0\.", files[region].data.split('"series"')[1])

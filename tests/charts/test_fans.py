"""The forecast fans of the charts: their colours, the hub frames they are read from, and
plot_region drawing them (their numbers in both languages: test_views_js.py)."""

from __future__ import annotations

import pandas as pd
import pytest

import epicurves
from conftest import hub_forecasts, metrics_of
from epicurves.charts import spec
from epicurves.charts.fans import FAN_COLOURS, fans_of
from epicurves.charts.layouts.common import named
from epicurves.charts.views.common import fan_source


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("part", sorted(FAN_COLOURS))
def test_the_fan_meets_3_to_1_against_the_panel(part: str) -> None:
    """WCAG's 3:1 for graphics, against the charts' panel, which keeps its light background in
    the dark theme too (site.css): the same check holds in both."""
    assert _contrast(FAN_COLOURS[part], spec.COLOURS["background"]) >= 3.0


def test_fans_of_reads_the_newest_ensemble_forecast() -> None:
    last = pd.Timestamp("2026-08-20")
    old = hub_forecasts("X", "wk inc case", last - pd.Timedelta(days=7), [5.0, 6.0])
    new = hub_forecasts("X", "wk inc case", last, [10.0, 11.0, 12.0, 13.0])
    baseline = new.assign(model="baseline", value=new["value"] * 2)
    other = hub_forecasts("Y", "wk inc case", last, [1.0])
    fans = fans_of(pd.concat([old, new, baseline, other]), "X")
    fan = fans["wk inc case"]
    assert fan["reference_date"] == "2026-08-22" and fan["model"] == "ensemble"
    assert [w[0] for w in fan["weeks"]] == [
        "2026-08-22", "2026-08-29", "2026-09-05", "2026-09-12",
    ]  # fmt: skip
    assert [w[3] for w in fan["weeks"]] == pytest.approx([10.0, 11.0, 12.0, 13.0])
    assert all(w[1:] == sorted(w[1:]) for w in fan["weeks"])  # monotone in the level
    assert fans_of(new, "Z") == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="horizon"), "no column 'horizon'"),
        (lambda f: f[f["output_type_id"] != 0.25], "expected the levels"),
    ],
)
def test_a_bad_forecast_frame_is_one_line(change: object, message: str) -> None:
    frame = hub_forecasts("X", "wk inc case", pd.Timestamp("2026-08-20"), [1.0])
    with pytest.raises(epicurves.UsageError, match=message) as caught:
        fans_of(change(frame), "X")  # type: ignore[operator]
    assert "\n" not in str(caught.value)


def test_a_daily_chart_draws_each_week_as_a_step_of_its_daily_mean() -> None:
    fan = {"reference_date": "2026-08-22", "model": "ensemble",
           "weeks": [["2026-08-22", 7.0, 14.0, 21.0, 28.0, 35.0]]}  # fmt: skip
    daily = fan_source(fan, daily=True, factor=2.0, log=False)
    day = spec.DAY_MS
    end = pd.Timestamp("2026-08-22").value / 1e6
    assert daily["x"] == [end - 6.5 * day, end + 0.5 * day]  # Sunday to Saturday
    assert daily["median"] == [6.0, 6.0]  # 21 a week, a day 3, per 100 000 x2
    weekly = fan_source(fan, daily=False, factor=1.0, log=True)
    assert weekly["x"] == [end] and weekly["hi95"] == [35.0]
    assert weekly["label"] == ["forecast of 2026-08-22 (ensemble)"]


def test_plot_region_draws_the_fan_after_the_data() -> None:
    metrics = metrics_of(list(range(10, 130)), [1] * 120, population=1_000_000)
    last = pd.Timestamp(metrics["date"].max())
    forecasts = hub_forecasts("X", "wk inc case", last, [900.0, 950.0])
    layout = epicurves.plot_region(metrics, forecasts=forecasts, per="count")
    models = named(layout)
    fan = models["fc_cases"].data
    assert len(fan["x"]) == 4 and min(fan["x"]) > pd.Timestamp(last).value / 1e6 - 7e8
    assert fan["median"][0] == pytest.approx(forecasts.query(
        "horizon == 0 and output_type_id == 0.5")["value"].iloc[0] / 7)  # fmt: skip
    assert models["fc_deaths"].data["x"] == []
    assert models["x"].end > max(fan["x"])

"""The charts filled in Python (epicurves.plot_region, plot_signals): what the page fills, scaled, ranged and labelled as there."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import POPULATION, metrics_of, python
from epicurves.charts import spec
from epicurves.charts.layouts import region
from epicurves.charts.views import level_colours, log_ticks, region_view

DAY = spec.DAY_MS


def data(layout: Any, name: str) -> dict[str, np.ndarray | list[str]]:
    model = layout.select_one({"name": name})
    assert model is not None, name
    return {
        k: list(v) if any(isinstance(x, str) for x in v) else np.asarray(v, float)
        for k, v in model.data.items()
    }


def shown(layout: Any) -> list[str]:
    return [child.name for child in layout.children]


#: 20 days: a rise from 10 to 200 cases a day, one day without cases, and deaths.
RISE = [
    10,
    20,
    30,
    40,
    50,
    60,
    70,
    80,
    90,
    100,
    0,
    120,
    130,
    140,
    150,
    160,
    170,
    180,
    190,
    200,
]
DEATHS = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 2]


@pytest.fixture(scope="module")
def rise() -> pd.DataFrame:
    return metrics_of(RISE, DEATHS)


def test_level_colours_interpolate_as_hand_computed() -> None:
    # 150 is halfway between #d62728 (214, 39, 40) and #800000 (128, 0, 0): 171, 19.5, 20,
    # and a half rounds up as in JavaScript
    assert level_colours([-5, 0, 150, 200, 1e9, float("nan")]) == [
        "#2e8b57", "#2e8b57", "#ab1414", "#800000", "#800000", spec.NEUTRAL_COLOUR,
    ]  # fmt: skip


@pytest.mark.slow
def test_per_100k_and_counts_are_scaled_as_on_the_page(rise: pd.DataFrame) -> None:
    per = epicurves.plot_region(rise)
    cases = data(per, "cases")
    assert np.array_equal(cases["n"], RISE)
    assert np.allclose(cases["y"], np.array(RISE) / 2)
    assert np.allclose(cases["p"], np.array(RISE) / 2)
    assert np.allclose(cases["m"], rise["new_cases_7d_mean"] / 2, equal_nan=True)
    inc = data(per, "inc")
    assert np.allclose(inc["y"], rise["incidence_7d"], equal_nan=True)
    assert inc["y"][-1] == sum(RISE[-7:]) / 2  # cases in 7 days per 100 000
    assert per.select_one({"name": "fig_inc_lin"}).title.text == (
        "7-day incidence per 100 000"
    )
    count = epicurves.plot_region(rise, per="count")
    assert np.array_equal(data(count, "cases")["y"], RISE)
    assert data(count, "inc")["y"][-1] == sum(RISE[-7:])
    assert np.allclose(data(count, "cases")["p"], np.array(RISE) / 2)
    titles = [count.select_one({"name": n}).title.text for n in shown(count)[:3]]
    assert titles == ["Cases in the last 7 days", "Daily new cases", "Daily new deaths"]
    # the last value's label, as region.js formats it
    assert data(per, "inc_last")["text"] == ["595"]  # 1190 / 2, no decimal from 100 on


def test_the_population_is_found_or_given(rise: pd.DataFrame) -> None:
    view = region_view(rise)
    assert view.population == POPULATION  # recovered from the incidence, exactly
    assert region_view(rise.assign(population=300_000)).population == 300_000
    assert region_view(rise, population=1e6).population == 1e6
    unknown = metrics_of(RISE, population=None)
    view = region_view(unknown)
    assert view.population is None and view.per == "count"
    assert set(data(epicurves.plot_region(unknown), "inc_seg")["c"]) == {
        spec.NEUTRAL_COLOUR
    }
    with pytest.raises(epicurves.UsageError, match="population of X is unknown"):
        epicurves.plot_region(unknown, per="per100k")


@pytest.mark.slow  # over a second alone; the full command runs it
def test_a_population_given_rescales_every_per_100k_panel(rise: pd.DataFrame) -> None:
    """The incidence, the daily panels and the comparison line all use it, so the panels
    agree with each other (and a frame without populations gets an incidence)."""
    unknown = metrics_of(RISE, population=None)
    for frame in (rise, unknown):
        layout = epicurves.plot_region(frame, population=1_000_000)
        incidence = data(layout, "inc")["y"]
        expected = frame["new_cases_7d_sum"].to_numpy(float) * 100_000 / 1_000_000
        np.testing.assert_allclose(incidence, expected, equal_nan=True)
        assert np.isfinite(incidence).sum() == 14
        np.testing.assert_allclose(
            data(layout, "cases")["y"], np.asarray(RISE, float) / 10, rtol=1e-12
        )
        cmp = data(layout, "cmp_0")["y"]
        np.testing.assert_allclose(cmp[6:], expected[6:])


def test_a_peer_from_two_sources_is_refused(rise: pd.DataFrame) -> None:
    peer = metrics_of(RISE, region="P")
    with pytest.raises(epicurves.UsageError, match=r"region P from 2 sources"):
        epicurves.plot_region(rise, pd.concat([peer, peer.assign(source="t")]))


@pytest.mark.slow
def test_the_provisional_tail_and_the_segment_colours(rise: pd.DataFrame) -> None:
    layout = epicurves.plot_region(rise, provisional_days=7)
    x = data(layout, "cases")["x"]
    split = len(RISE) - 7
    assert np.array_equal(data(layout, "cases_avg")["x"], x[:split])
    assert np.array_equal(data(layout, "cases_avg_prov")["x"], x[split - 1 :])
    solid, tail = data(layout, "inc_seg"), data(layout, "inc_seg_prov")
    # the incidence starts on day 7 (index 6): segments end on days 7 ... 19
    assert np.array_equal(solid["x1"], x[7:split])
    assert np.array_equal(tail["x1"], x[split:])
    assert np.array_equal(solid["x0"], x[6 : split - 1])
    inc = rise["incidence_7d"].to_numpy()
    assert solid["c"] == level_colours((inc[6:12] + inc[7:13]) / 2)
    # by hand: days 7 and 8 (index 6, 7) have 140 and 175 per 100 000 in 7 days
    assert (inc[6], inc[7]) == (140.0, 175.0)
    # 157.5: 57.5 % of the way from #d62728 (214, 39, 40) to #800000 (128, 0, 0)
    assert solid["c"][0] == level_colours([157.5])[0] == "#a51111"
    last = data(layout, "inc_last")
    assert last["c"] == level_colours([inc[-1]])
    none = epicurves.plot_region(rise, provisional_days=0)
    assert len(data(none, "inc_seg_prov")["x0"]) == 0
    assert len(data(none, "cases_avg_prov")["x"]) == 1  # from the last day on


def test_log_scale_leaves_gaps_and_gets_ticks(rise: pd.DataFrame) -> None:
    layout = epicurves.plot_region(rise, scale="log")
    assert shown(layout)[:3] == ["fig_inc_log", "fig_cases_log", "fig_deaths_log"]
    y = data(layout, "cases")["y"]
    assert np.isnan(y[10]) and y[9] == 50  # the day without cases is a gap
    assert data(epicurves.plot_region(rise), "cases")["y"][10] == 0
    deaths = data(layout, "deaths")["y"]
    assert np.isnan(deaths[0]) and deaths[1] == 0.5
    fig = layout.select_one({"name": "fig_cases_log"})
    assert fig.title.text == "Daily new cases per 100 000 (log scale)"
    ticks = fig.yaxis[0].ticker.ticks
    start, end = fig.y_range.start, fig.y_range.end
    assert [t for t in ticks if start <= t <= end] == log_ticks(start, end)
    assert min(ticks) < start and max(ticks) > end  # and beyond, for a zoom out


@pytest.mark.slow
def test_ranges_follow_the_window(rise: pd.DataFrame) -> None:
    layout = epicurves.plot_region(rise)
    x = data(layout, "cases")["x"]
    first, last = x[0], x[-1]
    r = layout.select_one({"name": "x"})
    # 365 days > 20: from the first day; 3 % of 19 days of room after the last
    assert (r.start, r.end) == (first - DAY / 2, last + 0.03 * (last - first))
    assert (r.reset_start, r.reset_end) == (r.start, r.end)
    assert r.bounds == (first - 30 * DAY, last + 30 * DAY)
    inc = layout.select_one({"name": "y_inc_lin"})
    assert (inc.start, inc.end) == (0, max(data(layout, "inc")["y"][6:]) * 1.12)
    short = epicurves.plot_region(rise, window=7)
    r = short.select_one({"name": "x"})
    assert (r.start, r.end) == (last - 6 * DAY - DAY / 2, last + DAY / 2)
    # the y ranges fit what is in view: the cases of the last 7 days, per 100 000
    cases = short.select_one({"name": "y_cases_lin"})
    assert cases.end == pytest.approx(100 * 1.05)  # 200 a day at most
    every = epicurves.plot_region(rise, window=None).select_one({"name": "x"})
    assert every.start == first - DAY / 2
    r_cases = layout.select_one({"name": "y_r_cases"})
    assert 0 <= r_cases.start <= 0.75 and 1.25 <= r_cases.end <= 5


@pytest.mark.slow
def test_panels_without_data_are_left_out(rise: pd.DataFrame) -> None:
    every = [
        "fig_inc_lin", "fig_cases_lin", "fig_deaths_lin", "fig_r_cases", "fig_r_deaths",
        "fig_doubling", "fig_compare",
    ]  # fmt: skip
    layout = epicurves.plot_region(rise)
    assert shown(layout) == every
    assert all(child.visible for child in layout.children)
    # no deaths data: no deaths panels (no R from deaths either)
    no_deaths = epicurves.plot_region(metrics_of(RISE))
    assert shown(no_deaths) == [n for n in every if "deaths" not in n]
    # no death at all: no R nor growth factor from deaths; flat cases: no doubling time
    flat = epicurves.plot_region(metrics_of([5] * 20, [0] * 20))
    assert shown(flat) == [
        n for n in every if n not in ("fig_r_deaths", "fig_doubling")
    ]


@pytest.mark.slow
def test_peers_make_the_comparison_lines(rise: pd.DataFrame) -> None:
    peers = pd.concat(
        [
            metrics_of(RISE, region="B").assign(name="Bee"),
            metrics_of(RISE[::-1], region="A").assign(name="Ay"),
            rise,  # the region's own rows are skipped
        ]
    )
    layout = epicurves.plot_region(rise, peers, name="Ex")
    legend = layout.select_one({"name": "cmp_legend"})
    assert [item.label.value for item in legend.items] == ["Ex", "Bee", "Ay"]
    assert data(layout, "cmp_1")["name"] == ["Bee"] * 20
    assert np.isnan(data(layout, "cmp_2")["y"][:6]).all()  # log: no zero, no NaN line
    assert len(data(layout, "cmp_3")["x"]) == 0
    by_dict = epicurves.plot_region(rise, {"one": metrics_of(RISE, region="P")})
    assert [i.label.value for i in by_dict.select_one({"name": "cmp_legend"}).items] == [
        "X", "one",
    ]  # fmt: skip
    # a peer without a population has no line (its incidence is unknown)
    blind = epicurves.plot_region(
        rise, {"b": metrics_of(RISE, region="P", population=None)}
    )
    assert len(blind.select_one({"name": "cmp_legend"}).items) == 1
    assert not blind.select_one({"name": "cmp_1"}).data["x"]
    eight = {f"p{i}": metrics_of(RISE, region=f"P{i}") for i in range(8)}
    with pytest.raises(epicurves.UsageError, match="at most 7"):
        epicurves.plot_region(rise, eight)
    seven = dict(list(eight.items())[:7])
    assert (
        len(epicurves.plot_region(rise, seven).select_one({"name": "cmp_legend"}).items)
        == 8
    )


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            lambda m: pd.concat([m, m.assign(region_id="Y")]),
            r"holds 2 regions \(X, Y\)",
        ),
        (lambda m: m.iloc[:0], "holds no rows"),
        (lambda m: pd.concat([m, m.assign(source="t")]), "from 2 sources"),
        (lambda m: m.drop(columns=["r_cori"]), "lacks the columns r_cori"),
    ],
)
def test_plot_region_wants_one_region(
    rise: pd.DataFrame, frame: Any, message: str
) -> None:
    with pytest.raises(epicurves.UsageError, match=message):
        epicurves.plot_region(frame(rise))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scale": "logarithmic"}, "scale='logarithmic'"),
        ({"per": "percent"}, "per='percent'"),
        ({"window": 0}, "window=0"),
        ({"population": 0}, "population=0"),
    ],
)
def test_plot_region_refuses_unknown_options(
    rise: pd.DataFrame, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(epicurves.UsageError, match=message):
        epicurves.plot_region(rise, **options)


@pytest.mark.slow
def test_each_plot_is_new_and_the_site_item_stays(rise: pd.DataFrame) -> None:
    before = region.chart_item_js()
    one, two = epicurves.plot_region(rise), epicurves.plot_region(rise)
    assert one.select_one({"name": "inc"}) is not two.select_one({"name": "inc"})
    assert region.chart_item_js() == before
    assert region._chart_item.cache_info().currsize == 1


def test_importing_epicurves_does_not_import_bokeh() -> None:
    code = "import sys, epicurves; epicurves.plot_region; print('bokeh' in sys.modules)"
    assert python(code).stdout.strip() == "False"


def test_the_signal_registry_lives_in_the_core() -> None:
    from epicurves.site import signals as site_signals

    assert site_signals.SIGNAL_CHARTS is spec.SIGNAL_CHARTS
    assert site_signals.SignalChart is spec.SignalChart


def signals_of(
    *parts: tuple[str, str, str, str, list[float]], **bounds: list[float]
) -> pd.DataFrame:
    """A load_signals-like frame of region DE: (signal, pathogen, age, estimate, weekly values)."""
    rows = []
    for signal, pathogen, age, estimate, values in parts:
        for i, v in enumerate(values):
            rows.append(
                {
                    "region_id": "DE", "name": "Germany", "signal": signal,
                    "pathogen": pathogen, "age_group": age, "estimate": estimate,
                    "date": pd.Timestamp("2024-01-03") + pd.Timedelta(days=7 * i),
                    "value": v,
                    "lo": bounds.get(f"{pathogen}-lo", [np.nan] * 99)[i] if estimate == "smoothed" else np.nan,
                    "hi": bounds.get(f"{pathogen}-hi", [np.nan] * 99)[i] if estimate == "smoothed" else np.nan,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def signals() -> pd.DataFrame:
    return signals_of(
        ("wastewater", "SARS-CoV-2", "00+", "measured", [100.0, 200.0, np.nan, 400.0]),
        ("wastewater", "SARS-CoV-2", "00+", "smoothed", [110.0, 190.0, 300.0]),
        ("wastewater", "Influenza A", "00+", "measured", [5.0, 0.0, 7.0]),
        ("wastewater", "Influenza A", "00+", "smoothed", [6.0, 6.5, 7.0]),
        ("sari", "SARS-CoV-2", "80+", "measured", [9.0, 8.0]),
        ("sari", "SARS-CoV-2", "00+", "measured", [3.0, 2.0]),
        ("sari", "SARS-CoV-2", "35-59", "measured", [1.0, 1.5]),
        ("wastewater-sites", "SARS-CoV-2", "00+", "measured", [12.0]),  # not charted
        **{
            "SARS-CoV-2-lo": [100.0, 180.0, 250.0],
            "SARS-CoV-2-hi": [120.0, 200.0, 350.0],
        },
    )


def test_plot_signals_draws_the_charts_of_the_page(signals: pd.DataFrame) -> None:
    layout = epicurves.plot_signals(signals)
    assert shown(layout) == ["fig_wastewater", "fig_sari"]
    ww = data(layout, "src_wastewater")
    x0 = pd.Timestamp("2024-01-03").value / 1e6
    assert np.array_equal(ww["x"], x0 + 7 * DAY * np.arange(4))
    assert np.array_equal(ww["measured"], [100, 200, np.nan, 400], equal_nan=True)
    assert np.array_equal(ww["smoothed"], [110, 190, 300, np.nan], equal_nan=True)
    assert np.array_equal(ww["lo"], [100, 180, 250, np.nan], equal_nan=True)
    y = layout.select_one({"name": "y_wastewater"})
    assert (y.start, y.end) == (0, 400 * 1.08)
    x = layout.select_one({"name": "x_wastewater"})
    span = 21 * DAY
    assert (x.start, x.end) == (x0 - 0.02 * span, x0 + span + 0.02 * span)
    assert x.bounds == (x0 - 0.1 * span, x0 + span + 0.1 * span)
    sari = layout.select_one({"name": "legend_sari"})
    assert [i.label.value for i in sari.items] == ["all ages", "35-59", "80+"]
    assert np.array_equal(data(layout, "src_sari")["g0"], [3, 2])
    assert np.isnan(data(layout, "src_sari")["g3"]).all()
    hover = layout.select_one({"name": "hover_sari"})
    assert [label for label, _ in hover.tooltips] == [
        "date",
        "all ages",
        "35-59",
        "80+",
    ]


def test_plot_signals_picks_a_pathogen_and_a_scale(signals: pd.DataFrame) -> None:
    flu = epicurves.plot_signals(signals, pathogen="Influenza A", scale="log")
    assert shown(flu)[0] == "fig_wastewater_log"
    assert np.array_equal(data(flu, "src_wastewater")["measured"], [5, 0, 7])
    y = flu.select_one({"name": "y_wastewater_log"})
    assert (y.start, y.end) == (5 / 1.5, 7 * 1.6)  # the zero is not on a log axis
    assert flu.select_one({"name": "fig_wastewater_log"}).yaxis[0].ticker.ticks
    with pytest.raises(
        epicurves.UsageError, match=r"'RSV'.*'SARS-CoV-2', 'Influenza A'"
    ):
        epicurves.plot_signals(signals, pathogen="RSV")
    with pytest.raises(epicurves.UsageError, match="holds 2 regions"):
        epicurves.plot_signals(pd.concat([signals, signals.assign(region_id="FR")]))
    assert shown(epicurves.plot_signals(signals.iloc[:0])) == []
    with pytest.raises(epicurves.UsageError, match="must be a DataFrame"):
        epicurves.plot_signals([1, 2])  # type: ignore[arg-type]


def test_plot_region_appends_the_signal_charts(signals: pd.DataFrame) -> None:
    germany = metrics_of(RISE, DEATHS, region="DE")
    layout = epicurves.plot_region(germany, signals=signals)
    assert shown(layout)[-2:] == ["fig_wastewater", "fig_sari"]
    with pytest.raises(
        epicurves.UsageError, match="signals are of region DE, metrics of X"
    ):
        epicurves.plot_region(metrics_of(RISE), signals=signals)

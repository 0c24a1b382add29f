"""The shared region charts: named empty sources that region.js fills, built once, kept small."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import epicurves
from epicurves import plotdata, plots

STATIC = Path(plots.__file__).parent / "site" / "static"
REGION_JS = STATIC / "region.js"
PREFIX = "window.EPICURVES_CHARTS = "


def models(node: Any) -> Iterator[dict[str, Any]]:
    """Every serialized Bokeh model (``{"type": "object", ...}``) in a json_item."""
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from models(value)
    elif isinstance(node, list):
        for value in node:
            yield from models(value)


def named(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for model in models(item):
        name = model.get("attributes", {}).get("name")
        if name is not None:
            assert name not in out, f"two models are named {name!r}"
            out[name] = model
    return out


def js_names() -> set[str]:
    """Every model name region.js looks up: model("...") literals, REGION_SOURCES, cmp_i."""
    text = REGION_JS.read_text(encoding="utf-8")
    found = set(re.findall(r'(?:model|get_model_by_name)\("([A-Za-z0-9_]+)"\)', text))
    block = re.search(r"var REGION_SOURCES = \[(.*?)\];", text, re.DOTALL)
    assert block is not None, "region.js no longer declares REGION_SOURCES"
    found |= set(re.findall(r'"([A-Za-z0-9_]+)"', block.group(1)))
    lines = re.search(r"var COMPARE_LINES = (\d+);", text)
    assert lines is not None, "region.js no longer declares COMPARE_LINES"
    assert int(lines.group(1)) == plots.COMPARE_LINES
    found |= {f"cmp_{i}" for i in range(int(lines.group(1)))}
    return found


@pytest.fixture(scope="module")
def item() -> dict[str, Any]:
    return plots.chart_item()


def test_every_name_region_js_uses_exists(item: dict[str, Any]) -> None:
    names = named(item)
    wanted = js_names()
    assert {"x", "cmp_legend", "fig_inc_lin", "inc", "cmp_7"} <= wanted
    missing = sorted(wanted - names.keys())
    assert not missing, f"region.js looks up models the charts do not have: {missing}"


def test_region_js_fills_every_source(item: dict[str, Any]) -> None:
    sources = {
        name
        for name, model in named(item).items()
        if model["name"] == "ColumnDataSource"
    }
    assert sources == set(plots.SOURCES)
    assert sources <= js_names(), "a source region.js never fills"


def test_sources_are_empty_with_the_declared_columns(item: dict[str, Any]) -> None:
    seen = 0
    for name, model in named(item).items():
        if model["name"] != "ColumnDataSource":
            continue
        entries = model["attributes"]["data"]["entries"]
        assert [column for column, _ in entries] == list(plots.SOURCES[name])
        assert all(values == [] for _, values in entries), f"source {name} is not empty"
        seen += 1
    assert seen == len(plots.SOURCES)
    unnamed = [
        m["id"]
        for m in models(item)
        if m["name"] == "ColumnDataSource" and "name" not in m.get("attributes", {})
    ]
    assert unnamed == []


def test_figures_share_one_x_range_and_log_variants_are_log(
    item: dict[str, Any],
) -> None:
    names = named(item)
    x_id = names["x"]["id"]
    for figure in plots.FIGURES:
        attributes = names[figure]["attributes"]
        assert attributes["x_range"]["id"] == x_id, figure
        assert attributes["sizing_mode"] == "stretch_width"
        y_scale = attributes["y_scale"]["name"]
        log = figure.endswith("_log") or figure == "fig_compare"
        assert y_scale == ("LogScale" if log else "LinearScale"), figure
        # the page shows the linear variants until the reader asks for log
        later = figure in plots.LATER_FIGURES
        assert attributes.get("visible", True) is (
            not figure.endswith("_log") and not later
        )
        tools = {
            tool["name"]
            for tool in models(attributes["toolbar"])
            if tool["name"].endswith("Tool")
        }
        assert {"HoverTool", "BoxZoomTool", "WheelZoomTool", "ResetTool"} <= tools
        assert tools & {"PanTool"}


def test_item_is_built_once_small_and_stable(item: dict[str, Any]) -> None:
    built = plots._chart_json.cache_info().misses
    again = plots.chart_item()
    assert again == item
    assert again is not item  # callers may change their copy
    assert plots._chart_json.cache_info().misses == built, (
        "chart_item() rebuilt the layout"
    )
    ids = [m["id"] for m in models(item)]
    assert item["root_id"] == "c0"
    assert all(re.fullmatch(r"c\d+", i) for i in ids)
    size = len(plots.chart_item_js())
    print(f"chart_item_js: {size} bytes")
    assert size < 100_000


def test_chart_item_js_is_one_assignment(item: dict[str, Any]) -> None:
    text = plots.chart_item_js()
    assert text.startswith(PREFIX)
    assert text.endswith(";\n")
    assert "</" not in text
    assert json.loads(text[len(PREFIX) : -2]) == item
    # an item passed in is written as given
    small = {"doc": {"roots": []}, "root_id": "c0", "target_id": None}
    assert json.loads(plots.chart_item_js(small)[len(PREFIX) : -2]) == small


def test_level_colours_match_region_js() -> None:
    text = REGION_JS.read_text(encoding="utf-8")
    stops = re.findall(r"\[(\d+), \[0x(..), 0x(..), 0x(..)\]\]", text)
    assert [(float(v), f"#{r}{g}{b}") for v, r, g, b in stops] == list(
        plots.LEVEL_COLOURS
    )


def test_nothing_is_compiled_in_the_browser(item: dict[str, Any]) -> None:
    """No CustomJS model (BokehJS compiles them with new Function, which a strict
    Content-Security-Policy refuses) in the charts, the maps or compare.js; each log axis has
    the ticker the page fills, and compare labels its axes as the charts do."""
    from epicurves.site.maps import geometry

    texts = [
        json.dumps(item),
        *(json.dumps(plots.map_item(geometry(n))) for n in ("world", "germany")),
    ]
    for text in texts:
        assert "CustomJS" not in text
    names = named(item)
    for fig in ("fig_inc_log", "fig_cases_log", "fig_deaths_log", "fig_compare"):
        assert f"ticks_{fig}" in names, fig
    compare = (STATIC / "compare.js").read_text(encoding="utf-8")
    assert (
        "CustomJS" not in compare
        and "new Function" not in compare
        and "eval(" not in compare
    )
    assert f'var SHORT_NUMBER = "{plots._SHORT_NUMBER}"' in compare


def test_every_figure_has_its_named_y_range(item: dict[str, Any]) -> None:
    names = named(item)
    for figure in plots.FIGURES:
        y_range = names[figure]["attributes"]["y_range"]
        assert y_range["id"] == names["y_" + figure.removeprefix("fig_")]["id"]


def test_signal_items_have_the_models_signals_js_uses() -> None:
    """static/signals.js looks models up as ``<kind>_<chart>``: every chart has them, with an
    empty source of the declared columns."""
    items = plots.signal_items()
    assert set(items) == set(plots.SIGNAL_FIGURES)
    for chart, item in items.items():
        names = named(item)
        wanted = {f"src_{chart}", f"x_{chart}", f"y_{chart}", f"fig_{chart}"}
        if chart == "wastewater":
            wanted |= {f"fig_{chart}_log", f"y_{chart}_log", f"ticks_fig_{chart}_log"}
        elif chart != "hospitalisation":
            wanted |= {f"legend_{chart}", f"hover_{chart}"}
        assert wanted <= names.keys(), (chart, sorted(wanted - names.keys()))
        entries = names[f"src_{chart}"]["attributes"]["data"]["entries"]
        assert [c for c, _ in entries] == list(plots.SIGNAL_FIGURES[chart])
        assert all(values == [] for _, values in entries), chart


def test_every_signal_chart_of_the_site_has_its_figure() -> None:
    from epicurves.site.signals import SIGNAL_CHARTS

    assert {c.figure for c in SIGNAL_CHARTS} <= set(plots.SIGNAL_FIGURES)


def test_importing_the_site_build_does_not_import_bokeh() -> None:
    """The daily no-change run imports the site's build, not the chart code (0.5 s)."""
    import subprocess
    import sys

    code = "import sys, epicurves.site.build; print('bokeh' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- the same charts filled in Python: epicurves.plot_region, plot_signals -------------------
DAY = 86_400_000.0
NODE = Path("/usr/bin/node")
POPULATION = 200_000  # per 100 000 is half a count


def metrics_of(
    new_cases: list[int],
    new_deaths: list[int | None] | None = None,
    region: str = "X",
    population: int | None = POPULATION,
) -> pd.DataFrame:
    """compute_metrics of one small made-up region from 2021-03-01 on."""
    n = len(new_cases)
    deaths = [None] * n if new_deaths is None else new_deaths
    observations = pd.DataFrame(
        {
            "source": "s",
            "region_id": region,
            "date": pd.date_range("2021-03-01", periods=n),
            "cases": pd.array(np.cumsum(new_cases), dtype="Int64"),
            "deaths": pd.array(
                [None if d is None else 0 for d in deaths], dtype="Int64"
            ),
            "new_cases": pd.array(new_cases, dtype="Int64"),
            "new_deaths": pd.array(deaths, dtype="Int64"),
            "flags": "",
        }
    )
    regions = pd.DataFrame(
        {"region_id": [region], "source": ["s"], "population": [population]}
    )
    return epicurves.compute_metrics(
        observations, regions if population is not None else None
    )


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
    assert plotdata.level_colours([-5, 0, 150, 200, 1e9, float("nan")]) == [
        "#2e8b57", "#2e8b57", "#ab1414", "#800000", "#800000", plotdata.NEUTRAL_COLOUR,
    ]  # fmt: skip


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
    view = plotdata.region_view(rise)
    assert view.population == POPULATION  # recovered from the incidence, exactly
    assert plotdata.region_view(rise.assign(population=300_000)).population == 300_000
    assert plotdata.region_view(rise, population=1e6).population == 1e6
    unknown = metrics_of(RISE, population=None)
    view = plotdata.region_view(unknown)
    assert view.population is None and view.per == "count"
    assert set(data(epicurves.plot_region(unknown), "inc_seg")["c"]) == {
        plotdata.NEUTRAL_COLOUR
    }
    with pytest.raises(epicurves.UsageError, match="population of X is unknown"):
        epicurves.plot_region(unknown, per="per100k")


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
    assert solid["c"] == plotdata.level_colours((inc[6:12] + inc[7:13]) / 2)
    # by hand: days 7 and 8 (index 6, 7) have 140 and 175 per 100 000 in 7 days
    assert (inc[6], inc[7]) == (140.0, 175.0)
    # 157.5: 57.5 % of the way from #d62728 (214, 39, 40) to #800000 (128, 0, 0)
    assert solid["c"][0] == plotdata.level_colours([157.5])[0] == "#a51111"
    last = data(layout, "inc_last")
    assert last["c"] == plotdata.level_colours([inc[-1]])
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
    assert [t for t in ticks if start <= t <= end] == plotdata.log_ticks(start, end)
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


def test_each_plot_is_new_and_the_site_item_stays(rise: pd.DataFrame) -> None:
    before = plots.chart_item_js()
    one, two = epicurves.plot_region(rise), epicurves.plot_region(rise)
    assert one.select_one({"name": "inc"}) is not two.select_one({"name": "inc"})
    assert plots.chart_item_js() == before
    assert plots._chart_json.cache_info().currsize == 1


def test_importing_epicurves_does_not_import_bokeh() -> None:
    import subprocess
    import sys

    code = "import sys, epicurves; epicurves.plot_region; print('bokeh' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_signal_registry_lives_in_the_core() -> None:
    from epicurves.site import signals as site_signals

    assert site_signals.SIGNAL_CHARTS is plotdata.SIGNAL_CHARTS
    assert site_signals.SignalChart is plotdata.SignalChart
    assert plots.SIGNAL_FIGURES is plotdata.SIGNAL_FIGURES


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


def _node(script: str) -> Any:
    import subprocess

    if not NODE.exists():
        pytest.skip(f"{NODE} not found")
    out = subprocess.run(
        [str(NODE), "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _js_function(path: Path, name: str) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"\n( *)function {name}\(.*?\n\1\}}\n", text, re.DOTALL)
    assert match is not None, f"{path.name} has no function {name}"
    return match.group(0)


def test_colours_numbers_and_ticks_are_the_page_scripts() -> None:
    """level_colours, format_number and log_ticks against region.js's levelColour and
    formatNumber and site.js's logTicks, run by node on many values."""
    text = REGION_JS.read_text(encoding="utf-8")
    head = re.search(r"var LEVELS = \[.*?\];\n *var NEUTRAL = .*?;\n", text, re.DOTALL)
    assert head is not None
    values = [*np.linspace(-10, 260, 2701).round(3).tolist(), 49.999, 50.0, 100.0001]
    numbers = [0.04, 0.05, 0.15, 0.25, 12.25, 99.95, 99.949, 100.5, 1234.5, 98765.4321]
    spans = [
        (1, 3),
        (0.5, 200),
        (0.013, 7.7),
        (2e-5, 9e4),
        (0.1, 10),
        (3, 3.5),
        (1e-3, 1e6),
    ]
    script = (
        head.group(0)
        + _js_function(REGION_JS, "hex")
        + _js_function(REGION_JS, "levelColour")
        + _js_function(REGION_JS, "formatNumber")
        + _js_function(STATIC / "site.js", "logTicks")
        + f"console.log(JSON.stringify([{json.dumps(values)}.map(levelColour), "
        f"{json.dumps(numbers)}.map(formatNumber), "
        f"{json.dumps(spans)}.map(s => logTicks(s[0], s[1]))]));"
    )
    colours, texts, ticks = _node(script)
    assert plotdata.level_colours(values) == colours
    assert [plotdata.format_number(v) for v in numbers] == texts
    assert [plotdata.log_ticks(a, b) for a, b in spans] == ticks

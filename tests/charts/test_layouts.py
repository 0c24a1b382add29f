"""The chart layouts: named empty sources the page scripts fill, every name of the spec in them, built once, kept small, nothing compiled in the browser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import python
from epicurves.charts import spec
from epicurves.charts.layouts import maps, region, signals

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


@pytest.fixture(scope="module")
def item() -> dict[str, Any]:
    return region.chart_item()


def test_every_name_the_page_scripts_look_up_exists(item: dict[str, Any]) -> None:
    """The region page looks up the figures, the sources, the x range, the comparison lines
    and their legend, and a ticker per log axis, by the spec's names (static/region.js)."""
    names = named(item)
    wanted = {
        *spec.FIGURES,
        *spec.SOURCES_OF_REGION,
        spec.NAMES["x"],
        spec.NAMES["compareLegend"],
    }
    wanted |= {
        f"{spec.NAMES['yRange']}{f.removeprefix(spec.NAMES['figure'])}"
        for f in spec.FIGURES
    }
    assert wanted <= names.keys(), sorted(wanted - names.keys())
    assert {f"cmp_{i}" for i in range(spec.COMPARE_LINES)} <= names.keys()


def test_the_first_screen_is_the_root_and_the_rest_waits_in_its_tags(
    item: dict[str, Any],
) -> None:
    """region.js embeds the root (the first screen's panels) and later adds the column in its
    tags as a second root: each figure in exactly one of the two, in page order."""
    root = item["doc"]["roots"][0]
    assert root["attributes"]["name"] == spec.NAMES["charts"]

    def figures(column: dict[str, Any]) -> list[str]:
        return [
            child["attributes"]["name"] for child in column["attributes"]["children"]
        ]

    (more,) = root["attributes"]["tags"]
    assert more["attributes"]["name"] == spec.NAMES["more"]
    assert figures(root) == list(spec.FIRST_FIGURES)
    assert figures(more) == list(spec.LATER_FIGURES)
    assert [*spec.FIRST_FIGURES, *spec.LATER_FIGURES] == list(spec.FIGURES)


def test_sources_are_empty_with_the_declared_columns(item: dict[str, Any]) -> None:
    seen = 0
    for name, model in named(item).items():
        if model["name"] != "ColumnDataSource":
            continue
        entries = model["attributes"]["data"]["entries"]
        assert [column for column, _ in entries] == list(spec.SOURCES_OF_REGION[name])
        assert all(values == [] for _, values in entries), f"source {name} is not empty"
        seen += 1
    assert seen == len(spec.SOURCES_OF_REGION)
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
    for figure in spec.FIGURES:
        attributes = names[figure]["attributes"]
        assert attributes["x_range"]["id"] == x_id, figure
        assert attributes["sizing_mode"] == "stretch_width"
        y_scale = attributes["y_scale"]["name"]
        log = figure.endswith("_log") or figure == "fig_compare"
        assert y_scale == ("LogScale" if log else "LinearScale"), figure
        # the page shows the linear variants until the reader asks for log
        assert attributes.get("visible", True) is (
            not figure.endswith("_log") or figure == "fig_compare"
        )
        tools = {
            tool["name"]
            for tool in models(attributes["toolbar"])
            if tool["name"].endswith("Tool")
        }
        assert {"HoverTool", "BoxZoomTool", "WheelZoomTool", "ResetTool"} <= tools
        assert tools & {"PanTool"}


def test_item_is_built_once_small_and_stable(item: dict[str, Any]) -> None:
    built = region._chart_item.cache_info().misses
    again = region.chart_item()
    assert again == item
    assert again is not item  # callers may change their copy
    assert region._chart_item.cache_info().misses == built, (
        "chart_item() rebuilt the layout"
    )
    ids = [m["id"] for m in models(item)]
    assert item["root_id"] == "c0"
    assert all(re.fullmatch(r"c\d+", i) for i in ids)
    size = len(region.chart_item_js())
    print(f"chart_item_js: {size} bytes")
    assert size < 100_000


def test_chart_item_js_is_one_assignment(item: dict[str, Any]) -> None:
    text = region.chart_item_js()
    assert text.startswith(PREFIX)
    assert text.endswith(";\n")
    assert "</" not in text
    assert json.loads(text[len(PREFIX) : -2]) == item


def test_nothing_is_compiled_in_the_browser(item: dict[str, Any]) -> None:
    """No CustomJS model (BokehJS compiles them with new Function, which a strict
    Content-Security-Policy refuses) in the charts, the maps or compare.js; each log axis has
    the ticker the page fills, and compare labels its axes as the charts do."""
    from epicurves.site.maps import geometry

    texts = [
        json.dumps(item),
        *(json.dumps(maps.map_item(geometry(n))) for n in ("world", "germany")),
    ]
    for text in texts:
        assert "CustomJS" not in text
    names = named(item)
    for fig in ("fig_inc_log", "fig_cases_log", "fig_deaths_log", "fig_compare"):
        assert f"ticks_{fig}" in names, fig
    static = Path(spec.__file__).parent.parent / "site" / "static"
    for script in static.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert (
            "CustomJS" not in text
            and "new Function" not in text
            and "eval(" not in text
        )


def test_every_figure_has_its_named_y_range(item: dict[str, Any]) -> None:
    names = named(item)
    for figure in spec.FIGURES:
        y_range = names[figure]["attributes"]["y_range"]
        assert y_range["id"] == names["y_" + figure.removeprefix("fig_")]["id"]


def test_signal_items_have_the_models_signals_js_uses() -> None:
    """static/signals.js looks models up as ``<kind>_<chart>``: every chart has them, with an
    empty source of the declared columns."""
    items = signals.signal_items()
    assert set(items) == set(spec.SIGNAL_FIGURES)
    for chart, item in items.items():
        names = named(item)
        wanted = {f"src_{chart}", f"x_{chart}", f"y_{chart}", f"fig_{chart}"}
        if chart == "wastewater":
            wanted |= {f"fig_{chart}_log", f"y_{chart}_log", f"ticks_fig_{chart}_log"}
        elif chart != "hospitalisation":
            wanted |= {f"legend_{chart}", f"hover_{chart}"}
        assert wanted <= names.keys(), (chart, sorted(wanted - names.keys()))
        entries = names[f"src_{chart}"]["attributes"]["data"]["entries"]
        assert [c for c, _ in entries] == list(spec.SIGNAL_FIGURES[chart])
        assert all(values == [] for _, values in entries), chart


def test_every_signal_chart_of_the_site_has_its_figure() -> None:
    assert {c.figure for c in spec.SIGNAL_CHARTS} <= set(spec.SIGNAL_FIGURES)


def test_importing_the_site_build_does_not_import_bokeh() -> None:
    """The daily no-change run imports the site's build, not the chart code (0.5 s)."""
    code = "import sys, epicurves.site.build; print('bokeh' in sys.modules)"
    assert python(code).stdout.strip() == "False"


@pytest.mark.slow
def test_every_layout_passes_bokehs_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """``item_json`` skips Bokeh's document validation (a fifth of making the layouts): here
    every layout the site writes through it (the region charts, each signal chart, each map,
    the Forecasts page's coverage chart) is validated instead, with no error and no warning;
    and afterwards the setting is as it was, a value the user set included."""
    from bokeh.core.validation.check import check_integrity
    from bokeh.settings import settings as bokeh_settings

    from epicurves.charts.layouts import common
    from epicurves.site.assets import MAP_FILES
    from epicurves.site.coverage import coverage_item
    from epicurves.site.maps import geometry

    before = bokeh_settings.perform_document_validation()
    problems: dict[str, list[str]] = {}
    serialised = common.json_item

    def validated(layout: Any) -> Any:
        assert bokeh_settings.perform_document_validation() is False
        found = check_integrity(list(layout.references()))
        problems[str(layout.name or type(layout).__name__) + f"#{len(problems)}"] = [
            f"{issue.code} {issue.name}: {issue.text}"
            for issue in (*found.error, *found.warning)
        ]
        return serialised(layout)

    monkeypatch.setattr(common, "json_item", validated)
    region._chart_item.__wrapped__()
    signals._signal_items.__wrapped__()
    for name in MAP_FILES:
        maps.map_item(geometry(name))
    rows = [
        {"horizon": h, "n": 10, "coverage_50": 0.5, "coverage_95": 0.9}
        for h in range(4)
    ]
    coverage_item([("COVID-19 admissions", rows), ("Influenza admissions", rows)])
    assert len(problems) == 1 + len(spec.SIGNAL_FIGURES) + len(MAP_FILES) + 1
    assert {k: v for k, v in problems.items() if v} == {}
    assert bokeh_settings.perform_document_validation() is before  # as it was
    bokeh_settings.perform_document_validation.set_value(False)
    try:
        maps.map_item(geometry("germany"))
        assert bokeh_settings.perform_document_validation.is_set  # still the user's
    finally:
        bokeh_settings.perform_document_validation.unset_value()

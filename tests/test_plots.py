"""The shared region charts: named empty sources that region.js fills, built once, kept small."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from epicurves import plots

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

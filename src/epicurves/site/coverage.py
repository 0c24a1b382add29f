"""The Forecasts page's chart of coverage by horizon: a Bokeh item, one panel per target, in a data script the page's script embeds.

Each panel draws, by horizon, how often the ensemble's 50 % and 95 % intervals held the
outcome, with the nominal levels (0.5 and 0.95) dashed in the same colours. The item is
written to ``forecasts/coverage.js``, a classic script assigning it to
``self.EPICURVES_COVERAGE`` (so it loads from ``file://`` and under ``script-src 'self'``);
``static/scorecard.js`` embeds it. The page's table of the same numbers is its text
alternative.

Only the numbers change from one week to the next: the item made by Bokeh is kept in the
layout cache under its shape (each panel's title and horizons, with the code's digest), and
the next chart of that shape is that item with each panel's numbers put in its data source
(the same bytes as Bokeh's, without importing Bokeh: 1.2 s of a daily run that completes a
week).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..charts.layouts import item_js
from ..charts.spec import COLOURS
from ..files import write_atomic
from .assets import code_digest

if TYPE_CHECKING:
    from bokeh.plotting import figure

# Bokeh is imported where the chart is drawn, not with the module: the Forecasts page imports
# COVERAGE_LEVELS on every build, and a site without forecasts draws no chart (0.6 s saved).

__all__ = ["COVERAGE_LEVELS", "COVERAGE_VARIABLE", "coverage_item", "coverage_script"]

#: The intervals drawn: (column, nominal level, label, colour, marker). Both colours are the
#: charts' own, each at least 3:1 against their light panel.
COVERAGE_LEVELS: tuple[tuple[str, float, str, str, str], ...] = (
    ("coverage_50", 0.5, "50 % interval", COLOURS["cases"], "circle"),
    ("coverage_95", 0.95, "95 % interval", COLOURS["smoothed"], "square"),
)
#: The name the data script assigns the item to.
COVERAGE_VARIABLE = "self.EPICURVES_COVERAGE"
#: A panel's height in pixels.
PANEL_HEIGHT = 220


#: The name of panel ``i``'s data source in the item.
SOURCE_NAME = "coverage-{}"

Panels = Sequence[tuple[str, Sequence[dict[str, Any]]]]


def _data(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """A panel's data source: ``x`` (the horizons), ``n`` and each level's coverage."""
    return {
        "x": [int(r["horizon"]) for r in rows],
        "n": [int(r["n"]) for r in rows],
        **{c: [float(r[c]) for r in rows] for c, *_ in COVERAGE_LEVELS},
    }


def _panel(title: str, rows: Sequence[dict[str, Any]], number: int) -> figure:
    """One target's panel: ``rows`` of ``horizon``, ``n`` and each level's coverage."""
    from bokeh.models import (
        ColumnDataSource,
        FixedTicker,
        HoverTool,
        NumeralTickFormatter,
        Range1d,
    )
    from bokeh.models.annotations import Title
    from bokeh.plotting import figure

    horizons = [int(r["horizon"]) for r in rows]
    low, high = min(horizons) - 0.4, max(horizons) + 0.4
    fig = figure(
        title=Title(text=title, text_font_size="13px"),
        x_range=Range1d(start=low, end=high),
        y_range=Range1d(start=0, end=1.04),
        height=PANEL_HEIGHT,
        sizing_mode="stretch_width",
        tools="",
        toolbar_location=None,
        min_border_left=40,
        min_border_right=10,
        background_fill_color=COLOURS["background"],
        border_fill_color=COLOURS["background"],
    )
    fig.xaxis.axis_label = "horizon (weeks after the reference date)"
    fig.xaxis.ticker = FixedTicker(ticks=horizons)
    fig.yaxis.ticker = FixedTicker(ticks=[0, 0.25, 0.5, 0.75, 0.95])
    fig.yaxis.formatter = NumeralTickFormatter(format="0%")
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.major_label_text_font_size = "11px"
        axis.axis_label_text_font_size = "11px"
    fig.xgrid.visible = False
    source = ColumnDataSource(data=_data(rows), name=SOURCE_NAME.format(number))
    shown = []
    for column, nominal, _, colour, marker in COVERAGE_LEVELS:
        fig.line(
            x=[low, high],
            y=[nominal, nominal],
            line_color=colour,
            line_width=1.5,
            line_dash="dashed",
        )
        fig.line(x="x", y=column, source=source, line_color=colour, line_width=2)
        shown.append(
            fig.scatter(
                x="x",
                y=column,
                source=source,
                marker=marker,
                size=8,
                fill_color=colour,
                line_color=colour,
            )
        )
    fig.add_tools(
        HoverTool(
            renderers=cast(list[Any], shown[:1]),
            mode="vline",
            tooltips=[
                ("horizon", "@x"),
                *((label, f"@{c}{{0%}}") for c, _, label, _, _ in COVERAGE_LEVELS),
                ("forecasts", "@n{0,0}"),
            ],
        )
    )
    return fig


def coverage_item(panels: Panels, cache: Path | None = None) -> dict[str, Any]:
    """The chart as a stable ``json_item``: a panel per ``(title, rows)``, two a row; with
    a ``cache`` folder, from the item of the same shape kept there (made and kept if none)."""
    shown = [(title, rows) for title, rows in panels if rows]
    if cache is None:
        return _made(shown)
    shape = [(title, [int(r["horizon"]) for r in rows]) for title, rows in shown]
    key = hashlib.sha256(json.dumps([code_digest(), shape]).encode()).hexdigest()[:16]
    path = cache / f"coverage-{key}.json"
    try:
        kept = json.loads(path.read_text("utf-8"))
        if not isinstance(kept, dict):
            raise ValueError(path)
    except (OSError, ValueError):
        item = _made(shown)
        try:
            cache.mkdir(parents=True, exist_ok=True)
            for old in cache.glob("coverage-*.json"):
                old.unlink(missing_ok=True)  # of another shape or other code
            write_atomic(path, json.dumps(item))
        except OSError:  # a read-only home: made each time
            pass
        return item
    try:
        return _filled(kept, [rows for _, rows in shown])
    except ValueError:  # not an item of this shape (a damaged cache): made anew
        return _made(shown)


def _made(shown: Panels) -> dict[str, Any]:
    """The chart made by Bokeh."""
    from bokeh.layouts import gridplot

    from ..charts.layouts.common import item_json

    figures = [_panel(title, rows, i) for i, (title, rows) in enumerate(shown)]
    grid = gridplot(
        cast(list[Any], figures), ncols=2, sizing_mode="stretch_width",
        toolbar_location=None,
    )  # fmt: skip
    return item_json(grid)


def _filled(
    item: dict[str, Any], panels: Sequence[Sequence[dict[str, Any]]]
) -> dict[str, Any]:
    """``item`` (a chart of the same shape, read from the cache) with each panel's numbers
    put in its data source, as Bokeh serialises them (a map of lists; a number that is not
    finite, which Bokeh writes otherwise: an error, and the chart is made by Bokeh)."""
    names = {SOURCE_NAME.format(i): rows for i, rows in enumerate(panels)}
    found = 0

    def visit(node: Any) -> None:
        nonlocal found
        if isinstance(node, dict):
            attributes = node.get("attributes")
            if node.get("name") == "ColumnDataSource" and isinstance(attributes, dict):
                rows = names.get(attributes.get("name", ""))
                if rows is not None:
                    entries = [[k, v] for k, v in _data(rows).items()]
                    if not all(math.isfinite(x) for _, v in entries for x in v):
                        msg = (
                            f"coverage chart: a number that is not finite in {entries}"
                        )
                        raise ValueError(msg)
                    attributes["data"] = {"type": "map", "entries": entries}
                    found += 1
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(item)
    if found != len(panels):  # not an item of this shape: made anew
        msg = f"coverage chart: {found} data sources for {len(panels)} panels"
        raise ValueError(msg)
    return item


def coverage_script(panels: Panels, cache: Path | None = None) -> bytes:
    """``forecasts/coverage.js``: the chart, assigned to :data:`COVERAGE_VARIABLE`
    (:func:`coverage_item`, with its ``cache``)."""
    return item_js(COVERAGE_VARIABLE, coverage_item(panels, cache)).encode()

"""The maps as Bokeh items: a choropleth of a geometry, every region grey until static/maps.js colours it for the date shown."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bokeh.models import ColumnDataSource, HoverTool, Range1d, TapTool
from bokeh.plotting import figure

from ..spec import COLOURS, MAP_NO_DATA, MAP_SOURCE, NAMES
from .common import item_js, item_json

__all__ = ["map_item", "map_item_js"]


def _map_figure(geometry: Mapping[str, Any]) -> figure:
    """A choropleth of ``geometry`` (regions with ``id``, ``name``, ``xs``, ``ys``; ``bounds``;
    optional ``labels``: ``x``, ``y``, ``text``), every region grey until the page colours it."""
    regions = geometry["regions"]
    x0, y0, x1, y1 = (float(v) for v in geometry["bounds"])
    pad = 0.02 * max(x1 - x0, y1 - y0)
    source = ColumnDataSource(
        data={
            "id": [r["id"] for r in regions],
            "name": [r["name"] for r in regions],
            "xs": [r["xs"] for r in regions],
            "ys": [r["ys"] for r in regions],
            # what the page fills for the date it shows
            **{
                c: [MAP_NO_DATA if c == "colour" else ""] * len(regions)
                for c in MAP_SOURCE[4:]
            },
        },
        name=NAMES["map"],
    )
    fig = figure(
        name="fig_map",
        x_range=Range1d(
            start=x0 - pad, end=x1 + pad, bounds=(x0 - 4 * pad, x1 + 4 * pad)
        ),
        y_range=Range1d(
            start=y0 - pad, end=y1 + pad, bounds=(y0 - 4 * pad, y1 + 4 * pad)
        ),
        match_aspect=True,
        aspect_ratio=(x1 - x0 + 2 * pad) / (y1 - y0 + 2 * pad),
        sizing_mode="scale_width",
        tools="pan,wheel_zoom,reset,tap",
        active_drag=None,
        toolbar_location="above",
        background_fill_color=COLOURS["background"],
        border_fill_color=COLOURS["background"],
    )
    fig.toolbar.logo = None
    fig.toolbar.autohide = True
    fig.axis.visible = False
    fig.grid.visible = False
    fig.outline_line_color = None
    shapes = fig.multi_polygons(
        xs="xs", ys="ys", source=source, fill_color="colour", line_color="#ffffff",
        line_width=0.6, hover_line_color="#1d2433", hover_fill_color="colour", name="regions",
    )  # fmt: skip
    if shapes.hover_glyph is not None:
        shapes.hover_glyph.line_width = 2
    shapes.nonselection_glyph = None
    shapes.selection_glyph = None
    labels = geometry.get("labels")
    if labels:
        fig.text(
            x="x", y="y", text="text", source=ColumnDataSource(dict(labels), name="labels"),
            text_align="center", text_baseline="middle", text_color="#ffffff",
            text_font_size="20px", text_font_style="bold",
        )  # fmt: skip
    fig.add_tools(
        HoverTool(
            renderers=[shapes],
            tooltips=[("", "@name"), ("7-day incidence", "@value"), ("", "@note")],
        )
    )
    # a tap selects the region; static/maps.js opens its page (none for a region without one)
    tap = next(t for t in fig.tools if isinstance(t, TapTool))
    tap.renderers = [shapes]
    return fig


def map_item(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """A map as a ``bokeh.embed.json_item`` dict with model ids renumbered ``c0, c1, ...``,
    so the same geometry always gives the same file."""
    return item_json(_map_figure(geometry))


def map_item_js(name: str, geometry: Mapping[str, Any]) -> str:
    """A JavaScript file body registering :func:`map_item` as ``EPICURVES_MAPS[name]``."""
    registry = f"(self.EPICURVES_MAPS=self.EPICURVES_MAPS||{{}})[{json.dumps(name)}]"
    return item_js(registry, map_item(geometry)).replace(" = ", "=", 1)

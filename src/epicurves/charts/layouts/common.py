"""What every chart layout shares: the figure and its legend, hover and axes, and turning a layout into a stable ``json_item``; setting what the page sets, for notebooks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from bokeh.embed import json_item
from bokeh.models import (
    DatetimeTicker,
    DatetimeTickFormatter,
    FixedTicker,
    HoverTool,
    LogScale,
    NumeralTickFormatter,
    Range1d,
)
from bokeh.models.annotations import Legend, LegendItem, Span, Title
from bokeh.models.renderers import GlyphRenderer
from bokeh.plotting import figure
from bokeh.settings import SettingProvenance
from bokeh.settings import settings as bokeh_settings

from ..spec import COLOURS, DATE_FORMAT, NAMES, SHORT_NUMBER
from ..views import axis_log_ticks
from . import item_js

__all__ = [
    "DATE_ROW",
    "HEIGHT",
    "add_hover",
    "add_legend",
    "add_one_line",
    "item_js",
    "item_json",
    "log_ticks",
    "make_figure",
    "named",
    "set_range",
    "slim",
]

#: A panel's height in pixels.
HEIGHT = 240
#: The date row of every hover tooltip.
DATE_ROW = ("date", DATE_FORMAT)


def make_figure(
    name: str, title: str, x_range: Range1d, *, log: bool = False
) -> figure:
    fig = figure(
        name=name,
        title=Title(text=title, text_font_size="13px"),
        x_range=x_range,
        y_range=Range1d(start=0, end=1, name="y_" + name.removeprefix("fig_")),
        x_axis_type="datetime",
        y_axis_type="log" if log else "linear",
        height=HEIGHT,
        sizing_mode="stretch_width",
        tools="xpan,box_zoom,wheel_zoom,reset,save",
        active_drag="xpan",
        toolbar_location="above",
        min_border_left=40,
        min_border_right=10,
        background_fill_color=COLOURS["background"],
        visible=not log,
    )
    fig.toolbar.logo = None
    fig.toolbar.autohide = True
    fig.xaxis.major_label_text_font_size = "11px"
    fig.yaxis.major_label_text_font_size = "11px"
    fig.xgrid.grid_line_alpha = 0.5
    return fig


def add_legend(
    fig: figure, items: list[tuple[str, list[Any]]], name: str = "", below: bool = False
) -> Legend:
    legend = Legend(
        items=[LegendItem(label=label, renderers=rs) for label, rs in items],
        location="top_left",
        click_policy="hide",
        label_text_font_size="11px",
        glyph_height=12,
        glyph_width=16,
        label_height=12,
        spacing=0,
        margin=4,
        background_fill_alpha=0.7,
        border_line_alpha=0.0,
    )
    legend.update(padding=4)  # the stubs mistype Legend.padding
    if name:
        legend.name = name
    if below:  # many lines: under the plot, in two columns, not over the curves
        legend.update(
            ncols=2, label_width=130, location="top_left", background_fill_alpha=0.0
        )
        fig.add_layout(legend, "below")
    else:
        fig.add_layout(legend)
    return legend


def add_hover(
    fig: figure,
    renderer: Any,
    rows: list[tuple[str, str]],
    name: str | None = None,
) -> None:
    """A tooltip of the date and ``rows`` along the x axis, on ``renderer``; ``name`` for a
    page script to find it."""
    fig.add_tools(
        HoverTool(
            renderers=[renderer],
            tooltips=[DATE_ROW, *rows],
            formatters={"@x": "datetime"},
            mode="vline",
            name=name,
        )
    )


def add_band(fig: figure, source: Any, colour: str, alpha: float) -> Any:
    """The shaded interval between the ``lo`` and ``hi`` columns of ``source``."""
    return fig.varea(
        x="x", y1="lo", y2="hi", source=source, fill_color=colour, fill_alpha=alpha
    )


def add_fan(fig: figure, source: Any, legend: Legend | None = None) -> Any:
    """A forecast's fan from ``source`` (:data:`~..fans.FAN_COLUMNS`): the 95 % and 50 %
    bands and the median, one legend entry labelled by the source's ``label`` column (none
    while it is empty), a tooltip of its numbers; returns the median's renderer."""
    from bokeh.core.properties import field

    from ..fans import FAN_COLOURS

    outer = fig.varea(
        x="x", y1="lo95", y2="hi95", source=source, fill_color=FAN_COLOURS["band95"]
    )
    inner = fig.varea(
        x="x", y1="lo50", y2="hi50", source=source, fill_color=FAN_COLOURS["band50"]
    )
    median = fig.line(
        "x", "median", source=source, line_color=FAN_COLOURS["median"], line_width=2
    )
    if legend is not None:
        items: list[Any] = list(legend.items)  # the stubs mistype Legend.items
        drawn: Any = [outer, inner, median]
        items.append(LegendItem(label=field("label"), renderers=drawn))
        legend.items = items
    fig.add_tools(
        HoverTool(
            renderers=[median],
            tooltips=[
                ("forecast", "@label"),
                ("median", "@median{0,0.[00]}"),
                ("50 % interval", "@lo50{0,0.[00]} to @hi50{0,0.[00]}"),
                ("95 % interval", "@lo95{0,0.[00]} to @hi95{0,0.[00]}"),
            ],
            mode="vline",
        )
    )
    return median


def add_one_line(fig: figure) -> None:
    fig.add_layout(
        Span(location=1.0, dimension="width", line_color=COLOURS["one"], line_width=1)
    )


def slim(figures: list[figure]) -> None:
    """Share one date ticker and the formatters, give each log axis a ticker the page fills
    (``ticks_<figure>``: 1-2-5 steps, denser or sparser with the decades in view, by
    ``logTicks`` in static/chartdata.js; Bokeh's LogTicker gives crowded linear ticks
    below two decades and bare powers of ten above), and let BokehJS derive the glyphs shown
    when unselected or muted (half the JSON otherwise)."""
    ticker = DatetimeTicker()
    formatter = DatetimeTickFormatter()
    numbers = NumeralTickFormatter(format=SHORT_NUMBER)
    for fig in figures:
        for axis in fig.xaxis:
            axis.ticker = ticker
            axis.formatter = formatter
        for axis in fig.yaxis:
            axis.formatter = numbers
            if isinstance(fig.y_scale, LogScale):
                axis.ticker = FixedTicker(
                    ticks=[], minor_ticks=[], name=NAMES["ticks"] + str(fig.name)
                )
        for renderer in fig.renderers:
            if isinstance(renderer, GlyphRenderer):
                renderer.nonselection_glyph = "auto"
                renderer.muted_glyph = "auto"


def _renumber(node: Any, ids: dict[str, str]) -> Any:
    """Replace Bokeh's process-wide model ids by c1, c2, ... in order of appearance."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("id", "root_id") and isinstance(value, str):
                out[key] = ids.setdefault(value, f"c{len(ids) + 1}")
            else:
                out[key] = _renumber(value, ids)
        return out
    if isinstance(node, list):
        return [_renumber(value, ids) for value in node]
    return node


@contextmanager
def _unvalidated() -> Iterator[None]:
    """Bokeh's document validation off, then as it was. ``json_item`` validates every model
    of the layout each time (a fifth of making the site's layouts); a layout is made from the
    code alone, and tests/charts/test_layouts.py validates each one instead."""
    setting = bokeh_settings.perform_document_validation
    value, provenance = setting.get_value_with_provenance()
    setting.set_value(False)
    try:
        yield
    finally:
        if provenance is SettingProvenance.USER_SET:
            setting.set_value(value)
        else:
            setting.unset_value()


def item_json(layout: Any) -> dict[str, Any]:
    """``layout`` as a ``bokeh.embed.json_item`` dict, its model ids renumbered ``c0, c1,
    ...`` in order of appearance (the root first): the same layout always gives the same
    bytes, and the file the site writes the same hash. Bokeh's validation of the layout is
    left to the tests (:func:`_unvalidated`)."""
    with _unvalidated():
        item = json_item(layout)
    ids: dict[str, str] = {item["root_id"]: "c0"}
    stable: dict[str, Any] = _renumber(dict(item), ids)
    return stable


def named(root: Any) -> dict[str, Any]:
    """Every named model under ``root`` (the layouts here name each model once)."""
    return {m.name: m for m in root.references() if m.name}


def set_range(model: Range1d, span: tuple[float, float]) -> None:
    """What the page's ``setRange`` does: the range and where the reset tool goes back to."""
    start, end = span
    model.update(start=start, end=end, reset_start=start, reset_end=end)


def log_ticks(fig: figure) -> None:
    """A log axis's fixed ticker gets the page's ticks for its range (and beyond it)."""
    y = fig.y_range
    for axis in fig.yaxis:
        if isinstance(axis.ticker, FixedTicker) and isinstance(y, Range1d):
            axis.ticker.ticks = axis_log_ticks(cast(float, y.start), cast(float, y.end))

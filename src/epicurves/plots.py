"""The region page's interactive charts: one Bokeh layout with empty, named sources, built once.

The site embeds :func:`chart_item` once (as ``static/charts-<hash>.js``, from
:func:`chart_item_js`) and ``static/region.js`` fills the named sources from each region's
payload in the browser, so no chart object is built per region. Panels, after OSCOVIDA's
``overview`` (six panels) and ``compare_plot``:

- ``fig_inc_lin``/``_log``: 7-day incidence per 100 000 (or 7-day sum), coloured by level;
- ``fig_cases_lin``/``_log``: daily new cases (bars), centred 7-day mean, provisional tail dashed;
- ``fig_deaths_lin``/``_log``: the same for deaths;
- ``fig_r_cases``: R (RKI method; Cori with its 95 % band) and week-on-week growth factor;
- ``fig_r_deaths``: R (RKI method) and growth factor from deaths;
- ``fig_doubling``: doubling time of cases and of deaths;
- ``fig_compare``: 7-day incidence of the region and up to seven peers, log axis.

Bokeh cannot change an axis type at runtime, so the first three panels exist twice (linear and
log) and the page shows one of each pair; both share their sources. All panels share the x range
``x``. :data:`SOURCES` lists every named source with its columns: the page script relies on them.

:func:`draw_region` and :func:`draw_signals` build the same figures afresh and fill them in
Python from the views of :mod:`epicurves.plotdata` (what the page's scripts would put in them):
they are :func:`epicurves.plot_region` and :func:`epicurves.plot_signals` behind the scenes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from bokeh.core.properties import value
from bokeh.embed import json_item
from bokeh.layouts import column
from bokeh.models import (
    Column,
    ColumnDataSource,
    DatetimeTicker,
    DatetimeTickFormatter,
    FixedTicker,
    HoverTool,
    LogScale,
    NumeralTickFormatter,
    Range1d,
    TapTool,
)
from bokeh.models.annotations import Legend, LegendItem, Span, Title
from bokeh.models.renderers import DataRenderer, GlyphRenderer
from bokeh.plotting import figure

from .plotdata import (
    AGE_LINES,
    COMPARE_LINES,
    LEVEL_COLOURS,
    SIGNAL_FIGURES,
    RegionView,
    SignalView,
    axis_log_ticks,
)

#: Panels below the first screen: hidden in the item, shown by the page after its first paint.
LATER_FIGURES = ("fig_r_cases", "fig_r_deaths", "fig_doubling", "fig_compare")

__all__ = [
    "AGE_LINES",
    "COMPARE_LINES",
    "FIGURES",
    "LATER_FIGURES",
    "LEVEL_COLOURS",
    "MAP_SOURCE",
    "SIGNAL_FIGURES",
    "SOURCES",
    "chart_item",
    "chart_item_js",
    "draw_region",
    "draw_signals",
    "map_item",
    "map_item_js",
    "signal_items",
    "signal_items_js",
]

# COMPARE_LINES (the region and seven peers) and LEVEL_COLOURS (incidence level -> colour,
# region.js holds the same stops) live in epicurves.plotdata, which computes with them.

#: Every named source and its columns (``x``: dates as ms since the epoch, UTC).
SOURCES: dict[str, tuple[str, ...]] = {
    "inc": ("x", "y", "inc", "s7"),
    "inc_seg": ("x0", "y0", "x1", "y1", "c"),
    "inc_seg_prov": ("x0", "y0", "x1", "y1", "c"),
    "inc_last": ("x", "y", "c", "text"),
    "cases": ("x", "y", "n", "p", "m", "flag"),
    "cases_avg": ("x", "y"),
    "cases_avg_prov": ("x", "y"),
    "deaths": ("x", "y", "n", "p", "m", "flag"),
    "deaths_avg": ("x", "y"),
    "deaths_avg_prov": ("x", "y"),
    "r_cases": ("x", "r_rki", "r_cori", "lo", "hi", "gf"),
    "r_deaths": ("x", "r_rki", "gf"),
    "doubling": ("x", "cases", "deaths"),
    **{f"cmp_{i}": ("x", "y", "name") for i in range(COMPARE_LINES)},
}

#: Every named figure (``y_<figure name without fig_>`` is its y range).
FIGURES: tuple[str, ...] = (
    "fig_inc_lin",
    "fig_inc_log",
    "fig_cases_lin",
    "fig_cases_log",
    "fig_deaths_lin",
    "fig_deaths_log",
    "fig_r_cases",
    "fig_r_deaths",
    "fig_doubling",
    "fig_compare",
)

_CASES_COLOUR = "#1f77b4"
_DEATHS_COLOUR = "#d62728"
_R_COLOUR = "#2ca02c"
_CORI_COLOUR = "#9467bd"
#: Line colours of the comparison chart: the region in near-black, then its peers (Tableau).
_PEER_COLOURS = (
    "#111111",
    "#1f77b4",
    "#b85c00",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#b5338a",
)
_HEIGHT = 240
#: Short y labels: 2.5k, 1.2m, 0.0004 (a phone has room for about five characters), by Bokeh's
#: own formatter: no code compiled in the browser, so the site runs under script-src 'self'.
_SHORT_NUMBER = "0.[0000]a"
_DATE = ("date", "@x{%a %d %b %Y}")


def _source(name: str) -> ColumnDataSource:
    return ColumnDataSource(data={key: [] for key in SOURCES[name]}, name=name)


def _figure(name: str, title: str, x_range: Range1d, *, log: bool = False) -> figure:
    fig = figure(
        name=name,
        title=Title(text=title, text_font_size="13px"),
        x_range=x_range,
        y_range=Range1d(start=0, end=1, name="y_" + name.removeprefix("fig_")),
        x_axis_type="datetime",
        y_axis_type="log" if log else "linear",
        height=_HEIGHT,
        sizing_mode="stretch_width",
        tools="xpan,box_zoom,wheel_zoom,reset,save",
        active_drag="xpan",
        toolbar_location="above",
        min_border_left=40,
        min_border_right=10,
        background_fill_color="#fbfbfb",
        visible=not log,
    )
    fig.toolbar.logo = None
    fig.toolbar.autohide = True
    fig.xaxis.major_label_text_font_size = "11px"
    fig.yaxis.major_label_text_font_size = "11px"
    fig.xgrid.grid_line_alpha = 0.5
    return fig


def _legend(
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


def _hover(fig: figure, renderer: Any, rows: list[tuple[str, str]]) -> None:
    fig.add_tools(
        HoverTool(
            renderers=[renderer],
            tooltips=[_DATE, *rows],
            formatters={"@x": "datetime"},
            mode="vline",
        )
    )


def _incidence(
    name: str, x: Range1d, sources: dict[str, ColumnDataSource], log: bool
) -> figure:
    fig = _figure(name, "7-day incidence per 100 000", x, log=log)
    points = fig.line("x", "y", source=sources["inc"], line_alpha=0.0, line_width=3)
    fig.segment(
        "x0",
        "y0",
        "x1",
        "y1",
        source=sources["inc_seg"],
        line_color="c",
        line_width=3,
        line_cap="round",
    )
    fig.segment(
        "x0",
        "y0",
        "x1",
        "y1",
        source=sources["inc_seg_prov"],
        line_color="c",
        line_width=3,
        line_dash="dotted",
        line_cap="round",
    )
    fig.scatter(
        "x",
        "y",
        source=sources["inc_last"],
        marker="cross",
        size=12,
        line_width=2,
        line_color="c",
    )
    fig.text(
        "x",
        "y",
        text="text",
        source=sources["inc_last"],
        x_offset=-6,
        y_offset=-6,
        text_align="right",
        text_font_size="12px",
        text_color="c",
    )
    _hover(
        fig,
        points,
        [("per 100 000", "@inc{0,0.0}"), ("cases in 7 days", "@s7{0,0}")],
    )
    return fig


def _daily(
    name: str,
    what: str,
    colour: str,
    x: Range1d,
    sources: dict[str, ColumnDataSource],
    log: bool,
) -> figure:
    fig = _figure(name, f"Daily new {what} per 100 000", x, log=log)
    bars = fig.vbar(
        x="x",
        top="y",
        bottom=1e-9 if log else 0.0,
        width=86_400_000 * 0.8,
        source=sources[what],
        fill_color=colour,
        fill_alpha=0.25,
        line_alpha=0.0,
    )
    mean = fig.line(
        "x", "y", source=sources[f"{what}_avg"], line_color=colour, line_width=2.5
    )
    tail = fig.line(
        "x",
        "y",
        source=sources[f"{what}_avg_prov"],
        line_color=colour,
        line_width=2.5,
        line_dash="dashed",
        line_alpha=0.6,
    )
    _legend(
        fig,
        [
            (f"new {what}", [bars]),
            ("7-day mean (centred)", [mean]),
            ("provisional", [tail]),
        ],
    )
    _hover(
        fig,
        bars,
        [
            (f"new {what}", "@n{0,0}"),
            ("per 100 000", "@p{0,0.00}"),
            ("7-day mean (trailing)", "@m{0,0.0}"),
            ("flags", "@flag"),
        ],
    )
    return fig


def _one_line(fig: figure) -> None:
    fig.add_layout(
        Span(location=1.0, dimension="width", line_color="#555555", line_width=1)
    )


def _r_cases(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = _figure("fig_r_cases", "R and growth factor, from cases", x)
    source = sources["r_cases"]
    band = fig.varea(
        x="x", y1="lo", y2="hi", source=source, fill_color=_CORI_COLOUR, fill_alpha=0.2
    )
    _one_line(fig)
    cori = fig.line(
        "x", "r_cori", source=source, line_color=_CORI_COLOUR, line_width=2.5
    )
    rki = fig.line("x", "r_rki", source=source, line_color=_R_COLOUR, line_width=2)
    dots = fig.scatter(
        "x",
        "gf",
        source=source,
        size=3.5,
        fill_color=_CASES_COLOUR,
        line_alpha=0.0,
        fill_alpha=0.35,
    )
    _legend(
        fig,
        [
            ("R (Cori, 95 % band)", [cori, band]),
            ("R (RKI, 7-day)", [rki]),
            ("growth factor 7d", [dots]),
        ],
    )
    _hover(
        fig,
        cori,
        [
            ("R Cori", "@r_cori{0.00} (@lo{0.00} to @hi{0.00})"),
            ("R RKI", "@r_rki{0.00}"),
            ("growth factor", "@gf{0.00}"),
        ],
    )
    return fig


def _r_deaths(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = _figure("fig_r_deaths", "R and growth factor, from deaths", x)
    source = sources["r_deaths"]
    _one_line(fig)
    rki = fig.line("x", "r_rki", source=source, line_color=_R_COLOUR, line_width=2)
    dots = fig.scatter(
        "x",
        "gf",
        source=source,
        size=3.5,
        fill_color=_DEATHS_COLOUR,
        line_alpha=0.0,
        fill_alpha=0.35,
    )
    _legend(fig, [("R (RKI, 7-day)", [rki]), ("growth factor 7d", [dots])])
    _hover(fig, rki, [("R RKI", "@r_rki{0.00}"), ("growth factor", "@gf{0.00}")])
    return fig


def _doubling(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = _figure("fig_doubling", "Doubling time (days), while growing", x)
    source = sources["doubling"]
    cases = fig.line(
        "x", "cases", source=source, line_color=_CASES_COLOUR, line_width=2.5
    )
    deaths = fig.line(
        "x", "deaths", source=source, line_color=_DEATHS_COLOUR, line_width=2.5
    )
    _legend(fig, [("cases", [cases]), ("deaths", [deaths])])
    _hover(fig, cases, [("cases", "@cases{0.0} days"), ("deaths", "@deaths{0.0} days")])
    return fig


def _compare(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = _figure("fig_compare", "7-day incidence per 100 000 (log scale)", x, log=True)
    fig.visible = True
    fig.height = _HEIGHT + 80
    lines: list[DataRenderer] = []
    for i in range(COMPARE_LINES):
        line = fig.line(
            "x",
            "y",
            source=sources[f"cmp_{i}"],
            line_color=_PEER_COLOURS[i],
            line_width=3 if i == 0 else 1.8,
            line_alpha=1.0 if i == 0 else 0.85,
        )
        lines.append(line)
    _legend(fig, [("", [line]) for line in lines], name="cmp_legend", below=True)
    fig.add_tools(
        HoverTool(
            renderers=lines,
            tooltips=[("", "@name"), _DATE, ("per 100 000", "@y{0,0.0}")],
            formatters={"@x": "datetime"},
        )
    )
    return fig


def _layout() -> Column:
    x = Range1d(start=0, end=1, name="x")
    sources = {name: _source(name) for name in SOURCES}
    figures = [
        _incidence("fig_inc_lin", x, sources, log=False),
        _incidence("fig_inc_log", x, sources, log=True),
        _daily("fig_cases_lin", "cases", _CASES_COLOUR, x, sources, log=False),
        _daily("fig_cases_log", "cases", _CASES_COLOUR, x, sources, log=True),
        _daily("fig_deaths_lin", "deaths", _DEATHS_COLOUR, x, sources, log=False),
        _daily("fig_deaths_log", "deaths", _DEATHS_COLOUR, x, sources, log=True),
        _r_cases(x, sources),
        _r_deaths(x, sources),
        _doubling(x, sources),
        _compare(x, sources),
    ]
    _slim(figures)
    # Drawn after the first paint (region.js reveals them), so the first charts appear sooner.
    for fig in figures:
        if fig.name in LATER_FIGURES:
            fig.visible = False
    return column(*figures, sizing_mode="stretch_width", name="charts")


def _slim(figures: list[figure]) -> None:
    """Share one date ticker and the formatters, give each log axis a ticker the page fills
    (``ticks_<figure>``: 1-2-5 steps, denser or sparser with the decades in view, by
    ``Epicurves.logTicks`` in static/site.js; Bokeh's LogTicker gives crowded linear ticks
    below two decades and bare powers of ten above), and let BokehJS derive the glyphs shown
    when unselected or muted (half the JSON otherwise)."""
    ticker = DatetimeTicker()
    formatter = DatetimeTickFormatter()
    numbers = NumeralTickFormatter(format=_SHORT_NUMBER)
    for fig in figures:
        for axis in fig.xaxis:
            axis.ticker = ticker
            axis.formatter = formatter
        for axis in fig.yaxis:
            axis.formatter = numbers
            if isinstance(fig.y_scale, LogScale):
                axis.ticker = FixedTicker(
                    ticks=[], minor_ticks=[], name=f"ticks_{fig.name}"
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


@functools.cache
def _chart_json() -> str:
    item = json_item(_layout())
    ids: dict[str, str] = {}
    root = item["root_id"]
    ids[root] = "c0"
    stable = _renumber(dict(item), ids)
    # key order matters: BokehJS reads a model before any reference to it
    return json.dumps(stable, separators=(",", ":"))


def chart_item() -> dict[str, Any]:
    """The charts as a ``bokeh.embed.json_item`` dict, empty sources; built once per process.

    Model ids are renumbered ``c0, c1, ...`` so the item, and the hash of the file the site
    writes, are the same on every build."""
    item: dict[str, Any] = json.loads(_chart_json())
    return item


def chart_item_js(item: dict[str, Any] | None = None) -> str:
    """A JavaScript file body ``window.EPICURVES_CHARTS = {...};`` (of :func:`chart_item`
    unless ``item`` is given), to load with a ``<script>`` tag, which works from ``file://``."""
    text = _chart_json() if item is None else json.dumps(item, separators=(",", ":"))
    # "</" would end an inline <script>; JSON allows the escaped form.
    text = text.replace("</", "<\\/")
    return f"window.EPICURVES_CHARTS = {text};\n"


#: Columns of a map's named source ``map`` (``xs``/``ys``: Bokeh ``multi_polygons`` nesting);
#: the page fills ``colour``, ``value``, ``note`` and ``href`` for the date it shows.
MAP_SOURCE = ("id", "name", "xs", "ys", "colour", "value", "note", "href")
#: The fill of a region before the page colours it, and of one without data on the date.
MAP_NO_DATA = "#8c8c8c"


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
            "colour": [MAP_NO_DATA] * len(regions),
            "value": [""] * len(regions),
            "note": [""] * len(regions),
            "href": [""] * len(regions),
        },
        name="map",
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
        background_fill_color="#fbfbfb",
        border_fill_color="#fbfbfb",
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
    item = json_item(_map_figure(geometry))
    ids: dict[str, str] = {item["root_id"]: "c0"}
    stable: dict[str, Any] = _renumber(dict(item), ids)
    return stable


def map_item_js(name: str, geometry: Mapping[str, Any]) -> str:
    """A JavaScript file body registering :func:`map_item` as ``EPICURVES_MAPS[name]``."""
    text = json.dumps(map_item(geometry), separators=(",", ":")).replace("</", "<\\/")
    return (
        f"(self.EPICURVES_MAPS=self.EPICURVES_MAPS||{{}})[{json.dumps(name)}]={text};\n"
    )


# -- the surveillance charts -------------------------------------------------------------------
# Each chart of SIGNAL_FIGURES (its source's columns; AGE_LINES lines by age group at most;
# both in epicurves.plotdata) is one Bokeh item (:func:`signal_items`), embedded in its own
# place of the page and filled by static/signals.js; its models are named ``<kind>_<chart>``
# (``src_``, ``fig_``, ``x_``, ``y_``, ``legend_``, ``hover_``; ``fig_<chart>_log`` and
# ``y_<chart>_log`` for the log twin).
_SIGNAL_TITLES = {
    "wastewater": "Viral load in wastewater (genome copies per litre)",
    "hospitalisation": "COVID-19 hospitalisations per 100 000 in 7 days",
    "hospitalisation_2020": "COVID-19 hospitalisations per 100 000 in 7 days, 2020-2022",
    "deaths_weekly": "COVID-19 deaths per week",
    "sari": "SARI hospitalisations with COVID-19 per 100 000 per week",
}
_SMOOTHED_COLOUR = "#b85c00"


def _signal_figure(chart: str, x: Range1d, log: bool = False) -> figure:
    name = f"fig_{chart}_log" if log else f"fig_{chart}"
    fig = _figure(name, _SIGNAL_TITLES[chart], x, log=log)
    fig.y_range.name = f"y_{chart}_log" if log else f"y_{chart}"
    fig.visible = not log
    return fig


def _signal_hover(
    fig: figure, renderer: Any, rows: list[tuple[str, str]], name: str
) -> None:
    fig.add_tools(
        HoverTool(
            renderers=[renderer],
            tooltips=[("date", "@x{%a %d %b %Y}"), *rows],
            formatters={"@x": "datetime"},
            mode="vline",
            name=name,
        )
    )


def _wastewater(source: ColumnDataSource, x: Range1d, log: bool) -> figure:
    fig = _signal_figure("wastewater", x, log)
    band = fig.varea(x="x", y1="lo", y2="hi", source=source, fill_color=_SMOOTHED_COLOUR,
                     fill_alpha=0.18)  # fmt: skip
    line = fig.line(
        "x", "smoothed", source=source, line_color=_SMOOTHED_COLOUR, line_width=2.5
    )
    dots = fig.scatter("x", "measured", source=source, size=5, fill_color=_CASES_COLOUR,
                       line_color=_CASES_COLOUR, fill_alpha=0.7)  # fmt: skip
    _legend(
        fig, [("measured", [dots]), ("smoothed (RKI, with interval)", [line, band])]
    )
    _signal_hover(fig, line, [("measured", "@measured{0,0}"), ("smoothed", "@smoothed{0,0}"),
                              ("interval", "@lo{0,0} to @hi{0,0}")],
                  "hover_wastewater_log" if log else "hover_wastewater")  # fmt: skip
    return fig


def _hospitalisation(source: ColumnDataSource, x: Range1d) -> figure:
    fig = _signal_figure("hospitalisation", x)
    band = fig.varea(x="x", y1="lo", y2="hi", source=source, fill_color=_DEATHS_COLOUR,
                     fill_alpha=0.15)  # fmt: skip
    fixed = fig.line(
        "x", "fixed", source=source, line_color=_CASES_COLOUR, line_width=2
    )
    updated = fig.line(
        "x", "updated", source=source, line_color=_R_COLOUR, line_width=2
    )
    nowcast = fig.line("x", "nowcast", source=source, line_color=_DEATHS_COLOUR,
                       line_width=2.5, line_dash="dashed")  # fmt: skip
    _legend(fig, [("fixed", [fixed]), ("updated", [updated]),
                  ("nowcast (95 % interval)", [nowcast, band])])  # fmt: skip
    _signal_hover(fig, updated, [("fixed", "@fixed{0.00}"), ("updated", "@updated{0.00}"),
                                 ("nowcast", "@nowcast{0.00} (@lo{0.00} to @hi{0.00})")],
                  "hover_hospitalisation")  # fmt: skip
    return fig


def _by_age(chart: str, source: ColumnDataSource, x: Range1d) -> figure:
    fig = _signal_figure(chart, x)
    lines: list[DataRenderer] = []
    for i in range(AGE_LINES):
        lines.append(
            fig.line(
                "x",
                f"g{i}",
                source=source,
                line_color=_PEER_COLOURS[i],
                line_width=2.5 if i == 0 else 1.8,
            )
        )
    _legend(fig, [(f"g{i}", [line]) for i, line in enumerate(lines)],
            name=f"legend_{chart}", below=True)  # fmt: skip
    _signal_hover(fig, lines[0], [(f"g{i}", f"@g{i}{{0,0.[00]}}") for i in range(AGE_LINES)],
                  f"hover_{chart}")  # fmt: skip
    return fig


def _signal_layout(chart: str) -> Any:
    x = Range1d(start=0, end=1, name=f"x_{chart}")
    source = ColumnDataSource(
        data={c: [] for c in SIGNAL_FIGURES[chart]}, name=f"src_{chart}"
    )
    if chart == "wastewater":
        figures = [_wastewater(source, x, log=False), _wastewater(source, x, log=True)]
    elif chart == "hospitalisation":
        figures = [_hospitalisation(source, x)]
    else:
        figures = [_by_age(chart, source, x)]
    _slim(figures)
    return column(*figures, sizing_mode="stretch_width", name=f"charts_{chart}")


@functools.cache
def _signal_json() -> str:
    items = {}
    for chart in SIGNAL_FIGURES:
        item = json_item(_signal_layout(chart))
        ids: dict[str, str] = {item["root_id"]: "c0"}
        items[chart] = _renumber(dict(item), ids)
    return json.dumps(items, separators=(",", ":"))


def signal_items() -> dict[str, dict[str, Any]]:
    """The surveillance charts, one ``json_item`` dict per chart of :data:`SIGNAL_FIGURES`,
    empty sources, model ids renumbered (the same bytes on every build)."""
    items: dict[str, dict[str, Any]] = json.loads(_signal_json())
    return items


def signal_items_js() -> str:
    """A JavaScript file body ``window.EPICURVES_SIGNAL_CHARTS = {...};``."""
    text = _signal_json().replace("</", "<\\/")
    return f"window.EPICURVES_SIGNAL_CHARTS = {text};\n"


# -- the same figures, filled in Python (epicurves.plot_region, plot_signals) -------------------
def _named(root: Any) -> dict[str, Any]:
    """Every named model under ``root`` (the layouts here name each model once)."""
    return {m.name: m for m in root.references() if m.name}


def _set_range(model: Range1d, span: tuple[float, float]) -> None:
    """What the page's ``setRange`` does: the range and where the reset tool goes back to."""
    start, end = span
    model.update(start=start, end=end, reset_start=start, reset_end=end)


def _log_ticks(fig: figure) -> None:
    """A log axis's fixed ticker gets the page's ticks for its range (and beyond it)."""
    y = fig.y_range
    for axis in fig.yaxis:
        if isinstance(axis.ticker, FixedTicker) and isinstance(y, Range1d):
            axis.ticker.ticks = axis_log_ticks(cast(float, y.start), cast(float, y.end))


def draw_region(view: RegionView, signals: Sequence[SignalView] = ()) -> Column:
    """The region charts (:func:`_layout`, new models) filled from ``view``: the shown panels,
    then the surveillance charts of ``signals``, in one column."""
    layout = _layout()
    named = _named(layout)
    for name, data in view.sources.items():
        named[name].data = dict(data)
    for name, span in view.ranges.items():
        _set_range(named[name], span)
    if view.x_bounds is not None:
        named["x"].bounds = view.x_bounds
    for name, title in view.titles.items():
        named[name].title.text = title
    legend = named["cmp_legend"]
    items = list(legend.items)
    shown = []
    for item, label in zip(items, view.compare, strict=True):
        for renderer in item.renderers:
            renderer.visible = label is not None
        if label is not None:
            item.label = value(label)
            shown.append(item)
    legend.items = shown
    figures = [named[name] for name in view.figures]
    for fig in figures:
        fig.visible = True
        if isinstance(fig.y_scale, LogScale):
            _log_ticks(fig)
    return column(
        *figures,
        *(_filled_signal(s) for s in signals),
        sizing_mode="stretch_width",
        name="charts",
    )


def _filled_signal(view: SignalView) -> figure:
    """One surveillance chart (:func:`_signal_layout`, new models) filled from ``view``."""
    chart = view.chart.figure
    named = _named(_signal_layout(chart))
    named[f"src_{chart}"].data = dict(view.data)
    x = named[f"x_{chart}"]
    if view.x_bounds is not None:
        x.bounds = view.x_bounds
    if view.x_range is not None:
        _set_range(x, view.x_range)
    fig = named[view.figure]
    if view.y_range is not None:
        _set_range(fig.y_range, view.y_range)
    fig.visible = True
    if isinstance(fig.y_scale, LogScale):
        _log_ticks(fig)
    if view.chart.lines == "age_group":
        legend = named[f"legend_{chart}"]
        items = list(legend.items)
        tooltips = [_DATE]
        for i, item in enumerate(items):
            used = i < len(view.labels)
            for renderer in item.renderers:
                renderer.visible = used
            if used:
                item.label = value(view.labels[i])
                tooltips.append((view.labels[i], f"@g{i}{{0,0.[00]}}"))
        legend.items = items[: len(view.labels)]
        named[f"hover_{chart}"].tooltips = tooltips
    shown: figure = fig
    return shown


def draw_signals(views: Sequence[SignalView]) -> Column:
    """The surveillance charts of ``views``, filled, in one column."""
    return column(
        *(_filled_signal(v) for v in views),
        sizing_mode="stretch_width",
        name="signal_charts",
    )

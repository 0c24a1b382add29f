"""The region page's charts as one Bokeh layout with empty, named sources, built once; and filled in Python for :func:`epicurves.plot_region`.

The site embeds :func:`chart_item` once (as ``static/charts-<hash>.js``, :func:`chart_item_js`)
and ``static/region.js`` fills the named sources (:data:`~..spec.SOURCES_OF_REGION`) from each
region's data, as static/chartdata.js prepares them, so no chart object is built per region.
Panels, after OSCOVIDA's ``overview`` (six panels) and ``compare_plot``
(:data:`~..spec.FIGURES`):

- ``fig_inc_lin``/``_log``: 7-day incidence per 100 000 (or 7-day sum), coloured by level;
- ``fig_cases_lin``/``_log``: daily new cases (bars), centred 7-day mean, provisional tail dashed;
- ``fig_deaths_lin``/``_log``: the same for deaths;
- ``fig_r_cases``: R (RKI method; Cori with its 95 % band) and week-on-week growth factor;
- ``fig_r_deaths``: R (RKI method) and growth factor from deaths;
- ``fig_doubling``: doubling time of cases and of deaths;
- ``fig_compare``: 7-day incidence of the region and up to seven peers, log axis.

Bokeh cannot change an axis type at runtime, so the first three panels exist twice (linear and
log) and the page shows one of each pair; both share their sources. All panels share the x range
``x``. :func:`draw_region` builds the same figures afresh and fills them from a view
(:func:`epicurves.charts.views.region_view`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from bokeh.core.properties import value
from bokeh.layouts import column
from bokeh.models import Column, ColumnDataSource, HoverTool, LogScale, Range1d
from bokeh.models.renderers import DataRenderer
from bokeh.plotting import figure

from ..spec import (
    COLOURS,
    COMPARE_LINES,
    DAY_MS,
    FIRST_FIGURES,
    LOG_SUFFIX,
    NAMES,
    PANEL_TITLES,
    PEER_COLOURS,
    SOURCES_OF_REGION,
)
from ..views import RegionView, SignalView
from .common import (
    DATE_ROW,
    HEIGHT,
    add_band,
    add_fan,
    add_hover,
    add_legend,
    add_one_line,
    item_js,
    item_json,
    log_ticks,
    make_figure,
    named,
    set_range,
    slim,
)
from .signals import filled_signal

__all__ = ["chart_item", "chart_item_js", "draw_region"]


def _source(name: str) -> ColumnDataSource:
    return ColumnDataSource(
        data={key: [] for key in SOURCES_OF_REGION[name]}, name=name
    )


def _incidence(
    name: str, x: Range1d, sources: dict[str, ColumnDataSource], log: bool
) -> figure:
    fig = make_figure(name, PANEL_TITLES["inc"][0], x, log=log)
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
    add_hover(
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
    fig = make_figure(name, PANEL_TITLES[what][0], x, log=log)
    bars = fig.vbar(
        x="x",
        top="y",
        bottom=1e-9 if log else 0.0,
        width=DAY_MS * 0.8,
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
    legend = add_legend(
        fig,
        [
            (f"new {what}", [bars]),
            ("7-day mean (centred)", [mean]),
            ("provisional", [tail]),
        ],
    )
    add_fan(fig, sources[f"fc_{what}"], legend)
    add_hover(
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


def _r_and_growth(
    fig: figure, source: ColumnDataSource, colour: str
) -> tuple[DataRenderer, DataRenderer]:
    """RKI's R as a line and the week-on-week growth factor as dots, of ``colour``."""
    rki = fig.line("x", "r_rki", source=source, line_color=COLOURS["r"], line_width=2)
    dots = fig.scatter(
        "x",
        "gf",
        source=source,
        size=3.5,
        fill_color=colour,
        line_alpha=0.0,
        fill_alpha=0.35,
    )
    return rki, dots


def _r_cases(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = make_figure("fig_r_cases", "R and growth factor, from cases", x)
    source = sources["r_cases"]
    band = add_band(fig, source, COLOURS["cori"], 0.2)
    add_one_line(fig)
    cori = fig.line(
        "x", "r_cori", source=source, line_color=COLOURS["cori"], line_width=2.5
    )
    rki, dots = _r_and_growth(fig, source, COLOURS["cases"])
    add_legend(
        fig,
        [
            ("R (Cori, 95 % band)", [cori, band]),
            ("R (RKI, 7-day)", [rki]),
            ("growth factor 7d", [dots]),
        ],
    )
    add_hover(
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
    fig = make_figure("fig_r_deaths", "R and growth factor, from deaths", x)
    source = sources["r_deaths"]
    add_one_line(fig)
    rki, dots = _r_and_growth(fig, source, COLOURS["deaths"])
    add_legend(fig, [("R (RKI, 7-day)", [rki]), ("growth factor 7d", [dots])])
    add_hover(fig, rki, [("R RKI", "@r_rki{0.00}"), ("growth factor", "@gf{0.00}")])
    return fig


def _doubling(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = make_figure("fig_doubling", "Doubling time (days), while growing", x)
    source = sources["doubling"]
    cases = fig.line(
        "x", "cases", source=source, line_color=COLOURS["cases"], line_width=2.5
    )
    deaths = fig.line(
        "x", "deaths", source=source, line_color=COLOURS["deaths"], line_width=2.5
    )
    add_legend(fig, [("cases", [cases]), ("deaths", [deaths])])
    add_hover(
        fig, cases, [("cases", "@cases{0.0} days"), ("deaths", "@deaths{0.0} days")]
    )
    return fig


def _compare(x: Range1d, sources: dict[str, ColumnDataSource]) -> figure:
    fig = make_figure("fig_compare", PANEL_TITLES["inc"][0] + LOG_SUFFIX, x, log=True)
    fig.visible = True
    fig.height = HEIGHT + 80
    lines: list[DataRenderer] = []
    for i in range(COMPARE_LINES):
        line = fig.line(
            "x",
            "y",
            source=sources[f"{NAMES['compareSource']}{i}"],
            line_color=PEER_COLOURS[i],
            line_width=3 if i == 0 else 1.8,
            line_alpha=1.0 if i == 0 else 0.85,
        )
        lines.append(line)
    add_legend(
        fig, [("", [line]) for line in lines], name=NAMES["compareLegend"], below=True
    )
    fig.add_tools(
        HoverTool(
            renderers=lines,
            tooltips=[("", "@name"), DATE_ROW, ("per 100 000", "@y{0,0.0}")],
            formatters={"@x": "datetime"},
        )
    )
    return fig


def _figures() -> list[figure]:
    """Every figure of the region charts, new models, in page order (the log twins hidden)."""
    x = Range1d(start=0, end=1, name=NAMES["x"])
    sources = {name: _source(name) for name in SOURCES_OF_REGION}
    figures = [
        _incidence("fig_inc_lin", x, sources, log=False),
        _incidence("fig_inc_log", x, sources, log=True),
        _daily("fig_cases_lin", "cases", COLOURS["cases"], x, sources, log=False),
        _daily("fig_cases_log", "cases", COLOURS["cases"], x, sources, log=True),
        _daily("fig_deaths_lin", "deaths", COLOURS["deaths"], x, sources, log=False),
        _daily("fig_deaths_log", "deaths", COLOURS["deaths"], x, sources, log=True),
        _r_cases(x, sources),
        _r_deaths(x, sources),
        _doubling(x, sources),
        _compare(x, sources),
    ]
    slim(figures)
    return figures


def _layout() -> Column:
    """The site's charts: a column of the first screen's figures (:data:`~..spec.FIRST_FIGURES`),
    drawn at once, holding in its ``tags`` the column of the others (``NAMES["more"]``), which
    region.js adds to the document as a second root once the first are on screen; one document,
    so every panel shares the x range."""
    figures = _figures()
    more = column(
        *(f for f in figures if f.name not in FIRST_FIGURES),
        sizing_mode="stretch_width",
        name=NAMES["more"],
    )
    return column(
        *(f for f in figures if f.name in FIRST_FIGURES),
        sizing_mode="stretch_width",
        name=NAMES["charts"],
        tags=[more],
    )


@functools.cache
def _chart_item() -> str:
    return json.dumps(item_json(_layout()), separators=(",", ":"))


def chart_item() -> dict[str, Any]:
    """The charts as a ``bokeh.embed.json_item`` dict, empty sources; built once per process
    (each call gives a new copy), model ids renumbered ``c0, c1, ...``
    (:func:`.common.item_json`)."""
    item: dict[str, Any] = json.loads(_chart_item())
    return item


def chart_item_js() -> str:
    """A JavaScript file body ``window.EPICURVES_CHARTS = {...};`` of :func:`chart_item`, to load
    with a ``<script>`` tag, which works from ``file://``."""
    return item_js("window.EPICURVES_CHARTS", json.loads(_chart_item()))


def draw_region(view: RegionView, signals: Sequence[SignalView] = ()) -> Column:
    """The region charts (:func:`_layout`, new models) filled from ``view``: the shown panels,
    then the surveillance charts of ``signals``, in one column."""
    models = named(column(*_figures()))
    for name, data in view.sources.items():
        models[name].data = dict(data)
    for name, span in view.ranges.items():
        set_range(models[name], span)
    if view.x_bounds is not None:
        models[NAMES["x"]].bounds = view.x_bounds
    for name, title in view.titles.items():
        models[name].title.text = title
    legend = models[NAMES["compareLegend"]]
    items = list(legend.items)
    shown = []
    for item, label in zip(items, view.compare, strict=True):
        for renderer in item.renderers:
            renderer.visible = label is not None
        if label is not None:
            item.label = value(label)
            shown.append(item)
    legend.items = shown
    figures = [models[name] for name in view.figures]
    for fig in figures:
        fig.visible = True
        if isinstance(fig.y_scale, LogScale):
            log_ticks(fig)
    return column(
        *figures,
        *(filled_signal(s) for s in signals),
        sizing_mode="stretch_width",
        name=NAMES["charts"],
    )

"""The surveillance charts as Bokeh items with empty, named sources, one per chart, built once; and filled in Python for :func:`epicurves.plot_signals`.

Each chart of :data:`~..spec.SIGNAL_FIGURES` (its source's columns; :data:`~..spec.AGE_LINES`
lines by age group at most) is one item (:func:`signal_items`), embedded in its own place of the
page and filled by static/signals.js; its models are named ``<kind>_<chart>`` (``src_``, ``fig_``,
``x_``, ``y_``, ``legend_``, ``hover_``; ``fig_<chart>_log`` and ``y_<chart>_log`` for the log
twin). Its title is its signal's (:func:`~..spec.signal_title`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from bokeh.core.properties import value
from bokeh.core.property.vectorization import Value
from bokeh.layouts import column
from bokeh.models import (
    Column,
    ColumnDataSource,
    HoverTool,
    LogScale,
    NumeralTickFormatter,
    Range1d,
)
from bokeh.models.renderers import DataRenderer
from bokeh.plotting import figure

from .. import spec
from ..fans import FAN_COLUMNS, fan_lines
from ..spec import AGE_LINES, COLOURS, PEER_COLOURS, signal_model
from ..views import SignalView
from .common import (
    DATE_ROW,
    add_band,
    add_fan,
    add_hover,
    add_legend,
    item_js,
    item_json,
    log_ticks,
    make_figure,
    named,
    set_range,
    slim,
)

__all__ = ["draw_signals", "filled_signal", "signal_items", "signal_items_js"]


def _title(figure_kind: str) -> str:
    """The title of the chart drawn in ``figure_kind``: its signal's, as the source declares it."""
    return next(c.title for c in spec.SIGNAL_CHARTS if c.figure == figure_kind)


def _figure(chart: str, x: Range1d, log: bool = False) -> figure:
    name = signal_model("figure", chart, log=log)
    fig = make_figure(name, _title(chart), x, log=log)
    fig.y_range.name = signal_model("yRange", chart, log=log)
    fig.visible = not log
    return fig


def _wastewater(source: ColumnDataSource, x: Range1d, log: bool) -> figure:
    fig = _figure("wastewater", x, log)
    band = add_band(fig, source, COLOURS["smoothed"], 0.18)
    line = fig.line(
        "x", "smoothed", source=source, line_color=COLOURS["smoothed"], line_width=2.5
    )
    dots = fig.scatter(
        "x",
        "measured",
        source=source,
        size=5,
        fill_color=COLOURS["cases"],
        line_color=COLOURS["cases"],
        fill_alpha=0.7,
    )
    add_legend(
        fig, [("measured", [dots]), ("smoothed (RKI, with interval)", [line, band])]
    )
    add_hover(
        fig,
        line,
        [
            ("measured", "@measured{0,0}"),
            ("smoothed", "@smoothed{0,0}"),
            ("interval", "@lo{0,0} to @hi{0,0}"),
        ],
        signal_model("hover", "wastewater", log=log),
    )
    return fig


def _hospitalisation(
    source: ColumnDataSource, x: Range1d, fans: dict[int, ColumnDataSource]
) -> figure:
    fig = _figure("hospitalisation", x)
    band = add_band(fig, source, COLOURS["deaths"], 0.15)
    fixed = fig.line(
        "x", "fixed", source=source, line_color=COLOURS["cases"], line_width=2
    )
    updated = fig.line(
        "x", "updated", source=source, line_color=COLOURS["r"], line_width=2
    )
    nowcast = fig.line(
        "x",
        "nowcast",
        source=source,
        line_color=COLOURS["deaths"],
        line_width=2.5,
        line_dash="dashed",
    )
    legend = add_legend(
        fig,
        [
            ("fixed", [fixed]),
            ("updated", [updated]),
            ("nowcast (95 % interval)", [nowcast, band]),
        ],
    )
    for fan in fans.values():
        add_fan(fig, fan, legend)
    add_hover(
        fig,
        updated,
        [
            ("fixed", "@fixed{0.00}"),
            ("updated", "@updated{0.00}"),
            ("nowcast", "@nowcast{0.00} (@lo{0.00} to @hi{0.00})"),
        ],
        signal_model("hover", "hospitalisation"),
    )
    return fig


def _by_age(chart: str, source: ColumnDataSource, x: Range1d) -> figure:
    fig = _figure(chart, x)
    declared = _chart_of(chart)
    shaded: list[Any] = []
    if spec.provisional_span(declared):
        # the provisional weeks: one shaded span behind the lines, which the page places
        span = ColumnDataSource(
            data={c: [] for c in spec.PROVISIONAL_SPAN},
            name=signal_model("provisional", chart),
        )
        shaded.append(
            fig.quad(
                left="left", right="right", bottom="bottom", top="top", source=span,
                fill_color=COLOURS["one"], fill_alpha=0.12, line_alpha=0.0,
            )
        )  # fmt: skip
    lines: list[DataRenderer] = []
    for i in range(AGE_LINES):
        lines.append(
            fig.line(
                "x",
                f"g{i}",
                source=source,
                line_color=PEER_COLOURS[i],
                line_width=2.5 if i == 0 else 1.8,
            )
        )
    add_legend(
        fig,
        [(f"g{i}", [line]) for i, line in enumerate(lines)]
        + ([(spec.PROVISIONAL_LABEL, shaded)] if shaded else []),
        name=signal_model("legend", chart),
        below=True,
    )
    add_hover(
        fig,
        lines[0],
        [(f"g{i}", f"@g{i}{declared.hover}") for i in range(AGE_LINES)],
        signal_model("hover", chart),
    )
    return fig


def _chart_of(chart: str) -> spec.SignalChart:
    """The chart drawn in the figure ``chart`` (the first, where several share it)."""
    return next(c for c in spec.SIGNAL_CHARTS if c.figure == chart)


def _fan_sources(chart: str) -> dict[int, ColumnDataSource]:
    """The sources of the forecasts a chart by disease draws, by line (shared by its twins)."""
    declared = _chart_of(chart)
    return {
        i: ColumnDataSource(
            data={c: [] for c in FAN_COLUMNS}, name=f"{spec.NAMES['fan']}{chart}_{i}"
        )
        for i in fan_lines(declared.anchor, declared.pathogens)
    }


def _by_disease(
    chart: str,
    source: ColumnDataSource,
    x: Range1d,
    log: bool,
    fans: dict[int, ColumnDataSource],
) -> figure:
    """A line per disease, solid where settled and dashed (lighter) where provisional; an
    invisible line of every value carries each disease's tooltip; the forecasts (``fans``)
    after them."""
    declared = _chart_of(chart)
    fig = _figure(chart, x, log)
    number = "{0.[00]%}" if declared.percent else declared.hover
    items: list[tuple[str, list[Any]]] = []
    dashed: list[Any] = []
    for i, disease in enumerate(declared.diseases):
        colour = PEER_COLOURS[1 + i]
        settled = fig.line(
            "x", f"s{i}", source=source, line_color=colour, line_width=2.2
        )
        provisional = fig.line(
            "x", f"p{i}", source=source, line_color=colour, line_width=2.2,
            line_dash="dashed", line_alpha=0.75,
        )  # fmt: skip
        every = fig.line("x", f"v{i}", source=source, line_alpha=0.0, line_width=6)
        items.append((disease, [settled, provisional]))
        dashed.append(provisional)
        fig.add_tools(
            HoverTool(
                renderers=[every],
                tooltips=[DATE_ROW, (disease, f"@v{i}{number}")],
                formatters={"@x": "datetime"},
                mode="vline",
                name=signal_model("hover", chart, log=log)
                + ("" if i == 0 else f"_{i}"),
            )
        )
    items.append((spec.PROVISIONAL_LABEL, dashed))
    legend = add_legend(
        fig, items, name=signal_model("legend", chart, log=log), below=True
    )
    for fan in fans.values():
        add_fan(fig, fan, legend)
    return fig


def _signal_layout(chart: str) -> Any:
    x = Range1d(start=0, end=1, name=signal_model("xRange", chart))
    source = ColumnDataSource(
        data={c: [] for c in spec.SIGNAL_FIGURES[chart]},
        name=signal_model("source", chart),
    )
    if chart == "wastewater":
        figures = [_wastewater(source, x, log=False), _wastewater(source, x, log=True)]
    elif chart == "hospitalisation":
        figures = [_hospitalisation(source, x, _fan_sources(chart))]
    elif any(c.figure == chart and c.lines == "disease" for c in spec.SIGNAL_CHARTS):
        twins = (False, True) if _chart_of(chart).log else (False,)
        fans = _fan_sources(chart)
        figures = [_by_disease(chart, source, x, log, fans) for log in twins]
    else:
        figures = [_by_age(chart, source, x)]
    slim(figures)
    if any(c.figure == chart and c.percent for c in spec.SIGNAL_CHARTS):
        for fig in figures:
            for axis in fig.yaxis:
                axis.formatter = NumeralTickFormatter(format="0.[0]%")
    return column(*figures, sizing_mode="stretch_width", name=f"charts_{chart}")


@functools.cache
def _signal_items() -> str:
    items = {chart: item_json(_signal_layout(chart)) for chart in spec.SIGNAL_FIGURES}
    return json.dumps(items, separators=(",", ":"))


def signal_items() -> dict[str, dict[str, Any]]:
    """The surveillance charts, one ``json_item`` dict per chart of
    :data:`~..spec.SIGNAL_FIGURES`, empty sources, model ids renumbered (the same bytes on
    every build); a new copy on each call."""
    items: dict[str, dict[str, Any]] = json.loads(_signal_items())
    return items


def signal_items_js() -> str:
    """A JavaScript file body ``window.EPICURVES_SIGNAL_CHARTS = {...};``."""
    return item_js("window.EPICURVES_SIGNAL_CHARTS", signal_items())


def filled_signal(view: SignalView) -> figure:
    """One surveillance chart (:func:`_signal_layout`, new models) filled from ``view``."""
    chart = view.chart.figure
    models = named(_signal_layout(chart))
    models[signal_model("source", chart)].data = dict(view.data)
    x = models[signal_model("xRange", chart)]
    if view.x_bounds is not None:
        x.bounds = view.x_bounds
    if view.x_range is not None:
        set_range(x, view.x_range)
    fig = models[view.figure]
    if view.y_range is not None:
        set_range(fig.y_range, view.y_range)
    fig.visible = True
    if isinstance(fig.y_scale, LogScale):
        log_ticks(fig)
    if view.chart.lines == "disease":
        fig.title.text = view.title
        legend = models[signal_model("legend", chart, log=view.figure.endswith("_log"))]
        shown = set(view.labels)
        legend.items = [
            item for item in legend.items
            if not isinstance(item.label, Value)  # a fan's: labelled by its source
            or item.label.value in shown or item.label.value == spec.PROVISIONAL_LABEL
        ]  # fmt: skip
    for i, data in view.fans.items():
        models[f"{spec.NAMES['fan']}{chart}_{i}"].data = dict(data)
    if view.chart.lines == "age_group":
        legend = models[signal_model("legend", chart)]
        items = list(legend.items)
        tooltips = [DATE_ROW]
        for i, item in enumerate(items[:AGE_LINES]):
            used = i < len(view.labels)
            for renderer in item.renderers:
                renderer.visible = used
            if used:
                item.label = value(view.labels[i])
                tooltips.append((view.labels[i], f"@g{i}{view.chart.hover}"))
        shaded = view.provisional is not None and bool(view.provisional["left"])
        legend.items = items[: len(view.labels)] + (items[AGE_LINES:] if shaded else [])
        models[signal_model("hover", chart)].tooltips = tooltips
        if view.provisional is not None:
            models[signal_model("provisional", chart)].data = dict(view.provisional)
        if view.title:
            fig.title.text = view.title
    drawn: figure = fig
    return drawn


def draw_signals(views: Sequence[SignalView]) -> Column:
    """The surveillance charts of ``views``, filled, in one column."""
    return column(
        *(filled_signal(v) for v in views),
        sizing_mode="stretch_width",
        name="signal_charts",
    )

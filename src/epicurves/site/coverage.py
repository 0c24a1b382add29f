"""The Forecasts page's chart of coverage by horizon: a Bokeh item, one panel per target, in a data script the page's script embeds.

Each panel draws, by horizon, how often the ensemble's 50 % and 95 % intervals held the
outcome, with the nominal levels (0.5 and 0.95) dashed in the same colours. The item is
written to ``forecasts/coverage.js``, a classic script assigning it to
``self.EPICURVES_COVERAGE`` (so it loads from ``file://`` and under ``script-src 'self'``);
``static/scorecard.js`` embeds it. The page's table of the same numbers is its text
alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from ..charts.spec import COLOURS

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


def _panel(title: str, rows: Sequence[dict[str, Any]]) -> figure:
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
    source = ColumnDataSource(
        data={
            "x": horizons,
            "n": [int(r["n"]) for r in rows],
            **{c: [float(r[c]) for r in rows] for c, *_ in COVERAGE_LEVELS},
        }
    )
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


def coverage_item(
    panels: Sequence[tuple[str, Sequence[dict[str, Any]]]],
) -> dict[str, Any]:
    """The chart as a stable ``json_item``: a panel per ``(title, rows)``, two a row."""
    from bokeh.layouts import gridplot

    from ..charts.layouts.common import item_json

    figures = [_panel(title, rows) for title, rows in panels if rows]
    grid = gridplot(
        cast(list[Any], figures), ncols=2, sizing_mode="stretch_width",
        toolbar_location=None,
    )  # fmt: skip
    return item_json(grid)


def coverage_script(panels: Sequence[tuple[str, Sequence[dict[str, Any]]]]) -> bytes:
    """``forecasts/coverage.js``: the chart, assigned to :data:`COVERAGE_VARIABLE`."""
    from ..charts.layouts.common import item_js

    return item_js(COVERAGE_VARIABLE, coverage_item(panels)).encode()

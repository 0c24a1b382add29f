"""What a region page's charts draw, computed in Python as the page's scripts compute it.

``static/region.js`` (``prepare``, ``sourceData``, ``Charts.fill``, ``fillCompare``,
``rescale``) and ``static/signals.js`` (``SignalChart.columns``, ``fill``, ``labelLines``) fill
the site's empty charts in the browser. This package does the same arithmetic in Python, in
the same floating-point steps, on the tidy frames of :func:`epicurves.load_metrics` and
:func:`epicurves.load_signals`: :func:`region_view` (:mod:`.region`) and
:func:`signal_views` (:mod:`.signals`) say what every named source holds, which panels show,
their titles and their ranges; :mod:`.common` has what both share. It needs no Bokeh:
:func:`plot_region` and :func:`plot_signals` hand the views to :mod:`epicurves.plots`,
imported on the first plot, so ``import epicurves`` stays cheap.

It also holds the registry of the surveillance charts (:data:`SIGNAL_CHARTS`), which the site
(``epicurves.site.signals``), the figures and the notebooks all read.
"""

from __future__ import annotations

from .common import (
    AGE_LINES,
    COMPARE_LINES,
    DAY_MS,
    LEVEL_COLOURS,
    NEUTRAL_COLOUR,
    SIGNAL_FIGURES,
    axis_log_ticks,
    format_number,
    level_colours,
    log_ticks,
)
from .region import RegionView, region_view
from .signals import (
    SIGNAL_CHARTS,
    SignalChart,
    SignalView,
    pathogen_order,
    signal_views,
)

__all__ = [
    "AGE_LINES",
    "COMPARE_LINES",
    "DAY_MS",
    "LEVEL_COLOURS",
    "NEUTRAL_COLOUR",
    "SIGNAL_CHARTS",
    "SIGNAL_FIGURES",
    "RegionView",
    "SignalChart",
    "SignalView",
    "axis_log_ticks",
    "format_number",
    "level_colours",
    "log_ticks",
    "pathogen_order",
    "region_view",
    "signal_views",
]

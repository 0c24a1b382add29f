"""What a region page's charts draw, computed in Python as the page computes it (static/chartdata.js).

``static/chartdata.js`` prepares the charts' data in the browser, without the page: the
named sources of the region charts, their titles and ranges, the comparison lines, the
surveillance charts' columns and ranges. This package does the same arithmetic in Python, in
the same floating-point steps, on the tidy frames of :func:`epicurves.load_metrics` and
:func:`epicurves.load_signals`: :func:`region_view` (:mod:`.region`) and
:func:`signal_views` (:mod:`.signals`); :mod:`.common` has what both share. The tests run the
script under node on the same inputs and compare. No Bokeh here: :mod:`epicurves.charts.draw`
hands the views to the layouts.
"""

from __future__ import annotations

from .common import axis_log_ticks, format_number, level_colours, log_ticks
from .region import RegionView, region_view
from .signals import SignalView, one_signal_region, pathogen_order, signal_views

__all__ = [
    "RegionView",
    "SignalView",
    "axis_log_ticks",
    "format_number",
    "level_colours",
    "log_ticks",
    "one_signal_region",
    "pathogen_order",
    "region_view",
    "signal_views",
]

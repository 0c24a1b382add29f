"""The forecast fans of the charts: which chart draws the forecast of which target, the
quantile levels a fan draws and its colours. Part of the one chart spec
(:mod:`epicurves.charts.spec`, which gives the page scripts these values too).

A fan is drawn after a series' last observed week: the median as a line, the 50 % and 95 %
intervals as bands. On the charts of daily counts the weekly forecast is drawn as the daily
mean of each week (the weekly total / 7) over the week's seven days, a step per week
(:data:`DAILY_RULE`, in the legend); on weekly charts at each week's end, like the data.
"""

from __future__ import annotations

__all__ = [
    "DAILY_RULE",
    "FAN_COLOURS",
    "FAN_COLUMNS",
    "FAN_LEVELS",
    "FORECAST_CHARTS",
    "FORECAST_LABEL",
    "SCORECARD",
]

#: The levels a fan draws: the 95 % interval, the 50 % interval, the median.
FAN_LEVELS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)
#: The columns of a fan's source: x, then the values at :data:`FAN_LEVELS`.
FAN_COLUMNS: tuple[str, ...] = ("x", "lo95", "lo50", "median", "hi50", "hi95")
#: Where each target's forecast is drawn: (the chart: a daily panel of the region charts,
#: ``cases`` or ``deaths``, or a surveillance chart's anchor; its line's pathogen, "" for
#: none).
FORECAST_CHARTS: dict[str, tuple[str, str]] = {
    "wk inc case": ("cases", ""),
    "wk inc death": ("deaths", ""),
    "wk inc covid hosp": ("sig-admissions", "SARS-CoV-2"),
    "wk inc flu hosp": ("sig-admissions", "Influenza"),
}
#: The fan's colours: the 95 % band, the 50 % band and the median, each of contrast at least
#: 3:1 with the panel (``COLOURS["background"]``) and with the dark theme's panel
#: (tests/charts/test_fans.py).
FAN_COLOURS: dict[str, str] = {
    "band95": "#7b8fb0",
    "band50": "#4d6591",
    "median": "#1d2f55",
}
#: The legend entry of a fan (the reference date and model follow).
FORECAST_LABEL = "forecast"
#: What the legend of a daily chart's fan adds: the one rule it is drawn by.
DAILY_RULE = "daily mean of each forecast week"
#: The Forecasts page (the scorecard), relative to the site's root.
SCORECARD = "forecasts/index.html"

"""The forecast fans of the charts: which chart draws the forecast of which target, the
quantile levels a fan draws and its colours. Part of the one chart spec
(:mod:`epicurves.charts.spec`, which gives the page scripts these values too).

A fan is drawn after a series' last observed week: the median as a line, the 50 % and 95 %
intervals as bands. On the charts of daily counts the weekly forecast is drawn as the daily
mean of each week (the weekly total / 7) over the week's seven days, a step per week
(:data:`DAILY_RULE`, in the legend); on weekly charts at each week's end, like the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import UsageError
from ..forecast.series import FORECAST_TARGETS
from ..lazy import pd

__all__ = [
    "DAILY_RULE",
    "FAN_COLOURS",
    "FAN_COLUMNS",
    "FAN_LEVELS",
    "FOLDER",
    "FORECAST_CHARTS",
    "FORECAST_LABEL",
    "SCORECARD",
    "browser_fan",
    "fan_label",
    "fan_lines",
    "fans_by_region",
    "fans_of",
]

#: The levels a fan draws: the 95 % interval, the 50 % interval, the median.
FAN_LEVELS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)
#: The columns of a fan's source: x, the values at :data:`FAN_LEVELS`, its legend entry.
FAN_COLUMNS: tuple[str, ...] = ("x", "lo95", "lo50", "median", "hi50", "hi95", "label")
#: Where each target's forecast is drawn: (the chart: a daily panel of the region charts,
#: ``cases`` or ``deaths``, or a surveillance chart's anchor; its line's pathogen, "" for
#: none).
FORECAST_CHARTS: dict[str, tuple[str, str]] = {
    "wk inc case": ("cases", ""),
    "wk inc death": ("deaths", ""),
    "wk inc covid hosp": ("sig-admissions", "SARS-CoV-2"),
    "wk inc flu hosp": ("sig-admissions", "Influenza"),
    "wk inc hosp": ("sig-hospitalisation", ""),
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
#: The site's folder of the forecasts: each region's forecast data script, the Forecasts page,
#: the downloads (:mod:`epicurves.site.forecasts`, :mod:`epicurves.site.scorecard`).
FOLDER = "forecasts"
#: The Forecasts page (the scorecard), relative to the site's root.
SCORECARD = f"{FOLDER}/index.html"


def fans_by_region(forecasts: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """The fans of every region from forecasts in the hubs' format
    (:func:`epicurves.make_forecasts`): region id -> :func:`fans_of`'s dict. Of several
    models the ensemble (else the first by name), of several reference dates the newest."""
    needed = {"region_id", "target", "reference_date", "model", "horizon",
              "target_end_date", "output_type_id", "value"}  # fmt: skip
    missing = sorted(needed - set(forecasts.columns))
    if missing:
        msg = (
            f"forecasts: no column {missing[0]!r}: expected the hubs' format of "
            "epicurves.make_forecasts"
        )
        raise UsageError(msg)
    f = forecasts.assign(
        region_id=forecasts["region_id"].astype(str),
        target=forecasts["target"].astype(str),
        model=forecasts["model"].astype(str),
        reference_date=pd.to_datetime(forecasts["reference_date"]),
        level=forecasts["output_type_id"].astype(float).round(4),
    )
    f = f[f["target"].isin(list(FORECAST_CHARTS))]
    if not len(f):
        return {}
    keys = ["region_id", "target"]
    order = f.assign(other=f["model"] != "ensemble").sort_values(
        [*keys, "other", "model", "reference_date"],
        ascending=[True, True, True, True, False],
    )
    chosen = order.drop_duplicates(keys)[[*keys, "model", "reference_date"]]
    f = f.merge(chosen, on=[*keys, "model", "reference_date"])
    table = f[f["level"].isin(FAN_LEVELS)].pivot_table(
        index=[*keys, "model", "reference_date", "horizon", "target_end_date"],
        columns="level", values="value", aggfunc="first",
    )  # fmt: skip
    absent = [x for x in FAN_LEVELS if x not in table.columns]
    incomplete = table.reindex(columns=list(FAN_LEVELS)).isna().any(axis=1)
    if absent or incomplete.any():
        region, target = table.index[int(incomplete.to_numpy().argmax())][:2]
        msg = (
            f"forecasts of {target} for {region}: expected the levels "
            f"{list(FAN_LEVELS)}, found {sorted(f['level'].unique().tolist())}"
        )
        raise UsageError(msg)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    values = table[list(FAN_LEVELS)].to_numpy(dtype=float)
    for (region, target, model, reference, _, end), row in zip(
        table.index, values.tolist(), strict=True
    ):
        fan = out.setdefault(region, {}).setdefault(
            target,
            {
                "label": FORECAST_TARGETS[target].label,
                "reference_date": f"{pd.Timestamp(reference):%Y-%m-%d}",
                "model": model,
                "weeks": [],
            },
        )
        fan["weeks"].append([f"{pd.Timestamp(end):%Y-%m-%d}", *row])
    return out


def fans_of(forecasts: pd.DataFrame, region_id: str) -> dict[str, dict[str, Any]]:
    """The fans of one region from forecasts in the hubs' format (:func:`fans_by_region`),
    as the site's forecast data script holds them: ``{target: {"label", "reference_date",
    "model", "weeks": [[end, q2.5, q25, q50, q75, q97.5], ...]}}``."""
    if "region_id" in forecasts.columns:
        forecasts = forecasts[forecasts["region_id"].astype(str) == region_id]
    return fans_by_region(forecasts).get(region_id, {})


def fan_label(fan: Mapping[str, Any], daily: bool, line: str = "") -> str:
    """A fan's legend entry (``line``: the name of the chart's line it continues, on a chart
    of several): chartdata.js ``fanLabel``.

    >>> fan_label({"reference_date": "2026-08-29", "model": "ensemble"}, True)
    'forecast of 2026-08-29 (ensemble), daily mean of each forecast week'
    >>> fan_label({"reference_date": "2026-08-22", "model": "ensemble"}, False, "COVID-19")
    'COVID-19 forecast of 2026-08-22 (ensemble)'
    """
    text = f"{FORECAST_LABEL} of {fan['reference_date']} ({fan['model']})"
    text = f"{line} {text}" if line else text
    return f"{text}, {DAILY_RULE}" if daily else text


def fan_lines(anchor: str, pathogens: tuple[str, ...]) -> dict[int, str]:
    """The fans of a surveillance chart: line index -> target (a chart by disease: one per
    disease forecast; another: one, 0).

    >>> fan_lines("sig-admissions", ("SARS-CoV-2", "Influenza"))
    {0: 'wk inc covid hosp', 1: 'wk inc flu hosp'}
    >>> fan_lines("sig-hospitalisation", ())
    {0: 'wk inc hosp'}
    """
    where = {v: k for k, v in FORECAST_CHARTS.items()}
    return {
        i: where[(anchor, p)]
        for i, p in enumerate(pathogens or ("",))
        if (anchor, p) in where
    }


def browser_fan() -> dict[str, Any]:
    """What the page scripts read of the fans (the browser spec's ``fan``)."""
    return {
        "columns": list(FAN_COLUMNS),
        "charts": {k: list(v) for k, v in FORECAST_CHARTS.items()},
        "targets": {
            k: {"signal": t.signal, "estimate": t.estimate}
            for k, t in FORECAST_TARGETS.items()
        },
        "colours": FAN_COLOURS,
        "label": FORECAST_LABEL,
        "dailyRule": DAILY_RULE,
        "scorecard": SCORECARD,
        "folder": FOLDER,
    }

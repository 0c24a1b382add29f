"""What each surveillance chart draws for a region's signals (:data:`~epicurves.charts.spec.SIGNAL_CHARTS`): static/chartdata.js ``signalColumns`` and ``signalRanges``, in Python."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from ...errors import UsageError
from ...forecast.series import FORECAST_TARGETS
from ...lazy import np, pd
from .. import spec
from ..fans import fan_lines, fans_of
from ..spec import AGE_LINES, DAY_MS, SignalChart
from .common import fan_source, floats, has_columns, valid_range

__all__ = [
    "SignalView",
    "grid_step",
    "one_signal_region",
    "pathogen_order",
    "provisional_span",
    "signal_views",
    "split_provisional",
    "unit_title",
]


def pathogen_order(pathogen: str) -> tuple[bool, str]:
    """SARS-CoV-2 first (the site's subject), then the others by name.

    >>> sorted(["RSV A", "Influenza A", "SARS-CoV-2"], key=pathogen_order)
    ['SARS-CoV-2', 'Influenza A', 'RSV A']
    """
    return pathogen != "SARS-CoV-2", pathogen


@dataclass(frozen=True)
class SignalView:
    """What one surveillance chart shows (static/signals.js ``SignalChart.fill``): its
    source's data, the figure shown (the log twin or not), the ranges set and, for a chart by
    age group, the label of each line drawn."""

    chart: SignalChart
    figure: str
    data: dict[str, Any]
    x_range: tuple[float, float] | None
    x_bounds: tuple[float, float] | None
    y_range: tuple[float, float] | None
    labels: tuple[str, ...]
    pathogen: str | None
    pathogens: tuple[str, ...]
    title: str = ""
    """The title shown, where it changes with the values chosen (per 100 000 or counts) or
    with the region (its unit)."""
    fans: dict[int, dict[str, Any]] = field(default_factory=dict)
    """The forecasts a chart by disease draws after its lines, by line
    (:func:`epicurves.charts.fans.fan_source`)."""
    provisional: dict[str, list[float]] | None = None
    """A chart by age group's shaded span of provisional weeks (the columns of
    :data:`~epicurves.charts.spec.PROVISIONAL_SPAN`, one row or none); None: it has none."""


def unit_title(chart: SignalChart, unit: str) -> str:
    """The title of a chart whose unit differs by region (:attr:`SignalChart.unit_title`).

    >>> chart = next(c for c in spec.SIGNAL_CHARTS if c.unit_title)
    >>> unit_title(chart, "per 100 consultations").endswith(", per 100 consultations")
    True
    """
    return f"{chart.title}, {unit}" if chart.unit_title and unit else chart.title


def provisional_span(
    chart: SignalChart, x: np.ndarray, y_range: tuple[float, float] | None
) -> dict[str, list[float]] | None:
    """The shaded span of a chart by age group's provisional weeks (signaldata.js
    ``provisionalSpan``): from half a step before the first of its newest
    :func:`~epicurves.charts.spec.provisional_span` weeks to half a step after the last one,
    over the whole y range; no row without data or ranges."""
    weeks = spec.provisional_span(chart)
    if not weeks:
        return None
    if not len(x) or y_range is None:
        return {c: [] for c in spec.PROVISIONAL_SPAN}
    last = float(x[-1])
    half = 3.5 * DAY_MS
    return {
        "left": [last - (weeks - 1) * 7 * DAY_MS - half],
        "right": [last + half],
        "bottom": [float(y_range[0])],
        "top": [float(y_range[1])],
    }


def grid_step(days: np.ndarray) -> int:
    """The largest step of a regular grid through the days (7 for weekly series)."""
    if len(days) < 2:
        return 1
    return max(int(np.gcd.reduce(np.diff(days))), 1)


@dataclass(frozen=True)
class _Series:
    """One series on its regular grid of days; ``lo``/``hi`` None without an interval."""

    x: np.ndarray
    v: np.ndarray
    lo: np.ndarray | None
    hi: np.ndarray | None


def _series(rows: pd.DataFrame) -> _Series:
    """One series as the page expands it (signals.js ``expand`` of the compact form
    ``epicurves.site.signals`` writes): on the days first, first + step, ... up to its last
    value or bound, holes as NaN."""
    rows = rows.sort_values("date", kind="stable")
    days = rows["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    step = grid_step(days)
    index = (days - days[0]) // step
    grid: dict[str, np.ndarray] = {}
    for column in ("value", "lo", "hi"):
        values = np.full(int(index[-1]) + 1, np.nan)
        values[index] = floats(rows[column])
        grid[column] = values
    ends = {k: np.flatnonzero(np.isfinite(v)) for k, v in grid.items()}
    length = max((int(e[-1]) + 1 if len(e) else 0) for e in ends.values())
    x = (days[0] + np.arange(length) * step).astype(np.float64) * DAY_MS

    def cut(column: str) -> np.ndarray | None:
        return grid[column][:length] if len(ends[column]) else None

    return _Series(x, grid["value"][:length], cut("lo"), cut("hi"))


def _align(named: list[tuple[str, np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Columns on the union of the series' days (signals.js ``align``); a later column of the
    same name replaces an earlier one, as there."""
    x = np.unique(np.concatenate([xs for _, xs, _ in named])) if named else np.array([])
    columns: dict[str, Any] = {"x": x}
    for name, xs, values in named:
        column = np.full(len(x), np.nan)
        column[np.searchsorted(x, xs)] = values
        columns[name] = column
    return columns


#: The columns of :func:`epicurves.load_signals` that the charts read (``lo``/``hi`` too, where
#: there).
_NEEDED = ("region_id", "signal", "pathogen", "age_group", "estimate", "date", "value")


def one_signal_region(signals: pd.DataFrame) -> str:
    """The region id of a signals frame, which must hold exactly one region."""
    has_columns(signals, "signals", _NEEDED, "load_signals")
    ids = list(dict.fromkeys(signals["region_id"].astype(str)))
    if not ids:
        msg = "signals holds no rows"
        raise UsageError(msg)
    if len(ids) != 1:
        msg = (
            f"signals holds {len(ids)} regions ({', '.join(ids[:5])}): pass one region's "
            f"rows, e.g. epicurves.load_signals([{ids[0]!r}])"
        )
        raise UsageError(msg)
    return ids[0]


def signal_views(
    signals: pd.DataFrame,
    *,
    pathogen: str | None = None,
    scale: str = "linear",
    per: str | None = None,
    forecasts: pd.DataFrame | None = None,
) -> list[SignalView]:
    """The surveillance charts the region page shows for ``signals`` (one region's rows of
    :func:`epicurves.load_signals`), in page order: see :func:`plot_signals`. ``per``:
    ``"per100k"`` (default) or ``"count"``, for the charts that offer both; ``forecasts``
    (the hubs' format) drawn on the charts that continue them."""
    if scale not in ("linear", "log"):
        msg = f"scale={scale!r}: expected 'linear' or 'log'"
        raise UsageError(msg)
    if per not in (None, "per100k", "count"):
        msg = f"per={per!r}: expected 'per100k' or 'count'"
        raise UsageError(msg)
    if isinstance(signals, pd.DataFrame) and signals.empty:
        return []
    region_id = one_signal_region(signals)
    fans = {} if forecasts is None else fans_of(forecasts, region_id)
    frame = signals.copy()
    for column in ("lo", "hi"):
        if column not in frame.columns:
            frame[column] = np.nan
    keys = ["signal", "pathogen", "age_group", "estimate"]
    frame[keys] = frame[keys].astype(str)
    out = []
    for chart in spec.SIGNAL_CHARTS:
        signal = chart.counts if chart.counts and per == "count" else chart.signal
        rows = frame[
            (frame["signal"] == signal) & frame["estimate"].isin(chart.estimates)
        ]
        if chart.ages:
            rows = rows[rows["age_group"].isin(chart.ages)]
        if rows.empty:
            continue
        if chart.lines == "disease":
            view = _disease_view(chart, rows, scale == "log", per == "count")
            out.append(_with_fans(view, frame, fans, per == "count", scale == "log"))
            continue
        keyed = rows.groupby(["pathogen", "age_group", "estimate"], sort=False)
        series = sorted(
            (((str(p), str(a), str(e)), _series(g)) for (p, a, e), g in keyed),
            key=lambda item: item[0],
        )
        units: list[str] = (
            sorted(set(rows["unit"].astype(str))) if "unit" in rows.columns else []
        )
        unit = units[0] if len(units) == 1 else ""
        view = _signal_view(chart, series, pathogen, scale == "log", unit)
        out.append(_with_fans(view, frame, fans, per == "count", scale == "log"))
    return out


def split_provisional(values: np.ndarray, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """A series' values (on its grid) as its settled part and its provisional part: the last
    ``weeks`` values, from the last settled one on, so that the two lines join (signaldata.js
    ``splitProvisional``).

    >>> settled, provisional = split_provisional(np.array([1.0, 2.0, 3.0, 4.0]), 2)
    >>> settled.tolist(), provisional.tolist()
    ([1.0, 2.0, nan, nan], [nan, 2.0, 3.0, 4.0])
    """
    n = len(values)
    index = np.arange(n)
    first = n - weeks
    settled = np.where(index < first, values, np.nan)
    provisional = (
        np.where(index >= first - 1, values, np.nan) if weeks else values * np.nan
    )
    return settled, provisional


def _disease_view(
    chart: SignalChart, rows: pd.DataFrame, log_wanted: bool, counts: bool
) -> SignalView:
    """One chart by disease (signaldata.js ``signalColumns`` and ``signalRanges``): a line for
    each of its pathogens, settled and provisional."""
    weeks = spec.provisional_weeks(chart)
    named: list[tuple[str, np.ndarray, np.ndarray]] = []
    present = []
    for i, pathogen in enumerate(chart.pathogens):
        picked = rows.loc[rows["pathogen"] == pathogen]
        if picked.empty:
            continue
        present.append(pathogen)
        s = _series(picked)
        settled, provisional = split_provisional(s.v, weeks[pathogen])
        named += [
            (f"v{i}", s.x, s.v),
            (f"s{i}", s.x, settled),
            (f"p{i}", s.x, provisional),
        ]
    view = _framed(chart, _align(named), log_wanted)
    return SignalView(
        chart=view.chart, figure=view.figure, data=view.data, x_range=view.x_range,
        x_bounds=view.x_bounds, y_range=view.y_range,
        labels=tuple(spec.DISEASES.get(p, p) for p in present), pathogen=None,
        pathogens=tuple(present), title=chart.count_title if counts else chart.title,
    )  # fmt: skip


def fan_factors(
    chart: SignalChart, target: str, frame: pd.DataFrame, pathogen: str = ""
) -> dict[str, float]:
    """Per region of ``frame`` (signals), the factor from a target's counts to the rates per
    100 000 ``chart`` draws: the sum of the chart's signal over the sum of the target's, on
    the dates both are above 0 (of the target's estimate, all ages, ``pathogen`` if given); a
    sum, as published rates are rounded (RKI's to two decimals). A region without a date of
    both is absent. The site computes them once and gives each to the page with its fan
    (``per100k``)."""
    declared = FORECAST_TARGETS[target]
    keys = frame[["region_id", "signal", "estimate", "age_group", "pathogen"]].astype(
        str
    )
    pick = (keys["estimate"] == declared.estimate) & (
        keys["age_group"] == spec.ALL_AGES
    )
    if pathogen:
        pick &= keys["pathogen"] == pathogen
    rows = frame.loc[pick, ["date", "value"]].assign(
        region_id=keys.loc[pick, "region_id"], signal=keys.loc[pick, "signal"]
    )
    both = rows[rows["signal"] == chart.signal].merge(
        rows[rows["signal"] == declared.signal],
        on=["region_id", "date"],
        suffixes=("_r", "_c"),
    )
    rate, count = floats(both["value_r"]), floats(both["value_c"])
    with np.errstate(invalid="ignore"):
        both = both[(rate > 0) & (count > 0)]
    sums = both.groupby("region_id")[["value_r", "value_c"]].sum()
    return {str(k): float(v) for k, v in (sums["value_r"] / sums["value_c"]).items()}


def fan_factor(
    chart: SignalChart, target: str, frame: pd.DataFrame, pathogen: str = ""
) -> float:
    """:func:`fan_factors` of one region's signals; NaN without a date of both."""
    found = fan_factors(chart, target, frame, pathogen)
    return next(iter(found.values()), math.nan)


def _with_fans(
    view: SignalView,
    frame: pd.DataFrame,
    fans: dict[str, dict[str, Any]],
    counts: bool,
    log: bool,
) -> SignalView:
    """A chart with the forecasts that continue its lines, in its units, and its ranges
    widened to them (signaldata.js ``chartFans``): a forecast is of counts
    (:attr:`~epicurves.forecast.series.Target.signal`), drawn per 100 000 where the chart
    shows rates, times :func:`fan_factor` (a fan without one is not drawn)."""
    chart = view.chart
    made: dict[int, dict[str, Any]] = {}
    for i, target in fan_lines(chart.anchor, chart.pathogens).items():
        pathogen = chart.pathogens[i] if chart.pathogens else ""
        if target not in fans or (pathogen and pathogen not in view.pathogens):
            continue
        factor = 1.0
        if not (counts and chart.counts == FORECAST_TARGETS[target].signal):
            factor = fan_factor(chart, target, frame, pathogen)
            if not math.isfinite(factor):
                continue
        made[i] = fan_source(
            fans[target], daily=False, factor=factor, log=log and chart.log,
            line=spec.DISEASES.get(pathogen, pathogen),
        )  # fmt: skip
    if not made:
        return view
    framed = _framed(chart, dict(view.data), log, made)
    return replace(
        view, fans=made, x_range=framed.x_range, x_bounds=framed.x_bounds,
        y_range=framed.y_range,
    )  # fmt: skip


def _signal_view(
    chart: SignalChart,
    series: list[tuple[tuple[str, str, str], _Series]],
    pathogen: str | None,
    log_wanted: bool,
    unit: str = "",
) -> SignalView:
    """One chart's view (signals.js ``columns`` and ``fill``)."""
    pathogens = tuple(sorted({key[0] for key, _ in series}, key=pathogen_order))
    chosen = None
    picked = series
    if chart.lines == "pathogen":
        chosen = pathogen if pathogen is not None else pathogens[0]
        if chosen not in pathogens:
            msg = (
                f"pathogen={pathogen!r}: the {chart.signal} chart has "
                f"{', '.join(map(repr, pathogens))}"
            )
            raise UsageError(msg)
        picked = [(key, s) for key, s in series if key[0] == chosen]
    named: list[tuple[str, np.ndarray, np.ndarray]] = []
    labels: list[str] = []
    if chart.lines == "age_group":
        ordered = sorted(
            picked, key=lambda p: "" if p[0][1] == spec.ALL_AGES else p[0][1]
        )
        for i, ((_, age, _), s) in enumerate(ordered[:AGE_LINES]):
            named.append((f"g{i}", s.x, s.v))
            labels.append("all ages" if age == spec.ALL_AGES else age)
    else:
        for (_, _, estimate), s in picked:
            named.append((estimate, s.x, s.v))
            if s.lo is not None:  # the page takes the interval where lo is given
                named.append(("lo", s.x, s.lo))
                named.append(("hi", s.x, s.hi if s.hi is not None else s.x * np.nan))
    view = _framed(chart, _align(named), log_wanted)
    return SignalView(
        chart=chart, figure=view.figure, data=view.data, x_range=view.x_range,
        x_bounds=view.x_bounds, y_range=view.y_range, labels=tuple(labels),
        pathogen=chosen, pathogens=pathogens, title=unit_title(chart, unit),
        provisional=provisional_span(chart, view.data["x"], view.y_range),
    )  # fmt: skip


def _framed(
    chart: SignalChart,
    columns: dict[str, Any],
    log_wanted: bool,
    fans: dict[int, dict[str, Any]] | None = None,
) -> SignalView:
    """A chart's columns completed to its figure's, its figure and ranges (signals.js
    ``signalRanges``), widened to the ``fans`` drawn after its lines."""
    x = columns["x"]
    for key in spec.SIGNAL_FIGURES[chart.figure]:
        if key not in columns:
            columns[key] = np.full(len(x), np.nan)
    log = chart.log and log_wanted
    x_range = bounds = None
    drawn = [np.asarray(v, dtype=np.float64) for k, v in columns.items() if k != "x"]
    ahead = [float(v) for f in (fans or {}).values() for v in f["x"]]
    for fan in (fans or {}).values():
        drawn += [np.asarray(fan[c], dtype=np.float64) for c in ("lo95", "hi95")]
    if len(x):
        last = max([float(x[-1]), *ahead])
        span = max(last - float(x[0]), 7 * DAY_MS)
        bounds = (float(x[0]) - 0.1 * span, last + 0.1 * span)
        x_range = valid_range(float(x[0]) - 0.02 * span, last + 0.02 * span)
    values = np.concatenate(drawn)
    values = values[np.isfinite(values)]
    if log:
        positive = values[values > 0]
        lo = float(positive.min()) if len(positive) else 1.0
        hi = float(positive.max()) if len(positive) else 10.0
        y_range = valid_range(lo / 1.5, hi * 1.6)
    else:
        top = float(values.max()) if len(values) else 1.0
        y_range = valid_range(0, (top if top > 0 else 1) * 1.08)
    figure = f"fig_{chart.figure}_log" if log else f"fig_{chart.figure}"
    return SignalView(
        chart=chart, figure=figure, data=columns, x_range=x_range, x_bounds=bounds,
        y_range=y_range, labels=(), pathogen=None, pathogens=(),
    )  # fmt: skip

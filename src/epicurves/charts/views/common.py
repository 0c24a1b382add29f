"""What the region and signal views share: level colours, the last value's label, log ticks, ranges, columns as floats."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ...errors import UsageError
from ...lazy import np, pd
from ..fans import FAN_COLUMNS, fan_label
from ..spec import DAY_MS, LEVEL_COLOURS, NEUTRAL_COLOUR

__all__ = [
    "axis_log_ticks",
    "fan_source",
    "floats",
    "for_scale",
    "format_number",
    "level_colours",
    "log_ticks",
    "timestamps",
    "valid_range",
]


def _js_round(values: np.ndarray) -> np.ndarray:
    """JavaScript's ``Math.round``: to the nearest whole number, halves up."""
    low = np.floor(values)
    out: np.ndarray = low + (values - low >= 0.5)
    return out


def level_colours(values: Iterable[float]) -> list[str]:
    """The colour of each incidence level, interpolated between :data:`LEVEL_COLOURS`
    (static/chartdata.js ``levelColour``, by the same steps); :data:`NEUTRAL_COLOUR` where not finite.

    >>> level_colours([0.0, 25.0, 100.0, 500.0, float("nan")])
    ['#2e8b57', '#647f2c', '#d62728', '#800000', '#1f77b4']
    """
    value = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
    value = value.astype(np.float64)
    stops = np.array([level for level, _ in LEVEL_COLOURS])
    rgb = np.array(
        [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in LEVEL_COLOURS],
        dtype=np.float64,
    )
    out = np.tile(rgb[-1], (len(value), 1))
    with np.errstate(invalid="ignore"):
        out[value <= stops[0]] = rgb[0]
        done = value <= stops[0]
        for i in range(1, len(stops)):
            here = ~done & (value < stops[i])
            t = (value[here] - stops[i - 1]) / (stops[i] - stops[i - 1])
            for k in range(3):
                out[here, k] = rgb[i - 1, k] + t * (rgb[i, k] - rgb[i - 1, k])
            done |= here
    channels = _js_round(out).astype(np.int64)
    finite = np.isfinite(value)
    return [
        "#{:02x}{:02x}{:02x}".format(*row) if ok else NEUTRAL_COLOUR
        for row, ok in zip(channels.tolist(), finite.tolist(), strict=True)
    ]


def format_number(value: float) -> str:
    """A number as the incidence chart's last-value label writes it (chartdata.js
    ``formatNumber``: ``toLocaleString("en")``, no decimal from 100 on, else one; halves
    away from zero); ``""`` where not finite.

    >>> format_number(1234.5), format_number(0.15), format_number(0.04), format_number(float("nan"))
    ('1,235', '0.2', '0.0', '')
    """
    if not math.isfinite(value):
        return ""
    digits = 0 if abs(value) >= 100 else 1
    # ICU rounds the shortest decimal that reads back as the number (0.15, not 0.1499...)
    shortest = Decimal(repr(float(value)))
    rounded = shortest.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{digits}f}"


def _steps(decades: float) -> tuple[float, ...]:
    if decades < 0.5:
        return (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8)
    if decades < 1.3:
        return (1, 2, 3, 5, 7)
    if decades < 3.5:
        return (1, 2, 5)
    return (1,)


def _ticks(a: float, b: float, decades: float, first: int, last: int) -> list[float]:
    out = []
    for e in range(first, last + 1):
        if decades > 7 and e % 2:
            continue
        for step in _steps(decades):
            t = float(f"{step * 10.0**e:.3g}")
            if a <= t <= b:
                out.append(t)
    return out


def log_ticks(start: float, end: float) -> list[float]:
    """Log-axis ticks at 1-2-5 steps, denser or sparser with the decades in view: the page's
    ``logTicks`` (static/chartdata.js).

    >>> log_ticks(1, 3)
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0]
    >>> log_ticks(0.5, 200)
    [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
    """
    a = max(min(start, end), 1e-12)
    b = max(start, end)
    decades = math.log10(b / a)
    return _ticks(a, b, decades, math.floor(math.log10(a)), math.ceil(math.log10(b)))


def axis_log_ticks(start: float, end: float, reach: int = 2) -> list[float]:
    """:func:`log_ticks` of the range ``start``-``end``, continued ``reach`` decades each way
    at the same density: a notebook's fixed ticker shows the page's ticks, and still some
    after a zoom out (the page recomputes them on every change of the range).

    >>> [t for t in axis_log_ticks(1, 3) if 1 <= t <= 3] == log_ticks(1, 3)
    True
    >>> axis_log_ticks(1, 3)[0], axis_log_ticks(1, 3)[-1]
    (0.01, 8000.0)
    """
    a = max(min(start, end), 1e-12)
    b = max(start, end)
    decades = math.log10(b / a)
    first = math.floor(math.log10(a)) - reach
    last = math.ceil(math.log10(b)) + reach
    return _ticks(0.0, math.inf, decades, first, last)


def floats(values: Any) -> np.ndarray:
    """A column as float64, NaN where missing or not finite."""
    out = np.asarray(
        pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    ).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def for_scale(values: np.ndarray, log: bool) -> np.ndarray:
    """Values a log axis cannot show become NaN (gaps), on a copy (chartdata.js ``forScale``)."""
    if not log:
        return values
    with np.errstate(invalid="ignore"):
        out: np.ndarray = np.where(values > 0, values, np.nan)
    return out


def timestamps(dates: Any) -> np.ndarray:
    """Dates as ms since the epoch, UTC (midnight of each day, as the page parses them)."""
    days = pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]")
    out: np.ndarray = days.astype(np.int64).astype(np.float64) * DAY_MS
    return out


def valid_range(start: float, end: float) -> tuple[float, float] | None:
    """A range the page would set (chartdata.js ``setRange``), else None (left as it was)."""
    if math.isfinite(start) and math.isfinite(end) and end > start:
        return start, end
    return None


def has_columns(
    frame: Any, what: str, needed: Iterable[str], loader: str = "load_metrics"
) -> None:
    """A one-line :class:`UsageError` unless ``frame`` is a DataFrame with ``needed``."""
    if not isinstance(frame, pd.DataFrame):
        msg = f"{what} must be a DataFrame (from epicurves.{loader}), not {type(frame).__name__}"
        raise UsageError(msg)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        msg = f"{what} lacks the columns {', '.join(missing)}: pass rows of epicurves.{loader}"
        raise UsageError(msg)


def fan_source(
    fan: Mapping[str, Any] | None,
    *,
    daily: bool,
    factor: float,
    log: bool,
    line: str = "",
) -> dict[str, Any]:
    """The source data of one fan (:data:`FAN_COLUMNS`; chartdata.js ``fanSource``): on a
    daily chart each week's values / 7 from the start of its first day to the end of its last
    (a step), on a weekly one at the week's end; times ``factor`` (per 100 000); values a
    log axis cannot show become NaN."""
    out: dict[str, Any] = {c: [] for c in FAN_COLUMNS}
    if not fan:
        return out
    label = fan_label(fan, daily, line)
    for week in fan["weeks"]:
        end = float(timestamps([week[0]])[0])
        values = [float(v) * factor / (7 if daily else 1) for v in week[1:]]
        if log:
            values = [v if v > 0 else math.nan for v in values]
        edges = (end - 6.5 * DAY_MS, end + 0.5 * DAY_MS) if daily else (end,)
        for x in edges:
            out["x"].append(x)
            for column, v in zip(FAN_COLUMNS[1:6], values, strict=True):
                out[column].append(v)
            out["label"].append(label)
    return out

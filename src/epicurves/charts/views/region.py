"""What the region page's charts draw for one region: static/region.js ``prepare``,
``sourceData``, ``Charts.fill``, ``fillCompare`` and ``rescale``, in Python."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...analysis import CoriOptions
from ...analysis.registry import CHART_METRICS
from ...errors import UsageError
from ...lazy import np, pd
from ..fans import FORECAST_CHARTS, fans_of
from ..spec import (
    COMPARE_LINES,
    DAILY_PANELS,
    DAILY_SERIES,
    DAY_MS,
    INCIDENCE,
    LOG_SUFFIX,
    METRIC_SOURCES,
    PANEL_TITLES,
)
from .common import (
    fan_source,
    floats,
    for_scale,
    format_number,
    has_columns,
    level_colours,
    timestamps,
    valid_range,
)

__all__ = ["RegionView", "region_view"]


@dataclass(frozen=True)
class RegionView:
    """What the region page's charts show for one region and one choice of options: the data
    of every named source (:data:`epicurves.charts.spec.SOURCES_OF_REGION`), the panels shown (in page
    order), their titles and the ranges the page sets (by model name: ``x``, ``y_inc_lin``,
    ...; ``(start, end)``)."""

    region_id: str
    name: str
    population: float | None
    per: str
    scale: str
    window: int | None
    sources: dict[str, dict[str, Any]]
    figures: tuple[str, ...]
    titles: dict[str, str]
    ranges: dict[str, tuple[float, float]]
    x_bounds: tuple[float, float] | None
    compare: tuple[str | None, ...]
    """The label of each comparison line, None for a line not drawn."""


#: The columns the charts read: the daily counts and the registry's chart metrics.
_NEEDED = (
    "region_id", "date", *DAILY_SERIES, *(m.name for m in CHART_METRICS),
)  # fmt: skip


def _one_region(frame: pd.DataFrame, what: str, needed: Iterable[str]) -> str:
    """The region id of a frame that must hold exactly one region (one source of it)."""
    has_columns(frame, what, needed)
    ids = list(dict.fromkeys(frame["region_id"].astype(str)))
    if len(ids) != 1:
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        msg = (
            f"{what} holds no rows"
            if not ids
            else f"{what} holds {len(ids)} regions ({shown}): pass one region's rows, "
            f"e.g. metrics[metrics.region_id == {ids[0]!r}]"
        )
        raise UsageError(msg)
    if "source" in frame.columns:
        sources = list(dict.fromkeys(frame["source"].astype(str)))
        if len(sources) > 1:
            msg = (
                f"{what} holds region {ids[0]} from {len(sources)} sources "
                f"({', '.join(sources)}): keep the rows of one"
            )
            raise UsageError(msg)
    return ids[0]


def _population(frame: pd.DataFrame, given: float | None) -> float | None:
    """The population behind the per-100 000 columns: ``given``, else the frame's
    ``population`` column (as merged from :func:`epicurves.load_regions`), else recovered from
    ``incidence_7d = new_cases_7d_sum * 100 000 / population`` (or the deaths' twin) on the
    days with cases, rounded to a whole number: exact, as populations are whole numbers and
    the division loses less than one part in 10^15. None when unknown."""
    if given is not None:
        if not given > 0:
            msg = f"population={given!r}: expected a number of people above 0"
            raise UsageError(msg)
        return float(given)
    if "population" in frame.columns:
        known = floats(frame["population"])
        known = known[known > 0]
        if len(known):
            return float(known[0])
    for total, per in (
        ("new_cases_7d_sum", "incidence_7d"),
        ("new_deaths_7d_sum", "deaths_7d_per_100k"),
    ):
        if total not in frame.columns or per not in frame.columns:
            continue
        s7, rate = floats(frame[total]), floats(frame[per])
        with np.errstate(invalid="ignore"):
            ok = (s7 > 0) & (rate > 0)
        if ok.any():
            return float(np.rint(np.median(s7[ok] * 100_000 / rate[ok])))
    return None


def _name(frame: pd.DataFrame, given: str | None, region_id: str) -> str:
    if given:
        return given
    if "name" in frame.columns:
        names = frame["name"].dropna().astype(str)
        if len(names) and names.iloc[0]:
            return str(names.iloc[0])
    return region_id


def _extent(
    x: np.ndarray,
    columns: list[np.ndarray],
    start: float,
    end: float,
    positive: bool,
) -> tuple[float, float]:
    """Smallest and largest finite value of the columns for x in [start, end] (region.js
    ``extent``); (inf, -inf) when none."""
    inside = (x >= start) & (x <= end)
    picked = np.concatenate([np.asarray(c, dtype=np.float64)[inside] for c in columns])
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(picked) & ((picked > 0) if positive else True)
    picked = picked[keep]
    if not len(picked):
        return math.inf, -math.inf
    return float(picked.min()), float(picked.max())


def _log_range(lohi: tuple[float, float]) -> tuple[float, float] | None:
    lo, hi = lohi
    if math.isfinite(lo):
        # at most five decades: single cases in quiet weeks would squash the curves
        return valid_range(max(lo, hi / 1e5) / 1.5, hi * 1.6)
    return valid_range(0.1, 10)


def _linear_range(
    lohi: tuple[float, float], headroom: float
) -> tuple[float, float] | None:
    lo, hi = lohi
    if not math.isfinite(lo):
        return valid_range(0, 1)
    hi = max(hi, 0) * headroom or 1
    if math.isnan(hi):
        hi = 1
    # large negative corrections are clipped rather than squashing the curve
    lo = max(lo * 1.05, -0.25 * hi) if lo < 0 else 0
    return valid_range(lo, hi)


def _source_data(
    frame: pd.DataFrame,
    x: np.ndarray,
    population: float | None,
    per: bool,
    log: bool,
    provisional: int,
    fans: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """The data of the region's sources (region.js ``sourceData``); ``fans``: the region's
    forecasts by target (:func:`epicurves.charts.fans.fans_of`)."""
    n = len(x)
    factor = 1e5 / population if per and population is not None else 1.0
    to_per = 1e5 / population if population is not None else math.nan
    split = n - provisional  # the first provisional day
    incidence = floats(frame[INCIDENCE])
    cases7 = floats(frame["new_cases_7d_sum"])
    shown = for_scale(incidence if per else cases7, log)
    data: dict[str, dict[str, Any]] = {
        "inc": {"x": x, "y": shown, "inc": incidence, "s7": cases7}
    }
    both = np.isfinite(shown[:-1]) & np.isfinite(shown[1:])
    i = np.flatnonzero(both) + 1
    colours = level_colours((incidence[i - 1] + incidence[i]) / 2)
    for name, picked in (("inc_seg", i < split), ("inc_seg_prov", i >= split)):
        j = i[picked]
        data[name] = {
            "x0": x[j - 1],
            "y0": shown[j - 1],
            "x1": x[j],
            "y1": shown[j],
            "c": [c for c, p in zip(colours, picked.tolist(), strict=True) if p],
        }
    finite = np.flatnonzero(np.isfinite(shown))
    if len(finite):
        last = int(finite[-1])
        data["inc_last"] = {
            "x": x[last : last + 1],
            "y": shown[last : last + 1],
            "c": level_colours(incidence[last : last + 1]),
            "text": [format_number(float(shown[last]))],
        }
    else:
        data["inc_last"] = {"x": [], "y": [], "c": [], "text": []}
    flags = (
        frame["flags"].fillna("").astype(str).str.split(";").str.join(", ").tolist()
        if "flags" in frame.columns
        else [""] * n
    )
    for name, series in DAILY_PANELS.items():
        counts = floats(frame[series["daily"]])
        mean = for_scale(floats(frame[series["centred"]]) * factor, log)
        data[name] = {
            "x": x,
            "y": for_scale(counts * factor, log),
            "n": counts,
            "p": counts * to_per,
            "m": floats(frame[series["mean"]]) * factor,
            "flag": flags,
        }
        cut = max(0, split - 1)
        data[f"{name}_avg"] = {"x": x[:split], "y": mean[:split]}
        data[f"{name}_avg_prov"] = {"x": x[cut:], "y": mean[cut:]}
        target = next((t for t, (c, _) in FORECAST_CHARTS.items() if c == name), "")
        data[f"fc_{name}"] = fan_source(
            fans.get(target), daily=True, factor=factor, log=log
        )
    for name, columns in METRIC_SOURCES.items():
        data[name] = {"x": x} | {c: floats(frame[m]) for c, m in columns.items()}
    return data


def _peer_frames(
    peers: pd.DataFrame | Mapping[str, pd.DataFrame] | None, region_id: str
) -> list[tuple[str, pd.DataFrame]]:
    """(label, rows) of each peer, in order; the region's own rows in a frame are skipped."""
    if peers is None:
        return []
    out: list[tuple[str, pd.DataFrame]] = []
    if isinstance(peers, pd.DataFrame):
        has_columns(peers, "peers", ("region_id", "date", INCIDENCE))
        for peer, rows in peers.groupby(
            peers["region_id"].astype(str), sort=False, observed=True
        ):
            if peer != region_id:
                # one source a peer, as for the region itself: two would zig-zag
                _one_region(rows, f"peers (region {peer})", ("region_id",))
                out.append((_name(rows, None, str(peer)), rows))
    elif isinstance(peers, Mapping):
        for label, rows in peers.items():
            _one_region(rows, f"peers[{label!r}]", ("region_id", "date", INCIDENCE))
            out.append((str(label), rows))
    else:
        msg = f"peers must be a metrics frame or a dict name -> frame, not {type(peers).__name__}"
        raise UsageError(msg)
    if len(out) > COMPARE_LINES - 1:
        msg = (
            f"peers holds {len(out)} regions: the comparison chart shows at most "
            f"{COMPARE_LINES - 1} besides the region"
        )
        raise UsageError(msg)
    return out


def _compare(
    name: str,
    frame: pd.DataFrame,
    x: np.ndarray,
    population: float | None,
    peers: list[tuple[str, pd.DataFrame]],
) -> tuple[dict[str, dict[str, Any]], tuple[str | None, ...]]:
    """The comparison chart's sources and labels (region.js ``fillCompare``): a line is drawn
    for a region with a population (for a peer: a ``population`` column, or any finite
    ``incidence_7d``, which only a population gives)."""
    lines: list[tuple[str, np.ndarray, np.ndarray, bool]] = [
        (name, x, floats(frame[INCIDENCE]), population is not None)
    ]
    for label, rows in peers:
        rows = rows.sort_values("date", kind="stable")
        incidence = floats(rows[INCIDENCE])
        known = _peer_has_population(rows, incidence)
        lines.append((label, timestamps(rows["date"]), incidence, known))
    data: dict[str, dict[str, Any]] = {}
    labels: list[str | None] = []
    for i in range(COMPARE_LINES):
        if i < len(lines) and lines[i][3]:
            label, xs, incidence, _ = lines[i]
            y = for_scale(incidence, True)
            data[f"cmp_{i}"] = {"x": xs, "y": y, "name": [label] * len(y)}
            labels.append(label)
        else:
            data[f"cmp_{i}"] = {"x": [], "y": [], "name": []}
            labels.append(None)
    return data, tuple(labels)


def _peer_has_population(rows: pd.DataFrame, incidence: np.ndarray) -> bool:
    if "population" in rows.columns:
        known = floats(rows["population"])
        if (known > 0).any():
            return True
    return bool(np.isfinite(incidence).any())


def _check(scale: str, per: str | None, window: int | None) -> None:
    """Options as the page offers them (any window of days, not only 365 and 84)."""
    if scale not in ("linear", "log"):
        msg = f"scale={scale!r}: expected 'linear' or 'log'"
        raise UsageError(msg)
    if per not in (None, "per100k", "count"):
        msg = f"per={per!r}: expected 'per100k', 'count' or None (per100k where the population is known)"
        raise UsageError(msg)
    if window is not None and not (isinstance(window, int | np.integer) and window > 0):
        msg = f"window={window!r}: expected a number of days (365, 84) or None for all"
        raise UsageError(msg)


def _panels(data: dict[str, dict[str, Any]], log: bool) -> list[str]:
    """The figures shown, in page order (region.js ``Charts.fill``):
    one of each linear/log twin; deaths, R from deaths and doubling time only with data."""

    def some(*columns: Any) -> bool:
        return any(np.isfinite(np.asarray(c, dtype=np.float64)).any() for c in columns)

    twin = "log" if log else "lin"
    has = {
        f"fig_inc_{twin}": True,
        f"fig_cases_{twin}": True,
        f"fig_deaths_{twin}": some(data["deaths"]["n"]),
        "fig_r_cases": True,
        "fig_r_deaths": some(data["r_deaths"]["r_rki"], data["r_deaths"]["gf"]),
        "fig_doubling": some(data["doubling"]["cases"], data["doubling"]["deaths"]),
        "fig_compare": True,
    }
    return [name for name, shown in has.items() if shown]


def region_view(
    metrics: pd.DataFrame,
    peers: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    scale: str = "linear",
    per: str | None = None,
    window: int | None = 365,
    population: float | None = None,
    name: str | None = None,
    provisional_days: int | None = None,
    forecasts: pd.DataFrame | None = None,
) -> RegionView:
    """What the region page shows for ``metrics`` (one region's rows of
    :func:`epicurves.load_metrics`), ``peers`` and ``forecasts``: see
    :func:`epicurves.plot_region`."""
    region_id = _one_region(metrics, "metrics", _NEEDED)
    _check(scale, per, window)
    frame = metrics.sort_values("date", kind="stable").reset_index(drop=True)
    pop = _population(frame, population)
    if population is not None:  # every per-100 000 number from the population given
        frame = frame.assign(
            **{
                INCIDENCE: floats(frame["new_cases_7d_sum"])
                * 100_000
                / float(population)
            }
        )
    label = _name(frame, name, region_id)
    if per is None:
        per = "per100k" if pop is not None else "count"
    if per == "per100k" and pop is None:
        msg = (
            f"per='per100k': the population of {region_id} is unknown "
            "(pass population=, or per='count')"
        )
        raise UsageError(msg)
    log = scale == "log"
    days = (
        CoriOptions().provisional_days if provisional_days is None else provisional_days
    )
    provisional = max(0, min(len(frame), int(days)))
    x = timestamps(frame["date"])
    fans = {} if forecasts is None else fans_of(forecasts, region_id)
    data = _source_data(frame, x, pop, per == "per100k", log, provisional, fans)
    compare, labels = _compare(label, frame, x, pop, _peer_frames(peers, region_id))
    data.update(compare)
    twin, suffix = ("log", LOG_SUFFIX) if log else ("lin", "")
    titles = {
        f"fig_{panel}_{twin}": (per_100k if per == "per100k" else count) + suffix
        for panel, (per_100k, count) in PANEL_TITLES.items()
    }
    ranges, bounds = _ranges(x, data, log, None if window is None else int(window))
    return RegionView(
        region_id=region_id, name=label, population=pop, per=per, scale=scale,
        window=window, sources=data, figures=tuple(_panels(data, log)), titles=titles,
        ranges=ranges, x_bounds=bounds, compare=labels,
    )  # fmt: skip


def _ranges(
    x: np.ndarray, data: dict[str, dict[str, Any]], log: bool, window: int | None
) -> tuple[dict[str, tuple[float, float]], tuple[float, float] | None]:
    """The ranges region.js ``rescale`` sets (those it leaves are not listed)."""
    out: dict[str, tuple[float, float]] = {}
    if not len(x):
        return out, None
    first, last = float(x[0]), float(x[-1])
    start = max(first, last - (window - 1) * DAY_MS) if window else first
    # a forecast beyond the data: in view too
    ahead = max(
        [last, *(float(v) for c in ("cases", "deaths") for v in data[f"fc_{c}"]["x"])]
    )
    end = ahead + max(DAY_MS / 2, 0.03 * (ahead - start))
    start -= DAY_MS / 2
    bounds = (first - 30 * DAY_MS, ahead + 30 * DAY_MS)
    picked: dict[str, tuple[float, float] | None] = {"x": valid_range(start, end)}
    twin = "log" if log else "lin"
    inc = _extent(x, [data["inc"]["y"]], start, end, log)
    picked[f"y_inc_{twin}"] = (
        _log_range(inc) if log else _linear_range((0, inc[1]), 1.12)
    )
    for name in ("cases", "deaths"):
        bars = _extent(x, [data[name]["y"]], start, end, log)
        mean = _extent(x, [data[name]["m"]], start, end, log)
        fan = data[f"fc_{name}"]
        band = _extent(
            np.asarray(fan["x"], dtype=np.float64), [fan["lo95"], fan["hi95"]],
            start, end, log,
        )  # fmt: skip
        lohi = (min(bars[0], mean[0], band[0]), max(bars[1], mean[1], band[1]))
        picked[f"y_{name}_{twin}"] = (
            _log_range(lohi) if log else _linear_range(lohi, 1.05)
        )
    r_cases = _extent(
        x, [data["r_cases"]["r_rki"], data["r_cases"]["r_cori"]], start, end, False
    )
    r_deaths = _extent(x, [data["r_deaths"]["r_rki"]], start, end, False)
    for name, (lo, hi) in (("y_r_cases", r_cases), ("y_r_deaths", r_deaths)):
        lo = lo if math.isfinite(lo) else 1
        hi = hi if math.isfinite(hi) else 1
        picked[name] = valid_range(
            max(0, min(0.75, lo - 0.1)), min(5, max(1.25, hi + 0.1))
        )
    inside = (x >= start) & (x <= end)
    doubling = np.concatenate(
        [data["doubling"]["cases"][inside], data["doubling"]["deaths"][inside]]
    )
    doubling = np.sort(doubling[np.isfinite(doubling)])
    top = float(doubling[-1]) if len(doubling) else 10.0
    if len(doubling) > 4:
        top = min(top, 1.5 * float(doubling[math.floor(0.9 * (len(doubling) - 1))]))
    picked["y_doubling"] = valid_range(0, top * 1.05)
    lo, hi = math.inf, -math.inf
    for i in range(COMPARE_LINES):
        line = data[f"cmp_{i}"]
        if len(line["x"]):
            e = _extent(np.asarray(line["x"]), [line["y"]], start, end, True)
            lo, hi = min(lo, e[0]), max(hi, e[1])
    picked["y_compare"] = _log_range((lo, hi))
    out = {k: v for k, v in picked.items() if v is not None}
    return out, bounds

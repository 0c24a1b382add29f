"""The forecasts on the site: each region's forecast data script, and the files of the
Forecasts page (:mod:`.scorecard`).

Every region page loads ``forecasts/<id>.js``, a classic data script registering on
``self.EPICURVES_DATA`` under ``"<id>.fc"`` (so it loads from ``file://`` and under
``script-src 'self'``)::

    {"region_id", "fans": {target: {"label", "reference_date", "model",
                                    "weeks": [[end, q2.5, q25, q50, q75, q97.5], ...]}},
     "records": {target: {"label", "n", "coverage_50", "coverage_95", "relative_wis",
                          "first", "last", "live"}}}

``fans`` holds the current forecast of each live series of the region (horizons in order,
values in the series' own counts); ``records`` each series' track record
(:func:`epicurves.forecast.summary.records`). A region without either gets an empty object:
the page always loads its script, whatever the store holds. The files are written anew when
the stored forecasts or the regions change; else the build carries them on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..changes import RegionState
from ..charts.fans import FOLDER, FORECAST_CHARTS, fans_by_region
from ..charts.spec import SIGNAL_CHARTS, SignalChart
from ..charts.views.signals import fan_factors
from ..forecast.series import FORECAST_TARGETS
from ..forecast.summary import ForecastSummary
from ..lazy import np, pd
from .payload import data_script, script_json
from .signals import significant

__all__ = [
    "FOLDER",
    "fan_data",
    "forecast_files",
    "forecasts_changed",
    "published_files",
    "region_script",
]


#: Reads signals: ``load(regions, signals)`` (:meth:`epicurves.store.Snapshot.load_signals`).
Loader = Callable[[list[str], list[str]], "pd.DataFrame"]


def _signal_charts(
    fans: dict[str, dict[str, Any]],
) -> dict[str, tuple[SignalChart, str]]:
    """The surveillance chart (and line's pathogen) of each of ``fans``' targets drawn on one."""
    charts = {c.anchor: c for c in SIGNAL_CHARTS}
    return {
        t: (charts[FORECAST_CHARTS[t][0]], FORECAST_CHARTS[t][1])
        for t in fans
        if FORECAST_CHARTS[t][0] in charts
    }


def _add_factors(out: dict[str, dict[str, Any]], load: Loader) -> None:
    """Each fan drawn on a chart of rates gets ``per100k``, the factor from its counts
    (:func:`epicurves.charts.views.signals.fan_factor`), from the region's signals."""
    wanted = {
        r: _signal_charts(entry["fans"]) for r, entry in out.items() if "fans" in entry
    }
    wanted = {r: charts for r, charts in wanted.items() if charts}
    if not wanted:
        return
    names = sorted(
        {n for charts in wanted.values() for t, (c, _) in charts.items()
         for n in (c.signal, FORECAST_TARGETS[t].signal)}
    )  # fmt: skip
    signals = load(sorted(wanted), names)
    pairs = {
        (t, c.anchor, p): c
        for charts in wanted.values()
        for t, (c, p) in charts.items()
    }
    factors = {
        key: fan_factors(chart, key[0], signals, key[2]) for key, chart in pairs.items()
    }
    for region_id, charts in wanted.items():
        for target, (chart, pathogen) in charts.items():
            found = factors[(target, chart.anchor, pathogen)].get(region_id)
            out[region_id]["fans"][target]["per100k"] = found


def fan_data(
    summary: ForecastSummary, load: Loader | None = None
) -> dict[str, dict[str, Any]]:
    """Per region, its fans (:func:`epicurves.charts.fans.fans_of`, values as the page shows
    them; with ``load``, the factor to rates per 100 000 of those drawn on a chart of rates)
    and track records (the object of its data script)."""
    out: dict[str, dict[str, Any]] = {}
    if len(summary.current):
        for region_id, fans in fans_by_region(summary.current).items():
            for fan in fans.values():
                fan["weeks"] = [  # as the page shows them, like the signals
                    [week[0], *significant(np.array(week[1:]), 3).tolist()]
                    for week in fan["weeks"]
                ]
            out[region_id] = {"fans": fans}
    if load is not None:
        _add_factors(out, load)
    for row in summary.records.to_dict("records"):
        target, region_id = str(row["target"]), str(row["region_id"])
        if target not in FORECAST_CHARTS:
            continue
        entry = out.setdefault(region_id, {})
        entry.setdefault("records", {})[target] = {
            "label": FORECAST_TARGETS[target].label,
            "n": int(row["n"]),
            "coverage_50": round(float(row["coverage_50"]), 3),
            "coverage_95": round(float(row["coverage_95"]), 3),
            "relative_wis": round(float(row["relative_wis"]), 3),
            "first": f"{pd.Timestamp(row['first_reference_date']):%Y-%m-%d}",
            "last": f"{pd.Timestamp(row['last_reference_date']):%Y-%m-%d}",
            "live": target in entry.get("fans", {}),
        }
    return out


def region_script(region_id: str, data: dict[str, Any] | None) -> bytes:
    """One region's forecast data script."""
    body = {"region_id": region_id, **(data or {})}
    return data_script(f"{region_id}.fc", script_json(body, sort_keys=True)).encode()


def forecast_files(
    summary: ForecastSummary,
    states: Mapping[str, RegionState],
    common: dict[str, Any],
    load: Loader | None = None,
    cache: Path | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every file of the site's forecasts folder: each region's data script (``states``: the
    regions with a page; ``load`` reads their signals), then the Forecasts page and the
    downloads (its chart from the layouts' ``cache``)."""
    from .scorecard import scorecard_files  # only when forecasts change

    names = {r: s.name for r, s in states.items()}
    data = fan_data(summary, load)
    for region_id in sorted(states):
        yield f"{FOLDER}/{region_id}.js", region_script(region_id, data.get(region_id))
    yield from scorecard_files(summary, names, common, cache)


def forecasts_changed(
    before: Mapping[str, RegionState],
    before_digest: str,
    states: Mapping[str, RegionState],
    digest: str,
) -> bool:
    """Whether the forecasts folder is written anew: the stored forecasts changed (their
    summaries' ``digest`` against the published build's), or the regions or their names did
    (``states`` against ``before``): every region has a data script, and the Forecasts page and
    the downloads name them.

    >>> a = RegionState("rki", "d", "Germany", "country", None, 83_000_000)
    >>> forecasts_changed({"DE": a}, "f1", {"DE": a}, "f1")
    False
    >>> import dataclasses
    >>> forecasts_changed({"DE": a}, "f1", {"DE": dataclasses.replace(a, name="Deutschland")}, "f1")
    True
    """
    if before_digest != digest or set(before) != set(states):
        return True
    return any(before[r].name != s.name for r, s in states.items())


def published_files(old: Path | None) -> set[str]:
    """The forecasts folder's files in the published site ``old`` (paths in the site)."""
    if old is None or not (old / FOLDER).is_dir():
        return set()
    return {
        f"{FOLDER}/{p.relative_to(old / FOLDER).as_posix()}"
        for p in (old / FOLDER).rglob("*")
        if p.is_file()
    }

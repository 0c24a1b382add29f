"""The surveillance section of a region page: which signal charts exist, their data script, their texts.

RKI's surveillance signals (wastewater, hospitalisation, weekly deaths, SARI) of a region are
stored once in the site as ``data/<id>.sig.js``, only for regions that have signals: a classic
data script, like the region's other two (:mod:`.payload`), registering under ``"<id>.sig"``::

    {"region_id", "series": [{"signal", "pathogen", "age_group", "estimate",
                              "start": "YYYY-MM-DD", "step": days, "v": [values],
                              "lo": [...], "hi": [...]}, ...]}

A series' values are on the days ``start``, ``start + step``, ... (holes where missing, missing
trailing values left out); ``lo``/``hi`` only where the signal gives an interval. Only what the
charts draw is kept (:data:`SIGNAL_CHARTS`: not the normalised wastewater, the site or
coverage counts, nor the case counts behind the incidences), at 3 significant digits (counts as
whole numbers); ``epicurves export`` and :func:`epicurves.load_signals` give everything.

:data:`SIGNAL_CHARTS` is the one registry of the charts: the figures (:mod:`epicurves.plots`),
the page's texts and ``static/signals.js`` (through the page's configuration) all read it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..freshness import is_stale
from ..plots import SIGNAL_FIGURES
from ..sources import SOURCES, Signal, Source

__all__ = [
    "SIGNAL_CHARTS",
    "SignalChart",
    "SignalFiles",
    "decode_signals",
    "germany_today",
    "signal_files",
    "signal_key",
]


@dataclass(frozen=True)
class SignalChart:
    """One chart of the surveillance section."""

    anchor: str
    """Its id on the page (``#sig-...``), which the home page links to."""
    signal: str
    estimates: tuple[str, ...]
    """The estimates drawn (the first one is the main line)."""
    figure: str
    """Its figure in :data:`epicurves.plots.SIGNAL_FIGURES`."""
    lines: str
    """What its lines are: ``estimate`` (one line each), ``pathogen`` (a select picks one;
    estimates as lines) or ``age_group`` (one line each)."""
    digits: int | None = 3
    """Significant digits kept; ``None``: whole numbers (counts)."""
    note: str = ""
    """What the page adds to the signal's own description."""


SIGNAL_CHARTS: tuple[SignalChart, ...] = (
    SignalChart(
        "sig-wastewater", "wastewater", ("measured", "smoothed"), "wastewater",
        "pathogen",
        note="Points: the weekly measurements; line and band: RKI's smoothed curve with its "
        "interval. Choose the pathogen; the log scale shows rises of different size alike.",
    ),
    SignalChart(
        "sig-hospitalisation", "hospitalisation", ("fixed", "updated", "nowcast"),
        "hospitalisation", "estimate",
        note="Fixed: the value as first published for each day; updated: with the late "
        "reports since; nowcast: RKI's estimate of the final value, with its 95 % interval.",
    ),
    SignalChart(
        "sig-hospitalisation-2020", "hospitalisation-2020", ("updated",),
        "hospitalisation_2020", "age_group",
        note="The series RKI published from 2020 to 2022, by age group; it is not joined to "
        "the current one, whose method differs.",
    ),
    SignalChart(
        "sig-deaths-weekly", "deaths-weekly", ("measured",), "deaths_weekly",
        "age_group", digits=None,
    ),
    SignalChart("sig-sari", "sari", ("measured",), "sari", "age_group"),
)  # fmt: skip
for _chart in SIGNAL_CHARTS:
    assert _chart.figure in SIGNAL_FIGURES, _chart.figure


def signal_key(region_id: str) -> str:
    """The key a region's signals register under (and its file's stem)."""
    return f"{region_id}.sig"


def declared(signal: str) -> tuple[Source, Signal] | None:
    """The source that declares ``signal``, and its declaration."""
    for source in SOURCES.values():
        found = source.signal(signal)
        if found is not None:
            return source, found
    return None


def _sig_text(value: float, digits: int | None) -> str:
    """A value at ``digits`` significant digits (None: a whole number), as short as JSON
    allows: ``.5`` for ``0.5``, ``1.2e5`` for ``120000``.

    >>> [_sig_text(v, 3) for v in (0.5, 123456.0, 2631.95, -0.0312, 120000.0, 0.0)]
    ['.5', '123000', '2630', '-.0312', '1.2e5', '0']
    >>> _sig_text(1234.4, None)
    '1234'
    """
    if digits is None:
        return str(round(value))
    rounded = float(f"{value:.{digits}g}")
    if rounded == 0:
        return "0"
    if rounded.is_integer() and abs(rounded) < 1e15:
        plain = str(int(rounded))
    else:
        plain = np.format_float_positional(rounded, trim="-")
    plain = re.sub(r"^(-?)0\.", r"\1.", plain)
    mantissa, _, exponent = f"{rounded:.{digits}g}".partition("e")
    if not exponent:
        return plain
    short = f"{mantissa}e{int(exponent)}"
    short = re.sub(r"^(-?)0\.", r"\1.", short)
    return short if len(short) < len(plain) else plain


def _kept(value: float, digits: int | None) -> float:
    """The value as the data script keeps it."""
    return float(_sig_text(value, digits))


def _array(values: np.ndarray, digits: int | None) -> str:
    """``[v,,v]``: holes where NaN, trailing holes left out."""
    texts = ["" if math.isnan(v) else _sig_text(float(v), digits) for v in values]
    while texts and texts[-1] == "":
        texts.pop()
    return "[" + ",".join(texts) + "]"


@dataclass(frozen=True)
class SignalFiles:
    """A region's signal data script, and what its page says about each chart."""

    data: str
    """``data/<id>.sig.js``."""
    charts: list[dict[str, Any]]
    """The charts with data, in :data:`SIGNAL_CHARTS` order: anchor, signal, vintage, ..."""


def _step(days: np.ndarray) -> int:
    """The largest step of a regular grid through the days (7 for weekly series)."""
    if len(days) < 2:
        return 1
    return max(int(np.gcd.reduce(np.diff(days))), 1)


def _series_objects(
    frame: pd.DataFrame, chart: SignalChart
) -> tuple[list[str], str, str]:
    """The series of one chart of one region, as JSON objects; its first and last date."""
    parts: list[str] = []
    group = ["pathogen", "age_group", "estimate"]
    for (pathogen, age, estimate), rows in frame.groupby(group, sort=True):
        if estimate not in chart.estimates:
            continue
        rows = rows.sort_values("date")
        days = rows["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        step = _step(days)
        index = (days - days[0]) // step
        grid = {}
        for column in ("value", "lo", "hi"):
            values = np.full(int(index[-1]) + 1, np.nan)
            values[index] = rows[column].to_numpy(dtype=np.float64, na_value=np.nan)
            grid[column] = values
        head = {
            "signal": chart.signal,
            "pathogen": str(pathogen),
            "age_group": str(age),
            "estimate": str(estimate),
            "start": str(np.datetime64(int(days[0]), "D")),
            "step": step,
        }
        text = _json(head)[:-1] + ',"v":' + _array(grid["value"], chart.digits)
        for bound in ("lo", "hi"):
            if not np.isnan(grid[bound]).all():
                text += f',"{bound}":' + _array(grid[bound], chart.digits)
        parts.append(text + "}")
    dates = frame.loc[frame["estimate"].isin(chart.estimates), "date"]
    first = "" if dates.empty else dates.min().strftime("%Y-%m-%d")
    last = "" if dates.empty else dates.max().strftime("%Y-%m-%d")
    return parts, first, last


def _json(value: Any) -> str:
    """JSON of upstream texts, with no ``<``, ``>`` or ``&`` (even in a script of its own)."""
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )


def signal_files(signals: pd.DataFrame) -> dict[str, SignalFiles]:
    """The signal data script and chart texts of every region in ``signals`` (the tidy
    signals table, :meth:`epicurves.store.Snapshot.load_signals`), by region id."""
    out: dict[str, SignalFiles] = {}
    if signals.empty:
        return out
    for region_id, frame in signals.groupby("region_id", sort=True):
        parts: list[str] = []
        charts: list[dict[str, Any]] = []
        by_signal = dict(tuple(frame.groupby("signal", sort=False)))
        for chart in SIGNAL_CHARTS:
            rows = by_signal.get(chart.signal)
            if rows is None:
                continue
            series, first, last = _series_objects(rows, chart)
            if not series:
                continue
            parts.extend(series)
            charts.append(_chart_text(chart, rows, first, last))
        if not parts:
            continue
        key = signal_key(str(region_id))
        data = (
            f"(self.EPICURVES_DATA=self.EPICURVES_DATA||{{}})[{json.dumps(key)}]="
            f'{{"region_id":{_json(str(region_id))},"series":[{",".join(parts)}]}};\n'
        )
        out[str(region_id)] = SignalFiles(data, charts)
    return out


def _pathogen_order(pathogen: str) -> tuple[bool, str]:
    """SARS-CoV-2 first (the site's subject), then the others by name.

    >>> sorted(["RSV A", "Influenza A", "SARS-CoV-2"], key=_pathogen_order)
    ['SARS-CoV-2', 'Influenza A', 'RSV A']
    """
    return pathogen != "SARS-CoV-2", pathogen


def _chart_text(
    chart: SignalChart, rows: pd.DataFrame, first: str, last: str
) -> dict[str, Any]:
    """What the page says about one chart (plain strings: the template escapes them)."""
    found = declared(chart.signal)
    source, signal = (None, None) if found is None else found
    pathogens = sorted(
        {str(p) for p in rows.loc[rows["estimate"].isin(chart.estimates), "pathogen"]},
        key=_pathogen_order,
    )
    ages = sorted(
        {str(a) for a in rows.loc[rows["estimate"].isin(chart.estimates), "age_group"]}
    )
    live = bool(source is not None and source.live and source.interval_days)
    return {
        "anchor": chart.anchor,
        "signal": chart.signal,
        "figure": chart.figure,
        "lines": chart.lines,
        "estimates": list(chart.estimates),
        "title": signal.title if signal is not None else chart.signal,
        "unit": signal.unit if signal is not None else str(rows["unit"].iloc[0]),
        "resolution": signal.resolution
        if signal is not None
        else str(rows["resolution"].iloc[0]),
        "description": signal.description if signal is not None else "",
        "caveats": signal.caveats if signal is not None else "",
        "note": chart.note,
        "source": "" if source is None else source.name,
        "homepage": "" if source is None else source.homepage,
        "live": live,
        "first": first,
        "vintage": last,
        "pathogens": pathogens,
        "age_groups": ages,
        "log": chart.lines == "pathogen",
    }


_PREFIX = re.compile(
    r'^\(self\.EPICURVES_DATA=self\.EPICURVES_DATA\|\|\{\}\)\[("[^"]*")\]='
)
_HOLE = re.compile(r"(?<=[\[,])(?=[,\]])")
_POINT = re.compile(r"(?<=[\[,:-])\.")


def decode_signals(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The key and the series of a signal data script, each with ``dates`` and ``values``
    (and ``lo``/``hi`` where given) expanded, None where missing.

    >>> key, series = decode_signals('(self.EPICURVES_DATA=self.EPICURVES_DATA||{})["X.sig"]='
    ...     '{"region_id":"X","series":[{"signal":"s","pathogen":"p","age_group":"00+",'
    ...     '"estimate":"measured","start":"2024-01-01","step":7,"v":[1.5e3,,-.5]}]};')
    >>> key, series[0]["dates"], series[0]["values"]
    ('X.sig', ['2024-01-01', '2024-01-08', '2024-01-15'], [1500.0, None, -0.5])
    """
    match = _PREFIX.match(text)
    if match is None or not text.rstrip().endswith(";"):
        msg = "not an epicurves signal data script"
        raise ValueError(msg)
    body = text[match.end() : text.rstrip().rindex(";")]
    data: dict[str, Any] = json.loads(_POINT.sub("0.", _HOLE.sub("null", body)))
    out = []
    for series in data["series"]:
        start = dt.date.fromisoformat(series["start"])
        step = int(series["step"])
        length = max(len(series.get(k, [])) for k in ("v", "lo", "hi"))
        item = {k: v for k, v in series.items() if k not in ("v", "lo", "hi")}
        item["dates"] = [
            (start + dt.timedelta(days=i * step)).isoformat() for i in range(length)
        ]
        for name, key in (("values", "v"), ("lo", "lo"), ("hi", "hi")):
            if key in series:
                values = series[key]
                item[name] = values + [None] * (length - len(values))
        item["region_id"] = data["region_id"]
        out.append(item)
    return json.loads(match.group(1)), out


def kept_value(value: float, signal: str) -> float:
    """A stored value as the data script keeps it (for tests and checks)."""
    chart = next(c for c in SIGNAL_CHARTS if c.signal == signal)
    return _kept(value, chart.digits)


def germany_today(
    trends: pd.DataFrame,
    now: dt.date,
    vintages: Mapping[str, str] | None = None,
    region_id: str = "DE",
) -> list[dict[str, Any]]:
    """The home page's "Germany today" rows: the latest value of each charted signal of
    ``region_id`` (all ages, or the only age group), its week-on-week change and trend (from
    :func:`epicurves.analysis.signal_trends`), its date, whether it is stale for its source's
    interval (:func:`epicurves.freshness.is_stale`, on the signal's vintage in ``vintages``,
    signal name -> last date in its source: a nowcast ends days before the data it is made
    from), and the anchor of its chart on the region's page. Signals of sources that no
    longer publish (the 2020-22 hospitalisations) have no "today" and are left out."""
    if trends.empty:
        return []
    rows = trends.loc[trends["region_id"].astype(str) == region_id]
    out: list[dict[str, Any]] = []
    for chart in SIGNAL_CHARTS:
        picked = rows.loc[rows["signal"].astype(str) == chart.signal]
        if picked.empty:
            continue
        if "00+" in set(picked["age_group"].astype(str)):
            picked = picked.loc[picked["age_group"].astype(str) == "00+"]
        found = declared(chart.signal)
        source = None if found is None else found[0]
        if source is not None and not source.live:
            continue
        title = chart.signal if found is None else found[1].title
        if chart.lines == "pathogen":  # the pathogen groups, where RKI gives their sums
            groups = {"SARS-CoV-2", "Influenza A+B", "RSV A+B"}
            if groups & set(picked["pathogen"].astype(str)):
                picked = picked.loc[picked["pathogen"].astype(str).isin(groups)]
        records = picked.to_dict(orient="records")
        for row in sorted(records, key=lambda r: _pathogen_order(str(r["pathogen"]))):
            date = pd.Timestamp(row["date"]).date()
            vintage = (vintages or {}).get(chart.signal)
            last = dt.date.fromisoformat(vintage) if vintage else date
            stale = source is None or is_stale(source, last, now)
            change = row.get("week_change_pct")
            value = float(row["value"])
            out.append(
                {
                    "title": title,
                    "signal": chart.signal,
                    "pathogen": str(row["pathogen"]),
                    "by_pathogen": chart.lines == "pathogen",
                    "estimate": str(row["estimate"]),
                    "unit": str(row["unit"]),
                    "value": _people(value),
                    "date": date.isoformat(),
                    "change": ""
                    if change is None or pd.isna(change)
                    else f"{float(change):+.0f} %",
                    "trend": str(row.get("trend") or ""),
                    "stale": stale,
                    "frozen": source is not None and not source.live,
                    "href": f"region/{region_id}/index.html#{chart.anchor}",
                }
            )
    return out


def _people(value: float) -> str:
    """A value for people: 3 significant digits, thousands separators."""
    if abs(value) >= 1000:
        return f"{round(value):,}"
    return f"{float(f'{value:.3g}'):g}"


def page_config(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``static/signals.js`` needs of the charts: no texts, only names."""
    return [
        {k: c[k] for k in ("anchor", "signal", "figure", "lines", "estimates", "log")}
        for c in charts
    ]

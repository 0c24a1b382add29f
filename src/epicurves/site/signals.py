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

:data:`SIGNAL_CHARTS` (defined in :mod:`epicurves.charts.spec`, re-exported here) is the one
registry of the charts: the figures (:mod:`epicurves.charts.layouts`), the page's texts,
``static/signals.js`` (through the page's configuration) and :func:`epicurves.plot_signals` all
read it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..charts import spec
from ..charts.spec import SIGNAL_CHARTS, SignalChart
from ..charts.views import pathogen_order as _pathogen_order
from ..charts.views.signals import grid_step
from ..freshness import is_stale
from ..sources import SOURCES, Signal, Source

__all__ = [
    "SIGNAL_CHARTS",
    "SignalChart",
    "SignalFiles",
    "decode_signals",
    "germany_today",
    "latest_rows",
    "signal_files",
    "signal_key",
    "today_rows",
    "us_today",
]


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


def _rounded(values: np.ndarray, digits: int | None) -> np.ndarray:
    """Values at ``digits`` significant digits (None: whole numbers), vectorised; NaN stays.

    >>> _rounded(np.array([0.5, 123456.0, 2631.95, -0.0312, 0.0, np.nan]), 3).tolist()
    [0.5, 123000.0, 2630.0, -0.0312, 0.0, nan]
    """
    values = np.asarray(values, dtype=np.float64)
    if digits is None:
        return np.round(values)
    nonzero = np.isfinite(values) & (values != 0)
    magnitude = np.floor(np.log10(np.abs(np.where(nonzero, values, 1.0))))
    decimals = np.where(nonzero, digits - 1 - magnitude, 0).astype(np.int64)
    # an exact power of ten each way, so that 0.0312 is the double "0.0312" parses to
    up = 10.0 ** np.maximum(decimals, 0)
    down = 10.0 ** np.maximum(-decimals, 0)
    with np.errstate(invalid="ignore"):
        return np.round(values * up / down) * down / up


def _texts(values: np.ndarray, digits: int | None) -> list[str]:
    """Each value at ``digits`` significant digits as its shortest text (``.5`` for ``0.5``),
    ``""`` where NaN.

    >>> _texts(np.array([0.5, 123456.0, 2631.95, -0.0312, 0.0, np.nan]), 3)
    ['.5', '123000', '2630', '-.0312', '0', '']
    >>> _texts(np.array([1234.4]), None)
    ['1234']
    """
    rounded = _rounded(values, digits)
    missing = ~np.isfinite(rounded)
    array = pa.array(np.where(missing, 0.0, rounded), mask=missing)
    whole = ~missing & (np.abs(rounded) < 2**53) & (rounded == np.round(rounded))
    text = pc.if_else(
        pa.array(whole),
        array.cast(pa.int64(), safe=False).cast(pa.string()),
        array.cast(pa.string()),
    )
    text = pc.replace_substring_regex(text, pattern=r"^(-?)0\.", replacement=r"\1.")
    return [t or "" for t in pc.fill_null(text, "").to_pylist()]


def _kept(value: float, digits: int | None) -> float:
    """The value as the data script keeps it."""
    return float(_rounded(np.array([value]), digits)[0])


def _array(values: np.ndarray, digits: int | None) -> str:
    """``[v,,v]``: holes where NaN, trailing holes left out."""
    texts = _texts(values, digits)
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


def _series_objects(
    frame: pd.DataFrame, chart: SignalChart, *, script: bool = True
) -> tuple[list[str], str, str]:
    """The series of one chart of one region, as JSON objects (``script=False``: ``""`` for
    each, where only the page is made); its first and last date."""
    parts: list[str] = []
    group = ["signal", "pathogen", "age_group", "estimate"]
    # positions of each series (in the order of its labels), then NumPy only: a sub-frame
    # per series costs more than the series' whole text
    found = frame.groupby(group, sort=True, observed=True).indices
    every_day = frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    numbers = {
        c: frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        for c in ("value", "lo", "hi")
    }
    units = frame["unit"].astype(str).to_numpy() if chart.unit_title else None
    for key in sorted(found):
        signal, pathogen, age, estimate = key
        if estimate not in chart.estimates or (chart.ages and age not in chart.ages):
            continue
        digits = None if signal == chart.counts else chart.digits
        if not script:
            parts.append("")
            continue
        rows = found[key]
        rows = rows[np.argsort(every_day[rows], kind="stable")]
        days = every_day[rows]
        step = grid_step(days)
        index = (days - days[0]) // step
        grid = {}
        for column in ("value", "lo", "hi"):
            values = np.full(int(index[-1]) + 1, np.nan)
            values[index] = numbers[column][rows]
            grid[column] = values
        head = {
            "signal": str(signal),
            "pathogen": str(pathogen),
            "age_group": str(age),
            "estimate": str(estimate),
            "start": str(np.datetime64(int(days[0]), "D")),
            "step": step,
        }
        if units is not None:  # its unit differs by region: each series says it
            head["unit"] = str(units[rows[0]])
        text = _json(head)[:-1] + ',"v":' + _array(grid["value"], digits)
        for bound in ("lo", "hi"):
            if not np.isnan(grid[bound]).all():
                text += f',"{bound}":' + _array(grid[bound], digits)
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


def signal_files(
    signals: pd.DataFrame, scripts: Collection[str] | None = None
) -> dict[str, SignalFiles]:
    """The signal data script and chart texts of every region in ``signals`` (the tidy
    signals table, :meth:`epicurves.store.Snapshot.load_signals`), by region id. Data scripts
    are made only for the regions in ``scripts`` (default all; the others get ``data=""``:
    a page needs only the texts when its signals did not change)."""
    out: dict[str, SignalFiles] = {}
    if signals.empty:
        return out
    # grouped by codes, not by text: the table has a few labels and many rows
    text = [
        "region_id",
        "signal",
        "pathogen",
        "age_group",
        "estimate",
        "unit",
        "resolution",
    ]
    columns = [*text, "date", "value", "lo", "hi"]
    signals = signals[columns].astype(dict.fromkeys(text, "category"))
    for region_id, frame in signals.groupby("region_id", sort=True, observed=True):
        parts: list[str] = []
        charts: list[dict[str, Any]] = []
        by_signal = dict(tuple(frame.groupby("signal", sort=False, observed=True)))
        for chart in spec.SIGNAL_CHARTS:
            rows = by_signal.get(chart.signal)
            if rows is None:
                continue
            if chart.counts and chart.counts in by_signal:
                rows = pd.concat([rows, by_signal[chart.counts]])
            made = scripts is None or region_id in scripts
            series, first, last = _series_objects(rows, chart, script=made)
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


def _chart_text(
    chart: SignalChart, rows: pd.DataFrame, first: str, last: str
) -> dict[str, Any]:
    """What the page says about one chart (plain strings: the template escapes them)."""
    found = declared(chart.signal)
    source, signal = (None, None) if found is None else found
    drawn = rows.loc[rows["estimate"].isin(chart.estimates)]
    if chart.ages:
        drawn = drawn.loc[drawn["age_group"].astype(str).isin(chart.ages)]
    pathogens = sorted(map(str, drawn["pathogen"].unique()), key=_pathogen_order)
    ages = sorted(map(str, drawn["age_group"].unique()))
    live = bool(source is not None and source.live and source.interval_days)
    summary = ""
    sources = [] if source is None else [source]
    if chart.lines == "disease":
        sources = [
            s for p in pathogens if (s := source_of(chart.signal, p)) is not None
        ]
        live = any(s.live and s.interval_days for s in sources)
        summary = _disease_summary(chart, drawn, signal.unit if signal else "")
    elif chart.unit_title or spec.provisional_span(chart):
        summary = _age_summary(chart, drawn, _rows_unit(drawn, signal))
    return {
        "anchor": chart.anchor,
        "docs": chart.docs,
        "map": chart.map,
        "map_label": chart.map_label,
        "signal": chart.signal,
        "figure": chart.figure,
        "lines": chart.lines,
        "estimates": list(chart.estimates),
        "counts": chart.counts,
        "summary": summary,
        "sources": [{"name": s.name, "homepage": s.homepage} for s in sources],
        "title": chart.title
        if chart.pathogens
        else signal.title
        if signal is not None
        else chart.signal,
        "unit": _unit(chart, _rows_unit(drawn, signal)),
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
        "log": chart.log,
        "unit_title": chart.unit_title,
    }


def _rows_unit(rows: pd.DataFrame, signal: Signal | None) -> str:
    """The unit of a chart's values in a region: the rows' own where they have one (ECDC's
    rates differ by country), else the signal's."""
    units = rows["unit"].astype(str).unique() if not rows.empty else []
    if len(units) == 1 and units[0]:
        return str(units[0])
    return signal.unit if signal is not None else str(units[0]) if len(units) else ""


def _unit(chart: SignalChart, unit: str) -> str:
    """The unit of a chart, and of its counts where it offers them."""
    found = declared(chart.counts) if chart.counts else None
    return unit if found is None else f"{unit} (or {found[1].unit})"


def source_of(signal: str, pathogen: str) -> Source | None:
    """The source that declares ``signal`` of ``pathogen`` (CDC's two hubs declare the same
    signals, one for each disease)."""
    for source in SOURCES.values():
        found = source.signal(signal)
        if found is not None and pathogen in found.pathogens:
            return source
    return None


def _disease_summary(chart: SignalChart, rows: pd.DataFrame, unit: str) -> str:
    """The text alternative of a chart by disease: its lines, each one's latest week and
    value, and which weeks are provisional."""
    weeks = spec.provisional_weeks(chart)
    parts = []
    # the chart's own signal, not the counts it can switch to
    own = rows.loc[(rows["signal"] == chart.signal).to_numpy(dtype=bool)]
    pathogens = own["pathogen"].astype(str).to_numpy()
    values = own["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    dates = own["date"].to_numpy()
    for pathogen, disease in zip(chart.pathogens, chart.diseases, strict=True):
        picked = np.flatnonzero((pathogens == pathogen) & ~np.isnan(values))
        if not len(picked):
            continue
        at = picked[np.argmax(dates[picked])]
        last = {"value": values[at], "date": dates[at]}
        value = float(last["value"])
        percent = float(f"{value * 100:.2g}")
        shown = (
            f"{percent:g} % of visits" if chart.percent else f"{_people(value)} {unit}"
        )
        n = weeks.get(pathogen, 0)
        newest = "the newest week" if n == 1 else f"the newest {n} weeks"
        parts.append(
            f"{disease}: {shown} in the week ending {pd.Timestamp(last['date']):%Y-%m-%d}"
            + (
                f" (provisional: {newest} of the line {'is' if n == 1 else 'are'} dashed)"
                if n
                else ""
            )
        )
    if not parts:
        return ""
    return (
        "Lines: " + "; ".join(parts) + ". Provisional weeks are still being revised, "
        "mostly upward."
    )


def _age_summary(chart: SignalChart, rows: pd.DataFrame, unit: str) -> str:
    """The text alternative of a chart by age group in the region's unit, or with
    provisional weeks: each line's latest week and value, and which weeks are shaded."""
    rows = rows.loc[rows["signal"].astype(str).to_numpy() == chart.signal]
    rows = rows.loc[
        np.isfinite(rows["value"].to_numpy(dtype=np.float64, na_value=np.nan))
    ]
    if rows.empty:
        return ""
    latest = (
        rows.sort_values("date", kind="stable")
        .groupby("age_group", observed=True, sort=True)
        .tail(1)
    )
    parts = []
    for row in sorted(
        latest.itertuples(index=False),
        key=lambda r: "" if str(r.age_group) == spec.ALL_AGES else str(r.age_group),
    ):
        age = "all ages" if str(row.age_group) == spec.ALL_AGES else str(row.age_group)
        day = pd.Timestamp(row.date)
        parts.append(
            f"{age}: {_people(float(row.value))} in the week of {day:%Y-%m-%d}"
        )
    n = spec.provisional_span(chart)
    newest = "the newest week is" if n == 1 else f"the newest {n} weeks are"
    shaded = f" Shaded: {newest} provisional, still being revised." if n else ""
    return f"Lines ({unit}): " + "; ".join(parts) + "." + shaded


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
    chart = next(c for c in spec.SIGNAL_CHARTS if signal in (c.signal, c.counts))
    return _kept(value, None if signal == chart.counts else chart.digits)


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
    return today_rows(latest_rows(trends, vintages, region_id), now)


def us_today(
    trends: pd.DataFrame, now: dt.date, vintages: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The home page's "United States today" rows: as :func:`germany_today`, of CDC's
    admissions per 100 000 and shares of emergency-department visits of ``US``, COVID-19 and
    influenza each on its own latest week (``vintages`` by ``source/signal``)."""
    return today_rows(latest_rows(trends, vintages, "US"), now)


def latest_rows(
    trends: pd.DataFrame,
    vintages: Mapping[str, str] | None = None,
    region_id: str = "DE",
) -> list[dict[str, Any]]:
    """The rows of :func:`germany_today` as they are whatever the day (JSON-ready: a build
    keeps them while the signals stay), each with the vintage its staleness is judged on
    (``last``) and no ``stale`` yet (:func:`today_rows`)."""
    if trends.empty:
        return []
    rows = trends.loc[trends["region_id"].astype(str) == region_id]
    out: list[dict[str, Any]] = []
    for chart in spec.SIGNAL_CHARTS:
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
        if chart.lines == "disease":  # a line each of the chart's pathogens
            picked = picked.loc[picked["pathogen"].astype(str).isin(chart.pathogens)]
        if chart.lines == "pathogen":  # the pathogen groups, where RKI gives their sums
            groups = {"SARS-CoV-2", "Influenza A+B", "RSV A+B"}
            if groups & set(picked["pathogen"].astype(str)):
                picked = picked.loc[picked["pathogen"].astype(str).isin(groups)]
        records = picked.to_dict(orient="records")
        for row in sorted(records, key=lambda r: _pathogen_order(str(r["pathogen"]))):
            date = pd.Timestamp(row["date"]).date()
            pathogen = str(row["pathogen"])
            own = source_of(chart.signal, pathogen) if chart.pathogens else source
            vintage = (vintages or {}).get(
                f"{own.name}/{chart.signal}" if own is not None else chart.signal,
                (vintages or {}).get(chart.signal),
            )
            last = dt.date.fromisoformat(vintage) if vintage else date
            change = row.get("week_change_pct")
            value = float(row["value"])
            weeks = spec.provisional_weeks(chart).get(pathogen, 0)
            out.append(
                {
                    "title": title,
                    "signal": chart.signal,
                    "source": "" if own is None else own.name,
                    "pathogen": spec.DISEASES.get(pathogen, pathogen)
                    if chart.pathogens
                    else pathogen,
                    "by_pathogen": chart.lines in ("pathogen", "disease"),
                    "provisional": weeks > 0,
                    "resolution": "week" if chart.pathogens else "",
                    "estimate": str(row["estimate"]),
                    "unit": str(row["unit"]),
                    "value": f"{float(f'{value * 100:.2g}'):g} %"
                    if chart.percent
                    else _people(value),
                    "date": date.isoformat(),
                    "change": ""
                    if change is None or pd.isna(change)
                    else f"{float(change):+.0f} %",
                    "trend": str(row.get("trend") or ""),
                    "stale": None,
                    "frozen": source is not None and not source.live,
                    "href": f"region/{region_id}/index.html#{chart.anchor}",
                    "few_plants": _few_plants(rows, chart.signal, row),
                    "last": last.isoformat(),
                }
            )
    return out


def today_rows(rows: list[dict[str, Any]], now: dt.date) -> list[dict[str, Any]]:
    """The rows of :func:`latest_rows` on the day ``now``: whether each is stale."""
    out = []
    for row in rows:
        found = declared(row["signal"])
        source = None if found is None else found[0]
        if row.get("source") in SOURCES:  # CDC's hubs declare the same signals
            source = SOURCES[row["source"]]
        last = dt.date.fromisoformat(row["last"])
        stale = source is None or is_stale(source, last, now)
        out.append({k: v for k, v in row.items() if k != "last"} | {"stale": stale})
    return out


#: RKI's Readme: the national wastewater curve rests on weeks with at least this many plants.
MIN_PLANTS = 10


def _few_plants(
    trends: pd.DataFrame, signal: str, row: Mapping[Any, Any]
) -> int | None:
    """The number of treatment plants behind a wastewater value, if below :data:`MIN_PLANTS`
    (``wastewater-sites`` of the same pathogen and week); else ``None``."""
    if signal != "wastewater":
        return None
    sites = trends.loc[
        (trends["signal"].astype(str) == "wastewater-sites")
        & (trends["pathogen"].astype(str) == str(row["pathogen"]))
        & (trends["date"] == row["date"])
    ]
    if sites.empty or float(sites["value"].iloc[0]) >= MIN_PLANTS:
        return None
    return int(sites["value"].iloc[0])


def _people(value: float) -> str:
    """A value for people: 3 significant digits, thousands separators."""
    if abs(value) >= 1000:
        return f"{round(value):,}"
    return f"{float(f'{value:.3g}'):g}"


def page_config(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``static/signals.js`` needs of the charts: no texts, only names."""
    return [
        {k: c[k] for k in ("anchor", "signal", "figure", "lines", "estimates", "log")}
        | ({"unit": c["unit"]} if c.get("unit_title") else {})
        for c in charts
    ]

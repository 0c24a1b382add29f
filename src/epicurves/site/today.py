"""The home page's "today" cards of surveillance signals: "Germany today" (RKI's signals of Germany) and "United States today" (CDC's admissions and ED shares of the US), each signal on its own latest date, with its week-on-week change and trend, and whether it is stale; "Europe today" is :mod:`.europe`'s."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from ..analysis import signal_trends
from ..changes import RegionState
from ..charts import spec
from ..charts.views import pathogen_order as _pathogen_order
from ..freshness import is_stale
from ..lazy import pd
from ..model import empty_signals
from ..sources import SOURCES
from ..store import Snapshot
from .europe import SOURCE as EUROPE_SOURCE
from .europe import europe_rows
from .signals import declared, people, source_of

__all__ = [
    "MIN_PLANTS", "germany_today", "latest_rows", "today_cards", "today_rows", "us_today",
]  # fmt: skip


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
                    else people(value),
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


def today_cards(
    snapshot: Snapshot,
    states: Mapping[str, RegionState],
    cached: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The rows of the home page's "today" cards from the store ``snapshot`` (of the regions
    with a page, ``states``): Germany's and the US's latest signals (:func:`latest_rows`),
    "Europe today" (:func:`.europe.europe_rows`), and the key of what each is made of
    (``keys``); each card as in ``cached``, the build before's, when its key is the same (a
    new CDC release leaves Germany's and Europe's cards as they were). Empty without
    signals."""
    digests = snapshot.signal_digests()
    if not digests:
        return {}
    meta = snapshot.meta()
    vintages = {
        key: info["vintage"]
        for source, m in meta.items()
        for name, info in m.signals.items()
        for key in (name, f"{source}/{name}")
    }
    europe = digests.get(EUROPE_SOURCE, {})
    # Europe's rows name and link its countries: their names and pages too
    shown = sorted(
        (r, states[r].name, states[r].observed) for r in europe if r in states
    )

    def held(region: str) -> list[str]:
        """The sources with signals of ``region`` (ECDC's are in "Europe today"; a source
        without the regions' digests, stored by epicurves 0.1, may have some)."""
        return sorted(
            s
            for s, d in digests.items()
            if (region in d or not d) and s != EUROPE_SOURCE
        )

    def key(region: str) -> str:
        state = states.get(region)
        own = {
            f"{s}/{n}": info["vintage"]
            for s in held(region)
            for n, info in meta[s].signals.items()
        }
        return json.dumps([state and state.signals, own], sort_keys=True)

    keys = {
        "rows": key("DE"),
        "us": key("US"),
        "europe": json.dumps([europe, shown], sort_keys=True),
    }
    before = cached if cached and isinstance(cached.get("keys"), dict) else {}
    out: dict[str, Any] = {"keys": keys}
    for card, region in (("rows", "DE"), ("us", "US")):
        if before and before["keys"].get(card) == keys[card]:
            out[card] = before[card]
            continue
        sources = held(region)
        trends = signal_trends(
            snapshot.load_signals(sources, regions=[region])
            if sources
            else empty_signals()
        )
        out[card] = latest_rows(trends, vintages, region)
    if before and before["keys"].get("europe") == keys["europe"]:
        out["europe"] = before["europe"]
    else:
        names = {r: s.name for r, s in states.items() if r in europe}
        observed = {r for r in names if states[r].observed}
        out["europe"] = (
            europe_rows(snapshot.load_signals([EUROPE_SOURCE]), names, observed)
            if europe
            else []
        )
    return out

"""The home page's "Europe today": every country reporting to ECDC's ERVISS, its latest values, each on its own week and in its own unit.

ERVISS's countries report different things (ILI or ARI consultations in primary care, SARI in
hospitals, the SARI patients' tests) on different latest weeks, several having stopped before
2026, and in different units (consultation rates per 100 000 people, per 100 or per 100 000
consultations). So each cell of the card carries its own value, unit and ISO week, and a cell
whose week is more than :data:`STALE_WEEKS` weeks behind the newest week of that signal in any
country is marked stale. Rates are all ages; positivity is of all SARI patients tested.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..charts.spec import ALL_AGES, DISEASES, ERVISS_DISEASES, SIGNAL_CHARTS
from ..lazy import np, pd
from ..sources.ecdc import ECDC_ERVISS
from .signals import people

__all__ = ["EUROPE_COLUMNS", "SOURCE", "STALE_WEEKS", "europe_rows", "week_label"]

#: The source of the card.
SOURCE = ECDC_ERVISS.name
#: The card's columns: (key, signal, pathogen or "" for all, heading).
EUROPE_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("ili", "ili-rate", "", "ILI consultations"),
    ("ari", "ari-rate", "", "ARI consultations"),
    ("sari", "sari-rate", "", "SARI rate"),
    *(
        (f"pos-{p.lower()}", "sari-positivity", p, f"SARI positivity, {DISEASES[p]}")
        for p in ERVISS_DISEASES
    ),
)
#: A cell is stale when its week is more than this many weeks behind the newest week of its
#: signal in any country (twice the weekly interval).
STALE_WEEKS = 2


def week_label(day: pd.Timestamp) -> str:
    """The ISO week of a stored week's date.

    >>> week_label(pd.Timestamp("2026-04-27"))
    '2026-W18'
    """
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def europe_rows(
    signals: pd.DataFrame,
    names: Mapping[str, str],
    pages: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """The card's rows (JSON-ready), one per country with a value, by name: ``region_id``,
    ``name``, ``href`` (its page's surveillance section; "" where it has no page) and
    ``cells``: key of :data:`EUROPE_COLUMNS` -> ``value``, ``unit``, ``week``, ``stale`` (or
    None where the country has no value of it). ``signals``: rows of the ERVISS source
    (:func:`epicurves.load_signals`); ``names``: region id -> name; ``pages``: the regions
    with a page (default: every one)."""
    if signals.empty:
        return []
    wanted = {signal for _, signal, _, _ in EUROPE_COLUMNS}
    estimates = {c.signal: c.estimates[0] for c in SIGNAL_CHARTS if c.signal in wanted}
    frame = signals.loc[
        signals["signal"].astype(str).isin(wanted)
        & (signals["source"].astype(str) == SOURCE)
        & signals["age_group"].astype(str).isin([ALL_AGES, ""])
        & np.isfinite(signals["value"].to_numpy(dtype=np.float64, na_value=np.nan))
    ]
    frame = frame.loc[
        frame["estimate"].astype(str).to_numpy()
        == frame["signal"].astype(str).map(estimates).to_numpy()
    ]
    if frame.empty:
        return []
    latest = (
        frame.sort_values("date", kind="stable")
        .groupby(["region_id", "signal", "pathogen"], observed=True, sort=False)
        .tail(1)
    )
    cells: dict[str, dict[str, Any]] = {}
    for key, signal, pathogen, _ in EUROPE_COLUMNS:
        picked = latest.loc[latest["signal"].astype(str) == signal]
        if pathogen:
            picked = picked.loc[picked["pathogen"].astype(str) == pathogen]
        if picked.empty:
            continue
        newest = picked["date"].max()
        for row in picked.itertuples(index=False):
            day = pd.Timestamp(row.date)
            cells.setdefault(str(row.region_id), {})[key] = {
                "value": people(float(row.value)),
                "unit": str(row.unit),
                "week": week_label(day),
                "date": f"{day:%Y-%m-%d}",
                "stale": bool((newest - day).days > 7 * STALE_WEEKS),
            }
    rows = [
        {
            "region_id": region_id,
            "name": names.get(region_id, region_id),
            "href": f"region/{region_id}/index.html#surveillance"
            if pages is None or region_id in pages
            else "",
            "cells": {key: found.get(key) for key, *_ in EUROPE_COLUMNS},
        }
        for region_id, found in cells.items()
    ]
    return sorted(rows, key=lambda r: (r["name"], r["region_id"]))

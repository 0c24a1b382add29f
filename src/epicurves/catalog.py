"""The store as users see it: one shown source per region, filters by kind, region and date.

Several sources may cover a region (``DE`` from RKI's national file, from JHU and as the sum of
the jgehrcke districts). All are stored; the settings' precedence picks the one shown, and
``all_sources=True`` returns every one.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .config import Settings
from .errors import StoreError, UsageError
from .model import KINDS, pick_shown
from .store import Store

__all__ = ["load_observations", "load_regions"]


def _store(settings: Settings | None) -> tuple[Settings, Store]:
    settings = settings or Settings.from_env()
    store = Store(settings.store_dir)
    if not store.sources():
        msg = (
            f"the store in {settings.store_dir} is empty: run `epicurves update` first"
        )
        raise StoreError(msg)
    return settings, store


def load_regions(
    kind: str | None = None,
    *,
    all_sources: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The regions in the store: ``region_id, name, kind, parent, population, source``.

    One row per region, from the source shown for it (see :class:`~epicurves.Settings`
    ``precedence``), or one row per (region, source) with ``all_sources=True``. ``kind`` is one
    of ``country``, ``state``, ``district``, ``other``.
    """
    if kind is not None and kind not in KINDS:
        msg = f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}"
        raise UsageError(msg)
    settings, store = _store(settings)
    regions = store.load_regions()
    if not all_sources:
        regions = pick_shown(regions, settings.precedence)
    if kind is not None:
        regions = regions[regions["kind"] == kind]
    return regions.sort_values(["region_id", "source"]).reset_index(drop=True)


def load_observations(
    regions: Iterable[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    all_sources: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Daily observations: ``source, region_id, date, cases, deaths, new_cases, new_deaths, flags``.

    ``regions`` limits to those region ids (an unknown id is an error), ``start``/``end`` to a
    date range (inclusive). Each region comes from its shown source unless ``all_sources``.
    """
    settings, store = _store(settings)
    wanted = None if regions is None else list(dict.fromkeys(regions))
    table = store.load_regions()
    if wanted is not None:
        unknown = [r for r in wanted if r not in set(table["region_id"])]
        if unknown:
            msg = f"unknown region {unknown[0]!r}: `epicurves regions` lists the region ids"
            raise UsageError(msg)
    frame = store.load_observations(regions=wanted, start=start, end=end)
    if not all_sources:
        shown = pick_shown(table, settings.precedence)[["region_id", "source"]]
        frame = frame.merge(shown, on=["region_id", "source"], how="inner")
    return frame.sort_values(["region_id", "source", "date"]).reset_index(drop=True)

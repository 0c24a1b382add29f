"""The store as users see it: one shown source per region, filters by kind, region and date.

Several sources may cover a region (``DE`` from RKI's national file, from JHU and as the sum of
the jgehrcke districts). All are stored; the settings' precedence picks the one shown, and
``all_sources=True`` returns every one.

Each function reads one store generation, even while an update commits a newer one: it pins
the current generation for its whole read, or reads the one pinned by ``snapshot`` (from
:meth:`epicurves.Store.snapshot`), so that several calls see the same data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import pandas as pd

from .analysis import CoriOptions, compute_metrics, summarize
from .config import Settings
from .errors import StoreError, UsageError
from .model import KINDS, pick_shown
from .store import Snapshot, Store
from .succession import SUCCESSIONS

__all__ = ["load_metrics", "load_observations", "load_regions", "load_summary"]


@contextlib.contextmanager
def _reading(
    settings: Settings | None, snapshot: Snapshot | None
) -> Iterator[tuple[Settings, Snapshot]]:
    """Settings and a pinned generation: ``snapshot`` if given, else one for this read."""
    settings = settings or Settings.from_env()
    with contextlib.ExitStack() as stack:
        if snapshot is None:
            snapshot = stack.enter_context(Store(settings.store_dir).snapshot())
        if not snapshot.sources():
            msg = f"the store in {settings.store_dir} is empty: run `epicurves update` first"
            raise StoreError(msg)
        yield settings, snapshot


def load_regions(
    kind: str | None = None,
    *,
    all_sources: bool = False,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """The regions in the store: ``region_id, name, kind, parent, population, source``.

    One row per region, from the source shown for it (see :class:`~epicurves.Settings`
    ``precedence``), or one row per (region, source) with ``all_sources=True``. ``kind`` is one
    of ``country``, ``state``, ``district``, ``other``.
    """
    if kind is not None and kind not in KINDS:
        msg = f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}"
        raise UsageError(msg)
    with _reading(settings, snapshot) as (settings, pinned):
        regions = pinned.load_regions()
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
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Daily observations: ``source, region_id, date, cases, deaths, new_cases, new_deaths, flags``.

    ``regions`` limits to those region ids (an unknown id is an error), ``start``/``end`` to a
    date range (inclusive). Each region comes from its shown source unless ``all_sources``.
    """
    wanted = None if regions is None else list(dict.fromkeys(regions))
    with _reading(settings, snapshot) as (settings, pinned):
        table = pinned.load_regions()
        if wanted is not None:
            known = set(table["region_id"])
            unknown = [r for r in wanted if r not in known]
            if unknown:
                msg = f"unknown region {unknown[0]!r}: `epicurves regions` lists the region ids"
                raise UsageError(msg)
        frame = pinned.load_observations(regions=wanted, start=start, end=end)
    if not all_sources:
        shown = pick_shown(table, settings.precedence)[["region_id", "source"]]
        frame = frame.merge(shown, on=["region_id", "source"], how="inner")
    return frame.sort_values(["source", "region_id", "date"]).reset_index(drop=True)


def load_metrics(
    regions: Iterable[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    all_sources: bool = False,
    settings: Settings | None = None,
    cori: CoriOptions | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Observations with every metric (:func:`~epicurves.compute_metrics`), for the regions.

    Metrics are computed on each region's whole series, then cut to ``start``/``end``, so a
    7-day window at the start of the range is complete.
    """
    with _reading(settings, snapshot) as (settings, pinned):
        frame = load_observations(
            regions, all_sources=all_sources, settings=settings, snapshot=pinned
        )
        table = load_regions(all_sources=True, settings=settings, snapshot=pinned)
    metrics = compute_metrics(frame, table, cori=cori)
    if start is not None:
        metrics = metrics[metrics["date"] >= pd.Timestamp(start)]
    if end is not None:
        metrics = metrics[metrics["date"] <= pd.Timestamp(end)]
    return metrics.reset_index(drop=True)


def load_summary(
    kind: str | None = None,
    *,
    all_sources: bool = False,
    historic: bool = False,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """One row per region (:func:`~epicurves.summarize`): totals, new cases last week,
    7-day incidence, trend and R on the region's last day, sorted by new cases last week.

    Historic regions (:mod:`epicurves.succession`: ended, covered by a successor) are left
    out unless ``historic``: their cases are counted in their successors'."""
    with _reading(settings, snapshot) as (settings, pinned):
        shown = load_regions(
            kind, all_sources=all_sources, settings=settings, snapshot=pinned
        )
        if not historic:
            shown = shown[~shown["region_id"].isin(list(SUCCESSIONS))]
        metrics = load_metrics(
            list(shown["region_id"]),
            all_sources=all_sources,
            settings=settings,
            snapshot=pinned,
        )
    summary = summarize(metrics, shown)
    summary = summary.merge(shown[["region_id", "source"]], on=["region_id", "source"])
    return summary.sort_values(
        "new_cases_last_week", ascending=False, na_position="last"
    ).reset_index(drop=True)

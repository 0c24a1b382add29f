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
import re
from collections.abc import Iterable, Iterator
from datetime import date

from .analysis import CoriOptions, compute_metrics, summarize
from .config import Settings
from .errors import EmptyStoreError, UnknownRegionError, UsageError
from .lazy import pd
from .model import KINDS, SIGNAL_COLUMNS, SIGNAL_KEY, pick_shown
from .releases import view
from .store import Snapshot, SourceMeta, Store
from .store.history import VALUES
from .succession import SUCCESSIONS

__all__ = [
    "SIGNAL_EXPORT_COLUMNS",
    "load_metrics",
    "load_observations",
    "load_regions",
    "load_signals",
    "load_summary",
    "reading",
]

#: The columns of :func:`load_signals` and of ``epicurves signals``, in this order.
#:
#: >>> SIGNAL_EXPORT_COLUMNS[:4]
#: ('region_id', 'name', 'signal', 'pathogen')
#: >>> load_signals(["DE"], ["sari"]).columns.tolist() == list(SIGNAL_EXPORT_COLUMNS)
#: True
SIGNAL_EXPORT_COLUMNS: tuple[str, ...] = (
    "region_id", "name", "signal", "pathogen", "resolution", "date", "value", "lo", "hi",
    "unit", "age_group", "estimate", "source", "vintage", "release",
)  # fmt: skip


@contextlib.contextmanager
def reading(
    settings: Settings | None, snapshot: Snapshot | None
) -> Iterator[tuple[Settings, Snapshot]]:
    """Settings and a pinned generation: ``snapshot`` if given, else one for this read."""
    settings = settings or Settings.from_env()
    with contextlib.ExitStack() as stack:
        if snapshot is None:
            snapshot = stack.enter_context(Store(settings.store_dir).snapshot())
        if not snapshot.sources():
            raise EmptyStoreError(settings.store_dir)
        yield settings, snapshot


def _check_known(wanted: Iterable[str], known: Iterable[str]) -> None:
    """A one-line :class:`UsageError` naming the first region of ``wanted`` not in ``known``."""
    ids = set(known)
    unknown = [r for r in wanted if r not in ids]
    if unknown:
        raise UnknownRegionError(unknown[0])


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

    >>> regions = load_regions(kind="country")
    >>> regions.query("region_id == 'DE'")[["region_id", "name", "kind", "source"]]
      region_id     name     kind source
    3        DE  Germany  country    rki
    >>> load_regions(all_sources=True).query("region_id == 'DE'")["source"].tolist()
    ['germany', 'jhu', 'rki']
    """
    if kind is not None and kind not in KINDS:
        msg = f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}"
        raise UsageError(msg)
    with reading(settings, snapshot) as (settings, pinned):
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

    >>> daily = load_observations(["DE"], start="2021-03-08", end="2021-03-10")
    >>> daily[["source", "region_id", "date", "new_cases"]]
      source region_id       date  new_cases
    0    rki        DE 2021-03-08      10000
    1    rki        DE 2021-03-09      10000
    2    rki        DE 2021-03-10      10000
    """
    wanted = None if regions is None else list(dict.fromkeys(regions))
    with reading(settings, snapshot) as (settings, pinned):
        table = pinned.load_regions()
        if wanted is not None:
            _check_known(wanted, table["region_id"])
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

    >>> metrics = load_metrics(["DE"], start="2021-03-10")
    >>> metrics[["region_id", "date", "new_cases_7d_sum", "incidence_7d"]]
      region_id       date  new_cases_7d_sum  incidence_7d
    0        DE 2021-03-10           70000.0     82.978851
    1        DE 2021-03-11           70000.0     82.978851
    2        DE 2021-03-12           70000.0     82.978851
    """
    with reading(settings, snapshot) as (settings, pinned):
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
    regions: Iterable[str] | None = None,
    all_sources: bool = False,
    historic: bool = False,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """One row per region (:func:`~epicurves.summarize`): totals, new cases last week,
    7-day incidence, trend and R on the region's last day, sorted by new cases last week.

    Historic regions (:mod:`epicurves.succession`: ended, covered by a successor) are left
    out unless ``historic`` or named in ``regions`` (only those regions then: a region's page
    and notebook show its row, :func:`epicurves.headline`).

    >>> table = load_summary(kind="country")
    >>> table[["region_id", "name", "new_cases_last_week", "incidence_7d"]].head(3)
      region_id           name  new_cases_last_week  incidence_7d
    0        US  United States              70000.0     21.246484
    1        DE        Germany              70000.0     82.978851
    2        KR    South Korea                700.0      1.365343
    >>> row = load_summary(regions=["DE"]).iloc[0]
    >>> row["name"], row["last_date"].date().isoformat(), headline(row)["total cases"]
    ('Germany', '2021-03-12', '210,000')
    """
    wanted = None if regions is None else list(regions)
    with reading(settings, snapshot) as (settings, pinned):
        shown = load_regions(
            kind, all_sources=all_sources, settings=settings, snapshot=pinned
        )
        if wanted is not None:
            _check_known(wanted, shown["region_id"])
            shown = shown[shown["region_id"].isin(wanted)]
        elif not historic:
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


def load_signals(
    regions: Iterable[str] | None = None,
    signals: Iterable[str] | None = None,
    *,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """Surveillance signals (wastewater, hospitalisation, weekly deaths, ...), one row per
    value, with the columns :data:`SIGNAL_EXPORT_COLUMNS`.

    ``regions`` and ``signals`` limit to those region ids and signal names (an id or name
    the store has no signal of is an error). ``name`` is the region's shown name, ``vintage``
    the last date of the signal in its source. ``date`` is as the source gives it: a day, or
    for weekly signals the day the source dates the week by (see :mod:`epicurves.model`).
    ``release`` is the upstream release a value comes from (sources with releases only).
    Sorted by region, signal, pathogen, age group, estimate and date.

    ``as_of`` (a date): the data as they were known on that day. A source with releases
    gives exactly what its newest release on or before that day said (before its first
    release: an error naming it); another source gives its current data up to that day,
    which is *not* what was known then where the source revises its past (``release``
    stays empty). ``vintage`` is then the last date known on that day.

    >>> sari = load_signals(["DE"], ["sari"])
    >>> sari.query("age_group == '00+'")[["region_id", "signal", "date", "value", "unit"]]
      region_id signal       date  value                  unit
    0        DE   sari 2021-03-01    6.7  per 100,000 per week
    1        DE   sari 2021-03-08    6.0  per 100,000 per week
    """
    wanted_regions = None if regions is None else list(dict.fromkeys(regions))
    wanted_signals = None if signals is None else list(dict.fromkeys(signals))
    with reading(settings, snapshot) as (settings, pinned):
        meta = pinned.meta()
        known_signals = {n for m in meta.values() for n in m.signals}
        if wanted_signals is not None:
            unknown = [s for s in wanted_signals if s not in known_signals]
            if unknown:
                msg = (
                    f"unknown signal {unknown[0]!r}: expected one of "
                    f"{', '.join(sorted(known_signals)) or 'none (no source of signals stored)'}"
                )
                raise UsageError(msg)
        if wanted_regions is not None:
            having = {r for d in pinned.signal_digests().values() for r in d}
            unknown = [r for r in wanted_regions if r not in having]
            if unknown:
                listed = ", ".join(sorted(having)[:20])
                msg = f"no signal for region {unknown[0]!r}: " + (
                    f"regions with signals are {listed}"
                    if having
                    else "the store holds no signals (run `epicurves update`)"
                )
                raise UsageError(msg)
        if as_of is None:
            frame = pinned.load_signals(regions=wanted_regions, signals=wanted_signals)
        else:
            frame = _signals_as_of(
                pinned, meta, _as_of_day(as_of), wanted_regions, wanted_signals
            )
        names = pick_shown(pinned.load_regions(), settings.precedence)
    vintages = {
        (source, name): info["vintage"]
        for source, m in meta.items()
        for name, info in m.signals.items()
    }
    frame["name"] = (
        frame["region_id"]
        .map(dict(zip(names["region_id"], names["name"], strict=True)))
        .astype("string")
    )
    if as_of is not None:  # what was known then, not the stored vintage
        last = frame.groupby(["source", "signal"], observed=True)["date"].max()
        pairs = last.reset_index()
        vintages = {
            (str(s), str(n)): f"{d:%Y-%m-%d}"
            for s, n, d in zip(
                pairs["source"], pairs["signal"], pairs["date"], strict=True
            )
        }
    # one lookup of each (source, signal) pair, not one per row (Arrow's strings are slow
    # to walk in Python: 1.2 s of 1.4 for the real data's 490,000 rows)
    source_codes, source_of = pd.factorize(frame["source"])
    signal_codes, signal_of = pd.factorize(frame["signal"])
    found = pd.array(
        [vintages.get((s, n)) for s in source_of for n in signal_of], dtype="string"
    )
    pair = source_codes * len(signal_of) + signal_codes
    pair[(source_codes < 0) | (signal_codes < 0)] = -1  # a missing name: no vintage
    vintage = found.take(pair, allow_fill=True)
    frame["vintage"] = pd.Series(vintage, index=frame.index, dtype="string")
    frame = frame.sort_values(
        ["region_id", "signal", "pathogen", "age_group", "estimate", "date"],
        kind="stable",
        ignore_index=True,
    )
    return frame[list(SIGNAL_EXPORT_COLUMNS)]


def _as_of_day(value: str | date) -> pd.Timestamp:
    """``as_of`` as a day: a ``date`` (or ``datetime``: its day, as written, whatever its
    time zone) or a text ``YYYY-MM-DD``; a one-line error for anything else."""
    if isinstance(value, date):  # datetime and pandas' Timestamp too
        return pd.Timestamp(value.year, value.month, value.day)
    day = None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):
            day = pd.to_datetime(value, format="%Y-%m-%d")
    if day is None or pd.isna(day):
        msg = f"as_of {value!r}: expected a date, YYYY-MM-DD"
        raise UsageError(msg)
    return pd.Timestamp(day)


def _signals_as_of(
    snapshot: Snapshot,
    meta: dict[str, SourceMeta],
    day: pd.Timestamp,
    regions: list[str] | None,
    signals: list[str] | None,
) -> pd.DataFrame:
    """The signals known on ``day``: each source with releases as its newest release on or
    before it said, the others cut at it."""
    parts = []
    for source, info in meta.items():
        if not info.signals or (
            signals is not None and not set(signals) & set(info.signals)
        ):
            continue
        if info.releases:
            history = snapshot.load_history(source, regions=regions, signals=signals)
            if history.empty:
                continue
            known = [r for r in info.releases if r <= f"{day:%Y-%m-%d}"]
            if not known:
                msg = (
                    f"{source} has no release on or before {day:%Y-%m-%d}: its first "
                    f"release is {info.releases[0]}"
                )
                raise UsageError(msg)
            parts.append(
                view(history, pd.Timestamp(known[-1]), list(SIGNAL_KEY), values=VALUES)
            )
        else:
            rows = snapshot.load_signals([source], regions=regions, signals=signals)
            parts.append(rows.loc[rows["date"] <= day])
    if not parts:
        return snapshot.load_signals([], regions=regions, signals=signals)
    return pd.concat(parts, ignore_index=True).astype(SIGNAL_COLUMNS)

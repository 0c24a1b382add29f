"""update(): fetch -> parse -> validate -> store, one source at a time, reporting what changed.

Each source is all-or-nothing: its files are fetched, parsed and validated before anything is
replaced, and an error in one source leaves its last good data (and every other source) intact.
Concurrent updates are serialised by a lock file in the home folder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import requests
from filelock import FileLock, Timeout

from .config import Settings
from .errors import EpicurvesError, LockError, NotInMirrorError, ValidationError
from .fetch import Fetched, Fetcher
from .model import REGION_COLUMNS, add_daily, validate_observations, validate_regions
from .sources import SOURCES, Source, get_source
from .store import SourceMeta, Store

__all__ = ["SourceReport", "UpdateReport", "select_sources", "update"]

log = logging.getLogger(__name__)

#: ``progress(source, step)`` is called as work goes on; ``step`` is a short phrase.
Progress = Callable[[str, str], None]

#: Steps of one source, for progress bars: fetch each file, parse, validate, store.
STEPS = ("fetch", "parse", "validate", "store")


@dataclass
class SourceReport:
    """What happened to one source in an update."""

    source: str
    status: str
    """``updated``, ``unchanged``, ``skipped`` (not in the mirror) or ``failed``."""
    message: str = ""
    rows: int = 0
    regions: int = 0
    vintage: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: BaseException | None = field(default=None, repr=False)
    """The exception behind a ``failed`` status, for callers that want its traceback."""


@dataclass
class UpdateReport:
    """What an update did, source by source."""

    sources: list[SourceReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceReport]:
        """The sources whose update failed (their last good data were kept)."""
        return [s for s in self.sources if s.status == "failed"]

    @property
    def changed(self) -> list[str]:
        """Names of the sources whose stored data changed."""
        return [s.source for s in self.sources if s.status == "updated"]


def select_sources(names: Iterable[str] | None) -> list[Source]:
    """The sources to update: those named, else every default source.

    >>> [s.name for s in select_sources(["nyt"])]
    ['nyt']
    """
    names = list(names or [])
    if names:
        return [get_source(n) for n in dict.fromkeys(names)]
    return [s for s in SOURCES.values() if s.default]


def _noop(source: str, step: str) -> None:
    return None


def update(
    settings: Settings,
    sources: Iterable[str] | None = None,
    *,
    force: bool = False,
    session: requests.Session | None = None,
    progress: Progress = _noop,
    lock_timeout: float = 600.0,
) -> UpdateReport:
    """Fetch, parse, validate and store the given sources (default: every default source).

    With a mirror, a default source whose files are not in the mirror is ``skipped``; a source
    named explicitly must be there. Unchanged upstream files (same SHA-256 as stored) are not
    parsed again unless ``force``. Errors of one source are reported in its
    :class:`SourceReport` (status ``failed``); its previous data stay in the store.
    """
    names = list(sources or [])
    chosen = select_sources(names)
    explicit = bool(names)
    settings.home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.home / "update.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        progress("", "waiting for another epicurves update to finish")
        try:
            lock.acquire(timeout=lock_timeout)
        except Timeout as exc:
            msg = (
                f"another update still holds {lock.lock_file} after {lock_timeout:g} s"
            )
            raise LockError(msg) from exc
    fetcher = Fetcher(settings, session)
    try:
        store = Store(settings.store_dir)
        store.manifest()  # an unreadable store stops here, before anything is fetched
        store.clean_temporary()
        report = UpdateReport()
        for source in chosen:
            report.sources.append(
                _update_one(source, store, fetcher, explicit, force, progress)
            )
        return report
    finally:
        fetcher.close()
        lock.release()


def _update_one(
    source: Source,
    store: Store,
    fetcher: Fetcher,
    explicit: bool,
    force: bool,
    progress: Progress,
) -> SourceReport:
    started = time.perf_counter()
    fetched: list[Fetched] = []
    try:
        for file in source.files:
            progress(source.name, f"fetch {file.name}")
            fetched.append(fetcher.fetch(source, file))
        previous = store.meta().get(source.name)
        hashes = {f.file.name: f.sha256 for f in fetched}
        if (
            not force
            and previous is not None
            and {k: v["sha256"] for k, v in previous.files.items()} == hashes
        ):
            for f in fetched:
                f.discard()
            return SourceReport(
                source.name,
                "unchanged",
                "",
                rows=previous.rows,
                regions=previous.regions,
                vintage=previous.vintage,
                seconds=time.perf_counter() - started,
            )
        progress(source.name, "parse")
        data = source.parse({f.file.name: f.path for f in fetched})
        progress(source.name, "validate")
        observations = add_daily(data.observations.assign(source=source.name))
        regions = data.regions.assign(source=source.name).astype(REGION_COLUMNS)
        regions = (
            regions[list(REGION_COLUMNS)]
            .sort_values("region_id")
            .reset_index(drop=True)
        )
        validate_observations(observations, source.name)
        validate_regions(regions, observations, source.name)
        if previous is not None and not force:
            _check_not_shrunk(source.name, previous, observations, regions)
        progress(source.name, "store")
        meta = SourceMeta(
            source=source.name,
            files={
                f.file.name: {
                    "url": f.origin,
                    "sha256": f.sha256,
                    "retrieved_at": f.retrieved_at.isoformat(timespec="seconds"),
                }
                for f in fetched
            },
            updated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            first_date=str(observations["date"].min().date()),
            vintage=str(observations["date"].max().date()),
            rows=len(observations),
            regions=len(regions),
            notes=list(data.notes),
        )
        store.write(meta, observations, regions)
        for note in data.notes:
            log.info("%s: %s", source.name, note)
        for f in fetched:
            f.commit()
        return SourceReport(
            source.name,
            "updated",
            rows=meta.rows,
            regions=meta.regions,
            vintage=meta.vintage,
            seconds=time.perf_counter() - started,
            notes=list(data.notes),
        )
    except NotInMirrorError as exc:
        for f in fetched:
            f.discard()
        if not explicit:
            msg = f"not in the mirror: {exc.file}"
            return SourceReport(
                source.name, "skipped", msg, seconds=time.perf_counter() - started
            )
        return _failed(source, store, exc, started)
    except EpicurvesError as exc:
        for f in fetched:
            f.discard()
        return _failed(source, store, exc, started)
    except BaseException:
        for f in fetched:
            f.discard()
        raise


#: An update may not lose more than this share of a source's rows or regions without --force.
MAX_SHRINK = 0.1


def _check_not_shrunk(
    name: str, previous: SourceMeta, observations: pd.DataFrame, regions: pd.DataFrame
) -> None:
    """Refuse new data that end earlier, or hold far fewer rows or regions, than the stored:
    a truncated or rolled-back upstream file must not replace good data silently."""
    vintage = str(observations["date"].max().date())
    problems = []
    if vintage < previous.vintage:
        problems.append(
            f"its data end on {vintage}, before the stored {previous.vintage}"
        )
    if len(observations) < (1 - MAX_SHRINK) * previous.rows:
        problems.append(f"{len(observations):,} rows instead of {previous.rows:,}")
    if len(regions) < (1 - MAX_SHRINK) * previous.regions:
        problems.append(f"{len(regions):,} regions instead of {previous.regions:,}")
    if problems:
        msg = (
            "the new files look truncated or rolled back: "
            + "; ".join(problems)
            + " (update --force stores them anyway)"
        )
        raise ValidationError(msg, source=name)


def _failed(
    source: Source, store: Store, exc: EpicurvesError, started: float
) -> SourceReport:
    kept = store.meta().get(source.name)
    suffix = (
        f" (kept the last good data, vintage {kept.vintage})"
        if kept is not None
        else " (nothing stored for this source)"
    )
    return SourceReport(
        source.name,
        "failed",
        str(exc) + suffix,
        seconds=time.perf_counter() - started,
        error=exc,
    )

"""update(): fetch -> parse -> validate -> stage, source by source, then one commit and a change set.

Each source is all-or-nothing: its files are fetched, parsed and validated before anything is
staged, and an error in one source leaves its last good data (and every other source) intact.
The sources that changed go into one new store generation; the report says which regions
changed. Concurrent updates are serialised by a lock file in the home folder.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .changes import ChangeSet, RegionState, diff, region_states
from .config import Settings
from .errors import (
    EpicurvesError,
    NotInMirrorError,
    ValidationError,
)
from .fetch import Fetched, Fetcher
from .lazy import pd
from .locks import acquire, writing
from .model import (
    REGION_COLUMNS,
    add_daily,
    empty_observations,
    tidy_signals,
)
from .rules import validate_observations, validate_regions, validate_signals
from .sources import SOURCES, Source, get_source, parser_fingerprint
from .store import SourceMeta, StagedSource, Store, read_regions, read_signals
from .store.history import Merged, merge_history

__all__ = [
    "SourceReport",
    "UpdateReport",
    "select_sources",
    "update",
]

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

#: ``progress(source, step)`` is called as work goes on; ``step`` is a short phrase.
Progress = Callable[[str, str], None]

#: Steps of one source, for progress bars: fetch each file, parse, validate, store.
STEPS = ("fetch", "parse", "validate", "store")


@dataclass
class SourceReport:
    """What happened to one source in an update.

    >>> update(Settings.from_env(), ["rki"]).sources[0].status  # nothing new upstream
    'unchanged'
    """

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
    """What an update did, source by source, and which regions it changed.

    >>> update(Settings.from_env()).changed  # no source's data changed upstream
    []
    """

    sources: list[SourceReport] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=lambda: ChangeSet(0, 0))
    """The regions whose shown data or description changed, from ``changes.base`` (the store
    generation the update started on) to ``changes.generation`` (the one it committed)."""

    @property
    def failed(self) -> list[SourceReport]:
        """The sources whose update failed (their last good data were kept)."""
        return [s for s in self.sources if s.status == "failed"]

    @property
    def changed(self) -> list[str]:
        """Names of the sources whose stored data changed."""
        return [s.source for s in self.sources if s.status == "updated"]

    @property
    def generation(self) -> int:
        """The store generation after the update."""
        return self.changes.generation


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
    :class:`SourceReport` (status ``failed``); its previous data stay in the store. Every
    source that changed goes into one new store generation, committed at the end; the report's
    ``changes`` says which regions that changed.

    >>> [(s.source, s.status) for s in update(Settings.from_env(), ["rki", "nyt"]).sources]
    [('rki', 'unchanged'), ('nyt', 'unchanged')]
    """
    names = list(sources or [])
    chosen = select_sources(names)
    explicit = bool(names)
    progress = _serialised(progress)  # sources are updated by several threads
    with writing(settings.home):
        lock = acquire(
            settings.home / "update.lock",
            holder="another update",
            timeout=lock_timeout,
            on_wait=lambda: progress(
                "", "waiting for another epicurves update to finish"
            ),
        )
    fetcher = Fetcher(settings, session)
    try:
        store = Store(settings.store_dir)
        # An unreadable store stops here, before anything is fetched.
        manifest = store.manifest()
        store.clean_temporary()
        store.collect_garbage()
        base = int(manifest.get("generation", 0))
        previous = {
            name: SourceMeta.from_dict(entry["meta"])
            for name, entry in manifest["sources"].items()
        }
        # Stored by epicurves 0.1, without digests: parsed again to have them.
        digested = {n for n, e in manifest["sources"].items() if "digests" in e}
        report = UpdateReport(changes=ChangeSet(base, base))
        staged: list[StagedSource] = []
        try:
            done = _update_each(
                [(s, previous.get(s.name), _reparse(s.name, previous, digested)) for s in chosen],
                lambda source, meta, reparse: _update_one(
                    source, meta, store, fetcher, explicit, force, progress, reparse=reparse
                ),
                staged,
            )  # fmt: skip
            for item, stage in done:
                report.sources.append(item)
                if stage is not None:
                    staged.append(stage)
            before = _states(store, manifest, settings) if staged else {}
        except BaseException:
            store.discard(staged)  # nothing was committed: the staged files go
            raise
        if staged:
            progress("", "commit")
            generation = store.commit(staged)  # cleans up after itself if it fails
            committed = store.manifest()
            after = _states(store, committed, settings)
            report.changes = replace(
                diff(before, after, base=base, generation=generation),
                store=str(committed.get("store", "")),
                precedence=tuple(settings.precedence),
                states=after,
            )
        store.record_checks(_checks(report))
        return report
    finally:
        fetcher.close()
        lock.release()


#: Sources updated at once, at most (threads: parsing spends most of its time in Arrow,
#: NumPy, pandas and zlib code that lets the other threads run).
MAX_THREADS = 2

_Work = tuple[Source, SourceMeta | None, bool]
_Done = tuple[SourceReport, StagedSource | None]


def _update_each(
    work: list[_Work],
    update_one: Callable[[Source, SourceMeta | None, bool], _Done],
    staged: list[StagedSource],
) -> list[_Done]:
    """``update_one`` of each source (with its stored metadata and whether to parse it
    again), by up to :data:`MAX_THREADS` threads (the largest stored sources first), in the
    sources' order. Should one raise, the others finish first, and what they staged is put in
    ``staged`` (for the caller to discard)."""
    from concurrent.futures import ThreadPoolExecutor

    threads = min(MAX_THREADS, len(work), os.cpu_count() or 1)
    if threads <= 1:
        return [update_one(*item) for item in work]
    order = sorted(range(len(work)), key=lambda i: -_rows(work[i][1]))
    with ThreadPoolExecutor(threads, thread_name_prefix="epicurves-update") as pool:
        futures = {i: pool.submit(update_one, *work[i]) for i in order}
    results: list[_Done] = []
    failure: BaseException | None = None
    for i in range(len(work)):
        try:
            results.append(futures[i].result())
        except BaseException as exc:  # re-raised once the others' files are known
            failure = failure or exc
    if failure is not None:
        staged.extend(stage for _, stage in results if stage is not None)
        raise failure
    return results


def _rows(meta: SourceMeta | None) -> int:
    return 0 if meta is None else meta.rows


def _serialised(progress: Progress) -> Progress:
    """``progress``, called by one thread at a time."""
    lock = threading.Lock()

    def call(source: str, step: str) -> None:
        with lock:
            progress(source, step)

    return call


def _states(
    store: Store, manifest: dict[str, Any], settings: Settings
) -> dict[str, RegionState]:
    """The state of every region in the generation ``manifest`` describes."""
    entries = manifest["sources"]
    files = [store.root / entry["regions"] for entry in entries.values()]
    digests = {name: e["digests"] for name, e in entries.items() if "digests" in e}
    signals = {
        n: e.get("signal_digests", {}) for n, e in entries.items() if "signals" in e
    }
    return region_states(read_regions(files), digests, settings.precedence, signals)


def _checks(report: UpdateReport) -> dict[str, dict[str, str]]:
    """What to record of each source's check: when it last answered, and how the last try went."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    out = {}
    for item in report.sources:
        record = {"status": item.status, "attempted_at": now, "message": item.message}
        if item.status in ("updated", "unchanged"):
            record["checked_at"] = now
        out[item.source] = record
    return out


def _reparse(name: str, previous: dict[str, SourceMeta], digested: set[str]) -> bool:
    """Whether unchanged files of a source are parsed again: stored without digests (by
    epicurves 0.1), or by other parsing code (:func:`~epicurves.sources.parser_fingerprint`)."""
    old = previous.get(name)
    if old is None:
        return False
    return name not in digested or old.parser != parser_fingerprint(name)


def _update_one(
    source: Source,
    previous: SourceMeta | None,
    store: Store,
    fetcher: Fetcher,
    explicit: bool,
    force: bool,
    progress: Progress,
    *,
    reparse: bool = False,
) -> tuple[SourceReport, StagedSource | None]:
    started = time.perf_counter()
    fetched: list[Fetched] = []
    try:
        for file in source.files:
            progress(source.name, f"fetch {file.name}")
            fetched.append(fetcher.fetch(source, file))
        hashes = {f.file.name: f.sha256 for f in fetched}
        if (
            not (force or reparse)
            and previous is not None
            and {k: v["sha256"] for k, v in previous.files.items()} == hashes
        ):
            for f in fetched:
                f.discard()
            unchanged = SourceReport(
                source.name,
                "unchanged",
                "",
                rows=previous.rows,
                regions=previous.regions,
                vintage=previous.vintage,
                seconds=time.perf_counter() - started,
            )
            return unchanged, None
        progress(source.name, "parse")
        data = source.parse({f.file.name: f.path for f in fetched})
        progress(source.name, "validate")
        signals_only = bool(source.signals) and data.observations.empty
        observations = (
            empty_observations()
            if signals_only
            else add_daily(data.observations.assign(source=source.name))
        )
        regions = data.regions.assign(source=source.name).astype(REGION_COLUMNS)
        regions = (
            regions[list(REGION_COLUMNS)]
            .sort_values("region_id")
            .reset_index(drop=True)
        )
        signals = None
        try:
            if not signals_only:
                validate_observations(observations, source.name)
            validate_regions(regions, observations, source.name)
            if source.signals:
                if data.signals is None:
                    msg = "the parser gave no signals: expected the declared ones"
                    raise ValidationError(msg, source=source.name)
                signals = tidy_signals(
                    data.signals, source.name, source.signals, history=source.releases
                )
                validate_signals(
                    signals, source.name, source.signals, history=source.releases
                )
        except ValidationError as exc:
            # the rules see the tidy tables; the message names the files they came from
            raise exc.in_files(", ".join(f.file.name for f in fetched)) from exc
        merged = None
        if source.releases and signals is not None:
            progress(source.name, "releases")
            merged = _merge_releases(
                source, previous, store, signals, fetched, force, data.releases
            )
            signals = merged.latest
            data.notes.extend(merged.notes)
        dates = pd.concat(
            [observations["date"], *([] if signals is None else [signals["date"]])]
        )
        rows = len(observations) + (0 if signals is None else len(signals))
        n_regions = len(regions) or (
            0 if signals is None else signals["region_id"].nunique()
        )
        summary = {} if signals is None else _signal_summary(signals)
        if previous is not None and not force:
            _check_not_shrunk(source.name, previous, dates, rows, n_regions, summary)
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
            first_date=str(dates.min().date()),
            vintage=str(dates.max().date()),
            rows=rows,
            parser=parser_fingerprint(source.name),
            regions=n_regions,
            notes=list(data.notes),
            signals=summary,
        )
        if merged is not None:
            meta.releases, meta.replaced = merged.releases, merged.replaced
        staged = store.stage(
            meta, observations, regions, signals,
            history=None if merged is None else merged.history,
            reuse=() if merged is None else merged.reuse,
        )  # fmt: skip
        del observations, regions, data, signals
        for note in meta.notes:
            log.info("%s: %s", source.name, note)
        for f in fetched:
            f.commit()
        updated = SourceReport(
            source.name,
            "updated",
            rows=meta.rows,
            regions=meta.regions,
            vintage=meta.vintage,
            seconds=time.perf_counter() - started,
            notes=list(meta.notes),
        )
        return updated, staged
    except NotInMirrorError as exc:
        for f in fetched:
            f.discard()
        if not explicit:
            msg = f"not in the mirror: {exc.file}"
            skipped = SourceReport(
                source.name, "skipped", msg, seconds=time.perf_counter() - started
            )
            return skipped, None
        return _failed(source, previous, exc, started), None
    except EpicurvesError as exc:
        for f in fetched:
            f.discard()
        return _failed(source, previous, exc, started), None
    except BaseException:
        for f in fetched:
            f.discard()
        raise


def _merge_releases(
    source: Source,
    previous: SourceMeta | None,
    store: Store,
    history: pd.DataFrame,
    fetched: list[Fetched],
    force: bool,
    listed: Sequence[pd.Timestamp] = (),
) -> Merged:
    """The parsed history of a source with releases merged with the stored one
    (:func:`~epicurves.store.history.merge_history`)."""
    entry = store.manifest()["sources"].get(source.name, {})
    names = tuple(entry.get("releases", ()))
    stored = read_signals([store.root / n for n in names]) if names else None
    # Its first file holds the releases: while its bytes stay, a difference is ours (new
    # parsing code, or a new population table), not a release published again.
    first = source.files[0].name
    same_bytes = previous is not None and previous.files.get(first, {}).get(
        "sha256"
    ) == next(f.sha256 for f in fetched if f.file.name == first)
    return merge_history(
        history.iloc[0:0] if stored is None else stored,
        names,
        history,
        source=source.name,
        files=first,
        force=force,
        same_bytes=same_bytes,
        replaced=[] if previous is None else previous.replaced,
        derived=[s.name for s in source.signals if s.derived],
        listed=listed,
        kept=[] if previous is None else previous.releases,
    )


#: An update may not lose more than this share of a source's rows or regions without --force.
MAX_SHRINK = 0.1


def _signal_summary(signals: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each signal's first and last date, rows and regions, and each region's last date
    (``region_vintages``), for the source's metadata."""
    out = {}
    for name, rows in signals.groupby("signal", sort=True, observed=True):
        last = rows.groupby("region_id", observed=True)["date"].max()
        out[str(name)] = {
            "first_date": str(rows["date"].min().date()),
            "vintage": str(rows["date"].max().date()),
            "rows": len(rows),
            "regions": int(rows["region_id"].nunique()),
            "region_vintages": {str(r): str(d.date()) for r, d in last.items()},
        }
    return out


def _check_not_shrunk(
    name: str,
    previous: SourceMeta,
    dates: pd.Series,
    rows: int,
    regions: int,
    signals: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Refuse new data that end earlier, or hold far fewer rows or regions, than the stored:
    a truncated or rolled-back upstream file must not replace good data silently. The same
    holds for each signal on its own (``signals``: :func:`_signal_summary` of the new data),
    so that one file of a source rolled back is not hidden by the other."""
    vintage = str(dates.max().date())
    problems = []
    if vintage < previous.vintage:
        problems.append(
            f"its data end on {vintage}, before the stored {previous.vintage}"
        )
    if rows < (1 - MAX_SHRINK) * previous.rows:
        problems.append(f"{rows:,} rows instead of {previous.rows:,}")
    if regions < (1 - MAX_SHRINK) * previous.regions:
        problems.append(f"{regions:,} regions instead of {previous.regions:,}")
    for signal, old in sorted(previous.signals.items()):
        new = (signals or {}).get(signal)
        if new is None:
            problems.append(f"signal {signal} is gone")
            continue
        if new["vintage"] < old["vintage"]:
            problems.append(
                f"signal {signal} ends on {new['vintage']}, before the stored {old['vintage']}"
            )
        ends = new.get("region_vintages", {})
        for region, stored in sorted(old.get("region_vintages", {}).items()):
            if region in ends and ends[region] < stored:
                problems.append(
                    f"signal {signal} of {region} ends on {ends[region]}, "
                    f"before the stored {stored}"
                )
                break
        if new["rows"] < (1 - MAX_SHRINK) * old["rows"]:
            problems.append(
                f"signal {signal} has {new['rows']:,} values instead of {old['rows']:,}"
            )
        if new["regions"] < old["regions"]:
            problems.append(
                f"signal {signal} covers {new['regions']} regions instead of {old['regions']}"
            )
    if problems:
        msg = (
            "the new files look truncated or rolled back: "
            + "; ".join(problems)
            + " (update --force stores them anyway)"
        )
        raise ValidationError(msg, source=name)


def _failed(
    source: Source, kept: SourceMeta | None, exc: EpicurvesError, started: float
) -> SourceReport:
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

"""Build the static site from one store generation, rewriting only what the dependency graph says.

A build pins the store's current generation (:meth:`epicurves.Store.snapshot`), compares it with
what the published site was built from (:class:`~.publish.BuildState`), and decides which files
that touches (:mod:`.decide`, by the graph of :mod:`.graph`). The regions to render are cut into
chunks (:mod:`.jobs`) that an executor (:mod:`epicurves.executor`: inline, a local process pool
or Dask) runs through the pure :func:`~.render.render_chunk`; tables, the compare page, the maps,
the home page and ``status.json`` are rendered here from every region's summary. The new
generation folder gets hard links to the unchanged files of the published one and is switched in
at once (:mod:`.publish`). A change of the code, the templates or the settings makes a full
build (:mod:`.fingerprint`); so does ``full=True``.

Only the home page and ``status.json`` hold the build time and the sources' freshness: the same
store gives the same bytes in every other file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..changes import ChangeSet, RegionState, region_states
from ..config import Settings, binder_problem, docs_problem
from ..errors import BuildError, EmptyStoreError, UsageError
from ..executor import Executor, make_executor
from ..files import remove_stale, write_atomic
from ..forecast.summary import load_summary, summary_digest
from ..freshness import freshness
from ..store import Snapshot, Store
from .assets import asset_names, write_assets
from .collections import SiteView, compare_page, home_files, table_pages
from .decide import (
    DEFAULT_THRESHOLD,
    newest_dates,
    plan_build,
    provisional_moved,
    reuses_states,
    starting_point,
)
from .fingerprint import fingerprint
from .forecasts import forecast_files, forecasts_changed, published_files
from .graph import ALWAYS, Plan, region_paths
from .jobs import MapJob, chunk_jobs, render_map
from .maps import MAPS
from .pages import NAV
from .publish import (
    MARKER,
    BuildState,
    SiteFolder,
    carry,
    put_file,
    signal_charts,
)
from .render import ChunkResult, write_chunk
from .today import today_cards, today_rows

__all__ = ["PRELOAD", "BuildReport", "build_site"]

#: Modules a process pool's workers start with (imported once by the fork server): pandas and
#: Arrow's readers too, which epicurves' modules import on first use (:mod:`epicurves.lazy`).
PRELOAD = (
    "pandas", "pyarrow.parquet", "pyarrow.dataset", "scipy.special", "epicurves.site.render",
    "epicurves.site.jobs",
)  # fmt: skip


@dataclass
class BuildReport:
    """What a build did and how long it took."""

    out: Path
    region_pages: int
    """Region pages written (rendered) by this build."""
    pages: int
    """HTML pages written by this build."""
    seconds: float
    region_seconds: float
    """Wall time spent on the regions' files."""
    full: bool = True
    reason: str = ""
    """Why the build was full, or what it rebuilt."""
    files_written: int = 0
    """Files written by this build (the rest are hard links to the previous generation)."""
    files_total: int = 0
    generation: int = 0
    store_generation: int = 0
    executor: str = "inline"
    warnings: tuple[str, ...] = ()
    """Staleness and failed-update warnings shown on the home page."""


# -- the build ---------------------------------------------------------------------------------
def build_site(
    settings: Settings,
    out: Path,
    *,
    threshold: float | None = None,
    full: bool = False,
    changes: ChangeSet | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] = lambda step: None,
    now: datetime | None = None,
    refresh: Callable[[], object] | None = None,
) -> BuildReport:
    """Build the site into ``out`` from the store, incrementally unless ``full``.

    ``threshold``: the 7-day incidence per 100,000 at or above which the incidence tables
    highlight a row (default: the published site's, else 50); a new one rewrites those tables
    only. ``changes`` (what :func:`epicurves.update` just changed) saves comparing the store
    with the published site when it starts from the generation that site was built from.
    ``workers`` and ``scheduler`` choose the executor
    (:func:`epicurves.executor.make_executor`), unless an ``executor`` is given (the caller
    closes it). A failed build leaves the published site as it was and raises
    :class:`~epicurves.BuildError`. ``refresh``: work that may change the stored forecasts
    (the daily run's :func:`~epicurves.forecast.runs.refresh_backtest`), done while the workers
    render the regions' pages (first, if there are none), before the forecasts are read; an
    error it raises fails the build. Binder settings that could not make a link
    (``settings.binder_repo`` not ``owner/name``, say) are a :class:`~epicurves.UsageError`,
    before anything is read or written.
    """
    started = time.perf_counter()
    problem = binder_problem(settings.binder_repo, settings.binder_ref) or docs_problem(
        settings.docs_url
    )
    if problem is not None:
        raise UsageError(problem)
    site = SiteFolder(Path(out))
    site.check()
    with Store(settings.store_dir).snapshot() as snapshot:
        if not snapshot.sources():
            raise EmptyStoreError(settings.store_dir)
        lock = site.lock()
        try:
            builder = _Builder(settings, site, snapshot, progress)
            report = builder.run(
                threshold=threshold,
                full=full,
                changes=changes,
                workers=workers,
                scheduler=scheduler or settings.scheduler,
                executor=executor,
                now=now or datetime.now(UTC),
                refresh=refresh,
            )
        finally:
            lock.release()
    report.seconds = time.perf_counter() - started
    return report


class _Builder:
    """One build: the pinned generation, the published site, and what is being written."""

    def __init__(
        self,
        settings: Settings,
        site: SiteFolder,
        snapshot: Snapshot,
        progress: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.site = site
        self.snapshot = snapshot
        self.progress = progress
        self.threshold = DEFAULT_THRESHOLD
        self.folder = Path()
        self.old: Path | None = None
        self.written: set[str] = set()
        self.dropped: set[str] = set()  # files of regions left without observations
        self.today: dict[str, Any] = {}  # the home page's "today" cards, and their keys
        # source/signal -> its newest date; the regions counting provisional weeks from one
        # that moved since the published build (:func:`.decide.provisional_moved`)
        self.newest: dict[str, str] = {}
        self.provisional: frozenset[str] = frozenset()
        self.mark = fingerprint(settings.precedence, settings.binder, settings.docs_url)

    # -- deciding what to build --------------------------------------------------------------------
    def _decide(
        self, threshold: float | None, full: bool, changes: ChangeSet | None
    ) -> tuple[BuildState | None, dict[str, RegionState], Plan, str]:
        snapshot = self.snapshot
        published = self.site.state()
        if threshold is None:
            threshold = DEFAULT_THRESHOLD if published is None else published.threshold
        self.threshold = threshold
        previous, reason = starting_point(published, full=full, fingerprint=self.mark)
        known = None if changes is None else changes.states_of(
            snapshot.store_id, snapshot.generation, self.settings.precedence
        )  # fmt: skip
        if previous is not None and reuses_states(
            previous, snapshot.store_id, snapshot.generation
        ):
            states = dict(previous.regions)
        elif known is not None:  # what the update found
            states = dict(known)
        else:
            self.progress("read the regions")
            states = region_states(
                snapshot.load_regions(),
                snapshot.digests(),
                self.settings.precedence,
                snapshot.signal_digests(),
            )
        self.newest = newest_dates(snapshot.meta())
        if previous is not None:
            digests = snapshot.signal_digests()
            self.provisional = provisional_moved(previous, self.newest, digests)
        graph_plan, why = plan_build(
            previous, states, changes, store_id=snapshot.store_id,
            generation=snapshot.generation, threshold=threshold,
            provisional=self.provisional,
        )  # fmt: skip
        return previous, states, graph_plan, why or reason

    def run(
        self,
        *,
        threshold: float | None,
        full: bool,
        changes: ChangeSet | None,
        workers: int | None,
        scheduler: str | None,
        executor: Executor | None,
        now: datetime,
        refresh: Callable[[], object] | None,
    ) -> BuildReport:
        previous, states, graph_plan, reason = self._decide(threshold, full, changes)
        if (
            refresh is not None
            and previous is not None
            and graph_plan.files() == set(ALWAYS)
        ):
            try:
                refresh()  # no pages to render meanwhile
            except Exception as exc:
                raise self._failed(exc) from exc
            refresh = None
        digest = summary_digest(self.settings)  # the summaries are read if it changed

        def fresh(digest: str) -> bool:
            return previous is None or forecasts_changed(
                previous.regions, previous.forecasts, states, digest
            )

        fresh_forecasts = refresh is not None or fresh(digest)
        if previous is not None and graph_plan.files() == set(ALWAYS):
            if not fresh_forecasts:
                kept = replace(previous, regions=dict(states), newest=self.newest)
                return self._touch(kept, now, reason)
            reason = (reason + "; " if reason else "") + "new forecasts"
        number = self.site.next_number()
        self.old = None if previous is None else self.site.current()
        planned = graph_plan.files() | graph_plan.delete
        recycled = self.site.recycle(previous, self.old, planned)
        self.folder = self.site.start() if recycled is None else recycled.folder
        collecting = self.site.collect_older(self.folder)
        try:
            assets = asset_names() if previous is None else previous.assets
            common = self._common(assets)
            summaries = {} if previous is None else dict(previous.summaries)
            weekly = {} if previous is None else dict(previous.weekly)
            charts = (
                {}
                if previous is None
                else signal_charts(previous, states, self.provisional)
            )
            own = executor is None
            if executor is None:
                executor = make_executor(
                    len(graph_plan.regions),
                    scheduler=scheduler,
                    workers=workers,
                    preload=PRELOAD,
                )
            try:
                found: list[str] = []  # the forecasts' digest as read, when written

                def forecasts() -> None:  # while the workers render the regions
                    if refresh is not None:
                        self.progress("forecasts")
                        refresh()
                        if not fresh(stored := summary_digest(self.settings)):
                            found.append(stored)  # the published files are carried on
                            return
                    found.append(self._forecasts(states, common))

                started = time.perf_counter()
                self._regions(
                    states, graph_plan, common, (summaries, weekly, charts), executor,
                    meanwhile=forecasts if fresh_forecasts else None,
                )  # fmt: skip
                region_seconds = time.perf_counter() - started
                digest = found[0] if found else digest  # a backtest may end meanwhile
                for region_id in graph_plan.removed:
                    summaries.pop(region_id, None)
                    weekly.pop(region_id, None)
                    charts.pop(region_id, None)
                self.progress("tables and home page")
                view = SiteView(states, summaries, weekly)
                # The maps on the workers while this process links the unchanged files
                # (a tenth of a second for a whole site; in a thread beside the pages below
                # it took twice as long, each link waiting for the GIL) and writes the other
                # pages; the linking skips every file written from here on.
                maps = executor.map_unordered(
                    render_map, self._map_jobs(graph_plan, view, common)
                )
                skip = self._skip(graph_plan, {*graph_plan.collections, *ALWAYS})
                linked = carry(self.old, self.folder, skip, recycled, self.written)
                self._collections(graph_plan, view, common)
                warnings = self._home(
                    view, common, now, number,
                    cached=None if previous is None else previous.today,
                )  # fmt: skip
                for path, data in maps:
                    self._put(path, data)
            finally:
                if own:
                    executor.close()
            engine = executor.name
            # a recycled folder's files are counted: what it held is not tracked file by file
            total = (
                self.site.count(self.folder) if recycled else len(self.written) + linked
            )
            state = BuildState(
                generation=number,
                fingerprint=self.mark,
                store_id=self.snapshot.store_id,
                store_generation=self.snapshot.generation,
                assets=assets,
                regions=dict(states),
                summaries=summaries,
                weekly=weekly,
                threshold=self.threshold,
                signal_charts=charts,
                today=self.today,
                forecasts=digest,
                base=None if previous is None else previous.generation,
                touched=None if previous is None else sorted(skip | self.written),
                files=total,
                newest=self.newest,
            )
            collecting.join()
            self.site.publish(self.folder, state)
        except BaseException as exc:
            collecting.join()
            self.site.discard(self.folder)
            if isinstance(exc, Exception):
                raise self._failed(exc) from exc
            raise
        return BuildReport(
            out=self.site.out,
            region_pages=sum(1 for p in self.written if p.startswith("region/")),
            pages=sum(1 for p in self.written if p.endswith(".html")),
            seconds=0.0,
            region_seconds=region_seconds,
            full=previous is None,
            reason=reason,
            files_written=len(self.written),
            files_total=total,
            generation=number,
            store_generation=self.snapshot.generation,
            executor=engine,
            warnings=warnings,
        )

    def _common(self, assets: dict[str, Any]) -> dict[str, Any]:
        """The template context of every page: navigation, asset names, version, and the
        Binder repository and ref the "Open on Binder" links point into (None: no links)."""
        return {
            "nav": NAV,
            "assets": assets,
            "version": __version__,
            "binder": self.settings.binder,
            "docs": self.settings.docs_url,
        }

    def _failed(self, exc: Exception) -> BuildError:
        kept = self.site.generation()
        where = (
            f"the last good site ({self.site.out}) is kept"
            if kept is not None
            else "no site was written"
        )
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return BuildError(f"the build failed ({detail}); {where}", kept=kept)

    def _touch(self, previous: BuildState, now: datetime, reason: str) -> BuildReport:
        """Nothing to rebuild: only the home page and ``status.json`` are replaced, one by one
        with ``os.replace`` in the published generation (each is whole, old or new)."""
        folder = self.site.current()
        assert folder is not None  # a state exists only for a published site
        self.folder = folder
        common = self._common(previous.assets)
        view = SiteView(previous.regions, previous.summaries, previous.weekly)
        try:
            warnings = self._home(
                view, common, now, previous.generation, in_place=True,
                cached=previous.today,
            )  # fmt: skip
            store, generation = self.snapshot.store_id, self.snapshot.generation
            # New files upstream, the same data: remember which generation this shows.
            shown = replace(
                previous, store_id=store, store_generation=generation, today=self.today
            )
            if shown != previous:
                self.site.save_state(shown)
        except Exception as exc:
            raise self._failed(exc) from exc
        return BuildReport(
            out=self.site.out, region_pages=0, pages=1, seconds=0.0, region_seconds=0.0,
            full=False, reason=reason, files_written=len(self.written),
            files_total=self.site.count(folder),
            generation=previous.generation, store_generation=self.snapshot.generation,
            executor="none", warnings=warnings,
        )  # fmt: skip

    def _regions(
        self,
        states: Mapping[str, RegionState],
        graph_plan: Plan,
        common: dict[str, Any],
        into: tuple[
            dict[str, dict[str, Any]],
            dict[str, list[float | None]],
            dict[str, list[dict[str, Any]]],
        ],
        executor: Executor,
        meanwhile: Callable[[], None] | None = None,
    ) -> None:
        """Render the planned regions' files on ``executor`` (and meanwhile, here, the assets
        and articles of a full build, then ``meanwhile``); collect their summaries, weekly
        sums and signal charts ``into`` (whose signal charts are also those a page reuses)."""
        snapshot = self.snapshot
        sources = snapshot.sources()
        observations = snapshot.files("observations", sources)
        digests = snapshot.signal_digests()
        with_signals = sorted(digests)
        signals = {  # (a store of epicurves 0.1 has no digests: all regions, perhaps)
            str(path): frozenset(digests[name]) if digests[name] else None
            for name, path in zip(
                with_signals, snapshot.files("signals", with_signals), strict=True
            )
        }
        jobs = chunk_jobs(
            states,
            graph_plan,
            observations={
                s: str(p) for s, p in zip(sources, observations, strict=True)
            },
            signals=signals,
            days={n: m.rows / max(m.regions, 1) for n, m in snapshot.meta().items()},
            workers=executor.workers,
            common=common,
            out=str(self.folder),
            old=None if self.old is None else str(self.old),
            charts=into[2],
            newest=self.newest,
        )
        rendering = f"render {len(graph_plan.regions)} regions ({executor.name})"
        self.progress(rendering)
        results = executor.map_unordered(write_chunk, jobs)
        if graph_plan.full:  # while the workers render
            self.progress("assets and articles")
            static = self.folder / "static"
            cache = self.settings.layout_cache
            for name in write_assets(static, common["assets"], cache):
                self.written.add(f"static/{name}")
            from .articles import article_files  # full builds only: Markdown

            for path, data in article_files(common):
                self._put(path, data)
        if meanwhile is not None:
            meanwhile()
        self.progress(rendering)  # what is left: waiting for the workers
        for result in results:
            self._take(result, *into)

    def _forecasts(
        self, states: Mapping[str, RegionState], common: dict[str, Any]
    ) -> str:
        """Write the forecasts folder anew (a region gone takes its files along); the digest
        of the stored forecasts as read."""
        self.progress("forecasts")
        self.dropped.update(published_files(self.old))
        snapshot = self.snapshot

        def load(regions: list[str], names: list[str]) -> Any:
            return snapshot.load_signals(regions=regions, signals=names)

        forecasts = load_summary(self.settings)
        cache = self.settings.layout_cache
        for path, data in forecast_files(forecasts, states, common, load, cache):
            self._put(path, data)
        return forecasts.digest

    def _take(
        self,
        result: ChunkResult,
        summaries: dict[str, dict[str, Any]],
        weekly: dict[str, list[float | None]],
        charts: dict[str, list[dict[str, Any]]],
    ) -> None:
        for path, data in result.files:
            self._put(path, data)
        self.written.update(result.written)
        summaries.update(result.summaries)
        weekly.update(result.weekly)
        charts.update(result.signal_charts)
        for region_id in result.empty:
            summaries.pop(region_id, None)
            weekly.pop(region_id, None)
            charts.pop(region_id, None)
            self.dropped.update(region_paths(region_id))
        self.dropped.update(result.absent)

    def _put(self, path: str, data: bytes) -> None:
        """Write one file of the new generation (linked to the old one if unchanged)."""
        put_file(self.folder, self.old, path, data)
        self.written.add(path)

    def _replace(self, path: str, data: bytes) -> None:
        """Replace one file of the published generation at once (:mod:`epicurves.files`)."""
        target = self.folder / path
        # Left by a killed build (we hold the build lock): not published any longer.
        remove_stale(target)
        write_atomic(target, data)
        self.written.add(path)

    def _skip(self, graph_plan: Plan, pending: set[str]) -> frozenset[str]:
        """The files of the published site not to carry on: those this build wrote, will
        write (``pending``) or deletes, and the marker."""
        return frozenset(
            self.written | pending | set(graph_plan.delete) | self.dropped | {MARKER}
        )

    def _collections(
        self, graph_plan: Plan, view: SiteView, common: dict[str, Any]
    ) -> None:
        for path, data in table_pages(
            graph_plan.collections, view, self.threshold, common
        ):
            self._put(path, data)
        if "compare/index.html" in graph_plan.collections:
            self._put("compare/index.html", compare_page(view, common))

    def _map_jobs(
        self, graph_plan: Plan, view: SiteView, common: dict[str, Any]
    ) -> list[MapJob]:
        """The planned map pages, each to render from the regions' incidence files of the
        site being built (written by this build, else the published one's)."""
        return [
            MapJob(
                spec.name,
                view.states,
                common,
                str(self.folder),
                None if self.old is None else str(self.old),
            )
            for spec in MAPS
            if spec.path in graph_plan.collections
        ]

    def _home(
        self,
        view: SiteView,
        common: dict[str, Any],
        now: datetime,
        number: int,
        *,
        in_place: bool = False,
        cached: Mapping[str, Any] | None = None,
    ) -> tuple[str, ...]:
        """The home page and ``status.json``: the only files with the time and the freshness.
        ``cached``: the "Germany today" rows of the build before (:attr:`BuildState.today`),
        used if they are of the same signals."""
        fresh = freshness(self.snapshot.meta(), self.snapshot.store.checked(), now)
        put = self._replace if in_place else self._put
        self.today = today_cards(self.snapshot, view.states, cached)
        today = today_rows(self.today.get("rows", []), now.date())
        us = today_rows(self.today.get("us", []), now.date())
        for path, data in home_files(
            view,
            fresh,
            common,
            now,
            (number, self.snapshot.generation),
            today,
            us,
            self.snapshot.signal_digests(),
            self.today.get("europe", []),
        ):
            put(path, data)
        return tuple(w for f in fresh for w in f.warnings)

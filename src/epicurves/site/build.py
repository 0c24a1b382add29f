"""Build the static site from one store generation, rewriting only what the dependency graph says.

A build pins the store's current generation (:meth:`epicurves.Store.snapshot`), compares it with
what the published site was built from (:class:`~.publish.BuildState`), and asks the graph
(:mod:`.graph`) which files that touches. The regions to render are cut into chunks that an
executor (:mod:`epicurves.executor`: inline, a local process pool or Dask) runs through the pure
:func:`~.render.render_chunk`; tables, the compare page, the home page and ``status.json`` are
rendered here from every region's summary. The new generation folder gets hard links to the
unchanged files of the published one and is switched in at once (:mod:`.publish`). A change of
the code, the templates or the settings makes a full build; so does ``full=True``.

Only the home page and ``status.json`` hold the build time and the sources' freshness: the same
store gives the same bytes in every other file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..analysis import CoriOptions
from ..changes import ChangeSet, RegionState, diff, region_states
from ..config import Settings
from ..errors import BuildError, StoreError
from ..executor import Executor, make_executor
from ..freshness import Freshness, cadence, freshness
from ..sources import SOURCES
from ..store import Snapshot, Store
from ..succession import SUCCESSIONS
from .assets import asset_names, write_assets
from .graph import ALWAYS, Collection, Hierarchy, Plan, plan
from .pages import (
    INCIDENCE_COLUMNS,
    NAV,
    SUMMARY_COLUMNS,
    fmt_int,
    fmt_num,
    incidence_table,
    region_href,
    summary_table,
)
from .publish import MARKER, BuildState, SiteFolder, link_or_copy
from .render import ChunkJob, ChunkResult, RegionJob, environment, render_chunk

__all__ = ["COLLECTIONS", "TABLE_PAGES", "BuildReport", "build_site", "fingerprint"]

CONTENT = Path(__file__).parent / "content"
PACKAGE = Path(__file__).parent.parent
#: Weekly cases a region needs to appear among the biggest rises on the home page.
RISE_MIN_CASES = 100
#: Regions per chunk of work: enough to amortise reading the store, few enough to balance.
CHUNK_REGIONS = 48
#: Peers drawn on a region's comparison chart.
MAX_PEERS = 7


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


# -- the collections, declared once ------------------------------------------------------------
def _current(state: RegionState) -> bool:
    return not state.historic


def _german(state: RegionState) -> bool:
    """A German state or district (their parents are ``DE`` and ``DE-..``)."""
    return (state.parent or "").startswith("DE") and state.kind in ("state", "district")


@dataclass(frozen=True)
class Table:
    """One table of a table page: the regions ``select`` picks (historic ones never)."""

    id: str
    title: str
    select: Callable[[RegionState], bool]
    incidence: bool = False
    """OSCOVIDA's incidence table (population, cases in the last 7 days, incidence)."""


@dataclass(frozen=True)
class TablePage:
    """A page of tables, with the historic regions its selector picks listed as links."""

    path: str
    heading: str
    intro: str
    tables: tuple[Table, ...]

    def select(self, state: RegionState) -> bool:
        """Whether the page shows ``state``'s region (in a table, or as a historic link)."""
        as_current = replace(state, historic=False)
        return any(t.select(as_current) for t in self.tables)


def _kind(kind: str) -> Callable[[RegionState], bool]:
    return lambda s: s.kind == kind


TABLE_PAGES: tuple[TablePage, ...] = (
    TablePage("regions/index.html", "All regions", "Every current region, with the source shown for it.",
              (Table("all", "All regions", lambda s: True),)),
    TablePage("countries/index.html", "Countries", "Tracking plots: Countries of the world.",
              (Table("countries", "Countries of the world", _kind("country")),
               Table("countries-incidence", "7-day incidence: countries", _kind("country"), incidence=True))),
    TablePage("germany/index.html", "Germany", "Germany, its states and its districts.",
              (Table("states", "German states", lambda s: _german(s) and s.kind == "state"),
               Table("districts", "German districts", lambda s: _german(s) and s.kind == "district"),
               Table("districts-incidence", "7-day incidence: German districts",
                     lambda s: _german(s) and s.kind == "district", incidence=True))),
    TablePage("us/index.html", "US", "The states and territories of the United States.",
              (Table("us-states", "US states", lambda s: s.kind == "state" and s.parent == "US"),)),
)  # fmt: skip

#: Every file over many regions, with what it shows (see :mod:`.graph`).
COLLECTIONS: tuple[Collection, ...] = (
    *(Collection(p.path, p.select, data=True) for p in TABLE_PAGES),
    Collection("compare/index.html", lambda s: True, data=False),
)

COMPARE_METRICS = (
    ("incidence_7d", "7-day incidence per 100k"), ("deaths_7d_per_100k", "7-day deaths per 100k"),
    ("new_cases_7d_mean", "new cases, 7-day mean"), ("new_deaths_7d_mean", "new deaths, 7-day mean"),
    ("r_cori", "R (Cori)"), ("r_rki", "R (RKI method)"),
)  # fmt: skip
STATIC_PAGES = (("analysis", "analysis/index.html"), ("about", "about/index.html"))


def fingerprint(threshold: float, precedence: Sequence[str]) -> str:
    """A hash of everything a build depends on besides the data: epicurves' code, templates,
    static files and texts, the front-end packages' versions, and the settings."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js", ".md") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    settings = [
        __version__,
        version("bokeh"),
        version("itables"),
        repr(threshold),
        *precedence,
    ]
    digest.update("\0".join(settings).encode())
    digest.update(repr(CoriOptions()).encode())
    return digest.hexdigest()[:16]


def _markdown(text: str) -> tuple[dict[str, str], Markup]:
    """Front matter (``key: value`` lines between ``---``) and the HTML of a Markdown text.

    Raw HTML in the Markdown is escaped, not passed through.
    """
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        for line in head.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    html = MarkdownIt("commonmark", {"html": False}).render(text)
    return meta, Markup(html)


# -- the build ---------------------------------------------------------------------------------
def build_site(
    settings: Settings,
    out: Path,
    *,
    threshold: float = 50.0,
    full: bool = False,
    changes: ChangeSet | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    progress: Callable[[str], None] = lambda step: None,
    now: datetime | None = None,
) -> BuildReport:
    """Build the site into ``out`` from the store, incrementally unless ``full``.

    ``changes`` (what :func:`epicurves.update` just changed) saves comparing the store with the
    published site when it starts from the generation that site was built from. ``workers``
    and ``scheduler`` choose the executor (:func:`epicurves.executor.make_executor`), unless
    an ``executor`` is given (the caller closes it). A failed build leaves the published site as
    it was and raises :class:`~epicurves.BuildError`.
    """
    started = time.perf_counter()
    site = SiteFolder(Path(out))
    site.check()
    with Store(settings.store_dir).snapshot() as snapshot:
        if not snapshot.sources():
            msg = f"the store in {settings.store_dir} is empty: run `epicurves update` first"
            raise StoreError(msg)
        lock = site.lock()
        try:
            builder = _Builder(settings, site, snapshot, threshold, progress)
            report = builder.run(
                full=full,
                changes=changes,
                workers=workers,
                scheduler=scheduler or settings.scheduler,
                executor=executor,
                now=now or datetime.now(UTC),
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
        threshold: float,
        progress: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.site = site
        self.snapshot = snapshot
        self.threshold = threshold
        self.progress = progress
        self.folder = Path()
        self.old: Path | None = None
        self.written: set[str] = set()

    # -- deciding what to build --------------------------------------------------------------------
    def _decide(
        self, full: bool, changes: ChangeSet | None
    ) -> tuple[BuildState | None, dict[str, RegionState], Plan, str]:
        snapshot = self.snapshot
        mark = fingerprint(self.threshold, self.settings.precedence)
        previous = None if full else self.site.state()
        reason = "asked for (--full)" if full else ""
        if previous is None and not reason:
            reason = "no earlier build to start from"
        elif previous is not None and previous.fingerprint != mark:
            previous, reason = None, "the code, templates or settings changed"
        if previous is not None and previous.store_generation == snapshot.generation:
            states = previous.regions
            changes = ChangeSet(snapshot.generation, snapshot.generation)
        else:
            self.progress("read the regions")
            states = region_states(
                snapshot.load_regions(), snapshot.digests(), self.settings.precedence
            )
            if previous is not None and not (
                changes is not None
                and changes.base == previous.store_generation
                and changes.generation == snapshot.generation
            ):
                changes = diff(
                    previous.regions,
                    states,
                    base=previous.store_generation,
                    generation=snapshot.generation,
                )
        changes = changes or ChangeSet(snapshot.generation, snapshot.generation)
        graph_plan = plan(
            None if previous is None else previous.regions, states, changes, COLLECTIONS
        )
        if previous is not None:
            reason = changes.describe()
        return previous, states, graph_plan, reason

    def run(
        self,
        *,
        full: bool,
        changes: ChangeSet | None,
        workers: int | None,
        scheduler: str | None,
        executor: Executor | None,
        now: datetime,
    ) -> BuildReport:
        previous, states, graph_plan, reason = self._decide(full, changes)
        if previous is not None and graph_plan.files() == set(ALWAYS):
            return self._touch(previous, now, reason)
        number = self.site.next_number()
        self.folder = self.site.start()
        self.old = None if previous is None else self.site.current()
        try:
            assets = asset_names() if previous is None else previous.assets
            common = {"nav": NAV, "assets": assets, "version": __version__}
            summaries = {} if previous is None else dict(previous.summaries)
            weekly = {} if previous is None else dict(previous.weekly)
            started = time.perf_counter()
            engine = self._regions(
                states, graph_plan, common, (summaries, weekly),
                executor=executor, workers=workers, scheduler=scheduler,
            )  # fmt: skip
            region_seconds = time.perf_counter() - started
            for region_id in graph_plan.removed:
                summaries.pop(region_id, None)
                weekly.pop(region_id, None)
            self.progress("tables and home page")
            view = _SiteView(states, summaries, weekly)
            self._collections(graph_plan, view, common)
            warnings = self._home(view, common, now, number)
            total = self._link_unchanged(graph_plan)
            state = BuildState(
                generation=number,
                fingerprint=fingerprint(self.threshold, self.settings.precedence),
                store_generation=self.snapshot.generation,
                assets=assets,
                regions=dict(states),
                summaries=summaries,
                weekly=weekly,
            )
            self.site.publish(self.folder, state)
        except Exception as exc:
            self.site.discard(self.folder)
            raise self._failed(exc) from exc
        except BaseException:
            self.site.discard(self.folder)
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
        common = {"nav": NAV, "assets": previous.assets, "version": __version__}
        view = _SiteView(previous.regions, previous.summaries, previous.weekly)
        try:
            warnings = self._home(view, common, now, previous.generation, replace=True)
        except Exception as exc:
            raise self._failed(exc) from exc
        return BuildReport(
            out=self.site.out, region_pages=0, pages=1, seconds=0.0, region_seconds=0.0,
            full=False, reason=reason, files_written=len(self.written),
            files_total=sum(1 for _ in self.site.files(folder)),
            generation=previous.generation, store_generation=self.snapshot.generation,
            executor="none", warnings=warnings,
        )  # fmt: skip

    def _regions(
        self,
        states: Mapping[str, RegionState],
        graph_plan: Plan,
        common: dict[str, Any],
        into: tuple[dict[str, dict[str, Any]], dict[str, list[float | None]]],
        *,
        executor: Executor | None,
        workers: int | None,
        scheduler: str | None,
    ) -> str:
        """Render the planned regions' files (and, for a full build, the assets and articles
        meanwhile); collect their summaries ``into``. Returns the executor's name."""
        jobs = self._jobs(states, graph_plan, common)
        own = executor is None
        if executor is None:
            executor = make_executor(
                sum(len(j.regions) for j in jobs),
                scheduler=scheduler,
                workers=workers,
                preload=["epicurves.site.render"],
            )
        try:
            self.progress(f"render {len(graph_plan.regions)} regions ({executor.name})")
            results = executor.map_unordered(render_chunk, jobs)
            if graph_plan.full:  # while the workers render
                self.progress("assets and articles")
                write_assets(self.folder / "static", common["assets"])
                self._static_pages(common)
            for result in results:
                self._take(result, *into)
        finally:
            if own:
                executor.close()
        return executor.name

    # -- the regions -------------------------------------------------------------------------------
    def _jobs(
        self,
        states: Mapping[str, RegionState],
        graph_plan: Plan,
        common: dict[str, Any],
    ) -> list[ChunkJob]:
        """The regions to render, cut into chunks of neighbouring regions of one source."""
        hierarchy = Hierarchy(states)
        files = {
            source: str(path)
            for source, path in zip(
                self.snapshot.sources(),
                self.snapshot.files("observations", self.snapshot.sources()),
                strict=True,
            )
        }
        ordered = sorted(graph_plan.regions, key=lambda r: (states[r].source, r))
        regions = [
            _region_job(r, states, hierarchy, tuple(sorted(graph_plan.regions[r])))
            for r in ordered
        ]
        chunks: list[ChunkJob] = []
        cori = CoriOptions()
        for begin in range(0, len(regions), CHUNK_REGIONS):
            part = tuple(regions[begin : begin + CHUNK_REGIONS])
            used = {j.source for j in part}
            chunks.append(
                ChunkJob({s: files[s] for s in sorted(used)}, part, common, cori)
            )
        return chunks

    def _take(
        self,
        result: ChunkResult,
        summaries: dict[str, dict[str, Any]],
        weekly: dict[str, list[float | None]],
    ) -> None:
        for path, data in result.files:
            self._put(path, data)
        summaries.update(result.summaries)
        weekly.update(result.weekly)
        for region_id in result.empty:
            summaries.pop(region_id, None)
            weekly.pop(region_id, None)

    def _put(self, path: str, data: bytes) -> None:
        """Write one file of the new generation; an unchanged one is linked to the old file."""
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(path)
        if self.old is not None:
            old = self.old / path
            try:
                if old.stat().st_size == len(data) and old.read_bytes() == data:
                    link_or_copy(old, target)
                    return
            except OSError:
                pass
        target.write_bytes(data)

    def _replace(self, path: str, data: bytes) -> None:
        """Replace one file of the published generation at once (a temporary file beside it,
        then ``os.replace``)."""
        target = self.folder / path
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(name, 0o644)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        self.written.add(path)

    def _link_unchanged(self, graph_plan: Plan) -> int:
        """Hard-link every file of the published site that this build did not write; returns
        the number of files in the new generation."""
        total = len(self.written)
        if self.old is None:
            return total
        skip = self.written | set(graph_plan.delete) | {MARKER}
        old, new = str(self.old), str(self.folder)
        for dirpath, _, names in os.walk(old):
            relative = os.path.relpath(dirpath, old)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            linked = [n for n in names if prefix + n not in skip]
            if not linked:
                continue
            target = os.path.join(new, relative)
            os.makedirs(target, exist_ok=True)
            for name in linked:
                link_or_copy(Path(dirpath, name), Path(target, name))
            total += len(linked)
        return total

    # -- pages over many regions -------------------------------------------------------------------
    def _static_pages(self, common: dict[str, Any]) -> None:
        """Analysis, About and the Articles: they depend on the code only."""
        template = environment().get_template("article.html")
        base = {**common, "breadcrumbs": None, "articles": None}
        for name, current in STATIC_PAGES:
            _, body = _markdown((CONTENT / f"{name}.md").read_text("utf-8"))
            html = template.render(**base, root="../", page=name, current=current,
                                   title=name.capitalize(), body=body)  # fmt: skip
            self._put(current, html.encode())
        articles = []
        for article in sorted((CONTENT / "articles").glob("*.md")):
            meta, body = _markdown(article.read_text("utf-8"))
            href = f"articles/{article.stem}/index.html"
            title = meta.get("title", article.stem)
            articles.append(
                {"href": href, "title": title, "summary": meta.get("summary", "")}
            )
            html = template.render(**base | {"breadcrumbs": [("Articles", "articles/index.html")]},
                                   root="../../", page="article", current="articles/index.html",
                                   title=title, body=body)  # fmt: skip
            self._put(href, html.encode())
        html = template.render(**base | {"articles": articles}, root="../", page="articles",
                               current="articles/index.html", title="Articles",
                               body=Markup("<h1>Articles</h1>"))  # fmt: skip
        self._put("articles/index.html", html.encode())

    def _collections(
        self, graph_plan: Plan, view: _SiteView, common: dict[str, Any]
    ) -> None:
        env = environment()
        for page in TABLE_PAGES:
            if page.path in graph_plan.collections:
                html = env.get_template("table.html").render(
                    **common, **_table_context(page, view, self.threshold)
                )
                self._put(page.path, html.encode())
        if "compare/index.html" in graph_plan.collections:
            choices = [
                {
                    "region_id": r,
                    "file": r,
                    "label": f"{s.name} ({r})",
                    "selected": r in ("DE", "FR"),
                }
                for r, s in sorted(
                    view.current().items(), key=lambda kv: (kv[1].name, kv[0])
                )
                if r in view.summaries
            ]
            html = env.get_template("compare.html").render(
                **common, root="../", page="compare", current="compare/index.html",
                title="Compare", breadcrumbs=None, choices=choices, metrics=COMPARE_METRICS,
            )  # fmt: skip
            self._put("compare/index.html", html.encode())

    def _home(
        self,
        view: _SiteView,
        common: dict[str, Any],
        now: datetime,
        number: int,
        *,
        replace: bool = False,
    ) -> tuple[str, ...]:
        """The home page and ``status.json``: the only files with the time and the freshness."""
        store = self.snapshot.store
        fresh = freshness(self.snapshot.meta(), store.checked(), now)
        warnings = tuple(w for f in fresh for w in f.warnings)
        built = now.strftime("%Y-%m-%d %H:%M UTC")
        current = view.current()
        counts = {
            k: sum(1 for s in current.values() if s.kind == k)
            for k in ("country", "state", "district")
        }
        html = environment().get_template("home.html").render(
            **common, root="", page="home", current="index.html", title="Home", breadcrumbs=None,
            counts=counts, rises=_rises(view), rise_min=RISE_MIN_CASES, built=built,
            sources=_source_rows(fresh, current), warnings=warnings,
            tables=[(label, href) for label, href in NAV[1:5]],
        )  # fmt: skip
        put = self._replace if replace else self._put
        put("index.html", html.encode())
        status = {
            "built_at": now.isoformat(timespec="seconds"),
            "epicurves": __version__,
            "site_generation": number,
            "store_generation": self.snapshot.generation,
            "regions": len(view.summaries),
            "sources": [f.to_dict() for f in fresh],
            "warnings": list(warnings),
        }
        put("status.json", (json.dumps(status, indent=1) + "\n").encode())
        return warnings


@dataclass
class _SiteView:
    """Every region's state and summary, as the pages over many regions read them."""

    states: Mapping[str, RegionState]
    summaries: Mapping[str, Mapping[str, Any]]
    weekly: Mapping[str, list[float | None]]

    def current(self) -> dict[str, RegionState]:
        """The regions that are not historic."""
        return {r: s for r, s in self.states.items() if not s.historic}

    def frame(self, ids: Iterable[str]) -> Any:
        """The summary rows of ``ids`` (those with data), by region id, as a DataFrame."""
        import pandas as pd

        from ..analysis.metrics import _SUMMARY_COLUMNS

        rows = [self.summaries[r] for r in sorted(ids) if r in self.summaries]
        frame = pd.DataFrame.from_records(rows, columns=list(_SUMMARY_COLUMNS))
        return frame


def _region_job(
    region_id: str,
    states: Mapping[str, RegionState],
    hierarchy: Hierarchy,
    files: tuple[str, ...],
) -> RegionJob:
    """What a region's page says of other regions, from the graph's relations."""
    state = states[region_id]
    source = SOURCES[state.source]
    named = [(r, states[r].name) for r in hierarchy.ancestors(region_id)]
    children = [
        {"name": states[c].name, "href": region_href(c), "historic": states[c].historic}
        for c in hierarchy.children(region_id)
    ]
    candidates = hierarchy.peers(region_id)
    if state.kind != "country" and state.parent:
        parent, siblings = (
            candidates[:1] if candidates[:1] == [state.parent] else [],
            candidates,
        )
        siblings = [s for s in siblings if s != state.parent]
        population = state.population or 0
        siblings.sort(key=lambda s: abs((states[s].population or 0) - population))
        candidates = parent + siblings[:5]
    peers = [{"region_id": p, "name": states[p].name} for p in candidates[:MAX_PEERS]]
    succession = SUCCESSIONS.get(region_id)
    successor = hierarchy.successor(region_id)
    titles = {"country": "States", "state": "Districts"}
    page = {
        "ancestors": list(reversed(named)),
        "children": children,
        "children_title": titles.get(state.kind, "Parts"),
        "peers": peers,
        "predecessors": [
            {"name": states[p].name, "href": region_href(p), "region_id": p}
            for p in hierarchy.predecessors(region_id)
        ],
        "successor": None
        if succession is None
        else {
            "region_id": succession.successor,
            "name": states[successor[0]].name if successor else succession.successor,
            "href": region_href(successor[0]) if successor else None,
            "since": succession.since,
            "reason": succession.reason,
        },
        "others": [s for s in state.sources if s != state.source],
        "source": {
            "name": source.name,
            "homepage": source.homepage,
            "description": source.description,
            "licence": source.licence,
            "live": source.live,
        },
    }
    return RegionJob(
        region_id, state.source, state.name, state.kind, state.parent, state.population,
        files, page,
    )  # fmt: skip


def _table_context(
    page: TablePage, view: _SiteView, threshold: float
) -> dict[str, Any]:
    current = view.current()
    names = {r: s.name for r, s in view.states.items()}
    high = f"Rows with a 7-day incidence of {threshold:g} or more per 100 000 are highlighted."
    tables = []
    for table in page.tables:
        frame = view.frame(r for r, s in current.items() if table.select(s))
        if table.incidence:
            ordered = frame.sort_values(
                "incidence_7d", ascending=False, na_position="last", kind="stable"
            )
            rows = incidence_table(ordered, names, threshold)
            tables.append({"id": table.id, "title": table.title, "columns": INCIDENCE_COLUMNS, "rows": rows,
                           "order_column": 3, "page_length": max(len(rows), 1), "incidence": True, "note": high})  # fmt: skip
            continue
        ordered = frame.sort_values(
            "new_cases_last_week", ascending=False, na_position="last", kind="stable"
        )
        weekly = {
            r: [float("nan") if v is None else v for v in w]
            for r, w in view.weekly.items()
        }
        rows = summary_table(ordered, weekly, names)
        tables.append({"id": table.id, "title": table.title, "columns": SUMMARY_COLUMNS, "rows": rows,
                       "order_column": 3, "page_length": 25, "incidence": False, "note": ""})  # fmt: skip
    historic = [
        {"name": s.name, "href": region_href(r), "successor": SUCCESSIONS[r].successor}
        for r, s in sorted(view.states.items(), key=lambda kv: (kv[1].name, kv[0]))
        if s.historic and page.select(s)
    ]
    return {"root": "../", "page": "table", "current": page.path, "title": page.heading,
            "heading": page.heading, "intro": page.intro, "tables": tables, "breadcrumbs": None,
            "historic": historic}  # fmt: skip


def _rises(view: _SiteView) -> list[dict[str, str]]:
    """The biggest week-on-week rises among the current regions with enough cases."""
    rows = [
        view.summaries[r]
        for r in sorted(view.current())
        if r in view.summaries
        and (view.summaries[r]["new_cases_last_week"] or 0) >= RISE_MIN_CASES
        and view.summaries[r]["week_change_pct"] is not None
    ]
    rows.sort(key=lambda s: -float(s["week_change_pct"]))
    return [
        {"href": region_href(str(r["region_id"])), "name": str(r["name"]),
         "last_date": str(r["last_date"]), "new_cases_last_week": fmt_int(r["new_cases_last_week"]),
         "week_change": fmt_num(r["week_change_pct"], 0, " %", sign=True)}
        for r in rows[:10]
    ]  # fmt: skip


def _source_rows(
    fresh: list[Freshness], current: Mapping[str, RegionState]
) -> list[dict[str, Any]]:
    """A row per stored source for the home page: what it is, how current, how many regions."""
    rows = []
    for f in fresh:
        source = SOURCES[f.source]
        publishes = cadence(source)
        publishes = "frozen" if publishes == "frozen" else f"live, {publishes}"
        rows.append({
            "name": f.source, "homepage": source.homepage, "licence": source.licence,
            "cadence": publishes, "regions": sum(1 for s in current.values() if s.source == f.source),
            "first_date": f.first_date, "vintage": f.vintage,
            "checked": f.checked_at[:16].replace("T", " "), "changed": f.changed_at[:16].replace("T", " "),
            "stale": f.stale,
        })  # fmt: skip
    return rows

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
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import __version__
from ..analysis import CoriOptions, signal_trends
from ..changes import ChangeSet, RegionState, diff, region_states
from ..config import Settings, binder_problem
from ..errors import BuildError, StoreError, UsageError
from ..executor import Executor, make_executor
from ..freshness import freshness
from ..sources import SOURCES
from ..store import Snapshot, Store
from ..succession import successor
from .assets import asset_names, write_assets
from .collections import COLLECTIONS, SiteView, compare_page, home_files, table_pages
from .graph import ALWAYS, Hierarchy, Plan, plan, region_paths
from .maps import MAPS, map_page
from .pages import NAV, binder_url, region_href
from .publish import MARKER, BuildState, SiteFolder, link_or_copy, put_file
from .render import ChunkJob, ChunkResult, RegionJob, environment, write_chunk
from .signals import germany_today

__all__ = ["BuildReport", "build_site", "fingerprint"]

CONTENT = Path(__file__).parent / "content"
PACKAGE = Path(__file__).parent.parent
#: Modules a process pool's workers start with (imported once by the fork server).
PRELOAD = ("epicurves.site.render", "scipy.special")
#: Rows (region-days) per chunk of work, at most: enough to amortise what every chunk does once
#: (reading the store, setting up the frames), few enough to stay in the processor's caches and
#: to keep a worker's memory small (~130,000 rows: ~300 MB).
CHUNK_ROWS = 130_000
#: Regions per chunk, at most.
CHUNK_REGIONS = 128
#: Chunks per worker at least, where there are enough regions: for balance.
CHUNKS_PER_WORKER = 4
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


STATIC_PAGES = (("analysis", "analysis/index.html"), ("about", "about/index.html"))


#: The packages whose version is part of a build's fingerprint: they compute, format or ship
#: what the site holds.
DEPENDENCIES = (
    "pandas", "numpy", "pyarrow", "scipy", "jinja2", "markdown-it-py", "bokeh", "itables",
)  # fmt: skip


def fingerprint(
    threshold: float,
    precedence: Sequence[str],
    binder: tuple[str, str] | None = None,
) -> str:
    """A hash of everything a build depends on besides the data: epicurves' code, templates,
    static files and texts (the recipes included), the versions of :data:`DEPENDENCIES`, and
    the settings (``binder``: the Binder repository and ref the pages link to, if any)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js", ".md") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    packages = [version(p) for p in DEPENDENCIES]
    settings = [__version__, *packages, repr(threshold), *precedence]
    if binder is not None:  # unset: no links, so a ref alone changes nothing
        settings += ["binder", *binder]
    digest.update("\0".join(settings).encode())
    digest.update(repr(CoriOptions()).encode())
    # The recipes are package files, hashed above; hashed again as the collection the build
    # writes, so that a recipe added, changed or removed always makes a full build.
    from ..notebooks.recipes import recipes

    for recipe in recipes():
        digest.update(f"\0recipe {recipe.name}\0{recipe.script}".encode())
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


def _inline_markdown(text: str) -> Markup:
    """The HTML of one paragraph of Markdown, without the paragraph (raw HTML escaped)."""
    from markdown_it import MarkdownIt

    return Markup(MarkdownIt("commonmark", {"html": False}).renderInline(text))


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
    it was and raises :class:`~epicurves.BuildError`. Binder settings that could not make a
    link (``settings.binder_repo`` not ``owner/name``, say) are a
    :class:`~epicurves.UsageError`, before anything is read or written.
    """
    started = time.perf_counter()
    problem = binder_problem(settings.binder_repo, settings.binder_ref)
    if problem is not None:
        raise UsageError(problem)
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
        self.dropped: set[str] = set()  # files of regions left without observations
        self.mark = fingerprint(threshold, settings.precedence, settings.binder)

    # -- deciding what to build --------------------------------------------------------------------
    def _decide(
        self, full: bool, changes: ChangeSet | None
    ) -> tuple[BuildState | None, dict[str, RegionState], Plan, str]:
        snapshot = self.snapshot
        previous = None if full else self.site.state()
        reason = "asked for (--full)" if full else ""
        if previous is None and not reason:
            reason = "no earlier build to start from"
        elif previous is not None and previous.fingerprint != self.mark:
            previous, reason = None, "the code, templates or settings changed"
        # Generations' numbers compare only within one store (one made anew starts at 1).
        same_store = previous is not None and previous.store_id == snapshot.store_id
        if (
            previous is not None
            and same_store
            and previous.store_generation == snapshot.generation
        ):
            states = previous.regions
            changes = ChangeSet(snapshot.generation, snapshot.generation)
        else:
            self.progress("read the regions")
            states = region_states(
                snapshot.load_regions(),
                snapshot.digests(),
                self.settings.precedence,
                snapshot.signal_digests(),
            )
            if previous is not None and not (
                same_store
                and changes is not None
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
            return self._touch(replace(previous, regions=dict(states)), now, reason)
        number = self.site.next_number()
        self.folder = self.site.start()
        self.old = None if previous is None else self.site.current()
        try:
            assets = asset_names() if previous is None else previous.assets
            common = self._common(assets)
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
            view = SiteView(states, summaries, weekly)
            self._collections(graph_plan, view, common)
            warnings = self._home(view, common, now, number)
            total = self._link_unchanged(graph_plan)
            state = BuildState(
                generation=number,
                fingerprint=self.mark,
                store_id=self.snapshot.store_id,
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

    def _common(self, assets: dict[str, Any]) -> dict[str, Any]:
        """The template context of every page: navigation, asset names, version, and the
        Binder repository and ref the "Open on Binder" links point into (None: no links)."""
        return {
            "nav": NAV,
            "assets": assets,
            "version": __version__,
            "binder": self.settings.binder,
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
            warnings = self._home(view, common, now, previous.generation, in_place=True)
            store, generation = self.snapshot.store_id, self.snapshot.generation
            if (previous.store_id, previous.store_generation) != (store, generation):
                # New files upstream, the same data: remember which generation this shows.
                shown = replace(previous, store_id=store, store_generation=generation)
                self.site.save_state(shown)
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
        own = executor is None
        if executor is None:
            executor = make_executor(
                len(graph_plan.regions),
                scheduler=scheduler,
                workers=workers,
                preload=PRELOAD,
            )
        try:
            jobs = self._jobs(states, graph_plan, common, executor.workers)
            self.progress(f"render {len(graph_plan.regions)} regions ({executor.name})")
            results = executor.map_unordered(write_chunk, jobs)
            if graph_plan.full:  # while the workers render
                self.progress("assets and articles")
                for name in write_assets(self.folder / "static", common["assets"]):
                    self.written.add(f"static/{name}")
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
        workers: int,
    ) -> list[ChunkJob]:
        """The regions to render, cut into chunks of neighbouring regions (:func:`_chunks`)."""
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
        with_signals = sorted(self.snapshot.signal_digests())
        signal_files = tuple(
            str(p) for p in self.snapshot.files("signals", with_signals)
        )
        chunks: list[ChunkJob] = []
        cori = CoriOptions()
        for part in _chunks(regions, self._days(), workers):
            used = {j.source for j in part}
            observations = {s: files[s] for s in sorted(used)}
            old = None if self.old is None else str(self.old)
            chunks.append(
                ChunkJob(
                    observations,
                    part,
                    common,
                    cori,
                    str(self.folder),
                    old,
                    signals=signal_files if any(j.signals for j in part) else (),
                )
            )
        return chunks

    def _days(self) -> dict[str, float]:
        """The mean length of a region's series, per source (rows / regions)."""
        return {n: m.rows / max(m.regions, 1) for n, m in self.snapshot.meta().items()}

    def _take(
        self,
        result: ChunkResult,
        summaries: dict[str, dict[str, Any]],
        weekly: dict[str, list[float | None]],
    ) -> None:
        for path, data in result.files:
            self._put(path, data)
        self.written.update(result.written)
        summaries.update(result.summaries)
        weekly.update(result.weekly)
        for region_id in result.empty:
            summaries.pop(region_id, None)
            weekly.pop(region_id, None)
            self.dropped.update(region_paths(region_id))
        self.dropped.update(result.absent)

    def _put(self, path: str, data: bytes) -> None:
        """Write one file of the new generation (linked to the old one if unchanged)."""
        put_file(self.folder, self.old, path, data)
        self.written.add(path)

    def _replace(self, path: str, data: bytes) -> None:
        """Replace one file of the published generation at once (a temporary file beside it,
        then ``os.replace``)."""
        target = self.folder / path
        # Left by a killed build (we hold the build lock): not published any longer.
        for stale in target.parent.glob(f".{target.name}.*"):
            stale.unlink(missing_ok=True)
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
        skip = self.written | set(graph_plan.delete) | self.dropped | {MARKER}
        old, new = str(self.old), str(self.folder)
        for dirpath, _, names in os.walk(old):
            relative = os.path.relpath(dirpath, old)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            # A site has no dotfiles but the marker: others are temporary files of a killed
            # build (:meth:`_replace`), not carried on.
            linked = [
                n for n in names if prefix + n not in skip and not n.startswith(".")
            ]
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
        """Analysis (with the recipes), About and the Articles: they depend on the code (and
        the Binder settings) only."""
        template = environment().get_template("article.html")
        base = {**common, "breadcrumbs": None, "articles": None}
        for name, current in STATIC_PAGES:
            _, body = _markdown((CONTENT / f"{name}.md").read_text("utf-8"))
            page = template
            extra: dict[str, Any] = {}
            if name == "analysis":
                page = environment().get_template("analysis.html")
                extra = {
                    "recipes": self._recipes(common),
                    "binder_recipes": binder_url(common["binder"], "recipes"),
                }
            html = page.render(**base, **extra, root="../", page=name, current=current,
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

    def _recipes(self, common: dict[str, Any]) -> list[dict[str, Any]]:
        """Write each recipe as ``recipes/<name>.ipynb`` (the bytes ``epicurves recipes
        --out`` writes; nothing is executed) and return what the Analysis page says of it.

        Recipes are code, so only full builds write them (a changed or removed recipe changes
        the build's fingerprint); an incremental build links them from the published site."""
        from ..notebooks.recipes import recipes

        items = []
        for recipe in recipes():
            path = f"recipes/{recipe.filename}"
            self._put(path, (recipe.notebook() + "\n").encode())
            items.append(
                {
                    "name": recipe.name,
                    "title": recipe.title,
                    "summary": _inline_markdown(recipe.summary),
                    "code": recipe.code,
                    "filename": recipe.filename,
                    "href": path,
                    "binder": binder_url(common["binder"], path),
                }
            )
        return items

    def _collections(
        self, graph_plan: Plan, view: SiteView, common: dict[str, Any]
    ) -> None:
        for path, data in table_pages(
            graph_plan.collections, view, self.threshold, common
        ):
            self._put(path, data)
        if "compare/index.html" in graph_plan.collections:
            self._put("compare/index.html", compare_page(view, common))
        for spec in MAPS:
            if spec.path in graph_plan.collections:
                self._put(spec.path, map_page(spec, view.states, self._read, common))

    def _read(self, path: str) -> str | None:
        """A file of the site being built: written by this build, else the published one's."""
        for folder in (self.folder, self.old):
            if folder is not None and (folder / path).is_file():
                return (folder / path).read_text("utf-8")
        return None

    def _home(
        self,
        view: SiteView,
        common: dict[str, Any],
        now: datetime,
        number: int,
        *,
        in_place: bool = False,
    ) -> tuple[str, ...]:
        """The home page and ``status.json``: the only files with the time and the freshness."""
        fresh = freshness(self.snapshot.meta(), self.snapshot.store.checked(), now)
        put = self._replace if in_place else self._put
        today = []
        if self.snapshot.signal_digests():
            trends = signal_trends(self.snapshot.load_signals(regions=["DE"]))
            vintages = {
                name: info["vintage"]
                for m in self.snapshot.meta().values()
                for name, info in m.signals.items()
            }
            today = germany_today(trends, now.date(), vintages)
        for path, data in home_files(
            view, fresh, common, now, (number, self.snapshot.generation), today
        ):
            put(path, data)
        return tuple(w for f in fresh for w in f.warnings)


def _chunks(
    regions: list[RegionJob], days: Mapping[str, float], workers: int
) -> list[tuple[RegionJob, ...]]:
    """Cut the regions (in order) into chunks of about the same number of rows: at most
    :data:`CHUNK_ROWS` and :data:`CHUNK_REGIONS`, and :data:`CHUNKS_PER_WORKER` a worker."""
    rows = [days.get(r.source, 1.0) for r in regions]
    target = min(CHUNK_ROWS, sum(rows) / (CHUNKS_PER_WORKER * workers))
    chunks: list[tuple[RegionJob, ...]] = []
    part: list[RegionJob] = []
    size = 0.0
    for region, length in zip(regions, rows, strict=True):
        if part and (size + length > target or len(part) == CHUNK_REGIONS):
            chunks.append(tuple(part))
            part, size = [], 0.0
        part.append(region)
        size += length
    if part:
        chunks.append(tuple(part))
    return chunks


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
        # The parent, then the five siblings closest in population (by name on a tie).
        population = state.population or 0
        siblings = sorted(
            (s for s in candidates if s != state.parent),
            key=lambda s: abs((states[s].population or 0) - population),
        )
        candidates = [p for p in candidates if p == state.parent] + siblings[:5]
    peers = [{"region_id": p, "name": states[p].name} for p in candidates[:MAX_PEERS]]
    succession = successor(region_id)
    covering = hierarchy.successor(region_id)
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
            "name": states[covering[0]].name if covering else succession.successor,
            "href": region_href(covering[0]) if covering else None,
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
        files, page, signals=bool(state.signals),
    )  # fmt: skip

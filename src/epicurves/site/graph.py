"""The site's dependency graph: which file shows which regions' numbers and descriptions, and what a change touches.

Every file of the site is declared here with what it shows:

- a file per region (:data:`REGION_FILES`): its own numbers or not, and the regions whose
  *description* (name, population, parent, historic mark, ...) it shows through a relation:
  ``self``, ``ancestors`` (breadcrumbs), ``children`` (the list of parts), ``peers`` (the
  candidates its comparison chart picks from), ``predecessors`` and ``successor`` (historic
  regions and what covers them now);
- a file over many regions (:class:`Collection`): the regions its selector picks, their
  numbers or only their descriptions (the tables, the compare page);
- files rewritten on every build (:data:`ALWAYS`: the home page and ``status.json``, the only
  files that hold the build time), and files that depend on nothing but the code and settings
  (assets, articles: written by full builds only).

:func:`plan` turns a change set into the files to write and to delete, looking at the old and the
new generation (a region that left a parent changes the old parent's page too). New kinds of
pages (maps, signals) plug in by declaring their relations or selectors here. Everything in this
module is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..changes import DATA_KINDS, ChangeSet, RegionState
from ..succession import successor

__all__ = [
    "ALWAYS",
    "CASE_KINDS",
    "COUNTRY_PEERS",
    "REGION_FILES",
    "SIGNAL_KINDS",
    "SIGNAL_SCRIPT",
    "Collection",
    "Hierarchy",
    "Plan",
    "RegionFile",
    "plan",
    "region_paths",
]

#: What a region id may be, since it becomes file names and URLs.
SAFE_ID = re.compile(r"[A-Za-z0-9-]+")

#: Countries OSCOVIDA compared every country with.
COUNTRY_PEERS = ("DE", "AU", "PL", "KR", "BY", "CH", "US")
#: Files rewritten on every build: they hold the build time, "last checked" and warnings.
ALWAYS: tuple[str, ...] = ("index.html", "status.json")


@dataclass(frozen=True)
class RegionFile:
    """A file each region has: its path, and whose numbers and descriptions it shows."""

    pattern: str
    """The path, with ``{id}`` for the region id."""
    data: bool
    """Shows the region's own numbers."""
    meta: tuple[str, ...]
    """Relations (:meth:`Hierarchy.related`) whose descriptions it shows."""
    applies: Callable[[RegionState], bool] | None = None
    """Which regions have the file (``None``: every region with a page)."""
    kinds: frozenset[str] | None = None
    """The kinds of change of its region that rewrite it, if ``data`` (``None``: every kind
    that changes the region's numbers, :data:`~epicurves.changes.DATA_KINDS`)."""

    def of(self, state: RegionState) -> bool:
        """Whether a region in ``state`` has this file."""
        return self.applies is None or self.applies(state)

    def path(self, region_id: str) -> str:
        """The file's path for one region; an id that is not a safe file name is refused
        (the store refuses them too: this is the last line).

        >>> RegionFile("data/{id}.js", True, ()).path("../x")
        Traceback (most recent call last):
        ...
        ValueError: region id '../x' is not a safe file name: expected letters, digits and '-'
        """
        if not SAFE_ID.fullmatch(region_id):
            msg = f"region id {region_id!r} is not a safe file name: expected letters, digits and '-'"
            raise ValueError(msg)
        return self.pattern.format(id=region_id)


#: The kinds of change that rewrite what shows a region's cases (not a change of its signals).
CASE_KINDS = DATA_KINDS - {"signals"}
#: The surveillance signals of a region (:mod:`epicurves.site.signals`), for those that have any.
SIGNAL_SCRIPT = "data/{id}.sig.js"
#: The kinds of change that rewrite what shows a region's signals (not a new day of cases).
SIGNAL_KINDS = frozenset({"added", "empty", "signals"})

#: A region's page.
PAGE = "region/{id}/index.html"
#: Every per-region file. The page shows breadcrumbs, parts, peers and successions.
REGION_FILES: tuple[RegionFile, ...] = (
    RegionFile(
        PAGE,
        data=True,
        meta=("self", "ancestors", "children", "peers", "predecessors", "successor"),
    ),
    # the case data: not rewritten by a change of the region's signals alone
    RegionFile("data/{id}.js", data=True, meta=("self",), kinds=CASE_KINDS),
    RegionFile("data/{id}.inc.js", data=True, meta=("self",), kinds=CASE_KINDS),
    # only regions with surveillance signals have it; rewritten when they change (the change
    # kind ``signals`` is a data kind), deleted when a region has none any more
    RegionFile(
        SIGNAL_SCRIPT,
        data=True,
        meta=(),  # holds the region's id and signals only
        applies=lambda s: bool(s.signals),
        kinds=SIGNAL_KINDS,
    ),
    # its parameters name the peers the page compares the region with
    RegionFile("notebooks/{id}.ipynb", data=False, meta=("self", "peers")),
)


@dataclass(frozen=True)
class Collection:
    """A file over many regions: those ``select`` picks, with their numbers or not, and with
    their parents' names or not (a table's "district of ..." column)."""

    path: str
    select: Callable[[RegionState], bool]
    data: bool
    parents: bool = False
    kinds: frozenset[str] | None = None
    """The kinds of change of its regions' numbers that rewrite it, if ``data`` (``None``:
    every one, :data:`~epicurves.changes.DATA_KINDS`): a map of signals is not rewritten by
    a new day of cases."""


def region_paths(region_id: str) -> list[str]:
    """Every file of one region.

    >>> region_paths("DE")[:2]
    ['region/DE/index.html', 'data/DE.js']
    """
    return [f.path(region_id) for f in REGION_FILES]


class Hierarchy:
    """The relations between the regions of one generation (parents, children, peers, ...)."""

    def __init__(self, regions: Mapping[str, RegionState]) -> None:
        self.regions = regions
        children: dict[str, list[str]] = {}
        predecessors: dict[str, list[str]] = {}
        for region_id, state in sorted(
            regions.items(), key=lambda kv: (kv[1].name, kv[0])
        ):
            if state.parent:
                children.setdefault(state.parent, []).append(region_id)
        for region_id in sorted(regions):
            succession = successor(region_id)
            if succession is not None:
                predecessors.setdefault(succession.successor, []).append(region_id)
        self._children = children
        self._predecessors = predecessors

    def _page(self, region_id: str) -> bool:
        """Whether the region has a page to link to (it has observations)."""
        return region_id in self.regions and self.regions[region_id].observed

    def ancestors(self, region_id: str) -> list[str]:
        """The parent, its parent, ... (nearest first), as far as they have pages."""
        out: list[str] = []
        parent = self.regions[region_id].parent
        while parent and self._page(parent) and parent not in out:
            out.append(parent)
            parent = self.regions[parent].parent
        return out

    def children(self, region_id: str) -> list[str]:
        """The regions whose parent it is and that have pages, by name."""
        return [c for c in self._children.get(region_id, []) if self._page(c)]

    def peers(self, region_id: str) -> list[str]:
        """The candidates for its comparison chart: OSCOVIDA's countries for a country (or a
        region without parent), else its parent and its current siblings (by name)."""
        state = self.regions[region_id]
        if state.kind == "country" or not state.parent:
            return [p for p in COUNTRY_PEERS if p != region_id and self._page(p)]
        siblings = [
            s
            for s in self.children(state.parent)
            if s != region_id and not self.regions[s].historic
        ]
        return ([state.parent] if self._page(state.parent) else []) + siblings

    def predecessors(self, region_id: str) -> list[str]:
        """The historic regions it now covers (those with pages)."""
        return [p for p in self._predecessors.get(region_id, []) if self._page(p)]

    def successor(self, region_id: str) -> list[str]:
        """The region that now covers a historic region (empty for a current one, or when the
        successor has no page here)."""
        succession = successor(region_id)
        if succession is None or not self._page(succession.successor):
            return []
        return [succession.successor]

    def related(self, relation: str, region_id: str) -> list[str]:
        """The regions ``region_id`` is linked to by ``relation`` (``self``, ``ancestors``, ...)."""
        if relation == "self":
            return [region_id]
        method: Callable[[str], list[str]] = getattr(self, relation)
        return method(region_id)

    def dependents(self, relations: Iterable[str]) -> dict[str, set[str]]:
        """Region -> the regions whose file shows its description through ``relations``."""
        out: dict[str, set[str]] = {}
        for region_id in self.regions:
            for relation in relations:
                for shown in self.related(relation, region_id):
                    out.setdefault(shown, set()).add(region_id)
        return out


@dataclass(frozen=True)
class Plan:
    """What a build writes and deletes."""

    full: bool
    regions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Region id -> the patterns of :data:`REGION_FILES` to render for it."""
    collections: frozenset[str] = frozenset()
    """Paths of the collections to render."""
    delete: frozenset[str] = frozenset()
    """Paths of files that no longer exist (regions that are gone)."""
    removed: frozenset[str] = frozenset()
    """The regions that are gone."""
    signals_only: frozenset[str] = frozenset()
    """The regions whose page is rendered for a change of their own signals alone (no other
    change of theirs or of a region the page shows): everything else on the page stays."""

    def files(self) -> set[str]:
        """Every path the build writes (:data:`ALWAYS` included)."""
        paths = {
            f.path(region_id)
            for region_id, patterns in self.regions.items()
            for f in REGION_FILES
            if f.pattern in patterns
        }
        return paths | set(self.collections) | set(ALWAYS)


def plan(
    old: Mapping[str, RegionState] | None,
    new: Mapping[str, RegionState],
    changes: ChangeSet,
    collections: Iterable[Collection],
) -> Plan:
    """The files a change set touches, by the graph; ``old`` None: a full build.

    >>> a = RegionState("s", "d1", "A", "country", None, 10, ("s",))
    >>> p = plan({"A": a}, {"A": a}, ChangeSet(1, 2, {}), [])
    >>> p.full, dict(p.regions), sorted(p.files())
    (False, {}, ['index.html', 'status.json'])
    """
    collections = list(collections)
    if old is None:
        return Plan(
            full=True,
            regions={
                r: frozenset(f.pattern for f in REGION_FILES if f.of(state))
                for r, state in new.items()
            },
            collections=frozenset(c.path for c in collections),
        )
    data = changes.data
    meta = changes.meta
    targets: dict[str, set[str]] = {}
    redescribed: set[str] = set()  # the pages that show a changed description
    graphs = (Hierarchy(old), Hierarchy(new))
    for file in REGION_FILES:
        touched: set[str] = set()
        if file.data:
            touched = (
                set(data)
                if file.kinds is None
                else {r for r, k in changes.regions.items() if k & file.kinds}
            )
        if file.meta and meta:  # no description changed: no file shows a changed one
            for graph in graphs:
                dependents = graph.dependents(file.meta)
                for region_id in meta:
                    described = dependents.get(region_id, set())
                    touched |= described
                    if file.pattern == PAGE:
                        redescribed |= described
        for region_id in touched & set(new):
            if file.of(new[region_id]):
                targets.setdefault(region_id, set()).add(file.pattern)
    chosen = set()
    renamed_children = {c for graph in graphs for r in meta for c in graph.children(r)}
    for collection in collections:
        numbers = data if collection.data else set()
        if collection.data and collection.kinds is not None:
            numbers = {r for r in numbers if changes.regions[r] & collection.kinds}
        shown = numbers | meta
        if collection.parents:
            shown |= renamed_children
        for region_id in shown:
            states = (old.get(region_id), new.get(region_id))
            if any(s is not None and collection.select(s) for s in states):
                chosen.add(collection.path)
                break
    removed = set(old) - set(new)
    delete = {f.path(r) for r in removed for f in REGION_FILES if f.of(old[r])}
    for region_id in set(old) & set(new):  # files a region no longer has (its signals)
        for file in REGION_FILES:
            if file.of(old[region_id]) and not file.of(new[region_id]):
                delete.add(file.path(region_id))
    return Plan(
        full=False,
        regions={r: frozenset(p) for r, p in targets.items()},
        collections=frozenset(chosen),
        delete=frozenset(delete),
        removed=frozenset(removed),
        signals_only=frozenset(
            r
            for r, patterns in targets.items()
            if PAGE in patterns
            and changes.regions.get(r) == frozenset({"signals"})
            and r not in redescribed
        ),
    )

"""Change sets: which regions changed between two store generations, and how. Pure functions.

A region's state is what a reader of the region sees: the source shown for it and the digest of
that source's series, its name, kind, parent and population, the other sources that cover it, and
whether it is historic. :func:`diff` compares two such states region by region. The update
reports the change set from the generation it started on to the one it committed; the build
compares the state it last built from with the generation it reads. Both use :func:`diff`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .succession import SUCCESSIONS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHANGE_KINDS",
    "DATA_KINDS",
    "UNKNOWN",
    "ChangeSet",
    "RegionState",
    "diff",
    "region_states",
]

#: What can change about a region. ``data``: its series (a new day, a revision); ``empty``:
#: its series became empty or not; ``source``: another source is shown for it; ``sources``:
#: the other sources covering it.
CHANGE_KINDS: tuple[str, ...] = (
    "added", "removed", "data", "empty", "source", "name", "kind", "parent", "population",
    "sources", "historic", "signals",
)  # fmt: skip
#: The digest of a region whose source was stored without digests (by epicurves 0.1).
UNKNOWN = "?"
#: The kinds that change a region's numbers (population: every per-100k number; empty: it has
#: no observations any more, or has them again); the others change only what is said about it.
DATA_KINDS = frozenset(
    {"added", "removed", "data", "empty", "source", "population", "signals"}
)


@dataclass(frozen=True)
class RegionState:
    """What a reader sees of one region in one store generation."""

    source: str
    digest: str
    """The content digest of its series: empty if it has no observations, :data:`UNKNOWN`
    if its source was stored without digests."""
    name: str
    kind: str
    parent: str | None
    population: int | None
    sources: tuple[str, ...] = ()
    """Every source that covers the region, the shown one included, sorted."""
    historic: bool = False
    signals: str = ""
    """A digest of every surveillance signal of the region (from all sources that give
    signals); empty if it has none."""

    @property
    def observed(self) -> bool:
        """Whether it has observations, hence a page, data files and a row in the tables."""
        return self.digest != ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""
        # flat fields: no need of asdict's recursive copy, which was most of the time a
        # build took to save its state
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {
            "sources": list(self.sources)
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegionState:
        """Inverse of :meth:`to_dict`."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["sources"] = tuple(fields.get("sources", ()))
        return cls(**fields)


@dataclass(frozen=True)
class ChangeSet:
    """Which regions changed from generation ``base`` to ``generation``, and how.

    :func:`~epicurves.update` reports one, as ``report.changes``:

    >>> changes = ChangeSet(1, 2, {"DE": frozenset({"data"}), "FR": frozenset({"name"})})
    >>> bool(changes), sorted(changes.data), sorted(changes.meta)
    (True, ['DE'], ['FR'])
    >>> bool(update(Settings.from_env()).changes)  # nothing new upstream: no change
    False
    """

    base: int
    generation: int
    regions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Region id -> the kinds of change (:data:`CHANGE_KINDS`); unchanged regions are absent."""
    store: str = field(default="", compare=False)
    """The id of the store the generations are of (empty: not said)."""
    precedence: tuple[str, ...] = field(default=(), compare=False)
    """The source precedence ``states`` were found with."""
    states: Mapping[str, RegionState] | None = field(
        default=None, compare=False, repr=False
    )
    """Every region's state in ``generation``, if known: a build of that generation
    need not read the store's regions again (:func:`region_states`)."""

    def states_of(
        self, store: str, generation: int, precedence: Iterable[str]
    ) -> Mapping[str, RegionState] | None:
        """``states`` if they are those of generation ``generation`` of store ``store``,
        with this source precedence; else None."""
        if (
            self.states is None
            or not self.store
            or (self.store, self.generation) != (store, generation)
            or self.precedence != tuple(precedence)
        ):
            return None
        return self.states

    def __bool__(self) -> bool:
        return bool(self.regions)

    @property
    def data(self) -> set[str]:
        """Regions whose numbers changed (added and removed ones included)."""
        return {r for r, kinds in self.regions.items() if kinds & DATA_KINDS}

    @property
    def meta(self) -> set[str]:
        """Regions whose description changed: name, kind, parent, population, shown source,
        other sources, historic mark (added and removed ones included); not a change of its
        series or its signals alone."""
        return {r for r, kinds in self.regions.items() if kinds - {"data", "signals"}}

    @property
    def removed(self) -> set[str]:
        """Regions that are no longer stored."""
        return {r for r, kinds in self.regions.items() if "removed" in kinds}

    def describe(self) -> str:
        """One line for people: how many regions changed, and how.

        >>> ChangeSet(1, 2, {"DE": frozenset({"data"}), "X": frozenset({"added"})}).describe()
        '2 regions changed (added 1, data 1)'
        """
        if not self.regions:
            return "no region changed"
        counts: dict[str, int] = {}
        for kinds in self.regions.values():
            for kind in kinds:
                counts[kind] = counts.get(kind, 0) + 1
        detail = ", ".join(f"{k} {counts[k]}" for k in CHANGE_KINDS if k in counts)
        noun = "region" if len(self.regions) == 1 else "regions"
        return f"{len(self.regions)} {noun} changed ({detail})"


def region_states(
    regions: pd.DataFrame,
    digests: Mapping[str, Mapping[str, str]],
    precedence: Iterable[str],
    signal_digests: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, RegionState]:
    """The state of every region: ``regions`` holds every source's rows (``load_regions(
    all_sources=True)``), ``digests`` the store's digests by source and region,
    ``signal_digests`` those of the signals by source and region."""
    import hashlib

    import pandas as pd

    from .model import pick_shown

    covering: dict[str, list[str]] = {}
    for region_id, source in zip(
        regions["region_id"].astype(str), regions["source"].astype(str), strict=True
    ):
        covering.setdefault(region_id, []).append(source)
    shown = pick_shown(regions, precedence)
    signal_parts: dict[str, list[str]] = {}
    for name, by_region in sorted((signal_digests or {}).items()):
        for region_id, digest in by_region.items():
            signal_parts.setdefault(region_id, []).append(f"{name}:{digest}")
    out: dict[str, RegionState] = {}
    # Column by column (a frame's rows as dicts cost a tenth of a second a run).
    columns = ("region_id", "source", "name", "kind", "parent", "population")
    rows = zip(*(shown[c].astype(object).tolist() for c in columns), strict=True)
    for region, source_name, name, kind, parent, population in rows:
        region_id, source = str(region), str(source_name)
        out[region_id] = RegionState(
            source=source,
            digest=digests[source].get(region_id, "") if source in digests else UNKNOWN,
            name=str(name),
            kind=str(kind),
            parent=None if pd.isna(parent) else str(parent),
            population=None if pd.isna(population) else int(population),
            sources=tuple(sorted(covering[region_id])),
            historic=region_id in SUCCESSIONS,
            signals=hashlib.blake2b(
                ";".join(signal_parts[region_id]).encode(), digest_size=8
            ).hexdigest()
            if region_id in signal_parts
            else "",
        )
    return out


def diff(
    old: Mapping[str, RegionState],
    new: Mapping[str, RegionState],
    *,
    base: int = 0,
    generation: int = 0,
) -> ChangeSet:
    """The regions whose state differs between ``old`` and ``new``, with the kinds of change.

    A region whose digest is unknown (its source stored by epicurves 0.1) counts as changed.

    >>> a = RegionState("rki", "d1", "Germany", "country", None, 84_000_000, ("rki",))
    >>> b = RegionState("rki", "d2", "Germany", "country", None, 84_000_000, ("rki",))
    >>> sorted(diff({"DE": a}, {"DE": b}).regions["DE"])
    ['data']
    """
    changes: dict[str, frozenset[str]] = {}
    for region_id in sorted(set(old) | set(new)):
        before, after = old.get(region_id), new.get(region_id)
        if before is None:
            changes[region_id] = frozenset({"added"})
            continue
        if after is None:
            changes[region_id] = frozenset({"removed"})
            continue
        kinds = set()
        if before.source != after.source:
            kinds.add("source")
        if before.digest != after.digest or after.digest == UNKNOWN:
            kinds.add("data")
        if bool(before.digest) != bool(after.digest):
            kinds.add("empty")  # pages that list the regions with data change too
        for name in (
            "name", "kind", "parent", "population", "sources", "historic", "signals",
        ):  # fmt: skip
            if getattr(before, name) != getattr(after, name):
                kinds.add(name)
        if kinds:
            changes[region_id] = frozenset(kinds)
    return ChangeSet(base, generation, changes)

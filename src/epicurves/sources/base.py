"""The declared interface every source module fills in: what a source is, its files and its signals.

A source says what it is (``name``, ``description``, ``licence``, ``homepage``), which upstream
files it needs (:class:`UpstreamFile`: mirror folder, file name, real URL) and how to turn those
files into tidy tables (``parse``). Adding a source is one new module plus one line in
``sources/__init__.py``. The parsers read their files with :mod:`.readers`, convert and check
cells with :mod:`.cells` and lay out signal rows with :mod:`.signalrows`.

Region names: a source shows each region under one display name, the name people use (each
source module says which convention it follows), and keeps the upstream spelling and a few other
spellings people search for as :attr:`Source.aliases`, made with :func:`display_aliases`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..lazy import pd
from .readers import FileRef

__all__ = [
    "Parser",
    "Signal",
    "Source",
    "SourceData",
    "UpstreamFile",
    "display_aliases",
]


@dataclass(frozen=True)
class UpstreamFile:
    """One file a source reads: where it lives upstream and in a mirror folder.

    >>> file = get_source("nyt").files[0]
    >>> file.folder, file.name
    ('nyt', 'us-states.csv')
    >>> file.url
    'https://raw.githubusercontent.com/nytimes/covid-19-data/master/us-states.csv'
    """

    folder: str
    """Sub-folder of a mirror (``DIR/<folder>/<name>`` or ``<name>.gz``)."""
    name: str
    """The upstream file name."""
    url: str
    """The real upstream URL."""


@dataclass(frozen=True)
class Signal:
    """A surveillance signal a source provides: one measure of a pathogen at one time
    resolution (wastewater viral load, hospitalisation incidence, weekly deaths, ...).

    Its rows (see :data:`epicurves.model.SIGNAL_COLUMNS`) give each value with its region,
    pathogen, age group, date and what the value is (``estimate``: ``measured``,
    ``smoothed``, ``fixed``, ``updated``, ``nowcast``, ...), with an interval where the
    source gives one. The declaration says what is the same for every row.

    >>> wastewater = get_source("rki-wastewater").signal("wastewater")
    >>> wastewater.resolution, wastewater.unit, wastewater.pathogens[:2]
    ('week', 'genome copies/L', ('SARS-CoV-2', 'Influenza A'))
    """

    name: str
    """What ``--signal`` selects, e.g. ``wastewater``."""
    title: str
    """A short label for charts and tables."""
    unit: str
    """The unit of its values (of a row without one of its own, :attr:`other_units`)."""
    resolution: str
    """``day`` or ``week``: weekly data are stored as weeks, dated as the source dates them."""
    pathogens: tuple[str, ...]
    estimates: tuple[str, ...]
    description: str
    """What it measures, for people."""
    caveats: str = ""
    """Its delay and what to keep in mind reading it."""
    derived: bool = False
    """Computed by epicurves from the source's published values and a table of its upstream
    files (admissions per 100,000: the admissions and a population table), not published as
    such: a stored release is compared on what it published, and its derived values follow
    that table when it changes."""
    provisional_weeks: int = 0
    """How many of its newest weeks are provisional (still revised a lot): the pages mark
    them. For a source with releases, derived from how the releases revised their weeks (its
    documentation gives the rule and the figures)."""
    other_units: tuple[str, ...] = ()
    """Units some of its rows carry instead of :attr:`unit`, each row its own (ERVISS's
    consultation rates: per 100,000 population in most countries, per 100 consultations in
    others; the source module says which): values in different units are never compared.
    A row without a unit of its own has :attr:`unit`."""

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit its rows may carry: :attr:`unit` first, then :attr:`other_units`."""
        return (self.unit, *self.other_units)

    def __post_init__(self) -> None:
        if self.resolution not in ("day", "week"):
            msg = f"signal {self.name}: resolution must be day or week, not {self.resolution!r}"
            raise ValueError(msg)


@dataclass
class SourceData:
    """What parsing a source gives: tidy cumulative observations, regions, signals and notes.

    ``observations`` has ``region_id, date, cases, deaths`` (the pipeline adds the rest);
    ``regions`` has ``region_id, name, kind, parent, population``; ``signals`` (sources that
    declare :attr:`Source.signals`) has ``region_id, signal, pathogen, age_group, estimate,
    date, value, lo, hi`` (the pipeline adds ``source``, ``resolution`` and ``unit`` from the
    declaration); ``notes`` lists rows that were skipped or treated specially, each with
    its reason. A source of signals only gives empty observations and regions.
    """

    observations: pd.DataFrame
    regions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    signals: pd.DataFrame | None = None
    releases: tuple[pd.Timestamp, ...] = ()
    """A source with releases: every release its files hold, oldest first, also one that
    changed nothing (and so has no row of its own in ``signals``, its history)."""


Parser = Callable[[Mapping[str, Path], "Source"], SourceData]


@dataclass(frozen=True)
class Source:
    """An upstream data source behind the one interface the pipeline knows.

    >>> rki = get_source("rki")
    >>> [f.name for f in rki.files]
    ['COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv', 'COVID-19-Todesfaelle_Deutschland.csv']
    >>> rki.live, rki.interval_days, rki.default
    (True, 1, True)
    """

    name: str
    description: str
    licence: str
    homepage: str
    files: tuple[UpstreamFile, ...]
    parse_files: Parser
    default: bool = True
    """Fetched by a plain ``epicurves update``; others only when named with ``--source``."""
    live: bool = True
    """Still published upstream; ``False``: frozen, its files no longer change."""
    interval_days: int | None = 1
    """How often a live source publishes new data (1: daily, 7: weekly); its data are stale
    when older than twice this. ``None`` for a frozen source."""
    signals: tuple[Signal, ...] = ()
    """The surveillance signals it provides (a source may give signals and no observations)."""
    date_offset_days: int = 0
    """Days from the dates of its data to the last day they cover: 6 for weeks dated by their
    Monday (their data run to the Sunday), 0 for days and for weeks dated by their last day.
    How old its data are is counted from that last day."""
    delay_days: int = 0
    """The usual days from the last day a release covers to its publication (CDC: 4, a
    Wednesday after the Saturday that ends the week): staleness counts from then."""
    area: str = ""
    """Where its regions are, for sentences ("Europe"); "": named by its countries, or
    worldwide for more than three."""
    pauses: tuple[tuple[str, str], ...] = ()
    """Yearly periods (``MM-DD`` to ``MM-DD``, inclusive; may run over the new year) in which
    the source usually publishes nothing (a season's end): days in them do not make its data
    stale."""
    releases: bool = False
    """Publishes dated releases, each restating its whole history, and every release is kept
    (the signal rows carry ``release``; :func:`epicurves.load_signals` reads ``as_of`` a
    date). Its first file holds the releases: a stored release may differ from the same
    release parsed again only if that file changed. ``False``: only the current data are
    kept."""
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    """Other spellings of a region's name, by its display name: the upstream spelling first
    (where the display name differs from it), then other names people search for. Regions
    whose name has no other spelling are not listed; read-only. See :func:`display_aliases`."""

    def __post_init__(self) -> None:
        if self.live != (self.interval_days is not None and self.interval_days > 0):
            msg = (
                f"source {self.name}: a live source needs interval_days > 0, "
                "a frozen one interval_days=None"
            )
            raise ValueError(msg)
        problem = _alias_problem(self.aliases)
        if problem:
            msg = f"source {self.name}: {problem}"
            raise ValueError(msg)
        names = [s.name for s in self.signals]
        if len(set(names)) != len(names):
            msg = f"source {self.name}: a signal is declared twice in {names}"
            raise ValueError(msg)
        # read-only, whatever mapping was given: sources are shared by the whole process
        object.__setattr__(self, "aliases", MappingProxyType(dict(self.aliases)))

    def parse(self, paths: Mapping[str, Path]) -> SourceData:
        """Parse the files (keyed by upstream file name) into tidy tables."""
        return self.parse_files(paths, self)

    def signal(self, name: str) -> Signal | None:
        """The declared signal called ``name``, or ``None``."""
        return next((s for s in self.signals if s.name == name), None)

    def file(self, name: str) -> FileRef:
        """Upstream file ``name`` of this source, as the readers' errors name it."""
        return FileRef(self.name, name)


def display_aliases(
    renamed: Mapping[str, str], *also: Mapping[str, Sequence[str]]
) -> Mapping[str, tuple[str, ...]]:
    """Aliases by display name, read-only: each display name's upstream spellings (the keys of
    ``renamed``, upstream spelling -> display name), then its spellings in ``also``, each once.

    >>> dict(display_aliases({"US": "United States"}, {"United States": ["USA", "US"]}))
    {'United States': ('US', 'USA')}
    """
    out: dict[str, list[str]] = {}
    for upstream, display in renamed.items():
        if upstream != display:
            out.setdefault(display, []).append(upstream)
    for extra in also:
        for display, names in extra.items():
            out.setdefault(display, []).extend(names)
    return MappingProxyType(
        {
            d: tuple(n for n in dict.fromkeys(names) if n != d)
            for d, names in out.items()
        }
    )


def _alias_problem(aliases: Mapping[str, tuple[str, ...]]) -> str | None:
    """What is wrong with a source's aliases, else ``None``: each must be a tuple of non-empty
    names, none a display name itself, none listed for two regions (search would be ambiguous)."""
    owner: dict[str, str] = {}
    for display, names in aliases.items():
        if not isinstance(names, tuple) or not all(
            isinstance(n, str) and n.strip() for n in names
        ):
            return f"aliases of {display!r} must be a tuple of non-empty names, not {names!r}"
        for alias in names:
            if alias in aliases:
                return f"alias {alias!r} of {display!r} is itself a display name"
            if owner.setdefault(alias, display) != display:
                return (
                    f"alias {alias!r} is given to both {owner[alias]!r} and {display!r}"
                )
    return None

"""The pages over many regions (tables, compare, home, ``status.json``): declared once as data, rendered from every region's summary.

Each table page lists its tables with the selector of the regions they show
(:data:`TABLE_PAGES`); the graph (:mod:`.graph`) reads the same declarations
(:data:`COLLECTIONS`) to know which changes touch which page. Historic regions
(:mod:`epicurves.succession`) are never in a table, a count or a ranking; a table page lists the
historic regions its selector would pick as links. The renderers are pure: a :class:`SiteView`
and the settings in, ``(path, bytes)`` out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .. import __version__
from ..analysis.metrics import SUMMARY_FIELDS
from ..analysis.registry import COMPARE_METRICS as REGISTERED_COMPARE
from ..changes import RegionState
from ..charts.spec import SIGNAL_CHARTS
from ..formatting import fmt_int, fmt_num
from ..freshness import Freshness, cadence, region_status
from ..lazy import pd
from ..sources import SOURCES, aliases_of
from ..succession import SUCCESSIONS
from .europe import EUROPE_COLUMNS, STALE_WEEKS
from .graph import CASE_KINDS, Collection
from .maps import MAPS, map_collections
from .pages import (
    INCIDENCE_COLUMNS,
    NAV,
    SUMMARY_COLUMNS,
    incidence_table,
    region_href,
    summary_table,
)
from .render import environment, script_json

__all__ = [
    "COLLECTIONS",
    "RISE_MIN_CASES",
    "TABLE_PAGES",
    "THRESHOLD_PAGES",
    "SiteView",
    "Table",
    "TablePage",
    "compare_page",
    "home_files",
    "in_sentence",
    "percent_unit",
    "table_pages",
]

#: Weekly cases a region needs to appear among the biggest rises on the home page.
RISE_MIN_CASES = 100


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


def _german(kind: str) -> Callable[[RegionState], bool]:
    """German states or districts (their parents are ``DE`` and ``DE-..``)."""
    return lambda s: s.kind == kind and (s.parent or "").startswith("DE")


TABLE_PAGES: tuple[TablePage, ...] = (
    TablePage("regions/index.html", "All regions", "Every current region, with the source shown for it.",
              (Table("all", "All regions", lambda s: True),)),
    TablePage("countries/index.html", "Countries", "Tracking plots: Countries of the world.",
              (Table("countries", "Countries of the world", _kind("country")),
               Table("countries-incidence", "7-day incidence: countries", _kind("country"), incidence=True))),
    TablePage("germany/index.html", "Germany", "Germany, its states and its districts.",
              (Table("states", "German states", _german("state")),
               Table("districts", "German districts", _german("district")),
               Table("districts-incidence", "7-day incidence: German districts", _german("district"),
                     incidence=True))),
    TablePage("us/index.html", "US", "The states and territories of the United States.",
              (Table("us-states", "US states", lambda s: s.kind == "state" and s.parent == "US"),)),
)  # fmt: skip

#: Every file over many regions, with what it shows (see :mod:`.graph`).
COLLECTIONS: tuple[Collection, ...] = (
    # The tables show the regions' cases (their summaries and weekly sums), not their signals.
    *(
        Collection(p.path, p.select, data=True, parents=True, kinds=CASE_KINDS)
        for p in TABLE_PAGES
    ),
    # The compare page lists the current regions with data: a region becoming empty (or no
    # longer) is a change of its description too (kind ``empty``).
    Collection("compare/index.html", lambda s: True, data=False, parents=True),
    *map_collections(),
)

#: The table pages whose incidence tables highlight rows by the build's threshold: a new
#: threshold rewrites them.
THRESHOLD_PAGES = frozenset(
    p.path for p in TABLE_PAGES if any(t.incidence for t in p.tables)
)

#: The regions compare shows when its link names none.
COMPARE_DEFAULT = ("DE", "FR")

#: The metrics compare offers: (column, label), from the registry.
COMPARE_METRICS = tuple((m.name, m.label) for m in REGISTERED_COMPARE)


@dataclass
class SiteView:
    """Every region's state and summary, as the pages over many regions read them."""

    states: Mapping[str, RegionState]
    summaries: Mapping[str, Mapping[str, Any]]
    weekly: Mapping[str, list[float | None]]

    def current(self) -> dict[str, RegionState]:
        """The regions that are not historic."""
        return {r: s for r, s in self.states.items() if not s.historic}

    def frame(self, ids: Iterable[str]) -> pd.DataFrame:
        """The summary rows of ``ids`` (those with data), in region id order."""
        rows = [self.summaries[r] for r in sorted(ids) if r in self.summaries]
        return pd.DataFrame.from_records(rows, columns=list(SUMMARY_FIELDS))


def _add_aliases(
    rows: list[dict[str, Any]], frame: pd.DataFrame, states: Mapping[str, RegionState]
) -> None:
    """Each row's other spellings, which the table's search finds (hidden in the name cell)."""
    for row, region in zip(rows, frame["region_id"], strict=True):
        state = states.get(str(region))
        row["aliases"] = " ".join(_aliases(state)) if state is not None else ""


def _table_context(page: TablePage, view: SiteView, threshold: float) -> dict[str, Any]:
    current = view.current()
    names = {r: s.name for r, s in view.states.items()}
    weekly = {
        r: [float("nan") if v is None else v for v in w] for r, w in view.weekly.items()
    }
    high = f"Rows with a 7-day incidence of {threshold:g} or more per 100 000 are highlighted."
    tables = []
    for table in page.tables:
        frame = view.frame(r for r, s in current.items() if table.select(s))
        key = "incidence_7d" if table.incidence else "new_cases_last_week"
        ordered = frame.sort_values(
            key, ascending=False, na_position="last", kind="stable"
        )
        if table.incidence:
            rows = incidence_table(ordered, names, threshold)
            _add_aliases(rows, ordered, current)
            tables.append({"id": table.id, "title": table.title, "columns": INCIDENCE_COLUMNS, "rows": rows,
                           "order_column": 3, "page_length": max(len(rows), 1), "incidence": True, "note": high})  # fmt: skip
        else:
            rows = summary_table(ordered, weekly, names)
            _add_aliases(rows, ordered, current)
            tables.append({"id": table.id, "title": table.title, "columns": SUMMARY_COLUMNS, "rows": rows,
                           "order_column": 3, "page_length": 25, "incidence": False, "note": ""})  # fmt: skip
    historic = [
        {"name": s.name, "href": region_href(r), "successor": SUCCESSIONS[r].successor}
        for r, s in sorted(view.states.items(), key=lambda kv: (kv[1].name, kv[0]))
        if s.historic and s.observed and page.select(s)
    ]
    return {"root": "../", "page": "table", "current": page.path, "title": page.heading,
            "heading": page.heading, "intro": page.intro, "tables": tables, "breadcrumbs": None,
            "historic": historic}  # fmt: skip


def table_pages(
    paths: Iterable[str], view: SiteView, threshold: float, common: Mapping[str, Any]
) -> Iterator[tuple[str, bytes]]:
    """The table pages among ``paths``, rendered."""
    wanted = set(paths)
    template = environment().get_template("table.html")
    for page in TABLE_PAGES:
        if page.path in wanted:
            context = _table_context(page, view, threshold)
            yield page.path, template.render(**common, **context).encode()


def _aliases(state: RegionState) -> tuple[str, ...]:
    """Other spellings of a region's name that search finds (the upstream one, ...)."""
    return aliases_of(state.source, state.name) if state.source in SOURCES else ()


def compare_page(view: SiteView, common: Mapping[str, Any]) -> bytes:
    """The compare page: its picker lists every current region with data, by name, with the
    name of its parent and its other spellings for search."""
    current = view.current()
    regions = [
        [
            r,
            s.name,
            ""
            if not s.parent or s.kind == "country"
            else (view.states[s.parent].name if s.parent in view.states else s.parent),
            " ".join(_aliases(s)),
        ]
        for r, s in sorted(current.items(), key=lambda kv: (kv[1].name, kv[0]))
        if r in view.summaries
    ]
    listed = {r[0] for r in regions}
    config = {
        "data": "../data/",
        "default": [r for r in COMPARE_DEFAULT if r in listed],
        "regions": regions,
    }
    html = environment().get_template("compare.html").render(
        **common, root="../", page="compare", current="compare/index.html", title="Compare",
        breadcrumbs=None, metrics=COMPARE_METRICS,
        config=script_json(json.dumps(config, ensure_ascii=False, separators=(",", ":"))),
    )  # fmt: skip
    return html.encode()


def _rises(view: SiteView) -> list[dict[str, str]]:
    """The biggest week-on-week rises among the current regions with enough cases: regions
    of live sources first, then the frozen ones, marked with their last date."""
    current = view.current()
    rows = [
        view.summaries[r]
        for r in sorted(current)
        if r in view.summaries
        and (view.summaries[r]["new_cases_last_week"] or 0) >= RISE_MIN_CASES
        and view.summaries[r]["week_change_pct"] is not None
    ]
    status = {
        str(r["region_id"]): region_status(current[str(r["region_id"])].source, False)
        for r in rows
    }
    rows.sort(
        key=lambda s: (
            status[str(s["region_id"])] != "live",
            -float(s["week_change_pct"]),
        )
    )
    return [
        {"href": region_href(str(r["region_id"])), "name": str(r["name"]),
         "status": status[str(r["region_id"])],
         "last_date": str(r["last_date"]), "new_cases_last_week": fmt_int(r["new_cases_last_week"]),
         "week_change": fmt_num(r["week_change_pct"], 0, " %", sign=True)}
        for r in rows[:10]
    ]  # fmt: skip


#: Country names a sentence says with "the" ("in the United States"): unions, republics,
#: kingdoms, federations, islands and plurals.
_WITH_THE = re.compile(
    r"^(United|Republic|Holy See)\b|\b(Republic|Kingdom|Federation|Emirates|Islands)$"
    r"|^(Netherlands|Philippines|Bahamas|Gambia|Maldives|Comoros|Seychelles)$"
)


def in_sentence(name: str) -> str:
    """A country's name as a sentence says it.

    >>> in_sentence("United States"), in_sentence("Germany"), in_sentence("Netherlands")
    ('the United States', 'Germany', 'the Netherlands')
    >>> in_sentence("Dominican Republic"), in_sentence("Republic of Korea")
    ('the Dominican Republic', 'the Republic of Korea')
    """
    return f"the {name}" if _WITH_THE.search(name) else name


def percent_unit(unit: str) -> str:
    """The unit of a share (0-1) shown in percent, as its value reads: ``0.37 %`` of what.

    >>> percent_unit("share of ED visits"), percent_unit("proportion")
    ('% of ED visits', '%')
    """
    rest = re.sub(r"^(share|proportion|fraction)\b\s*", "", unit)
    return f"% {rest}" if rest.startswith("of ") else "%"


def _units_agree(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a "today" card with each unit agreeing with its value: a share the card
    shows in percent (a chart with ``percent``) has its unit in percent too."""
    shares = {c.signal for c in SIGNAL_CHARTS if c.percent}
    return [
        row | {"unit": percent_unit(str(row["unit"]))}
        if row.get("signal") in shares
        else row
        for row in rows
    ]


def live_by_country(
    fresh: list[Freshness],
    states: Mapping[str, RegionState],
    signal_regions: Mapping[str, Iterable[str]],
) -> dict[str, Any]:
    """Which countries have live sources, and which sources are frozen, from the registry
    (:attr:`epicurves.sources.Source.live`) and the regions each source gives (its case
    regions, and ``signal_regions``: source -> region ids of its signals): ``{"live":
    [(country, [source, ...]), ...], "frozen": [source, ...]}``. A source of more than three
    countries counts as worldwide.

    >>> live_by_country([], {}, {})
    {'live': [], 'frozen': []}
    """
    by_source: dict[str, set[str]] = {f.source: set() for f in fresh}
    for region_id, state in states.items():
        if state.source in by_source:
            by_source[state.source].add(region_id)
    for source, ids in signal_regions.items():
        if source in by_source:
            by_source[source].update(ids)
    live: dict[str, list[str]] = {}
    frozen = []
    for f in fresh:
        if not SOURCES[f.source].live:
            frozen.append(f.source)
            continue
        codes = {rid.split("-")[0] for rid in by_source[f.source]}
        if SOURCES[f.source].area:
            place = SOURCES[f.source].area
        elif len(codes) > 3 or not codes:
            place = "worldwide"
        else:
            names = sorted(states[c].name if c in states else c for c in codes)
            place = " and ".join(in_sentence(n) for n in names)
        live.setdefault(place, []).append(f.source)
    return {"live": sorted(live.items()), "frozen": frozen}


def _source_rows(
    fresh: list[Freshness], current: Mapping[str, RegionState]
) -> list[dict[str, Any]]:
    """A row per stored source: what it is, how current, how many regions it is shown for."""
    rows = []
    for f in fresh:
        source = SOURCES[f.source]
        publishes = "frozen" if not source.live else f"live, {cadence(source)}"
        rows.append({
            "name": f.source, "homepage": source.homepage, "licence": source.licence,
            "cadence": publishes, "regions": sum(1 for s in current.values() if s.source == f.source),
            "first_date": f.first_date, "vintage": f.vintage,
            "checked": f.checked_at[:16].replace("T", " "), "changed": f.changed_at[:16].replace("T", " "),
            "stale": f.stale, "live": source.live, "interval": cadence(source),
        })  # fmt: skip
    return rows


def home_files(
    view: SiteView,
    fresh: list[Freshness],
    common: Mapping[str, Any],
    now: datetime,
    generations: tuple[int, int],
    today: list[dict[str, Any]] | None = None,
    us_today: list[dict[str, Any]] | None = None,
    signal_regions: Mapping[str, Iterable[str]] | None = None,
    europe: list[dict[str, Any]] | None = None,
) -> list[tuple[str, bytes]]:
    """The home page and ``status.json``: the only files with the build time and the sources'
    freshness. ``generations`` are the site's and the store's; ``today`` the rows of the
    "Germany today" card (:func:`.today.germany_today`), ``us_today`` those of "United
    States today" (:func:`.today.us_today`), ``europe`` those of "Europe today"
    (:func:`.europe.europe_rows`)."""
    warnings = [w for f in fresh for w in f.warnings]
    current = view.current()
    counts = {
        k: sum(1 for s in current.values() if s.kind == k)
        for k in ("country", "state", "district")
    }
    html = environment().get_template("home.html").render(
        **common, root="", page="home", current="index.html", title="Home", breadcrumbs=None,
        counts=counts, rises=_rises(view), rise_min=RISE_MIN_CASES,
        built=now.strftime("%Y-%m-%d %H:%M UTC"), sources=_source_rows(fresh, current),
        warnings=warnings, tables=[(label, href) for label, href in NAV[1:5]],
        today=_units_agree(today or []), us_today=_units_agree(us_today or []),
        europe=europe or [], europe_columns=EUROPE_COLUMNS, europe_stale=STALE_WEEKS,
        countries=live_by_country(fresh, view.states, signal_regions or {}),
        maps=[{"title": m.title, "path": m.path, "chart": m.chart, "name": m.name,
               "summary": m.summary} for m in MAPS],
    )  # fmt: skip
    status = {
        "built_at": now.isoformat(timespec="seconds"),
        "epicurves": __version__,
        "site_generation": generations[0],
        "store_generation": generations[1],
        "regions": len(view.summaries),
        "sources": [f.to_dict() for f in fresh],
        "warnings": warnings,
    }
    return [
        ("index.html", html.encode()),
        ("status.json", (json.dumps(status, indent=1) + "\n").encode()),
    ]

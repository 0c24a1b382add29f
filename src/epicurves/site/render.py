"""Rendering a chunk of regions: a pure function from explicit inputs to the files to write.

:func:`render_chunk` reads the given regions' rows from the store files it is handed (one
generation's Parquet files, filtered while reading), computes their metrics, and returns each
region's page, data scripts and notebook as bytes, with the summary rows the tables need. It uses
nothing but its argument, so a local process pool and a Dask cluster run it alike
(:mod:`epicurves.executor`), and the same regions always give the same bytes, whichever chunk
they are in.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..analysis import CoriOptions, compute_metrics, summarize
from ..charts.spec import CHART_DOCS
from ..formatting import fmt_int, fmt_num, is_missing
from ..headline import headline
from ..lazy import pd
from ..model import REGION_COLUMNS
from ..notebooks import region_notebook
from ..store import read_observations, read_signals
from .graph import PAGE, REGION_FILES, SIGNAL_SCRIPT
from .pages import (
    CSP,
    KIND_LABELS,
    binder_url,
    region_href,
    weekly_sums,
)
from .payload import RegionFiles, region_files
from .signals import SignalFiles, page_config, signal_files, signal_key

__all__ = [
    "FLAG_TEXT",
    "ChunkJob",
    "ChunkResult",
    "RegionJob",
    "environment",
    "json_ready",
    "render_chunk",
    "script_json",
    "write_chunk",
]

#: Data notes listed on a region page, newest first (all are in its JSON).
MAX_FLAGS_SHOWN = 12
FLAG_TEXT = {
    "cases-decrease": "the cumulative case count went down (a correction): negative daily cases",
    "deaths-decrease": "the cumulative death count went down (a correction): negative daily deaths",
    "cases-missing": "no case count was published",
    "deaths-missing": "no death count was published",
    "cases-gap": "no new cases reported after a week with many: probably a day without reporting",
    "deaths-gap": "no new deaths reported after a week with many: probably a day without reporting",
    "cases-backlog": "a spike of cases, five times the week before: probably late reports",
    "deaths-backlog": "a spike of deaths, five times the week before: probably late reports",
}


@dataclass(frozen=True)
class RegionJob:
    """One region to render: who it is, which of its files to write, and what its page says of
    other regions (breadcrumbs, parts, peers, successions; JSON-ready values)."""

    region_id: str
    source: str
    name: str
    kind: str
    parent: str | None
    population: int | None
    files: tuple[str, ...]
    """Patterns of :data:`~epicurves.site.graph.REGION_FILES` to write."""
    page: Mapping[str, Any] = field(default_factory=dict)
    signals: bool = False
    """Whether the region has surveillance signals (its page has their section)."""
    signal_charts: tuple[dict[str, Any], ...] | None = None
    """What its page says about its signal charts, from the build before (its signals did
    not change, and its signal data script is not rewritten): the signals are not read."""
    signals_only: bool = False
    """Whether its page is rendered for a change of its signals alone
    (:attr:`.Plan.signals_only`): the published page is kept but for its signal parts,
    rendered again (:data:`SIGNAL_BLOCKS`), and its cases are not read."""


@dataclass(frozen=True)
class ChunkJob:
    """Everything :func:`render_chunk` needs, passed explicitly (it is pickled to workers)."""

    observations: Mapping[str, str]
    """Source -> its observations file in the pinned store generation."""
    regions: tuple[RegionJob, ...]
    common: Mapping[str, Any]
    """Template context of every page: navigation, asset names, version, and ``binder`` (the
    Binder repository and ref the region pages link to, or None)."""
    cori: CoriOptions
    out: str | None = None
    """For :func:`write_chunk`: the new generation's folder, where the files are written."""
    old: str | None = None
    """For :func:`write_chunk`: the published generation; an unchanged file is linked from it."""
    signals: tuple[str, ...] = ()
    """The signals files of the pinned store generation that hold signals of the chunk's
    regions."""
    newest: Mapping[str, str] = field(default_factory=dict)
    """The newest date of each signal in its source (``source/signal`` -> ``YYYY-MM-DD``):
    where the provisional weeks count from (:func:`.signals.provisional_now`)."""


@dataclass
class ChunkResult:
    """What a chunk gives back: files to write, and each region's summary and weekly sums."""

    files: list[tuple[str, bytes]]
    summaries: dict[str, dict[str, Any]]
    weekly: dict[str, list[float | None]]
    empty: list[str]
    """Regions without a single observation: they have no files."""
    absent: list[str] = field(default_factory=list)
    """Files a region does not have (the signal script of a region without signals): not
    carried over from the published generation."""
    written: list[str] = field(default_factory=list)
    """Paths :func:`write_chunk` wrote (then ``files`` is empty)."""
    signal_charts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """What the pages say about the signal charts of the regions whose signals were read."""


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the site's templates (autoescape on), one per process; the
    compiled templates are kept in Jinja2's cache folder (in the system's temporary folder,
    private to the user, keyed by each template's source), so a process does not compile
    them again."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("epicurves.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
    )
    env.globals["csp"] = CSP
    env.globals["chart_docs"] = CHART_DOCS
    env.globals["docs_href"] = docs_href
    return env


def docs_href(docs: str | None, root: str, path: str = "") -> str:
    """The link to ``path`` of the documentation at ``docs`` from a page ``root`` below the
    site's top: an address with a scheme, or one from the host's top (``/docs/``), as it is; a
    relative one (``../docs/``) from the site's top. Without documentation (None), the site's
    own Analysis page.

    >>> docs_href("https://docs.example.org/", "../../", "guides/analysis.html#analysis-r")
    'https://docs.example.org/guides/analysis.html#analysis-r'
    >>> docs_href("../docs/", "../../", "guides/"), docs_href(None, "../", "guides/")
    ('../../../docs/guides/', '../analysis/index.html')
    """
    if docs is None:
        return f"{root}analysis/index.html"
    anchored = docs.startswith("/") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", docs)
    return (docs if anchored else root + docs) + path


def json_ready(value: Any) -> Any:
    """A summary value as JSON: dates as ``YYYY-MM-DD``, missing as None, numpy as Python.

    >>> json_ready(pd.Timestamp("2021-03-01")), json_ready(float("nan")), json_ready(pd.NA)
    ('2021-03-01', None, None)
    """
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value.item() if hasattr(value, "item") else value


def script_json(text: str) -> Markup:
    """JSON made safe inside a <script> element, as Jinja2's ``tojson`` does."""
    safe = (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
    )
    return Markup(safe)


def _headline(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"label": k, "value": v} for k, v in headline(summary).items()]


def _chart_text(job: RegionJob, summary: Mapping[str, Any]) -> str:
    """What the charts show, as text: their text alternative."""
    parts = [
        f"The charts show the daily cases and deaths of {job.name}, their 7-day incidence, "
        f"R and doubling time, up to {summary['last_date']}."
    ]
    latest = []
    if summary["incidence_7d"] is not None:
        latest.append(f"7-day incidence {fmt_num(summary['incidence_7d'])} per 100 000")
    if summary["new_cases_last_week"] is not None:
        latest.append(
            f"{fmt_int(summary['new_cases_last_week'])} new cases in the last 7 days"
        )
    if summary["week_change_pct"] is not None:
        latest.append(
            f"{fmt_num(summary['week_change_pct'], 0, ' %', sign=True)} week on week"
        )
    if summary["r_cori"] is not None:
        latest.append(
            f"R (Cori) {fmt_num(summary['r_cori'], 2)} on {summary['r_cori_date']}"
        )
    if latest:
        parts.append("Latest: " + ", ".join(latest) + ".")
    return " ".join(parts)


def _page_context(
    job: RegionJob,
    item: RegionFiles,
    summary: Mapping[str, Any],
    signals: SignalFiles | None = None,
) -> dict[str, Any]:
    """The region page's template context: the job's links to other regions, its own numbers."""
    flags = [
        {"date": date, "text": "; ".join(FLAG_TEXT.get(t, t) for t in text.split(";"))}
        for date, text in item.flags[:MAX_FLAGS_SHOWN]
    ]
    context = _signal_context(job, signals)
    page, root = dict(job.page), context["root"]
    return context | {
        "region": context["region"] | {"vintage": item.vintage},
        "headline": _headline(summary),
        "chart_text": _chart_text(job, summary),
        "flags": flags,
        "more_flags": max(len(item.flags) - MAX_FLAGS_SHOWN, 0),
        "latest": item.latest,
        "config": script_json(
            json.dumps(
                {
                    "region": job.region_id,
                    "data": root + "data/",
                    "root": root,
                    "peers": [
                        {"region_id": p["region_id"], "name": p["name"]}
                        for p in page.get("peers", [])
                    ],
                },
                ensure_ascii=False,
            )
        ),
        "breadcrumbs": [("Home", "index.html")]
        + [(name, region_href(rid)) for rid, name in page.get("ancestors", [])],
    }


def _signal_context(job: RegionJob, signals: SignalFiles | None) -> dict[str, Any]:
    """What the region page's signal parts (:data:`SIGNAL_BLOCKS`) are rendered from; the
    rest of the page's context adds to it."""
    root = "../../"
    return dict(job.page) | {
        "root": root,
        "page": "region",
        "current": "",
        "title": job.name,
        "region": {
            "region_id": job.region_id,
            "name": job.name,
            "kind_label": KIND_LABELS.get(job.kind, job.kind),
            "population": fmt_int(job.population),
            "file": job.region_id,
        },
        "signals": [] if signals is None else signals.charts,
        "signals_config": None
        if signals is None
        else script_json(
            json.dumps(
                {
                    "key": signal_key(job.region_id),
                    "charts": page_config(signals.charts),
                },
                ensure_ascii=False,
            )
        ),
    }


def _regions_frame(jobs: tuple[RegionJob, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "region_id": j.region_id,
                "name": j.name,
                "kind": j.kind,
                "parent": j.parent,
                "population": j.population,
                "source": j.source,
            }
            for j in jobs
        ],
        columns=list(REGION_COLUMNS),
    )
    return frame.astype(REGION_COLUMNS)


def _case_files(
    job: ChunkJob, regions: tuple[RegionJob, ...]
) -> tuple[
    dict[str, dict[str, Any]], dict[str, list[float | None]], dict[str, RegionFiles]
]:
    """The summaries, weekly sums and case files (:func:`.payload.region_files`) of
    ``regions`` of the chunk, from their observations."""
    by_source: dict[str, list[str]] = {}
    for region in regions:
        by_source.setdefault(region.source, []).append(region.region_id)
    frames = [
        read_observations([Path(job.observations[source])], regions=ids)
        for source, ids in sorted(by_source.items())
    ]
    observations = (
        pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    )
    frame = _regions_frame(regions)
    metrics = compute_metrics(observations, frame, cori=job.cori)
    summary = summarize(metrics, frame)
    summaries = {
        str(row["region_id"]): {str(k): json_ready(v) for k, v in row.items()}
        for row in summary.to_dict(orient="records")
    }
    weekly = {
        region: [None if math.isnan(v) else v for v in values]
        for region, values in weekly_sums(metrics).items()
    }
    return summaries, weekly, region_files(metrics, frame, job.cori.provisional_days)


#: The parts of a region page that show its signals: blocks of ``region.html``, each
#: between its two markers, in the order of the page.
SIGNAL_BLOCKS = {
    "surveillance": ("<!--surveillance-->", "<!--/surveillance-->"),
    "signal_scripts": ("<!--signal-scripts-->", "<!--/signal-scripts-->"),
}


def _signal_spans(page: str) -> list[tuple[int, int]] | None:
    """Where the :data:`SIGNAL_BLOCKS` are in a rendered page, markers included (each once,
    in order), or None."""
    spans: list[tuple[int, int]] = []
    for first, last in SIGNAL_BLOCKS.values():
        start, end = page.find(first), page.find(last)
        if start < 0 or end < start or page.count(first) + page.count(last) != 2:
            return None
        if spans and start < spans[-1][1]:
            return None
        spans.append((start, end + len(last)))
    return spans


def _published_pages(job: ChunkJob) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    """The published pages of the chunk's regions whose signals alone changed (and whose
    page and signal data script alone are written), with where their signal parts are."""
    if job.old is None:
        return {}
    out = {}
    for region in job.regions:
        if not (region.signals_only and region.signals):
            continue
        if not set(region.files) <= {PAGE, SIGNAL_SCRIPT}:
            continue
        path = Path(job.old) / PAGE.format(id=region.region_id)
        try:
            page = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        spans = _signal_spans(page)
        if spans is not None:
            out[region.region_id] = (page, spans)
    return out


def _spliced(
    page: str,
    spans: list[tuple[int, int]],
    region: RegionJob,
    template: jinja2.Template,
    job: ChunkJob,
    sig: SignalFiles | None,
) -> bytes:
    """A published region page with its signal parts rendered again: the page a full render
    gives, when nothing but the region's signals changed."""
    context = template.new_context({**job.common, **_signal_context(region, sig)})
    parts, at = [], 0
    for (start, end), (name, (first, last)) in zip(
        spans, SIGNAL_BLOCKS.items(), strict=True
    ):
        block = "".join(template.blocks[name](context))
        parts += [
            page[at:start],
            block[block.index(first) : block.rindex(last) + len(last)],
        ]
        at = end
    return "".join([*parts, page[at:]]).encode()


def render_chunk(job: ChunkJob) -> ChunkResult:
    """Render the files of ``job``'s regions; pure: the same job gives the same bytes (a
    region whose signals alone changed: given the published generation's page)."""
    # signals are read for the regions whose data script is written, or whose page has no
    # charts from the build before
    with_signals = [
        r.region_id
        for r in job.regions
        if r.signals and (SIGNAL_SCRIPT in r.files or r.signal_charts is None)
    ]
    sig_items = (
        signal_files(
            read_signals([Path(f) for f in job.signals], regions=with_signals),
            {r.region_id for r in job.regions if SIGNAL_SCRIPT in r.files},
            job.newest,
        )
        if with_signals and job.signals
        else {}
    )
    charts = {region: item.charts for region, item in sig_items.items()}
    for r in job.regions:
        if r.signals and r.region_id not in with_signals and r.signal_charts:
            sig_items[r.region_id] = SignalFiles("", list(r.signal_charts))
    published = {  # (with signals still: its new page has their parts)
        region: page
        for region, page in _published_pages(job).items()
        if region in sig_items
    }
    cases = tuple(r for r in job.regions if r.region_id not in published)
    summaries, weekly, items = _case_files(job, cases) if cases else ({}, {}, {})
    absent: list[str] = []
    template = environment().get_template("region.html")
    files: list[tuple[str, bytes]] = []
    empty: list[str] = []
    for region in job.regions:
        item = items.get(region.region_id)
        kept = published.get(region.region_id)
        if item is None and kept is None:
            empty.append(region.region_id)
            continue
        sig = sig_items.get(region.region_id)
        for file in REGION_FILES:
            if file.pattern == SIGNAL_SCRIPT and sig is None:
                absent.append(file.path(region.region_id))
                continue
            if file.pattern not in region.files:
                continue
            if kept is None:
                assert item is not None
                data = _render(
                    file.pattern, region, item, summaries, template, job, sig
                )
            elif file.pattern == PAGE:
                data = _spliced(*kept, region, template, job, sig)
            else:  # its signal data script (what else it would write is not spliced)
                assert sig is not None
                data = sig.data.encode()
            files.append((file.path(region.region_id), data))
    return ChunkResult(
        files, summaries, weekly, empty, absent=absent, signal_charts=charts
    )


def _render(
    pattern: str,
    region: RegionJob,
    item: RegionFiles,
    summaries: Mapping[str, Mapping[str, Any]],
    template: jinja2.Template,
    job: ChunkJob,
    sig: SignalFiles | None = None,
) -> bytes:
    """One file of one region, by its pattern in :data:`REGION_FILES`."""
    if pattern.startswith("region/"):
        context = _page_context(region, item, summaries[region.region_id], sig)
        # the notebook as binder/postBuild writes it into the image (``common["binder"]``:
        # the Binder repository and ref, or None: no link)
        context["binder_notebook"] = binder_url(
            job.common.get("binder"), f"notebooks/{region.region_id}.ipynb"
        )
        return template.render(**job.common, **context).encode()
    if pattern.endswith(".sig.js"):
        assert sig is not None
        return sig.data.encode()
    if pattern.endswith(".inc.js"):
        return item.inc.encode()
    if pattern.endswith(".js"):
        return item.data.encode()
    source = region.page["source"]
    peers = [p["region_id"] for p in region.page.get("peers", [])]
    notebook = region_notebook(
        region.region_id, region.name, source["name"], source["licence"], peers
    )
    return (notebook + "\n").encode()  # as `epicurves notebook` writes it


def write_chunk(job: ChunkJob) -> ChunkResult:
    """:func:`render_chunk`, then write its files into ``job.out`` where the worker runs: the
    files do not travel back to the caller (on a cluster, ``job.out`` is on a shared file
    system). Returns the result with the paths written instead of the bytes."""
    from .publish import put_file

    result = render_chunk(job)
    if job.out is None:
        return result
    folder, old = Path(job.out), None if job.old is None else Path(job.old)
    for path, data in result.files:
        put_file(folder, old, path, data)
    result.written = [path for path, _ in result.files]
    result.files = []
    return result

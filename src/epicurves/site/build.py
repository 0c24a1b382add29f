"""Build the static site from the store: tables, a page per region, downloads, assets.

The charts are laid out once (:func:`epicurves.plots.chart_item`, one cached script for the
whole site); each region page carries only its own data (the payload of
:mod:`epicurves.site.payload`, embedded with ``tojson``) and a small HTML page, rendered in
parallel on every core. The site is built in a temporary folder beside ``out`` and swapped in
only when complete: a failed build never replaces a working site.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup

from .. import plots
from ..analysis import CoriOptions, summarize
from ..catalog import load_metrics, load_regions
from ..config import Settings
from ..errors import StoreError, UsageError
from ..model import pick_shown
from ..notebooks import region_notebook
from ..sources import SOURCES
from ..store import Store
from .assets import copy_assets
from .pages import (
    INCIDENCE_COLUMNS,
    KIND_LABELS,
    NAV,
    SUMMARY_COLUMNS,
    fmt_int,
    fmt_num,
    incidence_table,
    region_href,
    summary_table,
    weekly_sums,
)
from .payload import RegionFiles, region_files

__all__ = ["BuildReport", "build_site"]

CONTENT = Path(__file__).parent / "content"
#: Countries OSCOVIDA compared every country with.
COUNTRY_PEERS = ("DE", "AU", "PL", "KR", "BY", "CH", "US")
NO_VALUE = "\N{EN DASH}"
#: Data notes listed on a region page, newest first (all are in its JSON).
MAX_FLAGS_SHOWN = 12
#: Weekly cases a region needs to appear among the biggest rises on the home page.
RISE_MIN_CASES = 100
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


@dataclass
class BuildReport:
    """What a build wrote and how long it took."""

    out: Path
    region_pages: int
    pages: int
    seconds: float
    region_seconds: float
    """Wall time spent on the region pages (data files included)."""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("epicurves.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _markdown(text: str) -> tuple[dict[str, str], Markup]:
    """Front matter (``key: value`` lines between ``---``) and the HTML of a Markdown text.

    Raw HTML in the Markdown is escaped, not passed through.
    """
    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        for line in head.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    html = MarkdownIt("commonmark", {"html": False}).render(text)
    return meta, Markup(html)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


# -- state shared with the worker processes (inherited by fork) ------------------------------
_JOB: dict[str, Any] = {}


def _render_regions(ids: list[str]) -> int:
    """Write the page, JSON and CSV of each region in ``ids`` (in a worker process)."""
    env = _environment()
    template = env.get_template("region.html")
    job = _JOB
    metrics = job["metrics"]
    rows = metrics[metrics["region_id"].isin(ids)]
    files = region_files(rows, job["shown"], job["provisional_days"])
    for region_id in ids:
        item = files[region_id]
        context = _region_context(region_id, item, job)
        _write(
            job["out"] / region_href(region_id),
            template.render(**job["common"], **context),
        )
        _write(job["out"] / "data" / f"{region_id}.json", item.json)
        _write(job["out"] / "data" / f"{region_id}.csv", item.csv)
        info = job["info"][region_id]
        source = job["sources"][info["source"]]
        notebook = region_notebook(
            region_id, info["name"], source["name"], source["licence"]
        )
        _write(job["out"] / "notebooks" / f"{region_id}.ipynb", notebook)
    return len(ids)


def _script_json(text: str) -> Markup:
    """JSON made safe inside a <script> element, as Jinja2's ``tojson`` does."""
    safe = (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
    )
    return Markup(safe)


def _region_context(
    region_id: str, item: RegionFiles, job: dict[str, Any]
) -> dict[str, Any]:
    info = job["info"][region_id]
    summary = job["summary"][region_id]
    root = "../../"
    parent_chain = []
    parent = info["parent"]
    while parent and parent in job["info"]:
        parent_chain.append((job["info"][parent]["name"], region_href(parent)))
        parent = job["info"][parent]["parent"]
    breadcrumbs = [("Home", "index.html"), *reversed(parent_chain)]
    flags = [
        {"date": date, "text": "; ".join(FLAG_TEXT.get(t, t) for t in text.split(";"))}
        for date, text in item.flags[:MAX_FLAGS_SHOWN]
    ]
    r_text = fmt_num(summary["r_cori"], 2)
    if r_text and summary["r_cori_lo"] is not None:
        r_text += f" ({fmt_num(summary['r_cori_lo'], 2)}\N{EN DASH}{fmt_num(summary['r_cori_hi'], 2)})"
    headline = [
        ("total cases", fmt_int(summary["total_cases"])),
        ("total deaths", fmt_int(summary["total_deaths"])),
        ("new cases last week", fmt_int(summary["new_cases_last_week"])),
        ("7-day incidence per 100k", fmt_num(summary["incidence_7d"])),
        (
            "week-on-week change",
            fmt_num(summary["week_change_pct"], 0, " %", sign=True),
        ),
        (f"R (Cori), {summary['r_cori_date'] or 'n/a'}", r_text),
    ]
    children = [
        {"name": job["info"][c]["name"], "href": region_href(c)}
        for c in job["children"].get(region_id, [])
    ]
    kind = info["kind"]
    titles = {"country": "States", "state": "Districts"}
    return {
        "root": root,
        "page": "region",
        "current": "",
        "title": info["name"],
        "breadcrumbs": breadcrumbs,
        "region": {
            "region_id": region_id,
            "name": info["name"],
            "kind_label": KIND_LABELS.get(kind, kind),
            "population": fmt_int(info["population"]),
            "vintage": item.vintage,
            "stale": item.vintage < job["stale_before"],
            "file": region_id,
        },
        "source": job["sources"][info["source"]],
        "headline": [
            {"label": label, "value": value or NO_VALUE} for label, value in headline
        ],
        "flags": flags,
        "more_flags": max(len(item.flags) - MAX_FLAGS_SHOWN, 0),
        "latest": item.latest,
        "children": children,
        "children_title": titles.get(kind, "Parts"),
        "payload": _script_json(item.json),
        "peers": [
            {
                "region_id": p,
                "name": job["info"][p]["name"],
                "url": f"{root}data/{p}.json",
            }
            for p in job["peers"][region_id]
        ],
        "others": job["others"].get(region_id, []),
    }


def _peers(
    info: dict[str, dict[str, Any]], children: dict[str, list[str]]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for region_id, row in info.items():
        parent = row["parent"]
        if row["kind"] == "country" or not parent:
            peers = [p for p in COUNTRY_PEERS if p != region_id and p in info]
        else:
            siblings = [s for s in children.get(parent, []) if s != region_id]
            pop = row["population"] or 0
            siblings.sort(key=lambda s: abs((info[s]["population"] or 0) - pop))
            peers = ([parent] if parent in info else []) + siblings[:5]
        out[region_id] = peers[:7]
    return out


def build_site(
    settings: Settings,
    out: Path,
    *,
    threshold: float = 50.0,
    workers: int | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> BuildReport:
    """Build the whole site from the store into ``out`` (replaced only when complete)."""
    started = time.perf_counter()
    check_target(Path(out))
    store = Store(settings.store_dir)
    meta = store.meta()
    if not meta:
        msg = (
            f"the store in {settings.store_dir} is empty: run `epicurves update` first"
        )
        raise StoreError(msg)
    progress("load and compute metrics")
    regions_all = load_regions(all_sources=True, settings=settings)
    shown = pick_shown(regions_all, settings.precedence)
    cori = CoriOptions()
    metrics = load_metrics(settings=settings, cori=cori)
    summary = summarize(metrics, shown)
    info: dict[str, dict[str, Any]] = {
        str(r["region_id"]): {
            "name": str(r["name"]),
            "kind": str(r["kind"]),
            "parent": None if _na(r["parent"]) else str(r["parent"]),
            "population": None if _na(r["population"]) else int(r["population"]),
            "source": str(r["source"]),
        }
        for r in shown.to_dict(orient="records")
    }
    children: dict[str, list[str]] = {}
    for region_id, row in sorted(info.items(), key=lambda kv: str(kv[1]["name"])):
        if row["parent"]:
            children.setdefault(row["parent"], []).append(region_id)
    others: dict[str, list[str]] = {}
    for r in regions_all.itertuples(index=False):
        if (
            str(r.region_id) in info
            and str(r.source) != info[str(r.region_id)]["source"]
        ):
            others.setdefault(str(r.region_id), []).append(str(r.source))
    sources = {
        name: {
            "name": name,
            "homepage": source.homepage,
            "description": source.description,
            "licence": source.licence,
            "vintage": meta[name].vintage if name in meta else "",
            "first_date": meta[name].first_date if name in meta else "",
            "regions": int((shown["source"] == name).sum()),
        }
        for name, source in SOURCES.items()
    }
    summary_by_region = {
        str(r["region_id"]): {k: (None if _na(v) else v) for k, v in r.items()}
        for r in summary.assign(
            r_cori_date=summary["r_cori_date"].dt.strftime("%Y-%m-%d"),
            last_date=summary["last_date"].dt.strftime("%Y-%m-%d"),
        ).to_dict(orient="records")
    }

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        progress("copy assets")
        assets = copy_assets(tmp / "static", plots.chart_item_js(plots.chart_item()))
        from .. import __version__

        common = {
            "nav": NAV,
            "assets": assets,
            "sources": [s for s in sources.values() if s["vintage"]],
            "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "version": __version__,
        }
        env = _environment()
        pages = _render_index_pages(
            env, tmp, common, summary, shown, metrics, sources, threshold
        )
        progress(f"render {len(info)} region pages")
        region_started = time.perf_counter()
        _JOB.clear()
        _JOB.update(
            out=tmp, common=common, info=info, metrics=metrics, shown=shown,
            provisional_days=cori.provisional_days, summary=summary_by_region,
            children=children, peers=_peers(info, children), others=others, sources=sources,
            stale_before=(datetime.now(UTC) - pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
        )  # fmt: skip
        observed = set(metrics["region_id"].astype(str))
        ids = [r for r in info if r in observed]
        count = _run_parallel(ids, workers)
        region_seconds = time.perf_counter() - region_started
        _JOB.clear()
        _publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildReport(
        out, count, pages + count, time.perf_counter() - started, region_seconds
    )


def _na(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _run_parallel(ids: list[str], workers: int | None) -> int:
    workers = workers or os.cpu_count() or 1
    if (
        workers <= 1
        or "fork" not in multiprocessing.get_all_start_methods()
        or len(ids) < 50
    ):
        return _render_regions(ids)
    # Interleaved chunks balance long and short series between the workers.
    chunks = [ids[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.map(_render_regions, chunks))


#: A file every built site holds: only a folder with it (or an empty one) is replaced.
MARKER = ".epicurves-site"


def check_target(out: Path) -> None:
    """Refuse to build into a folder that holds anything but an earlier epicurves site."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        msg = f"--out {out} is a file: expected a folder for the site"
        raise UsageError(msg)
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        msg = (
            f"--out {out} holds files that are not an epicurves site; a build replaces "
            "the whole folder: choose an empty or new folder"
        )
        raise UsageError(msg)


def _publish(tmp: Path, out: Path) -> None:
    """Swap the new site into place; the old one is removed only after the swap."""
    os.chmod(tmp, 0o755)
    (tmp / MARKER).write_text(
        "built by epicurves; `epicurves build` replaces this folder\n"
    )
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _render_index_pages(
    env: jinja2.Environment,
    out: Path,
    common: dict[str, Any],
    summary: pd.DataFrame,
    shown: pd.DataFrame,
    metrics: pd.DataFrame,
    sources: dict[str, dict[str, Any]],
    threshold: float,
) -> int:
    names = dict(
        zip(shown["region_id"].astype(str), shown["name"].astype(str), strict=True)
    )
    weekly = weekly_sums(metrics)
    ordered = summary.sort_values(
        "new_cases_last_week", ascending=False, na_position="last"
    )
    kinds = ordered["kind"].astype(str)
    parents = ordered["parent"].astype("string")
    de = ordered["region_id"].astype(str).str.startswith("DE")
    written = 0

    def table(
        title: str,
        frame: pd.DataFrame,
        *,
        table_id: str,
        incidence: bool = False,
        note: str = "",
    ) -> dict[str, Any]:
        if incidence:
            rows = incidence_table(
                frame.sort_values("incidence_7d", ascending=False, na_position="last"),
                names,
                threshold,
            )
            return {"id": table_id, "title": title, "columns": INCIDENCE_COLUMNS, "rows": rows,
                    "order_column": 3, "page_length": max(len(rows), 1), "incidence": True, "note": note}  # fmt: skip
        rows = summary_table(frame, weekly, names)
        return {"id": table_id, "title": title, "columns": SUMMARY_COLUMNS, "rows": rows,
                "order_column": 3, "page_length": 25, "incidence": False, "note": note}  # fmt: skip

    high = f"Rows with a 7-day incidence of {threshold:g} or more per 100 000 are highlighted."
    sections = {
        "regions/index.html": ("All regions", "Every region, with the source shown for it.",
                               [table("All regions", ordered, table_id="all")]),
        "countries/index.html": ("Countries", "Tracking plots: Countries of the world.", [
            table("Countries of the world", ordered[kinds == "country"], table_id="countries"),
            table("7-day incidence: countries", ordered[kinds == "country"], table_id="countries-incidence", incidence=True, note=high),
        ]),
        "germany/index.html": ("Germany", "Germany, its states and its districts.", [
            table("German states", ordered[de & (kinds == "state")], table_id="states"),
            table("German districts", ordered[de & (kinds == "district")], table_id="districts"),
            table("7-day incidence: German districts", ordered[de & (kinds == "district")], table_id="districts-incidence", incidence=True, note=high),
        ]),
        "us/index.html": ("US", "The states and territories of the United States.", [
            table("US states", ordered[(kinds == "state") & (parents == "US")], table_id="us-states"),
        ]),
    }  # fmt: skip
    template = env.get_template("table.html")
    for path, (heading, intro, tables) in sections.items():
        context = {"root": "../", "page": "table", "current": path, "title": heading,
                   "heading": heading, "intro": intro, "tables": tables, "breadcrumbs": None}  # fmt: skip
        _write(out / path, template.render(**common, **context))
        written += 1

    counts = shown["kind"].value_counts().to_dict()
    rising = ordered[
        (ordered["new_cases_last_week"] >= RISE_MIN_CASES)
        & ordered["week_change_pct"].notna()
    ]
    rising = rising.sort_values("week_change_pct", ascending=False).head(10)
    rises = [
        {"href": region_href(str(r.region_id)), "name": str(r.name), "last_date": str(r.last_date)[:10],
         "new_cases_last_week": fmt_int(r.new_cases_last_week), "week_change": fmt_num(r.week_change_pct, 0, " %", sign=True)}
        for r in rising.itertuples(index=False)
    ]  # fmt: skip
    home = env.get_template("home.html").render(
        **common, root="", page="home", current="index.html", title="Home", breadcrumbs=None,
        counts={k: counts.get(k, 0) for k in ("country", "state", "district")}, rises=rises,
        rise_min=RISE_MIN_CASES, tables=[(label, href) for label, href in NAV[1:5]],
    )  # fmt: skip
    _write(out / "index.html", home)
    written += 1

    choices = [
        {"region_id": r.region_id, "file": r.region_id, "label": f"{r.name} ({r.region_id})",
         "selected": r.region_id in ("DE", "FR")}
        for r in shown.sort_values("name").itertuples(index=False)
    ]  # fmt: skip
    compare_metrics = [
        ("incidence_7d", "7-day incidence per 100k"), ("deaths_7d_per_100k", "7-day deaths per 100k"),
        ("new_cases_7d_mean", "new cases, 7-day mean"), ("new_deaths_7d_mean", "new deaths, 7-day mean"),
        ("r_cori", "R (Cori)"), ("r_rki", "R (RKI method)"),
    ]  # fmt: skip
    _write(out / "compare/index.html", env.get_template("compare.html").render(
        **common, root="../", page="compare", current="compare/index.html", title="Compare",
        breadcrumbs=None, choices=choices, metrics=compare_metrics))  # fmt: skip
    written += 1

    article_template = env.get_template("article.html")
    for name, current in (
        ("analysis", "analysis/index.html"),
        ("about", "about/index.html"),
    ):
        meta, body = _markdown((CONTENT / f"{name}.md").read_text("utf-8"))
        _write(out / current, article_template.render(
            **common, root="../", page=name, current=current, title=name.capitalize(),
            breadcrumbs=None, body=body, articles=None))  # fmt: skip
        written += 1
    articles = []
    for article in sorted((CONTENT / "articles").glob("*.md")):
        meta, body = _markdown(article.read_text("utf-8"))
        href = f"articles/{article.stem}/index.html"
        articles.append(
            {
                "href": href,
                "title": meta.get("title", article.stem),
                "summary": meta.get("summary", ""),
            }
        )
        _write(out / href, article_template.render(
            **common, root="../../", page="article", current="articles/index.html",
            title=meta.get("title", article.stem), breadcrumbs=[("Articles", "articles/index.html")],
            body=body, articles=None))  # fmt: skip
        written += 1
    index_body = Markup("<h1>Articles</h1>")
    _write(out / "articles/index.html", article_template.render(
        **common, root="../", page="articles", current="articles/index.html", title="Articles",
        breadcrumbs=None, body=index_body, articles=articles))  # fmt: skip
    return written + 1

"""Benchmark: build time per region page vs OSCOVIDA's notebook per region; page weight;
time to the first chart in headless Chromium.

Run on demand (not part of the test suite)::

    pip install '.[bench]'
    python bench/site_pages.py [--mirror ../shared/data] [--runs 3] [--notebooks 3]

1. Fills a temporary store from the mirror, then builds the whole site ``--runs`` times
   (``full=True``: every file, on both cores) and reports the median total build time and time
   per region page.
2. The OSCOVIDA way, in the same run: executes, with nbclient, a notebook that loads one
   region and draws the six panels with matplotlib as SVG, for ``--notebooks`` regions, and
   reports the median time per region and the ratio.
3. The gzipped size of every region page with its data scripts (shared JS/CSS excluded),
   and the size of the whole site.
4. With Chromium at /usr/bin/chromium and Playwright, at a phone's width (390 px): time from
   navigation to the first chart drawn (as the page records it), for five district pages
   served from loopback, each opened ``--chart-rounds`` times; the median. The shared, cached
   scripts (BokehJS above all) are loaded first by a region page outside the timed ones, opened
   twice as a reader's first pages would (Chromium keeps a script's compiled code from its
   second load on); its first time is reported apart: a reader's first region page of the site.

``--forecasts`` runs ``epicurves backtest`` before the builds, so that the pages carry their
forecasts (each page's forecast script is counted in its weight), and times the first chart
on the pages with fans too (Germany, the US, California).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import epicurves
from epicurves.site.build import build_site
from epicurves.site.serve import make_server

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOK = """
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
import epicurves
settings = epicurves.Settings(home={home!r})
m = epicurves.load_metrics([{region!r}], settings=settings).set_index("date")
m = m.select_dtypes("number").astype(float)  # matplotlib wants NaN, not <NA>
plt.style.use("ggplot")
fig, ax = plt.subplots(6, 1, figsize=(10, 15))
ax[0].plot(m.index, m["incidence_7d"])
ax[1].bar(m.index, m["new_cases"], alpha=0.2); ax[1].plot(m.index, m["new_cases_7d_mean_centred"])
ax[2].bar(m.index, m["new_deaths"], alpha=0.2); ax[2].plot(m.index, m["new_deaths_7d_mean_centred"])
ax[3].plot(m.index, m["r_rki"]); ax[3].plot(m.index, m["growth_factor_7d"], ".", alpha=0.3)
ax[4].plot(m.index, m["deaths_r_rki"]); ax[4].plot(m.index, m["deaths_growth_factor_7d"], ".", alpha=0.3)
ax[5].plot(m.index, m["doubling_time_days"]); ax[5].plot(m.index, m["deaths_doubling_time_days"])
fig.savefig({svg!r}, format="svg")
"""


def run_notebooks(home: Path, regions: list[str], work: Path) -> list[float]:
    """Seconds to execute one OSCOVIDA-style notebook per region, each in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for region in regions:
        svg = work / f"{region}.svg"
        nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
        nb.cells = [
            nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
                NOTEBOOK.format(home=str(home), region=region, svg=str(svg))
            )
        ]
        started = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3").execute()
        times.append(time.perf_counter() - started)
    return times


#: The district pages the first chart is timed on (median of the five).
DISTRICTS = ["DE-09162", "DE-09175", "DE-05315", "DE-11000", "DE-08111"]
#: Pages with fans on the real data (live series), timed with ``--forecasts``.
FANS = ["DE", "US", "US-CA"]
#: The page that loads the shared scripts before the timed ones (not among them).
WARM = "DE-01001"
#: A phone's viewport, CSS pixels (playwright's ``ViewportSize``).
PHONE: ViewportSize = {"width": 390, "height": 844}


def first_chart_times(
    site: Path, regions: list[str], rounds: int = 1
) -> tuple[float, list[float]]:
    """Seconds from navigation to the first chart drawn in Chromium at a phone's width: on
    the first region page opened (:data:`WARM`, the shared scripts not yet cached), and on each
    of ``regions``, ``rounds`` times each, after it."""
    from playwright.sync_api import sync_playwright

    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    times: list[float] = []
    args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport=PHONE)

        def drawn(region: str) -> float:
            page.goto(base + f"region/{region}/index.html")
            page.wait_for_selector("body[data-charts-ready='1']", timeout=30_000)
            # When the page itself saw its first charts painted, from the navigation's start.
            return float(page.evaluate("document.body.dataset.chartsReadyMs")) / 1000

        page.goto(base + "index.html")  # a reader comes from the home page (no charts)
        first = drawn(WARM)  # caches the shared scripts: BokehJS, the layouts
        drawn(WARM)  # and, opened again, their compiled code (Chromium's code cache)
        for _ in range(rounds):
            times.extend(drawn(region) for region in regions)
        browser.close()
    server.shutdown()
    return first, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notebooks", type=int, default=3)
    parser.add_argument("--chart-rounds", type=int, default=3,
                        help="times each page's first chart is timed")  # fmt: skip
    parser.add_argument("--forecasts", action="store_true",
                        help="backtest first: the pages carry their forecasts")  # fmt: skip
    args = parser.parse_args()
    if args.chart_rounds < 1:
        parser.error("--chart-rounds must be 1 or more")
    if not args.mirror.is_dir():
        sys.exit(f"mirror folder {args.mirror} not found")
    with tempfile.TemporaryDirectory(prefix="epicurves-bench-") as tmp:
        work = Path(tmp)
        settings = epicurves.Settings(home=work / "home", mirror=args.mirror)
        epicurves.update(settings)
        if args.forecasts:
            started = time.perf_counter()
            epicurves.backtest(settings=settings)
            print(
                f"backtest           {time.perf_counter() - started:7.2f} s (untimed below)"
            )
        totals, per_page = [], []
        for _ in range(args.runs):
            report = build_site(settings, work / "site", full=True)
            totals.append(report.seconds)
            per_page.append(1000 * report.region_seconds / report.region_pages)
        site = work / "site"
        sizes = sorted(
            sum(
                len(gzip.compress(f.read_bytes()))
                for f in (
                    p,
                    site / f"data/{p.parent.name}.js",
                    site / f"data/{p.parent.name}.inc.js",
                    site / f"data/{p.parent.name}.sig.js",  # regions with signals only
                    site / f"forecasts/{p.parent.name}.js",  # every region
                )
                if f.exists()
            )
            for p in site.glob("region/*/index.html")
        )
        total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        print(
            f"region pages: {report.region_pages}, pages: {report.pages}, runs: {args.runs}"
        )
        print(
            f"full build         median {statistics.median(totals):7.2f} s    min {min(totals):.2f}  max {max(totals):.2f}"
        )
        print(
            f"per region page    median {statistics.median(per_page):7.2f} ms   min {min(per_page):.2f}  max {max(per_page):.2f}"
        )
        print(
            f"region page gzip   median {statistics.median(sizes) / 1000:7.1f} KB   max {sizes[-1] / 1000:.1f} KB"
        )
        print(f"whole site         {total / 1e6:7.1f} MB")
        regions = ["DE", "US", "FR", "DE-09162", "US-CA"][: max(args.notebooks, 1)]
        notebook: list[float] = []
        try:
            notebook = run_notebooks(work / "home", regions[: args.notebooks], work)
        except ImportError as exc:
            print(f"notebooks: skipped ({exc}; pip install '.[bench]')")
        if args.notebooks and notebook:
            nb = statistics.median(notebook)
            ratio = nb * 1000 / statistics.median(per_page)
            print(
                f"notebook per region median {nb:7.2f} s    min {min(notebook):.2f}  max {max(notebook):.2f}"
            )
            print(f"ratio notebook / page     {ratio:9.0f} x")
        if Path("/usr/bin/chromium").exists():
            rounds = args.chart_rounds
            first, charts = first_chart_times(work / "site", DISTRICTS, rounds)
            print(
                f"first chart, 390 px median {statistics.median(charts):5.2f} s    "
                f"max {max(charts):.2f} ({len(DISTRICTS)} district pages x {rounds})"
            )
            print(
                f"first chart, 390 px        {first:5.2f} s    ({WARM}, opened first)"
            )
            if args.forecasts:
                _, charts = first_chart_times(work / "site", FANS, rounds)
                print(
                    f"first chart, 390 px median {statistics.median(charts):5.2f} s    "
                    f"max {max(charts):.2f} (pages with fans: {', '.join(FANS)} x {rounds})"
                )


if __name__ == "__main__":
    main()

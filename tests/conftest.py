"""Shared pytest fixtures: the tiny fixture mirror, a throwaway home, the real data folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import platformdirs
import pytest
from filelock import FileLock

import epicurves
from epicurves import Settings
from epicurves.cli import use_system_allocator

HERE = Path(__file__).parent
#: The chart layouts (made from the code alone, seconds each time) are made once for the whole
#: run and every home of its tests, the parallel workers and the commands they start included:
#: a cache of this code's output, as ``EPICURVES_CACHE`` lets users share one. The tests of the
#: cache itself give it their own folders.
os.environ.setdefault(
    "EPICURVES_CACHE",
    str(
        Path(platformdirs.user_cache_dir("epicurves", appauthor=False))
        / f"tests-{hashlib.sha256(str(HERE.resolve()).encode()).hexdigest()[:12]}"
    ),
)  # the user's own cache folder, one per checkout: two checkouts never evict each other's
#: Arrow's allocator in the tests' processes and in those they start (workers, notebook
#: kernels, commands): the C library's, as the ``epicurves`` script gives it, not pyarrow's
#: mimalloc, which zeroes whole huge pages on first touch (the notebook and forecast tests:
#: 7-8 % less CPU). A pool named in the environment before the run is kept.
use_system_allocator()
#: The project's checkout.
ROOT = HERE.parent
#: tests/data is a mirror folder (DIR/<folder>/<file>) of tiny files in each upstream format.
FIXTURES = HERE / "data"
#: The real upstream files, gzip-compressed, beside the project checkout.
SHARED_DATA = HERE.parent.parent / "shared" / "data"
#: Debian's Chromium, driven headless by Playwright (no browser is downloaded).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


#: Markers given by what a test uses: a fixture's name -> the marker of every test using it.
MARKED_FIXTURES = {
    "browser": "browser",
    "shared_data": "realdata",
    "real_site": "realdata",
    "forecast_site": "realdata",
    "executed": "notebooks",
}
#: Markers given by where a test lives: a folder of tests/ -> its marker.
MARKED_FOLDERS = {"faults": "faults"}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers a core, as the browser, notebook and crash tests spend much
    of their time waiting on other processes."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, so that ``-m "not ..."`` skips it whatever its file
    says: browser tests, tests of the real data, notebook kernels, the fault suite; and
    every test in those kinds but ``realdata`` alone is also ``slow``."""
    for item in items:
        kinds = {m.name for m in item.iter_markers()}
        kinds |= {
            MARKED_FIXTURES[f]
            for f in getattr(item, "fixturenames", ())
            if f in MARKED_FIXTURES
        }
        folder = Path(str(item.fspath)).relative_to(HERE).parts[0]
        if folder in MARKED_FOLDERS:
            kinds.add(MARKED_FOLDERS[folder])
        if kinds & {"browser", "notebooks", "faults"}:
            kinds.add("slow")
        for kind in sorted(kinds - {m.name for m in item.iter_markers()}):
            item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture
def fixtures() -> Path:
    """The fixture mirror folder (read-only: copy it with ``mirror`` to change files)."""
    return FIXTURES


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """A writable copy of the fixture mirror, for tests that break or change files."""
    target = tmp_path / "mirror"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty EPICURVES_HOME; EPICURVES_* variables from the caller's shell are cleared."""
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    monkeypatch.setenv("EPICURVES_HOME", str(path))
    return path


@pytest.fixture
def settings(home: Path, mirror: Path) -> Settings:
    """Settings with an empty home and a writable fixture mirror."""
    return Settings(home=home, mirror=mirror)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real upstream files in ../shared/data; the test is skipped where they are absent."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )
    return SHARED_DATA


def shared_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """A folder ``make`` fills once per test run, shared by the parallel workers of
    pytest-xdist: the first worker to ask makes it under a lock, the others wait and reuse
    it. Tests read it; a test that changes it works on a copy."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base folders share this one
    folder = root / f"shared-{name}"
    with FileLock(str(root / f"shared-{name}.lock")):
        if not (folder / ".made").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


def _build(
    folder: Path, settings: Settings, sources: Sequence[str] | None = None
) -> None:
    from epicurves import update
    from epicurves.site.build import build_site

    report = update(settings, sources)
    assert not report.failed, report.failed
    build_site(settings, folder / "site", workers=2)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The site built from the real upstream files in ../shared/data (skipped where absent),
    once per test run."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )

    def settings(base: Path) -> Settings:
        return Settings(home=base / "home", mirror=SHARED_DATA)

    base = shared_folder(tmp_path_factory, "real", lambda f: _build(f, settings(f)))
    return settings(base), base / "site"


@pytest.fixture(scope="session")
def signal_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The site built from the whole fixture mirror, the signal sources included, once per
    test run."""

    def settings(base: Path) -> Settings:
        return Settings(home=base / "home", mirror=base / "mirror")

    def make(base: Path) -> None:
        shutil.copytree(FIXTURES, base / "mirror")
        _build(base, settings(base))

    base = shared_folder(tmp_path_factory, "signals", make)
    return settings(base), base / "site"


#: The sources of the site with forecasts: CDC's two (the US and its states, live), RKI's
#: national file (Germany, live) and its hospitalisations, the NYT's states and JHU's
#: countries (frozen; the US page),
#: and the frozen district counts (Munich: a track record alone).
FORECAST_SOURCES = (
    "cdc-covid", "cdc-flu", "rki", "rki-hospitalisation", "nyt", "jhu", "germany",
)  # fmt: skip
#: The countries of JHU's files, the states of the NYT's and the districts of the district file
#: the forecast site keeps
#: (the rest left out: their backtest would only make the fixture slower).
FORECAST_COUNTRIES = ("US", "France", "Italy")
FORECAST_STATES = ("California", "New York", "Texas", "Washington")
FORECAST_DISTRICTS = ("9162", "9175", "9184", "9564")
#: The locations of CDC's files it keeps (the US, and the four states by FIPS code).
FORECAST_LOCATIONS = ("US", "06", "36", "48", "53")


def _forecast_mirror(mirror: Path) -> None:
    """The real files of :data:`FORECAST_SOURCES`, cut to a few regions: JHU's to
    :data:`FORECAST_COUNTRIES`, the NYT's to :data:`FORECAST_STATES`, the district file to
    :data:`FORECAST_DISTRICTS`, CDC's to :data:`FORECAST_LOCATIONS`."""
    import gzip

    import pandas as pd

    for folder in ("cdc-covid", "cdc-flu", "rki", "nyt", "jhu", "germany"):
        shutil.copytree(SHARED_DATA / folder, mirror / folder)
    for name in ("confirmed", "deaths"):
        path = mirror / "jhu" / f"time_series_covid19_{name}_global.csv.gz"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = table[table["Country/Region"].isin(FORECAST_COUNTRIES)]
        path.chmod(0o644)
        with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
            table.to_csv(out, index=False)
    path = mirror / "cdc-covid" / "time-series.parquet"
    table = pd.read_parquet(path)
    path.chmod(0o644)
    table[table["location"].isin(FORECAST_LOCATIONS)].to_parquet(path, index=False)
    for name in ("target-hospital-admissions.csv.gz", "target-ed-visits-prop.csv.gz"):
        path = mirror / "cdc-flu" / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        path.chmod(0o644)
        with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
            table[table["location"].isin(FORECAST_LOCATIONS)].to_csv(out, index=False)
    path = mirror / "nyt" / "us-states.csv.gz"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    path.chmod(0o644)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        table[table["state"].isin(FORECAST_STATES)].to_csv(out, index=False)
    path = mirror / "germany" / "cases-rki-by-ags.csv.gz"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    path.chmod(0o644)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        table[["time_iso8601", *FORECAST_DISTRICTS, "sum_cases"]].to_csv(
            out, index=False
        )


@pytest.fixture(scope="session")
def forecast_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The site built from :data:`FORECAST_SOURCES` of the real upstream files (a few
    countries and districts) with a stored backtest (its forecasts and scores), once per test
    run."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )

    def settings(base: Path) -> Settings:
        return Settings(home=base / "home", mirror=base / "mirror")

    def make(base: Path) -> None:
        from epicurves import backtest, update
        from epicurves.site.build import build_site

        _forecast_mirror(base / "mirror")
        assert not update(settings(base), FORECAST_SOURCES).failed
        backtest(settings=settings(base), workers=2)
        build_site(settings(base), base / "site", workers=2)

    base = shared_folder(tmp_path_factory, "forecasts", make)
    return settings(base), base / "site"


#: The sources of case and death counts, in the registry's order.
CASE_SOURCES = ("jhu", "jhu-us", "nyt", "rki", "rki-states", "rki-districts", "germany")
#: The sources of surveillance signals, in the registry's order.
SIGNAL_SOURCES = (
    "rki-wastewater",
    "rki-hospitalisation",
    "rki-hospitalisation-2020",
    "rki-sari",
    "rki-deaths-weekly",
    "rki-nowcast",
)
#: The sources of the US surveillance signals (CDC), after RKI's.
US_SOURCES = ("cdc-covid", "cdc-flu")
#: The sources of the European surveillance signals (ECDC), last in the registry.
EU_SOURCES = ("ecdc-erviss",)

#: What a new day of one district (DE-09175) rewrites on the site: its page and its data, and
#: the tables and the map it is in. tests/test_changes.py plans it, tests/site/test_incremental.py
#: builds it.
DISTRICT_DAY_FILES = frozenset({
    "region/DE-09175/index.html", "data/DE-09175.js", "data/DE-09175.inc.js",
    "regions/index.html", "germany/index.html", "maps/districts/index.html",
})  # fmt: skip

#: A region name as an attacker would write it into an upstream file.
ATTACK = (
    '<script>alert("x")</script>'
    "<img src=x onerror=\"document.body.dataset.pwned='1'\">&"
)


@pytest.fixture(scope="session")
def attacked_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """A site built from the fixture mirror, in which München's name is :data:`ATTACK`.

    The germany source goes first in the precedence, so that the attacked name is shown.
    """
    precedence = ("germany", *Settings().precedence)

    def settings(base: Path) -> Settings:
        return Settings(
            home=base / "home", mirror=base / "mirror", precedence=precedence
        )

    def make(base: Path) -> None:
        mirror = base / "mirror"
        shutil.copytree(FIXTURES, mirror)
        ags = mirror / "germany" / "ags.json"
        data = json.loads(ags.read_text("utf-8"))
        data["9162"]["name"] = ATTACK
        ags.write_text(json.dumps(data), "utf-8")
        _build(base, settings(base), CASE_SOURCES)

    base = shared_folder(tmp_path_factory, "attacked", make)
    return settings(base), base / "site"


def python(
    code: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``code`` run by a new interpreter (this one's) with ``args``: for what a fresh process
    imports or sets up, which the test process has long done. Its output, as text; a failure
    fails the test with the child's standard error."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "data-url") and value:
                self.links.append(value)


def check_internal_links(site: Path, skip: str | None = None) -> int:
    """Every internal href/src of every page of ``site`` (but those in its folder ``skip``)
    resolves to a file inside the site (asserted); returns how many links were checked."""
    root = site.resolve()
    checked = 0
    for page in root.rglob("*.html"):
        if skip is not None and page.relative_to(root).parts[0] == skip:
            continue
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "mailto:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(root)} links to missing {link}"
            assert root in target.parents, f"{link} leaves the site"
            checked += 1
    return checked


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, its pages opened warm (:class:`browser_checks.WarmChromium`;
    skipped without Playwright or /usr/bin/chromium)."""
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    from browser_checks import WarmChromium

    with playwright.sync_playwright() as p:
        chromium = WarmChromium(
            p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


#: A population for which per 100 000 is half a count.
POPULATION = 200_000


def metrics_of(
    new_cases: list[int],
    new_deaths: list[int | None] | None = None,
    region: str = "X",
    population: int | None = POPULATION,
) -> pd.DataFrame:
    """compute_metrics of one small made-up region from 2021-03-01 on."""
    n = len(new_cases)
    deaths = [None] * n if new_deaths is None else new_deaths
    observations = pd.DataFrame(
        {
            "source": "s",
            "region_id": region,
            "date": pd.date_range("2021-03-01", periods=n),
            "cases": pd.array(np.cumsum(new_cases), dtype="Int64"),
            "deaths": pd.array(
                [None if d is None else 0 for d in deaths], dtype="Int64"
            ),
            "new_cases": pd.array(new_cases, dtype="Int64"),
            "new_deaths": pd.array(deaths, dtype="Int64"),
            "flags": "",
        }
    )
    regions = pd.DataFrame(
        {"region_id": [region], "source": ["s"], "population": [population]}
    )
    return epicurves.compute_metrics(
        observations, regions if population is not None else None
    )


def hub_forecasts(
    region: str, target: str, last: pd.Timestamp, medians: list[float]
) -> pd.DataFrame:
    """Forecasts in the hubs' format of ``target`` for ``region`` at the Saturday after
    ``last``: one week per median, each level's value spread around it."""
    from epicurves.forecast import LEVELS

    reference = last + pd.Timedelta(days=(5 - last.day_of_week) % 7 or 7)
    rows = [
        {"region_id": region, "target": target, "model": "ensemble",
         "reference_date": reference, "horizon": h,
         "target_end_date": reference + pd.Timedelta(days=7 * h),
         "output_type_id": level, "value": median * (0.25 + 1.5 * level) ** (1 + h)}
        for h, median in enumerate(medians)
        for level in LEVELS
    ]  # fmt: skip
    return pd.DataFrame(rows)

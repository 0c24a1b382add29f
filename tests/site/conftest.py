"""The fixtures several test modules of tests/site/ share: the built fixture site (read, and
served or opened from disk for the browser tests, with a recording page), the real site served,
and the daily loop's site built once (copied for each test that changes it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import epicurves
from browser_checks import recording_page
from browser_checks import served as _served
from conftest import FIXTURES, shared_folder
from epicurves import Settings
from epicurves.site.build import build_site
from site_checks import NOW, SOURCES


@pytest.fixture(scope="session")
def base_url(attacked_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the fixture mirror (one district named like an attack), served."""
    yield from _served(attacked_site[1])


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    # test_no_content_security_policy_violation (test_browser_a11y.py) runs under the
    # site's policy
    yield from recording_page(browser)


@pytest.fixture(scope="session")
def file_url(attacked_site: tuple[epicurves.Settings, Path]) -> str:
    """The same site, opened from disk."""
    return attacked_site[1].resolve().as_uri() + "/"


@pytest.fixture(scope="session")
def real_url(real_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the real upstream files, served."""
    yield from _served(real_site[1])


@pytest.fixture(scope="module")
def site(attacked_site: tuple[epicurves.Settings, Path]) -> Path:
    """The site built from the fixture mirror, with an attack in a district's name."""
    settings, out = attacked_site
    assert len(list(out.glob("region/*/index.html"))) == len(
        epicurves.load_regions(settings=settings)
    )
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home filled from the fixture mirror and a site built from it, once a test run for
    test_incremental.py and test_daily_run.py (read only through :func:`work`'s copy)."""

    def make(base: Path) -> None:
        shutil.copytree(FIXTURES, base / "mirror")
        settings = Settings(home=base / "home", mirror=base / "mirror")
        report = epicurves.update(settings, SOURCES)
        assert {s.status for s in report.sources} == {"updated"}, report.sources
        build_site(settings, base / "site", now=NOW)

    return shared_folder(tmp_path_factory, "daily", make)


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Iterator[tuple[Settings, Path]]:
    """A copy of :func:`built` this test may change: settings and the site's path."""
    base = tmp_path / "work"
    shutil.copytree(built, base, symlinks=True)
    yield Settings(home=base / "home", mirror=base / "mirror"), base / "site"

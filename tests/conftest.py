"""Shared pytest fixtures: the tiny fixture mirror, a throwaway home, the real data folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from epicurves import Settings

HERE = Path(__file__).parent
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


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The site built from the real upstream files in ../shared/data (skipped where absent),
    once per test session."""
    from epicurves import update
    from epicurves.site.build import build_site

    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )
    base = tmp_path_factory.mktemp("real")
    settings = Settings(home=base / "home", mirror=SHARED_DATA)
    update(settings)
    build_site(settings, base / "site")
    return settings, base / "site"


@pytest.fixture(scope="session")
def signal_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """The site built from the whole fixture mirror, the signal sources included, once per
    test session."""
    from epicurves import update
    from epicurves.site.build import build_site

    base = tmp_path_factory.mktemp("signals")
    shutil.copytree(FIXTURES, base / "mirror")
    settings = Settings(home=base / "home", mirror=base / "mirror")
    update(settings)
    build_site(settings, base / "site")
    return settings, base / "site"


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
    import json

    from epicurves import update
    from epicurves.site.build import build_site

    base = tmp_path_factory.mktemp("attacked")
    mirror = base / "mirror"
    shutil.copytree(FIXTURES, mirror)
    ags = mirror / "germany" / "ags.json"
    data = json.loads(ags.read_text("utf-8"))
    data["9162"]["name"] = ATTACK
    ags.write_text(json.dumps(data), "utf-8")
    precedence = ("germany", *Settings().precedence)
    settings = Settings(home=base / "home", mirror=mirror, precedence=precedence)
    sources = ["jhu", "jhu-us", "nyt", "rki", "rki-states", "rki-districts", "germany"]
    report = update(settings, sources)
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    build_site(settings, base / "site", workers=2)
    return settings, base / "site"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "data-url") and value:
                self.links.append(value)


def check_internal_links(site: Path) -> int:
    """Every internal href/src of every page of ``site`` resolves to a file inside the site
    (asserted); returns how many links were checked."""
    root = site.resolve()
    checked = 0
    for page in root.rglob("*.html"):
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (skipped without Playwright or /usr/bin/chromium)."""
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

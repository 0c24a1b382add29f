"""The documentation builds offline with no warning, covers the API and the commands, links
only to what exists, and reads well in Chromium (no console error, no serious axe finding).

The build is the documented one (``python -m sphinx -W -n --keep-going -b html docs OUT``),
made once per test run and shared by the workers; it does not execute the recipes
(``EPICURVES_DOCS_EXECUTE=0``: the recipe tests in tests/notebooks/ run them on the real data).
"""

from __future__ import annotations

import functools
import html
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import epicurves
from browser_checks import VIOLATIONS
from conftest import ROOT, check_internal_links, shared_folder
from epicurves.charts.spec import CHART_DOCS, SIGNAL_CHARTS

pytestmark = [pytest.mark.docs, pytest.mark.slow]

DOCS = ROOT / "docs"


def _sphinx(out: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"EPICURVES_DOCS_EXECUTE": "0"}
    command = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-q"]
    command += ["-b", "html", "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def docs_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built documentation (skipped without the ``docs`` extra)."""
    pytest.importorskip(
        "sphinx", reason="the docs extra is not installed: pip install '.[docs]'"
    )
    pytest.importorskip("pydata_sphinx_theme", reason="pip install '.[docs]'")

    def make(folder: Path) -> None:
        done = _sphinx(folder)
        (folder / "log.txt").write_text(done.stdout + done.stderr, "utf-8")
        (folder / "status.txt").write_text(str(done.returncode), "utf-8")

    folder = shared_folder(tmp_path_factory, "docs", make)
    log = (folder / "log.txt").read_text("utf-8")
    assert (folder / "status.txt").read_text() == "0", log
    return folder / "html"


def test_the_docs_build_without_a_warning(docs_html: Path) -> None:
    log = (docs_html.parent / "log.txt").read_text("utf-8")
    assert "WARNING" not in log and "ERROR" not in log, log
    assert "NOT executed" in log  # the build says it did not run the recipes


def test_every_public_name_is_in_the_reference(docs_html: Path) -> None:
    """Each public name documented on the page of its group, and listed (linking there) on
    the API reference's front page."""
    documented = {}
    for page in (docs_html / "reference" / "api").glob("*.html"):
        for name in re.findall(
            r'id="epicurves\.([A-Za-z_0-9]+)"', page.read_text("utf-8")
        ):
            documented[name] = page.name
    assert set(epicurves.__all__) - documented.keys() == set()
    front = (docs_html / "reference" / "api.html").read_text("utf-8")
    linked = {
        n: p
        for p, n in re.findall(
            r'href="api/([a-z]+\.html)#epicurves\.([A-Za-z_0-9]+)"', front
        )
    }
    assert {n: linked.get(n) for n in epicurves.__all__} == {
        n: documented[n] for n in epicurves.__all__
    }


def _commands(group: object, prefix: str = "epicurves") -> Iterator[str]:
    for name, command in getattr(group, "commands", {}).items():
        yield f"{prefix}-{name}"
        yield from _commands(command, f"{prefix}-{name}")


def test_every_command_and_option_is_in_the_reference(docs_html: Path) -> None:
    from epicurves.cli import cli

    page = (docs_html / "reference" / "cli.html").read_text("utf-8")
    ids = set(re.findall(r'id="([^"]+)"', page))
    commands = list(_commands(cli))
    assert len(commands) >= 11
    assert set(commands) - ids == set()
    for name, command in cli.commands.items():
        assert (command.help or "").strip(), f"epicurves {name} has no help text"
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden:
                assert getattr(param, "help", None), (
                    f"epicurves {name} {param.name}: no help"
                )
                option = max(param.opts, key=len)
                assert f"cmdoption-epicurves-{name}-{option.lstrip('-')}" in ids, option


def test_every_setting_and_column_is_in_the_reference(docs_html: Path) -> None:
    settings = (docs_html / "reference" / "settings.html").read_text("utf-8")
    for setting in epicurves.SETTINGS:
        assert setting.env in settings
    columns = (docs_html / "reference" / "columns.html").read_text("utf-8")
    for column in (*epicurves.EXPORT_COLUMNS, *epicurves.SIGNAL_EXPORT_COLUMNS):
        assert f">{column}<" in columns, column


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(v for k, v in attrs if k == "id" and v)


@functools.cache
def _ids(page: Path) -> frozenset[str]:
    """The ids of a page (each page parsed once: thousands of links point into a few)."""
    parser = _Ids()
    parser.feed(page.read_text("utf-8"))
    return frozenset(parser.ids)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v and "#" in v)


def test_internal_links_and_their_sections_exist(docs_html: Path) -> None:
    # _static holds the theme's files, among them a template of Jinja macros (not a page).
    assert check_internal_links(docs_html, skip="_static") > 500
    checked = 0
    for page in docs_html.rglob("*.html"):
        if page.relative_to(docs_html).parts[0] == "_static":
            continue
        parser = _Anchors()
        parser.feed(page.read_text("utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or not parts.fragment:
                continue
            target = (
                (page.parent / unquote(parts.path)).resolve() if parts.path else page
            )
            assert parts.fragment in _ids(target), (
                f"{page.relative_to(docs_html)}: {link}"
            )
            checked += 1
    assert checked > 100


def test_the_sites_how_is_this_computed_links_have_their_sections(
    docs_html: Path,
) -> None:
    """Each chart of a region page links to a section of the docs that exists."""
    targets = [href for _, href in CHART_DOCS] + [c.docs for c in SIGNAL_CHARTS]
    for href in targets:
        path, _, fragment = href.partition("#")
        assert fragment in _ids(docs_html / path), href


def test_the_recipes_are_pages(docs_html: Path) -> None:
    from epicurves.notebooks.recipes import recipes

    for recipe in recipes():
        page = (docs_html / "recipes" / f"{recipe.name}.html").read_text("utf-8")
        text = html.unescape(page).replace("\u2019", "'")  # Sphinx's smart quotes
        assert f"{recipe.title}<" in text, recipe.name


@pytest.fixture(scope="module")
def docs_url(docs_html: Path) -> Iterator[str]:
    """The built docs served over HTTP as a static host serves them (no Content Security
    Policy: the theme runs inline scripts), on the loopback only."""
    handler = functools.partial(QuietHandler, directory=str(docs_html))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


#: Home, a guide, the API reference's largest page and a recipe.
DOC_PAGES = ("index.html", "guides/analysis.html", "reference/api/classes.html",
             "recipes/compare-per-100k.html")  # fmt: skip


@pytest.mark.parametrize(
    ("path", "width"),
    [(path, width) for path in DOC_PAGES for width in (1280, 390)],
)
def test_pages_in_chromium(
    browser: object, docs_url: str, path: str, width: int
) -> None:
    """Home, a guide, the API reference's largest page and a recipe: no console error,
    nothing fetched from another host, and axe-core finds no serious or critical violation,
    at desktop width and at a phone's (one test each, so that the workers share them)."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed",
    )
    with browser.page(viewport={"width": width, "height": 900}) as page:  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((docs_url, "data:", "blob:"))
                else errors.append(f"fetched from another host: {r.url}")
            ),
        )
        page.goto(docs_url + path)
        page.wait_for_load_state("networkidle")
        # Before axe: axe-core fetches the stylesheets again, resolving the theme's @import
        # against the page rather than the stylesheet (a 404 of its own, not of the page).
        problems = [f"console: {e}" for e in errors]
        result = axe_module.Axe().run(page, options=VIOLATIONS)
        problems += [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert problems == []

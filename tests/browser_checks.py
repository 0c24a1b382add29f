"""What the browser tests share: Chromium with warm pages, the built site served on a loopback
port, and axe-core's check of a page in light and in dark mode."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from epicurves.site.serve import make_server


class WarmChromium:
    """Headless Chromium whose pages open in warm contexts: one Playwright context for each
    set of context options, kept for the whole run (one browser a worker) with a blank page
    open in it, so that a new page starts in a running renderer process, its scripts
    compiled, instead of a new one. A region page of the fixture site costs about half the
    CPU that way (0.9 CPU-seconds of Chromium against 1.9 in a new context); the browser
    tests, a third of the suite's CPU, took 323 CPU-seconds instead of 413 on one process.

    A page is as isolated as the site needs: the site keeps no cookies and no storage, each
    page gets its own viewport and colour scheme, and what a test opened or granted in the
    context is closed or taken back when its page is done with (:meth:`page`)."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self._contexts: dict[str, Any] = {}

    @contextlib.contextmanager
    def page(
        self,
        *,
        viewport: dict[str, int] | None = None,
        color_scheme: str | None = None,
        **options: Any,
    ) -> Iterator[Any]:
        """A new page in the warm context of ``options`` (Playwright's context options), at
        ``viewport`` (Playwright's default, 1280 by 720, without) in ``color_scheme``; on
        leaving, the pages opened in that context since are closed and, unless another page
        of the context is still in use, the permissions granted taken back. An init script
        is added to the page (``page.add_init_script``), not to its context, which outlives
        it."""
        key = repr(sorted(options.items()))
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = self.browser.new_context(**options)
            context.new_page()  # the blank page that keeps a renderer running
        before = list(context.pages)  # the blank one, and any page still in use
        page = context.new_page()
        try:
            if viewport is not None:
                page.set_viewport_size(viewport)
            if color_scheme is not None:
                page.emulate_media(color_scheme=color_scheme)
            yield page
        finally:
            for opened in context.pages:
                if opened not in before:
                    opened.close()
            if len(before) == 1:
                context.clear_permissions()

    def close(self) -> None:
        for context in self._contexts.values():
            context.close()
        self.browser.close()


def served(site: Path) -> Iterator[str]:
    """``site`` served by ``epicurves serve``'s server on a free loopback port, its URL."""
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


#: The colour schemes every page is checked in (one load per page: the scheme is switched
#: on the loaded page, as a reader's system setting would).
SCHEMES = ("light", "dark")
#: axe-core's options for every run: the tests read its violations alone, so the nodes that
#: pass are not listed (a unique selector for each of a table page's thousands of nodes).
VIOLATIONS = {"resultTypes": ["violations"]}
#: The axe-core rules that read colours: all a scheme after the first can change (the dark
#: scheme sets the stylesheet's colour variables and nothing else; a test in test_assets
#: says so). Every rule runs in the first.
COLOUR_RULES = {
    **VIOLATIONS,
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
}


def axe(browser: WarmChromium, base_url: str, paths: tuple[str, ...]) -> None:
    """axe-core finds no serious or critical violation on each of ``paths`` (once its charts,
    tables or map are drawn: :func:`wait_until_drawn`), in each of :data:`SCHEMES`."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed",
    )
    axe = axe_module.Axe()
    found = {}
    with browser.page() as page:
        for path in paths:
            page.goto(base_url + path)
            wait_until_drawn(page, path)
            if page.locator("#signals-config").count():
                page.wait_for_selector("body[data-signals-ready='1']", timeout=15_000)
            page.wait_for_timeout(300)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)  # type: ignore[attr-defined]
                options = {
                    "options": VIOLATIONS if scheme == SCHEMES[0] else COLOUR_RULES
                }
                if path.startswith("compare/"):
                    page.fill("#cmp-search", "qqqq")  # no match: said in a status line
                    results = [axe.run(page, **options)]
                    page.fill("#cmp-search", "a")  # the listbox open, an option active
                    page.wait_for_selector("#cmp-options [role='option']")
                    results.append(axe.run(page, **options))
                else:
                    results = [axe.run(page, **options)]
                serious = [
                    f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
                    for result in results
                    for v in result.response["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
                if serious:
                    found[f"{path} ({scheme})"] = serious
    assert found == {}


def wait_until_drawn(page: Any, path: str) -> None:
    """Wait, once the page at ``path`` has loaded, for what its scripts draw: a region page's
    charts, Compare's chart, a map, or a page's tables (a page without any: nothing)."""
    page.wait_for_load_state("load")
    if path.startswith("region/"):
        drawn = "all-charts"
    elif path.startswith("compare/"):
        drawn = "compare"
    elif path.startswith("maps/"):
        drawn = "map"
    elif page.locator("table.data").count():
        drawn = "tables"
    else:
        return
    page.wait_for_selector(f"body[data-{drawn}-ready='1']", timeout=15_000)


def open_page(p: Any, url: str, *ready: str, timeout: float | None = 15_000) -> None:
    """Go to ``url`` and wait for each of ``ready`` (``"charts"`` waits for
    ``body[data-charts-ready='1']``); ``timeout=None`` is Playwright's default."""
    p.goto(url)
    for what in ready:
        p.wait_for_selector(f"body[data-{what}-ready='1']", timeout=timeout)


#: An init script recording the page's Content-Security-Policy violations in ``window.__csp``.
CSP_RECORDER = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__csp.push("
    "e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));"
)


def record_errors(page: Any) -> list[str]:
    """The list the page's console errors and uncaught exceptions are added to."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def recording_page(browser: WarmChromium) -> Iterator[Any]:
    """A page at desktop width without the site's policy (Playwright evaluates some test
    predicates with eval, which the policy refuses), its console errors in
    ``page.console_errors``; for a fixture to yield from."""
    with browser.page(viewport={"width": 1280, "height": 900}, bypass_csp=True) as page:
        page.console_errors = record_errors(page)
        yield page

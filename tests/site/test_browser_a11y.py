"""The built site's accessibility and content-security policy in a real browser: axe-core on
every kind of page (light and dark), the Analysis page with its code shown, the real site's
largest pages, no sideways scrolling at phone width, and no policy violation while pages are used
(Playwright driving Debian's headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_checks import (
    CSP_RECORDER,
    VIOLATIONS,
    WarmChromium,
    record_errors,
    wait_until_drawn,
)
from browser_checks import axe as _axe_paths
from site_checks import MAP_PAGES

pytestmark = pytest.mark.browser


def test_phone_width_has_no_horizontal_overflow(
    browser: WarmChromium, base_url: str, tmp_path: Path
) -> None:
    with browser.page(
        viewport={"width": 390, "height": 844}, device_scale_factor=1
    ) as p:
        for path in (
            "index.html",
            "countries/index.html",
            "region/DE/index.html",
            "compare/index.html",
            "maps/index.html",
            "maps/germany/index.html",
        ):
            p.goto(base_url + path)
            p.wait_for_load_state("load")
            p.wait_for_timeout(500)
            width = p.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
        p.screenshot(path=str(tmp_path / "phone.png"), full_page=False)


A11Y_PAGES = (
    "index.html", "regions/index.html", "countries/index.html", "germany/index.html",
    "us/index.html", "region/DE-09175/index.html", "compare/index.html", *MAP_PAGES,
)  # fmt: skip


def test_no_serious_accessibility_violation(
    browser: WarmChromium, base_url: str
) -> None:
    """axe-core finds no serious or critical violation (WCAG 2 A and AA rules, contrast
    included) on each kind of page, in light and in dark mode."""
    _axe_paths(browser, base_url, A11Y_PAGES)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_the_analysis_page(
    browser: WarmChromium, base_url: str, scheme: str
) -> None:
    """The Analysis page with every recipe's code shown (each <details> opened by a click), by
    axe-core in light and in dark mode, at phone width, where it must not scroll sideways."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed",
    )
    with browser.page(
        color_scheme=scheme, viewport={"width": 390, "height": 844}
    ) as page:
        page.goto(base_url + "analysis/index.html")
        page.wait_for_load_state("load")
        summaries = page.locator("section.recipe details > summary")
        for number in range(summaries.count()):
            summaries.nth(number).click()
        assert (
            page.locator("section.recipe details[open] pre code").count()
            == summaries.count()
        )
        result = axe_module.Axe().run(page, options=VIOLATIONS)
        width = page.evaluate("document.documentElement.scrollWidth")
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert width <= 390, f"the Analysis page is {width} px wide"


#: The real site's pages where its size and its names matter (the longest tables, a district
#: with the real data's ranges, the map of 400 districts); every kind of page is checked on
#: the fixture site above, from the same templates.
REAL_A11Y_PAGES = (
    "index.html", "germany/index.html", "region/DE-09175/index.html",
    "maps/districts/index.html",
)  # fmt: skip


@pytest.mark.realdata
def test_no_serious_accessibility_violation_on_the_real_site(
    browser: WarmChromium, real_url: str
) -> None:
    _axe_paths(browser, real_url, REAL_A11Y_PAGES)


@pytest.mark.parametrize("where", ["http", "file"])
def test_no_content_security_policy_violation(
    browser: WarmChromium, base_url: str, file_url: str, where: str
) -> None:
    """Every kind of page, used (charts on a log axis, compare on a log axis, a map's date, a
    table's search), runs under the site's policy (script-src 'self', no unsafe-eval): no
    violation is reported, served over HTTP (header and <meta>) or opened from a file."""
    root = base_url if where == "http" else file_url
    found: dict[str, list[str]] = {}
    for path in (
        *A11Y_PAGES,
        "articles/index.html",
        "analysis/index.html",
        "about/index.html",
    ):
        with browser.page() as page:
            page.add_init_script(CSP_RECORDER)
            errors = record_errors(page)
            page.goto(root + path)
            wait_until_drawn(page, path)
            if path.startswith("region/"):
                page.select_option("#ctl-scale", "log")
            elif path.startswith("compare/"):
                page.select_option("#cmp-scale", "log")
                page.wait_for_function(
                    "Bokeh.documents.at(-1).roots()[0].y_scale.type === 'LogScale'"
                )
            elif path.startswith("maps/"):
                page.focus("#map-date")
                page.keyboard.press("Home")
            elif page.locator("table.data").count():
                page.locator("input[type='search']").first.fill("a")
            page.wait_for_timeout(200)
            violations = page.evaluate("window.__csp") + [
                e for e in errors if "Content Security Policy" in e
            ]
            if violations:
                found[path] = violations
    assert found == {}

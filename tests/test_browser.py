"""The built site in a real browser: Playwright driving Debian's headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import epicurves
from epicurves.site.serve import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def base_url(attacked_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the fixture mirror (one district named like an attack), served."""
    server = make_server(attacked_site[1], "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()


def test_table_searches_and_sorts(page: object, base_url: str) -> None:
    p = page
    p.goto(base_url + "countries/index.html")  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-tables-ready='1']")  # type: ignore[attr-defined]
    table = "#t-countries"
    rows = p.locator(f"{table} tbody tr")  # type: ignore[attr-defined]
    total = rows.count()
    assert total > 3
    p.locator("#t-countries_wrapper input[type='search']").fill("Denmark")  # type: ignore[attr-defined]
    p.wait_for_function(f"document.querySelectorAll('{table} tbody tr').length === 1")  # type: ignore[attr-defined]
    assert "Denmark" in rows.first.inner_text()
    p.locator("#t-countries_wrapper input[type='search']").fill("")  # type: ignore[attr-defined]
    p.wait_for_function(
        f"document.querySelectorAll('{table} tbody tr').length === {total}"
    )  # type: ignore[attr-defined]

    def column(index: int) -> list[float]:
        cells = p.locator(
            f"{table} tbody tr td:nth-child({index + 1})"
        ).all_inner_texts()  # type: ignore[attr-defined]
        return [float(c.replace(",", "")) for c in cells if c.strip()]

    # Sorted by new cases last week (column 3), largest first, by default.
    assert column(3) == sorted(column(3), reverse=True)
    header = p.locator(f"{table} thead th").nth(1)  # type: ignore[attr-defined]
    header.click()
    p.wait_for_selector(f"{table} thead th:nth-child(2)[aria-sort='ascending']")  # type: ignore[attr-defined]
    assert column(1) == sorted(column(1))
    header.click()
    p.wait_for_selector(f"{table} thead th:nth-child(2)[aria-sort='descending']")  # type: ignore[attr-defined]
    assert column(1) == sorted(column(1), reverse=True)
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_region_chart_renders_zooms_and_toggles(page: object, base_url: str) -> None:
    p = page
    p.goto(base_url + "region/DE/index.html")  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-all-charts-ready='1']", timeout=15_000)  # type: ignore[attr-defined]
    canvases = p.locator("#charts canvas")  # type: ignore[attr-defined]
    assert canvases.count() >= 6
    before = p.screenshot()  # type: ignore[attr-defined]
    p.select_option("#ctl-scale", "log")  # type: ignore[attr-defined]
    p.select_option("#ctl-per", "per100k")  # type: ignore[attr-defined]
    p.select_option("#ctl-window", "all")  # type: ignore[attr-defined]
    p.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert p.screenshot() != before  # type: ignore[attr-defined]
    # Pan (the active drag tool) moves the shared x range of every panel.
    x_start = "Bokeh.documents[0].get_model_by_name('x').start"
    before_pan = p.evaluate(x_start)  # type: ignore[attr-defined]
    box = p.locator("#charts canvas:visible").first.bounding_box()  # type: ignore[attr-defined]
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    p.mouse.move(*middle)  # type: ignore[attr-defined]
    p.mouse.down()  # type: ignore[attr-defined]
    p.mouse.move(middle[0] + 150, middle[1], steps=8)  # type: ignore[attr-defined]
    p.mouse.up()  # type: ignore[attr-defined]
    p.wait_for_function(f"{x_start} !== {before_pan}")  # type: ignore[attr-defined]
    # Wheel zoom (made the active scroll tool, as a user does from the toolbar) narrows it.
    width = "(() => { const x = Bokeh.documents[0].get_model_by_name('x'); return x.end - x.start; })()"
    before_zoom = p.evaluate(width)  # type: ignore[attr-defined]
    p.evaluate(  # type: ignore[attr-defined]
        """() => { const fig = Bokeh.documents[0].get_model_by_name('fig_inc_lin');
        fig.toolbar.active_scroll = fig.toolbar.tools.find(t => t.tool_name === 'Wheel Zoom'); }"""
    )
    box = p.locator("#charts canvas:visible").first.bounding_box()  # type: ignore[attr-defined]
    p.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore[attr-defined]
    p.mouse.wheel(0, -300)  # type: ignore[attr-defined]
    p.wait_for_function(f"{width} < {before_zoom}")  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_compare_overlays_two_regions(page: object, base_url: str) -> None:
    p = page
    p.goto(base_url + "compare/index.html")  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-compare-ready='1']", timeout=15_000)  # type: ignore[attr-defined]
    p.select_option("#cmp-regions", ["DE", "DK"])  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-compare-lines='2']", timeout=15_000)  # type: ignore[attr-defined]
    p.select_option("#cmp-regions", ["DE", "DK", "US-CA"])  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-compare-lines='3']", timeout=15_000)  # type: ignore[attr-defined]
    assert p.locator("#compare canvas").count() >= 1  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_upstream_names_cannot_run_script(page: object, base_url: str) -> None:
    p = page
    for path in (
        "region/DE-09162/index.html",
        "germany/index.html",
        "compare/index.html",
    ):
        p.goto(base_url + path)  # type: ignore[attr-defined]
        p.wait_for_load_state("load")  # type: ignore[attr-defined]
        p.wait_for_timeout(300)  # type: ignore[attr-defined]
        assert p.evaluate("document.body.dataset.pwned") is None, path  # type: ignore[attr-defined]
    assert "onerror" in p.content()  # type: ignore[attr-defined]  # shown as text


def test_phone_width_has_no_horizontal_overflow(
    browser: object, base_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1
    )  # type: ignore[attr-defined]
    p = context.new_page()
    for path in (
        "index.html",
        "countries/index.html",
        "region/DE/index.html",
        "compare/index.html",
    ):
        p.goto(base_url + path)
        p.wait_for_load_state("load")
        p.wait_for_timeout(500)
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
    p.screenshot(path=str(tmp_path / "phone.png"), full_page=False)
    context.close()

"""The built site in a real browser: Playwright driving Debian's headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import epicurves
from browser_checks import CSP_RECORDER, record_errors, recording_page
from browser_checks import axe as _axe_paths
from browser_checks import open_page as _open
from browser_checks import served as _served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(attacked_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the fixture mirror (one district named like an attack), served."""
    yield from _served(attacked_site[1])


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    # test_no_content_security_policy_violation runs under the site's policy
    yield from recording_page(browser)


def test_table_searches_and_sorts(page: object, base_url: str) -> None:
    p = page
    _open(p, base_url + "countries/index.html", "tables", timeout=None)
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
    _open(p, base_url + "region/DE/index.html", "all-charts")
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
    _open(p, base_url + "compare/index.html#regions=DE,DK", "compare")
    p.wait_for_selector("body[data-compare-lines='2']", timeout=15_000)  # type: ignore[attr-defined]
    _pick(p, "Califor", "California")
    p.wait_for_selector("body[data-compare-lines='3']", timeout=15_000)  # type: ignore[attr-defined]
    assert p.locator("#compare canvas").count() >= 1  # type: ignore[attr-defined]
    assert "California" in p.inner_text("#compare-text")  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def _pick(p: object, typed: str, expected: str) -> None:
    """Adds a region with the keyboard alone: type, arrow to it, Enter."""
    box = p.locator("#cmp-search")  # type: ignore[attr-defined]
    box.focus()
    box.press_sequentially(typed)
    p.wait_for_selector("#cmp-options [role='option']")  # type: ignore[attr-defined]
    options = p.locator("#cmp-options [role='option']").all_inner_texts()  # type: ignore[attr-defined]
    index = next(i for i, o in enumerate(options) if expected in o)
    for _ in range(index):
        box.press("ArrowDown")
    assert expected in p.inner_text("#cmp-options [aria-selected='true']")  # type: ignore[attr-defined]
    assert box.get_attribute("aria-activedescendant") == f"cmp-option-{index}"
    box.press("Enter")
    p.wait_for_function(  # type: ignore[attr-defined]
        "t => [...document.querySelectorAll('#cmp-chips li')].some(c => c.textContent.includes(t))",
        arg=expected,
    )


def _chips(p: object) -> list[str]:
    return [
        c.split("\n")[0].strip()
        for c in p.locator("#cmp-chips li span").all_inner_texts()  # type: ignore[attr-defined]
    ]


def test_a_shared_compare_link_gives_the_same_view(page: object, base_url: str) -> None:
    p = page
    view = "#regions=DK,US-CA&metric=r_cori&per=count&scale=log&window=84"
    _open(p, base_url + "compare/index.html" + view, "compare")
    assert _chips(p) == ["Denmark", "California (United States)"]
    values = {
        s: p.input_value(f"#cmp-{s}") for s in ("metric", "per", "scale", "window")
    }  # type: ignore[attr-defined]
    assert values == {
        "metric": "r_cori",
        "per": "count",
        "scale": "log",
        "window": "84",
    }
    p.wait_for_selector("body[data-compare-lines='2']")  # type: ignore[attr-defined]
    assert p.evaluate("Bokeh.documents.at(-1).roots()[0].y_scale.type") == "LogScale"  # type: ignore[attr-defined]
    # changing the view changes the link; the link opened elsewhere gives the view back
    p.select_option("#cmp-metric", "incidence_7d")  # type: ignore[attr-defined]
    p.select_option("#cmp-scale", "linear")  # type: ignore[attr-defined]
    link = p.evaluate("location.href")  # type: ignore[attr-defined]
    assert (
        "metric=incidence_7d" in link
        and "scale=linear" in link
        and "regions=DK,US-CA" in link
    )
    other = p.context.new_page()  # type: ignore[attr-defined]
    _open(other, link, "compare")
    assert _chips(other) == ["Denmark", "California (United States)"]
    assert other.input_value("#cmp-metric") == "incidence_7d"
    assert other.input_value("#cmp-scale") == "linear"
    assert other.input_value("#cmp-window") == "84"
    # the copy button puts that link on the clipboard (or shows it, where that is refused)
    p.context.grant_permissions(["clipboard-read", "clipboard-write"])  # type: ignore[attr-defined]
    p.click("#copy-link")  # type: ignore[attr-defined]
    p.wait_for_function("document.getElementById('copy-status').textContent !== ''")  # type: ignore[attr-defined]
    status = p.inner_text("#copy-status")  # type: ignore[attr-defined]
    if status == "Link copied.":
        assert p.evaluate("navigator.clipboard.readText()") == link  # type: ignore[attr-defined]
    else:
        assert p.input_value(".link-field") == link  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_the_picker_works_by_keyboard_alone(page: object, base_url: str) -> None:
    p = page
    _open(p, base_url + "compare/index.html#regions=", "compare")
    assert _chips(p) == []
    # Tab from the page's start reaches the picker (skip link, brand, menu, then the form)
    p.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert p.evaluate("document.activeElement.className") == "skip"  # type: ignore[attr-defined]
    for _ in range(40):
        if p.evaluate("document.activeElement.id") == "cmp-search":  # type: ignore[attr-defined]
            break
        p.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert p.evaluate("document.activeElement.id") == "cmp-search"  # type: ignore[attr-defined]
    p.keyboard.type("denm")  # type: ignore[attr-defined]
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-compare-lines='1']")  # type: ignore[attr-defined]
    # the upstream spelling is an alias that search finds
    _pick(p, "Korea, South", "South Korea")
    assert _chips(p) == ["Denmark", "South Korea"]
    assert "regions=DK,KR" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    # Escape closes the list; Backspace in the empty field removes the last chip
    p.keyboard.type("ger")  # type: ignore[attr-defined]
    assert p.is_visible("#cmp-options")  # type: ignore[attr-defined]
    p.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert not p.is_visible("#cmp-options")  # type: ignore[attr-defined]
    p.fill("#cmp-search", "")  # type: ignore[attr-defined]
    p.keyboard.press("Backspace")  # type: ignore[attr-defined]
    assert _chips(p) == ["Denmark"]
    # a chip's remove button is a button: Tab to it, Enter
    p.focus("#cmp-chips li button")  # type: ignore[attr-defined]
    assert (
        p.evaluate("document.activeElement.getAttribute('aria-label')")
        == "Remove Denmark"
    )  # type: ignore[attr-defined]
    p.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert _chips(p) == []
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_a_region_pages_toggles_live_in_its_link(page: object, base_url: str) -> None:
    p = page
    _open(
        p,
        base_url + "region/DE/index.html#scale=log&per=count&window=all",
        "all-charts",
    )
    assert [p.input_value(f"#ctl-{s}") for s in ("scale", "per", "window")] == [
        "log",
        "count",
        "all",
    ]  # type: ignore[attr-defined]
    visible = "Bokeh.documents[0].get_model_by_name('fig_inc_log').visible"
    assert p.evaluate(visible) is True  # type: ignore[attr-defined]
    # by keyboard: focus the select, change it with the arrow keys
    p.focus("#ctl-scale")  # type: ignore[attr-defined]
    p.keyboard.press("ArrowUp")  # type: ignore[attr-defined]
    p.wait_for_function(f"{visible} === false")  # type: ignore[attr-defined]
    assert "scale=linear" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    # a hand-edited address with values the page does not offer changes nothing
    p.evaluate("location.hash = 'scale=bogus&window=zzz'")  # type: ignore[attr-defined]
    p.wait_for_timeout(200)  # type: ignore[attr-defined]
    assert [p.input_value(f"#ctl-{s}") for s in ("scale", "window")] == [
        "linear",
        "all",
    ]  # type: ignore[attr-defined]
    p.evaluate("location.hash = 'scale=log'")  # type: ignore[attr-defined]
    p.wait_for_function(f"{visible} === true")  # type: ignore[attr-defined]
    assert p.input_value("#ctl-scale") == "log"  # type: ignore[attr-defined]
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
        "maps/index.html",
        "maps/germany/index.html",
    ):
        p.goto(base_url + path)
        p.wait_for_load_state("load")
        p.wait_for_timeout(500)
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
    p.screenshot(path=str(tmp_path / "phone.png"), full_page=False)
    context.close()


@pytest.fixture(scope="module")
def file_url(attacked_site: tuple[epicurves.Settings, Path]) -> str:
    """The same site, opened from disk."""
    return attacked_site[1].resolve().as_uri() + "/"


def test_from_a_file_tables_charts_peers_compare_and_maps_work(
    page: object, file_url: str
) -> None:
    p = page
    _open(p, file_url + "countries/index.html", "tables", timeout=None)
    rows = p.locator("#t-countries tbody tr")  # type: ignore[attr-defined]
    total = rows.count()
    p.locator("#t-countries_wrapper input[type='search']").fill("Denmark")  # type: ignore[attr-defined]
    p.wait_for_function(
        "document.querySelectorAll('#t-countries tbody tr').length === 1"
    )  # type: ignore[attr-defined]
    p.locator("#t-countries_wrapper input[type='search']").fill("")  # type: ignore[attr-defined]
    p.wait_for_function(
        f"document.querySelectorAll('#t-countries tbody tr').length === {total}"
    )  # type: ignore[attr-defined]
    p.locator("#t-countries thead th").nth(1).click()  # type: ignore[attr-defined]
    p.wait_for_selector("#t-countries thead th:nth-child(2)[aria-sort='ascending']")  # type: ignore[attr-defined]

    _open(p, file_url + "region/DE-09175/index.html", "all-charts", "peers")
    lines = p.evaluate(  # type: ignore[attr-defined]
        "[0,1,2,3,4,5,6,7].filter(i => Bokeh.documents[0].get_model_by_name('cmp_' + i).data.x.length > 0).length"
    )
    assert lines >= 2  # the district and at least one peer (its state, its neighbours)
    assert p.locator("#charts canvas").count() >= 6  # type: ignore[attr-defined]

    _open(p, file_url + "compare/index.html#regions=DE,DK", "compare")
    p.wait_for_selector("body[data-compare-lines='2']", timeout=15_000)  # type: ignore[attr-defined]
    p.select_option("#cmp-metric", "new_cases_7d_mean")  # type: ignore[attr-defined]
    p.wait_for_function("location.hash.includes('metric=new_cases_7d_mean')")  # type: ignore[attr-defined]
    p.wait_for_selector("body[data-compare-lines='2']", timeout=15_000)  # type: ignore[attr-defined]

    for name in MAP_PAGES:
        _open(p, file_url + name, "map")
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_the_region_downloads_are_made_in_the_browser(
    page: object, file_url: str
) -> None:
    p = page
    _open(p, file_url + "region/DK/index.html", "charts")
    with p.expect_download() as info:  # type: ignore[attr-defined]
        p.click("#download-csv")  # type: ignore[attr-defined]
    lines = Path(info.value.path()).read_text("utf-8").splitlines()
    assert info.value.suggested_filename == "DK.csv"
    assert lines[0].startswith("region_id,date,new_cases,new_deaths,")
    assert lines[1].startswith("DK,")
    with p.expect_download() as info:  # type: ignore[attr-defined]
        p.click("#download-json")  # type: ignore[attr-defined]
    data = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert data["region_id"] == "DK"
    assert (
        len(data["dates"])
        == len(data["new_cases"])
        == len(data["incidence_7d"])
        == len(lines) - 1
    )
    assert p.console_errors == []  # type: ignore[attr-defined]


MAP_PAGES = (
    "maps/index.html",
    "maps/us/index.html",
    "maps/germany/index.html",
    "maps/districts/index.html",
)


@pytest.mark.parametrize("name", MAP_PAGES)
def test_every_map_region_links_to_a_page(
    page: object,
    base_url: str,
    name: str,
    attacked_site: tuple[epicurves.Settings, Path],
) -> None:
    p = page
    site = attacked_site[1]
    _open(p, base_url + name, "map")
    source = p.evaluate(  # type: ignore[attr-defined]
        "(() => { const d = Bokeh.documents[0].get_model_by_name('map').data;"
        " return {id: Array.from(d.id), href: Array.from(d.href), colour: Array.from(d.colour)}; })()"
    )
    linked = [(i, h) for i, h in zip(source["id"], source["href"], strict=True) if h]
    assert linked, "no region of the map has a page"
    for region_id, href in linked:
        target = (site / name).parent / href
        assert target.resolve().is_file(), f"{region_id}: {href}"
        assert target.resolve() == (site / f"region/{region_id}/index.html").resolve()
    # the table under the map links to the same pages
    table = p.eval_on_selector_all(  # type: ignore[attr-defined]
        "#map-table tbody tr",
        "rows => rows.map(r => [r.dataset.region, r.querySelector('a') ? r.querySelector('a').getAttribute('href') : ''])",
    )
    assert {r for r, h in table if h} == {r for r, _ in linked}
    # the map names regions as the site does (not as the geometry's source spells them)
    config = json.loads(p.inner_text("#map-config"))  # type: ignore[attr-defined]
    shown = p.evaluate(
        "Array.from(Bokeh.documents[0].get_model_by_name('map').data.name)"
    )  # type: ignore[attr-defined]
    for region_id, label in zip(source["id"], shown, strict=True):
        if region_id in config["regions"]:
            assert label == config["regions"][region_id]["name"], region_id
    # a tap on a region without a page does nothing; on one with a page, opens it
    select = "i => { const s = Bokeh.documents[0].get_model_by_name('map'); s.selected.indices = [i]; }"
    ids = source["id"]
    without = [i for i, h in enumerate(source["href"]) if not h]
    if without:
        p.evaluate(select, without[0])  # type: ignore[attr-defined]
        p.wait_for_timeout(200)  # type: ignore[attr-defined]
        assert p.url == base_url + name  # type: ignore[attr-defined]
    first, href = linked[0]
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.evaluate(select, ids.index(first))  # type: ignore[attr-defined]
    assert p.url.endswith(f"region/{first}/index.html")  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def real_url(real_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the real upstream files, served."""
    yield from _served(real_site[1])


@pytest.mark.realdata
def test_the_map_date_control_recolours_and_lives_in_the_link(
    page: object, real_url: str
) -> None:
    """On the real data: countries end in 2023 (JHU), Germany goes on (RKI)."""
    p = page
    _open(p, real_url + "maps/index.html", "map")
    config = json.loads(p.inner_text("#map-config"))  # type: ignore[attr-defined]
    first = p.evaluate("document.body.dataset.mapDate")  # type: ignore[attr-defined]
    assert first == config["dates"][config["default"]]
    # most countries end on JHU's last day: the map opens there; Germany's data go on
    assert first.startswith("2023-03")
    assert config["regions"]["DE"]["last"] > first
    assert config["regions"]["US"]["last"] == first
    colours = (
        "Array.from(Bokeh.documents[0].get_model_by_name('map').data.colour).join()"
    )
    before = p.evaluate(colours)  # type: ignore[attr-defined]
    # by keyboard: the range input moves one date per arrow key
    p.focus("#map-date")  # type: ignore[attr-defined]
    p.keyboard.press("Home")  # type: ignore[attr-defined]
    p.wait_for_function(f"document.body.dataset.mapDate === '{config['dates'][0]}'")  # type: ignore[attr-defined]
    assert f"date={config['dates'][0]}" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    assert p.evaluate(colours) != before  # type: ignore[attr-defined]
    assert "no data on this date" in p.inner_text("#map-table")  # type: ignore[attr-defined]
    # the link opens on that date
    link = p.evaluate("location.href")  # type: ignore[attr-defined]
    other = p.context.new_page()  # type: ignore[attr-defined]
    _open(other, link, "map")
    assert other.evaluate("document.body.dataset.mapDate") == config["dates"][0]
    assert p.console_errors == []  # type: ignore[attr-defined]


A11Y_PAGES = (
    "index.html", "regions/index.html", "countries/index.html", "germany/index.html",
    "us/index.html", "region/DE-09175/index.html", "compare/index.html", *MAP_PAGES,
)  # fmt: skip


def test_no_serious_accessibility_violation(browser: object, base_url: str) -> None:
    """axe-core finds no serious or critical violation (WCAG 2 A and AA rules, contrast
    included) on each kind of page, in light and in dark mode."""
    _axe_paths(browser, base_url, A11Y_PAGES)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_the_analysis_page(
    browser: object, base_url: str, scheme: str
) -> None:
    """The Analysis page with every recipe's code shown (each <details> opened by a click), by
    axe-core in light and in dark mode, at phone width, where it must not scroll sideways."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright",
        reason="axe-playwright-python is not installed",
    )
    context = browser.new_context(  # type: ignore[attr-defined]
        color_scheme=scheme, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(base_url + "analysis/index.html")
    page.wait_for_load_state("load")
    summaries = page.locator("section.recipe details > summary")
    for number in range(summaries.count()):
        summaries.nth(number).click()
    assert (
        page.locator("section.recipe details[open] pre code").count()
        == summaries.count()
    )
    result = axe_module.Axe().run(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
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
    browser: object, real_url: str
) -> None:
    _axe_paths(browser, real_url, REAL_A11Y_PAGES)


@pytest.mark.parametrize("where", ["http", "file"])
def test_no_content_security_policy_violation(
    browser: object, base_url: str, file_url: str, where: str
) -> None:
    """Every kind of page, used (charts on a log axis, compare on a log axis, a map's date, a
    table's search), runs under the site's policy (script-src 'self', no unsafe-eval): no
    violation is reported, served over HTTP (header and <meta>) or opened from a file."""
    root = base_url if where == "http" else file_url
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_init_script(CSP_RECORDER)
    found: dict[str, list[str]] = {}
    for path in (
        *A11Y_PAGES,
        "articles/index.html",
        "analysis/index.html",
        "about/index.html",
    ):
        page = context.new_page()
        errors = record_errors(page)
        page.goto(root + path)
        page.wait_for_load_state("load")
        if path.startswith("region/"):
            page.wait_for_selector("body[data-all-charts-ready='1']", timeout=15_000)
            page.select_option("#ctl-scale", "log")
        elif path.startswith("compare/"):
            page.wait_for_selector("body[data-compare-ready='1']", timeout=15_000)
            page.select_option("#cmp-scale", "log")
            page.wait_for_function(
                "Bokeh.documents.at(-1).roots()[0].y_scale.type === 'LogScale'"
            )
        elif path.startswith("maps/"):
            page.wait_for_selector("body[data-map-ready='1']", timeout=15_000)
            page.focus("#map-date")
            page.keyboard.press("Home")
        elif page.locator("table.data").count():
            page.wait_for_selector("body[data-tables-ready='1']")
            page.locator("input[type='search']").first.fill("a")
        page.wait_for_timeout(200)
        violations = page.evaluate("window.__csp") + [
            e for e in errors if "Content Security Policy" in e
        ]
        if violations:
            found[path] = violations
        page.close()
    context.close()
    assert found == {}


def test_log_axes_get_their_ticks_from_the_page(page: object, base_url: str) -> None:
    """The log axes' ticks are set by the page (1-2-5 steps), not by code compiled in the
    browser; they follow the range."""
    p = page
    _open(p, base_url + "region/DE/index.html#scale=log", "all-charts")
    ticks = (
        "Array.from(Bokeh.documents[0].get_model_by_name('ticks_fig_inc_log').ticks)"
    )
    first = p.evaluate(ticks)  # type: ignore[attr-defined]
    assert first and all(
        float(f"{t:.3g}") == t
        and str(t).lstrip("0.").replace(".", "")[0] in "123456789"
        for t in first
    )
    start, end = p.evaluate(  # type: ignore[attr-defined]
        "(() => { const r = Bokeh.documents[0].get_model_by_name('fig_inc_log').y_range; return [r.start, r.end]; })()"
    )
    assert all(start <= t <= end for t in first)
    p.evaluate(  # type: ignore[attr-defined]
        "(() => { const r = Bokeh.documents[0].get_model_by_name('fig_inc_log').y_range; r.setv({start: 1, end: 3}); })()"
    )
    p.wait_for_function(f"{ticks}.join() !== {first!r}.join()")  # type: ignore[attr-defined]
    assert p.evaluate(ticks) == [1, 1.2, 1.5, 2, 2.5, 3]  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


#: Germany and four states, in the north, east, south and west (every state's signal script is
#: checked without a browser: tests/site/test_build.py::test_real_site_signal_sections).
SIGNAL_PAGES = ("DE", "DE-SH", "DE-BY", "DE-SN", "DE-NW")
#: How many of each signal chart's renderers have data, over every Bokeh document of the page.
SIGNAL_FILLED = """() => Object.fromEntries(Bokeh.documents.flatMap(d => d.roots()).filter(
  r => r.name && r.name.startsWith('charts_')).map(r => {
    const src = r.document.get_model_by_name('src_' + r.name.slice(7));
    return [r.name.slice(7), Object.entries(src.data).filter(([k, v]) => k !== 'x'
      && Array.from(v).some(Number.isFinite)).length]; }))"""


@pytest.mark.realdata
def test_signal_charts_draw_on_germany_and_the_states(
    page: object, real_url: str, real_site: tuple[epicurves.Settings, Path]
) -> None:
    """Each page with signals draws its signal charts with data, over HTTP and from a file;
    the wastewater chart switches to its log twin."""
    p = page
    file_root = real_site[1].resolve().as_uri() + "/"
    # Germany over HTTP last: its page is the one whose options are used below
    for region in sorted(SIGNAL_PAGES, key=lambda r: r == "DE"):
        for root in (file_root, real_url) if region in ("DE", "DE-BY") else (real_url,):
            _open(p, root + f"region/{region}/index.html", "signals")
            filled = p.evaluate(SIGNAL_FILLED)  # type: ignore[attr-defined]
            expected = {"hospitalisation", "hospitalisation_2020", "deaths_weekly"}
            if region == "DE":  # RKI's, and ECDC's (ERVISS: no ILI for Germany)
                expected |= {"wastewater", "sari", "ari", "sari_rate", "positivity"}
            assert set(filled) == expected, (region, filled)
            assert all(n > 0 for n in filled.values()), (region, filled)
    assert p.url == real_url + "region/DE/index.html"  # type: ignore[attr-defined]
    visible = "name => Bokeh.documents.map(d => d.get_model_by_name(name)).find(m => m).visible"
    assert p.evaluate(visible, "fig_wastewater_log") is False  # type: ignore[attr-defined]
    p.select_option("#scale-sig-wastewater", "log")  # type: ignore[attr-defined]
    p.wait_for_function(f"({visible})('fig_wastewater_log') === true")  # type: ignore[attr-defined]
    assert p.evaluate(visible, "fig_wastewater") is False  # type: ignore[attr-defined]
    ticks = "Array.from(Bokeh.documents.map(d => d.get_model_by_name('ticks_fig_wastewater_log')).find(m => m).ticks)"
    assert len(p.evaluate(ticks)) > 0  # type: ignore[attr-defined]
    before = p.evaluate(
        "Array.from(Bokeh.documents.map(d => d.get_model_by_name('src_wastewater')).find(m => m).data.measured).join()"
    )  # type: ignore[attr-defined]
    p.select_option("#pathogen-sig-wastewater", "Influenza A+B")  # type: ignore[attr-defined]
    after = p.evaluate(
        "Array.from(Bokeh.documents.map(d => d.get_model_by_name('src_wastewater')).find(m => m).data.measured).join()"
    )  # type: ignore[attr-defined]
    assert after != before
    assert p.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.realdata
def test_no_serious_accessibility_violation_on_germany_with_signals(
    browser: object, real_url: str
) -> None:
    _axe_paths(browser, real_url, ("region/DE/index.html",))


@pytest.mark.realdata
def test_the_signal_charts_options_live_in_the_link(
    page: object, real_url: str
) -> None:
    """The wastewater chart's pathogen and scale are restored from the address, written back on
    change, and kept when the case charts' options change (and the other way round)."""
    p = page
    link = "region/DE/index.html#sig-wastewater-pathogen=RSV+A%2BB&sig-wastewater-scale=log&per=count"
    _open(p, real_url + link, "signals")
    assert p.input_value("#pathogen-sig-wastewater") == "RSV A+B"  # type: ignore[attr-defined]
    assert p.input_value("#scale-sig-wastewater") == "log"  # type: ignore[attr-defined]
    visible = "name => Bokeh.documents.map(d => d.get_model_by_name(name)).find(m => m).visible"
    assert p.evaluate(visible, "fig_wastewater_log") is True  # type: ignore[attr-defined]
    p.select_option("#pathogen-sig-wastewater", "Influenza A+B")  # type: ignore[attr-defined]
    state = "() => Object.fromEntries(new URLSearchParams(location.hash.slice(1)))"
    assert p.evaluate(state) == {  # type: ignore[attr-defined]
        "sig-wastewater-pathogen": "Influenza A+B", "sig-wastewater-scale": "log",
        "per": "count",
    }  # fmt: skip
    p.select_option("#ctl-scale", "log")  # type: ignore[attr-defined]  # a case chart option
    now = p.evaluate(state)  # type: ignore[attr-defined]
    assert now["scale"] == "log" and now["sig-wastewater-pathogen"] == "Influenza A+B"
    # a hand-edited link with a pathogen the page does not offer changes nothing
    p.evaluate("location.hash = '#sig-wastewater-pathogen=Ebola'")  # type: ignore[attr-defined]
    p.wait_for_timeout(200)  # type: ignore[attr-defined]
    assert p.input_value("#pathogen-sig-wastewater") == "Influenza A+B"  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def signal_url(signal_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The site built from the whole fixture mirror (the CDC hubs included), served."""
    if not (signal_site[1] / "data/US.sig.js").is_file():
        pytest.skip("the CDC sources or their fixtures are not there yet")
    yield from _served(signal_site[1])


#: The US pages with CDC's charts by disease.
US_SIGNAL_PAGES = (
    "region/US/index.html",
    "region/US-CA/index.html",
    "region/US-NY/index.html",
)


def _model(p: Any, name: str, expression: str) -> Any:
    """``expression`` of the Bokeh model ``name`` (``m``) on the page."""
    return p.evaluate(
        f"name => {{ const m = Bokeh.documents.map(d => d.get_model_by_name(name))"
        f".find(m => m); return {expression}; }}",
        name,
    )


@pytest.mark.parametrize("where", ["http", "file"])
def test_the_us_pages_draw_covid_and_influenza_with_provisional_weeks(
    page: object,
    signal_url: str,
    signal_site: tuple[epicurves.Settings, Path],
    where: str,
) -> None:
    """The US page, California and New York draw admissions and ED shares, a line per
    disease with its provisional weeks apart; the admissions switch to counts (the title says
    so) and to a log scale; no console error; served over HTTP or opened from a file."""
    p = page
    root = signal_url if where == "http" else signal_site[1].resolve().as_uri() + "/"
    for path in US_SIGNAL_PAGES:
        _open(p, root + path, "signals")
        for chart in ("admissions", "ed_share"):
            filled = _model(
                p, f"src_{chart}",
                "['v0', 'v1', 'p0', 'p1'].map(k => Array.from(m.data[k]).filter(Number.isFinite).length)",
            )  # fmt: skip
            assert all(n > 0 for n in filled), (path, chart, filled)
            # the forecasts' entries are labelled by their sources (a field, no value)
            legend = _model(
                p, f"legend_{chart}", "m.items.map(i => i.label.value || i.label.field)"
            )
            fans = ["label", "label"] if chart == "admissions" else []
            assert legend == [
                "COVID-19",
                "influenza",
                "provisional (still being revised)",
                *fans,
            ]
        title = _model(p, "fig_admissions", "m.title.text")
        assert (
            title == "COVID-19 and influenza: hospital admissions per 100 000 per week"
        )
        p.select_option("#per-sig-admissions", "count")  # type: ignore[attr-defined]
        p.select_option("#scale-sig-admissions", "log")  # type: ignore[attr-defined]
        assert _model(p, "fig_admissions_log", "m.visible") is True
        assert _model(p, "fig_admissions", "m.visible") is False
        assert _model(p, "fig_admissions_log", "m.title.text").endswith(
            "hospital admissions per week"
        )
        counts = _model(
            p,
            "src_admissions",
            "Math.max(...Array.from(m.data.v0).filter(Number.isFinite))",
        )
        assert counts > 100, path  # counts, not rates per 100 000
        assert "sig-admissions-per=count" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_no_serious_accessibility_violation_on_the_us_pages(
    browser: object, signal_url: str
) -> None:
    """axe-core, light and dark, on the US page, California and the home page with "United
    States today"."""
    _axe_paths(browser, signal_url, (*US_SIGNAL_PAGES, "index.html"))


US_MAP = "maps/us-admissions/index.html"
#: The colours of the map's regions (a Bokeh data source named "map").
MAP_COLOURS = "Array.from(Bokeh.documents[0].get_model_by_name('map').data.colour)"


@pytest.mark.parametrize("where", ["http", "file"])
def test_the_us_admissions_map_switches_disease_and_week(
    page: object,
    signal_url: str,
    signal_site: tuple[epicurves.Settings, Path],
    where: str,
) -> None:
    """The map draws over HTTP and from a file: California and New York coloured on each
    disease's latest week, the others grey and saying why; the disease and the week live in
    the link; no console error."""
    p = page
    root = signal_url if where == "http" else signal_site[1].resolve().as_uri() + "/"
    _open(p, root + US_MAP, "map")
    config = json.loads(p.inner_text("#map-config"))  # type: ignore[attr-defined]
    covid, flu = config["layers"]
    assert p.evaluate("document.body.dataset.mapLayer") == "SARS-CoV-2"  # type: ignore[attr-defined]
    opened = p.evaluate("document.body.dataset.mapDate")  # type: ignore[attr-defined]
    assert opened == covid["dates"][covid["default"]]
    source = p.evaluate(  # type: ignore[attr-defined]
        "(() => { const d = Bokeh.documents[0].get_model_by_name('map').data;"
        " return {id: Array.from(d.id), colour: Array.from(d.colour),"
        " note: Array.from(d.note), href: Array.from(d.href)}; })()"
    )
    grey = p.evaluate("EPICURVES_SPEC.mapNoData")  # type: ignore[attr-defined]
    by_id = dict(zip(source["id"], source["colour"], strict=True))
    assert by_id["US-CA"] != grey and by_id["US-NY"] != grey
    assert by_id["US-TX"] == grey
    notes = dict(zip(source["id"], source["note"], strict=True))
    assert notes["US-TX"].startswith("no data")
    hrefs = dict(zip(source["id"], source["href"], strict=True))
    assert hrefs["US-CA"].endswith("region/US-CA/index.html")
    # the tooltip names what the map shows
    tips = p.evaluate(  # type: ignore[attr-defined]
        "Array.from(Bokeh.documents[0].all_models).filter("
        "m => m.constructor.__name__ === 'HoverTool').map(m => m.tooltips[1][0])"
    )
    assert tips == ["Hospital admissions per 100 000 per week"]
    before = p.evaluate(MAP_COLOURS)  # type: ignore[attr-defined]
    # the disease control: influenza on its own latest week, in the link
    p.select_option("#map-layer", "Influenza")  # type: ignore[attr-defined]
    p.wait_for_function("document.body.dataset.mapLayer === 'Influenza'")  # type: ignore[attr-defined]
    opened = p.evaluate("document.body.dataset.mapDate")  # type: ignore[attr-defined]
    assert opened == flu["dates"][flu["default"]]
    assert "layer=Influenza" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    assert p.evaluate(MAP_COLOURS) != before  # type: ignore[attr-defined]
    assert p.is_visible(".map-layer-note[data-layer='Influenza']")  # type: ignore[attr-defined]
    assert not p.is_visible(".map-layer-note[data-layer='SARS-CoV-2']")  # type: ignore[attr-defined]
    assert "influenza" in p.inner_text("#map-table caption")  # type: ignore[attr-defined]
    # the date control, by keyboard: the first week
    p.focus("#map-date")  # type: ignore[attr-defined]
    p.keyboard.press("Home")  # type: ignore[attr-defined]
    first = flu["dates"][0]
    p.wait_for_function(f"document.body.dataset.mapDate === '{first}'")  # type: ignore[attr-defined]
    assert f"date={first}" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    assert p.inner_text("#map-date-text") == first  # type: ignore[attr-defined]
    # Puerto Rico, off the map, follows the disease and the week
    off = p.inner_text("#map-off .off-value")  # type: ignore[attr-defined]
    pr = flu["regions"]["US-PR"]
    assert off == ("no data" if pr["from"] > 0 else f"{pr['values'][0]:g}")
    # the link opens the same view
    link = p.evaluate("location.href")  # type: ignore[attr-defined]
    other = p.context.new_page()  # type: ignore[attr-defined]
    _open(other, link, "map")
    assert other.evaluate("document.body.dataset.mapLayer") == "Influenza"
    assert other.evaluate("document.body.dataset.mapDate") == first
    assert other.input_value("#map-layer") == "Influenza"
    other.close()
    p.click("#map-default")  # type: ignore[attr-defined]
    p.wait_for_function(
        f"document.body.dataset.mapDate === '{flu['dates'][flu['default']]}'"
    )  # type: ignore[attr-defined]
    assert p.console_errors == []  # type: ignore[attr-defined]


def test_no_serious_accessibility_violation_on_the_us_admissions_map(
    browser: object, signal_url: str
) -> None:
    """axe-core, light and dark."""
    _axe_paths(browser, signal_url, (US_MAP,))


EUROPE_MAP = "maps/europe/index.html"


@pytest.mark.realdata
@pytest.mark.parametrize("where", ["http", "file"])
def test_erviss_charts_carry_each_country_s_unit_and_provisional_weeks(
    page: object, real_url: str, real_site: tuple[epicurves.Settings, Path], where: str
) -> None:
    """France's ILI and ARI charts by age group, titled with France's unit (per 100,000
    population), Malta's with its own (per 100 consultations); the SARI rate's provisional
    weeks shaded, said in the legend and the text alternative; Germany's SARI positivity a
    line per pathogen beside RKI's charts; no console error, over HTTP and from a file."""
    p = page
    root = real_url if where == "http" else real_site[1].resolve().as_uri() + "/"
    units = {"FR": "per 100,000 population", "MT": "per 100 consultations"}
    for region, unit in units.items():
        _open(p, root + f"region/{region}/index.html", "signals")
        filled = p.evaluate(SIGNAL_FILLED)  # type: ignore[attr-defined]
        assert filled.get("ili", 0) > 1, (region, filled)  # all ages and age groups
        title = _model(p, "fig_ili", "m.title.text")
        assert title == f"ILI consultations, {unit}", region
        legend = _model(p, "legend_ili", "m.items.map(i => i.label.value)")
        assert legend[0] == "all ages", legend
        text = p.inner_text("#text-sig-ili")  # type: ignore[attr-defined]
        assert text.startswith(f"Lines ({unit}): all ages: "), text
    for region in ("MT", "DE"):
        _open(p, root + f"region/{region}/index.html", "signals")
        span = _model(
            p,
            "prov_sari_rate",
            "[m.data.left.length, m.data.right[0] - m.data.left[0]]",
        )
        assert span[0] == 1 and span[1] > 7 * 86_400_000, (region, span)
        legend = _model(p, "legend_sari_rate", "m.items.map(i => i.label.value)")
        assert legend[-1] == "provisional (still being revised)", legend
        text = p.inner_text("#text-sig-sari-rate")  # type: ignore[attr-defined]
        assert re.match(r"Lines \(per 100,000 population\): all ages: ", text), text
        assert "provisional" in text
    filled = p.evaluate(SIGNAL_FILLED)  # type: ignore[attr-defined]
    assert {"wastewater", "sari", "sari_rate", "positivity"} <= set(filled)
    legend = _model(p, "legend_positivity", "m.items.map(i => i.label.value)")
    assert legend[:3] == ["COVID-19", "influenza", "RSV"]
    assert p.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.realdata
def test_the_europe_map_colours_rates_per_population_only(
    page: object, real_url: str
) -> None:
    """The Europe map opens on ILI's latest week with France coloured and Malta grey saying
    its unit is not comparable; ARI is a layer of its own, in the link; the home page has
    "Europe today" with a unit and an ISO week in each filled cell."""
    p = page
    _open(p, real_url + EUROPE_MAP, "map")
    config = json.loads(p.inner_text("#map-config"))  # type: ignore[attr-defined]
    assert [layer["key"] for layer in config["layers"]] == ["ili-rate", "ari-rate"]
    ili = config["layers"][0]
    assert p.evaluate("document.body.dataset.mapDate") == ili["dates"][ili["default"]]  # type: ignore[attr-defined]
    source = p.evaluate(  # type: ignore[attr-defined]
        "(() => { const d = Bokeh.documents[0].get_model_by_name('map').data;"
        " return {id: Array.from(d.id), colour: Array.from(d.colour), note: Array.from(d.note)}; })()"
    )
    grey = p.evaluate("EPICURVES_SPEC.mapNoData")  # type: ignore[attr-defined]
    colours = dict(zip(source["id"], source["colour"], strict=True))
    notes = dict(zip(source["id"], source["note"], strict=True))
    assert "US" not in colours and "FR" in colours
    assert colours["MT"] == grey
    assert notes["MT"] == "not comparable: its rate is per 100 consultations"
    assert colours["FI"] == grey and "per 100,000 consultations" in notes["FI"]
    coloured = [r for r, c in colours.items() if c != grey]
    assert len(coloured) >= 5, coloured
    p.select_option("#map-layer", "ari-rate")  # type: ignore[attr-defined]
    p.wait_for_function("document.body.dataset.mapLayer === 'ari-rate'")  # type: ignore[attr-defined]
    assert "layer=ari-rate" in p.evaluate("location.hash")  # type: ignore[attr-defined]
    assert "week starting" in p.inner_text("#map-table caption")  # type: ignore[attr-defined]
    p.goto(real_url + "index.html")  # type: ignore[attr-defined]
    cells = p.eval_on_selector_all(  # type: ignore[attr-defined]
        "#europe-today tbody td",
        "tds => tds.map(td => td.innerText.trim()).filter(Boolean)",
    )
    missing = [c for c in cells if c == "not reported"]
    cells = [c for c in cells if c != "not reported"]
    assert missing and len(cells) > 40  # each country reports some signals only
    assert all(
        re.search(r"\d{4}-W\d{2}", c) and ("per 100" in c or "%" in c) for c in cells
    )
    assert p.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.realdata
def test_no_serious_accessibility_violation_on_europe(
    browser: object, real_url: str
) -> None:
    """axe-core, light and dark: a country with ERVISS charts, the Europe map, the home page
    with "Europe today"."""
    _axe_paths(browser, real_url, ("region/FR/index.html", EUROPE_MAP, "index.html"))

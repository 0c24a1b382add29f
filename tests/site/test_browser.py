"""The fixture site in a real browser, Playwright driving Debian's headless Chromium: tables,
region charts and their controls, compare and its picker, shared links, downloads, a site opened
from a file, and the maps (their links, and the real data's date control)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import epicurves
from browser_checks import open_page as _open
from site_checks import MAP_PAGES

pytestmark = pytest.mark.browser


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

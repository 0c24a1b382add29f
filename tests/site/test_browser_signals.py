"""The surveillance signals in a real browser: the real site's signal charts of Germany and its
states, the US pages and map of CDC's hubs (on the whole fixture mirror), ERVISS's European
charts and map; each with axe-core (Playwright driving Debian's headless Chromium)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import epicurves
from browser_checks import axe as _axe_paths
from browser_checks import open_page as _open
from browser_checks import served as _served

pytestmark = pytest.mark.browser


#: Germany and all 16 states (issue 11: each page's signals drawn in Chromium, no console
#: error).
SIGNAL_PAGES = ("DE", "DE-SH", "DE-HH", "DE-NI", "DE-HB", "DE-NW", "DE-HE", "DE-RP",
                "DE-BW", "DE-BY", "DE-SL", "DE-BE", "DE-BB", "DE-MV", "DE-SN", "DE-ST",
                "DE-TH")  # fmt: skip


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


@pytest.fixture(params=["http", "file"])
def signal_root(
    request: pytest.FixtureRequest,
    signal_url: str,
    signal_site: tuple[epicurves.Settings, Path],
) -> str:
    """The root of the signal site, served over HTTP or opened from its folder."""
    if request.param == "http":
        return signal_url
    return signal_site[1].resolve().as_uri() + "/"


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


def test_the_us_pages_draw_covid_and_influenza_with_provisional_weeks(
    page: object, signal_root: str
) -> None:
    """The US page, California and New York draw admissions and ED shares, a line per
    disease with its provisional weeks apart; the admissions switch to counts (the title says
    so) and to a log scale; no console error; served over HTTP or opened from a file."""
    p = page
    for path in US_SIGNAL_PAGES:
        _open(p, signal_root + path, "signals")
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


def test_the_us_admissions_map_switches_disease_and_week(
    page: object, signal_root: str
) -> None:
    """The map draws over HTTP and from a file: California and New York coloured on each
    disease's latest week, the others grey and saying why; the disease and the week live in
    the link; no console error."""
    p = page
    _open(p, signal_root + US_MAP, "map")
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
    """axe-core, light and dark: a country with ERVISS charts, the Europe map. (The real
    site's home page, with "Europe today", is checked with the other real pages:
    tests/site/test_browser_a11y.py::test_no_serious_accessibility_violation_on_the_real_site.)"""
    _axe_paths(browser, real_url, ("region/FR/index.html", EUROPE_MAP))

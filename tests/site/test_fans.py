"""The forecasts on the region pages, in headless Chromium, over HTTP and from ``file://``: the
fans of the live series (the US and California: admissions; Germany: cases and deaths), the
track record alone of a frozen one (Munich), the toggles, the text, accessibility."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import epicurves
from browser_checks import axe as _axe
from browser_checks import recording_page
from browser_checks import served as _served
from epicurves.charts.fans import FAN_LEVELS
from epicurves.forecast.summary import load_summary

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The state of a region page's fans: each fan source's data, the x range, the notes.
READ = """() => {
  const out = {fans: {}, notes: {}};
  const plain = v => Array.from(v, x => typeof x === 'number' && !Number.isFinite(x) ? null : x);
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.name && m.name.startsWith('fc_') && m.data) {
        out.fans[m.name] = Object.fromEntries(Object.entries(m.data).map(([k, v]) => [k, plain(v)]));
      }
    }
    const x = doc.get_model_by_name('x');
    if (x) out.x = [x.start, x.end];
    const xa = doc.get_model_by_name('x_admissions');
    if (xa) out.xAdmissions = [xa.start, xa.end];
  }
  for (const p of document.querySelectorAll('.forecast-note')) {
    out.notes[p.dataset.target] = p.textContent;
  }
  return out;
}"""


@pytest.fixture(scope="module")
def site(forecast_site: tuple[epicurves.Settings, Path]) -> Path:
    return forecast_site[1]


@pytest.fixture(scope="module")
def url(site: Path) -> Iterator[str]:
    yield from _served(site)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from recording_page(browser)


def _open(page: Any, base: str, region: str) -> dict[str, Any]:
    page.goto(f"{base}region/{region}/index.html")
    page.wait_for_selector("body[data-all-charts-ready='1']", timeout=20_000)
    if page.locator("#signals-config").count():
        page.wait_for_selector("body[data-signals-ready='1']", timeout=20_000)
    state: dict[str, Any] = page.evaluate(READ)
    return state


def _median(site: Path, region: str, target: str) -> list[float]:
    """The medians of a region's fan in its forecast data script."""
    text = (site / "forecasts" / f"{region}.js").read_text("utf-8")
    import json

    data = json.loads(text[text.index("=", text.index("]")) + 1 : -2])
    return [w[1 + FAN_LEVELS.index(0.5)] for w in data["fans"][target]["weeks"]]


@pytest.mark.parametrize("how", ["http", "file"])
def test_live_regions_show_fans_and_a_frozen_one_its_track_record(
    page: Any, url: str, site: Path, how: str
) -> None:
    base = url if how == "http" else site.resolve().as_uri() + "/"
    for region in ("US", "US-CA") if how == "http" else ("US-CA",):
        state = _open(page, base, region)
        covid = state["fans"]["fc_admissions_0"]
        assert len(covid["x"]) >= 4, region
        assert covid["label"][0].startswith("COVID-19 forecast of ")
        assert state["xAdmissions"][1] > max(covid["x"])  # in view
        note = state["notes"]["wk inc covid hosp"]
        assert "median and 95 % interval" in note and "past forecasts" in note
    state = _open(page, base, "DE")
    for panel, target in (("cases", "wk inc case"), ("deaths", "wk inc death")):
        fan = state["fans"][f"fc_{panel}"]
        assert len(fan["x"]) == 2 * len(_median(site, "DE", target))  # a step per week
        assert "daily mean of each forecast week" in fan["label"][0]
        assert all(
            lo <= m <= hi
            for lo, m, hi in zip(fan["lo95"], fan["median"], fan["hi95"], strict=True)
        )
        assert "Forecast of " in state["notes"][target]
    assert state["x"][1] > max(state["fans"]["fc_cases"]["x"])
    hospitalisation = state["fans"]["fc_hospitalisation_0"]  # per 100 000, at week ends
    assert len(hospitalisation["x"]) == len(_median(site, "DE", "wk inc hosp"))
    assert "Forecast of " in state["notes"]["wk inc hosp"]
    # each note links to its target's scorecard on the Forecasts page
    links = page.locator(".forecast-note[data-target='wk inc case'] a")
    assert (
        links.first.get_attribute("href") == "../../forecasts/index.html#t-wk-inc-case"
    )
    assert 'id="t-wk-inc-case"' in (site / "forecasts" / "index.html").read_text(
        "utf-8"
    )
    assert links.nth(1).get_attribute("href") == "../../forecasts/DE.csv"
    assert (site / "forecasts" / "DE.csv").is_file()
    state = _open(page, base, "DE-09162")  # Munich: frozen in the mirror (2022)
    assert state["fans"]["fc_cases"]["x"] == []
    note = state["notes"]["wk inc case"]
    assert "No current forecast" in note and "track record only" in note
    assert "past forecasts" in note
    assert page.console_errors == []


def test_the_toggles_keep_the_fan_right(page: Any, url: str, site: Path) -> None:
    """Per 100 000 and counts, linear and log, the time window: the fan follows."""
    settings = epicurves.Settings(home=site.parent / "home")
    population = float(
        epicurves.load_regions(settings=settings)
        .set_index("region_id")
        .loc["DE", "population"]
    )
    medians = _median(site, "DE", "wk inc case")
    per = _open(page, url, "DE")["fans"]["fc_cases"]
    expected = [m * 1e5 / population / 7 for m in medians]
    assert per["median"][::2] == pytest.approx(expected, rel=1e-9)
    page.select_option("#ctl-per", "count")
    counts = page.evaluate(READ)["fans"]["fc_cases"]
    assert counts["median"][::2] == pytest.approx([m / 7 for m in medians], rel=1e-9)
    page.select_option("#ctl-scale", "log")
    logged = page.evaluate(READ)["fans"]["fc_cases"]
    assert all(v is None or v > 0 for v in logged["lo95"])
    assert logged["median"] == pytest.approx(counts["median"])
    page.select_option("#ctl-window", "84")
    state = page.evaluate(READ)
    assert state["x"][0] < min(state["fans"]["fc_cases"]["x"])
    assert state["x"][1] > max(state["fans"]["fc_cases"]["x"])
    # the US admissions: counts are the hub's numbers, per 100 000 those times a factor
    state = _open(page, url, "US-CA")
    hub = _median(site, "US-CA", "wk inc covid hosp")
    per_100k = state["fans"]["fc_admissions_0"]["median"]
    page.select_option("#per-sig-admissions", "count")
    counted = page.evaluate(READ)["fans"]["fc_admissions_0"]["median"]
    assert counted == pytest.approx(hub, rel=1e-12)
    ratios = {round(a / b, 9) for a, b in zip(per_100k, counted, strict=True)}
    assert len(ratios) == 1  # one factor: 100 000 / California's ~39.5 million people
    assert ratios.pop() == pytest.approx(1e5 / 39.5e6, rel=0.02)
    assert page.console_errors == []


def test_the_fans_are_the_stored_forecasts(site: Path) -> None:
    """Each region's forecast data script gives the stored ensemble forecast's levels."""
    summary = load_summary(epicurves.Settings(home=site.parent / "home"))
    current = summary.current
    for region, target in (("DE", "wk inc case"), ("US-CA", "wk inc covid hosp")):
        rows = current[(current["region_id"] == region) & (current["target"] == target)]
        medians = rows[rows["output_type_id"].round(4) == 0.5].sort_values("horizon")
        shown = _median(site, region, target)
        assert shown == pytest.approx(medians["value"].tolist(), rel=5e-3)
    assert not (site / "forecasts" / "DE-09162.js").read_text("utf-8").count('"fans"')


def test_no_serious_accessibility_violation_on_pages_with_fans(
    browser: Any, url: str
) -> None:
    """axe-core on a region page with its fans (daily panels and a surveillance chart) and
    their notes, in light and in dark mode."""
    _axe(browser, url, ("region/DE/index.html",))


def test_the_forecasts_folder_follows_the_stored_forecasts(
    forecast_site: tuple[epicurves.Settings, Path], tmp_path: Path
) -> None:
    """A site built before the backtest gets its forecasts on the next build, although no
    data changed; without a backtest each region's script is empty."""
    from epicurves.site.build import build_site

    settings = forecast_site[0]
    home = tmp_path / "home"
    import shutil

    shutil.copytree(settings.home, home, symlinks=True)
    shutil.rmtree(home / "forecasts")
    copy = epicurves.Settings(home=home, mirror=settings.mirror)
    build_site(copy, tmp_path / "site", workers=1)
    text = (tmp_path / "site" / "forecasts" / "DE.js").read_text("utf-8")
    assert '"fans"' not in text and '"DE.fc"' in text
    shutil.copytree(settings.home / "forecasts", home / "forecasts")
    report = build_site(copy, tmp_path / "site", workers=1)
    assert not report.full and "new forecasts" in report.reason
    assert '"fans"' in (tmp_path / "site" / "forecasts" / "DE.js").read_text("utf-8")


def test_a_renamed_region_rewrites_the_forecasts_folder() -> None:
    """The Forecasts page and the downloads name each region: a new name (from a new upstream
    file, or another precedence) rewrites them, as new forecasts or other regions do."""
    import dataclasses

    from epicurves.changes import RegionState
    from epicurves.site.forecasts import forecasts_changed

    de = RegionState("rki", "d", "Germany", "country", None, 83_000_000)
    by = RegionState("rki-states", "e", "Bayern", "state", "DE", 13_000_000)
    before = {"DE": de, "DE-BY": by}
    assert not forecasts_changed(before, "f1", dict(before), "f1")
    assert forecasts_changed(before, "f1", before, "f2")
    assert forecasts_changed(before, "f1", {"DE": de}, "f1")
    renamed = {"DE": de, "DE-BY": dataclasses.replace(by, name="Bavaria")}
    assert forecasts_changed(before, "f1", renamed, "f1")
    # the data of a region changed, not its name: its page is rewritten, not the folder
    assert not forecasts_changed(
        before, "f1", {"DE": dataclasses.replace(de, digest="x"), "DE-BY": by}, "f1"
    )


def test_a_refresh_handed_to_the_build_is_done_before_it_reads_the_forecasts(
    forecast_site: tuple[epicurves.Settings, Path], tmp_path: Path
) -> None:
    """`build_site(refresh=...)`, as `run` hands it the backtest's refresh: what it stores is
    on the site built, whether the build has pages to render (a full build) or none; an
    error it raises fails the build and keeps the published site."""
    import shutil

    from epicurves.errors import BuildError
    from epicurves.site.build import build_site

    settings = forecast_site[0]
    home, site = tmp_path / "home", tmp_path / "site"
    shutil.copytree(settings.home, home, symlinks=True)
    shutil.rmtree(home / "forecasts")
    copy = epicurves.Settings(home=home, mirror=settings.mirror)
    script = site / "forecasts" / "DE.js"

    def bring() -> None:
        shutil.copytree(settings.home / "forecasts", home / "forecasts")

    assert build_site(copy, site, workers=1, refresh=bring).full
    assert '"fans"' in script.read_text("utf-8")

    def broken() -> None:
        msg = "the refresh broke"
        raise RuntimeError(msg)

    shutil.rmtree(home / "forecasts")
    with pytest.raises(BuildError, match="the refresh broke"):
        build_site(copy, site, workers=1, refresh=broken)  # no pages: done first
    assert '"fans"' in script.read_text("utf-8")
    report = build_site(copy, site, workers=1, refresh=lambda: None)
    assert "new forecasts" in report.reason
    assert '"fans"' not in script.read_text("utf-8")

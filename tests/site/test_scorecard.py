"""The Forecasts page and the downloads: the page's numbers are `epicurves scores`', the files the stored forecasts', in a browser and to axe."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import epicurves
from browser_checks import CSP_RECORDER, record_errors
from browser_checks import axe as _axe
from browser_checks import open_page as _open
from browser_checks import served as _served
from conftest import ATTACK
from epicurves.cli import cli
from epicurves.forecast.engine import FORECAST_COLUMNS
from epicurves.forecast.series import FORECAST_TARGETS
from epicurves.forecast.summary import ForecastSummary, load_summary
from epicurves.formatting import fmt_int
from epicurves.site.pages import NAV
from epicurves.site.scorecard import (
    FOLDER,
    RANKED,
    RANKED_MIN,
    percent_text,
    relative_text,
    scorecard_files,
    wis_text,
)

PAGE = f"{FOLDER}/index.html"


class _Tables(HTMLParser):
    """Every table of a page: its attributes and its body rows (each row's attributes and
    cell texts), and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self.links: list[str] = []
        self._row: dict[str, Any] | None = None
        self._cell: list[str] | None = None
        self._body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append({**found, "rows": []})
        elif tag == "tbody":
            self._body = True
        elif tag == "tr" and self._body:
            self._row = {**found, "cells": []}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and "href" in found:
            self.links.append(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._body = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row["cells"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def real(test: Any) -> Any:
    """Marks a test of the fixture site with a stored backtest: the real data, and half a
    minute to make it (once per run)."""
    return pytest.mark.realdata(pytest.mark.slow(test))


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _tables(parsed: _Tables, kind: str) -> list[dict[str, Any]]:
    return [t for t in parsed.tables if kind in t.get("class", "").split()]


@pytest.fixture(scope="module")
def forecast_page(forecast_site: tuple[epicurves.Settings, Path]) -> _Tables:
    return _parse((forecast_site[1] / PAGE).read_text("utf-8"))


@pytest.fixture(scope="module")
def cli_scores(forecast_site: tuple[epicurves.Settings, Path]) -> pd.DataFrame:
    """``epicurves --home H scores --format csv``, as a table."""
    settings, _ = forecast_site
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "scores", "--format", "csv"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.output), dtype={"target": str})


@real
def test_the_scorecard_is_epicurves_scores(
    forecast_page: _Tables, cli_scores: pd.DataFrame
) -> None:
    """Every number of the scorecard's tables is the one of ``epicurves scores``, rounded as
    the page says; the tables of every model show every row of it, each once."""
    by_key = {
        (str(r.target), str(r.period), int(r.horizon), str(r.model)): r
        for r in cli_scores.itertuples(index=False)
    }
    shown: list[tuple[str, str, int, str]] = []
    tables = _tables(forecast_page, "scorecard")
    assert {t["data-models"] for t in tables} == {"shown", "every"}
    for table in tables:
        for row in table["rows"]:
            key = (
                table["data-target"],
                table["data-period"],
                int(row["data-horizon"]),
                row["data-model"],
            )
            expected = by_key[key]
            horizon, model, n, relative, wis, c50, c95 = row["cells"]
            assert (int(horizon), model) == key[2:]
            assert n == fmt_int(expected.n), key
            assert relative == relative_text(expected.relative_wis), key
            assert wis == wis_text(expected.wis), key
            assert (c50, c95) == (
                percent_text(expected.coverage_50),
                percent_text(expected.coverage_95),
            ), key
            if table["data-models"] == "every":
                shown.append(key)
    assert sorted(shown) == sorted(by_key)
    # the main tables: the ensemble and the baseline of every target, period and horizon
    main = {
        (t["data-target"], t["data-period"], int(r["data-horizon"]), r["data-model"])
        for t in tables
        if t["data-models"] == "shown"
        for r in t["rows"]
    }
    assert main == {k for k in by_key if k[3] in ("ensemble", "baseline")}


@real
def test_the_coverage_table_is_the_ensembles(
    forecast_site: tuple[epicurves.Settings, Path],
    forecast_page: _Tables,
    cli_scores: pd.DataFrame,
) -> None:
    """The chart's text alternative gives the ensemble's coverage of every target and
    horizon in the evaluation period, as ``epicurves scores`` does; the chart is there."""
    (table,) = _tables(forecast_page, "coverage")
    ours = cli_scores[
        (cli_scores["model"] == "ensemble") & (cli_scores["period"] == "evaluation")
    ]
    rows = {(r["data-target"], int(r["data-horizon"])): r for r in table["rows"]}
    assert set(rows) == {
        (str(t), int(h)) for t, h in zip(ours.target, ours.horizon, strict=True)
    }
    for r in ours.itertuples(index=False):
        row = rows[(str(r.target), int(r.horizon))]
        assert row["data-period"] == "evaluation"
        assert row["cells"][3:] == [
            fmt_int(r.n),
            percent_text(r.coverage_50),
            percent_text(r.coverage_95),
        ]
    script = (forecast_site[1] / FOLDER / "coverage.js").read_text("utf-8")
    assert script.startswith("self.EPICURVES_COVERAGE = {")
    assert script.count('"type":"object","name":"Figure"') == len({*ours.target})


@real
def test_the_best_and_worst_regions_are_the_track_records(
    forecast_site: tuple[epicurves.Settings, Path], forecast_page: _Tables
) -> None:
    """Per target, the regions ranked are those with enough forecasts, by relative WIS: the
    best and the worst (or every one when few), linked to their pages where they have
    one; every link of the page resolves."""
    settings, site = forecast_site
    records = load_summary(settings).records
    tables = _tables(forecast_page, "ranked")
    for target, frame in records.groupby("target"):
        known = frame[frame["n"] >= RANKED_MIN].sort_values(
            ["relative_wis", "region_id"]
        )
        ids = known["region_id"].tolist()
        listed = {
            t["data-kind"]: [r["data-region"] for r in t["rows"]]
            for t in tables
            if t["data-target"] == target
        }
        if len(ids) > 2 * RANKED:
            assert listed == {"best": ids[:RANKED], "worst": ids[::-1][:RANKED]}
        else:
            assert listed == {"all": ids}
        for table in (t for t in tables if t["data-target"] == target):
            for row in table["rows"]:
                r = known[known["region_id"] == row["data-region"]].iloc[0]
                assert row["cells"][1:5] == [
                    fmt_int(r.n),
                    relative_text(r.relative_wis),
                    percent_text(r.coverage_50),
                    percent_text(r.coverage_95),
                ]
    page = site / PAGE
    for link in forecast_page.links:
        parts = urlsplit(link)
        if not parts.scheme and parts.path:
            assert (page.parent / parts.path).resolve().is_file(), link
    assert any("/region/" in link for link in forecast_page.links)


@real
def test_each_target_says_what_data_it_is_scored_on(
    forecast_site: tuple[epicurves.Settings, Path],
) -> None:
    """Targets without releases say their scores use final data, per target."""
    html = (forecast_site[1] / PAGE).read_text("utf-8")
    notes = dict(
        re.findall(
            r'<section aria-labelledby="t-[^"]+">\s*<h3[^>]*>.*?\(([^)]*)\)</span></h3>\s*'
            r'<p class="note data-note" data-realtime="(\w+)">',
            html,
        )
    )
    assert notes, "no target's data note"
    for name, realtime in notes.items():
        assert realtime == FORECAST_TARGETS[name].realtime
    assert notes["wk inc case"] == notes["wk inc death"] == "final"
    assert notes["wk inc covid hosp"] == "releases"
    assert "Final data, not real time" in html and "optimistic" in html


@real
def test_the_downloads_are_the_current_forecasts(
    forecast_site: tuple[epicurves.Settings, Path], forecast_page: _Tables
) -> None:
    """``all.csv`` holds every current forecast (the stored summary's, which
    ``epicurves.make_forecasts`` makes again), at full precision; each region's file its
    own; the page links each file."""
    settings, site = forecast_site
    current = load_summary(settings).current
    assert len(current)

    def read(path: Path) -> pd.DataFrame:
        frame = pd.read_csv(
            path,
            dtype={"location": str},
            parse_dates=["reference_date", "target_end_date"],
        )
        assert list(frame.columns) == list(FORECAST_COLUMNS)
        return frame

    def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True).astype(str),
            b.reset_index(drop=True).astype(str),
        )
        assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy())

    every = read(site / FOLDER / "all.csv")
    same(every, current)
    files = {p.name for p in (site / FOLDER).glob("*.csv")}
    ids = sorted(set(current["region_id"]))
    assert files == {"all.csv", *(f"{r}.csv" for r in ids)}
    for region_id in ids:
        same(
            read(site / FOLDER / f"{region_id}.csv"),
            current[current["region_id"] == region_id],
        )
    assert {"all.csv", *(f"{r}.csv" for r in ids)} <= set(forecast_page.links)
    made = epicurves.make_forecasts(settings=settings)
    key = ["target", "region_id", "horizon", "output_type_id"]
    same(made.sort_values(key, kind="stable"), every.sort_values(key, kind="stable"))


def _common() -> dict[str, Any]:
    assets = {"css": "site.css", "bokeh": "bokeh.js", "scorecard_js": "scorecard.js"}
    return {"nav": NAV, "assets": assets, "version": "0", "binder": None, "docs": None}


def test_without_a_backtest_the_page_says_how_to_make_forecasts() -> None:
    """No stored backtest: the page is there, in the menu, and says how to make
    forecasts; no chart, no download."""
    empty = pd.DataFrame()
    files = dict(
        scorecard_files(ForecastSummary(empty, empty, empty, ""), {}, _common())
    )
    assert list(files) == [PAGE]
    html = files[PAGE].decode()
    assert "No forecasts yet" in html
    assert "<code>epicurves backtest</code>" in html and "epicurves run" in html
    assert '<a href="../forecasts/index.html" aria-current="page">Forecasts</a>' in html
    assert "coverage.js" not in html and "<table" not in html
    assert ("Forecasts", PAGE) in NAV


def _summary(name: str) -> ForecastSummary:
    """A summary of one target: a region called ``name``, a scorecard with a relative WIS
    that is not a number (a baseline whose errors were all 0)."""
    card = pd.DataFrame(
        [
            ("wk inc case", "evaluation", h, m, 60, w, 2.0, w / 2.0, 1.0, 0.5, 0.9)
            for h in (0, 1)
            for m, w in (("baseline", 2.0), ("ensemble", 1.5))
        ]
        + [("wk inc case", "tuning", 0, "ensemble", 60, 0.0, 0.0, np.nan, 0.0, 1.0, 1.0)],
        columns=[
            "target", "period", "horizon", "model", "n", "wis", "baseline_wis",
            "relative_wis", "ae_median", "coverage_50", "coverage_95",
        ],
    )  # fmt: skip
    records = pd.DataFrame(
        {
            "target": ["wk inc case"] * 3,
            "region_id": ["DE-X", "DE-Y", "DE-Z"],
            "n": [RANKED_MIN, RANKED_MIN, RANKED_MIN - 1],
            "coverage_50": [0.5, 0.4, 0.5],
            "coverage_95": [0.9, 0.9, 0.9],
            "relative_wis": [0.8, np.inf, 0.5],
            "first_reference_date": pd.Timestamp("2021-07-03"),
            "last_reference_date": pd.Timestamp("2026-08-29"),
        }
    )
    current = pd.DataFrame(
        {
            "reference_date": pd.Timestamp("2026-08-29"),
            "location": "DE-X",
            "horizon": 0,
            "target": "wk inc case",
            "target_end_date": pd.Timestamp("2026-08-29"),
            "output_type": "quantile",
            "output_type_id": [0.5],
            "value": [1 / 3],
            "region_id": "DE-X",
            "model": "ensemble",
        }
    )
    return ForecastSummary(current, records, card, "x")


def test_names_are_escaped_and_bad_values_left_blank() -> None:
    """An upstream region name is escaped; a relative WIS that is not a number shows blank,
    and a region without one, or with too few forecasts, is not ranked; a value keeps its
    every digit in the download."""
    files = dict(scorecard_files(_summary(ATTACK), {"DE-X": ATTACK}, _common()))
    html = files[PAGE].decode()
    assert ATTACK not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    parsed = _parse(html)
    (ranked,) = _tables(parsed, "ranked")
    assert [r["data-region"] for r in ranked["rows"]] == ["DE-X"]
    assert ranked["rows"][0]["cells"][0] == ATTACK
    tuning = next(
        t for t in _tables(parsed, "scorecard") if t["data-period"] == "tuning"
    )
    assert tuning["rows"][0]["cells"][3] == ""
    assert not re.search(r">\s*(nan|inf)\s*<", html, re.IGNORECASE)
    assert "0.3333333333333333" in files[f"{FOLDER}/DE-X.csv"].decode()
    assert files[f"{FOLDER}/all.csv"] == files[f"{FOLDER}/DE-X.csv"]
    assert f"{FOLDER}/coverage.js" in files


# -- in a browser -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def forecast_url(forecast_site: tuple[epicurves.Settings, Path]) -> Iterator[str]:
    """The fixture site with a stored backtest, served."""
    yield from _served(forecast_site[1])


@pytest.mark.realdata
@pytest.mark.parametrize("where", ["http", "file"])
def test_the_page_draws_its_chart(
    browser: Any,
    forecast_site: tuple[epicurves.Settings, Path],
    forecast_url: str,
    where: str,
) -> None:
    """Over HTTP and from a file, under the site's policy: the coverage chart draws (a panel
    per target), with no console error and no policy violation; at phone width in dark
    mode, the page does not scroll sideways."""
    root = (
        forecast_url if where == "http" else forecast_site[1].resolve().as_uri() + "/"
    )
    for scheme, width in (("light", 1280), ("dark", 390)):
        with browser.page(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        ) as page:
            page.add_init_script(CSP_RECORDER)
            errors = record_errors(page)
            _open(page, root + PAGE, "coverage")
            panels = page.evaluate("Bokeh.documents[0].roots()[0].children.length")
            (table,) = _tables(_parse(page.content()), "coverage")
            assert panels == len({r["data-target"] for r in table["rows"]}) > 1
            assert page.locator("#coverage-chart canvas").count() >= 1
            assert page.evaluate("window.__csp") == []
            assert errors == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.realdata
def test_no_serious_accessibility_violation_on_the_forecasts_page(
    browser: Any, forecast_url: str
) -> None:
    """axe-core, light and dark."""
    _axe(browser, forecast_url, (PAGE,))

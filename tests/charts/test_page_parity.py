"""A notebook shows what the page shows: plot_region and plot_signals against the region page
that the site built from the fixture mirror (and from the real data, where present) draws in
headless Chromium.

The page's data files keep the decimals a page shows (:data:`epicurves.site.payload.SERIES`,
three significant digits for the signals), so the frames given to the Python plots are rounded
the same way first: then every named source, range, title, legend label and panel shown must be
the same, to the last bit but for the order of floating-point steps (allclose, NaN-aware).
"""

from __future__ import annotations

import json
import math
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import epicurves
from epicurves.charts import spec

pytestmark = pytest.mark.browser

REGION = "DE"  # has deaths, three peers and every surveillance chart in the fixtures
#: Regions of the real site compared (with the real data only): a country with signals and
#: its peers, a US state (a district's charts are compared with c16e9d3's pages by
#: tools/chartdiff.py, and its numbers under node in test_views_js.py).
REAL_REGIONS = ("DE", "US-CA")

#: The state of a region page, read from its Bokeh document: every named source of the
#: charts, the ranges, each figure's visibility and title, the comparison chart's labels and
#: the log axes' ticks. Numbers that are not finite come back as null.
READ_REGION = """names => {
  const doc = Bokeh.documents.find(d => d.get_model_by_name('inc'));
  const plain = v => Array.from(v, x => typeof x === 'number' && !Number.isFinite(x) ? null : x);
  const out = {sources: {}, ranges: {}, figures: {}, ticks: {}};
  for (const name of names.sources) {
    const data = doc.get_model_by_name(name).data;
    out.sources[name] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, plain(v)]));
  }
  for (const name of names.figures) {
    const fig = doc.get_model_by_name(name);
    const r = fig.y_range;
    out.figures[name] = {visible: fig.visible, title: fig.title.text};
    out.ranges['y_' + name.slice(4)] = [r.start, r.end, r.reset_start, r.reset_end];
    const ticker = doc.get_model_by_name('ticks_' + name);
    if (ticker) out.ticks[name] = Array.from(ticker.ticks);
  }
  const x = doc.get_model_by_name('x');
  out.ranges.x = [x.start, x.end, x.reset_start, x.reset_end];
  out.bounds = Array.from(x.bounds);
  out.legend = doc.get_model_by_name('cmp_legend').items.map(i => i.label.value);
  return out;
}"""
#: The same for the surveillance charts (one Bokeh document each).
READ_SIGNALS = """() => {
  const plain = v => Array.from(v, x => typeof x === 'number' && !Number.isFinite(x) ? null : x);
  const out = {};
  for (const doc of Bokeh.documents) {
    const root = doc.roots().find(r => r.name && r.name.startsWith('charts_'));
    if (!root) continue;
    const chart = root.name.slice(7);
    const data = doc.get_model_by_name('src_' + chart).data;
    const x = doc.get_model_by_name('x_' + chart);
    const shown = root.children.filter(f => f.visible).map(f => f.name);
    const fig = doc.get_model_by_name(shown[0]);
    const legend = doc.get_model_by_name('legend_' + chart);
    const hover = doc.get_model_by_name('hover_' + chart);
    out[chart] = {
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, plain(v)])),
      x: [x.start, x.end, x.reset_start, x.reset_end], bounds: Array.from(x.bounds),
      shown: shown,
      y: [fig.y_range.start, fig.y_range.end, fig.y_range.reset_start, fig.y_range.reset_end],
      legend: legend ? legend.items.map(i => i.label.value) : null,
      tooltips: legend && hover ? hover.tooltips : null,
    };
  }
  return out;
}"""


@pytest.fixture(scope="module")
def site(
    signal_site: tuple[epicurves.Settings, Path],
) -> tuple[epicurves.Settings, Path]:
    """The site built from the whole fixture mirror, the signal sources included."""
    return signal_site


def _read(browser: Any, site: Path, region: str, hash_: str = "") -> dict[str, Any]:
    """The state of a region page (from disk, with ``hash_``) once its charts, peers and
    signal charts are drawn: ``region`` (:data:`READ_REGION`), ``signals``
    (:data:`READ_SIGNALS`, empty for a page without signals)."""
    with browser.page(viewport={"width": 1280, "height": 900}) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "region" / region / "index.html").resolve().as_uri() + hash_)
        flags = ["all-charts-ready", "peers-ready"]
        if page.locator("#signals-config").count():
            flags.append("signals-ready")
        for flag in flags:
            page.wait_for_selector(f"body[data-{flag}='1']", timeout=15_000)
        names = {"sources": list(spec.SOURCES_OF_REGION), "figures": list(spec.FIGURES)}
        state = {
            "region": page.evaluate(READ_REGION, names),
            "signals": page.evaluate(READ_SIGNALS),
        }
    assert errors == []
    return state


@pytest.fixture(scope="module")
def default_view(browser: Any, site: tuple[epicurves.Settings, Path]) -> dict[str, Any]:
    """The fixture page of :data:`REGION` as it opens (linear, per 100 000, 365 days)."""
    return _read(browser, site[1], REGION)


def _as_page_keeps(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics at the decimals of the site's data files (payload.SERIES); the centred
    means are the kept trailing ones, three days later."""
    from epicurves.site.payload import SERIES

    out = metrics.copy()
    for column, decimals in SERIES.items():
        out[column] = np.round(out[column].astype(float), decimals or 0)
    for kind in ("cases", "deaths"):
        out[f"new_{kind}_7d_mean_centred"] = np.round(
            out[f"new_{kind}_7d_mean_centred"].astype(float), 1
        )
    return out


def _same(got: Any, want: Any, where: str) -> None:
    """Equal columns: strings exactly, numbers allclose with NaN (or null) equal to NaN."""
    got, want = list(got), list(want)
    assert len(got) == len(want), f"{where}: {len(got)} values, expected {len(want)}"
    if any(isinstance(v, str) for v in (*got, *want)):
        assert got == want, where
        return
    a = np.array([math.nan if v is None else v for v in got], dtype=float)
    b = np.array([math.nan if v is None else v for v in want], dtype=float)
    assert np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True), (where, a, b)


_MODELS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _models(layout: Any) -> dict[str, Any]:
    """The models of ``layout`` by name (``select_one`` walks every model at each call: on
    a real page's layout, seconds); a name two models share maps to ``None``."""
    if layout not in _MODELS:
        models: dict[str, Any] = {}
        for model in layout.references():
            if model.name is not None:
                models[model.name] = None if model.name in models else model
        _MODELS[layout] = models
    return _MODELS[layout]


def _named(layout: Any, name: str) -> Any:
    found = _models(layout).get(name)
    assert found is not None, f"the layout has no model named {name} (or two)"
    return found


def _region_inputs(
    settings: epicurves.Settings, site: Path, region: str
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The region's rounded metrics with its name and population (as the page has them), and
    its peers, in the page's order, by name."""
    text = (site / "region" / region / "index.html").read_text("utf-8")
    config = json.loads(
        text.split('id="page-config" type="application/json">')[1].split("</script>")[0]
    )
    peers = config["peers"]
    assert len(peers) <= spec.COMPARE_LINES - 1
    regions = epicurves.load_regions(settings=settings)
    regions = regions[["region_id", "name", "population"]]
    ids = [region, *(p["region_id"] for p in peers)]
    metrics = _as_page_keeps(epicurves.load_metrics(ids, settings=settings))
    metrics = metrics.merge(regions, on="region_id", how="left")
    own = metrics[metrics["region_id"] == region]
    others = {p["name"]: metrics[metrics["region_id"] == p["region_id"]] for p in peers}
    return own, others


def shown_names(layout: Any) -> list[str]:
    return [c.name for c in layout.children]


def _assert_region_parity(layout: Any, state: dict[str, Any]) -> None:
    """The region charts of ``layout`` (plot_region) hold what the page's hold."""
    shown = [c.name for c in layout.children if c.name in spec.FIGURES]
    visible = [name for name in spec.FIGURES if state["figures"][name]["visible"]]
    assert shown == visible
    for name in shown:
        assert _named(layout, name).title.text == state["figures"][name]["title"], name
    for name, columns in state["sources"].items():
        if name not in _models(layout):  # a source of a panel not shown only
            continue
        model = _named(layout, name)
        assert set(model.data) == set(columns), name
        for column, values in columns.items():
            _same(model.data[column], values, f"{name}.{column}")
    for name, values in state["ranges"].items():
        if name == "x" or "fig_" + name[2:] in shown:
            r = _named(layout, name)
            _same([r.start, r.end, r.reset_start, r.reset_end], values, name)
    _same(_named(layout, "x").bounds, state["bounds"], "x.bounds")
    legend = _named(layout, "cmp_legend")
    assert [i.label.value for i in legend.items] == state["legend"]
    for name, ticks in state["ticks"].items():
        if name in shown:  # the notebook's fixed ticks are the page's, and more beyond
            fig = _named(layout, name)
            start, end = fig.y_range.start, fig.y_range.end
            mine = [t for t in fig.yaxis[0].ticker.ticks if start <= t <= end]
            assert mine == ticks, name


@pytest.mark.parametrize(
    ("hash_", "options"),
    [
        ("", {}),
        (
            "#scale=log&per=count&window=all",
            {"scale": "log", "per": "count", "window": None},
        ),
    ],
    ids=["default", "log-count-all"],
)
def test_plot_region_fills_what_the_page_fills(
    browser: Any,
    site: tuple[epicurves.Settings, Path],
    default_view: dict[str, Any],
    hash_: str,
    options: dict[str, Any],
) -> None:
    settings, folder = site
    own, others = _region_inputs(settings, folder, REGION)
    assert len(others) == 3
    layout = epicurves.plot_region(own, others, **options)
    state = _read(browser, folder, REGION, hash_) if hash_ else default_view
    _assert_region_parity(layout, state["region"])
    assert "fig_deaths_" + ("log" if options else "lin") in shown_names(layout)
    assert state["region"]["legend"] == ["Germany", *others]


def test_full_precision_is_within_the_pages_rounding(
    site: tuple[epicurves.Settings, Path],
) -> None:
    """Unrounded, the notebook's incidence differs from the page's by the rounding only."""
    settings, folder = site
    own, others = _region_inputs(settings, folder, REGION)
    exact = epicurves.load_metrics([REGION], settings=settings)
    kept = _named(epicurves.plot_region(own, others), "inc").data["y"]
    full = _named(epicurves.plot_region(exact, others), "inc").data["y"]
    finite = np.isfinite(kept)
    assert finite.any()
    assert np.array_equal(finite, np.isfinite(full))
    assert np.abs(np.asarray(full)[finite] - np.asarray(kept)[finite]).max() <= 0.05


def _signals_as_page_keeps(settings: epicurves.Settings, region: str) -> pd.DataFrame:
    """The region's charted signals at the precision of the site's signal scripts."""
    from epicurves.site.signals import kept_values

    signals = epicurves.load_signals([region], settings=settings)
    charted = [c.signal for c in spec.SIGNAL_CHARTS]
    out = signals[signals["signal"].isin(charted)].copy()
    for column in ("value", "lo", "hi"):
        values = out[column].to_numpy(dtype=float).copy()
        for signal in out["signal"].unique():
            rows = (out["signal"] == signal).to_numpy()
            values[rows] = kept_values(values[rows], str(signal))
        out[column] = values
    return out


def _assert_signal_parity(layout: Any, state: dict[str, Any]) -> None:
    """The surveillance charts of ``layout`` hold what the page's hold."""
    figures = [c for c in layout.children if c.name not in spec.FIGURES]
    assert len(figures) == len(state)
    for fig in figures:
        chart = fig.name.removeprefix("fig_").removesuffix("_log")
        want = state[chart]
        assert [fig.name] == want["shown"], chart
        source = _named(fig, f"src_{chart}")
        assert set(source.data) == set(want["data"]), chart
        for column, values in want["data"].items():
            _same(source.data[column], values, f"{chart}.{column}")
        x = _named(fig, f"x_{chart}")
        _same([x.start, x.end, x.reset_start, x.reset_end], want["x"], f"x_{chart}")
        _same(x.bounds, want["bounds"], f"x_{chart}.bounds")
        y = fig.y_range
        _same([y.start, y.end, y.reset_start, y.reset_end], want["y"], f"y_{chart}")
        if want["legend"] is not None:
            legend = _named(fig, f"legend_{chart}")
            # a forecast's entry is labelled by its source (a field, no value): None/null
            labels = [getattr(i.label, "value", None) for i in legend.items]
            assert labels == want["legend"], chart
            hover = _named(fig, f"hover_{chart}")
            assert [list(t) for t in hover.tooltips] == want["tooltips"], chart


def test_plot_signals_fills_what_the_page_fills(
    site: tuple[epicurves.Settings, Path], default_view: dict[str, Any]
) -> None:
    layout = epicurves.plot_signals(_signals_as_page_keeps(site[0], REGION))
    assert len(layout.children) == 8  # RKI's five charts and ECDC's three
    _assert_signal_parity(layout, default_view["signals"])


@pytest.mark.realdata
@pytest.mark.parametrize("region", REAL_REGIONS)
def test_real_pages_and_plots_agree(
    browser: Any, real_site: tuple[epicurves.Settings, Path], region: str
) -> None:
    """The same on the real data (years of days, flags, corrections, every signal)."""
    settings, folder = real_site
    own, others = _region_inputs(settings, folder, region)
    has_signals = (folder / "data" / f"{region}.sig.js").exists()
    signals = _signals_as_page_keeps(settings, region) if has_signals else None
    layout = epicurves.plot_region(own, others, signals=signals)
    state = _read(browser, folder, region)
    _assert_region_parity(layout, state["region"])
    _assert_signal_parity(layout, state["signals"])
    log = epicurves.plot_region(own, others, scale="log", per="count", window=84)
    _assert_region_parity(
        log, _read(browser, folder, region, "#scale=log&per=count&window=84")["region"]
    )

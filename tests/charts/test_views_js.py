"""The chart data computed once per language, tested once: static/chartdata.js and static/signaldata.js under node against the Python views on the same inputs.

Each case is a region's metrics (or signals) with a choice of options. Python computes its view
(:func:`epicurves.charts.views.region_view`, :func:`~epicurves.charts.views.signal_views`); node
runs the page's scripts (``chartdata_harness.js``, beside this file) on the
same numbers at full precision, and every named source, panel, title, range and label must be
the same, float for float. A copy of chartdata.js with one step changed must fail.
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import hub_forecasts, metrics_of
from epicurves.charts import spec
from epicurves.charts.views import (
    format_number,
    level_colours,
    log_ticks,
    region_view,
    signal_views,
)
from epicurves.charts.views.signals import grid_step

STATIC = Path(epicurves.__file__).parent / "site" / "static"
HARNESS = Path(__file__).with_name("chartdata_harness.js")
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None, reason="node not found (apt-get install nodejs; .ci/run installs it)"
)

RISE = [
    0,
    0,
    5,
    10,
    20,
    40,
    60,
    80,
    100,
    130,
    0,
    160,
    190,
    220,
    260,
    300,
    350,
    400,
    460,
    500,
]
WAVE = [int(200 + 180 * math.sin(i / 9)) for i in range(120)]
DEATHS = [i % 3 for i in range(120)]
STATES = [
    {"scale": scale, "per": per, "window": window}
    for scale, per, window in itertools.product(
        ("linear", "log"), ("per100k", "count"), ("all", "365", "84")
    )
]


def _number(value: Any) -> Any:
    """A value for JSON: floats as they are (repr round-trips), NaN and NA as null."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return value
    number = float(value)
    return None if math.isnan(number) else number


def _payload(frame: pd.DataFrame, name: str, provisional: int) -> dict[str, Any]:
    """The page's payload (site.js ``Epicurves.expand``) of a metrics frame, full precision."""
    columns = [
        *(c for p in spec.DAILY_PANELS.values() for c in p.values()),
        spec.INCIDENCE,
        *(m for source in spec.METRIC_SOURCES.values() for m in source.values()),
    ]
    population = frame["population"].iloc[0] if "population" in frame.columns else None
    flags = frame["flags"].fillna("").astype(str).tolist()
    return {
        "region_id": str(frame["region_id"].iloc[0]),
        "name": name,
        "population": _number(population),
        "provisional_days": provisional,
        "dates": frame["date"].dt.strftime("%Y-%m-%d").tolist(),
        "flags": [[i, f] for i, f in enumerate(flags) if f],
        **{c: [_number(v) for v in frame[c]] for c in columns},
    }


def _with_population(frame: pd.DataFrame, population: int | None) -> pd.DataFrame:
    return frame.assign(population=population) if population is not None else frame


def _run(cases: dict[str, Any], static: Path = STATIC) -> dict[str, Any]:
    """The harness's output for ``cases`` (the spec added)."""
    assert NODE is not None
    text = json.dumps({"spec": spec.browser_spec(), **cases}, allow_nan=False)
    done = subprocess.run(
        [NODE, str(HARNESS), str(static)], input=text, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def _same(python: Any, js: Any, where: str) -> list[str]:
    """Where a Python value and the harness's differ (floats exactly; NaN is null)."""
    if isinstance(python, dict):
        if not isinstance(js, dict):
            return [f"{where}: {js!r} is not a dict"]
        return [d for k in python for d in _same(python[k], js.get(k), f"{where}.{k}")]
    if isinstance(python, np.ndarray | list | tuple):
        values = list(python)
        if not isinstance(js, list) or len(js) != len(values):
            return [
                f"{where}: lengths {len(values)} and {None if js is None else len(js)}"
            ]
        return [
            d
            for i, (a, b) in enumerate(zip(values, js, strict=True))
            for d in _same(a, b, f"{where}[{i}]")
        ]
    if isinstance(python, str) or python is None:
        return [] if python == js else [f"{where}: {python!r} != {js!r}"]
    number = float(python)
    if math.isnan(number):
        return [] if js is None else [f"{where}: NaN != {js!r}"]
    return (
        []
        if js is not None and number == float(js)
        else [f"{where}: {number!r} != {js!r}"]
    )


# -- the region charts --------------------------------------------------------------------------
def _region_cases() -> list[
    tuple[str, pd.DataFrame, dict[str, pd.DataFrame], dict[str, str]]
]:
    """(what, metrics, peers, state): regions with and without a population, deaths, peers."""
    rise = _with_population(
        metrics_of(RISE, [i % 2 for i in range(len(RISE))]), 200_000
    )
    wave = _with_population(metrics_of(WAVE, DEATHS, region="W"), 3_456_789)
    quiet = metrics_of([0] * 30 + [1, 0, 3], region="Q", population=None)
    peer = _with_population(metrics_of(WAVE[:90], region="P"), 1_000_000)
    out = []
    for state in STATES:
        out.append(("rise", rise, {}, state))
        out.append(("wave", wave, {"Peer": peer}, state))
    out.append(
        ("quiet", quiet, {}, {"scale": "linear", "per": "count", "window": "all"})
    )
    out.append(
        ("quiet-log", quiet, {}, {"scale": "log", "per": "count", "window": "84"})
    )
    return out


def _region_inputs(cases: list[Any], provisional: int = 4) -> list[dict[str, Any]]:
    return [
        {
            "payload": _payload(frame, what, provisional),
            "peers": [{"name": k, "payload": _payload(v, k, provisional)} for k, v in peers.items()],
            "state": state,
        }
        for what, frame, peers, state in cases
    ]  # fmt: skip


def _region_differences(view: Any, js: dict[str, Any]) -> list[str]:
    shown = [name for name in spec.FIGURES if js["panels"].get(name)]
    out = _same(view.sources, js["sources"], "sources")
    out += [] if list(view.figures) == shown else [f"panels: {view.figures} != {shown}"]
    out += _same(view.titles, {k: js["titles"][k] for k in view.titles}, "titles")
    out += _same(view.ranges, js["ranges"]["ranges"], "ranges")
    if set(view.ranges) != set(js["ranges"]["ranges"]):
        out.append(
            f"ranges set: {sorted(view.ranges)} != {sorted(js['ranges']['ranges'])}"
        )
    out += _same(view.x_bounds, js["ranges"]["bounds"], "bounds")
    out += _same(list(view.compare), js["labels"], "compare labels")
    return out


def _views(cases: list[Any], provisional: int = 4) -> list[Any]:
    return [
        region_view(frame, peers or None, scale=state["scale"], per=state["per"],
                    window=spec.WINDOWS[state["window"]], name=what,
                    provisional_days=provisional)
        for what, frame, peers, state in cases
    ]  # fmt: skip


def test_the_region_charts_are_the_same_in_both_languages() -> None:
    cases = _region_cases()
    out = _run({"regions": _region_inputs(cases), "signals": [], "logTicks": [],
                "levelColours": [], "formatNumbers": []})  # fmt: skip
    for (what, _, _, state), view, js in zip(
        cases, _views(cases), out["regions"], strict=True
    ):
        differences = _region_differences(view, js)
        assert not differences, (what, state, differences[:5])


def test_the_fans_are_the_same_in_both_languages() -> None:
    """A region with forecasts of its cases and deaths, every state: the fans' sources, the
    ranges widened to them."""
    from epicurves.charts.fans import fans_of

    frame = _with_population(metrics_of(WAVE, DEATHS, region="W"), 3_456_789)
    last = pd.Timestamp(frame["date"].max())
    forecasts = pd.concat(
        [
            hub_forecasts("W", "wk inc case", last, [1400.0, 1500.5, 0.0, 1700.0]),
            hub_forecasts("W", "wk inc death", last, [7.0, 6.5, 6.0, 5.5]),
        ]
    )
    cases = [("wave", frame, {}, state) for state in STATES]
    inputs = _region_inputs(cases)
    for item in inputs:
        item["forecast"] = {"fans": fans_of(forecasts, "W")}
    out = _run({"regions": inputs, "signals": [], "logTicks": [], "levelColours": [],
                "formatNumbers": []})  # fmt: skip
    for (_, _, _, state), js in zip(cases, out["regions"], strict=True):
        view = region_view(
            frame, scale=state["scale"], per=state["per"], name="wave",
            window=spec.WINDOWS[state["window"]], provisional_days=4,
            forecasts=forecasts,
        )  # fmt: skip
        assert len(view.sources["fc_cases"]["x"]) == 8
        assert view.ranges["x"][1] > max(view.sources["fc_deaths"]["x"])
        differences = _region_differences(view, js)
        assert not differences, (state, differences[:5])


def test_a_broken_copy_of_the_script_is_caught(tmp_path: Path) -> None:
    """The same comparison fails on a chartdata.js whose linear y range has more headroom."""
    broken = tmp_path / "static"
    shutil.copytree(STATIC, broken)
    script = broken / "chartdata.js"
    text = script.read_text("utf-8")
    assert text.count("1.12)") == 1
    script.write_text(text.replace("1.12)", "1.13)"), "utf-8")
    cases = [c for c in _region_cases() if c[3]["scale"] == "linear"][:1]
    out = _run({"regions": _region_inputs(cases), "signals": [], "logTicks": [],
                "levelColours": [], "formatNumbers": []}, broken)  # fmt: skip
    differences = _region_differences(_views(cases)[0], out["regions"][0])
    assert differences and all(d.startswith("ranges.y_inc_lin") for d in differences)


# -- the surveillance charts ----------------------------------------------------------------------
def _compact(rows: pd.DataFrame) -> dict[str, Any]:
    """One series in the data script's compact form (epicurves.site.signals), full precision."""
    rows = rows.sort_values("date")
    days = rows["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    step = grid_step(days)
    index = (days - days[0]) // step
    out: dict[str, Any] = {
        **{
            k: str(rows[k].iloc[0])
            for k in ("signal", "pathogen", "age_group", "estimate")
        },
        "start": str(rows["date"].iloc[0].date()),
        "step": int(step),
    }
    for column, key in (("value", "v"), ("lo", "lo"), ("hi", "hi")):
        grid: list[Any] = [None] * (int(index[-1]) + 1)
        for i, v in zip(index.tolist(), rows[column].tolist(), strict=True):
            grid[i] = _number(v)
        while grid and grid[-1] is None:
            grid.pop()
        if key == "v" or grid:
            out[key] = grid
    return out


@pytest.fixture(scope="module")
def de_signals(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    from conftest import FIXTURES, SIGNAL_SOURCES

    home = tmp_path_factory.mktemp("signals")
    settings = epicurves.Settings(home=home / "home", mirror=FIXTURES)
    # RKI's signals and ECDC's (ERVISS) for Germany
    report = epicurves.update(settings, [*SIGNAL_SOURCES, "ecdc-erviss"])
    assert not report.failed, report.failed
    return epicurves.load_signals(["DE"], settings=settings)


@pytest.mark.slow
def test_the_signal_charts_are_the_same_in_both_languages(
    de_signals: pd.DataFrame,
) -> None:
    """Every chart Germany has, RKI's and ECDC's (by age, by estimate, by pathogen, a line
    per pathogen): the page's script and the Python views give the same columns."""
    drawn = _signal_charts_agree(de_signals)
    # with a forecast of RKI's hospitalisations: a fan per 100 000 on their chart
    last = pd.Timestamp(de_signals["date"].max())
    forecasts = hub_forecasts("DE", "wk inc hosp", last, [900.0, 950.0, 990.0, 0.0])
    assert _signal_charts_agree(de_signals, forecasts) == drawn
    hospitalisation = next(
        v for v in signal_views(de_signals, forecasts=forecasts)
        if v.chart.anchor == "sig-hospitalisation"
    )  # fmt: skip
    assert list(hospitalisation.fans) == [0]
    # without the counts to relate them to the rates, no fan in either language
    no_counts = de_signals[de_signals["signal"] != "hospitalisation-cases"]
    assert _signal_charts_agree(no_counts, forecasts) == drawn
    assert not next(
        v for v in signal_views(no_counts, forecasts=forecasts)
        if v.chart.anchor == "sig-hospitalisation"
    ).fans  # fmt: skip
    median = np.asarray(hospitalisation.fans[0]["median"])
    assert np.isfinite(median).all() and (median < 900.0).all()  # per 100 000
    signals = set(de_signals["signal"].astype(str))
    assert drawn == [
        c.anchor
        for c in spec.SIGNAL_CHARTS
        if c.pathogens != spec.US_DISEASES and c.signal in signals
    ]
    assert {"sig-wastewater", "sig-sari", "sig-ili", "sig-sari-rate"} <= set(drawn)
    sari = next(
        v for v in signal_views(de_signals) if v.chart.anchor == "sig-sari-rate"
    )
    assert sari.labels == ("all ages",)  # the chart draws all ages only
    assert sari.title.endswith(", per 100,000 population")


@pytest.fixture(scope="module")
def us_signals(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    from conftest import FIXTURES

    if not (FIXTURES / "cdc-flu").is_dir() or not (FIXTURES / "cdc-covid").is_dir():
        pytest.skip(
            "the CDC fixtures (tests/data/cdc-covid, cdc-flu) are not there yet"
        )
    home = tmp_path_factory.mktemp("us-signals")
    settings = epicurves.Settings(home=home / "home", mirror=FIXTURES)
    report = epicurves.update(settings, ["cdc-covid", "cdc-flu"])
    assert not report.failed, report.failed
    return epicurves.load_signals(["US"], settings=settings)


def test_the_us_charts_by_disease_are_the_same_in_both_languages(
    us_signals: pd.DataFrame,
) -> None:
    """COVID-19 and influenza, per 100 000 and in counts, linear and log: the page's script
    and the Python views give the same columns (the provisional weeks split alike)."""
    drawn = _signal_charts_agree(us_signals)
    assert drawn == ["sig-admissions", "sig-ed-share"]
    # with the forecasts of both diseases: drawn after their lines, in the chart's units
    last = pd.Timestamp(us_signals["date"].max())
    forecasts = pd.concat(
        [
            hub_forecasts("US", "wk inc covid hosp", last, [900.0, 950.0, 1e3, 0.0]),
            hub_forecasts("US", "wk inc flu hosp", last, [90.0, 95.0, 100.0, 105.5]),
        ]
    )
    assert _signal_charts_agree(us_signals, forecasts) == drawn
    fans = next(
        v for v in signal_views(us_signals, forecasts=forecasts)
        if v.chart.anchor == "sig-admissions"
    ).fans  # fmt: skip
    assert sorted(fans) == [0, 1] and len(fans[0]["x"]) == 4
    views = {v.chart.anchor: v for v in signal_views(us_signals, per="count")}
    admissions = views["sig-admissions"]
    assert admissions.labels == ("COVID-19", "influenza")
    assert admissions.title.endswith("hospital admissions per week")
    for view in views.values():
        for i, pathogen in enumerate(view.chart.pathogens):
            weeks = spec.provisional_weeks(view.chart)[pathogen]
            v, settled, provisional = (
                np.asarray(view.data[f"{k}{i}"]) for k in ("v", "s", "p")
            )
            last = int(np.flatnonzero(np.isfinite(v))[-1])
            first = max(last - weeks + 1, 0)  # the first provisional week
            joined = max(first - 1, 0)  # the dashed line starts at the last settled
            assert np.isnan(settled[first : last + 1]).all()
            assert np.isfinite(settled[:first]).all()
            assert np.isfinite(provisional[joined : last + 1]).all()
            assert np.isnan(provisional[:joined]).all()


@pytest.mark.slow
def test_a_new_signal_chart_is_one_entry_in_the_spec(
    de_signals: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a chart: an entry in ``spec.SIGNAL_CHARTS`` and its columns in
    ``spec.SIGNAL_FIGURES`` (here SARI by age group a second time, as its own figure). Nothing
    else is edited: the Python view and figure, the site's chart items and the page's script
    (through the spec it is sent) all draw it, and they agree."""
    from epicurves.charts.layouts import signals as layouts

    extra = spec.SignalChart(
        "sig-sari-again", "sari", ("measured",), "sari_again", "age_group"
    )
    monkeypatch.setattr(spec, "SIGNAL_CHARTS", (*spec.SIGNAL_CHARTS, extra))
    monkeypatch.setitem(spec.SIGNAL_FIGURES, "sari_again", spec.SIGNAL_FIGURES["sari"])
    layouts._signal_items.cache_clear()
    try:
        assert _signal_charts_agree(de_signals)[-1] == "sig-sari-again"
        item = layouts.signal_items()["sari_again"]
        assert item["doc"]["roots"][0]["attributes"]["name"] == "charts_sari_again"
        drawn = epicurves.plot_signals(de_signals)
        titles = [fig.title.text for fig in drawn.children]
        assert titles[-1] == extra.title  # SARI's own title, twice
        assert extra.title in titles[:-1]
    finally:
        layouts._signal_items.cache_clear()


def _signal_charts_agree(
    de_signals: pd.DataFrame, forecasts: pd.DataFrame | None = None
) -> list[str]:
    """Runs the page's signal preparation under node on ``de_signals`` (and ``forecasts``)
    for every chart of the spec, pathogen and scale, asserts it equals the Python views; the
    anchors drawn."""
    from epicurves.charts.fans import FORECAST_CHARTS, fans_of
    from epicurves.charts.views.signals import fan_factor

    region = str(de_signals["region_id"].iloc[0])
    forecast = None
    if forecasts is not None:  # with the factor the site computes for each fan
        fans = fans_of(forecasts, region)
        for target, fan in fans.items():
            anchor, pathogen = FORECAST_CHARTS[target]
            chart = next(c for c in spec.SIGNAL_CHARTS if c.anchor == anchor)
            factor = fan_factor(chart, target, de_signals, pathogen)
            fan["per100k"] = factor if math.isfinite(factor) else None  # as the site
        forecast = {"fans": fans}
    keys = ["pathogen", "age_group", "estimate"]
    series = [
        _compact(rows) for _, rows in sorted(de_signals.groupby(["signal", *keys]), key=lambda g: g[0])
    ]  # fmt: skip
    # the page gives a chart whose unit differs by region the region's unit
    units = dict(
        zip(
            de_signals["signal"].astype(str),
            de_signals["unit"].astype(str),
            strict=True,
        )
    )
    charts = [
        c | ({"unit": units.get(c["signal"], "")} if c["unit_title"] else {})
        for c in spec.browser_spec()["signalCharts"]
    ]
    pathogens = sorted(
        set(de_signals.loc[de_signals["signal"] == "wastewater", "pathogen"])
    ) or [None]
    cases = [
        {
            "series": series,
            "charts": charts,
            "state": {"scale": scale, "pathogen": pathogen, "per": per},
            "forecast": forecast,
        }
        for scale in ("linear", "log")
        for pathogen in pathogens
        for per in ("per100k", "count")
    ]
    out = _run({"regions": [], "signals": cases, "logTicks": [], "levelColours": [],
                "formatNumbers": []})  # fmt: skip
    for case, js in zip(cases, out["signals"], strict=True):
        state = case["state"]
        views = signal_views(
            de_signals, pathogen=state["pathogen"], scale=state["scale"],
            per=state["per"], forecasts=forecasts,
        )  # fmt: skip
        by_anchor = {c["anchor"]: c for c in js}
        assert [v.chart.anchor for v in views] == [
            c["anchor"] for c in js if c["columns"]["x"]
        ]
        for view in views:
            made = by_anchor[view.chart.anchor]
            differences = _same(view.data, made["columns"], "columns")
            differences += _same(list(view.labels), made["labels"], "labels")
            ranges = made["ranges"]
            differences += [] if view.figure == ranges["figure"] else ["figure"]
            differences += _same(view.x_range, ranges["x"], "x")
            differences += _same(view.x_bounds, ranges["bounds"], "bounds")
            differences += _same(view.y_range, ranges["y"], "y")
            differences += _same(
                {str(i): f for i, f in view.fans.items()}, made["fans"], "fans"
            )
            if forecast and set(made["fans"]) != {str(i) for i in view.fans}:
                differences.append(
                    f"fans: {sorted(view.fans)} != {sorted(made['fans'])}"
                )
            if view.chart.lines == "age_group":  # its title and its provisional weeks
                differences += [] if view.title == made["title"] else ["title"]
                differences += _same(view.provisional, made["span"], "span")
            assert not differences, (view.chart.anchor, state, differences[:5])
    return [view.chart.anchor for view in views]


# -- small functions ----------------------------------------------------------------------------
def test_colours_numbers_and_ticks_are_the_same_in_both_languages() -> None:
    rng = np.random.default_rng(11)
    levels = [
        -5.0,
        0.0,
        25.0,
        49.999,
        50.0,
        75.5,
        150.0,
        200.0,
        1e9,
        *rng.uniform(0, 300, 200),
    ]
    numbers = [
        0.0,
        0.04,
        0.05,
        0.15,
        0.25,
        99.95,
        100.0,
        1234.5,
        -2.45,
        *rng.uniform(-500, 5e5, 300),
    ]
    spans = [
        (1, 3),
        (0.5, 200),
        (0.01, 1e6),
        *((a, a * f) for a, f in rng.uniform(0.001, 1e4, (100, 2)) * [1, 400]),
    ]
    out = _run({"regions": [], "signals": [], "logTicks": [list(map(float, s)) for s in spans],
                "levelColours": [float(v) for v in levels], "formatNumbers": [float(v) for v in numbers]})  # fmt: skip
    assert out["levelColours"] == level_colours(levels)
    assert out["formatNumbers"] == [format_number(v) for v in numbers]
    assert out["logTicks"] == [log_ticks(a, b) for a, b in spans]

"""The charts' spec: what the page scripts share with Python travels as data, and no script holds a literal of it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import epicurves
from epicurves.analysis.registry import COMPARE_METRICS, METRICS, UNITS
from epicurves.charts import spec

STATIC = Path(epicurves.__file__).parent / "site" / "static"
SCRIPTS = sorted(p for p in STATIC.glob("*.js"))
#: A string literal of a script, in double or single quotes.
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')


def _values(value: Any) -> set[str]:
    """Every string value in a JSON-ready value (not the keys: they are the spec's own
    fields)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in _values(v)}
    if isinstance(value, list | tuple):
        return {s for v in value for s in _values(v)}
    return set()


#: The spec's fields whose keys are names too: sources, metrics, figures, windows.
NAMED_KEYS = (
    "sources",
    "metrics",
    "signalFigures",
    "windows",
    "derived",
    "metricSources",
    "panelTitles",
)


def spec_literals() -> set[str]:
    """The spec's names, colours, lists, titles and formats that a script must not hold: every
    string value of :func:`~epicurves.charts.spec.browser_spec` and the keys that are names,
    but the model-name pieces shorter than four characters (``x``, ``map``: also words of the
    pages), the sources' column names, the units' words and the charts' notes (prose)."""
    browser = spec.browser_spec()
    for chart in browser["signalCharts"]:
        chart.pop("note")
    found = _values(browser) | {k for field in NAMED_KEYS for k in browser[field]}
    short = {v for v in spec.NAMES.values() if len(v) < 4}
    columns = {c for cs in spec.SOURCES_OF_REGION.values() for c in cs}  # x, y, lo, ...
    words = {
        *UNITS,
        "age_group",
        "pathogen",
        "estimate",
        "disease",
    }  # units; what lines a chart has
    return {s for s in found if len(s) > 1} - short - columns - words


def literals(script: Path) -> set[str]:
    text = script.read_text("utf-8")
    return {a or b for a, b in LITERAL.findall(text)}


def test_the_spec_travels_as_json() -> None:
    text = spec.browser_spec_js()
    assert text.startswith("self.EPICURVES_SPEC=") and text.endswith(";\n")
    assert json.loads(
        text.removeprefix("self.EPICURVES_SPEC=").removesuffix(";\n")
    ) == (json.loads(json.dumps(spec.browser_spec())))
    assert "</" not in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_script_holds_a_literal_of_the_spec(script: Path) -> None:
    held = literals(script) & spec_literals()
    assert held == set(), f"{script.name} holds {sorted(held)}: read them from the spec"
    text = script.read_text("utf-8")
    assert not re.findall(r"#[0-9a-fA-F]{6}\b", text), "colours come from the spec"
    assert str(int(spec.DAY_MS)) not in text


def test_the_check_finds_a_literal(tmp_path: Path) -> None:
    """region.js as c16e9d3 had it: its level colours, window and source list typed in."""
    old = '  var NEUTRAL = "#1f77b4";\n  var REGION_SOURCES = ["inc", "inc_seg", "cases_avg"];\n'
    script = tmp_path / "region.js"
    script.write_text(old)
    assert {"inc_seg", "cases_avg", "#1f77b4"} <= literals(script) & spec_literals()


def test_the_spec_holds_the_registry_s_metrics() -> None:
    browser = spec.browser_spec()
    for name in browser["download"][2:]:
        metric = next(m for m in METRICS if m.name == name)
        assert browser["metrics"][name]["label"] == metric.label
    assert browser["compare"] == [m.name for m in COMPARE_METRICS]


def test_the_signal_charts_take_their_titles_from_the_sources() -> None:
    declared = {
        s.name: s.title for source in epicurves.SOURCES.values() for s in source.signals
    }
    for chart in spec.SIGNAL_CHARTS:
        # a chart by disease names its diseases before the signal's own title
        names = chart.diseases
        diseases = ", ".join(names[:-1]) + " and " + names[-1] if names else ""
        own = declared[chart.signal]
        if diseases and not own[1:2].isupper():  # "SARI ..." stays as it is
            own = own[:1].lower() + own[1:]
        assert chart.title.removeprefix(f"{diseases}: ") == own
        assert "100,000" not in chart.title  # the pages write 100 000


def test_the_charts_by_disease_name_their_diseases_and_mark_provisional_weeks() -> None:
    """The US charts draw COVID-19 and influenza, each line's newest weeks provisional as its
    source declares them; the admissions switch between per 100 000 and counts, and the title
    says which; no axis mixes units (shares apart, counts apart from rates)."""
    charts = {
        c.anchor: c
        for c in spec.SIGNAL_CHARTS
        if c.lines == "disease" and c.pathogens == spec.US_DISEASES
    }
    assert set(charts) == {"sig-admissions", "sig-ed-share"}
    admissions, shares = charts["sig-admissions"], charts["sig-ed-share"]
    assert admissions.title.startswith("COVID-19 and influenza: ")
    assert admissions.title.endswith("per 100 000 per week")
    assert (
        admissions.count_title == "COVID-19 and influenza: hospital admissions per week"
    )
    assert admissions.log and not shares.log and shares.percent and not shares.counts
    assert spec.provisional_weeks(admissions) == {"SARS-CoV-2": 3, "Influenza": 3}
    assert spec.provisional_weeks(shares) == {"SARS-CoV-2": 1, "Influenza": 1}
    for chart in charts.values():
        assert "provisional" in chart.note and "influenza" in chart.note
    browser = {c["anchor"]: c for c in spec.browser_spec()["signalCharts"]}
    assert browser["sig-admissions"]["diseases"] == ["COVID-19", "influenza"]
    assert browser["sig-admissions"]["provisional"] == {"SARS-CoV-2": 3, "Influenza": 3}
    assert spec.browser_spec()["provisionalLabel"] == spec.PROVISIONAL_LABEL


def test_ecdc_s_charts_carry_each_country_s_unit() -> None:
    """ERVISS's rate charts take the region's unit into their title (rates of different
    units never share an axis: a page shows one country); SARI positivity draws a line per
    pathogen, in percent, each with the provisional weeks its source declares."""
    by_anchor = {c.anchor: c for c in spec.SIGNAL_CHARTS}
    for anchor in ("sig-ili", "sig-ari", "sig-sari-rate"):
        chart = by_anchor[anchor]
        assert chart.unit_title and chart.lines == "age_group"
    positivity = by_anchor["sig-sari-positivity"]
    assert positivity.pathogens == ("SARS-CoV-2", "Influenza", "RSV")
    assert positivity.title == "COVID-19, influenza and RSV: SARI test positivity"
    source = epicurves.SOURCES["ecdc-erviss"]
    declared = source.signal("sari-positivity")
    assert spec.provisional_weeks(positivity) == dict.fromkeys(
        positivity.pathogens, declared.provisional_weeks
    )
    rate = source.signal("sari-rate")
    assert spec.provisional_span(by_anchor["sig-sari-rate"]) == rate.provisional_weeks

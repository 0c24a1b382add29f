"""The metric registry: every metric once, and every list of metrics derived from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import epicurves
from epicurves.analysis.registry import (
    CHART_METRICS,
    COMPARE_METRICS,
    METRICS,
    SITE_METRICS,
    Metric,
    metric,
)
from epicurves.site import payload

SRC = Path(epicurves.__file__).parent


def test_compute_metrics_adds_the_registry_s_columns_in_its_order() -> None:
    frame = pd.DataFrame({
        "source": "s", "region_id": "A", "date": pd.date_range("2021-01-01", periods=30),
        "cases": range(0, 300, 10), "deaths": 0,
    })  # fmt: skip
    frame = epicurves.compute_metrics(epicurves.model.add_daily(frame))
    assert list(frame.columns[-len(METRICS) :]) == [m.name for m in METRICS]


def test_the_site_stores_the_daily_counts_and_the_site_metrics() -> None:
    assert list(payload.SERIES) == [
        "new_cases",
        "new_deaths",
        *(m.name for m in SITE_METRICS),
    ]
    assert all(payload.SERIES[m.name] == m.decimals for m in SITE_METRICS)
    assert {m.name for m in SITE_METRICS} >= {m.name for m in COMPARE_METRICS}
    assert {m.name for m in CHART_METRICS} >= set(payload.DERIVED)


def test_a_metric_is_found_by_name_and_its_unit_is_checked() -> None:
    assert metric("cfr_pct").unit == "percent"
    with pytest.raises(KeyError, match="unknown metric 'nope'"):
        metric("nope")
    with pytest.raises(ValueError, match="unit 'furlongs'"):
        Metric("x", "X", "furlongs", 1, 0)


#: Named lists that hold metric names and are not lists of metrics: the public names of
#: modules, the summary table's columns (a contract of their own: one row per region), and
#: the steps by which the browser recomputes some of the site's series (formulas, by metric).
NOT_METRIC_LISTS = {
    "__all__",
    "SUMMARY_FIELDS",
    "_SUMMARY_INPUTS",
    "SUMMARY_TABLE_COLUMNS",
    "DERIVED",
}


def _metric_lists(text: str) -> list[str]:
    """Names (with their lines) given to literal tuples, lists, sets or dicts in the Python
    ``text`` whose items (keys) are three or more metric names, but :data:`NOT_METRIC_LISTS`."""
    names = {m.name for m in METRICS}
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        target = ", ".join(ast.unparse(t) for t in targets)
        value = node.value
        elements = (
            value.keys
            if isinstance(value, ast.Dict)
            else value.elts
            if isinstance(value, ast.Tuple | ast.List | ast.Set)
            else []
        )
        items = [
            e.value
            for e in elements
            if isinstance(e, ast.Constant) and e.value in names
        ]
        if len(items) >= 3 and target not in NOT_METRIC_LISTS:
            found.append(f"{node.lineno}: {target}")
    return found


def test_no_other_list_of_metric_names_in_python() -> None:
    listed = [
        f"{path.relative_to(SRC)}:{place}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "registry.py" and "notebooks" not in path.parts
        for place in _metric_lists(path.read_text("utf-8"))
    ]
    assert listed == []


def test_the_check_finds_a_list_of_metric_names() -> None:
    """c16e9d3 kept the site's series in a dict of their own (site/payload.py)."""
    old = 'SERIES = {"new_cases": None, "incidence_7d": 1, "r_rki": 2, "r_cori": 2}\n'
    assert _metric_lists(old) == ["1: SERIES"]
    assert _metric_lists("__all__ = ['incidence_7d', 'r_rki', 'r_cori']") == []

"""The Forecasts page's coverage chart: made by Bokeh once per shape, then filled in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from epicurves.site import coverage
from epicurves.site.coverage import coverage_item, coverage_script


def _panels(
    seed: int, horizons: dict[str, range]
) -> list[tuple[str, list[dict[str, Any]]]]:
    rng = np.random.default_rng(seed)
    return [
        (
            title,
            [
                {
                    "horizon": h,
                    "n": int(rng.integers(1, 5000)),
                    "coverage_50": float(rng.random()),
                    "coverage_95": float(rng.random()),
                }
                for h in span
            ],
        )
        for title, span in horizons.items()
    ]


SHAPE = {
    "COVID-19 admissions": range(-1, 4),
    "Weekly cases": range(4),
    "Deaths": range(4),
}


@pytest.mark.slow  # Bokeh makes eight charts: seconds
def test_a_kept_chart_filled_in_is_the_chart_bokeh_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chart of a shape is made by Bokeh and kept in the cache; the next ones of
    that shape are the kept item with their numbers, byte for byte what Bokeh makes of
    them, without making a figure; another shape is made anew (and replaces the kept one)."""
    first = _panels(0, SHAPE)
    assert coverage_script(first, tmp_path) == coverage_script(first)
    [kept] = tmp_path.glob("coverage-*.json")
    made: list[object] = []
    real = coverage._made
    monkeypatch.setattr(
        coverage, "_made", lambda shown: made.append(shown) or real(shown)
    )
    for seed in (1, 2, 3):
        later = _panels(seed, SHAPE)
        assert coverage_script(later, tmp_path) == coverage_script(later, None)
    assert (
        len(made) == 3
    )  # the three without a cache: each filled-in one made no figure
    other = _panels(4, {"Weekly cases": range(4)})
    assert coverage_item(other, tmp_path) == coverage_item(other)
    assert not kept.exists() and len(list(tmp_path.glob("coverage-*.json"))) == 1


@pytest.mark.slow
def test_a_damaged_kept_chart_is_made_anew(tmp_path: Path) -> None:
    panels = _panels(0, SHAPE)
    coverage_item(panels, tmp_path)
    [kept] = tmp_path.glob("coverage-*.json")
    for damaged in ("{not json", "[]", json.dumps({"root_id": "c0", "doc": {}})):
        kept.write_text(damaged, "utf-8")
        assert coverage_item(panels, tmp_path) == coverage_item(panels)
    # a number Bokeh would write otherwise than a plain one: the chart made by Bokeh
    coverage_item(panels, tmp_path)
    panels[0][1][0]["coverage_50"] = float("nan")
    assert coverage_script(panels, tmp_path) == coverage_script(panels)

"""The forecasts' conventions (`epicurves.forecast.levels`): the arrays made on first read."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import python
from epicurves import forecast
from epicurves.forecast import levels, scoring

#: In a new interpreter: what dir() shows and whether NumPy is imported before the first
#: read, then eight threads reading the arrays at once.
_FIRST_READ = """
import sys, threading
from epicurves import forecast
from epicurves.forecast import levels
print("LEVELS" in dir(forecast), "HORIZONS" in dir(levels), "numpy" in sys.modules)
start = threading.Barrier(8)
seen = []
def read():
    start.wait()
    seen.append((id(forecast.LEVELS), id(levels.HORIZONS)))
threads = [threading.Thread(target=read) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(set(seen)), forecast.LEVELS is levels.LEVELS, "numpy" in sys.modules)
"""


def test_the_arrays_are_made_once_on_first_read() -> None:
    """Listed by dir() before, made when first read (NumPy imported then), one object for
    every thread: the scoring functions know the hubs' levels by identity."""
    listed, listed_too, numpy_before, objects, same, numpy_after = python(
        _FIRST_READ
    ).stdout.split()
    assert (listed, listed_too, numpy_before) == ("True", "True", "False")
    assert (objects, same, numpy_after) == ("1", "True", "True")


def test_the_conventions() -> None:
    assert len(forecast.LEVELS) == 23 and forecast.LEVELS[forecast.MEDIAN] == 0.5
    assert np.allclose(forecast.LEVELS + forecast.LEVELS[::-1], 1.0)
    assert forecast.HORIZONS.tolist() == [-1, 0, 1, 2, 3]
    with pytest.raises(AttributeError, match="has no attribute 'QUANTILES'"):
        _ = levels.QUANTILES
    with pytest.raises(AttributeError, match="has no attribute 'QUANTILES'"):
        _ = forecast.QUANTILES


def test_scoring_without_levels_uses_the_hubs() -> None:
    """``levels=None`` (the default) is the hubs' 23, as passing them is."""
    quantiles = np.linspace(0.0, 22.0, 23)
    observed = np.array([3.0, 11.0, 30.0, np.nan])
    default = scoring.interval_parts(quantiles, observed)
    given = scoring.interval_parts(quantiles, observed, forecast.LEVELS)
    assert np.array_equal(default.wis, given.wis, equal_nan=True)
    assert np.array_equal(
        scoring.covered(quantiles, observed, 0.5),
        scoring.covered(quantiles, observed, 0.5, list(forecast.LEVELS)),
        equal_nan=True,
    )

"""Tests of the forecasting models (epicurves.forecast.models) on synthetic weekly series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from epicurves.forecast import LEVELS, MEDIAN
from epicurves.forecast.models import (
    ENSEMBLE_RULE,
    LOCAL,
    MODELS,
    NOWCAST_SHIFT,
    TrendParams,
    ensemble,
    flat_fallback,
    local_trend,
    pooled_trend,
)

SHAPE = (5, len(LEVELS))


def series(n: int = 40, weeks: int = 120, seed: int = 1) -> np.ndarray:
    """Poisson counts around random-walk log levels, with ragged starts and a few holes."""
    rng = np.random.default_rng(seed)
    level = 4 + np.cumsum(rng.normal(0, 0.15, (n, weeks)), axis=1)
    y = rng.poisson(np.exp(level)).astype(float)
    starts = rng.integers(0, weeks // 2, n)
    y[np.arange(weeks) < starts[:, None]] = np.nan
    y[rng.random((n, weeks)) < 0.02] = np.nan
    return y


@pytest.fixture(params=sorted(MODELS))
def model(request: pytest.FixtureRequest) -> object:
    return MODELS[request.param]


@pytest.mark.parametrize("releases", [False, True])
def test_shape_monotone_non_negative_finite(model, releases):
    y = series()
    f = model(y, releases=releases)
    assert f.shape == (y.shape[0], *SHAPE)
    assert f.dtype == np.float64
    assert np.isfinite(f).all()
    assert (f >= 0).all()
    assert (np.diff(f, axis=-1) >= 0).all()


def test_same_bytes_for_the_same_inputs(model):
    y = series()
    assert (
        model(y, releases=True, seed=3).tobytes()
        == model(y, releases=True, seed=3).tobytes()
    )


def test_series_do_not_mix(model):
    """A series' forecast depends on the others only through pooling, never by position."""
    y = series()
    f = model(y, releases=False)
    g = model(y[::-1], releases=False)
    np.testing.assert_array_equal(f, g[::-1])


def test_short_series_get_the_fallback(model):
    y = series(n=6)
    y[0, :-10] = np.nan  # 10 weeks: too few past errors
    y[1, :] = np.nan  # never started
    fallback = np.full((6, *SHAPE), 7.0)
    f = model(y, releases=False, fallback=fallback)
    np.testing.assert_array_equal(f[:2], fallback[:2])
    assert not np.array_equal(f[2:], fallback[2:])


def test_without_fallback_short_series_get_the_flat_stand_in():
    y = series(n=3)
    y[0, :-5] = np.nan
    f = local_trend(y, releases=False)
    np.testing.assert_array_equal(f[0], flat_fallback(y[:1])[0])
    assert (f[0, :, MEDIAN] == y[0, -1]).all()


def test_holes_are_carried_over(model):
    y = series(n=5)
    y[:, -1] = np.nan  # the newest week unknown
    y[:, 60:70] = np.nan
    f = model(y, releases=False)
    assert np.isfinite(f).all()
    newest = [row[~np.isnan(row)][-1] for row in y]
    np.testing.assert_array_equal(f[:, 0, 0], newest)


def test_final_data_nowcast_is_the_newest_value(model):
    y = series(n=5)
    f = model(y, releases=False)
    assert (f[:, 0] == y[:, -1:]).all()


def test_releases_raise_the_newest_week():
    y = series(n=5)
    f = local_trend(y, releases=True)
    np.testing.assert_allclose(
        f[:, 0, MEDIAN], np.expm1(np.log1p(y[:, -1]) + NOWCAST_SHIFT), rtol=1e-12
    )
    assert (f[:, 0, 0] < f[:, 0, MEDIAN]).all()


def test_growth_is_followed(model):
    """A clean exponential rise: the median keeps rising over the horizons."""
    rng = np.random.default_rng(0)
    y = rng.poisson(50 * np.exp(0.1 * np.arange(80)), size=(4, 80)).astype(float)
    f = model(y, releases=False)
    assert (f[:, 1, MEDIAN] > y[:, -1]).all()
    assert (np.diff(f[:, 1:, MEDIAN], axis=1) > 0).all()


def test_flat_series_stay_flat_and_wider_further_ahead(model):
    rng = np.random.default_rng(0)
    y = rng.poisson(200, size=(10, 100)).astype(float)
    f = model(y, releases=False)
    drift = np.abs(
        np.log(f[:, 1:, MEDIAN] / 200)
    )  # a trend model follows the noise a bit
    assert drift.mean() < 0.15
    assert drift.max() < 0.4
    width = (f[:, 1:, -2] - f[:, 1:, 1]).mean(axis=0)
    assert width[-1] > width[0] > 0


def test_zeros_and_negatives_are_safe(model):
    y = np.zeros((3, 60))
    y[1] = -5.0
    f = model(y, releases=True)
    assert np.isfinite(f).all()
    assert (f >= 0).all()


def test_params_change_the_forecast():
    y = series(n=5)
    other = TrendParams(k=4, phi=0.9, window=26, min_errors=8)
    assert not np.array_equal(
        local_trend(y, releases=False), local_trend(y, releases=False, params=other)
    )
    assert LOCAL.min_errors > 0


def test_pooled_spread_scales_with_the_series():
    """Pooling shares the shape of the errors; each series keeps its own scale."""
    rng = np.random.default_rng(2)
    y = np.vstack([rng.normal(1000, 20, (5, 80)), rng.normal(1000, 200, (5, 80))]).clip(
        0
    )
    f = pooled_trend(y, releases=False)
    width = f[:, 2, -2] - f[:, 2, 1]
    assert width[5:].min() > width[:5].max()


def test_ensemble_rule():
    a = np.zeros((2, *SHAPE))
    b = np.tile(np.linspace(0, 1, 23), (2, 5, 1))
    c = 4 * b
    assert ENSEMBLE_RULE in {"median", "mean"}
    np.testing.assert_array_equal(ensemble([a, b, c], "median"), b)
    np.testing.assert_allclose(ensemble([a, b, c], "mean"), 5 * b / 3)
    np.testing.assert_array_equal(
        ensemble([a, b, c]), ensemble([a, b, c], ENSEMBLE_RULE)
    )
    assert (np.diff(ensemble([c, b[..., ::-1]]), axis=-1) >= 0).all()


def test_fast_enough():
    """Every model on 700 series x 330 weeks, well under a second in all."""
    import time

    y = series(n=700, weeks=330)
    start = time.perf_counter()
    for m in MODELS.values():
        m(y, releases=True)
    assert time.perf_counter() - start < 1.0


def test_flu_fixture_is_too_short_so_every_series_falls_back(model):
    """The 3-week flu fixture (with a missing value): every series gets the fallback."""
    import pandas as pd

    path = (
        Path(__file__).parents[1]
        / "data"
        / "cdc-flu"
        / "target-hospital-admissions.csv"
    )
    frame = pd.read_csv(path, dtype={"location": str})
    y = frame.pivot(index="location", columns="date", values="value").to_numpy(float)
    assert np.isnan(y).any()
    f = model(y, releases=False)
    np.testing.assert_array_equal(f, flat_fallback(y))
    assert np.isfinite(f).all()

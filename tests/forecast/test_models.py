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
    SHORT,
    LeadParams,
    TrendParams,
    ensemble,
    flat_fallback,
    lead_regression,
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
    c = np.sqrt(np.nan_to_num(y) + 1)
    assert (
        model(y, releases=True, seed=3, covariate=c).tobytes()
        == model(y, releases=True, seed=3, covariate=c).tobytes()
    )


def test_series_do_not_mix(model):
    """A series' forecast depends on the others only through pooling, never by position
    (up to the rounding of a pooled regression's sums)."""
    y = series()
    f = model(y, releases=False, covariate=2 * y)
    g = model(y[::-1], releases=False, covariate=2 * y[::-1])
    np.testing.assert_allclose(f, g[::-1], rtol=1e-9, atol=1e-9)


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


def test_flat_series_stay_flat(model):
    rng = np.random.default_rng(0)
    y = rng.poisson(200, size=(10, 100)).astype(float)
    f = model(y, releases=False)
    drift = np.abs(np.log(f[:, 1:, MEDIAN] / 200))  # a model follows the noise a bit
    assert drift.mean() < 0.15
    assert drift.max() < 0.4
    assert ((f[:, 1:, -2] - f[:, 1:, 1]) > 0).all()


def test_wider_further_ahead(model):
    """Random-walk levels: the uncertainty grows with the horizon."""
    y = series()
    f = model(y, releases=False)
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


def test_ensemble_inflate_widens_around_the_median():
    b = np.tile(np.linspace(1, 3, 23) ** 4, (2, 5, 1))
    wide = ensemble([b, b], "mean", 1.5)
    np.testing.assert_allclose(wide[..., MEDIAN], b[..., MEDIAN])
    assert (wide[..., -1] > b[..., -1]).all() and (wide[..., 0] < b[..., 0]).all()
    assert (wide >= 0).all() and (np.diff(wide, axis=-1) >= 0).all()


def led(weeks: int = 80, n: int = 30, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Admissions following a covariate (a share of visits) one week later, with noise."""
    rng = np.random.default_rng(seed)
    growth = 0.3 * np.sin(np.arange(weeks) / 5 + rng.uniform(0, 6, (n, 1)))
    share = 0.02 * np.exp(np.cumsum(growth, axis=1))
    y = np.zeros((n, weeks))
    y[:, 1:] = rng.poisson(5000 * share[:, :-1]).astype(float)
    y[:, 0] = np.nan
    return y, share


def test_a_covariate_rising_a_week_earlier_raises_the_median():
    y, share = led()
    y[:, -3:] = y[:, -4:-3]  # admissions flat in the last weeks
    flat, rising = share.copy(), share.copy()
    flat[:, -3:] = flat[:, -4:-3]
    rising[:, -3:] = flat[:, -3:]
    rising[:, -1] *= 1.5  # the covariate jumps in the newest week
    for m in MODELS.values():
        with_flat = m(y, releases=False, covariate=flat)[:, 1:, MEDIAN]
        with_rise = m(y, releases=False, covariate=rising)[:, 1:, MEDIAN]
        assert (with_rise >= with_flat).all()
    f = lead_regression(y, releases=False, covariate=rising)
    assert (f[:, 1, MEDIAN] > 1.2 * y[:, -1]).all()
    assert (f[:, 1, MEDIAN] > lead_regression(y, releases=False)[:, 1, MEDIAN]).all()


def test_a_leading_covariate_beats_none_on_its_own_data():
    """Forecasts of the last weeks of :func:`led`: the covariate cuts the median's error."""
    y, share = led(weeks=90)
    errors = {}
    for name, cov in (("none", None), ("share", share)):
        err = []
        for end in range(70, 86):
            f = lead_regression(
                y[:, :end],
                releases=False,
                covariate=None if cov is None else cov[:, :end],
            )
            err.append(
                np.abs(np.log1p(f[:, 1:, MEDIAN]) - np.log1p(y[:, end : end + 4]))
            )
        errors[name] = np.mean(err)
    assert errors["share"] < 0.8 * errors["none"]


def test_covariate_none_unknown_or_misshapen():
    y, share = led()
    none = lead_regression(y, releases=True)
    unknown = lead_regression(y, releases=True, covariate=np.full_like(y, np.nan))
    np.testing.assert_array_equal(none, unknown)
    holes = share.copy()
    holes[:, :40] = np.nan  # the covariate starts later than the series
    f = lead_regression(y, releases=True, covariate=holes)
    assert np.isfinite(f).all() and (np.diff(f, axis=-1) >= 0).all()
    with pytest.raises(
        ValueError, match=r"covariate has shape \(30, 79\): expected \(30, 80\)"
    ):
        lead_regression(y, releases=True, covariate=share[:, 1:])


def test_lead_params_change_the_forecast():
    y, share = led()
    other = LeadParams(lags=2, cov_lags=3, level=52, ridge=1.0)
    assert other != SHORT
    assert not np.array_equal(
        lead_regression(y, releases=False, covariate=share),
        lead_regression(y, releases=False, covariate=share, params=other),
    )


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

"""R by Cori et al. and its discretised serial interval against tiny series whose expected
values are worked out by hand (tests/analysis/test_cori.py compares with EpiEstim itself)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import epicurves
from epicurves import CoriOptions
from metric_checks import NAN, SI, _daily, _posterior


# -- Cori et al. ----------------------------------------------------------------------------
def _check_cori(
    estimate: pd.DataFrame, position: int, shape: float, rate: float
) -> None:
    mean, lo, hi = _posterior(shape, rate)
    row = estimate.iloc[position]
    assert row["mean"] == pytest.approx(mean, rel=1e-12)
    assert row["lo"] == pytest.approx(lo, rel=1e-9)
    assert row["hi"] == pytest.approx(hi, rel=1e-9)


def test_r_cori_worked_example() -> None:
    daily = _daily([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])  # I_t = 10 (t + 1)
    out = epicurves.r_cori(daily, si_distribution=SI)
    assert list(out.columns) == ["mean", "lo", "hi", "provisional"]
    assert out.index.equals(daily.index)
    # Lambda_1 = 0.5*10 = 5 (day 0 has no infectors), Lambda_2 = 0.5*(20+10) = 15, then
    # +10 a day: Lambda_t = 10 t - 5 -> 5, 15, 25, 35, 45, 55, 65, 75, 85.
    # The first estimate is at day 7 (window days 1-7, day 0 imported): days 0-6 NaN.
    assert out["mean"].iloc[:7].isna().all()
    # prior shape 1, scale 5 -> rate 1/5 = 0.2
    # day 7: sum I = 20+...+80 = 350, sum Lambda = 5+15+...+65 = 245
    _check_cori(out, 7, 1 + 350, 0.2 + 245)  # 351 / 245.2 = 1.43148...
    # day 8: sum I = 30+...+90 = 420, sum Lambda = 15+...+75 = 315
    _check_cori(out, 8, 1 + 420, 0.2 + 315)  # 421 / 315.2 = 1.33566...
    # day 9: sum I = 40+...+100 = 490, sum Lambda = 25+...+85 = 385
    _check_cori(out, 9, 1 + 490, 0.2 + 385)  # 491 / 385.2 = 1.27466...
    assert out["mean"].iloc[7] == pytest.approx(1.431484502446982, rel=1e-12)


def test_r_cori_other_window() -> None:
    out = epicurves.r_cori(_daily([10, 20, 30, 40, 50]), si_distribution=SI, window=3)
    assert out["mean"].iloc[:3].isna().all()  # first estimate at day 3: window days 1-3
    _check_cori(out, 3, 1 + 20 + 30 + 40, 0.2 + 5 + 15 + 25)  # 91 / 45.2
    _check_cori(out, 4, 1 + 30 + 40 + 50, 0.2 + 15 + 25 + 35)  # 121 / 75.2


def test_r_cori_other_prior_and_interval() -> None:
    # prior mean 2, sd 1: shape (2/1)^2 = 4, scale 1^2/2 = 0.5 -> rate 2
    out = epicurves.r_cori(
        _daily([10, 20, 30, 40, 50, 60, 70, 80]),
        si_distribution=SI,
        prior_mean=2.0,
        prior_sd=1.0,
        interval=0.5,
    )
    shape, rate = 4 + 350, 2 + 245  # sums as in the worked example
    row = out.iloc[7]
    assert row["mean"] == pytest.approx(354 / 247, rel=1e-12)
    assert row["lo"] == pytest.approx(
        stats.gamma.ppf(0.25, a=shape, scale=1 / rate), rel=1e-9
    )
    assert row["hi"] == pytest.approx(
        stats.gamma.ppf(0.75, a=shape, scale=1 / rate), rel=1e-9
    )


def test_cori_minimum_cases() -> None:
    assert CoriOptions().min_cases == 11  # ceil(1 / 0.3^2 - 1) = ceil(11.11 - 1) = 11
    assert CoriOptions(cv_posterior=0.5).min_cases == 3  # ceil(1 / 0.25 - 1) = 3
    daily = _daily([5, 1, 1, 1, 1, 1, 1, 4, 2])
    # Lambda: day 1: 0.5*5 = 2.5; day 2: 0.5*(1+5) = 3; days 3-7: 0.5*(1+1) = 1;
    #         day 8: 0.5*(4+1) = 2.5
    out = epicurves.r_cori(daily, si_distribution=SI)
    assert math.isnan(out["mean"].iloc[7])  # days 1-7: 1*6 + 4 = 10 cases < 11
    # days 2-8: 1*5 + 4 + 2 = 11 cases; sum Lambda = 3 + 1*5 + 2.5 = 10.5
    _check_cori(out, 8, 1 + 11, 0.2 + 10.5)  # 12 / 10.7 = 1.1215
    looser = epicurves.r_cori(daily, si_distribution=SI, cv_posterior=0.5)
    # days 1-7: 10 cases >= 3; sum Lambda = 2.5 + 3 + 1*5 = 10.5
    _check_cori(looser, 7, 1 + 10, 0.2 + 10.5)  # 11 / 10.7


def test_cori_needs_infectiousness() -> None:
    out = epicurves.r_cori(_daily([0] * 7 + [20, 20]), si_distribution=SI)
    assert math.isnan(out["mean"].iloc[7])  # 20 cases but Lambda_1..7 = 0: no infectors
    # day 8: window days 2-8, sum I = 40, Lambda_8 = 0.5 * (20 + 0) = 10, others 0
    _check_cori(out, 8, 1 + 40, 0.2 + 10)


def test_cori_negative_counts_count_as_zero() -> None:
    out = epicurves.r_cori(_daily([10, 20, 30, 40, -5, 60, 70, 80]), si_distribution=SI)
    # I as used: 10, 20, 30, 40, 0, 60, 70, 80
    # days 1-7: sum I = 20+30+40+0+60+70+80 = 300
    # Lambda: 0.5*10 = 5, 0.5*(20+10) = 15, 0.5*(30+20) = 25, 0.5*(40+30) = 35,
    #         0.5*(0+40) = 20, 0.5*(60+0) = 30, 0.5*(70+60) = 65 -> 195
    _check_cori(out, 7, 1 + 300, 0.2 + 195)  # 301 / 195.2 = 1.542


def test_cori_missing_day_blanks_the_windows_holding_it() -> None:
    values: list[float | None] = [100.0] * 20
    values[10] = None
    out = epicurves.r_cori(_daily(values), si_distribution=SI)
    # day 9: days 3-9, sum I = 700, Lambda = 100 each -> 700
    _check_cori(out, 9, 1 + 700, 0.2 + 700)
    assert (
        out["mean"].iloc[10:17].isna().all()
    )  # windows ending on days 10-16 hold day 10
    assert not out["provisional"].iloc[10:17].any()


def test_cori_provisional_marks_the_last_seven_days() -> None:
    out = epicurves.r_cori(_daily([100] * 20), si_distribution=SI)
    # day 7: days 1-7, Lambda_1 = 0.5 * 100 = 50, then 100: 50 + 6*100 = 650
    _check_cori(out, 7, 1 + 700, 0.2 + 650)  # 701 / 650.2
    for day in range(8, 20):
        _check_cori(out, day, 1 + 700, 0.2 + 700)  # 701 / 700.2
    assert out["provisional"].tolist() == [False] * 13 + [True] * 7  # days 13-19
    assert out["provisional"].dtype == bool


def test_cori_defaults_on_a_flat_series() -> None:
    # With the default serial interval, a long flat series gives R close to 1.
    out = epicurves.r_cori(_daily([100] * 60))
    assert out["mean"].iloc[-1] == pytest.approx(1.0, abs=0.01)
    assert out["lo"].iloc[-1] < 1.0 < out["hi"].iloc[-1]


@pytest.mark.parametrize(
    "si",
    [(0.5, 0.5), (0.0,), (0.0, -0.5, 1.5), (0.0, 0.0), ((0.0, 1.0), (0.0, 1.0))],
)
def test_bad_si_distribution(si: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="si_distribution"):
        epicurves.r_cori(_daily([10] * 10), si_distribution=si)


def test_si_distribution_is_renormalised() -> None:
    a = epicurves.r_cori(
        _daily([10, 20, 30, 40, 50, 60, 70, 80]), si_distribution=(0, 1, 1)
    )
    _check_cori(a, 7, 1 + 350, 0.2 + 245)  # (0, 1, 1) is (0, 0.5, 0.5)


# -- the discretised serial interval --------------------------------------------------------
def _epiestim_weight(k: int, mean: float, sd: float) -> float:
    """EpiEstim's definition, integrated numerically: w_k = int_{k-1}^{k+1} (1 - |x - k|)
    f(x - 1) dx, f the gamma density of mean ``mean - 1`` and sd ``sd``."""
    shape = ((mean - 1) / sd) ** 2
    scale = sd**2 / (mean - 1)
    gamma = stats.gamma(shape, scale=scale)
    assert gamma.mean() == pytest.approx(mean - 1) and gamma.std() == pytest.approx(sd)

    def integrand(x: float) -> float:
        return (1 - abs(x - k)) * float(gamma.pdf(x - 1))

    left, _ = integrate.quad(integrand, k - 1, k, epsabs=1e-13, epsrel=1e-12)
    right, _ = integrate.quad(integrand, k, k + 1, epsabs=1e-13, epsrel=1e-12)
    return float(left + right)


def test_discrete_serial_interval_matches_numeric_integration() -> None:
    w = epicurves.discrete_serial_interval(4.7, 2.9)
    assert len(w) == 41  # 0 ... 40 days
    assert w[0] == 0.0
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    raw = np.array([_epiestim_weight(k, 4.7, 2.9) for k in range(41)])
    assert raw[0] == 0.0  # f(x - 1) = 0 for x <= 1
    assert raw.sum() == pytest.approx(1.0, abs=1e-6)  # the tail beyond 41 days is tiny
    expected = raw / raw.sum()
    np.testing.assert_allclose(w[1:16], expected[1:16], rtol=0, atol=1e-6)
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-6)
    assert int(np.argmax(w)) == int(np.argmax(expected))


def test_discrete_serial_interval_other_length() -> None:
    w = epicurves.discrete_serial_interval(4.7, 2.9, max_days=10)
    assert len(w) == 11 and w[0] == 0.0 and w.sum() == pytest.approx(1.0, abs=1e-12)
    raw = np.array([_epiestim_weight(k, 4.7, 2.9) for k in range(11)])
    np.testing.assert_allclose(w, raw / raw.sum(), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("mean", "sd"),
    [
        (1.0, 2.9),  # the gamma before the shift would have mean 0
        (0.5, 2.9),
        (4.7, 0.0),
        (4.7, -1.0),
        pytest.param(
            NAN,
            2.9,
        ),
        pytest.param(4.7, NAN),
    ],
)
def test_discrete_serial_interval_bad_parameters(mean: float, sd: float) -> None:
    with pytest.raises(ValueError, match="serial interval"):
        epicurves.discrete_serial_interval(mean, sd)


def test_bad_serial_interval_through_r_cori() -> None:
    with pytest.raises(ValueError, match="serial interval"):
        epicurves.r_cori(_daily([10] * 10), si_mean=0.5)


def test_r_cori_skips_windows_whose_infectors_are_missing() -> None:
    # 100 a day, day 10 missing, serial interval (0, .5, .5): day 10 would count as no
    # infectors, so Lambda on days 11 and 12 hides weight 0.5 each. A 7-day window is
    # estimated only while the hidden weight sums to <= 0.05 * 7 = 0.35: windows containing
    # day 10 (missing itself), 11 or 12 give NaN, i.e. window ends 10 ... 18.
    values: list[float | None] = [100.0] * 25
    values[10] = None
    est = epicurves.r_cori(_daily(values), si_distribution=(0, 0.5, 0.5))
    assert est["mean"].iloc[10:19].isna().all()
    assert est["mean"].iloc[7:10].notna().all()
    # Window 13..19: sum I = 700, Lambda = 100 every day -> (1 + 700) / (0.2 + 700).
    assert est["mean"].iloc[19] == pytest.approx(701 / 700.2)


@pytest.mark.parametrize(
    "options",
    [
        {"window": 0},
        {"cv_posterior": 0},
        {"interval": 1.5},
        {"provisional_days": -1},
        {"prior_sd": 0},
    ],
)
def test_cori_options_are_checked(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"CoriOptions: .* is out of range"):
        epicurves.CoriOptions(**options)  # type: ignore[arg-type]

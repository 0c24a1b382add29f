"""The analysis layer against tiny series whose expected values are worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import accumulate

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import epicurves
from epicurves import CoriOptions
from epicurves.model import REGION_COLUMNS, add_daily

START = "2021-03-01"
NAN = float("nan")


# -- helpers -------------------------------------------------------------------------------
def _daily(values: Sequence[float | None], start: str = START) -> pd.Series:
    """A date-indexed Series of daily counts (None -> NaN)."""
    data = [NAN if v is None else float(v) for v in values]
    return pd.Series(data, index=pd.date_range(start, periods=len(data)))


def _cum(daily: Sequence[int]) -> list[int]:
    """Running totals of daily counts (the cumulative column a source publishes)."""
    return list(accumulate(daily))


def _region(
    region_id: str,
    cases: Sequence[int | None],
    deaths: Sequence[int | None] | None = None,
    *,
    source: str = "s",
    start: str = START,
) -> pd.DataFrame:
    """Cumulative observations of one region, before :func:`add_daily`."""
    n = len(cases)
    return pd.DataFrame(
        {
            "source": source,
            "region_id": region_id,
            "date": pd.date_range(start, periods=n),
            "cases": pd.array(list(cases), dtype="Int64"),
            "deaths": pd.array(
                list(deaths) if deaths is not None else [0] * n, dtype="Int64"
            ),
        }
    )


def _tidy(*regions: pd.DataFrame) -> pd.DataFrame:
    """Tidy observations with the store's dtypes."""
    return add_daily(pd.concat(regions, ignore_index=True))


def _regions(populations: dict[str, int | None], source: str = "s") -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "region_id": list(populations),
            "name": [f"Region {r}" for r in populations],
            "kind": "country",
            "parent": pd.NA,
            "population": list(populations.values()),
            "source": source,
        }
    )
    return frame.astype(REGION_COLUMNS)


def _at(metrics: pd.DataFrame, region_id: str, column: str) -> list[float]:
    return metrics.loc[metrics["region_id"] == region_id, column].tolist()


def _assert_values(
    actual: Sequence[float] | pd.Series, expected: Sequence[float] | pd.Series
) -> None:
    """Equal to 1e-12 relative, NaN where NaN is expected."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12
    )


# -- incidence_7d ---------------------------------------------------------------------------
def test_incidence_worked_example() -> None:
    daily = _daily([3, 1, 4, 1, 5, 9, 2, 6, 5])
    out = epicurves.incidence_7d(daily, 200_000)
    assert isinstance(out, pd.Series)
    assert out.index.equals(daily.index)
    expected = [NAN] * 6 + [
        12.5,  # 3+1+4+1+5+9+2 = 25;   25 / 200 000 * 100 000 = 12.5
        14.0,  # 25 - 3 + 6 = 28;      28 / 2 = 14
        16.0,  # 28 - 1 + 5 = 32;      32 / 2 = 16
    ]
    _assert_values(out, expected)


def test_incidence_first_six_days_are_nan() -> None:
    out = epicurves.incidence_7d(_daily([100] * 7), 1000)
    assert out.iloc[:6].isna().all()
    assert out.iloc[6] == 70_000.0  # 700 / 1000 * 100 000


def test_incidence_missing_day_blanks_the_windows_holding_it() -> None:
    daily = _daily([10, 10, 10, None, 10, 10, 10, 10, 10, 10, 10, 10])
    out = epicurves.incidence_7d(daily, 1000)
    # day 3 is missing: the windows ending on days 3 ... 9 contain it; days 0-5 have none.
    assert out.iloc[:10].isna().all()
    _assert_values(out.iloc[10:], [7000.0, 7000.0])  # days 4-10 / 5-11: 70 / 1000 * 1e5


def test_incidence_accepts_nullable_integers() -> None:
    days = pd.date_range(START, periods=8)
    daily = pd.Series(pd.array([1, 1, 1, 1, 1, 1, 1, pd.NA], dtype="Int64"), index=days)
    out = epicurves.incidence_7d(daily, 100_000)
    _assert_values(out, [NAN] * 6 + [7.0, NAN])  # 7 / 100 000 * 100 000; then a gap


@pytest.mark.parametrize("population", [0, None, -5, NAN])
def test_incidence_without_population_is_nan(population: float | None) -> None:
    out = epicurves.incidence_7d(_daily([10] * 8), population)  # type: ignore[arg-type]
    assert out.isna().all()


def test_incidence_population_pd_na_is_nan() -> None:
    out = epicurves.incidence_7d(_daily([10] * 8), pd.NA)  # type: ignore[arg-type]
    assert out.isna().all()


@pytest.mark.parametrize(
    "index",
    [
        pd.DatetimeIndex(["2021-03-01", "2021-03-02", "2021-03-04"]),  # a day left out
        pd.DatetimeIndex(["2021-03-02", "2021-03-01", "2021-03-03"]),  # out of order
        pd.DatetimeIndex(["2021-03-01", "2021-03-01", "2021-03-02"]),  # duplicate day
    ],
)
def test_non_consecutive_index_is_refused(index: pd.DatetimeIndex) -> None:
    daily = pd.Series([1.0, 2.0, 3.0], index=index)
    for function in (
        epicurves.week_change_pct,
        epicurves.growth_rate,
        epicurves.doubling_time,
        epicurves.r_rki,
        epicurves.r_cori,
    ):
        with pytest.raises(ValueError, match="consecutive days"):
            function(daily)
    with pytest.raises(ValueError, match="consecutive days"):
        epicurves.incidence_7d(daily, 1000)


def test_a_frame_is_not_a_series() -> None:
    with pytest.raises(TypeError, match=r"pandas\.Series"):
        epicurves.incidence_7d(_daily([1] * 7).to_frame(), 1000)  # type: ignore[arg-type]


# -- week change, growth rate, doubling time --------------------------------------------------
def test_week_change_growth_rate_and_doubling_time() -> None:
    daily = _daily([10] * 7 + [15] * 7)
    # Only day 13 has two full weeks: S7_13 = 7 * 15 = 105, S7_6 = 7 * 10 = 70.
    week_change = [NAN] * 13 + [50.0]  # (105 / 70 - 1) * 100
    _assert_values(epicurves.week_change_pct(daily), week_change)
    rate = math.log(1.5) / 7  # ln(105 / 70) / 7 = 0.405465... / 7 = 0.0579236...
    _assert_values(epicurves.growth_rate(daily), [NAN] * 13 + [rate])
    # ln 2 / r = 7 * 0.693147 / 0.405465 = 11.9666 days
    _assert_values(
        epicurves.doubling_time(daily), [NAN] * 13 + [7 * math.log(2) / math.log(1.5)]
    )
    assert epicurves.week_change_pct(daily).name == "week_change_pct"


def test_doubling_time_needs_twenty_cases_in_both_weeks() -> None:
    later = [5, 5, 5, 5, 5, 5, 10]  # 40
    enough = epicurves.doubling_time(_daily([2, 3, 3, 3, 3, 3, 3, *later]))  # 20 -> 40
    # ln 2 / (ln(40 / 20) / 7) = 7
    assert enough.iloc[-1] == pytest.approx(7.0, rel=1e-12)
    too_few = _daily([2, 3, 3, 3, 3, 3, 2, *later])  # 19 -> 40: below MIN_WEEKLY_CASES
    assert epicurves.doubling_time(too_few).isna().all()
    # the growth rate itself is still given: ln(40 / 19) / 7
    assert epicurves.growth_rate(too_few).iloc[-1] == pytest.approx(
        math.log(40 / 19) / 7, rel=1e-12
    )


@pytest.mark.parametrize(
    "values",
    [
        [10] * 14,  # r = 0
        [15] * 7 + [10] * 7,  # r < 0: a halving time, not given
    ],
)
def test_doubling_time_only_for_growth(values: list[int]) -> None:
    assert epicurves.doubling_time(_daily(values)).isna().all()


def test_zero_weeks() -> None:
    after_zero = _daily([0] * 7 + [5] * 7)  # 0 -> 35
    assert epicurves.week_change_pct(after_zero).isna().all()  # 35 / 0
    assert epicurves.growth_rate(after_zero).isna().all()
    to_zero = _daily([5] * 7 + [0] * 7)  # 35 -> 0
    assert epicurves.week_change_pct(to_zero).iloc[-1] == -100.0  # (0/35 - 1) * 100
    assert epicurves.growth_rate(to_zero).isna().all()  # ln 0


# -- RKI's R --------------------------------------------------------------------------------
def test_r_rki_worked_example() -> None:
    daily = _daily(range(1, 15))  # N_t = t + 1 for days 0 ... 13
    expected = [NAN] * 9 + [
        2.0,  # day 9:  S7_10 / S7_6 = (5+...+11 = 56) / (1+...+7 = 28)
        1.8,  # day 10: S7_11 / S7_7 = (6+...+12 = 63) / (2+...+8 = 35)
        70 / 42,  # day 11: S7_12 / S7_8 = (7+...+13 = 70) / (3+...+9 = 42)
        77 / 49,  # day 12: S7_13 / S7_9 = (8+...+14 = 77) / (4+...+10 = 49)
        NAN,  # day 13: S7_14 lies beyond the data
    ]
    out = epicurves.r_rki(daily)
    _assert_values(out, expected)
    assert out.name == "r_rki"


def test_r_rki_needs_ten_cases_in_the_earlier_week() -> None:
    later = [2, 2, 2, 2]
    # days 0-6 sum to 9: below MIN_R_CASES
    assert epicurves.r_rki(_daily([1, 1, 1, 1, 1, 1, 3, *later])).isna().all()
    # days 0-6 sum to 10; day 9: S7_10 = days 4-10 = 1 + 1 + 4 + 2*4 = 14; 14 / 10
    out = epicurves.r_rki(_daily([1, 1, 1, 1, 1, 1, 4, *later]))
    _assert_values(out, [NAN] * 9 + [1.4, NAN])


def test_r_rki_missing_day() -> None:
    values: list[float | None] = [10.0] * 16
    values[12] = None
    out = epicurves.r_rki(_daily(values))
    # day 9: S7_10 / S7_6 = 70/70; day 10: 70/70; day 11: S7_12 holds day 12 -> NaN ... up to
    # day 14 (S7_15 holds day 12 too; S7_{t-3} for t <= 14 does not).
    _assert_values(out, [NAN] * 9 + [1.0, 1.0] + [NAN] * 5)


# -- Cori et al. ----------------------------------------------------------------------------
SI = (0.0, 0.5, 0.5)  # Lambda_t = 0.5 I_{t-1} + 0.5 I_{t-2}


def _posterior(shape: float, rate: float) -> tuple[float, float, float]:
    """Mean and 95 % interval of Gamma(shape, rate), from scipy (an independent reference)."""
    return (
        shape / rate,
        float(stats.gamma.ppf(0.025, a=shape, scale=1 / rate)),
        float(stats.gamma.ppf(0.975, a=shape, scale=1 / rate)),
    )


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


# -- compute_metrics ------------------------------------------------------------------------
def test_metric_columns() -> None:
    metrics = epicurves.compute_metrics(_tidy(_region("X", _cum([1] * 10))))
    for column in (*epicurves.OBSERVATION_COLUMNS, *epicurves.METRIC_COLUMNS):
        assert column in metrics.columns
    assert len(metrics) == 10


def test_trailing_and_centred_means() -> None:
    metrics = epicurves.compute_metrics(_tidy(_region("X", _cum(range(1, 11)))))
    # N_t = t + 1: S7_6 = 1+...+7 = 28, S7_7 = 35, S7_8 = 42, S7_9 = 49
    _assert_values(_at(metrics, "X", "new_cases_7d_sum"), [NAN] * 6 + [28, 35, 42, 49])
    _assert_values(_at(metrics, "X", "new_cases_7d_mean"), [NAN] * 6 + [4, 5, 6, 7])
    # centred on day t = trailing mean of day t + 3 (days t-3 ... t+3)
    _assert_values(
        _at(metrics, "X", "new_cases_7d_mean_centred"),
        [NAN] * 3 + [4, 5, 6, 7] + [NAN] * 3,
    )
    _assert_values(_at(metrics, "X", "new_deaths_7d_sum"), [NAN] * 6 + [0] * 4)


def test_week_metrics_and_per_capita() -> None:
    daily_cases = [10] * 7 + [15] * 7
    daily_deaths = [1] * 7 + [2] * 7
    obs = _tidy(_region("X", _cum(daily_cases), _cum(daily_deaths)))
    metrics = epicurves.compute_metrics(obs, _regions({"X": 50_000}))
    last = metrics.iloc[-1]
    assert last["new_cases_7d_sum"] == 105.0  # 7 * 15
    assert last["incidence_7d"] == pytest.approx(210.0, rel=1e-12)  # 105 / 50 000 * 1e5
    assert last["deaths_7d_per_100k"] == pytest.approx(
        28.0, rel=1e-12
    )  # 14 / 50 000 * 1e5
    assert last["growth_factor_7d"] == pytest.approx(1.5, rel=1e-12)  # 105 / 70
    assert last["week_change_pct"] == pytest.approx(50.0, rel=1e-12)  # (1.5 - 1) * 100
    assert last["growth_rate_per_day"] == pytest.approx(math.log(1.5) / 7, rel=1e-12)
    assert last["doubling_time_days"] == pytest.approx(
        7 * math.log(2) / math.log(1.5), rel=1e-12
    )
    assert metrics["growth_factor_7d"].iloc[:13].isna().all()
    # r_rki on day 12: S7_13 / S7_9 = 105 / (days 3-9: 4*10 + 3*15 = 85)
    assert metrics["r_rki"].iloc[12] == pytest.approx(105 / 85, rel=1e-12)


@pytest.mark.parametrize("population", [0, None])
def test_per_capita_without_population(population: int | None) -> None:
    obs = _tidy(_region("X", _cum([10] * 8)))
    metrics = epicurves.compute_metrics(obs, _regions({"X": population}))
    assert metrics["incidence_7d"].isna().all()
    assert metrics["deaths_7d_per_100k"].isna().all()
    assert (
        epicurves.compute_metrics(obs)["incidence_7d"].isna().all()
    )  # no regions at all


def test_regions_do_not_mix_and_come_back_sorted() -> None:
    a = _region("A", _cum([100] * 8))
    b = _region("B", _cum([1] * 8))
    obs = _tidy(a, b)
    shuffled = obs.sample(frac=1, random_state=3).reset_index(drop=True)
    metrics = epicurves.compute_metrics(shuffled, _regions({"A": 1000, "B": 100}))
    assert metrics["region_id"].tolist() == ["A"] * 8 + ["B"] * 8
    _assert_values(_at(metrics, "A", "new_cases_7d_sum"), [NAN] * 6 + [700, 700])
    # B's first window is not filled from A's last days
    _assert_values(_at(metrics, "B", "new_cases_7d_sum"), [NAN] * 6 + [7, 7])
    _assert_values(
        _at(metrics, "B", "incidence_7d"), [NAN] * 6 + [7000, 7000]
    )  # 7/100*1e5
    # the same region id from another source is another series
    other = _region("A", _cum([5] * 8), source="t")
    both = epicurves.compute_metrics(_tidy(a, other))
    assert both["source"].tolist() == ["s"] * 8 + ["t"] * 8
    _assert_values(both["new_cases_7d_sum"].iloc[8:], [NAN] * 6 + [35, 35])


def test_cori_in_compute_metrics_stays_within_a_series() -> None:
    a = _region("A", _cum([100] * 20))
    b = _region("B", _cum([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))
    metrics = epicurves.compute_metrics(
        _tidy(a, b), cori=CoriOptions(si_distribution=SI)
    )
    r_b = metrics.loc[metrics["region_id"] == "B"].reset_index(drop=True)
    assert r_b["r_cori"].iloc[:7].isna().all()
    # as in test_r_cori_worked_example: B's day 0 has no infectors from A's last days
    mean, lo, hi = _posterior(351, 245.2)
    assert r_b["r_cori"].iloc[7] == pytest.approx(mean, rel=1e-12)
    assert r_b["r_cori_lo"].iloc[7] == pytest.approx(lo, rel=1e-9)
    assert r_b["r_cori_hi"].iloc[7] == pytest.approx(hi, rel=1e-9)
    assert r_b["r_cori_provisional"].tolist() == [False] * 7 + [True] * 3
    r_a = metrics.loc[metrics["region_id"] == "A", "r_cori"].tolist()
    assert r_a[7] == pytest.approx(701 / 650.2, rel=1e-12)  # as in the provisional test


def test_cfr_needs_a_hundred_cases_fourteen_days_before() -> None:
    cases = [99, 100, 200] + [300] * 14  # 17 days
    deaths = [0] * 14 + [3, 5, 8]
    metrics = epicurves.compute_metrics(_tidy(_region("X", cases, deaths)))
    expected = [NAN] * 14 + [
        NAN,  # day 14: cases on day 0 = 99 < 100
        5.0,  # day 15: 5 / cases on day 1 (100) * 100
        4.0,  # day 16: 8 / cases on day 2 (200) * 100
    ]
    _assert_values(metrics["cfr_pct"], expected)


def _flags(daily_cases: list[int], daily_deaths: list[int] | None = None) -> list[str]:
    deaths = _cum(daily_deaths) if daily_deaths is not None else None
    metrics = epicurves.compute_metrics(_tidy(_region("X", _cum(daily_cases), deaths)))
    return [str(f) for f in metrics["flags"]]


def test_cases_gap() -> None:
    assert _flags([10] * 7 + [0])[-1] == "cases-gap"  # days 0-6 average 70 / 7 = 10
    assert _flags([10] * 6 + [9, 0])[-1] == ""  # 69 / 7 = 9.86 < 10
    assert _flags([10] * 6 + [0]) == [""] * 7  # no full week before day 6


def test_cases_backlog() -> None:
    assert _flags([10] * 7 + [50])[-1] == "cases-backlog"  # 50 >= 5 * 10 and >= 50
    assert _flags([11] * 7 + [54])[-1] == ""  # 54 < 5 * 11 = 55
    assert _flags([2] * 7 + [49])[-1] == ""  # 49 >= 5 * 2 but < 50
    assert _flags([0] * 7 + [60])[-1] == "cases-backlog"  # 60 >= 5 * 0 and >= 50


def test_deaths_backlog_and_gap() -> None:
    cases = [100] * 8
    assert (
        _flags(cases, [1] * 7 + [10])[-1] == "deaths-backlog"
    )  # 10 >= 5 * 1 and >= 10
    assert _flags(cases, [1] * 7 + [9])[-1] == ""  # 9 >= 5 but < 10
    assert _flags(cases, [10] * 7 + [0])[-1] == "deaths-gap"


def test_missing_flags() -> None:
    cases = [10, 20, None, 40, 50]
    metrics = epicurves.compute_metrics(_tidy(_region("X", cases, [None] * 5)))
    # no deaths at all in the series: not flagged as missing every day
    assert metrics["flags"].tolist() == ["", "", "cases-missing", "", ""]
    metrics = epicurves.compute_metrics(_tidy(_region("X", cases, [0, 0, 0, None, 1])))
    assert metrics["flags"].tolist() == ["", "", "cases-missing", "deaths-missing", ""]


def test_ingest_flags_are_kept() -> None:
    cases = [*_cum([10] * 7), 65]  # a correction: 70 -> 65, new_cases -5
    deaths = _cum([1] * 7 + [10])
    metrics = epicurves.compute_metrics(_tidy(_region("X", cases, deaths)))
    assert metrics["new_cases"].iloc[-1] == -5
    assert metrics["flags"].tolist() == [""] * 7 + ["cases-decrease;deaths-backlog"]
    assert metrics["flags"].dtype == "string"


def test_compute_metrics_refuses_bad_input() -> None:
    obs = _tidy(_region("X", _cum([1] * 8)))
    with pytest.raises(ValueError, match="duplicate"):
        epicurves.compute_metrics(pd.concat([obs, obs.iloc[[3]]], ignore_index=True))
    with pytest.raises(ValueError, match="lack columns"):
        epicurves.compute_metrics(obs.drop(columns="new_deaths"))


# -- summarize ------------------------------------------------------------------------------
def _summary_input() -> tuple[pd.DataFrame, pd.DataFrame]:
    obs = _tidy(
        _region("A", _cum([10] * 7 + [12] * 7)),  # 70 -> 84: +20 %
        _region("B", _cum([10] * 7 + [8] * 7)),  # 70 -> 56: -20 %
        _region("C", _cum([10] * 13 + [11])),  # 70 -> 71: +1.4 %
        _region("D", _cum([10] * 5)),  # no week change yet
        _region("F", _cum([10] * 7 + [9] * 7)),  # 70 -> 63: -10 % exactly
    )
    regions = _regions({"A": 1000, "B": 2000, "C": None, "D": 10, "F": 100})
    return epicurves.compute_metrics(obs, regions), regions


def test_summarize_one_row_per_region() -> None:
    metrics, regions = _summary_input()
    table = epicurves.summarize(metrics, regions).set_index("region_id")
    assert list(table.index) == ["A", "B", "C", "D", "F"]
    assert table.loc["A", "name"] == "Region A"
    assert table.loc["A", "population"] == 1000
    assert table.loc["A", "last_date"] == pd.Timestamp("2021-03-14")  # day 13
    assert table["total_cases"].tolist() == [
        154,  # 70 + 84
        126,  # 70 + 56
        141,  # 13 * 10 + 11
        50,  # 5 * 10
        133,  # 70 + 63
    ]
    assert table["total_deaths"].tolist() == [0] * 5
    _assert_values(table["new_cases_last_week"], [84, 56, 71, NAN, 63])
    _assert_values(
        table["incidence_7d"], [8400, 2800, NAN, NAN, 63_000]
    )  # 84/1000*1e5, 56/2000*1e5, no population, no full week, 63/100*1e5
    assert table["trend"].tolist() == ["rising", "falling", "stable", "", "stable"]
    # r_rki is NaN on the last day (it needs day t+1); the last value is day 12:
    # A: S7_13 / S7_9 = 84 / (days 3-9: 4*10 + 3*12 = 76)
    assert table.loc["A", "r_rki"] == pytest.approx(84 / 76, rel=1e-12)
    # B: 56 / (4*10 + 3*8 = 64)
    assert table.loc["B", "r_rki"] == pytest.approx(56 / 64, rel=1e-12)
    assert table["r_rki"].isna().loc["D"]


def test_summarize_plus_ten_percent_is_stable() -> None:
    metrics = epicurves.compute_metrics(_tidy(_region("E", _cum([10] * 7 + [11] * 7))))
    assert epicurves.summarize(metrics)["trend"].tolist() == ["stable"]  # 70 -> 77


def test_summarize_takes_the_last_known_r() -> None:
    days = pd.date_range(START, periods=4)
    metrics = pd.DataFrame(
        {
            "source": "s",
            "region_id": "X",
            "date": days,
            "cases": pd.array([10, 20, 30, 40], dtype="Int64"),
            "deaths": pd.array([0, 0, 1, 1], dtype="Int64"),
            "new_cases_7d_sum": [NAN, 60.0, 70.0, 75.0],
            "new_deaths_7d_sum": [NAN, 1.0, 1.0, 1.0],
            "incidence_7d": [NAN, 6.0, 7.0, 7.5],
            "week_change_pct": [NAN, -5.0, 12.0, -11.0],
            "doubling_time_days": [NAN, NAN, 20.0, NAN],
            "r_rki": [1.1, 1.2, NAN, NAN],
            "r_cori": [0.9, 1.3, 1.4, NAN],
            "r_cori_lo": [0.8, 1.2, 1.3, NAN],
            "r_cori_hi": [1.0, 1.4, 1.5, NAN],
            "cfr_pct": [NAN, 2.0, NAN, NAN],
        }
    )
    row = epicurves.summarize(metrics).iloc[0]
    assert row["last_date"] == days[3]
    assert row["total_cases"] == 40
    assert row["new_cases_last_week"] == 75.0
    assert row["week_change_pct"] == -11.0
    assert row["trend"] == "falling"
    assert math.isnan(
        row["doubling_time_days"]
    )  # from the last day, not the last known
    assert row["r_rki"] == 1.2
    assert (row["r_cori"], row["r_cori_lo"], row["r_cori_hi"]) == (1.4, 1.3, 1.5)
    assert row["r_cori_date"] == days[2]
    assert row["cfr_pct"] == 2.0
    assert pd.isna(row["name"])  # no regions table given


def test_summarize_empty() -> None:
    table = epicurves.summarize(
        epicurves.compute_metrics(_tidy(_region("X", [1]))).iloc[:0]
    )
    assert table.empty
    assert "trend" in table.columns and "r_cori" in table.columns


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


def test_compute_metrics_rejects_a_series_that_skips_days() -> None:
    frame = _tidy(_region("A", _cum([1] * 10)))
    with pytest.raises(ValueError, match="skips days"):
        epicurves.compute_metrics(frame.drop(index=4))


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

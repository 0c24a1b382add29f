"""The 7-day metrics of one daily series (incidence, week change, growth rate, doubling time,
RKI's R) against tiny series whose expected values are worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import epicurves
from metric_checks import NAN, START, _assert_values, _daily


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

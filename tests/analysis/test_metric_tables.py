"""compute_metrics' table of every metric per series, and summarize's table of one row per
region, against tiny tables whose expected values are worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import accumulate

import pandas as pd
import pytest

import epicurves
from epicurves import CoriOptions
from epicurves.model import REGION_COLUMNS, add_daily
from metric_checks import NAN, SI, START, _assert_values, _posterior


# -- helpers -------------------------------------------------------------------------------
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


def test_compute_metrics_rejects_a_series_that_skips_days() -> None:
    frame = _tidy(_region("A", _cum([1] * 10)))
    with pytest.raises(ValueError, match="skips days"):
        epicurves.compute_metrics(frame.drop(index=4))

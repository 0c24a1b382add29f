"""Invariants of the tidy model and the metrics, checked with hypothesis on random series."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import epicurves
from epicurves import METRIC_COLUMNS, CoriOptions, compute_metrics
from epicurves.analysis.cori import MAX_UNKNOWN_INFECTIOUSNESS
from epicurves.analysis.windows import Series
from epicurves.model import add_daily

#: Few examples, no deadline: the whole folder should run in seconds.
FEW = settings(max_examples=40, deadline=None)
START = pd.Timestamp("2021-03-01")
DAY = pd.Timedelta(days=1)
MAX_DAYS = 80
COUNTS = st.integers(0, 10_000)
SOURCES = ("jhu", "rki")
REGION_IDS = ("DE", "FR", "BY", "X")
POPULATIONS = st.integers(1, 10**9)

#: Metrics documented to read later days, and how many days ahead.
LOOK_AHEAD = {
    "new_cases_7d_mean_centred": 3,
    "new_deaths_7d_mean_centred": 3,
    "r_rki": 1,
    "deaths_r_rki": 1,
}
#: Metrics that depend on where the series ends, by definition.
END_DEPENDENT = {"r_cori_provisional"}
EXACT_COLUMNS = {"r_cori_provisional", "flags"}


# -- strategies ------------------------------------------------------------------------------
def cumulative(size: int) -> st.SearchStrategy[list[int]]:
    """Cumulative counts of ``size`` days: non-decreasing, or anything (with decreases)."""
    daily = st.lists(COUNTS, min_size=size, max_size=size)
    rising = daily.map(lambda d: [int(x) for x in np.cumsum(d)])
    return st.one_of(rising, daily)


@st.composite
def with_holes(draw: st.DrawFn, values: Sequence[int | None]) -> list[int | None]:
    """``values`` with up to three days missing."""
    holes = draw(st.sets(st.integers(0, len(values) - 1), max_size=3))
    return [None if i in holes else v for i, v in enumerate(values)]


@st.composite
def cumulative_tables(
    draw: st.DrawFn, max_regions: int = 4, missing: bool = True
) -> pd.DataFrame:
    """``source, region_id, date, cases, deaths`` for up to ``max_regions`` series, each
    starting on its own day; with ``missing``, some days lack a count and some series lack
    deaths altogether."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(SOURCES), st.sampled_from(REGION_IDS)),
            min_size=1,
            max_size=max_regions,
            unique=True,
        )
    )
    parts = []
    for source, region in keys:
        n = draw(st.integers(1, MAX_DAYS))
        start = START + draw(st.integers(0, 20)) * DAY
        cases: list[int | None] = list(draw(cumulative(n)))
        deaths: list[int | None] = list(draw(cumulative(n)))
        if missing:
            cases = draw(with_holes(cases))
            deaths = draw(st.one_of(with_holes(deaths), st.just([None] * n)))
        parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "region_id": region,
                    "date": pd.date_range(start, periods=n),
                    "cases": pd.array(cases, dtype="Int64"),
                    "deaths": pd.array(deaths, dtype="Int64"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


#: Tidy observations and their regions table, as :func:`tidy_tables` draws them.
Tables = tuple[pd.DataFrame, pd.DataFrame]


@st.composite
def tidy_tables(draw: st.DrawFn, max_regions: int = 4, missing: bool = True) -> Tables:
    """Tidy observations made by :func:`add_daily`, and a regions table with populations
    (missing for some regions when ``missing``)."""
    observations = add_daily(
        draw(cumulative_tables(max_regions=max_regions, missing=missing))
    )
    keys = observations[["region_id", "source"]].drop_duplicates()
    population = st.one_of(st.none(), POPULATIONS) if missing else POPULATIONS
    pops = [draw(population) for _ in range(len(keys))]
    regions = keys.assign(population=pd.array(pops, dtype="Int64"))
    return observations, regions.reset_index(drop=True)


def days(values: list[Any]) -> pd.Series:
    """A date-indexed series of daily values (``None`` as NaN)."""
    floats = [np.nan if v is None else float(v) for v in values]
    return pd.Series(floats, index=pd.date_range(START, periods=len(values)))


# -- helpers ---------------------------------------------------------------------------------
Test = Callable[..., None]


def slow_given(*strategies: st.SearchStrategy[Any]) -> Callable[[Test], Test]:
    """``@given(*strategies)`` on :data:`FEW` examples, marked slow: the tests on whole tables."""

    def decorate(test: Test) -> Test:
        return pytest.mark.slow(FEW(given(*strategies)(test)))

    return decorate


def as_list(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in values]


def assert_same_metrics(
    left: pd.DataFrame,
    right: pd.DataFrame,
    columns: tuple[str, ...] = (*METRIC_COLUMNS, "flags"),
    rtol: float = 1e-9,
) -> None:
    """Same rows (source, region, date) and the same values in ``columns``, NaN equal to NaN."""
    assert len(left) == len(right)
    for key in ("source", "region_id", "date"):
        np.testing.assert_array_equal(left[key].to_numpy(), right[key].to_numpy())
    for column in columns:
        a, b = left[column].to_numpy(), right[column].to_numpy()
        if column in EXACT_COLUMNS:
            np.testing.assert_array_equal(a, b, err_msg=column)
        else:
            np.testing.assert_allclose(
                a.astype(float), b.astype(float), rtol=rtol, atol=0, equal_nan=True,
                err_msg=column,
            )  # fmt: skip


def flag_sets(frame: pd.DataFrame) -> list[set[str]]:
    return [set(f.split(";")) - {""} for f in frame["flags"].astype(str)]


def series_keys(frame: pd.DataFrame) -> pd.Series:
    return frame["source"].astype(str) + "/" + frame["region_id"].astype(str)


# -- 1. daily <-> cumulative -----------------------------------------------------------------
@slow_given(cumulative_tables(missing=False))
def test_daily_sums_back_to_cumulative(table: pd.DataFrame) -> None:
    """The running total of the daily counts is the cumulative count (day 1 counts from 0),
    decreases included; a decrease, and only a decrease, is flagged."""
    out = add_daily(table.sample(frac=1, random_state=0))
    key = series_keys(out)
    for total, new in (("cases", "new_cases"), ("deaths", "new_deaths")):
        running = out[new].groupby(key).cumsum()
        assert as_list(running) == as_list(out[total])
        first = ~key.duplicated()
        assert as_list(out.loc[first, new]) == as_list(out.loc[first, total])
        flagged = out["flags"].str.contains(f"{total}-decrease").to_numpy(dtype=bool)
        np.testing.assert_array_equal(flagged, out[new].lt(0).to_numpy(dtype=bool))


@FEW
@given(
    st.lists(st.integers(-1_000, 10_000), min_size=1, max_size=MAX_DAYS).filter(
        lambda d: min(np.cumsum(d)) >= 0
    )
)
def test_cumulative_of_daily_gives_the_daily_back(daily: list[int]) -> None:
    """Daily counts (corrections included) -> running total -> ``add_daily`` -> the same."""
    n = len(daily)
    table = pd.DataFrame(
        {
            "source": "s",
            "region_id": "X",
            "date": pd.date_range(START, periods=n),
            "cases": np.cumsum(daily),
            "deaths": np.cumsum([max(d, 0) for d in daily]),
        }
    )
    out = add_daily(table)
    assert as_list(out["new_cases"]) == daily
    assert as_list(out["new_deaths"]) == [max(d, 0) for d in daily]


@FEW
@given(st.integers(1, MAX_DAYS).flatmap(cumulative).flatmap(with_holes))
def test_missing_days_stay_missing(cases: list[int | None]) -> None:
    """A missing day has no daily count, nor has the day after it; the first known value
    counts from zero."""
    table = pd.DataFrame(
        {
            "source": "s",
            "region_id": "X",
            "date": pd.date_range(START, periods=len(cases)),
            "cases": pd.array(cases, dtype="Int64"),
            "deaths": pd.array([None] * len(cases), dtype="Int64"),
        }
    )
    expected: list[int | None] = []
    previous: int | None = None
    seen = False
    for value in cases:
        if value is None:
            expected.append(None)
        elif not seen:
            expected.append(value)
        elif previous is None:
            expected.append(None)
        else:
            expected.append(value - previous)
        seen |= value is not None
        previous = value
    out = add_daily(table)
    assert as_list(out["new_cases"]) == expected
    assert out["new_deaths"].isna().all()


# -- 2. 7-day sums and means -----------------------------------------------------------------
@slow_given(tidy_tables())
def test_7d_sum_is_7_times_the_mean_and_the_sum_of_7_days(tables: Tables) -> None:
    observations, regions = tables
    metrics = compute_metrics(observations, regions)
    for kind in ("cases", "deaths"):
        s7 = metrics[f"new_{kind}_7d_sum"].to_numpy()
        mean = metrics[f"new_{kind}_7d_mean"].to_numpy()
        np.testing.assert_allclose(7 * mean, s7, rtol=1e-12, equal_nan=True)
        keys = list(zip(series_keys(observations), observations["date"], strict=True))
        daily = dict(zip(keys, as_list(observations[f"new_{kind}"]), strict=True))
        brute = []
        for key, date in zip(series_keys(metrics), metrics["date"], strict=True):
            window = [daily.get((key, date - k * DAY)) for k in range(7)]
            known = [v for v in window if v is not None]
            brute.append(float(sum(known)) if len(known) == 7 else np.nan)
        # Whole numbers: exact.
        np.testing.assert_array_equal(s7, np.array(brute), err_msg=kind)


# -- 3. incidence scales as 1/population -----------------------------------------------------
@FEW
@given(
    st.lists(COUNTS, min_size=1, max_size=MAX_DAYS),
    POPULATIONS,
    st.floats(1e-3, 1e3),
)
def test_incidence_scales_as_one_over_population(
    daily: list[int], population: int, k: float
) -> None:
    series = days(daily)
    base = epicurves.incidence_7d(series, population)
    scaled = epicurves.incidence_7d(series, k * population)
    np.testing.assert_allclose(scaled * k, base, rtol=1e-9, equal_nan=True)
    s7 = series.rolling(7).sum()
    np.testing.assert_allclose(
        base * population, s7 * 100_000, rtol=1e-9, equal_nan=True
    )


@slow_given(tidy_tables(missing=False), st.integers(1, 1_000))
def test_incidence_in_compute_metrics_scales_as_one_over_population(
    tables: Tables, k: int
) -> None:
    observations, regions = tables
    base = compute_metrics(observations, regions)
    bigger = regions.assign(population=regions["population"] * k)
    scaled = compute_metrics(observations, bigger)
    for column in ("incidence_7d", "deaths_7d_per_100k"):
        np.testing.assert_allclose(
            scaled[column] * k, base[column], rtol=1e-9, equal_nan=True, err_msg=column
        )
    # ... and it is what incidence_7d() gives for each region alone.
    pops = dict(zip(series_keys(regions), regions["population"], strict=True))
    for key, rows in base.groupby(series_keys(base)):
        alone = epicurves.incidence_7d(
            rows.set_index("date")["new_cases"].astype(float), float(pops[key])
        )
        np.testing.assert_allclose(
            rows["incidence_7d"].to_numpy(),
            alone.to_numpy(),
            rtol=1e-12,
            equal_nan=True,
        )


# -- 4. a region's metrics do not depend on the others, nor on the row order ----------------
@slow_given(tidy_tables())
def test_metrics_of_a_region_alone_or_with_all_others(tables: Tables) -> None:
    observations, regions = tables
    together = compute_metrics(observations, regions)
    key = series_keys(together)
    for name, rows in observations.groupby(series_keys(observations), sort=True):
        alone = compute_metrics(rows, regions).reset_index(drop=True)
        part = together[key == name].reset_index(drop=True)
        assert_same_metrics(alone, part)


@slow_given(tidy_tables(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(tables: Tables, rng: Any) -> None:
    observations, regions = tables
    order = list(range(len(observations)))
    rng.shuffle(order)
    shuffled = observations.iloc[order]
    assert_same_metrics(
        compute_metrics(observations, regions),
        compute_metrics(shuffled, regions.iloc[::-1]),
        rtol=0.0,
    )


# -- 5. no metric reads the future, except where documented ---------------------------------
@slow_given(tidy_tables(), st.integers(-1, MAX_DAYS + 20))
def test_no_metric_reads_the_future(tables: Tables, cut_day: int) -> None:
    """Cutting every series after day ``t`` changes no metric on days up to ``t``; the
    centred means may change on the last 3 days and ``r_rki`` on the last day, no earlier.
    ``flags`` looks only backwards."""
    observations, regions = tables
    last = START + cut_day * DAY
    full = compute_metrics(observations, regions)
    cut = compute_metrics(observations[observations["date"] <= last], regions)
    head = full[full["date"] <= last].reset_index(drop=True)
    for column in METRIC_COLUMNS:
        if column in END_DEPENDENT:
            continue
        ahead = LOOK_AHEAD.get(column, 0)
        rows = (head["date"] <= last - ahead * DAY).to_numpy()
        # Equal up to rounding: what matters here is which days are read, not the last bit.
        assert_same_metrics(head[rows], cut[rows], columns=(column,))
    assert flag_sets(head) == flag_sets(cut)
    # What the look-ahead ones give on the days they cannot see yet: nothing.
    remaining = cut.groupby(series_keys(cut)).cumcount(ascending=False).to_numpy()
    for column, ahead in LOOK_AHEAD.items():
        assert cut.loc[remaining < ahead, column].isna().all(), column
    provisional = cut["r_cori"].notna().to_numpy() & (
        remaining < CoriOptions().provisional_days
    )
    np.testing.assert_array_equal(cut["r_cori_provisional"].to_numpy(), provisional)


# -- R ----------------------------------------------------------------------------------------
@FEW
@given(
    st.integers(1, MAX_DAYS)
    .flatmap(lambda n: st.lists(st.integers(-50, 10_000), min_size=n, max_size=n))
    .flatmap(with_holes)
)
def test_r_cori_is_the_gamma_posterior_mean(daily: list[int | None]) -> None:
    """Mean ``(a + sum I) / (1/b + sum Lambda)`` over the window, with ``Lambda`` worked out
    from the serial interval weights; the interval holds the mean. No estimate without 11
    cases, without infectors, with a missing day in the window, or where missing earlier days
    hide more than 5 % of the serial-interval weight (on average over the window)."""
    options = CoriOptions()
    w = options.weights()
    assert w[0] == 0 and abs(w.sum() - 1) < 1e-12
    np.testing.assert_allclose(
        w, epicurves.discrete_serial_interval(options.si_mean, options.si_sd)
    )
    n, tau = len(daily), options.window
    counts = [0.0 if v is None else float(max(v, 0)) for v in daily]
    lags = [range(1, min(t, len(w) - 1) + 1) for t in range(n)]
    lam = [sum(counts[t - s] * w[s] for s in lags[t]) for t in range(n)]
    hidden = [sum(w[s] for s in lags[t] if daily[t - s] is None) for t in range(n)]
    expected = np.full(n, np.nan)
    for t in range(tau, n):
        window = range(t - tau + 1, t + 1)
        if any(daily[i] is None for i in window):
            continue
        if sum(hidden[i] for i in window) / tau > MAX_UNKNOWN_INFECTIOUSNESS:
            continue
        cases = sum(counts[i] for i in window)
        infectiousness = sum(lam[i] for i in window)
        if cases >= options.min_cases and infectiousness > 0:
            expected[t] = (options.prior_shape + cases) / (
                1 / options.prior_scale + infectiousness
            )
    estimate = epicurves.r_cori(days(daily))
    mean = estimate["mean"].to_numpy()
    np.testing.assert_allclose(mean, expected, rtol=1e-9, equal_nan=True)
    known = ~np.isnan(mean)
    for bound in ("lo", "hi"):
        np.testing.assert_array_equal(~estimate[bound].isna().to_numpy(), known)
    assert (estimate["lo"][known] <= estimate["mean"][known]).all()
    assert (estimate["mean"][known] <= estimate["hi"][known]).all()


@FEW
@given(st.integers(0, 10_000), st.integers(1, MAX_DAYS))
def test_r_rki_of_a_constant_series_is_one(value: int, n: int) -> None:
    """``S7_{t+1} / S7_{t-3}`` is 1 wherever both windows exist and the earlier one has at
    least 10 cases; NaN elsewhere."""
    r = epicurves.r_rki(days([value] * n)).to_numpy()
    t = np.arange(n)
    defined = (t >= 9) & (t <= n - 2) & (7 * value >= 10)
    np.testing.assert_array_equal(r[defined], 1.0)
    assert np.isnan(r[~defined]).all()


@FEW
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.one_of(st.none(), st.floats(0, 1e6))),
        max_size=60,
    ),
    st.lists(st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5]), min_size=1, max_size=12),
)
def test_lagged_sum_is_the_sum_of_shifts_to_the_last_bit(
    rows: list[tuple[int, float | None]], weights: list[float]
) -> None:
    """Cori's infectiousness, added lag after lag without an array a lag, is bit for bit what
    adding up each lag's shifted values gives (series of any length, longer or shorter than
    the weights; missing values as nothing)."""
    keys = np.sort(np.array([k for k, _ in rows], dtype=np.int64))
    values = np.array([np.nan if v is None else v for _, v in rows], dtype=np.float64)
    w = np.array([0.0, *weights])
    series = Series.from_keys(keys)
    expected = np.zeros(len(values))
    for lag in range(1, len(w)):
        if w[lag] > 0:
            expected += w[lag] * np.nan_to_num(series.shift(values, lag), nan=0.0)
    got = series.lagged_sum(values, w)
    assert got.tobytes() == expected.tobytes()

"""epicurves' R by Cori et al. against EpiEstim, the R package of the method's authors.

tests/data/epiestim/expected.csv is EpiEstim 2.2.4's ``estimate_R`` (parametric serial
interval mean 4.7, sd 2.9; weekly sliding windows; prior mean 5, sd 5) on four real daily case
series, tests/data/epiestim/inputs.csv (see the README there for how both were made). Both
files are committed: neither R nor the real data are needed, except by the last test, which
checks that ``load_metrics`` on the real files gives these very series and estimates.

Where both give an estimate they agree to the rounding of the fixture (6 decimals), once
epicurves is given EpiEstim's serial interval. Two differences are by design:

- the minimum-cases rule: epicurves leaves R missing where the window holds fewer than 11 cases
  (posterior CV above 0.3); EpiEstim estimates every window. The missing dates must be exactly
  those; epicurves' other rule (``sum Lambda > 0``) removes no date in these series.
- the serial interval: epicurves truncates it at 40 days and renormalises; EpiEstim's
  ``estimate_R`` uses ``discr_si(0:(T-1))``, reaching back to the first day. With the
  defaults the estimates then differ by a relative 2e-7 (the tail beyond 40 days) up to a
  few 1e-6 where a large wave lies more than 40 days back (France, May 2020: 5.6e-6).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import FIXTURES
from epicurves import CoriOptions
from epicurves.analysis.cori import discrete_serial_interval

HERE = FIXTURES / "epiestim"

#: (source, region_id) of the series in inputs.csv, in its order.
SERIES = [("rki", "DE"), ("nyt", "US-CA"), ("jhu", "FR"), ("germany", "DE-09565")]

#: Dates where EpiEstim estimates and epicurves leaves R missing (fewer than 11 cases).
BELOW_MIN_CASES = {"DE": 45, "US-CA": 25, "FR": 29, "DE-09565": 256}

#: The fixture is rounded to 6 decimals: half a unit of the last one, plus float noise.
ROUNDING = 5e-7 + 1e-12
#: Above a posterior shape of 1000 epicurves' quantiles use Wilson-Hilferty (relative < 1e-6).
QUANTILE_RTOL = 1e-6
#: Relative difference the 40-day truncation of the serial interval allows (seen: 5.6e-6).
TRUNCATION_RTOL = 1e-5

COLUMNS = {"mean": "mean", "lo": "q025", "hi": "q975"}


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return pd.read_csv(
        HERE / "inputs.csv", parse_dates=["date"], dtype={"new_cases": "int64"}
    )


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(HERE / "expected.csv", parse_dates=["date"])


def _daily(inputs: pd.DataFrame, source: str, region: str) -> pd.Series:
    one = inputs[(inputs["source"] == source) & (inputs["region_id"] == region)]
    return one.set_index("date")["new_cases"].astype(np.float64)


def _reference(expected: pd.DataFrame, source: str, region: str) -> pd.DataFrame:
    one = expected[(expected["source"] == source) & (expected["region_id"] == region)]
    return one.set_index("date")[["mean", "q025", "q975"]]


def _below_min_cases(daily: pd.Series) -> pd.Series:
    """Window ends whose 7 days hold fewer than 11 cases, corrections counted as 0."""
    return daily.clip(lower=0).rolling(7).sum() < 11


def test_fixture_covers_every_window(
    inputs: pd.DataFrame, expected: pd.DataFrame
) -> None:
    """EpiEstim estimated every weekly window of every series: days 8 ... last."""
    listed = inputs[["source", "region_id"]].drop_duplicates()
    assert list(zip(listed["source"], listed["region_id"], strict=True)) == SERIES
    assert not inputs["new_cases"].isna().any()
    assert not expected[["mean", "q025", "q975"]].isna().any().any()
    for source, region in SERIES:
        daily = _daily(inputs, source, region)
        assert (np.diff(daily.index.to_numpy()) == np.timedelta64(1, "D")).all()
        assert len(daily) >= 300
        ref = _reference(expected, source, region)
        assert ref.index.equals(daily.index[7:]), region
    total = sum(f.stat().st_size for f in HERE.iterdir())
    assert total <= 200_000
    # The series include corrections (negative days), which both count as 0.
    assert (inputs["new_cases"] < 0).sum() == 16


@pytest.mark.parametrize(("source", "region"), SERIES)
def test_same_as_epiestim_with_its_serial_interval(
    inputs: pd.DataFrame, expected: pd.DataFrame, source: str, region: str
) -> None:
    """Given EpiEstim's untruncated serial interval, epicurves gives EpiEstim's numbers."""
    daily = _daily(inputs, source, region)
    si = tuple(discrete_serial_interval(4.7, 2.9, max_days=len(daily) - 1))
    est = epicurves.r_cori(daily, si_distribution=si)
    ref = _reference(expected, source, region)
    both = est["mean"].reindex(ref.index).notna()
    assert both.sum() > 0.4 * len(ref)
    _agree(est, ref, both, region, {"mean": 0.0}, QUANTILE_RTOL)


def _agree(
    est: pd.DataFrame,
    ref: pd.DataFrame,
    both: pd.Series,
    region: str,
    rtols: dict[str, float],
    rtol: float,
) -> None:
    """Each column of epicurves' estimate equals EpiEstim's where both have one, within
    ``rtol`` (``rtols`` per column) and the fixture's rounding."""
    for ours, theirs in COLUMNS.items():
        np.testing.assert_allclose(
            est[ours].reindex(ref.index)[both],
            ref[theirs][both],
            rtol=rtols.get(ours, rtol),
            atol=ROUNDING,
            err_msg=f"{region} {ours}",
        )


@pytest.mark.parametrize(("source", "region"), SERIES)
def test_default_r_cori_agrees_with_epiestim(
    inputs: pd.DataFrame, expected: pd.DataFrame, source: str, region: str
) -> None:
    """The defaults (serial interval truncated at 40 days): within a relative 1e-5."""
    daily = _daily(inputs, source, region)
    est = epicurves.r_cori(daily)
    ref = _reference(expected, source, region)
    both = est["mean"].reindex(ref.index).notna()
    _agree(est, ref, both, region, {}, TRUNCATION_RTOL)


@pytest.mark.parametrize(("source", "region"), SERIES)
def test_missing_exactly_where_too_few_cases(
    inputs: pd.DataFrame, expected: pd.DataFrame, source: str, region: str
) -> None:
    """By design: epicurves leaves R missing where the window has fewer than 11 cases
    (posterior CV > 0.3), where EpiEstim estimates anyway; there and only there."""
    assert CoriOptions().min_cases == 11
    daily = _daily(inputs, source, region)
    est = epicurves.r_cori(daily)
    ref = _reference(expected, source, region)
    # The first 7 days close no window, in EpiEstim (t_end >= 8) as in epicurves.
    assert est["mean"].iloc[:7].isna().all()
    missing = est["mean"].reindex(ref.index).isna()
    excluded = _below_min_cases(daily).reindex(ref.index)
    assert missing.equals(excluded), region
    assert int(missing.sum()) == BELOW_MIN_CASES[region]
    for column in ("lo", "hi"):
        assert est[column].reindex(ref.index).isna().equals(missing)


@pytest.mark.realdata
def test_load_metrics_on_the_real_files(
    shared_data: Path,
    tmp_path: Path,
    inputs: pd.DataFrame,
    expected: pd.DataFrame,
) -> None:
    """The committed inputs are what epicurves reads from the real files, and its r_cori
    columns there are the estimates compared above."""
    settings = epicurves.Settings(home=tmp_path / "home", mirror=shared_data)
    epicurves.update(settings)
    metrics = epicurves.load_metrics(
        [region for _, region in SERIES], all_sources=True, settings=settings
    )
    for source, region in SERIES:
        daily = _daily(inputs, source, region)
        one = metrics[(metrics["source"] == source) & (metrics["region_id"] == region)]
        one = one.set_index("date").reindex(daily.index)
        # The series start on the region's first day: no window reaches before the data.
        first = metrics.loc[metrics["source"] == source].query("region_id == @region")
        assert one.index[0] == first["date"].min()
        assert (one["new_cases"].astype(np.float64) == daily).all(), region
        ref = _reference(expected, source, region)
        est = one.reindex(ref.index)
        missing = est["r_cori"].isna()
        assert missing.equals(_below_min_cases(daily).reindex(ref.index)), region
        for ours, theirs in {
            "r_cori": "mean",
            "r_cori_lo": "q025",
            "r_cori_hi": "q975",
        }.items():
            np.testing.assert_allclose(
                est[ours][~missing],
                ref[theirs][~missing],
                rtol=TRUNCATION_RTOL,
                atol=ROUNDING,
                err_msg=f"{region} {ours}",
            )

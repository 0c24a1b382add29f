"""The hubs' baseline (epicurves.forecast.baseline): the hub's own forecasts reproduced, and
the shape every forecast must have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from epicurves.forecast.baseline import baseline, differences
from epicurves.forecast.levels import HORIZONS, LEVELS, MEDIAN

#: How far our exact quantiles may be from the hub's Monte Carlo ones, at horizons 1-3, as a
#: share of the forecast's 98 % interval (plus half an admission, for series of a few).
#: The hub draws 100,000 samples: seeds of the same draw differ by up to ~0.5 % of the
#: interval at the 1 % and 99 % levels (measured, /work notes in the closing note of
#: issue 23), so 2.5 % is about five of those; the mean must be well inside it.
TOLERANCE = 0.025
MEAN_TOLERANCE = 0.006


def _hub_data(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    hub = pd.read_csv(
        shared / "cdc-covid" / "reference" / "CovidHub-baseline.csv.gz",
        dtype={"location": str},
        parse_dates=["reference_date"],
    )
    data = pd.read_parquet(shared / "cdc-covid" / "time-series.parquet")
    data = data[data["target"] == "wk inc covid hosp"].copy()
    data["as_of"] = pd.to_datetime(data["as_of"])
    data["week"] = pd.to_datetime(data["target_end_date"])
    return hub, data


def test_the_baseline_reproduces_the_hubs_own_forecasts(shared_data: Path) -> None:
    """Every reference date, location and horizon of CovidHub-baseline, from the release the
    hub forecast from: the one whose newest week is R - 7 (the Wednesday's, except three
    holiday weeks when CDC published a day or more late and the hub waited for it)."""
    hub, data = _hub_data(shared_data)
    newest = data.groupby("as_of")["week"].max()
    # one row per reference date, location and horizon, the levels in columns (ascending)
    table = hub.pivot_table(
        index=["reference_date", "location", "horizon"],
        columns="output_type_id",
        values="value",
        aggfunc="first",
    )
    assert np.allclose(table.columns.to_numpy(float), LEVELS)
    compared, relative = 0, []
    for day in sorted(hub["reference_date"].unique()):
        day = pd.Timestamp(day)
        release = newest[newest == day - pd.Timedelta(days=7)].index.min()
        rows = data[data["as_of"] == release]
        matrix = rows.pivot(index="location", columns="week", values="observation")
        ours = baseline(matrix.to_numpy())
        cells = pd.MultiIndex.from_product([matrix.index, list(HORIZONS)])
        theirs = table.loc[day].reindex(cells).to_numpy().reshape(ours.shape)
        width = np.maximum(theirs[:, :, -1] - theirs[:, :, 0], 0.0)[:, :, None]
        gap = np.abs(ours - theirs)
        # horizons -1 and 0 need no simulation: equal but for the hub's grid of 100,000
        # probabilities (a relative 1e-5 of the interval)
        near = (gap[:, :2] <= 1e-4 * np.maximum(width[:, :2], 1.0)).all(axis=(1, 2))
        close = (gap[:, 2:] <= TOLERANCE * width[:, 2:] + 0.5).all(axis=(1, 2))
        assert near.all(), f"{day:%Y-%m-%d} {matrix.index[np.argmin(near)]}"
        assert close.all(), f"{day:%Y-%m-%d} {matrix.index[np.argmin(close)]}"
        relative.append(gap[:, 2:].max(axis=2) / np.maximum(width[:, 2:, 0], 1.0))
        compared += len(matrix.index)
    assert compared == hub.groupby(["reference_date", "location"]).ngroups == 84 * 53
    assert float(np.concatenate(relative).mean()) <= MEAN_TOLERANCE


def test_every_forecast_is_monotone_non_negative_and_deterministic() -> None:
    rng = np.random.default_rng(3)
    history = np.maximum(rng.normal(50, 30, (40, 60)).cumsum(axis=1) / 10, 0).round()
    history[:5, :20] = np.nan  # series that start later
    history[7, 30] = np.nan  # a hole
    forecast = baseline(history)
    assert forecast.shape == (40, len(HORIZONS), len(LEVELS))
    assert (np.diff(forecast, axis=2) >= 0).all()
    assert (forecast >= 0).all()
    assert baseline(history.copy()).tobytes() == forecast.tobytes()
    # the median stays at the newest value; the spread grows with the horizon
    assert np.allclose(forecast[:, :, MEDIAN], history[:, -1:], atol=1e-6)
    spread = forecast[:, :, -1] - forecast[:, :, 0]
    assert (np.diff(spread[:, 1:], axis=1) >= -1e-9).all()


def test_a_series_without_differences_is_flat_and_one_without_a_newest_week_is_missing() -> (
    None
):
    history = np.array([[np.nan, np.nan, 5.0], [1.0, 2.0, np.nan], [4.0, 4.0, 4.0]])
    forecast = baseline(history)
    assert (forecast[0] == 5.0).all()
    assert np.isnan(forecast[1]).all()
    assert (forecast[2] == 4.0).all()  # differences all 0: no spread


def test_differences_are_symmetrised_and_skip_missing_weeks() -> None:
    steps = differences(np.array([[1.0, 3.0, np.nan, 4.0, 2.0]]))
    assert steps[0, :4].tolist() == [-2.0, -2.0, 2.0, 2.0]
    assert np.isnan(steps[0, 4:]).all()


def test_one_week_ahead_is_the_type_7_quantile_of_the_differences() -> None:
    """Horizon 0 needs no convolution: the newest value plus R's type-7 quantiles."""
    history = np.array([[10.0, 14, 11, 19, 15, 16, 30]])
    steps = np.diff(history[0])
    expected = 30 + np.quantile(np.concatenate([steps, -steps]), LEVELS)
    assert np.allclose(baseline(history)[0, 1], np.maximum(expected, 0))


@pytest.mark.parametrize("newest", [0.0, 3.0, 500.0])
def test_the_cut_at_zero_is_propagated_as_the_hubs_propagate_it(newest: float) -> None:
    """Two weeks ahead: max(0, y + e1) + e2, shifted to median y, cut at 0 (the hubs'
    layer); checked against a large Monte Carlo draw of exactly that."""
    rng = np.random.default_rng(7)
    history = np.concatenate([rng.integers(0, 40, 80).astype(float), [newest]])
    ours = baseline(history[None, :])[0, 2]
    steps = np.diff(history)
    steps = np.concatenate([steps, -steps])
    # draws from the differences' type-7 quantile function, as the hubs' samples are
    e1, e2 = np.quantile(steps, rng.uniform(size=(2, 400_000)))
    raw = np.maximum(newest + e1, 0) + e2
    draw = np.maximum(raw - (np.median(raw) - newest), 0)
    theirs = np.quantile(draw, LEVELS)
    width = theirs[-1] - theirs[0]
    assert np.abs(ours - theirs).max() <= TOLERANCE * width + 0.5

"""Forecasts of many series at once (epicurves.forecast.engine) on series made here: the
no-peeking rule, determinism, the hubs' format and which reference dates a series has."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import epicurves
from epicurves.export import table_bytes
from epicurves.forecast import engine
from epicurves.forecast.levels import LEVELS
from epicurves.forecast.scoring import score
from epicurves.forecast.series import FORECAST_TARGETS, Series

#: The columns of a forecast file: the hubs' model output, then region_id and model.
FORECAST_COLUMNS = [
    "reference_date", "location", "horizon", "target", "target_end_date", "output_type",
    "output_type_id", "value", "region_id", "model",
]  # fmt: skip

WEEKS = pd.date_range("2025-01-04", periods=40, freq="7D")  # Saturdays


def _values(seed: int = 1, count: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(100 + np.abs(rng.normal(0, 20, (count, len(WEEKS))).cumsum(axis=1)))


def _final(values: np.ndarray, live: bool = True) -> Series:
    regions = ["DE", "DE-BY", "DE-BE"][: len(values)]
    known = np.isfinite(values)
    return Series(
        target=FORECAST_TARGETS["wk inc case"],
        regions=regions,
        weeks=WEEKS,
        values=values,
        sources=["rki"] * len(values),
        live=np.full(len(values), live),
        first=np.argmax(known, axis=1),
        last=len(WEEKS) - 1 - np.argmax(known[:, ::-1], axis=1),
    )


def _released(values: np.ndarray) -> Series:
    """A series with a release every Wednesday: each knows the weeks up to the Saturday
    before it, the newest two revised upwards later."""
    releases = {}
    for j in range(3, len(WEEKS)):
        day = WEEKS[j] + pd.Timedelta(days=4)
        matrix = values.copy()
        matrix[:, j + 1 :] = np.nan
        matrix[:, j] *= 0.8  # the newest week is reported short
        releases[day] = matrix
    series = _final(values)
    series.target = FORECAST_TARGETS["wk inc covid hosp"]
    series.regions = ["US", "US-CA", "US-NY"][: len(values)]
    series.sources = ["cdc-covid"] * len(values)
    series.releases = releases
    return series


def _forecast(series: Series, day: str) -> np.ndarray:
    batch = engine.forecast_rows(series, pd.Timestamp(day), list(engine.MODELS))
    return np.stack([batch.quantiles[m] for m in engine.MODELS])


def test_a_forecast_is_unchanged_by_data_after_its_cutoff() -> None:
    """Final data: weeks after R - 7 added or revised change nothing at R."""
    values = _values()
    day = WEEKS[20] + pd.Timedelta(days=7)  # R: the newest week it may see is WEEKS[20]
    before = _forecast(_final(values), str(day.date()))
    later = values.copy()
    later[:, 21:] *= 3.0  # revised, and more weeks than before
    assert _forecast(_final(later), str(day.date())).tobytes() == before.tobytes()
    earlier = values.copy()
    earlier[:, 20] += 1.0  # a week it did see
    assert _forecast(_final(earlier), str(day.date())).tobytes() != before.tobytes()


def test_a_forecast_of_a_source_with_releases_uses_the_release_of_its_cutoff() -> None:
    series = _released(_values())
    day = pd.Timestamp(WEEKS[20] + pd.Timedelta(days=7))
    before = _forecast(series, str(day.date()))
    # a release after R - 3 (Thursday) revising every week: nothing changes
    late = day - pd.Timedelta(days=2)
    series.releases[late] = series.releases[max(series.releases)] * 2
    assert _forecast(series, str(day.date())).tobytes() == before.tobytes()
    # the release of R - 3 itself is used: its newest week is the one reported short
    history, carried = series.known_at(day)
    assert (carried == 0).all()
    assert np.allclose(history[:, -1], series.values[:, 20] * 0.8)


def test_a_week_without_release_uses_the_one_before_carried_forward() -> None:
    series = _released(_values())
    day = pd.Timestamp(WEEKS[20] + pd.Timedelta(days=7))
    del series.releases[day - pd.Timedelta(days=3)]  # no release that Wednesday
    history, carried = series.known_at(day)
    assert (carried == 1).all()
    assert np.array_equal(history[:, -1], history[:, -2])


@pytest.mark.slow  # over a second alone; the full command runs it
def test_forecasts_are_the_same_bytes_every_time() -> None:
    series = _released(_values(count=3))
    one = engine.hub_frame(series, list(engine.batches(series, list(engine.MODELS))))
    two = engine.hub_frame(series, list(engine.batches(series, list(engine.MODELS))))
    assert table_bytes(one, "csv") == table_bytes(two, "csv")


def test_horizon_minus_one_only_for_a_source_with_releases() -> None:
    assert engine.horizons_of(_released(_values())).tolist() == [-1, 0, 1, 2, 3]
    assert engine.horizons_of(_final(_values())).tolist() == [0, 1, 2, 3]


def test_a_frozen_series_is_not_forecast_beyond_its_last_week() -> None:
    values = _values()
    values[:, 30:] = np.nan  # frozen: ends at WEEKS[29]
    frozen = _final(values, live=False)
    frozen.last[:] = 29
    days = [b.reference_date for b in engine.batches(frozen, ["baseline"])]
    assert max(days) == WEEKS[29]  # its horizon 0 is its last week
    live = _final(_values())
    days = [b.reference_date for b in engine.batches(live, ["baseline"])]
    assert max(days) == WEEKS[-1] + pd.Timedelta(days=7)  # the newest reference date


def test_a_series_is_forecast_once_it_has_enough_weeks() -> None:
    values = _values()
    values[1, :10] = np.nan
    series = _final(values)
    series.first = np.array([0, 10, 0])
    first = {}
    for batch in engine.batches(series, ["baseline"]):
        for row in batch.rows:
            first.setdefault(int(row), batch.reference_date)
    start = WEEKS[10] + pd.Timedelta(days=7 * engine.MIN_WEEKS)
    assert first[1] == start
    assert first[0] == WEEKS[0] + pd.Timedelta(days=7 * engine.MIN_WEEKS)


def test_the_hub_format_round_trips_through_its_columns() -> None:
    """Written as CSV and read back, a forecast file has the hubs' columns, FIPS codes for
    CDC's targets, 23 levels per forecast, and scores as it was."""
    series = _released(_values())
    batches = list(engine.batches(series, ["baseline"]))
    frame = engine.hub_frame(series, batches)
    assert list(frame.columns) == FORECAST_COLUMNS
    text = table_bytes(
        frame.assign(
            reference_date=frame["reference_date"].dt.strftime("%Y-%m-%d"),
            target_end_date=frame["target_end_date"].dt.strftime("%Y-%m-%d"),
        ),
        "csv",
    )
    back = pd.read_csv(io.BytesIO(text), dtype={"location": str})
    assert list(back.columns) == FORECAST_COLUMNS
    assert set(back["location"]) == {"US", "06", "36"}
    assert (
        back.groupby(["reference_date", "location", "horizon"])
        .size()
        .eq(len(LEVELS))
        .all()
    )
    ends = pd.to_datetime(back["reference_date"]) + pd.to_timedelta(
        7 * back["horizon"], "D"
    )
    assert (ends == pd.to_datetime(back["target_end_date"])).all()
    truth = pd.DataFrame(
        {
            "region_id": np.repeat(series.regions, len(WEEKS)),
            "target": series.target.name,
            "target_end_date": np.tile(WEEKS, len(series.regions)),
            "observed": series.values.reshape(-1),
        }
    )
    scored = score(back.drop(columns="location"), truth)
    direct = engine.scores_frame(series, batches)
    assert len(scored) == len(direct)
    assert np.allclose(np.sort(scored["wis"]), np.sort(direct["wis"]))


@pytest.mark.parametrize("day", ["2025-03-07", "not a date"])
def test_a_reference_date_must_be_a_saturday(day: str) -> None:
    from epicurves.errors import UsageError
    from epicurves.forecast.levels import check_reference_date

    with pytest.raises(UsageError, match="reference date"):
        check_reference_date(day)


def test_the_forecast_package_is_reachable_beside_the_function() -> None:
    """``epicurves.forecast`` is the package (``epicurves.make_forecasts`` makes them)."""
    import epicurves
    import epicurves.forecast.models

    assert epicurves.forecast.models.MODELS
    assert callable(epicurves.make_forecasts)


def test_a_region_the_store_does_not_hold_is_refused_before_any_series_is_read(
    settings: epicurves.Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make_forecasts(regions=…)`` of regions the store does not hold says so at once, in
    the words it uses when no series has them (it read every target's series for that)."""
    from epicurves.forecast import runs

    epicurves.update(settings, ["rki", "cdc-covid"])

    def unread(*args: object, **kwargs: object) -> None:
        msg = "a series was read"
        raise AssertionError(msg)

    with monkeypatch.context() as patched:
        patched.setattr(runs, "load_series", unread)
        with pytest.raises(epicurves.UsageError) as refused:
            runs.make_forecasts(regions=["XX", "YY"], settings=settings)
    assert str(refused.value) == (
        "no live weekly series of XX, YY to forecast in the store "
        "(frozen series are backtested: `epicurves backtest`)"
    )
    # a region of the store among them: the series are read, and the same words said
    with pytest.raises(
        epicurves.UsageError, match="no live weekly series of XX, DE to"
    ):
        runs.make_forecasts(regions=["XX", "DE"], settings=settings)
    # Germany's live series of the fixture (RKI's hospitalisations) is too short for a first
    # reference date: without a date the same words; with one, that it is outside them all
    epicurves.update(settings, ["rki-hospitalisation"])
    with pytest.raises(epicurves.UsageError, match="no live weekly series of DE to"):
        runs.make_forecasts(regions=["DE"], settings=settings)
    with pytest.raises(epicurves.UsageError) as outside:
        runs.make_forecasts(
            regions=["DE"], reference_date="2030-01-05", settings=settings
        )
    assert str(outside.value) == (
        "reference date 2030-01-05 is outside the data of every live target: "
        "'wk inc hosp' (none)"
    )


def _whole_releases(seed: int, pathogens: tuple[str, ...], every: int) -> pd.DataFrame:
    """Ten weekly releases of a source's admissions, each whole: some rows revised, some
    missing, some gone from a release and back in the next (a history of them has
    tombstones)."""
    rng = np.random.default_rng(seed)
    frames = []
    for week in range(10):
        release = pd.Timestamp("2025-03-05") + pd.Timedelta(weeks=week)
        dates = pd.date_range(
            "2025-01-04", release - pd.Timedelta(days=4), freq=f"{every}D"
        )
        for region in ("US", "US-CA", "US-NY"):
            for pathogen in pathogens:
                kept = rng.random(len(dates)) > 0.15
                value = np.round(rng.gamma(2.0, 50.0, len(dates)))
                value[rng.random(len(dates)) < 0.05] = np.nan
                frames.append(pd.DataFrame({
                    "region_id": region, "signal": "admissions", "pathogen": pathogen,
                    "age_group": "00+", "estimate": "measured", "date": dates[kept],
                    "value": value[kept], "lo": np.nan, "hi": np.nan, "release": release,
                }))  # fmt: skip
    frame = pd.concat(frames, ignore_index=True)
    frame["release"] = frame["release"].astype("datetime64[s]")
    return frame


@pytest.mark.parametrize(
    ("pathogens", "every"),
    [(("SARS-CoV-2",), 7), (("SARS-CoV-2", "Omicron"), 7), (("SARS-CoV-2",), 3)],
    ids=["weekly", "two-pathogens", "two-days-a-week"],
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_release_s_matrix_is_its_view_s(
    seed: int, pathogens: tuple[str, ...], every: int
) -> None:
    """The release matrices made in one pass equal those of each release's view made whole,
    also where two keys share a cell (two pathogens, or two dates in one week: the view's
    order decides)."""
    from epicurves.forecast.series import each_view, release_matrices
    from epicurves.model import SIGNAL_KEY
    from epicurves.releases import changes
    from epicurves.store.history import VALUES

    history = changes(
        _whole_releases(seed, pathogens, every), SIGNAL_KEY, values=VALUES
    )
    assert history["value"].isna().any()  # tombstones, and missing values
    t = FORECAST_TARGETS["wk inc covid hosp"]
    ids = ["US", "US-CA", "US-NY", "US-TX"]  # one without rows
    weeks = pd.date_range("2024-12-28", "2025-05-10", freq="7D")
    fast = release_matrices(history, t, ids, weeks)
    slow = each_view(history, t, ids, weeks)
    assert list(fast) == list(slow) and len(fast) == 10
    for day, matrix in slow.items():
        np.testing.assert_array_equal(fast[day], matrix)
    newest, before = fast[max(fast)], fast[sorted(fast)[-2]]
    assert np.isfinite(newest[:3]).sum() > 25 and np.isnan(newest[3]).all()
    assert not np.array_equal(newest, before, equal_nan=True)  # a release revises

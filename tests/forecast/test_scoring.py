"""The weighted interval score, coverage and relative WIS against hand sums, scoringrules and the pinball loss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scoringrules as sr

from epicurves.forecast.levels import LEVELS, MEDIAN
from epicurves.forecast.scoring import (
    SCORE_COLUMNS,
    absolute_error,
    covered,
    interval_parts,
    quarter,
    relative_wis,
    score,
    score_sums,
)

#: A small symmetric level set for sums by hand: K = 2 intervals (alpha 0.2 and 0.5).
SMALL = [0.1, 0.25, 0.5, 0.75, 0.9]


def random_forecasts(
    n: int = 400, seed: int = 20250705
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sorted 23-quantile vectors, and observations inside, below, above their range
    and exactly on one of their quantiles; a third of the vectors are whole numbers with
    ties (several levels at one value)."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0.0, 1000.0, (n, 1))
    spread = rng.uniform(0.1, 200.0, (n, 1))
    q = np.sort(centre + spread * rng.standard_normal((n, LEVELS.size)), axis=1)
    ties = rng.random(n) < 1 / 3
    q[ties] = np.sort(rng.poisson(5.0, (int(ties.sum()), LEVELS.size)), axis=1)
    low, high = q[:, 0], q[:, -1]
    gap = rng.exponential(50.0, n)
    kind = rng.integers(0, 4, n)
    y = np.select(
        [kind == 0, kind == 1, kind == 2],
        [low + rng.random(n) * (high - low), low - gap, high + gap],
        default=q[
            np.arange(n), rng.integers(0, LEVELS.size, n)
        ],  # a tie with a quantile
    )
    return q, y


def pinball(q: np.ndarray, y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The quantile (pinball) loss of each quantile at its level, shape ``q.shape``."""
    d = y[..., None] - q
    return np.maximum(levels * d, (levels - 1) * d)


def test_hand_computed_small_level_set() -> None:
    # Quantiles 2, 4, 5, 7, 10 at levels 0.1, 0.25, 0.5, 0.75, 0.9: intervals [2, 10]
    # (alpha 0.2, weight 0.1) and [4, 7] (alpha 0.5, weight 0.25), median 5; K + 1/2 = 2.5.
    # dispersion = (0.1 * 8 + 0.25 * 3) / 2.5 = 1.55 / 2.5 = 0.62 whatever y is.
    # y = 3:  over = ((4 - 3) [below 4] + 0.5 * (5 - 3) [median]) / 2.5 = 2 / 2.5 = 0.8
    #         WIS = 0.62 + 0.8 = 1.42
    # y = 11: under = ((11 - 10) + (11 - 7) + 0.5 * (11 - 5)) / 2.5 = 8 / 2.5 = 3.2
    #         WIS = 0.62 + 3.2 = 3.82
    # y = 5:  inside every interval, on the median: WIS = dispersion = 0.62
    parts = interval_parts([2.0, 4.0, 5.0, 7.0, 10.0], [3.0, 11.0, 5.0], SMALL)
    assert parts.dispersion == pytest.approx([0.62, 0.62, 0.62])
    assert parts.overprediction == pytest.approx([0.8, 0.0, 0.0])
    assert parts.underprediction == pytest.approx([0.0, 3.2, 0.0])
    assert parts.wis == pytest.approx([1.42, 3.82, 0.62])


def test_hand_computed_hub_levels() -> None:
    # Quantile i (i = 0 ... 22) at the hubs' 23 levels is i: median 11, and the interval
    # of alpha_k runs from k to 22 - k (width 22 - 2k), weight LEVELS[k]. y = 30 lies
    # above all: each interval adds y - (22 - k) = 8 + k, the median 0.5 * (30 - 11).
    q = np.arange(23.0)
    w = LEVELS[:11]
    k = np.arange(11)
    dispersion = (w * (22 - 2 * k)).sum() / 11.5
    under = ((8 + k).sum() + 0.5 * 19) / 11.5  # (8 + ... + 18 = 143) + 9.5 = 152.5
    parts = interval_parts(q, 30.0)
    assert (
        float(parts.underprediction)
        == pytest.approx(under)
        == pytest.approx(152.5 / 11.5)
    )
    assert float(parts.dispersion) == pytest.approx(dispersion)
    assert float(parts.overprediction) == 0.0
    assert float(parts.wis) == pytest.approx(dispersion + under)


def test_wis_equals_scoringrules() -> None:
    q, y = random_forecasts()
    alpha = 2 * LEVELS[:MEDIAN]  # 0.02, 0.05, 0.1, ..., 0.9
    lower, upper = q[:, :MEDIAN], q[:, ::-1][:, :MEDIAN]
    median = q[:, MEDIAN]
    # The hubs' weights, w_0 = 1/2 and w_k = alpha_k / 2, normalised by K + 1/2 (which
    # scoringrules always does), passed explicitly: scoringrules 0.10's docstring says its
    # default w_k is 2 / alpha (its code uses alpha / 2). Its numpy backend (used without
    # numba) adds w_median * median in place of w_median * |y - median|, so the intervals
    # come from weighted_interval_score with w_median = 0, and the median's term from
    # interval_score on the one-point interval [m, m] at alpha = 1 (IS = 2|y - m|, so a
    # quarter of it is |y - m| / 2), normalised as scoringrules normalises the rest.
    intervals = sr.weighted_interval_score(
        y, median, lower, upper, alpha, w_median=0.0, w_alpha=alpha / 2, backend="numpy"
    )
    median_term = 0.25 * sr.interval_score(y, median, median, 1.0, backend="numpy")
    expected = intervals + median_term / (MEDIAN + 0.5)
    assert interval_parts(q, y).wis == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_wis_is_twice_the_mean_pinball_loss() -> None:
    q, y = random_forecasts(seed=7)
    expected = 2 * pinball(q, y, LEVELS).mean(axis=-1)
    assert interval_parts(q, y).wis == pytest.approx(expected, rel=1e-12, abs=1e-9)
    small = np.sort(q[:, [0, 5, MEDIAN, 17, 22]], axis=1)
    levels = np.array(SMALL)
    expected_small = 2 * pinball(small, y, levels).mean(axis=-1)
    assert interval_parts(small, y, levels).wis == pytest.approx(expected_small)


def test_parts_sum_to_the_wis_and_split_by_side() -> None:
    q, y = random_forecasts(seed=11)
    parts = interval_parts(q, y)
    total = parts.dispersion + parts.overprediction + parts.underprediction
    assert parts.wis == pytest.approx(total, rel=1e-12)
    assert (parts.dispersion >= 0).all()
    # Below the median only overprediction, above it only underprediction.
    assert (parts.underprediction[y < q[:, MEDIAN]] == 0).all()
    assert (parts.overprediction[y > q[:, MEDIAN]] == 0).all()
    # Inside every interval (from the 0.45 to the 0.55 quantile) only the median's term
    # is left: |y - m| / 2 / (K + 1/2).
    inside = (q[:, MEDIAN - 1] <= y) & (y <= q[:, MEDIAN + 1])
    assert inside.sum() > 10
    outside = parts.overprediction + parts.underprediction
    median_term = 0.5 * np.abs(y - q[:, MEDIAN]) / (MEDIAN + 0.5)
    assert outside[inside] == pytest.approx(median_term[inside])


def test_broadcasting_keeps_the_leading_shape() -> None:
    q, y = random_forecasts(n=12, seed=3)
    flat = interval_parts(q, y).wis
    assert interval_parts(q.reshape(3, 4, 23), y.reshape(3, 4)).wis == pytest.approx(
        flat.reshape(3, 4)
    )


def test_perfect_point_forecast_scores_zero() -> None:
    y = np.array([0.0, 3.0, 1234.5])
    q = np.repeat(y[:, None], 23, axis=1)
    parts = interval_parts(q, y)
    for values in (
        parts.wis,
        parts.dispersion,
        parts.overprediction,
        parts.underprediction,
    ):
        assert (values == 0).all()


def test_missing_observation_gives_nan() -> None:
    q = np.arange(23.0)
    parts = interval_parts(np.stack([q, q]), [np.nan, 5.0])
    for values in (
        parts.wis,
        parts.dispersion,
        parts.overprediction,
        parts.underprediction,
    ):
        assert np.isnan(values[0]) and np.isfinite(values[1])
    assert np.isnan(absolute_error(q[MEDIAN], np.nan))


@pytest.mark.parametrize(
    ("levels", "problem"),
    [
        ([0.1, 0.5, 0.8], "not symmetric"),
        ([0.1, 0.25, 0.75, 0.9], "without the median"),
        ([0.25, 0.5, 0.75, 0.9, 0.1], "not strictly increasing"),
        ([0.0, 0.5, 1.0], "between 0 and 1"),
    ],
)
def test_levels_must_be_symmetric_with_a_median(
    levels: list[float], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        interval_parts(np.zeros(len(levels)), 0.0, levels)


def test_the_hub_levels_are_checked_once_and_other_arrays_each_time() -> None:
    """The hubs' levels are the checked, read-only copy; an equal array of one's own is
    checked as given (a bad one refused), and the scores are the same either way."""
    from epicurves.forecast.scoring import _check_levels

    checked = _check_levels(LEVELS)
    assert checked.tolist() == LEVELS.tolist() and not checked.flags.writeable
    assert _check_levels(LEVELS.copy()) is not checked
    bad = LEVELS.copy()
    bad[0] = 0.02  # no longer pairs with 0.99
    with pytest.raises(ValueError, match="not symmetric"):
        interval_parts(np.zeros(23), 0.0, bad)
    q = np.linspace(80.0, 120.0, 23)
    assert interval_parts(q, 130.0).wis == interval_parts(q, 130.0, LEVELS.copy()).wis


def test_quantiles_must_match_the_levels() -> None:
    with pytest.raises(ValueError, match=r"expected \(\.\.\., 23\)"):
        interval_parts(np.zeros(22), 0.0)
    with pytest.raises(ValueError, match="do not match"):
        interval_parts(np.zeros((3, 23)), np.zeros(2))


def test_coverage_bounds_are_inclusive() -> None:
    q = np.arange(23.0)  # 0.025 at 1, 0.25 at 6, 0.75 at 16, 0.975 at 21
    y = np.array([6.0, 16.0, 5.999, 16.001, 1.0, 21.0, 0.5, 21.5, np.nan])
    assert covered(q, y, 0.5).tolist()[:4] == [1.0, 1.0, 0.0, 0.0]
    assert covered(q, y, 0.95).tolist()[4:8] == [1.0, 1.0, 0.0, 0.0]
    assert np.isnan(covered(q, y, 0.95)[-1])  # a missing outcome is neither in nor out
    with pytest.raises(ValueError, match=r"needs the level 0\.075"):
        covered(q, y, 0.85)


def test_absolute_error() -> None:
    assert absolute_error([10.0, 10.0], [7.0, 12.5]).tolist() == [3.0, 2.5]


def hub_frame(
    model: str, region: str, reference_date: str, horizon: int, values: np.ndarray
) -> pd.DataFrame:
    """One forecast in the hubs' long format, with the ``output_type`` column and levels
    as text, as hub CSV files hold them."""
    end = pd.Timestamp(reference_date) + pd.Timedelta(days=7 * horizon)
    return pd.DataFrame(
        {
            "model": model,
            "reference_date": reference_date,
            "target": "wk inc covid hosp",
            "horizon": horizon,
            "region_id": region,
            "target_end_date": f"{end:%Y-%m-%d}",
            "output_type": "quantile",
            "output_type_id": [f"{level:g}" for level in LEVELS],
            "value": values,
        }
    )


TRUTH = pd.DataFrame(
    {
        "region_id": ["US", "US", "DE"],
        "target": "wk inc covid hosp",
        "target_end_date": pd.to_datetime(["2025-07-05", "2025-07-12", "2025-07-05"]),
        "observed": [100.0, 40.0, np.nan],
    }
)


def test_score_one_row_per_forecast_with_an_outcome() -> None:
    q = np.linspace(50.0, 150.0, 23)
    forecasts = pd.concat(
        [
            hub_frame("m", "US", "2025-07-05", 1, q),  # ends 2025-07-12: observed 40
            hub_frame("m", "US", "2025-07-05", 0, q + 20),  # ends 2025-07-05: 100
            hub_frame("m", "US", "2025-07-05", 2, q),  # no outcome yet: left out
            hub_frame("m", "DE", "2025-07-05", 0, q),  # outcome NaN: left out
            pd.DataFrame(  # another output type is ignored
                {
                    "model": "m",
                    "reference_date": "2025-07-05",
                    "target": "x",
                    "horizon": 0,
                    "region_id": "US",
                    "target_end_date": "2025-07-05",
                    "output_type": "pmf",
                    "output_type_id": ["large_increase"],
                    "value": [0.2],
                }
            ),
        ]
    ).sample(frac=1.0, random_state=1)  # rows in any order
    scores = score(forecasts, TRUTH)
    assert list(scores.columns) == [
        "model", "region_id", "target", "reference_date", "horizon", "target_end_date",
        *SCORE_COLUMNS,
    ]  # fmt: skip
    assert scores["horizon"].tolist() == [0, 1]
    assert scores["observed"].tolist() == [100.0, 40.0]
    assert scores["target_end_date"].tolist() == list(
        pd.to_datetime(["2025-07-05", "2025-07-12"])
    )
    expected = interval_parts(np.stack([q + 20, q]), [100.0, 40.0])
    assert scores["wis"].to_numpy() == pytest.approx(expected.wis)
    assert scores["overprediction"].to_numpy() == pytest.approx(expected.overprediction)
    assert scores["ae_median"].tolist() == [20.0, 60.0]
    assert scores["covered_50"].tolist() == [True, False]
    assert scores["covered_95"].tolist() == [True, False]


def test_score_keeps_extra_key_columns() -> None:
    q = np.linspace(50.0, 150.0, 23)
    forecasts = pd.concat(
        [
            hub_frame("m", "US", "2025-07-05", 0, q).assign(run=run, value=q + shift)
            for run, shift in (("a", 0.0), ("b", 10.0))
        ]
    )
    scores = score(forecasts, TRUTH)
    assert scores["run"].tolist() == ["a", "b"]
    assert "output_type" not in scores.columns
    assert scores["ae_median"].tolist() == [0.0, 10.0]


def test_score_names_a_forecast_missing_a_level() -> None:
    q = np.linspace(50.0, 150.0, 23)
    broken = hub_frame("m", "US", "2025-07-05", 1, q).drop(index=4)
    forecasts = pd.concat([hub_frame("m", "US", "2025-07-05", 0, q), broken])
    with pytest.raises(
        ValueError, match=r"horizon=1.*no finite value at the levels \[0.15\]"
    ):
        score(forecasts, TRUTH)
    twice = pd.concat([hub_frame("m", "US", "2025-07-05", 0, q)] * 2)
    with pytest.raises(
        ValueError, match=r"model='m'.*more than one value at the levels"
    ):
        score(twice, TRUTH)
    odd = hub_frame("m", "US", "2025-07-05", 0, q).assign(output_type_id="0.33")
    with pytest.raises(
        ValueError, match=r"output_type_id '0\.33' is not one of the 23"
    ):
        score(odd, TRUTH)


def scores_of(model: str, dates: list[str], wis: list[float]) -> pd.DataFrame:
    """A :func:`score`-shaped table of one model's forecasts at horizon 0 in the US."""
    return pd.DataFrame(
        {
            "model": model,
            "region_id": "US",
            "target": "wk inc covid hosp",
            "reference_date": pd.to_datetime(dates),
            "horizon": 0,
            "target_end_date": pd.to_datetime(dates),
            "observed": 1.0,
            "wis": wis,
            "dispersion": 0.0,
            "overprediction": 0.0,
            "underprediction": wis,
            "ae_median": [2 * w for w in wis],
            "covered_50": [True, False, True][: len(dates)],
            "covered_95": True,
        }
    )


def test_relative_wis_on_the_common_forecasts_only() -> None:
    scores = pd.concat(
        [
            scores_of("baseline", ["2025-07-05", "2025-07-12"], [4.0, 6.0]),
            # The third forecast (the baseline has none that week) is not counted.
            scores_of(
                "m", ["2025-07-05", "2025-07-12", "2025-07-19"], [1.0, 4.0, 100.0]
            ),
        ]
    )
    table = relative_wis(scores)
    assert list(table.columns[:3]) == ["target", "horizon", "model"]
    table = table.set_index("model")
    assert table.loc["m", "n"] == 2
    assert table.loc["m", "wis"] == pytest.approx(2.5)
    assert table.loc["m", "baseline_wis"] == pytest.approx(5.0)
    assert table.loc["m", "relative_wis"] == pytest.approx(5.0 / 10.0)
    assert table.loc["m", "ae_median"] == pytest.approx(5.0)
    assert table.loc["m", "coverage_50"] == pytest.approx(0.5)
    assert table.loc["baseline", "relative_wis"] == 1.0
    assert table.loc["baseline", "n"] == 2


def test_relative_wis_needs_the_baseline() -> None:
    with pytest.raises(ValueError, match="no forecasts of the baseline 'baseline'"):
        relative_wis(scores_of("m", ["2025-07-05"], [1.0]))


def test_relative_wis_names_a_forecast_scored_twice() -> None:
    """A forecast there twice would count twice: an error naming it, unless the caller
    vouches for its scores (``unique=True``, a backtest's own), when the check is skipped."""
    base = scores_of("baseline", ["2025-07-05", "2025-07-12"], [4.0, 6.0])
    twice = pd.concat([base, scores_of("m", ["2025-07-12"] * 2, [1.0, 1.0])])
    with pytest.raises(
        ValueError, match=r"scores hold a forecast twice: .*m.*2025-07-12"
    ):
        relative_wis(twice)
    once = pd.concat([base, scores_of("m", ["2025-07-12"], [1.0])])
    assert relative_wis(once, unique=True).equals(relative_wis(once))


def _random_scores(seed: int, weeks: int = 6) -> pd.DataFrame:
    """Scores of three models over regions and dates at random, the baseline missing some
    forecasts; text columns categorical with categories out of text order (as a backtest
    concatenates them), and one region a plain string column would sort elsewhere."""
    rng = np.random.default_rng(seed)
    rows = []
    for model in ("m", "baseline", "ensemble"):
        for region in ("US-TX", "DE", "US-CA", "Ö-1", "de"):
            for day in pd.date_range("2025-07-05", periods=weeks, freq="7D"):
                for horizon in range(3):
                    if model == "baseline" and rng.random() < 0.2:
                        continue
                    rows.append({
                        "model": model, "target": rng.choice(["wk inc case", "wk inc death"]),
                        "region_id": region, "reference_date": day, "horizon": horizon,
                        "target_end_date": day + pd.Timedelta(days=7 * horizon),
                        "period": rng.choice(["tuning", "evaluation"]),
                    })  # fmt: skip
    frame = pd.DataFrame(rows)
    n = len(frame)
    frame = frame.assign(
        observed=rng.random(n), wis=rng.gamma(2.0, 3.0, n), dispersion=rng.random(n),
        overprediction=rng.random(n), underprediction=rng.random(n),
        ae_median=rng.random(n), covered_50=rng.random(n) < 0.5,
        covered_95=rng.random(n) < 0.9,
    )  # fmt: skip
    for column in ("model", "target", "region_id", "period"):
        labels = sorted(frame[column].unique(), reverse=True)
        frame[column] = pd.Categorical(frame[column], categories=labels)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(5))
def test_a_backtest_s_own_summaries_equal_the_merged_ones(seed: int) -> None:
    """``unique=True`` pairs each forecast with the baseline's on integer keys, and
    :func:`records` groups categoricals in text order: the same tables, bytes and order, as
    the merge and the text columns they replace."""
    from epicurves.forecast.summary import RECORD_COLUMNS, records

    scores = _random_scores(seed)
    for by in (("target", "horizon"), ("target", "period", "horizon")):
        fast = relative_wis(scores, by=by, unique=True)
        merged = relative_wis(scores, by=by)
        pd.testing.assert_frame_equal(fast, merged, check_exact=True)
    pair = scores[scores["model"].isin(["ensemble", "baseline"])]
    pair = pair.astype(dict.fromkeys(("model", "target", "region_id"), str))
    card = relative_wis(pair, by=("target", "region_id"))
    card = card[card["model"] == "ensemble"]
    dates = (
        pair[pair["model"] == "ensemble"]
        .groupby(["target", "region_id"], sort=True)["reference_date"]
        .agg(first_reference_date="min", last_reference_date="max")
        .reset_index()
    )
    expected = card.merge(dates, on=["target", "region_id"], how="left")
    expected = expected[list(RECORD_COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(records(scores), expected, check_exact=True)


@pytest.mark.parametrize("seed", range(5))
def test_the_sums_of_each_quarter_add_up_to_the_whole_table_s(seed: int) -> None:
    """A stored backtest keeps the scorecard's and the track records' sums per quarter of
    the reference date, and adds them up: the same tables, to the last bit, as from all the
    scores at once (``epicurves scores`` computes those), whatever the quarters' order."""
    from epicurves.forecast import stored
    from epicurves.forecast.summary import (
        card_sums,
        record_sums,
        records,
        records_from,
        scorecard,
        scorecard_from,
    )  # fmt: skip

    scores = _random_scores(seed, weeks=40)  # four quarters
    keys = ["model", "target", "region_id", "reference_date", "horizon"]
    ordered = scores.sort_values(keys, kind="stable", ignore_index=True)
    parts = stored.by_quarter(ordered)
    assert len(parts) == 4
    assert sum(len(p) for p in parts.values()) == len(scores)
    numbers = list(parts)
    if seed % 2:  # the sums read back in any order: added up in the quarters' order
        numbers.reverse()
    card = scorecard_from(pd.concat([card_sums(parts[q]) for q in numbers]))
    whole = scorecard(ordered).astype(dict.fromkeys(("target", "period", "model"), str))
    pd.testing.assert_frame_equal(card, whole, check_exact=True)
    # the scores unsorted, paired by a merge: the same numbers, but for the last bits of
    # sums taken in another order
    groups = ["target", "period", "horizon", "model"]
    merged = relative_wis(scores, by=groups[:3]).astype(
        dict.fromkeys(("target", "period", "model"), str)
    )
    merged = merged.sort_values(groups, ignore_index=True)
    pd.testing.assert_frame_equal(card, merged, check_exact=False, rtol=1e-12)
    track = records_from(pd.concat([record_sums(parts[q]) for q in numbers]))
    pd.testing.assert_frame_equal(track, records(ordered), check_exact=True)
    # a quarter's sums: those of its forecasts alone
    one = score_sums(parts[numbers[0]], by=("target",), unique=True)
    assert set(one["quarter"]) == {numbers[0]}


def test_quarters_to_redo() -> None:
    from epicurves.forecast.stored import quarter_name, quarters_to_redo

    stored_ones = [quarter(pd.to_datetime([d]))[0] for d in ("2025-03-01", "2025-06-28",
                                                              "2025-09-27")]  # fmt: skip
    assert [quarter_name(q) for q in stored_ones] == ["2025q1", "2025q2", "2025q3"]
    since = np.array(["NaT", "2025-05-03", "2025-08-02"], dtype="datetime64[ns]")
    assert quarters_to_redo(stored_ones, since, gone=False) == stored_ones[1:]
    none = np.array(["NaT", "NaT"], dtype="datetime64[ns]")
    assert quarters_to_redo(stored_ones, none, gone=False) == []
    assert quarters_to_redo(stored_ones, none, gone=True) == stored_ones

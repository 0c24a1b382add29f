"""Every metric for every region at once: pure DataFrame -> DataFrame functions, no I/O.

Notation: ``N_t`` daily new count, ``S7_t = N_t + ... + N_{t-6}`` the 7-day sum ending on day t,
``P`` the population. All windows stay within one (source, region) series; a window with a
missing day, or not yet full, gives NaN. Metric names say what they are:

=============================  ==============================================================
``new_cases_7d_sum``           ``S7_t`` (also ``new_deaths_7d_sum``): "new cases last week"
``new_cases_7d_mean``          trailing 7-day mean ``S7_t / 7``: days t-6 ... t
``new_cases_7d_mean_centred``  centred 7-day mean, days t-3 ... t+3: **reads 3 days ahead**
                               (for plots; NaN on the last 3 days)
``incidence_7d``               RKI's 7-day incidence ``S7_t / P * 100 000`` (cases with
                               reporting date in the 7 days ending on day t)
``deaths_7d_per_100k``         the same for deaths
``week_change_pct``            ``(S7_t / S7_{t-7} - 1) * 100``
``growth_factor_7d``           ``S7_t / S7_{t-7}``
``growth_rate_per_day``        ``r = ln(S7_t / S7_{t-7}) / 7``
``doubling_time_days``         ``ln 2 / r``, only where ``r > 0`` and both weeks have at least
                               :data:`MIN_WEEKLY_CASES` cases
``r_rki``                      RKI's 7-day R: ``S7_{t+1} / S7_{t-3}``, **dated one day early**
                               as RKI does (so it reads 1 day ahead); NaN where the earlier
                               week has fewer than :data:`MIN_R_CASES` cases
``r_cori``, ``_lo``, ``_hi``   Cori et al. posterior mean and 95 % interval (see
                               :mod:`epicurves.analysis.cori`), ``r_cori_provisional`` for
                               the last days
``deaths_growth_factor_7d``,   the same three from daily deaths
``deaths_doubling_time_days``,
``deaths_r_rki``
``cfr_pct``                    ``deaths_t / cases_{t-14} * 100`` (cumulative, lag
                               :data:`CFR_LAG_DAYS`), only once ``cases_{t-14} >= 100``
``flags``                      ingest flags plus anomalies (:mod:`epicurves.analysis.flags`)
=============================  ==============================================================
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from ..lazy import np, pd
from ..model import OBSERVATION_COLUMNS
from .cori import CoriOptions, cori_estimates
from .flags import anomaly_flags
from .registry import METRIC_COLUMNS
from .windows import Floats, Series, series_starts, to_floats

__all__ = [
    "CFR_LAG_DAYS",
    "METRIC_COLUMNS",
    "MIN_R_CASES",
    "MIN_WEEKLY_CASES",
    "SUMMARY_FIELDS",
    "compute_metrics",
    "doubling_time",
    "growth_rate",
    "incidence_7d",
    "r_cori",
    "r_rki",
    "summarize",
    "week_change_pct",
]

#: Doubling times are given only where both weeks compared have at least this many cases.
MIN_WEEKLY_CASES = 20
#: ``r_rki`` needs at least this many cases in the earlier 7-day window.
MIN_R_CASES = 10
#: Deaths today are compared with cases this many days earlier.
CFR_LAG_DAYS = 14
#: Cases a region needs before a CFR is given (OWID's ``cfr_100_cases``).
CFR_MIN_CASES = 100


# -- the formulas, on flat arrays ------------------------------------------------------------
def _ratio(numerator: Floats, denominator: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    out[~np.isfinite(out)] = np.nan
    return out


def _week_ratio(s7: Floats, series: Series) -> Floats:
    return _ratio(s7, series.shift(s7, 7))


def _growth_rate(s7: Floats, series: Series) -> Floats:
    earlier = series.shift(s7, 7)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.log(s7 / earlier) / 7
    rate[~np.isfinite(rate) | (s7 <= 0) | (earlier <= 0)] = np.nan
    return rate


def _doubling(s7: Floats, series: Series) -> Floats:
    earlier = series.shift(s7, 7)
    rate = _growth_rate(s7, series)
    enough = (s7 >= MIN_WEEKLY_CASES) & (earlier >= MIN_WEEKLY_CASES) & (rate > 0)
    out = np.full(len(s7), np.nan)
    out[enough] = np.log(2) / rate[enough]
    return out


def _r_rki(s7: Floats, series: Series) -> Floats:
    later = series.shift(s7, -1)
    earlier = series.shift(s7, 3)
    out = _ratio(later, earlier)
    out[~(earlier >= MIN_R_CASES)] = np.nan
    return out


def _per_100k(s7: Floats, population: Floats) -> Floats:
    out = _ratio(s7 * 100_000, population)
    out[~(population > 0)] = np.nan
    return out


def _series_input(daily: pd.Series) -> tuple[Floats, Series]:
    if not isinstance(daily, pd.Series):
        msg = f"expected a date-indexed pandas.Series of daily counts, got {type(daily).__name__}"
        raise TypeError(msg)
    if len(daily) > 1:
        steps = pd.Series(pd.DatetimeIndex(daily.index)).diff().iloc[1:]
        if not steps.eq(pd.Timedelta(days=1)).all():
            msg = "the series' index must be consecutive days: reindex it (missing days as NaN)"
            raise ValueError(msg)
    return to_floats(daily.to_numpy()), Series.single(len(daily))


# -- one region: date-indexed Series in, Series out ------------------------------------------
def incidence_7d(daily: pd.Series, population: float) -> pd.Series:
    """RKI's 7-day incidence: cases in the 7 days ending on each day per 100 000 people.

    ``daily`` is a date-indexed Series of daily counts (consecutive days). The first six days
    have no full window and give NaN (RKI's files write 0 there).

    >>> days = pd.date_range("2021-03-01", periods=8)
    >>> incidence_7d(pd.Series([1, 2, 3, 4, 5, 6, 7, 8], index=days), 1000).round(1).tolist()
    [nan, nan, nan, nan, nan, nan, 2800.0, 3500.0]
    """
    values, series = _series_input(daily)
    s7 = series.rolling_sum(values, 7)
    known = population is not None and not pd.isna(population)
    pop = np.full(len(values), float(population) if known else np.nan)
    return pd.Series(_per_100k(s7, pop), index=daily.index, name="incidence_7d")


def week_change_pct(daily: pd.Series) -> pd.Series:
    """Week-on-week change of the 7-day sums, in percent: ``(S7_t / S7_{t-7} - 1) * 100``.

    Ten cases a day for a week, then fifteen: on the last day the week is up 50 %.

    >>> days = pd.date_range("2021-03-01", periods=14)
    >>> week_change_pct(pd.Series([10.0] * 7 + [15.0] * 7, index=days)).dropna().tolist()
    [50.0]
    """
    values, series = _series_input(daily)
    s7 = series.rolling_sum(values, 7)
    return pd.Series(
        (_week_ratio(s7, series) - 1) * 100, index=daily.index, name="week_change_pct"
    )


def growth_rate(daily: pd.Series) -> pd.Series:
    """Growth rate per day from 7-day sums: ``ln(S7_t / S7_{t-7}) / 7``.

    Cases doubling from one week to the next grow by ``ln 2 / 7``, 9.9 % a day:

    >>> days = pd.date_range("2021-03-01", periods=14)
    >>> growth_rate(pd.Series([10.0] * 7 + [20.0] * 7, index=days)).dropna().round(4).tolist()
    [0.099]
    """
    values, series = _series_input(daily)
    s7 = series.rolling_sum(values, 7)
    return pd.Series(
        _growth_rate(s7, series), index=daily.index, name="growth_rate_per_day"
    )


def doubling_time(daily: pd.Series) -> pd.Series:
    """Doubling time in days, ``ln 2 / r``, where ``r > 0`` and both weeks have enough cases.

    >>> days = pd.date_range("2021-03-01", periods=14)
    >>> doubling_time(pd.Series([10.0] * 7 + [20.0] * 7, index=days)).dropna().tolist()
    [7.0]
    """
    values, series = _series_input(daily)
    s7 = series.rolling_sum(values, 7)
    return pd.Series(
        _doubling(s7, series), index=daily.index, name="doubling_time_days"
    )


def r_rki(daily: pd.Series) -> pd.Series:
    """R by RKI's 7-day method: ``S7_{t+1} / S7_{t-3}``, dated as RKI publishes it.

    RKI (Epid Bull 17/2020) divides the sum of 7 days by the sum of the 7 days four days
    earlier and writes the ratio one day before the end of the later window; this reproduces
    ``PS_7_Tage_R_Wert`` of ``Nowcast_R_aktuell.csv`` from its ``PS_COVID_Faelle``. NaN where
    the earlier window has fewer than :data:`MIN_R_CASES` cases.

    Ten cases a day for a week, then twenty: on day 9 (0-based) R is the sum of days 4-10
    (110) over the sum of days 0-6 (70).

    >>> days = pd.date_range("2021-03-01", periods=14)
    >>> r_rki(pd.Series([10.0] * 7 + [20.0] * 7, index=days)).round(3).dropna().tolist()
    [1.571, 1.5, 1.444, 1.4]
    """
    values, series = _series_input(daily)
    s7 = series.rolling_sum(values, 7)
    return pd.Series(_r_rki(s7, series), index=daily.index, name="r_rki")


def r_cori(daily: pd.Series, **options: Any) -> pd.DataFrame:
    """R by Cori et al. (2013): posterior ``mean``, ``lo`` and ``hi`` (95 %) per day.

    ``options`` are the fields of :class:`~epicurves.analysis.cori.CoriOptions` (``si_mean``,
    ``si_sd``, ``window``, ``prior_mean``, ``prior_sd``, ``cv_posterior``, ``interval``,
    ``si_distribution``, ``provisional_days``); the result also has ``provisional``.

    >>> days = pd.date_range("2021-03-01", periods=30)
    >>> est = r_cori(pd.Series([100.0] * 30, index=days))
    >>> round(float(est["mean"].iloc[-1]), 2)
    1.0
    """
    values, series = _series_input(daily)
    out = cori_estimates(values, series, CoriOptions(**options))
    return pd.DataFrame(out, index=daily.index)[["mean", "lo", "hi", "provisional"]]


# -- every region at once --------------------------------------------------------------------
def compute_metrics(
    observations: pd.DataFrame,
    regions: pd.DataFrame | None = None,
    *,
    cori: CoriOptions | None = None,
) -> pd.DataFrame:
    """Add every metric column (:data:`METRIC_COLUMNS`) to tidy observations, for all regions.

    ``observations`` is what :func:`epicurves.load_observations` returns (full series: a
    window at the start of a cut-off series is incomplete). ``regions`` gives the population
    (``region_id, source, population``); without it per-capita columns are NaN. ``flags``
    gains the anomaly flags. The rows come back sorted by source, region and date.

    >>> obs = pd.DataFrame({"source": "s", "region_id": "X",
    ...     "date": pd.date_range("2021-03-01", periods=15), "cases": range(0, 150, 10),
    ...     "deaths": 0, "new_cases": [0] + [10] * 14, "new_deaths": 0, "flags": ""})
    >>> m = compute_metrics(obs, pd.DataFrame({"region_id": ["X"], "source": ["s"], "population": [1000]}))
    >>> m[["new_cases_7d_sum", "incidence_7d", "week_change_pct"]].iloc[-1].tolist()
    [70.0, 7000.0, 0.0]
    """
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        msg = f"compute_metrics: observations lack columns {missing}"
        raise ValueError(msg)
    frame, series = _in_series_order(observations)
    if regions is not None and len(frame):
        pops = regions.drop_duplicates(["region_id", "source"]).set_index(
            ["region_id", "source"]
        )
        index = pd.MultiIndex.from_arrays([frame["region_id"], frame["source"]])
        population = to_floats(pops["population"].reindex(index).to_numpy())
    else:
        population = np.full(len(frame), np.nan)

    out: dict[str, Any] = {}
    for kind in ("cases", "deaths"):
        daily = to_floats(frame[f"new_{kind}"])
        s7 = series.rolling_sum(daily, 7)
        out[f"new_{kind}_7d_sum"] = s7
        out[f"new_{kind}_7d_mean"] = s7 / 7
        out[f"new_{kind}_7d_mean_centred"] = series.shift(s7 / 7, -3)
        if kind == "cases":
            cases_s7, cases_daily = s7, daily
        else:
            out["deaths_7d_per_100k"] = _per_100k(s7, population)
            out["deaths_growth_factor_7d"] = _week_ratio(s7, series)
            out["deaths_doubling_time_days"] = _doubling(s7, series)
            out["deaths_r_rki"] = _r_rki(s7, series)
    out["incidence_7d"] = _per_100k(cases_s7, population)
    ratio = _week_ratio(cases_s7, series)
    out["week_change_pct"] = (ratio - 1) * 100
    out["growth_factor_7d"] = ratio
    out["growth_rate_per_day"] = _growth_rate(cases_s7, series)
    out["doubling_time_days"] = _doubling(cases_s7, series)
    out["r_rki"] = _r_rki(cases_s7, series)
    estimate = cori_estimates(cases_daily, series, cori or CoriOptions())
    out["r_cori"] = estimate["mean"]
    out["r_cori_lo"] = estimate["lo"]
    out["r_cori_hi"] = estimate["hi"]
    out["r_cori_provisional"] = estimate["provisional"]
    lagged_cases = series.shift(to_floats(frame["cases"]), CFR_LAG_DAYS)
    cfr = _ratio(to_floats(frame["deaths"]) * 100, lagged_cases)
    cfr[~(lagged_cases >= CFR_MIN_CASES)] = np.nan
    out["cfr_pct"] = cfr
    # the arrays as they are (no copy into one block): the frame only reads them
    added = pd.DataFrame(
        {c: out[c] for c in METRIC_COLUMNS}, index=frame.index, copy=False
    )
    result = pd.concat([frame, added], axis=1)  # one copy, not one per column
    result["flags"] = anomaly_flags(result, series)
    return result


def _in_series_order(observations: pd.DataFrame) -> tuple[pd.DataFrame, Series]:
    """The rows sorted by source, region and date (one row per day), and where each series
    starts. Sorted only when needed: the store's order is already this one."""
    frame = observations.reset_index(drop=True)
    for attempt in range(2):
        # Codes, not text, to find where a series starts: a few milliseconds, not tens.
        source = pd.factorize(frame["source"])[0]
        region = pd.factorize(frame["region_id"])[0]
        new = np.ones(len(frame), dtype=bool)
        new[1:] = (source[1:] != source[:-1]) | (region[1:] != region[:-1])
        dates = frame["date"].to_numpy()
        same = ~new[1:]
        steps = dates[1:][same] - dates[:-1][same]
        # Already in (source, region, date) order, as the store gives it? Then no sort.
        first = np.flatnonzero(new)
        starts = list(
            zip(
                frame["source"].iloc[first].astype(str),
                frame["region_id"].iloc[first].astype(str),
                strict=True,
            )
        )
        in_order = all(a < b for a, b in itertools.pairwise(starts))
        if in_order and np.all(steps > np.timedelta64(0, "D")):
            if not np.all(steps == np.timedelta64(1, "D")):
                msg = (
                    "compute_metrics: a series skips days; metrics need one row per day "
                    "and region (reindex missing days with <NA> counts)"
                )
                raise ValueError(msg)
            return frame, Series.from_keys(np.cumsum(new))
        if attempt == 0:
            frame = frame.sort_values(["source", "region_id", "date"], kind="stable")
            frame = frame.reset_index(drop=True)
    msg = "compute_metrics: duplicate (source, region_id, date) rows"
    raise ValueError(msg)


#: The latest R of a region is given only if it is at most this many days older than its data.
R_MAX_AGE_DAYS = 14

#: Week-on-week change (%) beyond which the trend is "rising" or "falling".
TREND_THRESHOLD_PCT = 10.0


def summarize(
    metrics: pd.DataFrame, regions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per (source, region): totals, last week, incidence, trend and R on its last day.

    ``metrics`` is what :func:`compute_metrics` returns; ``regions`` adds name, kind, parent
    and population. ``trend`` is ``rising``/``falling`` when cases changed by more than
    :data:`TREND_THRESHOLD_PCT` % week on week, else ``stable`` (empty when unknown). ``r_rki``
    and ``r_cori`` are the latest values available (R lags a few days behind the data), with
    their dates, if at most :data:`R_MAX_AGE_DAYS` days older than the region's last data.

    >>> metrics = compute_metrics(load_observations(["DE", "US"]), load_regions())
    >>> summarize(metrics, load_regions())[["region_id", "source", "total_cases", "incidence_7d"]]
      region_id source  total_cases  incidence_7d
    0        US    jhu      1110000     21.246484
    1        DE    rki       210000     82.978851
    """
    if metrics.empty:
        return pd.DataFrame(columns=list(SUMMARY_FIELDS))
    keys = ["source", "region_id"]
    used = [*keys, "date", "cases", "deaths", *_SUMMARY_INPUTS]
    ordered, starts = _by_series(metrics[used])
    ends = np.append(starts[1:], len(ordered)) if len(starts) else starts
    last = ordered.iloc[ends - 1].set_index(keys)
    summary = pd.DataFrame(index=last.index)
    summary["last_date"] = last["date"]
    summary["total_cases"] = last["cases"]
    summary["total_deaths"] = last["deaths"]
    summary["new_cases_last_week"] = last["new_cases_7d_sum"]
    summary["new_deaths_last_week"] = last["new_deaths_7d_sum"]
    summary["incidence_7d"] = last["incidence_7d"]
    summary["week_change_pct"] = last["week_change_pct"]
    change = last["week_change_pct"].round(
        9
    )  # +10.000000000000009 % is +10 %, not more
    trend = np.where(
        change > TREND_THRESHOLD_PCT,
        "rising",
        np.where(change < -TREND_THRESHOLD_PCT, "falling", "stable"),
    )
    summary["trend"] = pd.array(np.where(change.isna(), "", trend), dtype="string")
    summary["doubling_time_days"] = last["doubling_time_days"]
    # R lags the data by a few days, so the latest value is the last one there is; one
    # older than R_MAX_AGE_DAYS before the last data says nothing about now, and is left out.
    oldest = summary["last_date"] - pd.Timedelta(days=R_MAX_AGE_DAYS)

    def latest(column: str, where: np.ndarray) -> pd.Series:
        """Each series' last value of ``column`` in a row ``where`` it has one."""
        return _last_of(ordered[column], where, starts, ends, summary.index)

    for column, columns in (
        ("r_rki", ("r_rki",)),
        ("r_cori", ("r_cori", "r_cori_lo", "r_cori_hi")),
    ):
        known = ordered[column].notna().to_numpy()
        dates = latest("date", known)
        recent = dates >= oldest
        summary[f"{column}_date"] = dates.where(recent)
        for name in columns:
            summary[name] = latest(name, known).where(recent)
    summary["cfr_pct"] = latest("cfr_pct", np.ones(len(ordered), dtype=bool))
    summary = summary.reset_index()
    if regions is not None:
        info = regions[["region_id", "source", "name", "kind", "parent", "population"]]
        summary = summary.merge(info, on=["region_id", "source"], how="left")
    else:
        for column in ("name", "kind", "parent", "population"):
            summary[column] = pd.NA
    return summary[list(SUMMARY_FIELDS)]


def _by_series(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows sorted by source, region and date (stably; rows already in that order, as
    :func:`compute_metrics` returns them, are not sorted again), without rows missing their
    source or region (as a groupby leaves them out), and where each series starts."""
    starts, _, ordered = series_starts(frame)
    if ordered:
        return frame, starts
    frame = frame.loc[frame["source"].notna() & frame["region_id"].notna()]
    frame = frame.sort_values(["source", "region_id", "date"], kind="stable")
    starts, _, _ = series_starts(frame)
    return frame, starts


def _last_of(
    values: pd.Series,
    where: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    index: pd.Index,
) -> pd.Series:
    """Each series' last value among the rows ``where`` is true and ``values`` is not
    missing (missing if none): ``groupby(...).last()`` of those rows, by position."""
    rows = np.where(where & values.notna().to_numpy(), np.arange(len(values)), -1)
    found = np.maximum.accumulate(rows)[ends - 1] if len(rows) else rows
    has = found >= starts
    picked = values.iloc[np.where(has, found, 0)].set_axis(index)
    return picked.where(pd.Series(has, index=index))


#: The metric columns :func:`summarize` reads.
_SUMMARY_INPUTS = (
    "new_cases_7d_sum", "new_deaths_7d_sum", "incidence_7d", "week_change_pct",
    "doubling_time_days", "r_rki", "r_cori", "r_cori_lo", "r_cori_hi", "cfr_pct",
)  # fmt: skip

#: The columns of :func:`summarize`, in order.
SUMMARY_FIELDS: Sequence[str] = (
    "region_id", "name", "kind", "parent", "source", "population", "last_date", "total_cases",
    "total_deaths", "new_cases_last_week", "new_deaths_last_week", "incidence_7d",
    "week_change_pct", "trend", "doubling_time_days", "r_rki", "r_rki_date", "r_cori",
    "r_cori_lo", "r_cori_hi", "r_cori_date", "cfr_pct",
)  # fmt: skip

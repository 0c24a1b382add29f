"""Surveillance signals: week-on-week change and a trend class for every signal, vectorised.

A signal's series is one (region, signal, pathogen, age group, estimate) of the tidy signals
table (:data:`epicurves.model.SIGNAL_COLUMNS`). For every value:

``previous``         the value 7 days earlier in the same series (a week before, for weekly
                     signals; the 7-day window before, for daily 7-day sums); missing if the
                     series has no value on that day
``week_change_pct``  ``(value / previous - 1) * 100``; missing where ``previous`` is missing
                     or 0
``trend``            ``rising`` if ``week_change_pct`` > :data:`TREND_THRESHOLD_PCT`,
                     ``falling`` if it is < -:data:`TREND_THRESHOLD_PCT`, else ``stable``;
                     with ``previous == 0``: ``rising`` if the value is above 0, else
                     ``stable``; empty where ``previous`` is missing, and for counts of
                     people (:data:`COUNT_UNITS`: weekly deaths, 7-day hospitalisations)
                     where both weeks are below :data:`MIN_TREND_COUNT` (2 deaths after 1
                     is no trend)

A rate whose counts are in the table as the signal ``<name>-cases`` (the hospitalisation
incidence and the persons behind it) takes its change and trend from those counts: its
published values are rounded (0.03 to 0.05 per 100,000 is +67 %, the 25 to 39 persons behind
it +56 %), and the rule on few counts applies to it too. ``previous`` stays the rate's own.

The rule is the one the case tables use (:func:`epicurves.summarize`, 10 %). Which estimate is
judged, where a signal has several (:data:`JUDGED`): RKI's smoothed wastewater curve (RKI judges
wastewater trends on it: single weeks are noisy), the nowcast of the hospitalisation incidence
(the estimate of the final value; the fixed and updated values of recent days are still
incomplete), and otherwise the values as measured or as updated. Recent values of every signal
still change with late reports, so the trend of the last week is provisional.

Pure functions of the table; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lazy import np, pd
from .metrics import TREND_THRESHOLD_PCT

__all__ = [
    "COUNT_UNITS",
    "JUDGED",
    "MIN_TREND_COUNT",
    "SIGNAL_TREND_COLUMNS",
    "incidence_per_100k",
    "signal_changes",
    "signal_trends",
]

#: Units of signals that count people: their trend needs :data:`MIN_TREND_COUNT` in one week.
COUNT_UNITS: frozenset[str] = frozenset({"deaths per week", "persons in 7 days"})
#: The smallest count (in the week or the week before) a trend of a count is judged from, as
#: the doubling time needs 20 cases in both weeks (:mod:`epicurves.analysis.metrics`).
MIN_TREND_COUNT = 20
#: Which estimate a signal's trend is judged on, in order of preference.
JUDGED: tuple[str, ...] = (
    "smoothed", "nowcast", "updated", "measured", "normalised", "fixed",
)  # fmt: skip
#: The series of a signal: one value per date in each.
SERIES_KEY: tuple[str, ...] = (
    "region_id",
    "signal",
    "pathogen",
    "age_group",
    "estimate",
)
#: The columns of :func:`signal_trends`.
SIGNAL_TREND_COLUMNS: tuple[str, ...] = (
    "region_id", "signal", "pathogen", "age_group", "estimate", "resolution", "unit",
    "source", "date", "value", "lo", "hi", "previous_date", "previous", "week_change_pct",
    "trend",
)  # fmt: skip


def incidence_per_100k(
    cases: pd.Series | np.ndarray | Sequence[float],
    population: pd.Series | np.ndarray | Sequence[float],
    decimals: int | None = 2,
) -> np.ndarray:
    """Cases per 100,000 people, rounded half away from zero to ``decimals`` as RKI publishes
    its incidences (``None``: not rounded); missing where cases or population are missing or
    population is not positive.

    >>> incidence_per_100k([25, 1], [84_358_845, 200_000]).tolist()
    [0.03, 0.5]
    >>> incidence_per_100k([5], [3], decimals=None).round(3).tolist()
    [166666.667]
    """
    c = np.asarray(pd.to_numeric(pd.Series(cases), errors="coerce"), dtype="float64")
    p = np.asarray(
        pd.to_numeric(pd.Series(population), errors="coerce"), dtype="float64"
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(p > 0, c / p * 100_000, np.nan)
    if decimals is None:
        return value
    scale = 10.0**decimals
    # half away from zero, with a nudge for values like 2.675 stored as 2.67499999...
    return np.sign(value) * np.floor(np.abs(value) * scale + 0.5 + 1e-9) / scale


def _trend(value: np.ndarray, previous: np.ndarray, change: np.ndarray) -> np.ndarray:
    """The trend class of each value (see the module's rule)."""
    known = ~np.isnan(previous)
    from_zero = known & (previous == 0)
    out = np.where(
        change > TREND_THRESHOLD_PCT,
        "rising",
        np.where(change < -TREND_THRESHOLD_PCT, "falling", "stable"),
    )
    out = np.where(from_zero, np.where(value > 0, "rising", "stable"), out)
    return np.where(known, out, "")


def signal_changes(signals: pd.DataFrame) -> pd.DataFrame:
    """``signals`` (the tidy table, or :func:`epicurves.load_signals`) with ``previous``,
    ``week_change_pct`` and ``trend`` added to every row (see the module's rules). The rules
    for counts of people need the ``unit`` column (both tables have it); a series is one
    source's, where the frame has ``source``. One value per series and date, else a
    ``ValueError``.

    >>> f = pd.DataFrame({"region_id": "DE", "signal": "sari", "pathogen": "SARS-CoV-2",
    ...     "age_group": "00+", "estimate": "measured", "value": [2.0, 3.0, 3.1],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"])})
    >>> signal_changes(f)[["previous", "week_change_pct", "trend"]].values.tolist()
    [[nan, nan, ''], [2.0, 50.0, 'rising'], [3.0, 3.33..., 'stable']]
    """
    out = signals.reset_index(drop=True)
    if out.empty:
        return out.assign(
            previous=pd.Series(dtype="float64"),
            week_change_pct=pd.Series(dtype="float64"),
            trend=pd.Series(dtype="string"),
        )
    key = [*SERIES_KEY, *(["source"] if "source" in out.columns else [])]
    twice = out.duplicated([*key, "date"])
    if twice.any():
        row = out.loc[twice].iloc[0]
        msg = (
            f"signal {row['signal']} of {row['region_id']} has two values on "
            f"{pd.Timestamp(row['date']).date()}: expected one per series and date"
        )
        raise ValueError(msg)
    earlier = out[[*key, "date", "value"]].copy()
    earlier["date"] = earlier["date"] + pd.Timedelta(days=7)
    earlier = earlier.rename(columns={"value": "previous"})
    merged = out[[*key, "date"]].merge(earlier, on=[*key, "date"], how="left")
    previous = merged["previous"].to_numpy(dtype="float64")
    value = out["value"].to_numpy(dtype="float64")
    # the level and change the trend is judged on: the counts behind a rate, where given
    level, before = value.copy(), previous.copy()
    persons = np.zeros(len(out), dtype=bool)
    if "unit" in out.columns:
        persons = out["unit"].isin(COUNT_UNITS).to_numpy(dtype=bool)
        counts = _counts_behind(out, key, value, previous, persons)
        if counts is not None:
            behind = ~np.isnan(counts[0])
            level = np.where(behind, counts[0], level)
            before = np.where(behind, counts[1], before)
            persons = persons | behind
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(before > 0, (level / before - 1) * 100, np.nan)
        few = persons & (np.fmax(level, before) < MIN_TREND_COUNT)
    out["previous"] = previous
    out["week_change_pct"] = change
    trend = _trend(level, before, change)
    out["trend"] = pd.array(np.where(few, "", trend), dtype="string")
    return out


def _counts_behind(
    out: pd.DataFrame,
    key: list[str],
    value: np.ndarray,
    previous: np.ndarray,
    persons: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """For each row of a rate whose counts are in the table as ``<signal>-cases`` (same
    region, pathogen, age group, estimate and date): those counts, this week and a week
    before (NaN for other rows); ``None`` if the table has no such counts."""
    signal = out["signal"].astype(str)
    cases = persons & signal.str.endswith("-cases").to_numpy(dtype=bool)
    if not cases.any():
        return None
    behind = out.loc[cases, [*key, "date"]].assign(
        signal=signal[cases].str.removesuffix("-cases").to_numpy(),
        _n=value[cases],
        _n_before=previous[cases],
    )
    behind = behind.astype({"signal": out["signal"].dtype})
    matched = out[[*key, "date"]].merge(behind, on=[*key, "date"], how="left")
    return (
        matched["_n"].to_numpy(dtype="float64"),
        matched["_n_before"].to_numpy(dtype="float64"),
    )


def signal_trends(signals: pd.DataFrame) -> pd.DataFrame:
    """The latest value of each signal with its week-on-week change and trend: one row per
    (region, signal, pathogen, age group), of the estimate the trend is judged on
    (:data:`JUDGED`), with the columns :data:`SIGNAL_TREND_COLUMNS` (those ``signals`` has).

    ``date`` is the series' last date with a value and ``previous_date`` the date 7 days
    before it. Sorted by region, signal, pathogen and age group.

    >>> trends = signal_trends(load_signals(["DE"], ["wastewater"]))
    >>> trends[["pathogen", "estimate", "date", "previous", "value", "trend"]]
          pathogen  estimate       date       previous          value    trend
    0  Influenza A  smoothed 2021-03-10    2436.400085    2112.079854  falling
    1      RSV A/B  smoothed 2021-03-10    5001.000000    5800.500000   rising
    2   SARS-CoV-2  smoothed 2021-03-10  105000.000000  118000.000000   rising
    """
    if signals.empty:
        columns = [c for c in SIGNAL_TREND_COLUMNS if c in signals.columns]
        extra = ["previous_date", "previous", "week_change_pct", "trend"]
        return signals.reindex(columns=list(dict.fromkeys([*columns, *extra])))
    rank = {e: i for i, e in enumerate(JUDGED)}
    frame = signals.assign(
        _rank=signals["estimate"].astype(str).map(rank).fillna(len(JUDGED))
    )
    group = ["region_id", "signal", "pathogen", "age_group"]
    if "source" in signals.columns:
        group.append("source")
    best = frame.groupby(group, observed=True, sort=False)["_rank"].transform("min")
    judged = frame.loc[frame["_rank"] == best].drop(columns="_rank")
    changes = signal_changes(judged)
    latest = changes.sort_values([*group, "date"], kind="stable").drop_duplicates(
        group, keep="last"
    )
    latest = latest.assign(previous_date=latest["date"] - pd.Timedelta(days=7))
    columns = [c for c in SIGNAL_TREND_COLUMNS if c in latest.columns]
    return latest[columns].reset_index(drop=True)

"""The rules the tidy tables obey (:mod:`epicurves.model`), checked before anything is stored: each break is one :class:`~epicurves.ValidationError` naming source, region, date and column.

Observations: one row per region and day, counts whole and not negative, dates not in the
future; regions: safe ids, one row each, exactly the regions observed; signals: declared names,
pathogens, estimates and units, one value per key (and release), values finite and not negative,
releases after the days they give and not in the future.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import ValidationError
from .lazy import np, pd
from .model import (
    KINDS,
    OBSERVATION_COLUMNS,
    REGION_COLUMNS,
    REGION_ID,
    SIGNAL_COLUMNS,
    SIGNAL_KEY,
    Signal,
    check_columns,
    ranks,
    sort_order,
)

__all__ = ["validate_observations", "validate_regions", "validate_signals"]


def _row_error(
    message: str, source: str, row: pd.Series, column: str | None = None
) -> ValidationError:
    """The error for one row of a tidy table: its region and date (where it has them)."""
    date = row.get("date")
    return ValidationError(
        message,
        source=source,
        region_id=str(row["region_id"]),
        date=None if date is None or pd.isna(date) else str(date.date()),
        column=column,
    )


def validate_observations(frame: pd.DataFrame, source: str) -> None:
    """Check the rules of the observations table; raise :class:`ValidationError` on the first break.

    Rules: every column present with its dtype, dates present, no duplicate (region, date), no
    gap in a region's daily dates, counts not negative.
    """
    check_columns(frame, OBSERVATION_COLUMNS, source, "observations")
    if frame.empty:
        msg = "no observations at all"
        raise ValidationError(msg, source=source)
    if frame["region_id"].isna().any():
        msg = "an observation has no region id"
        raise ValidationError(msg, source=source, column="region_id")
    if frame["date"].isna().any():
        region = frame.loc[frame["date"].isna(), "region_id"].iloc[0]
        msg = "an observation has no date"
        raise ValidationError(msg, source=source, region_id=str(region), column="date")
    _check_daily(frame, source)
    latest = frame["date"].max()
    if latest > pd.Timestamp.now() + pd.Timedelta(
        days=2
    ):  # a day's slack for time zones
        region = frame["region_id"].iloc[int(frame["date"].to_numpy().argmax())]
        msg = f"date {latest.date()} is in the future: expected dates up to today"
        raise ValidationError(msg, source=source, region_id=str(region), column="date")
    for column in ("cases", "deaths"):
        negative = frame[column].lt(0).fillna(False)
        if negative.any():
            row = frame.loc[negative].iloc[0]
            msg = f"negative cumulative count {row[column]}: expected a count >= 0"
            raise _row_error(msg, source, row, column)


def _check_daily(frame: pd.DataFrame, source: str) -> None:
    """Each region's dates once each and consecutive; raise on the first break.

    Rows are checked in region and date order; that is usually the order they come in (from
    :func:`add_daily`), so nothing is sorted.
    """
    region, dates = ranks(frame["region_id"]), frame["date"].to_numpy()
    order = sort_order(region, dates.view(np.int64))
    if order is not None:
        region, dates = region[order], dates[order]
    same = region[1:] == region[:-1]
    step = dates[1:] - dates[:-1]
    if (same & (step == np.timedelta64(0))).any():
        _raise_duplicate(frame, source)
    gap = same & (step != np.timedelta64(1, "D"))
    if gap.any():
        pos = int(np.flatnonzero(gap)[0]) + 1
        before, after = pd.Timestamp(dates[pos - 1]), pd.Timestamp(dates[pos])
        row = pos if order is None else int(order[pos])
        msg = f"gap in daily dates: {before.date()} is followed by {after.date()}"
        raise ValidationError(
            msg, source=source, region_id=str(frame["region_id"].iloc[row])
        )


def _raise_duplicate(frame: pd.DataFrame, source: str) -> None:
    """Raise for the first row (in ``frame``'s order) whose region and date repeat an earlier row."""
    dup = frame.duplicated(["region_id", "date"])
    row = frame.loc[dup].iloc[0]
    msg = "duplicate observation: expected one row per region and date"
    raise _row_error(msg, source, row)


def validate_regions(
    regions: pd.DataFrame, observations: pd.DataFrame, source: str
) -> None:
    """Check the regions table and that it describes exactly the observed regions.

    Region ids must match :data:`REGION_ID` (they become file names of the site).
    """
    check_columns(regions, REGION_COLUMNS, source, "regions")
    dup = regions["region_id"].duplicated()
    if dup.any():
        msg = "region listed twice: expected one row per region"
        raise ValidationError(
            msg, source=source, region_id=str(regions.loc[dup, "region_id"].iloc[0])
        )
    unsafe = ~regions["region_id"].str.fullmatch(REGION_ID).fillna(False).astype(bool)
    if unsafe.any():
        region = regions.loc[unsafe, "region_id"].iloc[0]
        msg = (
            f"unsafe region id {region!r}: expected letters, digits and '-' only "
            "(ids become file names of the site)"
        )
        raise ValidationError(msg, source=source, column="region_id")
    bad_kind = ~regions["kind"].isin(KINDS)
    if bad_kind.any():
        row = regions.loc[bad_kind].iloc[0]
        msg = f"unknown kind {row['kind']!r}: expected one of {', '.join(KINDS)}"
        raise ValidationError(
            msg, source=source, region_id=str(row["region_id"]), column="kind"
        )
    observed = set(observations["region_id"].unique())
    listed = set(regions["region_id"])
    unknown = observed - listed
    if unknown:
        msg = f"observed regions missing from the regions table: {sorted(unknown)[:5]}"
        raise ValidationError(msg, source=source)
    unobserved = listed - observed
    if unobserved:
        msg = (
            f"regions without a single observation: {sorted(unobserved)[:5]}: expected "
            "the regions table to list exactly the observed regions"
        )
        raise ValidationError(msg, source=source)
    negative = regions["population"].le(0).fillna(False)
    if negative.any():
        row = regions.loc[negative].iloc[0]
        msg = f"population {row['population']}: expected a positive number or missing"
        raise ValidationError(
            msg, source=source, region_id=str(row["region_id"]), column="population"
        )


def validate_signals(
    frame: pd.DataFrame,
    source: str,
    declared: Sequence[Signal],
    *,
    history: bool = False,
) -> None:
    """Check the rules of a source's signals table (as :func:`tidy_signals` made it); raise
    :class:`ValidationError` on the first break.

    Rules: every column present; region ids safe (:data:`REGION_ID`); each row's signal
    declared by the source, its pathogen, estimate and unit among those the declaration lists;
    one row per :data:`SIGNAL_KEY` (and ``release``); dates present and not in the future;
    releases not in the future and after the weeks they give; values finite and not negative
    (``history``: a row without a value says that a row is gone, :mod:`epicurves.releases`);
    where an interval is given, ``lo <= value <= hi``.
    """
    check_columns(frame, SIGNAL_COLUMNS, source, "signals")
    if frame.empty:
        msg = "no signal values at all"
        raise ValidationError(msg, source=source)
    unsafe = ~frame["region_id"].str.fullmatch(REGION_ID).fillna(False).astype(bool)
    if unsafe.any():
        region = frame.loc[unsafe, "region_id"].iloc[0]
        msg = f"unsafe region id {region!r}: expected letters, digits and '-' only"
        raise ValidationError(msg, source=source, column="region_id")
    by_name = {s.name: s for s in declared}
    for name, rows in frame.groupby("signal", sort=True, observed=True):
        signal = by_name.get(str(name))
        if signal is None:
            msg = f"signal {name!r} is not declared: expected one of {', '.join(by_name) or 'none'}"
            raise ValidationError(msg, source=source, column="signal")
        for column, allowed in (
            ("pathogen", signal.pathogens),
            ("estimate", signal.estimates),
            ("unit", signal.units),
        ):
            odd = ~rows[column].isin(allowed).to_numpy(dtype=bool)
            if odd.any():
                row = rows.loc[odd].iloc[0]
                msg = (
                    f"signal {name}: unexpected {column} {row[column]!r}: "
                    f"expected one of {', '.join(allowed)}"
                )
                raise ValidationError(
                    msg, source=source, region_id=str(row["region_id"]), column=column
                )
    if frame["date"].isna().any():
        msg = "a signal value has no date"
        raise ValidationError(msg, source=source, column="date")
    latest = frame["date"].max()
    if latest > pd.Timestamp.now() + pd.Timedelta(days=2):
        row = frame.iloc[int(frame["date"].to_numpy().argmax())]
        msg = f"date {latest.date()} is in the future: expected dates up to today"
        raise ValidationError(
            msg, source=source, region_id=str(row["region_id"]), column="date"
        )
    _check_releases(frame, source)
    dup = frame.duplicated([*SIGNAL_KEY, "release"])
    if dup.any():
        row = frame.loc[dup].iloc[0]
        msg = (
            f"duplicate value of signal {row['signal']} ({row['pathogen']}, age "
            f"{row['age_group']}, {row['estimate']}): expected one per date"
        )
        raise _row_error(msg, source, row)
    for column in ("value", "lo", "hi"):
        values = frame[column].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        bad = known & (~np.isfinite(values) | (values < 0))
        if column == "value" and not history:
            bad |= ~known
        if bad.any():
            row = frame.iloc[int(np.flatnonzero(bad)[0])]
            msg = f"signal {row['signal']}: {column} {row[column]}: expected a finite number >= 0"
            raise _row_error(msg, source, row, column)
    value, lo, hi = (frame[c].to_numpy(dtype="float64") for c in ("value", "lo", "hi"))
    with np.errstate(invalid="ignore"):
        outside = (lo > value) | (hi < value)
    if outside.any():
        row = frame.iloc[int(np.flatnonzero(outside)[0])]
        msg = (
            f"signal {row['signal']}: value {row['value']} outside its interval "
            f"[{row['lo']}, {row['hi']}]: expected lo <= value <= hi"
        )
        raise _row_error(msg, source, row)


def _check_releases(frame: pd.DataFrame, source: str) -> None:
    """Releases (where given) are not in the future, and each comes after the days it gives."""
    release = frame["release"]
    if release.isna().all():
        return
    if release.max() > pd.Timestamp.now() + pd.Timedelta(days=2):
        row = frame.iloc[int(release.to_numpy().argmax())]
        msg = f"release {row['release'].date()} is in the future: expected releases up to today"
        raise _row_error(msg, source, row, "release")
    early = (release <= frame["date"]).to_numpy(dtype=bool)
    if early.any():
        row = frame.loc[early].iloc[0]
        msg = (
            f"release {row['release'].date()} gives a value for {row['date'].date()}: "
            "expected a release after the days it gives"
        )
        raise _row_error(msg, source, row, "release")

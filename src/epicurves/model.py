"""The tidy data model: column names and dtypes of the two tables, and the rules they obey.

Observations, one row per (source, region, day)::

    source, region_id, date, cases, deaths, new_cases, new_deaths, flags

``cases`` and ``deaths`` are cumulative counts as published; ``new_*`` are day-to-day differences
(the first day of a series counts from zero). Missing values stay missing (``<NA>``): a region
without deaths data has no deaths, not zeros. A decrease of a cumulative series is kept as
published and flagged (``cases-decrease``/``deaths-decrease`` in ``flags``), not "fixed".

Regions, one row per (source, region)::

    region_id, name, kind, parent, population, source
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = [
    "KINDS",
    "OBSERVATION_COLUMNS",
    "REGION_COLUMNS",
    "add_daily",
    "empty_observations",
    "empty_regions",
    "pick_shown",
    "validate_observations",
    "validate_regions",
]

#: Kinds of region: ``other`` holds rows that are not places (ships, Olympics, unknown district).
KINDS: tuple[str, ...] = ("country", "state", "district", "other")

OBSERVATION_COLUMNS: dict[str, str] = {
    "source": "string",
    "region_id": "string",
    "date": "datetime64[s]",
    "cases": "Int64",
    "deaths": "Int64",
    "new_cases": "Int64",
    "new_deaths": "Int64",
    "flags": "string",
}

REGION_COLUMNS: dict[str, str] = {
    "region_id": "string",
    "name": "string",
    "kind": "string",
    "parent": "string",
    "population": "Int64",
    "source": "string",
}

#: Flags written at ingest; the analysis layer adds its own.
FLAG_CASES_DECREASE = "cases-decrease"
FLAG_DEATHS_DECREASE = "deaths-decrease"


def empty_observations() -> pd.DataFrame:
    """An observations table with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OBSERVATION_COLUMNS.items()})


def empty_regions() -> pd.DataFrame:
    """A regions table with no rows and the right dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REGION_COLUMNS.items()})


def add_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``new_cases``, ``new_deaths`` and ``flags`` to cumulative observations.

    The first known value of a series counts from zero (everything reported up to that day).
    ``frame`` has ``source, region_id, date, cases, deaths``; the result is sorted by source,
    region and date and has every column of :data:`OBSERVATION_COLUMNS`.

    >>> f = pd.DataFrame({"source": "s", "region_id": "X", "date": pd.date_range("2020-01-01", periods=4),
    ...                   "cases": [1, 3, 2, 5], "deaths": [pd.NA, 0, 0, 1]})
    >>> out = add_daily(f)
    >>> out["new_cases"].tolist(), out["flags"].tolist()
    ([1, 2, -1, 3], ['', '', 'cases-decrease', ''])
    >>> out["new_deaths"].tolist()
    [<NA>, 0, 0, 1]
    """
    out = frame.sort_values(["source", "region_id", "date"], kind="stable").reset_index(
        drop=True
    )
    out["cases"] = out["cases"].astype("Int64")
    out["deaths"] = out["deaths"].astype("Int64")
    key = out["source"].astype(str) + "\x00" + out["region_id"].astype(str)
    for total, new in (("cases", "new_cases"), ("deaths", "new_deaths")):
        values = out[total]
        known = values.notna()
        # The first known value of each series counts from zero: all reported up to then.
        # A value after a missing day has no known difference and stays missing.
        seen_before = (
            known.groupby(key).cummax().groupby(key).shift(1, fill_value=False)
        )
        first_known = known & ~seen_before.astype(bool)
        diff = values - values.groupby(key).shift(1)
        out[new] = diff.where(~first_known, values).astype("Int64")
    flags = np.full(len(out), "", dtype=object)
    cases_down = out["new_cases"].lt(0).fillna(False).to_numpy(dtype=bool)
    deaths_down = out["new_deaths"].lt(0).fillna(False).to_numpy(dtype=bool)
    flags[cases_down] = FLAG_CASES_DECREASE
    both = cases_down & deaths_down
    flags[deaths_down & ~cases_down] = FLAG_DEATHS_DECREASE
    flags[both] = FLAG_CASES_DECREASE + ";" + FLAG_DEATHS_DECREASE
    out["flags"] = pd.array(flags, dtype="string")
    return out.astype(OBSERVATION_COLUMNS)[list(OBSERVATION_COLUMNS)]


def _check_columns(
    frame: pd.DataFrame, columns: Iterable[str], source: str, table: str
) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{table} table lacks required columns {missing}"
        raise ValidationError(msg, source=source)


def validate_observations(frame: pd.DataFrame, source: str) -> None:
    """Check the rules of the observations table; raise :class:`ValidationError` on the first break.

    Rules: every column present with its dtype, dates present, no duplicate (region, date), no
    gap in a region's daily dates, counts not negative.
    """
    _check_columns(frame, OBSERVATION_COLUMNS, source, "observations")
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
    dup = frame.duplicated(["region_id", "date"])
    if dup.any():
        row = frame.loc[dup].iloc[0]
        msg = "duplicate observation: expected one row per region and date"
        raise ValidationError(
            msg,
            source=source,
            region_id=str(row["region_id"]),
            date=str(row["date"].date()),
        )
    ordered = frame.sort_values(["region_id", "date"])
    step = ordered["date"].diff()
    same = ordered["region_id"].eq(ordered["region_id"].shift()).fillna(False)
    gap = (same & step.ne(pd.Timedelta(days=1))).to_numpy(dtype=bool, na_value=False)
    if gap.any():
        pos = int(np.flatnonzero(gap)[0])
        before = ordered["date"].iloc[pos - 1].date()
        after = ordered["date"].iloc[pos].date()
        msg = f"gap in daily dates: {before} is followed by {after}"
        raise ValidationError(
            msg, source=source, region_id=str(ordered["region_id"].iloc[pos])
        )
    for column in ("cases", "deaths"):
        negative = frame[column].lt(0).fillna(False)
        if negative.any():
            row = frame.loc[negative].iloc[0]
            msg = f"negative cumulative count {row[column]}: expected a count >= 0"
            raise ValidationError(
                msg,
                source=source,
                region_id=str(row["region_id"]),
                date=str(row["date"].date()),
                column=column,
            )


def validate_regions(
    regions: pd.DataFrame, observations: pd.DataFrame, source: str
) -> None:
    """Check the regions table and that it describes exactly the observed regions."""
    _check_columns(regions, REGION_COLUMNS, source, "regions")
    dup = regions["region_id"].duplicated()
    if dup.any():
        msg = "region listed twice: expected one row per region"
        raise ValidationError(
            msg, source=source, region_id=str(regions.loc[dup, "region_id"].iloc[0])
        )
    bad_kind = ~regions["kind"].isin(KINDS)
    if bad_kind.any():
        row = regions.loc[bad_kind].iloc[0]
        msg = f"unknown kind {row['kind']!r}: expected one of {', '.join(KINDS)}"
        raise ValidationError(
            msg, source=source, region_id=str(row["region_id"]), column="kind"
        )
    unknown = set(observations["region_id"].unique()) - set(regions["region_id"])
    if unknown:
        msg = f"observed regions missing from the regions table: {sorted(unknown)[:5]}"
        raise ValidationError(msg, source=source)
    negative = regions["population"].le(0).fillna(False)
    if negative.any():
        row = regions.loc[negative].iloc[0]
        msg = f"population {row['population']}: expected a positive number or missing"
        raise ValidationError(
            msg, source=source, region_id=str(row["region_id"]), column="population"
        )


def pick_shown(regions: pd.DataFrame, precedence: Iterable[str]) -> pd.DataFrame:
    """One row per region: the one from the first source in ``precedence`` that has it.

    Sources missing from ``precedence`` come after those listed, in name order.

    >>> r = pd.DataFrame({"region_id": ["DE", "DE", "FR"], "source": ["jhu", "rki", "jhu"]})
    >>> pick_shown(r, ["rki", "jhu"])[["region_id", "source"]].values.tolist()
    [['DE', 'rki'], ['FR', 'jhu']]
    """
    order: dict[str, int] = {}
    for name in precedence:
        order.setdefault(name, len(order))  # a name listed twice keeps its first place
    rank = regions["source"].map(lambda s: (order.get(s, len(order)), s))
    ranked = regions.assign(_rank=rank).sort_values(
        ["region_id", "_rank"], kind="stable"
    )
    shown = ranked.drop_duplicates("region_id").drop(columns="_rank")
    return shown.reset_index(drop=True)

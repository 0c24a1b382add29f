"""The New York Times: cumulative cases and deaths per US state (ended 2023-03-23).

Region ids are ISO 3166-2 (``US-CA``), matched on the two-digit FIPS code; populations come from
JHU's UID lookup table. ``US`` is also given, as the sum of all states and territories.
Names are the display names of :mod:`.geo` and, for ``US``, of :mod:`.jhu` (``United States``),
with the same aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..lazy import pd
from .base import Source, SourceData, UpstreamFile
from .cells import (
    consecutive_days,
    date_column,
    duplicated_rows,
    integer_column,
    sum_known,
)
from .geo import US_ALIASES, US_STATES, us_code_by_fips, us_state_name
from .jhu import JHU, LOOKUP, display_name, read_lookup
from .readers import read_csv

__all__ = ["NYT"]

STATES = UpstreamFile(
    "nyt",
    "us-states.csv",
    "https://raw.githubusercontent.com/nytimes/covid-19-data/master/us-states.csv",
)
#: The name of ``US``, the sum of the states: JHU's display name of the country.
_US = display_name("US")


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """US states (and their sum, ``US``) from ``us-states.csv``."""
    name = STATES.name
    ref = source.file(name)
    notes: list[str] = []
    frame = read_csv(
        paths[name], ref, required=("date", "state", "fips", "cases", "deaths")
    )
    frame["fips"] = frame["fips"].fillna("").str.strip().str.zfill(2)
    duplicated_rows(frame, ["fips", "date"], ref)
    frame["date"] = date_column(frame, "date", ref, fmt="%Y-%m-%d")
    consecutive_days(frame, "fips", "date", ref)
    cases = integer_column(frame, "cases", ref, allow_missing=True)
    deaths = integer_column(frame, "deaths", ref, allow_missing=True)
    codes = us_code_by_fips()
    region = frame["fips"].map(codes)
    if region.isna().any():
        for fips, state in (
            frame.loc[region.isna(), ["fips", "state"]]
            .drop_duplicates()
            .itertuples(index=False)
        ):
            notes.append(
                f"{name}: skipped rows of {state!r} (fips {fips!r}): not a known state or territory"
            )
    keep = region.notna()
    if not keep.any():
        msg = "no row of a known state or territory: expected rows with a state's FIPS code"
        raise ref.error(msg, column="fips")
    states = pd.DataFrame(
        {
            "region_id": region[keep],
            "date": frame["date"][keep],
            "cases": cases[keep],
            "deaths": deaths[keep],
        }
    )
    wide = states.pivot(index="date", columns="region_id", values=["cases", "deaths"])
    full = pd.date_range(wide.index.min(), wide.index.max(), freq="D").astype(
        "datetime64[s]"
    )
    daily = wide.reindex(full)
    # Before a state's first row it had no case: count it as 0 there, but keep values that
    # are missing later missing, so the sum is missing on such a day.
    national = daily.where(daily.notna().cummax(), 0)
    by_state: Any = {c: national[c] for c in ("cases", "deaths")}
    us = pd.DataFrame(
        {
            "region_id": "US",
            "date": full,
            "cases": by_state["cases"].sum(axis=1, skipna=False).astype("Int64"),
            "deaths": by_state["deaths"].sum(axis=1, skipna=False).astype("Int64"),
        }
    )
    observations = pd.concat([states, us], ignore_index=True)

    lookup = read_lookup(paths[LOOKUP.name], source)
    us_rows = lookup[
        (lookup["Country_Region"] == "US")
        & (lookup["Admin2"] == "")
        & (lookup["FIPS"] != "")
    ]
    population = dict(
        zip(us_rows["FIPS"].str.zfill(2).map(codes), us_rows["Population"], strict=True)
    )
    present = set(states["region_id"].unique())
    rows = [
        {
            "region_id": f"US-{code}",
            "name": us_state_name(state),
            "kind": "state",
            "parent": "US",
            "population": population.get(f"US-{code}", pd.NA),
        }
        for _, code, state in US_STATES
        if f"US-{code}" in present
    ]
    rows.append(
        {
            "region_id": "US",
            "name": _US,
            "kind": "country",
            "parent": pd.NA,
            "population": sum_known(r["population"] for r in rows),
        }
    )
    return SourceData(observations, pd.DataFrame(rows), notes)


NYT = Source(
    name="nyt",
    description="The New York Times: cumulative cases and deaths per US state and territory "
    "(ended 2023-03-23); US as their sum.",
    licence="The New York Times, https://github.com/nytimes/covid-19-data/blob/master/LICENSE: "
    "free for non-commercial use with attribution to The New York Times",
    homepage="https://github.com/nytimes/covid-19-data",
    files=(STATES, LOOKUP),
    parse_files=parse,
    live=False,
    interval_days=None,
    aliases=MappingProxyType({_US: JHU.aliases[_US], **US_ALIASES}),
)

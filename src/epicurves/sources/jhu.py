"""Johns Hopkins CSSE: global time series by country, and the US time series by state.

The global files are wide (one row per Province/State + Country/Region, one column per day,
cumulative). A country is the sum of all its rows; its id is the ISO 3166-1 alpha-2 code and its
population the sum of its rows' populations, both from JHU's ``UID_ISO_FIPS_LookUp_Table.csv``.
Rows that are not countries (cruise ships, the Olympics) keep their data under an explicit id,
``JHU-`` + upper-case name with dashes, of kind ``other``. JHU stopped updating on 2023-03-10.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .base import (
    Source,
    SourceData,
    UpstreamFile,
    date_columns,
    duplicated_rows,
    integer_column,
    read_csv,
    sum_known,
    wide_counts,
)
from .geo import us_code_by_name

__all__ = ["JHU", "JHU_US"]

_BASE = "https://raw.githubusercontent.com/CSSEGISandData/COVID-19/master/csse_covid_19_data/"
_SERIES = _BASE + "csse_covid_19_time_series/"
CONFIRMED = UpstreamFile(
    "jhu",
    "time_series_covid19_confirmed_global.csv",
    _SERIES + "time_series_covid19_confirmed_global.csv",
)
DEATHS = UpstreamFile(
    "jhu",
    "time_series_covid19_deaths_global.csv",
    _SERIES + "time_series_covid19_deaths_global.csv",
)
LOOKUP = UpstreamFile(
    "jhu", "UID_ISO_FIPS_LookUp_Table.csv", _BASE + "UID_ISO_FIPS_LookUp_Table.csv"
)
CONFIRMED_US = UpstreamFile(
    "jhu",
    "time_series_covid19_confirmed_US.csv",
    _SERIES + "time_series_covid19_confirmed_US.csv",
)
DEATHS_US = UpstreamFile(
    "jhu",
    "time_series_covid19_deaths_US.csv",
    _SERIES + "time_series_covid19_deaths_US.csv",
)

_LICENCE = "CC BY 4.0, Johns Hopkins University CSSE COVID-19 Data Repository"
_HOME = "https://github.com/CSSEGISandData/COVID-19"
#: JHU names that read badly on their own.
_DISPLAY_NAMES = {"US": "United States"}
_GLOBAL_KEYS = ("Province/State", "Country/Region", "Lat", "Long")
_US_KEYS = ("UID", "Admin2", "Province_State", "Country_Region", "Combined_Key")


def other_id(name: str) -> str:
    """The explicit id of a JHU row that is not a country.

    >>> other_id("Summer Olympics 2020")
    'JHU-SUMMER-OLYMPICS-2020'
    """
    return "JHU-" + re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


def read_lookup(path: Path, source: Source) -> pd.DataFrame:
    """Read JHU's UID lookup table: ids, names and populations of countries, provinces, states."""
    name = LOOKUP.name
    frame = read_csv(
        path,
        source,
        name,
        required=(
            "UID",
            "iso2",
            "FIPS",
            "Admin2",
            "Province_State",
            "Country_Region",
            "Population",
        ),
    )
    frame["Population"] = integer_column(
        frame, "Population", source, name, allow_missing=True
    )
    for column in ("iso2", "FIPS", "Admin2", "Province_State", "Country_Region"):
        frame[column] = frame[column].fillna("").str.strip()
    return frame


def _wide(
    path: Path, upstream: UpstreamFile, source: Source, keys: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DatetimeIndex, pd.DataFrame]:
    """Read a wide JHU series: its key columns, its dates, and its counts (rows x dates)."""
    frame = read_csv(
        path, source, upstream.name, required=keys, text_columns=[*keys, "Population"]
    )
    first = max(list(frame.columns).index(k) for k in keys) + 1
    if upstream is DEATHS_US and "Population" in frame.columns:
        first = max(first, list(frame.columns).index("Population") + 1)
    dates = date_columns(
        list(frame.columns), source, upstream.name, fmt="%m/%d/%y", first=first
    )
    counts = wide_counts(frame, list(frame.columns[first:]), source, upstream.name)
    return frame, dates, counts


def _long(totals: pd.DataFrame, dates: pd.DatetimeIndex, column: str) -> pd.DataFrame:
    """Turn a (region x date) wide frame of counts into long rows."""
    values = totals.to_numpy()
    return pd.DataFrame(
        {
            "region_id": np.repeat(totals.index.to_numpy(), len(dates)),
            "date": np.tile(dates.to_numpy(), len(totals)),
            column: pd.array(values.reshape(-1), dtype="Int64"),
        }
    )


def _combine(cases: pd.DataFrame, deaths: pd.DataFrame) -> pd.DataFrame:
    return cases.merge(deaths, on=["region_id", "date"], how="outer")


def parse_global(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Countries from JHU's global confirmed and deaths series."""
    notes: list[str] = []
    lookup = read_lookup(paths[LOOKUP.name], source)
    top = lookup[(lookup["Province_State"] == "") & (lookup["Admin2"] == "")]
    top = top.drop_duplicates("Country_Region").set_index("Country_Region")
    provinces = lookup[(lookup["Province_State"] != "") & (lookup["Admin2"] == "")]
    row_population = {
        (r.Province_State, r.Country_Region): r.Population
        for r in provinces.itertuples()
    }

    series = {}
    for upstream, column in ((CONFIRMED, "cases"), (DEATHS, "deaths")):
        frame, dates, counts = _wide(
            paths[upstream.name], upstream, source, _GLOBAL_KEYS
        )
        province = frame["Province/State"].fillna("")
        country = frame["Country/Region"].fillna("").str.strip()
        duplicated_rows(
            frame[["Country/Region"]].assign(**{"Province/State": province}),
            ["Province/State", "Country/Region"],
            source,
            upstream.name,
        )
        series[column] = (province, country, dates, counts)

    province, country, _, _ = series["cases"]
    iso2_of, population_of = top["iso2"].to_dict(), top["Population"].to_dict()
    provinces_of: dict[str, list[str]] = {}  # each country's rows, in file order
    for p, c in zip(province, country, strict=True):
        provinces_of.setdefault(c, []).append(p)
    region_of: dict[str, str] = {}
    rows = []
    for name in sorted(provinces_of):
        if name not in iso2_of:
            notes.append(
                f"skipped rows of {name!r}: no country of that name in {LOOKUP.name}"
            )
            continue
        iso2 = str(iso2_of[name])
        pops: list[Any] = [
            population_of[name] if p == "" else row_population.get((p, name), pd.NA)
            for p in provinces_of[name]
        ]
        population = sum_known(pops)
        for p, pop in zip(provinces_of[name], pops, strict=True):
            if p and pd.isna(pop):
                notes.append(
                    f"{p}, {name}: no population in {LOOKUP.name}; its counts are in "
                    f"{name}'s, its population is not"
                )
        if iso2:
            region_id, kind = iso2, "country"
            if pd.isna(population):
                notes.append(
                    f"{name} ({iso2}): no population in {LOOKUP.name}; per-capita values stay missing"
                )
        else:
            region_id, kind = other_id(name), "other"
            notes.append(
                f"{name!r} is not a country (no ISO code in {LOOKUP.name}): kept as {region_id}, kind other"
            )
        region_of[name] = region_id
        rows.append(
            {
                "region_id": region_id,
                "name": _DISPLAY_NAMES.get(name, name.rstrip("*")),
                "kind": kind,
                "parent": pd.NA,
                "population": population,
            }
        )
    parts = []
    for column, (_, ctry, dates, counts) in series.items():
        keep = ctry.isin(list(region_of))
        ids = ctry[keep].map(region_of)
        totals = counts[keep.to_numpy()].groupby(ids.to_numpy()).sum(min_count=1)
        parts.append(_long(totals, dates, column))
    observations = _combine(*parts)
    regions = pd.DataFrame(rows)
    return SourceData(observations, regions, notes)


def parse_us(paths: Mapping[str, Path], source: Source) -> SourceData:
    """US states from JHU's US confirmed and deaths series (counties summed per state)."""
    notes: list[str] = []
    ids = us_code_by_name()
    parts = []
    population: dict[Any, int] = {}
    for upstream, column in ((CONFIRMED_US, "cases"), (DEATHS_US, "deaths")):
        frame, dates, counts = _wide(paths[upstream.name], upstream, source, _US_KEYS)
        duplicated_rows(frame, ["UID"], source, upstream.name)
        state = frame["Province_State"].fillna("").str.strip()
        unknown = sorted(set(state) - set(ids))
        for name in unknown:
            notes.append(
                f"{upstream.name}: skipped rows of {name!r}: not a US state or territory"
            )
        keep = state.isin(list(ids)).to_numpy()
        region = state[keep].map(ids).to_numpy()
        totals = counts[keep].groupby(region).sum(min_count=1)
        parts.append(_long(totals, dates, column))
        if "Population" in frame.columns:
            pop = integer_column(
                frame, "Population", source, upstream.name, allow_missing=True
            )
            population = (
                pop[keep]
                .groupby(region)
                .sum(min_count=1)
                .dropna()
                .astype(int)
                .to_dict()
            )
    observations = _combine(*parts)
    names = {v: k for k, v in ids.items()}
    present = sorted(observations["region_id"].unique())
    regions = pd.DataFrame(
        {
            "region_id": present,
            "name": [names[r] for r in present],
            "kind": "state",
            "parent": "US",
            "population": pd.array(
                [population.get(r, pd.NA) for r in present], dtype="Int64"
            ),
        }
    )
    return SourceData(observations, regions, notes)


JHU = Source(
    name="jhu",
    description="Johns Hopkins CSSE global time series: cumulative cases and deaths per country "
    "(frozen since 2023-03-10).",
    licence=_LICENCE,
    homepage=_HOME,
    files=(CONFIRMED, DEATHS, LOOKUP),
    parse_files=parse_global,
    live=False,
    interval_days=None,
)

JHU_US = Source(
    name="jhu-us",
    description="Johns Hopkins CSSE US time series: cumulative cases and deaths per county, "
    "summed per state (large files; fetched only when asked for).",
    licence=_LICENCE,
    homepage=_HOME,
    files=(CONFIRMED_US, DEATHS_US),
    parse_files=parse_us,
    default=False,
    live=False,
    interval_days=None,
)

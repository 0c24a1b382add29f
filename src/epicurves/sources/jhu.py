"""Johns Hopkins CSSE: global time series by country, and the US time series by state.

The global files are wide (one row per Province/State + Country/Region, one column per day,
cumulative). A country is the sum of all its rows; its id is the ISO 3166-1 alpha-2 code and its
population the sum of its rows' populations, both from JHU's ``UID_ISO_FIPS_LookUp_Table.csv``.
Rows that are not countries (cruise ships, the Olympics) keep their data under an explicit id,
``JHU-`` + upper-case name with dashes, of kind ``other``. JHU stopped updating on 2023-03-10.

Country names. JHU writes some countries as nobody else does (``US``, ``Korea, South``,
``Taiwan*``, ``Congo (Kinshasa)``) and others under a formal or older name (``Burma``,
``Holy See``, ``West Bank and Gaza``). The site shows each country under the short English name
in everyday use: the name Our World in Data gives the same JHU rows in its COVID-19 dataset
(``owid/covid-19-data``, ``scripts/input/jhu/jhu_country_standardized.csv``), e.g.
``United States``, ``South Korea``, ``Taiwan``, ``Myanmar``, ``Palestine``, ``Cape Verde``,
``Czechia``, ``Eswatini``, ``North Macedonia``, ``Turkey``; and ``North Korea`` for the row
OWID's table lacks. Three rules come first where OWID's name breaks them:

- unambiguous: ``Republic of the Congo`` and ``Democratic Republic of the Congo``, not OWID's
  ``Congo`` and ``Democratic Republic of Congo``; ``East Timor``, not ``Timor`` (the island);
  ``Vatican City``, not ``Vatican`` (also the Holy See, the Church's government);
- written as the country writes it in Latin letters, with its accents: ``Côte d'Ivoire``,
  ``São Tomé and Príncipe`` (the ASCII spellings stay aliases);
- no footnote mark (``*``), no inverted ``X, Y`` form, no qualifier in parentheses.

:data:`DISPLAY_NAMES` maps each JHU spelling that differs to its display name; every other
country keeps JHU's spelling, which already is that name. The JHU spelling of a renamed country
is its first alias (:attr:`~.base.Source.aliases`), then the other names in
:data:`ALSO_KNOWN_AS`. Rows that are not countries (``Diamond Princess``, ``MS Zaandam``, the
Olympics) keep their names. US states are named as in :mod:`.geo`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..lazy import np, pd
from .base import Source, SourceData, UpstreamFile, display_aliases
from .cells import date_columns, duplicated_rows, integer_column, sum_known, wide_counts
from .geo import US_ALIASES, us_code_by_name, us_state_name
from .readers import read_csv

__all__ = ["ALSO_KNOWN_AS", "DISPLAY_NAMES", "JHU", "JHU_US"]

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
#: Country as JHU spells it (``Country/Region``) -> display name, where the two differ.
DISPLAY_NAMES: dict[str, str] = {
    "Burma": "Myanmar",
    "Cabo Verde": "Cape Verde",
    "Congo (Brazzaville)": "Republic of the Congo",
    "Congo (Kinshasa)": "Democratic Republic of the Congo",
    "Cote d'Ivoire": "Côte d'Ivoire",
    "Holy See": "Vatican City",
    "Korea, North": "North Korea",
    "Korea, South": "South Korea",
    "Sao Tome and Principe": "São Tomé and Príncipe",
    "Taiwan*": "Taiwan",
    "Timor-Leste": "East Timor",
    "US": "United States",
    "West Bank and Gaza": "Palestine",
}

#: Other names of a country in wide use, by display name (after JHU's spelling): abbreviations
#: as common as the name, and names the country had or has officially. Kept short on purpose.
ALSO_KNOWN_AS: dict[str, tuple[str, ...]] = {
    "United States": ("USA",),
    "United Kingdom": ("UK",),
    "United Arab Emirates": ("UAE",),
    "Democratic Republic of the Congo": ("DR Congo",),
    "Côte d'Ivoire": ("Ivory Coast",),
    "Vatican City": ("Vatican",),
    "Czechia": ("Czech Republic",),
    "Eswatini": ("Swaziland",),
    "Turkey": ("Türkiye",),
}
_GLOBAL_KEYS = ("Province/State", "Country/Region", "Lat", "Long")
_US_KEYS = ("UID", "Admin2", "Province_State", "Country_Region", "Combined_Key")


def display_name(name: str) -> str:
    """The display name of a country JHU spells ``name`` (a footnote star is dropped also from
    a spelling :data:`DISPLAY_NAMES` does not know yet).

    >>> display_name("Korea, South"), display_name("Germany"), display_name("Freedonia*")
    ('South Korea', 'Germany', 'Freedonia')
    """
    return DISPLAY_NAMES.get(name, name.rstrip("*").strip())


def other_id(name: str) -> str:
    """The explicit id of a JHU row that is not a country.

    >>> other_id("Summer Olympics 2020")
    'JHU-SUMMER-OLYMPICS-2020'
    """
    return "JHU-" + re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


def read_lookup(path: Path, source: Source) -> pd.DataFrame:
    """Read JHU's UID lookup table: ids, names and populations of countries, provinces, states."""
    name = LOOKUP.name
    ref = source.file(name)
    frame = read_csv(
        path,
        ref,
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
    frame["Population"] = integer_column(frame, "Population", ref, allow_missing=True)
    for column in ("iso2", "FIPS", "Admin2", "Province_State", "Country_Region"):
        frame[column] = frame[column].fillna("").str.strip()
    return frame


def _wide(
    path: Path, upstream: UpstreamFile, source: Source, keys: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DatetimeIndex, pd.DataFrame]:
    """Read a wide JHU series: its key columns, its dates, and its counts (rows x dates)."""
    ref = source.file(upstream.name)
    frame = read_csv(path, ref, required=keys, text_columns=[*keys, "Population"])
    first = max(list(frame.columns).index(k) for k in keys) + 1
    if upstream is DEATHS_US and "Population" in frame.columns:
        first = max(first, list(frame.columns).index("Population") + 1)
    dates = date_columns(list(frame.columns), ref, fmt="%m/%d/%y", first=first)
    counts = wide_counts(frame, list(frame.columns[first:]), ref)
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
            source.file(upstream.name),
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
                "name": display_name(name) if kind == "country" else name,
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
        ref = source.file(upstream.name)
        frame, dates, counts = _wide(paths[upstream.name], upstream, source, _US_KEYS)
        duplicated_rows(frame, ["UID"], ref)
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
            pop = integer_column(frame, "Population", ref, allow_missing=True)
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
            "name": [us_state_name(names[r]) for r in present],
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
    aliases=display_aliases(DISPLAY_NAMES, ALSO_KNOWN_AS),
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
    aliases=US_ALIASES,
)

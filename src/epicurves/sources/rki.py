"""Robert Koch-Institut: the live, official dataset "COVID-19_7-Tage-Inzidenz_in_Deutschland".

Three sources share one parser, one per file of that dataset (each file fully replaces the
previous day's):

- ``rki``: Germany (``DE``), from ``..._Deutschland.csv``, with national deaths by reporting date
  from ``COVID-19-Todesfaelle_Deutschland.csv``;
- ``rki-states``: the 16 Länder (``DE-BY``) from ``..._Bundeslaender.csv``;
- ``rki-districts``: the ~400 districts (``DE-09162``) from ``..._Landkreise.csv``, named from the
  ``RKI Corona Landkreise`` table; the special ids ``u`` (district unknown) and ``17000`` are kept
  as ``DE-unknown`` and ``DE-17000``, kind ``other``.

Cumulative cases are ``Faelle_gesamt`` of the age group ``00+`` (all ages), so daily cases by
reporting date (Meldedatum) are its day-to-day differences; population is ``Bevoelkerung`` of
``00+`` on the last date.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .base import (
    Source,
    SourceData,
    UpstreamFile,
    consecutive_days,
    date_column,
    duplicated_rows,
    integer_column,
    read_csv,
)
from .geo import DE_STATES

__all__ = ["RKI", "RKI_DISTRICTS", "RKI_STATES"]

_INZ = "https://raw.githubusercontent.com/robert-koch-institut/COVID-19_7-Tage-Inzidenz_in_Deutschland/main/"
_DEATHS = "https://raw.githubusercontent.com/robert-koch-institut/COVID-19-Todesfaelle_in_Deutschland/main/"
NATIONAL = UpstreamFile(
    "rki",
    "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv",
    _INZ + "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv",
)
STATES = UpstreamFile(
    "rki",
    "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv",
    _INZ + "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv",
)
DISTRICTS = UpstreamFile(
    "rki",
    "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv",
    _INZ + "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv",
)
DEATHS = UpstreamFile(
    "rki",
    "COVID-19-Todesfaelle_Deutschland.csv",
    _DEATHS + "COVID-19-Todesfaelle_Deutschland.csv",
)
# The ArcGIS layer OSCOVIDA read names from is gone; OSCOVIDA's own copy of it stays on GitHub.
NAMES = UpstreamFile(
    "rki",
    "RKI_Corona_Landkreise.csv",
    "https://raw.githubusercontent.com/oscovida/oscovida/master/oscovida/backup_data/RKI_Corona_Landkreise.csv",
)

_LICENCE = "CC BY 4.0, Robert Koch-Institut (see the dataset's LIZENZ file)"
_HOME = (
    "https://github.com/robert-koch-institut/COVID-19_7-Tage-Inzidenz_in_Deutschland"
)
_COLUMNS = ("Meldedatum", "Bevoelkerung", "Faelle_gesamt")
ALL_AGES = "00+"
_SPECIAL = {
    "u": ("DE-unknown", "District unknown (RKI id u)"),
    "17000": ("DE-17000", "Not assigned to a district (RKI id 17000)"),
}


def _cases(
    path: Path, upstream: UpstreamFile, source: Source, key: str | None
) -> pd.DataFrame:
    """Rows of all ages: ``key`` (or none), date, cumulative cases and population."""
    name = upstream.name
    required = (
        _COLUMNS
        + ((key,) if key else ())
        + (("Altersgruppe",) if key != "Landkreis_id" else ())
    )
    frame = read_csv(path, source, name, required=required)
    if "Altersgruppe" in frame.columns:
        ages = frame["Altersgruppe"].str.strip()
        if not ages.eq(ALL_AGES).any():
            msg = f"no rows of age group {ALL_AGES!r} (all ages)"
            raise source.error(
                name, msg, column="Altersgruppe", expected="rows with Altersgruppe 00+"
            )
        frame = frame.loc[ages.eq(ALL_AGES)]
    # The frame keeps read_csv's index, so errors name the file's own line numbers.
    out = pd.DataFrame(
        {
            "key": frame[key].str.strip() if key else "DE",
            "date": date_column(frame, "Meldedatum", source, name, fmt="%Y-%m-%d"),
            "cases": integer_column(frame, "Faelle_gesamt", source, name),
            "population": integer_column(
                frame, "Bevoelkerung", source, name, allow_missing=True
            ),
        }
    )
    # Checked on the file's own column names, so that errors name them.
    checked = frame.assign(Meldedatum=out["date"])
    duplicated_rows(checked, [*([key] if key else []), "Meldedatum"], source, name)
    consecutive_days(checked, key, "Meldedatum", source, name)
    return out


def _population(rows: pd.DataFrame) -> dict[str, Any]:
    """Population of each key on its last date; 0 (RKI's id ``u``) counts as unknown."""
    last = rows.sort_values("date").groupby("key")["population"].last()
    return {str(k): (v if pd.notna(v) and v > 0 else pd.NA) for k, v in last.items()}


def parse_national(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany: cases from the national 7-day file, deaths from the national deaths file."""
    cases = _cases(paths[NATIONAL.name], NATIONAL, source, None)
    name = DEATHS.name
    frame = read_csv(
        paths[name], source, name, required=("Berichtsdatum", "Todesfaelle_gesamt")
    )
    deaths = pd.DataFrame(
        {
            "date": date_column(frame, "Berichtsdatum", source, name, fmt="%Y-%m-%d"),
            "deaths": integer_column(frame, "Todesfaelle_gesamt", source, name),
        }
    )
    checked = frame.assign(Berichtsdatum=deaths["date"])
    duplicated_rows(checked, ["Berichtsdatum"], source, name)
    consecutive_days(checked, None, "Berichtsdatum", source, name)
    observations = cases[["date", "cases"]].merge(deaths, on="date", how="outer")
    observations.insert(0, "region_id", "DE")
    regions = pd.DataFrame(
        [
            {
                "region_id": "DE",
                "name": "Germany",
                "kind": "country",
                "parent": pd.NA,
                "population": _population(cases)["DE"],
            }
        ]
    )
    return SourceData(observations, regions)


def parse_states(paths: Mapping[str, Path], source: Source) -> SourceData:
    """The 16 Länder from the state 7-day file (no deaths by state in this dataset)."""
    cases = _cases(paths[STATES.name], STATES, source, "Bundesland_id")
    cases["key"] = cases["key"].str.zfill(2)
    unknown = sorted(set(cases["key"]) - set(DE_STATES))
    if unknown:
        msg = f"unknown Bundesland_id {unknown[0]!r}"
        raise source.error(
            STATES.name, msg, column="Bundesland_id", expected="01 ... 16"
        )
    population = _population(cases)
    observations = pd.DataFrame(
        {
            "region_id": "DE-" + cases["key"].map(lambda k: DE_STATES[k][0]),
            "date": cases["date"],
            "cases": cases["cases"],
            "deaths": pd.array([pd.NA] * len(cases), dtype="Int64"),
        }
    )
    regions = pd.DataFrame(
        [
            {
                "region_id": f"DE-{DE_STATES[k][0]}",
                "name": DE_STATES[k][1],
                "kind": "state",
                "parent": "DE",
                "population": population[k],
            }
            for k in sorted(population)
        ]
    )
    return SourceData(observations, regions)


def read_names(path: Path, source: Source) -> dict[str, str]:
    """District names (``SK München``, ``LK Ebersberg``) by five-digit AGS, from the RKI layer."""
    frame = read_csv(path, source, NAMES.name, required=("RS", "county"))
    keys = frame["RS"].str.strip().str.zfill(5)
    return dict(zip(keys, frame["county"].str.strip(), strict=True))


def parse_districts(paths: Mapping[str, Path], source: Source) -> SourceData:
    """The districts from the district 7-day file, named from the RKI Corona Landkreise table."""
    notes: list[str] = []
    cases = _cases(paths[DISTRICTS.name], DISTRICTS, source, "Landkreis_id")
    names = read_names(paths[NAMES.name], source)
    names.setdefault("11000", "SK Berlin")
    population = _population(cases)
    ids: dict[str, str] = {}
    rows = []
    for key in sorted(population):
        if key in _SPECIAL:
            region_id, label = _SPECIAL[key]
            kind, parent = "other", "DE"
            notes.append(
                f"{DISTRICTS.name}: Landkreis_id {key!r} is not a district: kept as {region_id}, kind other"
            )
        elif len(key) == 5 and key.isdigit() and key[:2] in DE_STATES:
            region_id, kind, parent = (
                f"DE-{key}",
                "district",
                f"DE-{DE_STATES[key[:2]][0]}",
            )
            label = names.get(key, f"AGS {key}")
            if key not in names:
                notes.append(f"{region_id}: no name in {NAMES.name}")
        else:
            msg = f"unknown Landkreis_id {key!r}"
            raise source.error(
                DISTRICTS.name,
                msg,
                column="Landkreis_id",
                expected="a five-digit AGS, 'u' or '17000'",
            )
        ids[key] = region_id
        rows.append(
            {
                "region_id": region_id,
                "name": label,
                "kind": kind,
                "parent": parent,
                "population": population[key],
            }
        )
    observations = pd.DataFrame(
        {
            "region_id": cases["key"].map(ids),
            "date": cases["date"],
            "cases": cases["cases"],
            "deaths": pd.array([pd.NA] * len(cases), dtype="Int64"),
        }
    )
    return SourceData(observations, pd.DataFrame(rows), notes)


RKI = Source(
    name="rki",
    description="Robert Koch-Institut, Germany: cases by reporting date (7-Tage-Inzidenz dataset) "
    "and deaths (Todesfaelle dataset), updated daily.",
    licence=_LICENCE,
    homepage=_HOME,
    files=(NATIONAL, DEATHS),
    parse_files=parse_national,
)

RKI_STATES = Source(
    name="rki-states",
    description="Robert Koch-Institut, the 16 German states: cases by reporting date, updated daily.",
    licence=_LICENCE,
    homepage=_HOME,
    files=(STATES,),
    parse_files=parse_states,
)

RKI_DISTRICTS = Source(
    name="rki-districts",
    description="Robert Koch-Institut, the ~400 German districts: cases by reporting date, updated "
    "daily; names from RKI's 'RKI Corona Landkreise' table (dl-de/by-2-0).",
    licence=_LICENCE + "; district names: Robert Koch-Institut (RKI), dl-de/by-2-0",
    homepage=_HOME,
    files=(DISTRICTS, NAMES),
    parse_files=parse_districts,
)

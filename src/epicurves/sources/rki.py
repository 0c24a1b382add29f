"""Robert Koch-Institut: the live, official dataset "COVID-19_7-Tage-Inzidenz_in_Deutschland".

Three sources share one parser, one per file of that dataset (each file fully replaces the
previous day's):

- ``rki``: Germany (``DE``), from ``..._Deutschland.csv``, with national deaths by reporting date
  from ``COVID-19-Todesfaelle_Deutschland.csv``;
- ``rki-states``: the 16 Länder (``DE-BY``) from ``..._Bundeslaender.csv``, named in English
  where English has a name of its own (``Bavaria``; see :mod:`.geo`), the German name an alias;
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

from ..lazy import np, pd
from .base import Source, SourceData, UpstreamFile
from .cells import (
    consecutive_days,
    daily_order,
    date_column,
    duplicated_rows,
    integer_column,
    missing_counts,
    to_dates,
)
from .geo import DE_ALIASES, DE_STATES, de_state_name
from .readers import read_csv, read_typed
from .rkiformat import ALL_AGES, RKI_LICENCE

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

_HOME = (
    "https://github.com/robert-koch-institut/COVID-19_7-Tage-Inzidenz_in_Deutschland"
)
_COLUMNS = ("Meldedatum", "Bevoelkerung", "Faelle_gesamt")
_SPECIAL = {
    "u": ("DE-unknown", "District unknown (RKI id u)"),
    "17000": ("DE-17000", "Not assigned to a district (RKI id 17000)"),
}


def _cases(
    path: Path, upstream: UpstreamFile, source: Source, key: str | None
) -> pd.DataFrame:
    """Rows of all ages, sorted by ``key`` (or none) and date: key, date, cumulative cases and
    population.

    One typed read where the file is clean (it always is, but for a bad upstream day); else the
    careful read, which finds the offending line and says what is wrong with it.
    """
    rows = _cases_typed(path, key)
    if rows is None:
        rows = _cases_text(path, upstream, source, key)
    return rows


def _cases_typed(path: Path, key: str | None) -> pd.DataFrame | None:
    """What :func:`_cases_text` gives, from one typed read; ``None`` wherever it might differ
    or fail (it then finds and names the offending line): a cell missing or not a count, a key
    with spaces, a date that is not one, a repeated or missing day, no age group ``00+``."""
    frame = _typed_rows(path, key)
    if frame is None:
        return None
    keys = _used(frame[key]) if key else _constant("DE", len(frame))
    dates = to_dates(pd.Series(frame["Meldedatum"].cat.categories), "%Y-%m-%d")
    if dates.isna().any():
        return None
    date_codes = frame["Meldedatum"].cat.codes.to_numpy()
    days = dates.to_numpy().astype("datetime64[D]").view("int64")
    order = daily_order(keys.cat.codes.to_numpy(), days[date_codes])
    if order is None:
        return None
    keys = keys.cat.reorder_categories(sorted(keys.cat.categories))
    return pd.DataFrame(
        {
            "key": keys.array.take(order),
            "date": dates.to_numpy()[date_codes[order]],
            "cases": frame["Faelle_gesamt"].array.take(order),
            "population": frame["Bevoelkerung"].array.take(order),
        },
        copy=False,
    )


def _typed_rows(path: Path, key: str | None) -> pd.DataFrame | None:
    """The rows of all ages, read typed; ``None`` unless :func:`_complete`."""
    ages = [] if key == "Landkreis_id" else ["Altersgruppe"]  # as _cases_text requires
    frame = read_typed(
        path,
        text=["Meldedatum", *([key] if key else []), *ages],
        counts=["Faelle_gesamt", "Bevoelkerung"],
        optional=["Altersgruppe"],
    )
    if frame is not None and "Altersgruppe" in frame.columns:
        frame = _all_ages(frame)
    if frame is None or not _complete(frame, key):
        return None
    return frame


def _all_ages(frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of age group ``00+``; ``None`` if there are none or an age group is empty."""
    ages = frame["Altersgruppe"].cat
    codes = ages.codes.to_numpy()
    kept = (ages.categories.str.strip() == ALL_AGES)[codes]
    if (codes < 0).any() or not kept.any():
        return None
    return frame.loc[kept]


def _complete(frame: pd.DataFrame, key: str | None) -> bool:
    """Whether every date, key and case count is there, every count is >= 0 and no key has
    spaces around it (the careful read strips them after its checks)."""
    text = frame[["Meldedatum", *([key] if key else [])]]
    counts = frame[["Faelle_gesamt", "Bevoelkerung"]]
    labels = frame[key].cat.categories if key else pd.Index([], dtype="str")
    return not (
        text.isna().any().any()
        or frame["Faelle_gesamt"].isna().any()
        or counts.lt(0).any().any()
        or (labels.str.strip() != labels).any()
    )


def _constant(label: str, n: int) -> pd.Series:
    """``n`` rows of one key, as a categorical."""
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, "int8"), pd.Index([label])))


def _used(keys: pd.Series) -> pd.Series:
    """A categorical without the categories no row has (such as keys of other age groups)."""
    codes = keys.cat.codes.to_numpy()
    if np.bincount(codes[codes >= 0], minlength=len(keys.cat.categories)).all():
        return keys
    return keys.cat.remove_unused_categories()


def _cases_text(
    path: Path, upstream: UpstreamFile, source: Source, key: str | None
) -> pd.DataFrame:
    """:func:`_cases` read as text, converted column by column, errors naming the line."""
    name = upstream.name
    ref = source.file(name)
    required = (
        _COLUMNS
        + ((key,) if key else ())
        + (("Altersgruppe",) if key != "Landkreis_id" else ())
    )
    frame = read_csv(path, ref, required=required)
    if "Altersgruppe" in frame.columns:
        ages = frame["Altersgruppe"].str.strip()
        if not ages.eq(ALL_AGES).any():
            msg = f"no rows of age group {ALL_AGES!r} (all ages)"
            raise ref.error(
                msg, column="Altersgruppe", expected="rows with Altersgruppe 00+"
            )
        frame = frame.loc[ages.eq(ALL_AGES)]
    # The frame keeps read_csv's index, so errors name the file's own line numbers.
    out = pd.DataFrame(
        {
            "key": frame[key].str.strip() if key else "DE",
            "date": date_column(frame, "Meldedatum", ref, fmt="%Y-%m-%d"),
            "cases": integer_column(frame, "Faelle_gesamt", ref),
            "population": integer_column(
                frame, "Bevoelkerung", ref, allow_missing=True
            ),
        }
    )
    # Checked on the file's own column names, so that errors name them.
    checked = frame.assign(Meldedatum=out["date"])
    duplicated_rows(checked, [*([key] if key else []), "Meldedatum"], ref)
    consecutive_days(checked, key, "Meldedatum", ref)
    return out.sort_values(["key", "date"], kind="stable", ignore_index=True)


def _population(rows: pd.DataFrame) -> dict[str, Any]:
    """Population of each key on its last date (``rows`` sorted by key and date); 0 (RKI's id
    ``u``) counts as unknown."""
    last = rows.groupby("key")["population"].last()
    return {str(k): (v if pd.notna(v) and v > 0 else pd.NA) for k, v in last.items()}


def parse_national(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany: cases from the national 7-day file, deaths from the national deaths file."""
    cases = _cases(paths[NATIONAL.name], NATIONAL, source, None)
    name = DEATHS.name
    ref = source.file(name)
    frame = read_csv(paths[name], ref, required=("Berichtsdatum", "Todesfaelle_gesamt"))
    deaths = pd.DataFrame(
        {
            "date": date_column(frame, "Berichtsdatum", ref, fmt="%Y-%m-%d"),
            "deaths": integer_column(frame, "Todesfaelle_gesamt", ref),
        }
    )
    checked = frame.assign(Berichtsdatum=deaths["date"])
    duplicated_rows(checked, ["Berichtsdatum"], ref)
    consecutive_days(checked, None, "Berichtsdatum", ref)
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
        raise source.file(STATES.name).error(
            msg, column="Bundesland_id", expected="01 ... 16"
        )
    population = _population(cases)
    observations = pd.DataFrame(
        {
            "region_id": "DE-" + cases["key"].map(lambda k: DE_STATES[k][0]),
            "date": cases["date"],
            "cases": cases["cases"],
            "deaths": missing_counts(len(cases)),
        }
    )
    regions = pd.DataFrame(
        [
            {
                "region_id": f"DE-{DE_STATES[k][0]}",
                "name": de_state_name(k),
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
    frame = read_csv(path, source.file(NAMES.name), required=("RS", "county"))
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
            raise source.file(DISTRICTS.name).error(
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
            "deaths": missing_counts(len(cases)),
        }
    )
    return SourceData(observations, pd.DataFrame(rows), notes)


RKI = Source(
    name="rki",
    description="Robert Koch-Institut, Germany: cases by reporting date (7-Tage-Inzidenz dataset) "
    "and deaths (Todesfaelle dataset), updated daily.",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(NATIONAL, DEATHS),
    parse_files=parse_national,
)

RKI_STATES = Source(
    name="rki-states",
    description="Robert Koch-Institut, the 16 German states: cases by reporting date, updated daily.",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(STATES,),
    parse_files=parse_states,
    aliases=DE_ALIASES,
)

RKI_DISTRICTS = Source(
    name="rki-districts",
    description="Robert Koch-Institut, the ~400 German districts: cases by reporting date, updated "
    "daily; names from RKI's 'RKI Corona Landkreise' table (dl-de/by-2-0).",
    licence=RKI_LICENCE + "; district names: Robert Koch-Institut (RKI), dl-de/by-2-0",
    homepage=_HOME,
    files=(DISTRICTS, NAMES),
    parse_files=parse_districts,
)

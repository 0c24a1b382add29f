"""Robert Koch-Institut: the dataset "COVID-19-Hospitalisierungen_in_Deutschland", as signals.

Two sources, one per file, both Germany (Bundesland_Id ``00``, ``DE``) and the 16 Länder
(``DE-BY``):

- ``rki-hospitalisation``: ``Aktuell_Deutschland_adjustierte-COVID-19-Hospitalisierungen.csv``,
  daily since 2023, all ages: the 7-day hospitalisation count and incidence as first reported
  that day (``fixed``), with the late reports known now (``updated``), and RKI's nowcast of the
  final value (``nowcast``, with its 95 % prediction interval as ``lo``/``hi``);
- ``rki-hospitalisation-2020``: ``Aktuell_Deutschland_COVID-19-Hospitalisierungen.csv``, daily
  2020-03-01 to 2022-08-05 by age group, the count and incidence as known at that release
  (``updated``). Frozen: the copy read is the release of 2022-08-05.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..lazy import pd
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import (
    consecutive_days,
    count_column,
    date_column,
    duplicated_rows,
    known_values,
    number_column,
)
from .readers import FileRef, read_csv
from .rkiformat import AGE_GROUPS, ALL_AGES, RKI_LICENCE, state_ids
from .signalrows import signal_rows, signals_data

__all__ = [
    "RKI_HOSPITALISATION",
    "RKI_HOSPITALISATION_2020",
    "read_population",
]

_REPO = "https://raw.githubusercontent.com/robert-koch-institut/COVID-19-Hospitalisierungen_in_Deutschland/main/"
ADJUSTED = UpstreamFile(
    "rki",
    "Aktuell_Deutschland_adjustierte-COVID-19-Hospitalisierungen.csv",
    _REPO + "Aktuell_Deutschland_adjustierte-COVID-19-Hospitalisierungen.csv",
)
BY_AGE = UpstreamFile(
    "rki",
    "Aktuell_Deutschland_COVID-19-Hospitalisierungen.csv",
    _REPO + "Aktuell_Deutschland_COVID-19-Hospitalisierungen.csv",
)
_HOME = (
    "https://github.com/robert-koch-institut/COVID-19-Hospitalisierungen_in_Deutschland"
)


# -- the two files -------------------------------------------------------------------------


_FIXED, _UPDATED, _ADJUSTED = "fixierte_", "aktualisierte_", "adjustierte_"
_T7 = "7T_Hospitalisierung_"


def _read(
    path: Path, ref: FileRef, ages: Sequence[str], columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    """A hospitalisation file with its key columns and ``columns``, and the region id, age
    group and date of each row, checked: one row per Bundesland, age group and day, and no day
    missing from a series."""
    keys = ("Datum", "Bundesland_Id", "Altersgruppe")
    frame = read_csv(path, ref, required=(*keys, *columns))
    region = state_ids(frame, "Bundesland_Id", ref)
    age = known_values(frame, "Altersgruppe", ages, ref)
    day = date_column(frame, "Datum", ref, fmt="%Y-%m-%d")
    checked = frame.assign(
        Bundesland_Id=region, Altersgruppe=age, Datum=day, _series=region + " " + age
    )
    duplicated_rows(checked, list(keys), ref)
    consecutive_days(checked, "_series", "Datum", ref)
    return frame, region, age, day


def _adjusted_columns() -> list[str]:
    return [
        f"{prefix}{_T7}{kind}"
        for kind in ("Faelle", "Inzidenz")
        for prefix in (_FIXED, _UPDATED, f"PS_{_ADJUSTED}", f"UG_PI_{_ADJUSTED}", f"OG_PI_{_ADJUSTED}")
    ]  # fmt: skip


def _value(
    frame: pd.DataFrame,
    column: str,
    ref: FileRef,
    *,
    nullable: bool = False,
) -> pd.Series:
    """A count (``..._Faelle``) or an incidence column of the hospitalisation files."""
    read = count_column if column.endswith("_Faelle") else number_column
    return read(frame, column, ref, allow_missing=nullable)


def parse_adjusted(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany and the Länder, all ages: fixed, updated and nowcast 7-day hospitalisations."""
    ref = source.file(ADJUSTED.name)
    frame, region, age, day = _read(
        paths[ADJUSTED.name], ref, (ALL_AGES,), _adjusted_columns()
    )

    def column(header: str, *, nullable: bool = True) -> pd.Series:
        return _value(frame, header, ref, nullable=nullable)

    parts = []
    for signal, kind in (
        ("hospitalisation", "Inzidenz"),
        ("hospitalisation-cases", "Faelle"),
    ):
        for estimate, prefix in (
            ("fixed", _FIXED),
            ("updated", _UPDATED),
            ("nowcast", "PS_"),
        ):
            nowcast = estimate == "nowcast"
            adjusted = _ADJUSTED if nowcast else ""
            parts.append(
                signal_rows(
                    frame,
                    region_id=region,
                    signal=signal,
                    pathogen="SARS-CoV-2",
                    age_group=age,
                    estimate=estimate,
                    date=day,
                    value=column(f"{prefix}{adjusted}{_T7}{kind}", nullable=nowcast),
                    lo=column(f"UG_PI_{_ADJUSTED}{_T7}{kind}") if nowcast else None,
                    hi=column(f"OG_PI_{_ADJUSTED}{_T7}{kind}") if nowcast else None,
                )
            )
    return signals_data(parts)


def parse_by_age(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany and the Länder by age group, 2020-03-01 to 2022-08-05 (frozen)."""
    ref = source.file(BY_AGE.name)
    columns = (f"{_T7}Faelle", f"{_T7}Inzidenz")
    frame, region, age, day = _read(paths[BY_AGE.name], ref, AGE_GROUPS, columns)
    parts = [
        signal_rows(
            frame,
            region_id=region,
            signal=signal,
            pathogen="SARS-CoV-2",
            age_group=age,
            estimate="updated",
            date=day,
            value=_value(frame, f"{_T7}{kind}", ref),
        )
        for signal, kind in (
            ("hospitalisation-2020", "Inzidenz"),
            ("hospitalisation-2020-cases", "Faelle"),
        )
    ]
    return signals_data(parts)


def read_population(path: Path, source: Source) -> pd.DataFrame:
    """The population RKI divides by in the adjusted file: ``region_id, date, population``
    (its ``Bevoelkerung`` column), one row per region and day."""
    ref = source.file(ADJUSTED.name)
    frame, region, _, day = _read(path, ref, (ALL_AGES,), ("Bevoelkerung",))
    population = count_column(frame, "Bevoelkerung", ref)
    return pd.DataFrame(
        {"region_id": region, "date": day, "population": population.astype("int64")}
    ).reset_index(drop=True)


_PATHOGENS = ("SARS-CoV-2",)
_DELAY = (
    "Counted by the date the case was reported to the health office, not the date of "
    "admission, and by where the patient lives, not where the hospital is."
)

RKI_HOSPITALISATION = Source(
    name="rki-hospitalisation",
    description="Robert Koch-Institut, Germany and the 16 states: COVID-19 hospitalisations in "
    "7 days (fixed, updated and nowcast), updated daily.",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(ADJUSTED,),
    parse_files=parse_adjusted,
    interval_days=1,
    signals=(
        Signal(
            "hospitalisation",
            "COVID-19 hospitalisations per 100 000 in 7 days",
            "per 100,000 in 7 days",
            "day",
            _PATHOGENS,
            ("fixed", "updated", "nowcast"),
            "Hospitalised COVID-19 cases reported in the 7 days up to each day, per 100,000 "
            "people: as first reported that day (fixed), with the late reports known now "
            "(updated), and RKI's nowcast of the final value with its 95 % prediction interval.",
            "Hospitalisations are reported late, so the newest days are incomplete: compare "
            "the nowcast, which RKI does not give for the newest 3 days. " + _DELAY,
        ),
        Signal(
            "hospitalisation-cases",
            "COVID-19 hospitalisations in 7 days",
            "persons in 7 days",
            "day",
            _PATHOGENS,
            ("fixed", "updated", "nowcast"),
            "Hospitalised COVID-19 cases reported in the 7 days up to each day: as first "
            "reported that day (fixed), with the late reports known now (updated), and RKI's "
            "nowcast of the final count with its 95 % prediction interval.",
            "The newest days are incomplete, and RKI gives no nowcast for the newest 3 days. "
            + _DELAY,
        ),
    ),
)

RKI_HOSPITALISATION_2020 = Source(
    name="rki-hospitalisation-2020",
    description="Robert Koch-Institut, Germany and the 16 states by age group: COVID-19 "
    "hospitalisations in 7 days, 2020-03-01 to 2022-08-05 (the release of 2022-08-05).",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(BY_AGE,),
    parse_files=parse_by_age,
    live=False,
    interval_days=None,
    signals=(
        Signal(
            "hospitalisation-2020",
            "COVID-19 hospitalisations per 100 000 in 7 days, 2020-2022",
            "per 100,000 in 7 days",
            "day",
            _PATHOGENS,
            ("updated",),
            "Hospitalised COVID-19 cases reported in the 7 days up to each day, per 100,000 "
            "people of the age group, as known on 2022-08-05.",
            "A frozen copy: the last weeks before 2022-08-05 are incomplete, as late reports "
            "came after it. " + _DELAY,
        ),
        Signal(
            "hospitalisation-2020-cases",
            "COVID-19 hospitalisations in 7 days, 2020-2022",
            "persons in 7 days",
            "day",
            _PATHOGENS,
            ("updated",),
            "Hospitalised COVID-19 cases reported in the 7 days up to each day, by age group, "
            "as known on 2022-08-05.",
            "A frozen copy: the last weeks before 2022-08-05 are incomplete, as late reports "
            "came after it. " + _DELAY,
        ),
    ),
)

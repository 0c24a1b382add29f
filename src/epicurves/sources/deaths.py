"""Robert Koch-Institut: weekly COVID-19 deaths by state and by age group.

``rki-deaths-weekly`` reads two files of the dataset "COVID-19-Todesfaelle_in_Deutschland"
(whose national daily file :mod:`.rki` reads): ``COVID-19-Todesfaelle_Bundeslaender.csv``
(``Datum``, ``Region_Name``, ``Region_Id`` ``01`` ... ``16``, ``Todesfaelle``) gives the 16
Länder, all ages; ``COVID-19-Todesfaelle_Altersgruppen.csv`` (``Datum``, ``Altersgruppe``,
``Todesfaelle``) gives Germany (``DE``) by age group, ``00+`` all ages. ``Datum`` is the ISO week
(``YYYY-Www``) in which the deaths were transmitted to RKI, stored as its Monday;
``Todesfaelle`` the deaths transmitted that week (``Todesfaelle_gesamt``, the running total,
is not read). Both files are made anew each week.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..lazy import pd
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import count_column, duplicated_rows, known_values, week_column
from .readers import FileRef, read_csv
from .rkiformat import AGE_GROUPS, RKI_LICENCE, state_ids
from .signalrows import signal_rows, signals_data

__all__ = ["RKI_DEATHS_WEEKLY"]

_REPO = "https://raw.githubusercontent.com/robert-koch-institut/COVID-19-Todesfaelle_in_Deutschland/main/"
STATES = UpstreamFile(
    "rki",
    "COVID-19-Todesfaelle_Bundeslaender.csv",
    _REPO + "COVID-19-Todesfaelle_Bundeslaender.csv",
)
AGES = UpstreamFile(
    "rki",
    "COVID-19-Todesfaelle_Altersgruppen.csv",
    _REPO + "COVID-19-Todesfaelle_Altersgruppen.csv",
)
_HOME = "https://github.com/robert-koch-institut/COVID-19-Todesfaelle_in_Deutschland"


def _rows(
    frame: pd.DataFrame,
    region: pd.Series | str,
    age: pd.Series | str,
    week: pd.Series,
    ref: FileRef,
) -> pd.DataFrame:
    return signal_rows(
        frame,
        region_id=region,
        signal="deaths-weekly",
        pathogen="SARS-CoV-2",
        age_group=age,
        estimate="measured",
        date=week,
        value=count_column(frame, "Todesfaelle", ref),
    )


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """The Länder (all ages) and Germany by age group, week by week."""
    name = STATES.name
    ref = source.file(name)
    states = read_csv(paths[name], ref, required=("Datum", "Region_Id", "Todesfaelle"))
    week = week_column(states, "Datum", ref)
    region = state_ids(states, "Region_Id", ref, national=False)
    duplicated_rows(states.assign(Region_Id=region), ["Datum", "Region_Id"], ref)
    by_state = _rows(states, region, "00+", week, ref)

    name = AGES.name
    ref = source.file(name)
    ages = read_csv(paths[name], ref, required=("Datum", "Altersgruppe", "Todesfaelle"))
    week = week_column(ages, "Datum", ref)
    age = known_values(ages, "Altersgruppe", AGE_GROUPS, ref)
    duplicated_rows(ages.assign(Altersgruppe=age), ["Datum", "Altersgruppe"], ref)
    by_age = _rows(ages, "DE", age, week, ref)
    return signals_data([by_state, by_age])


RKI_DEATHS_WEEKLY = Source(
    name="rki-deaths-weekly",
    description="Robert Koch-Institut, Germany by age group and the 16 states: COVID-19 "
    "deaths transmitted to RKI each week, updated weekly.",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(STATES, AGES),
    parse_files=parse,
    interval_days=7,
    date_offset_days=6,  # weeks dated by their Monday
    signals=(
        Signal(
            "deaths-weekly",
            "COVID-19 deaths per week",
            "deaths per week",
            "week",
            ("SARS-CoV-2",),
            ("measured",),
            "COVID-19 deaths transmitted to RKI in each ISO week (dated by its Monday): "
            "Germany by age group and the 16 states, all ages.",
            "Dated by when the death was transmitted to RKI, not when it happened; each "
            "week's file replaces the last, and corrections can change past weeks.",
        ),
    ),
)

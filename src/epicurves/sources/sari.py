"""Robert Koch-Institut: the COVID-SARI hospitalisation incidence (ICOSARI sentinel), weekly.

``rki-sari`` reads ``COVID-SARI-Hospitalisierungsinzidenz.tsv`` (tab-separated: ``date`` an ISO
week ``YYYY-Www``, ``agegroup`` ``00+``, ``60-79`` or ``80+``, ``sari_covid19_incidence``): new
hospital admissions with a severe acute respiratory infection (SARI, ICD-10 J09-J22, as the
main diagnosis: RKI's case definition since 2023-10-12) and a COVID-19 diagnosis (U07.1) per 100,000 people per week, as
estimated from about 70 sentinel hospitals. Region ``DE``; each week is dated by its Monday.
The repository was last updated in 2025 and its data end with 2024-W41.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .base import Signal, Source, SourceData, UpstreamFile
from .cells import duplicated_rows, known_values, number_column, week_column
from .readers import read_csv
from .rkiformat import RKI_LICENCE
from .signalrows import signal_rows, signals_data

__all__ = ["RKI_SARI"]

INCIDENCE = UpstreamFile(
    "rki",
    "COVID-SARI-Hospitalisierungsinzidenz.tsv",
    "https://raw.githubusercontent.com/robert-koch-institut/COVID-SARI-Hospitalisierungsinzidenz/main/COVID-SARI-Hospitalisierungsinzidenz.tsv",
)
_HOME = "https://github.com/robert-koch-institut/COVID-SARI-Hospitalisierungsinzidenz"
AGE_GROUPS = ("00+", "60-79", "80+")


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany's weekly COVID-SARI incidence, all ages and two older age groups."""
    name = INCIDENCE.name
    ref = source.file(name)
    frame = read_csv(
        paths[name],
        ref,
        required=("date", "agegroup", "sari_covid19_incidence"),
        sep="\t",
    )
    week = week_column(frame, "date", ref)
    age = known_values(frame, "agegroup", AGE_GROUPS, ref)
    duplicated_rows(frame.assign(agegroup=age), ["date", "agegroup"], ref)
    rows = signal_rows(
        frame,
        region_id="DE",
        signal="sari",
        pathogen="SARS-CoV-2",
        age_group=age,
        estimate="measured",
        date=week,
        value=number_column(frame, "sari_covid19_incidence", ref),
    )
    return signals_data([rows])


RKI_SARI = Source(
    name="rki-sari",
    description="Robert Koch-Institut, Germany: weekly hospital admissions with severe acute "
    "respiratory infection and COVID-19 per 100,000 (ICOSARI sentinel).",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(INCIDENCE,),
    parse_files=parse,
    interval_days=7,
    date_offset_days=6,  # weeks dated by their Monday
    signals=(
        Signal(
            "sari",
            "SARI hospitalisations with COVID-19 per 100 000 per week",
            "per 100,000 per week",
            "week",
            ("SARS-CoV-2",),
            ("measured",),
            "New hospital admissions with a severe acute respiratory infection (SARI) and a "
            "COVID-19 diagnosis per 100,000 people per week, estimated from about 70 sentinel "
            "hospitals (ICOSARI); all ages, 60-79 and 80+. Each week is dated by its Monday.",
            "Evaluated weekly; late data can still change recent weeks. RKI changed the case "
            "definition on 2023-10-12 (SARI now the main diagnosis), so figures published "
            "before differ. RKI stopped extending this file in 2024 (its repository was last updated in 2025).",
        ),
    ),
)

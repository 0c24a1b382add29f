"""Robert Koch-Institut: the nowcast of COVID-19 cases by symptom onset and the 7-day R value.

``rki-nowcast`` reads ``Nowcast_R_aktuell.csv`` of the dataset "SARS-CoV-2-Nowcasting und
-R-Schaetzung" (comma-separated, one row per day, Germany, ``Datum`` as ``YYYY-MM-DD``): RKI's
estimate of the new cases by day of symptom onset, with missing onset dates imputed and the
cases not yet reported added (``PS_COVID_Faelle``, 95 % prediction interval ``UG_PI_...`` /
``OG_PI_...``), the same as a 4-day moving average (``..._ma4``: each day with the 3 before),
and the 7-day R value (``PS_7_Tage_R_Wert``, ``UG_PI_...``, ``OG_PI_...``).

Signals (region ``DE``, all ages): ``nowcast`` (persons per day: ``PS_COVID_Faelle`` as
``nowcast``, the moving average as ``smoothed``, each with its interval) and ``r-7day`` (the
R value, dimensionless, as ``nowcast``: it is computed from the nowcast, see
:func:`epicurves.r_rki`). Cases are whole numbers; R has two decimals, written without the
leading zero below 1 (``.99``); the R cells of the first 4 days and of the last day are empty
and give no row.

Frozen: RKI stopped the nowcast on 2023-06-21; that release (data up to 2023-06-17) is the
file's final version.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from ..lazy import pd
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import (
    consecutive_days,
    count_column,
    date_column,
    duplicated_rows,
    number_column,
)
from .readers import read_csv
from .rkiformat import ALL_AGES, RKI_LICENCE
from .signalrows import signal_rows, signals_data

__all__ = ["RKI_NOWCAST"]

NOWCAST = UpstreamFile(
    "rki",
    "Nowcast_R_aktuell.csv",
    "https://raw.githubusercontent.com/robert-koch-institut/SARS-CoV-2-Nowcasting_und_-R-Schaetzung/main/Nowcast_R_aktuell.csv",
)
_HOME = (
    "https://github.com/robert-koch-institut/SARS-CoV-2-Nowcasting_und_-R-Schaetzung"
)
_CASES, _CASES_MA4, _R = "COVID_Faelle", "COVID_Faelle_ma4", "7_Tage_R_Wert"
#: Point estimate, lower and upper bound of the 95 % prediction interval, as RKI prefixes them.
_BOUNDS = ("PS_", "UG_PI_", "OG_PI_")
_COLUMNS = ("Datum", *(p + v for v in (_CASES, _CASES_MA4, _R) for p in _BOUNDS))


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """Germany's daily nowcast (as estimated and as a 4-day mean) and its 7-day R."""
    name = NOWCAST.name
    ref = source.file(name)
    frame = read_csv(paths[name], ref, required=_COLUMNS)
    day = date_column(frame, "Datum", ref, fmt="%Y-%m-%d")
    checked = frame.assign(Datum=day)
    duplicated_rows(checked, ["Datum"], ref)
    consecutive_days(checked, None, "Datum", ref)

    def cases(column: str) -> pd.Series:
        return count_column(frame, column, ref)

    def r_value(column: str) -> pd.Series:
        # empty where RKI gives no R (the first 4 days and the last)
        return number_column(frame, column, ref, allow_missing=True)

    rows = functools.partial(
        signal_rows,
        frame,
        region_id="DE",
        pathogen="SARS-CoV-2",
        age_group=ALL_AGES,
        date=day,
    )
    parts = [
        rows(
            signal=signal,
            estimate=estimate,
            value=read(f"PS_{column}"),
            lo=read(f"UG_PI_{column}"),
            hi=read(f"OG_PI_{column}"),
        )
        for signal, estimate, column, read in (
            ("nowcast", "nowcast", _CASES, cases),
            ("nowcast", "smoothed", _CASES_MA4, cases),
            ("r-7day", "nowcast", _R, r_value),
        )
    ]
    return signals_data(parts)


_PATHOGENS = ("SARS-CoV-2",)
_FROZEN = (
    "Frozen: RKI stopped the nowcast on 2023-06-21, and this is that last release (data up "
    "to 2023-06-17), in which the last days were still the least certain."
)

RKI_NOWCAST = Source(
    name="rki-nowcast",
    description="Robert Koch-Institut, Germany: nowcast of new COVID-19 cases by day of "
    "symptom onset and the 7-day R value, 2020-03-02 to 2023-06-17 (the last release, of "
    "2023-06-21).",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(NOWCAST,),
    parse_files=parse,
    live=False,
    interval_days=None,
    signals=(
        Signal(
            "nowcast",
            "COVID-19 cases by day of symptom onset (nowcast)",
            "persons per day",
            "day",
            _PATHOGENS,
            ("nowcast", "smoothed"),
            "RKI's estimate of the new COVID-19 cases in Germany by day of symptom onset: "
            "reported cases, with missing onset dates imputed and the cases not yet reported "
            "added (nowcast), with its 95 % prediction interval. Smoothed: RKI's 4-day moving "
            "average of it (each day with the 3 before), with its interval.",
            _FROZEN + " It counts reported infections only, so it follows how much was "
            "tested; each release re-estimated the whole series.",
        ),
        Signal(
            "r-7day",
            "7-day R value",
            "dimensionless",
            "day",
            _PATHOGENS,
            ("nowcast",),
            "RKI's 7-day reproduction number, with its 95 % prediction interval: on day t, "
            "the nowcast cases of days t-5 ... t+1 divided by those of days t-9 ... t-3 (a "
            "generation time of 4 days), as epicurves.r_rki computes it.",
            _FROZEN
            + " The first 4 days and the last have no R, and RKI's first 5 values "
            "(2020-03-06 to 03-10) rest on cases before the file's first day.",
        ),
    ),
)

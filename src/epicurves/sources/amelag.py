"""Robert Koch-Institut and Umweltbundesamt: wastewater surveillance AMELAG, Germany's curve.

``rki-wastewater`` reads ``amelag_aggregierte_kurve.tsv`` (tab-separated, one row per week and
virus type ``typ``): the national viral load of SARS-CoV-2, influenza and RSV in wastewater,
aggregated over the treatment plants. Each week is dated as RKI dates it, by its Wednesday
(the data of Thursday to Wednesday).

Signals (region ``DE``, all ages): ``wastewater`` (genome copies per litre: ``viruslast`` as
``measured``, the flow-normalised ``viruslast_normalisiert`` as ``normalised``, and RKI's
smoothed curve ``vorhersage`` as ``smoothed`` with its 95 % band ``untere_schranke`` /
``obere_schranke``), ``wastewater-sites`` (``n``, plants reporting) and
``wastewater-coverage`` (``anteil_bev`` as a percentage of the population connected).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from ..lazy import np, pd
from .base import Signal, Source, SourceData, UpstreamFile
from .cells import (
    count_column,
    date_column,
    duplicated_rows,
    known_values,
    number_column,
)
from .readers import line_of, read_csv
from .rkiformat import RKI_LICENCE
from .signalrows import signal_rows, signals_data

__all__ = ["RKI_WASTEWATER"]

AGGREGATED = UpstreamFile(
    "rki",
    "amelag_aggregierte_kurve.tsv",
    "https://raw.githubusercontent.com/robert-koch-institut/Abwassersurveillance_AMELAG/main/amelag_aggregierte_kurve.tsv",
)
_HOME = "https://github.com/robert-koch-institut/Abwassersurveillance_AMELAG"
#: The virus types (``typ``) of the file, as RKI's table schema lists them.
PATHOGENS = (
    "SARS-CoV-2", "Influenza A", "Influenza B", "Influenza A+B",
    "RSV A", "RSV B", "RSV A+B", "RSV A/B",
)  # fmt: skip
_COLUMNS = (
    "datum", "n", "anteil_bev", "viruslast", "viruslast_normalisiert",
    "vorhersage", "obere_schranke", "untere_schranke", "typ",
)  # fmt: skip
_WEDNESDAY = 2


def parse(paths: Mapping[str, Path], source: Source) -> SourceData:
    """The national weekly curves of each virus type."""
    name = AGGREGATED.name
    ref = source.file(name)
    frame = read_csv(paths[name], ref, required=_COLUMNS, sep="\t")
    typ = known_values(frame, "typ", PATHOGENS, ref)
    day = date_column(frame, "datum", ref, fmt="%Y-%m-%d")
    other = (day.dt.day_of_week != _WEDNESDAY).to_numpy(dtype=bool)
    if other.any():
        pos = int(np.flatnonzero(other)[0])
        msg = f"{day.iloc[pos].date()} is a {day.iloc[pos].day_name()}"
        raise ref.error(
            msg,
            row=line_of(frame, pos),
            column="datum",
            expected="the Wednesday that ends each week",
            value=str(frame["datum"].iloc[pos]),
        )
    duplicated_rows(frame.assign(datum=day, typ=typ), ["datum", "typ"], ref)

    def value(column: str, scale: float = 1.0) -> pd.Series:
        return number_column(frame, column, ref, allow_missing=True, scale=scale)

    rows = functools.partial(
        signal_rows, frame, region_id="DE", pathogen=typ, age_group="00+", date=day
    )
    parts = [
        rows(signal="wastewater", estimate="measured", value=value("viruslast")),
        rows(
            signal="wastewater",
            estimate="normalised",
            value=value("viruslast_normalisiert"),
        ),
        rows(
            signal="wastewater",
            estimate="smoothed",
            value=value("vorhersage"),
            lo=value("untere_schranke"),
            hi=value("obere_schranke"),
        ),
        rows(
            signal="wastewater-sites",
            estimate="measured",
            value=count_column(frame, "n", ref, allow_missing=True),
        ),
        rows(
            signal="wastewater-coverage",
            estimate="measured",
            value=value("anteil_bev", scale=100.0),
        ),
    ]
    return signals_data(parts)


_DELAY = (
    "Samples reach RKI up to two weeks late, so the newest weeks change with late deliveries; "
    "RKI judges the trend on the smoothed curve."
)

RKI_WASTEWATER = Source(
    name="rki-wastewater",
    description="Robert Koch-Institut and Umweltbundesamt (AMELAG), Germany: viral load of "
    "SARS-CoV-2, influenza and RSV in wastewater, weekly.",
    licence=RKI_LICENCE,
    homepage=_HOME,
    files=(AGGREGATED,),
    parse_files=parse,
    interval_days=7,
    signals=(
        Signal(
            "wastewater",
            "Viral load in wastewater (genome copies per litre)",
            "genome copies/L",
            "week",
            PATHOGENS,
            ("measured", "normalised", "smoothed"),
            "Genome copies per litre of wastewater, averaged over the treatment plants of "
            "Germany (on a log scale, weighted by connected inhabitants): as measured, "
            "normalised by the flow of wastewater, and RKI's smoothed curve with its 95 % "
            "band. Each week is dated by its Wednesday.",
            _DELAY
            + " Loads tell the trend, not how many are infected, and RKI excludes "
            "plants with inconsistent data from the curve. Some weeks rest on few plants "
            "(down to 7, mostly for RSV): the number is the signal wastewater-sites.",
        ),
        Signal(
            "wastewater-sites",
            "Treatment plants reporting",
            "plants",
            "week",
            PATHOGENS,
            ("measured",),
            "How many wastewater treatment plants sent at least one measurement that week.",
            _DELAY,
        ),
        Signal(
            "wastewater-coverage",
            "Population covered by wastewater sampling",
            "% of population",
            "week",
            PATHOGENS,
            ("measured",),
            "The share of Germany's population connected to the treatment plants that "
            "reported that week.",
            _DELAY,
        ),
    ),
)

"""The per-region JSON payload that a region page loads into the shared charts.

One object per region, arrays aligned with ``dates`` (``null`` for missing values):

``region_id, name, kind, parent, source, population, vintage, provisional_days``
``dates``                     ``YYYY-MM-DD``, consecutive days
``new_cases, new_deaths``     daily counts (negative values kept)
``new_cases_7d_mean, new_deaths_7d_mean``                 trailing 7-day means
``new_cases_7d_mean_centred, new_deaths_7d_mean_centred`` centred 7-day means (plots)
``incidence_7d, deaths_7d_per_100k``                      per 100 000, 7-day sums
``r_rki, r_cori, r_cori_lo, r_cori_hi``                   R from cases
``deaths_r_rki``                                          RKI-method R from deaths
``growth_factor_7d, deaths_growth_factor_7d``             week-on-week factor of 7-day sums
``doubling_time_days, deaths_doubling_time_days``
``flags``                     ``[[index, "cases-gap;..."], ...]`` only the flagged days
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SERIES", "RegionFiles", "region_files"]

#: Arrays in a payload, with the decimals kept (None: whole numbers): what a page shows, so
#: that a region page stays small; ``epicurves export`` gives full precision.
SERIES: dict[str, int | None] = {
    "new_cases": None,
    "new_deaths": None,
    "new_cases_7d_mean": 1,
    "new_deaths_7d_mean": 1,
    "new_cases_7d_mean_centred": 1,
    "new_deaths_7d_mean_centred": 1,
    "incidence_7d": 1,  # as RKI publishes it
    "deaths_7d_per_100k": 2,
    "r_rki": 2,  # as RKI publishes it
    "r_cori": 2,
    "r_cori_lo": 2,
    "r_cori_hi": 2,
    "deaths_r_rki": 2,
    "growth_factor_7d": 2,
    "deaths_growth_factor_7d": 2,
    "doubling_time_days": 1,
    "deaths_doubling_time_days": 1,
}


@dataclass(frozen=True)
class RegionFiles:
    """A region's payload as JSON text, its CSV download, and what its page shows as text."""

    json: str
    csv: str
    vintage: str
    latest: list[dict[str, str]]
    """The last 28 days, newest first, formatted for people."""
    flags: list[tuple[str, str]]
    """(date, flags) of the flagged days, newest first."""


def _texts(values: np.ndarray, decimals: int | None) -> pa.Array:
    """Numbers as their shortest text, rounded to ``decimals``; null where NaN."""
    nan = np.isnan(values)
    array = pa.array(np.round(values, 0 if decimals is None else decimals), mask=nan)
    if decimals is None:
        array = array.cast(pa.int64())
    return array.cast(pa.string())


def _objects(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def _day_texts(dates: np.ndarray) -> pa.Array:
    """Dates as ``YYYY-MM-DD`` text; each distinct day formatted once (the series of many
    regions share their days), which is much faster than formatting every row.

    >>> _day_texts(np.array(["2021-03-01", "2021-03-02", "2021-03-01"], dtype="datetime64[s]")).to_pylist()
    ['2021-03-01', '2021-03-02', '2021-03-01']
    """
    days, where = np.unique(dates.astype("datetime64[D]"), return_inverse=True)
    labels = pa.array(np.datetime_as_string(days, unit="D").tolist(), type=pa.string())
    return labels.take(pa.array(where.astype(np.int64)))


def _joined(texts: pa.Array, offsets: pa.Array, separator: str) -> list[str]:
    """The texts of each series (cut at ``offsets``) joined by ``separator``: one per series."""
    lists = pa.ListArray.from_arrays(offsets, texts)
    return [str(t) for t in pc.binary_join(lists, separator).to_pylist()]


def _people(value: float, decimals: int) -> str:
    """A number for a page: thousands separators, fixed decimals, empty where missing."""
    return "" if math.isnan(value) else f"{value:,.{decimals}f}"


def region_files(
    metrics: pd.DataFrame,
    regions: pd.DataFrame,
    provisional_days: int,
    latest_days: int = 28,
) -> dict[str, RegionFiles]:
    """Payload JSON, CSV and page text of every region, keyed by region id (shown source).

    The numbers are turned into text once for all regions (vectorised), then cut per region:
    this is what makes a region page cheap to build.
    """
    info = {
        (str(r["source"]), str(r["region_id"])): r
        for r in regions.to_dict(orient="records")
    }
    frame = metrics.sort_values(
        ["source", "region_id", "date"], kind="stable"
    ).reset_index(drop=True)
    source = frame["source"].astype(str).to_numpy(dtype=object)
    region = frame["region_id"].astype(str).to_numpy(dtype=object)
    new = np.ones(len(frame), dtype=bool)
    new[1:] = (source[1:] != source[:-1]) | (region[1:] != region[:-1])
    bounds = [*np.flatnonzero(new).tolist(), len(frame)]
    offsets = pa.array(bounds, type=pa.int32())
    day_text = _day_texts(frame["date"].to_numpy())
    dates = _objects(day_text)
    quoted = pc.binary_join_element_wise('"', day_text, '"', "")
    floats = {
        c: frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        for c in ("cases", "deaths", *SERIES)
    }
    decimals = {"cases": None, "deaths": None, **SERIES}
    texts = {c: _texts(floats[c], d) for c, d in decimals.items()}
    as_json = {
        "dates": _joined(quoted, offsets, ","),
        **{c: _joined(pc.fill_null(texts[c], "null"), offsets, ",") for c in SERIES},
    }
    csv_columns = ["cases", "deaths", *SERIES]
    as_csv = [pc.fill_null(texts[c], "") for c in csv_columns]
    csv_lines = pc.binary_join_element_wise(day_text, *as_csv, ",")
    csv_bodies = _joined(csv_lines, offsets, "\n")
    header = ",".join(["date", *csv_columns])
    flags = frame["flags"].fillna("").astype(str).to_numpy(dtype=object)
    position = np.arange(len(frame))
    shown = {
        "cases": (floats["cases"], 0),
        "new_cases": (floats["new_cases"], 0),
        "deaths": (floats["deaths"], 0),
        "new_deaths": (floats["new_deaths"], 0),
        "incidence": (floats["incidence_7d"], 1),
        "r_rki": (floats["r_rki"], 2),
    }
    out: dict[str, RegionFiles] = {}
    for number, (begin, end) in enumerate(itertools.pairwise(bounds)):
        key = (source[begin], region[begin])
        row = info.get(key)
        head = {
            "region_id": key[1],
            "source": key[0],
            "name": None if row is None else str(row["name"]),
            "kind": None if row is None else str(row["kind"]),
            "parent": None
            if row is None or pd.isna(row["parent"])
            else str(row["parent"]),
            "population": None
            if row is None or pd.isna(row["population"])
            else int(row["population"]),
            "vintage": dates[end - 1],
            "provisional_days": provisional_days,
        }
        marked = position[begin:end][flags[begin:end] != ""]
        parts = [json.dumps(head, ensure_ascii=False)[:-1]]
        for column, joined in as_json.items():
            parts.append(f',"{column}":[' + joined[number] + "]")
        flagged = [[int(i - begin), str(flags[i])] for i in marked]
        parts.append(',"flags":' + json.dumps(flagged) + "}")
        newest = range(end - 1, max(end - latest_days, begin) - 1, -1)
        out[key[1]] = RegionFiles(
            json="".join(parts),
            csv=header + "\n" + csv_bodies[number] + "\n",
            vintage=dates[end - 1],
            latest=[
                {
                    "date": dates[i],
                    **{k: _people(v[i], d) for k, (v, d) in shown.items()},
                }
                for i in newest
            ],
            flags=[(dates[i], str(flags[i])) for i in marked[::-1]],
        )
    return out

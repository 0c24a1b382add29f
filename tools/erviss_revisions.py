"""How ECDC's weekly ERVISS releases revise their newest weeks: the figures behind ecdc-erviss's provisional weeks (docs/guides/ecdc-erviss.md).

Reads the weekly snapshots ECDC keeps in its repository (``data/snapshots/<date>_<file>.csv``
of EU-ECDC/Respiratory_viruses_weekly_data) and prints, for each signal and each age k of a
week in its release (k = 1: the release's newest week), the share of the countries' values
later revised by more than 10 % and the 75th and 90th percentiles of
|final - value| / final, "final" being the newest snapshot's value, over the weeks at least 8
weeks older than it where that is above 0. A week is provisional while more than a quarter of
its values are revised by more than 10 % (the 75th percentile above 10 %)::

    python tools/erviss_revisions.py CHECKOUT/data/snapshots
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: The files and how a row becomes a signal (ERVISS's indicator, per pathogen).
FILES = ("ILIARIRates", "SARIRates", "SARITestsDetectionsPositivity")
TOTALS = {"SARS-CoV-2": "SARS-CoV-2", "Influenza": "total", "RSV": "RSV"}


def releases(folder: Path, name: str) -> pd.DataFrame:
    """Every snapshot of file ``name``: ``release, country, signal, age, week, value``."""
    frames = []
    for path in sorted(folder.glob(f"*_{name}.csv")):
        if path.stat().st_size == 0:  # a snapshot the copy lacks
            continue
        frame = pd.read_csv(path, keep_default_na=False)
        if "pathogen" in frame.columns:  # the pathogens' totals, no EU/EEA
            total = frame["pathogensubtype"] == frame["pathogen"].map(TOTALS)
            frame = frame[total & (frame["countryname"] != "EU/EEA")]
            frame = frame.assign(indicator=frame["indicator"] + " " + frame["pathogen"])
        frames.append(
            pd.DataFrame({
                "release": pd.Timestamp(path.name[:10]),
                "country": frame["countryname"],
                "signal": frame["indicator"],
                "age": frame["age"],
                "week": pd.to_datetime(frame["yearweek"] + "-1", format="%G-W%V-%u"),
                "value": pd.to_numeric(frame["value"], errors="coerce"),
            })
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def revisions(rows: pd.DataFrame, ages: int = 6) -> pd.DataFrame:
    """Per signal and age k of the week in its release: the share revised by more than 10 %
    and the 75th and 90th percentiles of the relative revision."""
    last = rows["release"].max()
    key = ["country", "signal", "age", "week"]
    final = rows[rows["release"] == last].set_index(key)["value"].rename("final")
    newest = rows.groupby("release")["week"].transform("max")
    rows = rows.assign(k=(newest - rows["week"]).dt.days // 7 + 1).join(final, on=key)
    rows = rows[
        (rows["release"] < last)
        & ((last - rows["week"]).dt.days >= 56)
        & (rows["final"] > 0)
        & (rows["k"] <= ages)
    ]
    change = (rows["final"] - rows["value"]).abs() / rows["final"]
    grouped = change.groupby([rows["signal"], rows["k"]])
    return pd.DataFrame({
        "over 10 %": grouped.apply(lambda c: (c > 0.1).mean()),
        "p75": grouped.quantile(0.75),
        "p90": grouped.quantile(0.9),
    }).round(3)  # fmt: skip


def main(folder: Path) -> None:
    for name in FILES:
        rows = releases(folder, name)
        first, last = rows["release"].min().date(), rows["release"].max().date()
        print(f"{name}: {rows['release'].nunique()} releases, {first} to {last}")
        table = revisions(rows)
        # the newest weeks while their 75th percentile is above 10 %
        above = (table["p75"] > 0.1).groupby(level=0)
        provisional = above.apply(lambda a: int(a.cumprod().sum()))
        print(table.to_string(), "\nprovisional weeks:", provisional.to_dict(), "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

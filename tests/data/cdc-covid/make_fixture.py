"""Writes time-series.parquet beside it: the COVID-19 Forecast Hub's target data in miniature.

Run it from anywhere (``python tests/data/cdc-covid/make_fixture.py``); the Parquet file is
committed with it. Three releases (``as_of``, Wednesdays 2021-02-24, 03-03, 03-10) of the weeks
ending Saturdays 2021-02-20, 02-27 and 03-06, for US, California (06), New York (36) and
Puerto Rico (72), written as the hub writes them: columns ``target_end_date`` (date32),
``observation`` (double), ``location`` (string), ``as_of`` (date32), ``target`` (string), no
pandas metadata, Snappy, rows in no simple order (share rows first). The quirks:

- each release restates every week before it; US is the states' sum plus 5 to 20;
- California's admissions of 02-20 are revised from 800 to 812, then back to 800 (a value
  that returns to an earlier one); New York's ED share of 02-27 is revised once;
- Puerto Rico's row of 02-27 is gone from the last release (a tombstone in the history);
- the ED shares (no Puerto Rico, as upstream) arrive with the second release.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
HOSP, ED = "wk inc covid hosp", "wk inc covid prop ed visits"
W1, W2, W3 = date(2021, 2, 20), date(2021, 2, 27), date(2021, 3, 6)
R1, R2, R3 = date(2021, 2, 24), date(2021, 3, 3), date(2021, 3, 10)

#: (release, week) -> {location: admissions}
ADMISSIONS = {
    (R1, W1): {"06": 800, "36": 500, "72": 20, "US": 1325},
    (R2, W1): {"06": 812, "36": 500, "72": 20, "US": 1337},
    (R2, W2): {"06": 700, "36": 450, "72": 15, "US": 1170},
    (R3, W1): {"06": 800, "36": 500, "72": 20, "US": 1325},
    (R3, W2): {"06": 760, "36": 470, "US": 1250},
    (R3, W3): {"06": 650, "36": 400, "72": 12, "US": 1070},
}
#: (release, week) -> {location: share of ED visits}
SHARES = {
    (R2, W1): {"06": 0.025, "36": 0.018, "US": 0.021},
    (R2, W2): {"06": 0.023, "36": 0.016, "US": 0.019},
    (R3, W1): {"06": 0.025, "36": 0.018, "US": 0.021},
    (R3, W2): {"06": 0.023, "36": 0.0165, "US": 0.019},
    (R3, W3): {"06": 0.02, "36": 0.015, "US": 0.017},
}


def rows() -> list[tuple[date, float, str, date, str]]:
    """(target_end_date, observation, location, as_of, target), share rows first, each
    target by week, location and release (as the hub's file starts)."""
    out = []
    for target, table in ((ED, SHARES), (HOSP, ADMISSIONS)):
        cells = [
            (week, float(value), location, release, target)
            for (release, week), values in table.items()
            for location, value in values.items()
        ]
        out += sorted(cells, key=lambda c: (c[0], c[2], c[3]))
    return out


def table(cells: list[tuple[date, float, str, date, str]] | None = None) -> pa.Table:
    """The rows (``cells``, default :func:`rows`) as the hub's Arrow table."""
    columns = list(zip(*(rows() if cells is None else cells), strict=True))
    return pa.table(
        {
            "target_end_date": pa.array(columns[0], pa.date32()),
            "observation": pa.array(columns[1], pa.float64()),
            "location": pa.array(columns[2], pa.string()),
            "as_of": pa.array(columns[3], pa.date32()),
            "target": pa.array(columns[4], pa.string()),
        }
    )


if __name__ == "__main__":
    pq.write_table(table(), HERE / "time-series.parquet", compression="snappy")

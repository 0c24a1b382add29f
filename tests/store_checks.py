"""What the tests of the Parquet store share (tests/store/test_store_files.py,
test_generations.py): tiny tables, their metadata, and writing them into a store."""

from __future__ import annotations

import pandas as pd

from epicurves.model import REGION_COLUMNS, add_daily
from epicurves.store import SourceMeta, Store

# -- tiny tables -------------------------------------------------------------------------------


def observations(
    source: str = "s", regions: tuple[str, ...] = ("A", "B"), days: int = 4
) -> pd.DataFrame:
    """Cumulative counts of ``days`` days from 2020-03-01; region B has no deaths on day one."""
    dates = pd.date_range("2020-03-01", periods=days, freq="D")
    rows = []
    for k, region in enumerate(regions):
        for i, day in enumerate(dates):
            deaths = pd.NA if (region == "B" and i == 0) else i
            rows.append(
                {
                    "source": source,
                    "region_id": region,
                    "date": day,
                    "cases": 10 * (k + 1) + i,
                    "deaths": deaths,
                }
            )
    frame = pd.DataFrame(rows)
    frame["deaths"] = frame["deaths"].astype("Int64")
    return add_daily(frame)


def regions_of(
    source: str = "s", regions: tuple[str, ...] = ("A", "B")
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "region_id": list(regions),
            "name": [f"Region {r}" for r in regions],
            "kind": "country",
            "parent": pd.NA,
            "population": [
                1000 * (i + 1) if i % 2 == 0 else pd.NA for i in range(len(regions))
            ],
            "source": source,
        }
    )
    return frame.astype(REGION_COLUMNS)


def meta_for(
    obs: pd.DataFrame, regions: pd.DataFrame, source: str = "s", sha: str = "0"
) -> SourceMeta:
    return SourceMeta(
        source=source,
        files={
            "f.csv": {
                "url": "https://example.org/f.csv",
                "sha256": sha * 64,
                "retrieved_at": "2024-01-01T00:00:00+00:00",
            }
        },
        updated_at="2024-01-01T00:00:00+00:00",
        first_date=str(obs["date"].min().date()),
        vintage=str(obs["date"].max().date()),
        rows=len(obs),
        regions=len(regions),
        notes=["a note"],
    )


def write(
    store: Store,
    source: str = "s",
    regions: tuple[str, ...] = ("A", "B"),
    days: int = 4,
    sha: str = "0",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    obs, reg = observations(source, regions, days), regions_of(source, regions)
    store.write(meta_for(obs, reg, source, sha), obs, reg)
    return obs, reg

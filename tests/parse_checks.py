"""What the parser tests of tests/sources share (test_jhu_nyt.py, test_germany_rki.py,
test_typed_reads.py): a source parsed from the fixture mirror, its regions and series read
back, and a source updated and loaded from the store.

The fixture dates are 2021-03-01 ... 2021-03-12 (day k = 0 ... 11) unless a test says otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import epicurves
from epicurves import Settings
from epicurves.sources import SourceData

FIRST = pd.Timestamp("2021-03-01")
LAST = pd.Timestamp("2021-03-12")


def parse(name: str, fixtures: Path) -> SourceData:
    """Parse source ``name`` from the fixture mirror through its public interface."""
    source = epicurves.get_source(name)
    return source.parse({f.name: fixtures / f.folder / f.name for f in source.files})


def region(data: SourceData, region_id: str) -> dict[str, Any]:
    """The regions-table row of ``region_id`` as a dict (exactly one row expected)."""
    rows = data.regions[data.regions["region_id"] == region_id]
    assert len(rows) == 1, f"{region_id}: {len(rows)} rows in the regions table"
    row: dict[str, Any] = rows.iloc[0].to_dict()
    return row


def facts(data: SourceData, region_id: str) -> tuple[str, str, str | None, int | None]:
    """Name, kind, parent and population of ``region_id`` (``None`` where missing)."""
    row = region(data, region_id)
    parent, population = row["parent"], row["population"]
    return (
        row["name"],
        row["kind"],
        None if pd.isna(parent) else parent,
        None if pd.isna(population) else int(population),
    )


def series(frame: pd.DataFrame, region_id: str, column: str) -> list[Any]:
    """The values of ``column`` for ``region_id``, in date order (``None`` for missing)."""
    rows = frame[frame["region_id"] == region_id].sort_values("date")
    return [None if pd.isna(v) else int(v) for v in rows[column]]


def dates(
    frame: pd.DataFrame, region_id: str
) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    """First date, last date and number of rows of ``region_id``."""
    d = frame.loc[frame["region_id"] == region_id, "date"]
    return pd.Timestamp(d.min()), pd.Timestamp(d.max()), len(d)


def value(frame: pd.DataFrame, region_id: str, date: str, column: str) -> Any:
    """One cell: ``column`` of ``region_id`` on ``date`` (``None`` when missing)."""
    rows = frame[
        (frame["region_id"] == region_id) & (frame["date"] == pd.Timestamp(date))
    ]
    assert len(rows) == 1, f"{region_id} {date}: {len(rows)} rows"
    v = rows.iloc[0][column]
    return None if pd.isna(v) else (v if isinstance(v, str) else int(v))


def stored(settings: Settings, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Update ``name`` from the fixture mirror and load what was stored for it."""
    report = epicurves.update(settings, [name])
    assert [(s.source, s.status, s.message) for s in report.sources] == [
        (name, "updated", "")
    ]
    obs = epicurves.load_observations(all_sources=True, settings=settings)
    regions = epicurves.load_regions(all_sources=True, settings=settings)
    return obs[obs["source"] == name], regions[regions["source"] == name]

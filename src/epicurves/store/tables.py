"""The store's Parquet files: each table written once under a fresh name, and read back filtered by region, date or signal."""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ROW_GROUP_ROWS",
    "read_columns",
    "read_observations",
    "read_regions",
    "read_signals",
    "write_table",
]

#: Rows per Parquet row group: a read filtered by region skips the groups it does not need.
ROW_GROUP_ROWS = 65_536


def write_table(path: Path, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Write ``frame``'s ``columns`` to a new Parquet file at ``path`` (zstd, row groups of
    :data:`ROW_GROUP_ROWS`), flushed to the disk before this returns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(frame[list(columns)], preserve_index=False)
    pq.write_table(arrow, path, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def read_regions(files: Sequence[Path]) -> pd.DataFrame:
    """The regions tables in ``files`` as one frame with the model's dtypes."""
    import pyarrow.dataset as ds

    from ..model import REGION_COLUMNS, empty_regions

    if not files:
        return empty_regions()
    table = ds.dataset([str(f) for f in files], format="parquet").to_table()
    frame: pd.DataFrame = table.to_pandas().astype(REGION_COLUMNS)
    return frame[list(REGION_COLUMNS)]


def read_observations(
    files: Sequence[Path],
    *,
    regions: Sequence[str] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Observations in ``files``, only the given regions and dates (inclusive) if given.

    Only the row groups whose statistics say they may hold a wanted region are read (the
    store's files are sorted by region), so a reader of a few regions holds only their rows.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ..model import OBSERVATION_COLUMNS, empty_observations

    if not files:
        return empty_observations()
    wanted = None if regions is None else sorted({str(r) for r in regions})
    tables = []
    for path in files:
        parquet = pq.ParquetFile(path)
        table = parquet.read_row_groups(_row_groups(parquet, wanted))
        keep = None
        if wanted is not None:
            values = pa.array(wanted, type=table.schema.field("region_id").type)
            keep = pc.is_in(table["region_id"], value_set=values)
        for bound, compare in ((start, pc.greater_equal), (end, pc.less_equal)):
            if bound is not None:
                day = pd.Timestamp(bound).to_datetime64().astype("datetime64[s]")
                term = compare(
                    table["date"], pa.scalar(day).cast(table.schema.field("date").type)
                )
                keep = term if keep is None else pc.and_(keep, term)
        tables.append(table if keep is None else table.filter(keep))
    table = pa.concat_tables(tables, promote_options="default")
    frame: pd.DataFrame = table.to_pandas().astype(OBSERVATION_COLUMNS)
    return frame[list(OBSERVATION_COLUMNS)]


def read_columns(files: Sequence[Path], columns: Sequence[str]) -> pa.Table:
    """The ``columns`` of every row of ``files`` (tables of one kind), as one Arrow table in
    the files' own types: for readers of a few columns of every row, which need neither the
    other columns nor pandas' nullable types (a tenth of :func:`read_observations`' time)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not files:
        return pa.table({name: pa.array([], pa.null()) for name in columns})
    tables = [pq.read_table(path, columns=list(columns)) for path in files]
    return pa.concat_tables(tables, promote_options="default")


def read_signals(
    files: Sequence[Path],
    *,
    regions: Sequence[str] | None = None,
    signals: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The signals tables in ``files`` as one frame, only the given regions and signals if given."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ..model import SIGNAL_COLUMNS, empty_signals

    if not files:
        return empty_signals()
    terms = [
        pc.field(column).isin(sorted({str(w) for w in wanted}))
        for column, wanted in (("region_id", regions), ("signal", signals))
        if wanted is not None
    ]
    where = None
    for term in terms:
        where = term if where is None else where & term
    # the filter skips the row groups whose statistics rule them out (files sorted by region)
    tables = [pq.read_table(path, filters=where) for path in files]
    table = pa.concat_tables(tables, promote_options="default")
    frame: pd.DataFrame = table.to_pandas()
    if "release" not in frame.columns:  # written before releases were kept
        frame["release"] = None
    return frame.astype(SIGNAL_COLUMNS)[list(SIGNAL_COLUMNS)]


def _row_groups(parquet: Any, wanted: Sequence[str] | None) -> list[int]:
    """The row groups of a Parquet file that may hold one of the ``wanted`` regions (sorted),
    by their statistics; every group if ``wanted`` is None or a group has no statistics."""
    metadata = parquet.metadata
    count = metadata.num_row_groups
    if wanted is None:
        return list(range(count))
    column = metadata.schema.to_arrow_schema().get_field_index("region_id")
    groups = []
    for number in range(count):
        stats = metadata.row_group(number).column(column).statistics
        if stats is None or not stats.has_min_max:
            groups.append(number)
            continue
        first = bisect.bisect_left(wanted, stats.min)
        if first < len(wanted) and wanted[first] <= stats.max:
            groups.append(number)
    return groups

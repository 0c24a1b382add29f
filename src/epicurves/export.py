"""The export contract: the columns of ``epicurves export``, the frame it writes, and writing a table to a file whole.

:data:`EXPORT_COLUMNS` is a contract that outside checks rely on: later versions add columns
and never rename these. :func:`load_export` gives the frame ``epicurves export`` writes, so a
notebook gets the same rows and values; :func:`write_table` writes any frame as CSV, JSON or
Parquet in one atomic step (:mod:`epicurves.files`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

from .analysis.registry import EXPORT_METRICS
from .catalog import load_metrics, load_regions
from .config import Settings
from .errors import UsageError
from .files import write_atomic
from .lazy import pd
from .store import Store

__all__ = [
    "EXPORT_COLUMNS",
    "FORMATS",
    "file_format",
    "load_export",
    "readable",
    "table_bytes",
    "write_table",
]

#: The observations' and the region's columns an export leads with.
BASE_COLUMNS: tuple[str, ...] = (
    "region_id", "name", "kind", "source", "date", "cases", "deaths", "new_cases", "new_deaths",
    "flags", "parent", "population",
)  # fmt: skip
#: Columns of ``epicurves export`` and :func:`load_export`, in order: :data:`BASE_COLUMNS`,
#: then every metric of the registry in its export order.
#:
#: >>> EXPORT_COLUMNS[:6]
#: ('region_id', 'name', 'kind', 'source', 'date', 'cases')
#: >>> len(EXPORT_COLUMNS), EXPORT_COLUMNS[12:15]
#: (33, ('incidence_7d', 'r_rki', 'r_cori'))
EXPORT_COLUMNS: tuple[str, ...] = BASE_COLUMNS + tuple(m.name for m in EXPORT_METRICS)
#: The file formats a table is written in.
FORMATS = ("csv", "json", "parquet")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers and other numbers to six decimals, for people and diffs.

    >>> readable(pd.DataFrame({"new_cases_7d_sum": [3.0], "r": [1 / 3]})).values.tolist()
    [[3, 0.333333]]
    """
    out = frame.copy()
    for column in out.columns:
        if column.endswith(("_7d_sum", "_last_week")):
            out[column] = out[column].round().astype("Int64")
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(6)
    return out


def _check_date(label: str, value: str | None) -> None:
    if value is not None and pd.isna(
        pd.to_datetime(value, format="%Y-%m-%d", errors="coerce")
    ):
        msg = f"{label} {value!r}: expected a date like 2021-03-31"
        raise UsageError(msg)


def load_export(
    regions: Iterable[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    all_sources: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The daily observations and metrics as ``epicurves export`` writes them: one row per
    region, source and date, the columns :data:`EXPORT_COLUMNS`, dates as ``YYYY-MM-DD``
    text, counts whole and other numbers to six decimals (:func:`readable`).

    Each region comes from its shown source unless ``all_sources``. Metrics are computed on
    each region's whole series, then cut to ``start``/``end`` (``YYYY-MM-DD``, inclusive).
    Everything is read from one store generation.

    >>> table = load_export(["DE"], start="2021-03-08", end="2021-03-12")
    >>> table.shape, table.columns.tolist() == list(EXPORT_COLUMNS)
    ((5, 33), True)
    >>> table[["region_id", "date", "cases", "new_cases_7d_sum", "incidence_7d"]].head(2)
      region_id        date   cases  new_cases_7d_sum  incidence_7d
    0        DE  2021-03-08  170000             70000     82.978851
    1        DE  2021-03-09  180000             70000     82.978851
    """
    if start and end and start > end:
        msg = f"--start {start} is after --end {end}"
        raise UsageError(msg)
    _check_date("--start", start)
    _check_date("--end", end)
    settings = settings or Settings.from_env()
    with Store(settings.store_dir).snapshot() as pinned:  # both reads: one generation
        frame = load_metrics(
            None if regions is None else list(regions), start, end,
            all_sources=all_sources, settings=settings, snapshot=pinned,
        )  # fmt: skip
        names = load_regions(all_sources=True, settings=settings, snapshot=pinned)
    frame = frame.merge(names, on=["region_id", "source"], how="left")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return readable(frame[list(EXPORT_COLUMNS)])


def file_format(out: str, fmt: str | None = None) -> str:
    """The format to write ``out`` in: ``fmt`` if given, CSV for ``-`` (standard output),
    else the file name's suffix; another suffix is a :class:`~epicurves.UsageError`.

    >>> file_format("a.parquet"), file_format("-"), file_format("a.txt", "json")
    ('parquet', 'csv', 'json')
    """
    if fmt:
        return fmt
    if out == "-":
        return "csv"
    suffix = Path(out).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        msg = f"--out {out}: name a .csv, .json or .parquet file, or give --format"
        raise UsageError(msg)
    return suffix


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` as a CSV (``\\n`` line ends), JSON (a list of records, missing as null) or
    Parquet file's bytes."""
    if fmt == "json":
        records = (
            frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        )
        return json.dumps(records, ensure_ascii=False, default=str).encode()
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n").encode()
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    msg = f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}"
    raise UsageError(msg)


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None) -> None:
    """Write ``frame`` to the file ``path`` whole (a reader sees the old file or the new one),
    in ``fmt`` or the format its suffix names (:func:`file_format`)."""
    target = Path(path)
    if target.is_dir():
        msg = f"--out {target} is a folder: expected a file name"
        raise UsageError(msg)
    data = table_bytes(frame, file_format(str(path), fmt))
    write_atomic(target, data)

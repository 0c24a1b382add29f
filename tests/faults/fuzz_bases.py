"""The fuzzer's clean inputs: each source's fixture files and, where ../shared/data holds them all, a sample of the real ones.

:func:`bases` gives them by source; :func:`_parse` parses a source's files as the fuzzer
mutated them, telling epicurves' own refusal from acceptance (anything else escapes).
"""

from __future__ import annotations

import functools
import gzip
import tempfile
from pathlib import Path

from epicurves.errors import EpicurvesError
from epicurves.sources import SOURCES, get_source

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "data"
SHARED_DATA = HERE.parent.parent.parent / "shared" / "data"
NAMES = tuple(SOURCES)


# -- the clean inputs ------------------------------------------------------------------------
#: Lines of a real file kept as a base: enough rows for a few days of every key.
REAL_ROWS = 40
#: Date columns kept of a wide JHU table (its key columns are kept too).
REAL_DATE_COLUMNS = 30


def _real_bytes(folder: str, name: str) -> bytes | None:
    path = SHARED_DATA / folder / (name + ".gz")
    if not path.is_file():
        path = SHARED_DATA / folder / name
        if not path.is_file():
            return None
        return path.read_bytes()
    return gzip.decompress(path.read_bytes())


def _real_sample(folder: str, name: str, data: bytes) -> bytes:
    """A small, still consistent, piece of a real file: the header and a block of lines."""
    if name.endswith(".json") or name == "locations.csv":
        return data  # whole: every location of the sampled rows must be in it
    if name.endswith(".parquet"):
        return _parquet_sample(data)
    lines = data.splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    if name.startswith("UID_ISO_FIPS"):
        # countries and states (no counties): the rows the parsers use
        keep = [r for r in rows if r.split(b",")[5:6] == [b""]]
        return header + b"".join(keep)
    if name.startswith("time_series_covid19"):
        # the same countries in confirmed and deaths (both are in the same order); the key
        # columns (4; quoted commas do not occur in the global tables) and a few dates
        width = 4 + REAL_DATE_COLUMNS
        block = rows[len(rows) // 3 : len(rows) // 3 + REAL_ROWS]
        cut = [
            b",".join(line.rstrip(b"\r\n").split(b",")[:width]) + b"\n"
            for line in [header, *block]
        ]
        return b"".join(cut)
    # long files: a block from the middle, so that each key has consecutive days
    start = len(rows) // 2
    return header + b"".join(rows[start : start + REAL_ROWS])


def _parquet_sample(data: bytes) -> bytes:
    """cdc-covid's file cut down with Arrow (not by bytes): its last three releases of three
    locations, each release still whole for them."""
    import io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    releases = pc.unique(table["as_of"]).sort()[-3:]
    keep = pc.and_(
        pc.is_in(table["as_of"], value_set=releases),
        pc.is_in(table["location"], value_set=pa.array(["US", "06", "36"])),
    )
    out = io.BytesIO()
    pq.write_table(table.filter(keep), out)
    return out.getvalue()


@functools.cache
def bases(name: str) -> dict[str, dict[str, bytes]]:
    """The clean inputs of source ``name``: ``fixture`` and, where all files are there,
    ``real``; each maps the upstream file name to its bytes."""
    source = get_source(name)
    out = {
        "fixture": {
            f.name: (FIXTURES / f.folder / f.name).read_bytes() for f in source.files
        }
    }
    real = {f.name: _real_bytes(f.folder, f.name) for f in source.files}
    if all(v is not None for v in real.values()):
        out["real"] = {
            f.name: _real_sample(f.folder, f.name, real[f.name])  # type: ignore[arg-type]
            for f in source.files
        }
    return out


# -- parsing a source's files --------------------------------------------------------------
def _write(folder: Path, name: str, files: dict[str, bytes]) -> dict[str, Path]:
    """Write the files as a mirror folder (``<folder>/<source folder>/<file>``)."""
    paths = {}
    for upstream in get_source(name).files:
        path = folder / upstream.folder / upstream.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[upstream.name])
        paths[upstream.name] = path
    return paths


def _parse(name: str, files: dict[str, bytes]) -> str:
    """Parse the files; ``refused`` (an EpicurvesError) or ``accepted``; anything else escapes."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        paths = _write(Path(tmp), name, files)
        try:
            get_source(name).parse(paths)
        except EpicurvesError:
            return "refused"
    return "accepted"

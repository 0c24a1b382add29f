"""Write a mirror in which RKI's files gain one new day: the input of `bench/run.py`.

Owns the "one new RKI day" mirror. Given a mirror folder (usually the scale mirror: the shared
data plus the synthetic full-size state and district files of ``../shared/scale``), writes a new
mirror whose RKI files gain the day after their last date, in exactly the upstream format
(same columns and order, no quoting, LF, whole numbers without ``.0``, ``Inzidenz_7-Tage``
rounded to one decimal), gzip-compressed like the originals. The existing bytes are kept: the
new rows are text lines appended to the decompressed content. Every other file is a hard link
(or a copy) of the original.

- variant ``national``: ``COVID-19-Faelle_7-Tage-Inzidenz_Deutschland`` gains one row per age
  group and ``COVID-19-Todesfaelle_Deutschland`` one row;
- variant ``all``: the same, plus every state x age group in ``..._Bundeslaender`` and every
  district (``u`` and ``17000`` included) in ``..._Landkreise``.

Each key (age group, state, district) gets the last day's ``Faelle_neu`` again, so the files
stay consistent with one another (states sum to the nation, districts to the states).
The values are synthetic benchmark inputs, not RKI data.

Run on demand::

    python bench/newday.py MIRROR OUT [--variant national|all] [--days N] [--check]

``--days N`` gains N days, one after the other (each from the one before; the files between
are removed). ``--check`` fills a temporary home from MIRROR, then runs ``epicurves update
--mirror OUT`` and verifies that exactly the expected sources are updated, to the new date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

NATIONAL = "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv.gz"
DEATHS = "COVID-19-Todesfaelle_Deutschland.csv.gz"
STATES = "COVID-19-Faelle_7-Tage-Inzidenz_Bundeslaender.csv.gz"
DISTRICTS = "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv.gz"

# Files of rki/ that gain a day, and the sources `epicurves update` must then report updated.
CASE_FILES = {"national": [NATIONAL], "all": [NATIONAL, STATES, DISTRICTS]}
UPDATED = {"national": {"rki"}, "all": {"rki", "rki-states", "rki-districts"}}

DATE = "Meldedatum"
VALUES = [
    "Bevoelkerung",
    "Faelle_gesamt",
    "Faelle_neu",
    "Faelle_7-Tage",
    "Inzidenz_7-Tage",
]


def epicurves_command() -> list[str]:
    """The `epicurves` script next to this Python, else ``python -m epicurves``."""
    script = Path(sys.executable).with_name("epicurves")
    return [str(script)] if script.exists() else [sys.executable, "-m", "epicurves"]


# --- format -------------------------------------------------------------------------------


def number(value: float, decimals: int) -> str:
    """RKI's number format: rounded, no trailing zeros, whole numbers without a point."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def next_day(date: str) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


def read_strings(text: bytes) -> pa.Table:
    """The CSV with every column as text, exactly as written."""
    header = text[: text.index(b"\n")].decode().split(",")
    types = {name: pa.string() for name in header}
    return pacsv.read_csv(
        pa.py_buffer(text), convert_options=pacsv.ConvertOptions(column_types=types)
    )


def gzip_like(original: bytes, text: bytes) -> bytes:
    """Compress as the original was: level 9, mtime 0, its stored file name and OS byte."""
    name = ""
    if original[3] & 0x08:  # FNAME: a zero-terminated name after the 10-byte header
        name = original[10 : original.index(b"\0", 10)].decode("latin-1")
    buffer = io.BytesIO()
    with gzip.GzipFile(name, "wb", 9, buffer, mtime=0) as out:
        out.write(text)
    data = bytearray(buffer.getvalue())
    data[9] = original[9]
    return bytes(data)


# --- new rows -----------------------------------------------------------------------------


def new_case_rows(table: pa.Table) -> tuple[str, list[dict[str, str]]]:
    """The next day's rows of a 7-day-incidence file, in the file's order of its last day."""
    last = pc.max(table[DATE]).as_py()
    last_six = [
        (dt.date.fromisoformat(last) - dt.timedelta(days=d)).isoformat()
        for d in range(6)
    ]
    recent = table.filter(pc.is_in(table[DATE], pa.array(last_six))).to_pylist()
    keys = [c for c in table.column_names if c not in (DATE, *VALUES)]
    six_days: Counter[tuple[str, ...]] = Counter()
    for row in recent:
        six_days[tuple(row[k] for k in keys)] += int(row["Faelle_neu"])
    date = next_day(last)
    rows = []
    for row in (r for r in recent if r[DATE] == last):
        new = int(row["Faelle_neu"])
        week_sum = six_days[tuple(row[k] for k in keys)] + new
        population = int(row["Bevoelkerung"])
        incidence = week_sum / population * 100_000 if population else 0
        row |= {
            DATE: date,
            "Faelle_gesamt": str(int(row["Faelle_gesamt"]) + new),
            "Faelle_neu": str(new),
            "Faelle_7-Tage": str(week_sum),
            "Inzidenz_7-Tage": number(incidence, 1),
        }
        rows.append(row)
    return date, rows


def new_deaths_row(table: pa.Table, date: str, cases_total: int) -> dict[str, str]:
    """The next day of the national deaths file, with the national file's new case total."""
    last: dict[str, str] = table.slice(table.num_rows - 1).to_pylist()[0]
    if next_day(last["Berichtsdatum"]) != date:
        sys.exit(
            f"{DEATHS} ends on {last['Berichtsdatum']}, the case files the day before {date}"
        )
    new = int(last["Todesfaelle_neu"])
    deaths = int(last["Todesfaelle_gesamt"]) + new
    return last | {
        "Berichtsdatum": date,
        "Faelle_gesamt": str(cases_total),
        "Todesfaelle_gesamt": str(deaths),
        "Todesfaelle_neu": str(new),
        "Fall-Verstorbenen-Anteil": number(deaths / cases_total, 4),
    }


def append_rows(
    source: Path,
    target: Path,
    build_rows: Callable[[pa.Table], tuple[str, list[dict[str, str]]]],
) -> tuple[str, list[dict[str, str]]]:
    """Write ``target``: ``source`` with the rows of ``build_rows(table)`` appended."""
    original = source.read_bytes()
    text = gzip.decompress(original)
    if not text.endswith(b"\n"):
        sys.exit(f"{source}: does not end with a line feed")
    table = read_strings(text)
    date, rows = build_rows(table)
    lines = "".join(",".join(row[c] for c in table.column_names) + "\n" for row in rows)
    target.write_bytes(gzip_like(original, text + lines.encode()))
    return date, rows


# --- mirror -------------------------------------------------------------------------------


def link_tree(source: Path, target: Path, skip: set[Path]) -> None:
    """Recreate ``source`` under ``target`` with hard links (copies across file systems)."""
    for path in sorted(source.rglob("*")):
        copy = target / path.relative_to(source)
        if path.is_dir():
            copy.mkdir(parents=True, exist_ok=True)
        elif path not in skip:
            try:
                os.link(path, copy)
            except OSError:
                shutil.copy2(path, copy)


def write_new_day_mirror(mirror: Path, out: Path, variant: str = "national") -> str:
    """Write ``out``: ``mirror`` whose RKI files gain one day. Returns the new date."""
    rki, new_rki = mirror / "rki", out / "rki"
    changed = [rki / name for name in [*CASE_FILES[variant], DEATHS]]
    out.mkdir(parents=True)
    link_tree(mirror, out, set(changed))
    added = {
        name: append_rows(rki / name, new_rki / name, new_case_rows)
        for name in CASE_FILES[variant]
    }
    dates = {date for date, _ in added.values()}
    if len(dates) != 1:
        sys.exit(f"the RKI files do not end on the same day: {sorted(dates)}")
    (date,) = dates
    total = next(
        int(r["Faelle_gesamt"])
        for r in added[NATIONAL][1]
        if r["Altersgruppe"] == "00+"
    )
    append_rows(
        rki / DEATHS,
        new_rki / DEATHS,
        lambda t: (date, [new_deaths_row(t, date, total)]),
    )
    return date


def write_days_mirror(mirror: Path, out: Path, variant: str, days: int) -> str:
    """Write ``out``: ``mirror`` whose RKI files gain ``days`` days. Returns the last date."""
    if days == 1:
        return write_new_day_mirror(mirror, out, variant)
    with tempfile.TemporaryDirectory(prefix="days-", dir=out.parent) as tmp:
        before = Path(tmp) / "day"
        write_days_mirror(mirror, before, variant, days - 1)
        return write_new_day_mirror(before, out, variant)


# --- check --------------------------------------------------------------------------------


def update_report(home: Path, mirror: Path) -> dict[str, tuple[str, str]]:
    """``epicurves update --mirror MIRROR``: source -> (status, vintage), from its table."""
    env = os.environ | {"EPICURVES_HOME": str(home), "COLUMNS": "300", "NO_COLOR": "1"}
    command = [*epicurves_command(), "update", "--mirror", str(mirror)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    rows = [
        [cell.strip() for cell in line.strip("┃│ ").split(line[0])]
        for line in done.stdout.splitlines()
        if line[:1] in ("┃", "│")
    ]
    if not rows or "status" not in rows[0] or "vintage" not in rows[0]:
        sys.exit(f"cannot read the table of `epicurves update`:\n{done.stdout}")
    status, vintage = rows[0].index("status"), rows[0].index("vintage")
    return {row[0]: (row[status], row[vintage]) for row in rows[1:] if row[0]}


def check_update(home: Path, new_mirror: Path, variant: str, date: str) -> str:
    """Update ``home`` (filled from the base mirror) from ``new_mirror``; exit on a surprise.

    The sources of the variant must be updated to ``date``, every other one unchanged.
    """
    report = update_report(home, new_mirror)
    got = {s: f"{status} {vintage}" for s, (status, vintage) in report.items()}
    sources = [*report, *sorted(UPDATED[variant] - report.keys())]
    expected = {
        s: f"updated {date}" if s in UPDATED[variant] else f"unchanged {report[s][1]}"
        for s in sources
    }
    if got != expected:
        sys.exit(
            f"new-day mirror ({variant}): expected {expected}, `epicurves update` gave {got}"
        )
    return ", ".join(f"{s} {text}" for s, text in got.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "mirror", type=Path, help="the mirror to extend (e.g. the scale mirror)"
    )
    parser.add_argument("out", type=Path, help="the new mirror folder (must not exist)")
    parser.add_argument("--variant", choices=sorted(CASE_FILES), default="national")
    parser.add_argument("--days", type=int, default=1, help="how many days (default 1)")
    parser.add_argument(
        "--check", action="store_true", help="verify with `epicurves update`"
    )
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists")
    if args.days < 1:
        parser.error("--days must be at least 1")
    date = write_days_mirror(args.mirror, args.out, args.variant, args.days)
    days = "" if args.days == 1 else f"{args.days} days, the last "
    print(f"wrote {args.out}: RKI files ({args.variant}) gain {days}{date}")
    if args.check:
        with tempfile.TemporaryDirectory(prefix="epicurves-newday-") as home:
            update_report(Path(home), args.mirror)
            print("check:", check_update(Path(home), args.out, args.variant, date))


if __name__ == "__main__":
    main()

"""Benchmark: CDC's US sources — their ingest, and a daily run that brings one new release.

Owns two figures of "Live in 2026 in the US":

- **ingest**: ``cdc-covid`` and ``cdc-flu`` parsed, validated and stored from an empty home
  (``update --source cdc-covid --source cdc-flu``): the seconds of the update itself (the
  process's Python start and imports apart, printed by the child), the whole process's wall
  time, and its peak memory;
- **one new release**: ``epicurves run`` on the shared data when the home and site were made
  from the same data without cdc-covid's newest release (the weekly case of a live US source).

Run on demand (not part of the test suite)::

    python bench/us.py [--data ../shared/data] [--runs 5] [--work DIR]

Each run is a new process in a fresh copy of its starting state; medians, minimum and maximum
are printed, as a Markdown table for the documentation's benchmarks page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
from processes import discard  # finished runs put aside: see its docstring

ROOT = Path(__file__).resolve().parent.parent
COVID = Path("cdc-covid") / "time-series.parquet"

#: The child that times the update itself, after Python and epicurves are imported.
INGEST = """
import sys, time
from pathlib import Path
from epicurves.config import Settings
from epicurves.pipeline import update
settings = Settings(home=Path(sys.argv[1]), mirror=Path(sys.argv[2]))
started = time.perf_counter()
report = update(settings, ["cdc-covid", "cdc-flu"])
seconds = time.perf_counter() - started
assert {s.status for s in report.sources} == {"updated"}, report.sources
print(f"{seconds:.4f}")
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and standard output of one process (``os.wait4``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({status}): {' '.join(command)}")
    return wall, usage.ru_maxrss / 1024, out


def previous_release(data: Path, out: Path) -> str:
    """A mirror like ``data`` whose cdc-covid file lacks its newest release; returns it."""
    shutil.copytree(data, out, copy_function=os.link)
    path = out / COVID
    table = pq.read_table(path)
    newest: dt.date = pc.max(table["as_of"]).as_py()
    path.unlink()  # a link to the original: write a new file
    pq.write_table(table.filter(pc.not_equal(table["as_of"], newest)), path)
    return newest.isoformat()


def env_for(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EPICURVES_")}
    return clean | {"EPICURVES_HOME": str(home)}


def spread(values: list[float], unit: str, digits: int = 2) -> list[str]:
    return [
        f"{statistics.median(values):.{digits}f} {unit}",
        f"{min(values):.{digits}f} {unit}",
        f"{max(values):.{digits}f} {unit}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, help="make the temporary folder here")
    args = parser.parse_args()
    python = sys.executable
    rows = []
    with tempfile.TemporaryDirectory(
        prefix="epicurves-bench-us-", dir=args.work
    ) as tmp:
        work = Path(tmp)
        inner, wall, peak = [], [], []
        for i in range(args.runs + 1):  # the first is a warm-up
            home = work / f"ingest-{i}"
            took, mib, out = timed(
                [python, "-c", INGEST, str(home), str(args.data)], env_for(home)
            )
            discard(home, work)
            if i:
                inner.append(float(out.strip()))
                wall.append(took)
                peak.append(mib)
        rows.append(
            [
                "ingest of cdc-covid and cdc-flu (the update itself)",
                *spread(inner, "s"),
                f"{max(peak):.0f}",
                "≤ 1 s, ≤ 500 MiB",
            ]
        )
        rows.append(
            ["the same, whole process", *spread(wall, "s"), f"{max(peak):.0f}", ""]
        )

        mirror = work / "previous"
        release = previous_release(args.data, mirror)
        prepared = work / "prepared"
        run = [python, "-m", "epicurves", "run", "--out", str(prepared / "site")]
        timed([*run, "--mirror", str(mirror)], env_for(prepared / "home"))
        walls, peaks = [], []
        for i in range(args.runs + 1):
            state = work / "state"
            shutil.copytree(prepared, state, symlinks=True)
            command = [python, "-m", "epicurves", "run", "--out", str(state / "site")]
            took, mib, _ = timed(
                [*command, "--mirror", str(args.data.resolve())],
                env_for(state / "home"),
            )
            discard(state, work)
            if i:
                walls.append(took)
                peaks.append(mib)
        rows.append(
            [
                f"`run` with one new cdc-covid release ({release})",
                *spread(walls, "s"),
                f"{max(peaks):.0f}",
                "≤ 1.5 s",
            ]
        )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, {dt.date.today()}; runs: {args.runs} (+1 warm-up)"
    )
    print()
    print("| measure | median | min | max | peak MiB | target |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

"""Benchmark: wall time and peak memory of a full `epicurves update --mirror ../shared/data`.

Run on demand (not part of the test suite)::

    python bench/update.py [--mirror ../shared/data] [--runs 5]

Each run starts from an empty EPICURVES_HOME (a cold, full ingest of every source in the
mirror) in a new process; a second update of the same, unchanged files is timed too. Prints the
median, minimum and maximum of the wall time and of the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(home: Path, mirror: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `epicurves update` in a fresh process."""
    env = os.environ | {"EPICURVES_HOME": str(home), "EPICURVES_MIRROR": str(mirror)}
    command = [sys.executable, "-m", "epicurves", "update"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage (Unix only)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(
            f"epicurves update failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def summary(label: str, values: list[float], unit: str) -> str:
    return (
        f"{label:<28} median {statistics.median(values):8.2f} {unit}   "
        f"min {min(values):8.2f}   max {max(values):8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.mirror.is_dir():
        sys.exit(f"mirror folder {args.mirror} not found")
    cold_wall, cold_mem, warm_wall, warm_mem = [], [], [], []
    for _ in range(args.runs):
        home = Path(tempfile.mkdtemp(prefix="epicurves-bench-"))
        try:
            wall, mem = run_once(home, args.mirror)
            cold_wall.append(wall)
            cold_mem.append(mem)
            wall, mem = run_once(home, args.mirror)
            warm_wall.append(wall)
            warm_mem.append(mem)
        finally:
            shutil.rmtree(home, ignore_errors=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"runs: {args.runs}, mirror: {args.mirror}")
    print(summary("full update, wall", cold_wall, "s"))
    print(summary("full update, peak memory", cold_mem, "MiB"))
    print(summary("unchanged update, wall", warm_wall, "s"))
    print(summary("unchanged update, peak memory", warm_mem, "MiB"))


if __name__ == "__main__":
    main()

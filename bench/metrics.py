"""Benchmark: every metric for every region, from the store (load + compute_metrics), and
every surveillance signal (load_signals).

Run on demand (not part of the test suite)::

    python bench/metrics.py [--mirror ../shared/data] [--runs 5]

Fills a temporary store from the mirror once, then times, in this process, loading every
region's observations and regions (shown source) and computing all metrics (Cori included),
and loading every signal of every region, ``--runs`` times. Prints the median, minimum and
maximum, and the number of regions and rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import epicurves

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.mirror.is_dir():
        sys.exit(f"mirror folder {args.mirror} not found")
    with tempfile.TemporaryDirectory(prefix="epicurves-bench-") as home:
        settings = epicurves.Settings(home=Path(home), mirror=args.mirror)
        epicurves.update(settings)
        load, compute, total, signal_load = [], [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            observations = epicurves.load_observations(settings=settings)
            regions = epicurves.load_regions(all_sources=True, settings=settings)
            loaded = time.perf_counter()
            metrics = epicurves.compute_metrics(observations, regions)
            done = time.perf_counter()
            load.append(loaded - started)
            compute.append(done - loaded)
            total.append(done - started)
            signals = epicurves.load_signals(settings=settings)
            signal_load.append(time.perf_counter() - done)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"regions: {metrics['region_id'].nunique()}, rows: {len(metrics):,}, "
        f"metric columns: {len(epicurves.METRIC_COLUMNS)}, signal rows: {len(signals):,}, "
        f"runs: {args.runs}"
    )
    for label, values in (
        ("load", load),
        ("compute_metrics", compute),
        ("total", total),
        ("load_signals", signal_load),
    ):
        print(
            f"{label:<16} median {statistics.median(values):6.3f} s   "
            f"min {min(values):6.3f}   max {max(values):6.3f}"
        )


if __name__ == "__main__":
    main()

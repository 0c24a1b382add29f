"""Benchmark: forecasts — their speed, and how good they are against the hubs' baseline.

Owns the figures of "Where is it heading?":

- **one reference date**: ``epicurves forecast`` with every model, every live series at its
  newest reference date; and a backtest's seconds per reference date;
- **full backtest**: ``epicurves backtest`` of every series at every reference date from a
  store of ``--data`` with no backtest yet; then again with ``--scheduler local`` (a Dask
  LocalCluster), whose stored scores must be the same bytes;
- **accuracy**: the ensemble's relative WIS against the baseline and its coverage, on the
  evaluation periods of the targets the issue names, from the stored scores.

Run on demand (not part of the test suite)::

    python bench/forecast.py [--data ../shared/data] [--runs 3] [--work DIR]

Prints a machine line and Markdown tables for the documentation (guides/forecasts.md and
explanations/benchmarks.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from processes import become_subreaper, discard, reap_orphans
from us import env_for, spread  # bench/us.py: the same environment and table cells

ROOT = Path(__file__).resolve().parent.parent

#: The accuracy targets: (label, target, reference dates, regions, horizons, bound per horizon).
GERMAN_STATES = [
    "DE-BB", "DE-BE", "DE-BW", "DE-BY", "DE-HB", "DE-HE", "DE-HH", "DE-MV", "DE-NI", "DE-NW",
    "DE-RP", "DE-SH", "DE-SL", "DE-SN", "DE-ST", "DE-TH",
]  # fmt: skip
ACCURACY = [
    ("US COVID-19 admissions, 52 locations without US", "wk inc covid hosp",
     ("2025-07-05", "2026-08-22"), None, (0.78, 0.75, 0.78, 0.79)),
    ("US influenza admissions (final data: optimistic)", "wk inc flu hosp",
     ("2025-07-05", "2026-06-27"), None, (0.70,) * 4),
    ("German weekly cases, DE and 16 states (final data)", "wk inc case",
     ("2021-07-03", "2099-12-31"), ["DE", *GERMAN_STATES], (0.80,) * 4),
    ("German weekly deaths, DE (final data)", "wk inc death",
     ("2021-07-03", "2099-12-31"), ["DE"], (0.80,) * 4),
]  # fmt: skip


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command: the largest of its process and its
    descendants (a process pool's workers, adopted: :func:`processes.become_subreaper`)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({status}): {' '.join(command)}\n{err.decode()[-2000:]}")
    return wall, max(usage.ru_maxrss, reap_orphans()) / 1024  # Linux reports KiB


def digest(folder: Path) -> str:
    """One hash of the stored scores (every target's files, one per quarter)."""
    h = hashlib.sha256()
    for path in sorted(folder.glob("scores-*/*.parquet")):
        h.update(
            f"{path.parent.name}/{path.name}".encode()
            + pd.read_parquet(path).to_csv(index=False).encode()
        )
    return h.hexdigest()[:16]


def accuracy(scores: pd.DataFrame) -> list[list[str]]:
    from epicurves.forecast.scoring import relative_wis

    rows = []
    for label, target, (first, last), regions, bounds in ACCURACY:
        part = scores[
            (scores["target"] == target)
            & (scores["reference_date"] >= pd.Timestamp(first))
            & (scores["reference_date"] <= pd.Timestamp(last))
            & scores["horizon"].between(0, 3)
        ]
        part = (
            part[part["region_id"] != "US"]
            if regions is None
            else part[part["region_id"].isin(regions)]
        )
        if part.empty:
            rows.append([label, "no scores", "", "", "", ""])
            continue
        card = relative_wis(part, by=("horizon",))
        ens = card[card["model"] == "ensemble"].set_index("horizon")
        relative = ens["relative_wis"].reindex(range(4)).astype(float).tolist()
        rel = " / ".join(f"{value:.3f}" for value in relative)
        met = all(value <= b for value, b in zip(relative, bounds, strict=True))
        cov = (
            f"{ens['coverage_50'].min():.2f}-{ens['coverage_50'].max():.2f} / "
            f"{ens['coverage_95'].min():.2f}-{ens['coverage_95'].max():.2f}"
        )
        target_text = " / ".join(f"{b:.2f}" for b in bounds)
        rows.append([label, rel, cov, f"{int(ens['n'].min()):,}", f"≤ {target_text}",
                     "met" if met else "missed"])  # fmt: skip
        others = card[card["model"] != "ensemble"].groupby("model")["relative_wis"]
        worst = {str(m): f"{v.max():.2f}" for m, v in others}
        rows[-1].append(", ".join(f"{m} ≤ {v}" for m, v in worst.items()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="make the temporary folder here")
    args = parser.parse_args()
    become_subreaper()  # the workers' memory is counted with their command's
    python = sys.executable
    epicurves = [python, "-m", "epicurves"]
    rows: list[list[str]] = []
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="epicurves-bench-fc-", dir=args.work
    ) as tmp:
        work = Path(tmp)
        home = work / "home"
        timed(
            [*epicurves, "update", "--mirror", str(args.data.resolve())], env_for(home)
        )
        from epicurves.forecast.engine import MODELS

        models = [*MODELS, "ensemble"]
        every = [a for m in models for a in ("--model", m)]
        walls, peaks = [], []
        for i in range(args.runs + 1):
            took, mib = timed([*epicurves, "forecast", *every, "--out", str(work / "f.parquet")],
                              env_for(home))  # fmt: skip
            if i:
                walls.append(took)
                peaks.append(mib)
        rows.append(["`forecast`: every model, every live series, its newest reference date",
                     *spread(walls, "s"), f"{max(peaks):.0f}", "≤ 5 s, ≤ 1 GiB"])  # fmt: skip
        walls, peaks, hashes = [], [], set()
        for i in range(args.runs):
            state = work / f"state{i}"
            shutil.copytree(home, state, symlinks=True)
            took, mib = timed([*epicurves, "backtest"], env_for(state))
            walls.append(took)
            peaks.append(mib)
            hashes.add(digest(state / "forecasts"))
            if i < args.runs - 1:
                discard(state, work)
        scores = pd.concat(
            [
                pd.read_parquet(p)
                for p in sorted((state / "forecasts").glob("scores-*/*.parquet"))
            ]
        )
        dates = scores.groupby("target")["reference_date"].nunique().sum()
        rows.append(["full `backtest`: every series, every reference date (2 processes)",
                     *spread(walls, "s"), f"{max(peaks):.0f}", "≤ 120 s"])  # fmt: skip
        per = [w / dates for w in walls]
        rows.append([f"the same, per reference date of a target ({dates} in all)",
                     *spread([p * 1000 for p in per], "ms", 0), "", ""])  # fmt: skip
        dask_state = work / "dask"
        shutil.copytree(home, dask_state, symlinks=True)
        took, mib = timed(
            [*epicurves, "backtest", "--scheduler", "local"], env_for(dask_state)
        )
        same = digest(dask_state / "forecasts") in hashes and len(hashes) == 1
        rows.append(["full `backtest --scheduler local` (Dask LocalCluster)",
                     f"{took:.2f} s", "", "", f"{mib:.0f}",
                     "same bytes" + (" ✓" if same else " ✗ DIFFERENT")])  # fmt: skip
        rows_accuracy = accuracy(scores)
        count = len(scores)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, {dt.date.today()}; runs: {args.runs}; "
        f"{count:,} scored forecasts"
    )
    print()
    print("| measure | median | min | max | peak MiB | target |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("| evaluation | ensemble's relative WIS, horizons 0 / 1 / 2 / 3 | coverage 50 % / 95 % "
          "| forecasts per horizon | target | | each model's worst horizon |")  # fmt: skip
    print("|---|---|---|---:|---|---|---|")
    for row in rows_accuracy:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

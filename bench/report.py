"""The report of `bench/run.py`: the machine line, the Markdown table and the raw numbers as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from processes import Run
from scenarios import MEASURES, PER_REGION_TARGET_MS, Pair, Results

HEADER = [
    "measure",
    "median s",
    "min",
    "max",
    "ratio to full (median)",
    "peak MiB (max)",
]
BASELINE_HEADER = ["baseline median", "baseline ratio to full", "current / baseline"]


def md_row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def spread(values: list[float], unit: str) -> list[str]:
    """Median, minimum and maximum."""
    return [
        f"{v:.2f} {unit}" for v in (statistics.median(values), min(values), max(values))
    ]


def peak(runs: list[Run]) -> str:
    return f"{max(r.peak_mib for r in runs):.0f}"


@dataclass
class Measure:
    """One row of the table, for one revision: its runs, and their ratios to full runs."""

    label: str
    target: str
    runs: list[Run]
    ratios: list[float]
    per_region: bool = False

    def values(self) -> list[float]:
        if self.per_region:
            return [1000 * r.wall_s / (r.regions or 1) for r in self.runs]
        return [r.wall_s for r in self.runs]


def measures(results: dict[str, list[Pair]]) -> list[Measure]:
    """The rows of one revision: full runs, each scenario, `build --full` per region."""
    fulls = [pair.full for pairs in results.values() for pair in pairs]
    rows = [Measure(*MEASURES["full"], fulls, [1.0])]
    for name, pairs in results.items():
        if name == "full":
            continue
        runs = [pair.scenario for pair in pairs]
        rows.append(Measure(*MEASURES[name], runs, [pair.ratio for pair in pairs]))
        if name.startswith("build-full"):
            again = ", built once before" if name == "build-full-again" else ""
            label = f"`build --full`{again}: wall ÷ regions ({runs[0].regions} regions)"
            target = f"≤ {PER_REGION_TARGET_MS} ms"
            rows.append(Measure(label, target, runs, [], per_region=True))
    return rows


def table(results: Results, baseline: str | None = None) -> list[str]:
    """The Markdown table of the current revision (beside the baseline's, if measured): one
    row per measure, then the peak memory over every run."""
    mine = measures(results["current"])
    theirs = measures(results[baseline]) if baseline else []
    header = [*HEADER, *(BASELINE_HEADER if baseline else []), "target"]
    lines = [md_row(*header), md_row("---", *["---:"] * (len(header) - 1))]
    for i, row in enumerate(mine):
        unit = "ms" if row.per_region else "s"
        ratio = f"{statistics.median(row.ratios):.2f}" if row.ratios else ""
        peak_mib = "" if row.per_region else peak(row.runs)
        cells = [row.label, *spread(row.values(), unit), ratio, peak_mib]
        if baseline:
            other = theirs[i]
            base = statistics.median(other.values())
            base_ratio = (
                f"{statistics.median(other.ratios):.2f}" if other.ratios else ""
            )
            relative = statistics.median(row.values()) / base
            cells += [f"{base:.2f} {unit}", base_ratio, f"{relative:.2f}"]
        lines.append(md_row(*cells, row.target))
    every = [run for row in mine for run in row.runs]
    last = ["peak memory, any process, all runs", "", "", "", "", peak(every)]
    if baseline:
        last += [f"{peak([r for row in theirs for r in row.runs])} MiB", "", ""]
    lines.append(md_row(*last, "≤ 1 GiB"))
    return lines


def machine() -> dict[str, str | int | None]:
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
    }


def write_json(path: Path, results: Results, args: argparse.Namespace) -> None:
    def raw(scenarios: dict[str, list[Pair]]) -> dict[str, list[dict[str, Any]]]:
        return {
            name: [asdict(p) | {"ratio": p.ratio} for p in pairs]
            for name, pairs in scenarios.items()
        }

    out = {
        **machine(),
        "runs": args.runs,
        "data": str(args.data),
        "scale": str(args.scale),
        "scenarios": raw(results["current"]),
    }
    if args.baseline:
        out["baseline"] = {"revision": args.baseline} | {
            "scenarios": raw(results[baseline_label(args)])
        }
    path.write_text(json.dumps(out, indent=2) + "\n")


def baseline_label(args: argparse.Namespace) -> str:
    return f"baseline {args.baseline}"


def report(results: Results, args: argparse.Namespace) -> None:
    if not results.get("current"):
        return
    m = machine()
    print(
        f"machine: {m['machine']}, {m['cpus']} cpus, Python {m['python']}, {m['date']}"
    )
    print(
        f"runs: {args.runs}, data: {args.data}, scale: {args.scale} (synthetic RKI files)"
    )
    label = baseline_label(args) if args.baseline else None
    baseline = label if label in results else None
    print()
    print("\n".join(table(results, baseline)))
    if args.json:
        write_json(args.json, results, args)

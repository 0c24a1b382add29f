"""Benchmark: the daily loop, `epicurves run`, as whole processes of the CLI.

Owns the figures of the daily loop: a full run, a no-change run, one new national RKI day, one
new day in all RKI files (``week``: the Saturday that completes a week, in a home with a stored
backtest, whose forecasts the run then makes for the new week; ``week-next``: the same Saturday
after a Friday's run), and `build --full` per region (``build-full``: in a home after
`update` alone, so each run also makes the chart layouts of the installed code;
``build-full-again``: in a home that has built its site once, the layouts cached); wall time
and peak memory of each. The two new-day scenarios start from a full run; ``national-next`` and
``all-next`` time the day after such a day (the daily loop's steady state, where a build
recycles the site's generation before the published one).

Run on demand (not part of the test suite)::

    python bench/run.py [--runs 3] [--only SCENARIO ...] [--json FILE] [--baseline REV]
                        [--data ../shared/data] [--scale ../shared/scale]

It builds the scale mirror in a temporary folder (a copy of ``--data`` plus the full-size
synthetic RKI state and district files of ``--scale/rki``; their values are not RKI data) and
the two "one new RKI day" mirrors of `bench/newday.py`, checked with `epicurves update`.
Each scenario's starting home and site is prepared once, untimed, and copied before every
timed run (then written out with ``sync``, so that the copy does not weigh on the run). The
runs of each scenario alternate with full runs (full, scenario, full, ...); the ratio to the
full run is taken pair by pair and its median reported: on a noisy machine the
ratios travel better than the seconds. Wall time and peak memory come from ``os.wait4`` on
the child; the benchmark is a child subreaper (Linux), so the worker processes of a
``forkserver`` pool are waited for too, and the peak is the largest of all these processes.

``--baseline REV`` measures revision REV's code in the same call: it is checked out with
``git worktree add --detach`` in the temporary folder, and both it and the working tree run as
``python -m epicurves`` with their own ``src`` first on ``PYTHONPATH`` (checked through
``epicurves.__file__``). Each revision has its own prepared homes and sites (a site built by
other code would be rebuilt in full); their runs are interleaved pair by pair, the order
swapped at every run, so that the machine's drift hits both alike. The table then gains the
baseline's median, its ratio to its own full runs and the ratio current / baseline.

Prints a machine line and a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from inputs import (
    build_scale_mirror,
    new_day_mirrors,
    prepare_next_days,
    prepare_states,
    week_mirrors,
)
from processes import CommandFailed, become_subreaper
from report import report
from revisions import ROOT, baseline_revision, current_revision
from scenarios import COMMANDS, Results, run_scenario


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scale", type=Path, default=ROOT.parent / "shared" / "scale")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--only",
        action="append",
        choices=list(COMMANDS),
        help="run this scenario only (repeatable); full runs are always made, for the ratios",
    )
    parser.add_argument("--json", type=Path, help="write the raw numbers to this file")
    parser.add_argument(
        "--work",
        type=Path,
        help="make the temporary folder here (default: the system's), e.g. on the disk "
        "where sites are kept",
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure git revision REV's code, interleaved with the working tree's",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    for folder in (args.data, args.scale / "rki"):
        if not folder.is_dir():
            parser.error(f"folder {folder} not found")
    if args.baseline:
        known = ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet"]
        found = subprocess.run(
            [*known, f"{args.baseline}^{{commit}}"], capture_output=True, check=False
        )
        if found.returncode != 0:
            parser.error(f"--baseline {args.baseline}: not a git revision")
    return args


def main() -> None:
    args = parse_args()
    become_subreaper()
    results: Results = {}
    try:
        measure(args, results)
    except CommandFailed as failure:
        report(results, args)  # what was measured before the failure
        sys.exit(str(failure))
    report(results, args)


def measure(args: argparse.Namespace, results: Results) -> None:
    """Prepare the mirrors and states in a temporary folder, then time each scenario."""
    scenarios = args.only or list(COMMANDS)
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="epicurves-bench-run-", dir=args.work
    ) as tmp:
        work = Path(tmp)
        with (
            baseline_revision(args.baseline, work) if args.baseline else nullcontext()
        ) as baseline:
            revisions = [current_revision(baseline is not None)]
            revisions += [baseline] if baseline is not None else []
            scale = build_scale_mirror(args.data, args.scale, work / "scale")
            mirrors = {"scale": scale, "data": args.data.resolve()}
            if {"week", "week-next"} & set(scenarios):
                mirrors |= week_mirrors(scale, work)
            prepared = {
                rev.label: prepare_states(scenarios, mirrors, work, rev)
                for rev in revisions
            }
            after_full = prepared["current"][0]
            mirrors |= new_day_mirrors(scenarios, scale, after_full, work)
            mirrors |= prepare_next_days(scenarios, mirrors, work, revisions, prepared)
            states = {label: own for label, (_, own) in prepared.items()}
            # Every scenario's runs alternate with full runs: `full` alone only if asked alone.
            for name in [name for name in scenarios if name != "full"] or ["full"]:
                got = run_scenario(name, args.runs, mirrors, states, work, revisions)
                for label, pairs in got.items():
                    results.setdefault(label, {})[name] = pairs


if __name__ == "__main__":
    main()

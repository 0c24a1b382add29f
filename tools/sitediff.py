"""Build two revisions of epicurves on the same data with the clock pinned and compare their sites, exports and CLI output: proof that a restructuring changed no behaviour.

A development tool, not part of the package (nothing in ``epicurves`` imports it). From the
repository root, with the project's virtualenv active::

    python tools/sitediff.py c16e9d3 WORKTREE     # the working tree, uncommitted changes included
    python tools/sitediff.py c16e9d3 HEAD --keep /tmp/sd --allow 'site/compare/*' --allow 'build --help'
    python tools/sitediff.py c16e9d3 c16e9d3 --record tools/sitediff/recorded-c16e9d3.json
    python tools/sitediff.py c16e9d3 HEAD --charts    # and the charts in Chromium (tools/chartdiff.py)

Each revision is checked out with ``git worktree add --detach`` into a temporary folder
(``WORKTREE``: the working tree is copied there as it is when the tool starts, uncommitted
changes and the untracked files git does not ignore included, so that edits made meanwhile do
not mix into the run). Its commands run with this interpreter as ``python -m epicurves``
would (:func:`child_main` of ``sitediff_parts/clock.py``, through ``runpy``), with the
revision's ``src`` first on ``PYTHONPATH`` (every run checks that ``epicurves`` was imported
from there), a fresh ``EPICURVES_HOME``, ``COLUMNS=160``, no colour, and the clock pinned to
``--now`` (:func:`install_clock`, beside it). For each revision, one after the other (about a
minute each on two idle cores; two to three on a busy machine):

1. ``epicurves run --mirror DATA --out SITE`` (``--data``, default ``REPO/../shared/data``);
2. the exports (:data:`EXPORTS` of ``sitediff_parts/side.py``): ``export`` of every region as
   CSV and of every source as Parquet, ``signals``, ``summary --format csv`` and JSON,
   ``regions``, ``notebook --all``, ``recipes --out``;
3. the recorded commands, ``tools/sitediff/commands.txt``: stdout, stderr, exit status and
   the files each writes (two commands at a time, ``--jobs``).

Then it compares, prints the counts per category and the first differing lines of each
difference (``--details`` per category):

- the site, file by file: every path in one site and not the other; data scripts, CSV, JSON,
  notebooks and the rest byte for byte; HTML byte for byte after the hashed asset names are
  replaced by their logical names (``static/charts-35bc432a6c.js`` ->
  ``static/charts-HASH.js``); the static assets by logical name ("asset changed" when the
  content differs; "renamed", not a failure, when only the hash in the name does);
- the exports and the store (``manifest.json``, ``checked.json``, the Parquet tables) byte
  for byte;
- the output of the ``run`` and of every command.

What is normalised, and why (nothing else is):

- the folders of a run, in outputs and in the files a command writes: ``{home}``, ``{site}``,
  ``{tmp}``, ``{data}``, ``{worktree}``, ...; the two revisions run in folders of the same
  length (``old/``, ``new/``), so that rich tables naming them are equally wide;
- wall-clock durations, which no pinned clock makes equal: the ``seconds`` column of the
  update table and ``built ... in 6.7 s: ... (8.7 ms each, ...)`` become ``~``;
- the store's random ``uuid4`` tokens in its file names and its store id;
- the hashed asset names in HTML (the hash of ``plots.py`` names the chart layout: moving code
  renames it).

The times ``info`` prints ("checked", "changed", staleness), ``status.json``'s ``built_at``,
the home page's build time and the store's ``checked_at``/``updated_at`` need no
normalising: the clock is pinned. pandas' ``Timestamp.now()`` (a "date in the future" check of
the sources) still reads the real clock. A warning says when today's real date appears in an
output anyway (a clock the pinning missed).

OLD's outputs are also compared with the recording (``--recording``, default the outputs
recorded at c16e9d3 into ``tools/sitediff/recorded-c16e9d3.json``; ``--record FILE`` writes
OLD's), which does not change the exit status. Exit status: 0 no difference, or only
differences matching an ``--allow`` glob (on a reported path: ``site/index.html``,
``out/export.csv``, ``store/manifest.json``; or on a command's line in commands.txt:
``'build --help'``, ``'info*'``); 1 differences; 2 the tool could not run.
"""

from __future__ import annotations

import argparse
import datetime as _datetime
import shutil
import sys
import tempfile
import time as _time
from pathlib import Path

from sitediff_parts.clock import _aware
from sitediff_parts.compare import (
    apply_allow,
    clock_leaks,
    compare_files,
    compare_results,
)
from sitediff_parts.outputs import collect
from sitediff_parts.report import (
    compare_recording,
    report,
    results_as_records,
    write_recording,
)
from sitediff_parts.revisions import (
    Revision,
    ToolError,
    _git,
    check_out,
    remove_checkout,
)
from sitediff_parts.side import Side, load_commands

DEFAULT_NOW = "2026-12-01T12:00:00+00:00"
TOOL_DIR = Path(__file__).resolve().parent / "sitediff"
COMMANDS = TOOL_DIR / "commands.txt"
RECORDING = TOOL_DIR / "recorded-c16e9d3.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tools/sitediff.py",
        description="Build two revisions of epicurves on the same data with the clock pinned "
        "and compare the sites, the exports and the CLI's output.",
    )
    parser.add_argument("old", metavar="OLD_REV", help="a git revision")
    parser.add_argument(
        "new",
        metavar="NEW_REV",
        help="a git revision, or WORKTREE (a copy of the working tree as it is now, uncommitted changes included)",
    )
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument(
        "--repo", type=Path, default=repo, help=f"the git repository (default {repo})"
    )
    parser.add_argument(
        "--data", type=Path, help="the mirror folder (default REPO/../shared/data)"
    )
    parser.add_argument(
        "--now", default=DEFAULT_NOW, help=f"the pinned clock (default {DEFAULT_NOW})"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build into DIR and keep it (DIR/old, DIR/new)",
    )
    parser.add_argument("--allow", action="append", default=[], metavar="PATTERN",
                        help="a glob on a reported path (site/…, out/…, store/…) or command line "
                        "whose differences are intended: reported, not failing (repeatable)")  # fmt: skip
    parser.add_argument(
        "--commands", type=Path, default=COMMANDS, help="the command list"
    )
    parser.add_argument(
        "--recording",
        type=Path,
        default=RECORDING,
        help="compare OLD's outputs with this recording",
    )
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="write OLD's outputs to FILE"
    )
    parser.add_argument(
        "--workers", type=int, help="--workers of the `run` that builds the site"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="commands run at a time (default 2)"
    )
    parser.add_argument(
        "--details", type=int, default=5, help="differences shown per category"
    )
    parser.add_argument(
        "--charts",
        action="store_true",
        help="also open chart pages of both sites in Chromium and compare what their charts "
        "hold (tools/chartdiff.py)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = _time.time()
    repo = Path(_git(args.repo, "rev-parse", "--show-toplevel"))
    data = (args.data or repo.parent / "shared" / "data").resolve()
    if not data.is_dir():
        msg = f"--data {data}: no such folder"
        raise ToolError(msg)
    now = _aware(_datetime.datetime.fromisoformat(args.now)).isoformat()
    commands = load_commands(args.commands)
    if args.charts:
        import chartdiff  # beside this file

        reason = chartdiff.unavailable()
        if reason is not None:
            msg = f"--charts: {reason}"
            raise ToolError(msg)
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            msg = f"--keep {args.keep}: expected an empty or new folder"
            raise ToolError(msg)
        args.keep.mkdir(parents=True, exist_ok=True)
        base = args.keep.resolve()
    else:
        base = Path(tempfile.mkdtemp(prefix="sitediff-")).resolve()
    revisions: list[Revision] = []
    try:
        sides = []
        for label, spec in (("OLD", args.old), ("NEW", args.new)):
            root = base / label.lower()
            revision = check_out(repo, spec, root / "tree")
            revisions.append(revision)
            sides.append(Side(label, revision, root, data, now))
        old, new = sides
        print(f"sitediff: building into {base}", file=sys.stderr, flush=True)
        for side in sides:
            side.build(args.workers, args.jobs, commands)
        old_outputs, new_outputs = collect(old), collect(new)
        if args.keep:
            for side, outputs in ((old, old_outputs), (new, new_outputs)):
                write_recording(side.root / "outputs.json", side, outputs, now)
        findings, same = compare_files(old_outputs, new_outputs)
        command_findings, same_commands = compare_results(
            results_as_records(old.results), results_as_records(new.results)
        )
        findings += command_findings
        same = dict(same) | {"command": same_commands}
        apply_allow(findings, args.allow)
        print(f"OLD: {old.revision.description}")
        print(f"NEW: {new.revision.description}")
        print(
            f"clock pinned at {now}; data {data}; built and ran OLD in {old.seconds:.0f} s, "
            f"NEW in {new.seconds:.0f} s; {len(commands)} commands"
        )
        print()
        failing = report(findings, same, args.details, print)
        if args.recording and args.recording.exists():
            compare_recording(args.recording, old, old_outputs, print)
        for side, outputs in ((old, old_outputs), (new, new_outputs)):
            for leak in clock_leaks(outputs, side.results, now, started):
                print(f"\nWarning: {side.label}: {leak}: a clock the pinning missed?")
        if args.record:
            write_recording(args.record, old, old_outputs, now)
            print(f"\nrecorded OLD's outputs into {args.record}")
        if args.charts:
            print()
            found = chartdiff.compare_sites(old.site.resolve(), new.site.resolve())
            chartdiff.report(found)
            failing += sum(bool(lines) for lines in found.values())
        if args.keep:
            print(f"kept both builds in {base}/old and {base}/new")
        print(
            "\nresult: "
            + (f"{failing} differences" if failing else "no difference")
            + f" ({_time.time() - started:.0f} s)"
        )
        return 1 if failing else 0
    finally:
        for revision in revisions:
            remove_checkout(repo, revision)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ToolError as exc:
        print(f"sitediff: {exc}", file=sys.stderr)
        sys.exit(2)

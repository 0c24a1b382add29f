"""Benchmark: the daily loop, `epicurves run`, as whole processes of the CLI.

Owns the figures of the daily loop: a full run, a no-change run, one new national RKI day, one
new day in all RKI files (``week``: the Saturday that completes a week, in a home with a stored
backtest, whose forecasts the run then makes for the new week), and `build --full` per region (``build-full``: in a home after
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
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from newday import check_update, epicurves_command

ROOT = Path(__file__).resolve().parent.parent

# The timed command of each scenario. {scale}, {national}, {all}, {data}: mirrors; {site}: the
# site folder of the run (its home is beside it, in EPICURVES_HOME).
COMMANDS = {
    "full": ["run", "--mirror", "{scale}", "--out", "{site}"],
    "no-change": ["run", "--mirror", "{scale}", "--out", "{site}"],
    "national": ["run", "--mirror", "{national}", "--out", "{site}"],
    "all": ["run", "--mirror", "{all}", "--out", "{site}"],
    "national-next": ["run", "--mirror", "{national-next}", "--out", "{site}"],
    "all-next": ["run", "--mirror", "{all-next}", "--out", "{site}"],
    "build-full": ["build", "--full", "--out", "{site}"],
    "build-full-again": ["build", "--full", "--out", "{site}"],
    "week": ["run", "--mirror", "{week}", "--out", "{site}"],
}
# The untimed command that prepares each scenario's starting home and site (None: empty).
FULL_RUN = ["run", "--mirror", "{scale}", "--out", "{site}"]
PREPARE = {
    "full": None,
    "no-change": FULL_RUN,
    "national": FULL_RUN,
    "all": FULL_RUN,
    # the daily loop's steady state: a home whose last run was a day, not a full run (its
    # site's generation before the published one is recycled)
    "national-next": FULL_RUN,
    "all-next": FULL_RUN,
    "build-full": ["update", "--mirror", "{data}"],
    # a home that has built its site before: the chart layouts of the installed code are
    # in its cache (`build-full` makes them in each timed run: seconds of Bokeh)
    "build-full-again": ["run", "--mirror", "{data}", "--out", "{site}"],
    # the Friday before: a full run with a backtest (which the timed run then keeps current)
    "week": ["run", "--mirror", "{friday}", "--out", "{site}", "--forecasts"],
}
MEASURES = {
    "full": ("full run (empty home, no site)", "≤ 7 s"),
    "no-change": ("no-change `run`", "≤ 0.6 s"),
    "national": ("one new national RKI day", "≤ 1.2 s"),
    "all": ("one new day in all RKI files", "≤ 4 s, ≤ 0.45 of full"),
    "national-next": ("one new national RKI day, the day after one", "≤ 1.2 s"),
    "all-next": (
        "one new day in all RKI files, the day after one",
        "≤ 4 s, ≤ 0.45 of full",
    ),
    "build-full": ("`build --full` on ../shared/data", ""),
    "build-full-again": ("`build --full` on ../shared/data, built once before", ""),
    "week": (
        "one new day in all RKI files that completes a week, with forecasts",
        "≤ 4 s",
    ),
}
PER_REGION_TARGET_MS = 7
#: The "-next" scenarios: their starting state is the full run's followed by this variant's
#: new day (untimed); they time the day after it, a mirror one more day on.
DAY_BEFORE = {"national-next": "national", "all-next": "all"}


class CommandFailed(Exception):
    """A command exited non-zero; the message holds it and its stderr."""


@dataclass(frozen=True)
class Revision:
    """The code the timed commands run: the working tree, or a worktree of ``--baseline``."""

    label: str
    command: tuple[str, ...]
    """How `epicurves` is started."""
    env: dict[str, str] = field(default_factory=dict)
    """Variables set for its processes (``PYTHONPATH``)."""


@dataclass
class Run:
    wall_s: float
    peak_mib: float
    regions: int | None = None


@dataclass
class Pair:
    """One timed run of a scenario and the full run just before it."""

    full: Run
    scenario: Run

    @property
    def ratio(self) -> float:
        return self.scenario.wall_s / self.full.wall_s


#: Revision label -> scenario -> its pairs.
Results = dict[str, dict[str, list[Pair]]]


# --- processes ----------------------------------------------------------------------------


def fill(
    command: list[str], mirrors: dict[str, Path], site: Path, revision: Revision
) -> list[str]:
    values = {name: str(path) for name, path in mirrors.items()} | {"site": str(site)}
    return [*revision.command, *(part.format(**values) for part in command)]


def timed(command: list[str], state: Path, revision: Revision) -> Run:
    """Run ``command`` with home ``state/home``; wall seconds and peak RSS (MiB) of the child."""
    env = os.environ | revision.env | {"EPICURVES_HOME": str(state / "home")}
    env.pop("EPICURVES_MIRROR", None)
    # the layouts in the run's home: a full run makes them
    env.pop("EPICURVES_CACHE", None)
    # As installed: pip compiles the bytecode when it installs; a shell that turns the cache
    # off would have every timed run compile epicurves' own modules again (0.05-0.15 s). The
    # untimed runs that prepare the states write it (into src/**/__pycache__, ignored by git).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as err:
        os.sync()  # the copy of the state (and any earlier run) written out first
        started = time.perf_counter()
        pid = os.posix_spawn(
            command[0],
            command,
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - started
        peak = max(usage.ru_maxrss, reap_orphans())
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            stderr = err.read().decode(errors="replace")
            code = os.waitstatus_to_exitcode(status)
            message = f"{stderr}\nfailed (exit {code}): {' '.join(command)}"
            raise CommandFailed(message)
    return Run(wall, peak / 1024)  # Linux reports KiB


def become_subreaper() -> None:
    """Adopt the command's orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A process pool started with ``forkserver`` runs its workers under a server process that
    outlives the command by a moment; adopted, it is waited for here, and its peak memory and
    its workers' are counted.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # 36: PR_SET_CHILD_SUBREAPER
        sys.exit(
            "cannot become a child subreaper: the workers' memory would not be counted"
        )


def reap_orphans() -> int:
    """Wait for every adopted descendant; the largest peak RSS (KiB) among them."""
    peak = 0
    while True:
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return peak
        peak = max(peak, usage.ru_maxrss)


def copy_state(prepared: Path, state: Path) -> None:
    """Copy a prepared home and site; re-point absolute symlinks into the copy."""
    shutil.copytree(prepared, state, symlinks=True)
    for folder, dirs, files in os.walk(state):
        for name in dirs + files:
            link = Path(folder, name)
            target = Path(os.readlink(link)) if link.is_symlink() else None
            if target and target.is_absolute() and target.is_relative_to(prepared):
                link.unlink()
                link.symlink_to(state / target.relative_to(prepared))


def count_regions(site: Path) -> int:
    return sum(1 for _ in site.glob("region/*/index.html"))


# --- revisions ----------------------------------------------------------------------------


def current_revision(baseline: bool) -> Revision:
    """The working tree's code: the installed script, or, beside a baseline, started the
    same way as the baseline (``python -m epicurves``, this tree's ``src`` on the path)."""
    if not baseline:
        return Revision("current", tuple(epicurves_command()))
    return checked_revision("current", ROOT / "src")


def checked_revision(label: str, src: Path) -> Revision:
    """``python -m epicurves`` with ``src`` first on ``PYTHONPATH``, checked to import from it."""
    revision = Revision(
        label, (sys.executable, "-m", "epicurves"), {"PYTHONPATH": str(src)}
    )
    probe = [sys.executable, "-c", "import epicurves; print(epicurves.__file__)"]
    env = os.environ | revision.env
    done = subprocess.run(probe, env=env, capture_output=True, text=True, check=False)
    found = Path(done.stdout.strip() or ".").resolve()
    if done.returncode != 0 or not found.is_relative_to(src.resolve()):
        sys.exit(f"{label}: epicurves imported from {found or done.stderr}, not {src}")
    log(f"{label}: epicurves from {found.parent}")
    return revision


@contextmanager
def baseline_revision(rev: str, work: Path) -> Iterator[Revision]:
    """Revision ``rev`` checked out in a temporary worktree under ``work``, removed after."""
    tree = work / "baseline-tree"

    def git(*args: str) -> None:
        command = ["git", "-C", str(ROOT), *args]
        subprocess.run(command, check=args[1] == "add", capture_output=True)

    git("worktree", "add", "--detach", str(tree), rev)
    try:
        yield checked_revision(f"baseline {rev}", tree / "src")
    finally:
        git("worktree", "remove", "--force", str(tree))
        git("worktree", "prune")


# --- inputs -------------------------------------------------------------------------------


def build_scale_mirror(data: Path, scale: Path, out: Path) -> Path:
    """The shared data plus the full-size synthetic RKI files, as writable copies."""
    shutil.copytree(data, out, copy_function=shutil.copyfile)
    for path in [out, *out.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    for path in sorted((scale / "rki").glob("*.csv.gz")):
        shutil.copyfile(path, out / "rki" / path.name)
    return out


def prepare(
    command: list[str] | None, mirrors: dict[str, Path], folder: Path, rev: Revision
) -> Path:
    """A folder holding ``home`` and ``site`` after ``command`` (untimed), or empty."""
    folder.mkdir()
    if command:
        log(f"preparing ({rev.label}): epicurves {' '.join(command[:2])} ...")
        timed(fill(command, mirrors, folder / "site", rev), folder, rev)
    return folder


def prepare_states(
    scenarios: list[str], mirrors: dict[str, Path], work: Path, rev: Revision
) -> tuple[Path, dict[str, Path]]:
    """The home and site after a full run made by ``rev``'s code (also its warm-up), and each
    scenario's starting home and site."""
    slug = "".join(c if c.isalnum() else "-" for c in rev.label)
    after_full = prepare(FULL_RUN, mirrors, work / f"{slug}-after-full", rev)
    states = {"full": prepare(None, mirrors, work / f"{slug}-empty", rev)}
    for name in scenarios:
        if PREPARE[name] == FULL_RUN:
            states[name] = after_full
        elif PREPARE[name] is not None:
            states[name] = prepare(
                PREPARE[name], mirrors, work / f"{slug}-prepared-{name}", rev
            )
    return after_full, states


def new_day_mirror(scale: Path, mirror: Path, variant: str, days: int = 1) -> str:
    """`newday.py` in a child process, which gives back its memory when done: a process
    started from a large one reports that one's size as its own peak (Linux counts the memory
    the child had before its exec), so this process stays small."""
    script = Path(__file__).with_name("newday.py")
    command = [sys.executable, str(script), str(scale), str(mirror)]
    command += ["--variant", variant, "--days", str(days)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"{done.stderr}\nfailed: {' '.join(command)}"
        raise CommandFailed(msg)
    return done.stdout.split()[-1]


def prepare_next_days(
    scenarios: list[str],
    mirrors: dict[str, Path],
    work: Path,
    revisions: list[Revision],
    prepared: dict[str, tuple[Path, dict[str, Path]]],
) -> dict[str, Path]:
    """For each "-next" scenario: each revision's starting state (its full run's, then the
    day before, untimed), and the mirror of the day after, checked on a copy of the
    current revision's state."""
    made = {}
    for name in scenarios:
        if name not in DAY_BEFORE:
            continue
        variant = DAY_BEFORE[name]
        day = ["run", "--mirror", f"{{{variant}}}", "--out", "{site}"]
        for rev in revisions:
            after_full, states = prepared[rev.label]
            slug = "".join(c if c.isalnum() else "-" for c in rev.label)
            state = work / f"{slug}-prepared-{name}"
            copy_state(after_full, state)
            log(f"preparing ({rev.label}): the day before of {name} ...")
            timed(fill(day, mirrors, state / "site", rev), state, rev)
            states[name] = state
        mirror = work / f"new-{name}"
        date = new_day_mirror(mirrors[variant], mirror, variant)
        copy_state(prepared["current"][1][name], work / "check")
        log(f"{name}: {check_update(work / 'check' / 'home', mirror, variant, date)}")
        shutil.rmtree(work / "check")
        made[name] = mirror
    return made


def new_day_mirrors(
    scenarios: list[str], scale: Path, prepared: Path, work: Path
) -> dict:
    """The new-day mirrors the scenarios need, each checked on a copy of ``prepared``."""
    mirrors = {}
    wanted = {DAY_BEFORE.get(name, name) for name in scenarios}
    for variant in ("national", "all"):
        if variant in wanted:
            mirror = work / f"new-{variant}"
            date = new_day_mirror(scale, mirror, variant)
            copy_state(prepared, work / "check")
            log(
                f"{variant}: {check_update(work / 'check' / 'home', mirror, variant, date)}"
            )
            shutil.rmtree(work / "check")
            mirrors[variant] = mirror
    return mirrors


def week_mirrors(scale: Path, work: Path) -> dict[str, Path]:
    """For ``week``: the scale mirror (its RKI files end on a Saturday) six days on, to the
    Friday, and seven, to the Saturday that completes the week (each day's rows as
    `newday.py` writes them)."""
    friday = work / "new-friday"
    date = new_day_mirror(scale, friday, "all", days=6)
    if dt.date.fromisoformat(date).weekday() != 4:
        sys.exit(
            f"the scale mirror's RKI files do not end on a Saturday: {date} + 6 days"
        )
    saturday = work / "new-week"
    new_day_mirror(friday, saturday, "all")
    log(f"week: RKI files to Friday {date}, then its Saturday")
    return {"friday": friday, "week": saturday}


# --- measuring ----------------------------------------------------------------------------


def run_scenario(
    name: str,
    runs: int,
    mirrors: dict,
    states: dict[str, dict[str, Path]],
    work: Path,
    revisions: list[Revision],
) -> dict[str, list[Pair]]:
    """``runs`` pairs per revision: a full run from an empty home, then the scenario from its
    state; the revisions' pairs interleaved, in swapped order at every run.

    For ``full`` itself, each pair is a single full run (ratio 1).
    """
    pairs: dict[str, list[Pair]] = {rev.label: [] for rev in revisions}
    for i in range(runs):
        for rev in revisions if i % 2 == 0 else revisions[::-1]:
            own = states[rev.label]
            full = timed_in_copy("full", mirrors, own, work, rev)
            run = (
                full if name == "full" else timed_in_copy(name, mirrors, own, work, rev)
            )
            pairs[rev.label].append(Pair(full, run))
            who = "" if len(revisions) == 1 else f" ({rev.label})"
            log(
                f"{name}{who} {i + 1}/{runs}: full {full.wall_s:.2f} s, "
                f"{name} {describe(run)}"
            )
    return pairs


def timed_in_copy(
    name: str, mirrors: dict, states: dict[str, Path], work: Path, rev: Revision
) -> Run:
    """One timed run of scenario ``name`` in a fresh copy of its prepared state."""
    state = work / "state"
    copy_state(states[name], state)
    run = timed(fill(COMMANDS[name], mirrors, state / "site", rev), state, rev)
    if name.startswith("build-full"):
        run.regions = count_regions(state / "site")
        if not run.regions:
            sys.exit(f"no region/*/index.html in the site of {name}")
    shutil.rmtree(state)
    return run


def describe(run: Run) -> str:
    return f"{run.wall_s:.2f} s, {run.peak_mib:.0f} MiB"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- report -------------------------------------------------------------------------------


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
    def raw(scenarios: dict[str, list[Pair]]) -> dict[str, list[dict]]:
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


# --- main ---------------------------------------------------------------------------------


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


def baseline_label(args: argparse.Namespace) -> str:
    return f"baseline {args.baseline}"


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
            if "week" in scenarios:
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


if __name__ == "__main__":
    main()

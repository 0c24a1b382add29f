"""The scenarios of `bench/run.py`: what each one times and starts from, and its timed runs.

Each scenario has its command, the command that prepares its starting home and site, and its row
in the table; its runs are paired with full runs, the pairs of the revisions interleaved.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from processes import (
    Revision,
    Run,
    copy_state,
    count_regions,
    discard,
    fill,
    log,
    timed,
)

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
    "week-next": ["run", "--mirror", "{week}", "--out", "{site}"],
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
    # the daily loop's steady state of that day: a full run with a backtest on the Thursday,
    # then the Friday (below), so that the Saturday's build recycles the Thursday's site
    "week-next": ["run", "--mirror", "{thursday}", "--out", "{site}", "--forecasts"],
}
#: The untimed day run after a scenario's PREPARE (its home keeps its backtest current).
THEN = {"week-next": ["run", "--mirror", "{friday}", "--out", "{site}"]}
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
    "week-next": (
        "one new day in all RKI files that completes a week, with forecasts, the day after one",
        "≤ 4 s",
    ),
}
PER_REGION_TARGET_MS = 7
#: The "-next" scenarios: their starting state is the full run's followed by this variant's
#: new day (untimed); they time the day after it, a mirror one more day on.
DAY_BEFORE = {"national-next": "national", "all-next": "all"}


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


def run_scenario(
    name: str,
    runs: int,
    mirrors: dict[str, Path],
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
    name: str,
    mirrors: dict[str, Path],
    states: dict[str, Path],
    work: Path,
    rev: Revision,
) -> Run:
    """One timed run of scenario ``name`` in a fresh copy of its prepared state."""
    state = work / "state"
    copy_state(states[name], state)
    run = timed(fill(COMMANDS[name], mirrors, state / "site", rev), state, rev)
    if name.startswith("build-full"):
        run.regions = count_regions(state / "site")
        if not run.regions:
            sys.exit(f"no region/*/index.html in the site of {name}")
    discard(state, work)
    return run


def describe(run: Run) -> str:
    return f"{run.wall_s:.2f} s, {run.peak_mib:.0f} MiB"

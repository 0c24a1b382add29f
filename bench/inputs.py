"""The untimed inputs of the timed runs: the mirrors, and each revision's prepared homes and sites.

The mirrors are the scale mirror, the new-day mirrors of `bench/newday.py` and those of ``week``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

from newday import check_update
from processes import CommandFailed, Revision, copy_state, discard, fill, log, timed
from scenarios import DAY_BEFORE, FULL_RUN, PREPARE, THEN


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
            if name in THEN:
                log(f"preparing ({rev.label}): the day before of {name} ...")
                state = states[name]
                timed(fill(THEN[name], mirrors, state / "site", rev), state, rev)
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
        discard(work / "check", work)
        made[name] = mirror
    return made


def new_day_mirrors(
    scenarios: list[str], scale: Path, prepared: Path, work: Path
) -> dict[str, Path]:
    """The new-day mirrors the scenarios need, each checked on a copy of ``prepared``."""
    mirrors: dict[str, Path] = {}
    wanted = {DAY_BEFORE.get(name, name) for name in scenarios}
    for variant in ("national", "all"):
        if variant in wanted:
            mirror = work / f"new-{variant}"
            date = new_day_mirror(scale, mirror, variant)
            copy_state(prepared, work / "check")
            log(
                f"{variant}: {check_update(work / 'check' / 'home', mirror, variant, date)}"
            )
            discard(work / "check", work)
            mirrors[variant] = mirror
    return mirrors


def week_mirrors(scale: Path, work: Path) -> dict[str, Path]:
    """For ``week`` and ``week-next``: the scale mirror (its RKI files end on a Saturday) five
    days on, to the Thursday, six, to the Friday, and seven, to the Saturday that completes the
    week (each day's rows as `newday.py` writes them, each mirror from the one before)."""
    thursday = work / "new-thursday"
    date = new_day_mirror(scale, thursday, "all", days=5)
    if dt.date.fromisoformat(date).weekday() != 3:
        sys.exit(
            f"the scale mirror's RKI files do not end on a Saturday: {date} + 5 days"
        )
    friday = work / "new-friday"
    new_day_mirror(thursday, friday, "all")
    saturday = work / "new-week"
    new_day_mirror(friday, saturday, "all")
    log(f"week: RKI files to Thursday {date}, then its Friday and Saturday")
    return {"thursday": thursday, "friday": friday, "week": saturday}

"""The timed runs' processes: an `epicurves` command run as a child, timed, with its peak memory.

Also the code such a command runs (a revision), the copies of the prepared homes and sites the
runs start from, and the log of the benchmark.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


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


#: Free space below which :func:`discard` removes the finished runs' folders (and waits).
LOW_SPACE = 4 * 2**30
#: Seconds ext4 without a journal counts a removed file's inode as recently deleted (60 s, 360 s
#: while its inode table block is not yet written back; fs/ext4/ialloc.c, ``recently_deleted``).
SETTLE_S = 361


def discard(folder: Path, work: Path) -> None:
    """Put a finished run's folder aside in ``work/trash`` instead of removing it.

    On ext4 without a journal (this project's machines), creating a file steps past every
    free inode of its block group removed in the last minutes; removing a run's 10,000 files
    right before the next timed run made each file that run creates cost 0.5-0.9 ms of kernel
    time instead of 0.02 ms (``perf``: ``recently_deleted`` and its lookups 6 % of a full
    run's samples, none without the removal). A daily run finds the files of the day before
    removed hours ago. The trash goes with the benchmark's temporary folder, or, when the disk
    runs low, at once, followed by a wait of :data:`SETTLE_S` seconds, said in the log."""
    trash = work / "trash"
    trash.mkdir(exist_ok=True)
    folder.rename(trash / f"{len(list(trash.iterdir())):04d}-{folder.name}")
    if shutil.disk_usage(work).free < LOW_SPACE:
        log(f"low on disk: removing the finished runs, then waiting {SETTLE_S} s")
        shutil.rmtree(trash)
        os.sync()
        time.sleep(SETTLE_S)


def count_regions(site: Path) -> int:
    return sum(1 for _ in site.glob("region/*/index.html"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

"""Commands run to their end or killed at a chosen moment, for the crash tests (issue 10).

A trial starts a command in its own process group and SIGKILLs the group after a delay drawn
over the command's duration measured beforehand. What a kill can show depends on where it lands
(before the commit, during it, after it, or not at all because the command ended first); the
tests require kills on both sides of the commit, and `pipelined` runs extra, later trials while
the planned ones have not reached past it (a machine slower than when measured).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

#: Extra trials at most, after the planned ones, while none reached past the commit.
EXTRA = 3


def env() -> dict[str, str]:
    """The environment of the children: no EPICURVES_* settings of the caller's shell."""
    return {k: v for k, v in os.environ.items() if not k.startswith("EPICURVES_")}


def command(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "epicurves", "--home", str(home), *args]


@dataclass(frozen=True)
class Timing:
    """When a command that ran to its end committed (or switched the site), and ended."""

    commit: float
    end: float


def run(args: list[str], committed: Callable[[], bool]) -> Timing:
    """Run a command to its end, watching for the moment ``committed()`` becomes true."""
    started = time.perf_counter()
    commit = None
    with subprocess.Popen(
        args, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as child:
        while child.poll() is None:
            if commit is None and committed():
                commit = time.perf_counter() - started
            time.sleep(0.005)
        end = time.perf_counter() - started
        assert child.stderr is not None
        errors = child.stderr.read().decode()
    assert child.returncode == 0, errors
    assert committed()
    return Timing(end if commit is None else commit, end)


class Killed:
    """A command started in its own process group and SIGKILLed as a group (pool workers
    die too) ``delay`` seconds later by a timer, unless it ended first."""

    def __init__(self, args: list[str], delay: float) -> None:
        self.child = subprocess.Popen(
            args,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.timer = threading.Timer(delay, self._kill)
        self.timer.start()

    def _kill(self) -> None:
        # Not reaped before wait(): an ended child is a zombie, its group id not reused.
        if self.child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child.pid, signal.SIGKILL)

    def wait(self) -> int:
        """The exit status: ``-9`` killed, ``0`` it ended before the kill."""
        status = self.child.wait()
        self.timer.cancel()
        return status


Trial = TypeVar("Trial")


def pipelined(
    count: int,
    start: Callable[[int], tuple[Trial, Killed]],
    *,
    overlap: bool,
    short: Callable[[], bool],
) -> Iterator[tuple[Trial, int]]:
    """Start the trials one by one; yield each with its command's exit status. With
    ``overlap``, the next trial's command is started before the caller checks this one, so
    the check runs while it runs (in its own process, on the other core): builds take half
    the time. Without, each command runs alone, as fast as when it was measured.

    After the ``count`` planned trials, up to `EXTRA` more while ``short()``: no kill has yet
    landed on one side of the commit. (With ``overlap``, ``short()`` is asked before the
    trial just ended is checked: one extra trial may run that its outcome made
    unnecessary.)"""

    def wanted(number: int) -> bool:
        return number < count or (number < count + EXTRA and short())

    number = 0
    running: tuple[Trial, Killed] | None = start(0)
    while running is not None:
        trial, killed = running
        status = killed.wait()
        running = start(number + 1) if overlap and wanted(number + 1) else None
        yield trial, status
        if not overlap and wanted(number + 1):
            running = start(number + 1)
        number += 1


def delay(
    rng: random.Random,
    trial: int,
    timing: Timing,
    *,
    late: float = 1.3,
    extra: int = 0,
    early: bool = False,
) -> float:
    """A kill delay over the command's measured run: every third trial anywhere in it, the
    others from a little before its commit (the time before is mostly the interpreter
    starting and importing) to ``late`` times its end. Runs that overlap another take longer
    than the run measured alone: give them a larger ``late``. The ``extra``-th extra trial
    (see `pipelined`) waits ``2 ** extra`` times ``late`` times the end, or, ``early`` (no
    kill has landed before the commit yet: a machine faster than when measured), a
    ``2 ** (extra + 1)``-th of the time to the commit."""
    if extra:
        if early:
            return timing.commit / 2.0 ** (extra + 1)
        return 2.0**extra * late * timing.end
    if trial % 3 == 0:
        return rng.uniform(0.0, timing.end)
    return rng.uniform(timing.commit - 0.25 * timing.end, late * timing.end)


class Pace:
    """How much slower than measured the commands run now, learned from the trials: a kill
    that landed before the commit (or the switch) later than the measured commit shows that
    other work (the suite's other workers) shares the cores. Later trials' delays are
    stretched by it, so the kills still reach past the commit on a loaded machine."""

    def __init__(self) -> None:
        self.factor = 1.0

    def landed_before(self, delay: float, commit: float) -> None:
        """A kill ``delay`` seconds in landed before the commit measured at ``commit``."""
        if delay > commit:  # (before it, as expected: nothing learnt)
            self.factor = min(4.0, max(self.factor, 1.25 * delay / commit))

"""The code the timed commands run: the working tree's, or a git revision's in a temporary worktree."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newday import epicurves_command
from processes import Revision, log

ROOT = Path(__file__).resolve().parent.parent


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

"""The revisions compared, each checked out as a detached git worktree or copied from the
working tree; and :class:`ToolError`, the comparison that could not be made."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import time as _time
from pathlib import Path


class ToolError(Exception):
    """The comparison could not be made (a revision that does not exist, a broken checkout)."""


@dataclasses.dataclass
class Revision:
    """A revision checked out (or the working tree copied) and what it is."""

    spec: str
    tree: Path
    commit: str
    description: str
    worktree: bool  # a git worktree, removed with `git worktree remove`


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        msg = f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}"
        raise ToolError(msg)
    return done.stdout.strip()


def check_out(repo: Path, spec: str, folder: Path) -> Revision:
    """``spec`` as a tree with ``src/`` in ``folder``: a detached git worktree, or for
    ``WORKTREE`` a copy of the working tree as it is now (tracked files as they are on disk,
    uncommitted changes included, and the untracked files git does not ignore), so that edits
    made while the tool runs do not mix two states into one run."""
    if spec == "WORKTREE":
        head = _git(repo, "rev-parse", "HEAD")
        changed = _git(repo, "status", "--porcelain", "--untracked-files=all")
        listed = _git(
            repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"
        )
        for rel in filter(None, listed.split("\0")):
            source = repo / rel
            if source.is_file():  # a tracked file deleted on disk is left out
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / rel)
        description = (
            f"the working tree {repo} as it was at {_time.strftime('%H:%M:%S')} "
            f"(HEAD {head[:10]}, {len(changed.splitlines())} paths changed or new)"
        )
        return Revision(spec, folder, head, description, worktree=False)
    try:
        commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    except ToolError:
        msg = f"{spec!r} is not a commit of {repo}: expected a git revision or WORKTREE"
        raise ToolError(msg) from None
    subject = _git(repo, "log", "-1", "--format=%s", commit)
    _git(repo, "worktree", "add", "--detach", str(folder), commit)
    description = f"{spec} = {commit[:10]} {subject[:70]}"
    return Revision(spec, folder, commit, description, worktree=True)


def remove_checkout(repo: Path, revision: Revision) -> None:
    if not revision.worktree:
        return
    try:
        _git(repo, "worktree", "remove", "--force", str(revision.tree))
    except ToolError:
        shutil.rmtree(revision.tree, ignore_errors=True)
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=False)

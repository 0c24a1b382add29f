"""The lock files that keep writers apart: one helper to take them, at once or after a wait.

An update holds ``<home>/update.lock`` while it writes the store, a build holds
``.<site>.generations/build.lock`` while it writes a site, and ``epicurves run`` holds
``<home>/run.lock`` for the whole daily job. Readers take none of them (the store pins its
generations for readers instead, :mod:`epicurves.store`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LockError, StoreError

__all__ = ["acquire", "writing"]


def acquire(
    path: Path,
    *,
    holder: str,
    timeout: float = 0.0,
    on_wait: Callable[[], None] | None = None,
) -> FileLock:
    """Take the lock file ``path``: at once if it is free, else (after calling ``on_wait``)
    waiting up to ``timeout`` seconds. Release the returned lock when done.

    A lock still held is a :class:`~epicurves.LockError` naming ``holder`` (who holds it, as
    people say it: "another update") and the file. Wrap the call in :func:`writing` where a
    refused write should say that the folder is shared read-only.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
        return lock
    except Timeout:
        pass
    if timeout <= 0:
        msg = f"{holder} holds {lock.lock_file}: nothing done"
        raise LockError(msg)
    if on_wait is not None:
        on_wait()
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        msg = f"{holder} still holds {lock.lock_file} after {timeout:g} s"
        raise LockError(msg) from exc
    return lock


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turns a refused write below ``folder`` into a :class:`~epicurves.StoreError` that says
    why: a shared store (a JupyterHub's ``EPICURVES_HOME``) is read-only for its readers and
    updated by its owner."""
    try:
        yield
    except PermissionError as exc:
        msg = (
            f"no write access to {exc.filename or folder} ({exc.strerror}): updating needs "
            f"write access to {folder}; a shared read-only store is updated by its owner, "
            "and reading it needs none"
        )
        raise StoreError(msg) from exc

"""Readers' pins: a shared lock per generation (``pins/<n>.lock``) that keeps the generation's files on disk while it is read.

A reader pins the current generation for its whole read (:func:`pin`); the writer removes a
generation only when it can take its pin exclusively (:func:`exclusive`), so a generation is
never removed under a reader. A pin that cannot be made or opened (a store shared read-only,
another user's pin) is never an error: the reader reads unpinned, and the writer keeps that
generation, which is always safe.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from filelock import ReadWriteLock, Timeout

from ..errors import StoreError

__all__ = ["GONE", "exclusive", "pin", "release"]

#: What :func:`pin` gives when the generation was removed while it waited.
GONE = "gone"


def pin(folder: Path, generation: int, timeout: float) -> ReadWriteLock | str | None:
    """Pin ``generation`` with a shared lock in ``folder``: the held lock; ``None`` where no
    pin can be made (no right to write in ``folder``, a damaged or another user's pin: read
    unpinned); :data:`GONE` if the pin was removed while waiting (the generation is gone).
    A pin still taken exclusively after ``timeout`` seconds is a :class:`StoreError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = ReadWriteLock(folder / f"{generation}.lock", is_singleton=False)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        lock.acquire_read(timeout=timeout)
    except (ValueError, sqlite3.Error):  # a damaged pin: read without one
        lock.close()
        return None
    except OSError:
        lock.close()
        return GONE
    except Timeout as exc:
        lock.close()
        msg = f"could not pin store generation {generation} within {timeout:g} s"
        raise StoreError(msg) from exc
    return lock


def release(lock: ReadWriteLock) -> None:
    """Let go of a pin (or of an exclusive hold)."""
    lock.release(force=True)
    lock.close()


@contextlib.contextmanager
def exclusive(pin_path: Path) -> Iterator[bool]:
    """Hold ``pin_path`` exclusively while the block runs, if no reader holds it; the block is
    told whether it got it. A pin that cannot be opened counts as held."""
    try:
        lock = ReadWriteLock(pin_path, is_singleton=False)
    except (OSError, ValueError, sqlite3.Error):
        yield False
        return
    try:
        lock.acquire_write(blocking=False)
    except (Timeout, OSError, ValueError, sqlite3.Error):
        lock.close()
        yield False
        return
    try:
        yield True
    finally:
        release(lock)

"""Writing files whole: a temporary file beside the target, then one ``os.replace``.

A reader of the target (a web server, a browser on ``file://``, another epicurves process) sees
the old file or the new one, never half of each, and a failed or killed write leaves the target
as it was. Every file epicurves replaces goes through :func:`replacing` (or
:func:`write_atomic`); a download that must be checked before it replaces the last good copy is
staged with :func:`staged` and moved into place later.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["remove_stale", "replacing", "staged", "write_atomic"]


def _prefix(target: Path) -> str:
    """The name of a temporary file beside ``target`` starts with this: a dot (hidden, and
    never a file of a site or a store), then the target's name."""
    return f".{target.name}."


@contextlib.contextmanager
def staged(
    target: Path, *, suffix: str = "", mode: int | None = 0o644
) -> Iterator[tuple[IO[bytes], Path]]:
    """A new temporary file beside ``target``, open for writing: ``(stream, path)``.

    It is removed if the block raises; otherwise it stays, closed, for the caller to move into
    place (``os.replace(path, target)``) once its content is known to be good. ``mode`` is
    its permission (``mkstemp`` makes it private; readers may be other users), None to keep it
    private.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=_prefix(target), suffix=suffix, dir=target.parent
    )
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream, path
        if mode is not None:
            os.chmod(path, mode)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def replacing(
    target: Path, *, durable: bool = False, mode: int = 0o644
) -> Iterator[IO[bytes]]:
    """Write ``target`` whole: the block writes a temporary file beside it, which then
    replaces it at once; if the block raises, the temporary file goes and ``target`` stays.

    ``durable`` flushes the data to the disk before the switch (``fsync``), so that a power cut
    leaves the old file or the new one, not an empty one: the store's manifest needs it.
    """
    with staged(target, mode=mode) as (stream, path):
        yield stream
        if durable:
            stream.flush()
            os.fsync(stream.fileno())
    try:
        os.replace(path, target)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def write_atomic(
    target: Path, data: bytes | str, *, durable: bool = False, mode: int = 0o644
) -> None:
    """Replace ``target`` with ``data`` (text is written as UTF-8) at once; see :func:`replacing`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a.txt", "one"); write_atomic(folder / "a.txt", b"two")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('two', ['a.txt'])
    """
    with replacing(target, durable=durable, mode=mode) as stream:
        stream.write(data.encode() if isinstance(data, str) else data)


def remove_stale(target: Path, *, suffix: str = "") -> None:
    """Remove the temporary files a killed write of ``target`` left beside it (call it only
    where no other writer of ``target`` can be running: under the writer's lock)."""
    if target.parent.is_dir():
        for stale in target.parent.glob(f"{_prefix(target)}*{suffix}"):
            stale.unlink(missing_ok=True)

"""The lock files that keep writers apart: taken at once, after a wait, or refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from epicurves import LockError
from epicurves.locks import acquire


def test_a_free_lock_is_taken_and_a_held_one_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "home" / "run.lock"
    held = acquire(path, holder="another run")
    try:
        with pytest.raises(LockError) as caught:
            acquire(path, holder="another run")
        assert str(caught.value) == f"another run holds {path}: nothing done"
    finally:
        held.release()
    acquire(path, holder="another run").release()


def test_a_held_lock_is_waited_for_then_refused(tmp_path: Path) -> None:
    path = tmp_path / "update.lock"
    waited = []
    held = acquire(path, holder="another update")
    try:
        with pytest.raises(
            LockError, match=r"another update still holds .* after 0.2 s"
        ):
            acquire(
                path,
                holder="another update",
                timeout=0.2,
                on_wait=lambda: waited.append(1),
            )
    finally:
        held.release()
    assert waited == [1]

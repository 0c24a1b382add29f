"""Whole-file writes: the target is replaced at once, a failed write leaves it and no temporary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from epicurves.files import remove_stale, replacing, staged, write_atomic


def test_a_write_replaces_the_target_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.json"
    write_atomic(target, "{}")
    inode = target.stat().st_ino
    write_atomic(target, b'{"a": 1}', durable=True)
    assert target.read_bytes() == b'{"a": 1}' and target.stat().st_ino != inode
    assert target.stat().st_mode & 0o777 == 0o644  # readable by other users
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_a_failed_write_keeps_the_target_and_removes_its_temporary(
    tmp_path: Path,
) -> None:
    target = tmp_path / "a.txt"
    target.write_text("good")
    with pytest.raises(RuntimeError), replacing(target) as stream:
        stream.write(b"half")
        raise RuntimeError
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_replace_removes_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    (target / "inside").mkdir(parents=True)  # os.replace cannot put a file over it
    with pytest.raises(OSError):
        write_atomic(target, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_a_staged_file_stays_until_moved_and_goes_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "data.csv"
    with staged(target, suffix=".part", mode=None) as (stream, path):
        stream.write(b"a,b\n")
    assert path.read_bytes() == b"a,b\n" and path.name.endswith(".part")
    assert path.stat().st_mode & 0o777 == 0o600  # private until it is moved into place
    os.replace(path, target)
    with pytest.raises(ValueError), staged(target, suffix=".part") as (stream, path):
        raise ValueError
    assert not path.exists()
    (tmp_path / ".data.csv.k3j4.part").write_text("killed")
    (tmp_path / ".other.k3j4.part").write_text("not ours")
    remove_stale(target, suffix=".part")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.k3j4.part",
        "data.csv",
    ]

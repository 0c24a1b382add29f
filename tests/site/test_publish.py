"""The generation folders' file operations on small trees: a recycled folder completed by
:func:`carry`, and a write that never goes into a file shared with the published site."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from epicurves.site.publish import (
    MARKER,
    BuildState,
    Recycled,
    SiteFolder,
    carry,
    link_unchanged,
    put_file,
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _folders(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()
    )


def _published(tmp_path: Path) -> Path:
    published = tmp_path / "published"
    for path, text in {
        "index.html": "home",
        "region/A/index.html": "A",
        "region/B/index.html": "B",
        "data/A.js": "a",
        "data/B.js": "b",
    }.items():
        (published / path).parent.mkdir(parents=True, exist_ok=True)
        (published / path).write_text(text)
    return published


def test_carry_completes_a_recycled_folder_as_linking_anew_does(tmp_path: Path) -> None:
    """The files the recycled folder left to the build and the build did not write come
    from the published generation; those to skip are removed, with the folders they empty;
    the result equals a new folder completed by :func:`link_unchanged`."""
    published = _published(tmp_path)
    skip = frozenset({"index.html", "region/B/index.html", "data/B.js"})  # B is gone
    written = {"index.html"}
    expected = tmp_path / "expected"
    put_file(expected, published, "index.html", b"new home")
    link_unchanged(published, expected, skip)

    recycled = tmp_path / "recycled"
    link_unchanged(published, recycled, frozenset())
    # the recycle left data/A.js and the home page to the build as they were: the recycled
    # generation's own versions, older than the published ones
    left = frozenset({"data/A.js", "index.html"})
    for path in left:
        os.unlink(recycled / path)
        (recycled / path).write_bytes(b"older")
    home = (recycled / "index.html").stat().st_ino
    put_file(recycled, published, "index.html", b"new home")
    assert (recycled / "index.html").stat().st_ino == home  # its own: written into
    assert carry(published, recycled, skip, Recycled(recycled, left), written) == 0

    assert (
        _files(recycled)
        == _files(expected)
        == {
            "data/A.js": b"a",
            "index.html": b"new home",
            "region/A/index.html": b"A",
        }
    )
    assert _folders(recycled) == _folders(expected) == ["data", "region", "region/A"]
    # the carried files are the published ones, not copies
    assert (recycled / "data/A.js").stat().st_ino == (
        published / "data/A.js"
    ).stat().st_ino


def test_a_write_rewrites_a_file_the_recycled_folder_alone_holds(
    tmp_path: Path,
) -> None:
    """A recycled folder's own version of a file (the published build wrote that file anew)
    is written into, in place: no other generation has it. One that is a hard link to a
    published file is replaced, and the published file keeps its bytes."""
    published = _published(tmp_path)
    recycled = tmp_path / "recycled"
    link_unchanged(published, recycled, frozenset())
    own = recycled / "data/A.js"
    os.unlink(own)
    own.write_bytes(b"the version of the generation before")
    inode = own.stat().st_ino
    put_file(recycled, None, "data/A.js", b"changed")
    assert own.read_bytes() == b"changed"
    assert own.stat().st_ino == inode and own.stat().st_nlink == 1
    shared = recycled / "data/B.js"
    put_file(recycled, None, "data/B.js", b"changed too")
    assert shared.read_bytes() == b"changed too"
    assert (published / "data/B.js").read_bytes() == b"b"
    assert shared.stat().st_ino != (published / "data/B.js").stat().st_ino
    # made as open(path, "wb") makes a file: readable by all, executable by none
    put_file(recycled, None, "data/C.js", b"new")
    reference = tmp_path / "reference.js"
    reference.write_bytes(b"")
    mode = stat.S_IMODE(reference.stat().st_mode)
    for path in ("data/A.js", "data/B.js", "data/C.js"):
        assert stat.S_IMODE((recycled / path).stat().st_mode) == mode, path


def test_a_write_replaces_a_file_shared_with_the_published_site(tmp_path: Path) -> None:
    published = _published(tmp_path)
    recycled = tmp_path / "recycled"
    link_unchanged(published, recycled, frozenset())
    put_file(recycled, None, "data/A.js", b"changed")
    put_file(recycled, published, "data/B.js", b"b")  # the same bytes: linked again
    assert (recycled / "data/A.js").read_bytes() == b"changed"
    assert (published / "data/A.js").read_bytes() == b"a"
    assert (recycled / "data/B.js").stat().st_ino == (
        published / "data/B.js"
    ).stat().st_ino


def test_a_state_naming_paths_outside_the_site_recycles_nothing(tmp_path: Path) -> None:
    """The state file is read back from the disk: paths in it that leave the folder (not
    written by a build) make the build link anew rather than touch them."""
    site = SiteFolder(tmp_path / "site")
    for number in (1, 2):
        folder = site.root / f"{number:06d}"
        folder.mkdir(parents=True)
        (folder / MARKER).write_text(f"built by epicurves; generation {number}; ...")
    victim = tmp_path / "victim"
    victim.write_text("keep")
    for path in ("../../victim", str(victim)):
        state = BuildState(2, "f", "s", 1, {}, base=1, touched=[path], files=100)
        assert site.recycle(state, site.root / "000002", frozenset()) is None
        assert victim.read_text() == "keep"
    good = BuildState(2, "f", "s", 1, {}, base=1, touched=["index.html"], files=100)
    recycled = site.recycle(good, site.root / "000002", frozenset())
    assert recycled is not None and not (site.root / "000001").exists()

"""Where a built site lives: numbered generation folders beside ``out``, one atomic switch, the build state.

Layout, for ``--out site``::

    site -> .site.generations/000042         a symbolic link: the published generation
    .site.generations/000042/                generation 42: the whole site
    .site.generations/000042.state.json      what generation 42 was built from (not published)
    .site.generations/000041/                the generation before, kept until the next build
    .site.generations/build.lock             one build at a time

A build writes a new generation folder, with hard links to the unchanged files of the current one
and new files for what changed, then switches ``site`` to it with one ``os.replace`` of the link:
a reader (a web server serving ``site``, a browser on ``file://``) sees the old site or the new
one, never half of each. The previous generation stays until the next build, so that a page
read during the switch can still load its files; older ones are removed. A failed build removes
only its own unfinished folder.

The build after next need not link the whole site anew: it takes the folder of the generation
before the published one (41 above, no longer read), relinks the files that the published
generation's build wrote or removed (its state lists them), and then writes and removes its own
(:meth:`SiteFolder.recycle`). A day that changes a few regions then costs what changed, not the
size of the site. No file another generation shares is ever written into (the files of a
generation are hard links to those of the others): a file the recycled folder alone holds is
rewritten in place, any other replaced.

Where symbolic links cannot be made (Windows without the privilege), ``site`` is a plain folder
swapped by two renames instead, as epicurves 0.1 did. A plain ``site`` folder from epicurves
0.1 is moved into the generations folder by the first build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from ..changes import RegionState
from ..errors import UsageError
from ..files import write_atomic
from ..locks import acquire

__all__ = [
    "MARKER",
    "BuildState",
    "Recycled",
    "SiteFolder",
    "carry",
    "link_or_copy",
    "link_unchanged",
    "put_file",
    "remove_empty",
    "signal_charts",
]

#: A file every built site holds, with the number of its generation.
MARKER = ".epicurves-site"
STATE_FORMAT = 2


@dataclass
class BuildState:
    """What a generation of the site was built from, to build the next one incrementally."""

    generation: int
    fingerprint: str
    """Hash of the code, templates and settings: a different one forces a full build."""
    store_id: str
    """Which store it was built from (its generations' numbers compare only within it)."""
    store_generation: int
    assets: dict[str, Any]
    """The site names of the static files (they carry content hashes)."""
    regions: dict[str, RegionState] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Region id -> its summary row (JSON-ready), for tables and the home page."""
    weekly: dict[str, list[float | None]] = field(default_factory=dict)
    """Region id -> its last weekly case sums, for the tables' sparklines."""
    threshold: float = 50.0
    """The incidence at or above which its incidence tables highlight a row."""
    signal_charts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Region id -> what its page says about its signal charts (of the signals its state's
    digest names): a page rewritten while its signals stay reuses it."""
    today: dict[str, Any] = field(default_factory=dict)
    """The home page's "today" cards whatever the day (``rows``: Germany's, ``us``,
    ``europe``), and of which signals each is (``keys``): the next build reuses a card while
    its key stays."""
    forecasts: str = ""
    """Which stored forecasts its forecast files show (:attr:`ForecastSummary.digest`)."""
    base: int | None = None
    """The generation it was built from (the one published when its build started); None:
    a full build."""
    touched: list[str] | None = None
    """The site paths that may differ from generation :attr:`base`'s (those its build wrote
    or removed); None: unknown. The build after next recycles :attr:`base`'s folder by them
    (:meth:`SiteFolder.recycle`)."""
    files: int = 0
    """How many files it holds (the marker aside)."""
    newest: dict[str, str] | None = None
    """The newest date of each signal in its source (``source/signal``), from which its pages
    and maps count the provisional weeks; None: not recorded (a site of an earlier version)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (:meth:`from_dict` reads it back)."""
        return {
            "format": STATE_FORMAT,
            "generation": self.generation,
            "fingerprint": self.fingerprint,
            "store_id": self.store_id,
            "store_generation": self.store_generation,
            "assets": self.assets,
            "regions": {r: s.to_dict() for r, s in sorted(self.regions.items())},
            "summaries": dict(sorted(self.summaries.items())),
            "weekly": dict(sorted(self.weekly.items())),
            "threshold": self.threshold,
            "signal_charts": dict(sorted(self.signal_charts.items())),
            "today": self.today,
            "forecasts": self.forecasts,
            "base": self.base,
            "touched": self.touched,
            "files": self.files,
            "newest": self.newest,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildState:
        """Inverse of :meth:`to_dict`."""
        return cls(
            generation=int(data["generation"]),
            fingerprint=str(data["fingerprint"]),
            store_id=str(data["store_id"]),
            store_generation=int(data["store_generation"]),
            assets=dict(data["assets"]),
            regions={r: RegionState.from_dict(s) for r, s in data["regions"].items()},
            summaries=dict(data["summaries"]),
            weekly=dict(data["weekly"]),
            threshold=float(data.get("threshold", 50.0)),  # before 0.2: always 50
            signal_charts=dict(data.get("signal_charts", {})),
            today=dict(data.get("today", {})),
            forecasts=str(data.get("forecasts", "")),
            base=None if data.get("base") is None else int(data["base"]),
            touched=None
            if data.get("touched") is None
            else [str(path) for path in data["touched"]],
            files=int(data.get("files", 0)),
            newest=None if data.get("newest") is None else dict(data["newest"]),
        )


def signal_charts(
    previous: BuildState,
    states: Mapping[str, RegionState],
    moved: Collection[str] = (),
) -> dict[str, list[dict[str, Any]]]:
    """The signal charts of ``previous`` still true of ``states``: of the regions whose
    signals (their digest) are the same, but those ``moved`` (whose provisional weeks count
    from a newer date, :func:`.decide.provisional_moved`)."""
    return {
        region_id: charts
        for region_id, charts in previous.signal_charts.items()
        if region_id in states
        and region_id not in moved
        and region_id in previous.regions
        and states[region_id].signals
        and states[region_id].signals == previous.regions[region_id].signals
    }


def _marker_generation(folder: Path) -> int | None:
    """The generation number a site folder's marker names (None: not an epicurves site)."""
    try:
        text = (folder / MARKER).read_text("utf-8")
    except OSError:
        return None
    found = re.search(r"generation (\d+)", text)
    return int(found.group(1)) if found else 0  # 0: a site of epicurves 0.1


@dataclass(frozen=True)
class Recycled:
    """A generation folder :meth:`SiteFolder.recycle` made a copy of the published one."""

    folder: Path
    left: frozenset[str]
    """The files it removed for the build to write (not linked from the published one)."""


class SiteFolder:
    """The published site ``out`` and the generation folders beside it."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.root = self.out.parent / f".{self.out.name}.generations"

    # -- what is there ---------------------------------------------------------------------------
    def check(self) -> None:
        """Refuse an ``out`` that holds anything but an epicurves site (a build replaces it)."""
        out = self.out
        if out.is_symlink():
            target = out.resolve()
            if target.parent != self.root.resolve() or not target.is_dir():
                msg = f"--out {out} is a link to {target}, not to an epicurves site beside it"
                raise UsageError(msg)
            return
        if out.exists() and not out.is_dir():
            msg = f"--out {out} is a file: expected a folder for the site"
            raise UsageError(msg)
        if out.is_dir() and any(out.iterdir()) and _marker_generation(out) is None:
            msg = (
                f"--out {out} holds files that are not an epicurves site; a build replaces "
                "the whole folder: choose an empty or new folder"
            )
            raise UsageError(msg)

    def current(self) -> Path | None:
        """The folder the published site is read from, if there is one."""
        if self.out.is_symlink() or self.out.is_dir():
            folder = self.out.resolve()
            if folder.is_dir() and _marker_generation(folder) is not None:
                return folder
        return None

    def generation(self) -> int | None:
        """The number of the published generation (None: no site; 0: one of epicurves 0.1)."""
        folder = self.current()
        return None if folder is None else _marker_generation(folder)

    def state(self) -> BuildState | None:
        """What the published site was built from; None if unknown (then a full build)."""
        folder = self.current()
        number = None if folder is None else _marker_generation(folder)
        if not number:
            return None
        try:
            data = json.loads(self._state_path(number).read_text("utf-8"))
            if data.get("format") != STATE_FORMAT:
                return None
            state = BuildState.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return state if state.generation == number else None

    def _state_path(self, number: int) -> Path:
        return self.root / f"{number:06d}.state.json"

    def _numbers(self) -> list[int]:
        if not self.root.is_dir():
            return []
        return sorted(int(p.name) for p in self.root.iterdir() if p.name.isdigit())

    # -- building --------------------------------------------------------------------------------
    def lock(self, timeout: float = 600.0) -> FileLock:
        """The lock that keeps two builds of this site apart (acquired)."""
        holder = f"another build of {self.out}"
        return acquire(self.root / "build.lock", holder=holder, timeout=timeout)

    def next_number(self) -> int:
        """The number of the next generation."""
        current = self.current()
        numbers = [
            *self._numbers(),
            (_marker_generation(current) or 0) if current else 0,
        ]
        return max(numbers) + 1

    def start(self) -> Path:
        """A new, empty, unpublished folder to build the next generation in."""
        self.root.mkdir(parents=True, exist_ok=True)
        # Folders a killed build left (we hold the lock: no other build is running).
        for stale in self.root.glob("*.tmp*"):
            shutil.rmtree(stale, ignore_errors=True)
        prefix = f"{self.next_number():06d}.tmp"
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))

    def recycle(
        self,
        previous: BuildState | None,
        published: Path | None,
        planned: Set[str] = frozenset(),
    ) -> Recycled | None:
        """The folder of the generation before the published one (``previous.base``),
        renamed as the next generation's unfinished folder and made a copy of the
        ``published`` one by relinking only the files ``previous.touched`` names, but those
        the build will write (``planned``: left to it as they are); None where it cannot be: no
        such folder or list, or more than a quarter of the site's files to relink (linking
        the whole site anew is then as quick).

        The build then writes its new files into it and :func:`carry` removes those it
        drops: its cost follows what changed, not the size of the site, and the folder it
        replaces need not be removed. A write replaces a file shared with the published
        generation and rewrites one this folder alone holds (:func:`put_file`)."""
        if previous is None or published is None:
            return None  # a full build
        if previous.base is None or previous.touched is None:
            return None
        if any(p.startswith("/") or ".." in p.split("/") for p in previous.touched):
            return None  # not a state this code wrote: nothing outside the folder is touched
        relink = [path for path in previous.touched if path not in planned]
        if 4 * len(relink) > previous.files:
            return None
        old = self.root / f"{previous.base:06d}"
        # never the published folder itself (a state not written by a build)
        if (
            previous.base == previous.generation
            or _marker_generation(old) != previous.base
        ):
            return None
        folder = self.start()
        os.rmdir(folder)
        os.replace(old, folder)  # from here on, a killed build leaves a stale folder
        # its marker, and what a killed replacement of its home page left (in place: see
        # link_unchanged)
        for entry in os.scandir(folder):
            if entry.name.startswith(".") and not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        # what the build will write is left to it as it is: its file here is this folder's
        # own where the published build wrote that file (written into, not replaced:
        # put_file); carry relinks or removes those the build does not write after all
        left = frozenset(path for path in previous.touched if path in planned)
        remove_empty(folder, _relink(published, folder, relink))
        return Recycled(folder, left)

    def collect_older(self, building: Path) -> threading.Thread:
        """Start removing, in a thread, the generations older than the published one (and
        their states): :meth:`publish` would remove them after the switch, where the build
        waits for it (a whole site's files unlinked, half a second); from a thread started
        beside the region pages, it is done while this process waits for its workers. The
        published generation and ``building`` (the folder of :meth:`start`) stay; join the
        thread before :meth:`publish`."""
        published = self.generation()
        keep = set() if published is None else {published}

        def collect() -> None:
            self._collect(keep, building.name)

        thread = threading.Thread(target=collect, name="epicurves-collect", daemon=True)
        thread.start()
        return thread

    def publish(self, folder: Path, state: BuildState) -> Path:
        """Make ``folder`` generation ``state.generation`` and switch the site to it at once."""
        number = state.generation
        published = self.generation()
        # a recycled folder's marker, replaced: never written into
        (folder / MARKER).unlink(missing_ok=True)
        (folder / MARKER).write_text(
            f"built by epicurves; generation {number}; `epicurves build` replaces this folder\n",
            "utf-8",
        )
        os.chmod(folder, 0o755)
        final = self.root / f"{number:06d}"
        os.replace(folder, final)
        self.save_state(state)
        self._switch(final)
        self._collect(keep={number} | ({published} if published else set()))
        return final

    def discard(self, folder: Path) -> None:
        """Remove an unfinished generation (a failed build); the published site stays."""
        shutil.rmtree(folder, ignore_errors=True)

    def save_state(self, state: BuildState) -> None:
        """Write what generation ``state.generation`` was built from (replaced at once)."""
        text = json.dumps(state.to_dict(), separators=(",", ":"))
        write_atomic(self._state_path(state.generation), text)

    def _switch(self, final: Path) -> None:
        """Point ``out`` at ``final`` with one rename (or swap folders without links)."""
        out = self.out
        if out.is_dir() and not out.is_symlink():
            # A plain folder (epicurves 0.1's site, or an empty one) is moved aside.
            legacy = self.root / f"{_marker_generation(out) or 0:06d}.legacy"
            shutil.rmtree(legacy, ignore_errors=True)
            os.replace(out, legacy)
        link = out.parent / f".{out.name}.link-{os.getpid()}"
        link.unlink(missing_ok=True)
        try:
            os.symlink(
                os.path.relpath(final, out.parent), link, target_is_directory=True
            )
        except (OSError, NotImplementedError):
            # No symbolic links here (Windows without the privilege): the generation folder
            # itself becomes ``out``, by two renames (between them, there is no site).
            if out.exists():
                os.replace(out, self.root / f"{_marker_generation(out) or 0:06d}.plain")
            os.replace(final, out)
            return
        os.replace(link, out)

    def _collect(self, keep: set[int], building: str = "") -> None:
        """Remove generations but ``keep`` (and their states), and leftovers of older builds
        (but the folder named ``building``, the build's own)."""
        for path in self.root.iterdir():
            number = path.name.split(".")[0]
            if path.name in ("build.lock", building) or (
                number.isdigit() and int(number) in keep
            ):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.endswith(".json") or path.name.startswith("."):
                path.unlink(
                    missing_ok=True
                )  # an old state, or a killed write's temporary

    # -- copying the unchanged files -------------------------------------------------------------
    def count(self, folder: Path) -> int:
        """The number of files in a generation folder: as many as :meth:`files` gives."""
        total = 0
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():  # os.walk does not follow them either
                        total += self.count(Path(entry.path))
                elif entry.name != MARKER:
                    total += 1
        return total

    def files(self, folder: Path) -> Iterator[str]:
        """The paths (relative, with ``/``) of every file in a generation folder."""
        for dirpath, _, names in os.walk(folder):
            base = Path(dirpath).relative_to(folder)
            for name in names:
                if name != MARKER:
                    yield (base / name).as_posix()


#: Folders :func:`put_file` made (or found) in this process: each is made once, not once
#: per file.
_MADE: set[Path] = set()


def put_file(folder: Path, old: Path | None, path: str, data: bytes) -> None:
    """Write ``path`` of a new generation ``folder``; if the published generation ``old``
    holds the same bytes there, hard-link that file instead (its inode and time stay)."""
    target = folder / path
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    try:
        _put(target, None if old is None else old / path, data)
    except FileNotFoundError:  # a folder made earlier in this process was removed since
        target.parent.mkdir(parents=True, exist_ok=True)
        _put(target, None if old is None else old / path, data)


def _put(target: Path, previous: Path | None, data: bytes) -> None:
    if previous is not None:
        try:
            if previous.stat().st_size == len(data) and previous.read_bytes() == data:
                link_or_copy(previous, target)
                return
        except OSError:
            pass
    recycled = False
    try:
        fd = os.open(target, _NEW, 0o666)  # as open(..., "xb") makes it
    except FileExistsError:  # a file of a recycled folder
        fd, recycled = _rewritten(target), True
    with open(fd, "wb") as handle:
        handle.write(data)
        if recycled:
            handle.truncate()  # where the old version was longer, its tail goes


_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _rewritten(target: Path) -> int:
    """A file of a recycled folder opened to be written anew, over its old bytes, where no
    other folder shares it (one link: the recycled generation's own version, which no one
    reads), else replaced — a hard link to a published file is never written into.

    The caller cuts it to its new length after writing. Writing over the old bytes keeps
    the file's blocks; truncating first would free them only to allocate them again (2,000
    files of 20 KB on this project's disk: 0.05 s written over, 0.42 s truncated first, which
    was itself a quarter of the time of replacing them)."""
    found = os.lstat(target)
    if stat.S_ISREG(found.st_mode) and found.st_nlink == 1:
        return os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    _unlink(str(target))  # a folder there, even
    return os.open(target, _NEW, 0o666)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Hard-link ``source`` as ``target``, replacing a file there (copy it where hard links
    are refused)."""
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        link_or_copy(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        shutil.copy2(source, target)


def _unlink(path: str) -> bool:
    """Remove the file (or folder) ``path``; whether there was one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    # a folder (Linux says IsADirectoryError, macOS PermissionError)
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(path) or os.path.islink(path):
            raise
        shutil.rmtree(path)
    return True


def _relink(published: Path, folder: Path, paths: Iterable[str]) -> list[str]:
    """Link ``paths`` of the ``published`` generation into ``folder`` (replacing what is
    there); returns those the published generation does not have (removed from ``folder``)."""
    gone = []
    for path in paths:
        if path == MARKER:
            continue
        target = os.path.join(folder, path)
        _unlink(target)
        source = os.path.join(published, path)
        try:
            link_or_copy(source, target)
        except FileNotFoundError:
            if os.path.lexists(source):  # a folder of the published site only
                os.makedirs(os.path.dirname(target), exist_ok=True)
                link_or_copy(source, target)
            else:
                gone.append(path)
    return gone


def carry(
    old: Path | None,
    folder: Path,
    skip: frozenset[str],
    recycled: Recycled | None,
    written: Set[str],
) -> int:
    """Give the new generation ``folder`` the files of the published one ``old`` that the
    build does not write, but ``skip`` (see :func:`link_unchanged`); returns how many were
    linked, or 0 for a ``recycled`` folder (it holds them already: the files of ``skip``
    not ``written`` are removed from it, those it left to the build and that it did not
    write are linked)."""
    if recycled is None:
        return link_unchanged(old, folder, skip)
    dropped = [path for path in skip - written if _unlink(os.path.join(folder, path))]
    assert old is not None  # a recycled folder is a copy of the published one
    gone = _relink(old, folder, recycled.left - skip - written)
    remove_empty(folder, [*dropped, *gone, *(recycled.left - written)])
    return 0


def remove_empty(folder: Path, paths: Iterable[str]) -> None:
    """Remove the folders of ``paths`` (site paths in ``folder``) left empty, and their
    parents left empty by that: a site built anew has no empty folder."""
    parents = {os.path.dirname(path) for path in paths} - {""}
    for parent in sorted(parents, key=lambda p: -p.count("/")):
        while parent:
            try:
                os.rmdir(os.path.join(folder, parent))
            except OSError:  # not empty (or gone already)
                break
            parent = os.path.dirname(parent)


def link_unchanged(old: Path | None, new: Path, skip: frozenset[str]) -> int:
    """Hard-link every file of the published generation ``old`` but ``skip`` (paths in the
    site) into the new generation ``new``; returns the number of files linked."""
    total = 0
    if old is None:
        return total
    for dirpath, _, names in os.walk(old):
        relative = os.path.relpath(dirpath, old)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        # A site has no dotfiles but the marker: others are temporary files of a killed
        # build (the build's in-place writes), not carried on.
        linked = [n for n in names if prefix + n not in skip and not n.startswith(".")]
        if not linked:
            continue
        target = os.path.join(new, relative)
        os.makedirs(target, exist_ok=True)
        for name in linked:
            link_or_copy(os.path.join(dirpath, name), os.path.join(target, name))
        total += len(linked)
    return total

"""A store shared read-only, as on a JupyterHub: reading it writes nothing, and an update without write access fails in one line."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import epicurves
from conftest import FIXTURES
from epicurves import Settings
from epicurves.cli import cli

# -- a store shared read-only ------------------------------------------------------------------
#: Audit events of calls that change the file system (``open`` is judged by its flags).
_WRITE_EVENTS = {
    "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.chmod", "os.chown", "os.utime",
    "os.truncate", "os.link", "os.symlink", "os.mkfifo", "os.mknod", "shutil.rmtree",
    "shutil.move", "shutil.copyfile", "sqlite3.connect",
}  # fmt: skip
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: The folder writes are refused below (None: no refusal), and the writes attempted there.
_REFUSE: dict[str, Any] = {"root": None, "attempts": []}


def _path(value: object) -> str | None:
    if isinstance(value, str | bytes | os.PathLike):
        return os.path.realpath(os.fsdecode(value))
    return None


def _audit(event: str, args: tuple[Any, ...], refuse: dict[str, Any] = _REFUSE) -> None:
    # ``refuse`` is bound once: the hook outlives the module's globals at the interpreter's
    # exit, when they are None
    root = refuse["root"]
    if root is None or not (event == "open" or event in _WRITE_EVENTS):
        return
    if event == "open":
        mode, flags = args[1], args[2]
        writes = (
            any(c in mode for c in "wax+")
            if isinstance(mode, str)
            else bool(flags & _WRITE_FLAGS)
        )
        if not writes:
            return
    targets = [p for p in (_path(a) for a in args[:2]) if p is not None]
    below = [p for p in targets if p == root or p.startswith(root + os.sep)]
    if not below:
        return
    refuse["attempts"].append((event, below[0]))
    if event == "sqlite3.connect":
        msg = "unable to open database file"
        raise sqlite3.OperationalError(msg)
    if event == "os.mkdir" and os.path.exists(below[0]):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), below[0])
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), below[0])


@contextlib.contextmanager
def _read_only(home: Path) -> Iterator[list[tuple[str, str]]]:
    """``home`` read-only for this process, even as root: its modes lose every write bit
    (enough for any other user), and every write the interpreter attempts below it is refused
    as the kernel refuses it (an audit hook). Yields the writes attempted there."""
    if not getattr(_audit, "installed", False):
        sys.addaudithook(_audit)
        _audit.installed = True  # type: ignore[attr-defined]
    subprocess.run(["chmod", "-R", "a-w", str(home)], check=True)
    _REFUSE.update(root=os.path.realpath(home), attempts=[])
    try:
        yield _REFUSE["attempts"]
    finally:
        _REFUSE["root"] = None
        subprocess.run(["chmod", "-R", "u+w", str(home)], check=True)


def _state(folder: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every entry below ``folder``: mode, size, modification time, inode."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        out[path.relative_to(folder).as_posix()] = (
            info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino,
        )  # fmt: skip
    return out


@pytest.fixture
def shared(tmp_path: Path) -> Settings:
    """A store filled by its administrator, as on a hub (``EPICURVES_HOME=/srv/epicurves``)."""
    settings = Settings(home=tmp_path / "srv-epicurves", mirror=FIXTURES)
    assert not epicurves.update(settings).failed
    return Settings(home=settings.home)


@pytest.mark.slow
def test_reading_a_read_only_store_writes_nothing(
    shared: Settings, tmp_path: Path
) -> None:
    home = shared.home
    with _read_only(home) as attempts:
        before = _state(home)
        assert epicurves.ensure_data(shared, echo=pytest.fail) == shared  # only reads
        metrics = epicurves.load_metrics(["DE"], settings=shared)
        summary = epicurves.load_summary(settings=shared)
        signals = epicurves.load_signals(settings=shared)
        regions = epicurves.load_regions(settings=shared)
        with epicurves.Store(shared.store_dir).snapshot() as snapshot:
            assert snapshot.generation == 1 and snapshot.sources()
        runner = CliRunner()
        for args in (
            ["info"], ["summary"], ["regions", "--format", "csv"], ["signals"],
            ["export", "--out", str(tmp_path / "all.csv")],
            ["notebook", "DE", "--out", str(tmp_path / "DE.ipynb")],
        ):  # fmt: skip
            if args[0] not in cli.commands:
                continue
            result = runner.invoke(cli, ["--home", str(home), *args])
            assert result.exit_code == 0, (args, result.stderr)
        after = _state(home)
    assert not metrics.empty and not summary.empty and not signals.empty
    assert not regions.empty
    assert (tmp_path / "all.csv").stat().st_size > 0
    assert after == before
    # making a pin is the only write a reader tries; refused, it reads without one
    assert attempts, "a reader tried no pin at all: the test refused nothing"
    tried = {tuple(os.path.relpath(p, home).split(os.sep)[:2]) for _, p in attempts}
    assert tried == {("store", "pins")}, attempts


@pytest.mark.slow
def test_an_update_without_write_access_fails_in_one_line_and_loses_nothing(
    shared: Settings, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURES, mirror)
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:  # something new upstream
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")
    home = shared.home
    manifest = (shared.store_dir / "manifest.json").read_bytes()
    with _read_only(home):
        before = _state(home)
        result = CliRunner().invoke(
            cli, ["--home", str(home), "update", "--mirror", str(mirror)]
        )
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: no write access to {home / 'update.lock'} (Permission denied): "
            f"updating needs write access to {home}; a shared read-only store is "
            "updated by its owner, and reading it needs none\n"
        )
        with pytest.raises(epicurves.StoreError, match="no write access"):
            epicurves.update(Settings(home=home, mirror=mirror))
        assert _state(home) == before
        assert not epicurves.load_metrics(["DE-09175"], settings=shared).empty
    assert (shared.store_dir / "manifest.json").read_bytes() == manifest
    # its owner updates it as before
    report = epicurves.update(Settings(home=home, mirror=mirror))
    assert not report.failed and report.generation == 2


@pytest.mark.slow
def test_an_unpinned_read_overlapping_an_update_says_to_read_again(
    shared: Settings, tmp_path: Path
) -> None:
    """The one risk of reading without a pin: the daily update removes the generation being
    read. The read fails with a StoreError that says so (not "run epicurves update")."""
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURES, mirror)
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")
    store = epicurves.Store(shared.store_dir)
    with _read_only(shared.home):
        snapshot = store.snapshot()  # a user's: no pin
    with snapshot:
        assert snapshot.generation == 1 and snapshot.files("observations")
        assert (
            epicurves.update(Settings(home=shared.home, mirror=mirror)).generation == 2
        )
        assert list(store.generations()) == [2]  # nothing pinned 1: its files went
        with pytest.raises(epicurves.StoreError) as caught:
            snapshot.load_observations(["rki-districts"])
    message = str(caught.value)
    assert "an update replaced generation 1 during this read" in message
    assert message.endswith("read again") and "run `epicurves update`" not in message
    assert not epicurves.load_metrics(["DE-09175"], settings=shared).empty  # read again


READER = """
import os, shutil, subprocess, sys
from click.testing import CliRunner
import epicurves
from epicurves.cli import cli

def read(home, out):
    settings = epicurves.Settings(home=home)
    epicurves.load_metrics(["DE"], settings=settings)
    epicurves.load_summary(settings=settings)
    epicurves.load_signals(settings=settings)
    for args in (["info"], ["export", "--out", out]):
        result = CliRunner().invoke(cli, ["--home", home, *args])
        assert result.exit_code == 0, result.output
    with epicurves.Store(settings.store_dir).snapshot() as snapshot:
        return snapshot._pin is not None

home, warm, out = sys.argv[1:4]
shutil.copytree(home, warm)  # the same reads as root first: every module imported
subprocess.run(["chmod", "-R", "u+w", warm], check=True)
assert read(warm, warm + ".csv")
os.setgroups([])
os.setgid(65534)
os.setuid(65534)  # nobody, from here on
assert not os.access(home, os.W_OK)
print("pinned" if read(home, out) else "unpinned")
"""


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root can drop to another user; as any other user the test above is real",
)
@pytest.mark.slow
def test_another_user_reads_the_store_without_writing(shared: Settings) -> None:
    """As root (CI) chmod stops nothing: a child process drops to ``nobody`` and reads."""
    folder = Path(tempfile.mkdtemp(prefix="epicurves-shared-"))
    try:
        os.chmod(folder, 0o755)
        home = folder / "srv"
        shutil.copytree(shared.home, home)
        subprocess.run(["chmod", "-R", "a+rX,a-w", str(home)], check=True)
        (folder / "out").mkdir(mode=0o777)
        os.chmod(folder / "out", 0o777)
        before = _state(home)
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(READER), str(home),
             str(folder / "warm"), str(folder / "out" / "all.csv")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip() == "unpinned"
        assert _state(home) == before
        assert (folder / "out" / "all.csv").stat().st_size > 0
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)

"""Build two revisions of epicurves on the same data with the clock pinned and compare their sites, exports and CLI output: proof that a restructuring changed no behaviour.

A development tool, not part of the package (nothing in ``epicurves`` imports it). From the
repository root, with the project's virtualenv active::

    python tools/sitediff.py c16e9d3 WORKTREE     # the working tree, uncommitted changes included
    python tools/sitediff.py c16e9d3 HEAD --keep /tmp/sd --allow 'site/compare/*' --allow 'build --help'
    python tools/sitediff.py c16e9d3 c16e9d3 --record tools/sitediff/recorded-c16e9d3.json
    python tools/sitediff.py c16e9d3 HEAD --charts    # and the charts in Chromium (tools/chartdiff.py)

Each revision is checked out with ``git worktree add --detach`` into a temporary folder
(``WORKTREE``: the working tree is copied there as it is when the tool starts, uncommitted
changes and the untracked files git does not ignore included, so that edits made meanwhile do
not mix into the run). Its commands run with this interpreter as ``python -m epicurves``
would (:func:`child_main`, through ``runpy``), with the revision's ``src`` first on
``PYTHONPATH`` (every run checks that ``epicurves`` was imported from there), a fresh
``EPICURVES_HOME``, ``COLUMNS=160``, no colour, and the clock pinned to ``--now``
(:func:`install_clock`). For each revision, one after the other (about a minute each on two
idle cores; two to three on a busy machine):

1. ``epicurves run --mirror DATA --out SITE`` (``--data``, default ``REPO/../shared/data``);
2. the exports (:data:`EXPORTS`): ``export`` of every region as CSV and of every source as
   Parquet, ``signals``, ``summary --format csv`` and JSON, ``regions``, ``notebook --all``,
   ``recipes --out``;
3. the recorded commands, ``tools/sitediff/commands.txt``: stdout, stderr, exit status and
   the files each writes (two commands at a time, ``--jobs``).

Then it compares, prints the counts per category and the first differing lines of each
difference (``--details`` per category):

- the site, file by file: every path in one site and not the other; data scripts, CSV, JSON,
  notebooks and the rest byte for byte; HTML byte for byte after the hashed asset names are
  replaced by their logical names (``static/charts-35bc432a6c.js`` ->
  ``static/charts-HASH.js``); the static assets by logical name ("asset changed" when the
  content differs; "renamed", not a failure, when only the hash in the name does);
- the exports and the store (``manifest.json``, ``checked.json``, the Parquet tables) byte
  for byte;
- the output of the ``run`` and of every command.

What is normalised, and why (nothing else is):

- the folders of a run, in outputs and in the files a command writes: ``{home}``, ``{site}``,
  ``{tmp}``, ``{data}``, ``{worktree}``, ...; the two revisions run in folders of the same
  length (``old/``, ``new/``), so that rich tables naming them are equally wide;
- wall-clock durations, which no pinned clock makes equal: the ``seconds`` column of the
  update table and ``built ... in 6.7 s: ... (8.7 ms each, ...)`` become ``~``;
- the store's random ``uuid4`` tokens in its file names and its store id;
- the hashed asset names in HTML (the hash of ``plots.py`` names the chart layout: moving code
  renames it).

The times ``info`` prints ("checked", "changed", staleness), ``status.json``'s ``built_at``,
the home page's build time and the store's ``checked_at``/``updated_at`` need no
normalising: the clock is pinned. pandas' ``Timestamp.now()`` (a "date in the future" check of
the sources) still reads the real clock. A warning says when today's real date appears in an
output anyway (a clock the pinning missed).

OLD's outputs are also compared with the recording (``--recording``, default the outputs
recorded at c16e9d3 into ``tools/sitediff/recorded-c16e9d3.json``; ``--record FILE`` writes
OLD's), which does not change the exit status. Exit status: 0 no difference, or only
differences matching an ``--allow`` glob (on a reported path: ``site/index.html``,
``out/export.csv``, ``store/manifest.json``; or on a command's line in commands.txt:
``'build --help'``, ``'info*'``); 1 differences; 2 the tool could not run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _datetime
import difflib
import fnmatch
import hashlib
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time as _time
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: The package whose clock is pinned and whose import location is checked.
PACKAGE = "epicurves"
#: Environment of the child processes: the pinned instant, and the ``src`` they must import.
NOW_ENV = "SITEDIFF_NOW"
SRC_ENV = "SITEDIFF_SRC"
#: A child that imported the package from elsewhere exits with this status.
EXIT_WRONG_CODE = 97
DEFAULT_NOW = "2026-12-01T12:00:00+00:00"
TOOL_DIR = Path(__file__).resolve().parent / "sitediff"
COMMANDS = TOOL_DIR / "commands.txt"
RECORDING = TOOL_DIR / "recorded-c16e9d3.json"
#: Environment every command gets: a fixed terminal width, no colour, UTC, one locale.
FIXED_ENV = {
    "COLUMNS": "160",
    "LINES": "50",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
}
#: The exports made from each built home: (file under out/, arguments, stdout is the file).
EXPORTS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("export.csv", ("export", "--out", "{out}/export.csv"), False),
    ("export-all-sources.parquet",
     ("export", "--all-sources", "--out", "{out}/export-all-sources.parquet"), False),
    ("export-DE-US-CA.json",
     ("export", "--region", "DE", "--region", "US-CA", "--out", "{out}/export-DE-US-CA.json"),
     False),
    ("signals.csv", ("signals", "--out", "{out}/signals.csv"), False),
    ("signals-DE.json", ("signals", "--region", "DE", "--out", "{out}/signals-DE.json"), False),
    ("summary.csv", ("summary", "--format", "csv"), True),
    ("summary-all.json",
     ("summary", "--format", "json", "--all-sources", "--historic"), True),
    ("regions-all.csv", ("regions", "--all-sources", "--format", "csv"), True),
    ("notebooks", ("notebook", "--all", "--out", "{out}/notebooks"), False),
    ("recipes", ("recipes", "--out", "{out}/recipes"), False),
)  # fmt: skip
#: A command's stdout or stderr longer than this is recorded as its digest.
RECORD_LIMIT = 200_000
#: At most this many files a command writes are listed one by one (else one digest).
MAX_LISTED_FILES = 60
COMMAND_TIMEOUT = 900


class ToolError(Exception):
    """The comparison could not be made (a revision that does not exist, a broken checkout)."""


# -- the pinned clock (runs in every child process, from sitecustomize) -------------------


def install_clock() -> None:
    """Pin the wall clock seen by the ``epicurves`` package in this process to ``$SITEDIFF_NOW``.

    Only code of the package is affected: an ``import datetime`` or ``import time`` (or a
    ``from`` import of them) made by a module named ``epicurves`` or ``epicurves.*`` gets a copy
    of the module whose ``datetime.now``/``utcnow``/``today``, ``date.today`` and
    ``time.time``/``time_ns``/``localtime``/``gmtime``/``ctime``/``strftime`` see the pinned
    instant. Everything else (pandas, pyarrow, their C type checks) keeps the real modules, and
    every ``datetime`` made is a real one. The monotonic clocks (``time.monotonic``,
    ``perf_counter``: locks, timeouts, the durations printed) are left alone. Called by the
    ``sitecustomize`` the tool puts first on ``PYTHONPATH``, so the worker processes of the
    site build (forkserver, spawn, Dask) are pinned as well.
    """
    value = os.environ.get(NOW_ENV)
    if not value:
        return
    import builtins

    pinned = _aware(_datetime.datetime.fromisoformat(value))
    fakes = _clock_modules(pinned)
    original = builtins.__import__

    def pinned_import(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> types.ModuleType:
        module = original(name, globals, locals, fromlist or (), level)
        if level == 0 and name in fakes and globals is not None:
            importer = str(globals.get("__name__", ""))
            if importer == PACKAGE or importer.startswith(PACKAGE + "."):
                return fakes[name]
        return module

    builtins.__import__ = pinned_import


def _aware(moment: _datetime.datetime) -> _datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=_datetime.UTC)


def _clock_modules(pinned: _datetime.datetime) -> dict[str, types.ModuleType]:
    """Copies of ``datetime`` and ``time`` whose clocks read ``pinned``."""
    real_datetime, real_date = _datetime.datetime, _datetime.date
    stamp = pinned.timestamp()

    class _Meta(type):
        # isinstance(real_datetime_object, fake_class) stays true, and so does issubclass.
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, cls.__mro__[1])

        def __subclasscheck__(cls, sub: type) -> bool:
            return issubclass(sub, cls.__mro__[1])

    class datetime(
        _datetime.datetime, metaclass=_Meta
    ):  # stands in for datetime.datetime
        __slots__ = ()

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_datetime(*args, **kwargs)  # every instance is a real datetime

        @classmethod
        def now(cls, tz: _datetime.tzinfo | None = None) -> Any:
            return (
                pinned.astimezone(tz)
                if tz
                else pinned.astimezone().replace(tzinfo=None)
            )

        @classmethod
        def utcnow(cls) -> Any:
            return pinned.astimezone(_datetime.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> Any:
            return cls.now()

    class date(_datetime.date, metaclass=_Meta):  # stands in for datetime.date
        __slots__ = ()

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_date(*args, **kwargs)

        @classmethod
        def today(cls) -> Any:
            return pinned.astimezone().date()

    def _copy(real: types.ModuleType, **names: object) -> types.ModuleType:
        module = types.ModuleType(real.__name__, real.__doc__)
        module.__dict__.update(real.__dict__)
        module.__dict__.update(names)
        return module

    def _at(secs: float | None) -> float:
        return stamp if secs is None else secs

    def _strftime(fmt: str, t: Any = None) -> str:
        return _time.strftime(fmt, _time.localtime(stamp) if t is None else t)

    return {
        "datetime": _copy(_datetime, datetime=datetime, date=date),
        "time": _copy(
            _time,
            time=lambda: stamp,
            time_ns=lambda: int(stamp * 1_000_000_000),
            localtime=lambda secs=None: _time.localtime(_at(secs)),
            gmtime=lambda secs=None: _time.gmtime(_at(secs)),
            ctime=lambda secs=None: _time.ctime(_at(secs)),
            strftime=_strftime,
        ),
    }


def child_main() -> None:
    """Run ``python -m epicurves`` with this process's arguments, after checking that the
    package is imported from ``$SITEDIFF_SRC``."""
    import runpy

    src = Path(os.environ[SRC_ENV]).resolve()
    package = __import__(PACKAGE)
    where = Path(package.__file__ or "").resolve()
    if src not in where.parents:
        print(
            f"sitediff: {PACKAGE} was imported from {where}, expected it inside {src}",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_WRONG_CODE)
    sys.argv = [PACKAGE, *sys.argv[1:]]
    runpy.run_module(PACKAGE, run_name="__main__", alter_sys=True)


_SITECUSTOMIZE = '''"""Written by tools/sitediff.py: pins the clock of every Python process of a run."""

import _sitediff

_sitediff.install_clock()
'''


# -- revisions ------------------------------------------------------------------------------


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


# -- running a revision's commands ----------------------------------------------------------


@dataclasses.dataclass
class Result:
    """What one command did: exit status, normalised stdout and stderr, the files it wrote."""

    exit: int
    stdout: str
    stderr: str
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    def recorded(self, *, shrink: bool) -> dict[str, Any]:
        """As compared: with ``shrink``, as recorded (long outputs as their digest)."""
        keep: Callable[[str], str] = _shrink if shrink else str
        return {
            "exit": self.exit,
            "stdout": keep(self.stdout),
            "stderr": keep(self.stderr),
            "files": self.files,
        }


def _shrink(text: str) -> str:
    if len(text) <= RECORD_LIMIT:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"<{len(text):,} characters, sha256 {digest}>"


@dataclasses.dataclass
class Command:
    """One line of commands.txt: its environment and arguments, with placeholders."""

    line: str
    env: dict[str, str]
    args: list[str]


def load_commands(path: Path) -> list[Command]:
    commands: list[Command] = []
    seen: set[str] = set()
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in seen:
            msg = f"{path}: line {number}: {line!r} is listed twice"
            raise ToolError(msg)
        seen.add(line)
        words = shlex.split(line)
        env: dict[str, str] = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        commands.append(Command(line, env, words))
    return commands


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: The random token in a store table's file name, and the store's random id.
_STORE_TOKEN = re.compile(r"-[0-9a-f]{12}(?=\.\w+\.parquet)")
_STORE_ID = re.compile(r'("store(?:_id)?"\s*:\s*)"[0-9a-f]{32}"')
#: Durations the CLI prints, which no pinned clock can make equal.
_DURATIONS = (
    (re.compile(r"(\bbuilt .*? in )\d+(?:\.\d+)? s:"), r"\1~ s:"),
    (re.compile(r"\(\d+(?:\.\d+)? ms each, "), "(~ ms each, "),
)


def _blank_column(text: str, header: str) -> str:
    """Replace the cells of the rich table column ``header`` with ``~`` (the update table's
    ``seconds``: wall-clock durations)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = re.search(rf"[┃│] {re.escape(header)} +[┃│]", line)
        if match is None:
            continue
        left, right = match.start(), match.end() - 1
        for j in range(i + 1, len(lines)):
            row = lines[j]
            if len(row) <= right or row[left] not in "│┃" or row[right] not in "│┃":
                if row[:1] in "└╰" or not row.strip():
                    break
                continue
            cell = " ~" if row[left + 1 : right].strip() else ""
            lines[j] = row[: left + 1] + cell.ljust(right - left - 1) + row[right:]
    return "\n".join(lines)


def normalise_output(text: str, paths: Mapping[str, Path]) -> str:
    """``text`` with the run's folders as ``{name}`` (longest first) and durations as ``~``."""
    pairs = sorted(
        ((str(p), "{" + name + "}") for name, p in paths.items()),
        key=lambda pair: -len(pair[0]),
    )
    for path, token in pairs:
        # tokens are plain text: no backslash or group reference for re.sub to expand
        text = re.sub(re.escape(path) + r"(?![\w-]|\.\w)", token, text)
    for pattern, replacement in _DURATIONS:
        text = pattern.sub(replacement, text)
    return _blank_column(text, "seconds")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _text_digest(path: Path, paths: Mapping[str, Path]) -> str:
    """The digest of a file; of a small text file, after :func:`normalise_output` and with a
    store's random tokens and id normalised."""
    if path.stat().st_size > 20_000_000:
        return _file_digest(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return hashlib.sha256(data).hexdigest()[:16]
    text = _STORE_ID.sub(r'\1"STORE-ID"', _STORE_TOKEN.sub("-TOKEN", text))
    return hashlib.sha256(normalise_output(text, paths).encode()).hexdigest()[:16]


def _files(root: Path) -> dict[str, Path]:
    """Every file under ``root`` (links to folders followed once, at the top), by relative path."""
    found: dict[str, Path] = {}
    if not root.exists():
        return found
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return found


def _written(
    folder: Path, skip: Iterable[str], paths: Mapping[str, Path]
) -> dict[str, str]:
    """Digests of the files a command wrote into its folder (links shown as ``-> target``).

    A store's random file tokens and id are normalised, in names and in its JSON files, and
    the run's folders in every text file (a store's ``checked.json`` names the mirror)."""
    listed: dict[str, str] = {}
    for dirpath, dirnames, names in os.walk(folder):
        for name in [*names, *dirnames]:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if rel in skip:
                continue
            key = _STORE_TOKEN.sub("-TOKEN", rel)
            if path.is_symlink():
                listed[key] = "-> " + os.readlink(path)
            elif path.is_file():
                listed[key] = _text_digest(path, paths)
    if len(listed) > MAX_LISTED_FILES:
        whole = hashlib.sha256(json.dumps(sorted(listed.items())).encode()).hexdigest()
        return {f"<{len(listed):,} files>": whole[:16]}
    return dict(sorted(listed.items()))


class Side:
    """One revision's run: its folders, its environment, and what it printed and wrote."""

    def __init__(
        self, label: str, revision: Revision, root: Path, data: Path, now: str
    ) -> None:
        self.label = label
        self.revision = revision
        self.root = root
        self.data = data
        self.now = now
        self.home = root / "home"
        self.site = root / "site"
        self.out = root / "out"
        self.driver = root / "driver"
        self.results: dict[str, Result] = {}
        self.seconds = 0.0

    def prepare(self) -> None:
        for folder in (self.driver, self.out, self.root / "cmd", self.root / "copies"):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(__file__), self.driver / "_sitediff.py")
        (self.driver / "sitecustomize.py").write_text(_SITECUSTOMIZE, "utf-8")

    def env(self, extra: Mapping[str, str]) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("EPICURVES_", "SITEDIFF_", "PYTHON", "FAKETIME"))
            and k not in ("LD_PRELOAD", "VIRTUAL_ENV_PROMPT")
        }
        env.update(FIXED_ENV)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(self.driver), str(self.revision.tree / "src")]
        )
        env[NOW_ENV] = self.now
        env[SRC_ENV] = str(self.revision.tree / "src")
        env["EPICURVES_HOME"] = str(self.home)
        env.update(extra)
        return env

    def paths(self, tmp: Path | None = None) -> dict[str, Path]:
        """The folders an output may name, by the placeholder that replaces them."""
        paths = {
            "data": self.data,
            "home": self.home,
            "site": self.site,
            "site.generations": self.site.parent / f".{self.site.name}.generations",
            "out": self.out,
            "worktree": self.revision.tree,
            "driver": self.driver,
            "root": self.root,
        }
        if tmp is not None:
            copies = self.root / "copies" / tmp.name
            paths |= {
                "tmp": tmp,
                "file": tmp / "file.txt",
                "copy": copies / "home",
                "sitecopy": copies / "site",
                "sitecopy.generations": copies / ".site.generations",
                "copies": copies,
            }
        return paths

    def invoke(
        self,
        args: list[str],
        env: Mapping[str, str],
        cwd: Path,
        tmp: Path | None,
        stdout_to: Path | None = None,
    ) -> Result:
        """Run ``epicurves ARGS`` of this revision in ``cwd`` (its stdout into the file
        ``stdout_to``, as it is, if given); fail loudly if it ran the wrong code."""
        started = _time.monotonic()
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import _sitediff; _sitediff.child_main()",
                    *args,
                ],
                cwd=cwd,
                env=self.env(env),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            done = subprocess.CompletedProcess(
                exc.cmd, -1, exc.stdout or b"", (exc.stderr or b"") + b"\n<timed out>"
            )
        stdout = done.stdout.decode("utf-8", "backslashreplace")
        stderr = done.stderr.decode("utf-8", "backslashreplace")
        if stdout_to is not None:
            stdout_to.write_bytes(done.stdout)
            stdout = f"<written to {stdout_to.name}>"
        if done.returncode == EXIT_WRONG_CODE and "sitediff:" in stderr:
            raise ToolError(stderr.strip())
        paths = self.paths(tmp)
        return Result(
            done.returncode,
            normalise_output(stdout, paths),
            normalise_output(stderr, paths),
            seconds=_time.monotonic() - started,
        )

    def expand(self, text: str, tmp: Path) -> str:
        paths = self.paths(tmp)

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in paths:
                msg = f"unknown placeholder {{{name}}} in {text!r}"
                raise ToolError(msg)
            if name == "copy" and not paths["copy"].exists():
                shutil.copytree(self.home, paths["copy"], symlinks=True)
            if name == "sitecopy" and not paths["sitecopy"].exists():
                generations = paths["site.generations"]
                shutil.copytree(
                    generations, paths["sitecopy.generations"], symlinks=True
                )
                os.symlink(os.readlink(self.site), paths["sitecopy"])
            return str(paths[name])

        return _PLACEHOLDER.sub(value, text)

    def run_command(self, number: int, command: Command) -> tuple[str, Result]:
        tmp = self.root / "cmd" / f"{number:03d}"
        tmp.mkdir(parents=True)
        (tmp / "file.txt").write_text("not a folder\n", "utf-8")
        env = {k: self.expand(v, tmp) for k, v in command.env.items()}
        args = [self.expand(a, tmp) for a in command.args]
        result = self.invoke(args, env, tmp, tmp)
        result.files = _written(tmp, {"file.txt"}, self.paths(tmp))
        return command.line, result

    def run_export(
        self, name: str, args: tuple[str, ...], to_stdout: bool
    ) -> tuple[str, Result]:
        expanded = [a.replace("{out}", str(self.out)) for a in args]
        into = self.out / name if to_stdout else None
        result = self.invoke(expanded, {}, self.out, None, stdout_to=into)
        return f"[out] {' '.join(args)}", result

    def build(self, workers: int | None, jobs: int, commands: list[Command]) -> None:
        """Run, export, run the commands; keep every result by its name."""
        from concurrent.futures import ThreadPoolExecutor

        started = _time.monotonic()
        self.prepare()
        args = ["run", "--mirror", str(self.data), "--out", str(self.site)]
        if workers:
            args += ["--workers", str(workers)]
        (self.root / "run").mkdir(exist_ok=True)
        result = self.invoke(args, {}, self.root / "run", None)
        key = "[build] run --mirror {data} --out {site}" + (
            f" --workers {workers}" if workers else ""
        )
        self.results[key] = result
        print(
            f"  {self.label}: run: exit {result.exit} in {result.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        with ThreadPoolExecutor(max(jobs, 1)) as pool:
            futures = [pool.submit(self.run_export, *e) for e in EXPORTS]
            futures += [
                pool.submit(self.run_command, n, c) for n, c in enumerate(commands, 1)
            ]
            for future in futures:
                name, result = future.result()
                self.results[name] = result
        self.seconds = _time.monotonic() - started
        print(
            f"  {self.label}: {len(self.results)} runs in {self.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )


# -- what the two revisions wrote ---------------------------------------------------------

#: A hash in an asset's file name: site-1d2e06079c.js, charts.3f2a9c81.js.
_HASH = re.compile(r"(?<=[-.])[0-9a-f]{6,64}(?=\.)")


def logical_asset(name: str) -> str:
    """``static/charts-35bc432a6c.js`` -> ``static/charts-HASH.js``."""
    folder, _, file = name.rpartition("/")
    return (folder + "/" if folder else "") + _HASH.sub("HASH", file)


def category(rel: str) -> str:
    if rel.startswith("static/"):
        return "asset"
    suffix = rel.rpartition(".")[2]
    return {
        "html": "html",
        "js": "data script",
        "csv": "csv/json",
        "json": "csv/json",
        "ipynb": "notebook",
    }.get(suffix, "other")


@dataclasses.dataclass
class Outputs:
    """The files of one side to compare, by reported key: bytes as compared, and a category."""

    files: dict[str, tuple[str, Callable[[], bytes]]]
    renamed: dict[str, str]

    def digests(self) -> dict[str, str]:
        """A digest per file, and one per folder of more than :data:`MAX_LISTED_FILES`
        files (``site/data/*``: 1,389 files), as recorded."""
        folders: dict[str, dict[str, str]] = {}
        for key, (_, read) in sorted(self.files.items()):
            folder, _, name = key.rpartition("/")
            folders.setdefault(folder, {})[name] = hashlib.sha256(read()).hexdigest()[
                :16
            ]
        digests: dict[str, str] = {}
        for folder, files in folders.items():
            if len(files) <= MAX_LISTED_FILES:
                digests |= {f"{folder}/{name}": d for name, d in files.items()}
            else:
                whole = json.dumps(sorted(files.items())).encode()
                digests[f"{folder}/* ({len(files):,} files)"] = hashlib.sha256(
                    whole
                ).hexdigest()[:16]
        return digests


def collect(side: Side) -> Outputs:
    """Everything ``side`` wrote, keyed ``site/…``, ``out/…``, ``store/…``."""
    files: dict[str, tuple[str, Callable[[], bytes]]] = {}
    site = _files(side.site.resolve()) if side.site.exists() else {}
    assets = {rel: logical_asset(rel) for rel in site if rel.startswith("static/")}
    swaps = sorted(
        ((rel[7:], logical[7:]) for rel, logical in assets.items() if rel != logical),
        key=lambda pair: -len(pair[0]),
    )

    def html(path: Path) -> Callable[[], bytes]:
        def read() -> bytes:
            text = path.read_bytes()
            for actual, logical in swaps:
                text = text.replace(actual.encode(), logical.encode())
            return text

        return read

    for rel, path in site.items():
        kind = category(rel)
        key = "site/" + assets.get(rel, rel)
        files[key] = (kind, html(path) if kind == "html" else path.read_bytes)
    for rel, path in _files(side.out).items():
        files["out/" + rel] = ("export", path.read_bytes)
    store = side.home / "store"
    for rel, path in _files(store).items():
        if rel.startswith(("pins/", "generations/")) or rel.endswith(".lock"):
            continue
        if rel.endswith(".json"):
            files["store/" + rel] = ("store", _store_json(path))
        else:
            files["store/" + _STORE_TOKEN.sub("-TOKEN", rel)] = (
                "store",
                path.read_bytes,
            )
    renamed = {assets[rel]: rel for rel in assets if assets[rel] != rel}
    return Outputs(files, renamed)


def _store_json(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        text = path.read_text("utf-8")
        text = _STORE_TOKEN.sub("-TOKEN", text)
        return _STORE_ID.sub(r'\1"STORE-ID"', text).encode()

    return read


def first_difference(old: bytes, new: bytes, width: int = 160, lines: int = 12) -> str:
    """Where ``old`` and ``new`` first differ: a short unified diff, or an excerpt of a long
    line around the first differing character."""
    if b"\0" in old[:4096] or b"\0" in new[:4096] or old[:4] == b"PAR1":
        return f"binary, {len(old):,} and {len(new):,} bytes"
    a = old.decode("utf-8", "replace").removesuffix("\n").split("\n")
    b = new.decode("utf-8", "replace").removesuffix("\n").split("\n")
    if a == b:
        return "the same lines; one ends with a newline, the other does not"
    i = next(
        (k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
        min(len(a), len(b)),
    )
    differing = sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))
    head = (
        f"first at line {i + 1}; {differing:,} lines differ in place "
        f"({len(a):,} and {len(b):,} lines)"
    )
    x, y = (a[i] if i < len(a) else ""), (b[i] if i < len(b) else "")
    if max(len(x), len(y)) > width:
        col = next(
            (k for k, (p, q) in enumerate(zip(x, y, strict=False)) if p != q),
            min(len(x), len(y)),
        )
        start = max(col - width // 3, 0)
        return (
            f"{head}, column {col + 1}:\n"
            f"- …{x[start : start + width]}…\n+ …{y[start : start + width]}…"
        )
    # A window from the first difference on, wide enough that lines added or removed there
    # do not make its end look different; only the first lines of the diff are shown.
    start, end = max(i - 1, 0), i + 200
    diff = difflib.unified_diff(
        a[start:end], b[start:end], "OLD", "NEW", lineterm="", n=1
    )
    shown = [
        "…" if line.startswith("@@") else line[:width]
        for line in itertools.islice(diff, 2, 2 + lines)
    ]
    shown = shown[1:] if shown[:1] == ["…"] else shown
    return head + ":\n" + "\n".join(shown)


# -- comparing -------------------------------------------------------------------------------


@dataclasses.dataclass
class Finding:
    """One thing compared that is not the same."""

    category: str
    key: str
    what: str  # "differs", "only in OLD", "only in NEW", "renamed"
    detail: str = ""
    allowed: bool = False


def compare_files(old: Outputs, new: Outputs) -> tuple[list[Finding], dict[str, int]]:
    findings: list[Finding] = []
    same: dict[str, int] = {}
    for key in sorted(old.files.keys() | new.files.keys()):
        if key not in new.files:
            findings.append(Finding(old.files[key][0], key, "only in OLD"))
            continue
        if key not in old.files:
            findings.append(Finding(new.files[key][0], key, "only in NEW"))
            continue
        kind, read_old = old.files[key]
        a, b = read_old(), new.files[key][1]()
        if a == b:
            same[kind] = same.get(kind, 0) + 1
            if key in old.renamed and old.renamed[key] != new.renamed.get(key):
                findings.append(
                    Finding(
                        kind,
                        key,
                        "renamed",
                        f"{old.renamed[key]} -> {new.renamed.get(key)}",
                    )
                )
        else:
            label = "asset changed" if kind == "asset" else "differs"
            findings.append(Finding(kind, key, label, first_difference(a, b)))
    return findings, same


def compare_results(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    old_name: str = "OLD",
    new_name: str = "NEW",
) -> tuple[list[Finding], int]:
    """Compare recorded command results (exit, stdout, stderr, files) by command line."""
    findings: list[Finding] = []
    same = 0
    for key in list(dict.fromkeys([*old, *new])):
        if key not in new:
            findings.append(Finding("command", key, f"only in {old_name}"))
            continue
        if key not in old:
            findings.append(Finding("command", key, f"only in {new_name}"))
            continue
        parts = []
        a, b = old[key], new[key]
        if a["exit"] != b["exit"]:
            parts.append(f"exit status {a['exit']} -> {b['exit']}")
        for stream in ("stdout", "stderr"):
            if a[stream] != b[stream]:
                detail = first_difference(
                    str(a[stream]).encode(), str(b[stream]).encode()
                )
                parts.append(f"{stream}: {detail}")
        if a["files"] != b["files"]:
            files_a, files_b = dict(a["files"]), dict(b["files"])
            changed = sorted(
                k
                for k in files_a.keys() | files_b.keys()
                if files_a.get(k) != files_b.get(k)
            )
            parts.append("files written differ: " + ", ".join(changed[:8]))
        if parts:
            findings.append(Finding("command", key, "differs", "\n".join(parts)))
        else:
            same += 1
    return findings, same


def apply_allow(findings: list[Finding], patterns: list[str]) -> None:
    for finding in findings:
        finding.allowed = (
            any(fnmatch.fnmatchcase(finding.key, p) for p in patterns)
            or finding.what == "renamed"
        )


def clock_leaks(
    outputs: Outputs, results: Mapping[str, Result], pinned: str, started: float
) -> list[str]:
    """Where the real date of this run appears in an output although the clock was pinned."""
    days = {
        _datetime.datetime.fromtimestamp(t, tz).date().isoformat()
        for t in (started, _time.time())
        for tz in (_datetime.UTC, None)
    }
    days.discard(_aware(_datetime.datetime.fromisoformat(pinned)).date().isoformat())
    leaks = []
    for day in sorted(days):
        needle = day.encode()
        where = [k for k, (_, read) in outputs.files.items() if needle in read()]
        where += [k for k, r in results.items() if day in r.stdout or day in r.stderr]
        if where:
            shown = ", ".join(where[:5]) + (
                f" and {len(where) - 5} more" if len(where) > 5 else ""
            )
            leaks.append(f"today's date {day} appears in {shown}")
    return leaks


# -- the report ----------------------------------------------------------------------------

CATEGORIES = (
    "html",
    "data script",
    "csv/json",
    "notebook",
    "asset",
    "other",
    "export",
    "store",
    "command",
)


def report(
    findings: list[Finding],
    same: Mapping[str, int],
    details: int,
    out: Callable[[str], None],
) -> int:
    """Print the table of counts and the details; return the number of failing findings."""
    kinds = [
        c for c in CATEGORIES if c in same or any(f.category == c for f in findings)
    ]
    out(
        f"{'category':<12} {'same':>6} {'differ':>7} {'only OLD':>9} {'only NEW':>9} {'renamed':>8} {'allowed':>8}"
    )
    for kind in kinds:
        mine = [f for f in findings if f.category == kind]

        def count(what: str, mine: list[Finding] = mine) -> int:
            return sum(f.what == what and not f.allowed for f in mine)

        differ = count("differs") + count("asset changed")
        allowed = sum(f.allowed and f.what != "renamed" for f in mine)
        renamed = sum(f.what == "renamed" for f in mine)
        out(
            f"{kind:<12} {same.get(kind, 0):>6} {differ:>7} {count('only in OLD'):>9} "
            f"{count('only in NEW'):>9} {renamed:>8} {allowed:>8}"
        )
    failing = [f for f in findings if not f.allowed]
    for kind in kinds:
        mine = [f for f in findings if f.category == kind and f.what != "renamed"]
        if not mine:
            continue
        out(f"\n{kind}: {len(mine)} not the same")
        for finding in mine[:details]:
            mark = " (allowed)" if finding.allowed else ""
            out(f"  {finding.what}{mark}: {finding.key}")
            for line in finding.detail.splitlines():
                out("      " + line)
        if len(mine) > details:
            rest = [f.key for f in mine[details:]]
            out(
                f"  … and {len(rest)} more: "
                + ", ".join(rest[:20])
                + (" …" if len(rest) > 20 else "")
            )
    renames = [f for f in findings if f.what == "renamed"]
    if renames:
        out(
            f"\nrenamed assets (same content, the hash in the name changed; not a failure): {len(renames)}"
        )
        for finding in renames:
            out(f"  {finding.detail}")
    return len(failing)


def results_as_records(
    results: Mapping[str, Result], *, shrink: bool = False
) -> dict[str, dict[str, Any]]:
    return {k: r.recorded(shrink=shrink) for k, r in results.items()}


def compare_recording(
    recording: Path,
    old: Side,
    old_outputs: Outputs,
    out: Callable[[str], None],
) -> None:
    """Say whether OLD's outputs are still those recorded (commands and file digests)."""
    data = json.loads(recording.read_text("utf-8"))
    findings, _ = compare_results(
        data["commands"],
        results_as_records(old.results, shrink=True),
        "the recording",
        "OLD",
    )
    recorded_files: dict[str, str] = data.get("files", {})
    live = old_outputs.digests()
    keys = sorted(recorded_files.keys() | live.keys())
    for key in keys:
        if recorded_files.get(key) != live.get(key):
            what = (
                "differs"
                if key in live and key in recorded_files
                else ("only in OLD" if key in live else "only in the recording")
            )
            findings.append(Finding("file", key, what))
    made = f"made at {str(data.get('revision', '?'))[:10]}, clock {data.get('now')}"
    total = len(keys) + len(dict.fromkeys([*data["commands"], *old.results]))
    if not findings:
        out(
            f"\nOLD still matches the recording {recording} ({made}): all {total:,} outputs"
        )
        return
    out(
        f"\nOLD does NOT match the recording {recording} ({made}): {len(findings)} of "
        f"{total:,} outputs differ"
        + (
            ""
            if data.get("now") == old.now
            else f" (OLD ran with the clock at {old.now})"
        )
    )
    for finding in findings[:10]:
        out(f"  {finding.what}: {finding.key}")
        for line in finding.detail.splitlines()[:8]:
            out("      " + line)
    if len(findings) > 10:
        out(f"  … and {len(findings) - 10} more")


def write_recording(path: Path, side: Side, outputs: Outputs, now: str) -> None:
    payload = {
        "tool": "tools/sitediff.py",
        "revision": side.revision.commit,
        "description": side.revision.description,
        "now": now,
        "commands": results_as_records(side.results, shrink=True),
        "files": outputs.digests(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", "utf-8")


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tools/sitediff.py",
        description="Build two revisions of epicurves on the same data with the clock pinned "
        "and compare the sites, the exports and the CLI's output.",
    )
    parser.add_argument("old", metavar="OLD_REV", help="a git revision")
    parser.add_argument(
        "new",
        metavar="NEW_REV",
        help="a git revision, or WORKTREE (a copy of the working tree as it is now, uncommitted changes included)",
    )
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument(
        "--repo", type=Path, default=repo, help=f"the git repository (default {repo})"
    )
    parser.add_argument(
        "--data", type=Path, help="the mirror folder (default REPO/../shared/data)"
    )
    parser.add_argument(
        "--now", default=DEFAULT_NOW, help=f"the pinned clock (default {DEFAULT_NOW})"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build into DIR and keep it (DIR/old, DIR/new)",
    )
    parser.add_argument("--allow", action="append", default=[], metavar="PATTERN",
                        help="a glob on a reported path (site/…, out/…, store/…) or command line "
                        "whose differences are intended: reported, not failing (repeatable)")  # fmt: skip
    parser.add_argument(
        "--commands", type=Path, default=COMMANDS, help="the command list"
    )
    parser.add_argument(
        "--recording",
        type=Path,
        default=RECORDING,
        help="compare OLD's outputs with this recording",
    )
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="write OLD's outputs to FILE"
    )
    parser.add_argument(
        "--workers", type=int, help="--workers of the `run` that builds the site"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="commands run at a time (default 2)"
    )
    parser.add_argument(
        "--details", type=int, default=5, help="differences shown per category"
    )
    parser.add_argument(
        "--charts",
        action="store_true",
        help="also open chart pages of both sites in Chromium and compare what their charts "
        "hold (tools/chartdiff.py)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = _time.time()
    repo = Path(_git(args.repo, "rev-parse", "--show-toplevel"))
    data = (args.data or repo.parent / "shared" / "data").resolve()
    if not data.is_dir():
        msg = f"--data {data}: no such folder"
        raise ToolError(msg)
    now = _aware(_datetime.datetime.fromisoformat(args.now)).isoformat()
    commands = load_commands(args.commands)
    if args.charts:
        import chartdiff  # beside this file

        reason = chartdiff.unavailable()
        if reason is not None:
            msg = f"--charts: {reason}"
            raise ToolError(msg)
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            msg = f"--keep {args.keep}: expected an empty or new folder"
            raise ToolError(msg)
        args.keep.mkdir(parents=True, exist_ok=True)
        base = args.keep.resolve()
    else:
        base = Path(tempfile.mkdtemp(prefix="sitediff-")).resolve()
    revisions: list[Revision] = []
    try:
        sides = []
        for label, spec in (("OLD", args.old), ("NEW", args.new)):
            root = base / label.lower()
            revision = check_out(repo, spec, root / "tree")
            revisions.append(revision)
            sides.append(Side(label, revision, root, data, now))
        old, new = sides
        print(f"sitediff: building into {base}", file=sys.stderr, flush=True)
        for side in sides:
            side.build(args.workers, args.jobs, commands)
        old_outputs, new_outputs = collect(old), collect(new)
        if args.keep:
            for side, outputs in ((old, old_outputs), (new, new_outputs)):
                write_recording(side.root / "outputs.json", side, outputs, now)
        findings, same = compare_files(old_outputs, new_outputs)
        command_findings, same_commands = compare_results(
            results_as_records(old.results), results_as_records(new.results)
        )
        findings += command_findings
        same = dict(same) | {"command": same_commands}
        apply_allow(findings, args.allow)
        print(f"OLD: {old.revision.description}")
        print(f"NEW: {new.revision.description}")
        print(
            f"clock pinned at {now}; data {data}; built and ran OLD in {old.seconds:.0f} s, "
            f"NEW in {new.seconds:.0f} s; {len(commands)} commands"
        )
        print()
        failing = report(findings, same, args.details, print)
        if args.recording and args.recording.exists():
            compare_recording(args.recording, old, old_outputs, print)
        for side, outputs in ((old, old_outputs), (new, new_outputs)):
            for leak in clock_leaks(outputs, side.results, now, started):
                print(f"\nWarning: {side.label}: {leak}: a clock the pinning missed?")
        if args.record:
            write_recording(args.record, old, old_outputs, now)
            print(f"\nrecorded OLD's outputs into {args.record}")
        if args.charts:
            print()
            found = chartdiff.compare_sites(old.site.resolve(), new.site.resolve())
            chartdiff.report(found)
            failing += sum(bool(lines) for lines in found.values())
        if args.keep:
            print(f"kept both builds in {base}/old and {base}/new")
        print(
            "\nresult: "
            + (f"{failing} differences" if failing else "no difference")
            + f" ({_time.time() - started:.0f} s)"
        )
        return 1 if failing else 0
    finally:
        for revision in revisions:
            remove_checkout(repo, revision)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ToolError as exc:
        print(f"sitediff: {exc}", file=sys.stderr)
        sys.exit(2)

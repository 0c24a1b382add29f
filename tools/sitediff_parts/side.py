"""Running one side: the exports and the recorded commands, and :class:`Side`, which builds a
revision's site and runs them in its own folders with a fixed environment and clock."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time as _time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import clock
from .clock import _SITECUSTOMIZE, EXIT_WRONG_CODE, NOW_ENV, SRC_ENV
from .normalise import _written, normalise_output
from .revisions import Revision, ToolError

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
COMMAND_TIMEOUT = 900


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
        shutil.copyfile(Path(clock.__file__), self.driver / "_sitediff.py")
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

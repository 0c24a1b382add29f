"""The examples for unattended use (cron, systemd, GitHub Actions) parse, and their commands are
valid epicurves command lines."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from epicurves.cli import EXIT_LOCKED, cli

EXAMPLES = Path(__file__).parent.parent / "examples"


def parse_command(line: str) -> click.Context:
    """Parse an ``epicurves ...`` shell command as the CLI would, without running it.

    Leading ``NAME=value`` words are environment assignments; the program must be epicurves.
    """
    words = shlex.split(line)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words.pop(0)
    assert words and Path(words[0]).name == "epicurves", line
    args = words[1:]
    position = 0
    while args[position].startswith("-"):  # the group's options: --home DIR, --debug
        position += 2 if args[position] == "--home" else 1
    # resilient: the group alone, without its command, would ask for help
    parent = cli.make_context("epicurves", args[:position], resilient_parsing=True)
    command = cli.get_command(parent, args[position])
    assert command is not None, f"no command {args[position]!r} in {line!r}"
    return command.make_context(args[position], args[position + 1 :], parent=parent)


def test_the_parser_refuses_what_the_cli_refuses() -> None:
    with pytest.raises(click.NoSuchOption):
        parse_command("epicurves run --loud")
    assert parse_command("X=1 /opt/bin/epicurves --home h run -q").params["quiet"]


def test_crontab() -> None:
    lines = [
        line
        for line in (EXAMPLES / "cron" / "crontab").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    jobs = [line for line in lines if not re.match(r"^[A-Z_]+=", line)]
    assert len(jobs) == 1
    fields = jobs[0].split(None, 5)
    minute, hour, day, month, weekday, command = fields
    assert (minute, hour, day, month, weekday) == ("17", "6", "*", "*", "*")
    context = parse_command(command)
    assert context.info_name == "run" and context.params["quiet"]


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((EXAMPLES / "systemd" / name).read_text("utf-8"))
    return parser


def test_systemd_service_and_timer() -> None:
    service = _unit("epicurves.service")
    assert service["Service"]["Type"] == "oneshot"
    context = parse_command(service["Service"]["ExecStart"])
    assert context.info_name == "run" and context.params["quiet"]
    assert str(EXIT_LOCKED) in service["Service"]["SuccessExitStatus"].split()
    assert service["Service"]["Environment"].startswith("EPICURVES_HOME=")
    timer = _unit("epicurves.timer")
    assert timer["Timer"]["Unit"] == "epicurves.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d UTC", timer["Timer"]["OnCalendar"])
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_github_actions_workflow_publishes_the_site_daily() -> None:
    workflow: dict[Any, Any] = yaml.safe_load(
        (EXAMPLES / "github-actions" / "epicurves.yml").read_text("utf-8")
    )
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    (schedule,) = triggers["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert workflow["permissions"] == {
        "contents": "read",
        "pages": "write",
        "id-token": "write",
    }
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s["run"] for s in steps if "epicurves run" in s.get("run", "")]
    (command,) = runs
    context = parse_command(command)
    out = context.params["out"]
    uploads = [
        s
        for s in steps
        if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    (upload,) = uploads
    assert upload["with"]["path"].rstrip("/") == str(out)
    cached = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    paths = cached["with"]["path"].split()
    assert str(out) in paths and f".{out}.generations" in paths
    assert workflow["jobs"]["build"]["env"]["EPICURVES_HOME"].endswith("epicurves-home")
    assert "epicurves-home" in paths
    deploy = workflow["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy)

"""Comparing the two sides: their files, the results of their commands, the ``--allow``
globs, and today's real date where the pinned clock should have hidden it."""

from __future__ import annotations

import dataclasses
import datetime as _datetime
import difflib
import fnmatch
import itertools
import time as _time
from collections.abc import Mapping
from typing import Any

from .clock import _aware
from .outputs import Outputs
from .side import Result


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

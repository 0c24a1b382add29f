"""The report: the counts per category and the first lines of each difference; and the
recording of OLD's outputs (written with ``--record``, compared with ``--recording``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .compare import Finding, compare_results
from .outputs import Outputs
from .side import Result, Side

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

"""Notebooks from readable templates in the percent format of jupytext.

A template is a Python file: ``# %%`` starts a code cell, ``# %% [markdown]`` a Markdown cell
whose lines are comments (``# text``). Options after the marker (``# %% tags=["parameters"]``)
are kept as the cell's tags. The file runs as a script and reads as a notebook; this module
reads it into cells once and writes nbformat 4.5 JSON, without nbformat or jupytext (the
site writes one notebook per region, in microseconds each).

>>> cells = read_percent('# %% [markdown]\\n# # Title\\n\\n# %%\\nx = 1\\n')
>>> [(c.kind, c.source) for c in cells]
[('markdown', '# Title'), ('code', 'x = 1')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Cell", "notebook_json", "read_percent"]

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_KIND = re.compile(r"\[(?P<kind>markdown|md|raw)\]")
_TAGS = re.compile(r"tags=(?P<tags>\[[^\]]*\])")

#: The kernel a notebook asks for (any Python 3 kernel with epicurves installed).
KERNEL = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


@dataclass(frozen=True)
class Cell:
    """One cell: ``code`` or ``markdown``, its text, and its tags."""

    kind: str
    source: str
    tags: tuple[str, ...] = field(default=())


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def read_percent(text: str) -> list[Cell]:
    """The cells of a percent-format script; text before the first marker is left out."""
    cells: list[Cell] = []
    kind = ""
    tags: tuple[str, ...] = ()
    lines: list[str] = []

    def close() -> None:
        if kind:
            body = [_uncomment(line) for line in lines] if kind == "markdown" else lines
            cells.append(Cell(kind, "\n".join(body).strip("\n"), tags))

    for line in text.splitlines():
        marker = _MARKER.match(line)
        if marker is None:
            lines.append(line)
            continue
        close()
        rest = marker.group("rest")
        found = _KIND.search(rest)
        kind = (
            "markdown"
            if found and found.group("kind") in ("markdown", "md")
            else "code"
        )
        if found and found.group("kind") == "raw":
            kind = "raw"
        found_tags = _TAGS.search(rest)
        tags = tuple(json.loads(found_tags.group("tags"))) if found_tags else ()
        lines = []
    close()
    return cells


def notebook_json(
    cells: Iterable[Cell], metadata: dict[str, object] | None = None
) -> str:
    """The cells as an nbformat 4.5 notebook, JSON text (unexecuted: no outputs)."""
    out = []
    for number, cell in enumerate(cells):
        item: dict[str, object] = {
            "cell_type": cell.kind,
            "id": f"cell-{number}",
            "metadata": {"tags": list(cell.tags)} if cell.tags else {},
            "source": cell.source,
        }
        if cell.kind == "code":
            item.update(execution_count=None, outputs=[])
        out.append(item)
    notebook = {
        "cells": out,
        "metadata": {**KERNEL, **(metadata or {})},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, ensure_ascii=False, indent=1)

"""A Jupyter notebook per region, from the readable template ``templates/region.py``.

The template is a percent-format script (:mod:`.percent`): read once per process, then each
region's notebook is the template's cells with the region's name, id, source and licence in
the Markdown and a ``parameters`` cell of its own (``region_id``, ``peers``), written as
nbformat JSON without running anything: a site build writes one per region in microseconds.
Its code uses only names in ``epicurves.__all__`` (and pandas and Bokeh); it fills an empty
store on first use (``EPICURVES_MIRROR`` set: from that folder) and runs locally, on
JupyterHub or on Binder.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from importlib import resources

from .percent import Cell, notebook_json, read_percent

__all__ = ["TEMPLATE", "region_cells", "region_notebook", "template_cells"]

#: The template, in the package.
TEMPLATE = "templates/region.py"
#: Region ids and source names (the store refuses others), written as they are.
_SAFE = re.compile(r"[A-Za-z0-9-]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")


@functools.cache
def template_cells() -> tuple[Cell, ...]:
    """The template's cells, read once per process."""
    text = (resources.files("epicurves.notebooks") / TEMPLATE).read_text("utf-8")
    cells = tuple(read_percent(text))
    if sum("parameters" in c.tags for c in cells) != 1:
        msg = f"{TEMPLATE}: exactly one cell must be tagged 'parameters'"
        raise ValueError(msg)
    return cells


def _markdown_text(text: str) -> str:
    """Upstream text made inert in Markdown: HTML escaped (Jupyter renders HTML in Markdown)
    and Markdown's own marks backslash-escaped."""
    one_line = " ".join(text.split())  # a line break would end a heading
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line))


def _parameters(region_id: str, peers: Sequence[str]) -> str:
    return (
        f"region_id = {region_id!r}  # the region of this notebook\n"
        f"peers = {list(peers)!r}  # the regions its page compares it with"
    )


def region_cells(
    region_id: str, name: str, source: str, licence: str, peers: Sequence[str] = ()
) -> list[Cell]:
    """The notebook's cells for one region."""
    for what, value in (
        ("region id", region_id),
        ("source", source),
        *(("peer", p) for p in peers),
    ):
        if not _SAFE.fullmatch(value):
            msg = f"{what} {value!r} is not safe: expected letters, digits and '-'"
            raise ValueError(msg)
    fields = {
        "{{title}}": _markdown_text(name),
        # in code spans, where a backslash shows: ids and source names are safe already
        "{{region_id}}": region_id,
        "{{source}}": source,
        "{{licence}}": _markdown_text(licence),
    }
    cells = []
    for cell in template_cells():
        if "parameters" in cell.tags:
            cell = Cell("code", _parameters(region_id, peers), cell.tags)
        elif cell.kind == "markdown" and "{{" in cell.source:
            text = cell.source
            for key, value in fields.items():
                text = text.replace(key, value)
            cell = Cell("markdown", text)
        cells.append(cell)
    return cells


def region_notebook(
    region_id: str, name: str, source: str, licence: str, peers: Sequence[str] = ()
) -> str:
    """The notebook of one region as nbformat 4.5 JSON text.

    >>> import json
    >>> nb = json.loads(region_notebook("DE", "Germany", "rki", "CC BY 4.0", ["AT"]))
    >>> nb["nbformat"], nb["cells"][0]["source"].splitlines()[0]
    (4, '# Germany (`DE`)')
    >>> nb["cells"][1]["source"].splitlines()[1]
    "peers = ['AT']  # the regions its page compares it with"
    """
    cells = region_cells(region_id, name, source, licence, peers)
    return notebook_json(cells, {"epicurves": {"region_id": region_id}})

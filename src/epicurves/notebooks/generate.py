"""A Jupyter notebook per region: a starting recipe on epicurves' public API.

The notebook is nbformat 4 JSON, written from a template without running anything, so that a
site build can write one per region in microseconds. Its code uses only names in
``epicurves.__all__``; it fills the store on first use (``EPICURVES_MIRROR`` set: from that
folder) and runs locally, on JupyterHub or on Binder.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["region_notebook"]


def _cell(kind: str, source: str) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "metadata": {},
        "source": source.strip("\n"),
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def code_cells(region_id: str) -> list[str]:
    """The code of the notebook's cells, in order (tests run them)."""
    rid = json.dumps(region_id)
    return [
        f"""
import epicurves

settings = epicurves.Settings.from_env()  # EPICURVES_HOME, EPICURVES_MIRROR
if not epicurves.Store(settings.store_dir).sources():
    epicurves.update(settings)  # first use: fetch every source (or read EPICURVES_MIRROR)
metrics = epicurves.load_metrics([{rid}], settings=settings)
metrics[["date", "new_cases", "new_cases_7d_mean", "incidence_7d", "r_rki", "r_cori", "flags"]].tail(14)
""",
        """
# R by Cori et al. with another serial interval (mean 4 days, sd 2 days)
daily = metrics.set_index("date")["new_cases"]
epicurves.r_cori(daily, si_mean=4.0, si_sd=2.0).dropna().tail(14)
""",
        """
# The last weeks, one row per week
weekly = metrics.set_index("date")[["new_cases", "new_deaths"]].resample("W").sum(min_count=1)
weekly.tail(12)
""",
        """
from bokeh.plotting import figure, output_notebook, show

output_notebook()
fig = figure(x_axis_type="datetime", height=300, sizing_mode="stretch_width",
             title="7-day incidence per 100 000")
fig.line(metrics["date"], metrics["incidence_7d"])
show(fig)
""",
    ]


def region_notebook(region_id: str, name: str, source: str, licence: str) -> str:
    """The notebook of one region as nbformat 4 JSON text.

    >>> nb = json.loads(region_notebook("DE", "Germany", "rki", "CC BY 4.0"))
    >>> nb["nbformat"], nb["cells"][0]["cell_type"], len(nb["cells"])
    (4, 'markdown', 9)
    """
    title = html.escape(name)  # upstream text: Jupyter renders HTML in Markdown
    intro = f"""
# {title} (`{region_id}`)

Daily COVID-19 cases and deaths of {title} from the source `{source}` ({html.escape(licence)}),
with the metrics of [epicurves](https://pypi.org/project/epicurves/): 7-day incidence, R by
RKI's method and by Cori et al., growth and doubling time. Run it anywhere Python runs:
`pip install epicurves`, then run the cells (set `EPICURVES_MIRROR` to read a local copy of
the upstream files instead of downloading them). Change anything: it is yours.
"""
    cells = [_cell("markdown", intro)]
    notes = [
        "## The latest two weeks",
        "## R with your own serial interval",
        "## Weekly sums",
        "## A chart",
    ]
    for note, code in zip(notes, code_cells(region_id), strict=True):
        if note != notes[0]:
            cells.append(_cell("markdown", note))
        cells.append(_cell("code", code))
    cells.insert(1, _cell("markdown", notes[0]))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # nbformat 4.5 wants an id per cell
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, ensure_ascii=False, indent=1)

"""The recipe collection: notebooks on epicurves' public API, shipped with the package.

Each recipe is a percent-format script in ``epicurves/notebooks/recipes/NN_name.py`` (``NN``
orders the collection; ``name`` with dashes is the recipe's name). Its first cell is Markdown:
a ``# Title`` line, then a one-paragraph summary. ``epicurves recipes`` lists them,
``epicurves recipes --out DIR`` writes them as notebooks, and the site's Analysis page shows
them with their code. The tests execute every one against the real upstream files.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from .percent import Cell, notebook_json, read_percent

__all__ = ["RECIPES", "Recipe", "get_recipe", "recipes"]

_FILE = re.compile(r"^(?P<order>\d\d)_(?P<stem>[a-z0-9_]+)\.py$")


@dataclass(frozen=True)
class Recipe:
    """One recipe: its name (``compare-per-100k``), title, summary, script and cells."""

    name: str
    title: str
    summary: str
    script: str
    cells: tuple[Cell, ...]

    @property
    def code(self) -> str:
        """The code cells, one after the other (what the site shows)."""
        return "\n\n".join(c.source for c in self.cells if c.kind == "code")

    @property
    def filename(self) -> str:
        """The notebook's file name, ``<name>.ipynb``."""
        return f"{self.name}.ipynb"

    def notebook(self) -> str:
        """The recipe as nbformat 4.5 JSON text, unexecuted."""
        return notebook_json(self.cells, {"epicurves": {"recipe": self.name}})


def _recipe(stem: str, text: str) -> Recipe:
    cells = tuple(read_percent(text))
    name = stem.replace("_", "-")
    if not cells or cells[0].kind != "markdown":
        msg = f"recipe {name}: its first cell must be Markdown with a '# Title' line"
        raise ValueError(msg)
    lines = cells[0].source.splitlines()
    if not lines or not lines[0].startswith("# "):
        msg = f"recipe {name}: its first line must be '# Title'"
        raise ValueError(msg)
    paragraph: list[str] = []
    for line in lines[1:]:
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            break
    return Recipe(name, lines[0][2:].strip(), " ".join(paragraph), text, cells)


@functools.cache
def recipes() -> tuple[Recipe, ...]:
    """Every recipe, in the collection's order."""
    folder = resources.files("epicurves.notebooks") / "recipes"
    found = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append((match["order"], match["stem"], entry.read_text("utf-8")))
    return tuple(_recipe(stem, text) for _, stem, text in sorted(found))


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; :class:`KeyError` naming the known ones otherwise."""
    for recipe in recipes():
        if recipe.name == name:
            return recipe
    known = ", ".join(r.name for r in recipes())
    msg = f"no recipe called {name!r}; the recipes are: {known}"
    raise KeyError(msg)


RECIPES = recipes

"""Sphinx configuration of epicurves' documentation.

Build it (offline, warnings as errors, nitpicky cross-references) with::

    pip install '.[docs]'
    python -m sphinx -W -n --keep-going -b html docs docs/_build/html

The recipes (the notebooks of ``epicurves recipes``) are written into ``docs/recipes/`` and
executed by myst-nb, cached by jupyter-cache in ``docs/_build/.jupyter_cache``, when the upstream
files are at hand: ``EPICURVES_MIRROR``, else ``../shared/data`` beside the project. The store
they fill is ``docs/_build/.store`` (``EPICURVES_HOME`` if set). Without the files the build says
so and shows the recipes unexecuted; ``EPICURVES_DOCS_EXECUTE=0`` does the same on purpose, and
``EPICURVES_DOCS_EXECUTE=1`` executes them without a mirror, on data downloaded from upstream.
An error in a recipe fails the build.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from importlib.metadata import version as _version
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))

# -- Project ---------------------------------------------------------------------------------
project = "epicurves"
author = "the epicurves developers"
copyright = f"2020-{datetime.now(UTC).year}, {author}"
release = version = _version("epicurves")

# -- Extensions ------------------------------------------------------------------------------
extensions = [
    "myst_nb",  # Markdown pages (myst-parser) and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_click",
    "sphinx_design",
    "epicurves_docs",  # docs/_ext: the pages made from the code's registries
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"

# Warnings are errors (``-W``) and every cross-reference must resolve (``-n``): references to
# names the reference does not document but that exist (private modules, pandas, ...) are
# shown as code by the epicurves_docs extension; nothing is ignored by a list.
nitpicky = True

myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "fieldlist",
]
myst_heading_anchors = 3
# Formulas as MathML, made at build time (docs/_ext): nothing loaded from a CDN.
html_math_renderer = "mathml"

autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
autosummary_generate = False
python_use_unqualified_type_names = True
add_module_names = False

# -- The recipes -----------------------------------------------------------------------------


def _recipe_data() -> str | None:
    """Where the recipes' data come from ("the upstream URLs", or a mirror folder), or None:
    not executed. ``EPICURVES_DOCS_EXECUTE``: ``0`` never, ``1`` always (downloading without
    a mirror), unset: when a mirror is at hand."""
    execute = os.environ.get("EPICURVES_DOCS_EXECUTE", "")
    if execute == "0":
        return None
    mirror = os.environ.get("EPICURVES_MIRROR")
    candidate = Path(mirror) if mirror else ROOT.parent / "shared" / "data"
    if candidate.is_dir() and any(candidate.iterdir()):
        os.environ["EPICURVES_MIRROR"] = str(candidate.resolve())
        return str(candidate.resolve())
    return "the upstream URLs" if execute == "1" else None


def _write_recipes() -> None:
    """Write each recipe as a notebook into ``recipes/`` (only those whose text changed, so
    that the cache and Sphinx's environment see the others unchanged)."""
    from epicurves.notebooks.recipes import recipes

    folder = HERE / "recipes"
    wanted = {r.filename: r.notebook() for r in recipes()}
    for stale in folder.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")


_write_recipes()
_DATA = _recipe_data()
epicurves_recipes_executed = _DATA is not None
epicurves_recipes_data = (
    ""
    if _DATA is None
    else _DATA
    if _DATA.startswith("the ")
    else "a local copy of them"
)
if _DATA is not None:
    os.environ.setdefault("EPICURVES_HOME", str(HERE / "_build" / ".store"))
    print(
        f"epicurves docs: executing the recipes on {_DATA} (cached in _build/.jupyter_cache)"
    )
else:
    print(
        "epicurves docs: the recipes are NOT executed (no upstream files: set EPICURVES_MIRROR "
        "or put them in ../shared/data), they are shown without outputs"
    )
nb_execution_mode = "cache" if _DATA is not None else "off"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_in_temp = True  # the files a recipe writes go to a temporary folder
nb_execution_show_tb = True
nb_merge_streams = True
# Bokeh's outputs carry two types of its own (for Jupyter's comms) besides the HTML and the
# JavaScript that draw the charts (BokehJS inline, from output_notebook(INLINE)); myst-nb warns
# that it cannot render them while it renders the others. That warning, and only it, is off.
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"epicurves {version}"
html_static_path = ["_static"]
html_css_files = ["epicurves.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = ""
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["theme-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "auto"}

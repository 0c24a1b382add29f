"""What a site build depends on besides the data: the code, templates, texts, library versions and settings, as one hash.

A build whose fingerprint differs from the published site's rebuilds everything
(:mod:`.decide`). The incidence tables' threshold is not in it: a new threshold rewrites the
tables it highlights, nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from .. import __version__
from ..analysis import CoriOptions

__all__ = ["DEPENDENCIES", "fingerprint"]

#: The package whose files are hashed.
PACKAGE = Path(__file__).parent.parent


#: The packages whose version is part of a build's fingerprint: they compute, format or ship
#: what the site holds.
DEPENDENCIES = (
    "pandas", "numpy", "pyarrow", "scipy", "jinja2", "markdown-it-py", "bokeh", "itables",
)  # fmt: skip


def fingerprint(
    precedence: Sequence[str],
    binder: tuple[str, str] | None = None,
    docs: str | None = None,
) -> str:
    """A hash of everything a build depends on besides the data: epicurves' code, templates,
    static files and texts (the recipes included), the versions of :data:`DEPENDENCIES`, and
    the settings (``binder``: the Binder repository and ref the pages link to, if any; ``docs``:
    the documentation's address)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js", ".md") and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    packages = [version(p) for p in DEPENDENCIES]
    settings = [__version__, *packages, *precedence]
    if binder is not None:  # unset: no links, so a ref alone changes nothing
        settings += ["binder", *binder]
    settings += ["docs", docs or ""]
    digest.update("\0".join(settings).encode())
    digest.update(repr(CoriOptions()).encode())
    # The recipes are package files, hashed above; hashed again as the collection the build
    # writes, so that a recipe added, changed or removed always makes a full build.
    from ..notebooks.recipes import recipes

    for recipe in recipes():
        digest.update(f"\0recipe {recipe.name}\0{recipe.script}".encode())
    return digest.hexdigest()[:16]

"""What the Binder tests share: the settings and time they build with, the recipe whose code holds HTML, and a parser of the built pages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from epicurves import Settings
from epicurves.notebooks import recipes as recipe_module
from epicurves.notebooks.percent import read_percent
from epicurves.notebooks.recipes import Recipe

NOW = datetime(2021, 3, 13, 6, 0, tzinfo=UTC)
#: Deliberately awkward: dots and '_' in the name, a '/' in the ref.
REPO, REF = "epi-org/epi.curves_2", "release/2026.1"

EVIL_SCRIPT = """\
# %% [markdown]
# # Escaping <check> & "quotes"
#
# A recipe whose code holds **HTML**: `</code></pre><script>` must stay text.

# %%
html = "</code></pre><script>alert('recipe')</script> & <b>bold</b>"
print(html)
"""


def _recipe(name: str, script: str) -> Recipe:
    cells = tuple(read_percent(script))
    title = cells[0].source.splitlines()[0][2:]
    summary = " ".join(cells[0].source.splitlines()[2:]).strip()
    return Recipe(name, title, summary, script, cells)


EVIL = _recipe("escaping-check", EVIL_SCRIPT)


@contextlib.contextmanager
def _recipes(items: tuple[Recipe, ...]) -> Iterator[None]:
    """The build (and ``epicurves recipes``) see ``items`` as the collection."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recipe_module, "recipes", lambda: items)
        yield


def _settings(base: Path, **binder: str) -> Settings:
    return Settings(home=base / "home", mirror=FIXTURES, **binder)  # type: ignore[arg-type]


class _Page(HTMLParser):
    """The links, headings, code blocks and inline scripts or styles of one page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []
        self.headings: list[tuple[int, str, str]] = []  # level, id, text
        self.code: list[str] = []
        self.inline: list[str] = []
        self._heading: list[Any] | None = None
        self._pre = False
        self._code: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found or any(name.startswith("on") for name in found):
            self.inline.append(f"<{tag} {attrs}>")
        if (
            tag == "script"
            and "src" not in found
            and found.get("type") != ("application/json")
        ):
            self.inline.append("<script> without src")
        if tag == "a":
            self.links.append(found)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [int(tag[1]), found.get("id") or "", []]
        elif tag == "pre":
            self._pre = True
        elif tag == "code" and self._pre:
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading[0]}":
            level, ident, parts = self._heading
            self.headings.append((level, ident, "".join(parts).strip()))
            self._heading = None
        elif tag == "code" and self._code is not None:
            self.code.append("".join(self._code))
            self._code = None
        elif tag == "pre":
            self._pre = False

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading[2].append(data)
        if self._code is not None:
            self._code.append(data)


def _page(site: Path, path: str) -> _Page:
    return _Page((site / path).read_text("utf-8"))


def _binder_links(page: _Page) -> list[str]:
    return [
        str(a["href"])
        for a in page.links
        if str(a.get("href") or "").startswith("https://mybinder.org/")
    ]

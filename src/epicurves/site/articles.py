"""The pages that depend on the code only: Analysis (with the recipes), About and the Articles, from the Markdown texts in ``content/``.

Raw HTML in the Markdown is escaped, not passed through. Only full builds write these files (a
changed text or recipe changes the build's fingerprint); an incremental build links them from
the published site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .pages import binder_url
from .render import environment

__all__ = ["CONTENT", "STATIC_PAGES", "article_files", "markdown"]

#: The Markdown texts of the site.
CONTENT = Path(__file__).parent / "content"
#: The pages of one text each: (name of the text, path of the page).
STATIC_PAGES = (("analysis", "analysis/index.html"), ("about", "about/index.html"))


def markdown(text: str) -> tuple[dict[str, str], Markup]:
    """Front matter (``key: value`` lines between ``---``) and the HTML of a Markdown text.

    >>> meta, html = markdown("---\\ntitle: A\\n---\\n# Hi <b>")
    >>> meta, str(html)
    ({'title': 'A'}, '<h1>Hi &lt;b&gt;</h1>\\n')
    """
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        for line in head.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    html = MarkdownIt("commonmark", {"html": False}).render(text)
    return meta, Markup(html)


def _inline_markdown(text: str) -> Markup:
    """The HTML of one paragraph of Markdown, without the paragraph (raw HTML escaped)."""
    from markdown_it import MarkdownIt

    return Markup(MarkdownIt("commonmark", {"html": False}).renderInline(text))


def article_files(common: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """``(path, bytes)`` of Analysis (and the recipes' notebooks it lists), About, each
    article and the list of articles; ``common`` is every page's template context."""
    template = environment().get_template("article.html")
    base = {**common, "breadcrumbs": None, "articles": None}
    for name, current in STATIC_PAGES:
        _, body = markdown((CONTENT / f"{name}.md").read_text("utf-8"))
        page = template
        extra: dict[str, Any] = {}
        if name == "analysis":
            page = environment().get_template("analysis.html")
            recipes = list(_recipes(common))
            yield from ((path, data) for path, data, _ in recipes)
            extra = {
                "recipes": [item for _, _, item in recipes],
                "binder_recipes": binder_url(common["binder"], "recipes"),
            }
        html = page.render(**base, **extra, root="../", page=name, current=current,
                           title=name.capitalize(), body=body)  # fmt: skip
        yield current, html.encode()
    articles = []
    for article in sorted((CONTENT / "articles").glob("*.md")):
        meta, body = markdown(article.read_text("utf-8"))
        href = f"articles/{article.stem}/index.html"
        title = meta.get("title", article.stem)
        articles.append(
            {"href": href, "title": title, "summary": meta.get("summary", "")}
        )
        html = template.render(**base | {"breadcrumbs": [("Articles", "articles/index.html")]},
                               root="../../", page="article", current="articles/index.html",
                               title=title, body=body)  # fmt: skip
        yield href, html.encode()
    html = template.render(**base | {"articles": articles}, root="../", page="articles",
                           current="articles/index.html", title="Articles",
                           body=Markup("<h1>Articles</h1>"))  # fmt: skip
    yield "articles/index.html", html.encode()


def _recipes(
    common: Mapping[str, Any],
) -> Iterator[tuple[str, bytes, dict[str, Any]]]:
    """Each recipe as ``recipes/<name>.ipynb`` (the bytes ``epicurves recipes --out``
    writes; nothing is executed), with what the Analysis page says of it."""
    from ..notebooks.recipes import recipes

    for recipe in recipes():
        path = f"recipes/{recipe.filename}"
        item = {
            "name": recipe.name,
            "title": recipe.title,
            "summary": _inline_markdown(recipe.summary),
            "code": recipe.code,
            "filename": recipe.filename,
            "href": path,
            "binder": binder_url(common["binder"], path),
        }
        yield path, (recipe.notebook() + "\n").encode(), item

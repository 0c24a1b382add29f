"""The Binder links on the built site: none without settings, each region's notebook, and the recipes on the Analysis page."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import check_internal_links
from epicurves.cli import cli
from epicurves.notebooks.recipes import Recipe
from epicurves.site.pages import binder_url
from notebooks.binder_checks import REF, REPO, _binder_links, _Page, _page, _recipes


# -- the links on the site ---------------------------------------------------------------------
def test_without_binder_settings_no_page_has_a_binder_link(plain_site: Path) -> None:
    for page in plain_site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "mybinder" not in text and "Binder</a>" not in text, page
    region = (plain_site / "region/DE/index.html").read_text("utf-8")
    assert 'href="../../notebooks/DE.ipynb" download' in region  # the download stays


def test_every_region_page_links_its_own_notebook_on_binder(binder_site: Path) -> None:
    pages = sorted(binder_site.glob("region/*/index.html"))
    assert len(pages) > 20
    for path in pages:
        region_id = path.parent.name
        expected = binder_url((REPO, REF), f"notebooks/{region_id}.ipynb")
        assert _binder_links(_Page(path.read_text("utf-8"))) == [expected], path
        text = path.read_text("utf-8")
        paragraph = text[text.index("Re-run and extend it") :].split("</p>")[0]
        assert f'notebooks/{region_id}.ipynb" download' in paragraph
        assert f'<a class="binder" href="{expected}">Open on Binder</a>' in paragraph
    assert check_internal_links(binder_site) > 500


def test_the_analysis_page_lists_each_recipe_with_its_code_and_links(
    binder_site: Path, plain_site: Path, collection: tuple[Recipe, ...]
) -> None:
    assert len(collection) >= 2
    text = (binder_site / "analysis/index.html").read_text("utf-8")
    page = _Page(text[text.index('<section id="recipes"') :])  # the recipes' section
    recipe_headings = [(i, t) for level, i, t in page.headings if level == 3]
    assert recipe_headings == [(f"recipe-{r.name}", r.title) for r in collection]
    assert page.code == [r.code for r in collection]  # every character, as text
    downloads = [a for a in page.links if str(a["href"]).startswith("../recipes/")]
    assert [a["href"] for a in downloads] == [
        f"../recipes/{r.filename}" for r in collection
    ]
    assert all("download" in a for a in downloads)
    assert _binder_links(page) == [
        binder_url((REPO, REF), "recipes"),
        *(binder_url((REPO, REF), f"recipes/{r.filename}") for r in collection),
    ]
    assert "The test suite runs every one of them" in text
    assert "building this site runs none of them" in text
    for recipe in collection:  # the summary (its Markdown rendered), under the title
        section = text[text.index(f'<h3 id="recipe-{recipe.name}">') :]
        paragraph = html.unescape(re.sub(r"<[^>]+>", "", section.split("</p>")[0]))
        assert all(w in paragraph for w in re.findall(r"[A-Za-z]{4,}", recipe.summary))
    plain = _page(plain_site, "analysis/index.html")
    assert plain.code[-len(collection) :] == page.code and _binder_links(plain) == []


def test_recipe_code_and_titles_are_escaped(binder_site: Path) -> None:
    text = (binder_site / "analysis/index.html").read_text("utf-8")
    assert "<script>alert" not in text and "</code></pre><script>" not in text
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(" in text
    assert "Escaping &lt;check&gt; &amp; " in text
    assert "<b>bold</b>" not in text
    page = _page(binder_site, "analysis/index.html")
    assert page.inline == []


def test_the_analysis_page_keeps_its_headings_in_order(binder_site: Path) -> None:
    page = _page(binder_site, "analysis/index.html")
    levels = [level for level, _, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    ids = [i for _, i, _ in page.headings if i]
    assert len(ids) == len(set(ids))
    assert ("recipes-title", "Recipes") in [(i, t) for _, i, t in page.headings]


def test_recipe_notebooks_are_written_unexecuted_and_valid(
    binder_site: Path, collection: tuple[Recipe, ...], tmp_path: Path
) -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    for recipe in collection:
        data = (binder_site / "recipes" / recipe.filename).read_bytes()
        assert data == (recipe.notebook() + "\n").encode()
        notebook = nbformat.reads(data.decode(), as_version=4)
        nbformat.validate(notebook)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert code and all(c.outputs == [] and c.execution_count is None for c in code)
        assert notebook.metadata["epicurves"]["recipe"] == recipe.name
    assert sorted(p.name for p in (binder_site / "recipes").iterdir()) == sorted(
        r.filename for r in collection
    )
    # the same bytes as `epicurves recipes --out` (what binder/postBuild puts in the image)
    with _recipes(collection):
        result = CliRunner().invoke(cli, ["recipes", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    for recipe in collection:
        assert (tmp_path / "r" / recipe.filename).read_bytes() == (
            binder_site / "recipes" / recipe.filename
        ).read_bytes()

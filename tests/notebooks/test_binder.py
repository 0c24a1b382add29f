"""Binder and JupyterHub: the Binder settings and links, the recipes on the Analysis page, the
binder/ folder, and a store shared read-only."""

from __future__ import annotations

import contextlib
import errno
import html
import itertools
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner

import epicurves
from conftest import FIXTURES, ROOT, check_internal_links
from epicurves import Settings, UsageError
from epicurves.cli import cli
from epicurves.config import binder_problem
from epicurves.notebooks import recipes as recipe_module
from epicurves.notebooks.percent import read_percent
from epicurves.notebooks.recipes import Recipe
from epicurves.site.build import build_site
from epicurves.site.pages import binder_url
from epicurves.site.publish import MARKER

BINDER = ROOT / "binder"
NOW = datetime(2021, 3, 13, 6, 0, tzinfo=UTC)
#: The two files every build rewrites (the build time is in them).
TIMED = {"index.html", "status.json"}
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


@pytest.fixture(scope="module")
def collection() -> tuple[Recipe, ...]:
    """The package's recipes and one more whose code and title hold HTML."""
    return (*recipe_module.recipes(), EVIL)


@contextlib.contextmanager
def _recipes(items: tuple[Recipe, ...]) -> Iterator[None]:
    """The build (and ``epicurves recipes``) see ``items`` as the collection."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recipe_module, "recipes", lambda: items)
        yield


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home filled from the fixture mirror (every default source)."""
    folder = tmp_path_factory.mktemp("binder")
    report = epicurves.update(Settings(home=folder / "home", mirror=FIXTURES))
    assert not report.failed, report.failed
    return folder


def _settings(base: Path, **binder: str) -> Settings:
    return Settings(home=base / "home", mirror=FIXTURES, **binder)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def plain_site(base: Path, collection: tuple[Recipe, ...]) -> Path:
    """The site built without Binder settings."""
    with _recipes(collection):
        build_site(_settings(base), base / "plain", now=NOW)
    return base / "plain"


@pytest.fixture(scope="module")
def binder_site(base: Path, collection: tuple[Recipe, ...]) -> Path:
    """The site built with :data:`REPO` and :data:`REF` as the Binder settings."""
    with _recipes(collection):
        build_site(
            _settings(base, binder_repo=REPO, binder_ref=REF), base / "binder", now=NOW
        )
    return base / "binder"


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


# -- the settings ------------------------------------------------------------------------------
def test_binder_settings_default_to_no_links_and_come_from_the_environment() -> None:
    assert Settings().binder is None and Settings().binder_ref == "main"
    env = {"EPICURVES_BINDER_REPO": " me/epicurves ", "EPICURVES_BINDER_REF": "v1.2"}
    assert Settings.from_env(env).binder == ("me/epicurves", "v1.2")
    assert Settings.from_env(env, binder_repo="you/fork").binder == ("you/fork", "v1.2")
    assert Settings.from_env({"EPICURVES_BINDER_REPO": ""}).binder is None
    assert Settings.from_env({"EPICURVES_BINDER_REPO": "me/x"}).binder == (
        "me/x",
        "main",
    )
    # the ref alone shows nothing: there is no repository to link to
    assert Settings.from_env({"EPICURVES_BINDER_REF": "v1"}).binder is None


@pytest.mark.parametrize(
    "repo", ["me/epicurves", "Me-2/epi.curves_x", "a/b", "a" * 39 + "/" + "b" * 100]
)
@pytest.mark.parametrize(
    "ref", ["main", "v1.2.3", "release/2026.1", "3f2c9e1d", "feature_x-y", "a+b#c"]
)
def test_github_repositories_and_git_refs_are_accepted(repo: str, ref: str) -> None:
    assert binder_problem(repo, ref) is None


@pytest.mark.parametrize(
    "repo",
    [
        "epicurves", "me/epicurves/extra", "https://github.com/me/epicurves", "me /x",
        "-me/x", "me/..", "me/.", "me/x?y=1", "me/<script>", "me/x y", "", "a" * 40 + "/b",
        "me/x\n",
    ],
)  # fmt: skip
def test_a_repository_that_is_not_owner_slash_name_is_refused(repo: str) -> None:
    message = binder_problem(repo, "main")
    assert message is not None and "\n" not in message
    assert message.startswith("binder_repo (EPICURVES_BINDER_REPO): expected")
    assert message.endswith(f"found {repo!r}")


@pytest.mark.parametrize(
    "ref", ["", "a b", "a..b", "x~1", "x^", "a:b", "-x", "x/", "/x", "a@{1}", "x.lock",
            "x.", "a//b", "a\\b", "a?b", "a*b", "a[b", "tab\t"],
)  # fmt: skip
def test_a_ref_git_would_refuse_is_refused(ref: str) -> None:
    message = binder_problem("me/epicurves", ref)
    assert message is not None and "\n" not in message
    assert message.startswith("binder_ref (EPICURVES_BINDER_REF): expected")
    assert message.endswith(f"found {ref!r}")


def test_a_bad_binder_setting_stops_the_build_in_one_line(
    base: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        ["--home", str(base / "home"), "build", "--out", str(out)],
        env={"EPICURVES_BINDER_REPO": "https://github.com/me/epicurves"},
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        "Error: binder_repo (EPICURVES_BINDER_REPO): expected a GitHub repository"
    )
    assert "'https://github.com/me/epicurves'" in result.stderr
    assert not out.exists()  # refused before anything was written
    with pytest.raises(UsageError, match="EPICURVES_BINDER_REF"):
        build_site(_settings(base, binder_repo="me/x", binder_ref="a..b"), out)


def test_binder_links_encode_each_part() -> None:
    url = binder_url((REPO, REF), "notebooks/DE-09162.ipynb")
    assert url == (
        "https://mybinder.org/v2/gh/epi-org/epi.curves_2/release%2F2026.1"
        "?urlpath=lab/tree/notebooks/DE-09162.ipynb"
    )
    odd = binder_url(("me/x", "a+b#c"), "recipes/compare-per-100k.ipynb")
    assert odd is not None
    parts = urlsplit(odd)
    assert (parts.scheme, parts.netloc, parts.fragment) == ("https", "mybinder.org", "")
    assert parts.path == "/v2/gh/me/x/a%2Bb%23c"
    assert [unquote(p) for p in parts.path.split("/")[2:]] == ["gh", "me", "x", "a+b#c"]
    assert parse_qs(parts.query) == {
        "urlpath": ["lab/tree/recipes/compare-per-100k.ipynb"]
    }
    assert binder_url(None, "notebooks/DE.ipynb") is None


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


# -- incremental builds ------------------------------------------------------------------------
def _tree(site: Path) -> dict[str, tuple[int, bytes]]:
    folder = site.resolve()
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def _rewritten(
    before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]
) -> set[str]:
    return {p for p, (ino, _) in after.items() if before.get(p, (None,))[0] != ino}


def _links_everywhere(site: Path, binder: tuple[str, str] | None) -> None:
    """Every region page and the Analysis page link into ``binder`` (None: nowhere)."""
    for path in site.glob("region/*/index.html"):
        expected = binder_url(binder, f"notebooks/{path.parent.name}.ipynb")
        assert _binder_links(_Page(path.read_text("utf-8"))) == (
            [] if expected is None else [expected]
        ), path
    analysis = _binder_links(_page(site, "analysis/index.html"))
    assert (analysis[0] if analysis else None) == binder_url(binder, "recipes")


@pytest.fixture
def work(plain_site: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the module's home and plain site that a test may rebuild."""
    shutil.copytree(plain_site.parent, tmp_path / "w", symlinks=True)
    return tmp_path / "w", tmp_path / "w" / "plain"


@pytest.mark.slow
def test_binder_settings_changes_rebuild_the_links_and_nothing_else_moves(
    work: tuple[Path, Path], collection: tuple[Recipe, ...]
) -> None:
    home, site = work
    with _recipes(collection):
        before = _tree(site)
        report = build_site(_settings(home), site, now=NOW)
        assert not report.full and _rewritten(before, _tree(site)) == TIMED
        _links_everywhere(site, None)

        set_to = _settings(home, binder_repo=REPO, binder_ref=REF)
        report = build_site(set_to, site, now=NOW)
        assert report.full and "settings changed" in report.reason
        _links_everywhere(site, (REPO, REF))

        before = _tree(site)
        report = build_site(set_to, site, now=NOW)  # the same settings again
        assert not report.full and _rewritten(before, _tree(site)) == TIMED

        other_ref = _settings(home, binder_repo=REPO, binder_ref="v2")
        report = build_site(other_ref, site, now=NOW)
        assert report.full
        _links_everywhere(site, (REPO, "v2"))

        report = build_site(_settings(home), site, now=NOW)  # unset: the links go
        assert report.full
        _links_everywhere(site, None)
        # the same bytes as the site built without Binder settings from the start
        assert {p: b for p, (_, b) in _tree(site).items() if p not in TIMED} == {
            p: b for p, (_, b) in _tree(work[0] / "plain").items() if p not in TIMED
        }


@pytest.mark.slow
def test_a_plain_rebuild_with_binder_set_rewrites_only_the_timed_files(
    work: tuple[Path, Path], collection: tuple[Recipe, ...]
) -> None:
    """``epicurves run`` with the settings in its environment, day after day."""
    home, site = work
    env = {"EPICURVES_BINDER_REPO": REPO, "EPICURVES_BINDER_REF": REF}
    args = ["--home", str(home / "home"), "run", "--mirror", str(FIXTURES)]
    with _recipes(collection):
        first = CliRunner().invoke(cli, [*args, "--out", str(site)], env=env)
        assert first.exit_code == 0, first.stderr
        before = _tree(site)
        second = CliRunner().invoke(cli, [*args, "--out", str(site)], env=env)
        assert second.exit_code == 0, second.stderr
    assert _rewritten(before, _tree(site)) == TIMED
    _links_everywhere(site, (REPO, REF))


@pytest.mark.slow
def test_a_recipe_changed_or_removed_follows_in_the_next_build(
    work: tuple[Path, Path], collection: tuple[Recipe, ...]
) -> None:
    home, site = work
    fewer = collection[:-1]
    with _recipes(fewer):
        report = build_site(_settings(home), site, now=NOW)
    assert report.full  # the collection is part of the build's fingerprint
    assert not (site / "recipes" / EVIL.filename).exists()
    assert EVIL.title not in (site / "analysis/index.html").read_text("utf-8")

    changed = (
        *fewer[:-1],
        replace(fewer[-1], script=fewer[-1].script + "\n# %%\nx = 1\n"),
    )
    changed = (
        *changed[:-1],
        replace(changed[-1], cells=tuple(read_percent(changed[-1].script))),
    )
    with _recipes(changed):
        before = _tree(site)
        report = build_site(_settings(home), site, now=NOW)
        assert report.full
        path = f"recipes/{changed[-1].filename}"
        after = _tree(site)
        assert (
            after[path][1]
            == (changed[-1].notebook() + "\n").encode()
            != before[path][1]
        )
        before = after
        report = build_site(_settings(home), site, now=NOW)
        assert not report.full and _rewritten(before, _tree(site)) == TIMED


# -- a store shared read-only ------------------------------------------------------------------
#: Audit events of calls that change the file system (``open`` is judged by its flags).
_WRITE_EVENTS = {
    "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.chmod", "os.chown", "os.utime",
    "os.truncate", "os.link", "os.symlink", "os.mkfifo", "os.mknod", "shutil.rmtree",
    "shutil.move", "shutil.copyfile", "sqlite3.connect",
}  # fmt: skip
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: The folder writes are refused below (None: no refusal), and the writes attempted there.
_REFUSE: dict[str, Any] = {"root": None, "attempts": []}


def _path(value: object) -> str | None:
    if isinstance(value, str | bytes | os.PathLike):
        return os.path.realpath(os.fsdecode(value))
    return None


def _audit(event: str, args: tuple[Any, ...], refuse: dict[str, Any] = _REFUSE) -> None:
    # ``refuse`` is bound once: the hook outlives the module's globals at the interpreter's
    # exit, when they are None
    root = refuse["root"]
    if root is None or not (event == "open" or event in _WRITE_EVENTS):
        return
    if event == "open":
        mode, flags = args[1], args[2]
        writes = (
            any(c in mode for c in "wax+")
            if isinstance(mode, str)
            else bool(flags & _WRITE_FLAGS)
        )
        if not writes:
            return
    targets = [p for p in (_path(a) for a in args[:2]) if p is not None]
    below = [p for p in targets if p == root or p.startswith(root + os.sep)]
    if not below:
        return
    refuse["attempts"].append((event, below[0]))
    if event == "sqlite3.connect":
        msg = "unable to open database file"
        raise sqlite3.OperationalError(msg)
    if event == "os.mkdir" and os.path.exists(below[0]):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), below[0])
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), below[0])


@contextlib.contextmanager
def _read_only(home: Path) -> Iterator[list[tuple[str, str]]]:
    """``home`` read-only for this process, even as root: its modes lose every write bit
    (enough for any other user), and every write the interpreter attempts below it is refused
    as the kernel refuses it (an audit hook). Yields the writes attempted there."""
    if not getattr(_audit, "installed", False):
        sys.addaudithook(_audit)
        _audit.installed = True  # type: ignore[attr-defined]
    subprocess.run(["chmod", "-R", "a-w", str(home)], check=True)
    _REFUSE.update(root=os.path.realpath(home), attempts=[])
    try:
        yield _REFUSE["attempts"]
    finally:
        _REFUSE["root"] = None
        subprocess.run(["chmod", "-R", "u+w", str(home)], check=True)


def _state(folder: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every entry below ``folder``: mode, size, modification time, inode."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        out[path.relative_to(folder).as_posix()] = (
            info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino,
        )  # fmt: skip
    return out


@pytest.fixture
def shared(tmp_path: Path) -> Settings:
    """A store filled by its administrator, as on a hub (``EPICURVES_HOME=/srv/epicurves``)."""
    settings = Settings(home=tmp_path / "srv-epicurves", mirror=FIXTURES)
    assert not epicurves.update(settings).failed
    return Settings(home=settings.home)


@pytest.mark.slow
def test_reading_a_read_only_store_writes_nothing(
    shared: Settings, tmp_path: Path
) -> None:
    home = shared.home
    with _read_only(home) as attempts:
        before = _state(home)
        assert epicurves.ensure_data(shared, echo=pytest.fail) == shared  # only reads
        metrics = epicurves.load_metrics(["DE"], settings=shared)
        summary = epicurves.load_summary(settings=shared)
        signals = epicurves.load_signals(settings=shared)
        regions = epicurves.load_regions(settings=shared)
        with epicurves.Store(shared.store_dir).snapshot() as snapshot:
            assert snapshot.generation == 1 and snapshot.sources()
        runner = CliRunner()
        for args in (
            ["info"], ["summary"], ["regions", "--format", "csv"], ["signals"],
            ["export", "--out", str(tmp_path / "all.csv")],
            ["notebook", "DE", "--out", str(tmp_path / "DE.ipynb")],
        ):  # fmt: skip
            if args[0] not in cli.commands:
                continue
            result = runner.invoke(cli, ["--home", str(home), *args])
            assert result.exit_code == 0, (args, result.stderr)
        after = _state(home)
    assert not metrics.empty and not summary.empty and not signals.empty
    assert not regions.empty
    assert (tmp_path / "all.csv").stat().st_size > 0
    assert after == before
    # making a pin is the only write a reader tries; refused, it reads without one
    assert attempts, "a reader tried no pin at all: the test refused nothing"
    tried = {tuple(os.path.relpath(p, home).split(os.sep)[:2]) for _, p in attempts}
    assert tried == {("store", "pins")}, attempts


@pytest.mark.slow
def test_an_update_without_write_access_fails_in_one_line_and_loses_nothing(
    shared: Settings, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURES, mirror)
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:  # something new upstream
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")
    home = shared.home
    manifest = (shared.store_dir / "manifest.json").read_bytes()
    with _read_only(home):
        before = _state(home)
        result = CliRunner().invoke(
            cli, ["--home", str(home), "update", "--mirror", str(mirror)]
        )
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: no write access to {home / 'update.lock'} (Permission denied): "
            f"updating needs write access to {home}; a shared read-only store is "
            "updated by its owner, and reading it needs none\n"
        )
        with pytest.raises(epicurves.StoreError, match="no write access"):
            epicurves.update(Settings(home=home, mirror=mirror))
        assert _state(home) == before
        assert not epicurves.load_metrics(["DE-09175"], settings=shared).empty
    assert (shared.store_dir / "manifest.json").read_bytes() == manifest
    # its owner updates it as before
    report = epicurves.update(Settings(home=home, mirror=mirror))
    assert not report.failed and report.generation == 2


@pytest.mark.slow
def test_an_unpinned_read_overlapping_an_update_says_to_read_again(
    shared: Settings, tmp_path: Path
) -> None:
    """The one risk of reading without a pin: the daily update removes the generation being
    read. The read fails with a StoreError that says so (not "run epicurves update")."""
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURES, mirror)
    path = mirror / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:
        out.write("2021-03-13,09175,145000,220,10,70,48.3\n")
    store = epicurves.Store(shared.store_dir)
    with _read_only(shared.home):
        snapshot = store.snapshot()  # a user's: no pin
    with snapshot:
        assert snapshot.generation == 1 and snapshot.files("observations")
        assert (
            epicurves.update(Settings(home=shared.home, mirror=mirror)).generation == 2
        )
        assert list(store.generations()) == [2]  # nothing pinned 1: its files went
        with pytest.raises(epicurves.StoreError) as caught:
            snapshot.load_observations(["rki-districts"])
    message = str(caught.value)
    assert "an update replaced generation 1 during this read" in message
    assert message.endswith("read again") and "run `epicurves update`" not in message
    assert not epicurves.load_metrics(["DE-09175"], settings=shared).empty  # read again


READER = """
import os, shutil, subprocess, sys
from click.testing import CliRunner
import epicurves
from epicurves.cli import cli

def read(home, out):
    settings = epicurves.Settings(home=home)
    epicurves.load_metrics(["DE"], settings=settings)
    epicurves.load_summary(settings=settings)
    epicurves.load_signals(settings=settings)
    for args in (["info"], ["export", "--out", out]):
        result = CliRunner().invoke(cli, ["--home", home, *args])
        assert result.exit_code == 0, result.output
    with epicurves.Store(settings.store_dir).snapshot() as snapshot:
        return snapshot._pin is not None

home, warm, out = sys.argv[1:4]
shutil.copytree(home, warm)  # the same reads as root first: every module imported
subprocess.run(["chmod", "-R", "u+w", warm], check=True)
assert read(warm, warm + ".csv")
os.setgroups([])
os.setgid(65534)
os.setuid(65534)  # nobody, from here on
assert not os.access(home, os.W_OK)
print("pinned" if read(home, out) else "unpinned")
"""


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="only root can drop to another user; as any other user the test above is real",
)
@pytest.mark.slow
def test_another_user_reads_the_store_without_writing(shared: Settings) -> None:
    """As root (CI) chmod stops nothing: a child process drops to ``nobody`` and reads."""
    folder = Path(tempfile.mkdtemp(prefix="epicurves-shared-"))
    try:
        os.chmod(folder, 0o755)
        home = folder / "srv"
        shutil.copytree(shared.home, home)
        subprocess.run(["chmod", "-R", "a+rX,a-w", str(home)], check=True)
        (folder / "out").mkdir(mode=0o777)
        os.chmod(folder / "out", 0o777)
        before = _state(home)
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(READER), str(home),
             str(folder / "warm"), str(folder / "out" / "all.csv")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip() == "unpinned"
        assert _state(home) == before
        assert (folder / "out" / "all.csv").stat().st_size > 0
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


# -- the binder/ folder ------------------------------------------------------------------------
def _commands() -> list[list[str]]:
    """The ``epicurves`` command lines of binder/postBuild, as words."""
    lines = []
    for line in (BINDER / "postBuild").read_text("utf-8").splitlines():
        words = line.strip().removeprefix("if ! ").removesuffix("; then").split()
        if words[:1] == ["epicurves"]:
            lines.append(words[1:])
    return lines


def test_postbuild_is_an_executable_bash_script() -> None:
    path = BINDER / "postBuild"
    assert path.stat().st_mode & stat.S_IXUSR, "chmod +x binder/postBuild"
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "set -euo pipefail" in lines
    bash = shutil.which("bash")
    assert bash is not None, "bash runs binder/postBuild"
    checked = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "python -m pip install --no-cache-dir ." in lines
    assert [c[0] for c in _commands()] == ["update", "info", "notebook", "recipes"]


def test_runtime_txt_names_a_python_epicurves_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text("utf-8").strip()
    assert runtime.startswith("python-3.")
    minor = int(runtime.split(".")[1])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "requires-python"
    ]
    assert requires.startswith(">=3.") and minor >= int(requires.split(".")[1])
    assert (BINDER / "README.md").is_file()
    assert not (
        BINDER / "requirements.txt"
    ).exists()  # it could not install the checkout


def test_postbuild_calls_commands_and_options_the_cli_has() -> None:
    for words in _commands():
        name, options = words[0], [w for w in words[1:] if w.startswith("--")]
        assert name in cli.commands, f"binder/postBuild calls `epicurves {name}`"
        known = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
        assert set(options) <= known, (name, options)
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0


@pytest.mark.slow
def test_postbuild_writes_every_file_the_links_open(
    binder_site: Path, collection: tuple[Recipe, ...], tmp_path: Path
) -> None:
    """binder/postBuild run offline (pip stubbed, the fixture mirror instead of the upstream
    URLs): each Binder link of the site opens a file it wrote, in the folder JupyterLab
    starts in; the store is where binder/README.md says."""
    bash = shutil.which("bash")
    tool = Path(sys.executable).parent / "epicurves"
    assert bash is not None, "bash runs binder/postBuild"
    assert tool.exists(), f"the epicurves script is not beside {sys.executable}"
    repo = tmp_path / "repo"
    (repo / "binder").mkdir(parents=True)
    shutil.copy2(BINDER / "postBuild", repo / "binder" / "postBuild")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "python").write_text(
        f'#!/bin/bash\nif [ "$1 $2" = "-m pip" ]; then echo "pip: $*" >> "{tmp_path}/pip.log";'
        f' exit 0; fi\nexec "{sys.executable}" "$@"\n'
    )
    (stubs / "python").chmod(0o755)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("EPICURVES_", "XDG_"))
    }
    env.update(
        HOME=str(tmp_path / "jovyan"),
        PATH=os.pathsep.join([str(stubs), str(tool.parent), env.get("PATH", "")]),
        EPICURVES_MIRROR=str(FIXTURES),
    )
    result = subprocess.run(
        [bash, str(repo / "binder" / "postBuild")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        tmp_path / "pip.log"
    ).read_text() == "pip: -m pip install --no-cache-dir .\n"
    store = tmp_path / "jovyan" / ".local" / "share" / "epicurves" / "store"
    assert (store / "manifest.json").is_file()
    opened = 0
    for path in binder_site.rglob("*.html"):
        for link in _binder_links(_Page(path.read_text("utf-8"))):
            target = parse_qs(urlsplit(link).query)["urlpath"][0].removeprefix(
                "lab/tree/"
            )
            if target.endswith(EVIL.filename):
                continue  # the test's own recipe is not in the package
            assert (repo / target).exists(), (path, target)
            opened += 1
    assert opened > 20
    for recipe in collection:
        if recipe is not EVIL:
            assert (repo / "recipes" / recipe.filename).read_bytes() == (
                binder_site / "recipes" / recipe.filename
            ).read_bytes()
    written = json.loads((repo / "notebooks" / "DE.ipynb").read_text("utf-8"))
    assert written["nbformat"] == 4

"""Incremental builds with Binder settings: a change of them rebuilds the links and nothing else moves; a changed or removed recipe follows."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from epicurves.cli import cli
from epicurves.notebooks.percent import read_percent
from epicurves.notebooks.recipes import Recipe
from epicurves.site.build import build_site
from epicurves.site.pages import binder_url
from epicurves.site.publish import MARKER
from notebooks.binder_checks import (
    EVIL,
    NOW,
    REF,
    REPO,
    _binder_links,
    _Page,
    _page,
    _recipes,
    _settings,
)

#: The two files every build rewrites (the build time is in them).
TIMED = {"index.html", "status.json"}


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

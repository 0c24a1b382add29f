"""The Binder tests' fixtures: the recipe collection, and a home and its two sites built from the fixture mirror.

Session-scoped, so that each is made once per worker whichever of the modules runs first
(module-scoped, each module would build its own); the tests only read them, and ``work``
(test_binder_rebuilds.py) copies the home and the plain site before it rebuilds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import epicurves
from conftest import FIXTURES
from epicurves import Settings
from epicurves.notebooks import recipes as recipe_module
from epicurves.notebooks.recipes import Recipe
from epicurves.site.build import build_site
from notebooks.binder_checks import EVIL, NOW, REF, REPO, _recipes, _settings


@pytest.fixture(scope="session")
def collection() -> tuple[Recipe, ...]:
    """The package's recipes and one more whose code and title hold HTML."""
    return (*recipe_module.recipes(), EVIL)


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home filled from the fixture mirror (every default source)."""
    folder = tmp_path_factory.mktemp("binder")
    report = epicurves.update(Settings(home=folder / "home", mirror=FIXTURES))
    assert not report.failed, report.failed
    return folder


@pytest.fixture(scope="session")
def plain_site(base: Path, collection: tuple[Recipe, ...]) -> Path:
    """The site built without Binder settings."""
    with _recipes(collection):
        build_site(_settings(base), base / "plain", now=NOW)
    return base / "plain"


@pytest.fixture(scope="session")
def binder_site(base: Path, collection: tuple[Recipe, ...]) -> Path:
    """The site built with :data:`REPO` and :data:`REF` as the Binder settings."""
    with _recipes(collection):
        build_site(
            _settings(base, binder_repo=REPO, binder_ref=REF), base / "binder", now=NOW
        )
    return base / "binder"

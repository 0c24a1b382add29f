"""Shared pytest fixtures: the tiny fixture mirror, a throwaway home, the real data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from epicurves import Settings

HERE = Path(__file__).parent
#: tests/data is a mirror folder (DIR/<folder>/<file>) of tiny files in each upstream format.
FIXTURES = HERE / "data"
#: The real upstream files, gzip-compressed, beside the project checkout.
SHARED_DATA = HERE.parent.parent / "shared" / "data"


@pytest.fixture
def fixtures() -> Path:
    """The fixture mirror folder (read-only: copy it with ``mirror`` to change files)."""
    return FIXTURES


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """A writable copy of the fixture mirror, for tests that break or change files."""
    target = tmp_path / "mirror"
    shutil.copytree(FIXTURES, target)
    return target


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty EPICURVES_HOME; EPICURVES_* variables from the caller's shell are cleared."""
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    monkeypatch.setenv("EPICURVES_HOME", str(path))
    return path


@pytest.fixture
def settings(home: Path, mirror: Path) -> Settings:
    """Settings with an empty home and a writable fixture mirror."""
    return Settings(home=home, mirror=mirror)


@pytest.fixture
def shared_data() -> Path:
    """The real upstream files in ../shared/data; the test is skipped where they are absent."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(
            f"real upstream data not found at {SHARED_DATA} (only there in CI and dev)"
        )
    return SHARED_DATA

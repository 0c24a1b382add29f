"""Fault injection, the disk: a full disk and a read-only home, during an update and a build.

The faults are injected where epicurves writes (``OSError`` with ``ENOSPC`` or ``EROFS``
raised by the writes of the store, the download folder and the site), so the tests run the
same as root or not and need no mount. Each must end with one line naming what could not be
written, the store's files, the exports and the published site exactly as before, and the
next run, on a disk that works again, completing the work.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet
import pytest
from click.testing import CliRunner

import epicurves
from epicurves import Settings
from epicurves.cli import cli
from epicurves.site.build import build_site

from .cases import FIXTURES, snapshot

pytestmark = pytest.mark.faults

NEW_DAY = "2021-03-13,09175,145000,220,10,70,48.3\n"


def _site_files(site: Path) -> dict[str, bytes]:
    root = site.resolve()
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _export(settings: Settings, out: Path) -> bytes:
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "export", "--all-sources", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home filled from the fixtures, its site, and a mirror with one new district day."""
    base = tmp_path_factory.mktemp("disk")
    settings = Settings(home=base / "home", mirror=FIXTURES)
    epicurves.update(settings)
    build_site(settings, base / "site", workers=1)
    shutil.copytree(FIXTURES, base / "mirror")
    path = base / "mirror" / "rki" / "COVID-19-Faelle_7-Tage-Inzidenz_Landkreise.csv"
    with path.open("a", encoding="utf-8") as out:
        out.write(NEW_DAY)
    return base


@pytest.fixture
def work(prepared: Path, tmp_path: Path) -> tuple[Settings, Path]:
    shutil.copytree(prepared, tmp_path / "w", symlinks=True)
    return Settings(home=tmp_path / "w" / "home", mirror=tmp_path / "w" / "mirror"), (
        tmp_path / "w" / "site"
    )


REASONS = {
    errno.ENOSPC: "No space left on device",
    errno.EROFS: "Read-only file system",
}


def _failing(code: int) -> Callable[..., Any]:
    """A write that fails as a full or read-only disk makes it fail."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, REASONS[code])

    return fail


#: Where an update writes: the store's Parquet files (staging), its manifest (the commit).
UPDATE_WRITES = {
    "parquet": (pyarrow.parquet, "write_table"),
    "manifest": (tempfile, "mkstemp"),
}


@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"]
)
@pytest.mark.parametrize("where", list(UPDATE_WRITES))
def test_an_update_that_cannot_write_keeps_the_store(
    work: tuple[Settings, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    code: int,
    where: str,
) -> None:
    settings, site = work
    before, exported = (
        snapshot(settings),
        _export(settings, tmp_path / "before.csv"),
    )
    monkeypatch.setattr(*UPDATE_WRITES[where], _failing(code))
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "run", "--mirror", str(settings.mirror),
         "--out", str(site), "--quiet"],
    )  # fmt: skip
    monkeypatch.undo()
    output = result.output.strip()
    assert result.exit_code != 0, output
    errors = [line for line in output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, output
    assert "Traceback" not in output
    assert REASONS[code] in errors[0], errors[0]
    assert snapshot(settings) == before
    assert _export(settings, tmp_path / "after.csv") == exported
    # the disk works again: the next run completes the update
    again = epicurves.update(settings)
    assert any(s.status == "updated" for s in again.sources), again.sources
    assert "2021-03-13" in _export(settings, tmp_path / "again.csv").decode()


@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"]
)
def test_a_build_that_cannot_write_keeps_the_site(
    work: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    settings, site = work
    epicurves.update(settings)
    published = _site_files(site)
    link = site.resolve()
    for module in ("epicurves.site.publish", "epicurves.site.build"):
        monkeypatch.setattr(f"{module}.put_file", _failing(code))
    result = CliRunner().invoke(
        cli,
        ["--home", str(settings.home), "build", "--out", str(site), "--workers", "1"],
    )
    monkeypatch.undo()
    output = result.output.strip()
    assert result.exit_code == 1, output
    assert "the last good site" in output and "Traceback" not in output
    assert len([x for x in output.splitlines() if x.startswith("Error")]) == 1, output
    assert site.resolve() == link
    assert _site_files(site) == published
    report = build_site(settings, site, workers=1)
    assert report.files_written > 0 and site.resolve() != link

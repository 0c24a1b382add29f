"""The README is a front page that stays true: small, its commands those CI runs, its Python
running, its sources table the source registry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import epicurves
from conftest import FIXTURES, ROOT

README = ROOT / "README.md"
TEXT = README.read_text("utf-8")


def test_the_readme_fits_on_a_page() -> None:
    assert len(TEXT.encode()) <= 10 * 1024


def test_it_starts_with_the_two_commands_ci_runs() -> None:
    first = re.search(r"```sh\n(.*?)```", TEXT, re.DOTALL)
    assert first is not None and TEXT.index(first.group(0)) < 200
    install_and_run, test = first.group(1).strip().splitlines()
    assert install_and_run.startswith("pip install . && epicurves run")
    ci = (ROOT / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert ci[-1] == test


@pytest.mark.slow
def test_its_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python section, on a store filled from the fixture mirror on first use."""
    snippet = re.search(r"```python\n(.*?)```", TEXT, re.DOTALL)
    assert snippet is not None
    assert len(snippet.group(1).strip().splitlines()) <= 12
    shutil.copytree(FIXTURES, tmp_path / "mirror")
    monkeypatch.setenv("EPICURVES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EPICURVES_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.delenv("EPICURVES_PRECEDENCE", raising=False)
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    exec(compile(snippet.group(1), str(README), "exec"), names)
    assert not names["metrics"].empty  # type: ignore[attr-defined]
    assert list(names["export"].columns)[: len(epicurves.EXPORT_COLUMNS)] == list(  # type: ignore[attr-defined]
        epicurves.EXPORT_COLUMNS
    )


def _sources_table() -> dict[str, str]:
    """Source name -> its "updates" cell, from the README's sources table."""
    section = TEXT.split("## Sources", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| `([a-z0-9-]+)` \| [^|]+ \| ([^|]+) \|", section, re.MULTILINE
    )
    return {name: updates.strip() for name, updates in rows}


def test_its_sources_table_is_the_registry() -> None:
    table = _sources_table()
    assert list(table) == list(epicurves.SOURCES)
    for name, updates in table.items():
        source = epicurves.SOURCES[name]
        if source.live:
            expected = {1: "daily", 7: "weekly"}[source.interval_days or 0]
            assert updates == expected, name
        else:
            assert updates.startswith("frozen"), name

"""Every public name is documented with an example, and every example runs.

The examples are those the API reference shows (docs/_ext/epicurves_docs.py's ``public_doc``:
the docstring, or a constant's ``#:`` comment). They run as doctests against a small store made
from the tests' fixture mirror (tests/data), found through ``EPICURVES_HOME`` as a user's
store is.
"""

from __future__ import annotations

import doctest
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import epicurves
from conftest import FIXTURES, ROOT

DOCS = ROOT / "docs"


def _extension() -> ModuleType:
    """docs/_ext/epicurves_docs.py, imported by path (Sphinx imports it so)."""
    spec = importlib.util.spec_from_file_location(
        "epicurves_docs", DOCS / "_ext" / "epicurves_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("epicurves_docs", module)
    spec.loader.exec_module(module)
    return module


EXT = _extension()


@pytest.fixture(scope="module")
def doc_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled from the fixture mirror; its home (the examples' ``EPICURVES_HOME``)."""
    base = tmp_path_factory.mktemp("doc-store")
    shutil.copytree(FIXTURES, base / "mirror")
    settings = epicurves.Settings(home=base / "home", mirror=base / "mirror")
    epicurves.update(settings)
    return base


@pytest.mark.parametrize("name", epicurves.__all__)
def test_public_name_has_a_documented_example(name: str) -> None:
    doc = EXT.public_doc(name)
    assert doc.strip(), f"epicurves.{name} has no documentation"
    assert ">>>" in doc, f"epicurves.{name}: its documentation has no example (>>>)"
    assert "+SKIP" not in doc, f"epicurves.{name}: an example is skipped"


@pytest.mark.parametrize("name", epicurves.__all__)
def test_public_name_example_runs(
    name: str, doc_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = EXT.public_doc(name)
    if ">>>" not in doc:
        pytest.fail(f"epicurves.{name} has no example")
    for variable in (
        "EPICURVES_PRECEDENCE",
        "EPICURVES_SCHEDULER",
        "EPICURVES_BINDER_REPO",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("EPICURVES_HOME", str(doc_store / "home"))
    monkeypatch.setenv("EPICURVES_MIRROR", str(doc_store / "mirror"))
    monkeypatch.chdir(tmp_path)
    # As ``--doctest-modules`` would: the defining module's names, and the public ones.
    globs = dict(vars(importlib.import_module(EXT.defining_module(name))))
    globs |= {"epicurves": epicurves, "pd": pd, "np": np}
    globs |= {n: getattr(epicurves, n) for n in epicurves.__all__}
    test = doctest.DocTestParser().get_doctest(doc, globs, f"epicurves.{name}", None, 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report: list[str] = []
    with pd.option_context("display.width", 100, "display.max_columns", 20):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_the_check_sees_a_missing_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public function without an example fails the check (it is not vacuous)."""

    def undocumented() -> None:
        """No example here."""

    monkeypatch.setattr(epicurves, "undocumented", undocumented, raising=False)
    assert ">>>" not in EXT.public_doc("undocumented")
    assert EXT.public_doc("EXPORT_COLUMNS").startswith("Columns of")

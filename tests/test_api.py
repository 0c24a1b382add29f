"""The public API, the import layers, documented settings and the doctests of the library."""

from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import epicurves
from epicurves.config import SETTINGS

SRC = Path(epicurves.__file__).parent
README = Path(__file__).parent.parent / "README.md"


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert epicurves.__all__ == sorted(epicurves.__all__, key=_isort_key)
    public = {n for n, v in vars(epicurves).items() if not n.startswith("_")}
    modules = {n for n, v in vars(epicurves).items() if type(v).__name__ == "module"}
    assert public - modules - {"annotations"} == set(epicurves.__all__)


#: Which package modules each layer may import; the core never imports the CLI.
LAYERS = {
    "errors": set(),
    "config": set(),
    "succession": set(),
    "headline": set(),
    "reference": {"errors"},
    "userdata": {"errors", "model", "sources"},
    "model": {"errors"},
    "analysis": {"analysis", "model"},
    "plots": {"plotdata"},
    "plotdata": {"analysis", "errors", "plotdata"},
    "sources": {"errors", "sources"},
    "fetch": {"config", "errors", "sources"},
    "store": {"errors", "model"},
    "changes": {"model", "succession"},
    "executor": {"errors"},
    "freshness": {"sources", "store"},
    "catalog": {"analysis", "config", "errors", "model", "store", "succession"},
    "pipeline": {"changes", "config", "errors", "fetch", "model", "sources", "store"},
    "notebooks": {"notebooks"},
    "site": {"analysis", "catalog", "changes", "config", "errors", "executor", "freshness", "headline", "model",
             "notebooks", "plotdata", "plots", "site", "sources", "store", "succession"},
    "cli": {"analysis", "catalog", "changes", "config", "errors", "executor", "freshness", "model", "notebooks", "pipeline",
            "site", "sources", "store"},
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """The top-level epicurves modules that the module at ``path`` imports."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    package = ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(
        ".__init__"
    )
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names = [importlib.util.resolve_name(base, package) if node.level else base]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith("epicurves."):
                found.add(name.split(".")[1])
    return found


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in SRC.glob("*.py")} | {
        p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()
    }
    assert modules - {"__init__", "__main__"} <= set(LAYERS)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_import_layers(layer: str) -> None:
    paths = (
        sorted((SRC / layer).glob("*.py"))
        if (SRC / layer).is_dir()
        else [SRC / f"{layer}.py"]
    )
    for path in paths:
        assert _imports(path) <= LAYERS[layer], f"{path.name} imports beyond its layer"


def test_every_setting_is_documented() -> None:
    text = README.read_text("utf-8")
    for setting in SETTINGS:
        assert setting.env in text, f"{setting.env} is not in the README"


def test_every_source_is_documented() -> None:
    text = README.read_text("utf-8")
    for name in epicurves.SOURCES:
        assert f"`{name}`" in text, f"source {name} is not in the README"


def test_every_module_says_what_it_owns() -> None:
    for path in [*SRC.rglob("*.py"), *Path(__file__).parent.glob("*.py")]:
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8")))
        assert doc, f"{path} has no module docstring"


def _modules() -> list[str]:
    names = ["epicurves"]
    for info in pkgutil.walk_packages([str(SRC)], prefix="epicurves."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


def test_historic_regions_are_left_out_of_the_summary(
    settings: epicurves.Settings,
) -> None:
    """Berlin's boroughs (from the germany table) ended: RKI counts them in Berlin."""
    epicurves.update(settings, ["germany", "rki-districts"])
    current = set(epicurves.load_summary(settings=settings)["region_id"])
    every = set(epicurves.load_summary(historic=True, settings=settings)["region_id"])
    assert every - current == {"DE-11001", "DE-11002"}
    assert "DE-11001" in set(epicurves.load_regions(settings=settings)["region_id"])

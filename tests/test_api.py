"""The public API, the import layers, documented settings and the doctests of the library."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

import epicurves
from conftest import ROOT, python

SRC = Path(epicurves.__file__).parent
README = Path(__file__).parent.parent / "README.md"


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert epicurves.__all__ == sorted(epicurves.__all__, key=_isort_key)
    # Each name is read from its module on first use; `headline` is imported at once.
    homes = {**epicurves._HOMES, "headline": "headline"}
    assert set(homes) == set(epicurves.__all__)
    for name, module in homes.items():
        home = importlib.import_module(f"epicurves.{module}")
        assert getattr(epicurves, name) is getattr(home, name), name
    # The imports that type checkers and readers see name the same modules.
    tree = ast.parse((SRC / "__init__.py").read_text())
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert imported == {(module, name) for name, module in homes.items()}
    assert set(epicurves.__all__) <= set(dir(epicurves))
    with pytest.raises(AttributeError, match="no attribute 'load_everything'"):
        epicurves.load_everything  # noqa: B018


#: Runs some code in a new interpreter, then prints the heavy modules it imported.
_IMPORTED = """
import sys
{code}
print(" ".join(m for m in ("pandas", "numpy", "pyarrow", "bokeh") if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import epicurves", ""),
        ("import epicurves.cli", ""),
        ("import epicurves.sources", ""),
        ("import epicurves.forecast.summary, epicurves.site.build", ""),
        # the conventions are made on first read, and import NumPy then
        ("from epicurves.forecast import MEDIAN, cutoff", ""),
        ("from epicurves.forecast import LEVELS", "numpy"),
        # the home page of a run with nothing new formats plain numbers
        (
            "from epicurves.formatting import fmt_int, fmt_num\n"
            "fmt_num(1.5), fmt_num(float('nan')), fmt_int(None), fmt_int(3)",
            "",
        ),
    ],
)
def test_imports_leave_pandas_until_it_is_used(code: str, expected: str) -> None:
    """pandas, NumPy and Arrow come from epicurves.lazy (0.4 s that `--help` and a run
    with nothing new do without); the forecasts' levels, an array, are made on first read."""
    assert python(_IMPORTED.format(code=code)).stdout.strip() == expected


#: A module's NumPy before and after its first use, and that of a module imported afterwards.
_REPLACED = """
import sys
import epicurves.analysis.windows as windows
before = type(windows.np).__name__
windows.np.asarray([1.0])
import epicurves.site.payload as payload
numpy = sys.modules["numpy"]
print(before, windows.np is numpy, payload.np is numpy, type(payload.pd).__name__)
"""


def test_a_lazy_module_is_put_in_its_stand_in_s_place_once_used() -> None:
    """Reads through the stand-in are slower than a module's: after the first, the modules of
    epicurves hold the module itself (pandas, not used yet, is still a stand-in)."""
    done = python(_REPLACED)
    assert done.stdout.split() == ["LazyModule", "True", "True", "LazyModule"]


def test_no_module_imports_pandas_numpy_or_arrow_at_its_top() -> None:
    """They come from epicurves.lazy (recipes and notebook templates are the user's code)."""
    heavy = {"pandas", "numpy", "pyarrow"}
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if {"recipes", "templates"} & set(path.parts) or path.name == "lazy.py":
            continue
        for node in ast.parse(path.read_text()).body:
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            found += [
                f"{path.relative_to(SRC)}:{node.lineno}"
                for n in names
                if n.split(".")[0] in heavy
            ]
    assert found == []


#: Which package modules each layer may import (besides ``lazy``, from which every layer takes
#: pandas, NumPy and Arrow); the core never imports the CLI.
LAYERS = {
    "lazy": set(),
    "errors": set(),
    "config": set(),
    "files": set(),
    "formatting": set(),
    "categories": set(),
    "succession": set(),
    "locks": {"errors"},
    "headline": {"formatting"},
    "reference": {"errors"},
    "userdata": {"errors", "model", "rules", "sources"},
    "model": {"errors"},
    "rules": {"errors", "model"},
    "releases": set(),
    "analysis": {"analysis", "model"},
    # the charts draw forecasts, named by their targets (epicurves.charts.fans)
    "charts": {"analysis", "charts", "errors", "forecast", "sources"},
    "sources": {"errors", "releases", "sources"},
    "fetch": {"config", "errors", "files", "sources"},
    "store": {"errors", "files", "model", "releases", "store"},
    "changes": {"model", "succession"},
    "executor": {"errors"},
    "freshness": {"sources", "store"},
    "catalog": {"analysis", "config", "errors", "model", "releases", "store", "succession"},
    "export": {"analysis", "catalog", "config", "errors", "files", "store"},
    "info": {"config", "errors", "freshness", "model", "sources", "store"},
    "pipeline": {"changes", "config", "errors", "fetch", "locks", "model", "rules", "sources", "store"},
    "access": {"config", "errors", "fetch", "pipeline", "sources", "store"},
    "forecast": {"catalog", "categories", "config", "errors", "executor", "files", "forecast", "locks",
                 "model", "releases", "sources", "store"},
    "notebooks": {"notebooks"},
    "site": {"analysis", "catalog", "categories", "changes", "config", "errors", "executor", "files", "forecast",
             "formatting", "freshness", "headline", "locks", "model", "notebooks", "charts", "site", "sources",
             "store", "succession"},
    "cli": {"analysis", "catalog", "changes", "cli", "config", "errors", "executor", "export", "files",
            "forecast", "formatting", "freshness", "info", "locks", "model", "notebooks", "pipeline",
            "site", "sources", "store"},
}  # fmt: skip


def _module_name(path: Path) -> str:
    """The dotted name of the module at ``path``."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name: str) -> bool:
    return (SRC.parent / name.replace(".", "/") / "__init__.py").is_file()


def _exists(name: str) -> bool:
    return (
        _is_package(name) or (SRC.parent / (name.replace(".", "/") + ".py")).is_file()
    )


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(path: Path, text: str | None = None) -> set[str]:
    """The epicurves modules that the module at ``path`` (with source ``text``, default the
    file's) imports when it runs (at import time or inside a function; not under
    ``if TYPE_CHECKING:``). ``from a import b`` is module ``a.b`` where that is a module, else
    ``a``; relative imports are resolved against the module's own package."""
    name = _module_name(path)
    package = name if _is_package(name) else name.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8") if text is None else text)
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if _type_checking(node)
        for child in node.body
        for inner in ast.walk(child)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            origin = importlib.util.resolve_name(base, package) if node.level else base
            for alias in node.names:
                whole = f"{origin}.{alias.name}"
                found.add(whole if _exists(whole) else origin)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "epicurves" or m.startswith("epicurves.")}


def _imports(path: Path) -> set[str]:
    """The top-level epicurves modules (layers) that the module at ``path`` imports."""
    return {m.split(".")[1] for m in imported_modules(path) if m != "epicurves"}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle in an import graph (module -> the modules it imports): the strongly
    connected components with more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph[node]:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in SRC.glob("*.py")} | {
        p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()
    }
    assert modules - {"__init__", "__main__"} <= set(LAYERS)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_import_layers(layer: str) -> None:
    paths = (
        sorted((SRC / layer).rglob("*.py"))
        if (SRC / layer).is_dir()
        else [SRC / f"{layer}.py"]
    )
    for path in paths:
        assert _imports(path) - {"lazy"} <= LAYERS[layer], (
            f"{path.name} imports beyond its layer"
        )


def _graph(paths: list[Path]) -> dict[str, set[str]]:
    return {_module_name(p): imported_modules(p) for p in paths}


def test_no_import_cycle() -> None:
    assert import_cycles(_graph(sorted(SRC.rglob("*.py")))) == []


def test_the_cycle_check_finds_the_cycle_c16e9d3_had() -> None:
    """c16e9d3's plotdata package imported plots inside plot_region (``from .. import
    plots``), and plots imports plotdata: a cycle the old layer test resolved to
    ``epicurves`` and missed. The same today: the views importing a layout lazily."""
    graph = _graph(sorted(SRC.rglob("*.py")))
    package = SRC / "charts" / "views" / "__init__.py"
    lazy = "\n\ndef plot_region():\n    from ..layouts import region\n"
    graph["epicurves.charts.views"] = imported_modules(
        package, package.read_text("utf-8") + lazy
    )
    cycles = import_cycles(graph)
    assert len(cycles) == 1
    assert {"epicurves.charts.layouts.region", "epicurves.charts.views"} <= set(
        cycles[0]
    )
    assert "epicurves.charts.layouts.region" in imported_modules(
        SRC / "charts" / "draw.py"
    )


#: A Python module a reader can hold, and a page script.
MAX_LINES = 600
MAX_SCRIPT_LINES = 400


@pytest.mark.parametrize(
    ("pattern", "most"), [("*.py", MAX_LINES), ("*.js", MAX_SCRIPT_LINES)]
)
def test_no_module_or_script_is_too_long_to_hold(pattern: str, most: int) -> None:
    """Every module of the package, and every page script we write (not the vendored
    front-end files, which come from their packages at build time)."""
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob(pattern)
        if (n := len(path.read_text("utf-8").splitlines())) > most
    }
    assert long == {}


#: The project's Python outside the package: its tests, tools, benchmarks and the docs'
#: configuration, held to the package's rule.
PROJECT_FOLDERS = ("tests", "tools", "bench", "docs")


def test_no_module_of_the_tests_tools_or_benchmarks_is_too_long_to_hold() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for folder in PROJECT_FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if "_build" not in path.parts
        and (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}

"""Checks of notebooks shared by the region notebooks' and the recipes' tests: public names
only, and an executed notebook's output clean (no error, nothing on stderr, no CDN)."""

from __future__ import annotations

import ast
import sys
from typing import Any

import epicurves

#: Modules a notebook may import besides the standard library: "pandas and Bokeh as usual".
ALLOWED_MODULES = {"epicurves", "pandas", "numpy", "bokeh"}


def problems(code: str) -> list[str]:
    """What in ``code`` goes beyond the public API and the allowed modules, one line each."""
    public = set(epicurves.__all__)
    found: list[str] = []
    aliases = set()  # names bound to the epicurves module
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top not in ALLOWED_MODULES and top not in sys.stdlib_module_names:
                    found.append(f"line {node.lineno}: import {alias.name}")
                if alias.name == "epicurves":
                    aliases.add(alias.asname or "epicurves")
                elif top == "epicurves":
                    found.append(
                        f"line {node.lineno}: import {alias.name} (not public)"
                    )
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            top = module.split(".")[0]
            if node.level or (
                top not in ALLOWED_MODULES and top not in sys.stdlib_module_names
            ):
                found.append(f"line {node.lineno}: from {'.' * node.level}{module}")
            elif module == "epicurves":
                found.extend(
                    f"line {node.lineno}: from epicurves import {alias.name} (not public)"
                    for alias in node.names
                    if alias.name not in public
                )
            elif top == "epicurves":
                found.append(f"line {node.lineno}: from {module} (not public)")
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in (aliases or {"epicurves"})
            and node.attr not in public
        ):
            found.append(f"line {node.lineno}: epicurves.{node.attr} (not public)")
    return sorted(found, key=lambda line: int(line.split()[1].rstrip(":")))


def output_text(outputs: list[Any]) -> tuple[str, str]:
    """A cell's stdout plus the text of its results, and its stderr."""
    out, err = [], []
    for output in outputs:
        if output.output_type == "stream":
            (err if output.name == "stderr" else out).append(output.text)
        elif output.output_type == "execute_result":
            out.append(output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(out), "".join(err)


def assert_clean(notebook: Any) -> str:
    """No error output, nothing on stderr, no BokehJS from a CDN (the notebook works
    offline); what its code cells printed and showed as text."""
    text = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:80]!r}: {errors[0].get('evalue')}"
        out, err = output_text(cell.outputs)
        assert not err, f"{cell.source[:80]!r} wrote to stderr: {err[:500]}"
        text.append(out)
        for output in cell.outputs:
            for value in output.get("data", {}).values():
                assert "cdn.bokeh.org" not in str(value), cell.source[:80]
    return "".join(text)

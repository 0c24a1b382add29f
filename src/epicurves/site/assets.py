"""Front-end files copied into the site, each from the Python package that ships it.

BokehJS comes from the ``bokeh`` wheel and DataTables (with jQuery) from the bundle in the
``itables`` wheel; their versions go into the file names, so browsers may cache them forever.
Our own files carry a hash of their content; the chart layout (:mod:`epicurves.plots`) a hash of
what it is made from (``plots.py`` and the Bokeh version), so that every name is known before the
layout is built: pages can be rendered while it is. Nothing is fetched from another host.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from importlib.metadata import version
from pathlib import Path

__all__ = ["asset_names", "write_assets"]

STATIC = Path(__file__).parent / "static"
PLOTS = Path(__file__).parent.parent / "plots.py"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        msg = f"the package {name} is not installed"
        raise ModuleNotFoundError(msg)
    return Path(next(iter(spec.submodule_search_locations)))


def _versioned(name: str, tag: str) -> str:
    stem, dot, suffix = name.partition(".")
    return f"{stem}-{tag}.{suffix}" if dot else f"{name}-{tag}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def _wheel_files() -> dict[str, tuple[Path, str]]:
    """Role -> (file in an installed wheel, its package version)."""
    bokeh_js = _package_dir("bokeh") / "server" / "static" / "js"
    dt = _package_dir("itables") / "html"
    bokeh, itables = version("bokeh"), version("itables")
    return {
        "bokeh": (bokeh_js / "bokeh.min.js", bokeh),
        "bokeh_api": (bokeh_js / "bokeh-api.min.js", bokeh),
        "dt_js": (dt / "dt_bundle.js", itables),
        "dt_css": (dt / "dt_bundle.css", itables),
    }


_OWN = {"css": "site.css", "region_js": "region.js", "compare_js": "compare.js"}


def asset_names() -> dict[str, object]:
    """The site name of every static file, by role, without building anything."""
    names: dict[str, object] = {
        role: _versioned(path.name, tag) for role, (path, tag) in _wheel_files().items()
    }
    for role, file in _OWN.items():
        names[role] = _versioned(file, _digest((STATIC / file).read_bytes()))
    inputs = PLOTS.read_bytes() + version("bokeh").encode()
    names["charts"] = f"charts-{_digest(inputs)}.js"
    names["compare_bokeh"] = [names["bokeh"], names["bokeh_api"]]
    return names


def write_assets(target: Path, names: dict[str, object]) -> list[str]:
    """Copy every static file into ``target`` under ``names``, write the chart layout, and
    return the names written."""
    from .. import plots

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for role, (path, _) in _wheel_files().items():
        shutil.copyfile(path, target / str(names[role]))
        written.append(str(names[role]))
    for role, file in _OWN.items():
        shutil.copyfile(STATIC / file, target / str(names[role]))
        written.append(str(names[role]))
    (target / str(names["charts"])).write_text(plots.chart_item_js(), "utf-8")
    return [*written, str(names["charts"])]

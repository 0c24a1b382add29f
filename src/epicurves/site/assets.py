"""Front-end files copied into the site, each from the Python package that ships it.

BokehJS comes from the ``bokeh`` wheel and DataTables (with jQuery) from the bundle in the
``itables`` wheel; their versions go into the file names, so browsers may cache them forever.
Nothing is fetched from another host.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

__all__ = ["copy_assets"]

STATIC = Path(__file__).parent / "static"


def _versioned(name: str, version: str) -> str:
    stem, dot, suffix = name.partition(".")
    return f"{stem}-{version}.{suffix}" if dot else f"{name}-{version}"


def _hashed(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return _versioned(path.name, digest)


def copy_assets(target: Path, charts_js: str) -> dict[str, object]:
    """Copy every static file into ``target`` and return their site names by role."""
    import bokeh
    import itables

    target.mkdir(parents=True, exist_ok=True)
    bokeh_dir = Path(bokeh.__file__).parent / "server" / "static" / "js"
    dt_dir = Path(itables.__file__).parent / "html"
    names: dict[str, object] = {}
    wheel_files = (
        ("bokeh", bokeh_dir / "bokeh.min.js", bokeh.__version__),
        ("bokeh_api", bokeh_dir / "bokeh-api.min.js", bokeh.__version__),
        ("dt_js", dt_dir / "dt_bundle.js", itables.__version__),
        ("dt_css", dt_dir / "dt_bundle.css", itables.__version__),
    )
    for role, source, version in wheel_files:
        name = _versioned(source.name, version)
        shutil.copyfile(source, target / name)
        names[role] = name
    for role, file in (
        ("css", "site.css"),
        ("region_js", "region.js"),
        ("compare_js", "compare.js"),
    ):
        source = STATIC / file
        name = _hashed(source)
        shutil.copyfile(source, target / name)
        names[role] = name
    charts = hashlib.sha256(charts_js.encode()).hexdigest()[:10]
    names["charts"] = f"charts-{charts}.js"
    (target / str(names["charts"])).write_text(charts_js, "utf-8")
    names["compare_bokeh"] = [names["bokeh"], names["bokeh_api"]]
    return names

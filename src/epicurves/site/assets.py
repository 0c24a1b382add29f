"""Front-end files copied into the site, each from the Python package that ships it.

BokehJS comes from the ``bokeh`` wheel and DataTables (with jQuery) from the bundle in the
``itables`` wheel; their versions go into the file names, so browsers may cache them forever.
Our own files carry a hash of their content, the charts' spec too (:mod:`epicurves.charts.spec`,
``static/spec-<hash>.js``); the chart layouts (:mod:`epicurves.charts.layouts`) a hash of what
they are made from (the charts package, the signals' titles and the Bokeh version), so that every
name is known before the layouts are built: pages can be rendered while they are. Nothing is
fetched from another host.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from ..charts import spec
from ..charts.spec import browser_spec_js
from ..files import write_atomic

__all__ = [
    "asset_names",
    "cached_layouts",
    "classic_datatables",
    "layout_files",
    "prewarm",
    "write_assets",
]

STATIC = Path(__file__).parent / "static"
CHARTS = Path(__file__).parent.parent / "charts"
ANALYSIS = Path(__file__).parent.parent / "analysis"
GEO = Path(__file__).parent / "geo"
MAPS_MODULE = Path(__file__).parent / "maps.py"
GEO_NAMES = Path(__file__).parent.parent / "sources" / "geo.py"
#: Each map and its geometry file (None: made by :mod:`.maps`, the German tile grid).
MAP_FILES: dict[str, str | None] = {
    "world": "world.json",
    "us": "us.json",
    "germany": None,
    "districts": "de-districts.json",
    "europe": "world.json",
}


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


_OWN = {
    "css": "site.css",
    "fans_js": "fans.js",
    "chartdata_js": "chartdata.js",
    "signaldata_js": "signaldata.js",
    "picker_js": "picker.js",
    "site_js": "site.js",
    "region_js": "region.js",
    "signals_js": "signals.js",
    "compare_js": "compare.js",
    "tables_js": "tables.js",
    "maps_js": "maps.js",
    "scorecard_js": "scorecard.js",
}


_EXPORT = re.compile(r"export\s*\{([^}]*)\}\s*;?")
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def classic_datatables(module: str) -> str:
    r"""itables' DataTables bundle (an ES module) as a classic script that sets
    ``window.EpicurvesDataTables = {DataTable, jQuery}``: browsers refuse modules from
    ``file://``, and classic scripts of the site itself run there. The bundle has no
    ``import`` and one closing ``export {...}``, which becomes that assignment.

    >>> classic_datatables("var a=1;var b=2;export{a as default,b as jQuery};")
    '(function(){"use strict";\nvar a=1;var b=2;\nwindow.EpicurvesDataTables={DataTable:a,jQuery:b};\n})();\n'
    """
    matches = list(_EXPORT.finditer(module))
    match = matches[-1] if matches else None
    if (
        match is None
        or _COMMENTS.sub("", module[match.end() :]).strip()
        or re.search(r"^\s*import[\s{*]", module, re.MULTILINE)
    ):
        msg = "the DataTables bundle of itables changed form: expected no import and one final export"
        raise ValueError(msg)
    names = {}
    for part in match.group(1).split(","):
        local, _, exported = part.strip().partition(" as ")
        names[exported.strip() or local] = local.strip()
    if "default" not in names or "jQuery" not in names:
        msg = "the DataTables bundle of itables no longer exports DataTable and jQuery"
        raise ValueError(msg)
    body = module[: match.start()] + module[match.end() :]
    return (
        '(function(){"use strict";\n'
        + body
        + f"\nwindow.EpicurvesDataTables={{DataTable:{names['default']},jQuery:{names['jQuery']}}};\n}})();\n"
    )


def _chart_inputs() -> bytes:
    """What the chart layouts are made from: the charts package's code and the code it reads
    (the analysis package: the metrics' registry, R's options), the signals' titles (declared
    by the sources) and the version of Bokeh."""
    files = [*sorted(CHARTS.rglob("*.py")), *sorted(ANALYSIS.rglob("*.py"))]
    code = b"".join(p.read_bytes() for p in files)
    titles = "\0".join(c.title for c in spec.SIGNAL_CHARTS).encode()
    return code + titles + version("bokeh").encode()


def asset_names() -> dict[str, object]:
    """The site name of every static file, by role, without building anything."""
    names: dict[str, object] = {
        role: _versioned(path.name, tag) for role, (path, tag) in _wheel_files().items()
    }
    for role, file in _OWN.items():
        names[role] = _versioned(file, _digest((STATIC / file).read_bytes()))
    inputs = _chart_inputs()
    names["spec"] = f"spec-{_digest(browser_spec_js().encode())}.js"
    names["charts"] = f"charts-{_digest(inputs)}.js"
    names["signal_charts"] = f"signal-charts-{_digest(inputs)}.js"
    names["compare_bokeh"] = [names["bokeh"], names["bokeh_api"]]
    for name, geo in MAP_FILES.items():
        made_of = (
            inputs
            + MAPS_MODULE.read_bytes()
            + (b"" if geo is None else (GEO / geo).read_bytes())
        )
        names[f"map_{name}"] = f"map-{name}-{_digest(made_of)}.js"
    return names


def layout_files(names: dict[str, object]) -> dict[str, Callable[[], str]]:
    """The chart layouts' file names (from ``names``) and what makes each: Bokeh documents
    built in Python, seconds of work, named by a hash of what they are made from."""

    def region() -> str:
        from ..charts.layouts.region import chart_item_js

        return chart_item_js()

    def signals() -> str:
        from ..charts.layouts.signals import signal_items_js

        return signal_items_js()

    def a_map(name: str) -> Callable[[], str]:
        def make() -> str:
            from ..charts.layouts.maps import map_item_js
            from .maps import geometry

            return map_item_js(name, geometry(name))

        return make

    files = {str(names["charts"]): region, str(names["signal_charts"]): signals}
    files.update({str(names[f"map_{name}"]): a_map(name) for name in MAP_FILES})
    return files


@functools.cache
def code_digest() -> str:
    """A hash of all of epicurves' code and the Bokeh version: what a cached layout is kept
    under. A layout's name hashes only its direct inputs (enough for a browser's cache), but
    it is also made with the metrics' registry, the analysis' options and the errors."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256(version("bokeh").encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cached(cache: Path, name: str) -> Path:
    return cache / f"{code_digest()}-{name}"


#: The background process :func:`prewarm` started in this process, if any.
_PREWARM: list[subprocess.Popen[bytes]] = []


def prewarm(cache: Path) -> bool:
    """Start making the chart layouts missing from ``cache`` in a background process (``python
    -m epicurves.site.assets CACHE``), so that a full build finds them made: ``epicurves run``
    calls it when an update has something new, while the update parses. Returns whether it
    started one (False: every layout is cached already)."""
    names = asset_names()
    if all(_cached(cache, name).is_file() for name in layout_files(names)):
        return False
    _PREWARM.append(
        subprocess.Popen(
            [sys.executable, "-m", "epicurves.site.assets", str(cache)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    return True


def cached_layouts(cache: Path, names: dict[str, object]) -> dict[str, str]:
    """Each chart layout of ``names``: read from ``cache`` where it is there (kept under a hash
    of the whole code, :func:`code_digest`), else made and put there (atomically; the layouts
    of other versions are removed)."""
    for started in _PREWARM:
        started.wait()  # its files are whole or absent: it writes them atomically
    _PREWARM.clear()
    files = layout_files(names)
    texts = {}
    for name, make in files.items():
        path = _cached(cache, name)
        try:
            texts[name] = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            texts[name] = make()
            try:
                cache.mkdir(parents=True, exist_ok=True)
                write_atomic(path, texts[name])
            except OSError:  # a read-only home: the layouts are made each time
                pass
    if cache.is_dir():
        kept = {_cached(cache, name).name for name in files}
        for old in cache.glob("*.js"):
            if old.name not in kept:
                old.unlink(missing_ok=True)
    return texts


def write_assets(
    target: Path, names: dict[str, object], cache: Path | None = None
) -> list[str]:
    """Copy every static file into ``target`` under ``names``, write the chart layouts (from
    ``cache`` where they are there: :func:`cached_layouts`), and return the names written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for role, (path, _) in _wheel_files().items():
        if role == "dt_js":
            (target / str(names[role])).write_text(
                classic_datatables(path.read_text("utf-8")), "utf-8"
            )
        else:
            shutil.copyfile(path, target / str(names[role]))
        written.append(str(names[role]))
    for role, file in _OWN.items():
        shutil.copyfile(STATIC / file, target / str(names[role]))
        written.append(str(names[role]))
    (target / str(names["spec"])).write_text(browser_spec_js(), "utf-8")
    written.append(str(names["spec"]))
    if cache is None:
        layouts = {name: make() for name, make in layout_files(names).items()}
    else:
        layouts = cached_layouts(cache, names)
    for file, text in layouts.items():
        (target / file).write_text(text, "utf-8")
        written.append(file)
    return written


if __name__ == "__main__":  # prewarm's background process: python -m ... CACHE
    # It makes Bokeh's models by the thousand, writes their JSON and ends: the cyclic
    # collector would only walk them (a tenth of this process's CPU, 0.25 s; 11 MB more
    # without it), on the core the update's parsing needs.
    gc.disable()
    cached_layouts(Path(sys.argv[1]), asset_names())

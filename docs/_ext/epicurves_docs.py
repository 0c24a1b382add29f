"""Sphinx extension of epicurves' documentation: the pages made from the code's registries.

Directives (each a table or a run of autodoc directives, made when the docs are built, so
that they cannot drift from the code):

- ``epicurves-api-index``: every public name of :data:`epicurves.__all__`, grouped by kind,
  each group a table of names linking to its own page (``reference/api/SLUG``);
- ``epicurves-api SLUG``: the names of one group, each documented in full;
- ``epicurves-settings``: every setting of ``epicurves.SETTINGS``;
- ``epicurves-columns`` (``export`` or ``signals``): the columns of ``epicurves export`` and
  ``epicurves signals``, each with what it holds;
- ``epicurves-metrics``: the metrics' registry;
- ``epicurves-sources``: the sources, from their declarations;
- ``epicurves-recipes``: the recipe collection, and whether this build executed it.

Formulas are written as MathML when the docs are built (``html_math_renderer = "mathml"``,
with latex2mathml): browsers draw it, so no script is fetched from another host.

References to names the reference does not document (private modules and names of
epicurves, pandas, the standard library, ...) are written as code, without a link, when the
name exists; a name that does not exist stays an error (``-n -W``: the build fails).

:func:`public_doc` gives the docstring the reference shows for a public name (for the
constants, their ``#:`` comment): the tests run its examples as doctests.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: The groups of the API reference, each a page ``reference/api/SLUG``: (title, slug, test
#: of a public object); a name goes to the first group whose test it passes.
GROUPS: tuple[tuple[str, str, Any], ...] = (
    (
        "Reading the store",
        "store",
        lambda n, o: (
            n.startswith(("load_", "read_"))
            or n
            in (
                "store_info",
                "reference_data",
                "ensure_data",
                "upstream_copy",
                "update",
                "headline",
                "get_source",
            )
        ),
    ),
    (
        "Analysis",
        "analysis",
        lambda n, o: inspect.isfunction(o) and not n.startswith("plot_"),
    ),
    ("Charts", "charts", lambda n, o: n.startswith("plot_")),
    (
        "Errors",
        "errors",
        lambda n, o: inspect.isclass(o) and issubclass(o, Exception),
    ),
    ("Classes", "classes", lambda n, o: inspect.isclass(o)),
    ("Constants and registries", "constants", lambda n, o: True),
)


def group_of(name: str) -> str:
    """The API reference's group of the public name ``name``."""
    import epicurves

    obj = getattr(epicurves, name)
    for title, _, test in GROUPS:
        if test(name, obj):
            return title
    raise AssertionError(name)  # the last group takes everything


def group_names(title: str) -> list[str]:
    """The public names of the API reference's group ``title``, in ``__all__``'s order."""
    import epicurves

    return [n for n in epicurves.__all__ if group_of(n) == title]


@functools.cache
def _attribute_docs() -> dict[str, tuple[str, str]]:
    """Public constant name -> (module that defines it, its ``#:`` comment or docstring)."""
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    import epicurves

    found: dict[str, tuple[str, str]] = {}
    names = {n for n in epicurves.__all__ if not callable(getattr(epicurves, n))}
    modules = ["epicurves"] + [
        m.name
        for m in pkgutil.walk_packages(epicurves.__path__, "epicurves.")
        if not m.name.endswith("__main__")  # runs the command line
    ]
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except Exception:
            continue
        for (scope, attr), lines in docs.items():
            if (
                scope == ""
                and attr in names
                and attr not in found
                and getattr(module, attr, None) is getattr(epicurves, attr)
            ):
                found[attr] = (module_name, "\n".join(lines).strip())
    return found


def public_doc(name: str) -> str:
    """The documentation the API reference shows for ``epicurves.<name>``: the docstring of a
    class or function, the ``#:`` comment (or string) after a constant's definition."""
    import epicurves

    obj = getattr(epicurves, name)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return inspect.getdoc(obj) or ""
    return _attribute_docs().get(name, ("", ""))[1]


def defining_module(name: str) -> str:
    """The module that defines ``epicurves.<name>`` (its examples run in its namespace)."""
    import epicurves

    obj = getattr(epicurves, name)
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return obj.__module__
    return _attribute_docs().get(name, ("epicurves", ""))[0]


def _rst(directive: SphinxDirective, lines: list[str]) -> list[nodes.Node]:
    """Parse ``lines`` of reStructuredText in the directive's place."""
    from sphinx.util.nodes import nested_parse_with_titles

    container = nodes.section()
    container.document = directive.state.document
    source = directive.get_source_info()[0]
    content = StringList(lines, source=source)
    nested_parse_with_titles(
        directive.state, content, container, directive.content_offset
    )
    return list(container.children)


def _table(
    header: tuple[str, ...], rows: list[tuple[str, ...]], widths: str
) -> list[str]:
    """A ``list-table`` in reStructuredText (cells are reST: escape as needed)."""
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in (header, *rows):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return lines


def _code(text: str) -> str:
    return f"``{text}``" if text else ""


def _text(text: str) -> str:
    """Plain text for a reST cell: backquoted words become inline code."""
    return text.replace("`", "``").replace("````", "``") if "`" in text else text


def _summary(doc: str) -> str:
    """The first sentence of a docstring (its first paragraph, up to the first full stop that
    ends a sentence), on one line."""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    for end in (". ", ": "):
        if end in paragraph:
            return paragraph.split(end)[0] + "."
    return paragraph


def _api_table(names: list[str]) -> list[str]:
    rows = [(f":py:obj:`{n}`", _summary(public_doc(n))) for n in names]
    return [*_table(("name", "what it is"), rows, "30 70"), ""]


class ApiIndexDirective(SphinxDirective):
    """The API reference's front page: each group's names in a table linking to their
    documentation on the group's page; a group whose page is missing is a warning (an error
    with ``-W``). The group pages are listed in the Reference's table of contents beside this
    one, not under it: the theme's toggle of a nested entry has no accessible name."""

    def run(self) -> list[nodes.Node]:
        lines = [".. currentmodule:: epicurves", ""]
        for title, slug, _ in GROUPS:
            names = group_names(title)
            if not names:
                continue
            page = f"api/{slug}"
            if f"reference/{page}" not in self.env.found_docs:
                logger.warning(
                    "the API group %r has no page docs/reference/%s.md", title, page
                )
            lines += [title, "-" * len(title), "", f"In full: :doc:`{page}`.", ""]
            lines += _api_table(names)
        return _rst(self, lines)


class ApiDirective(SphinxDirective):
    """The public names of one group (its slug the argument), each by autodoc (constants as
    ``py:data`` with their ``#:`` comment, which autodoc cannot find through the package's
    re-export), after a table of them."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        import epicurves

        titles = {slug: title for title, slug, _ in GROUPS}
        if self.arguments[0] not in titles:
            raise self.error(
                f"epicurves-api: unknown group {self.arguments[0]!r}, expected one of "
                + ", ".join(titles)
            )
        names = group_names(titles[self.arguments[0]])
        lines = [".. currentmodule:: epicurves", "", *_api_table(names)]
        for name in names:
            obj = getattr(epicurves, name)
            if inspect.isclass(obj) and issubclass(obj, Exception):
                lines += [f".. autoexception:: {name}", "   :show-inheritance:", ""]
            elif inspect.isclass(obj):
                lines += [f".. autoclass:: {name}", "   :members:", ""]
            elif inspect.isroutine(obj):
                lines += [f".. autofunction:: {name}", ""]
            else:
                module, doc = _attribute_docs().get(name, ("", ""))
                if not doc:
                    logger.warning("epicurves.%s has no documentation", name)
                lines += [
                    f".. py:data:: {name}",
                    f"   :type: {type(obj).__name__}",
                    "",
                ]
                lines += [f"   {line}" if line else "" for line in doc.splitlines()]
                if module:
                    lines += ["", f"   Defined in ``{module}``.", ""]
        return _rst(self, lines)


class SettingsDirective(SphinxDirective):
    """The settings, from ``epicurves.SETTINGS``."""

    def run(self) -> list[nodes.Node]:
        from epicurves import SETTINGS

        rows = [(_code(s.env), _code(s.name), _text(s.help)) for s in SETTINGS]
        return _rst(
            self, _table(("variable", "setting", "what it does"), rows, "25 15 60")
        )


class ColumnsDirective(SphinxDirective):
    """The columns of ``epicurves export`` (argument ``export``) or ``epicurves signals``
    (``signals``), from the export contract and the registries."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from epicurves import EXPORT_COLUMNS, SIGNAL_EXPORT_COLUMNS
        from epicurves.analysis.registry import metric
        from epicurves.model import COLUMN_HELP

        which = self.arguments[0]
        if which not in ("export", "signals"):
            msg = f"epicurves-columns: expected export or signals, found {which!r}"
            raise self.error(msg)
        columns = EXPORT_COLUMNS if which == "export" else SIGNAL_EXPORT_COLUMNS
        rows = []
        for place, column in enumerate(columns, 1):
            if column in COLUMN_HELP:
                rows.append((str(place), _code(column), _text(COLUMN_HELP[column])))
                continue
            try:
                m = metric(column)
            except KeyError:
                logger.warning("column %s of %s has no description", column, which)
                continue
            rows.append((str(place), _code(column), f"{m.label} ({m.unit})"))
        return _rst(self, _table(("#", "column", "what it holds"), rows, "5 30 65"))


class MetricsDirective(SphinxDirective):
    """The metrics' registry: name, label, unit, decimals shown."""

    def run(self) -> list[nodes.Node]:
        from epicurves import METRICS

        rows = [
            (
                _code(m.name),
                m.label,
                m.unit,
                "whole" if m.decimals is None else str(m.decimals),
            )
            for m in METRICS
        ]
        return _rst(
            self, _table(("metric", "label", "unit", "decimals"), rows, "30 40 15 15")
        )


class SourcesDirective(SphinxDirective):
    """The sources, from their declarations."""

    def run(self) -> list[nodes.Node]:
        from epicurves import SOURCES

        rows = []
        for name, source in SOURCES.items():
            status = (
                f"live, every {source.interval_days} days" if source.live else "frozen"
            )
            rows.append((
                _code(name),
                f"`{source.description.rstrip('.')} <{source.homepage}>`__",
                _text(source.licence),
                status,
            ))  # fmt: skip
        return _rst(
            self, _table(("source", "what", "licence", "updates"), rows, "15 50 20 15")
        )


class RecipesDirective(SphinxDirective):
    """Whether this build executed the recipes, and the list of them."""

    def run(self) -> list[nodes.Node]:
        from epicurves.notebooks.recipes import recipes

        config = self.env.config
        if config.epicurves_recipes_executed:
            lines = [
                ".. note::",
                "",
                "   These recipes were executed when the documentation was built, on the "
                f"sources' files, read from {config.epicurves_recipes_data}.",
            ]
        else:
            lines = [
                ".. note::",
                "",
                "   This build of the documentation did not execute the recipes (the upstream "
                "files were not at hand): they are shown without their outputs. Run them with "
                "``epicurves recipes --out recipes``.",
            ]
        lines.append("")
        rows = [(f":doc:`{r.name}`", _text(r.summary)) for r in recipes()]
        return _rst(self, lines + _table(("recipe", "what it shows"), rows, "30 70"))


def _resolves(dotted: str) -> bool:
    """Whether ``dotted`` imports: a module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except Exception:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


#: Short names the code's annotations use for modules, and the modules whose names annotations
#: use without their module (imported for type checking only).
_ALIASES = {"pd": "pandas", "np": "numpy", "npt": "numpy.typing"}
_ANNOTATION_MODULES = (
    "builtins", "typing", "collections.abc", "pathlib", "datetime", "pandas", "numpy",
    "bokeh.models", "rich.progress", "filelock", "requests",
)  # fmt: skip


def _exists(target: str, module: str | None, cls: str | None = None) -> bool:
    """Whether ``target`` names a Python object that exists: as written (with ``pd.`` for
    pandas), relative to ``module``, its class ``cls`` or a parent module, defined in a module
    of epicurves, or a name annotations use from :data:`_ANNOTATION_MODULES`."""
    name = target.lstrip("~.").split("[")[0]
    if not name:
        return False
    head, dot, rest = name.partition(".")
    if head in _ALIASES:
        name = _ALIASES[head] + dot + rest
    parts = module.split(".") if module else []
    candidates = [name]
    if cls:
        candidates.append(".".join([*parts, cls, name]))
    candidates += [".".join([*parts[:cut], name]) for cut in range(len(parts), 0, -1)]
    candidates += [f"{m}.{name}" for m in _ANNOTATION_MODULES]
    if any(_resolves(c) for c in candidates):
        return True
    first = name.split(".")[0]
    return any(
        hasattr(m, first)
        for n, m in list(sys.modules.items())
        if n.startswith("epicurves.") and m is not None
    )


def _unlinked(
    app: Sphinx, env: Any, node: Any, contnode: nodes.Node
) -> nodes.Node | None:
    """A Python reference to a name the docs do not document, but that exists: its text as
    code, no link (private names, other libraries: no ``objects.inv`` is fetched offline)."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if _exists(target, node.get("py:module"), node.get("py:class")):
        return contnode
    return None


def _mathml(latex: str, display: str) -> str:
    """``latex`` as MathML, which browsers draw themselves: no MathJax, nothing fetched."""
    from latex2mathml.converter import convert

    return convert(latex.strip(), display=display)


def _visit_inline_math(self: Any, node: nodes.Element) -> None:
    self.body.append(_mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def _visit_block_math(self: Any, node: nodes.Element) -> None:
    if node.get("label"):
        self.body.append(f'<span class="eqno">({node["number"]})</span>')
    # Focusable: a formula wider than a phone scrolls, and a keyboard must reach it.
    self.body.append(
        f'<div class="math" tabindex="0">{_mathml(node.astext(), "block")}</div>'
    )
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "mathml", (_visit_inline_math, None), (_visit_block_math, None)
    )
    app.add_config_value("epicurves_recipes_executed", False, "env")
    app.add_config_value("epicurves_recipes_data", "", "env")
    app.add_directive("epicurves-api-index", ApiIndexDirective)
    app.add_directive("epicurves-api", ApiDirective)
    app.add_directive("epicurves-settings", SettingsDirective)
    app.add_directive("epicurves-columns", ColumnsDirective)
    app.add_directive("epicurves-metrics", MetricsDirective)
    app.add_directive("epicurves-sources", SourcesDirective)
    app.add_directive("epicurves-recipes", RecipesDirective)
    app.connect("missing-reference", _unlinked, priority=900)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))
    return {"parallel_read_safe": True, "parallel_write_safe": True}


HERE = Path(__file__).parent

"""The charts' Bokeh layouts, by page kind: the region charts (:mod:`.region`), the
surveillance charts (:mod:`.signals`), the maps (:mod:`.maps`); :mod:`.common` has what they
share. Imported only where Bokeh is needed; this package's own module imports no Bokeh (the
data script of a chart made before, :func:`item_js`, needs none)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["item_js"]


def item_js(variable: str, item: Any) -> str:
    """A classic script assigning ``item`` (JSON) to ``variable`` (``window.X`` or an
    expression), which works from ``file://``; ``</`` is escaped, as JSON allows."""
    text = json.dumps(item, separators=(",", ":")).replace("</", "<\\/")
    return f"{variable} = {text};\n"

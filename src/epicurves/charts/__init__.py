"""The charts, one definition for Python and the browser: the spec, the views that compute what each chart shows, the Bokeh layouts, and drawing them in notebooks.

Imports go one way: :mod:`.spec` (every shared name and constant) <- :mod:`.views` (pure
functions: what each named source holds, the panels, titles and ranges; no Bokeh) <-
:mod:`.layouts` (the Bokeh figures, by page kind) <- :mod:`.draw` (:func:`plot_region`,
:func:`plot_signals`, importing Bokeh on the first plot). The page scripts read the spec as data
(:func:`.spec.browser_spec`) and prepare the same data as the views (static/chartdata.js).
"""

from __future__ import annotations

from .draw import plot_region, plot_signals

__all__ = ["plot_region", "plot_signals"]

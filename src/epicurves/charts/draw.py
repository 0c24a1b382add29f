"""A region page's charts drawn in Python: :func:`plot_region` and :func:`plot_signals` fill the site's own Bokeh figures from the views of :mod:`.views`.

Bokeh is imported on the first plot (:mod:`.layouts`), not with ``epicurves``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..lazy import pd
from .views import SignalView, one_signal_region, region_view, signal_views

if TYPE_CHECKING:
    from bokeh.models import Column

__all__ = ["plot_region", "plot_signals"]


def plot_region(
    metrics: pd.DataFrame,
    peers: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    signals: pd.DataFrame | None = None,
    scale: str = "linear",
    per: str | None = None,
    window: int | None = 365,
    population: float | None = None,
    name: str | None = None,
    provisional_days: int | None = None,
    pathogen: str | None = None,
    forecasts: pd.DataFrame | None = None,
) -> Column:
    """The charts of a region's page, drawn in Python: a Bokeh ``Column`` of figures.

    The figures are the site's own (:mod:`epicurves.charts.layouts`), filled here as the page's script
    fills them in the browser, by the same arithmetic: 7-day incidence coloured by level (the
    provisional last days dotted), daily cases and deaths with their centred 7-day mean (the
    provisional tail dashed), R and growth factor from cases and from deaths, doubling time,
    and the 7-day incidence of the region beside its ``peers``. Panels without data (deaths of
    a source that has none) are left out, as the page hides them. Show it with
    ``bokeh.plotting.show(layout)`` (after ``bokeh.io.output_notebook()`` in a notebook);
    ``bokeh.io.export_png(layout, filename="de.png")`` (or ``export_svg``) writes an image
    where selenium and a browser driver are installed.

    - ``metrics``: one region's rows of :func:`epicurves.load_metrics` (a frame with another
      number of regions, or one region from several sources, is a :class:`UsageError`).
      A ``name`` and a ``population`` column are used where present (merge
      :func:`epicurves.load_regions`); ``name=`` and ``population=`` override them (a
      ``population=`` also gives the incidence, so every panel uses the same). Without
      them the label is the region id and the population is recovered, exactly, from
      ``incidence_7d`` and ``new_cases_7d_sum`` (or the deaths' twins); it stays unknown for
      a region with no cases or no population, which is then plotted in counts.
    - ``peers``: other regions for the comparison chart, at most seven: a metrics frame of
      several regions (in order of appearance, labelled by ``name`` or region id; rows of the
      region itself are skipped), or a dict label -> one region's frame.
    - ``scale``: ``"linear"`` or ``"log"`` (values a log axis cannot show are gaps).
    - ``per``: ``"per100k"`` or ``"count"``; default per 100 000 where the population is known.
    - ``window``: days shown of the x range (the page offers 365, 84 and None for all); the
      y ranges fit the data in view, as the page's.
    - ``provisional_days``: the last days drawn as provisional; default
      :class:`epicurves.CoriOptions`' (what the site uses).
    - ``signals``: one region's rows of :func:`epicurves.load_signals`: the page's surveillance
      charts are appended (see :func:`plot_signals`; ``pathogen``, ``scale`` and ``per``
      apply).
    - ``forecasts``: forecasts in the hubs' format (:func:`epicurves.make_forecasts`): the
      region's forecast of weekly cases and deaths is drawn on the daily panels as a fan
      after the data (the median, the 50 % and 95 % intervals), as the daily mean of each
      forecast week (its weekly total / 7, a step per week), and those of US hospital
      admissions on the admissions chart (with ``signals``), at each week's end; of several
      models the ensemble, of several reference dates the newest.

    Each call builds new models. Where a notebook differs from the page: every panel shows at
    once (the page draws the lower ones after its first paint); only the shown twin of a
    linear/log pair is in the layout; log axes get fixed 1-2-5 ticks, the page's for the
    range set, continued beyond it (the page recomputes them on zoom); and values are at full
    precision (the site's data files round them to the decimals a page shows).

    >>> metrics = load_metrics(["DE"]).merge(load_regions(), on=["region_id", "source"])
    >>> layout = plot_region(metrics, load_metrics(["US"]), window=None)
    >>> type(layout).__name__, len(layout.children)
    ('Column', 5)
    """
    view = region_view(
        metrics, peers, scale=scale, per=per, window=window, population=population,
        name=name, provisional_days=provisional_days, forecasts=forecasts,
    )  # fmt: skip
    extra: list[SignalView] = []
    if signals is not None and not (
        isinstance(signals, pd.DataFrame) and signals.empty
    ):
        signal_region = one_signal_region(signals)
        if signal_region != view.region_id:
            msg = f"signals are of region {signal_region}, metrics of {view.region_id}"
            raise UsageError(msg)
        extra = signal_views(
            signals, pathogen=pathogen, scale=scale, per=per, forecasts=forecasts
        )
    from .layouts.region import (
        draw_region,  # Bokeh: on the first plot, not with epicurves
    )

    return draw_region(view, extra)


def plot_signals(
    signals: pd.DataFrame,
    *,
    pathogen: str | None = None,
    scale: str = "linear",
    per: str | None = None,
    forecasts: pd.DataFrame | None = None,
) -> Column:
    """The surveillance charts of a region's page (wastewater, hospitalisations, weekly
    deaths, SARI in Germany; hospital admissions and emergency-department visits in the US),
    drawn in Python: a Bokeh ``Column`` of figures, filled as the page's
    ``static/signals.js`` fills them.

    ``signals``: one region's rows of :func:`epicurves.load_signals` (another number of
    regions is a :class:`UsageError`). Each chart of
    :data:`epicurves.charts.spec.SIGNAL_CHARTS` with data is drawn:
    the wastewater of one ``pathogen`` (default SARS-CoV-2 where measured, else the first by
    name; the page's select), measured and smoothed with its interval, on a ``scale`` of
    ``"linear"`` or ``"log"``; hospitalisations fixed, updated and nowcast with its band; and
    one line per age group (all ages first, at most eight) for the charts by age; one line per
    disease (COVID-19, influenza; and RSV for ECDC's SARI positivity) for the charts by
    disease, their newest weeks dashed as provisional
    (:attr:`epicurves.sources.Signal.provisional_weeks`), the admissions ``per``
    ``"per100k"`` (default) or ``"count"`` and on either ``scale``. ECDC's rate charts (ILI,
    ARI, SARI) end their title with the region's unit and shade their provisional weeks.
    Values are at full precision (the site's files keep three significant digits). Show or
    export it as :func:`plot_region`'s layout. ``forecasts`` in the hubs' format
    (:func:`epicurves.make_forecasts`) of US hospital admissions are drawn as fans after the
    admissions chart's lines, in its units (per 100 000 by the ratio of the region's rates to
    its counts).

    >>> layout = plot_signals(load_signals(["DE"]), pathogen="Influenza A", scale="log")
    >>> type(layout).__name__, len(layout.children)  # RKI's five charts and ECDC's three
    ('Column', 8)
    """
    views = signal_views(
        signals, pathogen=pathogen, scale=scale, per=per, forecasts=forecasts
    )
    from .layouts.signals import draw_signals  # Bokeh: on the first plot

    return draw_signals(views)

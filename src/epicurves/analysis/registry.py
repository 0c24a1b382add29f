"""The registry of metrics: every column :func:`~epicurves.compute_metrics` adds, with its label, unit, decimals and place in the export and on the site.

Everything that lists metrics reads this registry: :data:`METRIC_COLUMNS` (the columns, in the
order :func:`~epicurves.compute_metrics` gives them), the export's columns
(:data:`epicurves.EXPORT_COLUMNS`), the series the site stores per region and the columns
the region charts read. Adding a metric is one entry here plus its formula in
:mod:`.metrics`. The formulas themselves are documented there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHART_METRICS",
    "COMPARE_METRICS",
    "DOWNLOAD_METRICS",
    "EXPORT_METRICS",
    "METRICS",
    "METRIC_COLUMNS",
    "SITE_METRICS",
    "UNITS",
    "Metric",
    "metric",
]

#: What a metric's values are: ``count`` of people (a day's or a week's; can be shown per
#: 100,000), ``rate`` (already per 100,000 people), ``ratio`` (no unit), ``percent``,
#: ``days``, ``per day`` (a rate of growth), ``flag`` (true or false).
UNITS = ("count", "rate", "ratio", "percent", "days", "per day", "flag")


@dataclass(frozen=True)
class Metric:
    """One metric: what it is called and how it is read, shown and exported.

    >>> r_cori = next(m for m in METRICS if m.name == "r_cori")
    >>> r_cori.label, r_cori.unit, r_cori.decimals
    ('R (Cori)', 'ratio', 2)
    """

    name: str
    """The column name (a contract: never renamed)."""
    label: str
    """A short label for people (charts, tables)."""
    unit: str
    """One of :data:`UNITS`."""
    decimals: int | None
    """The decimals a page shows (and the site's data keep); None: whole numbers."""
    export: int
    """Its place among the export's metric columns (0: first)."""
    site: int | None = None
    """Its place among the series of a region's data script on the site (None: not stored
    there; the site's tables and charts do not need it)."""
    chart: bool = False
    """Read by the region charts (:func:`epicurves.plot_region`, the page's script)."""
    compare: int | None = None
    """Its place in the compare page's choice of metric (None: not offered there)."""
    download: int | None = None
    """Its place among the columns of a region page's CSV download, after the daily counts
    (None: not in it)."""
    as_count: str | None = None
    """For a rate: its label when shown as a count (compare's "in counts")."""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            msg = f"metric {self.name}: unit {self.unit!r} is not one of {', '.join(UNITS)}"
            raise ValueError(msg)


#: Every metric, in the order :func:`~epicurves.compute_metrics` adds the columns.
#:
#: >>> [(m.name, m.unit) for m in METRICS[:2]]
#: [('new_cases_7d_sum', 'count'), ('new_deaths_7d_sum', 'count')]
#: >>> {m.name: m.label for m in METRICS}["incidence_7d"]
#: '7-day incidence'
METRICS: tuple[Metric, ...] = (
    Metric("new_cases_7d_sum", "New cases in 7 days", "count", None, 7, chart=True),
    Metric("new_deaths_7d_sum", "New deaths in 7 days", "count", None, 8),
    Metric("new_cases_7d_mean", "Daily new cases, 7-day mean", "count", 1, 9, site=2, chart=True, compare=2, download=0),
    Metric("new_deaths_7d_mean", "Daily new deaths, 7-day mean", "count", 1, 10, site=3, chart=True, compare=3, download=1),
    Metric("new_cases_7d_mean_centred", "Daily new cases, centred 7-day mean", "count", 1, 11, chart=True, download=2),
    Metric("new_deaths_7d_mean_centred", "Daily new deaths, centred 7-day mean", "count", 1, 12, chart=True, download=3),
    Metric("incidence_7d", "7-day incidence", "rate", 1, 0, site=4, chart=True, compare=0, download=4, as_count="Cases in 7 days"),
    Metric("deaths_7d_per_100k", "Deaths in 7 days", "rate", 2, 13, site=5, compare=1, download=5, as_count="Deaths in 7 days"),
    Metric("week_change_pct", "Week-on-week change", "percent", 0, 6),
    Metric("growth_factor_7d", "Growth factor", "ratio", 2, 14, site=11, chart=True, download=11),
    Metric("growth_rate_per_day", "Growth rate", "per day", 3, 15),
    Metric("doubling_time_days", "Doubling time", "days", 1, 5, site=13, chart=True, download=13),
    Metric("r_rki", "R (RKI method)", "ratio", 2, 1, site=6, chart=True, compare=5, download=6),
    Metric("r_cori", "R (Cori)", "ratio", 2, 2, site=7, chart=True, compare=4, download=7),
    Metric("r_cori_lo", "R (Cori), lower 95 % bound", "ratio", 2, 3, site=8, chart=True, download=8),
    Metric("r_cori_hi", "R (Cori), upper 95 % bound", "ratio", 2, 4, site=9, chart=True, download=9),
    Metric("r_cori_provisional", "R (Cori) is provisional", "flag", None, 16),
    Metric("cfr_pct", "Case fatality ratio", "percent", 2, 17),
    Metric("deaths_growth_factor_7d", "Growth factor of deaths", "ratio", 2, 18, site=12, chart=True, download=12),
    Metric("deaths_doubling_time_days", "Doubling time of deaths", "days", 1, 19, site=14, chart=True, download=14),
    Metric("deaths_r_rki", "R from deaths (RKI method)", "ratio", 2, 20, site=10, chart=True, download=10),
)  # fmt: skip

#: The metric columns, in the order :func:`~epicurves.compute_metrics` adds them.
#:
#: >>> METRIC_COLUMNS[:3]
#: ('new_cases_7d_sum', 'new_deaths_7d_sum', 'new_cases_7d_mean')
#: >>> metrics = load_metrics(["DE"])
#: >>> metrics.columns[-len(METRIC_COLUMNS) :].tolist() == list(METRIC_COLUMNS)
#: True
METRIC_COLUMNS: tuple[str, ...] = tuple(m.name for m in METRICS)
#: The metrics in the order of the export's columns (after the observations' columns).
EXPORT_METRICS: tuple[Metric, ...] = tuple(sorted(METRICS, key=lambda m: m.export))
#: The metrics a region's data script on the site holds, in its order (places 0 and 1 are the
#: daily counts ``new_cases`` and ``new_deaths``).
SITE_METRICS: tuple[Metric, ...] = tuple(
    sorted((m for m in METRICS if m.site is not None), key=lambda m: m.site or 0)
)
#: The metrics the region charts read.
CHART_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if m.chart)
#: The metrics of a region page's CSV download, in its order (after the daily counts).
DOWNLOAD_METRICS: tuple[Metric, ...] = tuple(
    sorted(
        (m for m in METRICS if m.download is not None), key=lambda m: m.download or 0
    )
)
#: The metrics the compare page offers, in its order.
COMPARE_METRICS: tuple[Metric, ...] = tuple(
    sorted((m for m in METRICS if m.compare is not None), key=lambda m: m.compare or 0)
)


def metric(name: str) -> Metric:
    """The metric called ``name``; the error lists the names.

    >>> metric("incidence_7d").label, metric("r_cori").unit
    ('7-day incidence', 'ratio')
    """
    for item in METRICS:
        if item.name == name:
            return item
    msg = f"unknown metric {name!r}: expected one of {', '.join(METRIC_COLUMNS)}"
    raise KeyError(msg)


def _check() -> None:
    """Each name, export place and site place once (sites from 2: after the daily counts)."""
    names = [m.name for m in METRICS]
    exports = sorted(m.export for m in METRICS)
    sites = sorted(m.site for m in METRICS if m.site is not None)
    if len(set(names)) != len(names) or exports != list(range(len(METRICS))):
        msg = "the metric registry needs each name and export place once"
        raise ValueError(msg)
    if sites != list(range(2, 2 + len(sites))):
        msg = "the metric registry needs each site place once, from 2"
        raise ValueError(msg)
    for field in ("compare", "download"):
        places = sorted(
            getattr(m, field) for m in METRICS if getattr(m, field) is not None
        )
        if places != list(range(len(places))):
            msg = f"the metric registry needs each {field} place once, from 0"
            raise ValueError(msg)


_check()

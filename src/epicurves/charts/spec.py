"""The charts' one definition: every name, colour, list, title and number format that Python and the page scripts share.

Python reads this module (the views in :mod:`.views`, the Bokeh layouts in :mod:`.layouts`); the
page scripts read the same values as data: the build writes :func:`browser_spec` once into the
site as a classic data script (``static/spec-<hash>.js``, ``self.EPICURVES_SPEC``), loaded before
them, so that it works from ``file://`` and under ``script-src 'self'``. No page script holds a
name, colour, list or format that is defined here (a test searches them for these values).

Adding a surveillance chart whose lines are drawn like an existing kind's (an estimate each, or
an age group each) is one entry in :data:`SIGNAL_CHARTS` and its columns in
:data:`SIGNAL_FIGURES`: the views, the layouts, the site and the page scripts read both from
here (``tests/charts/test_views_js.py::test_a_new_signal_chart_is_one_entry_in_the_spec``). A
region panel is an entry in :data:`FIGURES` and :data:`SOURCES_OF_REGION`, its view in
:mod:`.views.region`, its figure in :mod:`.layouts.region`, and its preparation in
``static/chartdata.js``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..analysis.metrics import MIN_R_CASES
from ..analysis.registry import COMPARE_METRICS, DOWNLOAD_METRICS, SITE_METRICS
from ..sources import SOURCES
from . import fans

__all__ = [
    "AGE_LINES",
    "ALL_AGES",
    "CHART_DOCS",
    "COLOURS",
    "COMPARE_COLOURS",
    "COMPARE_LINES",
    "DAILY_PANELS",
    "DAILY_SERIES",
    "DATE_FORMAT",
    "DAY_MS",
    "DEFAULT_WINDOW",
    "DERIVED",
    "DISEASES",
    "ERVISS_DISEASES",
    "FIGURES",
    "FIRST_FIGURES",
    "INCIDENCE",
    "LATER_FIGURES",
    "LEVEL_COLOURS",
    "LOG_SUFFIX",
    "MAP_NO_DATA",
    "MAP_SOURCE",
    "METRIC_SOURCES",
    "NAMES",
    "NEUTRAL_COLOUR",
    "PANEL_TITLES",
    "PEER_COLOURS",
    "PER_SUFFIX",
    "PROVISIONAL_LABEL",
    "PROVISIONAL_SPAN",
    "SHORT_NUMBER",
    "SIGNAL_CHARTS",
    "SIGNAL_FIGURES",
    "SOURCES_OF_REGION",
    "US_DISEASES",
    "WINDOWS",
    "SignalChart",
    "browser_spec",
    "browser_spec_js",
    "disease_columns",
    "provisional_span",
    "provisional_weeks",
    "signal_model",
    "signal_title",
]

#: One day in milliseconds: the charts' x values are dates as ms since the epoch, UTC.
DAY_MS = 86_400_000.0
#: The time windows a region page and compare offer: days shown (None: all).
WINDOWS: dict[str, int | None] = {"all": None, "365": 365, "84": 84}
#: The window a region page opens with (compare opens with all).
DEFAULT_WINDOW = "365"
#: Lines the comparison chart can show: the region itself (``cmp_0``) and seven peers.
COMPARE_LINES = 8
#: Lines a chart by age group can show (``g0``, ``g1``, ...), labelled by the page.
AGE_LINES = 8

# -- colours ---------------------------------------------------------------------------------
#: Incidence levels (per 100 000, 7 days) and their colours, interpolated in between
#: (OSCOVIDA's green -> gold -> red -> maroon).
LEVEL_COLOURS: tuple[tuple[float, str], ...] = (
    (0.0, "#2e8b57"),
    (50.0, "#9a7300"),
    (100.0, "#d62728"),
    (200.0, "#800000"),
)
#: The colour of an incidence segment without a level (no population).
NEUTRAL_COLOUR = "#1f77b4"
#: The colours of the lines and glyphs, by what they show.
COLOURS: dict[str, str] = {
    "cases": "#1f77b4",
    "deaths": "#d62728",
    "r": "#2ca02c",
    "cori": "#9467bd",
    "smoothed": "#b85c00",
    "one": "#555555",
    "background": "#fbfbfb",
}
#: Line colours of the comparison chart and of the charts by age group: the region (all
#: ages) in near-black, then the others (Tableau).
PEER_COLOURS: tuple[str, ...] = (
    "#111111", "#1f77b4", "#b85c00", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#b5338a",
)  # fmt: skip
#: Line colours of the compare page: every one of contrast at least 3:1 with the chart's
#: background (WCAG AA).
COMPARE_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#b85c00", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#b5338a", "#7f7f7f", "#6b6b00", "#0b7f8c",
)  # fmt: skip
#: A map's region before the page colours it, and one without data on the date.
MAP_NO_DATA = "#8c8c8c"

# -- number and date formats -------------------------------------------------------------------
#: Short y labels: 2.5k, 1.2m, 0.0004 (a phone has room for about five characters), by Bokeh's
#: own formatter: no code compiled in the browser, so the site runs under script-src 'self'.
SHORT_NUMBER = "0.[0000]a"
#: A date in the hover tooltips.
DATE_FORMAT = "@x{%a %d %b %Y}"

# -- model names -----------------------------------------------------------------------------
#: Names of the models the page scripts look up, besides the figures and the sources: the
#: region charts' shared x range, the comparison lines' sources (``cmp_0`` ...) and legend, a
#: log axis's ticker (``ticks_<figure>``); a surveillance chart's models are
#: ``<prefix><chart>`` (``src_wastewater``, ``fig_wastewater``, ``fig_wastewater_log``, ...);
#: a map's source is ``map``.
NAMES: dict[str, str] = {
    "x": "x",
    "compareSource": "cmp_",
    "compareLegend": "cmp_legend",
    "ticks": "ticks_",
    "source": "src_",
    "figure": "fig_",
    "xRange": "x_",
    "yRange": "y_",
    "legend": "legend_",
    "hover": "hover_",
    "log": "_log",
    "map": "map",
    "charts": "charts",
    "more": "later",
    "provisional": "prov_",
    "fan": "fc_",
}


def signal_model(kind: str, chart: str, *, log: bool = False) -> str:
    """The name of a surveillance chart's model of ``kind`` (a key of :data:`NAMES`:
    ``source``, ``figure``, ``xRange``, ...), of its log twin with ``log``.

    >>> signal_model("figure", "wastewater", log=True), signal_model("source", "sari")
    ('fig_wastewater_log', 'src_sari')
    """
    return NAMES[kind] + chart + (NAMES["log"] if log else "")


# -- the region charts -------------------------------------------------------------------------
#: Every named source of the region charts and its columns (``x``: dates as ms since the
#: epoch, UTC); the comparison lines ``cmp_0`` ... are filled apart.
SOURCES_OF_REGION: dict[str, tuple[str, ...]] = {
    "inc": ("x", "y", "inc", "s7"),
    "inc_seg": ("x0", "y0", "x1", "y1", "c"),
    "inc_seg_prov": ("x0", "y0", "x1", "y1", "c"),
    "inc_last": ("x", "y", "c", "text"),
    "cases": ("x", "y", "n", "p", "m", "flag"),
    "cases_avg": ("x", "y"),
    "cases_avg_prov": ("x", "y"),
    "deaths": ("x", "y", "n", "p", "m", "flag"),
    "deaths_avg": ("x", "y"),
    "deaths_avg_prov": ("x", "y"),
    "r_cases": ("x", "r_rki", "r_cori", "lo", "hi", "gf"),
    "r_deaths": ("x", "r_rki", "gf"),
    "doubling": ("x", "cases", "deaths"),
    "fc_cases": fans.FAN_COLUMNS,
    "fc_deaths": fans.FAN_COLUMNS,
    **{
        f"{NAMES['compareSource']}{i}": ("x", "y", "name") for i in range(COMPARE_LINES)
    },
}
#: Every named figure of the region charts, in page order (``y_<name without fig_>`` is its
#: y range); the first three exist twice, linear and log (Bokeh cannot change an axis type).
FIGURES: tuple[str, ...] = (
    "fig_inc_lin", "fig_inc_log", "fig_cases_lin", "fig_cases_log", "fig_deaths_lin",
    "fig_deaths_log", "fig_r_cases", "fig_r_deaths", "fig_doubling", "fig_compare",
)  # fmt: skip
#: The first root of the page's charts: what a phone's first screen shows, drawn first.
FIRST_FIGURES: tuple[str, ...] = ("fig_inc_lin", "fig_inc_log")
#: The figures of the second root (``NAMES["more"]``), built once the first are on screen.
LATER_FIGURES: tuple[str, ...] = tuple(f for f in FIGURES if f not in FIRST_FIGURES)
#: The titles of the panels whose units change: (per 100 000, in counts).
PANEL_TITLES: dict[str, tuple[str, str]] = {
    "inc": ("7-day incidence per 100 000", "Cases in the last 7 days"),
    "cases": ("Daily new cases per 100 000", "Daily new cases"),
    "deaths": ("Daily new deaths per 100 000", "Daily new deaths"),
}
#: Where the documentation explains the region charts, in page order: (the chart, its section
#: relative to the documentation's address). The docs' build checks that each section exists.
CHART_DOCS: tuple[tuple[str, str], ...] = (
    ("7-day incidence", "guides/analysis.html#analysis-incidence"),
    ("daily cases and deaths", "guides/analysis.html#analysis-daily"),
    ("R", "guides/analysis.html#analysis-r"),
    ("growth factor", "guides/analysis.html#analysis-growth"),
    ("doubling time", "guides/analysis.html#analysis-doubling"),
    ("comparison", "guides/analysis.html#analysis-compare"),
)
#: What a log twin's title adds.
LOG_SUFFIX = " (log scale)"
#: What the title of a count shown per 100 000 people adds.
PER_SUFFIX = " per 100 000"
#: The panels of daily counts and their series: the daily count, its trailing and its centred
#: 7-day mean.
DAILY_PANELS: dict[str, dict[str, str]] = {
    panel: {"daily": f"new_{panel}", "mean": f"new_{panel}_7d_mean",
            "centred": f"new_{panel}_7d_mean_centred"}
    for panel in ("cases", "deaths")
}  # fmt: skip
#: The daily counts of a region's data: what the pages show first, and derive some series from.
DAILY_SERIES = tuple(p["daily"] for p in DAILY_PANELS.values())
#: The 7-day incidence: the first panel, the comparison lines, the maps.
INCIDENCE = "incidence_7d"
#: The sources whose columns each hold one metric, as the page fills them: source -> column
#: -> metric.
METRIC_SOURCES: dict[str, dict[str, str]] = {
    "r_cases": {"r_rki": "r_rki", "r_cori": "r_cori", "lo": "r_cori_lo", "hi": "r_cori_hi",
                "gf": "growth_factor_7d"},
    "r_deaths": {"r_rki": "deaths_r_rki", "gf": "deaths_growth_factor_7d"},
    "doubling": {"cases": "doubling_time_days", "deaths": "deaths_doubling_time_days"},
}  # fmt: skip
#: Series the browser computes from the daily counts rather than read them (a region's data
#: script leaves them out where they are exactly so): (daily series, the later 7-day sum's
#: offset in days, the earlier one's, the least the earlier sum must be); an earlier offset of
#: 0 means the 7-day mean, a least of None no least. See :mod:`epicurves.analysis.metrics`
#: for the formulas.
DERIVED: dict[str, tuple[str, int, int, float | None]] = {
    "new_cases_7d_mean": ("new_cases", 0, 0, None),
    "new_deaths_7d_mean": ("new_deaths", 0, 0, None),
    "growth_factor_7d": ("new_cases", 0, 7, None),
    "deaths_growth_factor_7d": ("new_deaths", 0, 7, None),
    "r_rki": ("new_cases", -1, 3, float(MIN_R_CASES)),
    "deaths_r_rki": ("new_deaths", -1, 3, float(MIN_R_CASES)),
}

# -- the maps ------------------------------------------------------------------------------------
#: Columns of a map's named source ``map`` (``xs``/``ys``: Bokeh ``multi_polygons`` nesting);
#: the page fills ``colour``, ``value``, ``note`` and ``href`` for the date it shows.
MAP_SOURCE = ("id", "name", "xs", "ys", "colour", "value", "note", "href")

# -- the surveillance charts -------------------------------------------------------------------
#: The age group of all ages, as every source's signals spell it.
ALL_AGES = "00+"
#: The diseases of the pathogens a chart draws a line each of (``lines="disease"``), as the
#: pages name them; a line's colour is the :data:`PEER_COLOURS` after the first, in this order.
DISEASES: dict[str, str] = {
    "SARS-CoV-2": "COVID-19", "Influenza": "influenza", "RSV": "RSV",
}  # fmt: skip
#: The diseases of the US charts (CDC's two hubs) and of ECDC's SARI positivity.
US_DISEASES: tuple[str, ...] = ("SARS-CoV-2", "Influenza")
ERVISS_DISEASES: tuple[str, ...] = ("SARS-CoV-2", "Influenza", "RSV")
#: The legend entry of the newest weeks of a series, drawn dashed: still revised upward.
PROVISIONAL_LABEL = "provisional (still being revised)"


def disease_columns(lines: int) -> tuple[str, ...]:
    """The source columns of a chart with a line per disease: ``v<i>`` every value (the
    hover), ``s<i>`` the settled weeks (solid), ``p<i>`` the provisional ones from the last
    settled week on (dashed).

    >>> disease_columns(1)
    ('x', 'v0', 's0', 'p0')
    """
    return ("x", *(f"{k}{i}" for i in range(lines) for k in ("v", "s", "p")))


#: Each surveillance chart's source columns.
SIGNAL_FIGURES: dict[str, tuple[str, ...]] = {
    "wastewater": ("x", "measured", "smoothed", "lo", "hi"),
    "hospitalisation": ("x", "fixed", "updated", "nowcast", "lo", "hi"),
    "hospitalisation_2020": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "deaths_weekly": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "sari": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "admissions": disease_columns(len(US_DISEASES)),
    "ed_share": disease_columns(len(US_DISEASES)),
    "ili": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "ari": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "sari_rate": ("x", *(f"g{i}" for i in range(AGE_LINES))),
    "positivity": disease_columns(len(ERVISS_DISEASES)),
}
#: The columns of the shaded span of a chart by age group's provisional weeks (its source
#: ``prov_<figure>``: one row, or none).
PROVISIONAL_SPAN: tuple[str, ...] = ("left", "right", "bottom", "top")


@dataclass(frozen=True)
class SignalChart:
    """One chart of the surveillance section."""

    anchor: str
    """Its id on the page (``#sig-...``), which the home page links to."""
    signal: str
    estimates: tuple[str, ...]
    """The estimates drawn (the first one is the main line)."""
    figure: str
    """Its figure in :data:`SIGNAL_FIGURES`."""
    lines: str
    """What its lines are: ``estimate`` (one line each), ``pathogen`` (a select picks one;
    estimates as lines), ``age_group`` (one line each) or ``disease`` (one line for each
    of :attr:`pathogens`, its provisional weeks dashed)."""
    digits: int | None = 3
    """Significant digits kept; ``None``: whole numbers (counts)."""
    note: str = ""
    """What the page adds to the signal's own description."""
    pathogens: tuple[str, ...] = ()
    """A chart by disease: the pathogens of its lines, in order (keys of :data:`DISEASES`)."""
    counts: str = ""
    """The same signal in counts, which the chart's "per 100 000 / counts" select shows
    (``signal`` is then the one per 100 000, shown first); ``""``: no select."""
    log_scale: bool = False
    """Whether it has a log twin besides a chart by pathogen (which always has one)."""
    percent: bool = False
    """Whether its values are 0-1 shares, shown as percentages."""
    map: str = ""
    """The site's map of the same numbers for every region (its folder under ``maps/``),
    which the chart links to; ``""``: none."""
    ages: tuple[str, ...] = ()
    """The age groups it draws (``()``: every one the region has)."""
    revised_upward: bool = False
    """Whether its provisional weeks are mostly revised upward (CDC's admissions and ED
    shares: late reports), as its text alternative says."""
    map_label: str = "All states on a map"
    """The text of its link to :attr:`map`."""
    unit_title: bool = False
    """Whether its title ends with the unit of the region's values, which differs by region
    (ECDC's consultation rates: per 100 000 people, per 100 or per 100 000 consultations)."""
    hover: str = "{0,0.[00]}"
    """The Bokeh number format of its values in the tooltips."""

    @property
    def log(self) -> bool:
        """Whether it has a log twin (the chart of one pathogen's wastewater, and those that
        ask for one)."""
        return self.lines == "pathogen" or self.log_scale

    @property
    def diseases(self) -> tuple[str, ...]:
        """The names of its lines of a chart by disease (``COVID-19``, ``influenza``)."""
        return tuple(DISEASES.get(p, p) for p in self.pathogens)

    @property
    def docs(self) -> str:
        """Where the documentation explains it, relative to the documentation's address.

        >>> SignalChart("sig-sari", "sari", ("measured",), "sari", "age_group").docs
        'guides/signals.html#signal-sari'
        """
        return f"guides/signals.html#signal-{self.signal}"

    @property
    def title(self) -> str:
        """Its title: its signal's, as the source declares it (:func:`signal_title`); a chart
        by disease names its diseases first.

        >>> SignalChart("a", "ed-share", ("measured",), "ed_share", "disease",
        ...             pathogens=("SARS-CoV-2", "Influenza")).title
        'COVID-19 and influenza: share of emergency-department visits'
        """
        return self._titled(self.signal)

    @property
    def count_title(self) -> str:
        """Its title when it shows :attr:`counts` (its :attr:`title` without them)."""
        return self._titled(self.counts) if self.counts else self.title

    def _titled(self, signal: str) -> str:
        title = signal_title(signal)
        if not self.pathogens:
            return title
        names = self.diseases
        listed = (
            names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        )
        acronym = title[1:2].isupper()  # SARI, ILI: not lowercased
        return f"{listed}: {title if acronym else title[:1].lower() + title[1:]}"


_EUROPE_MAP = "Every reporting country on a map (those with rates per 100 000 people)"
#: What the page adds to ECDC's rate charts (ERVISS).
_ERVISS_NOTE = (
    "One line per age group, all ages first. Values flagged as outliers are not drawn "
    "(`epicurves signals` gives them, with estimate outlier). The unit is the country's own: "
    "rates of different units are not comparable."
)

SIGNAL_CHARTS: tuple[SignalChart, ...] = (
    SignalChart(
        "sig-wastewater", "wastewater", ("measured", "smoothed"), "wastewater",
        "pathogen",
        note="Points: the weekly measurements; line and band: RKI's smoothed curve with its "
        "interval. Choose the pathogen; the log scale shows rises of different size alike.",
    ),
    SignalChart(
        "sig-hospitalisation", "hospitalisation", ("fixed", "updated", "nowcast"),
        "hospitalisation", "estimate",
        note="Fixed: the value as first published for each day; updated: with the late "
        "reports since; nowcast: RKI's estimate of the final value, with its 95 % interval.",
    ),
    SignalChart(
        "sig-hospitalisation-2020", "hospitalisation-2020", ("updated",),
        "hospitalisation_2020", "age_group", digits=2,
        note="The series RKI published from 2020 to 2022, by age group; it is not joined to "
        "the current one, whose method differs.",
    ),
    SignalChart(
        "sig-deaths-weekly", "deaths-weekly", ("measured",), "deaths_weekly",
        "age_group", digits=None,
    ),
    SignalChart("sig-sari", "sari", ("measured",), "sari", "age_group"),
    SignalChart(
        "sig-admissions", "admissions-rate", ("measured",), "admissions", "disease",
        pathogens=US_DISEASES, counts="admissions", log_scale=True, revised_upward=True,
        map="us-admissions",
        note="One line per disease: COVID-19 (CDC's COVID-19 hub) and influenza "
        "(FluSight), each to its own latest week. The newest weeks of each line are dashed: "
        "provisional, still being revised (mostly upward). Choose per 100 000 or counts.",
    ),
    SignalChart(
        "sig-ed-share", "ed-share", ("measured",), "ed_share", "disease",
        pathogens=US_DISEASES, percent=True, revised_upward=True,
        note="One line per disease: COVID-19 and influenza, in percent of all "
        "emergency-department visits. The newest week of each line is dashed: provisional, "
        "still being revised.",
    ),
    SignalChart(
        "sig-ili", "ili-rate", ("measured",), "ili", "age_group", unit_title=True,
        map="europe", map_label=_EUROPE_MAP, note=_ERVISS_NOTE,
    ),
    SignalChart(
        "sig-ari", "ari-rate", ("measured",), "ari", "age_group", unit_title=True,
        map="europe", map_label=_EUROPE_MAP, note=_ERVISS_NOTE,
    ),
    SignalChart(
        "sig-sari-rate", "sari-rate", ("measured",), "sari_rate", "age_group",
        unit_title=True, ages=(ALL_AGES,),
        note="All ages (`epicurves signals` gives the age groups); the shaded weeks at the "
        "end are provisional, still being revised, counted from the newest week any "
        "country reported.",
    ),
    SignalChart(
        "sig-sari-positivity", "sari-positivity", ("measured",), "positivity", "disease",
        pathogens=ERVISS_DISEASES, hover="{0,0.[0]}",
        note="One line per pathogen: the share of the SARI patients tested who were "
        "positive, in percent. The newest weeks are dashed: provisional, still being revised.",
    ),
)  # fmt: skip
"""The surveillance charts, in page order: the one registry the site, its page script (through
the page's configuration) and :func:`epicurves.plot_signals` read."""


def signal_title(signal: str) -> str:
    """The title of ``signal`` as the source that declares it gives it (the name, if none does).

    >>> signal_title("deaths-weekly")
    'COVID-19 deaths per week'
    """
    for source in SOURCES.values():
        declared = source.signal(signal)
        if declared is not None:
            return declared.title
    return signal


def provisional_weeks(chart: SignalChart) -> dict[str, int]:
    """The provisional newest weeks of each line of a chart by disease, by pathogen: the most
    any source declares for its signals (:attr:`~epicurves.sources.Signal.provisional_weeks`).

    >>> provisional_weeks(next(c for c in SIGNAL_CHARTS if c.anchor == "sig-ed-share"))
    {'SARS-CoV-2': 1, 'Influenza': 1}
    """
    out = {}
    for pathogen in chart.pathogens:
        weeks = [
            declared.provisional_weeks
            for source in SOURCES.values()
            for name in (chart.signal, chart.counts)
            if name and (declared := source.signal(name)) is not None
            and pathogen in declared.pathogens
        ]  # fmt: skip
        out[pathogen] = max(weeks, default=0)
    return out


def provisional_span(chart: SignalChart) -> int:
    """The provisional newest weeks of a chart by age group (or by estimate), shaded on the
    chart: the most any source declares for its signal.

    >>> sari = next(c for c in SIGNAL_CHARTS if c.anchor == "sig-sari-rate")
    >>> provisional_span(SIGNAL_CHARTS[0]), provisional_span(sari) > 0
    (0, True)
    """
    if chart.pathogens:
        return 0
    return max(
        (
            declared.provisional_weeks
            for source in SOURCES.values()
            if (declared := source.signal(chart.signal)) is not None
        ),
        default=0,
    )


def _chart_json(chart: SignalChart) -> dict[str, Any]:
    """A surveillance chart as the page scripts read it: its fields and what they derive."""
    return asdict(chart) | {
        "fans": {
            str(i): t for i, t in fans.fan_lines(chart.anchor, chart.pathogens).items()
        },
        "log": chart.log,
        "title": chart.title,
        "countTitle": chart.count_title,
        "diseases": list(chart.diseases),
        "provisional": provisional_weeks(chart),
        "provisionalSpan": provisional_span(chart),
    }


def browser_spec() -> dict[str, Any]:
    """Everything the page scripts read from the spec, JSON-ready.

    >>> spec = browser_spec()
    >>> spec["compareLines"], spec["levels"][1], spec["metrics"]["incidence_7d"]["unit"]
    (8, [50.0, '#9a7300'], 'rate')
    """
    metrics = {
        m.name: {"label": m.label, "unit": m.unit, "asCount": m.as_count}
        for m in (*SITE_METRICS, *DOWNLOAD_METRICS)
    }
    return {
        "day": DAY_MS,
        "windows": WINDOWS,
        "defaultWindow": DEFAULT_WINDOW,
        "names": NAMES,
        "compareLines": COMPARE_LINES,
        "ageLines": AGE_LINES,
        "levels": [[level, colour] for level, colour in LEVEL_COLOURS],
        "neutral": NEUTRAL_COLOUR,
        "colours": COLOURS,
        "peerColours": list(PEER_COLOURS),
        "compareColours": list(COMPARE_COLOURS),
        "mapNoData": MAP_NO_DATA,
        "shortNumber": SHORT_NUMBER,
        "dateFormat": DATE_FORMAT,
        "sources": {
            k: list(v)
            for k, v in SOURCES_OF_REGION.items()
            if not k.startswith(NAMES["compareSource"])
        },
        "figures": list(FIGURES),
        "panelTitles": {k: list(v) for k, v in PANEL_TITLES.items()},
        "logSuffix": LOG_SUFFIX,
        "perSuffix": PER_SUFFIX,
        "daily": DAILY_PANELS,
        "incidence": INCIDENCE,
        "metricSources": METRIC_SOURCES,
        "derived": {k: [d, a, b, least] for k, (d, a, b, least) in DERIVED.items()},
        "download": [*DAILY_SERIES, *(m.name for m in DOWNLOAD_METRICS)],
        "metrics": metrics,
        "compare": [m.name for m in COMPARE_METRICS],
        "signalFigures": {k: list(v) for k, v in SIGNAL_FIGURES.items()},
        "signalCharts": [_chart_json(c) for c in SIGNAL_CHARTS],
        "provisionalLabel": PROVISIONAL_LABEL,
        "provisionalSpan": list(PROVISIONAL_SPAN),
        "allAges": ALL_AGES,
        "fan": fans.browser_fan(),
    }


def browser_spec_js() -> str:
    """The data script that gives the page scripts the spec: ``self.EPICURVES_SPEC = {...};``."""
    text = json.dumps(browser_spec(), separators=(",", ":"), ensure_ascii=True)
    text = text.replace("</", "<\\/")  # "</" would end an inline <script>
    return f"self.EPICURVES_SPEC={text};\n"

"""Page contexts: data in, plain dicts out, for the templates. No files, no rendering.

Every text that comes from upstream (region names) stays a plain string here; the templates
escape it (Jinja2 autoescape), and data for scripts goes through ``tojson``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from ..formatting import fmt_int, fmt_num
from ..formatting import is_missing as _missing
from ..lazy import np, pd

__all__ = [
    "BINDER",
    "CSP",
    "KIND_LABELS",
    "NAV",
    "binder_url",
    "incidence_table",
    "region_href",
    "sparkline",
    "summary_table",
]

#: The site's Content-Security-Policy: every script is a file of the site itself (no inline
#: script, nothing compiled with eval or new Function), data come in data scripts or in
#: ``<script type="application/json">``. Pages carry it as a ``<meta>`` (static hosts, and
#: ``file://``); ``epicurves serve`` also sends it as a header, with ``frame-ancestors``,
#: which a ``<meta>`` cannot carry.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)

NAV: tuple[tuple[str, str], ...] = (
    ("Home", "index.html"),
    ("All regions", "regions/index.html"),
    ("Countries", "countries/index.html"),
    ("Germany", "germany/index.html"),
    ("US", "us/index.html"),
    ("Maps", "maps/index.html"),
    ("Compare", "compare/index.html"),
    ("Forecasts", "forecasts/index.html"),
    ("Articles", "articles/index.html"),
    ("Analysis", "analysis/index.html"),
    ("About", "about/index.html"),
)

KIND_LABELS = {
    "country": "Country",
    "state": "State",
    "district": "District",
    "other": "Other",
}

SUMMARY_COLUMNS = (
    "Location", "Total cases", "Total deaths", "New cases last week", "7-day incidence",
    "Week-on-week change", "R", "Trend (12 weeks)",
)  # fmt: skip
INCIDENCE_COLUMNS = (
    "Location",
    "Population",
    "Cases in last 7 days",
    "7-day incidence",
)


def region_href(region_id: str) -> str:
    """Where a region's page is, relative to the site root.

    >>> region_href("DE-09162")
    'region/DE-09162/index.html'
    """
    return f"region/{region_id}/index.html"


#: Where the site's "Open on Binder" links start (mybinder.org's GitHub provider).
BINDER = "https://mybinder.org/v2/gh/"


def binder_url(binder: tuple[str, str] | None, path: str) -> str | None:
    """The mybinder.org link that opens ``path`` (relative to the image's home folder, where
    ``binder/postBuild`` writes the notebooks) in JupyterLab, or None without a Binder
    repository. ``binder`` is ``(owner/name, ref)``; each part is URL-encoded (a ref
    ``release/1`` becomes ``release%2F1``, as BinderHub expects).

    >>> binder_url(("me/epicurves", "main"), "notebooks/DE.ipynb")
    'https://mybinder.org/v2/gh/me/epicurves/main?urlpath=lab/tree/notebooks/DE.ipynb'
    >>> binder_url(None, "notebooks/DE.ipynb") is None
    True
    """
    if binder is None:
        return None
    repo, ref = binder
    parts = [*repo.split("/", 1), ref]
    spec = "/".join(quote(part, safe="") for part in parts)
    return f"{BINDER}{spec}?urlpath={quote('lab/tree/' + path, safe='/')}"


def _order(value: Any) -> str:
    """A sort key for DataTables: missing values sort below every number."""
    return "-1e300" if _missing(value) else repr(float(value))


def sparkline(weekly: Iterable[float]) -> str:
    """SVG polyline points (60 x 16 box) of weekly counts; empty without two known weeks.

    >>> sparkline([0, 5, 10])
    '0.0,15.0 30.0,8.0 60.0,1.0'
    """
    values = [float(v) for v in weekly]
    known = [v for v in values if not math.isnan(v)]
    if len(values) < 2 or len(known) < 2:
        return ""
    top = max(known) or 1.0
    step = 60 / (len(values) - 1)
    points = []
    for i, v in enumerate(values):
        if not math.isnan(v):
            points.append(f"{i * step:.1f},{15 - 14 * max(v, 0) / top:.1f}")
    return " ".join(points)


def _context(row: Any, names: dict[str, str]) -> str:
    parent = row.parent
    if _missing(parent) or row.kind == "country":
        return ""
    return names.get(str(parent), str(parent))


def summary_table(
    summary: pd.DataFrame, weekly: dict[str, list[float]], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Rows of a summary table (OSCOVIDA's columns and more), one per region."""
    rows = []
    for r in summary.itertuples(index=False):
        r_value = r.r_cori if not _missing(r.r_cori) else r.r_rki
        rows.append(
            {
                "href": region_href(str(r.region_id)),
                "name": str(r.name),
                "context": _context(r, names),
                "cells": [
                    {"text": fmt_int(r.total_cases), "order": _order(r.total_cases)},
                    {"text": fmt_int(r.total_deaths), "order": _order(r.total_deaths)},
                    {
                        "text": fmt_int(r.new_cases_last_week),
                        "order": _order(r.new_cases_last_week),
                    },
                    {"text": fmt_num(r.incidence_7d), "order": _order(r.incidence_7d)},
                    {
                        "text": fmt_num(r.week_change_pct, 0, " %", sign=True),
                        "order": _order(r.week_change_pct),
                    },
                    {"text": fmt_num(r_value, 2), "order": _order(r_value)},
                ],
                "spark": sparkline(weekly.get(str(r.region_id), [])),
            }
        )
    return rows


def incidence_table(
    summary: pd.DataFrame, names: dict[str, str], threshold: float
) -> list[dict[str, Any]]:
    """OSCOVIDA's incidence table: population, cases in the last 7 days, 7-day incidence;
    rows at or above ``threshold`` per 100 000 are highlighted."""
    rows = []
    for r in summary.itertuples(index=False):
        incidence: Any = r.incidence_7d
        rows.append(
            {
                "href": region_href(str(r.region_id)),
                "name": str(r.name),
                "context": _context(r, names),
                "highlight": not _missing(incidence) and float(incidence) >= threshold,
                "cells": [
                    {"text": fmt_int(r.population), "order": _order(r.population)},
                    {
                        "text": fmt_int(r.new_cases_last_week),
                        "order": _order(r.new_cases_last_week),
                    },
                    {"text": fmt_num(incidence), "order": _order(incidence)},
                ],
            }
        )
    return rows


def weekly_sums(metrics: pd.DataFrame, weeks: int = 12) -> dict[str, list[float]]:
    """The last ``weeks`` weekly case sums of each region (every 7th day back from its last)."""
    frame = metrics[["region_id", "new_cases_7d_sum"]]
    position = (
        frame.groupby("region_id", sort=False).cumcount(ascending=False).to_numpy()
    )
    keep = (position % 7 == 0) & (position < 7 * weeks)
    picked = frame[keep]
    out: dict[str, list[float]] = {}
    for region, values in picked.groupby("region_id", sort=False)["new_cases_7d_sum"]:
        out[str(region)] = values.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
    return out

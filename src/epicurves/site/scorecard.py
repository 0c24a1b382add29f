"""The Forecasts page and the forecasts' downloads.

From the stored backtest's summary (:func:`epicurves.forecast.summary.load_summary`) the site
writes, in its ``forecasts/`` folder:

- ``index.html``, the Forecasts page: what a forecast is and is not, how they are made, the
  scorecard per target, period and horizon (the numbers of ``epicurves scores``, rounded as
  :func:`relative_text`, :func:`percent_text` and :func:`wis_text` say), the best and worst
  regions per target (by the relative WIS of their track records, among the regions with at
  least :data:`RANKED_MIN` scored forecasts), and a chart of the ensemble's coverage by horizon
  (:mod:`.coverage`) with a table of the same numbers;
- ``coverage.js``, that chart's Bokeh item;
- ``all.csv`` and ``<region_id>.csv``: every current forecast, and each region's, in the hubs'
  format (:data:`~epicurves.forecast.engine.FORECAST_COLUMNS`, numbers at full precision,
  dates as ``YYYY-MM-DD``), as ``epicurves forecast --out FILE.csv`` writes them (a region
  id that could not name a file would have none; every id of the store can).

Without a stored backtest the page says how to make one, and there is nothing else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from ..charts.fans import FOLDER
from ..forecast.engine import FORECAST_COLUMNS, MODELS
from ..forecast.levels import LEVELS
from ..forecast.series import FORECAST_TARGETS, Target
from ..forecast.summary import RECORD_MODEL, ForecastSummary
from ..formatting import fmt_int, is_missing
from ..lazy import np, pd
from .coverage import COVERAGE_LEVELS, coverage_script
from .pages import region_href
from .render import environment

__all__ = [
    "FOLDER",
    "PERIODS",
    "RANKED",
    "RANKED_MIN",
    "SHOWN_MODELS",
    "csv_bytes",
    "data_note",
    "page_context",
    "percent_text",
    "relative_text",
    "scorecard_files",
    "wis_text",
]

#: The regions listed among the best, and among the worst, of each target.
RANKED = 5
#: The scored forecasts a region needs to be ranked (every horizon and period together):
#: about a quarter of a year of weekly forecasts at four horizons.
RANKED_MIN = 52
#: The models of a target's main tables; every model is in the tables under them.
SHOWN_MODELS = (RECORD_MODEL, "baseline")
#: The periods, as the page shows them: evaluation first (the scores to quote).
PERIODS = (("evaluation", "Evaluation"), ("tuning", "Tuning"))
#: Region ids that name a download file (every region id of the store does).
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def relative_text(value: Any) -> str:
    """A relative WIS as the page shows it: three decimals ("" when missing).

    >>> relative_text(0.74649), relative_text(float("nan"))
    ('0.746', '')
    """
    if is_missing(value) or not np.isfinite(float(value)):
        return ""
    return f"{float(value):.3f}"


def percent_text(value: Any) -> str:
    """A coverage (a share) as the page shows it: whole percent.

    >>> percent_text(0.9154), percent_text(None)
    ('92 %', '')
    """
    if is_missing(value) or not np.isfinite(float(value)):
        return ""
    return f"{100 * float(value):.0f} %"


def wis_text(value: Any) -> str:
    """A mean WIS (in the series' units) as the page shows it: three significant digits,
    never in exponent notation.

    >>> wis_text(1226.938), wis_text(95.01), wis_text(0.0123456), wis_text(6.786e11)
    ('1,230', '95.0', '0.0123', '679,000,000,000')
    """
    if is_missing(value) or not np.isfinite(float(value)):
        return ""
    rounded = float(f"{float(value):.3g}")
    if rounded == 0 or abs(rounded) >= 100:
        return f"{rounded:,.0f}"
    return f"{rounded:.{2 - math.floor(math.log10(abs(rounded)))}f}"


def data_note(target: Target) -> str:
    """What data a target's forecasts were made from and scored against, in words."""
    if target.realtime == "releases":
        return (
            f"Real time: each forecast uses only the {target.source} release published by "
            "the Wednesday before its reference date, and is scored against the newest "
            "release."
        )
    if target.realtime == "fixed":
        return (
            "Real time, scored against updated data: each forecast uses the values as "
            "first reported, as a forecaster had them, and is scored against the values "
            "as updated since (the final data)."
        )
    return (
        "Final data, not real time: each forecast uses today's data cut at the week before "
        "its reference date, not what was published then, and is scored against the same "
        "data. Where the source revised its past, these scores are optimistic."
    )


def _models(card: pd.DataFrame) -> list[str]:
    """The card's models in the page's order: the ensemble, its members, the baseline."""
    present = set(card["model"].astype(str))
    order = [RECORD_MODEL, *(m for m in MODELS if m != "baseline"), "baseline"]
    return [m for m in order if m in present] + sorted(present - set(order))


def _card_rows(card: pd.DataFrame, models: list[str]) -> list[dict[str, Any]]:
    """The rows of one target and period's table: by horizon, then model."""
    rank = {m: i for i, m in enumerate(models)}
    chosen = card[card["model"].astype(str).isin(models)]
    chosen = chosen.assign(_rank=chosen["model"].astype(str).map(rank)).sort_values(
        ["horizon", "_rank"], kind="stable"
    )
    return [
        {
            "horizon": int(cast(int, r.horizon)),
            "model": str(r.model),
            "n": fmt_int(r.n),
            "relative_wis": relative_text(r.relative_wis),
            "wis": wis_text(r.wis),
            "coverage_50": percent_text(r.coverage_50),
            "coverage_95": percent_text(r.coverage_95),
        }
        for r in chosen.itertuples(index=False)
    ]


def _spans(target: Target, records: pd.DataFrame) -> dict[str, str]:
    """Each period's reference dates, in words."""
    until = pd.Timestamp(target.tuning_until)
    after = until + pd.Timedelta(days=7)
    if len(records):
        first = pd.Timestamp(records["first_reference_date"].min())
        last = pd.Timestamp(records["last_reference_date"].max())
        return {
            "tuning": f"reference dates {first:%Y-%m-%d} to {until:%Y-%m-%d}",
            "evaluation": f"reference dates {after:%Y-%m-%d} to {last:%Y-%m-%d}",
        }
    return {
        "tuning": f"reference dates up to {until:%Y-%m-%d}",
        "evaluation": f"reference dates from {after:%Y-%m-%d}",
    }


def _region(region_id: str, names: Mapping[str, str], root: str) -> dict[str, str]:
    """A region as a link to its page (or its id alone, without a page)."""
    if region_id in names:
        return {"name": names[region_id], "href": root + region_href(region_id)}
    return {"name": region_id, "href": ""}


def _ranked(
    records: pd.DataFrame, names: Mapping[str, str], root: str
) -> dict[str, Any]:
    """A target's regions with :data:`RANKED_MIN` forecasts or more, best first: every one
    when they are few, else the :data:`RANKED` best and the :data:`RANKED` worst."""
    known = records[
        (records["n"] >= RANKED_MIN)
        & np.isfinite(records["relative_wis"].to_numpy(dtype=float))
    ]
    known = known.sort_values(["relative_wis", "region_id"], kind="stable")
    rows = [
        {
            **_region(str(r.region_id), names, root),
            "region_id": str(r.region_id),
            "n": fmt_int(r.n),
            "relative_wis": relative_text(r.relative_wis),
            "coverage_50": percent_text(r.coverage_50),
            "coverage_95": percent_text(r.coverage_95),
            "dates": f"{pd.Timestamp(r.first_reference_date):%Y-%m-%d} to "
            f"{pd.Timestamp(r.last_reference_date):%Y-%m-%d}",
        }
        for r in known.itertuples(index=False)
    ]
    if len(rows) <= 2 * RANKED:
        return {"all": rows, "best": [], "worst": [], "count": len(rows)}
    return {
        "all": [],
        "best": rows[:RANKED],
        "worst": rows[::-1][:RANKED],
        "count": len(rows),
    }


def _coverage(card: pd.DataFrame) -> tuple[str, list[dict[str, Any]]]:
    """The ensemble's coverage by horizon of one target, in its evaluation period (its
    tuning period when it has no evaluation yet): the period, and a row per horizon."""
    ours = card[card["model"].astype(str) == RECORD_MODEL]
    for period, _ in PERIODS:
        rows = ours[ours["period"].astype(str) == period].sort_values("horizon")
        if len(rows):
            return period, [
                {
                    "horizon": int(cast(int, r.horizon)),
                    "n": int(cast(int, r.n)),
                    **{c: float(getattr(r, c)) for c, *_ in COVERAGE_LEVELS},
                }
                for r in rows.itertuples(index=False)
            ]
    return "", []


def _section(
    target: Target,
    summary: ForecastSummary,
    names: Mapping[str, str],
    root: str,
) -> dict[str, Any]:
    """What the page shows of one target."""
    card = summary.card
    card = card[card["target"].astype(str) == target.name] if len(card) else card
    records = summary.records
    records = (
        records[records["target"].astype(str) == target.name]
        if len(records)
        else records
    )
    models = _models(card) if len(card) else []
    spans = _spans(target, records)
    periods = []
    for period, label in PERIODS:
        rows = card[card["period"].astype(str) == period] if len(card) else card
        if not len(rows):
            continue
        periods.append(
            {
                "period": period,
                "label": label,
                "span": spans[period],
                "main": _card_rows(rows, [m for m in SHOWN_MODELS if m in models]),
                "every": _card_rows(rows, models),
            }
        )
    covered_in, covered = _coverage(card) if len(card) else ("", [])
    return {
        "name": target.name,
        "id": "t-" + re.sub(r"[^a-z0-9]+", "-", target.name.lower()).strip("-"),
        "label": target.label,
        "note": data_note(target),
        "realtime": target.realtime,
        "tuning_until": target.tuning_until,
        "periods": periods,
        "members": [m for m in models if m not in SHOWN_MODELS],
        "ranked": _ranked(records, names, root) if len(records) else None,
        "coverage_period": covered_in,
        "coverage": [
            {
                **row,
                **{c: percent_text(row[c]) for c, *_ in COVERAGE_LEVELS},
                "n": fmt_int(row["n"]),
            }
            for row in covered
        ],
        "chart": covered,
    }


def _downloads(
    current: pd.DataFrame, names: Mapping[str, str], root: str
) -> list[dict[str, Any]]:
    """A row per region with a current forecast: its targets and its file."""
    if not len(current):
        return []
    keys = pd.DataFrame(
        {
            "region_id": current["region_id"].astype(str),
            "target": current["target"].astype(str),
            "date": pd.to_datetime(current["reference_date"]).dt.strftime("%Y-%m-%d"),
        }
    ).drop_duplicates()
    order = {t: i for i, t in enumerate(FORECAST_TARGETS)}
    rows = []
    for region_id, frame in keys.groupby("region_id", sort=True):
        if not _FILE_NAME.fullmatch(str(region_id)):
            continue
        targets = sorted(set(frame["target"]), key=lambda t: order.get(t, len(order)))
        rows.append(
            {
                **_region(str(region_id), names, root),
                "region_id": str(region_id),
                "targets": [FORECAST_TARGETS[t].label for t in targets],
                "reference_dates": sorted(set(frame["date"])),
                "file": f"{region_id}.csv",
            }
        )
    rows.sort(key=lambda r: (r["name"], r["region_id"]))
    return rows


def _current(current: pd.DataFrame) -> list[dict[str, Any]]:
    """Per target with current forecasts: its reference date and how many series."""
    if not len(current):
        return []
    out = []
    for name, target in FORECAST_TARGETS.items():
        rows = current[current["target"].astype(str) == name]
        if len(rows):
            dates = sorted(
                {f"{pd.Timestamp(d):%Y-%m-%d}" for d in rows["reference_date"].unique()}
            )
            out.append(
                {
                    "label": target.label,
                    "name": name,
                    "reference_dates": dates,
                    "series": int(rows["region_id"].nunique()),
                    "horizons": sorted(int(h) for h in rows["horizon"].unique()),
                }
            )
    return out


def page_context(
    summary: ForecastSummary, names: Mapping[str, str], root: str = "../"
) -> dict[str, Any]:
    """The Forecasts page's template context (``names``: region id -> name of the regions
    with a page)."""
    shown: set[str] = set()
    for frame in (summary.card, summary.records, summary.current):
        if len(frame) and "target" in frame:
            shown.update(frame["target"].astype(str))
    sections = [
        _section(target, summary, names, root)
        for name, target in FORECAST_TARGETS.items()
        if name in shown
    ]
    return {
        "empty": summary.empty and not len(summary.card),
        "sections": sections,
        "current_targets": _current(summary.current),
        "downloads": _downloads(summary.current, names, root),
        "chart": any(s["chart"] for s in sections),
        "members": [m for m in MODELS if m != "baseline"],
        "levels": len(LEVELS),
        "ranked": RANKED,
        "ranked_min": RANKED_MIN,
        "coverage_levels": COVERAGE_LEVELS,
        "columns": FORECAST_COLUMNS,
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Forecasts in the hubs' format as a CSV file: :data:`FORECAST_COLUMNS`, dates as
    ``YYYY-MM-DD``, numbers at full precision (``epicurves forecast``'s CSV)."""
    out = frame.reindex(columns=list(FORECAST_COLUMNS)).copy()
    for column in ("reference_date", "target_end_date"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n").encode()


def scorecard_files(
    summary: ForecastSummary,
    names: dict[str, str],
    common: dict[str, Any],
    cache: Path | None = None,
) -> Iterator[tuple[str, bytes]]:
    """The Forecasts page, its chart (from the layouts' ``cache``: :func:`.coverage_item`) and
    the downloads (``names``: region id -> name)."""
    root = "../"
    context = page_context(summary, names, root)
    current = summary.current
    if len(current):
        # one CSV text, cut into each region's rows (its header first)
        text = csv_bytes(current)
        header, _, body = text.partition(b"\n")
        yield f"{FOLDER}/all.csv", text
        lines = body.splitlines(keepends=True)
        ids = current["region_id"].astype(str).to_numpy()
        rows: dict[str, list[bytes]] = {}
        for region_id, line in zip(ids, lines, strict=True):
            rows.setdefault(region_id, []).append(line)
        for row in context["downloads"]:
            part = b"".join([header + b"\n", *rows[row["region_id"]]])
            yield f"{FOLDER}/{row['file']}", part
    if context["chart"]:
        panels = [
            (s["label"][:1].upper() + s["label"][1:], s["chart"])
            for s in context["sections"]
            if s["chart"]
        ]
        yield f"{FOLDER}/coverage.js", coverage_script(panels, cache)
    html = (
        environment()
        .get_template("forecasts.html")
        .render(
            **common,
            **context,
            root=root,
            page="forecasts",
            current=f"{FOLDER}/index.html",
            title="Forecasts",
            breadcrumbs=None,
        )
    )
    yield f"{FOLDER}/index.html", html.encode()

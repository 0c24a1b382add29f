"""Anomaly flags: what a page should explain next to a number, as ``;``-separated tokens.

Ingest already flags decreases of a cumulative series (``cases-decrease``,
``deaths-decrease``: a correction, so the daily value is negative). Added here, from the daily
counts ``N_t`` of each series, looking only backwards:

``cases-missing``  no cumulative count that day although the series had one before
                   (likewise ``deaths-missing``)
``cases-gap``      nothing reported (``N_t = 0``) although the 7 days before averaged at least
                   :data:`GAP_MIN_MEAN` a day: a day without a report, such as a weekend
                   (likewise ``deaths-gap``)
``cases-backlog``  a single-day spike: ``N_t >= 5 x`` the mean of the 7 days before and at least
                   :data:`BACKLOG_MIN_CASES` (:data:`BACKLOG_MIN_DEATHS` for
                   ``deaths-backlog``): typically a dump of late reports
"""

from __future__ import annotations

from ..lazy import np, pd
from .windows import Series, to_floats

__all__ = ["BACKLOG_FACTOR", "anomaly_flags"]

BACKLOG_FACTOR = 5.0
BACKLOG_MIN_CASES = 50
BACKLOG_MIN_DEATHS = 10
GAP_MIN_MEAN = 10.0


def anomaly_flags(frame: pd.DataFrame, series: Series) -> pd.Series:
    """The ``flags`` column with the anomalies added (rows as ``series`` describes them)."""
    tokens: list[tuple[str, np.ndarray]] = []
    for kind, minimum in (("cases", BACKLOG_MIN_CASES), ("deaths", BACKLOG_MIN_DEATHS)):
        daily = to_floats(frame[f"new_{kind}"])
        cumulative = frame[kind]
        # Missing after the series has reported something (a series that never had deaths
        # is not "missing deaths"); looking only backwards, like every flag here.
        reported = cumulative.notna().groupby(_series_ids(series)).cummax().to_numpy()
        tokens.append((f"{kind}-missing", cumulative.isna().to_numpy() & reported))
        before = series.shift(series.rolling_sum(daily, 7), 1) / 7
        with np.errstate(invalid="ignore"):
            tokens.append((f"{kind}-gap", (daily == 0) & (before >= GAP_MIN_MEAN)))
            spike = (daily >= minimum) & (daily >= BACKLOG_FACTOR * before)
        tokens.append((f"{kind}-backlog", spike))
    existing = frame["flags"].fillna("").astype(str).to_numpy(dtype=object)
    flags = existing.copy()
    for token, mask in tokens:
        mask = np.asarray(mask, dtype=bool)
        add = np.where(flags[mask] == "", token, flags[mask] + ";" + token)
        flags[mask] = add
    return pd.Series(pd.array(flags, dtype="string"), index=frame.index, name="flags")


def _series_ids(series: Series) -> np.ndarray:
    return np.cumsum(series.pos == 0)

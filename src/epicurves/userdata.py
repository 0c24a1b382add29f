"""Your own data: a CSV of daily counts read into the tidy observations table, with one-line errors.

The file is read by the careful readers of the upstream sources (:mod:`epicurves.sources.readers`),
so a bad cell is reported as the upstream files' are: file, line, column, what was expected and
what was found, as a :class:`~epicurves.ParseError`; then the table is checked by the model's
rules (:func:`epicurves.rules.validate_observations`).
"""

from __future__ import annotations

from pathlib import Path

from .lazy import np, pd
from .model import (
    FLAG_CASES_DECREASE,
    FLAG_DEATHS_DECREASE,
    OBSERVATION_COLUMNS,
    add_daily,
)
from .rules import validate_observations
from .sources.cells import (
    consecutive_days,
    date_column,
    duplicated_rows,
    integer_column,
)
from .sources.readers import FileRef, line_of, read_csv

__all__ = ["read_observations"]

#: The count columns a file may give: cumulative, then daily, for cases and deaths.
_COUNTS = {"cases": "new_cases", "deaths": "new_deaths"}


def read_observations(path: str | Path, *, source: str = "user") -> pd.DataFrame:
    """Daily observations from a CSV file (plain or gzip), ready for :func:`~epicurves.compute_metrics`.

    Columns: ``region_id``, ``date`` (``YYYY-MM-DD``), and for cases cumulative ``cases`` or
    daily ``new_cases`` or both; likewise, optionally, ``deaths``/``new_deaths``; optionally
    ``source`` (else ``source`` for every row). Other columns (``flags``, ``name``, metrics
    of an ``epicurves export``) are left out. What is missing is derived: daily counts as
    day-to-day differences of the cumulative ones (the first day counts from zero), cumulative
    counts as running sums of the daily ones; where both are given, both are kept as
    given (they may differ, as RKI's daily counts by reporting date differ from the day-to-day
    differences of its totals). Negative daily counts (corrections) are kept and
    flagged. Each region needs one row per day, with no day missing.

    Returns the columns of :data:`~epicurves.OBSERVATION_COLUMNS` with their dtypes. Raises
    :class:`~epicurves.ParseError` (file, line, column, expected, found) or
    :class:`~epicurves.ValidationError`.

    >>> _ = Path("counts.csv").write_text(
    ...     "region_id,date,cases\\n"
    ...     "X,2021-03-01,5\\n"
    ...     "X,2021-03-02,8\\n"
    ...     "X,2021-03-03,7\\n"
    ... )
    >>> daily = read_observations("counts.csv")
    >>> daily[["source", "region_id", "date", "cases", "new_cases", "flags"]]
      source region_id       date  cases  new_cases           flags
    0   user         X 2021-03-01      5          5
    1   user         X 2021-03-02      8          3
    2   user         X 2021-03-03      7         -1  cases-decrease
    >>> metrics = compute_metrics(daily)  # the metrics, as for the store's regions
    """
    path = Path(path)
    ref = FileRef(source, path.name)
    frame = read_csv(path, ref, required=("region_id", "date"))
    if "cases" not in frame.columns and "new_cases" not in frame.columns:
        msg = (
            "no column 'cases' or 'new_cases': expected cumulative cases, daily cases or "
            f"both; found {', '.join(frame.columns[:12])}"
        )
        raise ref.error(msg)
    region = frame["region_id"].str.strip()
    empty = (region.isna() | region.eq("")).to_numpy(dtype=bool)
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        msg = "empty cell"
        raise ref.error(
            msg, row=line_of(frame, pos), column="region_id",
            expected="a region id",
        )  # fmt: skip
    own = frame["source"].str.strip() if "source" in frame.columns else None
    checked = frame.assign(
        region_id=region if own is None else own.fillna(source) + ": " + region,
        date=date_column(frame, "date", ref, fmt="%Y-%m-%d"),
    )
    duplicated_rows(checked, ["region_id", "date"], ref)
    consecutive_days(checked, "region_id", "date", ref)
    out = pd.DataFrame(
        {
            "source": source if own is None else own.fillna(source),
            "region_id": region,
            "date": checked["date"],
        }
    )
    for total, daily in _COUNTS.items():
        for column in (total, daily):
            if column in frame.columns:
                # A daily count may be negative (a correction); it may be missing only
                # where the cumulative count is given.
                out[column] = integer_column(
                    frame, column, ref, minimum=0 if column == total else None,
                    allow_missing=column == total or total in frame.columns,
                )  # fmt: skip
    out = out.sort_values(["source", "region_id", "date"], ignore_index=True)
    series = out.groupby(["source", "region_id"], sort=False)
    for total, daily in _COUNTS.items():
        if total not in out.columns:
            known = daily in out.columns
            out[total] = series[daily].cumsum() if known else pd.NA
    observations = add_daily(out)
    keys = ["source", "region_id", "date"]
    rows = pd.MultiIndex.from_frame(observations[keys])
    given = [daily for daily in _COUNTS.values() if daily in out.columns]
    for daily in given:  # as given; derived only where missing
        values = out.set_index(keys)[daily].reindex(rows).to_numpy()
        observations[daily] = pd.array(values, dtype="Int64").fillna(
            observations[daily].array
        )
    if given:
        observations["flags"] = _decrease_flags(observations)
    observations = observations.astype(OBSERVATION_COLUMNS)
    for name in observations["source"].unique():  # the model's rules hold per source
        validate_observations(observations[observations["source"] == name], str(name))
    return observations


def _decrease_flags(observations: pd.DataFrame) -> np.ndarray:
    """``cases-decrease``/``deaths-decrease`` where a daily count is negative."""
    cases = observations["new_cases"].lt(0).fillna(False).to_numpy(dtype=bool)
    deaths = observations["new_deaths"].lt(0).fillna(False).to_numpy(dtype=bool)
    both = f"{FLAG_CASES_DECREASE};{FLAG_DEATHS_DECREASE}"
    return np.select(
        [cases & deaths, cases, deaths],
        [both, FLAG_CASES_DECREASE, FLAG_DEATHS_DECREASE],
        "",
    )

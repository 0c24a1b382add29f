"""The conventions every forecast in epicurves follows: quantile levels, horizons, dates.

A forecast has a **reference date** R, a Saturday. Horizon h is the MMWR week (Sunday to
Saturday) ending R + 7h. Horizons 0-3 for every series; -1 (a nowcast of the newest week,
which is still being revised) also for sources with releases. A forecast at R uses only what
was published by R - 3, the Wednesday before (:func:`cutoff`).

Forecasts are arrays of shape ``(series, horizons, levels)``: the quantiles at :data:`LEVELS`
for :data:`HORIZONS`, in that order, monotone along the last axis.

>>> from epicurves.forecast import LEVELS, MEDIAN
>>> len(LEVELS), LEVELS[[0, MEDIAN, -1]].tolist()
(23, [0.01, 0.5, 0.99])
>>> str(cutoff(pd.Timestamp("2025-07-05")).date()), str(target_end(pd.Timestamp("2025-07-05"), 2).date())
('2025-07-02', '2025-07-19')
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..lazy import np, pd

__all__ = [
    "HORIZONS",
    "LEVELS",
    "MEDIAN",
    "check_reference_date",
    "cutoff",
    "target_end",
]

if TYPE_CHECKING:  # made on first read (__getattr__): NumPy is imported then, not here
    #: The 23 quantile levels of the US and European forecast hubs.
    LEVELS: np.ndarray
    #: Every horizon a model forecasts, in order: -1 (the newest week, a nowcast) to 3.
    HORIZONS: np.ndarray
#: The index of the median in :data:`LEVELS`.
MEDIAN = 11


#: Guards the first read of the arrays: every thread gets the same object (the scoring
#: functions know the hubs' levels by identity).
_MAKING = threading.Lock()


def __getattr__(name: str) -> Any:
    """:data:`LEVELS` and :data:`HORIZONS`, made on first read and kept (PEP 562): a
    process that imports the forecasts' conventions without using them, as ``epicurves
    run`` with nothing new does, imports no NumPy."""
    if name not in ("LEVELS", "HORIZONS"):
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    with _MAKING:
        value = globals().get(name)
        if value is None:
            value = globals()[name] = _make(name)
    return value


def _make(name: str) -> np.ndarray:
    if name == "LEVELS":
        middle = np.round(np.arange(0.05, 0.951, 0.05), 2)
        return np.array([0.01, 0.025, *middle, 0.975, 0.99])
    return np.arange(-1, 4)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def cutoff(reference_date: pd.Timestamp) -> pd.Timestamp:
    """The last day whose publications a forecast at ``reference_date`` may use (R - 3)."""
    return reference_date - pd.Timedelta(days=3)


def target_end(reference_date: pd.Timestamp, horizon: int) -> pd.Timestamp:
    """The Saturday ending the week of ``horizon`` (R + 7h)."""
    return reference_date + pd.Timedelta(days=7 * int(horizon))


def check_reference_date(value: str | pd.Timestamp) -> pd.Timestamp:
    """``value`` as a day, or a :class:`~epicurves.errors.UsageError` if it is not a Saturday.

    >>> check_reference_date("2025-07-04")
    Traceback (most recent call last):
    ...
    epicurves.errors.UsageError: reference date 2025-07-04 is a Friday: expected a Saturday (the end of an MMWR week)
    """
    try:
        day = pd.Timestamp(value).normalize()
    except (ValueError, TypeError) as exc:
        msg = f"reference date {value!r} is not a date: expected YYYY-MM-DD, a Saturday"
        raise UsageError(msg) from exc
    if day.day_of_week != 5:
        msg = (
            f"reference date {day:%Y-%m-%d} is a {day:%A}: expected a Saturday "
            "(the end of an MMWR week)"
        )
        raise UsageError(msg)
    return day

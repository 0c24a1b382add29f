"""The rows a parser of signals gives: one layout for every source of surveillance signals, and the empty case tables of a source of signals only."""

from __future__ import annotations

from collections.abc import Sequence

from ..lazy import np, pd
from .base import SourceData

__all__ = ["SIGNAL_LAYOUT", "no_cases", "signal_rows", "signals_data"]


#: The columns of a parser's signal rows (:attr:`SourceData.signals`).
SIGNAL_LAYOUT: tuple[str, ...] = (
    "region_id", "signal", "pathogen", "age_group", "estimate", "date", "value", "lo", "hi",
    "release", "unit",
)  # fmt: skip


def no_cases() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The empty observations and regions of a source of signals only."""
    return (
        pd.DataFrame(columns=["region_id", "date", "cases", "deaths"]),
        pd.DataFrame(columns=["region_id", "name", "kind", "parent", "population"]),
    )


def signal_rows(
    frame: pd.DataFrame,
    *,
    region_id: pd.Series | str,
    signal: pd.Series | str,
    pathogen: pd.Series | str,
    age_group: pd.Series | str,
    estimate: pd.Series | str,
    date: pd.Series,
    value: pd.Series,
    lo: pd.Series | None = None,
    hi: pd.Series | None = None,
    release: pd.Series | None = None,
    unit: pd.Series | None = None,
) -> pd.DataFrame:
    """One estimate of one signal for every row of ``frame``, in the parser's signal layout
    (``release``: the upstream release of each row, for a source with releases; ``unit``:
    each row's unit, for a signal with :attr:`~.base.Signal.other_units`, else missing: the
    declared unit)."""
    nan = pd.Series(np.nan, index=frame.index)
    return pd.DataFrame(
        {
            "region_id": region_id,
            "signal": signal,
            "pathogen": pathogen,
            "age_group": age_group,
            "estimate": estimate,
            "date": date,
            "value": value,
            "lo": nan if lo is None else lo,
            "hi": nan if hi is None else hi,
            "release": pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
            if release is None
            else release,
            "unit": pd.Series(pd.NA, index=frame.index, dtype="string")
            if unit is None
            else unit,
        },
        index=frame.index,
    )


def signals_data(
    parts: Sequence[pd.DataFrame], notes: list[str] | None = None
) -> SourceData:
    """The :class:`~.base.SourceData` of a source of signals only."""
    observations, regions = no_cases()
    frame = pd.concat(parts, ignore_index=True)[list(SIGNAL_LAYOUT)]
    return SourceData(observations, regions, notes or [], signals=frame)

"""What the worked-example tests of the metrics share (tests/analysis/
test_seven_day_metrics.py, test_cori_formula.py, test_metric_tables.py): a daily series,
exact comparison, and Cori's posterior from scipy as the independent reference."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

START = "2021-03-01"
NAN = float("nan")


# -- helpers -------------------------------------------------------------------------------
def _daily(values: Sequence[float | None], start: str = START) -> pd.Series:
    """A date-indexed Series of daily counts (None -> NaN)."""
    data = [NAN if v is None else float(v) for v in values]
    return pd.Series(data, index=pd.date_range(start, periods=len(data)))


def _assert_values(
    actual: Sequence[float] | pd.Series, expected: Sequence[float] | pd.Series
) -> None:
    """Equal to 1e-12 relative, NaN where NaN is expected."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12
    )


# -- Cori et al. ----------------------------------------------------------------------------
SI = (0.0, 0.5, 0.5)  # Lambda_t = 0.5 I_{t-1} + 0.5 I_{t-2}


def _posterior(shape: float, rate: float) -> tuple[float, float, float]:
    """Mean and 95 % interval of Gamma(shape, rate), from scipy (an independent reference)."""
    return (
        shape / rate,
        float(stats.gamma.ppf(0.025, a=shape, scale=1 / rate)),
        float(stats.gamma.ppf(0.975, a=shape, scale=1 / rate)),
    )

"""The Forecasts page and the forecasts' downloads (being written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..forecast.summary import ForecastSummary

__all__ = ["scorecard_files"]


def scorecard_files(
    summary: ForecastSummary, names: dict[str, str], common: dict[str, Any]
) -> Iterator[tuple[str, bytes]]:
    """The Forecasts page and the downloads (``names``: region id -> name)."""
    yield from ()

"""Categorical columns ordered as their text: what grouping or sorting the text would give,
without making millions of strings.

The site's signals (:mod:`epicurves.site.signaltable`) and the forecasts' track records
(:func:`epicurves.forecast.summary.records`) group large categorical columns in the order of
their labels as text; pandas groups a categorical in the order of its categories, which need
not be that.
"""

from __future__ import annotations

from .lazy import np, pd

__all__ = ["text_ordered"]


def text_ordered(values: pd.Categorical) -> pd.Categorical:
    """``values`` with its categories as text, in text order (codes moved along; a missing
    value stays missing).

    >>> text_ordered(pd.Categorical(["b", "a", None], categories=["b", "a"])).codes.tolist()
    [1, 0, -1]
    """
    names = values.categories.astype(str)
    order = np.argsort(names.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # missing stays missing
    return pd.Categorical.from_codes(rank[values.codes], categories=names[order])

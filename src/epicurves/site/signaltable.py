"""The tidy signals table as arrays, for the site's signal scripts and texts (:mod:`.signals`).

A region's chart is an array of row numbers into one :class:`SignalTable` made for all
regions at once: pandas on each region's slice (grouping, ``isin``, ``loc``) was most of the
time of a build's signals, 1.4 s of the real data's 97 regions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from ..categories import text_ordered
from ..lazy import np, pd

__all__ = ["TEXT_COLUMNS", "SignalTable", "groups"]

#: The text columns of the signals table, kept as codes into their labels.
TEXT_COLUMNS = ("source", "region_id", "signal", "pathogen", "age_group", "estimate",
                "unit", "resolution")  # fmt: skip


class SignalTable:
    """The signals table as arrays, made once for all regions: each text column as codes
    into its labels (in label order, ``"nan"`` last for a missing one, as ``str`` gives it),
    the dates as days, the numbers as floats."""

    def __init__(self, signals: pd.DataFrame) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.labels: dict[str, np.ndarray] = {}
        for column in TEXT_COLUMNS:
            values = text_ordered(pd.Categorical(signals[column]))
            # a missing label (code -1) is no group, as in pandas
            self.codes[column] = values.codes.astype(np.int64)
            names = values.categories.to_numpy(dtype=object)
            self.labels[column] = np.append(names, "nan")
        self.day = signals["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        self.numbers = {
            c: signals[c].to_numpy(dtype=np.float64, na_value=np.nan)
            for c in ("value", "lo", "hi")
        }

    def code(self, column: str, label: str) -> int:
        """The code of ``label`` in ``column``; -1 where no row has it."""
        labels = self.labels[column][:-1]
        at = int(np.searchsorted(labels, label))
        return at if at < len(labels) and labels[at] == label else -1

    def among(
        self, column: str, rows: np.ndarray, labels: Collection[str]
    ) -> np.ndarray:
        """Which of ``rows`` hold one of ``labels`` in ``column``."""
        found = [c for c in (self.code(column, x) for x in labels) if c >= 0]
        return np.asarray(np.isin(self.codes[column][rows], found), dtype=bool)

    def text(self, column: str, rows: np.ndarray) -> np.ndarray:
        """The labels of ``rows`` in ``column``."""
        labels: np.ndarray = self.labels[column][self.codes[column][rows]]
        return labels

    def distinct(self, column: str, rows: np.ndarray) -> list[str]:
        """The labels ``rows`` hold in ``column``, sorted."""
        return sorted(self.labels[column][np.unique(self.codes[column][rows])].tolist())


def groups(
    table: SignalTable, rows: np.ndarray, columns: Sequence[str]
) -> Iterator[tuple[tuple[str, ...], np.ndarray]]:
    """The rows of each combination of ``columns`` that ``rows`` hold, in the order of their
    labels, each with its positions in ``rows`` in their order: what pandas' ``groupby(columns,
    sort=True, observed=True).indices`` gives, computed on the codes."""
    key = np.zeros(len(rows), dtype=np.int64)
    kept = np.ones(len(rows), dtype=bool)
    for column in columns:
        codes = table.codes[column][rows]
        kept &= codes >= 0
        key = key * len(table.labels[column]) + codes
    at = np.flatnonzero(kept)
    at = at[np.argsort(key[at], kind="stable")]
    found, starts = np.unique(key[at], return_index=True)
    ends = [*starts[1:].tolist(), len(at)]
    for value, start, end in zip(found.tolist(), starts.tolist(), ends, strict=True):
        parts = []
        for column in reversed(columns):
            value, code = divmod(value, len(table.labels[column]))
            parts.append(str(table.labels[column][code]))
        yield tuple(reversed(parts)), at[start:end]

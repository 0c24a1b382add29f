"""Every release of a source kept, stored as what changed: the history of a source's releases, and the view of any one of them.

A source with releases (CDC's hub files) restates its whole history in every weekly release: the
same week's value appears in each release after it, revised or not. Kept whole, 84 releases of
one file are 700,000 rows; kept as what changed, 32,000. The **history** holds, for each
release, the rows whose value is new or differs from the release before, and a *tombstone* (a
row with no value) where a row of the release before is gone. The **view** of a release is its
whole table again: for each key, the newest row of the history on or before that release,
tombstones dropped.

>>> frame = pd.DataFrame({
...     "key": ["a", "b", "a", "b", "a"],
...     "release": pd.to_datetime(["2025-01-01"] * 2 + ["2025-01-08"] * 2 + ["2025-01-15"]),
...     "value": [1.0, 2.0, 1.0, 3.0, 1.0]})
>>> history = changes(frame, ["key"])
>>> history.assign(release=history["release"].dt.strftime("%m-%d")).values.tolist()
[['a', '01-01', 1.0], ['b', '01-01', 2.0], ['b', '01-08', 3.0], ['b', '01-15', nan]]
>>> view(history, pd.Timestamp("2025-01-08"), ["key"])["value"].tolist()
[1.0, 3.0]
>>> view(history, pd.Timestamp("2025-01-15"), ["key"])["value"].tolist()
[1.0]

Pure: no file, no store. The store (:mod:`epicurves.store`) keeps the history in segments that
never change once written, and refuses a release published again with other values
(:func:`compare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .lazy import np, pd

__all__ = [
    "Difference",
    "changes",
    "compare",
    "differences",
    "releases_of",
    "restrict",
    "view",
]


def _codes(frame: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """One integer per distinct key (missing values are a value of their own): each column's
    codes (a categorical's own, else :func:`pandas.factorize`'s) combined in mixed radix."""
    if frame.empty:
        return np.zeros(0, dtype=np.int64)
    combined = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for column in key:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy(np.int64) + 1  # -1 (missing) -> 0
            count = len(values.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            codes = codes.astype(np.int64)
            count = len(uniques)
        if size * max(count, 1) >= 2**62:  # too many combinations for one integer
            return (
                frame.groupby(list(key), sort=False, dropna=False, observed=True)
                .ngroup()
                .to_numpy(np.int64)
            )
        combined = combined * count + codes
        size *= max(count, 1)
    return combined


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality where two missing values are equal."""
    equal: np.ndarray = (a == b) | (np.isnan(a) & np.isnan(b))
    return equal


def _value_matrix(frame: pd.DataFrame, values: Sequence[str]) -> np.ndarray:
    return (
        np.column_stack(
            [frame[c].to_numpy(np.float64, na_value=np.nan) for c in values]
        )
        if len(frame)
        else np.zeros((0, len(values)))
    )


def releases_of(frame: pd.DataFrame, release: str = "release") -> list[pd.Timestamp]:
    """The distinct releases of ``frame``, oldest first."""
    return [pd.Timestamp(r) for r in np.unique(frame[release].dropna().to_numpy())]


def changes(
    frame: pd.DataFrame,
    key: Sequence[str],
    *,
    release: str = "release",
    values: Sequence[str] = ("value",),
) -> pd.DataFrame:
    """The history of ``frame``, whose rows are whole releases (each release lists every row it
    publishes): per release, the rows new or changed since the release before, and a tombstone
    (``values`` missing) for each key the release before had and this one lacks. The first
    release is whole. Sorted by key then release; columns and dtypes as ``frame``'s.

    A value that returns to an earlier one is a change (the history compares each release with
    the one before it only)."""
    if frame.empty:
        return frame.copy()
    codes = _codes(frame, key)
    stamps = frame[release].to_numpy("datetime64[s]")
    rel, order_of = pd.factorize(stamps, sort=True)
    rel = rel.astype(np.int64)
    order_of = np.asarray(order_of, dtype="datetime64[s]")
    matrix = _value_matrix(frame, values)
    # by key, then release; stable: it uses the runs a file's own order leaves (five times
    # quicksort's speed on cdc-covid's 702,878 rows), and rows of the same key and release
    # (which the parsers refuse) keep their order
    order = np.argsort(codes * len(order_of) + rel, kind="stable")
    k, r, v = codes[order], rel[order], matrix[order]
    same_key = np.r_[False, k[1:] == k[:-1]]
    follows = np.r_[False, r[1:] == r[:-1] + 1]
    unchanged = np.r_[
        False, np.logical_and.reduce(_same(v[1:], v[:-1]), axis=1) if len(v) > 1 else []
    ].astype(bool)
    changed = ~(same_key & follows & unchanged)
    next_same = np.r_[k[1:] == k[:-1], False]
    next_follows = np.r_[r[1:] == r[:-1] + 1, False]
    gone = (r + 1 < len(order_of)) & ~(next_same & next_follows)
    kept = frame.iloc[order[changed]]
    parts = [kept]
    if gone.any():
        tomb = frame.iloc[order[gone]].copy()
        for column in values:
            tomb[column] = np.nan
        tomb[release] = pd.Series(order_of[r[gone] + 1], index=tomb.index).astype(
            frame[release].dtype
        )
        parts.append(tomb)
    out = pd.concat(parts) if len(parts) > 1 else kept
    out_codes = np.r_[k[changed], k[gone]]
    out_rel = np.r_[r[changed], r[gone] + 1]
    ordered: pd.DataFrame = out.iloc[np.lexsort((out_rel, out_codes))]
    return ordered.reset_index(drop=True)


def restrict(
    history: pd.DataFrame,
    at: Sequence[pd.Timestamp],
    key: Sequence[str],
    *,
    release: str = "release",
    values: Sequence[str] = ("value",),
) -> pd.DataFrame:
    """The history of the views of ``history`` at the releases ``at`` only, as if those were
    the only releases: a row dated between two of them counts from the next one, and a row
    that returns to the value the previous one showed is dropped. Each release of ``at`` is
    dated as itself; the first is whole (tombstones dropped). Two histories give the same
    views at ``at`` exactly when their restrictions to ``at`` are equal."""
    if history.empty or not len(at):
        return history.iloc[0:0].copy()
    points = np.array(sorted(pd.Timestamp(a) for a in at), dtype="datetime64[s]")
    stamps = history[release].to_numpy("datetime64[s]")
    within = stamps <= points[-1]
    part = history.loc[within]
    slot = np.searchsorted(points, stamps[within], side="left")
    codes = _codes(part, key)
    order = np.lexsort((stamps[within], codes))
    k, s = codes[order], slot[order]
    # the newest row of each key in each slot
    last = np.r_[(k[1:] != k[:-1]) | (s[1:] != s[:-1]), True]
    k, s, rows = k[last], s[last], order[last]
    v = _value_matrix(part, values)[rows]
    same_key = np.r_[False, k[1:] == k[:-1]]
    unchanged = np.r_[
        False, np.logical_and.reduce(_same(v[1:], v[:-1]), axis=1) if len(v) > 1 else []
    ].astype(bool)
    tomb = np.isnan(v).all(axis=1) if len(values) else np.zeros(len(k), bool)
    prev_tomb = np.r_[True, tomb[:-1]]
    # keep a row that differs from what the key showed at the previous point; a tombstone
    # of a key that showed nothing is nothing
    keep = ~(same_key & unchanged) & ~(tomb & (~same_key | prev_tomb))
    out = part.iloc[rows[keep]].copy()
    out[release] = pd.Series(points[s[keep]], index=out.index).astype(
        history[release].dtype
    )
    kept: pd.DataFrame = out.reset_index(drop=True)
    return kept


def view(
    history: pd.DataFrame,
    at: pd.Timestamp,
    key: Sequence[str],
    *,
    release: str = "release",
    values: Sequence[str] = ("value",),
) -> pd.DataFrame:
    """The whole table of release ``at``: for each key the newest row of ``history`` on or
    before ``at``, keys whose newest row is a tombstone dropped; ``release`` set to ``at``
    (a release that changed nothing has no row of its own: its table is the one before,
    and it is still release ``at``). Sorted by key."""
    stamps = history[release].to_numpy("datetime64[s]")
    part = history.loc[stamps <= np.datetime64(pd.Timestamp(at), "s")]
    if part.empty:
        return part.copy()
    codes = _codes(part, key)
    order = np.lexsort((part[release].to_numpy("datetime64[s]"), codes))
    k = codes[order]
    last = np.r_[k[1:] != k[:-1], True]
    out = part.iloc[order[last]]
    out = out.loc[out[list(values)].notna().any(axis=1)].copy()
    out[release] = pd.Series(pd.Timestamp(at), index=out.index).astype(
        history[release].dtype
    )
    return out.sort_values(list(key), kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Difference:
    """Where two histories first disagree about a release."""

    release: pd.Timestamp
    row: dict[str, object]
    """The key of the first differing row."""
    stored: tuple[float, ...] | None
    """Its values in the stored history (None: no such row)."""
    new: tuple[float, ...] | None

    def describe(self, values: Sequence[str] = ("value",)) -> str:
        """``release 2025-01-15, US-CA admissions 2025-01-11: stored 812, now 815``."""
        return f"release {self.release:%Y-%m-%d}, {self.place(values)}"

    def place(self, values: Sequence[str] = ("value",)) -> str:
        """The row and its values: ``US-CA admissions 2025-01-11: stored 812, now 815``."""
        row = " ".join(
            v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else str(v)
            for v in self.row.values()
        )

        def show(numbers: tuple[float, ...] | None) -> str:
            if numbers is None or all(np.isnan(n) for n in numbers):
                return "no value"
            first, *rest = numbers
            interval = [n for n in rest if not np.isnan(n)]
            bounds = f" [{', '.join(f'{n:g}' for n in interval)}]" if interval else ""
            return f"{first:g}{bounds}"

        return f"{row}: stored {show(self.stored)}, now {show(self.new)}"


def compare(
    stored: pd.DataFrame,
    new: pd.DataFrame,
    key: Sequence[str],
    *,
    release: str = "release",
    values: Sequence[str] = ("value",),
) -> Difference | None:
    """The first difference between two histories over the releases both hold (by release,
    then key), or None if every such release has the same view in both. Releases only one of
    them holds are not compared."""
    found = differences(stored, new, key, release=release, values=values)
    return found[0] if found else None


def differences(
    stored: pd.DataFrame,
    new: pd.DataFrame,
    key: Sequence[str],
    *,
    release: str = "release",
    values: Sequence[str] = ("value",),
) -> list[Difference]:
    """Each release both histories hold whose views differ, oldest first, with its first
    differing row (by key) and what each view shows there."""
    common = sorted(set(releases_of(stored, release)) & set(releases_of(new, release)))
    if not common:
        return []
    a = restrict(stored, common, key, release=release, values=values)
    b = restrict(new, common, key, release=release, values=values)
    columns = [release, *key]
    merged = a[[*columns, *values]].merge(
        b[[*columns, *values]], on=columns, how="outer", suffixes=("_a", "_b"),
        indicator=True,
    )  # fmt: skip
    va = merged[[f"{c}_a" for c in values]].to_numpy(np.float64, na_value=np.nan)
    vb = merged[[f"{c}_b" for c in values]].to_numpy(np.float64, na_value=np.nan)
    differs = (merged["_merge"] != "both").to_numpy() | ~np.logical_and.reduce(
        _same(va, vb), axis=1
    )
    if not differs.any():
        return []
    # A changed row differs in the views of the later releases only while the values shown
    # differ: compare what each view shows, release by release, for the rows that changed.
    touched = (
        merged.loc[differs, list(key)]
        .drop_duplicates()
        .sort_values(list(key), kind="stable", ignore_index=True)
    )
    shown_a = _shown(a, touched, common, key, release, values)
    shown_b = _shown(b, touched, common, key, release, values)
    out = []
    for column, when in enumerate(common):
        x, y = shown_a[:, column, :], shown_b[:, column, :]
        odd = np.flatnonzero(~np.logical_and.reduce(_same(x, y), axis=1))
        if not len(odd):
            continue
        first = odd[0]  # the rows are sorted by key
        out.append(
            Difference(
                when,
                {c: touched.iloc[first][c] for c in key},
                _numbers(x[first]),
                _numbers(y[first]),
            )
        )
    return out


#: What a view shows where a row's values are missing (an interval not given, or a row
#: gone): values are never negative, so it cannot be a value.
_NOTHING = -1.0


def _shown(
    history: pd.DataFrame,
    rows: pd.DataFrame,
    at: Sequence[pd.Timestamp],
    key: Sequence[str],
    release: str,
    values: Sequence[str],
) -> np.ndarray:
    """What the views of ``history`` at the releases ``at`` show for ``rows`` (keys, in
    their order): an array rows x releases x values, NaN before a row's first release,
    :data:`_NOTHING` for a missing value."""
    part = history.merge(rows, on=list(key), how="inner")
    place = rows.reset_index().merge(part, on=list(key), how="inner")
    slot = np.searchsorted(
        np.array([np.datetime64(t, "s") for t in at]),
        place[release].to_numpy("datetime64[s]"),
    )
    out = np.full((len(rows), len(at), len(values)), np.nan)
    numbers = np.nan_to_num(
        place[list(values)].to_numpy(np.float64, na_value=np.nan), nan=_NOTHING
    )
    index = place["index"].to_numpy(np.int64)
    order = np.lexsort((slot, index))
    for i in order:  # oldest first: a later row of a row overwrites an earlier one
        out[index[i], slot[i] :, :] = numbers[i]
    return out


def _numbers(shown: np.ndarray) -> tuple[float, ...] | None:
    """A view's values of one row as :class:`Difference` keeps them (None: no row)."""
    if np.isnan(shown).all() or (shown == _NOTHING).all():
        return None
    return tuple(float("nan") if n == _NOTHING else float(n) for n in shown)

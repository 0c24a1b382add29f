"""A source's releases in the store: a new file's history merged with the stored one, so that a stored release never changes.

An update of a source with releases (:attr:`epicurves.sources.Source.releases`) parses the
upstream file into its history (:mod:`epicurves.releases`) and hands it here with the stored
history. :func:`merge_history` then decides:

- the releases both hold must show the same values; a release published again with other
  values is refused (:class:`~epicurves.ValidationError` naming the release and the first row
  that differs), unless ``force`` (``update --force``), which records the replacement;
- releases newer than the newest stored one are appended, as one new history file holding only
  them: the stored files are reused as they are;
- releases the file no longer holds are kept; a release it holds that is older than the
  newest stored one and was never stored is added (the history is rewritten);
- signals epicurves derives (:attr:`epicurves.sources.Signal.derived`, the admissions per
  100,000) are not compared: when only they differ (a new population table), the stored
  releases' derived values are computed again.

When the upstream file is the one already stored (the same bytes parsed again by other code),
differences come from the code, not from upstream: the history is rebuilt from the file,
keeping the releases it lacks, and a note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..errors import ValidationError
from ..lazy import np, pd
from ..model import SIGNAL_KEY
from ..releases import (
    Difference,
    changes,
    compare,
    differences,
    releases_of,
    restrict,
    view,
)

__all__ = ["Merged", "merge_history"]

#: The columns a release's value is compared on.
VALUES: tuple[str, ...] = ("value", "lo", "hi")


@dataclass
class Merged:
    """What to store of a source with releases after an update."""

    latest: pd.DataFrame
    """The whole table of the newest release: the source's signals table."""
    history: pd.DataFrame | None
    """The rows of a new history file (None: no new file)."""
    reuse: tuple[str, ...]
    """The stored history files kept, oldest first (none when the history is rewritten)."""
    releases: list[str]
    """Every release then stored (YYYY-MM-DD), oldest first."""
    replaced: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _day(stamp: pd.Timestamp) -> str:
    return f"{stamp:%Y-%m-%d}"


def merge_history(
    stored: pd.DataFrame,
    stored_files: Sequence[str],
    new: pd.DataFrame,
    *,
    source: str,
    files: str,
    force: bool,
    same_bytes: bool,
    replaced: Sequence[dict[str, str]] = (),
    derived: Sequence[str] = (),
    listed: Sequence[pd.Timestamp] = (),
    kept: Sequence[str] = (),
) -> Merged:
    """Merge the history ``new`` parsed from ``files`` with the ``stored`` one (held in
    ``stored_files``); see the module's documentation for the rules. ``derived`` names the
    signals epicurves computes (:attr:`epicurves.sources.Signal.derived`): releases are
    compared on the others. ``listed``: every release the file holds, also those that
    changed nothing (which have no row in ``new``); ``kept``: every stored release (YYYY-MM-DD),
    likewise. Raises :class:`~epicurves.ValidationError` for a release
    published again with other values."""
    key = list(SIGNAL_KEY)
    ours = sorted({*releases_of(stored), *(pd.Timestamp(r) for r in kept)})
    theirs = sorted({*releases_of(new), *(pd.Timestamp(r) for r in listed)})
    if not theirs:
        msg = "the file holds no release"
        raise ValidationError(msg, source=source, file=files, column="release")
    notes: list[str] = []
    done = list(replaced)
    history: pd.DataFrame | None
    reuse: tuple[str, ...]
    if not ours:
        history, reuse, every = new, (), theirs
    elif [r for r in theirs if r <= ours[-1]] == ours and _same_rows(
        stored, new.loc[new["release"] <= ours[-1]], key
    ):
        # The usual case: the file holds the stored releases as they are, and maybe newer
        # ones, whose rows are then what changed since the newest stored release.
        later = new.loc[new["release"] > ours[-1]]
        history = None if later.empty else later.reset_index(drop=True)
        reuse, every = (
            tuple(stored_files),
            [*ours, *(r for r in theirs if r > ours[-1])],
        )
    else:
        found = differences(
            _published(stored, derived), _published(new, derived), key, values=VALUES
        )
        if found and not (force or same_bytes):
            first = found[0]
            msg = (
                f"release {_day(first.release)} was published again with other values "
                f"(first at {first.place(VALUES)}): a stored release never changes; "
                f"nothing was stored. `epicurves update --source {source} --force` "
                "replaces it"
            )
            raise ValidationError(msg, source=source, file=files)
        missing = sorted(set(theirs) - set(ours))
        if (
            found
            or any(r < ours[-1] for r in missing)
            or _derived_differ(stored, new, derived, key)
        ):
            why = _why(found, force and not same_bytes, missing, ours[-1], derived)
            if force and not same_bytes:
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                done += [
                    {
                        "release": _day(d.release),
                        "replaced_at": stamp,
                        "difference": d.describe(VALUES),
                    }
                    for d in found
                ]
            notes.append(why)
            history, reuse = _rewrite(stored, new, key, theirs), ()
            every = sorted({*ours, *theirs})
        else:
            history, reuse = _append(stored, new, key, ours[-1]), tuple(stored_files)
            every = [*ours, *(r for r in theirs if r > ours[-1])]
    lost = sorted(set(ours) - set(theirs))
    if lost:
        notes.append(
            f"{len(lost)} stored release(s) no longer in the file, kept "
            f"({', '.join(_day(r) for r in lost[:3])}{', ...' if len(lost) > 3 else ''})"
        )
    newest = every[-1]
    latest = view(new if newest in theirs else stored, newest, key, values=VALUES)
    return Merged(
        latest=latest,
        history=history,
        reuse=reuse,
        releases=[_day(r) for r in every],
        replaced=done,
        notes=notes,
    )


def _published(history: pd.DataFrame, derived: Sequence[str]) -> pd.DataFrame:
    """The rows of the signals a source publishes (not those epicurves derives)."""
    if not derived:
        return history
    return history.loc[~history["signal"].isin(list(derived)).to_numpy(dtype=bool)]


def _derived_differ(
    stored: pd.DataFrame, new: pd.DataFrame, derived: Sequence[str], key: list[str]
) -> bool:
    """Whether the derived signals of the releases both hold differ (a new population
    table, say)."""
    if not derived:
        return False
    mine = stored.loc[stored["signal"].isin(list(derived)).to_numpy(dtype=bool)]
    theirs = new.loc[new["signal"].isin(list(derived)).to_numpy(dtype=bool)]
    return compare(mine, theirs, key, values=VALUES) is not None


def _why(
    found: list[Difference],
    forced: bool,
    missing: list[pd.Timestamp],
    newest: pd.Timestamp,
    derived: Sequence[str],
) -> str:
    """The note of a history rewritten from the file."""
    if found and forced:
        days = ", ".join(_day(d.release) for d in found)
        return (
            f"release(s) {days} replaced by the file's (update --force; first difference "
            f"at {found[0].place(VALUES)})"
        )
    if found:
        return (
            "the releases were parsed again by other code: their history is rebuilt "
            "from the file"
        )
    older = [r for r in missing if r < newest]
    if older:
        return (
            f"{len(older)} release(s) older than the newest stored one, not stored before, "
            f"added ({', '.join(_day(r) for r in older[:3])}"
            f"{', ...' if len(older) > 3 else ''})"
        )
    return (
        f"the derived values ({', '.join(derived)}) of the stored releases are computed "
        "again from the file (a new table they are computed with, such as populations)"
    )


def _same_rows(a: pd.DataFrame, b: pd.DataFrame, key: list[str]) -> bool:
    """Whether two histories hold the same rows (keys, releases and values; in any order),
    by a 64-bit hash of each row."""
    if len(a) != len(b):
        return False
    columns = [*key, "release", *VALUES]

    def hashes(frame: pd.DataFrame) -> np.ndarray:
        return np.sort(
            pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
        )

    return bool((hashes(a) == hashes(b)).all())


def _append(
    stored: pd.DataFrame, new: pd.DataFrame, key: list[str], newest: pd.Timestamp
) -> pd.DataFrame | None:
    """The rows of the releases of ``new`` after ``newest`` (the newest stored release), each
    as what changed from the release before it: the first from the stored view of
    ``newest``. None if there is no newer release."""
    later = [r for r in releases_of(new) if r > newest]
    if not later:
        return None
    base = view(stored, newest, key, values=VALUES)
    base["release"] = base["release"].astype(new["release"].dtype)
    first = view(new, later[0], key, values=VALUES)
    # the stored view, then the file's views from the first new release on: the stored view
    # is whole, so restricting to [newest, later...] gives each new release's changes,
    # tombstones included (a row of the stored view the new release lacks).
    tail = restrict(new, later, key, values=VALUES)
    tail = tail.loc[tail["release"] > later[0]]
    gone = base.merge(first[key], on=key, how="left", indicator=True)
    gone = gone.loc[gone["_merge"] == "left_only", base.columns]
    gone = gone.assign(value=float("nan"), lo=float("nan"), hi=float("nan"))
    gone["release"] = pd.Series(later[0], index=gone.index).astype(
        base["release"].dtype
    )
    pair = restrict(
        pd.concat([base, first], ignore_index=True),
        [newest, later[0]],
        key,
        values=VALUES,
    )
    pair = pair.loc[pair["release"] == later[0]]
    out = pd.concat([pair, gone, tail], ignore_index=True)
    return out.sort_values([*key, "release"], kind="stable", ignore_index=True)


def _rewrite(
    stored: pd.DataFrame,
    new: pd.DataFrame,
    key: list[str],
    listed: Sequence[pd.Timestamp],
) -> pd.DataFrame:
    """One history of every release either holds: the file's view of the releases it holds
    (``listed``), the stored view of the others."""
    theirs = set(listed)
    views = [
        view(new if r in theirs else stored, r, key, values=VALUES)
        for r in sorted(theirs | set(releases_of(stored)))
    ]
    return changes(pd.concat(views, ignore_index=True), key, values=VALUES)

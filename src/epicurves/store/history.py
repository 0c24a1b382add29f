"""A source's releases in the store: a new file's history merged with the stored one, so that a stored release never changes.

An update of a source with releases (:attr:`epicurves.sources.Source.releases`) parses the
upstream file into its history (:mod:`epicurves.releases`) and hands it here with the stored
history. :func:`merge_history` then decides:

- the releases both hold must show the same values; a release published again with other
  values is refused (:class:`~epicurves.ValidationError` naming the release and the first row
  that differs), unless ``force`` (``update --force``), which records the replacement;
- releases newer than the newest stored one are appended, as one new history file holding only
  them: the stored files are reused as they are;
- releases the file no longer holds are kept.

When the upstream file is the one already stored (the same bytes parsed again by other code),
differences come from the code, not from upstream: the history is rebuilt from the file,
keeping the releases it lacks, and a note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..model import SIGNAL_KEY
from ..releases import changes, compare, releases_of, restrict, view

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
) -> Merged:
    """Merge the history ``new`` parsed from ``files`` with the ``stored`` one (held in
    ``stored_files``); see the module's documentation for the rules. Raises
    :class:`~epicurves.ValidationError` for a release published again with other values."""
    key = list(SIGNAL_KEY)
    ours = releases_of(stored)
    theirs = releases_of(new)
    if not theirs:
        msg = "the file holds no release"
        raise ValidationError(msg, source=source, file=files, column="release")
    history: pd.DataFrame | None
    notes: list[str] = []
    done = list(replaced)
    if not ours:
        history, reuse, every = new, (), theirs
    elif [r for r in theirs if r <= ours[-1]] == ours and _same_rows(
        stored, new.loc[new["release"] <= ours[-1]], key
    ):
        # The usual case: the file holds the stored releases as they are, and maybe newer
        # ones, whose rows are then what changed since the newest stored release.
        later = new.loc[new["release"] > ours[-1]]
        history = None if later.empty else later.reset_index(drop=True)
        reuse, every = tuple(stored_files), [*ours, *releases_of(later)]
    else:
        difference = compare(stored, new, key, values=VALUES)
        if difference is not None and not (force or same_bytes):
            msg = (
                f"release {_day(difference.release)} was published again with other "
                f"values (first at {difference.place(VALUES)}): "
                "a stored release never changes; nothing was stored. "
                f"`epicurves update --source {source} --force` replaces it"
            )
            raise ValidationError(msg, source=source, file=files)
        if difference is not None:
            if force and not same_bytes:
                done.append(
                    {
                        "release": _day(difference.release),
                        "replaced_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "difference": difference.describe(VALUES),
                    }
                )
                notes.append(
                    f"release {_day(difference.release)} replaced by the one published "
                    f"again ({difference.describe(VALUES)})"
                )
            else:
                notes.append(
                    "the releases were parsed again by other code: their history is "
                    "rebuilt from the file"
                )
            history, reuse = _rewrite(stored, new, key), ()
            every = releases_of(history)
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
    if newest in theirs:
        latest = view(new, newest, key, values=VALUES)
    else:
        latest = view(stored, newest, key, values=VALUES)
    return Merged(
        latest=latest,
        history=history,
        reuse=reuse,
        releases=[_day(r) for r in every],
        replaced=done,
        notes=notes,
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


def _rewrite(stored: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One history of every release either holds: the file's view of the releases it holds,
    the stored view of the others."""
    theirs = set(releases_of(new))
    views = [
        view(new if r in theirs else stored, r, key, values=VALUES)
        for r in sorted(theirs | set(releases_of(stored)))
    ]
    whole = pd.concat(views, ignore_index=True)
    return changes(whole, key, values=VALUES)

"""What the fault suite's modules share: the fixture mirror, a bad input with the outcome it
must have, and a snapshot of a store's data files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from epicurves import Settings

from . import inputs as I

FIXTURES = Path(__file__).parent.parent / "data"
#: Files of the store an update writes whatever its outcome.
NOT_DATA = ("checked.json", "pins")


@dataclass(frozen=True)
class Input:
    name: str
    mutate: I.Mutation
    sources: tuple[str, ...]
    outcome: str | dict[str, str] = "refuse"
    """``refuse``, ``same`` or ``kept``; per source where they differ."""
    why: str = ""
    """Why a tolerance is one (one line)."""
    words: tuple[str, ...] = ()
    """Words a refusal's message must hold besides the source and the file."""
    check: Callable[[Settings, str, tuple[pd.DataFrame, pd.DataFrame]], None] | None = (
        None
    )
    """For ``kept``: what must hold of the stored data."""

    def outcome_for(self, source: str) -> str:
        return (
            self.outcome
            if isinstance(self.outcome, str)
            else self.outcome.get(source, "refuse")
        )


Frames = tuple[pd.DataFrame, pd.DataFrame]


def snapshot(settings: Settings) -> dict[str, bytes]:
    root = settings.store_dir
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in NOT_DATA
    }

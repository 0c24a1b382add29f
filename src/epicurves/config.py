"""Settings: explicit arguments, then ``EPICURVES_*`` environment variables, then defaults.

Every setting is declared once in :data:`SETTINGS`; the README's settings table is checked
against it by the tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

__all__ = ["DEFAULT_PRECEDENCE", "SETTINGS", "Setting", "Settings"]

#: Which source is shown for a region that several sources cover: the first in this list that
#: has the region. Live official sources first, then the frozen and derived ones.
DEFAULT_PRECEDENCE: tuple[str, ...] = (
    "rki",
    "rki-states",
    "rki-districts",
    "jhu",
    "nyt",
    "jhu-us",
    "germany",
)


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, and what it does."""

    name: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "home",
        "EPICURVES_HOME",
        "Folder of the store, the download cache and the lock file "
        "(default: the platform's user data folder, e.g. ~/.local/share/epicurves).",
    ),
    Setting(
        "mirror",
        "EPICURVES_MIRROR",
        "Read upstream files from this folder (laid out as DIR/<folder>/<file>[.gz]) "
        "instead of downloading them.",
    ),
    Setting(
        "scheduler",
        "EPICURVES_SCHEDULER",
        "Build the site's regions on this Dask distributed scheduler (an address such as "
        "tcp://10.0.0.5:8786, or `local` for a LocalCluster on this machine; needs "
        "epicurves[dask]) instead of a local process pool.",
    ),
    Setting(
        "precedence",
        "EPICURVES_PRECEDENCE",
        "Comma-separated source names: for a region covered by several sources, the first "
        "listed is shown (default: " + ",".join(DEFAULT_PRECEDENCE) + ").",
    ),
)


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("epicurves", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where the store lives, where upstream files come from, which source wins, and where the
    site's regions are built."""

    home: Path = field(default_factory=_default_home)
    mirror: Path | None = None
    precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
    scheduler: str | None = None

    def __post_init__(self) -> None:
        # Accept strings for the folders, as users type them in notebooks.
        object.__setattr__(self, "home", Path(self.home).expanduser())
        if self.mirror is not None:
            object.__setattr__(self, "mirror", Path(self.mirror).expanduser())
        object.__setattr__(self, "precedence", tuple(self.precedence))

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        home: str | Path | None = None,
        mirror: str | Path | None = None,
        precedence: str | tuple[str, ...] | None = None,
        scheduler: str | None = None,
    ) -> Settings:
        """Build settings from explicit values, falling back to ``EPICURVES_*`` variables.

        >>> Settings.from_env({"EPICURVES_HOME": "/tmp/x"}).home
        PosixPath('/tmp/x')
        >>> Settings.from_env({}, precedence="jhu, rki").precedence[:2]
        ('jhu', 'rki')
        """
        env = os.environ if environ is None else environ
        home = home or env.get("EPICURVES_HOME") or None
        mirror = mirror or env.get("EPICURVES_MIRROR") or None
        precedence = precedence or env.get("EPICURVES_PRECEDENCE") or None
        scheduler = scheduler or env.get("EPICURVES_SCHEDULER") or None
        if isinstance(precedence, str):
            precedence = tuple(p.strip() for p in precedence.split(",") if p.strip())
        return cls(
            home=Path(home).expanduser() if home else _default_home(),
            mirror=Path(mirror).expanduser() if mirror else None,
            precedence=tuple(precedence) if precedence else DEFAULT_PRECEDENCE,
            scheduler=scheduler,
        )

    @property
    def store_dir(self) -> Path:
        """The folder holding the Parquet tables and their manifest."""
        return self.home / "store"

    @property
    def downloads_dir(self) -> Path:
        """The folder holding the last good copy of each downloaded upstream file."""
        return self.home / "downloads"

    @property
    def http_cache(self) -> Path:
        """The HTTP cache of requests-cache (responses with their ETag/Last-Modified)."""
        return self.home / "http-cache"

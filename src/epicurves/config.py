"""Settings: explicit arguments, then ``EPICURVES_*`` environment variables, then defaults.

Every setting is declared once in :data:`SETTINGS`; the documentation's settings reference
(docs/reference/settings.md) is made from it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

__all__ = [
    "DEFAULT_DOCS_URL",
    "DEFAULT_PRECEDENCE",
    "SETTINGS",
    "Setting",
    "Settings",
    "binder_problem",
    "docs_problem",
]

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


#: Where the documentation is published: Read the Docs' address for the project's
#: ``.readthedocs.yaml``. A deployer with docs of their own sets ``EPICURVES_DOCS_URL``.
DEFAULT_DOCS_URL = "https://epicurves.readthedocs.io/en/latest/"


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, and what it does."""

    name: str
    env: str
    help: str


#: Every setting: its field of :class:`Settings`, its environment variable and what it does
#: (:meth:`Settings.from_env` reads the variables; ``epicurves`` commands read them too).
#:
#: >>> [(s.name, s.env) for s in SETTINGS[:2]]
#: [('home', 'EPICURVES_HOME'), ('mirror', 'EPICURVES_MIRROR')]
#: >>> all(hasattr(Settings.from_env(), s.name) for s in SETTINGS)
#: True
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
        "cache",
        "EPICURVES_CACHE",
        "Folder of what is made from the code alone (the site's chart layouts, seconds of "
        "work per version), which homes can share (default: HOME/cache).",
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
    Setting(
        "binder_repo",
        "EPICURVES_BINDER_REPO",
        "The GitHub repository (owner/name) whose binder/ folder builds the Binder image: the "
        "site's region pages and recipes get 'Open on Binder' links into it (unset: no "
        "links).",
    ),
    Setting(
        "binder_ref",
        "EPICURVES_BINDER_REF",
        "The branch, tag or commit of the Binder repository the links open (default: main).",
    ),
    Setting(
        "docs_url",
        "EPICURVES_DOCS_URL",
        "Address of the documentation the site links to (its About page, its footer and each "
        "chart's \"How is this computed?\"), ending in '/'; `none` leaves the links out "
        f"(default: {DEFAULT_DOCS_URL}).",
    ),
)

#: A GitHub repository as ``owner/name``: an account name (letters, digits, '-', at most 39)
#: and a repository name (letters, digits, '-', '.', '_', at most 100; not '.' or '..').
_GITHUB_REPO = re.compile(
    r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})"
)
#: What git refuses in a branch or tag name (``git check-ref-format``), and whitespace.
_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^[-/]|/$|\.$|\.lock$|//")


def docs_problem(url: str | None) -> str | None:
    """What is wrong with ``url`` as the documentation's address (None: nothing). An address
    on the web (``https://``, ``http://``), a path from the host's top (``/docs/``) or one
    relative to the site's top folder (``../docs/``).

    >>> docs_problem("javascript:alert(1)/")
    "docs_url (EPICURVES_DOCS_URL): expected an https:// or http:// address or a path, found 'javascript:alert(1)/'"
    >>> docs_problem("https://epicurves.example.org/") is None
    True
    """
    if url is None or re.match(r"https?://[^\s\"'<>]+$|[^:\s\"'<>]+$", url):
        return None
    return (
        "docs_url (EPICURVES_DOCS_URL): expected an https:// or http:// address or a "
        f"path, found {url!r}"
    )


def binder_problem(repo: str | None, ref: str) -> str | None:
    """What is wrong with a Binder repository and ref, or None: the repository must be a
    GitHub ``owner/name`` and the ref a git branch, tag or commit (they become parts of the
    links on the site's pages).

    >>> binder_problem("me/epicurves", "main") is None
    True
    >>> binder_problem("https://github.com/me/epicurves", "main")  # doctest: +ELLIPSIS
    "binder_repo (EPICURVES_BINDER_REPO): expected ... found 'https://github.com/me/epicurves'"
    """
    if repo is not None:
        found = _GITHUB_REPO.fullmatch(repo)
        if found is None or found["name"] in (".", ".."):
            return (
                "binder_repo (EPICURVES_BINDER_REPO): expected a GitHub repository as "
                "owner/name (letters, digits and '-'; the name may also hold '.' and '_'), "
                f"found {repo!r}"
            )
    if not ref or _BAD_REF.search(ref):
        return (
            "binder_ref (EPICURVES_BINDER_REF): expected a branch, tag or commit (no spaces, "
            f"'~^:?*[\\', '..' or '@{{'), found {ref!r}"
        )
    return None


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("epicurves", appauthor=False))


def _env_cache() -> Path | None:
    """``EPICURVES_CACHE``, where set: read by every :class:`Settings`, as the platform's
    folders are (a cache of the code's output is the same for every home)."""
    value = os.environ.get("EPICURVES_CACHE", "").strip()
    return Path(value).expanduser() if value else None


@dataclass(frozen=True)
class Settings:
    """Where the store lives, where upstream files come from, which source wins, and where the
    site's regions are built.

    >>> settings = Settings(home="epicurves-data", precedence=("jhu", "rki"))
    >>> settings.store_dir.as_posix(), settings.precedence
    ('epicurves-data/store', ('jhu', 'rki'))
    >>> jhu_first = Settings.from_env(precedence="jhu,rki")  # the store of EPICURVES_HOME
    >>> load_regions(settings=jhu_first).query("region_id == 'DE'")["source"].tolist()
    ['jhu']
    """

    home: Path = field(default_factory=_default_home)
    mirror: Path | None = None
    precedence: tuple[str, ...] = DEFAULT_PRECEDENCE
    scheduler: str | None = None
    binder_repo: str | None = None
    """``owner/name`` of the GitHub repository whose ``binder/`` folder builds the Binder
    image the site's "Open on Binder" links open (None: no links)."""
    binder_ref: str = "main"
    """The branch, tag or commit of ``binder_repo`` the links open."""
    docs_url: str | None = DEFAULT_DOCS_URL
    """The documentation's address the site links to, ending in ``/`` (None: no links)."""
    cache: Path | None = field(default_factory=_env_cache)
    """The folder of what is made from the code alone (None: ``home/cache``). Unlike the
    other fields, its default reads ``EPICURVES_CACHE``, as the home's default reads the
    platform's folders: one machine's cache, whichever home a notebook or test opens."""

    def __post_init__(self) -> None:
        # Accept strings for the folders, as users type them in notebooks.
        object.__setattr__(self, "home", Path(self.home).expanduser())
        if self.mirror is not None:
            object.__setattr__(self, "mirror", Path(self.mirror).expanduser())
        if self.cache is not None:  # "" is no folder: the home's
            cache = Path(self.cache).expanduser() if str(self.cache).strip() else None
            object.__setattr__(self, "cache", cache)
        object.__setattr__(self, "precedence", tuple(self.precedence))
        # The Binder settings are checked where they are used (the site's build raises a
        # UsageError naming them): this module sits below the exception tree.

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        home: str | Path | None = None,
        mirror: str | Path | None = None,
        precedence: str | tuple[str, ...] | None = None,
        scheduler: str | None = None,
        binder_repo: str | None = None,
        binder_ref: str | None = None,
        docs_url: str | None = None,
        cache: str | Path | None = None,
    ) -> Settings:
        """Build settings from explicit values, falling back to ``EPICURVES_*`` variables.

        >>> Settings.from_env({"EPICURVES_HOME": "/tmp/x"}).home
        PosixPath('/tmp/x')
        >>> Settings.from_env({}, precedence="jhu, rki").precedence[:2]
        ('jhu', 'rki')
        >>> Settings.from_env({"EPICURVES_BINDER_REPO": "me/epicurves"}).binder_ref
        'main'
        >>> Settings.from_env({"EPICURVES_DOCS_URL": "https://docs.example.org/epi"}).docs_url
        'https://docs.example.org/epi/'
        >>> Settings.from_env({"EPICURVES_DOCS_URL": "none"}).docs_url is None
        True
        """
        env = os.environ if environ is None else environ
        home = home or env.get("EPICURVES_HOME") or None
        mirror = mirror or env.get("EPICURVES_MIRROR") or None
        precedence = precedence or env.get("EPICURVES_PRECEDENCE") or None
        scheduler = scheduler or env.get("EPICURVES_SCHEDULER") or None
        binder_repo = (binder_repo or env.get("EPICURVES_BINDER_REPO", "")).strip()
        binder_ref = (binder_ref or env.get("EPICURVES_BINDER_REF", "")).strip()
        docs_url = (docs_url or env.get("EPICURVES_DOCS_URL", "")).strip()
        cache = cache or env.get("EPICURVES_CACHE", "").strip() or None
        if (
            docs_url
            and docs_url.lower() != "none"
            and not docs_url.endswith("/")
            and docs_problem(docs_url) is None  # the error quotes what the user wrote
        ):
            docs_url += "/"
        if isinstance(precedence, str):
            precedence = tuple(p.strip() for p in precedence.split(",") if p.strip())
        return cls(
            home=Path(home).expanduser() if home else _default_home(),
            mirror=Path(mirror).expanduser() if mirror else None,
            precedence=tuple(precedence) if precedence else DEFAULT_PRECEDENCE,
            scheduler=scheduler,
            binder_repo=binder_repo or None,
            binder_ref=binder_ref or "main",
            docs_url=None
            if docs_url.lower() == "none"
            else docs_url or DEFAULT_DOCS_URL,
            cache=Path(cache).expanduser() if cache else None,
        )

    @property
    def binder(self) -> tuple[str, str] | None:
        """``(owner/name, ref)`` of the Binder repository the site links to, or None."""
        return None if self.binder_repo is None else (self.binder_repo, self.binder_ref)

    @property
    def store_dir(self) -> Path:
        """The folder holding the Parquet tables and their manifest."""
        return self.home / "store"

    @property
    def downloads_dir(self) -> Path:
        """The folder holding the last good copy of each downloaded upstream file."""
        return self.home / "downloads"

    @property
    def layout_cache(self) -> Path:
        """The folder of the site's chart layouts, kept between builds (they depend on the
        code only, and take seconds to make): in :attr:`cache`, else the home's."""
        return (self.cache or self.home / "cache") / "layouts"

    @property
    def http_cache(self) -> Path:
        """The HTTP cache of requests-cache (responses with their ETag/Last-Modified)."""
        return self.home / "http-cache"

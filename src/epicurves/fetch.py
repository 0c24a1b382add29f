"""All network and mirror I/O: the HTTP cache, the mirror folder, temp-then-replace downloads.

A download goes through requests-cache, which keeps each response with its ``ETag`` and
``Last-Modified`` and revalidates it on every request (a conditional GET), so a second update of
an unchanged upstream file transfers nothing. The body is written to a temporary file beside its
target in ``<home>/downloads/<folder>/``; it replaces the last good copy only after the pipeline
has parsed, validated and stored it (:meth:`Fetched.commit`). A mirror folder laid out as
``DIR/<folder>/<name>`` (or ``<name>.gz``) is read in place instead, by the same parsing code.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from .config import Settings
from .errors import FetchError, NotInMirrorError
from .sources.base import Source, UpstreamFile

__all__ = ["Fetched", "Fetcher", "file_sha256", "find_in_mirror"]

#: Seconds to wait for a connection, and for each chunk of a response.
TIMEOUT = (15, 300)
USER_AGENT = "epicurves (+https://github.com/epicurves/epicurves)"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_in_mirror(mirror: Path, file: UpstreamFile) -> Path | None:
    """Where ``file`` is in a mirror folder: ``<folder>/<name>``, else ``<folder>/<name>.gz``."""
    for candidate in (
        mirror / file.folder / file.name,
        mirror / file.folder / (file.name + ".gz"),
    ):
        if candidate.is_file():
            return candidate
    return None


@dataclass
class Fetched:
    """One upstream file, fetched and ready to parse from ``path``."""

    file: UpstreamFile
    path: Path
    origin: str
    """The URL it came from, or its path in the mirror."""
    sha256: str
    retrieved_at: datetime
    not_modified: bool
    """True when the server answered 304 (or the mirror file is unchanged): nothing transferred."""
    target: Path | None = None
    """Where a download's last good copy lives; ``None`` for mirror files, read in place."""

    def commit(self) -> None:
        """Make this download the last good copy (after it was parsed and stored)."""
        if self.target is not None and self.path != self.target:
            os.replace(self.path, self.target)
            self.path = self.target

    def discard(self) -> None:
        """Remove a download that was rejected; the last good copy stays."""
        if self.target is not None and self.path != self.target:
            self.path.unlink(missing_ok=True)


class Fetcher:
    """Fetches upstream files, from a mirror folder or through the HTTP cache."""

    def __init__(
        self, settings: Settings, session: requests.Session | None = None
    ) -> None:
        self.settings = settings
        self._session = session
        self._own_session = session is None

    @property
    def session(self) -> requests.Session:
        """The cached HTTP session, made on first use (a mirror never needs one)."""
        if self._session is None:
            import requests_cache

            self.settings.http_cache.mkdir(parents=True, exist_ok=True)
            self._session = requests_cache.CachedSession(
                str(self.settings.http_cache),
                backend="filesystem",
                expire_after=0,  # cache every response, revalidate it on every request
                allowable_codes=(200,),
                stale_if_error=False,
            )
            self._session.headers["User-Agent"] = USER_AGENT
        return self._session

    def close(self) -> None:
        """Close the HTTP session if this fetcher made it."""
        if self._session is not None and self._own_session:
            self._session.close()
            self._session = None

    def fetch(self, source: Source, file: UpstreamFile) -> Fetched:
        """Fetch one file of ``source`` from the mirror (if set) or its URL."""
        if self.settings.mirror is not None:
            return self._from_mirror(source, file, self.settings.mirror)
        return self._download(source, file)

    def _from_mirror(self, source: Source, file: UpstreamFile, mirror: Path) -> Fetched:
        path = find_in_mirror(mirror, file)
        if path is None:
            msg = f"not in the mirror {mirror} (looked for {file.folder}/{file.name} and {file.name}.gz)"
            raise NotInMirrorError(msg, source=source.name, file=file.name)
        return Fetched(
            file=file,
            path=path,
            origin=str(path),
            sha256=file_sha256(path),
            retrieved_at=datetime.now(UTC),
            not_modified=False,
        )

    def _download(self, source: Source, file: UpstreamFile) -> Fetched:
        target_dir = self.settings.downloads_dir / file.folder
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / file.name
        for stale in target_dir.glob(f".{file.name}.*.part"):
            stale.unlink(missing_ok=True)  # left by a killed update; we hold the lock
        try:
            response = self.session.get(file.url, timeout=TIMEOUT)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            msg = f"could not download {file.url} ({reason}); offline? --mirror DIR reads a local copy"
            raise FetchError(msg, source=source.name, file=file.name) from exc
        if response.status_code != 200:
            msg = f"HTTP {response.status_code} from {file.url}: expected 200 with the file"
            raise FetchError(msg, source=source.name, file=file.name)
        # requests-cache answers a revalidated (304) request from its cache: from_cache is True.
        not_modified = bool(getattr(response, "from_cache", False))
        handle, name = tempfile.mkstemp(
            prefix=f".{file.name}.", suffix=".part", dir=target_dir
        )
        digest = hashlib.sha256()
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in response.iter_content(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, requests.RequestException) as exc:
            Path(name).unlink(missing_ok=True)
            msg = f"download of {file.url} broke off ({type(exc).__name__}: {exc})"
            raise FetchError(msg, source=source.name, file=file.name) from exc
        return Fetched(
            file=file,
            path=Path(name),
            origin=file.url,
            sha256=digest.hexdigest(),
            retrieved_at=datetime.now(UTC),
            not_modified=not_modified,
            target=target,
        )

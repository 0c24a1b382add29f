"""All network and mirror I/O: the HTTP cache, the mirror folder, temp-then-replace downloads.

A download goes through requests-cache, which keeps each response with its ``ETag`` and
``Last-Modified`` and revalidates it on every request (a conditional GET), so a second update of
an unchanged upstream file transfers nothing. The body is written to a temporary file beside its
target in ``<home>/downloads/<folder>/``; it replaces the last good copy only after the pipeline
has parsed, validated and stored it (:meth:`Fetched.commit`). A mirror folder laid out as
``DIR/<folder>/<name>`` (or ``<name>.gz``) is read in place instead, by the same parsing code.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .errors import FetchError, NotInMirrorError
from .files import remove_stale, staged
from .sources.base import Source, UpstreamFile

if TYPE_CHECKING:  # imported where used: a mirror never needs them
    import requests

__all__ = ["Fetched", "Fetcher", "file_sha256", "find_in_mirror"]

#: Seconds to wait for a connection, and for each chunk of a response.
TIMEOUT = (15, 300)
#: The longest a whole download may take, and the most bytes it may have: an answer that never
#: ends (or trickles on for ever) is cut off. The real files take seconds and hold < 1 GB.
MAX_SECONDS = 3600.0
MAX_BYTES = 4 << 30
#: Bytes read at a time, at most: a read returns what has arrived, so the two bounds above are
#: checked after each arrival, even of a trickle (a silent server is cut off by TIMEOUT).
CHUNK = 1 << 16
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
    """Fetches upstream files, from a mirror folder or through the HTTP cache.

    Several threads may fetch at once: mirror files are read side by side, downloads one at a
    time (one HTTP session)."""

    def __init__(
        self, settings: Settings, session: requests.Session | None = None
    ) -> None:
        self.settings = settings
        self._session = session
        self._own_session = session is None
        self._downloading = threading.Lock()

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
        with self._downloading:
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
        import requests

        target_dir = self.settings.downloads_dir / file.folder
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / file.name
        remove_stale(
            target, suffix=".part"
        )  # left by a killed update; we hold the lock
        deadline = time.monotonic() + MAX_SECONDS
        # The hook reads the body within the bounds before requests-cache sees the response:
        # caching a response with an ETag would otherwise read all of it, without bounds.
        hook = functools.partial(_read_bounded, source, file, deadline)
        try:
            response = self.session.get(
                file.url, timeout=TIMEOUT, stream=True, hooks={"response": hook}
            )
        except requests.RequestException as exc:
            reason = type(exc).__name__
            if isinstance(exc, requests.ConnectionError | requests.Timeout):
                reason += "; offline? --mirror DIR reads a local copy"
            else:  # a redirect loop, a bad URL: say what it was, on one line
                reason += ": " + " ".join(str(exc).split())
            msg = f"could not download {file.url} ({reason})"
            raise FetchError(msg, source=source.name, file=file.name) from exc
        if response.status_code != 200:
            response.close()
            retry = response.headers.get("Retry-After")
            later = f" (the server says: retry after {retry!r})" if retry else ""
            msg = f"HTTP {response.status_code} from {file.url}: expected 200 with the file{later}"
            raise FetchError(msg, source=source.name, file=file.name)
        # requests-cache answers a revalidated (304) request from its cache: from_cache is True.
        not_modified = bool(getattr(response, "from_cache", False))
        digest = hashlib.sha256()
        size = 0
        try:
            # staged beside the last good copy; it replaces it once parsed and stored
            with response, staged(target, suffix=".part", mode=None) as (out, part):
                # In memory by now (read by the hook, or from the cache); bounded again anyway.
                for chunk in response.iter_content(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    _check_bounds(source, file, size, deadline)
        except (OSError, requests.RequestException) as exc:
            raise _broke_off(source, file, exc) from exc
        return Fetched(
            file=file,
            path=part,
            origin=file.url,
            sha256=digest.hexdigest(),
            retrieved_at=datetime.now(UTC),
            not_modified=not_modified,
            target=target,
        )


def _check_bounds(
    source: Source, file: UpstreamFile, size: int, deadline: float
) -> None:
    if size > MAX_BYTES or time.monotonic() > deadline:
        msg = (
            f"download of {file.url} cut off after {size:,} bytes: expected "
            f"a file of at most {MAX_BYTES:,} bytes within {MAX_SECONDS:g} s"
        )
        raise FetchError(msg, source=source.name, file=file.name)


def _broke_off(source: Source, file: UpstreamFile, exc: BaseException) -> FetchError:
    text = " ".join(str(exc).split())  # one line, whatever urllib3 wrote
    msg = f"download of {file.url} broke off ({type(exc).__name__}: {text})"
    return FetchError(msg, source=source.name, file=file.name)


def _read_bounded(
    source: Source,
    file: UpstreamFile,
    deadline: float,
    response: requests.Response,
    *args: object,
    **kwargs: object,
) -> requests.Response:
    """A response hook: read a 200 answer's body from the network within :data:`MAX_BYTES`
    and :data:`MAX_SECONDS` (each read returns what has arrived, so a trickle is cut off in
    time too), and keep it as the response's content. Other answers, and answers already read
    (from the cache), are left alone."""
    import urllib3

    if response.status_code != 200 or response._content_consumed:  # type: ignore[attr-defined]
        return response
    body = bytearray()
    try:
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            body += chunk
            _check_bounds(source, file, len(body), deadline)
    except FetchError:
        response.close()
        raise
    except (OSError, urllib3.exceptions.HTTPError) as exc:
        response.close()
        raise _broke_off(source, file, exc) from exc
    response._content = bytes(body)
    response._content_consumed = True  # type: ignore[attr-defined]
    return response

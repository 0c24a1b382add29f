"""Fetching upstream files over HTTP from a loopback server, and finding them in a mirror folder."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests
from requests.adapters import HTTPAdapter

import epicurves
from epicurves import FetchError, NotInMirrorError, Settings, Source, get_source
from epicurves.fetch import Fetched, Fetcher, file_sha256, find_in_mirror

# -- a loopback server that counts what it sends -----------------------------------------------


@dataclasses.dataclass
class Hit:
    """One request the server answered: its path, status and the body bytes sent."""

    path: str
    status: int
    body: int = 0


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder (with Last-Modified / If-Modified-Since -> 304) and records each answer."""

    hits: list[Hit]

    def send_response(self, code: int, message: str | None = None) -> None:
        self.hit = Hit(self.path, int(code))
        self.hits.append(self.hit)
        super().send_response(code, message)

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        # Counted before sending: the client may look at the hits as soon as it has the body.
        self.hit.body += os.fstat(source.fileno()).st_size - source.tell()
        super().copyfile(source, outputfile)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclasses.dataclass
class Server:
    """A folder served on 127.0.0.1, and every answer given so far."""

    root: Path
    url: str
    hits: list[Hit]

    def put(self, relative: str, data: bytes, *, later: int = 0) -> Path:
        """Write a served file; ``later`` seconds added to its mtime, so a change is seen."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.stat().st_mtime if path.exists() else None
        path.write_bytes(data)
        if before is not None:
            os.utime(path, (before + later, before + later))
        return path

    def statuses(self) -> list[int]:
        return [h.status for h in self.hits]

    def take(self) -> list[Hit]:
        """The answers since the last call."""
        out = list(self.hits)
        self.hits.clear()
        return out


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "served"
    root.mkdir()
    hits: list[Hit] = []
    handler = type("Handler", (CountingHandler,), {"hits": hits})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{httpd.server_address[1]}/", hits)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def fetcher(home: Path) -> Iterator[Fetcher]:
    """A fetcher with no mirror, downloading into ``home``; its HTTP session closed afterwards."""
    fetcher = Fetcher(Settings(home=home))
    try:
        yield fetcher
    finally:
        fetcher.session.close()


def served_source(name: str, base: str) -> Source:
    """Source ``name`` with every UpstreamFile pointed at ``base``/<folder>/<name>."""
    source = get_source(name)
    files = tuple(
        dataclasses.replace(f, url=f"{base}{f.folder}/{f.name}") for f in source.files
    )
    return dataclasses.replace(source, files=files)


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


V1 = b"date,state,fips,cases,deaths\n2020-01-21,Washington,53,1,0\n"
V2 = V1 + b"2020-01-22,Washington,53,2,0\n"


def last_good_copy(server: Server, fetcher: Fetcher) -> tuple[Source, Fetched]:
    """nyt's file served as :data:`V1`, fetched and committed: the copy a test then changes
    upstream."""
    server.put("nyt/us-states.csv", V1)
    source = served_source("nyt", server.url)
    first = fetcher.fetch(source, source.files[0])
    first.commit()
    return source, first


# -- Fetcher over HTTP -------------------------------------------------------------------------


def test_first_fetch_downloads_beside_the_target_and_commit_moves_it(
    server: Server, fetcher: Fetcher, home: Path
) -> None:
    server.put("nyt/us-states.csv", V1)
    source = served_source("nyt", server.url)
    file = source.files[0]
    target = home / "downloads" / "nyt" / "us-states.csv"

    got = fetcher.fetch(source, file)

    assert server.take() == [Hit("/nyt/us-states.csv", 200, len(V1))]
    assert not got.not_modified
    assert got.target == target
    assert got.path.parent == target.parent
    assert got.path != target
    assert got.path.read_bytes() == V1
    assert not target.exists()
    assert got.sha256 == file_sha256(got.path)
    assert got.origin == file.url
    got.commit()
    assert got.path == target
    assert target.read_bytes() == V1
    assert parts(target.parent) == []


def test_unchanged_file_is_not_transferred_again(
    server: Server, fetcher: Fetcher
) -> None:
    source, first = last_good_copy(server, fetcher)
    server.take()

    again = fetcher.fetch(source, source.files[0])

    assert server.take() == [Hit("/nyt/us-states.csv", 304, 0)]
    assert again.not_modified
    assert again.sha256 == first.sha256
    assert again.path.read_bytes() == V1
    again.discard()
    assert parts(again.target.parent) == []  # type: ignore[union-attr]
    assert first.path.read_bytes() == V1


def test_changed_file_arrives(server: Server, fetcher: Fetcher) -> None:
    source, first = last_good_copy(server, fetcher)
    server.put("nyt/us-states.csv", V2, later=10)
    server.take()

    changed = fetcher.fetch(source, source.files[0])

    assert server.take() == [Hit("/nyt/us-states.csv", 200, len(V2))]
    assert not changed.not_modified
    assert changed.sha256 != first.sha256
    assert changed.path.read_bytes() == V2
    changed.commit()
    assert first.path.read_bytes() == V2


def test_discard_keeps_the_last_good_copy(server: Server, fetcher: Fetcher) -> None:
    source, first = last_good_copy(server, fetcher)
    server.put("nyt/us-states.csv", b"<html>oops</html>", later=10)

    rejected = fetcher.fetch(source, source.files[0])
    assert rejected.path.read_bytes() == b"<html>oops</html>"
    rejected.discard()

    assert not rejected.path.exists()
    assert first.path.read_bytes() == V1
    assert parts(first.path.parent) == []


def _assert_one_line_naming(exc: FetchError, source: Source, file: str) -> None:
    message = str(exc)
    assert "\n" not in message
    assert message.startswith(f"{source.name}: {file}: ")
    assert (exc.source, exc.file) == (source.name, file)


def test_http_404_is_a_fetch_error(
    server: Server, fetcher: Fetcher, home: Path
) -> None:
    source = served_source("nyt", server.url)
    file = source.files[0]

    with pytest.raises(FetchError) as caught:
        fetcher.fetch(source, file)

    assert server.statuses() == [404]
    assert not isinstance(caught.value, NotInMirrorError)
    _assert_one_line_naming(caught.value, source, file.name)
    assert "HTTP 404" in str(caught.value)
    assert file.url in str(caught.value)
    assert list((home / "downloads" / "nyt").iterdir()) == []


def test_404_after_a_good_download_keeps_the_last_good_copy(
    server: Server, fetcher: Fetcher
) -> None:
    source, first = last_good_copy(server, fetcher)
    (server.root / "nyt" / "us-states.csv").unlink()

    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(source, source.files[0])

    assert first.path.read_bytes() == V1
    assert parts(first.path.parent) == []


def test_connection_refused_is_a_fetch_error(fetcher: Fetcher, home: Path) -> None:
    source = served_source("nyt", f"http://127.0.0.1:{closed_port()}/")
    file = source.files[0]

    with pytest.raises(FetchError) as caught:
        fetcher.fetch(source, file)

    _assert_one_line_naming(caught.value, source, file.name)
    assert "could not download" in str(caught.value)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert list((home / "downloads" / "nyt").iterdir()) == []


# -- the pipeline over HTTP, through its session seam ------------------------------------------


class ToLoopback(HTTPAdapter):
    """A transport that sends every request to the loopback server, keeping the URL's path."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        request.url = self.base + urlsplit(request.url).path.lstrip("/")
        return super().send(request, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def upstream(server: Server, fixtures: Path) -> Server:
    """The fixture files of nyt served at their upstream URL paths."""
    for file in get_source("nyt").files:
        found = find_in_mirror(fixtures, file)
        assert found is not None, f"the fixture mirror lacks {file.folder}/{file.name}"
        server.put(urlsplit(file.url).path.lstrip("/"), found.read_bytes())
    return server


def test_update_over_http(upstream: Server, home: Path) -> None:
    settings = Settings(home=home)
    fetcher = Fetcher(settings)
    session = fetcher.session  # the cached session as the pipeline makes it
    session.mount("https://", ToLoopback(upstream.url))
    source = get_source("nyt")
    downloads = {f.name: home / "downloads" / f.folder / f.name for f in source.files}
    served = {
        f.name: upstream.root / urlsplit(f.url).path.lstrip("/") for f in source.files
    }
    try:
        first = epicurves.update(settings, ["nyt"], session=session)
        (result,) = first.sources
        assert result.status == "updated", result.message
        assert sorted(h.status for h in upstream.take()) == [200, 200]
        for name, path in downloads.items():
            assert path.read_bytes() == served[name].read_bytes()
        stored = epicurves.load_observations(all_sources=True, settings=settings)

        again = epicurves.update(settings, ["nyt"], session=session)
        assert [s.status for s in again.sources] == ["unchanged"]
        hits = upstream.take()
        assert [h.status for h in hits] == [304, 304]
        assert sum(h.body for h in hits) == 0

        states = served["us-states.csv"]
        good = states.read_bytes()
        upstream.put(str(states.relative_to(upstream.root)), good + b"\n", later=10)
        changed = epicurves.update(settings, ["nyt"], session=session)
        assert [s.status for s in changed.sources] == ["updated"]
        assert downloads["us-states.csv"].read_bytes() == good + b"\n"

        upstream.put(
            str(states.relative_to(upstream.root)),
            b"<!DOCTYPE html><html></html>",
            later=20,
        )
        broken = epicurves.update(settings, ["nyt"], session=session)
        (result,) = broken.sources
        assert result.status == "failed"
        assert result.message.startswith("nyt: us-states.csv: ")
        assert downloads["us-states.csv"].read_bytes() == good + b"\n"
        pd.testing.assert_frame_equal(
            epicurves.load_observations(all_sources=True, settings=settings), stored
        )
        for path in downloads.values():
            assert parts(path.parent) == []
    finally:
        session.close()


def test_update_offline_fails_with_the_hint(home: Path) -> None:
    settings = Settings(home=home)
    session = Fetcher(settings).session
    session.mount("https://", ToLoopback(f"http://127.0.0.1:{closed_port()}/"))
    try:
        report = epicurves.update(settings, ["nyt"], session=session)
    finally:
        session.close()
    (result,) = report.sources
    assert result.status == "failed"
    assert result.message.startswith("nyt: us-states.csv: could not download")
    assert "--mirror" in result.message
    assert "\n" not in result.message


# -- the mirror folder -------------------------------------------------------------------------

NYT_STATES = get_source("nyt").files[0]


def _mirror_fetcher(home: Path, mirror: Path) -> Fetcher:
    return Fetcher(Settings(home=home, mirror=mirror))


def test_mirror_prefers_the_plain_file(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "m" / "nyt"
    folder.mkdir(parents=True)
    (folder / "us-states.csv").write_bytes(V1)
    (folder / "us-states.csv.gz").write_bytes(gzip.compress(V2))

    assert find_in_mirror(tmp_path / "m", NYT_STATES) == folder / "us-states.csv"
    got = _mirror_fetcher(home, tmp_path / "m").fetch(get_source("nyt"), NYT_STATES)
    assert got.path == folder / "us-states.csv"
    assert got.sha256 == file_sha256(folder / "us-states.csv")


def test_mirror_finds_the_gz(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "m" / "nyt"
    folder.mkdir(parents=True)
    (folder / "us-states.csv.gz").write_bytes(gzip.compress(V2))

    assert find_in_mirror(tmp_path / "m", NYT_STATES) == folder / "us-states.csv.gz"
    got = _mirror_fetcher(home, tmp_path / "m").fetch(get_source("nyt"), NYT_STATES)
    assert got.path == folder / "us-states.csv.gz"
    assert got.origin == str(folder / "us-states.csv.gz")


def test_mirror_files_are_read_in_place_and_never_moved_or_removed(
    tmp_path: Path, home: Path
) -> None:
    folder = tmp_path / "m" / "nyt"
    folder.mkdir(parents=True)
    (folder / "us-states.csv").write_bytes(V1)
    fetcher = _mirror_fetcher(home, tmp_path / "m")

    got: Fetched = fetcher.fetch(get_source("nyt"), NYT_STATES)
    assert got.target is None
    got.discard()
    got.commit()

    assert (folder / "us-states.csv").read_bytes() == V1
    assert not (home / "downloads").exists()


def test_missing_from_the_mirror(tmp_path: Path, home: Path) -> None:
    (tmp_path / "m" / "nyt").mkdir(parents=True)
    # not a name find_in_mirror looks for
    (tmp_path / "m" / "nyt" / "us-states.csv.bz2").write_bytes(b"")
    assert find_in_mirror(tmp_path / "m", NYT_STATES) is None

    with pytest.raises(NotInMirrorError) as caught:
        _mirror_fetcher(home, tmp_path / "m").fetch(get_source("nyt"), NYT_STATES)

    message = str(caught.value)
    assert isinstance(caught.value, FetchError)
    assert "\n" not in message
    assert message.startswith("nyt: us-states.csv: not in the mirror")
    assert "us-states.csv.gz" in message


def test_a_folder_with_the_file_name_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "m" / "nyt" / "us-states.csv").mkdir(parents=True)
    assert find_in_mirror(tmp_path / "m", NYT_STATES) is None

"""Fault injection over the network (issue 10): a loopback server answers the real fetch path.

Each input replaces the answer for a source's main file (the other files are served clean) on
a copy of a store filled from the clean fixtures through the mirror; the update then fetches
over HTTP from 127.0.0.1 only (the sources' URLs are pointed at the server). Every input is a
**refusal**: the source fails with one line naming the source, the file and the URL or the
HTTP status; the store's files, the data loaded from it and the last good downloads stay as
they were, and no partial download is left behind. Bounds (timeouts, MAX_SECONDS, MAX_BYTES)
are made small here so that a hang shows as a slow test, not a stuck one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner

import epicurves
import epicurves.fetch
from epicurves import EpicurvesError, Settings, get_source, load_observations
from epicurves.cli import cli
from epicurves.sources import SOURCES

from . import server as S
from .cases import FIXTURES, snapshot

pytestmark = pytest.mark.faults

#: Sources tried, and the file of each the faults replace (the other files are served clean).
MAIN = {
    "nyt": "us-states.csv",
    "rki": "COVID-19-Faelle_7-Tage-Inzidenz_Deutschland.csv",
}


def _downloads(settings: Settings) -> dict[str, bytes]:
    """The kept upstream copies (the downloads folder), by path: what a refused download must
    leave as it was."""
    root = settings.downloads_dir
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("network-base") / "home"
    report = epicurves.update(Settings(home=home, mirror=FIXTURES), list(MAIN))
    assert {s.status for s in report.sources} == {"updated"}, report.sources
    return home


@dataclasses.dataclass
class Net:
    settings: Settings
    server: S.LoopbackServer
    source: str
    path: str
    """The main file's path on the server."""
    url: str
    body: bytes
    """The clean main file."""


@pytest.fixture(params=list(MAIN))
def net(
    request: pytest.FixtureRequest,
    base: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Net]:
    for name in ("EPICURVES_HOME", "EPICURVES_MIRROR", "EPICURVES_PRECEDENCE"):
        monkeypatch.delenv(name, raising=False)
    # Small bounds: a case that is not cut off by them shows as a slow test, not a hang. The
    # read timeout and a download's time are short only for the cases about them
    # (Case.read_timeout, Case.max_seconds): on a loaded machine the server's thread may take
    # longer than half a second to answer, and a whole download of a few bytes over a second.
    monkeypatch.setattr(epicurves.fetch, "TIMEOUT", (2, 10.0))
    monkeypatch.setattr(epicurves.fetch, "MAX_SECONDS", 10.0)
    monkeypatch.setattr(epicurves.fetch, "MAX_BYTES", 1 << 20)
    shutil.copytree(base, tmp_path / "home")
    name: str = request.param
    with S.LoopbackServer(FIXTURES) as server:
        source = get_source(name)
        files = tuple(
            dataclasses.replace(f, url=f"{server.url}/{f.folder}/{f.name}")
            for f in source.files
        )
        monkeypatch.setitem(SOURCES, name, dataclasses.replace(source, files=files))
        (main,) = [f for f in files if f.name == MAIN[name]]
        path = f"{main.folder}/{main.name}"
        yield Net(
            Settings(home=tmp_path / "home", mirror=None),
            server,
            name,
            path,
            main.url,
            (FIXTURES / path).read_bytes(),
        )


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    fault: Callable[[Net], S.Fault]
    words: tuple[str, ...] = ()
    """Words the one-line message must hold besides the source and the file."""
    url: bool = True
    """Whether the message must name the URL."""
    read_timeout: float | None = None
    """The fetch's read timeout for this case (default the fixture's)."""
    max_seconds: float | None = None
    """The fetch's bound on a download's seconds for this case (default the fixture's)."""


HTML_503 = S.HTML.replace(b"Sorry", b"503 Service Unavailable")

CASES = [
    Case("http-404", lambda n: S.status(404), ("HTTP 404",)),
    Case("http-500", lambda n: S.status(500), ("HTTP 500",)),
    Case("http-503-retry-after", lambda n: S.status(503, Retry_After="120"),
         ("HTTP 503", "retry after '120'")),
    # The parser refuses it (as the mirror's html-page input): it names the file, not the URL.
    Case("html-page-200", lambda n: S.status(200, S.HTML, Content_Type="text/html"),
         ("HTML",), url=False),
    Case("html-page-502", lambda n: S.status(502, HTML_503, Content_Type="text/html"),
         ("HTTP 502",)),
    Case("reset-before-answer", lambda n: S.reset, ("could not download",)),
    Case("reset-mid-body", lambda n: S.reset_midway(n.body), ("broke off",)),
    Case("timeout", lambda n: S.silent(n.server.stop), ("Timeout",), read_timeout=0.5),
    Case("redirect-loop", lambda n: S.redirect_loop, ("TooManyRedirects",)),
    Case("partial-body", lambda n: S.partial(n.body), ("broke off",)),
    Case("endless", lambda n: S.endless(n.body, n.body.splitlines(True)[-1], n.server.stop),
         ("cut off",)),
    Case("endless-trickle",
         lambda n: S.endless(n.body, n.body.splitlines(True)[-1], n.server.stop, pause=0.01),
         ("cut off", "within 1 s"), max_seconds=1.0),
    Case("endless-with-etag",
         lambda n: S.endless(n.body, n.body.splitlines(True)[-1], n.server.stop, ETag='"e"'),
         ("cut off",)),
]  # fmt: skip


def _refused(net: Net, case: Case, run: Callable[[], str]) -> str:
    settings = net.settings
    before = snapshot(settings)
    frames = load_observations(all_sources=True, settings=settings)
    downloads = _downloads(settings)
    net.server.faults[net.path] = case.fault(net)
    with contextlib.ExitStack() as stack:
        if case.read_timeout is not None:
            connect = epicurves.fetch.TIMEOUT[0]
            timeout = (connect, case.read_timeout)
            stack.enter_context(mock.patch.object(epicurves.fetch, "TIMEOUT", timeout))
        if case.max_seconds is not None:
            bound = mock.patch.object(epicurves.fetch, "MAX_SECONDS", case.max_seconds)
            stack.enter_context(bound)
        message = run()
    assert "\n" not in message, message
    assert message.startswith(f"{net.source}: {MAIN[net.source]}: "), message
    if case.url:
        assert net.url in message, message
    for word in case.words:
        assert word in message, message
    assert snapshot(settings) == before
    pd.testing.assert_frame_equal(
        load_observations(all_sources=True, settings=settings), frames
    )
    assert _downloads(settings) == downloads  # no partial download kept
    return message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_network_fault_is_refused(net: Net, case: Case) -> None:
    def run() -> str:
        try:
            report = epicurves.update(net.settings, [net.source])
        except EpicurvesError as exc:
            return str(exc)
        (item,) = report.sources
        assert item.status == "failed", item
        return item.message

    _refused(net, case, run)


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.name in ("partial-body", "reset-mid-body", "http-503-retry-after")
    ],
    ids=lambda c: c.name,
)
def test_cli_reports_a_network_fault_in_one_line(net: Net, case: Case) -> None:
    def run() -> str:
        args = ["--home", str(net.settings.home), "update", "--source", net.source]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code not in (0, None), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output, result.output
        errors = [x for x in result.stderr.splitlines() if x.strip()]
        assert len(errors) == 1, result.stderr
        assert errors[0].startswith("Error: "), errors
        return errors[0].removeprefix("Error: ")

    _refused(net, case, run)


def test_etag_answered_with_304_is_unchanged(net: Net) -> None:
    """A tolerance: a server that revalidates with ETag -> 304 leaves the source unchanged."""
    net.server.faults[net.path] = S.with_etag(net.body)
    before = snapshot(net.settings)
    for expected in (200, 304):
        (item,) = epicurves.update(net.settings, [net.source]).sources
        assert item.status == "unchanged", item
        assert [c for p, c in net.server.hits if p == net.path][-1] == expected
    assert snapshot(net.settings) == before

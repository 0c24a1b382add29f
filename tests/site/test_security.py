"""What keeps the built site safe: upstream names escaped, nothing loaded from another host,
the content-security policy in every page and in the server's headers, and the read-only
server that stays in its folder and reports a failure in one line."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ATTACK as EVIL
from epicurves.site import payload
from epicurves.site.serve import make_server


def _html(site: Path) -> Iterator[Path]:
    return site.rglob("*.html")


def test_nothing_comes_from_another_host(site: Path) -> None:
    for page in _html(site):
        text = page.read_text("utf-8")
        for match in re.finditer(r'(?:src|href)="(https?:)?//([^"/]+)', text):
            assert match.group(0).startswith('href="'), (
                f"{page}: {match.group(0)} loads from another host"
            )


def test_region_names_are_escaped(site: Path) -> None:
    for page in ("region/DE-09162/index.html", "germany/index.html", "regions/index.html",
                 "region/DE-BY/index.html", "compare/index.html"):  # fmt: skip
        text = (site / page).read_text("utf-8")
        assert "alert" in text, page
        assert EVIL not in text, page
        assert '<script>alert("x")' not in text, page
    # data in scripts: < and > escaped, inside the page (peer names) and in the data files
    for path in ("region/DE-09175/index.html", "compare/index.html", "data/DE-09162.js",
                 "data/DE-09162.inc.js"):  # fmt: skip
        text = (site / path).read_text("utf-8")
        assert "\\u003cscript\\u003e" in text, path
        assert "<script>alert" not in text, path
    assert (
        payload.decode((site / "data/DE-09162.js").read_text("utf-8"))[1]["name"]
        == EVIL
    )


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[0], httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def _request(address: tuple[str, int], method: str, path: str) -> int:
    connection = http.client.HTTPConnection(*address, timeout=5)
    connection.request(method, path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_server_is_read_only_and_stays_in_the_folder(
    server: tuple[str, int], site: Path
) -> None:
    assert server[0] == "127.0.0.1"
    assert _request(server, "GET", "/index.html") == 200
    assert _request(server, "HEAD", "/region/DE/index.html") == 200
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
        assert _request(server, method, "/index.html") == 405, method
    assert _request(server, "GET", "/static/") == 404  # no listing
    (site.parent / "secret.txt").write_text("secret")
    assert _request(server, "GET", "/../secret.txt") == 404
    assert _request(server, "GET", "/%2e%2e/secret.txt") == 404
    (site / "link").symlink_to(site.parent)
    try:
        assert _request(server, "GET", "/link/secret.txt") == 404
    finally:
        (site / "link").unlink()


def test_server_errors_are_one_line_and_a_client_gone_is_none(
    capsys: pytest.CaptureFixture[str], site: Path
) -> None:
    """A browser that closes mid-answer prints nothing; another failure one line, not the
    traceback socketserver prints by default."""
    httpd = make_server(site, "127.0.0.1", 0)
    try:
        for error in (
            BrokenPipeError(32, "Broken pipe"),
            ConnectionResetError(104, "reset"),
        ):
            try:
                raise error
            except OSError:
                httpd.handle_error(None, ("127.0.0.1", 5))
        assert capsys.readouterr().err == ""
        try:
            raise PermissionError(13, "Permission denied", "index.html")
        except OSError:
            httpd.handle_error(None, ("127.0.0.1", 5))
        err = capsys.readouterr().err
        assert err == (
            "serve: a request from 127.0.0.1 failed: [Errno 13] Permission denied: "
            "'index.html'\n"
        )
    finally:
        httpd.server_close()


def test_server_sends_the_policy_and_the_right_types(server: tuple[str, int]) -> None:
    from epicurves.site.pages import CSP

    expected = {
        "/index.html": "text/html; charset=utf-8",
        "/region/DE/index.html": "text/html; charset=utf-8",
        "/data/DE.js": "text/javascript; charset=utf-8",
        "/status.json": "application/json",
        "/notebooks/DE.ipynb": "application/x-ipynb+json",
    }
    for path, kind in expected.items():
        connection = http.client.HTTPConnection(*server, timeout=5)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, path
        assert response.getheader("Content-Type") == kind, path
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy") == "no-referrer"
        policy = response.getheader("Content-Security-Policy")
        assert policy == CSP + "; frame-ancestors 'none'"
        assert "script-src 'self';" in policy and "unsafe-eval" not in policy
        connection.close()
    connection = http.client.HTTPConnection(*server, timeout=5)
    connection.request("POST", "/index.html")
    response = connection.getresponse()
    assert (response.status, response.getheader("Allow")) == (405, "GET, HEAD")
    connection.close()


class Scripts(HTMLParser):
    """The page's policy <meta>, its <script> tags and any on... handler attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.policy: list[str | None] = []
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.policy.append(values.get("content"))
        if tag == "script":
            self.scripts.append(values)
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]


def test_pages_carry_the_policy_and_no_inline_script(site: Path) -> None:
    """Every page has the policy as a <meta>; its scripts are files of the site or JSON, and
    no element has an event handler attribute."""
    from epicurves.site.pages import CSP

    pages = list(_html(site))
    assert len(pages) > 20
    for page in pages:
        parser = Scripts()
        parser.feed(page.read_text("utf-8"))
        assert parser.policy == [CSP], page
        for script in parser.scripts:
            assert script.get("src") or script.get("type") == "application/json", page
        assert parser.handlers == [], page

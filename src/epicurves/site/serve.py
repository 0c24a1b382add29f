"""A read-only preview server for a built site: loopback by default, nothing outside the folder.

Only GET and HEAD are answered (any other method: 405); directory listings are refused; a path
that resolves (through ``..`` or a symbolic link) outside the site folder is answered 404. The
site folder is resolved at each request: ``site`` is a link to the current generation, and a
build switches it while the server runs. Every answer carries the site's
Content-Security-Policy (:data:`~epicurves.site.pages.CSP`, plus ``frame-ancestors 'none'``),
``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``, with the content
type of each kind of file the site has.
"""

from __future__ import annotations

import http.server
import os
import sys
from functools import partial
from pathlib import Path

from .pages import CSP

__all__ = ["HEADERS", "SiteServer", "make_server"]

#: Headers of every answer.
HEADERS = {
    "Content-Security-Policy": CSP + "; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: Content types of the site's files (the rest: mimetypes' guess).
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files of one folder, read-only."""

    def __init__(self, *args: object, site: Path, **kwargs: object) -> None:
        self.site = site
        self.root = site.resolve()  # the generation the site points to now
        super().__init__(*args, directory=str(self.root), **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        candidate = Path(super().translate_path(path))
        try:
            resolved = candidate.resolve()
        except OSError:
            return str(self.root / ".epicurves-not-found")
        if resolved != self.root and self.root not in resolved.parents:
            return str(self.root / ".epicurves-not-found")
        return str(resolved)

    def end_headers(self) -> None:
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return TYPES.get(Path(path).suffix.lower()) or super().guess_type(path)

    def _refuse(self) -> None:
        """Anything but GET and HEAD: 405, with the methods that are allowed."""
        self.send_response(405, "Method Not Allowed")
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = (
        _refuse
    )

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "No listing")
        return None

    def log_message(self, format: str, *args: object) -> None:
        return None  # quiet: the CLI says where it serves


class SiteServer(http.server.ThreadingHTTPServer):
    """A threading server whose failed requests are one line on stderr, not a traceback; a
    browser that goes away mid-answer (a closed tab, a cancelled download) is not a failure."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        if isinstance(
            error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
        ):
            return
        detail = " ".join(str(error).split()) or type(error).__name__
        print(
            f"serve: a request from {client_address[0]} failed: {detail}",
            file=sys.stderr,
        )


def make_server(
    directory: Path, host: str = "127.0.0.1", port: int = 8000
) -> http.server.ThreadingHTTPServer:
    """A server for ``directory`` (not started); port 0 picks a free port."""
    site = Path(directory).absolute()
    handler = partial(SiteHandler, site=site)
    return SiteServer((host, port), handler)

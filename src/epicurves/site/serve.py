"""A read-only preview server for a built site: loopback by default, nothing outside the folder.

Only GET and HEAD are answered; directory listings are refused; a path that resolves (through
``..`` or a symbolic link) outside the site folder is answered 404. The site folder is resolved
at each request: ``site`` is a link to the current generation, and a build switches it while the
server runs.
"""

from __future__ import annotations

import http.server
import os
from functools import partial
from pathlib import Path

__all__ = ["make_server"]


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

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "No listing")
        return None

    def log_message(self, format: str, *args: object) -> None:
        return None  # quiet: the CLI says where it serves


def make_server(
    directory: Path, host: str = "127.0.0.1", port: int = 8000
) -> http.server.ThreadingHTTPServer:
    """A server for ``directory`` (not started); port 0 picks a free port."""
    site = Path(directory).absolute()
    handler = partial(SiteHandler, site=site)
    return http.server.ThreadingHTTPServer((host, port), handler)

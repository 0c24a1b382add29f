"""A loopback HTTP server whose answers a test chooses: the clean files, or one fault per path."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: A fault writes its own answer to the handler (status line, headers, body, or nothing).
Fault = Callable[[BaseHTTPRequestHandler], None]

HTML = b"<!DOCTYPE html>\n<html><head><title>Error</title></head><body>Sorry</body></html>\n"


class LoopbackServer:
    """Serves ``root/<path>`` on 127.0.0.1; ``faults[path]`` replaces the answer for a path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults: dict[str, Fault] = {}
        self.hits: list[tuple[str, int]] = []
        """(path, status) of each answer whose status line was sent."""
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return None

            def send_response(self, code: int, message: str | None = None) -> None:
                server.hits.append((self.path.lstrip("/"), int(code)))
                super().send_response(code, message)

            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                fault = server.faults.get(path)
                if fault is not None:
                    fault(self)
                    return
                file = server.root / path
                if not file.is_file():
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


# -- faults -----------------------------------------------------------------------------------


def status(code: int, body: bytes = b"", **headers: str) -> Fault:
    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return answer


def reset(h: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP reset (SO_LINGER 0) before answering."""
    import struct

    h.connection.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )
    h.connection.close()
    h.close_connection = True


def reset_midway(body: bytes) -> Fault:
    """Announce the whole body, send half of it, then close with a TCP reset."""
    import struct

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
        time.sleep(0.05)  # let the client start reading the body
        h.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        h.connection.close()
        h.close_connection = True

    return answer


def with_etag(body: bytes, tag: str = '"v1"') -> Fault:
    """Serve ``body`` with an ``ETag``; answer 304 to a request that names it."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == tag:
            h.send_response(304)
            h.send_header("ETag", tag)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        h.send_header("ETag", tag)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return answer


def silent(stop: threading.Event) -> Fault:
    """Accept the request and never answer (until the server stops)."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        stop.wait(30)
        h.close_connection = True

    return answer


def redirect_loop(h: BaseHTTPRequestHandler) -> None:
    h.send_response(302)
    h.send_header("Location", h.path)
    h.send_header("Content-Length", "0")
    h.end_headers()


def partial(body: bytes) -> Fault:
    """Announce the whole body's length, send half of it, and close."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
        h.close_connection = True

    return answer


def endless(
    head: bytes,
    line: bytes,
    stop: threading.Event,
    pause: float = 0.0,
    **headers: str,
) -> Fault:
    """A 200 answer without a length whose body never ends: ``head``, then ``line`` forever
    (a line every ``pause`` seconds: a trickle); ``headers`` added (e.g. an ``ETag``)."""

    def answer(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        try:
            h.wfile.write(head)
            block = line * max(1, (1 << 16) // len(line))
            while not stop.is_set():
                h.wfile.write(line if pause else block)
                if pause:
                    time.sleep(pause)
        except OSError:
            return

    return answer

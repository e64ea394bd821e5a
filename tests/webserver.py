"""A real HTTP server on 127.0.0.1 for the tests of fetching (the `server` fixture)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        self.server.peers.add(self.client_address)  # one per TCP connection
        route = self.server.routes.get(self.path)
        if route is None:
            self.reply(404, b"no route")
        else:
            with self.server.counting():
                route(self)

    def reply(self, status: int, body: bytes = b"", **headers: str) -> None:
        """Send a whole response; headers are given as Python names (Content_Type)."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest output is for failures."""


class Server(ThreadingHTTPServer):
    """Routes are set per test; the server records what it was sent and how busy it got."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.peers: set[tuple[str, int]] = set()
        self.stop = threading.Event()
        self.busy = 0
        self.most_busy = 0
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def headers_for(self, path: str) -> dict[str, str]:
        return next(headers for seen, headers in self.seen if seen == path)

    def counting(self) -> _Busy:
        return _Busy(self)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-body (size cap, timeout) is expected here."""


class _Busy:
    def __init__(self, server: Server) -> None:
        self.server = server

    def __enter__(self) -> None:
        with self.server._lock:
            self.server.busy += 1
            self.server.most_busy = max(self.server.most_busy, self.server.busy)

    def __exit__(self, *exc: object) -> None:
        with self.server._lock:
            self.server.busy -= 1

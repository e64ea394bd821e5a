"""Fetch web feeds politely and safely, many at once, with libcurl (pycurl's CurlMulti).

Polite: conditional GETs, a named User-Agent, at most a few requests per host over
kept-alive connections, and the server's Retry-After / max-age handed back so the
caller can wait. Safe: only http(s), redirects followed by hand (no file: or
javascript: hop), a size cap on the decoded body checked at every step of the
decoding (libcurl inflates gzip, deflate and brotli into a buffer of a few KB at a
time, so a decompression bomb stops at the cap, not after it has filled memory), a
cap on the response headers, and a deadline per request across all its hops, so
one bad feed costs only its own timeout. Every request gets exactly one
FetchResult; nothing here raises for a feed's failure.

All transfers of a call run in one thread around one CurlMulti, and this module
does the scheduling: a transfer is handed to libcurl only when its host and the
whole fetch each have a free slot, so a request's deadline does not run while it
waits its turn. Per request, libcurl costs a small part of the CPU a Python HTTP
client does, and an all-304 refresh from one fast host is bound by exactly that
(bench/bench_http_clients.py).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import pycurl

from tuinews import __version__
from tuinews.clean import clean_line
from tuinews.urls import WEB_SCHEMES, is_web_url

MAX_RETRY_AFTER = 24 * 60 * 60  # a server may not silence a feed for more than a day
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
_ACCEPT_ENCODING = "gzip, deflate, br"  # each decoded by libcurl, a bounded chunk at a time
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?([0-9]+)", re.IGNORECASE)
_DRAINED_BODY_LIMIT = 64 * 1024  # an error page larger than this closes its connection
_MAX_HEADER_BYTES = 64 * 1024  # every header line of one hop's response, together
_HEADERS_TOO_LARGE = "bad response from server: headers larger than 64 KB"
_KEPT_HEADERS = frozenset(
    {b"etag", b"last-modified", b"content-type", b"cache-control", b"retry-after", b"location"}
)
_NOT_WEB = "not an http(s) URL"
_WAIT_AT_MOST = 1.0  # seconds in one select(), whatever libcurl's timers say


@dataclass(frozen=True, slots=True)
class FetchRequest:
    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    feed_id: int
    url: str  # the URL asked for
    body: bytes | None = None  # None for 304 and errors
    not_modified: bool = False  # 304: costs no parsing
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    new_url: str | None = None  # every redirect hop was permanent: store this URL instead
    retry_after: int | None = None  # seconds to wait: Retry-After on 429/503, max-age on success
    error: str | None = None  # one clean line for the user


@dataclass(frozen=True, slots=True)
class FetchSettings:
    max_bytes: int = 20 * 1024 * 1024
    connect_timeout: float = 10.0
    total_timeout: float = 20.0  # whole request, redirects and body included
    concurrency: int = 8
    per_host: int = 2
    max_redirects: int = 5
    user_agent: str = f"tuinews/{__version__} (+https://github.com/tuinews)"

    def __post_init__(self) -> None:
        """A zero limit would make every fetch wait forever, so refuse it up front."""
        limits = (self.max_bytes, self.connect_timeout, self.total_timeout)
        if min(*limits, self.concurrency, self.per_host) <= 0 or self.max_redirects < 0:
            raise ValueError("fetch limits must be positive")


class _Failure(Exception):
    """A fetch ended early; the message is the user's one-line reason."""


async def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every request concurrently; results come back in request order.

    The transfers run in a worker thread. `on_result` runs in the event loop as
    each fetch ends, so a UI can show progress; it must be quick, and an exception
    from it stops the other fetches and is raised here.
    """
    import asyncio  # here: the refresh (BackgroundFetch) and the CLI never load it

    loop = asyncio.get_running_loop()
    results: list[FetchResult | None] = [None] * len(requests)
    raised: list[BaseException] = []

    def report(result: FetchResult) -> None:  # in the event loop
        if raised or on_result is None:
            return
        try:
            on_result(result)
        except BaseException as exc:
            raised.append(exc)
            transfers.stop()

    def collect(index: int, result: FetchResult) -> None:  # in the worker thread
        results[index] = result
        loop.call_soon_threadsafe(report, result)

    transfers = _Transfers(requests, settings, collect)
    try:
        await asyncio.to_thread(transfers.run)
    except asyncio.CancelledError:
        transfers.stop()
        raise
    # Every report was queued before the thread's end was, so each of them has run.
    if raised:
        raise raised[0]
    return [result for result in results if result is not None]


def fetch_all_sync(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """fetch_all for callers without an event loop (a worker thread, the CLI). The
    transfers run in the calling thread, and `on_result` is called there."""
    results: list[FetchResult | None] = [None] * len(requests)

    def collect(index: int, result: FetchResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    _Transfers(requests, settings, collect).run()
    return [result for result in results if result is not None]


class BackgroundFetch:
    """The fetching in a thread of its own, so the caller parses and writes while
    bodies still arrive.

    `on_result` is called in that thread, once per request. At most `max_bodies`
    bodies are out at a time: each is counted until the caller calls
    `body_done()`, and further fetches wait for room. Use it as a context manager:
    leaving stops the fetching, also on an error or an interrupt.
    """

    def __init__(
        self,
        requests: Sequence[FetchRequest],
        settings: FetchSettings,
        on_result: Callable[[FetchResult], None],
        max_bodies: int,
    ) -> None:
        self._requests = requests
        self._on_result = on_result
        self._delivered: set[int] = set()
        self._transfers = _Transfers(requests, settings, self._deliver, max_bodies)
        self._thread = threading.Thread(target=self._run, name="tuinews-fetch", daemon=True)

    def __enter__(self) -> BackgroundFetch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._transfers.stop()
        self._thread.join()

    def body_done(self) -> None:
        """The caller has finished with one body: let another fetch start."""
        self._transfers.body_done()

    def _run(self) -> None:
        try:
            self._transfers.run()
        except Exception as exc:  # a bug here must still give every feed its one result
            for index, request in enumerate(self._requests):
                if index not in self._delivered:
                    self._deliver(index, _failed(request, f"fetch failed: {type(exc).__name__}"))

    def _deliver(self, index: int, result: FetchResult) -> None:
        self._delivered.add(index)
        self._on_result(result)


# --------------------------------------------------------------------------- transfers


class _Hop:
    """One GET of a fetch (the first, or a redirect's): what its response said so far.

    `header` and `write` are libcurl's callbacks. Returning anything but None (or the
    length given) from them makes libcurl abort the transfer with CURLE_WRITE_ERROR.
    """

    __slots__ = ("body", "cut", "header_bytes", "headers", "keep", "limit", "refused", "size",
                 "status")  # fmt: skip

    def __init__(self, max_bytes: int) -> None:
        self.status = 0
        self.headers: dict[bytes, bytes] = {}
        self.header_bytes = 0
        self.body: list[bytes] = []
        self.size = 0
        self.limit = max_bytes
        self.keep: bool | None = None  # decided at the first body bytes, by the status
        self.cut = False  # we stopped the transfer
        self.refused: str | None = None  # ... and this is the fetch's error

    def header(self, line: bytes) -> int | None:
        self.header_bytes += len(line)
        if self.header_bytes > _MAX_HEADER_BYTES:
            self.cut = True
            self.refused = _HEADERS_TOO_LARGE
            return 0
        if line.startswith(b"HTTP/"):  # a new response: after a 1xx, or a proxy's CONNECT
            fields = line.split(None, 2)
            self.status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
            self.headers = {}
            return None
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        if colon and name in _KEPT_HEADERS:
            old, value = self.headers.get(name), value.strip()
            self.headers[name] = value if old is None else old + b", " + value
        return None

    def write(self, data: bytes) -> int | None:
        if self.keep is None:
            self.keep = 200 <= self.status < 300
            if not self.keep:  # an error page or a redirect: read a little, keep nothing
                self.limit = _DRAINED_BODY_LIMIT
        self.size += len(data)
        if self.size > self.limit:
            self.cut = True
            if self.keep:
                self.refused = f"response larger than {_size(self.limit)}"
            return 0
        if self.keep:
            self.body.append(data)
        return None

    def header_text(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        if value is None:
            return None
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.decode("latin-1")


class _Fetch:
    """One request, from its first GET to its result."""

    __slots__ = ("connect_limited", "deadline", "headers", "hop", "hops", "host", "index",
                 "permanent", "request", "url")  # fmt: skip

    def __init__(self, index: int, request: FetchRequest, url: str, host: str) -> None:
        self.index = index
        self.request = request
        self.url = url  # the URL of the current hop, as sent
        self.host = host  # whose slots it holds: the first URL's, for every hop
        self.headers = [f"Accept: {_ACCEPT}", *_validators(request)]
        self.hops = 0  # redirects followed so far
        self.permanent = True
        self.deadline = 0.0
        self.connect_limited = False  # the connect timeout was shorter than the time left
        self.hop = _Hop(0)


class _Transfers:
    """Every request of one call, run to its result in the thread that calls run()."""

    def __init__(
        self,
        requests: Sequence[FetchRequest],
        settings: FetchSettings,
        deliver: Callable[[int, FetchResult], None],
        max_bodies: int | None = None,
    ) -> None:
        self.requests = requests
        self.settings = settings
        self.deliver = deliver
        self._bodies = max_bodies  # bodies that may still be handed out; None: any number
        self._lock = threading.Lock()
        self._stopped = False
        self._wake_in, self._wake_out = socket.socketpair()  # stop() and body_done() knock
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)

    def stop(self) -> None:
        """End run() soon, from any thread; fetches not finished by then get no result."""
        with self._lock:
            self._stopped = True
        self._knock()

    def body_done(self) -> None:
        """One body handed out has been dealt with: another may come (any thread)."""
        with self._lock:
            if self._bodies is not None:
                self._bodies += 1
        self._knock()

    def _knock(self) -> None:
        # OSError: full (a knock is already waiting), or closed (run() is over)
        with contextlib.suppress(OSError):
            self._wake_out.send(b".")

    def _take_body(self) -> bool:
        with self._lock:
            if self._bodies is None:
                return True
            if self._bodies > 0:
                self._bodies -= 1
                return True
            return False

    def _give_body_back(self) -> None:
        with self._lock:
            if self._bodies is not None:
                self._bodies += 1

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._wake_in.close()
            self._wake_out.close()

    def _run(self) -> None:
        self._queues: dict[str, deque[_Fetch]] = {}  # by host, in order of first request
        for index, request in enumerate(self.requests):
            try:
                url, host = _wire_url(request.url)
            except _Failure as failure:
                self.deliver(index, _failed(request, str(failure)))
                continue
            self._queues.setdefault(host, deque()).append(_Fetch(index, request, url, host))
        if not self._queues:
            return
        self._multi = pycurl.CurlMulti()
        self._idle: list[pycurl.Curl] = []
        self._running: dict[pycurl.Curl, _Fetch] = {}
        self._busy: dict[str, int] = {}  # running fetches per host
        self._proxy = _uppercase_http_proxy()
        self._ca: list[tuple[int, str]] | None = None  # found at the first https URL
        try:
            may_start = True
            while self._queues or self._running:
                if self._stopped:
                    return
                if may_start:
                    self._start_some()
                while self._multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                    pass
                may_start = self._collect() or self._wait()
        finally:
            for handle in self._running:
                self._multi.remove_handle(handle)
                handle.close()
            for handle in self._idle:
                handle.close()
            self._multi.close()

    def _start_some(self) -> None:
        """Hand libcurl every fetch that has a slot for its host, one overall and a body."""
        settings, emptied = self.settings, []
        for host, queue in self._queues.items():
            if len(self._running) >= settings.concurrency:
                break
            while queue and self._busy.get(host, 0) < settings.per_host:
                if len(self._running) >= settings.concurrency or not self._take_body():
                    break
                self._start(queue.popleft())
            if not queue:
                emptied.append(host)
        for host in emptied:
            del self._queues[host]

    def _start(self, fetch: _Fetch) -> None:
        handle = self._idle.pop() if self._idle else self._new_handle()
        self._running[handle] = fetch
        self._busy[fetch.host] = self._busy.get(fetch.host, 0) + 1
        fetch.deadline = time.monotonic() + self.settings.total_timeout
        try:
            self._start_hop(handle, fetch)
        except _Failure as failure:
            self._finish(handle, fetch, _failed(fetch.request, str(failure)))
        except Exception as exc:  # a surprise costs this feed alone
            reason = f"fetch failed: {type(exc).__name__}"
            self._finish(handle, fetch, _failed(fetch.request, reason))

    def _new_handle(self) -> pycurl.Curl:
        handle = pycurl.Curl()
        handle.setopt(pycurl.NOSIGNAL, 1)  # no SIGALRM for timeouts: we are not the main thread
        handle.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.REDIR_PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        handle.setopt(pycurl.FOLLOWLOCATION, 0)  # _redirect_target judges every Location
        handle.setopt(pycurl.ACCEPT_ENCODING, _ACCEPT_ENCODING)
        handle.setopt(pycurl.USERAGENT, self.settings.user_agent)
        return handle

    def _start_hop(self, handle: pycurl.Curl, fetch: _Fetch) -> None:
        settings = self.settings
        left = fetch.deadline - time.monotonic()
        if left <= 0:
            raise _Failure(f"timed out after {settings.total_timeout:g} s")
        fetch.hop = hop = _Hop(settings.max_bytes)
        timeout_ms = max(1, math.ceil(left * 1000))
        connect_ms = max(1, math.ceil(settings.connect_timeout * 1000))
        fetch.connect_limited = connect_ms < timeout_ms
        handle.setopt(pycurl.URL, fetch.url)
        handle.setopt(pycurl.HTTPHEADER, fetch.headers)
        handle.setopt(pycurl.HEADERFUNCTION, hop.header)
        handle.setopt(pycurl.WRITEFUNCTION, hop.write)
        handle.setopt(pycurl.TIMEOUT_MS, timeout_ms)
        handle.setopt(pycurl.CONNECTTIMEOUT_MS, min(connect_ms, timeout_ms))
        if fetch.url.startswith("https:"):
            if self._ca is None:
                self._ca = _ca_options()
            for option, value in self._ca:
                handle.setopt(option, value)
        if self._proxy:  # libcurl reads http_proxy itself, but not HTTP_PROXY
            if fetch.url.startswith("http:"):
                handle.setopt(pycurl.PROXY, self._proxy)
            else:
                handle.unsetopt(pycurl.PROXY)
        self._multi.add_handle(handle)

    def _collect(self) -> bool:
        """Take every finished transfer from libcurl; True when a slot came free."""
        freed = False
        while True:
            queued, succeeded, failed = self._multi.info_read()
            for handle in succeeded:
                freed |= self._hop_ended(handle, 0, "")
            for handle, code, message in failed:
                freed |= self._hop_ended(handle, code, message)
            if not queued:
                return freed

    def _hop_ended(self, handle: pycurl.Curl, code: int, message: str) -> bool:
        """A GET is over: follow its redirect, or finish the fetch. True if it finished."""
        fetch = self._running[handle]
        self._multi.remove_handle(handle)
        try:
            location = self._next_location(handle, fetch, code, message)
            if location is None:
                new_url = fetch.url if fetch.hops and fetch.permanent else None
                result = _result(fetch.request, fetch.hop, new_url)
            else:
                fetch.url = location
                self._start_hop(handle, fetch)
                return False
        except _Failure as failure:
            result = _failed(fetch.request, str(failure))
        except Exception as exc:  # a bug or a surprise must cost one feed, not the refresh
            result = _failed(fetch.request, f"fetch failed: {type(exc).__name__}")
        self._finish(handle, fetch, result)
        return True

    def _next_location(
        self, handle: pycurl.Curl, fetch: _Fetch, code: int, message: str
    ) -> str | None:
        """The URL to GET next, None when this answer is the fetch's; _Failure on an error."""
        hop = fetch.hop
        if hop.refused is not None:
            raise _Failure(hop.refused)
        if code and not (code == pycurl.E_WRITE_ERROR and hop.cut):  # cut: an error page
            raise _Failure(_describe(code, message, handle, fetch, self.settings))
        location = hop.header_text(b"location")
        if location is None or hop.status not in _REDIRECTS:
            return None
        fetch.permanent = fetch.permanent and hop.status in _PERMANENT
        fetch.hops += 1
        if fetch.hops > self.settings.max_redirects:
            raise _Failure("too many redirects")
        return _redirect_target(fetch.url, location)

    def _finish(self, handle: pycurl.Curl, fetch: _Fetch, result: FetchResult) -> None:
        del self._running[handle]
        self._busy[fetch.host] -= 1
        fetch.hop = _Hop(0)  # let the body go: the result holds it now
        self._idle.append(handle)
        if result.body is None:
            self._give_body_back()
        self.deliver(fetch.index, result)

    def _wait(self) -> bool:
        """Sleep until a socket is ready, a timer of libcurl's is due or we are knocked
        on; True when knocked (a body came back, or stop)."""
        timeout = self._multi.timeout()
        if timeout == 0:
            return False
        seconds = _WAIT_AT_MOST if timeout < 0 else min(timeout / 1000, _WAIT_AT_MOST)
        reads, writes, errors = self._multi.fdset()
        ready = select.select([*reads, self._wake_in], writes, errors, seconds)[0]
        if self._wake_in not in ready:
            return False
        with contextlib.suppress(BlockingIOError):
            while self._wake_in.recv(4096):
                pass
        return True


# --------------------------------------------------------------------------- URLs


_PATH_SAFE = "/!$&'()*+,;=:@%~"  # with letters, digits and "_.-", which quote() keeps
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_SAFE = "!$&'()*+,;=:%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _wire_url(text: str) -> tuple[str, str]:
    """The URL as sent, and its host: judged a web URL by tuinews.urls first, then
    written the way libcurl needs it, which neither resolves non-ASCII host names
    (IDNA) nor quotes a path: `été` goes out as `%C3%A9t%C3%A9`, a space as `%20`."""
    if not is_web_url(text):
        raise _Failure(_NOT_WEB)
    try:
        parts = urlsplit(text)
        host, port = parts.hostname or "", parts.port
        if not host.isascii():
            host = _idna(host)
    except ValueError:  # a port out of range, a host IDNA refuses (UnicodeError)
        raise _Failure(_NOT_WEB) from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{_quote(userinfo, _USERINFO_SAFE)}@{netloc}"
    path = _quote(parts.path, _PATH_SAFE) or "/"
    wire = urlunsplit((parts.scheme.lower(), netloc, path, _quote(parts.query, _QUERY_SAFE), ""))
    return wire, host


def _quote(part: str, safe: str) -> str:
    return quote(_LONE_PERCENT.sub("%25", part), safe=safe) if part else part


def _idna(host: str) -> str:
    import idna  # only for a non-ASCII host name

    return idna.encode(host, uts46=True).decode("ascii")


def _redirect_target(base: str, location: str) -> str:
    try:
        scheme = urlsplit(location).scheme.lower()
    except ValueError:
        raise _Failure("redirect to an invalid URL") from None
    if scheme and scheme not in WEB_SCHEMES:
        raise _Failure(f"redirect to a {scheme[:20]}: URL refused")
    try:
        target = urljoin(base, location)
        return _wire_url(target)[0]
    except (ValueError, _Failure):
        raise _Failure("redirect to an invalid URL") from None


def _validators(request: FetchRequest) -> list[str]:
    """Conditional GET headers, so an unchanged feed answers 304 with no body."""
    headers = []
    if etag := _header_value(request.etag):
        headers.append(f"If-None-Match: {etag}")
    if last_modified := _header_value(request.last_modified):
        headers.append(f"If-Modified-Since: {last_modified}")
    return headers


def _header_value(value: str | None) -> str | None:
    """A validator worth storing and sending back: printable ASCII of sane length."""
    if value and len(value) <= 1000 and value.isascii() and value.isprintable():
        return value
    return None


def _uppercase_http_proxy() -> str | None:
    """HTTP_PROXY, which libcurl ignores (only http_proxy is read for http://), while
    httpx and urllib honour it; not when run as a CGI script, where a request's
    `Proxy:` header arrives as HTTP_PROXY."""
    env = os.environ
    if env.get("http_proxy") or "REQUEST_METHOD" in env:
        return None
    return env.get("HTTP_PROXY") or None


def _ca_options() -> list[tuple[int, str]]:
    """Where to find the certificates to trust: SSL_CERT_FILE and SSL_CERT_DIR when set,
    else certifi's bundle (the libcurl in pycurl's wheel looks in a Red Hat path)."""
    env = os.environ
    options = []
    if cafile := env.get("SSL_CERT_FILE"):
        options.append((pycurl.CAINFO, cafile))
    else:
        import certifi

        options.append((pycurl.CAINFO, certifi.where()))
    if capath := env.get("SSL_CERT_DIR"):
        options.append((pycurl.CAPATH, capath))
    return options


# --------------------------------------------------------------------------- answers


def _result(request: FetchRequest, hop: _Hop, new_url: str | None) -> FetchResult:
    status, header = hop.status, hop.header_text
    base = FetchResult(request.feed_id, request.url, new_url=new_url)
    if status == 304:
        return replace(
            base,
            not_modified=True,
            etag=_header_value(header(b"etag")) or request.etag,
            last_modified=_header_value(header(b"last-modified")) or request.last_modified,
            retry_after=_max_age(header(b"cache-control")),
        )
    if status in (429, 503):
        retry_after = _retry_after(header(b"retry-after"))
        return replace(base, error=f"HTTP {status}", retry_after=retry_after)
    if not 200 <= status < 300:
        return replace(base, error=f"HTTP {status}")
    return replace(
        base,
        body=b"".join(hop.body),
        content_type=clean_line(header(b"content-type"), 200) or None,
        etag=_header_value(header(b"etag")),
        last_modified=_header_value(header(b"last-modified")),
        retry_after=_max_age(header(b"cache-control")),
    )


def _failed(request: FetchRequest, reason: str) -> FetchResult:
    return FetchResult(request.feed_id, request.url, error=clean_line(reason, 300))


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.3g} MB"
    if count >= 1024:
        return f"{count / 1024:.3g} KB"
    return f"{count} bytes"


def _retry_after(value: str | None) -> int | None:
    """Retry-After as seconds from now: delta seconds or an HTTP-date, capped at a day."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return min(int(value[:10]), MAX_RETRY_AFTER)
    import email.utils  # ~8 ms to load, for the rare date form only

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = math.ceil((when - datetime.now(UTC)).total_seconds())
    return min(max(seconds, 0), MAX_RETRY_AFTER)


def _max_age(cache_control: str | None) -> int | None:
    match = _MAX_AGE.search(cache_control or "")
    return min(int(match[1][:10]), MAX_RETRY_AFTER) if match else None


# libcurl's error codes (curl/curl.h), by what the user can make of them.
_BAD_RESPONSE = frozenset({1, 8, 16, 18, 52, 92, 95, 100})  # protocol, partial, empty, too large
_TLS_HANDSHAKE = frozenset({35, 53, 54, 58, 59, 64, 66, 77, 80, 82, 83, 90, 91, 98, 101})
_NETWORK = frozenset({55, 56})  # send and receive errors: the OS's words
_CERTIFICATE = 60  # CURLE_PEER_FAILED_VERIFICATION
_TIMED_OUT = 28


def _describe(
    code: int, message: str, handle: pycurl.Curl, fetch: _Fetch, settings: FetchSettings
) -> str:
    """libcurl's error as the one line a user can act on."""
    errno = handle.getinfo(pycurl.OS_ERRNO)
    os_words = os.strerror(errno) if errno > 0 else ""
    if code == _TIMED_OUT:
        connecting = not message.startswith("Operation timed out")
        if connecting and fetch.connect_limited:
            return f"cannot connect: no answer after {settings.connect_timeout:g} s"
        return f"timed out after {settings.total_timeout:g} s"
    if code == pycurl.E_URL_MALFORMAT:
        return _NOT_WEB
    if code == pycurl.E_COULDNT_RESOLVE_HOST:
        return "cannot connect: could not resolve host"
    if code == pycurl.E_COULDNT_RESOLVE_PROXY:
        return "cannot connect: could not resolve proxy"
    if code == pycurl.E_COULDNT_CONNECT or code == 97:  # 97: CURLE_PROXY
        return f"cannot connect: {os_words or message}"
    if code == _CERTIFICATE:
        return "TLS certificate not valid for host"
    if code in _TLS_HANDSHAKE:
        return "cannot connect: TLS handshake failed"
    if code == pycurl.E_BAD_CONTENT_ENCODING:
        return f"could not decode the response: {message}"
    if code in _BAD_RESPONSE:
        return f"bad response from server: {message}"
    if code in _NETWORK:
        return f"network error: {os_words or message}"
    return f"network error: {message or f'libcurl error {code}'}"

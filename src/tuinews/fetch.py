"""Fetch web feeds politely and safely, many at once.

Polite: conditional GETs, a named User-Agent, at most a few requests per host,
and the server's Retry-After / max-age handed back so the caller can wait.
Safe: only http(s), redirects followed by hand (no file: or javascript: hop),
a size cap on the decoded body (so gzip bombs stop early) and a deadline per
request, so one bad feed costs only its own timeout. Every request gets exactly
one FetchResult; nothing here raises for a feed's failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import os
import re
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

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
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?([0-9]+)", re.IGNORECASE)
# httpx resolves a Location itself even with follow_redirects=False, and raises
# InvalidURL (no response left to inspect) on "javascript:..."; see _hide_location.
_LOCATION = "x-tuinews-location"


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

    `on_result` runs in the event loop as each fetch ends, so a UI can show
    progress; it must be quick, and an exception from it aborts the whole call.
    """
    results: list[FetchResult | None] = [None] * len(requests)

    def collect(index: int, result: FetchResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    await _fetch_each(requests, settings, collect)
    return [result for result in results if result is not None]


async def _fetch_each(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    deliver: Callable[[int, FetchResult], None],
    bodies: asyncio.Semaphore | None = None,
) -> None:
    """Fetch every request concurrently and hand each result over; keep none of them.

    `bodies`, when given, is taken before each request starts and given back at
    once for an answer without a body; for a body, the consumer gives it back when
    done with it, so a slow consumer bounds how many bodies wait in memory.
    """
    if not requests:
        return
    overall = asyncio.Semaphore(settings.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}

    @contextlib.asynccontextmanager
    async def slot(host: str) -> AsyncIterator[None]:
        # The host's turn first, so a queue for one busy host holds no overall slot.
        async with hosts.setdefault(host, asyncio.Semaphore(settings.per_host)), overall:
            yield

    async with _client(settings) as client:

        async def run(index: int, request: FetchRequest) -> None:
            if bodies is not None:
                await bodies.acquire()
            result = await _fetch_one(client, request, settings, slot)
            if bodies is not None and result.body is None:
                bodies.release()
            deliver(index, result)

        async with asyncio.TaskGroup() as group:
            for index, request in enumerate(requests):
                group.create_task(run(index, request))


def fetch_all_sync(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """fetch_all for callers without an event loop (a worker thread, the CLI)."""
    return asyncio.run(fetch_all(requests, settings, on_result))


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
        self._settings = settings
        self._on_result = on_result
        self._max_bodies = max_bodies
        self._delivered: set[int] = set()
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._bodies: asyncio.Semaphore | None = None
        self._thread = threading.Thread(target=self._run, name="tuinews-fetch", daemon=True)

    def __enter__(self) -> BackgroundFetch:
        self._thread.start()
        self._started.wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._call(self._task.cancel if self._task else None)
        self._thread.join()

    def body_done(self) -> None:
        """The caller has finished with one body: let another fetch start."""
        self._call(self._bodies.release if self._bodies else None)

    def _call(self, function: Callable[[], object] | None) -> None:
        if function is not None and self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended: nothing to do
                self._loop.call_soon_threadsafe(function)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a bug here must still give every feed its one result
            for index, request in enumerate(self._requests):
                if index not in self._delivered:
                    self._deliver(index, _failed(request, f"fetch failed: {type(exc).__name__}"))
        finally:
            self._started.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._bodies = asyncio.Semaphore(self._max_bodies)
        self._task = asyncio.ensure_future(
            _fetch_each(self._requests, self._settings, self._deliver, self._bodies)
        )
        self._started.set()
        await self._task

    def _deliver(self, index: int, result: FetchResult) -> None:
        self._delivered.add(index)
        self._on_result(result)


def _client(settings: FetchSettings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(settings.total_timeout, connect=settings.connect_timeout),
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
        headers={"User-Agent": settings.user_agent, "Accept": _ACCEPT},
        event_hooks={"response": [_hide_location]},
    )


async def _hide_location(response: httpx.Response) -> None:
    """Keep httpx from parsing Location: _redirect_target judges it instead."""
    location = response.headers.pop("location", None)
    if location is not None:
        response.headers[_LOCATION] = location


async def _fetch_one(
    client: httpx.AsyncClient,
    request: FetchRequest,
    settings: FetchSettings,
    slot: Callable[[str], contextlib.AbstractAsyncContextManager[None]],
) -> FetchResult:
    """One feed, start to end; every failure becomes the result's error line."""
    try:
        url = _web_url(request.url)
        async with slot(url.host), asyncio.timeout(settings.total_timeout):
            return await _follow(client, request, url, settings)
    except _Failure as failure:
        return _failed(request, str(failure))
    except TimeoutError:
        return _failed(request, f"timed out after {settings.total_timeout:g} s")
    except httpx.HTTPError as exc:
        return _failed(request, _describe(exc, settings))
    except Exception as exc:  # a bug or a surprise must cost one feed, not the refresh
        return _failed(request, f"fetch failed: {type(exc).__name__}")


def _failed(request: FetchRequest, reason: str) -> FetchResult:
    return FetchResult(request.feed_id, request.url, error=clean_line(reason, 300))


def _web_url(text: str) -> httpx.URL:
    """The request's URL as httpx wants it, once tuinews.urls has judged it a web URL."""
    if not is_web_url(text):
        raise _Failure("not an http(s) URL")
    try:
        return httpx.URL(text)
    except httpx.InvalidURL:
        raise _Failure("not an http(s) URL") from None


async def _follow(
    client: httpx.AsyncClient, request: FetchRequest, url: httpx.URL, settings: FetchSettings
) -> FetchResult:
    """GET, following at most max_redirects hops; remember whether all were permanent."""
    permanent = True
    for hop in range(settings.max_redirects + 1):
        async with client.stream("GET", url, headers=_validators(request)) as response:
            location = response.headers.get(_LOCATION)
            if location is None or response.status_code not in _REDIRECTS:
                new_url = str(url) if hop and permanent else None
                return await _result(request, response, new_url, settings.max_bytes)
            permanent = permanent and response.status_code in _PERMANENT
            url = _redirect_target(url, location)
    raise _Failure("too many redirects")


def _validators(request: FetchRequest) -> dict[str, str]:
    """Conditional GET headers, so an unchanged feed answers 304 with no body."""
    headers = {}
    if etag := _header_value(request.etag):
        headers["If-None-Match"] = etag
    if last_modified := _header_value(request.last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def _header_value(value: str | None) -> str | None:
    """A validator worth storing and sending back: printable ASCII of sane length."""
    if value and len(value) <= 1000 and value.isascii() and value.isprintable():
        return value
    return None


def _redirect_target(base: httpx.URL, location: str) -> httpx.URL:
    scheme = urlsplit(location).scheme.lower()
    if scheme and scheme not in WEB_SCHEMES:
        raise _Failure(f"redirect to a {scheme[:20]}: URL refused")
    try:
        target = base.join(location)
    except httpx.InvalidURL:
        raise _Failure("redirect to an invalid URL") from None
    if not is_web_url(str(target)):
        raise _Failure("redirect to an invalid URL")
    return target


async def _result(
    request: FetchRequest, response: httpx.Response, new_url: str | None, max_bytes: int
) -> FetchResult:
    status, headers = response.status_code, response.headers
    base = FetchResult(request.feed_id, request.url, new_url=new_url)
    if not 200 <= status < 300:
        # Drain a small body so the connection goes back to the pool: without this,
        # every 304 of a no-change refresh paid for a new TCP connection.
        with contextlib.suppress(_Failure):
            await _read_capped(response, _DRAINED_BODY_LIMIT)
    if status == 304:
        return replace(
            base,
            not_modified=True,
            etag=_header_value(headers.get("etag")) or request.etag,
            last_modified=_header_value(headers.get("last-modified")) or request.last_modified,
            retry_after=_max_age(headers.get("cache-control")),
        )
    if status in (429, 503):
        retry_after = _retry_after(headers.get("retry-after"))
        return replace(base, error=f"HTTP {status}", retry_after=retry_after)
    if not 200 <= status < 300:
        return replace(base, error=f"HTTP {status}")
    return replace(
        base,
        body=await _read_capped(response, max_bytes),
        content_type=clean_line(headers.get("content-type"), 200) or None,
        etag=_header_value(headers.get("etag")),
        last_modified=_header_value(headers.get("last-modified")),
        retry_after=_max_age(headers.get("cache-control")),
    )


_DRAINED_BODY_LIMIT = 64 * 1024  # an error page larger than this closes its connection


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, abandoned as soon as it passes max_bytes (this stops gzip bombs)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _Failure(f"response larger than {_size(max_bytes)}")
        chunks.append(chunk)
    return b"".join(chunks)


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


def _describe(exc: httpx.HTTPError, settings: FetchSettings) -> str:
    """httpx's exception as the one line a user can act on."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"cannot connect: no answer after {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {settings.total_timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        causes = _chain(exc)
        if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes):
            return "TLS certificate not valid for host"
        if any(isinstance(cause, ssl.SSLError) for cause in causes):
            return "cannot connect: TLS handshake failed"
        return f"cannot connect: {_reason(causes)}"
    if isinstance(exc, httpx.DecodingError):
        return f"could not decode the response: {_reason(_chain(exc))}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"bad response from server: {_reason(_chain(exc))}"
    return f"network error: {_reason(_chain(exc))}"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _reason(causes: list[BaseException]) -> str:
    """The most specific short text: an OS error's own words, else the first message."""
    for cause in causes:
        if isinstance(cause, OSError) and cause.errno and cause.errno > 0:
            return os.strerror(cause.errno)  # asyncio's strerror names the address instead
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return next((str(cause) for cause in causes if str(cause)), type(causes[0]).__name__)

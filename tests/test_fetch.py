"""fetch.py against a real HTTP server on 127.0.0.1: the bytes on the wire are the point."""

from __future__ import annotations

import email.utils
import functools
import gzip
import os
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import brotli
import pytest
from webserver import Handler, Route, Server

import tuinews
from tuinews.fetch import (
    MAX_RETRY_AFTER,
    BackgroundFetch,
    FetchRequest,
    FetchResult,
    FetchSettings,
    fetch_all,
    fetch_all_sync,
)

FAST = FetchSettings(connect_timeout=2.0, total_timeout=5.0)


def fetch(server: Server, path: str, settings: FetchSettings = FAST, **kw: str) -> FetchResult:
    [result] = fetch_all_sync([FetchRequest(1, server.url(path), **kw)], settings)
    return result


def feed(handler: Handler) -> None:
    handler.reply(
        200,
        b"<rss/>",
        Content_Type="application/rss+xml",
        ETag='"v1"',
        Last_Modified="Mon, 01 Jan 2024 00:00:00 GMT",
    )


def redirect(status: int, location: str) -> Route:
    return lambda handler: handler.reply(status, Location=location)


def test_200_returns_body_and_validators(server: Server) -> None:
    server.routes["/feed"] = feed
    result = fetch(server, "/feed")
    assert result == FetchResult(
        1,
        server.url("/feed"),
        body=b"<rss/>",
        content_type="application/rss+xml",
        etag='"v1"',
        last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
    )


def test_user_agent_names_tuinews(server: Server) -> None:
    server.routes["/feed"] = feed
    fetch(server, "/feed")
    assert server.headers_for("/feed")["User-Agent"].startswith("tuinews/")


def test_conditional_get_sends_validators_and_304_is_not_modified(server: Server) -> None:
    server.routes["/feed"] = lambda handler: handler.reply(304)
    result = fetch(server, "/feed", etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    sent = server.headers_for("/feed")
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert result.not_modified and result.body is None and result.error is None
    assert result.etag == '"v1"'  # kept when the 304 does not repeat it


def test_permanent_redirect_chain_gives_new_url(server: Server) -> None:
    server.routes["/old"] = redirect(301, "/older")
    server.routes["/older"] = redirect(308, server.url("/feed"))
    server.routes["/feed"] = feed
    result = fetch(server, "/old")
    assert result.body == b"<rss/>"
    assert result.url == server.url("/old")
    assert result.new_url == server.url("/feed")


def test_temporary_hop_means_no_new_url(server: Server) -> None:
    server.routes["/old"] = redirect(301, "/moving")
    server.routes["/moving"] = redirect(302, "/feed")
    server.routes["/feed"] = feed
    result = fetch(server, "/old")
    assert result.body == b"<rss/>"
    assert result.new_url is None


def test_redirect_loop_stops(server: Server) -> None:
    server.routes["/loop"] = redirect(302, "/loop")
    assert fetch(server, "/loop").error == "too many redirects"
    assert len(server.seen) == FAST.max_redirects + 1


@pytest.mark.parametrize(
    ("location", "scheme"),
    [("file:///etc/passwd", "file"), ("javascript:alert(1)", "javascript"), ("FTP://h/x", "ftp")],
)
def test_redirect_to_another_scheme_is_refused(server: Server, location: str, scheme: str) -> None:
    server.routes["/feed"] = redirect(302, location)
    assert fetch(server, "/feed").error == f"redirect to a {scheme}: URL refused"


def test_gzip_body_is_decoded(server: Server) -> None:
    server.routes["/feed"] = lambda handler: handler.reply(
        200, gzip.compress(b"<rss>" + b"x" * 5000 + b"</rss>"), Content_Encoding="gzip"
    )
    assert fetch(server, "/feed").body == b"<rss>" + b"x" * 5000 + b"</rss>"


def test_gzip_bomb_is_cut_off(server: Server) -> None:
    bomb = gzip.compress(bytes(30 * 1024 * 1024))
    server.routes["/bomb"] = lambda handler: handler.reply(200, bomb, Content_Encoding="gzip")
    result = fetch(server, "/bomb", FetchSettings(max_bytes=1024 * 1024))
    assert result.body is None
    assert result.error == "response larger than 1 MB"


BOMB_GIB = 4
MIB = bytes(1024 * 1024)


@functools.cache
def bomb(encoding: str) -> bytes:
    """BOMB_GIB GiB of zeros, compressed without ever holding them: a few MB of gzip or
    deflate, under 1 MB of brotli. After a full flush the compressor starts afresh, so
    every further MiB compresses to the same bytes and is simply repeated. The gzip and
    zlib trailers (checksum, length) are those of 2 MiB: a decoder checks them only at
    the end, which a fetch that honours its cap never reaches."""
    if encoding == "br":
        compressor = brotli.Compressor(quality=1, lgwin=24)
        parts = [compressor.process(MIB * 4) for _ in range(BOMB_GIB * 256)]
        return b"".join(parts) + compressor.finish()
    wbits = {"gzip": 31, "deflate": 15, "raw deflate": -15}[encoding]
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (BOMB_GIB * 1024 - 1) + compressor.flush()


# Run in a process of its own, so the peak memory is the fetch's alone. VmHWM is this
# process's own high-water mark; ru_maxrss would start from pytest's, inherited at fork.
MEASURE_FETCH = """
import sys
from tuinews.fetch import FetchRequest, FetchSettings, fetch_all_sync
[result] = fetch_all_sync([FetchRequest(1, sys.argv[1])], FetchSettings())
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(result.error)
print(int(status) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw deflate", "br"])
def test_decompression_bomb_is_refused_in_little_memory(server: Server, encoding: str) -> None:
    """Several GiB of decoded zeros in a few KB or MB on the wire: the fetch must stop at
    its 20 MB cap without ever inflating much more than that."""
    body = bomb(encoding)
    assert len(body) < 8 * 1024 * 1024  # cheap for the server; 4 GiB once decoded
    name = "deflate" if encoding == "raw deflate" else encoding
    server.routes["/bomb"] = lambda handler: handler.reply(200, body, Content_Encoding=name)
    src = str(Path(tuinews.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-c", MEASURE_FETCH, server.url("/bomb")],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    error, peak_mib = run.stdout.splitlines()
    assert error == "response larger than 20 MB"
    assert int(peak_mib) < 100, f"peak RSS {peak_mib} MiB"


def test_body_past_the_cap_is_refused_and_at_the_cap_kept(server: Server) -> None:
    server.routes["/big"] = lambda handler: handler.reply(200, b"x" * 4097)
    server.routes["/exact"] = lambda handler: handler.reply(200, b"x" * 4096)
    settings = FetchSettings(max_bytes=4096)
    assert fetch(server, "/big", settings).error == "response larger than 4 KB"
    assert fetch(server, "/exact", settings).body == b"x" * 4096


def test_http_errors_are_per_feed(server: Server) -> None:
    server.routes["/feed"] = feed
    server.routes["/broken"] = lambda handler: handler.reply(500, b"oops")
    paths = ["/missing", "/feed", "/broken"]
    requests = [FetchRequest(i, server.url(path)) for i, path in enumerate(paths)]
    results = fetch_all_sync(requests, FAST)
    assert [(r.feed_id, r.error) for r in results] == [(0, "HTTP 404"), (1, None), (2, "HTTP 500")]
    assert results[1].body == b"<rss/>"
    assert results[0].body is None


def test_429_hands_back_retry_after_seconds(server: Server) -> None:
    server.routes["/feed"] = lambda handler: handler.reply(429, Retry_After="120")
    result = fetch(server, "/feed")
    assert (result.error, result.retry_after) == ("HTTP 429", 120)


def test_503_retry_after_as_date_and_capped(server: Server) -> None:
    in_ten_minutes = email.utils.formatdate(time.time() + 600, usegmt=True)
    server.routes["/soon"] = lambda handler: handler.reply(503, Retry_After=in_ten_minutes)
    server.routes["/never"] = lambda handler: handler.reply(503, Retry_After="99999999999")
    soon = fetch(server, "/soon")
    assert soon.error == "HTTP 503"
    assert soon.retry_after is not None and 590 <= soon.retry_after <= 601
    assert fetch(server, "/never").retry_after == MAX_RETRY_AFTER


def test_cache_control_max_age_on_success(server: Server) -> None:
    server.routes["/feed"] = lambda handler: handler.reply(
        200, b"<rss/>", Cache_Control="public, max-age=1800"
    )
    result = fetch(server, "/feed")
    assert (result.error, result.retry_after) == (None, 1800)


async def test_slow_feed_times_out_without_holding_up_a_fast_one(server: Server) -> None:
    server.routes["/slow"] = lambda handler: (handler.server.stop.wait(3), feed(handler))
    server.routes["/fast"] = feed
    finished: list[int] = []
    requests = [FetchRequest(1, server.url("/slow")), FetchRequest(2, server.url("/fast"))]
    settings = FetchSettings(total_timeout=0.5)
    results = await fetch_all(requests, settings, lambda r: finished.append(r.feed_id))
    assert finished == [2, 1]
    assert [r.feed_id for r in results] == [1, 2]  # request order, whatever the finishing order
    assert results[0].error == "timed out after 0.5 s"
    assert results[1].body == b"<rss/>"


def test_per_host_limit_is_respected(server: Server) -> None:
    def slowish(handler: Handler) -> None:
        handler.server.stop.wait(0.1)
        feed(handler)

    server.routes["/feed"] = slowish
    requests = [FetchRequest(i, server.url("/feed")) for i in range(6)]
    results = fetch_all_sync(requests, FetchSettings(per_host=2, concurrency=8))
    assert all(result.body == b"<rss/>" for result in results)
    assert server.most_busy == 2


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "feed", "http://"])
def test_non_http_url_is_refused(url: str) -> None:
    [result] = fetch_all_sync([FetchRequest(1, url)], FAST)
    assert result.error == "not an http(s) URL"


def test_closed_port_cannot_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    [result] = fetch_all_sync([FetchRequest(1, f"http://127.0.0.1:{port}/feed")], FAST)
    assert result.error == "cannot connect: Connection refused"


def test_empty_request_list() -> None:
    assert fetch_all_sync([], FAST) == []


@pytest.fixture
def tls_server(server: Server, tmp_path: Path) -> Server:
    """The same server behind a self-signed certificate, which no client should trust."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-days", "1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.certificate = cert  # type: ignore[attr-defined]
    return server


def test_untrusted_certificate_is_reported(tls_server: Server) -> None:
    tls_server.routes["/feed"] = feed
    url = tls_server.url("/feed").replace("http:", "https:")
    [result] = fetch_all_sync([FetchRequest(1, url)], FAST)
    assert result.error == "TLS certificate not valid for host"


def test_a_certificate_trusted_through_ssl_cert_file_is_accepted(
    tls_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.certificate))  # type: ignore[attr-defined]
    tls_server.routes["/feed"] = feed
    url = tls_server.url("/feed").replace("http:", "https:")
    [result] = fetch_all_sync([FetchRequest(1, url)], FAST)
    assert (result.error, result.body) == (None, b"<rss/>")


def test_zero_limit_is_refused_rather_than_hanging() -> None:
    with pytest.raises(ValueError, match="positive"):
        FetchSettings(per_host=0)


def test_304_answers_reuse_connections(server: Server) -> None:
    """A no-change refresh of many feeds on one host should not reconnect for each."""
    for n in range(8):
        server.routes[f"/f{n}.xml"] = lambda handler: handler.reply(304, ETag='"v1"')
    requests = [FetchRequest(n, server.url(f"/f{n}.xml"), etag='"v1"') for n in range(8)]
    results = fetch_all_sync(requests, FAST)
    assert all(result.not_modified for result in results)
    assert len(server.peers) <= 2  # the per-host limit, and each connection kept alive


def test_non_ascii_and_spaces_in_the_path_are_sent_percent_encoded(server: Server) -> None:
    server.routes["/%C3%A9t%C3%A9/a%20b.xml"] = feed
    assert fetch(server, "/été/a b.xml").body == b"<rss/>"


def test_redirect_to_a_non_ascii_location_is_followed(server: Server) -> None:
    # Servers send such a Location as raw UTF-8; http.server writes header text as Latin-1.
    server.routes["/old"] = redirect(301, "/café.xml".encode().decode("latin-1"))
    server.routes["/caf%C3%A9.xml"] = feed
    result = fetch(server, "/old")
    assert result.body == b"<rss/>"
    assert result.new_url == server.url("/caf%C3%A9.xml")


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_the_proxy_from_the_environment_is_used(
    server: Server, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The local server stands in for the proxy: it is asked for the whole URL, with a
    non-ASCII host name IDNA-encoded, since this libcurl cannot do that itself."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, server.url(""))
    server.routes["http://xn--bcher-kva.example/feed"] = feed
    [result] = fetch_all_sync([FetchRequest(1, "http://bücher.example/feed")], FAST)
    assert result.body == b"<rss/>"


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_no_proxy_hosts_are_fetched_directly(
    server: Server, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, f"http://127.0.0.1:{closed}")
    server.routes["/feed"] = feed
    assert fetch(server, "/feed").error == "cannot connect: Connection refused"  # the proxy
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
    assert fetch(server, "/feed").body == b"<rss/>"


def test_oversized_response_headers_are_refused(server: Server) -> None:
    def huge_headers(handler: Handler) -> None:
        handler.send_response(200)
        for n in range(2000):
            handler.send_header(f"X-Padding-{n}", "x" * 40)
        handler.send_header("Content-Length", "6")
        handler.end_headers()
        handler.wfile.write(b"<rss/>")

    server.routes["/feed"] = huge_headers
    assert fetch(server, "/feed").error == "bad response from server: headers larger than 64 KB"


def test_a_large_error_page_still_reports_the_status(server: Server) -> None:
    server.routes["/gone"] = lambda handler: handler.reply(404, b"x" * (1024 * 1024))
    result = fetch(server, "/gone", FetchSettings(max_bytes=1024))
    assert (result.error, result.body) == ("HTTP 404", None)


def test_the_deadline_covers_every_redirect_hop(server: Server) -> None:
    """Each GET answers within the deadline; the three together do not."""

    def slow_redirect(target: str) -> Route:
        return lambda handler: (handler.server.stop.wait(0.3), handler.reply(302, Location=target))

    server.routes["/a"] = slow_redirect("/b")
    server.routes["/b"] = slow_redirect("/c")
    server.routes["/c"] = lambda handler: (handler.server.stop.wait(0.3), feed(handler))
    result = fetch(server, "/a", FetchSettings(total_timeout=0.5))
    assert result.error == "timed out after 0.5 s"


def test_waiting_for_a_turn_does_not_count_against_the_deadline(server: Server) -> None:
    server.routes["/feed"] = lambda handler: (handler.server.stop.wait(0.3), feed(handler))
    requests = [FetchRequest(n, server.url("/feed")) for n in range(3)]
    results = fetch_all_sync(requests, FetchSettings(per_host=1, total_timeout=0.5))
    assert [result.error for result in results] == [None, None, None]
    assert server.most_busy == 1


def test_background_fetch_waits_for_bodies_to_be_dealt_with(server: Server) -> None:
    """A slow reader holds back the downloads: at most max_bodies bodies wait for it."""
    server.routes["/feed"] = feed
    arrived: queue.SimpleQueue[FetchResult] = queue.SimpleQueue()
    requests = [FetchRequest(n, server.url("/feed")) for n in range(5)]
    with BackgroundFetch(requests, FAST, arrived.put, max_bodies=2) as background:
        first = [arrived.get(timeout=5), arrived.get(timeout=5)]
        with pytest.raises(queue.Empty):
            arrived.get(timeout=0.5)  # nothing more while the two bodies are held
        assert len(server.seen) == 2
        background.body_done()
        third = arrived.get(timeout=5)
        for _ in range(4):
            background.body_done()
        rest = [arrived.get(timeout=5), arrived.get(timeout=5)]
    ids = sorted(result.feed_id for result in [*first, third, *rest])
    assert ids == [0, 1, 2, 3, 4]
    assert all(result.body == b"<rss/>" for result in [*first, third, *rest])


def test_leaving_a_background_fetch_stops_it_without_waiting_for_answers(server: Server) -> None:
    answered = threading.Event()
    release = threading.Event()

    def stalled(handler: Handler) -> None:
        release.wait(10)
        feed(handler)
        answered.set()

    server.routes["/feed"] = stalled
    arrived: list[FetchResult] = []
    requests = [FetchRequest(n, server.url("/feed")) for n in range(3)]
    with BackgroundFetch(requests, FAST, arrived.append, max_bodies=8):
        for _ in range(500):  # until the server has the first request, 5 s at most
            if server.seen:
                break
            time.sleep(0.01)
    assert not answered.is_set()  # left while the server was still holding the request
    release.set()
    assert arrived == []


def test_a_server_that_never_accepts_is_a_connect_timeout() -> None:
    """A listener whose backlog is full drops further SYNs: the connection never opens."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(3)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        settings = FetchSettings(connect_timeout=0.5, total_timeout=5.0)
        [result] = fetch_all_sync([FetchRequest(1, f"http://127.0.0.1:{port}/feed")], settings)
        for filler in fillers:
            filler.close()
    assert result.error == "cannot connect: no answer after 0.5 s"


def hang_up(handler: Handler) -> None:
    handler.close_connection = True


def truncated(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b"<rss>")
    handler.close_connection = True


def bad_gzip(handler: Handler) -> None:
    handler.reply(200, b"\x1f\x8b\x08\x00 this is not gzip at all", Content_Encoding="gzip")


@pytest.mark.parametrize(
    ("route", "error"),
    [
        (hang_up, "bad response from server: "),
        (truncated, "bad response from server: "),
        (bad_gzip, "could not decode the response: "),
    ],
    ids=["no answer", "body cut short", "bad gzip"],
)
def test_a_broken_answer_is_one_clean_line(server: Server, route: Route, error: str) -> None:
    server.routes["/feed"] = route
    result = fetch(server, "/feed")
    assert result.body is None
    assert result.error is not None and result.error.startswith(error)
    assert "\n" not in result.error and len(result.error) > len(error)

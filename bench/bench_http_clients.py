#!/usr/bin/env python3
"""HTTP client benchmark: CPU per conditional GET, the cost of an all-304 refresh.

A no-change refresh against one fast host is bound by the client's CPU, so this
script measures that alone. A keep-alive HTTP/1.1 server runs in a process of its own
on 127.0.0.1 (so its CPU is not counted) and answers `304 Not Modified` to a matching
`If-None-Match` (anything else gets a small 200). Each client then makes N conditional
GETs for N different paths over 2 connections, the way tuinews fetches from one host:

* `tuinews.fetch`: `fetch_all_sync` as the tuinews on `sys.path` has it (8 overall,
  2 per host);
* `httpx`: one `AsyncClient` limited to 2 connections, N `client.get` tasks, at most
  2 at a time (with all N waiting at its pool, httpx's pool gets slower per request
  and its 5 s pool timeout ends the run);
* `urllib3`: a `PoolManager` (2 connections per host, blocking) and 2 threads;
* `aiohttp`: one `ClientSession` with a `TCPConnector(limit=2)`, N `session.get` tasks,
  at most 2 at a time as for httpx;
* `pycurl`: `CurlMulti` with 2 easy handles reused, Python header and body callbacks.

For each client and run it prints the process CPU time (user + system, every thread of
this process: `time.process_time()`) per request in ms, and the wall time. Imports and
one untimed warm-up run of 50 requests come first. The table gives the best run (least
CPU) and the median. A client that is not installed is skipped with a note; a run where
not every answer was a 304 is reported as a failure.

Usage:
  python bench/bench_http_clients.py                       # 2000 requests, 5 runs each
  python bench/bench_http_clients.py -n 500 --runs 3
  python bench/bench_http_clients.py --clients pycurl,aiohttp
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

ETAG = '"v1"'
CONNECTIONS = 2
CLIENTS = ("tuinews", "httpx", "urllib3", "aiohttp", "pycurl")
MODULES = {"tuinews": "tuinews.fetch"}  # the module a client needs, when not its own name


# --------------------------------------------------------------------------- the server


class _Http(asyncio.Protocol):
    """Minimal HTTP/1.1 keep-alive: GET requests without a body, pipelining tolerated."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            match = b"\r\nif-none-match: " + ETAG.encode() in head.lower()
            if match:
                reply = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
            else:
                reply = (
                    b'HTTP/1.1 200 OK\r\nETag: "v1"\r\nContent-Type: application/rss+xml\r\n'
                    b"Content-Length: 6\r\n\r\n<rss/>"
                )
            self.transport.write(reply)  # type: ignore[attr-defined]


def serve() -> None:
    """Run the server until stdin closes; print its port first."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=64)
        print(server.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)  # the bench closes our stdin
        server.close()

    asyncio.run(main())


# --------------------------------------------------------------------------- the clients


def urls(port: int, count: int) -> list[str]:
    return [f"http://127.0.0.1:{port}/feeds/f{n}.xml" for n in range(count)]


def run_tuinews(port: int, count: int) -> list[int]:
    from tuinews.fetch import FetchRequest, FetchSettings, fetch_all_sync

    requests = [FetchRequest(n, url, etag=ETAG) for n, url in enumerate(urls(port, count))]
    results = fetch_all_sync(requests, FetchSettings(per_host=CONNECTIONS))
    return [304 if result.not_modified else 0 for result in results]


def run_httpx(port: int, count: int) -> list[int]:
    import httpx

    async def main() -> list[int]:
        limits = httpx.Limits(max_connections=CONNECTIONS)
        turns = asyncio.Semaphore(CONNECTIONS)
        async with httpx.AsyncClient(limits=limits) as client:

            async def one(url: str) -> int:
                async with turns:
                    response = await client.get(url, headers={"If-None-Match": ETAG})
                return response.status_code

            return await asyncio.gather(*(one(url) for url in urls(port, count)))

    return asyncio.run(main())


def run_urllib3(port: int, count: int) -> list[int]:
    import urllib3

    pool = urllib3.PoolManager(maxsize=CONNECTIONS, block=True, retries=False)

    def one(url: str) -> int:
        return pool.request("GET", url, headers={"If-None-Match": ETAG}).status

    with ThreadPoolExecutor(CONNECTIONS) as threads:
        statuses = list(threads.map(one, urls(port, count)))
    pool.clear()
    return statuses


def run_aiohttp(port: int, count: int) -> list[int]:
    import aiohttp

    async def main() -> list[int]:
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        turns = asyncio.Semaphore(CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(url: str) -> int:
                async with turns, session.get(url, headers={"If-None-Match": ETAG}) as response:
                    await response.read()
                    return response.status

            return await asyncio.gather(*(one(url) for url in urls(port, count)))

    return asyncio.run(main())


def run_pycurl(port: int, count: int) -> list[int]:
    import pycurl

    multi = pycurl.CurlMulti()
    free = []
    for _ in range(CONNECTIONS):
        handle = pycurl.Curl()
        handle.setopt(pycurl.NOSIGNAL, 1)
        handle.setopt(pycurl.HTTPHEADER, [f"If-None-Match: {ETAG}"])
        free.append(handle)
    pending = list(reversed(urls(port, count)))
    statuses: list[int] = []

    def start(handle: pycurl.Curl, url: str) -> None:
        headers: list[bytes] = []
        body: list[bytes] = []
        handle.setopt(pycurl.URL, url)
        handle.setopt(pycurl.HEADERFUNCTION, headers.append)
        handle.setopt(pycurl.WRITEFUNCTION, body.append)
        multi.add_handle(handle)

    while pending or len(free) < CONNECTIONS:
        while pending and free:
            start(free.pop(), pending.pop())
        while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        while True:
            queued, done, failed = multi.info_read()
            for handle in done:
                statuses.append(handle.getinfo(pycurl.RESPONSE_CODE))
                multi.remove_handle(handle)
                free.append(handle)
            for handle, _code, _message in failed:
                statuses.append(0)
                multi.remove_handle(handle)
                free.append(handle)
            if not queued:
                break
        if pending and free:
            continue
        multi.select(1.0)
    for handle in free:
        handle.close()
    multi.close()
    return statuses


RUNNERS: dict[str, Callable[[int, int], list[int]]] = {
    "tuinews": run_tuinews,
    "httpx": run_httpx,
    "urllib3": run_urllib3,
    "aiohttp": run_aiohttp,
    "pycurl": run_pycurl,
}


# --------------------------------------------------------------------------- measuring


@dataclass
class Figures:
    cpu_ms: list[float]  # per request, one per run
    wall_s: list[float]


def measure(client: str, port: int, count: int, runs: int) -> Figures | str:
    """Best and median figures of `runs` timed runs, or the reason there are none."""
    runner = RUNNERS[client]
    try:
        runner(port, 50)  # imports, first connections
    except Exception as exc:
        return f"FAILED in the warm-up: {type(exc).__name__}: {exc}"
    figures = Figures([], [])
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            statuses = runner(port, count)
        except Exception as exc:  # a client's failure is a figure too, not a crash
            return f"FAILED: {type(exc).__name__}: {exc}"
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        not_304 = sum(1 for status in statuses if status != 304)
        if len(statuses) != count or not_304:
            return f"FAILED: {len(statuses)} answers for {count} requests, {not_304} not a 304"
        figures.cpu_ms.append(cpu * 1000 / count)
        figures.wall_s.append(wall)
    return figures


def installed(client: str) -> bool:
    module = MODULES.get(client, client)
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=2000, help="GETs per run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per client")
    parser.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    clients = [name.strip() for name in args.clients.split(",") if name.strip()]
    if unknown := [name for name in clients if name not in RUNNERS]:
        parser.error(f"unknown clients: {', '.join(unknown)} (known: {', '.join(CLIENTS)})")
    if args.requests < 1 or args.runs < 1:
        parser.error("--requests and --runs must be at least 1")

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        print(
            f"{args.requests} conditional GETs per run, {CONNECTIONS} connections, "
            f"{args.runs} runs; server in process {server.pid} on 127.0.0.1:{port}"
        )
        rows = []
        for client in clients:
            if not installed(client):
                print(f"  {client}: not installed, skipped")
                continue
            result = measure(client, port, args.requests, args.runs)
            if isinstance(result, str):
                print(f"  {client}: {result}")
                continue
            runs = ", ".join(f"{ms:.3f}" for ms in result.cpu_ms)
            print(f"  {client}: CPU ms/GET per run: {runs}")
            rows.append((client, result))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)

    print()
    print(f"{'client':<10}{'CPU ms/GET best':>17}{'median':>9}{'wall s best':>13}{'median':>9}")
    for client, result in rows:
        print(
            f"{client:<10}{min(result.cpu_ms):>17.3f}{statistics.median(result.cpu_ms):>9.3f}"
            f"{min(result.wall_s):>13.3f}{statistics.median(result.wall_s):>9.3f}"
        )
    print()
    print("CPU: time.process_time() of this process (all its threads), server excluded.")
    if not RUNNERS.keys() <= {client for client, _ in rows}:
        print("Clients missing from the table were not installed or failed (see above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

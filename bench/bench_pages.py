#!/usr/bin/env python3
"""Whole-stories benchmark: a summary-only feed whose pages `tuinews refresh` fetches.

It builds, in the work folder, a summary-only RSS feed of N items (--items, 200 by
default) whose links point at N pages on a local HTTP/1.1 server in this process
(ThreadingHTTPServer on 127.0.0.1, keep-alive, Content-Type text/html). The pages are the
real ones of ../shared/corpus/extraction/pages, read from there and never copied, cycled
through to reach N; without that folder it says so and serves generated pages instead.
--page-delay-ms holds each page response that long, like a slower real server.

Then, each on a fresh library with an isolated HOME and XDG folders:

1. **add, then refresh**: ``tuinews --db DB add FEED_URL`` stores the N items and queues
   their pages (it fetches none); ``tuinews --db DB refresh`` then fetches the pages;
2. **refresh imports and fetches**: ``add`` against the feed while it serves an empty
   channel, then the full feed, and a timed ``refresh`` that must import the N items AND
   fetch their pages; while it runs the library is polled read-only every 20 ms, for
   T1 (all N articles visible), the first and the last page stored, and T2 (exit);
3. **refresh --no-pages**: the same with ``refresh --no-pages``, the feed alone.

For each run: wall time, when the server was asked for the first page and sent the last,
the time the client took between pages (one request at a time per host), CPU seconds and
peak RSS of the process (os.wait4) and of its process tree (sampled: the page extraction
runs in worker processes), the pages fetched and failed as the CLI's "N pages: ..." line
says, and why pages failed. Last, the library's
bytes per article with page texts (run 2) and without (run 3), after a checkpoint and as
a VACUUM INTO copy, and the median stored page_html and page_text lengths.

It measures; it does not judge. The exit status is non-zero only when a tuinews run
fails or the articles it should store are not there (2: no tuinews to run).

By default it runs this checkout's tuinews: ``python -m tuinews`` with this checkout's
src/ first on PYTHONPATH (a venv's ``tuinews`` script may be an editable install of
another checkout); --tuinews PATH runs that executable instead.

Usage:
  python bench/bench_pages.py                                 # 200 pages, no delay
  python bench/bench_pages.py --items 50 --page-delay-ms 50   # a slower site
  python bench/bench_pages.py --tuinews /path/to/bin/tuinews  # another build
"""

from __future__ import annotations

import argparse
import html
import itertools
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import bench_import as bi  # HOME/XDG isolation, fresh folders, log tails
from bench_network import CountingHandler

BENCH_DIR = Path(__file__).resolve().parent
CHECKOUT_SRC = BENCH_DIR.parent / "src"
DEFAULT_WORKDIR = BENCH_DIR / "out" / "pages"
PAGES = BENCH_DIR.parent.parent / "shared" / "corpus" / "extraction" / "pages"

POLL_SECONDS = 0.02  # how often the library is looked at during a refresh
TREE_EVERY = 5  # the process tree's RSS is summed every 5th poll (every 100 ms)
SUMMARY_CHARS = 160  # a feed item's summary: far under tuinews' 600-character short body
MIB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

PARTS = ("articles", "search index", "rest")  # how measure_library splits a library
SOURCES_RE = re.compile(r"^(\d+) sources?: (\d+) new articles", re.M)
PAGES_RE = re.compile(r"^(\d+) pages?: (\d+) fetched(?:, (\d+) failed)?$", re.M)
# tuinews names each failed page on stderr: "tuinews: URL: why".
FAILED_RE = re.compile(r"^tuinews: (http://\S+/pages/\d+\.html): (.*)$", re.M)
TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.S | re.I)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    """One page the server can send: its bytes, a title for the feed, where it came from."""

    name: str
    data: bytes
    title: str


def page_title(data: bytes, fallback: str) -> str:
    """The page's <title>, one short line, for its feed item."""
    found = TITLE_RE.search(data[:200_000])
    if found is None:
        return fallback
    text = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())
    return text[:120] or fallback


def real_pages(folder: Path) -> list[Page]:
    """The corpus's pages in name order (read, never copied); [] when there are none."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.html"))
    return [Page(f.name, data := f.read_bytes(), page_title(data, f.stem)) for f in files]


# fmt: off
WORDS = (
    "council", "harbour", "budget", "river", "station", "school", "market", "winter",
    "bridge", "library", "festival", "railway", "report", "museum", "election", "hospital",
    "garden", "theatre", "factory", "village", "weather", "street", "ferry", "archive",
    "orchestra", "stadium", "vineyard", "island", "clinic", "tunnel", "mayor",
)
# fmt: on


def generated_pages(count: int) -> list[Page]:
    """Deterministic article pages with a header, navigation, a story and a footer."""
    rng = random.Random(20240101)
    pages = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        paragraphs = "\n".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + ".</p>"
            for _ in range(rng.randint(6, 14))
        )
        nav = "".join(f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in WORDS[:12])
        body = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title} | Bench Gazette</title></head><body>\n"
            f'<header><a href="/">Bench Gazette</a><nav><ul>{nav}</ul></nav></header>\n'
            f'<main><article><h1>{title}</h1><p class="byline">By A. Writer</p>\n'
            f"{paragraphs}\n</article></main>\n"
            "<footer><p>Subscribe to our newsletter. Copyright Bench Gazette.</p></footer>\n"
            "</body></html>\n"
        )
        pages.append(Page(f"generated-{number:03d}", body.encode(), title))
    return pages


# --------------------------------------------------------------------------- server


class PageServer(ThreadingHTTPServer):
    """/feed.xml (empty channel or the full feed) and /pages/<i>.html (page i % len)."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, pages: list[Page], items: int, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), PageHandler)
        self.pages = pages
        self.items = items
        self.delay = delay
        self.full = True  # False: the feed is an empty channel
        self.lock = threading.Lock()
        self.page_requests = 0
        self.open_now = 0
        self.max_open = 0
        self.connections = 0
        self.first_page_asked: float | None = None  # perf_counter of the first page request
        self.last_page_sent: float | None = None  # perf_counter of the last page written
        self.busy = 0.0  # seconds spent answering page requests (the delay included)
        self.answers: list[tuple[float, float]] = []  # (asked, sent) of each page request
        self.feeds: dict[bool, bytes] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/feed.xml"

    def reset(self) -> None:
        """Count afresh, for one run."""
        with self.lock:
            self.page_requests = 0
            self.max_open = self.open_now
            self.first_page_asked = self.last_page_sent = None
            self.busy = 0.0
            self.answers = []

    def feed(self) -> bytes:
        """The feed as it is now (built once per state; the port is in its links)."""
        if self.full not in self.feeds:
            self.feeds[self.full] = build_feed(self, self.items if self.full else 0)
        return self.feeds[self.full]


def build_feed(server: PageServer, items: int) -> bytes:
    """RSS 2.0 with `items` summary-only items, newest first, each linking to its page."""
    newest = 1_735_689_600  # 2025-01-01
    entries = []
    for number in range(items):
        page = server.pages[number % len(server.pages)]
        summary = (
            f"Item {number} of the whole-stories bench ({page.name}). Only a short "
            "summary is in the feed; the whole story is on the linked page."
        )[:SUMMARY_CHARS]
        entries.append(
            "    <item>\n"
            f"      <title>{escape(page.title)}</title>\n"
            f"      <link>{server.base_url}/pages/{number}.html</link>\n"
            f'      <guid isPermaLink="false">urn:tuinews-bench:pages:{number}</guid>\n'
            f"      <pubDate>{formatdate(newest - number * 3600, usegmt=True)}</pubDate>\n"
            f"      <description>{escape(summary)}</description>\n"
            "    </item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        "  <title>Whole-stories bench</title>\n"
        f"  <link>{server.base_url}/</link>\n"
        "  <description>Summary-only items; the stories are on the pages.</description>\n"
        f"{''.join(entries)}</channel></rss>\n"
    ).encode()


class PageHandler(CountingHandler):
    server: PageServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/feed.xml":
            self._send(HTTPStatus.OK, "application/rss+xml; charset=utf-8", self.server.feed())
            return
        number = path.removeprefix("/pages/").removesuffix(".html")
        if not (path.startswith("/pages/") and number.isdigit()):
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")
            return
        asked = time.perf_counter()
        with self.server.lock:
            self.server.page_requests += 1
            if self.server.first_page_asked is None:
                self.server.first_page_asked = asked
        if self.server.delay:
            time.sleep(self.server.delay)
        page = self.server.pages[int(number) % len(self.server.pages)]
        self._send(HTTPStatus.OK, "text/html", page.data)
        sent = time.perf_counter()
        with self.server.lock:
            self.server.last_page_sent = sent
            self.server.busy += sent - asked
            self.server.answers.append((asked, sent))

    def _send(self, status: HTTPStatus, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start_server(pages: list[Page], items: int, delay: float) -> PageServer:
    server = PageServer(pages, items, delay)
    threading.Thread(target=server.serve_forever, name="page-server", daemon=True).start()
    return server


# --------------------------------------------------------------------------- watching


def tree_sample(root: int) -> dict[int, tuple[int, float]] | None:
    """(resident bytes, CPU seconds) of `root` and each of its descendants now, by pid
    (Linux /proc; None elsewhere)."""
    stats: dict[int, list[bytes]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        stats[int(name)] = stat[stat.rindex(b")") + 2 :].split()
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    sample, todo = {}, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        if (fields := stats.get(pid)) is not None:
            # fields after the name: state ppid ... utime (11) stime (12) ... rss (21)
            cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            sample[pid] = (int(fields[21]) * PAGE_SIZE, cpu)
    return sample


@dataclass
class Watch:
    """What the read-only poller saw, in seconds since the process started."""

    articles_visible: float | None = None  # T1: all expected articles counted
    first_page: float | None = None
    last_page: float | None = None  # the last change of the stored pages' count
    pages_seen: int = 0
    failures_seen: int = 0
    tree_peak: int | None = None  # most bytes resident in the process and its descendants
    tree_cpu: dict[int, float] = field(default_factory=dict)  # last CPU seen, by pid
    tree_processes: int = 0  # most processes at once
    polls: int = 0
    errors: Counter[str] = field(default_factory=Counter)


def watch(db: Path, pid: int, articles: int, start: float, stop: threading.Event, seen: Watch):
    """Until `stop`: count articles and stored pages every POLL_SECONDS, read-only."""
    conn = None
    while not stop.is_set():
        now = time.perf_counter() - start
        if seen.polls % TREE_EVERY == 0 and (sample := tree_sample(pid)) is not None:
            seen.tree_peak = max(seen.tree_peak or 0, sum(rss for rss, _ in sample.values()))
            seen.tree_processes = max(seen.tree_processes, len(sample))
            seen.tree_cpu.update({p: cpu for p, (_, cpu) in sample.items()})
        seen.polls += 1
        try:
            if conn is None:
                conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, isolation_level=None)
            count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            pages, failures = conn.execute(
                "SELECT count(fetched_at), count(error) FROM page_fetches"
            ).fetchone()
        except sqlite3.Error as error:  # busy, or not created yet: look again
            seen.errors[str(error)] += 1
        else:
            if seen.articles_visible is None and count >= articles:
                seen.articles_visible = now
            if pages and seen.first_page is None:
                seen.first_page = now
            if (pages, failures) != (seen.pages_seen, seen.failures_seen):
                seen.last_page = now
            seen.pages_seen, seen.failures_seen = pages, failures
        stop.wait(POLL_SECONDS)
    if conn is not None:
        conn.close()


# --------------------------------------------------------------------------- runs


@dataclass
class Result:
    """One timed tuinews run and what it said and stored."""

    label: str
    seconds: float
    cpu: float
    peak_rss: float  # MiB, os.wait4
    returncode: int
    log: Path
    output: str
    watched: Watch | None = None
    page_requests: int = 0
    max_open: int = 0
    server_first: float | None = None  # when the first page was asked for, since start
    server_done: float | None = None  # when the server sent its last page, since start
    server_busy: float = 0.0  # seconds the server spent answering page requests
    gap: tuple[float, float, float] | None = None  # seconds from a page sent to the next
    # page asked: median, max, sum
    articles: int | None = None
    pid: int = 0

    @property
    def tree_cpu(self) -> float | None:
        """CPU seconds of the process (os.wait4: exact) and of its descendants (their last
        sample: the pool's workers are not reaped by it, so os.wait4 does not count them)."""
        if self.watched is None or not self.watched.tree_cpu:
            return None
        others = (cpu for pid, cpu in self.watched.tree_cpu.items() if pid != self.pid)
        return self.cpu + sum(others)

    @property
    def tree_peak(self) -> float | None:
        """MiB: the sampled peak of the tree, at least the process's own peak."""
        if self.watched is None or self.watched.tree_peak is None:
            return None
        return max(self.watched.tree_peak / MIB, self.peak_rss)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def pages(self) -> tuple[int, int, int] | None:
        """(pages, fetched, failed) from the CLI's "N pages: ..." line."""
        found = PAGES_RE.search(self.output)
        if found is None:
            return None
        return int(found[1]), int(found[2]), int(found[3] or 0)

    @property
    def new_articles(self) -> int | None:
        found = SOURCES_RE.search(self.output)
        return int(found[2]) if found else None

    def failures(self) -> dict[str, list[str]]:
        """Why pages failed: the page numbers (in the feed) of each reason."""
        found: dict[str, list[str]] = {}
        for url, reason in FAILED_RE.findall(self.output):
            found.setdefault(reason, []).append(url.rpartition("/")[2].removesuffix(".html"))
        return found


def run(
    label: str,
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    server: PageServer,
    db: Path,
    articles: int | None = None,
) -> Result:
    """Run `cmd` to its end; with `articles`, poll `db` read-only meanwhile."""
    server.reset()
    stop, seen = threading.Event(), Watch()
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        poller = None
        if articles is not None:
            poller = threading.Thread(
                target=watch, args=(db, proc.pid, articles, start, stop, seen), daemon=True
            )
            poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        stop.set()
        if poller is not None:
            poller.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    with server.lock:
        asked, sent, busy = server.first_page_asked, server.last_page_sent, server.busy
        answers = sorted(server.answers)
        requests, max_open = server.page_requests, server.max_open
    result = Result(
        label,
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        proc.returncode,
        log,
        log.read_text(errors="replace"),
        seen if poller is not None else None,
        requests,
        max_open,
        None if asked is None else asked - start,
        None if sent is None else sent - start,
        busy,
        idle_gap(answers),
        bi.count_rows(db, "articles") if db.exists() else None,
        proc.pid,
    )
    report(result)
    return result


def idle_gap(answers: list[tuple[float, float]]) -> tuple[float, float, float] | None:
    """Waits between a page sent and the next page asked for (median, longest, in all):
    with one request at a time per host, the client's own time per page."""
    gaps = [asked - sent for (_, sent), (asked, _) in itertools.pairwise(answers) if asked >= sent]
    return (statistics.median(gaps), max(gaps), sum(gaps)) if gaps else None


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def report(result: Result) -> None:
    """One run as soon as it ends (and its log's tail when it failed)."""
    pages = result.pages
    said = f"; {pages[0]} pages: {pages[1]} fetched, {pages[2]} failed" if pages else ""
    print(
        f"  {result.label:30s} {result.seconds:6.2f} s, CPU {result.cpu:5.2f} s, "
        f"peak RSS {result.peak_rss:.0f} MiB; {result.articles} articles stored{said}"
    )
    if not result.ok:
        print(f"  FAILED (exit {result.returncode}, log {result.log})")
        print(bi.log_tail(result.log))


@dataclass
class Library:
    """A library's size and its page texts' lengths."""

    articles: int
    on_disk: int  # DB + WAL after a TRUNCATE checkpoint
    vacuumed: int  # a VACUUM INTO copy
    page_html: float | None  # median length(), of the articles with a page
    page_text: float | None
    summary: float | None  # median length(content_text): the feed's own text
    with_page: int
    page_bytes: int  # UTF-8 bytes of page_html + page_text, all articles
    parts: dict[str, int] | None  # bytes by part (dbstat), when this SQLite has dbstat


def measure_library(db: Path) -> Library:
    """Checkpoint through a connection of our own, then sizes and median lengths."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        on_disk = bi.db_size(db)
        with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
            copy = Path(tmp) / "vacuumed.db"
            conn.execute("VACUUM INTO ?", (str(copy),))
            vacuumed = copy.stat().st_size
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        rows = conn.execute(
            "SELECT length(page_html), length(page_text) FROM articles WHERE page_html != ''"
        ).fetchall()
        feed_text = [r[0] for r in conn.execute("SELECT length(content_text) FROM articles")]
        page_bytes = conn.execute(
            "SELECT coalesce(sum(length(CAST(page_html AS BLOB)) + "
            "length(CAST(page_text AS BLOB))), 0) FROM articles"
        ).fetchone()[0]
        parts = library_parts(conn)
    finally:
        conn.close()

    def median(values: list[int]) -> float | None:
        return statistics.median(values) if values else None

    return Library(
        articles,
        on_disk,
        vacuumed,
        median([r[0] for r in rows]),
        median([r[1] for r in rows]),
        median(feed_text),
        len(rows),
        page_bytes,
        parts,
    )


def library_parts(conn: sqlite3.Connection) -> dict[str, int] | None:
    """Bytes of the articles table, of the search index and of the rest (dbstat)."""
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.Error:  # built without SQLITE_ENABLE_DBSTAT_VTAB
        return None
    parts = dict.fromkeys(PARTS, 0)
    for name, size in rows:
        part = "articles" if name == "articles" else "rest"
        part = "search index" if name.startswith("articles_fts") else part
        parts[part] += size
    return parts


# --------------------------------------------------------------------------- scenarios


def page_counts(db: Path) -> tuple[int | None, int | None]:
    """Pages waiting to be fetched, and stored, read-only."""
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT count(*) - count(fetched_at), count(fetched_at) FROM page_fetches"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        print(f"  WARNING: cannot count the pages in {db}: {error}")
        return None, None
    return row[0], row[1]


def fresh_library(workdir: Path, name: str) -> tuple[Path, dict[str, str], Path]:
    """A new folder with an isolated HOME: (folder, environment, database path)."""
    home = bi.fresh_dir(workdir / name)
    return home, bi.isolated_env(home / "home"), home / "tuinews.db"


def scenarios(
    tuinews: list[str], extra_env: dict[str, str], server: PageServer, workdir: Path
) -> tuple[list[Result], dict[str, Path]]:
    items = server.items
    results: list[Result] = []
    dbs: dict[str, Path] = {}

    print("1. add (the feed's items, pages queued), then refresh (the pages)")
    home, env, db = fresh_library(workdir, "add-then-refresh")
    env.update(extra_env)
    base = [*tuinews, "--db", str(db)]
    server.full = True
    results.append(run("add", [*base, "add", server.feed_url], env, home / "add.log", server, db))
    if results[-1].ok:
        waiting, stored = page_counts(db)
        print(
            f"  after add: {waiting} pages queued, {stored} stored, "
            f"{results[-1].page_requests} requested"
        )
        results.append(
            run("refresh after add", [*base, "refresh"], env, home / "refresh.log", server,
                db, items)
        )  # fmt: skip

    for name, label, flags in (
        ("refresh", "refresh: feed and pages", []),
        ("no-pages", "refresh --no-pages", ["--no-pages"]),
    ):
        number = 2 if name == "refresh" else 3
        print(f"{number}. add against an empty channel, then {label.split(':')[0]} of the feed")
        home, env, db = fresh_library(workdir, name)
        env.update(extra_env)
        base = [*tuinews, "--db", str(db)]
        server.full = False
        added = run("add (empty channel)", [*base, "add", server.feed_url], env,
                    home / "add.log", server, db)  # fmt: skip
        server.full = True
        if not added.ok:
            results.append(added)
            continue
        results.append(
            run(label, [*base, "refresh", *flags], env, home / "refresh.log", server, db, items)
        )
        dbs[name] = db
    return results, dbs


# --------------------------------------------------------------------------- report


def print_table(results: list[Result], items: int, served: list[Page]) -> None:
    """Two tables, times then resources, one line per run; then notes and failures."""
    times = [("run", "wall s", "T1 feed", "1st asked", "1st page", "last sent", "last page",
              "pages/s", "fetched/failed")]  # fmt: skip
    costs = [("run", "page requests", "connections", "server busy s", "gap ms median/max",
              "gaps s", "CPU s", "tree CPU s", "RSS MiB", "tree MiB", "processes")]  # fmt: skip
    for r in results:
        w, pages = r.watched, r.pages
        rate = f"{pages[0] / r.seconds:.1f}" if pages and r.ok else "-"
        times.append(
            (r.label, f"{r.seconds:.2f}", fmt(w and w.articles_visible), fmt(r.server_first),
             fmt(w and w.first_page), fmt(r.server_done), fmt(w and w.last_page), rate,
             f"{pages[1]}/{pages[2]}" if pages else "none")
        )  # fmt: skip
        costs.append(
            (r.label, str(r.page_requests), str(r.max_open) if r.page_requests else "-",
             f"{r.server_busy:.2f}" if r.page_requests else "-",
             "-" if r.gap is None else f"{r.gap[0] * 1000:.1f}/{r.gap[1] * 1000:.0f}",
             "-" if r.gap is None else f"{r.gap[2]:.2f}", f"{r.cpu:.2f}",
             fmt(r.tree_cpu), f"{r.peak_rss:.0f}",
             "-" if r.tree_peak is None else f"{r.tree_peak:.0f}",
             str(w.tree_processes) if w and w.tree_processes else "-")
        )  # fmt: skip
    print_rows(times)
    print_rows(costs)
    poll, sample = POLL_SECONDS * 1000, POLL_SECONDS * TREE_EVERY * 1000
    print(
        f"""
Times are seconds from the process's start. T1 feed: all {items} articles visible to a
reader of the library (polled every {poll:.0f} ms). 1st asked / last sent: the server got
the first page request / sent the last page. 1st / last page: the first / last page
stored (fetched or failed). pages/s: pages / wall time.
connections: most open at once. server busy: seconds spent answering page requests
(delay included). gap: the median and longest time from a page sent to the next one
asked for, gaps: all of them (the client's own time per page: tuinews asks one host for
one page at a time).
CPU and RSS: the tuinews process (os.wait4); tree: it and its descendants (the
extraction's worker processes, which os.wait4 does not count), sampled every
{sample:.0f} ms; shared pages count once per process."""
    )
    for r in results:
        w = r.watched
        if r.max_open > 1 and r.page_requests:
            print(f"  note: {r.label}: up to {r.max_open} connections were open at once")
        if w and w.errors:
            print(f"  note: {r.label}: the poller could not read {sum(w.errors.values())} times")
        visible, first = (w.articles_visible, w.first_page) if w else (None, None)
        if r.new_articles and visible is not None and first is not None and visible > first:
            print(
                f"  !!!! {r.label}: the feed's articles were visible only after pages "
                "were stored !!!!"
            )
        for reason, numbers in sorted(r.failures().items(), key=lambda kv: -len(kv[1])):
            names = sorted({served[int(n) % len(served)].name for n in numbers})
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            print(f"  {r.label}: {len(numbers)} page(s) failed: {reason} ({shown})")


def print_library(with_pages: Library, without: Library) -> None:
    """Bytes per article with and without page texts, the difference, and where it goes."""
    n = max(with_pages.articles, 1)
    split = with_pages.parts is not None and without.parts is not None
    header = ["library", "articles", "on disk", "per article", "vacuumed", "per article"]
    header += [f"{part} /article" for part in PARTS] if split else []
    rows = [header]
    for label, lib in (("with page texts", with_pages), ("--no-pages", without)):
        count = max(lib.articles, 1)
        row = [label, str(lib.articles), f"{lib.on_disk:,}", f"{lib.on_disk / count:,.0f}",
               f"{lib.vacuumed:,}", f"{lib.vacuumed / count:,.0f}"]  # fmt: skip
        if split and lib.parts is not None:
            row += [f"{lib.parts[part] / count:,.0f}" for part in PARTS]
        rows.append(row)
    disk, vacuumed = with_pages.on_disk - without.on_disk, with_pages.vacuumed - without.vacuumed
    row = ["page texts add", "", f"{disk:,}", f"{disk / n:,.0f}", f"{vacuumed:,}",
           f"{vacuumed / n:,.0f}"]  # fmt: skip
    if split and with_pages.parts is not None and without.parts is not None:
        row += [f"{(with_pages.parts[p] - without.parts[p]) / n:,.0f}" for p in PARTS]
    rows.append(row)
    print_rows(rows)

    def chars(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    split_note = (
        "articles / search index / rest: bytes of the articles table, of the FTS5 index and\n"
        "of the other tables and indexes (dbstat), per article."
        if split
        else "(this SQLite has no dbstat: the bytes are not split by table)"
    )
    print(
        f"""
on disk: DB + WAL after PRAGMA wal_checkpoint(TRUNCATE) through a connection of this
script; vacuumed: the size of a VACUUM INTO copy. per article: / the articles stored.
{split_note}
Median stored length in characters (SQL length()), over the {with_pages.with_page} articles
with a page: page_html {chars(with_pages.page_html)}, page_text \
{chars(with_pages.page_text)}; the feed's own text
(content_text) {chars(with_pages.summary)}. page_html + page_text, UTF-8, all articles:
{with_pages.page_bytes / n:,.0f} bytes per article."""
    )


def print_rows(rows: list[list[str]] | list[tuple[str, ...]]) -> None:
    """A table: each column as wide as its widest cell, numbers and words left-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for line in rows:
        print("  ".join(cell.ljust(wd) for cell, wd in zip(line, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--items", type=int, default=200, help="feed items and pages (default 200)")
    ap.add_argument(
        "--page-delay-ms", type=float, default=0, help="hold each page response (default 0)"
    )
    ap.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR,
        help=f"databases and logs (default: {DEFAULT_WORKDIR})",
    )  # fmt: skip
    ap.add_argument(
        "--tuinews", metavar="PATH",
        help="the tuinews executable to run (default: this checkout's src/ through "
        "`python -m tuinews`, else bench_import's choice)",
    )  # fmt: skip
    ap.add_argument("--pages", type=Path, default=PAGES, help=f"real pages (default: {PAGES})")
    args = ap.parse_args(argv)
    if args.items < 1:
        ap.error("--items must be at least 1")
    if args.page_delay_ms < 0:
        ap.error("--page-delay-ms must not be negative")
    return args


def find_tuinews(given: str | None) -> tuple[list[str], dict[str, str]] | None:
    """The command to run and what to add to its environment; printed for the log.

    By default this checkout's code: `python -m tuinews` with src/ first on PYTHONPATH
    (the venv's `tuinews` script may be an editable install of another checkout).
    """
    if given:
        print(f"tuinews: {given}")
        return [given], {}
    if (CHECKOUT_SRC / "tuinews" / "__init__.py").is_file():
        path = os.pathsep.join(p for p in (str(CHECKOUT_SRC), os.environ.get("PYTHONPATH")) if p)
        found = subprocess.run(
            [sys.executable, "-c", "import tuinews; print(tuinews.__file__)"],
            env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True,
        )  # fmt: skip
        if found.returncode == 0:
            print(f"tuinews: {sys.executable} -m tuinews ({found.stdout.strip()})")
            return [sys.executable, "-m", "tuinews"], {"PYTHONPATH": path}
    exe = bi.find_tuinews()
    if exe is None:
        print("error: no tuinews to run (give --tuinews PATH)", file=sys.stderr)
        return None
    print(f"tuinews: {exe}")
    return [str(exe)], {}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    found = find_tuinews(args.tuinews)
    if found is None:
        return 2
    tuinews, extra_env = found
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    pages = real_pages(args.pages)
    if pages:
        source = f"{len(pages)} real pages from {args.pages}"
    else:
        print(f"note: no pages in {args.pages}: serving generated pages instead")
        pages = generated_pages(min(args.items, 50))
        source = f"{len(pages)} generated pages"
    sizes = sorted(len(pages[i % len(pages)].data) for i in range(args.items))
    server = start_server(pages, args.items, args.page_delay_ms / 1000)
    print(
        f"{args.items} items, pages: {source} (median {statistics.median(sizes) / 1024:.0f} KiB, "
        f"{sum(sizes) / MIB:.1f} MiB in all), {args.page_delay_ms:g} ms delay per page; "
        f"served at {server.base_url}; runs in {workdir}"
    )
    started = time.perf_counter()
    try:
        results, dbs = scenarios(tuinews, extra_env, server, workdir)
    finally:
        server.shutdown()
        server.server_close()

    failed = False
    for r in results:
        expected = 0 if "empty" in r.label else args.items
        if not r.ok:
            failed = True
        elif r.articles != expected:
            print(f"  !!!! {r.label}: {r.articles} articles stored, expected {expected} !!!!")
            failed = True
    print_table(results, args.items, pages)
    if "refresh" in dbs and "no-pages" in dbs:
        print_library(measure_library(dbs["refresh"]), measure_library(dbs["no-pages"]))
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

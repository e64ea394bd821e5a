"""Killing `tuinews refresh` in the middle of a large import leaves the previous cache intact,
for a local feed file and for a web feed alike."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from feedgen import numbered_items, rss

OLD = rss(numbered_items(50, prefix="Old"))
# Same guids with new titles (50 updates) plus many new, long items: ~13 MB, under the
# 20 MB download cap.
NEW_COUNT = 12_000
NEW = rss(numbered_items(NEW_COUNT, prefix="New", body="<p>" + "word " * 200 + "</p>"))


def _tuinews(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tuinews", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _titles(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT title FROM articles ORDER BY title")]


def _local_source(tmp_path: Path, server) -> tuple[str, Callable[[bytes], None]]:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(OLD)
    return str(feed), feed.write_bytes


def _web_source(tmp_path: Path, server) -> tuple[str, Callable[[bytes], None]]:
    def serve(document: bytes) -> None:
        server.routes["/feed.xml"] = lambda handler: handler.reply(200, document)

    serve(OLD)
    return server.url("/feed.xml"), serve


@pytest.mark.parametrize("make_source", [_local_source, _web_source], ids=["file", "web"])
def test_kill_during_import_keeps_previous_articles(tmp_path: Path, server, make_source) -> None:
    db = tmp_path / "library.db"
    source, publish = make_source(tmp_path, server)
    assert _tuinews(db, "add", source).wait(timeout=60) == 0
    before = _titles(db)
    assert len(before) == 50
    with sqlite3.connect(db) as conn:  # an empty WAL, so any growth is the new import
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    publish(NEW)
    wal = Path(f"{db}-wal")
    refresh = _tuinews(db, "refresh")
    deadline = time.monotonic() + 120
    while (not wal.exists() or wal.stat().st_size < 1_000_000) and refresh.poll() is None:
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.005)
    assert refresh.poll() is None, "refresh finished before it could be interrupted"
    os.kill(refresh.pid, signal.SIGKILL)
    refresh.wait()

    assert _titles(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # And the next refresh completes the interrupted work.
    finished = _tuinews(db, "refresh")
    assert finished.wait(timeout=300) == 0
    titles = _titles(db)
    assert len(titles) == NEW_COUNT
    assert all(title.startswith("New ") for title in titles)


FEEDS = 200
KILLS = 20


class _Answers:
    """Counts the feed answers sent; `reached(n)` is set once n have gone out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.waiting: tuple[int, threading.Event] | None = None

    def reached(self, count: int) -> threading.Event:
        with self.lock:
            self.sent, event = 0, threading.Event()
            self.waiting = (count, event)
            return event

    def one_sent(self) -> None:
        with self.lock:
            self.sent += 1
            if self.waiting and self.sent >= self.waiting[0]:
                self.waiting[1].set()


def _publishing_feeds(server, count: int, answers: _Answers) -> Callable[[], int]:
    """`count` web feeds with an ETag per version; each call publishes one more item
    in every feed and returns how many items each now has."""
    version = 0

    def route(number: int) -> Callable:
        def answer(handler) -> None:
            answers.one_sent()
            etag = f'"{number}-{version}"'
            if handler.headers.get("If-None-Match") == etag:
                handler.reply(304, ETag=etag)
                return
            items = numbered_items(version + 1, prefix=f"Feed {number} story")
            body = rss(items, title=f"Feed {number}")
            handler.reply(200, body, ETag=etag, Content_Type="application/rss+xml")

        return answer

    for number in range(count):
        server.routes[f"/feed-{number}.xml"] = route(number)

    def publish() -> int:
        nonlocal version
        version += 1
        return version + 1

    return publish


def _stale_feeds(db: Path, expected: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT feeds.source, count(articles.id) FROM feeds "
            "LEFT JOIN articles ON articles.feed_id = feeds.id GROUP BY feeds.id"
        ).fetchall()
    return [source for source, stored in rows if stored != expected]


def test_refresh_killed_at_random_instants_never_leaves_a_feed_stale(
    tmp_path: Path, server
) -> None:
    """A web feed's validators are stored with its articles: a refresh killed after an
    answer arrived but before its articles were written must not leave an ETag that
    earns a 304 for a version never imported."""
    answers = _Answers()
    publish = _publishing_feeds(server, FEEDS, answers)
    outlines = "".join(
        f'<outline type="rss" xmlUrl="{server.url(f"/feed-{n}.xml")}"/>' for n in range(FEEDS)
    )
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    db = tmp_path / "library.db"
    assert _tuinews(db, "import-opml", str(opml)).wait(timeout=120) == 0

    expected = publish()
    assert _tuinews(db, "refresh").wait(timeout=120) == 0
    assert _stale_feeds(db, expected) == []

    # Killed when a random number of the 200 answers have gone out: the refresh is
    # then between answers arriving and articles written, whatever the machine's speed.
    chance = random.Random(20261201)  # fixed, so a failure can be replayed
    interrupted = 0
    for kill in range(KILLS):
        expected = publish()
        after = chance.randint(1, FEEDS)
        sent = answers.reached(after)
        refresh = _tuinews(db, "refresh")
        assert sent.wait(timeout=120), "the refresh never asked for its feeds"
        interrupted += refresh.poll() is None
        refresh.send_signal(signal.SIGKILL)
        refresh.wait()

        assert _tuinews(db, "refresh").wait(timeout=120) == 0
        stale = _stale_feeds(db, expected)
        assert stale == [], f"kill {kill} after {after} answers left {len(stale)} feeds stale"
    assert interrupted >= KILLS // 2, "too few refreshes were still running when killed"

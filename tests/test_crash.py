"""Killing `tuinews refresh` in the middle of a large import leaves the previous cache intact,
for a local feed file and for a web feed alike."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
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

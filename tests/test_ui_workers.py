"""What the reader does when work in the background goes wrong or piles up: one
refresh at a time, a quit that does not wait on a slow server, errors as notices."""

from __future__ import annotations

import resource
import sqlite3
import threading
from pathlib import Path

from feedgen import numbered_items, rss
from test_ui import SIZE, Running, clock, feed_id, reader_text, screen_text, settle, two_feeds
from textual.widgets import Label

from tuinews.config import Config
from tuinews.models import SourceKind
from tuinews.store import Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_list import ArticleList
from tuinews.ui.feed_list import FeedList

__all__ = ["two_feeds"]  # the fixture, used by name


def slow_feed_server(server, release: threading.Event) -> str:
    """A feed that answers only once `release` is set (or after half a minute)."""

    def slow(handler) -> None:
        release.wait(timeout=30)
        handler.reply(200, rss(numbered_items(1, prefix="Slow"), title="Slow"))

    server.routes["/slow.xml"] = slow
    return server.url("/slow.xml")


def add_url_feed(db_path, url: str) -> None:
    with Store(db_path) as store:
        store.add_feed(url, SourceKind.URL)


async def test_R_pressed_three_times_runs_one_refresh(server, db_path, tmp_path) -> None:
    release = threading.Event()
    add_url_feed(db_path, slow_feed_server(server, release))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await pilot.press("R", "R", "R")
        await pilot.pause(0.2)
        assert "A refresh is already running" in screen_text(app)
        release.set()
        await settle(pilot)
        assert "1 new articles" in str(app.query_one("#status-text", Label).render())
    assert [path for path, _ in server.seen].count("/slow.xml") == 1


async def test_q_during_a_refresh_waiting_on_a_slow_server_stops_it(
    server, db_path, tmp_path
) -> None:
    release = threading.Event()
    add_url_feed(db_path, slow_feed_server(server, release))
    before = set(threading.enumerate())
    app = TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("R")
        for _ in range(50):
            await pilot.pause(0.05)
            if server.seen:
                break
        assert server.seen, "the refresh never asked the server"
        started = [  # the app's threads: not the loop's executor, not the test server's
            thread
            for thread in threading.enumerate()
            if thread not in before
            and not thread.name.startswith("asyncio_")
            and "process_request" not in thread.name
        ]
        assert started, "the refresh runs in no thread of its own?"
        await pilot.press("q")
    for thread in started:
        thread.join(timeout=10)  # a guard against hanging; the server waits 30 s
    assert not [thread.name for thread in started if thread.is_alive()]
    release.set()


async def test_a_key_bound_to_an_unknown_id_is_named_in_a_warning(
    two_feeds, db_path, tmp_path
) -> None:
    config = Config(db_path=db_path, keys={"nxt_unread": "N", "next_unread": "N"})
    app = TuinewsApp(config, state_path=tmp_path / "ui.json", clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "nxt_unread" in screen_text(app)
        await pilot.press("N")  # the known id still takes its new key
        await settle(pilot)
        assert reader_text(app).startswith("Beta 12\n")


async def test_each_library_keeps_its_own_place(two_feeds, db_path, tmp_path, sql, cli) -> None:
    state = tmp_path / "ui.json"
    beta = feed_id(sql, "Beta Feed")
    other_db = tmp_path / "other.db"
    other = TuinewsApp(Config(db_path=other_db), state_path=state, clock=clock)
    async with other.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")

    from test_ui import choose_feed

    first = TuinewsApp(Config(db_path=db_path), state_path=state, clock=clock)
    async with first.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_feed(pilot, f"feed-{beta}")
        await pilot.press("q")

    again = TuinewsApp(Config(db_path=other_db), state_path=state, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.query_one(FeedList).highlighted_id == "all"
    back = TuinewsApp(Config(db_path=db_path), state_path=state, clock=clock)
    async with back.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert back.query_one(FeedList).highlighted_id == f"feed-{beta}"


async def test_the_search_bar_counts_every_match_past_the_list_it_shows(
    db_path, tmp_path, cli
) -> None:
    """The list holds the best 1,000; the bar says how many match in all."""
    folder = tmp_path / "wire"
    folder.mkdir()
    for number in range(1_200):
        (folder / f"{number:04}.txt").write_text(f"Ferry news {number}\n\nThe ferry ran.\n")
    assert cli("add", str(folder)).code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await pilot.press("slash", *"ferry")
        await pilot.pause(0.3)
        await settle(pilot)
        assert str(app.query_one("#search-error", Label).render()) == "1200 found"


async def test_a_write_refused_by_a_locked_library_is_a_notice_not_an_exit(
    two_feeds, db_path, tmp_path
) -> None:
    """Another program holds the write lock longer than tuinews waits (10 s)."""
    import sqlite3

    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            await pilot.press("s")
            await settle(pilot)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert "Could not change the article" in screen_text(app)
        assert "locked by another program" in screen_text(app)
        assert "LibraryError" not in screen_text(app)  # the user's words, not our class names
        assert app.is_running
        await pilot.press("s")  # and it works again once the lock is gone
        await settle(pilot)
        assert app.query_one(ArticleList).row(app.query_one(ArticleList).current_id).starred


async def test_a_full_disk_during_R_is_a_notice_and_the_library_keeps_what_it_had(
    db_path, tmp_path, cli
) -> None:
    """The file size limit stands in for a full disk: SQLite's write fails in the middle
    of the import, as it does when the disk fills up."""
    feed = tmp_path / "big.xml"
    feed.write_bytes(rss(numbered_items(5, prefix="Old")))
    assert cli("add", str(feed)).code == 0
    feed.write_bytes(rss(numbered_items(3_000, prefix="New", body="<p>" + "word " * 100 + "</p>")))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        files = [path for path in (db_path, Path(f"{db_path}-wal")) if path.exists()]
        room = max(path.stat().st_size for path in files) + 256 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, hard))
        try:
            await pilot.press("R")
            await settle(pilot)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        text = screen_text(app)
        assert "Could not refresh" in text and "the disk refused a write" in text
        assert app.is_running
        with sqlite3.connect(db_path) as conn:
            titles = {row[0] for row in conn.execute("SELECT title FROM articles")}
        assert titles == {f"Old {n}" for n in range(5)}

        await pilot.press("R")  # room again: the refresh completes
        await settle(pilot)
        assert "2995 new articles, 5 updated" in str(app.query_one("#status-text", Label).render())

"""Web feeds end to end: `tuinews add URL` and `refresh` against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import threading

import pytest
from feedgen import numbered_items, rss

from tuinews.models import SourceKind
from tuinews.refresh import Progress, refresh_feeds
from tuinews.store import Store


def feeds_by_title(cli) -> dict[str, dict]:
    return {feed["title"]: feed for feed in json.loads(cli("feeds", "--json").out)}


def serve_feed(server, path: str, document: bytes, etag: str = '"v1"') -> None:
    """Answer with the document, or 304 when the client already has this ETag."""

    def route(handler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            handler.reply(304, ETag=etag)
        else:
            handler.reply(200, document, Content_Type="application/rss+xml", ETag=etag)

    server.routes[path] = route


def test_add_fetches_the_feed_and_refresh_asks_politely(cli, server) -> None:
    serve_feed(server, "/news.xml", rss(numbered_items(3), title="Web News"))
    added = cli("add", server.url("/news.xml"))
    assert added.code == 0 and "3 articles" in added.out

    refresh = cli("refresh")
    assert refresh.code == 0 and "0 new articles" in refresh.out
    last_headers = server.seen[-1][1]
    assert last_headers.get("If-None-Match") == '"v1"'
    assert "tuinews/" in last_headers.get("User-Agent", "")
    assert feeds_by_title(cli)["Web News"]["total"] == 3


def test_a_changed_feed_brings_new_articles(cli, server) -> None:
    serve_feed(server, "/news.xml", rss(numbered_items(2), title="Web News"))
    cli("add", server.url("/news.xml"))
    serve_feed(server, "/news.xml", rss(numbered_items(4), title="Web News"), etag='"v2"')
    assert "2 new articles" in cli("refresh").out


def test_permanent_redirect_moves_the_feed(cli, server) -> None:
    serve_feed(server, "/new.xml", rss(numbered_items(1), title="Moved"))
    server.routes["/old.xml"] = lambda h: h.reply(301, Location=server.url("/new.xml"))
    cli("add", server.url("/old.xml"))
    assert feeds_by_title(cli)["Moved"]["source"] == server.url("/new.xml")


def test_errors_are_one_line_per_feed_and_keep_the_articles(cli, server) -> None:
    serve_feed(server, "/good.xml", rss(numbered_items(2), title="Good"))
    serve_feed(server, "/flaky.xml", rss(numbered_items(2, prefix="Flaky"), title="Flaky"))
    cli("add", server.url("/good.xml"))
    cli("add", server.url("/flaky.xml"))
    server.routes["/flaky.xml"] = lambda h: h.reply(404, b"gone")

    result = cli("refresh")
    assert result.code == 1
    assert result.err == f"tuinews: {server.url('/flaky.xml')}: HTTP 404\n"
    feeds = feeds_by_title(cli)
    assert feeds["Flaky"]["last_error"] == "HTTP 404" and feeds["Flaky"]["total"] == 2
    assert feeds["Good"]["last_error"] is None


def test_an_html_page_is_not_a_feed(cli, server) -> None:
    server.routes["/page"] = lambda h: h.reply(
        200, b"<!doctype html><html><body>Hello</body></html>", Content_Type="text/html"
    )
    result = cli("add", server.url("/page"))
    assert result.code == 1 and "not a feed: got an HTML page" in result.err


def test_retry_after_pushes_the_next_fetch_back(cli, server) -> None:
    serve_feed(server, "/busy.xml", rss(numbered_items(1), title="Busy"))
    cli("add", server.url("/busy.xml"))
    server.routes["/busy.xml"] = lambda h: h.reply(429, Retry_After="3600")
    assert cli("refresh").code == 1
    asked = len(server.seen)

    later = cli("refresh")
    assert len(server.seen) == asked  # the server was left alone
    assert "asked to wait" in later.out


def test_fast_feeds_are_stored_while_a_slow_one_still_downloads(server, db_path) -> None:
    """A reader (the TUI) sees each feed's articles as soon as that feed is in,
    not after the slowest feed of the refresh."""
    slow_may_finish = threading.Event()

    def slow(handler) -> None:
        slow_may_finish.wait(timeout=10)
        handler.reply(200, rss(numbered_items(1, prefix="Slow"), title="Slow"))

    server.routes["/slow.xml"] = slow
    for name in ("one", "two"):
        serve_feed(server, f"/{name}.xml", rss(numbered_items(2, prefix=name), title=name))
    stored_during_slow_fetch: dict[str, int] = {}

    with Store(db_path) as store:
        for path in ("/slow.xml", "/one.xml", "/two.xml"):
            store.add_feed(server.url(path), SourceKind.URL)

        def progress(step: Progress) -> None:
            if step.outcome.added and not slow_may_finish.is_set():
                stored_during_slow_fetch[step.outcome.title] = step.outcome.added
            if len(stored_during_slow_fetch) == 2:
                slow_may_finish.set()

        outcomes = refresh_feeds(store, store.feeds(), max_bytes=2**20, on_progress=progress)

    assert stored_during_slow_fetch == {"one": 2, "two": 2}
    assert {outcome.title: outcome.added for outcome in outcomes} == {"Slow": 1, "one": 2, "two": 2}


def test_no_network_is_reported_once_and_changes_nothing(cli, server, tmp_path) -> None:
    for name in ("one", "two"):
        serve_feed(server, f"/{name}.xml", rss(numbered_items(2, prefix=name), title=name))
        cli("add", server.url(f"/{name}.xml"))
    before = json.loads(cli("articles", "--json").out)
    server.shutdown()
    server.server_close()  # the port now refuses connections, like a machine offline

    result = cli("refresh")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "no network" in result.err
    assert json.loads(cli("articles", "--json").out) == before


@pytest.mark.parametrize("scheme", ["http", "HTTP"])  # both are web URLs, so both are followed
def test_adding_a_web_page_finds_its_feed(cli, server, scheme: str) -> None:
    serve_feed(server, "/feed.xml", rss(numbered_items(2), title="Found Feed"))
    page = (
        b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/feed.xml"><link rel="alternate" type="application/atom+xml" '
        b'href="javascript:alert(1)"></head><body>A blog</body></html>'
    )
    server.routes["/blog"] = lambda h: h.reply(200, page, Content_Type="text/html")

    result = cli("add", scheme + server.url("/blog").removeprefix("http"))
    assert result.code == 0
    assert f"its feed is {server.url('/feed.xml')}" in result.out
    feed = feeds_by_title(cli)["Found Feed"]
    assert feed["source"] == server.url("/feed.xml") and feed["total"] == 2
    assert feed["last_error"] is None


def test_adding_a_page_whose_feed_is_in_the_library_says_so(cli, server) -> None:
    serve_feed(server, "/feed.xml", rss(numbered_items(2), title="Found Feed"))
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    server.routes["/blog"] = lambda h: h.reply(200, page, Content_Type="text/html")
    cli("add", server.url("/feed.xml"))

    result = cli("add", server.url("/blog"))
    assert result.code == 1
    assert f"{server.url('/feed.xml')}: already in the library as Found Feed" in result.err
    assert [feed["source"] for feed in feeds_by_title(cli).values()] == [server.url("/feed.xml")]


@pytest.mark.parametrize("answer", [404, "nothing listening"])
def test_a_url_that_fails_is_not_left_behind_unless_kept(cli, server, answer) -> None:
    server.routes["/typo.xml"] = lambda h: h.reply(404, b"not here")
    url = server.url("/typo.xml") if answer == 404 else "http://127.0.0.1:9/feed.xml"
    result = cli("add", url)
    assert result.code == 1
    assert result.err.startswith(f"tuinews: {url}: ")
    assert "nothing was added" in result.err
    assert feeds_by_title(cli) == {}

    kept = cli("add", url, "--keep")
    assert kept.code == 1 and "added, but" in kept.err
    (feed,) = feeds_by_title(cli).values()
    assert feed["source"] == url and feed["last_error"]


def test_a_found_feed_is_not_asked_with_the_pages_validators(cli, server) -> None:
    """A static server answers 304 to any If-Modified-Since later than its file: the
    page's Last-Modified, sent for the feed, once left the feed empty."""
    feed = rss(numbered_items(2), title="Found Feed")

    def static_feed(handler) -> None:
        if handler.headers.get("If-Modified-Since"):
            handler.reply(304)
        else:
            handler.reply(200, feed, Last_Modified="Mon, 01 Jan 2024 00:00:00 GMT")

    server.routes["/feed.xml"] = static_feed
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    server.routes["/blog"] = lambda h: h.reply(
        200, page, Content_Type="text/html", Last_Modified="Wed, 25 Nov 2026 12:00:00 GMT"
    )

    assert cli("add", server.url("/blog")).code == 0
    found = feeds_by_title(cli)["Found Feed"]
    assert found["total"] == 2 and found["last_error"] is None


async def test_the_add_modal_offers_the_other_feeds_a_page_lists(cli, server, db_path, tmp_path):
    from tuinews.config import Config
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.screens import ChooseFeedScreen

    serve_feed(server, "/news.xml", rss(numbered_items(2, prefix="News"), title="News"))
    serve_feed(server, "/sport.xml", rss(numbered_items(3, prefix="Sport"), title="Sport"))
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/news.xml">'
        b'<link rel="alternate" type="application/rss+xml" href="/sport.xml"></head></html>'
    )
    server.routes["/"] = lambda h: h.reply(200, page, Content_Type="text/html")
    app = TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json")

    async def settle() -> None:
        for _ in range(4):
            await pilot.pause(0.15)
            await app.workers.wait_for_complete()

    async with app.run_test(size=(120, 40)) as pilot:
        await settle()
        await pilot.press("a")
        await settle()
        app.screen.query_one("#source").value = server.url("/")
        await pilot.press("enter")
        await settle()
        assert isinstance(app.screen, ChooseFeedScreen)
        await pilot.press("down", "enter")  # the second feed the page lists
        await settle()
    feeds = feeds_by_title(cli)
    assert list(feeds) == ["Sport"]
    assert feeds["Sport"]["source"] == server.url("/sport.xml") and feeds["Sport"]["total"] == 3


async def test_refreshing_many_new_web_feeds_in_the_tui(server, db_path, tmp_path) -> None:
    """Enough new feeds start parser processes from inside the TUI, whose stand-in
    stderr once made starting them fail."""
    from textual.widgets import Label

    from tuinews.config import Config
    from tuinews.parallel import PARALLEL_THRESHOLD_NEW_FEEDS
    from tuinews.ui.app import TuinewsApp

    count = PARALLEL_THRESHOLD_NEW_FEEDS + 2
    with Store(db_path) as store:
        for number in range(count):
            path = f"/feed{number}.xml"
            items = numbered_items(3, prefix=f"Feed {number}")
            serve_feed(server, path, rss(items, title=f"Feed {number}"))
            store.add_feed(server.url(path), SourceKind.URL)
    app = TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json")

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("R")
        for _ in range(40):
            await pilot.pause(0.25)
            status = str(app.query_one("#status-text", Label).render())
            if "new articles" in status:
                break
        assert status == f"{count} sources: {count * 3} new articles, 0 updated"
    with Store(db_path) as store:
        assert all(feed.total == 3 and not feed.last_error for feed in store.feeds())


async def test_the_feed_list_counts_fast_feeds_while_a_slow_one_downloads(
    server, db_path, tmp_path
) -> None:
    from textual.widgets import Label

    from tuinews.config import Config
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.feed_list import FeedList

    slow_may_finish = threading.Event()

    def slow(handler) -> None:
        slow_may_finish.wait(timeout=10)
        handler.reply(200, rss(numbered_items(1, prefix="Slow"), title="Slow"))

    server.routes["/slow.xml"] = slow
    with Store(db_path) as store:
        store.add_feed(server.url("/slow.xml"), SourceKind.URL)
        for name, count in (("one", 2), ("two", 3)):
            serve_feed(server, f"/{name}.xml", rss(numbered_items(count, prefix=name), title=name))
            store.add_feed(server.url(f"/{name}.xml"), SourceKind.URL)
    app = TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json")

    def entries() -> list[str]:
        feed_list = app.query_one(FeedList)
        return [" ".join(feed_list.entry_text(i).plain.split()) for i in feed_list.entry_ids]

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("R")
        for _ in range(20):
            await pilot.pause(0.25)
            if "one 2" in entries() and "two 3" in entries():
                break
        shown_during_refresh = entries()
        status = str(app.query_one("#status-text", Label).render())
        slow_may_finish.set()
        for _ in range(20):
            await pilot.pause(0.25)
            if "new articles" in str(app.query_one("#status-text", Label).render()):
                break
        shown_after = entries()

    assert status.startswith("Refreshing")
    assert {"All articles 5", "Unread 5", "one 2", "two 3"} <= set(shown_during_refresh)
    assert {"All articles 6", "Slow 1"} <= set(shown_after)


def test_relative_links_resolve_against_the_feed_and_a_bare_guid_is_no_link(cli, server) -> None:
    """Links that open offline and in a browser: `<link>/2026/story</link>` of a feed
    fetched from a server is that server's page; a permalink guid such as "item-42"
    (which feedparser takes for a link) is no link at all."""
    document = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Relative</title>'
        b"<link>/</link>"
        b"<item><title>Relative link</title><link>/2026/story.html</link>"
        b"<description>One.</description></item>"
        b"<item><title>Bare guid</title><guid>item-42</guid><description>Two.</description>"
        b"</item>"
        b"<item><title>Body link</title><link>story-3.html</link>"
        b'<description>&lt;a href="more.html"&gt;more&lt;/a&gt;</description></item>'
        b"</channel></rss>"
    )
    serve_feed(server, "/news/feed.xml", document)
    assert cli("add", server.url("/news/feed.xml")).code == 0
    links = {row["title"]: row["link"] for row in json.loads(cli("articles", "--json").out)}
    assert links == {
        "Relative link": server.url("/2026/story.html"),
        "Bare guid": "",
        "Body link": server.url("/news/story-3.html"),
    }
    assert json.loads(cli("feeds", "--json").out)[0]["site_url"] == server.url("/")
    body = cli(
        "show",
        str(
            next(
                r["id"]
                for r in json.loads(cli("articles", "--json").out)
                if r["title"] == "Body link"
            )
        ),
    ).out
    assert server.url("/news/more.html") in body

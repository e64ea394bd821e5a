"""Whole stories: a summary-only web feed's pages fetched, kept and read offline,
against a real server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from feedgen import rss

STORY = [
    "The lighthouse keeper of Saltby rowed out every night for forty years.",
    "Her logbooks, found in the harbour office last spring, record every storm.",
    "The museum will show them from June, beside the lamp she kept burning.",
]


def story_page(title: str, paragraphs: list[str]) -> bytes:
    """A news page as sites serve it: navigation, a cookie banner, the story, a footer."""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        "<!DOCTYPE html><html><head><title>" + title + " | Gazette</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        '<div class="cookies">We use cookies to improve your experience. Accept all</div>'
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        "<aside><h2>Most read</h2><ul><li><a href='/x'>Something else entirely</a></li></ul>"
        "</aside><footer>Copyright Gazette Media. All rights reserved.</footer></body></html>"
    ).encode()


def summary_feed(server, stories: dict[str, str]) -> str:
    """A feed whose items carry one sentence each and link to their pages."""
    items = [
        {
            "guid": path,
            "title": title,
            "link": server.url(path),
            "body": f"<p>{title}: a teaser.</p>",
            "date": 1_700_000_000 + 3600 * number,
        }
        for number, (path, title) in enumerate(stories.items())
    ]
    server.routes["/feed.xml"] = lambda handler: handler.reply(
        200, rss(items, title="Gazette"), Content_Type="application/rss+xml"
    )
    return server.url("/feed.xml")


def serve_page(server, path: str, page: bytes, content_type: str = "text/html") -> None:
    server.routes[path] = lambda handler: handler.reply(
        200, page, Content_Type=f"{content_type}; charset=utf-8"
    )


def article_ids(cli) -> dict[str, int]:
    return {row["title"]: row["id"] for row in json.loads(cli("articles", "--json").out)}


def test_summary_only_feed_gets_whole_stories_to_read_offline_and_search(cli, server) -> None:
    url = summary_feed(server, {"/keeper.html": "The keeper's logbooks"})
    serve_page(server, "/keeper.html", story_page("The keeper's logbooks", STORY))
    assert cli("add", url).code == 0

    refreshed = cli("refresh")
    assert refreshed.code == 0, refreshed.err
    assert "1 page: 1 fetched" in refreshed.out

    server.routes.clear()  # offline from here on
    (article_id,) = article_ids(cli).values()
    shown = cli("show", str(article_id))
    text = " ".join(shown.out.split())
    assert all(paragraph in text for paragraph in STORY)
    assert "Most read" not in text and "cookies" not in text and "All rights" not in text
    assert "[Page text, fetched" in shown.out
    feed_text = cli("show", str(article_id), "--feed-text").out
    assert "a teaser" in feed_text and STORY[1] not in " ".join(feed_text.split())

    found = json.loads(cli("search", "logbooks storm", "--json").out)
    assert [row["id"] for row in found] == [article_id]


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (lambda handler: handler.reply(404, b"<html>gone</html>"), "HTTP 404"),
        (
            lambda handler: handler.reply(200, b"%PDF-1.4 ...", Content_Type="application/pdf"),
            "not a web page (application/pdf)",
        ),
        (
            lambda handler: handler.reply(302, b"", Location="file:///etc/passwd"),
            "redirect to a file: URL refused",
        ),
        (
            lambda handler: handler.reply(
                200, b"<html><body><nav>Home</nav></body></html>", Content_Type="text/html"
            ),
            "",  # extraction finds no story: its own words
        ),
        (
            lambda handler: handler.reply(
                200,
                b"<html><body>" + b"<p>word </p>" * 2_000_000 + b"</body></html>",
                Content_Type="text/html",
            ),
            "response larger than 20 MB",
        ),
        (
            lambda handler: handler.reply(
                200,
                b"<html><head><title>404 Not Found</title></head><body><h1>Page not found"
                b"</h1><p>Sorry, the page you asked for does not exist.</p></body></html>",
                Content_Type="text/html",
            ),
            "an error page",
        ),
    ],
    ids=["404", "pdf", "file-redirect", "no-story", "huge", "error-page"],
)
def test_a_failing_page_says_why_and_leaves_the_article_as_it_was(
    cli, server, route, reason: str
) -> None:
    url = summary_feed(server, {"/bad.html": "Bad page"})
    server.routes["/bad.html"] = route
    assert cli("add", url).code == 0
    refreshed = cli("refresh")
    assert refreshed.code == 0  # the feed itself is fine
    (line,) = [line for line in refreshed.err.splitlines() if "/bad.html" in line]
    assert reason in line
    assert "1 page: 0 fetched, 1 failed" in refreshed.out

    (article_id,) = article_ids(cli).values()
    shown = cli("show", str(article_id)).out
    assert "Bad page: a teaser." in shown and "the page could not be fetched" in shown

    fetched_before = len(server.seen)
    again = cli("refresh")  # not retried on every refresh
    assert "page" not in again.out
    assert [path for path, _ in server.seen[fetched_before:]] == ["/feed.xml"]

    serve_page(server, "/bad.html", story_page("Bad page", STORY))  # fixed: asked for, it comes
    fixed = cli("fetch-text", str(article_id))
    assert fixed.code == 0 and "1 page: 1 fetched" in fixed.out
    assert STORY[0] in " ".join(cli("show", str(article_id)).out.split())


def test_no_pages_and_full_text_never_fetch_no_page(cli, server) -> None:
    url = summary_feed(server, {"/a.html": "First story", "/b.html": "Second story"})
    for path in ("/a.html", "/b.html"):
        serve_page(server, path, story_page("A story", STORY))
    assert cli("add", url).code == 0
    skipped = cli("refresh", "--no-pages")
    assert skipped.code == 0 and "page" not in skipped.out
    assert not any(path.endswith(".html") for path, _ in server.seen)

    assert cli("feed", "1", "set", "full_text=never").code == 0
    assert "full_text  never" in cli("feed", "1").out
    assert json.loads(cli("feeds", "--json").out)[0]["full_text"] == "never"
    assert "page" not in cli("refresh").out
    assert not any(path.endswith(".html") for path, _ in server.seen)

    assert cli("feed", "1", "set", "full_text=always").code == 0
    missing = cli("fetch-text", "--missing")
    assert missing.code == 0 and "2 pages: 2 fetched" in missing.out


def test_feed_settings_refuse_what_they_do_not_know(cli, server) -> None:
    assert cli("add", summary_feed(server, {"/a.html": "A"})).code == 0
    unknown = cli("feed", "1", "set", "colour=red")
    assert unknown.code == 2 and "no setting 'colour'" in unknown.err
    bad = cli("feed", "1", "set", "full_text=sometimes")
    assert bad.code == 2 and "full_text must be auto | always | never | default" in bad.err


async def test_the_palette_sets_a_feeds_whole_stories_and_R_fetches_them(
    cli, server, db_path, tmp_path
) -> None:
    from test_ui import Running, choose_feed, reader_text, screen_text, settle

    url = summary_feed(server, {"/keeper.html": "The keeper's logbooks"})
    serve_page(server, "/keeper.html", story_page("The keeper's logbooks", STORY))
    assert cli("add", url).code == 0
    assert cli("feed", "1", "set", "full_text=never").code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await choose_feed(pilot, "feed-1")
        await pilot.press("ctrl+p")
        await pilot.press(*"stories always")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert "Gazette: whole stories always" in screen_text(app)
        await pilot.press("R")
        await pilot.pause(0.5)
        await settle(pilot)
        assert "1 page: 1 fetched" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot)
        assert STORY[1] in " ".join(reader_text(app).split())
    assert "full_text  always" in cli("feed", "1").out


def test_a_slow_page_times_out_alone_and_the_others_come_in(cli, server, monkeypatch) -> None:
    import threading

    monkeypatch.setattr("tuinews.pages.PAGE_TIMEOUT", 1.0)  # the site takes 3 s
    stalled = threading.Event()

    def slow(handler) -> None:
        stalled.wait(timeout=3)
        handler.reply(200, story_page("Slow", STORY), Content_Type="text/html")

    url = summary_feed(server, {"/slow.html": "Slow story", "/quick.html": "Quick story"})
    server.routes["/slow.html"] = slow
    serve_page(server, "/quick.html", story_page("Quick story", STORY))
    assert cli("add", url).code == 0
    refreshed = cli("refresh")
    stalled.set()
    assert "2 pages: 1 fetched, 1 failed" in refreshed.out
    (line,) = [line for line in refreshed.err.splitlines() if "/slow.html" in line]
    assert "timed out after 1 s" in line


def test_the_pages_author_and_date_fill_in_what_the_feed_left_out(cli, server) -> None:
    page = story_page("The keeper's logbooks", STORY).replace(
        b"<head>",
        b'<head><meta name="author" content="Ann Lee">'
        b'<meta property="article:published_time" content="2025-06-01T09:30:00+00:00">',
    )
    items = [{"guid": "k", "title": "The keeper's logbooks", "link": server.url("/k.html"),
              "body": "<p>A teaser.</p>"}]  # fmt: skip
    server.routes["/feed.xml"] = lambda handler: handler.reply(
        200, rss(items, title="Gazette"), Content_Type="application/rss+xml"
    )
    serve_page(server, "/k.html", page)
    assert cli("add", server.url("/feed.xml")).code == 0
    assert "1 page: 1 fetched" in cli("refresh").out
    (row,) = json.loads(cli("articles", "--json").out)
    shown = json.loads(cli("show", str(row["id"]), "--json").out)
    assert shown["author"] == "Ann Lee"
    assert shown["published"] == "2025-06-01T09:30:00Z"

"""Page texts in the library: kept with their article, searchable, retried politely."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_store import NOW, article, fts_ids

from tuinews.models import FullText, PagePolicy, PageText, ParsedFeed, SourceKind
from tuinews.store import Store

TEASER = "<p>The harbour board met on Tuesday.</p>"
WHOLE = "<p>" + "The harbour board met on Tuesday and voted on the ferry. " * 20 + "</p>"
PAGE = PageText(
    html="<p>The whole story of the lighthouse keeper.</p>",
    text="The whole story of the lighthouse keeper.",
    author="Ann Lee",
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_path: Path, clock: Clock):
    with Store(db_path, clock=clock) as library:
        yield library


AUTO = PagePolicy(FullText.AUTO, short_body=600)
STORIES = (
    article("t", "Teaser", link="https://gazette.news/t", body=TEASER),
    article("w", "Whole", link="https://gazette.news/w", body=WHOLE),
    article("n", "No link", body=TEASER),
    article("f", "Not a web link", link="file:///etc/passwd", body=TEASER),
)


def web_feed(
    store: Store, *articles, pages: PagePolicy | None = AUTO, mode: FullText | None = None
) -> int:
    feed_id = store.add_feed("https://gazette.news/feed", SourceKind.URL)
    store.set_full_text(feed_id, mode)
    store.save_import(feed_id, ParsedFeed("News", "", tuple(articles)), [], pages=pages)
    return feed_id


def ids_by_title(store: Store) -> dict[str, int]:
    return {row.title: row.id for row in store.articles()}


def wanted(
    store: Store, default: FullText = FullText.AUTO, now: float = NOW, **narrowing
) -> set[str]:
    titles = {row.id: row.title for row in store.articles()}
    found = store.wanted_pages(default=default, now=int(now), **narrowing)
    return {titles[request.article_id] for request in found}


@pytest.mark.parametrize(
    ("default", "mode", "queued"),
    [
        (FullText.AUTO, None, {"Teaser"}),
        (FullText.ALWAYS, None, {"Teaser", "Whole"}),
        (FullText.NEVER, None, set()),
        (FullText.NEVER, FullText.ALWAYS, {"Teaser", "Whole"}),  # the feed's own setting wins
        (FullText.ALWAYS, FullText.NEVER, set()),
    ],
)
def test_new_articles_want_their_page_by_the_feeds_setting(
    store: Store, default: FullText, mode: FullText | None, queued: set[str]
) -> None:
    """Only web links; auto: only bodies too short to be the whole story."""
    web_feed(store, *STORIES, pages=PagePolicy(default, 600), mode=mode)
    assert wanted(store, default) == queued


def test_setting_never_later_stops_the_queued_pages(store: Store) -> None:
    feed_id = web_feed(store, *STORIES)
    store.set_full_text(feed_id, FullText.NEVER)
    assert wanted(store) == set()


def test_asking_for_pages_queues_those_without_text(store: Store) -> None:
    feed_id = web_feed(store, *STORIES, pages=None)
    assert wanted(store) == set()
    assert store.queue_pages(feed_ids=[feed_id]) == 2  # the two with web links
    assert wanted(store) == {"Teaser", "Whole"}
    assert wanted(store, feed_ids=[feed_id + 1]) == set()


def test_a_stored_page_is_read_searched_and_survives_a_refetch(store: Store, db_path) -> None:
    feed_id = web_feed(store, STORIES[0])
    (article_id,) = ids_by_title(store).values()
    store.save_page(article_id, "https://gazette.news/t", PAGE)

    body = store.article_body(article_id)
    assert body.page.html == PAGE.html and body.page.fetched_at == NOW
    assert body.page.author == "Ann Lee" and body.page.error is None
    assert fts_ids(db_path, "lighthouse") == {article_id}
    assert wanted(store) == set()
    assert store.queue_pages() == 0  # it has its text

    changed = article("t", "Teaser, corrected", link="https://gazette.news/t", body=TEASER)
    store.save_import(feed_id, ParsedFeed("News", "", (changed,)), [], pages=AUTO)
    assert store.article_body(article_id).page.html == PAGE.html
    assert fts_ids(db_path, "lighthouse") == {article_id}


def test_a_failed_page_waits_longer_each_time_then_waits_to_be_asked(
    store: Store, clock: Clock
) -> None:
    web_feed(store, STORIES[0])
    (article_id,) = ids_by_title(store).values()
    waits = []
    for _ in range(5):
        store.record_page_failure(article_id, "https://gazette.news/t", "HTTP 503")
        due = int(clock.now)
        while not store.wanted_pages(default=FullText.AUTO, now=due):
            due += 600
            if due > clock.now + 30 * 86_400:
                break
        waits.append(round((due - clock.now) / 3600))
        clock.now = due
    assert waits == [1, 4, 16, 64, 720]  # the last: never by itself (searched for 30 days)
    body = store.article_body(article_id)
    assert body.page.error == "HTTP 503" and body.page.fetched_at is None
    assert store.queue_pages() == 1  # asking again does
    assert wanted(store, now=clock.now) == {"Teaser"}


def test_a_schema_4_library_gets_page_texts_and_keeps_its_search(db_path: Path) -> None:
    import sqlite_utils

    from tuinews.store.schema import MIGRATIONS

    with sqlite3.connect(db_path) as conn:
        db = sqlite_utils.Database(conn)
        for migration in MIGRATIONS[:4]:
            migration(db)
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO feeds (id, source, kind, added_at) VALUES (1, '/f.xml', 'file', 0)"
        )
        conn.execute(
            "INSERT INTO articles (feed_id, identity, title, content_text, sort_date, first_seen, "
            "content_hash, read, starred) VALUES (1, 'guid:a', 'Harbour ferry', 'Boats.', 0, 0, "
            "'h', 1, 1)"
        )
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, summary, content_text, author, feed_title) "
            "SELECT id, title, summary, content_text, author, feed_title FROM articles"
        )
    with Store(db_path, clock=lambda: NOW) as store:
        (row,) = store.articles()
        assert (row.title, row.read, row.starred) == ("Harbour ferry", True, True)
        assert fts_ids(db_path, "ferry") == {row.id} and fts_ids(db_path, "boats") == {row.id}
        store.save_page(row.id, "https://x.example/a", PAGE)
        assert fts_ids(db_path, "lighthouse") == {row.id}


def test_vacuum_takes_the_page_with_its_article(store: Store, db_path) -> None:
    web_feed(store, STORIES[0])
    (article_id,) = ids_by_title(store).values()
    store.save_page(article_id, "https://gazette.news/t", PAGE)
    store.set_read([article_id], True)
    assert store.vacuum(keep_days=None, keep_per_feed=0) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM page_fetches").fetchone()[0] == 0
    assert fts_ids(db_path, "lighthouse") == set()


def test_a_page_for_an_article_removed_meanwhile_is_dropped(store: Store) -> None:
    store.save_page(12345, "https://gazette.news/gone", PAGE)
    store.record_page_failure(12345, "https://gazette.news/gone", "HTTP 404")
    assert store.article_body(12345) is None
    assert store.wanted_pages(default=FullText.ALWAYS, now=NOW) == []


def test_a_site_that_asks_to_wait_longer_than_the_backoff_is_left_alone_that_long(
    store: Store,
) -> None:
    web_feed(store, STORIES[0])
    (article_id,) = ids_by_title(store).values()
    store.record_page_failure(article_id, "https://gazette.news/t", "HTTP 503", retry_after=86_400)
    assert wanted(store, now=NOW + 23 * 3600) == set()
    assert wanted(store, now=NOW + 86_400) == {"Teaser"}

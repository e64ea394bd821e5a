"""Page texts in the library: kept with their article, searchable, retried politely."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_store import NOW, article, fts_ids, save

from tuinews.models import FullText, PageText, SourceKind
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


def web_feed(store: Store, *articles, source: str = "https://news.example/feed") -> int:
    feed_id = store.add_feed(source, SourceKind.URL)
    save(store, feed_id, *articles)
    return feed_id


def ids_by_title(store: Store) -> dict[str, int]:
    return {row.title: row.id for row in store.articles()}


def wanted(store: Store, default: FullText = FullText.AUTO, **narrowing) -> set[str]:
    titles = {row.id: row.title for row in store.articles()}
    found = store.wanted_pages(default=default, short_body=600, now=int(NOW), **narrowing)
    return {titles[request.article_id] for request in found}


def test_auto_wants_the_pages_of_teasers_only_always_and_never_say_so(store: Store) -> None:
    feed_id = web_feed(
        store,
        article("t", "Teaser", link="https://news.example/t", body=TEASER),
        article("w", "Whole", link="https://news.example/w", body=WHOLE),
        article("n", "No link", body=TEASER),
        article("f", "Not a web link", link="file:///etc/passwd", body=TEASER),
    )
    assert wanted(store) == {"Teaser"}
    assert wanted(store, FullText.ALWAYS) == {"Teaser", "Whole"}
    assert wanted(store, FullText.NEVER) == set()
    store.set_full_text(feed_id, FullText.ALWAYS)  # the feed's own setting wins
    assert wanted(store, FullText.NEVER) == {"Teaser", "Whole"}
    assert store.feed(feed_id).full_text is FullText.ALWAYS


def test_a_stored_page_is_read_searched_and_survives_a_refetch(store: Store, db_path) -> None:
    feed_id = web_feed(store, article("t", "Teaser", link="https://news.example/t", body=TEASER))
    (article_id,) = ids_by_title(store).values()
    store.save_page(article_id, "https://news.example/t", PAGE)

    body = store.article_body(article_id)
    assert body.page.html == PAGE.html and body.page.fetched_at == NOW
    assert body.page.author == "Ann Lee" and body.page.error is None
    assert fts_ids(db_path, "lighthouse") == {article_id}
    assert wanted(store) == set()

    changed = article("t", "Teaser, corrected", link="https://news.example/t", body=TEASER)
    save(store, feed_id, changed)
    assert store.article_body(article_id).page.html == PAGE.html
    assert fts_ids(db_path, "lighthouse") == {article_id}


def test_a_failed_page_waits_longer_each_time_then_waits_to_be_asked(
    store: Store, clock: Clock
) -> None:
    web_feed(store, article("t", "Teaser", link="https://news.example/t", body=TEASER))
    (article_id,) = ids_by_title(store).values()
    waits = []
    for _ in range(5):
        store.record_page_failure(article_id, "https://news.example/t", "HTTP 503")
        due = int(clock.now)
        while not store.wanted_pages(default=FullText.AUTO, short_body=600, now=due):
            due += 600
            if due > clock.now + 30 * 86_400:
                break
        waits.append(round((due - clock.now) / 3600))
        clock.now = due
    assert waits == [1, 4, 16, 64, 720]  # the last: never by itself (searched for 30 days)
    body = store.article_body(article_id)
    assert body.page.error == "HTTP 503" and body.page.fetched_at is None


def test_new_articles_and_due_retries_only_when_narrowed_to_a_refresh(
    store: Store, clock: Clock
) -> None:
    web_feed(store, article("old", "Old", link="https://news.example/old", body=TEASER))
    clock.now += 100
    feed_id = store.feeds()[0].id
    save(store, feed_id, article("new", "New", link="https://news.example/new", body=TEASER))
    assert wanted(store, first_seen_since=int(clock.now)) == {"New"}
    assert wanted(store, feed_ids=[feed_id + 1]) == set()


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
    web_feed(store, article("t", "Teaser", link="https://news.example/t", body=TEASER))
    (article_id,) = ids_by_title(store).values()
    store.save_page(article_id, "https://news.example/t", PAGE)
    store.set_read([article_id], True)
    assert store.vacuum(keep_days=None, keep_per_feed=0) == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM page_fetches").fetchone()[0] == 0
    assert fts_ids(db_path, "lighthouse") == set()


def test_a_page_for_an_article_removed_meanwhile_is_dropped(store: Store) -> None:
    store.save_page(12345, "https://news.example/gone", PAGE)
    store.record_page_failure(12345, "https://news.example/gone", "HTTP 404")
    assert store.article_body(12345) is None
    assert store.wanted_pages(default=FullText.ALWAYS, short_body=600, now=NOW) == []

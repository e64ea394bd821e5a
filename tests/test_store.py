"""The library file: identity, merging refetches, the search index, retention, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tuinews.models import ParsedFeed, SourceKind
from tuinews.parse.article import build_article
from tuinews.store import NewerLibrary, Store
from tuinews.store.schema import SCHEMA_VERSION

NOW = 1_750_000_000


def article(guid: str = "", title: str = "A title", link: str = "", body: str = "<p>Body</p>"):
    return build_article(
        guid=guid, link=link, title=title, author="", published=NOW - 60, content_html=body
    )


@pytest.fixture
def store(db_path: Path):
    with Store(db_path, clock=lambda: NOW) as library:
        yield library


@pytest.fixture
def feed_id(store: Store) -> int:
    return store.add_feed("/feeds/test.xml", SourceKind.FILE)


def save(store: Store, feed_id: int, *articles, title: str = "Feed") -> None:
    store.save_import(feed_id, ParsedFeed(title, "", tuple(articles)), [])


def fts_ids(db_path: Path, query: str) -> set[int]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (query,))
        return {row[0] for row in rows}


def test_identity_is_guid_then_link_then_content_hash() -> None:
    assert article(guid="g-1", link="https://x.example/1").identity == "guid:g-1"
    assert article(guid="   ", link="https://x.example/1").identity == "link:https://x.example/1"
    untitled = article(title="Only a title")
    assert untitled.identity.startswith("hash:")
    assert untitled.identity == article(title="Only a title").identity
    assert untitled.identity != article(title="Another title").identity


def test_refetch_updates_in_place_and_keeps_reading_state(store: Store, feed_id: int) -> None:
    save(store, feed_id, article("a", "First"), article("b", "Second"))
    first, second = sorted(store.articles(), key=lambda row: row.title)
    store.set_read([first.id], True)
    store.set_starred([first.id], True)

    save(store, feed_id, article("a", "First, corrected"))  # "b" left the feed

    rows = {row.id: row for row in store.articles()}
    assert rows[first.id].title == "First, corrected"
    assert rows[first.id].read and rows[first.id].starred
    assert rows[second.id].title == "Second"  # still in the library
    assert len(rows) == 2


def test_reimport_of_the_same_feed_adds_nothing(store: Store, feed_id: int) -> None:
    save(store, feed_id, article("a"), article("b"))
    counts = store.save_import(feed_id, ParsedFeed("Feed", "", (article("a"), article("b"))), [])
    assert (counts.added, counts.updated) == (0, 0)
    assert store.article_count() == 2


def test_a_failing_import_writes_nothing(store: Store, feed_id: int) -> None:
    save(store, feed_id, article("a", "Kept"), title="Old title")
    twins = (article("new", "One"), article("new", "Two"))  # breaks the UNIQUE constraint
    with pytest.raises(sqlite3.IntegrityError):
        store.save_import(feed_id, ParsedFeed("New title", "", twins), [])
    assert [row.title for row in store.articles()] == ["Kept"]
    assert store.feed(feed_id).title == "Old title"


def test_search_index_follows_inserts_updates_and_deletes(
    store: Store, feed_id: int, db_path: Path
) -> None:
    save(store, feed_id, article("a", "Harbour elections", body="<p>ferry timetable</p>"))
    (row,) = store.articles()
    assert fts_ids(db_path, "election") == {row.id}  # stemmed: "elections" → "election"
    assert fts_ids(db_path, "feed_title:feed") == {row.id}

    save(store, feed_id, article("a", "Harbour budget", body="<p>new pontoon</p>"))
    assert fts_ids(db_path, "election") == set()
    assert fts_ids(db_path, "pontoon") == {row.id}

    store.remove_feed(feed_id)
    assert fts_ids(db_path, "pontoon") == set()


def test_accents_are_folded_in_the_index(store: Store, feed_id: int, db_path: Path) -> None:
    save(store, feed_id, article("a", "Café in Zürich"))
    assert len(fts_ids(db_path, "cafe zurich")) == 1


def test_renaming_a_feed_reaches_its_articles_and_the_index(
    store: Store, feed_id: int, db_path: Path
) -> None:
    save(store, feed_id, article("a"), title="Morning Post")
    save(store, feed_id, article("a"), title="Evening Courier")
    assert {row.feed_title for row in store.articles()} == {"Evening Courier"}
    assert len(fts_ids(db_path, "feed_title:courier")) == 1
    assert fts_ids(db_path, "feed_title:morning") == set()


def test_user_title_wins_over_the_feed_title(store: Store) -> None:
    feed_id = store.add_feed("/feeds/named.xml", SourceKind.FILE, title="My name")
    save(store, feed_id, article("a"), title="Their name")
    assert store.feed(feed_id).title == "My name"
    assert store.articles()[0].feed_title == "My name"


def test_removing_a_feed_keeps_its_starred_articles(store: Store, feed_id: int) -> None:
    save(store, feed_id, article("a", "Keep me"), article("b", "Let me go"))
    keep = next(row for row in store.articles() if row.title == "Keep me")
    store.set_starred([keep.id], True)

    assert store.remove_feed(feed_id) == 1
    (left,) = store.articles()
    assert (left.title, left.feed_id, left.feed_title, left.starred) == (
        "Keep me",
        None,
        "Feed",
        True,
    )
    assert store.feeds() == []


def test_vacuum_spares_unread_and_starred_and_is_not_undone_by_refresh(
    db_path: Path,
) -> None:
    with Store(db_path, clock=lambda: NOW + 100 * 86_400) as store:
        feed_id = store.add_feed("/feeds/old.xml", SourceKind.FILE)
        old = [article(guid, guid) for guid in ("read", "starred", "unread")]
        save(store, feed_id, *old)
        ids = {row.title: row.id for row in store.articles()}
        store.set_read([ids["read"], ids["starred"]], True)
        store.set_starred([ids["starred"]], True)

        assert store.vacuum(keep_days=30, keep_per_feed=None) == 1
        assert {row.title for row in store.articles()} == {"starred", "unread"}

        save(store, feed_id, *old)  # the feed still lists the deleted article
        assert {row.title for row in store.articles()} == {"starred", "unread"}

        assert store.vacuum(keep_days=30, keep_per_feed=None, include_unread=True) == 1
        assert {row.title for row in store.articles()} == {"starred"}


def test_vacuum_keep_per_feed_keeps_the_newest(store: Store, feed_id: int) -> None:
    dated = [
        build_article(guid=str(n), link="", title=f"n{n}", author="", published=NOW - n * 3600)
        for n in range(5)
    ]
    save(store, feed_id, *dated)
    store.set_read([row.id for row in store.articles()], True)
    assert store.vacuum(keep_days=None, keep_per_feed=2) == 3
    assert [row.title for row in store.articles()] == ["n0", "n1"]


def test_vacuum_with_no_rule_deletes_nothing_and_shrinks_the_file(
    store: Store, feed_id: int, db_path: Path
) -> None:
    """Removing a big feed leaves free pages in the file; vacuum gives them back."""
    other = store.add_feed("/feeds/kept.xml", SourceKind.FILE)
    save(store, other, article("kept", "Kept"))
    filler = "<p>" + "padding " * 1000 + "</p>"
    save(store, feed_id, *(article(str(n), f"Story {n}", body=filler) for n in range(200)))
    store.remove_feed(feed_id)
    pages_before = pragma(db_path, "page_count")
    assert pragma(db_path, "freelist_count") > pages_before / 2

    assert store.vacuum(keep_days=None, keep_per_feed=None) == 0

    assert pragma(db_path, "freelist_count") == 0
    assert pragma(db_path, "page_count") < pages_before / 2
    assert db_path.stat().st_size == pragma(db_path, "page_count") * pragma(db_path, "page_size")
    assert [row.title for row in store.articles()] == ["Kept"]


def pragma(db_path: Path, name: str) -> int:
    """What another connection sees of the file."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_library_is_migrated_to_the_current_schema_in_wal_mode(db_path: Path) -> None:
    Store(db_path).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_library_from_a_newer_version_is_left_alone(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(NewerLibrary, match="newer tuinews"):
        Store(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_two_connections_can_write_in_turn(db_path: Path) -> None:
    """The TUI and a cron refresh each hold a connection to the same file."""
    with Store(db_path) as first, Store(db_path) as second:
        feed_id = first.add_feed("/feeds/shared.xml", SourceKind.FILE)
        save(second, feed_id, article("a"))
        assert first.article_count() == 1


def test_a_schema_1_library_is_migrated_without_losing_articles(db_path: Path) -> None:
    """Libraries written before saved searches existed open as they were, plus the new table."""
    import sqlite_utils

    from tuinews.store.schema import MIGRATIONS

    with sqlite3.connect(db_path) as conn:
        MIGRATIONS[0](sqlite_utils.Database(conn))
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO feeds (id, source, kind, added_at) VALUES (1, '/old.xml', 'file', 0)"
        )
        conn.execute(
            "INSERT INTO articles (feed_id, identity, title, sort_date, first_seen, content_hash, "
            "read, starred) VALUES (1, 'guid:old', 'Kept from before', 0, 0, 'h', 1, 1)"
        )
    with Store(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        (row,) = store.articles()
        assert (row.title, row.read, row.starred) == ("Kept from before", True, True)
        store.save_search("Old news", "kept")
        assert [s.name for s in store.saved_searches()] == ["Old news"]

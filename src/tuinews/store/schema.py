"""The library's schema: the tables, the search index, and how old libraries catch up.

The schema version lives in `PRAGMA user_version` and only ever moves forward
through MIGRATIONS, each run in its own transaction by the Store.

The FTS5 index (`articles_fts`) mirrors articles in the same transaction as
every write that changes them. New articles are indexed by one INSERT ... SELECT
per import (in Store.save_import): an AFTER INSERT trigger would make FTS5 flush
a segment per row (each triggering statement opens a savepoint), which doubles
the cost of an import. Updates and deletes go through triggers, which fire only
when indexed columns change, so marking articles read never touches the index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # sqlite-utils is loaded only to migrate: opening a library stays fast
    import sqlite_utils

# The index's columns as schema 1 made them, and as they are since schema 5.
_FTS_COLUMNS_1 = ("title", "summary", "content_text", "author", "feed_title")
_FTS_COLUMNS_5 = (*_FTS_COLUMNS_1, "page_text")
FTS_COLUMNS = ", ".join(_FTS_COLUMNS_5)
# bm25 column weights, in FTS_COLUMNS order: title, summary, body, author, feed title,
# page text (the body again, as the page has it).
BM25_WEIGHTS = "10.0, 4.0, 1.0, 3.0, 2.0, 1.0"


def _create_library(db: sqlite_utils.Database) -> None:
    """Schema 1: feeds with their tags and files, articles and their search index."""
    db["feeds"].create(
        {
            "id": int,
            "source": str,
            "kind": str,
            "feed_title": str,
            "user_title": str,
            "site_url": str,
            "added_at": int,
            "last_attempt": int,
            "last_success": int,
            "last_error": str,
        },
        pk="id",
        not_null={"source", "kind", "added_at"},
        defaults={"feed_title": "", "site_url": ""},
    )
    db["feeds"].create_index(["source"], unique=True)
    db["feed_tags"].create(
        {"feed_id": int, "tag": str},
        pk=("feed_id", "tag"),
        foreign_keys=[("feed_id", "feeds", "id")],
    )
    db["source_files"].create(
        {"feed_id": int, "path": str, "size": int, "mtime_ns": int, "digest": str},
        pk=("feed_id", "path"),
        foreign_keys=[("feed_id", "feeds", "id")],
    )
    # Identities of articles removed by `vacuum`, so a refresh does not bring them back.
    db["tombstones"].create(
        {"feed_id": int, "identity": str},
        pk=("feed_id", "identity"),
        foreign_keys=[("feed_id", "feeds", "id")],
    )
    # Raw DDL here: sqlite-utils cannot express ON DELETE actions, a composite UNIQUE,
    # FTS5 options or triggers. (executescript would COMMIT the migration halfway.)
    for statement in _ARTICLES_DDL:
        db.execute(statement)


def _fts_ddl(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The search index over `columns` of articles, and the triggers that keep it."""
    names = ", ".join(columns)
    old = ", ".join(f"old.{column}" for column in columns)
    new = ", ".join(f"new.{column}" for column in columns)
    delete_old = (
        f"INSERT INTO articles_fts (articles_fts, rowid, {names}) VALUES ('delete', old.id, {old});"
    )
    insert_new = f"INSERT INTO articles_fts (rowid, {names}) VALUES (new.id, {new});"
    return (
        f"""
        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            {names},
            content = 'articles', content_rowid = 'id',
            tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """,
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete_old} END",
        f"""
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF {names} ON articles
        BEGIN {delete_old} {insert_new} END
        """,
    )


_ARTICLES_DDL = (
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        sort_date INTEGER NOT NULL,
        published INTEGER,
        first_seen INTEGER NOT NULL,
        updated_at INTEGER,
        identity TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        feed_title TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        content_kind TEXT NOT NULL DEFAULT 'html',
        content_html TEXT NOT NULL DEFAULT '',
        content_text TEXT NOT NULL DEFAULT '',
        UNIQUE (feed_id, identity)
    )
    """,
    # Small columns first, bodies last: reading a row's state or its list line
    # never walks a body's overflow pages. Indexes end in id, so every list
    # order (newest first, ties by id) is an index scan with no sort step.
    "CREATE INDEX articles_by_feed_date ON articles (feed_id, sort_date DESC, id DESC)",
    "CREATE INDEX articles_by_feed_read ON articles (feed_id, read)",
    "CREATE INDEX articles_by_date ON articles (sort_date DESC, id DESC)",
    "CREATE INDEX articles_unread ON articles (sort_date DESC, id DESC) WHERE read = 0",
    "CREATE INDEX articles_starred ON articles (sort_date DESC, id DESC) WHERE starred = 1",
    *_fts_ddl(_FTS_COLUMNS_1),
)


# MIGRATIONS[n] takes a library from schema version n to n + 1. Append only.
def _add_saved_searches(db: sqlite_utils.Database) -> None:
    """Schema 2: queries saved from the search bar, shown as smart feeds."""
    db["saved_searches"].create(
        {"id": int, "name": str, "query": str}, pk="id", not_null={"name", "query"}
    )
    db["saved_searches"].create_index(["name"], unique=True)


def _add_fetch_state(db: sqlite_utils.Database) -> None:
    """Schema 3: what a polite web fetch remembers (validators, when to ask again)."""
    for column, kind in (("etag", str), ("last_modified", str), ("next_fetch_after", int)):
        db["feeds"].add_column(column, kind)


def _add_meta(db: sqlite_utils.Database) -> None:
    """Schema 4: facts about the library itself: its generation, which every write
    transaction moves on, and whether it still awaits the bundled samples (only a
    library that is empty when it gets this table does)."""
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    db.execute("INSERT INTO meta (key, value) VALUES ('generation', '0')")
    empty = not db.execute("SELECT 1 FROM feeds UNION ALL SELECT 1 FROM articles").fetchone()
    if empty:
        db.execute("INSERT INTO meta (key, value) VALUES ('samples_pending', '1')")


def _add_page_texts(db: sqlite_utils.Database) -> None:
    """Schema 5: whole stories. Each article may hold its page's text beside the
    feed's (`page_html` to read, `page_text` to search); `page_fetches` remembers
    each page fetch (when, what it found, or why it failed and when to try again);
    each feed may say whether to fetch pages (`full_text`; NULL: the config's), and
    `feed_templates` keeps the text that repeats across its articles (reader mode).

    FTS5 cannot add a column to an index, so the index is made again with the page
    text and rebuilt from the articles: once, in this transaction.
    """
    db["feeds"].add_column("full_text", str)
    # Moves on when the feed's articles or page texts change: cached facts about its
    # text (feed_templates) know when to be worked out again.
    db["feeds"].add_column("content_version", int, not_null_default=0)
    db.execute("ALTER TABLE articles ADD COLUMN page_html TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE articles ADD COLUMN page_text TEXT NOT NULL DEFAULT ''")
    db.execute(
        """
        CREATE TABLE page_fetches (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            fetched_at INTEGER,
            author TEXT NOT NULL DEFAULT '',
            published INTEGER,
            image TEXT NOT NULL DEFAULT '',
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try INTEGER
        )
        """
    )
    db.execute("CREATE INDEX page_fetches_due ON page_fetches (next_try) WHERE fetched_at IS NULL")
    # Reader mode's repetition signal, per feed: the paragraph keys (fold.py) that are
    # template text among its recent articles, and the feed's content_version then.
    db.execute(
        """
        CREATE TABLE feed_templates (
            feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
            content_version INTEGER NOT NULL,
            keys TEXT NOT NULL
        )
        """
    )
    for statement in (
        "DROP TRIGGER articles_fts_delete",
        "DROP TRIGGER articles_fts_update",
        "DROP TABLE articles_fts",
        *_fts_ddl(_FTS_COLUMNS_5),
        "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    ):
        db.execute(statement)


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _create_library,
    _add_saved_searches,
    _add_fetch_state,
    _add_meta,
    _add_page_texts,
)
SCHEMA_VERSION = len(MIGRATIONS)

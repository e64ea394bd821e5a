"""Store: one connection to a library file, and every query the program makes.

SQLite in WAL mode with a busy timeout, so a TUI and a cron `tuinews refresh`
can share one file. Every write is one explicit transaction (`BEGIN IMMEDIATE`),
so a killed process leaves each source's articles as they were before or after
its import, never half-written. The tables and their migrations are in schema.py.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tuinews.models import (
    SNIPPET_END,
    SNIPPET_START,
    ArticleBody,
    ArticleRow,
    ArticleView,
    ContentKind,
    Feed,
    FullText,
    PagePolicy,
    PageRequest,
    PageText,
    ParsedArticle,
    ParsedFeed,
    SavedSearch,
    SearchHit,
    SourceKind,
    StoredPage,
)
from tuinews.store.errors import FeedExists, NewerLibrary, explain, folder_error, open_error
from tuinews.store.schema import BM25_WEIGHTS, FTS_COLUMNS, MIGRATIONS, SCHEMA_VERSION
from tuinews.urls import is_fetchable_page, is_web_url

if TYPE_CHECKING:
    from tuinews.search_query import SearchQuery

BUSY_TIMEOUT = 10.0  # seconds: a refresh's longest write is well under this
ALL_ARTICLES = ArticleView()


@dataclass(frozen=True, slots=True)
class FileState:
    """What a local file looked like when we last read it: unchanged files are skipped."""

    path: str
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True, slots=True)
class FetchState:
    """A web feed's validators and the earliest time to fetch it again."""

    etag: str | None = None
    last_modified: str | None = None
    next_fetch_after: int | None = None


@dataclass(frozen=True, slots=True)
class ImportCounts:
    added: int
    updated: int


_FEED_COLUMNS = """
    f.id, f.source, f.kind, f.feed_title, f.user_title, f.site_url,
    f.last_attempt, f.last_success, f.last_error, f.full_text,
    (SELECT count(*) FROM articles a WHERE a.feed_id = f.id AND a.read = 0) AS unread,
    (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS total,
    (SELECT group_concat(tag, char(31)) FROM
        (SELECT tag FROM feed_tags t WHERE t.feed_id = f.id ORDER BY tag)) AS tags
"""

PAGE_RETRY = 3600  # seconds before a failed page is tried again; ×4 for each failure
PAGE_ATTEMPTS = 5  # then only asking for it (f, fetch-text) tries again

_ROW_COLUMNS = "id, feed_id, feed_title, title, author, published, link, read, starred"
_NEWEST = "a.sort_date DESC, a.id DESC"  # list order; also breaks ties in score
_FTS_ARTICLES = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"


class Store:
    """One connection to one library file. Use one Store per thread."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = BUSY_TIMEOUT,
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        """Open (or create) the library; any reason it cannot be used is a LibraryError.

        `busy_timeout` is how many seconds to wait for another process's lock.
        `on_commit` is told the generation (see `generation`) of each commit made here.
        """
        self._on_commit = on_commit
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise folder_error(path.parent, error) from error
        self.path = path
        self._clock = clock
        try:
            self._conn = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise open_error(path, error) from error
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException as error:
            self._conn.close()
            if isinstance(error, sqlite3.Error):
                raise open_error(path, error) from error
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> int:
        return int(self._clock())

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """A lock held elsewhere or a read-only file, as a LibraryError the user can act on."""
        try:
            yield
        except sqlite3.Error as error:
            explained = explain(self.path, error)
            if explained is None:
                raise
            raise explained from error

    @contextmanager
    def _transaction(self, *, counted: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; each moves the library's generation on by one."""
        with self._explained():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                if counted:
                    self._conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                    generation = self.generation()
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite rolls back by itself after some errors
                    with suppress(sqlite3.Error):  # a failing disk may refuse this too
                        self._conn.execute("ROLLBACK")
                raise
        if counted and self._on_commit is not None:
            self._on_commit(generation)

    def _migrate(self) -> None:
        """Run pending migrations, each in its own transaction.

        The version is read again inside the transaction: two processes opening a
        new library at once must not both create it.
        """
        if self.schema_version() == SCHEMA_VERSION:  # the usual case: no write lock needed
            return
        while True:
            with self._transaction(counted=False) as conn:  # no generation before schema 4
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == SCHEMA_VERSION:
                    return
                if version > SCHEMA_VERSION:
                    raise NewerLibrary(
                        f"{self.path} was written by a newer tuinews (schema {version}); "
                        f"this one reads schema {SCHEMA_VERSION}"
                    )
                import sqlite_utils

                MIGRATIONS[version](sqlite_utils.Database(self._conn))
                conn.execute(f"PRAGMA user_version = {version + 1}")

    def data_version(self) -> int:
        """Changes when another connection commits (cheap: no page is read)."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def generation(self) -> int:
        """How many write transactions the library has seen: with the generations a
        program made itself, it tells its own writes from another program's."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def add_feed(
        self, source: str, kind: SourceKind, *, title: str = "", tags: Iterable[str] = ()
    ) -> int:
        with self._transaction() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO feeds (source, kind, user_title, added_at) VALUES (?, ?, ?, ?)",
                    (source, kind.value, title or None, self._now()),
                )
            except sqlite3.IntegrityError:
                raise FeedExists(f"{source}: already in the library") from None
            feed_id = cursor.lastrowid
            conn.executemany(
                "INSERT OR IGNORE INTO feed_tags (feed_id, tag) VALUES (?, ?)",
                [(feed_id, tag) for tag in tags if tag],
            )
        return feed_id

    def feeds(self) -> list[Feed]:
        rows = self._conn.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds f ORDER BY lower(coalesce("
            "nullif(f.user_title, ''), nullif(f.feed_title, ''), f.source)), f.id"
        )
        return [_feed_from_row(row) for row in rows]

    def feed(self, feed_id: int) -> Feed | None:
        row = self._conn.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,)
        ).fetchone()
        return _feed_from_row(row) if row else None

    def find_feeds(self, ref: str) -> list[Feed]:
        """FEED on the command line: an id, else an exact title (which may be shared)."""
        if ref.strip().isdigit():
            found = self.feed(int(ref))
            return [found] if found else []
        return [feed for feed in self.feeds() if feed.title == ref or feed.source == ref]

    def remove_feed(self, feed_id: int) -> int:
        """Delete a feed and its articles except starred ones; return how many were kept."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM articles WHERE feed_id = ? AND starred = 0", (feed_id,))
            for table in ("feed_tags", "source_files", "tombstones"):
                conn.execute(f"DELETE FROM {table} WHERE feed_id = ?", (feed_id,))
            kept = conn.execute(
                "SELECT count(*) FROM articles WHERE feed_id = ?", (feed_id,)
            ).fetchone()[0]
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return kept

    def record_failure(self, feed_id: int, error: str, retry_at: int | None = None) -> None:
        """A failed refresh keeps the articles and sets the feed's error line.

        What the source was read under (file states, a web feed's validators) is
        forgotten, so its next refresh reads it in full whatever it looks like, and
        a success then clears the error: a 304 could not. `retry_at` is when the
        site asked to be asked again.
        """
        with self._transaction() as conn:
            conn.execute("DELETE FROM source_files WHERE feed_id = ?", (feed_id,))
            conn.execute(
                "UPDATE feeds SET last_attempt = ?, last_error = ?, etag = NULL, "
                "last_modified = NULL, next_fetch_after = ? WHERE id = ?",
                (self._now(), error, retry_at, feed_id),
            )

    def record_checked(
        self,
        feed_ids: Sequence[int],
        files: Sequence[FileState] = (),
        fetch_states: Mapping[int, FetchState] | None = None,
    ) -> None:
        """Sources found unchanged: their last read stands, and so does its warning.

        `files` (for one source) and `fetch_states` (by feed) are what was learnt while
        checking them, kept in the same transaction.
        """
        now = self._now()
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE feeds SET last_attempt = ?, last_success = ? WHERE id = ?",
                [(now, now, feed_id) for feed_id in feed_ids],
            )
            if files:
                (feed_id,) = feed_ids
                self._write_file_states(conn, feed_id, files)
            for feed_id, state in (fetch_states or {}).items():
                self._write_fetch_state(conn, feed_id, state)

    # ------------------------------------------------------------ web fetch state

    def fetch_states(self) -> dict[int, FetchState]:
        rows = self._conn.execute(
            "SELECT id, etag, last_modified, next_fetch_after FROM feeds WHERE kind = 'url'"
        )
        return {row[0]: FetchState(*tuple(row)[1:]) for row in rows}

    @staticmethod
    def _write_fetch_state(
        conn: sqlite3.Connection, feed_id: int, state: FetchState | None
    ) -> None:
        """Validators go in with what they describe: stored alone, a killed refresh
        would leave a feed that answers 304 to a version never imported."""
        if state is not None:
            conn.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, next_fetch_after = ? WHERE id = ?",
                (state.etag, state.last_modified, state.next_fetch_after, feed_id),
            )

    def move_feed(self, feed_id: int, new_source: str) -> bool:
        """A permanent redirect or a feed found on a page: the feed's URL becomes the new
        one (False if taken). The old address's ETag and Last-Modified are forgotten:
        sent to the new one they could earn a 304 for a feed never read."""
        with self._transaction() as conn:
            try:
                conn.execute(
                    "UPDATE feeds SET source = ?, etag = NULL, last_modified = NULL WHERE id = ?",
                    (new_source, feed_id),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    # ------------------------------------------------------------ imports

    def all_file_states(self) -> dict[int, dict[str, FileState]]:
        """Every local file we know, in one query: what a no-change refresh compares against."""
        states: dict[int, dict[str, FileState]] = {}
        for row in self._conn.execute(
            "SELECT feed_id, path, size, mtime_ns, digest FROM source_files"
        ):
            states.setdefault(row[0], {})[row[1]] = FileState(*tuple(row)[1:])
        return states

    @staticmethod
    def _write_file_states(
        conn: sqlite3.Connection, feed_id: int, files: Sequence[FileState]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO source_files (feed_id, path, size, mtime_ns, digest) "
            "VALUES (?, ?, ?, ?, ?)",
            [(feed_id, f.path, f.size, f.mtime_ns, f.digest) for f in files],
        )

    def save_import(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        files: Sequence[FileState],
        fetch_state: FetchState | None = None,
        pages: PagePolicy | None = None,
    ) -> ImportCounts:
        """Merge one source's parse into the library, in one transaction, with the
        file states or web validators it was read under.

        New identities are inserted unread; changed ones are updated in place and
        keep their read/starred state; articles that left the source stay. With
        `pages`, the new articles that want their page fetched are queued for it.
        """
        now = self._now()
        with self._transaction() as conn:
            feed = conn.execute(
                "SELECT source, kind, user_title, feed_title, full_text FROM feeds WHERE id = ?",
                (feed_id,),
            ).fetchone()
            if feed is None:  # removed while its refresh ran: nothing to merge into
                return ImportCounts(0, 0)
            new_title = parsed.title or feed["feed_title"]
            shown_title = display_title(feed["user_title"], new_title, feed["source"])
            if new_title != feed["feed_title"]:
                conn.execute(
                    "UPDATE articles SET feed_title = ? WHERE feed_id = ? AND feed_title != ?",
                    (shown_title, feed_id, shown_title),
                )
            conn.execute(
                "UPDATE feeds SET feed_title = ?, site_url = coalesce(nullif(?, ''), site_url), "
                "last_attempt = ?, last_success = ?, last_error = ? WHERE id = ?",
                (new_title, parsed.site_url, now, now, parsed.warning, feed_id),
            )
            known = dict(
                conn.execute(
                    "SELECT identity, content_hash FROM articles WHERE feed_id = ?", (feed_id,)
                ).fetchall()
            )
            buried = {
                row[0]
                for row in conn.execute(
                    "SELECT identity FROM tombstones WHERE feed_id = ?", (feed_id,)
                )
            }
            fresh = [
                a for a in parsed.articles if a.identity not in known and a.identity not in buried
            ]
            changed = [
                a
                for a in parsed.articles
                if a.identity in known and known[a.identity] != a.content_hash
            ]
            last_id = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
            conn.executemany(
                "INSERT INTO articles (feed_id, identity, feed_title, title, author, link, "
                "published, sort_date, first_seen, summary, content_kind, content_html, "
                "content_text, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        feed_id, a.identity, shown_title, a.title, a.author, a.link,
                        a.published, a.published if a.published is not None else now, now,
                        a.summary, _kind(a), a.content_html, a.content_text,
                        a.content_hash,
                    )
                    for a in fresh
                ],
            )  # fmt: skip
            conn.execute(  # new rows get ids above the old maximum: we hold the write lock
                f"INSERT INTO articles_fts (rowid, {FTS_COLUMNS}) "
                f"SELECT id, {FTS_COLUMNS} FROM articles WHERE id > ?",
                (last_id,),
            )
            if pages is not None and fresh:
                self._queue_new_pages(conn, feed["full_text"], pages, last_id)
            conn.executemany(
                "UPDATE articles SET title = ?, author = ?, link = ?, published = ?, "
                "sort_date = coalesce(?, first_seen), updated_at = ?, summary = ?, "
                "content_kind = ?, content_html = ?, content_text = ?, content_hash = ? "
                "WHERE feed_id = ? AND identity = ?",
                [
                    (
                        a.title, a.author, a.link, a.published, a.published, now, a.summary,
                        _kind(a), a.content_html, a.content_text, a.content_hash,
                        feed_id, a.identity,
                    )
                    for a in changed
                ],
            )  # fmt: skip
            self._write_file_states(conn, feed_id, files)
            self._write_fetch_state(conn, feed_id, fetch_state)
            if fresh or changed:
                conn.execute(
                    "UPDATE feeds SET content_version = content_version + 1 WHERE id = ?",
                    (feed_id,),
                )
        return ImportCounts(added=len(fresh), updated=len(changed))

    def _queue_new_pages(
        self, conn: sqlite3.Connection, feed_mode: str | None, pages: PagePolicy, last_id: int
    ) -> None:
        """The page of each article inserted above `last_id` that wants one is queued:
        decided once, per item, when it arrives."""
        mode = FullText(feed_mode) if feed_mode else pages.default
        if mode is FullText.NEVER:
            return
        short = sys.maxsize if mode is FullText.ALWAYS else pages.short_body
        rows = conn.execute(
            "SELECT id, link FROM articles WHERE id > ? AND length(content_text) < ?",
            (last_id, short),
        )
        now = self._now()
        conn.executemany(
            "INSERT INTO page_fetches (article_id, url, next_try) VALUES (?, ?, ?)",
            [(row[0], row[1], now) for row in rows if is_fetchable_page(row[1])],
        )

    # ------------------------------------------------------------ articles

    def articles(
        self, view: ArticleView = ALL_ARTICLES, limit: int | None = None
    ) -> list[ArticleRow]:
        """Newest first; ties broken by id so the order is stable."""
        where, params = _view_filter(view)
        sql = f"SELECT {_ROW_COLUMNS} FROM articles {where} ORDER BY sort_date DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_row_from_sql(row) for row in self._conn.execute(sql, params)]

    def article_ids(self, view: ArticleView, limit: int = -1) -> list[int]:
        """Just the ids, in list order: what a virtual list needs to know its length."""
        where, params = _view_filter(view)
        sql = f"SELECT id FROM articles {where} ORDER BY sort_date DESC, id DESC LIMIT ?"
        params.append(limit)
        cursor = self._conn.cursor()
        cursor.row_factory = None  # plain tuples: half the time of sqlite3.Row at 100k ids
        return [row[0] for row in cursor.execute(sql, params)]

    def article_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        """The rows for `ids`, in the order given (a page of a virtual list)."""
        found: dict[int, ArticleRow] = {}
        for start in range(0, len(ids), 500):  # under SQLite's parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM articles WHERE id IN ({marks})", chunk
            ):
                found[row["id"]] = _row_from_sql(row)
        return [found[i] for i in ids if i in found]

    def search(self, query: SearchQuery, limit: int = 1000) -> list[SearchHit]:
        """Article ids for a parsed query: best match first (bm25, title weighted above
        the body), or newest first for sort:date and for queries that are only filters.
        Equal scores go newest first too (by date, then id): the same story in several
        feeds scores the same. Every value is a bound parameter."""
        where, params = self._search_filters(query)
        score = f"bm25(articles_fts, {BM25_WEIGHTS})"
        if query.match is None:
            sql = f"SELECT a.id, NULL FROM articles a WHERE {where} ORDER BY {_NEWEST}"
        elif where == "1" and not query.sort_by_date:
            # Ranking alone: every match is scored inside the index, and only the rows
            # that can make the first `limit` (scores up to the limit-th best) are read
            # for their dates. Reading every match's row tripled a common word's time.
            sql = (
                f"WITH hits AS (SELECT rowid AS id, {score} AS score FROM articles_fts "
                "WHERE articles_fts MATCH ?) "
                "SELECT hits.id, score FROM hits JOIN articles a ON a.id = hits.id "
                "WHERE score <= (SELECT max(score) FROM "
                "(SELECT score FROM hits ORDER BY score LIMIT ?)) "
                f"ORDER BY score, {_NEWEST}"
            )
            params = [query.match, limit]
        else:
            order = _NEWEST if query.sort_by_date else f"score, {_NEWEST}"
            sql = (
                f"SELECT a.id, {score} AS score FROM {_FTS_ARTICLES} "
                f"WHERE articles_fts MATCH ? AND {where} ORDER BY {order}"
            )
            params = [query.match, *params]
        cursor = self._conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(sql + " LIMIT ?", [*params, limit])
        score_counts = query.match is not None and not query.sort_by_date
        return [SearchHit(row[0], row[1] if score_counts else None) for row in rows]

    def count_matches(self, query: SearchQuery) -> int:
        """How many articles `search` finds with no limit: what "N found" should say."""
        where, params = self._search_filters(query)
        if query.match is None:
            sql = f"SELECT count(*) FROM articles a WHERE {where}"
        elif where == "1":
            sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
            params = [query.match]
        else:
            sql = f"SELECT count(*) FROM {_FTS_ARTICLES} WHERE articles_fts MATCH ? AND {where}"
            params = [query.match, *params]
        return self._conn.execute(sql, params).fetchone()[0]

    def snippets(self, match: str, ids: Sequence[int]) -> dict[int, str]:
        """Short extracts around the matched terms, marked with SNIPPET_START/END.

        The markers are control characters, which stored text never contains,
        so the UI can turn them into highlight spans without parsing anything.
        """
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT rowid, snippet(articles_fts, -1, '{SNIPPET_START}', '{SNIPPET_END}', "
            f"'…', 16) FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN ({marks})",
            [match, *ids],
        )
        return {row[0]: row[1] for row in rows}

    def _search_filters(self, query: SearchQuery) -> tuple[str, list[object]]:
        where, params = ["1"], []
        if query.feed_prefixes or query.tags:
            feed_ids = [feed.id for feed in self.feeds() if _feed_matches(feed, query)]
            where.append(_one_of("a.feed_id", feed_ids))
            params.extend(feed_ids)
        if query.unread is not None:
            where.append("a.read = ?")
            params.append(0 if query.unread else 1)
        if query.starred:
            where.append("a.starred = 1")
        if query.after is not None:
            where.append("a.sort_date >= ?")
            params.append(query.after)
        if query.before is not None:
            where.append("a.sort_date < ?")
            params.append(query.before)
        return " AND ".join(where), params

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a fact about the library; None removes it."""
        with self._transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def saved_searches(self) -> list[SavedSearch]:
        rows = self._conn.execute("SELECT id, name, query FROM saved_searches ORDER BY name")
        return [SavedSearch(row["id"], row["name"], row["query"]) for row in rows]

    def save_search(self, name: str, query: str) -> int:
        """Save (or, under an existing name, replace) a query; return its id."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO saved_searches (name, query) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET query = excluded.query",
                (name, query),
            )
            return conn.execute("SELECT id FROM saved_searches WHERE name = ?", (name,)).fetchone()[
                0
            ]

    def rename_search(self, search_id: int, name: str) -> None:
        with self._transaction() as conn:
            try:
                conn.execute("UPDATE saved_searches SET name = ? WHERE id = ?", (name, search_id))
            except sqlite3.IntegrityError:
                raise ValueError(f"a saved search is already called {name!r}") from None

    def delete_search(self, search_id: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,))

    def unread_ids(self, view: ArticleView) -> list[int]:
        """The view's unread articles (what "mark all read" changes, and undoes)."""
        return self.article_ids(dataclasses.replace(view, unread=True))

    def article(self, article_id: int) -> ArticleRow | None:
        row = self._conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _row_from_sql(row) if row else None

    def article_body(self, article_id: int) -> ArticleBody | None:
        row = self._conn.execute(
            "SELECT a.id, a.summary, a.content_kind, a.content_html, a.content_text, "
            "a.page_html, p.url, p.fetched_at, p.error, p.author, p.published FROM articles a "
            "LEFT JOIN page_fetches p ON p.article_id = a.id WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        page = None
        if row["url"] is not None:
            page = StoredPage(
                row["url"],
                row["page_html"],
                row["fetched_at"],
                row["error"],
                row["author"],
                row["published"],
            )
        return ArticleBody(
            article_id=row["id"],
            summary=row["summary"],
            content_kind=ContentKind(row["content_kind"]),
            content_html=row["content_html"],
            content_text=row["content_text"],
            page=page,
        )

    # ------------------------------------------------------------ page texts

    def wanted_pages(
        self, *, default: FullText, now: int, feed_ids: Sequence[int] | None = None
    ) -> list[PageRequest]:
        """The pages to fetch now, newest article first: queued at import (see
        PagePolicy) or by queue_pages, or failed and due again (see
        record_page_failure), in feeds whose full_text setting (else `default`)
        is not "never". `feed_ids` narrows to those feeds."""
        narrow, params = "", [now, default.value]
        if feed_ids is not None:
            narrow = "AND " + _one_of("a.feed_id", feed_ids)
            params.extend(feed_ids)
        rows = self._conn.execute(
            "SELECT p.article_id, p.url FROM page_fetches p "
            "JOIN articles a ON a.id = p.article_id JOIN feeds f ON f.id = a.feed_id "
            "WHERE p.fetched_at IS NULL AND p.next_try <= ? "
            f"AND coalesce(f.full_text, ?) != 'never' {narrow} ORDER BY {_NEWEST}",
            params,
        )
        return [PageRequest(row[0], row[1]) for row in rows]

    def queue_pages(
        self,
        *,
        article_ids: Sequence[int] | None = None,
        feed_ids: Sequence[int] | None = None,
        retry_failed: bool = True,
    ) -> int:
        """Ask for the pages of these articles (all when neither is given) that have
        a web link and no page text yet; return how many are now waiting."""
        where, params = [], []
        if article_ids is not None:
            where.append(_one_of("a.id", article_ids))
            params.extend(article_ids)
        if feed_ids is not None:
            where.append(_one_of("a.feed_id", feed_ids))
            params.extend(feed_ids)
        now = self._now()
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT a.id, a.link FROM articles a LEFT JOIN page_fetches p "
                "ON p.article_id = a.id WHERE (p.article_id IS NULL OR (p.fetched_at IS NULL "
                f"AND ?)) AND {' AND '.join(where) or '1'}",
                [retry_failed, *params],
            ).fetchall()
            wanted = [(row[0], row[1], now) for row in rows if is_fetchable_page(row[1])]
            conn.executemany(
                "INSERT INTO page_fetches (article_id, url, next_try) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, "
                "next_try = excluded.next_try",
                wanted,
            )
        return len(wanted)

    def save_page(self, article_id: int, url: str, page: PageText) -> None:
        """The page's text joins its article (and the search index) in one transaction."""
        with self._transaction() as conn:
            updated = conn.execute(
                "UPDATE articles SET page_html = ?, page_text = ? WHERE id = ?",
                (page.html, page.text, article_id),
            ).rowcount
            if updated:  # the article may have been vacuumed while its page was fetched
                conn.execute(
                    "UPDATE feeds SET content_version = content_version + 1 "
                    "WHERE id = (SELECT feed_id FROM articles WHERE id = ?)",
                    (article_id,),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO page_fetches (article_id, url, fetched_at, author, "
                    "published, image, error, attempts, next_try) "
                    "VALUES (?, ?, ?, ?, ?, ?, NULL, 0, NULL)",
                    (article_id, url, self._now(), page.author, page.published, page.image),
                )

    def record_page_failure(
        self, article_id: int, url: str, error: str, retry_after: int | None = None
    ) -> None:
        """A page that could not be fetched or read: the article keeps any text it had,
        says why, and is tried again after 1 h, 4 h, 16 h, 64 h (or the `retry_after`
        seconds its site asked for, when longer), then only on request."""
        now = self._now()
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                conn.execute(
                    "INSERT INTO page_fetches (article_id, url) VALUES (?, ?) "
                    "ON CONFLICT (article_id) DO NOTHING",
                    (article_id, url),
                )
                conn.execute(
                    "UPDATE page_fetches SET url = ?, error = ?, attempts = attempts + 1, "
                    "next_try = CASE WHEN attempts + 1 < ? THEN "
                    "max(? * (1 << (2 * attempts)), ?) + ? END WHERE article_id = ?",
                    (url, error, PAGE_ATTEMPTS, PAGE_RETRY, retry_after or 0, now, article_id),
                )

    # ------------------------------------------------------------ reader mode

    def content_version(self, feed_id: int) -> int:
        """Moves on whenever the feed's articles or page texts change."""
        row = self._conn.execute(
            "SELECT content_version FROM feeds WHERE id = ?", (feed_id,)
        ).fetchone()
        return row[0] if row else 0

    def recent_texts(self, feed_id: int, limit: int) -> list[str]:
        """The search text (the feed's and the page's) of the feed's newest articles."""
        rows = self._conn.execute(
            "SELECT content_text, page_text FROM articles WHERE feed_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (feed_id, limit),
        )
        return [row[0] + ("\n" + row[1] if row[1] else "") for row in rows]

    def feed_templates(self, feed_id: int) -> tuple[int, frozenset[str]] | None:
        """The template keys found for the feed, and its content_version then."""
        row = self._conn.execute(
            "SELECT content_version, keys FROM feed_templates WHERE feed_id = ?", (feed_id,)
        ).fetchone()
        return (row[0], frozenset(row[1].split())) if row else None

    def save_feed_templates(self, feed_id: int, version: int, keys: Iterable[str]) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO feed_templates (feed_id, content_version, keys) "
                "VALUES (?, ?, ?)",
                (feed_id, version, " ".join(sorted(keys))),
            )

    def set_full_text(self, feed_id: int, mode: FullText | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE feeds SET full_text = ? WHERE id = ?",
                (mode.value if mode else None, feed_id),
            )

    def set_read(self, article_ids: Sequence[int], read: bool) -> int:
        return self._set_flag("read", article_ids, read)

    def set_starred(self, article_ids: Sequence[int], starred: bool) -> int:
        return self._set_flag("starred", article_ids, starred)

    def _set_flag(self, column: str, article_ids: Sequence[int], value: bool) -> int:
        with self._transaction() as conn:
            cursor = conn.executemany(
                f"UPDATE articles SET {column} = ? WHERE id = ?",
                [(int(value), article_id) for article_id in article_ids],
            )
        return cursor.rowcount

    def vacuum(
        self,
        *,
        keep_days: int | None,
        keep_per_feed: int | None,
        include_unread: bool = False,
        include_starred: bool = False,
    ) -> int:
        """Delete old articles (never starred or unread ones unless asked), then compact
        the file; return how many were deleted. With no keep rule it only compacts.

        Deleted identities are remembered so the next refresh does not re-add them.
        VACUUM writes the new file through the WAL: the checkpoint after it moves that
        into the library and empties the WAL, so the file shrinks even while a TUI
        keeps its own connection open.
        """
        protect = []
        if not include_unread:
            protect.append("read = 1")
        if not include_starred:
            protect.append("starred = 0")
        guard = " AND ".join(protect) or "1"
        rules, params = [], []
        if keep_days is not None:
            rules.append("sort_date < ?")
            params.append(self._now() - keep_days * 86_400)
        if keep_per_feed is not None:
            rules.append(
                "id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY feed_id "
                "ORDER BY sort_date DESC, id DESC) AS position FROM articles) WHERE position > ?)"
            )
            params.append(keep_per_feed)
        deleted = 0
        if rules:
            doomed = f"({guard}) AND ({' OR '.join(rules)})"
            with self._transaction() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO tombstones (feed_id, identity) SELECT feed_id, "
                    f"identity FROM articles WHERE feed_id IS NOT NULL AND {doomed}",
                    params,
                )
                deleted = conn.execute(f"DELETE FROM articles WHERE {doomed}", params).rowcount
                conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        with self._explained():
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def article_count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def _one_of(column: str, values: Sequence[object]) -> str:
    """`column IN (?, ?, …)` for bound values; none matches nothing."""
    return f"{column} IN ({','.join('?' * len(values)) or 'NULL'})"


def _feed_matches(feed: Feed, query: SearchQuery) -> bool:
    """feed: any prefix of the title may match; tag: the feed has every tag (no case)."""
    title = feed.title.casefold()
    if query.feed_prefixes and not any(title.startswith(p.casefold()) for p in query.feed_prefixes):
        return False
    tags = {tag.casefold() for tag in feed.tags}
    return all(tag.casefold() in tags for tag in query.tags)


def _view_filter(view: ArticleView) -> tuple[str, list[object]]:
    where, params = [], []
    if view.feed_id is not None:
        where.append("feed_id = ?")
        params.append(view.feed_id)
    if view.unread:
        where.append("read = 0")
    if view.starred:
        where.append("starred = 1")
    return ("WHERE " + " AND ".join(where) if where else ""), params


def display_title(user_title: str | None, feed_title: str | None, source: str) -> str:
    """The user's name for a feed, else the feed's own, else one made from its source."""
    if user_title:
        return user_title
    if feed_title:
        return feed_title
    if is_web_url(source):
        parts = urlsplit(source)
        return parts.netloc + (parts.path.rstrip("/") or "")
    return PurePath(source).name or source


def _kind(article: ParsedArticle) -> str:
    return ContentKind.HTML.value if article.content_html else ContentKind.TEXT.value


def _feed_from_row(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        source=row["source"],
        kind=SourceKind(row["kind"]),
        title=display_title(row["user_title"], row["feed_title"], row["source"]),
        tags=tuple(row["tags"].split("\x1f")) if row["tags"] else (),
        unread=row["unread"],
        total=row["total"],
        last_attempt=row["last_attempt"],
        last_success=row["last_success"],
        last_error=row["last_error"],
        site_url=row["site_url"],
        full_text=FullText(row["full_text"]) if row["full_text"] else None,
    )


def _row_from_sql(row: sqlite3.Row) -> ArticleRow:
    return ArticleRow(
        id=row["id"],
        feed_id=row["feed_id"],
        feed_title=row["feed_title"],
        title=row["title"],
        author=row["author"],
        published=row["published"],
        link=row["link"],
        read=bool(row["read"]),
        starred=bool(row["starred"]),
    )

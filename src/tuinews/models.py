"""The types that cross module boundaries.

What a source *said* (ParsedFeed, ParsedArticle) is kept apart from what we
*keep* (Feed, ArticleRow, ArticleBody: ids, read/starred state, refresh
history), so that merging a refetch into stored state is one explicit step in
the store.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class SourceKind(enum.StrEnum):
    URL = "url"  # http(s) feed, fetched by the network refresh
    FILE = "file"  # local feed file (RSS, RDF, Atom, JSON Feed)
    FOLDER = "folder"  # folder of .txt/.md/.html article files


class ContentKind(enum.StrEnum):
    HTML = "html"
    TEXT = "text"


class FullText(enum.StrEnum):
    """Whether a feed's articles get their linked page's text (a feed setting)."""

    AUTO = "auto"  # when an item carries only a short summary
    ALWAYS = "always"
    NEVER = "never"


class NotAFeed(ValueError):
    """The document is not something we can read as a feed; the message is one line."""


class NotAnArticle(ValueError):
    """A file in an article folder holds no article; the message is why, in words that
    follow "files that are": "not text", "empty"."""


HTML_PAGE_NOT_A_FEED = "not a feed: got an HTML page"  # where adding a URL looks for a feed
# Around the matched words in a search extract: control characters, which stored text
# never holds, so a face turns them into highlights without parsing anything.
SNIPPET_START, SNIPPET_END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    identity: str  # stable within its feed: guid, else link, else a content hash
    title: str
    link: str
    author: str
    published: int | None  # Unix seconds, UTC; None when missing or not believable
    summary: str  # plain text: a standfirst or the feed's short description
    content_html: str  # "" for plain-text articles
    content_text: str  # plain text, what search indexes and what plain articles show
    content_hash: str  # of everything above: an unchanged article costs no write


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    site_url: str
    articles: tuple[ParsedArticle, ...]
    warning: str | None = None  # set when the articles were recovered from a damaged document


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    source: str
    kind: SourceKind
    title: str  # what to show: the user's title, else the feed's, else the source
    tags: tuple[str, ...]
    unread: int
    total: int
    last_attempt: int | None
    last_success: int | None
    last_error: str | None
    site_url: str = ""
    full_text: FullText | None = None  # None: the config's default


@dataclass(frozen=True, slots=True)
class ArticleView:
    """Which articles a list shows: all, one feed's, unread only, starred only."""

    feed_id: int | None = None
    unread: bool = False
    starred: bool = False


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """An article as a list shows it (no body: lists must stay cheap)."""

    id: int
    feed_id: int | None  # None once its feed was removed (starred articles are kept)
    feed_title: str
    title: str
    author: str
    published: int | None
    link: str
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    score: float | None  # bm25: lower is better; None when results are ordered by date


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    name: str
    query: str  # as the user typed it; parsed again on each use


@dataclass(frozen=True, slots=True)
class ArticleBody:
    article_id: int
    summary: str
    content_kind: ContentKind
    content_html: str
    content_text: str
    page: StoredPage | None = None  # the linked page's text, once fetched or tried


@dataclass(frozen=True, slots=True)
class PageText:
    """An article's page as extraction left it: what the store keeps."""

    html: str  # the main text, as simple HTML for render_html
    text: str  # the same as plain text, for search
    author: str = ""
    image: str = ""  # the lead image's URL
    published: int | None = None  # the page's own date, Unix seconds


@dataclass(frozen=True, slots=True)
class StoredPage:
    """What fetching an article's page found: its text, or why there is none yet."""

    url: str
    html: str
    fetched_at: int | None  # None: no text yet (see error)
    error: str | None
    author: str = ""
    published: int | None = None  # the page's own date


@dataclass(frozen=True, slots=True)
class PagePolicy:
    """Which new articles of a web feed get their page fetched: by the feed's own
    full_text setting, else `default`; auto means a body under `short_body` chars."""

    default: FullText
    short_body: int


@dataclass(frozen=True, slots=True)
class PageRequest:
    article_id: int
    url: str


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source's refresh did, for the CLI summary and the TUI's feed list."""

    feed_id: int
    source: str
    title: str
    added: int = 0
    updated: int = 0
    skipped: bool = False  # nothing changed on disk (or not fetchable yet)
    error: str | None = None  # the source failed; its stored articles are untouched
    warning: str | None = None  # imported, but the document was damaged
    note: str | None = None  # neither done nor failed, e.g. a site asked us to wait


@dataclass(frozen=True, slots=True)
class PageOutcome:
    article_id: int
    url: str
    error: str | None = None  # one line: why the article has no page text
    retry_after: int | None = None  # seconds the site asked to wait (429, 503)


@dataclass(frozen=True, slots=True)
class PageProgress:
    done: int
    total: int
    outcome: PageOutcome

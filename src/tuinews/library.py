"""The one face of the core: every operation a user can ask of tuinews.

The CLI and the TUI are two thin faces on this class; neither opens a Store,
parses a query or classifies a source itself. A `Library` may be used from any
thread: each thread gets its own Store (a SQLite connection belongs to one
thread), closed when its thread ends.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from tuinews import urls
from tuinews.config import APP_NAME, Config
from tuinews.models import (
    HTML_PAGE_NOT_A_FEED,
    ArticleRow,
    ArticleView,
    Feed,
    FullText,
    PageOutcome,
    PagePolicy,
    PageProgress,
    PageRequest,
    SavedSearch,
    SearchHit,
    SourceOutcome,
    StoredPage,
)
from tuinews.refresh import Progress, RefreshCancelled, refresh_feeds
from tuinews.resources import bundled
from tuinews.search_query import QUERY_HELP, QueryError, parse_query
from tuinews.sources import BadSource, classify_source
from tuinews.store import FeedExists, LibraryError, NewerLibrary, Store

if TYPE_CHECKING:
    from tuinews.fold import Fold, FoldedArticle
    from tuinews.render import Block, RenderedArticle

__all__ = [  # the core's one face: the faces import nothing else of the core but models
    "QUERY_HELP",
    "AddResult",
    "FeedListing",
    "Library",
    "LibraryError",
    "NewerLibrary",
    "NotFound",
    "OpenedArticle",
    "PageProgress",
    "PagesReport",
    "Progress",
    "QueryError",
    "RefreshCancelled",
    "RefreshReport",
    "Refused",
    "SearchResults",
    "SourceRequest",
    "tags_from",
]

SAMPLES_TAG = "samples"
# auto full text: a body shorter than this (in characters) is a summary, not the story.
SHORT_BODY = 600
# Reader mode counts repeated paragraphs over this many of a feed's newest articles, so
# that an appeal a site added lately soon counts as its template (see fold.py).
TEMPLATE_WINDOW = 200
_SAMPLES_PENDING = "samples_pending"  # meta key: set on a new library, cleared for good


class NotFound(LookupError):
    """No feed or article answers to what the user typed; the message says which."""


class Refused(ValueError):
    """The request cannot be carried out as asked; the message is the one line to show."""


@dataclass(frozen=True, slots=True)
class SourceRequest:
    source: str
    title: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddResult:
    request: SourceRequest
    feed: Feed | None = None  # the feed added, or the one already holding this source
    outcome: SourceOutcome | None = None  # the first import
    error: str | None = None  # why nothing was added
    already: bool = False  # the source (or the feed a page points to) was in the library
    discovered: tuple[str, ...] = ()  # feeds a web page pointed to; the first was taken

    @property
    def added(self) -> bool:
        return self.feed is not None and not self.already


@dataclass(frozen=True, slots=True)
class RefreshReport:
    outcomes: tuple[SourceOutcome, ...]

    @property
    def added(self) -> int:
        return sum(outcome.added for outcome in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.error)

    @property
    def unreachable(self) -> tuple[SourceOutcome, ...]:
        """Every web feed failed to connect: the network is down, say so once."""
        web = [o for o in self.outcomes if urls.is_web_url(o.source)]
        down = tuple(o for o in web if (o.error or "").startswith("cannot connect"))
        return down if len(down) > 1 and len(down) == len(web) else ()

    @property
    def summary(self) -> str:
        updated = sum(outcome.updated for outcome in self.outcomes)
        count = len(self.outcomes)
        return (
            f"{count} source{'s' if count != 1 else ''}: {self.added} new articles, "
            f"{updated} updated" + (f", {self.failed} failed" if self.failed else "")
        )


@dataclass(frozen=True, slots=True)
class PagesReport:
    outcomes: tuple[PageOutcome, ...]

    @property
    def fetched(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.error is None)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.fetched

    @property
    def summary(self) -> str:
        count = len(self.outcomes)
        return f"{count} page{'s' if count != 1 else ''}: {self.fetched} fetched" + (
            f", {self.failed} failed" if self.failed else ""
        )


@dataclass(frozen=True, slots=True)
class FeedListing:
    """Everything the feed list shows, read in one go."""

    feeds: list[Feed]
    starred: int
    searches: list[tuple[SavedSearch, int | None]]  # unread matches; None: no longer parses


@dataclass(frozen=True, slots=True)
class OpenedArticle:
    row: ArticleRow
    summary: str
    body: RenderedArticle  # what render.layout lays out for a width
    page: StoredPage | None = None  # the linked page, when it was fetched or tried
    shows_page: bool = False  # body is the page's text, not the feed's
    folds: tuple[Fold, ...] = ()  # reader mode: what is folded (or, unfolded, would be)
    unfolded: bool = False  # the body shows the folded paragraphs too

    def source_note(self, when: Callable[[int], str]) -> str:
        """Which text the body is, when there is a choice ("" when there is none);
        `when` formats the time the page was fetched. The faces add their key hint."""
        page = self.page
        if page is None:
            return ""
        if self.shows_page and page.fetched_at is not None:
            return f"Page text, fetched {when(page.fetched_at)}"
        if page.fetched_at is not None:
            return "The feed's text (the page's is kept too)"
        return f"The feed's text: the page could not be fetched ({page.error or 'no reason'})"


@dataclass(frozen=True, slots=True)
class SearchResults:
    hits: list[SearchHit]  # best first (or newest first for sort:date and filters alone)
    total: int  # every match, however many hits were asked for
    terms: tuple[str, ...]  # the searched words, to highlight
    snippets: dict[int, str]  # article id → extract with SNIPPET_START/END marks


class Library:
    """Open with `Library(config)` (or as a context manager); `close()` when done."""

    def __init__(self, config: Config, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.path = config.db_path
        self._clock = clock
        self._local = threading.local()
        self._generations_lock = threading.Lock()
        self._undo: list[int] = []  # the ids the last "mark all read" changed
        self._own_generations: set[int] = set()  # written by this library, not yet looked at
        self._seen_version: int | None = None
        self._seen_generation = 0
        self._seen_count = 0
        self._store()  # a library that cannot be opened says so now, not at first use

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close this thread's connection. The other threads' close as their threads
        end: closing a connection that another thread is using crashes SQLite."""
        store = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None

    def _store(self) -> Store:
        """This thread's connection; it closes with its thread (or with `close`)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, clock=self._clock, on_commit=self._committed)
            self._local.store = store
        return store

    # ------------------------------------------------------------ feeds

    def feeds(self) -> list[Feed]:
        return self._store().feeds()

    def find_feed(self, ref: str) -> Feed:
        """FEED as typed on the command line: an id, or an exact title or source."""
        found = self._store().find_feeds(ref)
        if not found:
            raise NotFound(f"no feed with id or title {ref!r}")
        if len(found) > 1:
            ids = ", ".join(str(feed.id) for feed in found)
            raise NotFound(f"{len(found)} feeds are called {ref!r} (ids {ids}): use an id")
        return found[0]

    def feed_listing(self) -> FeedListing:
        store = self._store()
        now = self._clock()
        searches = [(s, self._unread_matches(store, s, now)) for s in store.saved_searches()]
        starred = len(store.article_ids(ArticleView(starred=True)))
        return FeedListing(store.feeds(), starred, searches)

    @staticmethod
    def _unread_matches(store: Store, search: SavedSearch, now: float) -> int | None:
        try:
            query = parse_query(search.query, now=now)
        except QueryError:
            return None
        return store.count_matches(dataclasses.replace(query, unread=True))

    def remove_feed(self, feed_id: int) -> int:
        """Remove a feed and its articles but the starred ones; return how many were kept."""
        return self._store().remove_feed(feed_id)

    @staticmethod
    def check_source(text: str) -> str | None:
        """Why `text` cannot be added (one line), or None when it can be tried."""
        try:
            classify_source(text)
        except BadSource as error:
            return str(error)
        return None

    # ------------------------------------------------------------ adding sources

    def add_sources(
        self,
        requests: Sequence[SourceRequest],
        *,
        base: Path | None = None,
        keep_failed: bool = False,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> list[AddResult]:
        """Add every acceptable source, then import them all together (in parallel).

        A source whose first import fails is taken out again unless `keep_failed`:
        a typo must not leave a broken feed behind.
        """
        store = self._store()
        if store.meta(_SAMPLES_PENDING) is not None:  # the user's own feeds: no samples later
            store.set_meta(_SAMPLES_PENDING, None)
        results: list[AddResult] = []
        added: dict[int, int] = {}  # position in results → new feed id
        for request in requests:
            try:
                source = classify_source(request.source, base)
            except BadSource as error:
                results.append(AddResult(request, error=str(error)))
                continue
            try:
                feed_id = store.add_feed(
                    source.location, source.kind, title=request.title, tags=request.tags
                )
            except FeedExists:
                results.append(AddResult(request, self.find_feed(source.location), already=True))
                continue
            added[len(results)] = feed_id
            results.append(AddResult(request))

        feeds = [feed for feed_id in added.values() if (feed := store.feed(feed_id))]
        outcomes = {
            outcome.feed_id: outcome
            for outcome in refresh_feeds(store, feeds, **self._limits(), on_progress=on_progress)
        }
        for position, feed_id in added.items():
            request, outcome = results[position].request, outcomes.get(feed_id)
            result = AddResult(request, store.feed(feed_id), outcome)
            if outcome and outcome.error == HTML_PAGE_NOT_A_FEED:
                result = self._follow_discovery(result)
            if result.outcome and result.outcome.error and not keep_failed and not result.already:
                store.remove_feed(feed_id)  # just added: nothing of the user's is in it
                error = f"{result.outcome.source}: {result.outcome.error}"
                result = AddResult(request, None, result.outcome, error, False, result.discovered)
            results[position] = result
        return results

    def _follow_discovery(self, result: AddResult) -> AddResult:
        """A web page was added: take the first feed it announces, if it announces one."""
        from tuinews.fetch import FetchRequest, FetchSettings, fetch_all_sync
        from tuinews.parse.discover import discover_feeds

        store, outcome = self._store(), result.outcome
        assert outcome is not None and result.feed is not None
        settings = FetchSettings(max_bytes=self.config.max_download_bytes)
        (page,) = fetch_all_sync([FetchRequest(outcome.feed_id, outcome.source)], settings)
        candidates = tuple(discover_feeds(page.body or b"", outcome.source))
        if not candidates:
            return result
        if existing := store.find_feeds(candidates[0]):
            store.remove_feed(outcome.feed_id)  # the page itself was never a feed
            return AddResult(result.request, existing[0], already=True, discovered=candidates)
        store.move_feed(outcome.feed_id, candidates[0])
        (found,) = refresh_feeds(store, [store.feed(outcome.feed_id)], **self._limits())
        return AddResult(result.request, store.feed(outcome.feed_id), found, discovered=candidates)

    def import_opml(
        self, path: Path, *, on_progress: Callable[[Progress], None] | None = None
    ) -> list[AddResult]:
        from tuinews.opml import BadOpml, read_opml

        try:
            entries = read_opml(path.read_bytes())
        except OSError as error:
            raise Refused(f"{path}: {error.strerror or error}") from None
        except BadOpml as error:
            raise Refused(f"{path}: {error}") from None
        requests = [SourceRequest(e.source, e.title, e.tags) for e in entries]
        return self.add_sources(requests, base=path.resolve().parent, on_progress=on_progress)

    def export_opml(self) -> tuple[str, int]:
        """The feeds as an OPML 2.0 document, and how many it holds."""
        from tuinews.opml import write_opml

        feeds = self.feeds()
        return write_opml(feeds, self._clock()), len(feeds)

    # ------------------------------------------------------------ the samples

    def import_samples_if_new(self) -> list[AddResult]:
        """A brand-new library gets the bundled samples, once, so there is something to
        read. They are copied into the data folder first: a reinstall removes
        site-packages, and the library would lose its sources."""
        store = self._store()
        if store.meta(_SAMPLES_PENDING) is None:
            return []
        if store.feeds():
            store.set_meta(_SAMPLES_PENDING, None)
            return []
        copy = Path(platformdirs.user_data_dir(APP_NAME)) / "sample_feeds"
        if not copy.is_dir():
            shutil.copytree(bundled("sample_feeds"), copy)
        requests = [
            SourceRequest(str(path), tags=(SAMPLES_TAG,))
            for path in sorted(copy.iterdir())
            if not path.name.startswith(".")
        ]
        return self.add_sources(requests)

    def sample_feeds(self) -> list[Feed]:
        return [feed for feed in self.feeds() if SAMPLES_TAG in feed.tags]

    # ------------------------------------------------------------ refreshing

    def refresh(
        self,
        feed_ids: Iterable[int] | None = None,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> RefreshReport:
        """Refresh the feeds given (all when None). Setting `cancel` stops it within a
        moment with RefreshCancelled; what was stored by then stays."""
        feeds = self.feeds()
        if feed_ids is not None:
            wanted = set(feed_ids)
            feeds = [feed for feed in feeds if feed.id in wanted]
        outcomes = refresh_feeds(
            self._store(), feeds, **self._limits(), on_progress=on_progress, cancel=cancel
        )
        return RefreshReport(tuple(outcomes))

    # ------------------------------------------------------------ page texts

    def fetch_pages(
        self,
        feed_ids: Iterable[int] | None = None,
        *,
        on_progress: Callable[[PageProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PagesReport:
        """Fetch the pages that are due (queued when their articles arrived, or asked
        for, or failed and due again), of the feeds given (all when None)."""
        store = self._store()
        narrowed = None if feed_ids is None else list(feed_ids)
        wanted = store.wanted_pages(
            default=self.config.full_text, now=int(self._clock()), feed_ids=narrowed
        )
        return self._fetch(wanted, on_progress, cancel)

    def queue_pages(self, feed_ids: Sequence[int] | None = None) -> int:
        """Ask for the pages of the articles of these feeds (all when None) that have a
        web link and no page text; `fetch_pages` then fetches them. How many wait."""
        return self._store().queue_pages(feed_ids=feed_ids)

    def fetch_pages_now(
        self,
        article_ids: Sequence[int],
        *,
        on_progress: Callable[[PageProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PagesReport:
        """Fetch these articles' pages now, whatever their feed's setting or their last
        failure (an article with no web link is refused)."""
        rows = self._store().article_rows(self._existing(article_ids))
        unlinked = [row.id for row in rows if not urls.is_web_url(row.link)]
        if unlinked:
            listed = ", ".join(map(str, unlinked))
            raise Refused(f"no web link to fetch a page from: article {listed}")
        wanted = [PageRequest(row.id, row.link) for row in rows]
        return self._fetch(wanted, on_progress, cancel)

    def fetch_page(self, article_id: int) -> PageOutcome:
        """One article's page, now (the reader's `f`)."""
        (outcome,) = self.fetch_pages_now([article_id]).outcomes
        return outcome

    def _fetch(
        self,
        wanted: Sequence[PageRequest],
        on_progress: Callable[[PageProgress], None] | None,
        cancel: threading.Event | None,
    ) -> PagesReport:
        if not wanted:
            return PagesReport(())
        from tuinews.pages import fetch_pages  # and with it the fetcher

        outcomes = fetch_pages(
            self._store(),
            wanted,
            max_download_bytes=self.config.max_download_bytes,
            on_progress=on_progress,
            cancel=cancel,
        )
        return PagesReport(tuple(outcomes))

    def set_full_text(self, feed_id: int, mode: FullText | None) -> None:
        """A feed's own full_text setting; None goes back to the config's default."""
        self.find_feed(str(feed_id))
        self._store().set_full_text(feed_id, mode)

    def _committed(self, generation: int) -> None:
        with self._generations_lock:
            self._own_generations.add(generation)

    def _limits(self) -> dict:
        """What every refresh_feeds call is given: the caps and the page policy."""
        return {
            "max_bytes": self.config.max_document_bytes,
            "max_download_bytes": self.config.max_download_bytes,
            "pages": PagePolicy(self.config.full_text, SHORT_BODY),
        }

    def changed_elsewhere(self) -> bool | None:
        """None when no other program wrote since the last look (this library's own
        writes do not count); else whether the number of articles changed (a cron
        refresh brought some), as opposed to flags or feeds only."""
        store = self._store()
        version = store.data_version()
        if version == self._seen_version:
            return None  # nobody committed, not even our own threads
        first_look = self._seen_version is None
        self._seen_version = version
        generation = store.generation()
        with self._generations_lock:
            seen = range(self._seen_generation + 1, generation + 1)
            outside = any(number not in self._own_generations for number in seen)
            self._own_generations = {g for g in self._own_generations if g > generation}
        self._seen_generation = generation
        if first_look:
            self._seen_count = store.article_count()
            return None
        if not outside:
            return None
        count = store.article_count()
        new_articles, self._seen_count = count != self._seen_count, count
        return new_articles

    # ------------------------------------------------------------ articles

    def articles(self, view: ArticleView, limit: int | None = None) -> list[ArticleRow]:
        return self._store().articles(view, limit=limit)

    def article_ids(self, view: ArticleView, limit: int = -1) -> list[int]:
        return self._store().article_ids(view, limit)

    def article_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        return self._store().article_rows(ids)

    def article(self, article_id: int) -> ArticleRow | None:
        return self._store().article(article_id)

    def unread_ids(self, view: ArticleView) -> list[int]:
        return self._store().unread_ids(view)

    def open_article(
        self,
        article_id: int,
        *,
        mark_read: bool = False,
        feed_text: bool = False,
        unfold: bool = False,
        fold_hint: str = "",
    ) -> OpenedArticle:
        """The article to read: its row, standfirst and body ready to lay out.

        The body is its page's text when there is one, unless `feed_text` asks for
        the feed's. Reader mode folds what is not the story (fold.py) into one line
        per run, ending in `fold_hint` (the face's key for unfolding); `unfold`
        shows everything.
        """
        store = self._store()
        row, body = store.article(article_id), store.article_body(article_id)
        if row is None or body is None:
            raise NotFound(f"no article with id {article_id}")
        if mark_read and not row.read:
            store.set_read([article_id], True)
            row = dataclasses.replace(row, read=True)
        from tuinews.render import RenderedArticle, render_body, render_html

        page = body.page
        shows_page = page is not None and page.fetched_at is not None and not feed_text
        if page is not None and shows_page:
            rendered = render_html(page.html, page.url)
            row = dataclasses.replace(  # what the feed did not say, the page may
                row,
                author=row.author or page.author,
                published=row.published if row.published is not None else page.published,
            )
        else:
            rendered = render_body(body, row.link)
        folded = self._folded(row, rendered, body.summary)
        summary = body.summary
        if not unfold and folded.folds:
            rendered = RenderedArticle(tuple(_folded_blocks(folded, fold_hint)), rendered.links)
        if not unfold and folded.summary_repeats:
            summary = ""  # an excerpt of the story's start says nothing new
        return OpenedArticle(row, summary, rendered, page, shows_page, folded.folds, unfold)

    def _folded(self, row: ArticleRow, rendered: RenderedArticle, summary: str) -> FoldedArticle:
        from tuinews.fold import fold_blocks  # its lexicon costs 50 ms to compile: not at start

        templates = self._template_keys(row.feed_id) if row.feed_id is not None else frozenset()
        return fold_blocks(rendered.blocks, template=templates, summary=summary)

    def _template_keys(self, feed_id: int) -> frozenset[str]:
        """The paragraphs that repeat across the feed's recent articles (reader mode's
        repetition signal), worked out again only when the feed has new articles or page texts."""
        from tuinews.fold import template_keys, text_keys

        store = self._store()
        version = store.content_version(feed_id)
        cached = store.feed_templates(feed_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        texts = store.recent_texts(feed_id, TEMPLATE_WINDOW)
        counts = Counter(key for text in texts for key in text_keys(text))
        keys = frozenset(template_keys(counts, len(texts)))
        store.save_feed_templates(feed_id, version, keys)
        return keys

    def set_read(self, article_ids: Sequence[int], read: bool) -> int:
        return self._store().set_read(self._existing(article_ids), read)

    def set_starred(self, article_ids: Sequence[int], starred: bool) -> int:
        return self._store().set_starred(self._existing(article_ids), starred)

    def _existing(self, article_ids: Sequence[int]) -> Sequence[int]:
        store = self._store()
        missing = [i for i in article_ids if store.article(i) is None]
        if missing:
            raise NotFound("no article with id " + ", ".join(map(str, missing)))
        return article_ids

    def mark_view_read(self, view: ArticleView) -> int:
        """Mark every unread article of a list read; `undo_mark_read` takes it back."""
        store = self._store()
        self._undo = store.unread_ids(view)
        store.set_read(self._undo, True)
        return len(self._undo)

    def undo_mark_read(self) -> int:
        undo, self._undo = self._undo, []
        return self._store().set_read(undo, False) if undo else 0

    def vacuum(
        self,
        *,
        keep_days: int | None = None,
        keep_per_feed: int | None = None,
        include_unread: bool = False,
        include_starred: bool = False,
    ) -> int:
        return self._store().vacuum(
            keep_days=keep_days,
            keep_per_feed=keep_per_feed,
            include_unread=include_unread,
            include_starred=include_starred,
        )

    # ------------------------------------------------------------ search

    def search(self, text: str, *, limit: int = 1000, snippets_for: int = 60) -> SearchResults:
        """Ranked results for a query in the search grammar (QueryError when it does
        not parse), with extracts for the first `snippets_for` of them."""
        query = parse_query(text, now=self._clock())
        store = self._store()
        hits = store.search(query, limit=limit)
        total = len(hits) if len(hits) < limit else store.count_matches(query)
        ids = [hit.article_id for hit in hits[:snippets_for]]
        snippets = store.snippets(query.match, ids) if query.match else {}
        return SearchResults(hits, total, query.terms, snippets)

    def saved_searches(self) -> list[SavedSearch]:
        return self._store().saved_searches()

    def save_search(self, name: str, text: str) -> int:
        """Keep a query under a name (replacing one of that name); QueryError if it is
        not a query, Refused if it is empty."""
        if not text.strip():
            raise Refused("type a search to save it")
        parse_query(text, now=self._clock())
        return self._store().save_search(name, text)

    def rename_search(self, search_id: int, name: str) -> None:
        try:
            self._store().rename_search(search_id, name)
        except ValueError as error:
            raise Refused(str(error)) from None

    def delete_search(self, search_id: int) -> None:
        self._store().delete_search(search_id)


def tags_from(values: Iterable[str]) -> tuple[str, ...]:
    """`--tag a --tag b,c` → ("a", "b", "c"), without blanks or repeats."""
    tags = (tag.strip() for value in values for tag in value.split(","))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _folded_blocks(folded: FoldedArticle, hint: str) -> Iterator[Block]:
    """Reader mode's blocks: the story's, and one line for each run folded away."""
    from tuinews.fold import Fold, fold_line
    from tuinews.render import Block, BlockKind

    for item in folded.items():
        yield Block(BlockKind.FOLDED, fold_line(item) + hint) if isinstance(item, Fold) else item

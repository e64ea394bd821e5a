"""Whole stories: fetch the pages articles link to and keep their main text.

A refresh stores each feed's articles first; then the pages of the articles that
want one (Store.wanted_pages: the feed's full_text setting, a short body) are
fetched through the same polite fetcher as feeds, one request at a time per site,
their main text extracted in the parser processes (extract.py), and each stored
with its article in one transaction. A page that fails leaves its article as it
was, says why on it, and is tried again later, not on every refresh.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuinews.clean import clean_line, clean_text
from tuinews.models import NotAnArticle, PageOutcome, PageProgress, PageRequest, PageText
from tuinews.parallel import Parsers
from tuinews.store import Store

if TYPE_CHECKING:
    from tuinews.fetch import FetchResult

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGES_PER_HOST = 1  # pages are many and sites small: one request at a time per site
PAGE_TIMEOUT = 20.0  # seconds for one page, redirects included: a slow site costs one page


@dataclass(frozen=True, slots=True)
class PageJob:
    """A fetched page, to extract in a worker process."""

    article_id: int
    url: str
    data: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class PageResult:
    outcome: PageOutcome
    page: PageText | None  # None: see outcome.error


def fetch_pages(
    store: Store,
    requests: Sequence[PageRequest],
    *,
    max_download_bytes: int,
    on_progress: Callable[[PageProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[PageOutcome]:
    """Fetch, extract and store the page of each request; one outcome each, in order.

    Like refresh_feeds: answers and extractions meet on one queue in this thread,
    which alone writes, and `cancel` stops it with RefreshCancelled. Extraction
    (40-60 ms of CPU a page, and trafilatura's memory) runs only in worker
    processes, never in this one, which may be the reader's.
    """
    from tuinews.fetch import BackgroundFetch, FetchRequest, FetchResult, FetchSettings

    outcomes: dict[int, PageOutcome] = {}
    events: queue.SimpleQueue = queue.SimpleQueue()
    parsers: Parsers[PageJob, PageResult] = Parsers(
        events, run_page_job, lambda job: len(job.data), here=False
    )
    parsers.expect(len(requests))

    def finish(outcome: PageOutcome, page: PageText | None) -> None:
        if page is not None:
            store.save_page(outcome.article_id, outcome.url, page)
        else:
            store.record_page_failure(
                outcome.article_id, outcome.url, outcome.error or "", outcome.retry_after
            )
        outcomes[outcome.article_id] = outcome
        if on_progress:
            on_progress(PageProgress(len(outcomes), len(requests), outcome))

    # The fetcher calls each request's id a feed id: here it is the article's.
    fetches = [FetchRequest(request.article_id, request.url) for request in requests]
    settings = FetchSettings(
        max_bytes=max_download_bytes,
        per_host=PAGES_PER_HOST,
        connect_timeout=min(PAGE_TIMEOUT, 10.0),
        total_timeout=PAGE_TIMEOUT,
    )
    urls = {request.article_id: request.url for request in requests}
    with (
        parsers,
        BackgroundFetch(fetches, settings, events.put, parsers.max_bodies) as fetch,
    ):
        parsers.await_answers(len(requests))
        for event in parsers.events(cancel):
            if isinstance(event, FetchResult):
                parsers.answered()
                arrived = _arrived(event, urls[event.feed_id])
                if isinstance(arrived, PageJob):
                    parsers.add(arrived)
                    continue
                if event.body is not None:  # a body refused unread gives its room back
                    fetch.body_done()
                finish(arrived, None)
                continue
            parsers.finished()
            fetch.body_done()
            finish(event.outcome, event.page)
    return [outcomes[request.article_id] for request in requests]


def _arrived(result: FetchResult, url: str) -> PageJob | PageOutcome:
    """A fetched page worth extracting, or why it is not."""
    if result.error:
        return PageOutcome(result.feed_id, url, result.error, result.retry_after)
    if result.body is None:  # no validators are sent, so no 304 is expected
        return PageOutcome(result.feed_id, url, "the site sent no page")
    media_type = (result.content_type or "").split(";")[0].strip().lower()
    if media_type and media_type not in PAGE_TYPES:
        return PageOutcome(result.feed_id, url, f"not a web page ({clean_line(media_type, 60)})")
    return PageJob(result.feed_id, url, result.body, result.content_type)


def run_page_job(job: PageJob) -> PageResult:
    """Extract one page's main text (runs in a worker process); failures become words."""
    from tuinews.extract import extract_page
    from tuinews.parse.article import html_to_search_text

    try:
        extracted = extract_page(job.data, job.url)
    except NotAnArticle as why:
        return _failed(job, str(why))
    except Exception as error:  # an extractor bug costs this page, not the others
        return _failed(job, f"could not read the page: {type(error).__name__}")
    text = clean_text(html_to_search_text(extracted.html))
    page = PageText(
        html=clean_text(extracted.html),
        text=text,
        author=clean_line(extracted.author, 200),
        image=extracted.image,
        published=extracted.published,
    )
    return PageResult(PageOutcome(job.article_id, job.url), page)


def _failed(job: PageJob, reason: str) -> PageResult:
    return PageResult(PageOutcome(job.article_id, job.url, clean_line(reason, 200)), None)

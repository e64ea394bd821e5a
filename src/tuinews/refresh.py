"""Refresh: bring sources into the library, fast when nothing changed.

The plan for each local source is made from `stat()` alone: a file whose size
and mtime did not change is not even opened. Web feeds are fetched with
conditional GETs in a thread of their own. Changed files and fetched bodies are
hashed (same bytes: no parse) and parsed, in parallel processes when there is
enough work, while this process writes each finished source in its own
transaction as soon as it is parsed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuinews.clean import clean_line
from tuinews.models import (
    Feed,
    NotAFeed,
    NotAnArticle,
    PagePolicy,
    ParsedArticle,
    ParsedFeed,
    SourceKind,
    SourceOutcome,
)
from tuinews.parallel import Parsers, RefreshCancelled
from tuinews.sources import ARTICLE_SUFFIXES
from tuinews.store import FetchState, FileState, Store

__all__ = ["Progress", "RefreshCancelled", "refresh_feeds"]

NOT_MODIFIED_BATCH = 100  # 304s stored together (see _WebFeeds.store_not_modified)

# The parsers (feedparser, markdown-it) and the process pool are imported where
# they are used: a refresh with nothing to parse never pays for loading them.
if TYPE_CHECKING:
    from tuinews.fetch import BackgroundFetch, FetchResult


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str  # for a folder: the name inside it; for a feed file: its absolute path
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class ImportJob:
    """Everything a worker process needs to read and parse one source's changed files."""

    feed_id: int
    kind: SourceKind
    location: str
    changed: tuple[FileStat, ...]
    known_digests: dict[str, str]
    max_bytes: int
    data: bytes | None = None  # a web feed's body, already fetched
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class JobResult:
    feed_id: int
    parsed: ParsedFeed | None  # None: every changed file had the same bytes as before
    files: tuple[FileState, ...]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    outcome: SourceOutcome


def refresh_feeds(
    store: Store,
    feeds: Sequence[Feed],
    *,
    max_bytes: int,
    max_download_bytes: int = 20 * 1024 * 1024,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
    cancel: threading.Event | None = None,
    pages: PagePolicy | None = None,
) -> list[SourceOutcome]:
    """Refresh `feeds` and return one outcome per feed, in the order given.

    With `pages`, a web feed's new articles that want their page get it queued
    (see pages.py, which fetches them). Setting `cancel` ends the refresh within
    parallel.CANCEL_CHECK seconds with RefreshCancelled, whatever the network is
    doing; each source stored by then stays stored.

    Everything meets in this thread, which alone writes: answers from the fetch
    thread and parsed sources (parsed here or in worker processes) arrive on one
    queue, so a web feed is parsed and stored while the others are still fetched.
    """
    known = store.all_file_states()
    outcomes: dict[int, SourceOutcome] = {}
    events: queue.SimpleQueue[FetchResult | JobResult | BaseException] = queue.SimpleQueue()
    parsers = Parsers(events, run_job, _job_size)

    def finish(outcome: SourceOutcome) -> None:
        outcomes[outcome.feed_id] = outcome
        if on_progress:
            on_progress(Progress(len(outcomes), len(feeds), outcome))

    unchanged: list[Feed] = []
    for feed in feeds:
        if feed.kind is SourceKind.URL:
            continue
        try:
            changed = _changed_files(feed, known.get(feed.id, {}))
        except OSError as error:
            message = _os_error_line(error)
            store.record_failure(feed.id, message)
            finish(SourceOutcome(feed.id, feed.source, feed.title, error=message))
            continue
        if not changed:
            unchanged.append(feed)
            continue
        digests = {path: state.digest for path, state in known.get(feed.id, {}).items()}
        parsers.add(ImportJob(feed.id, feed.kind, feed.source, changed, digests, max_bytes))
    store.record_checked([feed.id for feed in unchanged])
    for feed in unchanged:
        finish(SourceOutcome(feed.id, feed.source, feed.title, skipped=True))

    web = _WebFeeds(store, known, max_bytes, clock(), finish)
    due = web.due([feed for feed in feeds if feed.kind is SourceKind.URL])
    parsers.expect(sum(1 for feed in due if feed.id not in known))
    by_id = {feed.id: feed for feed in feeds}
    with (
        parsers,
        contextlib.closing(web),
        web.fetching(due, max_download_bytes, events.put, parsers.max_bodies) as fetch,
    ):
        parsers.await_answers(len(due))
        for event in parsers.events(cancel):
            if isinstance(event, JobResult):
                parsers.finished()
                fetch_state = web.bodies.pop(event.feed_id, None)
                if fetch_state is not None:
                    fetch.body_done()
                feed = by_id[event.feed_id]
                policy = pages if feed.kind is SourceKind.URL else None
                finish(_store_result(store, feed, event, fetch_state, policy))
                continue
            parsers.answered()
            if job := web.arrived(event):
                parsers.add(job)
    return [outcomes[feed.id] for feed in feeds]


class _WebFeeds:
    """What a refresh does with web feeds around the fetch itself.

    A 304 or an unchanged body costs no parsing. Retry-After and max-age push a
    feed's next fetch back; a permanent redirect moves the feed to its new URL.
    """

    def __init__(
        self,
        store: Store,
        known: dict[int, dict[str, FileState]],
        max_bytes: int,
        now: float,
        finish: Callable[[SourceOutcome], None],
    ) -> None:
        self._store = store
        self._known = known
        self._max_bytes = max_bytes
        self._now = now
        self._finish = finish
        self._states: dict[int, FetchState] = {}
        self._feeds: dict[int, Feed] = {}
        self._not_modified: dict[int, FetchState] = {}  # answered 304, not yet stored
        # Feeds whose fetched body is being parsed, with the validators it came with.
        self.bodies: dict[int, FetchState] = {}

    def due(self, feeds: list[Feed]) -> list[Feed]:
        """The feeds to fetch now; the others are finished with the site's wait."""
        if not feeds:
            return []
        self._states = self._store.fetch_states()
        due = []
        for feed in feeds:
            state = self._states.get(feed.id) or FetchState()
            if state.next_fetch_after is not None and state.next_fetch_after > self._now:
                wait = time.strftime("%H:%M", time.localtime(state.next_fetch_after))
                note = f"not fetched: the site asked to wait until {wait}"
                outcome = SourceOutcome(feed.id, feed.source, feed.title, skipped=True, note=note)
                self._finish(outcome)
            else:
                due.append(feed)
        self._feeds = {feed.id: feed for feed in due}
        return due

    def fetching(
        self,
        due: list[Feed],
        max_download_bytes: int,
        on_result: Callable[[FetchResult], None],
        max_bodies: int,
    ) -> contextlib.AbstractContextManager[BackgroundFetch | _NoFetch]:
        if not due:
            return contextlib.nullcontext(_NoFetch())
        from tuinews.fetch import BackgroundFetch, FetchRequest, FetchSettings

        requests = []
        for feed in due:
            state = self._states.get(feed.id) or FetchState()
            requests.append(FetchRequest(feed.id, feed.source, state.etag, state.last_modified))
        settings = FetchSettings(max_bytes=max_download_bytes)
        return BackgroundFetch(requests, settings, on_result, max_bodies)

    def close(self) -> None:
        self.store_not_modified()

    def store_not_modified(self) -> None:
        """The 304s so far, in one transaction: they change nothing a reader sees, and a
        refresh killed before they are stored loses nothing (the same validators go out
        again), so each need not cost a commit of its own."""
        if self._not_modified:
            self._store.record_checked(list(self._not_modified), fetch_states=self._not_modified)
            self._not_modified = {}

    def arrived(self, result: FetchResult) -> ImportJob | None:
        """Record one answer; a body that may have changed becomes a parse job."""
        store, feed = self._store, self._feeds[result.feed_id]
        wait_until = int(self._now + result.retry_after) if result.retry_after else None
        if result.new_url and store.move_feed(feed.id, result.new_url):  # forgets validators
            feed = dataclasses.replace(feed, source=result.new_url)
        if result.error:
            store.record_failure(feed.id, result.error, retry_at=wait_until)
            self._finish(SourceOutcome(feed.id, feed.source, feed.title, error=result.error))
            return None
        # fetch hands back the validators we sent when the answer is a 304
        fetch_state = FetchState(result.etag, result.last_modified, wait_until)
        if result.not_modified or result.body is None:
            self._not_modified[feed.id] = fetch_state
            if len(self._not_modified) >= NOT_MODIFIED_BATCH:
                self.store_not_modified()
            self._finish(SourceOutcome(feed.id, feed.source, feed.title, skipped=True))
            return None
        digests = {path: state.digest for path, state in self._known.get(feed.id, {}).items()}
        stat = FileStat(result.url, len(result.body), 0)
        self.bodies[feed.id] = fetch_state  # stored with the articles, never before them
        return ImportJob(feed.id, SourceKind.URL, feed.source, (stat,), digests, self._max_bytes,
                         data=result.body, content_type=result.content_type)  # fmt: skip


class _NoFetch:
    """Stands in for the fetch when no web feed is due: there is no body to give back."""

    def body_done(self) -> None:
        pass


def _changed_files(feed: Feed, known: dict[str, FileState]) -> tuple[FileStat, ...]:
    """The source's files whose size or mtime differ from what we stored."""
    if feed.kind is SourceKind.FILE:
        stats: Iterable[FileStat] = [_stat(feed.source, os.stat(feed.source))]
    else:
        stats = (
            _stat(entry.name, entry.stat())
            for entry in os.scandir(feed.source)
            if not entry.name.startswith(".")
            and Path(entry.name).suffix.lower() in ARTICLE_SUFFIXES
            and entry.is_file()
        )
    return tuple(
        stat
        for stat in stats
        if (state := known.get(stat.path)) is None
        or (state.size, state.mtime_ns) != (stat.size, stat.mtime_ns)
    )


def _stat(path: str, result: os.stat_result) -> FileStat:
    return FileStat(path, result.st_size, result.st_mtime_ns)


def _job_size(job: ImportJob) -> int:
    return sum(stat.size for stat in job.changed)


def run_job(job: ImportJob) -> JobResult:
    """Read, hash and parse one source's changed files (runs in a worker process).

    Any failure becomes the source's one-line error: one bad source never stops
    the refresh of the others.
    """
    from tuinews.parse.articlefile import parse_article_file
    from tuinews.parse.feeds import parse_document

    try:
        if job.kind is SourceKind.FOLDER:
            return _run_folder(job, parse_article_file)
        return _run_feed_file(job, parse_document)
    except NotAFeed as error:
        return JobResult(job.feed_id, None, (), error=str(error))
    except OSError as error:
        return JobResult(job.feed_id, None, (), error=_os_error_line(error))
    except Exception as error:  # a parser bug must not take the other sources down
        return JobResult(job.feed_id, None, (), error=f"could not read: {_error_line(error)}")


def _run_feed_file(
    job: ImportJob, parse_document: Callable[[bytes, str | None, str], ParsedFeed]
) -> JobResult:
    """One feed document: a local file read here, or a web body fetched already."""
    (stat,) = job.changed
    if job.data is None:
        data, state = _read(job.location, stat, job.max_bytes)
    else:
        data, state = job.data, FileState(stat.path, stat.size, 0, _digest(job.data))
    if job.known_digests.get(stat.path) == state.digest:
        return JobResult(job.feed_id, None, (state,))
    document_url = job.location if job.kind is SourceKind.URL else ""
    return JobResult(job.feed_id, parse_document(data, job.content_type, document_url), (state,))


def _run_folder(
    job: ImportJob, parse_article_file: Callable[[str, bytes, int], ParsedArticle]
) -> JobResult:
    """A folder's changed files. A file that is no article is named in the warning and
    its state not kept, so it is looked at again and named again until it changes."""
    folder = Path(job.location)
    articles: list[ParsedArticle] = []
    states: list[FileState] = []
    problems: list[str] = []
    no_articles: dict[str, list[str]] = {}  # why ("not text", "empty") → file names
    for stat in job.changed:
        try:
            data, state = _read(folder / stat.path, stat, job.max_bytes)
        except OSError as error:
            problems.append(f"{stat.path}: {_os_error_line(error)}")
            continue
        except NotAFeed as too_large:  # one big file must not keep the others out
            problems.append(f"{stat.path}: {too_large}")
            continue
        if job.known_digests.get(stat.path) != state.digest:
            try:
                articles.append(parse_article_file(stat.path, data, stat.mtime_ns // 1_000_000_000))
            except NotAnArticle as why:
                no_articles.setdefault(str(why), []).append(stat.path)
                continue
        states.append(state)
    if not articles and not problems and not no_articles:
        return JobResult(job.feed_id, None, tuple(states))
    warning = _skipped_files_warning(problems, no_articles)
    parsed = ParsedFeed(title=folder.name, site_url="", articles=tuple(articles), warning=warning)
    return JobResult(job.feed_id, parsed, tuple(states))


def _skipped_files_warning(problems: list[str], no_articles: dict[str, list[str]]) -> str | None:
    """One line: "skipped 2 files that are not text: a.txt, b.txt; skipped 1 file ..."."""
    parts = [f"skipped {len(problems)} file(s): " + "; ".join(problems)] if problems else []
    for why, names in no_articles.items():
        count = "1 file that is" if len(names) == 1 else f"{len(names)} files that are"
        parts.append(f"skipped {count} {why}: {_some_names(sorted(names))}")
    return clean_line("; ".join(parts), 2000) if parts else None


def _some_names(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _read(path: str | Path, stat: FileStat, max_bytes: int) -> tuple[bytes, FileState]:
    """Read at most max_bytes: a larger file is refused, not truncated into a broken parse."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotAFeed(f"file larger than {max_bytes // (1024 * 1024)} MB, not read")
    return data, FileState(stat.path, stat.size, stat.mtime_ns, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _store_result(
    store: Store,
    feed: Feed,
    result: JobResult,
    fetch_state: FetchState | None,
    pages: PagePolicy | None,
) -> SourceOutcome:
    """One source's result in one transaction: its articles, what they were read
    under (file states, web validators) and its outcome go in together or not at all."""
    if result.error:
        retry_at = fetch_state.next_fetch_after if fetch_state else None
        store.record_failure(feed.id, result.error, retry_at=retry_at)
        return SourceOutcome(feed.id, feed.source, feed.title, error=result.error)
    if result.parsed is None:
        states = {feed.id: fetch_state} if fetch_state else None
        store.record_checked([feed.id], result.files, states)
        return SourceOutcome(feed.id, feed.source, feed.title, skipped=True)
    counts = store.save_import(feed.id, result.parsed, result.files, fetch_state, pages)
    stored = store.feed(feed.id)  # the import may have given it its title
    title = stored.title if stored else feed.title
    return SourceOutcome(
        feed.id,
        feed.source,
        title,
        added=counts.added,
        updated=counts.updated,
        warning=result.parsed.warning,
    )


def _os_error_line(error: OSError) -> str:
    reason = error.strerror or str(error)
    return clean_line(f"cannot read: {reason}".lower(), 200)


def _error_line(error: Exception) -> str:
    return clean_line(f"{type(error).__name__}: {error}", 200)

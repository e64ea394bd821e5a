"""Refresh: bring local sources into the library, fast when nothing changed.

The plan for each source is made from `stat()` alone: a file whose size and
mtime did not change is not even opened. Changed files are read, hashed (same
bytes: no parse) and parsed, in parallel processes when there is enough work,
while this process writes each finished source in its own transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuinews.clean import clean_line
from tuinews.models import Feed, NotAFeed, ParsedArticle, ParsedFeed, SourceKind, SourceOutcome
from tuinews.sources import ARTICLE_SUFFIXES
from tuinews.store import FetchState, FileState, Store

# The parsers (feedparser, markdown-it) and the process pool are imported where
# they are used: a refresh with nothing to parse never pays for loading them.
if TYPE_CHECKING:
    from concurrent.futures import Executor

# Below this much changed data, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD_BYTES = 2 * 1024 * 1024


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
) -> list[SourceOutcome]:
    """Refresh `feeds` and return one outcome per feed, in the order given."""
    known = store.all_file_states()
    outcomes: dict[int, SourceOutcome] = {}
    jobs: list[ImportJob] = []
    unchanged: list[Feed] = []

    def finish(outcome: SourceOutcome) -> None:
        outcomes[outcome.feed_id] = outcome
        if on_progress:
            on_progress(Progress(len(outcomes), len(feeds), outcome))

    web = [feed for feed in feeds if feed.kind is SourceKind.URL]
    if web:
        jobs.extend(_fetch_web(store, web, known, max_download_bytes, clock(), finish))

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
        jobs.append(ImportJob(feed.id, feed.kind, feed.source, changed, digests, max_bytes))

    store.record_checked([feed.id for feed in unchanged])
    for feed in unchanged:
        finish(SourceOutcome(feed.id, feed.source, feed.title, skipped=True))

    by_id = {feed.id: feed for feed in feeds}
    for result in _run_jobs(jobs):
        finish(_store_result(store, by_id[result.feed_id], result))
    return [outcomes[feed.id] for feed in feeds]


def _fetch_web(
    store: Store,
    feeds: list[Feed],
    known: dict[int, dict[str, FileState]],
    max_bytes: int,
    now: float,
    finish: Callable[[SourceOutcome], None],
) -> list[ImportJob]:
    """Fetch the web feeds that are due; bodies become parse jobs, the rest are
    finished as each answer arrives (so progress moves during the fetch).

    A 304 or an unchanged body costs no parsing. Retry-After and max-age push a
    feed's next fetch back; a permanent redirect moves the feed to its new URL.
    """
    from tuinews.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all_sync

    states = store.fetch_states()
    jobs: list[ImportJob] = []
    due = []
    for feed in feeds:
        state = states.get(feed.id) or FetchState()
        if state.next_fetch_after is not None and state.next_fetch_after > now:
            wait = time.strftime("%H:%M", time.localtime(state.next_fetch_after))
            note = f"not fetched: the site asked to wait until {wait}"
            finish(SourceOutcome(feed.id, feed.source, feed.title, skipped=True, note=note))
        else:
            due.append(feed)
    by_id = {feed.id: feed for feed in due}

    def arrived(result: FetchResult) -> None:
        feed = by_id[result.feed_id]
        wait_until = int(now + result.retry_after) if result.retry_after else None
        if result.new_url and store.move_feed(feed.id, result.new_url):
            feed = dataclasses.replace(feed, source=result.new_url)
        if result.error:
            old = states.get(feed.id) or FetchState()
            store.record_failure(feed.id, result.error)
            store.save_fetch_state(feed.id, dataclasses.replace(old, next_fetch_after=wait_until))
            finish(SourceOutcome(feed.id, feed.source, feed.title, error=result.error))
            return
        # fetch hands back the validators we sent when the answer is a 304
        store.save_fetch_state(feed.id, FetchState(result.etag, result.last_modified, wait_until))
        if result.not_modified or result.body is None:
            store.record_checked([feed.id])
            finish(SourceOutcome(feed.id, feed.source, feed.title, skipped=True))
            return
        digests = {path: state.digest for path, state in known.get(feed.id, {}).items()}
        stat = FileStat(result.url, len(result.body), 0)
        jobs.append(
            ImportJob(feed.id, SourceKind.URL, feed.source, (stat,), digests, max_bytes,
                      data=result.body, content_type=result.content_type)
        )  # fmt: skip

    requests = [
        FetchRequest(f.id, f.source, states.get(f.id, FetchState()).etag,
                     states.get(f.id, FetchState()).last_modified)
        for f in due
    ]  # fmt: skip
    fetch_all_sync(requests, FetchSettings(max_bytes=max_bytes), on_result=arrived)
    return jobs


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


def _run_jobs(jobs: list[ImportJob]) -> Iterator[JobResult]:
    """Parse in worker processes when there is enough work for them, else here.

    One core stays with this process, which writes: on two cores, one parser
    and one writer beat two parsers and a writer taking turns.
    """
    cores = os.cpu_count() or 1
    workers = min(len(jobs), max(cores - 1, 1))
    changed_bytes = sum(stat.size for job in jobs for stat in job.changed)
    if cores < 2 or len(jobs) < 2 or changed_bytes < PARALLEL_THRESHOLD_BYTES:
        yield from map(run_job, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: never fork a process that may be running TUI threads.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from _bounded_map(pool, jobs, in_flight=workers * 2)


def _bounded_map(pool: Executor, jobs: list[ImportJob], in_flight: int) -> Iterator[JobResult]:
    """Results in completion order, with few parsed sources held in memory at once."""
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    pending: set[Future[JobResult]] = set()
    queue = iter(jobs)
    for job in queue:
        pending.add(pool.submit(run_job, job))
        if len(pending) >= in_flight:
            break
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            next_job = next(queue, None)
            if next_job is not None:
                pending.add(pool.submit(run_job, next_job))
            yield future.result()


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
    job: ImportJob, parse_document: Callable[[bytes, str | None], ParsedFeed]
) -> JobResult:
    """One feed document: a local file read here, or a web body fetched already."""
    (stat,) = job.changed
    if job.data is None:
        data, state = _read(job.location, stat, job.max_bytes)
    else:
        data, state = job.data, FileState(stat.path, stat.size, 0, _digest(job.data))
    if job.known_digests.get(stat.path) == state.digest:
        return JobResult(job.feed_id, None, (state,))
    return JobResult(job.feed_id, parse_document(data, job.content_type), (state,))


def _run_folder(
    job: ImportJob, parse_article_file: Callable[[str, bytes, int], ParsedArticle]
) -> JobResult:
    folder = Path(job.location)
    articles: list[ParsedArticle] = []
    states: list[FileState] = []
    problems: list[str] = []
    for stat in job.changed:
        try:
            data, state = _read(folder / stat.path, stat, job.max_bytes)
        except OSError as error:
            problems.append(f"{stat.path}: {_os_error_line(error)}")
            continue
        states.append(state)
        if job.known_digests.get(stat.path) != state.digest:
            articles.append(parse_article_file(stat.path, data, stat.mtime_ns // 1_000_000_000))
    if not articles and not problems:
        return JobResult(job.feed_id, None, tuple(states))
    warning = f"skipped {len(problems)} file(s): " + "; ".join(problems) if problems else None
    parsed = ParsedFeed(title=folder.name, site_url="", articles=tuple(articles), warning=warning)
    return JobResult(job.feed_id, parsed, tuple(states))


def _read(path: str | Path, stat: FileStat, max_bytes: int) -> tuple[bytes, FileState]:
    """Read at most max_bytes: a larger file is refused, not truncated into a broken parse."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotAFeed(f"file larger than {max_bytes // (1024 * 1024)} MB, not read")
    return data, FileState(stat.path, stat.size, stat.mtime_ns, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _store_result(store: Store, feed: Feed, result: JobResult) -> SourceOutcome:
    if result.error:
        store.record_failure(feed.id, result.error)
        return SourceOutcome(feed.id, feed.source, feed.title, error=result.error)
    if result.parsed is None:
        store.save_file_states(feed.id, result.files)
        store.record_checked([feed.id])
        return SourceOutcome(feed.id, feed.source, feed.title, skipped=True)
    counts = store.save_import(feed.id, result.parsed, result.files)
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

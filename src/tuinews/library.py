"""Adding sources to the library: the one path used by `add`, OPML import and the TUI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuinews import urls
from tuinews.models import HTML_PAGE_NOT_A_FEED, Feed, SourceOutcome
from tuinews.refresh import Progress, refresh_feeds
from tuinews.resources import bundled
from tuinews.sources import BadSource, classify_source
from tuinews.store import FeedExists, Store


@dataclass(frozen=True, slots=True)
class SourceRequest:
    source: str
    title: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddResult:
    request: SourceRequest
    feed: Feed | None = None  # None when the source was refused
    outcome: SourceOutcome | None = None  # the first import
    error: str | None = None  # why it was refused
    discovered: tuple[str, ...] = ()  # feeds a web page pointed to; the first was taken


def add_sources(
    store: Store,
    requests: Sequence[SourceRequest],
    *,
    max_bytes: int,
    max_download_bytes: int = 20 * 1024 * 1024,
    base: Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> list[AddResult]:
    """Add every acceptable source, then import them all together (in parallel)."""
    added: list[tuple[SourceRequest, int]] = []
    results: dict[int, AddResult] = {}
    for position, request in enumerate(requests):
        try:
            source = classify_source(request.source, base)
            feed_id = store.add_feed(
                source.location, source.kind, title=request.title, tags=request.tags
            )
        except (BadSource, FeedExists) as error:
            results[position] = AddResult(request, error=str(error))
            continue
        added.append((request, feed_id))
        results[position] = AddResult(request)

    feeds = [feed for _, feed_id in added if (feed := store.feed(feed_id))]
    refreshed = refresh_feeds(
        store,
        feeds,
        max_bytes=max_bytes,
        max_download_bytes=max_download_bytes,
        on_progress=on_progress,
    )
    outcomes = {outcome.feed_id: outcome for outcome in refreshed}
    positions = [p for p, result in results.items() if result.error is None]
    for position, (request, feed_id) in zip(positions, added, strict=True):
        outcome, discovered = outcomes.get(feed_id), ()
        is_web = urls.is_web_url(outcome.source) if outcome else False
        if outcome and is_web and outcome.error == HTML_PAGE_NOT_A_FEED:
            outcome, discovered = _follow_discovery(store, outcome, max_bytes, max_download_bytes)
        results[position] = AddResult(request, store.feed(feed_id), outcome, discovered=discovered)
    return [results[position] for position in range(len(requests))]


def _follow_discovery(
    store: Store, outcome: SourceOutcome, max_bytes: int, max_download_bytes: int
) -> tuple[SourceOutcome, tuple[str, ...]]:
    """A web page was added: take the first feed it announces, if it announces one."""
    from tuinews.fetch import FetchRequest, FetchSettings, fetch_all_sync
    from tuinews.parse.discover import discover_feeds

    settings = FetchSettings(max_bytes=max_download_bytes)
    (page,) = fetch_all_sync([FetchRequest(outcome.feed_id, outcome.source)], settings)
    candidates = tuple(discover_feeds(page.body or b"", outcome.source))
    if not candidates or not store.move_feed(outcome.feed_id, candidates[0]):
        return outcome, candidates
    feed = store.feed(outcome.feed_id)
    (found,) = refresh_feeds(
        store, [feed], max_bytes=max_bytes, max_download_bytes=max_download_bytes
    )
    return found, candidates


def import_samples_if_empty(store: Store, *, max_bytes: int) -> list[AddResult]:
    """First run: an empty library gets the bundled samples, so there is something to read."""
    if store.feeds():
        return []
    samples = bundled("sample_feeds")
    requests = [
        SourceRequest(str(path), tags=("samples",))
        for path in sorted(samples.iterdir())
        if not path.name.startswith(".")
    ]
    return add_sources(store, requests, max_bytes=max_bytes)


def tags_from(values: Iterable[str]) -> tuple[str, ...]:
    """`--tag a --tag b,c` → ("a", "b", "c"), without blanks or repeats."""
    tags = (tag.strip() for value in values for tag in value.split(","))
    return tuple(dict.fromkeys(tag for tag in tags if tag))

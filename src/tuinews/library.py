"""Adding sources to the library: the one path used by `add`, OPML import and the TUI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuinews.models import Feed, SourceOutcome
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
    outcome: SourceOutcome | None = None  # the import of a local source
    error: str | None = None  # why it was refused


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
        results[position] = AddResult(request, store.feed(feed_id), outcomes.get(feed_id))
    return [results[position] for position in range(len(requests))]


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

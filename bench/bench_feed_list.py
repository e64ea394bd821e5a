"""Feed list benchmark: does showing the feed list cost the same at any number of feeds?

The feed list is a virtual list (Line API): only the rows on screen are drawn. This
script builds the FeedList widget alone in a headless 120x40 app and, for each feed
count, times

1. `show()` of the whole list plus the repaint that follows (the first paint, and
   every rebuild after a refresh);
2. the counts of 50 feeds changing (what a refresh shows as its feeds finish) plus
   the repaint.

Each figure is the median of --runs runs and includes one `pilot.pause()` (Textual's
wait for the screen to be refreshed), which is most of it when the list is flat.

Usage:
  python bench/bench_feed_list.py                       # 1,000 5,000 and 20,000 feeds
  python bench/bench_feed_list.py --feeds 1000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.app import App, ComposeResult
from tuinews.models import Feed, SourceKind, SourceOutcome
from tuinews.ui.feed_list import FeedList


def make_feeds(count: int) -> list[Feed]:
    """Feeds in 20 tag groups and one untagged group, a few with unread articles."""
    return [
        Feed(
            id=number,
            source=f"https://feed{number}.example/rss",
            kind=SourceKind.URL,
            title=f"Feed number {number} with a longish title",
            tags=(f"tag{number % 20}",) if number % 3 else (),
            unread=number % 7,
            total=10,
            last_attempt=None,
            last_success=None,
            last_error=None,
        )
        for number in range(1, count + 1)
    ]


class FeedListOnly(App[None]):
    CSS = "FeedList { width: 28; height: 100%; }"

    def compose(self) -> ComposeResult:
        yield FeedList()


async def measure(count: int, runs: int) -> tuple[float, float]:
    feeds = make_feeds(count)
    finished = [SourceOutcome(feed.id, feed.source, feed.title, added=1) for feed in feeds[:50]]
    shown, updated = [], []
    app = FeedListOnly()
    async with app.run_test(size=(120, 40)) as pilot:
        feed_list = app.query_one(FeedList)
        for _ in range(runs):
            start = time.perf_counter()
            feed_list.show(feeds, starred=3)
            await pilot.pause()
            shown.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            feed_list.sources_refreshed(finished)
            await pilot.pause()
            updated.append((time.perf_counter() - start) * 1000)
    return statistics.median(shown), statistics.median(updated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", default="1000,5000,20000", help="comma-separated counts")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'feeds':>8}  {'show + paint':>14}  {'50 counts + paint':>18}   (medians of {args.runs})"
    )
    for count in (int(text) for text in args.feeds.split(",")):
        shown, updated = asyncio.run(measure(count, args.runs))
        print(f"{count:>8,}  {shown:>11.1f} ms  {updated:>15.1f} ms")


if __name__ == "__main__":
    main()

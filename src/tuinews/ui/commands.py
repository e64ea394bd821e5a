"""Command palette (ctrl+p): the main actions and "go to feed …".

Feed titles are strangers' text: the palette shows them as Text built here,
never through Matcher.highlight (which parses its argument as markup).
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider

from tuinews.clean import clean_line

ACTIONS = [
    ("Refresh all feeds", "refresh(True)", "Re-read every source"),
    ("Refresh this feed", "refresh(False)", "Re-read the selected feed"),
    ("Add a feed", "add_source", "A feed URL, a feed file or a folder of articles"),
    ("Delete this feed", "delete_feed", "Starred articles are kept"),
    ("Mark all read", "mark_view_read", "Every article in this list (u undoes)"),
    ("Next unread article", "next_unread", "Across feeds"),
    ("Search", "focus_search", "Focus the search bar"),
    ("Save this search", "save_search", "Keep the query in the bar as a smart feed"),
    ("Rename saved search", "rename_search", "The one selected in the feed list"),
    ("Keys", "help", "Every key binding"),
    (
        "Whole stories for this feed: always",
        "feed_full_text('always')",
        "Fetch the page of every article of the selected feed, including those already in",
    ),
    (
        "Whole stories for this feed: auto",
        "feed_full_text('auto')",
        "Fetch the page when an article carries only a summary",
    ),
    ("Whole stories for this feed: never", "feed_full_text('never')", "Keep the feed's own text"),
    (
        "Whole stories for this feed: as the config says",
        "feed_full_text('')",
        "[feeds] full_text in config.toml",
    ),
]


class TuinewsCommands(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in ACTIONS:
            if (score := matcher.match(title)) > 0:
                yield Hit(
                    score,
                    Text(title),
                    partial(self.app.run_action, action),
                    text=title,
                    help=help_text,
                )
        for feed_id, feed_title in self.app.feed_titles():
            title = clean_line(feed_title, 200)
            candidate = f"Go to feed {title}"
            if (score := matcher.match(candidate)) > 0:
                yield Hit(
                    score,
                    Text.assemble("Go to feed ", (title, "bold")),
                    partial(self.app.go_to_feed, feed_id),
                    text=candidate,
                )

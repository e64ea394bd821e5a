"""The feed list: All / Unread / Starred, then feeds grouped under their first tag."""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuinews.clean import clean_line
from tuinews.models import ArticleRow, ArticleView, Feed, SavedSearch, SourceOutcome

ALL = ArticleView()
UNREAD = ArticleView(unread=True)
STARRED = ArticleView(starred=True)


class FeedList(OptionList):
    """Option ids: "all", "unread", "starred", "feed-<id>" and "search-<id>"."""

    unread: dict[str, int]  # option id → unread articles, for "next unread"
    titles: list[tuple[int, str]]  # (feed id, title), for "go to feed"
    searches: dict[str, SavedSearch]  # option id → saved search

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="feeds_down"),
        Binding("k", "cursor_up", "Up", show=False, id="feeds_up"),
        Binding("g", "first", "Top", show=False, id="feeds_top"),
        Binding("G", "last", "Bottom", show=False, id="feeds_bottom"),
    ]

    def show(
        self,
        feeds: list[Feed],
        *,
        starred: int,
        searches: list[tuple[SavedSearch, int | None]] = (),
        keep: str | None = None,
    ) -> None:
        """Rebuild the list from `feeds` and saved `searches` (with their unread counts,
        None when the query no longer parses), keeping the highlight on option `keep`."""
        self._searches_shown = searches
        self._feeds = {feed.id: feed for feed in feeds}
        self._starred = starred
        groups: dict[str, list[Feed]] = {}
        for feed in feeds:
            groups.setdefault(feed.tags[0] if feed.tags else "", []).append(feed)
        # At most this many lines: the entries, a divider and a heading per group.
        self._most_lines = 3 + len(feeds) + 2 * len(groups) + (len(searches) + 2 if searches else 0)
        self._width = self._label_width()
        options: list[Option | None] = [
            Option(self._all_entry(), id="all"),
            Option(self._unread_entry(), id="unread"),
            Option(self._entry("Starred", starred), id="starred"),
        ]
        self.searches = {f"search-{search.id}": search for search, _ in searches}
        if searches:
            options.append(None)
            options.append(Option(Text("Saved searches", style="bold dim"), disabled=True))
            options.extend(
                Option(self._search_entry(search, unread), id=f"search-{search.id}")
                for search, unread in searches
            )
        for tag in sorted(groups, key=lambda name: (name == "", name.lower())):
            options.append(None)
            if tag:
                options.append(Option(Text(clean_line(tag, 100), style="bold dim"), disabled=True))
            options.extend(
                Option(self._feed_entry(feed), id=f"feed-{feed.id}") for feed in groups[tag]
            )
        self.unread = {f"feed-{feed.id}": feed.unread for feed in feeds}
        self.titles = [(feed.id, feed.title) for feed in feeds]
        self.clear_options()
        self.add_options(options)
        ids = [option.id for option in self.options]
        self.highlighted = ids.index(keep) if keep in ids else 0

    def article_changed(self, before: ArticleRow, after: ArticleRow) -> None:
        """One article was read/unread or (un)starred: update just the counts it moves.

        Rebuilding the list costs ~40 ms at 1,000 feeds, too much for every j.
        """
        feed = self._feeds.get(after.feed_id) if after.feed_id is not None else None
        read_delta = int(before.read) - int(after.read)
        if feed is not None and read_delta:
            feed = dataclasses.replace(feed, unread=feed.unread + read_delta)
            self._feeds[feed.id] = feed
            self.unread[f"feed-{feed.id}"] = feed.unread
            self.replace_option_prompt(f"feed-{feed.id}", self._feed_entry(feed))
            self.replace_option_prompt("unread", self._unread_entry())
        if before.starred != after.starred:
            self._starred += 1 if after.starred else -1
            self.replace_option_prompt("starred", self._entry("Starred", self._starred))

    def sources_refreshed(self, outcomes: list[SourceOutcome]) -> None:
        """Feeds of a running refresh are done: show their titles, counts and error marks
        in place (the list is rebuilt, in order, when the refresh ends)."""
        added = 0
        for outcome in outcomes:
            feed = self._feeds.get(outcome.feed_id)
            if feed is None or outcome.skipped:
                continue
            feed = dataclasses.replace(
                feed,
                title=outcome.title,
                unread=feed.unread + outcome.added,
                total=feed.total + outcome.added,
                last_error=outcome.error or outcome.warning,
            )
            self._feeds[feed.id] = feed
            self.unread[f"feed-{feed.id}"] = feed.unread
            self.replace_option_prompt(f"feed-{feed.id}", self._feed_entry(feed))
            added += outcome.added
        if added:
            self.replace_option_prompt("all", self._all_entry())
            self.replace_option_prompt("unread", self._unread_entry())

    def on_resize(self, event: events.Resize) -> None:
        """Titles are cut to fit beside their counts: cut them again for the new width."""
        if hasattr(self, "_feeds") and self._label_width() != self._width:
            current = self.highlighted_option
            with self.prevent(OptionList.OptionHighlighted):
                self.show(
                    list(self._feeds.values()),
                    starred=self._starred,
                    searches=self._searches_shown,
                    keep=current and current.id,
                )

    def _label_width(self) -> int:
        """Cells for an option's text: a long title must not push its count to a new line.

        Room is kept for the scrollbar when the entries will need one (it appears only
        once they are in)."""
        padding = self.get_component_styles("option-list--option").padding
        scrolls = self._most_lines > self.content_region.height
        scrollbar = self.styles.scrollbar_size_vertical if scrolls else 0
        return max(self.content_region.width - scrollbar - padding.width, 0)

    def _all_entry(self) -> Text:
        return self._entry("All articles", sum(feed.total for feed in self._feeds.values()))

    def _unread_entry(self) -> Text:
        return self._entry("Unread", sum(feed.unread for feed in self._feeds.values()))

    def _entry(self, label: str, count: int) -> Text:
        return _fit(Text(), Text(label, style="bold"), count, self._width)

    def _search_entry(self, search: SavedSearch, unread: int | None) -> Text:
        prefix = Text("  ⌕ ")
        if unread is None:
            prefix.append("! ", style="bold red")
        name = Text(clean_line(search.name, 200), style="bold" if unread else "")
        return _fit(prefix, name, unread or 0, self._width)

    def _feed_entry(self, feed: Feed) -> Text:
        """A feed's title (never markup), unread count, and a mark when its last refresh failed."""
        prefix = Text("  " if feed.tags else "")
        if feed.last_error:
            prefix.append("! ", style="bold red")
        title = Text(clean_line(feed.title, 200), style="bold" if feed.unread else "")
        return _fit(prefix, title, feed.unread, self._width)

    def feed_at(self, option_id: str | None) -> Feed | None:
        """The feed an option stands for; None for the other entries."""
        if not option_id or not option_id.startswith("feed-"):
            return None
        return self._feeds.get(int(option_id.removeprefix("feed-")))

    @staticmethod
    def view_of(option_id: str) -> ArticleView | None:
        """The list an option shows; None for a saved search (it runs a query)."""
        if option_id.startswith("search-"):
            return None
        if option_id.startswith("feed-"):
            return ArticleView(feed_id=int(option_id.removeprefix("feed-")))
        return {"all": ALL, "unread": UNREAD, "starred": STARRED}[option_id]


def _fit(prefix: Text, label: Text, count: int, width: int) -> Text:
    """prefix + label + count on one line of `width` cells, counts in a right-hand column:
    the label gives way, with an ellipsis, so the count always shows (with no width
    yet, nothing is cut)."""
    suffix = f"  {count}" if count else ""
    if width:
        room = max(width - prefix.cell_len - len(suffix), 1)
        label.truncate(room, overflow="ellipsis", pad=bool(suffix))
    line = Text.assemble(prefix, label, no_wrap=True, overflow="ellipsis")
    if suffix:
        line.append(suffix, style="dim")
    return line

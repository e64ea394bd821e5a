"""The feed list: All / Unread / Starred, saved searches, then feeds grouped under their
first tag.

Like the article list, it is one ScrollView on the Line API: it keeps one cheap
entry per row (an entry id, a heading or a divider) and builds the text of a row
only when that row is drawn, at the width it is drawn at. A library of 5,000
feeds costs a list of 5,000 ids, not 5,000 measured widgets, and a count that
changes redraws its row, not the list.
"""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuinews.models import ArticleRow, ArticleView, Feed, SavedSearch, SourceOutcome
from tuinews.render import cell_width
from tuinews.ui.richtext import fitted, shown

ALL = ArticleView()
UNREAD = ArticleView(unread=True)
STARRED = ArticleView(starred=True)

# A row is an entry id (the cursor stops there), a heading, or DIVIDER (a blank row).
DIVIDER = None
Row = str | Text | None


class FeedList(ScrollView, can_focus=True):
    """Entry ids: "all", "unread", "starred", "feed-<id>" and "search-<id>"."""

    unread: dict[str, int]  # entry id → unread articles, for "next unread"
    titles: list[tuple[int, str]]  # (feed id, title), for "go to feed"
    searches: dict[str, SavedSearch]  # entry id → saved search

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="feeds_down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="feeds_up"),
        Binding("g,home", "jump(0)", "Top", show=False, id="feeds_top"),
        Binding("G,end", "jump(-1)", "Bottom", show=False, id="feeds_bottom"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="feeds_page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="feeds_page_up"),
        Binding("enter", "open", "Go to its articles", show=False, id="feeds_open"),
    ]
    COMPONENT_CLASSES = {"feed-list--cursor"}

    class Highlighted(Message):
        """The user moved the cursor to an entry: show its articles."""

        def __init__(self, entry_id: str) -> None:
            self.entry_id = entry_id
            super().__init__()

    class Selected(Message):
        """enter (or a click) on an entry: go to its articles."""

        def __init__(self, entry_id: str) -> None:
            self.entry_id = entry_id
            super().__init__()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.unread, self.titles, self.searches = {}, [], {}
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}  # entry id → its row
        self._cursor = 0
        self._feeds: dict[int, Feed] = {}
        self._search_unread: dict[str, int | None] = {}
        self._total = self._unread_total = self._starred = 0

    # ------------------------------------------------------------ content

    @property
    def entry_ids(self) -> list[str]:
        """The entries the cursor can stop on, top to bottom."""
        return list(self._index)

    @property
    def highlighted_id(self) -> str | None:
        row = self._rows[self._cursor] if self._cursor < len(self._rows) else None
        return row if isinstance(row, str) else None

    def show(
        self,
        feeds: list[Feed],
        *,
        starred: int,
        searches: list[tuple[SavedSearch, int | None]] = (),
        keep: str | None = None,
    ) -> None:
        """Rebuild the list from `feeds` and saved `searches` (with their unread counts,
        None when the query no longer parses), keeping the cursor on entry `keep`
        (quietly: the caller knows what it shows)."""
        self._feeds = {feed.id: feed for feed in feeds}
        self._starred = starred
        self._total = sum(feed.total for feed in feeds)
        self._unread_total = sum(feed.unread for feed in feeds)
        self._search_unread = {f"search-{search.id}": unread for search, unread in searches}
        self.searches = {f"search-{search.id}": search for search, _ in searches}
        self.unread = {f"feed-{feed.id}": feed.unread for feed in feeds}
        self.titles = [(feed.id, feed.title) for feed in feeds]
        rows: list[Row] = ["all", "unread", "starred"]
        if searches:
            rows += [DIVIDER, Text("Saved searches", style="bold dim"), *self._search_unread]
        groups: dict[str, list[str]] = {}
        for feed in feeds:
            groups.setdefault(feed.tags[0] if feed.tags else "", []).append(f"feed-{feed.id}")
        for tag in sorted(groups, key=lambda name: (name == "", name.lower())):
            rows.append(DIVIDER)
            if tag:
                rows.append(Text(shown(tag, 100), style="bold dim"))
            rows += groups[tag]
        self._rows = rows
        self._index = {row: y for y, row in enumerate(rows) if isinstance(row, str)}
        self.virtual_size = Size(0, len(rows))
        self._move(self._index.get(keep or "", 0), quiet=True)
        self.refresh()

    def article_changed(self, before: ArticleRow, after: ArticleRow) -> None:
        """One article was read/unread or (un)starred: redraw just the counts it moves."""
        feed = self._feeds.get(after.feed_id) if after.feed_id is not None else None
        read_delta = int(before.read) - int(after.read)
        if feed is not None and read_delta:
            self._set_feed(dataclasses.replace(feed, unread=feed.unread + read_delta))
            self._unread_total += read_delta
            self._refresh_entry("unread")
        if before.starred != after.starred:
            self._starred += 1 if after.starred else -1
            self._refresh_entry("starred")

    def sources_refreshed(self, outcomes: list[SourceOutcome]) -> None:
        """Feeds of a running refresh are done: show their titles, counts and error marks
        in place (the list is rebuilt, in order, when the refresh ends)."""
        added = 0
        for outcome in outcomes:
            feed = self._feeds.get(outcome.feed_id)
            if feed is None or outcome.skipped:
                continue
            self._set_feed(
                dataclasses.replace(
                    feed,
                    title=outcome.title,
                    unread=feed.unread + outcome.added,
                    total=feed.total + outcome.added,
                    last_error=outcome.error or outcome.warning,
                )
            )
            added += outcome.added
        if added:
            self._total += added
            self._unread_total += added
            self._refresh_entry("all")
            self._refresh_entry("unread")

    def _set_feed(self, feed: Feed) -> None:
        self._feeds[feed.id] = feed
        self.unread[f"feed-{feed.id}"] = feed.unread
        self._refresh_entry(f"feed-{feed.id}")

    def feed_at(self, entry_id: str | None) -> Feed | None:
        """The feed an entry stands for; None for the other entries."""
        if not entry_id or not entry_id.startswith("feed-"):
            return None
        return self._feeds.get(int(entry_id.removeprefix("feed-")))

    @staticmethod
    def view_of(entry_id: str) -> ArticleView | None:
        """The list an entry shows; None for a saved search (it runs a query)."""
        if entry_id.startswith("search-"):
            return None
        if entry_id.startswith("feed-"):
            return ArticleView(feed_id=int(entry_id.removeprefix("feed-")))
        return {"all": ALL, "unread": UNREAD, "starred": STARRED}[entry_id]

    # ------------------------------------------------------------ drawing

    def entry_text(self, entry_id: str) -> Text:
        """An entry's row as drawn now: its label cut to the list's width, its count in
        the right-hand column."""
        width = self.scrollable_content_region.width
        views = {
            "all": ("All articles", self._total),
            "unread": ("Unread", self._unread_total),
            "starred": ("Starred", self._starred),
        }
        if entry_id in views:
            label, count = views[entry_id]
            return _fit(Text(), Text(label, style="bold"), count, width)
        if entry_id in self.searches:
            unread = self._search_unread[entry_id]
            prefix = Text("  ⌕ ")
            if unread is None:
                prefix.append("! ", style="bold red")
            name = shown(self.searches[entry_id].name, 200)
            return _fit(prefix, Text(name, style="bold" if unread else ""), unread or 0, width)
        feed = self.feed_at(entry_id)
        assert feed is not None, entry_id
        prefix = Text("  " if feed.tags else "")
        if feed.last_error:
            prefix.append("! ", style="bold red")
        title = Text(shown(feed.title, 200), style="bold" if feed.unread else "")
        return _fit(prefix, title, feed.unread, width)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        row = self._rows[index] if index < len(self._rows) else DIVIDER
        if row is DIVIDER:
            return Strip.blank(width, style)
        if isinstance(row, str):
            text = self.entry_text(row)
            if index == self._cursor:
                style += self.get_component_rich_style("feed-list--cursor")
        else:
            text = fitted(row.copy(), width)
        text.stylize_before(style)  # under the row's own styles: a red mark stays red
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, style).simplify()

    def _refresh_entry(self, entry_id: str) -> None:
        if (y := self._index.get(entry_id)) is not None:
            self._refresh_row(y)

    def _refresh_row(self, y: int) -> None:
        self.refresh(Region(0, y - self.scroll_offset.y, self.size.width, 1))

    # ------------------------------------------------------------ moving

    def highlight(self, entry_id: str, *, quiet: bool = False) -> None:
        """Put the cursor on an entry; `quiet`: the caller shows it, send no Highlighted."""
        if (y := self._index.get(entry_id)) is not None:
            self._move(y, quiet=quiet)

    def _move(self, y: int, *, quiet: bool = False) -> None:
        old, self._cursor = self._cursor, y
        self._refresh_row(old)
        self._refresh_row(y)
        # force: right after show() the scrollbars are not laid out yet, which would
        # otherwise forbid the scroll
        self.scroll_to_region(Region(0, y, 1, 1), animate=False, immediate=True, force=True)
        if not quiet and y != old:
            self.post_message(self.Highlighted(self._rows[y]))

    def _entry_from(self, y: int, step: int) -> int | None:
        """The first entry row from row `y` on, going `step` (1 down, -1 up)."""
        while 0 <= y < len(self._rows):
            if isinstance(self._rows[y], str):
                return y
            y += step
        return None

    def action_cursor(self, step: int) -> None:
        if (y := self._entry_from(self._cursor + step, step)) is not None:
            self._move(y)

    def action_jump(self, where: int) -> None:
        start, step = (0, 1) if where >= 0 else (len(self._rows) - 1, -1)
        if (y := self._entry_from(start, step)) is not None:
            self._move(y)

    def action_page(self, direction: int) -> None:
        """A screenful on, to the nearest entry (past the last row: the last entry)."""
        y = self._cursor + direction * max(self.scrollable_content_region.height - 1, 1)
        y = max(0, min(y, len(self._rows) - 1))
        found = self._entry_from(y, direction)
        if found is None:
            found = self._entry_from(y, -direction)
        if found is not None:
            self._move(found)

    def action_open(self) -> None:
        if (entry_id := self.highlighted_id) is not None:
            self.post_message(self.Selected(entry_id))

    def on_click(self, event: events.Click) -> None:
        """A click on an entry highlights and opens it; headings and dividers do nothing."""
        offset = event.get_content_offset(self)  # None on the border
        if offset is None:
            return
        y = self.scroll_offset.y + offset.y
        if y < len(self._rows) and isinstance(self._rows[y], str):
            self._move(y)
            self.action_open()


def _fit(prefix: Text, label: Text, count: int, width: int) -> Text:
    """prefix + label + count on one line of `width` cells, counts in a right-hand column:
    the label gives way, with an ellipsis, so the count always shows (with no width
    yet, nothing is cut)."""
    suffix = f"  {count}" if count else ""
    if width:
        room = max(width - cell_width(prefix.plain) - len(suffix), 1)
        label = fitted(label, room, pad=bool(suffix))
    line = Text.assemble(prefix, label, no_wrap=True, overflow="ellipsis")
    if suffix:
        line.append(suffix, style="dim")
    return line

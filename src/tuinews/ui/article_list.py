"""The article list: a virtual list that stays instant at 100,000 articles.

Like Textualize's toolong, it is one ScrollView on the Line API: the list
holds only the ids of its articles (in order) and draws each visible row from
a small cache of rows fetched a page at a time by primary key. No widget per
article, so opening a huge feed and jumping to its end costs a page, not a
layout of every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuinews.models import ArticleRow
from tuinews.ui.richtext import article_row, fitted

PAGE = 200


class ArticleList(ScrollView, can_focus=True):
    """Rows of (flag, date, feed, title), newest first; the cursor is the open article."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Next", show=False, id="list_down"),
        Binding("k,up", "cursor(-1)", "Previous", show=False, id="list_up"),
        Binding("g,home", "jump(0)", "Top", show=False, id="list_top"),
        Binding("G,end", "jump(-1)", "Bottom", show=False, id="list_bottom"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list_page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list_page_up"),
        Binding("enter", "open", "Read", id="open"),
    ]
    COMPONENT_CLASSES = {"article-list--cursor"}

    cursor: reactive[int] = reactive(-1, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor is on an article (the reader shows it).

        `chosen` is False when the list put it there (a new feed was opened):
        showing an article is not reading it until the user moves to it.
        """

        def __init__(self, article_id: int, chosen: bool) -> None:
            self.article_id = article_id
            self.chosen = chosen
            super().__init__()

    class Opened(Message):
        """enter on an article: move to the reader."""

        def __init__(self, article_id: int) -> None:
            self.article_id = article_id
            super().__init__()

    def __init__(
        self,
        fetch_rows: Callable[[Sequence[int]], list[ArticleRow]],
        clock: Callable[[], datetime] = datetime.now,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._fetch_rows = fetch_rows
        self._clock = clock
        self._ids: list[int] = []
        self._rows: dict[int, ArticleRow] = {}
        self._show_feed = True
        self._placed = False  # the next cursor move is the list's, not the user's
        self._snippets: dict[int, str] = {}
        self._now = clock()

    # ------------------------------------------------------------ content

    @property
    def article_ids(self) -> list[int]:
        return self._ids

    @property
    def current_id(self) -> int | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def show(
        self,
        ids: list[int],
        *,
        show_feed: bool,
        select: int | None = None,
        chosen: bool = False,
        snippets: dict[int, str] | None = None,
    ) -> None:
        """Replace the list (a new feed or search results), keeping the cursor on `select`
        (which the user `chosen` to read, or the list only put there to show)."""
        self._ids, self._rows, self._show_feed = ids, {}, show_feed
        self._snippets = snippets or {}
        self._now = self._clock()
        self.virtual_size = Size(self.size.width, len(ids))
        position = ids.index(select) if select in ids else (0 if ids else -1)
        self.scroll_to(y=max(position - self.size.height // 2, 0), animate=False)
        self._placed = not chosen
        self.cursor = position
        self._placed = False
        self.refresh()

    def extend(self, ids: list[int]) -> None:
        """The whole list after its first page: same order, cursor and scroll stay."""
        if ids[: len(self._ids)] != self._ids:
            self.show(ids, show_feed=self._show_feed, select=self.current_id)
            return
        self._ids = ids
        self.virtual_size = Size(self.size.width, len(ids))

    def update_row(self, row: ArticleRow) -> ArticleRow | None:
        """A row's read/starred state changed: redraw just it; return what it was."""
        before = self._rows.get(row.id)
        if before is not None:
            self._rows[row.id] = row
            self.refresh_lines(self._ids.index(row.id))
        return before

    def row(self, article_id: int) -> ArticleRow | None:
        return self._rows.get(article_id) or next(iter(self._fetch_rows([article_id])), None)

    def refresh_lines(self, y: int, count: int = 1) -> None:
        scroll_y = self.scroll_offset.y
        self.refresh(Region(0, y - scroll_y, self.size.width, count))

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self._ids):
            return Strip.blank(width, self.rich_style)
        row = self._load(index)
        text = article_row(
            row, show_feed=self._show_feed, now=self._now, snippet=self._snippets.get(row.id)
        )
        text = fitted(text, width)
        style = self.rich_style
        if index == self.cursor:
            style += self.get_component_rich_style("article-list--cursor")
        text.stylize(style)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, style).simplify()

    def _load(self, index: int) -> ArticleRow:
        """The row at `index`, fetching its page by primary key when it is not cached."""
        article_id = self._ids[index]
        if article_id not in self._rows:
            start = index - index % PAGE
            if len(self._rows) > 20 * PAGE:
                self._rows.clear()
            for row in self._fetch_rows(self._ids[start : start + PAGE]):
                self._rows[row.id] = row
        return self._rows.get(article_id) or _MISSING

    # ------------------------------------------------------------ moving

    def watch_cursor(self, old: int, new: int) -> None:
        for y in {old, new}:
            if 0 <= y < len(self._ids):
                self.refresh_lines(y)
        if 0 <= new < len(self._ids):
            self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
            self.post_message(self.Highlighted(self._ids[new], chosen=not self._placed))

    def choose_current(self) -> None:
        """The article the list put the cursor on is the one the user wants to read."""
        if self.current_id is not None:
            self.post_message(self.Highlighted(self.current_id, chosen=True))

    def move_to(self, index: int) -> None:
        if self._ids:
            self.cursor = max(0, min(index, len(self._ids) - 1))

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_jump(self, where: int) -> None:
        self.move_to(where if where >= 0 else len(self._ids) - 1)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_open(self) -> None:
        if (article_id := self.current_id) is not None:
            self.post_message(self.Opened(article_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # None on the border
        if offset is not None:
            self.move_to(self.scroll_offset.y + offset.y)


_MISSING = ArticleRow(
    id=0, feed_id=None, feed_title="", title="(gone)", author="", published=None,
    link="", read=True, starred=False,
)  # fmt: skip

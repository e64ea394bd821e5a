"""The reader pane: one article, laid out for reading at a comfortable width."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

# Lines longer than this are tiring to read, however wide the terminal.
MAX_READING_WIDTH = 80


class Reader(VerticalScroll):
    BINDINGS = [
        Binding("space", "read_on", "Page down, then next unread", id="reader_page_down"),
        Binding("b", "page_up", "Page up", show=False, id="reader_page_up"),
        Binding("j", "scroll_down", "Down", show=False, id="reader_down"),
        Binding("k", "scroll_up", "Up", show=False, id="reader_up"),
        Binding("g", "scroll_home", "Top", show=False, id="reader_top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="reader_bottom"),
        Binding("escape", "app.leave_reader", "Back to the list", show=False, id="reader_back"),
    ]

    class WidthChanged(Message):
        """The article must be laid out again for the new reading width."""

    class Finished(Message):
        """space at the end of the article: the reader wants the next one."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._laid_out_for = 0
        self._resume_at: float | None = None  # where to scroll once the page is laid out
        self._page_lines = 0  # how tall the page is once laid out

    def compose(self):
        yield Static(id="page", markup=False)

    @property
    def reading_width(self) -> int:
        """Hidden (small terminals list without it), it is laid out for the whole screen it
        gets on enter, so reading starts without a second layout."""
        room = self.size.width if self.display else self.app.size.width - 4  # less frame
        return max(20, min(room - 4, MAX_READING_WIDTH))

    def show(self, page: Text, width: int, scroll_y: float | None = None) -> None:
        """Show a page laid out for `width` cells (ask again if that is no longer ours),
        from its top or from `scroll_y` (where reading stopped last time)."""
        self.query_one("#page", Static).update(page)
        self.scroll_home(animate=False, immediate=True)
        self._resume_at = scroll_y or None
        self._page_lines = page.plain.count("\n") + 1  # lines are never wrapped (no_wrap)
        self.call_after_refresh(self._resume)
        self._laid_out_for = width
        if width != self.reading_width:
            self.post_message(self.WidthChanged())

    def action_read_on(self) -> None:
        """space: a page down; at the end of the article, on to the next unread one."""
        if self.virtual_size.height < self._page_lines:
            # Not laid out yet (just opened): it has no end to be at. Wait for it.
            self.call_after_refresh(self.action_read_on)
            return
        if self.scroll_y >= self.max_scroll_y:
            self.post_message(self.Finished())
        else:
            self.action_page_down()

    def _resume(self) -> None:
        """Scroll to where reading stopped, once the new page is laid out.

        Until the new page is laid out there is nothing to scroll, and when that
        happens depends on the machine: so this is tried after the next refresh and
        again whenever the page's size changes, until the page is laid out."""
        if self._resume_at is None or self.virtual_size.height < self._page_lines:
            return
        # force: the scrollbar that allows scrolling may not be worked out yet either
        self.scroll_to(y=self._resume_at, animate=False, immediate=True, force=True)
        self._resume_at = None

    def watch_virtual_size(self) -> None:
        self._resume()

    def on_resize(self, event: events.Resize) -> None:
        self._resume()
        if self._laid_out_for and self._laid_out_for != self.reading_width:
            self._laid_out_for = 0
            self.post_message(self.WidthChanged())

"""The reader pane: one article, laid out for reading at a comfortable width."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

# Lines longer than this are tiring to read, however wide the terminal.
MAX_READING_WIDTH = 80


class Reader(VerticalScroll):
    BINDINGS = [
        Binding("space", "page_down", "Page down"),
        Binding("b", "page_up", "Page up"),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    def compose(self):
        yield Static(id="page", markup=False)

    @property
    def reading_width(self) -> int:
        return max(20, min(self.size.width - 4, MAX_READING_WIDTH))

    def show(self, page: Text | str) -> None:
        self.query_one("#page", Static).update(page)
        self.scroll_home(animate=False)

"""Modal screens: help, confirmation, naming, choosing a feed, adding a source."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tuinews.clean import clean_line
from tuinews.urls import shown_url


class HelpScreen(ModalScreen[None]):
    """Every binding of the app and its panes, from their BINDINGS declarations."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help_close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="help_down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="help_up"),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]], query_help: str) -> None:
        super().__init__()
        self._sections = sections
        self._query_help = query_help

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for title, bindings in self._sections:
            table.add_row(Text(title, style="bold underline"), "")
            rows: dict[str, list[str]] = {}  # keys by description: 0-9 make one row
            for binding in bindings:
                keys = [_key_name(key) for key in binding.key.split(",")]
                rows.setdefault(binding.description, []).extend(keys)
            for description, keys in rows.items():
                table.add_row(", ".join(keys), description)
            table.add_row("", "")
        with VerticalScroll(id="help"):
            yield Static(
                Text.assemble(("tuinews keys", "bold"), ("   esc closes, j/k scroll", "dim")),
                id="help-title",
            )
            yield Static(table)
            yield Static(Text("Searching", style="bold underline"))
            yield Static(Text(self._query_help))

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines, animate=False)


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "slash": "/", "space": "space", "shift+tab": "shift+tab"}
    return names.get(key, key)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; No is the default (enter on the focused button)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, question: Text) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._question)
            with Horizontal(id="dialog-buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NameScreen(ModalScreen[str | None]):
    """Ask for a name (a saved search's), with a sensible one filled in."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="name_cancel")]

    def __init__(self, question: str, value: str) -> None:
        super().__init__()
        self._question, self._value = question, value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(self._question))
            yield Input(value=self._value, id="name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class ChooseFeedScreen(ModalScreen[str | None]):
    """A web page announced several feeds: which one to follow (the first is taken)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Keep the first", id="choose_feed_cancel")]

    def __init__(self, candidates: tuple[str, ...]) -> None:
        super().__init__()
        self._candidates = candidates

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("The page lists several feeds; enter picks one, esc keeps the first")
            yield OptionList(
                *(
                    Option(Text(clean_line(shown_url(url), 300)), id=str(i))
                    for i, url in enumerate(self._candidates)
                ),
                id="candidates",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._candidates[int(event.option.id or 0)])


class AddSourceScreen(ModalScreen[str | None]):
    """Ask for a feed URL, feed file or folder; refuse what tuinews cannot read.

    `problem` says why a source cannot be added (None when it can be tried)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="add_cancel")]

    def __init__(self, problem: Callable[[str], str | None]) -> None:
        super().__init__()
        self._problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Add a feed URL, a feed file or a folder of articles")
            yield Input(placeholder="https://…/feed.xml  or  ~/news/folder", id="source")
            yield Label("", id="source-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if problem := self._problem(event.value):
            self.query_one("#source-error", Label).update(Text(problem, style="red"))
            return
        self.dismiss(event.value.strip())


# Whose keys a user may remap, beside the main screen's panes (see config's [keys]).
MODAL_SCREENS = (HelpScreen, ConfirmScreen, NameScreen, ChooseFeedScreen, AddSourceScreen)

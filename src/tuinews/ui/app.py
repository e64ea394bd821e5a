"""The reader: feeds | articles | article, with a search bar on top.

The UI thread only draws. Everything that touches the library runs in thread
workers, which get what they need of the UI as arguments and send their results
back as messages: no widget is read or written from a thread. A worker's error
becomes a notice, never an exit. The one library call on the UI thread is the
article list's page fetch: a primary-key read of at most 200 rows, done where
the rows are drawn so that scrolling never shows empty rows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import signal
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import platformdirs
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState

from tuinews.clean import clean_line
from tuinews.clipboard import copy_with_program
from tuinews.config import APP_NAME, Config, config_path, unknown_binding_warnings
from tuinews.library import (
    QUERY_HELP,
    AddResult,
    FeedListing,
    Library,
    LibraryError,
    NotFound,
    PageProgress,
    PagesReport,
    Progress,
    QueryError,
    RefreshCancelled,
    RefreshReport,
    Refused,
    SearchResults,
    SourceRequest,
)
from tuinews.models import ArticleRow, ArticleView, FullText, SavedSearch, SourceOutcome
from tuinews.resources import bundled
from tuinews.ui.article_list import ArticleList
from tuinews.ui.commands import TuinewsCommands
from tuinews.ui.feed_list import ALL, FeedList
from tuinews.ui.reader import Reader
from tuinews.ui.richtext import article_page
from tuinews.ui.screens import (
    MODAL_SCREENS,
    AddSourceScreen,
    ChooseFeedScreen,
    ConfirmScreen,
    HelpScreen,
    NameScreen,
)
from tuinews.urls import host_warning, is_openable, is_web_url, shown_url

# Below this size three panes cannot give the reader 60 columns and 15 lines: the panes
# show the feeds and the list, and enter reads full screen (as newsboat does).
READER_FITS = (130, 21)
# A link's number is complete once no digit follows for this long (seconds).
LINK_NUMBER_PAUSE = 0.8
# Search waits for a pause in typing this long (seconds), then runs in a worker.
SEARCH_DEBOUNCE = 0.12
OTHER_WRITERS_CHECK = 3.0  # seconds between looks for another process's writes
FIRST_PAGE = 100  # ids shown before the rest of a long list arrives
COUNTS_DURING_REFRESH_EVERY = 0.5  # seconds between feed-list updates while refreshing
SNIPPETS_SHOWN = 60  # about a screenful of results gets an extract; the rest show their feed


# ---------------------------------------------------------------- what workers send back


@dataclasses.dataclass
class FeedsLoaded(Message):
    listing: FeedListing
    keep: str | None  # the entry to keep highlighted
    reload_list: bool


@dataclasses.dataclass
class ViewLoaded(Message):
    view: ArticleView
    ids: list[int]
    select: int | None  # the article to put the cursor on
    chosen: bool  # the user asked for that article (n/p): it is read, not only shown
    rest: bool = False  # the whole list, after its first screenful was shown


@dataclasses.dataclass
class ArticleLoaded(Message):
    row: ArticleRow
    page: Text
    width: int
    has_page_text: bool = False  # f can switch between the page's text and the feed's
    links: tuple[str, ...] = ()  # the body's numbered links: [1] is links[0]


@dataclasses.dataclass
class ArticleChanged(Message):
    row: ArticleRow  # its read/starred state as stored now


@dataclasses.dataclass
class UnreadFound(Message):
    ids: list[int]  # the list that was searched
    index: int | None  # the next unread article in it; None: look in the next feed
    direction: int


@dataclasses.dataclass
class SearchFinished(Message):
    text: str
    results: SearchResults | None
    error: str = ""


@dataclasses.dataclass
class LibraryChanged(Message):
    """A worker changed many articles (mark all read, a refresh, a delete)."""

    notice: str
    keep: str | None = None


@dataclasses.dataclass
class SourceAdded(Message):
    result: AddResult


@dataclasses.dataclass
class RefreshProgressed(Message):
    """A feed of a refresh is done (`progress`), or the whole refresh (`report`).

    Posted, not called: call_from_thread would hold the refresh up until the
    screen had caught up, once per feed (a 200-feed refresh took twice as long).
    """

    progress: Progress | None = None
    report: RefreshReport | None = None


@dataclasses.dataclass
class PagesProgressed(Message):
    """One page of a refresh is fetched or failed (`progress`), or all of them (`report`)."""

    progress: PageProgress | None = None
    report: PagesReport | None = None
    refresh: RefreshReport | None = None  # the refresh these pages followed


@dataclasses.dataclass
class TextCopied(Message):
    text: str
    what: str  # how the notice names it
    warning: str | None  # what is wrong with the link's host
    program: str | None  # the clipboard program that took it; None: try the terminal


@dataclasses.dataclass
class PageFetched(Message):
    """`f` fetched one article's page."""

    article_id: int
    error: str | None


def _while_open(handler: Callable[[TuinewsApp, Message], None]) -> Callable:
    """A worker's result that arrives while the app shuts down finds no panes to show
    it in: it is dropped, not raised."""

    @functools.wraps(handler)
    def handle(app: TuinewsApp, message: Message) -> None:
        if app.is_running:  # False from the start of the shutdown, before panes go
            handler(app, message)

    return handle


# Typing a link's number opens it: one binding per digit (remappable), one row in the help.
LINK_NUMBER_BINDINGS = [
    Binding(str(d), f"link_digit({d})", "Open link N: type its number", show=False, id=f"link_{d}")
    for d in (*range(1, 10), 0)
]


class TuinewsApp(App[None]):
    CSS_PATH = str(bundled("styles") / "app.tcss")
    TITLE = "tuinews"
    COMMANDS = App.COMMANDS | {TuinewsCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # panes stack below 100 columns
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("slash", "focus_search", "Search", id="focus_search"),
        Binding("escape", "clear_search", "Clear search", show=False, id="clear_search"),
        Binding("tab", "focus_next", "Next pane", show=False, id="focus_next"),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="focus_previous"),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read"),
        Binding("s", "toggle_star", "Star", show=False, id="toggle_star"),
        Binding("n", "next_unread", "Next unread", id="next_unread"),
        Binding("p", "next_unread(-1)", "Previous unread", show=False, id="previous_unread"),
        Binding("M", "mark_view_read", "Mark all read", show=False, id="mark_view_read"),
        Binding("u", "undo", "Undo", show=False, id="undo"),
        Binding("o", "open_link", "Open link", show=False, id="open_link"),
        Binding("y", "copy_link", "Copy link; then a number: link N", show=False, id="copy_link"),
        *LINK_NUMBER_BINDINGS,
        Binding("f", "page_text", "Page text / feed text", show=False, id="page_text"),
        Binding("z", "unfold", "Show / fold boilerplate", show=False, id="unfold"),
        Binding("r", "refresh(False)", "Refresh feed", show=False, id="refresh_feed"),
        Binding("R", "refresh(True)", "Refresh all", show=False, id="refresh_all"),
        Binding("a", "add_source", "Add feed", show=False, id="add_source"),
        Binding("d", "delete_feed", "Delete feed or saved search", show=False, id="delete_feed"),
        Binding("ctrl+s", "save_search", "Save search", show=False, id="save_search"),
        Binding("e", "rename_search", "Rename saved search", show=False, id="rename_search"),
    ]

    def __init__(
        self,
        config: Config,
        *,
        state_path: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
        samples: bool = False,
    ) -> None:
        """`clock` decides what "today" is in the list's dates (fixed in snapshot tests);
        with `samples`, a brand-new library gets the bundled samples after the first paint."""
        super().__init__()
        self._config = config
        self._samples = samples
        self._clock = clock
        self.library = Library(config, clock=lambda: clock().timestamp())
        self._state_path = state_path or Path(platformdirs.user_state_dir(APP_NAME)) / "ui.json"
        self._view: ArticleView = ALL
        self._search_terms: tuple[str, ...] | None = None  # while results are shown
        self._search_timer: Timer | None = None
        self._restore_scroll: tuple[int, float] | None = None  # (article id, reader offset)
        self._feed_text: set[int] = set()  # articles f switched to their feed's text
        self._unfolded: set[int] = set()  # articles z unfolded
        self._page_text_shown: tuple[int, bool] | None = None  # (article, has a page text)
        self._shown_unread: int | None = None  # shown by the list, not yet chosen: n takes it
        self._reading = False  # the reader has the whole screen (enter; esc goes back)
        self._shown_links: tuple[str, ...] = ()  # the shown article's numbered links
        self._link_number = ""  # digits typed so far
        self._link_verb = "open"  # "copy" when the number follows y
        self._link_timer: Timer | None = None
        self._refreshing = False  # one refresh at a time
        self._stop_refresh = threading.Event()
        self._refreshed: list[SourceOutcome] = []  # done, not yet shown in the feed list
        self._refreshed_shown_at = 0.0  # time.monotonic() of the last such update
        self._refreshed_timer: Timer | None = None
        self.sub_title = config.db_path.stem

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="Search your library  (/)   e.g. ferry -strike since:2w",
            id="search",
        )
        yield Label("", id="search-error")
        with Horizontal(id="panes"):
            yield FeedList(id="feeds")
            yield ArticleList(self._fetch_rows, self._clock, id="articles")
            yield Reader(id="reader")
        with Horizontal(id="status"):
            yield Label("", id="status-text")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_keymap(self._config.keys)  # [keys] in config.toml: binding id = "keys"
        self._fit_panes(*self.size)
        for warning in (*self._config.warnings, *self._unknown_key_warnings()):
            self.notify(clean_line(warning, 300), severity="warning", markup=False, timeout=10)
        for pane, title in (("#feeds", "Feeds"), ("#articles", "Articles"), ("#reader", "")):
            self.query_one(pane).border_title = title
        state = self._load_state()
        feed_option = state.get("feed") if isinstance(state.get("feed"), str) else "all"
        try:
            self._view = FeedList.view_of(feed_option) or ALL
        except (KeyError, ValueError):
            feed_option, self._view = "all", ALL
        if state.get("theme") in self.available_themes:
            self.theme = state["theme"]  # the palette's choice, remembered
        scroll = state.get("reader_scroll")
        if isinstance(state.get("article"), int) and isinstance(scroll, int | float):
            self._restore_scroll = (state["article"], scroll)
        # The list and the feed counts load side by side: the first screen needs both.
        self.load_view(self._view, state.get("article"))
        self.load_feeds(keep=feed_option, samples=self._samples)
        self.query_one(ArticleList).focus()
        self.library.changed_elsewhere()  # the baseline for the check below
        self.set_interval(OTHER_WRITERS_CHECK, self._check_other_writers)
        if self._config.auto_refresh_minutes:
            self.set_interval(self._config.auto_refresh_minutes * 60, self.action_refresh_all)
        self._watch_signals()

    def _unknown_key_warnings(self) -> list[str]:
        classes = [type(self), ArticleList, Reader, FeedList, *MODAL_SCREENS]
        ids = {binding.id for cls in classes for binding in cls.BINDINGS if binding.id}
        return unknown_binding_warnings(self._config.keys, ids, config_path())

    def _watch_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal closed) keep the place in the list, as q does."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(number, self._quit_now)
            except (NotImplementedError, RuntimeError, ValueError):
                return  # not the main thread, or no signals here: q still saves

    def _unwatch_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.remove_signal_handler(number)
            except (NotImplementedError, RuntimeError, ValueError):
                return

    def _check_other_writers(self) -> None:
        """Another process (a cron refresh) wrote to the library: show what it brought."""
        new_articles = self.library.changed_elsewhere()
        if new_articles is not None:
            self.load_feeds(reload_list=new_articles and self._search_terms is None)

    def action_refresh_all(self) -> None:
        self.run_refresh(None)

    async def action_quit(self) -> None:
        self._quit_now()

    def _quit_now(self) -> None:
        self._save_state()  # while the panes still exist
        self._stop_refresh.set()  # a refresh waiting on a slow server ends now
        self.exit()

    def on_unmount(self) -> None:
        self._stop_refresh.set()
        self._unwatch_signals()
        self.library.close()

    def _fetch_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        return self.library.article_rows(ids)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed says so in one line; the app goes on."""
        worker = event.worker
        if worker.group == "refresh" and worker.is_finished:
            self._refreshing = False
            if event.state is not WorkerState.SUCCESS and self.is_running:
                self._progress(None, None, "")
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if isinstance(error, RefreshCancelled):
            return
        known = isinstance(error, LibraryError | Refused | NotFound | QueryError)
        what = str(error) if known else f"{type(error).__name__}: {error}"
        name = worker.name.replace("_", " ").strip()
        self.notify(clean_line(f"Could not {name}: {what}", 300), severity="error", markup=False)

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False, name="load feeds")
    def load_feeds(
        self, keep: str | None = None, reload_list: bool = False, samples: bool = False
    ) -> None:
        """Read the feed list; with `samples`, a brand-new library gets the samples first."""
        if samples and self.library.import_samples_if_new():
            keep, reload_list = "all", True
        self.post_message(FeedsLoaded(self.library.feed_listing(), keep, reload_list))

    @on(FeedsLoaded)
    @_while_open
    def _show_feeds(self, event: FeedsLoaded) -> None:
        """Rebuild the feed list; reload the article list too when asked or when its
        feed is gone (it keeps its place on the current article)."""
        feed_list = self.query_one(FeedList)
        keep = event.keep or feed_list.highlighted_id or "all"
        listing = event.listing
        feed_list.show(listing.feeds, starred=listing.starred, searches=listing.searches, keep=keep)
        entry_id = feed_list.highlighted_id
        self._show_feed_error(entry_id)
        view = (FeedList.view_of(entry_id) if entry_id else ALL) or self._view
        if view != self._view or event.reload_list:
            self._view = view
            self.load_view(view, self.query_one(ArticleList).current_id)

    @on(FeedList.Highlighted)
    def _feed_highlighted(self, event: FeedList.Highlighted) -> None:
        entry_id = event.entry_id
        self._show_feed_error(entry_id)
        if (saved := self.query_one(FeedList).searches.get(entry_id)) is not None:
            self.query_one("#search", Input).value = saved.query  # runs it, as if typed
            return
        self._leave_search()
        self._view = FeedList.view_of(entry_id) or ALL
        self.load_view(self._view)

    def _leave_search(self) -> None:
        if self._search_terms is not None:
            self.query_one("#search", Input).value = ""
            self._search_terms = None
            self._search_message("")
            self.query_one("#articles").border_title = "Articles"

    def _show_feed_error(self, entry_id: str | None) -> None:
        """The highlighted feed's last refresh error, in words, under its articles (the
        feed list only has room for a mark)."""
        feed = self.query_one(FeedList).feed_at(entry_id)
        error = clean_line(feed.last_error, 200) if feed and feed.last_error else ""
        pane = self.query_one("#articles")
        pane.border_subtitle = Text(f"! {error}", style="bold red") if error else ""

    @on(FeedList.Selected)
    def _feed_selected(self) -> None:
        self.query_one(ArticleList).focus()

    @work(thread=True, exclusive=True, group="view", exit_on_error=False, name="load the list")
    def load_view(self, view: ArticleView, select: int | None = None, chosen: bool = False) -> None:
        """A screenful first, then the whole list: the first paint does not wait for
        100,000 ids (unless the article to select is further down)."""
        if select is None:
            first = self.library.article_ids(view, limit=FIRST_PAGE)
            self.post_message(ViewLoaded(view, first, None, False))
            if len(first) < FIRST_PAGE:
                return
        ids = self.library.article_ids(view)
        self.post_message(ViewLoaded(view, ids, select, chosen, rest=select is None))

    @on(ViewLoaded)
    @_while_open
    def _show_view(self, event: ViewLoaded) -> None:
        if event.view != self._view or self._search_terms is not None:
            return  # the user went elsewhere meanwhile
        articles = self.query_one(ArticleList)
        if event.rest:
            articles.extend(event.ids)
            return
        show_feed = event.view.feed_id is None
        articles.show(event.ids, show_feed=show_feed, select=event.select, chosen=event.chosen)
        if not event.ids:
            reader = self.query_one(Reader)
            reader.show(Text("No articles here.", style="dim"), reader.reading_width)

    @on(ArticleList.Highlighted)
    def _article_highlighted(self, event: ArticleList.Highlighted) -> None:
        self._shown_unread = None if event.chosen else event.article_id
        mark_read = event.chosen and self._config.mark_read_on_open
        width = self.query_one(Reader).reading_width
        self.load_article(event.article_id, width, mark_read, self._search_terms or ())

    # ------------------------------------------------------------ search

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        """Search as the user types, once they pause: keystrokes never wait for SQL."""
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self.run_search(event.value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one(ArticleList).focus()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False, name="search")
    def run_search(self, text: str) -> None:
        if not text.strip():
            self.post_message(SearchFinished(text, None))
            return
        try:
            results = self.library.search(text, snippets_for=SNIPPETS_SHOWN)
        except QueryError as error:
            self.post_message(SearchFinished(text, None, str(error)))
            return
        self.post_message(SearchFinished(text, results))

    @on(SearchFinished)
    @_while_open
    def _show_results(self, event: SearchFinished) -> None:
        if self.query_one("#search", Input).value != event.text:
            return  # the user typed on: a newer search is coming
        if event.error:
            self._search_message(event.error)
            return
        results = event.results
        if results is None:
            self._end_search()
            return
        self._search_terms = results.terms
        self._search_message(f"{results.total} found" if results.total else "nothing found")
        self.query_one("#articles").border_title = "Search results"
        ids = [hit.article_id for hit in results.hits]
        self.query_one(ArticleList).show(ids, show_feed=True, snippets=results.snippets)
        if not ids:
            reader = self.query_one(Reader)
            reader.show(Text("No article matches.", style="dim"), reader.reading_width)

    def _search_message(self, message: str) -> None:
        self.query_one("#search-error", Label).update(Text(message, style="dim"))

    def _end_search(self) -> None:
        """Back to the list the search replaced."""
        if self._search_terms is None:
            self._search_message("")
            return
        self._search_terms = None
        self._search_message("")
        self.query_one("#articles").border_title = "Articles"
        self.load_view(self._view)

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        self._end_search()
        self.query_one(ArticleList).focus()

    @on(Reader.WidthChanged)
    def _relayout(self) -> None:
        if (article_id := self.query_one(ArticleList).current_id) is not None:
            width = self.query_one(Reader).reading_width
            self.load_article(article_id, width, False, self._search_terms or ())

    @on(ArticleList.Opened)
    def _article_opened(self) -> None:
        self._read_full_screen(True)
        self.query_one(Reader).focus()

    def _read_full_screen(self, reading: bool) -> None:
        self._reading = reading
        self.screen_stack[0].set_class(reading, "-reading")

    def action_leave_reader(self) -> None:
        """esc in the reader: back to the panes; when they show already, clear a search."""
        if self._reading:
            self._read_full_screen(False)
            self.query_one(ArticleList).focus()
        else:
            self.action_clear_search()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_panes(event.size.width, event.size.height)

    def _fit_panes(self, width: int, height: int) -> None:
        min_width, min_height = READER_FITS
        compact = width < min_width or height < min_height
        self.screen_stack[0].set_class(compact, "-compact")
        if compact and self.query_one(Reader).has_focus and not self._reading:
            self.query_one(ArticleList).focus()

    @on(Reader.Finished)
    def _reader_finished(self) -> None:
        self.action_next_unread()

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False, name="open the article")
    def load_article(
        self, article_id: int, width: int, mark_read: bool, terms: tuple[str, ...]
    ) -> None:
        """Lay the article out off the UI thread (a 5 MB body takes a while) and mark it read."""
        try:
            article = self.library.open_article(
                article_id,
                mark_read=mark_read,
                feed_text=article_id in self._feed_text,
                unfold=article_id in self._unfolded,
                fold_hint=" · z shows them",
            )
        except NotFound:
            return  # deleted meanwhile: the list will follow
        has_page_text = article.page is not None and article.page.fetched_at is not None
        note = article.source_note(_fetched_at)
        if note:
            note += " · f shows the feed's" if article.shows_page else ""
            note += " · f shows the page's" if has_page_text and not article.shows_page else ""
            note += " · f tries again" if not has_page_text else ""
        page = article_page(article.row, article.summary, article.body, width, terms, note)
        links = article.body.links
        self.post_message(ArticleLoaded(article.row, page, width, has_page_text, links))

    @on(ArticleLoaded)
    @_while_open
    def _show_article(self, event: ArticleLoaded) -> None:
        row = event.row
        if self.query_one(ArticleList).current_id != row.id:
            return  # the cursor moved on while this one was being laid out
        reader = self.query_one(Reader)
        scroll = None
        if self._restore_scroll and self._restore_scroll[0] == row.id:
            scroll = self._restore_scroll[1]  # where reading stopped
        elif self._page_text_shown and self._page_text_shown[0] == row.id:
            scroll = reader.scroll_y  # laid out again (a new width): stay where the reader is
        self._restore_scroll = None
        reader.show(event.page, event.width, scroll_y=scroll)
        self._page_text_shown = (row.id, event.has_page_text)
        self._shown_links = event.links
        self._row_changed(row)

    @on(ArticleChanged)
    @_while_open
    def _article_changed(self, event: ArticleChanged) -> None:
        self._row_changed(event.row)

    def _row_changed(self, row: ArticleRow) -> None:
        if row.read:
            self._shown_unread = None if self._shown_unread == row.id else self._shown_unread
        before = self.query_one(ArticleList).update_row(row)
        if before is not None and before != row:
            self.query_one(FeedList).article_changed(before, row)

    # ------------------------------------------------------------ reading state

    def _current(self) -> ArticleRow | None:
        articles = self.query_one(ArticleList)
        article_id = articles.current_id
        return articles.row(article_id) if article_id is not None else None

    def action_toggle_read(self) -> None:
        if row := self._current():
            if row.read:
                self._shown_unread = None  # marked unread on purpose: n moves past it
            self.set_flag(row.id, "read", not row.read)

    def action_toggle_star(self) -> None:
        if row := self._current():
            self.set_flag(row.id, "starred", not row.starred)

    @work(thread=True, exit_on_error=False, name="change the article")
    def set_flag(self, article_id: int, flag: str, value: bool) -> None:
        if flag == "read":
            self.library.set_read([article_id], value)
        else:
            self.library.set_starred([article_id], value)
        if row := self.library.article(article_id):
            self.post_message(ArticleChanged(row))

    def action_mark_view_read(self) -> None:
        self.mark_view_read(self._view)

    @work(thread=True, exit_on_error=False, name="mark all read")
    def mark_view_read(self, view: ArticleView) -> None:
        count = self.library.mark_view_read(view)
        self.post_message(LibraryChanged(f"Marked {count} read (u undoes)"))

    @work(thread=True, exit_on_error=False, name="undo")
    def action_undo(self) -> None:
        count = self.library.undo_mark_read()
        self.post_message(LibraryChanged(f"Marked {count} unread again" if count else ""))
        if not count:
            self.notify("Nothing to undo", markup=False)

    @on(LibraryChanged)
    @_while_open
    def _library_changed(self, event: LibraryChanged) -> None:
        if event.notice:
            self.notify(event.notice, markup=False)
        self.load_feeds(event.keep, reload_list=True)

    def action_next_unread(self, direction: int = 1) -> None:
        """The next unread article in this list; past its end, the next feed with unread.

        An article the list only showed (a feed was just entered) and that is still
        unread is the next one: n reads it rather than skipping it."""
        articles = self.query_one(ArticleList)
        current = articles.current_id
        if direction > 0 and current is not None and current == self._shown_unread:
            articles.choose_current()
            return
        self.find_next_unread(self._view, articles.article_ids, articles.cursor, direction)

    @work(thread=True, exclusive=True, group="reader", exit_on_error=False, name="find unread")
    def find_next_unread(
        self, view: ArticleView, ids: list[int], cursor: int, direction: int
    ) -> None:
        unread = set(self.library.unread_ids(view))
        order = range(cursor + direction, len(ids) if direction > 0 else -1, direction)
        target = next((i for i in order if ids[i] in unread), None)
        self.post_message(UnreadFound(ids, target, direction))

    @on(UnreadFound)
    @_while_open
    def _next_unread_found(self, event: UnreadFound) -> None:
        articles = self.query_one(ArticleList)
        if articles.article_ids is not event.ids:
            return  # the list changed meanwhile: this answer is about another one
        if event.index is not None:
            articles.move_to(event.index)
        else:
            self._next_unread_feed(event.direction)

    def _next_unread_feed(self, direction: int) -> None:
        """Enter the next feed with unread articles (the previous one with `direction` -1)
        on its first unread article going forward, its last going back."""
        feed_list = self.query_one(FeedList)
        entries = feed_list.entry_ids
        current = feed_list.highlighted_id
        start = entries.index(current) if current in entries else 0
        order = range(start + direction, len(entries) if direction > 0 else -1, direction)
        for index in order:
            entry_id = entries[index]
            view = FeedList.view_of(entry_id)
            if view is not None and view.feed_id is not None and feed_list.unread.get(entry_id):
                feed_list.highlight(entry_id, quiet=True)
                self._show_feed_error(entry_id)
                self._leave_search()
                self._view = view
                self.enter_on_unread(view, direction)
                return
        self.notify("No more unread articles", markup=False)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False, name="load the list")
    def enter_on_unread(self, view: ArticleView, direction: int) -> None:
        unread = self.library.unread_ids(view)
        target = (unread[0] if direction > 0 else unread[-1]) if unread else None
        self.post_message(ViewLoaded(view, self.library.article_ids(view), target, True))

    # ------------------------------------------------------------ links

    def action_open_link(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.link:
            self.notify("Not opened: this article has no link", markup=False)
            return
        self._open_url(row.link)

    def _open_url(self, link: str, label: str = "") -> None:
        """Open a link as it is shown (a look-alike host in punycode), saying so."""
        url, warning = shown_url(link), host_warning(link)
        shown = f"{label} ({clean_line(url, 80)})" if label else clean_line(url, 80)
        if not is_openable(link):
            why = (is_web_url(link) and warning) or "only http(s) links open"
            self.notify(f"Not opened: {why} ({shown})", markup=False)
            return
        if self._open_in_browser(url):
            said = f"Opened {shown} — {warning}" if warning else f"Opened {shown}"
            self.notify(said, markup=False, severity="warning" if warning else "information")
        else:
            self.notify(f"No web browser could open {shown} (y copies it)", markup=False)

    def _open_in_browser(self, url: str) -> bool:
        """The URL goes to the browser as one argument, never through a shell.

        With no desktop, webbrowser picks a text browser (lynx, w3m) that needs this
        terminal: the app steps aside while it runs instead of fighting it for the screen.
        """
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            return False
        in_terminal = isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
            browser, webbrowser.BackgroundBrowser
        )
        if in_terminal:
            with self.suspend():
                return browser.open(url)
        return browser.open(url)

    def action_copy_link(self) -> None:
        """y: copy the article's link; a number typed next copies that link instead."""
        row = self._current()
        if row and row.link:
            self._copy_url(row.link)
        self._start_link_number("copy")

    def _copy_url(self, link: str, label: str = "") -> None:
        url = shown_url(link)  # whole: what o would open
        what = f"{label} ({clean_line(url, 80)})" if label else clean_line(url, 80)
        self.copy_text(url, what, host_warning(link))

    @work(thread=True, group="clipboard", exit_on_error=False, name="copy")
    def copy_text(self, text: str, what: str, warning: str | None) -> None:
        """The desktop's clipboard program when there is one (it says whether it took
        the text); else the terminal's clipboard (OSC 52), which says nothing back."""
        self.post_message(TextCopied(text, what, warning, copy_with_program(text)))

    @on(TextCopied)
    @_while_open
    def _text_copied(self, event: TextCopied) -> None:
        caution = f" — {event.warning}" if event.warning else ""
        if event.program is not None:
            said = f"Copied {event.what}{caution}"
        else:
            self.copy_to_clipboard(event.text)
            said = f"Sent {event.what} to the terminal's clipboard (OSC 52){caution}"
        severity = "warning" if event.warning else "information"
        self.notify(said, markup=False, severity=severity)

    def action_link_digit(self, digit: int) -> None:
        """A digit of a link's number (the [N] in the text and the list at the end)."""
        if not self._shown_links:
            return
        if self._link_timer is None:
            self._start_link_number("open")
        self._link_number += str(digit)
        if self._link_timer is not None:
            self._link_timer.stop()
        if int(self._link_number) * 10 > len(self._shown_links):
            self._act_on_link_number()  # no longer number is possible: no need to wait
        else:
            self._link_timer = self.set_timer(LINK_NUMBER_PAUSE, self._act_on_link_number)

    def _start_link_number(self, verb: str) -> None:
        if self._link_timer is not None:
            self._link_timer.stop()
        self._link_number, self._link_verb = "", verb
        self._link_timer = self.set_timer(LINK_NUMBER_PAUSE, self._act_on_link_number)

    def _act_on_link_number(self) -> None:
        number, verb = self._link_number, self._link_verb
        if self._link_timer is not None:
            self._link_timer.stop()
        self._link_timer, self._link_number, self._link_verb = None, "", "open"
        if not number:
            return  # y alone: the article's link is copied already
        count = len(self._shown_links)
        index = int(number)
        if not 1 <= index <= count:
            self.notify(f"No link {index}: this article has {count}", markup=False)
            return
        link = self._shown_links[index - 1]
        if verb == "copy":
            self._copy_url(link, f"link {index}")
        else:
            self._open_url(link, f"link {index}")

    # ------------------------------------------------------------ refreshing

    def action_refresh(self, everything: bool) -> None:
        feed_id = self._view.feed_id
        if not everything and feed_id is None:
            everything = True  # "All articles", "Unread", "Starred" refresh everything
        self.run_refresh(None if everything else feed_id)

    def run_refresh(self, feed_id: int | None) -> None:
        """Start a refresh unless one runs (R pressed twice, the auto-refresh timer)."""
        if self._refreshing:
            self.notify("A refresh is already running", markup=False)
            return
        self._refreshing = True
        self._progress(0, None, "Refreshing…")
        self.refresh_worker(feed_id)

    @work(thread=True, group="refresh", exit_on_error=False, name="refresh")
    def refresh_worker(self, feed_id: int | None) -> None:
        """The feeds first, so the lists fill; then the pages of the articles that want
        theirs, with their own progress."""
        feed_ids = None if feed_id is None else [feed_id]
        report = self.library.refresh(
            feed_ids,
            on_progress=lambda step: self.post_message(RefreshProgressed(step)),
            cancel=self._stop_refresh,
        )
        self.post_message(RefreshProgressed(report=report))
        pages = self.library.fetch_pages(
            feed_ids,
            on_progress=lambda step: self.post_message(PagesProgressed(step)),
            cancel=self._stop_refresh,
        )
        if pages.outcomes:
            self.post_message(PagesProgressed(report=pages, refresh=report))

    @on(PagesProgressed)
    @_while_open
    def _pages_progressed(self, event: PagesProgressed) -> None:
        if event.report is not None:
            assert event.refresh is not None
            self._progress(None, None, f"{event.refresh.summary} · {event.report.summary}")
            fetched = {o.article_id for o in event.report.outcomes if o.error is None}
            self._reload_article_if(fetched)
            return
        assert event.progress is not None
        done, total = event.progress.done, event.progress.total
        self._progress(done, total, f"Fetching pages… {done}/{total}")

    def _reload_article_if(self, article_ids: set[int]) -> None:
        """The article being read got new text: show it, where the reader is."""
        articles = self.query_one(ArticleList)
        if articles.current_id in article_ids:
            width = self.query_one(Reader).reading_width
            self.load_article(articles.current_id, width, False, self._search_terms or ())

    def action_page_text(self) -> None:
        """f: the page's text or the feed's, or fetch the page if there is none yet."""
        row = self._current()
        if row is None:
            return
        if self._page_text_shown == (row.id, True):
            self._feed_text ^= {row.id}
            self._reload_article_if({row.id})
            return
        self.notify("Fetching the page…", markup=False)
        self.fetch_page(row.id)

    def action_feed_full_text(self, mode: str) -> None:
        """The palette's "Whole stories for this feed": auto, always, never, or "" (the
        config's)."""
        if self._view.feed_id is None:
            self.notify("Choose a feed first", markup=False)
            return
        self.set_full_text(self._view.feed_id, FullText(mode) if mode else None)

    @work(thread=True, group="settings", exit_on_error=False, name="change the feed's setting")
    def set_full_text(self, feed_id: int, mode: FullText | None) -> None:
        self.library.set_full_text(feed_id, mode)
        if mode is FullText.ALWAYS:
            self.library.queue_pages([feed_id])  # the articles already in get theirs too
        said = mode.value if mode else f"{self._config.full_text.value} (the config's)"
        title = self.library.find_feed(str(feed_id)).title
        self.notify(f"{clean_line(title, 60)}: whole stories {said}", markup=False)

    def action_unfold(self) -> None:
        """z: show the paragraphs reader mode folded away, or fold them again."""
        if (row := self._current()) is not None:
            self._unfolded ^= {row.id}
            self._reload_article_if({row.id})

    @work(thread=True, group="pages", exit_on_error=False, name="fetch the page")
    def fetch_page(self, article_id: int) -> None:
        outcome = self.library.fetch_page(article_id)
        self.post_message(PageFetched(article_id, outcome.error))

    @on(PageFetched)
    @_while_open
    def _page_fetched(self, event: PageFetched) -> None:
        if event.error:
            self.notify(f"No page text: {event.error}", severity="warning", markup=False)
            return
        self._feed_text.discard(event.article_id)
        self._reload_article_if({event.article_id})

    @on(RefreshProgressed)
    @_while_open
    def _refresh_progressed(self, event: RefreshProgressed) -> None:
        if event.report is not None:
            if self._refreshed_timer is not None:
                self._refreshed_timer.stop()
                self._refreshed_timer = None
            self._refreshed = []  # the whole list is read again below
            summary = event.report.summary
            self._progress(None, None, summary)
            self.post_message(LibraryChanged(summary))
            return
        assert event.progress is not None
        outcome = event.progress.outcome
        title = clean_line(outcome.title, 60)
        self._progress(event.progress.done, event.progress.total, f"Refreshing… {title}")
        # Feeds' counts and error marks change as each one finishes: the feed list
        # redraws them in batches, not once per feed.
        self._refreshed.append(outcome)
        if self._refreshed_timer is None:
            wait = self._refreshed_shown_at + COUNTS_DURING_REFRESH_EVERY - time.monotonic()
            # (a Textual timer of 0 s never fires: the batch would wait for the end)
            self._refreshed_timer = self.set_timer(max(wait, 0.01), self._show_refreshed)

    def _show_refreshed(self) -> None:
        self._refreshed_timer = None
        self._refreshed_shown_at = time.monotonic()
        self.query_one(FeedList).sources_refreshed(self._refreshed)
        self._refreshed = []

    def _progress(self, done: int | None, total: int | None, text: str) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = total is not None
        if total is not None:
            bar.update(total=total, progress=done or 0)
        # one line of fixed size (see app.tcss): no layout pass for each feed of a refresh
        self.query_one("#status-text", Label).update(Text(text), layout=False)

    # ------------------------------------------------------------ sources

    def action_add_source(self) -> None:
        def added(source: str | None) -> None:
            if source:
                self.add_source(source)

        self.push_screen(AddSourceScreen(self.library.check_source), added)

    @work(thread=True, exit_on_error=False, name="add the source")
    def add_source(self, source: str, keep_failed: bool = False) -> None:
        (result,) = self.library.add_sources([SourceRequest(source)], keep_failed=keep_failed)
        self.post_message(SourceAdded(result))

    @on(SourceAdded)
    @_while_open
    def _source_added(self, event: SourceAdded) -> None:
        result = event.result
        if result.error and result.outcome is not None:
            self._offer_to_keep(result)
            return
        if result.error:
            message = result.error
        elif result.already and result.feed:
            message = f"Already in the library: {result.feed.title}"
        elif result.feed and result.outcome and result.outcome.error:
            message = f"Added, but {result.outcome.error}"
        else:
            message = f"Added {result.feed.title}" if result.feed else "Nothing added"
        self.notify(clean_line(message, 200), markup=False)
        self.load_feeds(f"feed-{result.feed.id}" if result.feed else None)
        if result.feed and result.added and len(result.discovered) > 1:
            self._offer_feeds(result.feed.id, result.discovered)

    def _offer_to_keep(self, result: AddResult) -> None:
        """The first import failed, so nothing was added: keep it all the same?"""
        question = Text.assemble(
            (clean_line(result.error, 300), "bold"),
            "\n\nNothing was added. Keep it anyway, to refresh later?",
        )

        def answered(keep: bool | None) -> None:
            if keep:
                self.add_source(result.request.source, keep_failed=True)

        self.push_screen(ConfirmScreen(question), answered)

    def _offer_feeds(self, feed_id: int, candidates: tuple[str, ...]) -> None:
        """The page listed several feeds; the first was taken: let the user pick another."""

        def chosen(url: str | None) -> None:
            if url and url != candidates[0]:
                self.switch_feed(feed_id, url)

        self.push_screen(ChooseFeedScreen(candidates), chosen)

    @work(thread=True, exit_on_error=False, name="switch feeds")
    def switch_feed(self, feed_id: int, url: str) -> None:
        """Follow another of the page's feeds instead of the one just added."""
        self.library.remove_feed(feed_id)  # just added: nothing of the user's is in it yet
        (result,) = self.library.add_sources([SourceRequest(url)])
        self.post_message(SourceAdded(result))

    def _highlighted_search(self) -> SavedSearch | None:
        feed_list = self.query_one(FeedList)
        return feed_list.searches.get(feed_list.highlighted_id or "")

    def action_save_search(self) -> None:
        """ctrl+s: keep the query in the bar as a smart feed in the feed list."""
        text = self.query_one("#search", Input).value.strip()
        if not text:
            self._search_message("type a search to save it")
            return

        def named(name: str | None) -> None:
            if name:
                self.store_search(name, text)

        self.push_screen(NameScreen("Save this search as", text), named)

    @work(thread=True, exit_on_error=False, name="save the search")
    def store_search(self, name: str, query: str) -> None:
        search_id = self.library.save_search(name, query)
        notice = f"Saved search {clean_line(name, 80)}"
        self.post_message(LibraryChanged(notice, keep=f"search-{search_id}"))

    def action_rename_search(self) -> None:
        saved = self._highlighted_search()
        if saved is None:
            self.notify("Choose a saved search in the feed list first", markup=False)
            return

        def named(name: str | None) -> None:
            if name and name != saved.name:
                self.rename_search(saved.id, name)

        self.push_screen(NameScreen("Rename the saved search", saved.name), named)

    @work(thread=True, exit_on_error=False, name="rename the search")
    def rename_search(self, search_id: int, name: str) -> None:
        self.library.rename_search(search_id, name)
        self.post_message(LibraryChanged("", keep=f"search-{search_id}"))

    def action_delete_feed(self) -> None:
        if (saved := self._highlighted_search()) is not None:
            name = clean_line(saved.name, 200)
            question = Text.assemble("Delete the saved search ", (name, "bold"), "?")

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.action_clear_search()
                    self.delete_search(saved.id)

            self.push_screen(ConfirmScreen(question), confirmed)
            return
        feed_id = self._view.feed_id
        if feed_id is None:
            self.notify("Choose a feed in the feed list first", markup=False)
            return
        name = dict(self.query_one(FeedList).titles).get(feed_id, f"feed {feed_id}")
        question = Text.assemble(
            "Delete ", (clean_line(name, 200), "bold"), "? Starred articles are kept."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_feed(feed_id)

        self.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, name="delete the search")
    def delete_search(self, search_id: int) -> None:
        self.library.delete_search(search_id)
        self.post_message(LibraryChanged("", keep="all"))

    @work(thread=True, exit_on_error=False, name="delete the feed")
    def delete_feed(self, feed_id: int) -> None:
        kept = self.library.remove_feed(feed_id)
        note = f"; kept {kept} starred articles" if kept else ""
        self.post_message(LibraryChanged(f"Feed deleted{note}", keep="all"))

    # ------------------------------------------------------------ focus, help, state

    def feed_titles(self) -> list[tuple[int, str]]:
        """(id, title) of the feeds in the feed list, for the command palette."""
        return self.query_one(FeedList).titles

    def go_to_feed(self, feed_id: int) -> None:
        feed_list = self.query_one(FeedList)
        if feed_list.feed_at(entry_id := f"feed-{feed_id}") is not None:
            feed_list.highlight(entry_id)
            self.query_one(ArticleList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_help(self) -> None:
        """Every binding, with the keys the user's [keys] config gave it."""
        keys = self._config.keys

        def effective(bindings: list[Binding]) -> list[Binding]:
            return [dataclasses.replace(b, key=keys.get(b.id or "", b.key)) for b in bindings]

        sections = [
            ("Everywhere", effective(self.BINDINGS)),
            ("Article list", effective(ArticleList.BINDINGS)),
            ("Reader", effective(Reader.BINDINGS)),
            ("Feed list", effective(FeedList.BINDINGS)),
        ]
        self.push_screen(HelpScreen(sections, QUERY_HELP))

    def _state_key(self) -> str:
        """UI state is kept per library: `--db other.db` has a place of its own."""
        return str(self._config.db_path.expanduser().resolve())

    def _load_state(self) -> dict:
        try:
            saved = json.loads(self._state_path.read_text())
        except (OSError, ValueError):
            return {}
        libraries = saved.get("libraries") if isinstance(saved, dict) else None
        state = libraries.get(self._state_key()) if isinstance(libraries, dict) else None
        return state if isinstance(state, dict) else {}

    def _save_state(self) -> None:
        state = {
            "feed": self.query_one(FeedList).highlighted_id or "all",
            "article": self.query_one(ArticleList).current_id,
            "reader_scroll": self.query_one(Reader).scroll_y,
            "theme": self.theme,
        }
        try:
            saved = json.loads(self._state_path.read_text())
        except (OSError, ValueError):
            saved = {}
        libraries = saved.get("libraries") if isinstance(saved, dict) else None
        libraries = libraries if isinstance(libraries, dict) else {}
        libraries[self._state_key()] = state
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            self._state_path.write_text(json.dumps({"libraries": libraries}))
        except OSError:
            pass  # losing the place in the list is not worth an error on quit


def _fetched_at(seconds: int) -> str:
    return datetime.fromtimestamp(seconds).strftime("%d %b %H:%M")

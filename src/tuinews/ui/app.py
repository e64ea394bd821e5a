"""The reader: feeds | articles | article, with a search bar on top.

The UI thread only draws. Everything that touches the library runs in thread
workers, each with its own Store (a SQLite connection belongs to one thread),
and reports back with call_from_thread. The one exception is the article
list's page fetch: a primary-key read of at most 200 rows, done where the
rows are drawn so that scrolling never shows empty rows.
"""

from __future__ import annotations

import dataclasses
import json
import time
import webbrowser
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import platformdirs
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, OptionList, ProgressBar

from tuinews.clean import clean_line
from tuinews.config import APP_NAME, Config
from tuinews.models import ArticleRow, ArticleView, SavedSearch, SourceOutcome
from tuinews.refresh import Progress, refresh_feeds
from tuinews.render import render_body
from tuinews.resources import bundled
from tuinews.search_query import SearchQuery
from tuinews.store import Store
from tuinews.ui.article_list import ArticleList
from tuinews.ui.commands import TuinewsCommands
from tuinews.ui.feed_list import ALL, FeedList
from tuinews.ui.reader import Reader
from tuinews.ui.richtext import article_page
from tuinews.ui.screens import (
    AddSourceScreen,
    ChooseFeedScreen,
    ConfirmScreen,
    HelpScreen,
    NameScreen,
)
from tuinews.urls import is_openable

# Search waits for a pause in typing this long (seconds), then runs in a worker.
SEARCH_DEBOUNCE = 0.12
OTHER_WRITERS_CHECK = 3.0  # seconds between looks for another process's writes
FIRST_PAGE = 100  # ids shown before the rest of a long list arrives
COUNTS_DURING_REFRESH_EVERY = 0.5  # seconds between feed-list updates while refreshing
SNIPPETS_SHOWN = 60  # about a screenful of results gets an extract; the rest show their feed


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
        Binding("y", "copy_link", "Copy link", show=False, id="copy_link"),
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
    ) -> None:
        """`clock` decides what "today" is in the list's dates (fixed in snapshot tests)."""
        super().__init__()
        self._config = config
        self._clock = clock
        self._state_path = state_path or Path(platformdirs.user_state_dir(APP_NAME)) / "ui.json"
        self._view: ArticleView = ALL
        self._search: SearchQuery | None = None  # while results are shown
        self._search_timer: Timer | None = None
        self._restore_scroll: tuple[int, float] | None = None  # (article id, reader offset)
        self._undo: list[int] = []  # the ids the last "mark all read" changed
        self._refreshed: list[SourceOutcome] = []  # done, not yet shown in the feed list
        self._refreshed_shown_at = 0.0  # time.monotonic() of the last such update
        self._refreshed_timer: Timer | None = None
        self._store: Store | None = None
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
        self._store = Store(self._config.db_path)
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
        self.load_feeds(keep=feed_option)
        self.query_one(ArticleList).focus()
        self._seen_version = self._store.data_version()
        self._seen_count = self._store.article_count()
        self.set_interval(OTHER_WRITERS_CHECK, self._check_other_writers)
        if self._config.auto_refresh_minutes:
            self.set_interval(self._config.auto_refresh_minutes * 60, self.action_refresh_all)

    def _check_other_writers(self) -> None:
        """Another process (a cron refresh) wrote to the library: show what it brought."""
        if self._store is None:
            return
        version = self._store.data_version()
        if version == self._seen_version:
            return
        self._seen_version = version
        count = self._store.article_count()  # our own workers' writes change counts only
        new_articles, self._seen_count = count != self._seen_count, count
        self.load_feeds(reload_list=new_articles and self._search is None)

    def action_refresh_all(self) -> None:
        self.run_refresh(None)

    async def action_quit(self) -> None:
        self._save_state()  # while the panes still exist
        self.exit()

    def on_unmount(self) -> None:
        if self._store:
            self._store.close()

    def _fetch_rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        return self._store.article_rows(ids) if self._store else []

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="feeds")
    def load_feeds(self, keep: str | None = None, reload_list: bool = False) -> None:
        """Rebuild the feed list; reload the article list too when asked or when its
        feed is gone (it keeps its place on the current article)."""
        with Store(self._config.db_path) as store:
            feeds = store.feeds()
            starred = len(store.article_ids(ArticleView(starred=True)))
            searches = [(s, self._unread_matches(store, s)) for s in store.saved_searches()]
        self.call_from_thread(self._show_feeds, feeds, starred, searches, keep, reload_list)

    def _unread_matches(self, store: Store, search: SavedSearch) -> int | None:
        """A saved search's unread count, or None when its query no longer parses."""
        from tuinews.search_query import QueryError, parse_query

        try:
            query = parse_query(search.query, now=self._clock().timestamp())
        except QueryError:
            return None
        return len(store.search(dataclasses.replace(query, unread=True), limit=100_000))

    def _show_feeds(
        self, feeds, starred: int, searches, keep: str | None, reload_list: bool
    ) -> None:
        feed_list = self.query_one(FeedList)
        current = feed_list.highlighted_option
        keep = keep or (current.id if current else "all")
        with feed_list.prevent(OptionList.OptionHighlighted):
            feed_list.show(feeds, starred=starred, searches=searches, keep=keep)
        option = feed_list.highlighted_option
        self._show_feed_error(option.id if option else None)
        view = (FeedList.view_of(option.id) if option and option.id else ALL) or self._view
        if view != self._view or reload_list:
            self._view = view
            self.load_view(view, self.query_one(ArticleList).current_id)

    @on(OptionList.OptionHighlighted, "#feeds")
    def _feed_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        if not option_id:
            return
        self._show_feed_error(option_id)
        if (saved := self.query_one(FeedList).searches.get(option_id)) is not None:
            self.query_one("#search", Input).value = saved.query  # runs it, as if typed
            return
        self._view = FeedList.view_of(option_id) or ALL
        if self._search is not None:
            self.query_one("#search", Input).value = ""
            self._search = None
            self._search_message("")
            self.query_one("#articles").border_title = "Articles"
        self.load_view(self._view)

    def _show_feed_error(self, option_id: str | None) -> None:
        """The highlighted feed's last refresh error, in words, under its articles (the
        feed list only has room for a mark)."""
        feed = self.query_one(FeedList).feed_at(option_id)
        error = clean_line(feed.last_error, 200) if feed and feed.last_error else ""
        pane = self.query_one("#articles")
        pane.border_subtitle = Text(f"! {error}", style="bold red") if error else ""

    @on(OptionList.OptionSelected, "#feeds")
    def _feed_selected(self) -> None:
        self.query_one(ArticleList).focus()

    @work(thread=True, exclusive=True, group="view")
    def load_view(self, view: ArticleView, select: int | None = None) -> None:
        """A screenful first, then the whole list: the first paint does not wait for
        100,000 ids (unless the article to restore is further down)."""
        with Store(self._config.db_path) as store:
            if select is None:
                first = store.article_ids(view, limit=FIRST_PAGE)
                self.call_from_thread(self._show_view, view, first, None)
                if len(first) < FIRST_PAGE:
                    return
            ids = store.article_ids(view)
        if select is None:
            self.call_from_thread(self._extend_view, view, ids)
        else:
            self.call_from_thread(self._show_view, view, ids, select)

    def _extend_view(self, view: ArticleView, ids: list[int]) -> None:
        if view == self._view and self._search is None:
            self.query_one(ArticleList).extend(ids)

    def _show_view(self, view: ArticleView, ids: list[int], select: int | None) -> None:
        if view == self._view and self._search is None:
            self.query_one(ArticleList).show(ids, show_feed=view.feed_id is None, select=select)
            if not ids:
                reader = self.query_one(Reader)
                reader.show(Text("No articles here.", style="dim"), reader.reading_width)

    @on(ArticleList.Highlighted)
    def _article_highlighted(self, event: ArticleList.Highlighted) -> None:
        mark_read = event.chosen and self._config.mark_read_on_open
        self.load_article(event.article_id, self.query_one(Reader).reading_width, mark_read)

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

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        from tuinews.search_query import QueryError, parse_query

        if not text.strip():
            self.call_from_thread(self._end_search)
            return
        try:
            query = parse_query(text, now=self._clock().timestamp())
        except QueryError as error:
            self.call_from_thread(self._search_message, str(error))
            return
        with Store(self._config.db_path) as store:
            ids = [hit.article_id for hit in store.search(query)]
            snippets = store.snippets(query.match, ids[:SNIPPETS_SHOWN]) if query.match else {}
        self.call_from_thread(self._show_results, text, query, ids, snippets)

    def _show_results(self, text: str, query, ids: list[int], snippets: dict[int, str]) -> None:
        if self.query_one("#search", Input).value != text:
            return  # the user typed on: a newer search is coming
        self._search = query
        self._search_message(f"{len(ids)} found" if ids else "nothing found")
        self.query_one("#articles").border_title = "Search results"
        self.query_one(ArticleList).show(ids, show_feed=True, snippets=snippets)
        if not ids:
            reader = self.query_one(Reader)
            reader.show(Text("No article matches.", style="dim"), reader.reading_width)

    def _search_message(self, message: str) -> None:
        self.query_one("#search-error", Label).update(Text(message, style="dim"))

    def _end_search(self) -> None:
        """Back to the list the search replaced."""
        if self._search is None:
            self._search_message("")
            return
        self._search = None
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
            self.load_article(article_id, self.query_one(Reader).reading_width)

    @on(ArticleList.Opened)
    def _article_opened(self) -> None:
        self.query_one(Reader).focus()

    @work(thread=True, exclusive=True, group="reader")
    def load_article(self, article_id: int, width: int, mark_read: bool = False) -> None:
        """Lay the article out off the UI thread (a 5 MB body takes a while) and mark it read."""
        with Store(self._config.db_path) as store:
            row, body = store.article(article_id), store.article_body(article_id)
            if row is None or body is None:
                return
            terms = self._search.terms if self._search else ()
            page = article_page(row, body.summary, render_body(body, row.link), width, terms)
            if not row.read and mark_read:
                store.set_read([article_id], True)
                row = store.article(article_id)
        self.call_from_thread(self._show_article, row, page, width)

    def _show_article(self, row: ArticleRow, page: Text, width: int) -> None:
        articles = self.query_one(ArticleList)
        if articles.current_id != row.id:
            return  # the cursor moved on while this one was being laid out
        reader = self.query_one(Reader)
        reader.show(page, width)
        if self._restore_scroll and self._restore_scroll[0] == row.id:
            reader.scroll_to(y=self._restore_scroll[1], animate=False)  # where reading stopped
        self._restore_scroll = None
        self._article_changed(row)

    def _article_changed(self, row: ArticleRow) -> None:
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
            self._set_flag(row.id, "read", not row.read)

    def action_toggle_star(self) -> None:
        if row := self._current():
            self._set_flag(row.id, "starred", not row.starred)

    @work(thread=True)
    def _set_flag(self, article_id: int, flag: str, value: bool) -> None:
        with Store(self._config.db_path) as store:
            if flag == "read":
                store.set_read([article_id], value)
            else:
                store.set_starred([article_id], value)
            row = store.article(article_id)
        if row:
            self.call_from_thread(self._article_changed, row)

    @work(thread=True)
    def action_mark_view_read(self) -> None:
        with Store(self._config.db_path) as store:
            changed = store.unread_ids(self._view)
            store.set_read(changed, True)
        self._undo = changed
        self.call_from_thread(self._after_bulk_change, f"Marked {len(changed)} read (u undoes)")

    @work(thread=True)
    def action_undo(self) -> None:
        if not self._undo:
            self.call_from_thread(self.notify, "Nothing to undo", markup=False)
            return
        with Store(self._config.db_path) as store:
            store.set_read(self._undo, False)
        count, self._undo = len(self._undo), []
        self.call_from_thread(self._after_bulk_change, f"Marked {count} unread again")

    def _after_bulk_change(self, message: str) -> None:
        self.notify(message, markup=False)
        self.load_feeds(reload_list=True)

    @work(thread=True, exclusive=True, group="reader")
    def action_next_unread(self, direction: int = 1) -> None:
        """The next unread article in this list; past its end, the next feed with unread."""
        articles = self.query_one(ArticleList)
        with Store(self._config.db_path) as store:
            unread = set(store.unread_ids(self._view))
        ids = articles.article_ids
        order = range(articles.cursor + direction, len(ids) if direction > 0 else -1, direction)
        target = next((i for i in order if ids[i] in unread), None)
        if target is not None:
            self.call_from_thread(articles.move_to, target)
        else:
            self.call_from_thread(self._next_unread_feed, direction)

    def _next_unread_feed(self, direction: int) -> None:
        feed_list = self.query_one(FeedList)
        options = feed_list.options
        start = feed_list.highlighted or 0
        order = range(start + direction, len(options) if direction > 0 else -1, direction)
        for index in order:
            option = options[index]
            if option.id and feed_list.unread.get(option.id):
                feed_list.highlighted = index
                return
        self.notify("No more unread articles", markup=False)

    # ------------------------------------------------------------ links

    def action_open_link(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.link:
            self.notify("Not opened: this article has no link", markup=False)
            return
        if not is_openable(row.link):
            shown = clean_line(row.link, 80)
            self.notify(f"Not opened: only http(s) links open ({shown})", markup=False)
            return
        shown = clean_line(row.link, 80)
        if self._open_in_browser(row.link):
            self.notify(f"Opened {shown}", markup=False)
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
        row = self._current()
        if row and row.link:
            self.copy_to_clipboard(clean_line(row.link, 4096))
            self.notify("Link copied", markup=False)

    # ------------------------------------------------------------ sources

    def action_refresh(self, everything: bool) -> None:
        feed_id = self._view.feed_id
        if not everything and feed_id is None:
            everything = True  # "All articles", "Unread", "Starred" refresh everything
        self.run_refresh(None if everything else feed_id)

    class RefreshProgressed(Message):
        """A feed of a refresh is done (`progress`), or the whole refresh (`summary`).

        Posted, not called: call_from_thread would hold the refresh up until the
        screen had caught up, once per feed (a 200-feed refresh took twice as long).
        """

        def __init__(self, progress: Progress | None = None, summary: str = "") -> None:
            super().__init__()
            self.progress = progress
            self.summary = summary

    @work(thread=True, exclusive=True, group="refresh")
    def run_refresh(self, feed_id: int | None) -> None:
        with Store(self._config.db_path) as store:
            feeds = [f for f in store.feeds() if feed_id is None or f.id == feed_id]
            self.call_from_thread(self._progress, 0, len(feeds), "Refreshing…")
            outcomes = refresh_feeds(
                store,
                feeds,
                max_bytes=self._config.max_document_bytes,
                max_download_bytes=self._config.max_download_bytes,
                on_progress=lambda step: self.post_message(self.RefreshProgressed(step)),
            )
        added = sum(o.added for o in outcomes)
        failed = sum(1 for o in outcomes if o.error)
        summary = f"{added} new articles" + (
            f", {failed} source{'s' if failed > 1 else ''} failed" if failed else ""
        )
        self.post_message(self.RefreshProgressed(summary=summary))

    @on(RefreshProgressed)
    def _refresh_progressed(self, event: RefreshProgressed) -> None:
        if event.progress is None:
            if self._refreshed_timer is not None:
                self._refreshed_timer.stop()
                self._refreshed_timer = None
            self._refreshed = []  # the whole list is read again below
            self._progress(None, None, event.summary)
            self._after_bulk_change(event.summary)
            return
        outcome = event.progress.outcome
        title = clean_line(outcome.title, 60)
        self._progress(event.progress.done, event.progress.total, f"Refreshing… {title}")
        # Feeds' counts and error marks change as each one finishes. Every change makes
        # the feed list measure all its entries again, so show them in batches.
        self._refreshed.append(outcome)
        if self._refreshed_timer is None:
            wait = self._refreshed_shown_at + COUNTS_DURING_REFRESH_EVERY - time.monotonic()
            self._refreshed_timer = self.set_timer(max(wait, 0), self._show_refreshed)

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

    def action_add_source(self) -> None:
        def added(source: str | None) -> None:
            if source:
                self.add_source(source)

        self.push_screen(AddSourceScreen(), added)

    @work(thread=True)
    def add_source(self, source: str) -> None:
        from tuinews.library import SourceRequest, add_sources

        with Store(self._config.db_path) as store:
            (result,) = add_sources(
                store,
                [SourceRequest(source)],
                max_bytes=self._config.max_document_bytes,
                max_download_bytes=self._config.max_download_bytes,
            )
        if result.feed is None:
            message = result.error or "could not add"
        elif result.outcome and result.outcome.error:
            message = f"Added, but {result.outcome.error}"
        else:
            message = f"Added {result.feed.title}"
        self.call_from_thread(self.notify, clean_line(message, 200), markup=False)
        keep = f"feed-{result.feed.id}" if result.feed else None
        self.call_from_thread(self.load_feeds, keep)
        if result.feed and len(result.discovered) > 1:
            self.call_from_thread(self._offer_feeds, result.feed.id, result.discovered)

    def _offer_feeds(self, feed_id: int, candidates: tuple[str, ...]) -> None:
        """The page listed several feeds; the first was taken: let the user pick another."""

        def chosen(url: str | None) -> None:
            if url and url != candidates[0]:
                self.switch_feed(feed_id, url)

        self.push_screen(ChooseFeedScreen(candidates), chosen)

    @work(thread=True)
    def switch_feed(self, feed_id: int, url: str) -> None:
        """Follow another of the page's feeds instead of the one just added."""
        with Store(self._config.db_path) as store:
            store.remove_feed(feed_id)  # just added: nothing of the user's is in it yet
        self.call_from_thread(self.add_source, url)

    def _highlighted_search(self) -> SavedSearch | None:
        feed_list = self.query_one(FeedList)
        option = feed_list.highlighted_option
        return feed_list.searches.get(option.id or "") if option else None

    def action_save_search(self) -> None:
        """ctrl+s: keep the query in the bar as a smart feed in the feed list."""
        from tuinews.search_query import QueryError, parse_query

        text = self.query_one("#search", Input).value.strip()
        try:
            parse_query(text, now=self._clock().timestamp())
        except QueryError as error:
            self._search_message(f"not saved: {error}")
            return
        if not text:
            self._search_message("type a search to save it")
            return

        def named(name: str | None) -> None:
            if name:
                self.store_search(name, text)

        self.push_screen(NameScreen("Save this search as", text), named)

    @work(thread=True)
    def store_search(self, name: str, query: str) -> None:
        with Store(self._config.db_path) as store:
            search_id = store.save_search(name, query)
        self.call_from_thread(self.notify, f"Saved search {clean_line(name, 80)}", markup=False)
        self.call_from_thread(self.load_feeds, f"search-{search_id}")

    def action_rename_search(self) -> None:
        saved = self._highlighted_search()
        if saved is None:
            self.notify("Choose a saved search in the feed list first", markup=False)
            return

        def named(name: str | None) -> None:
            if name and name != saved.name:
                self.rename_search(saved.id, name)

        self.push_screen(NameScreen("Rename the saved search", saved.name), named)

    @work(thread=True)
    def rename_search(self, search_id: int, name: str) -> None:
        with Store(self._config.db_path) as store:
            try:
                store.rename_search(search_id, name)
            except ValueError as error:
                self.call_from_thread(self.notify, str(error), markup=False)
        self.call_from_thread(self.load_feeds, f"search-{search_id}")

    def action_delete_feed(self) -> None:
        if (saved := self._highlighted_search()) is not None:
            question = Text.assemble("Delete the saved search ", (saved.name, "bold"), "?")

            def confirmed(yes: bool | None) -> None:
                if yes:
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

    @work(thread=True)
    def delete_search(self, search_id: int) -> None:
        with Store(self._config.db_path) as store:
            store.delete_search(search_id)
        self.call_from_thread(self.action_clear_search)
        self.call_from_thread(self.load_feeds, "all")

    @work(thread=True)
    def delete_feed(self, feed_id: int) -> None:
        with Store(self._config.db_path) as store:
            kept = store.remove_feed(feed_id)
        note = f"; kept {kept} starred articles" if kept else ""
        self.call_from_thread(self.notify, f"Feed deleted{note}", markup=False)
        self.call_from_thread(self.load_feeds, "all")

    # ------------------------------------------------------------ focus, help, state

    def feed_titles(self) -> list[tuple[int, str]]:
        """(id, title) of the feeds in the feed list, for the command palette."""
        return self.query_one(FeedList).titles

    def go_to_feed(self, feed_id: int) -> None:
        feed_list = self.query_one(FeedList)
        ids = [option.id for option in feed_list.options]
        if (option_id := f"feed-{feed_id}") in ids:
            feed_list.highlighted = ids.index(option_id)
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
        from tuinews.search_query import QUERY_HELP

        self.push_screen(HelpScreen(sections, QUERY_HELP))

    def _load_state(self) -> dict:
        try:
            state = json.loads(self._state_path.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_state(self) -> None:
        option = self.query_one(FeedList).highlighted_option
        state = {
            "feed": option.id if option else "all",
            "article": self.query_one(ArticleList).current_id,
            "reader_scroll": self.query_one(Reader).scroll_y,
            "theme": self.theme,
        }
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            self._state_path.write_text(json.dumps(state))
        except OSError:
            pass  # losing the place in the list is not worth an error on quit

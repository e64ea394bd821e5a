"""The feed list on its own, driven with keys and clicks through Textual's Pilot.

The list is given Feed values directly (no library file), in a bare app that
loads the real stylesheet, so what is checked is what the pane shows: its rows
as drawn on the screen, where the cursor is, and what the list tells the app.
"""

from __future__ import annotations

import dataclasses
import re

from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from tuinews.models import ArticleRow, Feed, SavedSearch, SourceKind, SourceOutcome
from tuinews.resources import bundled
from tuinews.ui.feed_list import FeedList

SIZE = (60, 20)
LONG_TITLE = "The Extraordinarily Long Name of a Regional Evening Newspaper"


def feed(feed_id: int, title: str, *, tags: tuple[str, ...] = (), unread: int = 0) -> Feed:
    return Feed(
        id=feed_id, source=f"https://feeds.example/{feed_id}", kind=SourceKind.URL, title=title,
        tags=tags, unread=unread, total=10, last_attempt=None, last_success=None, last_error=None,
    )  # fmt: skip


def big_library() -> list[Feed]:
    """5,000 feeds: 4,900 under 50 topics ("topic 00" holds feeds 50, 100, … 4,900),
    the last 100 with no tag; feed n has n % 4 unread of its 10 articles."""
    return [
        feed(n, f"Feed {n:04d}", tags=(f"topic {n % 50:02d}",) if n <= 4900 else (), unread=n % 4)
        for n in range(1, 5001)
    ]


class FeedsApp(App[None]):
    """Just the feed list, styled as in tuinews; it records what the list tells the app."""

    CSS_PATH = str(bundled("styles") / "app.tcss")

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield FeedList(id="feeds")

    @on(FeedList.Highlighted)
    def _highlighted(self, event: FeedList.Highlighted) -> None:
        self.told.append(("highlighted", event.entry_id))

    @on(FeedList.Selected)
    def _selected(self, event: FeedList.Selected) -> None:
        self.told.append(("selected", event.entry_id))


async def started(pilot: Pilot, feeds: list[Feed], **show) -> FeedList:
    feed_list = pilot.app.query_one(FeedList)
    feed_list.show(feeds, starred=show.pop("starred", 0), **show)
    feed_list.focus()
    await pilot.pause()
    return feed_list


def drawn(app: App) -> list[Strip]:
    """The screen's lines across the list's rows (no border, padding or scrollbar)."""
    rows = app.query_one(FeedList).scrollable_content_region
    strips = app.screen._compositor.render_strips()[rows.y : rows.bottom]
    return [strip.crop(rows.x, rows.right) for strip in strips]


def pane_rows(app: App) -> list[str]:
    """The list's rows as drawn, trailing blanks dropped and the padding that puts the
    counts in a column read as two spaces (indentation is kept)."""
    rows = [strip.text for strip in drawn(app)]
    return [(row[:2] + re.sub(" {2,}", "  ", row[2:])).rstrip() for row in rows]


def cursor_rows(app: App) -> list[str]:
    """The rows drawn in the cursor's colour (one, when the cursor is on screen)."""
    cursor = app.query_one(FeedList).get_component_rich_style("feed-list--cursor").bgcolor
    return [
        row
        for strip, row in zip(drawn(app), pane_rows(app), strict=True)
        if any(segment.style and segment.style.bgcolor == cursor for segment in strip)
    ]


# ---------------------------------------------------------------- a big library


async def test_a_5000_feed_library_shows_its_first_rows():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot, big_library(), starred=4)
        assert pane_rows(app)[:8] == [
            "All articles  50000",
            "Unread  7500",  # 1,250 runs of 1 + 2 + 3 unread
            "Starred  4",
            "",
            "topic 00",
            "  Feed 0050  2",
            "  Feed 0100",
            "  Feed 0150  2",
        ]
        assert cursor_rows(app) == ["All articles  50000"]


async def test_j_and_k_step_over_dividers_and_headings():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, big_library())
        await pilot.press("j", "j", "j")  # Unread, Starred, then past the divider and heading
        assert feed_list.highlighted_id == "feed-50"
        assert cursor_rows(app) == ["  Feed 0050  2"]
        await pilot.press("k")
        assert feed_list.highlighted_id == "starred"
        assert cursor_rows(app) == ["Starred"]

        feed_list.highlight("feed-4900", quiet=True)  # the last feed of topic 00
        await pilot.press("down")
        assert feed_list.highlighted_id == "feed-1"  # the first of topic 01
        assert cursor_rows(app) == ["  Feed 0001  1"]
        rows = pane_rows(app)
        assert rows[rows.index("  Feed 0001  1") - 2 :][:2] == ["", "topic 01"]
        await pilot.press("up")
        assert feed_list.highlighted_id == "feed-4900"

        assert app.told == [
            ("highlighted", "unread"),
            ("highlighted", "starred"),
            ("highlighted", "feed-50"),
            ("highlighted", "starred"),
            ("highlighted", "feed-1"),
            ("highlighted", "feed-4900"),
        ]  # nothing for the quiet move


async def test_G_reaches_the_last_feed_and_g_the_top():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, big_library())
        await pilot.press("G")
        assert feed_list.highlighted_id == "feed-5000"
        assert pane_rows(app)[-1] == "Feed 5000"  # not indented: the untagged feeds come last
        assert cursor_rows(app) == ["Feed 5000"]
        await pilot.press("g")
        assert feed_list.highlighted_id == "all"
        assert pane_rows(app)[0] == "All articles  50000"
        assert cursor_rows(app) == ["All articles  50000"]


async def test_page_down_moves_a_screenful_and_stops_on_a_feed():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, big_library())
        before = pane_rows(app)
        await pilot.press("pagedown")
        assert cursor_rows(app) == [before[-1]]  # the bottom row
        await pilot.press("pagedown")
        (row,) = cursor_rows(app)
        assert row.startswith("  Feed ") and row not in before
        await pilot.press("pageup", "pageup")
        assert feed_list.highlighted_id == "all"


# ---------------------------------------------------------------- rows


async def test_a_long_title_is_cut_so_its_count_stays_on_its_row():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(
            pilot, [feed(1, LONG_TITLE, unread=3), feed(2, "Short", unread=12)]
        )
        cut, short = pane_rows(app)[4:6]
        assert re.fullmatch("The Extraordinar[^…]*…  3", cut)
        assert short == "Short  12"
        await pilot.resize_terminal(100, SIZE[1])
        feed_list.styles.width = 90  # as in a narrow terminal, where it takes every column
        await pilot.pause()
        assert pane_rows(app)[4:6] == [f"{LONG_TITLE}  3", "Short  12"]


async def test_markup_and_escapes_in_titles_show_as_text():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feeds = [
            feed(1, "[bold red]x[/]", unread=1),
            feed(2, "\x1b[2JWiped\x07", tags=("[link=x]t[/]",)),
        ]
        await started(pilot, feeds)
        rows = pane_rows(app)
        assert rows[3:8] == ["", "[link=x]t[/]", "  Wiped", "", "[bold red]x[/]  1"]
        assert not any("\x1b" in row or "\x07" in row for row in rows)


async def test_saved_searches_are_listed_with_a_mark_when_they_no_longer_parse():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        searches = [
            (SavedSearch(1, "ferry", "ferry"), 2),
            (SavedSearch(2, "broken", "(ferry"), None),
        ]
        feed_list = await started(pilot, [feed(1, "Harbour", unread=1)], searches=searches)
        assert pane_rows(app)[3:9] == [
            "",
            "Saved searches",
            "  ⌕ ferry  2",
            "  ⌕ ! broken",
            "",
            "Harbour  1",
        ]
        await pilot.press("j", "j", "j")
        assert feed_list.highlighted_id == "search-1"
        assert feed_list.searches["search-1"].query == "ferry"


async def test_a_refresh_shows_new_counts_titles_and_error_marks_in_place():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, [feed(1, "Alpha", unread=1), feed(2, "Beta")])
        feed_list.sources_refreshed(
            [
                SourceOutcome(feed_id=1, source="", title="Alpha Renamed", added=2),
                SourceOutcome(feed_id=2, source="", title="Beta", error="cannot read"),
            ]
        )
        await pilot.pause()
        assert pane_rows(app)[:6] == [
            "All articles  22",
            "Unread  3",
            "Starred",
            "",
            "Alpha Renamed  3",
            "! Beta",
        ]
        assert feed_list.unread == {"feed-1": 3, "feed-2": 0}


async def test_reading_an_article_moves_its_counts():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, [feed(1, "Alpha", unread=2)])
        unread = ArticleRow(
            id=7, feed_id=1, feed_title="Alpha", title="A", author="", published=None,
            link="", read=False, starred=False,
        )  # fmt: skip
        read = dataclasses.replace(unread, read=True, starred=True)
        feed_list.article_changed(unread, read)
        await pilot.pause()
        assert pane_rows(app)[:5] == ["All articles  10", "Unread  1", "Starred  1", "", "Alpha  1"]


# ---------------------------------------------------------------- choosing


async def test_enter_and_a_click_choose_an_entry_but_a_heading_is_not_one():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feed_list = await started(pilot, [feed(1, "Alpha", tags=("news",))])
        await pilot.press("enter")
        assert app.told == [("selected", "all")]

        top = feed_list.content_region.y - feed_list.region.y
        heading = pane_rows(app).index("news")
        await pilot.click(FeedList, offset=(3, top + heading))
        assert feed_list.highlighted_id == "all"
        assert app.told == [("selected", "all")]

        await pilot.click(FeedList, offset=(3, top + heading + 1))
        assert feed_list.highlighted_id == "feed-1"
        assert app.told[1:] == [("highlighted", "feed-1"), ("selected", "feed-1")]


async def test_a_rebuild_keeps_the_cursor_without_telling_the_app():
    app = FeedsApp()
    async with app.run_test(size=SIZE) as pilot:
        feeds = big_library()
        feed_list = await started(pilot, feeds, keep="feed-5000")
        assert cursor_rows(app) == ["Feed 5000"]
        feed_list.show(feeds[::-1], starred=0, keep="feed-4999")
        await pilot.pause()
        assert cursor_rows(app) == ["Feed 4999  3"]
        assert app.told == []

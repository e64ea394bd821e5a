"""The reader TUI driven as a user drives it: keys and clicks through Textual's Pilot.

Every library here is built with the CLI (`cli("add", ...)`) from feeds with fixed
dates, and the app runs with a fixed clock. What is checked is what a person
would notice: what the panes show (read back from the widgets and from the
screen as drawn) and what the library file holds afterwards.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
import webbrowser
from datetime import datetime
from pathlib import Path

import pytest
from conftest import DATA
from feedgen import numbered_items, rss
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static
from textual.worker import WorkerFailed

from tuinews.config import Config
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_list import ArticleList
from tuinews.ui.feed_list import FeedList
from tuinews.ui.reader import Reader
from tuinews.ui.screens import AddSourceScreen, ConfirmScreen, HelpScreen

SIZE = (120, 40)
WIDE = (160, 45)  # three panes: the reader beside the list (ui.app.READER_FITS)
ROW_PREFIX = 11  # "● " flag (2 cells) + date (9 cells), then the title


def clock() -> datetime:
    return datetime(2024, 1, 10, 12, 0)


# ---------------------------------------------------------------- helpers


def write_feed(folder: Path, name: str, items: list[dict], title: str) -> Path:
    path = folder / name
    path.write_bytes(rss(items, title=title))
    return path


@pytest.fixture
def two_feeds(tmp_path: Path, cli) -> dict[str, Path]:
    """Alpha Feed (Alpha 0..4) and Beta Feed (Beta 10..12, newer): 8 articles."""
    feeds = {
        "Alpha Feed": write_feed(
            tmp_path, "alpha.xml", numbered_items(5, prefix="Alpha"), "Alpha Feed"
        ),
        "Beta Feed": write_feed(
            tmp_path, "beta.xml", numbered_items(3, prefix="Beta", start=10), "Beta Feed"
        ),
    }
    for path in feeds.values():
        assert cli("add", str(path)).code == 0
    return feeds


class Running:
    """`async with Running(db_path, tmp_path) as pilot`: the app under test, started, settled."""

    def __init__(self, db_path: Path, tmp_path: Path, size: tuple[int, int] = SIZE) -> None:
        self.app = TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json", clock=clock)
        self._context = self.app.run_test(size=size, notifications=True)

    async def __aenter__(self) -> Pilot:
        pilot = await self._context.__aenter__()
        await settle(pilot)
        return pilot

    async def __aexit__(self, *exc_info) -> bool | None:
        return await self._context.__aexit__(*exc_info)


async def settle(pilot: Pilot) -> None:
    """Wait until no worker runs and every message they caused is handled."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        busy = [worker for worker in app.workers if not worker.is_finished]
        if busy:
            with contextlib.suppress(WorkerFailed):  # the app turns it into a notice
                await app.workers.wait_for_complete(busy)
            continue
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return
    raise AssertionError("the app kept starting workers")


def rows(app: TuinewsApp) -> list[str]:
    """The visible rows of the article list, as drawn."""
    articles = app.query_one(ArticleList)
    return [
        "".join(segment.text for segment in articles.render_line(y))
        for y in range(articles.size.height)
    ]


def titles_shown(app: TuinewsApp) -> list[str]:
    """The titles in the visible rows (the feed name after " · " removed)."""
    return [row[ROW_PREFIX:].split(" · ")[0].strip() for row in rows(app) if row.strip()]


def reader_text(app: TuinewsApp) -> str:
    return str(app.query_one("#page", Static).render())


def screen_text(app: TuinewsApp) -> str:
    """The whole terminal as drawn (all layers: modals, notifications)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def feed_entries(app: TuinewsApp) -> dict[str, str]:
    """Entry id → the text of its row in the feed list (the padding that puts the
    counts in a column read as two spaces)."""
    feed_list = app.query_one(FeedList)
    return {
        entry_id: re.sub(" {2,}", "  ", feed_list.entry_text(entry_id).plain)
        for entry_id in feed_list.entry_ids
    }


def status_text(app: TuinewsApp) -> str:
    return str(app.query_one("#status-text", Label).render())


async def choose_feed(pilot: Pilot, entry_id: str) -> None:
    """Focus the feed list with shift+tab and walk down to the entry `entry_id`."""
    app = pilot.app
    feed_list = app.query_one(FeedList)
    for _ in range(4):
        if feed_list.has_focus:
            break
        await pilot.press("shift+tab")
    assert feed_list.has_focus
    await pilot.press("g")
    for _ in range(len(feed_list.entry_ids)):
        if feed_list.highlighted_id == entry_id:
            break
        await pilot.press("down")
    await settle(pilot)
    assert feed_list.highlighted_id == entry_id


def ids_newest_first(sql, where: str = "1", *params: object) -> list[int]:
    return [
        row[0]
        for row in sql(f"SELECT id FROM articles WHERE {where} ORDER BY published DESC", *params)
    ]


def feed_id(sql, title: str) -> int:
    ((found,),) = sql("SELECT id FROM feeds WHERE feed_title = ?", title)
    return found


def read_flag(sql, title: str) -> int:
    ((flag,),) = sql("SELECT read FROM articles WHERE title = ?", title)
    return flag


# ---------------------------------------------------------------- start


async def test_start_shows_feeds_every_article_newest_first_and_the_first_article(
    two_feeds, db_path, tmp_path, sql
):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        entries = " | ".join(feed_entries(app).values())
        for label in ("All articles", "Unread", "Starred", "Alpha Feed", "Beta Feed"):
            assert label in entries

        articles = app.query_one(ArticleList)
        assert articles.article_ids == ids_newest_first(sql)
        assert titles_shown(app) == [
            "Beta 12", "Beta 11", "Beta 10", "Alpha 4", "Alpha 3", "Alpha 2", "Alpha 1", "Alpha 0",
        ]  # fmt: skip
        assert rows(app)[1].startswith("● Nov 2023 Beta 11 · Beta Feed")
        assert articles.cursor == 0
        assert reader_text(app).splitlines()[0] == "Beta 12"
        assert "Body of beta 12." in reader_text(app)
        assert re.search(r"│ All articles +8 +│", screen_text(app))


# ---------------------------------------------------------------- moving


async def test_cursor_keys_move_and_the_reader_follows_marking_read(
    two_feeds, db_path, tmp_path, sql
):
    assert read_flag(sql, "Beta 11") == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)

        await pilot.press("j")
        await settle(pilot)
        assert articles.cursor == 1
        assert reader_text(app).startswith("Beta 11\n")
        assert read_flag(sql, "Beta 11") == 1
        assert rows(app)[1].startswith("  Nov 2023 Beta 11")  # no unread dot any more

        await pilot.press("down", "down")
        await settle(pilot)
        assert articles.cursor == 3
        assert reader_text(app).startswith("Alpha 4\n")

        await pilot.press("k")
        await settle(pilot)
        assert articles.cursor == 2
        assert reader_text(app).startswith("Beta 10\n")

        await pilot.press("G")
        await settle(pilot)
        assert articles.cursor == 7
        assert reader_text(app).startswith("Alpha 0\n")
        await pilot.press("j")  # already at the bottom: stays
        await settle(pilot)
        assert articles.cursor == 7

        await pilot.press("g")
        await settle(pilot)
        assert articles.cursor == 0
        assert reader_text(app).startswith("Beta 12\n")
        read = {title for (title,) in sql("SELECT title FROM articles WHERE read = 1")}
        assert read == {"Beta 12", "Beta 11", "Alpha 4", "Beta 10", "Alpha 0"}


async def test_G_reaches_the_last_of_5000_articles(tmp_path, cli, db_path):
    big = write_feed(tmp_path, "big.xml", numbered_items(5000, body="<p>x</p>"), "Big Feed")
    assert cli("add", str(big)).code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        assert len(articles.article_ids) == 5000

        await pilot.press("G")
        await settle(pilot)
        assert articles.cursor == 4999
        assert reader_text(app).startswith("Story 0\n")
        assert titles_shown(app)[-1] == "Story 0"  # scrolled: the last row is on screen
        assert "Story 4999" not in titles_shown(app)

        await pilot.press("g")
        await settle(pilot)
        assert titles_shown(app)[0] == "Story 4999"


async def test_clicking_a_row_opens_that_article(two_feeds, db_path, tmp_path):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        row = articles.content_region.y - articles.region.y + 3  # the fourth row: Alpha 4
        await pilot.click(ArticleList, offset=(20, row))
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 4\n")
        assert articles.cursor == 3


async def test_enter_moves_to_the_reader_where_space_pages_through_the_article(
    tmp_path, cli, db_path
):
    long_body = "".join(f"<p>Paragraph {n} of a long article.</p>" for n in range(80))
    path = write_feed(tmp_path, "long.xml", numbered_items(2, body=long_body), "Long Feed")
    assert cli("add", str(path)).code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        reader = app.query_one(Reader)
        await pilot.press("enter")
        assert app.focused is reader
        assert reader.scroll_y == 0

        await pilot.press("space")
        await settle(pilot)
        assert reader.scroll_y > 10
        assert app.query_one(ArticleList).cursor == 0  # the list did not move
        await pilot.press("g")
        await settle(pilot)
        assert reader.scroll_y == 0


# ---------------------------------------------------------------- read and starred


async def test_m_toggles_read_and_s_toggles_star_in_the_library(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        assert read_flag(sql, "Beta 12") == 0  # shown on start, not read until chosen

        await pilot.press("m")
        await settle(pilot)
        assert read_flag(sql, "Beta 12") == 1
        assert rows(app)[0].startswith("  ")
        assert "Unread  7" in feed_entries(app)["unread"]

        await pilot.press("m")
        await settle(pilot)
        assert read_flag(sql, "Beta 12") == 0
        assert rows(app)[0].startswith("● ")

        await pilot.press("m")
        await settle(pilot)
        assert read_flag(sql, "Beta 12") == 1

        await pilot.press("s")
        await settle(pilot)
        assert sql("SELECT starred FROM articles WHERE title = 'Beta 12'") == [(1,)]
        assert rows(app)[0].startswith("★ ")
        assert feed_entries(app)["starred"] == "Starred  1"

        await pilot.press("s")
        await settle(pilot)
        assert sql("SELECT count(*) FROM articles WHERE starred = 1") == [(0,)]
        assert rows(app)[0].startswith("  ")
        assert feed_entries(app)["starred"] == "Starred"


async def test_M_marks_the_whole_view_read_and_u_undoes_it(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        unread_before = set(ids_newest_first(sql, "read = 0"))
        assert len(unread_before) == 8  # nothing is read until the user chooses it

        await pilot.press("M")
        await settle(pilot)
        assert sql("SELECT count(*) FROM articles WHERE read = 0") == [(0,)]
        assert all(not row.startswith("●") for row in rows(app))
        assert feed_entries(app)["unread"] == "Unread"
        assert "Marked 8 read" in screen_text(app)

        await pilot.press("u")
        await settle(pilot)
        assert set(ids_newest_first(sql, "read = 0")) == unread_before
        assert "Unread  8" in feed_entries(app)["unread"]
        assert [row[:1] for row in rows(app)[:8]] == ["●"] * 8


async def test_n_jumps_to_the_next_unread_article(two_feeds, db_path, tmp_path, sql, cli):
    skip = ids_newest_first(sql, "title IN ('Beta 11', 'Beta 10', 'Alpha 3')")
    assert cli("mark", *map(str, skip), "--read").code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)

        await pilot.press("n")  # Beta 12 is shown at start, never read: n reads it
        await settle(pilot)
        assert articles.cursor == 0 and reader_text(app).startswith("Beta 12\n")
        assert read_flag(sql, "Beta 12") == 1

        await pilot.press("n")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 4\n")
        assert articles.cursor == 3

        await pilot.press("n")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 2\n")  # Alpha 3 was read already
        assert articles.cursor == 5

        await pilot.press("m")  # keep Alpha 2 unread, read on to the end
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 0\n")
        await pilot.press("p")  # back past Alpha 1 (read now) to Alpha 2
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 2\n")
        assert articles.cursor == 5

        await pilot.press("p")  # nothing unread above any more
        await settle(pilot)
        assert articles.cursor == 5
        assert "No more unread articles" in screen_text(app)


async def test_n_reads_the_article_shown_on_entering_a_feed(two_feeds, db_path, tmp_path, sql):
    alpha = feed_id(sql, "Alpha Feed")
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await choose_feed(pilot, f"feed-{alpha}")
        assert reader_text(app).startswith("Alpha 4\n")
        assert read_flag(sql, "Alpha 4") == 0  # shown, not read: browsing feeds reads nothing
        await pilot.press("tab", "n")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 4\n")  # not skipped
        assert read_flag(sql, "Alpha 4") == 1
        await pilot.press("n")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 3\n")


async def test_n_and_p_cross_into_the_nearest_unread_of_the_next_feed(
    two_feeds, db_path, tmp_path, sql, cli
):
    """The feed list has Alpha Feed, then Beta Feed. Going back from Beta into Alpha
    lands on Alpha's last unread article (the nearest one), not on its newest."""
    done = ids_newest_first(sql, "title IN ('Alpha 0', 'Beta 12', 'Beta 11', 'Beta 10')")
    assert cli("mark", *map(str, done), "--read").code == 0
    beta = feed_id(sql, "Beta Feed")
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await choose_feed(pilot, f"feed-{beta}")
        await pilot.press("tab", "p")
        await settle(pilot)
        assert app.query_one(FeedList).highlighted_id == f"feed-{feed_id(sql, 'Alpha Feed')}"
        assert reader_text(app).startswith("Alpha 1\n")
        assert read_flag(sql, "Alpha 1") == 1  # chosen with p: read
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert reader_text(app).startswith("Alpha 3\n")  # Alpha 4 was the one shown by g


# ---------------------------------------------------------------- focus and feeds


async def test_tab_moves_focus_across_the_panes_and_slash_focuses_search(
    two_feeds, db_path, tmp_path
):
    async with Running(db_path, tmp_path, size=WIDE) as pilot:
        app = pilot.app
        search = app.query_one("#search", Input)
        feeds, articles, reader = (
            app.query_one(FeedList), app.query_one(ArticleList), app.query_one(Reader)
        )  # fmt: skip
        assert app.focused is articles
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(app.focused)
        assert order == [reader, search, feeds, articles]
        for expected in (feeds, search, reader, articles):
            await pilot.press("shift+tab")
            assert app.focused is expected

        await pilot.press("slash")
        assert app.focused is search
        await pilot.press("q")  # typed into the search bar, does not quit
        assert search.value == "q"
        assert app.is_running


async def test_a_feeds_last_error_is_spelled_out_when_it_is_highlighted(
    two_feeds, db_path, tmp_path, cli, sql
):
    two_feeds["Beta Feed"].unlink()
    assert cli("refresh").code == 1
    ((beta,),) = sql("SELECT id FROM feeds WHERE source LIKE '%beta.xml'")

    async with Running(db_path, tmp_path) as pilot:
        await choose_feed(pilot, f"feed-{beta}")
        assert "! cannot read: no such file or directory" in screen_text(pilot.app)
        await pilot.press("up")  # Alpha Feed, which refreshed fine
        await settle(pilot)
        assert "cannot read" not in screen_text(pilot.app)


async def test_a_long_feed_title_is_cut_so_its_count_stays_on_its_line(db_path, tmp_path, cli):
    long_title = "The Extraordinarily Long Name of a Regional Evening Newspaper"
    path = write_feed(tmp_path, "long.xml", numbered_items(3, prefix="Story"), long_title)
    assert cli("add", str(path)).code == 0

    async with Running(db_path, tmp_path) as pilot:
        row = next(
            line for line in screen_text(pilot.app).splitlines() if line.startswith("│ The Extra")
        )
        assert re.search(r"│ The Extraordinar[^│]*… +3 +│", row)
        await pilot.resize_terminal(90, SIZE[1])  # narrow: the feed list takes the whole width
        await settle(pilot)
        lines = screen_text(pilot.app).splitlines()
        wide = next(line for line in lines if line.startswith("│ The Extra"))
        assert re.search(f"│ {long_title} +3 +│", wide)


async def test_browsing_the_feed_list_marks_nothing_read(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        assert sql("SELECT count(*) FROM articles WHERE read = 0") == [(8,)]
        await choose_feed(pilot, f"feed-{feed_id(sql, 'Beta Feed')}")
        assert sql("SELECT count(*) FROM articles WHERE read = 0") == [(8,)]


async def test_choosing_a_feed_shows_only_its_articles(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        alpha = feed_id(sql, "Alpha Feed")
        await choose_feed(pilot, f"feed-{alpha}")

        articles = app.query_one(ArticleList)
        assert articles.article_ids == ids_newest_first(sql, "feed_id = ?", alpha)
        assert titles_shown(app) == ["Alpha 4", "Alpha 3", "Alpha 2", "Alpha 1", "Alpha 0"]
        assert not any(" · " in row for row in rows(app))  # one feed: no feed column
        assert reader_text(app).startswith("Alpha 4\n")

        await pilot.press("up")  # "Starred", just above the feeds: nothing starred yet
        await settle(pilot)
        assert articles.article_ids == []
        assert "No articles here." in reader_text(app)


# ---------------------------------------------------------------- screens


async def test_question_mark_opens_help_and_escape_closes_it(two_feeds, db_path, tmp_path):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for words in ("tuinews keys", "Next unread", "Refresh all", "Mark all read", "Undo"):
            assert words in shown

        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused is app.query_one(ArticleList)
        assert "tuinews keys" not in screen_text(app)


async def test_add_refuses_a_command_and_adds_a_feed_file(
    tmp_path, cli, db_path, sql, two_feeds, monkeypatch
):
    items = numbered_items(2, prefix="Gamma", start=20)
    gamma = write_feed(tmp_path, "gamma.xml", items, "Gamma Feed")
    monkeypatch.chdir(tmp_path)  # so the path typed can be short: relative to here
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await pilot.press("a")
        assert isinstance(app.screen, AddSourceScreen)
        await pilot.press(*"exec:rm -rf ~", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AddSourceScreen)  # still asking
        error = str(app.screen.query_one("#source-error", Label).render())
        assert "refused" in error
        assert sql("SELECT count(*) FROM feeds") == [(2,)]

        source = app.screen.query_one("#source", Input)
        source.clear()
        await pilot.press(*"gamma.xml", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AddSourceScreen)
        assert sql("SELECT feed_title FROM feeds WHERE source = ?", str(gamma)) == [("Gamma Feed",)]
        gamma_id = feed_id(sql, "Gamma Feed")
        assert "Gamma Feed" in feed_entries(app)[f"feed-{gamma_id}"]
        assert sql("SELECT count(*) FROM articles WHERE feed_id = ?", gamma_id) == [(2,)]


async def test_d_asks_before_deleting_the_chosen_feed(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        beta = feed_id(sql, "Beta Feed")
        await choose_feed(pilot, f"feed-{beta}")

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete Beta Feed" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sql("SELECT count(*) FROM feeds WHERE id = ?", beta) == [(1,)]

        await pilot.press("d", "enter")  # No is the default answer
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sql("SELECT count(*) FROM feeds WHERE id = ?", beta) == [(1,)]

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert sql("SELECT count(*) FROM feeds WHERE id = ?", beta) == [(0,)]
        assert f"feed-{beta}" not in feed_entries(app)
        assert app.query_one(FeedList).highlighted_id == "all"
        assert sql("SELECT count(*) FROM articles WHERE title LIKE 'Beta%'") == [(0,)]


async def test_after_deleting_a_feed_the_list_shows_what_is_left(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        await choose_feed(pilot, f"feed-{feed_id(sql, 'Beta Feed')}")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert titles_shown(pilot.app) == ["Alpha 4", "Alpha 3", "Alpha 2", "Alpha 1", "Alpha 0"]
        assert reader_text(pilot.app).startswith("Alpha 4\n")


async def test_delete_question_names_just_the_feed(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        await choose_feed(pilot, f"feed-{feed_id(sql, 'Beta Feed')}")
        await pilot.press("d")
        await settle(pilot)
        assert "Delete Beta Feed? Starred articles are kept." in screen_text(pilot.app)


async def test_d_on_all_articles_deletes_nothing(two_feeds, db_path, tmp_path, sql):
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Choose a feed in the feed list first" in screen_text(app)
        assert sql("SELECT count(*) FROM feeds") == [(2,)]


# ---------------------------------------------------------------- refresh


async def test_R_with_a_broken_feed_reports_it_and_keeps_its_articles(
    two_feeds, db_path, tmp_path, sql
):
    alpha_path = two_feeds["Alpha Feed"]
    alpha_path.write_bytes(b"<html><body><p>Not a feed any more</p></body></html>")
    stat = alpha_path.stat()
    os.utime(alpha_path, (stat.st_atime + 60, stat.st_mtime + 60))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        alpha = feed_id(sql, "Alpha Feed")
        assert "!" not in feed_entries(app)[f"feed-{alpha}"]

        await pilot.press("R")
        await settle(pilot)
        assert status_text(app) == "2 sources: 0 new articles, 0 updated, 1 failed"
        assert feed_entries(app)[f"feed-{alpha}"].startswith("! Alpha Feed")
        assert "!" not in feed_entries(app)[f"feed-{feed_id(sql, 'Beta Feed')}"]
        assert sql("SELECT count(*) FROM articles WHERE feed_id = ?", alpha) == [(5,)]
        assert len(app.query_one(ArticleList).article_ids) == 8
        assert sql("SELECT last_error IS NOT NULL FROM feeds WHERE id = ?", alpha) == [(1,)]


# ---------------------------------------------------------------- hostile feeds


async def test_markup_in_titles_shows_literally_and_clicks_run_nothing(tmp_path, cli, db_path, sql):
    cli("add", str(DATA / "hostile" / "rich_markup_titles.xml"))
    stored = {row[0] for row in sql("SELECT title FROM articles")}
    ((feed_title,),) = sql("SELECT feed_title FROM feeds")
    async with Running(db_path, tmp_path, size=(200, 40)) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        drawn = [row for row in rows(app) if row.strip()]
        assert len(drawn) == len(stored) == len(articles.article_ids)
        joined = "\n".join(drawn)
        assert "[bold red]PWNED[/]" in joined
        assert "[@click=app.quit]x[/]" in joined
        assert "[link=https://evil.example]click[/link]" in joined
        assert ":warning: :skull:" in joined
        for row in drawn:  # each row is its title and feed name, character for character
            shown = row[ROW_PREFIX:].rstrip().removesuffix("…")  # cut to the pane's width
            assert any(f"{title} · {feed_title}".startswith(shown) for title in stored), row

        top = articles.content_region.y - articles.region.y
        for index in range(len(drawn)):  # on the title's first characters
            await pilot.click(ArticleList, offset=(1 + ROW_PREFIX + 1, top + index))
            await pilot.pause()
            assert app.is_running
            assert len(app.screen_stack) == 1  # no screen pushed, nothing run
            page = " ".join(reader_text(app).split())  # the title may wrap
            assert any(page.startswith(" ".join(t.split()) or "(untitled)") for t in stored)
        assert "[@click=app.quit]x[/]" in screen_text(app)


async def test_escape_sequences_never_reach_the_screen(tmp_path, cli, db_path):
    cli("add", str(DATA / "hostile" / "ansi_raw_bytes.xml"))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        assert len(articles.article_ids) == 8
        seen = set()
        for _ in articles.article_ids:
            for text in (*rows(app), reader_text(app), screen_text(app)):
                assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
            reader = app.query_one("#page", Static)
            for strip in reader.render_lines(reader.region.reset_offset):
                assert "\x1b" not in strip.text
            seen.add(" ".join(reader_text(app).split()))  # titles may wrap
            await pilot.press("j")
            await settle(pilot)
        assert any(page.startswith("Screen cleared by feed title") for page in seen)
        assert any("harmless-looking title" in page for page in seen)


async def test_escape_sequences_stored_by_an_older_version_are_not_drawn(
    two_feeds, db_path, tmp_path, sql
):
    """The store cleans on the way in; the UI cleans again for libraries that did not."""
    alpha = feed_id(sql, "Alpha Feed")
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE articles SET title = char(27) || '[2J' || title || char(7), "
            "author = char(27) || ']0;owned' || char(7) || 'Eve', "
            "content_html = '<p>Before ' || char(27) || '[31mred' || char(27) || '[0m after</p>'"
        )
        conn.execute("UPDATE articles SET feed_title = feed_title || char(27) || '[5m'")
        conn.execute("UPDATE feeds SET feed_title = char(27) || 'c' || feed_title")
    conn.close()
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        assert titles_shown(app)[:2] == ["Beta 12", "Beta 11"]
        assert "Before red after" in reader_text(app)
        assert "Eve" in reader_text(app)
        assert "Alpha Feed" in feed_entries(app)[f"feed-{alpha}"]
        for text in (*rows(app), reader_text(app), screen_text(app), *feed_entries(app).values()):
            assert "\x1b" not in text and "\x07" not in text


async def test_o_opens_only_web_links(tmp_path, cli, db_path, browser):
    opened = browser
    cli("add", str(DATA / "hostile" / "links_bad_schemes.xml"))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        count = len(app.query_one(ArticleList).article_ids)
        assert count == 12
        refused = kept_none = 0
        for _ in range(count):
            await pilot.press("o")
            await pilot.pause()
            refused += "Not opened: only http(s) links open" in screen_text(app)
            kept_none += "Not opened: this article has no link" in screen_text(app)
            app.clear_notifications()
            await pilot.press("j")
            await settle(pilot)
        # relative links open as a browser resolves them against the feed's site
        assert sorted(opened) == [
            "https://evil.example/phish",  # //evil.example/phish
            "https://feeds.example/etc/passwd",  # ../../../../etc/passwd
            "https://feeds.example/hostile/links/ok",
        ]
        assert refused == count - 4
        assert kept_none == 1  # java<tab>script: a link with a tab inside is not kept


async def test_o_says_so_when_no_browser_can_open_the_link(
    two_feeds, db_path, tmp_path, monkeypatch
):
    def no_browser(using=None):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr("webbrowser.get", no_browser)
    async with Running(db_path, tmp_path) as pilot:
        await pilot.press("o")
        await pilot.pause()
        shown = screen_text(pilot.app)
        assert "No web browser could open" in shown and "Opened" not in shown


async def test_a_standard_80x24_terminal_lists_and_enter_reads_full_screen(
    two_feeds, db_path, tmp_path
):
    """Too small for the reader beside the list (newsboat's flow): the panes show the
    feeds and the articles, enter gives the article the screen, esc goes back."""
    async with Running(db_path, tmp_path, size=(80, 24)) as pilot:
        app = pilot.app
        shown = screen_text(app)
        assert "Alpha Feed" in shown and "Beta Feed" in shown
        assert len(titles_shown(app)) >= 8  # the list has the room the reader had
        assert not app.query_one(Reader).display

        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert reader_text(app).startswith("Beta 12") and "Beta 12" in shown
        assert "Alpha Feed" not in shown
        reader = app.query_one(Reader)
        assert reader.size.width == 76 and reader.size.height >= 15  # 80x24 less frame and bars

        await pilot.press("escape")
        await settle(pilot)
        assert "Alpha Feed" in screen_text(app) and app.query_one(ArticleList).has_focus


async def test_space_at_the_end_of_an_article_goes_on_to_the_next_unread(
    two_feeds, db_path, tmp_path
):
    async with Running(db_path, tmp_path, size=(80, 24)) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        first = articles.current_id
        await pilot.press("enter")
        await settle(pilot)
        for _ in range(5):  # page down to the end, then once more
            await pilot.press("space")
            await settle(pilot)
            if articles.current_id != first:
                break
        assert articles.current_id != first
        assert articles.row(first).read and app.query_one(Reader).display
        title = articles.row(articles.current_id).title
        assert reader_text(app).startswith(title)


async def test_space_pressed_with_enter_pages_down_the_article_it_opened(tmp_path, cli, db_path):
    """On a small terminal the reader is laid out for the full screen before enter, and
    a space that comes before the layout waits for it: it pages, never skips ahead."""
    long_body = "".join(f"<p>Paragraph {n} of a long article.</p>" for n in range(80))
    items = [{"guid": f"l{n}", "title": f"Long read {n}", "body": long_body,
              "date": 1_704_880_000 + n} for n in range(2)]  # fmt: skip
    write_feed(tmp_path, "long.xml", items, "Long Reads")
    cli("add", str(tmp_path / "long.xml"))
    async with Running(db_path, tmp_path, size=(80, 24)) as pilot:
        app = pilot.app
        articles, reader = app.query_one(ArticleList), app.query_one(Reader)
        first = articles.current_id
        articles.action_open()  # enter and space in one go, before any repaint,
        reader.action_read_on()  # as a fast typist's keys arrive
        await settle(pilot)
        assert articles.current_id == first and reader.scroll_y > 10


async def test_wide_terminals_give_the_reader_sixty_columns_beside_the_list(
    two_feeds, db_path, tmp_path
):
    async with Running(db_path, tmp_path, size=(130, 40)) as pilot:
        reader = pilot.app.query_one(Reader)
        assert reader.display and reader.size.width >= 60
        assert pilot.app.query_one(ArticleList).display


# ---------------------------------------------------------------- state


async def test_place_in_the_list_survives_a_restart(two_feeds, db_path, tmp_path, sql):
    beta = feed_id(sql, "Beta Feed")
    config = Config(db_path=db_path)
    state = tmp_path / "ui.json"

    app = TuinewsApp(config, state_path=state, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose_feed(pilot, f"feed-{beta}")
        await pilot.press("tab", "j", "j")
        await settle(pilot)
        chosen = app.query_one(ArticleList).current_id
        assert reader_text(app).startswith("Beta 10\n")
        app.theme = "textual-light"  # as picked in the command palette
        await pilot.press("q")

    again = TuinewsApp(config, state_path=state, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.query_one(FeedList).highlighted_id == f"feed-{beta}"
        assert again.query_one(ArticleList).current_id == chosen
        assert reader_text(again).startswith("Beta 10\n")
        assert again.theme == "textual-light"


async def test_reading_position_survives_a_restart(tmp_path, cli, db_path):
    long_body = "".join(f"<p>Paragraph {n} of a long article.</p>" for n in range(80))
    write_feed(
        tmp_path,
        "long.xml",
        [{"guid": "long", "title": "A long read", "body": long_body, "date": 1_704_880_000}],
        "Long Reads",
    )
    cli("add", str(tmp_path / "long.xml"))
    config, state = Config(db_path=db_path), tmp_path / "ui.json"

    app = TuinewsApp(config, state_path=state, clock=clock)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "space", "space")
        await settle(pilot)
        position = app.query_one(Reader).scroll_y
        assert position > 20
        await pilot.press("q")

    again = TuinewsApp(config, state_path=state, clock=clock)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert again.query_one(Reader).scroll_y == position


async def test_articles_from_a_cron_refresh_appear_while_reading(
    two_feeds, db_path, tmp_path, cli, monkeypatch
):
    """A `tuinews refresh` in another process writes to the same library (WAL)."""
    import tuinews.ui.app as app_module

    monkeypatch.setattr(app_module, "OTHER_WRITERS_CHECK", 0.1)
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        assert len(articles.article_ids) == 8
        alpha = two_feeds["Alpha Feed"]
        alpha.write_bytes(rss(numbered_items(7, prefix="Alpha"), title="Alpha Feed"))
        stat = alpha.stat()
        os.utime(alpha, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        assert cli("refresh").code == 0  # as cron would run it

        def both_panes_caught_up() -> bool:
            return len(articles.article_ids) == 10 and "Unread  10" in feed_entries(app)["unread"]

        deadline = time.monotonic() + 60  # only stops a hang: the asserts below judge
        while not both_panes_caught_up() and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await settle(pilot)  # the article list refilled: its reader may still be loading
        assert len(articles.article_ids) == 10
        assert "Unread  10" in feed_entries(app)["unread"]

"""Emoji sequences, flags, keycaps and zero-width joiners never shift a row: every
row of the feed list, the article list and the reader is exactly as wide as its
column, as a terminal draws it.

Terminals disagree on the width of emoji sequences (a ZWJ family is 2 cells to
one, 8 to another; ❤️ is 1 or 2), so tuinews draws them as text they all measure
alike (render.cells.for_terminal). What a terminal draws is modelled by the
character widths of wcwidth, which is what tmux uses (render.cells.cell_width
follows it, and checking it against tmux is how it was made); what Textual lays
out is measured by Rich. A row is right when both say it is its column's width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from feedgen import rss
from rich.cells import cell_len
from test_ui import Running, screen_text, settle

from tuinews.render.cells import cell_width, for_terminal
from tuinews.ui.article_list import ArticleList
from tuinews.ui.feed_list import FeedList

HOSTILE_TITLE = (
    "Wide: 全角テキストのタイトル 👨‍👩‍👧‍👦 🇺🇳 🏳️‍🌈 ＷＩＤＥ"  # bidi_zero_width.xml, item 6
)
TITLES = [
    HOSTILE_TITLE,
    "Family 👨‍👩‍👧 dinner, long enough to be cut by the article list's column " * 2,
    "Love ❤️ it",
    "👍🏽 thumbs up ✌🏿 peace 🧑🏾‍💻 coder",
    "Flags 🇺🇳 🇫🇷 🇯🇵 and a lone 🇺",
    "Keycaps 1️⃣ 2️⃣ #️⃣",
    "Text style ☺︎ and emoji style ☺️",
    "Trigram ☰ menu, unassigned \U0001fae8, filler ㅤ here",
]

# (as stored, as drawn): each emoji alone at its own width, nothing whose width
# terminals disagree on
DRAWN = [
    ("👨‍👩‍👧", "👨👩👧"),  # ZWJ family: 2 cells to some terminals, 6 to others
    ("❤️", "❤"),  # VS16: 1 or 2
    ("☺︎", "☺"),  # VS15
    ("👍🏽", "👍"),  # skin tone: a 2-cell swatch where it does not combine
    ("🇺🇳", "UN"),  # a flag: 2 cells or 4
    ("1️⃣", "1"),  # keycap: 1 or 2
    ("🏳️‍🌈", "🏳🌈"),
    ("☰", "\ufffd"),  # wide since Unicode 16, narrow before
    ("\u0378", "\ufffd"),  # unassigned here, maybe not in the terminal's tables
    ("a\u3164b", "a  b"),  # Hangul filler: 2 cells or none
    ("pass\u200bword", "password"),
    ("全角 ＷＩＤＥ", "全角 ＷＩＤＥ"),
    ("e\u0301te\u0301", "e\u0301te\u0301"),  # combining marks stay
    ("plain ascii", "plain ascii"),
]


@pytest.mark.parametrize(("stored", "drawn"), DRAWN)
def test_text_is_drawn_as_every_terminal_measures_it(stored: str, drawn: str) -> None:
    assert for_terminal(stored) == drawn
    assert cell_width(stored) == cell_width(drawn) == cell_len(drawn)


@pytest.mark.parametrize("title", TITLES)
def test_drawn_text_is_as_wide_for_rich_as_for_a_terminal(title: str) -> None:
    drawn = for_terminal(title)
    assert cell_len(drawn) == cell_width(drawn) == cell_width(title)


# ---------------------------------------------------------------- on screen

BORDERS = "│╭╮╰╯"


def cells_of(line: str) -> list[tuple[int, str]]:
    """(column, character) of each character of a screen line, as a terminal places it."""
    placed, column = [], 0
    for char in line:
        placed.append((column, char))
        column += cell_width(char)
    return placed


@pytest.fixture
def wide_library(tmp_path: Path, cli) -> None:
    items = [
        {"guid": f"w{n}", "title": title, "link": f"https://wide.example/{n}",
         "body": f"<p>{title}</p><p>{title} {title}</p>", "date": 1_700_000_000 + n}
        for n, title in enumerate(TITLES)
    ]  # fmt: skip
    path = tmp_path / "wide.xml"
    path.write_bytes(rss(items, title="Emoji 👨‍👩‍👧‍👦 feed ❤️ 🇺🇳 with a long name"))
    assert cli("add", str(path), "--tag", "Tag 🏳️‍🌈 1️⃣").code == 0
    plain = tmp_path / "plain.xml"
    plain.write_bytes(rss([{"guid": "p", "title": "Plain", "date": 1_600_000_000}], title="Plain"))
    assert cli("add", str(plain)).code == 0


def assert_rows_fit(app, width: int) -> None:
    """Every screen line is `width` cells for Rich and for the terminal, and the pane
    borders of every line stand in the columns of the panes' top border."""
    lines = screen_text(app).split("\n")
    top = next(index for index, line in enumerate(lines) if line.count("╭") == 3)
    corners = [column for column, char in cells_of(lines[top]) if char in "╭╮"]
    for line in lines[top + 1 :]:
        assert cell_len(line) == width, line
        assert cell_width(line) == width, line
        if "╰" in line:
            break
        placed = dict(cells_of(line))
        assert [placed.get(column) for column in corners] == ["│"] * 6, line


@pytest.mark.usefixtures("wide_library")
@pytest.mark.parametrize("size", [(130, 40), (150, 40)])  # three panes: READER_FITS
async def test_rows_with_emoji_sequences_are_exactly_their_columns_width(
    db_path, tmp_path, size
) -> None:
    async with Running(db_path, tmp_path, size=size) as pilot:
        app = pilot.app
        articles = app.query_one(ArticleList)
        feed_list = app.query_one(FeedList)
        assert len(articles.article_ids) == len(TITLES) + 1
        for _ in range(len(TITLES) + 1):  # each article in the reader, its row highlighted
            assert_rows_fit(app, size[0])
            for widget in (articles, feed_list):
                for y in range(widget.size.height):
                    strip = widget.render_line(y)
                    assert strip.cell_length == widget.size.width
                    assert cell_width(strip.text) == widget.size.width, strip.text
            await pilot.press("j")
            await settle(pilot)
        shown = screen_text(app)
        assert "👨👩👧" in shown and "UN" in shown and "\u200d" not in shown
        await pilot.press("shift+tab")  # the feed list, its rows highlighted in turn
        for _ in feed_list.entry_ids:
            await pilot.press("j")
            await settle(pilot)
            assert_rows_fit(app, size[0])

"""What the reader looks like: SVG snapshots of whole screens (pytest-textual-snapshot).

The library is two feeds with fixed dates, the clock and the time zone are
fixed, and the search bar is never focused (no blinking cursor), so the
pictures only change when the look of the app does. After a deliberate
change of look: `pytest tests/test_snapshots.py --snapshot-update`, then look
at the new SVGs before committing them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedgen import rss
from test_ui import clock, settle
from textual.pilot import Pilot

from tuinews.config import Config
from tuinews.ui.app import TuinewsApp
from tuinews.ui.reader import Reader
from tuinews.ui.screens import HelpScreen

RICH_BODY = """
<p>The harbour board has agreed a new winter timetable for the island ferry.</p>
<h2>What changes</h2>
<p>From Monday the <a href="https://harbour.example/ferry">morning ferry</a> leaves
ten minutes earlier, so that it meets the first train.</p>
<ul>
<li>First sailing at 06:50</li>
<li>Last sailing at 22:10</li>
<li>Weekend sailings unchanged</li>
</ul>
<blockquote><p>We listened to the commuters, and this is what they asked for.</p></blockquote>
<p>Tickets bought before Monday stay valid until the end of the month.</p>
"""


def at(*when: int) -> int:
    return int(datetime(*when, tzinfo=UTC).timestamp())


@pytest.fixture
def utc() -> Iterator[None]:
    """Dates are shown in local time: make local time the same everywhere."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def library(tmp_path: Path, cli, utc) -> Path:
    harbour = [
        {"guid": "h1", "title": "Ferry timetable changes from Monday", "body": RICH_BODY,
         "link": "https://harbour.example/ferry-timetable", "date": at(2024, 1, 10, 9, 30)},
        {"guid": "h2", "title": "Harbour wall repairs finish early",
         "body": "<p>The repairs finished a week early.</p>", "date": at(2024, 1, 8, 16, 0)},
        {"guid": "h3", "title": "Lifeboat crew marks 150 years of service",
         "body": "<p>A long history.</p>", "date": at(2023, 12, 20, 11, 0)},
    ]  # fmt: skip
    tech = [
        {"guid": "t1", "title": "Quillpad 4.2 adds offline search",
         "body": "<p>Search now works without a connection.</p>",
         "link": "https://tech.example/quillpad", "date": at(2024, 1, 10, 10, 45)},
        {"guid": "t2", "title": "Review: a week with the Kestrel e-reader",
         "body": "<p>Light, sharp and slow to turn pages.</p>", "date": at(2023, 6, 1, 8, 0)},
    ]  # fmt: skip
    for name, title, items in (("harbour.xml", "Harbour Notes", harbour),
                               ("tech.xml", "Valley Tech", tech)):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(rss(items, title=title))
        assert cli("add", str(path)).code == 0
    return tmp_path / "library.db"


def make_app(db_path: Path, tmp_path: Path) -> TuinewsApp:
    return TuinewsApp(Config(db_path=db_path), state_path=tmp_path / "ui.json", clock=clock)


async def settled(pilot: Pilot) -> None:
    await settle(pilot)
    assert pilot.app.query_one("#search").has_focus is False  # no blinking cursor


def test_main_screen(snap_compare, library, tmp_path):
    """At 120 columns the reader could not have 60 beside the list: feeds and articles."""
    assert snap_compare(make_app(library, tmp_path), terminal_size=(120, 40), run_before=settled)


def test_three_panes_on_a_wide_terminal(snap_compare, library, tmp_path):
    assert snap_compare(make_app(library, tmp_path), terminal_size=(200, 60), run_before=settled)


async def open_second(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await settled(pilot)
    assert pilot.app.focused is pilot.app.query_one(Reader)


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (60, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader_shows_a_rich_article_full_screen(snap_compare, library, tmp_path, size):
    app = make_app(library, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=open_second)


def test_help_screen(snap_compare, library, tmp_path):
    async def open_help(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)

    app = make_app(library, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=open_help)


def test_narrow_terminal_stacks_the_panes(snap_compare, library, tmp_path):
    async def narrow(pilot: Pilot) -> None:
        await settled(pilot)
        assert "-narrow" in pilot.app.screen.classes

    app = make_app(library, tmp_path)
    assert snap_compare(app, terminal_size=(80, 40), run_before=narrow)

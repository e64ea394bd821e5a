"""y copies through the desktop's clipboard program when there is one, and says
"copied" only when something took the text."""

from __future__ import annotations

import os
from pathlib import Path

from feedgen import rss
from test_links import notices
from test_ui import Running, settle


def x_desktop_with_xclip(tmp_path: Path, monkeypatch, exit_code: int = 0) -> Path:
    """An X display and an `xclip` that keeps what it is given (as the real one keeps
    the selection) and exits with `exit_code`; where it keeps it."""
    record, bin_dir = tmp_path / "clipboard.txt", tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "xclip"
    script.write_text(f'#!/bin/sh\ncat > "{record}"\nexit {exit_code}\n')
    script.chmod(0o755)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return record


def one_article(tmp_path: Path, cli) -> None:
    items = [{"guid": "a", "title": "A story", "link": "https://site.example.org/a",
              "date": 1_700_000_000}]  # fmt: skip
    (tmp_path / "one.xml").write_bytes(rss(items, title="One"))
    assert cli("add", str(tmp_path / "one.xml")).code == 0


async def test_y_copies_with_the_desktops_program_and_says_so(
    tmp_path, cli, db_path, monkeypatch
) -> None:
    record = x_desktop_with_xclip(tmp_path, monkeypatch)
    one_article(tmp_path, cli)
    async with Running(db_path, tmp_path) as pilot:
        await pilot.press("y")
        await settle(pilot)
        assert record.read_text() == "https://site.example.org/a"
        assert "Copied https://site.example.org/a" in notices(pilot.app)
        assert pilot.app.clipboard == ""  # the terminal was not asked


async def test_a_program_that_refuses_leaves_it_to_the_terminal_without_claiming_a_copy(
    tmp_path, cli, db_path, monkeypatch
) -> None:
    x_desktop_with_xclip(tmp_path, monkeypatch, exit_code=1)  # as with no X server
    one_article(tmp_path, cli)
    async with Running(db_path, tmp_path) as pilot:
        await pilot.press("y")
        await settle(pilot)
        shown = notices(pilot.app)
        assert "Copied" not in shown
        assert "to the terminal's clipboard (OSC 52)" in shown
        assert pilot.app.clipboard == "https://site.example.org/a"

"""The installed `tuinews` command in a real terminal (tmux), as a first-time user meets it.

Each test runs its own tmux server (`-L` with a unique socket name, no user
config), so nothing here touches a tmux the developer has open.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TUINEWS = Path(sys.executable).parent / "tuinews"
START_TIMEOUT = 20.0


class Terminal:
    """One detached tmux session (120x40 unless told) running a command."""

    def __init__(self, home: Path) -> None:
        self.socket = f"tuinews-test-{uuid.uuid4().hex[:12]}"
        self.session = "tuinews"
        self.home = home
        self.socket_path = ""

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=10,
        )

    def start(self, command: str, size: tuple[int, int] = (120, 40), **extra_env: str) -> None:
        env = {  # a clean environment: pytest's has COLUMNS/LINES, which Textual obeys
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.home / ".config",
            "XDG_DATA_HOME": self.home / ".local" / "share",
            "XDG_STATE_HOME": self.home / ".local" / "state",
            "TUINEWS_DB": self.home / "library.db",
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            **extra_env,
        }
        assignments = [f"{name}={value}" for name, value in env.items()]
        line = f"env -i {shlex.join(assignments)} {command}"
        columns, lines = map(str, size)
        self.tmux("new-session", "-d", "-s", self.session, "-x", columns, "-y", lines, line)
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").stdout.strip()

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout if result.returncode == 0 else ""

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session, check=False).returncode == 0

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if condition(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{shown}")
            time.sleep(0.1)

    def close(self) -> None:
        self.tmux("kill-server", check=False)
        if self.socket_path:  # tmux leaves the socket file behind
            Path(self.socket_path).unlink(missing_ok=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    term = Terminal(home)
    try:
        yield term
    finally:
        term.close()


def started(term: Terminal) -> str:
    return term.wait_for(lambda s: "All articles" in s, "the feed list", START_TIMEOUT)


def checkout_command(*args: str) -> str:
    """This checkout's tuinews (not an installed one), for the terminal to run."""
    source = Path(__import__("tuinews").__file__).resolve().parents[1]
    return shlex.join(["env", f"PYTHONPATH={source}", sys.executable, "-m", "tuinews", *args])


def add_feed(term: Terminal, name: str, items: list[dict], title: str) -> None:
    from feedgen import rss

    from tuinews.cli import main

    feed = term.home / name
    feed.write_bytes(rss(items, title=title))
    assert main(["--db", str(term.home / "library.db"), "add", str(feed)]) == 0


def recording_script(term: Terminal, name: str, record: str) -> Path:
    """A shell script the app is given as a program (a browser, a pager): `record` is
    its body, which writes what it was given where the test can read it."""
    script = term.home / name
    script.write_text(f"#!/bin/sh\n{record}\n")
    script.chmod(0o755)
    return script


def wait_until(condition: Callable[[], bool], tries: int = 200) -> bool:
    """Poll every 0.1 s, a bounded number of times (nothing here is timed)."""
    for _ in range(tries):
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_first_run_shows_the_samples_help_and_quits(terminal: Terminal):
    assert TUINEWS.exists(), f"tuinews is not installed in this environment: {TUINEWS}"
    terminal.start(shlex.quote(str(TUINEWS)))

    shown = started(terminal)
    for feed in ("World Briefing", "Northgate Tech", "The Harbour Gazette", "Field Notes"):
        assert feed in shown
    assert "Articles" in shown and "Unread" in shown

    terminal.press("j")
    terminal.press("?")
    # (a capture can come mid-paint: wait for the list, not only the title)
    shown = terminal.wait_for(lambda s: "tuinews keys" in s and "Refresh all" in s, "the help")
    assert "Next unread" in shown

    terminal.press("Escape")
    terminal.wait_for(lambda s: "tuinews keys" not in s, "the help screen to close")
    assert terminal.alive()

    terminal.press("q")
    deadline = time.monotonic() + 10
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.alive(), "tuinews did not quit on q"
    assert (terminal.home / "library.db").is_file()


def test_quitting_is_clean(terminal: Terminal):
    terminal.start(f'{shlex.quote(str(TUINEWS))}; echo "[exit status $?]"; sleep 30')
    started(terminal)
    terminal.press("q")
    shown = terminal.wait_for(lambda s: "[exit status" in s, "tuinews to exit")
    assert "error" not in shown
    assert "[exit status 0]" in shown


@pytest.mark.parametrize("signal_name", ["TERM", "HUP"])
def test_a_signal_keeps_the_place_in_the_list_as_q_does(terminal: Terminal, signal_name: str):
    """The terminal closed (SIGHUP) or the session ended (SIGTERM): the next start
    opens where reading stopped."""
    import json

    terminal.start(shlex.quote(str(TUINEWS)))
    started(terminal)
    terminal.press("j")
    terminal.press("j")
    time.sleep(0.5)
    pid = terminal.tmux("display-message", "-p", "-t", terminal.session, "#{pane_pid}").stdout
    subprocess.run(["kill", f"-{signal_name}", pid.strip()], check=True)
    deadline = time.monotonic() + 10
    while terminal.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    state_file = terminal.home / ".local" / "state" / "tuinews" / "ui.json"
    assert state_file.is_file(), "nothing was saved"
    (state,) = json.loads(state_file.read_text())["libraries"].values()
    assert isinstance(state["article"], int)


def test_emoji_sequences_leave_every_row_its_width_in_a_real_terminal(terminal: Terminal):
    """tmux places each character by the C library's wcwidth(): a row of the lists or
    the reader measured otherwise shifts the panes to its right. Every line between
    the panes' borders must be the screen's width, its borders under the top ones."""
    import ctypes
    import ctypes.util
    import locale

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    locale.setlocale(locale.LC_CTYPE, "C.UTF-8")

    def columns(line: str) -> tuple[int, list[int]]:
        width, borders = 0, []
        for char in line:
            if char in "│╭╮":
                borders.append(width)
            width += max(libc.wcwidth(ord(char)), 0)
        return width, borders

    titles = [
        "Wide: 全角テキストのタイトル 👨‍👩‍👧‍👦 🇺🇳 🏳️‍🌈 ＷＩＤＥ",
        "Love ❤️ it, 👍🏽 thumbs up, keycaps 1️⃣ 2️⃣, trigram ☰",
        "Family 👨‍👩‍👧 dinner, long enough to be cut by the article list's column",
    ]
    items = [
        {"guid": f"w{n}", "title": title, "body": f"<p>{title}</p>", "date": 1_700_000_000 + n}
        for n, title in enumerate(titles)
    ]
    add_feed(terminal, "wide.xml", items, "Emoji 👨‍👩‍👧‍👦 feed ❤️ 🇺🇳 with a long name")
    terminal.start(checkout_command(), size=(160, 45))  # three panes: reader beside list
    started(terminal)
    for _ in titles:
        terminal.press("j")
        time.sleep(0.3)
        shown = terminal.wait_for(lambda s: "22:13" in s, "the reader")  # its date line
        lines = shown.split("\n")
        top = next(index for index, line in enumerate(lines) if line.count("╭") == 3)
        _, corners = columns(lines[top])
        for line in lines[top + 1 :]:
            if "╰" in line:
                break
            width, borders = columns(line)
            assert (width, borders) == (160, corners), line


def test_at_80x24_read_to_the_end_go_on_to_the_next_unread_and_open_link_2(terminal: Terminal):
    """newsboat's flow at the size most terminals open at: list, enter, space to the end
    and on, a link by its number, quit. The "browser" records what it was asked to open."""
    body = "".join(
        f"<p>Paragraph {n} of the story, long enough to fill a line or two of the reader.</p>"
        for n in range(30)
    )
    items = [
        {
            "guid": f"s{n}",
            "title": f"Story number {n}",
            "link": f"https://site.example.org/{n}",
            "body": body + f'<p><a href="https://one.example.org/{n}">one</a> and '
            f'<a href="https://two.example.org/{n}">two</a>.</p>',
            "date": 1_700_000_000 + n,
        }
        for n in range(2)
    ]
    add_feed(terminal, "stories.xml", items, "Stories")
    opened = terminal.home / "opened.txt"
    record = f'printf "%s\\n" "$1" >> {shlex.quote(str(opened))}'
    browser = recording_script(terminal, "browser.sh", record)
    terminal.start(checkout_command(), size=(80, 24), BROWSER=f"{browser} %s")
    terminal.wait_for(lambda s: "Story number 1" in s, "the list")

    for _ in range(3):  # keys pressed while the app still starts may be lost: press again
        terminal.press("Enter")  # the newest first: story 1, full screen
        time.sleep(1)
        if "Feeds" not in terminal.screen():
            break
    terminal.wait_for(lambda s: "Story number 1" in s and "Feeds" not in s, "story 1 full screen")
    for _ in range(20):  # space to its end, and once more: on to the next unread
        terminal.press("Space")
        time.sleep(0.2)
        if "Story number 0" in terminal.screen():
            break
    shown = terminal.wait_for(lambda s: "Story number 0" in s, "story 0, the next unread")
    assert "Feeds" not in shown  # still reading full screen

    terminal.press("2")
    assert wait_until(opened.exists), "the browser was never started"
    assert opened.read_text().split() == ["https://two.example.org/0"]

    terminal.wait_for(lambda s: "Story number 0" in s, "the reader, back after the browser")
    terminal.press("q")
    assert wait_until(lambda: not terminal.alive()), "q did not quit"


def test_show_on_a_terminal_goes_through_the_pager(terminal: Terminal):
    """As git log does: a long article goes to $PAGER (run as an argument list); the same
    command into a pipe prints it straight."""
    body = "".join(f"<p>Paragraph {n} of a long story.</p>" for n in range(40))
    items = [{"guid": "long", "title": "A long story", "body": body, "date": 1_700_000_000}]
    add_feed(terminal, "long.xml", items, "Long")
    paged = terminal.home / "paged.txt"
    pager = recording_script(terminal, "pager.sh", f"cat > {shlex.quote(str(paged))}")
    terminal.start(checkout_command("show", "1"), size=(80, 24), PAGER=f"{pager} --a-flag")
    assert wait_until(lambda: not terminal.alive()), "show did not end"
    text = paged.read_text()
    assert text.startswith("A long story\n") and "Paragraph 39 of a long story." in text

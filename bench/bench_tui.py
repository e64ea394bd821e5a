#!/usr/bin/env python3
"""TUI benchmark: first paint, opening the largest feed, jumping to its end, peak RSS.

For each library (1k articles, 100k articles in 1,000 feeds, and 100k articles in ONE
feed next to the 1k corpus) this script

1. builds the library with ``tuinews --db DB import-opml`` (plus ``tuinews add`` for the
   one-feed library), or reuses the one already in WORKDIR/tui-<label>/ when its
   article count and schema are right;
2. in-process, with Textual's Pilot at 120x40, times highlighting the largest feed in
   the feed list until the article list holds all its ids and the reader shows its
   first article, then pressing G until the cursor is on the last article and the
   screen has been repainted;
3. from outside, as a user sees it: starts the real ``tuinews`` in a detached 120x40
   tmux session with a fresh HOME/XDG and times process start to the first screen that
   shows "All articles" and an article row; then opens the largest feed with keys,
   presses G, and reads the process's peak RSS (VmHWM) from /proc.

It measures; it does not judge: a missed target is reported as MISSED, never turned into
a failing exit status. The exit status is non-zero only when tuinews itself fails (an
import that exits non-zero, a UI that raises, exits early or never paints).

Usage:
  python bench/bench_tui.py                      # 1k, 100k and 100k-1feed
  python bench/bench_tui.py --libraries 1k       # quick run
  python bench/bench_tui.py --runs 3 --no-tmux   # Pilot timings only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerCancelled
from tuinews.config import Config
from tuinews.models import ArticleView
from tuinews.store import Store
from tuinews.ui.app import TuinewsApp
from tuinews.ui.article_list import ArticleList
from tuinews.ui.feed_list import FeedList

import bench_import as bi  # the import bench's helpers: same tuinews, HOME isolation, corpus

# What one size of library is made of: the corpus (label, feeds, items per feed), how many
# items the extra one-feed file holds (0: none), and the article count that proves it built.
LIBRARIES: dict[str, tuple[str, int, int, int]] = {
    "1k": ("1k", 20, 50, 0),
    "100k": ("100k", 1000, 100, 0),
    "100k-1feed": ("1k", 20, 50, 100_000),
}
BIG_FEED_TITLE = "Firehose"

COLUMNS, LINES = 120, 40
DEFAULT_RUNS = 5
FIRST_PAINT_TARGET_S = 0.8
NO_WORSE_MARGIN = 1.10  # "no worse at 100k than at 1k", allowing 10 % for noise
ACTION_TARGET_MS = 100.0
RSS_TARGET_MIB = 150.0

FIRST_PAINT = "first paint (tmux)"
TMUX_POLL_S = 0.005
PILOT_POLL_S = 0.001
PAINT_TIMEOUT_S = 30.0
ACTION_TIMEOUT_S = 30.0
QUIET_S = 0.2  # a screen unchanged this long has finished what the last key started
RSS_SETTLE_S = 0.5  # after G, let the reader and feed counts catch up before reading VmHWM
ISOLATED_VARS = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
SCREEN_TAIL = 15  # lines of the last screen shown when a run fails
TITLE_PREFIX = 20  # title cells compared: the articles pane shows ~30 at 120 columns

# An article row: unread/starred/read flag, then the 9-cell date in any of its three forms
# (14:52, 31 Dec, Dec 2024). The feed list and the reader have no such line.
ARTICLE_ROW = re.compile(r"[●★ ] (?:\d\d:\d\d|\d\d \S{3,5}|\S{3,5} \d{4}) +\S")

# A bare Textual app importing what tuinews depends on, painting a look-alike first screen:
# the floor that tuinews' own first paint is compared with.
BARE_APP = """
import feedparser, markdown_it, platformdirs, sqlite_utils  # tuinews' dependencies
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Header()
        yield Static("All articles\\n\\u25cf 31 Dec   A bare row")
        yield Footer()

Bare().run()
"""


@dataclass
class Library:
    """A built library: where it is, how many articles it holds, how long building took."""

    label: str
    db: Path
    articles: int
    build_seconds: float | None  # None when an existing library was reused


@dataclass
class Target:
    """The largest feed and what the screen shows when it is open and scrolled to its end."""

    feed_id: int
    title: str
    total: int
    entry_id: str  # in the feed list
    presses: int  # `j` presses from "All articles" to it in the feed list
    first_id: int
    last_id: int
    top_titles: list[str]  # the feed's newest titles, as the list shows them first
    last_title: str


@dataclass
class PilotResult:
    """In-process timings in milliseconds, one entry per repetition."""

    open_ms: list[float] = field(default_factory=list)
    jump_ms: list[float] = field(default_factory=list)
    jump_reader_ms: list[float] = field(default_factory=list)


@dataclass
class TmuxResult:
    """Timings seen from outside (seconds) and peak RSS (MiB), one entry per run."""

    paint_s: list[float] = field(default_factory=list)
    open_s: list[float] = field(default_factory=list)
    jump_s: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    error: str | None = None  # the run that failed before its figures were taken
    quit_problems: list[str] = field(default_factory=list)  # runs that did not quit cleanly

    def problems(self) -> list[str]:
        """Everything that went wrong, for the error lines at the end."""
        return ([self.error] if self.error else []) + self.quit_problems


class TuinewsFailed(Exception):
    """tuinews itself misbehaved (exited, crashed, never painted): the bench exits 1."""


# --------------------------------------------------------------------------- libraries


def ensure_corpus(workdir: Path, label: str, feeds: int, items: int) -> Path:
    """The gen_corpus.py corpus `label`, generated once per workdir and then reused.

    corpus-100k is the one bench_import.py caches, so a previous import bench saves the
    few minutes it takes to write.
    """
    corpus = (workdir / f"corpus-{label}").resolve()
    if bi.manifest_matches(corpus, feeds, items):
        print(f"[corpus-{label}] reusing {corpus}")
        return corpus
    print(f"[corpus-{label}] generating {feeds} feeds x {items} items ...")
    start = time.perf_counter()
    cmd = [sys.executable, str(bi.GEN_CORPUS), "--feeds", str(feeds), "--items", str(items)]
    cmd += ["--seed", str(bi.SEED), "--out", str(corpus)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    print(f"[corpus-{label}] generated in {time.perf_counter() - start:.1f} s")
    return corpus


def write_big_feed(path: Path, items: int) -> None:
    """One RSS 2.0 file with `items` short items, newest first, dated hourly from 2012.

    The corpus spreads its items over many feeds; opening "the largest feed" only tests
    the list when one feed is as big as the whole library. The dates are all before the
    corpus's 2024, so "All articles" starts with corpus rows and opening this feed
    visibly changes the list.
    """
    start = datetime(2012, 1, 1, tzinfo=UTC).timestamp()
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{BIG_FEED_TITLE}</title><link>https://firehose.example.net/</link>"
        "<description>One feed holding a whole library</description>\n"
    ]
    for n in range(items, 0, -1):
        date = format_datetime(datetime.fromtimestamp(start + n * 3600, UTC), usegmt=True)
        parts.append(
            f'<item><guid isPermaLink="false">firehose-{n:06d}</guid>'
            f"<title>Firehose {n:06d} bulletin</title>"
            f"<link>https://firehose.example.net/{n}</link><pubDate>{date}</pubDate>"
            f"<description>{escape(f'Bulletin {n} of the firehose & its news.')}"
            "</description></item>\n"
        )
    parts.append("</channel></rss>\n")
    path.write_text("".join(parts), encoding="utf-8")


def schema(db: Path) -> list[str]:
    """The CREATE statements of a library, read without changing it."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        return [sql for (sql,) in rows]
    finally:
        conn.close()


def new_schema() -> list[str]:
    """The CREATE statements of a library made now by this tuinews.

    A library is reused only when they match its own: the schema can change without a
    new version number while it is being developed, and an old layout would give old
    timings.
    """
    with tempfile.TemporaryDirectory() as tmp:
        Store(Path(tmp) / "empty.db").close()
        return schema(Path(tmp) / "empty.db")


def build_library(exe: Path, workdir: Path, label: str, rebuild: bool) -> Library:
    """The library `label`, reused when its database already holds the right count.

    Building is an import bench of its own (bench_import.py); here it is only the setup,
    so a library left by an earlier run is reused (unless `rebuild`) and its build time
    shown as "reused".
    """
    corpus_label, feeds, items, big = LIBRARIES[label]
    expected = feeds * items + big
    home = workdir / f"tui-{label}"
    db = home / "library.db"
    reusable = not rebuild and db.exists() and bi.count_rows(db, "articles") == expected
    if reusable and schema(db) == new_schema():
        print(f"[{label}] library: reusing {db} ({expected:,} articles)")
        return Library(label, db, expected, None)

    corpus = ensure_corpus(workdir, corpus_label, feeds, items)
    bi.fresh_dir(home)
    env = bi.isolated_env(home / "home")
    steps = [["import-opml", str(corpus / "feeds.opml")]]
    if big:
        big_file = home / "firehose.xml"
        started = time.perf_counter()
        write_big_feed(big_file, big)
        print(f"[{label}] wrote {big:,}-item feed in {time.perf_counter() - started:.1f} s")
        steps.append(["add", str(big_file)])
    seconds = 0.0
    for number, step in enumerate(steps):
        run = bi.run_measured([str(exe), "--db", str(db), *step], env, home / f"build-{number}.log")
        # Time only: ru_maxrss of a child counts this process's own RSS at the fork
        # (tens of MiB once Textual is loaded), so it says little about the import.
        print(f"[{label}] tuinews {step[0]}: {run.seconds:.2f} s")
        if not run.ok:
            print(bi.log_tail(run.log))
            raise TuinewsFailed(f"tuinews {step[0]} exited {run.returncode} (log {run.log})")
        seconds += run.seconds
    stored = bi.count_rows(db, "articles")
    bi.check_count("tuinews", stored, expected)
    return Library(label, db, stored or 0, seconds)


# --------------------------------------------------------------------------- Pilot


def find_target(app: TuinewsApp, db: Path) -> Target:
    """The largest feed (first in feed-list order on a tie) and its first and last rows.

    Its entry id and the `j` presses to reach it come from the app's own FeedList
    (one press per entry: j skips headings), so the tmux run can drive the real UI to the
    same feed with keys.
    """
    feed_list = app.query_one(FeedList)
    with Store(db) as store:
        totals = {f"feed-{feed.id}": (feed.total, feed.title) for feed in store.feeds()}
        entries = [(i, e) for i, e in enumerate(feed_list.entry_ids) if e in totals]
        presses, entry_id = max(entries, key=lambda pair: (totals[pair[1]][0], -pair[0]))
        feed_id = int(entry_id.removeprefix("feed-"))
        ids = store.article_ids(ArticleView(feed_id=feed_id))
        top = store.article_rows(ids[:4])
        top.sort(key=lambda row: ids.index(row.id))
        (last,) = store.article_rows(ids[-1:])
    total, title = totals[entry_id]
    top_titles = [row.title for row in top]
    return Target(feed_id, title, total, entry_id, presses, ids[0], ids[-1], top_titles, last.title)


async def wait_until(pilot: Pilot, done: Callable[[], bool], what: str) -> None:
    """Let the app run in PILOT_POLL_S steps until `done()`.

    pilot.pause(delay) drains every widget's message queue, sleeps `delay` and then runs
    the screen's update, which lays out and repaints what changed: when `done()` holds
    afterwards, the screen showing it has been painted (to the headless driver).
    """
    deadline = time.perf_counter() + ACTION_TIMEOUT_S
    while not done():
        if time.perf_counter() > deadline:
            raise TuinewsFailed(f"Pilot: timed out waiting for {what}")
        await pilot.pause(PILOT_POLL_S)


async def settle(pilot: Pilot, app: TuinewsApp) -> None:
    """Wait until no worker runs and none was started by the last round of messages.

    Loading a view starts a chain (ids, then the article, then the feed counts); each
    timed step must start from a quiet app or it would pay for the previous one. A
    worker cancelled by a newer one of its group counts as finished.
    """
    for _ in range(200):
        await pilot.pause()
        busy = [worker for worker in app.workers if not worker.is_finished]
        if not busy:
            return
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete(busy)
    raise TuinewsFailed("Pilot: workers never went quiet")


async def pilot_timings(db: Path, runs: int) -> tuple[Target, PilotResult, str | None]:
    """Run TuinewsApp headless at 120x40 and time `runs` repetitions in it.

    Also returns a note when quitting the app failed: quitting used to raise
    NoMatches('FeedList') from the app's on_unmount, which is reported without voiding
    the timings taken before it. Any other error, or the app's own exception hidden
    behind that one, is raised.
    """
    with tempfile.TemporaryDirectory() as tmp:
        app = TuinewsApp(Config(db_path=db), state_path=Path(tmp) / "ui.json")
        context = app.run_test(size=(COLUMNS, LINES))
        pilot = await context.__aenter__()
        try:
            target, result = await pilot_repetitions(app, pilot, db, runs)
        except BaseException as error:
            with contextlib.suppress(NoMatches):
                await context.__aexit__(type(error), error, error.__traceback__)
            raise
        try:
            await context.__aexit__(None, None, None)
        except NoMatches as error:
            if app._exception is not None:
                raise app._exception from None
            return target, result, f"quitting raised NoMatches: {error}"
    return target, result, None


async def pilot_repetitions(
    app: TuinewsApp, pilot: Pilot, db: Path, runs: int
) -> tuple[Target, PilotResult]:
    """Time opening the largest feed and pressing G, `runs` times, in one app.

    Each repetition goes back to "All articles" and settles first (untimed). Keys are
    sent with app.simulate_key, the path a real key takes, rather than pilot.press,
    which sleeps at least 40 ms per key waiting for the app to look idle.
    """
    query = app.query_one
    articles, feed_list, page = query(ArticleList), query(FeedList), query("#page", Static)
    await wait_until(pilot, lambda: bool(articles.article_ids), "the first list")
    await settle(pilot, app)
    target = find_target(app, db)
    result = PilotResult()
    for _ in range(runs):
        feed_list.highlight("all")
        await settle(pilot, app)

        shown = page.content
        start = time.perf_counter()
        feed_list.highlight(target.entry_id)
        await wait_until(
            pilot,
            lambda shown=shown: (
                len(articles.article_ids) == target.total
                and articles.current_id == target.first_id
                and page.content is not shown
            ),
            "the largest feed to open",
        )
        result.open_ms.append((time.perf_counter() - start) * 1000)
        await settle(pilot, app)

        shown = page.content
        start = time.perf_counter()
        app.simulate_key("G")
        await wait_until(pilot, lambda: articles.current_id == target.last_id, "G")
        result.jump_ms.append((time.perf_counter() - start) * 1000)
        await wait_until(pilot, lambda shown=shown: page.content is not shown, "the reader after G")
        result.jump_reader_ms.append((time.perf_counter() - start) * 1000)
    return target, result


# --------------------------------------------------------------------------- tmux


class Tmux:
    """A private tmux server (its own socket, no user config), killed on close.

    A private socket keeps the bench away from the user's own sessions, and starting
    the server once, before any timing, keeps server start-up out of the first paint.
    remain-on-exit keeps a dead pane's last screen (a traceback, say) readable.
    """

    def __init__(self) -> None:
        self.socket = f"tuinews-bench-{os.getpid()}"
        self.env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        self._statuses = tempfile.TemporaryDirectory(prefix="tuinews-bench-")
        self("-f", "/dev/null", "new-session", "-d", "-s", "keeper", "cat")
        self("set-option", "-g", "remain-on-exit", "on")

    def __call__(self, *args: str, check: bool = True) -> str:
        """Run one tmux command on the private server and return its output."""
        proc = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def start(self, session: str, argv: list[str], env: dict[str, str]) -> None:
        """Run `argv` with `env` added in a new detached COLUMNS x LINES session.

        The pane runs `sh -c '"$@"; echo $? > "$0"' STATUS env VAR=... argv...`: tmux's
        own #{pane_dead_status} is left empty now and then (tmux 3.3a), so the exit
        status goes to a file instead.
        """
        status = self._status_file(session)
        status.unlink(missing_ok=True)
        assignments = [f"{key}={value}" for key, value in env.items()]
        size = ["-x", str(COLUMNS), "-y", str(LINES)]
        wrapper = ["sh", "-c", '"$@"; echo $? > "$0"', str(status)]
        self("new-session", "-d", "-s", session, *size, *wrapper, "env", *assignments, *argv)

    def screen(self, session: str) -> str:
        """The session's screen as text, as a user would read it."""
        return self("capture-pane", "-p", "-t", session, check=False)

    def exit_status(self, session: str) -> int | None:
        """The exit status of the session's command, None while it runs."""
        try:
            text = self._status_file(session).read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def _status_file(self, session: str) -> Path:
        return Path(self._statuses.name) / f"{session}.status"

    def close(self) -> None:
        """Kill this bench's private server and everything it still runs."""
        socket = self("display-message", "-p", "#{socket_path}", check=False).strip()
        self("kill-server", check=False)
        if socket:
            Path(socket).unlink(missing_ok=True)  # tmux leaves it behind
        self._statuses.cleanup()


def wait_for_screen(tmux: Tmux, session: str, done: Callable[[str], bool], what: str) -> float:
    """Poll the screen every TMUX_POLL_S until `done(screen)`; return monotonic() then.

    Raises TuinewsFailed if the process exits or the screen never gets there, with the
    last screen, which usually shows the traceback or how far it got.
    """
    deadline = time.monotonic() + (PAINT_TIMEOUT_S if what == "first paint" else ACTION_TIMEOUT_S)
    while True:
        screen = tmux.screen(session)
        now = time.monotonic()
        if done(screen):
            return now
        status = tmux.exit_status(session)
        if status is not None or now > deadline:
            why = "timed out" if status is None else f"exited with status {status}"
            time.sleep(0.1)  # tmux may not have drawn the process's last output yet
            screen = tmux.screen(session)
            shown = "\n".join(f"    | {line}" for line in printed(screen)[-SCREEN_TAIL:])
            raise TuinewsFailed(f"{why} waiting for {what}; the screen:\n{shown}")
        time.sleep(TMUX_POLL_S)


def wait_for_quiet(tmux: Tmux, session: str) -> None:
    """Wait until the screen has not changed for QUIET_S (at most ACTION_TIMEOUT_S).

    Opening a feed goes on after its rows show (the reader, the feed counts); G pressed
    straight away would be charged for that work too.
    """
    deadline = time.monotonic() + ACTION_TIMEOUT_S
    last, since = tmux.screen(session), time.monotonic()
    while time.monotonic() - since < QUIET_S and time.monotonic() < deadline:
        time.sleep(TMUX_POLL_S)
        if (screen := tmux.screen(session)) != last:
            last, since = screen, time.monotonic()


def printed(screen: str) -> list[str]:
    """The screen's non-blank lines, without the "Pane is dead" line tmux adds."""
    lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
    return [line for line in lines if not line.startswith("Pane is dead")]


def first_paint(screen: str) -> bool:
    """The first useful screen: the feed list's "All articles" and an article row."""
    return "All articles" in screen and ARTICLE_ROW.search(screen) is not None


def article_rows(screen: str) -> list[str]:
    """The article rows in the articles pane, top to bottom.

    The pane is found by its top border "╭─ Articles ...╮" and read down to its bottom
    border, keeping the lines that look like an article row (not the scrollbar's).
    Comparing titles anywhere on the screen would also match the reader, and the
    corpus's templated titles repeat often enough to match some other row.
    """
    lines = screen.splitlines()
    top = next((i for i, line in enumerate(lines) if "╭─ Articles" in line), None)
    if top is None:
        return []
    left = lines[top].index("╭─ Articles")
    right = lines[top].find("╮", left)
    rows = []
    for line in lines[top + 1 :]:
        if line[left : left + 1] != "│":
            break
        rows.append(line[left + 1 : right])
    return [row for row in rows if ARTICLE_ROW.match(row)]


def rows_start_with(titles: Sequence[str]) -> Callable[[str], bool]:
    """A screen test: the list's first rows show `titles`, in order (a feed just opened)."""

    def test(screen: str) -> bool:
        rows = article_rows(screen)
        return len(rows) >= len(titles) and all(
            shows(row, title) for row, title in zip(rows, titles, strict=False)
        )

    return test


def last_row_is(title: str) -> Callable[[str], bool]:
    """A screen test: the list's last row shows `title` (the list is at its end)."""
    return lambda screen: bool(rows := article_rows(screen)) and shows(rows[-1], title)


def shows(row: str, title: str) -> bool:
    """Whether an article row shows `title`, comparing the first TITLE_PREFIX cells."""
    return title[:TITLE_PREFIX] in row


def process_pid(tmux: Tmux, session: str) -> int:
    """PID of the Python process in the pane, whose /proc/PID/status has the peak RSS.

    The pane's own process is the wrapper's sh, whose child env execs tuinews, so
    Python is found by walking down the first child (`ps --ppid`) until /proc/PID/exe
    is a Python interpreter.
    """
    pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0])
    for _ in range(4):
        if "python" in Path(f"/proc/{pid}/exe").resolve().name:
            return pid
        children = subprocess.run(
            ["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True, check=False
        ).stdout.split()
        if not children:
            break
        pid = int(children[0])
    raise TuinewsFailed(f"no Python process under the pane of {session}")


def peak_rss_mib(pid: int) -> float:
    """VmHWM (the peak resident set) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


def quit_session(tmux: Tmux, session: str) -> str | None:
    """Press q, give the app 5 s to exit, then kill the session.

    Returns None after a clean exit, else what went wrong, with the last lines the
    process printed (remain-on-exit keeps them on the screen).
    """
    tmux("send-keys", "-t", session, "q", check=False)
    deadline = time.monotonic() + 5
    while (status := tmux.exit_status(session)) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    screen = tmux.screen(session)
    tmux("kill-session", "-t", session, check=False)
    if status == 0:
        return None
    why = "still running 5 s after q" if status is None else f"exit status {status} after q"
    return f"{why}: {' '.join(line.strip() for line in printed(screen)[-2:])}"


@dataclass
class RunFigures:
    """One tmux session's figures (seconds, MiB); open/jump are None without a target."""

    paint_s: float
    open_s: float | None
    jump_s: float | None
    rss_mib: float
    quit_problem: str | None


def tmux_run(
    tmux: Tmux, argv: list[str], env: dict[str, str], number: int, target: Target | None
) -> RunFigures:
    """One session: time to first paint; then, with a target, the time to open the
    largest feed and to jump to its end as seen on screen; then the peak RSS."""
    session = f"run{number}"
    opened = jumped = None
    try:
        start = time.monotonic()
        tmux.start(session, argv, env)
        painted = wait_for_screen(tmux, session, first_paint, "first paint") - start
        pid = process_pid(tmux, session)
        if target is not None:
            # The article list has the focus: shift+tab to the feeds, j down to the feed,
            # enter back to the list.
            start = time.monotonic()
            tmux("send-keys", "-t", session, "BTab", *["j"] * target.presses, "Enter")
            top = rows_start_with(target.top_titles)
            opened = wait_for_screen(tmux, session, top, "the feed") - start
            wait_for_quiet(tmux, session)
            start = time.monotonic()
            tmux("send-keys", "-t", session, "G")
            end = last_row_is(target.last_title)
            jumped = wait_for_screen(tmux, session, end, "G") - start
        time.sleep(RSS_SETTLE_S)
        rss = peak_rss_mib(pid)
    finally:
        problem = quit_session(tmux, session)
    return RunFigures(painted, opened, jumped, rss, problem)


def tmux_runs(
    argv: list[str], env_for: Callable[[int], dict[str, str]], runs: int, target: Target | None
) -> TmuxResult:
    """`runs` fresh sessions of `argv`, each with its own environment from `env_for`.

    A run that fails before its figures are taken ends the series (result.error); a
    failure on quit is recorded (result.quit_problems) and the series goes on, since
    the figures were already taken.
    """
    result = TmuxResult()
    tmux = Tmux()
    try:
        for number in range(runs):
            figures = tmux_run(tmux, argv, env_for(number), number, target)
            result.paint_s.append(figures.paint_s)
            result.rss_mib.append(figures.rss_mib)
            if figures.open_s is not None and figures.jump_s is not None:
                result.open_s.append(figures.open_s)
                result.jump_s.append(figures.jump_s)
            if figures.quit_problem:
                result.quit_problems.append(f"run {number + 1}: {figures.quit_problem}")
    except TuinewsFailed as error:
        result.error = str(error)
    finally:
        tmux.close()
    return result


def tuinews_env(db: Path, rundir: Path) -> Callable[[int], dict[str, str]]:
    """Per run: a fresh HOME/XDG (so no UI state file says where to start) and TUINEWS_DB."""

    def env_for(number: int) -> dict[str, str]:
        home = bi.fresh_dir(rundir / f"home-{number}")
        isolated = bi.isolated_env(home)
        env = {key: isolated[key] for key in ISOLATED_VARS}
        env["TUINEWS_DB"] = str(db)
        return env

    return env_for


# --------------------------------------------------------------------------- report


def ms(values: Sequence[float]) -> tuple[float, float] | None:
    """(median, max) of a list, None when empty."""
    return (statistics.median(values), max(values)) if values else None


@dataclass
class Row:
    """One line of the summary table."""

    library: str
    measure: str
    stats: tuple[float, float | None] | None  # (median, max); max None for a single figure
    unit: str
    target: str = ""
    verdict: str = ""


def judge(value: float | None, limit: float) -> str:
    """ok / MISSED for a figure against an upper limit."""
    if value is None:
        return "n/a"
    return "ok" if value <= limit else "MISSED"


def library_rows(lib: Library, pilot: PilotResult, tmux: TmuxResult | None) -> list[Row]:
    """The table lines for one library; judged on the median (the max is shown)."""
    name = lib.label
    action = f"<= {ACTION_TARGET_MS:.0f} ms"
    opened, jumped = ms(pilot.open_ms), ms(pilot.jump_ms)
    rows = [
        Row(name, "open largest feed (Pilot)", opened, "ms", action,
            judge(opened[0] if opened else None, ACTION_TARGET_MS)),
        Row(name, "G to its end (Pilot)", jumped, "ms", action,
            judge(jumped[0] if jumped else None, ACTION_TARGET_MS)),
        Row(name, "G + reader shows it (Pilot)", ms(pilot.jump_reader_ms), "ms"),
    ]  # fmt: skip
    if tmux is None:
        return rows
    paint, rss = ms(tmux.paint_s), ms(tmux.rss_mib)
    return [
        Row(name, FIRST_PAINT, paint, "s", f"<= {FIRST_PAINT_TARGET_S} s",
            judge(paint[0] if paint else None, FIRST_PAINT_TARGET_S)),
        *rows,
        Row(name, "open largest feed (tmux, keys)", ms(tmux.open_s), "s"),
        Row(name, "G to its end (tmux)", ms(tmux.jump_s), "s"),
        Row(name, "peak RSS after feed + G", rss, "MiB", f"<= {RSS_TARGET_MIB:.0f} MiB",
            judge(rss[1] if rss else None, RSS_TARGET_MIB)),
    ]  # fmt: skip


def fmt_value(value: float, unit: str) -> str:
    """A figure in its unit, with the precision that unit needs."""
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.0f} {unit}"


def print_table(rows: list[Row]) -> None:
    """Aligned summary table, like bench_import.py's."""
    header = ("library", "measure", "median", "max", "target", "")
    lines = [header]
    for r in rows:
        median, top = r.stats or (None, None)
        cells = [fmt_value(v, r.unit) if v is not None else "-" for v in (median, top)]
        lines.append((r.library, r.measure, *cells, r.target, r.verdict))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def no_worse_row(rows: list[Row]) -> Row | None:
    """First paint at 100k against 1k (median over median), when both were measured."""
    paint = {r.library: r.stats for r in rows if r.measure == FIRST_PAINT and r.stats}
    if "1k" not in paint or "100k" not in paint:
        return None
    ratio = paint["100k"][0] / paint["1k"][0]
    verdict = judge(ratio, NO_WORSE_MARGIN)
    return Row(
        "100k/1k",
        "first paint, 100k / 1k medians",
        (ratio, None),
        "x",
        f"<= {NO_WORSE_MARGIN:.2f}x",
        verdict,
    )


# --------------------------------------------------------------------------- main


def parse_libraries(text: str) -> list[str]:
    """Split '1k,100k' into known library labels, rejecting unknown ones early."""
    labels = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in labels if s not in LIBRARIES]
    if unknown or not labels:
        raise argparse.ArgumentTypeError(
            f"unknown library {', '.join(unknown) or repr(text)}; choose from "
            + ", ".join(LIBRARIES)
        )
    return labels


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--libraries",
        type=parse_libraries,
        default=list(LIBRARIES),
        help="comma-separated: " + ", ".join(LIBRARIES),
    )
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="repetitions (default 5)")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=bi.DEFAULT_WORKDIR,
        help=f"corpora, libraries and run folders (default: {bi.DEFAULT_WORKDIR})",
    )
    ap.add_argument("--rebuild", action="store_true", help="build the libraries even if reusable")
    ap.add_argument("--no-tmux", action="store_true", help="skip the first-paint/RSS runs")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare Textual baseline")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def bench_library(
    exe: Path, workdir: Path, label: str, runs: int, use_tmux: bool, rebuild: bool
) -> tuple[list[Row], str, list[str]]:
    """Build (or reuse) one library, then time it with Pilot, then in tmux.

    Returns the table rows, a line about the library, and the failures of tuinews.
    """
    lib = build_library(exe, workdir, label, rebuild)
    target, pilot, quit_note = asyncio.run(pilot_timings(lib.db, runs))
    failures = [f"{label} (Pilot): {quit_note}"] if quit_note else []
    print(
        f"[{label}] largest feed: {target.title!r}, {target.total:,} articles; "
        f"Pilot open {rounded(pilot.open_ms, 1)} ms, G {rounded(pilot.jump_ms, 1)} ms"
    )
    tmux = None
    if use_tmux:
        env_for = tuinews_env(lib.db, workdir / f"tui-{label}" / "runs")
        tmux = tmux_runs([str(exe)], env_for, runs, target)
        print(
            f"[{label}] first paint {rounded(tmux.paint_s, 3)} s, "
            f"peak RSS {rounded(tmux.rss_mib, 0)} MiB"
        )
        failures += [f"{label} (tmux): {problem}" for problem in tmux.problems()]
    built = "reused" if lib.build_seconds is None else f"built in {lib.build_seconds:.1f} s"
    about = f"{label}: {lib.articles:,} articles ({built}), largest feed {target.total:,}"
    return library_rows(lib, pilot, tmux), about, failures


def rounded(values: Sequence[float], digits: int) -> list[float]:
    """Each run's figure, for the progress lines."""
    return [round(value, digits) for value in values]


NOTES = f"""
Median and max over the runs; ok/MISSED judge the median, and the max for peak RSS.
tmux: the real tuinews in a detached {COLUMNS}x{LINES} tmux session with a fresh HOME, its screen
  polled every {TMUX_POLL_S * 1000:.0f} ms. First paint runs from just before `tmux new-session`
  to a screen showing "All articles" and an article row. Opening by keys counts shift+tab
  and every `j` on the way (each feed passed loads its list); G is pressed once the
  screen has been still for {QUIET_S * 1000:.0f} ms. Peak RSS: VmHWM, {RSS_SETTLE_S} s after G.
Pilot: in-process and headless (nothing reaches a terminal). Each step is polled with
  pilot.pause({PILOT_POLL_S}): drain every message queue, sleep 1 ms, lay out and repaint. A
  change is seen at the end of the cycle it happened in, after the repaint it needs,
  so the figures include that repaint and up to one cycle of polling. Keys go through
  app.simulate_key, not pilot.press (which idles at least 40 ms per key)."""


def main(argv: list[str] | None = None) -> int:
    """Run every requested library and print the summary; non-zero only if tuinews failed."""
    args = parse_args(argv)
    exe = bi.find_tuinews()
    if exe is None:
        print("error: no tuinews executable next to this python or on PATH", file=sys.stderr)
        return 2
    use_tmux = not args.no_tmux and shutil.which("tmux") is not None
    print(f"tuinews: {exe}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (other work skews the timings)")
    if not use_tmux:
        why = "--no-tmux" if args.no_tmux else "tmux is not installed (apt-get install tmux)"
        print(f"SKIPPING first paint and peak RSS: {why}")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    rows: list[Row] = []
    about: list[str] = []
    failures: list[str] = []
    if use_tmux and not args.no_bare:
        env_for = tuinews_env(Path(os.devnull), workdir / "tui-bare")
        bare = tmux_runs([sys.executable, "-c", BARE_APP], env_for, args.runs, None)
        rows.append(Row("bare", "first paint, bare Textual (tmux)", ms(bare.paint_s), "s"))
        for problem in bare.problems():
            print(f"bare Textual app: {problem}")  # not tuinews: reported, not failed
    for label in args.libraries:
        try:
            lib_rows, lib_about, lib_failures = bench_library(
                exe, workdir, label, args.runs, use_tmux, args.rebuild
            )
        except TuinewsFailed as error:
            failures.append(f"{label}: {error}")
            print(f"[{label}] FAILED: {error}")
            continue
        except Exception as error:  # the app raised under Pilot: a failure, with its traceback
            traceback.print_exc()
            failures.append(f"{label}: {type(error).__name__}: {error}")
            continue
        rows += lib_rows
        about.append(lib_about)
        failures += lib_failures
    if (row := no_worse_row(rows)) is not None:
        rows.append(row)

    print("\n" + "\n".join(about))
    print_table(rows)
    print(NOTES)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

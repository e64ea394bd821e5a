#!/usr/bin/env python3
"""Search benchmark: query latency and keystroke-to-results on the 100k-article library.

On the 100,000-article library (gen_corpus.py --size large, imported by tuinews) this script

1. takes the library bench_import.py leaves in WORKDIR/run-100k/ (or builds one) when it
   holds 100,000 articles and this tuinews's schema, copies it to WORKDIR/search-100k/
   (so a later import bench cannot change it mid-run), marks every other article read
   (so is:unread selects half), and checks that each planted term finds exactly the
   number of articles manifest.json says it was planted in;
2. in-process, times each query from its text to the first page of 50 ranked results
   with snippets and list rows: parse_query, Store.search(limit=50), Store.snippets and
   Store.article_rows. The first run on a fresh connection, after asking the kernel to
   drop the library from its page cache, is reported as "cold"; then 3 untimed warm-up
   runs and 50 timed ones give the median and p95;
3. with Textual's Pilot at 120x40, types each query into the search bar one key at a
   time and times the last key press until the article list holds the results and has
   been repainted. That includes the search bar's debounce (SEARCH_DEBOUNCE), a
   deliberate wait for the user to pause; the target is judged on the figure without it.

It measures; it does not judge: a missed target is reported as MISSED, never turned into
a failing exit status. The exit status is non-zero only when tuinews itself fails (an
import that exits non-zero, a search that finds the wrong number of articles, a UI that
raises or never shows the results).

Usage:
  python bench/bench_search.py                  # library check, queries, TUI
  python bench/bench_search.py --runs 20 --tui-runs 3
  python bench/bench_search.py --no-tui         # in-process query latency only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import math
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import constants, events
from textual.css.query import NoMatches
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input, Label
from tuinews.config import Config
from tuinews.search_query import parse_query
from tuinews.store import Store
from tuinews.ui.app import SEARCH_DEBOUNCE, SNIPPETS_SHOWN, TuinewsApp
from tuinews.ui.article_list import ArticleList

import bench_import as bi  # same tuinews, HOME isolation, corpus cache, row counts
import bench_tui as bt  # schema comparison and the Pilot waiting helpers

SIZE = "100k"
ARTICLES = bi.SIZES[SIZE][0] * bi.SIZES[SIZE][1]
# The corpus is dated over 2024: "now" is fixed just after it, so since: filters select
# the same articles whenever this runs. Naive, like the app's own clock (datetime.now).
NOW = datetime(2025, 1, 1)
PAGE_SIZE = 50  # "the first page of 50 ranked results"
# The TUI asks Store.search for its default limit and snippets for the first few hundred.
TUI_LIMIT: int = inspect.signature(Store.search).parameters["limit"].default
COLUMNS, LINES = bt.COLUMNS, bt.LINES

DEFAULT_RUNS = 50
WARMUP_RUNS = 3
DEFAULT_TUI_RUNS = 10
KEYSTROKE_TARGET_MS = 50.0
POLL_S = bt.PILOT_POLL_S
CAN_EVICT = hasattr(os, "posix_fadvise")  # dropping the library from the OS page cache


@dataclass(frozen=True)
class Case:
    """One query: a short label, what the user types, and its median target (ms), if any."""

    label: str
    text: str
    target_ms: float | None
    planted: str | None = None  # the manifest's key for a planted term, to check its count


CASES = (
    Case("rare", "quixotrel", 5.0, "rare"),
    Case("medium", "marbelith", 5.0, "medium"),
    Case("common", "solvantic", 20.0, "common"),
    # Unread (half the library) from the last 90 days of 2024 (a quarter): about 1/8 of
    # the common term's articles, found through the filtered (join) path of Store.search.
    Case("filtered", "solvantic is:unread since:3m", None),
    Case("prefix", "marbel*", None),
)
TUI_CASES = ("rare", "medium", "common", "filtered")


class TuinewsFailed(bt.TuinewsFailed):
    """tuinews itself misbehaved (exited, crashed, wrong results): the bench exits 1."""


# --------------------------------------------------------------------------- library


def signature(db: Path) -> tuple[int, list[str]]:
    """The schema version and CREATE statements of a library, read without changing it."""
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    return version, bt.schema(db)


def new_signature() -> tuple[int, list[str]]:
    """What a library made now by this tuinews looks like: only such a one is timed.

    The schema can change without a new version number while it is being developed,
    so the CREATE statements are compared as well as user_version.
    """
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "empty.db"
        Store(db).close()
        return signature(db)


def reusable(db: Path) -> bool:
    """Whether `db` is a complete 100k library in the current schema."""
    if not db.is_file():
        return False
    if bi.count_rows(db, "articles") != ARTICLES:
        return False
    return signature(db) == new_signature()


def source_library(exe: Path, workdir: Path, corpus: Path, rebuild: bool) -> Path:
    """A 100k library to copy: bench_import.py's, else our own build, else a new build.

    Importing 100k articles is the import bench's job and takes a while; here it is
    only the setup, so an existing library is reused unless `rebuild`.
    """
    ours = workdir / f"search-{SIZE}" / "build" / "tuinews.db"
    for db in (workdir / f"run-{SIZE}" / "tuinews" / "tuinews.db", ours):
        if not rebuild and reusable(db):
            print(f"[library] reusing {db}")
            return db
    home = bi.fresh_dir(ours.parent)
    cmd = [str(exe), "--db", str(ours), "import-opml", str(corpus / "feeds.opml")]
    run = bi.run_measured(cmd, bi.isolated_env(home / "home"), home / "import.log")
    print(f"[library] built {ours} in {run.seconds:.1f} s")
    if not run.ok:
        print(bi.log_tail(run.log))
        raise TuinewsFailed(f"tuinews import-opml exited {run.returncode} (log {run.log})")
    stored = bi.count_rows(ours, "articles")
    bi.check_count("tuinews", stored, ARTICLES)
    if stored != ARTICLES:
        raise TuinewsFailed(f"the import stored {stored} articles, not {ARTICLES}")
    return ours


def private_copy(source: Path, db: Path) -> None:
    """Copy the library to `db` with SQLite's backup API, then mark every other one read.

    The backup copies the pages as they are (the FTS index included), and reads a
    consistent state even with a -wal file next to the source. Marking even ids read
    gives is:unread half the library to select; it touches no indexed text, so the
    search index is the import's own.
    """
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(db, isolation_level=None)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
        dst.execute("BEGIN IMMEDIATE")
        dst.execute("UPDATE articles SET read = (id % 2 = 0)")
        dst.execute("COMMIT")
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        src.close()
        dst.close()


def evict(db: Path) -> None:
    """Ask the kernel to drop the library's pages from its cache, for a cold first query.

    posix_fadvise(DONTNEED) needs no privileges, but only drops clean pages (hence the
    fsync) and is advice: a page in use elsewhere may stay. Does nothing where the call
    does not exist (CAN_EVICT is False).
    """
    if not CAN_EVICT:
        return
    for path in (db, Path(f"{db}-wal")):
        if not path.exists():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def check_hits(db: Path, manifest: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """Every case's full hit count; the planted terms' are compared with the manifest.

    A search that is fast because it finds too little is no result, so a mismatch is
    printed loudly and returned as a failure of tuinews.
    """
    hits: dict[str, int] = {}
    failures = []
    with Store(db) as store:
        for case in CASES:
            query = parse_query(case.text, now=NOW.timestamp())
            hits[case.label] = len(store.search(query, limit=ARTICLES + 1))
            found = f"[hits] {case.text!r}: {hits[case.label]:,} articles"
            if case.planted is None:
                print(found)
                continue
            expected = int(manifest["terms"][case.planted]["items"])
            if hits[case.label] == expected:
                print(f"{found} (as planted)")
            else:
                print(f"{found}  !!!! WRONG: planted in {expected:,} (manifest.json) !!!!")
                failures.append(f"{case.text!r} found {hits[case.label]:,}, planted {expected:,}")
    return hits, failures


# --------------------------------------------------------------------------- queries


@dataclass
class QueryResult:
    """In-process latencies of one query, in milliseconds."""

    cold_ms: float
    warm_ms: list[float]


def first_page(store: Store, text: str) -> tuple[int, int]:
    """What the issue times: query text to 50 ranked results with snippets and rows.

    Returns (rows, snippets) so the caller can check the page was really filled.
    """
    query = parse_query(text, now=NOW.timestamp())
    ids = [hit.article_id for hit in store.search(query, limit=PAGE_SIZE)]
    snippets = store.snippets(query.match, ids) if query.match else {}
    rows = store.article_rows(ids)
    return len(rows), len(snippets)


def time_query(db: Path, case: Case, expected: int, runs: int, cold: bool) -> QueryResult:
    """A cold first run on a new connection, warm-ups, then `runs` timed runs.

    Each query gets its own connection and eviction, so its cold figure does not
    profit from the queries before it.
    """
    if cold:
        evict(db)
    with Store(db) as store:
        start = time.perf_counter()
        page = first_page(store, case.text)
        cold_ms = (time.perf_counter() - start) * 1000
        wanted = min(expected, PAGE_SIZE)
        if page != (wanted, wanted):
            raise TuinewsFailed(
                f"{case.text!r}: first page has {page[0]} rows and {page[1]} snippets, "
                f"expected {wanted} of each"
            )
        for _ in range(WARMUP_RUNS):
            first_page(store, case.text)
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            first_page(store, case.text)
            warm.append((time.perf_counter() - start) * 1000)
    return QueryResult(cold_ms, warm)


# --------------------------------------------------------------------------- TUI


@dataclass
class Marks:
    """When the app reached each step of the last search (perf_counter seconds).

    Set by thin wrappers around the app's own methods: they only take the time.
    `painted` is set by the first frame that holds a freshly drawn list row, and
    sets `done` for the bench waiting on it.
    """

    started: float | None = None  # run_search called: the debounce timer fired
    shown: float | None = None  # _show_results ran on the UI thread
    drawn: float | None = None  # the article list drew a row after that
    painted: float | None = None  # ... and the frame holding it was done
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def clear(self) -> None:
        """Forget the previous search's steps."""
        self.started = self.shown = self.drawn = self.painted = None
        self.done.clear()


@dataclass
class TuiResult:
    """Keystroke-to-results timings of one query, in milliseconds, one entry per run."""

    total_ms: list[float] = field(default_factory=list)  # last key to repainted list
    debounce_ms: list[float] = field(default_factory=list)  # last key to run_search
    worker_ms: list[float] = field(default_factory=list)  # run_search to _show_results
    paint_ms: list[float] = field(default_factory=list)  # _show_results to the frame


def instrument(app: TuinewsApp, articles: ArticleList, marks: Marks) -> None:
    """Wrap four of the app's methods to stamp `marks` as a search goes through.

    The debounce timer calls self.run_search, the worker posts its results, whose
    handler gives them to the article list's show, the screen's update timer has the
    list draw its rows (render_line) and then hands the frame to app._display: all
    are looked up on the instance, so instance attributes intercept them without
    changing what they do.
    """
    run_search, show_results = app.run_search, articles.show
    render_line, display = articles.render_line, app._display

    def timed_run_search(text: str) -> Any:
        marks.started = time.perf_counter()
        return run_search(text)

    def timed_show_results(*args: Any, **kwargs: Any) -> None:
        show_results(*args, **kwargs)
        marks.shown, marks.drawn = time.perf_counter(), None

    def timed_render_line(y: int) -> Any:
        if marks.shown is not None and marks.drawn is None:
            marks.drawn = time.perf_counter()
        return render_line(y)

    def timed_display(*args: Any) -> None:
        display(*args)
        if marks.drawn is not None and marks.painted is None:
            marks.painted = time.perf_counter()
            marks.done.set()

    app.run_search = timed_run_search  # type: ignore[method-assign]
    articles.show = timed_show_results  # type: ignore[method-assign]
    articles.render_line = timed_render_line  # type: ignore[method-assign]
    app._display = timed_display  # type: ignore[method-assign]


def press(app: TuinewsApp, character: str) -> None:
    """Send one key as the terminal driver would: its name and the character it types.

    app.simulate_key sends no character, which an Input needs to insert text, and
    pilot.press idles at least 40 ms per key; this posts the same Key event as
    pilot.press (key name from Textual's own table) without the waiting.
    """
    key = character if character.isalnum() else _character_to_key(character)
    app.post_message(events.Key(key, character))


async def restore_list(pilot: Pilot, app: TuinewsApp, articles: ArticleList) -> None:
    """escape: the bar is cleared and the list goes back to every article (not timed).

    Then waits out the debounce timer clearing the bar started, and every worker, so
    the next timed run starts from a quiet app.
    """
    app.simulate_key("escape")
    await bt.wait_until(
        pilot,
        lambda: len(articles.article_ids) == ARTICLES and app._search_terms is None,
        "escape to restore the article list",
    )
    await pilot.pause(SEARCH_DEBOUNCE + 0.05)
    await bt.settle(pilot, app)


async def type_query(pilot: Pilot, app: TuinewsApp, marks: Marks, text: str) -> None:
    """Focus the bar with / and type all but the last key, one repaint per key.

    The keys come far faster than SEARCH_DEBOUNCE, so no search may start yet: one
    that did would overlap the timed one, so it ends the run as a failure.
    """
    marks.clear()
    search = app.query_one("#search", Input)
    app.simulate_key("slash")
    await bt.wait_until(pilot, lambda: search.has_focus, "/ to focus the search bar")
    for character in text[:-1]:
        press(app, character)
        await pilot.pause(POLL_S)
    await bt.wait_until(pilot, lambda: search.value == text[:-1], "the keys to be typed")
    if marks.started is not None:
        raise TuinewsFailed(f"a search started while {text!r} was being typed")


async def time_keystroke(
    app: TuinewsApp, pilot: Pilot, marks: Marks, text: str, expected: int
) -> tuple[float, float, float, float]:
    """One run: the last key of `text` until the frame showing its results is done.

    Returns (total, debounce, worker, paint) in ms. The bench waits on an event and
    does nothing else meanwhile, as a user waits: polling with pilot.pause would keep
    the UI thread busy and make the search worker queue for the GIL at every row it
    reads. Afterwards the list must hold the expected number of ids and the bar say
    how many were found.
    """
    articles = app.query_one(ArticleList)
    label = app.query_one("#search-error", Label)
    await type_query(pilot, app, marks, text)
    before = articles.article_ids
    start = time.perf_counter()
    press(app, text[-1])
    try:
        await asyncio.wait_for(marks.done.wait(), bt.ACTION_TIMEOUT_S)
    except TimeoutError:
        raise TuinewsFailed(f"no results for {text!r} within {bt.ACTION_TIMEOUT_S} s") from None
    ids, message = articles.article_ids, str(label.content)
    listed = min(expected, TUI_LIMIT)
    if ids is before or len(ids) != listed or message != f"{expected} found":
        raise TuinewsFailed(
            f"{text!r}: the list shows {len(ids)} ids and the bar {message!r}; "
            f"expected {listed} ids and {expected} found"
        )
    assert marks.started is not None and marks.shown is not None and marks.painted is not None
    return (
        (marks.painted - start) * 1000,
        (marks.started - start) * 1000,
        (marks.shown - marks.started) * 1000,
        (marks.painted - marks.shown) * 1000,
    )


async def tui_repetitions(
    app: TuinewsApp, pilot: Pilot, expected: dict[str, int], runs: int
) -> dict[str, TuiResult]:
    """`runs` timed searches per TUI case, in one app, escape and settle in between.

    Each case starts with one untimed search, like the in-process warm-ups: the first
    one after the app started pays for imports and for library pages that neither
    the app nor the reading in tui_timings brought into memory.
    """
    articles = app.query_one(ArticleList)
    marks = Marks()
    instrument(app, articles, marks)
    await bt.wait_until(pilot, lambda: len(articles.article_ids) == ARTICLES, "the first list")
    await bt.settle(pilot, app)
    results: dict[str, TuiResult] = {}
    for case in (case for case in CASES if case.label in TUI_CASES):
        result = results[case.label] = TuiResult()
        for run in range(-1, runs):
            figures = await time_keystroke(app, pilot, marks, case.text, expected[case.label])
            await bt.settle(pilot, app)
            await restore_list(pilot, app, articles)
            if run < 0:
                continue  # the warm-up
            for values, value in zip(
                (result.total_ms, result.debounce_ms, result.worker_ms, result.paint_ms),
                figures,
                strict=True,
            ):
                values.append(value)
        print(
            f"[tui] {case.text!r}: keystroke to results {rounded(result.total_ms)} ms "
            f"(debounce {SEARCH_DEBOUNCE * 1000:.0f} ms included)"
        )
    return results


def read_through(db: Path) -> None:
    """Read the library file once, so the TUI runs start with it in the page cache.

    The in-process part asked the kernel to drop it for its cold figures; a user
    typing into a running app has had the library in memory since it started.
    """
    with db.open("rb") as fh:
        while fh.read(1 << 20):
            pass


async def tui_timings(db: Path, expected: dict[str, int], runs: int) -> dict[str, TuiResult]:
    """Run TuinewsApp headless at 120x40 with a fixed clock and time the searches.

    The list holds at most TUI_LIMIT results; the bar counts them all. Quitting
    used to raise NoMatches from the app's on_unmount; as in bench_tui.py, that is
    ignored unless the app itself raised.
    """
    read_through(db)
    with tempfile.TemporaryDirectory() as tmp:
        app = TuinewsApp(Config(db_path=db), state_path=Path(tmp) / "ui.json", clock=lambda: NOW)
        context = app.run_test(size=(COLUMNS, LINES))
        pilot = await context.__aenter__()
        try:
            results = await tui_repetitions(app, pilot, expected, runs)
        except BaseException as error:
            with contextlib.suppress(NoMatches):
                await context.__aexit__(type(error), error, error.__traceback__)
            raise
        try:
            await context.__aexit__(None, None, None)
        except NoMatches:
            if app._exception is not None:
                raise app._exception from None
    return results


# --------------------------------------------------------------------------- report


def p95(values: Sequence[float]) -> float:
    """95th percentile by nearest rank: a value that was measured (the max below 20 runs)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def rounded(values: Sequence[float]) -> list[float]:
    """Each run's figure, for the progress lines."""
    return [round(value, 1) for value in values]


@dataclass
class Row:
    """One line of the summary table; times in ms."""

    measure: str
    query: str
    values: Sequence[float]
    cold: float | None = None
    target_ms: float | None = None

    def cells(self) -> tuple[str, ...]:
        """The row as table cells, judged on the median."""
        median = statistics.median(self.values)
        target = verdict = ""
        if self.target_ms is not None:
            target = f"<= {self.target_ms:.0f} ms"
            verdict = "ok" if median <= self.target_ms else "MISSED"
        cold = f"{self.cold:.1f} ms" if self.cold is not None else ""
        return (
            self.measure,
            self.query,
            f"{median:.1f} ms",
            f"{p95(self.values):.1f} ms",
            cold,
            target,
            verdict,
        )


def query_rows(results: dict[str, QueryResult]) -> list[Row]:
    """The in-process lines: one per query."""
    return [
        Row("text -> 50 results + snippets", case.text, results[case.label].warm_ms,
            results[case.label].cold_ms, case.target_ms)
        for case in CASES
        if case.label in results
    ]  # fmt: skip


def tui_rows(results: dict[str, TuiResult]) -> list[Row]:
    """The TUI lines: the judged figure, the total, and where the total went."""
    debounce_ms = SEARCH_DEBOUNCE * 1000
    rows = []
    for case in CASES:
        if (result := results.get(case.label)) is None:
            continue
        without = [total - debounce_ms for total in result.total_ms]
        rows += [
            Row("key -> repainted, minus debounce", case.text, without, None, KEYSTROKE_TARGET_MS),
            Row(f"key -> repainted (incl. {debounce_ms:.0f} ms debounce)", case.text,
                result.total_ms),
            Row("  key -> search starts (debounce)", case.text, result.debounce_ms),
            Row("  search worker (open, SQL, snippets)", case.text, result.worker_ms),
            Row("  results -> frame painted", case.text, result.paint_ms),
        ]  # fmt: skip
    return rows


def print_table(rows: list[Row]) -> None:
    """Aligned summary table, like the other benches'."""
    header = ("measure", "query", "median", "p95", "cold", "target", "")
    lines = [header, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print()
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


def notes(runs: int, tui_runs: int, evicted: bool) -> str:
    """How each figure was taken, printed under the table."""
    cold = (
        "first run on a new connection after posix_fadvise(DONTNEED) on the library"
        if evicted
        else "first run on a new connection (the OS page cache could not be dropped)"
    )
    debounce = f"{SEARCH_DEBOUNCE * 1000:.0f} ms"
    frame = f"{1000 / constants.MAX_FPS:.1f} ms"
    return f"""
Library: {ARTICLES:,} articles, every other one marked read; now = {NOW:%Y-%m-%d} for since:.
In-process: parse_query, Store.search(limit={PAGE_SIZE}), Store.snippets and Store.article_rows
  on one open connection. Median and p95 (nearest rank) of {runs} runs after {WARMUP_RUNS}
  warm-ups. cold: {cold}.
  The issue sets no target for the filtered and prefix queries: they are shown to compare.
TUI: TuinewsApp under Pilot at {COLUMNS}x{LINES}, the library read into the page cache first;
  per query one untimed search, then {tui_runs} timed ones (their p95 is the max below 20).
  Keys are posted as the terminal driver posts them, one repaint apart. The clock runs
  from the last key to the end of the first frame (Textual paints at most every {frame})
  that drew a list row after the results arrived; the list then holds them (at most
  {TUI_LIMIT}, snippets for the first {SNIPPETS_SHOWN}) and the bar says "N found".
  The bench waits on that without polling: a busy UI thread would make the search
  worker queue for the GIL. The target is judged on the time minus SEARCH_DEBOUNCE
  ({debounce}), the deliberate wait for a pause in typing; the indented lines split
  it where the debounce timer started the search and the worker handed its results
  to the UI thread (worker: a new Store, search(limit={TUI_LIMIT}) and the snippets)."""


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per query")
    ap.add_argument("--tui-runs", type=int, default=DEFAULT_TUI_RUNS, help="TUI searches per query")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=bi.DEFAULT_WORKDIR,
        help=f"corpora, libraries and run folders (default: {bi.DEFAULT_WORKDIR})",
    )
    ap.add_argument("--rebuild", action="store_true", help="import the library even if reusable")
    ap.add_argument("--no-tui", action="store_true", help="skip the keystroke timings")
    args = ap.parse_args(argv)
    if args.runs < 1 or args.tui_runs < 1:
        ap.error("--runs and --tui-runs must be at least 1")
    return args


def prepare(exe: Path, workdir: Path, rebuild: bool) -> tuple[Path, dict[str, int], list[str]]:
    """The private copy of the library, every case's hit count, and wrong counts."""
    corpus, manifest = bi.ensure_corpus(workdir, SIZE)
    source = source_library(exe, workdir, corpus, rebuild)
    db = workdir / f"search-{SIZE}" / "library.db"
    start = time.perf_counter()
    private_copy(source, db)
    print(f"[library] copied to {db} in {time.perf_counter() - start:.1f} s")
    hits, failures = check_hits(db, manifest)
    return db, hits, failures


def main(argv: list[str] | None = None) -> int:
    """Check the library, time the queries, then the TUI; non-zero only if tuinews failed."""
    args = parse_args(argv)
    exe = bi.find_tuinews()
    if exe is None:
        print("error: no tuinews executable next to this python or on PATH", file=sys.stderr)
        return 2
    print(f"tuinews: {exe}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (other work skews the timings)")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    failures: list[str] = []
    rows: list[Row] = []
    try:
        db, hits, failures = prepare(exe, workdir, args.rebuild)
    except TuinewsFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    results: dict[str, QueryResult] = {}
    for case in CASES:
        try:
            results[case.label] = time_query(db, case, hits[case.label], args.runs, CAN_EVICT)
        except (TuinewsFailed, sqlite3.Error) as error:
            failures.append(f"{case.text!r}: {error}")
            continue
        result = results[case.label]
        print(
            f"[query] {case.text!r}: cold {result.cold_ms:.1f} ms, "
            f"median {statistics.median(result.warm_ms):.2f} ms, p95 {p95(result.warm_ms):.2f} ms"
        )
    rows += query_rows(results)
    if not args.no_tui:
        try:
            rows += tui_rows(asyncio.run(tui_timings(db, hits, args.tui_runs)))
        except bt.TuinewsFailed as error:
            failures.append(f"TUI: {error}")
        except Exception as error:  # the app raised under Pilot: a failure, with its traceback
            traceback.print_exc()
            failures.append(f"TUI: {type(error).__name__}: {error}")

    print_table(rows)
    print(notes(args.runs, args.tui_runs, CAN_EVICT))
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Import benchmark: tuinews against newsboat on the deterministic synthetic corpus.

For each requested size this script

1. generates the corpus with gen_corpus.py (cached in the workdir, keyed on manifest.json);
2. times ``tuinews --db DB import-opml CORPUS/feeds.opml`` on a fresh database
   (adds every source and imports the local files: the "first import");
3. times ``tuinews --db DB refresh`` straight after, with nothing changed on disk
   (the "no-change refresh");
4. records the database size (DB + -wal) and each process's peak RSS, and checks that
   the database really holds the manifest's number of articles;
5. if newsboat is on PATH (and not ``--no-newsboat``), times ``newsboat -x reload`` twice
   on the same corpus with an isolated HOME, cache and empty config, and prints the
   tuinews/newsboat ratios next to the targets.

It measures; it does not judge: a missed target is reported, never turned into a failing
exit status. The exit status is non-zero only when a tuinews run itself fails.

Usage:
  python bench/bench_import.py                     # 10k and 100k (100k takes minutes)
  python bench/bench_import.py --sizes 10k         # quick run
  python bench/bench_import.py --workdir /tmp/tb --no-newsboat
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
GEN_CORPUS = BENCH_DIR / "gen_corpus.py"
DEFAULT_WORKDIR = BENCH_DIR / "out"

# gen_corpus.py's default seed, pinned here so a cached corpus can be checked against it.
SEED = 20240101
# size label -> (feeds, items per feed); the same presets as gen_corpus.py small/large.
SIZES: dict[str, tuple[int, int]] = {"10k": (200, 50), "100k": (1000, 100)}
# Targets, as tuinews time / newsboat time.
FIRST_IMPORT_TARGET: dict[str, float] = {"10k": 0.80, "100k": 0.25}
NO_CHANGE_TARGET = 0.02

MIB = 1024 * 1024
LOG_TAIL_LINES = 20


@dataclass
class Run:
    """One measured subprocess: wall time, its own peak RSS, exit code and log file."""

    seconds: float
    peak_rss_mib: float
    returncode: int
    log: Path

    @property
    def ok(self) -> bool:
        """True when the process exited with status 0."""
        return self.returncode == 0


@dataclass
class ToolResult:
    """Everything measured for one tool on one corpus size."""

    tool: str
    first: Run | None = None
    again: Run | None = None
    db_bytes: int | None = None
    stored: int | None = None
    error: str | None = None


# --------------------------------------------------------------------------- corpus


def manifest_matches(corpus: Path, feeds: int, items: int) -> bool:
    """Whether `corpus` already holds the wanted corpus, so generation can be skipped.

    gen_corpus.py writes manifest.json last, so an interrupted generation has none and is
    redone. feeds_dir is compared too because urls/feeds.opml embed absolute file:// URLs:
    a corpus copied or moved from elsewhere would point at the wrong files.
    """
    try:
        manifest = json.loads((corpus / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    expected = {
        "generator": "gen_corpus.py",
        "seed": SEED,
        "feeds": feeds,
        "items_per_feed": items,
        "items": feeds * items,
        "feeds_dir": str((corpus / "feeds").resolve()),
    }
    if any(manifest.get(key) != value for key, value in expected.items()):
        return False
    return (corpus / "feeds.opml").is_file() and (corpus / "urls").is_file()


def ensure_corpus(workdir: Path, size: str) -> tuple[Path, dict]:
    """Return the corpus folder and manifest for `size`, generating it only if needed.

    The 100k corpus takes a while to write, and identical input across runs is the point
    of a deterministic corpus, so it is generated once per workdir and reused.
    """
    feeds, items = SIZES[size]
    corpus = (workdir / f"corpus-{size}").resolve()
    if manifest_matches(corpus, feeds, items):
        print(f"[{size}] corpus: reusing {corpus}")
    else:
        print(f"[{size}] corpus: generating {feeds} feeds x {items} items in {corpus} ...")
        start = time.perf_counter()
        cmd = [
            sys.executable,
            str(GEN_CORPUS),
            "--feeds",
            str(feeds),
            "--items",
            str(items),
            "--seed",
            str(SEED),
            "--out",
            str(corpus),
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        print(f"[{size}] corpus: generated in {time.perf_counter() - start:.1f} s")
    manifest = json.loads((corpus / "manifest.json").read_text())
    return corpus, manifest


def warm_page_cache(corpus: Path) -> None:
    """Read every feed file once so that neither tool pays for cold disk reads.

    Whichever tool ran first would otherwise be charged for I/O the other gets for free
    (the corpus may have been evicted since it was generated on an earlier run).
    """
    for path in sorted((corpus / "feeds").iterdir()):
        with path.open("rb") as fh:
            while fh.read(1 << 20):
                pass


# --------------------------------------------------------------------------- measuring


def isolated_env(home: Path) -> dict[str, str]:
    """Environment pointing HOME and the XDG dirs into `home`.

    Neither tool may read the user's own config or cache (e.g. ~/.newsboat, or tuinews'
    platformdirs locations): that would make the numbers depend on whoever runs this.
    """
    env = dict(os.environ)
    env["HOME"] = str(home)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    return env


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> Run:
    """Run `cmd` to completion and measure wall time and that process's peak RSS.

    os.wait4 returns the rusage of exactly this child, whereas RUSAGE_CHILDREN is a
    process-wide maximum over every child ever waited for, so it cannot tell runs apart.
    Output goes to a log file rather than a pipe: nothing reads a pipe while we wait,
    and a full pipe would stall the child.
    """
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    # ru_maxrss is in KiB on Linux.
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, log)


def fresh_dir(path: Path) -> Path:
    """Empty `path` and return it, so every run starts without a database or cache."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def db_size(db: Path) -> int:
    """Bytes on disk of an SQLite database, counting its -wal file if there is one."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def count_rows(db: Path, table: str) -> int | None:
    """Row count of `table`, opening the database read-only so the check changes nothing.

    Counting the stored rows shows the import did real work instead of exiting early.
    Returns None (after a warning) when the database cannot be read.
    """
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        print(f"  WARNING: cannot count {table} in {db}: {exc}")
        return None


def log_tail(log: Path) -> str:
    """Last lines of a run's log, to show why a run failed without opening the file."""
    lines = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    return "\n".join("    | " + line for line in lines)


def report_run(label: str, run: Run, items: int | None = None) -> None:
    """Print one measurement as soon as it is taken (long runs should show progress)."""
    rate = f", {items / run.seconds:,.0f} items/s" if items and run.ok else ""
    status = "" if run.ok else f"  FAILED (exit {run.returncode}, log {run.log})"
    print(f"  {label:28s} {run.seconds:8.2f} s{rate}, peak RSS {run.peak_rss_mib:.0f} MiB{status}")
    if not run.ok:
        print(log_tail(run.log))


def check_count(tool: str, stored: int | None, expected: int) -> None:
    """Print the stored item count and warn loudly if it differs from the manifest."""
    if stored is None:
        return
    if stored == expected:
        print(f"  {tool} stored {stored:,} items (as expected)")
    else:
        print(f"  !!!! WARNING: {tool} stored {stored:,} items, expected {expected:,} !!!!")


# --------------------------------------------------------------------------- tools


def find_tuinews() -> Path | None:
    """The tuinews entry point of the venv running this script, else the one on PATH.

    Preferring the one next to sys.executable means `venv/bin/python bench/...` measures
    that venv's build, not some other install that happens to be first on PATH.
    """
    local = Path(sys.executable).parent / "tuinews"
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which("tuinews")
    return Path(found) if found else None


def bench_tuinews(exe: Path, corpus: Path, items: int, rundir: Path) -> ToolResult:
    """First import then no-change refresh of the corpus into a fresh tuinews database."""
    result = ToolResult("tuinews")
    home = fresh_dir(rundir / "tuinews")
    env = isolated_env(home / "home")
    db = home / "tuinews.db"
    base = [str(exe), "--db", str(db)]

    result.first = run_measured(
        [*base, "import-opml", str(corpus / "feeds.opml")], env, home / "import.log"
    )
    report_run("tuinews first import", result.first, items)
    if not result.first.ok:
        result.error = f"import-opml exited {result.first.returncode}"
        return result
    result.db_bytes = db_size(db)
    result.stored = count_rows(db, "articles")
    check_count("tuinews", result.stored, items)

    result.again = run_measured([*base, "refresh"], env, home / "refresh.log")
    report_run("tuinews no-change refresh", result.again)
    if not result.again.ok:
        result.error = f"refresh exited {result.again.returncode}"
        return result
    after = count_rows(db, "articles")
    if after is not None and after != result.stored:
        print(
            f"  !!!! WARNING: no-change refresh changed the article count "
            f"from {result.stored} to {after} !!!!"
        )
    return result


def bench_newsboat(exe: str, corpus: Path, items: int, rundir: Path) -> ToolResult:
    """Two `newsboat -x reload` runs (first, then no change) with an isolated setup.

    The empty config keeps newsboat on its defaults; HOME/XDG point into the run folder
    so it never reads or writes the user's ~/.newsboat.
    """
    result = ToolResult("newsboat")
    home = fresh_dir(rundir / "newsboat")
    env = isolated_env(home / "home")
    config = home / "config"
    config.write_text("")
    cache = home / "cache.db"
    cmd = [exe, "-u", str(corpus / "urls"), "-c", str(cache), "-C", str(config), "-x", "reload"]

    for attr, label, log in (
        ("first", "newsboat first reload", "reload-1.log"),
        ("again", "newsboat no-change reload", "reload-2.log"),
    ):
        run = run_measured(cmd, env, home / log)
        setattr(result, attr, run)
        report_run(label, run, items if attr == "first" else None)
        if not run.ok:
            result.error = f"reload exited {run.returncode}"
            return result
        if attr == "first":
            result.db_bytes = db_size(cache)
            result.stored = count_rows(cache, "rss_item")
            check_count("newsboat", result.stored, items)
    return result


# --------------------------------------------------------------------------- report


def fmt_seconds(run: Run | None) -> str:
    """Seconds of a successful run, or a marker for a missing or failed one."""
    if run is None:
        return "-"
    return f"{run.seconds:.2f} s" if run.ok else "FAILED"


def fmt_rss(result: ToolResult) -> str:
    """Peak RSS of both runs as 'first/second MiB' (they can differ a lot)."""
    runs = [r for r in (result.first, result.again) if r is not None]
    if not runs:
        return "-"
    return "/".join(f"{r.peak_rss_mib:.0f}" for r in runs) + " MiB"


def ratio(ours: Run | None, theirs: Run | None) -> float | None:
    """tuinews time / newsboat time, when both runs exist and succeeded."""
    if ours is None or theirs is None or not ours.ok or not theirs.ok or theirs.seconds <= 0:
        return None
    return ours.seconds / theirs.seconds


def fmt_ratio(value: float | None, target: float, digits: int) -> str:
    """A ratio next to its target and whether it meets it."""
    if value is None:
        return f"n/a (<={target:.{digits}f})"
    verdict = "ok" if value <= target else "MISSED"
    return f"{value:.{digits}f} (<={target:.{digits}f}) {verdict}"


def print_table(rows: list[tuple[str, int, list[ToolResult]]]) -> None:
    """The summary table: one line per tool and size, plus a ratio line per size."""
    header = (
        "size",
        "tool",
        "first import",
        "items/s",
        "no-change",
        "db size",
        "peak RSS (1st/2nd)",
        "stored",
    )
    widths = (6, 14, 22, 9, 22, 11, 19, 8)
    lines = []
    for size, items, results in rows:
        for r in results:
            rate = f"{items / r.first.seconds:.0f}" if r.first is not None and r.first.ok else "-"
            db = f"{r.db_bytes / MIB:.1f} MiB" if r.db_bytes is not None else "-"
            stored = f"{r.stored}" if r.stored is not None else "-"
            lines.append(
                (
                    size,
                    r.tool,
                    fmt_seconds(r.first),
                    rate,
                    fmt_seconds(r.again),
                    db,
                    fmt_rss(r),
                    stored,
                )
            )
        by_tool = {r.tool: r for r in results}
        if "tuinews" in by_tool and "newsboat" in by_tool:
            ours, theirs = by_tool["tuinews"], by_tool["newsboat"]
            first = fmt_ratio(ratio(ours.first, theirs.first), FIRST_IMPORT_TARGET[size], 2)
            again = fmt_ratio(ratio(ours.again, theirs.again), NO_CHANGE_TARGET, 3)
            lines.append((size, "ratio (target)", first, "", again, "", "", ""))
    print()
    for line in [header, *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------- main


def parse_sizes(text: str) -> list[str]:
    """Split '10k,100k' into known size labels, rejecting unknown ones early."""
    sizes = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or not sizes:
        raise argparse.ArgumentTypeError(
            f"unknown size(s) {', '.join(unknown) or repr(text)}; choose from {', '.join(SIZES)}"
        )
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(SIZES),
        help="comma-separated corpus sizes (default: 10k,100k)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"corpora, databases and logs (default: {DEFAULT_WORKDIR})",
    )
    ap.add_argument(
        "--no-newsboat",
        action="store_true",
        help="skip the newsboat comparison even if newsboat is installed",
    )
    return ap.parse_args(argv)


def print_errors(rows: list) -> None:
    """After the table: why any tool's run failed, one line each, on stderr."""
    for _, _, results in rows:
        for r in results:
            if r.error:
                print(f"error: {r.tool}: {r.error}", file=sys.stderr)


def find_tools(no_newsboat: bool) -> tuple[Path, str | None] | None:
    """tuinews (required) and newsboat (optional, when on PATH), printed for the log.

    None, after saying why on stderr, when there is no tuinews to measure.
    """
    tuinews = find_tuinews()
    if tuinews is None:
        print(
            "error: no tuinews executable next to this python or on PATH "
            "(pip install -e . in the venv first)",
            file=sys.stderr,
        )
        return None
    newsboat = None if no_newsboat else shutil.which("newsboat")
    print(f"tuinews:  {tuinews}")
    print(f"newsboat: {'skipped (--no-newsboat)' if no_newsboat else newsboat or 'not found'}")
    return tuinews, newsboat


def main(argv: list[str] | None = None) -> int:
    """Run every requested size and print the summary; non-zero only if tuinews failed."""
    args = parse_args(argv)
    tools = find_tools(args.no_newsboat)
    if tools is None:
        return 2
    tuinews, newsboat = tools
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    rows: list[tuple[str, int, list[ToolResult]]] = []
    failed = False
    for size in args.sizes:
        corpus, manifest = ensure_corpus(workdir, size)
        items = int(manifest["items"])
        warm_page_cache(corpus)
        rundir = workdir / f"run-{size}"
        print(
            f"[{size}] {manifest['feeds']} feeds, {items:,} items, "
            f"{manifest['feed_bytes'] / MIB:.0f} MiB of feeds; runs in {rundir}"
        )
        results = [bench_tuinews(tuinews, corpus, items, rundir)]
        failed = failed or results[0].error is not None
        if newsboat:
            results.append(bench_newsboat(newsboat, corpus, items, rundir))
        rows.append((size, items, results))

    print_table(rows)
    print_errors(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Network refresh benchmark: tuinews against newsboat, both fetching over local HTTP.

For each requested size this script

1. takes the cached corpus (bench_import.py's, generated if missing) and links its feed
   files into WORKDIR/network-<size>/feeds, so the 10 % change below never touches it;
2. serves that folder from an HTTP/1.1 server on 127.0.0.1 in this process, with a strong
   ETag and Last-Modified, answering 304 to a matching If-None-Match or an
   If-Modified-Since that is not older than the file; it counts responses by status;
3. times, for tuinews (fresh database) and newsboat (``-x reload``, fresh cache):
   - first load: ``tuinews --db DB import-opml OPML`` (adds and fetches every feed);
   - all-304 refresh: ``tuinews --db DB refresh`` with nothing changed;
   - 10 %-changed refresh: after every 10th feed got one new item, ``tuinews refresh``;
   newsboat's three reloads run against the same server in the same run;
4. checks the stored item counts (the manifest's total, then + one per changed feed) and
   that the all-304 step really got 304s, then prints ratios against the targets.

It measures; it does not judge: a missed target is reported, never turned into a failing
exit status. The exit status is non-zero only when a tuinews run itself fails.

Usage:
  python bench/bench_network.py                     # 10k and 100k (100k takes minutes)
  python bench/bench_network.py --sizes 10k         # quick run
  python bench/bench_network.py --no-newsboat --newsboat-threads 1
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import bench_import as bi  # same tuinews, HOME isolation, corpus cache, os.wait4 runs

# Targets, as tuinews time / newsboat time (the numbers).
FIRST_LOAD_TARGET: dict[str, float] = {"10k": 0.80, "100k": 0.25}
ALL_304_TARGET = 0.05
CHANGE_EVERY = 10  # every 10th feed (in file-name order) gets a new item: 10 % of feeds
TUINEWS_PER_HOST = 2  # tuinews.fetch.FetchSettings.per_host (8 overall, 2 per host)
STEPS = ("first", "all304", "changed")  # the measured steps, in table order
LABELS = {
    "first": "first load",
    "prime": "priming reload",
    "all304": "all-304 refresh",
    "changed": "10 %-changed",
}


# --------------------------------------------------------------------------- server


class FeedServer(ThreadingHTTPServer):
    """Serves `root`'s files under /feeds/ and counts what it answered."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.root = root
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.connections = 0  # connections opened since the last reset
        self.open_now = 0
        self.max_open = 0  # most connections open at once since the last reset

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT, the prefix of every feed URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset(self) -> None:
        """Start counting afresh (one step of one tool)."""
        with self.lock:
            self.statuses.clear()
            self.connections = 0
            self.max_open = self.open_now

    def snapshot(self) -> tuple[Counter[int], int, int]:
        """Responses by status, connections opened and most open at once since reset()."""
        with self.lock:
            return Counter(self.statuses), self.connections, self.max_open


class CountingHandler(BaseHTTPRequestHandler):
    """A quiet keep-alive handler that counts its server's connections (`connections`,
    `open_now`, `max_open`, under `lock`), to show how many a tool uses at once."""

    protocol_version = "HTTP/1.1"  # keep-alive: the tools reuse connections

    def setup(self) -> None:
        super().setup()
        server = self.server
        with server.lock:  # type: ignore[attr-defined]
            server.connections += 1  # type: ignore[attr-defined]
            server.open_now += 1  # type: ignore[attr-defined]
            server.max_open = max(server.max_open, server.open_now)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.lock:  # type: ignore[attr-defined]
                self.server.open_now -= 1  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: thousands of requests would drown the report."""


class FeedHandler(CountingHandler):
    """GET/HEAD of one feed file with validators; 304 when the client's copy is current."""

    server: FeedServer

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        """Serve /feeds/<name> with ETag, Last-Modified, Content-Type and Content-Length."""
        name = self.path.split("?", 1)[0].removeprefix("/feeds/")
        path = self.server.root / name
        if "/" in name or not name or not path.is_file():
            self._send(HTTPStatus.NOT_FOUND, {}, b"not found\n", body)
            return
        st = path.stat()
        # size + mtime make a strong validator here: a changed feed is a new file.
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        headers = {"ETag": etag, "Last-Modified": formatdate(st.st_mtime, usegmt=True)}
        if self._not_modified(etag, int(st.st_mtime)):
            self._send(HTTPStatus.NOT_MODIFIED, headers, b"", False)
            return
        data = path.read_bytes()
        head = data[:512]
        kind = "atom" if b"<feed" in head else "rss"
        headers["Content-Type"] = f"application/{kind}+xml; charset=utf-8"
        self._send(HTTPStatus.OK, headers, data, body)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110: If-None-Match decides when present, else If-Modified-Since."""
        if (tags := self.headers.get("If-None-Match")) is not None:
            wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
            return etag in wanted or "*" in wanted
        if (since := self.headers.get("If-Modified-Since")) is not None:
            try:
                return mtime <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: HTTPStatus, headers: dict[str, str], data: bytes, body: bool) -> None:
        with self.server.lock:
            self.server.statuses[int(status)] += 1
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and data:
            self.wfile.write(data)


def start_server(root: Path) -> FeedServer:
    """The server, already answering in a daemon thread."""
    server = FeedServer(root)
    threading.Thread(target=server.serve_forever, name="feed-server", daemon=True).start()
    return server


# --------------------------------------------------------------------------- feeds


def link_corpus(corpus: Path, netdir: Path) -> list[Path]:
    """Hard-link (else copy) the corpus's feed files into a fresh netdir/feeds.

    A change is written to a new file and renamed over its link, so the cached corpus
    keeps its bytes and mtimes whatever happens here.
    """
    feeds = bi.fresh_dir(netdir / "feeds")
    out = []
    for src in sorted((corpus / "feeds").iterdir()):
        dst = feeds / src.name
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        out.append(dst)
    return out


def write_subscriptions(files: list[Path], base_url: str, netdir: Path) -> tuple[Path, Path]:
    """An OPML file for tuinews and a urls file for newsboat, both listing the http URLs."""
    urls = [f"{base_url}/feeds/{f.name}" for f in files]
    outlines = "\n".join(
        f'    <outline type="rss" text="{f.stem}" xmlUrl={quoteattr(u)}/>'
        for f, u in zip(files, urls, strict=True)
    )
    opml = netdir / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n'
        "  <head><title>network bench</title></head>\n"
        f"  <body>\n{outlines}\n  </body>\n</opml>\n"
    )
    url_file = netdir / "urls"
    url_file.write_text("".join(u + "\n" for u in urls))
    return opml, url_file


ITEM_RE = re.compile(rb"<(item|entry)>.*?</\1>", re.S)


def add_item(path: Path) -> None:
    """Give a feed one new item: a copy of its first item with a new guid/id, title, link.

    Written to a temporary file and renamed over the old one (new inode, new mtime).
    """
    data = path.read_bytes()
    first = ITEM_RE.search(data)
    if first is None:
        raise ValueError(f"no <item> or <entry> in {path}")
    tag = f"urn:rssbench:network:{path.stem}:new-1"
    link = f"https://network.example.org/{path.stem}/new-1"
    title = escape(f"Network bench: new item in {path.stem}").encode()
    item = first.group(0)
    new_link = quoteattr(link).encode()
    subs = (
        (rb"<title[^>]*>.*?</title>", lambda m: b"<title>" + title + b"</title>"),
        (rb"<guid[^>]*>.*?</guid>", lambda m: f'<guid isPermaLink="false">{tag}</guid>'.encode()),
        (rb"<id>.*?</id>", lambda m: f"<id>{tag}</id>".encode()),
        (rb"<link>.*?</link>", lambda m: f"<link>{link}</link>".encode()),
        (rb'(<link rel="alternate"[^>]*href=)("[^"]*"|\'[^\']*\')', lambda m: m[1] + new_link),
    )
    for pattern, repl in subs:
        item = re.sub(pattern, repl, item, count=1, flags=re.S)
    if tag.encode() not in item:
        raise ValueError(f"could not give the new item in {path} a new id")
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data[: first.start()] + item + b"\n" + data[first.start() :])
    os.replace(tmp, path)


def change_feeds(files: list[Path]) -> int:
    """Add one item to every CHANGE_EVERY-th feed; return how many feeds changed."""
    chosen = files[::CHANGE_EVERY]
    for path in chosen:
        add_item(path)
    return len(chosen)


# --------------------------------------------------------------------------- measuring


@dataclass
class Step:
    """One timed run plus what the server saw during it and the stored count after it."""

    run: bi.Run
    statuses: Counter[int]
    connections: int
    max_open: int
    stored: int | None


@dataclass
class ToolRuns:
    """The three steps of one tool on one size."""

    tool: str
    steps: dict[str, Step] = field(default_factory=dict)
    error: str | None = None


def fmt_statuses(statuses: Counter[int]) -> str:
    """'200 x180, 304 x20' in status order."""
    return ", ".join(f"{code} x{n}" for code, n in sorted(statuses.items())) or "no requests"


def run_step(
    server: FeedServer,
    result: ToolRuns,
    step: str,
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    count: tuple[Path, str],
    expected: int,
    items: int | None,
) -> bool:
    """Time `cmd`, record the server's view and the stored count; True if it exited 0."""
    server.reset()
    run = bi.run_measured(cmd, env, log)
    statuses, conns, max_open = server.snapshot()
    label = LABELS[step]
    bi.report_run(f"{result.tool} {label}", run, items)
    print(f"    server: {fmt_statuses(statuses)}; {conns} connections, at most {max_open} open")
    stored = bi.count_rows(*count) if run.ok and count[0].exists() else None
    result.steps[step] = Step(run, statuses, conns, max_open, stored)
    if not run.ok:
        result.error = f"{label} exited {run.returncode}"
        return False
    bi.check_count(result.tool, stored, expected)
    if step == "all304" and statuses[304] < sum(statuses.values()) * 0.9:
        print(f"  !!!! WARNING: {result.tool}'s no-change refresh got few 304s !!!!")
    return True


def tool_commands(
    tool: str, exe: str, netdir: Path, opml: Path, urls: Path, threads: int
) -> tuple[dict[str, list[str]], dict[str, str], tuple[Path, str], Path]:
    """Per step command lines, environment, (db, table) to count, and the log folder."""
    home = bi.fresh_dir(netdir / tool)
    env = bi.isolated_env(home / "home")
    if tool == "tuinews":
        db = home / "tuinews.db"
        base = [exe, "--db", str(db)]
        cmds = {"first": [*base, "import-opml", str(opml)], "all304": [*base, "refresh"]}
        cmds["changed"] = cmds["all304"]
        return cmds, env, (db, "articles"), home
    config = home / "config"
    config.write_text(f"reload-threads {threads}\n")
    cache = home / "cache.db"
    cmd = [exe, "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "reload"]
    return dict.fromkeys([*STEPS, "prime"], cmd), env, (cache, "rss_item"), home


def bench_size(
    size: str, tuinews: Path, newsboat: str | None, threads: int, workdir: Path
) -> list[ToolRuns]:
    """All steps of both tools on one corpus size, against one server."""
    corpus, manifest = bi.ensure_corpus(workdir, size)
    items = int(manifest["items"])
    netdir = bi.fresh_dir(workdir / f"network-{size}")
    files = link_corpus(corpus, netdir)
    bi.warm_page_cache(corpus)
    server = start_server(netdir / "feeds")
    try:
        opml, urls = write_subscriptions(files, server.base_url, netdir)
        print(
            f"[{size}] {len(files)} feeds, {items:,} items, "
            f"{manifest['feed_bytes'] / bi.MIB:.0f} MiB, served at {server.base_url}/feeds/; "
            f"runs in {netdir}"
        )
        tools = [("tuinews", str(tuinews))] + ([("newsboat", newsboat)] if newsboat else [])
        results = [ToolRuns(tool) for tool, _ in tools]
        setup = {tool: tool_commands(tool, exe, netdir, opml, urls, threads) for tool, exe in tools}
        # First load and all-304 refresh of each tool on the unchanged feeds ...
        for result in results:
            cmds, env, count, home = setup[result.tool]
            # newsboat 2.21 stores a feed's ETag/Last-Modified only from its second reload
            # on (the first one's UPDATE finds no rss_feed row yet), so its second reload
            # still gets 200s. It is run and shown, but the all-304 step is the third.
            steps = ["first", "prime", "all304"] if "prime" in cmds else ["first", "all304"]
            for step in steps:
                n = items if step == "first" else None
                log = home / f"{step}.log"
                if not run_step(server, result, step, cmds[step], env, log, count, items, n):
                    break
        # ... then one change of 10 % of the feeds, and each tool's refresh of it.
        changed = change_feeds(files)
        print(f"[{size}] changed {changed} of {len(files)} feeds (one new item each)")
        for result in results:
            if result.error:
                continue
            cmds, env, count, home = setup[result.tool]
            log = home / "changed.log"
            run_step(server, result, "changed", cmds["changed"], env, log, count,
                     items + changed, None)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    return results


# --------------------------------------------------------------------------- report


def step_run(result: ToolRuns, step: str) -> bi.Run | None:
    """The run of one step, if it happened."""
    s = result.steps.get(step)
    return s.run if s else None


def print_table(rows: list[tuple[str, int, list[ToolRuns]]], threads: int) -> None:
    """One line per tool and size, plus a ratio line per size; then how it was run."""
    header = ("size", "tool", "first load", "items/s", "all-304", "10 %-changed",
              "peak RSS (1st/304/chg)", "stored (1st/chg)", "304s")  # fmt: skip
    widths = (6, 14, 22, 9, 22, 14, 22, 17, 9)
    lines = []
    for size, items, results in rows:
        for r in results:
            first = step_run(r, "first")
            rate = f"{items / first.seconds:.0f}" if first is not None and first.ok else "-"
            runs = [r.steps[s].run for s in STEPS if s in r.steps]
            rss = "/".join(f"{x.peak_rss_mib:.0f}" for x in runs) + " MiB" if runs else "-"
            stored = "/".join(
                str(r.steps[s].stored) if s in r.steps and r.steps[s].stored is not None else "-"
                for s in ("first", "changed")
            )
            s304 = r.steps.get("all304")
            n304 = f"{s304.statuses[304]}/{sum(s304.statuses.values())}" if s304 else "-"
            lines.append(
                (size, r.tool, bi.fmt_seconds(first), rate,
                 bi.fmt_seconds(step_run(r, "all304")), bi.fmt_seconds(step_run(r, "changed")),
                 rss, stored, n304)
            )  # fmt: skip
        by_tool = {r.tool: r for r in results}
        if "tuinews" in by_tool and "newsboat" in by_tool:
            ours, theirs = by_tool["tuinews"], by_tool["newsboat"]

            def rat(step: str, ours: ToolRuns = ours, theirs: ToolRuns = theirs) -> float | None:
                return bi.ratio(step_run(ours, step), step_run(theirs, step))

            chg = rat("changed")
            lines.append(
                (size, "ratio (target)", bi.fmt_ratio(rat("first"), FIRST_LOAD_TARGET[size], 2),
                 "", bi.fmt_ratio(rat("all304"), ALL_304_TARGET, 3),
                 f"{chg:.3f} (none)" if chg is not None else "n/a", "", "", "")
            )  # fmt: skip
    print()
    for line in [header, *lines]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    print()
    print(
        f"Both tools fetch from one host (127.0.0.1), so tuinews uses {TUINEWS_PER_HOST} "
        "connections at a time (its limit is 8 overall, 2 per host)."
    )
    if any(r.tool == "newsboat" for _, _, results in rows for r in results):
        default = " (newsboat's default)" if threads == 1 else " (newsboat's default is 1)"
        print(f"newsboat runs with 'reload-threads {threads}'{default}.")
    print("304s: responses with status 304 / all responses during the all-304 refresh.")
    if any(len(r.steps) > len(STEPS) for _, _, results in rows for r in results):
        print(
            "newsboat 2.21 keeps ETag/Last-Modified only from its 2nd reload on, so that one "
            "(shown above, not in the table) still gets 200s; its all-304 refresh is the 3rd."
        )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes",
        type=bi.parse_sizes,
        default=list(bi.SIZES),
        help="comma-separated corpus sizes (default: 10k,100k)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        default=bi.DEFAULT_WORKDIR,
        help=f"corpora, databases and logs (default: {bi.DEFAULT_WORKDIR})",
    )
    ap.add_argument(
        "--no-newsboat",
        action="store_true",
        help="skip the newsboat comparison even if newsboat is installed",
    )
    ap.add_argument(
        "--newsboat-threads",
        type=int,
        default=TUINEWS_PER_HOST,
        help=f"newsboat's reload-threads (default {TUINEWS_PER_HOST}, tuinews' connections "
        "per host; newsboat's own default is 1)",
    )
    args = ap.parse_args(argv)
    if args.newsboat_threads < 1:
        ap.error("--newsboat-threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every requested size and print the summary; non-zero only if tuinews failed."""
    args = parse_args(argv)
    tools = bi.find_tools(args.no_newsboat)
    if tools is None:
        return 2
    tuinews, newsboat = tools
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    rows = []
    failed = False
    start = time.perf_counter()
    for size in args.sizes:
        results = bench_size(size, tuinews, newsboat, args.newsboat_threads, workdir)
        failed = failed or results[0].error is not None
        rows.append((size, int(bi.SIZES[size][0] * bi.SIZES[size][1]), results))
    print_table(rows, args.newsboat_threads)
    print(f"(whole run: {time.perf_counter() - start:.0f} s)")
    bi.print_errors(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

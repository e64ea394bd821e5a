"""The `tuinews` command: the TUI with no subcommand, and a scriptable CLI on the same core.

Exit codes: 0 success, 1 when any source failed, 2 bad usage. Errors are one
line on stderr naming what failed; `TUINEWS_DEBUG=1` shows tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tuinews import __version__
from tuinews.clean import clean_line, clean_text
from tuinews.config import Config, ConfigError, load_config
from tuinews.models import ArticleRow, ArticleView, Feed, SourceOutcome
from tuinews.store import NewerLibrary, Store
from tuinews.urls import is_web_url

# Commands import the rest of what they need themselves: `tuinews refresh` with
# nothing changed must be done before a heavier import would even finish.
if TYPE_CHECKING:
    from tuinews.library import AddResult
    from tuinews.refresh import Progress

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments found after parsing (an unknown feed, say): exit code 2."""


class Failed(Exception):
    """The command could not do its job; the message is the one line to print."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "db", None))  # --db may come before or after COMMAND
        if args.command is None:
            return _launch_tui(config)
        with Store(config.db_path) as store:
            return args.handler(store, config, args)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        _error(str(error))
        return EXIT_USAGE
    except (Failed, ConfigError, NewerLibrary) as error:
        _error(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted; the library keeps everything written before")
        return 130
    except Exception as error:
        if os.environ.get("TUINEWS_DEBUG"):
            raise
        _error(f"unexpected error: {type(error).__name__}: {error} (TUINEWS_DEBUG=1 shows more)")
        return EXIT_FAILED


def _error(message: str) -> None:
    print(f"tuinews: {clean_line(message, 2000)}", file=sys.stderr)


# ---------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="library file (or TUINEWS_DB)"
    )
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print one JSON array")

    parser = argparse.ArgumentParser(
        prog="tuinews",
        description="A terminal news reader with an offline library. "
        "With no command, opens the reader.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"tuinews {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable, help: str, *parents: argparse.ArgumentParser):
        sub = commands.add_parser(name, help=help, description=help, parents=[common, *parents])
        sub.set_defaults(handler=handler)
        return sub

    add = command("add", _cmd_add, "add a feed URL, feed file or folder of articles")
    add.add_argument("source", metavar="SOURCE")
    add.add_argument("--title", default="", help="your name for the feed")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")

    command("feeds", _cmd_feeds, "list feeds with unread counts and errors", as_json)

    remove = command("remove", _cmd_remove, "remove a feed (its starred articles are kept)")
    remove.add_argument("feed", metavar="FEED", help="feed id or exact title")
    remove.add_argument("--yes", "-y", action="store_true", help="do not ask")

    refresh = command("refresh", _cmd_refresh, "re-read sources (all, or the ones named)")
    refresh.add_argument("feeds", nargs="*", metavar="FEED")

    articles = command("articles", _cmd_articles, "list articles, newest first", as_json)
    articles.add_argument("--feed", metavar="FEED")
    articles.add_argument("--unread", action="store_true")
    articles.add_argument("--starred", action="store_true")
    articles.add_argument("--limit", type=_non_negative, metavar="N")

    search = command("search", _cmd_search, "ranked full-text search (see --help)", as_json)
    search.add_argument(
        "query",
        metavar="QUERY",
        help='words, "phrases", OR, -word, prefix*, '
        "title: author: feed: tag: is: after: before: since: sort:date",
    )
    search.add_argument("--limit", type=_non_negative, default=50, metavar="N")

    show = command("show", _cmd_show, "print an article as readable text")
    show.add_argument("article", type=_non_negative, metavar="ARTICLE_ID")

    mark = command("mark", _cmd_mark, "mark articles read, unread, starred or unstarred")
    mark.add_argument("articles", nargs="+", type=_non_negative, metavar="ARTICLE_ID")
    state = mark.add_mutually_exclusive_group(required=True)
    for flag in ("read", "unread", "star", "unstar"):
        state.add_argument(f"--{flag}", dest="state", action="store_const", const=flag)

    opml_in = command("import-opml", _cmd_import_opml, "add the feeds of an OPML file")
    opml_in.add_argument("file", metavar="FILE")
    opml_out = command("export-opml", _cmd_export_opml, "write your feeds as OPML 2.0")
    opml_out.add_argument("file", nargs="?", metavar="FILE", help="default: standard output")

    vacuum = command("vacuum", _cmd_vacuum, "delete old read articles and compact the library")
    vacuum.add_argument("--keep-days", type=_non_negative, metavar="N")
    vacuum.add_argument("--keep-per-feed", type=_non_negative, metavar="N")
    vacuum.add_argument("--include-unread", action="store_true", help="unread may go too")
    vacuum.add_argument("--include-starred", action="store_true", help="starred may go too")
    return parser


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


# ---------------------------------------------------------------- commands


def _launch_tui(config: Config) -> int:
    from tuinews.library import import_samples_if_empty
    from tuinews.ui.app import TuinewsApp

    with Store(config.db_path) as store:
        import_samples_if_empty(store, max_bytes=config.max_document_bytes)
    TuinewsApp(config).run()
    return EXIT_OK


def _cmd_add(store: Store, config: Config, args: argparse.Namespace) -> int:
    from tuinews.library import SourceRequest, add_sources, tags_from

    request = SourceRequest(args.source, args.title.strip(), tags_from(args.tag))
    (result,) = add_sources(
        store,
        [request],
        max_bytes=config.max_document_bytes,
        max_download_bytes=config.max_download_bytes,
    )
    return _report_added([result])


def _cmd_import_opml(store: Store, config: Config, args: argparse.Namespace) -> int:
    from tuinews.library import SourceRequest, add_sources
    from tuinews.opml import BadOpml, read_opml

    path = Path(args.file).expanduser()
    try:
        entries = read_opml(path.read_bytes())
    except OSError as error:
        raise Failed(f"{args.file}: {error.strerror or error}") from None
    except BadOpml as error:
        raise Failed(f"{args.file}: {error}") from None
    requests = [SourceRequest(e.source, e.title, e.tags) for e in entries]
    with _progress_bar("importing") as progress:
        results = add_sources(
            store,
            requests,
            max_bytes=config.max_document_bytes,
            max_download_bytes=config.max_download_bytes,
            base=path.resolve().parent,
            on_progress=progress,
        )
    return _report_added(results)


def _report_added(results: list[AddResult]) -> int:
    failed = False
    for result in results:
        if result.feed is None:
            failed = True
            _error(result.error or result.request.source)
            continue
        outcome = result.outcome
        if outcome and outcome.error:
            failed = True
            _error(f"{result.feed.source}: added, but {outcome.error}")
            continue
        detail = f": {outcome.added} articles" if outcome else ""
        if result.discovered:
            page, found = _safe(result.request.source), _safe(result.feed.source)
            print(f"{page} is a web page; its feed is {found}")
            for other in result.discovered[1:]:
                print(f"  it also lists {_safe(other)}")
        print(f"added {_safe(result.feed.title)} (id {result.feed.id}){detail}")
        if outcome and outcome.warning:
            _error(f"{result.feed.source}: {outcome.warning}")
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_feeds(store: Store, config: Config, args: argparse.Namespace) -> int:
    feeds = store.feeds()
    if args.json:
        _print_json([_feed_json(feed) for feed in feeds])
        return EXIT_OK
    rows = [
        [
            str(feed.id),
            _safe(feed.title),
            f"{feed.unread}/{feed.total}",
            ",".join(map(_safe, feed.tags)),
            _local_time(feed.last_success) or "never",
            _safe(feed.source),
        ]
        for feed in feeds
    ]
    notes = {
        i: f"    ! {_safe(feed.last_error)}" for i, feed in enumerate(feeds) if feed.last_error
    }
    _print_table(["ID", "TITLE", "UNREAD", "TAGS", "REFRESHED", "SOURCE"], rows, notes)
    return EXIT_OK


def _feed_json(feed: Feed) -> dict:
    return {
        "id": feed.id,
        "title": feed.title,
        "source": feed.source,
        "kind": feed.kind.value,
        "tags": list(feed.tags),
        "unread": feed.unread,
        "total": feed.total,
        "site_url": feed.site_url,
        "last_attempt": _iso(feed.last_attempt),
        "last_refresh": _iso(feed.last_success),
        "last_error": feed.last_error,
    }


def _cmd_remove(store: Store, config: Config, args: argparse.Namespace) -> int:
    feed = _one_feed(store, args.feed)
    if sys.stdin.isatty() and not args.yes:
        answer = input(f"Remove {_safe(feed.title)} and its {feed.total} articles? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("kept")
            return EXIT_OK
    kept = store.remove_feed(feed.id)
    print(f"removed {_safe(feed.title)}" + (f"; kept {kept} starred articles" if kept else ""))
    return EXIT_OK


def _cmd_refresh(store: Store, config: Config, args: argparse.Namespace) -> int:
    from tuinews.refresh import refresh_feeds

    feeds = [_one_feed(store, ref) for ref in args.feeds] if args.feeds else store.feeds()
    with _progress_bar("refreshing") as progress:
        outcomes = refresh_feeds(
            store,
            feeds,
            max_bytes=config.max_document_bytes,
            max_download_bytes=config.max_download_bytes,
            on_progress=progress,
        )
    return _report_refresh(outcomes)


def _report_refresh(outcomes: list[SourceOutcome]) -> int:
    unreachable = [o for o in outcomes if (o.error or "").startswith("cannot connect")]
    web = [o for o in outcomes if is_web_url(o.source)]
    offline = len(unreachable) > 1 and len(unreachable) == len(web)
    if offline:  # one line, not one per feed
        _error(f"no network: {len(web)} web feeds not fetched; the library is unchanged")
    for outcome in outcomes:
        if outcome.error and not (offline and outcome in unreachable):
            _error(f"{outcome.source}: {outcome.error}")
        elif outcome.warning:
            _error(f"{outcome.source}: {outcome.warning}")
        elif outcome.note:
            print(f"{_safe(outcome.title)}: {outcome.note}")
    added = sum(o.added for o in outcomes)
    updated = sum(o.updated for o in outcomes)
    failed = sum(1 for o in outcomes if o.error)
    print(
        f"{len(outcomes)} sources: {added} new articles, {updated} updated"
        + (f", {failed} failed" if failed else "")
    )
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_articles(store: Store, config: Config, args: argparse.Namespace) -> int:
    feed_id = _one_feed(store, args.feed).id if args.feed else None
    view = ArticleView(feed_id=feed_id, unread=args.unread, starred=args.starred)
    rows = store.articles(view, limit=args.limit)
    if args.json:
        _print_json([_article_json(row) for row in rows])
        return EXIT_OK
    _print_table(
        ["ID", "DATE", "FLAGS", "FEED", "TITLE"],
        [
            [
                str(row.id),
                _local_time(row.published) or "-",
                ("N" if not row.read else " ") + ("*" if row.starred else " "),
                _safe(row.feed_title),
                _safe(row.title) or "(untitled)",
            ]
            for row in rows
        ],
    )
    return EXIT_OK


def _cmd_search(store: Store, config: Config, args: argparse.Namespace) -> int:
    from tuinews.search_query import QueryError, parse_query
    from tuinews.store import SNIPPET_END, SNIPPET_START

    try:
        query = parse_query(args.query, now=time.time())
    except QueryError as error:
        raise UsageError(f"search: {error}") from None
    hits = store.search(query, limit=args.limit)
    ids = [hit.article_id for hit in hits]
    rows = {row.id: row for row in store.article_rows(ids)}
    snippets = store.snippets(query.match, ids) if query.match else {}
    results = [(hit, rows[hit.article_id]) for hit in hits if hit.article_id in rows]
    if args.json:
        marks = str.maketrans({SNIPPET_START: "[", SNIPPET_END: "]"})
        _print_json(
            [
                {
                    **_article_json(row),
                    "score": hit.score,
                    "snippet": snippets.get(row.id, "").translate(marks),
                }
                for hit, row in results
            ]
        )
        return EXIT_OK
    for _, row in results:
        title = _safe(row.title) or "(untitled)"
        print(f"{row.id:>6}  {_local_time(row.published) or '-':16}  {title}")
        detail = _safe(snippets.get(row.id, "")) or _safe(row.feed_title)
        if detail:
            print(f"{'':24}{detail}")
    return EXIT_OK


def _article_json(row: ArticleRow) -> dict:
    return {
        "id": row.id,
        "feed_id": row.feed_id,
        "feed": row.feed_title,
        "title": row.title,
        "author": row.author,
        "published": _iso(row.published),
        "link": row.link,
        "read": row.read,
        "starred": row.starred,
    }


def _cmd_show(store: Store, config: Config, args: argparse.Namespace) -> int:
    from rich.cells import cell_len

    from tuinews.render import render_body, to_text

    row = store.article(args.article)
    body = store.article_body(args.article)
    if row is None or body is None:
        raise UsageError(f"no article with id {args.article}")
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    lines = [_safe(row.title) or "(untitled)", "=" * min(cell_len(_safe(row.title)) or 10, width)]
    meta = [_safe(row.feed_title), _safe(row.author), _local_time(row.published)]
    lines.append(" · ".join(part for part in meta if part))
    if row.link:
        lines.append(_safe(row.link))
    lines.append("")
    if body.summary:
        lines += [clean_text(body.summary), ""]
    lines.append(to_text(render_body(body, base_url=row.link), width=width))
    print("\n".join(lines))
    return EXIT_OK


def _cmd_mark(store: Store, config: Config, args: argparse.Namespace) -> int:
    missing = [i for i in args.articles if store.article(i) is None]
    if missing:
        raise UsageError("no article with id " + ", ".join(map(str, missing)))
    if args.state in {"read", "unread"}:
        changed = store.set_read(args.articles, args.state == "read")
    else:
        changed = store.set_starred(args.articles, args.state == "star")
    print(f"marked {changed} article(s) {args.state if args.state != 'star' else 'starred'}")
    return EXIT_OK


def _cmd_export_opml(store: Store, config: Config, args: argparse.Namespace) -> int:
    from tuinews.opml import write_opml

    document = write_opml(store.feeds(), time.time())
    if args.file:
        Path(args.file).expanduser().write_text(document, encoding="utf-8")
        print(f"wrote {len(store.feeds())} feeds to {args.file}")
    else:
        sys.stdout.write(document)
    return EXIT_OK


def _cmd_vacuum(store: Store, config: Config, args: argparse.Namespace) -> int:
    deleted = store.vacuum(
        keep_days=args.keep_days,
        keep_per_feed=args.keep_per_feed,
        include_unread=args.include_unread,
        include_starred=args.include_starred,
    )
    print(f"deleted {deleted} articles; library compacted")
    return EXIT_OK


# ---------------------------------------------------------------- helpers


def _one_feed(store: Store, ref: str) -> Feed:
    found = store.find_feeds(ref)
    if not found:
        raise UsageError(f"no feed with id or title {ref!r}")
    if len(found) > 1:
        ids = ", ".join(str(feed.id) for feed in found)
        raise UsageError(f"{len(found)} feeds are called {ref!r} (ids {ids}): use an id")
    return found[0]


def _safe(text: str | None) -> str:
    """Feed text on its way to a terminal: cleaned again, whatever the store holds."""
    return clean_line(text or "", 10_000)


def _iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_time(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def _print_json(items: list[dict]) -> None:
    json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _print_table(
    header: list[str], rows: list[list[str]], notes: dict[int, str] | None = None
) -> None:
    """Columns sized in terminal cells; the last column takes what is left (or all, in a pipe)."""
    from rich.cells import cell_len, set_cell_size

    if not rows:
        return
    widths = [max(cell_len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    widths = [min(width, 40) for width in widths]
    total = shutil.get_terminal_size((0, 0)).columns if sys.stdout.isatty() else 0
    last = max(total - sum(widths) - 2 * len(widths), 20) if total else None
    for index, row in enumerate([header, *rows]):
        cells = [set_cell_size(cell, width) for cell, width in zip(row, widths, strict=False)]
        tail = (
            row[-1] if last is None or cell_len(row[-1]) <= last else set_cell_size(row[-1], last)
        )
        print("  ".join([*cells, tail]).rstrip())
        if notes and index - 1 in notes:
            print(notes[index - 1])


class _progress_bar:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, verb: str) -> None:
        self._verb = verb
        self._live = sys.stderr.isatty()

    def __enter__(self) -> Callable[[Progress], None]:
        return self._update

    def _update(self, progress: Progress) -> None:
        if not self._live:
            return
        filled = int(30 * progress.done / max(progress.total, 1))
        bar = "█" * filled + "·" * (30 - filled)
        sys.stderr.write(f"\r{self._verb} {bar} {progress.done}/{progress.total} sources")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self._live:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

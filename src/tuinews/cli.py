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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import NoReturn

from tuinews import __version__, urls
from tuinews.clean import clean_line
from tuinews.config import Config, ConfigError, load_config
from tuinews.library import (
    AddResult,
    Library,
    LibraryError,
    NewerLibrary,
    NotFound,
    OpenedArticle,
    PageProgress,
    PagesReport,
    Progress,
    QueryError,
    Refused,
    SourceRequest,
    tags_from,
)
from tuinews.models import ArticleRow, ArticleView, Feed, FullText

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments found after parsing (a bad query, say): exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except _UsageExit as error:
        _error(str(error))
        return EXIT_USAGE
    try:
        config = load_config(getattr(args, "db", None))  # --db may come before or after COMMAND
        if args.command is None:
            return _launch_tui(config)  # which shows the config's warnings as notices
        for warning in config.warnings:
            _error(warning)
        with Library(config) as library:
            return args.handler(library, args)
    except (UsageError, NotFound, QueryError) as error:
        _error(str(error))
        return EXIT_USAGE
    except (Refused, ConfigError, LibraryError, NewerLibrary) as error:
        _error(str(error))
        return EXIT_FAILED
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_OK
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


def _quiet_broken_pipe() -> None:
    """`tuinews feeds | head`: the reader left; end quietly, as cat does.

    Python would report the failed flush of stdout at exit: point stdout at
    /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _UsageExit(Exception):
    """argparse found bad usage; the message is its one line."""


class _Parser(argparse.ArgumentParser):
    """Bad usage is one line naming the command ("tuinews add: ..."), not the banner."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("tuinews").strip()
        raise _UsageExit(f"{command + ': ' if command else ''}{message} (see --help)")


# ---------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help="library file (or TUINEWS_DB)"
    )
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print one JSON array")

    parser = _Parser(
        prog="tuinews",
        description="A terminal news reader with an offline library. "
        "With no command, opens the reader.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"tuinews {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, handler: Callable, help: str, *parents: argparse.ArgumentParser):
        sub = commands.add_parser(name, help=help, description=help, parents=[common, *parents])
        sub.set_defaults(handler=handler)
        return sub

    add = command("add", _cmd_add, "add a feed URL, feed file or folder of articles")
    add.add_argument("source", metavar="SOURCE")
    add.add_argument("--title", default="", help="your name for the feed")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    add.add_argument(
        "--keep", action="store_true", help="keep the feed even if its first import fails"
    )

    command("feeds", _cmd_feeds, "list feeds with unread counts and errors", as_json)

    remove = command("remove", _cmd_remove, "remove a feed (its starred articles are kept)")
    remove.add_argument("feed", nargs="?", metavar="FEED", help="feed id or exact title")
    remove.add_argument("--samples", action="store_true", help="remove the bundled sample feeds")
    remove.add_argument("--yes", "-y", action="store_true", help="do not ask")

    refresh = command("refresh", _cmd_refresh, "re-read sources (all, or the ones named)")
    refresh.add_argument("feeds", nargs="*", metavar="FEED")
    refresh.add_argument(
        "--no-pages", action="store_true", help="do not fetch the pages of summary-only articles"
    )

    fetch_text = command(
        "fetch-text", _cmd_fetch_text, "fetch the pages of articles now, for their whole text"
    )
    fetch_text.add_argument("articles", nargs="*", type=_non_negative, metavar="ARTICLE_ID")
    fetch_text.add_argument("--feed", metavar="FEED", help="the articles of this feed")
    fetch_text.add_argument(
        "--missing", action="store_true", help="every article with a link and no page text yet"
    )

    feed = command("feed", _cmd_feed, "show or change one feed's settings")
    feed.add_argument("feed", metavar="FEED", help="feed id or exact title")
    feed.add_argument("action", nargs="?", choices=["show", "set"], default="show")
    feed.add_argument(
        "settings", nargs="*", metavar="KEY=VALUE", help="full_text=auto|always|never"
    )

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
    show.add_argument(
        "--feed-text", action="store_true", help="the feed's own text, not the page's"
    )
    show.add_argument(
        "--all", action="store_true", help="show the paragraphs reader mode folds away"
    )
    show.add_argument(
        "--json", action="store_true", help="print one JSON object: the text as paragraphs"
    )

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
    """The reader opens the library itself (and on a new one, imports the samples
    after the first paint)."""
    from tuinews.ui.app import TuinewsApp

    app = TuinewsApp(config, samples=True)
    app.run()
    return EXIT_FAILED if app.return_code else EXIT_OK  # non-zero: it crashed


def _cmd_add(library: Library, args: argparse.Namespace) -> int:
    request = SourceRequest(args.source, args.title.strip(), tags_from(args.tag))
    (result,) = library.add_sources([request], keep_failed=args.keep)
    return _report_added([result])


def _cmd_import_opml(library: Library, args: argparse.Namespace) -> int:
    with _progress_bar("importing") as progress:
        results = library.import_opml(Path(args.file).expanduser(), on_progress=progress)
    return _report_added(results)


def _report_added(results: list[AddResult]) -> int:
    """One line per source added or refused; those already there are counted once."""
    failed = False
    already = [result for result in results if result.already]
    for result in results:
        if result.error:
            failed = True
            hint = "; nothing was added (--keep adds it all the same)" if result.outcome else ""
            _error(result.error + hint)
            continue
        if result.feed is None or result.already:
            continue
        outcome = result.outcome
        if result.discovered:
            page, found = _safe(result.request.source), _safe(result.feed.source)
            print(f"{page} is a web page; its feed is {found}")
            for other in result.discovered[1:]:
                print(f"  it also lists {_safe(other)}")
        if outcome and outcome.error:
            failed = True
            _error(f"{result.feed.source}: added, but {outcome.error}")
            continue
        detail = f": {outcome.added} articles" if outcome else ""
        print(f"added {_safe(result.feed.title)} (id {result.feed.id}){detail}")
        if outcome and outcome.warning:
            _error(f"{result.feed.source}: {outcome.warning}")
    if len(results) == 1 and already:  # `add` of what is there: refused, as before
        feed = already[0].feed
        assert feed is not None
        _error(f"{feed.source}: already in the library as {feed.title} (id {feed.id})")
        failed = True
    elif already:  # an OPML file imported again: nothing to say for each
        print(f"{len(already)} already in the library")
    return EXIT_FAILED if failed else EXIT_OK


def _cmd_feeds(library: Library, args: argparse.Namespace) -> int:
    feeds = library.feeds()
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
        "full_text": feed.full_text.value if feed.full_text else None,
    }


def _cmd_remove(library: Library, args: argparse.Namespace) -> int:
    if args.samples == (args.feed is not None):
        raise UsageError("remove: give a FEED or --samples")
    feeds = library.sample_feeds() if args.samples else [library.find_feed(args.feed)]
    if not feeds:
        print("no sample feeds in the library")
        return EXIT_OK
    if sys.stdin.isatty() and not args.yes:
        what = (
            f"the {len(feeds)} sample feeds"
            if args.samples
            else f"{_safe(feeds[0].title)} and its {feeds[0].total} articles"
        )
        answer = input(f"Remove {what}? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("kept")
            return EXIT_OK
    for feed in feeds:
        kept = library.remove_feed(feed.id)
        print(f"removed {_safe(feed.title)}" + (f"; kept {kept} starred articles" if kept else ""))
    return EXIT_OK


def _cmd_refresh(library: Library, args: argparse.Namespace) -> int:
    feed_ids = [library.find_feed(ref).id for ref in args.feeds] if args.feeds else None
    with _progress_bar("refreshing", "sources") as progress:
        report = library.refresh(feed_ids, on_progress=progress)
    unreachable = report.unreachable
    if unreachable:  # one line, not one per feed
        _error(f"no network: {len(unreachable)} web feeds not fetched; the library is unchanged")
    for outcome in report.outcomes:
        if outcome.error and outcome not in unreachable:
            _error(f"{outcome.source}: {outcome.error}")
        elif outcome.warning:
            _error(f"{outcome.source}: {outcome.warning}")
        elif outcome.note:
            print(f"{_safe(outcome.title)}: {outcome.note}")
    print(report.summary)
    if not args.no_pages:
        _fetch_and_report(partial(library.fetch_pages, feed_ids))
    return EXIT_FAILED if report.failed else EXIT_OK


def _cmd_fetch_text(library: Library, args: argparse.Namespace) -> int:
    """Pages on demand: the articles named, a feed's, or every one still without."""
    if bool(args.articles) + bool(args.feed) + args.missing != 1:
        raise UsageError("fetch-text: give ARTICLE_IDs, --feed FEED or --missing")
    if args.articles:
        fetch = partial(library.fetch_pages_now, args.articles)
    else:
        feed_ids = [library.find_feed(args.feed).id] if args.feed else None
        library.queue_pages(feed_ids)
        fetch = partial(library.fetch_pages, feed_ids)
    report = _fetch_and_report(fetch)
    return EXIT_FAILED if report.failed else EXIT_OK


def _fetch_and_report(fetch: Callable[..., PagesReport]) -> PagesReport:
    """Run a Library page fetch with a progress bar; name each page that failed."""
    with _progress_bar("fetching pages", "pages") as progress:
        report = fetch(on_progress=progress)
    for outcome in report.outcomes:
        if outcome.error:
            _error(f"{outcome.url}: {outcome.error}")
    if report.outcomes:
        print(report.summary)
    return report


# KEY=VALUE settings `tuinews feed FEED set` knows, and the values each takes.
_FEED_SETTINGS = {"full_text": [*(mode.value for mode in FullText), "default"]}


def _cmd_feed(library: Library, args: argparse.Namespace) -> int:
    feed = library.find_feed(args.feed)
    if args.action == "set":
        if not args.settings:
            raise UsageError("feed: set needs KEY=VALUE, e.g. full_text=always")
        for setting in args.settings:
            key, _, value = setting.partition("=")
            key, value = key.strip(), value.strip().lower()
            if key not in _FEED_SETTINGS:
                known = ", ".join(_FEED_SETTINGS)
                raise UsageError(f"feed: no setting {_safe(key)!r} (settings: {known})")
            if value not in _FEED_SETTINGS[key]:
                choices = " | ".join(_FEED_SETTINGS[key])
                raise UsageError(f"feed: {key} must be {choices}")
            library.set_full_text(feed.id, None if value == "default" else FullText(value))
        feed = library.find_feed(str(feed.id))
    elif args.settings:
        raise UsageError("feed: show takes no KEY=VALUE (did you mean set?)")
    mode = feed.full_text.value if feed.full_text else f"{library.config.full_text.value} (default)"
    print(f"{_safe(feed.title)} (id {feed.id})")
    print(f"  source     {_safe(feed.source)}")
    print(f"  full_text  {mode}")
    return EXIT_OK


def _cmd_articles(library: Library, args: argparse.Namespace) -> int:
    feed_id = library.find_feed(args.feed).id if args.feed else None
    view = ArticleView(feed_id=feed_id, unread=args.unread, starred=args.starred)
    rows = library.articles(view, limit=args.limit)
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


def _cmd_search(library: Library, args: argparse.Namespace) -> int:
    from tuinews.models import SNIPPET_END, SNIPPET_START

    try:
        found = library.search(args.query, limit=args.limit, snippets_for=args.limit)
    except QueryError as error:
        raise UsageError(f"search: {error}") from None
    rows = {row.id: row for row in library.article_rows([hit.article_id for hit in found.hits])}
    results = [(hit, rows[hit.article_id]) for hit in found.hits if hit.article_id in rows]
    if args.json:
        marks = str.maketrans({SNIPPET_START: "[", SNIPPET_END: "]"})
        _print_json(
            [
                {
                    **_article_json(row),
                    "score": hit.score,
                    "snippet": found.snippets.get(row.id, "").translate(marks),
                }
                for hit, row in results
            ]
        )
        return EXIT_OK
    for _, row in results:
        title = _safe(row.title) or "(untitled)"
        print(f"{row.id:>6}  {_local_time(row.published) or '-':16}  {title}")
        detail = _safe(found.snippets.get(row.id, "")) or _safe(row.feed_title)
        if detail:
            print(f"{'':24}{detail}")
    if sys.stdout.isatty() and found.total > len(results):
        print(f"{len(results)} of {found.total} shown (--limit shows more)")
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


def _cmd_show(library: Library, args: argparse.Namespace) -> int:
    from rich.cells import cell_len

    from tuinews.render import to_text, wrap_paragraph

    article = library.open_article(
        args.article, feed_text=args.feed_text, unfold=args.all, fold_hint=" (--all shows them)"
    )
    row = article.row
    if args.json:
        _print_json(_shown_json(article))
        return EXIT_OK
    terminal = shutil.get_terminal_size((100, 24))
    width = min(terminal.columns, 100)
    title = wrap_paragraph(_safe(row.title) or "(untitled)", width)
    lines = [*title, "=" * min(max(cell_len(line) for line in title), width)]
    meta = [_safe(row.feed_title), _safe(row.author), _local_time(row.published)]
    lines += wrap_paragraph(" · ".join(part for part in meta if part), width)
    if row.link:  # whole, as `o` in the reader opens it: a look-alike host in punycode
        lines.append(clean_line(urls.shown_url(row.link), urls.LINK_CAP))
        if warning := urls.host_warning(row.link):
            lines += wrap_paragraph(f"(careful: {warning})", width)
    if note := article.source_note(_local_time):
        hint = "; --feed-text shows the feed's" if article.shows_page else ""
        lines += wrap_paragraph(f"[{_safe(note)}{hint}]", width)
    lines.append("")
    if article.summary:
        lines += [*wrap_paragraph(clean_line(article.summary, 4000), width), ""]
    lines.append(to_text(article.body, width=width))
    _page("\n".join(lines), terminal.lines)
    return EXIT_OK


def _page(text: str, height: int) -> None:
    """Print, through $PAGER (default less) when a terminal would scroll it away, as
    git log does: the pager is run from an argument list (shlex), never a shell; one
    that cannot start leaves the text printed as it is."""
    if not sys.stdout.isatty() or text.count("\n") + 1 < height:
        print(text)
        return
    import shlex
    import subprocess

    pager = shlex.split(os.environ.get("PAGER") or "less")
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}  # quit if it fits; colours
    try:
        subprocess.run(pager, input=text.encode("utf-8"), env=env, check=False)
    except OSError:
        print(text)


def _shown_json(article: OpenedArticle) -> dict:
    """What the reader shows, as data: paragraphs as plain text, and what reader mode
    folded (or, with --all, would fold), with why."""
    from tuinews.render import BlockKind

    return {
        **_article_json(article.row),
        "source": "page" if article.shows_page else "feed",
        "summary": article.summary,
        "paragraphs": [b.text for b in article.body.blocks if b.kind is not BlockKind.FOLDED],
        "links": list(article.body.links),
        "folded": [
            {"why": list(fold.reasons), "paragraphs": [block.text for block in fold.blocks]}
            for fold in article.folds
        ],
    }


def _cmd_mark(library: Library, args: argparse.Namespace) -> int:
    if args.state in {"read", "unread"}:
        changed = library.set_read(args.articles, args.state == "read")
    else:
        changed = library.set_starred(args.articles, args.state == "star")
    print(f"marked {changed} article(s) {args.state if args.state != 'star' else 'starred'}")
    return EXIT_OK


def _cmd_export_opml(library: Library, args: argparse.Namespace) -> int:
    document, count = library.export_opml()
    if args.file:
        Path(args.file).expanduser().write_text(document, encoding="utf-8")
        print(f"wrote {count} feeds to {args.file}")
    else:
        sys.stdout.write(document)
    return EXIT_OK


def _cmd_vacuum(library: Library, args: argparse.Namespace) -> int:
    deleted = library.vacuum(
        keep_days=args.keep_days,
        keep_per_feed=args.keep_per_feed,
        include_unread=args.include_unread,
        include_starred=args.include_starred,
    )
    print(f"deleted {deleted} articles; library compacted")
    return EXIT_OK


# ---------------------------------------------------------------- helpers


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


def _print_json(items: list[dict] | dict) -> None:
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

    def __init__(self, verb: str, things: str = "sources") -> None:
        self._verb = verb
        self._things = things
        self._live = sys.stderr.isatty()

    def __enter__(self) -> Callable[[Progress | PageProgress], None]:
        return self._update

    def _update(self, progress: Progress | PageProgress) -> None:
        if not self._live:
            return
        filled = int(30 * progress.done / max(progress.total, 1))
        bar = "█" * filled + "·" * (30 - filled)
        sys.stderr.write(f"\r{self._verb} {bar} {progress.done}/{progress.total} {self._things}")
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self._live:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

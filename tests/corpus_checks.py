"""Checks shared by the corpus tests: what a user sees after importing a stranger's document.

Each helper runs the real CLI (the `cli` fixture) and looks at what it printed and at what
the library file holds, the two places where a hostile document could do harm.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from conftest import Run

# C0 controls except TAB and LF, DEL, C1: none of these may reach a terminal or the library.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Cli = Callable[..., Run]


@dataclass(frozen=True)
class Imported:
    source: str  # the absolute path the library knows the source by
    add: Run
    refresh: Run


def import_source(cli: Cli, path: Path, *add_options: str) -> Imported:
    """`tuinews add --keep PATH` then `tuinews refresh`, both checked for crash symptoms
    (kept: a document that fails its first import must fail its refresh as cleanly)."""
    source = str(Path(path).resolve())
    added = cli("add", "--keep", source, *add_options)
    assert_clean_run(added, source)
    refreshed = cli("refresh")
    assert_clean_run(refreshed, source)
    return Imported(source, added, refreshed)


def assert_clean_run(run: Run, source: str) -> None:
    """No traceback, a documented exit code, and stderr errors as single lines naming the source."""
    assert "Traceback" not in run.out + run.err, run.err
    assert run.code in (0, 1), run
    errors = run.err.splitlines()
    assert len(errors) <= 1, f"one source, yet several error lines: {errors}"
    for line in errors:
        assert line.startswith(f"tuinews: {source}: "), (
            f"error line does not name {source}: {line!r}"
        )
    assert_no_controls(run.out + run.err, "command output")


def assert_failed_as_not_a_feed(run: Run, source: str) -> None:
    assert run.code == 1, run
    (line,) = run.err.splitlines()
    assert line.startswith(f"tuinews: {source}: ") and "not a feed" in line, line


def refresh_after_change(cli: Cli, path: Path, data: bytes | None = None) -> Run:
    """Change the file (new bytes, or the same bytes plus a newline) and refresh it.

    The extra newline changes the file's digest, so the refresh really parses and merges
    the document again instead of skipping it as unchanged.
    """
    current = path.read_bytes()
    path.write_bytes(current + b"\n" if data is None else data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    run = cli("refresh")
    assert_clean_run(run, str(path.resolve()))
    return run


# ---------------------------------------------------------------- the library file


def integrity(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def stored_texts(db_path: Path) -> list[tuple[str, str]]:
    """Every text value of `articles` and `feeds` as ("table.column", text).

    Read as bytes and decoded strictly: invalid UTF-8 or an encoded lone surrogate in
    the file fails here instead of being papered over by the sqlite3 module.
    """
    found: list[tuple[str, str]] = []
    conn = sqlite3.connect(db_path)
    conn.text_factory = bytes
    try:
        for table in ("articles", "feeds"):
            columns = [row[1].decode() for row in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        where = f"{table}.{column}"
                        try:
                            found.append((where, value.decode("utf-8")))
                        except UnicodeDecodeError as error:
                            raise AssertionError(f"{where} is not valid UTF-8: {error}") from None
    finally:
        conn.close()
    return found


def assert_library_clean(db_path: Path) -> None:
    assert integrity(db_path) == "ok"
    for where, text in stored_texts(db_path):
        assert_no_controls(text, where)
        assert not re.search("[\ud800-\udfff]", text), f"lone surrogate stored in {where}"


def library_bytes(db_path: Path) -> bytes:
    """The library file and its WAL/journal side files, as they sit on disk."""
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))


# ---------------------------------------------------------------- what the CLI prints


def assert_no_controls(text: str, where: str) -> None:
    found = CONTROL.search(text)
    assert found is None, f"control character {found.group()!r} in {where}: {text[:200]!r}"


def _listing_json(cli: Cli, command: str, *options: str) -> list[dict]:
    """`tuinews COMMAND --json`, with no control character in any string it prints."""
    run = cli(command, "--json", *options)
    assert run.code == 0, run
    rows = json.loads(run.out)
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str):
                assert_no_controls(value, f"{command} --json {key}")
    return rows


def articles_json(cli: Cli, *options: str) -> list[dict]:
    return _listing_json(cli, "articles", *options)


def feeds_json(cli: Cli) -> list[dict]:
    return _listing_json(cli, "feeds")


def articles_table(cli: Cli) -> list[str]:
    """`tuinews articles` as lines: a header, then exactly one line per article."""
    run = cli("articles")
    assert run.code == 0 and "Traceback" not in run.err, run
    assert_no_controls(run.out, "articles")
    return run.out.splitlines()


def show(cli: Cli, article_id: int) -> str:
    run = cli("show", str(article_id))
    assert run.code == 0 and not run.err, run
    assert_no_controls(run.out, f"show {article_id}")
    return run.out


def show_body(text: str) -> str:
    """The article text under `show`'s header (title, rule, byline, link, blank line)."""
    return text.split("\n\n", 1)[1] if "\n\n" in text else ""


def assert_cli_views_clean(cli: Cli) -> list[dict]:
    """Every view of the library prints without control characters, one row per article."""
    rows = articles_json(cli)
    table = articles_table(cli)
    assert len(table) == (len(rows) + 1 if rows else 0), "a title broke the one-line row layout"
    feeds_json(cli)
    feeds = cli("feeds")
    assert feeds.code == 0, feeds
    assert_no_controls(feeds.out, "feeds")
    for row in rows:
        show(cli, row["id"])
    return rows


# ---------------------------------------------------------------- text as a person reads it


def visible(text: str) -> str:
    """Text as a reader perceives it: invisible format characters gone, whitespace collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """What a browser would print for an HTML fragment (text only), whitespace collapsed."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return visible(" ".join(parser.parts))

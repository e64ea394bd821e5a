"""The hostile corpus (tests/data/hostile, see its MANIFEST.md): strangers' feeds built to hurt.

Every file is imported through the real CLI (`add`, then `refresh`) and judged on what a
user would meet: the exit code and error lines, the library file, and what `articles`,
`feeds` and `show` print. The "a correct reader must" column of the MANIFEST is the
acceptance rule; each test names the row it checks.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from conftest import DATA
from corpus_checks import (
    CONTROL,
    articles_json,
    articles_table,
    assert_cli_views_clean,
    assert_failed_as_not_a_feed,
    assert_library_clean,
    feeds_json,
    html_text,
    import_source,
    library_bytes,
    refresh_after_change,
    show,
    show_body,
)

HOSTILE = DATA / "hostile"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NOT_A_FEED = {"empty.xml", "html_page_not_a_feed.xml", "json_not_a_feed.json"}
HAND_MADE = sorted(path.name for path in HOSTILE.iterdir() if path.suffix in {".xml", ".json"})


class Hang(BaseException):
    """Raised by the hang guard; a BaseException so that `main` cannot swallow it."""


@contextmanager
def hang_guard(seconds: int = 120) -> Iterator[None]:
    """Turn a hang into a failure (this measures nothing: the limit is far beyond normal)."""

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_pwned_files() -> Iterator[None]:
    """The files the link and SQL strings try to create must not exist afterwards."""
    targets = [Path("/tmp/pwned"), Path("/tmp/pwned.db")]
    stale = [str(p) for p in targets if p.exists()]
    assert not stale, f"remove {stale} (left by something else) so this test can check them"
    yield
    created = [str(p) for p in targets if p.exists()]
    assert not created, f"a hostile string created {created}"


def copy_to(tmp_path: Path, name: str, as_name: str | None = None) -> Path:
    target = tmp_path / (as_name or name)
    shutil.copyfile(HOSTILE / name, target)
    return target


def rows(sql, columns: str = "id, identity, title, link, read, starred") -> list[tuple]:
    return sql(f"SELECT {columns} FROM articles ORDER BY id")


# An independent reading of the attacks, to find the words a user must still see.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, PM, APC, SOS up to BEL/ST
    r"|\x1b[ -/]*[0-~]"  # ESC c, ESC 7, ESC ( B ...
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC, DCS ...
)


def words(text: str) -> set[str]:
    """The plain words of a text once escape sequences and control characters are gone."""
    text = CONTROL.sub(" ", _ESCAPES.sub(" ", text))
    return set(re.findall(r"[A-Za-z]{3,}", text))


def assert_words_kept(original: str, shown: str) -> None:
    """Each word of the original is still on screen (an escape removed from between two
    words may leave them joined: "titleEVIL!" still shows both)."""
    missing = {word for word in words(original) if word not in shown}
    assert not missing, f"{missing} lost from {shown!r}"


def document_items(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """(feed title, [(item title, item body)]) as the document itself says them.

    Well-formed files are read with ElementTree, byte for byte; the ill-formed ones
    with feedparser, which keeps their raw control characters.
    """
    try:
        channel = ElementTree.parse(path).getroot().find("channel")
    except ElementTree.ParseError:
        parsed = feedparser.parse(str(path))
        items = [(e.get("title", ""), e.get("description", "")) for e in parsed.entries]
        return parsed.feed.get("title", ""), items
    items = [
        (
            item.findtext("title", ""),
            item.findtext(f"{{{CONTENT}}}encoded") or item.findtext("description", ""),
        )
        for item in channel.iter("item")
    ]
    return channel.findtext("title", ""), items


def _listed_links(text: str) -> list[str]:
    """The numbered link lines `show` prints under "Links:"."""
    if "\nLinks:\n" not in text:
        return []
    return re.findall(r"^\[\d+\] (.*)$", text.split("\nLinks:\n", 1)[1], re.MULTILINE)


# ---------------------------------------------------------------- every file


@pytest.mark.parametrize("name", HAND_MADE)
def test_every_hostile_file_imports_without_harm(cli, db_path: Path, name: str) -> None:
    """MANIFEST, all rows: no crash or hang, a clean library, clean output in every view.

    Exit code 1 exactly when the source failed ("not a feed" rows); damaged-but-readable
    documents import with a warning line and exit 0.
    """
    with hang_guard():
        imported = import_source(cli, HOSTILE / name)
        expected = 1 if name in NOT_A_FEED else 0
        assert (imported.add.code, imported.refresh.code) == (expected, expected)
        assert_library_clean(db_path)
        listed = assert_cli_views_clean(cli)
    assert (len(listed) == 0) == (name in NOT_A_FEED)


# ---------------------------------------------------------------- escape sequences

ESCAPE_FILES = [
    "ansi_raw_bytes.xml",
    "ansi_charrefs.xml",
    "ansi_in_escaped_html.xml",
    "c0_controls_raw.xml",
    "c1_controls_utf8.xml",
]


@pytest.mark.parametrize("name", ESCAPE_FILES)
def test_escape_sequences_are_removed_and_the_words_around_them_stay(
    cli, db_path: Path, sql, name: str
) -> None:
    """MANIFEST ansi_*, c0, c1: every item imported; no control character stored or printed
    (ansi_in_escaped_html hides them as HTML entities, so `show`, which decodes the
    entities, is the view that matters); the words around the escapes are still shown."""
    feed_title, items = document_items(HOSTILE / name)
    import_source(cli, HOSTILE / name)
    assert_library_clean(db_path)

    stored = rows(sql, "id, title")
    assert len(stored) == len(items)
    (feed,) = feeds_json(cli)
    assert_words_kept(feed_title, feed["title"])
    for (article_id, title), (item_title, item_body) in zip(stored, items, strict=True):
        assert_words_kept(item_title, title)
        text = show(cli, article_id)
        assert "\x1b" not in text and "\x9b" not in text
        assert_words_kept(html_text(item_body), show_body(text))


def test_overwriting_controls_do_not_hide_the_real_title(cli, sql) -> None:
    """MANIFEST c0_controls_raw: backspaces and a bare CR would print "EVIL!" over "safe
    title"; both parts must stay visible on one line, and a run of tabs must not stretch
    the title."""
    import_source(cli, HOSTILE / "c0_controls_raw.xml")
    titles = dict(sql("SELECT identity, title FROM articles"))
    assert "safe title" in titles["guid:c0-1"] and "EVIL!" in titles["guid:c0-1"]
    second = titles["guid:c0-2"]
    assert "Harmless headline" in second and "EVIL HEADLINE OVERWRITES" in second
    _, items = document_items(HOSTILE / "c0_controls_raw.xml")
    tabbed = titles["guid:c0-4"]
    assert "\t" in items[3][0]
    assert tabbed == " ".join(items[3][0].split())  # the 40 tabs are one space


def test_guid_with_nul_is_stored_once_across_imports(cli, sql, tmp_path: Path) -> None:
    """MANIFEST c0_controls_raw: the guid containing NUL is stored and re-imported
    without duplicating."""
    feed = copy_to(tmp_path, "c0_controls_raw.xml")
    import_source(cli, feed)
    before = rows(sql, "id, identity")
    assert any("c0-3" in identity and "hidden" in identity for _, identity in before)

    again = refresh_after_change(cli, feed)
    assert again.code == 0
    assert rows(sql, "id, identity") == before


# ---------------------------------------------------------------- invisible and bidi text

BIDI_AND_TAGS = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def test_bidi_overrides_and_tag_characters_are_dropped(cli, sql) -> None:
    """MANIFEST bidi_zero_width: no bidi override/isolate or TAG character is stored in a
    title or printed; the visible words of the spoofed title stay."""
    import_source(cli, HOSTILE / "bidi_zero_width.xml")
    for (title,) in sql("SELECT title FROM articles UNION ALL SELECT feed_title FROM feeds"):
        assert not BIDI_AND_TAGS.search(title), repr(title)
    for line in articles_table(cli):
        assert not BIDI_AND_TAGS.search(line), repr(line)
    titles = dict(sql("SELECT identity, title FROM articles"))
    assert titles["guid:bidi-1"].startswith("Invoice for March")
    assert titles["guid:bidi-8"] == "Looks normal"  # the hidden TAG "instruction" is gone


def test_every_character_cleaning_drops_is_dropped_from_any_text() -> None:
    """Cleaning skips its regex for text that str.isprintable() passes: that is only
    safe while every character it drops is one isprintable() rejects."""
    from tuinews.clean import _DROP_ANYWHERE, clean_line, clean_text

    dropped = [chr(c) for c in range(0x110000) if _DROP_ANYWHERE.match(chr(c))]
    assert len(dropped) > 2000  # C0, C1, bidi controls, invisibles, surrogates, tags
    for char in dropped:
        assert clean_line(f"café ok{char}") == "café ok", hex(ord(char))
        assert clean_text(f"line\tone\nline two{char}") == "line\tone\nline two", hex(ord(char))


def test_title_of_invisible_characters_only_is_untitled(cli, sql) -> None:
    """MANIFEST bidi_zero_width: the invisible-only title is treated as blank and gets the
    same fallback as a missing title."""
    import_source(cli, HOSTILE / "bidi_zero_width.xml")
    ((article_id, title),) = sql("SELECT id, title FROM articles WHERE identity = 'guid:bidi-4'")
    assert title == ""
    (row,) = [line for line in articles_table(cli)[1:] if line.split()[0] == str(article_id)]
    assert row.endswith("(untitled)")
    assert show(cli, article_id).splitlines()[0] == "(untitled)"


def test_zero_width_space_keeps_a_guid_distinct(cli, sql) -> None:
    """MANIFEST bidi_zero_width: `bidi-<U+200B>3` is kept as its own id."""
    import_source(cli, HOSTILE / "bidi_zero_width.xml")
    identities = {identity for (identity,) in sql("SELECT identity FROM articles")}
    assert "guid:bidi-\u200b3" in identities
    assert "guid:bidi-3" not in identities


# ---------------------------------------------------------------- markup that is data


def test_markup_titles_are_shown_literally(cli, sql) -> None:
    """MANIFEST rich_markup_titles: every title stored and printed character for character,
    as feedparser reads it from the file: no styling, no action, nothing interpolated."""
    path = HOSTILE / "rich_markup_titles.xml"
    parsed = feedparser.parse(str(path))
    import_source(cli, path)
    expected = [CONTROL.sub("", entry.title) for entry in parsed.entries]
    assert len(expected) == 20

    assert [title for (title,) in sql("SELECT title FROM articles ORDER BY id")] == expected
    listed = {row["id"]: row for row in articles_json(cli)}
    table = articles_table(cli)[1:]
    for article_id, title in sql("SELECT id, title FROM articles ORDER BY id"):
        assert listed[article_id]["title"] == title
        assert listed[article_id]["author"] == "[red]Admin[/red]"
        (line,) = [line for line in table if line.split()[0] == str(article_id)]
        assert line.endswith(title)
        shown = show(cli, article_id).splitlines()
        rule = next(i for i, line in enumerate(shown) if line and set(line) == {"="})
        # the title wraps to the width; its characters are all there, in order
        assert "".join(shown[:rule]).replace(" ", "") == title.replace(" ", "")
        assert "[red]Admin[/red]" in shown[rule + 1]
    (feed,) = feeds_json(cli)
    assert feed["title"] == CONTROL.sub("", parsed.feed.title)


def test_markup_in_html_bodies_is_text_and_the_real_link_is_listed(cli, sql) -> None:
    """MANIFEST rich_markup_in_html_body: bracketed text shown literally, code brackets kept,
    and the only link listed is the real `<a href>` target, never a `[link=...]` one."""
    import_source(cli, HOSTILE / "rich_markup_in_html_body.xml")
    bodies = {
        identity.rsplit("-", 1)[-1]: show_body(show(cli, article_id))
        for article_id, identity in sql("SELECT id, identity FROM articles")
    }
    assert "[bold red]PWNED[/]" in bodies["1"] and "[@click=app.quit]quit[/]" in bodies["1"]
    assert "[link=https://feeds.example/safe]Looks safe[/link]" in bodies["2"]
    assert _listed_links(bodies["2"]) == ["https://evil.example/steal"]
    assert "matrix[i][j] = grid[/]" in bodies["3"]
    assert "[blink]Heading[/blink]" in bodies["4"]


# ---------------------------------------------------------------- entity bombs and XXE


def test_billion_laughs_is_not_expanded(cli, db_path: Path) -> None:
    """MANIFEST billion_laughs: entities are not expanded; the import returns."""
    with hang_guard():
        imported = import_source(cli, HOSTILE / "billion_laughs.xml")
        outputs = [imported.add, imported.refresh, cli("articles"), cli("feeds")]
        outputs += [cli("show", str(row["id"])) for row in articles_json(cli)]
    assert b"lollollol" not in library_bytes(db_path)
    for run in outputs:
        assert "lollollol" not in run.out + run.err


def test_external_entity_never_reads_local_files(cli, db_path: Path) -> None:
    """MANIFEST xxe_file_passwd: no line of /etc/passwd in the library or on screen."""
    passwd = Path("/etc/passwd")
    markers = ["root:x:0:0"]
    if passwd.is_file():
        markers += [line for line in passwd.read_text(errors="replace").splitlines()[:3] if line]
    with hang_guard():
        imported = import_source(cli, HOSTILE / "xxe_file_passwd.xml")
        outputs = [imported.add, imported.refresh, cli("articles"), cli("feeds", "--json")]
        outputs += [cli("show", str(row["id"])) for row in articles_json(cli)]
    stored = library_bytes(db_path)
    for marker in markers:
        assert marker.encode() not in stored
        for run in outputs:
            assert marker not in run.out + run.err


# ---------------------------------------------------------------- broken encodings


def test_invalid_utf8_imports_every_item_without_surrogates(cli, db_path: Path, sql) -> None:
    """MANIFEST invalid_utf8: all 6 items imported, no lone surrogate stored."""
    imported = import_source(cli, HOSTILE / "invalid_utf8.xml")
    assert imported.add.code == 0
    assert_library_clean(db_path)  # strict UTF-8 decoding of every stored text
    identities = [identity for (identity,) in sql("SELECT identity FROM articles ORDER BY id")]
    assert identities == [f"guid:utf8-{n}" for n in range(1, 7)]
    for row in articles_json(cli):
        assert show(cli, row["id"])


# ---------------------------------------------------------------- not feeds


@pytest.mark.parametrize("name", sorted(NOT_A_FEED))
def test_not_a_feed_is_reported_and_nothing_is_stored(cli, sql, name: str) -> None:
    """MANIFEST html_page_not_a_feed, empty, json_not_a_feed: "not a feed" on one stderr
    line naming the source, exit 1, no article stored, the error kept on the feed."""
    imported = import_source(cli, HOSTILE / name)
    assert_failed_as_not_a_feed(imported.add, imported.source)
    assert_failed_as_not_a_feed(imported.refresh, imported.source)
    assert sql("SELECT count(*) FROM articles") == [(0,)]
    assert articles_json(cli) == []
    (feed,) = feeds_json(cli)
    assert "not a feed" in feed["last_error"]


def test_html_page_script_is_neither_stored_nor_shown(cli, db_path: Path) -> None:
    """MANIFEST html_page_not_a_feed: never run or display the page's script."""
    imported = import_source(cli, HOSTILE / "html_page_not_a_feed.xml")
    page = (HOSTILE / "html_page_not_a_feed.xml").read_text()
    script = re.search(r"<script[^>]*>(.*?)</script>", page, re.DOTALL).group(1).strip()
    assert script
    printed = imported.add.out + imported.add.err + imported.refresh.out + imported.refresh.err
    assert script not in printed and "<script" not in printed
    assert script.encode() not in library_bytes(db_path)


def test_empty_refresh_keeps_stored_articles_and_shows_the_error(cli, sql, tmp_path: Path) -> None:
    """MANIFEST empty: if the feed already had items, an empty refresh keeps them and the
    feed shows a clear error."""
    feed = copy_to(tmp_path, "guid_mutation_v1.xml", "feed.xml")
    imported = import_source(cli, feed)
    assert imported.add.code == 0
    before = rows(sql)
    assert len(before) == 5

    run = refresh_after_change(cli, feed, (HOSTILE / "empty.xml").read_bytes())
    assert_failed_as_not_a_feed(run, imported.source)
    assert rows(sql) == before
    assert len(articles_json(cli)) == 5
    (listed,) = feeds_json(cli)
    assert "not a feed" in listed["last_error"] and "empty" in listed["last_error"]


# ---------------------------------------------------------------- damaged documents


def test_truncated_feed_keeps_complete_items_and_a_later_full_copy_adds_no_duplicates(
    cli, sql, tmp_path: Path
) -> None:
    """MANIFEST truncated: the two complete items are kept, the feed is marked damaged; a
    later complete download creates no duplicates and clears the error."""
    feed = copy_to(tmp_path, "truncated.xml")
    imported = import_source(cli, feed)
    assert imported.add.code == 0
    titles = dict(sql("SELECT identity, title FROM articles"))
    assert titles["guid:trunc-1"] == "Complete item one"
    assert titles["guid:trunc-2"] == "Complete item two"
    (listed,) = feeds_json(cli)
    assert "damage" in listed["last_error"]
    assert "damage" in imported.add.err  # the warning line reached the user

    complete = feed.read_bytes() + b"dle of the item.</description>\n</item>\n</channel>\n</rss>\n"
    assert feedparser.parse(complete).bozo == 0
    run = refresh_after_change(cli, feed, complete)
    assert run.code == 0 and run.err == ""
    identities = [identity for (identity,) in sql("SELECT identity FROM articles")]
    assert sorted(identities) == ["guid:trunc-1", "guid:trunc-2", "guid:trunc-3"]
    (listed,) = feeds_json(cli)
    assert listed["last_error"] is None


# ---------------------------------------------------------------- JSON Feed


def test_json_feed_items_are_read_with_fallback_titles_and_no_script(cli, sql) -> None:
    """MANIFEST jsonfeed_1_1: 4 items; the untitled one listed as "(untitled)"; the
    `<script>` of content_html is not shown."""
    imported = import_source(cli, HOSTILE / "jsonfeed_1_1.json")
    assert imported.add.code == 0
    listed = articles_json(cli)
    assert len(listed) == 4
    untitled = [row["id"] for row in listed if row["title"] == ""]
    assert len(untitled) == 1
    (line,) = [line for line in articles_table(cli)[1:] if line.split()[0] == str(untitled[0])]
    assert line.endswith("(untitled)")
    ((harbour,),) = sql("SELECT id FROM articles WHERE title = 'Harbour reopens after repairs'")
    text = show(cli, harbour)
    assert "The harbour reopened on Monday." in text
    assert "<script" not in text and "alert(1)" not in text


# ---------------------------------------------------------------- links


@pytest.mark.usefixtures("no_pwned_files")
@pytest.mark.parametrize("name", ["links_bad_schemes.xml", "links_shell_metachars.xml"])
def test_dangerous_links_are_kept_as_text_and_only_web_links_are_offered(
    cli, sql, name: str
) -> None:
    """MANIFEST links_*: links are stored as written (opening them is the reader's job),
    trimmed, a relative one resolved against the feed's site link, with a web link's
    inner spaces percent-encoded as a browser opens them; one
    with a tab or line break inside is not kept (a browser would delete it and open
    another link); `show` prints no control character, marks every non-http(s) link as
    not opened, and nothing is executed."""

    def kept(link: str) -> str:
        link = link.strip()
        if "\t" in link or "\n" in link:
            return ""
        if link and not urlsplit(link).scheme:  # relative: resolved against the site
            link = urljoin(site, link)
        return link.replace(" ", "%20") if link.startswith(("http:", "https:")) else link

    path = HOSTILE / name
    site = ElementTree.parse(path).findtext("channel/link", "")
    written = [item.findtext("link", "") for item in ElementTree.parse(path).iter("item")]
    import_source(cli, path)
    stored = rows(sql, "id, link")
    assert [link for _, link in stored] == [kept(link) for link in written]
    assert "" in {link for _, link in stored}  # each file has one such link
    for article_id, _ in stored:
        for listed in _listed_links(show(cli, article_id)):
            if not listed.startswith("(not opened) "):
                assert listed.startswith(("http://", "https://")), listed


def test_the_plain_web_link_is_offered_normally(cli, sql) -> None:
    """MANIFEST links_bad_schemes: item 12, a normal `https:` link, is the control: it is
    listed as a link to open, unlike its neighbours."""
    import_source(cli, HOSTILE / "links_bad_schemes.xml")
    ((control,),) = sql("SELECT id FROM articles WHERE identity = 'guid:scheme-12'")
    assert _listed_links(show(cli, control)) == ["https://feeds.example/hostile/links/ok"]
    ((javascript,),) = sql("SELECT id FROM articles WHERE identity = 'guid:scheme-1'")
    assert _listed_links(show(cli, javascript)) == [
        "(not opened) javascript:alert(document.cookie)"
    ]


# ---------------------------------------------------------------- identity


def test_duplicate_guids_first_occurrence_wins(cli, sql, tmp_path: Path) -> None:
    """MANIFEST duplicate_guids. Policy the engine implements: one stored row per identity
    and, within one document, the FIRST item carrying an identity wins (later items with
    the same guid are ignored). Identity is the guid exactly (case matters; outer
    whitespace is trimmed, as feedparser does); an empty guid counts as missing, so the
    item falls back to its link, then a content hash. Importing the file again adds
    no rows."""
    feed = copy_to(tmp_path, "duplicate_guids.xml")
    imported = import_source(cli, feed)
    assert imported.add.code == 0
    titles = dict(sql("SELECT identity, title FROM articles"))
    assert len(titles) == 7  # 11 items: 3 later dup-A copies and the second dup-X dropped
    assert titles["guid:dup-A"] == "First item with guid dup-A"
    assert "guid differs only by surrounding whitespace" not in titles.values()
    assert titles["guid:DUP-A"] == "guid differs only by case: DUP-A"
    assert titles["guid:dup-X"] == "Exact duplicate item (1)"
    assert {titles.get("guid:dup-L1"), titles.get("guid:dup-L2")} == {
        "Two items share a link but have different guids (1)",
        "Two items share a link but have different guids (2)",
    }
    empty_guid = {
        i: t for i, t in titles.items() if t in {"Empty guid element", "Another empty guid element"}
    }
    assert len(empty_guid) == 2, "the two empty guids were merged into one article"
    assert not any(identity.startswith("guid:") for identity in empty_guid)

    before = rows(sql)
    assert refresh_after_change(cli, feed).code == 0
    assert rows(sql) == before


def test_items_missing_everything_get_stable_identities_and_fallback_names(
    cli, sql, tmp_path: Path
) -> None:
    """MANIFEST missing_guid_link_title: re-import does not duplicate; the feed is named
    after its file; blank titles are listed and shown as "(untitled)"."""
    feed = copy_to(tmp_path, "missing_guid_link_title.xml")
    imported = import_source(cli, feed)
    assert imported.add.code == 0
    (listed,) = feeds_json(cli)
    assert listed["title"] == feed.name
    assert f"added {feed.name} " in imported.add.out

    stored = rows(sql, "id, title")
    # Only one item of the file has a visible title; the whitespace-only one counts as blank.
    assert {title for _, title in stored} == {"", "Title only (no guid, no link, no body)"}
    untitled = {article_id for article_id, title in stored if title == ""}
    for line in articles_table(cli)[1:]:
        if int(line.split()[0]) in untitled:
            assert line.endswith("(untitled)"), line
    for article_id in untitled:
        assert show(cli, article_id).splitlines()[0] == "(untitled)"

    before = rows(sql)
    assert refresh_after_change(cli, feed).code == 0
    assert rows(sql) == before


# ---------------------------------------------------------------- dates


def test_extreme_dates_are_unknown_or_believable_and_lists_still_sort(cli, sql) -> None:
    """MANIFEST dates_extreme: no date error anywhere; impossible dates are stored as
    unknown (NULL); `articles` stays sorted newest first with a mix of dates."""
    imported = import_source(cli, HOSTILE / "dates_extreme.xml")
    assert imported.add.code == 0
    stored = sql("SELECT identity, published FROM articles")
    assert len(stored) == 17
    earliest, latest = -2_208_988_800, 7_258_118_400  # 1900-01-01, 2200-01-01 (UTC)
    for identity, published in stored:
        assert published is None or earliest <= published < latest, (identity, published)
    known = dict(stored)
    # 10000-01-01, -0044-03-15 and +9900 once became 2010, 2026 and 2026: believable and wrong.
    impossible = ("1", "2", "3", "5", "11", "12", "13", "14", "15")
    for number in impossible:
        assert known[f"guid:date-{number}"] is None, number
    assert known["guid:date-7"] == 0  # the epoch itself is a real date

    listed = [row["published"] for row in articles_json(cli) if row["published"] is not None]
    assert len(listed) >= 3  # 1969-12-31, 1970-01-01 and 2038-01-19 are real
    assert listed == sorted(listed, reverse=True)


# ---------------------------------------------------------------- a feed that changes


def _import_v1_then_v2(cli, sql, tmp_path: Path, *add_options: str) -> dict[str, tuple]:
    feed = copy_to(tmp_path, "guid_mutation_v1.xml", "mutating.xml")
    import_source(cli, feed, *add_options)
    ids = dict(sql("SELECT identity, id FROM articles"))
    assert cli("mark", str(ids["guid:mut-2"]), "--read").code == 0
    assert cli("mark", str(ids["guid:mut-1"]), "--star").code == 0

    run = refresh_after_change(cli, feed, (HOSTILE / "guid_mutation_v2.xml").read_bytes())
    assert run.code == 0
    assert "1 new articles" in run.out
    return {
        identity: rest
        for identity, *rest in sql("SELECT identity, id, title, link, read, starred FROM articles")
    }


def test_changed_feed_updates_in_place_and_keeps_reading_state(cli, sql, tmp_path) -> None:
    """MANIFEST guid_mutation_v1/v2 as the same source: exactly 6 items; mut-1 updated in
    place and still starred; mut-2 still read; mut-3 kept; mut-4 has the new link; the
    guid-less item updated, not duplicated; mut-6 new and unread; feed name follows v2."""
    after = _import_v1_then_v2(cli, sql, tmp_path)
    assert len(after) == 6
    mut1_id, mut1_title, _, _, mut1_starred = after["guid:mut-1"]
    assert mut1_title == "Council approves revised budget after late amendment"
    assert mut1_starred == 1
    assert "Version 2 body" in show(cli, mut1_id) and "Version 1 body" not in show(cli, mut1_id)
    assert after["guid:mut-2"][3] == 1
    assert "guid:mut-3" in after
    assert after["guid:mut-4"][2] == "https://feeds.example/hostile/mut/4-moved"
    guidless_id = after["link:https://feeds.example/hostile/mut/5"][0]
    assert "v2 body" in show(cli, guidless_id)
    assert after["guid:mut-6"][3] == 0
    (listed,) = feeds_json(cli)
    assert listed["title"] == "Mutating feed (renamed in v2)"
    assert {row["feed"] for row in articles_json(cli)} == {"Mutating feed (renamed in v2)"}


def test_changed_feed_keeps_the_name_the_user_gave(cli, sql, tmp_path) -> None:
    """MANIFEST guid_mutation_v2: "the feed name follows v2 unless the user renamed it"."""
    after = _import_v1_then_v2(cli, sql, tmp_path, "--title", "My council news")
    assert len(after) == 6
    (listed,) = feeds_json(cli)
    assert listed["title"] == "My council news"
    assert {row["feed"] for row in articles_json(cli)} == {"My council news"}


# ---------------------------------------------------------------- SQL strings


@pytest.mark.usefixtures("no_pwned_files")
def test_sql_strings_are_stored_verbatim_and_tables_survive(cli, sql) -> None:
    """MANIFEST sql_injection_strings: 7 distinct items, everything stored and shown
    verbatim, filtering by the hostile feed title works, all tables intact."""
    path = HOSTILE / "sql_injection_strings.xml"
    parsed = feedparser.parse(str(path))
    import_source(cli, path)
    stored = sql("SELECT identity, title, author FROM articles ORDER BY id")
    assert [identity for identity, _, _ in stored] == [f"guid:{e.id}" for e in parsed.entries]
    assert len({identity for identity, _, _ in stored}) == 7
    assert [(t, a) for _, t, a in stored] == [(e.title, e.author) for e in parsed.entries]

    (listed,) = feeds_json(cli)
    assert listed["title"] == parsed.feed.title == "Feed'); DROP TABLE feeds;--"
    assert len(articles_json(cli, "--feed", listed["title"])) == 7
    tables = {name for (name,) in sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feeds", "articles", "feed_tags", "source_files", "tombstones"} <= tables
    assert sql("SELECT count(*) FROM articles") == [(7,)]


# ---------------------------------------------------------------- size


@pytest.fixture(scope="module")
def big_feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two large documents, written by the corpus's own generator (never committed)."""
    folder = tmp_path_factory.mktemp("big")
    subprocess.run(
        [sys.executable, str(HOSTILE / "gen_big.py"), str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


def test_twenty_thousand_items_import_once(cli, sql, big_feeds: Path, tmp_path: Path) -> None:
    """MANIFEST gen_big (big_20000_items): 20,000 items imported; a second import adds none."""
    feed = tmp_path / "big_20000_items.xml"
    shutil.copyfile(big_feeds / feed.name, feed)
    with hang_guard(300):
        imported = import_source(cli, feed)
        assert imported.add.code == 0 and "20000 articles" in imported.add.out
        assert sql("SELECT count(*), count(DISTINCT identity) FROM articles") == [(20000, 20000)]
        again = refresh_after_change(cli, feed)
    assert again.code == 0 and "0 new articles, 0 updated" in again.out
    assert sql("SELECT count(*) FROM articles") == [(20000,)]


def test_five_megabyte_body_can_be_read(cli, sql, big_feeds: Path) -> None:
    """MANIFEST gen_big (big_5mb_body): imports, and `show` of the big item returns its text
    (a visible truncation note would be acceptable)."""
    with hang_guard(300):
        imported = import_source(cli, big_feeds / "big_5mb_body.xml")
        assert imported.add.code == 0
        assert sql("SELECT count(*) FROM articles") == [(3,)]
        ((middle,),) = sql("SELECT id FROM articles WHERE length(content_html) > 1000000")
        text = show(cli, middle)
    assert text.startswith("This item has a 5 MB body")
    assert "Paragraph 0:" in text and "Paragraph 1000:" in text

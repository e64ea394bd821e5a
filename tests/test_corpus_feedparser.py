"""feedparser's own test feeds (../shared/corpus/feedparser), read through tuinews.

The files are third-party data: they are read from the shared corpus folder and never
copied into this repository. Each file's `Expect:` line (a Python expression feedparser's
harness evaluates) is translated, where it is about something tuinews stores, into a
check on what the user gets: the feed's name, the first article's title, link and date,
its identity, and the text `show` prints. tuinews parses with sanitize_html=False and
renders HTML to text itself, so HTML values are compared by the text a reader would see,
never as markup.
"""

from __future__ import annotations

import ast
import calendar
import re
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest
from conftest import SHARED_CORPUS
from corpus_checks import (
    assert_library_clean,
    html_text,
    import_source,
    show,
    show_body,
    visible,
)

CORPUS = SHARED_CORPUS / "feedparser"
if not CORPUS.is_dir():
    pytest.skip(
        f"feedparser's test feeds are not here ({CORPUS}); they live only in the shared corpus",
        allow_module_level=True,
    )

NOT_FEED_FILES = {"MANIFEST.md", "LICENSE-feedparser"}
FILES = sorted(
    path.relative_to(CORPUS).as_posix()
    for path in CORPUS.rglob("*")
    if path.is_file() and path.name not in NOT_FEED_FILES
)
HTML_TYPES = {"text/html", "application/xhtml+xml"}

# ---------------------------------------------------------------- Expect → checks


@dataclass
class Check:
    """One fact about our stored data: `what` must equal one of `accepted`."""

    what: str  # feed_title, title, link, identity, body, published, count
    accepted: tuple[object, ...]
    source: str = field(default="", compare=False)  # the Expect clause it came from


class Unmapped(Exception):
    """The clause is about something tuinews does not store (bozo, encoding, enclosures...)."""


def expect_line(path: Path) -> str:
    """The `Expect:` expression of a corpus file (ASCII in every encoding, NULs aside)."""
    text = path.read_bytes().replace(b"\x00", b"").decode("latin-1")
    found = re.search(r"Expect:\s*(.*?)\s*(?:-->.*)?$", text, re.MULTILINE)
    return found.group(1) if found else ""


def _path(node: ast.expr) -> tuple:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Subscript):
        return (*_path(node.value), ast.literal_eval(node.slice))
    if isinstance(node, ast.Attribute):
        return (*_path(node.value), node.attr)
    raise Unmapped


def _constant(node: ast.expr) -> object:
    """A literal, including string concatenations such as 'a -' + '- b'."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant(node.left) + _constant(node.right)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise Unmapped from None


def _check(node: ast.expr) -> Check:
    source = ast.unparse(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        call = node.operand  # not entries[0].has_key('link')
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "has_key"
            and _path(call.func.value) == ("entries", 0)
            and _constant(call.args[0]) == "link"
        ):
            return Check("link", ("",), source)
        raise Unmapped
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
        raise Unmapped
    if not isinstance(node.ops[0], ast.Eq):
        raise Unmapped
    left, value = node.left, _constant(node.comparators[0])
    if isinstance(left, ast.Call) and isinstance(left.func, ast.Name):
        if left.func.id == "ord":  # ord(entries[0]['description']) == 8230
            return _field(_path(left.args[0]), chr(value), source)
        if left.func.id == "len" and _path(left.args[0]) == ("entries",):
            return Check("count", (value,), source)
        raise Unmapped
    return _field(_path(left), value, source)


_FIELDS = {
    ("feed", "title"): "feed_title",
    ("feed", "title_detail", "value"): "feed_title",
    ("entries", 0, "title"): "title",
    ("entries", 0, "title_detail", "value"): "title",
    ("entries", 0, "link"): "link",
    ("entries", 0, "guid"): "identity",
    ("entries", 0, "description"): "body",
    ("entries", 0, "summary"): "body",
    ("entries", 0, "content", 0, "value"): "body",
    ("entries", 0, "published_parsed"): "published",
    ("entries", 0, "updated_parsed"): "published",
}


def _field(path: tuple, value: object, source: str) -> Check:
    what = _FIELDS.get(path)
    if what is None:
        raise Unmapped
    if what == "published":
        value = calendar.timegm(tuple(value)[:6])
    elif what == "identity":
        value = "guid:" + value
    return Check(what, (value,), source)


def checks_from(expect: str) -> list[Check]:
    """The clauses of an Expect line that map onto stored data; `A or B` about one field
    accepts either value."""
    try:
        tree = ast.parse(expect, mode="eval").body if expect else None
    except SyntaxError:
        return []
    return _collect(tree) if tree is not None else []


def _collect(node: ast.expr) -> list[Check]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [check for value in node.values for check in _collect(value)]
    if isinstance(node, ast.BoolOp):  # or: each side must say one thing about one field
        sides = [_collect(value) for value in node.values]
        if any(len(side) != 1 for side in sides) or len({s[0].what for s in sides}) != 1:
            return []
        accepted = tuple(value for (check,) in sides for value in check.accepted)
        return [Check(sides[0][0].what, accepted, ast.unparse(node))]
    try:
        return [_check(node)]
    except Unmapped:
        return []


# Guard against a translation that silently checks nothing: the corpus has clauses of
# every kind, so each kind must come out of it.
assert {check.what for rel in FILES for check in checks_from(expect_line(CORPUS / rel))} == {
    "feed_title",
    "title",
    "link",
    "identity",
    "body",
    "published",
    "count",
}


# ---------------------------------------------------------------- where we differ on purpose


@dataclass(frozen=True)
class Divergence:
    """An Expect value that describes feedparser's HTML sanitizer, not what is visible,
    or a feedparser behaviour tuinews refuses on purpose (expanding DOCTYPE entities).

    `replace` gives the values we accept instead for a field (empty: no value check);
    `must_show` are phrases from the file that `show` must print.
    """

    reason: str
    replace: dict[str, tuple[object, ...]]
    must_show: tuple[str, ...] = ()


DIVERGENCES = {
    "wellformed/rss/entity_in_doctype.xml": Divergence(
        "tuinews expands no entity a DOCTYPE declares (the same mechanism grows a 45 KB "
        "document into 100 M characters); the reference stays in the guid as written",
        {"identity": ("guid:&id;2006-05-04:/blog/",)},
    ),
    "wellformed/sanitize/entry_content_crazy.xml": Divergence(
        "feedparser's sanitizer leaves the text of <title> and of half-commented <script>s "
        "('function executeMe() ...') in its output; tuinews drops the head and every script, "
        "so only the document's visible text remains",
        {"body": ()},
        ("Did The Javascript Execute?", "I will execute here, too, if you mouse over me"),
    ),
    "wellformed/sanitize/entry_content_iframe.xml": Divergence(
        "the text inside <iframe> is fallback content that a browser does not display; "
        "feedparser's sanitizer keeps it, tuinews drops the iframe with its content",
        {"body": ()},
        ("safe",),
    ),
    "wellformed/sanitize/item_content_encoded_script_nested_cdata.xml": Divergence(
        "the stored HTML is '<![CDATA[<script></script>]]&gt;': to an HTML parser the "
        "'<![CDATA[' starts a bogus comment, so nothing but the script is in it",
        {"body": ()},
    ),
    "wellformed/rss/item_description_not_a_doctype.xml": Divergence(
        "feedparser's sanitizer escapes the bogus declaration `<!'` into text; an HTML parser "
        "(tuinews's, a browser's) reads `<!' <a href=\"foo\">` as a bogus comment: no text",
        {"body": ()},
    ),
    "wellformed/sanitize/xml_malicious_comment.xml": Divergence(
        "the HTML title 'sa<!-- -- nonwhitespace >fe<script>...' has no '-->': by HTML "
        "comment rules everything after 'sa' is comment, which feedparser's sanitizer reads "
        "as ending at '>'; either way no script reaches the title",
        {"feed_title": ("safe", "sa")},
    ),
}


# What must never be printed for the sanitize/ cases: script, handlers, frames, styles.
EXECUTABLE = re.compile(
    r"<script|</script|<iframe|<style|\bon(?:click|error|load|mouseover)\s*=|executeMe|"
    r"alert\(|location\.href",
    re.IGNORECASE,
)


def _param(rel: str):
    return pytest.param(rel, id=rel)


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("rel", [_param(rel) for rel in FILES])
def test_feedparser_corpus_file(cli, sql, db_path: Path, rel: str) -> None:
    """Each file: imported without a crash; failures are one error line naming the source;
    the library stays intact; the Expect clauses about stored data hold for what we store
    and show; nothing executable is printed."""
    path = CORPUS / rel
    imported = import_source(cli, path)
    assert imported.add.code == imported.refresh.code  # the same verdict every time
    if imported.refresh.code == 1:
        (line,) = imported.refresh.err.splitlines()  # one line for the one failed source
        assert line.startswith(f"tuinews: {imported.source}: ")
    assert_library_clean(db_path)

    articles = sql("SELECT id, title, link, identity, published FROM articles ORDER BY id")
    ((feed_title,),) = sql("SELECT feed_title FROM feeds")
    shown = [show(cli, article_id) for article_id, *_ in articles]
    printed = "\n".join(shown).replace(path.name, "")  # the fallback feed name is the file name
    assert not EXECUTABLE.search(printed), EXECUTABLE.search(printed)

    divergence = DIVERGENCES.get(rel)
    for phrase in divergence.must_show if divergence else ():
        assert phrase in path.read_text(errors="replace")  # the phrase is the file's own
        assert phrase in visible(printed)

    # What the Expect clauses can be about, as the user meets it (entries[0] is the first
    # article in document order, the lowest id).
    first = articles[0] if articles else (None,) * 5
    stored = {
        "count": len(articles),
        "feed_title": visible(feed_title),
        "title": visible(first[1]) if first[1] is not None else None,
        "link": first[2],
        "identity": first[3],
        "published": first[4],
    }
    parsed = feedparser.parse(path.read_bytes())  # only for the declared type of a title
    types = {
        "feed_title": (parsed.feed.get("title_detail") or {}).get("type"),
        "title": ((parsed.entries[:1] or [{}])[0].get("title_detail") or {}).get("type"),
    }
    for check in checks_from(expect_line(path)):
        accepted = check.accepted
        if divergence and check.what in divergence.replace:
            accepted = divergence.replace[check.what]
            if not accepted:
                continue
        if check.what == "body":
            body = visible(show_body(shown[0])) if shown else ""
            texts = [html_text(value) for value in accepted if html_text(value)]
            assert not texts or any(text in body for text in texts), (check.source, body)
        elif check.what in types:
            want = {_as_seen(value, types[check.what]) for value in accepted}
            assert stored[check.what] in want, (check.source, stored[check.what])
        else:
            assert stored[check.what] in accepted, (check.source, stored[check.what])


def _as_seen(value: object, kind: str | None) -> str:
    """A feedparser text value as a reader sees it: HTML by its text, plain text as is."""
    return html_text(value) if kind in HTML_TYPES else visible(str(value))

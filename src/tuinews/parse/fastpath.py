"""A fast reader for the common case: well-formed RSS 2.0 and Atom 1.0 with no DOCTYPE.

feedparser handles every dialect and every kind of breakage, at ~0.4 ms an
item; this reads the plain, well-formed documents that most feeds are with
expat through ElementTree, several times faster. Anything unusual (a DOCTYPE,
a parse error, an unknown root, xml:base, base64 or XHTML content, a date it
cannot read) raises NeedsFeedparser and the document goes to feedparser.
Both paths must give the same ParsedFeed for the same document: the tests
compare them, since a different identity would duplicate articles.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from tuinews.clean import clean_line
from tuinews.models import ParsedArticle, ParsedFeed
from tuinews.parse.article import (
    TITLE_LIMIT,
    author_name,
    build_article,
    html_to_search_text,
)
from tuinews.parse.dates import epoch_from_date
from tuinews.parse.doctype import plain_prolog

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML_BODY = "{http://www.w3.org/1999/xhtml}body"

_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")
# C1 controls in UTF-8 (U+0080-U+009F) and character references to them: text
# that was Windows-1252 or double-encoded UTF-8 before it reached the feed.
# Two patterns, not one alternation: each starts with a literal, which the
# regex engine skips ahead to instead of trying the pattern at every byte.
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:1[2-5][0-9]|x0*[89][0-9a-fA-F]);")


class NeedsFeedparser(Exception):
    """The document is not plain enough for the fast path."""


def parse_plain_feed(data: bytes) -> ParsedFeed:
    # A DOCTYPE (which could declare entities for expat to expand) anywhere before the
    # root element, or bytes that are not ASCII-compatible: feedparser, after the cut.
    if not plain_prolog(data) or b"xml:base" in data:
        raise NeedsFeedparser
    head = data[:2048]
    declared = _DECLARED_ENCODING.search(head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in {b"utf-8", b"utf8"}:
        raise NeedsFeedparser  # feedparser knows the encodings and their repairs
    if _C1_IN_UTF8.search(data) or _C1_REFERENCE.search(data):
        raise NeedsFeedparser  # feedparser turns these back into the intended characters
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError, LookupError):
        raise NeedsFeedparser from None
    if root.tag == "rss" and root.get("version") == "2.0":
        return _rss(root)
    if root.tag == f"{ATOM}feed":
        return _atom(root)
    raise NeedsFeedparser


def _text(element: ElementTree.Element | None) -> str:
    return _raw(element).strip()


def _raw(element: ElementTree.Element | None) -> str:
    """An element's text; a child element where text was expected is not plain enough."""
    if element is None:
        return ""
    if len(element):
        raise NeedsFeedparser
    return element.text or ""


def _unique(articles: list[ParsedArticle]) -> tuple[ParsedArticle, ...]:
    seen: dict[str, ParsedArticle] = {}
    for article in articles:
        seen.setdefault(article.identity, article)  # a duplicated identity: the first wins
    return tuple(seen.values())


# ---------------------------------------------------------------- RSS 2.0


def _rss(root: ElementTree.Element) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None:
        raise NeedsFeedparser
    articles = [_rss_item(item) for item in channel.iterfind("item")]
    return ParsedFeed(
        title=clean_line(_text(channel.find("title")), TITLE_LIMIT),
        site_url=clean_line(_text(channel.find("link")), 4096),
        articles=_unique(articles),
    )


def _rss_item(item: ElementTree.Element) -> ParsedArticle:
    if item.find(XHTML_BODY) is not None:
        raise NeedsFeedparser  # an inline XHTML body
    guid_element = item.find("guid")
    guid = _text(guid_element)
    link = _text(item.find("link"))
    if not link and guid and guid_element.get("isPermaLink", "true").lower() == "true":
        link = guid  # as feedparser does: a permalink guid is the link
    description = _raw(item.find("description"))
    encoded = _raw(item.find(CONTENT_ENCODED))
    if encoded.strip():
        content, summary = encoded, html_to_search_text(description)
    else:
        content, summary = description, ""
    return build_article(
        guid=guid,
        link=link,
        title=_text(item.find("title")),
        author=_rss_author(item),
        published=_rss_date(item),
        summary=summary,
        content_html=content,
    )


def _rss_author(item: ElementTree.Element) -> str:
    return author_name(_text(item.find(f"{DC}creator")) or _text(item.find("author")))


def _rss_date(item: ElementTree.Element) -> int | None:
    return _first_date(item, ("pubDate", f"{DC}date"))


def _first_date(element: ElementTree.Element, tags: tuple[str, ...]) -> int | None:
    """The date of the first of `tags` with a value. One that is no real date (month 13,
    +99:00), or in a dialect only feedparser knows, sends the document to feedparser,
    which may find another date for the entry, as the two paths must agree."""
    for tag in tags:
        value = _text(element.find(tag))
        if value:
            moment = epoch_from_date(value, other_dialects=False)
            if moment is None:
                raise NeedsFeedparser
            return moment
    return None


# ---------------------------------------------------------------- Atom 1.0


def _atom(root: ElementTree.Element) -> ParsedFeed:
    articles = [_atom_entry(entry) for entry in root.iterfind(f"{ATOM}entry")]
    return ParsedFeed(
        title=clean_line(_atom_text(root.find(f"{ATOM}title")), TITLE_LIMIT),
        site_url=clean_line(_atom_link(root) or _text(root.find(f"{ATOM}id")), 4096),
        articles=_unique(articles),
    )


def _atom_entry(entry: ElementTree.Element) -> ParsedArticle:
    content = entry.find(f"{ATOM}content")
    summary = entry.find(f"{ATOM}summary")
    body = content if content is not None else summary
    content_html = content_text = ""
    if body is not None:
        kind = body.get("type", "text")
        if kind == "html":
            content_html = _raw(body)
        elif kind == "text" and body.get("src") is None:
            content_text = _raw(body)
        else:
            raise NeedsFeedparser  # xhtml, base64, out-of-line content
    guid = _text(entry.find(f"{ATOM}id"))
    return build_article(
        guid=guid,
        link=_atom_link(entry) or guid,  # as feedparser does: an id is a permalink
        title=_atom_text(entry.find(f"{ATOM}title")),
        author=_text(entry.find(f"{ATOM}author/{ATOM}name")),
        published=_atom_date(entry),
        summary=_atom_text(summary) if content is not None else "",
        content_html=content_html,
        content_text=content_text,
    )


def _atom_text(element: ElementTree.Element | None) -> str:
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "text":
        return _raw(element)
    if kind == "html":
        return html_to_search_text(_raw(element))
    raise NeedsFeedparser


def _atom_link(element: ElementTree.Element) -> str:
    for link in element.iterfind(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return (link.get("href") or "").strip()
    return ""


def _atom_date(entry: ElementTree.Element) -> int | None:
    return _first_date(entry, (f"{ATOM}published", f"{ATOM}updated"))

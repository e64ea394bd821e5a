"""Feed documents (RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0, JSON Feed) → ParsedFeed."""

from __future__ import annotations

import dataclasses
import io
import re
import time
import urllib.parse
import warnings
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from tuinews.clean import clean_line
from tuinews.models import HTML_PAGE_NOT_A_FEED, NotAFeed, ParsedArticle, ParsedFeed
from tuinews.parse.article import (
    TITLE_LIMIT,
    author_name,
    build_article,
    html_to_search_text,
)
from tuinews.parse.dates import epoch_from_date
from tuinews.parse.doctype import without_doctype
from tuinews.parse.fastpath import NeedsFeedparser, parse_plain_feed
from tuinews.parse.jsonfeed import parse_json_feed
from tuinews.urls import is_web_url, stored_link

if TYPE_CHECKING:
    from types import ModuleType

    import feedparser

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ENCODING_DECLARATION = re.compile(rb"<\?xml[^>]*encoding", re.IGNORECASE)


def parse_document(
    data: bytes, content_type: str | None = None, document_url: str = ""
) -> ParsedFeed:
    """Parse one feed document; raise NotAFeed with a one-line reason when it is none.

    Plain, well-formed RSS 2.0 and Atom 1.0 take the fast path. feedparser gets
    the bytes as a stream, so it never opens a path or URL of its own, and runs
    without its HTML sanitizer: we never render HTML as HTML (the sanitizer is
    most of its cost), and our text conversion drops scripts. Relative links are
    resolved against `document_url` (where a web feed was fetched from), else
    against the feed's own site link (see with_absolute_links).
    """
    head = _head(data)
    if not head.strip():
        raise NotAFeed("not a feed: the document is empty")
    if head.startswith((b"{", b"[")):
        return with_absolute_links(parse_json_feed(data), document_url)
    try:
        parsed = parse_plain_feed(data)
    except NeedsFeedparser:
        parsed = parse_with_feedparser(data, content_type)
    return with_absolute_links(parsed, document_url)


def with_absolute_links(feed: ParsedFeed, document_url: str) -> ParsedFeed:
    """Links that work offline and in a browser: a relative site or article link is
    resolved against the document's URL (else the feed's absolute site link), and a
    link that is only the item's guid (feedparser takes a permalink guid for the link)
    is kept only when it is a web URL itself: "item-42" is no link."""
    base = document_url if is_web_url(document_url) else ""
    site = _absolute(feed.site_url, base)
    base = base or (site if is_web_url(site) else "")
    articles = tuple(_article_with_absolute_link(article, base) for article in feed.articles)
    if site == feed.site_url and all(a is b for a, b in zip(articles, feed.articles, strict=True)):
        return feed
    return dataclasses.replace(feed, site_url=site, articles=articles)


_ABSOLUTE_WEB = ("http://", "https://")  # most links: nothing to resolve, no parsing


def _article_with_absolute_link(article: ParsedArticle, base: str) -> ParsedArticle:
    link = article.link
    if not link or link.startswith(_ABSOLUTE_WEB):
        return article
    if article.identity == "guid:" + link:
        link = link if is_web_url(link) else ""  # "item-42", "urn:uuid:…": no link
    else:
        link = _absolute(link, base)
    return article if link == article.link else dataclasses.replace(article, link=link)


def _absolute(link: str, base: str) -> str:
    """`link` resolved against `base`; a relative link with nothing to resolve it by
    is no link (it would open nothing)."""
    if not link or urlsplit(link).scheme:
        return link
    return stored_link(urljoin(base, link)) if base else ""


def parse_with_feedparser(data: bytes, content_type: str | None = None) -> ParsedFeed:
    """Parse an XML feed document with feedparser (what the fast path steps aside for)."""
    feedparser = _feedparser()
    # feedparser warns when an old key is read; entries are read inside the same guard.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-type": _utf8_when_unsaid(data, content_type)}
            if content_type
            else None,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        feed = parsed.feed
        # CDF channels have no version: a titled, well-formed document with no items is
        # an empty feed; an HTML page or garbage has no version and does not parse.
        unversioned = not parsed.get("version") and not parsed.entries
        if unversioned and (parsed.get("bozo") or not feed.get("title")):
            raise NotAFeed(_not_a_feed_reason(_head(data), parsed))

        seen: set[str] = set()
        articles: list[ParsedArticle] = []
        for entry in parsed.entries:
            article = _article_from_entry(entry)
            if article.identity not in seen:  # a duplicated guid: the first one wins
                seen.add(article.identity)
                articles.append(article)

    return ParsedFeed(
        title=clean_line(_plain(feed.get("title", ""), feed.get("title_detail")), TITLE_LIMIT),
        site_url=stored_link(feed.get("link", "")),
        articles=tuple(articles),
        warning=_damage_note(parsed) if articles else None,
    )


def _utf8_when_unsaid(data: bytes, content_type: str) -> str:
    """The content type, with charset=utf-8 added when it is text/* with no charset and
    the document, which names no encoding of its own, is valid UTF-8.

    feedparser reads text/* with no charset as US-ASCII (RFC 3023), and then asks the
    charset detector about any document that is not ASCII: for valid UTF-8 that costs
    ~65 ms a MB and can only guess wrong. The detector is for documents that are not
    UTF-8 and say nothing (EUC-JP, windows-1255 ...); one read from a file gets the
    same treatment, since feedparser tries UTF-8 first there.
    """
    mime, _, parameters = content_type.partition(";")
    if not mime.strip().lower().startswith("text/") or "charset" in parameters.lower():
        return content_type
    if b"\x00" in data[:4] or data.startswith(_BYTE_ORDER_MARKS):
        return content_type  # UTF-16 or UTF-32: feedparser knows them by their first bytes
    if _ENCODING_DECLARATION.match(data):
        return content_type
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return content_type
    return f"{mime.strip()}; charset=utf-8"


def _head(data: bytes) -> bytes:
    head = data[:4096].lstrip()
    for mark in _BYTE_ORDER_MARKS:
        head = head.removeprefix(mark)
    return head


@cache
def _feedparser() -> ModuleType:
    """feedparser, loaded on first use (a refresh of plain feeds never loads it, nor the
    charset detector it imports), with our DOCTYPE handling in place of its own."""
    import feedparser.api
    import feedparser.datetimes
    import feedparser.mixin

    if not callable(getattr(feedparser.api, "replace_doctype", None)):
        # Never parse with a feedparser whose entity handling we could not replace.
        raise RuntimeError("this feedparser has no api.replace_doctype to replace")
    feedparser.api.replace_doctype = _replace_doctype
    # Its date handlers are lenient (month 13 is January of the next year) and one of
    # them raises on "2006/13/15", failing the whole document: ours is the only one.
    handlers = getattr(feedparser.datetimes, "_date_handlers", None)
    if isinstance(handlers, list):
        handlers[:] = [_strict_date]
    # It "fixes" the slashes after scheme:// of every link and id: file:///etc/hosts
    # became file://etc/hosts, a file on another host.
    mixin = getattr(feedparser.mixin, "_FeedParserMixin", None)
    if mixin is not None and callable(getattr(mixin, "resolve_uri", None)):
        mixin.resolve_uri = _resolve_uri
    return feedparser


def _resolve_uri(self: object, uri: str) -> str:
    """feedparser's resolve_uri (a link against the document's xml:base) as it would be
    without its slash fixer."""
    try:
        return urllib.parse.urljoin(getattr(self, "baseuri", "") or "", uri)
    except ValueError:
        return ""


def _strict_date(value: str) -> time.struct_time | None:
    """A feedparser date handler: UTC time for a real date, None for any other string."""
    moment = epoch_from_date(value)
    return None if moment is None else time.gmtime(moment)


def _replace_doctype(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """feedparser's replace_doctype, but every entity stays unexpanded (see doctype.py):
    (the RSS 0.91 dialect a DOCTYPE names, the document without it, no entities)."""
    data, declaration = without_doctype(data)
    return ("rss091n" if b"netscape" in declaration.lower() else None), data, {}


def _not_a_feed_reason(head: bytes, parsed: feedparser.FeedParserDict) -> str:
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return HTML_PAGE_NOT_A_FEED
    problem = parsed.get("bozo_exception")
    detail = f" ({clean_line(str(problem), 120)})" if problem else ""
    return f"not a feed: no RSS, Atom or JSON Feed found{detail}"


def _damage_note(parsed: feedparser.FeedParserDict) -> str | None:
    """A one-line note when feedparser had to recover from broken XML.

    Encoding overrides are not damage worth reporting: the text came through.
    """
    feedparser = _feedparser()
    problem = parsed.get("bozo_exception")
    if not parsed.get("bozo") or problem is None:
        return None
    if isinstance(problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        return None
    return f"damaged XML, kept what could be read ({clean_line(str(problem), 120)})"


def _article_from_entry(entry: feedparser.FeedParserDict) -> ParsedArticle:
    """The body is the fullest non-empty content, else the summary; then the summary,
    if it was not used as the body, is the standfirst."""
    contents = [c for c in entry.get("content") or () if isinstance(c.get("value"), str)]
    contents = [c for c in contents if c["value"].strip()]
    summary_detail = entry.get("summary_detail") or {}
    summary = ""
    if contents:
        body = max(contents, key=lambda c: (c.get("type") in _HTML_TYPES, len(c["value"])))
        summary = _plain(summary_detail.get("value", ""), summary_detail)
    else:
        body = summary_detail if isinstance(summary_detail.get("value"), str) else {}
    value = body.get("value", "")
    is_text = body.get("type") == "text/plain"
    return build_article(
        guid=entry.get("id"),
        link=entry.get("link"),
        title=_plain(entry.get("title", ""), entry.get("title_detail")),
        author=author_name(entry.get("author") or ""),
        published=_entry_date(entry),
        summary=summary,
        content_html="" if is_text else value,
        content_text=value if is_text else "",
    )


def _entry_date(entry: feedparser.FeedParserDict) -> int | None:
    """The first of the entry's published, updated and created dates that names a real
    moment. Read from the strings the feed wrote: feedparser's `*_parsed` values come
    from lenient handlers that turn month 13 into January of the next year."""
    for key in ("published", "updated", "created"):
        moment = epoch_from_date(entry.get(key))
        if moment is not None:
            return moment
    return None


def _plain(value: object, detail: dict | None) -> str:
    """A title-like field as plain text (HTML titles lose their tags); cleaned later."""
    if not isinstance(value, str):
        return ""
    if detail and detail.get("type") in _HTML_TYPES:
        return html_to_search_text(value)
    return value

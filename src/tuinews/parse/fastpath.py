"""A fast reader for the common case: well-formed RSS 2.0 and Atom 1.0 with no DOCTYPE.

feedparser handles every dialect and every kind of breakage, at ~0.4 ms an
item; this reads the plain, well-formed documents that most feeds are with
expat through ElementTree, several times faster. Anything unusual (a DOCTYPE,
a parse error, an unknown root, xml:base, base64 or XHTML content, a date it
cannot read as real) raises NeedsFeedparser and the document goes to feedparser.

Both paths must give the same ParsedFeed for the same document, since a feed
read here today may go through feedparser tomorrow (tests/test_parse_paths_agree.py
compares them on every corpus): a different identity would duplicate articles.
So each item and entry is read in one pass over its children, and any element
feedparser would read into a field we keep, other than the ones read here the
way feedparser reads them, sends the document to feedparser: <fullitem>, a
<summary> or <itunes:summary> beside the description, <media:title>, a
capitalised <Title>, a second <pubDate>, a typed RSS <title>, and so on.
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
from tuinews.urls import stored_link

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"

_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")
# C1 controls in UTF-8 (U+0080-U+009F) and character references to them: text
# that was Windows-1252 or double-encoded UTF-8 before it reached the feed.
# Two patterns, not one alternation: each starts with a literal, which the
# regex engine skips ahead to instead of trying the pattern at every byte.
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:0*1[2-5][0-9]|x0*[89][0-9a-fA-F]);")


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


# ---------------------------------------------------------------- what feedparser would read

# Lower-case local names that feedparser reads, under some prefix or none, into a field
# we keep (title, link, id, author, dates, body, summary) or that move where it stores
# the next ones (item, image, source...). feedparser lower-cases element names and, for
# a namespace it does not know, goes by the prefix the document wrote, which
# ElementTree does not keep: so the local name alone decides, whatever the namespace.
_ENTRY_FIELDS = frozenset(
    {
        "abstract", "author", "body", "content", "created", "creator", "date",
        "description", "email", "encoded", "fullitem", "guid", "id", "issued",
        "lastbuilddate", "link", "managingeditor", "modified", "name", "pubdate",
        "published", "summary", "title", "updated", "webmaster",
    }
)  # fmt: skip
_CONTEXTS = frozenset(
    {"channel", "entry", "feed", "group", "image", "item", "items", "rdf", "rss", "source",
     "textinput"}
)  # fmt: skip
_ENTRY_DANGER = _ENTRY_FIELDS | _CONTEXTS
_FEED_DANGER = frozenset({"guid", "id", "link", "title"}) | _CONTEXTS
# Elements with a dangerous name that feedparser reads into fields we do not keep (an
# RSS <source> names the feed an item came from: with no child, feedparser keeps it apart).
_MEDIA_URIS = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_KNOWN_HARMLESS = frozenset(
    {*(f"{{{uri}}}content" for uri in _MEDIA_URIS), f"{{{_ITUNES}}}image", "source"}
)
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NO_ATTRIBUTES: frozenset[str] = frozenset({_LANG})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})

# What feedparser does to values that we must not do differently: it rewrites "&name;"
# in link text, and turns text that reads as double-encoded UTF-8, or as HTML in a plain
# RSS title, into something else. The fast path leaves such values to it.
_ENTITY_TEXT = re.compile(r"&[A-Za-z0-9_]+;")
_HTML_LOOKS = re.compile(r"</\w+>|&#?\w+;")


def _danger(tag: str, names: frozenset[str]) -> bool:
    return tag not in _KNOWN_HARMLESS and tag.rpartition("}")[2].lower() in names


def _leaf(element: ElementTree.Element, allowed: frozenset[str] = _NO_ATTRIBUTES) -> None:
    """A field element: text only, and no attribute that changes how feedparser reads it."""
    if len(element) or (element.attrib and not allowed.issuperset(element.attrib)):
        raise NeedsFeedparser


def _value(element: ElementTree.Element | None) -> str:
    """An element's text as feedparser gives it (stripped), or NeedsFeedparser when
    feedparser would repair it as double-encoded UTF-8."""
    if element is None:
        return ""
    text = (element.text or "").strip()
    if not text.isascii():
        try:
            repaired = text.encode("iso-8859-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        else:
            if repaired != text:
                raise NeedsFeedparser
    return text


def _link_value(text: str) -> str:
    """The text of an RSS <link>, which feedparser rewrites when it holds "&name;"."""
    if _ENTITY_TEXT.search(text):
        raise NeedsFeedparser
    return text


def _check_descendants(element: ElementTree.Element, names: frozenset[str]) -> None:
    for descendant in element.iter():
        if descendant is not element and _danger(descendant.tag, names):
            raise NeedsFeedparser


def _unique(articles: list[ParsedArticle]) -> tuple[ParsedArticle, ...]:
    seen: dict[str, ParsedArticle] = {}
    for article in articles:
        seen.setdefault(article.identity, article)  # a duplicated identity: the first wins
    return tuple(seen.values())


def _first_date(fields: dict[str, ElementTree.Element], tags: tuple[str, str]) -> int | None:
    """The date of the first of `tags` with a value. One that is no real date (month 13,
    +99:00), or in a dialect only feedparser knows, sends the document to feedparser,
    which may find another date for the entry, as the two paths must agree."""
    for tag in tags:
        value = _value(fields.get(tag))
        if value:
            moment = epoch_from_date(value, other_dialects=False)
            if moment is None:
                raise NeedsFeedparser
            return moment
    return None


# ---------------------------------------------------------------- RSS 2.0

_RSS_FIELDS = frozenset(
    {"title", "link", "guid", "description", "pubDate", "author", CONTENT_ENCODED,
     f"{DC}creator", f"{DC}date"}
)  # fmt: skip
_GUID_ATTRIBUTES = frozenset({"isPermaLink", _LANG})
_ATOM_LINK = f"{ATOM}link"
# Inside <image> and <textInput> feedparser keeps a title and a link apart from the feed's.
_RSS_BOXES = frozenset({"image", "textInput"})
_RSS_BOX_FIELDS = frozenset({"title", "link", "url", "description", "name", "width", "height"})
_ITUNES_OWNER = f"{{{_ITUNES}}}owner"  # its name and email are the publisher's
_ITUNES_OWNER_FIELDS = frozenset({f"{{{_ITUNES}}}name", f"{{{_ITUNES}}}email"})


def _rss(root: ElementTree.Element) -> ParsedFeed:
    if not _NO_ATTRIBUTES.issuperset(set(root.attrib) - {"version"}) or len(root) != 1:
        raise NeedsFeedparser  # items outside the channel, two channels
    (channel,) = root
    if channel.tag != "channel" or not _NO_ATTRIBUTES.issuperset(channel.attrib):
        raise NeedsFeedparser  # <channel href="..."> is the feed's link to feedparser
    fields: dict[str, ElementTree.Element] = {}
    articles = []
    for child in channel:
        tag = child.tag
        if tag == "item":
            articles.append(_rss_item(child))
        elif tag in ("title", "link"):
            if tag in fields:
                raise NeedsFeedparser
            _leaf(child)
            fields[tag] = child
        else:
            _rss_channel_extra(child)
    title = _value(fields.get("title"))
    if _HTML_LOOKS.search(title):
        raise NeedsFeedparser  # feedparser may read a plain RSS title as HTML
    return ParsedFeed(
        title=clean_line(title, TITLE_LIMIT),
        site_url=stored_link(_link_value(_value(fields.get("link")))),
        articles=_unique(articles),
    )


def _rss_channel_extra(child: ElementTree.Element) -> None:
    """An element of the channel other than its title, link and items: nothing in it
    may give the feed a title, a link or an item."""
    tag = child.tag
    if tag in _RSS_BOXES:
        for field in child:
            if field.tag not in _RSS_BOX_FIELDS or len(field):
                raise NeedsFeedparser
    elif tag == _ATOM_LINK:
        if child.get("rel", "alternate") == "alternate" or len(child):
            raise NeedsFeedparser  # an alternate link is the feed's link to feedparser
    elif tag == _ITUNES_OWNER:
        if any(len(field) or field.tag not in _ITUNES_OWNER_FIELDS for field in child):
            raise NeedsFeedparser
    elif _danger(tag, _FEED_DANGER):
        raise NeedsFeedparser
    elif len(child):
        _check_descendants(child, _FEED_DANGER)


def _rss_item(item: ElementTree.Element) -> ParsedArticle:
    if not _NO_ATTRIBUTES.issuperset(item.attrib):
        raise NeedsFeedparser  # rdf:about is an id, href a link
    fields: dict[str, ElementTree.Element] = {}
    for child in item:
        tag = child.tag
        if tag in _RSS_FIELDS:
            if tag in fields:
                raise NeedsFeedparser  # feedparser keeps another one of two
            _leaf(child, _GUID_ATTRIBUTES if tag == "guid" else _NO_ATTRIBUTES)
            fields[tag] = child
        elif len(child) or _danger(tag, _ENTRY_DANGER):
            raise NeedsFeedparser
    title = _value(fields.get("title"))
    if _HTML_LOOKS.search(title):
        raise NeedsFeedparser  # feedparser may read a plain RSS title as HTML
    guid_element = fields.get("guid")
    guid = _value(guid_element)
    permalink = guid_element is not None and guid_element.get("isPermaLink", "true") == "true"
    # A <link>, even empty, wins over the guid; else, as feedparser does, a permalink is.
    link = _link_value(_value(fields["link"])) if "link" in fields else (guid if permalink else "")
    description = _value(fields.get("description"))
    encoded = _value(fields.get(CONTENT_ENCODED))
    if encoded:
        content, summary = encoded, html_to_search_text(description)
    else:
        content, summary = description, ""
    creator, author = fields.get(f"{DC}creator"), fields.get("author")
    if creator is not None and author is not None:
        raise NeedsFeedparser  # feedparser keeps the later one
    return build_article(
        guid=guid,
        link=link,
        title=title,
        author=author_name(_value(author if creator is None else creator)),
        published=_first_date(fields, ("pubDate", f"{DC}date")),
        summary=summary,
        content_html=content,
    )


# ---------------------------------------------------------------- Atom 1.0

_ENTRY = f"{ATOM}entry"
_ID, _TITLE, _LINK, _AUTHOR = f"{ATOM}id", f"{ATOM}title", f"{ATOM}link", f"{ATOM}author"
_CONTENT, _SUMMARY = f"{ATOM}content", f"{ATOM}summary"
_PUBLISHED, _UPDATED = f"{ATOM}published", f"{ATOM}updated"
_PERSON_FIELDS = frozenset({f"{ATOM}name", f"{ATOM}email", f"{ATOM}uri"})
_CONTRIBUTOR = f"{ATOM}contributor"
_ATOM_FIELDS = frozenset({_ID, _TITLE, _CONTENT, _SUMMARY, _PUBLISHED, _UPDATED})
_TEXT_ATTRIBUTES = frozenset({"type", _LANG})
_LINK_ATTRIBUTES = frozenset({"href", "rel", "type", "title", "hreflang", "length", _LANG})


def _atom(root: ElementTree.Element) -> ParsedFeed:
    if not _NO_ATTRIBUTES.issuperset(root.attrib):
        raise NeedsFeedparser
    fields: dict[str, ElementTree.Element] = {}
    links = []
    articles = []
    for child in root:
        tag = child.tag
        if tag == _ENTRY:
            articles.append(_atom_entry(child))
        elif tag == _LINK:
            links.append(_atom_link_element(child))
        elif tag in (_TITLE, _ID):
            if tag in fields:
                raise NeedsFeedparser
            _leaf(child, _TEXT_ATTRIBUTES if tag == _TITLE else _NO_ATTRIBUTES)
            fields[tag] = child
        elif _danger(tag, _FEED_DANGER):
            raise NeedsFeedparser
        elif len(child):
            _check_descendants(child, _FEED_DANGER)
    feed_id = _value(fields.get(_ID))
    return ParsedFeed(
        title=clean_line(_atom_text(fields.get(_TITLE)), TITLE_LIMIT),
        site_url=stored_link(_atom_alternate(links, feed_id)),
        articles=_unique(articles),
    )


def _atom_entry(entry: ElementTree.Element) -> ParsedArticle:
    if not _NO_ATTRIBUTES.issuperset(entry.attrib):
        raise NeedsFeedparser
    fields: dict[str, ElementTree.Element] = {}
    links = []
    for child in entry:
        tag = child.tag
        if tag == _LINK:
            links.append(_atom_link_element(child))
        elif tag in _ATOM_FIELDS:
            if tag in fields:
                raise NeedsFeedparser
            _leaf(child, _NO_ATTRIBUTES if tag in (_ID, _PUBLISHED, _UPDATED) else _TEXT_ATTRIBUTES)
            fields[tag] = child
        elif tag in (_AUTHOR, _CONTRIBUTOR):
            if tag in fields:
                raise NeedsFeedparser  # feedparser keeps the last author
            _person(child)
            fields[tag] = child
        elif len(child) or _danger(tag, _ENTRY_DANGER):
            raise NeedsFeedparser
    content, summary = fields.get(_CONTENT), fields.get(_SUMMARY)
    if content is not None and not _value(content):
        content = None  # feedparser skips an empty content and takes the summary
    body = content if content is not None else summary
    content_html = content_text = ""
    if body is not None:
        kind = body.get("type", "text")
        if kind == "html":
            content_html = _value(body)
        elif kind == "text":
            content_text = _value(body)
        else:
            raise NeedsFeedparser  # xhtml, base64, a MIME type
    guid = _value(fields.get(_ID))
    return build_article(
        guid=guid,
        link=_atom_alternate(links, guid),
        title=_atom_text(fields.get(_TITLE)),
        author=_atom_author(fields.get(_AUTHOR)),
        published=_first_date(fields, (_PUBLISHED, _UPDATED)),
        summary=_atom_text(summary) if content is not None else "",
        content_html=content_html,
        content_text=content_text,
    )


def _person(element: ElementTree.Element) -> None:
    names = set()
    for field in element:
        if field.tag not in _PERSON_FIELDS or field.tag in names:
            raise NeedsFeedparser
        _leaf(field)
        names.add(field.tag)


def _atom_author(element: ElementTree.Element | None) -> str:
    """As feedparser writes an author: "name (email)", or whichever of the two there is."""
    if element is None:
        return ""
    name = _value(element.find(f"{ATOM}name"))
    email = _value(element.find(f"{ATOM}email"))
    return author_name(f"{name} ({email})" if name and email else name or email)


def _atom_text(element: ElementTree.Element | None) -> str:
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "text":
        return _value(element)
    if kind == "html":
        return html_to_search_text(_value(element))
    raise NeedsFeedparser


def _atom_link_element(link: ElementTree.Element) -> ElementTree.Element:
    if "href" not in link.attrib:
        raise NeedsFeedparser  # feedparser reads the link's text instead
    _leaf(link, _LINK_ATTRIBUTES)
    return link


def _atom_alternate(links: list[ElementTree.Element], fallback: str) -> str:
    """The last alternate HTML link, as feedparser picks it (even an empty one); else the
    id, which feedparser takes as a permalink."""
    chosen = None
    for link in links:
        rel = link.get("rel", "alternate")
        kind = link.get("type", "application/atom+xml" if rel == "self" else "text/html")
        if rel == "alternate" and kind.lower() in _HTML_TYPES:
            chosen = link.get("href", "")
    return fallback if chosen is None else chosen

"""Build a ParsedArticle from whatever a parser found, the same way for every format.

Cleaning, identity and change-detection live here once, so that feeds, JSON
Feeds and article files all store text the same way.
"""

from __future__ import annotations

import hashlib
import html
import re

from tuinews.clean import clean_identifier, clean_line, clean_text
from tuinews.models import ParsedArticle
from tuinews.urls import stored_link

TITLE_LIMIT = 1_000
AUTHOR_LIMIT = 300
LINK_LIMIT = 4_096  # guids, and the link as identities have always spelled it
SUMMARY_LIMIT = 2_000

# Every pattern here is linear on hostile input: no lazy scan to a closing tag
# from each opening one (<script>×40,000 took 42 s that way), no backtracking.
_RAW_TEXT_OPEN = re.compile(r"<(script|style|template|noscript)\b", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_BLOCK_TAGS = (
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|pre|tr|td|th|table|caption|"
    r"section|article|header|footer|aside|main|nav|figure|figcaption|hr)\b[^<>]*>"
)
# Case-sensitive matching is twice as fast; upper-case tags are rare enough to
# pay for the second pattern only when they are there.
_BLOCK_TAG = re.compile(_BLOCK_TAGS)
_BLOCK_TAG_ANY_CASE = re.compile(_BLOCK_TAGS, re.IGNORECASE)
_UPPER_CASE_TAG = re.compile(r"</?[A-Z]")
_ANY_TAG = re.compile(r"<[^<>]*>")


def _without_raw_text(markup: str) -> str:
    """Drop script/style/template/noscript elements; an unclosed one takes the rest."""
    match = _RAW_TEXT_OPEN.search(markup)
    if match is None:
        return markup
    lowered = markup.lower()
    kept, position = [], 0
    while match:
        kept.append(markup[position : match.start()])
        closing = lowered.find("</" + match.group(1).lower(), match.end())
        if closing < 0:
            return " ".join(kept)
        end = lowered.find(">", closing)
        position = len(markup) if end < 0 else end + 1
        match = _RAW_TEXT_OPEN.search(markup, position)
    kept.append(markup[position:])
    return " ".join(kept)


def html_to_search_text(markup: str) -> str:
    """Cheap HTML → text for the search index and list snippets.

    Runs on every imported article, so it is regex-only; the reader's layout
    renderer (tuinews.render) is the careful one, run once per opened article.
    """
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    text = _without_raw_text(_COMMENT.sub(" ", markup))
    blocks = _BLOCK_TAG_ANY_CASE if _UPPER_CASE_TAG.search(text) else _BLOCK_TAG
    text = html.unescape(_ANY_TAG.sub("", blocks.sub("\n", text)))
    return "\n".join(filter(None, map(str.strip, text.split("\n"))))


_EMAIL_AND_NAME = re.compile(
    r"^\s*(?:\S+@\S+\s*\((?P<a>[^()]+)\)|(?P<b>[^()]+?)\s*\(\S+@\S+\))\s*$"
)


def author_name(raw: str) -> str:
    """ "ann@x.example (Ann Lee)" and "Ann Lee (ann@x.example)" are both Ann Lee."""
    named = _EMAIL_AND_NAME.match(raw)
    return (named.group("a") or named.group("b")) if named else raw


def build_article(
    *,
    guid: object,
    link: object,
    title: object,
    author: object,
    published: int | None,
    summary: str = "",
    content_html: str = "",
    content_text: str = "",
) -> ParsedArticle:
    """Clean every field and give the article its identity and change hash.

    Identity: the guid; else the link; else a hash of title and content.
    Whitespace-only guids count as missing; guids are otherwise kept exactly
    (case and inner characters matter), minus control characters.

    The link is kept whole, or not at all (urls.checked_link: too long, or hiding
    characters). An identity made from the link spells it as identities always
    have (cleaned, cut at LINK_LIMIT), so that a library's articles keep theirs.
    """
    title = clean_line(_as_str(title), TITLE_LIMIT)
    raw_link = _as_str(link)
    link = stored_link(raw_link)
    author = clean_line(_as_str(author), AUTHOR_LIMIT)
    content_html = clean_text(content_html)
    content_text = clean_text(content_text or html_to_search_text(content_html))
    summary = clean_line(summary, SUMMARY_LIMIT)  # a standfirst: one paragraph
    if summary and _repeats_body(summary, content_text):
        summary = ""  # a feed's excerpt of the body says nothing new, to read or to index

    guid_text = clean_identifier(_as_str(guid), LINK_LIMIT)
    if guid_text:
        identity = "guid:" + guid_text
    elif link_key := clean_line(raw_link, LINK_LIMIT):
        identity = "link:" + link_key
    else:
        identity = "hash:" + _digest(title, content_html or content_text, summary)

    # content_text is derived from content_html when there is HTML: hashing one is enough.
    body = content_html or content_text
    content_hash = _digest(title, link, author, str(published), summary, body)
    return ParsedArticle(
        identity=identity,
        title=title,
        link=link,
        author=author,
        published=published,
        summary=summary,
        content_html=content_html,
        content_text=content_text,
        content_hash=content_hash,
    )


def _repeats_body(summary: str, body: str) -> bool:
    """The summary is the body's beginning (maybe cut short with "…")."""
    excerpt = summary.removesuffix("…").removesuffix("...").rstrip()
    opening = clean_line(body[: len(summary) * 2 + 64], SUMMARY_LIMIT * 2)
    return bool(excerpt) and opening.startswith(excerpt)


def _as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _digest(*parts: str) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()

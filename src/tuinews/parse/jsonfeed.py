"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

Every value is checked for its type before use: a JSON error response with an
`items` string or a `title` list is "not a feed", never a type-confusion crash.
"""

from __future__ import annotations

import json

from tuinews.clean import clean_line
from tuinews.models import NotAFeed, ParsedArticle, ParsedFeed
from tuinews.parse.article import TITLE_LIMIT, build_article
from tuinews.parse.dates import epoch_from_iso
from tuinews.urls import stored_link

_VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse_json_feed(data: bytes) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as error:
        raise NotAFeed(f"not a feed: invalid JSON ({str(error)[:80]})") from None
    if not isinstance(document, dict):
        raise NotAFeed("not a feed: JSON without a JSON Feed object")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(_VERSION_PREFIX):
        raise NotAFeed("not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise NotAFeed("not a feed: JSON Feed without an items list")

    seen: set[str] = set()
    articles: list[ParsedArticle] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        article = _article_from_item(item, _author(document))
        if article.identity not in seen:
            seen.add(article.identity)
            articles.append(article)
    return ParsedFeed(
        title=clean_line(_text(document.get("title")), TITLE_LIMIT),
        site_url=stored_link(_text(document.get("home_page_url"))),
        articles=tuple(articles),
    )


def _article_from_item(item: dict, feed_author: str) -> ParsedArticle:
    content_html = _text(item.get("content_html"))
    return build_article(
        guid=_text(item.get("id")) or (str(item["id"]) if _is_number(item.get("id")) else ""),
        link=_text(item.get("url")) or _text(item.get("external_url")),
        title=_text(item.get("title")),
        author=_author(item) or feed_author,
        published=epoch_from_iso(item.get("date_published"))
        or epoch_from_iso(item.get("date_modified")),
        summary=_text(item.get("summary")),
        content_html=content_html,
        content_text="" if content_html else _text(item.get("content_text")),
    )


def _author(holder: dict) -> str:
    """JSON Feed 1.1 `authors[]`, or 1.0's single `author`."""
    authors = holder.get("authors")
    candidates = authors if isinstance(authors, list) else [holder.get("author")]
    names = [_text(a.get("name")) for a in candidates if isinstance(a, dict)]
    return ", ".join(name for name in names if name)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

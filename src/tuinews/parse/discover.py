"""Feed autodiscovery: the feeds a web page points to with <link rel="alternate">."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from tuinews.urls import is_web_url

_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)
_LINK = re.compile(r"<link\b[^<>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
MAX_CANDIDATES = 10


def discover_feeds(page: bytes, page_url: str) -> list[str]:
    """Feed URLs announced by an HTML page, in page order, http(s) only, no repeats."""
    text = page[:2_000_000].decode("utf-8", errors="replace")
    found: list[str] = []
    for tag in _LINK.finditer(text):
        attributes = {  # the value is whichever quoting style matched
            match.group(1).lower(): html.unescape(
                next(g for g in match.groups()[1:] if g is not None)
            )
            for match in _ATTRIBUTE.finditer(tag.group(0))
        }
        rel = attributes.get("rel", "").lower().split()
        kind = attributes.get("type", "").lower().split(";")[0].strip()
        href = attributes.get("href", "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            url = urljoin(page_url, href)
            if is_web_url(url) and url not in found:
                found.append(url)
    return found[:MAX_CANDIDATES]

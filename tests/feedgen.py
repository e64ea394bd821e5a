"""Small RSS documents written by tests, so each test states the feed it needs."""

from __future__ import annotations

from email.utils import formatdate
from xml.sax.saxutils import escape


def rss(items: list[dict], title: str = "Test Feed") -> bytes:
    """An RSS 2.0 document; each item dict may give guid, title, link, body, date (epoch)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://test.example/</link>",
    ]
    for item in items:
        parts.append("<item>")
        if "guid" in item:
            parts.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if "title" in item:
            parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if "body" in item:
            parts.append(f"<description>{escape(item['body'])}</description>")
        if "date" in item:
            parts.append(f"<pubDate>{formatdate(item['date'], usegmt=True)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def numbered_items(
    count: int, *, prefix: str = "Story", start: int = 0, body: str = ""
) -> list[dict]:
    """`count` distinct items with guids, dates one hour apart (newest last)."""
    return [
        {
            "guid": f"item-{n}",
            "title": f"{prefix} {n}",
            "link": f"https://test.example/{n}",
            "body": body or f"<p>Body of {prefix.lower()} {n}.</p>",
            "date": 1_700_000_000 + 3600 * n,
        }
        for n in range(start, start + count)
    ]

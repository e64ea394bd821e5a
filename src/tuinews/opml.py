"""OPML 2.0 subscription lists: folders become tags on import and folders again on export.

OPML files travel between programs and people, so they are read like any
stranger's XML: no DOCTYPE (hence no entities to expand), a size cap, and
every outline checked by `classify_source` before anything is added.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from tuinews.clean import clean_line
from tuinews.models import Feed, SourceKind

MAX_OPML_BYTES = 10 * 1024 * 1024


class BadOpml(ValueError):
    """The file is not usable OPML; the message is one line."""


@dataclass(frozen=True, slots=True)
class OpmlEntry:
    source: str
    title: str
    tags: tuple[str, ...]


def read_opml(data: bytes) -> list[OpmlEntry]:
    if len(data) > MAX_OPML_BYTES:
        raise BadOpml(f"OPML file larger than {MAX_OPML_BYTES // (1024 * 1024)} MB")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise BadOpml("OPML with a DOCTYPE or entity declarations is refused")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise BadOpml(f"not valid OPML: {error}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise BadOpml("not OPML: no <opml><body>")
    return list(_entries(body, ()))


def _entries(parent: ElementTree.Element, folders: tuple[str, ...]) -> Iterator[OpmlEntry]:
    for outline in parent.findall("outline"):
        name = clean_line(outline.get("title") or outline.get("text") or "", 200)
        source = (outline.get("xmlUrl") or "").strip()
        if source:
            categories = (outline.get("category") or "").replace("/", ",").split(",")
            tags = folders + tuple(tag for c in categories if (tag := clean_line(c, 100)))
            yield OpmlEntry(source, name, tuple(dict.fromkeys(tags)))
        else:
            yield from _entries(outline, folders + ((name,) if name else ()))


def write_opml(feeds: Sequence[Feed], now: float) -> str:
    """Feeds under a folder per first tag; every tag also listed in `category`."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "tuinews subscriptions"
    ElementTree.SubElement(head, "dateCreated").text = formatdate(now, usegmt=True)
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            first = feed.tags[0]
            if first not in folders:
                folders[first] = ElementTree.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        attributes = {"type": "rss", "text": feed.title, "title": feed.title}
        is_web = feed.kind is SourceKind.URL
        attributes["xmlUrl"] = feed.source if is_web else Path(feed.source).as_uri()
        if feed.site_url:
            attributes["htmlUrl"] = feed.site_url
        if feed.tags:
            attributes["category"] = ",".join(feed.tags)
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )

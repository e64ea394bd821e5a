"""One article file (.txt, .md, .html) → one ParsedArticle.

Plain text: line 1 headline, line 2 standfirst, then paragraphs.
Markdown: the first `#` heading is the title, an all-italic first paragraph the
standfirst; the rest becomes HTML through markdown-it (raw HTML disabled).
HTML: a saved web page's main text, title, author and date come from the same
extraction as fetched pages (extract.py); `p.standfirst` (else the meta
description) is the standfirst.
A file that is not text (a picture named .txt) or holds nothing is no article.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from tuinews.models import NotAnArticle, ParsedArticle

if TYPE_CHECKING:
    from lxml import html as lxml_html
from tuinews.parse.article import build_article

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
_ITALIC_PARAGRAPH = re.compile(r"^\s*([*_])(?!\1)(.+?)\1\s*$", re.DOTALL)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def parse_article_file(relative_name: str, data: bytes, modified: int) -> ParsedArticle:
    """`relative_name` (the path inside its folder) is the article's identity.

    Raises NotAnArticle for a file that is not text or is empty.
    """
    text = _decode(data)
    if text is None:
        raise NotAnArticle("not text")
    if not text.strip():
        raise NotAnArticle("empty")
    suffix = PurePath(relative_name).suffix.lower()
    if suffix in {".md", ".markdown"}:
        fields = _markdown_fields(text)
    elif suffix in {".html", ".htm"}:
        fields = _html_fields(text)
    else:
        fields = _plain_fields(text)
    fields.setdefault("title", PurePath(relative_name).stem.replace("_", " "))
    published = fields.pop("published", None) or modified
    return build_article(guid="file:" + relative_name, link="", published=published, **fields)


def _decode(data: bytes) -> str | None:
    """The text as editors save it, or None for a binary file (a picture named .txt).

    UTF-16 when it starts with its byte-order mark (Notepad's "Unicode"); else UTF-8;
    else Windows-1252, as older editors wrote, which leaves five byte values undefined
    that text never holds and binary data nearly always does. A NUL is never text.
    """
    if data.startswith(_UTF16_BOMS):
        encodings = ("utf-16",)
    elif b"\x00" in data:
        return None
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def _plain_fields(text: str) -> dict:
    """Line 1 is the title. Line 2 is the standfirst only when a blank line follows
    it; in text with one paragraph per line it is the story's first paragraph (or
    whatever the page put there, an appeal say), not a lead to show apart."""
    lines = text.replace("\r\n", "\n").split("\n")
    fields: dict = {"author": ""}
    if lines and lines[0].strip():
        fields["title"] = lines[0]
    has_standfirst = len(lines) == 2 or (len(lines) > 2 and not lines[2].strip())
    body_start = 2 if has_standfirst else 1
    fields["summary"] = lines[1].strip() if has_standfirst else ""
    fields["content_text"] = "\n".join(lines[body_start:]).strip()
    return fields


def _markdown_fields(text: str) -> dict:
    fields: dict = {"author": "", "summary": ""}
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    heading = re.match(r"#\s+(.+?)\s*#*\s*(?:\n|$)", paragraphs[0]) if paragraphs else None
    if heading:
        fields["title"] = heading.group(1)
        rest = paragraphs[0][heading.end() :].strip()
        paragraphs = ([rest] if rest else []) + paragraphs[1:]
    if paragraphs and (italic := _ITALIC_PARAGRAPH.match(paragraphs[0])):
        fields["summary"] = italic.group(2)
        paragraphs = paragraphs[1:]
    fields["content_html"] = _MARKDOWN.render("\n\n".join(paragraphs))
    return fields


def _html_fields(text: str) -> dict:
    """A saved web page: its main text by the same extraction as fetched pages, so its
    navigation, cookie banner, "Most read" box and footer go (`<main>`/`<article>`
    wins); the standfirst is a `p.standfirst` (or `.dek`, `.lede`), else the meta
    description. A page where extraction finds no main text (a short note) is kept
    whole rather than dropped."""
    from lxml import html as lxml_html

    from tuinews.extract import extract_page

    document = lxml_html.document_fromstring(text)
    fields: dict = {"author": "", "summary": _standfirst(document)}
    try:
        page = extract_page(text, "")
    except NotAnArticle:
        body = document.find("body")
        fields["content_html"] = lxml_html.tostring(
            body if body is not None else document, encoding="unicode"
        )
        if title := document.findtext(".//title"):
            fields["title"] = title
        return fields
    if page.title:
        fields["title"] = page.title
    fields["author"] = _byline(document) or page.author
    fields["content_html"] = page.html
    if page.published is not None:
        fields["published"] = page.published
    return fields


def _byline(document: lxml_html.HtmlElement) -> str:
    """A `p.byline` as written ("By Ann Lee · 8 March"): the extractor title-cases names."""
    for element in document.iter("p"):
        if "byline" in (element.get("class") or "").split():
            name = element.text_content().split("·")[0].strip()
            return name[3:].strip() if name.lower().startswith("by ") else name
    return ""


def _standfirst(document: lxml_html.HtmlElement) -> str:
    for element in document.iter("p"):
        if {"standfirst", "dek", "lede"} & set((element.get("class") or "").split()):
            return element.text_content()
    for meta in document.iter("meta"):
        if (meta.get("name") or "").lower() == "description":
            return meta.get("content") or ""
    return ""

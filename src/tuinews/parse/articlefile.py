"""One article file (.txt, .md, .html) → one ParsedArticle.

Plain text: line 1 headline, line 2 standfirst, then paragraphs.
Markdown: the first `#` heading is the title, an all-italic first paragraph the
standfirst; the rest becomes HTML through markdown-it (raw HTML disabled).
HTML: `<h1>` (else `<title>`) is the title, `p.standfirst` (else the meta
description) the standfirst, `<time datetime>` the date, `p.byline` the author.
A file that is not text (a picture named .txt) or holds nothing is no article.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

from markdown_it import MarkdownIt

from tuinews.models import NotAnArticle, ParsedArticle
from tuinews.parse.article import build_article, html_to_search_text
from tuinews.parse.dates import epoch_from_iso

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


def _first(pattern: str, text: str) -> re.Match | None:
    return re.search(pattern, text, re.IGNORECASE | re.DOTALL)


def _html_fields(text: str) -> dict:
    fields: dict = {"author": "", "summary": ""}
    body_match = _first(r"<body\b[^>]*>(.*?)(?:</body\s*>|$)", text)
    body = body_match.group(1) if body_match else text

    if heading := _first(r"<h1\b[^>]*>(.*?)</h1\s*>", body):
        fields["title"] = html_to_search_text(heading.group(1))
        body = body.replace(heading.group(0), "", 1)
    elif title := _first(r"<title\b[^>]*>(.*?)</title\s*>", text):
        fields["title"] = html_to_search_text(title.group(1))

    standfirst = _first(
        r"<p\b[^>]*class=\"[^\"]*\b(?:standfirst|dek|lede)\b[^>]*>(.*?)</p\s*>", body
    )
    if standfirst:
        fields["summary"] = html_to_search_text(standfirst.group(1))
        body = body.replace(standfirst.group(0), "", 1)
    elif description := _first(r"<meta\s+name=\"description\"\s+content=\"([^\"]*)\"", text):
        fields["summary"] = html_to_search_text(description.group(1))

    if byline := _first(r"<p\b[^>]*class=\"[^\"]*\bbyline\b[^>]*>(.*?)</p\s*>", body):
        byline_text = html_to_search_text(byline.group(1))
        fields["author"] = re.sub(r"^by\s+", "", byline_text.split("·")[0], flags=re.I).strip()
        body = body.replace(byline.group(0), "", 1)
    if moment := _first(r"<time\b[^>]*datetime=\"([^\"]+)\"", text):
        fields["published"] = epoch_from_iso(moment.group(1))
    fields["content_html"] = body.strip()
    return fields

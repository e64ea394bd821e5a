"""A web page → its main text, as small clean HTML the reader lays out well.

For "whole stories, offline": a feed item that carries only a summary gets the main text
of the page it links to, and a saved .html article gets the same cleaning. The page is
hostile: it is never fetched here (the caller passes its bytes; trafilatura gets a parsed
tree, so neither it nor htmldate can reach the network), its scripts are never run (lxml
parses, nothing executes, and the writer below drops <script> and its kin anyway), and
what comes out is rebuilt element by element from a short list of tags (p, h2-h6, ul/ol/li,
blockquote, pre/code, table, a href, img src alt, em/strong, br) with every text escaped and
cleaned by tuinews.clean, links and image sources absolute http(s) URLs or gone.

trafilatura (imported inside extract_page: 0.2-1 s that the CLI's start-up must not pay)
finds the main text. Its options, scored on the shared corpus of 152 pages
(../shared/corpus/extraction, tests/test_extract.py) by the text `tuinews show` prints:

* balanced, neither favor_precision nor favor_recall. Precision mode drops whole article
  parts (recall 0.936 → 0.895, one more page comes out empty); recall mode is worse on both
  counts here (precision 0.893, recall 0.917).
* include_comments=False: readers' comments are not the story (the HTML output never has
  them; off, comment sections are also pruned before the main text is looked for). One
  corpus page counts a reader's comment as article text; we miss it.
* include_tables=True: data tables (schedules, specifications) are article text; without
  them recall drops to 0.928. Tables that only lay out a page are flattened below.
* include_links, include_images, include_formatting: what the issue asks for. Each has a
  price on the corpus score, and we pay it: links cost ~0.01 recall, because the reader's
  "[n]" after a link's words splits a sentence that the scorer looks for; images bring in
  photo credits and captions (precision 0.918 → 0.905).
* deduplicate=False: trafilatura's deduplication keeps a process-wide cache, so the same
  page extracted again later gives different text (a refresh would change stored
  articles). Per page, with a cache of its own, it changed nothing on the corpus.
* fast=False: the fallback extractors (readability, jusText) are worth 0.037 recall; fast
  mode would save a fifth of the time (mean 50 → 40 ms a page).
* prune_xpath: short elements whose class or id says "newsletter", in any case and of any
  kind (<aside>, <form>, <section>), are removed before any extractor runs. trafilatura's
  own rule is case-sensitive and its fallback extractors do not apply it, which let two
  sign-up boxes through on the corpus. The same rule for "paywall" removed the body of a
  paywalled article and for "promo" a section of one, and "subscribe" changed nothing:
  "newsletter" is the only name.
* dates: htmldate's publication date (original_date) from the page's markup and URL
  (meta tags, <time>, JSON-LD), with its time and offset when given (read as UTC
  otherwise). Not extensive_search, trafilatura's default, which also reads dates out of
  the text: it found one for 22 more corpus pages, 5 of them a copyright line's bare year,
  and the first date it hands to dateparser costs 2-6 s and 45 MiB (all of dateparser's
  locales). Before 1990, more than a day ahead, or a bare year (htmldate's 1 January,
  midnight) is None.

On the corpus this scores precision 0.905, recall 0.936, F1 0.920 (trafilatura.extract()
with its defaults: 0.892, 0.928, 0.910), and lets 7 of the 143 boilerplate segments of the
"appeal" pages through (11). bench/bench_extract.py has the times and sizes.
"""

from __future__ import annotations

import codecs
import contextlib
import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from tuinews.clean import clean_line, clean_text, is_visible
from tuinews.models import NotAnArticle
from tuinews.urls import is_web_url

if TYPE_CHECKING:
    from lxml import etree

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# The choices the module docstring explains, measured on the shared corpus.
_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_links": True,
    "include_images": True,
    "include_formatting": True,
    "favor_precision": False,
    "favor_recall": False,
    "fast": False,
    "deduplicate": False,
}
_DATES = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_LOWER = 'translate({}, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")'
# A newsletter sign-up box: short, and named for what it is. Not the page's frame (some
# name <body> or the article after a newsletter they embed), not a long element.
_PRUNE = [
    "//*[not(self::html or self::body or self::main or self::article)]"
    f'[contains({_LOWER.format("@class")}, "newsletter")'
    f' or contains({_LOWER.format("@id")}, "newsletter")]'
    "[string-length(normalize-space()) < 1500]"
]


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    html: str  # the main text: p, h2-h6, lists, quotes, code, tables, links, images
    title: str
    author: str
    published: int | None  # Unix seconds, UTC; None when missing or not believable
    image: str  # the lead image's absolute URL, or ""


_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
_FUTURE_SLACK = 86_400
_URL_LIMIT = 4_096
_ALT_LIMIT = 300
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
# Browsers read these labels as windows-1252 (WHATWG Encoding): so do we.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "ascii", "us-ascii"})

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
# Elements that end a paragraph; everything not listed (and not dropped) is inline.
_BLOCKS = _HEADINGS | _LISTS | _ROW_GROUPS | {
    "p", "div", "section", "article", "main", "body", "html", "blockquote", "pre",
    "table", "tr", "li", "hr", "dl", "dd", "dt", "figure", "details", "summary",
}  # fmt: skip
_INLINE = {"em": "em", "i": "em", "strong": "strong", "b": "strong", "code": "code",
           "var": "code", "kbd": "code", "samp": "code", "tt": "code"}  # fmt: skip
_DROPPED = frozenset({"head", "script", "style", "template", "noscript", "iframe", "object",
                      "embed", "svg", "math", "form", "button", "input", "select",
                      "textarea", "title", "meta", "link"})  # fmt: skip
_LONG_CELL = 200  # characters: a cell this long holds prose, so the table lays out a page
_TAG = re.compile(r"<[^>]*>")
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_ICONS = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")  # private use: icon-font glyphs
_TOO_SHORT_FOR_ANYTHING = 120  # characters of text: not even a short news item
_SHORT = 1_000  # characters: short enough for an error or login page
_ERROR_TITLE = re.compile(
    r"\b(?:40[034]|410|50[0234]|not found|error|access denied|forbidden|unavailable"
    r"|nicht gefunden|fehler|introuvable|erreur|no encontrad[ao]|non trovat[ao])\b",
    re.IGNORECASE,
)
_SIGN_IN = re.compile(
    r"\b(?:log ?in|sign ?in|password|subscribe|subscribers?|continue reading|anmelden"
    r"|einloggen|passwort|abonnieren|weiterlesen|connexion|mot de passe|iniciar sesi[oó]n)\b",
    re.IGNORECASE,
)


def extract_page(
    data: bytes | str, url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, charset: str = ""
) -> ExtractedPage:
    """The main text of the page at `url`, with its links and images resolved against it.

    `data` is the page as fetched or saved (never fetched here: nothing in this module
    touches the network); `charset` is what the server declared, if anything. Raises
    NotAnArticle when there is no main text to keep; its reason reads after "files that
    are": "empty", "not text", "larger than 5 MB", "without main text", "an error page",
    "behind a login".
    """
    url = url.strip()
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise NotAnArticle(f"larger than {_size(max_bytes)}")
    text = data if isinstance(data, str) else _decode(data, charset)
    if "\x00" in text:
        raise NotAnArticle("not text")
    if not text.strip():
        raise NotAnArticle("empty")

    # Controls and escape sequences go before anything parses the page, as in every text
    # tuinews keeps (trafilatura would drop the ESC and leave "[31m"). So do references to
    # them: one "&#27;" makes trafilatura discard the whole page (lxml turns it into a
    # character XML forbids).
    text = _CHARACTER_REFERENCE.sub(_allowed_reference, clean_text(text, limit=len(text)))

    # Imported here: 0.2-1 s that the first page pays, never the CLI's start-up.
    import trafilatura
    from lxml import etree

    # A saved fragment (one <article>, no <html>) is HTML too.
    tree = trafilatura.load_html(text)
    if tree is None:
        tree = trafilatura.load_html(f"<html><body>{text}</body></html>")
    if tree is None:
        raise NotAnArticle("without main text")
    page_url = url if is_web_url(url) else ""
    if base := _base_url(tree, page_url):
        _absolute_links(tree, base)
    login = bool(tree.xpath("//input[translate(@type, 'PASWORD', 'pasword') = 'password']"))
    tomorrow = datetime.fromtimestamp(time.time() + _FUTURE_SLACK, UTC)
    document = trafilatura.extract_with_metadata(
        tree,
        url=page_url or None,
        output_format="html",
        date_extraction_params={**_DATES, "max_date": tomorrow.strftime("%Y-%m-%d")},
        prune_xpath=_PRUNE,
        **_OPTIONS,
    )
    body = None
    if document is not None and document.text:
        # trafilatura writes serialised XML: read it as XML, since an HTML parser closes a
        # <p> at the <pre> that trafilatura writes for inline code, splitting the paragraph.
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        root = etree.fromstring(document.text, parser)
        body = root.find("body") if root is not None else None
    title = clean_line(_no_icons(document.title if document else tree.findtext(".//title")))
    if body is not None and (headline := _take_headline(body, title)):
        title = headline
    markup = _Writer(page_url).blocks(body) if body is not None else ""
    _judge(markup, title, login)
    return ExtractedPage(
        html=markup,
        title=title,
        author=clean_line(_no_icons(document.author or "").replace(";", ","), 300),
        published=_published(document.date),
        image=_web_url(document.image or "", base),
    )


def _judge(markup: str, title: str, login: bool) -> None:
    """NotAnArticle when the text is too little to be an article. A short text is an error
    page when its title says so ("404", "not found"), a login wall when the page asks for
    a password and the text for signing in."""
    text = " ".join(html.unescape(_TAG.sub(" ", markup)).split())
    if len(text) >= _SHORT:
        return
    if _ERROR_TITLE.search(title):
        raise NotAnArticle("an error page")
    if login and _SIGN_IN.search(text + " " + title):
        raise NotAnArticle("behind a login")
    if len(text) < _TOO_SHORT_FOR_ANYTHING:
        raise NotAnArticle("without main text")


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def _allowed_reference(match: re.Match[str]) -> str:
    """A numeric character reference as it stands, or "" when it names a control, a
    surrogate or nothing; &#128;-&#159; become the windows-1252 letters browsers show."""
    hexadecimal, decimal = match.groups()
    number = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if 0x80 <= number <= 0x9F:
        letter = html.unescape(match.group(0))
        return letter if letter.isprintable() else ""
    if number in (0x9, 0xA, 0xD) or 0x20 <= number < 0x7F:
        return match.group(0)
    if 0x9F < number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF and number & 0xFFFE != 0xFFFE:
        return match.group(0)
    return ""


def _decode(data: bytes, charset: str) -> str:
    """As a browser would: a byte-order mark, else UTF-8 when the bytes are UTF-8, else the
    charset the server or the page declares, else windows-1252 (what browsers assume in
    most locales; trafilatura would guess from the bytes instead)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = charset
    if not declared and (match := _META_CHARSET.search(data[:4096])):
        declared = match.group(1).decode("ascii")
        if declared.lower().startswith(("utf-16", "utf-32")):  # readable, so it is not
            declared = "utf-8"
    declared = declared.strip().lower()
    if declared in _AS_CP1252 or not declared:
        declared = "cp1252"
    try:
        return data.decode(declared, "replace")
    except LookupError:
        return data.decode("cp1252", "replace")


def _base_url(tree: etree._Element, url: str) -> str:
    """What relative links are relative to: the page's <base href>, else its URL."""
    base = url if is_web_url(url) else ""
    for element in tree.iter("base"):
        href = clean_line(element.get("href") or "", _URL_LIMIT)
        if href:
            try:
                joined = urljoin(base, href) if base else href
            except ValueError:
                break
            if is_web_url(joined):
                base = joined
        break
    return base


def _absolute_links(tree: etree._Element, base: str) -> None:
    """Resolve links and image sources (lazy-loading ones too) before trafilatura sees them:
    it resolves links against the site's root, not the page."""
    for element in tree.iter("a", "img"):
        for name, value in element.attrib.items():
            if (name == "href" or name == "src" or name.startswith("data-src")) and not (
                value.startswith(("https://", "http://"))  # the writer checks every URL
            ):
                with contextlib.suppress(ValueError):  # e.g. an unbalanced "[" in the host
                    element.set(name, urljoin(base, value.strip()))


def _web_url(href: str, base: str) -> str:
    """An absolute http(s) URL, or "" for anything else (javascript:, data:, mailto:)."""
    href = clean_line(re.sub(r"[\t\n\r]", "", href), _URL_LIMIT)
    if not href:
        return ""
    if base:
        try:
            href = clean_line(urljoin(base, href), _URL_LIMIT)
        except ValueError:
            return ""
    return href if is_web_url(href) else ""


def _published(value: str | None) -> int | None:
    """Seconds, or None for a date that is not believable. htmldate answers a bare year
    (a copyright line, "© 2024") with 1 January, midnight: that is no publication date."""
    if not value or value.endswith("-01-01T00:00:00"):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    if not _EARLIEST <= seconds <= time.time() + _FUTURE_SLACK:
        return None
    return int(seconds)


def _no_icons(text: str | None) -> str:
    return _ICONS.sub("", text) if text else ""


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _take_headline(body: etree._Element, title: str) -> str:
    """Remove the page's own headline from the top of the text and return it: the reader
    shows the title itself. An <h1> near the top is the headline; a smaller heading is
    when its words are the title's."""
    for index, element in enumerate(body):
        if index >= 4 or not isinstance(element.tag, str):
            return ""
        text = clean_line("".join(element.itertext()))
        if element.tag in ("h1", "h2", "h3"):
            heading = _words(text)
            if element.tag == "h1" or (
                heading and len(heading & _words(title)) >= 0.6 * len(heading)
            ):
                _remove(element)
                return text
            return ""
        if len(text) > 100 or element.tag in ("ul", "ol", "table", "blockquote", "pre"):
            return ""
    return ""


def _remove(element: etree._Element) -> None:
    """Take an element out of the tree; the text after it stays."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _text(raw: str | None, pre: bool = False) -> str:
    """A text node, escaped, without controls; its outer whitespace kept (one space
    outside pre), since it separates the words of neighbouring elements."""
    if not raw:
        return ""
    core = clean_text(_no_icons(raw))
    lead = raw[: len(raw) - len(raw.lstrip())]
    trail = raw[len(raw.rstrip()) :] if core else ""
    if pre:
        lead = "".join(ch for ch in lead if ch in " \t\n")
        trail = "".join(ch for ch in trail if ch in " \t\n")
    else:
        lead, trail = " " * bool(lead), " " * bool(trail)
    return html.escape(lead + core + trail, quote=False)


def _shows_something(markup: str) -> bool:
    return "<img" in markup or is_visible(html.unescape(_TAG.sub("", markup)))


def _tag(element: etree._Element) -> str:
    return element.tag if isinstance(element.tag, str) else ""  # comments, processing instructions


class _Writer:
    """trafilatura's HTML → the subset tuinews stores, rebuilt element by element: every
    text escaped and cleaned, only known tags, only http(s) links and image sources."""

    def __init__(self, page_url: str) -> None:
        self.page = urldefrag(page_url).url if page_url else ""

    def blocks(self, element: etree._Element) -> str:
        """An element's content as blocks: loose text and inline runs become paragraphs."""
        out: list[str] = []
        run: list[str] = [_text(element.text)]
        for child in element:
            tag = _tag(child)
            if tag == "pre" and "\n" not in _pre_text(child).strip():
                run.append(self._code(child))  # trafilatura writes inline <code> as <pre>
            elif tag in _BLOCKS:
                self._paragraph(out, run)
                out.append(self.block(child))
            elif tag and tag not in _DROPPED:
                run.append(self.inline(child))
            run.append(_text(child.tail))
        self._paragraph(out, run)
        return "".join(out)

    def _paragraph(self, out: list[str], run: list[str]) -> None:
        content = "".join(run).strip()
        run.clear()
        if _shows_something(content):
            out.append(f"<p>{content}</p>")

    def block(self, element: etree._Element) -> str:
        tag = _tag(element)
        if tag in _HEADINGS:
            level = max(int(tag[1]), 2)  # the title is the only top-level heading
            content = self.inline_content(element).strip()
            return f"<h{level}>{content}</h{level}>" if _shows_something(content) else ""
        if tag in _LISTS:
            items = "".join(self._item(child) for child in element if _tag(child))
            return f"<{tag}>{items}</{tag}>" if items else ""
        if tag == "blockquote":
            content = self.blocks(element)
            return f"<blockquote>{content}</blockquote>" if content else ""
        if tag == "pre":
            code = _pre_text(element).lstrip("\n").rstrip()
            return f"<pre>{_text(code, pre=True)}</pre>" if code.strip() else ""
        if tag == "table":
            return self.table(element)
        if tag == "hr":
            return ""
        return self.blocks(element)

    def _item(self, element: etree._Element) -> str:
        tag = _tag(element)
        if tag in _LISTS:  # a list straight inside a list: browsers indent it as an item
            content = self.block(element)
        elif any(_tag(child) in _BLOCKS for child in element):
            content = self.blocks(element)
        else:
            content = self.inline_content(element).strip()
        return f"<li>{content}</li>" if _shows_something(content) else ""

    def inline_content(self, element: etree._Element) -> str:
        """An element's content as one run of inline text; blocks inside read as spaces."""
        parts = [_text(element.text)]
        for child in element:
            tag = _tag(child)
            if tag == "pre":
                parts.append(self._code(child))
            elif tag in _BLOCKS:
                parts.append(f" {self.inline_content(child)} ")
            elif tag and tag not in _DROPPED:
                parts.append(self.inline(child))
            parts.append(_text(child.tail))
        return "".join(parts)

    def _code(self, element: etree._Element) -> str:
        code = _text(_pre_text(element))
        return f"<code>{code.strip()}</code>" if code.strip() else code

    def inline(self, element: etree._Element) -> str:
        tag = _tag(element)
        if tag == "br":
            return "<br>"
        if tag == "img":
            return self._image(element)
        content = self.inline_content(element)
        if tag == "a":
            href = _web_url(element.get("href") or "", self.page)
            if href and urldefrag(href).url != self.page and content.strip():
                return f'<a href="{html.escape(href)}">{content}</a>'
            return content
        name = _INLINE.get(tag)
        if name and content.strip():
            return f"<{name}>{content}</{name}>"
        return content

    def _image(self, element: etree._Element) -> str:
        src = _web_url(element.get("src") or "", self.page)
        alt = clean_line(_no_icons(element.get("alt")), _ALT_LIMIT)
        src_attribute = f' src="{html.escape(src)}"' if src else ""
        alt_attribute = f' alt="{html.escape(alt)}"' if alt else ""
        # Without a usable source, an image is still worth its alt text in the reader.
        return f"<img{src_attribute}{alt_attribute}>" if src or alt else ""

    # tables

    def _caption(self, cell: etree._Element) -> str:
        heading = next((child for child in cell.iter(*_HEADINGS)), None)
        if heading is not None:
            return self.block(heading)
        return f"<p><strong>{self.inline_content(cell).strip()}</strong></p>"

    def table(self, element: etree._Element) -> str:
        """A data table stays a table of short cells; a table that lays out a page (prose
        in its cells, one column, nested tables) becomes its cells' blocks in order."""
        rows = [row for row in element.iter("tr") if _nearest_table(row) is element]
        cells = [[cell for cell in row if _tag(cell) in ("td", "th")] for row in rows]
        texts = [[clean_line("".join(cell.itertext())) for cell in row] for row in cells]
        width = max((len(row) for row in cells), default=0)
        layout = (
            width < 2
            or any(len(text) > _LONG_CELL for row in texts for text in row)
            or any(True for _ in element.iterdescendants("table"))
        )
        if layout:
            return "".join(self.blocks(cell) for row in cells for cell in row)
        out: list[str] = []
        body: list[str] = []
        for index, (row, row_texts) in enumerate(zip(cells, texts, strict=True)):
            if not any(row_texts):
                continue
            filled = [cell for cell, text in zip(row, row_texts, strict=True) if text]
            if index == 0 and len(filled) == 1 < width:  # a title row spanning the table
                out.append(self._caption(filled[0]))
                continue
            line = "".join(
                f"<{_tag(cell)}>{self.inline_content(cell).strip()}</{_tag(cell)}>" for cell in row
            )
            body.append(f"<tr>{line}</tr>")
        if body:
            out.append(f"<table>{''.join(body)}</table>")
        return "".join(out)


def _nearest_table(element: etree._Element) -> etree._Element | None:
    return next(element.iterancestors("table"), None)


def _pre_text(element: etree._Element) -> str:
    """The text of a code block, its line breaks (<br>) as newlines."""
    while (
        len(element) == 1
        and _tag(element[0]) == "pre"
        and not (element.text or "").strip()
        and not (element[0].tail or "").strip()
    ):
        element = element[0]  # trafilatura writes <pre><code> as <pre><pre>, indented
    parts = [element.text or ""]
    for child in element:
        if _tag(child) == "br":
            parts.append("\n")
        elif _tag(child) not in _DROPPED:
            parts.append(_pre_text(child))
        parts.append(child.tail or "")
    return "".join(parts)

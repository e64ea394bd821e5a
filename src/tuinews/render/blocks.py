"""Article bodies → blocks of readable text, in reading order.

The reader never renders HTML as HTML: html.parser walks the markup, scripts and
embeds are dropped, images become placeholders (never fetched) and links become
numbered references listed at the end, like a printed article. Every string that
leaves this module went through tuinews.clean *after* entity decoding, so an
escape sequence hidden as `&#27;` or `&#x9b;` cannot reach the terminal; markup-like
text such as `[bold]` is plain data and comes out character for character.

Plain-text bodies become the same blocks, so both kinds are laid out by one code path
(tuinews.render.layout).
"""

from __future__ import annotations

import contextlib
import enum
import re
import sys
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from tuinews.clean import clean_line, clean_text, is_visible
from tuinews.models import ArticleBody, ContentKind
from tuinews.render.cells import cell_width
from tuinews.urls import checked_link, is_web_url, stored_link


class BlockKind(enum.StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    QUOTE = "quote"
    CODE = "code"
    LIST_ITEM = "list_item"
    TABLE = "table"
    RULE = "rule"
    IMAGE = "image"
    LINKS = "links"  # only in a layout: the numbered list of link targets at the end
    FOLDED = "folded"  # reader mode: one line standing for paragraphs that are not the story


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article, in reading order.

    text: CODE keeps its lines and indentation (tabs included); TABLE is rows joined
    by "\\n", cells by "\\t"; IMAGE is the alt text ("" when there is none); the other
    kinds are one unwrapped paragraph in which "\\n" is a hard line break (`<br>`).
    level: HEADING 1-6; LIST_ITEM its list depth (1 = top level); QUOTE its quote
    depth; TABLE 1 when the first row is a header row, else 0; PARAGRAPH, CODE and
    IMAGE the depth of the list item they continue (0 outside lists); RULE 0.
    marker: a LIST_ITEM's "•", "◦", "▪" or "3."; also set on the QUOTE that starts
    a list item inside a blockquote.
    """

    kind: BlockKind
    text: str
    level: int = 0
    marker: str = ""


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    blocks: tuple[Block, ...]
    links: tuple[str, ...]  # links[i] is the target of the inline marker [i+1]


NOT_KEPT = "(not kept: "  # a links[i] that is why a target was refused, not a target
_ALT_LIMIT = 300
_UNLIMITED = sys.maxsize  # clean_line caps one-line fields; a paragraph is not one

# Dropped with everything inside them: code, embeds, fallbacks, icons, the page title.
_DROPPED = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "title"}
)
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
})  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TABLE_TAGS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th"})
# Tags that end the current block (and may start a new one).
_BOUNDARIES = _HEADINGS | {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol",
    "p", "section", "summary", "ul",
}  # fmt: skip
# Opened inside a table cell, these mean the table lays out a page rather than data.
_LAYOUT_SIGNS = _HEADINGS | {"table", "pre", "blockquote", "ul", "ol"}
_BULLETS = ("•", "◦", "▪")
_TRACKING_PIXEL = frozenset({"0", "1", "0px", "1px"})

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# html.unescape maps most C1 references to cp1252 letters but leaves &#129; &#141; &#143;
# &#144; &#157; raw: a lone stray character, dropped alone as &#27; is, rather than read as
# the start of an unterminated OSC/DCS string that would swallow the words after it.
_C1 = re.compile("[\x80-\x9f]")
_URL_TABS_NEWLINES = re.compile(r"[\t\n\r]")  # browsers delete them from URLs: java\tscript:
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t\r\f\v]*\n)*([ \t]*)")
_SMALL_INT = re.compile(r"\s*(-?\d{1,9})\s*$")
_UNFINISHED_TAG = re.compile(r"<[a-zA-Z/!?]")


def image_placeholder(alt: str) -> str:
    """How an image reads in the text: its alt text, never the picture."""
    return f"[image: {alt}]" if alt else "[image]"


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    """The first value, as browsers read duplicated attributes."""
    return next((value or "" for key, value in attrs if key == name), "")


def _small_int(text: str, default: int) -> int:
    match = _SMALL_INT.match(text)
    return int(match.group(1)) if match else default


def _flow_text(raw: str) -> str:
    """Inline text → one paragraph: spaces collapsed, hard breaks kept, no blank runs."""
    lines: list[str] = []
    for line in raw.split("\n"):
        line = clean_line(line, _UNLIMITED)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _clean_keeping_indent(raw: str) -> str:
    """clean_text, except that the first line keeps its indentation (code, plain text)."""
    _, indent, rest = _LEADING_BLANK_LINES.split(raw, maxsplit=1)
    text = clean_text(rest)
    return indent + text if text else ""


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int
    implicit: bool = False  # an <li> outside any list opened it; its </li> closes it
    pending: str = ""  # the open item's marker, until its first block takes it


@dataclass(slots=True)
class _Table:
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] | None = None
    row_is_header: bool = True  # every cell so far is a <th>
    header: bool = False
    in_cell: bool = False
    in_head: bool = False
    layout: bool = False  # a page-layout table: its cells read as ordinary blocks


@dataclass(slots=True)
class _Link:
    url: str
    start: int  # index in the inline parts where its text begins
    numbered: bool = False


class _Layout(HTMLParser):
    """Collects blocks while html.parser walks the markup (the event handlers are its API)."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self._numbers: dict[str, int] = {}
        self._base = stored_link(base_url)
        self._parts: list[str] = []  # inline text of the block being read
        self._images: list[str] = []  # alts of the images among those parts
        self._skip: list[str] = []  # open dropped elements
        self._pre = 0
        self._heading = 0
        self._quote = 0
        self._lists: list[_List] = []
        self._tables: list[_Table] = []
        self._link: _Link | None = None

    def finish(self) -> RenderedArticle:
        # A truncated document ends inside a tag: browsers drop it, so do we.
        if _UNFINISHED_TAG.match(self.rawdata):
            self.rawdata = ""
        self.close()
        self._skip.clear()
        if self._pre:
            self._pre = 0
            self._emit_code()
        while self._tables:
            self.handle_endtag("table")
        self._flush()
        return RenderedArticle(tuple(self.blocks), tuple(self.links))

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """`<![foo[` makes the stdlib raise; browsers read it as a bogus comment."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i)

    # html.parser events

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        data = _C1.sub("", data)
        self._parts.append(data if self._pre else _HTML_SPACE.sub(" ", data))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._skip.append(tag)
        if self._skip:
            return
        if tag in _LAYOUT_SIGNS and self._in_cell():
            self._table_to_layout()
        if tag == "a":
            self._start_link(_attr(attrs, "href"))
        elif tag == "img":
            self._image(attrs)
        elif tag == "br":
            self._parts.append(" " if self._in_cell() else "\n")
        elif tag == "pre":
            if not self._pre:
                self._flush()
            self._pre += 1
        elif not self._pre:
            self._start_block(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            for index in range(len(self._skip) - 1, -1, -1):
                if self._skip[index] == tag:
                    del self._skip[index:]
                    break
            return
        if tag == "a":
            self._end_link()
        elif tag == "pre":
            if self._pre:
                self._pre -= 1
                if not self._pre:
                    self._emit_code()
        elif not self._pre:
            self._end_block(tag)

    # blocks

    def _start_block(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _TABLE_TAGS:
            self._start_table_part(tag)
            return
        if tag in _BOUNDARIES:
            self._boundary()
        if tag in _HEADINGS:
            self._heading = int(tag[1])
        elif tag in ("ul", "ol"):
            self._lists.append(_List(tag == "ol", _small_int(_attr(attrs, "start"), 1)))
        elif tag == "li":
            self._start_item(attrs)
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "hr" and not self._in_cell():
            self.blocks.append(Block(BlockKind.RULE, ""))

    def _end_block(self, tag: str) -> None:
        if tag in _TABLE_TAGS:
            self._end_table_part(tag)
            return
        if tag in _BOUNDARIES:
            self._boundary()
        if tag in _HEADINGS:
            self._heading = 0
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "li" and self._lists:
            if self._lists[-1].implicit:
                self._lists.pop()
            else:
                self._lists[-1].pending = ""
        elif tag == "blockquote":
            self._quote = max(self._quote - 1, 0)

    def _start_item(self, attrs: list[tuple[str, str | None]]) -> None:
        if not self._lists:
            self._lists.append(_List(ordered=False, number=1, implicit=True))
        current = self._lists[-1]
        if current.ordered:
            current.number = _small_int(_attr(attrs, "value"), current.number)
            current.pending = f"{current.number}."
            current.number += 1
        else:
            current.pending = _BULLETS[min(len(self._lists), len(_BULLETS)) - 1]

    def _claim_marker(self) -> str:
        if not self._lists:
            return ""
        marker, self._lists[-1].pending = self._lists[-1].pending, ""
        return marker

    def _boundary(self) -> None:
        if self._in_cell():
            self._parts.append(" ")
        else:
            self._flush()

    def _take_raw(self) -> str:
        """The inline text read so far, after giving an open link its marker."""
        if self._link:
            self._mark_link()
            self._link.start = 0
        raw = "".join(self._parts)
        self._parts.clear()
        self._images.clear()
        return raw

    def _flush(self) -> None:
        lone_image = self._images[0] if len(self._images) == 1 else None
        text = _flow_text(self._take_raw())
        if not text:
            return
        depth = len(self._lists)
        if self._quote:
            block = Block(BlockKind.QUOTE, text, self._quote, self._claim_marker())
        elif marker := self._claim_marker():
            block = Block(BlockKind.LIST_ITEM, text, depth, marker)
        elif lone_image is not None and text == image_placeholder(lone_image):
            block = Block(BlockKind.IMAGE, lone_image, depth)
        elif self._heading:
            block = Block(BlockKind.HEADING, text, self._heading)
        else:
            block = Block(BlockKind.PARAGRAPH, text, depth)
        self.blocks.append(block)

    def _emit_framed(self, block: Block) -> None:
        """A code block or table that opens a list item still shows the item's marker."""
        if marker := self._claim_marker():
            self.blocks.append(Block(BlockKind.LIST_ITEM, "", len(self._lists), marker))
        self.blocks.append(block)

    def _emit_code(self) -> None:
        text = _clean_keeping_indent(self._take_raw())
        if is_visible(text):
            self._emit_framed(Block(BlockKind.CODE, text, len(self._lists)))

    # tables

    def _in_cell(self) -> bool:
        return bool(self._tables) and self._tables[-1].in_cell and not self._tables[-1].layout

    def _start_table_part(self, tag: str) -> None:
        if tag == "table":
            self._flush()
            self._tables.append(_Table())
            return
        if not self._tables or self._tables[-1].layout:
            self._boundary()
            return
        table = self._tables[-1]
        if tag == "tr":
            self._end_row(table)
        elif tag in ("td", "th"):
            self._end_cell(table)
            self._flush()  # stray text between cells: browsers show it before the table
            if table.row is None:
                table.row, table.row_is_header = [], True
            table.row_is_header = table.row_is_header and tag == "th"
            table.in_cell = True
        elif tag == "thead":
            table.in_head = True

    def _end_table_part(self, tag: str) -> None:
        if not self._tables or self._tables[-1].layout:
            self._boundary()
            if tag == "table" and self._tables:
                self._tables.pop()
            return
        table = self._tables[-1]
        if tag in ("td", "th"):
            self._end_cell(table)
        elif tag in ("tr", "thead"):
            self._end_row(table)
            table.in_head = table.in_head and tag != "thead"
        elif tag == "table":
            self._end_row(table)
            self._tables.pop()
            self._emit_table(table)

    def _end_cell(self, table: _Table) -> None:
        if table.in_cell and table.row is not None:
            table.row.append(clean_line(self._take_raw(), _UNLIMITED))
            table.in_cell = False

    def _end_row(self, table: _Table) -> None:
        self._end_cell(table)
        if table.row is not None and any(table.row):
            if not table.rows:
                table.header = table.row_is_header or table.in_head
            table.rows.append(table.row)
        table.row = None

    def _emit_table(self, table: _Table) -> None:
        if not table.rows:
            return
        if max(map(len, table.rows)) == 1:  # a one-column table is a frame, not data
            self._cells_as_paragraphs(table.rows)
            return
        text = "\n".join("\t".join(row) for row in table.rows)
        self._emit_framed(Block(BlockKind.TABLE, text, int(table.header)))

    def _table_to_layout(self) -> None:
        """Turn the innermost table into flowing text; the open cell's text reads on."""
        table = self._tables[-1]
        table.layout, table.in_cell = True, False
        self._cells_as_paragraphs([*table.rows, table.row or []])

    def _cells_as_paragraphs(self, rows: list[list[str]]) -> None:
        depth = len(self._lists)
        self.blocks.extend(
            Block(BlockKind.PARAGRAPH, cell, depth) for row in rows for cell in row if cell
        )

    # links and images

    def _resolve(self, href: str) -> str:
        """The target as a browser would open it, whole; or why it is not kept (a link
        holding what would make it read as another, or too long: urls.checked_link)."""
        href, refused = checked_link(_URL_TABS_NEWLINES.sub("", href))
        if refused:
            return f"{NOT_KEPT}{refused})"
        if not href or href.startswith("#"):
            return ""
        if is_web_url(self._base):  # a guid-like or file: base would invent targets
            with contextlib.suppress(ValueError):  # e.g. an unbalanced "[" in the host
                href, refused = checked_link(urljoin(self._base, href))
        return f"{NOT_KEPT}{refused})" if refused else href

    def _start_link(self, href: str) -> None:
        self._end_link()  # links do not nest: a new <a> closes the open one
        if url := self._resolve(href):
            self._link = _Link(url, len(self._parts))

    def _end_link(self) -> None:
        if self._link:
            self._mark_link()
            self._link = None

    def _mark_link(self) -> None:
        """Number the open link once it has visible text, right after that text."""
        link = self._link
        if link is None or link.numbered or not clean_line("".join(self._parts[link.start :])):
            return
        number = self._numbers.get(link.url)
        if number is None:
            self.links.append(link.url)
            number = self._numbers[link.url] = len(self.links)
        self._parts.append(f" [{number}]")
        link.numbered = True

    def _image(self, attrs: list[tuple[str, str | None]]) -> None:
        sizes = {_attr(attrs, "width").strip().lower(), _attr(attrs, "height").strip().lower()}
        if sizes & _TRACKING_PIXEL:
            return
        alt = clean_line(_C1.sub("", _attr(attrs, "alt")), _ALT_LIMIT)
        if self._pre:
            self._parts.append(image_placeholder(alt))
        else:
            self._parts.append(f" {image_placeholder(alt)} ")
            self._images.append(alt)


def render_html(markup: str, base_url: str = "") -> RenderedArticle:
    """Lay out an HTML body; relative links are resolved against base_url."""
    layout = _Layout(base_url)
    layout.feed(markup)
    return layout.finish()


_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")
_LIST_LIKE_LINE = re.compile(r"\s*(?:[-*•–]|\d{1,3}[.)])\s")
_SHORT_LINE = 45  # cells; hard-wrapped prose runs to 60-80, verse and addresses stay short
_UNWRAPPED_LINE = 100  # cells; nobody hard-wraps wider, so such a line is a whole paragraph


def render_plain(text: str) -> RenderedArticle:
    """Lay out a plain-text body: paragraphs are separated by blank lines.

    Inside a paragraph, single newlines are usually hard wrapping and are joined.
    When at least half the lines are too long to be wrapping, the text is saved or
    scraped news, one paragraph per line: each line stays its own paragraph. Line
    breaks are kept when most lines are short or look like list items (verse,
    addresses, lists); a paragraph whose every line is indented is code.
    """
    blocks: list[Block] = []
    for chunk in _PARAGRAPH_BREAK.split(_clean_keeping_indent(text)):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("    ", "\t")) for line in lines):
            blocks.append(Block(BlockKind.CODE, textwrap.dedent("\n".join(lines))))
            continue
        if _one_paragraph_per_line(lines):
            paragraphs = [clean_line(line, _UNLIMITED) for line in lines]
        elif _keeps_line_breaks(lines):
            paragraphs = [_flow_text("\n".join(lines))]
        else:
            paragraphs = [clean_line(chunk, _UNLIMITED)]
        blocks.extend(Block(BlockKind.PARAGRAPH, text) for text in paragraphs if text)
    return RenderedArticle(tuple(blocks), ())


def _one_paragraph_per_line(lines: list[str]) -> bool:
    long_lines = sum(cell_width(line.strip()) > _UNWRAPPED_LINE for line in lines)
    return len(lines) >= 2 and long_lines * 2 >= len(lines)


def _keeps_line_breaks(lines: list[str]) -> bool:
    if len(lines) < 2:
        return False
    short = sum(cell_width(line.strip()) < _SHORT_LINE for line in lines)
    listed = sum(bool(_LIST_LIKE_LINE.match(line)) for line in lines)
    return short * 3 >= len(lines) * 2 or listed * 2 >= len(lines)


def render_body(body: ArticleBody, base_url: str = "") -> RenderedArticle:
    """The article's own text; its summary is the standfirst, which the caller shows."""
    if body.content_kind == ContentKind.HTML and body.content_html.strip():
        return render_html(body.content_html, base_url)
    return render_plain(body.content_text)

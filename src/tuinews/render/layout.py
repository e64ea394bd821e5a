"""Blocks → lines of terminal text at most a given number of cells wide.

Greedy word wrap by terminal cells, hanging indents for list items, bars for quotes,
tables with columns capped to fit, and the numbered link targets at the end. Code
and URLs are never broken: the terminal folds what does not fit. `tuinews show`
prints to_text(); the reader pane styles the same lines itself (ui/richtext).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuinews.clean import clean_line
from tuinews.render.blocks import NOT_KEPT, Block, BlockKind, RenderedArticle, image_placeholder
from tuinews.render.cells import cell_width, char_cells
from tuinews.urls import LINK_CAP, host_warning, is_openable, is_web_url, shown_url


@dataclass(frozen=True, slots=True)
class Line:
    """One laid-out line and the kind of block it comes from (None: spacing)."""

    text: str
    kind: BlockKind | None


_INDENT = "  "
_MAX_NESTING = 8  # deeper lists and quotes stop moving right (hostile nesting is unbounded)
_MIN_ROOM = 20  # a line never gets narrower than this, whatever the indentation
_MIN_COLUMN = 3
_COLUMN_GAP = "  "
_NUMBER = re.compile(r"[-+−]?[$€£¥]?\d[\d,.\s]*%?$")


def _pieces(word: str, room: int) -> list[str]:
    """A word too long for a line (URL, base64, CJK run) cut into line-sized pieces."""
    if word.isascii():
        return [word[i : i + room] for i in range(0, len(word), room)]
    pieces: list[str] = []
    start = used = 0
    for index, char in enumerate(word):
        size = char_cells(char)
        if used + size > room and index > start:
            pieces.append(word[start:index])
            start, used = index, 0
        used += size
    pieces.append(word[start:])
    return pieces


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Greedy wrap by cells; `first` and `rest` are prefixes of equal width."""
    room = max(width - cell_width(rest), _MIN_ROOM)
    lines: list[str] = []
    for hard_line in text.split("\n"):
        words: list[str] = []
        used = 0
        for word in hard_line.split(" "):
            if not word:
                continue
            size = cell_width(word)
            if words and used + 1 + size <= room:
                words.append(word)
                used += 1 + size
                continue
            if words:
                lines.append(" ".join(words))
            words, used = [word], size
            if size > room:
                *full, tail = _pieces(word, room)
                lines.extend(full)
                words, used = [tail], cell_width(tail)
        lines.append(" ".join(words))
    return [((rest if n else first) + line).rstrip() for n, line in enumerate(lines)]


def _fit(cell: str, width: int, right: bool) -> str:
    size = cell_width(cell)
    if size > width:
        cell = _pieces(cell, width - 1)[0] + "…"
        size = cell_width(cell)
    padding = " " * (width - size)
    return padding + cell if right else cell + padding


def _column_widths(natural: list[int], budget: int) -> list[int]:
    """Cap the widest columns just enough to fit the budget (never below _MIN_COLUMN)."""
    if sum(natural) <= budget:
        return natural
    low, high = _MIN_COLUMN, max(natural)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(size, middle) for size in natural) <= budget:
            low = middle
        else:
            high = middle - 1
    return [min(size, low) for size in natural]


def _table_lines(block: Block, width: int) -> list[str]:
    rows = [line.split("\t") for line in block.text.split("\n")]
    count = max(map(len, rows))
    rows = [row + [""] * (count - len(row)) for row in rows]
    natural = [max(cell_width(row[column]) for row in rows) for column in range(count)]
    budget = max(width, _MIN_ROOM) - len(_COLUMN_GAP) * (count - 1)
    widths = _column_widths(natural, budget)
    body = rows[block.level :]
    numeric = [
        any(row[column] for row in body)
        and all(_NUMBER.match(row[column]) for row in body if row[column])
        for column in range(count)
    ]
    lines: list[str] = []
    for index, row in enumerate(rows):
        cells = (_fit(cell, w, right) for cell, w, right in zip(row, widths, numeric, strict=True))
        lines.append(_COLUMN_GAP.join(cells).rstrip())
        if index == 0 and block.level:
            lines.append(_COLUMN_GAP.join("─" * w for w in widths))
    return lines


def _block_lines(block: Block, width: int) -> list[str]:
    indent = _INDENT * min(block.level, _MAX_NESTING)
    match block.kind:
        case BlockKind.HEADING if block.level <= 2:
            lines = _wrap(block.text, width, "", "")
            return [*lines, ("=" if block.level == 1 else "-") * max(map(cell_width, lines))]
        case BlockKind.HEADING:
            prefix = "#" * block.level + " "
            return _wrap(block.text, width, prefix, " " * len(prefix))
        case BlockKind.LIST_ITEM:
            lead = _INDENT * min(max(block.level - 1, 0), _MAX_NESTING)
            hang = " " * (cell_width(block.marker) + 1)
            return _wrap(block.text, width, f"{lead}{block.marker} ", lead + hang)
        case BlockKind.QUOTE:
            bars = "│ " * min(block.level, _MAX_NESTING)
            if not block.marker:
                return _wrap(block.text, width, bars, bars)
            hang = " " * (cell_width(block.marker) + 1)
            return _wrap(block.text, width, f"{bars}{block.marker} ", bars + hang)
        case BlockKind.CODE:  # never wrapped: the terminal folds what does not fit
            return [f"{indent}    {line.expandtabs()}".rstrip() for line in block.text.split("\n")]
        case BlockKind.TABLE:
            return _table_lines(block, width)
        case BlockKind.RULE:
            return ["─" * max(width, _MIN_ROOM)]
        case BlockKind.IMAGE:
            return _wrap(image_placeholder(block.text), width, indent, indent)
        case _:
            return _wrap(block.text, width, indent, indent)


def _separator(before: Block, after: Block) -> str | None:
    """Blank line between blocks; none inside a list; a bare bar between quoted paragraphs."""
    if before.kind == after.kind == BlockKind.LIST_ITEM:
        return None
    if before.kind == after.kind == BlockKind.QUOTE and before.marker and after.marker:
        return None  # a list inside a quote
    if before.kind == after.kind == BlockKind.QUOTE:
        return ("│ " * min(before.level, after.level, _MAX_NESTING)).rstrip()
    return ""


def _link_line(number: int, url: str) -> str:
    """A link as it opens (urls.shown_url), and what is wrong with its host."""
    if url.startswith(NOT_KEPT):
        return f"[{number}] {url}"
    warning = host_warning(url) if is_web_url(url) else None
    careful = f" (careful: {warning})" if warning else ""
    if is_openable(url):
        return f"[{number}] {clean_line(shown_url(url), LINK_CAP)}{careful}"
    return f"[{number}] (not opened) {clean_line(shown_url(url), 100)}{careful}"


def layout(article: RenderedArticle, width: int = 80) -> list[Line]:
    """The article as lines of at most `width` terminal cells, each with its block kind.

    Code, link URLs and hostile nesting may run longer: breaking them would change
    them, and the terminal folds what does not fit.
    """
    lines: list[Line] = []
    previous: Block | None = None
    for block in article.blocks:
        if previous is not None and (gap := _separator(previous, block)) is not None:
            lines.append(Line(gap, None))
        lines.extend(Line(text, block.kind) for text in _block_lines(block, width))
        previous = block
    if article.links:
        if lines:
            lines.append(Line("", None))
        lines.append(Line("Links:", BlockKind.LINKS))
        lines.extend(
            Line(_link_line(number, url), BlockKind.LINKS)
            for number, url in enumerate(article.links, 1)
        )
    return lines


def wrap_paragraph(text: str, width: int) -> list[str]:
    """One paragraph wrapped at `width` terminal cells."""
    return _wrap(text, width, "", "")


def to_text(article: RenderedArticle, width: int = 80) -> str:
    """The article as plain text for `tuinews show` (see `layout`)."""
    return "\n".join(line.text for line in layout(article, width))

"""Feed text → rich.text.Text, the only way feed strings reach the screen.

Text objects are never parsed as markup, so `[bold red]PWNED[/]` shows as
written; everything is cleaned again here (defence in depth: the store holds
cleaned text, but a second pass costs little and guards older libraries), and
made into text every terminal draws at the width render.cells measures
(for_terminal), so that a row is exactly as wide as its column.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tuinews.clean import clean_line
from tuinews.models import SNIPPET_END, SNIPPET_START, ArticleRow
from tuinews.render import (
    BlockKind,
    RenderedArticle,
    cell_width,
    fitting,
    for_terminal,
    layout,
    wrap_paragraph,
)
from tuinews.urls import host_warning, shown_url

# What a person reads comfortably; longer articles are cut with a note, so a
# 5 MB body cannot freeze the layout.
READER_MAX_CHARS = 300_000
UNTITLED = "(untitled)"


def shown(text: str | None, limit: int = 1000) -> str:
    """A one-line field as drawn: cleaned, cut at `limit` characters, and made into
    text every terminal measures alike."""
    return for_terminal(clean_line(text, limit))


def fitted(text: Text, width: int, pad: bool = True) -> Text:
    """`text` as exactly `width` cells (at most, unless `pad`): cut with "…", padded
    with spaces, by render.cells, the measure of what is drawn."""
    plain = text.plain
    size = cell_width(plain)
    if size > width:  # the "…" takes the place, and the style, of the first character cut
        kept = fitting(plain, width - 1) if width else 0
        text = text[: kept + 1]
        text.plain = plain[:kept] + ("…" if width else "")
        size = cell_width(text.plain)
    if pad:
        text.pad_right(max(width - size, 0))
    return text


def short_date(seconds: int | None, now: datetime) -> str:
    """Time today, day and month this year, month and year before: 9 cells wide."""
    if seconds is None:
        return " " * 9
    moment = datetime.fromtimestamp(seconds)
    if moment.date() == now.date():
        return moment.strftime("%H:%M").ljust(9)
    if moment.year == now.year:
        return moment.strftime("%d %b").ljust(9)
    return moment.strftime("%b %Y").ljust(9)


def article_row(
    row: ArticleRow, *, show_feed: bool, now: datetime, snippet: str | None = None
) -> Text:
    """One line of the article list: flag, date, title (bold while unread), the feed,
    and for search results the matching extract with the terms highlighted."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("★ " if row.starred else ("● " if not row.read else "  "), style="bold")
    text.append(short_date(row.published, now), style="dim")
    text.append(shown(row.title, 2000) or UNTITLED, style="bold" if not row.read else "")
    if show_feed and row.feed_title:
        text.append(f" · {shown(row.feed_title, 200)}", style="dim italic")
    if snippet:
        text.append("  ")
        text.append_text(highlighted_snippet(snippet))
    return text


def highlighted_snippet(snippet: str) -> Text:
    """The store's snippet, its match markers turned into highlight spans.

    The markers are control characters: everything between them is kept as text,
    and clean_line then removes any stray marker.
    """
    text = Text(style="dim")
    for index, part in enumerate(snippet.replace(SNIPPET_END, SNIPPET_START).split(SNIPPET_START)):
        text.append(shown(part, 400), style="bold reverse" if index % 2 else "")
    return text


# How each kind of laid-out line looks in the reader; the layout itself is render's.
_STYLES = {
    BlockKind.HEADING: "bold",
    BlockKind.QUOTE: "italic",
    BlockKind.CODE: "cyan",
    BlockKind.IMAGE: "dim",
    BlockKind.RULE: "dim",
    BlockKind.LINKS: "dim",
    BlockKind.FOLDED: "dim italic",
}


def article_page(
    row: ArticleRow,
    summary: str,
    body: RenderedArticle,
    width: int,
    terms: tuple[str, ...] = (),
    note: str = "",
) -> Text:
    """The reader pane: title, feed · author · date, link, `note` (whose text this is),
    standfirst, then the body laid out at `width` cells by the same code as
    `tuinews show`; `terms` (a search's words) are highlighted.

    The link is shown as it opens (urls.shown_url), with what is wrong with its host
    under it."""
    page = Text(no_wrap=True)
    for text in wrap_paragraph(shown(row.title, 2000) or UNTITLED, width):
        page.append(text + "\n", style="bold")
    meta = [shown(row.feed_title, 200), shown(row.author, 200)]
    if row.published is not None:
        meta.append(datetime.fromtimestamp(row.published).strftime("%A %d %B %Y, %H:%M"))
    for text in wrap_paragraph(" · ".join(part for part in meta if part), width):
        page.append(text + "\n", style="dim")
    if row.link:
        page.append(shown(shown_url(row.link), 2000) + "\n", style="underline dim")
        if warning := host_warning(row.link):
            for text in wrap_paragraph(f"(careful: {warning})", width):
                page.append(text + "\n", style="bold")
    for text in wrap_paragraph(shown(note, 2000), width) if note else ():
        page.append(text + "\n", style="dim italic")  # whose text: the page's or the feed's
    if summary:
        page.append("\n")
        for text in wrap_paragraph(shown(summary, 4000), width):
            page.append(text + "\n", style="italic")
    for laid_out in layout(body, width):
        page.append("\n")
        page.append(for_terminal(laid_out.text), style=_STYLES.get(laid_out.kind, ""))
        if len(page) > READER_MAX_CHARS:
            page.append("\n\n[… the rest of this long article is not shown: o opens it]", "dim")
            break
    if terms:
        page.highlight_words(terms, "bold reverse", case_sensitive=False)
    return page

"""The reader's layout: what a person sees when an article body becomes terminal text."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuinews.models import ArticleBody, ContentKind
from tuinews.render import (
    Block,
    BlockKind,
    RenderedArticle,
    render_body,
    render_html,
    render_plain,
    to_text,
)
from tuinews.render.cells import cell_width
from tuinews.urls import is_openable

DATA = Path(__file__).resolve().parent / "data"
RENDER_PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tuinews" / "render"
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # everything but \n


def text_of(markup: str, width: int = 80, base_url: str = "") -> str:
    return to_text(render_html(markup, base_url), width)


def kinds(article: RenderedArticle) -> list[BlockKind]:
    return [block.kind for block in article.blocks]


def feed_bodies(name: str) -> list[tuple[str, str]]:
    """(body HTML, item link) of every entry, as the importer's feedparser call sees them."""
    parsed = feedparser.parse(str(DATA / "hostile" / name), sanitize_html=False)
    bodies = []
    for entry in parsed.entries:
        value = entry.content[0].value if entry.get("content") else entry.summary
        bodies.append((value, entry.get("link", "")))
    return bodies


# Structure


def test_paragraphs_are_separated_by_a_blank_line() -> None:
    article = render_html("<p>First  paragraph\n spans\tlines.</p><p>Second.</p>")
    assert article.blocks == (
        Block(BlockKind.PARAGRAPH, "First paragraph spans lines."),
        Block(BlockKind.PARAGRAPH, "Second."),
    )
    assert to_text(article) == "First paragraph spans lines.\n\nSecond."


def test_br_is_a_line_break_inside_the_paragraph() -> None:
    assert text_of("<p>12 High Street<br>Westbrook<br/><br><br>WB1 2AA</p>") == (
        "12 High Street\nWestbrook\n\nWB1 2AA"
    )


def test_long_paragraphs_wrap_at_the_width() -> None:
    text = text_of("<p>" + "word " * 100 + "</p>", width=40)
    lines = text.split("\n")
    assert len(lines) > 5
    assert all(len(line) <= 40 for line in lines)
    assert " ".join(lines) == " ".join(["word"] * 100)


def test_cell_width_is_what_a_terminal_draws() -> None:
    assert cell_width("plain") == 5
    assert cell_width("漢字") == 4  # wide
    assert cell_width("🎉") == 2  # emoji
    assert cell_width("e\u0301") == 1  # a combining accent takes no cell
    assert cell_width("a\u200bb") == 2  # nor does a zero-width space


def test_wide_characters_count_as_two_cells() -> None:
    text = text_of("<p>" + "漢字" * 50 + "</p>", width=30)
    assert all(len(line) <= 15 for line in text.split("\n"))
    assert text.replace("\n", "") == "漢字" * 50


def test_headings_stand_out() -> None:
    article = render_html("<h1>Title</h1><h2>Section</h2><h3>Detail</h3><p>Body</p>")
    assert [(b.kind, b.level, b.text) for b in article.blocks[:3]] == [
        (BlockKind.HEADING, 1, "Title"),
        (BlockKind.HEADING, 2, "Section"),
        (BlockKind.HEADING, 3, "Detail"),
    ]
    assert to_text(article) == "Title\n=====\n\nSection\n-------\n\n### Detail\n\nBody"


def test_nested_lists_indent_and_number() -> None:
    markup = """
    <ul>
      <li>Apples</li>
      <li>Pears
        <ol start="3"><li>Conference</li><li>Comice <em>pears</em></li></ol>
      </li>
      <li>Plums</li>
    </ul>
    """
    article = render_html(markup)
    assert [(b.kind, b.level, b.marker, b.text) for b in article.blocks] == [
        (BlockKind.LIST_ITEM, 1, "•", "Apples"),
        (BlockKind.LIST_ITEM, 1, "•", "Pears"),
        (BlockKind.LIST_ITEM, 2, "3.", "Conference"),
        (BlockKind.LIST_ITEM, 2, "4.", "Comice pears"),
        (BlockKind.LIST_ITEM, 1, "•", "Plums"),
    ]
    assert to_text(article) == "• Apples\n• Pears\n  3. Conference\n  4. Comice pears\n• Plums"


def test_list_items_have_a_hanging_indent() -> None:
    text = text_of("<ol><li>" + "long " * 30 + "</li></ol>", width=40)
    first, *rest = text.split("\n")
    assert first.startswith("1. long")
    assert rest and all(line.startswith("   long") for line in rest)


def test_unclosed_list_items_still_make_separate_items() -> None:
    article = render_html("<ol><li>one<li>two<li value=10>ten<li>eleven</ol>")
    assert [b.marker for b in article.blocks] == ["1.", "2.", "10.", "11."]


def test_paragraphs_inside_a_list_item_stay_under_it() -> None:
    text = text_of("<ul><li><p>Lead.</p><p>More about it.</p></li></ul><p>After.</p>")
    assert text == "• Lead.\n\n  More about it.\n\nAfter."


def test_blockquotes_are_barred_and_nest() -> None:
    markup = "<blockquote><p>Outer.</p><blockquote>Inner.</blockquote><p>Back.</p></blockquote>"
    article = render_html(markup)
    assert [(b.kind, b.level) for b in article.blocks] == [
        (BlockKind.QUOTE, 1),
        (BlockKind.QUOTE, 2),
        (BlockKind.QUOTE, 1),
    ]
    assert to_text(article) == "│ Outer.\n│\n│ │ Inner.\n│\n│ Back."


def test_a_list_inside_a_quote_stays_in_the_quote() -> None:
    text = text_of("<blockquote><p>Said:</p><ul><li>one</li><li>two</li></ul></blockquote>")
    assert text == "│ Said:\n│\n│ • one\n│ • two"


def test_pre_keeps_the_indentation_of_its_first_line() -> None:
    article = render_html("<pre>\n\n        indented()\n    less()\n</pre>")
    assert article.blocks == (Block(BlockKind.CODE, "        indented()\n    less()"),)


def test_pre_keeps_whitespace_exactly_and_is_never_wrapped() -> None:
    code = "def f(x):\n    if x:\n        return [x]  # " + "x" * 100
    article = render_html(f"<p>Code:</p><pre><code>{code}\n</code></pre><p>Done.</p>")
    assert article.blocks[1] == Block(BlockKind.CODE, code)
    lines = to_text(article, width=40).split("\n")
    assert lines[2:4] == ["    def f(x):", "        if x:"]
    assert lines[4] == "            return [x]  # " + "x" * 100


def test_tabs_in_code_are_expanded_for_the_terminal() -> None:
    text = text_of("<pre>a\tb</pre>")
    assert "\t" not in text
    assert text == "    a       b"


def test_table_columns_line_up_under_a_header() -> None:
    markup = """
    <table>
      <thead><tr><th>Town</th><th>Trees</th></tr></thead>
      <tr><td>Eastmere</td><td>1,204</td></tr>
      <tr><td>Harbourne on Sea</td><td>87</td></tr>
    </table>
    """
    article = render_html(markup)
    assert article.blocks == (
        Block(BlockKind.TABLE, "Town\tTrees\nEastmere\t1,204\nHarbourne on Sea\t87", 1),
    )
    assert to_text(article).split("\n") == [
        "Town              Trees",
        "────────────────  ─────",
        "Eastmere          1,204",
        "Harbourne on Sea     87",
    ]


def test_too_wide_tables_truncate_cells_to_fit() -> None:
    markup = "<table><tr><td>" + "a" * 60 + "</td><td>" + "b" * 60 + "</td><td>c</td></tr></table>"
    line = text_of(markup, width=50)
    assert len(line) <= 50
    assert "…" in line
    assert line.endswith("  c")


def test_layout_tables_read_as_text() -> None:
    markup = "<table><tr><td>Menu</td><td><h2>Story</h2><p>Body text.</p></td></tr></table>"
    article = render_html(markup)
    assert [(b.kind, b.text) for b in article.blocks] == [
        (BlockKind.PARAGRAPH, "Menu"),
        (BlockKind.HEADING, "Story"),
        (BlockKind.PARAGRAPH, "Body text."),
    ]


def test_horizontal_rule() -> None:
    article = render_html("<p>a</p><hr><p>b</p>")
    assert kinds(article) == [BlockKind.PARAGRAPH, BlockKind.RULE, BlockKind.PARAGRAPH]
    assert to_text(article, width=30).split("\n")[2] == "─" * 30


# Links


def test_links_are_numbered_inline_and_listed_at_the_end() -> None:
    markup = (
        '<p>See <a href="/report.pdf">the report</a> and <a href="https://other.example/">'
        'this</a>, then <a href="../report.pdf">the report again</a>.</p>'
    )
    article = render_html(markup, base_url="https://news.example/2025/story")
    assert article.links == ("https://news.example/report.pdf", "https://other.example/")
    assert to_text(article) == (
        "See the report [1] and this [2], then the report again [1].\n\n"
        "Links:\n[1] https://news.example/report.pdf\n[2] https://other.example/"
    )


def test_a_link_showing_its_own_url_gets_one_number() -> None:
    url = "https://news.example/a"
    article = render_html(f'<p><a href="{url}">{url}</a></p>')
    assert article.blocks[0].text == f"{url} [1]"
    assert article.links == (url,)


def test_dangerous_schemes_are_listed_but_marked_not_opened() -> None:
    markup = (
        '<p>Click <a href="javascript:alert(1)">here</a> or '
        '<a href=" JaVa\tScRiPt:alert(2)">there</a> or <a href="file:///etc/passwd">this</a> '
        'or <a href="https://ok.example/">that</a> now.</p>'
    )
    article = render_html(markup, base_url="https://news.example/")
    assert article.blocks[0].text == "Click here [1] or there [2] or this [3] or that [4] now."
    assert [is_openable(url) for url in article.links] == [False, False, False, True]
    listing = to_text(article).split("Links:\n")[1].split("\n")
    assert listing == [
        "[1] (not opened) javascript:alert(1)",
        "[2] (not opened) JaVaScRiPt:alert(2)",
        "[3] (not opened) file:///etc/passwd",
        "[4] https://ok.example/",
    ]


def test_in_page_anchors_and_empty_links_are_not_numbered() -> None:
    article = render_html('<p><a href="#top">Top</a> <a href="">x</a> <a href="/y"></a></p>')
    assert article.blocks[0].text == "Top x"
    assert article.links == ()


def test_relative_links_without_a_base_are_not_openable() -> None:
    article = render_html('<a href="../../etc/passwd">up</a> <a href="//evil.example/">p</a>')
    assert len(article.links) == 2
    assert not any(is_openable(url) for url in article.links)


# Images and dropped content


def test_images_are_placeholders_never_fetched() -> None:
    markup = (
        '<figure><img src="https://cdn.example/a.jpg" alt="A lamp"><figcaption>Caption.'
        '</figcaption></figure><p>Inline <img src="x.png"> image and '
        '<img src="pixel.gif" width="1" height="1"> a tracking pixel.</p>'
    )
    article = render_html(markup)
    assert article.blocks[0] == Block(BlockKind.IMAGE, "A lamp")
    assert article.blocks[1] == Block(BlockKind.PARAGRAPH, "Caption.")
    assert article.blocks[2].text == "Inline [image] image and a tracking pixel."
    assert to_text(article).startswith("[image: A lamp]\n\nCaption.")
    assert article.links == ()


def test_scripts_styles_embeds_and_comments_are_dropped_with_their_content() -> None:
    markup = (
        "<style>p { color: red }</style><p>Kept<script>alert('SCRIPT')</script> text"
        "<!-- COMMENT --></p><template><p>TEMPLATE</p></template><noscript>NOSCRIPT</noscript>"
        "<iframe src='x'>IFRAME</iframe><object>OBJECT</object><svg><title>SVG</title></svg>"
        "<custom-tag>Unknown tags keep their text</custom-tag>"
    )
    text = text_of(markup)
    assert text == "Kept text\n\nUnknown tags keep their text"


def test_unclosed_script_hides_the_rest_not_shows_it() -> None:
    assert text_of("<p>Before</p><script>var secret = '<p>x</p>'") == "Before"


# Hostile text


def test_escape_sequences_hidden_as_entities_never_come_out() -> None:
    markup = (
        "<p>Clear &#27;[2J&#x1b;[H screen, 8-bit &#x9b;31m red, OSC &#157;0;title&#156; end"
        "&#7;.</p><img alt='&#27;]52;c;aGk=&#7; alt'><a href='https://x.example/&#27;[2J' "
        "title='&#x1b;]8;;https://evil.example/&#7;'>link</a>"
    )
    article = render_html(markup)
    everything = [block.text for block in article.blocks] + list(article.links)
    assert not any(CONTROL.search(text) for text in everything)
    text = to_text(article)
    assert not CONTROL.search(text)
    for words in ("Clear", "screen, 8-bit", "red, OSC", "end.", "alt", "link [1]"):
        assert words in text


def test_markup_like_text_comes_out_literally() -> None:
    markup = (
        "<p>[bold red]PWNED[/] and [link=https://evil.example]x[/link] :warning: {0} %s</p>"
        '<pre>matrix[i][j] = grid[/]\nregex = r"[^\\]]+[/]"</pre>'
    )
    article = render_html(markup)
    assert article.blocks[0].text == (
        "[bold red]PWNED[/] and [link=https://evil.example]x[/link] :warning: {0} %s"
    )
    assert article.blocks[1].text == 'matrix[i][j] = grid[/]\nregex = r"[^\\]]+[/]"'
    assert article.links == ()


@pytest.mark.parametrize(
    "markup",
    [
        "<p>unclosed <b>bold <i>both",
        "</p></div></li></ul></blockquote></table></pre>stray closers",
        "<ul><li>one<ol><li>two</ul></blockquote>after",
        "<table><tr><td>a<td>b<tr><th>c",
        "<pre><pre>nested</pre>",
        "<![if !supportLists]>x<![endif]><![weird[ y ]]>",
        "<!DOCTYPE html><html><head><title>T</title></head><body><p>doc",
        "<a href='http://[::1'>bad host</a><a href='https://ok.example/'><a href='/b'>x</a>",
        "<ol start=99999999999999999999><li value='-'>big</li></ol>",
        '<p>truncated <a href="https://example',
        "<!-- unterminated comment <p>hidden",
        "<h2>heading <p>with a paragraph",
        "<img alt><img><a>no href</a>&bogus; &#xZZ; &#99999999; &",
    ],
)
def test_malformed_html_never_raises(markup: str) -> None:
    text = text_of(markup, base_url="https://news.example/")
    assert not CONTROL.search(text)
    assert "<" not in text


def test_truncated_document_keeps_its_text_and_drops_the_half_tag() -> None:
    assert text_of('<p>Cut off here <a href="https://exa') == "Cut off here"


def test_deep_nesting_stays_bounded() -> None:
    markup = "<ul><li>x" * 5_000 + "<blockquote>" * 5_000 + "deep"
    lines = text_of(markup).split("\n")
    assert max(map(len, lines)) < 80


def test_a_five_megabyte_body_is_laid_out_whole() -> None:
    """How long it takes is bench/bench_render.py's business; here, that nothing is lost."""
    paragraph = '<p>Word <b>bold</b> <a href="/l{0}">link</a> &amp; more words here.</p>\n'
    count = 5_000_000 // len(paragraph)
    markup = "".join(paragraph.format(n % 50) for n in range(count))
    markup += "<pre>" + "x" * 200_000 + "</pre><p>" + "y" * 1_000_000 + "</p>"
    article = render_html(markup, base_url="https://news.example/")
    text = to_text(article)
    assert text.count("Word bold link [") == count
    assert "\n    " + "x" * 200_000 + "\n" in text  # preformatted: indented, never wrapped
    wrapped = [line for line in text.split("\n") if line.startswith("y")]
    assert sum(map(len, wrapped)) == 1_000_000 and max(map(len, wrapped)) <= 80
    assert len(article.links) == 50
    assert text.endswith("[50] https://news.example/l49")


HTML_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<br>", "<li>", "<ul>", "</ul>", "<ol start=2>", "</ol>", "<pre>", "</pre>",
        "<blockquote>", "</blockquote>", "<table>", "<tr>", "<td>", "<th>", "</table>", "<h2>",
        "</h2>", "<hr>", "<a href='/x'>", "<a href='javascript:x'>", "</a>", "<img alt='a'>",
        "<script>", "</script>", "<!--", "-->", "<![x[", "&#27;", "&#x9b;", "&#157;", "&amp",
        "\x1b[2J", "\x07", "\t", "\n", "[bold]", "<", ">", "漢", "\u202e",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(HTML_PIECES, st.text(max_size=5))).map("".join)))
def test_any_input_renders_without_control_characters(markup: str) -> None:
    article = render_html(markup, base_url="https://news.example/")
    assert not CONTROL.search(to_text(article, width=30))
    assert not CONTROL.search(to_text(render_plain(markup), width=30))


# Plain text and dispatch


def test_plain_text_paragraphs_join_hard_wrapped_lines() -> None:
    text = (
        "The council voted by six to five on Tuesday night to fund the ferry\n"
        "service from its reserves, overturning its own finance committee.\n"
        "\n  \n"
        "Second paragraph.\r\n\r\nThird\x1b[2J one."
    )
    article = render_plain(text)
    assert [block.text for block in article.blocks] == [
        "The council voted by six to five on Tuesday night to fund the ferry service from its"
        " reserves, overturning its own finance committee.",
        "Second paragraph.",
        "Third one.",
    ]
    assert to_text(article, width=100).count("\n\n") == 2


def test_plain_text_with_one_paragraph_per_line_keeps_every_line_a_paragraph() -> None:
    """Saved or scraped news: no blank lines, each paragraph one long line."""
    paragraphs = [
        "Harbourne's last passenger ferry will keep running until at least the spring of 2028"
        " after the town council voted by six to five on Tuesday night.",
        "Council officers had proposed ending the subsidy in October, arguing that passenger"
        " numbers had fallen by almost a third since the new road bridge opened upstream.",
        "Reaction",
        '"The ferry is eight minutes," said one parent, who addressed the meeting on behalf'
        " of a group of families from the far side of the estuary.",
    ]
    article = render_plain("\n".join(paragraphs))
    assert [block.text for block in article.blocks] == paragraphs
    assert to_text(article, width=80).count("\n\n") == 3


def test_plain_text_keeps_line_breaks_of_verse_lists_and_code() -> None:
    article = render_plain(
        "Roses are red,\nViolets are blue.\n\n- bread\n- milk\n\n    if x:\n        y()"
    )
    assert article.blocks == (
        Block(BlockKind.PARAGRAPH, "Roses are red,\nViolets are blue."),
        Block(BlockKind.PARAGRAPH, "- bread\n- milk"),
        Block(BlockKind.CODE, "if x:\n    y()"),
    )


def test_plain_text_code_at_the_start_keeps_its_indentation() -> None:
    article = render_plain("\n    for x in xs:\n        print(x)\n\nDone.")
    assert article.blocks[0] == Block(BlockKind.CODE, "for x in xs:\n    print(x)")


def test_render_body_dispatches_on_content_kind() -> None:
    html_body = ArticleBody(1, "", ContentKind.HTML, "<p>[b]x[/b] <b>y</b></p>", "ignored")
    text_body = ArticleBody(2, "", ContentKind.TEXT, "", "<p>not markup</p>")
    assert to_text(render_body(html_body)) == "[b]x[/b] y"
    assert to_text(render_body(text_body)) == "<p>not markup</p>"


def test_empty_bodies_render_to_nothing() -> None:
    assert render_html("") == RenderedArticle((), ())
    assert to_text(render_plain("  \n\n ")) == ""


# Shared corpus files (copied into tests/data)


def test_library_repair_cafe_article_reads_well() -> None:
    markup = (DATA / "articles" / "library_repair_cafe.html").read_text(encoding="utf-8")
    article = render_html(markup, base_url="https://westbrook-courier.example/news/")
    text = to_text(article, width=72)
    assert all(len(line) <= 72 for line in text.split("\n"))
    assert text.startswith("Library Opens Monthly Repair Café for Broken Appliances\n=====")
    assert text.count("Library Opens Monthly Repair Café") == 1  # <title> is not shown
    assert "\n\nLearning, not just fixing\n-------------------------\n\n" in text
    assert "[image: Volunteers at long tables repairing a lamp and a toaster]" in text
    assert "By the Westbrook Courier news desk · 8 March 2025" in text
    assert any(
        "“Most things that get thrown away have one small fault,” she said." in block.text
        for block in article.blocks
    )
    assert [b.kind for b in article.blocks].count(BlockKind.LIST_ITEM) == 3
    assert "details are on the library's website [1]." in text
    assert article.links == ("https://westbrook-library.example/repair-cafe",)
    assert not re.search(r"<\w|&\w+;", text)


def test_rich_markup_in_html_bodies_stays_literal() -> None:
    bodies = feed_bodies("rich_markup_in_html_body.xml")
    rendered = [render_html(body, link) for body, link in bodies]
    texts = [to_text(article) for article in rendered]
    assert texts[0].startswith(
        "[bold red]PWNED[/] in a paragraph, [link=https://evil.example]fake link[/link],"
    )
    assert "[link=https://feeds.example/safe]Looks safe[/link] [1]" in texts[1]
    assert "[image: [@click=app.quit]alt[/]]" in texts[1]
    code = 'matrix[i][j] = grid[/]\nprint(f"[{x}]")\nregex = r"[^\\]]+[/]"'
    assert rendered[2].blocks[0] == Block(BlockKind.CODE, code)
    assert "• [/]\n• [\n• ]" in texts[2]
    assert texts[3].startswith("[blink]Heading[/blink]\n")
    assert "│ [dim]quote[/dim]" in texts[3]
    assert "[/td]  [@click=app.toggle_dark]x[/]" in texts[3]
    all_links = [url for article in rendered for url in article.links]
    assert all_links == ["https://evil.example/steal"]


def test_ansi_hidden_in_escaped_html_never_reaches_the_terminal() -> None:
    bodies = feed_bodies("ansi_in_escaped_html.xml")
    texts = [to_text(render_html(body, link)) for body, link in bodies]
    assert len(texts) == 3
    for text in texts:
        assert not CONTROL.search(text)
    assert "Paragraph" in texts[0] and "with an HTML numeric entity for ESC." in texts[0]
    assert "Hex form" in texts[0] and "red" in texts[0]
    assert "Copy this:" in texts[1] and "Link:" in texts[1] and "bank" in texts[1]
    for words in ("8-bit CSI", "and an attribute", "[image:", "plus link [1]"):
        assert words in texts[2]


def test_render_imports_neither_textual_nor_rich() -> None:
    sources = sorted(RENDER_PACKAGE.glob("*.py"))
    assert len(sources) > 1
    imported: set[str] = set()
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        imported |= {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
    roots = {name.split(".")[0] for name in imported}
    assert roots <= set(sys.stdlib_module_names) | {"__future__", "tuinews"}

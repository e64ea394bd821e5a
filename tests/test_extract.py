"""A web page → the main text a reader shows (tuinews.extract).

Small hand-written pages check what a user would notice: the article wins over the page
around it, links and pictures point where they should, nothing a page's scripts or
controls try reaches the terminal, and a page with nothing to read says so. The corpus
test scores the text `tuinews show` would print for 152 real pages against plain
trafilatura, in the same run.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from conftest import ROOT, SHARED_CORPUS
from extraction_score import Score, flat

from tuinews.extract import ExtractedPage, extract_page
from tuinews.models import NotAnArticle
from tuinews.render import BlockKind, render_html, to_text

URL = "https://news.example/world/2024/harbour-bridge.html"

# Invented prose, long enough for an extractor to take it for an article.
PARAGRAPHS = (
    "The old harbour bridge will close for eight months from March while engineers "
    "replace the steel deck that has carried traffic across the estuary since 1962.",
    "Council engineers said the deck had corroded faster than expected after three wet "
    "winters, and that patching it again would only buy a year or two at most.",
    "Ferries will run every fifteen minutes during the closure, and a temporary footbridge "
    "for pedestrians and cyclists is due to open in the second week of the works.",
    "Shop owners on the north bank worry about losing passing trade, but the chamber of "
    "commerce said most customers already arrive by bus or on foot these days.",
)


def page(article: str, *, head: str = "", around: bool = True) -> str:
    """A news page: the article inside <main>, with a site's usual furniture around it."""
    furniture_top = """
      <div class="cookie-banner"><p>We use cookies to improve your experience.
        <button>Accept all cookies</button></p></div>
      <header><nav><ul><li><a href="/">Home</a></li><li><a href="/world/">World</a></li>
        <li><a href="/sport/">Sport</a></li></ul></nav></header>"""
    furniture_bottom = """
      <aside class="most-read"><h2>Most read</h2><ol>
        <li><a href="/a.html">Celebrity chef opens third restaurant</a></li>
        <li><a href="/b.html">Ten things to do this weekend</a></li></ol></aside>
      <footer><p>Copyright 2024 Harbour Daily News Group. All rights reserved.</p>
        <p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p>
      </footer>"""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge to close for repairs | Harbour Daily</title>{head}</head>
<body>{furniture_top if around else ""}
<main><article>{article}</article></main>{furniture_bottom if around else ""}
</body></html>"""


def story(*extra: str, headline: str = "Harbour bridge to close for repairs") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return f"<h1>{headline}</h1>{paragraphs}{''.join(extra)}"


def shown(extracted: ExtractedPage, url: str = URL) -> str:
    """The text `tuinews show` prints for the stored HTML."""
    return to_text(render_html(extracted.html, url))


# ---------------------------------------------------------------- the article wins


def test_the_article_is_shown_without_the_page_around_it() -> None:
    extracted = extract_page(page(story()).encode(), URL)
    text = flat(shown(extracted))
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    for furniture in ("cookies", "Accept all", "Home", "Sport", "Most read", "Celebrity chef",
                      "Copyright", "Privacy policy"):  # fmt: skip
        assert furniture not in text, furniture


def test_the_headline_is_the_title_and_not_repeated_above_the_text() -> None:
    extracted = extract_page(page(story()).encode(), URL)
    assert extracted.title == "Harbour bridge to close for repairs"
    assert shown(extracted).startswith("The old harbour bridge will close")


def test_a_newsletter_sign_up_box_inside_the_article_is_left_out() -> None:
    box = (
        '<section class="Newsletter-Box"><h3>Never miss a story</h3><p>Get the Harbour Daily '
        "briefing in your inbox every morning, with the stories that matter on both banks "
        "of the estuary.</p></section>"
    )
    article = story(box, f"<p>{PARAGRAPHS[0]} Later on.</p>")
    text = flat(shown(extract_page(page(article), URL)))
    assert PARAGRAPHS[0] + " Later on." in text
    assert "briefing in your inbox" not in text


def test_the_same_page_gives_the_same_text_every_time() -> None:
    """A refresh must not change a stored article because the extractor remembers pages."""
    data = page(story()).encode()
    assert len({extract_page(data, URL) for _ in range(4)}) == 1


# ---------------------------------------------------------------- links and pictures


def test_relative_links_and_images_point_where_a_browser_would_go() -> None:
    article = story(
        '<p>Read <a href="../2023/ferry-timetable.html">the ferry timetable</a> and '
        '<a href="/transport/">our transport pages</a> before you travel this spring.</p>'
        '<figure><img src="pictures/deck.jpg" alt="The corroded deck"></figure>'
        f"<p>{PARAGRAPHS[1]}</p>"
    )
    extracted = extract_page(page(article).encode(), URL)
    assert '<a href="https://news.example/world/2023/ferry-timetable.html">' in extracted.html
    assert '<a href="https://news.example/transport/">' in extracted.html
    assert 'src="https://news.example/world/2024/pictures/deck.jpg"' in extracted.html
    links = render_html(extracted.html, "").links  # no base needed: already absolute
    assert "https://news.example/world/2023/ferry-timetable.html" in links
    assert "[image: The corroded deck]" in shown(extracted)


def test_a_base_href_decides_what_links_are_relative_to() -> None:
    head = '<base href="https://cdn.news.example/archive/">'
    article = story('<p>See <a href="maps/estuary.html">the estuary map</a> for detours.</p>')
    extracted = extract_page(page(article, head=head), URL)
    assert '<a href="https://cdn.news.example/archive/maps/estuary.html">' in extracted.html


def test_only_web_links_are_kept_and_their_words_stay() -> None:
    article = story(
        '<p>Do not <a href="javascript:alert(1)">click this</a>, nor '
        '<a href="data:text/html,hi">this one</a>, nor <a href="#top">this anchor</a>, '
        "but the words around them are part of the article text all the same.</p>"
    )
    extracted = extract_page(page(article), URL)
    assert "javascript:" not in extracted.html and "data:" not in extracted.html
    assert "#top" not in extracted.html
    text = flat(shown(extracted))
    assert "Do not click this, nor this one, nor this anchor, but the words" in text


def test_the_lead_image_is_absolute() -> None:
    head = '<meta property="og:image" content="/pictures/bridge-lead.jpg">'
    extracted = extract_page(page(story(), head=head), URL)
    assert extracted.image == "https://news.example/pictures/bridge-lead.jpg"


# ---------------------------------------------------------------- hostile content


def test_text_that_a_script_writes_is_not_shown() -> None:
    article = story(
        '<script>document.write("<p>Win a free cruise: click now and claim</p>")</script>',
        "<p>The works were approved by the council by nine votes to two on Tuesday.</p>",
    )
    extracted = extract_page(page(article), URL)
    assert "free cruise" not in shown(extracted)
    assert "<script" not in extracted.html and "document.write" not in extracted.html
    assert "nine votes to two" in shown(extracted)


def test_controls_and_markup_like_text_come_through_as_literal_text() -> None:
    article = story(
        "<p>Engineers wrote [bold]urgent[/bold] and [link=https://evil.example]here[/link] "
        "on the \x1b[31mred\x1b[0m form &#27;]52;c;bad&#7; twice \u202eevil\u202c today.</p>"
    )
    extracted = extract_page(page(article).encode(), URL)
    text = shown(extracted)
    assert "[bold]urgent[/bold] and [link=https://evil.example]here[/link]" in text
    assert "on the red form" in flat(text)
    for stored in (extracted.html, text, extracted.title):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", stored), stored


def test_a_page_in_a_legacy_encoding_reads_right() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    german = (
        "Die Brücke über die Förde bleibt acht Monate gesperrt, während die Straße "
        "erneuert wird; Fähren fahren alle fünfzehn Minuten, Kosten: 12 € pro Jahr."
    )
    data = page(story(f"<p>{german}</p>"), head=head).replace('<meta charset="utf-8">', "")
    extracted = extract_page(data.encode("cp1252"), URL)
    assert german in flat(shown(extracted))


def test_the_charset_a_server_declares_is_believed() -> None:
    russian = "Мост закроют на восемь месяцев, пока инженеры меняют стальной настил."
    data = page(story(f"<p>{russian} {russian}</p>")).replace('<meta charset="utf-8">', "")
    extracted = extract_page(data.encode("koi8-r"), URL, charset="koi8-r")
    assert russian in flat(shown(extracted))


def test_no_network_is_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is given; nothing in the extraction may fetch (not even its lead image)."""

    def refuse(*args: object) -> None:
        raise AssertionError("extract_page tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    head = '<meta property="og:image" content="https://images.news.example/lead.jpg">'
    article = story('<img src="https://images.news.example/deck.jpg" alt="Deck">')
    assert extract_page(page(article, head=head), URL).image


def test_a_page_larger_than_the_cap_is_refused_unread() -> None:
    data = page(story()).encode()
    with pytest.raises(NotAnArticle, match="larger than 1 MB"):
        extract_page(data + b" " * (1024 * 1024), URL, max_bytes=1024 * 1024)
    assert extract_page(data, URL, max_bytes=len(data)).html


# ---------------------------------------------------------------- pages with nothing to read


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
        (page("", around=True), "without main text"),
        (
            page(
                "<h1>Page not found</h1><p>Sorry, the page you asked for does not exist. "
                "Try the search box or go back to the front page.</p>"
            ).replace("Harbour bridge to close for repairs", "404 Not Found"),
            "an error page",
        ),
        (
            page(
                "<h2>Subscribers only</h2><p>Log in to continue reading this article.</p>"
                '<form><input type="email" name="email"><input type="password" name="pw">'
                "<button>Log in</button></form><p>Not a subscriber? Subscribe from 1 a week "
                "and read everything on Harbour Daily, on any device.</p>"
            ),
            "behind a login",
        ),
    ],
    ids=["nothing", "blank", "a picture", "only furniture", "404", "login wall"],
)
def test_a_page_without_an_article_says_why(data: bytes | str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as raised:
        extract_page(data, URL)
    assert str(raised.value) == reason


# ---------------------------------------------------------------- structure the reader lays out


def test_headings_lists_quotes_and_code_keep_their_shape() -> None:
    article = story(
        "<h2>What changes for drivers</h2>"
        "<ul><li>The north ramp closes first.</li><li>Lorries use the ring road.</li></ul>"
        "<blockquote><p>We have no choice but to do it now, said the engineer.</p></blockquote>"
        "<p>Run <code>bridge --status</code> in the council app to see the state of works.</p>"
        "<pre><code>closed: 2025-03-01\nreopens: 2025-11-01</code></pre>"
        f"<p>{PARAGRAPHS[2]}</p>"
    )
    blocks = render_html(extract_page(page(article), URL).html, URL).blocks
    kinds = {(block.kind, block.text) for block in blocks}
    assert (BlockKind.HEADING, "What changes for drivers") in kinds
    assert (BlockKind.LIST_ITEM, "Lorries use the ring road.") in kinds
    assert (BlockKind.QUOTE, "We have no choice but to do it now, said the engineer.") in kinds
    # Inline code stays inside its sentence; a code block keeps its lines.
    sentence = "Run bridge --status in the council app to see the state of works."
    assert (BlockKind.PARAGRAPH, sentence) in kinds
    assert (BlockKind.CODE, "closed: 2025-03-01\nreopens: 2025-11-01") in kinds


def test_a_data_table_stays_a_table_and_a_layout_table_reads_as_paragraphs() -> None:
    data_table = (
        "<table><tr><th>Month</th><th>Ferries</th><th>Buses</th></tr>"
        "<tr><td>March</td><td>96</td><td>40</td></tr>"
        "<tr><td>April</td><td>96</td><td>44</td></tr></table>"
    )
    prose = PARAGRAPHS[3] + " " + PARAGRAPHS[2]
    layout_table = f"<table><tr><td><p>{prose}</p></td><td><p>{PARAGRAPHS[1]}</p></td></tr></table>"
    extracted = extract_page(page(story(data_table, layout_table)), URL)
    blocks = render_html(extracted.html, URL).blocks
    tables = [block for block in blocks if block.kind == BlockKind.TABLE]
    assert [table.text for table in tables] == [
        "Month\tFerries\tBuses\nMarch\t96\t40\nApril\t96\t44"
    ]
    # Prose laid out in table cells is not squeezed into truncated columns.
    assert prose in flat(shown(extracted))


# ---------------------------------------------------------------- metadata


def published(meta: str) -> int | None:
    head = f'<meta property="article:published_time" content="{meta}">'
    return extract_page(page(story(), head=head, around=False), URL).published


def test_the_publication_date_and_its_time_zone_are_kept() -> None:
    expected = datetime(2021, 3, 4, 8, 20, 30, tzinfo=UTC).timestamp()
    assert published("2021-03-04T10:20:30+02:00") == expected


@pytest.mark.parametrize("when", ["1985-06-01T12:00:00Z", "2090-01-01T00:00:00Z", "next week"])
def test_an_unbelievable_date_is_no_date(when: str) -> None:
    assert published(when) is None


def test_a_copyright_year_is_no_publication_date() -> None:
    """The page's footer says "Copyright 2024" and nothing else has a date."""
    assert extract_page(page(story()), URL).published is None


def test_a_date_later_today_is_believed() -> None:
    soon = time.time() + 3600
    stamp = datetime.fromtimestamp(soon, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert published(stamp) == int(soon)


def test_the_author_is_kept() -> None:
    head = '<meta name="author" content="Jo Marsh">'
    assert extract_page(page(story(), head=head), URL).author == "Jo Marsh"


# ---------------------------------------------------------------- start-up cost


def test_the_cli_starts_without_loading_the_extractor() -> None:
    """trafilatura costs 0.2-1 s to import: `tuinews --help` must not pay it. The same
    process then extracts a page, to show that the check does see trafilatura."""
    code = (
        "import sys\n"
        "from tuinews.cli import main\n"
        "import tuinews.extract\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'trafilatura', 'lxml'})\n"
        "before = heavy()\n"
        "tuinews.extract.extract_page(sys.argv[1], 'https://news.example/a')\n"
        "print(before, heavy(), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, page(story())],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[] ['lxml', 'trafilatura']"


# ---------------------------------------------------------------- the shared corpus

CORPUS = SHARED_CORPUS / "extraction"


def test_on_real_pages_no_article_text_is_lost_against_plain_trafilatura() -> None:
    if not (CORPUS / "expected.json").is_file():
        pytest.skip(
            f"the extraction corpus is not here ({CORPUS}); it lives only in the shared corpus"
        )
    import trafilatura

    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    ours, folded, plain = Score(), Score(), Score()
    refused: list[str] = []
    for name, facts in sorted(expected.items()):
        data = (CORPUS / "pages" / name).read_bytes()
        url = facts["url"].strip()
        try:
            extracted = extract_page(data, facts["url"])
        except NotAnArticle as why:
            refused.append(f"{name} ({why})")
            ours.add("", facts)
            folded.add("", facts)
        else:
            ours.add(shown(extracted, url), facts)
            folded.add(reader_mode_text(extracted, url), facts)
        plain.add(trafilatura.extract(data) or "", facts)
    print(f"\n{len(expected)} pages; refused: {', '.join(refused) or 'none'}")
    print(ours.line("tuinews extract_page + render"))
    print(folded.line("... and reader mode's folding"))
    print(plain.line("plain trafilatura.extract"))
    assert ours.recall >= plain.recall - 0.005, (ours.line("ours"), plain.line("plain"))
    assert ours.f1 >= plain.f1 - 0.01, (ours.line("ours"), plain.line("plain"))
    # Reader mode loses no more story than trafilatura alone, and lets fewer appeals by.
    assert folded.recall >= plain.recall - 0.005, (folded.line("folded"), plain.line("plain"))
    assert folded.appeals < plain.appeals and folded.appeals <= ours.appeals


def reader_mode_text(extracted: ExtractedPage, url: str) -> str:
    """What the reader shows of a page with reader mode's folding (one article alone,
    so only the lexicon and the excerpt rule can fold: no feed to repeat across)."""
    from tuinews.fold import Fold, fold_blocks, fold_line
    from tuinews.render import Block, RenderedArticle

    rendered = render_html(extracted.html, url)
    items = fold_blocks(rendered.blocks).items()
    blocks = [
        item if isinstance(item, Block) else Block(BlockKind.FOLDED, fold_line(item))
        for item in items
        if isinstance(item, Block | Fold)
    ]
    return to_text(RenderedArticle(tuple(blocks), rendered.links))

"""Documents that name no encoding are read in the one they are in, not as windows-1252.

A feed in EUC-JP or windows-1255 with no XML declaration, served with no charset (or read
from a file), used to reach the library as mojibake ("Åìµþ¤Î" for "東京の"). feedparser
asks a charset detector about such documents; one that is valid UTF-8 is UTF-8 and never
goes to the detector.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_checks import articles_json, feeds_json, import_source, show, show_body

from tuinews.parse.fastpath import NeedsFeedparser, parse_plain_feed
from tuinews.parse.feeds import parse_document

TEXTS = {
    "euc-jp": (
        "東京の桜が満開になりました",
        "今年の春は例年より暖かく、東京都内の公園では桜が一斉に咲き始めました。"
        "多くの人々が週末の花見を楽しみにしています。",
    ),
    "windows-1255": (
        "הממשלה אישרה את תקציב המדינה",
        "לאחר דיון ארוך בכנסת, הממשלה אישרה הלילה את תקציב המדינה לשנה הבאה. "
        "השרים הביעו שביעות רצון מהתוצאה.",
    ),
}


def undeclared_feed(encoding: str) -> bytes:
    """A plain RSS 2.0 feed in `encoding`, with no XML declaration."""
    title, body = TEXTS[encoding]
    return (
        '<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example/</link>\n"
        f"<item><title>{title}</title><guid>n-1</guid><link>https://news.example/1</link>"
        f"<description>{body}</description></item>\n"
        "</channel></rss>\n"
    ).encode(encoding)


@pytest.mark.parametrize("encoding", TEXTS)
def test_undeclared_encoding_from_a_file_reads_right(cli, tmp_path: Path, encoding: str) -> None:
    title, body = TEXTS[encoding]
    feed = tmp_path / "news.xml"
    feed.write_bytes(undeclared_feed(encoding))
    import_source(cli, feed)
    (listed,) = feeds_json(cli)
    assert listed["title"] == title
    (article,) = articles_json(cli)
    assert article["title"] == title
    shown = show_body(show(cli, article["id"]))
    assert "".join(shown.split()) == "".join(body.split())  # as wrapped on screen


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", "application/xml"])
@pytest.mark.parametrize("encoding", TEXTS)
def test_undeclared_encoding_served_without_charset_reads_right(
    encoding: str, content_type: str
) -> None:
    title, body = TEXTS[encoding]
    parsed = parse_document(undeclared_feed(encoding), content_type)
    assert parsed.title == title
    (article,) = parsed.articles
    assert (article.title, article.content_text) == (title, body)
    with pytest.raises(NeedsFeedparser):  # the fast path reads UTF-8 only
        parse_plain_feed(undeclared_feed(encoding))


def test_valid_utf8_served_as_text_xml_is_not_sent_to_the_detector(monkeypatch) -> None:
    """text/xml with no charset means US-ASCII by RFC 3023; a document that is valid UTF-8
    and names no encoding is read as UTF-8 without the detector's time (~65 ms a MB) or
    its guess."""
    import chardet  # a dependency; imported here so the tests above run without it

    asked: list[int] = []

    def detect(data: bytes) -> dict:
        asked.append(len(data))
        return {"encoding": "windows-1252"}

    monkeypatch.setattr(chardet, "detect", detect)
    rdf = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/">'
        "<channel><title>Café – “Naïve” news</title></channel>"
        '<item rdf:about="https://news.example/1"><title>Crème brûlée</title>'
        "<link>https://news.example/1</link></item>"
        "</rdf:RDF>"
    ).encode()
    parsed = parse_document(rdf, "text/xml")
    assert parsed.title == "Café – “Naïve” news"
    assert parsed.articles[0].title == "Crème brûlée"
    assert asked == []

"""The fast path and feedparser give the same ParsedFeed for every document the fast path takes.

A feed read by the fast path today may go through feedparser tomorrow (one broken byte is
enough): any field the two read differently changes on its own, and a different identity
duplicates every article. So wherever the fast path accepts a document, its ParsedFeed
(title, site URL, every field of every article, its change hash) must equal feedparser's
exactly; a shape it cannot read the same way it must leave to feedparser.

The documents: the shared corpora (feedparser's test feeds, skipped when absent; our
hostile ones; the article files), a corpus made by the benchmark's generator, and the
shapes below, each a way an RSS 2.0 or Atom 1.0 document can say something feedparser
reads into one of those fields.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SHARED_CORPUS

from tuinews.models import NotAFeed, ParsedFeed
from tuinews.parse.fastpath import NeedsFeedparser, parse_plain_feed
from tuinews.parse.feeds import parse_with_feedparser

CORPUS_FOLDERS = [SHARED_CORPUS / "feedparser", DATA / "hostile", SHARED_CORPUS / "articles"]
NOT_DOCUMENTS = {".md", ".py"}
GENERATOR = ROOT / "bench" / "gen_corpus.py"


def differences(data: bytes) -> list[str] | None:
    """None when the fast path steps aside; else how its reading differs from feedparser's."""
    try:
        fast = parse_plain_feed(data)
    except NeedsFeedparser:
        return None
    try:
        slow = parse_with_feedparser(data)
    except NotAFeed as error:
        return [f"feedparser: {error}"]
    return describe(fast, slow)


def describe(fast: ParsedFeed, slow: ParsedFeed) -> list[str]:
    found = [
        f"{name}: fast {getattr(fast, name)!r}, feedparser {getattr(slow, name)!r}"
        for name in ("title", "site_url", "warning")
        if getattr(fast, name) != getattr(slow, name)
    ]
    if len(fast.articles) != len(slow.articles):
        found.append(f"articles: fast {len(fast.articles)}, feedparser {len(slow.articles)}")
    for number, (one, other) in enumerate(zip(fast.articles, slow.articles, strict=False)):
        for field in dataclasses.fields(one):
            mine, theirs = getattr(one, field.name), getattr(other, field.name)
            if mine != theirs:
                found.append(
                    f"article {number} {field.name}: fast {mine!r:.80}, feedparser {theirs!r:.80}"
                )
    return found


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A small corpus from the benchmark's own generator (RSS 2.0 and Atom, as measured)."""
    folder = tmp_path_factory.mktemp("bench") / "corpus"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--feeds", "30", "--items", "4", "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    documents = sorted((folder / "feeds").iterdir())
    assert len(documents) == 30
    return documents


def test_both_paths_agree_on_every_corpus_document(bench_corpus: list[Path]) -> None:
    documents = [
        path
        for folder in CORPUS_FOLDERS
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix not in NOT_DOCUMENTS and "LICENSE" not in path.name
    ]
    taken, differing = 0, {}
    for path in [*documents, *bench_corpus]:
        found = differences(path.read_bytes())
        if found is not None:
            taken += 1
            if found:
                differing[path.name] = found
    assert not differing
    # The generated corpus is the common shape: the fast path must take all of it.
    assert all(differences(path.read_bytes()) is not None for path in bench_corpus)
    assert taken > len(bench_corpus)


# ---------------------------------------------------------------- shapes

NAMESPACES = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:other="http://other.example/ns/"'
)
ITEM = (
    "<title>Plain title</title><link>https://news.example/1</link><guid>news-1</guid>"
    "<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate>"
    "<description>&lt;p&gt;The body.&lt;/p&gt;</description>"
)


def rss(item: str = ITEM, channel: str = "", *, item_attributes: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {NAMESPACES}><channel>'
        f"<title>Shapes</title><link>https://news.example/</link>{channel}"
        f"<item{item_attributes}>{item}</item></channel></rss>"
    ).encode()


ENTRY = (
    "<title>Plain title</title><id>tag:news.example,2025:1</id>"
    '<link href="https://news.example/1"/><updated>2025-03-03T10:00:00Z</updated>'
    '<content type="html">&lt;p&gt;The body.&lt;/p&gt;</content>'
)


def atom(entry: str = ENTRY, feed: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:other="http://other.example/ns/">'
        f"<title>Shapes</title><id>tag:news.example,2025:feed</id>{feed}"
        f"<entry>{entry}</entry></feed>"
    ).encode()


BODY = "<description>The short one.</description>"
# Shapes the fast path must take (the common extensions of real feeds).
PLAIN = {
    "rss: plain": rss(),
    "rss: content:encoded beside description": rss(
        ITEM + "<content:encoded>&lt;p&gt;The long one.&lt;/p&gt;</content:encoded>"
    ),
    "rss: dc:creator and dc:date": rss(
        "<title>T</title><guid>g-1</guid><dc:creator>Ann Lee</dc:creator>"
        "<dc:date>2025-03-03T10:00:00+01:00</dc:date>" + BODY
    ),
    "rss: author with an address": rss(ITEM + "<author>ann@news.example (Ann Lee)</author>"),
    "rss: permalink guid, no link": rss("<title>T</title><guid>https://news.example/9</guid>"),
    "rss: guid not a permalink": rss(
        '<title>T</title><guid isPermaLink="false">news-9</guid>' + BODY
    ),
    "rss: harmless extras": rss(
        ITEM + "<category>Town</category><comments>https://news.example/1#c</comments>"
        '<enclosure url="https://news.example/a.mp3" length="1" type="audio/mpeg"/>'
        '<source url="https://elsewhere.example/rss">Elsewhere</source>'
        "<wfw:commentRss>https://news.example/1/feed</wfw:commentRss>"
        "<slash:comments>4</slash:comments><dc:subject>Harbour</dc:subject>"
        '<media:content url="https://news.example/a.jpg" medium="image"/>'
        '<media:thumbnail url="https://news.example/t.jpg"/>'
        '<itunes:image href="https://news.example/i.jpg"/><itunes:duration>10:00</itunes:duration>'
        "<other:rating>5</other:rating>"
    ),
    "rss: harmless channel extras": rss(
        channel="<description>About</description><language>en</language>"
        "<lastBuildDate>Mon, 03 Mar 2025 10:00:00 GMT</lastBuildDate>"
        '<atom:link href="https://news.example/feed" rel="self" type="application/rss+xml"/>'
        '<atom:link href="https://hub.example/" rel="hub"/>'
        "<image><url>https://news.example/logo.png</url><title>Shapes</title>"
        "<link>https://news.example/</link></image>"
        "<itunes:owner><itunes:name>Ann</itunes:name><itunes:email>a@news.example</itunes:email>"
        "</itunes:owner><managingEditor>ed@news.example (Ed)</managingEditor>"
    ),
    "rss: source before the title, xml:lang": rss(
        '<source url="https://elsewhere.example/rss">Elsewhere</source>'
        '<title xml:lang="en">T</title><guid>g-1</guid><description xml:lang="en">B.</description>'
    ),
    "rss: empty guid and link": rss("<title>T</title><guid></guid><link></link>" + BODY),
    "rss: a text input box": rss(
        channel="<textInput><title>Search</title><description>Find</description>"
        "<name>q</name><link>https://news.example/search</link></textInput>"
    ),
    "atom: plain": atom(),
    "atom: summary beside content": atom(
        ENTRY + '<summary type="html">A &lt;b&gt;short&lt;/b&gt; one.</summary>'
    ),
    "atom: text content, published": atom(
        "<title>T</title><id>tag:news.example,2025:2</id>"
        "<published>2025-03-03T10:00:00+02:00</published><content>Plain text body.</content>"
    ),
    "atom: author with a name": atom(ENTRY + "<author><name>Ann Lee</name></author>"),
    "atom: harmless extras": atom(
        ENTRY + '<category term="town"/><rights>CC</rights>'
        '<link rel="enclosure" href="https://news.example/a.mp3" type="audio/mpeg"/>'
        '<link rel="replies" href="https://news.example/1#c" type="text/html"/>'
        '<media:thumbnail url="https://news.example/t.jpg"/><other:total>3</other:total>',
        feed='<link rel="self" href="https://news.example/atom"/>'
        '<link rel="alternate" type="text/html" href="https://news.example/"/>'
        "<updated>2025-03-03T10:00:00Z</updated><subtitle>About</subtitle>"
        "<author><name>Desk</name></author>",
    ),
}
# Shapes where the fast path read something else than feedparser, or might: it may take
# them only if it reads them exactly as feedparser does.
UNUSUAL = {
    "rss: fullitem": rss(ITEM + "<fullitem>&lt;p&gt;The full text.&lt;/p&gt;</fullitem>"),
    "rss: summary beside description": rss(ITEM + "<summary>A summary.</summary>"),
    "rss: summary before description": rss(
        "<title>T</title><guid>g-1</guid><summary>First.</summary>" + BODY
    ),
    "rss: xhtml:body": rss(ITEM + "<xhtml:body><xhtml:p>Inline.</xhtml:p></xhtml:body>"),
    "rss: body": rss("<title>T</title><guid>g-1</guid><body>A body element.</body>"),
    "rss: content element": rss(ITEM + "<content>Content element.</content>"),
    "rss: abstract": rss("<title>T</title><guid>g-1</guid><abstract>An abstract.</abstract>"),
    "rss: itunes:summary": rss(ITEM + "<itunes:summary>Show notes.</itunes:summary>"),
    "rss: itunes:author": rss(ITEM + "<itunes:author>Host</itunes:author>"),
    "rss: media:title and media:description": rss(
        ITEM + "<media:title>Media title</media:title>"
        "<media:description>Media text.</media:description>"
    ),
    "rss: media:group with a title": rss(
        ITEM + "<media:group><media:title>Grouped</media:title></media:group>"
    ),
    "rss: dc:title and dc:description": rss(
        "<guid>g-1</guid><dc:title>DC title</dc:title><dc:description>DC text.</dc:description>"
    ),
    "rss: atom:link in the item": rss(
        "<title>T</title><guid>g-1</guid>"
        '<atom:link rel="alternate" type="text/html" href="https://news.example/a"/>'
    ),
    "rss: atom:title and atom:updated": rss(
        "<guid>g-1</guid><atom:title>Atom title</atom:title>"
        "<atom:updated>2025-03-03T10:00:00Z</atom:updated>"
    ),
    "rss: dcterms dates": rss(
        "<title>T</title><guid>g-1</guid><dcterms:modified>2025-03-03T10:00:00Z</dcterms:modified>"
        "<dcterms:created>2025-03-01T10:00:00Z</dcterms:created>"
    ),
    "rss: lower-case pubdate": rss(
        "<title>T</title><guid>g-1</guid><pubdate>Mon, 03 Mar 2025 10:00:00 GMT</pubdate>"
    ),
    "rss: capitalised elements": rss(
        "<Title>T</Title><GUID>g-1</GUID><Description>Body.</Description><Link>https://x/</Link>"
    ),
    "rss: two titles": rss("<title>First</title><title>Second</title><guid>g-1</guid>"),
    "rss: two links": rss(
        "<title>T</title><link>https://news.example/a</link><link>https://news.example/b</link>"
    ),
    "rss: two pubDates": rss(
        "<title>T</title><guid>g-1</guid><pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate>"
        "<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>"
    ),
    "rss: two descriptions": rss(
        "<title>T</title><guid>g-1</guid><description>One.</description>"
        "<description>Two.</description>"
    ),
    "rss: author then dc:creator": rss(
        ITEM + "<author>a@news.example (First)</author><dc:creator>Second</dc:creator>"
    ),
    "rss: dc:creator then author": rss(
        ITEM + "<dc:creator>First</dc:creator><author>b@news.example (Second)</author>"
    ),
    "rss: isPermaLink True": rss('<title>T</title><guid isPermaLink="True">https://x/1</guid>'),
    "rss: ispermalink false": rss('<title>T</title><guid ispermalink="false">https://x/1</guid>'),
    "rss: empty link and a permalink guid": rss(
        "<title>T</title><link></link><guid>https://news.example/9</guid>"
    ),
    "rss: guid before an empty link": rss(
        "<title>T</title><guid>https://news.example/9</guid><link/>"
    ),
    "rss: title with a type": rss(
        '<title type="html">&lt;b&gt;Bold&lt;/b&gt; title</title><guid>g-1</guid>'
    ),
    "rss: description as text/plain": rss(
        '<title>T</title><guid>g-1</guid><description type="text/plain">a &lt; b</description>'
    ),
    "rss: description in base64": rss(
        '<title>T</title><guid>g-1</guid><description mode="base64">PGI+Qm9sZDwvYj4=</description>'
    ),
    "rss: content:encoded with a type": rss(
        ITEM + '<content:encoded type="text/plain">Plain &lt;b&gt;</content:encoded>'
    ),
    "rss: markup in a title": rss(
        "<title>A &lt;b&gt;bold&lt;/b&gt; claim</title><guid>g-1</guid>" + BODY
    ),
    "rss: an entity in a title": rss("<title>AT&amp;amp;T news</title><guid>g-1</guid>"),
    "rss: a numeric entity in a title": rss("<title>Caf&amp;#233; news</title><guid>g-1</guid>"),
    "rss: markup in the channel title": rss(channel="", item=ITEM).replace(
        b"<title>Shapes</title>", b"<title>&lt;i&gt;Shapes&lt;/i&gt;</title>"
    ),
    "rss: double-encoded UTF-8": rss("<title>Caf\u00c3\u00a9 au lait</title><guid>g-1</guid>"),
    "rss: double-encoded UTF-8 in a body": rss(
        "<title>T</title><guid>g-1</guid><description>na\u00c3\u00afve</description>"
    ),
    "rss: C1 reference with leading zeros": rss(
        "<title>Price &#0128;5</title><guid>g-1</guid>" + BODY
    ),
    "rss: file:/// link": rss("<title>T</title><link>file:///etc/hosts</link><guid>g-1</guid>"),
    "rss: file:/// permalink guid": rss("<title>T</title><guid>file:///etc/hosts</guid>"),
    "rss: escaped ampersand in a link": rss(
        "<title>T</title><link>https://news.example/?a=1&amp;amp;b=2</link><guid>g-1</guid>"
    ),
    "rss: entity-like text in a link": rss(
        "<title>T</title><link>https://news.example/?a=1&amp;b;c</link><guid>g-1</guid>"
    ),
    "rss: item with rdf:about": rss(
        "<title>T</title><description>B.</description>",
        item_attributes=' rdf:about="https://news.example/about"',
    ),
    "rss: channel with an href": rss().replace(
        b"<channel>", b'<channel href="https://elsewhere.example/">'
    ),
    "rss: channel atom:link alternate": rss(
        channel='<atom:link href="https://elsewhere.example/" rel="alternate" type="text/html"/>'
    ),
    "rss: channel atom:link with no rel": rss(
        channel='<atom:link href="https://elsewhere.example/"/>'
    ),
    "rss: channel dc:title": rss(channel="<dc:title>Another name</dc:title>"),
    "rss: two channel titles": rss(channel="<title>Second name</title>"),
    "rss: a title nested in a channel extension": rss(
        channel="<other:box><title>Boxed</title><link>https://boxed.example/</link></other:box>"
    ).replace(b"<title>Shapes</title><link>https://news.example/</link>", b""),
    "rss: an item nested in a channel extension": rss(
        channel="<other:box><item><title>Hidden</title><guid>h-1</guid></item></other:box>"
    ),
    "rss: an item outside the channel": rss().replace(
        b"</channel></rss>", b"</channel><item><title>Out</title><guid>o-1</guid></item></rss>"
    ),
    "rss: a title nested in an item extension": rss(
        "<guid>g-1</guid><other:box><title>Boxed</title></other:box>" + BODY
    ),
    "rss: content:encoded of another namespace": rss(
        ITEM + '<content:encoded xmlns:content="http://wrong.example/">Wrong.</content:encoded>'
    ),
    "rss: a default namespace on the item": rss(
        "<title>T</title><guid>g-1</guid>" + BODY,
        item_attributes=' xmlns="http://other.example/default/"',
    ),
    "rss: white space around a body": rss(
        "<title>  T  </title><guid> g-1 </guid><description>\n  Body.  \n</description>"
    ),
    "rss: dates that are not real": rss(
        "<title>T</title><guid>g-1</guid><pubDate>Mon, 45 Jan 2024 10:00:00 GMT</pubDate>"
        "<dc:date>2024-01-05T10:00:00Z</dc:date>"
    ),
    "atom: two alternate links": atom(
        ENTRY.replace('<link href="https://news.example/1"/>', "")
        + '<link href="https://news.example/a"/><link href="https://news.example/b"/>'
    ),
    "atom: a PDF alternate first": atom(
        ENTRY.replace('<link href="https://news.example/1"/>', "")
        + '<link rel="alternate" type="application/pdf" href="https://news.example/a.pdf"/>'
        '<link rel="alternate" type="text/html" href="https://news.example/a"/>'
    ),
    "atom: only a PDF alternate": atom(
        ENTRY.replace('<link href="https://news.example/1"/>', "")
        + '<link rel="alternate" type="application/pdf" href="https://news.example/a.pdf"/>'
    ),
    "atom: a link with no href": atom(
        ENTRY.replace(
            '<link href="https://news.example/1"/>', "<link>https://news.example/t</link>"
        )
    ),
    "atom: author with an address": atom(
        ENTRY + "<author><name>Ann Lee</name><email>ann@news.example</email></author>"
    ),
    "atom: author with only an address": atom(
        ENTRY + "<author><email>ann@news.example</email></author>"
    ),
    "atom: two authors": atom(
        ENTRY + "<author><name>First</name></author><author><name>Second</name></author>"
    ),
    "atom: empty content beside a summary": atom(
        "<title>T</title><id>tag:news.example,2025:3</id>"
        '<content type="html">  </content><summary>The summary.</summary>'
    ),
    "atom: content as text/html": atom(
        "<title>T</title><id>tag:news.example,2025:4</id>"
        '<content type="text/html">&lt;p&gt;MIME type.&lt;/p&gt;</content>'
    ),
    "atom: xhtml title": atom(
        '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X</div></title>'
        "<id>tag:news.example,2025:5</id>"
    ),
    "atom: html title": atom(
        '<title type="html">A &lt;b&gt;bold&lt;/b&gt; &amp;amp; title</title>'
        "<id>tag:news.example,2025:6</id>"
    ),
    "atom: entry source": atom(
        ENTRY + "<source><title>Elsewhere</title><id>tag:elsewhere,2025:f</id></source>"
    ),
    "atom: content with a mode": atom(
        "<title>T</title><id>tag:news.example,2025:7</id>"
        '<content type="html" mode="escaped">&lt;p&gt;Escaped.&lt;/p&gt;</content>'
    ),
    "atom: file:/// id": atom("<title>T</title><id>file:///etc/hosts</id>"),
    "atom: media:title": atom(ENTRY + "<media:title>Media title</media:title>"),
    "atom: dc:creator": atom(ENTRY + "<dc:creator>Ann</dc:creator>"),
    "atom: feed link that is not html": atom(
        feed='<link rel="alternate" type="application/pdf" href="https://news.example/f.pdf"/>'
    ),
    "atom: two feed titles": atom(feed="<title>Second name</title>"),
    "atom: an empty alternate link after the id": atom(
        ENTRY.replace('<link href="https://news.example/1"/>', '<link href=""/>')
    ),
    "atom: an unknown namespace's title": atom(ENTRY + "<other:title>Other</other:title>"),
    "rss: an unknown namespace's title": rss("<guid>g-1</guid><other:title>Other</other:title>"),
    "atom: white space around a body": atom(
        "<title>\n T \n</title><id> tag:news.example,2025:8 </id><content>\n  Body.  \n</content>"
    ),
}


def test_both_paths_agree_on_unusual_shapes() -> None:
    differing = {
        name: found for name, data in {**PLAIN, **UNUSUAL}.items() if (found := differences(data))
    }
    assert not differing
    stepped_aside = [name for name, data in PLAIN.items() if differences(data) is None]
    assert not stepped_aside  # the common shapes stay on the fast path

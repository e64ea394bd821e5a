"""The one rule for "is this a web URL" and "may a browser be handed this link"."""

from __future__ import annotations

import pytest

from tuinews.models import SourceKind
from tuinews.parse.discover import discover_feeds
from tuinews.sources import BadSource, Source, classify_source
from tuinews.store.queries import display_title
from tuinews.urls import is_fetchable_page, is_openable, is_web_url

WEB = [
    "http://news.example/feed.xml",
    "https://news.example",
    "HTTP://NEWS.EXAMPLE/Feed",  # the scheme's case does not matter
    "HtTpS://news.example/a?b=c#d",
    "https://user@news.example/",
    "http://[::1]:8080/feed",
    "http://127.0.0.1/",
    "https://news.example/a path with spaces",  # browsers and httpx quote them
]

NOT_WEB = [
    "",
    "news.example/feed",  # no scheme
    "//news.example/feed",  # scheme-relative: nothing to resolve it against here
    "http://",
    "http:///x",  # no host
    "https://user@/x",  # credentials but no host
    "http://:80/",  # a port but no host
    "http://[::1/",  # unbalanced bracket: urlsplit raises
    "javascript:alert(1)",
    "JavaScript://news.example/%0aalert(1)",
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "ftp://news.example/feed",
    "data:text/html,<script>alert(1)</script>",
    "mailto:editor@news.example",
    "feed://news.example/rss",
    " http://news.example/",  # surrounding whitespace: strip first, then ask
    "http://news.example/ ",
    "\thttp://news.example/",
    "http://news.example/\n",
    "https://news.example/\u00a0",
    "http://news.example/\x1b[31mred",  # an escape sequence
    "http://news\x00.example/",
    "ht\ttp://news.example/",  # browsers delete the tab and would read http:
    "http://news.example/\x9b31m",  # a C1 CSI
    "http://news.example/\x7f",
]


@pytest.mark.parametrize("url", WEB)
def test_web_urls(url: str) -> None:
    assert is_web_url(url)
    assert is_openable(url)


@pytest.mark.parametrize("url", NOT_WEB)
def test_not_web_urls(url: str) -> None:
    assert not is_web_url(url)
    assert not is_openable(url)


# The callers that used to carry their own rule now agree with it.


@pytest.mark.parametrize("source", ["HTTP://news.example/feed", "  https://news.example/  "])
def test_a_source_is_a_web_source_by_the_same_rule(source: str) -> None:
    assert classify_source(source) == Source(source.strip(), SourceKind.URL)


@pytest.mark.parametrize("source", ["http:///x", "http://[::1/feed", "http://news.example/\x1b[2J"])
def test_a_broken_web_source_is_refused_with_a_message(source: str) -> None:
    with pytest.raises(BadSource, match="web address"):
        classify_source(source)


def test_discovery_keeps_only_web_urls() -> None:
    page = b"".join(
        b'<link rel="alternate" type="application/rss+xml" href="%s">' % href
        for href in (b"javascript:alert(1)", b"http:///nohost", b"HTTPS://News.example/rss", b"/a")
    )
    assert discover_feeds(page, "https://news.example/") == [
        "https://News.example/rss",  # urljoin writes the scheme in lower case
        "https://news.example/a",
    ]


def test_a_feed_without_a_title_is_named_after_its_web_address() -> None:
    assert display_title(None, None, "HTTP://news.example/feed/") == "news.example/feed"
    assert display_title(None, None, "/home/me/feeds/local.xml") == "local.xml"


@pytest.mark.parametrize(
    ("url", "fetchable"),
    [
        ("https://gazette.news/story", True),
        ("http://127.0.0.1:8080/page.html", True),
        ("https://example.com/a", True),  # a real host (IANA's)
        ("https://news.example/a", False),  # reserved names never resolve
        ("https://news.example./a", False),
        ("http://site.invalid/a", False),
        ("http://qa.test/a", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_pages_that_can_exist_are_fetched(url: str, fetchable: bool) -> None:
    assert is_fetchable_page(url) is fetchable

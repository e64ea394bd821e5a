"""An article's link, from the feed to the browser: kept whole or not at all, never
altered into another link, and a host that could pass for another site's shown,
opened and copied in its ASCII (punycode) form, with the reason said."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedgen import rss
from test_ui import Running, reader_text, screen_text, settle

from tuinews.render import render_html, to_text
from tuinews.urls import LINK_CAP, checked_link, host_warning, is_openable, shown_url

LONG = "https://news.example/track?" + "&".join(f"k{n}=v{n}" for n in range(600))
assert 5_000 < len(LONG) < LINK_CAP

# (as written in the feed, as kept); "" is a link refused and kept as none
KEPT = [
    (LONG, LONG),
    (
        "https://news.example/" + "a" * (LINK_CAP - 21),
        "https://news.example/" + "a" * (LINK_CAP - 21),
    ),
    ("https://news.example/" + "a" * (LINK_CAP - 20), ""),  # one over the cap
    ("  \n https://news.example/a \t\n", "https://news.example/a"),  # trimmed, as browsers do
    ("https://news.example/a b?q=c d#e f", "https://news.example/a%20b?q=c%20d#e%20f"),
    ("https://news.example/a\u00a0b", "https://news.example/a%C2%A0b"),  # as it opens
    ("ms-msdt:/id PCWDiagnostic /skip force", "ms-msdt:/id PCWDiagnostic /skip force"),
    ("https://news.example/\u00e9t\u00e9", "https://news.example/\u00e9t\u00e9"),
    ("https://news\x00.example/", ""),
    ("https://news.example/a\tb", ""),  # browsers delete the tab: another link would open
    ("java\tscript:alert(1)", ""),
    ("https://news.example/ok\ntouch /tmp/pwned", ""),
    ("https://news.example/\x1b[31m", ""),
    ("https://news.example/\x7f", ""),
    ("https://news.example/a\x85b", ""),  # C1
    ("https://feeds.example/bidi/\u202egpj.exe", ""),  # reads as exe.jpg
    ("https://news.example/pass\u200bword", ""),  # zero-width space
    ("https://news.example/a\u200db", ""),  # zero-width joiner
    ("https://news.example/\ufeffa", ""),  # byte-order mark
    ("https://news.example/a\u00adb", ""),  # soft hyphen
    ("https://news.example/\u2066a\u2069", ""),  # bidi isolate
    ("https://news.example/a\U000e0041", ""),  # a TAG character
    ("https://news.example/a\u3164b", ""),  # Hangul filler: drawn blank
    ("https://news.example/a\ufe0f", ""),  # a variation selector
]


@pytest.mark.parametrize(("written", "kept"), KEPT)
def test_a_link_is_kept_whole_or_refused(written: str, kept: str) -> None:
    link, reason = checked_link(written)
    assert link == kept
    assert (reason is None) == bool(kept)


# (URL, as shown and opened, why it could pass for another site's)
HOSTS = [
    ("http://аpple.com/", "http://xn--pple-43d.com/", "mixes Latin and Cyrillic letters"),
    ("http://xn--pple-43d.com/", "http://xn--pple-43d.com/", "mixes Latin and Cyrillic letters"),
    ("https://gооgle.com/a", "https://xn--ggle-55da.com/a", "mixes Latin and Cyrillic letters"),
    ("https://pаypal.com.evil.example/", "https://xn--pypal-4ve.com.evil.example/", "Cyrillic"),
    ("https://αpple.com/", "https://xn--pple-zld.com/", "mixes Latin and Greek letters"),
    ("https://аррӏе.com/", "https://xn--80ak6aa92e.com/", "Cyrillic letters that look like Latin"),
    ("https://apple。com/", "https://apple.com/", "full-width dots"),
    ("https://apple．com/", "https://apple.com/", "full-width dots"),
    ("https://apple｡com/", "https://apple.com/", "full-width dots"),
    ("https://i❤.ws/", "https://xn--i-7iq.ws/", "symbols"),
    ("https://abc١۱.example/", "https://xn--abc-d6e43e.example/", "digits"),
    (
        "https://user:pw@аpple.com:8443/p?q#f",
        "https://user:pw@xn--pple-43d.com:8443/p?q#f",
        "Cyrillic",
    ),
    # not look-alikes: the host shows as written (as a browser maps it)
    ("https://news.example/path", "https://news.example/path", None),
    ("https://münchen.de/", "https://münchen.de/", None),
    ("https://MÜNCHEN.de:8080/", "https://münchen.de:8080/", None),
    ("https://ｅｘａｍｐｌｅ.com/", "https://example.com/", None),  # it is example.com
    ("https://пример.рф/", "https://пример.рф/", None),  # all Cyrillic, under a Cyrillic TLD
    ("https://аррӏе.рф/", "https://аррӏе.рф/", None),
    ("https://παράδειγμα.δοκιμή/", "https://παράδειγμα.δοκιμή/", None),
    ("https://日本語.jp/", "https://日本語.jp/", None),
    ("https://例えばabc.テスト/", "https://例えばabc.テスト/", None),  # Latin + Han + kana
    ("https://中文abc.example/", "https://中文abc.example/", None),
    ("https://한국abc.example/", "https://한국abc.example/", None),  # Latin + Hangul
    ("https://testاختبار.com/", "https://testاختبار.com/", "may not hold"),  # no ASCII form
    ("https://news_site.example/", "https://news_site.example/", None),
    ("http://[::1]:8080/", "http://[::1]:8080/", None),
    ("javascript:alert(1)", "javascript:alert(1)", None),
]


@pytest.mark.parametrize(("url", "shown", "why"), HOSTS)
def test_a_host_that_could_pass_for_another_is_shown_in_punycode(
    url: str, shown: str, why: str | None
) -> None:
    assert shown_url(url) == shown
    warning = host_warning(url)
    assert warning is None if why is None else why in (warning or "")


def test_a_host_with_no_ascii_form_is_not_handed_to_a_browser() -> None:
    assert not is_openable("https://testاختبار.com/")
    assert not is_openable("https://a⒈com/")  # reads as a dot: a1.com
    assert is_openable("http://аpple.com/")  # opened as http://xn--pple-43d.com/
    assert is_openable("https://münchen.de/")


# ---------------------------------------------------------------- through the program


def feed(tmp_path: Path, links: list[str]) -> Path:
    path = tmp_path / "links.xml"
    items = [
        {"guid": f"g{n}", "title": f"Story {n}", "link": link, "date": 1_700_000_000 - n}
        for n, link in enumerate(links)
    ]
    path.write_bytes(rss(items, title="Links"))
    return path


def test_a_long_link_is_stored_whole_and_a_doctored_one_not_at_all(tmp_path, cli, sql):
    bidi = "https://feeds.example/bidi/\u202egpj.exe"
    assert cli("add", str(feed(tmp_path, [LONG, bidi, "https://news.example/a b"]))).code == 0
    stored = dict(sql("SELECT title, link FROM articles"))
    assert stored["Story 0"] == LONG  # was 4,095 characters and "…"
    assert stored["Story 1"] == ""  # was the link without its U+202E: another link
    assert stored["Story 2"] == "https://news.example/a%20b"


def test_show_prints_the_whole_link_and_a_look_alike_host_in_punycode(tmp_path, cli, sql):
    assert cli("add", str(feed(tmp_path, [LONG, "http://аpple.com/login"]))).code == 0
    ids = dict(sql("SELECT title, id FROM articles"))
    shown = cli("show", str(ids["Story 0"])).out
    assert LONG in shown.split("\n")
    shown = cli("show", str(ids["Story 1"])).out
    assert "http://xn--pple-43d.com/login" in shown and "аpple" not in shown
    assert "mixes Latin and Cyrillic letters" in shown


def notices(app) -> str:
    """The text of the notices on screen (each line of a notice starts with "▌" and
    ends before the gap to the screen's edge), their wrapped lines joined."""
    lines = [
        line.split("▌", 1)[1].strip().split("  ")[0]
        for line in screen_text(app).split("\n")
        if "▌" in line
    ]
    return " ".join(" ".join(lines).split())


async def test_o_opens_and_y_copies_the_whole_link(tmp_path, cli, db_path, browser):
    cli("add", str(feed(tmp_path, [LONG])))
    async with Running(db_path, tmp_path) as pilot:
        await pilot.press("o")
        await pilot.press("y")
        await pilot.pause()
        assert browser == [LONG]
        assert pilot.app.clipboard == LONG


async def test_o_opens_a_look_alike_host_as_punycode_and_says_why(tmp_path, cli, db_path, browser):
    cli("add", str(feed(tmp_path, ["http://аpple.com/"])))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        page = " ".join(reader_text(app).split())  # the reason wraps
        assert "http://xn--pple-43d.com/" in page and "аpple" not in page
        assert "mixes Latin and Cyrillic letters" in page
        await pilot.press("o")
        await pilot.pause()
        assert browser == ["http://xn--pple-43d.com/"]
        assert "Opened http://xn--pple-43d.com/ — its address mixes Latin and Cyrillic" in notices(
            app
        )
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "http://xn--pple-43d.com/"


async def test_a_link_hiding_characters_is_neither_shown_nor_opened(
    tmp_path, cli, db_path, browser
):
    cli("add", str(feed(tmp_path, ["https://feeds.example/bidi/\u202egpj.exe"])))
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        page = " ".join(reader_text(app).split())
        assert "gpj.exe" not in page and "feeds.example" not in page
        await pilot.press("o")
        await settle(pilot)
        assert browser == []
        assert "Not opened: this article has no link" in screen_text(app)


def test_links_in_a_body_are_listed_whole_or_as_not_kept() -> None:
    body = (
        f'<p><a href="{LONG}">long</a>, <a href="https://feeds.example/\u202egpj.exe">bidi</a>,'
        ' <a href="http://аpple.com/x">look-alike</a>,'
        ' <a href="https://news.example/wrapped\n   /path">wrapped in the markup</a></p>'
    )
    listed = to_text(render_html(body)).split("Links:\n", 1)[1].split("\n")
    assert listed == [
        f"[1] {LONG}",  # was cut at 4,095 characters and "…"
        "[2] (not kept: it holds invisible characters that would make it read as another link)",
        "[3] http://xn--pple-43d.com/x (careful: its address mixes Latin and Cyrillic letters)",
        "[4] https://news.example/wrapped%20%20%20/path",  # browsers drop the line break
    ]


async def test_the_choice_of_feeds_a_page_lists_shows_look_alike_hosts_in_punycode(
    tmp_path, db_path
):
    from textual.widgets import OptionList

    from tuinews.ui.screens import ChooseFeedScreen

    async with Running(db_path, tmp_path) as pilot:
        pilot.app.push_screen(ChooseFeedScreen(("https://news.example/feed", "http://аpple.com/")))
        await pilot.pause()
        options = pilot.app.screen.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["https://news.example/feed", "http://xn--pple-43d.com/"]


def links_feed(tmp_path: Path) -> Path:
    body = (
        '<p>See <a href="https://one.example.org/a">the first</a>, '
        '<a href="https://two.example.org/b">the second</a> and '
        '<a href="javascript:alert(1)">a trap</a>.</p>'
    )
    items = [{"guid": "l", "title": "Three links", "link": "https://site.example.org/",
              "body": body, "date": 1_700_000_000}]  # fmt: skip
    path = tmp_path / "three.xml"
    path.write_bytes(rss(items, title="Links"))
    return path


async def test_typing_a_links_number_opens_it_and_y_then_a_number_copies_it(
    tmp_path, cli, db_path, browser
):
    assert cli("add", str(links_feed(tmp_path))).code == 0
    async with Running(db_path, tmp_path) as pilot:
        app = pilot.app
        assert "[2]" in reader_text(app)
        await pilot.press("2")  # three links: no longer number possible, no waiting
        await settle(pilot)
        assert browser == ["https://two.example.org/b"]
        assert "Opened link 2 (https://two.example.org/b)" in screen_text(app)

        await pilot.press("3")  # the javascript: link is listed, never opened
        await settle(pilot)
        assert browser == ["https://two.example.org/b"]
        assert "Not opened: only http(s) links open (link 3" in screen_text(app)

        await pilot.press("y", "1")
        await settle(pilot)
        assert app.clipboard == "https://one.example.org/a"
        assert "Sent link 1 (https://one.example.org/a) to the terminal's clipboard" in (
            notices(app)
        )

        await pilot.press("y")  # y alone copies the article's own link, at once
        await pilot.pause()
        assert app.clipboard == "https://site.example.org/"
        await pilot.pause(1.0)  # and the number y waits for is no longer expected

        await pilot.press("7")
        await settle(pilot)
        assert "No link 7: this article has 3" in screen_text(app)


async def test_a_two_digit_link_number_waits_for_its_second_digit(tmp_path, cli, db_path, browser):
    body = "".join(f'<p><a href="https://n{n}.example.org/">link {n}</a></p>' for n in range(1, 13))
    items = [{"guid": "m", "title": "Twelve links", "link": "https://site.example.org/",
              "body": body, "date": 1_700_000_000}]  # fmt: skip
    (tmp_path / "twelve.xml").write_bytes(rss(items, title="Many"))
    assert cli("add", str(tmp_path / "twelve.xml")).code == 0
    async with Running(db_path, tmp_path) as pilot:
        await pilot.press("1", "2")
        await settle(pilot)
        assert browser == ["https://n12.example.org/"]
        await pilot.press("1")  # could be 1 or 10-12: opens once typing pauses
        for _ in range(50):
            await pilot.pause(0.1)
            if len(browser) > 1:
                break
        assert browser == ["https://n12.example.org/", "https://n1.example.org/"]

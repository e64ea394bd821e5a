"""Ranked search over the library: store queries, the CLI command, and the search bar."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from feedgen import rss

from tuinews.models import ParsedFeed, SourceKind
from tuinews.parse.article import build_article
from tuinews.search_query import parse_query
from tuinews.store import Store

NOW = 1_710_000_000  # 2024-03-09


def items(*specs: tuple[str, str, str, int]) -> list[dict]:
    return [
        {"guid": guid, "title": title, "body": f"<p>{body}</p>", "date": date}
        for guid, title, body, date in specs
    ]


@pytest.fixture
def library(tmp_path: Path, cli, db_path: Path) -> Path:
    news = tmp_path / "news.xml"
    news.write_bytes(
        rss(
            items(
                ("t1", "Elections in the valley", "The council counts votes.", NOW - 3 * 86400),
                ("b1", "Council budget", "A note on the elections, in passing.", NOW - 2 * 86400),
                ("a1", "Café owners meet", "Coffee and élections municipales.", NOW - 86400),
                ("p1", "Harbour ferry strike", "The harbour ferry is on strike.", NOW - 40 * 86400),
                ("p2", "Ferry to the harbour", "Boats leave the harbour daily.", NOW - 10 * 86400),
            ),
            title="Valley News",
        )
    )
    other = tmp_path / "other.xml"
    other.write_bytes(
        rss(
            items(("o1", "Bus strike ends", "Buses run again.", NOW - 5 * 86400)),
            title="Other Paper",
        )
    )
    assert cli("add", str(news), "--tag", "local").code == 0
    assert cli("add", str(other)).code == 0
    return db_path


def titles(db_path: Path, text: str) -> list[str]:
    with Store(db_path) as store:
        hits = store.search(parse_query(text, now=NOW))
        rows = {row.id: row.title for row in store.article_rows([h.article_id for h in hits])}
    return [rows[hit.article_id] for hit in hits]


def test_title_matches_rank_above_body_matches(library: Path) -> None:
    found = titles(library, "elections")
    assert found[0] == "Elections in the valley"
    assert set(found) == {"Elections in the valley", "Council budget", "Café owners meet"}


def test_stemming_and_accents(library: Path) -> None:
    assert "Elections in the valley" in titles(library, "election")
    assert titles(library, "cafe") == ["Café owners meet"]


def test_phrases_or_exclusion_and_prefix(library: Path) -> None:
    assert titles(library, '"harbour ferry"') == ["Harbour ferry strike"]
    assert set(titles(library, "strike OR boats")) == {
        "Harbour ferry strike",
        "Ferry to the harbour",
        "Bus strike ends",
    }
    assert titles(library, "ferry -strike") == ["Ferry to the harbour"]
    assert set(titles(library, "harb*")) == {"Harbour ferry strike", "Ferry to the harbour"}


def test_field_state_and_date_filters(library: Path, cli) -> None:
    assert set(titles(library, "title:strike")) == {"Bus strike ends", "Harbour ferry strike"}
    assert titles(library, "title:boats") == []  # "boats" is only in a body
    assert titles(library, "strike feed:other") == ["Bus strike ends"]
    assert set(titles(library, "strike tag:local")) == {"Harbour ferry strike"}
    assert titles(library, "ferry since:2w") == ["Ferry to the harbour"]
    assert titles(library, "ferry before:2024-02-01") == ["Harbour ferry strike"]

    rows = json.loads(cli("search", "strike", "--json").out)
    first = rows[0]
    cli("mark", str(first["id"]), "--star")
    cli("mark", str(first["id"]), "--read")
    assert titles(library, "is:starred") == [first["title"]]
    assert titles(library, "strike is:read") == [first["title"]]
    assert first["title"] not in titles(library, "strike is:unread")
    assert len(titles(library, "strike is:unread")) == 1


def test_filters_alone_list_newest_first(library: Path) -> None:
    assert titles(library, "feed:valley") == [
        "Café owners meet",
        "Council budget",
        "Elections in the valley",
        "Ferry to the harbour",
        "Harbour ferry strike",
    ]


def test_sort_date_orders_by_date(library: Path) -> None:
    assert titles(library, "elections sort:date") == [
        "Café owners meet",
        "Council budget",
        "Elections in the valley",
    ]


def story(guid: str, title: str, body: str, published: int):
    return build_article(
        guid=guid, link=f"https://news.example/{guid}", title=title, author="",
        published=published, content_html=f"<p>{body}</p>",
    )  # fmt: skip


def test_a_count_covers_every_match_beyond_the_first_thousand(db_path: Path) -> None:
    """The search bar lists the first 1,000 hits but must say how many there are."""
    with Store(db_path, clock=lambda: NOW) as store:
        wire = store.add_feed("/feeds/wire.xml", SourceKind.FILE)
        other = store.add_feed("/feeds/other.xml", SourceKind.FILE)
        ferries = [story(f"f{n}", f"Ferry {n}", "The ferry runs.", NOW - n) for n in range(1200)]
        store.save_import(wire, ParsedFeed("Wire", "", tuple(ferries)), [])
        buses = [story(f"b{n}", f"Bus {n}", "The bus runs; no ferry.", NOW - n) for n in range(300)]
        store.save_import(other, ParsedFeed("Other", "", tuple(buses)), [])
        store.set_read([hit.article_id for hit in store.search(parse_query("bus", now=NOW))], True)

        def count(text: str) -> int:
            return store.count_matches(parse_query(text, now=NOW))

        assert len(store.search(parse_query("ferry", now=NOW))) == 1000
        assert count("ferry") == 1500
        assert count("title:ferry") == 1200
        assert count("ferry is:read") == 300
        assert count("ferry feed:wire sort:date") == 1200
        assert count("is:unread") == 1200
        assert count("bus") == 300
        for text in ("ferry", "ferry is:unread", "is:read", "title:bus feed:other"):
            query = parse_query(text, now=NOW)
            assert count(text) == len(store.search(query, limit=10_000)), text


def test_equal_scores_list_the_newest_first_in_every_kind_of_search(db_path: Path) -> None:
    """The same story in several copies scores the same: the newest copy comes first
    (by date, then by the later arrival when the dates are equal too)."""
    day = 86_400
    copies = {  # imported in this order, so ids and dates disagree
        "oldest": NOW - 4 * day,
        "newest": NOW - day,
        "middle": NOW - 3 * day,
        "newest-later-arrival": NOW - day,
    }
    with Store(db_path, clock=lambda: NOW) as store:
        feed = store.add_feed("/feeds/wire.xml", SourceKind.FILE)
        articles = [story("best", "Ferry timetable", "The ferry runs.", NOW - 5 * day)]
        articles += [
            story(name, "Harbour news", "The ferry runs.", when) for name, when in copies.items()
        ]
        store.save_import(feed, ParsedFeed("Wire", "", tuple(articles)), [])

        def found(text: str, limit: int = 1000) -> list[str]:
            hits = store.search(parse_query(text, now=NOW), limit=limit)
            rows = {row.id: row.link for row in store.article_rows([h.article_id for h in hits])}
            return [rows[hit.article_id].removeprefix("https://news.example/") for hit in hits]

        by_score = ["best", "newest-later-arrival", "newest", "middle", "oldest"]
        by_date = ["newest-later-arrival", "newest", "middle", "oldest", "best"]
        assert found("ferry") == by_score
        assert found("ferry", limit=3) == by_score[:3]  # the tie reaches past the limit
        assert found("ferry is:unread") == by_score
        assert found("ferry sort:date") == by_date
        assert found("is:unread") == by_date


def test_index_follows_updates_and_deletes(library: Path, tmp_path: Path, cli) -> None:
    news = tmp_path / "news.xml"
    news.write_bytes(
        rss(
            items(("t1", "Referendum in the valley", "The council counts votes.", NOW - 3 * 86400)),
            title="Valley News",
        )
    )
    time.sleep(0.01)
    cli("refresh")
    assert "Referendum in the valley" in titles(library, "referendum")
    assert "Elections in the valley" not in titles(library, "elections")
    cli("remove", "Other Paper")
    assert titles(library, "buses") == []


def test_search_command_prints_ranked_results_with_snippets(library: Path, cli) -> None:
    result = cli("search", "harbour", "--json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert {row["title"] for row in rows} == {"Harbour ferry strike", "Ferry to the harbour"}
    assert rows[0]["score"] <= rows[1]["score"]  # bm25: lower is better, best first
    assert any("[harbour]" in row["snippet"].lower() for row in rows)

    text = cli("search", "ferry -strike")
    assert text.code == 0 and "Ferry to the harbour" in text.out and "strike" not in text.out


def test_search_command_rejects_a_bad_query_in_one_line(library: Path, cli) -> None:
    result = cli("search", '"unbalanced')
    assert result.code == 2
    assert "tuinews: search: unbalanced quote" in result.err


@pytest.mark.parametrize("query", ["%", "_", "*", "'; --", '""'])
def test_a_punctuation_only_search_lists_nothing_and_says_why(
    library: Path, cli, query: str
) -> None:
    result = cli("search", query)
    assert (result.code, result.out) == (2, "")
    assert "tuinews: search: nothing to search for" in result.err


def test_markup_in_snippets_is_text(tmp_path: Path, cli) -> None:
    feed = tmp_path / "markup.xml"
    feed.write_bytes(
        rss(items(("m1", "Plain", "Look [bold red]PWNED[/] here", NOW)), title="Markup")
    )
    cli("add", str(feed))
    (row,) = json.loads(cli("search", "pwned", "--json").out)
    assert "[bold red][PWNED][/]" in row["snippet"]


async def test_search_bar_shows_results_and_escape_restores(library: Path, tmp_path: Path) -> None:
    from tuinews.config import Config
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.article_list import ArticleList

    app = TuinewsApp(
        Config(db_path=library),
        state_path=tmp_path / "ui.json",
        clock=lambda: datetime.fromtimestamp(NOW),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        articles = app.query_one(ArticleList)
        everything = list(articles.article_ids)
        assert len(everything) == 6

        await pilot.press("slash", *"ferry -strike")
        await pilot.pause(0.4)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(articles.article_ids) == 1
        assert "1 found" in str(app.query_one("#search-error").render())
        page = app.query_one("#page").content  # the reader's Text, with its spans
        marked = {
            page.plain[span.start : span.end].lower()
            for span in page.spans
            if "reverse" in str(span.style)
        }
        assert marked == {"ferry"}  # the searched word is highlighted, the excluded one not

        await pilot.press("escape")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert articles.article_ids == everything

        await pilot.press("slash", *'"oops')
        await pilot.pause(0.4)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "unbalanced quote" in str(app.query_one("#search-error").render())
        assert app.is_running


def test_the_readme_documents_the_grammar_the_parser_accepts() -> None:
    from conftest import ROOT

    from tuinews.search_query import QUERY_HELP

    assert QUERY_HELP in (ROOT / "README.md").read_text()


async def test_saved_search_is_a_smart_feed_that_can_be_renamed_and_deleted(
    library: Path, tmp_path: Path, sql
) -> None:
    from tuinews.config import Config
    from tuinews.ui.app import TuinewsApp
    from tuinews.ui.article_list import ArticleList
    from tuinews.ui.feed_list import FeedList

    app = TuinewsApp(
        Config(db_path=library),
        state_path=tmp_path / "ui.json",
        clock=lambda: datetime.fromtimestamp(NOW),
    )

    async def settle() -> None:
        for _ in range(3):
            await pilot.pause(0.15)
            await app.workers.wait_for_complete()

    def saved_entries() -> list[str]:
        """Saved searches as listed, the padding before their counts read as two spaces."""
        feeds = app.query_one(FeedList)
        shown = [feeds.entry_text(i).plain for i in feeds.entry_ids if i.startswith("search-")]
        return [re.sub(" {2,}", "  ", entry.strip()) for entry in shown]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle()
        await pilot.press("slash", *"ferry")
        await settle()
        await pilot.press("ctrl+s")
        await settle()
        await pilot.press("enter")  # keep the suggested name: the query itself
        await settle()
        assert saved_entries() == ["⌕ ferry  2"]  # both ferry articles are unread
        assert sql("SELECT name, query FROM saved_searches") == [("ferry", "ferry")]

        await pilot.press("escape")  # back to all articles
        await settle()
        feeds = app.query_one(FeedList)
        feeds.focus()
        feeds.highlight("all")
        await settle()
        feeds.highlight(f"search-{sql('SELECT id FROM saved_searches')[0][0]}")  # runs its query
        await settle()
        assert app.query_one("#search").value == "ferry"
        assert len(app.query_one(ArticleList).article_ids) == 2

        await pilot.press("e")
        await settle()
        name = app.screen.query_one("#name")
        name.value = "Ferries"
        await pilot.press("enter")
        await settle()
        assert saved_entries() == ["⌕ Ferries  2"]

        await pilot.press("d", "y")
        await settle()
        assert saved_entries() == []
        assert sql("SELECT count(*) FROM saved_searches") == [(0,)]
        assert len(app.query_one(ArticleList).article_ids) == 6  # the search is gone too

"""The search bar's query language: what each construct means, and that FTS5 accepts the result."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuinews.search_query import QUERY_HELP, QueryError, SearchQuery, parse_query

NOW = 1_750_000_000
DAY = 86_400
NOTHING = SearchQuery(
    match=None,
    feed_prefixes=(),
    tags=(),
    unread=None,
    starred=False,
    after=None,
    before=None,
    sort_by_date=False,
    terms=(),
)


def parse(text: str) -> SearchQuery:
    return parse_query(text, now=NOW)


def match_of(text: str) -> str | None:
    return parse(text).match


@pytest.fixture
def utc_minus_5() -> Iterator[None]:
    """A fixed local zone west of UTC, so local midnight is visibly not UTC midnight."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "XST+5")
        time.tzset()
        yield
    time.tzset()


# ---------------------------------------------------------------- constructs


def test_words_must_all_match():
    assert parse("harbour  ferry") == dataclasses.replace(
        NOTHING, match='"harbour" AND "ferry"', terms=("harbour", "ferry")
    )


def test_a_single_word_is_one_string_literal():
    assert match_of("elections") == '"elections"'


def test_phrase_keeps_its_words_together():
    query = parse('"exact   phrase" ferry')
    assert query.match == '"exact phrase" AND "ferry"'
    assert query.terms == ("exact phrase", "ferry")


def test_or_binds_tighter_than_the_implicit_and():
    query = parse("ferry OR boat harbour")
    assert query.match == '("ferry" OR "boat") AND "harbour"'
    assert query.terms == ("ferry", "boat", "harbour")


def test_lowercase_or_and_quoted_or_are_words():
    assert match_of('ferry or "OR"') == '"ferry" AND "or" AND "OR"'


def test_brackets_group():
    assert match_of("(ferry OR boat) (harbour OR port)") == (
        '("ferry" OR "boat") AND ("harbour" OR "port")'
    )
    assert match_of("strike OR (ferry harbour)") == '"strike" OR ("ferry" AND "harbour")'


def test_exclusions_are_left_out_of_the_terms():
    query = parse('ferry -strike -"bus strike"')
    assert query.match == '"ferry" NOT ("strike" OR "bus strike")'
    assert query.terms == ("ferry",)


def test_an_excluded_group():
    assert match_of("ferry -(bus strike)") == '"ferry" NOT ("bus" AND "strike")'


def test_exclusion_after_several_words_applies_to_all_of_them():
    assert match_of("harbour ferry -strike") == '("harbour" AND "ferry") NOT "strike"'


def test_a_group_of_words_and_exclusions_joins_the_sequence():
    assert match_of("(ferry -strike) harbour") == '("ferry" AND "harbour") NOT "strike"'


def test_prefix():
    query = parse("harb*")
    assert query.match == '"harb"*'
    assert query.terms == ("harb",)


def test_phrase_prefix():
    assert match_of('"harbour fer"*') == '"harbour fer"*'


def test_title_and_author_are_column_filters():
    query = parse('title:ferry author:"Ann Lee" Title:harb*')
    assert query.match == 'title : "ferry" AND author : "Ann Lee" AND title : "harb"*'
    assert query.terms == ("ferry", "Ann Lee", "harb")


def test_excluded_column_filter():
    assert match_of("ferry -title:strike") == '"ferry" NOT title : "strike"'


def test_feed_prefixes_bare_and_quoted():
    query = parse('feed:bbc feed:"The Harbour Gazette" feed:bbc')
    assert query.feed_prefixes == ("bbc", "The Harbour Gazette")
    assert query.match is None


def test_feed_prefix_star_is_redundant():
    assert parse("feed:bbc*").feed_prefixes == ("bbc",)


def test_tags():
    assert parse('tag:tech tag:"local news"').tags == ("tech", "local news")


@pytest.mark.parametrize(
    ("text", "unread", "starred"),
    [
        ("is:unread", True, False),
        ("is:read", False, False),
        ("is:starred", None, True),
        ("IS:Unread is:starred is:unread", True, True),
    ],
)
def test_state(text: str, unread: bool | None, starred: bool):
    query = parse(text)
    assert (query.unread, query.starred) == (unread, starred)


@pytest.mark.usefixtures("utc_minus_5")
def test_dates_are_local_midnights():
    query = parse("after:2024-01-31 before:2024-02-01")
    assert query.after == 1_706_677_200  # 2024-01-31T05:00:00Z
    assert query.before == query.after + DAY


def test_repeated_bounds_narrow_each_other():
    query = parse("after:2024-01-01 after:2024-03-01 before:2024-06-01 before:2024-05-01")
    assert query.after == int(datetime(2024, 3, 1).timestamp())
    assert query.before == int(datetime(2024, 5, 1).timestamp())


@pytest.mark.parametrize(
    ("span", "seconds"),
    [("7d", 7 * DAY), ("2w", 14 * DAY), ("3m", 90 * DAY), ("1y", 365 * DAY), ("1D", DAY)],
)
def test_since_counts_back_from_now(span: str, seconds: int):
    assert parse(f"since:{span}").after == NOW - seconds


def test_since_and_after_keep_the_later_bound():
    assert parse("since:1y after:1970-01-05").after == NOW - 365 * DAY


def test_sort_by_date():
    assert parse("ferry sort:date").sort_by_date
    assert not parse("ferry").sort_by_date


def test_filters_alone_have_no_match():
    query = parse("is:starred feed:bbc")
    assert query == SearchQuery(
        match=None,
        feed_prefixes=("bbc",),
        tags=(),
        unread=None,
        starred=True,
        after=None,
        before=None,
        sort_by_date=False,
        terms=(),
    )


@pytest.mark.parametrize("text", ["", "   ", "()"])
def test_nothing_typed_is_the_empty_query(text: str):
    assert parse(text) == NOTHING


@pytest.mark.parametrize(
    "text", ["%", "_", "*", "'; --", '""', "-- & *", '"&" -&', "\x00", "is:unread %", "(%)"]
)
def test_only_punctuation_is_nothing_to_search_for_not_everything(text: str):
    with pytest.raises(QueryError, match="nothing to search for"):
        parse(text)


def test_punctuation_words_are_ignored_among_real_ones():
    assert match_of("ferry -- & harbour") == '"ferry" AND "harbour"'


@pytest.mark.parametrize(
    ("text", "match"),
    [("10:30", '"10:30"'), ("foo:bar", '"foo:bar"'), ("http://a.example", '"http://a.example"')],
)
def test_unknown_fields_are_plain_words(text: str, match: str):
    assert match_of(text) == match


def test_quotes_and_brackets_split_words():
    assert match_of('ferry"harbour"(boat)') == '"ferry" AND "harbour" AND "boat"'


def test_nul_never_reaches_fts5():
    assert match_of('"a\x00b"') == '"a b"'


def test_lone_surrogates_from_the_command_line_are_replaced():
    assert match_of("caf\udce9 ferry") == '"caf?" AND "ferry"'


def test_help_shows_every_construct():
    for example in ('"', " OR ", "-", "*", "title:", "author:", "feed:", "tag:", "is:unread"):
        assert example in QUERY_HELP
    for example in ("is:read", "is:starred", "after:", "before:", "since:", "sort:date"):
        assert example in QUERY_HELP


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('ferry "harbour', "unbalanced quote"),
        ('title:"ferry', "unbalanced quote"),
        ("NEAR(ferry harbour", "unbalanced bracket"),
        ("ferry)", "unbalanced bracket"),
        ("(" * 9 + "ferry" + ")" * 9, "too many nested brackets"),
        ("title:*", "title: needs a word"),
        ("author:", "author: needs a word"),
        ('title:"--"', "title: needs a word"),
        ("after:yesterday", "after: needs a date like 2024-01-31"),
        ("after:2024-02-30", "after: needs a date like 2024-01-31"),
        ("before:0000-01-01", "before: needs a date like 2024-01-31"),
        ("before:2024-1-1", "before: needs a date like 2024-01-31"),
        ("since:7x", "since: needs a span like 7d, 2w, 3m or 1y"),
        ("since:9999999d", "since: needs a span like 7d, 2w, 3m or 1y"),
        ("is:maybe", "is: takes unread, read or starred"),
        ("is:read is:unread", "is:read and is:unread conflict"),
        ("sort:size", "sort: can only be date"),
        ("feed:", "feed: needs a name"),
        ('tag:" "', "tag: needs a name"),
        ("ferry OR", "OR needs a word on both sides"),
        ("OR ferry", "OR needs a word on both sides"),
        ("ferry OR OR boat", "OR needs a word on both sides"),
        ("(ferry OR) boat", "OR needs a word on both sides"),
        ("ferry OR &", "OR needs a word on both sides"),
        ("ferry OR -boat", "OR can't join a -word"),
        ("ferry OR is:unread", "is: can't be used with OR"),
        ("(ferry is:unread)", "is: can't go inside brackets"),
        ("-feed:bbc ferry", "-feed: is not supported"),
        ("-", "- needs a word after it"),
        ("ferry - boat", "- needs a word after it"),
        ("(ferry -)", "- needs a word after it"),
        ("-ferry", "exclusions need a word to search for"),
        ("-ferry is:starred", "exclusions need a word to search for"),
        ("ferry -(-boat)", "exclusions need a word to search for"),
    ],
)
def test_malformed_queries_say_what_is_wrong(text: str, message: str):
    with pytest.raises(QueryError) as raised:
        parse(text)
    assert str(raised.value) == message


# ---------------------------------------------------------------- against FTS5

ROWS = {
    1: ("Election results are in", "", "The election count went on all night", "", "Daily"),
    2: ("Élection présidentielle", "", "Les résultats de l'élection", "", "Le Journal"),
    3: ("Harbour ferry resumes", "", "The ferry crosses the harbour again", "", "Gazette"),
    4: ("Ferry strike", "No ferry today at the harbour", "", "Ann Lee", "Gazette"),
    5: ("Weather", "", "Rain in the harbour town; the ferry is late", "Bob Ray", "Gazette"),
    6: ("Meeting at 10:30", "", "Agenda: budget", "", "Council"),
}


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """The library's FTS5 table and tokenizer, in memory."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (title, summary, content_text, author, feed_title, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO t (rowid, title, summary, content_text, author, feed_title) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(rowid, *row) for rowid, row in ROWS.items()],
    )
    yield conn
    conn.close()


def found(fts: sqlite3.Connection, text: str) -> set[int]:
    match = match_of(text)
    return {rowid for (rowid,) in fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,))}


@pytest.mark.parametrize(
    ("text", "rowids"),
    [
        ("elections", {1, 2}),  # stemming
        ("election", {1, 2}),  # accents
        ("ÉLECTION résultats", {2}),
        ('"harbour ferry"', {3}),
        ("ferry", {3, 4, 5}),
        ("strike OR weather", {4, 5}),
        ("ferry -strike", {3, 5}),
        ('ferry -"ferry is late"', {3, 4}),
        ("harb*", {3, 4, 5}),
        ('"harbour fer"*', {3}),
        ("title:ferry", {3, 4}),
        ("-title:ferry harbour", {5}),
        ('author:"ann lee"', {4}),
        ("10:30", {6}),
        ("(ferry OR rain) -strike harbour", {3, 5}),
        ("ferry -- & harbour", {3, 4, 5}),
    ],
)
def test_fts5_finds_the_right_articles(fts: sqlite3.Connection, text: str, rowids: set[int]):
    assert found(fts, text) == rowids


QUERY_PIECES = st.sampled_from(
    [
        " ",
        '"',
        "(",
        ")",
        "-",
        "*",
        ":",
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "title:",
        "author:",
        "feed:",
        "tag:",
        "is:",
        "after:",
        "since:",
        "sort:",
        "ferry",
        "é",
        "\x00",
        "\t",
        "{",
        "}",
        "^",
        "+",
    ]
)
QUERIES = st.one_of(
    st.text(),
    st.lists(st.one_of(QUERY_PIECES, st.text(max_size=3)), max_size=12).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(QUERIES)
def test_any_text_is_a_query_or_a_query_error(fts: sqlite3.Connection, text: str):
    try:
        query = parse(text)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
        return
    if query.match is not None:
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (query.match,)).fetchall()
    assert all(query.terms)

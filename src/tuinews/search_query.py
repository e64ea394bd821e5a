"""The search bar's query language, turned into an FTS5 MATCH expression and filters.

The user never writes FTS5 syntax: every word or phrase they type becomes an FTS5
string literal, and only this module adds operators (AND, OR, NOT, brackets,
column filters), so any accepted query is a valid MATCH expression and anything
else is a QueryError with a message short enough to show under the search bar.

Decisions the grammar leaves open:

- `foo:bar` with an unknown field (or `10:30`, `http://x`) is an ordinary word;
  the tokenizer splits it at the colon, so it matches "foo bar" as a phrase.
- FTS5's NOT is binary, so exclusions need a word to exclude from: `-foo` alone,
  even next to filters, is an error.
- Words the unicode61 tokenizer would drop entirely (`--`, `&`, `*`) are ignored
  beside words it keeps. A query of nothing but such words (`%`, `'; --`, `""`) is
  an error, filters or not: searching for nothing would list the whole library. A
  field given such a value (`title:*`) is an error too.
- OR binds tighter than the implicit AND: `ferry OR boat harbour` means
  (ferry OR boat) AND harbour. Brackets group; filters must stay outside them.
- `after:D` starts at local midnight of D (inclusive), `before:D` ends at local
  midnight of D (exclusive); `since:` counts days, weeks, 30-day months and
  365-day years back from `now`. Several bounds narrow each other.
"""

from __future__ import annotations

import contextlib
import enum
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

QUERY_HELP = """\
Every word must match; word endings and accents don't matter (vote = voting).
  "harbour ferry"          this exact phrase
  ferry OR boat            either word; brackets group: (ferry OR boat) port
  -strike  -"bus strike"   leave out articles with this word or phrase
  harb*                    words that start with harb
  title:ferry  author:"Ann Lee"          only in the title, only the author
  feed:bbc  feed:"The Harbour Gazette"   feeds whose title starts like this
  tag:tech                 feeds with this tag
  is:unread  is:read  is:starred
  after:2024-01-31  before:2024-02-01  since:7d  (or 2w, 3m, 1y)
  sort:date                newest first instead of best match first
Filters alone, like is:starred feed:bbc, list their articles newest first."""

_COLUMNS = frozenset({"title", "author"})  # fields that are FTS5 column filters
_FILTERS = frozenset({"feed", "tag", "is", "after", "before", "since", "sort"})
_FIELD = re.compile(r"([A-Za-z]+):")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_SPAN = re.compile(r"([0-9]{1,6})([dwmy])", re.IGNORECASE)
_DAY = 86_400
_SPAN_SECONDS = {"d": _DAY, "w": 7 * _DAY, "m": 30 * _DAY, "y": 365 * _DAY}
_MAX_DEPTH = 8  # brackets nest this deep at most: keeps recursion and FTS5's parser stack small


class QueryError(ValueError):
    """The query is not in the grammar; the message is short enough for the search bar."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to search for: the store turns it into SQL with bound parameters."""

    match: str | None  # an FTS5 MATCH expression, None for a filters-only query
    feed_prefixes: tuple[str, ...]  # case-insensitive prefixes of the feed title: any may match
    tags: tuple[str, ...]  # exact, case-insensitive: the article's feed has every one
    unread: bool | None  # is:unread → True, is:read → False
    starred: bool
    after: int | None  # Unix seconds, inclusive
    before: int | None  # Unix seconds, exclusive
    sort_by_date: bool
    terms: tuple[str, ...]  # searched words and phrases (prefixes without `*`), to highlight


def parse_query(text: str, *, now: float) -> SearchQuery:
    """Parse what the user typed; `now` anchors `since:`."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from argv
    parser = _Parser(_tokens(text))
    node = parser.parse_sequence(depth=0)
    if parser.peek() is not None:
        raise QueryError("unbalanced bracket")
    if node is None and parser.dropped_words:
        raise QueryError("nothing to search for: a word needs a letter or a digit")
    filters = _Filters(now)
    for word in parser.filters:
        filters.add(word)
    return SearchQuery(
        match=_render(node) if node else None,
        feed_prefixes=tuple(dict.fromkeys(filters.feeds)),
        tags=tuple(dict.fromkeys(filters.tags)),
        unread=filters.unread,
        starred=filters.starred,
        after=filters.after,
        before=filters.before,
        sort_by_date=filters.sort_by_date,
        terms=tuple(dict.fromkeys(_terms(node))) if node else (),
    )


# ---------------------------------------------------------------- tokens


class _Op(enum.Enum):
    OPEN = "("
    CLOSE = ")"
    OR = "OR"
    EXCLUDE = "-"


@dataclass(frozen=True, slots=True)
class _Word:
    """A word or quoted phrase as typed, with its field if it had a known one."""

    text: str
    prefix: bool = False
    field: str | None = None


def _tokens(text: str) -> list[_Op | _Word]:
    """Split into words, phrases and operators; quotes and brackets always delimit."""
    tokens: list[_Op | _Word] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Op(char))
            i += 1
        elif char == "-":
            i += 1
            if i == len(text) or text[i].isspace() or text[i] == ")":
                raise QueryError("- needs a word after it")
            tokens.append(_Op.EXCLUDE)
            if text[i] != "(":
                word, i = _read_word(text, i)
                tokens.append(word)
        else:
            word, i = _read_word(text, i)
            tokens.append(_Op.OR if char != '"' and word == _Word("OR") else word)
    return tokens


def _read_word(text: str, start: int) -> tuple[_Word, int]:
    """Read a phrase, a bare word, or `field:value` where the value may be quoted."""
    if text[start] == '"':
        phrase, end = _read_quoted(text, start)
        prefix, end = _read_stars(text, end)
        return _Word(phrase, prefix), end
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in '()"':
        end += 1
    raw = text[start:end]
    field = _known_field(raw)
    value = raw[len(field) + 1 :] if field else raw
    if field and not value and text.startswith('"', end):
        value, end = _read_quoted(text, end)
        prefix, end = _read_stars(text, end)
        return _Word(value, prefix, field), end
    return _Word(value.rstrip("*"), value.endswith("*"), field), end


def _known_field(raw: str) -> str | None:
    match = _FIELD.match(raw)
    if match and match[1].lower() in _COLUMNS | _FILTERS:
        return match[1].lower()
    return None


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    close = text.find('"', start + 1)
    if close < 0:
        raise QueryError("unbalanced quote")
    return text[start + 1 : close], close + 1


def _read_stars(text: str, start: int) -> tuple[bool, int]:
    end = start
    while text.startswith("*", end):
        end += 1
    return end > start, end


# ---------------------------------------------------------------- structure


@dataclass(frozen=True, slots=True)
class _Phrase:
    text: str
    prefix: bool
    column: str | None


@dataclass(frozen=True, slots=True)
class _All:
    include: tuple[_Node, ...]
    exclude: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Any:
    options: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Not:
    node: _Node


_Node = _Phrase | _All | _Any
_Item = _Node | _Not | _Word | None  # _Word: a filter; None: nothing to search for


class _Parser:
    """Recursive descent: sequence := item*, item := unary (OR unary)*, unary := -? primary."""

    def __init__(self, tokens: list[_Op | _Word]) -> None:
        self.tokens = tokens
        self.position = 0
        self.filters: list[_Word] = []
        self.dropped_words = 0  # words with nothing the tokenizer keeps

    def peek(self) -> _Op | _Word | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Op | _Word | None:
        token = self.peek()
        self.position += 1
        return token

    def parse_sequence(self, depth: int) -> _Node | None:
        if depth > _MAX_DEPTH:
            raise QueryError("too many nested brackets")
        include: list[_Node] = []
        exclude: list[_Node] = []
        while self.peek() not in (None, _Op.CLOSE):
            item = self.parse_item(depth)
            if isinstance(item, _Not):
                exclude.append(item.node)
            elif isinstance(item, _Word):
                if depth:
                    raise QueryError(f"{item.field}: can't go inside brackets")
                self.filters.append(item)
            elif item:
                include.append(item)
        return _all_of(include, exclude)

    def parse_item(self, depth: int) -> _Item:
        first = self.parse_unary(depth)
        if self.peek() is not _Op.OR:
            return first
        options = [_option(first)]
        while self.peek() is _Op.OR:
            self.take()
            options.append(_option(self.parse_unary(depth)))
        return _Any(tuple(options))

    def parse_unary(self, depth: int) -> _Item:
        if self.peek() is not _Op.EXCLUDE:
            return self.parse_primary(depth)
        self.take()
        item = self.parse_primary(depth)
        if isinstance(item, _Word):
            raise QueryError(f"-{item.field}: is not supported")
        return _Not(item) if item else None

    def parse_primary(self, depth: int) -> _Item:
        token = self.take()
        if token is _Op.OPEN:
            node = self.parse_sequence(depth + 1)
            if self.take() is not _Op.CLOSE:
                raise QueryError("unbalanced bracket")
            return node
        if isinstance(token, _Word):
            item = _word_item(token)
            self.dropped_words += item is None
            return item
        raise QueryError("OR needs a word on both sides")  # OR, ) or the end after an OR


def _option(item: _Item) -> _Node:
    """One side of an OR: FTS5 can only OR things that match on their own."""
    if isinstance(item, _Not):
        raise QueryError("OR can't join a -word")
    if isinstance(item, _Word):
        raise QueryError(f"{item.field}: can't be used with OR")
    if item is None:
        raise QueryError("OR needs a word on both sides")
    return item


def _all_of(include: list[_Node], exclude: list[_Node]) -> _Node | None:
    """Words that must all match, minus exclusions; a nested group's parts join ours."""
    flat: list[_Node] = []
    excluded = list(exclude)
    for node in include:
        if isinstance(node, _All):
            flat.extend(node.include)
            excluded.extend(node.exclude)
        else:
            flat.append(node)
    if not flat:
        if excluded:
            raise QueryError("exclusions need a word to search for")
        return None
    if len(flat) == 1 and not excluded:
        return flat[0]
    return _All(tuple(flat), tuple(excluded))


def _word_item(word: _Word) -> _Item:
    if word.field in _FILTERS:
        return word
    text = " ".join(word.text.replace("\0", " ").split())  # FTS5 ends a string at NUL
    if any(_is_token_char(char) for char in text):
        return _Phrase(text, word.prefix, word.field)
    if word.field:
        raise QueryError(f"{word.field}: needs a word")
    return None


def _is_token_char(char: str) -> bool:
    """What unicode61 keeps: letters, numbers, private use; SQLite's older tables
    also count every code point unassigned in Python's Unicode as a token character."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category in ("Co", "Cn")


# ---------------------------------------------------------------- output


def _render(node: _Node) -> str:
    if isinstance(node, _Phrase):
        literal = '"' + node.text.replace('"', '""') + '"' + ("*" if node.prefix else "")
        return f"{node.column} : {literal}" if node.column else literal
    if isinstance(node, _Any):
        return " OR ".join(map(_operand, node.options))
    expression = " AND ".join(map(_operand, node.include))
    if not node.exclude:
        return expression
    if len(node.include) > 1:
        expression = f"({expression})"
    excluded = node.exclude[0] if len(node.exclude) == 1 else _Any(node.exclude)
    return f"{expression} NOT {_operand(excluded)}"


def _operand(node: _Node) -> str:
    """Brackets around anything compound, so FTS5's precedence never matters."""
    return _render(node) if isinstance(node, _Phrase) else f"({_render(node)})"


def _terms(node: _Node) -> Iterator[str]:
    """The phrases that make an article match: excluded ones are never highlighted."""
    if isinstance(node, _Phrase):
        yield node.text
    else:
        for child in node.options if isinstance(node, _Any) else node.include:
            yield from _terms(child)


class _Filters:
    """Accumulates filter words; repeated bounds narrow each other."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.feeds: list[str] = []
        self.tags: list[str] = []
        self.unread: bool | None = None
        self.starred = False
        self.after: int | None = None
        self.before: int | None = None
        self.sort_by_date = False

    def add(self, word: _Word) -> None:
        value = word.text.strip()
        match word.field:
            case "feed":
                self.feeds.append(_name(value, "feed"))
            case "tag":
                self.tags.append(_name(value, "tag"))
            case "is":
                self.add_state(value.lower())
            case "after":
                self.start_at(_day_start(value, "after"))
            case "since":
                self.start_at(self.since(value))
            case "before":
                end = _day_start(value, "before")
                self.before = end if self.before is None else min(self.before, end)
            case "sort":
                if value.lower() != "date":
                    raise QueryError("sort: can only be date")
                self.sort_by_date = True

    def start_at(self, start: int) -> None:
        self.after = start if self.after is None else max(self.after, start)

    def add_state(self, state: str) -> None:
        if state == "starred":
            self.starred = True
        elif state in ("read", "unread"):
            unread = state == "unread"
            if self.unread is not None and self.unread != unread:
                raise QueryError("is:read and is:unread conflict")
            self.unread = unread
        else:
            raise QueryError("is: takes unread, read or starred")

    def since(self, value: str) -> int:
        span = _SPAN.fullmatch(value)
        if not span:
            raise QueryError("since: needs a span like 7d, 2w, 3m or 1y")
        return math.floor(self.now) - int(span[1]) * _SPAN_SECONDS[span[2].lower()]


def _name(value: str, field: str) -> str:
    if not value:
        raise QueryError(f"{field}: needs a name")
    return value


def _day_start(value: str, field: str) -> int:
    """Local midnight at the start of an ISO date."""
    if date := _DATE.fullmatch(value):
        with contextlib.suppress(ValueError, OverflowError, OSError):
            return int(datetime(*map(int, date.groups())).timestamp())
    raise QueryError(f"{field}: needs a date like 2024-01-31")

"""A date that names no real moment is stored as unknown; real ones, in every dialect, exactly.

Month 13 used to roll into January of the next year, day 45 into the next month, an ISO
week date became another day, "-0044" the current year, year 10000 became 2010 and an
offset of +99:00 was taken as written: each a believable, wrong date at the top or the
bottom of the list. Each table goes through a feed file and the real CLI, as an RSS 2.0
pubDate and as an Atom 1.0 published date (the fast path reads both, feedparser the rest).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from corpus_checks import articles_json, import_source

IMPOSSIBLE = [
    "Mon, 45 Jan 2024 10:00:00 GMT",  # day 45
    "Mon, 30 Feb 2015 10:00:00 GMT",
    "Sun, 01 Jan 2023 25:61:61 GMT",  # hour 25, minute 61
    "Thu, 01 Jan 2026 00:00:00 +9900",  # offset +99:00
    "Thu, 01 Jan 2026 00:00:00 +1500",
    "Fri, 2006/13/15 08:19:53 EDT",  # Perforce, month 13
    "2024-13-01T00:00:00Z",  # month 13
    "2024-01-45T00:00:00Z",
    "2023-02-29",
    "2024-01-01T24:30:00Z",
    "2026-01-01T00:00:00+15:00",
    "2026-01-01T10:00:00+05:75",
    "-0044-03-15T12:00:00Z",  # a year before the common era
    "10000-01-01T00:00:00Z",  # a five-digit year
    "0000-01-01T00:00:00Z",
    "2024-W54-1",  # 2024 has 52 ISO weeks
    "2024-W05-8",
    "2023-366",  # 2023 has 365 days
    "--12-25",  # no year at all
    "2024-01-01T10:00:00Z and then some",
    "yesterday afternoon",
    "99999999999999999999999999",
]

# Each dialect feedparser reads, and the moment it names (UTC).
REAL = {
    "Thu, 01 Jan 2004 19:48:21 GMT": "2004-01-01T19:48:21Z",
    "Thu, 01 Jan 04 19:48:21 GMT": "2004-01-01T19:48:21Z",  # two-digit year
    "Thu,  5 Apr 2012 10:00:00 GMT": "2012-04-05T10:00:00Z",
    "Wed, 19 Aug 2009 18:28:00 Etc/GMT": "2009-08-19T18:28:00Z",
    "Wed, 19 Feb 2012 22:40:00 GMT-01:01": "2012-02-19T23:41:00Z",
    "Wed, 19 Feb 2012 22:40:00 -01:01": "2012-02-19T23:41:00Z",
    "Mon, 13 Feb, 2012 06:28:00 UTC": "2012-02-13T06:28:00Z",
    "Thu, 01 Jan 2004 00:00 GMT": "2004-01-01T00:00:00Z",
    "Thu, 01 Jan 2004": "2004-01-01T00:00:00Z",
    "Mon, 26 January 2004 16:31:00 PT": "2004-01-27T00:31:00Z",
    "Thu, 30 Apr 2015 08:57:00 MEST": "2015-04-30T06:57:00Z",
    "Thu Aug 30 2012 17:26:16 +0200": "2012-08-30T15:26:16Z",  # month before day
    "Sun Jan  4 16:29:06 2004": "2004-01-04T16:29:06Z",  # asctime
    "Sun Jul 15 01:16:00 +0000 2012": "2012-07-15T01:16:00Z",
    "Sat, 01 Jan 2000 14:00:00 +1400": "2000-01-01T00:00:00Z",  # the largest real offset
    "Fri, 2006/09/15 08:19:53 EDT": "2006-09-15T12:19:53Z",  # Perforce
    "2003-12-31T10:14:55Z": "2003-12-31T10:14:55Z",
    "2003-12-31T10:14:55-08:00": "2003-12-31T18:14:55Z",
    "2007-04-23T23:25:47.538+10:00": "2007-04-23T13:25:47Z",
    "2003-12-31": "2003-12-31T00:00:00Z",
    "2003-12": "2003-12-01T00:00:00Z",
    "2004-07-08 23:56:58 -00:20": "2004-07-09T00:16:58Z",  # MSSQL
    "2004-07-08 23:56:58.0": "2004-07-08T23:56:58Z",
    "2003-012-31T10:14:55+00:00": "2003-12-31T10:14:55Z",  # Google's extra zero
    "20240105T123000Z": "2024-01-05T12:30:00Z",  # basic format
    "031231": "2003-12-31T00:00:00Z",
    "2024-W05-3": "2024-01-31T00:00:00Z",  # week date: Wednesday of week 5
    "2024W053": "2024-01-31T00:00:00Z",
    "2024-045": "2024-02-14T00:00:00Z",  # ordinal date
    "2024-02-29T12:00:00Z": "2024-02-29T12:00:00Z",
    "\u039a\u03c5\u03c1, 11 \u0399\u03bf\u03cd\u03bb 2004 12:00:00 EST": "2004-07-11T17:00:00Z",
    "2004-j\u00falius-13T9:15-05:00": "2004-07-13T14:15:00Z",  # Hungarian
    "2004-05-25 \uc624\ud6c4 11:23:17": "2004-05-25T14:23:17Z",  # Korean (Nate)
}


def feed_with_dates(kind: str, dates: list[str]) -> str:
    """One item (entry) per date string, each linked to /N in the table's order."""
    if kind == "rss":
        items = "".join(
            f"<item><title>Item {n}</title><link>https://dates.example/{n}</link>"
            f"<guid>d-{n}</guid><pubDate>{escape(value)}</pubDate></item>\n"
            for n, value in enumerate(dates)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Dates</title><link>https://dates.example/</link>\n{items}</channel></rss>"
        )
    entries = "".join(
        f"<entry><title>Item {n}</title><id>https://dates.example/{n}</id>"
        f'<link href="https://dates.example/{n}"/><published>{escape(value)}</published>'
        "</entry>\n"
        for n, value in enumerate(dates)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Dates</title><id>https://dates.example/</id>\n{entries}</feed>"
    )


def stored_dates(cli, tmp_path: Path, kind: str, dates: list[str]) -> dict[str, str | None]:
    feed = tmp_path / f"dates.{kind}"
    feed.write_text(feed_with_dates(kind, dates), encoding="utf-8")
    imported = import_source(cli, feed)
    assert imported.add.code == 0, imported.add
    by_link = {row["link"]: row["published"] for row in articles_json(cli)}
    return {value: by_link[f"https://dates.example/{n}"] for n, value in enumerate(dates)}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_impossible_dates_are_unknown(cli, tmp_path: Path, kind: str) -> None:
    stored = stored_dates(cli, tmp_path, kind, IMPOSSIBLE)
    assert stored == dict.fromkeys(IMPOSSIBLE)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_real_dates_in_every_dialect_are_read_exactly(cli, tmp_path: Path, kind: str) -> None:
    assert stored_dates(cli, tmp_path, kind, list(REAL)) == REAL


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_real_dates_the_fast_path_reads_are_read_exactly(cli, tmp_path: Path, kind: str) -> None:
    """The same, in a feed with only the RFC 822 and ISO 8601 dialects (no step aside)."""
    plain = {value: moment for value, moment in REAL.items() if value.isascii()}
    assert stored_dates(cli, tmp_path, kind, list(plain)) == plain

"""Golden parse tests: each file in tests/golden/ next to the JSON of what it must parse into.

To regenerate after an intended change: TUINEWS_UPDATE_GOLDEN=1 pytest tests/test_parse_golden.py,
then read the diff of the .expected.json files before committing them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from conftest import ROOT

from tuinews.models import ParsedFeed
from tuinews.parse import feeds as feed_parsing
from tuinews.parse.fastpath import NeedsFeedparser, parse_plain_feed

GOLDEN = Path(__file__).parent / "golden"
INPUTS = sorted(p for p in GOLDEN.iterdir() if not p.name.endswith(".expected.json"))


def as_json(parsed: ParsedFeed) -> dict:
    """Everything a parse says, minus the change hash (an implementation detail)."""
    feed = json.loads(json.dumps(dataclasses.asdict(parsed)))
    for article in feed["articles"]:
        del article["content_hash"]
    return feed


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.name)
def test_parse_matches_golden(source: Path) -> None:
    parsed = as_json(feed_parsing.parse_document(source.read_bytes()))
    expected_path = source.with_name(source.name + ".expected.json")
    if os.environ.get("TUINEWS_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(parsed, indent=2, ensure_ascii=False) + "\n")
    assert parsed == json.loads(expected_path.read_text())


def parse_with_feedparser_only(data: bytes, monkeypatch: pytest.MonkeyPatch) -> ParsedFeed:
    def refuse(_: bytes) -> ParsedFeed:
        raise NeedsFeedparser

    monkeypatch.setattr(feed_parsing, "parse_plain_feed", refuse)
    return feed_parsing.parse_document(data)


FAST_PATH_DOCUMENTS = [
    GOLDEN / "rss2_plain.xml",
    GOLDEN / "atom_plain.xml",
    ROOT / "sample_feeds" / "harbour_gazette.rss",
    ROOT / "sample_feeds" / "northgate_tech.atom",
]


@pytest.mark.parametrize("source", FAST_PATH_DOCUMENTS, ids=lambda p: p.name)
def test_fast_path_and_feedparser_agree(source: Path, monkeypatch) -> None:
    """A feed that turns malformed later goes through feedparser: same identities, same text."""
    data = source.read_bytes()
    fast = feed_parsing.with_absolute_links(parse_plain_feed(data), "")
    assert fast.articles
    assert fast == parse_with_feedparser_only(data, monkeypatch)


@pytest.mark.parametrize(
    "name", ["rss2_doctype.xml", "atom_xhtml.xml", "rdf_10.xml", "rss_091.xml"]
)
def test_unusual_documents_go_to_feedparser(name: str) -> None:
    with pytest.raises(NeedsFeedparser):
        parse_plain_feed((GOLDEN / name).read_bytes())

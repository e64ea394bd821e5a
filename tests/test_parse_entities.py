"""No document expands an entity its DOCTYPE declares, in any encoding, on either path.

The README promises it; an internal entity of 20,000 characters referenced 5,000 times
(a 100 KB document) is what it protects against: 100 M characters in feedparser's
lenient parser, hundreds of MB of memory. The reference stays in the text as written.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_checks import articles_json, library_bytes, show, show_body

from tuinews.parse.fastpath import NeedsFeedparser, parse_plain_feed
from tuinews.parse.feeds import parse_document

# (Python codec, the name the XML declaration gives, byte order mark or none)
ENCODINGS = [
    ("utf-8", "utf-8", b""),
    ("utf-8", "utf-8", codecs.BOM_UTF8),
    ("utf-16-le", "utf-16", codecs.BOM_UTF16_LE),
    ("utf-16-be", "utf-16", codecs.BOM_UTF16_BE),
    ("utf-16-le", "utf-16le", b""),
    ("utf-16-be", "utf-16be", b""),
    ("utf-32-le", "utf-32", codecs.BOM_UTF32_LE),
    ("utf-32-be", "utf-32", codecs.BOM_UTF32_BE),
    ("utf-32-le", "utf-32le", b""),
    ("utf-32-be", "utf-32be", b""),
    ("iso-8859-1", "iso-8859-1", b""),
    ("windows-1252", "windows-1252", b""),
    ("koi8-r", "koi8-r", b""),
    ("us-ascii", "us-ascii", b""),
    ("utf-7", "utf-7", b""),  # an ASCII scan of the bytes sees no "<!DOCTYPE" in these
    ("cp037", "cp037", b""),  # EBCDIC
]
ENCODING_IDS = [f"{label}{'+bom' if bom else ''}" for _, label, bom in ENCODINGS]


def entity_feed(
    codec: str, label: str, bom: bytes, *, value: str, references: int, before: str = ""
) -> bytes:
    """An RSS 2.0 feed whose DOCTYPE declares `brand`, used in the feed title and body."""
    text = (
        f'<?xml version="1.0" encoding="{label}"?>\n'
        f"{before}"
        "<!DOCTYPE rss [\n"
        f'  <!ENTITY brand "{value}">\n'
        "]>\n"
        '<rss version="2.0"><channel><title>&brand; Weekly</title>\n'
        "<link>https://weekly.example/</link>\n"
        "<item><title>Issue one</title><guid>weekly-1</guid>\n"
        f"<description>Made by {'&brand;' * references}.</description></item>\n"
        "</channel></rss>\n"
    )
    return bom + text.encode(codec)


# A measuring subprocess: imports one file with the real CLI, then says its peak memory.
MEASURE = """
import json, resource, sys
from tuinews.cli import main
code = main(["--db", sys.argv[1], "add", sys.argv[2]])
peak_kib = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"code": code, "peak_mib": peak_kib / 1024}))
"""


@pytest.mark.parametrize(("codec", "label", "bom"), ENCODINGS, ids=ENCODING_IDS)
def test_entity_bomb_imports_in_little_memory_and_stays_unexpanded(
    cli, db_path: Path, tmp_path: Path, codec: str, label: str, bom: bytes
) -> None:
    """20,000 characters × 5,000 references: the import stays under 100 MB and the
    library holds the reference, never the 20,000 characters."""
    feed = tmp_path / "bomb.xml"
    feed.write_bytes(entity_feed(codec, label, bom, value="A" * 20_000, references=5_000))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # this test's tuinews
    # Through a shell that forks it: a process started straight from this one inherits
    # this one's peak as its own ru_maxrss (Linux keeps it across exec).
    command = [sys.executable, "-c", MEASURE, str(db_path), str(feed)]
    measured = subprocess.run(
        ["/bin/sh", "-c", '"$@"; exit $?', "measure", *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert measured.returncode == 0, measured.stderr
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, measured.stderr
    assert report["peak_mib"] < 100, report

    assert b"A" * 100 not in library_bytes(db_path)
    (article,) = articles_json(cli)
    shown = "".join(show_body(show(cli, article["id"])).split())  # unwrapped
    assert shown == "Madeby" + "&brand;" * 5_000 + "."


PLACEMENTS = {
    "first": "",
    # Further in than any fixed-size look at the document's head.
    "after a long comment": "<!-- " + "padding " * 600 + "-->\n",
}


@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize(("codec", "label", "bom"), ENCODINGS, ids=ENCODING_IDS)
def test_declared_entity_is_kept_as_written(
    codec: str, label: str, bom: bytes, placement: str
) -> None:
    """A small, harmless-looking entity is not expanded either, by either path: the
    feed's name and the body say "&brand;" where the document does."""
    data = entity_feed(
        codec, label, bom, value="Kestrel", references=1, before=PLACEMENTS[placement]
    )
    parsed = parse_document(data)
    assert parsed.title == "&brand; Weekly"
    (article,) = parsed.articles
    assert article.content_text == "Made by &brand;."
    try:
        fast = parse_plain_feed(data)
    except NeedsFeedparser:
        return
    assert "Kestrel" not in repr(fast)

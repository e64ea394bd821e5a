"""Turn strangers' text into text that is safe to store and to show in a terminal.

Feed text can carry terminal escape sequences (clear screen, clipboard writes,
hyperlinks), C0/C1 control characters, bidi overrides, lone surrogates and
invisible characters. They are removed once at ingestion and again at display
(the display side runs the same functions on what it derives from stored HTML).
"""

from __future__ import annotations

import re

# Escape sequences first, so that their parameters ("[2J", "]52;c;...") go with them.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                  # CSI: ESC [ or 8-bit CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])          # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)   #   ... up to BEL or ST; unended,
                                                       #   only the introducer goes
    | \x1b[ -/]*[0-~]?                                 # other ESC sequences (ESC c, ESC 7, ESC ( B)
    """,
    re.VERBOSE,
)

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u2060\u2061\u2062\u2063\u2064\ufeff\ufffe\uffff"

# Everything removed from any text: C0 except \t \n, DEL, C1, bidi, invisibles,
# lone surrogates and the Unicode TAG block (invisible "hidden instruction" text).
_DROP_ANYWHERE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"
    + _BIDI_CONTROLS
    + _INVISIBLE
    + "\ud800-\udfff\U000e0000-\U000e007f]"
)
_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def _strip_controls(text: str) -> str:
    # Every character _DROP_ANYWHERE matches is one str.isprintable() rejects (a
    # test checks all code points), and escape sequences start with ESC or a C1
    # control: text that is printable once tabs and newlines are spaces has nothing
    # to remove, and isprintable() says so several times faster than the regex.
    if text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    # Most text has nothing to remove: one scan of a character class decides that.
    if _DROP_ANYWHERE.search(text) is None:
        return text
    return _DROP_ANYWHERE.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str | None, limit: int = 1000) -> str:
    """One-line field (title, author, tag): no controls, no line breaks, capped."""
    if not text:
        return ""
    text = " ".join(_strip_controls(text.replace("\r", " ")).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text if is_visible(text) else ""


def clean_text(text: str | None, limit: int = 8_000_000) -> str:
    """Multi-line body text: keeps newlines and tabs, drops every other control."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x85", "\n")
    text = _BLANK_RUN.sub("\n\n", _strip_controls(text)).strip()
    if len(text) > limit:
        text = text[:limit] + "\n\n[… article truncated: it was longer than tuinews keeps]"
    return text


_CONTROLS_AND_SURROGATES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_identifier(text: str | None, limit: int = 4096) -> str:
    """A guid: exact apart from controls and outer whitespace ("bidi-\u200b3" stays itself)."""
    if not text:
        return ""
    return _CONTROLS_AND_SURROGATES.sub("", text).strip()[:limit]


# Printable on paper, blank on screen: Hangul fillers, the braille blank, ZWJ.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u200d")


def is_visible(text: str) -> bool:
    """True when something a person can see is left (a row of fillers is not)."""
    return any(not ch.isspace() and ch.isprintable() and ch not in _BLANK_LOOKING for ch in text)

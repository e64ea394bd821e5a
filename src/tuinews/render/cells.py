"""How wide a string is on a terminal: the one measure reading, layout and the rows use.

Terminals do not agree on the width of emoji sequences: a ZWJ family (👨‍👩‍👧) is one
2-cell picture to one terminal and three to another, ❤️ (with VS16) is 1 cell or 2,
👍🏽 is 2 or 4, a flag 2 or 4, a keycap 1 or 2, and a character newer than the
terminal's tables 0, 1 or 2. A row measured one way and drawn another shifts by a
cell or two and leaves stale characters on the screen. So what is drawn is first made
into text every terminal measures alike (for_terminal): each emoji drawn alone, flags
as their two letters, characters whose width changed between Unicode versions (or is
unknown) as U+FFFD. cell_width measures text as for_terminal draws it.
"""

from __future__ import annotations

import functools
import unicodedata

# Dropped: zero-width joiner and the other format characters, variation selectors
# (VS15/VS16 switch text and emoji looks, and widths with them), skin-tone modifiers
# (a separate 2-cell swatch where they do not combine) and the keycap enclosure.
_DROPPED = frozenset(
    [chr(cp) for cp in range(0xFE00, 0xFE10)]
    + [chr(cp) for cp in range(0x1F3FB, 0x1F400)]
    + [chr(cp) for cp in range(0xE0100, 0xE01F0)]
    + ["\u20e3"]
)
_REGIONAL_A = 0x1F1E6  # regional indicators: two make a flag, or two boxed letters
_REGIONAL_Z = 0x1F1FF
# Made wide in Unicode 16 (trigrams, digrams, hexagrams, Tai Xuan Jing, counting rods):
# 1 cell to older terminals and tables, 2 to newer ones.
_WIDTH_CHANGED = (
    (0x2630, 0x2637),
    (0x268A, 0x268F),
    (0x4DC0, 0x4DFF),
    (0x1D300, 0x1D356),
    (0x1D360, 0x1D376),
)
# Blank fillers that some tables give two cells and others none: drawn as spaces.
_FILLERS = {"\u3164": "  ", "\uffa0": " "}
_UNSURE = "\ufffd"


@functools.lru_cache(maxsize=8192)
def _drawn(char: str) -> str:
    """What for_terminal draws for one character."""
    point = ord(char)
    category = unicodedata.category(char)
    if category == "Cf" or char in _DROPPED:
        return ""
    if _REGIONAL_A <= point <= _REGIONAL_Z:
        return chr(point - _REGIONAL_A + ord("A"))
    if category == "Cn" or any(low <= point <= high for low, high in _WIDTH_CHANGED):
        return _UNSURE
    return _FILLERS.get(char, char)


def for_terminal(text: str) -> str:
    """Text as drawn on screen: what every terminal gives the width cell_width says."""
    if text.isascii():
        return text
    return "".join(map(_drawn, text))


def _cells(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if 0x1160 <= ord(char) <= 0x11FF or 0xD7B0 <= ord(char) <= 0xD7FF:
        return 0  # Hangul vowels and finals: they join the syllable before them
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


@functools.lru_cache(maxsize=4096)
def char_cells(char: str) -> int:
    """Cells one character takes as drawn: CJK and emoji two, combining marks none."""
    drawn = _drawn(char)
    return _cells(drawn) if len(drawn) == 1 else sum(map(_cells, drawn))


def cell_width(text: str) -> int:
    """Width in terminal cells as drawn: CJK and emoji take two, combining marks none."""
    return len(text) if text.isascii() else sum(map(char_cells, text))


def fitting(text: str, room: int) -> int:
    """How many characters of `text` fit in `room` cells (a wide one that would
    straddle the edge does not)."""
    if text.isascii():
        return min(len(text), max(room, 0))
    used = 0
    for index, char in enumerate(text):
        used += char_cells(char)
        if used > room:
            return index
    return len(text)


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in "…" when it had to be cut."""
    if cell_width(text) <= width:
        return text
    return text[: fitting(text, width - 1)] + "…" if width > 0 else ""

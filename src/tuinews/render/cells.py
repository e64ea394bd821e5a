"""How wide a string is on a terminal: the one measure both reading and layout use."""

from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=4096)
def char_cells(char: str) -> int:
    """Cells one character takes: CJK and emoji two, combining marks and format characters none."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """Width in terminal cells: CJK and emoji take two, combining marks none."""
    return len(text) if text.isascii() else sum(map(char_cells, text))

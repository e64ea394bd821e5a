"""Files shipped beside the code: the styles and the sample library.

A wheel carries them inside the package (see pyproject's force-include); a
source checkout has them at the project root.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """`styles` or `sample_feeds`, wherever this installation keeps it."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parents[1] / name

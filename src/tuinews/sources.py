"""What a SOURCE string means: an http(s) feed URL, a local feed file, or a folder of articles.

Anything else (`exec:`, `filter:`, `|command`, `javascript:` …) is refused: tuinews
never runs a program to get a feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tuinews.models import SourceKind
from tuinews.urls import WEB_SCHEMES, is_web_url

# The files a folder source is made of: one article each.
ARTICLE_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm"})

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class BadSource(ValueError):
    """The source cannot be used; the message is one line and names it."""


@dataclass(frozen=True, slots=True)
class Source:
    location: str  # the URL, or an absolute local path
    kind: SourceKind


def classify_source(text: str, base: Path | None = None) -> Source:
    """Decide what `text` names; relative paths are taken from `base` (default: cwd)."""
    raw = text.strip()
    if not raw:
        raise BadSource("empty source")
    if is_web_url(raw):
        return Source(raw, SourceKind.URL)
    scheme = _SCHEME.match(raw)
    if scheme and scheme.group(1).lower() in WEB_SCHEMES:
        raise BadSource(f"{raw}: a web address needs a host name and no control characters")
    if scheme and scheme.group(1).lower() == "file":
        parts = urlsplit(raw)
        if parts.netloc not in {"", "localhost"}:
            raise BadSource(f"{raw}: only local file:// URLs can be read")
        return _local(Path(unquote(parts.path)), raw)
    if scheme or raw.startswith("|"):
        raise BadSource(f"{raw}: not an http(s) URL or a local path (refused)")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return _local(path, raw)


def _local(path: Path, raw: str) -> Source:
    resolved = path.resolve()
    if resolved.is_dir():
        return Source(str(resolved), SourceKind.FOLDER)
    if resolved.is_file():
        return Source(str(resolved), SourceKind.FILE)
    raise BadSource(f"{raw}: no such file or folder")

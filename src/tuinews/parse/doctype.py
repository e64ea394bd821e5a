"""No feed document expands an entity: a DOCTYPE is cut out before any XML parser reads it.

An internal DTD subset can declare entities that grow a 45 KB document into 100 M
characters (one entity of 20,000 characters, referenced 5,000 times), or name a local
file. A feed has no use for either, so the declaration goes before parsing, whole:
an entity it declared stays in the text as written (`&brand;`), and the HTML entity
names feedparser knows (`&nbsp;`) still read as before, since feedparser removed
every DOCTYPE itself (and put back, into one of its own, the entities it judged safe,
which is what let the 100 M characters through).

Both readers of XML see only what these functions let through:
- the fast path (ElementTree) takes a document only when `plain_prolog` says it
  reaches its root element, in ASCII-compatible bytes, through nothing but an XML
  declaration, comments, processing instructions and white space;
- feedparser calls `without_doctype` (installed in place of its own DOCTYPE
  handling) on the document after converting it to UTF-8 from whatever encoding it
  detected, so the cut is made in every encoding feedparser can read, UTF-16 and
  UTF-32 included, and in those an ASCII scan would not see (UTF-7, ISO-2022-JP).

Every scan here moves forward with `find`: linear on hostile input.
"""

from __future__ import annotations

import re

_UTF8_BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(rb"[ \t\r\n]*")
# The first character of a root element's name: an ASCII name start, or any UTF-8 lead byte.
_NAME_START = re.compile(rb"[A-Za-z_:\x80-\xff]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# Inside the declaration, outside its internal subset: literals, the subset, the end.
_DECLARATION_TOKEN = re.compile(rb"""["'\[>]""")
# Inside the internal subset: literals, comments and processing instructions (any of
# which may hold "]" or ">"), and the "]" that ends it.
_SUBSET_TOKEN = re.compile(rb"""["'\]]|<!--|<\?""")
_CLOSERS = {b'"': b'"', b"'": b"'", b"<!--": b"-->", b"<?": b"?>"}


def plain_prolog(data: bytes) -> bool:
    """Whether the document reaches its root element with no DOCTYPE on the way.

    Also False for anything that is not plainly ASCII-compatible at its start (UTF-16
    and UTF-32, with or without a byte order mark), where a byte scan proves nothing.
    """
    position = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    while True:
        position = _SPACE.match(data, position).end()
        if data.startswith(b"<?", position) or data.startswith(b"<!--", position):
            closer = b"?>" if data[position + 1] == ord("?") else b"-->"
            end = data.find(closer, position + 2)
            if end < 0:
                return False
            position = end + len(closer)
        elif data.startswith(b"<", position):
            return _NAME_START.match(data, position + 1) is not None
        else:
            return False


def without_doctype(data: bytes) -> tuple[bytes, bytes]:
    """The document without the DOCTYPE declarations before its root element, and the
    text of the first one outside its internal subset ("rss PUBLIC ..."), which says
    which dialect an RSS 0.91 document is.

    `data` is read as ASCII-compatible bytes (feedparser's UTF-8). A declaration that
    never ends is left in place: an XML parser stops inside it, before any content, and
    feedparser's lenient parser, given no entities, expands none.
    """
    pieces: list[bytes] = []
    head = b""
    position = kept_from = 0
    while True:
        start = data.find(b"<", position)
        if start < 0:
            break
        if data.startswith(b"<?", start) or data.startswith(b"<!--", start):
            closer = b"?>" if data[start + 1] == ord("?") else b"-->"
            end = data.find(closer, start + 2)
            if end < 0:
                break
            position = end + len(closer)
        elif _DOCTYPE.match(data, start):
            end, outside = _declaration_end(data, start)
            if end < 0:
                break
            pieces.append(data[kept_from:start])
            head = head or outside
            position = kept_from = end
        elif data.startswith(b"<!", start):
            position = start + 2  # a stray declaration; an XML parser refuses it
        else:
            break  # the root element
    if not pieces:
        return data, b""
    pieces.append(data[kept_from:])
    return b"".join(pieces), head


def _declaration_end(data: bytes, start: int) -> tuple[int, bytes]:
    """(index just past the declaration, its name and external ID: the text before the
    internal subset), or (-1, b"") when it does not end."""
    position = name_start = start + len(b"<!DOCTYPE")
    name_end = -1
    in_subset = False
    while True:
        token = (_SUBSET_TOKEN if in_subset else _DECLARATION_TOKEN).search(data, position)
        if token is None:
            return -1, b""
        mark = token.group()
        if mark in _CLOSERS:
            end = data.find(_CLOSERS[mark], token.end())
            if end < 0:
                return -1, b""
            position = end + len(_CLOSERS[mark])
            continue
        if mark == b">":
            end = name_end if name_end >= 0 else token.start()
            return token.end(), data[name_start:end]
        if mark == b"[" and name_end < 0:
            name_end = token.start()
        in_subset = mark == b"["
        position = token.end()

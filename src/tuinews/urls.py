"""Whether a string is a web URL, whether a link may be kept and handed to a browser,
and how to show it.

One rule for the whole program, so that a source added as `HTTP://…`, a link to
`http:///x` or an href of `javascript:…` gets the same answer from the source
classifier, the fetcher, feed discovery, the renderer's link list, the reader's
"open" key and the feed list's titles; and so that the link a person reads is the
link that opens (whole, with nothing hidden in it, its host not passing for another).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})

# The longest link tuinews keeps. A browser is handed a link as one program argument,
# and that is where links stop working everywhere: a Windows command line holds 32,767
# characters, and Linux refuses an argument over 131,071 bytes (32,000 characters of
# four UTF-8 bytes each still fit). It is four times the 8,000 that RFC 9110 asks every
# client and server to accept, so real links (long tracking or state-in-the-URL ones
# included) fit; a longer one is refused, never cut: a cut link opens another page.
LINK_CAP = 32_000

# Browsers and HTTP clients strip or refuse these, so the URL acted on would not be
# the URL judged (`java\tscript:` is how a tab sneaks a scheme past a careless check).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Drawn as nothing (or as a blank) but still part of what opens: a link holding one
# reads as another link. Format characters (bidi controls, zero-width ones, the BOM,
# soft hyphens, tags) are found by category; these are the invisible rest.
_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u180b-\u180f\u2028\u2029\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef\ud800-\udfff]"
)
_INNER_SPACE = re.compile(r"\s")


def is_web_url(text: str) -> bool:
    """An http(s) URL with a host, judged exactly as written.

    The scheme's case does not matter (`HTTP://`). Surrounding whitespace or a
    control character anywhere makes it not one: callers strip what a person typed
    before asking, and then keep the stripped string.
    """
    if text != text.strip() or _CONTROL.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False
    return parts.scheme in WEB_SCHEMES and bool(parts.hostname)


# Top-level names reserved never to resolve on the internet (RFC 2606, RFC 6761):
# demo and test feeds link there, and a page fetch would only wait for DNS to fail.
_NEVER_RESOLVED = ("example", "invalid", "test")


def is_fetchable_page(url: str) -> bool:
    """A web URL whose page may be fetched: its host is not under a reserved name."""
    if not is_web_url(url):
        return False
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host.rpartition(".")[2] not in _NEVER_RESOLVED


def is_openable(url: str) -> bool:
    """Only web URLs go to a browser: file:, javascript:, data: and the rest are shown.

    And only those whose host can be written in ASCII, the form tuinews opens (see
    shown_url): a host no IDNA version can encode is not one a browser should guess at.
    """
    if not is_web_url(url):
        return False
    host = _host(url)
    return host is None or host.ascii is not None


# ---------------------------------------------------------------- keeping a link


def checked_link(text: str) -> tuple[str, str | None]:
    """The link as tuinews keeps it, or "" and why it is refused.

    Kept whole: surrounding whitespace is trimmed (as browsers do), and inside a web
    URL each whitespace character is percent-encoded (as browsers do when they open
    it: `a b` opens as `a%20b`), so that what is shown is what opens. Refused: a link
    longer than LINK_CAP, or holding a control character (tabs and line breaks too:
    browsers delete them, so `java\\tscript:` would open as `javascript:`) or an
    invisible one (bidi controls, zero-width characters, fillers), which make it read
    as a different link from the one that opens. The reason reads after "refused: ".
    """
    link = text.strip()
    if not link:
        return "", None
    if _CONTROL.search(link):
        return "", "it holds control characters"
    if not link.isascii() and (
        _INVISIBLE.search(link) or any(unicodedata.category(ch) == "Cf" for ch in link)
    ):
        return "", "it holds invisible characters that would make it read as another link"
    if _INNER_SPACE.search(link) and _scheme(link) in WEB_SCHEMES:
        link = _INNER_SPACE.sub(lambda space: quote(space.group()), link)
    if len(link) > LINK_CAP:
        return "", f"it is longer than {LINK_CAP:,} characters"
    return link, None


def stored_link(text: str) -> str:
    """checked_link without the reason: the link to store, "" when refused."""
    return checked_link(text)[0]


def _scheme(text: str) -> str:
    """The scheme, lower-cased ("" when there is none or the URL does not parse)."""
    try:
        return urlsplit(text).scheme
    except ValueError:
        return ""


# ---------------------------------------------------------------- showing a link


def shown_url(url: str) -> str:
    """The URL as tuinews shows, opens and copies it.

    A host that could pass for another (host_warning) is written in its ASCII form,
    punycode (`http://xn--pple-43d.com/` for a Cyrillic "аpple.com"), as browsers
    show such hosts; any other host in its Unicode form as a browser maps it
    (`ＥＸＡＭＰＬＥ.com` is example.com). Everything else is the URL as stored.
    """
    host = _host(url)
    if host is None:
        return url
    if host.warning is None:
        shown = host.unicode
    elif host.ascii is not None:
        shown = host.ascii
    else:  # no ASCII form: not openable (is_openable), shown as it is
        return url
    return url[: host.start] + shown + url[host.end :]


def host_warning(url: str) -> str | None:
    """Why a URL's host might pass for another site's, in words that follow "—"; None
    when it cannot.

    Browsers' rules for showing international hosts are the model (Chromium's IDN
    spoof checker, Mozilla's "moderately restrictive" profile): each name between
    dots is written in one script, or in Latin with one other script that has no
    letters like Latin's (Cyrillic, Greek and Cherokee do), or in Latin with the
    scripts of Japanese, Chinese or Korean; a name all of Cyrillic letters that look
    Latin ("аррӏе") is one; digits come from one number system; a dot is a dot
    (a full-width 。 is read as one, so it is one in disguise); and the name can be
    written under IDNA 2008.
    """
    host = _host(url)
    return host.warning if host else None


@dataclass(frozen=True, slots=True)
class _Host:
    start: int  # where the host is in the URL
    end: int
    unicode: str  # as browsers map it: lower case, full-width letters narrowed
    ascii: str | None  # punycode; None when no IDNA version can write it
    warning: str | None


_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_DISGUISED_DOTS = re.compile("[\u3002\uff0e\uff61]")


@functools.lru_cache(maxsize=1024)
def _host(url: str) -> _Host | None:
    """The host of a web URL with a non-ASCII or punycode name; None for other URLs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in WEB_SCHEMES or not parts.netloc:
        return None
    start = url.find("//") + 2
    if url[start : start + len(parts.netloc)] != parts.netloc:
        return None
    netloc = parts.netloc
    userinfo_end = netloc.rfind("@") + 1
    host = netloc[userinfo_end:]
    if host.startswith("["):  # an IPv6 address
        return None
    before, colon, port = host.rpartition(":")
    if colon and (port.isdigit() or not port):
        host = before
    if not host or (host.isascii() and "xn--" not in host.lower()):
        return None
    start += userinfo_end
    return _Host(start, start + len(host), *_judge(host))


def _judge(host: str) -> tuple[str, str | None, str | None]:
    """(Unicode form, ASCII form, warning) of a host name."""
    import idna  # 15 ms to import: only for the hosts that need it

    warning = None
    if _DISGUISED_DOTS.search(host):
        warning = "its address uses full-width dots, which are read as dots"
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except idna.IDNAError:
        mapped = host.lower()
    if len(mapped.split(".")) != len(_DOTS.split(host)):
        warning = "its address holds a character that is read as a dot"
    unicode_labels, ascii_labels = [], []
    for label in mapped.split("."):
        shown, written, problem = _label(label)
        unicode_labels.append(shown)
        ascii_labels.append(written)
        warning = warning or problem
    if warning is None:
        warning = _whole_script_spoof(unicode_labels)
    ascii_host = None if None in ascii_labels else ".".join(ascii_labels)  # type: ignore[arg-type]
    return ".".join(unicode_labels), ascii_host, warning


def _label(label: str) -> tuple[str, str | None, str | None]:
    """(Unicode form, ASCII form, warning) of one name between dots."""
    import idna

    if label.isascii():
        if not label.lower().startswith("xn--"):
            return label, label, None
        try:
            decoded = idna.decode(label)
        except idna.IDNAError:
            return label, label, None  # not punycode of anything: shown as it is
        return decoded, label, _mixing(decoded)
    mixing = _mixing(label)
    try:
        return label, idna.encode(label).decode("ascii"), mixing
    except idna.IDNAError:
        pass
    try:  # IDNA 2003 allowed symbols (i❤.ws); browsers show those as punycode
        written = label.encode("idna").decode("ascii")
    except UnicodeError:
        return label, None, mixing or "its address holds characters that web addresses may not hold"
    if "." in written:
        return label, None, "its address holds a character that is read as a dot"
    return label, written, mixing or "its address holds symbols that web addresses may not hold"


# Scripts whose letters are not confusable with Latin ones may mix with Latin in one
# name (UTS #39 "moderately restrictive"); CJK names mix Latin with their own scripts.
_LATIN_LIKE = frozenset({"Cyrillic", "Greek", "Cherokee"})
_CJK_SETS = (
    frozenset({"Latin", "Han", "Hiragana", "Katakana"}),
    frozenset({"Latin", "Han", "Bopomofo"}),
    frozenset({"Latin", "Han", "Hangul"}),
)
_SCRIPT_WORDS = {"CJK": "Han", "IDEOGRAPHIC": "Han", "KATAKANA-HIRAGANA": "Katakana"}
_TWO_WORD_SCRIPTS = frozenset({"OLD", "NEW", "LINEAR", "CANADIAN", "TAI", "INSCRIPTIONAL"})
_WIDTH_WORDS = frozenset({"FULLWIDTH", "HALFWIDTH", "SMALL"})


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name (which starts with it); None for
    what belongs to every script (marks, modifier letters, punctuation)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    words = unicodedata.name(char, "").split()
    while words and words[0] in _WIDTH_WORDS:
        words = words[1:]
    if not words or words[0] == "MODIFIER":
        return None
    if words[0] in _TWO_WORD_SCRIPTS and len(words) > 1:
        return f"{words[0]} {words[1]}".title()
    return _SCRIPT_WORDS.get(words[0], words[0].title())


def _mixing(label: str) -> str | None:
    """Why one name mixes what a name should not: scripts, or number systems."""
    scripts: list[str] = []
    zeros: set[int] = set()
    for char in label:
        if unicodedata.category(char) == "Nd":
            zeros.add(ord(char) - unicodedata.digit(char))
        elif (script := _script(char)) and script not in scripts:
            scripts.append(script)
    if len(zeros) > 1:
        return "its address mixes digits of different number systems"
    kinds = frozenset(scripts)
    if len(kinds) <= 1 or any(kinds <= allowed for allowed in _CJK_SETS):
        return None
    if len(kinds) == 2 and "Latin" in kinds and not kinds & _LATIN_LIKE:
        return None
    scripts.sort(key=lambda script: script != "Latin")  # "Latin and Cyrillic"
    return f"its address mixes {' and '.join(scripts)} letters"


# Chromium's list: a name made only of these reads as a Latin one ("аррӏе", "ехаmрlе").
_CYRILLIC_LATIN_ALIKE = frozenset("асԁеһіјӏорԛѕԝхуъьҽпгѵѡ")


def _whole_script_spoof(labels: list[str]) -> str | None:
    """A Cyrillic name that reads as Latin, under a top-level domain that is not
    Cyrillic itself (under .рф, Cyrillic names are what one expects)."""
    top = labels[-1]
    if any(_script(ch) == "Cyrillic" for ch in top) and not _all_latin_alike(top):
        return None
    if any(_all_latin_alike(label) for label in labels):
        return "its address is written in Cyrillic letters that look like Latin ones"
    return None


def _all_latin_alike(label: str) -> bool:
    """True for a name of Latin-looking Cyrillic letters (digits and hyphens aside)."""
    letters = [ch for ch in label if unicodedata.category(ch).startswith("L")]
    return bool(letters) and all(ch in _CYRILLIC_LATIN_ALIKE for ch in letters)

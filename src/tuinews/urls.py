"""Whether a string is a web URL, and whether a link may be handed to a browser.

One rule for the whole program, so that a source added as `HTTP://…`, a link to
`http:///x` or an href of `javascript:…` gets the same answer from the source
classifier, the fetcher, feed discovery, the renderer's link list, the reader's
"open" key and the feed list's titles.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})

# Browsers and HTTP clients strip or refuse these, so the URL acted on would not be
# the URL judged (`java\tscript:` is how a tab sneaks a scheme past a careless check).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


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


def is_openable(url: str) -> bool:
    """Only web URLs go to a browser: file:, javascript:, data: and the rest are shown.

    Asked apart from is_web_url because it is a different promise (what may leave
    tuinews for another program), even though today the answer is the same.
    """
    return is_web_url(url)

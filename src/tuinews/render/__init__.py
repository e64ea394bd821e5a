"""Article bodies → readable terminal text, in two steps callers can use apart.

`blocks` reads a body (HTML or plain text) into blocks in reading order; `layout`
lays those blocks out as lines at a width in terminal cells, measured by `cells`
(which also says how to draw text so that every terminal agrees). Pure stdlib on purpose:
`tuinews show` prints to_text(); the reader pane styles the same lines itself.
"""

from tuinews.render.blocks import (
    Block,
    BlockKind,
    RenderedArticle,
    render_body,
    render_html,
    render_plain,
)
from tuinews.render.cells import cell_width, cut, fitting, for_terminal
from tuinews.render.layout import Line, layout, to_text, wrap_paragraph

__all__ = [
    "Block",
    "BlockKind",
    "Line",
    "RenderedArticle",
    "cell_width",
    "cut",
    "fitting",
    "for_terminal",
    "layout",
    "render_body",
    "render_html",
    "render_plain",
    "to_text",
    "wrap_paragraph",
]

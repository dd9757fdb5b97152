"""Markdown for managed content (awareness pages, campaigns), public pages and previews alike.

CommonMark through markdown-it-py, with the safety rules the hub relies on:

- raw HTML is never passed through: `<b>` or `<script>` in a body shows as text;
- links and images go through markdown-it's validateLink, which refuses `javascript:`,
  `vbscript:`, `file:` and non-image `data:` addresses (the text stays, the link goes);
- links to other sites get rel="noreferrer" (readers' visits are nobody else's business);
- images are shown only from our own site or as data: images; any other image becomes a
  plain link, so a page never makes a reader's browser contact another host;
- headings start at h2, because the page title is the h1: a body whose top heading is `#`
  (or `###`) is shifted so that it becomes h2 and the levels below keep their order.

    >>> str(render_markdown("# Keep a log\\n\\n<b>hi</b> [x](javascript:alert(1))"))
    '<h2>Keep a log</h2>\\n<p>&lt;b&gt;hi&lt;/b&gt; [x](javascript:alert(1))</p>\\n'
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

TOP_HEADING_LEVEL = 2
MAX_HEADING_LEVEL = 6


def is_external(href: str) -> bool:
    """True for an address on another host: http(s) with a host, or protocol-relative."""
    parts = urlsplit(href.strip())
    return bool(parts.netloc) and parts.scheme.lower() in ("", "http", "https")


def _is_our_image(src: str) -> bool:
    src = src.strip()
    if src.lower().startswith("data:image/"):
        return True
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc and src.startswith("/")


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if is_external(str(token.attrGet("href") or "")):
        token.attrSet("rel", "noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    if _is_our_image(src):
        token.attrSet("alt", alt)
        return renderer.renderToken(tokens, idx, options, env)
    # Another host's image would tell that host who is reading: offer it as a link instead.
    text = escapeHtml(f"{alt or 'Image'} (picture on another website)")
    link = Token("link_open", "a", 1, attrs={"href": src})
    return f"{_link_open(renderer, [link], 0, options, env)}{text}</a>"


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    return md


_md = _make_parser()


def _shift_headings(tokens: list[Token]) -> None:
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    top = min(int(t.tag[1]) for t in headings)
    shift = TOP_HEADING_LEVEL - top
    for token in headings:
        level = min(MAX_HEADING_LEVEL, int(token.tag[1]) + shift)
        token.tag = f"h{level}"


def render_markdown(text: str) -> SafeString:
    """Safe HTML for a managed Markdown body (see the module docstring for the rules)."""
    env: EnvType = {}
    tokens = _md.parse(text or "", env)
    _shift_headings(tokens)
    html: str = _md.renderer.render(tokens, _md.options, env)
    # Safe: markdown-it escapes all text, raw HTML is disabled and links are validated.
    return mark_safe(html)
